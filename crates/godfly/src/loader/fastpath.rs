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
//! the load and the end of the `syscall`, and no computed jump in it. The
//! site becomes a short jump to a `call stub` that ends where the `syscall`
//! ended (so the return address is the real one, and return prediction
//! holds); the stub drops the return address, replays the load and the
//! instructions in between, sets `r11` to the address after the original
//! `syscall` and jumps to the entry. Clock sites the host's vDSO can answer
//! get a stub that calls it directly (`arch::fast_clock_entry`).
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
    /// In Go's own runtime or syscall assembly (an ABI0 function of those
    /// packages), where no vector register is live across the call: the
    /// lean entry, which keeps no vector state, serves it.
    pub lean: bool,
}

/// Whether a function is one of Go's own system-call wrappers: assembly
/// (ABI0) of the runtime or the syscall package. Go's ABI0 treats every
/// vector register as clobbered by a call, these functions hold none
/// across their `syscall`, and the compiler zeroes X15 after each call
/// into ABI0 code, so what a system call does to vector registers is
/// never seen. A program's own assembly may keep values there (it gets
/// the full entry).
pub fn is_go_syscall_wrapper(name: &str) -> bool {
    name.ends_with(".abi0") && (name.starts_with("runtime.") || name.starts_with("syscall."))
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

/// Finds the sites in one function's code; `lean` says whether the
/// function is one of Go's own wrappers (`is_go_syscall_wrapper`).
pub fn sites_in(code: &[u8], base: u64, lean: bool) -> Vec<Site> {
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
    // A computed jump could land anywhere, also inside a rewritten site,
    // whose middle is no longer code.
    if ins.iter().any(|i| i.flow_control() == FlowControl::IndirectBranch) {
        return Vec::new();
    }
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
            lean,
        });
    }
    out
}

/// Finds the sites of a Go program file (text symbols of its ELF symbol
/// table); none for a program that is not Go's.
pub fn find_sites(data: &[u8]) -> Vec<Site> {
    use object::{ObjectSection, ObjectSegment};
    let Ok(file) = object::File::parse(data) else { return Vec::new() };
    if file.section_by_name(".go.buildinfo").is_none() {
        return Vec::new();
    }
    let segs: Vec<(u64, &[u8])> = file.segments().filter_map(|s| Some((s.address(), s.data().ok()?))).collect();
    // Functions by address (from the symbol table, or, in a program linked
    // without one as `go test` and `go run` link them, from Go's own
    // function table), then each `syscall` byte pair of the program's text
    // found with one fast search and mapped to the function around it:
    // only those functions are decoded.
    let mut funcs: Vec<(u64, u64, Func)> = file
        .symbols()
        .filter(|s| s.kind() == SymbolKind::Text && s.size() >= 7)
        .map(|s| (s.address(), s.size(), Func::Symbol(s.index())))
        .collect();
    let pcln = file.section_by_name(".gopclntab").and_then(|s| s.data().ok());
    if funcs.is_empty()
        && let Some(table) = pcln
    {
        let text_start = file.section_by_name(".text").map_or(0, |s| s.address());
        funcs = go_functions(table, text_start).into_iter().map(|(a, n, off)| (a, n, Func::Go(off))).collect();
    }
    funcs.sort_unstable_by_key(|f| f.0);
    let mut hit: Vec<usize> = Vec::new();
    let text: Vec<(u64, &[u8])> = file
        .segments()
        .filter(|s| matches!(s.flags(), object::SegmentFlags::Elf { p_flags } if p_flags & object::elf::PF_X != 0))
        .filter_map(|s| Some((s.address(), s.data().ok()?)))
        .collect();
    for (base, bytes) in &text {
        for at in memchr::memmem::find_iter(bytes, &[0x0f, 0x05]) {
            let addr = base + at as u64;
            let k = funcs.partition_point(|f| f.0 <= addr);
            // Symbol values come from the file: no arithmetic may overflow.
            if k > 0 && funcs[k - 1].1.checked_add(funcs[k - 1].0).is_some_and(|end| addr + 2 <= end) {
                hit.push(k - 1);
            }
        }
    }
    hit.dedup();
    let mut out = Vec::new();
    for k in hit {
        let (addr, size, index) = funcs[k];
        let Some((base, bytes)) = segs
            .iter()
            .find(|(b, d)| addr >= *b && (addr - b).checked_add(size).is_some_and(|end| end <= d.len() as u64))
        else {
            continue;
        };
        let off = (addr - base) as usize;
        let code = &bytes[off..off + size as usize];
        let lean = match index {
            Func::Symbol(i) => file.symbol_by_index(i).is_ok_and(|s| s.name().is_ok_and(is_go_syscall_wrapper)),
            Func::Go(off) => pcln.is_some_and(|t| go_function_is_wrapper(t, off)),
        };
        out.extend(sites_in(code, addr, lean));
    }
    out.sort_by_key(|s| s.addr);
    out.dedup();
    out
}

