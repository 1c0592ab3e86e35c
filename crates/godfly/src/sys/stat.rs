//! File status and directory reading: `stat`, `fstat`, `lstat`,
//! `fstatat`, `getdirentries`, `getdents`. Linux: `newfstatat`, `fstat`,
//! `getdents64`, converted to DragonFly's `struct stat` and `struct dirent`.

use godfly_abi::consts as d;
use godfly_abi::errno::{EINVAL, ENOTDIR};

use crate::dispatch::{Args, Ctx, SysResult, ok};
use crate::host;
use crate::mem;
use crate::xlat::{dirent, oflags, stat as xstat};

fn stat_at(dirfd: i32, path: u64, out: u64, flags: i32) -> SysResult {
    let path = mem::read_path(path)?;
    let lflags = oflags::at_flags_to_linux(flags, d::AT_SYMLINK_NOFOLLOW).ok_or(EINVAL)?;
    let st = host::fstatat(oflags::dirfd_to_linux(dirfd), &path, lflags)?;
    mem::write(out, &xstat::from_linux(&st))?;
    ok(0u64)
}

/// stat(2), DragonFly 475.
pub fn stat(_: &mut Ctx, a: &Args) -> SysResult {
    stat_at(oflags::AT_FDCWD, a.ptr(0), a.ptr(1), 0)
}

/// lstat(2), DragonFly 477.
pub fn lstat(_: &mut Ctx, a: &Args) -> SysResult {
    stat_at(oflags::AT_FDCWD, a.ptr(0), a.ptr(1), d::AT_SYMLINK_NOFOLLOW)
}

/// fstatat(2), DragonFly 505.
pub fn fstatat(_: &mut Ctx, a: &Args) -> SysResult {
    stat_at(a.int(0), a.ptr(1), a.ptr(2), a.int(3))
}

/// fstat(2), DragonFly 476.
pub fn fstat(_: &mut Ctx, a: &Args) -> SysResult {
    let st = host::fstat(a.int(0))?;
    mem::write(a.ptr(1), &xstat::from_linux(&st))?;
    ok(0u64)
}

/// Largest host buffer used for one directory read.
const MAX_DIRBUF: usize = 1 << 20;

/// `getdirentries(fd, buf, count, basep)`, DragonFly 479: `*basep` gets the
/// directory offset before the read.
pub fn getdirentries(_: &mut Ctx, a: &Args) -> SysResult {
    read_dir(a.int(0), a.ptr(1), a.uint(2) as usize, a.ptr(3))
}

/// `getdents(fd, buf, count)`, DragonFly 480.
pub fn getdents(_: &mut Ctx, a: &Args) -> SysResult {
    read_dir(a.int(0), a.ptr(1), a.usize(2), 0)
}

fn read_dir(fd: i32, buf: u64, count: usize, basep: u64) -> SysResult {
    let base = host::sys(libc::SYS_lseek, &[fd as u64, 0, libc::SEEK_CUR as u64])?;
    let cap = count.min(MAX_DIRBUF);
    let mut hostbuf = vec![0u8; cap];
    let n = host::sys(libc::SYS_getdents64, &[fd as u64, hostbuf.as_mut_ptr() as u64, cap as u64])
        .map_err(|e| if e == ENOTDIR { EINVAL } else { e })? as usize;
    let mut out = Vec::with_capacity(n);
    let mut resume = None;
    let mut dropped = false;
    for e in dirent::parse_linux(&hostbuf[..n]) {
        let before = out.len();
        dirent::push_dragonfly(&mut out, &e);
        if out.len() > count {
            // Cannot happen with DragonFly records no larger than Linux's,
            // but never hand back more than asked for.
            out.truncate(before);
            dropped = true;
            break;
        }
        resume = Some(e.next_off);
    }
    if let (true, Some(off)) = (dropped, resume) {
        // Continue after the last entry handed out.
        host::sys(libc::SYS_lseek, &[fd as u64, off as u64, libc::SEEK_SET as u64])?;
    }
    mem::write_bytes(buf, &out)?;
    if basep != 0 {
        mem::write(basep, &(base as i64))?;
    }
    ok(out.len() as u64)
}
