//! What a system-call handler is given and gives back: the decoded
//! arguments (`Args`), its result (`Ret`, `SysResult`), and the record of
//! a finished call that threads keep for crash reports (`Recent`).
//!
//! The BSDs pass arguments in `rdi, rsi, rdx, r10, r8, r9`; the seventh
//! and later come from the user stack at `rsp+8`, `rsp+16`, ... The
//! indirect calls (`syscall`, `__syscall`: 0 and 198 on both BSDs) take
//! the number from `rdi` and shift the rest by one. Each argument occupies
//! a 64-bit slot with the value in the low bytes: an `int` is the low 32
//! bits, sign-extended.
#![forbid(unsafe_code)]

use crate::host::{Errno, GuestPtr};
use crate::mem;

/// What a handler produced on success.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ret {
    /// One value in `rax`; `rdx` keeps the caller's value, as on the BSDs.
    One(u64),
    /// Two values in `rax` and `rdx` (`pipe`, `fork`).
    Two(u64, u64),
    /// The handler already set every register (`sigreturn`).
    JustReturn,
}

/// Result of a handler: a host errno on failure, which the personality
/// turns into the guest's number where the result is written.
pub type SysResult = Result<Ret, Errno>;

/// Shorthand for a one-value success.
pub fn ok(v: impl Into<u64>) -> SysResult {
    Ok(Ret::One(v.into()))
}

/// Shorthand for an `int` result: written zero-extended from 32 bits, as
/// the BSD kernels write `int` results.
pub fn ok_int(v: i32) -> SysResult {
    Ok(Ret::One(u64::from(v as u32)))
}

/// How many recent calls each thread remembers for crash reports.
pub const RECENT: usize = 16;

/// One remembered call.
#[derive(Debug, Clone, Copy)]
pub struct Recent {
    /// The decoded arguments.
    pub args: Args,
    /// What it returned.
    pub res: SysResult,
}

impl Recent {
    /// A slot no call has filled yet.
    pub const EMPTY: Recent = Recent { args: Args { nr: 0, regs: [0; 6], nregs: 0, rsp: 0 }, res: Ok(Ret::One(0)) };
}

/// Decoded arguments of one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Args {
    /// The DragonFly call number.
    pub nr: u64,
    /// Register arguments after any indirect shift.
    regs: [u64; 6],
    /// How many of `regs` are valid (5 for an indirect call).
    nregs: usize,
    /// Guest stack pointer at the `syscall` instruction.
    rsp: u64,
}

impl Args {
    /// Decodes the registers of a trapped call from a host context;
    /// `indirect` lists the guest's indirect call numbers.
    pub fn decode(uc: &libc::ucontext_t, indirect: &[u32]) -> Args {
        let r = |g: libc::c_int| uc.uc_mcontext.gregs[g as usize] as u64;
        let all =
            [r(libc::REG_RDI), r(libc::REG_RSI), r(libc::REG_RDX), r(libc::REG_R10), r(libc::REG_R8), r(libc::REG_R9)];
        Args::from_regs(r(libc::REG_RAX), all, r(libc::REG_RSP), indirect)
    }

    /// Builds the arguments from raw register values.
    pub fn from_regs(rax: u64, all: [u64; 6], rsp: u64, indirect: &[u32]) -> Args {
        if indirect.iter().any(|&n| u64::from(n) == rax) {
            let mut regs = [0; 6];
            regs[..5].copy_from_slice(&all[1..]);
            Args { nr: all[0], regs, nregs: 5, rsp }
        } else {
            Args { nr: rax, regs: all, nregs: 6, rsp }
        }
    }

    /// The raw 64-bit slot `i`, reading the guest stack past the registers.
    pub fn slot(&self, i: usize) -> Result<u64, Errno> {
        if i < self.nregs {
            Ok(self.regs[i])
        } else {
            let off = 8 * (1 + i - self.nregs) as u64;
            mem::read::<u64>(self.rsp.wrapping_add(off))
        }
    }

    /// Register slot `i` (0..5); 0 past the registers (use `slot` there).
    pub fn u64(&self, i: usize) -> u64 {
        if i < self.nregs { self.regs[i] } else { 0 }
    }

    /// An `int` argument: the low 32 bits, sign-extended.
    pub fn int(&self, i: usize) -> i32 {
        self.u64(i) as u32 as i32
    }

    /// An `unsigned int` argument: the low 32 bits.
    pub fn uint(&self, i: usize) -> u32 {
        self.u64(i) as u32
    }

    /// A `size_t` argument.
    pub fn usize(&self, i: usize) -> usize {
        self.u64(i) as usize
    }

    /// An `off_t` or `long` argument.
    pub fn i64(&self, i: usize) -> i64 {
        self.u64(i) as i64
    }

    /// A pointer argument (a guest address).
    pub fn ptr(&self, i: usize) -> u64 {
        self.u64(i)
    }

    /// A pointer argument handed on to the host as it is.
    pub fn guest(&self, i: usize) -> GuestPtr {
        GuestPtr(self.u64(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `syscall` and `__syscall`, as both BSDs number them.
    const IND: [u32; 2] = [0, 198];

    #[test]
    fn int_arguments_use_only_the_low_32_bits() {
        let a = Args::from_regs(5, [0xffff_ffff_fffa_fdcd, 0x1_0000_0002, 0, 0, 0, 0], 0, &IND);
        assert_eq!(a.int(0), -328243);
        assert_eq!(a.int(1), 2);
        assert_eq!(a.u64(1), 0x1_0000_0002);
    }

    #[test]
    fn indirect_syscall_takes_number_from_rdi_and_shifts() {
        let a = Args::from_regs(198, [20, 1, 2, 3, 4, 5], 0, &IND);
        assert_eq!(a.nr, 20);
        assert_eq!(a.u64(0), 1);
        assert_eq!(a.u64(4), 5);
        assert_eq!(a.u64(5), 0);
        let b = Args::from_regs(0, [4, 1, 2, 3, 4, 5], 0, &IND);
        assert_eq!(b.nr, 4);
    }

    #[test]
    fn direct_syscall_keeps_all_six_registers() {
        let a = Args::from_regs(197, [1, 2, 3, 4, 5, 6], 0, &IND);
        assert_eq!(a.nr, 197);
        assert_eq!(a.u64(5), 6);
        assert_eq!(a.slot(5), Ok(6));
    }
}
