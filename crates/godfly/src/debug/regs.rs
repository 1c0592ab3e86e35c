//! The registers gdb sees: the target description godfly sends (amd64
//! core, SSE and the segment bases), and the translation between a
//! stopped thread's host context and gdb's register numbers.

use crate::thread::park::{Regs, initial_fx};

/// Where one gdb register lives in a thread's saved state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Loc {
    /// A general register of the host context (`libc::REG_*`), 8 bytes.
    Greg(libc::c_int),
    /// `eflags`: the low 4 bytes of REG_EFL.
    Flags,
    /// A selector packed in REG_CSGSFS at this bit shift (cs 0, gs 16,
    /// fs 32, ss 48); ds and es are always 0 in 64-bit mode.
    Sel(Option<u32>),
    /// x87 register `st(i)`: 10 bytes of the FXSAVE image.
    St(usize),
    /// An x87 control word: `(offset in FXSAVE, bytes)`, shown as 4 bytes.
    FpCtl(usize, usize),
    /// The x87 tag word, full form (FXSAVE keeps the abridged one).
    Ftag,
    /// `xmm(i)`.
    Xmm(usize),
    /// MXCSR (FXSAVE offset 24).
    Mxcsr,
    /// The guest `%fs` base.
    FsBase,
    /// The guest `%gs` base (godfly's own use of %gs is not the guest's: 0).
    GsBase,
    /// The upper half of `ymm(i)`.
    YmmH(usize),
}

/// gdb's register numbers, in the order of [`TARGET_XML`], with sizes.
const REGS: [(&str, usize, Loc); 59] = [
    ("rax", 8, Loc::Greg(libc::REG_RAX)),
    ("rbx", 8, Loc::Greg(libc::REG_RBX)),
    ("rcx", 8, Loc::Greg(libc::REG_RCX)),
    ("rdx", 8, Loc::Greg(libc::REG_RDX)),
    ("rsi", 8, Loc::Greg(libc::REG_RSI)),
    ("rdi", 8, Loc::Greg(libc::REG_RDI)),
    ("rbp", 8, Loc::Greg(libc::REG_RBP)),
    ("rsp", 8, Loc::Greg(libc::REG_RSP)),
    ("r8", 8, Loc::Greg(libc::REG_R8)),
    ("r9", 8, Loc::Greg(libc::REG_R9)),
    ("r10", 8, Loc::Greg(libc::REG_R10)),
    ("r11", 8, Loc::Greg(libc::REG_R11)),
    ("r12", 8, Loc::Greg(libc::REG_R12)),
    ("r13", 8, Loc::Greg(libc::REG_R13)),
    ("r14", 8, Loc::Greg(libc::REG_R14)),
    ("r15", 8, Loc::Greg(libc::REG_R15)),
    ("rip", 8, Loc::Greg(libc::REG_RIP)),
    ("eflags", 4, Loc::Flags),
    ("cs", 4, Loc::Sel(Some(0))),
    ("ss", 4, Loc::Sel(Some(48))),
    ("ds", 4, Loc::Sel(None)),
    ("es", 4, Loc::Sel(None)),
    ("fs", 4, Loc::Sel(Some(32))),
    ("gs", 4, Loc::Sel(Some(16))),
    ("st0", 10, Loc::St(0)),
    ("st1", 10, Loc::St(1)),
    ("st2", 10, Loc::St(2)),
    ("st3", 10, Loc::St(3)),
    ("st4", 10, Loc::St(4)),
    ("st5", 10, Loc::St(5)),
    ("st6", 10, Loc::St(6)),
    ("st7", 10, Loc::St(7)),
    ("fctrl", 4, Loc::FpCtl(0, 2)),
    ("fstat", 4, Loc::FpCtl(2, 2)),
    ("ftag", 4, Loc::Ftag),
    ("fiseg", 4, Loc::FpCtl(12, 4)),
    ("fioff", 4, Loc::FpCtl(8, 4)),
    ("foseg", 4, Loc::FpCtl(20, 4)),
    ("fooff", 4, Loc::FpCtl(16, 4)),
    ("fop", 4, Loc::FpCtl(6, 2)),
    ("xmm0", 16, Loc::Xmm(0)),
    ("xmm1", 16, Loc::Xmm(1)),
    ("xmm2", 16, Loc::Xmm(2)),
    ("xmm3", 16, Loc::Xmm(3)),
    ("xmm4", 16, Loc::Xmm(4)),
    ("xmm5", 16, Loc::Xmm(5)),
    ("xmm6", 16, Loc::Xmm(6)),
    ("xmm7", 16, Loc::Xmm(7)),
    ("xmm8", 16, Loc::Xmm(8)),
    ("xmm9", 16, Loc::Xmm(9)),
    ("xmm10", 16, Loc::Xmm(10)),
    ("xmm11", 16, Loc::Xmm(11)),
    ("xmm12", 16, Loc::Xmm(12)),
    ("xmm13", 16, Loc::Xmm(13)),
    ("xmm14", 16, Loc::Xmm(14)),
    ("xmm15", 16, Loc::Xmm(15)),
    ("mxcsr", 4, Loc::Mxcsr),
    ("fs_base", 8, Loc::FsBase),
    ("gs_base", 8, Loc::GsBase),
];