/// Where a function's name comes from.
#[derive(Debug, Clone, Copy)]
enum Func {
    Symbol(object::SymbolIndex),
    /// The offset of its `_func` record in Go's function table.
    Go(usize),
}

/// Go's function table header (`runtime.pcHeader`) since Go 1.20.
const PCLN_MAGIC: u32 = 0xffff_fff1;
/// `abi.FuncFlagAsm`: the function is assembly.
const FUNC_FLAG_ASM: u8 = 4;

fn le32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at.checked_add(4)?)?.try_into().ok()?))
}

fn le64(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at.checked_add(8)?)?.try_into().ok()?))
}

/// The functions of Go's function table (`.gopclntab`): (address, size,
/// offset of the `_func` record). Entries are offsets from the start of the
/// text: the header's `textStart`, or where it is 0 (as Go's linker now
/// leaves it) `text_start`, the `.text` section's address. Empty for a
/// table of another format. Every value comes from the file: nothing may
/// overflow or index past it.
pub fn go_functions(t: &[u8], text_start: u64) -> Vec<(u64, u64, usize)> {
    let parse = || -> Option<Vec<(u64, u64, usize)>> {
        if le32(t, 0)? != PCLN_MAGIC || t.get(7) != Some(&8) {
            return None;
        }
        let nfunc = usize::try_from(le64(t, 8)?).ok()?;
        let text = Some(le64(t, 24)?).filter(|&v| v != 0).unwrap_or(text_start);
        let pcln = usize::try_from(le64(t, 64)?).ok()?;
        // nfunc + 1 (entry offset, _func offset) pairs; the last entry is the end of the text.
        let pairs = t.get(pcln..pcln.checked_add(nfunc.checked_add(1)?.checked_mul(8)?)?)?;
        let entry = |k: usize| le32(pairs, k * 8);
        let mut out = Vec::with_capacity(nfunc.min(pairs.len() / 8));
        for k in 0..nfunc {
            let (start, end) = (entry(k)?, entry(k + 1)?);
            let func = pcln.checked_add(usize::try_from(le32(pairs, k * 8 + 4)?).ok()?)?;
            if end > start && end - start >= 7 {
                out.push((text.checked_add(u64::from(start))?, u64::from(end - start), func));
            }
        }
        Some(out)
    };
    parse().unwrap_or_default()
}

/// `is_go_syscall_wrapper` for a function of Go's table: assembly (its
/// flag) of the runtime or the syscall package (its name).
pub fn go_function_is_wrapper(t: &[u8], func: usize) -> bool {
    let check = || -> Option<bool> {
        let flag = *t.get(func.checked_add(41)?)?;
        let names = usize::try_from(le64(t, 32)?).ok()?;
        let name_off = usize::try_from(le32(t, func.checked_add(4)?)?).ok()?;
        let name = t.get(names.checked_add(name_off)?..)?;
        let name = &name[..name.iter().position(|&b| b == 0)?];
        Some(flag & FUNC_FLAG_ASM != 0 && (name.starts_with(b"runtime.") || name.starts_with(b"syscall.")))
    };
    check().unwrap_or(false)
}

