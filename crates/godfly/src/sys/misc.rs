//! Calls that fit no larger group: `getrandom`, `sched_yield`.

use crate::dispatch::{Args, Ctx, SysResult, ok, ok_int};
use crate::host;

/// `getrandom(buf, len, flags)`, DragonFly 550. DragonFly ignores the flags
/// (its generator never blocks after boot), so none are passed on.
pub fn getrandom(_: &mut Ctx, a: &Args) -> SysResult {
    let n = host::sys(libc::SYS_getrandom, &[a.ptr(0), a.u64(1), 0])?;
    ok(crate::mem::short_transfer(n, a.ptr(0), a.usize(1))?)
}

/// sched_yield(2), DragonFly 331.
pub fn sched_yield(_: &mut Ctx, _: &Args) -> SysResult {
    host::sys(libc::SYS_sched_yield, &[])?;
    ok_int(0)
}

/// `sysarch(op, parms)`, DragonFly 165. DragonFly's x86-64 kernel
/// implements no sysarch operation (FS/GS bases are set with
/// `set_tls_area`), so every request answers EOPNOTSUPP, as the old Go
/// runtime's `settls` learned.
pub fn sysarch(_: &mut Ctx, _: &Args) -> SysResult {
    Err(godfly_abi::errno::EOPNOTSUPP)
}
