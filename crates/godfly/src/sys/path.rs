//! Calls on paths and the directory tree: `mkdir(at)`, `unlink(at)`,
//! `rmdir`, `rename(at)`, `symlink(at)`, `readlink(at)`, `link(at)`,
//! `chmod`/`fchmod(at)`/`lchmod`, `chown`/`fchown(at)`/`lchown`, `access`,
//! `eaccess`, `faccessat`, `truncate`, `ftruncate`, `utimes`, `futimes`,
//! `lutimes`, `utimensat`, `futimens`, `mkfifo(at)`, `mknod(at)`, `umask`,
//! `chdir`, `fchdir`, `__getcwd`.

use godfly_abi::consts as d;
use godfly_abi::errno::{EINVAL, Errno};
use godfly_abi::layout::{Timespec, Timeval};
use std::ffi::CStr;

use crate::dispatch::{Args, Ctx, SysResult, ok, ok_int};
use crate::host;
use crate::mem;
use crate::xlat::{oflags, stat as xstat};

const CWD: i32 = oflags::AT_FDCWD;

fn dirfd(fd: i32) -> u64 {
    oflags::dirfd_to_linux(fd) as u64
}

/// BSD follows a symlink named with a trailing slash ("link/") for mkdir,
/// rmdir, rename and unlink, where Linux refuses (EEXIST, ENOTDIR). Returns
/// the path to use: the link's target (keeping the slash) when the last
/// component is a symlink and the path ends in '/'.
fn follow_trailing_slash(dfd: i32, path: &CStr) -> std::ffi::CString {
    let mut cur = path.to_bytes().to_vec();
    for _ in 0..32 {
        if cur.len() < 2 || !cur.ends_with(b"/") {
            break;
        }
        let trimmed: Vec<u8> = {
            let mut t = cur.clone();
            while t.len() > 1 && t.ends_with(b"/") {
                t.pop();
            }
            t
        };
        let Ok(tc) = std::ffi::CString::new(trimmed.clone()) else { break };
        let is_link = host::fstatat(oflags::dirfd_to_linux(dfd), &tc, libc::AT_SYMLINK_NOFOLLOW)
            .is_ok_and(|st| st.st_mode & libc::S_IFMT == libc::S_IFLNK);
        if !is_link {
            break;
        }
        let mut buf = vec![0u8; mem::MAXPATHLEN];
        let Ok(n) =
            host::sys(libc::SYS_readlinkat, &[dirfd(dfd), host::cptr(&tc), buf.as_mut_ptr() as u64, buf.len() as u64])
        else {
            break;
        };
        buf.truncate(n as usize);
        let mut next = if buf.starts_with(b"/") {
            buf
        } else {
            match trimmed.iter().rposition(|&b| b == b'/') {
                Some(i) => {
                    let mut p = trimmed[..=i].to_vec();
                    p.extend_from_slice(&buf);
                    p
                }
                None => buf,
            }
        };
        next.push(b'/');
        cur = next;
    }
    std::ffi::CString::new(cur).unwrap_or_else(|_| path.to_owned())
}

fn path_call(nr: i64, dfd: i32, path: u64, rest: &[u64]) -> SysResult {
    let p = mem::read_path(path)?;
    let p = if matches!(nr, libc::SYS_mkdirat | libc::SYS_unlinkat) { follow_trailing_slash(dfd, &p) } else { p };
    let mut args = vec![dirfd(dfd), host::cptr(&p)];
    args.extend_from_slice(rest);
    ok(host::sys(nr, &args)?)
}

/// mkdir(2), DragonFly 136.
pub fn mkdir(_: &mut Ctx, a: &Args) -> SysResult {
    path_call(libc::SYS_mkdirat, CWD, a.ptr(0), &[u64::from(a.uint(1) & 0o7777)])
}

/// mkdirat(2), DragonFly 524.
pub fn mkdirat(_: &mut Ctx, a: &Args) -> SysResult {
    path_call(libc::SYS_mkdirat, a.int(0), a.ptr(1), &[u64::from(a.uint(2) & 0o7777)])
}

/// unlink(2), DragonFly 10.
pub fn unlink(_: &mut Ctx, a: &Args) -> SysResult {
    path_call(libc::SYS_unlinkat, CWD, a.ptr(0), &[0])
}

/// rmdir(2), DragonFly 137.
pub fn rmdir(_: &mut Ctx, a: &Args) -> SysResult {
    path_call(libc::SYS_unlinkat, CWD, a.ptr(0), &[libc::AT_REMOVEDIR as u64])
}

