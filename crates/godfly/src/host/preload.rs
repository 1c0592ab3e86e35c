//! The exec shim that godfly preloads into host programs a guest starts,
//! so that their own execs of DragonFly programs come back to godfly
//! (`preload/godfly_preload.c`). The shared object is carried inside the
//! godfly binary and written once per version to a private directory of
//! godfly's (`shim_dirs`), never one of the guest's.

use std::ffi::OsStr;
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::PathBuf;

use crate::sync::Global;

/// The shim, built by build.rs.
const SHIM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/godfly_preload.so"));

/// Environment variable naming godfly for the shim.
pub const EXE_ENV: &str = "GODFLY_EXE";

/// The file name every copy of the shim has (to recognise it in LD_PRELOAD).
const NAME_PREFIX: &str = "godfly-preload-";

/// Where the shim may live, best first: directories of godfly's own, never
/// the guest's `$TMPDIR` or working directory (a program that checks what
/// it leaves there, as cmd/go's tests do, must find nothing of godfly's).
fn shim_dirs() -> Vec<PathBuf> {
    let uid = super::proc::getuid();
    let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    let mut dirs = Vec::new();
    dirs.extend(var("XDG_RUNTIME_DIR").map(|d| d.join("godfly")));
    dirs.extend(var("XDG_CACHE_HOME").or_else(|| var("HOME").map(|h| h.join(".cache"))).map(|d| d.join("godfly")));
    dirs.push(PathBuf::from(format!("/dev/shm/godfly-{uid}")));
    dirs.push(PathBuf::from(format!("/tmp/godfly-{uid}")));
    // The guest's temporary directory is /tmp when TMPDIR is unset. Its
    // working directory counts unless it holds the user's home (/, /home,
    // $HOME itself), where ~/.cache is the user's place for caches.
    let tmp = var("TMPDIR").unwrap_or_else(|| PathBuf::from("/tmp"));
    let home = var("HOME").and_then(|h| h.canonicalize().ok());
    let cwd = std::env::current_dir()
        .ok()
        .and_then(|d| d.canonicalize().ok())
        .filter(|d| home.as_ref().is_none_or(|h| !h.starts_with(d)));
    let guest_owned: Vec<PathBuf> = tmp.canonicalize().ok().into_iter().chain(cwd).collect();
    dirs.retain(|d| {
        // The nearest existing ancestor says where the directory would be.
        let real = d.ancestors().find_map(|a| a.canonicalize().ok()).unwrap_or_default();
        !guest_owned.iter().any(|g| real.starts_with(g) || d.starts_with(g))
    });
    dirs
}

/// Writes the shim into `dir` (once per version: the name carries a hash
/// of its contents) and returns its path.
fn write_shim_in(dir: &std::path::Path) -> Option<PathBuf> {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    SHIM.hash(&mut h);
    std::fs::create_dir_all(dir).ok()?;
    let meta = std::fs::metadata(dir).ok()?;
    // Only a directory of this user's, that no one else may write into.
    if std::os::unix::fs::MetadataExt::uid(&meta) != super::proc::getuid() {
        return None;
    }
    let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
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
    shim_dirs().iter().find_map(|d| write_shim_in(d))
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
