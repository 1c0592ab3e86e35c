//! DragonFly structure layouts, exactly as the kernel and libc see them.
//! Sizes and offsets are asserted at compile time against
//! `shared/dragonfly/struct-layouts.txt` and Go's `ztypes_dragonfly_amd64.go`
//! (the latter cross-checked by a test in the godfly crate).

use std::mem::{offset_of, size_of};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

pub use crate::bsd::{Itimerval, Msghdr, Rlimit, Rusage, Sigaction, Siginfo, Sigset, StackT, Timespec, Timeval};

/// `struct stat` (`sys/sys/stat.h:58`), 128 bytes.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct Stat {
    pub st_ino: u64,
    pub st_nlink: u32,
    pub st_dev: u32,
    pub st_mode: u16,
    pub st_padding1: u16,
    pub st_uid: u32,
    pub st_gid: u32,
    pub st_rdev: u32,
    pub st_atim: Timespec,
    pub st_mtim: Timespec,
    pub st_ctim: Timespec,
    pub st_size: i64,
    pub st_blocks: i64,
    /// Same value as `st_blksize`; Go reads this one.
    pub old_st_blksize: u32,
    pub st_flags: u32,
    pub st_gen: u32,
    pub st_lspare: i32,
    pub st_blksize: i64,
    pub st_qspare2: i64,
}

/// Fixed head of `struct dirent` (`sys/sys/dirent.h:59`); the name follows
/// at offset 16, NUL-terminated, and the record is padded to 8 bytes.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct DirentHead {
    pub d_ino: u64,
    pub d_namlen: u16,
    pub d_type: u8,
    pub d_unused1: u8,
    pub d_unused2: u32,
}

/// Length of a dirent record with a name of `namlen` bytes (`_DIRENT_RECLEN`).
pub const fn dirent_reclen(namlen: usize) -> usize {
    (size_of::<DirentHead>() + namlen + 1 + 7) & !7
}

/// `struct kevent` (`sys/sys/event.h`), 32 bytes.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct Kevent {
    pub ident: u64,
    pub filter: i16,
    pub flags: u16,
    pub fflags: u32,
    pub data: i64,
    pub udata: u64,
}

/// `struct lwp_params` (`sys/sys/lwp.h`), argument of `lwp_create`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct LwpParams {
    pub lwp_func: u64,
    pub lwp_arg: u64,
    pub lwp_stack: u64,
    pub lwp_tid1: u64,
    pub lwp_tid2: u64,
}

/// `struct tls_info` (`sys/sys/tls.h`), argument of `set_tls_area`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct TlsInfo {
    pub base: u64,
    pub size: i64,
}

/// `mcontext_t` (`cpu/x86_64/include/ucontext.h:36`), 1280 bytes: the
/// registers in trapframe order, then the FXSAVE/XSAVE image.
#[repr(C, align(64))]
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
    pub mc_xflags: u64,
    pub mc_trapno: u64,
    pub mc_addr: u64,
    pub mc_flags: u64,
    pub mc_err: u64,
    pub mc_rip: u64,
    pub mc_cs: u64,
    pub mc_rflags: u64,
    pub mc_rsp: u64,
    pub mc_ss: u64,
    pub mc_len: u32,
    pub mc_fpformat: u32,
    pub mc_ownedfp: u32,
    pub mc_reserved: u32,
    pub mc_unused: [u32; 8],
    pub mc_fpregs: [u8; 1024],
}

/// `ucontext_t` (`sys/sys/ucontext.h:42`), 1408 bytes.
#[repr(C, align(64))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct Ucontext {
    pub uc_sigmask: Sigset,
    pub pad: [u8; 48],
    pub uc_mcontext: Mcontext,
    pub uc_link: u64,
    pub uc_stack: StackT,
    pub uc_cofunc: u64,
    pub uc_arg: u64,
    pub spare: [i32; 4],
}

/// `struct sigframe` (`cpu/x86_64/include/sigframe.h:40`), 1600 bytes.
#[repr(C, align(64))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct Sigframe {
    pub sf_ahu: u64,
    pub pad: [u8; 56],
    pub sf_uc: Ucontext,
    pub sf_si: Siginfo,
    pub tail: [u8; 48],
}

/// `struct flock` (`sys/sys/fcntl.h`), field order differs from Linux.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct Flock {
    pub l_start: i64,
    pub l_len: i64,
    pub l_pid: i32,
    pub l_type: i16,
    pub l_whence: i16,
}

