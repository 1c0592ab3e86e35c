//! `cargo xtask bench [--runs N] [--markdown FILE] [--baseline GODFLY]`:
//! the Go programs in `bench/progs`, built for dragonfly and for linux,
//! timed in one run, alternating godfly and native (and `qemu-x86_64` with
//! the linux build, when installed); prints medians and ratios. With
//! `--baseline`, another godfly binary (an earlier commit's, say) runs the
//! same programs in the same alternation, for an A/B column. Benchmarks
//! print figures; nothing asserts on time.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// (label, program, arguments).
const CASES: &[(&str, &str, &[&str])] = &[
    ("compute (sha256 + sieve)", "compute", &[]),
    ("write 1 byte to /dev/null x200k", "syscalls", &["write"]),
    ("time.Now() x200k", "syscalls", &["now"]),
    ("os.Stat x50k", "syscalls", &["stat"]),
    ("getppid x200k", "syscalls", &["getppid"]),
    ("goroutines, channels, timers", "goroutines", &[]),
    ("file-system walk (GOROOT/src)", "fswalk", &["@goroot_src"]),
    ("HTTP loopback x2000", "httploop", &[]),
    ("start-up (hello world)", "hello", &[]),
    ("Go's time package tests (-test.short)", "@test:time", &["-test.short"]),
];

/// Calls each `syscalls` row makes (its loop count).
const LOOP: f64 = 200_000.0;

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    if v.is_empty() { 0.0 } else { v[v.len() / 2] }
}

fn time_once(cmd: &mut Command) -> Option<f64> {
    let t = Instant::now();
    let st = cmd.stdout(Stdio::null()).stderr(Stdio::null()).stdin(Stdio::null()).status().ok()?;
    st.success().then(|| t.elapsed().as_secs_f64())
}

/// Builds a program of `bench/progs`, or with `@test:PKG` the test binary
/// of a standard-library package.
fn build(go: &Path, root: &Path, prog: &str, goos: &str, out: &Path) -> Result<(), String> {
    let mut cmd = Command::new(go);
    cmd.current_dir(root.join("bench/progs"))
        .env("GOOS", goos)
        .env("GOARCH", "amd64")
        .env("CGO_ENABLED", "0")
        .env("GOTOOLCHAIN", "local")
        .env("GOFLAGS", "");
    match prog.strip_prefix("@test:") {
        Some(pkg) => cmd.args(["test", "-c", "-o"]).arg(out).arg(pkg),
        None => cmd.args(["build", "-o"]).arg(out).arg(format!("./{prog}")),
    };
    let st = cmd.status().map_err(|e| e.to_string())?;
    if st.success() { Ok(()) } else { Err(format!("building {prog} for {goos} failed")) }
}

/// The file name of a built program (`@test:time` -> `time.test`).
fn bin_name(prog: &str) -> String {
    match prog.strip_prefix("@test:") {
        Some(pkg) => format!("{}.test", pkg.replace('/', "_")),
        None => prog.to_string(),
    }
}

