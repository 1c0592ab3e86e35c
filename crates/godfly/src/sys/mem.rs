//! Address-space calls: `mmap`, `munmap`, `mprotect`, `madvise`, `msync`,
//! `mlock`, `munlock`, `mincore`. Linux: the same calls with translated
//! flags and advice, applied only to the guest's own ranges
//! (`mem::owned`): the rest of the address space is godfly's and looks
//! unmapped to the guest, with DragonFly's answers for unmapped memory
//! (munmap/msync EINVAL, mprotect/madvise 0, mincore "not resident",
//! mlock ENOMEM). Ranges are page-rounded the BSD way.

use godfly_abi::consts as d;
use godfly_abi::errno::{EINVAL, ENOMEM, Errno};

use crate::dispatch::{Args, Ctx, SysResult, ok};
use crate::host;
use crate::mem::owned;
use crate::xlat::mmap as xm;

/// Top of DragonFly's user address space (`VM_MAX_USER_ADDRESS`).
pub const VM_MAX_USER_ADDRESS: u64 = 0x7FFF_FFE0_0000;

const PAGE: u64 = 4096;

/// The page-rounded span of `[addr, addr+len)`, BSD style (the start
/// rounded down, the end up); EINVAL past the user address space.
pub fn span(addr: u64, len: u64) -> Result<(u64, u64), Errno> {
    let start = addr & !(PAGE - 1);
    let end = addr.checked_add(len).and_then(|e| e.checked_add(PAGE - 1)).ok_or(EINVAL)? & !(PAGE - 1);
    if end > VM_MAX_USER_ADDRESS {
        return Err(EINVAL);
    }
    Ok((start, end))
}

/// The page-rounded end of `[addr, addr+len)`, saturating at the top.
fn page_end(addr: u64, len: u64) -> u64 {
    addr.saturating_add(len).saturating_add(PAGE - 1) & !(PAGE - 1)
}

/// `mmap(addr, len, prot, flags, fd, pad, pos)`, DragonFly 197: seven
/// arguments, `pos` on the guest stack.
pub fn mmap(_: &mut Ctx, a: &Args) -> SysResult {
    let (addr, len, prot, flags, fd) = (a.ptr(0), a.usize(1), a.int(2), a.int(3), a.int(4));
    let pos = a.slot(6)?;
    if len == 0 {
        return Err(EINVAL);
    }
    let mf = xm::flags_to_linux(flags).ok_or(EINVAL)?;
    let lprot = xm::prot_to_linux(prot).ok_or(EINVAL)?;
    if mf.anon && (fd != -1 || pos != 0) {
        return Err(EINVAL);
    }
    let fixed = flags & d::MAP_FIXED != 0;
    if fixed && addr.checked_add(len as u64).is_none_or(|end| end > VM_MAX_USER_ADDRESS) {
        return Err(EINVAL);
    }
    let lfd = if mf.anon { u64::MAX } else { fd as u64 };
    // A hint above DragonFly's user space would be honoured by Linux and
    // give the guest memory it could never unmap: no hint then.
    let addr =
        if !fixed && addr.checked_add(len as u64).is_none_or(|end| end > VM_MAX_USER_ADDRESS) { 0 } else { addr };
    let mut guest = owned::guest();
    let reserved = if fixed && addr % PAGE == 0 { reserve_gaps(&guest, addr, len as u64)? } else { Vec::new() };
    let p = match host::sys(libc::SYS_mmap, &[addr, len as u64, lprot as u64, mf.linux as u64, lfd, pos]) {
        Ok(p) => p,
        Err(e) => {
            for (s, e) in reserved {
                let _ = host::sys(libc::SYS_munmap, &[s, e - s]);
            }
            if fixed {
                hold_lost_pieces(&guest, addr, len as u64);
            }
            return Err(e);
        }
    };
    guest.insert(p, page_end(p, len as u64));
    drop(guest);
    if mf.nocore {
        let _ = host::sys(libc::SYS_madvise, &[p, len as u64, libc::MADV_DONTDUMP as u64]);
    }
    ok(p)
}

/// Before a fixed mapping: the parts of the range the guest does not own
/// must be free (not godfly's), and are held with placeholder mappings
/// until the real one replaces them. ENOMEM when godfly's memory is there:
/// the guest cannot have that range.
fn reserve_gaps(guest: &owned::RangeSet, addr: u64, len: u64) -> Result<Vec<(u64, u64)>, Errno> {
    let end = page_end(addr, len);
    let mut held = Vec::new();
    for (s, e) in guest.gaps(addr, end) {
        if crate::mem::map_fixed(s, (e - s) as usize, libc::PROT_NONE, -1, 0).is_err() {
            for (hs, he) in held {
                let _ = host::sys(libc::SYS_munmap, &[hs, he - hs]);
            }
            return Err(ENOMEM);
        }
        held.push((s, e));
    }
    Ok(held)
}

/// After a failed fixed mapping, the guest's old mappings in the range may
/// be gone (older Linux kernels unmap first). Their pieces stay the
/// guest's: a placeholder keeps godfly's own allocations out of them.
fn hold_lost_pieces(guest: &owned::RangeSet, addr: u64, len: u64) {
    let end = page_end(addr, len);
    for (s, e) in guest.pieces(addr, end) {
        // Fails (EEXIST) where the old mapping is still there: nothing to do.
        let _ = crate::mem::map_fixed(s, (e - s) as usize, libc::PROT_NONE, -1, 0);
    }
}

