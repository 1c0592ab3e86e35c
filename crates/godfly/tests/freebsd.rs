//! FreeBSD programs under godfly: the portable Go test programs built with
//! GOOS=freebsd behave as their linux builds do natively (stdout and exit
//! status), Go's `syscall.Kevent` (FreeBSD's old 32-byte kevent) answers
//! as DragonFly's does, and `go run`/`go test` with GOOS=freebsd go
//! through `go_freebsd_amd64_exec`.

mod common;

use common::{ends_with_sentinel, same_as_native_for};
use std::process::{Command, Stdio};

fn same(name: &str) -> std::process::Output {
    same_as_native_for("freebsd", name, &[], &[])
}

#[test]
fn freebsd_hello_sees_its_arguments_environment_and_exit_status() {
    let out = same_as_native_for("freebsd", "hello", &["one", "two words", ""], &[("GODFLY_TEST_VAR", "v=1")]);
    assert_eq!(out.status.code(), Some(7));
}

#[test]
fn freebsd_goroutines_channels_and_locks_match_linux() {
    ends_with_sentinel(&same("goroutines"));
}

#[test]
fn freebsd_garbage_collection_under_load_matches_linux() {
    ends_with_sentinel(&same("gcstress"));
}

#[test]
fn freebsd_timers_and_sleeps_match_linux() {
    ends_with_sentinel(&same("timers"));
}

#[test]
fn freebsd_files_directories_and_stat_match_linux() {
    ends_with_sentinel(&same("files"));
}

#[test]
fn freebsd_processes_pipes_and_host_scripts_match_linux() {
    ends_with_sentinel(&same("procs"));
}

#[test]
fn freebsd_loopback_network_matches_linux() {
    ends_with_sentinel(&same("network"));
}

#[test]
fn freebsd_interfaces_addresses_and_multicast_groups_match_linux() {
    ends_with_sentinel(&same("interfaces"));
}

#[test]
fn freebsd_signals_and_os_signal_match_linux() {
    ends_with_sentinel(&same("signals"));
}

#[test]
fn freebsd_goroutines_are_preempted_as_on_linux() {
    ends_with_sentinel(&same("preempt"));
}

#[test]
fn freebsd_panics_and_recovers_match_linux() {
    same("panics");
}

#[test]
fn freebsd_crashes_end_with_linuxs_status() {
    same("crash");
}

#[test]
fn freebsd_exec_of_commands_matches_linux() {
    same("runcmd");
}

