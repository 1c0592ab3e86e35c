//! Nice values: `getpriority`, `setpriority`. The BSDs and Linux number
//! `which` alike (PRIO_PROCESS 0, PRIO_PGRP 1, PRIO_USER 2, `who` 0 the
//! caller's own); what differs is that a BSD nice value belongs to the
//! process, where Linux's PRIO_PROCESS names one thread, and that Linux's
//! raw getpriority answers `20 - nice`.

use crate::call::{Args, SysResult, ok};
use crate::host::errno::EINVAL;
use crate::host::{Errno, proc as hproc};
use crate::thread::Ctx;

const PRIO_PROCESS: i32 = 0;
const PRIO_PGRP: i32 = 1;
const PRIO_USER: i32 = 2;
/// The BSD nice range (`sys/resource.h`); Linux stops at 19.
const PRIO_MIN: i32 = -20;
const PRIO_MAX: i32 = 20;

/// Linux's raw getpriority answer (`20 - nice`) as a nice value.
pub fn nice_of_raw(raw: i32) -> i32 {
    20 - raw
}

/// A requested nice value as the BSDs clamp it.
pub fn clamp_nice(n: i32) -> i32 {
    n.clamp(PRIO_MIN, PRIO_MAX)
}

fn check_which(which: i32) -> Result<(), Errno> {
    match which {
        PRIO_PROCESS | PRIO_PGRP | PRIO_USER => Ok(()),
        _ => Err(EINVAL),
    }
}

/// `getpriority(which, who)`: the lowest nice value among the processes
/// named, in `rax` (it may be negative); ESRCH when none.
pub fn getpriority(_: &mut Ctx, a: &Args) -> SysResult {
    let (which, who) = (a.int(0), a.int(1));
    check_which(which)?;
    let raw = hproc::getpriority_raw(which, who as u32)?;
    ok(i64::from(nice_of_raw(raw)) as u64)
}

/// The host threads of process `pid`, the main one first.
fn threads_of(pid: i32) -> Vec<i32> {
    let mut tids: Vec<i32> = std::fs::read_dir(format!("/proc/{pid}/task"))
        .map(|d| d.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok()).collect())
        .unwrap_or_default();
    tids.sort_unstable_by_key(|&t| (t != pid, t));
    if tids.first() != Some(&pid) {
        tids.insert(0, pid);
    }
    tids
}

/// `setpriority(which, who, prio)`: the nice value clamped to the BSD
/// range; for PRIO_PROCESS every thread of the process gets it, as the
/// BSDs keep one value per process. Lowering it without privilege is
/// EACCES, another user's process EPERM, no match ESRCH, on both sides.
pub fn setpriority(_: &mut Ctx, a: &Args) -> SysResult {
    let (which, who) = (a.int(0), a.int(1));
    check_which(which)?;
    let nice = clamp_nice(a.int(2));
    if which != PRIO_PROCESS {
        hproc::setpriority(which, who as u32, nice)?;
        return ok(0u64);
    }
    let pid = if who == 0 { hproc::getpid() } else { who };
    // The main thread decides the answer; the others follow it.
    let mut tids = threads_of(pid).into_iter();
    let main = tids.next().unwrap_or(pid);
    hproc::setpriority(PRIO_PROCESS, main as u32, nice)?;
    for t in tids {
        let _ = hproc::setpriority(PRIO_PROCESS, t as u32, nice);
    }
    ok(0u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linux_raw_priorities_read_back_as_nice_values() {
        assert_eq!(nice_of_raw(20), 0);
        assert_eq!(nice_of_raw(40), -20);
        assert_eq!(nice_of_raw(1), 19);
    }

    #[test]
    fn nice_requests_are_clamped_to_the_bsd_range() {
        assert_eq!(clamp_nice(100), 20);
        assert_eq!(clamp_nice(-100), -20);
        assert_eq!(clamp_nice(5), 5);
    }
}
