//! Processes: `fork`, `vfork`, `execve`, `wait4`, `wait6`, `exit`; identity
//! (`getpid`, `getppid`, the uid/gid calls, `setsid`, `setpgid`,
//! `getpgrp`, `getpgid`, `getsid`, `getgroups`, `setgroups`, `issetugid`,
//! `chroot`) and limits (`getrlimit`, `setrlimit`, `getrusage`).

use godfly_abi::errno::{E2BIG, EINVAL, ENAMETOOLONG, Errno};
use godfly_abi::layout::{Rlimit, Rusage};
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;

use crate::dispatch::{Args, Ctx, Ret, SysResult, ok, ok_int};
use crate::host;
use crate::mem;
use crate::xlat::{resource, wait};

/// exit(2), DragonFly 1: ends every thread of the process.
pub fn exit(_: &mut Ctx, a: &Args) -> SysResult {
    crate::proc_exit(a.int(0))
}

fn id(nr: i64) -> SysResult {
    ok_int(host::sys(nr, &[])? as i32)
}

/// getpid(2), DragonFly 20.
pub fn getpid(_: &mut Ctx, _: &Args) -> SysResult {
    id(libc::SYS_getpid)
}

/// getppid(2), DragonFly 39.
pub fn getppid(_: &mut Ctx, _: &Args) -> SysResult {
    id(libc::SYS_getppid)
}

/// getuid(2), DragonFly 24.
pub fn getuid(_: &mut Ctx, _: &Args) -> SysResult {
    id(libc::SYS_getuid)
}

/// geteuid(2), DragonFly 25.
pub fn geteuid(_: &mut Ctx, _: &Args) -> SysResult {
    id(libc::SYS_geteuid)
}

/// getgid(2), DragonFly 47.
pub fn getgid(_: &mut Ctx, _: &Args) -> SysResult {
    id(libc::SYS_getgid)
}

/// getegid(2), DragonFly 43.
pub fn getegid(_: &mut Ctx, _: &Args) -> SysResult {
    id(libc::SYS_getegid)
}

/// getpgrp(2), DragonFly 81.
pub fn getpgrp(_: &mut Ctx, _: &Args) -> SysResult {
    id(libc::SYS_getpgrp)
}

/// getpgid(2), DragonFly 207.
pub fn getpgid(_: &mut Ctx, a: &Args) -> SysResult {
    ok_int(host::sys(libc::SYS_getpgid, &[a.int(0) as u64])? as i32)
}

/// getsid(2), DragonFly 310.
pub fn getsid(_: &mut Ctx, a: &Args) -> SysResult {
    ok_int(host::sys(libc::SYS_getsid, &[a.int(0) as u64])? as i32)
}

/// getgroups(2), DragonFly 79: `gid_t` is 32-bit on both systems.
pub fn getgroups(_: &mut Ctx, a: &Args) -> SysResult {
    ok(host::sys(libc::SYS_getgroups, &[u64::from(a.uint(0)), a.ptr(1)])?)
}

/// issetugid(2), DragonFly 253: 1 only if the process changed identity at
/// exec; godfly runs programs as the invoking user, so this follows the
/// host's own answer (glibc's AT_SECURE).
pub fn issetugid(_: &mut Ctx, _: &Args) -> SysResult {
    ok_int(i32::from(host::is_secure_exec()))
}

/// getrlimit(2), DragonFly 194.
pub fn getrlimit(_: &mut Ctx, a: &Args) -> SysResult {
    let res = resource::to_linux(a.uint(0)).ok_or(EINVAL)?;
    let mut rl = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    host::sys(libc::SYS_getrlimit, &[u64::from(res), host::bptr_mut(&mut rl)])?;
    let out =
        Rlimit { rlim_cur: resource::value_from_linux(rl.rlim_cur), rlim_max: resource::value_from_linux(rl.rlim_max) };
    mem::write(a.ptr(1), &out)?;
    ok(0u64)
}

