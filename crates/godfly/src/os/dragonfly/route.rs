//! Routing-socket messages for the route sysctls (`net/route.h`,
//! RTM_VERSION 7, `rtsock.c sysctl_rtsock`):
//! - NET_RT_IFLIST: per interface an RTM_IFINFO `if_msghdr` (176 bytes,
//!   index at 4, flags at 8, addrs at 12 as RTM_VERSION 7 has them in
//!   `net/if.h`; `if_data` at offset 16 with the MTU at +8) with the interface's
//!   56-byte `sockaddr_dl`, then one RTM_NEWADDR `ifa_msghdr` (24 bytes) per
//!   address with netmask (trimmed, as `in_socktrim` leaves it), address
//!   and broadcast sockaddrs;
//! - NET_RT_DUMP and NET_RT_FLAGS: one RTM_GET `rt_msghdr` (152 bytes) per
//!   route of the host's tables with DST, GATEWAY (the next hop, or the
//!   interface's link address for a connected route), NETMASK (none for a
//!   host route), IFP and IFA.
//!
//! Each sockaddr takes its length rounded up to 8 bytes (a zero-length
//! one still takes 8).
//!
//! Go's own parsers (internal/routebsd, golang.org/x/net/route) read the
//! interface messages with the pre-version-7 order (addrs at 4, index at
//! 12), so Go 1.27's `net.Interfaces()` finds no interface on DragonFly
//! (golang/go#81503, #46674): under godfly too, as a builder must show.

use crate::host::errno::{EAFNOSUPPORT, EINVAL, EOPNOTSUPP, EPERM, EPROTONOSUPPORT, ESRCH};
use crate::host::{Errno, Interface, NetState};
use crate::personality::{RouteMessage, RouteOutput};
use crate::xlat::routes::{RTF_GATEWAY, RTF_REJECT, RTF_UP, Route};

const RTM_VERSION: u8 = 7;

/// What differs between two BSDs' routing messages: the version byte and
/// where the interface headers keep their fields (the route header,
/// `if_announcemsghdr` and the sockaddrs are laid out alike).
#[derive(Debug)]
pub struct Wire {
    pub version: u8,
    /// `if_msghdr`'s length and the offsets of `ifm_addrs`, `ifm_flags`,
    /// `ifm_index` (`if_data` follows at 16 with the MTU at +8).
    pub if_len: usize,
    pub ifm: (usize, usize, usize),
    /// `ifa_msghdr`'s length and the offsets of its addrs, flags, index.
    pub ifa_len: usize,
    pub ifam: (usize, usize, usize),
}

/// DragonFly's (RTM_VERSION 7).
pub const DRAGONFLY: Wire =
    Wire { version: RTM_VERSION, if_len: IF_MSGHDR_LEN, ifm: (12, 8, 4), ifa_len: IFA_MSGHDR_LEN, ifam: (12, 8, 4) };
const RTM_ADD: u8 = 0x1;
const RTM_DELETE: u8 = 0x2;
const RTM_GET: u8 = 0x4;
const RTM_NEWADDR: u8 = 0xc;
const RTM_DELADDR: u8 = 0xd;
const RTM_IFINFO: u8 = 0xe;
/// 0x11 (`net/route.h`; Go's `zerrors_dragonfly_amd64.go` agrees), after
/// RTM_NEWMADDR 0xf and RTM_DELMADDR 0x10; the same on FreeBSD.
const RTM_IFANNOUNCE: u8 = 0x11;
const IFAN_ARRIVAL: u16 = 0;
const IFAN_DEPARTURE: u16 = 1;
const IF_ANNOUNCEMSGHDR_LEN: usize = 24;
const RTA_DST: u32 = 0x1;
const RTA_GATEWAY: u32 = 0x2;
/// `RTAX_MAX` (`net/route.h`): the address slots a message may carry.
const RTAX_MAX: u32 = 11;
/// RTF_DONE: set in a reply the kernel has acted on.
const BSD_RTF_DONE: u32 = 0x40;
const RT_MSGHDR_LEN: usize = 0x98;
/// `rt_msghdr`'s `rtm_rmx` (struct rt_metrics) and its `rmx_mtu`.
const RTM_RMX: usize = 40;
const RMX_MTU: usize = 8;
/// BSD RTF_* (`net/route.h`).
const BSD_RTF_UP: u32 = 0x1;
const BSD_RTF_GATEWAY: u32 = 0x2;
const BSD_RTF_HOST: u32 = 0x4;
const BSD_RTF_STATIC: u32 = 0x800;
/// `sockaddr_dl`'s size before rounding (`net/if_dl.h`).
const SOCKADDR_DL_LEN: usize = 54;
const RTA_NETMASK: u32 = 0x4;
const RTA_IFP: u32 = 0x10;
const RTA_IFA: u32 = 0x20;
const RTA_BRD: u32 = 0x80;
const IF_MSGHDR_LEN: usize = 0xb0;
const IFA_MSGHDR_LEN: usize = 0x18;
const AF_LINK: u8 = 18;
const IFT_ETHER: u8 = 6;
const IFT_LOOP: u8 = 24;

