//! Thin wrappers around Linux system calls, with errors already translated
//! to DragonFly errnos. The `sys/` modules are safe code and reach the host
//! only through here.
//!
//! Guest pointers are passed to the kernel as plain addresses: the kernel
//! validates every user pointer and answers EFAULT for a bad one, so these
//! wrappers are sound for any address value. They never hand such memory
//! to Rust code as a reference.

use godfly_abi::errno::Errno;
use std::ffi::CStr;

use crate::xlat;

pub mod preload;

/// Result of a host call: the raw non-negative return value.
pub type HostResult = Result<u64, Errno>;

fn check(r: i64) -> HostResult {
    if r < 0 { Err(xlat::errno::last()) } else { Ok(r as u64) }
}

/// A raw Linux system call with up to six arguments. Pointer arguments must
/// be guest addresses or point at live host memory of the right size.
pub fn syscall(nr: i64, a: [u64; 6]) -> HostResult {
    // SAFETY: see the module comment: the kernel validates user pointers;
    // callers only pass numbers that do not alter godfly's own memory
    // except through explicit guest requests (mmap/munmap of guest ranges).
    let r = unsafe { libc::syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]) };
    check(r)
}

/// `syscall` with fewer arguments, zero-padded.
pub fn sys(nr: i64, args: &[u64]) -> HostResult {
    let mut a = [0u64; 6];
    a[..args.len()].copy_from_slice(args);
    syscall(nr, a)
}

/// Address of a C string, for `sys`.
pub fn cptr(s: &CStr) -> u64 {
    s.as_ptr() as u64
}

/// Address of a host buffer, for `sys`.
pub fn bptr<T>(b: &T) -> u64 {
    std::ptr::from_ref(b) as u64
}

/// Address of a writable host buffer, for `sys`.
pub fn bptr_mut<T>(b: &mut T) -> u64 {
    std::ptr::from_mut(b) as u64
}

/// `fstatat` into a host `struct stat`.
pub fn fstatat(dirfd: i32, path: &CStr, flags: i32) -> Result<libc::stat, Errno> {
    let mut st = std::mem::MaybeUninit::<libc::stat>::zeroed();
    sys(libc::SYS_newfstatat, &[dirfd as u64, cptr(path), st.as_mut_ptr() as u64, flags as u64])?;
    // SAFETY: the kernel filled the whole struct on success (and it started zeroed).
    Ok(unsafe { st.assume_init() })
}

/// `fstat` into a host `struct stat`.
pub fn fstat(fd: i32) -> Result<libc::stat, Errno> {
    let mut st = std::mem::MaybeUninit::<libc::stat>::zeroed();
    sys(libc::SYS_fstat, &[fd as u64, st.as_mut_ptr() as u64])?;
    // SAFETY: as above.
    Ok(unsafe { st.assume_init() })
}

/// `stat` of a path.
pub fn stat_path(path: &CStr) -> Result<libc::stat, Errno> {
    fstatat(libc::AT_FDCWD, path, 0)
}

