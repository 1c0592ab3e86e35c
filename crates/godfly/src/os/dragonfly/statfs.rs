//! DragonFly `struct statfs` (`sys/sys/mount.h`) from a Linux `statfs`
//! plus the mount table entry. Mount flags: RDONLY 0x1, SYNCHRONOUS 0x2,
//! NOEXEC 0x4, NOSUID 0x8, NODEV 0x10, ASYNC 0x40, LOCAL 0x1000, NOATIME
//! 0x10000000.

use godfly_abi::dragonfly::layout::{Statfs, Statvfs};
use godfly_abi::dragonfly::misc::{ST_NOSUID, ST_RDONLY};
use zerocopy::FromZeros;

use crate::call::{Args, SysResult, ok};
use crate::host::{Errno, fs};
use crate::mem;
use crate::sys::stat::{mount_of, mounts};
use crate::thread::Ctx;
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

/// Builds DragonFly's `statvfs` (`kern_statvfs`): the counts in
/// fragment-size units, `f_flag` only ST_RDONLY and ST_NOSUID.
pub fn statvfs_from_linux(st: &libc::statfs, m: &Mount) -> Statvfs {
    let mut out = Statvfs::new_zeroed();
    out.f_bsize = st.f_bsize as u64;
    out.f_frsize = if st.f_frsize > 0 { st.f_frsize as u64 } else { st.f_bsize as u64 };
    out.f_blocks = st.f_blocks;
    out.f_bfree = st.f_bfree;
    out.f_bavail = st.f_bavail;
    out.f_files = st.f_files;
    out.f_ffree = st.f_ffree;
    out.f_favail = st.f_ffree;
    out.f_fsid = (u64::from(m.dev.0) << 32) | u64::from(m.dev.1);
    out.f_namemax = st.f_namelen as u64;
    for opt in m.options.split(',') {
        out.f_flag |= match opt {
            "ro" => ST_RDONLY,
            "nosuid" => ST_NOSUID,
            _ => 0,
        };
    }
    out
}

/// `statvfs(path, buf)`, DragonFly 500.
pub fn statvfs(_: &mut Ctx, a: &Args) -> SysResult {
    let path = mem::read_path(a.ptr(0))?;
    let st = fs::statfs(&path)?;
    let dev = fs::stat_path(&path)?.st_dev;
    mem::write(a.ptr(1), &statvfs_from_linux(&st, &mount_of(dev)))?;
    ok(0u64)
}

/// `fstatvfs(fd, buf)`, DragonFly 501.
pub fn fstatvfs(_: &mut Ctx, a: &Args) -> SysResult {
    let fd = a.int(0);
    let st = fs::fstatfs(fd)?;
    let dev = fs::fstat(fd)?.st_dev;
    mem::write(a.ptr(1), &statvfs_from_linux(&st, &mount_of(dev)))?;
    ok(0u64)
}

/// `getvfsstat(buf, vbuf, vbufsize, flags)`, DragonFly 503: a `statfs`
/// and a `statvfs` per mount, as many as `vbufsize` holds; with no
/// `vbuf`, only the number of mounts.
pub fn getvfsstat(_: &mut Ctx, a: &Args) -> SysResult {
    let (buf, vbuf) = (a.ptr(0), a.ptr(1));
    let all = mounts();
    if vbuf == 0 {
        return ok(all.len() as u64);
    }
    let room = (a.i64(2).max(0) as usize) / std::mem::size_of::<Statvfs>();
    let mut n = 0usize;
    for m in all.iter().take(room) {
        let Ok(path) = std::ffi::CString::new(m.point.as_bytes()) else { continue };
        let Ok(st) = fs::statfs(&path) else { continue };
        mem::write(buf + (n * std::mem::size_of::<Statfs>()) as u64, &from_linux(&st, m))?;
        mem::write(vbuf + (n * std::mem::size_of::<Statvfs>()) as u64, &statvfs_from_linux(&st, m))?;
        n += 1;
    }
    ok(n as u64)
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
        let v = statvfs_from_linux(&st, &m);
        assert_eq!(v.f_flag, ST_RDONLY | ST_NOSUID);
        assert_eq!(v.f_fsid, 21);
        assert_eq!(v.f_blocks, st.f_blocks);
        assert!(v.f_namemax > 0);
    }
}
