//! Clocks and sleeping: `clock_gettime`, `clock_getres`, `nanosleep`,
//! `gettimeofday`, `setitimer`, `getitimer`. `struct timespec`,
//! `struct timeval` and `struct itimerval` have the same layout on Linux
//! and the BSDs; the clock ids differ (the personality's).

use godfly_abi::bsd::{Itimerval, Timespec, Timeval};

use crate::call::{Args, SysResult, ok_int};
use crate::host::errno::{EINTR, EINVAL};
use crate::host::time as ht;
use crate::mem;
use crate::personality;
use crate::thread::Ctx;

fn clock(id: i32) -> Option<crate::xlat::Clock> {
    (personality::current().time.clock)(id)
}

fn itimerval_to_host(v: &Itimerval) -> libc::itimerval {
    let tv = |t: Timeval| libc::timeval { tv_sec: t.tv_sec, tv_usec: t.tv_usec };
    libc::itimerval { it_interval: tv(v.it_interval), it_value: tv(v.it_value) }
}

fn itimerval_from_host(v: &libc::itimerval) -> Itimerval {
    let tv = |t: libc::timeval| Timeval { tv_sec: t.tv_sec, tv_usec: t.tv_usec };
    Itimerval { it_interval: tv(v.it_interval), it_value: tv(v.it_value) }
}

/// clock_gettime(2).
pub fn clock_gettime(_: &mut Ctx, a: &Args) -> SysResult {
    let clock = clock(a.int(0)).ok_or(EINVAL)?;
    let ts = ht::clock_gettime(clock.linux)?;
    let out = Timespec { tv_sec: ts.tv_sec, tv_nsec: if clock.seconds_only { 0 } else { ts.tv_nsec } };
    mem::write(a.ptr(1), &out)?;
    ok_int(0)
}

/// clock_getres(2).
pub fn clock_getres(_: &mut Ctx, a: &Args) -> SysResult {
    // The BSDs copy out unconditionally: NULL is EFAULT.
    let clock = clock(a.int(0)).ok_or(EINVAL)?;
    let out = if clock.seconds_only {
        Timespec { tv_sec: 1, tv_nsec: 0 }
    } else {
        let ts = ht::clock_getres(clock.linux)?;
        Timespec { tv_sec: ts.tv_sec, tv_nsec: ts.tv_nsec }
    };
    mem::write(a.ptr(1), &out)?;
    ok_int(0)
}

/// nanosleep(2): on EINTR the time left goes to `rmtp`.
pub fn nanosleep(ctx: &mut Ctx, a: &Args) -> SysResult {
    let req: Timespec = mem::read(a.ptr(0))?;
    if req.tv_sec < 0 || !(0..1_000_000_000).contains(&req.tv_nsec) {
        return Err(EINVAL);
    }
    let mut lreq = libc::timespec { tv_sec: req.tv_sec, tv_nsec: req.tv_nsec };
    loop {
        let Err((e, rem)) = ht::nanosleep(&lreq) else { return ok_int(0) };
        // A host signal that brings this thread nothing to take (the
        // carrier of a signal another thread will take, one this thread
        // blocks) does not end the sleep: on DragonFly only a signal
        // delivered to the thread does. The rest of the time is slept.
        if e == EINTR && !crate::signal::takes_any(ctx.lwp) {
            lreq = rem;
            continue;
        }
        if a.ptr(1) != 0 {
            mem::write(a.ptr(1), &Timespec { tv_sec: rem.tv_sec, tv_nsec: rem.tv_nsec })?;
        }
        return Err(e);
    }
}

/// gettimeofday(2). The timezone argument is obsolete and filled with
/// zeros, as the BSDs do.
pub fn gettimeofday(_: &mut Ctx, a: &Args) -> SysResult {
    if a.ptr(0) != 0 {
        let ts = ht::clock_gettime(libc::CLOCK_REALTIME)?;
        mem::write(a.ptr(0), &Timeval { tv_sec: ts.tv_sec, tv_usec: ts.tv_nsec / 1000 })?;
    }
    if a.ptr(1) != 0 {
        mem::write(a.ptr(1), &[0i32; 2])?;
    }
    ok_int(0)
}

/// `setitimer(which, itv, oitv)`. ITIMER_REAL/VIRTUAL/PROF (0/1/2) and
/// `struct itimerval` match Linux; the host timer's SIGALRM, SIGVTALRM or
/// SIGPROF reaches the guest through its disposition.
pub fn setitimer(_: &mut Ctx, a: &Args) -> SysResult {
    let which = a.uint(0);
    if which > 2 {
        return Err(EINVAL);
    }
    // As the BSDs: the new value is read first, then the old one goes out
    // (a bad pointer there leaves the timer alone), then the timer is set.
    // A NULL new value only reads the timer.
    let new: Option<Itimerval> = if a.ptr(1) == 0 { None } else { Some(mem::read(a.ptr(1))?) };
    if a.ptr(2) != 0 {
        let cur = ht::getitimer(which)?;
        mem::write(a.ptr(2), &itimerval_from_host(&cur))?;
    }
    let Some(new) = new else { return ok_int(0) };
    for tv in [new.it_interval, new.it_value] {
        if tv.tv_sec < 0 || !(0..1_000_000).contains(&tv.tv_usec) {
            return Err(EINVAL);
        }
    }
    ht::setitimer(which, &itimerval_to_host(&new))?;
    ok_int(0)
}

/// `getitimer(which, itv)`.
pub fn getitimer(_: &mut Ctx, a: &Args) -> SysResult {
    let which = a.uint(0);
    if which > 2 {
        return Err(EINVAL);
    }
    let cur = ht::getitimer(which)?;
    mem::write(a.ptr(1), &itimerval_from_host(&cur))?;
    ok_int(0)
}
