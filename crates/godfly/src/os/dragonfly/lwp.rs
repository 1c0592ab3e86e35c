//! DragonFly's threads: `lwp_create`, `lwp_create2`, `lwp_gettid`,
//! `extexit`, `set_tls_area`, `get_tls_area`, `lwp_kill`. Each LWP is a
//! host thread (`thread::spawn`); the guest `%fs` base is swapped by the
//! trap entry.

use godfly_abi::dragonfly::consts as d;
use godfly_abi::dragonfly::layout::{LwpParams, TlsInfo};

use crate::arch::EntryRegs;
use crate::call::{Args, SysResult, ok_int};
use crate::host::errno::{EINVAL, ERANGE, ESRCH};
use crate::mem;
use crate::thread::{self, Ctx, TlsArea};

/// `lwp_create(params)`, DragonFly 495. The new thread starts with the
/// creator's registers, `rip = lwp_func`, `rdi = lwp_arg`,
/// `rsp = lwp_stack - 8` with a zero return address there, the creator's
/// `%fs` base and signal mask.
pub fn lwp_create(ctx: &mut Ctx, a: &Args) -> SysResult {
    create(ctx, a.ptr(0))
}

/// `lwp_create2(params, cpumask)`, DragonFly 546: the CPU mask is advisory
/// and godfly leaves placement to the host scheduler.
pub fn lwp_create2(ctx: &mut Ctx, a: &Args) -> SysResult {
    create(ctx, a.ptr(0))
}

fn create(ctx: &mut Ctx, params: u64) -> SysResult {
    let p: LwpParams = mem::read(params)?;
    let stack_top = p.lwp_stack.wrapping_sub(8);
    mem::write(stack_top, &0u64)?;
    let tid = thread::alloc_tid();
    for out in [p.lwp_tid1, p.lwp_tid2] {
        if out != 0 {
            mem::write(out, &tid)?;
        }
    }
    let r = |g| ctx.reg(g);
    let regs = EntryRegs {
        rax: 0,
        rbx: r(libc::REG_RBX),
        rcx: r(libc::REG_RCX),
        rdx: r(libc::REG_RDX),
        rsi: r(libc::REG_RSI),
        rdi: p.lwp_arg,
        rbp: r(libc::REG_RBP),
        r8: r(libc::REG_R8),
        r9: r(libc::REG_R9),
        r10: r(libc::REG_R10),
        r11: r(libc::REG_R11),
        r12: r(libc::REG_R12),
        r13: r(libc::REG_R13),
        r14: r(libc::REG_R14),
        r15: r(libc::REG_R15),
        rip: p.lwp_func,
        rsp: stack_top,
        rflags: (r(libc::REG_EFL) & !1) | 0x202,
    };
    thread::spawn::spawn_lwp(tid, regs, ctx.lwp.guest_fs(), ctx.lwp.sigmask, d::SS_DISABLE, |why| {
        crate::crash::internal::fail(why, None)
    })?;
    crate::debug::lwp_created(tid);
    ok_int(0)
}

/// lwp_gettid(2), DragonFly 496.
pub fn lwp_gettid(ctx: &mut Ctx, _: &Args) -> SysResult {
    ok_int(ctx.lwp.tid)
}

/// `extexit(how, status, addr)`, DragonFly 494: end the thread
/// (EXTEXIT_LWP) or the process (EXTEXIT_PROC), optionally storing
/// `status` at `addr` first (EXTEXIT_SETINT).
pub fn extexit(ctx: &mut Ctx, a: &Args) -> SysResult {
    const EXTEXIT_SETINT: i32 = 1;
    const EXTEXIT_LWP: i32 = 1;
    let how = a.int(0);
    let (action, who) = (how & 0xffff, how >> 16);
    let status = a.int(1);
    if action > EXTEXIT_SETINT || !(0..=EXTEXIT_LWP).contains(&who) {
        return Err(EINVAL);
    }
    if action == EXTEXIT_SETINT {
        mem::write(a.ptr(2), &status)?;
    }
    if who == EXTEXIT_LWP { crate::sys::proc::exit_lwp(ctx, status) } else { crate::sys::proc::exit_process(status) }
}

