//! The pure half of `godfly compare`: the events of a `godfly trace
//! --json` file, the names two systems give the same act (DragonFly's
//! `lwp_create` is FreeBSD's `thr_new`), the calls that only show the Go
//! runtime's timing, and the alignment of two call sequences (a longest
//! common subsequence over the paired names), with the pairs whose results
//! differ.

/// One traced call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub pid: i64,
    pub tid: i64,
    pub name: String,
    pub args: Vec<String>,
    /// `Ok(result)` (the result as traced), or `Err(errno name)`.
    pub outcome: Result<String, String>,
}

impl Call {
    /// The call as a trace line shows it.
    pub fn show(&self) -> String {
        let res = match &self.outcome {
            Ok(r) => format!("= {r}"),
            Err(e) => format!("ERR {e}"),
        };
        format!("{}({}) {res}", self.name, self.args.join(","))
    }
}

/// (name on one system, the act both systems share).
const PAIRS: &[(&str, &str)] = &[
    ("lwp_create", "thread create"),
    ("lwp_create2", "thread create"),
    ("thr_new", "thread create"),
    ("lwp_gettid", "thread id"),
    ("thr_self", "thread id"),
    ("lwp_kill", "thread kill"),
    ("thr_kill", "thread kill"),
    ("extexit", "thread exit"),
    ("thr_exit", "thread exit"),
    ("umtx_sleep", "futex wait"),
    ("umtx_wakeup", "futex wake"),
    ("set_tls_area", "set TLS"),
    ("sysarch", "set TLS"),
    ("extpread", "pread"),
    ("extpwrite", "pwrite"),
    ("extpreadv", "preadv"),
    ("extpwritev", "pwritev"),
    ("freebsd11_kevent", "kevent"),
    ("_exit", "exit"),
    ("stat", "fstatat"),
    ("lstat", "fstatat"),
];

/// The act a call does, by which two systems' calls are paired.
pub fn act(c: &Call) -> String {
    if c.name == "_umtx_op" {
        // WAIT, WAIT_UINT(_PRIVATE) against WAKE(_PRIVATE).
        return match c.args.get(1).map(String::as_str) {
            Some("2" | "11" | "15") => "futex wait".into(),
            Some("3" | "16" | "21") => "futex wake".into(),
            _ => c.name.clone(),
        };
    }
    PAIRS.iter().find(|p| p.0 == c.name).map_or_else(|| c.name.clone(), |p| p.1.to_string())
}

/// Whether a call only shows the Go runtime's own timing (thread starts,
/// futexes, preemption signals, memory the GC maps, clock reads, the
/// netpoller's waits): left out unless `--all`.
pub fn is_runtime_noise(c: &Call) -> bool {
    let a = act(c);
    const NOISE: &[&str] = &[
        "thread create",
        "thread id",
        "thread kill",
        "thread exit",
        "futex wait",
        "futex wake",
        "set TLS",
        "sched_yield",
        "nanosleep",
        "clock_gettime",
        "sigprocmask",
        "sigaltstack",
        "sigreturn",
        "mmap",
        "munmap",
        "madvise",
        "mprotect",
    ];
    NOISE.contains(&a.as_str()) || (a == "kevent" && c.args.get(2).is_some_and(|n| n == "0"))
}

/// One step of an alignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// The same act on both sides (indexes into each), the same outcome.
    Same(usize, usize),
    /// The same act, another outcome on each side.
    Differs(usize, usize),
    /// Only the left side.
    Left(usize),
    /// Only the right side.
    Right(usize),
}

/// Most calls aligned per side: the table is sized by them.
pub const MAX_CALLS: usize = 3000;