/// The machine code of one stub.
pub fn stub_bytes(site: &Site, entry: u64) -> Option<[u8; STUB]> {
    stub_with(site, &[], entry)
}

/// A stub: drop the return address, replay the site's load and the
/// instructions between, `mov $after,%r11d`, then `extra`, then jump to
/// `entry`.
fn stub_with(site: &Site, extra: &[u8], entry: u64) -> Option<[u8; STUB]> {
    let after = u32::try_from(site.after).ok()?;
    let mut b = Vec::with_capacity(STUB);
    b.extend_from_slice(&[0x48, 0x8d, 0x64, 0x24, 0x08]); // lea 8(%rsp),%rsp
    b.extend_from_slice(&site.load);
    b.extend_from_slice(&site.between);
    b.extend_from_slice(&[0x41, 0xbb]); // mov $after,%r11d
    b.extend_from_slice(&after.to_le_bytes());
    b.extend_from_slice(extra);
    b.extend_from_slice(&[0xff, 0x25, 0, 0, 0, 0]); // jmp *0(%rip)
    b.extend_from_slice(&entry.to_le_bytes());
    if b.len() > STUB {
        return None;
    }
    b.resize(STUB, 0xcc);
    b.try_into().ok()
}

/// Where a clock site may be answered by the host's vDSO: the call number
/// of the guest's `clock_gettime`, and its clock ids in Linux terms.
#[derive(Clone, Copy)]
pub struct FastClock {
    /// The guest's `clock_gettime` number.
    pub nr: u32,
    /// The guest's clock ids in Linux terms (the personality's).
    pub clock: fn(i32) -> Option<crate::xlat::Clock>,
}

/// The Linux clocks the vDSO answers itself (the others it passes to the
/// kernel): the fast clock serves only these.
const VDSO_CLOCKS: [i32; 5] = [
    libc::CLOCK_REALTIME,
    libc::CLOCK_MONOTONIC,
    libc::CLOCK_REALTIME_COARSE,
    libc::CLOCK_MONOTONIC_COARSE,
    libc::CLOCK_BOOTTIME,
];

/// The Linux clock of a clock site, if it is one the fast clock answers:
/// the load is `mov $nr,%eax`, and the instructions between are exactly a
/// constant clock id into `edi`/`rdi` and `lea d(%rsp),%rsi` (the guest's
/// own stack), in either order, as the Go runtime's `walltime` and
/// `nanotime1` have them. Matched on their encodings (no disassembler:
/// a list kept from an earlier start needs none).
pub fn clock_site(site: &Site, clock: &FastClock) -> Option<i32> {
    let mut want = vec![0xb8];
    want.extend_from_slice(&clock.nr.to_le_bytes());
    if site.load != want {
        return None;
    }
    // One instruction at the start of `b`: Some((length, clock id or None
    // for the lea)), for the encodings these sites use.
    let one = |b: &[u8]| -> Option<(usize, Option<i32>)> {
        let imm = |at: usize| Some(i32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?));
        match b {
            [0xbf, ..] => Some((5, Some(imm(1)?))),             // mov $imm32,%edi
            [0x48, 0xc7, 0xc7, ..] => Some((7, Some(imm(3)?))), // mov $imm32,%rdi
            [0x48, 0x8d, 0x74, 0x24, d, ..] if *d < 0x80 => Some((5, None)), // lea d8(%rsp),%rsi
            [0x48, 0x8d, 0xb4, 0x24, ..] if imm(4)? >= 0 => Some((8, None)), // lea d32(%rsp),%rsi
            _ => None,
        }
    };
    let (n1, a) = one(&site.between)?;
    let (n2, b) = one(site.between.get(n1..)?)?;
    if n1 + n2 != site.between.len() {
        return None;
    }
    let id = match (a, b) {
        (Some(id), None) | (None, Some(id)) => id,
        _ => return None,
    };
    let c = (clock.clock)(id)?;
    (!c.seconds_only && VDSO_CLOCKS.contains(&c.linux)).then_some(c.linux)
}

