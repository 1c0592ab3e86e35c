//! File status and directory reading: `stat`, `fstat`, `lstat`,
//! `fstatat`, `getdirentries`, `getdents`, `statfs`, `fstatfs`,
//! `getfsstat`. Linux: `statx` (for the file flags too), `getdents64`, `statfs`,
//! converted to the guest's `struct stat`, `struct dirent` and
//! `struct statfs` by the personality.

use crate::call::{Args, SysResult, ok};
use crate::host::errno::{EBADF, EINVAL, ENOTDIR};
use crate::host::fs;
use crate::mem;
use crate::personality;
use crate::thread::Ctx;
use crate::xlat::{AtFlags, dirent, fflags, mountinfo};

/// `flags` is `None` for flags the call refuses (EINVAL, once the path
/// has been read, as the BSDs check them).
fn stat_at(dirfd: i32, path: u64, out: u64, flags: Option<AtFlags>) -> SysResult {
    let p = personality::current();
    let path = mem::read_path(path)?;
    let flags = flags.ok_or(EINVAL)?;
    let (st, attrs) = fs::statx(p.dirfd(dirfd), &path, flags.to_linux())?;
    (p.files.write_stat)(out, &st, fflags::from_statx_attrs(attrs))?;
    ok(0u64)
}

/// stat(2).
pub fn stat(_: &mut Ctx, a: &Args) -> SysResult {
    stat_at(personality::current().files.at_fdcwd, a.ptr(0), a.ptr(1), Some(AtFlags::default()))
}

/// lstat(2).
pub fn lstat(_: &mut Ctx, a: &Args) -> SysResult {
    stat_at(personality::current().files.at_fdcwd, a.ptr(0), a.ptr(1), Some(AtFlags::SYMLINK_NOFOLLOW))
}

/// fstatat(2).
pub fn fstatat(_: &mut Ctx, a: &Args) -> SysResult {
    let f = (personality::current().files.at_flags)(a.int(3)).filter(|f| f.within(AtFlags::SYMLINK_NOFOLLOW));
    stat_at(a.int(0), a.ptr(1), a.ptr(2), f)
}

/// fstat(2).
pub fn fstat(_: &mut Ctx, a: &Args) -> SysResult {
    let fd = a.int(0);
    // AT_EMPTY_PATH with AT_FDCWD would stat the working directory.
    if fd < 0 {
        return Err(EBADF);
    }
    let (st, attrs) = fs::statx(fd, c"", libc::AT_EMPTY_PATH)?;
    (personality::current().files.write_stat)(a.ptr(1), &st, fflags::from_statx_attrs(attrs))?;
    ok(0u64)
}

/// Largest host buffer used for one directory read.
const MAX_DIRBUF: usize = 1 << 20;

/// `getdirentries(fd, buf, count, basep)`: `*basep` gets the directory
/// offset before the read.
pub fn getdirentries(_: &mut Ctx, a: &Args) -> SysResult {
    read_dir(a.int(0), a.ptr(1), a.uint(2) as usize, a.ptr(3))
}

/// `getdents(fd, buf, count)`.
pub fn getdents(_: &mut Ctx, a: &Args) -> SysResult {
    read_dir(a.int(0), a.ptr(1), a.usize(2), 0)
}

fn read_dir(fd: i32, buf: u64, count: usize, basep: u64) -> SysResult {
    let push = personality::current().files.push_dirent;
    let base = fs::lseek(fd, 0, libc::SEEK_CUR)?;
    let cap = count.min(MAX_DIRBUF);
    let mut hostbuf = vec![0u8; cap];
    let n = fs::getdents64(fd, &mut hostbuf).map_err(|e| if e == ENOTDIR { EINVAL } else { e })?;
    let mut out = Vec::with_capacity(n);
    let mut resume = None;
    let mut dropped = false;
    for e in dirent::parse_linux(&hostbuf[..n]) {
        let before = out.len();
        push(&mut out, &e);
        if out.len() > count {
            // A guest record can be longer than the host's (FreeBSD's
            // header is 24 bytes, Linux's 19): never hand back more than
            // asked for, and resume at the first entry left out.
            out.truncate(before);
            dropped = true;
            break;
        }
        resume = Some(e.next_off);
    }
    if let (true, Some(off)) = (dropped, resume) {
        // Continue after the last entry handed out.
        fs::lseek(fd, off, libc::SEEK_SET)?;
    }
    mem::write_bytes(buf, &out)?;
    if basep != 0 {
        mem::write(basep, &(base as i64))?;
    }
    ok(out.len() as u64)
}

/// The host's mounts, in mount order.
pub fn mounts() -> Vec<mountinfo::Mount> {
    mountinfo::parse_mountinfo(&std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default())
}

/// The mount holding a file with device `dev` (the last one mounted there).
pub fn mount_of(dev: u64) -> mountinfo::Mount {
    let key = (libc::major(dev), libc::minor(dev));
    mounts().into_iter().rev().find(|m| m.dev == key).unwrap_or(mountinfo::Mount {
        dev: key,
        point: "/".into(),
        options: String::new(),
        fstype: "unknown".into(),
        source: "none".into(),
    })
}

/// statfs(2).
pub fn statfs(_: &mut Ctx, a: &Args) -> SysResult {
    let path = mem::read_path(a.ptr(0))?;
    let st = fs::statfs(&path)?;
    let dev = fs::stat_path(&path)?.st_dev;
    (personality::current().files.write_statfs)(a.ptr(1), &st, &mount_of(dev))?;
    ok(0u64)
}

/// fstatfs(2).
pub fn fstatfs(_: &mut Ctx, a: &Args) -> SysResult {
    let fd = a.int(0);
    let st = fs::fstatfs(fd)?;
    let dev = fs::fstat(fd)?.st_dev;
    (personality::current().files.write_statfs)(a.ptr(1), &st, &mount_of(dev))?;
    ok(0u64)
}

/// `getfsstat(buf, bufsize, flags)`: every mounted filesystem; with a NULL
/// buffer, only their number.
pub fn getfsstat(_: &mut Ctx, a: &Args) -> SysResult {
    let files = &personality::current().files;
    let (buf, size) = (a.ptr(0), a.i64(1));
    let all = mounts();
    if buf == 0 {
        return ok(all.len() as u64);
    }
    let room = (size.max(0) as usize) / files.statfs_size;
    let mut n = 0;
    for m in all.iter().take(room) {
        let Ok(path) = std::ffi::CString::new(m.point.as_bytes()) else { continue };
        let Ok(st) = fs::statfs(&path) else { continue };
        (files.write_statfs)(buf + (n * files.statfs_size) as u64, &st, m)?;
        n += 1;
    }
    ok(n as u64)
}
