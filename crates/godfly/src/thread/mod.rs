//! Guest threads (LWPs) as host threads: per-thread state, the context a
//! handler gets (`Ctx`), the registry of live LWPs, pending signals, and
//! the start and end of a thread.

pub mod park;
pub mod pending;
pub mod spawn;

use godfly_abi::bsd::{Sigset, StackT};
use std::collections::HashMap;
use std::sync::Arc;

use crate::sync::Global;

pub use pending::{PROCESS_PENDING, PendingSet, SigInfo};
use std::sync::atomic::{AtomicI32, AtomicU64, AtomicUsize, Ordering};

use crate::arch::ThreadBlock;
use crate::call::{Args, RECENT, Recent, SysResult};

/// A thread-pointer area the guest set (`set_tls_area` on DragonFly):
/// base and size, as the guest asks to read them back.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TlsArea {
    pub base: u64,
    pub size: i64,
}

/// Emulator state of one guest thread, owned by that thread and reached
/// from its [`ThreadBlock`].
#[derive(Debug)]
pub struct Lwp {
    /// DragonFly LWP id (`lwp_gettid`).
    pub tid: i32,
    /// Linux thread id of the host thread.
    pub host_tid: i32,
    /// The block at the base of this thread's signal stack.
    pub block: *mut ThreadBlock,
    /// The guest's signal mask for this thread.
    pub sigmask: Sigset,
    /// The guest's alternate signal stack (`sigaltstack`).
    pub altstack: StackT,
    /// Whether this is the process's first host thread, which must never
    /// return from `main` while other threads run.
    pub is_main: bool,
    /// The thread-pointer areas the guest set for %fs (0) and %gs (1).
    pub tls: [TlsArea; 2],
    /// Signals sent to this thread and not yet delivered.
    pub pending: Arc<PendingSet>,
    /// Host signals that arrived while this thread ran godfly code, where
    /// a handler may take no lock: bit n for host signal n. Drained on the
    /// way back to guest code.
    pub arrived: AtomicU64,
    /// `si_code` and `si_pid` of each arrived host signal, packed.
    pub arrived_info: [AtomicU64; 65],
    /// `ptrace(PT_TRACE_ME)` was asked for; done right before `execve`,
    /// since a traced godfly would stop at every trapped call.
    pub traceme: bool,
    /// The last calls of this thread, for crash reports (a ring).
    pub recent: [Recent; RECENT],
    /// Next slot of `recent`.
    pub recent_next: usize,
    /// How many slots of `recent` hold a call.
    pub recent_len: usize,
    /// Where the debugger and core dumps find this thread stopped.
    pub slot: Arc<park::Slot>,
}

/// The slots of a ring of `RECENT` that holds `len` entries and writes
/// `next` next, oldest first.
fn ring_order(next: usize, len: usize) -> impl Iterator<Item = usize> {
    (RECENT - len.min(RECENT)..RECENT).map(move |i| (next + i) % RECENT)
}

impl Lwp {
    /// Remembers a finished call in the ring of recent calls.
    /// Field by field from the decoded arguments (which have long left the
    /// store buffer): building a whole `Recent` on the stack and copying it
    /// stalled on store forwarding, some 5 ns a call.
    pub fn remember(&mut self, args: &Args, res: SysResult) {
        let slot = &mut self.recent[self.recent_next % RECENT];
        slot.args = *args;
        slot.res = res;
        self.recent_next = (self.recent_next + 1) % RECENT;
        self.recent_len = (self.recent_len + 1).min(RECENT);
    }

    /// The recent calls, oldest first.
    pub fn recent_calls(&self) -> Vec<Recent> {
        ring_order(self.recent_next, self.recent_len).map(|i| self.recent[i]).collect()
    }

    /// The guest `%fs` base.
    pub fn guest_fs(&self) -> u64 {
        // SAFETY: the block outlives the Lwp (both are freed when the thread ends).
        unsafe { (*self.block).guest_fs }
    }

    /// Sets the guest `%fs` base; takes effect when the handler returns.
    pub fn set_guest_fs(&mut self, base: u64) {
        // SAFETY: the block belongs to this thread, which is the only writer.
        unsafe { (*self.block).guest_fs = base };
    }
}

/// Context a handler gets: the calling LWP and its saved host context.
#[derive(Debug)]
pub struct Ctx<'a> {
    /// Calling thread.
    pub lwp: &'a mut Lwp,
    /// The interrupted guest registers (host `ucontext_t`).
    pub uc: &'a mut libc::ucontext_t,
}

impl Ctx<'_> {
    /// A guest register from the saved context.
    pub fn reg(&self, r: libc::c_int) -> u64 {
        self.uc.uc_mcontext.gregs[r as usize] as u64
    }

    /// Sets a guest register in the saved context.
    pub fn set_reg(&mut self, r: libc::c_int, v: u64) {
        self.uc.uc_mcontext.gregs[r as usize] = v as i64;
    }
}

/// What other threads may know about an LWP.
#[derive(Debug, Clone)]
pub struct LwpInfo {
    /// Host thread id, for directed signals.
    pub host_tid: i32,
    /// The thread's pending signals.
    pub pending: Arc<PendingSet>,
    /// Set while the thread is in `execve`: no carrier may reach it then
    /// (one arriving as the new image starts would kill it).
    pub execing: bool,
    /// The title `lwp_setname` gave it (at most 1023 bytes), if any.
    pub title: Option<Arc<[u8]>>,
    /// The thread's stop state (`park`).
    pub slot: Arc<park::Slot>,
}

static LWPS: Global<Option<HashMap<i32, LwpInfo>>> = Global::new(30, None);
static LIVE: AtomicUsize = AtomicUsize::new(0);
static NEXT_TID: AtomicI32 = AtomicI32::new(1);

