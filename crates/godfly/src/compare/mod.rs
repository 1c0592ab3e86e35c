//! `godfly compare`: runs the DragonFly and the FreeBSD builds of one Go
//! program (and its linux build natively, when given) with the same
//! arguments, and shows where they part: exit status and output first,
//! then the two traces aligned call by call, the expected pairs
//! (`lwp_create` against `thr_new`) taken as one act, so what is left is
//! a call only one side makes or a result only one side gets. The runtime's
//! own timing-dependent calls are left out unless `--all`.

pub mod align;

use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use align::{Call, Step};

/// What to compare.
#[derive(Debug, Clone)]
pub struct Request {
    pub dragonfly: PathBuf,
    pub freebsd: PathBuf,
    pub linux: Option<PathBuf>,
    pub args: Vec<OsString>,
    pub all: bool,
    pub json: bool,
}

/// One program's run.
#[derive(Debug, Clone)]
struct Side {
    label: &'static str,
    program: PathBuf,
    status: Option<i32>,
    signal: Option<i32>,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    calls: Vec<Call>,
}

fn run_side(label: &'static str, program: &Path, args: &[OsString], traced: bool) -> Result<Side, String> {
    use std::os::unix::process::ExitStatusExt;
    if !program.is_file() {
        return Err(format!("{}: no such program (the {label} build)", program.display()));
    }
    let trace_file = std::env::temp_dir().join(format!("godfly-compare-{}-{label}.json", std::process::id()));
    let mut cmd = if traced {
        let me = std::env::current_exe().map_err(|e| format!("cannot find godfly itself: {e}"))?;
        let mut c = Command::new(me);
        c.arg("trace").arg("--json").arg("-o").arg(&trace_file).arg("--").arg(program);
        c
    } else {
        Command::new(program)
    };
    let out =
        cmd.args(args).stdin(Stdio::null()).output().map_err(|e| format!("{}: cannot run: {e}", program.display()))?;
    let calls = if traced {
        let text = std::fs::read_to_string(&trace_file).unwrap_or_default();
        let _ = std::fs::remove_file(&trace_file);
        align::parse_trace(&text)
    } else {
        Vec::new()
    };
    Ok(Side {
        label,
        program: program.to_path_buf(),
        status: out.status.code(),
        signal: out.status.signal(),
        stdout: out.stdout,
        stderr: out.stderr,
        calls,
    })
}

fn status_text(s: &Side) -> String {
    match (s.status, s.signal) {
        (Some(c), _) => format!("exit {c}"),
        (None, Some(sig)) => format!("killed by signal {sig}"),
        _ => "no status".into(),
    }
}

/// Where two outputs part: the line number and the line on each side.
type Parting = (usize, String, String);

/// Where two outputs part: the first differing line, shown from both.
fn first_difference(a: &[u8], b: &[u8]) -> Option<Parting> {
    if a == b {
        return None;
    }
    let (la, lb): (Vec<&[u8]>, Vec<&[u8]>) = (a.split(|&c| c == b'\n').collect(), b.split(|&c| c == b'\n').collect());
    let at = (0..la.len().max(lb.len())).find(|&i| la.get(i) != lb.get(i)).unwrap_or(0);
    let show =
        |l: Option<&&[u8]>| l.map_or("(end of output)".to_string(), |l| format!("{:?}", String::from_utf8_lossy(l)));
    Some((at + 1, show(la.get(at)), show(lb.get(at))))
}