/// Linux IFF_* to BSD IFF_* (MULTICAST is 0x1000 on Linux, 0x8000 on BSD).
pub fn if_flags_from_linux(f: u32) -> u32 {
    let same = f & (0x1 | 0x2 | 0x4 | 0x8 | 0x10 | 0x40 | 0x80 | 0x100 | 0x200);
    same | if f & 0x1000 != 0 { 0x8000 } else { 0 }
}

pub fn pad8(v: &mut Vec<u8>) {
    while !v.len().is_multiple_of(8) {
        v.push(0);
    }
}

pub fn sockaddr_inet(family: i32, addr: &[u8], scope: u32) -> Vec<u8> {
    if family == libc::AF_INET {
        let mut s = vec![16u8, godfly_abi::dragonfly::consts::AF_INET as u8, 0, 0];
        s.extend_from_slice(addr);
        s.resize(16, 0);
        s
    } else {
        let mut s = vec![28u8, godfly_abi::dragonfly::consts::AF_INET6 as u8, 0, 0, 0, 0, 0, 0];
        s.extend_from_slice(addr);
        s.extend_from_slice(&scope.to_ne_bytes());
        s.resize(28, 0);
        s
    }
}

pub fn sockaddr_dl(ifc: &Interface) -> Vec<u8> {
    let name = ifc.name.as_bytes();
    let ty = if ifc.flags & 0x8 != 0 { IFT_LOOP } else { IFT_ETHER };
    let mut s = vec![0u8, AF_LINK];
    s.extend_from_slice(&(ifc.index as u16).to_ne_bytes());
    s.extend_from_slice(&[ty, name.len() as u8, ifc.mac.len() as u8, 0]);
    s.extend_from_slice(name);
    s.extend_from_slice(&ifc.mac);
    // `if_attach` allocates RT_ROUNDUP(max(54, 8 + name + address)).
    let len = SOCKADDR_DL_LEN.max(8 + name.len() + ifc.mac.len()).next_multiple_of(8);
    s.resize(len, 0);
    s[0] = len.min(255) as u8;
    s
}

/// A netmask as the kernel keeps it: for IPv4 trimmed after its last
/// non-zero byte (`in_socktrim`: 255.0.0.0 is 5 bytes long, 0 is 0), for
/// IPv6 a whole sockaddr_in6 (or nothing for the zero mask).
fn sockaddr_mask(family: i32, mask: &[u8]) -> Vec<u8> {
    let Some(last) = mask.iter().rposition(|&b| b != 0) else { return Vec::new() };
    if family == libc::AF_INET {
        let mut s = sockaddr_inet(family, mask, 0);
        s.truncate(4 + last + 1);
        s[0] = s.len() as u8;
        s
    } else {
        sockaddr_inet(family, mask, 0)
    }
}

/// Appends a sockaddr the way `rt_msg_buffer` packs it: its bytes, then
/// padding to a multiple of 8 (8 bytes for an empty one).
pub fn push_sa(out: &mut Vec<u8>, sa: &[u8]) {
    out.extend_from_slice(sa);
    if sa.is_empty() {
        out.extend_from_slice(&[0; 8]);
    }
    pad8(out);
}

/// DragonFly's family number of a host family (AF_INET, AF_INET6).
fn dfly_family(host: i32) -> i32 {
    if host == libc::AF_INET { godfly_abi::dragonfly::consts::AF_INET } else { godfly_abi::dragonfly::consts::AF_INET6 }
}

/// Sets a message's length field to its length.
pub fn seal(m: &mut [u8]) {
    let len = m.len().min(u16::MAX as usize) as u16;
    m[..2].copy_from_slice(&len.to_ne_bytes());
}

/// An RTM_IFINFO `if_msghdr` with the interface's `sockaddr_dl`.
pub fn ifinfo_msg(w: &Wire, ifc: &Interface) -> Vec<u8> {
    let mut m = vec![0u8; w.if_len];
    m[2] = w.version;
    m[3] = RTM_IFINFO;
    let (a, f, i) = w.ifm;
    m[i..i + 2].copy_from_slice(&(ifc.index as u16).to_ne_bytes());
    m[f..f + 4].copy_from_slice(&if_flags_from_linux(ifc.flags).to_ne_bytes());
    m[a..a + 4].copy_from_slice(&RTA_IFP.to_ne_bytes());
    m[16 + 8..16 + 12].copy_from_slice(&ifc.mtu.to_ne_bytes());
    m.extend_from_slice(&sockaddr_dl(ifc));
    pad8(&mut m);
    seal(&mut m);
    m
}

