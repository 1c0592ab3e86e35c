//! Descriptor table calls: `dup`, `dup2`, `fcntl`, `pipe`, `pipe2`,
//! `closefrom`, `flock`, `getdtablesize` and the `ioctl`s on descriptors
//! that do not depend on the kind of file.

use godfly_abi::consts as d;
use godfly_abi::errno::{EBADF, EINVAL, ENOTTY};
use godfly_abi::layout::Flock;

use crate::dispatch::{Args, Ctx, Ret, SysResult, ok, ok_int};
use crate::host;
use crate::mem;
use crate::xlat::{fcntl as xf, oflags};

/// dup(2), DragonFly 41.
pub fn dup(_: &mut Ctx, a: &Args) -> SysResult {
    ok(host::sys(libc::SYS_dup, &[a.int(0) as u64])?)
}

/// dup2(2), DragonFly 90.
pub fn dup2(_: &mut Ctx, a: &Args) -> SysResult {
    let (from, to) = (a.int(0), a.int(1));
    if from != to {
        host::sys(libc::SYS_fcntl, &[from as u64, libc::F_GETFD as u64])?;
        super::kqueue::fd_closed(to);
    }
    ok(host::sys(libc::SYS_dup2, &[from as u64, to as u64])?)
}

/// pipe(2), DragonFly 42: the descriptors come back in `rax` and `rdx`.
pub fn pipe(_: &mut Ctx, _: &Args) -> SysResult {
    make_pipe(0)
}

/// `pipe2(fildes, flags)`, DragonFly 538: like `pipe`, the kernel returns
/// both descriptors in `rax`/`rdx` and ignores `fildes` (libc stores them).
pub fn pipe2(_: &mut Ctx, a: &Args) -> SysResult {
    let flags = a.int(1);
    if flags & !(d::O_NONBLOCK | d::O_CLOEXEC) != 0 {
        return Err(EINVAL);
    }
    make_pipe(oflags::to_linux(flags))
}

fn make_pipe(lflags: i32) -> SysResult {
    let mut fds = [0i32; 2];
    host::sys(libc::SYS_pipe2, &[host::bptr_mut(&mut fds), lflags as u64])?;
    Ok(Ret::Two(u64::from(fds[0] as u32), u64::from(fds[1] as u32)))
}

/// `closefrom(fd)`, DragonFly 474.
pub fn closefrom(_: &mut Ctx, a: &Args) -> SysResult {
    let fd = a.int(0);
    if fd < 0 {
        return Err(EINVAL);
    }
    super::kqueue::fds_closed_from(fd);
    // Close around godfly's own descriptors.
    let mut lo = fd as u32;
    for keep in host::internal_fds_from(fd) {
        let keep = keep as u32;
        if keep > lo {
            host::sys(libc::SYS_close_range, &[u64::from(lo), u64::from(keep - 1), 0])?;
        }
        lo = keep + 1;
    }
    host::sys(libc::SYS_close_range, &[u64::from(lo), u64::from(u32::MAX), 0])?;
    ok(0u64)
}

/// flock(2), DragonFly 131. LOCK_* bits match Linux.
pub fn flock(_: &mut Ctx, a: &Args) -> SysResult {
    ok(host::sys(libc::SYS_flock, &[a.int(0) as u64, a.int(1) as u64])?)
}

/// getdtablesize(2), DragonFly 89: the descriptor limit.
pub fn getdtablesize(_: &mut Ctx, _: &Args) -> SysResult {
    let mut rl = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    host::sys(libc::SYS_getrlimit, &[libc::RLIMIT_NOFILE as u64, host::bptr_mut(&mut rl)])?;
    ok_int(i32::try_from(rl.rlim_cur).unwrap_or(i32::MAX))
}

