//! Go programs built for dragonfly/amd64 run under godfly with the same
//! output and exit status as their linux/amd64 builds run natively.

mod common;

use common::{ends_with_sentinel, same_as_native};

#[test]
fn hello_sees_arguments_environment_and_exits_with_its_status() {
    let out = same_as_native("hello", &["one", "two words", ""], &[("GODFLY_TEST_VAR", "value=with=equals")]);
    assert_eq!(out.status.code(), Some(7));
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(s.contains("arg 1: \"two words\""), "{s}");
    assert!(s.contains("GODFLY_TEST_VAR=\"value=with=equals\""), "{s}");
}

#[test]
fn ten_thousand_goroutines_over_channels_mutexes_and_conds() {
    ends_with_sentinel(&same_as_native("goroutines", &[], &[]));
}

#[test]
fn garbage_collector_survives_over_a_gibibyte_of_allocation() {
    ends_with_sentinel(&same_as_native("gcstress", &[], &[]));
}

#[test]
fn timers_tickers_sleeps_and_monotonic_clock() {
    ends_with_sentinel(&same_as_native("timers", &[], &[]));
}

#[test]
fn file_create_append_seek_stat_rename_symlink_chmod_readdir_remove() {
    ends_with_sentinel(&same_as_native("files", &[], &[]));
}

#[test]
fn processes_helper_reexec_echo_shell_status_and_cat_through_a_pipe() {
    ends_with_sentinel(&same_as_native("procs", &[], &[]));
}

#[test]
fn http_udp_unix_sockets_and_descriptor_passing_on_loopback() {
    ends_with_sentinel(&same_as_native("network", &[], &[]));
}

#[test]
fn kqueue_filters_read_write_user_timer_signal_proc_and_errors() {
    let bin = common::build("kqueue", "dragonfly");
    let out = common::run_godfly(&bin, &[], &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "write ready with space: true\nread: 5 true\nuser event: true\ntimer fired after 20ms: true\n\
         signal counted: true\nchild exit: true\nbad change: true <nil>\n"
    );
}

#[test]
fn poll_and_select_on_a_pipe() {
    let bin = common::build("poll", "dragonfly");
    let out = common::run_godfly(&bin, &[], &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "poll before write: 1 true 0 4\npoll after write: 2 true 1 4\nselect readable: 1 true true\n"
    );
}

#[test]
fn vector_registers_survive_system_calls_signals_and_preemption() {
    // YMM, ZMM and opmask values held across busy loops where Go's
    // preemption signals and a SIGUSR1 storm land, and across a system
    // call, on four threads (the ZMM part only where the CPU has AVX-512).
    let out = common::same_as_native("vectors", &["300"], &[]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("mismatches: 0\n"), "{text}");
    assert!(text.contains("avx2 "), "{text}");
}
