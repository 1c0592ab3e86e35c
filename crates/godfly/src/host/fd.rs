//! Descriptor-table calls: `close`, `dup*`, `fcntl`, `pipe2`,
//! `close_range`, `flock`, `ioctl`.

use super::raw::{self, mut_ptr, ptr};
use super::{Errno, GuestPtr};

fn call(nr: i64, args: &[u64]) -> Result<u64, Errno> {
    // SAFETY: every caller in this module passes only integers (descriptors,
    // commands, flags); pointer-taking calls are wrapped separately below.
    unsafe { raw::sys(nr, args) }
}

/// close(2).
pub fn close(fd: i32) -> Result<(), Errno> {
    call(libc::SYS_close, &[fd as u64]).map(|_| ())
}

/// dup(2).
pub fn dup(fd: i32) -> Result<i32, Errno> {
    call(libc::SYS_dup, &[fd as u64]).map(|v| v as i32)
}

/// dup2(2).
pub fn dup2(from: i32, to: i32) -> Result<i32, Errno> {
    call(libc::SYS_dup2, &[from as u64, to as u64]).map(|v| v as i32)
}

/// dup3(2) with Linux `O_CLOEXEC` or 0.
pub fn dup3(from: i32, to: i32, flags: i32) -> Result<i32, Errno> {
    call(libc::SYS_dup3, &[from as u64, to as u64, flags as u64]).map(|v| v as i32)
}

/// `fcntl` with an integer argument (or none): F_GETFD, F_SETFD,
/// F_GETFL, F_SETFL, F_DUPFD, F_DUPFD_CLOEXEC, F_GETOWN, F_SETOWN,
/// F_GETPIPE_SZ and the like.
pub fn fcntl_int(fd: i32, cmd: i32, arg: i64) -> Result<u64, Errno> {
    debug_assert!(![libc::F_GETLK, libc::F_SETLK, libc::F_SETLKW].contains(&cmd));
    call(libc::SYS_fcntl, &[fd as u64, cmd as u64, arg as u64])
}

/// Whether `fd` is an open descriptor (EBADF if not).
pub fn check_open(fd: i32) -> Result<(), Errno> {
    fcntl_int(fd, libc::F_GETFD, 0).map(|_| ())
}

/// `fcntl(F_DUPFD)`: the lowest free descriptor at or above `min`.
pub fn dupfd(fd: i32, min: i32) -> Result<i32, Errno> {
    fcntl_int(fd, libc::F_DUPFD, i64::from(min)).map(|v| v as i32)
}

/// `fcntl(F_DUPFD_CLOEXEC)`.
pub fn dupfd_cloexec(fd: i32, min: i32) -> Result<i32, Errno> {
    fcntl_int(fd, libc::F_DUPFD_CLOEXEC, i64::from(min)).map(|v| v as i32)
}

/// `fcntl(F_GETLK/F_SETLK/F_SETLKW)` with a host `struct flock`.
pub fn fcntl_lock(fd: i32, cmd: i32, lock: &mut libc::flock) -> Result<(), Errno> {
    if ![libc::F_GETLK, libc::F_SETLK, libc::F_SETLKW].contains(&cmd) {
        return Err(super::errno::EINVAL);
    }
    let args = [fd as u64, cmd as u64, mut_ptr(lock)];
    // SAFETY: `lock` is a live, writable host flock for the call; only
    // F_SETLKW waits.
    unsafe {
        if cmd == libc::F_SETLKW { raw::sys_blocking(libc::SYS_fcntl, &args) } else { raw::sys(libc::SYS_fcntl, &args) }
    }
    .map(|_| ())
}

/// ioctl(2) whose argument is a value, not a pointer.
pub fn ioctl_value(fd: i32, req: u64, arg: u64) -> Result<u64, Errno> {
    call(libc::SYS_ioctl, &[fd as u64, req, arg])
}

/// The terminal's attributes (`TCGETS2`).
pub fn tcgets2(fd: i32) -> Result<crate::xlat::termios::Termios2, Errno> {
    let mut t = crate::xlat::termios::Termios2::default();
    ioctl_out(fd, libc::TCGETS2, &mut t)?;
    Ok(t)
}

