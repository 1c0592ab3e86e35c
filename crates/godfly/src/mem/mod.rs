//! Guest memory access. The guest shares godfly's address space, so a guest
//! pointer is a host pointer; every access goes through routines whose
//! faults the fault handler turns into `EFAULT` instead of a crash.

use crate::host::Errno;
use crate::host::errno::{EFAULT, ENAMETOOLONG, ENOENT};
use std::ffi::CString;
use zerocopy::{FromBytes, IntoBytes};

use crate::arch;

pub mod owned;

/// Lowest address a guest pointer may have (the zero page is never mapped).
const MIN_ADDR: u64 = 0x1000;
/// One past the highest user address on x86-64.
const MAX_ADDR: u64 = 0x0000_8000_0000_0000;

/// Checks that `addr..addr+len` is a plausible user range.
pub fn check_range(addr: u64, len: usize) -> Result<(), Errno> {
    if len == 0 {
        return Ok(());
    }
    let end = addr.checked_add(len as u64).ok_or(EFAULT)?;
    if addr < MIN_ADDR || end > MAX_ADDR {
        return Err(EFAULT);
    }
    Ok(())
}

/// A transfer length as the BSDs take it: only the bytes actually moved
/// are checked, so a count reaching past the end of user space is cut
/// there (Linux would refuse the whole range with EFAULT). Counts above
/// SSIZE_MAX are cut the same way (user space is smaller).
pub fn user_len(addr: u64, len: usize) -> usize {
    /// Linux's TASK_SIZE_MAX: the end of the range its `access_ok` allows.
    const HOST_USER_END: u64 = 0x7FFF_FFFF_F000;
    len.min(HOST_USER_END.saturating_sub(addr) as usize)
}

/// Copies `buf.len()` bytes from guest address `addr`.
pub fn read_into(addr: u64, buf: &mut [u8]) -> Result<(), Errno> {
    check_range(addr, buf.len())?;
    // SAFETY: buf is exclusively borrowed host memory; the source is a
    // user-range guest address whose faults are recovered by the fault handler.
    if unsafe { arch::copy_bytes(buf.as_mut_ptr(), addr as *const u8, buf.len()) } { Ok(()) } else { Err(EFAULT) }
}

/// Copies `len` bytes from the guest into a new vector. The caller bounds
/// `len` (a guest value never sizes godfly's memory unchecked); a range
/// outside user space fails before anything is allocated.
pub fn read_bytes(addr: u64, len: usize) -> Result<Vec<u8>, Errno> {
    check_range(addr, len)?;
    let mut v = vec![0u8; len];
    read_into(addr, &mut v)?;
    Ok(v)
}

/// Copies `data` to guest address `addr`.
pub fn write_bytes(addr: u64, data: &[u8]) -> Result<(), Errno> {
    check_range(addr, data.len())?;
    // SAFETY: the destination is a user-range guest address (faults recovered);
    // the source is a live host slice.
    if unsafe { arch::copy_bytes(addr as *mut u8, data.as_ptr(), data.len()) } { Ok(()) } else { Err(EFAULT) }
}

/// Reads a plain-data value from the guest.
pub fn read<T: FromBytes + IntoBytes>(addr: u64) -> Result<T, Errno> {
    let mut v = T::new_zeroed();
    read_into(addr, v.as_mut_bytes())?;
    Ok(v)
}

/// Writes a plain-data value to the guest.
pub fn write<T: IntoBytes + zerocopy::Immutable>(addr: u64, v: &T) -> Result<(), Errno> {
    write_bytes(addr, v.as_bytes())
}

/// Reads an array of `n` plain-data values.
pub fn read_vec<T: FromBytes + IntoBytes + Clone>(addr: u64, n: usize) -> Result<Vec<T>, Errno> {
    let size = std::mem::size_of::<T>().checked_mul(n).ok_or(EFAULT)?;
    check_range(addr, size)?;
    let mut v = vec![T::new_zeroed(); n];
    read_into(addr, v.as_mut_slice().as_mut_bytes())?;
    Ok(v)
}

