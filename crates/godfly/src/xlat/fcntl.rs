//! `fcntl` locks: DragonFly's `struct flock` has another field order, and
//! `F_RDLCK`/`F_UNLCK`/`F_WRLCK` are 1/2/3 instead of Linux's 0/2/1.

use godfly_abi::consts as d;
use godfly_abi::layout::Flock;

/// DragonFly lock type to Linux's.
pub fn lock_type_to_linux(t: i16) -> Option<i16> {
    match i32::from(t) {
        d::F_RDLCK => Some(libc::F_RDLCK as i16),
        d::F_UNLCK => Some(libc::F_UNLCK as i16),
        d::F_WRLCK => Some(libc::F_WRLCK as i16),
        _ => None,
    }
}

/// Linux lock type to DragonFly's.
pub fn lock_type_from_linux(t: i16) -> i16 {
    match i32::from(t) {
        libc::F_RDLCK => d::F_RDLCK as i16,
        libc::F_WRLCK => d::F_WRLCK as i16,
        _ => d::F_UNLCK as i16,
    }
}

/// DragonFly `struct flock` to Linux's; `None` for a bad lock type.
pub fn flock_to_linux(f: &Flock) -> Option<libc::flock> {
    Some(libc::flock {
        l_type: lock_type_to_linux(f.l_type)?,
        l_whence: f.l_whence,
        l_start: f.l_start,
        l_len: f.l_len,
        l_pid: f.l_pid,
    })
}

/// Linux `struct flock` to DragonFly's.
pub fn flock_from_linux(f: &libc::flock) -> Flock {
    Flock {
        l_start: f.l_start,
        l_len: f.l_len,
        l_pid: f.l_pid,
        l_type: lock_type_from_linux(f.l_type),
        l_whence: f.l_whence,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_types_translate() {
        assert_eq!(lock_type_to_linux(1), Some(libc::F_RDLCK as i16));
        assert_eq!(lock_type_to_linux(3), Some(libc::F_WRLCK as i16));
        assert_eq!(lock_type_to_linux(2), Some(libc::F_UNLCK as i16));
        assert_eq!(lock_type_to_linux(0), None);
        let f = Flock { l_start: 5, l_len: 10, l_pid: 0, l_type: 3, l_whence: 0 };
        let l = flock_to_linux(&f).unwrap();
        assert_eq!((l.l_start, l.l_len, l.l_type), (5, 10, libc::F_WRLCK as i16));
        assert_eq!(flock_from_linux(&l), f);
    }
}
