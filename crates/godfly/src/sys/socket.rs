//! Sockets: `socket`, `socketpair`, `bind`, `connect`, `listen`, `accept`,
//! `accept4`, `getsockname`, `getpeername`, `shutdown`, `setsockopt`,
//! `getsockopt`, `sendto`, `recvfrom`, `sendmsg`, `recvmsg`, `sendfile`.
//! Linux: the same calls; addresses, options, flags and control messages
//! are translated in `xlat::{sockaddr, sockopt, cmsg}`.

use godfly_abi::errno::{EINVAL, ENOPROTOOPT, ENOTSOCK, Errno};
use godfly_abi::layout::Msghdr;
use std::collections::HashSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::dispatch::{Args, Ctx, SysResult, ok, ok_int};
use crate::host;
use crate::mem;
use crate::xlat::{cmsg, errno as xerrno, sockaddr, sockopt};

/// Longest sockaddr a guest may pass (`sa_len` is one byte).
const MAX_ADDR: usize = 255;
/// Size of Linux's `sockaddr_storage`.
const HOST_ADDR: usize = 128;

/// Sockets with SO_NOSIGPIPE set, and whether there are any.
static NOSIGPIPE: Mutex<Option<HashSet<i32>>> = Mutex::new(None);
static ANY_NOSIGPIPE: AtomicBool = AtomicBool::new(false);

/// Whether `fd` has SO_NOSIGPIPE (sends must not raise SIGPIPE).
pub fn nosigpipe(fd: i32) -> bool {
    ANY_NOSIGPIPE.load(Ordering::Relaxed)
        && NOSIGPIPE.lock().unwrap_or_else(|e| e.into_inner()).as_ref().is_some_and(|s| s.contains(&fd))
}

fn set_nosigpipe(fd: i32, on: bool) {
    let mut g = NOSIGPIPE.lock().unwrap_or_else(|e| e.into_inner());
    let set = g.get_or_insert_with(HashSet::new);
    if on {
        set.insert(fd);
    } else {
        set.remove(&fd);
    }
    ANY_NOSIGPIPE.store(!set.is_empty(), Ordering::Relaxed);
}

/// Forgets per-socket state of a closed descriptor.
pub fn fd_closed(fd: i32) {
    if ANY_NOSIGPIPE.load(Ordering::Relaxed) {
        set_nosigpipe(fd, false);
    }
}

fn read_addr(addr: u64, len: u32) -> Result<Vec<u8>, Errno> {
    let len = len as usize;
    if len > MAX_ADDR {
        return Err(EINVAL);
    }
    sockaddr::to_linux(&mem::read_bytes(addr, len)?)
}

/// Writes a host address back in DragonFly form, BSD style: at most the
/// guest's buffer length is copied and the full length is reported.
/// The room the guest gives for an address: `*lenp`, read before the call
/// as DragonFly copies it in first (EFAULT then, before any work); a
/// negative length is EINVAL.
fn addr_room(lenp: u64) -> Result<u32, Errno> {
    let room: i32 = mem::read(lenp)?;
    u32::try_from(room).map_err(|_| EINVAL)
}

/// Copies an address out the BSD way: `min(room, sa_len)` bytes to `addr`
/// (nothing when that is 0, so `addr` may then be anything), and that
/// length to `*lenp`.
fn write_addr(host_addr: &[u8], addr: u64, lenp: u64, room: u32) -> Result<(), Errno> {
    let bsd = sockaddr::from_linux(host_addr);
    let n = bsd.len().min(room as usize);
    if n > 0 {
        mem::write_bytes(addr, &bsd[..n])?;
    }
    mem::write(lenp, &(n as u32))
}

