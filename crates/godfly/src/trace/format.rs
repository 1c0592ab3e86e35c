//! Formatting of trace lines: names from the generated table, arguments
//! by their C type in `syscalls.master`.

use godfly_abi::syscalls::{SYS_MAXSYSCALL, SYSCALLS};
use std::fmt::Write as _;

use crate::dispatch::{Args, Ret, SysResult};
use crate::mem;

/// Longest string shown before it is cut.
const STRLEN: usize = 64;

/// Quotes a byte string the way truss does, cut at `STRLEN`.
pub fn quote(bytes: &[u8], cut: bool) -> String {
    let mut s = String::from("\"");
    for &b in bytes.iter().take(STRLEN) {
        match b {
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            b'\n' => s.push_str("\\n"),
            b'\t' => s.push_str("\\t"),
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

/// Renders argument `i` of a call by its C type, reading guest memory for
/// strings (before the call, so `read` buffers are not shown as input).
pub fn arg(ty: &str, name: &str, v: u64) -> String {
    let t = ty.trim();
    if (t == "char *" || t == "const char *") && !name.contains("buf") {
        if v == 0 {
            return "NULL".into();
        }
        return match mem::read_cstr(v, 4096) {
            Ok(s) => quote(s.as_bytes(), false),
            Err(_) => format!("{v:#x}"),
        };
    }
    if t.ends_with('*') || t == "caddr_t" || t == "void *" {
        return if v == 0 { "NULL".into() } else { format!("{v:#x}") };
    }
    match t {
        "int" | "pid_t" | "lwpid_t" | "clockid_t" | "idtype_t" => format!("{}", v as u32 as i32),
        "u_int" | "uid_t" | "gid_t" | "mode_t" | "socklen_t" | "unsigned" => format!("{}", v as u32),
        "size_t" | "u_long" => format!("{v}"),
        "off_t" | "long" | "ssize_t" | "id_t" | "intptr_t" => format!("{}", v as i64),
        _ => format!("{v:#x}"),
    }
}

/// The name and argument list of a call before it runs.
pub fn before(args: &Args) -> Vec<String> {
    let Some(def) = usize::try_from(args.nr).ok().filter(|&n| n < SYS_MAXSYSCALL).map(|n| &SYSCALLS[n]) else {
        return (0..6).map(|i| format!("{:#x}", args.u64(i))).collect();
    };
    def.args.iter().enumerate().map(|(i, a)| arg(a.ty, a.name, args.slot(i).unwrap_or(0))).collect()
}

/// The call's name.
pub fn name(nr: u64) -> String {
    usize::try_from(nr)
        .ok()
        .filter(|&n| n < SYS_MAXSYSCALL)
        .map(|n| SYSCALLS[n].name)
        .filter(|n| !n.is_empty())
        .map_or_else(|| format!("#{nr}"), str::to_string)
}

/// The result column: a value, or `ERR#n 'message'`.
pub fn result(res: &SysResult) -> String {
    match res {
        Ok(Ret::One(v)) => format!("{} ({v:#x})", *v as i64),
        Ok(Ret::Two(a, b)) => format!("{a},{b}"),
        Ok(Ret::JustReturn) => "JUSTRETURN".into(),
        Err(e) => format!("ERR#{} '{}'", e.get(), e.message()),
    }
}

/// One trace line.
pub fn line(tid: i32, args: &Args, before: &[String], res: &SysResult) -> String {
    format!("{tid}: {}({}) = {}\n", name(args.nr), before.join(","), result(res))
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
    fn errors_read_like_truss() {
        let r: SysResult = Err(godfly_abi::errno::ENOENT);
        assert_eq!(result(&r), "ERR#2 'No such file or directory'");
    }

    #[test]
    fn integers_are_shown_by_type() {
        assert_eq!(arg("int", "fd", 0xffff_ffff), "-1");
        assert_eq!(arg("size_t", "nbyte", 10), "10");
        assert_eq!(arg("void *", "buf", 0), "NULL");
    }
}