/// munmap(2), DragonFly 73: EINVAL unless the whole range is mapped; a
/// length of 0 does nothing.
pub fn munmap(_: &mut Ctx, a: &Args) -> SysResult {
    let (start, end) = span(a.ptr(0), a.u64(1))?;
    if start == end {
        return ok(0u64); // DragonFly: nothing to unmap
    }
    let mut guest = owned::guest();
    if !guest.covers(start, end) {
        return Err(EINVAL);
    }
    host::sys(libc::SYS_munmap, &[start, end - start])?;
    guest.remove(start, end);
    ok(0u64)
}

/// mprotect(2), DragonFly 74: the mapped parts change, unmapped ones are
/// skipped (0), and the range is clamped to the user address space.
pub fn mprotect(_: &mut Ctx, a: &Args) -> SysResult {
    let prot = xm::prot_to_linux(a.int(2)).ok_or(EINVAL)?;
    let start = a.ptr(0) & !(PAGE - 1);
    // A range that wraps is EINVAL; one past the top is clamped to it.
    let end = a.ptr(0).checked_add(a.u64(1)).and_then(|e| e.checked_add(PAGE - 1)).ok_or(EINVAL)? & !(PAGE - 1);
    let end = end.min(VM_MAX_USER_ADDRESS);
    let guest = owned::guest();
    for (s, e) in guest.pieces(start, end) {
        host::sys(libc::SYS_mprotect, &[s, e - s, prot as u64])?;
    }
    ok(0u64)
}

/// madvise(2), DragonFly 75. MADV_FREE is 5 on DragonFly and 8 on Linux.
pub fn madvise(_: &mut Ctx, a: &Args) -> SysResult {
    let adv = xm::advice_to_linux(a.int(2)).ok_or(EINVAL)?;
    let (start, end) = span(a.ptr(0), a.u64(1))?;
    let xm::Advice::Linux(adv) = adv else { return ok(0u64) };
    let guest = owned::guest();
    for (s, e) in guest.pieces(start, end) {
        host::sys(libc::SYS_madvise, &[s, e - s, adv as u64])?;
    }
    ok(0u64)
}

/// msync(2), DragonFly 65. MS_ASYNC 1 and MS_INVALIDATE 2 match Linux;
/// DragonFly's MS_SYNC is 0, Linux's is 4. EINVAL unless all mapped.
pub fn msync(_: &mut Ctx, a: &Args) -> SysResult {
    let fl = a.int(2);
    if fl & !(d::MS_ASYNC | d::MS_INVALIDATE) != 0 || (fl & d::MS_ASYNC != 0 && fl & d::MS_INVALIDATE != 0) {
        return Err(EINVAL);
    }
    let lfl = if fl & d::MS_ASYNC != 0 { libc::MS_ASYNC } else { libc::MS_SYNC } | (fl & d::MS_INVALIDATE);
    let (start, end) = span(a.ptr(0), a.u64(1))?;
    let guest = owned::guest();
    if !guest.covers(start, end) {
        return Err(EINVAL);
    }
    ok(host::sys(libc::SYS_msync, &[start, end - start, lfl as u64])?)
}

fn lock_common(nr: i64, a: &Args) -> SysResult {
    let (start, end) = span(a.ptr(0), a.u64(1))?;
    let guest = owned::guest();
    if !guest.covers(start, end) {
        return Err(ENOMEM);
    }
    ok(host::sys(nr, &[start, end - start])?)
}

/// mlock(2), DragonFly 203: ENOMEM for memory that is not mapped.
pub fn mlock(_: &mut Ctx, a: &Args) -> SysResult {
    lock_common(libc::SYS_mlock, a)
}

/// munlock(2), DragonFly 204.
pub fn munlock(_: &mut Ctx, a: &Args) -> SysResult {
    lock_common(libc::SYS_munlock, a)
}

/// mincore(2), DragonFly 78: one byte per page, bit 0 = resident on both;
/// pages that are not mapped read as not resident. As DragonFly, the pages
/// are `round_page(len) / PAGE` from the page holding `addr`.
pub fn mincore(_: &mut Ctx, a: &Args) -> SysResult {
    let start = a.ptr(0) & !(PAGE - 1);
    let pages = a.u64(1).checked_add(PAGE - 1).ok_or(EINVAL)? / PAGE;
    let end = pages.checked_mul(PAGE).and_then(|l| start.checked_add(l)).ok_or(EINVAL)?;
    if end > VM_MAX_USER_ADDRESS {
        return Err(EINVAL);
    }
    let vec = a.ptr(2);
    let guest = owned::guest();
    if guest.covers(start, end) {
        return ok(host::sys(libc::SYS_mincore, &[start, end - start, vec])?);
    }
    // In chunks, so that the guest's length never sizes godfly's buffers.
    const CHUNK: u64 = 64 * 1024;
    let mut at = start;
    while at < end {
        let stop = end.min(at + CHUNK * PAGE);
        let mut out = vec![0u8; ((stop - at) / PAGE) as usize];
        for (s, e) in guest.pieces(at, stop) {
            let off = ((s - at) / PAGE) as usize;
            host::sys(libc::SYS_mincore, &[s, e - s, out[off..].as_mut_ptr() as u64])?;
        }
        crate::mem::write_bytes(vec + (at - start) / PAGE, &out)?;
        at = stop;
    }
    ok(0u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_round_the_bsd_way_and_stop_at_the_top_of_user_space() {
        assert_eq!(span(0x1234, 1), Ok((0x1000, 0x2000)));
        assert_eq!(span(0x1000, 0x1000), Ok((0x1000, 0x2000)));
        assert_eq!(span(0x1fff, 2), Ok((0x1000, 0x3000)));
        assert_eq!(span(0xffff_8000_0000_0000, 4096), Err(EINVAL));
        assert_eq!(span(u64::MAX - 10, 100), Err(EINVAL));
    }
}