/// setrlimit(2), DragonFly 195.
pub fn setrlimit(_: &mut Ctx, a: &Args) -> SysResult {
    let res = resource::to_linux(a.uint(0)).ok_or(EINVAL)?;
    let rl: Rlimit = mem::read(a.ptr(1))?;
    let lrl = libc::rlimit {
        rlim_cur: resource::value_to_linux(rl.rlim_cur),
        rlim_max: resource::value_to_linux(rl.rlim_max),
    };
    ok(host::sys(libc::SYS_setrlimit, &[u64::from(res), host::bptr(&lrl)])?)
}

/// getrusage(2), DragonFly 117: RUSAGE_SELF 0 and RUSAGE_CHILDREN -1 match
/// Linux, and so does the 144-byte layout.
pub fn getrusage(_: &mut Ctx, a: &Args) -> SysResult {
    let who = a.int(0);
    if who != 0 && who != -1 {
        return Err(EINVAL);
    }
    let mut ru = Rusage::default();
    host::sys(libc::SYS_getrusage, &[who as u64, host::bptr_mut(&mut ru)])?;
    mem::write(a.ptr(1), &ru)?;
    ok(0u64)
}

/// fork(2), DragonFly 2: the parent gets (pid, 0) in `rax`/`rdx`, the
/// child (0, 1). godfly's global locks are held across the host fork so the
/// child finds them free; the child keeps only the calling LWP, with its
/// id, loses the parent's kqueues (as on BSD) and re-arms dispatch.
pub fn fork(ctx: &mut Ctx, _: &Args) -> SysResult {
    let stderr = std::io::stderr().lock();
    let actions = crate::signal::lock_actions_for_fork();
    let mut process_pending = crate::signal::PROCESS_PENDING.lock_for_fork();
    let own_pending_set = ctx.lwp.pending.clone();
    let mut own_pending = own_pending_set.lock_for_fork();
    let mut lwps = crate::thread::lock_for_fork();
    let mut kqueues = super::kqueue::lock_for_fork();
    let mut internal = host::lock_internal_fds_for_fork();
    let guest_maps = crate::mem::owned::lock_for_fork();
    let r = host::fork();
    if r == Ok(0) {
        ctx.lwp.host_tid = crate::thread::gettid();
        let info = crate::thread::LwpInfo { host_tid: ctx.lwp.host_tid, pending: own_pending_set.clone() };
        crate::thread::reset_after_fork(&mut lwps, ctx.lwp.tid, info);
        crate::signal::PROCESS_PENDING.clear_after_fork(&mut process_pending);
        own_pending_set.clear_after_fork(&mut own_pending);
        super::kqueue::reset_after_fork(&mut kqueues);
        host::close_internal_after_fork(&mut internal);
    }
    drop((guest_maps, internal, kqueues, lwps, own_pending, process_pending, actions, stderr));
    match r? {
        0 => {
            if let Err(e) = crate::thread::spawn::rearm_dispatch(ctx.lwp) {
                crate::diag!("godfly: cannot arm system-call dispatch in the forked child: {e}");
                host::exit_group(127);
            }
            Ok(Ret::Two(0, 1))
        }
        pid => Ok(Ret::Two(u64::from(pid as u32), 0)),
    }
}

/// vfork(2), DragonFly 66: a full fork. A correct vfork child only calls
/// `execve` or `_exit`, for which copying the address space is equivalent.
pub fn vfork(ctx: &mut Ctx, a: &Args) -> SysResult {
    fork(ctx, a)
}

/// Reads a NULL-terminated array of C strings (argv, envp) of at most
/// ARG_MAX bytes in total.
fn read_string_array(addr: u64) -> Result<Vec<CString>, Errno> {
    let mut out = Vec::new();
    if addr == 0 {
        return Ok(out);
    }
    let mut total = 0usize;
    for i in 0.. {
        let p: u64 = mem::read(addr.wrapping_add(8 * i))?;
        if p == 0 {
            break;
        }
        let s = mem::read_cstr(p, super::sysctl::ARG_MAX as usize)
            .map_err(|e| if e == ENAMETOOLONG { E2BIG } else { e })?;
        total += s.as_bytes().len() + 1 + 8;
        if total > super::sysctl::ARG_MAX as usize {
            return Err(E2BIG);
        }
        out.push(s);
    }
    Ok(out)
}

