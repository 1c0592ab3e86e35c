//! Signals and faults as DragonFly delivers them, seen through Go programs:
//! runtime panics from SIGSEGV and SIGFPE, asynchronous preemption
//! (SIGURG to one thread), os/signal, CPU profiling (SIGPROF) and crashes.

mod common;

use common::{ends_with_sentinel, same_as_native};
use std::io::{BufRead, BufReader};
use std::process::Command;

#[test]
fn nil_dereference_division_by_zero_index_and_nil_map_are_recovered() {
    ends_with_sentinel(&same_as_native("panics", &[], &[]));
}

#[test]
fn spinning_goroutine_is_preempted_under_gomaxprocs_1() {
    ends_with_sentinel(&same_as_native("preempt", &[], &[]));
}

#[test]
fn notify_receives_self_sent_signals_and_ignore_works() {
    ends_with_sentinel(&same_as_native("signals", &[], &[]));
}

#[test]
fn cpu_profile_of_a_busy_loop_has_samples() {
    ends_with_sentinel(&same_as_native("cpuprofile", &[], &[]));
}

#[test]
fn sigint_from_outside_reaches_signal_notify() {
    let bin = common::build("signals", "dragonfly");
    let mut child = common::spawn_godfly(&bin, &["wait"]);
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    assert_eq!(lines.next().unwrap().unwrap(), "ready");
    let st = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(st.success());
    let rest: Vec<String> = lines.map(|l| l.unwrap()).collect();
    let status = child.wait().unwrap();
    assert_eq!(rest, vec!["received interrupt".to_string(), "EXIT-SUCCESS".to_string()]);
    assert_eq!(status.code(), Some(0));
}

fn crash(arg: &str) -> (std::process::Output, std::process::Output) {
    let dfly = common::build("crash", "dragonfly");
    let linux = common::build("crash", "linux");
    (common::run_godfly(&dfly, &[arg], &[]), common::run_native(&linux, &[arg], &[]))
}

#[test]
fn unrecovered_panic_prints_message_and_traceback_and_exits_2() {
    let (g, n) = crash("panic");
    assert_eq!(g.status.code(), Some(2));
    assert_eq!(g.status.code(), n.status.code());
    let err = String::from_utf8_lossy(&g.stderr);
    assert!(err.starts_with("panic: boom\n\ngoroutine 1 [running]:\nmain.main()"), "{err}");
}

#[test]
fn unrecovered_nil_dereference_reports_sigsegv_and_exits_2() {
    let (g, n) = crash("nil");
    assert_eq!(g.status.code(), Some(2));
    assert_eq!(g.status.code(), n.status.code());
    let err = String::from_utf8_lossy(&g.stderr);
    assert!(err.starts_with("panic: runtime error: invalid memory address or nil pointer dereference\n"), "{err}");
    assert!(err.contains("[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc="), "{err}");
    assert!(err.contains("main.deref("), "{err}");
}

#[test]
fn sigsuspend_runs_the_handler_and_sigtimedwait_takes_a_blocked_signal() {
    let bin = common::build("sigwait", "dragonfly");
    let out = common::run_godfly(&bin, &[], &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "sigsuspend returned: true\nhandler got: true\nsigtimedwait: true true true\ntimeout: true\n"
    );
}

#[test]
fn a_signal_sent_as_a_thread_reenters_a_blocking_read_is_taken_at_once() {
    // 3000 signals to a thread blocked in read(2), each sent right after
    // the last was handled, at delays that sweep across the thread's way
    // back into the read. Before blocking host calls could be cancelled, a
    // few of them waited until the next signal freed the thread.
    let bin = common::build("sigrace", "dragonfly");
    for env in [&[][..], &[("GODFLY_NO_FAST_PATH", "1")][..]] {
        let out = common::run_godfly_within(&bin, &["3000"], env, std::time::Duration::from_secs(300));
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("rounds 3000 late 0\n"), "{env:?}: {text}\n{}", String::from_utf8_lossy(&out.stderr));
        common::ends_with_sentinel(&out);
    }
}

#[test]
fn a_sleep_is_not_cut_short_by_a_signal_another_thread_takes() {
    // A thread that blocks SIGUSR1 sleeps its whole time while threads
    // that block it too raise it at the process and another thread takes
    // it. godfly wakes the other threads with a host signal when the
    // raiser blocks the signal; that must not end the sleeper's call
    // (it did, and Go's crash relay then killed the process before the
    // last thread had printed its stack: runtime's TestCrashDumpsAllThreads).
    ends_with_sentinel(&same_as_native("sleepblocked", &[], &[]));
}
