//! FreeBSD structure layouts (FreeBSD 15.0 headers), exactly as the kernel
//! and libc see them. Sizes and offsets are asserted at compile time
//! against `shared/freebsd/struct-layouts.txt`.

use std::mem::{offset_of, size_of};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

pub use crate::bsd::{Itimerval, Rlimit, Rusage, Sigaction, Siginfo, Sigset, StackT, Timespec, Timeval};

/// `struct stat` (`sys/sys/stat.h`, the 64-bit-inode one since FreeBSD
/// 12), 224 bytes.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct Stat {
    pub st_dev: u64,
    pub st_ino: u64,
    pub st_nlink: u64,
    pub st_mode: u16,
    pub st_bsdflags: i16,
    pub st_uid: u32,
    pub st_gid: u32,
    pub st_padding1: u32,
    pub st_rdev: u64,
    pub st_atim: Timespec,
    pub st_mtim: Timespec,
    pub st_ctim: Timespec,
    pub st_birthtim: Timespec,
    pub st_size: i64,
    pub st_blocks: i64,
    pub st_blksize: i32,
    pub st_flags: u32,
    pub st_gen: u64,
    pub st_filerev: u64,
    pub st_spare: [u64; 9],
}

/// The fixed head of `struct dirent` (`sys/sys/dirent.h`): 24 bytes, then
/// the name, its NUL and padding to 8.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct DirentHead {
    pub d_fileno: u64,
    pub d_off: i64,
    pub d_reclen: u16,
    pub d_type: u8,
    pub d_pad0: u8,
    pub d_namlen: u16,
    pub d_pad1: u16,
}

/// `_GENERIC_DIRLEN(namlen)`: a record's length for a name of `namlen`
/// bytes.
pub const fn dirent_reclen(namlen: usize) -> usize {
    (size_of::<DirentHead>() + namlen + 1 + 7) & !7
}

/// `struct statfs` (`sys/sys/mount.h`), 2344 bytes.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct Statfs {
    pub f_version: u32,
    pub f_type: u32,
    pub f_flags: u64,
    pub f_bsize: u64,
    pub f_iosize: u64,
    pub f_blocks: u64,
    pub f_bfree: u64,
    pub f_bavail: i64,
    pub f_files: u64,
    pub f_ffree: i64,
    pub f_syncwrites: u64,
    pub f_asyncwrites: u64,
    pub f_syncreads: u64,
    pub f_asyncreads: u64,
    pub f_nvnodelistsize: u32,
    pub f_spare0: u32,
    pub f_spare: [u64; 9],
    pub f_namemax: u32,
    pub f_owner: u32,
    pub f_fsid: [i32; 2],
    pub f_charspare: [u8; 80],
    pub f_fstypename: [u8; 16],
    pub f_mntfromname: [u8; 1024],
    pub f_mntonname: [u8; 1024],
}

/// `STATFS_VERSION` (`sys/sys/mount.h`).
pub const STATFS_VERSION: u32 = 0x2004_0308;

/// `struct kevent` (`sys/sys/event.h`), 64 bytes, with `ext[4]`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct Kevent {
    pub ident: u64,
    pub filter: i16,
    pub flags: u16,
    pub fflags: u32,
    pub data: i64,
    pub udata: u64,
    pub ext: [u64; 4],
}

/// `struct freebsd11_kevent`, 32 bytes: what the old `kevent` (363), which
/// Go's `syscall.Kevent` still calls, reads and writes. `data` is an
/// `intptr_t`, as in the 64-byte one.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct Kevent11 {
    pub ident: u64,
    pub filter: i16,
    pub flags: u16,
    pub fflags: u32,
    pub data: i64,
    pub udata: u64,
}

/// `mcontext_t` (`sys/x86/include/ucontext.h`), 800 bytes.
#[repr(C, align(16))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct Mcontext {
    pub mc_onstack: u64,
    pub mc_rdi: u64,
    pub mc_rsi: u64,
    pub mc_rdx: u64,
    pub mc_rcx: u64,
    pub mc_r8: u64,
    pub mc_r9: u64,
    pub mc_rax: u64,
    pub mc_rbx: u64,
    pub mc_rbp: u64,
    pub mc_r10: u64,
    pub mc_r11: u64,
    pub mc_r12: u64,
    pub mc_r13: u64,
    pub mc_r14: u64,
    pub mc_r15: u64,
    pub mc_trapno: u32,
    pub mc_fs: u16,
    pub mc_gs: u16,
    pub mc_addr: u64,
    pub mc_flags: u32,
    pub mc_es: u16,
    pub mc_ds: u16,
    pub mc_err: u64,
    pub mc_rip: u64,
    pub mc_cs: u64,
    pub mc_rflags: u64,
    pub mc_rsp: u64,
    pub mc_ss: u64,
    pub mc_len: u64,
    pub mc_fpformat: u64,
    pub mc_ownedfp: u64,
    /// The 512-byte FXSAVE image.
    pub mc_fpstate: [u8; 512],
    pub mc_fsbase: u64,
    pub mc_gsbase: u64,
    /// Where the XSAVE area beyond the legacy 512+64 bytes is, and its length.
    pub mc_xfpustate: u64,
    pub mc_xfpustate_len: u64,
    pub mc_tlsbase: u64,
    pub mc_spare: [u64; 3],
}