/// `struct statfs` (`sys/sys/mount.h`), 320 bytes.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct Statfs {
    pub f_spare2: i64,
    pub f_bsize: i64,
    pub f_iosize: i64,
    pub f_blocks: i64,
    pub f_bfree: i64,
    pub f_bavail: i64,
    pub f_files: i64,
    pub f_ffree: i64,
    pub f_fsid: [i32; 2],
    pub f_owner: u32,
    pub f_type: i32,
    pub f_flags: i32,
    pub pad0: u32,
    pub f_syncwrites: i64,
    pub f_asyncwrites: i64,
    pub f_fstypename: [u8; 16],
    pub f_mntonname: [u8; 80],
    pub f_syncreads: i64,
    pub f_asyncreads: i64,
    pub f_spares1: i16,
    pub f_mntfromname: [u8; 80],
    pub f_spares2: i16,
    pub pad1: u32,
    pub f_spare: [i64; 2],
}

/// `struct statvfs` (`sys/sys/statvfs.h`), 160 bytes.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct Statvfs {
    pub f_bsize: u64,
    pub f_frsize: u64,
    pub f_blocks: u64,
    pub f_bfree: u64,
    pub f_bavail: u64,
    pub f_files: u64,
    pub f_ffree: u64,
    pub f_favail: u64,
    pub f_fsid: u64,
    pub f_flag: u64,
    pub f_namemax: u64,
    pub f_owner: u32,
    pub f_type: u32,
    pub f_syncreads: u64,
    pub f_syncwrites: u64,
    pub f_asyncreads: u64,
    pub f_asyncwrites: u64,
    pub f_fsid_uuid: [u8; 16],
    pub f_uid_uuid: [u8; 16],
}

const _: () = {
    assert!(size_of::<Statvfs>() == 160);
    assert!(offset_of!(Statvfs, f_owner) == 88);
    assert!(offset_of!(Statvfs, f_syncreads) == 96);
    assert!(offset_of!(Statvfs, f_fsid_uuid) == 128);
    assert!(size_of::<Statfs>() == 320);
    assert!(offset_of!(Statfs, f_fsid) == 64);
    assert!(offset_of!(Statfs, f_flags) == 80);
    assert!(offset_of!(Statfs, f_fstypename) == 104);
    assert!(offset_of!(Statfs, f_mntonname) == 120);
    assert!(offset_of!(Statfs, f_mntfromname) == 218);
    assert!(offset_of!(Statfs, f_spare) == 304);
    assert!(size_of::<Stat>() == 128);
    assert!(offset_of!(Stat, st_mode) == 16);
    assert!(offset_of!(Stat, st_uid) == 20);
    assert!(offset_of!(Stat, st_rdev) == 28);
    assert!(offset_of!(Stat, st_atim) == 32);
    assert!(offset_of!(Stat, st_ctim) == 64);
    assert!(offset_of!(Stat, st_size) == 80);
    assert!(offset_of!(Stat, old_st_blksize) == 96);
    assert!(offset_of!(Stat, st_flags) == 100);
    assert!(offset_of!(Stat, st_blksize) == 112);
    assert!(size_of::<DirentHead>() == 16);
    assert!(size_of::<Kevent>() == 32);
    assert!(offset_of!(Kevent, fflags) == 12);
    assert!(offset_of!(Kevent, data) == 16);
    assert!(size_of::<LwpParams>() == 40);
    assert!(size_of::<TlsInfo>() == 16);
    assert!(size_of::<Mcontext>() == 1280);
    assert!(offset_of!(Mcontext, mc_rax) == 56);
    assert!(offset_of!(Mcontext, mc_rip) == 168);
    assert!(offset_of!(Mcontext, mc_rsp) == 192);
    assert!(offset_of!(Mcontext, mc_len) == 208);
    assert!(offset_of!(Mcontext, mc_fpregs) == 256);
    assert!(size_of::<Ucontext>() == 1408);
    assert!(offset_of!(Ucontext, uc_mcontext) == 64);
    assert!(offset_of!(Ucontext, uc_link) == 1344);
    assert!(offset_of!(Ucontext, uc_stack) == 1352);
    assert!(offset_of!(Ucontext, uc_cofunc) == 1376);
    assert!(size_of::<Sigframe>() == 1600);
    assert!(offset_of!(Sigframe, sf_uc) == 64);
    assert!(offset_of!(Sigframe, sf_si) == 1472);
    assert!(size_of::<Flock>() == 24);
    assert!(offset_of!(Flock, l_type) == 20);
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dirent_reclen_matches_dragonfly_macro() {
        assert_eq!(dirent_reclen(1), 24);
        assert_eq!(dirent_reclen(7), 24);
        assert_eq!(dirent_reclen(8), 32);
        assert_eq!(dirent_reclen(255), 272);
    }
}
