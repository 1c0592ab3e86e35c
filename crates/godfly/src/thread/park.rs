//! Holding a guest thread where it is, for the debugger (`debug`) and for
//! core files: each LWP has a [`Slot`] that says whether it runs guest
//! code, sits in a system call (its guest registers are then the call's
//! context), or is parked inside a signal handler on its own signal stack
//! until the debugger lets it go. The context a slot points at lives on
//! that thread's signal stack for as long as the slot says so.

use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, AtomicU64, Ordering};

/// The thread runs guest code (or godfly code outside a call).
pub const RUNNING: u32 = 0;
/// The thread is inside a system call: its guest registers are the call's.
pub const IN_CALL: u32 = 1;
/// The thread waits in `park` with its guest registers in the slot.
pub const PARKED: u32 = 2;
/// A new thread not yet in guest code (hidden from the debugger).
pub const STARTING: u32 = 3;
/// The thread has ended (or is ending): its context is gone.
pub const DEAD: u32 = 4;

/// Set while the debugger (or a core dump) holds every thread: a call on
/// its way out parks, a thread about to start waits.
static STOPPED: AtomicU32 = AtomicU32::new(0);

/// The host signal that makes a thread in guest code park (one of the
/// real-time signals no guest signal maps to).
pub const STOP_SIGNAL: i32 = 38;

/// One LWP's stop state.
#[derive(Debug, Default)]
pub struct Slot {
    state: AtomicU32,
    uc: AtomicPtr<libc::ucontext_t>,
    /// The guest `%fs` base while parked or in a call.
    pub fs_base: AtomicU64,
    wake: AtomicU32,
    action: AtomicU64,
    /// The debugger asked this thread to run one instruction.
    pub step: AtomicBool,
    /// The debugger wants this thread to stay stopped while others run
    /// (`vCont` gave it no action): it parks at its call's end too.
    pub hold: AtomicBool,
    /// A watchpoint's address that godfly's own code hit for the guest
    /// (a call writing the guest's memory): reported when the call ends.
    pub watch_hit: AtomicU64,
}

/// A copy of a stopped thread's registers.
#[derive(Debug, Clone, Copy, Default)]
pub struct Regs {
    /// The host context's general registers (`libc::REG_*` order).
    pub gregs: [i64; 23],
    /// The FXSAVE image (x87, SSE), if the context has one.
    pub fx: Option<[u8; 512]>,
    /// The upper halves of ymm0-15 (XSAVE's AVX component), if the
    /// context's frame has one.
    pub ymm_hi: Option<[u8; 256]>,
    /// The guest `%fs` base.
    pub fs_base: u64,
}

/// The FXSAVE image the processor starts with (FCW 0x37f, MXCSR 0x1f80).
pub fn initial_fx() -> [u8; 512] {
    let mut fx = [0u8; 512];
    fx[0..2].copy_from_slice(&0x37fu16.to_le_bytes());
    fx[24..28].copy_from_slice(&0x1f80u32.to_le_bytes());
    fx
}

/// Offset of `sw_reserved` in the FXSAVE image, where the kernel says the
/// frame is an XSAVE one.
const SW_RESERVED: usize = 464;
const FP_XSTATE_MAGIC1: u32 = 0x4650_5853;
/// XSTATE_BV in the XSAVE header (after the 512-byte legacy area).
const XSTATE_BV: usize = 512;
/// The AVX component's bit and place in a standard-format XSAVE image.
const AVX_BIT: u64 = 4;
const AVX_AT: usize = 576;

/// Whether an FXSAVE image's kernel words say an XSAVE frame follows.
fn is_xsave(fx: &[u8; 512]) -> bool {
    u32::from_le_bytes(fx[SW_RESERVED..SW_RESERVED + 4].try_into().unwrap_or_default()) == FP_XSTATE_MAGIC1
}

/// Whether an FXSAVE image's kernel words say an XSAVE frame with the AVX
/// component follows (`_fpx_sw_bytes`: magic, size, features, size).
fn has_avx(fx: &[u8; 512]) -> bool {
    let word = |at: usize| u32::from_le_bytes(fx[at..at + 4].try_into().unwrap_or_default());
    let features = u64::from_le_bytes(fx[472..480].try_into().unwrap_or_default());
    is_xsave(fx) && features & AVX_BIT != 0 && word(480) as usize >= AVX_AT + 256
}

