//! Repository tasks:
//! - `cargo xtask gen [--os NAME] [--check]` writes the generated ABI
//!   tables in `crates/abi/src/NAME/generated/` from the reference files in
//!   `../shared/NAME/` (or `$GODFLY_SHARED/NAME`), for every guest OS
//!   unless `--os` names one;
//! - `cargo xtask conformance` runs Go's standard-library tests for
//!   GOOS=dragonfly under godfly next to a native linux run;
//! - `cargo xtask toolchain` runs the Go toolchain built for DragonFly
//!   under godfly (go version, go env, go build, go test);
//! - `cargo xtask allbash` runs Go's make.bash and dist test for
//!   dragonfly/amd64 under godfly, with linux/amd64 natively beside it;
//! - `cargo xtask xrepo DIR...` runs Go modules' tests (the x/
//!   repositories) with the DragonFly toolchain under godfly and natively;
//! - `cargo xtask bench` times Go programs under godfly against native;
//! - `cargo xtask fuzz` runs the fuzzing campaigns (docs/ROBUSTNESS.md).

mod allbash;
mod bench;
mod conformance;
mod fuzz;
mod gen_abi;
mod xrepo;

use std::path::PathBuf;
use std::process::ExitCode;

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the repository root")
        .to_path_buf()
}

/// Where cargo puts the release binaries (`.cargo/config.toml` names the
/// target, for the static link).
pub fn bin_dir(root: &std::path::Path) -> PathBuf {
    root.join("target/x86_64-unknown-linux-gnu/release")
}

fn shared_dir() -> PathBuf {
    match std::env::var_os("GODFLY_SHARED") {
        Some(p) => PathBuf::from(p),
        None => repo_root().join("..").join("shared"),
    }
}

/// Runs the DragonFly Go toolchain test with its output shown.
fn toolchain() -> Result<(), String> {
    let st = std::process::Command::new("cargo")
        .args(["test", "--release", "-p", "godfly", "--test", "toolchain", "--", "--nocapture"])
        .current_dir(repo_root())
        .status()
        .map_err(|e| e.to_string())?;
    if st.success() { Ok(()) } else { Err("the toolchain test failed".into()) }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("gen") => {
            let check = args.iter().any(|a| a == "--check");
            let os = args.iter().position(|a| a == "--os").and_then(|i| args.get(i + 1)).map(String::as_str);
            gen_abi::run(&shared_dir(), &repo_root(), os, check)
        }
        Some("conformance") => conformance::run(&repo_root(), &args[1..]),
        Some("toolchain") => toolchain(),
        Some("allbash") => allbash::run(&repo_root(), &args[1..]),
        Some("xrepo") => xrepo::run(&repo_root(), &args[1..]),
        Some("fuzz") => fuzz::run(&repo_root(), &args[1..]),
        Some("bench") => conformance::go_binary(&repo_root()).and_then(|go| bench::run(&repo_root(), &go, &args[1..])),
        _ => Err(
            "usage: cargo xtask gen [--os NAME] [--check] | conformance [--smoke|--full|PKG...] [--recheck-excluded] \
                 | toolchain | allbash [--os freebsd] [--run RE] [--subset ci] [--no-native] | xrepo [--os freebsd] DIR... | bench [--runs N] | fuzz [--seconds S] [--libfuzzer] [--cmin] [--guest-seeds A-B]"
                .to_string(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}
