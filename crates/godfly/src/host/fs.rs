//! Files and paths: reading and writing (into guest or host buffers),
//! `openat`, `stat`, directories, and the `*at` calls on names. Paths
//! are host C strings (godfly copies them out of the guest first).

use std::ffi::CStr;

use super::raw::{self, mut_ptr, ptr};
use super::{Errno, GuestPtr};

/// `read(fd, buf, len)` into guest memory.
pub fn read(fd: i32, buf: GuestPtr, len: usize) -> Result<u64, Errno> {
    // SAFETY: guest memory, validated by the kernel.
    unsafe { raw::sys_blocking(libc::SYS_read, &[fd as u64, buf.0, len as u64]) }
}

/// `write(fd, buf, len)` from guest memory.
pub fn write(fd: i32, buf: GuestPtr, len: usize) -> Result<u64, Errno> {
    // SAFETY: guest memory, validated by the kernel.
    unsafe { raw::sys_blocking(libc::SYS_write, &[fd as u64, buf.0, len as u64]) }
}

/// `pread64` into guest memory.
pub fn pread(fd: i32, buf: GuestPtr, len: usize, off: u64) -> Result<u64, Errno> {
    // SAFETY: guest memory, validated by the kernel.
    unsafe { raw::sys(libc::SYS_pread64, &[fd as u64, buf.0, len as u64, off]) }
}

/// `pwrite64` from guest memory.
pub fn pwrite(fd: i32, buf: GuestPtr, len: usize, off: u64) -> Result<u64, Errno> {
    // SAFETY: guest memory, validated by the kernel.
    unsafe { raw::sys(libc::SYS_pwrite64, &[fd as u64, buf.0, len as u64, off]) }
}

/// `copy_file_range(2)`: up to `len` bytes from `fd_in` to `fd_out`, at
/// the given offsets (advanced) or at each file's own.
pub fn copy_file_range(
    fd_in: i32,
    off_in: Option<&mut i64>,
    fd_out: i32,
    off_out: Option<&mut i64>,
    len: usize,
) -> Result<u64, Errno> {
    let p = |o: Option<&mut i64>| o.map_or(0, mut_ptr);
    let (pi, po) = (p(off_in), p(off_out));
    // SAFETY: each offset pointer is null or a live, writable host i64.
    unsafe { raw::sys_blocking(libc::SYS_copy_file_range, &[fd_in as u64, pi, fd_out as u64, po, len as u64, 0]) }
}

/// `read` (no offset) or `pread64` into a host buffer.
pub fn read_host(fd: i32, buf: &mut [u8], off: Option<i64>) -> Result<usize, Errno> {
    let (b, n) = (buf.as_mut_ptr() as u64, buf.len() as u64);
    // SAFETY: buf is a live, writable host buffer of n bytes.
    let r = unsafe {
        match off {
            None => raw::sys_blocking(libc::SYS_read, &[fd as u64, b, n]),
            Some(o) => raw::sys(libc::SYS_pread64, &[fd as u64, b, n, o as u64]),
        }
    }?;
    Ok(r as usize)
}

/// `write` (no offset) or `pwrite64` from a host buffer.
pub fn write_host(fd: i32, buf: &[u8], off: Option<i64>) -> Result<usize, Errno> {
    let (b, n) = (buf.as_ptr() as u64, buf.len() as u64);
    // SAFETY: buf is a live host buffer of n bytes, only read.
    let r = unsafe {
        match off {
            None => raw::sys_blocking(libc::SYS_write, &[fd as u64, b, n]),
            Some(o) => raw::sys(libc::SYS_pwrite64, &[fd as u64, b, n, o as u64]),
        }
    }?;
    Ok(r as usize)
}

