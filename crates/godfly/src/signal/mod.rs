//! Guest signal state: dispositions (process-wide), per-thread masks and
//! alternate stacks (in `thread::Lwp`), and what happens when a signal is
//! aimed at the guest. Signal numbers here are the guest's; the
//! personality knows their host numbers, names and default actions.
#![forbid(unsafe_code)]

use crate::sync::{Global, Startup};
use godfly_abi::bsd::{Sigaction, Sigset};
use godfly_abi::sysdef::SigDefault;
use std::sync::atomic::Ordering;

use crate::host;
use crate::personality::{self, Fault};
use crate::thread::{Lwp, PROCESS_PENDING, PendingSet, SigInfo};

pub use crate::thread::pending::{sigadd, sigdel, sigismember};

pub mod deliver;
pub mod fault;

/// Room for signal numbers: both BSDs have 128 (`_SIG_MAXSIG`).
pub const SIG_MAXSIG: u32 = 128;

/// The guest's highest signal number.
pub fn max_sig() -> u32 {
    personality::current().signals.max.min(SIG_MAXSIG)
}

static ACTIONS: Global<[Sigaction; SIG_MAXSIG as usize + 1]> = Global::new(
    50,
    [Sigaction { sa_handler: 0, sa_flags: 0, sa_mask: Sigset { bits: [0; 4] }, pad: 0 }; SIG_MAXSIG as usize + 1],
);

/// The guest's disposition of `sig` (1..=128).
pub fn action(sig: u32) -> Sigaction {
    ACTIONS.lock()[sig as usize]
}

/// Replaces the disposition of `sig`, returning the old one.
pub fn set_action(sig: u32, act: Sigaction) -> Sigaction {
    let mut a = ACTIONS.lock();
    std::mem::replace(&mut a[sig as usize], act)
}

/// Signals that can be neither caught nor blocked.
pub fn cant_mask(set: &mut Sigset) {
    let n = personality::current().signals.num;
    sigdel(set, n.kill);
    sigdel(set, n.stop);
}

/// The guest's default action for a signal.
pub fn default_action(sig: u32) -> SigDefault {
    (personality::current().signals.default)(sig)
}

/// What a signal would do now, given its disposition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    /// Discarded.
    Ignore,
    /// The default action ends (or stops) the process.
    Default(SigDefault),
    /// A guest handler runs.
    Handler,
}

/// The current disposition of `sig`.
pub fn disposition(sig: u32) -> Disposition {
    let act = action(sig);
    match act.sa_handler {
        0 => match default_action(sig) {
            SigDefault::Ignore | SigDefault::Continue => Disposition::Ignore,
            other => Disposition::Default(other),
        },
        1 => Disposition::Ignore,
        _ => Disposition::Handler,
    }
}

/// The host signal for a guest one.
pub fn to_host(sig: u32) -> Option<i32> {
    (personality::current().signals.to_host)(sig)
}

/// The guest signal for a host one.
pub fn from_host(sig: i32) -> Option<u32> {
    (personality::current().signals.from_host)(sig)
}

/// Mirrors a guest disposition onto the host where the host's own
/// disposition gives the guest's behaviour, so that the kernel applies it
/// even while godfly waits in a host call, and so that a program the guest
/// execs inherits what it would on the guest's system: host SIG_IGN only
/// for a signal the guest ignores explicitly (SIGCHLD ignored means
/// children reap themselves; a default-ignored SIGCHLD must not), SIG_DFL
/// where the guest's default is the host's, godfly's handler otherwise.
pub fn sync_host_disposition(sig: u32) {
    let Some(h) = to_host(sig) else { return };
    if host::sig::FAULT_SIGNALS.contains(&h) || h == libc::SIGSYS {
        return; // godfly's own handlers stay; guest faults are routed from them
    }
    match (action(sig).sa_handler, disposition(sig)) {
        (1, _) => host::sig::set_ignore(h),
        (_, Disposition::Ignore) if host::sig::default_ignores(h) => host::sig::set_default(h),
        (_, Disposition::Ignore) => host::sig::catch(h),
        (_, Disposition::Default(_)) => host::sig::set_default(h),
        (_, Disposition::Handler) => host::sig::catch(h),
    }
}

/// Sets the host dispositions an `execve` hands the new program, where the
/// kernel's own reset (caught signals become SIG_DFL) differs from the
/// guest's: DragonFly's exec puts an ignored SIGCHLD back to its default.
/// Undone by `after_failed_exec`.
pub fn before_exec() {
    let Some(chld) = (1..=max_sig()).find(|&s| to_host(s) == Some(libc::SIGCHLD)) else { return };
    if action(chld).sa_handler == 1 {
        host::sig::set_default(libc::SIGCHLD);
    }
}