/// `set_tls_area(which, info, infosize)`, DragonFly 472.
pub fn set_tls_area(ctx: &mut Ctx, a: &Args) -> SysResult {
    let which = a.int(0);
    if which != d::TLS_WHICH_FS && which != d::TLS_WHICH_GS {
        return Err(ERANGE);
    }
    let size = a.usize(2).min(std::mem::size_of::<TlsInfo>());
    let mut bytes = [0u8; 16];
    mem::read_into(a.ptr(1), &mut bytes[..size])?;
    let info = TlsArea {
        base: u64::from_ne_bytes(bytes[0..8].try_into().unwrap_or_default()),
        size: i64::from_ne_bytes(bytes[8..16].try_into().unwrap_or_default()),
    };
    if info.size < -1 {
        return Err(EINVAL);
    }
    // The CPU refuses a non-canonical base (#GP in godfly's own `wrfsbase`
    // on the way back to the guest; found by the guest-side fuzz).
    if !is_canonical(info.base) {
        return Err(EINVAL);
    }
    if which == d::TLS_WHICH_FS {
        ctx.lwp.set_guest_fs(info.base);
    } else if !crate::stubs::active() {
        crate::host::set_gs_base(info.base)?;
    }
    // With the fast path on, %gs belongs to godfly: the guest's %gs base
    // is recorded (get_tls_area returns it) but not loaded.
    ctx.lwp.tls[which as usize] = info;
    ok_int(0)
}

/// Whether `addr` is a canonical x86-64 address (bits 63..47 all equal).
pub fn is_canonical(addr: u64) -> bool {
    let top = (addr as i64) >> 47;
    top == 0 || top == -1
}

/// `get_tls_area(which, info, infosize)`, DragonFly 473.
pub fn get_tls_area(ctx: &mut Ctx, a: &Args) -> SysResult {
    let which = a.int(0);
    if which != d::TLS_WHICH_FS && which != d::TLS_WHICH_GS {
        return Err(ERANGE);
    }
    let size = a.usize(2).min(std::mem::size_of::<TlsInfo>());
    let t = ctx.lwp.tls[which as usize];
    let info = TlsInfo { base: t.base, size: t.size };
    let bytes = zerocopy::IntoBytes::as_bytes(&info);
    mem::write_bytes(a.ptr(1), &bytes[..size])?;
    ok_int(0)
}

/// `lwp_kill(pid, tid, sig)`, DragonFly 497: a signal to one thread.
pub fn lwp_kill(_: &mut Ctx, a: &Args) -> SysResult {
    let (pid, tid, sig) = (a.int(0), a.int(1), a.int(2));
    if tid == -1 || sig < 0 || sig > crate::signal::max_sig() as i32 {
        return Err(EINVAL);
    }
    if pid != -1 && pid != crate::host::proc::getpid() {
        // Threads of other processes are not visible to godfly.
        crate::host::proc::kill(pid, 0)?;
        return Err(ESRCH);
    }
    let target = thread::lookup(tid).ok_or(ESRCH)?;
    if sig != 0 {
        crate::signal::post_thread(tid, &target, sig as u32, crate::signal::self_info());
    }
    ok_int(0)
}

/// `lwp_setname(tid, name)`, DragonFly 542: the thread's title, cut at
/// 1023 bytes (not an error), NULL for none; ESRCH for no such LWP of
/// this process. The host thread's name (what `ps -L` shows, 15 bytes)
/// follows it.
pub fn lwp_setname(_: &mut Ctx, a: &Args) -> SysResult {
    let room = godfly_abi::dragonfly::misc::MAXTHREADTITLE - 1;
    let title = match a.ptr(1) {
        0 => Vec::new(),
        p => match mem::read_cstr(p, room) {
            Ok(s) => s.into_bytes(),
            Err(crate::host::errno::ENAMETOOLONG) => mem::read_bytes(p, room)?,
            Err(e) => return Err(e),
        },
    };
    let tid = a.int(0);
    if !thread::set_title(tid, &title) {
        return Err(ESRCH);
    }
    // A thread still starting names itself (`spawn::adopt`).
    if let Some(info) = thread::lookup(tid).filter(|i| i.host_tid != 0) {
        let comm = &title[..title.len().min(15)];
        let _ = std::fs::write(format!("/proc/self/task/{}/comm", info.host_tid), comm);
    }
    ok_int(0)
}

