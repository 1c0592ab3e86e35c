//! Routing-socket messages for `sysctl net.route.0.<af>.NET_RT_IFLIST`
//! (`net/route.h`, RTM_VERSION 7): an RTM_IFINFO `if_msghdr` (176 bytes,
//! `if_data` at offset 16 with the MTU at +8) with a `sockaddr_dl` naming
//! the interface, then one RTM_NEWADDR `ifa_msghdr` (24 bytes) per address
//! with netmask, address and broadcast sockaddrs, each padded to 8 bytes.

use crate::host::Interface;

const RTM_VERSION: u8 = 7;
const RTM_NEWADDR: u8 = 0xc;
const RTM_IFINFO: u8 = 0xe;
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
    s.resize(s.len().max(20), 0);
    s[0] = s.len() as u8;
    s
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
            body.extend_from_slice(&sockaddr_inet(a.family, &a.netmask, 0));
            pad8(&mut body);
            body.extend_from_slice(&sockaddr_inet(a.family, &a.addr, a.scope_id));
            pad8(&mut body);
            if let (Some(b), true) = (&a.broadcast, a.family == libc::AF_INET && ifc.flags & 0x2 != 0) {
                addrs |= RTA_BRD;
                body.extend_from_slice(&sockaddr_inet(a.family, b, 0));
                pad8(&mut body);
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
        assert_eq!(l1 % 8, 0);
        let a = &b[l1..];
        assert_eq!(a[3], RTM_NEWADDR);
        assert_eq!(u32::from_ne_bytes(a[4..8].try_into().unwrap()), RTA_NETMASK | RTA_IFA);
        assert_eq!(&a[IFA_MSGHDR_LEN + 16 + 4..IFA_MSGHDR_LEN + 16 + 8], &[127, 0, 0, 1]);
        assert_eq!(if_flags_from_linux(0x1000), 0x8000);
    }
}
