//! The host: typed, safe wrappers around the Linux calls godfly makes,
//! in the host's own numbering (errors are Linux errnos, `errno::Errno`).
//! Raw system calls are `unsafe fn`s in `raw`, used only here; the
//! layers above call these wrappers and are free of `unsafe`.
//!
//! Guest memory is passed as [`GuestPtr`]: an address handed to the kernel
//! as it is. The kernel validates every user pointer and answers EFAULT
//! for a bad one, and no Rust reference is ever made to guest memory, so
//! these wrappers are sound for any address value. (The guest shares
//! godfly's address space: a guest pointer into godfly's own memory is
//! memory the guest could scribble on with a plain store anyway.)

pub mod alloc;
pub mod dirs;
pub mod errno;
pub mod event;
pub mod fd;
pub mod fs;
pub mod ipc;
pub mod mm;
pub mod net;
pub mod out;
pub mod perf;
pub mod preload;
pub mod proc;
mod raw;
pub mod sig;
pub mod time;

pub use errno::Errno;

use std::ffi::CStr;

/// Result of a host call: the raw non-negative return value.
pub type HostResult = Result<u64, Errno>;

/// An address in guest memory, for the kernel to validate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GuestPtr(pub u64);

impl GuestPtr {
    /// The null pointer.
    pub const NULL: GuestPtr = GuestPtr(0);

    /// The address as a number.
    pub fn addr(self) -> u64 {
        self.0
    }

    /// Whether this is NULL.
    pub fn is_null(self) -> bool {
        self.0 == 0
    }
}

/// `uname` of the host.
pub fn uname() -> libc::utsname {
    let mut u = std::mem::MaybeUninit::<libc::utsname>::zeroed();
    // SAFETY: u is a valid utsname buffer; uname cannot fail with a valid pointer.
    unsafe {
        libc::uname(u.as_mut_ptr());
        u.assume_init()
    }
}

