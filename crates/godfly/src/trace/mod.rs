//! System-call tracing in DragonFly `truss` style, and the ring of recent
//! calls each thread keeps for crash reports.
//!
//! A trace line is `PID/TID: name(args) = result`; with `-d` a timestamp
//! (seconds since start) and with `-D` the time spent in the call come
//! first. `--json` writes one object per event instead. The options travel
//! to child processes in `GODFLY_TRACE_OPTS` (forks inherit the sink; a
//! DragonFly program started by `execve` runs under a godfly that reads
//! them), so `-f` (on by default) follows the whole process tree. Output
//! goes to a descriptor of godfly's own, never to the guest's.
#![forbid(unsafe_code)]

pub mod decode;
pub mod filter;
pub mod format;

use crate::sync::{Global, Startup};
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use crate::call::{Args, Ret, SysResult};
use crate::host::proc::getpid;
use crate::personality;

/// What to trace and how.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// Only these calls (names, or classes such as `file`); empty = all.
    pub filter: Vec<String>,
    /// One JSON object per event.
    pub json: bool,
    /// Timestamps: seconds since the program started.
    pub timestamps: bool,
    /// Time spent in each call.
    pub durations: bool,
    /// Follow forks and execs (default).
    pub follow: bool,
}

impl Options {
    /// Serialises for `OPTS_ENV` together with the sink descriptor.
    pub fn to_env(&self, fd: i32) -> String {
        format!(
            "fd={fd};filter={};json={};ts={};dur={};follow={}",
            self.filter.join(","),
            u8::from(self.json),
            u8::from(self.timestamps),
            u8::from(self.durations),
            u8::from(self.follow)
        )
    }

    /// Parses `to_env` output.
    pub fn from_env(s: &str) -> Option<(Options, i32)> {
        let mut o = Options::default();
        let mut fd = None;
        for part in s.split(';') {
            let (k, v) = part.split_once('=')?;
            match k {
                "fd" => fd = v.parse().ok(),
                "filter" => o.filter = v.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect(),
                "json" => o.json = v == "1",
                "ts" => o.timestamps = v == "1",
                "dur" => o.durations = v == "1",
                "follow" => o.follow = v == "1",
                _ => {}
            }
        }
        Some((o, fd?))
    }
}

struct State {
    opts: Options,
    calls: filter::Filter,
    /// Signal deliveries are shown unless a filter leaves out the signal class.
    signals: bool,
    fd: i32,
    start: Instant,
}

static ENABLED: AtomicBool = AtomicBool::new(false);
static STATE: Startup<State> = Startup::new();
static SINK: Global<Option<std::fs::File>> = Global::new(40, None);

/// Descriptor number godfly moves its trace output to, out of the guest's way.
const SINK_FD_MIN: i32 = 900;

/// Turns tracing on. `fd` is an open descriptor for the output; it is moved
/// above the guest's usual range and marked as godfly's own.
pub fn enable(opts: Options, fd: i32) -> Result<(), String> {
    let calls = filter::Filter::parse(&opts.filter, personality::current().calls.defs);
    let (file, high) =
        crate::host::out::own_file(fd, SINK_FD_MIN).map_err(|e| format!("cannot set up the trace output: {e}"))?;
    *SINK.lock() = Some(file);
    let signals = opts.filter.is_empty() || opts.filter.iter().any(|f| f == "signal");
    let _ = STATE.set(State { opts, calls, signals, fd: high, start: Instant::now() });
    ENABLED.store(true, Ordering::Release);
    Ok(())
}

/// Enables tracing from `env::TRACE_OPTS` if a parent godfly set it.
pub fn enable_from_env() {
    let Some(v) = std::env::var_os(crate::env::TRACE_OPTS) else { return };
    if let Some((opts, fd)) = Options::from_env(&v.to_string_lossy())
        && opts.follow
    {
        let _ = enable(opts, fd);
    }
}

/// The `env::TRACE_OPTS` entry for a child's environment, if tracing
/// follows execs.
pub fn child_env() -> Option<String> {
    let st = STATE.get()?;
    st.opts.follow.then(|| format!("{}={}", crate::env::TRACE_OPTS, st.opts.to_env(st.fd)))
}

