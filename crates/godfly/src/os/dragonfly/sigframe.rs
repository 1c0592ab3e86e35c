//! DragonFly's signal frame, as its `sendsig` builds it, and `sigreturn`.
//!
//! A DragonFly `struct sigframe` (handler, `ucontext_t` with the
//! interrupted registers in trapframe order and the FPU state, `siginfo_t`)
//! goes on the guest stack, or on the guest's alternate stack for
//! SA_ONSTACK. The guest resumes in the sigcode trampoline that the loader
//! mapped where DragonFly puts it; the trampoline calls the handler and
//! then `sigreturn(&frame->sf_uc)`.
//!
//! The FPU state: DragonFly's `mc_fpregs` (1024 bytes) holds the first 832
//! bytes of a standard XSAVE image (x87, SSE, AVX: DragonFly enables no
//! more) with format `_MC_FPFMT_YMM`. The host may have more (AVX-512's
//! opmask and ZMM state, ...), so godfly writes the host's whole image on
//! the guest stack just above the frame and notes where in the unused tail
//! of `mc_fpregs`; `sigreturn` starts from that image (if the note still
//! fits this CPU) and takes the x87/SSE/AVX part from `mc_fpregs`, where a
//! handler may have changed it. The handler itself starts with a fresh FPU
//! state, as on DragonFly.

use godfly_abi::dragonfly::consts as d;
use godfly_abi::dragonfly::layout::{Mcontext, Sigframe, Siginfo, Sigset, Ucontext};
use zerocopy::FromZeros;

use crate::arch::xstate;
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

/// How much of an XSAVE image DragonFly's `mc_fpregs` carries.
const DFLY_IMAGE: usize = xstate::AVX_OFFSET + xstate::AVX_LEN;
/// godfly's note in the unused tail of `mc_fpregs`: magic, the address of
/// the full image, its size and its components.
const NOTE: usize = 960;
const NOTE_MAGIC: u64 = u64::from_le_bytes(*b"godflyXS");
/// The XSAVE components DragonFly's frame describes.
const DFLY_FEATURES: u64 = xstate::X87 | xstate::SSE | xstate::AVX;

fn note(mc: &Mcontext) -> (u64, u64, u64, u64) {
    let at = |i: usize| {
        let o = NOTE + 8 * i;
        u64::from_ne_bytes(mc.mc_fpregs[o..o + 8].try_into().unwrap_or_default())
    };
    (at(0), at(1), at(2), at(3))
}

fn set_note(mc: &mut Mcontext, addr: u64, size: u64, features: u64) {
    for (i, v) in [NOTE_MAGIC, addr, size, features].into_iter().enumerate() {
        let o = NOTE + 8 * i;
        mc.mc_fpregs[o..o + 8].copy_from_slice(&v.to_ne_bytes());
    }
}

/// Builds the DragonFly machine context from a host context; returns it
/// with the host's whole XSAVE image when there is one (for `deliver` to
/// place on the guest stack), or `None` for a legacy-only FPU area.
pub fn mcontext_from_host(uc: &mut libc::ucontext_t, onstack: bool, info: &SigInfo) -> (Mcontext, Option<Vec<u8>>) {
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
    let Some((img, features)) = mem::host_xsave(uc) else {
        mc.mc_fpformat = d::_MC_FPFMT_NODEV as u32;
        mc.mc_ownedfp = d::_MC_FPOWNED_NONE as u32;
        return (mc, None);
    };
    mc.mc_ownedfp = d::_MC_FPOWNED_FPU as u32;
    let n = img.len().min(DFLY_IMAGE);
    mc.mc_fpregs[..n].copy_from_slice(&img[..n]);
    // Linux's description of its frame is not DragonFly's to see.
    mc.mc_fpregs[SW_RESERVED..FXSAVE_LEN].fill(0);
    if img.len() <= FXSAVE_LEN {
        mc.mc_fpformat = d::_MC_FPFMT_XMM as u32;
        return (mc, None);
    }
    mc.mc_fpformat = if features & xstate::AVX != 0 { d::_MC_FPFMT_YMM } else { d::_MC_FPFMT_XMM } as u32;
    let bv = xstate::xstate_bv(img) & DFLY_FEATURES;
    xstate::set_xstate_bv(&mut mc.mc_fpregs[..], bv);
    mc.mc_fpregs[xstate::HEADER + 8..xstate::HEADER + xstate::HEADER_LEN].fill(0);
    let mut full = img.to_vec();
    full[SW_RESERVED..FXSAVE_LEN].fill(0);
    (mc, Some(full))
}

