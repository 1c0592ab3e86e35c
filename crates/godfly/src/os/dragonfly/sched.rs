//! POSIX scheduling, `sched_*` (`kern/kern_p1003_1b.c`, `kern_sched.c`).
//! DragonFly numbers the policies FIFO 1, OTHER 2, RR 3 (Linux: OTHER 0,
//! FIFO 1, RR 2) and its FIFO/RR priorities run 0..=31 (Linux: 1..=99).
//! Its permission gate is root only (`CAN_AFFECT` is `cr_uid == 0`):
//! every call on a process but the two range queries is EPERM for anyone
//! else, even a read of one's own policy. The calls act on the first LWP
//! of the process, which on Linux is the thread whose id is the pid.

use godfly_abi::dragonfly::misc::{PRIO_MAX, PRIO_MIN, RTP_PRIO_MAX, SCHED_FIFO, SCHED_OTHER, SCHED_RR};

use crate::call::{Args, SysResult, ok, ok_int};
use crate::host::errno::{EINVAL, EPERM, ESRCH};
use crate::host::{Errno, proc as hproc};
use crate::mem;
use crate::thread::Ctx;

/// `ksched->rr_interval`: a tenth of a second, whatever the policy.
const RR_INTERVAL_NS: i64 = 100_000_000;

/// A DragonFly policy as Linux's, None for one DragonFly does not know.
pub fn policy_to_linux(p: i32) -> Option<i32> {
    match p {
        SCHED_FIFO => Some(libc::SCHED_FIFO),
        SCHED_RR => Some(libc::SCHED_RR),
        SCHED_OTHER => Some(libc::SCHED_OTHER),
        _ => None,
    }
}

/// A Linux policy as DragonFly reports it: anything not real-time is
/// SCHED_OTHER (`getscheduler` looks only at the rtprio type).
pub fn policy_from_linux(p: i32) -> i32 {
    match p & !libc::SCHED_RESET_ON_FORK {
        libc::SCHED_FIFO => SCHED_FIFO,
        libc::SCHED_RR => SCHED_RR,
        _ => SCHED_OTHER,
    }
}

/// A DragonFly FIFO/RR priority (0..=31) as Linux's (1..=32).
pub fn prio_to_linux(p: i32) -> i32 {
    p + 1
}

/// A Linux real-time priority as DragonFly's, capped at 31.
pub fn prio_from_linux(p: i32) -> i32 {
    (p - 1).clamp(0, RTP_PRIO_MAX)
}

/// `p31b_proc`: pid 0 the caller, a missing process ESRCH, then root
/// only (EPERM).
/// Returns the host thread that is the process's first LWP.
fn target(pid: i32) -> Result<i32, Errno> {
    // The process is looked up first, then the gate.
    let tid = match pid {
        0 => hproc::getpid(),
        p if p < 0 || hproc::getpgid(p).is_err() => return Err(ESRCH),
        p => p,
    };
    if hproc::geteuid() != 0 {
        return Err(EPERM);
    }
    Ok(tid)
}

fn read_param(addr: u64) -> Result<i32, Errno> {
    mem::read::<i32>(addr)
}

/// Sets `policy` with DragonFly priority `prio` on host thread `tid`
/// (`ksched_setscheduler`): FIFO/RR need 0..=31, OTHER ignores it, an
/// unknown policy changes nothing and succeeds.
fn set(tid: i32, policy: i32, prio: i32) -> Result<(), Errno> {
    match policy {
        SCHED_FIFO | SCHED_RR => {
            if !(0..=RTP_PRIO_MAX).contains(&prio) {
                return Err(EINVAL);
            }
            let lp = policy_to_linux(policy).unwrap_or(libc::SCHED_OTHER);
            hproc::sched_setscheduler(tid, lp, prio_to_linux(prio))
        }
        SCHED_OTHER => hproc::sched_setscheduler(tid, libc::SCHED_OTHER, 0),
        _ => Ok(()),
    }
}

