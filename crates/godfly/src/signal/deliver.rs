//! Delivering a signal to guest code the way DragonFly's `sendsig` does,
//! and `sigreturn`.
//!
//! A DragonFly `struct sigframe` (handler, `ucontext_t` with the
//! interrupted registers in trapframe order and the FXSAVE image,
//! `siginfo_t`) goes on the guest stack, or on the guest's alternate stack
//! for SA_ONSTACK. The guest resumes in the sigcode trampoline that the
//! loader mapped where DragonFly puts it; the trampoline calls the handler
//! and then `sigreturn(&frame->sf_uc)`.

use godfly_abi::consts as d;
use godfly_abi::errno::{EFAULT, Errno};
use godfly_abi::layout::{Mcontext, Sigframe, Siginfo, Sigset, StackT, Ucontext};
use zerocopy::FromZeros;

use super::{action, cant_mask, set_action, sigadd};
use crate::mem;
use crate::thread::Lwp;

/// Bytes below the interrupted stack pointer that a frame must not touch
/// (the x86-64 red zone).
const RED_ZONE: u64 = 128;
/// DragonFly's user code and stack selectors (`GSEL(GUCODE_SEL, SEL_UPL)`).
const USER_CS: u64 = 0x43;
const USER_SS: u64 = 0x3b;
/// `rflags` bits a handler may change through `sigreturn` (PSL_USERCHANGE).
pub const PSL_USERCHANGE: u64 = 0x0000_0001
    | 0x0000_0004
    | 0x0000_0010
    | 0x0000_0040
    | 0x0000_0080
    | 0x0000_0100
    | 0x0000_0400
    | 0x0000_0800
    | 0x0000_4000
    | 0x0004_0000
    | 0x0020_0000;
const PSL_T: u64 = 0x100;
const PSL_D: u64 = 0x400;
pub const PSL_RF: u64 = 0x1_0000;
/// Size of the legacy FXSAVE area kept in `mc_fpregs`.
pub const FXSAVE_LEN: usize = 512;
/// Where the software-reserved part of the FXSAVE area starts (Linux keeps
/// its `_fpx_sw_bytes` there).
pub const SW_RESERVED: usize = 464;

/// Address of the sigcode trampoline in the guest.
pub fn sigcode_addr() -> u64 {
    crate::process().sigcode
}

/// The sigcode trampoline bytes (`sigtramp.s`): `call *(%rsp)`;
/// `lea 0x40(%rsp),%rdi`; `push $0`; `mov $344,%rax`; `syscall`; `hlt`;
/// `jmp` back to the `hlt`.
pub const SIGCODE: [u8; 22] = [
    0xff, 0x14, 0x24, 0x48, 0x8d, 0x7c, 0x24, 0x40, 0x6a, 0x00, 0x48, 0xc7, 0xc0, 0x58, 0x01, 0x00, 0x00, 0x0f, 0x05,
    0xf4, 0xeb, 0xfd,
];

/// Whether `sp` lies on the guest's alternate stack.
pub fn on_altstack(ss: &StackT, sp: u64) -> bool {
    ss.ss_flags & d::SS_DISABLE == 0 && sp > ss.ss_sp && sp <= ss.ss_sp.wrapping_add(ss.ss_size)
}

/// Facts about a signal for the handler's `siginfo_t`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SigInfo {
    /// DragonFly `si_code`.
    pub code: i32,
    /// Sender's pid (0 for the kernel).
    pub pid: i32,
    /// Sender's uid.
    pub uid: u32,
    /// Fault address.
    pub addr: u64,
    /// Trap number, for `mc_trapno`.
    pub trapno: u64,
    /// Error code, for `mc_err`.
    pub err: u64,
}

fn greg(uc: &libc::ucontext_t, r: libc::c_int) -> u64 {
    uc.uc_mcontext.gregs[r as usize] as u64
}

fn set_greg(uc: &mut libc::ucontext_t, r: libc::c_int, v: u64) {
    uc.uc_mcontext.gregs[r as usize] = v as i64;
}

/// The host FXSAVE area of a context, if the kernel gave one.
fn fxsave_area(uc: &mut libc::ucontext_t) -> Option<&mut [u8; FXSAVE_LEN]> {
    let p = uc.uc_mcontext.fpregs;
    if p.is_null() {
        return None;
    }
    Some(crate::mem::host_fxsave(p.cast()))
}

