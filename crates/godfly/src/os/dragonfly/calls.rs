//! Calls only DragonFly has, that reach neutral handlers: the `extp*`
//! positioned reads and writes (libc's `pread` family), `sysarch`,
//! `utrace`, and the `extattr` calls.

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