/// What an extended-attribute call acts on.
#[derive(Debug, Clone, Copy)]
pub enum XattrOn<'a> {
    /// A path, following a final symlink.
    Path(&'a CStr),
    /// A path, the symlink itself.
    Link(&'a CStr),
    /// An open descriptor.
    Fd(i32),
}

impl XattrOn<'_> {
    fn call(self, path_nr: i64, link_nr: i64, fd_nr: i64) -> (i64, u64) {
        match self {
            XattrOn::Path(p) => (path_nr, p.as_ptr() as u64),
            XattrOn::Link(p) => (link_nr, p.as_ptr() as u64),
            XattrOn::Fd(fd) => (fd_nr, fd as u64),
        }
    }
}

/// `setxattr`/`lsetxattr`/`fsetxattr` of `value` (flags 0: create or replace).
pub fn setxattr(on: XattrOn, name: &CStr, value: &[u8]) -> Result<(), Errno> {
    let (nr, who) = on.call(libc::SYS_setxattr, libc::SYS_lsetxattr, libc::SYS_fsetxattr);
    // SAFETY: who is a live C string or an integer; name and value are live host memory.
    unsafe { raw::sys(nr, &[who, name.as_ptr() as u64, value.as_ptr() as u64, value.len() as u64, 0]) }.map(|_| ())
}

/// `getxattr` and friends into a host buffer (an empty one asks the size).
pub fn getxattr(on: XattrOn, name: &CStr, buf: &mut [u8]) -> Result<usize, Errno> {
    let (nr, who) = on.call(libc::SYS_getxattr, libc::SYS_lgetxattr, libc::SYS_fgetxattr);
    // SAFETY: who is a live C string or an integer; buf is live, writable host memory.
    unsafe { raw::sys(nr, &[who, name.as_ptr() as u64, buf.as_mut_ptr() as u64, buf.len() as u64]) }.map(|n| n as usize)
}

/// `removexattr` and friends.
pub fn removexattr(on: XattrOn, name: &CStr) -> Result<(), Errno> {
    let (nr, who) = on.call(libc::SYS_removexattr, libc::SYS_lremovexattr, libc::SYS_fremovexattr);
    // SAFETY: who is a live C string or an integer; name is a live C string.
    unsafe { raw::sys(nr, &[who, name.as_ptr() as u64]) }.map(|_| ())
}

/// `listxattr` and friends into a host buffer: NUL-terminated names.
pub fn listxattr(on: XattrOn, buf: &mut [u8]) -> Result<usize, Errno> {
    let (nr, who) = on.call(libc::SYS_listxattr, libc::SYS_llistxattr, libc::SYS_flistxattr);
    // SAFETY: who is a live C string or an integer; buf is live, writable host memory.
    unsafe { raw::sys(nr, &[who, buf.as_mut_ptr() as u64, buf.len() as u64]) }.map(|n| n as usize)
}

/// `readv` with a guest iovec array (same layout on every system).
pub fn readv(fd: i32, iov: GuestPtr, n: u32) -> Result<u64, Errno> {
    // SAFETY: the array and the buffers it names are guest memory.
    unsafe { raw::sys_blocking(libc::SYS_readv, &[fd as u64, iov.0, u64::from(n)]) }
}

/// `writev` with a guest iovec array.
pub fn writev(fd: i32, iov: GuestPtr, n: u32) -> Result<u64, Errno> {
    // SAFETY: the array and the buffers it names are guest memory.
    unsafe { raw::sys_blocking(libc::SYS_writev, &[fd as u64, iov.0, u64::from(n)]) }
}

/// `preadv` with a guest iovec array.
pub fn preadv(fd: i32, iov: GuestPtr, n: u32, off: u64) -> Result<u64, Errno> {
    // SAFETY: the array and the buffers it names are guest memory.
    unsafe { raw::sys(libc::SYS_preadv, &[fd as u64, iov.0, u64::from(n), off, 0]) }
}

/// `pwritev` with a guest iovec array.
pub fn pwritev(fd: i32, iov: GuestPtr, n: u32, off: u64) -> Result<u64, Errno> {
    // SAFETY: the array and the buffers it names are guest memory.
    unsafe { raw::sys(libc::SYS_pwritev, &[fd as u64, iov.0, u64::from(n), off, 0]) }
}

