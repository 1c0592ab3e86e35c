//! Core files of the guest: on a fatal signal, with `--core FILE` or when
//! the soft `RLIMIT_CORE` allows (then `NAME.core` in the working
//! directory, DragonFly's default `kern.corefile`), an ELF core that the
//! host's gdb opens with the program: every guest thread's registers and
//! the guest's memory, nothing of godfly's.
//!
//! The notes are in the Linux layout (`CORE` notes, `elf_prstatus`,
//! FXSAVE), which every gdb for x86-64 Linux reads; the signal in them is
//! the host's number for the guest's signal, so gdb names it right.

use std::io::Write;
use std::path::PathBuf;

use crate::sync::Startup;
use crate::thread::park::Regs;

/// `--core FILE`.
static CORE_FILE: Startup<PathBuf> = Startup::new();

/// Sets the core file of `--core` (at start-up).
pub fn set_path(path: PathBuf) {
    let _ = CORE_FILE.set(path);
}

/// One thread in the core.
#[derive(Debug, Clone)]
pub struct Thread {
    pub tid: i32,
    pub regs: Regs,
}

const NT_PRSTATUS: u32 = 1;
const NT_FPREGSET: u32 = 2;
const NT_PRPSINFO: u32 = 3;
const NT_X86_XSTATE: u32 = 0x202;
/// x87, SSE and AVX: the XSAVE features a core's xstate note holds.
const XCR0_AVX: u64 = 7;
/// Their standard-format XSAVE image: legacy area, header, AVX.
const XSAVE_AVX_SIZE: usize = 832;

/// A thread's xstate note (`NT_X86_XSTATE`): the FXSAVE image, the XCR0
/// the image describes at the offset Linux keeps it (464), the header,
/// and the ymm upper halves (zero when the frame had none).
fn xstate(fx: &[u8; 512], ymm_hi: Option<&[u8; 256]>) -> Vec<u8> {
    let mut x = vec![0u8; XSAVE_AVX_SIZE];
    x[..512].copy_from_slice(fx);
    x[464..472].copy_from_slice(&XCR0_AVX.to_le_bytes());
    x[472..512].fill(0);
    x[512..520].copy_from_slice(&XCR0_AVX.to_le_bytes());
    if let Some(h) = ymm_hi {
        x[576..832].copy_from_slice(h);
    }
    x
}
const PRSTATUS_SIZE: usize = 336;
const PRPSINFO_SIZE: usize = 136;
const PF_X: u32 = 1;
const PF_W: u32 = 2;
const PF_R: u32 = 4;

fn note(out: &mut Vec<u8>, name: &[u8], ty: u32, desc: &[u8]) {
    out.extend_from_slice(&(name.len() as u32 + 1).to_le_bytes());
    out.extend_from_slice(&(desc.len() as u32).to_le_bytes());
    out.extend_from_slice(&ty.to_le_bytes());
    out.extend_from_slice(name);
    out.push(0);
    while !out.len().is_multiple_of(4) {
        out.push(0);
    }
    out.extend_from_slice(desc);
    while !out.len().is_multiple_of(4) {
        out.push(0);
    }
}

/// Linux's `user_regs_struct` order from a host context's registers.
fn user_regs(r: &Regs) -> [u64; 27] {
    let g = |i: libc::c_int| r.gregs[i as usize] as u64;
    let sel = g(libc::REG_CSGSFS);
    [
        g(libc::REG_R15),
        g(libc::REG_R14),
        g(libc::REG_R13),
        g(libc::REG_R12),
        g(libc::REG_RBP),
        g(libc::REG_RBX),
        g(libc::REG_R11),
        g(libc::REG_R10),
        g(libc::REG_R9),
        g(libc::REG_R8),
        g(libc::REG_RAX),
        g(libc::REG_RCX),
        g(libc::REG_RDX),
        g(libc::REG_RSI),
        g(libc::REG_RDI),
        u64::MAX, // orig_rax: no call being restarted
        g(libc::REG_RIP),
        sel & 0xffff,
        g(libc::REG_EFL),
        g(libc::REG_RSP),
        (sel >> 48) & 0xffff,
        r.fs_base,
        0,
        0,
        0,
        0,
        0,
    ]
}

