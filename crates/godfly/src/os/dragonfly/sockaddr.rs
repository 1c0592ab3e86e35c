//! Socket addresses and socket types. A BSD `sockaddr` starts with a length
//! byte and a one-byte family (AF_INET6 is 28); Linux's has a two-byte
//! family (AF_INET6 is 10) and no length. The rest of `sockaddr_in`,
//! `sockaddr_in6` and `sockaddr_un` is laid out the same.

use crate::host::Errno;
use crate::host::errno::{EAFNOSUPPORT, EINVAL};
use godfly_abi::dragonfly::consts as d;
use godfly_abi::dragonfly::net;

/// DragonFly address family to Linux's.
pub fn family_to_linux(af: i32) -> Option<i32> {
    match af {
        d::AF_UNSPEC => Some(libc::AF_UNSPEC),
        d::AF_UNIX => Some(libc::AF_UNIX),
        d::AF_INET => Some(libc::AF_INET),
        d::AF_INET6 => Some(libc::AF_INET6),
        _ => None,
    }
}

/// Linux address family to DragonFly's.
pub fn family_from_linux(af: i32) -> Option<i32> {
    match af {
        libc::AF_UNSPEC => Some(d::AF_UNSPEC),
        libc::AF_UNIX => Some(d::AF_UNIX),
        libc::AF_INET => Some(d::AF_INET),
        libc::AF_INET6 => Some(d::AF_INET6),
        _ => None,
    }
}

/// `socket` type argument (type plus SOCK_CLOEXEC/SOCK_NONBLOCK) to Linux's.
pub fn type_to_linux(ty: i32) -> Option<i32> {
    let flags = ty & (d::SOCK_CLOEXEC | d::SOCK_NONBLOCK);
    let base = ty & !(d::SOCK_CLOEXEC | d::SOCK_NONBLOCK);
    // SOCK_STREAM 1, DGRAM 2, RAW 3, RDM 4, SEQPACKET 5 match Linux.
    if !(1..=5).contains(&base) {
        return None;
    }
    Some(base | accept_flags_to_linux(flags)?)
}

/// SOCK_CLOEXEC/SOCK_NONBLOCK (for `accept4`) to Linux's.
pub fn accept_flags_to_linux(flags: i32) -> Option<i32> {
    if flags & !(d::SOCK_CLOEXEC | d::SOCK_NONBLOCK) != 0 {
        return None;
    }
    let mut out = 0;
    if flags & d::SOCK_CLOEXEC != 0 {
        out |= libc::SOCK_CLOEXEC;
    }
    if flags & d::SOCK_NONBLOCK != 0 {
        out |= libc::SOCK_NONBLOCK;
    }
    Some(out)
}

/// A guest `sockaddr` (as bytes, `len` as passed) to a Linux one.
pub fn to_linux(guest: &[u8]) -> Result<Vec<u8>, Errno> {
    if guest.len() < 2 {
        return Err(EINVAL);
    }
    let family = i32::from(guest[1]);
    let lfam = family_to_linux(family).ok_or(EAFNOSUPPORT)?;
    let mut out = Vec::with_capacity(guest.len());
    out.extend_from_slice(&(lfam as u16).to_ne_bytes());
    match family {
        d::AF_INET => {
            if guest.len() < net::SOCKADDR_IN_LEN {
                return Err(EINVAL);
            }
            out.extend_from_slice(&guest[2..net::SOCKADDR_IN_LEN]);
        }
        d::AF_INET6 => {
            if guest.len() < net::SOCKADDR_IN6_LEN {
                return Err(EINVAL);
            }
            out.extend_from_slice(&guest[2..net::SOCKADDR_IN6_LEN]);
        }
        d::AF_UNIX => {
            // The path ends at the given length or the first NUL.
            let path = &guest[2..guest.len().min(net::SOCKADDR_UN_LEN)];
            let end = path.iter().position(|&b| b == 0).unwrap_or(path.len());
            out.extend_from_slice(&path[..end]);
            out.push(0);
        }
        _ => out.extend_from_slice(&guest[2..]),
    }
    Ok(out)
}

/// A Linux `sockaddr` of `len` bytes to the DragonFly form.
pub fn from_linux(host: &[u8]) -> Vec<u8> {
    if host.len() < 2 {
        return Vec::new();
    }
    let lfam = i32::from(u16::from_ne_bytes([host[0], host[1]]));
    let family = family_from_linux(lfam).unwrap_or(lfam);
    let body = &host[2..];
    let mut out = vec![0u8, family as u8];
    match family {
        d::AF_INET => {
            out.extend_from_slice(body);
            out.resize(net::SOCKADDR_IN_LEN, 0);
        }
        d::AF_INET6 => {
            out.extend_from_slice(body);
            out.resize(net::SOCKADDR_IN6_LEN, 0);
        }
        d::AF_UNIX => {
            let end = body.iter().position(|&b| b == 0).unwrap_or(body.len());
            if end == 0 {
                // `sun_noname`: a generic sockaddr with only len and family.
                out.resize(net::SOCKADDR_LEN, 0);
            } else {
                // sun_path holds 104 bytes; a path that fills it has no NUL
                // (found by the sockaddr fuzz target: it lost a byte).
                out.extend_from_slice(&body[..end.min(net::SOCKADDR_UN_LEN - 2)]);
                if out.len() < net::SOCKADDR_UN_LEN {
                    out.push(0);
                }
            }
        }
        _ => out.extend_from_slice(body),
    }
    out[0] = out.len().min(255) as u8;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inet_addresses_gain_and_lose_the_length_byte() {
        let bsd = [16u8, 2, 0x1f, 0x90, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0];
        let lx = to_linux(&bsd).unwrap();
        assert_eq!(&lx[..2], &(libc::AF_INET as u16).to_ne_bytes());
        assert_eq!(&lx[2..8], &[0x1f, 0x90, 127, 0, 0, 1]);
        assert_eq!(from_linux(&lx), bsd.to_vec());
    }

    #[test]
    fn inet6_family_is_28_on_dragonfly() {
        let mut bsd = [0u8; 28];
        bsd[0] = 28;
        bsd[1] = 28;
        bsd[3] = 80;
        bsd[23] = 1; // ::1
        let lx = to_linux(&bsd).unwrap();
        assert_eq!(u16::from_ne_bytes([lx[0], lx[1]]), libc::AF_INET6 as u16);
        assert_eq!(lx.len(), 28);
        assert_eq!(from_linux(&lx), bsd.to_vec());
    }

    #[test]
    fn unix_paths_round_trip_and_unnamed_is_noname() {
        let mut bsd = vec![0u8, 1];
        bsd.extend_from_slice(b"/tmp/sock\0");
        bsd[0] = bsd.len() as u8;
        let lx = to_linux(&bsd).unwrap();
        assert_eq!(&lx[2..], b"/tmp/sock\0");
        assert_eq!(from_linux(&lx), bsd);
        let unnamed = from_linux(&(libc::AF_UNIX as u16).to_ne_bytes());
        assert_eq!(unnamed.len(), 16);
        assert_eq!(unnamed[..2], [16, 1]);
    }

    #[test]
    fn unknown_families_and_types_are_refused() {
        assert_eq!(to_linux(&[16, 99, 0, 0]), Err(EAFNOSUPPORT));
        assert_eq!(type_to_linux(d::SOCK_STREAM | d::SOCK_CLOEXEC), Some(libc::SOCK_STREAM | libc::SOCK_CLOEXEC));
        assert_eq!(type_to_linux(9), None);
        assert_eq!(family_to_linux(28), Some(libc::AF_INET6));
    }
}
