//! Descriptor table calls: `dup`, `dup2`, `fcntl`, `pipe`, `pipe2`,
//! `closefrom`, `flock`, `getdtablesize` and the `ioctl`s on descriptors
//! that do not depend on the kind of file.

use crate::call::{Args, Ret, SysResult, ok, ok_int};
use crate::host::errno::{EBADF, EINVAL, ENOTTY};
use crate::host::{fd as hfd, out, proc as hproc};
use crate::mem;
use crate::personality;
use crate::thread::Ctx;
use crate::xlat::{Fcntl, Ioctl, TermiosWhen};

/// dup(2).
pub fn dup(_: &mut Ctx, a: &Args) -> SysResult {
    let to = hfd::dup(a.int(0))?;
    super::rtsock::dup(a.int(0), to);
    ok_int(to)
}

/// dup2(2).
pub fn dup2(_: &mut Ctx, a: &Args) -> SysResult {
    let (from, to) = (a.int(0), a.int(1));
    if from != to {
        hfd::check_open(from)?;
        super::kqueue::fd_closed(to);
        super::socket::fd_closed(to);
    }
    let r = hfd::dup2(from, to)?;
    super::rtsock::dup(from, to);
    ok_int(r)
}

/// pipe(2): the descriptors come back in `rax` and `rdx`.
pub fn pipe(_: &mut Ctx, _: &Args) -> SysResult {
    make_pipe(0)
}

/// `pipe2(fildes, flags)` as DragonFly has it: like `pipe`, the kernel
/// returns both descriptors in `rax`/`rdx` and ignores `fildes` (libc
/// stores them).
pub fn pipe2(_: &mut Ctx, a: &Args) -> SysResult {
    let f = (personality::current().files.open_flags)(a.int(1));
    if f.unknown != 0 || f.lock.is_some() || f.linux & !(libc::O_NONBLOCK | libc::O_CLOEXEC) != 0 {
        return Err(EINVAL);
    }
    make_pipe(f.linux)
}

fn make_pipe(lflags: i32) -> SysResult {
    let (r, w) = hfd::pipe2(lflags)?;
    Ok(Ret::Two(u64::from(r as u32), u64::from(w as u32)))
}

/// `closefrom(fd)`.
pub fn closefrom(_: &mut Ctx, a: &Args) -> SysResult {
    let fd = a.int(0);
    if fd < 0 {
        return Err(EINVAL);
    }
    super::kqueue::fds_closed_from(fd);
    super::socket::fds_closed_from(fd);
    // Close around godfly's own descriptors.
    let mut lo = fd as u32;
    for keep in out::internal_fds_from(fd) {
        let keep = keep as u32;
        if keep > lo {
            hfd::close_range(lo, keep - 1)?;
        }
        lo = keep + 1;
    }
    hfd::close_range(lo, u32::MAX)?;
    ok(0u64)
}

/// flock(2). LOCK_* bits match Linux.
pub fn flock(_: &mut Ctx, a: &Args) -> SysResult {
    hfd::flock(a.int(0), a.int(1))?;
    ok(0u64)
}

/// getdtablesize(2): the descriptor limit.
pub fn getdtablesize(_: &mut Ctx, _: &Args) -> SysResult {
    let rl = hproc::getrlimit(libc::RLIMIT_NOFILE)?;
    ok_int(i32::try_from(rl.rlim_cur).unwrap_or(i32::MAX))
}