/// Reads a NUL-padded byte field of a host struct as text.
pub fn field_str(field: &[libc::c_char]) -> String {
    let bytes: Vec<u8> = field.iter().take_while(|&&c| c != 0).map(|&c| c as u8).collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The file and load base of the host object (godfly itself, or a shared
/// library) that contains code address `pc`, for naming godfly's own code.
pub fn image_of(pc: u64) -> Option<(String, u64)> {
    let mut info = libc::Dl_info {
        dli_fname: std::ptr::null(),
        dli_fbase: std::ptr::null_mut(),
        dli_sname: std::ptr::null(),
        dli_saddr: std::ptr::null_mut(),
    };
    // SAFETY: dladdr only reads the loader's tables and fills `info`.
    if unsafe { libc::dladdr(pc as *const libc::c_void, &mut info) } == 0 || info.dli_fname.is_null() {
        // Statically linked, there are no loader tables: godfly's own
        // image is found from its program headers.
        return own_image_base(pc)
            .and_then(|base| Some((std::env::current_exe().ok()?.to_string_lossy().into_owned(), base)));
    }
    // SAFETY: dladdr returned a NUL-terminated name owned by the loader.
    let name = unsafe { CStr::from_ptr(info.dli_fname) }.to_string_lossy().into_owned();
    // The main program's entry has an empty name in some loaders.
    let name = if name.is_empty() { std::env::current_exe().ok()?.to_string_lossy().into_owned() } else { name };
    Some((name, info.dli_fbase as u64))
}

/// godfly's own program headers and its load address (from the auxiliary
/// vector the kernel passed, whose PT_PHDR says where the headers are).
fn own_phdrs() -> Option<(u64, &'static [libc::Elf64_Phdr])> {
    // SAFETY: getauxval has no preconditions.
    let (phdr, phnum) = unsafe { (libc::getauxval(libc::AT_PHDR), libc::getauxval(libc::AT_PHNUM)) };
    if phdr == 0 || phnum == 0 || phnum > 256 {
        return None;
    }
    // SAFETY: the kernel maps the executable's program headers, which
    // AT_PHDR and AT_PHNUM describe, for the life of the process.
    let phdrs = unsafe { std::slice::from_raw_parts(phdr as *const libc::Elf64_Phdr, phnum as usize) };
    let base = phdr.checked_sub(phdrs.iter().find(|p| p.p_type == libc::PT_PHDR)?.p_vaddr)?;
    Some((base, phdrs))
}

/// The load address of godfly's own executable when `pc` lies in one of
/// its segments.
fn own_image_base(pc: u64) -> Option<u64> {
    let (base, phdrs) = own_phdrs()?;
    phdrs.iter().any(|p| p.p_type == libc::PT_LOAD && pc.wrapping_sub(base + p.p_vaddr) < p.p_memsz).then_some(base)
}

/// The addresses godfly's own executable occupies (its first and past its
/// last loaded page), which no guest segment may take.
pub fn own_image_range() -> Option<(u64, u64)> {
    let (base, phdrs) = own_phdrs()?;
    let loads = phdrs.iter().filter(|p| p.p_type == libc::PT_LOAD);
    let start = loads.clone().map(|p| base + p.p_vaddr).min()? & !0xfff;
    let end = loads.map(|p| base + p.p_vaddr + p.p_memsz).max()?;
    Some((start, end.div_ceil(4096) * 4096))
}

/// An all-zero host `ucontext_t` (for building contexts in tests and fuzz
/// targets).
pub fn zeroed_ucontext() -> libc::ucontext_t {
    // SAFETY: ucontext_t is plain data (integers and raw pointers); all
    // zeros is a valid value.
    unsafe { std::mem::zeroed() }
}

/// An all-zero host `statfs` (for translation tests and fuzz targets).
pub fn zeroed_statfs() -> libc::statfs {
    // SAFETY: statfs is plain integers; all zeros is a valid value.
    unsafe { std::mem::zeroed() }
}

/// An all-zero host `stat` (for translation tests and fuzz targets).
pub fn zeroed_stat() -> libc::stat {
    // SAFETY: stat is plain integers; all zeros is a valid value.
    unsafe { std::mem::zeroed() }
}

/// Reads the never-mapped zero page: a fault in godfly's own code, on
/// purpose (`crash::inject`).
pub fn deliberate_fault() {
    // SAFETY: the read faults before it returns anything; the fault handler
    // reports it as godfly's internal error and ends the process.
    let v = unsafe { std::ptr::read_volatile(std::ptr::without_provenance::<u64>(8)) };
    std::hint::black_box(v);
}

/// Whether godfly itself was started set-uid/set-gid (`AT_SECURE`).
pub fn is_secure_exec() -> bool {
    // SAFETY: getauxval has no preconditions.
    unsafe { libc::getauxval(libc::AT_SECURE) != 0 }
}

/// Whether the CPU and kernel let user code use `rdfsbase`/`wrfsbase`.
pub fn has_fsgsbase() -> bool {
    const HWCAP2_FSGSBASE: u64 = 1 << 1;
    // SAFETY: getauxval has no preconditions.
    let caps = unsafe { libc::getauxval(libc::AT_HWCAP2) };
    caps & HWCAP2_FSGSBASE != 0
}

/// Sets the calling thread's `%gs` base (godfly itself never uses `%gs`).
pub fn set_gs_base(base: u64) -> Result<(), Errno> {
    const ARCH_SET_GS: u64 = 0x1001;
    // SAFETY: arch_prctl(ARCH_SET_GS) changes only this thread's %gs base,
    // which no Rust code or libc uses on x86-64.
    unsafe { raw::sys(libc::SYS_arch_prctl, &[ARCH_SET_GS, base]) }.map(|_| ())
}

/// Arms Syscall User Dispatch for the calling thread: calls from outside
/// `[start, start+len)` raise SIGSYS while `*selector` says BLOCK.
///
/// # Safety
/// `selector` must stay valid for as long as dispatch is armed on this
/// thread (it lives in the thread's block).
pub unsafe fn arm_syscall_dispatch(start: u64, len: u64, selector: *mut u8) -> std::io::Result<()> {
    const PR_SET_SYSCALL_USER_DISPATCH: i32 = 59;
    const PR_SYS_DISPATCH_ON: u64 = 1;
    // SAFETY: the caller keeps the selector alive.
    let r = unsafe { libc::prctl(PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_ON, start, len, selector) };
    if r != 0 { Err(std::io::Error::last_os_error()) } else { Ok(()) }
}

/// Turns Syscall User Dispatch off for the calling thread.
pub fn disarm_syscall_dispatch() {
    const PR_SET_SYSCALL_USER_DISPATCH: i32 = 59;
    const PR_SYS_DISPATCH_OFF: u64 = 0;
    // SAFETY: only changes this thread's dispatch setting.
    unsafe { libc::prctl(PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_OFF, 0u64, 0u64, 0u64) };
}

/// One address of a host network interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IfAddr {
    /// `AF_INET` or `AF_INET6` (host numbering).
    pub family: i32,
    /// Address bytes (4 or 16).
    pub addr: Vec<u8>,
    /// Netmask bytes.
    pub netmask: Vec<u8>,
    /// Broadcast (or point-to-point peer) address, if any.
    pub broadcast: Option<Vec<u8>>,
    /// IPv6 scope id.
    pub scope_id: u32,
}

/// A host network interface.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Interface {
    pub name: String,
    pub index: u32,
    /// Linux IFF_* flags.
    pub flags: u32,
    pub mtu: u32,
    /// Hardware address, if any.
    pub mac: Vec<u8>,
    pub addrs: Vec<IfAddr>,
}