/// unlinkat(2), DragonFly 508.
pub fn unlinkat(_: &mut Ctx, a: &Args) -> SysResult {
    let fl = oflags::at_flags_to_linux(a.int(2), d::AT_REMOVEDIR).ok_or(EINVAL)?;
    path_call(libc::SYS_unlinkat, a.int(0), a.ptr(1), &[fl as u64])
}

fn two_paths(nr: i64, fd1: i32, p1: u64, fd2: i32, p2: u64, rest: &[u64]) -> SysResult {
    let a1 = mem::read_path(p1)?;
    let a2 = mem::read_path(p2)?;
    let (a1, a2) = if nr == libc::SYS_renameat {
        (follow_trailing_slash(fd1, &a1), follow_trailing_slash(fd2, &a2))
    } else {
        (a1, a2)
    };
    let mut args = vec![dirfd(fd1), host::cptr(&a1), dirfd(fd2), host::cptr(&a2)];
    args.extend_from_slice(rest);
    ok(host::sys(nr, &args)?)
}

/// rename(2), DragonFly 128.
pub fn rename(_: &mut Ctx, a: &Args) -> SysResult {
    two_paths(libc::SYS_renameat, CWD, a.ptr(0), CWD, a.ptr(1), &[])
}

/// renameat(2), DragonFly 523.
pub fn renameat(_: &mut Ctx, a: &Args) -> SysResult {
    two_paths(libc::SYS_renameat, a.int(0), a.ptr(1), a.int(2), a.ptr(3), &[])
}

/// link(2), DragonFly 9.
pub fn link(_: &mut Ctx, a: &Args) -> SysResult {
    two_paths(libc::SYS_linkat, CWD, a.ptr(0), CWD, a.ptr(1), &[0])
}

/// linkat(2), DragonFly 531.
pub fn linkat(_: &mut Ctx, a: &Args) -> SysResult {
    let fl = oflags::at_flags_to_linux(a.int(4), d::AT_SYMLINK_FOLLOW).ok_or(EINVAL)?;
    two_paths(libc::SYS_linkat, a.int(0), a.ptr(1), a.int(2), a.ptr(3), &[fl as u64])
}

fn symlink_common(target: u64, dfd: i32, path: u64) -> SysResult {
    let t = mem::read_path(target)?;
    let p = mem::read_path(path)?;
    ok(host::sys(libc::SYS_symlinkat, &[host::cptr(&t), dirfd(dfd), host::cptr(&p)])?)
}

/// symlink(2), DragonFly 57.
pub fn symlink(_: &mut Ctx, a: &Args) -> SysResult {
    symlink_common(a.ptr(0), CWD, a.ptr(1))
}

/// symlinkat(2), DragonFly 528.
pub fn symlinkat(_: &mut Ctx, a: &Args) -> SysResult {
    symlink_common(a.ptr(0), a.int(1), a.ptr(2))
}

/// readlink(2), DragonFly 58.
pub fn readlink(_: &mut Ctx, a: &Args) -> SysResult {
    path_call(libc::SYS_readlinkat, CWD, a.ptr(0), &[a.ptr(1), a.u64(2)])
}

/// readlinkat(2), DragonFly 527.
pub fn readlinkat(_: &mut Ctx, a: &Args) -> SysResult {
    path_call(libc::SYS_readlinkat, a.int(0), a.ptr(1), &[a.ptr(2), a.u64(3)])
}

/// chmod(2), DragonFly 15.
pub fn chmod(_: &mut Ctx, a: &Args) -> SysResult {
    path_call(libc::SYS_fchmodat, CWD, a.ptr(0), &[u64::from(a.uint(1) & 0o7777)])
}

/// fchmod(2), DragonFly 124.
pub fn fchmod(_: &mut Ctx, a: &Args) -> SysResult {
    ok(host::sys(libc::SYS_fchmod, &[a.int(0) as u64, u64::from(a.uint(1) & 0o7777)])?)
}

/// fchmodat(2), DragonFly 506. Linux's `fchmodat` has no flags argument;
/// AT_SYMLINK_NOFOLLOW goes through `fchmodat2` (Linux 6.6).
pub fn fchmodat(_: &mut Ctx, a: &Args) -> SysResult {
    let fl = oflags::at_flags_to_linux(a.int(3), d::AT_SYMLINK_NOFOLLOW).ok_or(EINVAL)?;
    let mode = u64::from(a.uint(2) & 0o7777);
    if fl == 0 {
        path_call(libc::SYS_fchmodat, a.int(0), a.ptr(1), &[mode])
    } else {
        path_call(SYS_FCHMODAT2, a.int(0), a.ptr(1), &[mode, fl as u64])
    }
}

