//! FreeBSD's forms of shared calls whose arguments sit elsewhere than on
//! DragonFly (no padding slot before 64-bit offsets: `mmap` 477, `lseek`
//! 478, `truncate`/`ftruncate` 479/480, `pread`/`pwrite` 475/476), its
//! `pipe2` (which writes the two descriptors to the array and returns 0),
//! the old 32-byte `kevent` (363), and `cpuset_getaffinity`.

use godfly_abi::freebsd::consts as f;

use crate::call::{Args, SysResult, ok, ok_int};
use crate::host::errno::{EINVAL, EOPNOTSUPP, ERANGE, ESRCH, EXDEV};
use crate::host::{fd as hfd, fs};
use crate::mem;
use crate::personality;
use crate::thread::{self, Ctx};

/// `mmap(addr, len, prot, flags, fd, pos)`, 477.
pub fn mmap(_: &mut Ctx, a: &Args) -> SysResult {
    crate::sys::mem::map(a, a.u64(5))
}

/// `lseek(fd, offset, whence)`, 478.
pub fn lseek(_: &mut Ctx, a: &Args) -> SysResult {
    crate::sys::file::seek(a.int(0), a.i64(1), a.int(2))
}

/// `truncate(path, length)`, 479.
pub fn truncate(_: &mut Ctx, a: &Args) -> SysResult {
    let p = mem::read_path(a.ptr(0))?;
    fs::truncate(&p, a.u64(1))?;
    ok(0u64)
}

/// `ftruncate(fd, length)`, 480.
pub fn ftruncate(_: &mut Ctx, a: &Args) -> SysResult {
    fs::ftruncate(a.int(0), a.u64(1))?;
    ok(0u64)
}

/// `pread(fd, buf, nbyte, offset)`, 475.
pub fn pread(_: &mut Ctx, a: &Args) -> SysResult {
    crate::sys::file::pread(a.int(0), a.guest(1), a.usize(2), a.u64(3))
}

/// `pwrite(fd, buf, nbyte, offset)`, 476.
pub fn pwrite(_: &mut Ctx, a: &Args) -> SysResult {
    crate::sys::file::pwrite(a.int(0), a.guest(1), a.usize(2), a.u64(3))
}

/// `preadv(fd, iov, iovcnt, offset)`, 289.
pub fn preadv(_: &mut Ctx, a: &Args) -> SysResult {
    crate::sys::file::preadv(a.int(0), a.guest(1), a.uint(2), a.u64(3))
}

/// `pwritev(fd, iov, iovcnt, offset)`, 290.
pub fn pwritev(_: &mut Ctx, a: &Args) -> SysResult {
    crate::sys::file::pwritev(a.int(0), a.guest(1), a.uint(2), a.u64(3))
}

/// `pipe2(fildes, flags)`, 542: FreeBSD's kernel stores both descriptors in
/// `fildes` and returns 0; if that store faults, both are closed (EFAULT).
pub fn pipe2(_: &mut Ctx, a: &Args) -> SysResult {
    let fl = (personality::current().files.open_flags)(a.int(1));
    if fl.unknown != 0 || fl.lock.is_some() || fl.linux & !(libc::O_NONBLOCK | libc::O_CLOEXEC) != 0 {
        return Err(EINVAL);
    }
    let (r, w) = hfd::pipe2(fl.linux)?;
    if let Err(e) = mem::write(a.ptr(0), &[r, w]) {
        let _ = hfd::close(r);
        let _ = hfd::close(w);
        return Err(e);
    }
    ok_int(0)
}

/// At most this much is copied by hand in one call when the host's
/// `copy_file_range` will not (a short count is allowed; callers loop).
const COPY_BY_HAND_MAX: usize = 1 << 20;

