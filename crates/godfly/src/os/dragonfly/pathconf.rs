//! `pathconf`, `lpathconf`, `fpathconf`: the values DragonFly's
//! filesystems answer. Linux has no such call (its libc computes them),
//! so the answer comes from what the file is: HAMMER2, UFS and devfs use
//! `vop_stdpathconf` (`kern/vfs_default.c`), tmpfs its own
//! (`vfs/tmpfs/tmpfs_vnops.c`), a named FIFO `fifo_pathconf`
//! (`vfs/fifofs`), and a pipe or socket descriptor knows only
//! `_PC_PIPE_BUF` (`kern/kern_descrip.c`). A name a filesystem does not
//! know is EINVAL.

use godfly_abi::dragonfly::misc as m;

use crate::call::{Args, SysResult, ok};
use crate::host::errno::{EINVAL, EOPNOTSUPP};
use crate::host::{Errno, fd as hfd, fs};
use crate::mem;
use crate::thread::Ctx;

/// Which DragonFly code answers for a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answerer {
    /// `vop_stdpathconf`: HAMMER2, UFS, devfs, and everything else.
    Standard,
    /// `tmpfs_pathconf`, with the mount's size in bytes.
    Tmpfs(u64),
    /// `fifo_pathconf`: a named FIFO.
    Fifo,
    /// A pipe or socket descriptor (`sys_fpathconf`).
    PipeOrSocket,
}

/// `flsll`: the 1-based index of the highest set bit, 0 for 0.
fn flsll(x: u64) -> u64 {
    u64::from(64 - x.leading_zeros())
}

/// The value of pathconf name `name` for a file `who` answers for.
pub fn value(who: Answerer, name: i32) -> Option<i64> {
    let std = |name| match name {
        m::PC_CHOWN_RESTRICTED => Some(1),
        m::PC_LINK_MAX => Some(m::LINK_MAX),
        m::PC_MAX_CANON | m::PC_MAX_INPUT => Some(m::MAX_CANON),
        m::PC_NAME_MAX => Some(m::NAME_MAX),
        m::PC_NO_TRUNC => Some(1),
        m::PC_PATH_MAX => Some(mem::MAXPATHLEN as i64),
        m::PC_PIPE_BUF => Some(m::PIPE_BUF),
        m::PC_VDISABLE => Some(m::POSIX_VDISABLE),
        _ => None,
    };
    match who {
        Answerer::Standard => std(name),
        Answerer::Tmpfs(bytes) => match name {
            m::PC_FILESIZEBITS => Some(32.max(flsll(bytes) + 1) as i64),
            m::PC_SYNC_IO | m::PC_2_SYMLINKS => Some(1),
            m::PC_MAX_CANON | m::PC_MAX_INPUT | m::PC_VDISABLE => None,
            _ => std(name),
        },
        Answerer::Fifo => match name {
            m::PC_LINK_MAX => Some(m::LINK_MAX),
            m::PC_PIPE_BUF => Some(m::PIPE_BUF),
            m::PC_CHOWN_RESTRICTED => Some(1),
            _ => None,
        },
        Answerer::PipeOrSocket => (name == m::PC_PIPE_BUF).then_some(m::PIPE_BUF),
    }
}

const TMPFS_MAGIC: i64 = 0x0102_1994;
const PIPEFS_MAGIC: i64 = 0x5049_5045;
const SOCKFS_MAGIC: i64 = 0x534f_434b;

/// Who answers for an open host descriptor; EOPNOTSUPP for descriptors
/// that are not files (a kqueue, say), as DragonFly's `default` case.
fn answerer_of_fd(fd: i32, is_path: bool) -> Result<Answerer, Errno> {
    let st = fs::fstat(fd)?;
    let sfs = fs::fstatfs(fd)?;
    let fmt = st.st_mode & libc::S_IFMT;
    let magic = sfs.f_type;
    if !is_path && (magic == PIPEFS_MAGIC || magic == SOCKFS_MAGIC) {
        return Ok(Answerer::PipeOrSocket);
    }
    if fmt == 0 {
        return Err(EOPNOTSUPP);
    }
    if fmt == libc::S_IFIFO {
        return Ok(Answerer::Fifo);
    }
    if magic == TMPFS_MAGIC {
        return Ok(Answerer::Tmpfs(sfs.f_blocks.saturating_mul(sfs.f_bsize as u64)));
    }
    Ok(Answerer::Standard)
}

fn answer(who: Answerer, name: i32) -> SysResult {
    ok(value(who, name).ok_or(EINVAL)? as u64)
}

fn by_path(a: &Args, follow: bool) -> SysResult {
    let path = mem::read_path(a.ptr(0))?;
    let mut flags = libc::O_PATH | libc::O_CLOEXEC;
    if !follow {
        flags |= libc::O_NOFOLLOW;
    }
    let fd = fs::openat(libc::AT_FDCWD, &path, flags, 0)?;
    let who = answerer_of_fd(fd, true);
    let _ = hfd::close(fd);
    answer(who?, a.int(1))
}

/// `pathconf(path, name)`, following a final symlink.
pub fn pathconf(_: &mut Ctx, a: &Args) -> SysResult {
    by_path(a, true)
}

/// `lpathconf(path, name)`: a final symlink answers for itself.
pub fn lpathconf(_: &mut Ctx, a: &Args) -> SysResult {
    by_path(a, false)
}

/// `fpathconf(fd, name)`.
pub fn fpathconf(_: &mut Ctx, a: &Args) -> SysResult {
    let fd = a.int(0);
    hfd::check_open(fd)?;
    answer(answerer_of_fd(fd, false)?, a.int(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standard_answers_are_vop_stdpathconfs() {
        assert_eq!(value(Answerer::Standard, m::PC_LINK_MAX), Some(32767));
        assert_eq!(value(Answerer::Standard, m::PC_NAME_MAX), Some(255));
        assert_eq!(value(Answerer::Standard, m::PC_PATH_MAX), Some(1024));
        assert_eq!(value(Answerer::Standard, m::PC_PIPE_BUF), Some(512));
        assert_eq!(value(Answerer::Standard, m::PC_VDISABLE), Some(0xff));
        assert_eq!(value(Answerer::Standard, m::PC_FILESIZEBITS), None);
        assert_eq!(value(Answerer::Standard, 0), None);
    }

    #[test]
    fn tmpfs_fifos_and_pipes_answer_their_own_names() {
        // A 1 GiB tmpfs: flsll(2^30) = 31, so max(32, 32) = 32.
        assert_eq!(value(Answerer::Tmpfs(1 << 30), m::PC_FILESIZEBITS), Some(32));
        assert_eq!(value(Answerer::Tmpfs(1 << 40), m::PC_FILESIZEBITS), Some(42));
        assert_eq!(value(Answerer::Tmpfs(1 << 30), m::PC_2_SYMLINKS), Some(1));
        assert_eq!(value(Answerer::Tmpfs(1 << 30), m::PC_MAX_CANON), None);
        assert_eq!(value(Answerer::Fifo, m::PC_NAME_MAX), None);
        assert_eq!(value(Answerer::Fifo, m::PC_PIPE_BUF), Some(512));
        assert_eq!(value(Answerer::PipeOrSocket, m::PC_PIPE_BUF), Some(512));
        assert_eq!(value(Answerer::PipeOrSocket, m::PC_LINK_MAX), None);
    }
}