/// Linux `fchmodat2`, not yet in every libc crate release.
const SYS_FCHMODAT2: i64 = 452;

/// lchmod(2), DragonFly 274.
pub fn lchmod(_: &mut Ctx, a: &Args) -> SysResult {
    path_call(SYS_FCHMODAT2, CWD, a.ptr(0), &[u64::from(a.uint(1) & 0o7777), libc::AT_SYMLINK_NOFOLLOW as u64])
}

fn owner(v: i32) -> u64 {
    // uid_t/gid_t are 32-bit on both; -1 means "unchanged" on both.
    u64::from(v as u32)
}

/// chown(2), DragonFly 16.
pub fn chown(_: &mut Ctx, a: &Args) -> SysResult {
    path_call(libc::SYS_fchownat, CWD, a.ptr(0), &[owner(a.int(1)), owner(a.int(2)), 0])
}

/// lchown(2), DragonFly 254.
pub fn lchown(_: &mut Ctx, a: &Args) -> SysResult {
    path_call(libc::SYS_fchownat, CWD, a.ptr(0), &[owner(a.int(1)), owner(a.int(2)), libc::AT_SYMLINK_NOFOLLOW as u64])
}

/// fchown(2), DragonFly 123.
pub fn fchown(_: &mut Ctx, a: &Args) -> SysResult {
    ok(host::sys(libc::SYS_fchown, &[a.int(0) as u64, owner(a.int(1)), owner(a.int(2))])?)
}

/// fchownat(2), DragonFly 507.
pub fn fchownat(_: &mut Ctx, a: &Args) -> SysResult {
    let fl = oflags::at_flags_to_linux(a.int(4), d::AT_SYMLINK_NOFOLLOW).ok_or(EINVAL)?;
    path_call(libc::SYS_fchownat, a.int(0), a.ptr(1), &[owner(a.int(2)), owner(a.int(3)), fl as u64])
}

/// access(2), DragonFly 33. The mode bits (F_OK, X_OK, W_OK, R_OK) match.
pub fn access(_: &mut Ctx, a: &Args) -> SysResult {
    path_call(libc::SYS_faccessat2, CWD, a.ptr(0), &[u64::from(a.uint(1) & 7), 0])
}

/// eaccess(2), DragonFly 532: access with the effective ids.
pub fn eaccess(_: &mut Ctx, a: &Args) -> SysResult {
    path_call(libc::SYS_faccessat2, CWD, a.ptr(0), &[u64::from(a.uint(1) & 7), libc::AT_EACCESS as u64])
}

/// faccessat(2), DragonFly 509.
pub fn faccessat(_: &mut Ctx, a: &Args) -> SysResult {
    let fl = oflags::at_flags_to_linux(a.int(3), d::AT_EACCESS | d::AT_SYMLINK_NOFOLLOW).ok_or(EINVAL)?;
    path_call(libc::SYS_faccessat2, a.int(0), a.ptr(1), &[u64::from(a.uint(2) & 7), fl as u64])
}

/// `truncate(path, pad, length)`, DragonFly 200.
pub fn truncate(_: &mut Ctx, a: &Args) -> SysResult {
    let p = mem::read_path(a.ptr(0))?;
    ok(host::sys(libc::SYS_truncate, &[host::cptr(&p), a.u64(2)])?)
}

/// `ftruncate(fd, pad, length)`, DragonFly 201.
pub fn ftruncate(_: &mut Ctx, a: &Args) -> SysResult {
    ok(host::sys(libc::SYS_ftruncate, &[a.int(0) as u64, a.u64(2)])?)
}

/// DragonFly's UTIME_NOW and UTIME_OMIT (-1, -2) to Linux's.
fn utime_nsec_to_linux(ns: i64) -> i64 {
    match ns {
        -1 => libc::UTIME_NOW,
        -2 => libc::UTIME_OMIT,
        n => n,
    }
}

/// Reads a `struct timespec[2]` (NULL means "now") for the host.
fn read_times(addr: u64) -> Result<Option<[libc::timespec; 2]>, Errno> {
    if addr == 0 {
        return Ok(None);
    }
    let t: [Timespec; 2] = mem::read(addr)?;
    Ok(Some(t.map(|t| libc::timespec { tv_sec: t.tv_sec, tv_nsec: utime_nsec_to_linux(t.tv_nsec) })))
}

/// Reads a `struct timeval[2]` as timespecs.
fn read_timevals(addr: u64) -> Result<Option<[libc::timespec; 2]>, Errno> {
    if addr == 0 {
        return Ok(None);
    }
    let t: [Timeval; 2] = mem::read(addr)?;
    for tv in &t {
        if !(0..1_000_000).contains(&tv.tv_usec) {
            return Err(EINVAL);
        }
    }
    Ok(Some(t.map(|t| libc::timespec { tv_sec: t.tv_sec, tv_nsec: t.tv_usec * 1000 })))
}