/// fcntl(2).
pub fn fcntl(_: &mut Ctx, a: &Args) -> SysResult {
    let p = personality::current();
    let fd = a.int(0);
    let arg = a.u64(2);
    let Some(cmd) = (p.files.fcntl)(a.int(1)) else {
        // The BSDs check the descriptor before the command.
        hfd::check_open(fd).map_err(|_| EBADF)?;
        return Err(EINVAL);
    };
    let int = |c: i32, v: i64| hfd::fcntl_int(fd, c, v);
    match cmd {
        Fcntl::DupFd | Fcntl::DupFdCloexec => {
            let c = if cmd == Fcntl::DupFd { libc::F_DUPFD } else { libc::F_DUPFD_CLOEXEC };
            let to = int(c, i64::from(arg as i32))? as i32;
            super::rtsock::dup(fd, to);
            ok_int(to)
        }
        Fcntl::Dup2Fd | Fcntl::Dup2FdCloexec => {
            let to = arg as i32;
            hfd::check_open(fd)?;
            if fd == to {
                // dup3 refuses equal descriptors; the BSDs return the fd.
                return ok_int(to);
            }
            let fl = if cmd == Fcntl::Dup2FdCloexec { libc::O_CLOEXEC } else { 0 };
            super::kqueue::fd_closed(to);
            super::socket::fd_closed(to);
            let r = hfd::dup3(fd, to, fl)?;
            super::rtsock::dup(fd, to);
            ok_int(r)
        }
        // FD_CLOEXEC is 1 everywhere.
        Fcntl::GetFd => ok(int(libc::F_GETFD, 0)?),
        Fcntl::SetFd => ok(int(libc::F_SETFD, (arg & 1) as i64)?),
        Fcntl::GetFl => {
            let fl = int(libc::F_GETFL, 0)?;
            ok_int((p.files.status_flags)(fl as i32))
        }
        Fcntl::SetFl => {
            let settable = libc::O_NONBLOCK | libc::O_APPEND | libc::O_ASYNC | libc::O_SYNC | libc::O_DIRECT;
            let fl = (p.files.open_flags)(arg as i32).linux & settable;
            ok(int(libc::F_SETFL, i64::from(fl))?)
        }
        Fcntl::GetOwn => ok(int(libc::F_GETOWN, 0)?),
        Fcntl::SetOwn => ok(int(libc::F_SETOWN, i64::from(arg as i32))?),
        Fcntl::GetLk | Fcntl::SetLk | Fcntl::SetLkW => {
            let mut lfl = (p.files.read_flock)(arg)?;
            let lcmd = match cmd {
                Fcntl::GetLk => libc::F_GETLK,
                Fcntl::SetLk => libc::F_SETLK,
                _ => libc::F_SETLKW,
            };
            hfd::fcntl_lock(fd, lcmd, &mut lfl)?;
            if cmd == Fcntl::GetLk {
                (p.files.write_flock)(arg, &lfl)?;
            }
            ok(0u64)
        }
    }
}

/// ioctl(2): the descriptor-generic requests, the window size, and the
/// controlling-terminal and process-group requests that Go's
/// `SysProcAttr` (Setctty, Foreground) uses. Other requests, including
/// termios, answer ENOTTY.
/// The name devfs gives a descriptor's device (`FIODNAME`): a pty
/// master is DragonFly's `ptm/N`, anything else under /dev its path
/// there (`pts/3`, `null`); ENOTTY for what is not a device.
fn devfs_name(fd: i32) -> Result<String, crate::host::Errno> {
    let st = crate::host::fs::fstat(fd)?;
    if st.st_mode & libc::S_IFMT != libc::S_IFCHR {
        return Err(ENOTTY);
    }
    let mut n: u32 = 0;
    if hfd::ioctl_out(fd, libc::TIOCGPTN, &mut n).is_ok() {
        return Ok(format!("ptm/{n}"));
    }
    let path = std::fs::read_link(format!("/proc/self/fd/{fd}")).map_err(|_| ENOTTY)?;
    path.to_str().and_then(|p| p.strip_prefix("/dev/")).map(str::to_string).ok_or(ENOTTY)
}

