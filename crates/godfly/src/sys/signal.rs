//! Signal calls: `sigaction`, `sigprocmask`, `sigaltstack`, `sigpending`,
//! `sigsuspend`, the sigwait calls, `sigreturn`, `kill`. Dispositions and
//! masks are godfly's bookkeeping (`signal`); host dispositions follow them
//! so that the host kernel applies the guest's default actions.

use godfly_abi::bsd::{Sigaction, Sigset, StackT};

use crate::call::{Args, Ret, SysResult, ok_int};
use crate::host;
use crate::host::errno::{EAGAIN, EINTR, EINVAL, ENOMEM, EPERM};
use crate::mem;
use crate::personality;
use crate::signal::{self, deliver};
use crate::thread::Ctx;

/// `sigaction(sig, act, oact)`.
pub fn sigaction(_: &mut Ctx, a: &Args) -> SysResult {
    let p = personality::current();
    let sig = a.int(0);
    if sig <= 0 || sig > signal::max_sig() as i32 {
        return Err(EINVAL);
    }
    let sig = sig as u32;
    let new: Option<Sigaction> = if a.ptr(1) != 0 { Some(mem::read(a.ptr(1))?) } else { None };
    if let Some(n) = &new
        && (sig == p.signals.num.kill || sig == p.signals.num.stop)
        && n.sa_handler != 0
    {
        return Err(EINVAL);
    }
    let old = match new {
        Some(mut n) => {
            n.sa_flags &= p.signals.flags.all;
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

/// `sigprocmask(how, set, oset)`: per thread.
pub fn sigprocmask(ctx: &mut Ctx, a: &Args) -> SysResult {
    let f = personality::current().signals.flags;
    let old = ctx.lwp.sigmask;
    if a.ptr(1) != 0 {
        let set: Sigset = mem::read(a.ptr(1))?;
        let mut m = old;
        match a.int(0) {
            h if h == f.block => m.bits.iter_mut().zip(set.bits).for_each(|(m, s)| *m |= s),
            h if h == f.unblock => m.bits.iter_mut().zip(set.bits).for_each(|(m, s)| *m &= !s),
            h if h == f.setmask => m = set,
            _ => return Err(EINVAL),
        }
        signal::cant_mask(&mut m);
        // A blocked signal with a terminating default action must wait in
        // the queue instead of letting the host kernel end the process:
        // route it through godfly's handler while it may be blocked.
        for sig in 1..=signal::max_sig() {
            if signal::sigismember(&m, sig)
                && !signal::sigismember(&old, sig)
                && matches!(signal::disposition(sig), signal::Disposition::Default(_))
                && let Some(h) = signal::to_host(sig)
            {
                host::sig::catch(h);
            }
        }
        ctx.lwp.sigmask = m;
    }
    if a.ptr(2) != 0 {
        mem::write(a.ptr(2), &old)?;
    }
    ok_int(0)
}

/// `sigpending(set)`: the thread's and the process's.
pub fn sigpending(ctx: &mut Ctx, a: &Args) -> SysResult {
    let mut set = ctx.lwp.pending.set();
    let p = crate::thread::PROCESS_PENDING.set();
    set.bits.iter_mut().zip(p.bits).for_each(|(m, s)| *m |= s);
    mem::write(a.ptr(0), &set)?;
    ok_int(0)
}

/// `sigaltstack(ss, oss)`.
pub fn sigaltstack(ctx: &mut Ctx, a: &Args) -> SysResult {
    let f = personality::current().signals.flags;
    let rsp = ctx.reg(libc::REG_RSP);
    let cur = ctx.lwp.altstack;
    let onstack = deliver::on_altstack(&cur, rsp);
    if a.ptr(0) != 0 {
        let ss: StackT = mem::read(a.ptr(0))?;
        if ss.ss_flags & !f.ss_disable != 0 {
            return Err(EINVAL);
        }
        if onstack {
            return Err(EPERM);
        }
        if ss.ss_flags & f.ss_disable != 0 {
            ctx.lwp.altstack = StackT { ss_flags: f.ss_disable, ..cur };
        } else {
            if ss.ss_size < f.minsigstksz {
                return Err(ENOMEM);
            }
            ctx.lwp.altstack = StackT { ss_sp: ss.ss_sp, ss_size: ss.ss_size, ss_flags: 0, pad: 0 };
        }
    }
    if a.ptr(1) != 0 {
        let mut out = cur;
        if cur.ss_flags & f.ss_disable == 0 && onstack {
            out.ss_flags |= f.ss_onstack;
        }
        out.pad = 0;
        mem::write(a.ptr(1), &out)?;
    }
    ok_int(0)
}

/// `sigsuspend(sigmask)`: waits with the given mask until a
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
                crate::dispatch::apply(ctx, Err(EINTR));
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
        return Err(EAGAIN);
    };
    if info_out != 0 {
        let si = godfly_abi::bsd::Siginfo {
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

/// `sigwaitinfo(set, info)`.
pub fn sigwaitinfo(ctx: &mut Ctx, a: &Args) -> SysResult {
    wait_common(ctx, a.ptr(0), a.ptr(1), None)
}

/// `sigtimedwait(set, info, timeout)`: EAGAIN when the time passes.
pub fn sigtimedwait(ctx: &mut Ctx, a: &Args) -> SysResult {
    let deadline = if a.ptr(2) != 0 {
        let ts: godfly_abi::bsd::Timespec = mem::read(a.ptr(2))?;
        if ts.tv_sec < 0 || !(0..1_000_000_000).contains(&ts.tv_nsec) {
            return Err(EINVAL);
        }
        Some(std::time::Instant::now() + std::time::Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32))
    } else {
        None
    };
    wait_common(ctx, a.ptr(0), a.ptr(1), deadline)
}

/// `sigreturn(ucp)`: called by the sigcode trampoline.
pub fn sigreturn(ctx: &mut Ctx, a: &Args) -> SysResult {
    deliver::sigreturn(ctx.lwp, ctx.uc, a.ptr(0))?;
    Ok(Ret::JustReturn)
}

/// `kill(pid, sig)`.
pub fn kill(ctx: &mut Ctx, a: &Args) -> SysResult {
    let (pid, sig) = (a.int(0), a.int(1));
    if sig < 0 || sig > signal::max_sig() as i32 {
        return Err(EINVAL);
    }
    let sig = sig as u32;
    if pid == host::proc::getpid() {
        if sig != 0 {
            signal::post_process(ctx.lwp, sig, signal::self_info());
        }
        return ok_int(0);
    }
    // Another process (or a group): the host delivers, in host numbering.
    let host_sig = if sig == 0 { 0 } else { signal::to_host(sig).ok_or(EINVAL)? };
    host::proc::kill(pid, host_sig)?;
    ok_int(0)
}
