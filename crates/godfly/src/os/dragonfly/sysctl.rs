//! `__sysctl`, DragonFly 202, over a static table of the nodes programs
//! read: `kern.*` identity and limits, `kern.proc.*` (process tables as
//! `struct kinfo_proc`, arguments, working directory, executable path),
//! `kern.clockrate`, `kern.cp_time(s)`, `hw.*` machine facts,
//! `vm.stats.vm.*` memory counters, `net.route` (the host's interfaces and
//! routes as routing messages), and the meta-OIDs: `{0,1}` name, `{0,2}`
//! next (a `sysctl -a` walk), `{0,3}` name-to-OID, `{0,4}` format. Values
//! come from the host where they describe the machine and its processes
//! and from DragonFly's constants where they describe the system. Nodes
//! DragonFly numbers OID_AUTO get numbers from 0x100 up, as its kernel
//! does; programs find them by name.

use godfly_abi::dragonfly::consts as d;
use zerocopy::IntoBytes;

use crate::call::{Args, SysResult, ok_int};
use crate::host::errno::{EINVAL, ENAMETOOLONG, ENOENT, ENOMEM, ENOTDIR, EPERM, ESRCH};
use crate::host::{self, Errno};
use crate::mem;
use crate::thread::Ctx;

/// `__DragonFly_version` of the kernel godfly presents (the reference tree's).
pub const OSRELDATE: i32 = godfly_abi::dragonfly::OSRELDATE;
// Go's syscall package uses 8-byte control-message alignment from 500705 on.
const _: () = assert!(OSRELDATE >= 500_705);
/// `kern.osrelease`, matching `OSRELDATE`.
pub const OSRELEASE: &str = godfly_abi::dragonfly::OSRELEASE;
/// `kern.osrevision`: `__DragonFly_version` (`kern_mib.c`), like osreldate.
const OSREVISION: i32 = OSRELDATE;
/// DragonFly's `ARG_MAX`.
pub const ARG_MAX: i32 = godfly_abi::dragonfly::ARG_MAX;
/// DragonFly's `IOV_MAX`.
const IOV_MAX: i32 = godfly_abi::dragonfly::IOV_MAX;

/// What a node holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Node {
    OsType,
    OsRelease,
    OsRevision,
    Version,
    MaxProc,
    MaxFiles,
    ArgMax,
    Hostname,
    BootTime,
    OsRelDate,
    MaxFilesPerProc,
    PsStrings,
    UsrStack,
    IovMax,
    ProcPathname,
    Machine,
    Model,
    Ncpu,
    ByteOrder,
    PhysMem,
    UserMem,
    PageSize,
    MachineArch,
    ClockRate,
    OpenFiles,
    CpTime,
    CpTimes,
    /// kern.proc.{all,pid,pgrp,tty,uid,ruid}, with KERN_PROC_FLAG_LWP.
    Proc(ProcSel),
    ProcArgs,
    ProcCwd,
    VmPageSize,
    /// vm.stats.vm.v_*_count and friends, in pages.
    VmPages(VmCount),
}

/// Which processes a `kern.proc` table lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProcSel {
    All,
    Pid,
    Pgrp,
    Tty,
    Uid,
    Ruid,
}

/// A `vm.stats.vm` page counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VmCount {
    Pages,
    Free,
    Wire,
    Active,
    Inactive,
    Cache,
}

/// CTLTYPE_* and the read-only flag, for `{0,4}`.
const CTLTYPE_NODE: u32 = 1;
const CTLTYPE_INT: u32 = 2;
const CTLTYPE_STRING: u32 = 3;
const CTLTYPE_STRUCT: u32 = 5;
const CTLTYPE_UINT: u32 = 6;
const CTLTYPE_LONG: u32 = 7;
const CTLTYPE_ULONG: u32 = 8;
const CTLFLAG_RD: u32 = 0x8000_0000;
/// OID_AUTO numbers godfly gives (DragonFly's start at 0x100).
const AUTO: i32 = 0x100;

