//! Starting and ending host threads that run guest code. Each one gets its
//! block and signal stack, its Syscall User Dispatch selector and its
//! signal mask before its first guest instruction (Linux does not inherit
//! Syscall User Dispatch across `clone`).

use godfly_abi::bsd::{Sigset, StackT};

use super::{Lwp, LwpInfo, TlsArea};
use crate::arch::{self, BLOCK_GUARD, BLOCK_HEADER, BLOCK_MAGIC, BLOCK_SIZE, EntryRegs, SELECTOR_ALLOW, ThreadBlock};
use crate::host::Errno;
use crate::host::errno::EAGAIN;

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

/// A new LWP's block, `Lwp` and registration, made by its creator; the
/// host thread that will run it takes it over with `adopt`.
#[derive(Debug)]
pub struct Prepared {
    tid: i32,
    block: *mut ThreadBlock,
}

// SAFETY: the block and the Lwp boxed in it are handed over whole to the
// one thread that adopts them; the creator keeps no reference.
unsafe impl Send for Prepared {}

/// Makes LWP `tid`'s block (with its signal stack) and `Lwp`, and
/// registers it with host thread id 0 until a host thread adopts it: what
/// can fail for want of memory fails here, in the creator.
pub fn prepare(
    tid: i32,
    guest_fs: u64,
    sigmask: Sigset,
    altstack_off: i32,
    is_main: bool,
) -> Result<Prepared, SetupError> {
    let block = alloc_block()?;
    let pending = std::sync::Arc::new(super::PendingSet::default());
    let slot = std::sync::Arc::new(super::park::Slot::default());
    if !is_main {
        // Hidden from the debugger until it reaches guest code.
        slot.set_starting();
    }
    let lwp = Box::new(Lwp {
        tid,
        host_tid: 0,
        block,
        sigmask,
        altstack: StackT { ss_flags: altstack_off, ..StackT::default() },
        is_main,
        tls: [TlsArea { base: guest_fs, size: 0 }, TlsArea::default()],
        pending: pending.clone(),
        arrived: std::sync::atomic::AtomicU64::new(0),
        arrived_info: [const { std::sync::atomic::AtomicU64::new(0) }; 65],
        traceme: false,
        recent: [crate::call::Recent::EMPTY; crate::call::RECENT],
        recent_next: 0,
        recent_len: 0,
        slot: slot.clone(),
    });
    // SAFETY: block points at a fresh, writable, exclusively owned header page.
    unsafe {
        let xstate = crate::host::xstate();
        block.write(ThreadBlock {
            // The adopting thread's own, set by `adopt`.
            host_fs: 0,
            guest_fs,
            selector: SELECTOR_ALLOW,
            pad: [0; 7],
            host_rsp: 0,
            lwp: Box::into_raw(lwp).cast(),
            magic: BLOCK_MAGIC,
            fast_rip: 0,
            fast_rsp: 0,
            xsave_mask: xstate.map_or(0, |x| x.features),
            xsave_size: xstate.map_or(0, |x| x.size as u64),
            arrived: std::ptr::null(),
            vdso_clock: crate::host::time::vdso_clock_gettime().unwrap_or(0),
            clock_nr: 0,
            clock_ts: [0; 2],
            full_entry: arch::fast_entry(xstate.is_some_and(|x| x.xsaveopt)),
            self_addr: block as u64,
            mxcsr_mask: u64::from(crate::arch::xstate::host_mxcsr_mask()),
        });
        let lwp = (*block).lwp.cast::<Lwp>();
        (*block).arrived = (*lwp).arrived.as_ptr();
    }
    super::register(tid, LwpInfo { host_tid: 0, pending, execing: false, title: None, slot });
    Ok(Prepared { tid, block })
}

