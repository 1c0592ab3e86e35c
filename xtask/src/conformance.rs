//! `cargo xtask conformance`: Go's own standard-library tests for
//! GOOS=dragonfly (or, with `--os freebsd`, GOOS=freebsd) under godfly, next to the same packages run natively for
//! linux/amd64 in the same run.
//!
//! ```text
//! cargo xtask conformance [--smoke | --full | PKG...] [--json FILE] [--markdown FILE]
//!                         [--recheck-excluded] [--timeout 10m]
//!                         [--go-via venv|shim|binary] [--os dragonfly|freebsd]
//! ```
//!
//! `--go-via` puts `go` first on the tests' PATH installed that way (a pip
//! virtual environment's entry point, an asdf-style shim), for the tests
//! that run the go command themselves.
//!
//! Exclusions live in `conformance/exclude.csv` as `package,test,reason`;
//! an empty test drops the whole package, otherwise the named tests are
//! skipped (`-skip`). `--recheck-excluded` runs only the excluded tests and
//! lists those that now pass.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// One exclusion row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exclusion {
    pub package: String,
    pub test: String,
    pub reason: String,
}

/// Parses `exclude.csv`: `package,test,reason`, `#` comments, the reason
/// may contain commas.
pub fn parse_exclusions(text: &str) -> Result<Vec<Exclusion>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line == "package,test,reason" {
            continue;
        }
        let mut parts = line.splitn(3, ',');
        let (Some(p), Some(t), Some(r)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(format!("exclude.csv line {}: want package,test,reason", i + 1));
        };
        if p.trim().is_empty() || r.trim().is_empty() {
            return Err(format!("exclude.csv line {}: package and reason are required", i + 1));
        }
        out.push(Exclusion { package: p.trim().into(), test: t.trim().into(), reason: r.trim().into() });
    }
    Ok(out)
}

/// Result of one package in one mode.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PkgResult {
    /// "pass", "fail" or "skip" (no test files, or all skipped).
    pub action: String,
    pub elapsed: f64,
    pub failed_tests: Vec<String>,
    pub passed_tests: Vec<String>,
}

/// Reads `go test -json` output into per-package results.
pub fn parse_test_json(text: &str) -> BTreeMap<String, PkgResult> {
    let mut out: BTreeMap<String, PkgResult> = BTreeMap::new();
    for line in text.lines() {
        let Some(pkg) = json_str(line, "Package") else { continue };
        let Some(action) = json_str(line, "Action") else { continue };
        let test = json_str(line, "Test");
        let r = out.entry(pkg).or_default();
        match (action.as_str(), test) {
            ("pass" | "fail" | "skip", None) => {
                r.action = action;
                r.elapsed = json_num(line, "Elapsed").unwrap_or(0.0);
            }
            ("fail", Some(t)) if !t.contains('/') => r.failed_tests.push(t),
            ("pass", Some(t)) if !t.contains('/') => r.passed_tests.push(t),
            _ => {}
        }
    }
    // A build failure or a crash before the summary leaves no action.
    for r in out.values_mut() {
        if r.action.is_empty() {
            r.action = "fail".into();
        }
    }
    out
}

/// The string value of `"key":"..."` in one JSON line (go test -json
/// output is flat; escapes are kept as written).
fn json_str(line: &str, key: &str) -> Option<String> {
    let pat = format!("\"{key}\":\"");
    let start = line.find(&pat)? + pat.len();
    let mut end = start;
    let b = line.as_bytes();
    while end < b.len() && b[end] != b'"' {
        end += if b[end] == b'\\' { 2 } else { 1 };
    }
    Some(line[start..end.min(line.len())].to_string())
}

fn json_num(line: &str, key: &str) -> Option<f64> {
    let pat = format!("\"{key}\":");
    let start = line.find(&pat)? + pat.len();
    let rest = &line[start..];
    let end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == 'e')).unwrap_or(rest.len());
    rest[..end].parse().ok()
}

/// The smoke list run by CI.
pub const SMOKE: &[&str] = &[
    "errors",
    "strings",
    "strconv",
    "sort",
    "sync",
    "sync/atomic",
    "time",
    "io/fs",
    "path/filepath",
    "os/signal",
    "os/user",
    "io/ioutil",
    "net/netip",
    "net/textproto",
    "encoding/json",
    "context",
];

struct Env {
    root: PathBuf,
    go: PathBuf,
    path: String,
}

/// The `go` binary that `tools/dev.py` provides (installing it if needed).
pub fn go_binary(root: &Path) -> Result<PathBuf, String> {
    find_go(root)
}

