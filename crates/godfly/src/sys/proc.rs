//! Processes: `fork`, `vfork`, `execve`, `wait4`, `wait6`, `exit`; identity
//! (`getpid`, `getppid`, the uid/gid calls, `setsid`, `setpgid`,
//! `getpgrp`, `getpgid`, `getsid`, `getgroups`, `setgroups`, `issetugid`,
//! `chroot`) and limits (`getrlimit`, `setrlimit`, `getrusage`).

use godfly_abi::bsd::{Rlimit, Rusage};
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;

use crate::call::{Args, Ret, SysResult, ok, ok_int};
use crate::host::Errno;
use crate::host::errno::{E2BIG, EFAULT, EINVAL, ENAMETOOLONG, EPERM};
use crate::host::proc::{self as hproc, SetId};
use crate::mem;
use crate::personality;
use crate::thread::Ctx;

/// Ends the whole guest process with `status` (every thread at once).
pub fn exit_process(status: i32) -> ! {
    crate::trace::process_exit(status & 0xff);
    crate::debug::exiting(crate::debug::Exit::Code(status));
    hproc::exit_group(status)
}

/// Ends the calling LWP, or the process with `status` if it is the last.
pub fn exit_lwp(ctx: &mut Ctx, status: i32) -> ! {
    if crate::thread::unregister(ctx.lwp.tid) {
        exit_process(status);
    }
    crate::thread::spawn::leave(ctx.lwp)
}

/// exit(2): ends every thread of the process.
pub fn exit(_: &mut Ctx, a: &Args) -> SysResult {
    exit_process(a.int(0))
}

/// getpid(2).
pub fn getpid(_: &mut Ctx, _: &Args) -> SysResult {
    ok_int(hproc::getpid())
}

/// getppid(2).
pub fn getppid(_: &mut Ctx, _: &Args) -> SysResult {
    ok_int(hproc::getppid())
}

/// getuid(2).
pub fn getuid(_: &mut Ctx, _: &Args) -> SysResult {
    ok_int(hproc::getuid() as i32)
}

/// geteuid(2).
pub fn geteuid(_: &mut Ctx, _: &Args) -> SysResult {
    ok_int(hproc::geteuid() as i32)
}

/// getgid(2).
pub fn getgid(_: &mut Ctx, _: &Args) -> SysResult {
    ok_int(hproc::getgid() as i32)
}

/// getegid(2).
pub fn getegid(_: &mut Ctx, _: &Args) -> SysResult {
    ok_int(hproc::getegid() as i32)
}

/// getpgrp(2).
pub fn getpgrp(_: &mut Ctx, _: &Args) -> SysResult {
    ok_int(hproc::getpgrp())
}

/// getpgid(2).
pub fn getpgid(_: &mut Ctx, a: &Args) -> SysResult {
    ok_int(hproc::getpgid(a.int(0))?)
}

/// getsid(2).
pub fn getsid(_: &mut Ctx, a: &Args) -> SysResult {
    ok_int(hproc::getsid(a.int(0))?)
}

/// Most supplementary groups godfly reads from the host (Linux's
/// NGROUPS_MAX).
const HOST_GROUPS_MAX: usize = 65536;

/// The BSD group list from Linux's ids: the effective gid first (BSD keeps
/// it as element 0 of the list), then the supplementary groups without
/// that one occurrence of it.
pub fn bsd_groups(egid: u32, supplementary: &[u32]) -> Vec<u32> {
    let mut out = vec![egid];
    let mut skipped = false;
    for &g in supplementary {
        if g == egid && !skipped {
            skipped = true;
        } else {
            out.push(g);
        }
    }
    out
}

/// getgroups(2): `gid_t` is 32-bit everywhere. The list starts with the
/// effective gid, as on the BSDs; with room 0, the count.
pub fn getgroups(_: &mut Ctx, a: &Args) -> SysResult {
    let room = a.uint(0) as usize;
    let groups = bsd_groups(hproc::getres(true)?[1], &hproc::getgroups(HOST_GROUPS_MAX)?);
    if room == 0 {
        return ok(groups.len() as u64);
    }
    if room < groups.len() {
        return Err(EINVAL);
    }
    mem::write_bytes(a.ptr(1), zerocopy::IntoBytes::as_bytes(groups.as_slice()))?;
    ok(groups.len() as u64)
}

