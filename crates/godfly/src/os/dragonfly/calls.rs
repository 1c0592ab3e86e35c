//! Calls only DragonFly has, that reach neutral handlers: the `extp*`
//! positioned reads and writes (libc's `pread` family), `sysarch`,
//! `utrace`, the `extattr` and `__acl_*` calls, `mlockall`, `procctl`,
//! `uuidgen`, `__realpath`, and the calls DragonFly itself only stubs.

use godfly_abi::dragonfly::consts as d;

use crate::call::{Args, SysResult};
use crate::host::Errno;
use godfly_abi::dragonfly::misc::EXTATTR_MAXNAMELEN;

use crate::call::ok;
use crate::host::errno::{EINVAL, ENOSYS, EOPNOTSUPP, EPERM, EROFS};
use crate::host::fs;
use crate::mem;
use crate::sys::file;
use crate::thread::Ctx;
use std::os::unix::ffi::OsStrExt;

/// `extpread(fd, buf, nbyte, flags, offset)`, DragonFly 173 (`pread`).
pub fn extpread(_: &mut Ctx, a: &Args) -> SysResult {
    check_ext_flags(a.int(3))?;
    file::pread(a.int(0), a.guest(1), a.usize(2), a.u64(4))
}

/// `extpwrite(fd, buf, nbyte, flags, offset)`, DragonFly 174 (`pwrite`).
pub fn extpwrite(_: &mut Ctx, a: &Args) -> SysResult {
    check_ext_flags(a.int(3))?;
    file::pwrite(a.int(0), a.guest(1), a.usize(2), a.u64(4))
}

/// `extpreadv(fd, iovp, iovcnt, flags, offset)`, DragonFly 289.
pub fn extpreadv(_: &mut Ctx, a: &Args) -> SysResult {
    check_ext_flags(a.int(3))?;
    file::preadv(a.int(0), a.guest(1), a.uint(2), a.u64(4))
}

/// `extpwritev(fd, iovp, iovcnt, flags, offset)`, DragonFly 290.
pub fn extpwritev(_: &mut Ctx, a: &Args) -> SysResult {
    check_ext_flags(a.int(3))?;
    file::pwritev(a.int(0), a.guest(1), a.uint(2), a.u64(4))
}

/// The ext* calls take O_FBLOCKING/O_FNONBLOCKING/O_FAPPEND/O_FOFFSET
/// overrides; only "none" (what libc's pread passes) is honoured.
fn check_ext_flags(flags: i32) -> Result<(), Errno> {
    if flags & !(d::O_FBLOCKING | d::O_FNONBLOCKING | d::O_FAPPEND | d::O_FOFFSET) != 0 {
        return Err(EINVAL);
    }
    if flags & (d::O_FNONBLOCKING | d::O_FAPPEND) != 0 {
        return Err(EOPNOTSUPP);
    }
    Ok(())
}

/// `sysarch(op, parms)`, DragonFly 165. DragonFly's x86-64 kernel
/// implements no sysarch operation (FS/GS bases are set with
/// `set_tls_area`), so every request answers EOPNOTSUPP, as the old Go
/// runtime's `settls` learned.
pub fn sysarch(_: &mut Ctx, _: &Args) -> SysResult {
    Err(EOPNOTSUPP)
}

/// `utrace(addr, len)`, DragonFly 335: a record for ktrace(1). It is
/// written only while the thread is being ktraced, which no process under
/// godfly is (`godfly trace` shows the call itself), so it answers 0
/// without reading, as `sys_utrace` does when `KTRPOINT` is false.
pub fn utrace(_: &mut Ctx, _: &Args) -> SysResult {
    ok(0u64)
}

/// What the `extattr` calls do before they reach the filesystem: the
/// attribute name read as a fixed EXTATTR_MAXNAMELEN-byte copy (EFAULT),
/// the path looked up following symlinks, and for changes the mount
/// checked writable (EROFS).
fn extattr_prelude(a: &Args, name_arg: usize, change: bool) -> Result<(), Errno> {
    mem::read_bytes(a.ptr(name_arg), EXTATTR_MAXNAMELEN)?;
    let path = mem::read_path(a.ptr(0))?;
    let st = fs::stat_path(&path)?;
    if change && read_only(st.st_dev) {
        return Err(EROFS);
    }
    Ok(())
}

/// Whether the mount holding device `dev` is read-only.
fn read_only(dev: u64) -> bool {
    crate::sys::stat::mount_of(dev).options.split(',').any(|o| o == "ro")
}

