//! The host's processes as a guest's process table shows them: read from
//! `/proc`, with a process godfly runs shown as the guest program it runs
//! (name, path, arguments), not as godfly. The personalities lay the facts
//! out in their own structures (`os/dragonfly/kinfo.rs`).

use std::path::{Path, PathBuf};

use crate::xlat::procinfo::{self, ProcInfo};

/// One process as a guest sees it.
#[derive(Debug, Clone)]
pub struct GuestView {
    pub info: ProcInfo,
    /// The command name to show, whole.
    pub name: String,
    /// The program's path.
    pub path: Option<PathBuf>,
    /// Its arguments.
    pub argv: Vec<Vec<u8>>,
}

fn is_godfly(exe: &Path) -> bool {
    let me = &crate::process::get().godfly_exe;
    let same = |a: &Path, b: &Path| a == b || a.canonicalize().ok().is_some_and(|x| b.canonicalize().ok() == Some(x));
    same(exe, Path::new(me)) || exe.file_name().is_some_and(|n| n == "godfly" || n == "go_dragonfly_amd64_exec")
}

/// The process `pid`, if it exists.
pub fn view(pid: i32) -> Option<GuestView> {
    let dir = PathBuf::from(format!("/proc/{pid}"));
    let stat = std::fs::read_to_string(dir.join("stat")).ok()?;
    let status = std::fs::read_to_string(dir.join("status")).unwrap_or_default();
    let info = procinfo::parse(&stat, &status)?;
    let cmdline = std::fs::read(dir.join("cmdline")).unwrap_or_default();
    let exe = std::fs::read_link(dir.join("exe")).ok();
    let mut argv: Vec<Vec<u8>> = cmdline.split(|&b| b == 0).filter(|a| !a.is_empty()).map(<[u8]>::to_vec).collect();
    let mut path = exe.clone();
    let mut name = info.comm.clone();
    if exe.as_deref().is_some_and(is_godfly) {
        let guest = if exe.as_deref().is_some_and(|e| e.file_name().is_some_and(|n| n == "go_dragonfly_amd64_exec")) {
            let a: Vec<String> = argv.iter().skip(1).map(|a| String::from_utf8_lossy(a).into_owned()).collect();
            a.first().cloned().map(|p| (p, a))
        } else {
            procinfo::guest_of_godfly(&cmdline)
        };
        if let Some((p, a)) = guest {
            let cwd = std::fs::read_link(dir.join("cwd")).unwrap_or_default();
            let full = if p.starts_with('/') { PathBuf::from(&p) } else { cwd.join(&p) };
            if pid == crate::host::proc::getpid() {
                path = Some(PathBuf::from(&crate::process::get().exe_path));
            } else {
                path = Some(full);
            }
            name = Path::new(&a[0]).file_name().map_or(a[0].clone(), |n| n.to_string_lossy().into_owned());
            argv = a.into_iter().map(String::into_bytes).collect();
        }
    }
    // Not cut here: each system's record cuts at its own MAXCOMLEN, by
    // bytes (a guest's argv[0] need not end a character where it cuts).
    Some(GuestView { info, name, path, argv })
}

/// Every process of the host, in pid order.
pub fn all() -> Vec<GuestView> {
    let mut pids: Vec<i32> = std::fs::read_dir("/proc")
        .map(|d| d.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok()).collect())
        .unwrap_or_default();
    pids.sort_unstable();
    pids.into_iter().filter_map(view).collect()
}

/// The clock ticks `/proc` counts times in: Linux's USER_HZ, 100 on
/// x86-64 whatever the kernel's own tick.
pub const HZ: u64 = 100;

/// Boot time in microseconds since the epoch.
pub fn boot_us() -> u64 {
    let real = crate::host::time::clock_gettime(libc::CLOCK_REALTIME).ok();
    let up = crate::host::time::clock_gettime(libc::CLOCK_BOOTTIME).ok();
    match (real, up) {
        (Some(r), Some(u)) => {
            let ns = (r.tv_sec - u.tv_sec) * 1_000_000_000 + (r.tv_nsec - u.tv_nsec);
            (ns.max(0) / 1000) as u64
        }
        _ => 0,
    }
}

/// One thread of a process as a guest sees it.
#[derive(Debug, Clone)]
pub struct ThreadView {
    /// The thread's own state and times (its `/proc/PID/task/TID`).
    pub info: ProcInfo,
    /// The id the guest knows it by: godfly's LWP id in this process,
    /// the host's thread id in any other.
    pub id: i32,
    /// Its name, if it has one of its own.
    pub name: Option<String>,
}

fn task(pid: i32, host_tid: i32) -> Option<ProcInfo> {
    let dir = PathBuf::from(format!("/proc/{pid}/task/{host_tid}"));
    let stat = std::fs::read_to_string(dir.join("stat")).ok()?;
    let status = std::fs::read_to_string(dir.join("status")).unwrap_or_default();
    procinfo::parse(&stat, &status)
}

/// The threads of process `pid`, in id order. In this process those are
/// the guest's LWPs (godfly's own helper threads are not the guest's);
/// elsewhere every host thread, named by its comm unless it is the main
/// one.
pub fn threads(pid: i32) -> Vec<ThreadView> {
    let mut out: Vec<ThreadView> = if pid == crate::host::proc::getpid() {
        crate::thread::all_started()
            .into_iter()
            .filter_map(|(id, lwp)| {
                let name = lwp.title.as_deref().map(|t| String::from_utf8_lossy(t).into_owned());
                Some(ThreadView { info: task(pid, lwp.host_tid)?, id, name })
            })
            .collect()
    } else {
        let tids: Vec<i32> = std::fs::read_dir(format!("/proc/{pid}/task"))
            .map(|d| d.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok()).collect())
            .unwrap_or_default();
        tids.into_iter()
            .filter_map(|t| {
                let info = task(pid, t)?;
                let name = (t != pid).then(|| info.comm.clone());
                Some(ThreadView { info, id: t, name })
            })
            .collect()
    };
    out.sort_by_key(|t| t.id);
    out
}