impl Prepared {
    /// Takes the LWP over on the calling host thread: its host thread id,
    /// `%fs` and interrupt word, the signal stack, dispatch armed with
    /// the selector at ALLOW, `%gs` at the block. On failure the LWP is
    /// unregistered and its block freed.
    pub fn adopt(self) -> Result<GuestThread, SetupError> {
        let block = self.block;
        let host_tid = super::gettid();
        // SAFETY: prepare made the block and its Lwp for this thread alone.
        let pending = unsafe {
            let lwp = (*block).lwp.cast::<Lwp>();
            (*lwp).host_tid = host_tid;
            (*block).host_fs = arch::read_fs();
            // Its blocking host calls end early once a signal has arrived,
            // and so does its fast clock.
            crate::host::set_interrupt_flag((*lwp).arrived.as_ptr());
            (*lwp).pending.clone()
        };
        let fail = |e| {
            super::unregister(self.tid);
            release_current(block);
            Err(e)
        };
        let stack = (block as usize + BLOCK_HEADER + BLOCK_GUARD) as u64;
        if let Err(e) = crate::host::sig::set_altstack(stack, BLOCK_SIZE - BLOCK_HEADER - BLOCK_GUARD) {
            return fail(SetupError::AltStack(e));
        }
        if let Err(e) = arm_dispatch(block) {
            return fail(SetupError::Dispatch(e));
        }
        // The fast path finds the block through %gs (godfly's own use of it).
        if crate::host::set_gs_base(block as u64).is_err() {
            return fail(SetupError::Dispatch(std::io::Error::other("cannot set the %gs base")));
        }
        if let Some(title) = super::set_host_tid(self.tid, host_tid) {
            let comm = &title[..title.len().min(15)];
            let _ = std::fs::write(format!("/proc/self/task/{host_tid}/comm"), comm);
        }
        // A signal queued before the host thread was known came without
        // its carrier: one to itself, taken once signals are unblocked.
        if pending.set().bits.iter().any(|&w| w != 0) {
            let _ = crate::host::proc::tgkill(host_tid, crate::host::sig::CARRIER);
        }
        Ok(GuestThread { block })
    }
}

/// Prepares the calling host thread to run guest code as LWP `tid`
/// (`prepare` and `adopt` on one thread).
pub fn setup_current(
    tid: i32,
    guest_fs: u64,
    sigmask: Sigset,
    altstack_off: i32,
    is_main: bool,
) -> Result<GuestThread, SetupError> {
    prepare(tid, guest_fs, sigmask, altstack_off, is_main)?.adopt()
}

/// Arms Syscall User Dispatch for the calling thread with its block's selector.
fn arm_dispatch(block: *mut ThreadBlock) -> std::io::Result<()> {
    let (start, len) = arch::restorer_range();
    // SAFETY: the selector lives in the block, which outlives dispatch on
    // this thread (dispatch is disarmed before the block is freed).
    unsafe { crate::host::arm_syscall_dispatch(start as u64, len as u64, &raw mut (*block).selector) }
}

