//! Reading and writing open files: `read`, `write`, `readv`, `writev`,
//! positioned reads and writes (`pread`, `pwrite`, `preadv`, `pwritev`:
//! DragonFly's `extp*` calls reach these), `lseek`, `fsync`, `open`,
//! `openat`, `close`. Linux: the same calls; `struct iovec` has the same
//! layout.

use crate::call::{Args, SysResult, ok, ok_int};
use crate::host::errno::{EINVAL, ELOOP, EMLINK};
use crate::host::{Errno, GuestPtr, fd as hfd, fs};
use crate::mem;
use crate::personality;
use crate::thread::Ctx;
use crate::xlat::OpenLock;

/// read(2).
pub fn read(_: &mut Ctx, a: &Args) -> SysResult {
    let len = mem::user_len(a.ptr(1), a.usize(2));
    let n = fs::read(a.int(0), a.guest(1), len)?;
    ok(mem::short_transfer(n, a.ptr(1), len, mem::Dir::ToGuest)?)
}

/// write(2).
pub fn write(_: &mut Ctx, a: &Args) -> SysResult {
    let fd = a.int(0);
    if super::rtsock::is_route(fd) {
        return super::rtsock::write(a.ptr(1), a.usize(2));
    }
    let len = mem::user_len(a.ptr(1), a.usize(2));
    let n = if super::socket::nosigpipe(fd) {
        // SO_NOSIGPIPE: no SIGPIPE from this socket, EPIPE only.
        fs::write_nosignal(fd, a.guest(1), len)?
    } else {
        fs::write(fd, a.guest(1), len)?
    };
    ok(mem::short_transfer(n, a.ptr(1), len, mem::Dir::FromGuest)?)
}

/// An iovec count as the guest kernel bounds it, before the descriptor.
fn check_iovcnt(n: u32) -> Result<(), Errno> {
    personality::current().limits.check_iovcnt(n)
}

/// readv(2).
pub fn readv(_: &mut Ctx, a: &Args) -> SysResult {
    check_iovcnt(a.uint(2))?;
    let n = fs::readv(a.int(0), a.guest(1), a.uint(2))?;
    ok(mem::short_transfer_iov(n, a.ptr(1), a.uint(2) as usize, mem::Dir::ToGuest)?)
}

/// writev(2).
pub fn writev(_: &mut Ctx, a: &Args) -> SysResult {
    check_iovcnt(a.uint(2))?;
    let n = fs::writev(a.int(0), a.guest(1), a.uint(2))?;
    ok(mem::short_transfer_iov(n, a.ptr(1), a.uint(2) as usize, mem::Dir::FromGuest)?)
}

/// `pread(fd, buf, nbyte, offset)`.
pub fn pread(fd: i32, buf: GuestPtr, len: usize, off: u64) -> SysResult {
    let len = mem::user_len(buf.addr(), len);
    let n = fs::pread(fd, buf, len, off)?;
    ok(mem::short_transfer(n, buf.addr(), len, mem::Dir::ToGuest)?)
}

/// `pwrite(fd, buf, nbyte, offset)`.
pub fn pwrite(fd: i32, buf: GuestPtr, len: usize, off: u64) -> SysResult {
    let len = mem::user_len(buf.addr(), len);
    let n = fs::pwrite(fd, buf, len, off)?;
    ok(mem::short_transfer(n, buf.addr(), len, mem::Dir::FromGuest)?)
}

/// `preadv(fd, iov, iovcnt, offset)`.
pub fn preadv(fd: i32, iov: GuestPtr, n: u32, off: u64) -> SysResult {
    check_iovcnt(n)?;
    let got = fs::preadv(fd, iov, n, off)?;
    ok(mem::short_transfer_iov(got, iov.addr(), n as usize, mem::Dir::ToGuest)?)
}

/// `pwritev(fd, iov, iovcnt, offset)`.
pub fn pwritev(fd: i32, iov: GuestPtr, n: u32, off: u64) -> SysResult {
    check_iovcnt(n)?;
    let got = fs::pwritev(fd, iov, n, off)?;
    ok(mem::short_transfer_iov(got, iov.addr(), n as usize, mem::Dir::FromGuest)?)
}