/// Aligns two call sequences by act (longest common subsequence).
pub fn align(left: &[Call], right: &[Call]) -> Vec<Step> {
    let (l, r) = (&left[..left.len().min(MAX_CALLS)], &right[..right.len().min(MAX_CALLS)]);
    let la: Vec<String> = l.iter().map(act).collect();
    let ra: Vec<String> = r.iter().map(act).collect();
    let (n, m) = (la.len(), ra.len());
    // lcs[i][j]: the longest common subsequence of la[i..] and ra[j..].
    let w = m + 1;
    let mut lcs = vec![0u16; (n + 1) * w];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i * w + j] = if la[i] == ra[j] {
                lcs[(i + 1) * w + j + 1] + 1
            } else {
                lcs[(i + 1) * w + j].max(lcs[i * w + j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < n && j < m {
        if la[i] == ra[j] {
            out.push(if same_outcome(&l[i], &r[j]) { Step::Same(i, j) } else { Step::Differs(i, j) });
            i += 1;
            j += 1;
        } else if lcs[(i + 1) * w + j] >= lcs[i * w + j + 1] {
            out.push(Step::Left(i));
            i += 1;
        } else {
            out.push(Step::Right(j));
            j += 1;
        }
    }
    out.extend((i..n).map(Step::Left));
    out.extend((j..m).map(Step::Right));
    out
}

/// Whether two paired calls came out alike: both failed with the same
/// errno, or both succeeded (the values themselves are addresses,
/// descriptors and sizes that differ by nature).
fn same_outcome(a: &Call, b: &Call) -> bool {
    match (&a.outcome, &b.outcome) {
        (Ok(_), Ok(_)) => true,
        (Err(x), Err(y)) => x == y,
        _ => false,
    }
}

/// Reads the calls of a `godfly trace --json` file (other events, such as
/// signals and exits, are skipped).
pub fn parse_trace(text: &str) -> Vec<Call> {
    text.lines().filter_map(parse_line).collect()
}

fn parse_line(line: &str) -> Option<Call> {
    let name = string_field(line, "call")?;
    let args = line.find("\"args\":[").map_or_else(Vec::new, |at| string_array(&line[at + 8..]));
    let outcome = match string_field(line, "error") {
        Some(e) => Err(e),
        None => Ok(raw_field(line, "result").unwrap_or_else(|| "?".into())),
    };
    let pid = raw_field(line, "pid")?.parse().ok()?;
    let tid = raw_field(line, "tid").and_then(|t| t.parse().ok()).unwrap_or(0);
    Some(Call { pid, tid, name, args, outcome })
}

/// The value of `"key":"..."` (the trace writes keys only outside strings,
/// and quotes inside strings as `\"`).
fn string_field(line: &str, key: &str) -> Option<String> {
    let pat = format!("\"{key}\":\"");
    let at = line.find(&pat)? + pat.len();
    let (s, _) = json_string(&line[at..])?;
    Some(s)
}

/// The raw text of `"key":VALUE` up to the next `,` or `}` (numbers,
/// `null`, a `[a,b]` pair).
fn raw_field(line: &str, key: &str) -> Option<String> {
    let pat = format!("\"{key}\":");
    let at = line.find(&pat)? + pat.len();
    let rest = &line[at..];
    let end = if rest.starts_with('[') {
        rest.find(']').map(|e| e + 1)?
    } else {
        rest.find([',', '}']).unwrap_or(rest.len())
    };
    Some(rest[..end].to_string())
}

/// A JSON string's contents up to its closing quote, and the bytes used.
fn json_string(s: &str) -> Option<(String, usize)> {
    let mut out = String::new();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, i + 1)),
            '\\' => match chars.next()?.1 {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                'u' => {
                    let hex: String = (0..4).filter_map(|_| chars.next().map(|x| x.1)).collect();
                    out.push(u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32).unwrap_or('?'));
                }
                other => out.push(other),
            },
            c => out.push(c),
        }
    }
    None
}

/// The strings of a JSON array of strings, from just after its `[`.
fn string_array(mut s: &str) -> Vec<String> {
    let mut out = Vec::new();
    while let Some(rest) = s.strip_prefix('"') {
        let Some((v, used)) = json_string(rest) else { break };
        out.push(v);
        s = &rest[used..];
        s = s.strip_prefix(',').unwrap_or(s);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(name: &str, outcome: Result<&str, &str>) -> Call {
        Call {
            pid: 1,
            tid: 1,
            name: name.into(),
            args: vec![],
            outcome: outcome.map(str::to_string).map_err(str::to_string),
        }
    }

    #[test]
    fn trace_lines_parse_with_their_escapes() {
        let t = concat!(
            "{\"pid\":5,\"tid\":1,\"time\":0.1,\"duration\":0.0,\"call\":\"open\",\"args\":[\"\\\"/a \\\\ b\\\"\",\"O_RDONLY\"],\"errno\":2,\"error\":\"ENOENT\"}\n",
            "{\"pid\":5,\"tid\":2,\"call\":\"write\",\"args\":[\"1\",\"\\\"hi\\\\n\\\"\",\"3\"],\"result\":3}\n",
            "{\"pid\":5,\"exit\":0}\n",
        );
        let calls = parse_trace(t);
        assert_eq!(calls.len(), 2);
        assert_eq!(calls[0].name, "open");
        assert_eq!(calls[0].args, vec!["\"/a \\ b\"".to_string(), "O_RDONLY".into()]);
        assert_eq!(calls[0].outcome, Err("ENOENT".into()));
        assert_eq!((calls[1].tid, calls[1].outcome.clone()), (2, Ok("3".into())));
    }

    #[test]
    fn each_systems_names_for_one_act_pair_up() {
        assert_eq!(act(&call("lwp_create", Ok("0"))), act(&call("thr_new", Ok("0"))));
        assert_eq!(act(&call("extpread", Ok("0"))), "pread");
        let mut wait = call("_umtx_op", Ok("0"));
        wait.args = vec!["0x1".into(), "15".into()];
        assert_eq!(act(&wait), act(&call("umtx_sleep", Ok("0"))));
        assert!(is_runtime_noise(&wait));
        assert!(!is_runtime_noise(&call("open", Ok("3"))));
    }

    #[test]
    fn alignment_finds_one_sided_calls_and_other_errnos() {
        let l = vec![call("open", Ok("3")), call("read", Ok("5")), call("__sysctl", Ok("0")), call("close", Ok("0"))];
        let r = vec![
            call("open", Ok("4")),
            call("cpuset_getaffinity", Ok("0")),
            call("read", Err("EISDIR")),
            call("close", Ok("0")),
        ];
        let steps = align(&l, &r);
        assert_eq!(steps, vec![Step::Same(0, 0), Step::Right(1), Step::Differs(1, 2), Step::Left(2), Step::Same(3, 3)]);
    }
}
