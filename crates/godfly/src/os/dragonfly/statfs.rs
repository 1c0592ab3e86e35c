//! DragonFly `struct statfs` (`sys/sys/mount.h`) from a Linux `statfs`
//! plus the mount table entry. Mount flags: RDONLY 0x1, SYNCHRONOUS 0x2,
//! NOEXEC 0x4, NOSUID 0x8, NODEV 0x10, ASYNC 0x40, LOCAL 0x1000, NOATIME
//! 0x10000000.

use godfly_abi::dragonfly::layout::Statfs;
use zerocopy::FromZeros;

use crate::host::Errno;
use crate::xlat::mountinfo::Mount;

const MNT_RDONLY: i32 = 0x1;
const MNT_SYNCHRONOUS: i32 = 0x2;
const MNT_NOEXEC: i32 = 0x4;
const MNT_NOSUID: i32 = 0x8;
const MNT_NODEV: i32 = 0x10;
const MNT_LOCAL: i32 = 0x1000;
const MNT_NOATIME: i32 = 0x1000_0000;

fn copy_name(dst: &mut [u8], s: &str) {
    let b = s.as_bytes();
    let n = b.len().min(dst.len() - 1);
    dst[..n].copy_from_slice(&b[..n]);
}

/// Builds DragonFly's `statfs` for a mount.
pub fn from_linux(st: &libc::statfs, m: &Mount) -> Statfs {
    let mut out = Statfs::new_zeroed();
    out.f_bsize = st.f_bsize;
    out.f_iosize = st.f_bsize;
    out.f_blocks = st.f_blocks as i64;
    out.f_bfree = st.f_bfree as i64;
    out.f_bavail = st.f_bavail as i64;
    out.f_files = st.f_files as i64;
    out.f_ffree = st.f_ffree as i64;
    out.f_fsid = [m.dev.0 as i32, m.dev.1 as i32];
    let mut flags = 0;
    for opt in m.options.split(',') {
        flags |= match opt {
            "ro" => MNT_RDONLY,
            "nosuid" => MNT_NOSUID,
            "nodev" => MNT_NODEV,
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

/// Writes DragonFly's `statfs` for a mount.
pub fn write_statfs(addr: u64, st: &libc::statfs, m: &Mount) -> Result<(), Errno> {
    crate::mem::write(addr, &from_linux(st, m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_flags_land_in_dragonfly_fields() {
        let m = Mount {
            dev: (0, 21),
            point: "/proc".into(),
            options: "ro,nosuid".into(),
            fstype: "proc".into(),
            source: "proc".into(),
        };
        let st: libc::statfs = crate::host::fs::statfs(c"/").expect("statfs /");
        let s = from_linux(&st, &m);
        assert_eq!(&s.f_fstypename[..5], b"proc\0");
        assert_eq!(&s.f_mntonname[..6], b"/proc\0");
        assert_eq!(s.f_flags, MNT_RDONLY | MNT_NOSUID | MNT_LOCAL);
    }
}
