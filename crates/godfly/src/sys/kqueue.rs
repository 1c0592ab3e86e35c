//! `kqueue` and `kevent` on Linux epoll.
//!
//! Mapping:
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
//!   exit is reported with the DragonFly wait status in `data` (the child
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

use godfly_abi::consts as d;
use godfly_abi::errno::{EBADF, EINVAL, ENOENT, ENOSYS, Errno};
use godfly_abi::layout::{Kevent, Timespec};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::dispatch::{Args, Ctx, SysResult, ok, ok_int};
use crate::host;
use crate::mem;

/// Tag bits in epoll data that mark what an event belongs to.
const TAG_USER: u64 = 1 << 63;
const TAG_TIMER: u64 = 1 << 62;
const TAG_PROC: u64 = 1 << 61;
const TAG_MASK: u64 = TAG_USER | TAG_TIMER | TAG_PROC;

/// Flags a knote remembers and reports back.
const KEPT_FLAGS: u16 = (d::EV_ADD | d::EV_ONESHOT | d::EV_CLEAR | d::EV_DISPATCH) as u16;

#[derive(Debug, Clone, Copy)]
struct Knote {
    flags: u16,
    fflags: u32,
    data: i64,
    udata: u64,
    enabled: bool,
    /// EVFILT_USER: triggered and not yet delivered.
    triggered: bool,
    /// EVFILT_TIMER: the timerfd; EVFILT_PROC: the pidfd.
    timerfd: i32,
}

/// One kqueue: its epoll descriptor, wake-up eventfd and knotes.
#[derive(Debug)]
pub struct Kq {
    epfd: i32,
    eventfd: i32,
    /// (ident, filter) → knote.
    notes: HashMap<(u64, i16), Knote>,
    /// Descriptors currently registered with epoll and their event mask.
    registered: HashMap<i32, u32>,
    /// Events that were ready but did not fit the caller's list; edge
    /// triggered readiness would be lost otherwise. Reported first next time.
    backlog: Vec<Kevent>,
}

static KQUEUES: Mutex<Option<HashMap<i32, Arc<Mutex<Kq>>>>> = Mutex::new(None);

fn table() -> MutexGuard<'static, Option<HashMap<i32, Arc<Mutex<Kq>>>>> {
    KQUEUES.lock().unwrap_or_else(|e| e.into_inner())
}

fn get(kq: i32) -> Option<Arc<Mutex<Kq>>> {
    table().as_ref().and_then(|m| m.get(&kq).cloned())
}

fn lock(kq: &Mutex<Kq>) -> MutexGuard<'_, Kq> {
    kq.lock().unwrap_or_else(|e| e.into_inner())
}

/// kqueue(2), DragonFly 362.
pub fn kqueue(_: &mut Ctx, _: &Args) -> SysResult {
    ok_int(create()?)
}

/// Makes a kqueue: its epoll descriptor is the kqueue's descriptor.
fn create() -> Result<i32, Errno> {
    let epfd = host::sys(libc::SYS_epoll_create1, &[0])? as i32;
    let eventfd = match host::sys(libc::SYS_eventfd2, &[0, (libc::EFD_NONBLOCK | libc::EFD_CLOEXEC) as u64]) {
        Ok(fd) => fd as i32,
        Err(e) => {
            let _ = host::sys(libc::SYS_close, &[epfd as u64]);
            return Err(e);
        }
    };
    let ev = libc::epoll_event { events: libc::EPOLLIN as u32, u64: TAG_USER };
    if let Err(e) =
        host::sys(libc::SYS_epoll_ctl, &[epfd as u64, libc::EPOLL_CTL_ADD as u64, eventfd as u64, host::bptr(&ev)])
    {
        let _ = host::sys(libc::SYS_close, &[epfd as u64]);
        let _ = host::sys(libc::SYS_close, &[eventfd as u64]);
        return Err(e);
    }
    host::add_internal_fd(eventfd);
    let kq = Kq { epfd, eventfd, notes: HashMap::new(), registered: HashMap::new(), backlog: Vec::new() };
    table().get_or_insert_with(HashMap::new).insert(epfd, Arc::new(Mutex::new(kq)));
    Ok(epfd)
}

