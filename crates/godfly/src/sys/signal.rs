//! Signal calls: `sigaction`, `sigprocmask`, `sigaltstack`, `sigpending`,
//! `sigreturn`, `kill`, `lwp_kill`. Dispositions and masks are godfly's
//! bookkeeping (`signal`); host dispositions follow them so that the host
//! kernel applies DragonFly's default actions.

use godfly_abi::consts as d;
use godfly_abi::errno::{EINVAL, ENOMEM, EPERM, ESRCH};
use godfly_abi::layout::{Sigaction, Sigset, StackT};
use godfly_abi::signal::{SIGKILL, SIGSTOP};

use crate::dispatch::{Args, Ctx, Ret, SysResult, ok_int};
use crate::host;
use crate::mem;
use crate::signal::{self, SIG_MAXSIG, deliver};
use crate::thread;
use crate::xlat::signo;

/// `sigaction(sig, act, oact)`, DragonFly 342.
pub fn sigaction(_: &mut Ctx, a: &Args) -> SysResult {
    let sig = a.int(0);
    if sig <= 0 || sig > SIG_MAXSIG as i32 {
        return Err(EINVAL);
    }
    let sig = sig as u32;
    let new: Option<Sigaction> = if a.ptr(1) != 0 { Some(mem::read(a.ptr(1))?) } else { None };
    if let Some(n) = &new
        && (sig == SIGKILL || sig == SIGSTOP)
        && n.sa_handler != 0
    {
        return Err(EINVAL);
    }
    let old = match new {
        Some(mut n) => {
            n.sa_flags &= signal::SA_ALL;
            signal::cant_mask(&mut n.sa_mask);
            n.pad = 0;
            let old = signal::set_action(sig, n);
            signal::sync_host_disposition(sig);
            old
        }
        None => signal::action(sig),
    };
    if a.ptr(2) != 0 {
        mem::write(a.ptr(2), &old)?;
    }
    ok_int(0)
}

/// `sigprocmask(how, set, oset)`, DragonFly 340: per thread.
pub fn sigprocmask(ctx: &mut Ctx, a: &Args) -> SysResult {
    let old = ctx.lwp.sigmask;
    if a.ptr(1) != 0 {
        let set: Sigset = mem::read(a.ptr(1))?;
        let mut m = old;
        match a.int(0) {
            d::SIG_BLOCK => m.bits.iter_mut().zip(set.bits).for_each(|(m, s)| *m |= s),
            d::SIG_UNBLOCK => m.bits.iter_mut().zip(set.bits).for_each(|(m, s)| *m &= !s),
            d::SIG_SETMASK => m = set,
            _ => return Err(EINVAL),
        }
        signal::cant_mask(&mut m);
        // A blocked signal with a terminating default action must wait in
        // the queue instead of letting the host kernel end the process:
        // route it through godfly's handler while it may be blocked.
        for sig in 1..=SIG_MAXSIG {
            if signal::sigismember(&m, sig)
                && !signal::sigismember(&old, sig)
                && matches!(signal::disposition(sig), signal::Disposition::Default(_))
                && let Some(host) = signo::to_linux(sig)
            {
                crate::trap::catch_host(host);
            }
        }
        ctx.lwp.sigmask = m;
    }
    if a.ptr(2) != 0 {
        mem::write(a.ptr(2), &old)?;
    }
    ok_int(0)
}

/// `sigpending(set)`, DragonFly 343: the thread's and the process's.
pub fn sigpending(ctx: &mut Ctx, a: &Args) -> SysResult {
    let mut set = ctx.lwp.pending.set();
    let p = signal::PROCESS_PENDING.set();
    set.bits.iter_mut().zip(p.bits).for_each(|(m, s)| *m |= s);
    mem::write(a.ptr(0), &set)?;
    ok_int(0)
}

/// `sigaltstack(ss, oss)`, DragonFly 53.
pub fn sigaltstack(ctx: &mut Ctx, a: &Args) -> SysResult {
    let rsp = ctx.reg(libc::REG_RSP);
    let cur = ctx.lwp.altstack;
    let onstack = deliver::on_altstack(&cur, rsp);
    if a.ptr(0) != 0 {
        let ss: StackT = mem::read(a.ptr(0))?;
        if ss.ss_flags & !d::SS_DISABLE != 0 {
            return Err(EINVAL);
        }
        if onstack {
            return Err(EPERM);
        }
        if ss.ss_flags & d::SS_DISABLE != 0 {
            ctx.lwp.altstack = StackT { ss_flags: d::SS_DISABLE, ..cur };
        } else {
            if ss.ss_size < d::MINSIGSTKSZ as u64 {
                return Err(ENOMEM);
            }
            ctx.lwp.altstack = StackT { ss_sp: ss.ss_sp, ss_size: ss.ss_size, ss_flags: 0, pad: 0 };
        }
    }
    if a.ptr(1) != 0 {
        let mut out = cur;
        if cur.ss_flags & d::SS_DISABLE == 0 && onstack {
            out.ss_flags |= d::SS_ONSTACK;
        }
        out.pad = 0;
        mem::write(a.ptr(1), &out)?;
    }
    ok_int(0)
}