fn find_go(root: &Path) -> Result<PathBuf, String> {
    let out = Command::new("python3")
        .arg(root.join("tools/dev.py"))
        .arg("env")
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run tools/dev.py: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let path = text.lines().find_map(|l| l.strip_prefix("PATH=")).ok_or("tools/dev.py env printed no PATH")?;
    for dir in std::env::split_paths(path) {
        let go = dir.join("go");
        if go.exists() {
            return Ok(go);
        }
    }
    Err("no go found on the PATH tools/dev.py env gave".into())
}

/// The bin directory of `go` installed one way (`venv`, `shim`, `binary`)
/// by `tools/dev.py go-wrappers`.
fn go_wrapper(root: &Path, via: &str) -> Result<PathBuf, String> {
    let out = Command::new("python3")
        .arg(root.join("tools/dev.py"))
        .arg("go-wrappers")
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run tools/dev.py: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{via}=")))
        .map(PathBuf::from)
        .ok_or_else(|| format!("tools/dev.py go-wrappers has no `{via}` (it has: {})", text.trim()))
}

fn setup(root: &Path) -> Result<Env, String> {
    let go = find_go(root)?;
    let st = Command::new("cargo")
        .args(["build", "--release", "--quiet", "-p", "godfly"])
        .current_dir(root)
        .status()
        .map_err(|e| e.to_string())?;
    if !st.success() {
        return Err("cargo build failed".into());
    }
    let bindir = root.join("target/conformance-bin");
    std::fs::create_dir_all(&bindir).map_err(|e| e.to_string())?;
    for wrapper in ["go_dragonfly_amd64_exec", "go_freebsd_amd64_exec"] {
        let link = bindir.join(wrapper);
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(crate::bin_dir(root).join(wrapper), &link).map_err(|e| e.to_string())?;
    }
    let gobin = go.parent().map(Path::to_path_buf).unwrap_or_default();
    let path = format!("{}:{}:{}", bindir.display(), gobin.display(), std::env::var("PATH").unwrap_or_default());
    Ok(Env { root: root.to_path_buf(), go, path })
}

fn go_test(env: &Env, goos: &str, pkgs: &[String], skip: &str, run: &str, timeout: &str) -> String {
    let mut cmd = Command::new(&env.go);
    cmd.current_dir(&env.root)
        .env("PATH", &env.path)
        .env("GOOS", goos)
        .env("GOARCH", "amd64")
        .env("CGO_ENABLED", "0")
        .env("GOTOOLCHAIN", "local")
        .env("GOFLAGS", "")
        // Tests' own deadlines (testenv's) doubled, as all.bash's builder
        // runs them: a loaded 2-core machine is slow for both systems.
        .env("GO_TEST_TIMEOUT_SCALE", std::env::var("GO_TEST_TIMEOUT_SCALE").unwrap_or_else(|_| "2".into()))
        .args(["test", "-json", "-count=1", "-short", "-p=2", &format!("-timeout={timeout}")]);
    if !skip.is_empty() {
        cmd.arg(format!("-skip={skip}"));
    }
    if !run.is_empty() {
        cmd.arg(format!("-run={run}"));
    }
    cmd.args(pkgs).stdin(Stdio::null()).stderr(Stdio::null());
    match cmd.output() {
        Ok(o) => String::from_utf8_lossy(&o.stdout).into_owned(),
        Err(e) => format!("{{\"Action\":\"fail\",\"Package\":\"go\",\"Output\":\"{e}\"}}"),
    }
}

fn list_std(env: &Env, guest: &str) -> Result<Vec<String>, String> {
    let out = Command::new(&env.go)
        .args(["list", "-e", "std"])
        .env("GOOS", guest)
        .env("CGO_ENABLED", "0")
        .env("GOTOOLCHAIN", "local")
        .output()
        .map_err(|e| e.to_string())?;
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|p| !p.starts_with("vendor/") && !p.contains("/internal/") && !p.starts_with("internal/"))
        .map(str::to_string)
        .collect())
}

fn skip_regex(tests: &[&Exclusion]) -> String {
    if tests.is_empty() {
        return String::new();
    }
    let names: Vec<&str> = tests.iter().map(|e| e.test.as_str()).collect();
    format!("^({})$", names.join("|"))
}

