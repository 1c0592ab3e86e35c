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

#[test]
fn clock_sites_answered_from_the_vdso_keep_registers_and_give_efault() {
    // clock_gettime shaped as the Go runtime's (constant clock id, the
    // timespec on the stack): values, the registers the kernel keeps,
    // EFAULT for a timespec on an unmapped or read-only page, and MXCSR
    // across Go's own system calls and clocks; the same as natively.
    let out = common::same_as_native("fastclock", &[], &[]);
    common::ends_with_sentinel(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("timespec on a read-only page, clock 1: bad address, registers kept: true\n"), "{text}");
    // The runtime's two clocks and the program's two are vDSO sites
    // (unless this run is the trap-only one).
    let bin = common::build("fastclock", "dragonfly");
    let dbg = common::run_godfly(&bin, &[], &[("GODFLY_DEBUG_FASTPATH", "1")]);
    let err = String::from_utf8_lossy(&dbg.stderr);
    if std::env::var_os("GODFLY_NO_FAST_PATH").is_none() {
        let clocks: usize = err
            .split(", ")
            .find_map(|p| p.strip_suffix(" answered from the vDSO\n"))
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no fast-path summary: {err}"));
        assert!(clocks >= 4, "{err}");
    }
}

#[test]
fn a_pseudo_terminal_opened_the_dragonfly_way_behaves_as_a_terminal() {
    // /dev/ptmx, TIOCISPTMASTER and FIODNAME as creack/pty and DragonFly's
    // libc use them; TIOCGETA/TIOCSETA as x/term's IsTerminal, MakeRaw and
    // Restore do; the line discipline seen from both ends.
    let bin = common::build("terminal", "dragonfly");
    let out = common::run_godfly(&bin, &[], &[]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "master is ptm/N: true\n\
         slave is a terminal: canonical true echo true intr ^C true cs8 true\n\
         pipe is no terminal: true\n\
         stdin (null) is no terminal: true\n\
         window size through the pair: 40 132\n\
         slave reads the line: \"hello\\n\"\n\
         master sees the echo: \"hello\\r\\n\"\n\
         raw mode reads back: true true true true true\n\
         raw slave reads bytes, no line needed: \"ab\"\n\
         no echo in raw mode: \"\"\n\
         ^C is a byte, not a signal: \"\\x03\"\n\
         restored: true true true true true\n\
         queue and exclusive-use ioctls: ok\n\
         EXIT-SUCCESS\n",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn evfilt_vnode_gives_the_notes_hammer2_gives() {
    // DragonFly's default filesystem's notes (hammer2_vnops.c), one step
    // at a time; Linux cannot tell a same-size truncation from a write.
    let bin = common::build("vnode", "dragonfly");
    let out = common::run_godfly(&bin, &[], &[]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "nothing yet:                 none\n\
         append:                      file:WRITE|EXTEND\n\
         overwrite in place:          file:WRITE\n\
         truncate smaller:            file:WRITE\n\
         truncate to the same size:   file:WRITE\n\
         truncate larger:             file:WRITE|EXTEND\n\
         chmod:                       file:ATTRIB\n\
         link:                        dir:WRITE file:LINK\n\
         unlink one of two links:     dir:WRITE\n\
         create in the directory:     dir:WRITE\n\
         write to an entry:           none\n\
         mkdir in the directory:      dir:WRITE|LINK\n\
         rmdir in the directory:      dir:WRITE|LINK\n\
         rename the file:             dir:WRITE file:RENAME\n\
         unlink the last link:        dir:WRITE file:DELETE\n\
         EV_DELETE after NOTE_DELETE: true\n\
         level-triggered: g:ATTRIB / g:ATTRIB\n\
         oneshot: g:ATTRIB / none\n\
         knote gone with its descriptor: bad file descriptor\n\
         a pipe: operation not supported\n\
         EXIT-SUCCESS\n",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_smaller_calls_x_sys_wraps_answer_as_dragonflys_kernel_does() {
    let bin = common::build("sysmisc", "dragonfly");
    let out = common::run_godfly(&bin, &[], &[]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        include_str!("testdata/go/sysmisc/expected.txt"),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn routing_sockets_answer_rtm_get_as_dragonfly_does() {
    let bin = common::build("rtsock", "dragonfly");
    let out = common::run_godfly(&bin, &[], &[]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        include_str!("testdata/go/rtsock/expected.txt"),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(0));
}

/// Changes to the tables of a private network namespace (lo up, an
/// address added, then removed) reach a routing socket reader as
/// RTM_IFINFO, RTM_NEWADDR, RTM_ADD and RTM_DELADDR. Needs `unshare -rn`
/// (user and network namespaces) and `ip`; says so and passes where the
/// host forbids namespaces.
#[test]
fn routing_sockets_hear_the_hosts_table_changes() {
    let ok = std::process::Command::new("unshare").args(["-rn", "ip", "link", "show", "lo"]).output();
    if !ok.is_ok_and(|o| o.status.success()) {
        eprintln!("routing_sockets_hear_the_hosts_table_changes: no `unshare -rn` or `ip` here; not run");
        return;
    }
    let bin = common::build("rtsock", "dragonfly");
    let dir =
        std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("rtsock-watch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("make a scratch directory");
    let log = dir.join("out");
    // The changes are a second apart: godfly compares snapshots of the
    // host's tables, and an add and a delete inside one look would cancel.
    let script = format!(
        "{g} run {b} watch > {l} 2>&1 & p=$!; \
         for i in $(seq 200); do grep -q ready {l} && break; sleep 0.1; done; \
         ip link set lo up; sleep 1; ip addr add 10.9.9.9/24 dev lo; sleep 1; ip addr del 10.9.9.9/24 dev lo; \
         wait $p",
        g = common::godfly().display(),
        b = bin.display(),
        l = log.display()
    );
    let mut cmd = std::process::Command::new("unshare");
    cmd.args(["-rn", "sh", "-c", &script]);
    let out = common::output_within(cmd, std::time::Duration::from_secs(60));
    let got = std::fs::read_to_string(&log).unwrap_or_default();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(out.status.success(), "{got}\n{}", String::from_utf8_lossy(&out.stderr));
    for want in ["got RTM_IFINFO", "got RTM_NEWADDR", "got RTM_ADD", "got RTM_DELADDR", "EXIT-SUCCESS"] {
        assert!(got.contains(want), "no {want:?} in:\n{got}");
    }
}

#[test]
fn system_v_ipc_uses_dragonflys_numbers_and_structures() {
    let bin = common::build("sysvipc", "dragonfly");
    let out = common::run_godfly(&bin, &[], &[]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        include_str!("testdata/go/sysvipc/expected.txt"),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn process_tables_and_system_facts_by_sysctl_read_as_on_dragonfly() {
    let bin = common::build("sysctl", "dragonfly");
    let out = common::run_godfly(&bin, &["a", "b"], &[]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "kern.proc.pid.self: one kinfo_proc: true\n  \
         pid, ppid, uid, comm: true true true true\n  \
         lwp aggregated: true threads > 1: true\n\
         kern.proc.pid of no process: empty: true\n\
         kern.proc.all lists this process: true true\n\
         kern.proc.pgrp has entries: true\n\
         kern.proc.args.self: [\"a\" \"b\"]\n\
         kern.proc.cwd.self is the cwd: true\n\
         kern.proc.pathname.-1 is os.Executable: true\n\
         a child: comm is the program, ppid is this process: true true\n\
         a child's args: [\"child\" \"x y\"]\n\
         a child's pathname is the program: true\n\
         kern.clockrate: hz, tick, stathz: 100 10000 101\n\
         kern.cp_time: 5 longs: true kern.cp_times: 5 per CPU: true\n\
         hw.physmem: 8 bytes, > 0: true into 4 bytes: true\n\
         vm.stats.vm: page size, page count > 0: 4096 true\n\
         kern.osrevision: 500901\n\
         a short buffer: \"Dra\" cannot allocate memory\n\
         walk ends with: no such file or directory\n\
         walk: first kern.ostype has kern.proc.pid true has vm.stats.vm.v_page_count true count >= 40 true\n\
         EXIT-SUCCESS\n",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_second_start_takes_the_site_list_the_first_kept_and_a_changed_list_is_not_used() {
    if std::env::var_os("GODFLY_NO_FAST_PATH").is_some() {
        return; // no sites without the fast path
    }
    let bin = common::build("hello", "dragonfly");
    let root = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("sitecache-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let (cache, tmp) = (root.join("cache"), root.join("tmp"));
    std::fs::create_dir_all(&tmp).unwrap();
    let (cache_s, tmp_s) = (cache.to_string_lossy().into_owned(), tmp.to_string_lossy().into_owned());
    let env = [
        ("XDG_CACHE_HOME", cache_s.as_str()),
        ("XDG_RUNTIME_DIR", ""),
        ("TMPDIR", tmp_s.as_str()),
        ("GODFLY_DEBUG_FASTPATH", "1"),
    ];
    let run = || {
        let out = common::run_godfly(&bin, &[], &env);
        assert_eq!(out.status.code(), Some(7), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stdout).ends_with("EXIT-SUCCESS\n"));
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    assert!(run().contains(" sites found, "), "the first start scans");
    let second = run();
    assert!(second.contains(" sites kept from an earlier start, "), "{second}");
    // One list, in godfly's directory; nothing in the guest's TMPDIR.
    let lists: Vec<_> = std::fs::read_dir(cache.join("godfly/sites")).unwrap().flatten().map(|e| e.path()).collect();
    assert_eq!(lists.len(), 1, "{lists:?}");
    assert_eq!(std::fs::read_dir(&tmp).unwrap().count(), 0);
    // A list whose sites are not in the program (here: moved by a byte)
    // is scanned again, and replaced.
    let text = std::fs::read_to_string(&lists[0]).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let mut f: Vec<String> = lines[1].split(' ').map(String::from).collect();
    f[0] = format!("{:x}", u64::from_str_radix(&f[0], 16).unwrap() + 1);
    lines[1] = f.join(" ");
    std::fs::write(&lists[0], lines.join("\n") + "\n").unwrap();
    assert!(run().contains(" sites found, "), "a changed list is not used");
    assert!(run().contains(" sites kept from an earlier start, "));
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn programs_linked_without_a_symbol_table_get_the_fast_path_from_gos_function_table() {
    // `go test` and `go run` link with -s -w: no .symtab. The sites come
    // from .gopclntab then; the program's own assembly (vectors keeps
    // YMM/ZMM values across its getpid) still gets the full entry.
    let bin = common::build_with("vectors", "dragonfly", "-s -w");
    let native = common::build("vectors", "linux");
    let g = common::run_godfly(&bin, &["300"], &[("GODFLY_DEBUG_FASTPATH", "1")]);
    let n = common::run_native(&native, &["300"], &[]);
    assert_eq!(String::from_utf8_lossy(&g.stdout), String::from_utf8_lossy(&n.stdout));
    assert!(String::from_utf8_lossy(&g.stdout).contains("mismatches: 0\n"));
    let err = String::from_utf8_lossy(&g.stderr);
    if std::env::var_os("GODFLY_NO_FAST_PATH").is_none() {
        let line = err.lines().find(|l| l.contains("fast path:")).unwrap_or_else(|| panic!("{err}"));
        let found: usize = line.split_whitespace().nth(3).and_then(|n| n.parse().ok()).unwrap_or(0);
        assert!(found >= 20 && line.contains(", 2 answered from the vDSO"), "{line}");
    }
}
