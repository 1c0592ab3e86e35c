//! The fast path at run time: where the stubs of the rewritten system-call
//! sites are (`loader::fastpath` writes them before the guest starts), and
//! the facts the rest of godfly asks about them: whether a site is
//! rewritten (godfly then keeps `%gs`), which site a restart runs again,
//! and where a signal taken inside a stub is shown.
#![forbid(unsafe_code)]

use std::sync::atomic::{AtomicBool, Ordering};

/// Size of one stub.
pub const STUB: usize = 96;
/// Length of a stub's first instruction, `lea 8(%rsp),%rsp`, which drops
/// the return address the rewritten `call` pushed.
pub const LEA_LEN: u64 = 5;

/// The installed stubs: page address and, per stub, (site, after).
#[derive(Debug)]
pub struct Installed {
    /// First byte of the stub page.
    pub page: u64,
    /// One past its last byte.
    pub end: u64,
    /// Stub k serves site `sites[k].0`, whose `syscall` ended at `.1`;
    /// (0, 0) for a stub whose site could not be rewritten.
    pub sites: Vec<(u64, u64)>,
}

static INSTALLED: crate::sync::Startup<Installed> = crate::sync::Startup::new();

/// Records the stubs (once, before the guest runs).
pub fn set(i: Installed) {
    let _ = INSTALLED.set(i);
}

/// Whether stubs were recorded already.
pub fn installed() -> bool {
    INSTALLED.get().is_some()
}

/// Whether any site was rewritten (godfly then keeps %gs).
pub fn active() -> bool {
    INSTALLED.get().is_some_and(|i| i.sites.iter().any(|s| s.0 != 0))
}

/// The site whose `syscall` ended at `after`, for restarts.
pub fn site_of_after(after: u64) -> Option<u64> {
    INSTALLED.get()?.sites.iter().find(|s| s.1 == after && s.0 != 0).map(|s| s.0)
}

/// For a guest context stopped inside a stub: the site to show instead,
/// and how far to move the stack pointer back up (8 before the stub's
/// first instruction has dropped the return address, else 0).
pub fn unstub(rip: u64) -> Option<(u64, u64)> {
    let inst = INSTALLED.get()?;
    if rip < inst.page || rip >= inst.end {
        return None;
    }
    let k = ((rip - inst.page) as usize) / STUB;
    let (site, _) = *inst.sites.get(k)?;
    let start = inst.page + (k * STUB) as u64;
    Some((site, if rip < start + LEA_LEN { 8 } else { 0 }))
}

static OFF: AtomicBool = AtomicBool::new(false);

/// Turns the fast path off for this process and the godfly processes it
/// starts by execve (`--no-fast-path`).
pub fn disable() {
    OFF.store(true, Ordering::Relaxed);
}

/// Whether the fast path is off (`--no-fast-path` here or in a parent).
pub fn disabled() -> bool {
    OFF.load(Ordering::Relaxed) || std::env::var_os(crate::env::NO_FAST_PATH).is_some()
}
