//! `fcntl` locks: DragonFly's `struct flock` has another field order, and
//! `F_RDLCK`/`F_UNLCK`/`F_WRLCK` are 1/2/3 instead of Linux's 0/2/1.

use godfly_abi::dragonfly::consts as d;
use godfly_abi::dragonfly::layout::Flock;

use crate::host::Errno;
use crate::host::errno::EINVAL;
use crate::mem;
use crate::xlat::Fcntl;

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

/// The command a DragonFly `fcntl` number names.
pub fn command(cmd: i32) -> Option<Fcntl> {
    Some(match cmd {
        d::F_DUPFD => Fcntl::DupFd,
        d::F_DUPFD_CLOEXEC => Fcntl::DupFdCloexec,
        d::F_DUP2FD => Fcntl::Dup2Fd,
        d::F_DUP2FD_CLOEXEC => Fcntl::Dup2FdCloexec,
        d::F_GETFD => Fcntl::GetFd,
        d::F_SETFD => Fcntl::SetFd,
        d::F_GETFL => Fcntl::GetFl,
        d::F_SETFL => Fcntl::SetFl,
        d::F_GETOWN => Fcntl::GetOwn,
        d::F_SETOWN => Fcntl::SetOwn,
        d::F_GETLK => Fcntl::GetLk,
        d::F_SETLK => Fcntl::SetLk,
        d::F_SETLKW => Fcntl::SetLkW,
        _ => return None,
    })
}

/// Reads a guest `struct flock` as Linux's (EINVAL for a bad lock type).
pub fn read_flock(addr: u64) -> Result<libc::flock, Errno> {
    let f: Flock = mem::read(addr)?;
    flock_to_linux(&f).ok_or(EINVAL)
}

/// Writes a Linux `struct flock` in DragonFly's layout.
pub fn write_flock(addr: u64, f: &libc::flock) -> Result<(), Errno> {
    mem::write(addr, &flock_from_linux(f))
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