/// issetugid(2), DragonFly 253: 1 only if the process changed identity at
/// exec; godfly runs programs as the invoking user, so this follows the
/// host's own answer (glibc's AT_SECURE).
pub fn issetugid(_: &mut Ctx, _: &Args) -> SysResult {
    ok_int(i32::from(crate::host::is_secure_exec()))
}

/// getrlimit(2).
pub fn getrlimit(_: &mut Ctx, a: &Args) -> SysResult {
    let pr = &personality::current().procs;
    let res = (pr.rlimit)(a.uint(0)).ok_or(EINVAL)?;
    let rl = hproc::getrlimit(res)?;
    let out = Rlimit { rlim_cur: (pr.rlim_from_host)(rl.rlim_cur), rlim_max: (pr.rlim_from_host)(rl.rlim_max) };
    mem::write(a.ptr(1), &out)?;
    ok(0u64)
}

/// setrlimit(2).
pub fn setrlimit(_: &mut Ctx, a: &Args) -> SysResult {
    let pr = &personality::current().procs;
    let res = (pr.rlimit)(a.uint(0)).ok_or(EINVAL)?;
    let rl: Rlimit = mem::read(a.ptr(1))?;
    let lrl = libc::rlimit { rlim_cur: (pr.rlim_to_host)(rl.rlim_cur), rlim_max: (pr.rlim_to_host)(rl.rlim_max) };
    hproc::setrlimit(res, &lrl)?;
    ok(0u64)
}

/// getrusage(2): RUSAGE_SELF 0 and RUSAGE_CHILDREN -1 match Linux, and
/// so does the 144-byte layout.
pub fn getrusage(_: &mut Ctx, a: &Args) -> SysResult {
    let who = a.int(0);
    if who != 0 && who != -1 {
        return Err(EINVAL);
    }
    let mut ru = Rusage::default();
    hproc::getrusage(who, &mut ru)?;
    mem::write(a.ptr(1), &ru)?;
    ok(0u64)
}

/// fork(2), DragonFly 2: the parent gets (pid, 0) in `rax`/`rdx`, the
/// child (0, 1). godfly's global locks are held across the host fork so the
/// child finds them free; the child keeps only the calling LWP, with its
/// id, loses the parent's kqueues (as on BSD) and re-arms dispatch.
pub fn fork(ctx: &mut Ctx, _: &Args) -> SysResult {
    // Every global lock of godfly (`crate::sync`) is held across the host
    // fork, so the child finds each one free and consistent.
    carry_process_flags_to_this_thread();
    let held = crate::sync::hold_all_for_fork();
    let stderr = std::io::stderr().lock();
    let mut process_pending = crate::thread::PROCESS_PENDING.lock_for_fork();
    let own_pending_set = ctx.lwp.pending.clone();
    let mut own_pending = own_pending_set.lock_for_fork();
    let r = hproc::fork();
    if r == Ok(0) {
        crate::thread::PROCESS_PENDING.clear_after_fork(&mut process_pending);
        own_pending_set.clear_after_fork(&mut own_pending);
    }
    drop((own_pending, process_pending, stderr, held));
    if r == Ok(0) {
        ctx.lwp.host_tid = crate::thread::gettid();
        let info = crate::thread::LwpInfo {
            host_tid: ctx.lwp.host_tid,
            pending: own_pending_set.clone(),
            execing: false,
            title: None,
            slot: ctx.lwp.slot.clone(),
        };
        crate::thread::reset_after_fork(ctx.lwp.tid, info);
        super::kqueue::reset_after_fork();
        crate::host::out::close_internal_after_fork();
        super::rtsock::after_fork();
        crate::debug::after_fork_child();
    }
    match r? {
        0 => {
            if let Err(e) = crate::thread::spawn::rearm_dispatch(ctx.lwp) {
                crate::diag!("godfly: cannot arm system-call dispatch in the forked child: {e}");
                hproc::exit_group(127);
            }
            Ok(Ret::Two(0, 1))
        }
        pid => Ok(Ret::Two(u64::from(pid as u32), 0)),
    }
}

/// vfork(2): a full fork. A correct vfork child only calls
/// `execve` or `_exit`, for which copying the address space is equivalent.
pub fn vfork(ctx: &mut Ctx, a: &Args) -> SysResult {
    fork(ctx, a)
}