pub fn ioctl(_: &mut Ctx, a: &Args) -> SysResult {
    let fd = a.int(0);
    // The request is a u_long, but BSD code passes it through an int-sized
    // value with the IOC_IN bit set; use the low 32 bits.
    let req = a.u64(1) & 0xffff_ffff;
    let data = a.ptr(2);
    let Some(req) = (personality::current().files.ioctl)(req) else {
        hfd::check_open(fd).map_err(|_| EBADF)?;
        return Err(ENOTTY);
    };
    match req {
        Ioctl::Fioclex => ok(hfd::ioctl_none(fd, libc::FIOCLEX)?),
        Ioctl::Fionclex => ok(hfd::ioctl_none(fd, libc::FIONCLEX)?),
        Ioctl::Fionbio | Ioctl::Fioasync => {
            let v: i32 = mem::read(data)?;
            let lreq = if req == Ioctl::Fionbio { libc::FIONBIO } else { libc::FIOASYNC };
            ok(hfd::ioctl_in(fd, lreq, &v)?)
        }
        Ioctl::Fionread => {
            let v = hfd::fionread(fd)?;
            mem::write(data, &v)?;
            ok(0u64)
        }
        Ioctl::Tiocgwinsz => {
            // struct winsize has the same 8-byte layout everywhere.
            let mut ws = [0u16; 4];
            hfd::ioctl_out(fd, libc::TIOCGWINSZ, &mut ws)?;
            mem::write(data, &ws)?;
            ok(0u64)
        }
        Ioctl::Tiocsctty => ok(hfd::ioctl_none(fd, libc::TIOCSCTTY)?),
        Ioctl::Tiocnotty => ok(hfd::ioctl_none(fd, libc::TIOCNOTTY)?),
        Ioctl::Tiocspgrp => {
            let pgrp: i32 = mem::read(data)?;
            ok(hfd::ioctl_in(fd, libc::TIOCSPGRP, &pgrp)?)
        }
        Ioctl::Tiocgpgrp => {
            let mut pgrp: i32 = 0;
            hfd::ioctl_out(fd, libc::TIOCGPGRP, &mut pgrp)?;
            mem::write(data, &pgrp)?;
            ok(0u64)
        }
        Ioctl::Tiocswinsz => {
            let ws: [u16; 4] = mem::read(data)?;
            ok(hfd::ioctl_in(fd, libc::TIOCSWINSZ, &ws)?)
        }
        Ioctl::Tiocgeta => {
            let files = &personality::current().files;
            let t = hfd::tcgets2(fd)?;
            mem::write_bytes(data, &(files.termios_from_host)(&t))?;
            ok(0u64)
        }
        Ioctl::Tiocseta(when) => {
            let files = &personality::current().files;
            let g = mem::read_bytes(data, files.termios_len)?;
            let cur = hfd::tcgets2(fd)?;
            let t = (files.termios_to_host)(&g, &cur);
            let lreq = match when {
                TermiosWhen::Now => libc::TCSETS2,
                TermiosWhen::Drain => libc::TCSETSW2,
                TermiosWhen::Flush => libc::TCSETSF2,
            };
            ok(hfd::ioctl_in(fd, lreq, &t)?)
        }
        Ioctl::Tiocexcl => ok(hfd::ioctl_none(fd, libc::TIOCEXCL)?),
        Ioctl::Tiocnxcl => ok(hfd::ioctl_none(fd, libc::TIOCNXCL)?),
        Ioctl::Tiocsbrk => ok(hfd::ioctl_none(fd, libc::TIOCSBRK)?),
        Ioctl::Tioccbrk => ok(hfd::ioctl_none(fd, libc::TIOCCBRK)?),
        Ioctl::Tiocsti => {
            let c: u8 = mem::read(data)?;
            ok(hfd::ioctl_in(fd, libc::TIOCSTI, &c)?)
        }
        Ioctl::Tiocoutq | Ioctl::Tiocgsid | Ioctl::Tiocgetd => {
            let lreq = match req {
                Ioctl::Tiocoutq => libc::TIOCOUTQ,
                Ioctl::Tiocgsid => libc::TIOCGSID,
                _ => libc::TIOCGETD,
            };
            let mut v: i32 = 0;
            hfd::ioctl_out(fd, lreq, &mut v)?;
            mem::write(data, &v)?;
            ok(0u64)
        }
        Ioctl::Tiocflush => {
            // FREAD 1, FWRITE 2; 0 means both.
            let which: i32 = mem::read(data)?;
            let q = match which & 3 {
                1 => libc::TCIFLUSH,
                2 => libc::TCOFLUSH,
                _ => libc::TCIOFLUSH,
            };
            ok(hfd::ioctl_value(fd, libc::TCFLSH, q as u64)?)
        }
        Ioctl::Tiocdrain => ok(hfd::ioctl_value(fd, libc::TCSBRK, 1)?),
        Ioctl::Tiocstart => ok(hfd::ioctl_value(fd, libc::TCXONC, libc::TCOON as u64)?),
        Ioctl::Tiocstop => ok(hfd::ioctl_value(fd, libc::TCXONC, libc::TCOOFF as u64)?),
        Ioctl::Tiocisptmaster => {
            // Only a pseudo-terminal master has a number (TIOCGPTN).
            hfd::check_open(fd).map_err(|_| EBADF)?;
            let mut n: u32 = 0;
            hfd::ioctl_out(fd, libc::TIOCGPTN, &mut n).map_err(|_| EINVAL)?;
            ok(0u64)
        }
        Ioctl::Fiodname => {
            let (name, len): (u64, u32) = {
                let raw: [u64; 2] = mem::read(data)?;
                (raw[0], raw[1] as u32)
            };
            let dev = devfs_name(fd)?;
            let mut bytes = dev.into_bytes();
            bytes.push(0);
            if bytes.len() > len as usize {
                return Err(EINVAL);
            }
            mem::write_bytes(name, &bytes)?;
            ok(0u64)
        }
    }
}