/// Which way a transfer moved guest memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    /// The call read the guest's buffer (write, send).
    FromGuest,
    /// The call stored into it (read, recv, getrandom).
    ToGuest,
}

/// Whether the byte a transfer stops at can be accessed the way the
/// transfer needed: read, or written (a read-only page stops a store).
fn accessible(addr: u64, dir: Dir) -> bool {
    match dir {
        Dir::FromGuest => read::<u8>(addr).is_ok(),
        Dir::ToGuest => check_range(addr, 1).is_ok() && arch::probe_write(addr),
    }
}

/// A host read or write into guest memory that moved `n` of `len` bytes:
/// Linux returns the short count when the buffer runs into memory it
/// cannot use (unmapped, or read-only for a store), DragonFly returns
/// EFAULT (its `uiomove` fails and the error wins). The first byte not
/// moved tells the two apart: if it cannot be accessed that way, the
/// transfer stopped at a fault.
pub fn short_transfer(n: u64, buf: u64, len: usize, dir: Dir) -> Result<u64, Errno> {
    if n > 0 && n < len as u64 && !accessible(buf.wrapping_add(n), dir) {
        return Err(EFAULT);
    }
    Ok(n)
}

/// `short_transfer` for an iovec array (`iovcnt` entries at `iov`). The
/// transfer may also have stopped exactly at the start of an iovec whose
/// base is bad.
pub fn short_transfer_iov(n: u64, iov: u64, iovcnt: usize, dir: Dir) -> Result<u64, Errno> {
    if n == 0 {
        return Ok(n);
    }
    let Ok(v) = read_vec::<[u64; 2]>(iov, iovcnt.min(1024)) else { return Ok(n) };
    let mut left = n;
    for [base, len] in v {
        if len == 0 {
            continue;
        }
        if left < len {
            return if accessible(base.wrapping_add(left), dir) { Ok(n) } else { Err(EFAULT) };
        }
        left -= len;
    }
    Ok(n)
}

/// Reads a NUL-terminated string of at most `max` bytes (without the NUL).
pub fn read_cstr(addr: u64, max: usize) -> Result<CString, Errno> {
    check_range(addr, 1)?;
    let limit = max.min((MAX_ADDR - addr) as usize);
    match arch::strnlen(addr, limit) {
        arch::StrLen::Fault => Err(EFAULT),
        arch::StrLen::TooLong if limit < max => Err(EFAULT),
        arch::StrLen::TooLong => Err(ENAMETOOLONG),
        arch::StrLen::Len(n) => {
            let bytes = read_bytes(addr, n)?;
            // No interior NUL: strnlen stopped at the first one.
            CString::new(bytes).map_err(|_| EFAULT)
        }
    }
}

/// `MAXPATHLEN`, including the NUL: 1024 on DragonFly and FreeBSD alike.
pub const MAXPATHLEN: usize = 1024;

/// Reads a path argument: EFAULT for a bad pointer, ENAMETOOLONG past
/// MAXPATHLEN, ENOENT for Linux's `/proc/self`.
pub fn read_path(addr: u64) -> Result<CString, Errno> {
    let p = read_cstr(addr, MAXPATHLEN)?;
    if linux_only_path(p.as_bytes()) {
        return Err(ENOENT);
    }
    Ok(with_prefix(p))
}

/// The `-L PREFIX` directory: absolute paths are looked up under it first.
static PREFIX: crate::sync::Startup<Vec<u8>> = crate::sync::Startup::new();

/// Sets the `-L` prefix (once, at start-up).
pub fn set_prefix(prefix: &[u8]) {
    let mut p = prefix.to_vec();
    while p.len() > 1 && p.ends_with(b"/") {
        p.pop();
    }
    let _ = PREFIX.set(p);
}

/// The `-L` prefix, if any.
pub fn prefix() -> Option<&'static [u8]> {
    PREFIX.get().map(Vec::as_slice)
}

