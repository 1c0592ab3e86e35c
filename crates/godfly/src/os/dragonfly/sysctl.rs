//! `__sysctl`, DragonFly 202, over a static table of the nodes programs
//! read: `kern.*` identity, `hw.*` machine facts, `kern.proc.pathname`,
//! `net.route.0.<af>.NET_RT_IFLIST` (the host's interfaces as routing
//! messages, for `net.Interfaces`), and the `{0,3}` name-to-OID lookup that
//! `sysctlbyname` uses. Values come from
//! the host where they describe the machine (CPU count, memory, host name)
//! and from DragonFly's constants where they describe the system.

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
/// `kern.osrevision` (BSD's constant).
const OSREVISION: i32 = 199_506;
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
}

/// (name, MIB, node). `kern.proc.pathname` takes one more element, the pid.
const NODES: &[(&str, &[i32], Node)] = &[
    ("kern.ostype", &[d::CTL_KERN, d::KERN_OSTYPE], Node::OsType),
    ("kern.osrelease", &[d::CTL_KERN, d::KERN_OSRELEASE], Node::OsRelease),
    ("kern.osrevision", &[d::CTL_KERN, d::KERN_OSREV], Node::OsRevision),
    ("kern.version", &[d::CTL_KERN, d::KERN_VERSION], Node::Version),
    ("kern.maxproc", &[d::CTL_KERN, d::KERN_MAXPROC], Node::MaxProc),
    ("kern.maxfiles", &[d::CTL_KERN, d::KERN_MAXFILES], Node::MaxFiles),
    ("kern.argmax", &[d::CTL_KERN, d::KERN_ARGMAX], Node::ArgMax),
    ("kern.hostname", &[d::CTL_KERN, d::KERN_HOSTNAME], Node::Hostname),
    ("kern.boottime", &[d::CTL_KERN, d::KERN_BOOTTIME], Node::BootTime),
    ("kern.osreldate", &[d::CTL_KERN, d::KERN_OSRELDATE], Node::OsRelDate),
    ("kern.maxfilesperproc", &[d::CTL_KERN, d::KERN_MAXFILESPERPROC], Node::MaxFilesPerProc),
    ("kern.ps_strings", &[d::CTL_KERN, d::KERN_PS_STRINGS], Node::PsStrings),
    ("kern.usrstack", &[d::CTL_KERN, d::KERN_USRSTACK], Node::UsrStack),
    ("kern.iov_max", &[d::CTL_KERN, d::KERN_IOV_MAX], Node::IovMax),
    ("kern.proc.pathname", &[d::CTL_KERN, d::KERN_PROC, d::KERN_PROC_PATHNAME], Node::ProcPathname),
    ("hw.machine", &[d::CTL_HW, d::HW_MACHINE], Node::Machine),
    ("hw.model", &[d::CTL_HW, d::HW_MODEL], Node::Model),
    ("hw.ncpu", &[d::CTL_HW, d::HW_NCPU], Node::Ncpu),
    ("hw.byteorder", &[d::CTL_HW, d::HW_BYTEORDER], Node::ByteOrder),
    ("hw.physmem", &[d::CTL_HW, d::HW_PHYSMEM], Node::PhysMem),
    ("hw.usermem", &[d::CTL_HW, d::HW_USERMEM], Node::UserMem),
    ("hw.pagesize", &[d::CTL_HW, d::HW_PAGESIZE], Node::PageSize),
    ("hw.machine_arch", &[d::CTL_HW, d::HW_MACHINE_ARCH], Node::MachineArch),
];

/// The MIB for a dotted name (the `{0,3}` lookup).
pub fn name_to_mib(name: &str) -> Option<&'static [i32]> {
    NODES.iter().find(|n| n.0 == name).map(|n| n.1)
}

/// Every node with its dotted name and MIB.
pub fn nodes() -> impl Iterator<Item = (&'static str, &'static [i32], Node)> {
    NODES.iter().copied()
}

/// Finds the node for a MIB and any trailing parameters.
pub fn find(mib: &[i32]) -> Result<(Node, &[i32]), Errno> {
    for (_, prefix, node) in NODES {
        if mib.len() >= prefix.len() && &mib[..prefix.len()] == *prefix {
            let rest = &mib[prefix.len()..];
            let want = usize::from(*node == Node::ProcPathname);
            return if rest.len() == want {
                Ok((*node, rest))
            } else {
                Err(if rest.is_empty() { ENOENT } else { ENOTDIR })
            };
        }
    }
    Err(ENOENT)
}

fn cstr(s: &str) -> Vec<u8> {
    let mut v = s.as_bytes().to_vec();
    v.push(0);
    v
}

fn int(v: i32) -> Vec<u8> {
    v.to_ne_bytes().to_vec()
}

fn read_proc_u64(path: &str) -> Option<u64> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

fn meminfo_kib(key: &str) -> Option<u64> {
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

/// Number of CPUs this process may run on.
pub fn ncpu() -> i32 {
    std::thread::available_parallelism().map_or(1, |n| i32::try_from(n.get()).unwrap_or(i32::MAX))
}

fn value(node: Node, params: &[i32]) -> Result<Vec<u8>, Errno> {
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
                let link = std::fs::read_link(format!("/proc/{pid}/exe")).map_err(|_| ESRCH)?;
                cstr(&link.to_string_lossy())
            }
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

/// What a `__sysctl` request asks for, decided from its MIB alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request<'a> {
    /// A node's value, with the trailing MIB parameters.
    Value(Node, &'a [i32]),
    /// `{0,3}`: the MIB for the name given as the new value.
    NameToMib,
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
        Request::RouteDump { af, flags } => super::route::rtdump(&host::routes(), &host::interfaces(), af, flags)?,
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
        Request::Value(node, params) => value(node, params)?,
    };
    copy_out_result(&data, old, oldlenp)
}

/// How much of a `len`-byte value fits in a buffer of `room` bytes, the
/// length to report, and whether the copy is short (ENOMEM).
pub fn copy_plan(len: usize, room: u64) -> (usize, u64, bool) {
    let n = len.min(usize::try_from(room).unwrap_or(usize::MAX));
    (n, len as u64, n < len)
}

/// Copies a sysctl value out with BSD's rules: no buffer → only the length;
/// short buffer → partial copy, the full length, and ENOMEM.
fn copy_out_result(data: &[u8], old: u64, oldlenp: u64) -> SysResult {
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
    fn names_resolve_to_dragonfly_mibs() {
        assert_eq!(name_to_mib("hw.ncpu"), Some(&[6, 3][..]));
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
        assert_eq!(find(&[1, 14, 9, 1, 2]).map(|n| n.0), Err(ENOTDIR));
        assert_eq!(find(&[6, 3]).map(|n| n.0), Ok(Node::Ncpu));
        assert_eq!(find(&[6, 99]).map(|n| n.0), Err(ENOENT));
    }
}
