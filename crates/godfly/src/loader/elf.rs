//! Reading and mapping a static x86-64 ELF executable, and deciding which
//! guest system it is for: the loader reads the brand facts (OS/ABI byte,
//! ABI notes, and for Go programs the `GOOS` of the entry symbol
//! `_rt0_amd64_<os>` or of the build information), and each personality's
//! brand rule (`os/<name>/brand.rs`) says yes, no or nothing.

use object::elf::{self, FileHeader64};
use object::read::elf::{FileHeader, ProgramHeader};
use object::{Endianness, Object, ObjectSymbol};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

use crate::personality::{Brand, BrandFacts, Personality};

/// Why a program cannot be run. Each names the file.
#[derive(Debug)]
pub enum LoadError {
    /// The file does not exist.
    NotFound(PathBuf),
    /// It exists but cannot be read or run.
    NotExecutable(PathBuf, String),
    /// It is not something godfly runs (wrong format, wrong system).
    Unsupported(PathBuf, String),
    /// Mapping it failed.
    Map(PathBuf, String),
}

impl LoadError {
    /// The exit status a shell would give for this failure.
    pub fn exit_code(&self) -> i32 {
        match self {
            LoadError::NotFound(_) => 127,
            _ => 126,
        }
    }
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::NotFound(p) => write!(f, "{}: no such file", p.display()),
            LoadError::NotExecutable(p, why) => write!(f, "{}: cannot execute: {why}", p.display()),
            LoadError::Unsupported(p, why) => write!(f, "{}: {why}", p.display()),
            LoadError::Map(p, why) => write!(f, "{}: cannot load: {why}", p.display()),
        }
    }
}

impl std::error::Error for LoadError {}

/// One PT_LOAD segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    pub vaddr: u64,
    pub offset: u64,
    pub filesz: u64,
    pub memsz: u64,
    /// PF_R/PF_W/PF_X.
    pub flags: u32,
}

/// What the loader needs to know about a program.
#[derive(Debug, Clone)]
pub struct Program {
    /// The system it is for.
    pub personality: &'static Personality,
    /// Path as given.
    pub path: PathBuf,
    /// Entry point.
    pub entry: u64,
    /// Address of the program headers (PT_PHDR), 0 without one.
    pub phdr: u64,
    /// Size of one program header.
    pub phent: u64,
    /// Number of program headers.
    pub phnum: u64,
    /// Loadable segments.
    pub segments: Vec<Segment>,
}

const PAGE: u64 = 4096;

fn page_down(v: u64) -> u64 {
    v & !(PAGE - 1)
}

fn page_up(v: u64) -> u64 {
    (v + PAGE - 1) & !(PAGE - 1)
}

/// The ABI notes of a file: (owner, type).
fn notes(data: &[u8], header: &FileHeader64<Endianness>) -> Vec<(Vec<u8>, u32)> {
    let endian = Endianness::Little;
    let mut out = Vec::new();
    let Ok(phdrs) = header.program_headers(endian, data) else { return out };
    for ph in phdrs {
        if ph.p_type(endian) != elf::PT_NOTE {
            continue;
        }
        let Ok(Some(mut notes)) = ph.notes(endian, data) else { continue };
        while let Ok(Some(note)) = notes.next() {
            out.push((note.name().to_vec(), note.n_type(endian)));
        }
    }
    out
}

/// The contents of the section called `name` in a little-endian ELF64
/// file. Compares names in place: `object`'s lookup finds each name's end
/// with `memchr`, whose first use asks CPUID for every feature, some
/// 100 us at each start on a virtual machine that traps CPUID.
pub fn section<'a>(data: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    use object::read::elf::SectionHeader;
    let endian = Endianness::Little;
    let header = FileHeader64::<Endianness>::parse(data).ok()?;
    let sections = header.section_headers(endian, data).ok()?;
    let names = sections.get(header.shstrndx(endian, data).ok()? as usize)?.data(endian, data).ok()?;
    let named = |s: &&object::elf::SectionHeader64<Endianness>| {
        let at = s.sh_name(endian) as usize;
        names.get(at..at + name.len()) == Some(name) && names.get(at + name.len()) == Some(&0)
    };
    sections.iter().find(named)?.data(endian, data).ok()
}