/// Builds the DragonFly machine context from a host context.
pub fn mcontext_from_host(uc: &mut libc::ucontext_t, onstack: bool, info: &SigInfo) -> Mcontext {
    let mut mc = Mcontext::new_zeroed();
    mc.mc_onstack = u64::from(onstack);
    mc.mc_rdi = greg(uc, libc::REG_RDI);
    mc.mc_rsi = greg(uc, libc::REG_RSI);
    mc.mc_rdx = greg(uc, libc::REG_RDX);
    mc.mc_rcx = greg(uc, libc::REG_RCX);
    mc.mc_r8 = greg(uc, libc::REG_R8);
    mc.mc_r9 = greg(uc, libc::REG_R9);
    mc.mc_rax = greg(uc, libc::REG_RAX);
    mc.mc_rbx = greg(uc, libc::REG_RBX);
    mc.mc_rbp = greg(uc, libc::REG_RBP);
    mc.mc_r10 = greg(uc, libc::REG_R10);
    mc.mc_r11 = greg(uc, libc::REG_R11);
    mc.mc_r12 = greg(uc, libc::REG_R12);
    mc.mc_r13 = greg(uc, libc::REG_R13);
    mc.mc_r14 = greg(uc, libc::REG_R14);
    mc.mc_r15 = greg(uc, libc::REG_R15);
    mc.mc_trapno = info.trapno;
    mc.mc_addr = info.addr;
    mc.mc_err = info.err;
    mc.mc_rip = greg(uc, libc::REG_RIP);
    mc.mc_cs = USER_CS;
    mc.mc_rflags = greg(uc, libc::REG_EFL);
    mc.mc_rsp = greg(uc, libc::REG_RSP);
    mc.mc_ss = USER_SS;
    mc.mc_len = std::mem::size_of::<Mcontext>() as u32;
    if let Some(fx) = fxsave_area(uc) {
        mc.mc_fpformat = d::_MC_FPFMT_XMM as u32;
        mc.mc_ownedfp = d::_MC_FPOWNED_FPU as u32;
        mc.mc_fpregs[..FXSAVE_LEN].copy_from_slice(fx);
    } else {
        mc.mc_fpformat = d::_MC_FPFMT_NODEV as u32;
        mc.mc_ownedfp = d::_MC_FPOWNED_NONE as u32;
    }
    mc
}

/// Delivers `sig` with handler `act` to the guest thread whose interrupted
/// context is `uc`. On a frame that cannot be written the process dies of
/// SIGILL, as on DragonFly.
pub fn deliver(lwp: &mut Lwp, uc: &mut libc::ucontext_t, sig: u32, info: &SigInfo) {
    let act = action(sig);
    let rsp = greg(uc, libc::REG_RSP);
    let oonstack = on_altstack(&lwp.altstack, rsp);
    let use_alt = act.sa_flags & d::SA_ONSTACK != 0 && lwp.altstack.ss_flags & d::SS_DISABLE == 0 && !oonstack;
    let frame_size = std::mem::size_of::<Sigframe>() as u64;
    let sp = if use_alt {
        lwp.altstack.ss_sp.wrapping_add(lwp.altstack.ss_size).wrapping_sub(frame_size)
    } else {
        rsp.wrapping_sub(frame_size).wrapping_sub(RED_ZONE)
    };
    let sfp = sp & !0xF;

    let mut frame = Sigframe::new_zeroed();
    frame.sf_ahu = act.sa_handler;
    frame.sf_uc = Ucontext::new_zeroed();
    frame.sf_uc.uc_sigmask = lwp.sigmask;
    let mut stack = lwp.altstack;
    if oonstack {
        stack.ss_flags |= d::SS_ONSTACK;
    }
    frame.sf_uc.uc_stack = stack;
    frame.sf_uc.uc_mcontext = mcontext_from_host(uc, oonstack, info);
    frame.sf_si = Siginfo {
        si_signo: sig as i32,
        si_code: info.code,
        si_pid: info.pid,
        si_uid: info.uid,
        si_addr: info.addr,
        ..Siginfo::default()
    };
    if mem::write(sfp, &frame).is_err() {
        super::die_of(godfly_abi::signal::SIGILL);
    }
    if crate::trace::enabled() {
        crate::trace::signal(lwp.tid, sig, info.code, act.sa_handler);
    }

    set_greg(uc, libc::REG_RDI, u64::from(sig));
    if act.sa_flags & d::SA_SIGINFO != 0 {
        set_greg(uc, libc::REG_RSI, sfp + std::mem::offset_of!(Sigframe, sf_si) as u64);
    } else {
        set_greg(uc, libc::REG_RSI, info.code as u32 as u64);
    }
    set_greg(uc, libc::REG_RDX, sfp + std::mem::offset_of!(Sigframe, sf_uc) as u64);
    set_greg(uc, libc::REG_RCX, info.addr);
    set_greg(uc, libc::REG_RSP, sfp);
    set_greg(uc, libc::REG_RIP, sigcode_addr());
    let fl = greg(uc, libc::REG_EFL) & !(PSL_T | PSL_D);
    set_greg(uc, libc::REG_EFL, fl);

    // postsig: block the handler's mask and, unless SA_NODEFER, the signal.
    let mut mask = lwp.sigmask;
    for (m, a) in mask.bits.iter_mut().zip(act.sa_mask.bits) {
        *m |= a;
    }
    if act.sa_flags & d::SA_NODEFER == 0 {
        sigadd(&mut mask, sig);
    }
    cant_mask(&mut mask);
    lwp.sigmask = mask;
    if act.sa_flags & d::SA_RESETHAND != 0 && sig != godfly_abi::signal::SIGILL && sig != godfly_abi::signal::SIGTRAP {
        set_action(sig, godfly_abi::layout::Sigaction::default());
        super::sync_host_disposition(sig);
    }
}

