//! Hostile and broken input, and load: godfly never crashes, never hangs
//! and loses nothing. Every run has a time limit; going over it fails.

mod common;

use common::{ends_with_sentinel, run_godfly_within};
use std::io::{BufRead, BufReader};
use std::process::Command;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(120);

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// godfly's internal-error status (`crash::internal::INTERNAL_ERROR_STATUS`).
const INTERNAL_ERROR_STATUS: i32 = 70;

#[test]
fn panic_in_godfly_is_an_internal_error_not_a_guest_crash() {
    let bin = common::build("hello", "dragonfly");
    let out = run_godfly_within(&bin, &[], &[("GODFLY_INJECT_INTERNAL_ERROR", "panic:write")], LIMIT);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(INTERNAL_ERROR_STATUS), "{err}");
    assert!(err.starts_with("godfly internal error: panic at "), "{err}");
    assert!(err.contains("not in the guest program"), "{err}");
    assert!(err.contains("godfly::crash::inject::check"), "backtrace names the panicking function:\n{err}");
    assert!(err.contains("last system calls of guest thread"), "{err}");
    assert!(!err.contains("guest killed"), "{err}");
    assert_eq!(stdout(&out), "", "the write that failed must not have happened");
}

#[test]
fn fault_in_godfly_code_is_an_internal_error_with_godfly_location() {
    let bin = common::build("hello", "dragonfly");
    let out = run_godfly_within(&bin, &[], &[("GODFLY_INJECT_INTERNAL_ERROR", "fault:write")], LIMIT);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(INTERNAL_ERROR_STATUS), "{err}");
    assert!(err.starts_with("godfly internal error: fault in godfly"), "{err}");
    assert!(err.contains("godfly stopped at 0x") && err.contains(" in godfly::"), "{err}");
    assert!(
        err.contains("godfly::host::deliberate_fault at "),
        "the inlined chain names the faulting function:\n{err}"
    );
    assert!(err.contains("registers:"), "{err}");
    assert!(!err.contains("guest killed"), "{err}");
}

#[test]
fn a_guest_crash_is_not_reported_as_internal() {
    let bin = common::build("crash", "dragonfly");
    let out = run_godfly_within(&bin, &[], &[], LIMIT);
    let err = stderr(&out);
    assert_ne!(out.status.code(), Some(INTERNAL_ERROR_STATUS), "{err}");
    assert!(!err.contains("godfly internal error"), "{err}");
}

#[test]
fn a_thousand_locked_os_threads_are_a_thousand_lwps() {
    let bin = common::build("load", "dragonfly");
    let out = run_godfly_within(&bin, &["threads", "1000"], &[], LIMIT);
    assert!(stdout(&out).contains("threads 1000 distinct 1000\n"), "{}\n{}", stdout(&out), stderr(&out));
    ends_with_sentinel(&out);
}

#[test]
fn a_hundred_thousand_goroutines_each_report_once() {
    let bin = common::build("load", "dragonfly");
    let out = run_godfly_within(&bin, &["goroutines", "100000"], &[], LIMIT);
    assert!(stdout(&out).contains("goroutines 100000 sum ok\n"), "{}", stderr(&out));
    ends_with_sentinel(&out);
}

#[test]
fn signal_storm_to_process_and_threads_keeps_pipe_data_intact() {
    let bin = common::build("load", "dragonfly");
    let out = run_godfly_within(&bin, &["sigstorm", "32", "2000"], &[], LIMIT);
    assert!(stdout(&out).contains("data intact"), "{}\n{}", stdout(&out), stderr(&out));
    ends_with_sentinel(&out);
}

