//! `kqueue` and `kevent` on Linux epoll.
//!
//! Mapping (`knote` holds the state machine, `epoll` the host side):
//! - a kqueue is an epoll descriptor, so it is itself pollable and closes
//!   with `close`; godfly keeps the knotes of each one beside it;
//! - EVFILT_READ / EVFILT_WRITE on a descriptor: one epoll registration per
//!   descriptor with EPOLLIN / EPOLLOUT for the enabled filters, EPOLLRDHUP
//!   for EV_EOF, and EPOLLET when every enabled knote on it has EV_CLEAR;
//!   `data` is the byte count FIONREAD reports for reading;
//! - EVFILT_USER: a per-kqueue eventfd wakes the waiter; trigger state is
//!   kept here and cleared on delivery for EV_CLEAR knotes;
//! - EVFILT_TIMER: a timerfd per knote, `data` in milliseconds, reported
//!   with the number of expirations;
//! - EVFILT_PROC with NOTE_EXIT: a pidfd; when it becomes readable the
//!   exit is reported with the guest's wait status in `data` (the child
//!   is not reaped) and EV_EOF|EV_ONESHOT, as BSD does; other NOTE_* bits
//!   are accepted and not reported;
//! - EVFILT_SIGNAL: godfly counts every delivery attempt of the signal
//!   (also when it is ignored, for which godfly then catches it on the
//!   host) and reports the count since the last report;
//! - EVFILT_WRITE `data` is the free space: SO_SNDBUF less the bytes
//!   queued for a socket, the pipe size less the bytes buffered for a pipe;
//! - EV_ONESHOT deletes and EV_DISPATCH disables a knote once reported;
//! - a failed change is reported as an EV_ERROR event when there is room,
//!   otherwise the call fails with its errno, as BSD does;
//! - EVFILT_VNODE, EVFILT_AIO, EVFILT_EXCEPT and EVFILT_FS answer ENOSYS
//!   per change.

pub mod epoll;
pub mod knote;

use godfly_abi::bsd::Timespec;

use crate::call::{Args, SysResult, ok, ok_int};
use crate::host::Errno;
use crate::host::errno::{EBADF, EINVAL};
use crate::mem;
use crate::personality;
use crate::thread::Ctx;
use knote::{EV_ERROR, EV_RECEIPT, Kevent};

pub use epoll::{fd_closed, fds_closed_from, reset_after_fork, signal_posted};

/// kqueue(2).
pub fn kqueue(_: &mut Ctx, _: &Args) -> SysResult {
    ok_int(epoll::create()?)
}

/// Per-change results and the events of each collection round.
pub type Session = (Vec<Result<(), Errno>>, Vec<Vec<Kevent>>);

/// One kqueue session without a guest (the kevent fuzz target): a new
/// kqueue, each change applied as `kevent` applies it, then `rounds`
/// collections of at most `cap` events that do not wait; the kqueue is
/// closed afterwards. Returns each change's result and what each round got.
pub fn session(changes: &[Kevent], cap: usize, rounds: usize) -> Result<Session, Errno> {
    let epfd = epoll::create()?;
    let kq = epoll::get(epfd).ok_or(EBADF)?;
    let results: Vec<Result<(), Errno>> = changes.iter().map(|ch| epoll::lock(&kq).apply(ch)).collect();
    let mut got = Vec::new();
    for _ in 0..rounds {
        let mut out = Vec::new();
        let r = epoll::collect(&kq, &mut out, cap, Some(libc::timespec { tv_sec: 0, tv_nsec: 0 }));
        got.push(out);
        if r.is_err() {
            break;
        }
    }
    drop(kq);
    fd_closed(epfd);
    let _ = crate::host::fd::close(epfd);
    Ok((results, got))
}

/// `kevent(kq, changelist, nchanges, eventlist, nevents, timeout)`.
pub fn kevent(_: &mut Ctx, a: &Args) -> SysResult {
    let p = personality::current();
    let (kqfd, changes, nchanges, events, nevents, timeout) =
        (a.int(0), a.ptr(1), a.int(2), a.ptr(3), a.int(4), a.ptr(5));
    if nchanges < 0 || nevents < 0 {
        return Err(EINVAL);
    }
    let kq = epoll::get(kqfd).ok_or(EBADF)?;
    let timeout = if timeout != 0 {
        let ts: Timespec = mem::read(timeout)?;
        if ts.tv_sec < 0 || !(0..1_000_000_000).contains(&ts.tv_nsec) {
            return Err(EINVAL);
        }
        Some(libc::timespec { tv_sec: ts.tv_sec, tv_nsec: ts.tv_nsec })
    } else {
        None
    };
    let changes: Vec<Kevent> = (p.kqueue.read_changes)(changes, nchanges as usize)?;
    let cap = nevents as usize;
    let mut out: Vec<Kevent> = Vec::new();
    {
        let mut k = epoll::lock(&kq);
        for ch in &changes {
            let r = k.apply(ch);
            let receipt = ch.flags & EV_RECEIPT != 0;
            if r.is_err() || receipt {
                // The error number the guest reads in `data`: its own.
                let errno = r.err().map_or(0, |e| i64::from(p.errno(e)));
                if out.len() < cap {
                    out.push(Kevent { flags: EV_ERROR, data: errno, ..*ch });
                } else if let Some(e) = r.err() {
                    return Err(e);
                }
            }
        }
    }
    if !out.is_empty() || cap == 0 {
        (p.kqueue.write_events)(events, &out)?;
        return ok(out.len() as u64);
    }
    epoll::collect(&kq, &mut out, cap, timeout)?;
    (p.kqueue.write_events)(events, &out)?;
    ok(out.len() as u64)
}
