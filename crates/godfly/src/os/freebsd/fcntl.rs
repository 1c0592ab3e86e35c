//! `fcntl` commands and locks: FreeBSD's GETLK/SETLK/SETLKW are 11/12/13
//! and its `struct flock` (32 bytes) ends in `l_sysid`; the lock types are
//! DragonFly's (1/2/3 against Linux's 0/2/1).

use godfly_abi::freebsd::consts as f;
use godfly_abi::freebsd::layout::Flock;

use crate::host::Errno;
use crate::host::errno::EINVAL;
use crate::mem;
use crate::xlat::Fcntl;

/// The command a FreeBSD `fcntl` number names.
pub fn command(cmd: i32) -> Option<Fcntl> {
    Some(match cmd {
        f::F_DUPFD => Fcntl::DupFd,
        f::F_DUPFD_CLOEXEC => Fcntl::DupFdCloexec,
        f::F_DUP2FD => Fcntl::Dup2Fd,
        f::F_DUP2FD_CLOEXEC => Fcntl::Dup2FdCloexec,
        f::F_GETFD => Fcntl::GetFd,
        f::F_SETFD => Fcntl::SetFd,
        f::F_GETFL => Fcntl::GetFl,
        f::F_SETFL => Fcntl::SetFl,
        f::F_GETOWN => Fcntl::GetOwn,
        f::F_SETOWN => Fcntl::SetOwn,
        f::F_GETLK => Fcntl::GetLk,
        f::F_SETLK => Fcntl::SetLk,
        f::F_SETLKW => Fcntl::SetLkW,
        _ => return None,
    })
}

/// Reads a FreeBSD `struct flock` as Linux's (EINVAL for a bad lock type).
pub fn read_flock(addr: u64) -> Result<libc::flock, Errno> {
    let fl: Flock = mem::read(addr)?;
    let l_type = crate::os::dragonfly::fcntl::lock_type_to_linux(fl.l_type).ok_or(EINVAL)?;
    Ok(libc::flock { l_type, l_whence: fl.l_whence, l_start: fl.l_start, l_len: fl.l_len, l_pid: fl.l_pid })
}

/// Writes a Linux `struct flock` in FreeBSD's layout (`l_sysid` 0: a
/// local lock).
pub fn write_flock(addr: u64, fl: &libc::flock) -> Result<(), Errno> {
    let out = Flock {
        l_start: fl.l_start,
        l_len: fl.l_len,
        l_pid: fl.l_pid,
        l_type: crate::os::dragonfly::fcntl::lock_type_from_linux(fl.l_type),
        l_whence: fl.l_whence,
        l_sysid: 0,
        pad: 0,
    };
    mem::write(addr, &out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_commands_are_11_to_13() {
        assert_eq!(command(11), Some(Fcntl::GetLk));
        assert_eq!(command(12), Some(Fcntl::SetLk));
        assert_eq!(command(13), Some(Fcntl::SetLkW));
        assert_eq!(command(7), None, "F_OGETLK is the old layout");
        assert_eq!(command(18), Some(Fcntl::Dup2FdCloexec));
    }
}
