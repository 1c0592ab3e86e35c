//! FreeBSD's signal frame, as its amd64 `sendsig` builds it, and
//! `sigreturn` (417).
//!
//! A `struct sigframe` (976 bytes: handler, `ucontext_t` at +16 with the
//! registers in trapframe order, `siginfo_t` at +896) goes below the
//! interrupted stack's red zone or at the top of the alternate stack.
//! Above it, 64-byte aligned, goes the XSAVE area beyond the 512-byte
//! legacy image that `mc_fpstate` holds (`mc_xfpustate`, with
//! `_MC_HASFPXSTATE`): together they are the host's whole XSAVE image, in
//! the standard format FreeBSD uses too. The guest resumes in the sigcode,
//! which calls the handler and then `sigreturn(&frame->sf_uc)`. The
//! handler starts with a fresh FPU state.
//!
//! Left out: `sigreturn` does not load `mc_fsbase`/`mc_gsbase` (FreeBSD
//! does); the thread's base stays what it was, which is what a handler
//! that leaves them alone gets on FreeBSD too.

use godfly_abi::freebsd::consts as f;
use godfly_abi::freebsd::layout::{Mcontext, Sigframe, Siginfo, Sigset, Ucontext};
use zerocopy::FromZeros;

use crate::arch::xstate;
use crate::host::Errno;
use crate::host::errno::{EFAULT, EINVAL};
use crate::mem;
use crate::os::dragonfly::sigframe::{FXSAVE_LEN, PSL_RF, PSL_USERCHANGE, SW_RESERVED};
use crate::personality::Delivery;
use crate::thread::{Lwp, SigInfo};

/// Bytes below the interrupted stack pointer a frame must not touch.
const RED_ZONE: u64 = 128;
/// FreeBSD's user selectors (`GSEL(GUCODE_SEL, SEL_UPL)` and the data
/// one; `GUFS32_SEL`/`GUGS32_SEL` for %fs/%gs).
const USER_CS: u64 = 0x43;
const USER_SS: u64 = 0x3b;
const USER_FS: u16 = 0x13;
const USER_GS: u16 = 0x1b;
const PSL_T: u64 = 0x100;
const PSL_D: u64 = 0x400;

/// The sigcode (`sys/amd64/amd64/sigtramp.S`): `call *0(%rsp)`;
/// `lea 16(%rsp),%rdi`; `push $0`; `mov $417,%rax`; `syscall`; `hlt`;
/// `jmp` back to the `hlt`.
pub const SIGCODE: [u8; 22] = [
    0xff, 0x14, 0x24, 0x48, 0x8d, 0x7c, 0x24, 0x10, 0x6a, 0x00, 0x48, 0xc7, 0xc0, 0xa1, 0x01, 0x00, 0x00, 0x0f, 0x05,
    0xf4, 0xeb, 0xfd,
];

fn greg(uc: &libc::ucontext_t, r: libc::c_int) -> u64 {
    uc.uc_mcontext.gregs[r as usize] as u64
}

fn set_greg(uc: &mut libc::ucontext_t, r: libc::c_int, v: u64) {
    uc.uc_mcontext.gregs[r as usize] = v as i64;
}