/// `clock_gettime` into a host timespec.
pub fn clock_gettime(clock: libc::clockid_t) -> Result<libc::timespec, Errno> {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: ts is a valid timespec; glibc uses the vDSO.
    let r = unsafe { libc::clock_gettime(clock, &mut ts) };
    if r != 0 { Err(xlat::errno::last()) } else { Ok(ts) }
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

/// Writes all of `data` to a host descriptor, retrying short writes and
/// EINTR; errors are dropped (used for last-words reports).
pub fn write_all(fd: i32, mut data: &[u8]) {
    while !data.is_empty() {
        match sys(libc::SYS_write, &[fd as u64, data.as_ptr() as u64, data.len() as u64]) {
            Ok(0) => return,
            Ok(n) => data = &data[(n as usize).min(data.len())..],
            Err(e) if e == godfly_abi::errno::EINTR => {}
            Err(_) => return,
        }
    }
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
        return None;
    }
    // SAFETY: dladdr returned a NUL-terminated name owned by the loader.
    let name = unsafe { CStr::from_ptr(info.dli_fname) }.to_string_lossy().into_owned();
    // The main program's entry has an empty name in some loaders.
    let name = if name.is_empty() { std::env::current_exe().ok()?.to_string_lossy().into_owned() } else { name };
    Some((name, info.dli_fbase as u64))
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

/// Reads the never-mapped zero page: a fault in godfly's own code, on
/// purpose (`crash::inject`).
pub fn deliberate_fault() {
    // SAFETY: the read faults before it returns anything; the fault handler
    // reports it as godfly's internal error and ends the process.
    let v = unsafe { std::ptr::read_volatile(std::ptr::without_provenance::<u64>(8)) };
    std::hint::black_box(v);
}

/// A non-blocking, close-on-exec pipe (read end, write end).
pub fn pipe_nonblocking() -> Result<(i32, i32), Errno> {
    let mut fds = [0i32; 2];
    sys(libc::SYS_pipe2, &[bptr_mut(&mut fds), (libc::O_NONBLOCK | libc::O_CLOEXEC) as u64])?;
    Ok((fds[0], fds[1]))
}

/// Whether the calling thread runs on its alternate signal stack.
pub fn on_alt_stack() -> bool {
    let mut old = libc::stack_t { ss_sp: std::ptr::null_mut(), ss_flags: 0, ss_size: 0 };
    sys(libc::SYS_sigaltstack, &[0, bptr_mut(&mut old)]).is_ok() && old.ss_flags & libc::SS_ONSTACK != 0
}

/// Ends the whole process at once (all threads), like DragonFly's `exit`.
pub fn exit_group(status: i32) -> ! {
    // SAFETY: _exit never returns and touches no Rust state.
    unsafe { libc::_exit(status) }
}

/// Sends a host signal to one host thread of this process.
pub fn tgkill(tid: i32, sig: i32) -> HostResult {
    // SAFETY: getpid has no preconditions.
    let pid = unsafe { libc::getpid() };
    sys(libc::SYS_tgkill, &[pid as u64, tid as u64, sig as u64])
}

/// Whether godfly itself was started set-uid/set-gid (`AT_SECURE`).
pub fn is_secure_exec() -> bool {
    // SAFETY: getauxval has no preconditions.
    unsafe { libc::getauxval(libc::AT_SECURE) != 0 }
}

/// Sets the calling thread's `%gs` base (godfly itself never uses `%gs`).
pub fn set_gs_base(base: u64) -> Result<(), Errno> {
    const ARCH_SET_GS: u64 = 0x1001;
    sys(libc::SYS_arch_prctl, &[ARCH_SET_GS, base]).map(|_| ())
}

/// Descriptors godfly holds for itself inside the guest's descriptor space
/// (eventfds and timerfds behind kqueues, trace files). `closefrom` skips them.
static INTERNAL_FDS: std::sync::Mutex<std::collections::BTreeSet<i32>> =
    std::sync::Mutex::new(std::collections::BTreeSet::new());

/// The internal descriptors a forked child keeps (the trace output, the
/// saved standard error); the others belong to the parent's kqueues.
static KEPT_ACROSS_FORK: std::sync::Mutex<std::collections::BTreeSet<i32>> =
    std::sync::Mutex::new(std::collections::BTreeSet::new());

/// Marks a descriptor as godfly's own.
pub fn add_internal_fd(fd: i32) {
    INTERNAL_FDS.lock().unwrap_or_else(|e| e.into_inner()).insert(fd);
}

/// Marks a descriptor as godfly's own, kept by forked children too.
pub fn add_lasting_fd(fd: i32) {
    add_internal_fd(fd);
    KEPT_ACROSS_FORK.lock().unwrap_or_else(|e| e.into_inner()).insert(fd);
}

/// Where godfly's own last words go: a copy of standard error made at
/// start-up, so a guest that closed or moved its fd 2 cannot silence an
/// internal-error report. Falls back to fd 2.
static REPORT_FD: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(2);

/// Copies standard error to a descriptor of godfly's own (once, at start).
pub fn save_stderr() {
    if let Ok(fd) = sys(libc::SYS_fcntl, &[2, libc::F_DUPFD_CLOEXEC as u64, 910]) {
        add_lasting_fd(fd as i32);
        REPORT_FD.store(fd as i32, std::sync::atomic::Ordering::Relaxed);
    }
}

/// The descriptor for godfly's own reports.
pub fn report_fd() -> i32 {
    REPORT_FD.load(std::sync::atomic::Ordering::Relaxed)
}

/// Writes text of godfly's own (a diagnostic line, a crash report) to the
/// saved standard error. Never panics, unlike `eprintln!`: the guest may
/// have closed fd 2 or put an epoll descriptor there (found by the
/// guest-side fuzz).
pub fn diag_text(text: &str) {
    write_all(report_fd(), text.as_bytes());
}

/// `eprintln!` for godfly's own diagnostics while a guest runs.
#[macro_export]
macro_rules! diag {
    ($($t:tt)*) => {
        $crate::host::diag_text(&format!("{}\n", format_args!($($t)*)))
    };
}

/// Forgets a descriptor of godfly's own (before closing it).
pub fn remove_internal_fd(fd: i32) {
    INTERNAL_FDS.lock().unwrap_or_else(|e| e.into_inner()).remove(&fd);
}

/// godfly's own descriptors at or above `low`, in order.
pub fn internal_fds_from(low: i32) -> Vec<i32> {
    INTERNAL_FDS.lock().unwrap_or_else(|e| e.into_inner()).range(low..).copied().collect()
}

/// The internal descriptor set, locked across `fork`.
pub fn lock_internal_fds_for_fork() -> std::sync::MutexGuard<'static, std::collections::BTreeSet<i32>> {
    INTERNAL_FDS.lock().unwrap_or_else(|e| e.into_inner())
}

