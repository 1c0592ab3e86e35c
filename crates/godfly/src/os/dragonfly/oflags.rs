//! `open` flags (`sys/sys/fcntl.h`) to and from Linux's, and the `AT_*`
//! flags.

use godfly_abi::dragonfly::consts as d;

use crate::xlat::{AtFlags, OpenFlags, OpenLock};

/// (DragonFly bit, Linux bit) for flags that exist on both.
const MAP: &[(i32, i32)] = &[
    (d::O_NONBLOCK, libc::O_NONBLOCK),
    (d::O_APPEND, libc::O_APPEND),
    (d::O_ASYNC, libc::O_ASYNC),
    (d::O_FSYNC, libc::O_SYNC),
    (d::O_NOFOLLOW, libc::O_NOFOLLOW),
    (d::O_CREAT, libc::O_CREAT),
    (d::O_TRUNC, libc::O_TRUNC),
    (d::O_EXCL, libc::O_EXCL),
    (d::O_NOCTTY, libc::O_NOCTTY),
    (d::O_DIRECT, libc::O_DIRECT),
    (d::O_CLOEXEC, libc::O_CLOEXEC),
    (d::O_DIRECTORY, libc::O_DIRECTORY),
];

/// Flags with no Linux `open` equivalent; `O_SHLOCK`/`O_EXLOCK` are applied
/// with `flock` after the open by the caller.
pub const LOCK_FLAGS: i32 = d::O_SHLOCK | d::O_EXLOCK;

/// Every flag `open` knows.
const KNOWN: i32 = d::O_ACCMODE
    | LOCK_FLAGS
    | d::O_NONBLOCK
    | d::O_APPEND
    | d::O_ASYNC
    | d::O_FSYNC
    | d::O_NOFOLLOW
    | d::O_CREAT
    | d::O_TRUNC
    | d::O_EXCL
    | d::O_NOCTTY
    | d::O_DIRECT
    | d::O_CLOEXEC
    | d::O_DIRECTORY;

/// DragonFly open flags to Linux ones. The access mode is the same (0/1/2).
pub fn to_linux(flags: i32) -> i32 {
    let mut out = flags & d::O_ACCMODE;
    for &(df, lx) in MAP {
        if flags & df != 0 {
            out |= lx;
        }
    }
    out
}

/// The personality's `open_flags`: Linux's, the lock `open` takes, and the
/// bits godfly does not know.
pub fn open_flags(flags: i32) -> OpenFlags {
    let lock = if flags & d::O_EXLOCK != 0 {
        Some(OpenLock::Exclusive)
    } else if flags & d::O_SHLOCK != 0 {
        Some(OpenLock::Shared)
    } else {
        None
    };
    OpenFlags { linux: to_linux(flags), lock, unknown: flags & !KNOWN }
}

/// Linux file status flags (`F_GETFL`) to DragonFly ones.
pub fn from_linux(flags: i32) -> i32 {
    let mut out = flags & libc::O_ACCMODE;
    for &(df, lx) in MAP {
        // O_SYNC on Linux includes the O_DSYNC bit; compare the whole mask.
        if flags & lx == lx {
            out |= df;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_open_flags_translate() {
        // Go's os.Create: O_RDWR|O_CREAT|O_TRUNC|O_CLOEXEC.
        let g = d::O_RDWR | d::O_CREAT | d::O_TRUNC | d::O_CLOEXEC;
        assert_eq!(to_linux(g), libc::O_RDWR | libc::O_CREAT | libc::O_TRUNC | libc::O_CLOEXEC);
        assert_eq!(to_linux(d::O_WRONLY | d::O_APPEND | d::O_CREAT), libc::O_WRONLY | libc::O_APPEND | libc::O_CREAT);
        assert_eq!(to_linux(d::O_DIRECTORY | d::O_NOFOLLOW), libc::O_DIRECTORY | libc::O_NOFOLLOW);
        assert_eq!(to_linux(d::O_EXCL | d::O_NONBLOCK), libc::O_EXCL | libc::O_NONBLOCK);
    }

    #[test]
    fn status_flags_translate_back() {
        assert_eq!(
            from_linux(libc::O_RDWR | libc::O_NONBLOCK | libc::O_APPEND),
            d::O_RDWR | d::O_NONBLOCK | d::O_APPEND
        );
        assert_eq!(from_linux(libc::O_WRONLY | 0o100000 /* O_LARGEFILE */), d::O_WRONLY);
        assert_eq!(from_linux(libc::O_DSYNC), 0);
    }
}

/// DragonFly's `AT_FDCWD`: `0xFFFAFDCD` read as an `int`.
pub const AT_FDCWD: i32 = d::AT_FDCWD as i32;

/// `AT_*` flags by meaning; `None` for a bit DragonFly does not define.
pub fn at_flags(flags: i32) -> Option<AtFlags> {
    const MAP: [(i32, AtFlags); 4] = [
        (d::AT_SYMLINK_NOFOLLOW, AtFlags::SYMLINK_NOFOLLOW),
        (d::AT_REMOVEDIR, AtFlags::REMOVEDIR),
        (d::AT_EACCESS, AtFlags::EACCESS),
        (d::AT_SYMLINK_FOLLOW, AtFlags::SYMLINK_FOLLOW),
    ];
    let mut out = AtFlags::default();
    let mut rest = flags;
    for (bit, f) in MAP {
        if flags & bit != 0 {
            out = out.or(f);
            rest &= !bit;
        }
    }
    (rest == 0).then_some(out)
}

#[cfg(test)]
mod at_tests {
    use super::*;

    #[test]
    fn at_fdcwd_and_flags_translate() {
        assert_eq!(AT_FDCWD, 0xFFFA_FDCDu32 as i32);
        assert_eq!(at_flags(d::AT_SYMLINK_NOFOLLOW).map(AtFlags::to_linux), Some(libc::AT_SYMLINK_NOFOLLOW));
        assert_eq!(at_flags(d::AT_REMOVEDIR).map(AtFlags::to_linux), Some(libc::AT_REMOVEDIR));
        assert_eq!(at_flags(d::AT_SYMLINK_FOLLOW).map(AtFlags::to_linux), Some(libc::AT_SYMLINK_FOLLOW));
        assert!(!at_flags(d::AT_REMOVEDIR).unwrap().within(AtFlags::SYMLINK_NOFOLLOW));
        assert_eq!(at_flags(0x100), None);
    }

    #[test]
    fn open_locks_and_unknown_bits_are_reported_beside_the_linux_flags() {
        let f = open_flags(d::O_RDONLY | d::O_EXLOCK | d::O_NONBLOCK);
        assert_eq!(f.lock, Some(OpenLock::Exclusive));
        assert_eq!(f.linux, libc::O_NONBLOCK);
        assert_eq!(open_flags(0x4000_0000).unknown, 0x4000_0000);
    }
}