/// `sendto(fd, buf, len, MSG_NOSIGNAL)`: a write that raises no SIGPIPE.
pub fn write_nosignal(fd: i32, buf: GuestPtr, len: usize) -> Result<u64, Errno> {
    // SAFETY: guest memory, validated by the kernel; no address argument.
    unsafe { raw::sys_blocking(libc::SYS_sendto, &[fd as u64, buf.0, len as u64, libc::MSG_NOSIGNAL as u64, 0, 0]) }
}

/// `lseek`.
pub fn lseek(fd: i32, off: i64, whence: i32) -> Result<u64, Errno> {
    // SAFETY: integers only.
    unsafe { raw::sys(libc::SYS_lseek, &[fd as u64, off as u64, whence as u64]) }
}

/// `fsync`.
pub fn fsync(fd: i32) -> Result<(), Errno> {
    // SAFETY: integers only.
    unsafe { raw::sys(libc::SYS_fsync, &[fd as u64]) }.map(|_| ())
}

/// `openat` with Linux flags.
pub fn openat(dirfd: i32, path: &CStr, flags: i32, mode: u32) -> Result<i32, Errno> {
    // SAFETY: path is a live C string.
    unsafe { raw::sys(libc::SYS_openat, &[dirfd as u64, ptr(path), flags as u64, u64::from(mode)]) }.map(|v| v as i32)
}

/// `fstatat` into a host `struct stat`.
pub fn fstatat(dirfd: i32, path: &CStr, flags: i32) -> Result<libc::stat, Errno> {
    let mut st = std::mem::MaybeUninit::<libc::stat>::zeroed();
    // SAFETY: path is a live C string; st is a host stat buffer.
    unsafe { raw::sys(libc::SYS_newfstatat, &[dirfd as u64, ptr(path), st.as_mut_ptr() as u64, flags as u64]) }?;
    // SAFETY: the kernel filled the whole struct on success (and it started zeroed).
    Ok(unsafe { st.assume_init() })
}

/// `statx` with Linux AT_* flags, as a host `struct stat` plus the
/// file's attribute bits (`STATX_ATTR_*`, within those the filesystem
/// reports).
pub fn statx(dirfd: i32, path: &CStr, flags: i32) -> Result<(libc::stat, u64), Errno> {
    let mut x = std::mem::MaybeUninit::<libc::statx>::zeroed();
    let mask = libc::STATX_BASIC_STATS;
    // SAFETY: path is a live C string; x a host statx buffer.
    unsafe {
        raw::sys(libc::SYS_statx, &[dirfd as u64, ptr(path), flags as u64, u64::from(mask), x.as_mut_ptr() as u64])
    }?;
    // SAFETY: filled by the kernel on success (and zeroed before).
    let x = unsafe { x.assume_init() };
    // SAFETY: libc::stat is plain integers; all zero is a valid value.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    st.st_dev = libc::makedev(x.stx_dev_major, x.stx_dev_minor);
    st.st_ino = x.stx_ino;
    st.st_nlink = u64::from(x.stx_nlink);
    st.st_mode = u32::from(x.stx_mode);
    st.st_uid = x.stx_uid;
    st.st_gid = x.stx_gid;
    st.st_rdev = libc::makedev(x.stx_rdev_major, x.stx_rdev_minor);
    st.st_size = x.stx_size as i64;
    st.st_blksize = i64::from(x.stx_blksize);
    st.st_blocks = x.stx_blocks as i64;
    st.st_atime = x.stx_atime.tv_sec;
    st.st_atime_nsec = i64::from(x.stx_atime.tv_nsec);
    st.st_mtime = x.stx_mtime.tv_sec;
    st.st_mtime_nsec = i64::from(x.stx_mtime.tv_nsec);
    st.st_ctime = x.stx_ctime.tv_sec;
    st.st_ctime_nsec = i64::from(x.stx_ctime.tv_nsec);
    Ok((st, x.stx_attributes & x.stx_attributes_mask))
}

