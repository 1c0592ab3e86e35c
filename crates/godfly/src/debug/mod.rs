//! Debugging a guest for real: a GDB remote stub (`godfly run --gdb PORT`)
//! and core files of the guest (`core`).
//!
//! Guest code runs natively in godfly's process, so the stub does what a
//! kernel's ptrace would: it holds guest threads where they are (each
//! LWP's `thread::park::Slot`), reads and writes their registers in the
//! context their signal handler saved, and guest memory through
//! `/proc/self/mem` (which also writes read-only text, for breakpoints).
//! A thread is held by the stop signal (`park::STOP_SIGNAL`) when it runs
//! guest code, at the end of its call when it is in one (its registers are
//! the call's meanwhile), and before its first instruction when it is
//! new. Breakpoints are `int3`, single steps the trap flag; both come back
//! as SIGTRAP to godfly's fault handler, which hands them here before the
//! guest's signal rules see them. The stub itself is one host thread of
//! godfly's (`server`), with every signal blocked, that never runs guest
//! code.

pub mod core;
pub mod gdbsig;
pub mod regs;
pub mod rsp;
mod server;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use crate::sync::{Global, Startup};
use crate::thread::Lwp;
use crate::thread::park::{self, Slot};

/// The trap flag in RFLAGS.
const TF: i64 = 0x100;
/// `si_code` of an `int3` (the kernel's SI_KERNEL).
const SI_KERNEL: i32 = 0x80;
/// `si_code` of a single-step trap.
const TRAP_TRACE: i32 = 2;

/// Why a thread stopped, as the stub reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// Before the program's first instruction.
    Start,
    /// At one of gdb's breakpoints.
    Breakpoint,
    /// One instruction done.
    Step,
    /// A guest signal is about to be delivered (guest number).
    Signal(u32),
    /// A fault the guest does not handle: the process dies of it when gdb
    /// lets it go on with the signal.
    Fatal(u32),
    /// gdb's Ctrl-C.
    Interrupt,
    /// A hardware watchpoint at this address was hit.
    Watch(WatchKind, u64),
}

/// What a hardware watchpoint watches for (gdb's Z2, Z3, Z4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WatchKind {
    Write,
    Read,
    Access,
}

/// A hardware watchpoint: gdb's range and the perf events behind it, one
/// per aligned piece per thread.
#[derive(Debug)]
struct Watch {
    kind: WatchKind,
    addr: u64,
    len: u64,
    fds: Vec<(i32, i32)>,
}

/// The x86 debug registers: four per thread.
const MAX_WATCH_PIECES: usize = 4;

static WATCHES: Global<Vec<Watch>> = Global::new(5, Vec::new());

/// How the process ended, for gdb's last reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// `exit(status)`.
    Code(i32),
    /// Killed by a guest signal.
    Signal(u32),
}

/// What the stub knows between its thread and the guest threads.
#[derive(Debug, Default)]
struct Session {
    /// The stop being reported: thread and reason.
    event: Option<(i32, Event)>,
    /// Stops that came while another was reported, reported next.
    queued: Vec<(i32, Event)>,
    /// Guest signals gdb lets through without a stop (`QPassSignals`).
    pass: Vec<u32>,
    /// The process is ending.
    exit: Option<Exit>,
}

static SESSION: Global<Session> =
    Global::new(15, Session { event: None, queued: Vec::new(), pass: Vec::new(), exit: None });

/// gdb's breakpoints: address and the byte the `int3` replaced.
static BREAKPOINTS: Global<BTreeMap<u64, u8>> = Global::new(19, BTreeMap::new());

/// Addresses of breakpoints gdb took out: a thread that hit one just
/// before goes on as if it had not (bounded: emptied past 4096).
static GONE: Global<std::collections::BTreeSet<u64>> = Global::new(22, std::collections::BTreeSet::new());

fn gone(addr: u64) {
    let mut g = GONE.lock();
    if g.len() >= 4096 {
        g.clear();
    }
    g.insert(addr);
}

/// Set while a stub wants the guest's events (from `start` until detach).
static ACTIVE: AtomicBool = AtomicBool::new(false);
/// The program's entry, where the first stop is (an `int3` godfly put).
static ENTRY_TRAP: Startup<(u64, u8)> = Startup::new();
/// Counts the exit handshake: the stub sets it once gdb has the reply.
static EXIT_TOLD: AtomicU32 = AtomicU32::new(0);
/// The eventfd that wakes the stub thread.
static WAKE_FD: Startup<i32> = Startup::new();