/// socket(2), DragonFly 97. DragonFly has no IPv4-mapped IPv6: every
/// AF_INET6 socket is IPV6_V6ONLY, so godfly sets it on the host socket.
pub fn socket(_: &mut Ctx, a: &Args) -> SysResult {
    let dom = sockaddr::family_to_linux(a.int(0)).ok_or(godfly_abi::errno::EAFNOSUPPORT)?;
    let ty = sockaddr::type_to_linux(a.int(1)).ok_or(godfly_abi::errno::EPROTOTYPE)?;
    let fd = host::sys(libc::SYS_socket, &[dom as u64, ty as u64, a.int(2) as u64])?;
    if dom == libc::AF_INET6 {
        let on: i32 = 1;
        let _ = host::sys(
            libc::SYS_setsockopt,
            &[fd, libc::IPPROTO_IPV6 as u64, libc::IPV6_V6ONLY as u64, host::bptr(&on), 4],
        );
    }
    ok(fd)
}

/// socketpair(2), DragonFly 135.
pub fn socketpair(_: &mut Ctx, a: &Args) -> SysResult {
    let dom = sockaddr::family_to_linux(a.int(0)).ok_or(godfly_abi::errno::EAFNOSUPPORT)?;
    let ty = sockaddr::type_to_linux(a.int(1)).ok_or(godfly_abi::errno::EPROTOTYPE)?;
    let mut sv = [0i32; 2];
    host::sys(libc::SYS_socketpair, &[dom as u64, ty as u64, a.int(2) as u64, host::bptr_mut(&mut sv)])?;
    if let Err(e) = mem::write(a.ptr(3), &sv) {
        for fd in sv {
            let _ = host::sys(libc::SYS_close, &[fd as u64]);
        }
        return Err(e);
    }
    ok_int(0)
}

/// bind(2), DragonFly 104.
pub fn bind(_: &mut Ctx, a: &Args) -> SysResult {
    let addr = read_addr(a.ptr(1), a.uint(2))?;
    host::sys(libc::SYS_bind, &[a.int(0) as u64, addr.as_ptr() as u64, addr.len() as u64])?;
    ok_int(0)
}

/// connect(2), DragonFly 98.
pub fn connect(_: &mut Ctx, a: &Args) -> SysResult {
    let addr = read_addr(a.ptr(1), a.uint(2))?;
    host::sys(libc::SYS_connect, &[a.int(0) as u64, addr.as_ptr() as u64, addr.len() as u64])?;
    ok_int(0)
}

/// listen(2), DragonFly 106.
pub fn listen(_: &mut Ctx, a: &Args) -> SysResult {
    host::sys(libc::SYS_listen, &[a.int(0) as u64, a.int(1) as u64])?;
    ok_int(0)
}

fn accept_common(a: &Args, flags: i32) -> SysResult {
    // No name wanted: the length pointer is not looked at.
    let room = if a.ptr(1) == 0 { None } else { Some(addr_room(a.ptr(2))?) };
    let mut buf = [0u8; HOST_ADDR];
    let mut len = HOST_ADDR as u32;
    let fd = host::sys(
        libc::SYS_accept4,
        &[a.int(0) as u64, buf.as_mut_ptr() as u64, host::bptr_mut(&mut len), flags as u64],
    )?;
    if let Some(room) = room
        && let Err(e) = write_addr(&buf[..(len as usize).min(HOST_ADDR)], a.ptr(1), a.ptr(2), room)
    {
        // DragonFly leaves the new descriptor open here; closing it loses
        // nothing the guest could still find.
        let _ = host::sys(libc::SYS_close, &[fd]);
        return Err(e);
    }
    ok(fd)
}

/// accept(2), DragonFly 30.
pub fn accept(_: &mut Ctx, a: &Args) -> SysResult {
    accept_common(a, 0)
}

/// accept4(2), DragonFly 541.
pub fn accept4(_: &mut Ctx, a: &Args) -> SysResult {
    let flags = sockaddr::accept_flags_to_linux(a.int(3)).ok_or(EINVAL)?;
    accept_common(a, flags)
}

