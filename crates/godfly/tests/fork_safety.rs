//! Every piece of godfly's process-wide state is of a kind that a guest
//! `fork` handles (see `src/sync.rs`): a `Global` lock (held across the
//! fork), a `Startup` value (set before guest code runs), an atomic, or
//! immutable data. A new `static Mutex`, `OnceLock` or `RefCell` would be
//! a lock or a half-set value the child could inherit from a thread that
//! does not exist there, so this test refuses it.

use std::path::{Path, PathBuf};

/// Type prefixes a `static` may have.
const ALLOWED_TYPES: &[&str] = &[
    "Global<",
    "crate::sync::Global<",
    "Startup<",
    "crate::sync::Startup<",
    "Atomic",
    "std::sync::atomic::Atomic",
    "[Atomic",
    // Immutable tables.
    "Personality",
    "&[&Personality]",
    "[Option<Binding>;",
    // Linker symbols declared in an `extern` block.
    "u8",
    // The global allocator, which has no state.
    "host::alloc::Guarded",
];

/// Statics of other types, each with the reason it is fork-safe.
const ALLOWED_BY_NAME: &[(&str, &str)] = &[
    // The process-wide pending-signal set: `sys::proc::fork` takes it
    // (after every `Global`, as delivery does) and clears it in the child.
    ("PROCESS_PENDING", "thread/pending.rs"),
    // The registry of `Global`s itself, held by `hold_all_for_fork`.
    ("REGISTRY", "sync.rs"),
    // A thread-local pointer to the thread's own interrupt flag: a forked
    // child has the forking thread's, which is its own.
    ("INTERRUPT", "host/raw.rs"),
];

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// (name, type) of every `static` item declared on `line`, if any.
fn static_item(line: &str) -> Option<(String, String)> {
    let t = line.trim_start();
    let t = t
        .strip_prefix("pub(crate) ")
        .or_else(|| t.strip_prefix("pub(super) "))
        .or_else(|| t.strip_prefix("pub "))
        .unwrap_or(t);
    let t = t.strip_prefix("static ")?;
    let t = t.strip_prefix("mut ").unwrap_or(t);
    let (name, ty) = t.split_once(':')?;
    Some((name.trim().to_string(), ty.trim().to_string()))
}

#[test]
fn every_global_of_godfly_is_a_fork_safe_kind() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut bad = Vec::new();
    let mut seen = 0;
    for f in &files {
        let rel = f.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/");
        let text = std::fs::read_to_string(f).unwrap();
        // Unit tests' own statics run in the test harness, not in a guest.
        let text = text.split("#[cfg(test)]\nmod tests").next().unwrap();
        for (n, line) in text.lines().enumerate() {
            // Thread-locals are per thread (a forked child has the forking
            // thread's own); only the one kind below is allowed.
            if (line.contains("thread_local!") && rel != "host/raw.rs") || line.contains("static ref ") {
                bad.push(format!("{rel}:{}: {}", n + 1, line.trim()));
                continue;
            }
            let Some((name, ty)) = static_item(line) else { continue };
            seen += 1;
            let ok = ALLOWED_TYPES.iter().any(|p| ty.starts_with(p))
                || ALLOWED_BY_NAME.iter().any(|(n, file)| *n == name && rel == *file);
            if !ok || line.contains("static mut ") {
                bad.push(format!("{rel}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(seen > 20, "found only {seen} statics: is the scanner broken?");
    assert!(
        bad.is_empty(),
        "global state of a kind fork does not handle (use sync::Global or sync::Startup):\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_scanner_sees_a_static_mutex() {
    assert_eq!(
        static_item("pub static LOCK: std::sync::Mutex<u8> = std::sync::Mutex::new(0);"),
        Some(("LOCK".into(), "std::sync::Mutex<u8> = std::sync::Mutex::new(0);".into()))
    );
    assert_eq!(static_item("    static X: OnceLock<u8> = OnceLock::new();").map(|x| x.0), Some("X".into()));
    assert_eq!(static_item("let x = 1;"), None);
}