/// Per-change results and the events of each collection round.
pub type Session = (Vec<Result<(), Errno>>, Vec<Vec<Kevent>>);

/// One kqueue session without a guest (the kevent fuzz target): a new
/// kqueue, each change applied as `kevent` applies it, then `rounds`
/// collections of at most `cap` events that do not wait; the kqueue is
/// closed afterwards. Returns each change's result and what each round got.
pub fn session(changes: &[Kevent], cap: usize, rounds: usize) -> Result<Session, Errno> {
    let epfd = create()?;
    let kq = get(epfd).ok_or(EBADF)?;
    let results: Vec<Result<(), Errno>> = changes.iter().map(|ch| lock(&kq).apply(ch)).collect();
    let mut got = Vec::new();
    for _ in 0..rounds {
        let mut out = Vec::new();
        let r = collect(&kq, &mut out, cap, Some(Timespec::default()));
        got.push(out);
        if r.is_err() {
            break;
        }
    }
    drop(kq);
    fd_closed(epfd);
    let _ = host::sys(libc::SYS_close, &[epfd as u64]);
    Ok((results, got))
}

/// The kqueue table, locked across `fork`.
pub type ForkGuard = MutexGuard<'static, Option<HashMap<i32, Arc<Mutex<Kq>>>>>;

/// Locks the table before `fork`.
pub fn lock_for_fork() -> ForkGuard {
    table()
}

/// In a forked child: kqueues are not inherited (BSD), so their descriptors
/// are closed. Returns nothing; godfly's helper descriptors are closed by
/// `host::close_internal_after_fork`.
pub fn reset_after_fork(guard: &mut ForkGuard) {
    if let Some(m) = guard.take() {
        for epfd in m.keys() {
            let _ = host::sys(libc::SYS_close, &[*epfd as u64]);
        }
    }
}

/// Forgets knotes on `fd` before the guest's descriptor `fd` goes away
/// (BSD drops them on close), or the kqueue itself if `fd` is one.
pub fn fd_closed(fd: i32) {
    let removed = table().as_mut().and_then(|m| m.remove(&fd));
    if let Some(kq) = removed {
        let kq = lock(&kq);
        host::close_internal(kq.eventfd);
        for n in kq.notes.values() {
            if n.timerfd >= 0 {
                host::close_internal(n.timerfd);
            }
        }
        return;
    }
    let all: Vec<_> = table().as_ref().map(|m| m.values().cloned().collect()).unwrap_or_default();
    for kq in all {
        let mut kq = lock(&kq);
        let before = kq.notes.len();
        kq.notes.retain(|(ident, filter), _| {
            !(*ident == fd as u64 && (*filter == d::EVFILT_READ as i16 || *filter == d::EVFILT_WRITE as i16))
        });
        if kq.notes.len() != before || kq.registered.contains_key(&fd) {
            kq.registered.remove(&fd);
            // The descriptor may still be open through a dup elsewhere.
            let _ = host::sys(libc::SYS_epoll_ctl, &[kq.epfd as u64, libc::EPOLL_CTL_DEL as u64, fd as u64, 0]);
        }
    }
}

/// `fd_closed` for every descriptor from `low` up (`closefrom`).
pub fn fds_closed_from(low: i32) {
    let kqs: Vec<i32> = table().as_ref().map(|m| m.keys().copied().filter(|&k| k >= low).collect()).unwrap_or_default();
    for k in kqs {
        fd_closed(k);
    }
    let all: Vec<_> = table().as_ref().map(|m| m.values().cloned().collect()).unwrap_or_default();
    for kq in all {
        let fds: Vec<i32> = lock(&kq).registered.keys().copied().filter(|&f| f >= low).collect();
        for f in fds {
            fd_closed(f);
        }
    }
}