/// An RTM_NEWADDR or RTM_DELADDR `ifa_msghdr`: NETMASK, IFA, and BRD for
/// a broadcast interface's IPv4 address.
fn ifa_msg(w: &Wire, ifc: &Interface, a: &crate::host::IfAddr, ty: u8) -> Vec<u8> {
    let mut m = vec![0u8; w.ifa_len];
    m[2] = w.version;
    m[3] = ty;
    let mut addrs = RTA_NETMASK | RTA_IFA;
    let mut body = Vec::new();
    push_sa(&mut body, &sockaddr_mask(a.family, &a.netmask));
    push_sa(&mut body, &sockaddr_inet(a.family, &a.addr, a.scope_id));
    if let (Some(b), true) = (&a.broadcast, a.family == libc::AF_INET && ifc.flags & 0x2 != 0) {
        addrs |= RTA_BRD;
        push_sa(&mut body, &sockaddr_inet(a.family, b, 0));
    }
    let (ao, fo, io) = w.ifam;
    m[io..io + 2].copy_from_slice(&(ifc.index as u16).to_ne_bytes());
    m[fo..fo + 4].copy_from_slice(&if_flags_from_linux(ifc.flags).to_ne_bytes());
    m[ao..ao + 4].copy_from_slice(&addrs.to_ne_bytes());
    m.extend_from_slice(&body);
    seal(&mut m);
    m
}

/// An RTM_IFANNOUNCE `if_announcemsghdr`: an interface came or went.
fn ifannounce_msg(w: &Wire, ifc: &Interface, arrival: bool) -> Vec<u8> {
    let mut m = vec![0u8; IF_ANNOUNCEMSGHDR_LEN];
    m[2] = w.version;
    m[3] = RTM_IFANNOUNCE;
    m[4..6].copy_from_slice(&(ifc.index as u16).to_ne_bytes());
    let name = ifc.name.as_bytes();
    let n = name.len().min(15);
    m[6..6 + n].copy_from_slice(&name[..n]);
    let what = if arrival { IFAN_ARRIVAL } else { IFAN_DEPARTURE };
    m[22..24].copy_from_slice(&what.to_ne_bytes());
    seal(&mut m);
    m
}

/// Builds the NET_RT_IFLIST answer for `af` (0 = all) and `index` (0 = all).
pub fn iflist(ifcs: &[Interface], af: i32, index: u32) -> Vec<u8> {
    iflist_with(&DRAGONFLY, ifcs, af, index)
}

/// `iflist` in another system's wire format.
pub fn iflist_with(w: &Wire, ifcs: &[Interface], af: i32, index: u32) -> Vec<u8> {
    let mut out = Vec::new();
    for ifc in ifcs.iter().filter(|i| index == 0 || i.index == index) {
        out.extend_from_slice(&ifinfo_msg(w, ifc));
        for a in ifc.addrs.iter().filter(|a| af == 0 || af == dfly_family(a.family)) {
            out.extend_from_slice(&ifa_msg(w, ifc, a, RTM_NEWADDR));
        }
    }
    out
}

/// The BSD flags of a host route.
fn route_flags(r: &Route) -> u32 {
    let full = if r.family == libc::AF_INET { 32 } else { 128 };
    let mut f = BSD_RTF_UP;
    if r.flags & RTF_GATEWAY != 0 {
        f |= BSD_RTF_GATEWAY | BSD_RTF_STATIC;
    }
    if u32::from(r.prefix) == full {
        f |= BSD_RTF_HOST;
    }
    f
}

/// Whether a host route is one DragonFly would list: up, not a reject.
fn usable(r: &Route) -> bool {
    r.flags & RTF_UP != 0 && r.flags & RTF_REJECT == 0
}

