//! Calls on paths and the directory tree: `mkdir(at)`, `unlink(at)`,
//! `rmdir`, `rename(at)`, `symlink(at)`, `readlink(at)`, `link(at)`,
//! `chmod`/`fchmod(at)`/`lchmod`, `chown`/`fchown(at)`/`lchown`, `access`,
//! `eaccess`, `faccessat`, `truncate`, `ftruncate`, `utimes`, `futimes`,
//! `lutimes`, `utimensat`, `futimens`, `mkfifo(at)`, `mknod(at)`, `umask`,
//! `chdir`, `fchdir`, `__getcwd`, and the file flags: `chflags`,
//! `lchflags`, `fchflags`, `chflagsat`.

use godfly_abi::bsd::{Timespec, Timeval};
use std::ffi::{CStr, CString};

use crate::call::{Args, SysResult, ok, ok_int};
use crate::host::errno::{EINVAL, ELOOP, ENOSYS, ENOTTY, EOPNOTSUPP};
use crate::host::{Errno, fd as hfd, fs};
use crate::mem;
use crate::personality;
use crate::thread::Ctx;
use crate::xlat::{AtFlags, fflags};

/// The guest's `AT_FDCWD`.
fn cwd() -> i32 {
    personality::current().files.at_fdcwd
}

fn dirfd(fd: i32) -> i32 {
    personality::current().dirfd(fd)
}

/// The guest's `AT_*` flags as Linux's, EINVAL unless all are in `allowed`.
fn at(flags: i32, allowed: AtFlags) -> Result<i32, Errno> {
    let f = (personality::current().files.at_flags)(flags).filter(|f| f.within(allowed));
    f.map(AtFlags::to_linux).ok_or(EINVAL)
}

/// BSD follows a symlink named with a trailing slash ("link/") for mkdir,
/// rmdir, rename and unlink, where Linux refuses (EEXIST, ENOTDIR). Returns
/// the path to use: the link's target (keeping the slash) when the last
/// component is a symlink and the path ends in '/'.
fn follow_trailing_slash(dfd: i32, path: &CStr) -> CString {
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
        let Ok(tc) = CString::new(trimmed.clone()) else { break };
        let is_link = fs::fstatat(dirfd(dfd), &tc, libc::AT_SYMLINK_NOFOLLOW)
            .is_ok_and(|st| st.st_mode & libc::S_IFMT == libc::S_IFLNK);
        if !is_link {
            break;
        }
        let mut buf = vec![0u8; mem::MAXPATHLEN];
        let Ok(n) = fs::readlinkat_host(dirfd(dfd), &tc, &mut buf) else {
            break;
        };
        buf.truncate(n);
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
    CString::new(cur).unwrap_or_else(|_| path.to_owned())
}

/// Reads the path argument at `path` (following a trailing-slash symlink
/// the BSD way for the calls that do) and runs `f` on the host path.
fn with_path(dfd: i32, path: u64, follow_slash: bool, f: impl FnOnce(i32, &CStr) -> Result<u64, Errno>) -> SysResult {
    let p = mem::read_path(path)?;
    let p = if follow_slash { follow_trailing_slash(dfd, &p) } else { p };
    ok(f(dirfd(dfd), &p)?)
}

fn done(r: Result<(), Errno>) -> Result<u64, Errno> {
    r.map(|()| 0)
}

/// mkdir(2).
pub fn mkdir(_: &mut Ctx, a: &Args) -> SysResult {
    let mode = a.uint(1) & 0o7777;
    with_path(cwd(), a.ptr(0), true, |d, p| done(fs::mkdirat(d, p, mode)))
}

/// mkdirat(2).
pub fn mkdirat(_: &mut Ctx, a: &Args) -> SysResult {
    let mode = a.uint(2) & 0o7777;
    with_path(a.int(0), a.ptr(1), true, |d, p| done(fs::mkdirat(d, p, mode)))
}

/// unlink(2).
pub fn unlink(_: &mut Ctx, a: &Args) -> SysResult {
    with_path(cwd(), a.ptr(0), true, |d, p| done(fs::unlinkat(d, p, 0)))
}