/// Runs packages for one system, grouping those with test exclusions.
fn run_mode(env: &Env, goos: &str, pkgs: &[String], excl: &[Exclusion], timeout: &str) -> BTreeMap<String, PkgResult> {
    let mut plain = Vec::new();
    let mut results = BTreeMap::new();
    for p in pkgs {
        let tests: Vec<&Exclusion> = excl.iter().filter(|e| &e.package == p && !e.test.is_empty()).collect();
        if tests.is_empty() {
            plain.push(p.clone());
        } else {
            results.extend(parse_test_json(&go_test(
                env,
                goos,
                std::slice::from_ref(p),
                &skip_regex(&tests),
                "",
                timeout,
            )));
        }
    }
    for chunk in plain.chunks(16) {
        results.extend(parse_test_json(&go_test(env, goos, chunk, "", "", timeout)));
    }
    results
}

/// Entry point.
pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let mut pkgs: Vec<String> = Vec::new();
    let mut json_out = root.join("target/conformance.json");
    let mut markdown: Option<PathBuf> = None;
    let mut recheck = false;
    let mut full = false;
    let mut timeout = "10m".to_string();
    let mut go_via: Option<String> = None;
    let mut guest = "dragonfly".to_string();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--smoke" => pkgs.extend(SMOKE.iter().map(|s| s.to_string())),
            "--full" => full = true,
            "--recheck-excluded" => recheck = true,
            "--json" => json_out = PathBuf::from(it.next().ok_or("--json needs a file")?),
            "--markdown" => markdown = Some(PathBuf::from(it.next().ok_or("--markdown needs a file")?)),
            "--timeout" => timeout = it.next().ok_or("--timeout needs a value")?.clone(),
            "--os" => {
                guest = it.next().ok_or("--os needs dragonfly or freebsd")?.clone();
                if guest != "dragonfly" && guest != "freebsd" {
                    return Err(format!("--os {guest}: dragonfly or freebsd"));
                }
            }
            "--go-via" => go_via = Some(it.next().ok_or("--go-via needs venv, shim or binary")?.clone()),
            p if !p.starts_with('-') => pkgs.push(p.to_string()),
            other => return Err(format!("unknown option {other}")),
        }
    }
    let excl_text = std::fs::read_to_string(root.join("conformance/exclude.csv")).unwrap_or_default();
    let excl = parse_exclusions(&excl_text)?;
    let mut env = setup(root)?;
    if let Some(via) = &go_via {
        // The tests' own `go` (testenv looks it up on PATH) as users have
        // it installed: behind a pip entry point or a shell shim.
        let dir = go_wrapper(root, via)?;
        println!("go on PATH for the tests: {}", dir.join("go").display());
        env.path = format!("{}:{}", dir.display(), env.path);
    }
    if full {
        pkgs.extend(list_std(&env, &guest)?);
    }
    if pkgs.is_empty() {
        pkgs.extend(SMOKE.iter().map(|s| s.to_string()));
    }
    pkgs.sort();
    pkgs.dedup();

    if recheck {
        return recheck_excluded(&env, &guest, &excl, &timeout);
    }
    let excluded_pkgs: Vec<&Exclusion> = excl.iter().filter(|e| e.test.is_empty()).collect();
    let run_pkgs: Vec<String> =
        pkgs.iter().filter(|p| !excluded_pkgs.iter().any(|e| &e.package == *p)).cloned().collect();

    let t0 = Instant::now();
    let dfly = run_mode(&env, &guest, &run_pkgs, &excl, &timeout);
    let t1 = Instant::now();
    let linux = run_mode(&env, "linux", &run_pkgs, &excl, &timeout);
    let t2 = Instant::now();

    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    let mut table = String::new();
    let mut json = String::from("[\n");
    let _ = writeln!(table, "| package | godfly | native | godfly s | native s | ratio |");
    let _ = writeln!(table, "|---|---|---|---|---|---|");
    for p in &pkgs {
        if let Some(e) = excluded_pkgs.iter().find(|e| &e.package == p) {
            skipped += 1;
            println!("{p:<32} excluded: {}", e.reason);
            let _ = writeln!(table, "| {p} | excluded | | | | {} |", e.reason);
            continue;
        }
        let d = dfly.get(p).cloned().unwrap_or_else(|| PkgResult { action: "fail".into(), ..Default::default() });
        let n = linux.get(p).cloned().unwrap_or_else(|| PkgResult { action: "fail".into(), ..Default::default() });
        match d.action.as_str() {
            "pass" => passed += 1,
            "skip" => skipped += 1,
            _ => failed += 1,
        }
        let ratio = if n.elapsed > 0.0 { d.elapsed / n.elapsed } else { 0.0 };
        let fails =
            if d.failed_tests.is_empty() { String::new() } else { format!(" failed: {}", d.failed_tests.join(" ")) };
        println!(
            "{p:<32} godfly {:<4} native {:<4} {:>7.2}s {:>7.2}s x{ratio:.2}{fails}",
            d.action, n.action, d.elapsed, n.elapsed
        );
        let _ =
            writeln!(table, "| {p} | {} | {} | {:.2} | {:.2} | {ratio:.2} |", d.action, n.action, d.elapsed, n.elapsed);
        let _ = writeln!(
            json,
            "  {{\"package\":\"{p}\",\"godfly\":\"{}\",\"native\":\"{}\",\"godfly_s\":{:.3},\"native_s\":{:.3},\"failed_tests\":[{}]}},",
            d.action,
            n.action,
            d.elapsed,
            n.elapsed,
            d.failed_tests.iter().map(|t| format!("\"{t}\"")).collect::<Vec<_>>().join(",")
        );
    }
    if json.ends_with(",\n") {
        json.truncate(json.len() - 2);
        json.push('\n');
    }
    json.push_str("]\n");
    std::fs::write(&json_out, json).map_err(|e| format!("{}: {e}", json_out.display()))?;
    let summary = format!(
        "godfly wall time {:.0}s, native {:.0}s; {passed} passed, {failed} failed, {skipped} skipped",
        (t1 - t0).as_secs_f64(),
        (t2 - t1).as_secs_f64()
    );
    if let Some(md) = markdown {
        let text = format!(
            "# Conformance: Go's standard library tests for GOOS={guest} under godfly\n\n\
             Produced by `cargo xtask conformance --os {guest} --full --markdown FILE`\n\
             (go test -short, linux/amd64 native run as the baseline in the same run).\n\
             `skip` means the package has no tests (natively too); the tests excluded with\n\
             their reasons are listed in `conformance/exclude.csv`.\n\n{summary}\n\n{table}"
        );
        std::fs::write(&md, text).map_err(|e| format!("{}: {e}", md.display()))?;
    }
    println!("{passed} passed, {failed} failed, {skipped} skipped");
    if failed > 0 { Err(format!("{failed} packages failed under godfly")) } else { Ok(()) }
}