/// Puts back what `before_exec` changed.
pub fn after_failed_exec() {
    for sig in (1..=max_sig()).filter(|&s| to_host(s) == Some(libc::SIGCHLD)) {
        sync_host_disposition(sig);
    }
}

/// Host signal that wakes a guest thread to look at its pending signals.
pub const CARRIER: i32 = host::sig::CARRIER;

/// Info for a signal sent by this process itself (`kill`, `lwp_kill`).
pub fn self_info() -> SigInfo {
    let code = personality::current().signals.flags.si_user;
    SigInfo { code, pid: host::proc::getpid(), uid: host::proc::getuid(), ..SigInfo::default() }
}

/// Called with every signal posted to the process (EVFILT_SIGNAL counts
/// them); set at start-up to the kqueue module's counter.
static POST_HOOK: Startup<fn(u32)> = Startup::new();

/// Registers the function told about every posted signal (at start-up).
pub fn set_post_hook(f: fn(u32)) {
    let _ = POST_HOOK.set(f);
}

fn posted(sig: u32) {
    if let Some(f) = POST_HOOK.get() {
        f(sig);
    }
}

/// What posting does for a disposition that needs no handler.
fn act_now(sig: u32) -> bool {
    match disposition(sig) {
        Disposition::Ignore => true,
        Disposition::Default(SigDefault::Stop) => {
            let _ = host::proc::kill(0, libc::SIGSTOP);
            true
        }
        Disposition::Default(_) => die_of(sig),
        Disposition::Handler => false,
    }
}

/// Posts `sig` to one guest thread (`lwp_kill`).
pub fn post_thread(tid: i32, target: &crate::thread::LwpInfo, sig: u32, info: SigInfo) {
    posted(sig);
    if act_now(sig) {
        return;
    }
    target.pending.add(sig, info);
    crate::thread::send_carrier(tid);
}

/// Posts `sig` to the process (`kill` of itself). The calling thread takes
/// it on its way back to the guest unless it blocks it; then the other
/// threads are woken to look (the kernel would pick one that does not).
pub fn post_process(me: &Lwp, sig: u32, info: SigInfo) {
    posted(sig);
    if act_now(sig) {
        return;
    }
    PROCESS_PENDING.add(sig, info);
    if sigismember(&me.sigmask, sig) {
        wake_others(me.tid);
    }
}

/// Sends the carrier to every other guest thread so that one of them takes
/// a process-directed signal the current thread blocks.
fn wake_others(me: i32) {
    crate::thread::send_carrier_to_others(me);
}

/// Posts `sig` to the calling thread itself (the SIGSYS of a number the
/// guest's kernel has no call for).
pub fn post_self(lwp: &Lwp, sig: u32) {
    if act_now(sig) {
        return;
    }
    lwp.pending.add(sig, SigInfo::default());
}

/// A host signal that is not a dispatch trap arrived for the guest.
///
/// If it interrupted godfly's own code, that code may hold a lock or be
/// inside the allocator, so the handler only notes the signal in the
/// thread's lock-free `arrived` set and returns; a blocking host call
/// returns EINTR (one about to start is cancelled: `arch::cp_cancel_point`),
/// and the dispatcher takes the signal on its way out. If it interrupted
/// guest code, it is queued and delivered at once.
pub fn host_signal(lwp: &mut Lwp, sig: i32, info: &libc::siginfo_t, uc: &mut libc::ucontext_t, from_guest: bool) {
    if (1..=64).contains(&sig) {
        if sig != CARRIER {
            let code = (personality::current().signals.si_code_from_host)(info.si_code) as u32;
            let pid = host::sig::siginfo_pid(info) as u32;
            lwp.arrived_info[sig as usize].store(u64::from(code) | (u64::from(pid) << 32), Ordering::Relaxed);
        }
        // The carrier's bit too: it cancels a blocking call about to start
        // (its signal is already pending; take_arrived skips the bit).
        lwp.arrived.fetch_or(1 << (sig - 1), Ordering::AcqRel);
    }
    if from_guest {
        take_arrived(lwp);
        deliver_pending(lwp, uc);
    }
}