/// fcntl(2), DragonFly 92.
pub fn fcntl(_: &mut Ctx, a: &Args) -> SysResult {
    let fd = a.int(0);
    let cmd = a.int(1);
    let arg = a.u64(2);
    let fdu = fd as u64;
    match cmd {
        d::F_DUPFD => ok(host::sys(libc::SYS_fcntl, &[fdu, libc::F_DUPFD as u64, arg as i32 as u64])?),
        d::F_DUPFD_CLOEXEC => ok(host::sys(libc::SYS_fcntl, &[fdu, libc::F_DUPFD_CLOEXEC as u64, arg as i32 as u64])?),
        d::F_DUP2FD | d::F_DUP2FD_CLOEXEC => {
            let to = arg as i32;
            let r = if fd == to {
                // dup3 refuses equal descriptors; DragonFly returns the fd.
                host::sys(libc::SYS_fcntl, &[fdu, libc::F_GETFD as u64])?;
                to as u64
            } else {
                let fl = if cmd == d::F_DUP2FD_CLOEXEC { libc::O_CLOEXEC } else { 0 };
                host::sys(libc::SYS_fcntl, &[fdu, libc::F_GETFD as u64])?;
                super::kqueue::fd_closed(to);
                host::sys(libc::SYS_dup3, &[fdu, to as u64, fl as u64])?
            };
            ok(r)
        }
        // FD_CLOEXEC is 1 on both systems.
        d::F_GETFD => ok(host::sys(libc::SYS_fcntl, &[fdu, libc::F_GETFD as u64])?),
        d::F_SETFD => ok(host::sys(libc::SYS_fcntl, &[fdu, libc::F_SETFD as u64, arg & 1])?),
        d::F_GETFL => {
            let fl = host::sys(libc::SYS_fcntl, &[fdu, libc::F_GETFL as u64])?;
            ok_int(oflags::from_linux(fl as i32))
        }
        d::F_SETFL => {
            let fl =
                oflags::to_linux(arg as i32 & (d::O_NONBLOCK | d::O_APPEND | d::O_ASYNC | d::O_FSYNC | d::O_DIRECT));
            ok(host::sys(libc::SYS_fcntl, &[fdu, libc::F_SETFL as u64, fl as u64])?)
        }
        d::F_GETOWN => ok(host::sys(libc::SYS_fcntl, &[fdu, libc::F_GETOWN as u64])?),
        d::F_SETOWN => ok(host::sys(libc::SYS_fcntl, &[fdu, libc::F_SETOWN as u64, arg as i32 as u64])?),
        d::F_GETLK | d::F_SETLK | d::F_SETLKW => {
            let fl: Flock = mem::read(arg)?;
            let mut lfl = xf::flock_to_linux(&fl).ok_or(EINVAL)?;
            let lcmd = match cmd {
                d::F_GETLK => libc::F_GETLK,
                d::F_SETLK => libc::F_SETLK,
                _ => libc::F_SETLKW,
            };
            host::sys(libc::SYS_fcntl, &[fdu, lcmd as u64, host::bptr_mut(&mut lfl)])?;
            if cmd == d::F_GETLK {
                mem::write(arg, &xf::flock_from_linux(&lfl))?;
            }
            ok(0u64)
        }
        _ => {
            // DragonFly checks the descriptor before the command.
            host::sys(libc::SYS_fcntl, &[fdu, libc::F_GETFD as u64]).map_err(|_| EBADF)?;
            Err(EINVAL)
        }
    }
}

/// BSD ioctl request encoding: direction, parameter length, group, number.
const IOC_VOID: u64 = 0x2000_0000;
const IOC_OUT: u64 = 0x4000_0000;
const IOC_IN: u64 = 0x8000_0000;

const fn ioc(dir: u64, group: u8, num: u8, len: u64) -> u64 {
    dir | ((len & 0x1fff) << 16) | ((group as u64) << 8) | num as u64
}

/// FIOCLEX: `_IO('f', 1)`.
pub const FIOCLEX: u64 = ioc(IOC_VOID, b'f', 1, 0);
/// FIONCLEX: `_IO('f', 2)`.
pub const FIONCLEX: u64 = ioc(IOC_VOID, b'f', 2, 0);
/// FIONREAD: `_IOR('f', 127, int)`.
pub const FIONREAD: u64 = ioc(IOC_OUT, b'f', 127, 4);
/// FIONBIO: `_IOW('f', 126, int)`.
pub const FIONBIO: u64 = ioc(IOC_IN, b'f', 126, 4);
/// FIOASYNC: `_IOW('f', 125, int)`.
pub const FIOASYNC: u64 = ioc(IOC_IN, b'f', 125, 4);
/// TIOCGWINSZ: `_IOR('t', 104, struct winsize)`.
pub const TIOCGWINSZ: u64 = ioc(IOC_OUT, b't', 104, 8);
/// TIOCSWINSZ: `_IOW('t', 103, struct winsize)`.
pub const TIOCSWINSZ: u64 = ioc(IOC_IN, b't', 103, 8);

