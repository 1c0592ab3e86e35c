//! Which parts of the shared address space are the guest's. The guest and
//! godfly live in one host process, so `munmap`, `mprotect` or a fixed
//! `mmap` from the guest could otherwise hit godfly's own heap, stacks or
//! code (a double `munmap` in a broken program is enough once godfly has
//! reused the range). The guest owns what its `mmap` calls returned and
//! what the loader mapped for it; anything else looks unmapped to it, as it
//! would on DragonFly.

use std::collections::BTreeMap;
use std::sync::MutexGuard;

use crate::sync::Global;

use crate::host::Errno;
use crate::host::errno::{EINVAL, ENOMEM};
use crate::host::{ipc, mm};

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

static GUEST: Global<RangeSet> = Global::new(20, RangeSet { map: BTreeMap::new() });

/// The guest's ranges, locked: the only way to change a mapping in the
/// shared address space. Every method acts on the guest's own pieces and
/// nothing else, which is what makes the host calls underneath sound.
pub struct GuestMaps(MutexGuard<'static, RangeSet>);

impl std::ops::Deref for GuestMaps {
    type Target = RangeSet;
    fn deref(&self) -> &RangeSet {
        &self.0
    }
}

const PAGE: u64 = 4096;

/// The page-rounded end of `[addr, addr+len)`, saturating at the top.
pub fn page_end(addr: u64, len: u64) -> u64 {
    addr.saturating_add(len).saturating_add(PAGE - 1) & !(PAGE - 1)
}

impl GuestMaps {
    /// Records a mapping made for the guest.
    pub fn insert(&mut self, start: u64, end: u64) {
        self.0.insert(start, end);
    }

    /// Unmaps `[start, end)`, which must be all the guest's (EINVAL).
    pub fn unmap(&mut self, start: u64, end: u64) -> Result<(), Errno> {
        if !self.covers(start, end) {
            return Err(EINVAL);
        }
        // SAFETY: the whole range is the guest's.
        unsafe { mm::munmap(start, end - start) }?;
        self.0.remove(start, end);
        Ok(())
    }

    /// Changes the protection of the guest's pieces of `[start, end)`.
    pub fn protect(&self, start: u64, end: u64, prot: i32) -> Result<(), Errno> {
        for (s, e) in self.pieces(start, end) {
            // SAFETY: only the guest's pieces.
            unsafe { mm::mprotect(s, e - s, prot) }?;
        }
        Ok(())
    }

    /// Applies Linux advice to the guest's pieces of `[start, end)`.
    pub fn advise(&self, start: u64, end: u64, advice: i32) -> Result<(), Errno> {
        for (s, e) in self.pieces(start, end) {
            // SAFETY: only the guest's pieces.
            unsafe { mm::madvise(s, e - s, advice) }?;
        }
        Ok(())
    }

    /// Maps for the guest with Linux flags. A fixed mapping may take the
    /// guest's own memory and free space, never godfly's (ENOMEM): the
    /// parts the guest does not own are held with placeholders first, and
    /// after a failure the guest's old pieces stay held (older kernels
    /// unmap before they fail), so godfly's own allocations keep out.
    pub fn map(&mut self, addr: u64, len: u64, prot: i32, flags: i32, fd: i32, off: u64) -> Result<u64, Errno> {
        let fixed = flags & libc::MAP_FIXED != 0;
        if !fixed {
            let p = mm::mmap_free(addr, len as usize, prot, flags, fd, off)?;
            self.0.insert(p, page_end(p, len));
            return Ok(p);
        }
        let reserved = if addr.is_multiple_of(PAGE) { self.reserve_gaps(addr, len)? } else { Vec::new() };
        // SAFETY: the range is the guest's own memory plus the placeholders
        // just made for it.
        match unsafe { mm::mmap_fixed(addr, len as usize, prot, flags, fd, off) } {
            Ok(p) => {
                self.0.insert(p, page_end(p, len));
                Ok(p)
            }
            Err(e) => {
                for (s, end) in reserved {
                    // SAFETY: placeholders this call made.
                    let _ = unsafe { mm::munmap(s, end - s) };
                }
                for (s, end) in self.pieces(addr, page_end(addr, len)) {
                    // Fails (EEXIST) where the old mapping is still there.
                    let _ = mm::mmap_noreplace(s, (end - s) as usize, libc::PROT_NONE, PLACEHOLDER, -1, 0);
                }
                Err(e)
            }
        }
    }

    /// Holds the parts of `[addr, addr+len)` the guest does not own with
    /// placeholders; ENOMEM when godfly's memory is there.
    fn reserve_gaps(&self, addr: u64, len: u64) -> Result<Vec<(u64, u64)>, Errno> {
        let mut held = Vec::new();
        for (s, e) in self.gaps(addr, page_end(addr, len)) {
            if mm::mmap_noreplace(s, (e - s) as usize, libc::PROT_NONE, PLACEHOLDER, -1, 0).is_err() {
                for (hs, he) in held {
                    // SAFETY: placeholders this call made.
                    let _ = unsafe { mm::munmap(hs, he - hs) };
                }
                return Err(ENOMEM);
            }
            held.push((s, e));
        }
        Ok(held)
    }
}

impl GuestMaps {
    /// Attaches System V segment `id` (of `size` bytes) for the guest, at
    /// `addr` or where the kernel finds room; never above `top` (ENOMEM).
    /// Linux's shmat without SHM_REMAP replaces no mapping, so it cannot
    /// take godfly's memory (nor the guest's: EINVAL there).
    pub fn shm_attach(&mut self, id: i32, addr: u64, flags: i32, size: u64, top: u64) -> Result<u64, Errno> {
        // SAFETY: without SHM_REMAP the kernel maps only free space.
        let p = unsafe { ipc::shmat(id, addr, flags & !libc::SHM_REMAP) }?;
        let end = page_end(p, size);
        if end > top {
            // SAFETY: the segment just attached, in free space.
            let _ = unsafe { ipc::shmdt(p) };
            return Err(ENOMEM);
        }
        self.0.insert(p, end);
        Ok(p)
    }

    /// Detaches the System V segment the guest attached at `addr`
    /// (EINVAL when there is none): every piece Linux's shmdt removes.
    pub fn shm_detach(&mut self, addr: u64) -> Result<(), Errno> {
        let maps = std::fs::read_to_string("/proc/self/maps").unwrap_or_default();
        let pieces = sysv_pieces(&maps, addr);
        if pieces.is_empty() || pieces.iter().any(|&(s, e)| !self.covers(s, e)) {
            return Err(EINVAL);
        }
        // SAFETY: a segment attached at addr, every piece of it the guest's.
        unsafe { ipc::shmdt(addr) }?;
        for (s, e) in pieces {
            self.0.remove(s, e);
        }
        Ok(())
    }
}

/// The pieces of the System V segment attached at `start`, from a
/// `/proc/self/maps` text, as Linux's shmdt finds them: the mapping that
/// starts there at file offset 0, then every later one of the same inode
/// whose offset is its distance from `start` (a range unmapped in the
/// middle leaves a gap; a second attach right after starts at offset 0
/// again and is not one of them), up to the segment's size, which the
/// pieces themselves bound. Empty when no segment starts at `start`.
pub fn sysv_pieces(maps: &str, start: u64) -> Vec<(u64, u64)> {
    let mut out = Vec::new();
    let mut inode: Option<String> = None;
    for line in maps.lines() {
        let mut f = line.split_whitespace();
        let (Some(range), Some(_perms), Some(off), Some(_dev), Some(ino)) =
            (f.next(), f.next(), f.next(), f.next(), f.next())
        else {
            continue;
        };
        if !f.next().unwrap_or("").starts_with("/SYSV") {
            continue;
        }
        let Some((a, b)) = range.split_once('-') else { continue };
        let (Ok(a), Ok(b), Ok(off)) =
            (u64::from_str_radix(a, 16), u64::from_str_radix(b, 16), u64::from_str_radix(off, 16))
        else {
            continue;
        };
        match &inode {
            None if a == start && off == 0 => {
                inode = Some(ino.to_string());
                out.push((a, b));
            }
            Some(i) if i == ino && a > start && off == a - start => out.push((a, b)),
            _ => {}
        }
    }
    out
}

/// Flags of a placeholder mapping.
const PLACEHOLDER: i32 = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS;

/// Whether `[start, end)` is all the guest's memory.
pub fn guest_covers(start: u64, end: u64) -> bool {
    GUEST.lock().covers(start, end)
}

/// The guest's ranges, locked.
pub fn guest() -> GuestMaps {
    GuestMaps(GUEST.lock())
}

/// Guest code godfly maps for itself: the fast path's stub page. The
/// guest runs it but does not own it.
static STUB_PAGES: Global<RangeSet> = Global::new(21, RangeSet { map: BTreeMap::new() });

/// Records the stub page.
pub fn add_stub_page(start: u64, len: u64) {
    STUB_PAGES.lock().insert(start, start.saturating_add(len));
}

/// Changes the protection of memory godfly mapped for the guest: the
/// guest's own ranges, or the stub page; nothing else (EINVAL).
pub fn protect_mapped(start: u64, end: u64, prot: i32) -> Result<(), Errno> {
    let guest = guest();
    let stubs = STUB_PAGES.lock();
    if !guest.covers(start, end) && !stubs.covers(start, end) {
        return Err(EINVAL);
    }
    // SAFETY: the whole range was mapped for the guest, by the loader or
    // the fast path; nothing of Rust's lives there.
    unsafe { mm::mprotect(start, end - start, prot) }
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

    #[test]
    fn shmdt_finds_every_piece_of_the_segment_and_no_other_attach() {
        let maps = "7f0000000000-7f0000001000 rw-s 00000000 00:01 42                         /SYSV0000abcd (deleted)\n\
                    7f0000001000-7f0000002000 r--s 00001000 00:01 42                         /SYSV0000abcd (deleted)\n\
                    7f0000003000-7f0000004000 rw-s 00003000 00:01 42                         /SYSV0000abcd (deleted)\n\
                    7f0000004000-7f0000005000 rw-s 00000000 00:01 42                         /SYSV0000abcd (deleted)\n\
                    7f0000005000-7f0000006000 rw-p 00000000 00:00 0\n";
        // Two pieces, a page unmapped between, then the third piece; the
        // mapping at 0x4000 is a second attach of the same segment.
        assert_eq!(
            sysv_pieces(maps, 0x7f00_0000_0000),
            vec![
                (0x7f00_0000_0000, 0x7f00_0000_1000),
                (0x7f00_0000_1000, 0x7f00_0000_2000),
                (0x7f00_0000_3000, 0x7f00_0000_4000)
            ]
        );
        assert_eq!(sysv_pieces(maps, 0x7f00_0000_4000), vec![(0x7f00_0000_4000, 0x7f00_0000_5000)]);
        assert!(sysv_pieces(maps, 0x7f00_0000_1000).is_empty(), "not where an attach starts");
        assert!(sysv_pieces(maps, 0x7f00_0000_5000).is_empty());
    }
}