/// Turns Syscall User Dispatch off for the calling thread (before `execve`).
pub fn disarm_dispatch() {
    crate::host::disarm_syscall_dispatch();
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
    crate::host::sig::block_all();
    crate::host::disarm_syscall_dispatch();
    crate::host::sig::disable_altstack();
    // SAFETY: the Lwp box was created by setup_current and nothing refers
    // to it any more (the thread left guest code, its signals are blocked);
    // its arrived word stops being the thread's interrupt flag first.
    unsafe {
        crate::host::set_interrupt_flag(std::ptr::null());
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
    crate::host::sig::unblock_all();
}

/// Runs guest code on the calling thread until the LWP exits.
pub fn run(thread: &GuestThread, regs: &EntryRegs) {
    // SAFETY: setup_current pointed the block's lwp at this thread's Lwp,
    // which lives until the thread ends.
    let slot = unsafe { (*(*thread.block).lwp.cast::<Lwp>()).slot.clone() };
    // A thread born while the debugger holds the others waits for them
    // (the debugger does not know it yet), then shows as running.
    loop {
        super::park::hold_while_stopped();
        if slot.start_running() {
            break;
        }
    }
    unblock_host_signals();
    // SAFETY: the block was set up for this thread by setup_current, and
    // regs is a complete start state.
    unsafe { arch::godfly_enter_guest(thread.block, regs) };
}

/// Starts a new LWP running `regs`, inheriting `guest_fs` and `sigmask`.
/// Returns once the host thread exists, without waiting for it to run
/// (as a kernel's thread creation does): a host thread that then cannot
/// take the LWP over (its signal stack or dispatch refused, which the
/// first thread's start has already shown to work) ends the process
/// through `fatal`.
pub fn spawn_lwp(
    tid: i32,
    regs: EntryRegs,
    guest_fs: u64,
    sigmask: Sigset,
    altstack_off: i32,
    fatal: fn(&str) -> !,
) -> Result<(), Errno> {
    let prepared = prepare(tid, guest_fs, sigmask, altstack_off, false).map_err(|e| {
        crate::diag!("godfly: lwp_create: {e}");
        EAGAIN
    })?;
    let block = prepared.block;
    // The new thread starts with every signal blocked (it inherits this
    // mask) and unblocks them once its block and signal stack exist.
    let old = crate::host::sig::block_all();
    let spawned = std::thread::Builder::new().name(format!("lwp-{tid}")).stack_size(HOST_STACK).spawn(move || {
        match prepared.adopt() {
            Ok(thread) => {
                run(&thread, &regs);
                release_current(thread.block);
            }
            Err(e) => fatal(&format!("lwp_create: LWP {tid} could not start: {e}")),
        }
    });
    crate::host::sig::restore(&old);
    if spawned.is_err() {
        // The closure, and the Prepared in it, are gone unrun.
        super::unregister(tid);
        release_unstarted(block);
        return Err(EAGAIN);
    }
    Ok(())
}

/// Frees a prepared LWP no host thread took over.
fn release_unstarted(block: *mut ThreadBlock) {
    // SAFETY: prepare boxed the Lwp into the block; no thread ran it.
    unsafe {
        let lwp = (*block).lwp.cast::<Lwp>();
        if !lwp.is_null() {
            drop(Box::from_raw(lwp));
        }
    }
    free_block(block);
}

/// Ends the calling LWP from inside a syscall handler, when it is not the
/// last one (`super::unregister` said so; the caller ends the process
/// otherwise).
pub fn leave(lwp: &mut Lwp) -> ! {
    let block = lwp.block;
    if lwp.is_main {
        // The first thread must not return from main, which would end the
        // process: end only this host thread.
        crate::host::proc::exit_thread();
    }
    unblock_host_signals();
    // SAFETY: the block's host_rsp was saved by godfly_enter_guest on this
    // thread; the abandoned frames hold no locks.
    unsafe { arch::godfly_leave_guest(block, 0) }
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
pub unsafe fn current_lwp<'a>() -> &'a mut Lwp {
    let block = current_block();
    // SAFETY: every thread that can take these signals has a block whose
    // lwp field points at its own Lwp (set up before handlers can run).
    unsafe { &mut *(*block).lwp.cast::<Lwp>() }
}

/// Set once the first guest thread is prepared: from then on a thread on
/// its alternate stack may be a guest thread.
static STARTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Marks that guest threads exist (start-up, before handlers are installed).
pub fn mark_started() {
    STARTED.store(true, std::sync::atomic::Ordering::SeqCst);
}

/// The calling thread's `Lwp` when it runs on a guest thread's signal
/// stack (inside a handler), for internal-error reports; `None` anywhere
/// else. Only a thread running on its alternate stack has a block below
/// its stack pointer; the header is still read with the fault-safe copy.
pub fn current_lwp_if_guest_thread() -> Option<&'static Lwp> {
    if !STARTED.load(std::sync::atomic::Ordering::SeqCst) || !crate::host::sig::on_alt_stack() {
        return None;
    }
    let block = current_block() as u64;
    let magic: u64 = crate::mem::read(block + std::mem::offset_of!(ThreadBlock, magic) as u64).ok()?;
    let lwp: u64 = crate::mem::read(block + std::mem::offset_of!(ThreadBlock, lwp) as u64).ok()?;
    if magic != BLOCK_MAGIC || lwp == 0 {
        return None;
    }
    // SAFETY: an initialised block's lwp field points at the thread's own
    // Lwp, which lives as long as the thread; the caller only reads it
    // while ending the process.
    Some(unsafe { &*(lwp as *const Lwp) })
}
