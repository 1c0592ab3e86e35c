//! Starting and ending host threads that run guest code. Each one gets its
//! block and signal stack, its Syscall User Dispatch selector and its
//! signal mask before its first guest instruction (Linux does not inherit
//! Syscall User Dispatch across `clone`).

use godfly_abi::errno::{EAGAIN, Errno};
use godfly_abi::layout::{Sigset, StackT, TlsInfo};

use super::{Lwp, LwpInfo};
use crate::arch::{self, BLOCK_GUARD, BLOCK_HEADER, BLOCK_MAGIC, BLOCK_SIZE, EntryRegs, SELECTOR_ALLOW, ThreadBlock};

const PR_SET_SYSCALL_USER_DISPATCH: i32 = 59;
const PR_SYS_DISPATCH_OFF: u64 = 0;
const PR_SYS_DISPATCH_ON: u64 = 1;

/// Host stack size of a guest thread's host side (the guest runs on its own
/// stack and godfly's handlers on the signal stack).
const HOST_STACK: usize = 256 * 1024;

/// Why a thread could not be prepared for guest code.
#[derive(Debug)]
pub enum SetupError {
    /// mmap of the block failed.
    Memory(std::io::Error),
    /// sigaltstack failed.
    AltStack(std::io::Error),
    /// The kernel refused Syscall User Dispatch.
    Dispatch(std::io::Error),
}

impl std::fmt::Display for SetupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SetupError::Memory(e) => write!(f, "cannot allocate a thread signal stack: {e}"),
            SetupError::AltStack(e) => write!(f, "sigaltstack failed: {e}"),
            SetupError::Dispatch(e) => write!(
                f,
                "this kernel refused Syscall User Dispatch ({e}); godfly needs Linux 5.11 or later with CONFIG_GENERIC_ENTRY"
            ),
        }
    }
}

/// Maps a `BLOCK_SIZE`-aligned region with a guard page after the header.
fn alloc_block() -> Result<*mut ThreadBlock, SetupError> {
    // SAFETY: anonymous mapping with no address hint; checked below.
    let raw = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            2 * BLOCK_SIZE,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
            -1,
            0,
        )
    };
    if raw == libc::MAP_FAILED {
        return Err(SetupError::Memory(std::io::Error::last_os_error()));
    }
    let raw = raw as usize;
    let base = (raw + BLOCK_SIZE - 1) & !(BLOCK_SIZE - 1);
    // SAFETY: trimming the parts of our own fresh mapping outside [base, base+BLOCK_SIZE).
    unsafe {
        if base > raw {
            libc::munmap(raw as *mut _, base - raw);
        }
        let end = base + BLOCK_SIZE;
        if raw + 2 * BLOCK_SIZE > end {
            libc::munmap(end as *mut _, raw + 2 * BLOCK_SIZE - end);
        }
        libc::mprotect((base + BLOCK_HEADER) as *mut _, BLOCK_GUARD, libc::PROT_NONE);
    }
    Ok(base as *mut ThreadBlock)
}

fn free_block(block: *mut ThreadBlock) {
    // SAFETY: the block was mapped by alloc_block and is no longer in use.
    unsafe { libc::munmap(block.cast(), BLOCK_SIZE) };
}

/// A host thread prepared to run guest code; only `setup_current` makes one.
#[derive(Debug)]
pub struct GuestThread {
    block: *mut ThreadBlock,
}

/// Prepares the calling host thread to run guest code: block, signal stack,
/// dispatch armed with the selector at ALLOW. The caller's `Lwp` is boxed
/// into the block.
pub fn setup_current(tid: i32, guest_fs: u64, sigmask: Sigset, is_main: bool) -> Result<GuestThread, SetupError> {
    let block = alloc_block()?;
    let host_tid = super::gettid();
    let pending = std::sync::Arc::new(crate::signal::PendingSet::default());
    let lwp = Box::new(Lwp {
        tid,
        host_tid,
        block,
        sigmask,
        altstack: StackT { ss_flags: godfly_abi::consts::SS_DISABLE, ..StackT::default() },
        is_main,
        tls: [TlsInfo { base: guest_fs, size: 0 }, TlsInfo::default()],
        pending: pending.clone(),
        arrived: std::sync::atomic::AtomicU64::new(0),
        arrived_info: [const { std::sync::atomic::AtomicU64::new(0) }; 65],
        traceme: false,
        recent: [None; crate::trace::RECENT],
        recent_next: 0,
    });
    // SAFETY: block points at a fresh, writable, exclusively owned header page.
    unsafe {
        block.write(ThreadBlock {
            host_fs: arch::read_fs(),
            guest_fs,
            selector: SELECTOR_ALLOW,
            pad: [0; 7],
            host_rsp: 0,
            lwp: Box::into_raw(lwp).cast(),
            magic: BLOCK_MAGIC,
            fast_rip: 0,
            fast_rsp: 0,
        });
    }
    let ss = libc::stack_t {
        ss_sp: (block as usize + BLOCK_HEADER + BLOCK_GUARD) as *mut _,
        ss_flags: 0,
        ss_size: BLOCK_SIZE - BLOCK_HEADER - BLOCK_GUARD,
    };
    // SAFETY: ss describes memory owned by this thread for its lifetime.
    if unsafe { libc::sigaltstack(&ss, std::ptr::null_mut()) } != 0 {
        let e = std::io::Error::last_os_error();
        release_current(block);
        return Err(SetupError::AltStack(e));
    }
    if let Err(e) = arm_dispatch(block) {
        release_current(block);
        return Err(SetupError::Dispatch(e));
    }
    // The fast path finds the block through %gs (godfly's own use of it).
    if crate::host::set_gs_base(block as u64).is_err() {
        release_current(block);
        return Err(SetupError::Dispatch(std::io::Error::other("cannot set the %gs base")));
    }
    super::register(tid, LwpInfo { host_tid, pending });
    Ok(GuestThread { block })
}