impl Kq {
    /// Re-registers `fd` with epoll to match its enabled knotes.
    fn sync_fd(&mut self, fd: i32) -> Result<(), Errno> {
        let mut events = 0u32;
        let mut all_clear = true;
        for filter in [d::EVFILT_READ as i16, d::EVFILT_WRITE as i16] {
            if let Some(n) = self.notes.get(&(fd as u64, filter)).filter(|n| n.enabled) {
                events |= if filter == d::EVFILT_READ as i16 { libc::EPOLLIN as u32 } else { libc::EPOLLOUT as u32 };
                all_clear &= n.flags & d::EV_CLEAR as u16 != 0;
            }
        }
        let had = self.registered.get(&fd).copied();
        if events == 0 {
            if had.is_some() {
                self.registered.remove(&fd);
                let _ = host::sys(libc::SYS_epoll_ctl, &[self.epfd as u64, libc::EPOLL_CTL_DEL as u64, fd as u64, 0]);
            }
            return Ok(());
        }
        events |= libc::EPOLLRDHUP as u32;
        if all_clear {
            events |= libc::EPOLLET as u32;
        }
        if had == Some(events) {
            return Ok(());
        }
        let op = if had.is_some() { libc::EPOLL_CTL_MOD } else { libc::EPOLL_CTL_ADD };
        let ev = libc::epoll_event { events, u64: fd as u64 };
        host::sys(libc::SYS_epoll_ctl, &[self.epfd as u64, op as u64, fd as u64, host::bptr(&ev)])?;
        self.registered.insert(fd, events);
        Ok(())
    }

    fn wake(&self) {
        let one: u64 = 1;
        let _ = host::sys(libc::SYS_write, &[self.eventfd as u64, host::bptr(&one), 8]);
    }

