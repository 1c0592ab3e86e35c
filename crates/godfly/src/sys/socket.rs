//! Sockets: `socket`, `socketpair`, `bind`, `connect`, `listen`, `accept`,
//! `accept4`, `getsockname`, `getpeername`, `shutdown`, `setsockopt`,
//! `getsockopt`, `sendto`, `recvfrom`, `sendmsg`, `recvmsg`, `sendfile`.
//! Linux: the same calls; addresses, options, flags and control messages
//! are translated by the personality.

use crate::sync::Global;
use godfly_abi::bsd::Msghdr;
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::call::{Args, SysResult, ok, ok_int};
use crate::host::errno::{EAFNOSUPPORT, EFAULT, EINVAL, ENOPROTOOPT, ENOTCONN, ENOTSOCK, EPROTOTYPE};
use crate::host::{Errno, GuestPtr, fd as hfd, fs, net};
use crate::mem;
use crate::personality::{self, Net};
use crate::thread::Ctx;
use crate::xlat::SockOpt;

fn n() -> &'static Net {
    &personality::current().net
}

/// Sockets with SO_NOSIGPIPE set, and whether there are any.
static NOSIGPIPE: Global<Option<HashSet<i32>>> = Global::new(60, None);
static ANY_NOSIGPIPE: AtomicBool = AtomicBool::new(false);

/// Whether `fd` has SO_NOSIGPIPE (sends must not raise SIGPIPE).
pub fn nosigpipe(fd: i32) -> bool {
    ANY_NOSIGPIPE.load(Ordering::Relaxed) && NOSIGPIPE.lock().as_ref().is_some_and(|s| s.contains(&fd))
}

fn set_nosigpipe(fd: i32, on: bool) {
    let mut g = NOSIGPIPE.lock();
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
    super::rtsock::fd_closed(fd);
}

/// Forgets per-socket state of every descriptor from `low` up.
pub fn fds_closed_from(low: i32) {
    if ANY_NOSIGPIPE.load(Ordering::Relaxed) {
        let mut g = NOSIGPIPE.lock();
        if let Some(set) = g.as_mut() {
            set.retain(|&fd| fd < low);
            ANY_NOSIGPIPE.store(!set.is_empty(), Ordering::Relaxed);
        }
    }
    super::rtsock::fds_closed_from(low);
}

/// Reads a socket address argument with the guest kernel's bounds (on
/// DragonFly: longer than 255 bytes ENAMETOOLONG, shorter than its family
/// field EDOM), checked before the descriptor is.
fn read_addr(addr: u64, len: u32) -> Result<Vec<u8>, Errno> {
    let lim = &personality::current().limits;
    let len = len as usize;
    if len > lim.sockaddr_max {
        return Err(lim.sockaddr_too_long);
    }
    if len < lim.sockaddr_min {
        return Err(lim.sockaddr_too_short);
    }
    (n().sockaddr_to_host)(&mem::read_bytes(addr, len)?)
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
    let bsd = (n().sockaddr_from_host)(host_addr);
    let n = bsd.len().min(room as usize);
    if n > 0 {
        mem::write_bytes(addr, &bsd[..n])?;
    }
    mem::write(lenp, &(n as u32))
}

/// socket(2). A BSD AF_INET6 socket starts IPV6_V6ONLY (DragonFly's
/// always are, FreeBSD's by `net.inet6.ip6.v6only`), so godfly sets it on
/// the host socket.
pub fn socket(_: &mut Ctx, a: &Args) -> SysResult {
    if a.int(0) == n().route_family {
        let ty = (n().socket_type)(a.int(1)).ok_or(EPROTOTYPE)?;
        let raw = ty & !(libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK) == libc::SOCK_RAW;
        return super::rtsock::open(raw, ty, a.int(2));
    }
    let dom = (n().family_to_host)(a.int(0)).ok_or(EAFNOSUPPORT)?;
    let ty = (n().socket_type)(a.int(1)).ok_or(EPROTOTYPE)?;
    let fd = net::socket(dom, ty, a.int(2))?;
    if dom == libc::AF_INET6 {
        let _ = net::setsockopt(fd, libc::IPPROTO_IPV6, libc::IPV6_V6ONLY, &1i32.to_ne_bytes());
    }
    ok_int(fd)
}

