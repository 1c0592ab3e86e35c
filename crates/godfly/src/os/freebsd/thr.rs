//! FreeBSD's threads: `thr_new`, `thr_self`, `thr_exit`, `thr_kill`,
//! `thr_kill2`, and `sysarch` for the TLS base. Each thread is a host
//! thread (`thread::spawn`), as DragonFly's LWPs are; FreeBSD's thread ids
//! start above PID_MAX, so the guest sees godfly's id plus `TID_BASE`.

use godfly_abi::freebsd::consts as f;
use godfly_abi::freebsd::layout::ThrParam;

use crate::arch::EntryRegs;
use crate::call::{Args, SysResult, ok_int};
use crate::host::GuestPtr;
use crate::host::errno::{EINVAL, ESRCH};
use crate::mem;
use crate::os::dragonfly::lwp::is_canonical;
use crate::thread::{self, Ctx};

/// What FreeBSD's thread ids start above (`PID_MAX`, 99999).
pub const TID_BASE: i64 = 100_000;

/// The id the guest sees for a godfly thread.
pub fn guest_tid(tid: i32) -> i64 {
    i64::from(tid) + TID_BASE
}

/// godfly's thread for a guest id, if it can be one.
fn host_tid(id: i64) -> Option<i32> {
    i32::try_from(id - TID_BASE).ok().filter(|&t| t > 0)
}

/// `thr_new(param, param_size)`, FreeBSD 455: a thread at `start_func`
/// with `arg` in %rdi, %rsp = ((stack_base + stack_size) & ~15) - 8 with
/// a zero return address there, %rbp 0, the %fs base `tls_base`, the
/// creator's other registers and signal mask, and no alternate stack.
/// Both tid pointers are written by the creator before the thread runs.
pub fn thr_new(ctx: &mut Ctx, a: &Args) -> SysResult {
    let size = a.int(1);
    if size < 0 || size as usize > std::mem::size_of::<ThrParam>() {
        return Err(EINVAL);
    }
    let mut raw = [0u8; std::mem::size_of::<ThrParam>()];
    mem::read_into(a.ptr(0), &mut raw[..size as usize])?;
    let p: ThrParam = zerocopy::FromBytes::read_from_bytes(&raw[..]).map_err(|_| EINVAL)?;
    if p.flags & f::THR_SUSPENDED != 0 {
        // A thread created stopped needs thr_wake, which nothing here has.
        return Err(EINVAL);
    }
    if p.tls_base >= godfly_abi::freebsd::VM_MAX_USER_ADDRESS || !is_canonical(p.tls_base) {
        return Err(EINVAL);
    }
    let rsp = (p.stack_base.wrapping_add(p.stack_size) & !0xF).wrapping_sub(8);
    mem::write(rsp, &0u64)?;
    let tid = thread::alloc_tid();
    for out in [p.child_tid, p.parent_tid] {
        if out != 0 {
            mem::write(out, &guest_tid(tid))?;
        }
    }
    let r = |g| ctx.reg(g);
    let regs = EntryRegs {
        rax: 0,
        rbx: r(libc::REG_RBX),
        rcx: r(libc::REG_RCX),
        rdx: r(libc::REG_RDX),
        rsi: r(libc::REG_RSI),
        rdi: p.arg,
        rbp: 0,
        r8: r(libc::REG_R8),
        r9: r(libc::REG_R9),
        r10: r(libc::REG_R10),
        r11: r(libc::REG_R11),
        r12: r(libc::REG_R12),
        r13: r(libc::REG_R13),
        r14: r(libc::REG_R14),
        r15: r(libc::REG_R15),
        rip: p.start_func,
        rsp,
        rflags: (r(libc::REG_EFL) & !1) | 0x202,
    };
    thread::spawn::spawn_lwp(tid, regs, p.tls_base, ctx.lwp.sigmask, f::SS_DISABLE, |why| {
        crate::crash::internal::fail(why, None)
    })?;
    crate::debug::lwp_created(tid);
    ok_int(0)
}

/// `thr_self(id)`, FreeBSD 432: the caller's id, stored as a `long`.
pub fn thr_self(ctx: &mut Ctx, a: &Args) -> SysResult {
    mem::write(a.ptr(0), &guest_tid(ctx.lwp.tid))?;
    ok_int(0)
}

