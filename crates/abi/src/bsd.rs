//! Layouts the BSDs share on x86-64: the same size and offsets in
//! DragonFly's and FreeBSD's headers (`shared/*/struct-layouts.txt`),
//! asserted here. Each guest's own module re-exports them.

use std::mem::{offset_of, size_of};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

/// `struct timespec` (`sys/sys/_timespec.h`).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct Timespec {
    pub tv_sec: i64,
    pub tv_nsec: i64,
}

/// `struct timeval`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct Timeval {
    pub tv_sec: i64,
    pub tv_usec: i64,
}

/// `sigset_t`: 128 signals, signal n is bit n-1.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct Sigset {
    pub bits: [u32; 4],
}

/// `struct sigaction` (`sys/sys/signal.h:207`), 32 bytes.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct Sigaction {
    pub sa_handler: u64,
    pub sa_flags: i32,
    pub sa_mask: Sigset,
    pub pad: u32,
}

/// `stack_t` (`sys/sys/signal.h`), 24 bytes.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct StackT {
    pub ss_sp: u64,
    pub ss_size: u64,
    pub ss_flags: i32,
    pub pad: u32,
}

/// `struct rlimit`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct Rlimit {
    pub rlim_cur: u64,
    pub rlim_max: u64,
}

/// `struct itimerval`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct Itimerval {
    pub it_interval: Timeval,
    pub it_value: Timeval,
}

/// `struct rusage` (`sys/sys/resource.h`), same 144-byte shape as Linux's.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct Rusage {
    pub ru_utime: Timeval,
    pub ru_stime: Timeval,
    pub ru_maxrss: i64,
    pub ru_ixrss: i64,
    pub ru_idrss: i64,
    pub ru_isrss: i64,
    pub ru_minflt: i64,
    pub ru_majflt: i64,
    pub ru_nswap: i64,
    pub ru_inblock: i64,
    pub ru_oublock: i64,
    pub ru_msgsnd: i64,
    pub ru_msgrcv: i64,
    pub ru_nsignals: i64,
    pub ru_nvcsw: i64,
    pub ru_nivcsw: i64,
}

/// `siginfo_t` (`sys/sys/_siginfo.h:122`), 80 bytes.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct Siginfo {
    pub si_signo: i32,
    pub si_errno: i32,
    pub si_code: i32,
    pub si_pid: i32,
    pub si_uid: u32,
    pub si_status: i32,
    pub si_addr: u64,
    pub si_value: u64,
    pub si_band: i64,
    pub spare: [i32; 7],
    pub pad: u32,
}

/// `struct msghdr` (`sys/sys/socket.h`), 48 bytes: the lengths are 32-bit.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct Msghdr {
    pub msg_name: u64,
    pub msg_namelen: u32,
    pub pad0: u32,
    pub msg_iov: u64,
    pub msg_iovlen: i32,
    pub pad1: u32,
    pub msg_control: u64,
    pub msg_controllen: u32,
    pub msg_flags: i32,
}

const _: () = {
    assert!(size_of::<Msghdr>() == 48);
    assert!(offset_of!(Msghdr, msg_iov) == 16);
    assert!(offset_of!(Msghdr, msg_control) == 32);
    assert!(offset_of!(Msghdr, msg_flags) == 44);
    assert!(size_of::<Timespec>() == 16);
    assert!(size_of::<Sigset>() == 16);
    assert!(size_of::<Sigaction>() == 32);
    assert!(offset_of!(Sigaction, sa_mask) == 12);
    assert!(size_of::<StackT>() == 24);
    assert!(size_of::<Rusage>() == 144);
    assert!(size_of::<Siginfo>() == 80);
    assert!(offset_of!(Siginfo, si_addr) == 24);
    assert!(offset_of!(Siginfo, si_band) == 40);
    assert!(size_of::<Timeval>() == 16);
    assert!(size_of::<Itimerval>() == 32);
    assert!(size_of::<Rlimit>() == 16);
    assert!(offset_of!(StackT, ss_flags) == 16);
    assert!(offset_of!(Sigaction, sa_flags) == 8);
};
