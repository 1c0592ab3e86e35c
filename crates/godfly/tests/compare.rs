//! `godfly compare` on a program's DragonFly, FreeBSD and linux builds:
//! the report against a golden file (addresses, big numbers and the work
//! directory written as placeholders), its JSON form, and its exit status.
//! `GODFLY_BLESS=1` rewrites the golden file.

mod common;

use std::process::{Command, Output};

fn compare(extra: &[&str], dir: &std::path::Path) -> Output {
    let (d, f, l) =
        (common::build("compare", "dragonfly"), common::build("compare", "freebsd"), common::build("compare", "linux"));
    Command::new(common::godfly())
        .arg("compare")
        .args(extra)
        .arg("--linux")
        .arg(&l)
        .arg(&d)
        .arg(&f)
        .arg("--")
        .arg(dir)
        .output()
        .expect("godfly compare")
}

fn workdir(name: &str) -> std::path::PathBuf {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The report with what changes from run to run written as placeholders.
fn normalize(report: &str, dir: &std::path::Path) -> String {
    let mut out = String::new();
    for line in report.lines() {
        let mut l = line.replace(&dir.display().to_string(), "$DIR");
        // "DragonFly  /path/to/build: exit 3, ..." names the build's path.
        if let Some(at) = l.find(": exit") {
            let label: String = l.split_whitespace().next().unwrap_or("").to_string();
            l = format!("{label:<10} $PROGRAM{}", &l[at..]);
        }
        // Hex addresses and large decimal values (addresses as results).
        let mut norm = String::new();
        let mut chars = l.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '0' && chars.peek() == Some(&'x') {
                chars.next();
                while chars.peek().is_some_and(char::is_ascii_hexdigit) {
                    chars.next();
                }
                norm.push_str("0x_");
            } else if c.is_ascii_digit() {
                let mut num = String::from(c);
                while chars.peek().is_some_and(char::is_ascii_digit) {
                    num.push(chars.next().unwrap());
                }
                norm.push_str(if num.len() >= 6 { "N" } else { &num });
            } else {
                norm.push(c);
            }
        }
        out.push_str(&norm);
        out.push('\n');
    }
    out
}

#[test]
fn compare_reports_status_output_and_the_calls_only_one_system_makes() {
    let dir = workdir("compare-golden");
    let out = compare(&[], &dir);
    let report = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{report}\n{}", String::from_utf8_lossy(&out.stderr));
    let got = normalize(&report, &dir);
    let golden = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testdata/compare.golden");
    if std::env::var_os("GODFLY_BLESS").is_some() {
        std::fs::write(&golden, &got).unwrap();
    }
    let want = std::fs::read_to_string(&golden).unwrap_or_default();
    assert_eq!(got, want, "the report differs from tests/testdata/compare.golden:\n{report}");
}

#[test]
fn compare_json_has_every_side_and_the_differences() {
    let dir = workdir("compare-json");
    let out = compare(&["--json"], &dir);
    let j = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{j}");
    for want in [
        "\"system\":\"DragonFly\"",
        "\"system\":\"FreeBSD\"",
        "\"system\":\"linux\"",
        "\"status\":3",
        "\"same_status\":true",
        "\"same_stdout\":true",
        "\"kind\":\"only freebsd\"",
        "cpuset_getaffinity(",
    ] {
        assert!(j.contains(want), "no {want} in {j}");
    }
}

#[test]
fn compare_fails_when_the_builds_part_and_names_the_line() {
    let dir = workdir("compare-goos");
    let (d, f) = (common::build("compare", "dragonfly"), common::build("compare", "freebsd"));
    let out =
        Command::new(common::godfly()).arg("compare").arg(&d).arg(&f).arg("--").arg(&dir).arg("goos").output().unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(report.contains("stdout: DragonFly and FreeBSD part at line 1:"), "{report}");
    assert!(report.contains("\"built for dragonfly\"") && report.contains("\"built for freebsd\""), "{report}");
}

#[test]
fn compare_refuses_a_missing_program_clearly() {
    let f = common::build("compare", "freebsd");
    let out = Command::new(common::godfly()).arg("compare").arg("/nonexistent/prog").arg(&f).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("/nonexistent/prog") && err.lines().count() == 1, "{err}");
}