/// The FXSAVE image and the ymm upper halves of a context's FPU frame at
/// `fpp` (0: none), read with fault-safe copies (the frame may belong to
/// another thread). A component the XSAVE header says is in its initial
/// state reads as that state, whatever stale bytes the image holds.
fn read_fp(fpp: u64) -> (Option<[u8; 512]>, Option<[u8; 256]>) {
    if fpp == 0 {
        return (None, None);
    }
    let Ok(mut fx) = crate::mem::read::<[u8; 512]>(fpp) else { return (None, None) };
    if !is_xsave(&fx) {
        return (Some(fx), None);
    }
    let bv: u64 = crate::mem::read(fpp + XSTATE_BV as u64).unwrap_or(u64::MAX);
    if bv & 1 == 0 {
        // x87 in its initial state: control word 0x37f, empty registers.
        let init = initial_fx();
        fx[0..24].copy_from_slice(&init[0..24]);
        fx[32..160].fill(0);
    }
    if bv & 2 == 0 {
        fx[160..416].fill(0);
    }
    if !has_avx(&fx) {
        return (Some(fx), None);
    }
    let hi = if bv & AVX_BIT == 0 {
        [0u8; 256]
    } else {
        crate::mem::read::<[u8; 256]>(fpp + AVX_AT as u64).unwrap_or([0; 256])
    };
    (Some(fx), Some(hi))
}

/// Where the general registers and the FPU frame pointer of a host
/// context are.
fn context_fields(uc: u64) -> (u64, u64) {
    let mc = uc + std::mem::offset_of!(libc::ucontext_t, uc_mcontext) as u64;
    (
        mc + std::mem::offset_of!(libc::mcontext_t, gregs) as u64,
        mc + std::mem::offset_of!(libc::mcontext_t, fpregs) as u64,
    )
}

impl Slot {
    /// The slot's state (`RUNNING`, `IN_CALL`, `PARKED`, `STARTING`, `DEAD`).
    pub fn state(&self) -> u32 {
        self.state.load(Ordering::SeqCst)
    }

    /// Marks a new thread as starting (hidden until it enters guest code).
    pub fn set_starting(&self) {
        self.state.store(STARTING, Ordering::SeqCst);
    }

    /// A new thread is about to run guest code: true unless every thread
    /// is being held meanwhile (then it is starting again, and waits).
    /// Store then load, against the stub's store then load: one of the two
    /// sides sees the other.
    pub fn start_running(&self) -> bool {
        self.state.swap(RUNNING, Ordering::SeqCst);
        if stopped() {
            self.set_starting();
            return false;
        }
        true
    }

    /// The thread entered a system call with guest context `uc`.
    pub fn enter_call(&self, uc: &mut libc::ucontext_t, fs_base: u64) {
        self.fs_base.store(fs_base, Ordering::Relaxed);
        self.uc.store(uc, Ordering::Relaxed);
        self.state.store(IN_CALL, Ordering::Release);
    }

    /// The thread left its system call (and is about to run guest code).
    /// The caller looks at `stopped()` after this (see `start_running`).
    pub fn leave_call(&self) {
        self.state.swap(RUNNING, Ordering::SeqCst);
    }

    /// The thread is ending: nothing may read its context any more.
    pub fn retire(&self) {
        self.uc.store(std::ptr::null_mut(), Ordering::SeqCst);
        self.state.store(DEAD, Ordering::SeqCst);
    }