/// gdb's AVX feature: the upper halves of ymm0-15, after [`REGS`], on a
/// host with AVX.
const AVX_REGS: [(&str, usize, Loc); 16] = [
    ("ymm0h", 16, Loc::YmmH(0)),
    ("ymm1h", 16, Loc::YmmH(1)),
    ("ymm2h", 16, Loc::YmmH(2)),
    ("ymm3h", 16, Loc::YmmH(3)),
    ("ymm4h", 16, Loc::YmmH(4)),
    ("ymm5h", 16, Loc::YmmH(5)),
    ("ymm6h", 16, Loc::YmmH(6)),
    ("ymm7h", 16, Loc::YmmH(7)),
    ("ymm8h", 16, Loc::YmmH(8)),
    ("ymm9h", 16, Loc::YmmH(9)),
    ("ymm10h", 16, Loc::YmmH(10)),
    ("ymm11h", 16, Loc::YmmH(11)),
    ("ymm12h", 16, Loc::YmmH(12)),
    ("ymm13h", 16, Loc::YmmH(13)),
    ("ymm14h", 16, Loc::YmmH(14)),
    ("ymm15h", 16, Loc::YmmH(15)),
];

/// The registers gdb is told of: the AVX ones when the host has AVX.
fn table(avx: bool) -> impl Iterator<Item = &'static (&'static str, usize, Loc)> {
    REGS.iter().chain(AVX_REGS.iter().take(if avx { 16 } else { 0 }))
}

fn entry(avx: bool, n: usize) -> Option<(&'static str, usize, Loc)> {
    table(avx).nth(n).copied()
}

/// Bytes of a whole `g` packet (before hex).
pub fn packet_len(avx: bool) -> usize {
    table(avx).map(|r| r.1).sum()
}

/// How many registers gdb knows.
pub fn count(avx: bool) -> usize {
    table(avx).count()
}