fn sockaddr_bytes(sa: *const libc::sockaddr) -> Option<(i32, Vec<u8>, u32)> {
    if sa.is_null() {
        return None;
    }
    // SAFETY: getifaddrs gives valid sockaddrs of the family they announce.
    unsafe {
        match i32::from((*sa).sa_family) {
            libc::AF_INET => {
                let s = &*sa.cast::<libc::sockaddr_in>();
                Some((libc::AF_INET, s.sin_addr.s_addr.to_ne_bytes().to_vec(), 0))
            }
            libc::AF_INET6 => {
                let s = &*sa.cast::<libc::sockaddr_in6>();
                Some((libc::AF_INET6, s.sin6_addr.s6_addr.to_vec(), s.sin6_scope_id))
            }
            libc::AF_PACKET => {
                let s = &*sa.cast::<libc::sockaddr_ll>();
                Some((libc::AF_PACKET, s.sll_addr[..usize::from(s.sll_halen).min(8)].to_vec(), 0))
            }
            _ => None,
        }
    }
}

/// The multicast groups the host's interfaces have joined.
pub fn multicast_groups() -> Vec<crate::xlat::mcast::Group> {
    let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
    let mut g = crate::xlat::mcast::parse_igmp(&read("/proc/net/igmp"));
    g.extend(crate::xlat::mcast::parse_igmp6(&read("/proc/net/igmp6")));
    g
}

/// The host's network interfaces with their addresses (`getifaddrs`).
pub fn interfaces() -> Vec<Interface> {
    let mut list: Vec<Interface> = Vec::new();
    let mut head: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs allocates a list that freeifaddrs releases below;
    // each node is read only while the list lives.
    unsafe {
        if libc::getifaddrs(&mut head) != 0 {
            return list;
        }
        let mut cur = head;
        while !cur.is_null() {
            let ifa = &*cur;
            let name = std::ffi::CStr::from_ptr(ifa.ifa_name).to_string_lossy().into_owned();
            let pos = match list.iter().position(|i| i.name == name) {
                Some(p) => p,
                None => {
                    let index = libc::if_nametoindex(ifa.ifa_name);
                    let mtu = std::fs::read_to_string(format!("/sys/class/net/{name}/mtu"))
                        .ok()
                        .and_then(|s| s.trim().parse().ok())
                        .unwrap_or(0);
                    list.push(Interface { name: name.clone(), index, flags: ifa.ifa_flags, mtu, ..Default::default() });
                    list.len() - 1
                }
            };
            if let Some((family, addr, scope_id)) = sockaddr_bytes(ifa.ifa_addr) {
                if family == libc::AF_PACKET {
                    list[pos].mac = addr;
                } else {
                    let netmask = sockaddr_bytes(ifa.ifa_netmask).map(|m| m.1).unwrap_or_default();
                    let broadcast = sockaddr_bytes(ifa.ifa_ifu).map(|b| b.1);
                    list[pos].addrs.push(IfAddr { family, addr, netmask, broadcast, scope_id });
                }
            }
            cur = ifa.ifa_next;
        }
        libc::freeifaddrs(head);
    }
    list.sort_by_key(|i| i.index);
    list
}

/// The host's IPv4 and IPv6 routes (`/proc/net/route`, `/proc/net/ipv6_route`).
pub fn routes_proc() -> Vec<crate::xlat::routes::Route> {
    let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
    let mut r = crate::xlat::routes::parse_ipv4(&read("/proc/net/route"));
    r.extend(crate::xlat::routes::parse_ipv6(&read("/proc/net/ipv6_route")));
    r
}

