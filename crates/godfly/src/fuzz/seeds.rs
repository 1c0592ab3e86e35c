//! Small DragonFly programs built byte by byte: seeds for the ELF fuzz
//! corpus and fixtures for loader tests. The program writes "hi\n" and
//! exits 0 through two rewritable `mov $n,%eax ... syscall` sites.

/// Which parts a built program has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parts {
    /// The DragonFly ABI note (`.note.tag`).
    pub note: bool,
    /// Go's marks: `.go.buildinfo` saying GOOS=dragonfly and an
    /// `_rt0_amd64_dragonfly` symbol (what the fast path scans for).
    pub go: bool,
}

/// Load address of the single segment.
pub const BASE: u64 = 0x40_0000;
const EHDR: usize = 64;
const PHENT: usize = 56;
const SHENT: usize = 64;
const CODE_OFF: usize = 0x110;

/// The code: lea msg(%rip),%rsi; mov $1,%edi; mov $3,%edx; mov $4,%eax;
/// syscall; xor %edi,%edi; mov $1,%eax; syscall; msg: "hi\n".
const CODE: &[u8] = &[
    0x48, 0x8d, 0x35, 0x1a, 0x00, 0x00, 0x00, // lea 0x1a(%rip),%rsi
    0xbf, 0x01, 0x00, 0x00, 0x00, // mov $1,%edi
    0xba, 0x03, 0x00, 0x00, 0x00, // mov $3,%edx
    0xb8, 0x04, 0x00, 0x00, 0x00, // mov $4,%eax (write)
    0x0f, 0x05, // syscall
    0x31, 0xff, // xor %edi,%edi
    0xb8, 0x01, 0x00, 0x00, 0x00, // mov $1,%eax (exit)
    0x0f, 0x05, // syscall
    b'h', b'i', b'\n',
];

fn put16(v: &mut [u8], at: usize, x: u16) {
    v[at..at + 2].copy_from_slice(&x.to_le_bytes());
}
fn put32(v: &mut [u8], at: usize, x: u32) {
    v[at..at + 4].copy_from_slice(&x.to_le_bytes());
}
fn put64(v: &mut [u8], at: usize, x: u64) {
    v[at..at + 8].copy_from_slice(&x.to_le_bytes());
}

fn phdr(out: &mut Vec<u8>, ty: u32, flags: u32, off: u64, size: u64, align: u64) {
    let mut p = [0u8; PHENT];
    put32(&mut p, 0, ty);
    put32(&mut p, 4, flags);
    put64(&mut p, 8, off);
    put64(&mut p, 16, BASE + off);
    put64(&mut p, 24, BASE + off);
    put64(&mut p, 32, size);
    put64(&mut p, 40, size);
    put64(&mut p, 48, align);
    out.extend_from_slice(&p);
}

#[allow(clippy::too_many_arguments)]
fn shdr(
    out: &mut Vec<u8>,
    name: u32,
    ty: u32,
    flags: u64,
    addr: u64,
    off: u64,
    size: u64,
    link: u32,
    info: u32,
    entsize: u64,
) {
    let mut s = [0u8; SHENT];
    put32(&mut s, 0, name);
    put32(&mut s, 4, ty);
    put64(&mut s, 8, flags);
    put64(&mut s, 16, addr);
    put64(&mut s, 24, off);
    put64(&mut s, 32, size);
    put32(&mut s, 40, link);
    put32(&mut s, 44, info);
    put64(&mut s, 48, 1);
    put64(&mut s, 56, entsize);
    out.extend_from_slice(&s);
}