/// The note segment: each thread's status and FPU registers (the
/// faulting one first, which gdb shows as current) and the process's
/// name.
pub fn notes(threads: &[Thread], (pid, ppid): (i32, i32), host_sig: i32, name: &str, avx: bool) -> Vec<u8> {
    let mut out = Vec::new();
    for t in threads {
        let mut st = vec![0u8; PRSTATUS_SIZE];
        st[0..4].copy_from_slice(&host_sig.to_le_bytes());
        st[12..14].copy_from_slice(&(host_sig as u16).to_le_bytes());
        st[32..36].copy_from_slice(&t.tid.to_le_bytes());
        st[36..40].copy_from_slice(&ppid.to_le_bytes());
        for (i, v) in user_regs(&t.regs).iter().enumerate() {
            st[112 + 8 * i..120 + 8 * i].copy_from_slice(&v.to_le_bytes());
        }
        st[328..332].copy_from_slice(&1i32.to_le_bytes());
        note(&mut out, b"CORE", NT_PRSTATUS, &st);
        let fx = t.regs.fx.unwrap_or_else(crate::thread::park::initial_fx);
        note(&mut out, b"CORE", NT_FPREGSET, &fx);
        if avx {
            note(&mut out, b"LINUX", NT_X86_XSTATE, &xstate(&fx, t.regs.ymm_hi.as_ref()));
        }
    }
    let mut ps = vec![0u8; PRPSINFO_SIZE];
    ps[1] = b'R';
    ps[24..28].copy_from_slice(&pid.to_le_bytes());
    ps[28..32].copy_from_slice(&ppid.to_le_bytes());
    let n = name.as_bytes();
    ps[40..40 + n.len().min(15)].copy_from_slice(&n[..n.len().min(15)]);
    ps[56..56 + n.len().min(79)].copy_from_slice(&n[..n.len().min(79)]);
    note(&mut out, b"CORE", NT_PRPSINFO, &ps);
    out
}

/// A guest mapping in the core: range and `PF_*` flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    pub start: u64,
    pub end: u64,
    pub flags: u32,
}

/// The guest's mappings with their permissions: the guest's ranges cut
/// by the host's `/proc/self/maps` lines.
pub fn segments(maps: &str, guest: &[(u64, u64)]) -> Vec<Segment> {
    let mut out = Vec::new();
    for line in maps.lines() {
        let mut f = line.split_whitespace();
        let (Some(range), Some(perms)) = (f.next(), f.next()) else { continue };
        let Some((a, b)) = range.split_once('-') else { continue };
        let (Ok(a), Ok(b)) = (u64::from_str_radix(a, 16), u64::from_str_radix(b, 16)) else { continue };
        let p = perms.as_bytes();
        let flags = [(b'r', PF_R), (b'w', PF_W), (b'x', PF_X)]
            .iter()
            .enumerate()
            .filter(|(i, (c, _))| p.get(*i) == Some(c))
            .fold(0, |acc, (_, (_, fl))| acc | fl);
        for &(gs, ge) in guest {
            let (s, e) = (a.max(gs), b.min(ge));
            if s < e {
                out.push(Segment { start: s, end: e, flags });
            }
        }
    }
    out.sort_by_key(|s| s.start);
    out
}

/// The ELF header and program headers for the notes and segments, with
/// each segment's file size (0 past `limit`, as the kernel stops at its
/// limit): the bytes before the first segment's contents.
pub fn headers(note_len: usize, segs: &[Segment], limit: Option<u64>) -> (Vec<u8>, Vec<u64>) {
    let phnum = 1 + segs.len();
    let mut off = (64 + 56 * phnum + note_len) as u64;
    off = (off + 4095) & !4095;
    let mut h = Vec::with_capacity(64 + 56 * phnum);
    h.extend_from_slice(b"\x7fELF\x02\x01\x01\x00");
    h.extend_from_slice(&[0; 8]);
    h.extend_from_slice(&4u16.to_le_bytes()); // ET_CORE
    h.extend_from_slice(&62u16.to_le_bytes()); // EM_X86_64
    h.extend_from_slice(&1u32.to_le_bytes());
    h.extend_from_slice(&0u64.to_le_bytes()); // entry
    h.extend_from_slice(&64u64.to_le_bytes()); // phoff
    h.extend_from_slice(&0u64.to_le_bytes()); // shoff
    h.extend_from_slice(&0u32.to_le_bytes());
    h.extend_from_slice(&64u16.to_le_bytes());
    h.extend_from_slice(&56u16.to_le_bytes());
    h.extend_from_slice(&(phnum.min(0xffff) as u16).to_le_bytes());
    h.extend_from_slice(&64u16.to_le_bytes());
    h.extend_from_slice(&[0; 4]);
    let ph = |h: &mut Vec<u8>, ty: u32, flags: u32, off: u64, vaddr: u64, filesz: u64, memsz: u64, align: u64| {
        h.extend_from_slice(&ty.to_le_bytes());
        h.extend_from_slice(&flags.to_le_bytes());
        for v in [off, vaddr, 0, filesz, memsz, align] {
            h.extend_from_slice(&v.to_le_bytes());
        }
    };
    ph(&mut h, 4, 0, (64 + 56 * phnum) as u64, 0, note_len as u64, 0, 4);
    let mut sizes = Vec::with_capacity(segs.len());
    for s in segs {
        let len = s.end - s.start;
        let fits = limit.is_none_or(|l| off + len <= l);
        let filesz = if s.flags & PF_R != 0 && fits { len } else { 0 };
        ph(&mut h, 1, s.flags, off, s.start, filesz, len, 4096);
        off += filesz;
        sizes.push(filesz);
    }
    (h, sizes)
}

