//! Calls only DragonFly has, that reach neutral handlers: the `extp*`
//! positioned reads and writes (libc's `pread` family), and `sysarch`.

use godfly_abi::dragonfly::consts as d;

use crate::call::{Args, SysResult};
use crate::host::Errno;
use crate::host::errno::{EINVAL, EOPNOTSUPP};
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
