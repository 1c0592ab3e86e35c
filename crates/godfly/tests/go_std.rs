//! Go's own test packages for GOOS=dragonfly, built with `go test -c` and
//! run under godfly from their package directories with -test.short, as
//! Go's exec wrapper would.

mod common;

use std::path::PathBuf;
use std::process::{Command, Stdio};

fn goroot() -> PathBuf {
    let out = Command::new(common::go()).args(["env", "GOROOT"]).output().expect("go env");
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

/// Builds and runs one package's tests; asserts they pass.
fn std_package_passes(pkg: &str, skip: &[&str]) {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("std-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let bin = dir.join(format!("{}.test", pkg.replace('/', "_")));
    let st = Command::new(common::go())
        .env("GOOS", "dragonfly")
        .env("GOARCH", "amd64")
        .env("CGO_ENABLED", "0")
        .env("GOTOOLCHAIN", "local")
        .env("GOFLAGS", "")
        .args(["test", "-c", "-o"])
        .arg(&bin)
        .arg(pkg)
        .status()
        .expect("go test -c");
    assert!(st.success(), "building the tests of {pkg} failed");
    let mut cmd = Command::new(common::godfly());
    cmd.arg("run").arg(&bin).args(["-test.short", "-test.timeout=600s"]);
    if !skip.is_empty() {
        cmd.arg(format!("-test.skip=^({})$", skip.join("|")));
    }
    // As `go test` does: run in the package directory with PWD matching it.
    let pkgdir = goroot().join("src").join(pkg);
    let out = cmd.current_dir(&pkgdir).env("PWD", &pkgdir).stdin(Stdio::null()).output().expect("run tests");
    let text = String::from_utf8_lossy(&out.stdout);
    let failures: Vec<&str> = text.lines().filter(|l| l.starts_with("--- FAIL")).collect();
    assert!(
        out.status.success(),
        "{pkg} under godfly failed: {failures:?}\n{}\n{}",
        text.lines().rev().take(40).collect::<Vec<_>>().join("\n"),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn os_signal_tests_pass() {
    std_package_passes("os/signal", &[]);
}

#[test]
fn syscall_tests_pass() {
    std_package_passes("syscall", &[]);
}

#[test]
fn os_exec_tests_pass() {
    std_package_passes("os/exec", &[]);
}

#[test]
fn io_fs_and_path_filepath_tests_pass() {
    std_package_passes("io/fs", &[]);
    std_package_passes("path/filepath", &[]);
}

#[test]
fn os_user_and_io_ioutil_tests_pass() {
    std_package_passes("os/user", &[]);
    std_package_passes("io/ioutil", &[]);
}

#[test]
fn net_http_tests_pass() {
    std_package_passes("net/http", &[]);
}

#[test]
fn net_rpc_textproto_netip_tests_pass() {
    std_package_passes("net/rpc", &[]);
    std_package_passes("net/textproto", &[]);
    std_package_passes("net/netip", &[]);
}

#[test]
fn os_tests_pass() {
    std_package_passes("os", &[]);
}

#[test]
fn net_tests_pass() {
    std_package_passes("net", &[]);
}
