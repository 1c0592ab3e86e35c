//! Guest signal state: dispositions (process-wide), per-thread masks and
//! alternate stacks (in `thread::Lwp`), and what happens when a signal is
//! aimed at the guest.

use godfly_abi::consts as d;
use godfly_abi::layout::{Sigaction, Sigset};
use godfly_abi::signal::{SIGKILL, SIGSTOP, SIGSYS};
use godfly_abi::sysdef::SigDefault;
use std::sync::Mutex;

use crate::thread::Lwp;
use crate::xlat::signo;
use deliver::SigInfo;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};

pub mod deliver;
pub mod fault;

/// Highest DragonFly signal number (`_SIG_MAXSIG`).
pub const SIG_MAXSIG: u32 = 128;

static ACTIONS: Mutex<[Sigaction; SIG_MAXSIG as usize + 1]> = Mutex::new(
    [Sigaction { sa_handler: 0, sa_flags: 0, sa_mask: Sigset { bits: [0; 4] }, pad: 0 }; SIG_MAXSIG as usize + 1],
);

/// The guest's disposition of `sig` (1..=128).
pub fn action(sig: u32) -> Sigaction {
    ACTIONS.lock().unwrap_or_else(|e| e.into_inner())[sig as usize]
}

/// Locks the dispositions across `fork`.
pub fn lock_actions_for_fork() -> std::sync::MutexGuard<'static, [Sigaction; SIG_MAXSIG as usize + 1]> {
    ACTIONS.lock().unwrap_or_else(|e| e.into_inner())
}

/// Replaces the disposition of `sig`, returning the old one.
pub fn set_action(sig: u32, act: Sigaction) -> Sigaction {
    let mut a = ACTIONS.lock().unwrap_or_else(|e| e.into_inner());
    std::mem::replace(&mut a[sig as usize], act)
}

/// Signals that can be neither caught nor blocked.
pub fn cant_mask(set: &mut Sigset) {
    sigdel(set, SIGKILL);
    sigdel(set, SIGSTOP);
}

/// Whether `sig` is in `set`.
pub fn sigismember(set: &Sigset, sig: u32) -> bool {
    let i = sig.wrapping_sub(1);
    i < SIG_MAXSIG && set.bits[(i / 32) as usize] & (1 << (i % 32)) != 0
}

/// Adds `sig` to `set`.
pub fn sigadd(set: &mut Sigset, sig: u32) {
    let i = sig.wrapping_sub(1);
    if i < SIG_MAXSIG {
        set.bits[(i / 32) as usize] |= 1 << (i % 32);
    }
}

/// Removes `sig` from `set`.
pub fn sigdel(set: &mut Sigset, sig: u32) {
    let i = sig.wrapping_sub(1);
    if i < SIG_MAXSIG {
        set.bits[(i / 32) as usize] &= !(1 << (i % 32));
    }
}