/// The inode flags (`FS_*_FL`) of an open file: FS_IOC_GETFLAGS.
pub fn inode_flags(fd: i32) -> Result<u32, Errno> {
    let mut v: libc::c_int = 0;
    // SAFETY: the kernel writes one int into a live host int.
    unsafe { raw::sys(libc::SYS_ioctl, &[fd as u64, libc::FS_IOC_GETFLAGS, mut_ptr(&mut v)]) }?;
    Ok(v as u32)
}

/// Sets an open file's inode flags: FS_IOC_SETFLAGS.
pub fn set_inode_flags(fd: i32, flags: u32) -> Result<(), Errno> {
    let v = flags as libc::c_int;
    // SAFETY: the kernel reads one int from a live host int.
    unsafe { raw::sys(libc::SYS_ioctl, &[fd as u64, libc::FS_IOC_SETFLAGS, ptr(&v)]) }.map(|_| ())
}

/// `fstat` into a host `struct stat`.
pub fn fstat(fd: i32) -> Result<libc::stat, Errno> {
    let mut st = std::mem::MaybeUninit::<libc::stat>::zeroed();
    // SAFETY: st is a host stat buffer.
    unsafe { raw::sys(libc::SYS_fstat, &[fd as u64, st.as_mut_ptr() as u64]) }?;
    // SAFETY: as above.
    Ok(unsafe { st.assume_init() })
}

/// `stat` of a path.
pub fn stat_path(path: &CStr) -> Result<libc::stat, Errno> {
    fstatat(libc::AT_FDCWD, path, 0)
}

/// sync(2): schedules every filesystem's writes; cannot fail.
pub fn sync() {
    // SAFETY: no arguments.
    let _ = unsafe { raw::sys(libc::SYS_sync, &[]) };
}

/// `statfs` of a path.
pub fn statfs(path: &CStr) -> Result<libc::statfs, Errno> {
    let mut st = std::mem::MaybeUninit::<libc::statfs>::zeroed();
    // SAFETY: path is a live C string; st a host statfs buffer.
    unsafe { raw::sys(libc::SYS_statfs, &[ptr(path), st.as_mut_ptr() as u64]) }?;
    // SAFETY: filled by the kernel on success (and zeroed before).
    Ok(unsafe { st.assume_init() })
}

/// `fstatfs` of a descriptor.
pub fn fstatfs(fd: i32) -> Result<libc::statfs, Errno> {
    let mut st = std::mem::MaybeUninit::<libc::statfs>::zeroed();
    // SAFETY: st is a host statfs buffer.
    unsafe { raw::sys(libc::SYS_fstatfs, &[fd as u64, st.as_mut_ptr() as u64]) }?;
    // SAFETY: as above.
    Ok(unsafe { st.assume_init() })
}

/// `getdents64` into a host buffer.
pub fn getdents64(fd: i32, buf: &mut [u8]) -> Result<usize, Errno> {
    // SAFETY: buf is a live, writable host buffer of its length.
    unsafe { raw::sys(libc::SYS_getdents64, &[fd as u64, mut_ptr(buf), buf.len() as u64]) }.map(|n| n as usize)
}

/// `mkdirat`.
pub fn mkdirat(dirfd: i32, path: &CStr, mode: u32) -> Result<(), Errno> {
    // SAFETY: path is a live C string.
    unsafe { raw::sys(libc::SYS_mkdirat, &[dirfd as u64, ptr(path), u64::from(mode)]) }.map(|_| ())
}

/// `unlinkat` with Linux flags (AT_REMOVEDIR).
pub fn unlinkat(dirfd: i32, path: &CStr, flags: i32) -> Result<(), Errno> {
    // SAFETY: path is a live C string.
    unsafe { raw::sys(libc::SYS_unlinkat, &[dirfd as u64, ptr(path), flags as u64]) }.map(|_| ())
}