fn recheck_excluded(env: &Env, guest: &str, excl: &[Exclusion], timeout: &str) -> Result<(), String> {
    let mut now_pass = Vec::new();
    for e in excl {
        let run = if e.test.is_empty() { String::new() } else { format!("^{}$", e.test) };
        let res = parse_test_json(&go_test(env, guest, std::slice::from_ref(&e.package), "", &run, timeout));
        let ok = res.get(&e.package).is_some_and(|r| r.action == "pass");
        println!("{:<28} {:<40} {}", e.package, e.test, if ok { "NOW PASSES" } else { "still fails" });
        if ok {
            now_pass.push(e);
        }
    }
    println!("{} of {} exclusions now pass", now_pass.len(), excl.len());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exclusions_parse_and_reject_malformed_rows() {
        let e = parse_exclusions(
            "package,test,reason\n# c\nnet,TestX,needs the outside network, really\nplugin,,needs cgo\n",
        )
        .unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].reason, "needs the outside network, really");
        assert!(e[1].test.is_empty());
        assert!(parse_exclusions("net,TestX\n").is_err());
        assert!(parse_exclusions(",TestX,why\n").is_err());
    }

    #[test]
    fn the_checked_in_exclusion_file_is_well_formed() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let text = std::fs::read_to_string(root.join("conformance/exclude.csv")).unwrap();
        let rows = parse_exclusions(&text).unwrap();
        for r in rows {
            assert!(!r.package.contains(' '), "{r:?}");
            assert!(r.test.is_empty() || r.test.starts_with("Test") || r.test.starts_with("Example"), "{r:?}");
        }
    }

    #[test]
    fn go_test_json_is_summarised_per_package() {
        let text = r#"{"Action":"run","Package":"a","Test":"TestOne"}
{"Action":"pass","Package":"a","Test":"TestOne","Elapsed":0.1}
{"Action":"fail","Package":"a","Test":"TestTwo","Elapsed":0.1}
{"Action":"fail","Package":"a","Test":"TestTwo/sub","Elapsed":0.1}
{"Action":"fail","Package":"a","Elapsed":1.5}
{"Action":"skip","Package":"b","Elapsed":0}
{"Action":"output","Package":"c","Output":"build failed"}
"#;
        let r = parse_test_json(text);
        assert_eq!(r["a"].action, "fail");
        assert_eq!(r["a"].failed_tests, vec!["TestTwo"]);
        assert_eq!(r["a"].elapsed, 1.5);
        assert_eq!(r["b"].action, "skip");
        assert_eq!(r["c"].action, "fail");
    }
}