/// The guest program's file name (the core's name and its `pr_fname`).
fn program_name() -> Option<String> {
    let exe = crate::process::facts()?.exe_path.clone();
    std::path::Path::new(&exe).file_name().map(|n| n.to_string_lossy().into_owned())
}

/// Where a core of this process goes, and the size it may have: `--core`
/// (no limit), or `NAME.core` when the soft RLIMIT_CORE is not 0.
pub fn destination() -> Option<(PathBuf, Option<u64>)> {
    if let Some(p) = CORE_FILE.get() {
        return Some((p.clone(), None));
    }
    let rl = crate::host::proc::getrlimit(libc::RLIMIT_CORE).ok()?;
    if rl.rlim_cur == 0 {
        return None;
    }
    let name = program_name().unwrap_or_else(|| "godfly".into());
    let limit = (rl.rlim_cur != libc::RLIM_INFINITY).then_some(rl.rlim_cur);
    Some((PathBuf::from(format!("{name}.core")), limit))
}

/// Writes the core: the calling thread `me` (with `own` registers) first,
/// then every other guest thread, held where it is. Returns the path, or
/// why not. The other threads stay held: the process is ending.
pub fn dump(me: i32, own: Regs, host_sig: i32) -> Result<PathBuf, String> {
    let (path, limit) = destination().ok_or("no core wanted")?;
    super::hold_all_for_core(me, std::time::Duration::from_millis(500));
    let mut threads = vec![Thread { tid: me, regs: own }];
    let mut others: Vec<_> = crate::thread::all_tids().into_iter().filter(|(t, _)| *t != me).collect();
    others.sort_by_key(|(t, _)| *t);
    for (tid, info) in others {
        if let Some(regs) = info.slot.regs() {
            threads.push(Thread { tid, regs });
        }
    }
    let name = program_name().unwrap_or_default();
    let avx = crate::host::xstate().is_some_and(|x| x.features & crate::arch::xstate::AVX != 0);
    let ids = (crate::host::proc::getpid(), crate::host::proc::getppid());
    let notes = notes(&threads, ids, host_sig, &name, avx);
    let maps = std::fs::read_to_string("/proc/self/maps").map_err(|e| format!("/proc/self/maps: {e}"))?;
    let guest: Vec<(u64, u64)> = crate::mem::owned::guest().ranges().collect();
    let segs = segments(&maps, &guest);
    let (head, sizes) = headers(notes.len(), &segs, limit);
    use std::os::unix::fs::OpenOptionsExt;
    // As DragonFly writes cores: readable by the owner alone, and never
    // through a symbolic link someone left in the directory.
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let mut w = std::io::BufWriter::new(file);
    let err = |e: std::io::Error| format!("{}: {e}", path.display());
    w.write_all(&head).map_err(err)?;
    w.write_all(&notes).map_err(err)?;
    let at = head.len() + notes.len();
    w.write_all(&vec![0u8; ((at + 4095) & !4095) - at]).map_err(err)?;
    // Fixed-size pieces: a guest's mapping sizes never size a buffer.
    const CHUNK: u64 = 1 << 16;
    for (s, &filesz) in segs.iter().zip(&sizes) {
        let mut a = s.start;
        while a < s.start + filesz {
            let n = CHUNK.min(s.start + filesz - a) as usize;
            let mut piece = super::mem_read(a, n).unwrap_or_default();
            piece.resize(n, 0);
            crate::stubs::show_original(a, &mut piece);
            w.write_all(&piece).map_err(err)?;
            a += n as u64;
        }
    }
    w.flush().map_err(err)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn regs(rip: u64) -> Regs {
        let mut gregs = [0i64; 23];
        gregs[libc::REG_RIP as usize] = rip as i64;
        gregs[libc::REG_RSP as usize] = 0x7000;
        gregs[libc::REG_CSGSFS as usize] = (0x2bi64 << 48) | 0x33;
        Regs { gregs, fs_base: 0x1234, ..Regs::default() }
    }

    #[test]
    fn each_thread_gets_a_linux_prstatus_with_its_registers() {
        let n = notes(
            &[Thread { tid: 1, regs: regs(0x401000) }, Thread { tid: 2, regs: regs(0x402000) }],
            (77, 1),
            11,
            "crash",
            false,
        );
        // namesz 5, descsz 336, type 1, "CORE\0" padded to 8.
        assert_eq!(&n[0..12], &[5, 0, 0, 0, 0x50, 1, 0, 0, 1, 0, 0, 0]);
        assert_eq!(&n[12..17], b"CORE\0");
        let st = &n[20..20 + PRSTATUS_SIZE];
        assert_eq!(i32::from_le_bytes(st[0..4].try_into().unwrap()), 11);
        assert_eq!(i32::from_le_bytes(st[32..36].try_into().unwrap()), 1);
        let reg = |i: usize| u64::from_le_bytes(st[112 + 8 * i..120 + 8 * i].try_into().unwrap());
        assert_eq!(reg(16), 0x401000); // rip
        assert_eq!(reg(17), 0x33); // cs
        assert_eq!(reg(19), 0x7000); // rsp
        assert_eq!(reg(20), 0x2b); // ss
        assert_eq!(reg(21), 0x1234); // fs_base
        // Two threads (status + FPU each) and the process info.
        assert_eq!(n.len(), 2 * (20 + PRSTATUS_SIZE + 20 + 512) + 20 + PRPSINFO_SIZE);
        // With AVX, each thread also has its xstate note ("LINUX\0" padded to 8).
        let a = notes(&[Thread { tid: 1, regs: regs(0x401000) }], (77, 1), 11, "crash", true);
        assert_eq!(a.len(), 20 + PRSTATUS_SIZE + 20 + 512 + 20 + XSAVE_AVX_SIZE + 20 + PRPSINFO_SIZE);
    }

    #[test]
    fn the_xstate_note_says_which_features_it_holds() {
        let mut hi = [0u8; 256];
        hi[0] = 0xab;
        let x = xstate(&crate::thread::park::initial_fx(), Some(&hi));
        assert_eq!(x.len(), XSAVE_AVX_SIZE);
        assert_eq!(u64::from_le_bytes(x[464..472].try_into().unwrap()), 7);
        assert_eq!(u64::from_le_bytes(x[512..520].try_into().unwrap()), 7);
        assert_eq!(x[576], 0xab);
    }

    #[test]
    fn only_the_guests_ranges_go_in_with_the_hosts_permissions() {
        let maps = "00400000-00402000 r-xp 00000000 08:01 1 /prog\n\
                    00402000-00403000 rw-p 00000000 00:00 0\n\
                    7f0000000000-7f0000100000 rw-p 00000000 00:00 0 [godfly heap]\n\
                    c000000000-c000400000 ---p 00000000 00:00 0\n";
        let guest = [(0x400000, 0x403000), (0xc000000000, 0xc000400000)];
        let s = segments(maps, &guest);
        assert_eq!(
            s,
            vec![
                Segment { start: 0x400000, end: 0x402000, flags: PF_R | PF_X },
                Segment { start: 0x402000, end: 0x403000, flags: PF_R | PF_W },
                Segment { start: 0xc000000000, end: 0xc000400000, flags: 0 },
            ]
        );
        let (h, sizes) = headers(100, &s, None);
        assert_eq!(&h[..4], b"\x7fELF");
        assert_eq!(h.len(), 64 + 56 * 4);
        // Unreadable memory has no contents in the file.
        assert_eq!(sizes, vec![0x2000, 0x1000, 0]);
        // A limit leaves out what does not fit.
        let (_, cut) = headers(100, &s, Some(4096 + 0x2000));
        assert_eq!(cut, vec![0x2000, 0, 0]);
    }
}