/// `PREFIX/path` if the path is absolute and exists under the prefix (as
/// qemu's `-L` does: DragonFly's own `/etc` or zoneinfo, say), else `path`.
fn with_prefix(path: CString) -> CString {
    let Some(prefix) = PREFIX.get() else { return path };
    if !path.as_bytes().starts_with(b"/") {
        return path;
    }
    let mut cand = prefix.clone();
    cand.extend_from_slice(path.as_bytes());
    match CString::new(cand) {
        Ok(c) if crate::host::fs::fstatat(libc::AT_FDCWD, &c, libc::AT_SYMLINK_NOFOLLOW).is_ok() => c,
        _ => path,
    }
}

/// Whether a path names Linux's per-process `/proc/self`, which DragonFly
/// does not have (its procfs, when mounted, says `/proc/curproc`). Showing
/// the guest godfly's own maps or fds there would mislead programs, such as
/// Go's pprof, that use it where it exists.
pub fn linux_only_path(p: &[u8]) -> bool {
    p == b"/proc/self"
        || p.starts_with(b"/proc/self/")
        || p == b"/proc/thread-self"
        || p.starts_with(b"/proc/thread-self/")
}

/// The legacy FXSAVE area at the start of a host context's FPU state,
/// if it has one. A context godfly handles is either the kernel's (its
/// `fpregs` points at the XSAVE/FXSAVE area, at least 512 bytes, in the
/// signal frame on this thread's stack) or one godfly built itself with
/// `fpregs` NULL (the fast path, tests, fuzz targets).
pub fn host_fxsave(uc: &mut libc::ucontext_t) -> Option<&mut [u8; 512]> {
    let p = uc.uc_mcontext.fpregs;
    if p.is_null() {
        return None;
    }
    // SAFETY: as above: a non-null fpregs is the kernel's FPU area, which
    // lives as long as the context it belongs to (borrowed here).
    let legacy = unsafe { &mut *p.cast::<[u8; 512]>() };
    crate::arch::xstate::take_lean(legacy);
    Some(legacy)
}

/// The whole extended-state image of a host context and the components it
/// holds: as much as Linux's software bytes in the legacy area describe
/// (the kernel's signal frames, the fast path's own image), else the
/// legacy area alone.
pub fn host_xsave(uc: &mut libc::ucontext_t) -> Option<(&mut [u8], u64)> {
    let p = uc.uc_mcontext.fpregs;
    if p.is_null() {
        return None;
    }
    // SAFETY: a non-null fpregs is the kernel's FPU area or the fast
    // path's image, both at least the 512-byte legacy area.
    let legacy = unsafe { &*p.cast::<[u8; 512]>() };
    let (features, size) = crate::arch::xstate::described(legacy);
    // SAFETY: the software bytes say how large the area is: the kernel
    // and the fast path write them for exactly the area they laid out.
    let image = unsafe { std::slice::from_raw_parts_mut(p.cast::<u8>(), size) };
    // The lean fast entry's image is filled in now, and restored on the
    // way out, since the caller may change it.
    crate::arch::xstate::take_lean(image);
    Some((image, features))
}

/// Maps `len` bytes at exactly `addr` (MAP_FIXED_NOREPLACE): from `fd` at
/// `offset`, or anonymous memory when `fd` is -1. Fails rather than
/// replacing anything already mapped there.
pub fn map_fixed(addr: u64, len: usize, prot: i32, fd: i32, offset: u64) -> Result<(), Errno> {
    let flags = libc::MAP_PRIVATE | if fd < 0 { libc::MAP_ANONYMOUS } else { 0 };
    crate::host::mm::mmap_noreplace(addr, len, prot, flags, fd, offset).map(|_| ())
}

/// Maps `len` bytes of anonymous memory wherever the host likes.
pub fn map_anywhere(len: usize, prot: i32) -> Result<u64, Errno> {
    crate::host::mm::mmap_free(0, len, prot, libc::MAP_PRIVATE | libc::MAP_ANONYMOUS, -1, 0)
}

/// Changes the protection of memory godfly mapped for the guest (program
/// text while the fast path rewrites it, the sigcode page, the stub page).
pub fn protect(addr: u64, len: usize, prot: i32) -> Result<(), Errno> {
    owned::protect_mapped(addr, addr.saturating_add(len as u64), prot)
}
