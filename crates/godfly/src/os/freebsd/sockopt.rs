//! Socket option levels and names, and message flags, with FreeBSD's
//! numbers. The choices for options Linux lacks are DragonFly's (see
//! `os/dragonfly/sockopt.rs`): IP_PORTRANGE/IPV6_PORTRANGE accepted and
//! not applied (Linux's 19 at IPPROTO_IP is IP_TRANSPARENT), SO_NOSIGPIPE
//! emulated, TCP_NOPUSH as TCP_CORK. FreeBSD's MSG_NOSIGNAL is 0x20000.

use godfly_abi::freebsd::consts as f;

use crate::xlat::SockOpt as Opt;

/// Translates a FreeBSD (level, name).
pub fn to_linux(level: i32, name: i32) -> Opt {
    use crate::xlat::SockOpt::*;
    let sol = libc::SOL_SOCKET;
    let (ip, ip6, tcp) = (libc::IPPROTO_IP, libc::IPPROTO_IPV6, libc::IPPROTO_TCP);
    match level {
        f::SOL_SOCKET => match name {
            f::SO_DEBUG => Linux(sol, libc::SO_DEBUG),
            f::SO_ACCEPTCONN => Linux(sol, libc::SO_ACCEPTCONN),
            f::SO_REUSEADDR => Linux(sol, libc::SO_REUSEADDR),
            f::SO_KEEPALIVE => Linux(sol, libc::SO_KEEPALIVE),
            f::SO_DONTROUTE => Linux(sol, libc::SO_DONTROUTE),
            f::SO_BROADCAST => Linux(sol, libc::SO_BROADCAST),
            f::SO_LINGER => Linux(sol, libc::SO_LINGER),
            f::SO_OOBINLINE => Linux(sol, libc::SO_OOBINLINE),
            f::SO_REUSEPORT => Linux(sol, libc::SO_REUSEPORT),
            f::SO_TIMESTAMP => Linux(sol, libc::SO_TIMESTAMP),
            f::SO_NOSIGPIPE => NoSigPipe,
            f::SO_SNDBUF => Linux(sol, libc::SO_SNDBUF),
            f::SO_RCVBUF => Linux(sol, libc::SO_RCVBUF),
            f::SO_SNDLOWAT => Linux(sol, libc::SO_SNDLOWAT),
            f::SO_RCVLOWAT => Linux(sol, libc::SO_RCVLOWAT),
            f::SO_SNDTIMEO => Linux(sol, libc::SO_SNDTIMEO),
            f::SO_RCVTIMEO => Linux(sol, libc::SO_RCVTIMEO),
            f::SO_ERROR => Linux(sol, libc::SO_ERROR),
            f::SO_TYPE => Linux(sol, libc::SO_TYPE),
            f::SO_PROTOCOL => Linux(sol, libc::SO_PROTOCOL),
            f::SO_DOMAIN => Linux(sol, libc::SO_DOMAIN),
            _ => Unsupported,
        },
        f::IPPROTO_IP => match name {
            // SOL_LOCAL is 0 too: on a local socket name 1 is LOCAL_PEERCRED.
            f::IP_OPTIONS => PeerCredOr(ip, libc::IP_OPTIONS),
            f::IP_HDRINCL => Linux(ip, libc::IP_HDRINCL),
            f::IP_TOS => Linux(ip, libc::IP_TOS),
            f::IP_TTL => Linux(ip, libc::IP_TTL),
            f::IP_MULTICAST_IF => Linux(ip, libc::IP_MULTICAST_IF),
            f::IP_MULTICAST_TTL => Linux(ip, libc::IP_MULTICAST_TTL),
            f::IP_MULTICAST_LOOP => Linux(ip, libc::IP_MULTICAST_LOOP),
            f::IP_ADD_MEMBERSHIP => Linux(ip, libc::IP_ADD_MEMBERSHIP),
            f::IP_DROP_MEMBERSHIP => Linux(ip, libc::IP_DROP_MEMBERSHIP),
            f::IP_RECVTTL => Linux(ip, libc::IP_RECVTTL),
            f::IP_PORTRANGE => Ignore,
            _ => Unsupported,
        },
        f::IPPROTO_IPV6 => match name {
            f::IPV6_UNICAST_HOPS => Linux(ip6, libc::IPV6_UNICAST_HOPS),
            f::IPV6_MULTICAST_IF => Linux(ip6, libc::IPV6_MULTICAST_IF),
            f::IPV6_MULTICAST_HOPS => Linux(ip6, libc::IPV6_MULTICAST_HOPS),
            f::IPV6_MULTICAST_LOOP => Linux(ip6, libc::IPV6_MULTICAST_LOOP),
            f::IPV6_JOIN_GROUP => Linux(ip6, libc::IPV6_ADD_MEMBERSHIP),
            f::IPV6_LEAVE_GROUP => Linux(ip6, libc::IPV6_DROP_MEMBERSHIP),
            f::IPV6_V6ONLY => Linux(ip6, libc::IPV6_V6ONLY),
            f::IPV6_CHECKSUM => Linux(ip6, libc::IPV6_CHECKSUM),
            f::IPV6_RECVPKTINFO => Linux(ip6, libc::IPV6_RECVPKTINFO),
            f::IPV6_RECVHOPLIMIT => Linux(ip6, libc::IPV6_RECVHOPLIMIT),
            f::IPV6_RECVTCLASS => Linux(ip6, libc::IPV6_RECVTCLASS),
            f::IPV6_TCLASS => Linux(ip6, libc::IPV6_TCLASS),
            f::IPV6_PORTRANGE => Ignore,
            _ => Unsupported,
        },
        f::IPPROTO_TCP => match name {
            f::TCP_NODELAY => Linux(tcp, libc::TCP_NODELAY),
            f::TCP_MAXSEG => Linux(tcp, libc::TCP_MAXSEG),
            f::TCP_NOPUSH => Linux(tcp, libc::TCP_CORK),
            f::TCP_KEEPIDLE => Linux(tcp, libc::TCP_KEEPIDLE),
            f::TCP_KEEPINTVL => Linux(tcp, libc::TCP_KEEPINTVL),
            f::TCP_KEEPCNT => Linux(tcp, libc::TCP_KEEPCNT),
            f::TCP_KEEPINIT => Unsupported,
            _ => Unsupported,
        },
        l if l >= 0 && l != f::SOL_SOCKET => Linux(l, name),
        _ => Unsupported,
    }
}