fn json_str(s: &str) -> String {
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            c if (c as u32) < 0x20 => {
                let _ = write!(o, "\\u{:04x}", c as u32);
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

/// Runs the comparison; prints the report and returns the exit status:
/// 0 when exit statuses and output agree on every side, 1 when they part,
/// 2 when a side could not run.
pub fn compare(req: &Request) -> i32 {
    let sides = || -> Result<Vec<Side>, String> {
        let mut v = vec![
            run_side("DragonFly", &req.dragonfly, &req.args, true)?,
            run_side("FreeBSD", &req.freebsd, &req.args, true)?,
        ];
        if let Some(l) = &req.linux {
            v.push(run_side("linux", l, &req.args, false)?);
        }
        Ok(v)
    };
    let sides = match sides() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("godfly compare: {e}");
            return 2;
        }
    };
    let keep =
        |c: &Vec<Call>| -> Vec<Call> { c.iter().filter(|c| req.all || !align::is_runtime_noise(c)).cloned().collect() };
    let (left, right) = (keep(&sides[0].calls), keep(&sides[1].calls));
    let steps = align::align(&left, &right);
    let same_status = sides.iter().all(|s| (s.status, s.signal) == (sides[0].status, sides[0].signal));
    let out_diff: Vec<(usize, Option<Parting>)> =
        (1..sides.len()).map(|i| (i, first_difference(&sides[0].stdout, &sides[i].stdout))).collect();
    let same_out = out_diff.iter().all(|d| d.1.is_none());
    let count = |f: fn(&Step) -> bool| steps.iter().filter(|s| f(s)).count();
    let paired = count(|s| matches!(s, Step::Same(..) | Step::Differs(..)));
    let differs = count(|s| matches!(s, Step::Differs(..)));
    let only_l = count(|s| matches!(s, Step::Left(_)));
    let only_r = count(|s| matches!(s, Step::Right(_)));
    let renamed = steps
        .iter()
        .filter(|s| matches!(s, Step::Same(i, j) | Step::Differs(i, j) if left[*i].name != right[*j].name))
        .count();

    let mut o = String::new();
    if req.json {
        let _ = write!(o, "{{\"sides\":[");
        for (k, s) in sides.iter().enumerate() {
            let _ = write!(
                o,
                "{}{{\"system\":{},\"program\":{},\"status\":{},\"signal\":{},\"stdout\":{},\"calls\":{}}}",
                if k > 0 { "," } else { "" },
                json_str(s.label),
                json_str(&s.program.to_string_lossy()),
                s.status.map_or("null".into(), |c| c.to_string()),
                s.signal.map_or("null".into(), |c| c.to_string()),
                json_str(&String::from_utf8_lossy(&s.stdout)),
                s.calls.len()
            );
        }
        let _ = write!(
            o,
            "],\"same_status\":{same_status},\"same_stdout\":{same_out},\"compared_calls\":[{},{}],\"paired\":{paired},\"renamed_pairs\":{renamed},\"other_result\":{differs},\"only_dragonfly\":{only_l},\"only_freebsd\":{only_r},\"differences\":[",
            left.len(),
            right.len()
        );
        let mut first = true;
        for s in &steps {
            let item = match s {
                Step::Same(..) => continue,
                Step::Differs(i, j) => format!(
                    "{{\"kind\":\"other result\",\"dragonfly\":{},\"freebsd\":{}}}",
                    json_str(&left[*i].show()),
                    json_str(&right[*j].show())
                ),
                Step::Left(i) => {
                    format!("{{\"kind\":\"only dragonfly\",\"dragonfly\":{}}}", json_str(&left[*i].show()))
                }
                Step::Right(j) => format!("{{\"kind\":\"only freebsd\",\"freebsd\":{}}}", json_str(&right[*j].show())),
            };
            let _ = write!(o, "{}{item}", if first { "" } else { "," });
            first = false;
        }
        let _ = writeln!(o, "]}}");
    } else {
        for s in &sides {
            let native = if s.label == "linux" { " (native)" } else { "" };
            let _ = writeln!(
                o,
                "{:<10} {}: {}, {} bytes of output{native}",
                s.label,
                s.program.display(),
                status_text(s),
                s.stdout.len()
            );
        }
        let _ = writeln!(o, "exit status: {}", if same_status { "the same" } else { "DIFFERS" });
        for (i, d) in &out_diff {
            match d {
                None => {
                    let _ = writeln!(o, "stdout: {} and {} the same", sides[0].label, sides[*i].label);
                }
                Some((line, a, b)) => {
                    let _ = writeln!(
                        o,
                        "stdout: {} and {} part at line {line}:\n  {:<10} {a}\n  {:<10} {b}",
                        sides[0].label, sides[*i].label, sides[0].label, sides[*i].label
                    );
                }
            }
        }
        let what = if req.all { "every call" } else { "the program's calls (--all adds the runtime's own)" };
        let _ = writeln!(
            o,
            "calls, {what}: DragonFly {}, FreeBSD {}; {paired} paired ({renamed} under each system's own name), {differs} with another result, {only_l} only on DragonFly, {only_r} only on FreeBSD",
            left.len(),
            right.len()
        );
        if left.len() > align::MAX_CALLS || right.len() > align::MAX_CALLS {
            let _ = writeln!(o, "(the first {} calls of each side are aligned)", align::MAX_CALLS);
        }
        for s in &steps {
            match s {
                Step::Same(..) => {}
                Step::Differs(i, j) => {
                    let _ = writeln!(
                        o,
                        "  other result\n    DragonFly  {}\n    FreeBSD    {}",
                        left[*i].show(),
                        right[*j].show()
                    );
                }
                Step::Left(i) => {
                    let _ = writeln!(o, "  only DragonFly  {}", left[*i].show());
                }
                Step::Right(j) => {
                    let _ = writeln!(o, "  only FreeBSD    {}", right[*j].show());
                }
            }
        }
        for s in sides.iter().filter(|s| s.label != "linux" && !s.stderr.is_empty()) {
            let text = String::from_utf8_lossy(&s.stderr);
            let _ = writeln!(o, "{} stderr:\n{}", s.label, text.trim_end());
        }
    }
    print!("{o}");
    if same_status && same_out { 0 } else { 1 }
}