/// `lseek(fd, pad, offset, whence)` (the BSDs keep a padding slot).
pub fn lseek(_: &mut Ctx, a: &Args) -> SysResult {
    seek(a.int(0), a.i64(2), a.int(3))
}

/// `lseek` of `fd` to `off` from `whence`.
pub fn seek(fd: i32, off: i64, whence: i32) -> SysResult {
    if !(0..=4).contains(&whence) {
        return Err(EINVAL);
    }
    // SEEK_SET/CUR/END 0..2 and SEEK_DATA 3 / SEEK_HOLE 4 match Linux.
    ok(fs::lseek(fd, off, whence)?)
}

/// fsync(2).
pub fn fsync(_: &mut Ctx, a: &Args) -> SysResult {
    fs::fsync(a.int(0))?;
    ok(0u64)
}

/// close(2).
pub fn close(_: &mut Ctx, a: &Args) -> SysResult {
    let fd = a.int(0);
    // Knotes go first: epoll must forget the descriptor while it is open.
    super::kqueue::fd_closed(fd);
    super::socket::fd_closed(fd);
    hfd::close(fd)?;
    ok(0u64)
}

/// open(2).
pub fn open(_: &mut Ctx, a: &Args) -> SysResult {
    open_common(personality::current().files.at_fdcwd, a.ptr(0), a.int(1), a.int(2))
}

/// openat(2).
pub fn openat(_: &mut Ctx, a: &Args) -> SysResult {
    open_common(a.int(0), a.ptr(1), a.int(2), a.int(3))
}

/// A new pseudo-terminal master is usable at once on DragonFly (its
/// `unlockpt` only checks the descriptor); Linux locks the slave until
/// TIOCSPTLCK 0, which the guest never sends, so godfly does.
fn unlock_if_ptmx(fd: i32) {
    const PTMX: (u32, u32) = (5, 2);
    if let Ok(st) = fs::fstat(fd)
        && st.st_mode & libc::S_IFMT == libc::S_IFCHR
        && (libc::major(st.st_rdev), libc::minor(st.st_rdev)) == PTMX
    {
        let _ = hfd::ioctl_in(fd, libc::TIOCSPTLCK, &0i32);
    }
}

fn open_common(dirfd: i32, path: u64, flags: i32, mode: i32) -> SysResult {
    let p = personality::current();
    let path = mem::read_path(path)?;
    let dirfd = p.dirfd(dirfd);
    let f = (p.files.open_flags)(flags);
    let fd = match fs::openat(dirfd, &path, f.linux, (mode & 0o7777) as u32) {
        Ok(fd) => fd,
        Err(e) if e == ELOOP && f.linux & libc::O_NOFOLLOW != 0 => {
            // The BSDs answer EMLINK when O_NOFOLLOW meets a symlink, and
            // Go relies on it; Linux says ELOOP. A real loop in a parent
            // directory also gives ELOOP on Linux, so check the last component.
            let st = fs::fstatat(dirfd, &path, libc::AT_SYMLINK_NOFOLLOW);
            return Err(if st.is_ok_and(|s| s.st_mode & libc::S_IFMT == libc::S_IFLNK) { EMLINK } else { e });
        }
        Err(e) => return Err(e),
    };
    if path.to_bytes().ends_with(b"ptmx") {
        unlock_if_ptmx(fd);
    }
    if let Some(lock) = f.lock {
        let op = match lock {
            OpenLock::Exclusive => libc::LOCK_EX,
            OpenLock::Shared => libc::LOCK_SH,
        } | if f.linux & libc::O_NONBLOCK != 0 { libc::LOCK_NB } else { 0 };
        if let Err(e) = hfd::flock(fd, op) {
            let _ = hfd::close(fd);
            return Err(e);
        }
    }
    ok_int(fd)
}

/// sync(2): every filesystem's dirty data scheduled for writing; 0.
pub fn sync(_: &mut Ctx, _: &Args) -> SysResult {
    crate::host::fs::sync();
    ok(0u64)
}