/// One node: dotted name, MIB, what it holds, CTLTYPE, format, and how
/// many parameter elements may follow its MIB (min, max).
type Def = (&'static str, &'static [i32], Node, u32, &'static str, (usize, usize));

const KP: i32 = d::KERN_PROC;
const LWPF: i32 = d::KERN_PROC_FLAG_LWP;

/// Every node, in MIB order.
const NODES: &[Def] = &[
    ("kern.ostype", &[1, d::KERN_OSTYPE], Node::OsType, CTLTYPE_STRING, "A", (0, 0)),
    ("kern.osrelease", &[1, d::KERN_OSRELEASE], Node::OsRelease, CTLTYPE_STRING, "A", (0, 0)),
    ("kern.osrevision", &[1, d::KERN_OSREV], Node::OsRevision, CTLTYPE_INT, "I", (0, 0)),
    ("kern.version", &[1, d::KERN_VERSION], Node::Version, CTLTYPE_STRING, "A", (0, 0)),
    ("kern.maxproc", &[1, d::KERN_MAXPROC], Node::MaxProc, CTLTYPE_INT, "I", (0, 0)),
    ("kern.maxfiles", &[1, d::KERN_MAXFILES], Node::MaxFiles, CTLTYPE_INT, "I", (0, 0)),
    ("kern.argmax", &[1, d::KERN_ARGMAX], Node::ArgMax, CTLTYPE_INT, "I", (0, 0)),
    ("kern.hostname", &[1, d::KERN_HOSTNAME], Node::Hostname, CTLTYPE_STRING, "A", (0, 0)),
    ("kern.clockrate", &[1, d::KERN_CLOCKRATE], Node::ClockRate, CTLTYPE_STRUCT, "S,clockinfo", (0, 0)),
    ("kern.proc.all", &[1, KP, d::KERN_PROC_ALL], Node::Proc(ProcSel::All), CTLTYPE_NODE, "S,proc", (0, 0)),
    ("kern.proc.pid", &[1, KP, d::KERN_PROC_PID], Node::Proc(ProcSel::Pid), CTLTYPE_NODE, "S,proc", (1, 1)),
    ("kern.proc.pgrp", &[1, KP, d::KERN_PROC_PGRP], Node::Proc(ProcSel::Pgrp), CTLTYPE_NODE, "S,proc", (1, 1)),
    ("kern.proc.tty", &[1, KP, d::KERN_PROC_TTY], Node::Proc(ProcSel::Tty), CTLTYPE_NODE, "S,proc", (1, 1)),
    ("kern.proc.uid", &[1, KP, d::KERN_PROC_UID], Node::Proc(ProcSel::Uid), CTLTYPE_NODE, "S,proc", (1, 1)),
    ("kern.proc.ruid", &[1, KP, d::KERN_PROC_RUID], Node::Proc(ProcSel::Ruid), CTLTYPE_NODE, "S,proc", (1, 1)),
    ("kern.proc.args", &[1, KP, d::KERN_PROC_ARGS], Node::ProcArgs, CTLTYPE_NODE, "S,proc", (1, 2)),
    ("kern.proc.cwd", &[1, KP, d::KERN_PROC_CWD], Node::ProcCwd, CTLTYPE_NODE, "S,proc", (1, 1)),
    ("kern.proc.pathname", &[1, KP, d::KERN_PROC_PATHNAME], Node::ProcPathname, CTLTYPE_NODE, "S,proc", (1, 1)),
    ("kern.proc.all_lwp", &[1, KP, d::KERN_PROC_ALL | LWPF], Node::Proc(ProcSel::All), CTLTYPE_NODE, "S,proc", (0, 0)),
    ("kern.proc.pid_lwp", &[1, KP, d::KERN_PROC_PID | LWPF], Node::Proc(ProcSel::Pid), CTLTYPE_NODE, "S,proc", (1, 1)),
    (
        "kern.proc.pgrp_lwp",
        &[1, KP, d::KERN_PROC_PGRP | LWPF],
        Node::Proc(ProcSel::Pgrp),
        CTLTYPE_NODE,
        "S,proc",
        (1, 1),
    ),
    ("kern.proc.tty_lwp", &[1, KP, d::KERN_PROC_TTY | LWPF], Node::Proc(ProcSel::Tty), CTLTYPE_NODE, "S,proc", (1, 1)),
    ("kern.proc.uid_lwp", &[1, KP, d::KERN_PROC_UID | LWPF], Node::Proc(ProcSel::Uid), CTLTYPE_NODE, "S,proc", (1, 1)),
    (
        "kern.proc.ruid_lwp",
        &[1, KP, d::KERN_PROC_RUID | LWPF],
        Node::Proc(ProcSel::Ruid),
        CTLTYPE_NODE,
        "S,proc",
        (1, 1),
    ),
    ("kern.boottime", &[1, d::KERN_BOOTTIME], Node::BootTime, CTLTYPE_STRUCT, "S,timeval", (0, 0)),
    ("kern.osreldate", &[1, d::KERN_OSRELDATE], Node::OsRelDate, CTLTYPE_INT, "I", (0, 0)),
    ("kern.maxfilesperproc", &[1, d::KERN_MAXFILESPERPROC], Node::MaxFilesPerProc, CTLTYPE_INT, "I", (0, 0)),
    ("kern.ps_strings", &[1, d::KERN_PS_STRINGS], Node::PsStrings, CTLTYPE_ULONG, "LU", (0, 0)),
    ("kern.usrstack", &[1, d::KERN_USRSTACK], Node::UsrStack, CTLTYPE_ULONG, "LU", (0, 0)),
    ("kern.iov_max", &[1, d::KERN_IOV_MAX], Node::IovMax, CTLTYPE_INT, "I", (0, 0)),
    ("kern.openfiles", &[1, AUTO], Node::OpenFiles, CTLTYPE_INT, "I", (0, 0)),
    ("kern.cp_time", &[1, AUTO + 1], Node::CpTime, CTLTYPE_LONG, "LU", (0, 0)),
    ("kern.cp_times", &[1, AUTO + 2], Node::CpTimes, CTLTYPE_LONG, "LU", (0, 0)),
    ("vm.stats.vm.v_page_size", &[2, AUTO, AUTO, AUTO], Node::VmPageSize, CTLTYPE_UINT, "IU", (0, 0)),
    (
        "vm.stats.vm.v_page_count",
        &[2, AUTO, AUTO, AUTO + 1],
        Node::VmPages(VmCount::Pages),
        CTLTYPE_ULONG,
        "LU",
        (0, 0),
    ),
    ("vm.stats.vm.v_free_count", &[2, AUTO, AUTO, AUTO + 2], Node::VmPages(VmCount::Free), CTLTYPE_ULONG, "LU", (0, 0)),
    ("vm.stats.vm.v_wire_count", &[2, AUTO, AUTO, AUTO + 3], Node::VmPages(VmCount::Wire), CTLTYPE_ULONG, "LU", (0, 0)),
    (
        "vm.stats.vm.v_active_count",
        &[2, AUTO, AUTO, AUTO + 4],
        Node::VmPages(VmCount::Active),
        CTLTYPE_ULONG,
        "LU",
        (0, 0),
    ),
    (
        "vm.stats.vm.v_inactive_count",
        &[2, AUTO, AUTO, AUTO + 5],
        Node::VmPages(VmCount::Inactive),
        CTLTYPE_ULONG,
        "LU",
        (0, 0),
    ),
    (
        "vm.stats.vm.v_cache_count",
        &[2, AUTO, AUTO, AUTO + 6],
        Node::VmPages(VmCount::Cache),
        CTLTYPE_ULONG,
        "LU",
        (0, 0),
    ),
    ("hw.machine", &[6, d::HW_MACHINE], Node::Machine, CTLTYPE_STRING, "A", (0, 0)),
    ("hw.model", &[6, d::HW_MODEL], Node::Model, CTLTYPE_STRING, "A", (0, 0)),
    ("hw.ncpu", &[6, d::HW_NCPU], Node::Ncpu, CTLTYPE_INT, "I", (0, 0)),
    ("hw.byteorder", &[6, d::HW_BYTEORDER], Node::ByteOrder, CTLTYPE_INT, "I", (0, 0)),
    ("hw.physmem", &[6, d::HW_PHYSMEM], Node::PhysMem, CTLTYPE_ULONG, "LU", (0, 0)),
    ("hw.usermem", &[6, d::HW_USERMEM], Node::UserMem, CTLTYPE_ULONG, "LU", (0, 0)),
    ("hw.pagesize", &[6, d::HW_PAGESIZE], Node::PageSize, CTLTYPE_INT, "I", (0, 0)),
    ("hw.machine_arch", &[6, d::HW_MACHINE_ARCH], Node::MachineArch, CTLTYPE_STRING, "A", (0, 0)),
];

/// Interior nodes without a handler, for `{0,1}` and `{0,4}`; `net.route`
/// is a node with a handler, listed as a leaf of the walk.
const INTERIOR: &[(&str, &[i32])] = &[
    ("kern", &[1]),
    ("kern.proc", &[1, KP]),
    ("vm", &[2]),
    ("vm.stats", &[2, AUTO]),
    ("vm.stats.vm", &[2, AUTO, AUTO]),
    ("net", &[4]),
    ("hw", &[6]),
];
const NET_ROUTE: &[i32] = &[4, 17];

/// The MIB for a dotted name (the `{0,3}` lookup).
pub fn name_to_mib(name: &str) -> Option<&'static [i32]> {
    NODES
        .iter()
        .map(|n| (n.0, n.1))
        .chain(INTERIOR.iter().copied())
        .chain([("net.route", NET_ROUTE)])
        .find(|n| n.0 == name)
        .map(|n| n.1)
}