#[test]
fn signal_storm_from_outside_is_survived() {
    // Busy guest threads while the test sends hundreds of SIGUSR1, SIGURG,
    // SIGWINCH and SIGCHLD, then SIGINT.
    let bin = common::build("load", "dragonfly");
    let mut child = common::spawn_godfly(&bin, &["waitstorm"]);
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let first = lines.next().expect("a line").expect("read");
    assert_eq!(first, "ready");
    let pid = child.id().to_string();
    for i in 0..800 {
        let sig = ["-USR1", "-URG", "-WINCH", "-CHLD"][i % 4];
        assert!(Command::new("kill").args([sig, &pid]).status().expect("kill").success());
    }
    assert!(Command::new("kill").args(["-INT", &pid]).status().expect("kill").success());
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let status = child.wait().expect("wait");
    assert!(rest.iter().any(|l| l == "interrupted after SIGUSR1s"), "{rest:?}");
    assert!(status.success(), "{status:?}");
}

#[test]
fn two_hundred_forked_children_are_reaped_with_their_statuses() {
    let bin = common::build("load", "dragonfly");
    let out = run_godfly_within(&bin, &["forks", "200"], &[], LIMIT);
    assert!(stdout(&out).contains("forks 200 and 50 exec'd children reaped"), "{}\n{}", stdout(&out), stderr(&out));
    ends_with_sentinel(&out);
}

#[test]
fn exit_while_threads_are_blocked_in_calls_ends_at_once_with_the_status() {
    let bin = common::build("load", "dragonfly");
    let start = std::time::Instant::now();
    let out = run_godfly_within(&bin, &["exitblocked"], &[], LIMIT);
    assert_eq!(out.status.code(), Some(7), "{}", stderr(&out));
    assert_eq!(stdout(&out), "exiting with threads blocked\n");
    assert!(start.elapsed() < Duration::from_secs(60), "exit took {:?}", start.elapsed());
}

#[test]
fn godflys_diagnostics_survive_a_guest_that_replaced_its_stderr() {
    // Found by the guest-side fuzz: eprintln! panicked when fd 2 was an
    // epoll descriptor. godfly now writes to its own copy of stderr.
    let bin = common::build("load", "dragonfly");
    let out = run_godfly_within(&bin, &["badstderr"], &[], LIMIT);
    let err = stderr(&out);
    assert!(!err.contains("godfly internal error"), "{err}");
    assert_eq!(stdout(&out), "jail: true\nEXIT-SUCCESS\n", "{err}");
    assert!(err.contains("unsupported DragonFly system call jail"), "{err}");
}

#[test]
fn sigreturn_to_an_unusable_stack_is_the_guests_fault_on_both_paths() {
    // Found by the guest-side fuzz: on the fast path godfly itself stored
    // the return address through the stack pointer the guest had set.
    let bin = common::build("load", "dragonfly");
    for env in [&[][..], &[("GODFLY_NO_FAST_PATH", "1")][..]] {
        let out = run_godfly_within(&bin, &["badstack"], env, LIMIT);
        let err = stderr(&out);
        use std::os::unix::process::ExitStatusExt;
        assert!(!err.contains("godfly internal error"), "{env:?}: {err}");
        // Go's SIGSEGV handler then faults itself pushing onto that stack:
        // the guest dies of a signal (with godfly's guest crash report) or
        // Go's fatal-signal exit.
        let died = out.status.signal().is_some() || out.status.code() == Some(2);
        assert!(
            died && (err.contains("guest killed by") || err.contains("SIGSEGV")),
            "{env:?}: {:?}\n{err}",
            out.status
        );
    }
}