/// The machine code of a clock site's stub: as `stub_bytes`, with the
/// Linux clock in `ecx`, jumping to the fast clock entry.
pub fn clock_stub_bytes(site: &Site, linux_clock: i32, entry: u64) -> Option<[u8; STUB]> {
    let mut extra = vec![0xb9]; // mov $clock,%ecx
    extra.extend_from_slice(&linux_clock.to_le_bytes());
    stub_with(site, &extra, entry)
}

/// The bytes that replace a site, from its loading instruction to the end
/// of its `syscall` (`len` bytes): a short jump over the middle, then
/// `call rel32` to the stub, ending where the `syscall` ended. The return
/// address the `call` pushes is the one the call returns to, so the
/// processor's return predictions stay right (the stub drops it and the
/// way back returns to it). The bytes skipped are `int3`, never reached.
pub fn site_bytes(site: u64, len: usize, stub: u64) -> Option<Vec<u8>> {
    if len < 5 {
        return None;
    }
    let call_at = site.checked_add(len as u64 - 5)?;
    let rel = i32::try_from(stub as i64 - (call_at as i64 + 5)).ok()?;
    let mut b = vec![0xcc; len];
    match len - 5 {
        0 => {}
        1 => b[0] = 0x90,
        skip => {
            b[0] = 0xeb;
            b[1] = u8::try_from(skip - 2).ok().filter(|&r| r < 0x80)?;
        }
    }
    b[len - 5] = 0xe8;
    b[len - 4..].copy_from_slice(&rel.to_le_bytes());
    Some(b)
}