/// `lwp_getname(tid, name, len)`, DragonFly 549: the title, cut to fit
/// `len` with its NUL. For no such LWP DragonFly copies out an empty
/// string and, when that copy succeeds, returns 0: the ESRCH is kept only
/// when `len` is 0 (`kern_prot.c`).
pub fn lwp_getname(_: &mut Ctx, a: &Args) -> SysResult {
    let (buf, len) = (a.ptr(1), a.usize(2));
    let room = godfly_abi::dragonfly::misc::MAXTHREADTITLE - 1;
    let found = thread::lookup(a.int(0));
    let mut out: Vec<u8> = match &found {
        Some(info) => {
            let t = info.title.as_deref().unwrap_or(&[]);
            let end = t.iter().position(|&b| b == 0).unwrap_or(t.len());
            t[..end.min(room).min(len.saturating_sub(1))].to_vec()
        }
        None => Vec::new(),
    };
    if len == 0 {
        return if found.is_some() { ok_int(0) } else { Err(ESRCH) };
    }
    out.push(0);
    mem::write_bytes(buf, &out)?;
    ok_int(0)
}

/// `cpumask_t`: 256 CPUs in four words.
type CpuMask = [u64; 4];

/// The host threads an affinity call names: `pid` 0 or this process's
/// own (threads of other processes are not addressable: ESRCH), `tid` < 0
/// every LWP (`all`) or the first, else that LWP (ESRCH).
fn affinity_targets(pid: i32, tid: i32, all: bool) -> Result<Vec<i32>, crate::host::Errno> {
    if pid < 0 {
        return Err(EINVAL);
    }
    if pid != 0 && pid != crate::host::proc::getpid() {
        crate::host::proc::kill(pid, 0)?;
        return Err(ESRCH);
    }
    if tid >= 0 {
        return Ok(vec![thread::lookup_started(tid).ok_or(ESRCH)?.host_tid]);
    }
    let mut lwps = thread::all_started();
    lwps.sort_unstable_by_key(|l| l.0);
    let hosts: Vec<i32> = lwps.into_iter().map(|l| l.1.host_tid).collect();
    Ok(if all { hosts } else { hosts.into_iter().take(1).collect() })
}

/// `lwp_setaffinity(pid, tid, mask)`, DragonFly 544: another process's
/// threads need privilege (EPERM, checked first); the mask is cut to the
/// CPUs there are, and none is EPERM.
pub fn lwp_setaffinity(_: &mut Ctx, a: &Args) -> SysResult {
    let (pid, tid) = (a.int(0), a.int(1));
    if pid != 0 && crate::host::proc::geteuid() != 0 {
        return Err(crate::host::errno::EPERM);
    }
    let mask: CpuMask = mem::read(a.ptr(2))?;
    if mask == [0; 4] {
        return Err(crate::host::errno::EPERM);
    }
    let mut last = Ok(());
    for host in affinity_targets(pid, tid, true)? {
        // Linux keeps the CPUs it has; none of them is EINVAL there.
        last = crate::host::proc::sched_setaffinity(host, &mask)
            .map_err(|e| if e == EINVAL { crate::host::errno::EPERM } else { e });
    }
    last?;
    ok_int(0)
}

/// `lwp_getaffinity(pid, tid, mask)`, DragonFly 545: the first 256 CPUs.
pub fn lwp_getaffinity(_: &mut Ctx, a: &Args) -> SysResult {
    let host = *affinity_targets(a.int(0), a.int(1), false)?.first().ok_or(ESRCH)?;
    let m = crate::host::proc::sched_getaffinity(host)?;
    let mask: CpuMask = [m[0], m[1], m[2], m[3]];
    mem::write(a.ptr(2), &mask)?;
    ok_int(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_canonical_addresses_can_be_tls_bases() {
        assert!(is_canonical(0));
        assert!(is_canonical(0x7fff_ffff_ffff));
        assert!(is_canonical(0xffff_8000_0000_0000));
        assert!(!is_canonical(0x0000_8000_0000_0000));
        assert!(!is_canonical(0xabaa_8b47_693d_3ba4));
    }
}