/// rmdir(2).
pub fn rmdir(_: &mut Ctx, a: &Args) -> SysResult {
    with_path(cwd(), a.ptr(0), true, |d, p| done(fs::unlinkat(d, p, libc::AT_REMOVEDIR)))
}

/// unlinkat(2).
pub fn unlinkat(_: &mut Ctx, a: &Args) -> SysResult {
    let fl = at(a.int(2), AtFlags::REMOVEDIR)?;
    with_path(a.int(0), a.ptr(1), true, |d, p| done(fs::unlinkat(d, p, fl)))
}

/// Reads two path arguments and runs `f` on the host paths.
fn with_two_paths(
    fd1: i32,
    p1: u64,
    fd2: i32,
    p2: u64,
    follow_slash: bool,
    f: impl FnOnce(i32, &CStr, i32, &CStr) -> Result<(), Errno>,
) -> SysResult {
    let a1 = mem::read_path(p1)?;
    let a2 = mem::read_path(p2)?;
    let (a1, a2) =
        if follow_slash { (follow_trailing_slash(fd1, &a1), follow_trailing_slash(fd2, &a2)) } else { (a1, a2) };
    f(dirfd(fd1), &a1, dirfd(fd2), &a2)?;
    ok(0u64)
}

/// rename(2).
pub fn rename(_: &mut Ctx, a: &Args) -> SysResult {
    with_two_paths(cwd(), a.ptr(0), cwd(), a.ptr(1), true, fs::renameat)
}

/// renameat(2).
pub fn renameat(_: &mut Ctx, a: &Args) -> SysResult {
    with_two_paths(a.int(0), a.ptr(1), a.int(2), a.ptr(3), true, fs::renameat)
}

/// link(2).
pub fn link(_: &mut Ctx, a: &Args) -> SysResult {
    with_two_paths(cwd(), a.ptr(0), cwd(), a.ptr(1), false, |d1, p1, d2, p2| fs::linkat(d1, p1, d2, p2, 0))
}

/// linkat(2).
pub fn linkat(_: &mut Ctx, a: &Args) -> SysResult {
    let fl = at(a.int(4), AtFlags::SYMLINK_FOLLOW)?;
    with_two_paths(a.int(0), a.ptr(1), a.int(2), a.ptr(3), false, |d1, p1, d2, p2| fs::linkat(d1, p1, d2, p2, fl))
}

fn symlink_common(target: u64, dfd: i32, path: u64) -> SysResult {
    let t = mem::read_path(target)?;
    let p = mem::read_path(path)?;
    fs::symlinkat(&t, dirfd(dfd), &p)?;
    ok(0u64)
}

/// symlink(2).
pub fn symlink(_: &mut Ctx, a: &Args) -> SysResult {
    symlink_common(a.ptr(0), cwd(), a.ptr(1))
}

/// symlinkat(2).
pub fn symlinkat(_: &mut Ctx, a: &Args) -> SysResult {
    symlink_common(a.ptr(0), a.int(1), a.ptr(2))
}

/// readlink(2).
pub fn readlink(_: &mut Ctx, a: &Args) -> SysResult {
    let (buf, len) = (a.guest(1), a.usize(2));
    with_path(cwd(), a.ptr(0), false, |d, p| fs::readlinkat(d, p, buf, len))
}

/// readlinkat(2).
pub fn readlinkat(_: &mut Ctx, a: &Args) -> SysResult {
    let (buf, len) = (a.guest(2), a.usize(3));
    with_path(a.int(0), a.ptr(1), false, |d, p| fs::readlinkat(d, p, buf, len))
}

/// chmod(2).
pub fn chmod(_: &mut Ctx, a: &Args) -> SysResult {
    let mode = a.uint(1) & 0o7777;
    with_path(cwd(), a.ptr(0), false, |d, p| done(fs::fchmodat(d, p, mode)))
}

