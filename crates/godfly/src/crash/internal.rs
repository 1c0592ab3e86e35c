//! godfly's own failures: a panic, a fault in godfly's code, a broken
//! internal invariant or limit. The report starts with "godfly internal
//! error" (a guest crash starts with "godfly: guest killed by") and the
//! process exits with `INTERNAL_ERROR_STATUS`, never with a signal status a
//! guest could also produce by dying.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicI32, Ordering};

/// Exit status after an internal error (`EX_SOFTWARE` from sysexits.h).
pub const INTERNAL_ERROR_STATUS: i32 = 70;

/// First line of every internal-error report.
pub const HEADLINE: &str = "godfly internal error";

/// The host thread reporting an internal error (0: none).
static FAILING: AtomicI32 = AtomicI32::new(0);

/// How long the report may take.
const REPORT_DEADLINE: std::time::Duration = std::time::Duration::from_secs(10);

/// Routes Rust panics (in any godfly thread, also inside a signal handler)
/// to the internal-error report.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let what = match info.location() {
            Some(l) => format!("panic at {}:{}: {}", l.file(), l.line(), payload(info)),
            None => format!("panic: {}", payload(info)),
        };
        fail(&what, None)
    }));
}

fn payload(info: &std::panic::PanicHookInfo<'_>) -> String {
    if let Some(s) = info.payload().downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = info.payload().downcast_ref::<String>() {
        s.clone()
    } else {
        String::from("(no message)")
    }
}

/// Builds the report text (pure, for tests and for `fail`).
pub fn report(what: &str, uc: Option<&libc::ucontext_t>, lwp: Option<&crate::thread::Lwp>) -> String {
    let mut r = String::new();
    let _ = writeln!(r, "{HEADLINE}: {what}");
    let _ =
        writeln!(r, "  This is a bug or a limit in godfly {}, not in the guest program.", env!("CARGO_PKG_VERSION"));
    if let Some(p) = crate::process::facts() {
        let _ = writeln!(r, "  guest program: {}", p.exe_path);
    }
    if let Some(lwp) = lwp {
        let _ = writeln!(r, "  guest thread: {}", lwp.tid);
    }
    if let Some(uc) = uc {
        let pc = uc.uc_mcontext.gregs[libc::REG_RIP as usize] as u64;
        let mut at = format!("{pc:#x}");
        let syms = crate::host::image_of(pc).map(|(file, base)| (super::symbols::Symbols::load(&file), base));
        // The symbol only: the lines come with the inlined chain below.
        if let Some((f, offset)) = syms.as_ref().and_then(|(s, base)| s.function(pc - base)) {
            let _ = write!(at, " in {:#}+{offset:#x}", rustc_demangle::demangle(f));
        }
        let _ = writeln!(r, "  godfly stopped at {at}");
        // The inlined chain: the faulting line is often deep in core.
        for (name, line) in syms.as_ref().map(|(s, base)| s.frames(pc - base)).unwrap_or_default() {
            match line {
                Some((file, l)) => {
                    let _ = writeln!(r, "    {name} at {file}:{l}");
                }
                None => {
                    let _ = writeln!(r, "    {name}");
                }
            }
        }
        let _ = writeln!(r, "\nregisters:");
        for l in super::format_registers(uc).lines() {
            let _ = writeln!(r, "  {l}");
        }
    } else {
        let bt = std::backtrace::Backtrace::force_capture().to_string();
        let _ = writeln!(r, "\ngodfly backtrace:\n{}", below_panic_machinery(&bt));
    }
    if let Some(lwp) = lwp {
        let recent = lwp.recent_calls();
        if !recent.is_empty() {
            let _ = writeln!(r, "\nlast system calls of guest thread {}:", lwp.tid);
            for c in recent {
                let args = crate::trace::format::before(&c.args);
                let _ = writeln!(
                    r,
                    "  {}({}) = {}",
                    crate::trace::format::name(c.args.nr),
                    args.join(","),
                    crate::trace::format::result(&c.res)
                );
            }
        }
    }
    r
}

/// Drops the frames of the report and panic machinery from a formatted
/// backtrace, keeping the frame that panicked and its callers.
fn below_panic_machinery(bt: &str) -> &str {
    // Frames are "  N: name" lines, each followed by "at file:line" lines.
    let mut cut = 0;
    let mut pos = 0;
    let mut dropping = false;
    for line in bt.split_inclusive('\n') {
        let head = line.trim_start();
        let frame = head.split_once(": ").is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
        if frame {
            dropping =
                ["panicking", "rust_begin_unwind", "PanicHookInfo", "crash::internal"].iter().any(|m| head.contains(m));
        }
        pos += line.len();
        if dropping {
            cut = pos;
        }
    }
    &bt[cut..]
}

/// Prints the internal-error report on standard error and ends the whole
/// process with `INTERNAL_ERROR_STATUS`. A failure in the report itself ends
/// the process at once; another thread failing meanwhile waits for it.
pub fn fail(what: &str, uc: Option<&libc::ucontext_t>) -> ! {
    let me = crate::thread::gettid();
    match FAILING.compare_exchange(0, me, Ordering::SeqCst, Ordering::SeqCst) {
        Ok(_) => {}
        // The report itself failed: end now.
        Err(t) if t == me => crate::host::proc::exit_group(INTERNAL_ERROR_STATUS),
        // Another thread is reporting: let it finish (its deadline bounds it).
        Err(_) => loop {
            std::thread::sleep(std::time::Duration::from_secs(1));
        },
    }
    // The report allocates and reads files; if godfly broke inside the
    // allocator, that could hang. A bare thread started now (one system
    // call, no allocation) ends the process anyway; no process pays for a
    // waiting thread at start-up any more (about 0.09 ms of a 2.5 ms start).
    let _ = crate::host::proc::exit_group_after(REPORT_DEADLINE, INTERNAL_ERROR_STATUS);
    let lwp = crate::thread::spawn::current_lwp_if_guest_thread();
    let text = report(what, uc, lwp);
    crate::host::out::write_all(crate::host::out::report_fd(), text.as_bytes());
    crate::host::proc::exit_group(INTERNAL_ERROR_STATUS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backtrace_starts_at_the_frame_that_panicked() {
        let bt = "   0: godfly::crash::internal::report\n             at src/crash/internal.rs:67:18\n   1: std::panicking::panic_with_hook\n             at x.rs:1\n   2: core::panicking::panic_fmt\n   3: godfly::crash::inject::check\n             at src/crash/inject.rs:51:5\n   4: godfly::dispatch::dispatch\n";
        assert!(below_panic_machinery(bt).starts_with("   3: godfly::crash::inject::check\n"));
    }

    #[test]
    fn report_names_godfly_not_the_guest() {
        let r = report("example", None, None);
        assert!(r.starts_with("godfly internal error: example\n"));
        assert!(r.contains("not in the guest program"));
        assert!(!r.contains("guest killed"));
    }
}
