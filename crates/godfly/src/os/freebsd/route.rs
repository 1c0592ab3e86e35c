//! Routing messages in FreeBSD's wire format: RTM_VERSION 5, an
//! `if_msghdr` of 168 bytes and an `ifa_msghdr` of 20 with `addrs` at 4,
//! `flags` at 8 and `index` at 12 (`net/if.h`); the route header, the
//! announcements and the sockaddr packing (SA_SIZE: rounded to 8) are
//! DragonFly's, so the builders of `os/dragonfly/route.rs` serve with this
//! layout.

use crate::host::{Interface, NetState};
use crate::os::dragonfly::route::{self as df, Wire};
use crate::personality::{RouteMessage, RouteOutput};
use crate::xlat::routes::Route;

/// FreeBSD's layout.
pub const FREEBSD: Wire = Wire { version: 5, if_len: 0xa8, ifm: (4, 8, 12), ifa_len: 20, ifam: (4, 8, 12) };

/// NET_RT_IFLIST.
pub fn iflist(ifcs: &[Interface], af: i32, index: u32) -> Vec<u8> {
    df::iflist_with(&FREEBSD, ifcs, af, index)
}

/// NET_RT_DUMP and NET_RT_FLAGS.
pub fn rtdump(
    routes: &[Route],
    ifcs: &[Interface],
    af: i32,
    flags: Option<u32>,
) -> Result<Vec<u8>, crate::host::Errno> {
    df::rtdump_with(&FREEBSD, routes, ifcs, af, flags)
}

/// RTM_NEWMADDR, and `ifma_msghdr`'s length (`net/if.h`: addrs at 4,
/// flags at 8, index at 12).
const RTM_NEWMADDR: u8 = 0xf;
const IFMA_MSGHDR_LEN: usize = 16;
const RTA_IFP: u32 = 0x10;
const RTA_IFA: u32 = 0x20;

/// NET_RT_IFMALIST (`sysctl_ifmalist`): per joined IPv4 or IPv6 group
/// of an interface (`index` 0: every one) an RTM_NEWMADDR `ifma_msghdr`
/// with the interface's `sockaddr_dl` (IFP) and the group (IFA). The
/// link-layer groups and each group's link-layer address (GATEWAY) are
/// not listed: Linux keeps no such membership list per protocol address.
pub fn ifmalist(ifcs: &[Interface], groups: &[crate::xlat::mcast::Group], af: i32, index: u32) -> Vec<u8> {
    let mut out = Vec::new();
    for ifc in ifcs.iter().filter(|i| index == 0 || i.index == index) {
        for g in groups.iter().filter(|g| g.index == ifc.index) {
            let host = if g.addr.len() == 4 { libc::AF_INET } else { libc::AF_INET6 };
            let guest = if host == libc::AF_INET {
                godfly_abi::freebsd::consts::AF_INET
            } else {
                godfly_abi::freebsd::consts::AF_INET6
            };
            if af != 0 && af != guest {
                continue;
            }
            let mut m = vec![0u8; IFMA_MSGHDR_LEN];
            m[2] = FREEBSD.version;
            m[3] = RTM_NEWMADDR;
            m[4..8].copy_from_slice(&(RTA_IFP | RTA_IFA).to_ne_bytes());
            m[12..14].copy_from_slice(&(ifc.index as u16).to_ne_bytes());
            let mut body = Vec::new();
            df::push_sa(&mut body, &df::sockaddr_dl(ifc));
            let scope = if host == libc::AF_INET6 && g.addr[0] == 0xff && g.addr[1] & 0xf == 2 { ifc.index } else { 0 };
            df::push_sa(&mut body, &df::sockaddr_inet(host, &g.addr, scope));
            m.extend_from_slice(&body);
            df::seal(&mut m);
            out.extend_from_slice(&m);
        }
    }
    out
}

/// A message written to a routing socket.
pub fn output(msg: &[u8], st: &NetState, pid: i32, root: bool) -> RouteOutput {
    df::output_with(&FREEBSD, msg, st, pid, root)
}

/// The messages for a change of the host's tables.
pub fn changes(old: &NetState, new: &NetState) -> Vec<RouteMessage> {
    df::changes_with(&FREEBSD, old, new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interface_messages_have_freebsds_field_order() {
        let lo = Interface {
            index: 1,
            name: "lo".into(),
            flags: 0x49,
            mtu: 65536,
            mac: vec![],
            addrs: vec![crate::host::IfAddr {
                family: libc::AF_INET,
                addr: vec![127, 0, 0, 1],
                netmask: vec![255, 0, 0, 0],
                broadcast: None,
                scope_id: 0,
            }],
        };
        let b = iflist(std::slice::from_ref(&lo), 0, 0);
        let ifm_len = usize::from(u16::from_ne_bytes([b[0], b[1]]));
        assert_eq!((b[2], b[3]), (5, 0xe), "RTM_VERSION 5, RTM_IFINFO");
        assert_eq!(u32::from_ne_bytes(b[4..8].try_into().unwrap()), 0x10, "RTA_IFP at 4");
        assert_eq!(u16::from_ne_bytes([b[12], b[13]]), 1, "index at 12");
        assert_eq!(u32::from_ne_bytes(b[24..28].try_into().unwrap()), 65536, "MTU at if_data + 8");
        assert_eq!(b[0xa8 + 1], 18, "the sockaddr_dl follows the 168-byte header");
        let a = &b[ifm_len..];
        assert_eq!((a[2], a[3]), (5, 0xc), "RTM_NEWADDR");
        assert_eq!(u16::from_ne_bytes([a[12], a[13]]), 1);
        assert_eq!(&a[20..25], &[5, 2, 0, 0, 255], "the trimmed netmask at 20");
    }
}