/// `extattr_set_file(path, attrnamespace, attrname, data, nbytes)`,
/// DragonFly 356. None of DragonFly's local filesystems (HAMMER2, UFS,
/// tmpfs) implements extended attributes: the VOP answers EOPNOTSUPP
/// once the name and path have been checked, and so does godfly.
pub fn extattr_set_file(_: &mut Ctx, a: &Args) -> SysResult {
    extattr_prelude(a, 2, true)?;
    Err(EOPNOTSUPP)
}

/// `extattr_get_file(path, attrnamespace, attrname, data, nbytes)`,
/// DragonFly 357: EOPNOTSUPP, as `extattr_set_file`.
pub fn extattr_get_file(_: &mut Ctx, a: &Args) -> SysResult {
    extattr_prelude(a, 2, false)?;
    Err(EOPNOTSUPP)
}

/// `extattr_delete_file(path, attrnamespace, attrname)`, DragonFly 358.
pub fn extattr_delete_file(_: &mut Ctx, a: &Args) -> SysResult {
    extattr_prelude(a, 2, true)?;
    Err(EOPNOTSUPP)
}

/// `extattrctl(path, cmd, filename, attrnamespace, attrname)`, DragonFly
/// 355: the backing file and the path looked up, then the mount's
/// `vfs_stdextattrctl`, EOPNOTSUPP.
pub fn extattrctl(_: &mut Ctx, a: &Args) -> SysResult {
    if a.ptr(2) != 0 {
        fs::stat_path(&mem::read_path(a.ptr(2))?)?;
    }
    if a.ptr(4) != 0 {
        mem::read_cstr(a.ptr(4), EXTATTR_MAXNAMELEN - 1)?;
    }
    let path = mem::read_path(a.ptr(0))?;
    if read_only(fs::stat_path(&path)?.st_dev) {
        return Err(EROFS);
    }
    Err(EOPNOTSUPP)
}

/// `mlockall(how)`, DragonFly 324, as its kernel has it (`vm/vm_mmap.c`): neither MCL_CURRENT
/// nor MCL_FUTURE is EINVAL, anyone but root EPERM, and MCL_CURRENT is
/// not implemented there (ENOSYS); MCL_FUTURE alone wires what is mapped
/// from then on. The MCL_* bits are Linux's too.
pub fn mlockall(_: &mut Ctx, a: &Args) -> SysResult {
    let how = a.int(0);
    if how & (libc::MCL_CURRENT | libc::MCL_FUTURE) == 0 {
        return Err(EINVAL);
    }
    if crate::host::proc::geteuid() != 0 {
        return Err(EPERM);
    }
    if how & libc::MCL_CURRENT != 0 {
        return Err(ENOSYS);
    }
    crate::host::mm::mlockall(libc::MCL_FUTURE)?;
    ok(0u64)
}

/// The POSIX AIO calls (`aio_*`, `lio_listio`): DragonFly's kernel has
/// only stubs for them (`kern/vfs_aio.c`), each ENOSYS, without SIGSYS.
pub fn aio_stub(_: &mut Ctx, _: &Args) -> SysResult {
    Err(ENOSYS)
}

/// `sstk(incr)`, DragonFly 70: "not yet implemented", EOPNOTSUPP.
pub fn sstk(_: &mut Ctx, _: &Args) -> SysResult {
    Err(EOPNOTSUPP)
}

/// `sizeof(struct acl)`: `acl_cnt` and 32 entries of 12 bytes.
const ACL_LEN: usize = 388;

/// The `__acl_*` calls on a path or descriptor: the file looked up (or
/// the descriptor checked), an ACL argument read whole (EFAULT), then the
/// filesystem, and none of DragonFly's local ones (HAMMER2, tmpfs) keeps
/// POSIX.1e ACLs: EOPNOTSUPP, as `vop_eopnotsupp` answers.
fn acl(a: &Args, on_fd: bool, acl_arg: Option<usize>) -> SysResult {
    if on_fd {
        crate::host::fd::check_open(a.int(0))?;
    } else {
        fs::stat_path(&mem::read_path(a.ptr(0))?)?;
    }
    if let Some(i) = acl_arg {
        mem::read_bytes(a.ptr(i), ACL_LEN)?;
    }
    Err(EOPNOTSUPP)
}

/// `__acl_get_file(path, type, aclp)`, DragonFly 347.
pub fn acl_get_file(_: &mut Ctx, a: &Args) -> SysResult {
    acl(a, false, None)
}

/// `__acl_set_file(path, type, aclp)`, DragonFly 348.
pub fn acl_set_file(_: &mut Ctx, a: &Args) -> SysResult {
    acl(a, false, Some(2))
}

