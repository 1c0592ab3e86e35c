//! godfly's process-wide state, fork-safe by construction.
//!
//! A guest `fork` runs in one thread while others may hold godfly's locks;
//! the child gets a copy of memory with those locks held by threads that
//! do not exist there. So every global lock of godfly is a [`Global`]:
//! the first lock registers it, and `fork` holds every registered one
//! (in rank order, so that a thread taking two in rank order cannot
//! deadlock against it) across the host fork. Every value set once is a
//! [`Startup`], set before the first guest thread exists, so no fork can
//! find one half-initialised. A test (`tests/fork_safety.rs`) keeps other
//! kinds of global state out of the code.

use std::any::Any;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock};

/// A global lock that `fork` holds.
#[derive(Debug)]
pub struct Global<T> {
    rank: u8,
    registered: AtomicBool,
    m: Mutex<T>,
}

trait ForkLock: Sync {
    fn rank(&self) -> u8;
    fn hold(&'static self) -> Box<dyn Any>;
}

impl<T: Send + 'static> ForkLock for Global<T> {
    fn rank(&self) -> u8 {
        self.rank
    }

    fn hold(&'static self) -> Box<dyn Any> {
        Box::new(self.m.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// Every `Global` locked at least once. This one lock is std's own: it
/// is taken only to register and by `fork`, never while a `Global` is held.
static REGISTRY: Mutex<Vec<&'static dyn ForkLock>> = Mutex::new(Vec::new());

fn registry() -> MutexGuard<'static, Vec<&'static dyn ForkLock>> {
    REGISTRY.lock().unwrap_or_else(|e| e.into_inner())
}

impl<T: Send + 'static> Global<T> {
    /// A lock of `rank`: code that holds two locks takes the lower rank first.
    pub const fn new(rank: u8, value: T) -> Self {
        Global { rank, registered: AtomicBool::new(false), m: Mutex::new(value) }
    }

    /// Locks it (a poisoned lock is taken over: godfly's state stays usable
    /// after a panic, which ends the process with a report anyway).
    pub fn lock(&'static self) -> MutexGuard<'static, T> {
        if !self.registered.load(Ordering::Acquire) {
            let mut r = registry();
            if !self.registered.load(Ordering::Relaxed) {
                r.push(self);
                self.registered.store(true, Ordering::Release);
            }
        }
        self.m.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Every `Global` held, for the length of a fork.
pub struct Held {
    guards: Vec<Box<dyn Any>>,
    _registry: MutexGuard<'static, Vec<&'static dyn ForkLock>>,
}

impl std::fmt::Debug for Held {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Held({} locks)", self.guards.len())
    }
}

/// Takes every registered `Global`, lowest rank first. Dropping the result
/// releases them (in the parent, and in the child, where this thread is
/// the only one and holds them all).
pub fn hold_all_for_fork() -> Held {
    let reg = registry();
    let mut locks: Vec<&'static dyn ForkLock> = reg.iter().copied().collect();
    locks.sort_by_key(|l| l.rank());
    let guards = locks.iter().map(|l| l.hold()).collect();
    Held { guards, _registry: reg }
}

static SEALED: AtomicBool = AtomicBool::new(false);

/// A value set once, before the first guest thread exists; read without a
/// lock afterwards.
#[derive(Debug)]
pub struct Startup<T> {
    cell: OnceLock<T>,
}

impl<T> Startup<T> {
    /// An unset value.
    pub const fn new() -> Self {
        Startup { cell: OnceLock::new() }
    }

    /// Sets the value; a second set, or one after `seal`, is refused
    /// (`Err` with the value) and leaves the first.
    pub fn set(&self, v: T) -> Result<(), T> {
        if SEALED.load(Ordering::Acquire) {
            return Err(v);
        }
        self.cell.set(v)
    }

    /// The value, if set.
    pub fn get(&self) -> Option<&T> {
        self.cell.get()
    }
}

impl<T> Default for Startup<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// Marks the start of guest code: no `Startup` value can be set after.
pub fn seal() {
    SEALED.store(true, Ordering::Release);
}

#[cfg(test)]
mod tests {
    use super::*;

    static A: Global<u32> = Global::new(2, 0);
    static B: Global<u32> = Global::new(1, 0);

    #[test]
    fn globals_register_on_first_use_and_fork_holds_them_in_rank_order() {
        *A.lock() += 1;
        *B.lock() += 1;
        let held = hold_all_for_fork();
        assert!(held.guards.len() >= 2);
        // Both are held: another thread cannot take them now.
        let t = std::thread::spawn(|| A.m.try_lock().is_err() && B.m.try_lock().is_err());
        assert!(t.join().unwrap());
        drop(held);
        assert_eq!(*A.lock(), 1);
    }

    #[test]
    fn startup_values_are_set_once() {
        let s: Startup<u8> = Startup::new();
        assert_eq!(s.set(1), Ok(()));
        assert_eq!(s.set(2), Err(2));
        assert_eq!(s.get(), Some(&1));
    }
}
