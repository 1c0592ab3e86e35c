//! The way in from the guest: host signal handlers. SIGSYS from Syscall User
//! Dispatch goes to the dispatcher; faults go to the guest-memory fixups or
//! become guest faults.
//!
//! The assembly entries in `arch` have already restored the host `%fs` and
//! set the selector to ALLOW when these functions run, so ordinary Rust is
//! safe here. Handlers are installed with the raw `rt_sigaction` so that
//! `sa_restorer` is godfly's own restorer, the one address range dispatch
//! lets through (glibc would substitute its own).

use std::io;

use crate::arch::{self, BLOCK_SIZE, ThreadBlock};
use crate::thread::Lwp;

/// `si_code` of a Syscall User Dispatch SIGSYS.
const SYS_USER_DISPATCH: i32 = 2;

/// The kernel's `struct sigaction` for `rt_sigaction`.
#[repr(C)]
struct KernelSigaction {
    handler: usize,
    flags: u64,
    restorer: usize,
    mask: u64,
}

const SA_RESTORER: u64 = 0x0400_0000;

/// Sets a host disposition with the raw `rt_sigaction`, always with
/// godfly's restorer.
fn set_host_action(sig: i32, handler: usize, flags: u64, mask: u64) -> io::Result<()> {
    let act = KernelSigaction { handler, flags: flags | SA_RESTORER, restorer: arch::restorer(), mask };
    // SAFETY: act is a valid kernel sigaction; a handler is one of the
    // assembly entries in arch, which expect exactly this calling convention.
    let r = unsafe { libc::syscall(libc::SYS_rt_sigaction, sig, &act, std::ptr::null_mut::<u8>(), 8usize) };
    if r != 0 { Err(io::Error::last_os_error()) } else { Ok(()) }
}

/// Installs a host handler with godfly's restorer.
pub fn install_host_handler(sig: i32, entry: usize, mask: u64, extra_flags: u64) -> io::Result<()> {
    set_host_action(sig, entry, libc::SA_SIGINFO as u64 | libc::SA_ONSTACK as u64 | extra_flags, mask)
}

/// Sets a host signal back to its default disposition.
pub fn reset_host_handler(sig: i32) {
    let _ = set_host_action(sig, libc::SIG_DFL, 0, 0);
}

/// Sets a host signal to be ignored.
pub fn ignore_host(sig: i32) {
    let _ = set_host_action(sig, libc::SIG_IGN, 0, 0);
}

/// Routes a host signal to godfly's asynchronous handler, which hands it
/// to the guest. No SA_RESTART: a blocking host call must return EINTR so
/// the guest's handler can run (the guest's SA_RESTART decides later).
pub fn catch_host(sig: i32) {
    let _ = install_host_handler(sig, arch::godfly_async_entry as *const () as usize, 0, 0);
}

/// Host signals that are synchronous faults.
pub const FAULT_SIGNALS: [i32; 5] = [libc::SIGSEGV, libc::SIGBUS, libc::SIGFPE, libc::SIGILL, libc::SIGTRAP];

static INSTALLED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Installs the SIGSYS and fault handlers (process-wide).
pub fn install() -> io::Result<()> {
    INSTALLED.store(true, std::sync::atomic::Ordering::SeqCst);
    install_host_handler(libc::SIGSYS, arch::godfly_sigsys_entry as *const () as usize, 0, 0)?;
    for sig in FAULT_SIGNALS {
        // SA_NODEFER: a fault in a guest-memory copy inside a handler for
        // another fault must still reach the fixup.
        install_host_handler(sig, arch::godfly_fault_entry as *const () as usize, 0, libc::SA_NODEFER as u64)?;
    }
    Ok(())
}

/// The block of the calling thread, found from the signal-stack address.
fn current_block() -> *mut ThreadBlock {
    let marker = 0u8;
    ((&raw const marker as usize) & !(BLOCK_SIZE - 1)) as *mut ThreadBlock
}

/// The calling thread's `Lwp`.
///
/// # Safety
/// Must run on a guest thread's signal stack; the result must not outlive
/// the handler invocation.
unsafe fn current_lwp<'a>() -> &'a mut Lwp {
    let block = current_block();
    // SAFETY: every thread that can take these signals has a block whose
    // lwp field points at its own Lwp (set up before handlers can run).
    unsafe { &mut *(*block).lwp.cast::<Lwp>() }
}

/// The calling thread's `Lwp` when it runs on a guest thread's signal
/// stack (inside a handler), for internal-error reports; `None` anywhere
/// else. Only a thread running on its alternate stack has a block below
/// its stack pointer; the header is still read with the fault-safe copy.
pub fn current_lwp_if_guest_thread() -> Option<&'static Lwp> {
    if !INSTALLED.load(std::sync::atomic::Ordering::SeqCst) || !crate::host::on_alt_stack() {
        return None;
    }
    let block = current_block() as u64;
    let magic: u64 = crate::mem::read(block + std::mem::offset_of!(ThreadBlock, magic) as u64).ok()?;
    let lwp: u64 = crate::mem::read(block + std::mem::offset_of!(ThreadBlock, lwp) as u64).ok()?;
    if magic != arch::BLOCK_MAGIC || lwp == 0 {
        return None;
    }
    // SAFETY: an initialised block's lwp field points at the thread's own
    // Lwp, which lives as long as the thread; the caller only reads it
    // while ending the process.
    Some(unsafe { &*(lwp as *const Lwp) })
}

