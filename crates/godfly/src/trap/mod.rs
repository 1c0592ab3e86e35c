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
use crate::thread::park;
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
    // The debugger's and the core dump's stop: never a guest signal.
    // SA_RESTART: a host call it interrupts goes on (it never means EINTR).
    sig::install_entry(park::STOP_SIGNAL, arch::godfly_async_entry as *const () as usize, libc::SA_RESTART as u64)?;
    Ok(())
}

#[unsafe(no_mangle)]
extern "C" fn godfly_on_sigsys(sig: i32, info: *mut libc::siginfo_t, uc: *mut libc::c_void, from_guest: u64) {
    // SAFETY: the kernel passes valid siginfo and ucontext pointers.
    let (info, uc) = unsafe { (&*info, &mut *uc.cast::<libc::ucontext_t>()) };
    // SAFETY: on this thread's signal stack, for the duration of the handler.
    let lwp = unsafe { current_lwp() };
    if info.si_code == SYS_USER_DISPATCH && from_guest == 1 {
        crate::debug::enter_call(lwp, uc);
        crate::dispatch::dispatch(lwp, uc, Entry::Trap);
        // A signal from here to the sigreturn would wait for the thread's
        // next system call: hold them in the kernel until the sigreturn
        // (which restores the guest's host mask, and they arrive at once in
        // guest code), and take any that came since the dispatcher looked.
        sig::block_async();
        crate::signal::take_arrived(lwp);
        if crate::signal::has_deliverable(lwp) {
            crate::signal::deliver_pending(lwp, uc);
        }
        if let Some(s) = crate::debug::leave_call(lwp, uc) {
            give(lwp, uc, s);
        }
    } else if info.si_code == SYS_USER_DISPATCH {
        // A syscall from godfly's own code while the selector blocked it:
        // a godfly bug, never the guest's.
        crate::crash::godfly_bug("system call from godfly code with dispatch blocked", uc);
    } else {
        let in_guest = settle(from_guest, uc);
        crate::signal::host_signal(lwp, sig, info, uc, in_guest);
    }
}

/// Whether a signal interrupted guest code: the guest's `%fs` was loaded,
/// and rip is neither in godfly's assembly nor in the vDSO (which only the
/// fast clock calls, with the guest's `%fs`).
fn in_guest_code(from_guest: u64, rip: u64) -> bool {
    from_guest == 1 && !arch::in_godfly_asm(rip) && !crate::host::time::in_vdso(rip)
}

/// For an asynchronous signal: whether it interrupted guest code, after
/// finishing a fast-path exit it landed in (`arch::exit_fix`): one that
/// can run again from its check is sent back there (which takes the
/// signal before the guest runs); one with only the return left is
/// completed here, and the signal is the guest's now.
fn settle(from_guest: u64, uc: &mut libc::ucontext_t) -> bool {
    let g = &mut uc.uc_mcontext.gregs;
    let (rip, rsp) = (g[libc::REG_RIP as usize] as u64, g[libc::REG_RSP as usize] as u64);
    let word = |at: u64| crate::mem::read::<u64>(at).ok();
    let done = match arch::exit_fix(rip) {
        None => return in_guest_code(from_guest, rip),
        Some(arch::ExitFix::Again(check)) => {
            g[libc::REG_RIP as usize] = check as i64;
            return false;
        }
        Some(arch::ExitFix::PopReturn) => {
            word(rsp).zip(word(rsp.wrapping_add(8))).map(|(rax, to)| (Some(rax), to, rsp.wrapping_add(16)))
        }
        Some(arch::ExitFix::Return) => word(rsp).map(|to| (None, to, rsp.wrapping_add(8))),
        Some(arch::ExitFix::ReturnBelow) => word(rsp.wrapping_sub(8)).map(|to| (None, to, rsp)),
    };
    // An unreadable guest stack (unmapped meanwhile by another thread):
    // the signal waits, as for any godfly code.
    let Some((rax, to, sp)) = done else { return false };
    if let Some(rax) = rax {
        g[libc::REG_RAX as usize] = rax as i64;
    }
    g[libc::REG_RIP as usize] = to as i64;
    g[libc::REG_RSP as usize] = sp as i64;
    true
}