    /// Applies one change.
    fn apply(&mut self, ch: &Kevent) -> Result<(), Errno> {
        let key = (ch.ident, ch.filter);
        let flags = ch.flags;
        let filter = i32::from(ch.filter);
        match filter {
            d::EVFILT_READ | d::EVFILT_WRITE | d::EVFILT_USER | d::EVFILT_TIMER | d::EVFILT_PROC | d::EVFILT_SIGNAL => {
            }
            d::EVFILT_AIO | d::EVFILT_VNODE | d::EVFILT_EXCEPT | d::EVFILT_FS => {
                return Err(ENOSYS);
            }
            _ => return Err(EINVAL),
        }
        let is_fd = filter == d::EVFILT_READ || filter == d::EVFILT_WRITE;
        if is_fd {
            let fd = i32::try_from(ch.ident).map_err(|_| EBADF)?;
            host::sys(libc::SYS_fcntl, &[fd as u64, libc::F_GETFD as u64]).map_err(|_| EBADF)?;
        }
        if flags & d::EV_ADD as u16 != 0 {
            let existing = self.notes.get(&key).copied();
            let mut n = existing.unwrap_or(Knote {
                flags: 0,
                fflags: 0,
                data: 0,
                udata: 0,
                enabled: true,
                triggered: false,
                timerfd: -1,
            });
            n.flags = flags & KEPT_FLAGS;
            n.udata = ch.udata;
            if flags & d::EV_DISABLE as u16 != 0 {
                n.enabled = false;
            } else if existing.is_none() || flags & d::EV_ENABLE as u16 != 0 {
                n.enabled = true;
            }
            match filter {
                d::EVFILT_USER => {
                    n.fflags = user_fflags(n.fflags, ch.fflags);
                    if ch.fflags & d::NOTE_TRIGGER as u32 != 0 {
                        n.triggered = true;
                    }
                }
                d::EVFILT_TIMER => {
                    if ch.data < 0 {
                        return Err(EINVAL);
                    }
                    if n.timerfd < 0 {
                        n.timerfd = host::sys(
                            libc::SYS_timerfd_create,
                            &[libc::CLOCK_MONOTONIC as u64, (libc::TFD_NONBLOCK | libc::TFD_CLOEXEC) as u64],
                        )? as i32;
                        host::add_internal_fd(n.timerfd);
                        let ev = libc::epoll_event { events: libc::EPOLLIN as u32, u64: TAG_TIMER | n.timerfd as u64 };
                        host::sys(
                            libc::SYS_epoll_ctl,
                            &[self.epfd as u64, libc::EPOLL_CTL_ADD as u64, n.timerfd as u64, host::bptr(&ev)],
                        )?;
                    }
                    n.data = ch.data;
                    arm_timer(n.timerfd, ch.data, n.flags & d::EV_ONESHOT as u16 != 0, n.enabled)?;
                }
                d::EVFILT_PROC => {
                    n.fflags = ch.fflags;
                    if n.timerfd < 0 {
                        let pid = i32::try_from(ch.ident).map_err(|_| godfly_abi::errno::ESRCH)?;
                        n.timerfd = host::sys(libc::SYS_pidfd_open, &[pid as u64, 0])? as i32;
                        host::add_internal_fd(n.timerfd);
                        let ev = libc::epoll_event { events: libc::EPOLLIN as u32, u64: TAG_PROC | n.timerfd as u64 };
                        if let Err(e) = host::sys(
                            libc::SYS_epoll_ctl,
                            &[self.epfd as u64, libc::EPOLL_CTL_ADD as u64, n.timerfd as u64, host::bptr(&ev)],
                        ) {
                            host::close_internal(n.timerfd);
                            return Err(e);
                        }
                    }
                }
                d::EVFILT_SIGNAL => {
                    let sig = u32::try_from(ch.ident).ok().filter(|s| (1..=crate::signal::SIG_MAXSIG).contains(s));
                    let sig = sig.ok_or(EINVAL)?;
                    crate::signal::set_post_hook(signal_posted);
                    // Count it even while ignored: godfly must see it.
                    if let Some(host_sig) = crate::xlat::signo::to_linux(sig) {
                        crate::trap::catch_host(host_sig);
                    }
                }
                _ => {}
            }
            self.notes.insert(key, n);
            if is_fd && let Err(e) = self.sync_fd(ch.ident as i32) {
                self.notes.remove(&key);
                return Err(e);
            }
            if n.triggered {
                self.wake();
            }
            return Ok(());
        }
        let Some(mut n) = self.notes.get(&key).copied() else {
            return Err(ENOENT);
        };
        if flags & d::EV_DELETE as u16 != 0 {
            self.notes.remove(&key);
            if n.timerfd >= 0 {
                host::close_internal(n.timerfd);
            }
            if is_fd {
                self.sync_fd(ch.ident as i32)?;
            }
            return Ok(());
        }
        if flags & d::EV_ENABLE as u16 != 0 {
            n.enabled = true;
        }
        if flags & d::EV_DISABLE as u16 != 0 {
            n.enabled = false;
        }
        if filter == d::EVFILT_USER {
            n.fflags = user_fflags(n.fflags, ch.fflags);
            if ch.fflags & d::NOTE_TRIGGER as u32 != 0 {
                n.triggered = true;
            }
        }
        if filter == d::EVFILT_TIMER && flags & (d::EV_ENABLE | d::EV_DISABLE) as u16 != 0 {
            arm_timer(n.timerfd, n.data, n.flags & d::EV_ONESHOT as u16 != 0, n.enabled)?;
        }
        self.notes.insert(key, n);
        if is_fd {
            self.sync_fd(ch.ident as i32)?;
        }
        if n.triggered && n.enabled {
            self.wake();
        }
        Ok(())
    }

    /// User and signal knotes that are triggered, enabled and ready to report.
    fn pending_user(&self) -> bool {
        self.notes.iter().any(|((_, f), n)| {
            (*f == d::EVFILT_USER as i16 || *f == d::EVFILT_SIGNAL as i16) && n.triggered && n.enabled
        })
    }

    /// Marks a knote delivered: ONESHOT deletes, DISPATCH disables.
    fn delivered(&mut self, key: (u64, i16)) {
        let Some(n) = self.notes.get_mut(&key) else { return };
        if n.flags & d::EV_ONESHOT as u16 != 0 {
            let tfd = n.timerfd;
            self.notes.remove(&key);
            if tfd >= 0 {
                host::close_internal(tfd);
            }
        } else if n.flags & d::EV_DISPATCH as u16 != 0 {
            n.enabled = false;
        } else {
            return;
        }
        if key.1 == d::EVFILT_READ as i16 || key.1 == d::EVFILT_WRITE as i16 {
            let _ = self.sync_fd(key.0 as i32);
        }
    }
}

