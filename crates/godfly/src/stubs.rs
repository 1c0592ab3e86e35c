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
    /// The program's own bytes of each rewritten site (`sites[k].0` to
    /// `sites[k].1`): what a core file, a crash report and gdb show.
    pub originals: Vec<Vec<u8>>,
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

/// Puts the program's own bytes back over every rewritten site inside
/// `buf`, a copy of memory at `addr`, so that what godfly shows of the
/// text is the program's, not the rewrite.
pub fn show_original(addr: u64, buf: &mut [u8]) {
    if let Some(inst) = INSTALLED.get() {
        overlay(&inst.sites, &inst.originals, addr, buf);
    }
}

fn overlay(sites: &[(u64, u64)], originals: &[Vec<u8>], addr: u64, buf: &mut [u8]) {
    let end = addr.saturating_add(buf.len() as u64);
    for (&(site, after), orig) in sites.iter().zip(originals) {
        if site == 0 || after <= addr || site >= end {
            continue;
        }
        for (i, &b) in orig.iter().enumerate() {
            let a = site + i as u64;
            if (addr..end).contains(&a) {
                buf[(a - addr) as usize] = b;
            }
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_of_rewritten_text_shows_the_programs_own_bytes() {
        let sites = [(0x1005, 0x100c), (0, 0)];
        let originals = vec![vec![0xb8, 0xa5, 0, 0, 0, 0x0f, 0x05], Vec::new()];
        // A window that starts inside the site and ends past it.
        let mut buf = [0xeeu8; 8];
        overlay(&sites, &originals, 0x1007, &mut buf);
        assert_eq!(buf, [0, 0, 0, 0x0f, 0x05, 0xee, 0xee, 0xee]);
        // A window before the site is left alone.
        let mut before = [0xeeu8; 5];
        overlay(&sites, &originals, 0x1000, &mut before);
        assert_eq!(before, [0xee; 5]);
    }
}