/// `thr_exit(state)`, FreeBSD 431: stores 1 at `state` (a `long`) and
/// wakes its waiters, then ends the thread. The last thread does not end
/// the process: the call returns 0 (libthr calls `exit` itself).
pub fn thr_exit(ctx: &mut Ctx, a: &Args) -> SysResult {
    let state = a.ptr(0);
    if state != 0 {
        let _ = mem::write(state, &1u64);
        let _ = crate::host::event::futex_wake(GuestPtr(state), i32::MAX);
    }
    if thread::all_tids().len() <= 1 {
        return ok_int(0);
    }
    crate::sys::proc::exit_lwp(ctx, 0)
}

/// `thr_kill(id, sig)`, FreeBSD 433: a signal to one thread of this
/// process (the caller's own included), or with id -1 to every other one;
/// ESRCH for none, EINVAL for a bad signal. The receiver's `si_code` is
/// SI_LWP.
pub fn thr_kill(ctx: &mut Ctx, a: &Args) -> SysResult {
    kill_in_process(ctx, a.i64(0), a.int(1))
}

fn kill_in_process(ctx: &mut Ctx, id: i64, sig: i32) -> SysResult {
    let bad_sig = sig != 0 && (sig < 1 || sig > crate::signal::max_sig() as i32);
    let info = crate::thread::SigInfo { code: f::SI_LWP, ..crate::signal::self_info() };
    if id == -1 {
        if bad_sig {
            return Err(EINVAL);
        }
        let others: Vec<_> = thread::all_tids().into_iter().filter(|(t, _)| *t != ctx.lwp.tid).collect();
        if others.is_empty() {
            return Err(ESRCH);
        }
        if sig != 0 {
            for (t, target) in others {
                crate::signal::post_thread(t, &target, sig as u32, info);
            }
        }
        return ok_int(0);
    }
    let tid = host_tid(id).ok_or(ESRCH)?;
    let target = thread::lookup(tid).ok_or(ESRCH)?;
    if bad_sig {
        return Err(EINVAL);
    }
    if sig != 0 {
        crate::signal::post_thread(tid, &target, sig as u32, info);
    }
    ok_int(0)
}

/// `thr_kill2(pid, id, sig)`, FreeBSD 481: `thr_kill` for a thread of
/// process `pid`; threads of other processes are not visible to godfly
/// (ESRCH once the process is known to exist).
pub fn thr_kill2(ctx: &mut Ctx, a: &Args) -> SysResult {
    let pid = a.int(0);
    if pid != 0 && pid != crate::host::proc::getpid() {
        crate::host::proc::kill(pid, 0)?;
        return Err(ESRCH);
    }
    kill_in_process(ctx, a.i64(1), a.int(2))
}

/// `sysarch(op, parms)`, FreeBSD 165: the %fs and %gs bases
/// (AMD64_GET/SET_FSBASE/GSBASE, `parms` a 64-bit base); other operations
/// are EINVAL, as for an unknown one.
pub fn sysarch(ctx: &mut Ctx, a: &Args) -> SysResult {
    let parms = a.ptr(1);
    match a.int(0) {
        f::AMD64_GET_FSBASE => mem::write(parms, &ctx.lwp.guest_fs())?,
        f::AMD64_SET_FSBASE => {
            let base: u64 = mem::read(parms)?;
            if base >= godfly_abi::freebsd::VM_MAX_USER_ADDRESS || !is_canonical(base) {
                return Err(EINVAL);
            }
            ctx.lwp.set_guest_fs(base);
        }
        f::AMD64_GET_GSBASE => mem::write(parms, &(ctx.lwp.tls[1].base))?,
        f::AMD64_SET_GSBASE => {
            let base: u64 = mem::read(parms)?;
            if base >= godfly_abi::freebsd::VM_MAX_USER_ADDRESS || !is_canonical(base) {
                return Err(EINVAL);
            }
            // With the fast path on, %gs belongs to godfly: the base is
            // recorded and given back, not loaded.
            if !crate::stubs::active() {
                crate::host::set_gs_base(base)?;
            }
            ctx.lwp.tls[1].base = base;
        }
        _ => return Err(EINVAL),
    }
    ok_int(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_ids_sit_above_pid_max_and_come_back() {
        assert_eq!(guest_tid(1), 100_001);
        assert_eq!(host_tid(100_001), Some(1));
        assert_eq!(host_tid(5), None);
        assert_eq!(host_tid(-1), None);
        assert_eq!(host_tid(i64::MAX), None);
    }
}