/// socketpair(2).
pub fn socketpair(_: &mut Ctx, a: &Args) -> SysResult {
    let dom = (n().family_to_host)(a.int(0)).ok_or(EAFNOSUPPORT)?;
    let ty = (n().socket_type)(a.int(1)).ok_or(EPROTOTYPE)?;
    let sv = net::socketpair(dom, ty, a.int(2))?;
    if let Err(e) = mem::write(a.ptr(3), &sv) {
        for fd in sv {
            let _ = hfd::close(fd);
        }
        return Err(e);
    }
    ok_int(0)
}

/// bind(2).
pub fn bind(_: &mut Ctx, a: &Args) -> SysResult {
    let addr = read_addr(a.ptr(1), a.uint(2))?;
    net::bind(a.int(0), &addr)?;
    ok_int(0)
}

/// connect(2).
pub fn connect(_: &mut Ctx, a: &Args) -> SysResult {
    let addr = read_addr(a.ptr(1), a.uint(2))?;
    net::connect(a.int(0), &addr)?;
    ok_int(0)
}

/// listen(2).
pub fn listen(_: &mut Ctx, a: &Args) -> SysResult {
    net::listen(a.int(0), a.int(1))?;
    ok_int(0)
}

fn accept_common(a: &Args, flags: i32) -> SysResult {
    // No name wanted: the length pointer is not looked at.
    let room = if a.ptr(1) == 0 { None } else { Some(addr_room(a.ptr(2))?) };
    let (fd, peer) = net::accept4(a.int(0), true, flags)?;
    if let Some(room) = room
        && let Err(e) = write_addr(peer.bytes(), a.ptr(1), a.ptr(2), room)
    {
        // The BSDs leave the new descriptor open here; closing it loses
        // nothing the guest could still find.
        let _ = hfd::close(fd);
        return Err(e);
    }
    ok_int(fd)
}

/// accept(2).
pub fn accept(_: &mut Ctx, a: &Args) -> SysResult {
    accept_common(a, 0)
}

/// accept4(2).
pub fn accept4(_: &mut Ctx, a: &Args) -> SysResult {
    let flags = (n().accept_flags)(a.int(3)).ok_or(EINVAL)?;
    accept_common(a, flags)
}

fn name_common(get: fn(i32) -> Result<net::HostAddr, Errno>, a: &Args) -> SysResult {
    let room = addr_room(a.ptr(2))?;
    let addr = get(a.int(0))?;
    write_addr(addr.bytes(), a.ptr(1), a.ptr(2), room)?;
    ok_int(0)
}

/// getsockname(2).
pub fn getsockname(_: &mut Ctx, a: &Args) -> SysResult {
    name_common(net::getsockname, a)
}

/// getpeername(2).
pub fn getpeername(_: &mut Ctx, a: &Args) -> SysResult {
    name_common(net::getpeername, a)
}

/// shutdown(2): SHUT_RD/WR/RDWR are 0/1/2 everywhere.
pub fn shutdown(_: &mut Ctx, a: &Args) -> SysResult {
    net::shutdown(a.int(0), a.int(1))?;
    ok_int(0)
}

fn is_socket(fd: i32) -> Result<(), Errno> {
    let st = fs::fstat(fd)?;
    if st.st_mode & libc::S_IFMT == libc::S_IFSOCK { Ok(()) } else { Err(ENOTSOCK) }
}

/// setsockopt(2).
pub fn setsockopt(_: &mut Ctx, a: &Args) -> SysResult {
    let (fd, level, name, val, len) = (a.int(0), a.int(1), a.int(2), a.ptr(3), a.uint(4) as usize);
    // DragonFly's order: the length, then the value, then the descriptor.
    if len > personality::current().limits.sockopt_max {
        return Err(EINVAL);
    }
    let bytes = if val != 0 { mem::read_bytes(val, len)? } else { Vec::new() };
    if val == 0 && len != 0 {
        return Err(EFAULT);
    }
    if val != 0 && len == 0 {
        return Err(EINVAL);
    }
    let opt = match (n().sockopt)(level, name) {
        // LOCAL_PEERCRED can only be read (uipc_ctloutput: ENOPROTOOPT).
        SockOpt::PeerCredOr(_, _) if is_local(fd)? => SockOpt::Unsupported,
        SockOpt::PeerCredOr(l, nm) => SockOpt::Linux(l, nm),
        o => o,
    };
    match opt {
        SockOpt::PeerCredOr(..) => Err(ENOPROTOOPT),
        SockOpt::Linux(l, nm) => {
            if l == libc::IPPROTO_IPV6
                && nm == libc::IPV6_V6ONLY
                && bytes.len() >= 4
                && bytes[..4] == [0; 4]
                && n().v6only_fixed
            {
                // DragonFly's IPv6 sockets cannot be made dual-stack.
                return Err(EINVAL);
            }
            net::setsockopt(fd, l, nm, &bytes)?;
            ok_int(0)
        }
        SockOpt::NoSigPipe => {
            is_socket(fd)?;
            let v = i32::from_ne_bytes(bytes.get(..4).and_then(|b| b.try_into().ok()).ok_or(EINVAL)?);
            set_nosigpipe(fd, v != 0);
            ok_int(0)
        }
        SockOpt::Ignore => {
            is_socket(fd)?;
            if len < 4 {
                return Err(EINVAL);
            }
            ok_int(0)
        }
        SockOpt::Unsupported => {
            is_socket(fd)?;
            Err(ENOPROTOOPT)
        }
    }
}