/// In a forked child: closes godfly's helper descriptors, which belonged to
/// the parent's kqueues.
pub fn close_internal_after_fork(guard: &mut std::sync::MutexGuard<'static, std::collections::BTreeSet<i32>>) {
    let kept = KEPT_ACROSS_FORK.lock().unwrap_or_else(|e| e.into_inner()).clone();
    for fd in std::mem::take(&mut **guard) {
        if kept.contains(&fd) {
            guard.insert(fd);
        } else {
            let _ = sys(libc::SYS_close, &[fd as u64]);
        }
    }
}

/// Closes a descriptor of godfly's own.
pub fn close_internal(fd: i32) {
    remove_internal_fd(fd);
    let _ = sys(libc::SYS_close, &[fd as u64]);
}

/// `si_addr` of a host siginfo.
pub fn siginfo_addr(info: &libc::siginfo_t) -> u64 {
    // SAFETY: reading the address member of the siginfo union; for signals
    // without one the kernel zero-fills it.
    unsafe { info.si_addr() as u64 }
}

/// `si_pid` of a host siginfo (0 where the signal has none).
pub fn siginfo_pid(info: &libc::siginfo_t) -> i32 {
    // SAFETY: the pid member overlays the kernel's zero-filled union.
    unsafe { info.si_pid() }
}

/// Whether a host signal is currently ignored.
pub fn host_signal_ignored(sig: i32) -> bool {
    let mut old = std::mem::MaybeUninit::<libc::sigaction>::zeroed();
    // SAFETY: querying only (act is NULL); old is a valid buffer.
    let r = unsafe { libc::sigaction(sig, std::ptr::null(), old.as_mut_ptr()) };
    // SAFETY: sigaction filled it on success (and it started zeroed).
    r == 0 && unsafe { old.assume_init() }.sa_sigaction == libc::SIG_IGN
}

/// Ends only the calling host thread.
pub fn exit_thread() -> ! {
    // SAFETY: SYS_exit ends the calling thread; nothing runs after it.
    unsafe { libc::syscall(libc::SYS_exit, 0) };
    unreachable!("SYS_exit returned")
}

/// fork(2) of the host process (only the calling thread continues in the
/// child). Returns the child's pid in the parent and 0 in the child.
pub fn fork() -> Result<i32, Errno> {
    // SAFETY: glibc's fork runs its atfork handlers (malloc locks among
    // them); godfly takes its own global locks around the call
    // (`sys::proc::fork`), so the child finds them in a usable state.
    let pid = unsafe { libc::fork() };
    if pid < 0 { Err(xlat::errno::last()) } else { Ok(pid) }
}

/// execve(2). Returns only on failure.
pub fn execve(path: &CStr, argv: &[std::ffi::CString], envp: &[std::ffi::CString]) -> Errno {
    let mut a: Vec<*const libc::c_char> = argv.iter().map(|s| s.as_ptr()).collect();
    a.push(std::ptr::null());
    let mut e: Vec<*const libc::c_char> = envp.iter().map(|s| s.as_ptr()).collect();
    e.push(std::ptr::null());
    // SAFETY: both arrays are NULL-terminated and point at live C strings.
    unsafe { libc::execve(path.as_ptr(), a.as_ptr(), e.as_ptr()) };
    xlat::errno::last()
}

