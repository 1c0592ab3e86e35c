//! `_umtx_op`, FreeBSD 454, for the operations a program without libthr
//! uses: the plain waits and wakes on a word (`UMTX_OP_WAIT` on a `long`,
//! `WAIT_UINT` and `WAIT_UINT_PRIVATE` on a `u_int`, `WAKE`,
//! `WAKE_PRIVATE`, `NWAKE_PRIVATE`), on Linux futexes. Go's runtime calls
//! only WAIT_UINT_PRIVATE and WAKE_PRIVATE. The libthr mutex, condition
//! variable, rwlock and semaphore operations are EINVAL, as for an
//! unknown operation.
//!
//! FreeBSD's answers: a value that differs returns 0 at once (not EAGAIN);
//! a timeout is ETIMEDOUT; a signal is EINTR, never a restart; a wake is 0.
//! Private and shared waits are one kind here (shared futexes): a wake
//! meant for one may wake the other, which FreeBSD's callers take as a
//! spurious wake-up and check their word again.

use godfly_abi::freebsd::consts as f;
use godfly_abi::freebsd::layout::{Timespec, UmtxTime};

use crate::call::{Args, SysResult, ok_int};
use crate::host::GuestPtr;
use crate::host::errno::{EAGAIN, EFAULT, EINVAL};
use crate::host::event;
use crate::mem;
use crate::thread::Ctx;

/// A relative Linux timeout for FreeBSD's timeout argument: `uaddr2` the
/// struct, `uaddr1` its size (a bare `timespec`, relative on
/// CLOCK_REALTIME, when no larger than one).
fn timeout(size: u64, at: u64) -> Result<Option<libc::timespec>, crate::host::Errno> {
    if at == 0 {
        return Ok(None);
    }
    let t: UmtxTime = if size <= std::mem::size_of::<Timespec>() as u64 {
        UmtxTime { timeout: mem::read(at)?, flags: 0, clockid: f::CLOCK_REALTIME as u32 }
    } else {
        mem::read(at)?
    };
    relative(&t).map(Some)
}

/// The time left of a `_umtx_time` (EINVAL for a bad one), measured on its
/// clock when it is absolute.
pub fn relative(t: &UmtxTime) -> Result<libc::timespec, crate::host::Errno> {
    let (sec, nsec) = (t.timeout.tv_sec, t.timeout.tv_nsec);
    if sec < 0 || !(0..1_000_000_000).contains(&nsec) {
        return Err(EINVAL);
    }
    if t.flags & f::UMTX_ABSTIME as u32 == 0 {
        return Ok(libc::timespec { tv_sec: sec, tv_nsec: nsec });
    }
    let clock = super::time::clock_to_linux(t.clockid as i32).ok_or(EINVAL)?;
    let now = crate::host::time::clock_gettime(clock.linux)?;
    let left = (i128::from(sec) * 1_000_000_000 + i128::from(nsec))
        - (i128::from(now.tv_sec) * 1_000_000_000 + i128::from(now.tv_nsec));
    let left = left.max(0);
    Ok(libc::timespec {
        tv_sec: i64::try_from(left / 1_000_000_000).unwrap_or(i64::MAX),
        tv_nsec: (left % 1_000_000_000) as i64,
    })
}

/// `_umtx_op(obj, op, val, uaddr1, uaddr2)`.
pub fn umtx_op(_: &mut Ctx, a: &Args) -> SysResult {
    let (obj, op, val) = (a.ptr(0), a.int(1), a.u64(2));
    match op {
        f::UMTX_OP_WAIT => wait(obj, val, true, a.u64(3), a.ptr(4)),
        f::UMTX_OP_WAIT_UINT | f::UMTX_OP_WAIT_UINT_PRIVATE => wait(obj, val, false, a.u64(3), a.ptr(4)),
        f::UMTX_OP_WAKE | f::UMTX_OP_WAKE_PRIVATE => {
            let n = i32::try_from(val).unwrap_or(i32::MAX).max(1);
            // FreeBSD's wake neither faults nor fails.
            if obj % 4 == 0 {
                let _ = event::futex_wake(GuestPtr(obj), n);
            }
            ok_int(0)
        }
        f::UMTX_OP_NWAKE_PRIVATE => {
            // `obj` is an array of `val` pointers, each woken fully.
            let count = usize::try_from(val).map_err(|_| EINVAL)?;
            const CHUNK: usize = 64;
            let mut done = 0;
            while done < count {
                let n = (count - done).min(CHUNK);
                let ptrs: Vec<u64> = mem::read_vec(obj.wrapping_add(done as u64 * 8), n)?;
                for p in ptrs {
                    if p % 4 == 0 {
                        let _ = event::futex_wake(GuestPtr(p), i32::MAX);
                    }
                }
                done += n;
            }
            ok_int(0)
        }
        _ => Err(EINVAL),
    }
}

fn wait(obj: u64, val: u64, long: bool, size: u64, tp: u64) -> SysResult {
    let ts = timeout(size, tp)?;
    let align = if long { 8 } else { 4 };
    if !obj.is_multiple_of(align) {
        return Err(EFAULT);
    }
    let current = if long { mem::read::<u64>(obj)? } else { u64::from(mem::read::<u32>(obj)?) };
    if current != val {
        return ok_int(0);
    }
    // The futex is the low 32 bits of the word; a change of the high bits
    // alone comes with a wake, which reaches it.
    match event::futex_wait(GuestPtr(obj), current as u32, ts.as_ref()) {
        Ok(()) => ok_int(0),
        Err(e) if e == EAGAIN => ok_int(0),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_timeouts_pass_and_bad_ones_are_einval() {
        let t = UmtxTime { timeout: Timespec { tv_sec: 1, tv_nsec: 5 }, flags: 0, clockid: 4 };
        let r = relative(&t).unwrap();
        assert_eq!((r.tv_sec, r.tv_nsec), (1, 5));
        let bad = UmtxTime { timeout: Timespec { tv_sec: 0, tv_nsec: 1_000_000_000 }, ..t };
        assert_eq!(relative(&bad).err(), Some(EINVAL));
        let neg = UmtxTime { timeout: Timespec { tv_sec: -1, tv_nsec: 0 }, ..t };
        assert_eq!(relative(&neg).err(), Some(EINVAL));
        let past = UmtxTime { timeout: Timespec { tv_sec: 1, tv_nsec: 0 }, flags: 1, clockid: 4 };
        let r = relative(&past).unwrap();
        assert_eq!((r.tv_sec, r.tv_nsec), (0, 0), "an absolute time already past leaves nothing");
    }
}
