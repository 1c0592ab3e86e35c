//! The GDB remote serial protocol's framing and commands, as pure
//! functions: `$payload#ck` packets with `}` escapes, acknowledgements,
//! the interrupt byte, and the commands godfly's stub answers.

/// What the byte stream from gdb brought.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A whole packet with a good checksum (unescaped payload).
    Packet(Vec<u8>),
    /// A packet whose checksum did not match: answer `-`.
    Corrupt,
    /// Ctrl-C (0x03) outside a packet.
    Interrupt,
    /// `+` or `-` from gdb.
    Ack(bool),
}

/// Splits gdb's byte stream into [`Input`]s.
#[derive(Debug, Default)]
pub struct Decoder {
    buf: Vec<u8>,
    in_packet: bool,
    /// How many checksum digits are still to come (0 while in the payload).
    sum_left: u8,
}

/// The largest packet godfly takes (it says so in `qSupported`); longer
/// ones are dropped as corrupt rather than grown without bound.
pub const MAX_PACKET: usize = 0x4000;

impl Decoder {
    /// Feeds bytes; returns the inputs they completed.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<Input> {
        let mut out = Vec::new();
        for &b in bytes {
            if !self.in_packet {
                match b {
                    b'$' => {
                        self.in_packet = true;
                        self.sum_left = 0;
                        self.buf.clear();
                    }
                    0x03 => out.push(Input::Interrupt),
                    b'+' => out.push(Input::Ack(true)),
                    b'-' => out.push(Input::Ack(false)),
                    _ => {}
                }
                continue;
            }
            if self.sum_left > 0 {
                self.buf.push(b);
                self.sum_left -= 1;
                if self.sum_left == 0 {
                    self.in_packet = false;
                    out.push(self.finish());
                }
            } else if b == b'#' {
                self.buf.push(b);
                self.sum_left = 2;
            } else if self.buf.len() >= MAX_PACKET {
                self.in_packet = false;
                self.buf.clear();
                out.push(Input::Corrupt);
            } else {
                self.buf.push(b);
            }
        }
        out
    }

    fn finish(&mut self) -> Input {
        let raw = std::mem::take(&mut self.buf);
        let (body, sum) = raw.split_at(raw.len() - 3);
        let want = std::str::from_utf8(&sum[1..]).ok().and_then(|s| u8::from_str_radix(s, 16).ok());
        if want != Some(checksum(body)) {
            return Input::Corrupt;
        }
        Input::Packet(unescape(body))
    }
}

/// The modulo-256 sum of a packet's bytes as sent.
pub fn checksum(data: &[u8]) -> u8 {
    data.iter().fold(0u8, |a, b| a.wrapping_add(*b))
}

fn unescape(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let mut esc = false;
    for &b in body {
        if esc {
            out.push(b ^ 0x20);
            esc = false;
        } else if b == b'}' {
            esc = true;
        } else {
            out.push(b);
        }
    }
    out
}

/// A packet as sent: `$`, the escaped payload, `#`, the checksum.
pub fn frame(payload: &[u8]) -> Vec<u8> {
    let mut body = Vec::with_capacity(payload.len() + 4);
    for &b in payload {
        if matches!(b, b'$' | b'#' | b'}' | b'*') {
            body.push(b'}');
            body.push(b ^ 0x20);
        } else {
            body.push(b);
        }
    }
    let mut out = Vec::with_capacity(body.len() + 4);
    out.push(b'$');
    out.extend_from_slice(&body);
    out.extend_from_slice(format!("#{:02x}", checksum(&body)).as_bytes());
    out
}

/// Lower-case hex of bytes.
pub fn hex(data: &[u8]) -> String {
    data.iter().map(|b| format!("{b:02x}")).collect()
}

/// Bytes from hex; `None` on an odd length or a bad digit.
pub fn unhex(s: &[u8]) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    s.chunks(2).map(|c| u8::from_str_radix(std::str::from_utf8(c).ok()?, 16).ok()).collect()
}

fn num(s: &[u8]) -> Option<u64> {
    u64::from_str_radix(std::str::from_utf8(s).ok()?, 16).ok()
}

/// A thread id in a packet: `-1` all, `0` any, else an LWP id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tid {
    All,
    Any,
    Id(i32),
}

fn tid(s: &[u8]) -> Option<Tid> {
    match s {
        b"-1" => Some(Tid::All),
        b"0" => Some(Tid::Any),
        _ => i32::try_from(num(s)?).ok().map(Tid::Id),
    }
}

/// What a resumed thread does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resume {
    /// Continue, with a gdb signal number to deliver if given.
    Continue(Option<u8>),
    /// One instruction, with a signal if given.
    Step(Option<u8>),
    /// Stay stopped (`vCont;t`).
    Stop,
}

