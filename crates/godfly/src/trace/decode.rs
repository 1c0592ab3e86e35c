//! Argument decoders: flags as symbolic names, constants by name, and
//! structures summarised, by call name and argument position. Pure
//! functions over numbers (and bytes read by the caller).

use godfly_abi::consts as d;

/// How to show one argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Decimal `int`.
    Int,
    /// Decimal unsigned.
    Uint,
    /// Hexadecimal (pointers, opaque values).
    Hex,
    /// NUL-terminated string.
    Str,
    /// Data buffer written by the guest, with the length in argument `n`.
    OutBuf(usize),
    /// Data buffer filled by the call; the result is its length.
    InBuf,
    /// `open` flags.
    OpenFlags,
    /// File mode, octal.
    Mode,
    /// Directory descriptor (`AT_FDCWD`).
    AtFd,
    /// `AT_*` flags.
    AtFlags,
    /// `PROT_*`.
    Prot,
    /// `MAP_*`.
    MapFlags,
    /// A signal number.
    Signal,
    /// `SIG_BLOCK`/`SIG_UNBLOCK`/`SIG_SETMASK`.
    SigHow,
    /// `fcntl` command.
    FcntlCmd,
    /// Clock id.
    Clock,
    /// `lseek` whence.
    Whence,
    /// Address family.
    Domain,
    /// Socket type with flags.
    SockType,
    /// `madvise` advice.
    Advice,
    /// A `struct timespec *` read before the call.
    Timespec,
    /// A `struct sockaddr *` with its length in argument `n`.
    Sockaddr(usize),
}

/// Decoders for calls whose C prototype alone says too little.
pub fn overrides(name: &str) -> Option<&'static [Kind]> {
    use Kind::*;
    Some(match name {
        "open" => &[Str, OpenFlags, Mode],
        "openat" => &[AtFd, Str, OpenFlags, Mode],
        "read" | "extpread" => &[Int, InBuf, Uint, Int, Int],
        "write" | "extpwrite" => &[Int, OutBuf(2), Uint, Int, Int],
        "fstatat" => &[AtFd, Str, Hex, AtFlags],
        "unlinkat" | "mkdirat" | "readlinkat" | "fchmodat" | "fchownat" | "faccessat" | "utimensat" => {
            &[AtFd, Str, Hex, Hex, AtFlags]
        }
        "mkdir" | "chmod" => &[Str, Mode],
        "mmap" => &[Hex, Uint, Prot, MapFlags, Int, Int, Hex],
        "mprotect" => &[Hex, Uint, Prot],
        "madvise" => &[Hex, Uint, Advice],
        "sigaction" => &[Signal, Hex, Hex],
        "sigprocmask" => &[SigHow, Hex, Hex],
        "kill" => &[Int, Signal],
        "lwp_kill" => &[Int, Int, Signal],
        "fcntl" => &[Int, FcntlCmd, Hex],
        "clock_gettime" | "clock_getres" => &[Clock, Hex],
        "lseek" => &[Int, Int, Int, Whence],
        "socket" | "socketpair" => &[Domain, SockType, Int, Hex],
        "bind" | "connect" => &[Int, Sockaddr(2), Uint],
        "nanosleep" => &[Timespec, Hex],
        "kevent" => &[Int, Hex, Int, Hex, Int, Timespec],
        _ => return None,
    })
}

/// The kind implied by a C type in `syscalls.master`.
pub fn from_c_type(ty: &str, name: &str) -> Kind {
    let t = ty.trim();
    if (t == "char *" || t == "const char *") && !name.contains("buf") {
        return Kind::Str;
    }
    if t.ends_with('*') || t == "caddr_t" {
        return Kind::Hex;
    }
    match t {
        "int" | "pid_t" | "lwpid_t" | "clockid_t" | "idtype_t" | "off_t" | "long" | "ssize_t" | "id_t" => Kind::Int,
        "u_int" | "uid_t" | "gid_t" | "socklen_t" | "size_t" | "u_long" | "unsigned" => Kind::Uint,
        "mode_t" => Kind::Mode,
        _ => Kind::Hex,
    }
}

/// Joins the names of the set bits; leftover bits in hex.
fn flags(v: i64, table: &[(i64, &str)], zero: &str) -> String {
    let mut parts = Vec::new();
    let mut rest = v;
    for &(bit, name) in table {
        if bit != 0 && v & bit == bit {
            parts.push(name.to_string());
            rest &= !bit;
        }
    }
    if rest != 0 {
        parts.push(format!("{rest:#x}"));
    }
    if parts.is_empty() { zero.to_string() } else { parts.join("|") }
}

fn named(v: i64, table: &[(i64, &str)]) -> String {
    table.iter().find(|t| t.0 == v).map_or_else(|| v.to_string(), |t| t.1.to_string())
}