/// The host's routes: the main tables of `/proc/net`, and a host route
/// for each IPv4 address of a loopback interface (Linux keeps those in
/// its local table, which `/proc/net/route` leaves out; a BSD lists
/// `127.0.0.1 lo0 UH`).
pub fn routes() -> Vec<crate::xlat::routes::Route> {
    routes_with(routes_proc(), &interfaces())
}

/// `routes` for given tables and interfaces.
pub fn routes_with(mut r: Vec<crate::xlat::routes::Route>, ifcs: &[Interface]) -> Vec<crate::xlat::routes::Route> {
    use crate::xlat::routes::{RTF_HOST, RTF_UP, Route};
    for ifc in ifcs.iter().filter(|i| i.flags & libc::IFF_LOOPBACK as u32 != 0) {
        for a in ifc.addrs.iter().filter(|a| a.family == libc::AF_INET) {
            if !r.iter().any(|x| x.family == libc::AF_INET && x.prefix == 32 && x.dst == a.addr) {
                r.push(Route {
                    family: libc::AF_INET,
                    dst: a.addr.clone(),
                    prefix: 32,
                    gateway: None,
                    flags: RTF_UP | RTF_HOST,
                    ifname: ifc.name.clone(),
                    metric: 0,
                    mtu: 0,
                });
            }
        }
    }
    r
}

/// What the routing messages are made from: the host's routes and
/// interfaces at one moment.
#[derive(Debug, Clone, Default)]
pub struct NetState {
    pub routes: Vec<crate::xlat::routes::Route>,
    pub ifcs: Vec<Interface>,
}

/// The host's routes and interfaces now.
pub fn net_state() -> NetState {
    let ifcs = interfaces();
    NetState { routes: routes_with(routes_proc(), &ifcs), ifcs }
}

/// The extended register state godfly keeps for guest threads: XCR0's
/// components that the kernel lets this process use (ARCH_GET_XCOMP_PERM:
/// AMX tile data, for one, only on request), `None` without XSAVE or when
/// the image would not fit the fast path's room (then every call traps,
/// and the kernel's signal frames keep the state).
pub fn xstate() -> Option<crate::arch::xstate::Info> {
    *XSTATE.get().unwrap_or(&None)
}

static XSTATE: crate::sync::Startup<Option<crate::arch::xstate::Info>> = crate::sync::Startup::new();

/// Works out `xstate()` (once, at start-up).
pub fn init_xstate() {
    const ARCH_GET_XCOMP_PERM: u64 = 0x1022;
    let info = crate::arch::xstate::xcr0().and_then(|xcr0| {
        let mut perm: u64 = 0;
        // SAFETY: ARCH_GET_XCOMP_PERM writes one u64 to the address given.
        let r = unsafe { raw::sys(libc::SYS_arch_prctl, &[ARCH_GET_XCOMP_PERM, raw::mut_ptr(&mut perm)]) };
        // Before Linux 5.16 there is no permission call: every component is usable.
        let features = xcr0 & if r.is_ok() { perm } else { u64::MAX };
        let info = crate::arch::xstate::info(features, xcr0);
        (info.size <= crate::arch::FAST_XSAVE_RESERVE).then_some(info)
    });
    let _ = XSTATE.set(info);
}

/// Makes the calling thread's blocking host calls cancellable by `flag`
/// (the thread's arrived-signals word; null for none).
///
/// # Safety
/// `flag` must stay valid until the thread sets another or ends.
pub unsafe fn set_interrupt_flag(flag: *const u64) {
    // SAFETY: forwarded from the caller.
    unsafe { raw::set_interrupt_flag(flag) }
}

#[cfg(test)]
mod tests {
    #[test]
    fn godflys_own_code_is_found_in_its_image_linked_either_way() {
        let pc = super::image_of as *const () as u64;
        let base = super::own_image_base(pc).expect("a function of godfly lies in its own image");
        assert!(base <= pc);
        let (file, at) = super::image_of(pc).expect("godfly's own code has an image");
        assert_eq!(at, base, "the loader and the program headers agree on the base");
        assert!(std::path::Path::new(&file).exists(), "{file}");
        assert_eq!(super::own_image_base(0x10), None);
        let (start, end) = super::own_image_range().expect("godfly's image has loaded segments");
        assert!(start <= pc && pc < end && start % 4096 == 0 && end % 4096 == 0);
    }
}