/// Runs `load records FILE`, kills it with `signal` once it has reported
/// at least 64 records, and checks every record before the end is intact.
fn killed_mid_write(signal: &str, want_signal: i32) {
    use std::os::unix::process::ExitStatusExt;
    let bin = common::build("load", "dragonfly");
    let dir = tempdir();
    let file = dir.join("records.dat");
    let mut child = common::spawn_godfly(&bin, &["records", file.to_str().expect("utf-8 path")]);
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut reported = 0u64;
    for l in lines.by_ref() {
        let l = l.expect("read");
        reported = l.strip_prefix("written ").and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("line {l:?}"));
        if reported >= 64 {
            break;
        }
    }
    assert!(Command::new("kill").args([signal, &child.id().to_string()]).status().expect("kill").success());
    let status = child.wait().expect("wait");
    assert_eq!(status.signal(), Some(want_signal), "{status:?}");
    let data = std::fs::read(&file).expect("read records");
    let full = data.len() / 4096;
    assert!(full as u64 >= reported, "{full} records on disk, {reported} reported written");
    for (i, rec) in data.chunks(4096).enumerate() {
        let hdr = format!("record {i:08}\n");
        let mut want = hdr.clone().into_bytes();
        want.extend((hdr.len()..4095).map(|j| b'a' + ((i + j) % 26) as u8));
        want.push(b'\n');
        assert_eq!(rec, &want[..rec.len()], "record {i} damaged");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn tempdir() -> std::path::PathBuf {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let d =
        std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("robustness-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&d).expect("create temp dir");
    d
}

#[test]
fn sigkill_mid_write_keeps_every_record_written_before() {
    killed_mid_write("-KILL", libc_sig::KILL);
}

#[test]
fn sigterm_mid_write_keeps_every_record_written_before() {
    killed_mid_write("-TERM", libc_sig::TERM);
}

/// Linux signal numbers as the test sees the godfly process end.
mod libc_sig {
    pub const KILL: i32 = 9;
    pub const TERM: i32 = 15;
}

/// The supported calls as "number name [ptr]" lines, from godfly's own
/// table: the bad-pointer program covers every one marked `ptr`.
fn supported_calls_file(dir: &std::path::Path) -> std::path::PathBuf {
    let mut text = String::new();
    for (nr, _, _) in godfly::os::dragonfly::table::BINDINGS {
        let def = &godfly_abi::dragonfly::syscalls::SYSCALLS[*nr as usize];
        let ptr = def.args.iter().any(|a| a.ty.contains('*') || a.ty.contains("caddr_t"));
        text.push_str(&format!("{nr} {}{}\n", def.name, if ptr { " ptr" } else { "" }));
    }
    let path = dir.join("calls.txt");
    std::fs::write(&path, text).expect("write calls file");
    path
}

fn bad_pointers(env: &[(&str, &str)]) {
    let bin = common::build("badptr", "dragonfly");
    let dir = tempdir();
    let calls = supported_calls_file(&dir);
    let out = run_godfly_within(&bin, &[calls.to_str().expect("utf-8 path")], env, LIMIT);
    let text = stdout(&out);
    assert!(text.contains("badptr: "), "{text}\n{}", stderr(&out));
    assert!(!stderr(&out).contains("godfly internal error"), "{}", stderr(&out));
    ends_with_sentinel(&out);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_pointers_to_every_supported_call_get_dragonflys_errno() {
    bad_pointers(&[]);
}

#[test]
fn bad_pointers_get_dragonflys_errno_on_the_trap_path_too() {
    bad_pointers(&[("GODFLY_NO_FAST_PATH", "1")]);
}

/// Seeds for the guest-side fuzz: `GODFLY_GUEST_FUZZ_SEEDS=A-B` (the long
/// run, `cargo xtask fuzz --guest-seeds A-B`), else three fixed ones.
fn guest_fuzz_seeds() -> std::ops::RangeInclusive<u64> {
    let spec = std::env::var("GODFLY_GUEST_FUZZ_SEEDS").unwrap_or_else(|_| "1-3".into());
    let (a, b) = spec.split_once('-').unwrap_or((&spec, &spec));
    a.parse().expect("seed range start")..=b.parse().expect("seed range end")
}

#[test]
fn random_system_calls_from_a_guest_never_break_godfly() {
    let bin = common::build("fuzzcalls", "dragonfly");
    let batches = std::env::var("GODFLY_GUEST_FUZZ_BATCHES").unwrap_or_else(|_| "100".into());
    for seed in guest_fuzz_seeds() {
        for env in [&[][..], &[("GODFLY_NO_FAST_PATH", "1")][..]] {
            let out = run_godfly_within(&bin, &[&seed.to_string(), &batches, "50"], env, Duration::from_secs(600));
            let (o, e) = (stdout(&out), stderr(&out));
            assert!(!e.contains("godfly internal error"), "seed {seed} {env:?}:\n{o}\n{e}");
            assert!(out.status.success() && o.ends_with("EXIT-SUCCESS\n"), "seed {seed} {env:?}:\n{o}\n{e}");
            let summary = o.lines().find(|l| l.starts_with("fuzzcalls: ")).unwrap_or("");
            println!("{summary} {}", if env.is_empty() { "" } else { "(trap path)" });
        }
    }
}

/// Runs godfly on a program file with the given bytes.
fn run_file(name: &str, bytes: &[u8]) -> std::process::Output {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempdir();
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write program");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let out = run_godfly_within(&path, &[], &[], LIMIT);
    let _ = std::fs::remove_dir_all(&dir);
    out
}

fn tiny(go: bool) -> Vec<u8> {
    godfly::fuzz::seeds::program(godfly::fuzz::seeds::Parts { note: true, go })
}

#[test]
fn a_hand_built_dragonfly_program_runs_with_and_without_rewritten_sites() {
    for go in [false, true] {
        let out = run_file("tiny", &tiny(go));
        assert_eq!(stdout(&out), "hi\n", "{}", stderr(&out));
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
}

/// Each broken program gets one clear line and status 126, never a crash.
#[test]
fn broken_elf_files_get_a_clear_error_and_status_126() {
    let put = |v: &mut Vec<u8>, at: usize, x: u64| v[at..at + 8].copy_from_slice(&x.to_le_bytes());
    let good = tiny(false);
    let mut cases: Vec<(&str, Vec<u8>, &str)> = Vec::new();
    cases.push(("truncated", good[..100].to_vec(), "malformed program headers"));
    cases.push(("header-only", good[..64].to_vec(), "malformed program headers"));
    let mut v = good.clone();
    put(&mut v, 24, 0x1000); // e_entry
    cases.push(("bad-entry", v, "entry point 0x1000 outside every executable segment"));
    let mut v = good.clone();
    v[56..58].copy_from_slice(&0xffffu16.to_le_bytes()); // e_phnum
    cases.push(("absurd-phnum", v, "malformed program headers"));
    let mut v = good.clone();
    put(&mut v, 32, 0xffff_ffff_ffff_0000); // e_phoff
    cases.push(("phoff-past-end", v, "malformed program headers"));
    let mut v = good.clone();
    let load = 64 + 56; // the PT_LOAD header
    put(&mut v, load + 40, 0x7f00_0000_0000); // p_memsz: 127 TiB
    cases.push(("huge-segment", v, "cannot load"));
    let mut v = good.clone();
    put(&mut v, load + 40, u64::MAX - 0x1000); // p_memsz past the address space
    cases.push(("segment-past-user-space", v, "outside the user address space"));
    let mut v = good.clone();
    put(&mut v, load + 32, 0x10_0000); // p_filesz past the end of the file
    cases.push(("segment-past-file", v, "outside the file"));
    let mut v = good.clone();
    let copy = v[load..load + 56].to_vec();
    v[64..64 + 56].copy_from_slice(&copy); // PT_PHDR slot becomes a second PT_LOAD
    cases.push(("overlapping", v, "overlap"));
    for (name, bytes, want) in cases {
        let out = run_file(name, &bytes);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(126), "{name}: {err}");
        assert!(err.starts_with("godfly: ") && err.contains(want), "{name}: {err}");
        assert_eq!(err.lines().count(), 1, "{name}: one line:\n{err}");
    }
}

/// Runs `godfly trace BIN busyforks FORKS 6` with the trace on stderr,
/// read slowly: writers then often wait on the full pipe while holding
/// the trace output's lock, the moment a fork must not copy. Returns the
/// program's stdout, or `None` if it did not end within the limit.
fn busyforks_traced_into_slow_pipe(bin: &std::path::Path, forks: &str, env: &[(&str, &str)]) -> Option<String> {
    use std::io::Read;
    use std::os::unix::process::CommandExt;
    let mut cmd = Command::new(common::godfly());
    cmd.arg("trace").arg(bin).args(["busyforks", forks, "6"]).process_group(0);
    cmd.stdin(std::process::Stdio::null()).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("start godfly");
    let mut err = child.stderr.take().unwrap();
    let slow = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while err.read(&mut buf).is_ok_and(|n| n > 0) {
            std::thread::sleep(Duration::from_micros(500));
        }
    });
    let mut out = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    // Generous: 100 forks behind a slow stderr reader on a loaded machine.
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    let done = loop {
        if child.try_wait().unwrap().is_some() {
            break true;
        }
        if std::time::Instant::now() > deadline {
            break false;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    // Forked children stuck on a lock live on in the group: end them all.
    common::kill_group(child.id());
    let _ = child.wait();
    slow.join().unwrap();
    let s = reader.join().unwrap();
    done.then_some(s)
}

#[test]
fn forks_from_a_busy_traced_process_with_signals_arriving_all_finish() {
    let bin = common::build("load", "dragonfly");
    for env in [&[][..], &[("GODFLY_NO_FAST_PATH", "1")][..]] {
        // Before every lock was held across fork, about two runs in three
        // left a child blocked on the trace output's lock.
        for run in 0..3 {
            let out = busyforks_traced_into_slow_pipe(&bin, "100", env);
            let out = out.unwrap_or_else(|| panic!("{env:?} run {run}: a forked child never finished"));
            assert!(out.ends_with("busyforks 100 ok\nEXIT-SUCCESS\n"), "{env:?} run {run}:\n{out}");
        }
    }
}

#[test]
fn huge_counts_and_lengths_get_dragonflys_answers_and_the_guest_goes_on() {
    // kevent with 2^31-1 changes, poll and select with huge counts, 1025
    // iovecs, sendmsg control and name lengths, socket options, groups,
    // sysctl, getrandom, mincore, execve past ARG_MAX: each an errno or a
    // bounded result, never memory sized by the value.
    let bin = common::build("bounds", "dragonfly");
    for env in [&[][..], &[("GODFLY_NO_FAST_PATH", "1")][..]] {
        let out = run_godfly_within(&bin, &[], env, LIMIT);
        let text = stdout(&out);
        assert!(!text.contains("FAIL"), "{env:?}\n{text}\n{}", stderr(&out));
        assert!(text.contains("failures: 0\n"), "{env:?}\n{text}\n{}", stderr(&out));
        assert!(text.matches("\nok ").count() >= 40, "{env:?}: fewer checks than written\n{text}");
        ends_with_sentinel(&out);
    }
}

#[test]
fn a_failed_allocation_is_an_internal_error_not_an_abort() {
    let bin = common::build("hello", "dragonfly");
    let out = run_godfly_within(&bin, &[], &[("GODFLY_INJECT_INTERNAL_ERROR", "oom:write")], LIMIT);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(INTERNAL_ERROR_STATUS), "{err}");
    assert!(err.starts_with("godfly internal error: out of memory: an allocation of "), "{err}");
    assert!(err.contains("not in the guest program"), "{err}");
    assert_eq!(stdout(&out), "", "the write that failed must not have happened");
}

/// A report that hangs (in a broken allocator, say) is cut short: the bare
/// thread `fail` starts ends the process with the internal-error status.
/// The child is this test binary again, arming a 1 s deadline and then
/// blocking forever with every signal blocked.
#[test]
fn a_hanging_internal_error_report_is_ended_by_its_deadline() {
    if std::env::var_os("GODFLY_TEST_DEADLINE_CHILD").is_some() {
        godfly::host::proc::exit_group_after(Duration::from_secs(1), INTERNAL_ERROR_STATUS)
            .expect("start the deadline");
        godfly::host::sig::block_all();
        loop {
            std::thread::sleep(Duration::from_secs(3600));
        }
    }
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", "a_hanging_internal_error_report_is_ended_by_its_deadline", "--nocapture"])
        .env("GODFLY_TEST_DEADLINE_CHILD", "1");
    let start = std::time::Instant::now();
    let out = common::output_within(cmd, Duration::from_secs(30));
    assert_eq!(out.status.code(), Some(INTERNAL_ERROR_STATUS), "{}", stderr(&out));
    assert!(start.elapsed() >= Duration::from_millis(900), "the deadline came early: {:?}", start.elapsed());
}
