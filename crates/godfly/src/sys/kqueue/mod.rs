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
//! - a failed change is reported as an EV_ERROR event in the event list
//!   whatever its stated size, as DragonFly does (the call fails with the
//!   change's errno only when that write fails); changes are read in
//!   chunks, never as a whole list;
//! - EVFILT_VNODE: one inotify descriptor per kqueue, a watch per watched
//!   file or directory; inotify's events become the NOTE_* bits HAMMER2
//!   posts (`knote::vnode_notes`): IN_MODIFY gives WRITE (and EXTEND when
//!   the size grew), IN_ATTRIB gives ATTRIB or LINK (the link count
//!   changed), IN_DELETE_SELF DELETE, IN_MOVE_SELF RENAME, IN_UNMOUNT
//!   REVOKE; on a directory an entry made or removed gives WRITE, a
//!   subdirectory WRITE|LINK. A pipe or socket is EOPNOTSUPP. The knote
//!   goes with its descriptor. One deviation: a truncate to the same size
//!   gives WRITE (inotify cannot tell it from a real change);
//! - EVFILT_AIO, EVFILT_EXCEPT and EVFILT_FS answer ENOSYS per change.

pub mod epoll;
pub mod knote;

use godfly_abi::bsd::Timespec;

use crate::call::{Args, SysResult, ok, ok_int};
use crate::host::Errno;
use crate::host::errno::EBADF;
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

/// Changes read from the guest at a time (DragonFly's KQ_NEVENTS): a change
/// list is never read whole, whatever `nchanges` says.
const CHANGES_PER_READ: u32 = 32;

/// A guest timeout as a host one. DragonFly does not range-check it: a
/// negative one is no wait, nanoseconds out of range carry into seconds.
fn kevent_timeout(ts: &Timespec) -> libc::timespec {
    let ns = (i128::from(ts.tv_sec) * 1_000_000_000 + i128::from(ts.tv_nsec)).clamp(0, i128::from(i64::MAX));
    libc::timespec { tv_sec: (ns / 1_000_000_000) as i64, tv_nsec: (ns % 1_000_000_000) as i64 }
}

/// `kevent(kq, changelist, nchanges, eventlist, nevents, timeout)`, with
/// DragonFly's rules: the changes are read and applied `CHANGES_PER_READ`
/// at a time (an unreadable chunk fails the call with EFAULT, none of it
/// applied; a negative count runs on until one does); each failed change
/// or receipt is written to the event list whatever `nevents` says, and
/// when that write fails the call fails with the change's own errno; if
/// any was written the call returns their number without waiting; a
/// `nevents` of 0 or less returns 0 without waiting.
pub fn kevent(_: &mut Ctx, a: &Args) -> SysResult {
    let k = &personality::current().kqueue;
    kevent_with(a, k.read_changes, k.write_events)
}

/// Reads guest kevents (address, first, count).
pub type ReadChanges = fn(u64, usize, usize) -> Result<Vec<Kevent>, crate::host::Errno>;
/// Writes guest kevents (address, first, events).
pub type WriteEvents = fn(u64, usize, &[Kevent]) -> Result<(), crate::host::Errno>;

/// `kevent` with a `struct kevent` layout of the caller's choosing (FreeBSD
/// has two).
pub fn kevent_with(a: &Args, read_changes: ReadChanges, write_events: WriteEvents) -> SysResult {
    let p = personality::current();
    let (kqfd, changes, nchanges, events, nevents, timeout) =
        (a.int(0), a.ptr(1), a.int(2), a.ptr(3), a.int(4), a.ptr(5));
    let timeout = if timeout != 0 { Some(kevent_timeout(&mem::read::<Timespec>(timeout)?)) } else { None };
    let kq = epoll::get(kqfd).ok_or(EBADF)?;
    let mut left = nchanges as u32;
    let (mut read, mut posted) = (0usize, 0usize);
    while left > 0 {
        let count = left.min(CHANGES_PER_READ);
        let chunk: Vec<Kevent> = read_changes(changes, read, count as usize)?;
        let mut k = epoll::lock(&kq);
        for ch in &chunk {
            let r = k.apply(ch);
            if r.is_err() || ch.flags & EV_RECEIPT != 0 {
                // The error number the guest reads in `data`: its own.
                let errno = r.err().map_or(0, |e| i64::from(p.errno(e)));
                let ev = Kevent { flags: EV_ERROR, data: errno, ..*ch };
                if write_events(events, posted, &[ev]).is_err() {
                    // A receipt for a change that worked "fails" with 0:
                    // DragonFly leaves -1 as a 32-bit int in the result.
                    return r.map(|()| crate::call::Ret::One(0xFFFF_FFFF));
                }
                posted += 1;
            }
        }
        left -= count;
        read += count as usize;
    }
    if posted > 0 {
        return ok(posted as u64);
    }
    if nevents <= 0 {
        return ok(0u64);
    }
    let mut out: Vec<Kevent> = Vec::new();
    epoll::collect(&kq, &mut out, nevents as usize, timeout)?;
    write_events(events, 0, &out)?;
    ok(out.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kevent_timeouts_are_normalised_not_refused() {
        let t = |s, n| {
            let h = kevent_timeout(&Timespec { tv_sec: s, tv_nsec: n });
            (h.tv_sec, h.tv_nsec)
        };
        assert_eq!(t(1, 5), (1, 5));
        assert_eq!(t(-1, 0), (0, 0));
        assert_eq!(t(0, 2_500_000_000), (2, 500_000_000));
        assert_eq!(t(2, -500_000_000), (1, 500_000_000));
        assert_eq!(t(i64::MAX, i64::MAX).0, i64::MAX / 1_000_000_000);
    }
}