/// Rewrites the sites of a mapped program; `text` lists the executable
/// segments (address, length, protection); `clock`, when clock sites may
/// be answered from the vDSO. Returns how many were rewritten, and how many
/// of those are clock sites the vDSO answers.
pub fn install(sites: &[Site], text: &[(u64, u64, i32)], clock: Option<FastClock>) -> (usize, usize) {
    if sites.is_empty() || stubs::installed() {
        return (0, 0);
    }
    let size = (sites.len() * STUB).div_ceil(4096) * 4096;
    let rw = libc::PROT_READ | libc::PROT_WRITE;
    let Some(page) = STUB_HINTS.iter().copied().find(|&h| crate::mem::map_fixed(h, size, rw, -1, 0).is_ok()) else {
        return (0, 0);
    };
    // Not the guest's (it may not unmap it), but guest code godfly made,
    // whose protection godfly changes once the stubs are written.
    crate::mem::owned::add_stub_page(page, size as u64);
    let full = crate::arch::fast_entry(crate::host::xstate().is_some_and(|x| x.xsaveopt));
    // The lean entry ends with vzeroupper: only with AVX.
    let lean = if crate::host::xstate().is_some_and(|x| x.features & crate::arch::xstate::AVX != 0) {
        crate::arch::fast_entry_lean()
    } else {
        full
    };
    let mut table = vec![(0, 0); sites.len()]; // slot k: filled when rewritten
    // (site, patch, slot, text protection, clock), for every stub written.
    let mut patches = Vec::with_capacity(sites.len());
    for (k, s) in sites.iter().enumerate() {
        let stub = page + (k * STUB) as u64;
        let linux_clock = clock.as_ref().and_then(|c| clock_site(s, c));
        let code = match linux_clock {
            Some(linux) => clock_stub_bytes(s, linux, crate::arch::fast_clock_entry()),
            None => stub_bytes(s, if s.lean { lean } else { full }),
        };
        let len = (s.after - s.addr) as usize;
        let (Some(code), Some(patch)) = (code, site_bytes(s.addr, len, stub)) else {
            continue;
        };
        let Some(&(_, _, prot)) = text.iter().find(|(b, l, _)| s.addr >= *b && s.after <= b + l) else { continue };
        if crate::mem::write_bytes(stub, &code).is_ok() {
            patches.push((s, patch, k, prot, linux_clock.is_some()));
        }
    }
    // Each run of text pages with sites is made writable once (not once per
    // site: every mprotect splits and merges the mapping again).
    let pages = |s: &Site| (s.addr & !0xfff, (s.after + 0xfff) & !0xfff);
    let mut clocks = 0;
    let mut i = 0;
    while i < patches.len() {
        let prot = patches[i].3;
        let (start, mut end) = pages(patches[i].0);
        let mut j = i + 1;
        while j < patches.len() && patches[j].3 == prot && pages(patches[j].0).0 <= end {
            end = end.max(pages(patches[j].0).1);
            j += 1;
        }
        if crate::mem::protect(start, (end - start) as usize, prot | libc::PROT_WRITE).is_ok() {
            for (s, patch, k, _, is_clock) in &patches[i..j] {
                if crate::mem::write_bytes(s.addr, patch).is_ok() {
                    table[*k] = (s.addr, s.after);
                    clocks += usize::from(*is_clock);
                }
            }
            let _ = crate::mem::protect(start, (end - start) as usize, prot);
        }
        i = j;
    }
    let _ = crate::mem::protect(page, size, libc::PROT_READ | libc::PROT_EXEC);
    let done = table.iter().filter(|t| t.0 != 0).count();
    let originals = sites
        .iter()
        .zip(&table)
        .map(|(s, t)| if t.0 == 0 { Vec::new() } else { [&s.load[..], &s.between[..], &[0x0f, 0x05]].concat() })
        .collect();
    stubs::set(stubs::Installed { page, end: page + size as u64, sites: table, originals });
    (done, clocks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_runtime_clock_stub_shape_is_found() {
        // runtime.nanotime1: mov $0xe8,%eax ; mov $4,%edi ; lea 8(%rsp),%rsi ; syscall ; ret
        let code = [0xb8, 0xe8, 0, 0, 0, 0xbf, 4, 0, 0, 0, 0x48, 0x8d, 0x74, 0x24, 0x08, 0x0f, 0x05, 0xc3];
        let s = sites_in(&code, 0x1000, false);
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
        let s = sites_in(&code, 0x1000, false);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].load, code[..5].to_vec());
        // reading just below the stack pointer is not replayed
        let code = [0x48, 0x8b, 0x44, 0x24, 0xf8, 0x0f, 0x05];
        assert!(sites_in(&code, 0x1000, false).is_empty());
    }

    #[test]
    fn instructions_that_touch_rax_or_branch_keep_the_trap() {
        // mov $1,%eax ; mov %rax,%rdi ; syscall
        let code = [0xb8, 1, 0, 0, 0, 0x48, 0x89, 0xc7, 0x0f, 0x05];
        assert!(sites_in(&code, 0x1000, false).is_empty());
        // mov $1,%eax ; jmp +0 ; syscall
        let code = [0xb8, 1, 0, 0, 0, 0xeb, 0x00, 0x0f, 0x05];
        assert!(sites_in(&code, 0x1000, false).is_empty());
        // a branch from elsewhere lands on the syscall
        let code = [0xeb, 0x05, 0xb8, 3, 0, 0, 0, 0x0f, 0x05];
        assert!(sites_in(&code, 0x1000, false).is_empty());
    }

    fn clock_shaped(load: &[u8], between: &[u8]) -> Site {
        Site { addr: 0x40_1000, load: load.to_vec(), between: between.to_vec(), after: 0x40_1013, lean: true }
    }

    #[test]
    fn the_runtime_clock_shapes_are_vdso_sites_and_nothing_else_is() {
        let clock = FastClock { nr: 232, clock: crate::os::dragonfly::time::clock_to_linux };
        let mov232 = [0xb8, 0xe8, 0, 0, 0];
        let lea8 = [0x48, 0x8d, 0x74, 0x24, 0x08]; // lea 8(%rsp),%rsi
        let with = |id: u8| [&[0x48, 0xc7, 0xc7, id, 0, 0, 0][..], &lea8[..]].concat(); // mov $id,%rdi
        // walltime (CLOCK_REALTIME 0) and nanotime1 (DragonFly's CLOCK_MONOTONIC 4).
        assert_eq!(clock_site(&clock_shaped(&mov232, &with(0)), &clock), Some(libc::CLOCK_REALTIME));
        assert_eq!(clock_site(&clock_shaped(&mov232, &with(4)), &clock), Some(libc::CLOCK_MONOTONIC));
        // mov $4,%edi and the two in the other order.
        let edi = [&[0xbf, 4, 0, 0, 0][..], &lea8[..]].concat();
        assert_eq!(clock_site(&clock_shaped(&mov232, &edi), &clock), Some(libc::CLOCK_MONOTONIC));
        let swapped = [&lea8[..], &[0xbf, 4, 0, 0, 0][..]].concat();
        assert_eq!(clock_site(&clock_shaped(&mov232, &swapped), &clock), Some(libc::CLOCK_MONOTONIC));
        // CLOCK_SECOND (whole seconds) and the CPU-time clocks need the full call.
        assert_eq!(clock_site(&clock_shaped(&mov232, &with(13)), &clock), None);
        assert_eq!(clock_site(&clock_shaped(&mov232, &with(15)), &clock), None);
        // Another call number, a clock id from a register, a pointer that
        // is not on the stack, or anything more in between.
        assert_eq!(clock_site(&clock_shaped(&[0xb8, 0xe9, 0, 0, 0], &with(4)), &clock), None);
        let from_reg = [&[0x48, 0x89, 0xc7][..], &lea8[..]].concat(); // mov %rax,%rdi
        assert_eq!(clock_site(&clock_shaped(&mov232, &from_reg), &clock), None);
        let not_stack = [&[0xbf, 4, 0, 0, 0][..], &[0x48, 0x8d, 0x73, 0x08][..]].concat(); // lea 8(%rbx),%rsi
        assert_eq!(clock_site(&clock_shaped(&mov232, &not_stack), &clock), None);
        let more = [&with(4)[..], &[0x48, 0x89, 0xda][..]].concat(); // mov %rbx,%rdx
        assert_eq!(clock_site(&clock_shaped(&mov232, &more), &clock), None);
        assert_eq!(clock_site(&clock_shaped(&mov232, &lea8), &clock), None);
    }

    #[test]
    fn only_go_runtime_and_syscall_assembly_gets_the_lean_entry() {
        assert!(is_go_syscall_wrapper("runtime.write1.abi0"));
        assert!(is_go_syscall_wrapper("syscall.RawSyscall.abi0"));
        // A program's own assembly may keep vector values across its syscall.
        assert!(!is_go_syscall_wrapper("main.ymmRun.abi0"));
        assert!(!is_go_syscall_wrapper("golang.org/x/sys/unix.Syscall.abi0"));
        assert!(!is_go_syscall_wrapper("runtime.write1"));
    }

    #[test]
    fn a_function_with_a_computed_jump_keeps_the_trap() {
        // mov $1,%eax ; syscall ; jmp *%rax
        let code = [0xb8, 1, 0, 0, 0, 0x0f, 0x05, 0xff, 0xe0];
        assert!(sites_in(&code, 0x1000, false).is_empty());
        assert_eq!(sites_in(&code[..7], 0x1000, false).len(), 1);
    }

    #[test]
    fn gos_function_table_gives_functions_and_which_are_the_runtimes_assembly() {
        // A pcHeader, two functions and the end, their _func records, names.
        let mut t = vec![0u8; 0x200];
        t[..4].copy_from_slice(&PCLN_MAGIC.to_le_bytes());
        t[7] = 8;
        t[8..16].copy_from_slice(&2u64.to_le_bytes()); // nfunc
        t[32..40].copy_from_slice(&0x180u64.to_le_bytes()); // funcnametab
        t[64..72].copy_from_slice(&0x80u64.to_le_bytes()); // functab
        for (k, (entry, func)) in [(0u32, 0x40u32), (0x20, 0x70), (0x100, 0)].iter().enumerate() {
            t[0x80 + k * 8..0x84 + k * 8].copy_from_slice(&entry.to_le_bytes());
            t[0x84 + k * 8..0x88 + k * 8].copy_from_slice(&func.to_le_bytes());
        }
        // _func at functab+0x40: name 0 ("runtime.write1"), flag asm.
        t[0xc0 + 4..0xc0 + 8].copy_from_slice(&0u32.to_le_bytes());
        t[0xc0 + 41] = FUNC_FLAG_ASM;
        // _func at functab+0x70: name 15 ("main.f"), flag asm.
        t[0xf0 + 4..0xf0 + 8].copy_from_slice(&15u32.to_le_bytes());
        t[0xf0 + 41] = FUNC_FLAG_ASM;
        t[0x180..0x180 + 22].copy_from_slice(b"runtime.write1\0main.f\0");
        let f = go_functions(&t, 0x40_1000);
        assert_eq!(f, vec![(0x40_1000, 0x20, 0xc0), (0x40_1020, 0xe0, 0xf0)]);
        assert!(go_function_is_wrapper(&t, 0xc0));
        assert!(!go_function_is_wrapper(&t, 0xf0), "a program's own assembly");
        t[0xc0 + 41] = 0;
        assert!(!go_function_is_wrapper(&t, 0xc0), "Go code, not assembly");
        // Another format, a short table, counts that run past it.
        assert!(go_functions(&t[..40], 0x40_1000).is_empty());
        let mut bad = t.clone();
        bad[8..16].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(go_functions(&bad, 0x40_1000).is_empty());
        bad[..4].copy_from_slice(&0xffff_fff0u32.to_le_bytes());
        assert!(go_functions(&bad, 0x40_1000).is_empty());
        assert!(!go_function_is_wrapper(&t, usize::MAX));
    }

    #[test]
    fn stubs_replay_the_instructions_between() {
        let site = Site {
            addr: 0x40_1000,
            load: vec![0xb8, 0xe8, 0, 0, 0],
            between: vec![0xbf, 4, 0, 0, 0],
            after: 0x40_100c,
            lean: false,
        };
        let s = stub_bytes(&site, 0x1122_3344_5566_7788).unwrap();
        assert_eq!(&s[..5], &[0x48, 0x8d, 0x64, 0x24, 0x08]);
        assert_eq!(&s[5..10], &[0xb8, 0xe8, 0, 0, 0]);
        assert_eq!(&s[10..15], &[0xbf, 4, 0, 0, 0]);
        assert_eq!(&s[15..17], &[0x41, 0xbb]);
        assert_eq!(u32::from_le_bytes(s[17..21].try_into().unwrap()), 0x40_100c);
        assert_eq!(&s[21..27], &[0xff, 0x25, 0, 0, 0, 0]);
        // mov $n,%eax ; mov $4,%edi ; syscall (12 bytes): jmp +5, then the
        // call, which ends where the syscall did.
        let k = clock_stub_bytes(&site, libc::CLOCK_MONOTONIC, 0x1122_3344_5566_7788).unwrap();
        assert_eq!(&k[..21], &s[..21], "the same head as the full stub");
        assert_eq!(&k[21..26], &[0xb9, 1, 0, 0, 0]);
        assert_eq!(&k[26..32], &[0xff, 0x25, 0, 0, 0, 0]);
        let c = site_bytes(0x40_1000, 12, 0x20_0000).unwrap();
        assert_eq!(&c[..2], &[0xeb, 5]);
        assert_eq!(&c[2..7], &[0xcc; 5]);
        assert_eq!(c[7], 0xe8);
        assert_eq!(i32::from_le_bytes(c[8..12].try_into().unwrap()), 0x20_0000 - 0x40_100c);
        assert_eq!(site_bytes(0x40_1000, 6, 0x20_0000).unwrap()[..2], [0x90, 0xe8]);
        assert_eq!(site_bytes(0x40_1000, 5, 0x20_0000).unwrap()[0], 0xe8);
        assert!(site_bytes(0x40_1000, 4, 0x20_0000).is_none());
        assert!(site_bytes(0x7000_0000_0000, 5, 0x20_0000).is_none());
    }
}