/// The calling thread's host signal mask, as a list of host signal numbers.
pub fn blocked_host_signals() -> Vec<i32> {
    let mut set = std::mem::MaybeUninit::<libc::sigset_t>::zeroed();
    // SAFETY: querying the mask into a valid set.
    unsafe {
        libc::pthread_sigmask(libc::SIG_BLOCK, std::ptr::null(), set.as_mut_ptr());
        let set = set.assume_init();
        (1..=64).filter(|&s| libc::sigismember(&set, s) == 1).collect()
    }
}

/// Sets the calling thread's host signal mask to exactly `sigs`.
pub fn set_blocked_host_signals(sigs: &[i32]) {
    // SAFETY: building and installing a signal set.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for &s in sigs {
            libc::sigaddset(&mut set, s);
        }
        libc::pthread_sigmask(libc::SIG_SETMASK, &set, std::ptr::null_mut());
    }
}

/// (pid, uid, si_code, si_status) of a `waitid` result.
pub fn waitid_fields(info: &std::mem::MaybeUninit<libc::siginfo_t>) -> (i32, u32, i32, i32) {
    // SAFETY: the buffer started zeroed and waitid filled it (or left it
    // zero for WNOHANG with nothing to report); the accessors read the
    // SIGCHLD members of the union.
    unsafe {
        let i = info.assume_init_ref();
        (i.si_pid(), i.si_uid(), i.si_code, i.si_status())
    }
}

/// Blocks every host signal on this thread, returning the previous mask.
pub fn block_all_signals() -> libc::sigset_t {
    // SAFETY: sigset manipulation on local sets.
    unsafe {
        let mut all: libc::sigset_t = std::mem::zeroed();
        let mut old: libc::sigset_t = std::mem::zeroed();
        libc::sigfillset(&mut all);
        libc::pthread_sigmask(libc::SIG_SETMASK, &all, &mut old);
        old
    }
}

/// Restores a mask saved by `block_all_signals`.
pub fn restore_signals(old: &libc::sigset_t) {
    // SAFETY: restoring a valid saved set.
    unsafe { libc::pthread_sigmask(libc::SIG_SETMASK, old, std::ptr::null_mut()) };
}

/// Waits, with every host signal unblocked, until one arrives (or
/// `timeout` passes). Called with host signals blocked.
pub fn suspend_signals(timeout: Option<std::time::Duration>) {
    // SAFETY: local sets; sigtimedwait-free design: rt_sigsuspend returns
    // after a handler ran, ppoll with no descriptors after the timeout.
    unsafe {
        let mut none: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut none);
        match timeout {
            None => {
                libc::sigsuspend(&none);
            }
            Some(t) => {
                let ts = libc::timespec { tv_sec: t.as_secs() as i64, tv_nsec: i64::from(t.subsec_nanos()) };
                libc::ppoll(std::ptr::null_mut(), 0, &ts, &none);
            }
        }
    }
}

/// An empty Linux `msghdr` (it has private padding fields).
pub fn zeroed_msghdr() -> libc::msghdr {
    // SAFETY: msghdr is plain data for which all-zero is valid (null pointers, zero lengths).
    unsafe { std::mem::zeroed() }
}

/// `statfs` of a path.
pub fn statfs_path(path: &CStr) -> Result<libc::statfs, Errno> {
    let mut st = std::mem::MaybeUninit::<libc::statfs>::zeroed();
    sys(libc::SYS_statfs, &[cptr(path), st.as_mut_ptr() as u64])?;
    // SAFETY: filled by the kernel on success (and zeroed before).
    Ok(unsafe { st.assume_init() })
}

/// `fstatfs` of a descriptor.
pub fn fstatfs(fd: i32) -> Result<libc::statfs, Errno> {
    let mut st = std::mem::MaybeUninit::<libc::statfs>::zeroed();
    sys(libc::SYS_fstatfs, &[fd as u64, st.as_mut_ptr() as u64])?;
    // SAFETY: as above.
    Ok(unsafe { st.assume_init() })
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
