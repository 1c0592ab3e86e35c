//! The host's routing tables as Linux shows them in `/proc/net/route` and
//! `/proc/net/ipv6_route`, parsed into neutral routes (pure: the text in,
//! routes out) for the personalities' route dumps.

/// Linux `RTF_*` bits a route may carry.
pub const RTF_UP: u32 = 0x1;
pub const RTF_GATEWAY: u32 = 0x2;
pub const RTF_HOST: u32 = 0x4;
pub const RTF_REJECT: u32 = 0x200;

/// One route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// `libc::AF_INET` or `libc::AF_INET6`.
    pub family: i32,
    /// Destination (4 or 16 bytes).
    pub dst: Vec<u8>,
    /// Prefix length of the destination.
    pub prefix: u8,
    /// Next hop, when the route has one (`RTF_GATEWAY`).
    pub gateway: Option<Vec<u8>>,
    /// Linux RTF_* flags.
    pub flags: u32,
    /// Interface name.
    pub ifname: String,
    pub metric: u32,
    pub mtu: u32,
}

fn hex_u32(s: &str) -> Option<u32> {
    u32::from_str_radix(s, 16).ok()
}

fn hex_bytes(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

/// `/proc/net/route`: a header line, then per route `Iface Destination
/// Gateway Flags RefCnt Use Metric Mask MTU Window IRTT`, addresses as
/// host-order (little-endian) hex of the network-order bytes.
pub fn parse_ipv4(text: &str) -> Vec<Route> {
    let mut out = Vec::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() < 11 {
            continue;
        }
        let (Some(dst), Some(gw), Some(flags), Some(metric), Some(mask), Some(mtu)) =
            (hex_u32(f[1]), hex_u32(f[2]), hex_u32(f[3]), f[6].parse().ok(), hex_u32(f[7]), f[8].parse().ok())
        else {
            continue;
        };
        let mask = mask.to_le_bytes();
        let prefix = mask.iter().map(|b| b.count_ones()).sum::<u32>() as u8;
        out.push(Route {
            family: libc::AF_INET,
            dst: dst.to_le_bytes().to_vec(),
            prefix,
            gateway: (flags & RTF_GATEWAY != 0).then(|| gw.to_le_bytes().to_vec()),
            flags,
            ifname: f[0].to_string(),
            metric,
            mtu,
        });
    }
    out
}

/// `/proc/net/ipv6_route`: per route `dest dest_plen src src_plen nexthop
/// metric refcnt use flags iface`, addresses as 32 hex digits, numbers hex.
pub fn parse_ipv6(text: &str) -> Vec<Route> {
    let mut out = Vec::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() < 10 {
            continue;
        }
        let (Some(dst), Some(plen), Some(gw), Some(metric), Some(flags)) =
            (hex_bytes(f[0]), hex_u32(f[1]), hex_bytes(f[4]), hex_u32(f[5]), hex_u32(f[8]))
        else {
            continue;
        };
        if dst.len() != 16 || gw.len() != 16 || plen > 128 {
            continue;
        }
        out.push(Route {
            family: libc::AF_INET6,
            dst,
            prefix: plen as u8,
            gateway: (flags & RTF_GATEWAY != 0).then_some(gw),
            flags,
            ifname: f[9].to_string(),
            metric,
            mtu: 0,
        });
    }
    out
}

/// The netmask bytes of a prefix length (`len` bytes: 4 or 16).
pub fn mask_of(prefix: u8, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| {
            let bits = (i32::from(prefix) - 8 * i as i32).clamp(0, 8);
            if bits == 0 { 0 } else { 0xffu8 << (8 - bits) }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_routes_read_as_the_kernel_writes_them() {
        let text = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n\
                    eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n\
                    eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t1500\t0\t0\n";
        let r = parse_ipv4(text);
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].dst, vec![0, 0, 0, 0]);
        assert_eq!(r[0].prefix, 0);
        assert_eq!(r[0].gateway, Some(vec![192, 0, 2, 1]));
        assert_eq!(r[1].dst, vec![192, 0, 2, 0]);
        assert_eq!(r[1].prefix, 24);
        assert_eq!(r[1].gateway, None);
        assert_eq!(r[1].mtu, 1500);
    }

    #[test]
    fn ipv6_routes_read_as_the_kernel_writes_them() {
        let text = "fd000000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0\n\
                    00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd000000000000000000000000000001 00000400 00000001 00000000 00000003     eth0\n";
        let r = parse_ipv6(text);
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].prefix, 64);
        assert_eq!(r[0].dst[0], 0xfd);
        assert_eq!(r[0].metric, 256);
        assert_eq!(r[1].gateway.as_ref().map(|g| g[15]), Some(1));
    }

    #[test]
    fn masks_follow_the_prefix() {
        assert_eq!(mask_of(24, 4), vec![255, 255, 255, 0]);
        assert_eq!(mask_of(0, 4), vec![0, 0, 0, 0]);
        assert_eq!(mask_of(9, 4), vec![255, 128, 0, 0]);
        assert_eq!(mask_of(64, 16)[7..9], [255, 0]);
    }
}
