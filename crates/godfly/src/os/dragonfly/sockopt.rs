//! Socket option levels and names, and message flags.
//!
//! Options with no Linux counterpart are decided here, next to the table:
//! - IP_PORTRANGE / IPV6_PORTRANGE (Go sets IP_PORTRANGE_HIGH on every
//!   socket): accepted and not applied; Linux's ephemeral ports already come
//!   from a high range. (Linux's option 19 at IPPROTO_IP is IP_TRANSPARENT,
//!   so passing it through would be wrong.)
//! - SO_NOSIGPIPE: emulated by godfly (`Opt::NoSigPipe`): sends on such a
//!   socket use MSG_NOSIGNAL.
//! - TCP_NOPUSH maps to TCP_CORK, which means the same.
//! - SO_USELOOPBACK, SO_ACCEPTFILTER, SO_SNDSPACE, TCP_FASTKEEP,
//!   TCP_KEEPINIT: refused with ENOPROTOOPT, as a kernel without them would.

use godfly_abi::dragonfly::consts as d;
use godfly_abi::dragonfly::net as n;

use crate::xlat::SockOpt as Opt;

/// Translates a DragonFly (level, name).
pub fn to_linux(level: i32, name: i32) -> Opt {
    use crate::xlat::SockOpt::*;
    let sol = libc::SOL_SOCKET;
    match level {
        d::SOL_SOCKET => match name {
            d::SO_DEBUG => Linux(sol, libc::SO_DEBUG),
            d::SO_ACCEPTCONN => Linux(sol, libc::SO_ACCEPTCONN),
            d::SO_REUSEADDR => Linux(sol, libc::SO_REUSEADDR),
            d::SO_KEEPALIVE => Linux(sol, libc::SO_KEEPALIVE),
            d::SO_DONTROUTE => Linux(sol, libc::SO_DONTROUTE),
            d::SO_BROADCAST => Linux(sol, libc::SO_BROADCAST),
            d::SO_LINGER => Linux(sol, libc::SO_LINGER),
            d::SO_OOBINLINE => Linux(sol, libc::SO_OOBINLINE),
            d::SO_REUSEPORT => Linux(sol, libc::SO_REUSEPORT),
            d::SO_TIMESTAMP => Linux(sol, libc::SO_TIMESTAMP),
            d::SO_NOSIGPIPE => NoSigPipe,
            d::SO_SNDBUF => Linux(sol, libc::SO_SNDBUF),
            d::SO_RCVBUF => Linux(sol, libc::SO_RCVBUF),
            d::SO_SNDLOWAT => Linux(sol, libc::SO_SNDLOWAT),
            d::SO_RCVLOWAT => Linux(sol, libc::SO_RCVLOWAT),
            d::SO_SNDTIMEO => Linux(sol, libc::SO_SNDTIMEO),
            d::SO_RCVTIMEO => Linux(sol, libc::SO_RCVTIMEO),
            d::SO_ERROR => Linux(sol, libc::SO_ERROR),
            d::SO_TYPE => Linux(sol, libc::SO_TYPE),
            _ => Unsupported,
        },
        n::IPPROTO_IP => match name {
            n::IP_OPTIONS => Linux(libc::IPPROTO_IP, libc::IP_OPTIONS),
            n::IP_HDRINCL => Linux(libc::IPPROTO_IP, libc::IP_HDRINCL),
            n::IP_TOS => Linux(libc::IPPROTO_IP, libc::IP_TOS),
            n::IP_TTL => Linux(libc::IPPROTO_IP, libc::IP_TTL),
            n::IP_MULTICAST_IF => Linux(libc::IPPROTO_IP, libc::IP_MULTICAST_IF),
            n::IP_MULTICAST_TTL => Linux(libc::IPPROTO_IP, libc::IP_MULTICAST_TTL),
            n::IP_MULTICAST_LOOP => Linux(libc::IPPROTO_IP, libc::IP_MULTICAST_LOOP),
            n::IP_ADD_MEMBERSHIP => Linux(libc::IPPROTO_IP, libc::IP_ADD_MEMBERSHIP),
            n::IP_DROP_MEMBERSHIP => Linux(libc::IPPROTO_IP, libc::IP_DROP_MEMBERSHIP),
            n::IP_RECVTTL => Linux(libc::IPPROTO_IP, libc::IP_RECVTTL),
            n::IP_PORTRANGE => Ignore,
            _ => Unsupported,
        },
        n::IPPROTO_IPV6 => match name {
            n::IPV6_UNICAST_HOPS => Linux(libc::IPPROTO_IPV6, libc::IPV6_UNICAST_HOPS),
            n::IPV6_MULTICAST_IF => Linux(libc::IPPROTO_IPV6, libc::IPV6_MULTICAST_IF),
            n::IPV6_MULTICAST_HOPS => Linux(libc::IPPROTO_IPV6, libc::IPV6_MULTICAST_HOPS),
            n::IPV6_MULTICAST_LOOP => Linux(libc::IPPROTO_IPV6, libc::IPV6_MULTICAST_LOOP),
            n::IPV6_JOIN_GROUP => Linux(libc::IPPROTO_IPV6, libc::IPV6_ADD_MEMBERSHIP),
            n::IPV6_LEAVE_GROUP => Linux(libc::IPPROTO_IPV6, libc::IPV6_DROP_MEMBERSHIP),
            n::IPV6_V6ONLY => Linux(libc::IPPROTO_IPV6, libc::IPV6_V6ONLY),
            n::IPV6_CHECKSUM => Linux(libc::IPPROTO_IPV6, libc::IPV6_CHECKSUM),
            n::IPV6_RECVPKTINFO => Linux(libc::IPPROTO_IPV6, libc::IPV6_RECVPKTINFO),
            n::IPV6_RECVHOPLIMIT => Linux(libc::IPPROTO_IPV6, libc::IPV6_RECVHOPLIMIT),
            n::IPV6_RECVTCLASS => Linux(libc::IPPROTO_IPV6, libc::IPV6_RECVTCLASS),
            n::IPV6_TCLASS => Linux(libc::IPPROTO_IPV6, libc::IPV6_TCLASS),
            n::IPV6_PORTRANGE => Ignore,
            _ => Unsupported,
        },
        n::IPPROTO_TCP => match name {
            n::TCP_NODELAY => Linux(libc::IPPROTO_TCP, libc::TCP_NODELAY),
            n::TCP_MAXSEG => Linux(libc::IPPROTO_TCP, libc::TCP_MAXSEG),
            n::TCP_NOPUSH => Linux(libc::IPPROTO_TCP, libc::TCP_CORK),
            n::TCP_KEEPIDLE => Linux(libc::IPPROTO_TCP, libc::TCP_KEEPIDLE),
            n::TCP_KEEPINTVL => Linux(libc::IPPROTO_TCP, libc::TCP_KEEPINTVL),
            n::TCP_KEEPCNT => Linux(libc::IPPROTO_TCP, libc::TCP_KEEPCNT),
            _ => Unsupported,
        },
        // Other protocol levels (UDP, raw, ICMPv6 filters) share numbers.
        l if l >= 0 && l != d::SOL_SOCKET => Linux(l, name),
        _ => Unsupported,
    }
}