/// Reads a NULL-terminated array of C strings (argv, envp) into the
/// `space` left of ARG_MAX, counted as DragonFly counts it: the strings
/// with their NULs, not the pointers (so never more than ARG_MAX entries),
/// argv and envp sharing it. E2BIG when it runs out.
fn read_string_array(addr: u64, space: &mut usize) -> Result<Vec<CString>, Errno> {
    let mut out = Vec::new();
    if addr == 0 {
        return Ok(out);
    }
    for i in 0u64.. {
        let p: u64 = mem::read(addr.wrapping_add(i.wrapping_mul(8)))?;
        if p == 0 {
            break;
        }
        let s = mem::read_cstr(p, *space).map_err(|e| if e == ENAMETOOLONG { E2BIG } else { e })?;
        *space = space.checked_sub(s.as_bytes().len() + 1).ok_or(E2BIG)?;
        out.push(s);
    }
    Ok(out)
}

fn cstring(bytes: Vec<u8>) -> Result<CString, Errno> {
    CString::new(bytes).map_err(|_| EINVAL)
}

/// execve(2). A guest program (one a personality's brand rule claims)
/// runs under godfly again (godfly execs itself with `run --argv0`); a
/// Linux program or a `#!` script runs natively. The guest's signal mask
/// crosses as the host mask, ignored signals as host SIG_IGN (SIGCHLD
/// back at its default, as DragonFly's exec does); descriptors cross
/// unchanged.
pub fn execve(ctx: &mut Ctx, a: &Args) -> SysResult {
    let path = mem::read_path(a.ptr(0))?;
    // The BSDs refuse a NULL argv outright (a NULL envp is an empty one).
    if a.ptr(1) == 0 {
        return Err(EFAULT);
    }
    let mut space = personality::current().image.arg_max;
    let argv = read_string_array(a.ptr(1), &mut space)?;
    let envp = read_string_array(a.ptr(2), &mut space)?;
    let mut envp = envp;
    let facts = crate::process::get();
    let is_guest = (facts.is_guest_program)(std::path::Path::new(std::ffi::OsStr::from_bytes(path.to_bytes())));
    let (exe, args) = if is_guest {
        envp.push(cstring(crate::env::entry(crate::env::CLI, b"1"))?);
        if let Some(t) = crate::trace::child_env() {
            envp.push(cstring(t.into_bytes())?);
        }
        if crate::stubs::disabled() {
            envp.push(cstring(crate::env::entry(crate::env::NO_FAST_PATH, b"1"))?);
        }
        if let Some(prefix) = mem::prefix() {
            envp.push(cstring(crate::env::entry(crate::env::PREFIX, prefix))?);
        }
        if let Some(login) = crate::sys::login::child_env() {
            envp.push(cstring(login)?);
        }
        let godfly = CString::new(facts.godfly_exe.as_bytes()).map_err(|_| EINVAL)?;
        let mut args = vec![godfly.clone(), CString::from(c"run"), CString::from(c"--argv0")];
        args.push(argv.first().cloned().unwrap_or_else(|| path.clone()));
        args.push(CString::from(c"--"));
        args.push(path.clone());
        args.extend(argv.iter().skip(1).cloned());
        (godfly, args)
    } else {
        // A host program: preload the exec shim so that its own execs of
        // guest programs (sh -c ./prog, nohup prog) come back to godfly.
        crate::host::preload::for_host_program(&mut envp, facts.godfly_exe.as_bytes());
        (path.clone(), argv)
    };
    let host_mask: Vec<i32> = (1..=crate::signal::max_sig())
        .filter(|&s| crate::signal::sigismember(&ctx.lwp.sigmask, s))
        .filter_map(crate::signal::to_host)
        .collect();
    carry_process_flags_to_this_thread();
    crate::thread::spawn::disarm_dispatch();
    if ctx.lwp.traceme {
        // Deferred PT_TRACE_ME: from here on no call of this process traps.
        if let Err(e) = hproc::ptrace(hproc::Ptrace::TraceMe) {
            rearm_after_failed_exec(ctx);
            return Err(e);
        }
        ctx.lwp.traceme = false;
    }
    // The new program gets the guest's mask and nothing of godfly's: no
    // carrier may reach this thread from here on (one arriving as the new
    // image starts would kill it), and those already sent are dropped.
    crate::thread::set_execing(ctx.lwp.tid, true);
    crate::host::sig::set_blocked(&[crate::signal::CARRIER]);
    crate::host::sig::drain(crate::signal::CARRIER);
    crate::signal::before_exec();
    crate::host::sig::set_blocked(&host_mask);
    let err = hproc::execve(&exe, &args, &envp);
    crate::thread::spawn::unblock_host_signals();
    crate::signal::after_failed_exec();
    crate::thread::set_execing(ctx.lwp.tid, false);
    rearm_after_failed_exec(ctx);
    Err(err)
}

