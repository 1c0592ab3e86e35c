//! Calls that fit no larger group: `getrandom`, `sched_yield`.

use crate::call::{Args, SysResult, ok, ok_int};
use crate::host::proc as hproc;
use crate::thread::Ctx;

/// `getrandom(buf, len, flags)`. The BSDs' generator never blocks after
/// boot, so the flags ask for nothing Linux must be told.
pub fn getrandom(_: &mut Ctx, a: &Args) -> SysResult {
    if (a.usize(1) as isize) < 0 {
        return Err(crate::host::errno::EINVAL);
    }
    let len = crate::mem::user_len(a.ptr(0), a.usize(1));
    let n = hproc::getrandom(a.guest(0), len)?;
    ok(crate::mem::short_transfer(n, a.ptr(0), len, crate::mem::Dir::ToGuest)?)
}

/// sched_yield(2).
pub fn sched_yield(_: &mut Ctx, _: &Args) -> SysResult {
    hproc::sched_yield();
    ok_int(0)
}