    /// Parks the calling thread with its guest context `uc` until
    /// [`Slot::resume`], or until nothing holds it any more (every thread
    /// was let go, and the debugger did not ask this one to stay); returns
    /// the action the resumer gave (0 when let go that way).
    pub fn park(&self, uc: &mut libc::ucontext_t, fs_base: u64) -> u64 {
        let was = self.state.load(Ordering::Relaxed);
        let generation = self.wake.load(Ordering::Acquire);
        self.fs_base.store(fs_base, Ordering::Relaxed);
        self.uc.store(uc, Ordering::Relaxed);
        self.state.store(PARKED, Ordering::SeqCst);
        let action = loop {
            if self.wake.load(Ordering::Acquire) != generation {
                break self.action.load(Ordering::Acquire);
            }
            if !stopped() && !self.hold.load(Ordering::Acquire) {
                break 0;
            }
            // The timeout lets a thread that parked just after the stub
            // looked find out that it was let go.
            crate::host::event::futex_wait_word(&self.wake, generation, Some(std::time::Duration::from_millis(50)));
        };
        self.state.store(if was == IN_CALL { IN_CALL } else { RUNNING }, Ordering::SeqCst);
        action
    }

    /// Lets a parked thread go with `action`.
    pub fn resume(&self, action: u64) {
        self.hold.store(false, Ordering::Release);
        self.action.store(action, Ordering::Release);
        self.wake.fetch_add(1, Ordering::AcqRel);
        crate::host::event::futex_wake_word(&self.wake);
    }

    /// A copy of the registers of a thread that is parked or in a call;
    /// `None` for a running or ended one. The copies are fault-safe (the
    /// thread may end meanwhile) and a thread in a call may change its
    /// context meanwhile (the result it writes): the copy is retried until
    /// the slot held still across it.
    pub fn regs(&self) -> Option<Regs> {
        for _ in 0..100 {
            let (s1, w1) = (self.state(), self.wake.load(Ordering::Acquire));
            if s1 != PARKED && s1 != IN_CALL {
                return None;
            }
            let uc = self.uc.load(Ordering::Acquire);
            if uc.is_null() {
                return None;
            }
            let (g_at, fp_at) = context_fields(uc as u64);
            let Ok(gregs) = crate::mem::read::<[i64; 23]>(g_at) else { continue };
            let fpp: u64 = crate::mem::read(fp_at).unwrap_or(0);
            let (fx, ymm_hi) = read_fp(fpp);
            let fs_base = self.fs_base.load(Ordering::Relaxed);
            if self.state() == s1 && self.wake.load(Ordering::Acquire) == w1 && self.uc.load(Ordering::Acquire) == uc {
                return Some(Regs { gregs, fx, ymm_hi, fs_base });
            }
        }
        None
    }

    /// Writes registers back into a parked thread's context (taken when it
    /// resumes). Refused (false) unless the thread is parked. The FXSAVE
    /// part is marked in use in an XSAVE frame, or the kernel's XRSTOR
    /// would put the initial values back.
    pub fn set_regs(&self, r: &Regs) -> bool {
        if self.state() != PARKED {
            return false;
        }
        let uc = self.uc.load(Ordering::Acquire);
        if uc.is_null() {
            return false;
        }
        // SAFETY: a parked thread waits in `park` and does not touch its
        // context until `resume` or its release, neither of which happens
        // while the debugger's thread (the only caller) is here; the
        // context lives on the parked thread's signal stack.
        unsafe {
            (*uc).uc_mcontext.gregs = r.gregs;
            let fpp = (*uc).uc_mcontext.fpregs;
            if let (Some(fx), false) = (r.fx, fpp.is_null()) {
                let img = fpp.cast::<u8>();
                // Keep the kernel's own words (sw_reserved) as they were.
                std::ptr::copy_nonoverlapping(fx.as_ptr(), img, SW_RESERVED);
                let magic = std::ptr::read_unaligned(img.add(SW_RESERVED).cast::<u32>());
                if magic == FP_XSTATE_MAGIC1 {
                    let bv = img.add(XSTATE_BV).cast::<u64>();
                    std::ptr::write_unaligned(bv, std::ptr::read_unaligned(bv) | 3);
                    if let (Some(hi), true) = (r.ymm_hi, has_avx(&fx)) {
                        std::ptr::copy_nonoverlapping(hi.as_ptr(), img.add(AVX_AT), 256);
                        std::ptr::write_unaligned(bv, std::ptr::read_unaligned(bv) | AVX_BIT);
                    }
                }
            }
        }
        self.fs_base.store(r.fs_base, Ordering::Relaxed);
        true
    }
}