/// `__acl_get_fd(fd, type, aclp)`, DragonFly 349.
pub fn acl_get_fd(_: &mut Ctx, a: &Args) -> SysResult {
    acl(a, true, None)
}

/// `__acl_set_fd(fd, type, aclp)`, DragonFly 350.
pub fn acl_set_fd(_: &mut Ctx, a: &Args) -> SysResult {
    acl(a, true, Some(2))
}

/// `__acl_delete_file(path, type)`, DragonFly 351.
pub fn acl_delete_file(_: &mut Ctx, a: &Args) -> SysResult {
    acl(a, false, None)
}

/// `__acl_delete_fd(fd, type)`, DragonFly 352.
pub fn acl_delete_fd(_: &mut Ctx, a: &Args) -> SysResult {
    acl(a, true, None)
}

/// `__acl_aclcheck_file(path, type, aclp)`, DragonFly 353.
pub fn acl_aclcheck_file(_: &mut Ctx, a: &Args) -> SysResult {
    acl(a, false, Some(2))
}

/// `__acl_aclcheck_fd(fd, type, aclp)`, DragonFly 354.
pub fn acl_aclcheck_fd(_: &mut Ctx, a: &Args) -> SysResult {
    acl(a, true, Some(2))
}

/// `procctl(idtype, id, cmd, data)`, DragonFly 536: only the caller's
/// own pid (P_PID 0, else EINVAL); PROC_REAP_ACQUIRE (EALREADY when it
/// already is a reaper) and PROC_REAP_RELEASE (ENOTCONN when it is not)
/// on Linux's child subreaper, PROC_REAP_STATUS with the 192-byte
/// `reaper_status` (REAPER_STAT_OWNED, the first child's pid or -1).
pub fn procctl(_: &mut Ctx, a: &Args) -> SysResult {
    const P_PID: i32 = 0;
    const PROC_REAP_ACQUIRE: i32 = 1;
    const PROC_REAP_RELEASE: i32 = 2;
    const PROC_REAP_STATUS: i32 = 3;
    const REAPER_STAT_OWNED: u32 = 1;
    use crate::host::proc as hproc;
    if a.int(0) != P_PID || a.int(1) != hproc::getpid() {
        return Err(EINVAL);
    }
    match a.int(2) {
        PROC_REAP_ACQUIRE => {
            if hproc::child_subreaper()? {
                return Err(crate::host::errno::EALREADY);
            }
            hproc::set_child_subreaper(true)?;
        }
        PROC_REAP_RELEASE => {
            if !hproc::child_subreaper()? {
                return Err(crate::host::errno::ENOTCONN);
            }
            hproc::set_child_subreaper(false)?;
        }
        PROC_REAP_STATUS => {
            let mut st = [0u8; 192];
            if hproc::child_subreaper()? {
                st[..4].copy_from_slice(&REAPER_STAT_OWNED.to_ne_bytes());
            }
            let head = first_child(hproc::getpid()).unwrap_or(-1);
            st[128..132].copy_from_slice(&head.to_ne_bytes());
            if a.ptr(3) != 0 {
                mem::write_bytes(a.ptr(3), &st)?;
            }
        }
        _ => return Err(EINVAL),
    }
    ok(0u64)
}

/// The most recent child of process `pid` (`LIST_FIRST(p_children)`: the
/// kernel adds children at the head), from `/proc/PID/task/*/children`.
fn first_child(pid: i32) -> Option<i32> {
    let mut kids: Vec<i32> = Vec::new();
    for t in std::fs::read_dir(format!("/proc/{pid}/task")).ok()?.flatten() {
        let text = std::fs::read_to_string(t.path().join("children")).unwrap_or_default();
        kids.extend(text.split_whitespace().filter_map(|s| s.parse::<i32>().ok()));
    }
    kids.into_iter().max()
}

/// UUID state kept between calls, as `kern_uuid.c`'s `uuid_last`: the
/// last time handed out, the clock sequence and the node.
static UUID_LAST: crate::sync::Global<Option<(u64, u16, [u8; 6])>> = crate::sync::Global::new(64, None);

/// `count` DragonFly `struct uuid`s (version 1, time-based, 16 bytes each,
/// native-endian time fields, big-endian clock sequence with the variant
/// bits) from `time` on, one 100 ns tick apart.
pub fn uuids(time: u64, seq: u16, node: [u8; 6], count: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(count * 16);
    for n in 0..count as u64 {
        let t = (time + n) & ((1 << 60) - 1);
        out.extend_from_slice(&(t as u32).to_ne_bytes());
        out.extend_from_slice(&((t >> 32) as u16).to_ne_bytes());
        out.extend_from_slice(&((((t >> 48) as u16) & 0xfff) | (1 << 12)).to_ne_bytes());
        out.extend_from_slice(&((seq & 0x3fff) | 0x8000).to_be_bytes());
        out.extend_from_slice(&node);
    }
    out
}