/// DragonFly's default action for a signal (`sigprop`).
pub fn default_action(sig: u32) -> SigDefault {
    godfly_abi::signal::SIGNAL_TABLE
        .iter()
        .find(|r| r.0 == sig)
        .map_or(if (35..64).contains(&sig) { SigDefault::Ignore } else { SigDefault::Terminate }, |r| r.2)
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

/// Mirrors a guest disposition onto the host where the host's own default
/// or ignore gives DragonFly's behaviour (terminate, stop, ignore): the
/// kernel then applies it even while godfly waits in a host call.
pub fn sync_host_disposition(sig: u32) {
    let Some(host) = signo::to_linux(sig) else { return };
    if crate::trap::FAULT_SIGNALS.contains(&host) || host == libc::SIGSYS {
        return; // godfly's own handlers stay; guest faults are routed from them
    }
    match disposition(sig) {
        Disposition::Ignore => crate::trap::ignore_host(host),
        Disposition::Default(_) => crate::trap::reset_host_handler(host),
        Disposition::Handler => crate::trap::catch_host(host),
    }
}

/// Host signal that wakes a guest thread to look at its pending signals.
pub const CARRIER: i32 = 39;

/// Signals waiting for delivery, with what the handler's `siginfo` says.
#[derive(Debug, Default)]
pub struct PendingSet {
    any: AtomicBool,
    sigs: Mutex<BTreeMap<u32, SigInfo>>,
}

impl PendingSet {
    /// Adds a signal (one instance per number, as BSD keeps them).
    pub fn add(&self, sig: u32, info: SigInfo) {
        self.sigs.lock().unwrap_or_else(|e| e.into_inner()).entry(sig).or_insert(info);
        self.any.store(true, Ordering::Release);
    }

    /// Takes the lowest signal not in `mask`.
    fn take_unblocked(&self, mask: &Sigset) -> Option<(u32, SigInfo)> {
        if !self.any.load(Ordering::Acquire) {
            return None;
        }
        let mut m = self.sigs.lock().unwrap_or_else(|e| e.into_inner());
        let sig = *m.keys().find(|&&s| !sigismember(mask, s))?;
        let info = m.remove(&sig)?;
        self.any.store(!m.is_empty(), Ordering::Release);
        Some((sig, info))
    }

    /// Whether a signal not in `mask` waits.
    fn has_unblocked(&self, mask: &Sigset) -> bool {
        self.any.load(Ordering::Acquire)
            && self.sigs.lock().unwrap_or_else(|e| e.into_inner()).keys().any(|&s| !sigismember(mask, s))
    }

    /// Locks the set across `fork`.
    pub fn lock_for_fork(&self) -> std::sync::MutexGuard<'_, BTreeMap<u32, SigInfo>> {
        self.sigs.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// In a forked child: nothing is pending (POSIX clears the child's set).
    pub fn clear_after_fork(&self, guard: &mut std::sync::MutexGuard<'_, BTreeMap<u32, SigInfo>>) {
        guard.clear();
        self.any.store(false, Ordering::Release);
    }

    /// The set of waiting signals.
    pub fn set(&self) -> Sigset {
        let mut out = Sigset::default();
        for &s in self.sigs.lock().unwrap_or_else(|e| e.into_inner()).keys() {
            sigadd(&mut out, s);
        }
        out
    }
}

/// Signals sent to the process as a whole.
pub static PROCESS_PENDING: std::sync::LazyLock<PendingSet> = std::sync::LazyLock::new(PendingSet::default);

/// Info for a signal sent by this process itself (`kill`, `lwp_kill`).
pub fn self_info() -> SigInfo {
    let pid = crate::host::sys(libc::SYS_getpid, &[]).unwrap_or(0) as i32;
    let uid = crate::host::sys(libc::SYS_getuid, &[]).unwrap_or(0) as u32;
    SigInfo { code: d::SI_USER, pid, uid, ..SigInfo::default() }
}

/// Called with every signal posted to the process (EVFILT_SIGNAL counts
/// them); set by the kqueue module when a kqueue first watches a signal.
static POST_HOOK: std::sync::OnceLock<fn(u32)> = std::sync::OnceLock::new();

/// Registers the function told about every posted signal.
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
            let _ = crate::host::sys(libc::SYS_kill, &[0, libc::SIGSTOP as u64]);
            true
        }
        Disposition::Default(_) => die_of(sig),
        Disposition::Handler => false,
    }
}

/// Posts `sig` to one guest thread (`lwp_kill`).
pub fn post_thread(target: &crate::thread::LwpInfo, sig: u32, info: SigInfo) {
    posted(sig);
    if act_now(sig) {
        return;
    }
    target.pending.add(sig, info);
    let _ = crate::host::tgkill(target.host_tid, CARRIER);
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
    for (tid, info) in crate::thread::all_tids() {
        if tid != me {
            let _ = crate::host::tgkill(info.host_tid, CARRIER);
        }
    }
}

