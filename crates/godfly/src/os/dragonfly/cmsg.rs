//! Control messages (`cmsghdr`). DragonFly's header is `u32 len; int level;
//! int type` padded to 16 bytes (8-byte alignment since 500705); Linux's is
//! `u64 len; int level; int type`, also 16 bytes. Lengths and padding agree,
//! so messages convert one by one in place; levels and types are
//! translated (SOL_SOCKET 0xffff is 1 on Linux, SCM_TIMESTAMP is
//! SO_TIMESTAMP there, and the IPv6 ancillary types differ).

use crate::host::Errno;
use crate::host::errno::EINVAL;
use godfly_abi::dragonfly::consts as d;
use godfly_abi::dragonfly::net as n;

const HDR: usize = 16;

fn align8(v: usize) -> usize {
    (v + 7) & !7
}

/// (DragonFly level, type) to Linux's.
fn kind_to_linux(level: i32, ty: i32) -> Option<(i32, i32)> {
    Some(match (level, ty) {
        (d::SOL_SOCKET, n::SCM_RIGHTS) => (libc::SOL_SOCKET, libc::SCM_RIGHTS),
        (d::SOL_SOCKET, n::SCM_TIMESTAMP) => (libc::SOL_SOCKET, libc::SO_TIMESTAMP),
        (n::IPPROTO_IPV6, n::IPV6_PKTINFO) => (libc::IPPROTO_IPV6, libc::IPV6_PKTINFO),
        (n::IPPROTO_IPV6, n::IPV6_HOPLIMIT) => (libc::IPPROTO_IPV6, libc::IPV6_HOPLIMIT),
        (n::IPPROTO_IPV6, n::IPV6_TCLASS) => (libc::IPPROTO_IPV6, libc::IPV6_TCLASS),
        (n::IPPROTO_IP, n::IP_TTL) | (n::IPPROTO_IP, n::IP_RECVTTL) => (libc::IPPROTO_IP, libc::IP_TTL),
        _ => return None,
    })
}

/// Linux (level, type) to DragonFly's.
fn kind_from_linux(level: i32, ty: i32) -> (i32, i32) {
    match (level, ty) {
        (libc::SOL_SOCKET, libc::SCM_RIGHTS) => (d::SOL_SOCKET, n::SCM_RIGHTS),
        (libc::SOL_SOCKET, libc::SO_TIMESTAMP) => (d::SOL_SOCKET, n::SCM_TIMESTAMP),
        (libc::SOL_SOCKET, t) => (d::SOL_SOCKET, t),
        (libc::IPPROTO_IPV6, libc::IPV6_PKTINFO) => (n::IPPROTO_IPV6, n::IPV6_PKTINFO),
        (libc::IPPROTO_IPV6, libc::IPV6_HOPLIMIT) => (n::IPPROTO_IPV6, n::IPV6_HOPLIMIT),
        (libc::IPPROTO_IPV6, libc::IPV6_TCLASS) => (n::IPPROTO_IPV6, n::IPV6_TCLASS),
        (libc::IPPROTO_IP, libc::IP_TTL) => (n::IPPROTO_IP, n::IP_RECVTTL),
        other => other,
    }
}

/// A DragonFly control buffer to a Linux one. Unknown message kinds (and
/// SCM_CREDS, whose Linux counterpart works differently) are EINVAL.
pub fn to_linux(buf: &[u8]) -> Result<Vec<u8>, Errno> {
    let mut out = Vec::with_capacity(buf.len());
    let mut pos = 0;
    while pos + HDR <= buf.len() {
        let len = u32::from_ne_bytes(buf[pos..pos + 4].try_into().unwrap_or_default()) as usize;
        let level = i32::from_ne_bytes(buf[pos + 4..pos + 8].try_into().unwrap_or_default());
        let ty = i32::from_ne_bytes(buf[pos + 8..pos + 12].try_into().unwrap_or_default());
        if len < HDR || pos.checked_add(len).is_none_or(|end| end > buf.len()) {
            return Err(EINVAL);
        }
        let (ll, lt) = kind_to_linux(level, ty).ok_or(EINVAL)?;
        let start = out.len();
        out.extend_from_slice(&(len as u64).to_ne_bytes());
        out.extend_from_slice(&ll.to_ne_bytes());
        out.extend_from_slice(&lt.to_ne_bytes());
        out.extend_from_slice(&buf[pos + HDR..pos + len]);
        out.resize(start + align8(len), 0);
        pos += align8(len);
    }
    Ok(out)
}

/// A Linux control buffer (as filled by `recvmsg`) to DragonFly's.
pub fn from_linux(buf: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(buf.len());
    let mut pos = 0;
    while pos + HDR <= buf.len() {
        let len = u64::from_ne_bytes(buf[pos..pos + 8].try_into().unwrap_or_default()) as usize;
        let level = i32::from_ne_bytes(buf[pos + 8..pos + 12].try_into().unwrap_or_default());
        let ty = i32::from_ne_bytes(buf[pos + 12..pos + 16].try_into().unwrap_or_default());
        // A 64-bit length: `pos + len` may overflow (found by the cmsg
        // fuzz target).
        if len < HDR || pos.checked_add(len).is_none_or(|end| end > buf.len()) {
            break;
        }
        let (dl, dt) = kind_from_linux(level, ty);
        let start = out.len();
        out.extend_from_slice(&(len as u32).to_ne_bytes());
        out.extend_from_slice(&dl.to_ne_bytes());
        out.extend_from_slice(&dt.to_ne_bytes());
        out.extend_from_slice(&[0; 4]);
        out.extend_from_slice(&buf[pos + HDR..pos + len]);
        out.resize(start + align8(len).min(buf.len() - pos), 0);
        pos += align8(len);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scm_rights_converts_both_ways() {
        let mut bsd = Vec::new();
        bsd.extend_from_slice(&24u32.to_ne_bytes());
        bsd.extend_from_slice(&0xffffi32.to_ne_bytes());
        bsd.extend_from_slice(&1i32.to_ne_bytes());
        bsd.extend_from_slice(&[0; 4]);
        bsd.extend_from_slice(&7i32.to_ne_bytes());
        bsd.extend_from_slice(&9i32.to_ne_bytes());
        let lx = to_linux(&bsd).unwrap();
        assert_eq!(lx.len(), 24);
        assert_eq!(u64::from_ne_bytes(lx[0..8].try_into().unwrap()), 24);
        assert_eq!(i32::from_ne_bytes(lx[8..12].try_into().unwrap()), libc::SOL_SOCKET);
        assert_eq!(i32::from_ne_bytes(lx[12..16].try_into().unwrap()), libc::SCM_RIGHTS);
        assert_eq!(&lx[16..24], &bsd[16..24]);
        assert_eq!(from_linux(&lx), bsd);
    }

    #[test]
    fn a_huge_host_length_ends_the_buffer_instead_of_wrapping() {
        let mut lx = vec![0u8; 24];
        lx[..8].copy_from_slice(&(usize::MAX - 7).to_ne_bytes());
        assert_eq!(from_linux(&lx), Vec::<u8>::new());
    }

    #[test]
    fn scm_creds_and_garbage_are_refused() {
        let mut bsd = vec![0u8; 16];
        bsd[0] = 16;
        bsd[4..8].copy_from_slice(&0xffffi32.to_ne_bytes());
        bsd[8..12].copy_from_slice(&3i32.to_ne_bytes());
        assert_eq!(to_linux(&bsd), Err(EINVAL));
        assert_eq!(to_linux(&[200, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), Err(EINVAL));
    }
}
