//! `__sysctl` (202) with FreeBSD's tree: the nodes Go and common libraries
//! read. Where a node means what DragonFly's does (hostname, page size,
//! memory, ps_strings, the executable's path...) its value is DragonFly's
//! `sysctl::value`; FreeBSD's own are here (its identity, `hw.machine`
//! "amd64", `kern.smp.maxcpus`, `kern.ipc.soacceptqueue`,
//! `kern.arandom`, `kern.conftxt`), and so are the process table
//! (`kern.proc.*` with FreeBSD's 1088-byte `kinfo_proc`), `kern.cp_time(s)`
//! in stathz ticks and the 32-bit `vm.stats.vm` page counters. The magic
//! `{0,x}` requests (name, next, name-to-OID, format) work over this tree.
//! No writes.

use godfly_abi::freebsd::consts as f;

use crate::call::{Args, SysResult};
use crate::host::Errno;
use crate::host::errno::{EINVAL, EISDIR, ENAMETOOLONG, ENOENT, ENOTDIR, EPERM, ESRCH};
use crate::mem;
use crate::os::dragonfly::sysctl::{self as shared, Node, VmCount, cstr, int};
use crate::thread::Ctx;

/// What a leaf holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Leaf {
    /// A node DragonFly has with the same meaning.
    Shared(Node),
    OsType,
    OsRelease,
    OsRevision,
    Version,
    OsRelDate,
    Machine,
    /// `kern.smp.maxcpus`: MAXCPU (1024 on amd64).
    MaxCpus,
    /// `kern.smp.cpus`: the CPUs there are.
    SmpCpus,
    SoAcceptQueue,
    Arandom,
    /// `kern.conftxt`: the kernel configuration, GENERIC's first lines
    /// (Go's syscall package reads `machine` from it).
    ConfTxt,
    /// A `kern.proc` table: one `kinfo_proc` per process picked, or with
    /// `true` (KERN_PROC_INC_THREAD, and `kern.proc.all`) one per thread.
    Proc(ProcSel, bool),
    /// `kern.proc.args.<pid>`: the arguments, each NUL-terminated.
    ProcArgs,
    /// `kern.cp_time` (all CPUs) and `kern.cp_times` (each CPU), in
    /// stathz ticks.
    CpTime,
    CpTimes,
    /// `vm.stats.vm.v_page_size` and the page counters: `u_int`s on FreeBSD.
    VmPageSize,
    VmPages(VmCount),
    /// `vm.swap_total`: swap space in bytes, a u64.
    SwapTotal,
    /// `kern.clockrate`: FreeBSD amd64's rates.
    ClockRate,
}

/// Which processes a `kern.proc` table lists (`sysctl_kern_proc`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProcSel {
    /// KERN_PROC_PID: one process, ESRCH for none.
    Pid,
    /// KERN_PROC_PROC and KERN_PROC_ALL: every process.
    Proc,
    Pgrp,
    Session,
    Tty,
    Uid,
    Ruid,
    Rgid,
    Gid,
}

const CTLTYPE_NODE: u32 = 1;
const CTLTYPE_INT: u32 = 2;
const CTLTYPE_STRING: u32 = 3;
const CTLTYPE_OPAQUE: u32 = 5;
/// CTLTYPE_STRUCT is CTLTYPE_OPAQUE.
const CTLTYPE_STRUCT: u32 = CTLTYPE_OPAQUE;
const CTLTYPE_UINT: u32 = 6;
const CTLTYPE_LONG: u32 = 7;
const CTLTYPE_ULONG: u32 = 8;
const CTLTYPE_U64: u32 = 9;
const CTLFLAG_RD: u32 = 0x8000_0000;
/// OID_AUTO numbers (CTL_AUTO_START).
const AUTO: i32 = f::CTL_AUTO_START;
/// `MAXCPU` on amd64.
pub const MAXCPU: i32 = 1024;

