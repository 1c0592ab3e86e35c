//! Waiting for events: `ppoll`, `pselect6`, epoll, eventfd, timerfd,
//! pidfd, and futexes.

use super::raw::{self, mut_ptr, ptr};
use super::{Errno, GuestPtr};

/// The kernel's sigset size for the `*_pwait`/`ppoll` calls.
const SIGSET_SIZE: u64 = 8;

/// `ppoll` over a host `pollfd` array (Linux event bits).
pub fn ppoll(fds: &mut [libc::pollfd], timeout: Option<&libc::timespec>) -> Result<u64, Errno> {
    let tp = timeout.map_or(0, ptr);
    // SAFETY: fds is a writable host array of its length; tp a live
    // timespec or NULL; no signal mask is changed.
    unsafe {
        raw::sys_if_blocking(
            raw::waits(timeout),
            libc::SYS_ppoll,
            &[mut_ptr(fds), fds.len() as u64, tp, 0, SIGSET_SIZE],
        )
    }
}

/// `pselect6` over host `fd_set` words; `None` sets are not watched. Each
/// set must hold at least `nfds` bits (EINVAL otherwise).
pub fn pselect(nfds: i32, sets: [Option<&mut [u64]>; 3], timeout: Option<&libc::timespec>) -> Result<u64, Errno> {
    let words = usize::try_from(nfds).map_err(|_| super::errno::EINVAL)?.div_ceil(64);
    if sets.iter().flatten().any(|s| s.len() < words) {
        return Err(super::errno::EINVAL);
    }
    let [r, w, e] = sets;
    let p = |s: Option<&mut [u64]>| s.map_or(0, |s| s.as_mut_ptr() as u64);
    let (pr, pw, pe) = (p(r), p(w), p(e));
    let tp = timeout.map_or(0, ptr);
    // SAFETY: each set is NULL or a writable host fd_set of at least nfds
    // bits (checked above); the kernel reads and writes no more.
    unsafe { raw::sys_if_blocking(raw::waits(timeout), libc::SYS_pselect6, &[nfds as u64, pr, pw, pe, tp, 0]) }
}

/// `epoll_create1(EPOLL_CLOEXEC or 0)`.
pub fn epoll_create(flags: i32) -> Result<i32, Errno> {
    // SAFETY: integers only.
    unsafe { raw::sys(libc::SYS_epoll_create1, &[flags as u64]) }.map(|v| v as i32)
}

/// `epoll_ctl` ADD/MOD with `events` and the 64-bit tag.
pub fn epoll_ctl(epfd: i32, op: i32, fd: i32, events: u32, data: u64) -> Result<(), Errno> {
    let ev = libc::epoll_event { events, u64: data };
    // SAFETY: ev is a live host epoll_event.
    unsafe { raw::sys(libc::SYS_epoll_ctl, &[epfd as u64, op as u64, fd as u64, ptr(&ev)]) }.map(|_| ())
}

/// `epoll_ctl(EPOLL_CTL_DEL)`.
pub fn epoll_del(epfd: i32, fd: i32) -> Result<(), Errno> {
    // SAFETY: integers only (DEL ignores the event).
    unsafe { raw::sys(libc::SYS_epoll_ctl, &[epfd as u64, libc::EPOLL_CTL_DEL as u64, fd as u64, 0]) }.map(|_| ())
}

/// `epoll_pwait2` into a host event array; `None` waits forever.
pub fn epoll_wait(
    epfd: i32,
    events: &mut [libc::epoll_event],
    timeout: Option<&libc::timespec>,
) -> Result<usize, Errno> {
    let tp = timeout.map_or(0, ptr);
    // SAFETY: events is a writable host array of its length; no mask.
    unsafe {
        raw::sys_if_blocking(
            raw::waits(timeout),
            libc::SYS_epoll_pwait2,
            &[epfd as u64, mut_ptr(events), events.len() as u64, tp, 0, SIGSET_SIZE],
        )
    }
    .map(|n| n as usize)
}

/// A non-blocking, close-on-exec inotify instance.
pub fn inotify_init() -> Result<i32, Errno> {
    // SAFETY: integers only.
    unsafe { raw::sys(libc::SYS_inotify_init1, &[(libc::IN_NONBLOCK | libc::IN_CLOEXEC) as u64]) }.map(|v| v as i32)
}

/// Watches what `path` names (a `/proc/self/fd/N` link names the open
/// file itself) for `mask`; returns the watch descriptor.
pub fn inotify_add_watch(fd: i32, path: &std::ffi::CStr, mask: u32) -> Result<i32, Errno> {
    // SAFETY: path is a live C string.
    unsafe { raw::sys(libc::SYS_inotify_add_watch, &[fd as u64, ptr(path.to_bytes_with_nul()), u64::from(mask)]) }
        .map(|v| v as i32)
}

/// Stops watch `wd`.
pub fn inotify_rm_watch(fd: i32, wd: i32) {
    // SAFETY: integers only.
    let _ = unsafe { raw::sys(libc::SYS_inotify_rm_watch, &[fd as u64, wd as u64]) };
}

