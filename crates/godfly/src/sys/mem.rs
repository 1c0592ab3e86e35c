//! Address-space calls: `mmap`, `munmap`, `mprotect`, `madvise`, `msync`,
//! `mlock`, `munlock`, `mincore`. Linux: the same calls with translated
//! flags and advice.

use godfly_abi::consts as d;
use godfly_abi::errno::EINVAL;

use crate::dispatch::{Args, Ctx, SysResult, ok};
use crate::host;
use crate::xlat::mmap as xm;

/// Top of DragonFly's user address space (`VM_MAX_USER_ADDRESS`).
pub const VM_MAX_USER_ADDRESS: u64 = 0x7FFF_FFE0_0000;

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
    if flags & d::MAP_FIXED != 0 && addr.checked_add(len as u64).is_none_or(|end| end > VM_MAX_USER_ADDRESS) {
        return Err(EINVAL);
    }
    let lfd = if mf.anon { u64::MAX } else { fd as u64 };
    let p = host::sys(libc::SYS_mmap, &[addr, len as u64, lprot as u64, mf.linux as u64, lfd, pos])?;
    if mf.nocore {
        let _ = host::sys(libc::SYS_madvise, &[p, len as u64, libc::MADV_DONTDUMP as u64]);
    }
    ok(p)
}

/// munmap(2), DragonFly 73.
pub fn munmap(_: &mut Ctx, a: &Args) -> SysResult {
    if a.usize(1) == 0 {
        return Err(EINVAL);
    }
    ok(host::sys(libc::SYS_munmap, &[a.ptr(0), a.u64(1)])?)
}

/// mprotect(2), DragonFly 74.
pub fn mprotect(_: &mut Ctx, a: &Args) -> SysResult {
    let prot = xm::prot_to_linux(a.int(2)).ok_or(EINVAL)?;
    ok(host::sys(libc::SYS_mprotect, &[a.ptr(0), a.u64(1), prot as u64])?)
}

/// madvise(2), DragonFly 75. MADV_FREE is 5 on DragonFly and 8 on Linux.
pub fn madvise(_: &mut Ctx, a: &Args) -> SysResult {
    match xm::advice_to_linux(a.int(2)).ok_or(EINVAL)? {
        xm::Advice::Linux(adv) => ok(host::sys(libc::SYS_madvise, &[a.ptr(0), a.u64(1), adv as u64])?),
        xm::Advice::Nothing => ok(0u64),
    }
}

/// msync(2), DragonFly 65. MS_ASYNC 1 and MS_INVALIDATE 2 match Linux;
/// DragonFly's MS_SYNC is 0, Linux's is 4.
pub fn msync(_: &mut Ctx, a: &Args) -> SysResult {
    let fl = a.int(2);
    if fl & !(d::MS_ASYNC | d::MS_INVALIDATE) != 0 || (fl & d::MS_ASYNC != 0 && fl & d::MS_INVALIDATE != 0) {
        return Err(EINVAL);
    }
    let lfl = if fl & d::MS_ASYNC != 0 { libc::MS_ASYNC } else { libc::MS_SYNC } | (fl & d::MS_INVALIDATE);
    ok(host::sys(libc::SYS_msync, &[a.ptr(0), a.u64(1), lfl as u64])?)
}

/// mlock(2), DragonFly 203.
pub fn mlock(_: &mut Ctx, a: &Args) -> SysResult {
    ok(host::sys(libc::SYS_mlock, &[a.ptr(0), a.u64(1)])?)
}

/// munlock(2), DragonFly 204.
pub fn munlock(_: &mut Ctx, a: &Args) -> SysResult {
    ok(host::sys(libc::SYS_munlock, &[a.ptr(0), a.u64(1)])?)
}

/// mincore(2), DragonFly 78: one byte per page, bit 0 = resident on both.
pub fn mincore(_: &mut Ctx, a: &Args) -> SysResult {
    ok(host::sys(libc::SYS_mincore, &[a.ptr(0), a.u64(1), a.ptr(2)])?)
}