/// The target description: amd64 with x87/SSE and the segment bases, in
/// gdb's own feature names, so gdb lays out `g` packets as [`REGS`] does.
pub fn target_xml(avx: bool) -> String {
    let mut x = String::from(
        r#"<?xml version="1.0"?>
<!DOCTYPE target SYSTEM "gdb-target.dtd">
<target version="1.0">
<architecture>i386:x86-64</architecture>
<feature name="org.gnu.gdb.i386.core">
<flags id="i386_eflags" size="4">
<field name="CF" start="0" end="0"/><field name="" start="1" end="1"/><field name="PF" start="2" end="2"/>
<field name="AF" start="4" end="4"/><field name="ZF" start="6" end="6"/><field name="SF" start="7" end="7"/>
<field name="TF" start="8" end="8"/><field name="IF" start="9" end="9"/><field name="DF" start="10" end="10"/>
<field name="OF" start="11" end="11"/><field name="NT" start="14" end="14"/><field name="RF" start="16" end="16"/>
<field name="VM" start="17" end="17"/><field name="AC" start="18" end="18"/><field name="VIF" start="19" end="19"/>
<field name="VIP" start="20" end="20"/><field name="ID" start="21" end="21"/>
</flags>
"#,
    );
    let ty = |name: &str, loc: Loc| -> &'static str {
        match loc {
            Loc::Greg(_) if name == "rbp" || name == "rsp" => "data_ptr",
            Loc::Greg(_) if name == "rip" => "code_ptr",
            Loc::Greg(_) => "int64",
            Loc::Flags => "i386_eflags",
            Loc::Sel(_) => "int32",
            Loc::St(_) => "i387_ext",
            Loc::FpCtl(..) | Loc::Ftag => "int",
            Loc::Xmm(_) => "vec128",
            Loc::Mxcsr => "i386_mxcsr",
            Loc::FsBase | Loc::GsBase => "int",
            Loc::YmmH(_) => "uint128",
        }
    };
    for (n, (name, size, loc)) in table(avx).enumerate() {
        if *name == "xmm0" {
            x.push_str(
                r#"</feature>
<feature name="org.gnu.gdb.i386.sse">
<vector id="v4f" type="ieee_single" count="4"/><vector id="v2d" type="ieee_double" count="2"/>
<vector id="v16i8" type="int8" count="16"/><vector id="v8i16" type="int16" count="8"/>
<vector id="v4i32" type="int32" count="4"/><vector id="v2i64" type="int64" count="2"/>
<union id="vec128"><field name="v4_float" type="v4f"/><field name="v2_double" type="v2d"/>
<field name="v16_int8" type="v16i8"/><field name="v8_int16" type="v8i16"/><field name="v4_int32" type="v4i32"/>
<field name="v2_int64" type="v2i64"/><field name="uint128" type="uint128"/></union>
<flags id="i386_mxcsr" size="4">
<field name="IE" start="0" end="0"/><field name="DE" start="1" end="1"/><field name="ZE" start="2" end="2"/>
<field name="OE" start="3" end="3"/><field name="UE" start="4" end="4"/><field name="PE" start="5" end="5"/>
<field name="DAZ" start="6" end="6"/><field name="IM" start="7" end="7"/><field name="DM" start="8" end="8"/>
<field name="ZM" start="9" end="9"/><field name="OM" start="10" end="10"/><field name="UM" start="11" end="11"/>
<field name="PM" start="12" end="12"/><field name="FZ" start="15" end="15"/>
</flags>
"#,
            );
        }
        if *name == "fs_base" {
            x.push_str("</feature>\n<feature name=\"org.gnu.gdb.i386.segments\">\n");
        }
        if *name == "ymm0h" {
            x.push_str("</feature>\n<feature name=\"org.gnu.gdb.i386.avx\">\n");
        }
        let group = match loc {
            Loc::FpCtl(..) | Loc::Ftag => " group=\"float\"",
            Loc::Mxcsr => " group=\"vector\"",
            _ => "",
        };
        x.push_str(&format!(
            "<reg name=\"{name}\" bitsize=\"{}\" type=\"{}\" regnum=\"{n}\"{group}/>\n",
            size * 8,
            ty(name, *loc)
        ));
    }
    x.push_str("</feature>\n</target>\n");
    x
}

fn le(v: u64, n: usize) -> Vec<u8> {
    v.to_le_bytes()[..n].to_vec()
}

fn from_le(b: &[u8]) -> u64 {
    let mut a = [0u8; 8];
    a[..b.len().min(8)].copy_from_slice(&b[..b.len().min(8)]);
    u64::from_le_bytes(a)
}

