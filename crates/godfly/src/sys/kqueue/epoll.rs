//! A kqueue on the host: an epoll descriptor (so the kqueue is itself
//! pollable and closes with `close`), an eventfd that wakes the waiter for
//! user and signal knotes, a timerfd per timer and a pidfd per process
//! knote, and the knotes beside them (`knote`).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::sync::Global;

use super::knote::{self, EV_ADD, EV_DELETE, EV_DISABLE, EV_ENABLE, EV_EOF, EV_ONESHOT, Filter, Kevent, Knote, Retire};
use crate::host::errno::{EBADF, ENOENT, ENOSYS, ESRCH};
use crate::host::{Errno, event, fd as hfd, out, proc as hproc};
use crate::personality;

/// Tag bits in epoll data that mark what an event belongs to.
const TAG_USER: u64 = 1 << 63;
const TAG_TIMER: u64 = 1 << 62;
const TAG_PROC: u64 = 1 << 61;
const TAG_INOTIFY: u64 = 1 << 60;
const TAG_MASK: u64 = TAG_USER | TAG_TIMER | TAG_PROC | TAG_INOTIFY;

/// What an EVFILT_VNODE watch asks inotify for: everything that can turn
/// into a DragonFly note (`knote::vnode_hint` decides which).
const INOTIFY_MASK: u32 = libc::IN_MODIFY
    | libc::IN_ATTRIB
    | libc::IN_CREATE
    | libc::IN_DELETE
    | libc::IN_MOVED_FROM
    | libc::IN_MOVED_TO
    | libc::IN_DELETE_SELF
    | libc::IN_MOVE_SELF;

/// One kqueue: its epoll descriptor, wake-up eventfd and knotes.
#[derive(Debug)]
pub struct Kq {
    epfd: i32,
    eventfd: i32,
    /// (ident, filter) → knote.
    notes: HashMap<(u64, Filter), Knote>,
    /// Descriptors currently registered with epoll and their event mask.
    registered: HashMap<i32, u32>,
    /// Events that were ready but did not fit the caller's list; edge
    /// triggered readiness would be lost otherwise. Reported first next time.
    backlog: Vec<Kevent>,
    /// The inotify instance behind EVFILT_VNODE knotes (-1 until the first).
    inotify: i32,
    /// The inotify watches in use.
    watches: Vec<i32>,
    /// Watches on the parents of watched directories: Linux says nothing
    /// to a directory that is removed while open, its parent hears of it.
    parent_watches: Vec<i32>,
}

type Table = Option<HashMap<i32, Arc<Mutex<Kq>>>>;

static KQUEUES: Global<Table> = Global::new(70, None);

fn table() -> MutexGuard<'static, Table> {
    KQUEUES.lock()
}

/// The kqueue behind descriptor `kq`, if it is one.
pub fn get(kq: i32) -> Option<Arc<Mutex<Kq>>> {
    table().as_ref().and_then(|m| m.get(&kq).cloned())
}

/// Locks one kqueue.
pub fn lock(kq: &Mutex<Kq>) -> MutexGuard<'_, Kq> {
    kq.lock().unwrap_or_else(|e| e.into_inner())
}

/// The neutral filter of a guest filter number.
fn filter_of(nr: i16) -> Option<Filter> {
    (personality::current().kqueue.filter)(nr)
}

/// Makes a kqueue: its epoll descriptor is the kqueue's descriptor.
pub fn create() -> Result<i32, Errno> {
    let epfd = event::epoll_create(0)?;
    let eventfd = match event::eventfd() {
        Ok(fd) => fd,
        Err(e) => {
            let _ = hfd::close(epfd);
            return Err(e);
        }
    };
    if let Err(e) = event::epoll_ctl(epfd, libc::EPOLL_CTL_ADD, eventfd, libc::EPOLLIN as u32, TAG_USER) {
        let _ = hfd::close(epfd);
        let _ = hfd::close(eventfd);
        return Err(e);
    }
    out::add_internal_fd(eventfd);
    let kq = Kq {
        epfd,
        eventfd,
        notes: HashMap::new(),
        registered: HashMap::new(),
        backlog: Vec::new(),
        inotify: -1,
        watches: Vec::new(),
        parent_watches: Vec::new(),
    };
    table().get_or_insert_with(HashMap::new).insert(epfd, Arc::new(Mutex::new(kq)));
    Ok(epfd)
}