/// fchmod(2).
pub fn fchmod(_: &mut Ctx, a: &Args) -> SysResult {
    fs::fchmod(a.int(0), a.uint(1) & 0o7777)?;
    ok(0u64)
}

/// fchmodat(2). Linux's `fchmodat` has no flags argument;
/// AT_SYMLINK_NOFOLLOW goes through `fchmodat2` (Linux 6.6).
pub fn fchmodat(_: &mut Ctx, a: &Args) -> SysResult {
    let fl = at(a.int(3), AtFlags::SYMLINK_NOFOLLOW)?;
    let mode = a.uint(2) & 0o7777;
    if fl == 0 {
        with_path(a.int(0), a.ptr(1), false, |d, p| done(fs::fchmodat(d, p, mode)))
    } else {
        with_path(a.int(0), a.ptr(1), false, |d, p| done(fs::fchmodat2(d, p, mode, fl)))
    }
}

/// lchmod(2).
pub fn lchmod(_: &mut Ctx, a: &Args) -> SysResult {
    let mode = a.uint(1) & 0o7777;
    with_path(cwd(), a.ptr(0), false, |d, p| done(fs::fchmodat2(d, p, mode, libc::AT_SYMLINK_NOFOLLOW)))
}

fn owner(v: i32) -> u32 {
    // uid_t/gid_t are 32-bit everywhere; -1 means "unchanged" everywhere.
    v as u32
}

/// chown(2).
pub fn chown(_: &mut Ctx, a: &Args) -> SysResult {
    let (u, g) = (owner(a.int(1)), owner(a.int(2)));
    with_path(cwd(), a.ptr(0), false, |d, p| done(fs::fchownat(d, p, u, g, 0)))
}

/// lchown(2).
pub fn lchown(_: &mut Ctx, a: &Args) -> SysResult {
    let (u, g) = (owner(a.int(1)), owner(a.int(2)));
    with_path(cwd(), a.ptr(0), false, |d, p| done(fs::fchownat(d, p, u, g, libc::AT_SYMLINK_NOFOLLOW)))
}

/// fchown(2).
pub fn fchown(_: &mut Ctx, a: &Args) -> SysResult {
    fs::fchown(a.int(0), owner(a.int(1)), owner(a.int(2)))?;
    ok(0u64)
}

/// fchownat(2).
pub fn fchownat(_: &mut Ctx, a: &Args) -> SysResult {
    let fl = at(a.int(4), AtFlags::SYMLINK_NOFOLLOW)?;
    let (u, g) = (owner(a.int(2)), owner(a.int(3)));
    with_path(a.int(0), a.ptr(1), false, |d, p| done(fs::fchownat(d, p, u, g, fl)))
}

/// access(2). The mode bits (F_OK, X_OK, W_OK, R_OK) match.
pub fn access(_: &mut Ctx, a: &Args) -> SysResult {
    let mode = a.uint(1) & 7;
    with_path(cwd(), a.ptr(0), false, |d, p| done(fs::faccessat2(d, p, mode, 0)))
}

/// eaccess(2): access with the effective ids.
pub fn eaccess(_: &mut Ctx, a: &Args) -> SysResult {
    let mode = a.uint(1) & 7;
    with_path(cwd(), a.ptr(0), false, |d, p| done(fs::faccessat2(d, p, mode, libc::AT_EACCESS)))
}

/// faccessat(2).
pub fn faccessat(_: &mut Ctx, a: &Args) -> SysResult {
    let fl = at(a.int(3), AtFlags::EACCESS.or(AtFlags::SYMLINK_NOFOLLOW))?;
    let mode = a.uint(2) & 7;
    with_path(a.int(0), a.ptr(1), false, |d, p| done(fs::faccessat2(d, p, mode, fl)))
}

/// `truncate(path, pad, length)`.
pub fn truncate(_: &mut Ctx, a: &Args) -> SysResult {
    let p = mem::read_path(a.ptr(0))?;
    fs::truncate(&p, a.u64(2))?;
    ok(0u64)
}

/// `ftruncate(fd, pad, length)`.
pub fn ftruncate(_: &mut Ctx, a: &Args) -> SysResult {
    fs::ftruncate(a.int(0), a.u64(2))?;
    ok(0u64)
}

