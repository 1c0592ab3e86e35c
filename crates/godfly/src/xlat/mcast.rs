//! The host's multicast group memberships, from Linux's /proc/net/igmp
//! and /proc/net/igmp6 (what a BSD's NET_RT_IFMALIST lists).

/// A group joined on an interface: its index and the group address (4 or
/// 16 bytes, network order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub index: u32,
    pub addr: Vec<u8>,
}

/// /proc/net/igmp: an interface line (`Idx Device : Count Querier`), then
/// its groups one per line, the address as the host-order hex word.
pub fn parse_igmp(text: &str) -> Vec<Group> {
    let mut out = Vec::new();
    let mut index = None;
    for line in text.lines().skip(1) {
        if !line.starts_with(['\t', ' ']) {
            index = line.split_whitespace().next().and_then(|i| i.parse().ok());
            continue;
        }
        let (Some(ix), Some(hex)) = (index, line.split_whitespace().next()) else { continue };
        if let Ok(v) = u32::from_str_radix(hex, 16) {
            // The kernel prints the __be32 as a host (little-endian) word.
            out.push(Group { index: ix, addr: v.to_le_bytes().to_vec() });
        }
    }
    out
}

/// /proc/net/igmp6: `index name group-hex users flags timer` per line.
pub fn parse_igmp6(text: &str) -> Vec<Group> {
    let mut out = Vec::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        let (Some(ix), Some(hex)) = (f.first().and_then(|i| i.parse().ok()), f.get(2)) else { continue };
        if hex.len() != 32 {
            continue;
        }
        let bytes: Option<Vec<u8>> = (0..16).map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()).collect();
        if let Some(addr) = bytes {
            out.push(Group { index: ix, addr });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_come_with_their_interface_and_in_network_order() {
        let v4 = "Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter\n\
                  1\tlo        :     1      V3\n\t\t\t\t010000E0     1 0:00000000\t\t0\n\
                  4\teth0      :     2      V3\n\t\t\t\tFB0000E0     1 0:00000000\t\t0\n\t\t\t\t010000E0     1 0:00000000\t\t0\n";
        let g = parse_igmp(v4);
        assert_eq!(g.len(), 3);
        assert_eq!(g[0], Group { index: 1, addr: vec![224, 0, 0, 1] });
        assert_eq!(g[1], Group { index: 4, addr: vec![224, 0, 0, 251] });
        let v6 = "1    lo              ff020000000000000000000000000001     1 0000000C 0\nbad line\n";
        let g = parse_igmp6(v6);
        assert_eq!(g.len(), 1);
        assert_eq!((g[0].index, g[0].addr[0], g[0].addr[15]), (1, 0xff, 1));
    }
}