/// The commands the stub answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `?`
    StopReason,
    /// `g`
    ReadRegs,
    /// `G` with the register bytes.
    WriteRegs(Vec<u8>),
    /// `p n`
    ReadReg(usize),
    /// `P n=bytes`
    WriteReg(usize, Vec<u8>),
    /// `m addr,len`
    ReadMem(u64, usize),
    /// `M addr,len:hex` (or `X addr,len:binary`)
    WriteMem(u64, Vec<u8>),
    /// `Hg`/`Hc` with the thread.
    SetThread(u8, Tid),
    /// `T tid`
    ThreadAlive(Tid),
    /// `c`, `C sig`, `s`, `S sig`, and `vCont;...` (action, thread or all).
    Resume(Vec<(Resume, Tid)>),
    /// `Z kind,addr,len` (insert) and `z` (remove).
    Breakpoint { insert: bool, kind: u8, addr: u64, len: u64 },
    /// `k` or `vKill`.
    Kill,
    /// `D`.
    Detach,
    /// `q...`: the query text.
    Query(Vec<u8>),
    /// `Q...`: the setting text.
    Set(Vec<u8>),
    /// `vCont?`
    VContQuery,
    /// Anything else: answered with an empty packet (unsupported).
    Unknown,
}

/// The largest memory read or write one packet may ask for.
pub const MAX_MEM: usize = (MAX_PACKET - 32) / 2;

fn sig_arg(s: &[u8]) -> Option<Option<u8>> {
    if s.is_empty() {
        return Some(None);
    }
    let end = s.iter().position(|&b| b == b';').unwrap_or(s.len());
    Some(Some(u8::try_from(num(&s[..end])?).ok()?))
}

fn addr_len(s: &[u8]) -> Option<(u64, u64)> {
    let comma = s.iter().position(|&b| b == b',')?;
    Some((num(&s[..comma])?, num(&s[comma + 1..])?))
}

fn parse_vcont(s: &[u8]) -> Option<Vec<(Resume, Tid)>> {
    let mut out = Vec::new();
    for part in s.split(|&b| b == b';').filter(|p| !p.is_empty()) {
        let (act, t) = match part.iter().position(|&b| b == b':') {
            Some(c) => (&part[..c], tid(&part[c + 1..])?),
            None => (part, Tid::All),
        };
        let r = match act.first()? {
            b'c' => Resume::Continue(None),
            b's' => Resume::Step(None),
            b'C' => Resume::Continue(Some(u8::try_from(num(&act[1..])?).ok()?)),
            b'S' => Resume::Step(Some(u8::try_from(num(&act[1..])?).ok()?)),
            b't' => Resume::Stop,
            _ => return None,
        };
        out.push((r, t));
    }
    (!out.is_empty()).then_some(out)
}

