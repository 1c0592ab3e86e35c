//! File status and directory reading: `stat`, `fstat`, `lstat`,
//! `fstatat`, `getdirentries`, `getdents`. Linux: `newfstatat`, `fstat`,
//! `getdents64`, converted to DragonFly's `struct stat` and `struct dirent`.

use godfly_abi::consts as d;
use godfly_abi::errno::{EINVAL, ENOTDIR};

use crate::dispatch::{Args, Ctx, SysResult, ok};
use crate::host;
use crate::mem;
use crate::xlat::{dirent, oflags, stat as xstat, statfs as xstatfs};

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

fn mounts() -> Vec<xstatfs::Mount> {
    xstatfs::parse_mountinfo(&std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default())
}

/// The mount holding a file with device `dev` (the last one mounted there).
fn mount_of(dev: u64) -> xstatfs::Mount {
    let key = (libc::major(dev), libc::minor(dev));
    mounts().into_iter().rev().find(|m| m.dev == key).unwrap_or(xstatfs::Mount {
        dev: key,
        point: "/".into(),
        options: String::new(),
        fstype: "unknown".into(),
        source: "none".into(),
    })
}

/// statfs(2), DragonFly 157.
pub fn statfs(_: &mut Ctx, a: &Args) -> SysResult {
    let p = mem::read_path(a.ptr(0))?;
    let st = host::statfs_path(&p)?;
    let dev = host::stat_path(&p)?.st_dev;
    mem::write(a.ptr(1), &xstatfs::from_linux(&st, &mount_of(dev)))?;
    ok(0u64)
}

/// fstatfs(2), DragonFly 158.
pub fn fstatfs(_: &mut Ctx, a: &Args) -> SysResult {
    let fd = a.int(0);
    let st = host::fstatfs(fd)?;
    let dev = host::fstat(fd)?.st_dev;
    mem::write(a.ptr(1), &xstatfs::from_linux(&st, &mount_of(dev)))?;
    ok(0u64)
}

/// `getfsstat(buf, bufsize, flags)`, DragonFly 18: every mounted
/// filesystem; with a NULL buffer, only their number.
pub fn getfsstat(_: &mut Ctx, a: &Args) -> SysResult {
    let (buf, size) = (a.ptr(0), a.i64(1));
    let all = mounts();
    if buf == 0 {
        return ok(all.len() as u64);
    }
    let room = (size.max(0) as usize) / std::mem::size_of::<godfly_abi::layout::Statfs>();
    let mut n = 0;
    for m in all.iter().take(room) {
        let Ok(path) = std::ffi::CString::new(m.point.as_bytes()) else { continue };
        let Ok(st) = host::statfs_path(&path) else { continue };
        let rec = xstatfs::from_linux(&st, m);
        mem::write(buf + (n * std::mem::size_of::<godfly_abi::layout::Statfs>()) as u64, &rec)?;
        n += 1;
    }
    ok(n as u64)
}
