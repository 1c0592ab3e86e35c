//! `poll`, `ppoll`, `select`, `pselect`. `struct pollfd` and `fd_set`
//! have the same layout on Linux and the BSDs; poll event bits are
//! translated (the personality's), signal masks are the guest's while
//! waiting.

use godfly_abi::bsd::{Timespec, Timeval};

use crate::call::{Args, SysResult, ok};
use crate::host::Errno;
use crate::host::errno::EINVAL;
use crate::host::event;
use crate::mem;
use crate::personality;
use crate::thread::Ctx;

#[repr(C)]
#[derive(
    Clone, Copy, Default, zerocopy::FromBytes, zerocopy::IntoBytes, zerocopy::Immutable, zerocopy::KnownLayout,
)]
struct Pollfd {
    fd: i32,
    events: i16,
    revents: i16,
}

/// poll with DragonFly's bounds: a count that is negative as an `int` is
/// EINVAL, a larger one is cut to twice the per-process descriptor limit
/// (only that prefix is read and written); a negative descriptor other
/// than -1 comes back POLLNVAL (Linux would skip it).
fn poll_common(fds: u64, nfds: u32, timeout: Option<Timespec>) -> SysResult {
    if (nfds as i32) < 0 {
        return Err(EINVAL);
    }
    let n = u64::from(nfds).min(2 * crate::host::fd::max_per_process()) as usize;
    let files = &personality::current().files;
    let list: Vec<Pollfd> = mem::read_vec(fds, n)?;
    let invalid = list.iter().filter(|p| p.fd < -1).count();
    let mut host: Vec<libc::pollfd> =
        list.iter().map(|p| libc::pollfd { fd: p.fd, events: (files.poll_to_host)(p.events), revents: 0 }).collect();
    let zero = Timespec::default();
    let timeout = if invalid > 0 { Some(zero) } else { timeout };
    let ts = timeout.map(|t| libc::timespec { tv_sec: t.tv_sec, tv_nsec: t.tv_nsec });
    let r = event::ppoll(&mut host, ts.as_ref())?;
    let nval = (files.poll_from_host)(libc::POLLNVAL);
    let out: Vec<Pollfd> = host
        .iter()
        .map(|p| Pollfd {
            fd: p.fd,
            events: (files.poll_from_host)(p.events),
            revents: if p.fd < -1 { nval } else { (files.poll_from_host)(p.revents) },
        })
        .collect();
    mem::write_bytes(fds, zerocopy::IntoBytes::as_bytes(out.as_slice()))?;
    ok(r + invalid as u64)
}

/// `poll(fds, nfds, timeout)`: timeout in milliseconds, -1 forever (any
/// other negative one is EINVAL).
pub fn poll(_: &mut Ctx, a: &Args) -> SysResult {
    let ms = a.int(2);
    if ms < -1 {
        return Err(EINVAL);
    }
    let t = (ms >= 0).then(|| Timespec { tv_sec: i64::from(ms / 1000), tv_nsec: i64::from(ms % 1000) * 1_000_000 });
    poll_common(a.ptr(0), a.uint(1), t)
}

/// `ppoll(fds, nfds, ts, sigmask)`. The guest mask is
/// bookkeeping; it applies while waiting and is restored afterwards.
pub fn ppoll(ctx: &mut Ctx, a: &Args) -> SysResult {
    let t = if a.ptr(2) != 0 { Some(mem::read::<Timespec>(a.ptr(2))?) } else { None };
    // As select's: checked only when there is nothing to poll.
    let nd = i32::from(a.uint(1) != 0);
    let t = match t {
        Some(t) => {
            let h = select_timeout(nd, t.tv_sec, i128::from(t.tv_nsec))?;
            Some(Timespec { tv_sec: h.tv_sec, tv_nsec: h.tv_nsec })
        }
        None => None,
    };
    with_mask(ctx, a.ptr(3), |_| poll_common(a.ptr(0), a.uint(1), t))
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

/// A select timeout as DragonFly takes it: with descriptors to wait on it
/// is not checked (negative is no wait, nanoseconds carry); with none it
/// is a sleep, where nanoseconds out of range are EINVAL.
fn select_timeout(nd: i32, sec: i64, nsec: i128) -> Result<libc::timespec, Errno> {
    if nd == 0 && !(0..1_000_000_000).contains(&nsec) {
        return Err(EINVAL);
    }
    let ns = (i128::from(sec) * 1_000_000_000 + nsec).clamp(0, i128::from(i64::MAX));
    Ok(libc::timespec { tv_sec: (ns / 1_000_000_000) as i64, tv_nsec: (ns % 1_000_000_000) as i64 })
}

/// select with DragonFly's bounds: a negative `nd` is EINVAL, a larger one
/// than the descriptor table is cut to its size, and only the words of
/// the sets that `nd` covers are read and written.
fn select_common(a: &Args, timeout: Option<libc::timespec>) -> SysResult {
    let nd = a.int(0);
    if nd < 0 {
        return Err(EINVAL);
    }
    let nd = nd.min(i32::try_from(crate::host::fd::table_size()).unwrap_or(i32::MAX));
    let words = (nd as usize).div_ceil(64);
    let mut sets: [Vec<u64>; 3] = Default::default();
    for (i, set) in sets.iter_mut().enumerate() {
        if a.ptr(1 + i) != 0 {
            *set = mem::read_vec(a.ptr(1 + i), words)?;
        }
    }
    let [s0, s1, s2] = &mut sets;
    let watched = [
        (a.ptr(1) != 0).then_some(s0.as_mut_slice()),
        (a.ptr(2) != 0).then_some(s1.as_mut_slice()),
        (a.ptr(3) != 0).then_some(s2.as_mut_slice()),
    ];
    let r = event::pselect(nd, watched, timeout.as_ref())?;
    for (i, set) in sets.iter().enumerate() {
        if a.ptr(1 + i) != 0 {
            mem::write_bytes(a.ptr(1 + i), zerocopy::IntoBytes::as_bytes(set.as_slice()))?;
        }
    }
    ok(r)
}

/// `select(nd, in, ou, ex, tv)`.
pub fn select(_: &mut Ctx, a: &Args) -> SysResult {
    let t = if a.ptr(4) != 0 {
        let tv: Timeval = mem::read(a.ptr(4))?;
        Some(select_timeout(a.int(0), tv.tv_sec, i128::from(tv.tv_usec) * 1000)?)
    } else {
        None
    };
    select_common(a, t)
}

/// `pselect(nd, in, ou, ex, ts, sigmask)`.
pub fn pselect(ctx: &mut Ctx, a: &Args) -> SysResult {
    let t = if a.ptr(4) != 0 {
        let ts: Timespec = mem::read(a.ptr(4))?;
        Some(select_timeout(a.int(0), ts.tv_sec, i128::from(ts.tv_nsec))?)
    } else {
        None
    };
    let mask = a.ptr(5);
    with_mask(ctx, mask, |_| select_common(a, t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn select_timeouts_follow_dragonfly() {
        let t = |nd, s, ns| select_timeout(nd, s, ns).map(|t| (t.tv_sec, t.tv_nsec));
        assert_eq!(t(3, 1, 5), Ok((1, 5)));
        assert_eq!(t(3, -1, 0), Ok((0, 0)));
        assert_eq!(t(3, 0, 1_500_000_000), Ok((1, 500_000_000)));
        assert_eq!(t(0, 0, 1_500_000_000), Err(EINVAL));
        assert_eq!(t(0, -5, 0), Ok((0, 0)));
    }
}
