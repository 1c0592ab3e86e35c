//! The system-call fast path: before the guest runs, rewrite its system-call
//! sites into calls to stubs that enter the dispatcher directly, without a
//! signal (`arch::godfly_fast_entry`).
//!
//! A site is an instruction of 5 bytes or more that loads the call number
//! into `rax` (`mov $n,%eax` in the runtime's stubs, `mov 0x10(%rsp),%rax`
//! in `syscall.Syscall`), then a few instructions that neither touch
//! `rax`, branch, nor address memory relative to `rip` or just below the
//! stack pointer, then `syscall`, inside one function of the symbol table,
//! confirmed by disassembly, with no branch in the function landing between
//! the load and the end of the `syscall`. The load becomes `call stub`; the
//! stub drops the return address, replays the load and the instructions in
//! between, sets `r11` to the address after the original `syscall` and
//! jumps to the entry.
//! Every other `syscall` keeps the trap, which is always correct.
//!
//! Invisible to the guest: results land as after the original `syscall`
//! (same rip), a restarted call runs the site again, and a signal taken
//! inside a stub is shown at the site (`unstub`). The `call` writes its
//! return address just below the guest stack pointer, which Go's code does
//! not use; the fast path is applied to Go programs only. With it on,
//! godfly keeps the threads' `%gs` base for itself.

use iced_x86::{Code, Decoder, DecoderOptions, FlowControl, Instruction, InstructionInfoFactory, Register};
use object::{Object, ObjectSymbol, SymbolKind};

use crate::stubs::{self, STUB};

/// One rewritable site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// Address of the instruction that loads the call number into `rax`.
    pub addr: u64,
    /// That instruction's bytes (5 or more: room for the `call`).
    pub load: Vec<u8>,
    /// The bytes of the instructions between the `mov` and the `syscall`.
    pub between: Vec<u8>,
    /// Address just after the `syscall`.
    pub after: u64,
}

/// Longest run of instructions replayed in a stub.
const MAX_BETWEEN: usize = 48;
/// Where the stub page goes: below the usual ET_EXEC base, within reach
/// of a rel32 call from the program text.
const STUB_HINTS: [u64; 3] = [0x20_0000, 0x30_0000, 0x10_0000];

fn writes_rax(info: &iced_x86::InstructionInfo) -> bool {
    info.used_registers().iter().any(|r| {
        matches!(r.register(), Register::RAX | Register::EAX)
            && matches!(r.access(), iced_x86::OpAccess::Write | iced_x86::OpAccess::ReadWrite)
    })
}

/// Reads or writes just below the stack pointer, where the `call` puts its
/// return address.
fn below_rsp(x: &Instruction) -> bool {
    (0..x.op_count()).any(|i| x.op_kind(i) == iced_x86::OpKind::Memory)
        && x.memory_base() == Register::RSP
        && (x.memory_displacement64() as i64) < 0
}

fn touches_rax(info: &iced_x86::InstructionInfo) -> bool {
    info.used_registers()
        .iter()
        .any(|r| matches!(r.register(), Register::RAX | Register::EAX | Register::AX | Register::AL | Register::AH))
}

/// Finds the sites in one function's code.
pub fn sites_in(code: &[u8], base: u64) -> Vec<Site> {
    let mut decoder = Decoder::with_ip(64, code, base, DecoderOptions::NONE);
    let mut ins = Vec::new();
    let mut i = Instruction::default();
    while decoder.can_decode() {
        decoder.decode_out(&mut i);
        if i.is_invalid() {
            return Vec::new(); // data in the text: do not guess
        }
        ins.push(i);
    }
    let targets: Vec<u64> = ins
        .iter()
        .filter(|i| {
            matches!(
                i.op0_kind(),
                iced_x86::OpKind::NearBranch64 | iced_x86::OpKind::NearBranch32 | iced_x86::OpKind::NearBranch16
            )
        })
        .map(Instruction::near_branch_target)
        .collect();
    let mut factory = InstructionInfoFactory::new();
    let mut out = Vec::new();
    for (k, mov) in ins.iter().enumerate() {
        // The instruction that sets the call number: any of 5 bytes or more
        // that writes rax, replayable anywhere (no rip-relative operand, no
        // branch, nothing just below the stack pointer).
        if mov.len() < 5
            || mov.flow_control() != FlowControl::Next
            || mov.is_ip_rel_memory_operand()
            || below_rsp(mov)
            || !writes_rax(factory.info(mov))
        {
            continue;
        }
        let mut j = k + 1;
        let mut ok = true;
        while j < ins.len() && ins[j].code() != Code::Syscall {
            let x = &ins[j];
            let info = factory.info(x);
            if x.flow_control() != FlowControl::Next
                || x.is_ip_rel_memory_operand()
                || below_rsp(x)
                || touches_rax(info)
                || (x.next_ip() - mov.next_ip()) as usize > MAX_BETWEEN
            {
                ok = false;
                break;
            }
            j += 1;
        }
        if !ok || j >= ins.len() {
            continue;
        }
        let sys = &ins[j];
        if targets.iter().any(|&t| t > mov.ip() && t < sys.next_ip()) {
            continue;
        }
        let start = (mov.ip() - base) as usize;
        let from = (mov.next_ip() - base) as usize;
        let to = (sys.ip() - base) as usize;
        out.push(Site {
            addr: mov.ip(),
            load: code[start..from].to_vec(),
            between: code[from..to].to_vec(),
            after: sys.next_ip(),
        });
    }
    out
}