/// `sys_nosys`: DragonFly posts SIGSYS to the caller of a call it does
/// not implement.
pub fn post_nosys(lwp: &Lwp) {
    if act_now(SIGSYS) {
        return;
    }
    lwp.pending.add(SIGSYS, SigInfo::default());
}

/// Translates a host `si_code` to DragonFly's for an asynchronous signal.
pub fn si_code_from_linux(code: i32) -> i32 {
    match code {
        libc::SI_USER | libc::SI_TKILL => d::SI_USER,
        libc::SI_QUEUE => d::SI_QUEUE,
        libc::SI_TIMER => d::SI_TIMER,
        libc::SI_MESGQ => d::SI_MESGQ,
        libc::SI_ASYNCIO => d::SI_ASYNCIO,
        // Kernel-generated codes (CLD_*, POLL_*) share numbers; SI_KERNEL
        // has no DragonFly name and reads as sent by the kernel.
        c if c > 0 && c < 0x80 => c,
        _ => d::SI_USER,
    }
}

/// A host signal that is not a dispatch trap arrived for the guest.
///
/// If it interrupted godfly's own code, that code may hold a lock or be
/// inside the allocator, so the handler only notes the signal in the
/// thread's lock-free `arrived` set and returns; a blocking host call
/// returns EINTR, and the dispatcher takes the signal on its way out. If it
/// interrupted guest code, it is queued and delivered at once.
pub fn host_signal(lwp: &mut Lwp, sig: i32, info: &libc::siginfo_t, uc: &mut libc::ucontext_t, from_guest: bool) {
    if sig != CARRIER && (1..=64).contains(&sig) {
        let code = si_code_from_linux(info.si_code) as u32;
        let pid = crate::host::siginfo_pid(info) as u32;
        lwp.arrived_info[sig as usize].store(u64::from(code) | (u64::from(pid) << 32), Ordering::Relaxed);
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
    let bits = lwp.arrived.swap(0, Ordering::AcqRel);
    if bits == 0 {
        return;
    }
    for host in 1..=64 {
        if bits & (1 << (host - 1)) == 0 {
            continue;
        }
        let Some(dsig) = signo::from_linux(host) else { continue };
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
    if let Some((site, up)) = crate::loader::fastpath::unstub(rip) {
        g[libc::REG_RIP as usize] = site as i64;
        g[libc::REG_RSP as usize] += up as i64;
    }
}

/// The SA_RESTART flag of the signal that `deliver_pending` would deliver next.
pub fn next_restarts(lwp: &Lwp) -> bool {
    let pick = |p: &PendingSet| {
        let m = p.sigs.lock().unwrap_or_else(|e| e.into_inner());
        m.keys().copied().find(|&s| !sigismember(&lwp.sigmask, s))
    };
    let sig = pick(&lwp.pending).or_else(|| pick(&PROCESS_PENDING));
    sig.is_some_and(|s| action(s).sa_flags & d::SA_RESTART != 0)
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
        let old = crate::host::block_all_signals();
        if let Some(found) = take_next(lwp, mask) {
            crate::host::restore_signals(&old);
            return Some(found);
        }
        let left = match deadline {
            Some(d) => {
                let now = std::time::Instant::now();
                if now >= d {
                    crate::host::restore_signals(&old);
                    return None;
                }
                Some(d - now)
            }
            None => None,
        };
        crate::host::suspend_signals(left);
        crate::host::restore_signals(&old);
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
                deliver::deliver(lwp, uc, sig, &info);
                return;
            }
            _ => {
                act_now(sig);
            }
        }
    }
}

/// A synchronous fault in guest code: DragonFly's signal and code, then
/// the guest's handler, or death with a crash report.
pub fn guest_fault(lwp: &mut Lwp, sig: i32, info: &libc::siginfo_t, uc: &mut libc::ucontext_t) {
    unstub(uc);
    let fault = fault::translate(sig, info, uc);
    fault_to_guest(lwp, uc, &fault);
}

