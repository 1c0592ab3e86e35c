//! The dispatcher: decodes a trapped `syscall`, looks the number up in the
//! personality's table and writes the result back the BSD way, all in one
//! place. This is the one boundary where a host errno becomes the guest's.
#![forbid(unsafe_code)]

pub mod render;

use std::sync::atomic::{AtomicU64, Ordering};

use crate::call::{Args, Ret, SysResult};
use crate::host::errno::EINTR;
use crate::personality::{self, Personality};
use crate::thread::{Ctx, Lwp};

/// How the call entered godfly, which decides how it is run again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    /// Syscall User Dispatch: `rip` is just after the 2-byte `syscall`.
    Trap,
    /// A rewritten site: `rip` is just after the original `syscall`, and
    /// a restart runs the site again through its stub.
    Fast,
}

/// What a finished call asks of the writer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Write this result.
    Done(SysResult),
    /// Run the call again after the signal handler (ERESTART).
    Restart,
}

const RFLAGS_CF: u64 = 1;

/// Handles one trapped system call.
pub fn dispatch(lwp: &mut Lwp, uc: &mut libc::ucontext_t, entry: Entry) {
    let p = personality::current();
    let mut ctx = Ctx { lwp, uc };
    let args = Args::decode(ctx.uc, p.calls.indirect);
    let nr = args.nr;
    let orig_rax = ctx.reg(libc::REG_RAX);
    let traced = crate::trace::wants(nr);
    let (before, start) = if traced {
        let shown = crate::trace::format::before(&args);
        if u32::try_from(nr).is_ok_and(|n| p.calls.no_return.contains(&n)) {
            // These do not return: show the call now.
            crate::trace::no_return(ctx.lwp.tid, &args, &shown);
        }
        (shown, Some(std::time::Instant::now()))
    } else {
        (Vec::new(), None)
    };
    crate::crash::inject::check(nr);
    let res = match p.binding(nr) {
        Some(b) => (b.handler)(&mut ctx, &args),
        None => unbound(p, ctx.lwp, nr),
    };
    if let Some(start) = start {
        crate::trace::syscall(ctx.lwp.tid, &args, before, &res, start);
    }
    ctx.lwp.remember(&args, res);
    crate::signal::take_arrived(ctx.lwp);
    match outcome(p, ctx.lwp, &args, res) {
        Outcome::Restart => {
            let after = ctx.reg(libc::REG_RIP);
            let rip = match entry {
                Entry::Trap => after - 2,
                Entry::Fast => crate::stubs::site_of_after(after).unwrap_or(after - 2),
            };
            ctx.set_reg(libc::REG_RIP, rip);
            ctx.set_reg(libc::REG_RAX, orig_rax);
        }
        Outcome::Done(res) => apply(&mut ctx, res),
    }
    if crate::signal::has_deliverable(ctx.lwp) {
        crate::signal::deliver_pending(ctx.lwp, ctx.uc);
    }
}

/// An EINTR becomes a restart when the call may be restarted and the
/// signal about to be delivered asked for SA_RESTART.
fn outcome(p: &Personality, lwp: &Lwp, args: &Args, res: SysResult) -> Outcome {
    if res == Err(EINTR) && p.restartable(args.nr, args) && crate::signal::next_restarts(lwp) {
        Outcome::Restart
    } else {
        Outcome::Done(res)
    }
}

/// What the guest's kernel does for a number it does not implement, or
/// what godfly does for a call it does not implement yet.
fn unbound(p: &Personality, lwp: &Lwp, nr: u64) -> SysResult {
    let def = p.def(nr);
    match def {
        Some(d) if d.kind.is_implemented() && !p.calls.indirect.contains(&d.nr) => {
            report_unsupported(p, d.nr, d.name);
            Err(crate::host::errno::ENOSYS)
        }
        _ => {
            report_nosys(p, nr, def.map(|d| (d.name, d.note)));
            if let Some(sig) = p.calls.empty.signal {
                crate::signal::post_self(lwp, sig);
            }
            Err(p.calls.empty.errno)
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

/// The answer to an empty number, in words.
fn empty_answer(p: &Personality) -> String {
    let e = p.errno(p.calls.empty.errno);
    match p.calls.empty.signal {
        Some(s) => format!("{} and {}", (p.signals.name)(s), p.errno.name(e)),
        None => p.errno.name(e).to_string(),
    }
}

/// The one-line diagnostic for a number the guest's kernel has no call for.
fn report_nosys(p: &Personality, nr: u64, def: Option<(&str, &str)>) {
    let first = match def {
        Some(_) => first_in_table(nr),
        None => first_far(nr),
    };
    if !first {
        return;
    }
    let os = p.name;
    let answer = empty_answer(p);
    match def {
        Some((name, note)) => {
            let what = if note.is_empty() { String::new() } else { format!("; {note}") };
            crate::diag!("godfly: {os} has no system call {nr} ({name}{what}): {answer}, as on {os}");
        }
        None => crate::diag!(
            "godfly: system call number {nr} is past {os}'s table ({}): {answer}, as on {os}",
            p.calls.defs.len()
        ),
    }
}

/// Room for the first-seen bits of every call number of any guest table.
const REPORT_SLOTS: usize = 1024;

static REPORTED: [AtomicU64; REPORT_SLOTS / 64] = [const { AtomicU64::new(0) }; REPORT_SLOTS / 64];

/// Whether call number `nr` (inside the table) is reported now: the first
/// time it is seen.
fn first_in_table(nr: u64) -> bool {
    let Some(word) = REPORTED.get((nr / 64) as usize) else { return false };
    let bit = 1u64 << (nr % 64);
    word.fetch_or(bit, Ordering::Relaxed) & bit == 0
}

/// Prints one line per call number the first time the guest uses a call
/// that godfly does not implement.
fn report_unsupported(p: &Personality, nr: u32, name: &str) {
    if first_in_table(u64::from(nr)) {
        let reason = p.unsupported_reason(nr).unwrap_or("not implemented yet");
        let os = p.name;
        crate::diag!("godfly: unsupported {os} system call {name} ({nr}): {reason}; returning ENOSYS");
    }
}

/// Writes a result into the guest registers: carry flag, `rax`/`rdx`, and
/// `rcx`/`r11` clobbered as by `syscall`/`sysret`. An error is written in
/// the guest's numbering.
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
            ctx.set_reg(libc::REG_RAX, u64::from(personality::current().errno(e)));
            flags |= RFLAGS_CF;
        }
    }
    ctx.set_reg(libc::REG_EFL, flags);
    let rip = ctx.reg(libc::REG_RIP);
    ctx.set_reg(libc::REG_RCX, rip);
    ctx.set_reg(libc::REG_R11, flags);
}
