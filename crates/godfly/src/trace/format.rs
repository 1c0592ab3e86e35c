//! Formatting of trace lines and events: names from the generated table,
//! arguments by kind (`decode`), results the truss way.

use std::fmt::Write as _;

use super::decode;
use crate::call::{Args, Ret, SysResult};
use crate::mem;
use crate::personality::{self, ArgKind as Kind};

/// Longest string or buffer shown before it is cut.
const STRLEN: usize = 64;

/// Quotes bytes the way truss does, cut at `STRLEN` with `...`.
pub fn quote(bytes: &[u8], cut: bool) -> String {
    let mut s = String::from("\"");
    for &b in bytes.iter().take(STRLEN) {
        match b {
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            b'\n' => s.push_str("\\n"),
            b'\t' => s.push_str("\\t"),
            b'\r' => s.push_str("\\r"),
            0x20..=0x7e => s.push(b as char),
            _ => {
                let _ = write!(s, "\\x{b:02x}");
            }
        }
    }
    s.push('"');
    if cut || bytes.len() > STRLEN {
        s.push_str("...");
    }
    s
}

fn guest_str(v: u64) -> String {
    if v == 0 {
        return "NULL".into();
    }
    match mem::read_cstr(v, 4096) {
        Ok(s) => quote(s.as_bytes(), false),
        Err(_) => format!("{v:#x}"),
    }
}

fn guest_buf(v: u64, len: u64) -> String {
    if v == 0 {
        return "NULL".into();
    }
    let n = len.min(STRLEN as u64) as usize;
    match mem::read_bytes(v, n) {
        Ok(b) => quote(&b, len as usize > n),
        Err(_) => format!("{v:#x}"),
    }
}

fn timespec(v: u64) -> String {
    if v == 0 {
        return "NULL".into();
    }
    match mem::read::<godfly_abi::bsd::Timespec>(v) {
        Ok(t) => format!("{{ {}.{:09} }}", t.tv_sec, t.tv_nsec),
        Err(_) => format!("{v:#x}"),
    }
}

fn sockaddr(v: u64, len: u64) -> String {
    if v == 0 {
        return "NULL".into();
    }
    let Ok(b) = mem::read_bytes(v, len.min(128) as usize) else { return format!("{v:#x}") };
    if b.len() < 2 {
        return format!("{v:#x}");
    }
    let t = &personality::current().trace;
    match i32::from(b[1]) {
        f if f == t.af_inet && b.len() >= 8 => {
            format!("{{ AF_INET {}.{}.{}.{}:{} }}", b[4], b[5], b[6], b[7], u16::from_be_bytes([b[2], b[3]]))
        }
        f if f == t.af_inet6 && b.len() >= 24 => {
            let a = std::net::Ipv6Addr::from(<[u8; 16]>::try_from(&b[8..24]).unwrap_or_default());
            format!("{{ AF_INET6 [{a}]:{} }}", u16::from_be_bytes([b[2], b[3]]))
        }
        1 => {
            let p = &b[2..];
            let end = p.iter().position(|&c| c == 0).unwrap_or(p.len());
            format!("{{ AF_UNIX {} }}", quote(&p[..end], false))
        }
        f => format!("{{ family {f} }}"),
    }
}

/// The kinds of a call's arguments.
pub fn kinds(nr: u64) -> Vec<Kind> {
    let Some(def) = personality::current().def(nr) else {
        return vec![Kind::Hex; 6];
    };
    let over = decode::overrides(def.name);
    def.args
        .iter()
        .enumerate()
        .map(|(i, a)| over.and_then(|o| o.get(i).copied()).unwrap_or_else(|| decode::from_c_type(a.ty, a.name)))
        .collect()
}

/// Renders the arguments of a call before it runs. Buffers filled by the
/// call are shown afterwards (`after`).
pub fn before(args: &Args) -> Vec<String> {
    let ks = kinds(args.nr);
    let raw: Vec<u64> = (0..ks.len()).map(|i| args.slot(i).unwrap_or(0)).collect();
    ks.iter()
        .enumerate()
        .map(|(i, k)| match *k {
            Kind::Str => guest_str(raw[i]),
            Kind::OutBuf(n) => guest_buf(raw[i], raw.get(n).copied().unwrap_or(0)),
            Kind::InBuf => String::new(),
            Kind::Timespec => timespec(raw[i]),
            Kind::Sockaddr(n) => sockaddr(raw[i], raw.get(n).copied().unwrap_or(0)),
            k => decode::number(k, raw[i]),
        })
        .collect()
}

/// Fills in arguments that show what the call wrote (the data `read` got).
pub fn after(args: &Args, shown: &mut [String], res: &SysResult) {
    for (i, k) in kinds(args.nr).iter().enumerate() {
        if *k == Kind::InBuf && i < shown.len() {
            let addr = args.slot(i).unwrap_or(0);
            shown[i] = match res {
                Ok(Ret::One(n)) => guest_buf(addr, *n),
                _ => format!("{addr:#x}"),
            };
        }
    }
}

/// The call's name.
pub fn name(nr: u64) -> String {
    personality::current().call_name(nr)
}

/// The result column: `value (hex)`, `a,b` for two values, or
/// `ERR#n 'message'`.
pub fn result(res: &SysResult) -> String {
    match res {
        Ok(Ret::One(v)) => format!("{} ({v:#x})", *v as i64),
        Ok(Ret::Two(a, b)) => format!("{a},{b}"),
        Ok(Ret::JustReturn) => "JUSTRETURN".into(),
        Err(e) => {
            let p = personality::current();
            let n = p.errno(*e);
            format!("ERR#{n} '{}'", p.errno.message(n))
        }
    }
}

/// Escapes a string for JSON.
pub fn json_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_quoted_and_cut() {
        assert_eq!(quote(b"a\"b\n", false), "\"a\\\"b\\n\"");
        let long = vec![b'x'; 100];
        assert!(quote(&long, false).ends_with("\"..."));
    }

    #[test]
    fn json_strings_are_escaped() {
        assert_eq!(json_escape("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
    }
}