fn rearm_after_failed_exec(ctx: &mut Ctx) {
    if let Err(e) = crate::thread::spawn::rearm_dispatch(ctx.lwp) {
        crate::diag!("godfly: cannot re-arm system-call dispatch after a failed execve: {e}");
        hproc::exit_group(127);
    }
}

fn write_rusage(addr: u64, ru: &Rusage) -> Result<(), Errno> {
    if addr != 0 { mem::write(addr, ru) } else { Ok(()) }
}

/// `wait4(pid, status, options, rusage)`.
pub fn wait4(_: &mut Ctx, a: &Args) -> SysResult {
    let pr = &personality::current().procs;
    let opts = (pr.wait4_options)(a.int(2)).ok_or(EINVAL)?;
    let mut ru = Rusage::default();
    let (pid, st) = hproc::wait4(a.int(0), opts, &mut ru)?;
    if pid != 0 {
        if a.ptr(1) != 0 {
            mem::write(a.ptr(1), &(pr.wait_status)(st))?;
        }
        write_rusage(a.ptr(3), &ru)?;
    }
    ok_int(pid)
}

/// `wait6(idtype, id, status, options, wrusage, info)`, on Linux `waitid`.
pub fn wait6(_: &mut Ctx, a: &Args) -> SysResult {
    let p = personality::current();
    let pr = &p.procs;
    let idtype = (pr.idtype)(a.int(0)).ok_or(EINVAL)?;
    let id = a.i64(1);
    let opts = (pr.wait6_options)(a.int(3)).ok_or(EINVAL)?;
    let mut ru = Rusage::default();
    let w = hproc::waitid(idtype, id as u64, opts, Some(&mut ru))?;
    if w.pid == 0 {
        return ok_int(0); // WNOHANG and nothing to report
    }
    if a.ptr(2) != 0 {
        mem::write(a.ptr(2), &(pr.wait_status_siginfo)(w.code, w.status))?;
    }
    if a.ptr(4) != 0 {
        // struct __wrusage: the child's own usage, then its children's.
        mem::write(a.ptr(4), &[ru, Rusage::default()])?;
    }
    if a.ptr(5) != 0 {
        let status = match w.code {
            libc::CLD_EXITED => w.status,
            _ => crate::signal::from_host(w.status).map_or(w.status, |s| s as i32),
        };
        let si = godfly_abi::bsd::Siginfo {
            si_signo: p.signals.num.chld as i32,
            si_code: w.code,
            si_pid: w.pid,
            si_uid: w.uid,
            si_status: status,
            ..Default::default()
        };
        mem::write(a.ptr(5), &si)?;
    }
    ok_int(w.pid)
}

/// setsid(2).
pub fn setsid(_: &mut Ctx, _: &Args) -> SysResult {
    ok_int(hproc::setsid()?)
}

/// setpgid(2).
pub fn setpgid(_: &mut Ctx, a: &Args) -> SysResult {
    hproc::setpgid(a.int(0), a.int(1))?;
    ok_int(0)
}

/// Unchanged, for the set*id calls.
const SAME: u32 = u32::MAX;

fn set_ids(which: SetId, ids: [u32; 3]) -> SysResult {
    hproc::setid(which, ids)?;
    ok_int(0)
}

/// setuid(2).
pub fn setuid(_: &mut Ctx, a: &Args) -> SysResult {
    set_ids(SetId::Uid, [a.uint(0), SAME, SAME])
}

/// seteuid(2): setresuid(-1, euid, -1).
pub fn seteuid(_: &mut Ctx, a: &Args) -> SysResult {
    set_ids(SetId::Resuid, [SAME, a.uint(0), SAME])
}

