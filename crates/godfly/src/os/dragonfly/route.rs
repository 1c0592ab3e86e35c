//! Routing-socket messages for the route sysctls (`net/route.h`,
//! RTM_VERSION 7, `rtsock.c sysctl_rtsock`):
//! - NET_RT_IFLIST: per interface an RTM_IFINFO `if_msghdr` (176 bytes,
//!   `if_data` at offset 16 with the MTU at +8) with the interface's
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

use crate::host::Interface;
use crate::host::errno::EINVAL;
use crate::xlat::routes::{RTF_GATEWAY, RTF_REJECT, RTF_UP, Route};

const RTM_VERSION: u8 = 7;
const RTM_NEWADDR: u8 = 0xc;
const RTM_IFINFO: u8 = 0xe;
const RTM_GET: u8 = 0x4;
const RTA_DST: u32 = 0x1;
const RTA_GATEWAY: u32 = 0x2;
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

fn pad8(v: &mut Vec<u8>) {
    while !v.len().is_multiple_of(8) {
        v.push(0);
    }
}

fn sockaddr_inet(family: i32, addr: &[u8], scope: u32) -> Vec<u8> {
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

fn sockaddr_dl(ifc: &Interface) -> Vec<u8> {
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
fn push_sa(out: &mut Vec<u8>, sa: &[u8]) {
    out.extend_from_slice(sa);
    if sa.is_empty() {
        out.extend_from_slice(&[0; 8]);
    }
    pad8(out);
}

/// Builds the NET_RT_IFLIST answer for `af` (0 = all) and `index` (0 = all).
pub fn iflist(ifcs: &[Interface], af: i32, index: u32) -> Vec<u8> {
    let mut out = Vec::new();
    for ifc in ifcs.iter().filter(|i| index == 0 || i.index == index) {
        let mut m = vec![0u8; IF_MSGHDR_LEN];
        m[2] = RTM_VERSION;
        m[3] = RTM_IFINFO;
        m[4..8].copy_from_slice(&RTA_IFP.to_ne_bytes());
        m[8..12].copy_from_slice(&if_flags_from_linux(ifc.flags).to_ne_bytes());
        m[12..14].copy_from_slice(&(ifc.index as u16).to_ne_bytes());
        m[16 + 8..16 + 12].copy_from_slice(&ifc.mtu.to_ne_bytes());
        m.extend_from_slice(&sockaddr_dl(ifc));
        pad8(&mut m);
        let len = m.len() as u16;
        m[..2].copy_from_slice(&len.to_ne_bytes());
        out.extend_from_slice(&m);

        for a in &ifc.addrs {
            let dfam = if a.family == libc::AF_INET {
                godfly_abi::dragonfly::consts::AF_INET
            } else {
                godfly_abi::dragonfly::consts::AF_INET6
            };
            if af != 0 && af != dfam {
                continue;
            }
            let mut m = vec![0u8; IFA_MSGHDR_LEN];
            m[2] = RTM_VERSION;
            m[3] = RTM_NEWADDR;
            let mut addrs = RTA_NETMASK | RTA_IFA;
            let mut body = Vec::new();
            push_sa(&mut body, &sockaddr_mask(a.family, &a.netmask));
            push_sa(&mut body, &sockaddr_inet(a.family, &a.addr, a.scope_id));
            if let (Some(b), true) = (&a.broadcast, a.family == libc::AF_INET && ifc.flags & 0x2 != 0) {
                addrs |= RTA_BRD;
                push_sa(&mut body, &sockaddr_inet(a.family, b, 0));
            }
            m[4..8].copy_from_slice(&addrs.to_ne_bytes());
            m[8..12].copy_from_slice(&if_flags_from_linux(ifc.flags).to_ne_bytes());
            m[12..14].copy_from_slice(&(ifc.index as u16).to_ne_bytes());
            m.extend_from_slice(&body);
            let len = m.len() as u16;
            m[..2].copy_from_slice(&len.to_ne_bytes());
            out.extend_from_slice(&m);
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

/// The NET_RT_DUMP (`flags` None) or NET_RT_FLAGS (routes with any of
/// `flags`) answer for DragonFly family `af` (0: all, IPv4 first); EINVAL
/// for a family without a routing table, as DragonFly's `sysctl_rttable`.
pub fn rtdump(
    routes: &[Route],
    ifcs: &[Interface],
    af: i32,
    flags: Option<u32>,
) -> Result<Vec<u8>, crate::host::Errno> {
    use godfly_abi::dragonfly::consts::{AF_INET, AF_INET6};
    let families: &[i32] = match af {
        0 => &[libc::AF_INET, libc::AF_INET6],
        AF_INET => &[libc::AF_INET],
        AF_INET6 => &[libc::AF_INET6],
        _ => return Err(EINVAL),
    };
    let mut out = Vec::new();
    for &fam in families {
        for r in routes.iter().filter(|r| r.family == fam && r.flags & RTF_UP != 0 && r.flags & RTF_REJECT == 0) {
            let Some(ifc) = ifcs.iter().find(|i| i.name == r.ifname) else { continue };
            let bflags = route_flags(r);
            if flags.is_some_and(|want| bflags & want == 0) {
                continue;
            }
            let alen = r.dst.len();
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
                push_sa(&mut body, &sockaddr_mask(fam, &crate::xlat::routes::mask_of(r.prefix, alen)));
            }
            addrs |= RTA_IFP;
            push_sa(&mut body, &sockaddr_dl(ifc));
            if let Some(a) = ifc.addrs.iter().find(|a| a.family == fam) {
                addrs |= RTA_IFA;
                push_sa(&mut body, &sockaddr_inet(fam, &a.addr, a.scope_id));
            }
            let mut m = vec![0u8; RT_MSGHDR_LEN];
            m[2] = RTM_VERSION;
            m[3] = RTM_GET;
            m[4..6].copy_from_slice(&(ifc.index as u16).to_ne_bytes());
            m[8..12].copy_from_slice(&bflags.to_ne_bytes());
            m[12..16].copy_from_slice(&addrs.to_ne_bytes());
            let mtu = u64::from(if r.mtu != 0 { r.mtu } else { ifc.mtu });
            m[RTM_RMX + RMX_MTU..RTM_RMX + RMX_MTU + 8].copy_from_slice(&mtu.to_ne_bytes());
            m.extend_from_slice(&body);
            let len = m.len() as u16;
            m[..2].copy_from_slice(&len.to_ne_bytes());
            out.extend_from_slice(&m);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::IfAddr;

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
        assert_eq!(u32::from_ne_bytes(a[4..8].try_into().unwrap()), RTA_NETMASK | RTA_IFA);
        // The netmask trimmed to 5 bytes (in 8), then the address: 48 in all.
        assert_eq!(u16::from_ne_bytes([a[0], a[1]]), 48);
        assert_eq!(&a[IFA_MSGHDR_LEN..IFA_MSGHDR_LEN + 5], &[5, 2, 0, 0, 255]);
        assert_eq!(&a[IFA_MSGHDR_LEN + 8 + 4..IFA_MSGHDR_LEN + 8 + 8], &[127, 0, 0, 1]);
        assert_eq!(if_flags_from_linux(0x1000), 0x8000);
    }

    #[test]
    fn routes_become_rtm_get_messages() {
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
}