/// Every node with its dotted name and MIB.
pub fn nodes() -> impl Iterator<Item = (&'static str, &'static [i32], Node)> {
    NODES.iter().map(|n| (n.0, n.1, n.2))
}

/// Finds the node for a MIB and its trailing parameters: ENOENT for a
/// number that names nothing, EINVAL for the wrong number of parameters
/// (the process tables'), ENOTDIR past a leaf.
pub fn find(mib: &[i32]) -> Result<(Node, &[i32]), Errno> {
    for (_, prefix, node, kind, _, (min, max)) in NODES {
        if mib.len() >= prefix.len() && &mib[..prefix.len()] == *prefix {
            let rest = &mib[prefix.len()..];
            if (*min..=*max).contains(&rest.len()) {
                return Ok((*node, rest));
            }
            return Err(if *kind == CTLTYPE_NODE {
                if rest.is_empty() && *min > 0 { ENOENT } else { EINVAL }
            } else {
                ENOTDIR
            });
        }
    }
    Err(ENOENT)
}

/// `{0,2}`: the node after `mib` in a depth-first walk (MIB order), or
/// None past the last.
pub fn next_oid(mib: &[i32]) -> Option<&'static [i32]> {
    let mut all: Vec<&'static [i32]> = NODES.iter().map(|n| n.1).chain([NET_ROUTE]).collect();
    all.sort_unstable();
    all.into_iter().find(|m| *m > mib && !mib.starts_with(m))
}

