//! `cargo xtask fuzz`: the fuzzing campaigns of docs/ROBUSTNESS.md.
//!
//! - In-process targets (`godfly::fuzz`): the stable driver `godfly-fuzz`
//!   over the corpora in `fuzz/corpus/`, or with `--libfuzzer` the
//!   coverage-guided cargo-fuzz crate in `fuzz/` (needs a nightly
//!   toolchain and `cargo install cargo-fuzz`), which adds the inputs it
//!   finds to the corpora; `--cmin` then minimises them.
//! - The guest-side dispatcher fuzz (`tests/testdata/go/fuzzcalls`) over
//!   `--guest-seeds A-B`.
//!
//! `--seconds S` is the budget for the in-process targets together; the
//! default (60) is the short pass. A long run: `--seconds 3600 --libfuzzer
//! --guest-seeds 1-200`.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

const TARGETS: &[&str] =
    &["elf", "sysctl", "xlat", "sockaddr", "cmsg", "sigframe", "trace", "rangeset", "kevent", "rtmsg", "rsp"];

fn status(cmd: &mut Command, what: &str) -> Result<(), String> {
    let st = cmd.status().map_err(|e| format!("{what}: {e}"))?;
    if st.success() { Ok(()) } else { Err(format!("{what} failed ({st})")) }
}

pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let mut seconds = 60.0f64;
    let mut libfuzzer = false;
    let mut cmin = false;
    let mut guest_seeds: Option<String> = None;
    let mut targets: Vec<String> = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--seconds" => {
                seconds = it.next().and_then(|v| v.parse().ok()).ok_or("--seconds needs a number")?;
            }
            "--libfuzzer" => libfuzzer = true,
            "--cmin" => cmin = true,
            "--guest-seeds" => guest_seeds = Some(it.next().ok_or("--guest-seeds needs A-B")?.clone()),
            t if TARGETS.contains(&t) => targets.push(t.to_string()),
            other => {
                return Err(format!(
                    "unknown argument {other:?}; usage: cargo xtask fuzz [--seconds S] [--libfuzzer] [--cmin] \
                     [--guest-seeds A-B] [TARGET...] (targets: {})",
                    TARGETS.join(" ")
                ));
            }
        }
    }
    if targets.is_empty() {
        targets = TARGETS.iter().map(|t| t.to_string()).collect();
    }
    let start = Instant::now();
    if libfuzzer {
        let per = ((seconds / targets.len() as f64).ceil() as u64).max(1);
        for t in &targets {
            println!("== libFuzzer: {t} for {per} s");
            status(
                Command::new("cargo")
                    .args(["+nightly", "fuzz", "run", t, "--fuzz-dir", "."])
                    .args(["--", &format!("-max_total_time={per}"), "-rss_limit_mb=4096", "-print_final_stats=1"])
                    .current_dir(root.join("fuzz")),
                &format!("cargo fuzz run {t} (needs a nightly toolchain and cargo-fuzz)"),
            )?;
        }
    } else {
        println!("== godfly-fuzz (stable driver): {seconds} s over {}", targets.join(" "));
        status(
            Command::new("cargo")
                .args(["run", "--release", "-q", "-p", "godfly-fuzz", "--", "--seconds", &seconds.to_string()])
                .args(&targets)
                .current_dir(root),
            "godfly-fuzz",
        )?;
    }
    if cmin {
        for t in &targets {
            status(
                Command::new("cargo")
                    .args(["+nightly", "fuzz", "cmin", t, "--fuzz-dir", "."])
                    .current_dir(root.join("fuzz")),
                &format!("cargo fuzz cmin {t}"),
            )?;
        }
    }
    if let Some(seeds) = guest_seeds {
        println!("== guest-side dispatcher fuzz, seeds {seeds}");
        status(
            Command::new("cargo")
                .args(["test", "--release", "-p", "godfly", "--test", "robustness", "random_system_calls"])
                .args(["--", "--nocapture"])
                .env("GODFLY_GUEST_FUZZ_SEEDS", &seeds)
                .current_dir(root),
            "guest fuzz",
        )?;
    }
    println!("xtask fuzz: done in {:.1} min, no failures", start.elapsed().as_secs_f64() / 60.0);
    Ok(())
}