/// Builds the program with the given parts.
pub fn program(parts: Parts) -> Vec<u8> {
    let nph = 3usize;
    let mut f = vec![0u8; EHDR];
    f[..4].copy_from_slice(b"\x7fELF");
    f[4] = 2; // ELFCLASS64
    f[5] = 1; // little-endian
    f[6] = 1; // EV_CURRENT
    put16(&mut f, 16, 2); // ET_EXEC
    put16(&mut f, 18, 62); // EM_X86_64
    put32(&mut f, 20, 1);
    put64(&mut f, 24, BASE + CODE_OFF as u64);
    put64(&mut f, 32, EHDR as u64);
    put16(&mut f, 52, EHDR as u16);
    put16(&mut f, 54, PHENT as u16);
    put16(&mut f, 56, nph as u16);
    put16(&mut f, 58, SHENT as u16);

    let note_off = EHDR + nph * PHENT;
    let mut note = Vec::new();
    note.extend_from_slice(&10u32.to_le_bytes()); // "DragonFly\0"
    note.extend_from_slice(&4u32.to_le_bytes());
    note.extend_from_slice(&1u32.to_le_bytes()); // NT_DRAGONFLY_ABI_TAG
    note.extend_from_slice(b"DragonFly\0\0\0");
    note.extend_from_slice(&500_901u32.to_le_bytes());
    assert!(note_off + note.len() <= CODE_OFF);

    // Data after the code: Go build information, then the tables.
    let mut body = vec![0u8; CODE_OFF];
    body[note_off..note_off + note.len()].copy_from_slice(&note);
    body.extend_from_slice(CODE);
    let code_end = body.len();
    let info_off = body.len();
    let buildinfo: &[u8] = b"\xff Go buildinf:\x08\x02path\tcommand-line-arguments\nbuild\tGOOS=dragonfly\n";
    if parts.go {
        body.extend_from_slice(buildinfo);
    }
    let load_end = body.len();
    let mut phdrs = Vec::new();
    phdr(&mut phdrs, 6, 4, EHDR as u64, (nph * PHENT) as u64, 8); // PT_PHDR
    phdr(&mut phdrs, 1, 5, 0, load_end as u64, 0x1000); // PT_LOAD r-x
    if parts.note {
        phdr(&mut phdrs, 4, 4, note_off as u64, note.len() as u64, 4); // PT_NOTE
    } else {
        phdr(&mut phdrs, 0x6474_e551, 6, 0, 0, 8); // PT_GNU_STACK
    }
    body[..EHDR].copy_from_slice(&f);
    body[EHDR..EHDR + phdrs.len()].copy_from_slice(&phdrs);
    if !parts.go {
        return body;
    }

    // .symtab, .strtab, .shstrtab and the section headers.
    let strtab = b"\0_rt0_amd64_dragonfly\0";
    let shstr = b"\0.text\0.go.buildinfo\0.symtab\0.strtab\0.shstrtab\0";
    let mut symtab = vec![0u8; 24];
    let mut sym = [0u8; 24];
    put32(&mut sym, 0, 1);
    sym[4] = 0x12; // GLOBAL FUNC
    put16(&mut sym, 6, 1); // .text
    put64(&mut sym, 8, BASE + CODE_OFF as u64);
    put64(&mut sym, 16, (code_end - CODE_OFF - 3) as u64); // the instructions, not the message
    symtab.extend_from_slice(&sym);
    let sym_off = body.len();
    body.extend_from_slice(&symtab);
    let str_off = body.len();
    body.extend_from_slice(strtab);
    let shstr_off = body.len();
    body.extend_from_slice(shstr);
    while !body.len().is_multiple_of(8) {
        body.push(0);
    }
    let sh_off = body.len();
    let mut sh = Vec::new();
    sh.extend_from_slice(&[0u8; SHENT]);
    shdr(&mut sh, 1, 1, 6, BASE + CODE_OFF as u64, CODE_OFF as u64, (code_end - CODE_OFF) as u64, 0, 0, 0);
    shdr(&mut sh, 7, 1, 3, BASE + info_off as u64, info_off as u64, buildinfo.len() as u64, 0, 0, 0);
    shdr(&mut sh, 21, 2, 0, 0, sym_off as u64, symtab.len() as u64, 4, 1, 24);
    shdr(&mut sh, 29, 3, 0, 0, str_off as u64, strtab.len() as u64, 0, 0, 0);
    shdr(&mut sh, 37, 3, 0, 0, shstr_off as u64, shstr.len() as u64, 0, 0, 0);
    body.extend_from_slice(&sh);
    put64(&mut body, 40, sh_off as u64);
    put16(&mut body, 60, 6);
    put16(&mut body, 62, 5);
    body
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loader::{elf, fastpath};
    use std::path::Path;

    #[test]
    fn built_programs_are_accepted_as_dragonfly_programs() {
        for parts in [Parts { note: true, go: false }, Parts { note: true, go: true }, Parts { note: false, go: true }]
        {
            let p = elf::inspect(Path::new("seed"), &program(parts)).unwrap_or_else(|e| panic!("{parts:?}: {e}"));
            assert_eq!(p.entry, BASE + CODE_OFF as u64);
            assert_eq!(p.segments.len(), 1);
        }
    }

    #[test]
    fn a_program_without_brand_is_refused() {
        let e = elf::inspect(Path::new("seed"), &program(Parts { note: false, go: false })).unwrap_err();
        assert!(e.to_string().contains("not a DragonFly or FreeBSD program"), "{e}");
    }

    #[test]
    fn the_fast_path_finds_both_sites_of_the_go_like_program() {
        let sites = fastpath::find_sites(&program(Parts { note: true, go: true }));
        let addrs: Vec<u64> = sites.iter().map(|s| s.addr - BASE - CODE_OFF as u64).collect();
        assert_eq!(addrs, vec![17, 26], "{sites:?}");
    }

    #[test]
    fn entry_outside_text_and_overlapping_segments_are_refused() {
        let mut p = program(Parts { note: true, go: false });
        put64(&mut p, 24, 0x1000);
        let e = elf::inspect(Path::new("seed"), &p).unwrap_err();
        assert!(e.to_string().contains("entry point 0x1000"), "{e}");

        // A second PT_LOAD over the first (in place of the PT_PHDR).
        let mut p = program(Parts { note: true, go: false });
        let copy = p[EHDR + PHENT..EHDR + 2 * PHENT].to_vec();
        p[EHDR..EHDR + PHENT].copy_from_slice(&copy);
        let e = elf::inspect(Path::new("seed"), &p).unwrap_err();
        assert!(e.to_string().contains("overlap"), "{e}");
    }
}