/// FreeBSD's machine context for a host context, and the part of the host's
/// XSAVE image past the legacy area (for `deliver` to place), if any.
pub fn mcontext_from_host(
    uc: &mut libc::ucontext_t,
    onstack: bool,
    info: &SigInfo,
    fsbase: u64,
) -> (Mcontext, Option<Vec<u8>>) {
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
    mc.mc_trapno = info.trapno as u32;
    mc.mc_fs = USER_FS;
    mc.mc_gs = USER_GS;
    mc.mc_es = USER_SS as u16;
    mc.mc_ds = USER_SS as u16;
    mc.mc_addr = info.addr;
    mc.mc_flags = f::_MC_HASSEGS as u32;
    mc.mc_err = info.err;
    mc.mc_rip = greg(uc, libc::REG_RIP);
    mc.mc_cs = USER_CS;
    mc.mc_rflags = greg(uc, libc::REG_EFL);
    mc.mc_rsp = greg(uc, libc::REG_RSP);
    mc.mc_ss = USER_SS;
    mc.mc_len = std::mem::size_of::<Mcontext>() as u64;
    mc.mc_fsbase = fsbase;
    let Some((img, _)) = mem::host_xsave(uc) else {
        mc.mc_fpformat = f::_MC_FPFMT_NODEV as u64;
        mc.mc_ownedfp = f::_MC_FPOWNED_NONE as u64;
        return (mc, None);
    };
    mc.mc_fpformat = f::_MC_FPFMT_XMM as u64;
    mc.mc_ownedfp = f::_MC_FPOWNED_FPU as u64;
    mc.mc_fpstate.copy_from_slice(&img[..FXSAVE_LEN]);
    // Linux's description of its frame is not FreeBSD's to see.
    mc.mc_fpstate[SW_RESERVED..].fill(0);
    if img.len() <= FXSAVE_LEN {
        return (mc, None);
    }
    mc.mc_flags |= f::_MC_HASFPXSTATE as u32;
    (mc, Some(img[FXSAVE_LEN..].to_vec()))
}

/// Gives the handler a fresh FPU state: every component initial, default
/// control words.
fn fresh_fpu(uc: &mut libc::ucontext_t) {
    if let Some((img, _)) = mem::host_xsave(uc) {
        img[..SW_RESERVED].fill(0);
        img[0..2].copy_from_slice(&0x037fu16.to_ne_bytes());
        img[xstate::MXCSR..xstate::MXCSR + 4].copy_from_slice(&0x1f80u32.to_ne_bytes());
        if img.len() > FXSAVE_LEN {
            xstate::set_xstate_bv(img, 0);
        }
    }
}