/// The full x87 tag word from FXSAVE's abridged one and the registers.
fn full_tag(fx: &[u8; 512]) -> u16 {
    let top = (u16::from_le_bytes([fx[2], fx[3]]) >> 11) & 7;
    let mut tag = 0u16;
    for phys in 0..8u16 {
        let t = if fx[4] & (1 << phys) == 0 {
            3
        } else {
            let st = ((phys + 8 - top) % 8) as usize;
            let r = &fx[32 + 16 * st..32 + 16 * st + 10];
            let mant = u64::from_le_bytes(r[..8].try_into().unwrap_or_default());
            let exp = u16::from_le_bytes([r[8], r[9]]) & 0x7fff;
            match (exp, mant) {
                (0x7fff, _) => 2,
                (0, 0) => 1,
                (0, _) => 2,
                _ if mant >> 63 == 0 => 2,
                _ => 0,
            }
        };
        tag |= t << (2 * phys);
    }
    tag
}

/// The abridged tag byte for a full tag word.
fn abridged_tag(full: u16) -> u8 {
    (0..8).filter(|i| (full >> (2 * i)) & 3 != 3).fold(0u8, |a, i| a | (1 << i))
}

/// One register's bytes (little-endian, gdb's size).
pub fn read(r: &Regs, avx: bool, n: usize) -> Option<Vec<u8>> {
    let (_, size, loc) = entry(avx, n)?;
    let fx = r.fx.unwrap_or_else(initial_fx);
    let sel = r.gregs[libc::REG_CSGSFS as usize] as u64;
    Some(match loc {
        Loc::Greg(i) => le(r.gregs[i as usize] as u64, 8),
        Loc::Flags => le(r.gregs[libc::REG_EFL as usize] as u64, 4),
        Loc::Sel(Some(shift)) => le((sel >> shift) & 0xffff, 4),
        Loc::Sel(None) => le(0, 4),
        Loc::St(i) => fx[32 + 16 * i..32 + 16 * i + 10].to_vec(),
        Loc::FpCtl(off, n) => {
            let mut v = from_le(&fx[off..off + n]);
            if off == 6 {
                v &= 0x7ff;
            }
            le(v, 4)
        }
        Loc::Ftag => le(u64::from(full_tag(&fx)), 4),
        Loc::Xmm(i) => fx[160 + 16 * i..176 + 16 * i].to_vec(),
        Loc::Mxcsr => fx[24..28].to_vec(),
        Loc::FsBase => le(r.fs_base, 8),
        Loc::GsBase => le(0, 8),
        Loc::YmmH(i) => r.ymm_hi.map_or([0u8; 16].to_vec(), |h| h[16 * i..16 * i + 16].to_vec()),
    })
    .map(|mut v| {
        v.resize(size, 0);
        v
    })
}