/// Whether tracing is on.
pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// Whether call `nr` is traced.
pub fn wants(nr: u64) -> bool {
    enabled() && STATE.get().is_some_and(|s| s.calls.matches(nr))
}

fn emit(line: &str) {
    let mut g = SINK.lock();
    if let Some(w) = g.as_mut() {
        let _ = w.write_all(line.as_bytes());
    }
}

fn prefix(st: &State, tid: i32, dur: Option<f64>) -> String {
    let pid = getpid();
    let mut p = format!("{pid}/{tid}: ");
    if st.opts.timestamps {
        p.push_str(&format!("{:.6} ", st.start.elapsed().as_secs_f64()));
    }
    if let (true, Some(d)) = (st.opts.durations, dur) {
        p.push_str(&format!("{d:.6} "));
    }
    p
}

/// A call started at `start` finished.
pub fn syscall(tid: i32, args: &Args, mut shown: Vec<String>, res: &SysResult, start: Instant) {
    let Some(st) = STATE.get() else { return };
    let dur = start.elapsed().as_secs_f64();
    format::after(args, &mut shown, res);
    let name = format::name(args.nr);
    if st.opts.json {
        let pid = getpid();
        let args_json: Vec<String> = shown.iter().map(|a| format::json_escape(a)).collect();
        let result = match res {
            Ok(Ret::One(v)) => format!("\"result\":{}", *v as i64),
            Ok(Ret::Two(a, b)) => format!("\"result\":[{a},{b}]"),
            Ok(Ret::JustReturn) => "\"result\":null".into(),
            Err(e) => {
                let p = personality::current();
                let n = p.errno(*e);
                format!("\"errno\":{n},\"error\":\"{}\"", p.errno.name(n))
            }
        };
        emit(&format!(
            "{{\"pid\":{pid},\"tid\":{tid},\"time\":{:.6},\"duration\":{dur:.6},\"call\":\"{name}\",\"args\":[{}],{result}}}\n",
            st.start.elapsed().as_secs_f64(),
            args_json.join(",")
        ));
    } else {
        emit(&format!("{}{name}({}) = {}\n", prefix(st, tid, Some(dur)), shown.join(","), format::result(res)));
    }
}

/// A call that does not return (`exit`, `extexit`), shown as it starts.
pub fn no_return(tid: i32, args: &Args, shown: &[String]) {
    let Some(st) = STATE.get() else { return };
    let name = format::name(args.nr);
    if st.opts.json {
        let pid = getpid();
        let a: Vec<String> = shown.iter().map(|s| format::json_escape(s)).collect();
        emit(&format!("{{\"pid\":{pid},\"tid\":{tid},\"call\":\"{name}\",\"args\":[{}]}}\n", a.join(",")));
    } else {
        emit(&format!("{}{name}({})\n", prefix(st, tid, None), shown.join(",")));
    }
}

/// The process is ending with `status`.
pub fn process_exit(status: i32) {
    let Some(st) = STATE.get() else { return };
    let pid = getpid();
    if st.opts.json {
        emit(&format!("{{\"pid\":{pid},\"exit\":{status}}}\n"));
    } else {
        emit(&format!("{pid}: process exit, rval = {status}\n"));
    }
}

/// The process is ending because of signal `sig`.
pub fn process_killed(sig: u32) {
    let Some(st) = STATE.get() else { return };
    let pid = getpid();
    let name = (personality::current().signals.name)(sig);
    if st.opts.json {
        emit(&format!("{{\"pid\":{pid},\"killed\":\"{name}\",\"number\":{sig}}}\n"));
    } else {
        emit(&format!("{pid}: process killed, signal = {sig} ({name})\n"));
    }
}

/// A signal was delivered to a guest handler.
pub fn signal(tid: i32, sig: u32, code: i32, handler: u64) {
    let Some(st) = STATE.get().filter(|s| s.signals) else { return };
    let name = (personality::current().signals.name)(sig);
    if st.opts.json {
        let pid = getpid();
        emit(&format!(
            "{{\"pid\":{pid},\"tid\":{tid},\"signal\":\"{name}\",\"number\":{sig},\"code\":{code},\"handler\":\"{handler:#x}\"}}\n"
        ));
    } else {
        emit(&format!("{}SIGNAL {sig} ({name}) code={code} caught handler={handler:#x}\n", prefix(st, tid, None)));
    }
}