/// `uuidgen(store, count)`, DragonFly 392: 1 to 2048 UUIDs (EINVAL
/// else). The node is an Ethernet address of the host's with the
/// multicast bit set (as `uuid_node` sets it), else random; the clock
/// sequence is random when the node changes, and steps when the clock has
/// not moved past the last UUID.
pub fn uuidgen(_: &mut Ctx, a: &Args) -> SysResult {
    let count = a.int(1);
    if !(1..=2048).contains(&count) {
        return Err(EINVAL);
    }
    let count = count as usize;
    let mut node = crate::host::interfaces().into_iter().find(|i| i.mac.len() == 6).map_or([0u8; 6], |i| {
        let mut n = [0u8; 6];
        n.copy_from_slice(&i.mac);
        n
    });
    if node == [0; 6] {
        let mut r = [0u8; 8];
        crate::host::proc::getrandom_host(&mut r);
        node.copy_from_slice(&r[..6]);
    }
    node[0] |= 0x01;
    let now = crate::host::time::clock_gettime(libc::CLOCK_REALTIME)?;
    let time = (0x01B2_1DD2_1381_4000u64 + now.tv_sec as u64 * 10_000_000 + now.tv_nsec as u64 / 100) & ((1 << 60) - 1);
    let seq = {
        let mut last = UUID_LAST.lock();
        let seq = match *last {
            Some((lt, ls, ln)) if ln == node => {
                if lt >= time {
                    (ls + 1) & 0x3fff
                } else {
                    ls
                }
            }
            _ => {
                let mut r = [0u8; 2];
                crate::host::proc::getrandom_host(&mut r);
                u16::from_ne_bytes(r) & 0x3fff
            }
        };
        *last = Some((time + count as u64 - 1, seq, node));
        seq
    };
    mem::write_bytes(a.ptr(0), &uuids(time, seq, node, count))?;
    ok(0u64)
}

/// `__realpath(path, buf, len)`, DragonFly 551 (what libc's realpath
/// asks first): the absolute path with every symlink resolved, its length
/// in `rax`; ENAMETOOLONG when `len` has no room for it and its NUL
/// (or is 0), EINVAL for a negative `len`.
pub fn realpath(_: &mut Ctx, a: &Args) -> SysResult {
    if (a.usize(2) as isize) < 0 {
        return Err(EINVAL);
    }
    let path = mem::read_path(a.ptr(0))?;
    fs::stat_path(&path)?;
    if a.usize(2) == 0 {
        return Err(crate::host::errno::ENAMETOOLONG);
    }
    let host = std::fs::canonicalize(std::ffi::OsStr::from_bytes(path.to_bytes()))
        .map_err(|e| e.raw_os_error().map_or(EINVAL, Errno::from_linux))?;
    let mut full = host.as_os_str().as_bytes().to_vec();
    // Under `-L PREFIX` the guest's root is the prefix.
    if let Some(pre) = mem::prefix()
        && full.starts_with(pre)
        && (full.len() == pre.len() || full[pre.len()] == b'/')
    {
        full.drain(..pre.len());
        if full.is_empty() {
            full.push(b'/');
        }
    }
    if full.len() >= a.usize(2) {
        return Err(crate::host::errno::ENAMETOOLONG);
    }
    let n = full.len();
    full.push(0);
    mem::write_bytes(a.ptr(1), &full)?;
    ok(n as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_version_1_with_the_variant_and_consecutive_times() {
        let b = uuids(0x0123_4567_89ab_cdef & ((1 << 60) - 1), 0x1234, [1, 2, 3, 4, 5, 6], 2);
        assert_eq!(b.len(), 32);
        let hi = u16::from_ne_bytes([b[6], b[7]]);
        assert_eq!(hi >> 12, 1, "version 1");
        assert_eq!(b[8] & 0xc0, 0x80, "RFC 4122 variant");
        assert_eq!(u16::from_be_bytes([b[8], b[9]]) & 0x3fff, 0x1234);
        assert_eq!(&b[10..16], &[1, 2, 3, 4, 5, 6]);
        let lo0 = u32::from_ne_bytes(b[0..4].try_into().unwrap());
        let lo1 = u32::from_ne_bytes(b[16..20].try_into().unwrap());
        assert_eq!(lo1, lo0.wrapping_add(1));
    }
}