/// (DragonFly MSG_* bit, Linux bit) for flags both have.
const MSG: &[(i32, i32)] = &[
    (d::MSG_OOB, libc::MSG_OOB),
    (d::MSG_PEEK, libc::MSG_PEEK),
    (d::MSG_DONTROUTE, libc::MSG_DONTROUTE),
    (d::MSG_EOR, libc::MSG_EOR),
    (d::MSG_TRUNC, libc::MSG_TRUNC),
    (d::MSG_CTRUNC, libc::MSG_CTRUNC),
    (d::MSG_WAITALL, libc::MSG_WAITALL),
    (d::MSG_DONTWAIT, libc::MSG_DONTWAIT),
    (d::MSG_NOSIGNAL, libc::MSG_NOSIGNAL),
    (d::MSG_CMSG_CLOEXEC, libc::MSG_CMSG_CLOEXEC),
    (d::MSG_FNONBLOCKING, libc::MSG_DONTWAIT),
];

/// DragonFly send/recv flags to Linux's. MSG_FBLOCKING (force blocking),
/// MSG_EOF and MSG_SYNC have no Linux counterpart and are dropped.
pub fn msg_flags_to_linux(flags: i32) -> i32 {
    MSG.iter().filter(|(df, _)| flags & df != 0).fold(0, |acc, (_, l)| acc | l)
}

/// Linux `msg_flags` results to DragonFly's.
pub fn msg_flags_from_linux(flags: i32) -> i32 {
    MSG.iter().filter(|(df, l)| *df != d::MSG_FNONBLOCKING && flags & l != 0).fold(0, |acc, (df, _)| acc | df)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sol_socket_options_translate() {
        assert_eq!(to_linux(0xffff, 4), Opt::Linux(libc::SOL_SOCKET, libc::SO_REUSEADDR));
        assert_eq!(to_linux(0xffff, 0x1007), Opt::Linux(libc::SOL_SOCKET, libc::SO_ERROR));
        assert_eq!(to_linux(0xffff, 0x1002), Opt::Linux(libc::SOL_SOCKET, libc::SO_RCVBUF));
        assert_eq!(to_linux(0xffff, 0x800), Opt::NoSigPipe);
        assert_eq!(to_linux(0xffff, 0x40), Opt::Unsupported);
    }

    #[test]
    fn ip_portrange_is_not_ip_transparent() {
        assert_eq!(to_linux(0, 19), Opt::Ignore);
        assert_eq!(to_linux(41, 14), Opt::Ignore);
        assert_eq!(to_linux(41, 27), Opt::Linux(libc::IPPROTO_IPV6, libc::IPV6_V6ONLY));
        assert_eq!(to_linux(6, 0x100), Opt::Linux(libc::IPPROTO_TCP, libc::TCP_KEEPIDLE));
        assert_eq!(to_linux(6, 1), Opt::Linux(libc::IPPROTO_TCP, libc::TCP_NODELAY));
    }

    #[test]
    fn message_flags_translate_both_ways() {
        assert_eq!(msg_flags_to_linux(d::MSG_DONTWAIT | d::MSG_NOSIGNAL), libc::MSG_DONTWAIT | libc::MSG_NOSIGNAL);
        assert_eq!(msg_flags_to_linux(d::MSG_WAITALL | d::MSG_PEEK), libc::MSG_WAITALL | libc::MSG_PEEK);
        assert_eq!(msg_flags_from_linux(libc::MSG_TRUNC | libc::MSG_CTRUNC), d::MSG_TRUNC | d::MSG_CTRUNC);
        assert_eq!(msg_flags_from_linux(libc::MSG_EOR), d::MSG_EOR);
    }
}