/// `renameat`.
pub fn renameat(fd1: i32, p1: &CStr, fd2: i32, p2: &CStr) -> Result<(), Errno> {
    // SAFETY: both paths are live C strings.
    unsafe { raw::sys(libc::SYS_renameat, &[fd1 as u64, ptr(p1), fd2 as u64, ptr(p2)]) }.map(|_| ())
}

/// `linkat` with Linux flags (AT_SYMLINK_FOLLOW).
pub fn linkat(fd1: i32, p1: &CStr, fd2: i32, p2: &CStr, flags: i32) -> Result<(), Errno> {
    // SAFETY: both paths are live C strings.
    unsafe { raw::sys(libc::SYS_linkat, &[fd1 as u64, ptr(p1), fd2 as u64, ptr(p2), flags as u64]) }.map(|_| ())
}

/// `symlinkat`.
pub fn symlinkat(target: &CStr, dirfd: i32, path: &CStr) -> Result<(), Errno> {
    // SAFETY: both strings are live C strings.
    unsafe { raw::sys(libc::SYS_symlinkat, &[ptr(target), dirfd as u64, ptr(path)]) }.map(|_| ())
}

/// `readlinkat` into guest memory.
pub fn readlinkat(dirfd: i32, path: &CStr, buf: GuestPtr, len: usize) -> Result<u64, Errno> {
    // SAFETY: path is a live C string; buf is guest memory.
    unsafe { raw::sys(libc::SYS_readlinkat, &[dirfd as u64, ptr(path), buf.0, len as u64]) }
}

/// `readlinkat` into a host buffer; returns the length.
pub fn readlinkat_host(dirfd: i32, path: &CStr, buf: &mut [u8]) -> Result<usize, Errno> {
    // SAFETY: path is a live C string; buf a writable host buffer.
    unsafe { raw::sys(libc::SYS_readlinkat, &[dirfd as u64, ptr(path), mut_ptr(buf), buf.len() as u64]) }
        .map(|n| n as usize)
}

/// `fchmodat` (no flags, as Linux's has none).
pub fn fchmodat(dirfd: i32, path: &CStr, mode: u32) -> Result<(), Errno> {
    // SAFETY: path is a live C string.
    unsafe { raw::sys(libc::SYS_fchmodat, &[dirfd as u64, ptr(path), u64::from(mode)]) }.map(|_| ())
}

/// Linux `fchmodat2` (6.6), the one with flags.
const SYS_FCHMODAT2: i64 = 452;

/// `fchmodat2` with Linux flags (AT_SYMLINK_NOFOLLOW).
pub fn fchmodat2(dirfd: i32, path: &CStr, mode: u32, flags: i32) -> Result<(), Errno> {
    // SAFETY: path is a live C string.
    unsafe { raw::sys(SYS_FCHMODAT2, &[dirfd as u64, ptr(path), u64::from(mode), flags as u64]) }.map(|_| ())
}

/// `fchmod`.
pub fn fchmod(fd: i32, mode: u32) -> Result<(), Errno> {
    // SAFETY: integers only.
    unsafe { raw::sys(libc::SYS_fchmod, &[fd as u64, u64::from(mode)]) }.map(|_| ())
}

/// `fchownat` with Linux flags; -1 (as u32) leaves an id unchanged.
pub fn fchownat(dirfd: i32, path: &CStr, uid: u32, gid: u32, flags: i32) -> Result<(), Errno> {
    // SAFETY: path is a live C string.
    unsafe { raw::sys(libc::SYS_fchownat, &[dirfd as u64, ptr(path), u64::from(uid), u64::from(gid), flags as u64]) }
        .map(|_| ())
}

/// `fchown`.
pub fn fchown(fd: i32, uid: u32, gid: u32) -> Result<(), Errno> {
    // SAFETY: integers only.
    unsafe { raw::sys(libc::SYS_fchown, &[fd as u64, u64::from(uid), u64::from(gid)]) }.map(|_| ())
}