/// Finds the sites of a Go program file (text symbols of its ELF symbol
/// table); none for a program that is not Go's.
pub fn find_sites(data: &[u8]) -> Vec<Site> {
    use object::ObjectSegment;
    let Ok(file) = object::File::parse(data) else { return Vec::new() };
    if file.section_by_name(".go.buildinfo").is_none() {
        return Vec::new();
    }
    let segs: Vec<(u64, &[u8])> = file.segments().filter_map(|s| Some((s.address(), s.data().ok()?))).collect();
    let mut out = Vec::new();
    for sym in file.symbols() {
        if sym.kind() != SymbolKind::Text || sym.size() < 7 {
            continue;
        }
        let (addr, size) = (sym.address(), sym.size());
        // Symbol values come from the file: no arithmetic may overflow.
        let Some((base, bytes)) = segs
            .iter()
            .find(|(b, d)| addr >= *b && (addr - b).checked_add(size).is_some_and(|end| end <= d.len() as u64))
        else {
            continue;
        };
        let off = (addr - base) as usize;
        let code = &bytes[off..off + size as usize];
        // Decode only functions that contain a `syscall` byte pair at all.
        if code.windows(2).any(|w| w == [0x0f, 0x05]) {
            out.extend(sites_in(code, addr));
        }
    }
    out.sort_by_key(|s| s.addr);
    out.dedup();
    out
}

/// The machine code of one stub.
pub fn stub_bytes(site: &Site, entry: u64) -> Option<[u8; STUB]> {
    let after = u32::try_from(site.after).ok()?;
    let mut b = Vec::with_capacity(STUB);
    b.extend_from_slice(&[0x48, 0x8d, 0x64, 0x24, 0x08]); // lea 8(%rsp),%rsp
    b.extend_from_slice(&site.load);
    b.extend_from_slice(&site.between);
    b.extend_from_slice(&[0x41, 0xbb]); // mov $after,%r11d
    b.extend_from_slice(&after.to_le_bytes());
    b.extend_from_slice(&[0xff, 0x25, 0, 0, 0, 0]); // jmp *0(%rip)
    b.extend_from_slice(&entry.to_le_bytes());
    if b.len() > STUB {
        return None;
    }
    b.resize(STUB, 0xcc);
    b.try_into().ok()
}

/// The bytes that replace the loading instruction: `call rel32` to the
/// stub, then `int3` up to its length (never reached: the call returns
/// past the `syscall`).
pub fn site_bytes(site: u64, len: usize, stub: u64) -> Option<Vec<u8>> {
    let rel = i32::try_from(stub as i64 - (site as i64 + 5)).ok()?;
    let mut b = vec![0xcc; len.max(5)];
    b[0] = 0xe8;
    b[1..5].copy_from_slice(&rel.to_le_bytes());
    Some(b)
}

