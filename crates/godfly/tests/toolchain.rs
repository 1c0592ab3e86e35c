//! The Go toolchain built for DragonFly, and for FreeBSD (cmd/go with
//! compile, link, asm, vet and buildid) runs under godfly: `go version`
//! says dragonfly/amd64 (freebsd/amd64), `go env` works, `go build` makes
//! a program of that system that godfly runs, and `go test` of a small
//! package passes. `cargo xtask toolchain` runs
//! this test with its output shown.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn goroot_of_host() -> PathBuf {
    let out = Command::new(common::go()).args(["env", "GOROOT"]).output().expect("go env");
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

/// A GOROOT whose bin/go and pkg/tool/<goos>_amd64 hold binaries for the
/// guest system `goos`, sharing src and the rest with the host toolchain.
fn guest_goroot(dir: &Path, goos: &str) -> PathBuf {
    let host = goroot_of_host();
    let root = dir.join("goroot");
    let tools = root.join(format!("pkg/tool/{goos}_amd64"));
    if tools.join("vet").exists() && root.join("bin/go").exists() {
        return root;
    }
    std::fs::create_dir_all(&tools).unwrap();
    std::fs::create_dir_all(root.join("bin")).unwrap();
    for f in ["src", "lib", "misc", "VERSION", "go.env"] {
        let _ = std::os::unix::fs::symlink(host.join(f), root.join(f));
    }
    let _ = std::fs::create_dir_all(root.join("pkg"));
    let _ = std::os::unix::fs::symlink(host.join("pkg/include"), root.join("pkg/include"));
    let build = |out: &Path, pkgs: &[&str]| {
        let st = Command::new(common::go())
            .env("GOOS", goos)
            .env("GOARCH", "amd64")
            .env("CGO_ENABLED", "0")
            .env("GOTOOLCHAIN", "local")
            .arg("build")
            .arg("-o")
            .arg(out)
            .args(pkgs)
            .status()
            .expect("go build");
        assert!(st.success(), "building {pkgs:?} for {goos} failed");
    };
    build(&root.join("bin/"), &["cmd/go"]);
    build(&tools.join(""), &["cmd/compile", "cmd/link", "cmd/asm", "cmd/vet", "cmd/buildid"]);
    root
}

fn guest_go(root: &Path, dir: &Path, args: &[&str]) -> Output {
    Command::new(common::godfly())
        .arg("run")
        .arg(root.join("bin/go"))
        .args(args)
        .current_dir(dir)
        .env("GOROOT", root)
        .env("CGO_ENABLED", "0")
        .env("GOTOOLCHAIN", "local")
        .env("GOFLAGS", "")
        .env("GOCACHE", root.parent().unwrap().join("gocache"))
        .env_remove("GOOS")
        .env_remove("GOARCH")
        .stdin(Stdio::null())
        .output()
        .expect("run go under godfly")
}

fn ok(out: &Output, what: &str) -> String {
    let s = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{what} failed: {s}\n{}", String::from_utf8_lossy(&out.stderr));
    println!("{what}:\n{s}");
    s
}

/// The toolchain built for `goos` reports itself, builds a program that
/// runs under godfly, and runs a package's tests.
fn toolchain_builds_and_tests(goos: &str, system: &str) {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("toolchain-{goos}"));
    std::fs::create_dir_all(&dir).unwrap();
    let root = guest_goroot(&dir, goos);
    let proj = dir.join("proj");
    std::fs::create_dir_all(&proj).unwrap();
    std::fs::write(proj.join("go.mod"), "module proj\n\ngo 1.24\n").unwrap();
    std::fs::write(
        proj.join("main.go"),
        format!("package main\n\nimport \"fmt\"\n\nfunc sum(xs ...int) int {{\n\tt := 0\n\tfor _, x := range xs {{\n\t\tt += x\n\t}}\n\treturn t\n}}\n\nfunc main() {{ fmt.Println(\"built on {system}, sum\", sum(1, 2, 3)) }}\n"),
    )
    .unwrap();
    std::fs::write(
        proj.join("main_test.go"),
        "package main\n\nimport \"testing\"\n\nfunc TestSum(t *testing.T) {\n\tif sum(1, 2, 3) != 6 {\n\t\tt.Fatal(\"bad sum\")\n\t}\n}\n",
    )
    .unwrap();

    let v = ok(&guest_go(&root, &proj, &["version"]), "go version");
    assert!(v.contains(&format!("{goos}/amd64")), "{v}");
    let env = ok(&guest_go(&root, &proj, &["env", "GOOS", "GOARCH", "GOHOSTOS"]), "go env");
    assert_eq!(env, format!("{goos}\namd64\n{goos}\n"));
    let _ = std::fs::remove_file(proj.join("proj.out"));
    ok(&guest_go(&root, &proj, &["build", "-o", "proj.out", "."]), "go build");
    let run = common::run_godfly(&proj.join("proj.out"), &[], &[]);
    assert_eq!(ok(&run, "the built program"), format!("built on {system}, sum 6\n"));
    let t = ok(&guest_go(&root, &proj, &["test", "-count=1", "-v", "."]), "go test");
    assert!(t.contains("--- PASS: TestSum") && t.contains("ok  \tproj"), "{t}");
}

#[test]
fn go_toolchain_for_dragonfly_builds_and_tests_under_godfly() {
    toolchain_builds_and_tests("dragonfly", "DragonFly");
}

#[test]
fn go_toolchain_for_freebsd_builds_and_tests_under_godfly() {
    toolchain_builds_and_tests("freebsd", "FreeBSD");
}