#[test]
fn syscall_kevent_answers_the_same_on_freebsd_and_dragonfly() {
    let run = |goos: &str| {
        let bin = common::build("bsdkevent", goos);
        let out = common::run_godfly(&bin, &[], &[]);
        assert!(out.status.success(), "{goos}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let (f, d) = (run("freebsd"), run("dragonfly"));
    assert!(f.ends_with("EXIT-SUCCESS\n"), "{f}");
    assert!(f.contains("read ready: true bytes: 5") && f.contains("timer: 1 <nil> true true"), "{f}");
    assert_eq!(f, d);
}

#[test]
fn a_freebsd_program_is_recognised_and_traced_with_freebsd_names() {
    let bin = common::build("hello", "freebsd");
    let out = Command::new(common::godfly()).arg("trace").arg(&bin).stdin(Stdio::null()).output().unwrap();
    assert_eq!(out.status.code(), Some(7));
    let trace = String::from_utf8_lossy(&out.stderr);
    for call in ["sysarch(", "thr_new(", "_umtx_op(", "sigaction(SIGURG", "cpuset_getaffinity("] {
        assert!(trace.contains(call), "no {call} in the trace:\n{trace}");
    }
    assert!(!trace.contains("lwp_create"), "{trace}");
}

fn wrapper_path() -> String {
    let bindir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("wrapper-bin-freebsd");
    std::fs::create_dir_all(&bindir).unwrap();
    let link = bindir.join("go_freebsd_amd64_exec");
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(common::exec_wrapper_freebsd(), &link).unwrap();
    format!("{}:{}", bindir.display(), std::env::var("PATH").unwrap_or_default())
}

fn go_for_freebsd(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(common::go())
        .current_dir(dir)
        .env("PATH", wrapper_path())
        .env("GOOS", "freebsd")
        .env("GOARCH", "amd64")
        .env("CGO_ENABLED", "0")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("go")
}

#[test]
fn go_run_for_freebsd_uses_go_freebsd_amd64_exec() {
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let out = go_for_freebsd(&examples, &["run", "./hello", "alpha"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("Hello from freebsd/amd64: kernel says FreeBSD 15.0-RELEASE"), "{stdout}");
    assert!(stdout.contains("arguments: [alpha]"), "{stdout}");
}

#[test]
fn go_test_for_freebsd_passes_and_fails_through_the_wrapper() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("freebsd-gotest");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("go.mod"), "module example.com/fbtest\n\ngo 1.22\n").unwrap();
    std::fs::write(
        dir.join("fb.go"),
        "package fbtest\n\nimport \"os\"\n\nfunc Host() (string, error) { return os.Hostname() }\n",
    )
    .unwrap();
    let test = |body: &str| {
        std::fs::write(
            dir.join("fb_test.go"),
            format!(
                "package fbtest\n\nimport (\n\t\"runtime\"\n\t\"testing\"\n)\n\nfunc TestHost(t *testing.T) {{\n\tif runtime.GOOS != \"freebsd\" {{\n\t\tt.Fatal(runtime.GOOS)\n\t}}\n\th, err := Host()\n\tif err != nil || h == \"\" {{\n\t\tt.Fatal(h, err)\n\t}}\n{body}}}\n"
            ),
        )
        .unwrap();
        go_for_freebsd(&dir, &["test", "-count=1", "-v", "."])
    };
    let pass = test("");
    let s = String::from_utf8_lossy(&pass.stdout);
    assert!(
        pass.status.success() && s.contains("--- PASS: TestHost"),
        "{s}\n{}",
        String::from_utf8_lossy(&pass.stderr)
    );
    let fail = test("\tt.Fatal(\"planned failure\")\n");
    let s = String::from_utf8_lossy(&fail.stdout);
    assert!(!fail.status.success() && s.contains("planned failure"), "{s}");
}

#[test]
fn freebsd_process_tables_and_counters_by_sysctl_read_as_on_freebsd() {
    let bin = common::build("fbsdsysctl", "freebsd");
    let out = common::run_godfly_within(&bin, &["a", "b"], &[], std::time::Duration::from_secs(120));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "kern.proc.pid.self: one kinfo_proc: true\n  \
         pid, ppid, pgid, sid: true true true true\n  \
         uid, ruid, rgid: true true true\n  \
         comm: true threads > 1: true a thread id above PID_MAX: true\n  \
         runnable or sleeping: true started: true\n\
         kern.proc.pid of no process: no such process\n\
         kern.proc.proc lists this process: true, all kinfo_procs: true\n\
         kern.proc.pgrp lists this process: true, all kinfo_procs: true\n\
         kern.proc.sid lists this process: true, all kinfo_procs: true\n\
         kern.proc.uid lists this process: true, all kinfo_procs: true\n\
         kern.proc.ruid lists this process: true, all kinfo_procs: true\n\
         kern.proc.gid lists this process: true, all kinfo_procs: true\n\
         kern.proc.rgid lists this process: true, all kinfo_procs: true\n\
         kern.proc.pid_td: a record per thread: true one is thr_self: true\n\
         kern.proc.all lists this process's threads: true true\n\
         a size query leaves room for 5 more: true true\n\
         kern.proc.args.self: [\"a\" \"b\"]\n\
         kern.proc.args of no process: no such process\n\
         a child: comm is the program, ppid is this process: true true\n\
         a child's args: [\"child\" \"x y\"]\n\
         kern.cp_time: 5 longs: true kern.cp_times: 5 per CPU: true\n\
         vm.stats.vm: page size 4096 counts are u_int: true free <= total: true\n\
         vm.swap_total: a u64: true <nil>\n\
         EXIT-SUCCESS\n",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn freebsd_procctl_sets_the_parent_death_signal_reaper_and_no_new_privs() {
    let bin = common::build("fbsdprocctl", "freebsd");
    let out = common::run_godfly_within(&bin, &[], &[], std::time::Duration::from_secs(120));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "acquire: <nil>\n\
         acquire again: device busy\n\
         acquire with data: invalid argument\n\
         acquire for the parent: operation not permitted\n\
         release: <nil>\n\
         release again: invalid argument\n\
         pdeathsig at start: 0 <nil>\n\
         pdeathsig SIGUSR2: <nil> true <nil>\n\
         pdeathsig 200: invalid argument\n\
         pdeathsig of another process: invalid argument\n\
         pdeathsig of no process: invalid argument\n\
         trace status: 0 <nil>\n\
         trace status of no process: no such process\n\
         no_new_privs at start: 2 <nil>\n\
         no_new_privs 5: invalid argument\n\
         no_new_privs set: <nil> 1 <nil>\n\
         a process group: invalid argument\n\
         command 999: invalid argument\n\
         grandchild: start true <nil>\n\
         grandchild: ok: SIGUSR1 when the parent died\n\
         EXIT-SUCCESS\n",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn freebsd_file_copies_by_copy_file_range_match_linux_across_file_systems() {
    let dir = std::env::temp_dir();
    let d = dir.to_str().unwrap();
    let out = same_as_native_for("freebsd", "copyrange", &[d], &[]);
    ends_with_sentinel(&out);
    // The FreeBSD build really takes copy_file_range (Go's os.File.ReadFrom).
    let bin = common::build("copyrange", "freebsd");
    let mut cmd = Command::new(common::godfly());
    cmd.args(["trace", "-e", "copy_file_range"]).arg(&bin).arg(d).stdin(Stdio::null());
    let t = common::output_within(cmd, std::time::Duration::from_secs(120));
    let trace = String::from_utf8_lossy(&t.stderr);
    assert!(trace.contains("copy_file_range(") && !trace.contains("ENOSYS"), "{trace}");
}

#[test]
fn freebsd_extended_attributes_set_get_list_and_delete_on_host_xattrs() {
    let bin = common::build("fbsdxattr", "freebsd");
    let dir = std::env::temp_dir();
    let out = common::run_godfly_within(&bin, &[dir.to_str().unwrap()], &[], std::time::Duration::from_secs(120));
    let text = String::from_utf8_lossy(&out.stdout);
    if text.starts_with("SKIP:") {
        eprintln!("{text}");
        return;
    }
    assert_eq!(
        text,
        "set: 6 <nil>\n\
         size: 6 <nil>\n\
         get: \"gopher\" <nil>\n\
         get into 3 bytes: \"gop\" <nil>\n\
         list: 12 <nil> 2 <nil> has test and second: true\n\
         delete: <nil>\n\
         get a deleted one: true attribute not found\n\
         namespace 9: invalid argument\n\
         an empty name: invalid argument\n\
         set by fd: 5 <nil>\n\
         get by fd: \"by fd\" <nil>\n\
         list by fd, size: 12 <nil>\n\
         delete by fd: <nil>\n\
         get_link of a file: \"x\" <nil>\n\
         EXIT-SUCCESS\n",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn freebsd_local_peercred_gives_the_peers_xucred() {
    let bin = common::build("fbsdpeercred", "freebsd");
    let dir = std::env::temp_dir();
    let out = common::run_godfly_within(&bin, &[dir.to_str().unwrap()], &[], std::time::Duration::from_secs(120));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "socketpair: len 88 version 0 uid ok true groups >= 1 true egid first true pid ok true\n\
         accepted: len 88 version 0 uid ok true groups >= 1 true egid first true pid ok true\n\
         no peer: socket is not connected\n\
         set it: protocol not available\n\
         level 0 on an inet socket is IP_OPTIONS: 0 <nil>\n\
         EXIT-SUCCESS\n",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
