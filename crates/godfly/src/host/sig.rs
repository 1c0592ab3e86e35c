//! Host signals: dispositions (always installed with the raw
//! `rt_sigaction`, so that `sa_restorer` is godfly's own restorer, the one
//! address range Syscall User Dispatch lets through; glibc would put its
//! own), masks, the alternate stack and waiting.

use std::io;

use super::raw::{self, mut_ptr, ptr};

/// Host signal that wakes a guest thread to look at its pending signals.
pub const CARRIER: i32 = 39;

/// Whether Linux's default action for a host signal is to ignore it
/// (SIGCONT's continuing aside).
pub fn default_ignores(sig: i32) -> bool {
    matches!(sig, libc::SIGCHLD | libc::SIGCONT | libc::SIGURG | libc::SIGWINCH)
}

/// Host signals that are synchronous faults; godfly's handlers stay on them.
pub const FAULT_SIGNALS: [i32; 5] = [libc::SIGSEGV, libc::SIGBUS, libc::SIGFPE, libc::SIGILL, libc::SIGTRAP];

/// The kernel's `struct sigaction` for `rt_sigaction`.
#[repr(C)]
#[derive(Default)]
struct KernelSigaction {
    handler: usize,
    flags: u64,
    restorer: usize,
    mask: u64,
}

const SA_RESTORER: u64 = 0x0400_0000;

/// Sets a host disposition with godfly's restorer.
fn set_action(sig: i32, handler: usize, flags: u64, mask: u64) -> io::Result<()> {
    let act = KernelSigaction { handler, flags: flags | SA_RESTORER, restorer: crate::arch::restorer(), mask };
    // SAFETY: act is a valid kernel sigaction; a handler is SIG_DFL, SIG_IGN
    // or one of the assembly entries in arch, which expect exactly this
    // calling convention on the thread's signal stack.
    unsafe { raw::sys(libc::SYS_rt_sigaction, &[sig as u64, ptr(&act), 0, 8]) }
        .map(|_| ())
        .map_err(|e| io::Error::from_raw_os_error(i32::from(e.get())))
}

/// Installs one of godfly's assembly entries as the handler of `sig`, on
/// the signal stack, with SA_SIGINFO and `extra_flags`.
pub fn install_entry(sig: i32, entry: usize, extra_flags: u64) -> io::Result<()> {
    set_action(sig, entry, libc::SA_SIGINFO as u64 | libc::SA_ONSTACK as u64 | extra_flags, 0)
}

/// Sets a host signal back to its default disposition.
pub fn set_default(sig: i32) {
    let _ = set_action(sig, libc::SIG_DFL, 0, 0);
}

/// Sets a host signal to be ignored.
pub fn set_ignore(sig: i32) {
    let _ = set_action(sig, libc::SIG_IGN, 0, 0);
}

/// Routes a host signal to godfly's asynchronous handler, which hands it
/// to the guest. No SA_RESTART: a blocking host call must return EINTR so
/// the guest's handler can run (the guest's SA_RESTART decides later).
pub fn catch(sig: i32) {
    let _ = install_entry(sig, crate::arch::godfly_async_entry as *const () as usize, 0);
}

/// Whether a host signal is currently ignored.
pub fn is_ignored(sig: i32) -> bool {
    let mut old = KernelSigaction::default();
    // SAFETY: querying only (act is NULL); old is a writable kernel sigaction.
    let r = unsafe { raw::sys(libc::SYS_rt_sigaction, &[sig as u64, 0, mut_ptr(&mut old), 8]) };
    r.is_ok() && old.handler == libc::SIG_IGN
}

fn mask_op(how: i32, set: Option<&libc::sigset_t>) -> libc::sigset_t {
    // SAFETY: sigset_t is plain data; all zeros is the empty set.
    let mut old: libc::sigset_t = unsafe { std::mem::zeroed() };
    let sp = set.map_or(0, ptr);
    // SAFETY: set and old are live host sigsets (8 bytes is the kernel's size).
    let _ = unsafe { raw::sys(libc::SYS_rt_sigprocmask, &[how as u64, sp, mut_ptr(&mut old), 8]) };
    old
}

fn set_of(sigs: impl IntoIterator<Item = i32>) -> libc::sigset_t {
    // SAFETY: sigset manipulation on a local set.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for s in sigs {
            libc::sigaddset(&mut set, s);
        }
        set
    }
}

/// The calling thread's host signal mask, as a list of host signal numbers.
pub fn blocked() -> Vec<i32> {
    let set = mask_op(libc::SIG_BLOCK, None);
    // SAFETY: sigismember reads a valid set.
    (1..=64).filter(|&s| unsafe { libc::sigismember(&set, s) } == 1).collect()
}

/// Sets the calling thread's host signal mask to exactly `sigs`.
pub fn set_blocked(sigs: &[i32]) {
    mask_op(libc::SIG_SETMASK, Some(&set_of(sigs.iter().copied())));
}

/// Unblocks every host signal on the calling thread.
pub fn unblock_all() {
    mask_op(libc::SIG_SETMASK, Some(&set_of([])));
}

/// Unblocks one host signal on the calling thread.
pub fn unblock(sig: i32) {
    mask_op(libc::SIG_UNBLOCK, Some(&set_of([sig])));
}