/// `sched_setparam(pid, param)`: a new priority in the current policy;
/// EINVAL under SCHED_OTHER.
pub fn sched_setparam(_: &mut Ctx, a: &Args) -> SysResult {
    let tid = target(a.int(0))?;
    let prio = read_param(a.ptr(1))?;
    let policy = policy_from_linux(hproc::sched_getscheduler(tid)?);
    if policy == SCHED_OTHER {
        return Err(EINVAL);
    }
    set(tid, policy, prio)?;
    ok(0u64)
}

/// `sched_getparam(pid, param)`: the real-time priority, 0 under
/// SCHED_OTHER (where DragonFly leaves the field unwritten).
pub fn sched_getparam(_: &mut Ctx, a: &Args) -> SysResult {
    let tid = target(a.int(0))?;
    let policy = policy_from_linux(hproc::sched_getscheduler(tid)?);
    let prio = if policy == SCHED_OTHER { 0 } else { prio_from_linux(hproc::sched_getparam(tid)?) };
    mem::write(a.ptr(1), &prio)?;
    ok(0u64)
}

/// `sched_setscheduler(pid, policy, param)`.
pub fn sched_setscheduler(_: &mut Ctx, a: &Args) -> SysResult {
    let tid = target(a.int(0))?;
    let prio = read_param(a.ptr(2))?;
    set(tid, a.int(1), prio)?;
    ok(0u64)
}

/// `sched_getscheduler(pid)`.
pub fn sched_getscheduler(_: &mut Ctx, a: &Args) -> SysResult {
    let tid = target(a.int(0))?;
    ok_int(policy_from_linux(hproc::sched_getscheduler(tid)?))
}

/// The priority range of a policy: FIFO/RR 0..=31, OTHER the nice range.
pub fn priority_range(policy: i32) -> Option<(i32, i32)> {
    match policy {
        SCHED_FIFO | SCHED_RR => Some((0, RTP_PRIO_MAX)),
        SCHED_OTHER => Some((PRIO_MIN, PRIO_MAX)),
        _ => None,
    }
}

/// `sched_get_priority_max(policy)`.
pub fn sched_get_priority_max(_: &mut Ctx, a: &Args) -> SysResult {
    ok_int(priority_range(a.int(0)).ok_or(EINVAL)?.1)
}

/// `sched_get_priority_min(policy)`.
pub fn sched_get_priority_min(_: &mut Ctx, a: &Args) -> SysResult {
    ok_int(priority_range(a.int(0)).ok_or(EINVAL)?.0)
}

/// `sched_rr_get_interval(pid, interval)`: DragonFly's fixed 100 ms.
pub fn sched_rr_get_interval(_: &mut Ctx, a: &Args) -> SysResult {
    target(a.int(0))?;
    let ts = godfly_abi::bsd::Timespec { tv_sec: 0, tv_nsec: RR_INTERVAL_NS };
    mem::write(a.ptr(1), &ts)?;
    ok(0u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_translate_both_ways() {
        assert_eq!(policy_to_linux(SCHED_OTHER), Some(libc::SCHED_OTHER));
        assert_eq!(policy_to_linux(SCHED_RR), Some(libc::SCHED_RR));
        assert_eq!(policy_to_linux(SCHED_FIFO), Some(libc::SCHED_FIFO));
        assert_eq!(policy_to_linux(0), None);
        assert_eq!(policy_from_linux(libc::SCHED_BATCH), SCHED_OTHER);
        assert_eq!(policy_from_linux(libc::SCHED_IDLE), SCHED_OTHER);
        assert_eq!(policy_from_linux(libc::SCHED_RR | libc::SCHED_RESET_ON_FORK), SCHED_RR);
    }

    #[test]
    fn realtime_priorities_round_trip_and_ranges_are_dragonflys() {
        for p in 0..=31 {
            assert_eq!(prio_from_linux(prio_to_linux(p)), p);
        }
        assert_eq!(prio_from_linux(99), 31);
        assert_eq!(priority_range(SCHED_FIFO), Some((0, 31)));
        assert_eq!(priority_range(SCHED_OTHER), Some((-20, 20)));
        assert_eq!(priority_range(7), None);
    }
}