/// Gives the handler a fresh FPU state, as DragonFly's does (registers
/// zero, default control words): every component in its initial state.
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

/// Builds the frame for `dv` below the interrupted stack pointer (or at the
/// top of the alternate stack) and points `uc` at the trampoline with the
/// handler's arguments, as DragonFly's `sendsig` does.
pub fn deliver(lwp: &Lwp, uc: &mut libc::ucontext_t, dv: &Delivery) -> Result<(), Errno> {
    let rsp = greg(uc, libc::REG_RSP);
    let frame_size = std::mem::size_of::<Sigframe>() as u64;
    let top =
        if dv.on_altstack { lwp.altstack.ss_sp.wrapping_add(lwp.altstack.ss_size) } else { rsp.wrapping_sub(RED_ZONE) };
    let (mut mc, full) = mcontext_from_host(uc, dv.was_on_altstack, &dv.info);
    // The whole image goes above the frame (64-byte aligned, as XSAVE
    // images are), where the handler's stack does not reach.
    let below = match &full {
        Some(img) => {
            let at = top.wrapping_sub(img.len() as u64) & !63;
            mem::write_bytes(at, img)?;
            let (_, features) = mem::host_xsave(uc).map_or((0, 0), |(i, f)| (i.len(), f));
            set_note(&mut mc, at, img.len() as u64, features);
            at
        }
        None => top,
    };
    let sfp = below.wrapping_sub(frame_size) & !0xF;

    let mut frame = Sigframe::new_zeroed();
    frame.sf_ahu = dv.action.sa_handler;
    frame.sf_uc = Ucontext::new_zeroed();
    frame.sf_uc.uc_sigmask = dv.saved_mask;
    let mut stack = lwp.altstack;
    if dv.was_on_altstack {
        stack.ss_flags |= d::SS_ONSTACK;
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
    fresh_fpu(uc);
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
        && let Some((area, features)) = mem::host_xsave(uc)
    {
        let mut img = area.to_vec();
        // The full image godfly put above the frame, if the note still
        // describes one for this CPU's layout (it is the guest's memory:
        // anything it holds is made safe below).
        let (magic, at, size, noted) = note(mc);
        if magic == NOTE_MAGIC && size == img.len() as u64 && noted == features {
            let _ = mem::read_into(at, &mut img);
        }
        merge_frame_fpu(&mut img, mc);
        let host_mask = xstate::mxcsr_mask(area);
        xstate::sanitize(&mut img, features, host_mask);
        // Bytes 464..512 are Linux's (the extended-state description the
        // kernel reads on return): they stay the host's.
        area[..SW_RESERVED].copy_from_slice(&img[..SW_RESERVED]);
        area[FXSAVE_LEN..].copy_from_slice(&img[FXSAVE_LEN..]);
    }
    Ok(())
}

/// Lays what DragonFly's frame holds over an image: the legacy area (x87,
/// SSE), and for the YMM format the AVX component and XSTATE_BV's bits for
/// the three. The legacy area is always valid in the frame, so its bits are
/// set (a clear bit would restore the initial state instead).
pub fn merge_frame_fpu(img: &mut [u8], mc: &Mcontext) {
    img[..SW_RESERVED].copy_from_slice(&mc.mc_fpregs[..SW_RESERVED]);
    if img.len() < DFLY_IMAGE {
        return;
    }
    let mut bv = xstate::xstate_bv(img) | xstate::X87 | xstate::SSE;
    if mc.mc_fpformat == d::_MC_FPFMT_YMM as u32 {
        img[xstate::AVX_OFFSET..DFLY_IMAGE].copy_from_slice(&mc.mc_fpregs[xstate::AVX_OFFSET..DFLY_IMAGE]);
        bv = (bv & !xstate::AVX) | (xstate::xstate_bv(&mc.mc_fpregs[..]) & xstate::AVX);
    }
    xstate::set_xstate_bv(img, bv);
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