/// Blocks every host signal on this thread, returning the previous mask.
pub fn block_all() -> libc::sigset_t {
    // SAFETY: sigfillset on a local set.
    let all = unsafe {
        let mut s: libc::sigset_t = std::mem::zeroed();
        libc::sigfillset(&mut s);
        s
    };
    mask_op(libc::SIG_SETMASK, Some(&all))
}

/// Blocks every host signal but the synchronous ones (faults, which must
/// reach godfly's handlers, and SIGSYS) on the calling thread, in addition
/// to what it blocks.
pub fn block_async() {
    let keep = FAULT_SIGNALS.iter().copied().chain([libc::SIGSYS]);
    // SAFETY: sigfillset and sigdelset on a local set.
    let set = unsafe {
        let mut s: libc::sigset_t = std::mem::zeroed();
        libc::sigfillset(&mut s);
        for k in keep {
            libc::sigdelset(&mut s, k);
        }
        s
    };
    mask_op(libc::SIG_BLOCK, Some(&set));
}

/// Discards the instances of `sig` pending for the calling thread (which
/// blocks it).
pub fn drain(sig: i32) {
    let set = set_of([sig]);
    let zero = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: set and zero are live host values; no siginfo is asked for.
    while unsafe { raw::sys(libc::SYS_rt_sigtimedwait, &[ptr(&set), 0, ptr(&zero), 8]) }.is_ok() {}
}

/// Restores a mask saved by `block_all`.
pub fn restore(old: &libc::sigset_t) {
    mask_op(libc::SIG_SETMASK, Some(old));
}

/// Waits, with every host signal unblocked, until one arrives (or
/// `timeout` passes). Called with host signals blocked.
pub fn suspend(timeout: Option<std::time::Duration>) {
    let none = set_of([]);
    match timeout {
        None => {
            // SAFETY: rt_sigsuspend returns after a handler ran; none is a live set.
            let _ = unsafe { raw::sys(libc::SYS_rt_sigsuspend, &[ptr(&none), 8]) };
        }
        Some(t) => {
            let ts = libc::timespec { tv_sec: t.as_secs() as i64, tv_nsec: i64::from(t.subsec_nanos()) };
            // SAFETY: no descriptors; ts and the mask are live host values.
            let _ = unsafe { raw::sys(libc::SYS_ppoll, &[0, 0, ptr(&ts), ptr(&none), 8]) };
        }
    }
}

/// Sets the calling thread's host alternate signal stack.
pub fn set_altstack(base: u64, size: usize) -> io::Result<()> {
    let ss = libc::stack_t { ss_sp: base as *mut _, ss_flags: 0, ss_size: size };
    // SAFETY: ss describes memory the caller owns for the thread's lifetime
    // (its block); the old stack is not asked for.
    unsafe { raw::sys(libc::SYS_sigaltstack, &[ptr(&ss), 0]) }
        .map(|_| ())
        .map_err(|e| io::Error::from_raw_os_error(i32::from(e.get())))
}

/// Turns the calling thread's alternate signal stack off.
pub fn disable_altstack() {
    let ss = libc::stack_t { ss_sp: std::ptr::null_mut(), ss_flags: libc::SS_DISABLE, ss_size: 0 };
    // SAFETY: disabling the alternate stack of this thread.
    let _ = unsafe { raw::sys(libc::SYS_sigaltstack, &[ptr(&ss), 0]) };
}

/// Whether the calling thread runs on its alternate signal stack.
pub fn on_alt_stack() -> bool {
    let mut old = libc::stack_t { ss_sp: std::ptr::null_mut(), ss_flags: 0, ss_size: 0 };
    // SAFETY: querying into a writable host stack_t.
    let r = unsafe { raw::sys(libc::SYS_sigaltstack, &[0, mut_ptr(&mut old)]) };
    r.is_ok() && old.ss_flags & libc::SS_ONSTACK != 0
}

/// `si_addr` of a host siginfo.
pub fn siginfo_addr(info: &libc::siginfo_t) -> u64 {
    // SAFETY: reading the address member of the siginfo union; for signals
    // without one the kernel zero-fills it.
    unsafe { info.si_addr() as u64 }
}

/// `si_pid` of a host siginfo (0 where the signal has none).
pub fn siginfo_pid(info: &libc::siginfo_t) -> i32 {
    // SAFETY: the pid member overlays the kernel's zero-filled union.
    unsafe { info.si_pid() }
}

/// `si_uid` of a host siginfo (0 where the signal has none).
pub fn siginfo_uid(info: &libc::siginfo_t) -> u32 {
    // SAFETY: the uid member overlays the kernel's zero-filled union.
    unsafe { info.si_uid() }
}

/// `si_perf_data` of a host siginfo (a perf event's SIGTRAP: the value the
/// event was opened with).
pub fn siginfo_perf_data(info: &libc::siginfo_t) -> u64 {
    // SAFETY: siginfo_t is 128 plain bytes; si_perf_data is the 8 bytes at
    // offset 24 of a perf SIGTRAP's (zero for other signals).
    let raw: [u8; 128] = unsafe { std::mem::transmute_copy(info) };
    u64::from_le_bytes(raw[24..32].try_into().unwrap_or_default())
}