/// Whether `path` names a DragonFly program godfly should run (the rule in
/// `loader::elf`). Anything else is left to the host's `execve`.
fn is_dragonfly_program(path: &std::ffi::CStr) -> bool {
    let p = std::path::Path::new(std::ffi::OsStr::from_bytes(path.to_bytes()));
    let Ok(data) = std::fs::read(p) else { return false };
    crate::loader::elf::inspect(p, &data).is_ok()
}

/// execve(2), DragonFly 59. A DragonFly program runs under godfly again
/// (godfly execs itself with `run --argv0`); a Linux program or a `#!`
/// script runs natively. The guest's signal mask crosses as the host mask,
/// ignored signals as host SIG_IGN; descriptors cross unchanged.
pub fn execve(ctx: &mut Ctx, a: &Args) -> SysResult {
    let path = mem::read_path(a.ptr(0))?;
    // DragonFly refuses a NULL argv outright (a NULL envp is an empty one).
    if a.ptr(1) == 0 {
        return Err(godfly_abi::errno::EFAULT);
    }
    let argv = read_string_array(a.ptr(1))?;
    let envp = read_string_array(a.ptr(2))?;
    let mut envp = envp;
    let (exe, args) = if is_dragonfly_program(&path) {
        envp.push(CString::new(format!("{}=1", crate::cli::CLI_ENV)).map_err(|_| EINVAL)?);
        if let Some(t) = crate::trace::child_env() {
            envp.push(CString::new(t).map_err(|_| EINVAL)?);
        }
        if crate::run::fast_path_disabled() {
            envp.push(CString::new(format!("{}=1", crate::run::NO_FAST_PATH_ENV)).map_err(|_| EINVAL)?);
        }
        if let Some(prefix) = mem::prefix() {
            let mut e = format!("{}=", mem::PREFIX_ENV).into_bytes();
            e.extend_from_slice(prefix);
            envp.push(CString::new(e).map_err(|_| EINVAL)?);
        }
        let godfly = CString::new(crate::process().godfly_exe.as_bytes()).map_err(|_| EINVAL)?;
        let mut args = vec![godfly.clone(), CString::from(c"run"), CString::from(c"--argv0")];
        args.push(argv.first().cloned().unwrap_or_else(|| path.clone()));
        args.push(CString::from(c"--"));
        args.push(path.clone());
        args.extend(argv.iter().skip(1).cloned());
        (godfly, args)
    } else {
        // A host program: preload the exec shim so that its own execs of
        // DragonFly programs (sh -c ./prog, nohup prog) come back to godfly.
        if let Some(shim) = host::preload::path() {
            let key = b"LD_PRELOAD=";
            let old = envp.iter().position(|e| e.as_bytes().starts_with(key));
            let mut value = shim.as_os_str().as_bytes().to_vec();
            if let Some(i) = old {
                let prev = envp.remove(i);
                value.push(b':');
                value.extend_from_slice(&prev.as_bytes()[key.len()..]);
            }
            let mut entry = key.to_vec();
            entry.extend_from_slice(&value);
            envp.push(CString::new(entry).map_err(|_| EINVAL)?);
            envp.retain(|e| !e.as_bytes().starts_with(host::preload::EXE_ENV.as_bytes()));
            let mut exe = format!("{}=", host::preload::EXE_ENV).into_bytes();
            exe.extend_from_slice(crate::process().godfly_exe.as_bytes());
            envp.push(CString::new(exe).map_err(|_| EINVAL)?);
        }
        (path.clone(), argv)
    };
    let mut host_mask: Vec<i32> = (1..=crate::signal::SIG_MAXSIG)
        .filter(|&s| crate::signal::sigismember(&ctx.lwp.sigmask, s))
        .filter_map(crate::xlat::signo::to_linux)
        .collect();
    // A carrier sent to this thread as the exec completes must not kill the
    // new image (its default action terminates): keep it blocked across;
    // godfly and the exec shim drop it and unblock it on the other side.
    host_mask.push(crate::signal::CARRIER);
    crate::thread::spawn::disarm_dispatch();
    if ctx.lwp.traceme {
        // Deferred PT_TRACE_ME: from here on no call of this process traps.
        host::sys(libc::SYS_ptrace, &[libc::PTRACE_TRACEME as u64, 0, 0, 0])?;
        ctx.lwp.traceme = false;
    }
    host::set_blocked_host_signals(&host_mask);
    let err = host::execve(&exe, &args, &envp);
    crate::thread::spawn::unblock_host_signals();
    if let Err(e) = crate::thread::spawn::rearm_dispatch(ctx.lwp) {
        crate::diag!("godfly: cannot re-arm system-call dispatch after a failed execve: {e}");
        host::exit_group(127);
    }
    Err(err)
}

