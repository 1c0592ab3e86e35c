//! Deliberate internal errors, so tests can check the internal-error report
//! end to end: with `GODFLY_INJECT_INTERNAL_ERROR=panic:NAME` (or
//! `fault:NAME`) godfly panics (or faults) in its own code when the guest
//! makes the DragonFly call NAME. Unset, the check is one relaxed load.

use std::sync::atomic::{AtomicU64, Ordering};

/// The environment variable that arms an injection.
pub const ENV: &str = "GODFLY_INJECT_INTERNAL_ERROR";

const NONE: u64 = u64::MAX;
const FAULT_BIT: u64 = 1 << 32;

static ARMED: AtomicU64 = AtomicU64::new(NONE);

/// Parses `panic:NAME` / `fault:NAME` into (fault?, call number).
pub fn parse(spec: &str) -> Result<(bool, u32), String> {
    let (mode, name) = spec.split_once(':').ok_or_else(|| format!("{ENV}: expected panic:CALL or fault:CALL"))?;
    let fault = match mode {
        "panic" => false,
        "fault" => true,
        _ => return Err(format!("{ENV}: unknown mode {mode:?} (panic or fault)")),
    };
    let def = godfly_abi::syscalls::SYSCALLS
        .iter()
        .find(|d| d.name == name)
        .ok_or_else(|| format!("{ENV}: no DragonFly system call named {name:?}"))?;
    Ok((fault, def.nr))
}

/// Arms the injection from the environment, if set.
pub fn configure() -> Result<(), String> {
    let Some(spec) = std::env::var_os(ENV) else { return Ok(()) };
    let (fault, nr) = parse(&spec.to_string_lossy())?;
    ARMED.store(u64::from(nr) | if fault { FAULT_BIT } else { 0 }, Ordering::Relaxed);
    Ok(())
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
    panic!("injected internal error ({ENV})");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_accepts_panic_and_fault_with_a_known_call() {
        assert_eq!(parse("panic:getpid"), Ok((false, godfly_abi::syscalls::SYS_GETPID)));
        assert_eq!(parse("fault:write"), Ok((true, godfly_abi::syscalls::SYS_WRITE)));
    }

    #[test]
    fn parse_rejects_unknown_modes_and_calls() {
        assert!(parse("boom:getpid").is_err());
        assert!(parse("panic:no_such_call").is_err());
        assert!(parse("getpid").is_err());
    }
}
