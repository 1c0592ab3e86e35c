//! What godfly prints when the guest dies of a signal it does not handle
//! (what gdb and truss together would have shown), and when godfly itself
//! hits a bug.
#![forbid(unsafe_code)]

pub mod disasm;
pub mod inject;
pub mod internal;
pub mod symbols;

use std::fmt::Write as _;

use crate::personality;
use crate::thread::{Lwp, SigInfo};

const REGS: [(&str, libc::c_int); 18] = [
    ("rax", libc::REG_RAX),
    ("rbx", libc::REG_RBX),
    ("rcx", libc::REG_RCX),
    ("rdx", libc::REG_RDX),
    ("rsi", libc::REG_RSI),
    ("rdi", libc::REG_RDI),
    ("rbp", libc::REG_RBP),
    ("rsp", libc::REG_RSP),
    ("r8", libc::REG_R8),
    ("r9", libc::REG_R9),
    ("r10", libc::REG_R10),
    ("r11", libc::REG_R11),
    ("r12", libc::REG_R12),
    ("r13", libc::REG_R13),
    ("r14", libc::REG_R14),
    ("r15", libc::REG_R15),
    ("rip", libc::REG_RIP),
    ("rflags", libc::REG_EFL),
];

/// Formats the register block of a host context.
pub fn format_registers(uc: &libc::ucontext_t) -> String {
    let mut out = String::new();
    for (i, (name, r)) in REGS.iter().enumerate() {
        let _ = write!(out, "{name:>6} {:#018x}", uc.uc_mcontext.gregs[*r as usize] as u64);
        out.push(if i % 3 == 2 { '\n' } else { ' ' });
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// Builds the crash report for a fatal guest signal.
pub fn report(lwp: &Lwp, sig: u32, info: &SigInfo, uc: &libc::ucontext_t) -> String {
    let p = personality::current();
    let g = &uc.uc_mcontext.gregs;
    let pc = g[libc::REG_RIP as usize] as u64;
    let mut r = String::new();
    let _ = writeln!(
        r,
        "godfly: guest killed by {} ({sig}), code {} ({}), fault address {:#x}",
        (p.signals.name)(sig),
        info.code,
        (p.signals.si_code_name)(sig, info.code),
        info.addr
    );
    let exe = crate::process::facts().map(|p| p.exe_path.clone()).unwrap_or_default();
    let syms = symbols::Symbols::load(&exe);
    let place = syms.place(pc);
    let mut at = format!("{pc:#x}");
    if let Some(f) = &place.function {
        let _ = write!(at, " in {f}+{:#x}", place.offset);
    }
    if let Some((file, line)) = &place.line {
        let _ = write!(at, " at {file}:{line}");
    }
    let _ = writeln!(r, "  thread {} stopped at {at}", lwp.tid);

    // Disassembly from the function start (an instruction boundary).
    let start = place.function.as_ref().map_or(pc.saturating_sub(32), |_| pc - place.offset);
    let len = (pc - start + 64) as usize;
    if let Ok(mut code) = crate::mem::read_bytes(start, len.min(4096)) {
        // The program's own instructions, not the fast path's rewrite.
        crate::stubs::show_original(start, &mut code);
        let name = |ip: u64| match syms.function(ip) {
            Some((f, o)) => format!("{f}+{o}"),
            None => String::from("?"),
        };
        let lines = disasm::around(&code, start, pc, 6, 3, &name);
        if !lines.is_empty() {
            let _ = writeln!(r, "\ndisassembly:");
            for l in lines {
                let _ = writeln!(r, "  {l}");
            }
        }
    }
    let _ = writeln!(r, "\nregisters:");
    for l in format_registers(uc).lines() {
        let _ = writeln!(r, "  {l}");
    }
    let recent = lwp.recent_calls();
    if !recent.is_empty() {
        let _ = writeln!(r, "\nlast system calls of thread {}:", lwp.tid);
        for c in recent {
            let args = crate::trace::format::before(&c.args);
            let res = match c.res {
                Err(e) => {
                    let n = p.errno(e);
                    format!("ERR#{n} {} '{}'", p.errno.name(n), p.errno.message(n))
                }
                ok => crate::trace::format::result(&ok),
            };
            let _ = writeln!(r, "  {}({}) = {res}", crate::trace::format::name(c.args.nr), args.join(","));
        }
    }
    r
}

/// The guest died of an unhandled fault: report it on standard error, then
/// end the process with the same signal.
pub fn guest_fatal(lwp: &Lwp, fault: &personality::Fault, uc: &libc::ucontext_t) -> ! {
    crate::host::out::diag_text(&report(lwp, fault.sig, &fault.info, uc));
    crate::signal::die(fault.sig, Some(crate::thread::park::regs_of(uc, lwp.guest_fs())))
}

/// godfly itself failed (a bug or an internal limit); never blamed on the
/// guest. See `internal`.
pub fn godfly_bug(what: &str, uc: &libc::ucontext_t) -> ! {
    internal::fail(what, Some(uc))
}