/// Writes one register; false if gdb's value has the wrong size or the
/// register cannot change (the selectors, `gs_base`).
pub fn write(r: &mut Regs, avx: bool, n: usize, bytes: &[u8]) -> bool {
    let Some((_, size, loc)) = entry(avx, n) else { return false };
    if bytes.len() != size {
        return false;
    }
    let v = from_le(bytes);
    let mut fx = r.fx.unwrap_or_else(initial_fx);
    match loc {
        Loc::Greg(i) => r.gregs[i as usize] = v as i64,
        Loc::Flags => {
            let old = r.gregs[libc::REG_EFL as usize] as u64;
            r.gregs[libc::REG_EFL as usize] = ((old & !0xffff_ffff) | v) as i64;
        }
        // The selectors are the host's; writing the value they have is fine.
        Loc::Sel(_) | Loc::GsBase => return read(r, avx, n).is_some_and(|cur| cur == bytes),
        Loc::YmmH(i) => {
            // Only a frame with the AVX component can take them.
            let Some(h) = r.ymm_hi.as_mut() else { return bytes.iter().all(|&b| b == 0) };
            h[16 * i..16 * i + 16].copy_from_slice(bytes);
        }
        Loc::St(i) => fx[32 + 16 * i..32 + 16 * i + 10].copy_from_slice(bytes),
        Loc::FpCtl(off, n) => fx[off..off + n].copy_from_slice(&bytes[..n]),
        Loc::Ftag => fx[4] = abridged_tag(v as u16),
        Loc::Xmm(i) => fx[160 + 16 * i..176 + 16 * i].copy_from_slice(bytes),
        Loc::Mxcsr => {
            // A reserved bit would make the kernel's restore fail.
            let mask = match u32::from_le_bytes(fx[28..32].try_into().unwrap_or_default()) {
                0 => 0xffbf,
                m => m,
            };
            if v as u32 & !mask != 0 {
                return false;
            }
            fx[24..28].copy_from_slice(bytes);
        }
        Loc::FsBase => {
            // Only a user-space address: wrfsbase faults on a non-canonical one.
            if v >= 1 << 47 {
                return false;
            }
            r.fs_base = v;
        }
    }
    if matches!(loc, Loc::St(_) | Loc::FpCtl(..) | Loc::Ftag | Loc::Xmm(_) | Loc::Mxcsr) {
        r.fx = Some(fx);
    }
    true
}

/// All registers, as a `g` reply's bytes.
pub fn read_all(r: &Regs, avx: bool) -> Vec<u8> {
    (0..count(avx)).flat_map(|n| read(r, avx, n).unwrap_or_default()).collect()
}