fn write_rusage(addr: u64, ru: &Rusage) -> Result<(), Errno> {
    if addr != 0 { mem::write(addr, ru) } else { Ok(()) }
}

/// `wait4(pid, status, options, rusage)`, DragonFly 7.
pub fn wait4(_: &mut Ctx, a: &Args) -> SysResult {
    let opts = wait::wait4_options_to_linux(a.int(2)).ok_or(EINVAL)?;
    let mut st: i32 = 0;
    let mut ru = Rusage::default();
    let pid =
        host::sys(libc::SYS_wait4, &[a.int(0) as u64, host::bptr_mut(&mut st), opts as u64, host::bptr_mut(&mut ru)])?;
    if pid != 0 {
        if a.ptr(1) != 0 {
            mem::write(a.ptr(1), &wait::status_from_linux(st))?;
        }
        write_rusage(a.ptr(3), &ru)?;
    }
    ok_int(pid as i32)
}

/// `wait6(idtype, id, status, options, wrusage, info)`, DragonFly 548, on
/// Linux `waitid`.
pub fn wait6(_: &mut Ctx, a: &Args) -> SysResult {
    let idtype = wait::idtype_to_linux(a.int(0)).ok_or(EINVAL)?;
    let id = a.i64(1);
    let opts = wait::wait6_options_to_linux(a.int(3)).ok_or(EINVAL)?;
    let mut info = std::mem::MaybeUninit::<libc::siginfo_t>::zeroed();
    let mut ru = Rusage::default();
    host::sys(
        libc::SYS_waitid,
        &[idtype as u64, id as u64, info.as_mut_ptr() as u64, opts as u64, host::bptr_mut(&mut ru)],
    )?;
    let (pid, uid, code, status) = host::waitid_fields(&info);
    if pid == 0 {
        return ok_int(0); // WNOHANG and nothing to report
    }
    if a.ptr(2) != 0 {
        mem::write(a.ptr(2), &wait::status_from_siginfo(code, status))?;
    }
    if a.ptr(4) != 0 {
        // struct __wrusage: the child's own usage, then its children's.
        mem::write(a.ptr(4), &[ru, Rusage::default()])?;
    }
    if a.ptr(5) != 0 {
        let dstatus = match code {
            libc::CLD_EXITED => status,
            _ => crate::xlat::signo::from_linux(status).map_or(status, |s| s as i32),
        };
        let si = godfly_abi::layout::Siginfo {
            si_signo: godfly_abi::signal::SIGCHLD as i32,
            si_code: code,
            si_pid: pid,
            si_uid: uid,
            si_status: dstatus,
            ..Default::default()
        };
        mem::write(a.ptr(5), &si)?;
    }
    ok_int(pid)
}

/// setsid(2), DragonFly 147.
pub fn setsid(_: &mut Ctx, _: &Args) -> SysResult {
    ok_int(host::sys(libc::SYS_setsid, &[])? as i32)
}

/// setpgid(2), DragonFly 82.
pub fn setpgid(_: &mut Ctx, a: &Args) -> SysResult {
    host::sys(libc::SYS_setpgid, &[a.int(0) as u64, a.int(1) as u64])?;
    ok_int(0)
}

fn set_ids(nr: i64, a: &Args, n: usize) -> SysResult {
    let args: Vec<u64> = (0..n).map(|i| u64::from(a.int(i) as u32)).collect();
    host::sys(nr, &args)?;
    ok_int(0)
}