/// pipe2(2) with Linux flags: (read end, write end).
pub fn pipe2(flags: i32) -> Result<(i32, i32), Errno> {
    let mut fds = [0i32; 2];
    // SAFETY: fds is a live two-int host array.
    unsafe { raw::sys(libc::SYS_pipe2, &[mut_ptr(&mut fds), flags as u64]) }?;
    Ok((fds[0], fds[1]))
}

/// close_range(2) of `[lo, hi]`.
pub fn close_range(lo: u32, hi: u32) -> Result<(), Errno> {
    call(libc::SYS_close_range, &[u64::from(lo), u64::from(hi), 0]).map(|_| ())
}

/// flock(2); the LOCK_* bits are the same on every system godfly knows.
pub fn flock(fd: i32, op: i32) -> Result<(), Errno> {
    // SAFETY: integers only.
    unsafe { raw::sys_blocking(libc::SYS_flock, &[fd as u64, op as u64]) }.map(|_| ())
}

/// An `ioctl` that takes no argument (FIOCLEX, TIOCSCTTY's 0, TIOCNOTTY).
pub fn ioctl_none(fd: i32, req: u64) -> Result<u64, Errno> {
    call(libc::SYS_ioctl, &[fd as u64, req, 0])
}

/// An `ioctl` that reads a host value (FIONBIO, TIOCSPGRP, TIOCSWINSZ).
pub fn ioctl_in<T>(fd: i32, req: u64, v: &T) -> Result<u64, Errno> {
    // SAFETY: the kernel reads `size_of::<T>()` bytes the request
    // defines from a live host value; callers pass the matching type.
    unsafe { raw::sys(libc::SYS_ioctl, &[fd as u64, req, ptr(v)]) }
}

/// An `ioctl` that fills a host value (FIONREAD, TIOCGPGRP, TIOCGWINSZ,
/// TIOCOUTQ).
pub fn ioctl_out<T>(fd: i32, req: u64, v: &mut T) -> Result<u64, Errno> {
    // SAFETY: the kernel writes the request's value into a live, writable
    // host value of the matching type.
    unsafe { raw::sys(libc::SYS_ioctl, &[fd as u64, req, mut_ptr(v)]) }
}

/// An `ioctl` whose argument is guest memory, passed through.
pub fn ioctl_guest(fd: i32, req: u64, arg: GuestPtr) -> Result<u64, Errno> {
    // SAFETY: guest memory, validated by the kernel.
    unsafe { raw::sys(libc::SYS_ioctl, &[fd as u64, req, arg.0]) }
}

/// Bytes waiting to be read on `fd` (FIONREAD).
pub fn fionread(fd: i32) -> Result<i32, Errno> {
    let mut n: i32 = 0;
    ioctl_out(fd, libc::FIONREAD, &mut n)?;
    Ok(n)
}

/// A non-blocking, close-on-exec pipe (read end, write end).
pub fn pipe_nonblocking() -> Result<(i32, i32), Errno> {
    pipe2(libc::O_NONBLOCK | libc::O_CLOEXEC)
}

/// Reads 8 bytes (an eventfd or timerfd count) from a descriptor of
/// godfly's own.
pub fn read_u64(fd: i32) -> Result<u64, Errno> {
    let mut v = 0u64;
    // SAFETY: v is a live 8-byte host buffer.
    unsafe { raw::sys(libc::SYS_read, &[fd as u64, mut_ptr(&mut v), 8]) }?;
    Ok(v)
}

/// Writes 8 bytes (an eventfd increment) to a descriptor of godfly's own.
pub fn write_u64(fd: i32, v: u64) -> Result<(), Errno> {
    // SAFETY: v is a live 8-byte host value.
    unsafe { raw::sys(libc::SYS_write, &[fd as u64, ptr(&v), 8]) }.map(|_| ())
}

/// The most descriptors a process may have (`/proc/sys/fs/nr_open`).
pub fn max_per_process() -> u64 {
    std::fs::read_to_string("/proc/sys/fs/nr_open").ok().and_then(|s| s.trim().parse().ok()).unwrap_or(1 << 20)
}

/// The size of this process's descriptor table as the kernel has it now
/// (`FDSize` in /proc/self/status): what select's `nfds` is clamped to.
pub fn table_size() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status.lines().find_map(|l| l.strip_prefix("FDSize:")).and_then(|v| v.trim().parse().ok()).unwrap_or(1024)
}