/// `sigsuspend(sigmask)`, DragonFly 341: waits with the given mask until a
/// signal is caught; its handler runs with the old mask saved in its frame,
/// and the call returns EINTR.
pub fn sigsuspend(ctx: &mut Ctx, a: &Args) -> SysResult {
    let mut temp: Sigset = mem::read(a.ptr(0))?;
    signal::cant_mask(&mut temp);
    let old = ctx.lwp.sigmask;
    loop {
        let Some((sig, info)) = signal::wait_for(ctx.lwp, &temp, None) else { continue };
        match signal::disposition(sig) {
            signal::Disposition::Handler => {
                // The result is written first, so the frame saves it.
                crate::dispatch::apply(ctx, Err(godfly_abi::errno::EINTR));
                ctx.lwp.sigmask = old;
                deliver::deliver(ctx.lwp, ctx.uc, sig, &info);
                return Ok(Ret::JustReturn);
            }
            _ => {
                // Ignored now, or a default action that ends the process.
                signal::post_process(ctx.lwp, sig, info);
            }
        }
    }
}

fn wait_common(ctx: &mut Ctx, set: u64, info_out: u64, timeout: Option<std::time::Instant>) -> SysResult {
    let set: Sigset = mem::read(set)?;
    // Wait for the signals in `set`: everything else counts as blocked.
    let mut mask = Sigset { bits: [u32::MAX; 4] };
    for (m, s) in mask.bits.iter_mut().zip(set.bits) {
        *m &= !s;
    }
    let Some((sig, info)) = signal::wait_for(ctx.lwp, &mask, timeout) else {
        return Err(godfly_abi::errno::EAGAIN);
    };
    if info_out != 0 {
        let si = godfly_abi::layout::Siginfo {
            si_signo: sig as i32,
            si_code: info.code,
            si_pid: info.pid,
            si_uid: info.uid,
            si_addr: info.addr,
            ..Default::default()
        };
        mem::write(info_out, &si)?;
    }
    ok_int(sig as i32)
}

/// `sigwaitinfo(set, info)`, DragonFly 346.
pub fn sigwaitinfo(ctx: &mut Ctx, a: &Args) -> SysResult {
    wait_common(ctx, a.ptr(0), a.ptr(1), None)
}

/// `sigtimedwait(set, info, timeout)`, DragonFly 345: EAGAIN when the time
/// passes.
pub fn sigtimedwait(ctx: &mut Ctx, a: &Args) -> SysResult {
    let deadline = if a.ptr(2) != 0 {
        let ts: godfly_abi::layout::Timespec = mem::read(a.ptr(2))?;
        if ts.tv_sec < 0 || !(0..1_000_000_000).contains(&ts.tv_nsec) {
            return Err(EINVAL);
        }
        Some(std::time::Instant::now() + std::time::Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32))
    } else {
        None
    };
    wait_common(ctx, a.ptr(0), a.ptr(1), deadline)
}

/// `sigreturn(ucp)`, DragonFly 344: called by the sigcode trampoline.
pub fn sigreturn(ctx: &mut Ctx, a: &Args) -> SysResult {
    deliver::sigreturn(ctx.lwp, ctx.uc, a.ptr(0))?;
    Ok(Ret::JustReturn)
}

fn own_pid() -> i32 {
    host::sys(libc::SYS_getpid, &[]).unwrap_or(0) as i32
}

/// `kill(pid, sig)`, DragonFly 37.
pub fn kill(ctx: &mut Ctx, a: &Args) -> SysResult {
    let (pid, sig) = (a.int(0), a.int(1));
    if sig < 0 || sig > SIG_MAXSIG as i32 {
        return Err(EINVAL);
    }
    let sig = sig as u32;
    if pid == own_pid() {
        if sig != 0 {
            signal::post_process(ctx.lwp, sig, signal::self_info());
        }
        return ok_int(0);
    }
    // Another process (or a group): the host delivers, in host numbering.
    let host_sig = if sig == 0 { 0 } else { signo::to_linux(sig).ok_or(EINVAL)? };
    host::sys(libc::SYS_kill, &[pid as u64, host_sig as u64])?;
    ok_int(0)
}

/// `lwp_kill(pid, tid, sig)`, DragonFly 497: a signal to one thread.
pub fn lwp_kill(_: &mut Ctx, a: &Args) -> SysResult {
    let (pid, tid, sig) = (a.int(0), a.int(1), a.int(2));
    if tid == -1 || sig < 0 || sig > SIG_MAXSIG as i32 {
        return Err(EINVAL);
    }
    if pid != -1 && pid != own_pid() {
        // Threads of other processes are not visible to godfly.
        host::sys(libc::SYS_kill, &[pid as u64, 0])?;
        return Err(ESRCH);
    }
    let target = thread::lookup(tid).ok_or(ESRCH)?;
    if sig != 0 {
        signal::post_thread(&target, sig as u32, signal::self_info());
    }
    ok_int(0)
}
