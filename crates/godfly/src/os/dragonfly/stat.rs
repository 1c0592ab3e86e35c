//! `struct stat` and device numbers.

use godfly_abi::dragonfly::layout::{Stat, Timespec};

use crate::host::Errno;

/// Linux `dev_t` to DragonFly's 32-bit one: major in bits 8..15, minor in
/// bits 0..7 and 16..31 (Go's `Mkdev` for dragonfly). Majors above 255 do
/// not fit and are truncated.
pub fn dev_from_linux(dev: u64) -> u32 {
    let major = libc::major(dev);
    let minor = libc::minor(dev);
    ((major & 0xff) << 8) | (minor & 0xff) | ((minor & !0xff) << 8)
}

/// DragonFly `dev_t` to Linux's (for `mknod`).
pub fn dev_to_linux(dev: u32) -> u64 {
    let major = (dev >> 8) & 0xff;
    let minor = (dev & 0xff) | ((dev >> 8) & !0xff);
    libc::makedev(major, minor)
}

/// A guest `dev_t` argument (a 32-bit value in a 64-bit slot) as Linux's.
pub fn dev_to_host(dev: u64) -> u64 {
    dev_to_linux(dev as u32)
}

/// Writes a Linux `struct stat` in DragonFly's layout, with the file
/// flags `flags` (`st_flags`).
pub fn write_stat(addr: u64, st: &libc::stat, flags: u32) -> Result<(), Errno> {
    let mut out = from_linux(st);
    out.st_flags = flags;
    crate::mem::write(addr, &out)
}

/// Linux `struct stat` to DragonFly's.
pub fn from_linux(st: &libc::stat) -> Stat {
    let blksize = st.st_blksize;
    Stat {
        st_ino: st.st_ino,
        st_nlink: u32::try_from(st.st_nlink).unwrap_or(u32::MAX),
        st_dev: dev_from_linux(st.st_dev),
        st_mode: st.st_mode as u16,
        st_padding1: 0,
        st_uid: st.st_uid,
        st_gid: st.st_gid,
        st_rdev: dev_from_linux(st.st_rdev),
        st_atim: Timespec { tv_sec: st.st_atime, tv_nsec: st.st_atime_nsec },
        st_mtim: Timespec { tv_sec: st.st_mtime, tv_nsec: st.st_mtime_nsec },
        st_ctim: Timespec { tv_sec: st.st_ctime, tv_nsec: st.st_ctime_nsec },
        st_size: st.st_size,
        st_blocks: st.st_blocks,
        old_st_blksize: u32::try_from(blksize).unwrap_or(u32::MAX),
        st_flags: 0,
        st_gen: 0,
        st_lspare: 0,
        st_blksize: blksize,
        st_qspare2: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_numbers_round_trip_in_dragonfly_encoding() {
        let d = dev_from_linux(libc::makedev(1, 3)); // /dev/null
        assert_eq!(d, 0x0103);
        assert_eq!(dev_to_linux(d), libc::makedev(1, 3));
        let big = dev_from_linux(libc::makedev(8, 0x12345));
        assert_eq!(big & 0xff, 0x45);
        assert_eq!((big >> 8) & 0xff, 8);
        assert_eq!(dev_to_linux(big), libc::makedev(8, 0x12345));
    }

    #[test]
    fn stat_fields_land_in_dragonfly_places() {
        let mut st = crate::host::fs::stat_path(c"/").expect("stat /");
        st.st_ino = 42;
        st.st_mode = libc::S_IFREG | 0o644;
        st.st_nlink = 2;
        st.st_size = 1234;
        st.st_blksize = 4096;
        st.st_mtime = 99;
        st.st_mtime_nsec = 7;
        let s = from_linux(&st);
        assert_eq!(s.st_ino, 42);
        assert_eq!(s.st_mode, 0o100644);
        assert_eq!(s.st_nlink, 2);
        assert_eq!(s.st_size, 1234);
        assert_eq!(s.old_st_blksize, 4096);
        assert_eq!(s.st_blksize, 4096);
        assert_eq!(s.st_mtim, Timespec { tv_sec: 99, tv_nsec: 7 });
    }
}
