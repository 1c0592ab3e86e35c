//! Argument decoders: flags as symbolic names, constants by name, and
//! structures summarised, by call name and argument position. Pure
//! functions over numbers (and bytes read by the caller).

use crate::personality::{self, ArgKind as Kind};

/// The argument kinds the personality gives a call whose C prototype
/// alone says too little.
pub fn overrides(name: &str) -> Option<&'static [Kind]> {
    personality::current().trace.kinds.iter().find(|k| k.0 == name).map(|k| k.1)
}

/// The kind implied by a C type in `syscalls.master`.
pub fn from_c_type(ty: &str, name: &str) -> Kind {
    let t = ty.trim();
    if (t == "char *" || t == "const char *") && !name.contains("buf") {
        return Kind::Str;
    }
    if t.ends_with('*') || t == "caddr_t" {
        return Kind::Hex;
    }
    match t {
        "int" | "pid_t" | "lwpid_t" | "clockid_t" | "idtype_t" | "off_t" | "long" | "ssize_t" | "id_t" => Kind::Int,
        "u_int" | "uid_t" | "gid_t" | "socklen_t" | "size_t" | "u_long" | "unsigned" => Kind::Uint,
        "mode_t" => Kind::Mode,
        _ => Kind::Hex,
    }
}

/// Joins the names of the set bits; leftover bits in hex.
fn flags(v: i64, table: &[(i64, &str)], zero: &str) -> String {
    let mut parts = Vec::new();
    let mut rest = v;
    for &(bit, name) in table {
        if bit != 0 && v & bit == bit {
            parts.push(name.to_string());
            rest &= !bit;
        }
    }
    if rest != 0 {
        parts.push(format!("{rest:#x}"));
    }
    if parts.is_empty() { zero.to_string() } else { parts.join("|") }
}

fn named(v: i64, table: &[(i64, &str)]) -> String {
    table.iter().find(|t| t.0 == v).map_or_else(|| v.to_string(), |t| t.1.to_string())
}

/// `open` flags, access mode first: `O_RDONLY|O_CLOEXEC`.
pub fn open_flags(v: i64) -> String {
    let t = &personality::current().trace;
    let mode = match v & t.o_accmode {
        0 => "O_RDONLY",
        1 => "O_WRONLY",
        2 => "O_RDWR",
        _ => "O_ACCMODE",
    };
    let rest = v & !t.o_accmode;
    if rest == 0 { mode.to_string() } else { format!("{mode}|{}", flags(rest, t.open_flags, "")) }
}

/// Renders a number by kind (kinds that read memory are handled by the caller).
pub fn number(kind: Kind, v: u64) -> String {
    let t = &personality::current().trace;
    let i = v as i64;
    let int = v as u32 as i32;
    match kind {
        Kind::Int => format!("{}", if (i32::MIN as i64..=i32::MAX as i64).contains(&i) { i } else { i64::from(int) }),
        Kind::Uint => format!("{v}"),
        Kind::OpenFlags => open_flags(i64::from(int)),
        Kind::Mode => format!("0{:o}", v as u32),
        Kind::AtFd => {
            if i64::from(int) == t.at_fdcwd {
                "AT_FDCWD".into()
            } else {
                int.to_string()
            }
        }
        Kind::AtFlags => flags(int.into(), t.at_flags, "0"),
        Kind::Prot => flags(int.into(), t.prot, "PROT_NONE"),
        Kind::MapFlags => flags(int.into(), t.map_flags, "MAP_FILE"),
        Kind::Signal => {
            let n = (personality::current().signals.name)(v as u32);
            if n == "SIG?" { int.to_string() } else { n.to_string() }
        }
        Kind::SigHow => named(int.into(), t.sighow),
        Kind::FcntlCmd => named(int.into(), t.fcntl),
        Kind::Clock => named(int.into(), t.clocks),
        Kind::Whence => {
            named(int.into(), &[(0, "SEEK_SET"), (1, "SEEK_CUR"), (2, "SEEK_END"), (3, "SEEK_DATA"), (4, "SEEK_HOLE")])
        }
        Kind::Domain => named(int.into(), t.domains),
        Kind::SockType => {
            let base = named(
                i64::from(int & 0xffff),
                &[(1, "SOCK_STREAM"), (2, "SOCK_DGRAM"), (3, "SOCK_RAW"), (4, "SOCK_RDM"), (5, "SOCK_SEQPACKET")],
            );
            let extra = flags(i64::from(int & !0xffff), t.socket_flags, "");
            if extra.is_empty() { base } else { format!("{base}|{extra}") }
        }
        Kind::Advice => named(int.into(), t.advice),
        _ => {
            if v == 0 {
                "NULL".into()
            } else {
                format!("{v:#x}")
            }
        }
    }
}