/// setgid(2).
pub fn setgid(_: &mut Ctx, a: &Args) -> SysResult {
    set_ids(SetId::Gid, [a.uint(0), SAME, SAME])
}

/// setegid(2): setresgid(-1, egid, -1).
pub fn setegid(_: &mut Ctx, a: &Args) -> SysResult {
    set_ids(SetId::Resgid, [SAME, a.uint(0), SAME])
}

/// setreuid(2).
pub fn setreuid(_: &mut Ctx, a: &Args) -> SysResult {
    set_ids(SetId::Reuid, [a.uint(0), a.uint(1), SAME])
}

/// setregid(2).
pub fn setregid(_: &mut Ctx, a: &Args) -> SysResult {
    set_ids(SetId::Regid, [a.uint(0), a.uint(1), SAME])
}

/// setresuid(2).
pub fn setresuid(_: &mut Ctx, a: &Args) -> SysResult {
    set_ids(SetId::Resuid, [a.uint(0), a.uint(1), a.uint(2)])
}

/// setresgid(2).
pub fn setresgid(_: &mut Ctx, a: &Args) -> SysResult {
    set_ids(SetId::Resgid, [a.uint(0), a.uint(1), a.uint(2)])
}

fn get_res_ids(gid: bool, a: &Args) -> SysResult {
    let ids = hproc::getres(gid)?;
    for (i, id) in ids.iter().enumerate() {
        if a.ptr(i) != 0 {
            mem::write(a.ptr(i), id)?;
        }
    }
    ok_int(0)
}

/// getresuid(2).
pub fn getresuid(_: &mut Ctx, a: &Args) -> SysResult {
    get_res_ids(false, a)
}

/// getresgid(2).
pub fn getresgid(_: &mut Ctx, a: &Args) -> SysResult {
    get_res_ids(true, a)
}

/// setgroups(2) the BSD way: only a privileged process may (EPERM first),
/// at most NGROUPS entries (EINVAL), and element 0 becomes the effective
/// gid, the rest the supplementary groups; an empty list keeps the
/// effective gid alone.
pub fn setgroups(_: &mut Ctx, a: &Args) -> SysResult {
    if hproc::geteuid() != 0 {
        return Err(EPERM);
    }
    let n = a.uint(0) as usize;
    if n > personality::current().limits.ngroups {
        return Err(EINVAL);
    }
    let groups: Vec<u32> = mem::read_vec(a.ptr(1), n)?;
    match groups.split_first() {
        None => hproc::setgroups(&[])?,
        Some((&egid, rest)) => {
            hproc::setgroups(rest)?;
            hproc::setid(SetId::Resgid, [SAME, egid, SAME])?;
        }
    }
    ok_int(0)
}

/// chroot(2) (for a user the host lets chroot).
pub fn chroot(_: &mut Ctx, a: &Args) -> SysResult {
    let p = mem::read_path(a.ptr(0))?;
    crate::host::fs::chroot(&p)?;
    ok_int(0)
}

/// `ptrace(req, pid, addr, data)`, DragonFly 26, for process control only:
/// PT_TRACE_ME (0), PT_CONTINUE (7), PT_KILL (8), PT_ATTACH (10) and
/// PT_DETACH (11). Reading or writing a tracee's memory and registers is
/// refused (EINVAL): a DragonFly tracee is godfly underneath, whose
/// registers are not the guest's.
pub fn ptrace(ctx: &mut Ctx, a: &Args) -> SysResult {
    const PT_TRACE_ME: i32 = 0;
    const PT_CONTINUE: i32 = 7;
    const PT_KILL: i32 = 8;
    const PT_ATTACH: i32 = 10;
    const PT_DETACH: i32 = 11;
    let (req, pid, data) = (a.int(0), a.int(1), a.int(3));
    let sig = || if data == 0 { Ok(0) } else { crate::signal::to_host(data as u32).ok_or(EINVAL) };
    let r = match req {
        PT_TRACE_ME => {
            ctx.lwp.traceme = true;
            return ok_int(0);
        }
        PT_CONTINUE => hproc::Ptrace::Cont(pid, sig()?),
        PT_KILL => hproc::Ptrace::Kill(pid),
        PT_ATTACH => hproc::Ptrace::Attach(pid),
        PT_DETACH => hproc::Ptrace::Detach(pid, sig()?),
        _ => return Err(EINVAL),
    };
    hproc::ptrace(r)?;
    ok_int(0)
}