fn name_common(nr: i64, a: &Args) -> SysResult {
    let room = addr_room(a.ptr(2))?;
    let mut buf = [0u8; HOST_ADDR];
    let mut len = HOST_ADDR as u32;
    host::sys(nr, &[a.int(0) as u64, buf.as_mut_ptr() as u64, host::bptr_mut(&mut len)])?;
    write_addr(&buf[..(len as usize).min(HOST_ADDR)], a.ptr(1), a.ptr(2), room)?;
    ok_int(0)
}

/// getsockname(2), DragonFly 32.
pub fn getsockname(_: &mut Ctx, a: &Args) -> SysResult {
    name_common(libc::SYS_getsockname, a)
}

/// getpeername(2), DragonFly 31.
pub fn getpeername(_: &mut Ctx, a: &Args) -> SysResult {
    name_common(libc::SYS_getpeername, a)
}

/// shutdown(2), DragonFly 134: SHUT_RD/WR/RDWR are 0/1/2 on both.
pub fn shutdown(_: &mut Ctx, a: &Args) -> SysResult {
    host::sys(libc::SYS_shutdown, &[a.int(0) as u64, a.int(1) as u64])?;
    ok_int(0)
}

fn is_socket(fd: i32) -> Result<(), Errno> {
    let st = host::fstat(fd)?;
    if st.st_mode & libc::S_IFMT == libc::S_IFSOCK { Ok(()) } else { Err(ENOTSOCK) }
}

/// setsockopt(2), DragonFly 105.
pub fn setsockopt(_: &mut Ctx, a: &Args) -> SysResult {
    let (fd, level, name, val, len) = (a.int(0), a.int(1), a.int(2), a.ptr(3), a.uint(4) as usize);
    match sockopt::to_linux(level, name) {
        sockopt::Opt::Linux(l, n) => {
            let bytes = mem::read_bytes(val, len.min(4096))?;
            if l == libc::IPPROTO_IPV6 && n == libc::IPV6_V6ONLY && bytes.len() >= 4 && bytes[..4] == [0; 4] {
                // IPv6 sockets cannot be made dual-stack on DragonFly.
                return Err(EINVAL);
            }
            host::sys(
                libc::SYS_setsockopt,
                &[fd as u64, l as u64, n as u64, bytes.as_ptr() as u64, bytes.len() as u64],
            )?;
            ok_int(0)
        }
        sockopt::Opt::NoSigPipe => {
            is_socket(fd)?;
            let v: i32 = if len >= 4 { mem::read(val)? } else { return Err(EINVAL) };
            set_nosigpipe(fd, v != 0);
            ok_int(0)
        }
        sockopt::Opt::Ignore => {
            is_socket(fd)?;
            if len < 4 {
                return Err(EINVAL);
            }
            ok_int(0)
        }
        sockopt::Opt::Unsupported => {
            is_socket(fd)?;
            Err(ENOPROTOOPT)
        }
    }
}

/// getsockopt(2), DragonFly 118.
pub fn getsockopt(_: &mut Ctx, a: &Args) -> SysResult {
    let (fd, level, name, val, lenp) = (a.int(0), a.int(1), a.int(2), a.ptr(3), a.ptr(4));
    let room: u32 = mem::read(lenp)?;
    let mut out: Vec<u8> = match sockopt::to_linux(level, name) {
        sockopt::Opt::Linux(l, n) => {
            let mut buf = vec![0u8; (room as usize).clamp(4, 4096)];
            let mut len = buf.len() as u32;
            host::sys(
                libc::SYS_getsockopt,
                &[fd as u64, l as u64, n as u64, buf.as_mut_ptr() as u64, host::bptr_mut(&mut len)],
            )?;
            buf.truncate(len as usize);
            if l == libc::SOL_SOCKET && n == libc::SO_ERROR && buf.len() >= 4 {
                let e = i32::from_ne_bytes(buf[..4].try_into().unwrap_or_default());
                let d = if e == 0 { 0 } else { i32::from(xerrno::from_linux(e).get()) };
                buf[..4].copy_from_slice(&d.to_ne_bytes());
            }
            buf
        }
        sockopt::Opt::NoSigPipe => {
            is_socket(fd)?;
            i32::from(nosigpipe(fd)).to_ne_bytes().to_vec()
        }
        sockopt::Opt::Ignore => {
            is_socket(fd)?;
            0i32.to_ne_bytes().to_vec()
        }
        sockopt::Opt::Unsupported => {
            is_socket(fd)?;
            return Err(ENOPROTOOPT);
        }
    };
    out.truncate(room as usize);
    mem::write_bytes(val, &out)?;
    mem::write(lenp, &(out.len() as u32))?;
    ok_int(0)
}

