//! The address space: `mmap`, `munmap`, `mprotect`, `madvise`, `msync`,
//! `mlock`, `mincore`. Calls that can take memory away from under Rust
//! (unmapping, replacing, protecting, discarding) are `unsafe fn`s: the
//! caller must know the range is the guest's (`mem::owned` does, and is
//! their one user, besides `MappedFile`, which unmaps only its own
//! mapping). Mapping where nothing is yet, and asking, are safe.

use super::raw::{self, mut_ptr};
use super::{Errno, GuestPtr};

/// `mmap` with Linux flags without `MAP_FIXED`: the kernel picks free
/// address space (a hint is only a hint), so nothing already mapped moves.
pub fn mmap_free(hint: u64, len: usize, prot: i32, flags: i32, fd: i32, off: u64) -> Result<u64, Errno> {
    let flags = flags & !libc::MAP_FIXED;
    // SAFETY: without MAP_FIXED no existing mapping is replaced.
    unsafe { raw::sys(libc::SYS_mmap, &[hint, len as u64, prot as u64, flags as u64, fd as u64, off]) }
}

/// `mmap` with `MAP_FIXED_NOREPLACE`: exactly at `addr`, or EEXIST if
/// anything is mapped there already.
pub fn mmap_noreplace(addr: u64, len: usize, prot: i32, flags: i32, fd: i32, off: u64) -> Result<u64, Errno> {
    let flags = (flags & !libc::MAP_FIXED) | libc::MAP_FIXED_NOREPLACE;
    // SAFETY: MAP_FIXED_NOREPLACE never replaces an existing mapping.
    let p = unsafe { raw::sys(libc::SYS_mmap, &[addr, len as u64, prot as u64, flags as u64, fd as u64, off]) }?;
    if p != addr {
        // A kernel without MAP_FIXED_NOREPLACE treats the address as a hint.
        // SAFETY: unmapping the mapping just created.
        let _ = unsafe { munmap(p, len as u64) };
        return Err(super::errno::EEXIST);
    }
    Ok(p)
}

/// `mmap` with `MAP_FIXED`, replacing whatever is there.
///
/// # Safety
/// `[addr, addr+len)` must hold nothing Rust uses: guest memory, or
/// placeholders godfly holds for the guest.
pub unsafe fn mmap_fixed(addr: u64, len: usize, prot: i32, flags: i32, fd: i32, off: u64) -> Result<u64, Errno> {
    let flags = flags | libc::MAP_FIXED;
    // SAFETY: the caller vouches for the range.
    unsafe { raw::sys(libc::SYS_mmap, &[addr, len as u64, prot as u64, flags as u64, fd as u64, off]) }
}

/// `munmap`.
///
/// # Safety
/// The range must hold nothing Rust uses.
pub unsafe fn munmap(addr: u64, len: u64) -> Result<(), Errno> {
    // SAFETY: the caller vouches for the range.
    unsafe { raw::sys(libc::SYS_munmap, &[addr, len]) }.map(|_| ())
}

/// `mprotect`.
///
/// # Safety
/// The range must hold nothing Rust uses (or the new protection must keep
/// what Rust needs).
pub unsafe fn mprotect(addr: u64, len: u64, prot: i32) -> Result<(), Errno> {
    // SAFETY: the caller vouches for the range.
    unsafe { raw::sys(libc::SYS_mprotect, &[addr, len, prot as u64]) }.map(|_| ())
}

/// `madvise` with Linux advice.
///
/// # Safety
/// Advice that discards contents (MADV_DONTNEED, MADV_FREE) needs a range
/// that holds nothing Rust uses.
pub unsafe fn madvise(addr: u64, len: u64, advice: i32) -> Result<(), Errno> {
    // SAFETY: the caller vouches for the range.
    unsafe { raw::sys(libc::SYS_madvise, &[addr, len, advice as u64]) }.map(|_| ())
}

/// `msync` with Linux flags: writes back, changes nothing Rust sees.
pub fn msync(addr: u64, len: u64, flags: i32) -> Result<(), Errno> {
    // SAFETY: msync only writes dirty pages back (MS_INVALIDATE drops
    // cached copies that are re-read unchanged).
    unsafe { raw::sys(libc::SYS_msync, &[addr, len, flags as u64]) }.map(|_| ())
}

/// `mlock`: keeps pages resident, changes no contents.
pub fn mlock(addr: u64, len: u64) -> Result<(), Errno> {
    // SAFETY: mlock changes no memory contents or mappings.
    unsafe { raw::sys(libc::SYS_mlock, &[addr, len]) }.map(|_| ())
}

/// `mlockall` with Linux's MCL_* bits.
pub fn mlockall(flags: i32) -> Result<(), Errno> {
    // SAFETY: mlockall changes no memory contents or mappings.
    unsafe { raw::sys(libc::SYS_mlockall, &[flags as u64]) }.map(|_| ())
}

/// `munlockall`.
pub fn munlockall() -> Result<(), Errno> {
    // SAFETY: as mlockall.
    unsafe { raw::sys(libc::SYS_munlockall, &[]) }.map(|_| ())
}

/// `munlock`.
pub fn munlock(addr: u64, len: u64) -> Result<(), Errno> {
    // SAFETY: munlock changes no memory contents or mappings.
    unsafe { raw::sys(libc::SYS_munlock, &[addr, len]) }.map(|_| ())
}

/// `mincore` into guest memory (one byte per page).
pub fn mincore(addr: u64, len: u64, vec: GuestPtr) -> Result<(), Errno> {
    // SAFETY: vec is guest memory, validated by the kernel.
    unsafe { raw::sys(libc::SYS_mincore, &[addr, len, vec.0]) }.map(|_| ())
}

/// `mincore` into a host buffer of at least `len / 4096` bytes.
pub fn mincore_host(addr: u64, len: u64, vec: &mut [u8]) -> Result<(), Errno> {
    if (vec.len() as u64) < len.div_ceil(4096) {
        return Err(super::errno::EINVAL);
    }
    // SAFETY: vec is a writable host buffer with a byte per page of the range.
    unsafe { raw::sys(libc::SYS_mincore, &[addr, len, mut_ptr(vec)]) }.map(|_| ())
}

/// A whole file mapped read-only and private, for reading without copying
/// it (godfly's own mapping, never the guest's; unmapped when dropped).
#[derive(Debug)]
pub struct MappedFile {
    addr: u64,
    len: usize,
}

impl MappedFile {
    /// Maps the first `len` bytes of `fd` (`len` > 0).
    pub fn new(fd: i32, len: usize) -> Result<MappedFile, Errno> {
        let addr = mmap_free(0, len, libc::PROT_READ, libc::MAP_PRIVATE, fd, 0)?;
        Ok(MappedFile { addr, len })
    }

    /// The mapped bytes.
    pub fn bytes(&self) -> &[u8] {
        // SAFETY: the mapping is readable for `len` bytes and lives as long
        // as `self`; nothing writes it (read-only and private).
        unsafe { std::slice::from_raw_parts(self.addr as *const u8, self.len) }
    }
}

impl Drop for MappedFile {
    fn drop(&mut self) {
        // SAFETY: the range is this value's own mapping, and no borrow of
        // it outlives `self`.
        let _ = unsafe { munmap(self.addr, self.len as u64) };
    }
}