/// setuid(2), DragonFly 23.
pub fn setuid(_: &mut Ctx, a: &Args) -> SysResult {
    set_ids(libc::SYS_setuid, a, 1)
}

/// seteuid(2), DragonFly 183: setresuid(-1, euid, -1).
pub fn seteuid(_: &mut Ctx, a: &Args) -> SysResult {
    host::sys(libc::SYS_setresuid, &[u64::from(u32::MAX), u64::from(a.int(0) as u32), u64::from(u32::MAX)])?;
    ok_int(0)
}

/// setgid(2), DragonFly 181.
pub fn setgid(_: &mut Ctx, a: &Args) -> SysResult {
    set_ids(libc::SYS_setgid, a, 1)
}

/// setegid(2), DragonFly 182.
pub fn setegid(_: &mut Ctx, a: &Args) -> SysResult {
    host::sys(libc::SYS_setresgid, &[u64::from(u32::MAX), u64::from(a.int(0) as u32), u64::from(u32::MAX)])?;
    ok_int(0)
}

/// setreuid(2), DragonFly 126.
pub fn setreuid(_: &mut Ctx, a: &Args) -> SysResult {
    set_ids(libc::SYS_setreuid, a, 2)
}

/// setregid(2), DragonFly 127.
pub fn setregid(_: &mut Ctx, a: &Args) -> SysResult {
    set_ids(libc::SYS_setregid, a, 2)
}

/// setresuid(2), DragonFly 311.
pub fn setresuid(_: &mut Ctx, a: &Args) -> SysResult {
    set_ids(libc::SYS_setresuid, a, 3)
}

/// setresgid(2), DragonFly 312.
pub fn setresgid(_: &mut Ctx, a: &Args) -> SysResult {
    set_ids(libc::SYS_setresgid, a, 3)
}

fn get_res_ids(nr: i64, a: &Args) -> SysResult {
    let mut ids = [0u32; 3];
    host::sys(nr, &[host::bptr_mut(&mut ids[0]), host::bptr_mut(&mut ids[1]), host::bptr_mut(&mut ids[2])])?;
    for (i, id) in ids.iter().enumerate() {
        if a.ptr(i) != 0 {
            mem::write(a.ptr(i), id)?;
        }
    }
    ok_int(0)
}

/// getresuid(2), DragonFly 360.
pub fn getresuid(_: &mut Ctx, a: &Args) -> SysResult {
    get_res_ids(libc::SYS_getresuid, a)
}

/// getresgid(2), DragonFly 361.
pub fn getresgid(_: &mut Ctx, a: &Args) -> SysResult {
    get_res_ids(libc::SYS_getresgid, a)
}

/// setgroups(2), DragonFly 80.
pub fn setgroups(_: &mut Ctx, a: &Args) -> SysResult {
    host::sys(libc::SYS_setgroups, &[u64::from(a.uint(0)), a.ptr(1)])?;
    ok_int(0)
}

/// chroot(2), DragonFly 61 (for a user the host lets chroot).
pub fn chroot(_: &mut Ctx, a: &Args) -> SysResult {
    let p = mem::read_path(a.ptr(0))?;
    host::sys(libc::SYS_chroot, &[host::cptr(&p)])?;
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
    let sig = || if data == 0 { Ok(0) } else { crate::xlat::signo::to_linux(data as u32).ok_or(EINVAL) };
    let (lreq, ldata) = match req {
        PT_TRACE_ME => {
            ctx.lwp.traceme = true;
            return ok_int(0);
        }
        PT_CONTINUE => (libc::PTRACE_CONT, sig()?),
        PT_KILL => (libc::PTRACE_KILL, 0),
        PT_ATTACH => (libc::PTRACE_ATTACH, 0),
        PT_DETACH => (libc::PTRACE_DETACH, sig()?),
        _ => return Err(EINVAL),
    };
    host::sys(libc::SYS_ptrace, &[lreq as u64, pid as u64, 0, ldata as u64])?;
    ok_int(0)
}