/// `{0,1}`: the dotted name of a MIB, unknown components in decimal.
pub fn oid_name(mib: &[i32]) -> String {
    let known = NODES
        .iter()
        .map(|n| (n.0, n.1))
        .chain(INTERIOR.iter().copied())
        .chain([("net.route", NET_ROUTE)])
        .filter(|(_, m)| mib.starts_with(m))
        .max_by_key(|(_, m)| m.len());
    let (mut name, used) = known.map_or((String::new(), 0), |(n, m)| (n.to_string(), m.len()));
    for c in &mib[used..] {
        if !name.is_empty() {
            name.push('.');
        }
        name.push_str(&c.to_string());
    }
    name
}

/// `{0,4}`: (kind with flags, format) of a node.
pub fn oid_format(mib: &[i32]) -> Result<(u32, &'static str), Errno> {
    if let Some((_, _, _, kind, fmt, _)) = NODES.iter().find(|n| mib.starts_with(n.1)) {
        return Ok((kind | CTLFLAG_RD, fmt));
    }
    if mib.starts_with(NET_ROUTE) || INTERIOR.iter().any(|(_, m)| *m == mib) {
        return Ok((CTLTYPE_NODE | CTLFLAG_RD, "N"));
    }
    Err(ENOENT)
}

/// Whether a node is a LONG or ULONG (`sysctl_handle_long` then answers a
/// 4-byte buffer with an int when the value fits).
fn is_long(node: Node) -> bool {
    NODES.iter().any(|n| {
        n.2 == node && matches!(n.3, CTLTYPE_LONG | CTLTYPE_ULONG) && !matches!(node, Node::CpTime | Node::CpTimes)
    })
}

/// A NUL-terminated string value.
pub fn cstr(s: &str) -> Vec<u8> {
    let mut v = s.as_bytes().to_vec();
    v.push(0);
    v
}

/// An `int` value.
pub fn int(v: i32) -> Vec<u8> {
    v.to_ne_bytes().to_vec()
}

/// A number from a /proc file.
pub fn read_proc_u64(path: &str) -> Option<u64> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

pub fn meminfo_kib(key: &str) -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with(key))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "x86_64".to_string())
}

/// The CPU count, once found (0: not yet); an atomic, so fork-safe.
static NCPU: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(0);

/// Number of CPUs this process may run on: the host's affinity mask, as
/// Go's `runtime.NumCPU` counts on Linux. Found once: DragonFly's hw.ncpu
/// does not change while a program runs, and the Go runtime asks again
/// from sysmon (cgroup quotas, which `available_parallelism` also reads
/// at some 75 us a call, are not a DragonFly notion).
pub fn ncpu() -> i32 {
    use std::sync::atomic::Ordering::Relaxed;
    let known = NCPU.load(Relaxed);
    if known > 0 {
        return known;
    }
    let n = cpus_in_mask(crate::host::proc::sched_getaffinity(0).ok().as_ref());
    NCPU.store(n, Relaxed);
    n
}