/// getsockopt(2).
pub fn getsockopt(_: &mut Ctx, a: &Args) -> SysResult {
    let (fd, level, name, val, lenp) = (a.int(0), a.int(1), a.int(2), a.ptr(3), a.ptr(4));
    // DragonFly reads the length only for a value buffer (a NULL one gets
    // nothing and length 0); root may ask for more than others.
    let room: u32 = if val != 0 { mem::read(lenp)? } else { 0 };
    let lim = &personality::current().limits;
    let max = if crate::host::proc::geteuid() == 0 { lim.sockopt_max_root } else { lim.sockopt_max };
    if room as usize > max {
        return Err(EINVAL);
    }
    let opt = match (n().sockopt)(level, name) {
        SockOpt::PeerCredOr(l, nm) if !is_local(fd)? => SockOpt::Linux(l, nm),
        o => o,
    };
    let mut out: Vec<u8> = match opt {
        SockOpt::PeerCredOr(..) => peer_xucred(fd)?,
        SockOpt::Linux(l, nm) => {
            let mut buf = vec![0u8; (room as usize).clamp(4, 4096)];
            let len = net::getsockopt(fd, l, nm, &mut buf)?;
            buf.truncate(len);
            if l == libc::SOL_SOCKET && nm == libc::SO_ERROR && buf.len() >= 4 {
                // An error number the guest reads: in its numbering.
                let e = i32::from_ne_bytes(buf[..4].try_into().unwrap_or_default());
                let d = if e == 0 { 0 } else { i32::from(personality::current().errno(Errno::from_linux(e))) };
                buf[..4].copy_from_slice(&d.to_ne_bytes());
            }
            buf
        }
        SockOpt::NoSigPipe => {
            is_socket(fd)?;
            i32::from(nosigpipe(fd)).to_ne_bytes().to_vec()
        }
        SockOpt::Ignore => {
            is_socket(fd)?;
            0i32.to_ne_bytes().to_vec()
        }
        SockOpt::Unsupported => {
            is_socket(fd)?;
            return Err(ENOPROTOOPT);
        }
    };
    out.truncate(room as usize);
    mem::write_bytes(val, &out)?;
    mem::write(lenp, &(out.len() as u32))?;
    ok_int(0)
}

/// Whether `fd` is a local (AF_UNIX) socket; ENOTSOCK if no socket.
fn is_local(fd: i32) -> Result<bool, Errno> {
    let mut b = [0u8; 4];
    net::getsockopt(fd, libc::SOL_SOCKET, libc::SO_DOMAIN, &mut b)?;
    Ok(i32::from_ne_bytes(b) == libc::AF_UNIX)
}

/// LOCAL_PEERCRED: the peer's credentials as it connected, a FreeBSD
/// `struct xucred` (88 bytes: version 0, effective uid, the group count,
/// 16 groups with the effective gid first, the pid at 80). A socket with
/// no peer is ENOTCONN for a stream, EINVAL else (`uipc_ctloutput`).
fn peer_xucred(fd: i32) -> Result<Vec<u8>, Errno> {
    let mut cred = [0u8; 12];
    net::getsockopt(fd, libc::SOL_SOCKET, libc::SO_PEERCRED, &mut cred)?;
    let at = |o: usize| u32::from_ne_bytes(cred[o..o + 4].try_into().unwrap_or_default());
    let (pid, uid, gid) = (at(0), at(4), at(8));
    if pid == 0 && uid == u32::MAX {
        let mut t = [0u8; 4];
        net::getsockopt(fd, libc::SOL_SOCKET, libc::SO_TYPE, &mut t)?;
        return Err(if i32::from_ne_bytes(t) == libc::SOCK_STREAM { ENOTCONN } else { EINVAL });
    }
    let mut gbuf = [0u8; 4 * 64];
    let n = net::getsockopt(fd, libc::SOL_SOCKET, libc::SO_PEERGROUPS, &mut gbuf).unwrap_or(0);
    let supp: Vec<u32> =
        gbuf[..n].chunks_exact(4).map(|c| u32::from_ne_bytes(c.try_into().unwrap_or_default())).collect();
    Ok(xucred(uid, &super::proc::bsd_groups(gid, &supp), pid))
}