/// The `GOOS` a Go program was built for: from its build information
/// (`build\tGOOS=`), or from its entry symbol `_rt0_amd64_<os>`. `Err`
/// for a file that is not a well-formed ELF object.
fn go_os(data: &[u8]) -> Result<Option<String>, String> {
    // The build information first: one small section, where the symbol
    // table is thousands of entries (and pages of the file) to walk. Its
    // own line, not a `GOOS=` inside `-ldflags` on the line before.
    const KEY: &[u8] = b"\nbuild\tGOOS=";
    if let Some(bytes) = section(data, b".go.buildinfo")
        && let Some(at) = bytes.windows(KEY.len()).position(|w| w == KEY)
    {
        let rest = &bytes[at + KEY.len()..];
        let end = rest.iter().position(|b| !b.is_ascii_alphanumeric()).unwrap_or(rest.len());
        return Ok(Some(String::from_utf8_lossy(&rest[..end]).into_owned()));
    }
    let file = object::File::parse(data).map_err(|e| format!("malformed ELF: {e}"))?;
    for sym in file.symbols() {
        let Ok(name) = sym.name_bytes() else { continue };
        if let Some(os) = name.strip_prefix(b"_rt0_amd64_")
            && !os.contains(&b'_')
            && !os.is_empty()
        {
            return Ok(Some(String::from_utf8_lossy(os).into_owned()));
        }
    }
    Ok(None)
}

/// Reads the brand facts of a parsed ELF file.
fn brand_facts(data: &[u8], header: &FileHeader64<Endianness>) -> Result<BrandFacts, String> {
    let notes = notes(data, header);
    let osabi = header.e_ident().os_abi;
    // An ABI note (type 1) or an OS/ABI byte decides without the symbol table.
    let abi_note = notes.iter().any(|n| n.1 == elf::NT_GNU_ABI_TAG);
    let go_os = if !abi_note && osabi == elf::ELFOSABI_NONE { go_os(data)? } else { None };
    Ok(BrandFacts { osabi, notes, go_os })
}

/// The personality whose brand rule claims the file; `Err` says why none
/// does (the first reason given, or that nothing marks the file).
fn choose(f: &BrandFacts) -> Result<&'static Personality, String> {
    let mut why = None;
    for p in crate::os::ALL {
        match (p.brand)(f) {
            Brand::Yes => return Ok(p),
            Brand::No(reason) => {
                why.get_or_insert(reason);
            }
            Brand::Unknown => {}
        }
    }
    Err(why.unwrap_or_else(|| {
        let names: Vec<&str> = crate::os::ALL.iter().map(|p| p.name).collect();
        let goos: Vec<&str> = crate::os::ALL.iter().map(|p| p.goos).collect();
        format!(
            "is not a {} program: no {} ABI note and no Go build information for {}",
            names.join(" or "),
            names.join(" or "),
            goos.join(" or ")
        )
    }))
}

/// Parses and checks a program image (pure: no mapping).
pub fn inspect(path: &Path, data: &[u8]) -> Result<Program, LoadError> {
    let unsupported = |why: String| LoadError::Unsupported(path.to_path_buf(), why);
    if data.len() < 4 || &data[..4] != b"\x7fELF" {
        return Err(if data.starts_with(b"#!") {
            unsupported("is a script, not a DragonFly program (run it with its interpreter)".into())
        } else {
            unsupported("is not an ELF executable".into())
        });
    }
    if data.len() < 5 || data[4] != elf::ELFCLASS64 {
        return Err(unsupported("is a 32-bit ELF file; godfly runs x86-64 programs".into()));
    }
    let header =
        FileHeader64::<Endianness>::parse(data).map_err(|e| unsupported(format!("malformed ELF header: {e}")))?;
    let endian = header.endian().map_err(|e| unsupported(format!("malformed ELF header: {e}")))?;
    if endian != Endianness::Little || header.e_machine(endian) != elf::EM_X86_64 {
        return Err(unsupported(format!(
            "is for another machine (ELF machine {}); godfly runs x86-64 programs",
            header.e_machine(endian)
        )));
    }
    let phdrs =
        header.program_headers(endian, data).map_err(|e| unsupported(format!("malformed program headers: {e}")))?;
    if phdrs.iter().any(|p| p.p_type(endian) == elf::PT_INTERP) {
        return Err(unsupported(
            "is dynamically linked; godfly runs statically linked programs (build with CGO_ENABLED=0)".into(),
        ));
    }
    match header.e_type(endian) {
        elf::ET_EXEC => {}
        elf::ET_DYN => {
            return Err(unsupported("is position-independent (ET_DYN); godfly runs ET_EXEC programs".into()));
        }
        t => return Err(unsupported(format!("is not an executable (ELF type {t})"))),
    }
    let personality = brand_facts(data, header).and_then(|f| choose(&f)).map_err(unsupported)?;
    let mut segments = Vec::new();
    let mut phdr = 0;
    for ph in phdrs {
        match ph.p_type(endian) {
            elf::PT_LOAD => segments.push(Segment {
                vaddr: ph.p_vaddr(endian),
                offset: ph.p_offset(endian),
                filesz: ph.p_filesz(endian),
                memsz: ph.p_memsz(endian),
                flags: ph.p_flags(endian),
            }),
            elf::PT_PHDR => phdr = ph.p_vaddr(endian),
            _ => {}
        }
    }
    if segments.is_empty() {
        return Err(unsupported("has no loadable segments".into()));
    }
    for s in &segments {
        if s.filesz > s.memsz || s.offset.checked_add(s.filesz).is_none_or(|e| e > data.len() as u64) {
            return Err(unsupported("has a segment that lies outside the file".into()));
        }
        if s.vaddr % PAGE != s.offset % PAGE {
            return Err(unsupported("has a segment whose address and file offset are not congruent".into()));
        }
        if s.vaddr.checked_add(s.memsz).is_none_or(|e| e > personality.image.max_user_address) {
            return Err(unsupported("has a segment outside the user address space".into()));
        }
    }
    let mut spans: Vec<(u64, u64)> =
        segments.iter().map(|s| (page_down(s.vaddr), page_up(s.vaddr + s.memsz))).collect();
    spans.sort_unstable();
    if spans.windows(2).any(|w| w[1].0 < w[0].1) {
        return Err(unsupported("has loadable segments that overlap".into()));
    }
    let entry = header.e_entry(endian);
    if !segments.iter().any(|s| s.flags & elf::PF_X != 0 && entry >= s.vaddr && entry - s.vaddr < s.memsz) {
        return Err(unsupported(format!("has its entry point {entry:#x} outside every executable segment")));
    }
    Ok(Program {
        personality,
        path: path.to_path_buf(),
        entry,
        phdr,
        phent: u64::from(header.e_phentsize(endian)),
        phnum: u64::from(header.e_phnum(endian)),
        segments,
    })
}

