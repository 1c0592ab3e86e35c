//! godfly's own directories on disk (the exec shim, the fast path's site
//! lists): private to the user, and never the guest's `$TMPDIR` or working
//! directory, where a program that checks what it leaves (as cmd/go's
//! tests do) must find nothing of godfly's.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// Where godfly may keep files, best first: directories of godfly's own,
/// never the guest's `$TMPDIR` or working directory.
pub fn private() -> Vec<PathBuf> {
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

/// Creates `dir` if needed; whether it is this user's, with no one else
/// allowed in (it is made so).
pub fn make_private(dir: &Path) -> bool {
    let ours = |m: &std::fs::Metadata| m.is_dir() && std::os::unix::fs::MetadataExt::uid(m) == super::proc::getuid();
    // Already so (every start after the first): nothing to change.
    if std::fs::symlink_metadata(dir).is_ok_and(|m| ours(&m) && m.permissions().mode() & 0o777 == 0o700) {
        return true;
    }
    if std::fs::create_dir_all(dir).is_err() {
        return false;
    }
    let Ok(meta) = std::fs::metadata(dir) else { return false };
    if !ours(&meta) {
        return false;
    }
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).is_ok()
}