/// An `rt_msghdr` of type `ty` for route `r` on `ifc`: DST, GATEWAY (the
/// next hop, or the interface's link address), NETMASK unless a host
/// route, and with `ifp` the IFP and IFA slots.
fn rt_msg(w: &Wire, r: &Route, ifc: &Interface, ty: u8, ifp: bool) -> Vec<u8> {
    let fam = r.family;
    let bflags = route_flags(r);
    let mut body = Vec::new();
    let mut addrs = RTA_DST | RTA_GATEWAY;
    let scope = ifc.index;
    let link_local = |a: &[u8]| fam == libc::AF_INET6 && a[0] == 0xfe && a[1] & 0xc0 == 0x80;
    push_sa(&mut body, &sockaddr_inet(fam, &r.dst, if link_local(&r.dst) { scope } else { 0 }));
    match &r.gateway {
        Some(g) => push_sa(&mut body, &sockaddr_inet(fam, g, if link_local(g) { scope } else { 0 })),
        None => push_sa(&mut body, &sockaddr_dl(ifc)),
    }
    if bflags & BSD_RTF_HOST == 0 {
        addrs |= RTA_NETMASK;
        push_sa(&mut body, &sockaddr_mask(fam, &crate::xlat::routes::mask_of(r.prefix, r.dst.len())));
    }
    if ifp {
        addrs |= RTA_IFP;
        push_sa(&mut body, &sockaddr_dl(ifc));
        if let Some(a) = ifc.addrs.iter().find(|a| a.family == fam) {
            addrs |= RTA_IFA;
            push_sa(&mut body, &sockaddr_inet(fam, &a.addr, a.scope_id));
        }
    }
    let mut m = vec![0u8; RT_MSGHDR_LEN];
    m[2] = w.version;
    m[3] = ty;
    m[4..6].copy_from_slice(&(ifc.index as u16).to_ne_bytes());
    m[8..12].copy_from_slice(&bflags.to_ne_bytes());
    m[12..16].copy_from_slice(&addrs.to_ne_bytes());
    let mtu = u64::from(if r.mtu != 0 { r.mtu } else { ifc.mtu });
    m[RTM_RMX + RMX_MTU..RTM_RMX + RMX_MTU + 8].copy_from_slice(&mtu.to_ne_bytes());
    m.extend_from_slice(&body);
    seal(&mut m);
    m
}

/// The NET_RT_DUMP (`flags` None) or NET_RT_FLAGS (routes with any of
/// `flags`) answer for DragonFly family `af` (0: all, IPv4 first); EINVAL
/// for a family without a routing table, as DragonFly's `sysctl_rttable`.
pub fn rtdump(routes: &[Route], ifcs: &[Interface], af: i32, flags: Option<u32>) -> Result<Vec<u8>, Errno> {
    rtdump_with(&DRAGONFLY, routes, ifcs, af, flags)
}

/// `rtdump` in another system's wire format.
pub fn rtdump_with(
    w: &Wire,
    routes: &[Route],
    ifcs: &[Interface],
    af: i32,
    flags: Option<u32>,
) -> Result<Vec<u8>, Errno> {
    use godfly_abi::dragonfly::consts::{AF_INET, AF_INET6};
    let families: &[i32] = match af {
        0 => &[libc::AF_INET, libc::AF_INET6],
        AF_INET => &[libc::AF_INET],
        AF_INET6 => &[libc::AF_INET6],
        _ => return Err(EINVAL),
    };
    let mut out = Vec::new();
    for &fam in families {
        for r in routes.iter().filter(|r| r.family == fam && usable(r)) {
            let Some(ifc) = ifcs.iter().find(|i| i.name == r.ifname) else { continue };
            if flags.is_some_and(|want| route_flags(r) & want == 0) {
                continue;
            }
            out.extend_from_slice(&rt_msg(w, r, ifc, RTM_GET, true));
        }
    }
    Ok(out)
}

/// `rt_msghdr` fields written back in a reply (`route_output`).
const RTM_PID: usize = 16;
const RTM_ERRNO: usize = 24;
/// AF_MAX: a larger destination or gateway family is EINVAL.
const AF_MAX: u8 = 36;

/// The address slots of a message body (`rt_xaddrs`): for each bit of
/// `addrs` in RTAX order, while the body lasts, its sockaddr; one running
/// past the end is EINVAL, and a zero-length one stands for an empty
/// AF_INET address and ends the list. Bits past the body's end have no
/// slot.
fn xaddrs(addrs: u32, mut body: &[u8]) -> Result<Vec<(u32, Vec<u8>)>, Errno> {
    let mut out = Vec::new();
    for i in 0..RTAX_MAX {
        let bit = 1u32 << i;
        if addrs & bit == 0 {
            continue;
        }
        let Some(&len) = body.first() else { break };
        if len == 0 {
            out.push((bit, vec![16, godfly_abi::dragonfly::consts::AF_INET as u8, 0, 0, 0, 0, 0, 0]));
            break;
        }
        if usize::from(len) > body.len() {
            return Err(EINVAL);
        }
        out.push((bit, body[..usize::from(len)].to_vec()));
        body = body.get(usize::from(len).next_multiple_of(8)..).unwrap_or(&[]);
    }
    Ok(out)
}

