//! `cargo xtask xrepo [--os dragonfly|freebsd] [--json FILE] [--markdown FILE] DIR...`:
//! the Go x/ repositories (or any Go modules) in local checkouts, `go test
//! -short ./...` with the dragonfly/amd64 (or freebsd/amd64) toolchain
//! running under godfly (the allbash bootstrap toolchain, `godfly shell`), and natively for
//! linux/amd64, side by side. The checkouts are the caller's (CI has no
//! network): a `go.work` above them ties x/ repositories to each other.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::allbash::{in_dir, setup};
use crate::conformance::{PkgResult, parse_test_json};

/// Entry point.
pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let mut json_out = root.join("target/xrepo.json");
    let mut markdown: Option<PathBuf> = None;
    let mut dirs = Vec::new();
    let mut goos = "dragonfly".to_string();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--json" => json_out = PathBuf::from(it.next().ok_or("--json needs a file")?),
            "--markdown" => markdown = Some(PathBuf::from(it.next().ok_or("--markdown needs a file")?)),
            "--os" => {
                goos = it.next().ok_or("--os needs dragonfly or freebsd")?.clone();
                if goos != "dragonfly" && goos != "freebsd" {
                    return Err(format!("--os {goos}: godfly runs dragonfly and freebsd"));
                }
            }
            d if !d.starts_with('-') => dirs.push(PathBuf::from(d)),
            other => return Err(format!("unknown option {other}")),
        }
    }
    if dirs.is_empty() {
        return Err("usage: cargo xtask xrepo [--os dragonfly|freebsd] [--json FILE] [--markdown FILE] DIR...".into());
    }
    let s = setup(root, &goos)?;
    let host_bin = s.host_goroot.join("bin");
    let (mut passed, mut failed, mut skipped, mut native_failed) = (0, 0, 0, 0);
    let mut table = String::from("| package | godfly | native | godfly s | native s |\n|---|---|---|---|---|\n");
    let mut json = String::from("[\n");
    let mut summary = String::new();
    for dir in &dirs {
        let dir = std::fs::canonicalize(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let run = |mode: &str, bin: &Path| -> Result<(f64, std::collections::BTreeMap<String, PkgResult>), String> {
            let out = s.work.join(format!("xrepo-{name}-{mode}.json"));
            let t = Instant::now();
            in_dir(root, &s.work, mode, bin, &dir, "exec go test -short -json -timeout 10m ./...", Some(&out), "2")?;
            Ok((t.elapsed().as_secs_f64(), parse_test_json(&std::fs::read_to_string(&out).unwrap_or_default())))
        };
        let (td, dfly) = run(&goos, &s.boot.join("bin"))?;
        let (tn, linux) = run("linux", &host_bin)?;
        let (mut p, mut f, mut k) = (0, 0, 0);
        for (pkg, d) in &dfly {
            let n = linux.get(pkg).cloned().unwrap_or_default();
            match d.action.as_str() {
                "pass" => p += 1,
                "skip" => k += 1,
                _ => f += 1,
            }
            if n.action == "fail" {
                native_failed += 1;
            }
            let fails = if d.failed_tests.is_empty() {
                String::new()
            } else {
                format!(" failed: {}", d.failed_tests.join(" "))
            };
            println!(
                "{pkg:<56} godfly {:<4} native {:<4} {:>7.2}s {:>7.2}s{fails}",
                d.action, n.action, d.elapsed, n.elapsed
            );
            let _ = writeln!(table, "| {pkg} | {} | {} | {:.2} | {:.2} |", d.action, n.action, d.elapsed, n.elapsed);
            let _ = writeln!(
                json,
                "  {{\"repo\":\"{name}\",\"package\":\"{pkg}\",\"godfly\":\"{}\",\"native\":\"{}\",\"godfly_s\":{:.3},\"native_s\":{:.3},\"failed_tests\":[{}]}},",
                d.action,
                n.action,
                d.elapsed,
                n.elapsed,
                d.failed_tests.iter().map(|t| format!("\"{t}\"")).collect::<Vec<_>>().join(",")
            );
        }
        let line = format!("{name}: {p} passed, {f} failed, {k} skipped; wall godfly {td:.0}s, native {tn:.0}s");
        println!("{line}");
        let _ = writeln!(summary, "- {line}");
        passed += p;
        failed += f;
        skipped += k;
    }
    if json.ends_with(",\n") {
        json.truncate(json.len() - 2);
        json.push('\n');
    }
    json.push_str("]\n");
    std::fs::write(&json_out, json).map_err(|e| format!("{}: {e}", json_out.display()))?;
    if let Some(md) = markdown {
        let text = format!(
            "# Go x/ repositories for {goos}/amd64 under godfly\n\nProduced by `cargo xtask xrepo` ({}, \
             go test -short, CGO_ENABLED=0; linux/amd64 natively beside it).\n\n{summary}\n{table}",
            s.version
        );
        std::fs::write(&md, text).map_err(|e| format!("{}: {e}", md.display()))?;
    }
    println!("{passed} passed, {failed} failed, {skipped} skipped ({native_failed} of the packages fail natively too)");
    if failed > 0 { Err(format!("{failed} packages failed under godfly")) } else { Ok(()) }
}