/// The registers of a context the caller holds (its own handler's).
pub fn regs_of(uc: &libc::ucontext_t, fs_base: u64) -> Regs {
    let (fx, ymm_hi) = read_fp(uc.uc_mcontext.fpregs as u64);
    Regs { gregs: uc.uc_mcontext.gregs, fx, ymm_hi, fs_base }
}

/// Whether every thread is being held.
pub fn stopped() -> bool {
    STOPPED.load(Ordering::SeqCst) != 0
}

/// Starts or ends holding every thread.
pub fn set_stopped(on: bool) {
    STOPPED.store(u32::from(on), Ordering::SeqCst);
    if !on {
        crate::host::event::futex_wake_word(&STOPPED);
    }
}

/// A new thread waits here, before its first guest instruction, while
/// every thread is held (the debugger does not know it yet).
pub fn hold_while_stopped() {
    while STOPPED.load(Ordering::SeqCst) != 0 {
        crate::host::event::futex_wait_word(&STOPPED, 1, Some(std::time::Duration::from_millis(50)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_running_thread_has_no_registers_to_show_and_takes_none() {
        let s = Slot::default();
        assert_eq!(s.state(), RUNNING);
        assert!(s.regs().is_none());
        assert!(!s.set_regs(&Regs::default()));
    }

    #[test]
    fn a_thread_in_a_call_shows_the_calls_registers() {
        // SAFETY: an all-zero ucontext is a valid plain value.
        let mut uc: libc::ucontext_t = unsafe { std::mem::zeroed() };
        uc.uc_mcontext.gregs[libc::REG_RIP as usize] = 0x1234;
        let s = Slot::default();
        s.enter_call(&mut uc, 0x99);
        let r = s.regs().expect("in a call");
        assert_eq!(r.gregs[libc::REG_RIP as usize], 0x1234);
        assert_eq!(r.fs_base, 0x99);
        assert!(r.fx.is_none());
        // Only a parked thread's registers may be written.
        assert!(!s.set_regs(&r));
        s.leave_call();
        assert!(s.regs().is_none());
    }

    #[test]
    fn a_parked_thread_resumes_with_the_action_and_the_registers_written() {
        let s = std::sync::Arc::new(Slot::default());
        // Held by the debugger: it waits for its resume, nothing else.
        s.hold.store(true, Ordering::Release);
        let t = {
            let s = s.clone();
            std::thread::spawn(move || {
                // SAFETY: an all-zero ucontext is a valid plain value.
                let mut uc: libc::ucontext_t = unsafe { std::mem::zeroed() };
                let a = s.park(&mut uc, 7);
                (a, uc.uc_mcontext.gregs[libc::REG_RAX as usize])
            })
        };
        while s.state() != PARKED {
            std::thread::yield_now();
        }
        let mut r = s.regs().expect("parked");
        assert_eq!(r.fs_base, 7);
        r.gregs[libc::REG_RAX as usize] = 42;
        assert!(s.set_regs(&r));
        s.resume(5);
        assert_eq!(t.join().unwrap(), (5, 42));
        assert_eq!(s.state(), RUNNING);
    }

    #[test]
    fn a_thread_parked_when_nothing_holds_it_goes_on_by_itself() {
        // SAFETY: an all-zero ucontext is a valid plain value.
        let mut uc: libc::ucontext_t = unsafe { std::mem::zeroed() };
        let s = Slot::default();
        assert!(!stopped());
        assert_eq!(s.park(&mut uc, 0), 0);
        assert_eq!(s.state(), RUNNING);
        s.retire();
        assert_eq!(s.state(), DEAD);
        assert!(s.regs().is_none());
    }

    #[test]
    fn the_initial_fxsave_image_has_the_processors_reset_control_words() {
        let fx = initial_fx();
        assert_eq!(u16::from_le_bytes([fx[0], fx[1]]), 0x37f);
        assert_eq!(u32::from_le_bytes([fx[24], fx[25], fx[26], fx[27]]), 0x1f80);
    }
}