/// (name, MIB, leaf, CTLTYPE, format, parameter elements (min, max)).
type Def = (&'static str, &'static [i32], Leaf, u32, &'static str, (usize, usize));

const KERN: i32 = f::CTL_KERN;
const HW: i32 = f::CTL_HW;
const VM: i32 = f::CTL_VM;
const KP: i32 = f::KERN_PROC;
const TD: i32 = f::KERN_PROC_INC_THREAD;
/// `vm.stats.vm`.
const VSV: [i32; 3] = [VM, AUTO, AUTO];
const NODES: &[Def] = &[
    ("kern.ostype", &[KERN, f::KERN_OSTYPE], Leaf::OsType, CTLTYPE_STRING, "A", (0, 0)),
    ("kern.osrelease", &[KERN, f::KERN_OSRELEASE], Leaf::OsRelease, CTLTYPE_STRING, "A", (0, 0)),
    ("kern.osrevision", &[KERN, f::KERN_OSREV], Leaf::OsRevision, CTLTYPE_INT, "I", (0, 0)),
    ("kern.version", &[KERN, f::KERN_VERSION], Leaf::Version, CTLTYPE_STRING, "A", (0, 0)),
    ("kern.maxproc", &[KERN, f::KERN_MAXPROC], Leaf::Shared(Node::MaxProc), CTLTYPE_INT, "I", (0, 0)),
    ("kern.maxfiles", &[KERN, f::KERN_MAXFILES], Leaf::Shared(Node::MaxFiles), CTLTYPE_INT, "I", (0, 0)),
    ("kern.argmax", &[KERN, f::KERN_ARGMAX], Leaf::Shared(Node::ArgMax), CTLTYPE_INT, "I", (0, 0)),
    ("kern.hostname", &[KERN, f::KERN_HOSTNAME], Leaf::Shared(Node::Hostname), CTLTYPE_STRING, "A", (0, 0)),
    ("kern.clockrate", &[KERN, f::KERN_CLOCKRATE], Leaf::ClockRate, CTLTYPE_OPAQUE, "S,clockinfo", (0, 0)),
    (
        "kern.proc.pathname",
        &[KERN, f::KERN_PROC, f::KERN_PROC_PATHNAME],
        Leaf::Shared(Node::ProcPathname),
        CTLTYPE_NODE,
        "",
        (1, 1),
    ),
    // The whole table, threads included (KERN_PROC_ALL is the one
    // selector that lists threads without KERN_PROC_INC_THREAD).
    ("kern.proc.all", &[KERN, KP, f::KERN_PROC_ALL], Leaf::Proc(ProcSel::Proc, true), CTLTYPE_STRUCT, "S,proc", (0, 0)),
    ("kern.proc.gid", &[KERN, KP, f::KERN_PROC_GID], Leaf::Proc(ProcSel::Gid, false), CTLTYPE_NODE, "", (1, 1)),
    ("kern.proc.pgrp", &[KERN, KP, f::KERN_PROC_PGRP], Leaf::Proc(ProcSel::Pgrp, false), CTLTYPE_NODE, "", (1, 1)),
    ("kern.proc.rgid", &[KERN, KP, f::KERN_PROC_RGID], Leaf::Proc(ProcSel::Rgid, false), CTLTYPE_NODE, "", (1, 1)),
    ("kern.proc.sid", &[KERN, KP, f::KERN_PROC_SESSION], Leaf::Proc(ProcSel::Session, false), CTLTYPE_NODE, "", (1, 1)),
    ("kern.proc.tty", &[KERN, KP, f::KERN_PROC_TTY], Leaf::Proc(ProcSel::Tty, false), CTLTYPE_NODE, "", (1, 1)),
    ("kern.proc.uid", &[KERN, KP, f::KERN_PROC_UID], Leaf::Proc(ProcSel::Uid, false), CTLTYPE_NODE, "", (1, 1)),
    ("kern.proc.ruid", &[KERN, KP, f::KERN_PROC_RUID], Leaf::Proc(ProcSel::Ruid, false), CTLTYPE_NODE, "", (1, 1)),
    ("kern.proc.pid", &[KERN, KP, f::KERN_PROC_PID], Leaf::Proc(ProcSel::Pid, false), CTLTYPE_NODE, "", (1, 1)),
    // "only return procs": with no parameter or one (which is not looked at).
    ("kern.proc.proc", &[KERN, KP, f::KERN_PROC_PROC], Leaf::Proc(ProcSel::Proc, false), CTLTYPE_NODE, "", (0, 1)),
    ("kern.proc.args", &[KERN, KP, f::KERN_PROC_ARGS], Leaf::ProcArgs, CTLTYPE_NODE, "", (1, 1)),
    ("kern.proc.gid_td", &[KERN, KP, f::KERN_PROC_GID | TD], Leaf::Proc(ProcSel::Gid, true), CTLTYPE_NODE, "", (1, 1)),
    (
        "kern.proc.pgrp_td",
        &[KERN, KP, f::KERN_PROC_PGRP | TD],
        Leaf::Proc(ProcSel::Pgrp, true),
        CTLTYPE_NODE,
        "",
        (1, 1),
    ),
    (
        "kern.proc.rgid_td",
        &[KERN, KP, f::KERN_PROC_RGID | TD],
        Leaf::Proc(ProcSel::Rgid, true),
        CTLTYPE_NODE,
        "",
        (1, 1),
    ),
    (
        "kern.proc.sid_td",
        &[KERN, KP, f::KERN_PROC_SESSION | TD],
        Leaf::Proc(ProcSel::Session, true),
        CTLTYPE_NODE,
        "",
        (1, 1),
    ),
    ("kern.proc.tty_td", &[KERN, KP, f::KERN_PROC_TTY | TD], Leaf::Proc(ProcSel::Tty, true), CTLTYPE_NODE, "", (1, 1)),
    ("kern.proc.uid_td", &[KERN, KP, f::KERN_PROC_UID | TD], Leaf::Proc(ProcSel::Uid, true), CTLTYPE_NODE, "", (1, 1)),
    (
        "kern.proc.ruid_td",
        &[KERN, KP, f::KERN_PROC_RUID | TD],
        Leaf::Proc(ProcSel::Ruid, true),
        CTLTYPE_NODE,
        "",
        (1, 1),
    ),
    ("kern.proc.pid_td", &[KERN, KP, f::KERN_PROC_PID | TD], Leaf::Proc(ProcSel::Pid, true), CTLTYPE_NODE, "", (1, 1)),
    (
        "kern.proc.proc_td",
        &[KERN, KP, f::KERN_PROC_PROC | TD],
        Leaf::Proc(ProcSel::Proc, true),
        CTLTYPE_NODE,
        "",
        (0, 1),
    ),
    ("kern.boottime", &[KERN, f::KERN_BOOTTIME], Leaf::Shared(Node::BootTime), CTLTYPE_OPAQUE, "S,timeval", (0, 0)),
    ("kern.osreldate", &[KERN, f::KERN_OSRELDATE], Leaf::OsRelDate, CTLTYPE_INT, "I", (0, 0)),
    (
        "kern.maxfilesperproc",
        &[KERN, f::KERN_MAXFILESPERPROC],
        Leaf::Shared(Node::MaxFilesPerProc),
        CTLTYPE_INT,
        "I",
        (0, 0),
    ),
    ("kern.ipc.soacceptqueue", &[KERN, f::KERN_IPC, AUTO], Leaf::SoAcceptQueue, CTLTYPE_INT, "I", (0, 0)),
    ("kern.ps_strings", &[KERN, f::KERN_PS_STRINGS], Leaf::Shared(Node::PsStrings), CTLTYPE_ULONG, "LU", (0, 0)),
    ("kern.usrstack", &[KERN, f::KERN_USRSTACK], Leaf::Shared(Node::UsrStack), CTLTYPE_ULONG, "LU", (0, 0)),
    ("kern.iov_max", &[KERN, f::KERN_IOV_MAX], Leaf::Shared(Node::IovMax), CTLTYPE_INT, "I", (0, 0)),
    ("kern.arandom", &[KERN, f::KERN_ARND], Leaf::Arandom, CTLTYPE_OPAQUE, "", (0, 0)),
    ("kern.conftxt", &[KERN, AUTO + 1], Leaf::ConfTxt, CTLTYPE_STRING, "A", (0, 0)),
    ("kern.smp.maxcpus", &[KERN, AUTO, AUTO], Leaf::MaxCpus, CTLTYPE_INT, "I", (0, 0)),
    ("kern.smp.cpus", &[KERN, AUTO, AUTO + 1], Leaf::SmpCpus, CTLTYPE_INT, "I", (0, 0)),
    ("kern.cp_time", &[KERN, AUTO + 2], Leaf::CpTime, CTLTYPE_LONG, "LU", (0, 0)),
    ("kern.cp_times", &[KERN, AUTO + 3], Leaf::CpTimes, CTLTYPE_LONG, "LU", (0, 0)),
    ("vm.swap_total", &[VM, AUTO + 1], Leaf::SwapTotal, CTLTYPE_U64, "QU", (0, 0)),
    ("vm.stats.vm.v_page_size", &[VM, AUTO, AUTO, AUTO], Leaf::VmPageSize, CTLTYPE_UINT, "IU", (0, 0)),
    (
        "vm.stats.vm.v_page_count",
        &[VM, AUTO, AUTO, AUTO + 1],
        Leaf::VmPages(VmCount::Pages),
        CTLTYPE_UINT,
        "IU",
        (0, 0),
    ),
    ("vm.stats.vm.v_free_count", &[VM, AUTO, AUTO, AUTO + 2], Leaf::VmPages(VmCount::Free), CTLTYPE_UINT, "IU", (0, 0)),
    ("vm.stats.vm.v_wire_count", &[VM, AUTO, AUTO, AUTO + 3], Leaf::VmPages(VmCount::Wire), CTLTYPE_UINT, "IU", (0, 0)),
    (
        "vm.stats.vm.v_active_count",
        &[VM, AUTO, AUTO, AUTO + 4],
        Leaf::VmPages(VmCount::Active),
        CTLTYPE_UINT,
        "IU",
        (0, 0),
    ),
    (
        "vm.stats.vm.v_inactive_count",
        &[VM, AUTO, AUTO, AUTO + 5],
        Leaf::VmPages(VmCount::Inactive),
        CTLTYPE_UINT,
        "IU",
        (0, 0),
    ),
    (
        "vm.stats.vm.v_cache_count",
        &[VM, AUTO, AUTO, AUTO + 6],
        Leaf::VmPages(VmCount::Cache),
        CTLTYPE_UINT,
        "IU",
        (0, 0),
    ),
    ("hw.machine", &[HW, f::HW_MACHINE], Leaf::Machine, CTLTYPE_STRING, "A", (0, 0)),
    ("hw.model", &[HW, f::HW_MODEL], Leaf::Shared(Node::Model), CTLTYPE_STRING, "A", (0, 0)),
    ("hw.ncpu", &[HW, f::HW_NCPU], Leaf::Shared(Node::Ncpu), CTLTYPE_INT, "I", (0, 0)),
    ("hw.byteorder", &[HW, f::HW_BYTEORDER], Leaf::Shared(Node::ByteOrder), CTLTYPE_INT, "I", (0, 0)),
    ("hw.physmem", &[HW, f::HW_PHYSMEM], Leaf::Shared(Node::PhysMem), CTLTYPE_ULONG, "LU", (0, 0)),
    ("hw.usermem", &[HW, f::HW_USERMEM], Leaf::Shared(Node::UserMem), CTLTYPE_ULONG, "LU", (0, 0)),
    ("hw.pagesize", &[HW, f::HW_PAGESIZE], Leaf::Shared(Node::PageSize), CTLTYPE_INT, "I", (0, 0)),
    ("hw.machine_arch", &[HW, f::HW_MACHINE_ARCH], Leaf::Machine, CTLTYPE_STRING, "A", (0, 0)),
];

/// Interior nodes, for `{0,1}` and `{0,4}`.
const INTERIOR: &[(&str, &[i32])] = &[
    ("kern", &[KERN]),
    ("kern.proc", &[KERN, f::KERN_PROC]),
    ("kern.ipc", &[KERN, f::KERN_IPC]),
    ("kern.smp", &[KERN, AUTO]),
    ("hw", &[HW]),
    ("vm", &[VM]),
    ("vm.stats", &[VM, AUTO]),
    ("vm.stats.vm", &VSV),
];

fn all_names() -> impl Iterator<Item = (&'static str, &'static [i32])> {
    NODES.iter().map(|n| (n.0, n.1)).chain(INTERIOR.iter().copied())
}

/// The MIB for a dotted name (the `{0,3}` lookup).
pub fn name_to_mib(name: &str) -> Option<&'static [i32]> {
    all_names().find(|n| n.0 == name).map(|n| n.1)
}

