//! The FreeBSD initial stack (`exec_copyout_strings`,
//! `__elfN(freebsd_copyout_auxargs)`), built as a byte image below a top:
//!
//! ```text
//! top - 32        struct ps_strings
//! top - 0x2000    sigcode page (FreeBSD's shared page holds it; the
//!                 program only ever reaches it through a signal)
//!                 execpath string
//!                 argv and env strings
//! vectp           argv[], NULL, envp[], NULL, auxv pairs, AT_NULL
//! vectp - 8       argc            <- %rdi
//! ```
//!
//! The auxv is the kernel's, in its order, without AT_TIMEKEEP (Go then
//! reads the time with `clock_gettime`, which godfly answers from the
//! host's vDSO) and without the canary and page-size arrays Go does not
//! read.

use godfly_abi::freebsd::consts as f;

pub use crate::personality::{AuxInfo, StackImage};

/// `USRSTACK`.
pub const USRSTACK: u64 = godfly_abi::freebsd::USRSTACK;
/// Default stack size (`DFLSSIZ`).
pub const STACK_SIZE: u64 = godfly_abi::freebsd::DFLSSIZ;
/// Offset of the sigcode page below the top.
pub const SIGCODE_OFFSET: u64 = 0x2000;
/// Size of `struct ps_strings`.
const PS_STRINGS_SIZE: u64 = 32;
/// auxv pairs written (with AT_NULL).
const AUX_PAIRS: u64 = 22;

fn align8(v: u64) -> u64 {
    (v + 7) & !7
}

/// Lays out the initial stack below `top`.
pub fn build(top: u64, args: &[Vec<u8>], env: &[Vec<u8>], execpath: &[u8], aux: &AuxInfo) -> StackImage {
    let ps_strings = top - PS_STRINGS_SIZE;
    let sigcode = top - SIGCODE_OFFSET;
    let execpath_addr = sigcode - align8(execpath.len() as u64 + 1);
    let strings_len: u64 = args.iter().chain(env).map(|s| s.len() as u64 + 1).sum();
    let destp = (execpath_addr - strings_len) & !7;
    let nvec = 1 + args.len() as u64 + 1 + env.len() as u64 + 1;
    let argc_addr = (destp - AUX_PAIRS * 16 - nvec * 8) & !0xF;
    let vectp = argc_addr + 8;
    let base = argc_addr & !0xFFF;

    let mut low = vec![0u8; (sigcode - base) as usize];
    let put = |buf: &mut Vec<u8>, addr: u64, bytes: &[u8]| {
        let off = (addr - base) as usize;
        buf[off..off + bytes.len()].copy_from_slice(bytes);
    };
    let mut cur = destp;
    let (mut argv, mut envp) = (Vec::new(), Vec::new());
    for (list, ptrs) in [(args, &mut argv), (env, &mut envp)] {
        for s in list {
            put(&mut low, cur, s);
            ptrs.push(cur);
            cur += s.len() as u64 + 1;
        }
    }
    put(&mut low, execpath_addr, execpath);
    let mut words: Vec<u64> = vec![args.len() as u64];
    words.extend(&argv);
    words.push(0);
    words.extend(&envp);
    words.push(0);
    let envv = vectp + 8 * (args.len() as u64 + 1);
    let auxv = [
        (f::AT_PHDR, aux.phdr),
        (f::AT_PHENT, aux.phent),
        (f::AT_PHNUM, aux.phnum),
        (f::AT_PAGESZ, 4096),
        (f::AT_FLAGS, 0),
        (f::AT_ENTRY, aux.entry),
        (f::AT_BASE, 0),
        (f::AT_EHDRFLAGS, 0),
        (f::AT_EXECPATH, execpath_addr),
        (f::AT_OSRELDATE, godfly_abi::freebsd::OSRELDATE as u64),
        // The count hw.ncpu gives, found once (the affinity mask).
        (f::AT_NCPUS, crate::os::dragonfly::sysctl::ncpu() as u64),
        // PROT_READ|PROT_WRITE: the stack is not executable.
        (f::AT_STACKPROT, 3),
        (f::AT_BSDFLAGS, 0),
        (f::AT_ARGC, args.len() as u64),
        (f::AT_ARGV, vectp),
        (f::AT_ENVC, env.len() as u64),
        (f::AT_ENVV, envv),
        (f::AT_PS_STRINGS, ps_strings),
        (f::AT_USRSTACKBASE, top),
        (f::AT_USRSTACKLIM, STACK_SIZE),
        (f::AT_NULL, 0),
    ];
    for (k, v) in auxv {
        words.push(k as u64);
        words.push(v);
    }
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_ne_bytes()).collect();
    put(&mut low, argc_addr, &bytes);

    // ps_strings: argv pointer, argc, env pointer, envc.
    let mut high = vec![0u8; 0x1000];
    let pso = (ps_strings - (top - 0x1000)) as usize;
    high[pso..pso + 8].copy_from_slice(&vectp.to_ne_bytes());
    high[pso + 8..pso + 12].copy_from_slice(&(args.len() as i32).to_ne_bytes());
    high[pso + 16..pso + 24].copy_from_slice(&envv.to_ne_bytes());
    high[pso + 24..pso + 28].copy_from_slice(&(env.len() as i32).to_ne_bytes());

    // exec_setregs: %rsp = ((stack - 8) & ~0xF) + 8, %rdi = &argc.
    StackImage { base, low, high, argc_addr, rsp: ((argc_addr - 8) & !0xF) + 8, ps_strings, sigcode }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(img: &StackImage, addr: u64) -> u64 {
        let off = (addr - img.base) as usize;
        u64::from_ne_bytes(img.low[off..off + 8].try_into().unwrap())
    }

    fn cstr(img: &StackImage, addr: u64) -> Vec<u8> {
        let off = (addr - img.base) as usize;
        img.low[off..].iter().take_while(|&&b| b != 0).copied().collect()
    }

    #[test]
    fn argc_argv_envp_and_the_auxv_go_does_read_are_laid_out_as_freebsd_does() {
        let args = vec![b"prog".to_vec(), b"a b".to_vec()];
        let env = vec![b"HOME=/root".to_vec()];
        let aux = AuxInfo { phdr: 0x400040, phent: 56, phnum: 5, entry: 0x401000 };
        let img = build(USRSTACK, &args, &env, b"/bin/prog", &aux);
        assert_eq!(word(&img, img.argc_addr), 2);
        assert_eq!(cstr(&img, word(&img, img.argc_addr + 8)), b"prog");
        assert_eq!(cstr(&img, word(&img, img.argc_addr + 16)), b"a b");
        assert_eq!(word(&img, img.argc_addr + 24), 0);
        assert_eq!(cstr(&img, word(&img, img.argc_addr + 32)), b"HOME=/root");
        let mut a = img.argc_addr + 48;
        let mut seen = std::collections::HashMap::new();
        while word(&img, a) != 0 {
            seen.insert(word(&img, a), word(&img, a + 8));
            a += 16;
        }
        assert_eq!(seen[&6], 4096); // AT_PAGESZ
        assert_eq!(seen[&9], 0x401000); // AT_ENTRY
        assert_eq!(seen[&18], 1_500_068); // AT_OSRELDATE
        assert_eq!(seen[&28], 2); // AT_ARGC
        assert_eq!(cstr(&img, seen[&15]), b"/bin/prog"); // AT_EXECPATH
        assert!(!seen.contains_key(&22), "no AT_TIMEKEEP: Go calls clock_gettime");
        assert_eq!(img.rsp % 16, 8);
        assert_eq!(img.ps_strings, USRSTACK - 32);
    }
}
