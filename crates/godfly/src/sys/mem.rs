//! Address-space calls: `mmap`, `munmap`, `mprotect`, `madvise`, `msync`,
//! `mlock`, `munlock`, `mincore`. Linux: the same calls with translated
//! flags and advice, applied only to the guest's own ranges
//! (`mem::owned`): the rest of the address space is godfly's and looks
//! unmapped to the guest, with DragonFly's answers for unmapped memory
//! (munmap/msync EINVAL, mprotect/madvise 0, mincore "not resident",
//! mlock ENOMEM). Ranges are page-rounded the BSD way.

use crate::call::{Args, SysResult, ok};
use crate::host::errno::{EINVAL, ENOMEM};
use crate::host::{Errno, GuestPtr, mm};
use crate::mem::owned;
use crate::personality;
use crate::thread::Ctx;
use crate::xlat::Advice;

const PAGE: u64 = 4096;

/// Top of the guest's user address space (`VM_MAX_USER_ADDRESS`).
fn max_user() -> u64 {
    personality::current().image.max_user_address
}

/// The page-rounded span of `[addr, addr+len)`, BSD style (the start
/// rounded down, the end up); EINVAL past the user address space `top`.
pub fn span(addr: u64, len: u64, top: u64) -> Result<(u64, u64), Errno> {
    let start = addr & !(PAGE - 1);
    let end = addr.checked_add(len).and_then(|e| e.checked_add(PAGE - 1)).ok_or(EINVAL)? & !(PAGE - 1);
    if end > top {
        return Err(EINVAL);
    }
    Ok((start, end))
}

/// `mmap(addr, len, prot, flags, fd, pad, pos)`: seven arguments, `pos`
/// on the guest stack.
pub fn mmap(_: &mut Ctx, a: &Args) -> SysResult {
    map(a, a.slot(6)?)
}

/// mmap(2) with the file offset `pos` (where the guest's argument list
/// puts it: after a padding slot on DragonFly, sixth on FreeBSD).
pub fn map(a: &Args, pos: u64) -> SysResult {
    let p = personality::current();
    let (addr, len, prot, flags, fd) = (a.ptr(0), a.usize(1), a.int(2), a.int(3), a.int(4));
    if len == 0 {
        return Err(EINVAL);
    }
    let mf = (p.memory.map_flags)(flags).ok_or(EINVAL)?;
    let lprot = (p.memory.prot)(prot).ok_or(EINVAL)?;
    if mf.anon && (fd != -1 || pos != 0) {
        return Err(EINVAL);
    }
    let fixed = mf.linux & libc::MAP_FIXED != 0;
    let top = max_user();
    if fixed && addr.checked_add(len as u64).is_none_or(|end| end > top) {
        return Err(EINVAL);
    }
    let lfd = if mf.anon { -1 } else { fd };
    // A hint above the guest's user space would be honoured by Linux and
    // give the guest memory it could never unmap: no hint then.
    let addr = if !fixed && addr.checked_add(len as u64).is_none_or(|end| end > top) { 0 } else { addr };
    let mut guest = owned::guest();
    let got = guest.map(addr, len as u64, lprot, mf.linux, lfd, pos)?;
    if mf.nocore {
        let _ = guest.advise(got, owned::page_end(got, len as u64), libc::MADV_DONTDUMP);
    }
    ok(got)
}

/// munmap(2): EINVAL unless the whole range is mapped; a length of 0 does
/// nothing.
pub fn munmap(_: &mut Ctx, a: &Args) -> SysResult {
    let (start, end) = span(a.ptr(0), a.u64(1), max_user())?;
    if start == end {
        return ok(0u64); // the BSDs: nothing to unmap
    }
    owned::guest().unmap(start, end)?;
    ok(0u64)
}

/// mprotect(2): the mapped parts change, unmapped ones are skipped (0),
/// and the range is clamped to the user address space.
pub fn mprotect(_: &mut Ctx, a: &Args) -> SysResult {
    let prot = (personality::current().memory.prot)(a.int(2)).ok_or(EINVAL)?;
    let start = a.ptr(0) & !(PAGE - 1);
    // A range that wraps is EINVAL; one past the top is clamped to it.
    let end = a.ptr(0).checked_add(a.u64(1)).and_then(|e| e.checked_add(PAGE - 1)).ok_or(EINVAL)? & !(PAGE - 1);
    let end = end.min(max_user());
    owned::guest().protect(start, end, prot)?;
    ok(0u64)
}

