//! Delivering a signal to a guest handler, the steps every BSD's
//! `sendsig` and `postsig` share: which stack the frame goes on, the
//! frame itself (the personality builds it), the mask the handler runs
//! with, SA_RESETHAND; and `sigreturn`.

use godfly_abi::bsd::StackT;

use super::{action, cant_mask, set_action, sigadd};
use crate::personality::{self, Delivery};
use crate::thread::{Lwp, SigInfo};

/// Whether `sp` lies on the guest's alternate stack.
pub fn on_altstack(ss: &StackT, sp: u64) -> bool {
    let disable = personality::current().signals.flags.ss_disable;
    ss.ss_flags & disable == 0 && sp > ss.ss_sp && sp <= ss.ss_sp.wrapping_add(ss.ss_size)
}

/// Delivers `sig` to the guest thread whose interrupted context is `uc`.
/// On a frame that cannot be written the process dies of SIGILL, as on
/// the BSDs.
pub fn deliver(lwp: &mut Lwp, uc: &mut libc::ucontext_t, sig: u32, info: &SigInfo) {
    let p = personality::current();
    let f = p.signals.flags;
    let act = action(sig);
    let rsp = uc.uc_mcontext.gregs[libc::REG_RSP as usize] as u64;
    let was_on_altstack = on_altstack(&lwp.altstack, rsp);
    let on_alt = act.sa_flags & f.onstack != 0 && lwp.altstack.ss_flags & f.ss_disable == 0 && !was_on_altstack;
    let dv = Delivery { sig, info: *info, action: act, on_altstack: on_alt, was_on_altstack, saved_mask: lwp.sigmask };
    // The trap flag of a step gdb asked for is not the interrupted code's:
    // kept out of the frame (its sigreturn would step on), kept on for the
    // handler's first instruction, where the step ends.
    let stepping = lwp.slot.step.load(std::sync::atomic::Ordering::Acquire);
    const TF: i64 = 0x100;
    if stepping {
        uc.uc_mcontext.gregs[libc::REG_EFL as usize] &= !TF;
    }
    if (p.frames.deliver)(lwp, uc, &dv).is_err() {
        super::die_of(p.signals.num.ill);
    }
    if stepping {
        uc.uc_mcontext.gregs[libc::REG_EFL as usize] |= TF;
    }
    if crate::trace::enabled() {
        crate::trace::signal(lwp.tid, sig, info.code, act.sa_handler);
    }
    // postsig: block the handler's mask and, unless SA_NODEFER, the signal.
    let mut mask = lwp.sigmask;
    for (m, a) in mask.bits.iter_mut().zip(act.sa_mask.bits) {
        *m |= a;
    }
    if act.sa_flags & f.nodefer == 0 {
        sigadd(&mut mask, sig);
    }
    cant_mask(&mut mask);
    lwp.sigmask = mask;
    if act.sa_flags & f.resethand != 0 && sig != p.signals.num.ill && sig != p.signals.num.trap {
        set_action(sig, godfly_abi::bsd::Sigaction::default());
        super::sync_host_disposition(sig);
    }
}

/// `sigreturn(ucp)`: the registers, the FPU state and the signal mask come
/// back from the guest's context (as the personality lays it out).
pub fn sigreturn(lwp: &mut Lwp, uc: &mut libc::ucontext_t, ucp: u64) -> Result<(), crate::host::Errno> {
    let mut mask = (personality::current().frames.sigreturn)(uc, ucp)?;
    cant_mask(&mut mask);
    lwp.sigmask = mask;
    Ok(())
}