/// Arms Syscall User Dispatch for the calling thread with its block's selector.
fn arm_dispatch(block: *mut ThreadBlock) -> std::io::Result<()> {
    let (start, len) = arch::restorer_range();
    // SAFETY: the selector lives in the block, which outlives dispatch on this thread.
    let r = unsafe {
        libc::prctl(
            PR_SET_SYSCALL_USER_DISPATCH,
            PR_SYS_DISPATCH_ON,
            start as u64,
            len as u64,
            &raw mut (*block).selector,
        )
    };
    if r != 0 { Err(std::io::Error::last_os_error()) } else { Ok(()) }
}

/// Turns Syscall User Dispatch off for the calling thread (before `execve`).
pub fn disarm_dispatch() {
    // SAFETY: only changes this thread's dispatch setting.
    unsafe { libc::prctl(PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_OFF, 0u64, 0u64, 0u64) };
}

/// Arms dispatch again for the calling LWP (after a failed `execve`, or in
/// a forked child, which does not inherit it).
pub fn rearm_dispatch(lwp: &Lwp) -> std::io::Result<()> {
    arm_dispatch(lwp.block)
}

/// Undoes `setup_current` after the thread has left guest code for good.
fn release_current(block: *mut ThreadBlock) {
    // A thread without its block must not take a signal: the handlers find
    // their state from the signal stack, which is about to go.
    crate::host::block_all_signals();
    // SAFETY: turning dispatch off and the alternate stack off only affect
    // this thread; the Lwp box was created by setup_current.
    unsafe {
        libc::prctl(PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_OFF, 0u64, 0u64, 0u64);
        let ss = libc::stack_t { ss_sp: std::ptr::null_mut(), ss_flags: libc::SS_DISABLE, ss_size: 0 };
        libc::sigaltstack(&ss, std::ptr::null_mut());
        let lwp = (*block).lwp.cast::<Lwp>();
        if !lwp.is_null() {
            drop(Box::from_raw(lwp));
        }
    }
    free_block(block);
}

/// Unblocks every host signal on the calling thread: guest threads must be
/// able to take SIGSYS and the faults at any moment.
pub fn unblock_host_signals() {
    // SAFETY: sigset manipulation on a local set.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::pthread_sigmask(libc::SIG_SETMASK, &set, std::ptr::null_mut());
    }
}

/// Runs guest code on the calling thread until the LWP exits.
pub fn run(thread: &GuestThread, regs: &EntryRegs) {
    unblock_host_signals();
    // SAFETY: the block was set up for this thread by setup_current, and
    // regs is a complete start state.
    unsafe { arch::godfly_enter_guest(thread.block, regs) };
}

/// Starts a new LWP running `regs`, inheriting `guest_fs` and `sigmask`.
pub fn spawn_lwp(tid: i32, regs: EntryRegs, guest_fs: u64, sigmask: Sigset) -> Result<(), Errno> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Result<(), String>>(1);
    // The new thread starts with every signal blocked (it inherits this
    // mask) and unblocks them once its block and signal stack exist.
    let old = crate::host::block_all_signals();
    let spawned =
        std::thread::Builder::new().name(format!("lwp-{tid}")).stack_size(HOST_STACK).spawn(
            move || match setup_current(tid, guest_fs, sigmask, false) {
                Ok(thread) => {
                    let _ = tx.send(Ok(()));
                    run(&thread, &regs);
                    release_current(thread.block);
                }
                Err(e) => {
                    let _ = tx.send(Err(e.to_string()));
                }
            },
        );
    crate::host::restore_signals(&old);
    spawned.map_err(|_| EAGAIN)?;
    match rx.recv() {
        Ok(Ok(())) => Ok(()),
        Ok(Err(msg)) => {
            crate::diag!("godfly: lwp_create: {msg}");
            Err(EAGAIN)
        }
        Err(_) => Err(EAGAIN),
    }
}

/// Ends the calling LWP from inside a syscall handler. The process exits
/// with `status` if it was the last one.
pub fn exit_current(lwp: &mut Lwp, status: i32) -> ! {
    if super::unregister(lwp.tid) {
        crate::proc_exit(status);
    }
    let block = lwp.block;
    if lwp.is_main {
        // The first thread must not return from main, which would end the
        // process: end only this host thread.
        crate::host::exit_thread();
    }
    unblock_host_signals();
    // SAFETY: the block's host_rsp was saved by godfly_enter_guest on this
    // thread; the abandoned frames hold no locks.
    unsafe { arch::godfly_leave_guest(block, 0) }
}
