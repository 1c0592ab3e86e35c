//! Reading and writing open files: `read`, `write`, `readv`, `writev`,
//! `extpread`/`extpwrite` (DragonFly's `pread`/`pwrite`), `extpreadv`,
//! `extpwritev`, `lseek`, `fsync`, `open`, `openat`, `close`.
//! Linux: the same calls; `struct iovec` has the same layout.

use godfly_abi::consts as d;
use godfly_abi::errno::{EINVAL, EMLINK, EOPNOTSUPP};

use crate::dispatch::{Args, Ctx, SysResult, ok, ok_int};
use crate::host;
use crate::mem;
use crate::xlat::oflags;

/// read(2), DragonFly 3.
pub fn read(_: &mut Ctx, a: &Args) -> SysResult {
    let n = host::sys(libc::SYS_read, &[a.int(0) as u64, a.ptr(1), a.u64(2)])?;
    ok(mem::short_transfer(n, a.ptr(1), a.usize(2))?)
}

/// write(2), DragonFly 4.
pub fn write(_: &mut Ctx, a: &Args) -> SysResult {
    let fd = a.int(0);
    if super::socket::nosigpipe(fd) {
        // SO_NOSIGPIPE: no SIGPIPE from this socket, EPIPE only.
        let n = host::sys(libc::SYS_sendto, &[fd as u64, a.ptr(1), a.u64(2), libc::MSG_NOSIGNAL as u64, 0, 0])?;
        return ok(mem::short_transfer(n, a.ptr(1), a.usize(2))?);
    }
    let n = host::sys(libc::SYS_write, &[fd as u64, a.ptr(1), a.u64(2)])?;
    ok(mem::short_transfer(n, a.ptr(1), a.usize(2))?)
}

/// readv(2), DragonFly 120.
pub fn readv(_: &mut Ctx, a: &Args) -> SysResult {
    let n = host::sys(libc::SYS_readv, &[a.int(0) as u64, a.ptr(1), a.uint(2).into()])?;
    ok(mem::short_transfer_iov(n, a.ptr(1), a.uint(2) as usize)?)
}

/// writev(2), DragonFly 121.
pub fn writev(_: &mut Ctx, a: &Args) -> SysResult {
    let n = host::sys(libc::SYS_writev, &[a.int(0) as u64, a.ptr(1), a.uint(2).into()])?;
    ok(mem::short_transfer_iov(n, a.ptr(1), a.uint(2) as usize)?)
}

/// `extpread(fd, buf, nbyte, flags, offset)`, DragonFly 173 (`pread`).
pub fn extpread(_: &mut Ctx, a: &Args) -> SysResult {
    check_ext_flags(a.int(3))?;
    let n = host::sys(libc::SYS_pread64, &[a.int(0) as u64, a.ptr(1), a.u64(2), a.u64(4)])?;
    ok(mem::short_transfer(n, a.ptr(1), a.usize(2))?)
}

/// `extpwrite(fd, buf, nbyte, flags, offset)`, DragonFly 174 (`pwrite`).
pub fn extpwrite(_: &mut Ctx, a: &Args) -> SysResult {
    check_ext_flags(a.int(3))?;
    let n = host::sys(libc::SYS_pwrite64, &[a.int(0) as u64, a.ptr(1), a.u64(2), a.u64(4)])?;
    ok(mem::short_transfer(n, a.ptr(1), a.usize(2))?)
}

/// `extpreadv(fd, iovp, iovcnt, flags, offset)`, DragonFly 289.
pub fn extpreadv(_: &mut Ctx, a: &Args) -> SysResult {
    check_ext_flags(a.int(3))?;
    let off = a.u64(4);
    let n = host::sys(libc::SYS_preadv, &[a.int(0) as u64, a.ptr(1), a.uint(2).into(), off, 0])?;
    ok(mem::short_transfer_iov(n, a.ptr(1), a.uint(2) as usize)?)
}

