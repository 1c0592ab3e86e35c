//! godfly's own output and descriptors: the saved standard error its
//! reports go to, and the descriptors it holds for itself inside the
//! guest's descriptor space (eventfds and timerfds behind kqueues, the
//! trace output), which `closefrom` skips and a forked child sorts out.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicI32, Ordering};

use super::Errno;
use super::raw;
use crate::sync::Global;

/// Writes all of `data` to a host descriptor, retrying short writes and
/// EINTR; errors are dropped (used for last-words reports).
pub fn write_all(fd: i32, mut data: &[u8]) {
    while !data.is_empty() {
        // SAFETY: data is a live host slice of the given length.
        match unsafe { raw::sys(libc::SYS_write, &[fd as u64, raw::ptr(data), data.len() as u64]) } {
            Ok(0) => return,
            Ok(n) => data = &data[(n as usize).min(data.len())..],
            Err(e) if e == super::errno::EINTR => {}
            Err(_) => return,
        }
    }
}

/// Descriptors godfly holds for itself inside the guest's descriptor space.
static INTERNAL_FDS: Global<BTreeSet<i32>> = Global::new(10, BTreeSet::new());

/// The internal descriptors a forked child keeps (the trace output, the
/// saved standard error); the others belong to the parent's kqueues.
static KEPT_ACROSS_FORK: Global<BTreeSet<i32>> = Global::new(11, BTreeSet::new());

fn internal() -> std::sync::MutexGuard<'static, BTreeSet<i32>> {
    INTERNAL_FDS.lock()
}

/// Marks a descriptor as godfly's own.
pub fn add_internal_fd(fd: i32) {
    internal().insert(fd);
}

/// Marks a descriptor as godfly's own, kept by forked children too.
pub fn add_lasting_fd(fd: i32) {
    add_internal_fd(fd);
    KEPT_ACROSS_FORK.lock().insert(fd);
}

/// Forgets a descriptor of godfly's own (before closing it).
pub fn remove_internal_fd(fd: i32) {
    internal().remove(&fd);
}

/// godfly's own descriptors at or above `low`, in order.
pub fn internal_fds_from(low: i32) -> Vec<i32> {
    internal().range(low..).copied().collect()
}

/// In a forked child: closes godfly's helper descriptors, which belonged to
/// the parent's kqueues.
pub fn close_internal_after_fork() {
    let kept = KEPT_ACROSS_FORK.lock().clone();
    let mut guard = internal();
    for fd in std::mem::take(&mut *guard) {
        if kept.contains(&fd) {
            guard.insert(fd);
        } else {
            super::fd::close(fd).ok();
        }
    }
}

/// Closes a descriptor of godfly's own.
pub fn close_internal(fd: i32) {
    remove_internal_fd(fd);
    let _ = super::fd::close(fd);
}

/// Where godfly's own last words go: a copy of standard error made at
/// start-up, so a guest that closed or moved its fd 2 cannot silence an
/// internal-error report. Falls back to fd 2.
static REPORT_FD: AtomicI32 = AtomicI32::new(2);

/// Copies standard error to a descriptor of godfly's own (once, at start).
pub fn save_stderr() {
    if let Ok(fd) = super::fd::dupfd_cloexec(2, 910) {
        add_lasting_fd(fd);
        REPORT_FD.store(fd, Ordering::Relaxed);
    }
}

/// The descriptor for godfly's own reports.
pub fn report_fd() -> i32 {
    REPORT_FD.load(Ordering::Relaxed)
}

/// Writes text of godfly's own (a diagnostic line, a crash report) to the
/// saved standard error. Never panics, unlike `eprintln!`: the guest may
/// have closed fd 2 or put an epoll descriptor there (found by the
/// guest-side fuzz).
pub fn diag_text(text: &str) {
    write_all(report_fd(), text.as_bytes());
}

/// A host file godfly writes its own output to (the trace sink), moved to
/// `min_fd` or above and kept across fork.
pub fn own_file(fd: i32, min_fd: i32) -> Result<(std::fs::File, i32), Errno> {
    let high = super::fd::dupfd(fd, min_fd)?;
    if high != fd && fd > 2 {
        let _ = super::fd::close(fd);
    }
    add_lasting_fd(high);
    // SAFETY: `high` is a descriptor this process just created and owns.
    let file = unsafe { <std::fs::File as std::os::fd::FromRawFd>::from_raw_fd(high) };
    Ok((file, high))
}

/// `eprintln!` for godfly's own diagnostics while a guest runs.
#[macro_export]
macro_rules! diag {
    ($($t:tt)*) => {
        $crate::host::out::diag_text(&format!("{}\n", format_args!($($t)*)))
    };
}

/// Moves a descriptor godfly made for itself to `min_fd` or above, closed
/// on exec and not kept by a forked child, and marks it godfly's own.
pub fn own_fd(fd: i32, min_fd: i32) -> Result<i32, Errno> {
    let high = super::fd::dupfd_cloexec(fd, min_fd)?;
    let _ = super::fd::close(fd);
    add_internal_fd(high);
    Ok(high)
}

/// [`own_fd`] for a descriptor Rust owns (a socket, a file).
pub fn own_descriptor(fd: std::os::fd::OwnedFd, min_fd: i32) -> Result<std::os::fd::OwnedFd, Errno> {
    use std::os::fd::{AsRawFd, FromRawFd};
    let high = super::fd::dupfd_cloexec(fd.as_raw_fd(), min_fd)?;
    drop(fd);
    add_internal_fd(high);
    // SAFETY: `high` was just created by this process and nothing else owns it.
    Ok(unsafe { std::os::fd::OwnedFd::from_raw_fd(high) })
}

/// Moves `fd` to a descriptor at or above 900 that stays open across exec
/// (for the trace output `godfly shell` hands down), closing the original
/// if it was not a standard stream.
pub fn keep_for_children(fd: i32) -> Result<i32, Errno> {
    let high = super::fd::fcntl_int(fd, libc::F_DUPFD, 900)? as i32;
    if high != fd && fd > 2 {
        let _ = super::fd::close(fd);
    }
    Ok(high)
}