/// `copy_file_range(infd, inoffp, outfd, outoffp, len, flags)`, 569. The
/// host's call does the work; FreeBSD copies between file systems, which
/// Linux refuses (EXDEV), so that copy is done here through a small
/// buffer. Offsets given are read, advanced and written back; without
/// them each file's own offset moves. Flags must be 0.
pub fn copy_file_range(_: &mut Ctx, a: &Args) -> SysResult {
    let (infd, inoffp, outfd, outoffp, len, flags) = (a.int(0), a.ptr(1), a.int(2), a.ptr(3), a.usize(4), a.uint(5));
    if flags != 0 {
        return Err(EINVAL);
    }
    let read_off = |p: u64| -> Result<Option<i64>, crate::host::Errno> {
        if p == 0 {
            return Ok(None);
        }
        let v: i64 = mem::read(p)?;
        if v < 0 { Err(EINVAL) } else { Ok(Some(v)) }
    };
    let (mut inoff, mut outoff) = (read_off(inoffp)?, read_off(outoffp)?);
    let len = len.min(isize::MAX as usize);
    let n = match fs::copy_file_range(infd, inoff.as_mut(), outfd, outoff.as_mut(), len) {
        Err(e) if e == EXDEV || e == EOPNOTSUPP => copy_by_hand(infd, &mut inoff, outfd, &mut outoff, len)?,
        r => r? as usize,
    };
    if let Some(v) = inoff {
        mem::write(inoffp, &v)?;
    }
    if let Some(v) = outoff {
        mem::write(outoffp, &v)?;
    }
    ok(n as u64)
}

/// Copies up to `len` bytes (at most `COPY_BY_HAND_MAX`) from `infd` to
/// `outfd`, advancing the offsets given. Without one a file's own offset
/// is read first, the copy goes by pread/pwrite at explicit offsets, and
/// the offset is set to where the copy ended: nothing read is lost when a
/// write fails or a signal interrupts it. Stops at end of file or a short
/// write; an error after some bytes moved is the count so far.
fn copy_by_hand(
    infd: i32,
    inoff: &mut Option<i64>,
    outfd: i32,
    outoff: &mut Option<i64>,
    len: usize,
) -> Result<usize, crate::host::Errno> {
    let here = |fd: i32| fs::lseek(fd, 0, libc::SEEK_CUR).map(|r| r as i64);
    let (mut at_in, mut at_out) = (inoff.map_or_else(|| here(infd), Ok)?, outoff.map_or_else(|| here(outfd), Ok)?);
    let mut buf = vec![0u8; 64 * 1024];
    let mut done = 0;
    let mut first_err = None;
    while done < len.min(COPY_BY_HAND_MAX) {
        let want = (len - done).min(buf.len());
        let got = match fs::read_host(infd, &mut buf[..want], Some(at_in)) {
            Ok(0) => break,
            Ok(g) => g,
            Err(e) => {
                first_err = Some(e);
                break;
            }
        };
        let put = match fs::write_host(outfd, &buf[..got], Some(at_out)) {
            Ok(p) => p,
            Err(e) => {
                first_err = Some(e);
                0
            }
        };
        at_in += put as i64;
        at_out += put as i64;
        done += put;
        if put < got {
            break;
        }
    }
    if done == 0
        && let Some(e) = first_err
    {
        return Err(e);
    }
    for (fd, given, at) in [(infd, &mut *inoff, at_in), (outfd, &mut *outoff, at_out)] {
        match given {
            Some(o) => *o = at,
            None => {
                fs::lseek(fd, at, libc::SEEK_SET)?;
            }
        }
    }
    Ok(done)
}

/// `freebsd11_kevent(...)`, 363: `kevent` with the 32-byte `struct kevent`
/// of FreeBSD 11, which Go's `syscall.Kevent` calls.
pub fn kevent11(_: &mut Ctx, a: &Args) -> SysResult {
    crate::sys::kqueue::kevent_with(a, super::kevent::read_changes11, super::kevent::write_events11)
}

