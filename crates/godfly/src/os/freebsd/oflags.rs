//! `open` flags (`sys/sys/fcntl.h`) to and from Linux's, and the `AT_*`
//! flags. FreeBSD's O_CLOEXEC is 0x100000 and O_DIRECTORY 0x20000 (not
//! DragonFly's), AT_FDCWD is -100 and the AT_* bits start at 0x100.

use godfly_abi::freebsd::consts as f;

use crate::xlat::{AtFlags, OpenFlags, OpenLock};

/// (FreeBSD bit, Linux bit) for flags that exist on both.
const MAP: &[(i32, i32)] = &[
    (f::O_NONBLOCK, libc::O_NONBLOCK),
    (f::O_APPEND, libc::O_APPEND),
    (f::O_ASYNC, libc::O_ASYNC),
    (f::O_FSYNC, libc::O_SYNC),
    (f::O_NOFOLLOW, libc::O_NOFOLLOW),
    (f::O_CREAT, libc::O_CREAT),
    (f::O_TRUNC, libc::O_TRUNC),
    (f::O_EXCL, libc::O_EXCL),
    (f::O_NOCTTY, libc::O_NOCTTY),
    (f::O_DIRECT, libc::O_DIRECT),
    (f::O_CLOEXEC, libc::O_CLOEXEC),
    (f::O_DIRECTORY, libc::O_DIRECTORY),
    (f::O_DSYNC, libc::O_DSYNC),
    (f::O_PATH, libc::O_PATH),
];

/// O_SHLOCK/O_EXLOCK are applied with `flock` after the open.
const LOCK_FLAGS: i32 = f::O_SHLOCK | f::O_EXLOCK;
/// Accepted with nothing to do on Linux: O_EXEC/O_SEARCH (FreeBSD checks
/// execute permission; Linux opens for reading), O_TTY_INIT (a new tty's
/// settings are already the defaults on Linux), O_VERIFY (no fingerprint
/// verification here). O_EXEC is kept out when an access mode is given.
const NOTHING: i32 = f::O_TTY_INIT | f::O_VERIFY;

/// Every flag `open` knows.
const KNOWN: i32 = f::O_ACCMODE
    | LOCK_FLAGS
    | NOTHING
    | f::O_EXEC
    | f::O_NONBLOCK
    | f::O_APPEND
    | f::O_ASYNC
    | f::O_FSYNC
    | f::O_NOFOLLOW
    | f::O_CREAT
    | f::O_TRUNC
    | f::O_EXCL
    | f::O_NOCTTY
    | f::O_DIRECT
    | f::O_CLOEXEC
    | f::O_DIRECTORY
    | f::O_DSYNC
    | f::O_PATH;

/// FreeBSD open flags to Linux ones. The access mode is the same (0/1/2).
pub fn to_linux(flags: i32) -> i32 {
    let mut out = flags & f::O_ACCMODE;
    for &(fb, lx) in MAP {
        if flags & fb != 0 {
            out |= lx;
        }
    }
    out
}

/// The personality's `open_flags`.
pub fn open_flags(flags: i32) -> OpenFlags {
    let lock = if flags & f::O_EXLOCK != 0 {
        Some(OpenLock::Exclusive)
    } else if flags & f::O_SHLOCK != 0 {
        Some(OpenLock::Shared)
    } else {
        None
    };
    OpenFlags { linux: to_linux(flags), lock, unknown: flags & !KNOWN }
}

/// Linux file status flags (`F_GETFL`) to FreeBSD ones.
pub fn from_linux(flags: i32) -> i32 {
    let mut out = flags & libc::O_ACCMODE;
    for &(fb, lx) in MAP {
        if flags & lx == lx {
            out |= fb;
        }
    }
    // Linux's O_SYNC includes the O_DSYNC bit: one flag, not two.
    if out & f::O_FSYNC != 0 {
        out &= !f::O_DSYNC;
    }
    out
}

/// FreeBSD's `AT_FDCWD`.
pub const AT_FDCWD: i32 = f::AT_FDCWD;

/// `AT_*` flags by meaning; `None` for a bit godfly does not know.
pub fn at_flags(flags: i32) -> Option<AtFlags> {
    const MAP: [(i32, AtFlags); 4] = [
        (f::AT_SYMLINK_NOFOLLOW, AtFlags::SYMLINK_NOFOLLOW),
        (f::AT_REMOVEDIR, AtFlags::REMOVEDIR),
        (f::AT_EACCESS, AtFlags::EACCESS),
        (f::AT_SYMLINK_FOLLOW, AtFlags::SYMLINK_FOLLOW),
    ];
    let mut out = AtFlags::default();
    let mut rest = flags;
    for (bit, fl) in MAP {
        if flags & bit != 0 {
            out = out.or(fl);
            rest &= !bit;
        }
    }
    (rest == 0).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_open_flags_translate_with_freebsds_numbers() {
        // Go's os.Create: O_RDWR|O_CREAT|O_TRUNC|O_CLOEXEC.
        let g = 0x2 | 0x200 | 0x400 | 0x100000;
        assert_eq!(to_linux(g), libc::O_RDWR | libc::O_CREAT | libc::O_TRUNC | libc::O_CLOEXEC);
        assert_eq!(to_linux(0x20000 | 0x100), libc::O_DIRECTORY | libc::O_NOFOLLOW);
        assert_eq!(open_flags(f::O_EXLOCK).lock, Some(OpenLock::Exclusive));
        assert_eq!(open_flags(0x4000_0000).unknown, 0x4000_0000);
        assert_eq!(from_linux(libc::O_RDWR | libc::O_NONBLOCK | libc::O_APPEND), 0x2 | 0x4 | 0x8);
        assert_eq!(from_linux(libc::O_SYNC), f::O_FSYNC);
    }

    #[test]
    fn at_fdcwd_is_minus_100_and_at_flags_start_at_0x100() {
        assert_eq!(AT_FDCWD, -100);
        assert_eq!(at_flags(0x200).map(AtFlags::to_linux), Some(libc::AT_SYMLINK_NOFOLLOW));
        assert_eq!(at_flags(0x800).map(AtFlags::to_linux), Some(libc::AT_REMOVEDIR));
        assert_eq!(at_flags(0x400).map(AtFlags::to_linux), Some(libc::AT_SYMLINK_FOLLOW));
        assert_eq!(at_flags(1), None);
    }
}
