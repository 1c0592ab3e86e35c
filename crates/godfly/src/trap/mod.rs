//! The way in from the guest: host signal handlers. SIGSYS from Syscall User
//! Dispatch goes to the dispatcher; faults go to the guest-memory fixups or
//! become guest faults.
//!
//! The assembly entries in `arch` have already restored the host `%fs` and
//! set the selector to ALLOW when these functions run, so ordinary Rust is
//! safe here. Handlers are installed through `host::sig`, which gives them
//! godfly's own restorer, the one address range dispatch lets through.

use std::io;

use crate::arch;
use crate::dispatch::Entry;
use crate::host::sig;
use crate::thread::spawn::current_lwp;

/// `si_code` of a Syscall User Dispatch SIGSYS.
const SYS_USER_DISPATCH: i32 = 2;

/// Installs the SIGSYS and fault handlers (process-wide).
pub fn install() -> io::Result<()> {
    crate::thread::spawn::mark_started();
    sig::install_entry(libc::SIGSYS, arch::godfly_sigsys_entry as *const () as usize, 0)?;
    for s in sig::FAULT_SIGNALS {
        // SA_NODEFER: a fault in a guest-memory copy inside a handler for
        // another fault must still reach the fixup.
        sig::install_entry(s, arch::godfly_fault_entry as *const () as usize, libc::SA_NODEFER as u64)?;
    }
    Ok(())
}

#[unsafe(no_mangle)]
extern "C" fn godfly_on_sigsys(sig: i32, info: *mut libc::siginfo_t, uc: *mut libc::c_void, from_guest: u64) {
    // SAFETY: the kernel passes valid siginfo and ucontext pointers.
    let (info, uc) = unsafe { (&*info, &mut *uc.cast::<libc::ucontext_t>()) };
    // SAFETY: on this thread's signal stack, for the duration of the handler.
    let lwp = unsafe { current_lwp() };
    if info.si_code == SYS_USER_DISPATCH && from_guest == 1 {
        crate::dispatch::dispatch(lwp, uc, Entry::Trap);
    } else if info.si_code == SYS_USER_DISPATCH {
        // A syscall from godfly's own code while the selector blocked it:
        // a godfly bug, never the guest's.
        crate::crash::godfly_bug("system call from godfly code with dispatch blocked", uc);
    } else {
        let rip = uc.uc_mcontext.gregs[libc::REG_RIP as usize] as u64;
        crate::signal::host_signal(lwp, sig, info, uc, in_guest_code(from_guest, rip));
    }
}

/// Whether a signal interrupted guest code: the guest's `%fs` was loaded,
/// and rip is neither in godfly's assembly nor in the vDSO (which only the
/// fast clock calls, with the guest's `%fs`).
fn in_guest_code(from_guest: u64, rip: u64) -> bool {
    from_guest == 1 && !arch::in_godfly_asm(rip) && !crate::host::time::in_vdso(rip)
}

#[unsafe(no_mangle)]
extern "C" fn godfly_on_fastcall(uc: *mut libc::ucontext_t) {
    // SAFETY: the fast entry passes the context it built on this thread's
    // signal stack; it lives until this function returns.
    let uc = unsafe { &mut *uc };
    // SAFETY: on this thread's signal stack, for the duration of the call.
    let lwp = unsafe { current_lwp() };
    // A restart runs the call again from the rewritten site, through its
    // stub (dispatch knows from the entry).
    crate::dispatch::dispatch(lwp, uc, Entry::Fast);
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
        if let Err(fault) = crate::signal::stack_fault(lwp, uc, rsp.wrapping_sub(8)) {
            crate::crash::guest_fatal(lwp, &fault, uc);
        }
    }
    let fault = crate::signal::stack_fatal(uc);
    crate::crash::guest_fatal(lwp, &fault, uc)
}

#[unsafe(no_mangle)]
extern "C" fn godfly_on_fault(sig: i32, info: *mut libc::siginfo_t, uc: *mut libc::c_void, from_guest: u64) {
    // SAFETY: the kernel passes valid siginfo and ucontext pointers.
    let (info, uc) = unsafe { (&*info, &mut *uc.cast::<libc::ucontext_t>()) };
    let rip = uc.uc_mcontext.gregs[libc::REG_RIP as usize] as u64;
    if let Some(fixup) = arch::clock_copy_fixup(rip) {
        // The fast clock's store to a bad guest pointer: the full way
        // answers it (EFAULT, as the guest's kernel does).
        uc.uc_mcontext.gregs[libc::REG_RIP as usize] = fixup as i64;
        return;
    }
    if from_guest == 0 {
        if let Some(fixup) = arch::guest_access_fixup(rip) {
            uc.uc_mcontext.gregs[libc::REG_RIP as usize] = fixup as i64;
            return;
        }
        crate::crash::godfly_bug("fault in godfly", uc);
    }
    // SAFETY: on this thread's signal stack, for the duration of the handler.
    let lwp = unsafe { current_lwp() };
    if let Err(fault) = crate::signal::guest_fault(lwp, sig, info, uc) {
        crate::crash::guest_fatal(lwp, &fault, uc);
    }
}

#[unsafe(no_mangle)]
extern "C" fn godfly_on_async(sig: i32, info: *mut libc::siginfo_t, uc: *mut libc::c_void, from_guest: u64) {
    // SAFETY: the kernel passes valid siginfo and ucontext pointers.
    let (info, uc) = unsafe { (&*info, &mut *uc.cast::<libc::ucontext_t>()) };
    // SAFETY: on this thread's signal stack, for the duration of the handler.
    let lwp = unsafe { current_lwp() };
    let rip = uc.uc_mcontext.gregs[libc::REG_RIP as usize] as u64;
    let in_guest = in_guest_code(from_guest, rip);
    crate::signal::host_signal(lwp, sig, info, uc, in_guest);
    if !in_guest && let Some(cancel) = arch::cp_cancel_point(rip) {
        // About to block with this signal untaken: return EINTR instead.
        uc.uc_mcontext.gregs[libc::REG_RIP as usize] = cancel as i64;
    }
}
