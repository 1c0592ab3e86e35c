//! `open` flags (`sys/sys/fcntl.h`) to and from Linux's.

use godfly_abi::consts as d;

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

/// DragonFly's `AT_FDCWD` to Linux's; other descriptors pass through.
pub fn dirfd_to_linux(fd: i32) -> i32 {
    if fd == AT_FDCWD { libc::AT_FDCWD } else { fd }
}

/// `AT_*` flags to Linux's. `allowed` lists the DragonFly bits the call
/// accepts; anything else is `None` (EINVAL). `AT_EACCESS` only means
/// something to `faccessat`, where Linux spells it 0x200 as well.
pub fn at_flags_to_linux(flags: i32, allowed: i32) -> Option<i32> {
    if flags & !allowed != 0 {
        return None;
    }
    let mut out = 0;
    if flags & d::AT_SYMLINK_NOFOLLOW != 0 {
        out |= libc::AT_SYMLINK_NOFOLLOW;
    }
    if flags & d::AT_REMOVEDIR != 0 {
        out |= libc::AT_REMOVEDIR;
    }
    if flags & d::AT_EACCESS != 0 {
        out |= libc::AT_EACCESS;
    }
    if flags & d::AT_SYMLINK_FOLLOW != 0 {
        out |= libc::AT_SYMLINK_FOLLOW;
    }
    Some(out)
}

#[cfg(test)]
mod at_tests {
    use super::*;

    #[test]
    fn at_fdcwd_and_flags_translate() {
        assert_eq!(dirfd_to_linux(0xFFFA_FDCDu32 as i32), libc::AT_FDCWD);
        assert_eq!(dirfd_to_linux(5), 5);
        assert_eq!(at_flags_to_linux(d::AT_SYMLINK_NOFOLLOW, d::AT_SYMLINK_NOFOLLOW), Some(libc::AT_SYMLINK_NOFOLLOW));
        assert_eq!(at_flags_to_linux(d::AT_REMOVEDIR, d::AT_REMOVEDIR), Some(libc::AT_REMOVEDIR));
        assert_eq!(at_flags_to_linux(d::AT_SYMLINK_FOLLOW, d::AT_SYMLINK_FOLLOW), Some(libc::AT_SYMLINK_FOLLOW));
        assert_eq!(at_flags_to_linux(d::AT_REMOVEDIR, d::AT_SYMLINK_NOFOLLOW), None);
    }
}
