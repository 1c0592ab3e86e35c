//! FreeBSD x86-64: generated numbers (`generated/`, from `shared/freebsd/`).
//! and the hand-written layouts.

pub mod layout;

#[allow(missing_docs, non_upper_case_globals, clippy::all)]
#[rustfmt::skip]
pub mod generated {
    pub mod consts;
    pub mod errno;
    pub mod signal;
    pub mod syscalls;
}

pub use generated::{consts, errno, signal, syscalls};

/// The highest address a FreeBSD process maps: `VM_MAXUSER_ADDRESS` is
/// 0x8000_0000_0000 with the shared page in its last page
/// (`SHAREDPAGE_LA48`), which is also where Linux's user space ends.
pub const VM_MAX_USER_ADDRESS: u64 = 0x7FFF_FFFF_F000;
/// `USRSTACK` (`sys/amd64/include/vmparam.h`): just below the shared page.
pub const USRSTACK: u64 = 0x7FFF_FFFF_F000;
/// Default stack size (`DFLSSIZ`).
pub const DFLSSIZ: u64 = 8 << 20;
/// `__FreeBSD_version` of the kernel godfly presents (15.0-RELEASE).
pub const OSRELDATE: i32 = 1_500_068;
/// `kern.osrelease` matching `OSRELDATE`.
pub const OSRELEASE: &str = "15.0-RELEASE";
/// `ARG_MAX` (`sys/sys/syslimits.h:44`).
pub const ARG_MAX: i32 = 0x80000;
/// `IOV_MAX` (`sys/syslimits.h`).
pub const IOV_MAX: i32 = 1024;
/// `NGROUPS_MAX` (`sys/sys/syslimits.h`): setgroups beyond it is EINVAL.
pub const NGROUPS: usize = 1023;
/// `SOCK_MAXADDRLEN` (`sys/socket.h`).
pub const SOCK_MAXADDRLEN: usize = 255;
/// `MCLBYTES`: the most control data `sendmsg` takes (`sockargs`, EINVAL
/// beyond).
pub const MCLBYTES: usize = 2048;
/// `KQ_NEVENTS` (`sys/kern/kern_event.c`): changes copied in at a time.
pub const KQ_NEVENTS: usize = 8;