/// Applies NOTE_FFAND/FFOR/FFCOPY to a user knote's fflags.
fn user_fflags(old: u32, new: u32) -> u32 {
    let val = new & d::NOTE_FFLAGSMASK as u32;
    match new & d::NOTE_FFCTRLMASK {
        x if x == d::NOTE_FFAND as u32 => old & val,
        x if x == d::NOTE_FFOR => old | val,
        x if x == d::NOTE_FFCOPY => val,
        _ => old,
    }
}

/// Arms (or disarms) a timerfd for an EVFILT_TIMER period in milliseconds.
fn arm_timer(tfd: i32, ms: i64, oneshot: bool, enabled: bool) -> Result<(), Errno> {
    let ns = ms.max(0).saturating_mul(1_000_000).max(if enabled { 1 } else { 0 });
    let value = Timespec { tv_sec: ns / 1_000_000_000, tv_nsec: ns % 1_000_000_000 };
    let interval = if oneshot { Timespec::default() } else { value };
    let spec = [interval, if enabled { value } else { Timespec::default() }];
    host::sys(libc::SYS_timerfd_settime, &[tfd as u64, 0, host::bptr(&spec), 0])?;
    Ok(())
}

/// Counts a delivery attempt of DragonFly signal `sig` in every kqueue
/// that watches it (EVFILT_SIGNAL).
pub fn signal_posted(sig: u32) {
    let all: Vec<_> = table().as_ref().map(|m| m.values().cloned().collect()).unwrap_or_default();
    for kq in all {
        let mut k = lock(&kq);
        if let Some(n) = k.notes.get_mut(&(u64::from(sig), d::EVFILT_SIGNAL as i16)) {
            n.data += 1;
            n.triggered = true;
            if n.enabled {
                k.wake();
            }
        }
    }
}

/// Free space for writing to `fd`, for a WRITE event's `data`.
fn writable_space(fd: i32) -> i64 {
    let mut queued: i32 = 0;
    let Ok(st) = host::fstat(fd) else { return 0 };
    match st.st_mode & libc::S_IFMT {
        libc::S_IFSOCK => {
            let mut sndbuf: i32 = 0;
            let mut len: u32 = 4;
            let ok = host::sys(
                libc::SYS_getsockopt,
                &[
                    fd as u64,
                    libc::SOL_SOCKET as u64,
                    libc::SO_SNDBUF as u64,
                    host::bptr_mut(&mut sndbuf),
                    host::bptr_mut(&mut len),
                ],
            )
            .is_ok();
            let _ = host::sys(libc::SYS_ioctl, &[fd as u64, libc::TIOCOUTQ, host::bptr_mut(&mut queued)]);
            if ok { i64::from(sndbuf - queued).max(0) } else { 0 }
        }
        libc::S_IFIFO => {
            let size = host::sys(libc::SYS_fcntl, &[fd as u64, libc::F_GETPIPE_SZ as u64]).unwrap_or(0) as i64;
            let _ = host::sys(libc::SYS_ioctl, &[fd as u64, libc::FIONREAD, host::bptr_mut(&mut queued)]);
            (size - i64::from(queued)).max(0)
        }
        _ => 0,
    }
}

/// Bytes ready to read on `fd`, for a READ event's `data`.
fn readable_bytes(fd: i32) -> i64 {
    let mut n: i32 = 0;
    match host::sys(libc::SYS_ioctl, &[fd as u64, libc::FIONREAD, host::bptr_mut(&mut n)]) {
        Ok(_) => i64::from(n),
        Err(_) => 0,
    }
}