#[unsafe(no_mangle)]
extern "C" fn godfly_on_fastcall(uc: *mut libc::ucontext_t) {
    // SAFETY: the fast entry passes the context it built on this thread's
    // signal stack; it lives until this function returns.
    let uc = unsafe { &mut *uc };
    // SAFETY: on this thread's signal stack, for the duration of the call.
    let lwp = unsafe { current_lwp() };
    crate::debug::enter_call(lwp, uc);
    // A restart runs the call again from the rewritten site, through its
    // stub (dispatch knows from the entry).
    crate::dispatch::dispatch(lwp, uc, Entry::Fast);
    finish_fastcall(lwp, uc);
}

/// A signal noted after the dispatcher's last look at a fast-path call (or
/// one a rewound exit found): taken before the guest runs again.
#[unsafe(no_mangle)]
extern "C" fn godfly_on_fastcall_signals(uc: *mut libc::ucontext_t) {
    // SAFETY: the fast exit passes the context the entry built on this
    // thread's signal stack; it lives until this function returns.
    let uc = unsafe { &mut *uc };
    // SAFETY: on this thread's signal stack, for the duration of the call.
    let lwp = unsafe { current_lwp() };
    crate::signal::take_arrived(lwp);
    if crate::signal::has_deliverable(lwp) {
        crate::signal::deliver_pending(lwp, uc);
    }
    finish_fastcall(lwp, uc);
}

/// Puts rax and rip where the fast exit returns from.
fn finish_fastcall(lwp: &mut crate::thread::Lwp, uc: &mut libc::ucontext_t) {
    if let Some(s) = crate::debug::leave_call(lwp, uc) {
        give(lwp, uc, s);
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
        if let Err(fault) = crate::signal::stack_fault(lwp, uc, rsp.wrapping_sub(8)) {
            crate::crash::guest_fatal(lwp, &fault, uc);
        }
    }
    let fault = crate::signal::stack_fatal(uc);
    crate::crash::guest_fatal(lwp, &fault, uc)
}

/// A signal gdb gave a thread it resumed: delivered now.
fn give(lwp: &mut crate::thread::Lwp, uc: &mut libc::ucontext_t, sig: u32) {
    crate::signal::deliver_given(lwp, uc, sig);
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
        if sig == libc::SIGTRAP && info.si_code == crate::host::perf::TRAP_PERF {
            // A gdb watchpoint that godfly's own copy to guest memory hit:
            // the write goes on, gdb hears of it when the call ends.
            // SAFETY: on this thread's signal stack, for the duration of the handler.
            let lwp = unsafe { current_lwp() };
            crate::debug::watch_hit_in_godfly(lwp, sig::siginfo_perf_data(info));
            return;
        }
        crate::crash::godfly_bug("fault in godfly", uc);
    }
    // SAFETY: on this thread's signal stack, for the duration of the handler.
    let lwp = unsafe { current_lwp() };
    if sig == libc::SIGTRAP && !arch::in_godfly_asm(rip) {
        // gdb's breakpoints and steps come first.
        let data = sig::siginfo_perf_data(info);
        if let crate::debug::Trap::Handled(give_sig) = crate::debug::on_trap(lwp, info.si_code, data, uc) {
            if let Some(s) = give_sig {
                give(lwp, uc, s);
            }
            return;
        }
    }
    if let Err(fault) = crate::signal::guest_fault(lwp, sig, info, uc) {
        if crate::debug::on_fatal(lwp, uc, fault.sig) {
            // gdb let it go on without the signal: the instruction runs again.
            return;
        }
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
    let in_guest = settle(from_guest, uc);
    if sig == park::STOP_SIGNAL {
        // Never the guest's, never an EINTR: the thread parks if it was in
        // guest code (elsewhere it stops at its call's end or is sent the
        // signal again).
        let given = crate::debug::on_stop_signal(lwp, uc, in_guest);
        if in_guest {
            crate::signal::take_arrived(lwp);
            crate::signal::deliver_pending(lwp, uc);
            if let Some(s) = given {
                give(lwp, uc, s);
            }
        }
        return;
    }
    crate::signal::host_signal(lwp, sig, info, uc, in_guest);
    if !in_guest && let Some(cancel) = arch::cp_cancel_point(rip) {
        // About to block with this signal untaken: return EINTR instead.
        uc.uc_mcontext.gregs[libc::REG_RIP as usize] = cancel as i64;
    }
}
