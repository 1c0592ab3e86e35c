//! How a trace shows FreeBSD's calls: argument kinds where the C
//! prototype says too little, and FreeBSD's names of flags and
//! constants.

use godfly_abi::freebsd::consts as d;

use crate::personality::{ArgKind as Kind, ArgKind::*, TraceNames};

const KINDS: &[(&str, &[Kind])] = &[
    ("open", &[Str, OpenFlags, Mode]),
    ("openat", &[AtFd, Str, OpenFlags, Mode]),
    ("read", &[Int, InBuf, Uint, Int, Int]),
    ("pread", &[Int, InBuf, Uint, Int]),
    ("write", &[Int, OutBuf(2), Uint, Int, Int]),
    ("pwrite", &[Int, OutBuf(2), Uint, Int]),
    ("fstatat", &[AtFd, Str, Hex, AtFlags]),
    ("unlinkat", &[AtFd, Str, Hex, Hex, AtFlags]),
    ("mkdirat", &[AtFd, Str, Hex, Hex, AtFlags]),
    ("readlinkat", &[AtFd, Str, Hex, Hex, AtFlags]),
    ("fchmodat", &[AtFd, Str, Hex, Hex, AtFlags]),
    ("fchownat", &[AtFd, Str, Hex, Hex, AtFlags]),
    ("faccessat", &[AtFd, Str, Hex, Hex, AtFlags]),
    ("utimensat", &[AtFd, Str, Hex, Hex, AtFlags]),
    ("mkdir", &[Str, Mode]),
    ("chmod", &[Str, Mode]),
    ("mmap", &[Hex, Uint, Prot, MapFlags, Int, Hex]),
    ("mprotect", &[Hex, Uint, Prot]),
    ("madvise", &[Hex, Uint, Advice]),
    ("sigaction", &[Signal, Hex, Hex]),
    ("sigprocmask", &[SigHow, Hex, Hex]),
    ("kill", &[Int, Signal]),
    ("thr_kill", &[Int, Signal]),
    ("thr_kill2", &[Int, Int, Signal]),
    ("fcntl", &[Int, FcntlCmd, Hex]),
    ("clock_gettime", &[Clock, Hex]),
    ("clock_getres", &[Clock, Hex]),
    ("lseek", &[Int, Int, Whence]),
    ("socket", &[Domain, SockType, Int, Hex]),
    ("socketpair", &[Domain, SockType, Int, Hex]),
    ("bind", &[Int, Sockaddr(2), Uint]),
    ("connect", &[Int, Sockaddr(2), Uint]),
    ("nanosleep", &[Timespec, Hex]),
    ("kevent", &[Int, Hex, Int, Hex, Int, Timespec]),
    ("freebsd11_kevent", &[Int, Hex, Int, Hex, Int, Timespec]),
];

macro_rules! names {
    ($($c:ident),* $(,)?) => {
        &[$((d::$c as i64, stringify!($c))),*]
    };
}

/// FreeBSD's names.
pub const NAMES: TraceNames = TraceNames {
    kinds: KINDS,
    o_accmode: d::O_ACCMODE as i64,
    open_flags: names!(
        O_NONBLOCK,
        O_APPEND,
        O_SHLOCK,
        O_EXLOCK,
        O_ASYNC,
        O_FSYNC,
        O_NOFOLLOW,
        O_CREAT,
        O_TRUNC,
        O_EXCL,
        O_NOCTTY,
        O_DIRECT,
        O_CLOEXEC,
        O_DIRECTORY,
    ),
    at_fdcwd: d::AT_FDCWD as i64,
    at_flags: names!(AT_SYMLINK_NOFOLLOW, AT_REMOVEDIR, AT_EACCESS, AT_SYMLINK_FOLLOW),
    prot: names!(PROT_READ, PROT_WRITE, PROT_EXEC),
    map_flags: names!(
        MAP_SHARED,
        MAP_PRIVATE,
        MAP_FIXED,
        MAP_STACK,
        MAP_NOSYNC,
        MAP_ANON,
        MAP_GUARD,
        MAP_EXCL,
        MAP_NOCORE,
    ),
    sighow: names!(SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK),
    fcntl: names!(
        F_DUPFD,
        F_GETFD,
        F_SETFD,
        F_GETFL,
        F_SETFL,
        F_GETOWN,
        F_SETOWN,
        F_GETLK,
        F_SETLK,
        F_SETLKW,
        F_DUP2FD,
        F_DUPFD_CLOEXEC,
        F_DUP2FD_CLOEXEC,
    ),
    clocks: names!(
        CLOCK_REALTIME,
        CLOCK_VIRTUAL,
        CLOCK_PROF,
        CLOCK_MONOTONIC,
        CLOCK_UPTIME,
        CLOCK_REALTIME_FAST,
        CLOCK_MONOTONIC_FAST,
        CLOCK_SECOND,
        CLOCK_THREAD_CPUTIME_ID,
        CLOCK_PROCESS_CPUTIME_ID,
        CLOCK_TAI,
    ),
    domains: names!(AF_UNIX, AF_INET, AF_INET6),
    socket_flags: names!(SOCK_CLOEXEC, SOCK_NONBLOCK),
    advice: names!(MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED, MADV_DONTNEED, MADV_FREE),
    af_inet: d::AF_INET,
    af_inet6: d::AF_INET6,
};
