//! The dispatcher: decodes a trapped `syscall`, looks the number up in the
//! table and writes the result back the BSD way, all in one place.

pub mod args;
pub mod table;

use godfly_abi::errno::{EINTR, EINVAL, Errno};
use godfly_abi::syscalls::{SYS___SYSCALL, SYS_MAXSYSCALL, SYS_SYSCALL, SYSCALLS};
use std::sync::atomic::{AtomicU64, Ordering};

pub use args::Args;
pub use table::{Handler, Support};

use crate::thread::Lwp;

/// What a handler produced on success.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ret {
    /// One value in `rax`; `rdx` keeps the caller's value, as on DragonFly.
    One(u64),
    /// Two values in `rax` and `rdx` (`pipe`, `fork`).
    Two(u64, u64),
    /// The handler already set every register (`sigreturn`).
    JustReturn,
}

/// Result of a handler: DragonFly errno on failure.
pub type SysResult = Result<Ret, Errno>;

/// Shorthand for a one-value success.
pub fn ok(v: impl Into<u64>) -> SysResult {
    Ok(Ret::One(v.into()))
}

/// Shorthand for an `int` result: written zero-extended from 32 bits, as the
/// DragonFly kernel writes `int` results (`sysmsg` slots).
pub fn ok_int(v: i32) -> SysResult {
    Ok(Ret::One(u64::from(v as u32)))
}

/// Context a handler gets: the calling LWP and its saved host context.
#[derive(Debug)]
pub struct Ctx<'a> {
    /// Calling thread.
    pub lwp: &'a mut Lwp,
    /// The interrupted guest registers (host `ucontext_t`).
    pub uc: &'a mut libc::ucontext_t,
}

impl Ctx<'_> {
    /// A guest register from the saved context.
    pub fn reg(&self, r: libc::c_int) -> u64 {
        self.uc.uc_mcontext.gregs[r as usize] as u64
    }

    /// Sets a guest register in the saved context.
    pub fn set_reg(&mut self, r: libc::c_int, v: u64) {
        self.uc.uc_mcontext.gregs[r as usize] = v as i64;
    }
}

const RFLAGS_CF: u64 = 1;

/// Handles one trapped system call.
pub fn dispatch(lwp: &mut Lwp, uc: &mut libc::ucontext_t) {
    let mut ctx = Ctx { lwp, uc };
    let args = Args::decode(&ctx);
    let nr = args.nr;
    let orig_rax = ctx.reg(libc::REG_RAX);
    let traced = crate::trace::wants(nr);
    let (before, start) = if traced {
        let shown = crate::trace::format::before(&args);
        if nr == u64::from(godfly_abi::syscalls::SYS_EXIT) || nr == u64::from(godfly_abi::syscalls::SYS_EXTEXIT) {
            // These do not return: show the call now.
            crate::trace::no_return(ctx.lwp.tid, &args, &shown);
        }
        (shown, Some(std::time::Instant::now()))
    } else {
        (Vec::new(), None)
    };
    crate::crash::inject::check(nr);
    let res = match table::lookup(nr) {
        Some((handler, _)) => handler(&mut ctx, &args),
        None => unbound(ctx.lwp, nr),
    };
    if let Some(start) = start {
        crate::trace::syscall(ctx.lwp.tid, &args, before, &res, start);
    }
    ctx.lwp.remember(args, res);
    crate::signal::take_arrived(ctx.lwp);
    if res == Err(EINTR) && table::restartable(nr) && crate::signal::next_restarts(ctx.lwp) {
        // ERESTART: run the call again after the handler (DragonFly rewinds
        // rip over the 2-byte `syscall`).
        let rip = ctx.reg(libc::REG_RIP);
        ctx.set_reg(libc::REG_RIP, rip - 2);
        ctx.set_reg(libc::REG_RAX, orig_rax);
    } else {
        apply(&mut ctx, res);
    }
    if crate::signal::has_deliverable(ctx.lwp) {
        crate::signal::deliver_pending(ctx.lwp, ctx.uc);
    }
}

