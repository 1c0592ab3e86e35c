//! The DragonFly initial stack (`exec_copyout_strings` and
//! `elf64_dragonfly_fixup`), built as a byte image below a chosen top:
//!
//! ```text
//! top - 32        struct ps_strings
//! top - 0x2000    sigcode page (the signal trampoline)
//!                 execpath string
//!                 256 spare bytes
//!                 argv and env strings
//!                 48 words for auxv (AT_COUNT * 2)
//! vectp           argv[], NULL, envp[], NULL, auxv pairs, AT_NULL
//! vectp - 8       argc            <- %rdi
//! ```

use godfly_abi::dragonfly::consts as d;

/// `USRSTACK` on DragonFly x86-64: the top of the user address space.
pub const USRSTACK: u64 = godfly_abi::dragonfly::USRSTACK;
/// Default stack size (`DFLSSIZ`).
pub const STACK_SIZE: u64 = godfly_abi::dragonfly::DFLSSIZ;
/// Offset of the sigcode page below the top.
pub const SIGCODE_OFFSET: u64 = 0x2000;
/// Size of `struct ps_strings`.
const PS_STRINGS_SIZE: u64 = 32;
/// `SPARE_USRSPACE`.
const SPARE: u64 = 256;
/// Words reserved for auxv (`AT_COUNT * 2`).
const AUX_WORDS: u64 = 48;

pub use crate::personality::{AuxInfo, StackImage};

fn align8(v: u64) -> u64 {
    (v + 7) & !7
}

/// Lays out the initial stack below `top`.
pub fn build(top: u64, args: &[Vec<u8>], env: &[Vec<u8>], execpath: &[u8], aux: &AuxInfo) -> StackImage {
    let ps_strings = top - PS_STRINGS_SIZE;
    let sigcode = top - SIGCODE_OFFSET;
    let execpath_addr = sigcode - align8(execpath.len() as u64 + 1);
    let strings_len: u64 = args.iter().chain(env).map(|s| s.len() as u64 + 1).sum();
    let destp = execpath_addr - SPARE - align8(strings_len);
    let nvec = 1 + args.len() as u64 + 1 + env.len() as u64 + 1;
    let vectp = destp - AUX_WORDS * 8 - (nvec - 1) * 8;
    let argc_addr = vectp - 8;
    let base = argc_addr & !0xFFF;

    let mut low = vec![0u8; (sigcode - base) as usize];
    let put = |buf: &mut Vec<u8>, addr: u64, bytes: &[u8]| {
        let off = (addr - base) as usize;
        buf[off..off + bytes.len()].copy_from_slice(bytes);
    };
    // Strings.
    let mut cur = destp;
    let mut argv = Vec::new();
    let mut envp = Vec::new();
    for (list, ptrs) in [(args, &mut argv), (env, &mut envp)] {
        for s in list {
            put(&mut low, cur, s);
            ptrs.push(cur);
            cur += s.len() as u64 + 1;
        }
    }
    put(&mut low, execpath_addr, execpath);
    // Vectors.
    let mut words: Vec<u64> = vec![args.len() as u64];
    words.extend(&argv);
    words.push(0);
    words.extend(&envp);
    words.push(0);
    let auxv = [
        (d::AT_PHDR, aux.phdr),
        (d::AT_PHENT, aux.phent),
        (d::AT_PHNUM, aux.phnum),
        (d::AT_PAGESZ, 4096),
        (d::AT_FLAGS, 0),
        (d::AT_ENTRY, aux.entry),
        (d::AT_BASE, 0),
        (d::AT_EXECPATH, execpath_addr),
        (d::AT_OSRELDATE, super::sysctl::OSRELDATE as u64),
        (d::AT_NULL, 0),
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
    let envv = vectp + 8 * (args.len() as u64 + 1);
    high[pso + 16..pso + 24].copy_from_slice(&envv.to_ne_bytes());
    high[pso + 24..pso + 28].copy_from_slice(&(env.len() as i32).to_ne_bytes());

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
    fn argc_argv_envp_auxv_are_laid_out_as_dragonfly_does() {
        let args = vec![b"prog".to_vec(), b"a b".to_vec()];
        let env = vec![b"HOME=/root".to_vec()];
        let img = build(
            USRSTACK,
            &args,
            &env,
            b"/bin/prog",
            &AuxInfo { phdr: 0x400040, phent: 56, phnum: 5, entry: 0x401000 },
        );
        assert_eq!(word(&img, img.argc_addr), 2);
        assert_eq!(cstr(&img, word(&img, img.argc_addr + 8)), b"prog");
        assert_eq!(cstr(&img, word(&img, img.argc_addr + 16)), b"a b");
        assert_eq!(word(&img, img.argc_addr + 24), 0);
        assert_eq!(cstr(&img, word(&img, img.argc_addr + 32)), b"HOME=/root");
        assert_eq!(word(&img, img.argc_addr + 40), 0);
        // auxv follows envp's NULL
        let mut a = img.argc_addr + 48;
        let mut seen = std::collections::HashMap::new();
        loop {
            let (k, v) = (word(&img, a), word(&img, a + 8));
            if k == 0 {
                break;
            }
            seen.insert(k, v);
            a += 16;
        }
        assert_eq!(seen[&6], 4096); // AT_PAGESZ
        assert_eq!(seen[&9], 0x401000); // AT_ENTRY
        assert_eq!(seen[&3], 0x400040); // AT_PHDR
        assert_eq!(seen[&18], 500_901); // AT_OSRELDATE
        assert_eq!(cstr(&img, seen[&15]), b"/bin/prog"); // AT_EXECPATH
        assert!(!seen.contains_key(&25), "no AT_RANDOM on DragonFly");
    }

    #[test]
    fn entry_stack_pointer_is_8_mod_16_and_near_argc() {
        let img = build(USRSTACK, &[b"p".to_vec()], &[], b"/p", &AuxInfo::default());
        assert_eq!(img.rsp % 16, 8);
        assert!(img.rsp <= img.argc_addr && img.argc_addr - img.rsp < 16);
        assert_eq!(img.sigcode, 0x7FFF_FFDF_E000);
        assert_eq!(img.ps_strings, 0x7FFF_FFDF_FFE0);
    }
}