/// Highest LWP id before DragonFly wraps back to 1.
const TID_MAX: i32 = 0x3FFF_FFFF;

/// Allocates a new LWP id, unique among the live ones.
pub fn alloc_tid() -> i32 {
    let lwps = LWPS.lock();
    loop {
        let mut t = NEXT_TID.fetch_add(1, Ordering::Relaxed);
        if !(1..=TID_MAX).contains(&t) {
            NEXT_TID.store(2, Ordering::Relaxed);
            t = 1;
        }
        if lwps.as_ref().is_none_or(|m| !m.contains_key(&t)) {
            return t;
        }
    }
}

/// Records a thread as running guest code.
pub fn register(tid: i32, info: LwpInfo) {
    let mut lwps = LWPS.lock();
    lwps.get_or_insert_with(HashMap::new).insert(tid, info);
    LIVE.fetch_add(1, Ordering::SeqCst);
}

/// Forgets a thread. Returns true if it was the last live LWP, in which
/// case the process must exit.
pub fn unregister(tid: i32) -> bool {
    let mut lwps = LWPS.lock();
    if let Some(info) = lwps.as_mut().and_then(|m| m.remove(&tid)) {
        // Its context goes with its stack: the debugger must not read it.
        info.slot.retire();
    }
    LIVE.fetch_sub(1, Ordering::SeqCst) == 1
}

/// In a forked child: only the calling thread exists, keeping its LWP id.
pub fn reset_after_fork(tid: i32, info: LwpInfo) {
    let mut guard = LWPS.lock();
    let m = guard.get_or_insert_with(HashMap::new);
    m.clear();
    m.insert(tid, info);
    LIVE.store(1, Ordering::SeqCst);
}

/// Sends the carrier to LWP `tid` unless it is exec'ing. The sending is
/// done under the table's lock, so once `begin_exec` has returned no
/// carrier sent before it is still on its way.
pub fn send_carrier(tid: i32) {
    let lwps = LWPS.lock();
    // A thread still starting (host_tid 0) takes what is pending before
    // its first guest instruction.
    if let Some(info) = lwps.as_ref().and_then(|m| m.get(&tid))
        && !info.execing
        && info.host_tid != 0
    {
        let _ = crate::host::proc::tgkill(info.host_tid, crate::host::sig::CARRIER);
    }
}

/// Sends the carrier to every LWP but `me` that is not exec'ing.
pub fn send_carrier_to_others(me: i32) {
    let lwps = LWPS.lock();
    for (tid, info) in lwps.iter().flatten() {
        if *tid != me && !info.execing && info.host_tid != 0 {
            let _ = crate::host::proc::tgkill(info.host_tid, crate::host::sig::CARRIER);
        }
    }
}

/// Marks LWP `tid` (the caller) as exec'ing, or no longer.
pub fn set_execing(tid: i32, on: bool) {
    let mut lwps = LWPS.lock();
    if let Some(info) = lwps.as_mut().and_then(|m| m.get_mut(&tid)) {
        info.execing = on;
    }
}

/// Sets LWP `tid`'s title; false if there is no such LWP.
pub fn set_title(tid: i32, title: &[u8]) -> bool {
    let mut lwps = LWPS.lock();
    match lwps.as_mut().and_then(|m| m.get_mut(&tid)) {
        Some(info) => {
            info.title = Some(Arc::from(title));
            true
        }
        None => false,
    }
}

/// Looks up a live LWP. A new LWP's `host_tid` is 0 until its host
/// thread has started (`lwp_create` returns before): what needs the host
/// thread uses `lookup_started`.
pub fn lookup(tid: i32) -> Option<LwpInfo> {
    let lwps = LWPS.lock();
    lwps.as_ref().and_then(|m| m.get(&tid).cloned())
}

/// Records the host thread of a starting LWP; returns the title
/// `lwp_setname` gave it meanwhile, if any.
pub fn set_host_tid(tid: i32, host_tid: i32) -> Option<Arc<[u8]>> {
    let mut lwps = LWPS.lock();
    let info = lwps.as_mut().and_then(|m| m.get_mut(&tid))?;
    info.host_tid = host_tid;
    info.title.clone()
}

/// Looks up a live LWP whose host thread has started, waiting for a new
/// one to start (microseconds; it cannot fail to once created, and the
/// wait is bounded all the same).
pub fn lookup_started(tid: i32) -> Option<LwpInfo> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let info = lookup(tid)?;
        if info.host_tid != 0 || std::time::Instant::now() >= deadline {
            return Some(info).filter(|i| i.host_tid != 0);
        }
        std::thread::sleep(std::time::Duration::from_micros(50));
    }
}

/// Every live LWP, each once its host thread has started.
pub fn all_started() -> Vec<(i32, LwpInfo)> {
    all_tids().into_iter().filter_map(|(tid, _)| lookup_started(tid).map(|i| (tid, i))).collect()
}

/// Ids of all live LWPs.
pub fn all_tids() -> Vec<(i32, LwpInfo)> {
    let lwps = LWPS.lock();
    lwps.as_ref().map(|m| m.iter().map(|(k, v)| (*k, v.clone())).collect()).unwrap_or_default()
}

/// Linux thread id of the caller.
pub fn gettid() -> i32 {
    crate::host::proc::gettid()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recent_calls_come_oldest_first_before_and_after_the_ring_wraps() {
        assert_eq!(ring_order(0, 0).count(), 0);
        assert_eq!(ring_order(3, 3).collect::<Vec<_>>(), vec![0, 1, 2]);
        let full: Vec<_> = ring_order(5, RECENT).collect();
        assert_eq!(full.len(), RECENT);
        assert_eq!(full[0], 5);
        assert_eq!(full[RECENT - 1], 4);
    }
}
