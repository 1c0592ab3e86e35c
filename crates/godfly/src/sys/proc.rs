//! Process identity and limits: `exit`, `getpid`, `getppid`, the uid/gid
//! getters, `issetugid`, `getrlimit`, `setrlimit`, `getrusage`, `getpgrp`,
//! `getpgid`, `getsid`, `getgroups`.

use godfly_abi::errno::EINVAL;
use godfly_abi::layout::{Rlimit, Rusage};

use crate::dispatch::{Args, Ctx, SysResult, ok, ok_int};
use crate::host;
use crate::mem;
use crate::xlat::resource;

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
