//! DragonFly's `struct termios` (44 bytes, `sys/_termios.h`): four u32
//! flag words, `c_cc[20]`, and the speeds as literal baud numbers, turned
//! into Linux's `termios2` and back. Flag bits and control-character
//! indexes differ throughout; a bit one system has and the other lacks is
//! dropped going out and kept from the host's current value coming in
//! (so a read-modify-write leaves Linux's IUTF8, say, as it was).

use crate::xlat::termios::{Termios2, linux as l, map_bits, target_mask};

/// Size of DragonFly's `struct termios`.
pub const TERMIOS_LEN: usize = 44;
const NCCS: usize = 20;
/// DragonFly's `_POSIX_VDISABLE`.
const VDISABLE: u8 = 0xff;

/// (DragonFly bit, Linux bit) per flag word.
const IFLAG: &[(u32, u32)] = &[
    (0x1, l::IGNBRK),
    (0x2, l::BRKINT),
    (0x4, l::IGNPAR),
    (0x8, l::PARMRK),
    (0x10, l::INPCK),
    (0x20, l::ISTRIP),
    (0x40, l::INLCR),
    (0x80, l::IGNCR),
    (0x100, l::ICRNL),
    (0x200, l::IXON),
    (0x400, l::IXOFF),
    (0x800, l::IXANY),
    (0x2000, l::IMAXBEL),
];
const OFLAG: &[(u32, u32)] = &[(0x1, l::OPOST), (0x2, l::ONLCR), (0x10, l::OCRNL), (0x20, l::ONOCR), (0x40, l::ONLRET)];
/// OXTABS (TAB3): expand tabs.
const OXTABS: u32 = 0x4;
const CFLAG: &[(u32, u32)] = &[
    (0x400, l::CSTOPB),
    (0x800, l::CREAD),
    (0x1000, l::PARENB),
    (0x2000, l::PARODD),
    (0x4000, l::HUPCL),
    (0x8000, l::CLOCAL),
    (0x30000, l::CRTSCTS),
];
const CSIZE: u32 = 0x300;
const LFLAG: &[(u32, u32)] = &[
    (0x1, l::ECHOKE),
    (0x2, l::ECHOE),
    (0x4, l::ECHOK),
    (0x8, l::ECHO),
    (0x10, l::ECHONL),
    (0x20, l::ECHOPRT),
    (0x40, l::ECHOCTL),
    (0x80, l::ISIG),
    (0x100, l::ICANON),
    (0x400, l::IEXTEN),
    (0x800, l::EXTPROC),
    (0x40_0000, l::TOSTOP),
    (0x80_0000, l::FLUSHO),
    (0x2000_0000, l::PENDIN),
    (0x8000_0000, l::NOFLSH),
];
/// (DragonFly c_cc index, Linux c_cc index).
const CC: &[(usize, usize)] = &[
    (0, l::VEOF),
    (1, l::VEOL),
    (2, l::VEOL2),
    (3, l::VERASE),
    (4, l::VWERASE),
    (5, l::VKILL),
    (6, l::VREPRINT),
    (8, l::VINTR),
    (9, l::VQUIT),
    (10, l::VSUSP),
    (12, l::VSTART),
    (13, l::VSTOP),
    (14, l::VLNEXT),
    (15, l::VDISCARD),
];
const VMIN: usize = 16;
const VTIME: usize = 17;
/// DragonFly-only characters shown with their defaults (`ttydefaults.h`):
/// VERASE2 ^H, VDSUSP ^Y, VSTATUS ^T, VCHECKPT ^E.
const DFLY_ONLY_CC: &[(usize, u8)] = &[(7, 0x08), (11, 0x19), (18, 0x14), (19, 0x05)];

fn u32_at(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4).and_then(|s| s.try_into().ok()).map_or(0, u32::from_ne_bytes)
}

/// DragonFly's view of the host's attributes.
pub fn from_linux(t: &Termios2) -> [u8; TERMIOS_LEN] {
    let rev = |pairs: &[(u32, u32)], v: u32| -> u32 {
        pairs.iter().filter(|(_, b)| v & b == *b).fold(0, |acc, (a, _)| acc | a)
    };
    let iflag = rev(IFLAG, t.iflag);
    let oflag = rev(OFLAG, t.oflag) | if t.oflag & l::TABDLY == l::XTABS { OXTABS } else { 0 };
    let csize = match t.cflag & l::CSIZE {
        l::CS6 => 0x100,
        l::CS7 => 0x200,
        l::CS8 => 0x300,
        _ => 0,
    };
    let cflag = rev(CFLAG, t.cflag) | csize;
    let lflag = rev(LFLAG, t.lflag);
    let mut cc = [VDISABLE; NCCS];
    for &(d, x) in CC {
        let c = t.cc[x];
        cc[d] = if c == l::VDISABLE { VDISABLE } else { c };
    }
    cc[VMIN] = t.cc[l::VMIN];
    cc[VTIME] = t.cc[l::VTIME];
    for &(d, c) in DFLY_ONLY_CC {
        cc[d] = c;
    }
    let mut out = [0u8; TERMIOS_LEN];
    for (i, v) in [iflag, oflag, cflag, lflag].into_iter().enumerate() {
        out[4 * i..4 * i + 4].copy_from_slice(&v.to_ne_bytes());
    }
    out[16..36].copy_from_slice(&cc);
    out[36..40].copy_from_slice(&t.ispeed.to_ne_bytes());
    out[40..44].copy_from_slice(&t.ospeed.to_ne_bytes());
    out
}

