//! The exec shim that godfly preloads into host programs a guest starts,
//! so that their own execs of DragonFly programs come back to godfly
//! (`preload/godfly_preload.c`). The shared object is carried inside the
//! godfly binary and written once per version to a private directory of
//! godfly's (`host::dirs`), never one of the guest's.

use std::ffi::OsStr;
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;

use crate::sync::Global;

/// The shim, built by build.rs.
const SHIM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/godfly_preload.so"));

/// Environment variable naming godfly for the shim.
pub const EXE_ENV: &str = "GODFLY_EXE";

/// The file name every copy of the shim has (to recognise it in LD_PRELOAD).
const NAME_PREFIX: &str = "godfly-preload-";

/// Writes the shim into `dir` (once per version: the name carries a hash
/// of its contents) and returns its path.
fn write_shim_in(dir: &std::path::Path) -> Option<PathBuf> {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    SHIM.hash(&mut h);
    if !super::dirs::make_private(dir) {
        return None;
    }
    let path = dir.join(format!("{NAME_PREFIX}{:016x}.so", h.finish()));
    if std::fs::read(&path).is_ok_and(|d| d == SHIM) {
        return Some(path);
    }
    let tmp = dir.join(format!(".{NAME_PREFIX}{}.tmp", std::process::id()));
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o755)
        .open(&tmp)
        .and_then(|mut f| f.write_all(SHIM));
    if written.is_err() || std::fs::rename(&tmp, &path).is_err() {
        let _ = std::fs::remove_file(&tmp);
        return None;
    }
    Some(path)
}

fn write_shim() -> Option<PathBuf> {
    super::dirs::private().iter().find_map(|d| write_shim_in(d))
}

/// Where the shim was written (`None` until the first exec of a host
/// program, `Some(None)` if it could not be written).
static PATH: Global<Option<Option<PathBuf>>> = Global::new(12, None);

/// Path of the shim on disk (written on first use).
pub fn path() -> Option<PathBuf> {
    PATH.lock().get_or_insert_with(write_shim).clone()
}

/// Makes `envp` the environment of a host program a guest starts: the
/// shim first in LD_PRELOAD (once) and GODFLY_EXE naming godfly, so the
/// program's own execs of guest programs come back to godfly. Without a
/// shim on disk the program runs without it.
pub fn for_host_program(envp: &mut Vec<std::ffi::CString>, godfly_exe: &[u8]) {
    use std::os::unix::ffi::OsStrExt;
    let Some(shim) = path() else { return };
    let key = b"LD_PRELOAD=";
    let mut value = shim.as_os_str().as_bytes().to_vec();
    if let Some(i) = envp.iter().position(|e| e.as_bytes().starts_with(key)) {
        let prev = envp.remove(i);
        let prev = String::from_utf8_lossy(&prev.as_bytes()[key.len()..]).into_owned();
        if let Some(rest) = strip(&prev) {
            value.push(b':');
            value.extend_from_slice(rest.as_bytes());
        }
    }
    let exe_key = format!("{EXE_ENV}=");
    envp.retain(|e| !e.as_bytes().starts_with(exe_key.as_bytes()) && !e.as_bytes().starts_with(key));
    let entry = |k: &str, v: &[u8]| std::ffi::CString::new([k.as_bytes(), b"=", v].concat()).ok();
    envp.extend(entry("LD_PRELOAD", &value));
    envp.extend(entry(EXE_ENV, godfly_exe));
}

/// Whether an LD_PRELOAD entry is godfly's shim.
pub fn is_shim(entry: &str) -> bool {
    std::path::Path::new(entry).file_name().and_then(OsStr::to_str).is_some_and(|n| n.starts_with(NAME_PREFIX))
}

/// LD_PRELOAD without godfly's shim; `None` if nothing else is left.
pub fn strip(value: &str) -> Option<String> {
    let rest: Vec<&str> = value.split([':', ' ']).filter(|e| !e.is_empty() && !is_shim(e)).collect();
    (!rest.is_empty()).then(|| rest.join(":"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shim_is_stripped_from_ld_preload() {
        assert_eq!(strip("/tmp/godfly-0/godfly-preload-0123456789abcdef.so"), None);
        assert_eq!(strip("/lib/a.so:/tmp/godfly-0/godfly-preload-1.so"), Some("/lib/a.so".into()));
        assert!(SHIM.starts_with(b"\x7fELF"));
    }
}
