//! Host fault signals to the guest's, from the host's signal frame (the
//! rule itself is the personality's).

use crate::personality::{self, Fault, HostFault};

/// The host facts of a fault: signal, `si_code`, address, and the trap
/// number and error code from the context.
pub fn host_fault(sig: i32, info: &libc::siginfo_t, uc: &libc::ucontext_t) -> HostFault {
    let g = &uc.uc_mcontext.gregs;
    HostFault {
        sig,
        code: info.si_code,
        addr: crate::host::sig::siginfo_addr(info),
        trapno: g[libc::REG_TRAPNO as usize] as u64,
        err: g[libc::REG_ERR as usize] as u64,
    }
}

/// A host fault as the guest's kernel reports it.
pub fn translate(sig: i32, info: &libc::siginfo_t, uc: &libc::ucontext_t) -> Fault {
    (personality::current().signals.fault)(&host_fault(sig, info, uc))
}
