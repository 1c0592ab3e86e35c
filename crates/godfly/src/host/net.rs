//! Sockets. Addresses and control data are host (Linux) bytes that godfly
//! translated; data buffers and iovec arrays stay in guest memory.

use super::raw::{self, mut_ptr, ptr};
use super::{Errno, GuestPtr};

/// socket(2) with Linux domain and type (flags included).
pub fn socket(domain: i32, ty: i32, proto: i32) -> Result<i32, Errno> {
    // SAFETY: integers only.
    unsafe { raw::sys(libc::SYS_socket, &[domain as u64, ty as u64, proto as u64]) }.map(|v| v as i32)
}

/// socketpair(2).
pub fn socketpair(domain: i32, ty: i32, proto: i32) -> Result<[i32; 2], Errno> {
    let mut sv = [0i32; 2];
    // SAFETY: sv is a live two-int host array.
    unsafe { raw::sys(libc::SYS_socketpair, &[domain as u64, ty as u64, proto as u64, mut_ptr(&mut sv)]) }?;
    Ok(sv)
}

/// bind(2) with a host address.
pub fn bind(fd: i32, addr: &[u8]) -> Result<(), Errno> {
    // SAFETY: addr is a live host buffer of its length.
    unsafe { raw::sys(libc::SYS_bind, &[fd as u64, ptr(addr), addr.len() as u64]) }.map(|_| ())
}

/// connect(2) with a host address.
pub fn connect(fd: i32, addr: &[u8]) -> Result<(), Errno> {
    // SAFETY: addr is a live host buffer of its length.
    unsafe { raw::sys_blocking(libc::SYS_connect, &[fd as u64, ptr(addr), addr.len() as u64]) }.map(|_| ())
}

/// listen(2).
pub fn listen(fd: i32, backlog: i32) -> Result<(), Errno> {
    // SAFETY: integers only.
    unsafe { raw::sys(libc::SYS_listen, &[fd as u64, backlog as u64]) }.map(|_| ())
}

/// Room for a host socket address (`sockaddr_storage`).
pub const ADDR_ROOM: usize = 128;

/// A socket address as the host wrote it.
#[derive(Debug, Clone, Copy)]
pub struct HostAddr {
    buf: [u8; ADDR_ROOM],
    len: usize,
}

impl HostAddr {
    /// The address bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.buf[..self.len.min(ADDR_ROOM)]
    }
}

fn empty_addr() -> HostAddr {
    HostAddr { buf: [0; ADDR_ROOM], len: ADDR_ROOM }
}

/// accept4(2) with Linux flags; the peer address if `want_addr`.
pub fn accept4(fd: i32, want_addr: bool, flags: i32) -> Result<(i32, HostAddr), Errno> {
    let mut a = empty_addr();
    let mut len = ADDR_ROOM as u32;
    let (ap, lp) = if want_addr { (mut_ptr(&mut a.buf), mut_ptr(&mut len)) } else { (0, 0) };
    // SAFETY: the address buffer and its length are live host values (or NULL).
    let fd = unsafe { raw::sys_blocking(libc::SYS_accept4, &[fd as u64, ap, lp, flags as u64]) }? as i32;
    a.len = if want_addr { len as usize } else { 0 };
    Ok((fd, a))
}

fn name(nr: i64, fd: i32) -> Result<HostAddr, Errno> {
    let mut a = empty_addr();
    let mut len = ADDR_ROOM as u32;
    // SAFETY: the address buffer and its length are live host values.
    unsafe { raw::sys(nr, &[fd as u64, mut_ptr(&mut a.buf), mut_ptr(&mut len)]) }?;
    a.len = len as usize;
    Ok(a)
}

/// getsockname(2).
pub fn getsockname(fd: i32) -> Result<HostAddr, Errno> {
    name(libc::SYS_getsockname, fd)
}

/// getpeername(2).
pub fn getpeername(fd: i32) -> Result<HostAddr, Errno> {
    name(libc::SYS_getpeername, fd)
}