/// `extpwritev(fd, iovp, iovcnt, flags, offset)`, DragonFly 290.
pub fn extpwritev(_: &mut Ctx, a: &Args) -> SysResult {
    check_ext_flags(a.int(3))?;
    let off = a.u64(4);
    let n = host::sys(libc::SYS_pwritev, &[a.int(0) as u64, a.ptr(1), a.uint(2).into(), off, 0])?;
    ok(mem::short_transfer_iov(n, a.ptr(1), a.uint(2) as usize)?)
}

/// The ext* calls take O_FBLOCKING/O_FNONBLOCKING/O_FAPPEND/O_FOFFSET
/// overrides; only "none" (what libc's pread passes) is honoured.
fn check_ext_flags(flags: i32) -> Result<(), godfly_abi::errno::Errno> {
    if flags & !(d::O_FBLOCKING | d::O_FNONBLOCKING | d::O_FAPPEND | d::O_FOFFSET) != 0 {
        return Err(EINVAL);
    }
    if flags & (d::O_FNONBLOCKING | d::O_FAPPEND) != 0 {
        return Err(EOPNOTSUPP);
    }
    Ok(())
}

/// `lseek(fd, pad, offset, whence)`, DragonFly 199.
pub fn lseek(_: &mut Ctx, a: &Args) -> SysResult {
    let whence = a.int(3);
    if !(0..=4).contains(&whence) {
        return Err(EINVAL);
    }
    // SEEK_SET/CUR/END 0..2 and SEEK_DATA 3 / SEEK_HOLE 4 match Linux.
    ok(host::sys(libc::SYS_lseek, &[a.int(0) as u64, a.u64(2), whence as u64])?)
}

/// fsync(2), DragonFly 95.
pub fn fsync(_: &mut Ctx, a: &Args) -> SysResult {
    ok(host::sys(libc::SYS_fsync, &[a.int(0) as u64])?)
}

/// close(2), DragonFly 6.
pub fn close(_: &mut Ctx, a: &Args) -> SysResult {
    let fd = a.int(0);
    // Knotes go first: epoll must forget the descriptor while it is open.
    super::kqueue::fd_closed(fd);
    super::socket::fd_closed(fd);
    ok(host::sys(libc::SYS_close, &[fd as u64])?)
}

/// open(2), DragonFly 5.
pub fn open(_: &mut Ctx, a: &Args) -> SysResult {
    open_common(oflags::AT_FDCWD, a.ptr(0), a.int(1), a.int(2))
}

/// openat(2), DragonFly 504.
pub fn openat(_: &mut Ctx, a: &Args) -> SysResult {
    open_common(a.int(0), a.ptr(1), a.int(2), a.int(3))
}

fn open_common(dirfd: i32, path: u64, flags: i32, mode: i32) -> SysResult {
    let path = mem::read_path(path)?;
    let dirfd = oflags::dirfd_to_linux(dirfd);
    let lflags = oflags::to_linux(flags);
    let fd =
        match host::sys(libc::SYS_openat, &[dirfd as u64, host::cptr(&path), lflags as u64, (mode & 0o7777) as u64]) {
            Ok(fd) => fd as i32,
            Err(e) if e == godfly_abi::errno::ELOOP && flags & d::O_NOFOLLOW != 0 => {
                // DragonFly answers EMLINK when O_NOFOLLOW meets a symlink, and
                // Go relies on it; Linux says ELOOP. A real loop in a parent
                // directory also gives ELOOP on Linux, so check the last component.
                let st = host::fstatat(dirfd, &path, libc::AT_SYMLINK_NOFOLLOW);
                return Err(if st.is_ok_and(|s| s.st_mode & libc::S_IFMT == libc::S_IFLNK) { EMLINK } else { e });
            }
            Err(e) => return Err(e),
        };
    if flags & oflags::LOCK_FLAGS != 0 {
        let op = if flags & d::O_EXLOCK != 0 { libc::LOCK_EX } else { libc::LOCK_SH }
            | if flags & d::O_NONBLOCK != 0 { libc::LOCK_NB } else { 0 };
        if let Err(e) = host::sys(libc::SYS_flock, &[fd as u64, op as u64]) {
            let _ = host::sys(libc::SYS_close, &[fd as u64]);
            return Err(e);
        }
    }
    ok_int(fd)
}