/// A sockaddr_in/in6 slot as (host family, address bytes).
fn inet_of(sa: &[u8]) -> Option<(i32, Vec<u8>)> {
    let fam = i32::from(*sa.get(1)?);
    if fam == godfly_abi::dragonfly::consts::AF_INET {
        let mut a = sa.get(4..8.min(sa.len())).unwrap_or(&[]).to_vec();
        a.resize(4, 0);
        Some((libc::AF_INET, a))
    } else if fam == godfly_abi::dragonfly::consts::AF_INET6 {
        let mut a = sa.get(8..24.min(sa.len())).unwrap_or(&[]).to_vec();
        a.resize(16, 0);
        Some((libc::AF_INET6, a))
    } else {
        None
    }
}

/// The prefix length of a netmask's bytes (the leading one bits).
fn prefix_of(mask: &[u8]) -> u8 {
    let mut n = 0u32;
    for &b in mask {
        n += b.leading_ones();
        if b != 0xff {
            break;
        }
    }
    n as u8
}

fn matches(r: &Route, fam: i32, dst: &[u8]) -> bool {
    let mask = crate::xlat::routes::mask_of(r.prefix, r.dst.len());
    r.family == fam && r.dst.len() == dst.len() && r.dst.iter().zip(dst).zip(&mask).all(|((a, b), m)| a & m == b & m)
}

/// What a message written to a routing socket does (`route_output`):
/// RTM_GET is answered from the host's tables, with the longest matching
/// prefix (or, given a netmask and no RTF_HOST, the route of exactly that
/// prefix); ESRCH when none, EAFNOSUPPORT for a family without a table.
/// Any other type is EPERM but for root, and godfly does not change the
/// host's routes (EOPNOTSUPP). Once the header is sound the message comes
/// back, rebuilt for RTM_GET, with `rtm_errno` set on failure, and the
/// write fails with the same errno.
pub fn output(msg: &[u8], st: &NetState, pid: i32, root: bool) -> RouteOutput {
    output_with(&DRAGONFLY, msg, st, pid, root)
}

/// `output` in another system's wire format.
pub fn output_with(w: &Wire, msg: &[u8], st: &NetState, pid: i32, root: bool) -> RouteOutput {
    let fail = |e| RouteOutput { reply: None, result: Err(e) };
    if msg.len() < RT_MSGHDR_LEN || usize::from(u16::from_ne_bytes([msg[0], msg[1]])) != msg.len() {
        return fail(EINVAL);
    }
    let mut rtm = msg.to_vec();
    rtm[RTM_PID..RTM_PID + 4].copy_from_slice(&pid.to_ne_bytes());
    // Until DST is known the echo is for every reader; then for DST's family.
    let echo_to = |fam: i32, mut m: Vec<u8>, e: Errno| {
        m[RTM_ERRNO..RTM_ERRNO + 4]
            .copy_from_slice(&(super::errno::from_linux(i32::from(e.get())) as i32).to_ne_bytes());
        RouteOutput { reply: Some((fam, m)), result: Err(e) }
    };
    let echo = |m: Vec<u8>, e: Errno| echo_to(0, m, e);
    if rtm[2] != w.version {
        return echo(rtm, EPROTONOSUPPORT);
    }
    let ty = rtm[3];
    let flags = u32::from_ne_bytes(rtm[8..12].try_into().unwrap_or_default());
    let addrs = u32::from_ne_bytes(rtm[12..16].try_into().unwrap_or_default());
    let slots = match xaddrs(addrs, &rtm[RT_MSGHDR_LEN..]) {
        Ok(s) => s,
        Err(e) => return echo(rtm, e),
    };
    let slot = |bit| slots.iter().find(|(b, _)| *b == bit).map(|(_, sa)| sa.as_slice());
    let Some(dst) = slot(RTA_DST) else { return echo(rtm, EINVAL) };
    if dst.get(1).is_some_and(|&f| f >= AF_MAX)
        || slot(RTA_GATEWAY).and_then(|g| g.get(1)).is_some_and(|&f| f >= AF_MAX)
    {
        return echo(rtm, EINVAL);
    }
    let dst_fam = i32::from(dst.get(1).copied().unwrap_or(0));
    if ty != RTM_GET {
        return echo_to(dst_fam, rtm, if root { EOPNOTSUPP } else { EPERM });
    }
    let Some((fam, addr)) = inet_of(dst) else { return echo_to(dst_fam, rtm, EAFNOSUPPORT) };
    let exact = slot(RTA_NETMASK).filter(|_| flags & BSD_RTF_HOST == 0).map(|m| {
        let mut b = inet_of(m).map(|(_, b)| b).unwrap_or_default();
        b.resize(addr.len(), 0);
        prefix_of(&b)
    });
    let found = st
        .routes
        .iter()
        .filter(|r| usable(r) && matches(r, fam, &addr) && exact.is_none_or(|p| r.prefix == p))
        .filter_map(|r| Some((r, st.ifcs.iter().find(|i| i.name == r.ifname)?)))
        .max_by_key(|(r, _)| (r.prefix, std::cmp::Reverse(r.metric)));
    let Some((r, ifc)) = found else { return echo_to(dst_fam, rtm, ESRCH) };
    let mut m = rt_msg(w, r, ifc, RTM_GET, addrs & (RTA_IFP | RTA_IFA) != 0);
    // The caller's own fields stay: its pid (as the kernel sets it), seq,
    // use, inits; flags gain RTF_DONE.
    m[RTM_PID..RTM_PID + 8].copy_from_slice(&rtm[RTM_PID..RTM_PID + 8]);
    m[28..40].copy_from_slice(&rtm[28..40]);
    let f = route_flags(r) | BSD_RTF_DONE;
    m[8..12].copy_from_slice(&f.to_ne_bytes());
    RouteOutput { reply: Some((dfly_family(fam), m)), result: Ok(()) }
}