/// shutdown(2); SHUT_RD/WR/RDWR are 0/1/2 everywhere.
pub fn shutdown(fd: i32, how: i32) -> Result<(), Errno> {
    // SAFETY: integers only.
    unsafe { raw::sys(libc::SYS_shutdown, &[fd as u64, how as u64]) }.map(|_| ())
}

/// setsockopt(2) with a host value.
pub fn setsockopt(fd: i32, level: i32, name: i32, val: &[u8]) -> Result<(), Errno> {
    // SAFETY: val is a live host buffer of its length.
    unsafe { raw::sys(libc::SYS_setsockopt, &[fd as u64, level as u64, name as u64, ptr(val), val.len() as u64]) }
        .map(|_| ())
}

/// getsockopt(2) into a host buffer; returns the length written.
pub fn getsockopt(fd: i32, level: i32, name: i32, val: &mut [u8]) -> Result<usize, Errno> {
    let mut len = val.len() as u32;
    // SAFETY: val and len are live, writable host values.
    unsafe {
        raw::sys(libc::SYS_getsockopt, &[fd as u64, level as u64, name as u64, mut_ptr(val), mut_ptr(&mut len)])
    }?;
    Ok((len as usize).min(val.len()))
}

/// An `int` socket option.
pub fn getsockopt_int(fd: i32, level: i32, name: i32) -> Result<i32, Errno> {
    let mut b = [0u8; 4];
    getsockopt(fd, level, name, &mut b)?;
    Ok(i32::from_ne_bytes(b))
}

/// send(2) of host bytes.
pub fn send_host(fd: i32, buf: &[u8], flags: i32) -> Result<usize, Errno> {
    // SAFETY: buf is a live host buffer of its length.
    unsafe { raw::sys(libc::SYS_sendto, &[fd as u64, ptr(buf), buf.len() as u64, flags as u64, 0, 0]) }
        .map(|n| n as usize)
}

/// recv(2) into host bytes.
pub fn recv_host(fd: i32, buf: &mut [u8], flags: i32) -> Result<usize, Errno> {
    let len = buf.len() as u64;
    // SAFETY: buf is a live, writable host buffer of its length.
    unsafe { raw::sys(libc::SYS_recvfrom, &[fd as u64, mut_ptr(buf), len, flags as u64, 0, 0]) }.map(|n| n as usize)
}

/// A NETLINK_ROUTE socket (non-blocking, close-on-exec) that hears of
/// every change to links, addresses and routes: the multicast groups
/// RTMGRP_LINK, IPV4_IFADDR, IPV4_ROUTE, IPV6_IFADDR, IPV6_ROUTE.
pub fn route_monitor() -> Result<i32, Errno> {
    const GROUPS: u32 = 0x1 | 0x10 | 0x40 | 0x100 | 0x400;
    let fd = socket(libc::AF_NETLINK, libc::SOCK_RAW | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC, libc::NETLINK_ROUTE)?;
    let mut sa = [0u8; 12];
    sa[..2].copy_from_slice(&(libc::AF_NETLINK as u16).to_ne_bytes());
    sa[8..12].copy_from_slice(&GROUPS.to_ne_bytes());
    if let Err(e) = bind(fd, &sa) {
        let _ = super::fd::close(fd);
        return Err(e);
    }
    Ok(fd)
}

/// sendto(2) from guest memory, to a host address or none.
pub fn sendto(fd: i32, buf: GuestPtr, len: usize, flags: i32, to: Option<&[u8]>) -> Result<u64, Errno> {
    let (tp, tl) = to.map_or((0, 0), |t| (ptr(t), t.len() as u64));
    // SAFETY: buf is guest memory; the address is a live host buffer or NULL.
    unsafe { raw::sys_blocking(libc::SYS_sendto, &[fd as u64, buf.0, len as u64, flags as u64, tp, tl]) }
}