#[unsafe(no_mangle)]
extern "C" fn godfly_on_sigsys(sig: i32, info: *mut libc::siginfo_t, uc: *mut libc::c_void, from_guest: u64) {
    // SAFETY: the kernel passes valid siginfo and ucontext pointers.
    let (info, uc) = unsafe { (&*info, &mut *uc.cast::<libc::ucontext_t>()) };
    // SAFETY: on this thread's signal stack, for the duration of the handler.
    let lwp = unsafe { current_lwp() };
    if info.si_code == SYS_USER_DISPATCH && from_guest == 1 {
        crate::dispatch::dispatch(lwp, uc);
    } else if info.si_code == SYS_USER_DISPATCH {
        // A syscall from godfly's own code while the selector blocked it:
        // a godfly bug, never the guest's.
        crate::crash::godfly_bug("system call from godfly code with dispatch blocked", uc);
    } else {
        let rip = uc.uc_mcontext.gregs[libc::REG_RIP as usize] as u64;
        let in_guest = from_guest == 1 && !arch::in_godfly_asm(rip);
        crate::signal::host_signal(lwp, sig, info, uc, in_guest);
    }
}

#[unsafe(no_mangle)]
extern "C" fn godfly_on_fastcall(uc: *mut libc::ucontext_t) {
    // SAFETY: the fast entry passes the context it built on this thread's
    // signal stack; it lives until this function returns.
    let uc = unsafe { &mut *uc };
    // SAFETY: on this thread's signal stack, for the duration of the call.
    let lwp = unsafe { current_lwp() };
    let after = uc.uc_mcontext.gregs[libc::REG_RIP as usize];
    crate::dispatch::dispatch(lwp, uc);
    // A restart rewinds rip by the length of `syscall`; here the call must
    // run again from the rewritten site, through its stub.
    if uc.uc_mcontext.gregs[libc::REG_RIP as usize] == after - 2
        && let Some(site) = crate::loader::fastpath::site_of_after(after as u64)
    {
        uc.uc_mcontext.gregs[libc::REG_RIP as usize] = site as i64;
    }
    // The way back is `pop rax; ret` from just below the guest's rsp. A
    // sigreturn may have set rsp to memory that is not there: then the
    // guest faults as its next push would (found by the guest-side fuzz,
    // where godfly's own store used to fault).
    for _ in 0..2 {
        let g = &uc.uc_mcontext.gregs;
        let (rsp, rip, rax) =
            (g[libc::REG_RSP as usize] as u64, g[libc::REG_RIP as usize] as u64, g[libc::REG_RAX as usize] as u64);
        let below = rsp.wrapping_sub(16);
        if crate::mem::write(below, &[rax, rip]).is_ok() {
            return;
        }
        crate::signal::stack_fault(lwp, uc, rsp.wrapping_sub(8));
    }
    crate::signal::stack_fatal(lwp, uc);
}

#[unsafe(no_mangle)]
extern "C" fn godfly_on_fault(sig: i32, info: *mut libc::siginfo_t, uc: *mut libc::c_void, from_guest: u64) {
    // SAFETY: the kernel passes valid siginfo and ucontext pointers.
    let (info, uc) = unsafe { (&*info, &mut *uc.cast::<libc::ucontext_t>()) };
    let rip = uc.uc_mcontext.gregs[libc::REG_RIP as usize] as u64;
    if from_guest == 0 {
        if let Some(fixup) = arch::guest_access_fixup(rip) {
            uc.uc_mcontext.gregs[libc::REG_RIP as usize] = fixup as i64;
            return;
        }
        crate::crash::godfly_bug("fault in godfly", uc);
    }
    // SAFETY: on this thread's signal stack, for the duration of the handler.
    let lwp = unsafe { current_lwp() };
    crate::signal::guest_fault(lwp, sig, info, uc);
}

#[unsafe(no_mangle)]
extern "C" fn godfly_on_async(sig: i32, info: *mut libc::siginfo_t, uc: *mut libc::c_void, from_guest: u64) {
    // SAFETY: the kernel passes valid siginfo and ucontext pointers.
    let (info, uc) = unsafe { (&*info, &mut *uc.cast::<libc::ucontext_t>()) };
    // SAFETY: on this thread's signal stack, for the duration of the handler.
    let lwp = unsafe { current_lwp() };
    let rip = uc.uc_mcontext.gregs[libc::REG_RIP as usize] as u64;
    let in_guest = from_guest == 1 && !arch::in_godfly_asm(rip);
    crate::signal::host_signal(lwp, sig, info, uc, in_guest);
}