impl Program {
    /// `len` bytes of the program file at address `addr`, if they lie in
    /// one segment's file bytes.
    pub fn file_bytes<'a>(&self, data: &'a [u8], addr: u64, len: usize) -> Option<&'a [u8]> {
        let s = self.segments.iter().find(|s| addr >= s.vaddr && addr - s.vaddr < s.filesz)?;
        let end = (addr - s.vaddr).checked_add(len as u64)?;
        if end > s.filesz {
            return None;
        }
        let off = usize::try_from(s.offset.checked_add(addr - s.vaddr)?).ok()?;
        data.get(off..off.checked_add(len)?)
    }
}

/// The largest program file godfly reads (Go's biggest test binaries are
/// a few hundred MiB).
pub const MAX_PROGRAM_BYTES: u64 = 4 << 30;

/// A program file's contents: mapped (no copy: the start-up reads only the
/// headers, notes, symbols and text it looks at), or read whole where the
/// file cannot be mapped.
#[derive(Debug)]
pub enum Contents {
    Mapped(crate::host::mm::MappedFile),
    Read(Vec<u8>),
}

impl std::ops::Deref for Contents {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Contents::Mapped(m) => m.bytes(),
            Contents::Read(v) => v,
        }
    }
}

/// Opens a program file, at most [`MAX_PROGRAM_BYTES`] of it.
fn read_program(path: &Path) -> Result<(std::fs::File, Contents), LoadError> {
    let not_exec = |why: String| LoadError::NotExecutable(path.to_path_buf(), why);
    let file = std::fs::File::open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => LoadError::NotFound(path.to_path_buf()),
        std::io::ErrorKind::PermissionDenied => not_exec("permission denied".into()),
        _ => not_exec(e.to_string()),
    })?;
    let meta = file.metadata().map_err(|e| not_exec(e.to_string()))?;
    if meta.is_dir() {
        return Err(not_exec("is a directory".into()));
    }
    if meta.len() > MAX_PROGRAM_BYTES {
        return Err(LoadError::Unsupported(
            path.to_path_buf(),
            format!("is {} bytes long; godfly reads programs of at most {MAX_PROGRAM_BYTES} bytes", meta.len()),
        ));
    }
    if meta.is_file()
        && meta.len() > 0
        && let Ok(m) = crate::host::mm::MappedFile::new(file.as_raw_fd(), meta.len() as usize)
    {
        return Ok((file, Contents::Mapped(m)));
    }
    let mut data = Vec::new();
    // A file that grows while it is read is still read only up to the bound.
    std::io::Read::read_to_end(&mut std::io::Read::take(&file, MAX_PROGRAM_BYTES), &mut data)
        .map_err(|e| not_exec(e.to_string()))?;
    Ok((file, Contents::Read(data)))
}

/// Opens a program file and checks it; returns the open file (for mapping)
/// and its contents (for the fast path's scan).
pub fn open(path: &Path) -> Result<(Program, std::fs::File, Contents), LoadError> {
    let (file, data) = read_program(path)?;
    let prog = inspect(path, &data)?;
    Ok((prog, file, data))
}

