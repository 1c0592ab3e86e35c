//! DragonFly's signal frame, as its `sendsig` builds it, and `sigreturn`.
//!
//! A DragonFly `struct sigframe` (handler, `ucontext_t` with the
//! interrupted registers in trapframe order and the FXSAVE image,
//! `siginfo_t`) goes on the guest stack, or on the guest's alternate stack
//! for SA_ONSTACK. The guest resumes in the sigcode trampoline that the
//! loader mapped where DragonFly puts it; the trampoline calls the handler
//! and then `sigreturn(&frame->sf_uc)`.

use godfly_abi::dragonfly::consts as d;
use godfly_abi::dragonfly::layout::{Mcontext, Sigframe, Siginfo, Sigset, Ucontext};
use zerocopy::FromZeros;

use crate::host::Errno;
use crate::host::errno::{EFAULT, EINVAL};
use crate::mem;
use crate::personality::Delivery;
use crate::thread::{Lwp, SigInfo};

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

/// The sigcode trampoline bytes (`sigtramp.s`): `call *(%rsp)`;
/// `lea 0x40(%rsp),%rdi`; `push $0`; `mov $344,%rax`; `syscall`; `hlt`;
/// `jmp` back to the `hlt`.
pub const SIGCODE: [u8; 22] = [
    0xff, 0x14, 0x24, 0x48, 0x8d, 0x7c, 0x24, 0x40, 0x6a, 0x00, 0x48, 0xc7, 0xc0, 0x58, 0x01, 0x00, 0x00, 0x0f, 0x05,
    0xf4, 0xeb, 0xfd,
];

fn greg(uc: &libc::ucontext_t, r: libc::c_int) -> u64 {
    uc.uc_mcontext.gregs[r as usize] as u64
}

fn set_greg(uc: &mut libc::ucontext_t, r: libc::c_int, v: u64) {
    uc.uc_mcontext.gregs[r as usize] = v as i64;
}

/// The host FXSAVE area of a context, if the kernel gave one.
fn fxsave_area(uc: &mut libc::ucontext_t) -> Option<&mut [u8; FXSAVE_LEN]> {
    mem::host_fxsave(uc)
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

/// Builds the frame for `dv` below the interrupted stack pointer (or at the
/// top of the alternate stack) and points `uc` at the trampoline with the
/// handler's arguments, as DragonFly's `sendsig` does.
pub fn deliver(lwp: &Lwp, uc: &mut libc::ucontext_t, dv: &Delivery) -> Result<(), Errno> {
    let rsp = greg(uc, libc::REG_RSP);
    let frame_size = std::mem::size_of::<Sigframe>() as u64;
    let sp = if dv.on_altstack {
        lwp.altstack.ss_sp.wrapping_add(lwp.altstack.ss_size).wrapping_sub(frame_size)
    } else {
        rsp.wrapping_sub(frame_size).wrapping_sub(RED_ZONE)
    };
    let sfp = sp & !0xF;

    let mut frame = Sigframe::new_zeroed();
    frame.sf_ahu = dv.action.sa_handler;
    frame.sf_uc = Ucontext::new_zeroed();
    frame.sf_uc.uc_sigmask = dv.saved_mask;
    let mut stack = lwp.altstack;
    if dv.was_on_altstack {
        stack.ss_flags |= d::SS_ONSTACK;
    }
    frame.sf_uc.uc_stack = stack;
    frame.sf_uc.uc_mcontext = mcontext_from_host(uc, dv.was_on_altstack, &dv.info);
    frame.sf_si = Siginfo {
        si_signo: dv.sig as i32,
        si_code: dv.info.code,
        si_pid: dv.info.pid,
        si_uid: dv.info.uid,
        si_addr: dv.info.addr,
        ..Siginfo::default()
    };
    mem::write(sfp, &frame)?;

    set_greg(uc, libc::REG_RDI, u64::from(dv.sig));
    if dv.action.sa_flags & d::SA_SIGINFO != 0 {
        set_greg(uc, libc::REG_RSI, sfp + std::mem::offset_of!(Sigframe, sf_si) as u64);
    } else {
        set_greg(uc, libc::REG_RSI, dv.info.code as u32 as u64);
    }
    set_greg(uc, libc::REG_RDX, sfp + std::mem::offset_of!(Sigframe, sf_uc) as u64);
    set_greg(uc, libc::REG_RCX, dv.info.addr);
    set_greg(uc, libc::REG_RSP, sfp);
    set_greg(uc, libc::REG_RIP, crate::process::get().sigcode);
    let fl = greg(uc, libc::REG_EFL) & !(PSL_T | PSL_D);
    set_greg(uc, libc::REG_EFL, fl);
    Ok(())
}

/// `sigreturn(ucp)`, DragonFly 344: the whole register set and the FPU
/// state come back from the guest's `ucontext_t`; its signal mask is
/// returned for the thread.
pub fn sigreturn(uc: &mut libc::ucontext_t, ucp: u64) -> Result<Sigset, Errno> {
    let u: Ucontext = mem::read(ucp).map_err(|_| EFAULT)?;
    apply_mcontext(uc, &u.uc_mcontext)?;
    Ok(u.uc_sigmask)
}

/// Loads a guest machine context (untrusted: it comes from guest memory)
/// into a host context. Flags outside `PSL_USERCHANGE` must match the
/// current ones (EINVAL otherwise, as DragonFly); `cs`/`ss` and the other
/// host-only fields are never taken; MXCSR's reserved bits are cleared so
/// that the host's FXRSTOR cannot fault.
pub fn apply_mcontext(uc: &mut libc::ucontext_t, mc: &Mcontext) -> Result<(), Errno> {
    let cur = greg(uc, libc::REG_EFL);
    if (mc.mc_rflags ^ cur) & !(PSL_USERCHANGE | PSL_RF) != 0 {
        return Err(EINVAL);
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
}
