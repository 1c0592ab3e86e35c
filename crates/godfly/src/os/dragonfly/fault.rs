//! Host faults as DragonFly reports them (`trap.c`): a page fault is
//! SIGSEGV with the fault address; a general-protection fault is
//! SIGBUS/BUS_OBJERR (Linux says SIGSEGV); FPE_INTDIV and FPE_INTOVF swap
//! numbers; other traps carry no address.

use godfly_abi::dragonfly::consts as d;
use godfly_abi::dragonfly::signal::{SIGBUS, SIGFPE, SIGILL, SIGSEGV, SIGTRAP};

use crate::personality::{Fault, HostFault};
use crate::thread::SigInfo;

/// x86 trap numbers (`gregs[REG_TRAPNO]`).
pub const T_DIVIDE: u64 = 0;
/// General protection.
pub const T_PROTFLT: u64 = 13;
/// Page fault.
pub const T_PAGEFLT: u64 = 14;

/// Linux's FPE_INTDIV and FPE_INTOVF (`asm-generic/siginfo.h`).
const LINUX_FPE_INTDIV: i32 = 1;
const LINUX_FPE_INTOVF: i32 = 2;

/// Pure translation from host facts: signal, `si_code`, fault address,
/// trap number and error code.
pub fn translate_raw(sig: i32, code: i32, addr: u64, trapno: u64, err: u64) -> Fault {
    let info = |code: i32, addr: u64| SigInfo { code, pid: 0, uid: 0, addr, trapno, err };
    match sig {
        libc::SIGSEGV if trapno == T_PAGEFLT => {
            Fault { sig: SIGSEGV, info: info(code.clamp(d::SEGV_MAPERR, d::SEGV_ACCERR), addr) }
        }
        libc::SIGSEGV | libc::SIGBUS if trapno == T_PROTFLT => Fault { sig: SIGBUS, info: info(d::BUS_OBJERR, 0) },
        libc::SIGSEGV => Fault { sig: SIGSEGV, info: info(d::SEGV_MAPERR, addr) },
        libc::SIGBUS => Fault { sig: SIGBUS, info: info(code.clamp(d::BUS_ADRALN, d::BUS_OBJERR), addr) },
        libc::SIGFPE => {
            let c = match code {
                LINUX_FPE_INTDIV => d::FPE_INTDIV,
                LINUX_FPE_INTOVF => d::FPE_INTOVF,
                c @ 3..=8 => c,
                _ => 0,
            };
            Fault { sig: SIGFPE, info: info(c, 0) }
        }
        libc::SIGILL => {
            Fault { sig: SIGILL, info: info(if (1..=8).contains(&code) { code } else { d::ILL_PRVOPC }, 0) }
        }
        _ => Fault { sig: SIGTRAP, info: info(if code == 2 { d::TRAP_TRACE } else { d::TRAP_BRKPT }, 0) },
    }
}

/// The personality's fault rule.
pub fn translate(f: &HostFault) -> Fault {
    translate_raw(f.sig, f.code, f.addr, f.trapno, f.err)
}

/// The name of a DragonFly `si_code` for a fault signal.
pub fn si_code_name(sig: u32, code: i32) -> &'static str {
    match (sig, code) {
        (_, 0) => "SI_USER",
        (SIGSEGV, c) if c == d::SEGV_MAPERR => "SEGV_MAPERR",
        (SIGSEGV, c) if c == d::SEGV_ACCERR => "SEGV_ACCERR",
        (SIGBUS, c) if c == d::BUS_ADRALN => "BUS_ADRALN",
        (SIGBUS, c) if c == d::BUS_ADRERR => "BUS_ADRERR",
        (SIGBUS, c) if c == d::BUS_OBJERR => "BUS_OBJERR",
        (SIGFPE, c) if c == d::FPE_INTDIV => "FPE_INTDIV",
        (SIGFPE, c) if c == d::FPE_INTOVF => "FPE_INTOVF",
        (SIGILL, c) if c == d::ILL_ILLOPC => "ILL_ILLOPC",
        (SIGILL, c) if c == d::ILL_PRVOPC => "ILL_PRVOPC",
        (SIGTRAP, c) if c == d::TRAP_BRKPT => "TRAP_BRKPT",
        (SIGTRAP, c) if c == d::TRAP_TRACE => "TRAP_TRACE",
        _ => "?",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_fault_is_segv_with_address() {
        let f = translate_raw(libc::SIGSEGV, 1, 0x10, T_PAGEFLT, 4);
        assert_eq!(f.sig, SIGSEGV);
        assert_eq!(f.info.code, d::SEGV_MAPERR);
        assert_eq!(f.info.addr, 0x10);
    }

    #[test]
    fn general_protection_is_sigbus_objerr() {
        let f = translate_raw(libc::SIGSEGV, 0x80, 0, T_PROTFLT, 0);
        assert_eq!(f.sig, SIGBUS);
        assert_eq!(f.info.code, d::BUS_OBJERR);
        assert_eq!(f.info.addr, 0);
    }

    #[test]
    fn integer_divide_code_is_dragonflys() {
        let f = translate_raw(libc::SIGFPE, LINUX_FPE_INTDIV, 0x401000, T_DIVIDE, 0);
        assert_eq!(f.sig, SIGFPE);
        assert_eq!(f.info.code, 2);
        assert_eq!(f.info.addr, 0);
    }
}