/// recvfrom(2) into guest memory, with the sender's address if wanted.
pub fn recvfrom(fd: i32, buf: GuestPtr, len: usize, flags: i32, want_addr: bool) -> Result<(u64, HostAddr), Errno> {
    let mut a = empty_addr();
    let mut alen = ADDR_ROOM as u32;
    let (ap, lp) = if want_addr { (mut_ptr(&mut a.buf), mut_ptr(&mut alen)) } else { (0, 0) };
    // SAFETY: buf is guest memory; the address buffer is host memory or NULL.
    let n = unsafe { raw::sys_blocking(libc::SYS_recvfrom, &[fd as u64, buf.0, len as u64, flags as u64, ap, lp]) }?;
    a.len = if want_addr { alen as usize } else { 0 };
    Ok((n, a))
}

/// A message to send: host address and control data, guest iovecs.
#[derive(Debug, Clone, Copy)]
pub struct SendMsg<'a> {
    pub name: Option<&'a [u8]>,
    pub iov: GuestPtr,
    pub iovlen: usize,
    pub control: Option<&'a [u8]>,
}

fn msghdr() -> libc::msghdr {
    // SAFETY: msghdr is plain data for which all-zero is valid (null pointers, zero lengths).
    unsafe { std::mem::zeroed() }
}

/// sendmsg(2).
pub fn sendmsg(fd: i32, m: &SendMsg<'_>, flags: i32) -> Result<u64, Errno> {
    let mut hm = msghdr();
    if let Some(n) = m.name {
        hm.msg_name = n.as_ptr() as *mut _;
        hm.msg_namelen = n.len() as u32;
    }
    hm.msg_iov = m.iov.0 as *mut _;
    hm.msg_iovlen = m.iovlen;
    if let Some(c) = m.control {
        hm.msg_control = c.as_ptr() as *mut _;
        hm.msg_controllen = c.len();
    }
    // SAFETY: the msghdr points at live host buffers (name, control) and at
    // guest iovecs, which the kernel validates; it only reads them.
    unsafe { raw::sys_blocking(libc::SYS_sendmsg, &[fd as u64, ptr(&hm), flags as u64]) }
}

/// What recvmsg(2) gave back.
#[derive(Debug)]
pub struct Received {
    /// Bytes received.
    pub n: u64,
    /// The sender's address (empty if none was asked for).
    pub name: HostAddr,
    /// Control data bytes written into the caller's buffer.
    pub controllen: usize,
    /// Linux `msg_flags`.
    pub flags: i32,
}

/// recvmsg(2): guest iovecs, host address and control buffers.
pub fn recvmsg(
    fd: i32,
    iov: GuestPtr,
    iovlen: usize,
    want_name: bool,
    control: &mut [u8],
    flags: i32,
) -> Result<Received, Errno> {
    let mut hm = msghdr();
    let mut name = empty_addr();
    if want_name {
        hm.msg_name = name.buf.as_mut_ptr().cast();
        hm.msg_namelen = ADDR_ROOM as u32;
    }
    hm.msg_iov = iov.0 as *mut _;
    hm.msg_iovlen = iovlen;
    if !control.is_empty() {
        hm.msg_control = control.as_mut_ptr().cast();
        hm.msg_controllen = control.len();
    }
    // SAFETY: name and control are live, writable host buffers of the
    // lengths given; the iovecs are guest memory the kernel validates.
    let n = unsafe { raw::sys_blocking(libc::SYS_recvmsg, &[fd as u64, mut_ptr(&mut hm), flags as u64]) }?;
    name.len = if want_name { hm.msg_namelen as usize } else { 0 };
    Ok(Received { n, name, controllen: hm.msg_controllen.min(control.len()), flags: hm.msg_flags })
}

/// sendfile(2) of up to `count` bytes from `in_fd` at `*off` to `out_fd`.
pub fn sendfile(out_fd: i32, in_fd: i32, off: &mut i64, count: usize) -> Result<u64, Errno> {
    // SAFETY: off is a live, writable host value.
    unsafe { raw::sys_blocking(libc::SYS_sendfile, &[out_fd as u64, in_fd as u64, mut_ptr(off), count as u64]) }
}
