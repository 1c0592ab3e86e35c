//! `poll`, `ppoll`, `select`, `pselect`. `struct pollfd` and `fd_set`
//! have the same layout on Linux and the BSDs; poll event bits are
//! translated (the personality's), signal masks are the guest's while
//! waiting.

use godfly_abi::bsd::{Timespec, Timeval};

use crate::call::{Args, SysResult, ok};
use crate::host::errno::EINVAL;
use crate::host::event;
use crate::mem;
use crate::personality;
use crate::thread::Ctx;

/// Most descriptors one call may wait on (the guest's kern.maxfilesperproc
/// bounds it too; this keeps the host buffer sane).
const MAX_FDS: usize = 1 << 16;

#[repr(C)]
#[derive(
    Clone, Copy, Default, zerocopy::FromBytes, zerocopy::IntoBytes, zerocopy::Immutable, zerocopy::KnownLayout,
)]
struct Pollfd {
    fd: i32,
    events: i16,
    revents: i16,
}

fn poll_common(fds: u64, n: usize, timeout: Option<Timespec>) -> SysResult {
    if n > MAX_FDS {
        return Err(EINVAL);
    }
    let files = &personality::current().files;
    let list: Vec<Pollfd> = mem::read_vec(fds, n)?;
    let mut host: Vec<libc::pollfd> =
        list.iter().map(|p| libc::pollfd { fd: p.fd, events: (files.poll_to_host)(p.events), revents: 0 }).collect();
    let ts = timeout.map(|t| libc::timespec { tv_sec: t.tv_sec, tv_nsec: t.tv_nsec });
    let r = event::ppoll(&mut host, ts.as_ref())?;
    let out: Vec<Pollfd> = host
        .iter()
        .map(|p| Pollfd {
            fd: p.fd,
            events: (files.poll_from_host)(p.events),
            revents: (files.poll_from_host)(p.revents),
        })
        .collect();
    mem::write_bytes(fds, zerocopy::IntoBytes::as_bytes(out.as_slice()))?;
    ok(r)
}

/// `poll(fds, nfds, timeout)`: timeout in milliseconds, -1 forever.
pub fn poll(_: &mut Ctx, a: &Args) -> SysResult {
    let ms = a.int(2);
    let t = (ms >= 0).then(|| Timespec { tv_sec: i64::from(ms / 1000), tv_nsec: i64::from(ms % 1000) * 1_000_000 });
    poll_common(a.ptr(0), a.uint(1) as usize, t)
}

/// `ppoll(fds, nfds, ts, sigmask)`. The guest mask is
/// bookkeeping; it applies while waiting and is restored afterwards.
pub fn ppoll(ctx: &mut Ctx, a: &Args) -> SysResult {
    let t = if a.ptr(2) != 0 { Some(mem::read::<Timespec>(a.ptr(2))?) } else { None };
    with_mask(ctx, a.ptr(3), |_| poll_common(a.ptr(0), a.uint(1) as usize, t))
}

fn with_mask(ctx: &mut Ctx, mask: u64, f: impl FnOnce(&mut Ctx) -> SysResult) -> SysResult {
    if mask == 0 {
        return f(ctx);
    }
    let mut m: godfly_abi::bsd::Sigset = mem::read(mask)?;
    crate::signal::cant_mask(&mut m);
    let old = std::mem::replace(&mut ctx.lwp.sigmask, m);
    let r = f(ctx);
    ctx.lwp.sigmask = old;
    r
}

fn select_common(a: &Args, timeout: Option<libc::timespec>) -> SysResult {
    let nd = a.int(0);
    if !(0..=1024).contains(&nd) {
        return Err(EINVAL);
    }
    let words = (nd as usize).div_ceil(64);
    let mut sets = [[0u64; 16]; 3];
    for (i, set) in sets.iter_mut().enumerate() {
        if a.ptr(1 + i) != 0 {
            let v: Vec<u64> = mem::read_vec(a.ptr(1 + i), words)?;
            set[..words].copy_from_slice(&v);
        }
    }
    let [s0, s1, s2] = &mut sets;
    let watched = [(a.ptr(1) != 0).then_some(s0), (a.ptr(2) != 0).then_some(s1), (a.ptr(3) != 0).then_some(s2)];
    let r = event::pselect(nd, watched, timeout.as_ref())?;
    for (i, set) in sets.iter().enumerate() {
        if a.ptr(1 + i) != 0 {
            mem::write_bytes(a.ptr(1 + i), zerocopy::IntoBytes::as_bytes(&set[..words]))?;
        }
    }
    ok(r)
}

/// `select(nd, in, ou, ex, tv)`.
pub fn select(_: &mut Ctx, a: &Args) -> SysResult {
    let t = if a.ptr(4) != 0 {
        let tv: Timeval = mem::read(a.ptr(4))?;
        if tv.tv_sec < 0 || !(0..1_000_000).contains(&tv.tv_usec) {
            return Err(EINVAL);
        }
        Some(libc::timespec { tv_sec: tv.tv_sec, tv_nsec: tv.tv_usec * 1000 })
    } else {
        None
    };
    select_common(a, t)
}

/// `pselect(nd, in, ou, ex, ts, sigmask)`.
pub fn pselect(ctx: &mut Ctx, a: &Args) -> SysResult {
    let t = if a.ptr(4) != 0 {
        let ts: Timespec = mem::read(a.ptr(4))?;
        Some(libc::timespec { tv_sec: ts.tv_sec, tv_nsec: ts.tv_nsec })
    } else {
        None
    };
    let mask = a.ptr(5);
    with_mask(ctx, mask, |_| select_common(a, t))
}
