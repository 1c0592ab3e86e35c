//! Which parts of the shared address space are the guest's. The guest and
//! godfly live in one host process, so `munmap`, `mprotect` or a fixed
//! `mmap` from the guest could otherwise hit godfly's own heap, stacks or
//! code (a double `munmap` in a broken program is enough once godfly has
//! reused the range). The guest owns what its `mmap` calls returned and
//! what the loader mapped for it; anything else looks unmapped to it, as it
//! would on DragonFly.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

/// Disjoint, non-adjacent half-open ranges `[start, end)`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RangeSet {
    /// start → end.
    map: BTreeMap<u64, u64>,
}

impl RangeSet {
    /// Adds `[start, end)`, merging with neighbours.
    pub fn insert(&mut self, mut start: u64, mut end: u64) {
        if start >= end {
            return;
        }
        // Absorb every range that overlaps or touches.
        let touching: Vec<(u64, u64)> =
            self.map.range(..=end).rev().take_while(|&(_, &e)| e >= start).map(|(&s, &e)| (s, e)).collect();
        for (s, e) in touching {
            self.map.remove(&s);
            start = start.min(s);
            end = end.max(e);
        }
        self.map.insert(start, end);
    }

    /// Removes `[start, end)`, splitting ranges that stick out.
    pub fn remove(&mut self, start: u64, end: u64) {
        if start >= end {
            return;
        }
        let hit: Vec<(u64, u64)> =
            self.map.range(..end).rev().take_while(|&(_, &e)| e > start).map(|(&s, &e)| (s, e)).collect();
        for (s, e) in hit {
            self.map.remove(&s);
            if s < start {
                self.map.insert(s, start);
            }
            if e > end {
                self.map.insert(end, e);
            }
        }
    }

    /// The covered parts of `[start, end)`, in order.
    pub fn pieces(&self, start: u64, end: u64) -> Vec<(u64, u64)> {
        let mut out: Vec<(u64, u64)> = self
            .map
            .range(..end)
            .rev()
            .take_while(|&(_, &e)| e > start)
            .map(|(&s, &e)| (s.max(start), e.min(end)))
            .collect();
        out.reverse();
        out
    }

    /// The uncovered parts of `[start, end)`, in order.
    pub fn gaps(&self, start: u64, end: u64) -> Vec<(u64, u64)> {
        let mut out = Vec::new();
        let mut at = start;
        for (s, e) in self.pieces(start, end) {
            if s > at {
                out.push((at, s));
            }
            at = e;
        }
        if at < end {
            out.push((at, end));
        }
        out
    }

    /// Whether all of `[start, end)` is covered.
    pub fn covers(&self, start: u64, end: u64) -> bool {
        start >= end || self.gaps(start, end).is_empty()
    }

    /// The ranges, in order.
    pub fn ranges(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.map.iter().map(|(&s, &e)| (s, e))
    }
}

static GUEST: Mutex<RangeSet> = Mutex::new(RangeSet { map: BTreeMap::new() });

/// The guest's ranges, locked.
pub fn guest() -> MutexGuard<'static, RangeSet> {
    GUEST.lock().unwrap_or_else(|e| e.into_inner())
}

/// Held across `fork`, so that the child finds the set unlocked and whole.
pub fn lock_for_fork() -> MutexGuard<'static, RangeSet> {
    guest()
}

/// Records memory mapped for the guest (by the loader or its own `mmap`).
pub fn add(start: u64, len: u64) {
    guest().insert(start, start.saturating_add(len));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_merges_touching_and_overlapping_ranges() {
        let mut r = RangeSet::default();
        r.insert(0x1000, 0x2000);
        r.insert(0x3000, 0x4000);
        r.insert(0x2000, 0x3000);
        assert_eq!(r.ranges().collect::<Vec<_>>(), vec![(0x1000, 0x4000)]);
        r.insert(0x800, 0x1800);
        assert_eq!(r.ranges().collect::<Vec<_>>(), vec![(0x800, 0x4000)]);
    }

    #[test]
    fn remove_splits_and_gaps_show_the_holes() {
        let mut r = RangeSet::default();
        r.insert(0x1000, 0x5000);
        r.remove(0x2000, 0x3000);
        assert_eq!(r.ranges().collect::<Vec<_>>(), vec![(0x1000, 0x2000), (0x3000, 0x5000)]);
        assert_eq!(r.gaps(0x0, 0x6000), vec![(0x0, 0x1000), (0x2000, 0x3000), (0x5000, 0x6000)]);
        assert_eq!(r.pieces(0x1800, 0x3800), vec![(0x1800, 0x2000), (0x3000, 0x3800)]);
        assert!(r.covers(0x3000, 0x5000));
        assert!(!r.covers(0x1000, 0x3001));
        assert!(r.covers(0x4000, 0x4000));
    }
}
