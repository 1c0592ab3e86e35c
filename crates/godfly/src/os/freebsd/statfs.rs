//! FreeBSD `struct statfs` (`sys/sys/mount.h`, 2344 bytes) from a Linux
//! `statfs` plus the mount table entry. The MNT_* flag bits are the
//! 4.4BSD ones DragonFly also has.

use godfly_abi::freebsd::layout::{STATFS_VERSION, Statfs};
use zerocopy::FromZeros;

use crate::host::Errno;
use crate::xlat::mountinfo::Mount;

const MNT_RDONLY: u64 = 0x1;
const MNT_SYNCHRONOUS: u64 = 0x2;
const MNT_NOEXEC: u64 = 0x4;
const MNT_NOSUID: u64 = 0x8;
const MNT_LOCAL: u64 = 0x1000;
const MNT_NOATIME: u64 = 0x1000_0000;
/// `MNAMELEN`-bounded names with a NUL.
fn copy_name(dst: &mut [u8], s: &str) {
    let b = s.as_bytes();
    let n = b.len().min(dst.len() - 1);
    dst[..n].copy_from_slice(&b[..n]);
}

/// Builds FreeBSD's `statfs` for a mount.
pub fn from_linux(st: &libc::statfs, m: &Mount) -> Statfs {
    let mut out = Statfs::new_zeroed();
    out.f_version = STATFS_VERSION;
    out.f_bsize = st.f_bsize as u64;
    out.f_iosize = st.f_bsize as u64;
    out.f_blocks = st.f_blocks;
    out.f_bfree = st.f_bfree;
    out.f_bavail = st.f_bavail as i64;
    out.f_files = st.f_files;
    out.f_ffree = st.f_ffree as i64;
    out.f_namemax = st.f_namelen as u32;
    out.f_owner = 0;
    out.f_fsid = [m.dev.0 as i32, m.dev.1 as i32];
    let mut flags = 0;
    for opt in m.options.split(',') {
        flags |= match opt {
            "ro" => MNT_RDONLY,
            "nosuid" => MNT_NOSUID,
            "noexec" => MNT_NOEXEC,
            "sync" => MNT_SYNCHRONOUS,
            "noatime" => MNT_NOATIME,
            _ => 0,
        };
    }
    if !crate::xlat::mountinfo::is_remote(&m.fstype) {
        flags |= MNT_LOCAL;
    }
    out.f_flags = flags;
    copy_name(&mut out.f_fstypename, &m.fstype);
    copy_name(&mut out.f_mntonname, &m.point);
    copy_name(&mut out.f_mntfromname, &m.source);
    out
}

/// Writes FreeBSD's `statfs` for a mount.
pub fn write_statfs(addr: u64, st: &libc::statfs, m: &Mount) -> Result<(), Errno> {
    crate::mem::write(addr, &from_linux(st, m))
}
