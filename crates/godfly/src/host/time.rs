//! Clocks, sleeping and interval timers.

use super::Errno;
use super::raw::{self, mut_ptr, ptr};

/// `clock_gettime` of a Linux clock (through the vDSO).
pub fn clock_gettime(clock: libc::clockid_t) -> Result<libc::timespec, Errno> {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: ts is a valid timespec; glibc uses the vDSO.
    let r = unsafe { libc::clock_gettime(clock, &mut ts) };
    if r != 0 { Err(Errno::last()) } else { Ok(ts) }
}

/// `clock_getres` of a Linux clock.
pub fn clock_getres(clock: libc::clockid_t) -> Result<libc::timespec, Errno> {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: ts is a writable host timespec.
    unsafe { raw::sys(libc::SYS_clock_getres, &[clock as u64, mut_ptr(&mut ts)]) }?;
    Ok(ts)
}

/// `nanosleep`; on EINTR the time left comes back with the error.
pub fn nanosleep(req: &libc::timespec) -> Result<(), (Errno, libc::timespec)> {
    let mut rem = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: req and rem are live host timespecs.
    match unsafe { raw::sys_blocking(libc::SYS_nanosleep, &[ptr(req), mut_ptr(&mut rem)]) } {
        Ok(_) => Ok(()),
        Err(e) => Err((e, rem)),
    }
}

/// `getitimer` (ITIMER_REAL/VIRTUAL/PROF are 0/1/2 everywhere).
pub fn getitimer(which: u32) -> Result<libc::itimerval, Errno> {
    let mut cur = libc::itimerval {
        it_interval: libc::timeval { tv_sec: 0, tv_usec: 0 },
        it_value: libc::timeval { tv_sec: 0, tv_usec: 0 },
    };
    // SAFETY: cur is a writable host itimerval.
    unsafe { raw::sys(libc::SYS_getitimer, &[u64::from(which), mut_ptr(&mut cur)]) }?;
    Ok(cur)
}

/// `setitimer` (the old value is not asked for).
pub fn setitimer(which: u32, new: &libc::itimerval) -> Result<(), Errno> {
    // SAFETY: new is a live host itimerval.
    unsafe { raw::sys(libc::SYS_setitimer, &[u64::from(which), ptr(new), 0]) }.map(|_| ())
}