/// The CPUs set in an affinity mask; 1 without one (as if uniprocessor).
fn cpus_in_mask(mask: Option<&[u64; 16]>) -> i32 {
    mask.map_or(0, |m| m.iter().map(|w| w.count_ones() as i32).sum::<i32>()).max(1)
}

/// The value of a node (FreeBSD's tree shares the nodes both systems have).
pub fn value(node: Node, params: &[i32]) -> Result<Vec<u8>, Errno> {
    let proc = crate::process::get();
    Ok(match node {
        Node::OsType => cstr("DragonFly"),
        Node::OsRelease => cstr(OSRELEASE),
        Node::OsRevision => int(OSREVISION),
        Node::Version => cstr(&format!("DragonFly v{OSRELEASE} (godfly on Linux)\n")),
        Node::MaxProc => {
            int(read_proc_u64("/proc/sys/kernel/pid_max").map_or(i32::MAX, |v| i32::try_from(v).unwrap_or(i32::MAX)))
        }
        Node::MaxFiles => {
            int(read_proc_u64("/proc/sys/fs/file-max").map_or(i32::MAX, |v| i32::try_from(v).unwrap_or(i32::MAX)))
        }
        Node::MaxFilesPerProc => int(i32::try_from(host::fd::max_per_process()).unwrap_or(i32::MAX)),
        Node::ArgMax => int(ARG_MAX),
        Node::Hostname => cstr(&host::field_str(&host::uname().nodename)),
        Node::BootTime => {
            let real = host::time::clock_gettime(libc::CLOCK_REALTIME)?;
            let up = host::time::clock_gettime(libc::CLOCK_BOOTTIME)?;
            let mut ns = (real.tv_sec - up.tv_sec) * 1_000_000_000 + (real.tv_nsec - up.tv_nsec);
            ns = ns.max(0);
            let tv = godfly_abi::bsd::Timeval { tv_sec: ns / 1_000_000_000, tv_usec: (ns % 1_000_000_000) / 1000 };
            tv.as_bytes().to_vec()
        }
        Node::OsRelDate => int(OSRELDATE),
        Node::PsStrings => proc.ps_strings.to_ne_bytes().to_vec(),
        Node::UsrStack => proc.usrstack.to_ne_bytes().to_vec(),
        Node::IovMax => int(IOV_MAX),
        Node::ProcPathname => {
            let pid = params[0];
            let me = host::proc::getpid();
            if pid == -1 || pid == me {
                cstr(&proc.exe_path)
            } else {
                let v = crate::sys::procs::view(pid).ok_or(ESRCH)?;
                cstr(&v.path.ok_or(ESRCH)?.to_string_lossy())
            }
        }
        Node::Proc(sel) => proc_table(sel, params.first().copied().unwrap_or(0)),
        Node::ProcArgs => {
            let pid = if params[0] == -1 { host::proc::getpid() } else { params[0] };
            crate::sys::procs::view(pid)
                .map_or_else(Vec::new, |v| v.argv.iter().flat_map(|a| a.iter().copied().chain([0])).collect())
        }
        Node::ProcCwd => {
            let pid = if params[0] == -1 { host::proc::getpid() } else { params[0] };
            std::fs::read_link(format!("/proc/{pid}/cwd")).map_or_else(|_| Vec::new(), |p| cstr(&p.to_string_lossy()))
        }
        Node::ClockRate => {
            // struct clockinfo {hz, tick, tickadj, stathz, profhz}, with
            // DragonFly's defaults for the rates it derives from hz.
            let hz = crate::sys::procs::HZ as i32;
            [hz, 1_000_000 / hz, 5, hz + 1, hz + 1].iter().flat_map(|v| v.to_ne_bytes()).collect()
        }
        Node::OpenFiles => int(std::fs::read_to_string("/proc/sys/fs/file-nr")
            .ok()
            .and_then(|t| t.split_whitespace().next()?.parse().ok())
            .unwrap_or(0)),
        Node::CpTime | Node::CpTimes => cp_times(node == Node::CpTime, 1_000_000),
        Node::VmPageSize => 4096u32.to_ne_bytes().to_vec(),
        Node::VmPages(c) => {
            let kib = |k: &str| meminfo_kib(k).unwrap_or(0);
            let v = match c {
                VmCount::Pages => kib("MemTotal:"),
                VmCount::Free => kib("MemFree:"),
                VmCount::Wire => kib("Slab:") + kib("KernelStack:") + kib("PageTables:") + kib("Unevictable:"),
                VmCount::Active => kib("Active:"),
                VmCount::Inactive => kib("Inactive:"),
                VmCount::Cache => kib("Cached:"),
            };
            (v / 4).to_ne_bytes().to_vec()
        }
        Node::Machine | Node::MachineArch => cstr("x86_64"),
        Node::Model => cstr(&cpu_model()),
        Node::Ncpu => int(ncpu()),
        Node::ByteOrder => int(1234),
        Node::PhysMem => (meminfo_kib("MemTotal:").unwrap_or(0) * 1024).to_ne_bytes().to_vec(),
        Node::UserMem => (meminfo_kib("MemAvailable:").unwrap_or(0) * 1024).to_ne_bytes().to_vec(),
        Node::PageSize => int(4096),
    })
}