/// TIOCSCTTY: `_IO('t', 97)`, make the terminal the controlling one.
pub const TIOCSCTTY: u64 = ioc(IOC_VOID, b't', 97, 0);
/// TIOCNOTTY: `_IO('t', 113)`, give up the controlling terminal.
pub const TIOCNOTTY: u64 = ioc(IOC_VOID, b't', 113, 0);
/// TIOCSPGRP: `_IOW('t', 118, int)`, set the foreground process group.
pub const TIOCSPGRP: u64 = ioc(IOC_IN, b't', 118, 4);
/// TIOCGPGRP: `_IOR('t', 119, int)`, get the foreground process group.
pub const TIOCGPGRP: u64 = ioc(IOC_OUT, b't', 119, 4);

/// ioctl(2), DragonFly 54: the descriptor-generic requests, the window
/// size, and the controlling-terminal and process-group requests that
/// Go's `SysProcAttr` (Setctty, Foreground) uses. Other requests, including
/// termios, answer ENOTTY.
pub fn ioctl(_: &mut Ctx, a: &Args) -> SysResult {
    let fd = a.int(0) as u64;
    // The request is a u_long, but BSD code passes it through an int-sized
    // value with the IOC_IN bit set; use the low 32 bits.
    let req = a.u64(1) & 0xffff_ffff;
    let data = a.ptr(2);
    match req {
        FIOCLEX => ok(host::sys(libc::SYS_ioctl, &[fd, libc::FIOCLEX])?),
        FIONCLEX => ok(host::sys(libc::SYS_ioctl, &[fd, libc::FIONCLEX])?),
        FIONBIO | FIOASYNC => {
            let v: i32 = mem::read(data)?;
            let lreq = if req == FIONBIO { libc::FIONBIO } else { libc::FIOASYNC };
            ok(host::sys(libc::SYS_ioctl, &[fd, lreq, host::bptr(&v)])?)
        }
        FIONREAD => {
            let mut v: i32 = 0;
            host::sys(libc::SYS_ioctl, &[fd, libc::FIONREAD, host::bptr_mut(&mut v)])?;
            mem::write(data, &v)?;
            ok(0u64)
        }
        TIOCGWINSZ => {
            // struct winsize has the same 8-byte layout on both systems.
            let mut ws = [0u16; 4];
            host::sys(libc::SYS_ioctl, &[fd, libc::TIOCGWINSZ, host::bptr_mut(&mut ws)])?;
            mem::write(data, &ws)?;
            ok(0u64)
        }
        TIOCSCTTY => ok(host::sys(libc::SYS_ioctl, &[fd, libc::TIOCSCTTY, 0])?),
        TIOCNOTTY => ok(host::sys(libc::SYS_ioctl, &[fd, libc::TIOCNOTTY, 0])?),
        TIOCSPGRP => {
            let pgrp: i32 = mem::read(data)?;
            ok(host::sys(libc::SYS_ioctl, &[fd, libc::TIOCSPGRP, host::bptr(&pgrp)])?)
        }
        TIOCGPGRP => {
            let mut pgrp: i32 = 0;
            host::sys(libc::SYS_ioctl, &[fd, libc::TIOCGPGRP, host::bptr_mut(&mut pgrp)])?;
            mem::write(data, &pgrp)?;
            ok(0u64)
        }
        TIOCSWINSZ => {
            let ws: [u16; 4] = mem::read(data)?;
            ok(host::sys(libc::SYS_ioctl, &[fd, libc::TIOCSWINSZ, host::bptr(&ws)])?)
        }
        _ => {
            host::sys(libc::SYS_fcntl, &[fd, libc::F_GETFD as u64]).map_err(|_| EBADF)?;
            Err(ENOTTY)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ioctl_numbers_match_dragonfly_headers() {
        assert_eq!(FIONBIO, 0x8004_667e);
        assert_eq!(FIONREAD, 0x4004_667f);
        assert_eq!(FIOCLEX, 0x2000_6601);
        assert_eq!(TIOCGWINSZ, 0x4008_7468);
        // The values Go's syscall package uses (zerrors_dragonfly_amd64.go).
        assert_eq!(TIOCSPGRP, 0x8004_7476);
        assert_eq!(TIOCSCTTY, 0x2000_7461);
        assert_eq!(TIOCGPGRP, 0x4004_7477);
        assert_eq!(TIOCNOTTY, 0x2000_7471);
    }
}