/// Moves host signals noted in `arrived` into the pending sets. Must run
/// where locks may be taken (not in a nested handler).
pub fn take_arrived(lwp: &Lwp) {
    // A plain load first: the locked swap costs more than the rest of a
    // call's checks, and almost always there is nothing.
    if lwp.arrived.load(Ordering::Relaxed) == 0 {
        return;
    }
    let bits = lwp.arrived.swap(0, Ordering::AcqRel);
    if bits == 0 {
        return;
    }
    for host in 1..=64 {
        if bits & (1 << (host - 1)) == 0 || host == CARRIER {
            continue;
        }
        let Some(dsig) = from_host(host) else { continue };
        let packed = lwp.arrived_info[host as usize].load(Ordering::Relaxed);
        let sinfo = SigInfo { code: packed as u32 as i32, pid: (packed >> 32) as u32 as i32, ..SigInfo::default() };
        posted(dsig);
        if sigismember(&lwp.sigmask, dsig) && matches!(disposition(dsig), Disposition::Default(_)) {
            // Blocked: it waits (for sigwait, or its default action once
            // unblocked), as on DragonFly.
            PROCESS_PENDING.add(dsig, sinfo);
            continue;
        }
        if !act_now(dsig) {
            PROCESS_PENDING.add(dsig, sinfo);
            if sigismember(&lwp.sigmask, dsig) {
                wake_others(lwp.tid);
            }
        }
    }
}

/// Moves the signals that arrived into the pending sets, and says whether
/// one is waiting that this thread could take now.
pub fn takes_any(lwp: &Lwp) -> bool {
    take_arrived(lwp);
    has_deliverable(lwp)
}

/// Whether a signal is waiting that this thread could take now.
pub fn has_deliverable(lwp: &Lwp) -> bool {
    lwp.pending.has_unblocked(&lwp.sigmask) || PROCESS_PENDING.has_unblocked(&lwp.sigmask)
}

/// A signal that lands in a fast-path stub is shown at the rewritten site,
/// as if the stub had not started: the stub's return address is dropped
/// from the stack and rip set to the site, which runs the call again.
fn unstub(uc: &mut libc::ucontext_t) {
    let g = &mut uc.uc_mcontext.gregs;
    let rip = g[libc::REG_RIP as usize] as u64;
    if let Some((site, up)) = crate::stubs::unstub(rip) {
        g[libc::REG_RIP as usize] = site as i64;
        g[libc::REG_RSP as usize] += up as i64;
    }
}

/// The SA_RESTART flag of the signal that `deliver_pending` would deliver next.
pub fn next_restarts(lwp: &Lwp) -> bool {
    let pick = |p: &PendingSet| p.first_unblocked(&lwp.sigmask);
    let sig = pick(&lwp.pending).or_else(|| pick(&PROCESS_PENDING));
    let restart = personality::current().signals.flags.restart;
    sig.is_some_and(|s| action(s).sa_flags & restart != 0)
}

/// Takes the next signal not in `mask`, thread-directed first.
pub fn take_next(lwp: &Lwp, mask: &Sigset) -> Option<(u32, SigInfo)> {
    take_arrived(lwp);
    lwp.pending.take_unblocked(mask).or_else(|| PROCESS_PENDING.take_unblocked(mask))
}

/// Waits until a signal not in `mask` is pending for this thread (or the
/// host `timeout` passes) and takes it. Host signals are blocked while
/// checking, and `rt_sigsuspend` unblocks them atomically for the wait,
/// so no wake-up is lost.
pub fn wait_for(lwp: &Lwp, mask: &Sigset, deadline: Option<std::time::Instant>) -> Option<(u32, SigInfo)> {
    loop {
        let old = host::sig::block_all();
        if let Some(found) = take_next(lwp, mask) {
            host::sig::restore(&old);
            return Some(found);
        }
        let left = match deadline {
            Some(d) => {
                let now = std::time::Instant::now();
                if now >= d {
                    host::sig::restore(&old);
                    return None;
                }
                Some(d - now)
            }
            None => None,
        };
        host::sig::suspend(left);
        host::sig::restore(&old);
    }
}

/// Delivers one pending, unblocked signal to the guest context `uc`, if any.
pub fn deliver_pending(lwp: &mut Lwp, uc: &mut libc::ucontext_t) {
    unstub(uc);
    loop {
        let next = lwp.pending.take_unblocked(&lwp.sigmask).or_else(|| PROCESS_PENDING.take_unblocked(&lwp.sigmask));
        let Some((sig, info)) = next else { return };
        // The disposition may have changed since the signal was posted.
        match disposition(sig) {
            Disposition::Handler => {
                // gdb sees it first, and may change or drop it.
                match crate::debug::on_signal(lwp, uc, sig) {
                    Some(s) if s == sig || disposition(s) == Disposition::Handler => {
                        deliver::deliver(lwp, uc, s, &info);
                        return;
                    }
                    Some(s) => {
                        act_now(s);
                    }
                    None => {}
                }
            }
            _ => {
                act_now(sig);
            }
        }
    }
}