/// Entry point.
pub fn run(root: &Path, go: &Path, args: &[String]) -> Result<(), String> {
    let mut runs = 5usize;
    let mut markdown: Option<PathBuf> = None;
    let mut baseline: Option<PathBuf> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--runs" => runs = it.next().and_then(|v| v.parse().ok()).ok_or("--runs needs a number")?,
            "--markdown" => markdown = Some(PathBuf::from(it.next().ok_or("--markdown needs a file")?)),
            "--baseline" => baseline = Some(PathBuf::from(it.next().ok_or("--baseline needs a godfly binary")?)),
            other => return Err(format!("unknown option {other}")),
        }
    }
    let st = Command::new("cargo").args(["build", "--release", "--quiet", "-p", "godfly"]).current_dir(root).status();
    if !st.is_ok_and(|s| s.success()) {
        return Err("cargo build failed".into());
    }
    let godfly = crate::bin_dir(root).join("godfly");
    let bindir = root.join("target/bench");
    std::fs::create_dir_all(&bindir).map_err(|e| e.to_string())?;
    let goroot_src = {
        let out = Command::new(go).args(["env", "GOROOT"]).output().map_err(|e| e.to_string())?;
        PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()).join("src")
    };
    let qemu =
        Command::new("qemu-x86_64").arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok();
    let mut progs: Vec<&str> = CASES.iter().map(|c| c.1).collect();
    progs.dedup();
    for p in &progs {
        let name = bin_name(p);
        build(go, root, p, "dragonfly", &bindir.join(format!("{name}.dragonfly")))?;
        build(go, root, p, "freebsd", &bindir.join(format!("{name}.freebsd")))?;
        build(go, root, p, "linux", &bindir.join(format!("{name}.linux")))?;
    }

    let mut table = String::new();
    let _ = writeln!(
        table,
        "| benchmark | native s | godfly s | godfly/native | trap only s | trap/native | FreeBSD s | FreeBSD/native |{}{}",
        if qemu { " qemu s | qemu/godfly |" } else { "" },
        if baseline.is_some() { " baseline s | godfly/baseline |" } else { "" }
    );
    let _ = writeln!(
        table,
        "|---|---|---|---|---|---|---|---|{}{}",
        if qemu { "---|---|" } else { "" },
        if baseline.is_some() { "---|---|" } else { "" }
    );
    println!(
        "{:<34} {:>9} {:>9} {:>8} {:>9} {:>8} {:>9} {:>8}{}",
        "benchmark",
        "native",
        "godfly",
        "ratio",
        "trap",
        "ratio",
        "freebsd",
        "ratio",
        if qemu { "      qemu  qemu/godfly" } else { "" }
    );
    if baseline.is_some() {
        println!("{:>86}", "(last two columns: the --baseline godfly, and godfly/baseline)");
    }
    // Medians (native, godfly, trap) of the rows the per-call figures
    // come from: getppid, time.Now and the start-up they include.
    let (mut getppid, mut now, mut startup) = ((0.0, 0.0, 0.0), (0.0, 0.0, 0.0), (0.0, 0.0, 0.0));
    for (label, prog, pargs) in CASES {
        let pargs: Vec<String> = pargs
            .iter()
            .map(|a| if *a == "@goroot_src" { goroot_src.display().to_string() } else { a.to_string() })
            .collect();
        let dfly = bindir.join(format!("{}.dragonfly", bin_name(prog)));
        let fbsd = bindir.join(format!("{}.freebsd", bin_name(prog)));
        let linux = bindir.join(format!("{}.linux", bin_name(prog)));
        let (mut n, mut g, mut t, mut q, mut b) = (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut f = Vec::new();
        // A package's tests run in its source directory (their testdata).
        let dir = prog.strip_prefix("@test:").map_or_else(|| root.to_path_buf(), |pkg| goroot_src.join(pkg));
        let time_once = |cmd: &mut Command| time_once(cmd.current_dir(&dir));
        for _ in 0..runs {
            if let Some(t) = time_once(Command::new(&linux).args(&pargs)) {
                n.push(t);
            }
            if let Some(x) = time_once(Command::new(&godfly).arg("run").arg(&dfly).args(&pargs)) {
                g.push(x);
            }
            if let Some(base) = &baseline
                && let Some(x) = time_once(Command::new(base).arg("run").arg(&dfly).args(&pargs))
            {
                b.push(x);
            }
            if let Some(x) = time_once(Command::new(&godfly).args(["run", "--no-fast-path"]).arg(&dfly).args(&pargs)) {
                t.push(x);
            }
            if let Some(x) = time_once(Command::new(&godfly).arg("run").arg(&fbsd).args(&pargs)) {
                f.push(x);
            }
            if qemu && let Some(t) = time_once(Command::new("qemu-x86_64").arg(&linux).args(&pargs)) {
                q.push(t);
            }
        }
        let (nm, gm, tm, qm, bm) = (median(&mut n), median(&mut g), median(&mut t), median(&mut q), median(&mut b));
        let fm = median(&mut f);
        let fratio = if nm > 0.0 { fm / nm } else { 0.0 };
        let ratio = if nm > 0.0 { gm / nm } else { 0.0 };
        let tratio = if nm > 0.0 { tm / nm } else { 0.0 };
        match (*prog, pargs.first().map(String::as_str)) {
            ("syscalls", Some("getppid")) => getppid = (nm, gm, tm),
            ("syscalls", Some("now")) => now = (nm, gm, tm),
            ("hello", _) => startup = (nm, gm, tm),
            _ => {}
        }
        let qcols =
            if qemu { format!(" {qm:>9.3} {:>11.2}", if gm > 0.0 { qm / gm } else { 0.0 }) } else { String::new() };
        let bcols = if baseline.is_some() {
            format!(" {bm:>9.3} {:>9.3}", if bm > 0.0 { gm / bm } else { 0.0 })
        } else {
            String::new()
        };
        println!(
            "{label:<34} {nm:>9.3} {gm:>9.3} {ratio:>8.2} {tm:>9.3} {tratio:>8.2} {fm:>9.3} {fratio:>8.2}{qcols}{bcols}"
        );
        let qmd =
            if qemu { format!(" {qm:.3} | {:.2} |", if gm > 0.0 { qm / gm } else { 0.0 }) } else { String::new() };
        let bmd = if baseline.is_some() {
            format!(" {bm:.3} | {:.2} |", if bm > 0.0 { gm / bm } else { 0.0 })
        } else {
            String::new()
        };
        let _ = writeln!(
            table,
            "| {label} | {nm:.3} | {gm:.3} | {ratio:.2} | {tm:.3} | {tratio:.2} | {fm:.3} | {fratio:.2} |{qmd}{bmd}"
        );
    }
    // Per call: the loop's time less the start-up of the same program
    // (the hello row), over the loop count.
    let each = |row: f64, start: f64| ((row - start) / LOOP * 1e9).max(0.0);
    let calls = format!(
        "per call, start-up taken off (including Go's own overhead): getppid native {:.0} ns, godfly {:.0} ns \
         (adds {:.0} ns), trap only {:.0} ns; time.Now() native {:.0} ns, godfly {:.0} ns, trap only {:.0} ns",
        each(getppid.0, startup.0),
        each(getppid.1, startup.1),
        each(getppid.1, startup.1) - each(getppid.0, startup.0),
        each(getppid.2, startup.2),
        each(now.0, startup.0),
        each(now.1, startup.1),
        each(now.2, startup.2),
    );
    println!("{calls}");
    if let Some(md) = markdown {
        let text = format!(
            "# Performance: godfly against native linux/amd64\n\n\
             Produced by `cargo xtask bench --markdown docs/PERFORMANCE.md` ({runs} alternating runs per program,\n\
             medians of wall time on this project's 2-core machine; the same Go program built for dragonfly runs\n\
             under godfly, with the system-call fast path (default) and with `--no-fast-path` (every call\n\
             trapped), built for freebsd under godfly (FreeBSD columns), and built for linux runs natively{}).\n\n{table}\n{calls}.\n",
            if qemu { ", and under qemu-x86_64" } else { "; qemu-x86_64 was not installed" }
        );
        let text = match &baseline {
            Some(b) => text.replace(
                "\n\n| benchmark",
                &format!(
                    "\n\nThe baseline columns: another godfly ({}) in the same alternation.\n\n| benchmark",
                    b.display()
                ),
            ),
            None => text,
        };
        // A hand-written part after the figures (where the time goes) stays.
        const KEPT: &str = "\n## ";
        let kept = std::fs::read_to_string(&md).ok().and_then(|old| old.find(KEPT).map(|at| old[at..].to_string()));
        let text = text + kept.as_deref().unwrap_or("");
        std::fs::write(&md, text).map_err(|e| format!("{}: {e}", md.display()))?;
    }
    Ok(())
}