/// `open` flags, access mode first: `O_RDONLY|O_CLOEXEC`.
pub fn open_flags(v: i64) -> String {
    let mode = match v & i64::from(d::O_ACCMODE) {
        0 => "O_RDONLY",
        1 => "O_WRONLY",
        2 => "O_RDWR",
        _ => "O_ACCMODE",
    };
    let rest = v & !i64::from(d::O_ACCMODE);
    let table: &[(i64, &str)] = &[
        (d::O_NONBLOCK.into(), "O_NONBLOCK"),
        (d::O_APPEND.into(), "O_APPEND"),
        (d::O_SHLOCK.into(), "O_SHLOCK"),
        (d::O_EXLOCK.into(), "O_EXLOCK"),
        (d::O_ASYNC.into(), "O_ASYNC"),
        (d::O_FSYNC.into(), "O_FSYNC"),
        (d::O_NOFOLLOW.into(), "O_NOFOLLOW"),
        (d::O_CREAT.into(), "O_CREAT"),
        (d::O_TRUNC.into(), "O_TRUNC"),
        (d::O_EXCL.into(), "O_EXCL"),
        (d::O_NOCTTY.into(), "O_NOCTTY"),
        (d::O_DIRECT.into(), "O_DIRECT"),
        (d::O_CLOEXEC.into(), "O_CLOEXEC"),
        (d::O_DIRECTORY.into(), "O_DIRECTORY"),
    ];
    if rest == 0 { mode.to_string() } else { format!("{mode}|{}", flags(rest, table, "")) }
}