/// `faccessat2` with Linux flags (AT_EACCESS, AT_SYMLINK_NOFOLLOW).
pub fn faccessat2(dirfd: i32, path: &CStr, mode: u32, flags: i32) -> Result<(), Errno> {
    // SAFETY: path is a live C string.
    unsafe { raw::sys(libc::SYS_faccessat2, &[dirfd as u64, ptr(path), u64::from(mode), flags as u64]) }.map(|_| ())
}

/// `truncate`.
pub fn truncate(path: &CStr, len: u64) -> Result<(), Errno> {
    // SAFETY: path is a live C string.
    unsafe { raw::sys(libc::SYS_truncate, &[ptr(path), len]) }.map(|_| ())
}

/// `ftruncate`.
pub fn ftruncate(fd: i32, len: u64) -> Result<(), Errno> {
    // SAFETY: integers only.
    unsafe { raw::sys(libc::SYS_ftruncate, &[fd as u64, len]) }.map(|_| ())
}

/// `fallocate(fd, 0, off, len)`: blocks for the range, the size grown to
/// cover it.
pub fn fallocate(fd: i32, off: i64, len: i64) -> Result<(), Errno> {
    // SAFETY: integers only.
    unsafe { raw::sys_blocking(libc::SYS_fallocate, &[fd as u64, 0, off as u64, len as u64]) }.map(|_| ())
}

/// `fadvise64(fd, off, len, advice)`.
pub fn fadvise(fd: i32, off: i64, len: i64, advice: i32) -> Result<(), Errno> {
    // SAFETY: integers only.
    unsafe { raw::sys(libc::SYS_fadvise64, &[fd as u64, off as u64, len as u64, advice as u64]) }.map(|_| ())
}

/// `utimensat`: `path` None changes the descriptor itself, `times` None
/// means now.
pub fn utimensat(
    dirfd: i32,
    path: Option<&CStr>,
    times: Option<&[libc::timespec; 2]>,
    flags: i32,
) -> Result<(), Errno> {
    let pp = path.map_or(0, ptr);
    let tp = times.map_or(0, ptr);
    // SAFETY: path and times are live host values or NULL.
    unsafe { raw::sys(libc::SYS_utimensat, &[dirfd as u64, pp, tp, flags as u64]) }.map(|_| ())
}

/// `mknodat` with a Linux mode and device number.
pub fn mknodat(dirfd: i32, path: &CStr, mode: u32, dev: u64) -> Result<(), Errno> {
    // SAFETY: path is a live C string.
    unsafe { raw::sys(libc::SYS_mknodat, &[dirfd as u64, ptr(path), u64::from(mode), dev]) }.map(|_| ())
}

/// `umask`; returns the old mask.
pub fn umask(mask: u32) -> u32 {
    // SAFETY: integers only; umask cannot fail.
    unsafe { raw::sys(libc::SYS_umask, &[u64::from(mask)]) }.unwrap_or(0) as u32
}

/// `chdir`.
pub fn chdir(path: &CStr) -> Result<(), Errno> {
    // SAFETY: path is a live C string.
    unsafe { raw::sys(libc::SYS_chdir, &[ptr(path)]) }.map(|_| ())
}

/// `fchdir`.
pub fn fchdir(fd: i32) -> Result<(), Errno> {
    // SAFETY: integers only.
    unsafe { raw::sys(libc::SYS_fchdir, &[fd as u64]) }.map(|_| ())
}

/// `getcwd` into a host buffer; returns the length including the NUL.
pub fn getcwd(buf: &mut [u8]) -> Result<usize, Errno> {
    // SAFETY: buf is a writable host buffer of its length.
    unsafe { raw::sys(libc::SYS_getcwd, &[mut_ptr(buf), buf.len() as u64]) }.map(|n| n as usize)
}

/// `chroot`.
pub fn chroot(path: &CStr) -> Result<(), Errno> {
    // SAFETY: path is a live C string.
    unsafe { raw::sys(libc::SYS_chroot, &[ptr(path)]) }.map(|_| ())
}