/// Whether a debugger is attached (or waited for).
pub fn active() -> bool {
    ACTIVE.load(Ordering::Acquire)
}

/// The stub's port, from `--gdb` or `GODFLY_GDB`.
pub fn port_from_env() -> Option<u16> {
    std::env::var(crate::env::GDB).ok().and_then(|v| v.trim().parse().ok())
}

/// Listens on 127.0.0.1:`port` (0: any free port) and starts the stub
/// thread; the program's first instruction gets the first stop. Waits for
/// a busy port to be free (another program of the same session is being
/// debugged there). Runs at start-up, before guest code.
pub fn start(port: u16, program: &str, entry: u64) -> Result<(), String> {
    let listener = server::listen(port, program)?;
    let fd = crate::host::event::eventfd().map_err(|e| format!("eventfd: {}", e.message()))?;
    let fd = crate::host::out::own_fd(fd, 930).map_err(|e| format!("eventfd: {}", e.message()))?;
    let _ = WAKE_FD.set(fd);
    let orig = mem_read(entry, 1).ok().and_then(|b| b.first().copied()).ok_or("cannot read the program's entry")?;
    mem_write(entry, &[0xcc]).map_err(|e| format!("cannot place the first stop: {e}"))?;
    let _ = ENTRY_TRAP.set((entry, orig));
    ACTIVE.store(true, Ordering::Release);
    server::spawn(listener)
}

fn wake_stub() {
    if let Some(&fd) = WAKE_FD.get() {
        let _ = crate::host::fd::write_u64(fd, 1);
    }
}

/// Memory of the process (guest or not) through `/proc/self/mem`: never
/// faults, and reads what is mapped even without read permission.
pub fn mem_read(addr: u64, len: usize) -> std::io::Result<Vec<u8>> {
    use std::os::unix::fs::FileExt;
    let f = std::fs::File::open("/proc/self/mem")?;
    let mut buf = vec![0u8; len];
    let mut got = 0;
    while got < len {
        match f.read_at(&mut buf[got..], addr + got as u64) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if got == 0 => return Err(e),
            Err(_) => break,
        }
    }
    buf.truncate(got);
    Ok(buf)
}

/// Writes guest memory (text too) through `/proc/self/mem`; refused for
/// memory that is not the guest's.
pub fn mem_write(addr: u64, data: &[u8]) -> std::io::Result<()> {
    use std::os::unix::fs::FileExt;
    let end = addr.checked_add(data.len() as u64).ok_or(std::io::ErrorKind::InvalidInput)?;
    if !crate::mem::owned::guest_covers(addr, end) {
        return Err(std::io::Error::other("not the guest's memory"));
    }
    let f = std::fs::OpenOptions::new().write(true).open("/proc/self/mem")?;
    f.write_all_at(data, addr)
}

/// Guest memory as the program has it: gdb's `int3`s show as the bytes
/// they replaced.
fn read_shadowed(addr: u64, len: usize) -> std::io::Result<Vec<u8>> {
    let mut v = mem_read(addr, len)?;
    crate::stubs::show_original(addr, &mut v);
    let end = addr + v.len() as u64;
    let bps = BREAKPOINTS.lock();
    for (&a, &orig) in bps.range(addr..end) {
        v[(a - addr) as usize] = orig;
    }
    if let Some(&(e, orig)) = ENTRY_TRAP.get()
        && (addr..end).contains(&e)
        && v[(e - addr) as usize] == 0xcc
        && !bps.contains_key(&e)
    {
        v[(e - addr) as usize] = orig;
    }
    Ok(v)
}

fn insert_breakpoint(addr: u64) -> bool {
    let mut bps = BREAKPOINTS.lock();
    if bps.contains_key(&addr) {
        return true;
    }
    let Some(mut orig) = mem_read(addr, 1).ok().and_then(|b| b.first().copied()) else { return false };
    if let Some(&(e, entry_orig)) = ENTRY_TRAP.get()
        && e == addr
        && orig == 0xcc
    {
        // The first stop's int3 is still there: gdb's takes it over.
        orig = entry_orig;
    }
    if mem_write(addr, &[0xcc]).is_err() {
        return false;
    }
    bps.insert(addr, orig);
    true
}

fn remove_breakpoint(addr: u64) -> bool {
    let mut bps = BREAKPOINTS.lock();
    match bps.remove(&addr) {
        Some(orig) => {
            gone(addr);
            mem_write(addr, &[orig]).is_ok()
        }
        None => true,
    }
}

