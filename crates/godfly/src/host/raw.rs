//! The one way godfly makes a raw Linux system call. Every typed wrapper
//! in `host` goes through `syscall`; nothing outside `host` can, so the
//! `forbid(unsafe_code)` of the layers above means what it says.

use super::errno::Errno;

/// A raw Linux system call with up to six arguments, its failure decoded
/// from the kernel's `-errno` return.
///
/// # Safety
/// Every pointer argument must be valid for what the call does with it:
/// host memory of the right size and mutability, or a guest address,
/// which the kernel validates (EFAULT) and Rust never references. The
/// call must not otherwise change memory or state that Rust relies on.
pub unsafe fn syscall(nr: i64, a: [u64; 6]) -> Result<u64, Errno> {
    // SAFETY: the caller vouches for the arguments. The `syscall` is
    // arch's, in the range Syscall User Dispatch always allows.
    let r = unsafe { crate::arch::host_syscall(nr, &a) };
    if (-4095..0).contains(&r) { Err(Errno::from_linux(-r as i32)) } else { Ok(r as u64) }
}

/// `syscall` with fewer arguments, zero-padded.
///
/// # Safety
/// As for [`syscall`].
pub unsafe fn sys(nr: i64, args: &[u64]) -> Result<u64, Errno> {
    let mut a = [0u64; 6];
    a[..args.len()].copy_from_slice(args);
    // SAFETY: forwarded from the caller.
    unsafe { syscall(nr, a) }
}

thread_local! {
    /// The calling guest thread's arrived-signals word (`Lwp::arrived`),
    /// which makes its blocking calls cancellable; null on godfly's own
    /// threads. Per thread, so a forked child has the forking thread's.
    static INTERRUPT: std::cell::Cell<*const u64> = const { std::cell::Cell::new(std::ptr::null()) };
}

/// Makes the calling thread's blocking calls ([`sys_blocking`]) return
/// EINTR when `flag` is non-zero, or not (null).
///
/// # Safety
/// `flag` must stay valid until the thread sets another or ends.
pub unsafe fn set_interrupt_flag(flag: *const u64) {
    INTERRUPT.with(|c| c.set(flag));
}

/// [`sys`] for a call that may block: on a guest thread it is not made (or
/// the wait is cut short) when a signal has arrived that godfly has not
/// taken yet, so that no signal waits for the call to end.
///
/// # Safety
/// As for [`syscall`].
pub unsafe fn sys_blocking(nr: i64, args: &[u64]) -> Result<u64, Errno> {
    let flag = INTERRUPT.with(std::cell::Cell::get);
    if flag.is_null() {
        // SAFETY: forwarded from the caller.
        return unsafe { sys(nr, args) };
    }
    let mut a = [0u64; 6];
    a[..args.len()].copy_from_slice(args);
    // SAFETY: forwarded from the caller; the flag is live (set_interrupt_flag).
    let r = unsafe { crate::arch::syscall_cp(flag, nr, &a) };
    if (-4095..0).contains(&r) { Err(Errno::from_linux(-r as i32)) } else { Ok(r as u64) }
}

/// [`sys_blocking`] when `blocks` (the call may wait), else [`sys`]: a
/// call that returns at once must not fail with EINTR for a signal.
///
/// # Safety
/// As for [`syscall`].
pub unsafe fn sys_if_blocking(blocks: bool, nr: i64, args: &[u64]) -> Result<u64, Errno> {
    // SAFETY: forwarded from the caller.
    unsafe { if blocks { sys_blocking(nr, args) } else { sys(nr, args) } }
}

/// Whether a wait with this timeout may block (any but zero).
pub fn waits(timeout: Option<&libc::timespec>) -> bool {
    timeout.is_none_or(|t| t.tv_sec != 0 || t.tv_nsec != 0)
}

/// Address of a host value, for a pointer argument.
pub fn ptr<T: ?Sized>(v: &T) -> u64 {
    std::ptr::from_ref(v).cast::<u8>() as u64
}

/// Address of a writable host value, for a pointer argument.
pub fn mut_ptr<T: ?Sized>(v: &mut T) -> u64 {
    std::ptr::from_mut(v).cast::<u8>() as u64
}