/// A FreeBSD `struct xucred` (XU_NGROUPS 16 groups at most).
pub fn xucred(uid: u32, groups: &[u32], pid: u32) -> Vec<u8> {
    let mut x = vec![0u8; 88];
    x[4..8].copy_from_slice(&uid.to_ne_bytes());
    let ng = groups.len().min(16);
    x[8..10].copy_from_slice(&(ng as u16).to_ne_bytes());
    for (i, g) in groups.iter().take(16).enumerate() {
        x[12 + 4 * i..16 + 4 * i].copy_from_slice(&g.to_ne_bytes());
    }
    x[80..84].copy_from_slice(&pid.to_ne_bytes());
    x
}

fn send_flags(fd: i32, flags: i32) -> i32 {
    let mut f = (n().msg_flags_to_host)(flags);
    if nosigpipe(fd) {
        f |= libc::MSG_NOSIGNAL;
    }
    f
}

/// sendto(2).
pub fn sendto(_: &mut Ctx, a: &Args) -> SysResult {
    let fd = a.int(0);
    let to = if a.ptr(4) != 0 { Some(read_addr(a.ptr(4), a.uint(5))?) } else { None };
    let len = mem::user_len(a.ptr(1), a.usize(2));
    let sent = net::sendto(fd, a.guest(1), len, send_flags(fd, a.int(3)), to.as_deref())?;
    ok(mem::short_transfer(sent, a.ptr(1), len, mem::Dir::FromGuest)?)
}

/// recvfrom(2).
pub fn recvfrom(_: &mut Ctx, a: &Args) -> SysResult {
    let (from, fromlenp) = (a.ptr(4), a.ptr(5));
    // An address is wanted when `from` is set. A NULL length pointer then
    // means room 0, and the length written back at the end faults.
    let room = match (from, fromlenp) {
        (0, _) => None,
        (_, 0) => Some(0),
        (_, lp) => Some(addr_room(lp)?),
    };
    let len = mem::user_len(a.ptr(1), a.usize(2));
    let (got, addr) = net::recvfrom(a.int(0), a.guest(1), len, (n().msg_flags_to_host)(a.int(3)), room.is_some())?;
    let got = mem::short_transfer(got, a.ptr(1), len, mem::Dir::ToGuest)?;
    if let Some(room) = room {
        write_addr(addr.bytes(), from, fromlenp, room)?;
    }
    ok(got)
}

/// sendmsg(2).
pub fn sendmsg(_: &mut Ctx, a: &Args) -> SysResult {
    let fd = a.int(0);
    let m: Msghdr = mem::read(a.ptr(1))?;
    // DragonFly's order: the name, the iovec count, the control data, and
    // only then the descriptor.
    let name = if m.msg_name != 0 { Some(read_addr(m.msg_name, m.msg_namelen)?) } else { None };
    personality::current().limits.check_iovcnt(m.msg_iovlen as u32)?;
    let control = if m.msg_control != 0 {
        let (min, max) = personality::current().limits.control_len;
        let len = m.msg_controllen as usize;
        if !(min..=max).contains(&len) {
            return Err(EINVAL);
        }
        Some((n().cmsg_to_host)(&mem::read_bytes(m.msg_control, len)?)?)
    } else {
        None
    };
    let msg = net::SendMsg {
        name: name.as_deref(),
        iov: GuestPtr(m.msg_iov),
        iovlen: m.msg_iovlen as u32 as usize,
        control: control.as_deref(),
    };
    ok(net::sendmsg(fd, &msg, send_flags(fd, a.int(2)))?)
}