fn remove_all_breakpoints() {
    let mut bps = BREAKPOINTS.lock();
    for (a, orig) in std::mem::take(&mut *bps) {
        gone(a);
        let _ = mem_write(a, &[orig]);
    }
    drop(bps);
    if let Some(&(e, orig)) = ENTRY_TRAP.get()
        && mem_read(e, 1).is_ok_and(|b| b == [0xcc])
    {
        let _ = mem_write(e, &[orig]);
    }
}

fn open_watch(tid: i32, w: &Watch) -> Result<Vec<(i32, i32)>, crate::host::Errno> {
    let host_tid = crate::thread::lookup_started(tid).map(|i| i.host_tid).ok_or(crate::host::errno::ESRCH)?;
    let mut fds = Vec::new();
    for (a, l) in crate::host::perf::pieces(w.addr, w.len) {
        let opened = crate::host::perf::watchpoint(host_tid, a, l, w.kind != WatchKind::Write, w.addr)
            .and_then(|fd| crate::host::out::own_fd(fd, 940));
        match opened {
            Ok(fd) => fds.push((tid, fd)),
            Err(e) => {
                close_fds(&fds);
                return Err(e);
            }
        }
    }
    Ok(fds)
}

fn close_fds(fds: &[(i32, i32)]) {
    for &(_, fd) in fds {
        crate::host::out::close_internal(fd);
    }
}

/// Inserts a hardware watchpoint in every thread. `Err(true)` when the
/// host has no perf breakpoints at all (gdb is told it is unsupported).
fn insert_watch(kind: WatchKind, addr: u64, len: u64) -> Result<(), bool> {
    let mut ws = WATCHES.lock();
    if ws.iter().any(|w| w.kind == kind && w.addr == addr && w.len == len) {
        return Ok(());
    }
    let used: usize = ws.iter().map(|w| crate::host::perf::pieces(w.addr, w.len).len()).sum();
    if len == 0 || used + crate::host::perf::pieces(addr, len).len() > MAX_WATCH_PIECES {
        return Err(false);
    }
    let mut w = Watch { kind, addr, len, fds: Vec::new() };
    for (tid, _) in crate::thread::all_tids() {
        match open_watch(tid, &w) {
            Ok(f) => w.fds.extend(f),
            Err(e) => {
                close_fds(&w.fds);
                let none = [crate::host::errno::ENOSYS, crate::host::errno::EACCES, crate::host::errno::EPERM];
                return Err(none.contains(&e));
            }
        }
    }
    ws.push(w);
    Ok(())
}

fn remove_watch(kind: WatchKind, addr: u64, len: u64) {
    let mut ws = WATCHES.lock();
    ws.retain(|w| {
        let hit = w.kind == kind && w.addr == addr && w.len == len;
        if hit {
            close_fds(&w.fds);
        }
        !hit
    });
}

fn remove_all_watches() {
    for w in std::mem::take(&mut *WATCHES.lock()) {
        close_fds(&w.fds);
    }
}

/// A new LWP exists: gdb's watchpoints watch it too.
pub fn lwp_created(tid: i32) {
    if !active() {
        return;
    }
    let mut ws = WATCHES.lock();
    for w in ws.iter_mut() {
        if let Ok(f) = open_watch(tid, w) {
            w.fds.extend(f);
        }
    }
}

fn watch_at(addr: u64) -> Option<WatchKind> {
    WATCHES.lock().iter().find(|w| w.addr == addr).map(|w| w.kind)
}

/// A watchpoint fired inside godfly's own code (a call writing the
/// guest's memory for it): the stop comes when the call ends.
pub fn watch_hit_in_godfly(lwp: &Lwp, data: u64) {
    if active() {
        lwp.slot.watch_hit.store(data | 1 << 63, Ordering::Release);
    }
}

/// In a forked child: no stub follows it, so gdb's `int3`s are taken out
/// of its copy of the text.
pub fn after_fork_child() {
    if ACTIVE.swap(false, Ordering::AcqRel) {
        remove_all_breakpoints();
        // The parent's events watch the parent's threads; forget them.
        WATCHES.lock().clear();
        park::set_stopped(false);
    }
}

/// Action word a parked thread gets: kind in the low byte, a guest signal
/// above it.
const ACT_CONTINUE: u64 = 0;
const ACT_STEP: u64 = 1;