/// madvise(2).
pub fn madvise(_: &mut Ctx, a: &Args) -> SysResult {
    let adv = (personality::current().memory.advice)(a.int(2)).ok_or(EINVAL)?;
    let (start, end) = span(a.ptr(0), a.u64(1), max_user())?;
    let Advice::Linux(adv) = adv else { return ok(0u64) };
    owned::guest().advise(start, end, adv)?;
    ok(0u64)
}

/// msync(2): EINVAL unless all mapped.
pub fn msync(_: &mut Ctx, a: &Args) -> SysResult {
    let lfl = (personality::current().memory.msync)(a.int(2)).ok_or(EINVAL)?;
    let (start, end) = span(a.ptr(0), a.u64(1), max_user())?;
    let guest = owned::guest();
    if !guest.covers(start, end) {
        return Err(EINVAL);
    }
    mm::msync(start, end - start, lfl)?;
    ok(0u64)
}

fn lock_common(a: &Args, f: fn(u64, u64) -> Result<(), Errno>) -> SysResult {
    let (start, end) = span(a.ptr(0), a.u64(1), max_user())?;
    let guest = owned::guest();
    if !guest.covers(start, end) {
        return Err(ENOMEM);
    }
    f(start, end - start)?;
    ok(0u64)
}

/// mlock(2): ENOMEM for memory that is not mapped.
pub fn mlock(_: &mut Ctx, a: &Args) -> SysResult {
    lock_common(a, mm::mlock)
}

/// munlock(2).
pub fn munlock(_: &mut Ctx, a: &Args) -> SysResult {
    lock_common(a, mm::munlock)
}

/// mincore(2): one byte per page, bit 0 = resident on both; pages that
/// are not mapped read as not resident. As on the BSDs, the pages are
/// `round_page(len) / PAGE` from the page holding `addr`.
pub fn mincore(_: &mut Ctx, a: &Args) -> SysResult {
    let start = a.ptr(0) & !(PAGE - 1);
    let pages = a.u64(1).checked_add(PAGE - 1).ok_or(EINVAL)? / PAGE;
    let end = pages.checked_mul(PAGE).and_then(|l| start.checked_add(l)).ok_or(EINVAL)?;
    if end > max_user() {
        return Err(EINVAL);
    }
    let vec = a.ptr(2);
    let guest = owned::guest();
    if guest.covers(start, end) {
        mm::mincore(start, end - start, GuestPtr(vec))?;
        return ok(0u64);
    }
    // In chunks, so that the guest's length never sizes godfly's buffers.
    const CHUNK: u64 = 64 * 1024;
    let mut at = start;
    while at < end {
        let stop = end.min(at + CHUNK * PAGE);
        let mut out = vec![0u8; ((stop - at) / PAGE) as usize];
        for (s, e) in guest.pieces(at, stop) {
            let off = ((s - at) / PAGE) as usize;
            mm::mincore_host(s, e - s, &mut out[off..])?;
        }
        crate::mem::write_bytes(vec + (at - start) / PAGE, &out)?;
        at = stop;
    }
    ok(0u64)
}

/// munlockall(2): unwires everything, ends MCL_FUTURE; always 0.
pub fn munlockall(_: &mut Ctx, _: &Args) -> SysResult {
    let _ = mm::munlockall();
    ok(0u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOP: u64 = 0x7FFF_FFE0_0000;

    #[test]
    fn spans_round_the_bsd_way_and_stop_at_the_top_of_user_space() {
        assert_eq!(span(0x1234, 1, TOP), Ok((0x1000, 0x2000)));
        assert_eq!(span(0x1000, 0x1000, TOP), Ok((0x1000, 0x2000)));
        assert_eq!(span(0x1fff, 2, TOP), Ok((0x1000, 0x3000)));
        assert_eq!(span(0xffff_8000_0000_0000, 4096, TOP), Err(EINVAL));
        assert_eq!(span(u64::MAX - 10, 100, TOP), Err(EINVAL));
    }
}