fn send_flags(fd: i32, flags: i32) -> i32 {
    let mut f = sockopt::msg_flags_to_linux(flags);
    if nosigpipe(fd) {
        f |= libc::MSG_NOSIGNAL;
    }
    f
}

/// sendto(2), DragonFly 133.
pub fn sendto(_: &mut Ctx, a: &Args) -> SysResult {
    let fd = a.int(0);
    let (to, tolen) = if a.ptr(4) != 0 {
        let addr = read_addr(a.ptr(4), a.uint(5))?;
        let l = addr.len();
        (Some(addr), l)
    } else {
        (None, 0)
    };
    let top = to.as_ref().map_or(0, |v| v.as_ptr() as u64);
    let n = host::sys(
        libc::SYS_sendto,
        &[fd as u64, a.ptr(1), a.u64(2), send_flags(fd, a.int(3)) as u64, top, tolen as u64],
    )?;
    ok(mem::short_transfer(n, a.ptr(1), a.usize(2))?)
}

/// recvfrom(2), DragonFly 29.
pub fn recvfrom(_: &mut Ctx, a: &Args) -> SysResult {
    let mut buf = [0u8; HOST_ADDR];
    let mut len = HOST_ADDR as u32;
    let (from, fromlenp) = (a.ptr(4), a.ptr(5));
    // An address is wanted when `from` is set. A NULL length pointer then
    // means room 0, and the length written back at the end faults.
    let room = match (from, fromlenp) {
        (0, _) => None,
        (_, 0) => Some(0),
        (_, lp) => Some(addr_room(lp)?),
    };
    let (ap, lp) = if room.is_some() { (buf.as_mut_ptr() as u64, host::bptr_mut(&mut len)) } else { (0, 0) };
    let n = host::sys(
        libc::SYS_recvfrom,
        &[a.int(0) as u64, a.ptr(1), a.u64(2), sockopt::msg_flags_to_linux(a.int(3)) as u64, ap, lp],
    )?;
    let n = mem::short_transfer(n, a.ptr(1), a.usize(2))?;
    if let Some(room) = room {
        write_addr(&buf[..(len as usize).min(HOST_ADDR)], from, fromlenp, room)?;
    }
    ok(n)
}

/// sendmsg(2), DragonFly 28.
pub fn sendmsg(_: &mut Ctx, a: &Args) -> SysResult {
    let fd = a.int(0);
    let m: Msghdr = mem::read(a.ptr(1))?;
    let name = if m.msg_name != 0 && m.msg_namelen > 0 { Some(read_addr(m.msg_name, m.msg_namelen)?) } else { None };
    let control = if m.msg_control != 0 && m.msg_controllen > 0 {
        Some(cmsg::to_linux(&mem::read_bytes(m.msg_control, m.msg_controllen as usize)?)?)
    } else {
        None
    };
    let mut hm: libc::msghdr = host::zeroed_msghdr();
    if let Some(n) = &name {
        hm.msg_name = n.as_ptr() as *mut _;
        hm.msg_namelen = n.len() as u32;
    }
    hm.msg_iov = m.msg_iov as *mut _;
    hm.msg_iovlen = m.msg_iovlen.max(0) as usize;
    if let Some(c) = &control {
        hm.msg_control = c.as_ptr() as *mut _;
        hm.msg_controllen = c.len();
    }
    ok(host::sys(libc::SYS_sendmsg, &[fd as u64, host::bptr(&hm), send_flags(fd, a.int(2)) as u64])?)
}