fn action(kind: u64, sig: Option<u32>) -> u64 {
    kind | (u64::from(sig.unwrap_or(0)) << 8)
}

/// Reports `ev` for the calling thread and holds it until gdb resumes it.
/// Returns the guest signal gdb wants delivered to it, if any.
fn stop_here(lwp: &mut Lwp, uc: &mut libc::ucontext_t, ev: Event) -> Option<u32> {
    {
        let mut s = SESSION.lock();
        // gdb left meanwhile: nothing would let the thread go.
        if !active() {
            return None;
        }
        if s.event.is_none() && !park::stopped() {
            s.event = Some((lwp.tid, ev));
            park::set_stopped(true);
            drop(s);
            wake_stub();
        } else {
            s.queued.push((lwp.tid, ev));
        }
    }
    hold(lwp, uc)
}

/// Parks the calling thread and applies the action it is resumed with.
fn hold(lwp: &mut Lwp, uc: &mut libc::ucontext_t) -> Option<u32> {
    let slot: std::sync::Arc<Slot> = lwp.slot.clone();
    let act = slot.park(uc, lwp.guest_fs());
    let fs = slot.fs_base.load(Ordering::Relaxed);
    if fs != lwp.guest_fs() {
        lwp.set_guest_fs(fs);
    }
    let efl = &mut uc.uc_mcontext.gregs[libc::REG_EFL as usize];
    if act & 0xff == ACT_STEP {
        *efl |= TF;
        slot.step.store(true, Ordering::Release);
    } else if slot.step.swap(false, Ordering::AcqRel) {
        *efl &= !TF;
    }
    let sig = (act >> 8) as u32;
    (sig != 0).then_some(sig)
}

/// A step is done: the trap flag godfly set comes off.
fn step_done(lwp: &Lwp, uc: &mut libc::ucontext_t) {
    lwp.slot.step.store(false, Ordering::Release);
    uc.uc_mcontext.gregs[libc::REG_EFL as usize] &= !TF;
}

/// Start of a system call (both paths): the thread's registers are the
/// call's until `leave_call`.
pub fn enter_call(lwp: &Lwp, uc: &mut libc::ucontext_t) {
    lwp.slot.enter_call(uc, lwp.guest_fs());
}

/// End of a system call, right before guest code runs again: the thread
/// stops here when every thread is held or when it was single-stepping
/// (the step ends after the call, as on a kernel). Returns a signal gdb
/// wants delivered.
pub fn leave_call(lwp: &mut Lwp, uc: &mut libc::ucontext_t) -> Option<u32> {
    let mut sig = None;
    let hit = lwp.slot.watch_hit.load(Ordering::Relaxed);
    if hit != 0 && active() {
        lwp.slot.watch_hit.store(0, Ordering::Relaxed);
        let addr = hit & !(1 << 63);
        if let Some(kind) = watch_at(addr) {
            sig = stop_here(lwp, uc, Event::Watch(kind, addr));
        }
    } else if lwp.slot.step.load(Ordering::Relaxed) {
        step_done(lwp, uc);
        if active() {
            sig = stop_here(lwp, uc, Event::Step);
        }
    }
    // Running from here, then a look at the stop flag: the stub sets the
    // flag, then looks at the states, so one of the two sees the other.
    lwp.slot.leave_call();
    if park::stopped() || lwp.slot.hold.load(Ordering::Acquire) {
        sig = hold(lwp, uc).or(sig);
    }
    sig
}

/// The stop signal reached a thread. In guest code it parks there; in
/// godfly's code it is a no-op (the thread stops at the end of its call,
/// or the stub sends it again). Returns a signal gdb wants delivered.
pub fn on_stop_signal(lwp: &mut Lwp, uc: &mut libc::ucontext_t, in_guest: bool) -> Option<u32> {
    if !in_guest || !park::stopped() {
        return None;
    }
    hold(lwp, uc)
}

/// What a SIGTRAP in guest code was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trap {
    /// The guest's own: its signal rules apply.
    Guest,
    /// The debugger's; go on, delivering this signal if any.
    Handled(Option<u32>),
}

