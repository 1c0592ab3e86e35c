//! Signals waiting for a guest thread or for the whole process, with
//! what the handler's `siginfo` will say. Sets hold guest signal numbers.

use godfly_abi::bsd::Sigset;
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// Facts about a signal for the handler's `siginfo_t`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SigInfo {
    /// The guest's `si_code`.
    pub code: i32,
    /// Sender's pid (0 for the kernel).
    pub pid: i32,
    /// Sender's uid.
    pub uid: u32,
    /// Fault address.
    pub addr: u64,
    /// Trap number, for `mc_trapno`.
    pub trapno: u64,
    /// Error code, for `mc_err`.
    pub err: u64,
}

/// Signals waiting for delivery, with what the handler's `siginfo` says.
/// Its lock is not a `sync::Global`: a thread's own set and the process
/// set are the two `fork` holds by name (`sys::proc::fork`).
#[derive(Debug, Default)]
pub struct PendingSet {
    any: AtomicBool,
    sigs: Mutex<BTreeMap<u32, SigInfo>>,
}

impl PendingSet {
    /// An empty set.
    pub const fn new() -> Self {
        PendingSet { any: AtomicBool::new(false), sigs: Mutex::new(BTreeMap::new()) }
    }

    /// Adds a signal (one instance per number, as BSD keeps them).
    pub fn add(&self, sig: u32, info: SigInfo) {
        self.sigs.lock().unwrap_or_else(|e| e.into_inner()).entry(sig).or_insert(info);
        self.any.store(true, Ordering::Release);
    }

    /// Takes the lowest signal not in `mask`.
    pub fn take_unblocked(&self, mask: &Sigset) -> Option<(u32, SigInfo)> {
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
    pub fn has_unblocked(&self, mask: &Sigset) -> bool {
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

    /// The lowest waiting signal not in `mask`, left in place.
    pub fn first_unblocked(&self, mask: &Sigset) -> Option<u32> {
        self.sigs.lock().unwrap_or_else(|e| e.into_inner()).keys().copied().find(|&s| !sigismember(mask, s))
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
pub static PROCESS_PENDING: PendingSet = PendingSet::new();

/// Whether `sig` is in `set` (signal n is bit n-1, as on the BSDs).
pub fn sigismember(set: &Sigset, sig: u32) -> bool {
    let i = sig.wrapping_sub(1);
    i < 128 && set.bits[(i / 32) as usize] & (1 << (i % 32)) != 0
}

/// Adds `sig` to `set`.
pub fn sigadd(set: &mut Sigset, sig: u32) {
    let i = sig.wrapping_sub(1);
    if i < 128 {
        set.bits[(i / 32) as usize] |= 1 << (i % 32);
    }
}

/// Removes `sig` from `set`.
pub fn sigdel(set: &mut Sigset, sig: u32) {
    let i = sig.wrapping_sub(1);
    if i < 128 {
        set.bits[(i / 32) as usize] &= !(1 << (i % 32));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sigset_bits_follow_the_bsd_layout() {
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
}