/// `sigreturn(ucp)`, DragonFly 344: the whole register set, the FPU state
/// and the signal mask come back from the guest's `ucontext_t`.
pub fn sigreturn(lwp: &mut Lwp, uc: &mut libc::ucontext_t, ucp: u64) -> Result<(), Errno> {
    let u: Ucontext = mem::read(ucp).map_err(|_| EFAULT)?;
    apply_mcontext(uc, &u.uc_mcontext)?;
    let mut mask: Sigset = u.uc_sigmask;
    cant_mask(&mut mask);
    lwp.sigmask = mask;
    Ok(())
}

/// Loads a guest machine context (untrusted: it comes from guest memory)
/// into a host context. Flags outside `PSL_USERCHANGE` must match the
/// current ones (EINVAL otherwise, as DragonFly); `cs`/`ss` and the other
/// host-only fields are never taken; MXCSR's reserved bits are cleared so
/// that the host's FXRSTOR cannot fault.
pub fn apply_mcontext(uc: &mut libc::ucontext_t, mc: &Mcontext) -> Result<(), Errno> {
    let cur = greg(uc, libc::REG_EFL);
    if (mc.mc_rflags ^ cur) & !(PSL_USERCHANGE | PSL_RF) != 0 {
        return Err(godfly_abi::errno::EINVAL);
    }
    let regs = [
        (libc::REG_RDI, mc.mc_rdi),
        (libc::REG_RSI, mc.mc_rsi),
        (libc::REG_RDX, mc.mc_rdx),
        (libc::REG_RCX, mc.mc_rcx),
        (libc::REG_R8, mc.mc_r8),
        (libc::REG_R9, mc.mc_r9),
        (libc::REG_RAX, mc.mc_rax),
        (libc::REG_RBX, mc.mc_rbx),
        (libc::REG_RBP, mc.mc_rbp),
        (libc::REG_R10, mc.mc_r10),
        (libc::REG_R11, mc.mc_r11),
        (libc::REG_R12, mc.mc_r12),
        (libc::REG_R13, mc.mc_r13),
        (libc::REG_R14, mc.mc_r14),
        (libc::REG_R15, mc.mc_r15),
        (libc::REG_RIP, mc.mc_rip),
        (libc::REG_RSP, mc.mc_rsp),
        // RF comes from the frame too, as DragonFly's sigreturn takes the
        // whole rflags once the privileged bits match (the sigframe fuzz
        // target found it dropped).
        (libc::REG_EFL, (cur & !(PSL_USERCHANGE | PSL_RF)) | (mc.mc_rflags & (PSL_USERCHANGE | PSL_RF))),
    ];
    for (r, v) in regs {
        set_greg(uc, r, v);
    }
    if mc.mc_ownedfp != d::_MC_FPOWNED_NONE as u32
        && mc.mc_fpformat != d::_MC_FPFMT_NODEV as u32
        && let Some(fx) = fxsave_area(uc)
    {
        let host_mask = fx[28..32].try_into().map(u32::from_ne_bytes).unwrap_or(0);
        // Bytes 464..512 are Linux's (the extended-state description the
        // kernel reads on return): they stay the host's.
        let mut host_tail = [0u8; FXSAVE_LEN - SW_RESERVED];
        host_tail.copy_from_slice(&fx[SW_RESERVED..]);
        fx[..SW_RESERVED].copy_from_slice(&mc.mc_fpregs[..SW_RESERVED]);
        fx[SW_RESERVED..].copy_from_slice(&host_tail);
        sanitize_fxsave(fx, host_mask);
    }
    Ok(())
}

/// Clears what a guest may not set in an FXSAVE image before the host
/// restores it: MXCSR bits outside the CPU's MXCSR_MASK (the host's own
/// mask, not the guest's copy of it).
pub fn sanitize_fxsave(fx: &mut [u8; FXSAVE_LEN], host_mask: u32) {
    let mask = if host_mask == 0 { 0xffbf } else { host_mask };
    let mxcsr = u32::from_ne_bytes([fx[24], fx[25], fx[26], fx[27]]) & mask;
    fx[24..28].copy_from_slice(&mxcsr.to_ne_bytes());
    fx[28..32].copy_from_slice(&host_mask.to_ne_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sigcode_calls_handler_then_sigreturn_344() {
        assert_eq!(&SIGCODE[..3], &[0xff, 0x14, 0x24]);
        // mov $344,%rax
        assert_eq!(u32::from_le_bytes(SIGCODE[13..17].try_into().unwrap()), 344);
        assert_eq!(&SIGCODE[17..19], &[0x0f, 0x05]);
    }

    #[test]
    fn altstack_range_is_exclusive_at_the_bottom() {
        let ss = StackT { ss_sp: 0x1000, ss_size: 0x2000, ss_flags: 0, pad: 0 };
        assert!(on_altstack(&ss, 0x3000));
        assert!(on_altstack(&ss, 0x1001));
        assert!(!on_altstack(&ss, 0x1000));
        let off = StackT { ss_flags: d::SS_DISABLE, ..ss };
        assert!(!on_altstack(&off, 0x2000));
    }
}