/// Whether some personality's brand rule claims the file as its program
/// (whether or not godfly can then load it): what `execve` runs under
/// godfly rather than natively.
pub fn claims(path: &Path) -> bool {
    let Ok((_, data)) = read_program(path) else { return false };
    if data.len() < 5 || &data[..4] != b"\x7fELF" || data[4] != elf::ELFCLASS64 {
        return false;
    }
    let Ok(header) = FileHeader64::<Endianness>::parse(&*data) else { return false };
    if header.endian().ok() != Some(Endianness::Little) || header.e_machine(Endianness::Little) != elf::EM_X86_64 {
        return false;
    }
    brand_facts(&data, header).and_then(|f| choose(&f)).is_ok()
}

fn prot_of(flags: u32) -> i32 {
    let mut p = 0;
    if flags & elf::PF_R != 0 {
        p |= libc::PROT_READ;
    }
    if flags & elf::PF_W != 0 {
        p |= libc::PROT_WRITE;
    }
    if flags & elf::PF_X != 0 {
        p |= libc::PROT_EXEC;
    }
    p
}

/// Maps every segment at its address: file pages shared with the page
/// cache, the tail of the last file page zeroed, anonymous pages after it.
pub fn map(prog: &Program, file: &std::fs::File) -> Result<(), LoadError> {
    let err = |what: String| LoadError::Map(prog.path.clone(), what);
    let fd = file.as_raw_fd();
    if let Some((own_start, own_end)) = crate::host::own_image_range() {
        for s in &prog.segments {
            let (start, end) =
                (page_down(s.vaddr), s.vaddr.saturating_add(s.memsz).saturating_add(PAGE - 1) & !(PAGE - 1));
            if start < own_end && own_start < end {
                return Err(err(format!(
                    "segment at {start:#x}-{end:#x} overlaps godfly's own image ({own_start:#x}-{own_end:#x}); \
                     link the program at another address"
                )));
            }
        }
    }
    for s in &prog.segments {
        let prot = prot_of(s.flags);
        let start = page_down(s.vaddr);
        let file_end = s.vaddr + s.filesz;
        let mem_end = page_up(s.vaddr + s.memsz);
        let file_map_end = page_up(file_end);
        let zero_tail = s.memsz > s.filesz && file_end % PAGE != 0;
        if s.filesz > 0 {
            let p = if zero_tail { prot | libc::PROT_WRITE } else { prot };
            crate::mem::map_fixed(start, (file_map_end - start) as usize, p, fd, page_down(s.offset))
                .map_err(|e| err(format!("segment at {start:#x}: {}", e.message())))?;
            crate::mem::owned::add(start, file_map_end - start);
            if zero_tail {
                let zeros = vec![0u8; (file_map_end - file_end) as usize];
                crate::mem::write_bytes(file_end, &zeros)
                    .map_err(|_| err("cannot clear the end of a segment".into()))?;
                crate::mem::protect(start, (file_map_end - start) as usize, prot).map_err(|e| err(e.message()))?;
            }
        }
        let anon_start = if s.filesz > 0 { file_map_end } else { start };
        if mem_end > anon_start {
            crate::mem::map_fixed(anon_start, (mem_end - anon_start) as usize, prot, -1, 0)
                .map_err(|e| err(format!("segment at {anon_start:#x}: {}", e.message())))?;
        }
        crate::mem::owned::add(start, mem_end.max(file_map_end) - start);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p() -> &'static Path {
        Path::new("prog")
    }

    #[test]
    fn non_elf_and_scripts_are_refused_clearly() {
        let e = inspect(p(), b"hello world").unwrap_err();
        assert!(e.to_string().contains("is not an ELF executable"), "{e}");
        assert_eq!(e.exit_code(), 126);
        let e = inspect(p(), b"#!/bin/sh\necho hi\n").unwrap_err();
        assert!(e.to_string().contains("script"), "{e}");
    }

    #[test]
    fn host_binaries_are_not_dragonfly_programs() {
        // godfly's own test binary: a dynamically linked Linux program.
        let me = std::env::current_exe().unwrap();
        let data = std::fs::read(&me).unwrap();
        let e = inspect(&me, &data).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("dynamically linked") || msg.contains("Linux") || msg.contains("position-independent"),
            "{msg}"
        );
    }

    #[test]
    fn missing_file_is_127() {
        let e = open(Path::new("/nonexistent/godfly-test")).unwrap_err();
        assert_eq!(e.exit_code(), 127);
        assert!(e.to_string().contains("no such file"));
    }

    #[test]
    fn page_rounding() {
        assert_eq!(page_down(0x400123), 0x400000);
        assert_eq!(page_up(0x400001), 0x401000);
        assert_eq!(page_up(0x401000), 0x401000);
    }
}