/// `kern.cp_time` (one CPU's total) or `kern.cp_times` (each CPU's): user,
/// nice, sys, intr, idle as longs, in units of `1/per_second` s
/// (DragonFly counts microseconds, FreeBSD stathz ticks), from /proc/stat.
pub fn cp_times(total: bool, per_second: u64) -> Vec<u8> {
    let text = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let mut out = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("cpu") else { continue };
        let is_total = rest.starts_with(' ');
        if is_total != total {
            continue;
        }
        let f: Vec<u64> = rest.split_whitespace().skip(usize::from(!is_total)).filter_map(|v| v.parse().ok()).collect();
        let g = |i: usize| f.get(i).copied().unwrap_or(0);
        // user nice system idle iowait irq softirq
        let unit = |t: u64| (t.saturating_mul(per_second) / crate::sys::procs::HZ) as i64;
        for v in [g(0), g(1), g(2), g(5) + g(6), g(3) + g(4)] {
            out.extend_from_slice(&unit(v).to_ne_bytes());
        }
    }
    out
}

/// A `kern.proc` table: one `kinfo_proc` per process `sel` picks with `arg`.
fn proc_table(sel: ProcSel, arg: i32) -> Vec<u8> {
    let boot = crate::sys::procs::boot_us();
    let pick: Vec<crate::sys::procs::GuestView> = match sel {
        // A missing pid is no error: an empty answer.
        ProcSel::Pid => crate::sys::procs::view(arg).into_iter().collect(),
        _ => crate::sys::procs::all()
            .into_iter()
            .filter(|v| {
                let p = &v.info;
                match sel {
                    ProcSel::All | ProcSel::Pid => true,
                    ProcSel::Pgrp => p.pgid == arg,
                    ProcSel::Tty => p.tty != 0 && super::stat::dev_from_linux(u64::from(p.tty)) == arg as u32,
                    ProcSel::Uid => p.uid[1] == arg as u32,
                    ProcSel::Ruid => p.uid[0] == arg as u32,
                }
            })
            .collect(),
    };
    pick.iter().flat_map(|v| super::kinfo::kinfo_proc(&v.info, &v.name, boot, crate::sys::procs::HZ, 4096)).collect()
}