/// recvmsg(2), DragonFly 27.
pub fn recvmsg(_: &mut Ctx, a: &Args) -> SysResult {
    let mut m: Msghdr = mem::read(a.ptr(1))?;
    let mut name = [0u8; HOST_ADDR];
    let mut control = vec![0u8; (m.msg_controllen as usize).min(1 << 16)];
    let mut hm: libc::msghdr = host::zeroed_msghdr();
    if m.msg_name != 0 {
        hm.msg_name = name.as_mut_ptr().cast();
        hm.msg_namelen = HOST_ADDR as u32;
    }
    hm.msg_iov = m.msg_iov as *mut _;
    hm.msg_iovlen = m.msg_iovlen.max(0) as usize;
    if m.msg_control != 0 && !control.is_empty() {
        hm.msg_control = control.as_mut_ptr().cast();
        hm.msg_controllen = control.len();
    }
    let n = host::sys(
        libc::SYS_recvmsg,
        &[a.int(0) as u64, host::bptr_mut(&mut hm), sockopt::msg_flags_to_linux(a.int(2)) as u64],
    )?;
    if m.msg_name != 0 {
        let bsd = sockaddr::from_linux(&name[..(hm.msg_namelen as usize).min(HOST_ADDR)]);
        let k = bsd.len().min(m.msg_namelen as usize);
        mem::write_bytes(m.msg_name, &bsd[..k])?;
        m.msg_namelen = k as u32;
    }
    if m.msg_control != 0 {
        let bsd = cmsg::from_linux(&control[..hm.msg_controllen.min(control.len())]);
        mem::write_bytes(m.msg_control, &bsd)?;
        m.msg_controllen = bsd.len() as u32;
    }
    m.msg_flags = sockopt::msg_flags_from_linux(hm.msg_flags);
    mem::write(a.ptr(1), &m)?;
    ok(n)
}

/// `sendfile(fd, s, offset, nbytes, hdtr, sbytes, flags)`, DragonFly 393:
/// sends from file `fd` at `offset` (its own offset unchanged) to socket
/// `s`; `nbytes` 0 means to the end of the file; the count sent goes to
/// `*sbytes`, also when the socket would block. Headers and trailers are
/// written around the file data.
pub fn sendfile(_: &mut Ctx, a: &Args) -> SysResult {
    let (fd, s, mut off, nbytes, hdtr, sbytes) = (a.int(0), a.int(1), a.i64(2), a.usize(3), a.ptr(4), a.ptr(5));
    let flags = a.slot(6)?;
    if flags != 0 || off < 0 {
        return Err(EINVAL);
    }
    let mut sent: u64 = 0;
    let (mut hdr, mut trl) = ((0u64, 0i32), (0u64, 0i32));
    if hdtr != 0 {
        // struct sf_hdtr { struct iovec *headers; int hdr_cnt; struct iovec *trailers; int trl_cnt; }
        let raw: [u64; 4] = mem::read(hdtr)?;
        hdr = (raw[0], raw[1] as i32);
        trl = (raw[2], raw[3] as i32);
    }
    let result = (|| -> Result<(), Errno> {
        if hdr.0 != 0 && hdr.1 > 0 {
            sent += host::sys(libc::SYS_writev, &[s as u64, hdr.0, hdr.1 as u64])?;
        }
        let mut left = if nbytes == 0 { usize::MAX } else { nbytes };
        while left > 0 {
            let chunk = left.min(1 << 30);
            let n = host::sys(libc::SYS_sendfile, &[s as u64, fd as u64, host::bptr_mut(&mut off), chunk as u64])?;
            if n == 0 {
                break;
            }
            sent += n;
            left -= n as usize;
        }
        if trl.0 != 0 && trl.1 > 0 {
            sent += host::sys(libc::SYS_writev, &[s as u64, trl.0, trl.1 as u64])?;
        }
        Ok(())
    })();
    if sbytes != 0 {
        mem::write(sbytes, &(sent as i64))?;
    }
    result?;
    ok_int(0)
}
