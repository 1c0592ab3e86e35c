//! DragonFly networking numbers that `constants.tsv` does not carry
//! (`netinet/in.h`, `netinet6/in6.h`, `netinet/tcp.h`, `sys/socket.h`),
//! cross-checked against Go's `zerrors_dragonfly_amd64.go` by a test.

pub const IPPROTO_IP: i32 = 0;
pub const IPPROTO_ICMP: i32 = 1;
pub const IPPROTO_TCP: i32 = 6;
pub const IPPROTO_UDP: i32 = 17;
pub const IPPROTO_IPV6: i32 = 41;
pub const IPPROTO_ICMPV6: i32 = 58;
pub const IPPROTO_RAW: i32 = 255;

pub const IP_OPTIONS: i32 = 1;
pub const IP_HDRINCL: i32 = 2;
pub const IP_TOS: i32 = 3;
pub const IP_TTL: i32 = 4;
pub const IP_RECVDSTADDR: i32 = 7;
pub const IP_MULTICAST_IF: i32 = 9;
pub const IP_MULTICAST_TTL: i32 = 10;
pub const IP_MULTICAST_LOOP: i32 = 11;
pub const IP_ADD_MEMBERSHIP: i32 = 12;
pub const IP_DROP_MEMBERSHIP: i32 = 13;
pub const IP_PORTRANGE: i32 = 19;
pub const IP_RECVIF: i32 = 20;
pub const IP_RECVTTL: i32 = 65;

pub const IPV6_UNICAST_HOPS: i32 = 4;
pub const IPV6_MULTICAST_IF: i32 = 9;
pub const IPV6_MULTICAST_HOPS: i32 = 10;
pub const IPV6_MULTICAST_LOOP: i32 = 11;
pub const IPV6_JOIN_GROUP: i32 = 12;
pub const IPV6_LEAVE_GROUP: i32 = 13;
pub const IPV6_PORTRANGE: i32 = 14;
pub const IPV6_CHECKSUM: i32 = 26;
pub const IPV6_V6ONLY: i32 = 27;
pub const IPV6_RECVPKTINFO: i32 = 36;
pub const IPV6_RECVHOPLIMIT: i32 = 37;
pub const IPV6_PKTINFO: i32 = 46;
pub const IPV6_HOPLIMIT: i32 = 47;
pub const IPV6_RECVTCLASS: i32 = 57;
pub const IPV6_TCLASS: i32 = 61;

pub const TCP_NODELAY: i32 = 1;
pub const TCP_MAXSEG: i32 = 2;
pub const TCP_NOPUSH: i32 = 4;
pub const TCP_KEEPINIT: i32 = 0x20;
pub const TCP_FASTKEEP: i32 = 0x80;
pub const TCP_KEEPIDLE: i32 = 0x100;
pub const TCP_KEEPINTVL: i32 = 0x200;
pub const TCP_KEEPCNT: i32 = 0x400;

pub const SCM_RIGHTS: i32 = 1;
pub const SCM_TIMESTAMP: i32 = 2;
pub const SCM_CREDS: i32 = 3;

pub const SHUT_RD: i32 = 0;
pub const SHUT_WR: i32 = 1;
pub const SHUT_RDWR: i32 = 2;

/// Size of `struct sockaddr_in`.
pub const SOCKADDR_IN_LEN: usize = 16;
/// Size of `struct sockaddr_in6`.
pub const SOCKADDR_IN6_LEN: usize = 28;
/// Size of `struct sockaddr_un` (`sun_path` is 104 bytes).
pub const SOCKADDR_UN_LEN: usize = 106;
/// Size of the generic `struct sockaddr`.
pub const SOCKADDR_LEN: usize = 16;

/// `struct msghdr`, 48 bytes (`msg_iovlen` and `msg_controllen` are 32-bit).
pub const MSGHDR_LEN: usize = 48;
/// `struct cmsghdr` before alignment: len (u32), level, type.
pub const CMSGHDR_LEN: usize = 12;
/// Control-message alignment (sizeof(long) since 500705).
pub const CMSG_ALIGN: usize = 8;
