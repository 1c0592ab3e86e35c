//! DragonFly BSD x86-64: generated numbers (`generated/`, from
//! `shared/dragonfly/`) and the hand-written layouts.

pub mod layout;
#[allow(missing_docs)]
pub mod misc;
pub mod net;

#[allow(missing_docs, non_upper_case_globals, clippy::all)]
#[rustfmt::skip]
pub mod generated {
    pub mod consts;
    pub mod errno;
    pub mod signal;
    pub mod syscalls;
}

pub use generated::{consts, errno, signal, syscalls};

/// `USRSTACK` on x86-64: the top of the user address space, where the
/// initial stack ends (`cpu/x86_64/include/vmparam.h`).
pub const USRSTACK: u64 = VM_MAX_USER_ADDRESS;
/// `VM_MAX_USER_ADDRESS` (`cpu/x86_64/include/vmparam.h`).
pub const VM_MAX_USER_ADDRESS: u64 = 0x7FFF_FFE0_0000;
/// Default stack size (`DFLSSIZ`).
pub const DFLSSIZ: u64 = 8 << 20;
/// `__DragonFly_version` of the kernel godfly presents (the reference tree's).
pub const OSRELDATE: i32 = 500_901;
/// `kern.osrelease` matching `OSRELDATE`.
pub const OSRELEASE: &str = "5.9-DEVELOPMENT";
/// `ARG_MAX` (`sys/syslimits.h`).
pub const ARG_MAX: i32 = 256 * 1024;
/// `IOV_MAX` (`sys/syslimits.h`); `UIO_MAXIOV` in `kern_subr.c`
/// `iovec_copyin`, which answers EMSGSIZE beyond it.
pub const IOV_MAX: i32 = 1024;
/// `NGROUPS` (`sys/syslimits.h` NGROUPS_MAX): setgroups beyond it is EINVAL.
pub const NGROUPS: usize = 16;
/// `SOCK_MAXADDRLEN` (`sys/socket.h`): a longer socket address is
/// ENAMETOOLONG (`uipc_syscalls.c getsockaddr`); one shorter than its
/// family field (2 bytes) is EDOM.
pub const SOCK_MAXADDRLEN: usize = 255;
/// `MLEN` = MSIZE (512) − sizeof(struct m_hdr) (160 on x86-64): sendmsg's
/// control data must be 12 (a `cmsghdr`) to MLEN bytes, else EINVAL.
pub const MLEN: usize = 352;
/// `SOMAXOPT_SIZE` (`sys/socket.h`): a longer socket option is EINVAL.
pub const SOMAXOPT_SIZE: usize = 65536;
/// `SOMAXOPT_SIZE0`: the longest root may read with getsockopt.
pub const SOMAXOPT_SIZE0: usize = 32 << 20;
/// `KQ_NEVENTS` (`sys/eventvar.h`): kevent copies changes and events in
/// chunks of this many.
pub const KQ_NEVENTS: usize = 32;
/// `MAXPATHLEN`, including the NUL (`sys/param.h`).
pub const MAXPATHLEN: usize = 1024;