/// What a `__sysctl` request asks for, decided from its MIB alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request<'a> {
    /// A node's value, with the trailing MIB parameters.
    Value(Node, &'a [i32]),
    /// `{0,3}`: the MIB for the name given as the new value.
    NameToMib,
    /// `{0,1}`: the name of the MIB that follows.
    Name(&'a [i32]),
    /// `{0,2}`: the MIB after the one that follows.
    Next(&'a [i32]),
    /// `{0,4}`: the kind and format of the MIB that follows.
    Format(&'a [i32]),
    /// `net.route.0.<af>.NET_RT_IFLIST.<index>`.
    IfList { af: i32, index: u32 },
    /// `net.route.0.<af>.NET_RT_DUMP.0` (`flags` None) or
    /// `net.route.0.<af>.NET_RT_FLAGS.<flags>`.
    RouteDump { af: i32, flags: Option<u32> },
}

/// Decides what a MIB names (pure; the guest's MIB is untrusted). Writes
/// (`has_new`) are refused where godfly serves only reads.
pub fn resolve(mib: &[i32], has_new: bool) -> Result<Request<'_>, Errno> {
    if !(2..=d::CTL_MAXNAME as usize).contains(&mib.len()) {
        return Err(EINVAL);
    }
    if mib.len() >= 3 && mib[..2] == [d::CTL_NET, d::PF_ROUTE] {
        // net.route.<any>.<af>.<op>.<arg>[.<cpu>] (the third element is not
        // looked at; the netisr CPU must be 0, the only one godfly has).
        const NET_RT_DUMP: i32 = 1;
        const NET_RT_FLAGS: i32 = 2;
        const NET_RT_IFLIST: i32 = 3;
        if !(6..=7).contains(&mib.len()) || mib.get(6).is_some_and(|&c| c != 0) {
            return Err(EINVAL);
        }
        if has_new {
            return Err(EPERM);
        }
        let (af, arg) = (mib[3], mib[5]);
        return match mib[4] {
            NET_RT_DUMP => Ok(Request::RouteDump { af, flags: None }),
            NET_RT_FLAGS => Ok(Request::RouteDump { af, flags: Some(arg as u32) }),
            NET_RT_IFLIST => Ok(Request::IfList { af, index: arg.max(0) as u32 }),
            _ => Err(EINVAL),
        };
    }
    if mib[..2] == [0, 3] {
        return if has_new { Ok(Request::NameToMib) } else { Err(ENOENT) };
    }
    if mib[0] == 0 {
        if has_new {
            return Err(EPERM);
        }
        return match mib[1] {
            1 => Ok(Request::Name(&mib[2..])),
            2 => Ok(Request::Next(&mib[2..])),
            4 => Ok(Request::Format(&mib[2..])),
            _ => Err(ENOENT),
        };
    }
    if INTERIOR.iter().any(|(_, m)| *m == mib) {
        return Err(crate::host::errno::EISDIR);
    }
    let (node, params) = find(mib)?;
    if has_new {
        return Err(EPERM);
    }
    Ok(Request::Value(node, params))
}

/// The MIB for the name a `{0,3}` request carries (NUL-terminated or not).
pub fn lookup_name(name: &[u8]) -> Result<&'static [i32], Errno> {
    if name.len() >= mem::MAXPATHLEN {
        return Err(ENAMETOOLONG);
    }
    let end = name.iter().position(|&b| b == 0).unwrap_or(name.len());
    let name = std::str::from_utf8(&name[..end]).map_err(|_| ENOENT)?;
    name_to_mib(name).ok_or(ENOENT)
}

/// `__sysctl(name, namelen, old, oldlenp, new, newlen)`, DragonFly 202.
pub fn sysctl(_: &mut Ctx, a: &Args) -> SysResult {
    let namelen = a.uint(1) as usize;
    if !(2..=d::CTL_MAXNAME as usize).contains(&namelen) {
        return Err(EINVAL);
    }
    let mib: Vec<i32> = mem::read_vec(a.ptr(0), namelen)?;
    let (old, oldlenp, new, newlen) = (a.ptr(2), a.ptr(3), a.ptr(4), a.usize(5));
    let data = match resolve(&mib, new != 0)? {
        Request::IfList { af, index } => super::route::iflist(&host::interfaces(), af, index),
        Request::RouteDump { af, flags } => {
            let st = host::net_state();
            super::route::rtdump(&st.routes, &st.ifcs, af, flags)?
        }
        Request::NameToMib => {
            if newlen == 0 {
                return Err(ENOENT);
            }
            if newlen >= mem::MAXPATHLEN {
                return Err(ENAMETOOLONG);
            }
            let mib = lookup_name(&mem::read_bytes(new, newlen)?)?;
            mib.iter().flat_map(|v| v.to_ne_bytes()).collect()
        }
        Request::Name(m) => cstr(&oid_name(m)),
        Request::Next(m) => next_oid(m).ok_or(ENOENT)?.iter().flat_map(|v| v.to_ne_bytes()).collect(),
        Request::Format(m) => {
            let (kind, fmt) = oid_format(m)?;
            kind.to_ne_bytes().into_iter().chain(cstr(fmt)).collect()
        }
        Request::Value(node, params) => {
            // ARGS and CWD are produced only into a buffer (a size query
            // gets 0); the tables are overestimated by 5 entries.
            if old == 0 && matches!(node, Node::ProcArgs | Node::ProcCwd) {
                Vec::new()
            } else {
                let mut v = value(node, params)?;
                // sysctl_handle_long: a 4-byte buffer gets an int when the value fits.
                if is_long(node) && v.len() == 8 && oldlenp != 0 && mem::read::<u64>(oldlenp).ok() == Some(4) {
                    let x = u64::from_ne_bytes(v[..8].try_into().unwrap_or_default());
                    if let Ok(i) = i32::try_from(x) {
                        v = i.to_ne_bytes().to_vec();
                    }
                }
                if old == 0
                    && matches!(
                        node,
                        Node::Proc(ProcSel::All | ProcSel::Pgrp | ProcSel::Tty | ProcSel::Uid | ProcSel::Ruid)
                    )
                {
                    return size_only(v.len() + 5 * super::kinfo::KINFO_PROC_LEN, oldlenp);
                }
                v
            }
        }
    };
    copy_out_result(&data, old, oldlenp)
}

/// Answers a size query with `len`.
fn size_only(len: usize, oldlenp: u64) -> SysResult {
    if oldlenp != 0 {
        mem::write(oldlenp, &(len as u64))?;
    }
    ok_int(0)
}

/// How much of a `len`-byte value fits in a buffer of `room` bytes, the
/// length to report, and whether the copy is short (ENOMEM). A short copy
/// reports the size the caller gave, as DragonFly's `userland_sysctl`
/// does (not the size needed: that is what a NULL buffer asks).
pub fn copy_plan(len: usize, room: u64) -> (usize, u64, bool) {
    let n = len.min(usize::try_from(room).unwrap_or(usize::MAX));
    (n, if n < len { room } else { len as u64 }, n < len)
}

/// Copies a sysctl value out with DragonFly's rules: no buffer → only the
/// length; short buffer → partial copy, the given length, and ENOMEM.
pub fn copy_out_result(data: &[u8], old: u64, oldlenp: u64) -> SysResult {
    if oldlenp == 0 {
        return if old == 0 { ok_int(0) } else { Err(EINVAL) };
    }
    let room: u64 = mem::read(oldlenp)?;
    if old == 0 {
        mem::write(oldlenp, &(data.len() as u64))?;
        return ok_int(0);
    }
    let (n, reported, short) = copy_plan(data.len(), room);
    mem::write_bytes(old, &data[..n])?;
    mem::write(oldlenp, &reported)?;
    if short { Err(ENOMEM) } else { ok_int(0) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_walk_visits_every_node_in_mib_order_and_ends_with_enoent() {
        let mut at: Vec<i32> = Vec::new();
        let mut seen = Vec::new();
        while let Some(next) = next_oid(&at) {
            assert!(next > at.as_slice(), "{next:?} after {at:?}");
            seen.push(oid_name(next));
            at = next.to_vec();
        }
        assert_eq!(seen.first().map(String::as_str), Some("kern.ostype"));
        assert!(seen.contains(&"kern.proc.pid".to_string()) && seen.contains(&"net.route".to_string()));
        assert_eq!(seen.len(), NODES.len() + 1);
        assert_eq!(oid_name(&[1, 14, 1, 5]), "kern.proc.pid.5");
        assert_eq!(oid_name(&[77, 3]), "77.3");
        assert_eq!(oid_format(&[1, 24]), Ok((CTLTYPE_INT | CTLFLAG_RD, "I")));
        assert_eq!(oid_format(&[2, AUTO]).map(|f| f.1), Ok("N"));
        assert_eq!(name_to_mib("vm.stats.vm.v_page_count"), Some(&[2, AUTO, AUTO, AUTO + 1][..]));
        assert_eq!(copy_plan(10, 4), (4, 4, true), "a short copy reports the size given");
    }

    #[test]
    fn names_resolve_to_dragonfly_mibs() {
        assert_eq!(name_to_mib("hw.ncpu"), Some(&[6, 3][..]));
    }

    #[test]
    fn ncpu_counts_the_cpus_of_the_affinity_mask_and_is_never_zero() {
        let mut m = [0u64; 16];
        assert_eq!(cpus_in_mask(None), 1);
        assert_eq!(cpus_in_mask(Some(&m)), 1);
        m[0] = 0b1011;
        m[15] = 1 << 63;
        assert_eq!(cpus_in_mask(Some(&m)), 4);
        assert_eq!(name_to_mib("hw.pagesize"), Some(&[6, 7][..]));
        assert_eq!(name_to_mib("kern.osreldate"), Some(&[1, 24][..]));
        assert_eq!(name_to_mib("kern.hostname"), Some(&[1, 10][..]));
        assert_eq!(name_to_mib("kern.proc.pathname"), Some(&[1, 14, 9][..]));
        assert_eq!(name_to_mib("kern.nonesuch"), None);
    }

    #[test]
    fn pathname_needs_exactly_one_pid() {
        assert_eq!(find(&[1, 14, 9, -1]).map(|n| n.0), Ok(Node::ProcPathname));
        assert_eq!(find(&[1, 14, 9]).map(|n| n.0), Err(ENOENT));
        assert_eq!(find(&[1, 14, 9, 1, 2]).map(|n| n.0), Err(EINVAL));
        assert_eq!(find(&[6, 3, 1]).map(|n| n.0), Err(ENOTDIR));
        assert_eq!(find(&[6, 3]).map(|n| n.0), Ok(Node::Ncpu));
        assert_eq!(find(&[6, 99]).map(|n| n.0), Err(ENOENT));
    }
}