/// `kevent(kq, changelist, nchanges, eventlist, nevents, timeout)`,
/// DragonFly 363.
pub fn kevent(_: &mut Ctx, a: &Args) -> SysResult {
    let (kqfd, changes, nchanges, events, nevents, timeout) =
        (a.int(0), a.ptr(1), a.int(2), a.ptr(3), a.int(4), a.ptr(5));
    if nchanges < 0 || nevents < 0 {
        return Err(EINVAL);
    }
    let kq = get(kqfd).ok_or(EBADF)?;
    let timeout = if timeout != 0 {
        let ts: Timespec = mem::read(timeout)?;
        if ts.tv_sec < 0 || !(0..1_000_000_000).contains(&ts.tv_nsec) {
            return Err(EINVAL);
        }
        Some(ts)
    } else {
        None
    };
    let changes: Vec<Kevent> = mem::read_vec(changes, nchanges as usize)?;
    let cap = nevents as usize;
    let mut out: Vec<Kevent> = Vec::new();
    {
        let mut k = lock(&kq);
        for ch in &changes {
            let r = k.apply(ch);
            let receipt = ch.flags & d::EV_RECEIPT as u16 != 0;
            if r.is_err() || receipt {
                let errno = r.err().map_or(0, |e| i64::from(e.get()));
                if out.len() < cap {
                    out.push(Kevent { flags: d::EV_ERROR as u16, data: errno, ..*ch });
                } else if let Some(e) = r.err() {
                    return Err(e);
                }
            }
        }
    }
    if !out.is_empty() || cap == 0 {
        write_events(events, &out)?;
        return ok(out.len() as u64);
    }
    collect(&kq, &mut out, cap, timeout)?;
    write_events(events, &out)?;
    ok(out.len() as u64)
}

fn write_events(addr: u64, out: &[Kevent]) -> Result<(), Errno> {
    if out.is_empty() {
        return Ok(());
    }
    mem::write_bytes(addr, zerocopy::IntoBytes::as_bytes(out))
}