/// Bytes of FreeBSD's `cpuset_t` (CPU_SETSIZE 1024 on amd64).
const CPUSET_BYTES: usize = 128;

/// `cpuset_getaffinity(level, which, id, setsize, mask)`, 487, for the
/// calling process or one of its threads (CPU_LEVEL_WHICH, or
/// CPU_LEVEL_CPUSET with the same answer): the host's affinity as a
/// `cpuset_t`. A mask too small for the highest CPU set is ERANGE; a
/// larger one is zero-filled past the set.
pub fn cpuset_getaffinity(_: &mut Ctx, a: &Args) -> SysResult {
    let (level, which, id, size, out) = (a.int(0), a.int(1), a.i64(2), a.usize(3), a.ptr(4));
    if level != f::CPU_LEVEL_WHICH && level != f::CPU_LEVEL_CPUSET {
        return Err(EINVAL);
    }
    let host = match which {
        f::CPU_WHICH_PID if id == -1 || id == i64::from(crate::host::proc::getpid()) => 0,
        f::CPU_WHICH_PID => return Err(ESRCH),
        f::CPU_WHICH_TID if id == -1 => 0,
        f::CPU_WHICH_TID => {
            let tid = i32::try_from(id - super::thr::TID_BASE).map_err(|_| ESRCH)?;
            thread::lookup_started(tid).ok_or(ESRCH)?.host_tid
        }
        _ => return Err(EINVAL),
    };
    let words = crate::host::proc::sched_getaffinity(host)?;
    let mut set = [0u8; CPUSET_BYTES];
    for (i, w) in words.iter().enumerate().take(CPUSET_BYTES / 8) {
        set[i * 8..i * 8 + 8].copy_from_slice(&w.to_ne_bytes());
    }
    let used = set.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    if size < used {
        return Err(ERANGE);
    }
    let n = size.min(CPUSET_BYTES);
    mem::write_bytes(out, &set[..n])?;
    if size > n {
        // Zero the rest in bounded pieces (the size is the guest's).
        let zeros = [0u8; 4096];
        let mut at = n;
        while at < size {
            let k = (size - at).min(zeros.len());
            mem::write_bytes(out.wrapping_add(at as u64), &zeros[..k])?;
            at += k;
        }
    }
    ok_int(0)
}

/// The result of `posix_fallocate` and `posix_fadvise`: FreeBSD's kernel
/// returns the error as the call's value (`td_retval[0]`) with the carry
/// clear, as POSIX has these functions do.
fn errno_as_value(r: Result<(), crate::host::Errno>) -> SysResult {
    match r {
        Ok(()) => ok_int(0),
        Err(e) => ok_int(i32::from(personality::current().errno(e))),
    }
}

/// `posix_fallocate(fd, offset, len)`, 530: EINVAL for a negative offset
/// or a length not above 0; a filesystem without `fallocate` answers
/// EINVAL too, as FreeBSD's ZFS does (Go's linker then writes the file
/// instead).
pub fn posix_fallocate(_: &mut Ctx, a: &Args) -> SysResult {
    let (off, len) = (a.i64(1), a.i64(2));
    if off < 0 || len <= 0 {
        return errno_as_value(Err(EINVAL));
    }
    let r = fs::fallocate(a.int(0), off, len);
    errno_as_value(r.map_err(|e| if e == crate::host::errno::EOPNOTSUPP { EINVAL } else { e }))
}

/// `posix_fadvise(fd, offset, len, advice)`, 531: FreeBSD's POSIX_FADV_*
/// are Linux's numbers (0..5).
pub fn posix_fadvise(_: &mut Ctx, a: &Args) -> SysResult {
    let advice = a.int(3);
    if !(f::POSIX_FADV_NORMAL..=f::POSIX_FADV_NOREUSE).contains(&advice) {
        return errno_as_value(Err(EINVAL));
    }
    errno_as_value(fs::fadvise(a.int(0), a.i64(1), a.i64(2), advice))
}