/// The host attributes for DragonFly's `g`, starting from the host's
/// current `cur` (bits DragonFly has no name for stay as they are).
pub fn to_linux(g: &[u8], cur: &Termios2) -> Termios2 {
    let (iflag, oflag, cflag, lflag) = (u32_at(g, 0), u32_at(g, 4), u32_at(g, 8), u32_at(g, 12));
    let mut t = *cur;
    t.iflag = (cur.iflag & !target_mask(IFLAG)) | map_bits(iflag, IFLAG);
    t.oflag = (cur.oflag & !(target_mask(OFLAG) | l::TABDLY))
        | map_bits(oflag, OFLAG)
        | if oflag & OXTABS != 0 { l::XTABS } else { 0 };
    let csize = match cflag & CSIZE {
        0x100 => l::CS6,
        0x200 => l::CS7,
        0x300 => l::CS8,
        _ => 0,
    };
    t.cflag = (cur.cflag & !(target_mask(CFLAG) | l::CSIZE | l::CBAUD | l::CIBAUD))
        | map_bits(cflag, CFLAG)
        | csize
        | l::BOTHER
        | (l::BOTHER << 16);
    t.lflag = (cur.lflag & !target_mask(LFLAG)) | map_bits(lflag, LFLAG);
    let cc = g.get(16..36).unwrap_or(&[0; NCCS]);
    for &(d, x) in CC {
        t.cc[x] = if cc[d] == VDISABLE { l::VDISABLE } else { cc[d] };
    }
    t.cc[l::VMIN] = cc[VMIN];
    t.cc[l::VTIME] = cc[VTIME];
    t.ispeed = u32_at(g, 36);
    t.ospeed = u32_at(g, 40);
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    fn linux_default() -> Termios2 {
        let mut t = Termios2 {
            iflag: l::BRKINT | l::ICRNL | l::IXON | l::IMAXBEL | 0o40000, // IUTF8
            oflag: l::OPOST | l::ONLCR,
            cflag: l::CREAD | l::CS8 | l::HUPCL | 0o17, // B38400
            lflag: l::ISIG | l::ICANON | l::ECHO | l::ECHOE | l::ECHOK | l::ECHOCTL | l::ECHOKE | l::IEXTEN,
            ispeed: 38400,
            ospeed: 38400,
            ..Default::default()
        };
        t.cc[l::VINTR] = 3;
        t.cc[l::VEOF] = 4;
        t.cc[l::VERASE] = 0x7f;
        t.cc[l::VMIN] = 1;
        t
    }

    #[test]
    fn a_linux_terminal_reads_as_dragonflys_defaults() {
        let g = from_linux(&linux_default());
        assert_eq!(u32_at(&g, 0), 0x2b02 & !0x800, "BRKINT|ICRNL|IXON|IMAXBEL (no IXANY here)");
        assert_eq!(u32_at(&g, 4), 0x3, "OPOST|ONLCR");
        assert_eq!(u32_at(&g, 8), 0x4b00, "CREAD|CS8|HUPCL");
        assert_eq!(u32_at(&g, 12), 0x5cb | 0x4, "ICANON|ISIG|IEXTEN|ECHO|ECHOE|ECHOKE|ECHOCTL, and ECHOK");
        assert_eq!((g[16 + 8], g[16], g[16 + 3], g[16 + VMIN]), (3, 4, 0x7f, 1));
        assert_eq!(g[16 + 1], VDISABLE, "a disabled character is 0xff on DragonFly");
        assert_eq!(u32_at(&g, 36), 38400);
    }

    #[test]
    fn raw_mode_round_trips_and_keeps_linux_only_bits() {
        let cur = linux_default();
        let mut g = from_linux(&cur);
        // x/term's MakeRaw.
        let clear_i = 0x1 | 0x2 | 0x8 | 0x20 | 0x40 | 0x80 | 0x100 | 0x200;
        let (i, o, c, lf) = (u32_at(&g, 0), u32_at(&g, 4), u32_at(&g, 8), u32_at(&g, 12));
        g[0..4].copy_from_slice(&(i & !clear_i).to_ne_bytes());
        g[4..8].copy_from_slice(&(o & !0x1).to_ne_bytes());
        g[12..16].copy_from_slice(&(lf & !(0x8 | 0x10 | 0x100 | 0x80 | 0x400)).to_ne_bytes());
        g[8..12].copy_from_slice(&((c & !(CSIZE | 0x1000)) | 0x300).to_ne_bytes());
        g[16 + VMIN] = 1;
        g[16 + VTIME] = 0;
        let t = to_linux(&g, &cur);
        assert_eq!(t.iflag & (l::ICRNL | l::IXON | l::BRKINT), 0);
        assert_ne!(t.iflag & 0o40000, 0, "IUTF8 kept");
        assert_eq!(t.oflag & l::OPOST, 0);
        assert_eq!(t.lflag & (l::ECHO | l::ICANON | l::ISIG | l::IEXTEN), 0);
        assert_eq!(t.cflag & l::CSIZE, l::CS8);
        assert_eq!(t.cflag & l::CBAUD, l::BOTHER);
        assert_eq!((t.cc[l::VMIN], t.cc[l::VTIME]), (1, 0));
        assert_eq!(from_linux(&t)[..16], g[..16], "the flags come back as set");
    }
}