/// What DragonFly does for a number it does not implement, or what godfly
/// does for a DragonFly call it does not implement yet.
fn unbound(lwp: &Lwp, nr: u64) -> SysResult {
    let def = usize::try_from(nr).ok().filter(|&n| n < SYS_MAXSYSCALL).map(|n| &SYSCALLS[n]);
    match def {
        Some(d) if d.kind.is_implemented() && d.nr != SYS_SYSCALL && d.nr != SYS___SYSCALL => {
            report_unsupported(d.nr, d.name);
            Err(godfly_abi::errno::ENOSYS)
        }
        _ => {
            // sys_nosys: SIGSYS to the calling thread, and EINVAL.
            report_nosys(nr, def.map(|d| (d.name, d.note)));
            crate::signal::post_nosys(lwp);
            Err(EINVAL)
        }
    }
}

/// Out-of-range numbers already reported (a few; then they go unreported).
static REPORTED_FAR: [AtomicU64; 8] = [const { AtomicU64::new(u64::MAX) }; 8];

/// Whether `nr` (out of range) is reported now: the first time it is seen,
/// while there is room to remember it.
fn first_far(nr: u64) -> bool {
    for slot in &REPORTED_FAR {
        match slot.compare_exchange(u64::MAX, nr, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return true,
            Err(seen) if seen == nr => return false,
            Err(_) => {}
        }
    }
    false
}

/// The one-line diagnostic for a number DragonFly itself has no call for.
fn report_nosys(nr: u64, def: Option<(&str, &str)>) {
    let first = match def {
        Some(_) => first_in_table(nr),
        None => first_far(nr),
    };
    if !first {
        return;
    }
    match def {
        Some((name, note)) => {
            let what = if note.is_empty() { String::new() } else { format!("; {note}") };
            crate::diag!(
                "godfly: DragonFly has no system call {nr} ({name}{what}): SIGSYS and EINVAL, as on DragonFly"
            );
        }
        None => crate::diag!(
            "godfly: system call number {nr} is past DragonFly's table ({SYS_MAXSYSCALL}): SIGSYS and EINVAL, as on DragonFly"
        ),
    }
}

static REPORTED: [AtomicU64; SYS_MAXSYSCALL.div_ceil(64)] = [const { AtomicU64::new(0) }; SYS_MAXSYSCALL.div_ceil(64)];

/// Whether call number `nr` (below `SYS_MAXSYSCALL`) is reported now: the
/// first time it is seen.
fn first_in_table(nr: u64) -> bool {
    let bit = 1u64 << (nr % 64);
    REPORTED[(nr / 64) as usize].fetch_or(bit, Ordering::Relaxed) & bit == 0
}

/// Prints one line per call number the first time the guest uses a
/// DragonFly call that godfly does not implement.
fn report_unsupported(nr: u32, name: &str) {
    if first_in_table(u64::from(nr)) {
        let reason = table::unsupported_reason(nr).unwrap_or("not implemented yet");
        crate::diag!("godfly: unsupported DragonFly system call {name} ({nr}): {reason}; returning ENOSYS");
    }
}

/// Writes a result into the guest registers: carry flag, `rax`/`rdx`, and
/// `rcx`/`r11` clobbered as by `syscall`/`sysret`.
pub fn apply(ctx: &mut Ctx<'_>, res: SysResult) {
    let mut flags = ctx.reg(libc::REG_EFL);
    match res {
        Ok(Ret::JustReturn) => return,
        Ok(Ret::One(v)) => {
            ctx.set_reg(libc::REG_RAX, v);
            flags &= !RFLAGS_CF;
        }
        Ok(Ret::Two(a, b)) => {
            ctx.set_reg(libc::REG_RAX, a);
            ctx.set_reg(libc::REG_RDX, b);
            flags &= !RFLAGS_CF;
        }
        Err(e) => {
            ctx.set_reg(libc::REG_RAX, u64::from(e.get()));
            flags |= RFLAGS_CF;
        }
    }
    ctx.set_reg(libc::REG_EFL, flags);
    let rip = ctx.reg(libc::REG_RIP);
    ctx.set_reg(libc::REG_RCX, rip);
    ctx.set_reg(libc::REG_R11, flags);
}
