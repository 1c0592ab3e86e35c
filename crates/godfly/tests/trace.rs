//! The tracer and the crash report: golden traces (pids and random bytes
//! normalised), JSON output, the `godfly syscalls` table, and the crash of
//! a program that fails the way the old Go runtime's settls did.

mod common;

use std::process::{Command, Stdio};

fn trace(name: &str, extra: &[&str]) -> (String, std::process::Output) {
    // Unique per call: tests run concurrently in one process.
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let bin = common::build(name, "dragonfly");
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let out_file = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("trace-{name}-{}-{n}.txt", std::process::id()));
    let _ = std::fs::remove_file(&out_file);
    let out = Command::new(common::godfly())
        .arg("trace")
        .arg("-o")
        .arg(&out_file)
        .args(extra)
        .arg(&bin)
        .stdin(Stdio::null())
        .output()
        .expect("run godfly trace");
    let text = std::fs::read_to_string(&out_file).unwrap_or_default();
    let _ = std::fs::remove_file(&out_file);
    (text, out)
}

/// Replaces pids and thread ids with PID/TID.
fn normalise(text: &str) -> String {
    text.lines()
        .map(|l| {
            let (head, rest) = l.split_once(": ").unwrap_or(("", l));
            let head = if head.contains('/') { "PID/TID" } else { "PID" };
            format!("{head}: {rest}\n")
        })
        .collect()
}

#[test]
fn hello_world_trace_matches_golden() {
    let (text, out) = trace("tracehello", &["-e", "open,close,write,exit"]);
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "hello, world\n", "tracing must not change the program's output");
    let want = "\
PID/TID: open(\"/dev/urandom\",O_RDONLY,00) = 3 (0x3)
PID/TID: close(3) = 0 (0x0)
PID/TID: write(1,\"hello, world\\n\",13) = 13 (0xd)
PID/TID: exit(0)
PID: process exit, rval = 0
";
    assert_eq!(normalise(&text), want);
}

#[test]
fn missing_file_trace_shows_err2_with_dragonfly_names() {
    let (text, out) = trace("missingfile", &["-e", "file"]);
    assert_eq!(out.status.code(), Some(1));
    let line =
        text.lines().find(|l| l.contains("godfly-missing-file")).unwrap_or_else(|| panic!("no open line in:\n{text}"));
    assert!(
        line.ends_with(
            ": open(\"/nonexistent/godfly-missing-file\",O_RDONLY|O_CLOEXEC,00) = ERR#2 'No such file or directory'"
        ),
        "{line}"
    );
}

#[test]
fn json_trace_has_one_object_per_event() {
    let (text, _) = trace("missingfile", &["--json", "-e", "open"]);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() >= 2, "{text}");
    for l in &lines {
        assert!(l.starts_with('{') && l.ends_with('}'), "{l}");
    }
    assert!(
        lines.iter().any(|l| l.contains("\"call\":\"open\"") && l.contains("\"errno\":2,\"error\":\"ENOENT\"")),
        "{text}"
    );
}

#[test]
fn settls_crash_report_names_routine_call_errno_and_instruction() {
    let bin = common::build_with("settls", "dragonfly", "-E=main.settls");
    let out = common::run_godfly(&bin, &[], &[]);
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(out.status.signal(), Some(libc::SIGSEGV), "godfly must die of SIGSEGV: {:?}", out.status);
    let report = String::from_utf8_lossy(&out.stderr);
    assert!(report.contains("guest killed by SIGSEGV (11), code 1 (SEGV_MAPERR), fault address 0xf1"), "{report}");
    assert!(report.contains("in main.settls"), "{report}");
    assert!(report.contains("settls_amd64.s:10"), "{report}");
    assert!(report.contains("=> 0x") && report.contains("movl $0xf1,0xf1"), "{report}");
    assert!(report.contains("sysarch(129,NULL) = ERR#45 EOPNOTSUPP"), "{report}");
    assert!(report.contains("rip 0x"), "{report}");
}

#[test]
fn syscalls_command_prints_text_and_markdown() {
    let text = Command::new(common::godfly()).arg("syscalls").output().unwrap();
    let t = String::from_utf8_lossy(&text.stdout);
    assert!(t.lines().any(|l| l.contains(" lwp_create ") && l.contains("supported")), "{t}");
    let md = Command::new(common::godfly()).args(["syscalls", "--markdown"]).output().unwrap();
    assert!(String::from_utf8_lossy(&md.stdout).contains("| 338 | `jail` | unsupported | no jails on a Linux host |"));
}