/// The messages a routing socket reader gets for the change from `old`
/// to `new`, each with its family (0 for interface messages, which every
/// reader gets): RTM_IFANNOUNCE and RTM_IFINFO for interfaces that came,
/// went or changed flags, RTM_DELADDR and RTM_NEWADDR for addresses,
/// RTM_DELETE and RTM_ADD for routes.
pub fn changes(old: &NetState, new: &NetState) -> Vec<RouteMessage> {
    changes_with(&DRAGONFLY, old, new)
}

/// `changes` in another system's wire format.
pub fn changes_with(w: &Wire, old: &NetState, new: &NetState) -> Vec<RouteMessage> {
    let mut out = Vec::new();
    for n in &new.ifcs {
        match old.ifcs.iter().find(|o| o.index == n.index) {
            None => {
                out.push((0, ifannounce_msg(w, n, true)));
                out.push((0, ifinfo_msg(w, n)));
            }
            Some(o) if o.flags != n.flags || o.mtu != n.mtu => out.push((0, ifinfo_msg(w, n))),
            Some(_) => {}
        }
    }
    let key = |a: &crate::host::IfAddr| (a.family, a.addr.clone(), a.netmask.clone());
    for o in &old.ifcs {
        let now = new.ifcs.iter().find(|n| n.index == o.index);
        for a in &o.addrs {
            if !now.is_some_and(|n| n.addrs.iter().any(|b| key(b) == key(a))) {
                out.push((dfly_family(a.family), ifa_msg(w, o, a, RTM_DELADDR)));
            }
        }
        if now.is_none() {
            out.push((0, ifannounce_msg(w, o, false)));
        }
    }
    for n in &new.ifcs {
        let before = old.ifcs.iter().find(|o| o.index == n.index);
        for a in &n.addrs {
            if !before.is_some_and(|o| o.addrs.iter().any(|b| key(b) == key(a))) {
                out.push((dfly_family(a.family), ifa_msg(w, n, a, RTM_NEWADDR)));
            }
        }
    }
    let rkey = |r: &Route| (r.family, r.dst.clone(), r.prefix, r.gateway.clone(), r.ifname.clone());
    for r in old.routes.iter().filter(|r| usable(r)) {
        if !new.routes.iter().any(|n| usable(n) && rkey(n) == rkey(r))
            && let Some(ifc) = old.ifcs.iter().find(|i| i.name == r.ifname)
        {
            out.push((dfly_family(r.family), rt_msg(w, r, ifc, RTM_DELETE, true)));
        }
    }
    for r in new.routes.iter().filter(|r| usable(r)) {
        if !old.routes.iter().any(|o| usable(o) && rkey(o) == rkey(r))
            && let Some(ifc) = new.ifcs.iter().find(|i| i.name == r.ifname)
        {
            out.push((dfly_family(r.family), rt_msg(w, r, ifc, RTM_ADD, true)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::IfAddr;

    #[test]
    fn message_types_are_the_ones_gos_syscall_package_names() {
        // zerrors_dragonfly_amd64.go: RTM_NEWADDR 0xc, RTM_DELADDR 0xd,
        // RTM_IFINFO 0xe, RTM_IFANNOUNCE 0x11.
        assert_eq!((RTM_NEWADDR, RTM_DELADDR, RTM_IFINFO, RTM_IFANNOUNCE), (0xc, 0xd, 0xe, 0x11));
    }

    #[test]
    fn loopback_becomes_ifinfo_then_newaddr() {
        let lo = Interface {
            name: "lo".into(),
            index: 1,
            flags: 0x1 | 0x8 | 0x40,
            mtu: 65536,
            mac: vec![],
            addrs: vec![IfAddr {
                family: libc::AF_INET,
                addr: vec![127, 0, 0, 1],
                netmask: vec![255, 0, 0, 0],
                broadcast: None,
                scope_id: 0,
            }],
        };
        let b = iflist(&[lo], 0, 0);
        let l1 = u16::from_ne_bytes([b[0], b[1]]) as usize;
        assert_eq!(b[2], 7);
        assert_eq!(b[3], RTM_IFINFO);
        assert_eq!(u32::from_ne_bytes(b[24..28].try_into().unwrap()), 65536);
        assert_eq!(b[IF_MSGHDR_LEN + 1], AF_LINK);
        assert_eq!(&b[IF_MSGHDR_LEN + 8..IF_MSGHDR_LEN + 10], b"lo");
        // DragonFly's lo0: 176 + the 56-byte sockaddr_dl.
        assert_eq!(l1, 232);
        let a = &b[l1..];
        assert_eq!(a[3], RTM_NEWADDR);
        assert_eq!(u16::from_ne_bytes([a[4], a[5]]), 1, "ifam_index");
        assert_eq!(u32::from_ne_bytes(a[12..16].try_into().unwrap()), RTA_NETMASK | RTA_IFA, "ifam_addrs");
        // The netmask trimmed to 5 bytes (in 8), then the address: 48 in all.
        assert_eq!(u16::from_ne_bytes([a[0], a[1]]), 48);
        assert_eq!(&a[IFA_MSGHDR_LEN..IFA_MSGHDR_LEN + 5], &[5, 2, 0, 0, 255]);
        assert_eq!(&a[IFA_MSGHDR_LEN + 8 + 4..IFA_MSGHDR_LEN + 8 + 8], &[127, 0, 0, 1]);
        assert_eq!(if_flags_from_linux(0x1000), 0x8000);
    }

    #[test]
    fn routes_become_rtm_get_messages() {
        let NetState { routes, ifcs } = state();
        let (def, net, eth) = (routes[0].clone(), routes[1].clone(), ifcs[0].clone());
        let b = rtdump(&[def.clone(), net], std::slice::from_ref(&eth), 0, None).unwrap();
        let l1 = u16::from_ne_bytes([b[0], b[1]]) as usize;
        assert_eq!((b[2], b[3]), (RTM_VERSION, RTM_GET));
        assert_eq!(u16::from_ne_bytes([b[4], b[5]]), 2);
        assert_eq!(u32::from_ne_bytes(b[8..12].try_into().unwrap()), BSD_RTF_UP | BSD_RTF_GATEWAY | BSD_RTF_STATIC);
        let addrs = u32::from_ne_bytes(b[12..16].try_into().unwrap());
        assert_eq!(addrs, RTA_DST | RTA_GATEWAY | RTA_NETMASK | RTA_IFP | RTA_IFA);
        assert_eq!(u64::from_ne_bytes(b[RTM_RMX + RMX_MTU..RTM_RMX + RMX_MTU + 8].try_into().unwrap()), 1500);
        // DST 16, GATEWAY 16 (192.0.2.1), the zero mask in 8, IFP 56, IFA 16.
        assert_eq!(&b[RT_MSGHDR_LEN + 16 + 4..RT_MSGHDR_LEN + 16 + 8], &[192, 0, 2, 1]);
        assert_eq!(l1, RT_MSGHDR_LEN + 16 + 16 + 8 + 56 + 16);
        // The connected route's gateway is the interface's link address.
        let c = &b[l1..];
        assert_eq!(c[RT_MSGHDR_LEN + 16 + 1], AF_LINK);
        // Only gateway routes for NET_RT_FLAGS RTF_GATEWAY; no IPv6 table asked.
        let g = rtdump(std::slice::from_ref(&def), std::slice::from_ref(&eth), 0, Some(BSD_RTF_HOST)).unwrap();
        assert!(g.is_empty());
        assert_eq!(rtdump(&[def], &[eth], 99, None), Err(EINVAL));
    }

    fn state() -> NetState {
        let eth = Interface {
            name: "eth0".into(),
            index: 2,
            flags: 0x1 | 0x2 | 0x40,
            mtu: 1500,
            mac: vec![2, 0, 0, 0, 0, 1],
            addrs: vec![IfAddr {
                family: libc::AF_INET,
                addr: vec![192, 0, 2, 2],
                netmask: vec![255, 255, 255, 0],
                broadcast: Some(vec![192, 0, 2, 255]),
                scope_id: 0,
            }],
        };
        let def = Route {
            family: libc::AF_INET,
            dst: vec![0; 4],
            prefix: 0,
            gateway: Some(vec![192, 0, 2, 1]),
            flags: RTF_UP | RTF_GATEWAY,
            ifname: "eth0".into(),
            metric: 0,
            mtu: 0,
        };
        let net = Route { dst: vec![192, 0, 2, 0], prefix: 24, gateway: None, flags: RTF_UP, ..def.clone() };
        NetState { routes: vec![def, net], ifcs: vec![eth] }
    }

    fn get(addr: [u8; 4], addrs: u32, extra: &[u8]) -> Vec<u8> {
        let mut m = vec![0u8; RT_MSGHDR_LEN];
        m[2] = RTM_VERSION;
        m[3] = RTM_GET;
        m[12..16].copy_from_slice(&addrs.to_ne_bytes());
        m[20..24].copy_from_slice(&9i32.to_ne_bytes());
        m.extend_from_slice(&sockaddr_inet(libc::AF_INET, &addr, 0));
        m.extend_from_slice(extra);
        seal(&mut m);
        m
    }

    #[test]
    fn rtm_get_answers_with_the_longest_matching_prefix() {
        let st = state();
        let o = output(&get([192, 0, 2, 7], RTA_DST, &[]), &st, 5, false);
        assert_eq!(o.result, Ok(()));
        let (fam, m) = o.reply.unwrap();
        assert_eq!(fam, godfly_abi::dragonfly::consts::AF_INET);
        // The connected /24, not the default: its gateway is a link address.
        assert_eq!(m[RT_MSGHDR_LEN + 16 + 1], AF_LINK);
        assert_eq!(u32::from_ne_bytes(m[12..16].try_into().unwrap()), RTA_DST | RTA_GATEWAY | RTA_NETMASK);
        assert_eq!(i32::from_ne_bytes(m[16..20].try_into().unwrap()), 5);
        assert_eq!(i32::from_ne_bytes(m[20..24].try_into().unwrap()), 9);
        assert_ne!(u32::from_ne_bytes(m[8..12].try_into().unwrap()) & BSD_RTF_DONE, 0);
        let o = output(&get([8, 8, 8, 8], RTA_DST | RTA_IFP, &[]), &st, 5, false);
        let (_, m) = o.reply.unwrap();
        assert_eq!(&m[RT_MSGHDR_LEN + 16 + 4..RT_MSGHDR_LEN + 16 + 8], &[192, 0, 2, 1]);
        assert_ne!(u32::from_ne_bytes(m[12..16].try_into().unwrap()) & RTA_IFA, 0);
    }

    #[test]
    fn rtm_get_errors_come_back_in_the_message_and_the_write() {
        let st = state();
        // A /16 mask: no route has exactly that prefix.
        let o = output(&get([192, 0, 2, 7], RTA_DST | RTA_NETMASK, &[6, 2, 0, 0, 255, 255, 0, 0]), &st, 5, false);
        assert_eq!(o.result, Err(ESRCH));
        let (_, m) = o.reply.unwrap();
        assert_eq!(i32::from_ne_bytes(m[24..28].try_into().unwrap()), 3);
        assert_eq!(output(&get([1, 2, 3, 4], RTA_DST, &[])[..100], &st, 5, false).result, Err(EINVAL));
        let mut v6 = get([1, 2, 3, 4], RTA_DST, &[]);
        v6[2] = 6;
        assert_eq!(output(&v6, &st, 5, false).result, Err(EPROTONOSUPPORT));
        let mut add = get([10, 0, 0, 0], RTA_DST, &[]);
        add[3] = RTM_ADD;
        assert_eq!(output(&add, &st, 5, false).result, Err(EPERM));
        assert_eq!(output(&add, &st, 5, true).result, Err(EOPNOTSUPP));
    }

    #[test]
    fn table_changes_become_dragonflys_messages() {
        let old = state();
        let mut new = state();
        new.ifcs[0].addrs.push(IfAddr {
            family: libc::AF_INET,
            addr: vec![198, 51, 100, 1],
            netmask: vec![255, 255, 255, 0],
            broadcast: None,
            scope_id: 0,
        });
        new.routes.remove(0);
        new.ifcs[0].flags &= !0x1;
        let types: Vec<u8> = changes(&old, &new).iter().map(|(_, m)| m[3]).collect();
        assert_eq!(types, vec![RTM_IFINFO, RTM_NEWADDR, RTM_DELETE]);
        assert!(changes(&old, &old).is_empty());
        let gone = NetState { routes: vec![], ifcs: vec![] };
        let types: Vec<u8> = changes(&old, &gone).iter().map(|(_, m)| m[3]).collect();
        assert_eq!(types, vec![RTM_DELADDR, RTM_IFANNOUNCE, RTM_DELETE, RTM_DELETE]);
    }
}