/// A fault goes to the guest's handler when one is set and the signal is
/// not blocked; otherwise the process dies of it with a crash report.
fn fault_to_guest(lwp: &mut Lwp, uc: &mut libc::ucontext_t, fault: &fault::Fault) {
    if !sigismember(&lwp.sigmask, fault.sig) && disposition(fault.sig) == Disposition::Handler {
        deliver::deliver(lwp, uc, fault.sig, &fault.info);
        return;
    }
    crate::crash::guest_fatal(lwp, fault.sig, &fault.info, uc);
}

/// The SIGSEGV a push at `addr` raises on a stack that is not there.
fn push_fault(addr: u64) -> fault::Fault {
    const PAGE_FAULT: u64 = 14;
    const USER_WRITE: u64 = 6;
    fault::translate_raw(libc::SIGSEGV, d::SEGV_MAPERR, addr, PAGE_FAULT, USER_WRITE)
}

/// The guest's stack pointer points at memory that is not there (a push at
/// `addr` would fault): SIGSEGV as the CPU would raise it, to the guest's
/// handler (on its alternate stack) or the end of the process.
pub fn stack_fault(lwp: &mut Lwp, uc: &mut libc::ucontext_t, addr: u64) {
    fault_to_guest(lwp, uc, &push_fault(addr));
}

/// Even the handler's frame left no usable stack: the process dies of
/// SIGSEGV with a crash report.
pub fn stack_fatal(lwp: &mut Lwp, uc: &mut libc::ucontext_t) -> ! {
    let rsp = uc.uc_mcontext.gregs[libc::REG_RSP as usize] as u64;
    let fault = push_fault(rsp.wrapping_sub(8));
    crate::crash::guest_fatal(lwp, fault.sig, &fault.info, uc)
}

/// Ends the process as killed by DragonFly signal `sig`: the host sees the
/// corresponding host signal (so a shell reports 128+n).
pub fn die_of(sig: u32) -> ! {
    crate::trace::process_killed(sig);
    let host = signo::to_linux(sig).unwrap_or(libc::SIGKILL);
    crate::trap::reset_host_handler(host);
    // SAFETY: unblocking a signal and sending it to ourselves.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, host);
        libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
    }
    let _ = crate::host::tgkill(crate::thread::gettid(), host);
    // A signal whose host default does not end the process (a real-time
    // stand-in) still must: report it the shell way.
    crate::host::exit_group(128 + i32::try_from(sig).unwrap_or(0).min(127))
}

/// The sigaction flags DragonFly accepts.
pub const SA_ALL: i32 =
    d::SA_ONSTACK | d::SA_RESTART | d::SA_RESETHAND | d::SA_NOCLDSTOP | d::SA_NODEFER | d::SA_NOCLDWAIT | d::SA_SIGINFO;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sigset_bits_follow_dragonfly_layout() {
        let mut s = Sigset::default();
        sigadd(&mut s, 1);
        sigadd(&mut s, 32);
        sigadd(&mut s, 33);
        sigadd(&mut s, 128);
        assert_eq!(s.bits, [0x8000_0001, 1, 0, 0x8000_0000]);
        assert!(sigismember(&s, 33));
        sigdel(&mut s, 33);
        assert!(!sigismember(&s, 33));
        assert!(!sigismember(&s, 0));
        assert!(!sigismember(&s, 129));
    }

    #[test]
    fn default_actions_match_dragonfly() {
        assert_eq!(default_action(16), SigDefault::Ignore); // SIGURG
        assert_eq!(default_action(11), SigDefault::Core);
        assert_eq!(default_action(15), SigDefault::Terminate);
        assert_eq!(default_action(32), SigDefault::Ignore); // SIGTHR
        assert_eq!(default_action(40), SigDefault::Ignore);
        assert_eq!(default_action(17), SigDefault::Stop);
    }
}
