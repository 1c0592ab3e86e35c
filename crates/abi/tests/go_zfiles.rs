//! Cross-checks the generated tables against the Go toolchain's own
//! DragonFly files (`syscall/z*_dragonfly_amd64.go`), which were generated
//! from real DragonFly headers: two independent sources must agree.
//!
//! Needs Go: `GOROOT` from the environment or from `go env GOROOT`
//! (`python3 tools/dev.py test` installs it).

use godfly_abi::dragonfly::errno::ERRNO_TABLE;
use godfly_abi::dragonfly::signal::SIGNAL_TABLE;
use godfly_abi::dragonfly::syscalls::SYSCALLS;
use godfly_abi::sysdef::Kind;
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;

fn goroot() -> PathBuf {
    if let Some(r) = std::env::var_os("GOROOT") {
        return PathBuf::from(r);
    }
    let out = Command::new("go")
        .args(["env", "GOROOT"])
        .output()
        .expect("the Go toolchain is needed for this test: run `python3 tools/dev.py test`, which installs it");
    assert!(out.status.success(), "go env GOROOT failed");
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

fn zfile(name: &str) -> String {
    let p = goroot().join("src/syscall").join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

/// `NAME = value` lines inside const blocks, with `Errno(..)`/`Signal(..)` unwrapped.
fn go_consts(text: &str) -> HashMap<String, i128> {
    let mut out = HashMap::new();
    for line in text.lines() {
        let line = line.split("//").next().unwrap_or("").trim();
        let Some((name, val)) = line.split_once('=') else { continue };
        let name = name.trim();
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            continue;
        }
        let mut v = val.trim();
        for wrap in ["Errno(", "Signal("] {
            if let Some(inner) = v.strip_prefix(wrap) {
                v = inner.trim_end_matches(')');
            }
        }
        let parsed = if let Some(h) = v.strip_prefix("-0x") {
            i128::from_str_radix(h, 16).ok().map(|x| -x)
        } else if let Some(h) = v.strip_prefix("0x") {
            i128::from_str_radix(h, 16).ok()
        } else {
            v.parse::<i128>().ok()
        };
        if let Some(n) = parsed {
            out.insert(name.to_string(), n);
        }
    }
    out
}

#[test]
fn syscall_numbers_match_go() {
    let go = go_consts(&zfile("zsysnum_dragonfly_amd64.go"));
    let mut checked = 0;
    for def in SYSCALLS.iter().filter(|d| d.kind == Kind::Std) {
        let key = format!("SYS_{}", def.name.to_uppercase());
        if let Some(&n) = go.get(&key) {
            assert_eq!(n, i128::from(def.nr), "{key}");
            checked += 1;
        }
    }
    // Every number Go knows names the same call here (Go keeps a few old
    // COMPAT entries, 162-164 and 364, that this table marks obsolete).
    for (name, &n) in &go {
        let Some(def) = SYSCALLS.get(n as usize) else { panic!("{name}={n} beyond the table") };
        // Go names 17 after the kernel function (obreak), DragonFly's
        // syscall.h after the call (break).
        if def.kind == Kind::Std && name != "SYS_OBREAK" {
            assert_eq!(format!("SYS_{}", def.name.to_uppercase()), *name, "number {n}");
        }
    }
    assert!(checked > 250, "only {checked} syscalls cross-checked");
}

#[test]
fn errno_numbers_match_go() {
    let go = go_consts(&zfile("zerrors_dragonfly_amd64.go"));
    for (num, name, _, _) in ERRNO_TABLE {
        if let Some(&n) = go.get(*name) {
            assert_eq!(n, i128::from(*num), "{name}");
        }
    }
    assert_eq!(go["EAGAIN"], 35);
    assert_eq!(go["ELAST"], i128::from(godfly_abi::dragonfly::errno::ELAST));
}

#[test]
fn signal_numbers_match_go() {
    let go = go_consts(&zfile("zerrors_dragonfly_amd64.go"));
    let mut checked = 0;
    for (num, name, _, _) in SIGNAL_TABLE {
        if let Some(&n) = go.get(*name) {
            assert_eq!(n, i128::from(*num), "{name}");
            checked += 1;
        }
    }
    assert!(checked >= 30);
}

#[test]
fn constants_match_go() {
    let go = go_consts(&zfile("zerrors_dragonfly_amd64.go"));
    let ours: &[(&str, i128)] = &[
        ("O_CLOEXEC", godfly_abi::dragonfly::consts::O_CLOEXEC.into()),
        ("O_DIRECTORY", godfly_abi::dragonfly::consts::O_DIRECTORY.into()),
        ("O_NOFOLLOW", godfly_abi::dragonfly::consts::O_NOFOLLOW.into()),
        ("O_CREAT", godfly_abi::dragonfly::consts::O_CREAT.into()),
        ("O_NONBLOCK", godfly_abi::dragonfly::consts::O_NONBLOCK.into()),
        ("MAP_ANON", godfly_abi::dragonfly::consts::MAP_ANON.into()),
        ("MAP_FIXED", godfly_abi::dragonfly::consts::MAP_FIXED.into()),
        ("MAP_STACK", godfly_abi::dragonfly::consts::MAP_STACK.into()),
        ("F_DUP2FD_CLOEXEC", godfly_abi::dragonfly::consts::F_DUP2FD_CLOEXEC.into()),
        ("F_DUPFD_CLOEXEC", godfly_abi::dragonfly::consts::F_DUPFD_CLOEXEC.into()),
        ("EV_CLEAR", godfly_abi::dragonfly::consts::EV_CLEAR.into()),
        ("SOL_SOCKET", godfly_abi::dragonfly::consts::SOL_SOCKET.into()),
        ("AF_INET6", godfly_abi::dragonfly::consts::AF_INET6.into()),
        ("SO_REUSEPORT", godfly_abi::dragonfly::consts::SO_REUSEPORT.into()),
        ("MSG_NOSIGNAL", godfly_abi::dragonfly::consts::MSG_NOSIGNAL.into()),
        ("RLIMIT_NOFILE", godfly_abi::dragonfly::consts::RLIMIT_NOFILE.into()),
        ("WNOHANG", godfly_abi::dragonfly::consts::WNOHANG.into()),
        ("MADV_FREE", godfly_abi::dragonfly::consts::MADV_FREE.into()),
        ("SOCK_CLOEXEC", godfly_abi::dragonfly::consts::SOCK_CLOEXEC.into()),
        ("SOCK_NONBLOCK", godfly_abi::dragonfly::consts::SOCK_NONBLOCK.into()),
    ];
    for (name, v) in ours {
        let g = go.get(*name).unwrap_or_else(|| panic!("{name} missing from Go's zerrors"));
        assert_eq!(g, v, "{name}");
    }
    let types = go_consts(&zfile("ztypes_dragonfly_amd64.go"));
    assert_eq!(types["_AT_FDCWD"], i128::from(godfly_abi::dragonfly::consts::AT_FDCWD));
}

#[test]
fn runtime_constants_match_go() {
    let p = goroot().join("src/runtime/defs_dragonfly_amd64.go");
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()));
    let go: HashMap<String, i128> =
        go_consts(&text).into_iter().map(|(k, v)| (k.trim_start_matches('_').to_string(), v)).collect();
    use godfly_abi::dragonfly::consts as c;
    let ours: &[(&str, i128)] = &[
        ("EVFILT_USER", c::EVFILT_USER.into()),
        ("EVFILT_READ", c::EVFILT_READ.into()),
        ("EV_ERROR", c::EV_ERROR.into()),
        ("EV_EOF", c::EV_EOF.into()),
        ("NOTE_TRIGGER", c::NOTE_TRIGGER.into()),
        ("SA_SIGINFO", c::SA_SIGINFO.into()),
        ("SA_ONSTACK", c::SA_ONSTACK.into()),
        ("MADV_FREE", c::MADV_FREE.into()),
        ("SEGV_MAPERR", c::SEGV_MAPERR.into()),
        ("BUS_OBJERR", c::BUS_OBJERR.into()),
        ("FPE_INTDIV", c::FPE_INTDIV.into()),
        ("ITIMER_PROF", c::ITIMER_PROF.into()),
    ];
    for (name, v) in ours {
        let g = go.get(*name).unwrap_or_else(|| panic!("{name} missing from Go's runtime defs"));
        assert_eq!(g, v, "{name}");
    }
}