/// The leaf for a MIB and its trailing parameters: ENOENT for a number
/// that names nothing, EINVAL for the wrong number of parameters, ENOTDIR
/// past a leaf.
fn find(mib: &[i32]) -> Result<(Leaf, &[i32]), Errno> {
    for (_, prefix, leaf, kind, _, (min, max)) in NODES {
        if mib.len() >= prefix.len() && &mib[..prefix.len()] == *prefix {
            let rest = &mib[prefix.len()..];
            if (*min..=*max).contains(&rest.len()) {
                return Ok((*leaf, rest));
            }
            return Err(if *kind == CTLTYPE_NODE { if rest.is_empty() { ENOENT } else { EINVAL } } else { ENOTDIR });
        }
    }
    Err(ENOENT)
}

/// `{0,2}`: the leaf after `mib` in MIB order.
fn next_oid(mib: &[i32]) -> Option<&'static [i32]> {
    let mut all: Vec<&'static [i32]> = NODES.iter().map(|n| n.1).collect();
    all.sort_unstable();
    all.into_iter().find(|m| *m > mib && !mib.starts_with(m))
}

/// `{0,1}`: the dotted name of a MIB, unknown components in decimal.
fn oid_name(mib: &[i32]) -> String {
    let known = all_names().filter(|(_, m)| mib.starts_with(m)).max_by_key(|(_, m)| m.len());
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
fn oid_format(mib: &[i32]) -> Result<(u32, &'static str), Errno> {
    if let Some(n) = NODES.iter().find(|n| mib.starts_with(n.1)) {
        return Ok((n.3 | CTLFLAG_RD, n.4));
    }
    if INTERIOR.iter().any(|(_, m)| *m == mib) {
        return Ok((CTLTYPE_NODE | CTLFLAG_RD, "N"));
    }
    Err(ENOENT)
}

fn value(leaf: Leaf, params: &[i32], want: usize) -> Result<Vec<u8>, Errno> {
    let release = godfly_abi::freebsd::OSRELEASE;
    Ok(match leaf {
        Leaf::Shared(node) => shared::value(node, params)?,
        Leaf::OsType => cstr("FreeBSD"),
        Leaf::OsRelease => cstr(release),
        Leaf::OsRevision => int(199_506),
        Leaf::Version => cstr(&format!("FreeBSD {release} (godfly on Linux)\n")),
        Leaf::OsRelDate => int(godfly_abi::freebsd::OSRELDATE),
        Leaf::Machine => cstr("amd64"),
        Leaf::MaxCpus => int(MAXCPU),
        Leaf::SmpCpus => int(shared::ncpu()),
        Leaf::SoAcceptQueue => int(shared::read_proc_u64("/proc/sys/net/core/somaxconn")
            .map_or(f::SOMAXCONN, |v| i32::try_from(v).unwrap_or(i32::MAX))),
        Leaf::ConfTxt => cstr("options\tCONFIG_AUTOGENERATED\nident\tGENERIC\nmachine\tamd64\ncpu\tHAMMER\n"),
        Leaf::Arandom => {
            // Up to 256 random bytes, as much as the buffer holds.
            let mut b = vec![0u8; want.min(256)];
            crate::host::proc::getrandom_host(&mut b);
            b
        }
        Leaf::Proc(sel, threads) => proc_table(sel, params.first().copied().unwrap_or(0), threads)?,
        Leaf::ProcArgs => {
            let pid = if params[0] == -1 { crate::host::proc::getpid() } else { params[0] };
            let v = crate::sys::procs::view(pid).ok_or(ESRCH)?;
            v.argv.iter().flat_map(|a| a.iter().copied().chain([0])).collect()
        }
        Leaf::CpTime | Leaf::CpTimes => shared::cp_times(leaf == Leaf::CpTime, STATHZ as u64),
        Leaf::VmPageSize => 4096u32.to_ne_bytes().to_vec(),
        // struct clockinfo {hz, tick, spare, stathz, profhz}: a GENERIC
        // amd64 kernel's (hz 1000, the statistics clock at 127 Hz).
        Leaf::ClockRate => [HZ, 1_000_000 / HZ, 0, STATHZ, PROFHZ].iter().flat_map(|v| v.to_ne_bytes()).collect(),
        Leaf::SwapTotal => (shared::meminfo_kib("SwapTotal:").unwrap_or(0) * 1024).to_ne_bytes().to_vec(),
        Leaf::VmPages(c) => {
            let v = shared::value(Node::VmPages(c), &[])?;
            let pages = u64::from_ne_bytes(v.get(..8).and_then(|b| b.try_into().ok()).unwrap_or_default());
            u32::try_from(pages).unwrap_or(u32::MAX).to_ne_bytes().to_vec()
        }
    })
}

/// `kern.clockrate`'s hz, stathz (the unit of `kern.cp_time`) and profhz.
const HZ: i32 = 1000;
const STATHZ: i32 = 127;
const PROFHZ: i32 = 8128;

/// Whether process `p` is one `sel` picks with `arg`; `tdev` is its
/// terminal as a FreeBSD `dev_t`.
fn picks(sel: ProcSel, arg: i32, p: &crate::xlat::procinfo::ProcInfo, tdev: Option<u64>) -> bool {
    match sel {
        ProcSel::Pid => p.pid == arg,
        ProcSel::Proc => true,
        ProcSel::Pgrp => p.pgid == arg,
        ProcSel::Session => p.sid == arg,
        // The MIB's int, widened to dev_t as the kernel does.
        ProcSel::Tty => tdev == Some(arg as i64 as u64),
        ProcSel::Uid => p.uid[1] == arg as u32,
        ProcSel::Ruid => p.uid[0] == arg as u32,
        ProcSel::Rgid => p.gid[0] == arg as u32,
        ProcSel::Gid => p.gid[1] == arg as u32,
    }
}

/// A `kern.proc` table: one `kinfo_proc` per process `sel` picks, or
/// with `threads` one per thread of each.
fn proc_table(sel: ProcSel, arg: i32, threads: bool) -> Result<Vec<u8>, Errno> {
    use crate::sys::procs;
    let pick: Vec<procs::GuestView> = match sel {
        ProcSel::Pid => vec![procs::view(arg).ok_or(ESRCH)?],
        _ => procs::all(),
    };
    let boot = procs::boot_us();
    let mut out = Vec::new();
    for v in &pick {
        let p = &v.info;
        let tdev = (p.tty != 0).then(|| super::stat::dev_from_linux(u64::from(p.tty)));
        if !picks(sel, arg, p, tdev) {
            continue;
        }
        // Another process's first thread is its main one, named by its pid;
        // only this process's (and a thread table) need the thread list.
        let tds = if threads || p.pid == crate::host::proc::getpid() { procs::threads(p.pid) } else { Vec::new() };
        // ki_tid of a process record is its first thread's.
        let first = tds.first().map_or(p.pid, |t| t.id);
        // This process counts the guest's threads, not godfly's helpers.
        let own = (p.pid == crate::host::proc::getpid() && !tds.is_empty())
            .then(|| crate::xlat::procinfo::ProcInfo { threads: tds.len() as i32, ..p.clone() });
        let p = own.as_ref().unwrap_or(p);
        let rec = super::kinfo::kinfo_proc(p, &v.name, tdev, super::thr::guest_tid(first), boot, procs::HZ);
        if !threads || tds.is_empty() {
            out.extend(rec);
            continue;
        }
        for t in &tds {
            let mut r = rec.clone();
            let name = t.name.as_deref().unwrap_or(&v.name);
            super::kinfo::kinfo_thread(&mut r, &t.info, name, super::thr::guest_tid(t.id), procs::HZ);
            out.extend(r);
        }
    }
    Ok(out)
}

/// `__sysctl(name, namelen, old, oldlenp, new, newlen)`, FreeBSD 202.
pub fn sysctl(_: &mut Ctx, a: &Args) -> SysResult {
    let namelen = a.uint(1) as usize;
    if !(2..=f::CTL_MAXNAME as usize).contains(&namelen) {
        return Err(EINVAL);
    }
    let mib: Vec<i32> = mem::read_vec(a.ptr(0), namelen)?;
    let (old, oldlenp, new, newlen) = (a.ptr(2), a.ptr(3), a.ptr(4), a.usize(5));
    let data = if mib.len() >= 3 && mib[..2] == [f::CTL_NET, f::AF_ROUTE] {
        net_route(&mib, new != 0)?
    } else if mib[..2] == [0, 3] {
        // name2oid: the name is the new value, with or without its NUL.
        if new == 0 || newlen == 0 {
            return Err(ENOENT);
        }
        if newlen >= mem::MAXPATHLEN {
            return Err(ENAMETOOLONG);
        }
        let name = mem::read_bytes(new, newlen)?;
        let end = name.iter().position(|&b| b == 0).unwrap_or(name.len());
        let name = std::str::from_utf8(&name[..end]).map_err(|_| ENOENT)?;
        name_to_mib(name).ok_or(ENOENT)?.iter().flat_map(|v| v.to_ne_bytes()).collect()
    } else if new != 0 {
        return Err(EPERM);
    } else if mib[0] == 0 {
        match mib[1] {
            1 => cstr(&oid_name(&mib[2..])),
            2 => next_oid(&mib[2..]).ok_or(ENOENT)?.iter().flat_map(|v| v.to_ne_bytes()).collect(),
            4 => {
                let (kind, fmt) = oid_format(&mib[2..])?;
                kind.to_ne_bytes().into_iter().chain(cstr(fmt)).collect()
            }
            _ => return Err(ENOENT),
        }
    } else if INTERIOR.iter().any(|(_, m)| *m == mib.as_slice()) {
        return Err(EISDIR);
    } else {
        let (leaf, params) = find(&mib)?;
        let want = if oldlenp != 0 { mem::read::<u64>(oldlenp)? as usize } else { 0 };
        let mut v = value(leaf, params, want)?;
        if old == 0 && matches!(leaf, Leaf::Proc(sel, _) if sel != ProcSel::Pid) {
            // A size query for a table is overestimated by 5 processes.
            v.resize(v.len() + 5 * super::kinfo::KINFO_PROC_LEN, 0);
        }
        v
    };
    shared::copy_out_result(&data, old, oldlenp)
}

/// `net.route.0.<af>.<op>.<arg>[.<fib>]` (`sysctl_rtsock`): NET_RT_DUMP,
/// NET_RT_FLAGS, NET_RT_IFLIST and NET_RT_IFMALIST from the host's
/// tables; the fib must be
/// 0, the only one there is.
fn net_route(mib: &[i32], has_new: bool) -> Result<Vec<u8>, Errno> {
    if !(6..=7).contains(&mib.len()) || mib.get(6).is_some_and(|&fib| fib != 0) {
        return Err(EINVAL);
    }
    if has_new {
        return Err(EPERM);
    }
    let (af, arg) = (mib[3], mib[5]);
    match mib[4] {
        f::NET_RT_DUMP => {
            let st = crate::host::net_state();
            super::route::rtdump(&st.routes, &st.ifcs, af, None)
        }
        f::NET_RT_FLAGS => {
            let st = crate::host::net_state();
            super::route::rtdump(&st.routes, &st.ifcs, af, Some(arg as u32))
        }
        f::NET_RT_IFLIST => Ok(super::route::iflist(&crate::host::interfaces(), af, arg.max(0) as u32)),
        f::NET_RT_IFMALIST => {
            let groups = crate::host::multicast_groups();
            Ok(super::route::ifmalist(&crate::host::interfaces(), &groups, af, arg.max(0) as u32))
        }
        _ => Err(EINVAL),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_resolve_to_freebsd_mibs() {
        assert_eq!(name_to_mib("kern.proc.pathname"), Some(&[1, 14, 12][..]));
        assert_eq!(name_to_mib("kern.smp.maxcpus"), Some(&[1, 0x100, 0x100][..]));
        assert_eq!(name_to_mib("hw.pagesize"), Some(&[6, 7][..]));
        assert_eq!(name_to_mib("kern.osreldate"), Some(&[1, 24][..]));
        assert_eq!(name_to_mib("kern.nonesuch"), None);
        assert_eq!(find(&[1, 14, 12, -1]).map(|l| l.0), Ok(Leaf::Shared(Node::ProcPathname)));
        assert_eq!(find(&[1, 14, 12]).map(|l| l.0), Err(ENOENT));
        assert_eq!(find(&[6, 7, 1]).map(|l| l.0), Err(ENOTDIR));
    }

    #[test]
    fn the_walk_visits_every_leaf_in_mib_order() {
        let mut at: Vec<i32> = Vec::new();
        let mut n = 0;
        while let Some(next) = next_oid(&at) {
            assert!(next > at.as_slice());
            at = next.to_vec();
            n += 1;
        }
        assert_eq!(n, NODES.len());
        assert_eq!(oid_name(&[1, 14, 12, 5]), "kern.proc.pathname.5");
        assert_eq!(oid_format(&[1, 0x100]).map(|f| f.1), Ok("N"));
    }
}