/// Waits for and converts events, at most `cap`.
fn collect(kq: &Mutex<Kq>, out: &mut Vec<Kevent>, cap: usize, timeout: Option<Timespec>) -> Result<(), Errno> {
    let (epfd, user_ready) = {
        let mut k = lock(kq);
        // Earlier overflow first, dropping events of knotes gone since.
        let backlog = std::mem::take(&mut k.backlog);
        for ev in backlog {
            // ONESHOT and DISPATCH knotes were retired when the event was
            // taken; the others must still be there and enabled.
            let retired = ev.flags & (d::EV_ONESHOT | d::EV_DISPATCH) as u16 != 0;
            if retired || k.notes.get(&(ev.ident, ev.filter)).is_some_and(|n| n.enabled) {
                if out.len() < cap { out.push(ev) } else { k.backlog.push(ev) }
            }
        }
        if !out.is_empty() {
            return Ok(());
        }
        (k.epfd, k.pending_user())
    };
    let zero = Timespec::default();
    let wait = if user_ready { Some(zero) } else { timeout };
    let mut host_events = vec![libc::epoll_event { events: 0, u64: 0 }; cap.clamp(1, 256)];
    let n = host::sys(
        libc::SYS_epoll_pwait2,
        &[
            epfd as u64,
            host_events.as_mut_ptr() as u64,
            host_events.len() as u64,
            wait.as_ref().map_or(0, host::bptr),
            0,
            8,
        ],
    )? as usize;
    let mut k = lock(kq);
    for ev in &host_events[..n] {
        match ev.u64 & TAG_MASK {
            TAG_USER => {
                let mut buf = 0u64;
                let _ = host::sys(libc::SYS_read, &[k.eventfd as u64, host::bptr_mut(&mut buf), 8]);
            }
            TAG_PROC => {
                let pidfd = (ev.u64 & !TAG_MASK) as i32;
                let found = k
                    .notes
                    .iter()
                    .find(|(key, n)| key.1 == d::EVFILT_PROC as i16 && n.timerfd == pidfd)
                    .map(|(key, n)| (*key, *n));
                let Some((key, n)) = found else { continue };
                if !n.enabled {
                    continue;
                }
                // The exit status without reaping the child (WNOWAIT).
                let mut info = std::mem::MaybeUninit::<libc::siginfo_t>::zeroed();
                let status = host::sys(
                    libc::SYS_waitid,
                    &[
                        libc::P_PIDFD as u64,
                        pidfd as u64,
                        info.as_mut_ptr() as u64,
                        (libc::WEXITED | libc::WNOHANG | libc::WNOWAIT) as u64,
                        0,
                    ],
                )
                .ok()
                .map(|_| {
                    let (_, _, code, st) = host::waitid_fields(&info);
                    crate::xlat::wait::status_from_siginfo(code, st)
                })
                .unwrap_or(0);
                let flags = n.flags | (d::EV_EOF | d::EV_ONESHOT) as u16;
                out.push(Kevent {
                    ident: key.0,
                    filter: key.1,
                    flags,
                    fflags: d::NOTE_EXIT,
                    data: i64::from(status),
                    udata: n.udata,
                });
                k.notes.remove(&key);
                let _ = host::sys(libc::SYS_epoll_ctl, &[k.epfd as u64, libc::EPOLL_CTL_DEL as u64, pidfd as u64, 0]);
                host::close_internal(pidfd);
            }
            TAG_TIMER => {
                let tfd = (ev.u64 & !TAG_MASK) as i32;
                let mut count = 0u64;
                if host::sys(libc::SYS_read, &[tfd as u64, host::bptr_mut(&mut count), 8]).is_err() {
                    continue;
                }
                let found = k
                    .notes
                    .iter()
                    .find(|(key, n)| key.1 == d::EVFILT_TIMER as i16 && n.timerfd == tfd)
                    .map(|(key, n)| (*key, *n));
                if let Some((key, n)) = found
                    && out.len() < cap
                    && n.enabled
                {
                    out.push(Kevent {
                        ident: key.0,
                        filter: key.1,
                        flags: n.flags,
                        fflags: 0,
                        data: count as i64,
                        udata: n.udata,
                    });
                    k.delivered(key);
                }
            }
            _ => {
                let fd = ev.u64 as i32;
                let bits = ev.events;
                let hup = bits & (libc::EPOLLHUP | libc::EPOLLRDHUP) as u32 != 0;
                let err = bits & libc::EPOLLERR as u32 != 0;
                for (filter, want) in [(d::EVFILT_READ as i16, libc::EPOLLIN), (d::EVFILT_WRITE as i16, libc::EPOLLOUT)]
                {
                    let key = (fd as u64, filter);
                    let Some(n) = k.notes.get(&key).copied() else { continue };
                    if !n.enabled {
                        continue;
                    }
                    let eof = if filter == d::EVFILT_READ as i16 { hup } else { bits & libc::EPOLLHUP as u32 != 0 };
                    if bits & want as u32 == 0 && !eof && !err {
                        continue;
                    }
                    let mut flags = n.flags;
                    if eof || err {
                        flags |= d::EV_EOF as u16;
                    }
                    let data = if filter == d::EVFILT_READ as i16 { readable_bytes(fd) } else { writable_space(fd) };
                    out.push(Kevent { ident: key.0, filter, flags, fflags: 0, data, udata: n.udata });
                    k.delivered(key);
                }
            }
        }
    }
    // Report triggered user knotes (whether or not the eventfd fired in this round).
    let users: Vec<(u64, i16)> = k
        .notes
        .iter()
        .filter(|((_, f), n)| {
            (*f == d::EVFILT_USER as i16 || *f == d::EVFILT_SIGNAL as i16) && n.triggered && n.enabled
        })
        .map(|(key, _)| *key)
        .collect();
    for key in users {
        let Some(n) = k.notes.get_mut(&key) else { continue };
        out.push(Kevent {
            ident: key.0,
            filter: key.1,
            flags: n.flags,
            fflags: n.fflags,
            data: n.data,
            udata: n.udata,
        });
        if key.1 == d::EVFILT_SIGNAL as i16 {
            // Signal knotes always clear: the count restarts.
            n.triggered = false;
            n.data = 0;
        } else if n.flags & d::EV_CLEAR as u16 != 0 {
            n.triggered = false;
            n.fflags = 0;
        }
        k.delivered(key);
    }
    if out.len() > cap {
        let extra = out.split_off(cap);
        k.backlog.extend(extra);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_fflags_control_bits() {
        assert_eq!(user_fflags(0b1100, d::NOTE_FFAND as u32 | 0b0100), 0b0100);
        assert_eq!(user_fflags(0b1000, d::NOTE_FFOR | 0b0001), 0b1001);
        assert_eq!(user_fflags(0b1000, d::NOTE_FFCOPY | 0b0011), 0b0011);
        assert_eq!(user_fflags(0b1000, d::NOTE_TRIGGER as u32), 0b1000);
    }
}