/// Renders a number by kind (kinds that read memory are handled by the caller).
pub fn number(kind: Kind, v: u64) -> String {
    let i = v as i64;
    let int = v as u32 as i32;
    match kind {
        Kind::Int => format!("{}", if (i32::MIN as i64..=i32::MAX as i64).contains(&i) { i } else { i64::from(int) }),
        Kind::Uint => format!("{v}"),
        Kind::OpenFlags => open_flags(i64::from(int)),
        Kind::Mode => format!("0{:o}", v as u32),
        Kind::AtFd => {
            if int == d::AT_FDCWD as i32 {
                "AT_FDCWD".into()
            } else {
                int.to_string()
            }
        }
        Kind::AtFlags => flags(
            int.into(),
            &[
                (d::AT_SYMLINK_NOFOLLOW.into(), "AT_SYMLINK_NOFOLLOW"),
                (d::AT_REMOVEDIR.into(), "AT_REMOVEDIR"),
                (d::AT_EACCESS.into(), "AT_EACCESS"),
                (d::AT_SYMLINK_FOLLOW.into(), "AT_SYMLINK_FOLLOW"),
            ],
            "0",
        ),
        Kind::Prot => flags(
            int.into(),
            &[
                (d::PROT_READ.into(), "PROT_READ"),
                (d::PROT_WRITE.into(), "PROT_WRITE"),
                (d::PROT_EXEC.into(), "PROT_EXEC"),
            ],
            "PROT_NONE",
        ),
        Kind::MapFlags => flags(
            int.into(),
            &[
                (d::MAP_SHARED.into(), "MAP_SHARED"),
                (d::MAP_PRIVATE.into(), "MAP_PRIVATE"),
                (d::MAP_FIXED.into(), "MAP_FIXED"),
                (d::MAP_NORESERVE.into(), "MAP_NORESERVE"),
                (d::MAP_STACK.into(), "MAP_STACK"),
                (d::MAP_NOSYNC.into(), "MAP_NOSYNC"),
                (d::MAP_ANON.into(), "MAP_ANON"),
                (d::MAP_TRYFIXED.into(), "MAP_TRYFIXED"),
                (d::MAP_NOCORE.into(), "MAP_NOCORE"),
            ],
            "MAP_FILE",
        ),
        Kind::Signal => {
            let n = crate::xlat::signo::name(v as u32);
            if n == "SIG?" { int.to_string() } else { n.to_string() }
        }
        Kind::SigHow => named(
            int.into(),
            &[
                (d::SIG_BLOCK.into(), "SIG_BLOCK"),
                (d::SIG_UNBLOCK.into(), "SIG_UNBLOCK"),
                (d::SIG_SETMASK.into(), "SIG_SETMASK"),
            ],
        ),
        Kind::FcntlCmd => named(
            int.into(),
            &[
                (d::F_DUPFD.into(), "F_DUPFD"),
                (d::F_GETFD.into(), "F_GETFD"),
                (d::F_SETFD.into(), "F_SETFD"),
                (d::F_GETFL.into(), "F_GETFL"),
                (d::F_SETFL.into(), "F_SETFL"),
                (d::F_GETOWN.into(), "F_GETOWN"),
                (d::F_SETOWN.into(), "F_SETOWN"),
                (d::F_GETLK.into(), "F_GETLK"),
                (d::F_SETLK.into(), "F_SETLK"),
                (d::F_SETLKW.into(), "F_SETLKW"),
                (d::F_DUP2FD.into(), "F_DUP2FD"),
                (d::F_DUPFD_CLOEXEC.into(), "F_DUPFD_CLOEXEC"),
                (d::F_DUP2FD_CLOEXEC.into(), "F_DUP2FD_CLOEXEC"),
            ],
        ),
        Kind::Clock => named(
            int.into(),
            &[
                (d::CLOCK_REALTIME.into(), "CLOCK_REALTIME"),
                (d::CLOCK_VIRTUAL.into(), "CLOCK_VIRTUAL"),
                (d::CLOCK_PROF.into(), "CLOCK_PROF"),
                (d::CLOCK_MONOTONIC.into(), "CLOCK_MONOTONIC"),
                (d::CLOCK_UPTIME.into(), "CLOCK_UPTIME"),
                (d::CLOCK_REALTIME_FAST.into(), "CLOCK_REALTIME_FAST"),
                (d::CLOCK_MONOTONIC_FAST.into(), "CLOCK_MONOTONIC_FAST"),
                (d::CLOCK_SECOND.into(), "CLOCK_SECOND"),
                (d::CLOCK_THREAD_CPUTIME_ID.into(), "CLOCK_THREAD_CPUTIME_ID"),
                (d::CLOCK_PROCESS_CPUTIME_ID.into(), "CLOCK_PROCESS_CPUTIME_ID"),
            ],
        ),
        Kind::Whence => {
            named(int.into(), &[(0, "SEEK_SET"), (1, "SEEK_CUR"), (2, "SEEK_END"), (3, "SEEK_DATA"), (4, "SEEK_HOLE")])
        }
        Kind::Domain => named(
            int.into(),
            &[(d::AF_UNIX.into(), "AF_UNIX"), (d::AF_INET.into(), "AF_INET"), (d::AF_INET6.into(), "AF_INET6")],
        ),
        Kind::SockType => {
            let base = named(
                i64::from(int & 0xffff),
                &[(1, "SOCK_STREAM"), (2, "SOCK_DGRAM"), (3, "SOCK_RAW"), (4, "SOCK_RDM"), (5, "SOCK_SEQPACKET")],
            );
            let extra = flags(
                i64::from(int & !0xffff),
                &[(d::SOCK_CLOEXEC.into(), "SOCK_CLOEXEC"), (d::SOCK_NONBLOCK.into(), "SOCK_NONBLOCK")],
                "",
            );
            if extra.is_empty() { base } else { format!("{base}|{extra}") }
        }
        Kind::Advice => named(
            int.into(),
            &[
                (d::MADV_NORMAL.into(), "MADV_NORMAL"),
                (d::MADV_RANDOM.into(), "MADV_RANDOM"),
                (d::MADV_SEQUENTIAL.into(), "MADV_SEQUENTIAL"),
                (d::MADV_WILLNEED.into(), "MADV_WILLNEED"),
                (d::MADV_DONTNEED.into(), "MADV_DONTNEED"),
                (d::MADV_FREE.into(), "MADV_FREE"),
            ],
        ),
        _ => {
            if v == 0 {
                "NULL".into()
            } else {
                format!("{v:#x}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_flags_read_like_truss() {
        assert_eq!(open_flags(0), "O_RDONLY");
        assert_eq!(open_flags(i64::from(d::O_RDONLY | d::O_CLOEXEC)), "O_RDONLY|O_CLOEXEC");
        assert_eq!(open_flags(i64::from(d::O_RDWR | d::O_CREAT | d::O_TRUNC)), "O_RDWR|O_CREAT|O_TRUNC");
    }

    #[test]
    fn constants_and_flags_by_kind() {
        assert_eq!(number(Kind::AtFd, 0xFFFA_FDCD), "AT_FDCWD");
        assert_eq!(number(Kind::Prot, 3), "PROT_READ|PROT_WRITE");
        assert_eq!(number(Kind::Prot, 0), "PROT_NONE");
        assert_eq!(number(Kind::MapFlags, 0x1002), "MAP_PRIVATE|MAP_ANON");
        assert_eq!(number(Kind::Signal, 16), "SIGURG");
        assert_eq!(number(Kind::Clock, 4), "CLOCK_MONOTONIC");
        assert_eq!(number(Kind::FcntlCmd, 3), "F_GETFL");
        assert_eq!(number(Kind::SockType, 0x3000_0001), "SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK");
        assert_eq!(number(Kind::Int, 0xffff_ffff), "-1");
        assert_eq!(number(Kind::Mode, 0o644), "0644");
    }
}