/// The events waiting on an inotify instance: (watch, IN_* mask, whether
/// it names an entry). Reads until none are left.
pub fn inotify_events(fd: i32) -> Vec<(i32, u32, bool)> {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        // SAFETY: buf is a writable host buffer of its length.
        let n = match unsafe { raw::sys(libc::SYS_read, &[fd as u64, mut_ptr(&mut buf), buf.len() as u64]) } {
            Ok(n) if n > 0 => n as usize,
            _ => return out,
        };
        let mut at = 0;
        // struct inotify_event { int wd; u32 mask, cookie, len; char name[len]; }
        while at + 16 <= n {
            let word = |o: usize| u32::from_ne_bytes(buf[at + o..at + o + 4].try_into().unwrap_or_default());
            let (wd, mask, len) = (word(0) as i32, word(4), word(12) as usize);
            out.push((wd, mask, len > 0));
            at += 16 + len;
        }
    }
}

/// A non-blocking, close-on-exec eventfd.
pub fn eventfd() -> Result<i32, Errno> {
    // SAFETY: integers only.
    unsafe { raw::sys(libc::SYS_eventfd2, &[0, (libc::EFD_NONBLOCK | libc::EFD_CLOEXEC) as u64]) }.map(|v| v as i32)
}

/// A non-blocking, close-on-exec timerfd on CLOCK_MONOTONIC.
pub fn timerfd() -> Result<i32, Errno> {
    // SAFETY: integers only.
    unsafe {
        raw::sys(
            libc::SYS_timerfd_create,
            &[libc::CLOCK_MONOTONIC as u64, (libc::TFD_NONBLOCK | libc::TFD_CLOEXEC) as u64],
        )
    }
    .map(|v| v as i32)
}

/// `timerfd_settime(tfd, 0, {interval, value})`; a zero value disarms.
pub fn timerfd_set(tfd: i32, interval: libc::timespec, value: libc::timespec) -> Result<(), Errno> {
    let spec = libc::itimerspec { it_interval: interval, it_value: value };
    // SAFETY: spec is a live host itimerspec; the old value is not asked for.
    unsafe { raw::sys(libc::SYS_timerfd_settime, &[tfd as u64, 0, ptr(&spec), 0]) }.map(|_| ())
}

/// `pidfd_open(pid, 0)`.
pub fn pidfd_open(pid: i32) -> Result<i32, Errno> {
    // SAFETY: integers only.
    unsafe { raw::sys(libc::SYS_pidfd_open, &[pid as u64, 0]) }.map(|v| v as i32)
}

/// `FUTEX_WAIT` on a guest word (shared, not private: the guest's futexes
/// may sit in shared mappings) with a relative timeout, or none.
pub fn futex_wait(addr: GuestPtr, expected: u32, timeout: Option<&libc::timespec>) -> Result<(), Errno> {
    let tp = timeout.map_or(0, ptr);
    // SAFETY: the word is guest memory the kernel validates; tp is null or
    // a live host timespec.
    unsafe { raw::sys_blocking(libc::SYS_futex, &[addr.0, libc::FUTEX_WAIT as u64, u64::from(expected), tp]) }
        .map(|_| ())
}

/// `FUTEX_WAKE` on a guest word; returns how many woke.
pub fn futex_wake(addr: GuestPtr, n: i32) -> Result<u64, Errno> {
    // SAFETY: the word is guest memory the kernel validates.
    unsafe { raw::sys(libc::SYS_futex, &[addr.0, libc::FUTEX_WAKE as u64, n as u64]) }
}

/// `FUTEX_WAIT_PRIVATE` on a word of godfly's own, not cancelled by an
/// arrived signal (the waiter loops on the word itself): for threads the
/// debugger holds.
pub fn futex_wait_word(word: &std::sync::atomic::AtomicU32, expected: u32, timeout: Option<std::time::Duration>) {
    let ts = timeout.map(|d| libc::timespec { tv_sec: d.as_secs() as i64, tv_nsec: i64::from(d.subsec_nanos()) });
    let tp = ts.as_ref().map_or(0, ptr);
    // SAFETY: the word is a live atomic of godfly's; tp is null or a live
    // host timespec.
    let _ = unsafe {
        raw::sys(
            libc::SYS_futex,
            &[ptr(word), (libc::FUTEX_WAIT | libc::FUTEX_PRIVATE_FLAG) as u64, u64::from(expected), tp],
        )
    };
}

/// `FUTEX_WAKE_PRIVATE` of every waiter on a word of godfly's own.
pub fn futex_wake_word(word: &std::sync::atomic::AtomicU32) {
    // SAFETY: the word is a live atomic of godfly's.
    let _ = unsafe {
        raw::sys(libc::SYS_futex, &[ptr(word), (libc::FUTEX_WAKE | libc::FUTEX_PRIVATE_FLAG) as u64, i32::MAX as u64])
    };
}