/// (FreeBSD MSG_* bit, Linux bit) for flags both have.
const MSG: &[(i32, i32)] = &[
    (f::MSG_OOB, libc::MSG_OOB),
    (f::MSG_PEEK, libc::MSG_PEEK),
    (f::MSG_DONTROUTE, libc::MSG_DONTROUTE),
    (f::MSG_EOR, libc::MSG_EOR),
    (f::MSG_TRUNC, libc::MSG_TRUNC),
    (f::MSG_CTRUNC, libc::MSG_CTRUNC),
    (f::MSG_WAITALL, libc::MSG_WAITALL),
    (f::MSG_DONTWAIT, libc::MSG_DONTWAIT),
    (f::MSG_NOSIGNAL, libc::MSG_NOSIGNAL),
    (f::MSG_CMSG_CLOEXEC, libc::MSG_CMSG_CLOEXEC),
    (f::MSG_WAITFORONE, libc::MSG_WAITFORONE),
];

/// FreeBSD send/recv flags to Linux's; MSG_EOF, MSG_NBIO and MSG_COMPAT
/// have no Linux counterpart and are dropped.
pub fn msg_flags_to_linux(flags: i32) -> i32 {
    MSG.iter().filter(|(fb, _)| flags & fb != 0).fold(0, |acc, (_, l)| acc | l)
}

/// Linux `msg_flags` results to FreeBSD's.
pub fn msg_flags_from_linux(flags: i32) -> i32 {
    MSG.iter().filter(|(_, l)| flags & l != 0).fold(0, |acc, (fb, _)| acc | fb)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn freebsd_option_and_flag_numbers_translate() {
        assert_eq!(to_linux(0xffff, 4), Opt::Linux(libc::SOL_SOCKET, libc::SO_REUSEADDR));
        assert_eq!(to_linux(0xffff, 0x800), Opt::NoSigPipe);
        assert_eq!(to_linux(0, 19), Opt::Ignore);
        assert_eq!(to_linux(41, 14), Opt::Ignore);
        assert_eq!(to_linux(41, 27), Opt::Linux(libc::IPPROTO_IPV6, libc::IPV6_V6ONLY));
        assert_eq!(msg_flags_to_linux(0x20000), libc::MSG_NOSIGNAL);
        assert_eq!(msg_flags_to_linux(0x400), 0, "DragonFly's MSG_NOSIGNAL means nothing here");
        assert_eq!(msg_flags_from_linux(libc::MSG_TRUNC), f::MSG_TRUNC);
    }
}