/// In a forked child: kqueues are not inherited (BSD), so their descriptors
/// are closed. godfly's helper descriptors are closed by
/// `host::out::close_internal_after_fork`.
pub fn reset_after_fork() {
    if let Some(m) = table().take() {
        for epfd in m.keys() {
            let _ = hfd::close(*epfd);
        }
    }
}

/// Forgets knotes on `fd` before the guest's descriptor `fd` goes away
/// (BSD drops them on close), or the kqueue itself if `fd` is one.
pub fn fd_closed(fd: i32) {
    let removed = table().as_mut().and_then(|m| m.remove(&fd));
    if let Some(kq) = removed {
        let kq = lock(&kq);
        out::close_internal(kq.eventfd);
        if kq.inotify >= 0 {
            out::close_internal(kq.inotify);
        }
        for n in kq.notes.values() {
            if n.helper >= 0 {
                out::close_internal(n.helper);
            }
        }
        return;
    }
    let all: Vec<_> = table().as_ref().map(|m| m.values().cloned().collect()).unwrap_or_default();
    for kq in all {
        let mut kq = lock(&kq);
        let before = kq.notes.len();
        kq.notes.retain(|(ident, filter), _| !(*ident == fd as u64 && filter.on_fd()));
        if kq.notes.len() != before {
            kq.drop_unused_watches();
        }
        if kq.notes.len() != before || kq.registered.contains_key(&fd) {
            kq.registered.remove(&fd);
            // The descriptor may still be open through a dup elsewhere.
            let _ = event::epoll_del(kq.epfd, fd);
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

fn ts(ns: i64) -> libc::timespec {
    libc::timespec { tv_sec: ns / 1_000_000_000, tv_nsec: ns % 1_000_000_000 }
}

/// Arms (or disarms) a timerfd for an EVFILT_TIMER knote.
fn arm_timer(n: &Knote) -> Result<(), Errno> {
    let (interval, value) = knote::timer_spec(n.data, n.flags & EV_ONESHOT != 0, n.enabled);
    event::timerfd_set(n.helper, ts(interval), ts(value))
}

impl Kq {
    /// Re-registers `fd` with epoll to match its enabled knotes.
    fn sync_fd(&mut self, fd: i32) -> Result<(), Errno> {
        let ident = fd as u64;
        let want = knote::fd_events(self.notes.get(&(ident, Filter::Read)), self.notes.get(&(ident, Filter::Write)));
        let had = self.registered.get(&fd).copied();
        let Some(events) = want else {
            if had.is_some() {
                self.registered.remove(&fd);
                let _ = event::epoll_del(self.epfd, fd);
            }
            return Ok(());
        };
        if had == Some(events) {
            return Ok(());
        }
        let op = if had.is_some() { libc::EPOLL_CTL_MOD } else { libc::EPOLL_CTL_ADD };
        event::epoll_ctl(self.epfd, op, fd, events, ident)?;
        self.registered.insert(fd, events);
        Ok(())
    }

    /// Stops inotify watches no knote uses any more.
    fn drop_unused_watches(&mut self) {
        if self.inotify < 0 {
            return;
        }
        let mut used: Vec<i32> = self.notes.values().filter_map(|n| n.vnode.map(|w| w.wd)).collect();
        used.sort_unstable();
        let mut watched: Vec<i32> = std::mem::take(&mut self.watches);
        let parents = &self.parent_watches;
        watched.retain(|wd| {
            let keep = used.binary_search(wd).is_ok() || parents.contains(wd);
            if !keep {
                event::inotify_rm_watch(self.inotify, *wd);
            }
            keep
        });
        self.watches = watched;
    }

    /// Starts watching descriptor `fd` for an EVFILT_VNODE knote with `mask`:
    /// regular files, directories, FIFOs and symlinks have notes; a pipe,
    /// socket or kqueue has none (EOPNOTSUPP, as DragonFly).
    fn watch_vnode(&mut self, fd: i32, mask: u32) -> Result<knote::VnodeWatch, Errno> {
        let st = crate::host::fs::fstat(fd)?;
        let ty = st.st_mode & libc::S_IFMT;
        let anon = ty == libc::S_IFIFO
            && std::fs::read_link(format!("/proc/self/fd/{fd}"))
                .is_ok_and(|p| p.to_string_lossy().starts_with("pipe:"));
        if ![libc::S_IFREG, libc::S_IFDIR, libc::S_IFIFO, libc::S_IFLNK].contains(&ty) || anon {
            return Err(crate::host::errno::EOPNOTSUPP);
        }
        if self.inotify < 0 {
            let ino = event::inotify_init()?;
            out::add_internal_fd(ino);
            if let Err(e) = self.watch_helper(ino, TAG_INOTIFY) {
                out::close_internal(ino);
                return Err(e);
            }
            self.inotify = ino;
        }
        let path = std::ffi::CString::new(format!("/proc/self/fd/{fd}")).map_err(|_| EBADF)?;
        let wd = event::inotify_add_watch(self.inotify, &path, INOTIFY_MASK)?;
        if !self.watches.contains(&wd) {
            self.watches.push(wd);
        }
        if ty == libc::S_IFDIR
            && let Ok(p) = std::fs::read_link(format!("/proc/self/fd/{fd}"))
            && let Some(parent) = p.parent()
            && let Ok(parent) = std::ffi::CString::new(parent.as_os_str().as_encoded_bytes())
            && let Ok(pwd) = event::inotify_add_watch(self.inotify, &parent, INOTIFY_MASK)
            && !self.parent_watches.contains(&pwd)
        {
            self.parent_watches.push(pwd);
            if !self.watches.contains(&pwd) {
                self.watches.push(pwd);
            }
        }
        Ok(knote::VnodeWatch { wd, mask, is_dir: ty == libc::S_IFDIR, size: st.st_size, nlink: st.st_nlink })
    }

    /// Turns the waiting inotify events into notes on the knotes they concern.
    fn take_inotify(&mut self) {
        if self.inotify < 0 {
            return;
        }
        let events = event::inotify_events(self.inotify);
        // A removed directory hears nothing while open (its parent gets
        // IN_DELETE|IN_ISDIR): look for watched directories gone.
        let dir_gone = events.iter().any(|&(_, m, _)| m & libc::IN_DELETE != 0 && m & libc::IN_ISDIR != 0);
        for (wd, mask, has_name) in events {
            let keys: Vec<(u64, Filter)> =
                self.notes.iter().filter(|(_, n)| n.vnode.is_some_and(|w| w.wd == wd)).map(|(k, _)| *k).collect();
            for key in keys {
                let now = crate::host::fs::fstat(key.0 as i32).ok().map(|st| (st.st_size, st.st_nlink));
                let Some(n) = self.notes.get_mut(&key) else { continue };
                let Some(mut w) = n.vnode else { continue };
                let hint = knote::vnode_hint(&mut w, &knote::FileEvent { mask, has_name, now });
                n.vnode = Some(w);
                n.vnode_note(hint);
            }
        }
        if dir_gone {
            let dirs: Vec<(u64, Filter)> = self
                .notes
                .iter()
                .filter(|(_, n)| n.vnode.is_some_and(|w| w.is_dir && w.nlink > 0))
                .map(|(k, _)| *k)
                .collect();
            for key in dirs {
                let gone = crate::host::fs::fstat(key.0 as i32).is_ok_and(|st| st.st_nlink == 0);
                if let Some(n) = self.notes.get_mut(&key)
                    && gone
                    && let Some(mut w) = n.vnode
                {
                    w.nlink = 0;
                    n.vnode = Some(w);
                    n.vnode_note(knote::NOTE_DELETE);
                }
            }
        }
    }

    fn wake(&self) {
        let _ = hfd::write_u64(self.eventfd, 1);
    }

    /// Registers a helper descriptor (timerfd, pidfd) with epoll.
    fn watch_helper(&self, fd: i32, tag: u64) -> Result<(), Errno> {
        event::epoll_ctl(self.epfd, libc::EPOLL_CTL_ADD, fd, libc::EPOLLIN as u32, tag | fd as u64)
    }

    /// Applies one change.
    pub fn apply(&mut self, ch: &Kevent) -> Result<(), Errno> {
        let filter = filter_of(ch.filter).ok_or(crate::host::errno::EINVAL)?;
        if !filter.supported() {
            return Err(ENOSYS);
        }
        let key = (ch.ident, filter);
        if filter.on_fd() {
            let fd = i32::try_from(ch.ident).map_err(|_| EBADF)?;
            hfd::check_open(fd).map_err(|_| EBADF)?;
        }
        if ch.flags & EV_ADD != 0 {
            let existing = self.notes.get(&key).copied();
            let mut n = existing.unwrap_or_else(|| Knote::new(ch.filter));
            n.add(existing.is_some(), ch, filter)?;
            match filter {
                Filter::Timer => {
                    if n.helper < 0 {
                        n.helper = event::timerfd()?;
                        out::add_internal_fd(n.helper);
                        self.watch_helper(n.helper, TAG_TIMER)?;
                    }
                    arm_timer(&n)?;
                }
                Filter::Vnode if n.vnode.is_none() => {
                    n.vnode = Some(self.watch_vnode(ch.ident as i32, ch.fflags)?);
                }
                Filter::Proc if n.helper < 0 => {
                    let pid = i32::try_from(ch.ident).map_err(|_| ESRCH)?;
                    n.helper = event::pidfd_open(pid)?;
                    out::add_internal_fd(n.helper);
                    if let Err(e) = self.watch_helper(n.helper, TAG_PROC) {
                        out::close_internal(n.helper);
                        return Err(e);
                    }
                }
                Filter::Signal => {
                    let sig = u32::try_from(ch.ident).ok().filter(|s| (1..=crate::signal::max_sig()).contains(s));
                    let sig = sig.ok_or(crate::host::errno::EINVAL)?;
                    WATCHING_SIGNALS.store(true, Ordering::Release);
                    // Count it even while ignored: godfly must see it.
                    if let Some(h) = crate::signal::to_host(sig) {
                        crate::host::sig::catch(h);
                    }
                }
                _ => {}
            }
            self.notes.insert(key, n);
            if filter.on_fd()
                && let Err(e) = self.sync_fd(ch.ident as i32)
            {
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
        if ch.flags & EV_DELETE != 0 {
            self.notes.remove(&key);
            if n.helper >= 0 {
                out::close_internal(n.helper);
            }
            if n.vnode.is_some() {
                self.drop_unused_watches();
            }
            if filter.on_fd() {
                self.sync_fd(ch.ident as i32)?;
            }
            return Ok(());
        }
        n.modify(ch, filter);
        if filter == Filter::Timer && ch.flags & (EV_ENABLE | EV_DISABLE) != 0 {
            arm_timer(&n)?;
        }
        self.notes.insert(key, n);
        if filter.on_fd() {
            self.sync_fd(ch.ident as i32)?;
        }
        if n.wants_wake() {
            self.wake();
        }
        Ok(())
    }

    /// User and signal knotes that are triggered, enabled and ready to report.
    fn pending_user(&self) -> bool {
        self.notes
            .iter()
            .any(|((_, f), n)| matches!(f, Filter::User | Filter::Signal | Filter::Vnode) && n.wants_wake())
    }

    /// Carries out what delivery does to a knote.
    fn delivered(&mut self, key: (u64, Filter)) {
        let Some(n) = self.notes.get_mut(&key) else { return };
        match n.after_delivery() {
            Retire::Keep => return,
            Retire::Disabled => {}
            Retire::Delete => {
                let (helper, vnode) = (n.helper, n.vnode.is_some());
                self.notes.remove(&key);
                if helper >= 0 {
                    out::close_internal(helper);
                }
                if vnode {
                    self.drop_unused_watches();
                }
            }
        }
        if key.1.on_fd() {
            let _ = self.sync_fd(key.0 as i32);
        }
    }

    /// The knote whose helper descriptor is `fd`.
    fn by_helper(&self, filter: Filter, fd: i32) -> Option<((u64, Filter), Knote)> {
        self.notes.iter().find(|(key, n)| key.1 == filter && n.helper == fd).map(|(key, n)| (*key, *n))
    }
}

/// Whether any kqueue ever watched a signal (so that posting a signal costs
/// nothing until one does).
static WATCHING_SIGNALS: AtomicBool = AtomicBool::new(false);

/// Counts a delivery attempt of guest signal `sig` in every kqueue that
/// watches it (EVFILT_SIGNAL).
pub fn signal_posted(sig: u32) {
    if !WATCHING_SIGNALS.load(Ordering::Acquire) {
        return;
    }
    let all: Vec<_> = table().as_ref().map(|m| m.values().cloned().collect()).unwrap_or_default();
    for kq in all {
        let mut k = lock(&kq);
        if let Some(n) = k.notes.get_mut(&(u64::from(sig), Filter::Signal)) {
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
    let Ok(st) = crate::host::fs::fstat(fd) else { return 0 };
    match st.st_mode & libc::S_IFMT {
        libc::S_IFSOCK => {
            let sndbuf = crate::host::net::getsockopt_int(fd, libc::SOL_SOCKET, libc::SO_SNDBUF);
            let mut queued: i32 = 0;
            let _ = hfd::ioctl_out(fd, libc::TIOCOUTQ, &mut queued);
            sndbuf.map_or(0, |b| i64::from(b - queued).max(0))
        }
        libc::S_IFIFO => {
            let size = hfd::fcntl_int(fd, libc::F_GETPIPE_SZ, 0).unwrap_or(0) as i64;
            let queued = hfd::fionread(fd).unwrap_or(0);
            (size - i64::from(queued)).max(0)
        }
        _ => 0,
    }
}

/// Bytes ready to read on `fd`, for a READ event's `data`.
fn readable_bytes(fd: i32) -> i64 {
    hfd::fionread(fd).map_or(0, i64::from)
}

/// The exit status of the process behind `pidfd` without reaping it
/// (WNOWAIT), as the guest's wait status.
fn exit_status(pidfd: i32) -> i32 {
    let w = hproc::waitid::<godfly_abi::bsd::Rusage>(
        libc::P_PIDFD,
        pidfd as u64,
        libc::WEXITED | libc::WNOHANG | libc::WNOWAIT,
        None,
    );
    w.map_or(0, |w| (personality::current().procs.wait_status_siginfo)(w.code, w.status))
}

/// Waits for and converts events, at most `cap`.
pub fn collect(
    kq: &Mutex<Kq>,
    out: &mut Vec<Kevent>,
    cap: usize,
    timeout: Option<libc::timespec>,
) -> Result<(), Errno> {
    let (epfd, user_ready) = {
        let mut k = lock(kq);
        // Earlier overflow first, dropping events of knotes gone since.
        let backlog = std::mem::take(&mut k.backlog);
        for ev in backlog {
            let keep = filter_of(ev.filter).is_some_and(|f| knote::backlog_keeps(&ev, k.notes.get(&(ev.ident, f))));
            if keep {
                if out.len() < cap { out.push(ev) } else { k.backlog.push(ev) }
            }
        }
        if !out.is_empty() {
            return Ok(());
        }
        (k.epfd, k.pending_user())
    };
    let zero = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    let wait = if user_ready { Some(zero) } else { timeout };
    let mut host_events = vec![libc::epoll_event { events: 0, u64: 0 }; cap.clamp(1, 256)];
    let n = event::epoll_wait(epfd, &mut host_events, wait.as_ref())?;
    let mut k = lock(kq);
    for ev in &host_events[..n] {
        match ev.u64 & TAG_MASK {
            TAG_USER => {
                let _ = hfd::read_u64(k.eventfd);
            }
            TAG_INOTIFY => k.take_inotify(),
            TAG_PROC => {
                let pidfd = (ev.u64 & !TAG_MASK) as i32;
                let Some((key, n)) = k.by_helper(Filter::Proc, pidfd) else { continue };
                if !n.enabled {
                    continue;
                }
                let flags = n.flags | EV_EOF | EV_ONESHOT;
                out.push(n.event(key.0, flags, knote::NOTE_EXIT, i64::from(exit_status(pidfd))));
                k.notes.remove(&key);
                let _ = event::epoll_del(k.epfd, pidfd);
                out::close_internal(pidfd);
            }
            TAG_TIMER => {
                let tfd = (ev.u64 & !TAG_MASK) as i32;
                let Ok(count) = hfd::read_u64(tfd) else { continue };
                if let Some((key, n)) = k.by_helper(Filter::Timer, tfd)
                    && out.len() < cap
                    && n.enabled
                {
                    out.push(n.event(key.0, n.flags, 0, count as i64));
                    k.delivered(key);
                }
            }
            _ => {
                let fd = ev.u64 as i32;
                for filter in [Filter::Read, Filter::Write] {
                    let key = (fd as u64, filter);
                    let Some(n) = k.notes.get(&key).copied() else { continue };
                    let Some(flags) = knote::fd_ready(filter, &n, ev.events) else { continue };
                    let data = if filter == Filter::Read { readable_bytes(fd) } else { writable_space(fd) };
                    out.push(n.event(key.0, flags, 0, data));
                    k.delivered(key);
                }
            }
        }
    }
    // Report triggered user knotes (whether or not the eventfd fired in this round).
    let users: Vec<(u64, Filter)> = k
        .notes
        .iter()
        .filter(|((_, f), n)| matches!(f, Filter::User | Filter::Signal | Filter::Vnode) && n.wants_wake())
        .map(|(key, _)| *key)
        .collect();
    for key in users {
        let Some(n) = k.notes.get_mut(&key) else { continue };
        out.push(n.take_triggered(key.0, key.1));
        k.delivered(key);
    }
    if out.len() > cap {
        let extra = out.split_off(cap);
        k.backlog.extend(extra);
    }
    Ok(())
}