/// Delivers `sig` now, as gdb gave it to a thread it resumed (`signal
/// SIG`, `C sig`): no second stop for it, its disposition as it is.
pub fn deliver_given(lwp: &mut Lwp, uc: &mut libc::ucontext_t, sig: u32) {
    posted(sig);
    if !act_now(sig) {
        deliver::deliver(lwp, uc, sig, &SigInfo::default());
    }
}

/// A synchronous fault in guest code, in the guest's signal and code:
/// delivered to the guest's handler, or `Err` with the fault the process
/// must die of (the caller writes the crash report).
pub fn guest_fault(lwp: &mut Lwp, sig: i32, info: &libc::siginfo_t, uc: &mut libc::ucontext_t) -> Result<(), Fault> {
    unstub(uc);
    let fault = fault::translate(sig, info, uc);
    fault_to_guest(lwp, uc, &fault)
}

/// A fault goes to the guest's handler when one is set and the signal is
/// not blocked; otherwise it is fatal.
fn fault_to_guest(lwp: &mut Lwp, uc: &mut libc::ucontext_t, fault: &Fault) -> Result<(), Fault> {
    if !sigismember(&lwp.sigmask, fault.sig) && disposition(fault.sig) == Disposition::Handler {
        // gdb sees it first; dropped, the instruction runs again.
        if let Some(s) = crate::debug::on_signal(lwp, uc, fault.sig) {
            deliver::deliver(lwp, uc, s, &fault.info);
        }
        return Ok(());
    }
    Err(*fault)
}

/// The SIGSEGV a push at `addr` raises on a stack that is not there.
fn push_fault(addr: u64) -> Fault {
    const PAGE_FAULT: u64 = 14;
    const USER_WRITE: u64 = 6;
    const LINUX_SEGV_MAPERR: i32 = 1;
    let hf = personality::HostFault {
        sig: libc::SIGSEGV,
        code: LINUX_SEGV_MAPERR,
        addr,
        trapno: PAGE_FAULT,
        err: USER_WRITE,
    };
    (personality::current().signals.fault)(&hf)
}

/// The guest's stack pointer points at memory that is not there (a push at
/// `addr` would fault): SIGSEGV as the CPU would raise it, to the guest's
/// handler (on its alternate stack), or `Err` with the fatal fault.
pub fn stack_fault(lwp: &mut Lwp, uc: &mut libc::ucontext_t, addr: u64) -> Result<(), Fault> {
    fault_to_guest(lwp, uc, &push_fault(addr))
}

/// The fault a process dies of when even the handler's frame left no
/// usable stack.
pub fn stack_fatal(uc: &libc::ucontext_t) -> Fault {
    push_fault((uc.uc_mcontext.gregs[libc::REG_RSP as usize] as u64).wrapping_sub(8))
}

/// Ends the process as killed by DragonFly signal `sig`: the host sees the
/// corresponding host signal (so a shell reports 128+n).
pub fn die_of(sig: u32) -> ! {
    die(sig, None)
}

/// [`die_of`], with the registers of the calling thread when they are not
/// those of its current call (a fault's). A signal whose default action
/// dumps core writes the guest's core first (`debug::core`), and says so.
pub fn die(sig: u32, own: Option<crate::thread::park::Regs>) -> ! {
    crate::trace::process_killed(sig);
    let h = to_host(sig).unwrap_or(libc::SIGKILL);
    if default_action(sig) == SigDefault::Core && crate::debug::core::destination().is_some() {
        let me = crate::thread::spawn::current_lwp_if_guest_thread();
        let regs = own.or_else(|| me.and_then(|l| l.slot.regs()));
        match (me, regs) {
            (Some(l), Some(r)) => match crate::debug::core::dump(l.tid, r, h) {
                Ok(p) => crate::diag!("godfly: core dumped to {}", p.display()),
                Err(e) => crate::diag!("godfly: no core written: {e}"),
            },
            _ => crate::diag!("godfly: no core written: the dying thread's registers are not known"),
        }
    }
    // No core of godfly's own from the host kernel: the guest's is written.
    if let Ok(rl) = host::proc::getrlimit(libc::RLIMIT_CORE) {
        let _ = host::proc::setrlimit(libc::RLIMIT_CORE, &libc::rlimit { rlim_cur: 0, rlim_max: rl.rlim_max });
    }
    crate::debug::exiting(crate::debug::Exit::Signal(sig));
    host::sig::set_default(h);
    host::sig::unblock(h);
    let _ = host::proc::tgkill(host::proc::gettid(), h);
    // A signal whose host default does not end the process (a real-time
    // stand-in) still must: report it the shell way.
    host::proc::exit_group(128 + i32::try_from(sig).unwrap_or(0).min(127))
}
