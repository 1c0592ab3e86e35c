//! The command line: clear one-line errors for files godfly cannot run,
//! shell-style exit statuses, and the `go_dragonfly_amd64_exec` wrapper
//! that `go run` finds on PATH.

mod common;

use std::process::{Command, Stdio};

fn godfly_run(path: &str) -> std::process::Output {
    Command::new(common::godfly()).args(["run", path]).stdin(Stdio::null()).output().expect("start godfly")
}

fn one_line_error(out: &std::process::Output) -> String {
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(err.lines().count(), 1, "expected one line, got:\n{err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

#[test]
fn missing_program_is_reported_with_status_127() {
    let out = godfly_run("/nonexistent/prog");
    assert_eq!(out.status.code(), Some(127));
    let err = one_line_error(&out);
    assert!(err.contains("/nonexistent/prog") && err.contains("no such file"), "{err}");
}

#[test]
fn non_elf_file_is_reported_with_status_126() {
    let dir = std::env::temp_dir().join(format!("godfly-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("notes.txt");
    std::fs::write(&f, "just text\n").unwrap();
    let out = godfly_run(f.to_str().unwrap());
    assert_eq!(out.status.code(), Some(126));
    let err = one_line_error(&out);
    assert!(err.contains("notes.txt") && err.contains("not an ELF executable"), "{err}");
    let out = godfly_run(dir.to_str().unwrap());
    assert_eq!(out.status.code(), Some(126));
    assert!(one_line_error(&out).contains("is a directory"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn linux_programs_are_refused_as_not_dragonfly() {
    let out = godfly_run("/bin/true");
    assert_eq!(out.status.code(), Some(126));
    let err = one_line_error(&out);
    assert!(err.contains("/bin/true"), "{err}");
    let linux_go = common::build("hello", "linux");
    let out = godfly_run(linux_go.to_str().unwrap());
    assert_eq!(out.status.code(), Some(126));
    let err = one_line_error(&out);
    assert!(err.contains("Go program for linux"), "{err}");
}

#[test]
fn a_program_linked_over_godflys_own_image_is_refused_with_status_126() {
    // godfly's executable is linked at 1 GiB (.cargo/config.toml).
    let high = common::build_with("hello", "dragonfly", "-T 0x40001000");
    let out = godfly_run(high.to_str().unwrap());
    assert_eq!(out.status.code(), Some(126));
    let err = one_line_error(&out);
    assert!(err.contains("overlaps godfly's own image") && err.contains("0x40000000"), "{err}");
}

#[test]
fn go_run_uses_the_exec_wrapper_on_path() {
    let bindir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("wrapper-bin");
    std::fs::create_dir_all(&bindir).unwrap();
    let link = bindir.join("go_dragonfly_amd64_exec");
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(common::exec_wrapper(), &link).unwrap();
    let path = format!("{}:{}", bindir.display(), std::env::var("PATH").unwrap_or_default());
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let out = Command::new(common::go())
        .current_dir(&examples)
        .env("PATH", path)
        .env("GOOS", "dragonfly")
        .env("GOARCH", "amd64")
        .env("CGO_ENABLED", "0")
        .args(["run", "./hello", "alpha", "beta"])
        .stdin(Stdio::null())
        .output()
        .expect("go run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("Hello from dragonfly/amd64: kernel says DragonFly"), "{stdout}");
    assert!(stdout.contains("arguments: [alpha beta]"), "{stdout}");
}

#[test]
fn exec_wrapper_passes_the_exit_status_through() {
    let bin = common::build("hello", "dragonfly");
    let out = Command::new(common::exec_wrapper()).arg(&bin).stdin(Stdio::null()).output().unwrap();
    assert_eq!(out.status.code(), Some(7));
}

#[test]
fn prefix_option_looks_paths_up_under_the_prefix_first() {
    let bin = common::build("prefix", "dragonfly");
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("prefix-root");
    std::fs::create_dir_all(dir.join("etc")).unwrap();
    std::fs::write(dir.join("etc/godfly-prefix-test"), "from the prefix\n").unwrap();
    let out = Command::new(common::godfly()).arg("run").arg("-L").arg(&dir).arg(&bin).output().unwrap();
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(s.starts_with("\"from the prefix\\n\" <nil>\n"), "{s}");
    assert!(s.contains("host file still visible: true"), "{s}");
    let out = Command::new(common::godfly()).arg("run").arg(&bin).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("no such file or directory"));
}