/// Builds the frame for `dv` and points `uc` at the sigcode with the
/// handler's arguments, as FreeBSD's `sendsig` does.
pub fn deliver(lwp: &Lwp, uc: &mut libc::ucontext_t, dv: &Delivery) -> Result<(), Errno> {
    let rsp = greg(uc, libc::REG_RSP);
    let top =
        if dv.on_altstack { lwp.altstack.ss_sp.wrapping_add(lwp.altstack.ss_size) } else { rsp.wrapping_sub(RED_ZONE) };
    let (mut mc, ext) = mcontext_from_host(uc, dv.was_on_altstack, &dv.info, lwp.guest_fs());
    let below = match &ext {
        Some(tail) => {
            let at = top.wrapping_sub(tail.len() as u64) & !0x3F;
            mem::write_bytes(at, tail)?;
            mc.mc_xfpustate = at;
            mc.mc_xfpustate_len = tail.len() as u64;
            at
        }
        None => top,
    };
    let sfp = below.wrapping_sub(std::mem::size_of::<Sigframe>() as u64) & !0xF;

    let mut frame = Sigframe::new_zeroed();
    frame.sf_ahu = dv.action.sa_handler;
    frame.sf_uc.uc_sigmask = dv.saved_mask;
    let mut stack = lwp.altstack;
    if dv.was_on_altstack {
        stack.ss_flags |= f::SS_ONSTACK;
    }
    frame.sf_uc.uc_stack = stack;
    frame.sf_uc.uc_mcontext = mc;
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
    if dv.action.sa_flags & f::SA_SIGINFO != 0 {
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
    fresh_fpu(uc);
    Ok(())
}

/// `sigreturn(ucp)`, FreeBSD 417: the registers and the FPU state come
/// back from the guest's `ucontext_t`; its signal mask is returned.
pub fn sigreturn(uc: &mut libc::ucontext_t, ucp: u64) -> Result<Sigset, Errno> {
    let u: Ucontext = mem::read(ucp).map_err(|_| EFAULT)?;
    apply_mcontext(uc, &u.uc_mcontext)?;
    Ok(u.uc_sigmask)
}

/// Loads a guest machine context (untrusted) into a host context, with
/// FreeBSD's checks: unknown `mc_flags`, a changed privileged `rflags`
/// bit, a bad FPU format or owner, or an XSAVE tail longer than this CPU's
/// are EINVAL.
pub fn apply_mcontext(uc: &mut libc::ucontext_t, mc: &Mcontext) -> Result<(), Errno> {
    let cur = greg(uc, libc::REG_EFL);
    if mc.mc_flags & !(f::_MC_FLAG_MASK as u32) != 0 || (mc.mc_rflags ^ cur) & !(PSL_USERCHANGE | PSL_RF) != 0 {
        return Err(EINVAL);
    }
    let format_ok = [f::_MC_FPFMT_NODEV, f::_MC_FPFMT_XMM].contains(&(mc.mc_fpformat as i32));
    let owner_ok = [f::_MC_FPOWNED_NONE, f::_MC_FPOWNED_FPU, f::_MC_FPOWNED_PCB].contains(&(mc.mc_ownedfp as i32));
    if !format_ok || !owner_ok {
        return Err(EINVAL);
    }
    let has_ext = mc.mc_flags & f::_MC_HASFPXSTATE as u32 != 0;
    if let Some((area, _)) = mem::host_xsave(uc)
        && has_ext
        && mc.mc_xfpustate_len > (area.len() - FXSAVE_LEN) as u64
    {
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
        (libc::REG_EFL, (cur & !(PSL_USERCHANGE | PSL_RF)) | (mc.mc_rflags & (PSL_USERCHANGE | PSL_RF))),
    ];
    for (r, v) in regs {
        set_greg(uc, r, v);
    }
    if mc.mc_fpformat as i32 != f::_MC_FPFMT_NODEV
        && mc.mc_ownedfp as i32 != f::_MC_FPOWNED_NONE
        && let Some((area, features)) = mem::host_xsave(uc)
    {
        let mut img = area.to_vec();
        img[..SW_RESERVED].copy_from_slice(&mc.mc_fpstate[..SW_RESERVED]);
        if has_ext && img.len() > FXSAVE_LEN {
            let n = mc.mc_xfpustate_len as usize;
            mem::read_into(mc.mc_xfpustate, &mut img[FXSAVE_LEN..FXSAVE_LEN + n])?;
        } else if img.len() > FXSAVE_LEN {
            // Only the legacy state came back: the rest starts afresh.
            let bv = xstate::xstate_bv(&img) & (xstate::X87 | xstate::SSE);
            xstate::set_xstate_bv(&mut img, bv | xstate::X87 | xstate::SSE);
        }
        let host_mask = xstate::mxcsr_mask(area);
        xstate::sanitize(&mut img, features, host_mask);
        // Bytes 464..512 are Linux's description of the area: they stay.
        area[..SW_RESERVED].copy_from_slice(&img[..SW_RESERVED]);
        area[FXSAVE_LEN..].copy_from_slice(&img[FXSAVE_LEN..]);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sigcode_calls_the_handler_then_sigreturn_417_with_the_ucontext_at_16() {
        assert_eq!(&SIGCODE[..3], &[0xff, 0x14, 0x24]);
        assert_eq!(SIGCODE[7], 0x10);
        assert_eq!(u32::from_le_bytes(SIGCODE[13..17].try_into().unwrap()), 417);
        assert_eq!(&SIGCODE[17..19], &[0x0f, 0x05]);
    }

    #[test]
    fn go_finds_rip_and_rsp_where_freebsd_puts_them() {
        // runtime/signal_freebsd_amd64.go: ctx+16+160 and ctx+16+184.
        assert_eq!(std::mem::offset_of!(Ucontext, uc_mcontext) + std::mem::offset_of!(Mcontext, mc_rip), 176);
        assert_eq!(std::mem::offset_of!(Ucontext, uc_mcontext) + std::mem::offset_of!(Mcontext, mc_rsp), 200);
    }
}