/// The parent-death signal as a BSD keeps it, per process: Linux keeps it
/// per thread (a new thread starts without one, and reading it on another
/// thread gives 0), so godfly records the host signal with the pid it
/// belongs to. A forked child has another pid and so none, as on both
/// systems; after exec, start-up reads what the first thread kept. Linux
/// still sends it when the parent's forking thread ends, and only the
/// thread that set it carries it (until it forks or execs, when godfly
/// puts it on that thread): a signal set on one thread and cleared on
/// another stays armed on the first.
static PDEATHSIG: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn pack_pdeathsig(pid: i32, host: i32) -> u64 {
    (u64::from(pid as u32) << 32) | u64::from(host as u32)
}

/// The host signal recorded for `pid` in `packed` (0 when it is another
/// process's record).
fn unpack_pdeathsig(packed: u64, pid: i32) -> i32 {
    if (packed >> 32) as u32 == pid as u32 { packed as u32 as i32 } else { 0 }
}

/// no_new_privs, which a BSD keeps per process and children inherit;
/// Linux keeps it per thread, so godfly records it and sets it again on
/// the thread that forks or execs.
static NO_NEW_PRIVS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Records the parent-death signal and no_new_privs the process started
/// with; called by start-up on the first thread (the one that exec'd),
/// before the guest runs.
pub fn note_process_flags_at_start() {
    let host = hproc::pdeathsig().unwrap_or(0);
    PDEATHSIG.store(pack_pdeathsig(hproc::getpid(), host), std::sync::atomic::Ordering::Relaxed);
    NO_NEW_PRIVS.store(hproc::no_new_privs().unwrap_or(false), std::sync::atomic::Ordering::Relaxed);
}

/// Sets no_new_privs for the process (it cannot be cleared).
pub fn set_no_new_privs() -> Result<(), Errno> {
    hproc::set_no_new_privs()?;
    NO_NEW_PRIVS.store(true, std::sync::atomic::Ordering::Relaxed);
    Ok(())
}

/// Whether the process has no_new_privs.
pub fn no_new_privs() -> bool {
    NO_NEW_PRIVS.load(std::sync::atomic::Ordering::Relaxed) || hproc::no_new_privs().unwrap_or(false)
}

/// Puts the process-wide flags on the calling thread before it forks or
/// execs: Linux passes the forking or exec'ing thread's own.
fn carry_process_flags_to_this_thread() {
    if NO_NEW_PRIVS.load(std::sync::atomic::Ordering::Relaxed) {
        let _ = hproc::set_no_new_privs();
    }
    let sig = pdeathsig();
    if sig != 0 {
        let _ = hproc::set_pdeathsig(sig);
    }
}

/// Sets the process's parent-death signal (a host signal, 0 for none).
pub fn set_pdeathsig(host: i32) -> Result<(), Errno> {
    hproc::set_pdeathsig(host)?;
    PDEATHSIG.store(pack_pdeathsig(hproc::getpid(), host), std::sync::atomic::Ordering::Relaxed);
    Ok(())
}

/// The process's parent-death signal (a host signal, 0 for none).
pub fn pdeathsig() -> i32 {
    unpack_pdeathsig(PDEATHSIG.load(std::sync::atomic::Ordering::Relaxed), hproc::getpid())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parent_death_signal_belongs_to_the_pid_that_set_it() {
        let p = pack_pdeathsig(4242, 10);
        assert_eq!(unpack_pdeathsig(p, 4242), 10);
        assert_eq!(unpack_pdeathsig(p, 4243), 0, "a forked child has none");
        assert_eq!(unpack_pdeathsig(0, 0), 0);
    }

    #[test]
    fn the_bsd_group_list_starts_with_the_effective_gid() {
        assert_eq!(bsd_groups(5, &[]), vec![5]);
        assert_eq!(bsd_groups(5, &[1, 5, 7]), vec![5, 1, 7]);
        assert_eq!(bsd_groups(5, &[5, 5]), vec![5, 5]);
        assert_eq!(bsd_groups(0, &[3]), vec![0, 3]);
    }
}