/// Rewrites the sites of a mapped program; `text` lists the executable
/// segments (address, length, protection). Returns how many were rewritten.
pub fn install(sites: &[Site], text: &[(u64, u64, i32)]) -> usize {
    if sites.is_empty() || stubs::installed() {
        return 0;
    }
    let size = (sites.len() * STUB).div_ceil(4096) * 4096;
    let rw = libc::PROT_READ | libc::PROT_WRITE;
    let Some(page) = STUB_HINTS.iter().copied().find(|&h| crate::mem::map_fixed(h, size, rw, -1, 0).is_ok()) else {
        return 0;
    };
    // Not the guest's (it may not unmap it), but guest code godfly made,
    // whose protection godfly changes once the stubs are written.
    crate::mem::owned::add_stub_page(page, size as u64);
    let entry = crate::arch::fast_entry(crate::host::xstate().is_some_and(|x| x.xsaveopt));
    let mut table = Vec::with_capacity(sites.len());
    for (k, s) in sites.iter().enumerate() {
        let stub = page + (k * STUB) as u64;
        table.push((0, 0)); // slot k: filled when rewritten
        let (Some(code), Some(patch)) = (stub_bytes(s, entry), site_bytes(s.addr, s.load.len(), stub)) else {
            continue;
        };
        let Some(&(_, _, prot)) = text.iter().find(|(b, l, _)| s.addr >= *b && s.after <= b + l) else { continue };
        if crate::mem::write_bytes(stub, &code).is_err() {
            continue;
        }
        let page_start = s.addr & !0xfff;
        let page_len = ((s.addr + s.load.len() as u64 + 0xfff) & !0xfff) - page_start;
        if crate::mem::protect(page_start, page_len as usize, prot | libc::PROT_WRITE).is_err() {
            continue;
        }
        let ok = crate::mem::write_bytes(s.addr, &patch).is_ok();
        let _ = crate::mem::protect(page_start, page_len as usize, prot);
        if ok {
            table[k] = (s.addr, s.after);
        }
    }
    let _ = crate::mem::protect(page, size, libc::PROT_READ | libc::PROT_EXEC);
    let done = table.iter().filter(|t| t.0 != 0).count();
    stubs::set(stubs::Installed { page, end: page + size as u64, sites: table });
    done
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_runtime_clock_stub_shape_is_found() {
        // runtime.nanotime1: mov $0xe8,%eax ; mov $4,%edi ; lea 8(%rsp),%rsi ; syscall ; ret
        let code = [0xb8, 0xe8, 0, 0, 0, 0xbf, 4, 0, 0, 0, 0x48, 0x8d, 0x74, 0x24, 0x08, 0x0f, 0x05, 0xc3];
        let s = sites_in(&code, 0x1000);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].addr, 0x1000);
        assert_eq!(s[0].load, vec![0xb8, 0xe8, 0, 0, 0]);
        assert_eq!(s[0].between, code[5..15].to_vec());
        assert_eq!(s[0].after, 0x1011);
    }

    #[test]
    fn syscall_package_stub_shape_is_found() {
        // syscall.Syscall: mov 0x10(%rsp),%rax ; mov 0x18(%rsp),%rdi ; syscall
        let code = [0x48, 0x8b, 0x44, 0x24, 0x10, 0x48, 0x8b, 0x7c, 0x24, 0x18, 0x0f, 0x05];
        let s = sites_in(&code, 0x1000);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].load, code[..5].to_vec());
        // reading just below the stack pointer is not replayed
        let code = [0x48, 0x8b, 0x44, 0x24, 0xf8, 0x0f, 0x05];
        assert!(sites_in(&code, 0x1000).is_empty());
    }

    #[test]
    fn instructions_that_touch_rax_or_branch_keep_the_trap() {
        // mov $1,%eax ; mov %rax,%rdi ; syscall
        let code = [0xb8, 1, 0, 0, 0, 0x48, 0x89, 0xc7, 0x0f, 0x05];
        assert!(sites_in(&code, 0x1000).is_empty());
        // mov $1,%eax ; jmp +0 ; syscall
        let code = [0xb8, 1, 0, 0, 0, 0xeb, 0x00, 0x0f, 0x05];
        assert!(sites_in(&code, 0x1000).is_empty());
        // a branch from elsewhere lands on the syscall
        let code = [0xeb, 0x05, 0xb8, 3, 0, 0, 0, 0x0f, 0x05];
        assert!(sites_in(&code, 0x1000).is_empty());
    }

    #[test]
    fn stubs_replay_the_instructions_between() {
        let site = Site {
            addr: 0x40_1000,
            load: vec![0xb8, 0xe8, 0, 0, 0],
            between: vec![0xbf, 4, 0, 0, 0],
            after: 0x40_100c,
        };
        let s = stub_bytes(&site, 0x1122_3344_5566_7788).unwrap();
        assert_eq!(&s[..5], &[0x48, 0x8d, 0x64, 0x24, 0x08]);
        assert_eq!(&s[5..10], &[0xb8, 0xe8, 0, 0, 0]);
        assert_eq!(&s[10..15], &[0xbf, 4, 0, 0, 0]);
        assert_eq!(&s[15..17], &[0x41, 0xbb]);
        assert_eq!(u32::from_le_bytes(s[17..21].try_into().unwrap()), 0x40_100c);
        assert_eq!(&s[21..27], &[0xff, 0x25, 0, 0, 0, 0]);
        let c = site_bytes(0x40_1000, 7, 0x20_0000).unwrap();
        assert_eq!(c[0], 0xe8);
        assert_eq!(i32::from_le_bytes(c[1..5].try_into().unwrap()), 0x20_0000 - 0x40_1005);
        assert_eq!(&c[5..], &[0xcc, 0xcc]);
        assert!(site_bytes(0x7000_0000_0000, 5, 0x20_0000).is_none());
    }
}
