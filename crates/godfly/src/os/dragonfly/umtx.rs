//! `umtx_sleep` and `umtx_wakeup`, DragonFly's futex, on Linux futexes.
//! The futexes are shared (not FUTEX_PRIVATE) because DragonFly keys them
//! on the physical address, so they also work across shared mappings.

use crate::call::{Args, SysResult, ok_int};
use crate::host::GuestPtr;
use crate::host::errno::{EAGAIN, EBUSY, EFAULT, EINTR, EINVAL, ETIMEDOUT};
use crate::host::event;
use crate::thread::Ctx;

/// `kern.umtx_timeout_max`: every sleep ends after at most 2 s.
pub const UMTX_TIMEOUT_MAX_US: i64 = 2_000_000;

/// The Linux futex timeout for a DragonFly `umtx_sleep` timeout in
/// microseconds (0 = no limit, still capped).
pub fn timeout(us: i32) -> Option<libc::timespec> {
    if us < 0 {
        return None;
    }
    let us = if us == 0 { UMTX_TIMEOUT_MAX_US } else { i64::from(us).min(UMTX_TIMEOUT_MAX_US) };
    Some(libc::timespec { tv_sec: us / 1_000_000, tv_nsec: (us % 1_000_000) * 1000 })
}

/// `umtx_sleep(ptr, value, timeout)`, DragonFly 469: EBUSY if `*ptr !=
/// value`, 0 when woken, EWOULDBLOCK (= EAGAIN) on timeout, EINTR on a
/// signal even with SA_RESTART.
pub fn umtx_sleep(_: &mut Ctx, a: &Args) -> SysResult {
    let (ptr, value) = (a.ptr(0), a.int(1));
    let ts = timeout(a.int(2)).ok_or(EINVAL)?;
    if ptr % 4 != 0 {
        return Err(EFAULT);
    }
    crate::mem::check_range(ptr, 4)?;
    match event::futex_wait(GuestPtr(ptr), value as u32, Some(&ts)) {
        Ok(_) => ok_int(0),
        Err(e) if e == EAGAIN => Err(EBUSY),
        Err(e) if e == ETIMEDOUT => Err(EAGAIN),
        Err(e) if e == EINTR => Err(EINTR),
        Err(e) => Err(e),
    }
}

/// `umtx_wakeup(ptr, count)`, DragonFly 470: count 1 wakes one sleeper,
/// anything else wakes all.
pub fn umtx_wakeup(_: &mut Ctx, a: &Args) -> SysResult {
    let (ptr, count) = (a.ptr(0), a.int(1));
    if ptr % 4 != 0 {
        return Err(EFAULT);
    }
    crate::mem::check_range(ptr, 4)?;
    let n = if count == 1 { 1 } else { i32::MAX };
    event::futex_wake(GuestPtr(ptr), n)?;
    ok_int(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn umtx_timeouts_are_microseconds_capped_at_two_seconds() {
        let t = timeout(1500).unwrap();
        assert_eq!((t.tv_sec, t.tv_nsec), (0, 1_500_000));
        let t = timeout(0).unwrap();
        assert_eq!((t.tv_sec, t.tv_nsec), (2, 0));
        let t = timeout(10_000_000).unwrap();
        assert_eq!((t.tv_sec, t.tv_nsec), (2, 0));
        assert!(timeout(-1).is_none());
    }
}