fn utimens(dfd: i32, path: Option<&CStr>, times: Option<[libc::timespec; 2]>, flags: i32) -> SysResult {
    let tp = times.as_ref().map_or(0, host::bptr);
    let pp = path.map_or(0, host::cptr);
    ok(host::sys(libc::SYS_utimensat, &[dirfd(dfd), pp, tp, flags as u64])?)
}

/// utimensat(2), DragonFly 539.
pub fn utimensat(_: &mut Ctx, a: &Args) -> SysResult {
    let p = mem::read_path(a.ptr(1))?;
    let fl = oflags::at_flags_to_linux(a.int(3), d::AT_SYMLINK_NOFOLLOW).ok_or(EINVAL)?;
    utimens(a.int(0), Some(&p), read_times(a.ptr(2))?, fl)
}

/// futimens(2), DragonFly 540.
pub fn futimens(_: &mut Ctx, a: &Args) -> SysResult {
    utimens(a.int(0), None, read_times(a.ptr(1))?, 0)
}

/// utimes(2), DragonFly 138.
pub fn utimes(_: &mut Ctx, a: &Args) -> SysResult {
    let p = mem::read_path(a.ptr(0))?;
    utimens(CWD, Some(&p), read_timevals(a.ptr(1))?, 0)
}

/// lutimes(2), DragonFly 276.
pub fn lutimes(_: &mut Ctx, a: &Args) -> SysResult {
    let p = mem::read_path(a.ptr(0))?;
    utimens(CWD, Some(&p), read_timevals(a.ptr(1))?, libc::AT_SYMLINK_NOFOLLOW)
}

/// futimes(2), DragonFly 206.
pub fn futimes(_: &mut Ctx, a: &Args) -> SysResult {
    utimens(a.int(0), None, read_timevals(a.ptr(1))?, 0)
}

/// mkfifo(2), DragonFly 132.
pub fn mkfifo(_: &mut Ctx, a: &Args) -> SysResult {
    path_call(libc::SYS_mknodat, CWD, a.ptr(0), &[u64::from(libc::S_IFIFO | (a.uint(1) & 0o7777)), 0])
}

/// mkfifoat(2), DragonFly 525.
pub fn mkfifoat(_: &mut Ctx, a: &Args) -> SysResult {
    path_call(libc::SYS_mknodat, a.int(0), a.ptr(1), &[u64::from(libc::S_IFIFO | (a.uint(2) & 0o7777)), 0])
}

/// mknod(2), DragonFly 14. `S_IF*` bits match; the device is re-encoded.
pub fn mknod(_: &mut Ctx, a: &Args) -> SysResult {
    path_call(libc::SYS_mknodat, CWD, a.ptr(0), &[u64::from(a.uint(1)), xstat::dev_to_linux(a.uint(2))])
}

/// mknodat(2), DragonFly 526.
pub fn mknodat(_: &mut Ctx, a: &Args) -> SysResult {
    path_call(libc::SYS_mknodat, a.int(0), a.ptr(1), &[u64::from(a.uint(2)), xstat::dev_to_linux(a.uint(3))])
}

/// umask(2), DragonFly 60.
pub fn umask(_: &mut Ctx, a: &Args) -> SysResult {
    ok(host::sys(libc::SYS_umask, &[u64::from(a.uint(0) & 0o777)])?)
}

/// chdir(2), DragonFly 12.
pub fn chdir(_: &mut Ctx, a: &Args) -> SysResult {
    let p = mem::read_path(a.ptr(0))?;
    ok(host::sys(libc::SYS_chdir, &[host::cptr(&p)])?)
}

/// fchdir(2), DragonFly 13.
pub fn fchdir(_: &mut Ctx, a: &Args) -> SysResult {
    ok(host::sys(libc::SYS_fchdir, &[a.int(0) as u64])?)
}

/// `__getcwd(buf, buflen)`, DragonFly 326: returns 0, not a length.
pub fn getcwd(_: &mut Ctx, a: &Args) -> SysResult {
    let len = a.uint(1) as usize;
    if len == 0 {
        return Err(EINVAL);
    }
    let mut buf = vec![0u8; len.min(mem::MAXPATHLEN * 4)];
    let n = host::sys(libc::SYS_getcwd, &[buf.as_mut_ptr() as u64, buf.len() as u64])? as usize;
    mem::write_bytes(a.ptr(0), &buf[..n])?;
    ok_int(0)
}
