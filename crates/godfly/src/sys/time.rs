//! Clocks and sleeping: `clock_gettime`, `clock_getres`, `nanosleep`,
//! `gettimeofday`. `struct timespec` and `struct timeval` have the same
//! layout on both systems; the clock ids differ (`xlat::time`).

use godfly_abi::errno::EINVAL;
use godfly_abi::layout::{Itimerval, Timespec, Timeval};

use crate::dispatch::{Args, Ctx, SysResult, ok_int};
use crate::host;
use crate::mem;
use crate::xlat::time as xt;

/// clock_gettime(2), DragonFly 232.
pub fn clock_gettime(_: &mut Ctx, a: &Args) -> SysResult {
    let clock = xt::clock_to_linux(a.int(0)).ok_or(EINVAL)?;
    let ts = host::clock_gettime(clock.linux)?;
    let out = Timespec { tv_sec: ts.tv_sec, tv_nsec: if clock.seconds_only { 0 } else { ts.tv_nsec } };
    mem::write(a.ptr(1), &out)?;
    ok_int(0)
}

/// clock_getres(2), DragonFly 234.
pub fn clock_getres(_: &mut Ctx, a: &Args) -> SysResult {
    // DragonFly copies out unconditionally: NULL is EFAULT.
    let clock = xt::clock_to_linux(a.int(0)).ok_or(EINVAL)?;
    let out = if clock.seconds_only {
        Timespec { tv_sec: 1, tv_nsec: 0 }
    } else {
        let mut ts = Timespec::default();
        host::sys(libc::SYS_clock_getres, &[clock.linux as u64, host::bptr_mut(&mut ts)])?;
        ts
    };
    mem::write(a.ptr(1), &out)?;
    ok_int(0)
}

/// nanosleep(2), DragonFly 240: on EINTR the time left goes to `rmtp`.
pub fn nanosleep(_: &mut Ctx, a: &Args) -> SysResult {
    let req: Timespec = mem::read(a.ptr(0))?;
    if req.tv_sec < 0 || !(0..1_000_000_000).contains(&req.tv_nsec) {
        return Err(EINVAL);
    }
    let mut rem = Timespec::default();
    let r = host::sys(libc::SYS_nanosleep, &[host::bptr(&req), host::bptr_mut(&mut rem)]);
    if r.is_err() && a.ptr(1) != 0 {
        mem::write(a.ptr(1), &rem)?;
    }
    r?;
    ok_int(0)
}

/// gettimeofday(2), DragonFly 116. The timezone argument is obsolete and
/// filled with zeros, as DragonFly does.
pub fn gettimeofday(_: &mut Ctx, a: &Args) -> SysResult {
    if a.ptr(0) != 0 {
        let ts = host::clock_gettime(libc::CLOCK_REALTIME)?;
        mem::write(a.ptr(0), &Timeval { tv_sec: ts.tv_sec, tv_usec: ts.tv_nsec / 1000 })?;
    }
    if a.ptr(1) != 0 {
        mem::write(a.ptr(1), &[0i32; 2])?;
    }
    ok_int(0)
}

/// `setitimer(which, itv, oitv)`, DragonFly 83. ITIMER_REAL/VIRTUAL/PROF
/// (0/1/2) and `struct itimerval` match Linux; the host timer's SIGALRM,
/// SIGVTALRM or SIGPROF reaches the guest through its disposition.
pub fn setitimer(_: &mut Ctx, a: &Args) -> SysResult {
    let which = a.uint(0);
    if which > 2 {
        return Err(EINVAL);
    }
    // As DragonFly: the new value is read first, then the old one goes out
    // (a bad pointer there leaves the timer alone), then the timer is set.
    // A NULL new value only reads the timer.
    let new: Option<Itimerval> = if a.ptr(1) == 0 { None } else { Some(mem::read(a.ptr(1))?) };
    if a.ptr(2) != 0 {
        let mut cur = Itimerval::default();
        host::sys(libc::SYS_getitimer, &[u64::from(which), host::bptr_mut(&mut cur)])?;
        mem::write(a.ptr(2), &cur)?;
    }
    let Some(new) = new else { return ok_int(0) };
    for tv in [new.it_interval, new.it_value] {
        if tv.tv_sec < 0 || !(0..1_000_000).contains(&tv.tv_usec) {
            return Err(EINVAL);
        }
    }
    host::sys(libc::SYS_setitimer, &[u64::from(which), host::bptr(&new), 0])?;
    ok_int(0)
}

/// `getitimer(which, itv)`, DragonFly 86.
pub fn getitimer(_: &mut Ctx, a: &Args) -> SysResult {
    let which = a.uint(0);
    if which > 2 {
        return Err(EINVAL);
    }
    let mut cur = Itimerval::default();
    host::sys(libc::SYS_getitimer, &[u64::from(which), host::bptr_mut(&mut cur)])?;
    mem::write(a.ptr(1), &cur)?;
    ok_int(0)
}
