//! The exec shim that godfly preloads into host programs a guest starts,
//! so that their own execs of DragonFly programs come back to godfly
//! (`preload/godfly_preload.c`). The shared object is carried inside the
//! godfly binary and written once per version to a private directory.

use std::ffi::OsStr;
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::PathBuf;
use std::sync::OnceLock;

/// The shim, built by build.rs.
const SHIM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/godfly_preload.so"));

/// Environment variable naming godfly for the shim.
pub const EXE_ENV: &str = "GODFLY_EXE";

/// The file name every copy of the shim has (to recognise it in LD_PRELOAD).
const NAME_PREFIX: &str = "godfly-preload-";

fn write_shim() -> Option<PathBuf> {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    SHIM.hash(&mut h);
    let base = std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from).unwrap_or_else(std::env::temp_dir);
    let uid = super::proc::getuid();
    let dir = base.join(format!("godfly-{uid}"));
    std::fs::create_dir_all(&dir).ok()?;
    let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700));
    let path = dir.join(format!("{NAME_PREFIX}{:016x}.so", h.finish()));
    if std::fs::metadata(&path).is_ok_and(|m| m.len() == SHIM.len() as u64) {
        return Some(path);
    }
    let tmp = dir.join(format!(".{NAME_PREFIX}{}.tmp", std::process::id()));
    let mut f = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o755).open(&tmp).ok()?;
    f.write_all(SHIM).ok()?;
    drop(f);
    std::fs::rename(&tmp, &path).ok()?;
    Some(path)
}

/// Path of the shim on disk (written on first use).
pub fn path() -> Option<&'static PathBuf> {
    static PATH: OnceLock<Option<PathBuf>> = OnceLock::new();
    PATH.get_or_init(write_shim).as_ref()
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
