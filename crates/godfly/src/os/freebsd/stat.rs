//! The 64-bit-inode `struct stat` (FreeBSD 12 and later) and FreeBSD's
//! 64-bit `dev_t` (`sys/sys/types.h` `__makedev`).

use godfly_abi::freebsd::layout::{Stat, Timespec};

use crate::host::Errno;

/// Major and minor to FreeBSD's `dev_t`.
pub fn makedev(major: u32, minor: u32) -> u64 {
    (u64::from(major & 0xffff_ff00) << 32)
        | u64::from((major & 0xff) << 8)
        | (u64::from(minor & 0xff00) << 24)
        | u64::from(minor & 0xffff_00ff)
}

/// FreeBSD's `dev_t` to (major, minor).
pub fn split(dev: u64) -> (u32, u32) {
    let major = ((dev >> 32) as u32 & 0xffff_ff00) | ((dev >> 8) as u32 & 0xff);
    let minor = ((dev >> 24) as u32 & 0xff00) | (dev as u32 & 0xffff_00ff);
    (major, minor)
}

/// Linux `dev_t` to FreeBSD's.
pub fn dev_from_linux(dev: u64) -> u64 {
    makedev(libc::major(dev), libc::minor(dev))
}

/// A guest `dev_t` (`mknodat`) as Linux's.
pub fn dev_to_host(dev: u64) -> u64 {
    let (major, minor) = split(dev);
    libc::makedev(major, minor)
}

/// Writes a Linux `struct stat` in FreeBSD's layout, with the file flags
/// `flags` (`st_flags`). The birth time is not known to `stat(2)` on
/// Linux: FreeBSD reports -1 seconds for a filesystem without one.
pub fn write_stat(addr: u64, st: &libc::stat, flags: u32) -> Result<(), Errno> {
    let mut out = from_linux(st);
    out.st_flags = flags;
    crate::mem::write(addr, &out)
}

/// Linux `struct stat` to FreeBSD's.
pub fn from_linux(st: &libc::stat) -> Stat {
    Stat {
        st_dev: dev_from_linux(st.st_dev),
        st_ino: st.st_ino,
        st_nlink: st.st_nlink,
        st_mode: st.st_mode as u16,
        st_uid: st.st_uid,
        st_gid: st.st_gid,
        st_rdev: dev_from_linux(st.st_rdev),
        st_atim: Timespec { tv_sec: st.st_atime, tv_nsec: st.st_atime_nsec },
        st_mtim: Timespec { tv_sec: st.st_mtime, tv_nsec: st.st_mtime_nsec },
        st_ctim: Timespec { tv_sec: st.st_ctime, tv_nsec: st.st_ctime_nsec },
        st_birthtim: Timespec { tv_sec: -1, tv_nsec: 0 },
        st_size: st.st_size,
        st_blocks: st.st_blocks,
        st_blksize: i32::try_from(st.st_blksize).unwrap_or(i32::MAX),
        ..Stat::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_numbers_use_freebsds_64_bit_encoding() {
        assert_eq!(dev_from_linux(libc::makedev(1, 3)), 0x0103);
        assert_eq!(makedev(0x1234, 0x0005_6789), (0x1200 << 32) | (0x34 << 8) | (0x6700 << 24) | 0x0005_0089);
        for (ma, mi) in [(0, 0), (1, 3), (8, 17), (259, 65_536), (4095, 1 << 19)] {
            let d = makedev(ma, mi);
            assert_eq!(split(d), (ma, mi));
            assert_eq!(dev_to_host(dev_from_linux(libc::makedev(ma, mi))), libc::makedev(ma, mi));
        }
    }
}
