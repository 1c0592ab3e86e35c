//! FreeBSD's `procctl(idtype, id, com, data)` (544) for the commands that
//! Linux has a counterpart for: the parent-death signal (which Go's
//! `SysProcAttr.Pdeathsig` sets in the child), the reaper (Linux's child
//! subreaper), no_new_privs, and the tracing status. The argument checks
//! and errors follow `sys_procctl`/`kern_procctl` (`kern_procctl.c`):
//! every one of these acts on one process named by P_PID (0 is the
//! caller), a missing process is ESRCH (EINVAL for the pdeathsig pair), a
//! command godfly does not serve is EINVAL, as one FreeBSD does not know.
//! The parent-death signal and no_new_privs are the process's, as on
//! FreeBSD (`sys::proc`), though Linux keeps both per thread. Setting
//! no_new_privs on another process is EPERM (Linux sets it only on the
//! caller); FreeBSD allows it where it may debug that process.

use crate::call::{Args, SysResult, ok};
use crate::host::Errno;
use crate::host::errno::{EBUSY, EINVAL, EPERM, ESRCH};
use crate::host::proc as hproc;
use crate::mem;
use crate::thread::Ctx;

/// `idtype_t` P_PID (`sys/wait.h`).
const P_PID: i32 = godfly_abi::freebsd::consts::P_PID;
/// Commands (`sys/procctl.h`).
pub const PROC_REAP_ACQUIRE: i32 = 2;
pub const PROC_REAP_RELEASE: i32 = 3;
pub const PROC_TRACE_STATUS: i32 = 8;
pub const PROC_PDEATHSIG_CTL: i32 = 11;
pub const PROC_PDEATHSIG_STATUS: i32 = 12;
pub const PROC_NO_NEW_PRIVS_CTL: i32 = 19;
pub const PROC_NO_NEW_PRIVS_STATUS: i32 = 20;
/// PROC_NO_NEW_PRIVS_ENABLE / _DISABLE.
const NNP_ENABLE: i32 = 1;
const NNP_DISABLE: i32 = 2;
/// `_SIG_MAXSIG`.
const SIG_MAXSIG: i32 = 128;

/// Which process a command acts on, as `kern_procctl` finds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The caller (P_PID 0 or its own pid).
    Own,
    /// Another process that exists.
    Other(i32),
}

/// The target of `(idtype, id)` for a one-process command: EINVAL for
/// any idtype but P_PID; `exists` says whether a pid names a process, and
/// a missing one is `missing` (ESRCH, or EINVAL where the command says).
pub fn target(idtype: i32, id: i32, me: i32, exists: impl Fn(i32) -> bool, missing: Errno) -> Result<Target, Errno> {
    if idtype != P_PID {
        return Err(EINVAL);
    }
    if id == 0 || id == me {
        return Ok(Target::Own);
    }
    if id < 0 || !exists(id) { Err(missing) } else { Ok(Target::Other(id)) }
}

/// The value PROC_NO_NEW_PRIVS_STATUS reports.
pub fn nnp_status(on: bool) -> i32 {
    if on { NNP_ENABLE } else { NNP_DISABLE }
}

/// A field of `/proc/<pid>/status` ("TracerPid:", "NoNewPrivs:").
fn status_field(pid: i32, key: &str) -> Result<i32, Errno> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).map_err(|_| ESRCH)?;
    text.lines().find_map(|l| l.strip_prefix(key)?.trim().parse().ok()).ok_or(ESRCH)
}

fn exists(pid: i32) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
}

/// `procctl(idtype, id, com, data)`, FreeBSD 544.
pub fn procctl(_: &mut Ctx, a: &Args) -> SysResult {
    let (idtype, id, com, data) = (a.int(0), a.int(1), a.int(2), a.ptr(3));
    let me = hproc::getpid();
    match com {
        PROC_REAP_ACQUIRE | PROC_REAP_RELEASE => {
            // These take no data: a pointer is EINVAL before anything else.
            if data != 0 {
                return Err(EINVAL);
            }
            if target(idtype, id, me, exists, ESRCH)? != Target::Own {
                return Err(EPERM);
            }
            let reaper = hproc::child_subreaper()?;
            match (com, reaper) {
                (PROC_REAP_ACQUIRE, true) => return Err(EBUSY),
                (PROC_REAP_RELEASE, false) => return Err(EINVAL),
                _ => hproc::set_child_subreaper(com == PROC_REAP_ACQUIRE)?,
            }
        }
        PROC_PDEATHSIG_CTL => {
            let sig: i32 = mem::read(data)?;
            if target(idtype, id, me, exists, EINVAL)? != Target::Own || !(0..=SIG_MAXSIG).contains(&sig) {
                return Err(EINVAL);
            }
            // A FreeBSD signal Linux has no number for cannot be asked of
            // the host: refused rather than dropped.
            let host = if sig == 0 { 0 } else { super::signo::to_linux(sig as u32).ok_or(EINVAL)? };
            crate::sys::proc::set_pdeathsig(host)?;
        }
        PROC_PDEATHSIG_STATUS => {
            if target(idtype, id, me, exists, EINVAL)? != Target::Own {
                return Err(EINVAL);
            }
            let host = crate::sys::proc::pdeathsig();
            let sig = if host == 0 { 0 } else { super::signo::from_linux(host).map_or(0, |s| s as i32) };
            mem::write(data, &sig)?;
        }
        PROC_NO_NEW_PRIVS_CTL => {
            let state: i32 = mem::read(data)?;
            match target(idtype, id, me, exists, ESRCH)? {
                // Linux sets it only on the calling process.
                Target::Other(_) => return Err(EPERM),
                Target::Own if state != NNP_ENABLE => return Err(EINVAL),
                Target::Own => crate::sys::proc::set_no_new_privs()?,
            }
        }
        PROC_NO_NEW_PRIVS_STATUS => {
            let on = match target(idtype, id, me, exists, ESRCH)? {
                Target::Own => crate::sys::proc::no_new_privs(),
                Target::Other(pid) => status_field(pid, "NoNewPrivs:")? != 0,
            };
            mem::write(data, &nnp_status(on))?;
        }
        PROC_TRACE_STATUS => {
            let pid = match target(idtype, id, me, exists, ESRCH)? {
                Target::Own => me,
                Target::Other(pid) => pid,
            };
            // 0 when not traced, else the tracer's pid.
            mem::write(data, &status_field(pid, "TracerPid:")?)?;
        }
        _ => return Err(EINVAL),
    }
    ok(0u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_one_process_by_pid_and_missing_ones_are_the_commands_error() {
        let some = |p: i32| p == 50;
        assert_eq!(target(P_PID, 0, 7, some, ESRCH), Ok(Target::Own));
        assert_eq!(target(P_PID, 7, 7, some, ESRCH), Ok(Target::Own));
        assert_eq!(target(P_PID, 50, 7, some, ESRCH), Ok(Target::Other(50)));
        assert_eq!(target(P_PID, 51, 7, some, ESRCH), Err(ESRCH));
        assert_eq!(target(P_PID, 51, 7, some, EINVAL), Err(EINVAL));
        assert_eq!(target(P_PID, -3, 7, some, ESRCH), Err(ESRCH));
        assert_eq!(target(2, 0, 7, some, ESRCH), Err(EINVAL), "P_PGID is no single process");
    }

    #[test]
    fn no_new_privs_status_is_enable_or_disable() {
        assert_eq!((nnp_status(true), nnp_status(false)), (1, 2));
    }
}