/// Parses one packet; `None` for a malformed one (answered `E01`).
pub fn parse(p: &[u8]) -> Option<Command> {
    let Some((&first, rest)) = p.split_first() else { return Some(Command::Unknown) };
    Some(match first {
        b'?' => Command::StopReason,
        b'g' => Command::ReadRegs,
        b'G' => Command::WriteRegs(unhex(rest)?),
        b'p' => Command::ReadReg(usize::try_from(num(rest)?).ok()?),
        b'P' => {
            let eq = rest.iter().position(|&b| b == b'=')?;
            Command::WriteReg(usize::try_from(num(&rest[..eq])?).ok()?, unhex(&rest[eq + 1..])?)
        }
        b'm' => {
            let (a, l) = addr_len(rest)?;
            Command::ReadMem(a, usize::try_from(l).ok()?.min(MAX_MEM))
        }
        b'M' | b'X' => {
            let colon = rest.iter().position(|&b| b == b':')?;
            let (a, l) = addr_len(&rest[..colon])?;
            let data = if first == b'M' { unhex(&rest[colon + 1..])? } else { rest[colon + 1..].to_vec() };
            if data.len() as u64 != l {
                return None;
            }
            Command::WriteMem(a, data)
        }
        b'H' if !rest.is_empty() => Command::SetThread(rest[0], tid(&rest[1..])?),
        b'T' => Command::ThreadAlive(tid(rest)?),
        b'c' => Command::Resume(vec![(Resume::Continue(None), Tid::All)]),
        b's' => Command::Resume(vec![(Resume::Step(None), Tid::All)]),
        b'C' => Command::Resume(vec![(Resume::Continue(sig_arg(rest)?), Tid::All)]),
        b'S' => Command::Resume(vec![(Resume::Step(sig_arg(rest)?), Tid::All)]),
        b'Z' | b'z' => {
            let kind = rest.first()?.checked_sub(b'0')?;
            let (a, l) = addr_len(rest.get(2..)?.split(|&b| b == b';').next()?)?;
            Command::Breakpoint { insert: first == b'Z', kind, addr: a, len: l }
        }
        b'k' => Command::Kill,
        b'D' => Command::Detach,
        b'q' => Command::Query(rest.to_vec()),
        b'Q' => Command::Set(rest.to_vec()),
        b'v' if rest == b"Cont?" => Command::VContQuery,
        b'v' if rest.starts_with(b"Cont;") => Command::Resume(parse_vcont(&rest[5..])?),
        b'v' if rest.starts_with(b"Kill") => Command::Kill,
        _ => Command::Unknown,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packets_are_framed_and_split_with_their_checksums() {
        let f = frame(b"OK");
        assert_eq!(f, b"$OK#9a");
        let mut d = Decoder::default();
        let got = d.feed(b"+$qSupported#37\x03$g#67$g#00");
        assert_eq!(
            got,
            vec![
                Input::Ack(true),
                Input::Packet(b"qSupported".to_vec()),
                Input::Interrupt,
                Input::Packet(b"g".to_vec()),
                Input::Corrupt
            ]
        );
    }

    #[test]
    fn a_packet_split_across_reads_comes_out_whole() {
        let mut d = Decoder::default();
        assert!(d.feed(b"$m40,").is_empty());
        assert!(d.feed(b"4#").is_empty());
        assert_eq!(d.feed(b"31"), vec![Input::Packet(b"m40,4".to_vec())]);
    }

    #[test]
    fn escaped_bytes_round_trip() {
        let payload = b"a#b$c}d*e".to_vec();
        let mut d = Decoder::default();
        assert_eq!(d.feed(&frame(&payload)), vec![Input::Packet(payload)]);
    }

    #[test]
    fn an_endless_packet_is_dropped_not_grown() {
        let mut d = Decoder::default();
        let mut junk = vec![b'$'];
        junk.extend(std::iter::repeat_n(b'a', MAX_PACKET + 10));
        assert_eq!(d.feed(&junk), vec![Input::Corrupt]);
        assert_eq!(d.feed(b"$?#3f"), vec![Input::Packet(b"?".to_vec())]);
    }

    #[test]
    fn commands_parse_with_their_arguments() {
        assert_eq!(parse(b"m4010a0,8"), Some(Command::ReadMem(0x4010a0, 8)));
        assert_eq!(parse(b"M1000,2:abcd"), Some(Command::WriteMem(0x1000, vec![0xab, 0xcd])));
        assert_eq!(parse(b"M1000,3:abcd"), None);
        assert_eq!(parse(b"Z0,401000,1"), Some(Command::Breakpoint { insert: true, kind: 0, addr: 0x401000, len: 1 }));
        assert_eq!(parse(b"z0,401000,1"), Some(Command::Breakpoint { insert: false, kind: 0, addr: 0x401000, len: 1 }));
        assert_eq!(parse(b"Hg3"), Some(Command::SetThread(b'g', Tid::Id(3))));
        assert_eq!(parse(b"Hc-1"), Some(Command::SetThread(b'c', Tid::All)));
        assert_eq!(parse(b"C0b"), Some(Command::Resume(vec![(Resume::Continue(Some(11)), Tid::All)])));
        assert_eq!(
            parse(b"vCont;s:2;c"),
            Some(Command::Resume(vec![(Resume::Step(None), Tid::Id(2)), (Resume::Continue(None), Tid::All)]))
        );
        assert_eq!(parse(b"vCont;C05:1"), Some(Command::Resume(vec![(Resume::Continue(Some(5)), Tid::Id(1))])));
        assert_eq!(parse(b"vCont;x"), None);
        assert_eq!(parse(b"P10=0010400000000000"), Some(Command::WriteReg(16, vec![0, 0x10, 0x40, 0, 0, 0, 0, 0])));
        assert_eq!(parse(b"vKill;1"), Some(Command::Kill));
        assert_eq!(parse(b"vMustReplyEmpty"), Some(Command::Unknown));
        assert_eq!(parse(b"mffffffffffffffffff,1"), None);
        // A huge length is cut to what one reply can carry.
        assert_eq!(parse(b"m0,ffffffff"), Some(Command::ReadMem(0, MAX_MEM)));
    }

    #[test]
    fn hex_round_trips_and_refuses_bad_digits() {
        assert_eq!(hex(&[0, 0xab, 0x10]), "00ab10");
        assert_eq!(unhex(b"00ab10"), Some(vec![0, 0xab, 0x10]));
        assert_eq!(unhex(b"0"), None);
        assert_eq!(unhex(b"zz"), None);
    }
}