/// Writes all registers from a `G` packet's bytes; false on a wrong
/// length. Registers that cannot change keep their value.
pub fn write_all(r: &mut Regs, avx: bool, bytes: &[u8]) -> bool {
    if bytes.len() != packet_len(avx) {
        return false;
    }
    let mut at = 0;
    for (n, (_, size, _)) in table(avx).enumerate() {
        write(r, avx, n, &bytes[at..at + size]);
        at += size;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn regs() -> Regs {
        let mut gregs = [0i64; 23];
        gregs[libc::REG_RAX as usize] = 0x1122_3344_5566_7788;
        gregs[libc::REG_RIP as usize] = 0x40_1000;
        gregs[libc::REG_EFL as usize] = 0x246;
        gregs[libc::REG_CSGSFS as usize] = (0x2bi64 << 48) | 0x33;
        Regs { gregs, fs_base: 0xc000_0100, ..Regs::default() }
    }

    #[test]
    fn the_g_packet_has_gdbs_amd64_layout() {
        let r = regs();
        let all = read_all(&r, false);
        assert_eq!(all.len(), packet_len(false));
        assert_eq!(packet_len(false), 16 * 8 + 8 + 4 + 6 * 4 + 8 * 10 + 8 * 4 + 16 * 16 + 4 + 2 * 8);
        assert_eq!(&all[..8], &0x1122_3344_5566_7788u64.to_le_bytes());
        assert_eq!(&all[128..136], &0x40_1000u64.to_le_bytes());
        assert_eq!(&all[136..140], &0x246u32.to_le_bytes());
        // cs then ss.
        assert_eq!(&all[140..144], &0x33u32.to_le_bytes());
        assert_eq!(&all[144..148], &0x2bu32.to_le_bytes());
        // fs_base near the end.
        let fsb = packet_len(false) - 16;
        assert_eq!(&all[fsb..fsb + 8], &0xc000_0100u64.to_le_bytes());
    }

    #[test]
    fn a_context_without_fpu_state_shows_the_reset_values() {
        let r = regs();
        assert_eq!(read(&r, false, 32), Some(0x37fu32.to_le_bytes().to_vec()));
        assert_eq!(read(&r, false, 34), Some(0xffffu32.to_le_bytes().to_vec()));
        assert_eq!(read(&r, false, 56), Some(0x1f80u32.to_le_bytes().to_vec()));
    }

    #[test]
    fn writes_reach_the_context_and_read_back() {
        let mut r = regs();
        assert!(write(&mut r, false, 16, &0x40_2000u64.to_le_bytes()));
        assert_eq!(r.gregs[libc::REG_RIP as usize], 0x40_2000);
        assert!(write(&mut r, false, 17, &0x202u32.to_le_bytes()));
        assert_eq!(r.gregs[libc::REG_EFL as usize], 0x202);
        let x = [7u8; 16];
        assert!(write(&mut r, false, 41, &x));
        assert_eq!(read(&r, false, 41), Some(x.to_vec()));
        assert!(write(&mut r, false, 57, &5u64.to_le_bytes()));
        assert_eq!(r.fs_base, 5);
        // Wrong size, unknown register, a selector changed: refused.
        assert!(!write(&mut r, false, 16, &[1, 2]));
        assert!(!write(&mut r, false, 99, &[0; 8]));
        assert!(!write(&mut r, false, 18, &0x10u32.to_le_bytes()));
        // Values the kernel or the CPU would refuse.
        assert!(!write(&mut r, false, 57, &0xffff_8000_0000_0000u64.to_le_bytes()));
        assert!(!write(&mut r, false, 56, &0x1_0000u32.to_le_bytes()));
        assert!(write(&mut r, false, 56, &0x1f80u32.to_le_bytes()));
        let all = read_all(&r, false);
        let mut back = regs();
        assert!(write_all(&mut back, false, &all));
        assert_eq!(read_all(&back, false), all);
    }

    #[test]
    fn the_tag_word_converts_both_ways() {
        let mut fx = initial_fx();
        // st0 holds 1.0 (top 0): physical register 0 valid.
        fx[4] = 1;
        fx[32 + 7] = 0x80;
        fx[32 + 8..32 + 10].copy_from_slice(&0x3fffu16.to_le_bytes());
        assert_eq!(full_tag(&fx), 0xfffc);
        assert_eq!(abridged_tag(0xfffc), 1);
        assert_eq!(abridged_tag(0xffff), 0);
    }

    #[test]
    fn the_target_description_names_every_register_in_order() {
        let x = target_xml(false);
        let mut last = 0;
        for (n, (name, ..)) in REGS.iter().enumerate() {
            let at = x.find(&format!("name=\"{name}\" ")).unwrap_or_else(|| panic!("{name} missing"));
            assert!(at > last, "{name} out of order");
            assert!(x[at..].contains(&format!("regnum=\"{n}\"")));
            last = at;
        }
        assert!(x.contains("org.gnu.gdb.i386.sse") && x.contains("org.gnu.gdb.i386.segments"));
        assert_eq!(x.matches("<feature").count(), x.matches("</feature>").count());
    }

    #[test]
    fn with_avx_the_upper_halves_of_ymm_follow_the_segment_bases() {
        let mut r = regs();
        assert_eq!(count(true), 75);
        assert_eq!(packet_len(true), packet_len(false) + 256);
        // A frame without the AVX component shows zeros and takes only zeros.
        assert_eq!(read(&r, true, 59), Some(vec![0; 16]));
        assert!(!write(&mut r, true, 59, &[1; 16]));
        assert!(read(&r, false, 59).is_none());
        r.ymm_hi = Some([0; 256]);
        assert!(write(&mut r, true, 60, &[9; 16]));
        assert_eq!(read(&r, true, 60), Some(vec![9; 16]));
        assert_eq!(&r.ymm_hi.unwrap()[16..32], &[9; 16]);
        let x = target_xml(true);
        assert!(
            x.contains("org.gnu.gdb.i386.avx")
                && x.contains("name=\"ymm15h\" bitsize=\"128\" type=\"uint128\" regnum=\"74\"")
        );
        assert!(!target_xml(false).contains("ymm0h"));
    }
}