/// The guest's UTIME_NOW and UTIME_OMIT to Linux's.
fn utime_nsec_to_linux(ns: i64) -> i64 {
    let f = &personality::current().files;
    if ns == f.utime_now {
        libc::UTIME_NOW
    } else if ns == f.utime_omit {
        libc::UTIME_OMIT
    } else {
        ns
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
    fs::utimensat(dirfd(dfd), path, times.as_ref(), flags)?;
    ok(0u64)
}

/// utimensat(2).
pub fn utimensat(_: &mut Ctx, a: &Args) -> SysResult {
    let p = mem::read_path(a.ptr(1))?;
    let fl = at(a.int(3), AtFlags::SYMLINK_NOFOLLOW)?;
    utimens(a.int(0), Some(&p), read_times(a.ptr(2))?, fl)
}

/// futimens(2).
pub fn futimens(_: &mut Ctx, a: &Args) -> SysResult {
    utimens(a.int(0), None, read_times(a.ptr(1))?, 0)
}

/// utimes(2).
pub fn utimes(_: &mut Ctx, a: &Args) -> SysResult {
    let p = mem::read_path(a.ptr(0))?;
    utimens(cwd(), Some(&p), read_timevals(a.ptr(1))?, 0)
}

/// lutimes(2).
pub fn lutimes(_: &mut Ctx, a: &Args) -> SysResult {
    let p = mem::read_path(a.ptr(0))?;
    utimens(cwd(), Some(&p), read_timevals(a.ptr(1))?, libc::AT_SYMLINK_NOFOLLOW)
}

/// futimes(2).
pub fn futimes(_: &mut Ctx, a: &Args) -> SysResult {
    utimens(a.int(0), None, read_timevals(a.ptr(1))?, 0)
}

/// mkfifo(2).
pub fn mkfifo(_: &mut Ctx, a: &Args) -> SysResult {
    let mode = libc::S_IFIFO | (a.uint(1) & 0o7777);
    with_path(cwd(), a.ptr(0), false, |d, p| done(fs::mknodat(d, p, mode, 0)))
}

/// mkfifoat(2).
pub fn mkfifoat(_: &mut Ctx, a: &Args) -> SysResult {
    let mode = libc::S_IFIFO | (a.uint(2) & 0o7777);
    with_path(a.int(0), a.ptr(1), false, |d, p| done(fs::mknodat(d, p, mode, 0)))
}

/// mknod(2). `S_IF*` bits match; the device is re-encoded.
pub fn mknod(_: &mut Ctx, a: &Args) -> SysResult {
    let (mode, dev) = (a.uint(1), (personality::current().files.dev_to_host)(a.u64(2)));
    with_path(cwd(), a.ptr(0), false, |d, p| done(fs::mknodat(d, p, mode, dev)))
}

/// mknodat(2).
pub fn mknodat(_: &mut Ctx, a: &Args) -> SysResult {
    let (mode, dev) = (a.uint(2), (personality::current().files.dev_to_host)(a.u64(3)));
    with_path(a.int(0), a.ptr(1), false, |d, p| done(fs::mknodat(d, p, mode, dev)))
}

/// umask(2).
pub fn umask(_: &mut Ctx, a: &Args) -> SysResult {
    ok(fs::umask(a.uint(0) & 0o777))
}

/// chdir(2).
pub fn chdir(_: &mut Ctx, a: &Args) -> SysResult {
    let p = mem::read_path(a.ptr(0))?;
    fs::chdir(&p)?;
    ok(0u64)
}

/// fchdir(2).
pub fn fchdir(_: &mut Ctx, a: &Args) -> SysResult {
    fs::fchdir(a.int(0))?;
    ok(0u64)
}

/// `__getcwd(buf, buflen)`: returns 0, not a length.
pub fn getcwd(_: &mut Ctx, a: &Args) -> SysResult {
    let len = a.uint(1) as usize;
    if len == 0 {
        return Err(EINVAL);
    }
    let mut buf = vec![0u8; len.min(mem::MAXPATHLEN * 4)];
    let n = fs::getcwd(&mut buf)?;
    mem::write_bytes(a.ptr(0), &buf[..n])?;
    ok_int(0)
}

/// Gives open host file `fd` the BSD flags `bsd` through its inode flags
/// (see `xlat::fflags`): a flag Linux cannot keep is EOPNOTSUPP, and so
/// is any flag on a filesystem without inode flags, where clearing all
/// of them is a success with nothing to do. Privilege is the host's to
/// check (immutable and append-only need CAP_LINUX_IMMUTABLE, EPERM).
fn set_flags_fd(fd: i32, bsd: u32) -> Result<(), Errno> {
    let wanted = fflags::to_inode(bsd).ok_or(EOPNOTSUPP)?;
    let cur = match fs::inode_flags(fd) {
        Ok(c) => c,
        Err(e) if e == ENOTTY || e == EINVAL || e == EOPNOTSUPP || e == ENOSYS => {
            return if wanted == 0 { Ok(()) } else { Err(EOPNOTSUPP) };
        }
        Err(e) => return Err(e),
    };
    let new = fflags::merge(cur, wanted);
    if new == cur { Ok(()) } else { fs::set_inode_flags(fd, new) }
}

/// The flags of a path: a regular file or directory is opened (not for
/// I/O) to reach its inode. Anything else, a device node above all (its
/// driver's open would run), is looked at only: Linux keeps no flags on
/// it, so it can only be given none. A symlink itself likewise.
fn set_flags_at(dfd: i32, path: &CStr, bsd: u32, follow: bool) -> Result<u64, Errno> {
    let st = fs::fstatat(dfd, path, if follow { 0 } else { libc::AT_SYMLINK_NOFOLLOW })?;
    let fmt = st.st_mode & libc::S_IFMT;
    if fmt != libc::S_IFREG && fmt != libc::S_IFDIR {
        return if bsd == 0 { Ok(0) } else { Err(EOPNOTSUPP) };
    }
    let mut of = libc::O_RDONLY | libc::O_NONBLOCK | libc::O_NOCTTY | libc::O_CLOEXEC;
    if !follow {
        of |= libc::O_NOFOLLOW;
    }
    let fd = match fs::openat(dfd, path, of, 0) {
        Ok(fd) => fd,
        // Replaced by a symlink since the look: as above.
        Err(e) if e == ELOOP && !follow => {
            return if bsd == 0 { Ok(0) } else { Err(EOPNOTSUPP) };
        }
        Err(e) => return Err(e),
    };
    let r = set_flags_fd(fd, bsd);
    let _ = hfd::close(fd);
    r.map(|()| 0)
}

/// `chflags(path, flags)`: follows a final symlink.
pub fn chflags(_: &mut Ctx, a: &Args) -> SysResult {
    let bsd = a.u64(1) as u32;
    with_path(cwd(), a.ptr(0), false, |d, p| set_flags_at(d, p, bsd, true))
}

/// `lchflags(path, flags)`: a final symlink is changed itself.
pub fn lchflags(_: &mut Ctx, a: &Args) -> SysResult {
    let bsd = a.u64(1) as u32;
    with_path(cwd(), a.ptr(0), false, |d, p| set_flags_at(d, p, bsd, false))
}

/// `fchflags(fd, flags)`.
pub fn fchflags(_: &mut Ctx, a: &Args) -> SysResult {
    set_flags_fd(a.int(0), a.u64(1) as u32)?;
    ok(0u64)
}

/// `chflagsat(fd, path, flags, atflag)`: AT_SYMLINK_NOFOLLOW only.
pub fn chflagsat(_: &mut Ctx, a: &Args) -> SysResult {
    let fl = at(a.int(3), AtFlags::SYMLINK_NOFOLLOW)?;
    let bsd = a.u64(2) as u32;
    with_path(a.int(0), a.ptr(1), false, |d, p| set_flags_at(d, p, bsd, fl == 0))
}