/// recvmsg(2).
pub fn recvmsg(_: &mut Ctx, a: &Args) -> SysResult {
    let mut m: Msghdr = mem::read(a.ptr(1))?;
    personality::current().limits.check_iovcnt(m.msg_iovlen as u32)?;
    let mut control = vec![0u8; if m.msg_control != 0 { (m.msg_controllen as usize).min(1 << 16) } else { 0 }];
    let got = net::recvmsg(
        a.int(0),
        GuestPtr(m.msg_iov),
        m.msg_iovlen as u32 as usize,
        m.msg_name != 0,
        &mut control,
        (n().msg_flags_to_host)(a.int(2)),
    )?;
    if m.msg_name != 0 {
        let bsd = (n().sockaddr_from_host)(got.name.bytes());
        let k = bsd.len().min(m.msg_namelen as usize);
        mem::write_bytes(m.msg_name, &bsd[..k])?;
        m.msg_namelen = k as u32;
    }
    if m.msg_control != 0 {
        let bsd = (n().cmsg_from_host)(&control[..got.controllen]);
        mem::write_bytes(m.msg_control, &bsd)?;
        m.msg_controllen = bsd.len() as u32;
    }
    m.msg_flags = (n().msg_flags_from_host)(got.flags);
    mem::write(a.ptr(1), &m)?;
    ok(got.n)
}

/// `sendfile(fd, s, offset, nbytes, hdtr, sbytes, flags)`:
/// sends from file `fd` at `offset` (its own offset unchanged) to socket
/// `s`; `nbytes` 0 means to the end of the file; the count sent goes to
/// `*sbytes`, also when the socket would block. Headers and trailers are
/// written around the file data.
pub fn sendfile(_: &mut Ctx, a: &Args) -> SysResult {
    let (fd, s, mut off, nbytes, hdtr, sbytes) = (a.int(0), a.int(1), a.i64(2), a.usize(3), a.ptr(4), a.ptr(5));
    // DragonFly reads no flags at all (so no EINVAL for any).
    let _flags = a.slot(6)?;
    if off < 0 {
        return Err(EINVAL);
    }
    let mut sent: u64 = 0;
    let (mut hdr, mut trl) = ((0u64, 0i32), (0u64, 0i32));
    if hdtr != 0 {
        // struct sf_hdtr { struct iovec *headers; int hdr_cnt; struct iovec *trailers; int trl_cnt; }
        let raw: [u64; 4] = mem::read(hdtr)?;
        hdr = (raw[0], raw[1] as i32);
        trl = (raw[2], raw[3] as i32);
        for (iov, n) in [hdr, trl] {
            if iov != 0 {
                personality::current().limits.check_iovcnt(n as u32)?;
            }
        }
    }
    let result = (|| -> Result<(), Errno> {
        if hdr.0 != 0 && hdr.1 > 0 {
            sent += fs::writev(s, GuestPtr(hdr.0), hdr.1 as u32)?;
        }
        let mut left = if nbytes == 0 { usize::MAX } else { nbytes };
        while left > 0 {
            let chunk = left.min(1 << 30);
            let k = net::sendfile(s, fd, &mut off, chunk)?;
            if k == 0 {
                break;
            }
            sent += k;
            left -= k as usize;
        }
        if trl.0 != 0 && trl.1 > 0 {
            sent += fs::writev(s, GuestPtr(trl.0), trl.1 as u32)?;
        }
        Ok(())
    })();
    if sbytes != 0 {
        mem::write(sbytes, &(sent as i64))?;
    }
    result?;
    ok_int(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_xucred_has_the_uid_groups_egid_first_and_the_pid_at_80() {
        let x = xucred(1000, &[10, 20], 4242);
        assert_eq!(x.len(), 88);
        assert_eq!(&x[0..4], &[0; 4], "XUCRED_VERSION 0");
        assert_eq!(u32::from_ne_bytes(x[4..8].try_into().unwrap()), 1000);
        assert_eq!(u16::from_ne_bytes(x[8..10].try_into().unwrap()), 2);
        assert_eq!(u32::from_ne_bytes(x[12..16].try_into().unwrap()), 10);
        assert_eq!(u32::from_ne_bytes(x[16..20].try_into().unwrap()), 20);
        assert_eq!(u32::from_ne_bytes(x[80..84].try_into().unwrap()), 4242);
        let many: Vec<u32> = (0..40).collect();
        assert_eq!(u16::from_ne_bytes(xucred(0, &many, 1)[8..10].try_into().unwrap()), 16, "XU_NGROUPS");
    }
}