#[test]
fn struct_sizes_match_go() {
    let go = go_consts(&zfile("ztypes_dragonfly_amd64.go"));
    use std::mem::size_of;
    let pairs: &[(&str, usize)] = &[
        ("SizeofRusage", size_of::<godfly_abi::dragonfly::layout::Rusage>()),
        ("SizeofRlimit", size_of::<godfly_abi::dragonfly::layout::Rlimit>()),
    ];
    for (name, ours) in pairs {
        if let Some(&g) = go.get(*name) {
            assert_eq!(g, *ours as i128, "{name}");
        }
    }
    // The full field-by-field check of stat, dirent, kevent, flock and
    // timespec runs a Go program under godfly (crates/godfly/tests).
}

#[test]
fn network_constants_match_go() {
    let go = go_consts(&zfile("zerrors_dragonfly_amd64.go"));
    use godfly_abi::dragonfly::net as n;
    let ours: &[(&str, i32)] = &[
        ("IPPROTO_IPV6", n::IPPROTO_IPV6),
        ("IP_TOS", n::IP_TOS),
        ("IP_TTL", n::IP_TTL),
        ("IP_HDRINCL", n::IP_HDRINCL),
        ("IP_MULTICAST_IF", n::IP_MULTICAST_IF),
        ("IP_MULTICAST_TTL", n::IP_MULTICAST_TTL),
        ("IP_MULTICAST_LOOP", n::IP_MULTICAST_LOOP),
        ("IP_ADD_MEMBERSHIP", n::IP_ADD_MEMBERSHIP),
        ("IP_DROP_MEMBERSHIP", n::IP_DROP_MEMBERSHIP),
        ("IP_PORTRANGE", n::IP_PORTRANGE),
        ("IP_RECVDSTADDR", n::IP_RECVDSTADDR),
        ("IPV6_V6ONLY", n::IPV6_V6ONLY),
        ("IPV6_UNICAST_HOPS", n::IPV6_UNICAST_HOPS),
        ("IPV6_MULTICAST_IF", n::IPV6_MULTICAST_IF),
        ("IPV6_MULTICAST_HOPS", n::IPV6_MULTICAST_HOPS),
        ("IPV6_MULTICAST_LOOP", n::IPV6_MULTICAST_LOOP),
        ("IPV6_JOIN_GROUP", n::IPV6_JOIN_GROUP),
        ("IPV6_LEAVE_GROUP", n::IPV6_LEAVE_GROUP),
        ("IPV6_PORTRANGE", n::IPV6_PORTRANGE),
        ("IPV6_TCLASS", n::IPV6_TCLASS),
        ("IPV6_RECVTCLASS", n::IPV6_RECVTCLASS),
        ("IPV6_PKTINFO", n::IPV6_PKTINFO),
        ("IPV6_RECVPKTINFO", n::IPV6_RECVPKTINFO),
        ("IPV6_HOPLIMIT", n::IPV6_HOPLIMIT),
        ("IPV6_RECVHOPLIMIT", n::IPV6_RECVHOPLIMIT),
        ("IPV6_CHECKSUM", n::IPV6_CHECKSUM),
        ("TCP_NODELAY", n::TCP_NODELAY),
        ("TCP_MAXSEG", n::TCP_MAXSEG),
        ("TCP_KEEPIDLE", n::TCP_KEEPIDLE),
        ("TCP_KEEPINTVL", n::TCP_KEEPINTVL),
        ("TCP_KEEPCNT", n::TCP_KEEPCNT),
        ("SCM_RIGHTS", n::SCM_RIGHTS),
        ("SCM_CREDS", n::SCM_CREDS),
        ("SHUT_RDWR", n::SHUT_RDWR),
    ];
    for (name, v) in ours {
        assert_eq!(go.get(*name).copied(), Some(i128::from(*v)), "{name}");
    }
    let types = go_consts(&zfile("ztypes_dragonfly_amd64.go"));
    assert_eq!(types["SizeofSockaddrInet4"], n::SOCKADDR_IN_LEN as i128);
    assert_eq!(types["SizeofSockaddrInet6"], n::SOCKADDR_IN6_LEN as i128);
    assert_eq!(types["SizeofSockaddrUnix"], n::SOCKADDR_UN_LEN as i128);
    assert_eq!(types["SizeofMsghdr"], n::MSGHDR_LEN as i128);
    assert_eq!(types["SizeofCmsghdr"], n::CMSGHDR_LEN as i128);
}