/// `ucontext_t` (`sys/sys/_ucontext.h`), 880 bytes.
#[repr(C, align(16))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct Ucontext {
    pub uc_sigmask: Sigset,
    pub uc_mcontext: Mcontext,
    pub uc_link: u64,
    pub uc_stack: StackT,
    pub uc_flags: i32,
    pub spare: [i32; 4],
    pub pad: [u8; 12],
}

/// `struct sigframe` (`sys/x86/include/sigframe.h`), 976 bytes.
#[repr(C, align(16))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct Sigframe {
    pub sf_ahu: u64,
    pub pad: u64,
    pub sf_uc: Ucontext,
    pub sf_si: Siginfo,
}

/// `struct thr_param` (`sys/sys/thr.h`), 104 bytes.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct ThrParam {
    pub start_func: u64,
    pub arg: u64,
    pub stack_base: u64,
    pub stack_size: u64,
    pub tls_base: u64,
    pub tls_size: u64,
    pub child_tid: u64,
    pub parent_tid: u64,
    pub flags: i32,
    pub pad: u32,
    pub rtp: u64,
    pub spare: [u64; 3],
}

/// `struct _umtx_time` (`sys/sys/_umtx.h`), 24 bytes.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct UmtxTime {
    pub timeout: Timespec,
    pub flags: u32,
    pub clockid: u32,
}

/// `struct flock` (`sys/sys/fcntl.h`), 32 bytes.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct Flock {
    pub l_start: i64,
    pub l_len: i64,
    pub l_pid: i32,
    pub l_type: i16,
    pub l_whence: i16,
    pub l_sysid: i32,
    pub pad: u32,
}

const _: () = {
    assert!(size_of::<Stat>() == 224);
    assert!(offset_of!(Stat, st_mode) == 24);
    assert!(offset_of!(Stat, st_rdev) == 40);
    assert!(offset_of!(Stat, st_birthtim) == 96);
    assert!(offset_of!(Stat, st_blksize) == 128);
    assert!(offset_of!(Stat, st_gen) == 136);
    assert!(size_of::<DirentHead>() == 24);
    assert!(offset_of!(DirentHead, d_reclen) == 16);
    assert!(offset_of!(DirentHead, d_namlen) == 20);
    assert!(size_of::<Statfs>() == 2344);
    assert!(offset_of!(Statfs, f_namemax) == 184);
    assert!(offset_of!(Statfs, f_fsid) == 192);
    assert!(offset_of!(Statfs, f_fstypename) == 280);
    assert!(offset_of!(Statfs, f_mntonname) == 1320);
    assert!(size_of::<Kevent>() == 64);
    assert!(size_of::<Kevent11>() == 32);
    assert!(size_of::<Mcontext>() == 800);
    assert!(offset_of!(Mcontext, mc_trapno) == 128);
    assert!(offset_of!(Mcontext, mc_flags) == 144);
    assert!(offset_of!(Mcontext, mc_rip) == 160);
    assert!(offset_of!(Mcontext, mc_rsp) == 184);
    assert!(offset_of!(Mcontext, mc_len) == 200);
    assert!(offset_of!(Mcontext, mc_fpstate) == 224);
    assert!(offset_of!(Mcontext, mc_fsbase) == 736);
    assert!(offset_of!(Mcontext, mc_tlsbase) == 768);
    assert!(size_of::<Ucontext>() == 880);
    assert!(offset_of!(Ucontext, uc_mcontext) == 16);
    assert!(offset_of!(Ucontext, uc_stack) == 824);
    assert!(offset_of!(Ucontext, uc_flags) == 848);
    assert!(size_of::<Sigframe>() == 976);
    assert!(offset_of!(Sigframe, sf_uc) == 16);
    assert!(offset_of!(Sigframe, sf_si) == 896);
    assert!(size_of::<Siginfo>() == 80);
    assert!(size_of::<ThrParam>() == 104);
    assert!(offset_of!(ThrParam, flags) == 64);
    assert!(offset_of!(ThrParam, rtp) == 72);
    assert!(size_of::<UmtxTime>() == 24);
    assert!(size_of::<Flock>() == 32);
    assert!(offset_of!(Flock, l_sysid) == 24);
    assert!(size_of::<Sigaction>() == 32);
};
