//! Deliberate internal errors, so tests can check the internal-error report
//! end to end: with `GODFLY_INJECT_INTERNAL_ERROR=panic:NAME` (or
//! `fault:NAME`, `oom:NAME`) godfly panics (faults, or makes an allocation
//! the host cannot satisfy) in its own code when the guest makes the call
//! NAME. Unset, the check is one relaxed load.

use godfly_abi::sysdef::SyscallDef;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::env::INJECT_INTERNAL_ERROR as ENV;

const NONE: u64 = u64::MAX;
const FAULT_BIT: u64 = 1 << 32;
const OOM_BIT: u64 = 1 << 33;

/// How the injected error happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Panic,
    Fault,
    OutOfMemory,
}

static ARMED: AtomicU64 = AtomicU64::new(NONE);

/// What the environment asked for: (mode, call name).
static SPEC: crate::sync::Startup<(Mode, String)> = crate::sync::Startup::new();

/// Parses `panic:NAME`, `fault:NAME` or `oom:NAME` into (mode, call name),
/// checking that some guest system has the call.
pub fn parse(spec: &str, tables: &[&[SyscallDef]]) -> Result<(Mode, String), String> {
    let (mode, name) =
        spec.split_once(':').ok_or_else(|| format!("{ENV}: expected panic:CALL, fault:CALL or oom:CALL"))?;
    let mode = match mode {
        "panic" => Mode::Panic,
        "fault" => Mode::Fault,
        "oom" => Mode::OutOfMemory,
        _ => return Err(format!("{ENV}: unknown mode {mode:?} (panic, fault or oom)")),
    };
    if !tables.iter().any(|t| t.iter().any(|d| d.name == name)) {
        return Err(format!("{ENV}: no system call named {name:?}"));
    }
    Ok((mode, name.to_string()))
}

/// Reads the injection from the environment, if set (before the program
/// and its system are known).
pub fn configure(tables: &[&[SyscallDef]]) -> Result<(), String> {
    let Some(spec) = std::env::var_os(ENV) else { return Ok(()) };
    let _ = SPEC.set(parse(&spec.to_string_lossy(), tables)?);
    Ok(())
}

/// Arms a configured injection with the chosen system's call number.
pub fn arm(defs: &[SyscallDef]) {
    let Some((mode, name)) = SPEC.get() else { return };
    let bits = match mode {
        Mode::Panic => 0,
        Mode::Fault => FAULT_BIT,
        Mode::OutOfMemory => OOM_BIT,
    };
    if let Some(d) = defs.iter().find(|d| d.name == name) {
        ARMED.store(u64::from(d.nr) | bits, Ordering::Relaxed);
    }
}

/// Whether an injection is armed for call `nr`.
pub fn armed_for(nr: u64) -> bool {
    let armed = ARMED.load(Ordering::Relaxed);
    armed != NONE && armed & 0xffff_ffff == nr
}

/// Fails here if the injection is armed for call `nr`.
pub fn check(nr: u64) {
    let armed = ARMED.load(Ordering::Relaxed);
    if armed == NONE || armed & 0xffff_ffff != nr {
        return;
    }
    if armed & FAULT_BIT != 0 {
        crate::host::deliberate_fault();
    }
    if armed & OOM_BIT != 0 {
        // More than any x86-64 address space holds: the allocator fails.
        let v: Vec<u8> = Vec::with_capacity(std::hint::black_box(1usize << 62));
        std::hint::black_box(&v);
    }
    panic!("injected internal error ({ENV})");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_accepts_panic_and_fault_with_a_known_call() {
        let t: &[&[SyscallDef]] = &[&godfly_abi::dragonfly::syscalls::SYSCALLS];
        assert_eq!(parse("panic:getpid", t), Ok((Mode::Panic, "getpid".to_string())));
        assert_eq!(parse("fault:write", t), Ok((Mode::Fault, "write".to_string())));
        assert_eq!(parse("oom:read", t), Ok((Mode::OutOfMemory, "read".to_string())));
    }

    #[test]
    fn parse_rejects_unknown_modes_and_calls() {
        let t: &[&[SyscallDef]] = &[&godfly_abi::dragonfly::syscalls::SYSCALLS];
        assert!(parse("boom:getpid", t).is_err());
        assert!(parse("panic:no_such_call", t).is_err());
        assert!(parse("getpid", t).is_err());
    }
}