/// A SIGTRAP from guest code: gdb's breakpoint, the first stop, or the
/// end of a single step. Anything else is the guest's.
pub fn on_trap(lwp: &mut Lwp, code: i32, perf_data: u64, uc: &mut libc::ucontext_t) -> Trap {
    let rip = uc.uc_mcontext.gregs[libc::REG_RIP as usize] as u64;
    if !active() {
        // A perf event is never the guest's (one of gdb's that fired as
        // it detached), nor an int3 no longer in memory: it was one of
        // gdb's, taken out after the thread hit it; the instruction runs.
        if code == crate::host::perf::TRAP_PERF {
            return Trap::Handled(None);
        }
        if lwp.slot.step.load(Ordering::Acquire) && code != SI_KERNEL {
            // The end of a step gdb asked for before it left.
            step_done(lwp, uc);
            return Trap::Handled(None);
        }
        let at = rip.wrapping_sub(1);
        if code == SI_KERNEL && GONE.lock().contains(&at) && mem_read(at, 1).is_ok_and(|b| b != [0xcc]) {
            uc.uc_mcontext.gregs[libc::REG_RIP as usize] = at as i64;
            return Trap::Handled(None);
        }
        return Trap::Guest;
    }
    if code == crate::host::perf::TRAP_PERF {
        if lwp.slot.step.load(Ordering::Acquire) {
            step_done(lwp, uc);
        }
        return match watch_at(perf_data) {
            Some(kind) => Trap::Handled(stop_here(lwp, uc, Event::Watch(kind, perf_data))),
            // Removed meanwhile: nothing to report.
            None => Trap::Handled(None),
        };
    }
    if code == SI_KERNEL {
        let at = rip.wrapping_sub(1);
        if let Some(&(e, orig)) = ENTRY_TRAP.get()
            && at == e
            && !BREAKPOINTS.lock().contains_key(&e)
            && mem_read(e, 1).is_ok_and(|b| b == [0xcc])
        {
            let _ = mem_write(e, &[orig]);
            uc.uc_mcontext.gregs[libc::REG_RIP as usize] = at as i64;
            return Trap::Handled(stop_here(lwp, uc, Event::Start));
        }
        if BREAKPOINTS.lock().contains_key(&at) {
            uc.uc_mcontext.gregs[libc::REG_RIP as usize] = at as i64;
            if lwp.slot.step.load(Ordering::Acquire) {
                step_done(lwp, uc);
            }
            return Trap::Handled(stop_here(lwp, uc, Event::Breakpoint));
        }
        if GONE.lock().contains(&at) && mem_read(at, 1).is_ok_and(|b| b != [0xcc]) {
            // gdb took its int3 out after this thread hit it.
            uc.uc_mcontext.gregs[libc::REG_RIP as usize] = at as i64;
            return Trap::Handled(None);
        }
    }
    if lwp.slot.step.load(Ordering::Acquire) && (code == TRAP_TRACE || code == SI_KERNEL || code == 1) {
        step_done(lwp, uc);
        return Trap::Handled(stop_here(lwp, uc, Event::Step));
    }
    Trap::Guest
}

/// A guest signal is about to be delivered to the calling thread: gdb
/// sees it first unless it passes it. Returns the signal to deliver
/// (gdb may change or drop it).
pub fn on_signal(lwp: &mut Lwp, uc: &mut libc::ucontext_t, sig: u32) -> Option<u32> {
    if !active() || SESSION.lock().pass.contains(&sig) {
        return Some(sig);
    }
    stop_here(lwp, uc, Event::Signal(sig))
}

/// A fault the guest does not handle: gdb sees it first. True if gdb
/// resumed the thread without the signal (it changed the registers or
/// memory, and the instruction runs again); false: the process dies of it.
pub fn on_fatal(lwp: &mut Lwp, uc: &mut libc::ucontext_t, sig: u32) -> bool {
    if !active() {
        return false;
    }
    stop_here(lwp, uc, Event::Fatal(sig)).is_none()
}

/// The process is ending: gdb gets its last reply (`W` or `X`) before the
/// connection goes. Waits at most two seconds for the stub.
pub fn exiting(how: Exit) {
    if !active() {
        return;
    }
    SESSION.lock().exit = Some(how);
    wake_stub();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    while EXIT_TOLD.load(Ordering::Acquire) == 0 && std::time::Instant::now() < deadline {
        crate::host::event::futex_wait_word(&EXIT_TOLD, 0, Some(std::time::Duration::from_millis(50)));
    }
}

/// Holds every guest thread but the caller (for a core file without a
/// debugger): each parks, or is in a call, within `wait`. Returns whether
/// all did. They are never let go (the process is ending).
pub fn hold_all_for_core(me: i32, wait: std::time::Duration) -> bool {
    park::set_stopped(true);
    server::wait_all_held(Some(me), wait)
}
