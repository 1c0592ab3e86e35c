//! gdb against godfly: batch sessions of Debian's gdb over `godfly run
//! --gdb` (breakpoints, steps, registers, a watch, threads, signals by
//! their DragonFly names, the exit status), the remote protocol spoken
//! directly (Ctrl-C, kill), and core files opened by gdb.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(120);

/// A program started under `godfly run --gdb 0`, waiting for gdb, and the
/// port it listens on (read from its stderr line).
struct Stub {
    child: Child,
    port: u16,
    stderr: std::sync::mpsc::Receiver<String>,
}

impl Stub {
    fn start(bin: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> Stub {
        let mut cmd = Command::new(common::godfly());
        cmd.args(["run", "--gdb", "0"]).arg(bin).args(args);
        Stub::spawn(cmd, env)
    }

    fn spawn(mut cmd: Command, env: &[(&str, &str)]) -> Stub {
        use std::os::unix::process::CommandExt;
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start godfly");
        let err = BufReader::new(child.stderr.take().expect("stderr"));
        let (tx, rx) = std::sync::mpsc::channel();
        let (port_tx, port_rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut rest = String::new();
            for line in err.lines().map_while(Result::ok) {
                if let Some(at) = line.find("waits for gdb on 127.0.0.1:") {
                    let p: String = line[at + 27..].chars().take_while(char::is_ascii_digit).collect();
                    let _ = port_tx.send(p.parse::<u16>().expect("port"));
                }
                rest.push_str(&line);
                rest.push('\n');
            }
            let _ = tx.send(rest);
        });
        let port = port_rx.recv_timeout(Duration::from_secs(60)).expect("godfly says where it waits for gdb");
        Stub { child, port, stderr: rx }
    }

    /// Waits for the program; its exit status and standard output, error.
    fn finish(mut self) -> (std::process::ExitStatus, String, String) {
        let (tx, rx) = std::sync::mpsc::channel();
        let mut out = self.child.stdout.take().expect("stdout");
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = out.read_to_string(&mut s);
            let _ = tx.send(s);
        });
        let deadline = std::time::Instant::now() + LIMIT;
        let status = loop {
            if let Some(s) = self.child.try_wait().expect("wait") {
                break s;
            }
            if std::time::Instant::now() > deadline {
                common::kill_group(self.child.id());
                panic!("the program under gdb did not end");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        common::kill_group(self.child.id());
        let out = rx.recv_timeout(Duration::from_secs(10)).unwrap_or_default();
        let err = self.stderr.recv_timeout(Duration::from_secs(10)).unwrap_or_default();
        (status, out, err)
    }
}

impl Drop for Stub {
    fn drop(&mut self) {
        common::kill_group(self.child.id());
        let _ = self.child.try_wait();
    }
}

/// `gdb -nx -batch` with these commands against `bin`; its output.
fn gdb(bin: &std::path::Path, core: Option<&std::path::Path>, cmds: &[String]) -> String {
    let mut cmd = Command::new("gdb");
    cmd.args(["-nx", "-batch"]);
    for c in cmds {
        cmd.arg("-ex").arg(c);
    }
    cmd.arg(bin);
    if let Some(c) = core {
        cmd.arg(c);
    }
    let out = common::output_within(cmd, LIMIT);
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

fn remote(port: u16) -> String {
    format!("target remote 127.0.0.1:{port}")
}

fn cmds(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// A batch gdb session against `debugme ARGS` under `godfly run --gdb`:
/// gdb's output, then the program's exit status, standard output and error.
fn debugme_session(args: &[&str], commands: &[String]) -> (String, std::process::ExitStatus, String, String) {
    let bin = common::build("debugme", "dragonfly");
    let stub = Stub::start(&bin, args, &[]);
    let mut c = vec![remote(stub.port)];
    c.extend_from_slice(commands);
    let log = gdb(&bin, None, &c);
    let (status, out, err) = stub.finish();
    (log, status, out, err)
}

#[test]
fn gdb_stops_at_the_entry_breaks_steps_watches_and_sees_the_exit_status() {
    let (log, status, out, err) = debugme_session(
        &[],
        &cmds(&[
            "info registers rip",
            "stepi",
            "info registers rip",
            "break main.main",
            "continue",
            "break main.bump",
            "continue",
            "bt",
            "info registers rip",
            "p 'main.counter'",
            "next",
            "next",
            "p 'main.counter'",
            "p $rsp == $sp",
            "set can-use-hw-watchpoints 0",
            "watch 'main.counter'",
            "delete 2",
            "continue",
            "delete",
            "continue",
        ]),
    );
    // Stopped before the first instruction: the DragonFly entry point.
    assert!(log.contains("_rt0_amd64_dragonfly ()"), "{log}");
    assert!(log.contains("rip            0x") && log.contains("<_rt0_amd64_dragonfly>"), "{log}");
    assert!(log.contains("<_rt0_amd64_dragonfly+4>"), "stepi moved one instruction:\n{log}");
    assert!(log.contains("hit Breakpoint 1, main.main () at"), "{log}");
    assert!(log.contains("hit Breakpoint 2, main.bump (n=1"), "{log}");
    assert!(log.contains("#1  0x") && log.contains("in main.main () at"), "backtrace:\n{log}");
    assert!(log.contains("<main.bump>"), "rip at the breakpoint:\n{log}");
    assert!(log.contains("$1 = 0") && log.contains("$2 = 1"), "counter before and after the step:\n{log}");
    assert!(log.contains("Old value = 1") && log.contains("New value = 3"), "the watch:\n{log}");
    assert!(log.contains("exited with code 03"), "{log}");
    assert_eq!(status.code(), Some(3), "{err}");
    assert_eq!(out, "counter 6 true\n");
}

#[test]
fn gdb_lists_every_thread_of_a_multithreaded_program() {
    let mut c = cmds(&[
        "break main.bump",
        "continue",
        "info threads",
        "thread apply all bt 1",
        // Vector registers written survive the thread's next instruction.
        "set var $xmm2.v4_int32[0] = 7",
        "stepi",
        "p $xmm2.v4_int32[0]",
    ]);
    let avx = std::fs::read_to_string("/proc/cpuinfo").is_ok_and(|c| c.contains(" avx "));
    if avx {
        c.extend(cmds(&["set var $ymm1.v8_int32[7] = 5", "stepi", "p $ymm1.v8_int32[7]"]));
    }
    c.push("kill".into());
    let (log, status, _, _) = debugme_session(&[], &c);
    assert!(log.contains("$1 = 7"), "{log}");
    assert!(!avx || log.contains("$2 = 5"), "{log}");
    let lwps = log.lines().filter(|l| l.contains("Thread ") && l.contains("(LWP ")).count();
    assert!(lwps >= 4, "the Go runtime's threads, one per LWP:\n{log}");
    assert!(log.contains("main.bump (n=1"), "{log}");
    // `kill` ends the program as SIGKILL would.
    assert_eq!(std::os::unix::process::ExitStatusExt::signal(&status), Some(9));
}

#[test]
fn a_guest_signal_stops_with_its_dragonfly_name_and_is_passed_on() {
    let (log, status, out, _) = debugme_session(&["usr1"], &cmds(&["continue", "continue"]));
    // SIGUSR1 is 30 on DragonFly (10 on the Linux host): gdb names it.
    assert!(log.contains("received signal SIGUSR1"), "{log}");
    assert!(log.contains("exited normally"), "{log}");
    assert_eq!(status.code(), Some(0));
    assert_eq!(out, "got user defined signal 1\n");
}

/// A remote-protocol client, for what batch gdb cannot do (Ctrl-C).
struct Rsp(TcpStream);

impl Rsp {
    fn connect(port: u16) -> Rsp {
        let s = TcpStream::connect(("127.0.0.1", port)).expect("connect to the stub");
        s.set_read_timeout(Some(LIMIT)).unwrap();
        Rsp(s)
    }

    fn send(&mut self, payload: &str) {
        let sum = payload.bytes().fold(0u8, |a, b| a.wrapping_add(b));
        write!(self.0, "${payload}#{sum:02x}").unwrap();
    }

    /// The next packet's payload (acks skipped, and acknowledged).
    fn reply(&mut self) -> String {
        let mut b = [0u8; 1];
        loop {
            self.0.read_exact(&mut b).expect("reply from the stub");
            if b[0] == b'$' {
                break;
            }
        }
        let mut p = Vec::new();
        loop {
            self.0.read_exact(&mut b).unwrap();
            if b[0] == b'#' {
                break;
            }
            p.push(b[0]);
        }
        let mut sum = [0u8; 2];
        self.0.read_exact(&mut sum).unwrap();
        self.0.write_all(b"+").unwrap();
        String::from_utf8_lossy(&p).into_owned()
    }

    fn ask(&mut self, payload: &str) -> String {
        self.send(payload);
        self.reply()
    }
}

#[test]
fn ctrl_c_stops_a_running_program_and_kill_ends_it() {
    let bin = common::build("debugme", "dragonfly");
    let stub = Stub::start(&bin, &["forever"], &[]);
    let mut r = Rsp::connect(stub.port);
    assert_eq!(r.ask("?"), "T05thread:1;");
    assert!(r.ask("qSupported:swbreak+").contains("qXfer:features:read+"));
    // gdb started without the program learns its path.
    let exe = std::fs::canonicalize(&bin).unwrap();
    assert_eq!(r.ask("qXfer:exec-file:read::0,fff"), format!("l{}", exe.display()));
    // As gdb does: the Go runtime's preemption signal (SIGURG, gdb's 16)
    // goes through without a stop.
    assert_eq!(r.ask("QPassSignals:10;14"), "OK");
    r.send("c");
    // Long enough for the runtime's threads to start on a loaded machine.
    std::thread::sleep(Duration::from_millis(1500));
    r.0.write_all(&[3]).unwrap();
    let stop = r.reply();
    assert!(stop.starts_with("T02thread:"), "Ctrl-C is SIGINT: {stop}");
    // Every thread is held and has registers to show.
    let threads = r.ask("qfThreadInfo");
    assert!(threads.starts_with('m') && threads.contains(','), "{threads}");
    for t in threads[1..].split(',') {
        assert_eq!(r.ask(&format!("Hg{t}")), "OK");
        let regs = r.ask("g");
        assert!(regs.len() > 1000 && !regs.starts_with('x'), "thread {t}: {regs}");
    }
    // Memory reads see the program's own bytes.
    let elf = r.ask("m400000,4");
    assert_eq!(elf, "7f454c46");
    assert!(r.ask("mffffffffffff0000,4").starts_with('E'));
    r.send("vKill;1");
    let _ = r.reply();
    let (status, _, _) = stub.finish();
    assert_eq!(std::os::unix::process::ExitStatusExt::signal(&status), Some(9));
}

#[test]
fn after_detach_the_program_runs_on_by_itself_without_the_breakpoints() {
    let bin = common::build("debugme", "dragonfly");
    let stub = Stub::start(&bin, &[], &[]);
    let mut r = Rsp::connect(stub.port);
    assert_eq!(r.ask("?"), "T05thread:1;");
    // A breakpoint on main.bump's first byte, left in place at detach.
    let syms = gdb(&bin, None, &cmds(&["info address main.bump"]));
    let hex: String =
        syms.split("address 0x").nth(1).unwrap_or("").chars().take_while(char::is_ascii_hexdigit).collect();
    let at = u64::from_str_radix(&hex, 16).unwrap_or_else(|_| panic!("main.bump's address: {syms}"));
    assert_eq!(r.ask(&format!("Z0,{at:x},1")), "OK");
    assert_eq!(r.ask("D"), "OK");
    let (status, out, _) = stub.finish();
    assert_eq!(status.code(), Some(3));
    assert_eq!(out, "counter 6 true\n");
}

#[test]
fn the_environment_variable_has_programs_a_host_script_starts_wait_for_gdb() {
    let bin = common::build("debugme", "dragonfly");
    // A host shell starts the program through the exec wrapper, as `go
    // test` does; GODFLY_GDB reaches it through the script.
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(format!("\"{}\" \"{}\"; echo status $?", common::exec_wrapper().display(), bin.display()));
    let stub = Stub::spawn(cmd, &[("GODFLY_GDB", "0")]);
    let mut r = Rsp::connect(stub.port);
    assert_eq!(r.ask("?"), "T05thread:1;");
    assert_eq!(r.ask("QPassSignals:10;14"), "OK");
    r.send("c");
    assert_eq!(r.reply(), "W03");
    let (_, out, _) = stub.finish();
    assert_eq!(out, "counter 6 true\nstatus 3\n");
}

fn temp_core(name: &str) -> std::path::PathBuf {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cores");
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(format!("{name}-{}.core", std::process::id()));
    let _ = std::fs::remove_file(&p);
    p
}

#[test]
fn a_crash_with_core_opens_in_gdb_with_the_faulting_function_on_top() {
    let bin = common::build_with("settls", "dragonfly", "-E=main.settls");
    let core = temp_core("settls");
    let out = common::output_within(
        {
            let mut c = Command::new(common::godfly());
            c.args(["run", "--core"]).arg(&core).arg(&bin).stdin(Stdio::null());
            c
        },
        LIMIT,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(std::os::unix::process::ExitStatusExt::signal(&out.status), Some(libc::SIGSEGV), "{err}");
    assert!(err.contains(&format!("godfly: core dumped to {}", core.display())), "{err}");
    let log = gdb(&bin, Some(&core), &cmds(&["bt", "info threads", "info registers rip", "x/i $pc", "x/5i $pc-19"]));
    // The core's text is the program's own, not the fast path's rewrite.
    assert!(log.contains("syscall"), "{log}");
    assert!(log.contains("Program terminated with signal SIGSEGV"), "{log}");
    assert!(log.contains("#0  main.settls () at"), "{log}");
    assert!(log.contains("movl   $0xf1,0xf1"), "{log}");
    assert!(log.contains("LWP 1"), "{log}");
    let _ = std::fs::remove_file(&core);
}

#[test]
fn a_go_crash_core_has_every_thread_where_it_was() {
    let bin = common::build("crash", "dragonfly");
    let core = temp_core("crash");
    let out = common::output_within(
        {
            let mut c = Command::new(common::godfly());
            c.args(["run", "--core"]).arg(&core).arg(&bin).arg("nil").env("GOTRACEBACK", "crash").stdin(Stdio::null());
            c
        },
        LIMIT,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    // GOTRACEBACK=crash: Go re-raises with SIGABRT, whose default dumps core.
    assert_eq!(std::os::unix::process::ExitStatusExt::signal(&out.status), Some(libc::SIGABRT), "{err}");
    assert!(err.contains("core dumped to"), "{err}");
    let log = gdb(&bin, Some(&core), &cmds(&["info threads", "bt 3", "p $mxcsr", "p $xmm1.v4_int32[0]"]));
    // The FPU and vector registers are in the core too (MXCSR as Go
    // leaves it: every exception masked).
    assert!(log.contains("$1 = [ IM DM ZM OM UM PM ]") && log.contains("$2 = "), "{log}");
    assert!(log.contains("Program terminated with signal SIGABRT"), "{log}");
    let lwps = log.lines().filter(|l| l.contains("LWP ")).count();
    assert!(lwps >= 2, "every thread of the Go runtime:\n{log}");
    assert!(log.contains("runtime.raise") || log.contains("runtime.lwp_kill"), "{log}");
    let _ = std::fs::remove_file(&core);
}

#[test]
fn no_core_is_written_without_the_option_when_the_limit_is_zero() {
    let bin = common::build_with("settls", "dragonfly", "-E=main.settls");
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("nocore-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut c = Command::new("sh");
    c.current_dir(&dir).arg("-c").arg(format!(
        "ulimit -c 0; exec \"{}\" run \"{}\"",
        common::godfly().display(),
        bin.display()
    ));
    let out = common::output_within(c, LIMIT);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("core dumped"));
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0, "no file left");
    // With a limit, DragonFly's name: PROGRAM.core in the working directory.
    let mut c = Command::new("sh");
    c.current_dir(&dir).arg("-c").arg(format!(
        "ulimit -c unlimited; exec \"{}\" run \"{}\"",
        common::godfly().display(),
        bin.display()
    ));
    let out = common::output_within(c, LIMIT);
    let name = format!("{}.core", bin.file_name().unwrap().to_string_lossy());
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!("core dumped to {name}")));
    assert!(dir.join(&name).exists());
    let _ = std::fs::remove_dir_all(&dir);
}

/// Whether this host lets a process put perf breakpoints on its own
/// threads (what godfly's hardware watchpoints are made of).
fn host_has_perf_breakpoints() -> bool {
    let mut attr = [0u8; 128];
    attr[0..4].copy_from_slice(&5u32.to_le_bytes()); // PERF_TYPE_BREAKPOINT
    attr[4..8].copy_from_slice(&128u32.to_le_bytes());
    attr[16..24].copy_from_slice(&1u64.to_le_bytes());
    attr[40..48].copy_from_slice(&((1u64 << 5) | (1 << 6)).to_le_bytes());
    attr[52..56].copy_from_slice(&2u32.to_le_bytes());
    let word = 0u64;
    attr[56..64].copy_from_slice(&(&raw const word as u64).to_le_bytes());
    attr[64..72].copy_from_slice(&8u64.to_le_bytes());
    // SAFETY: a complete perf_event_attr; the descriptor is closed at once.
    let fd = unsafe { libc::syscall(libc::SYS_perf_event_open, attr.as_ptr(), 0, -1, -1, 0) };
    if fd >= 0 {
        // SAFETY: closing the descriptor just opened.
        unsafe { libc::close(fd as i32) };
    }
    fd >= 0
}

#[test]
fn a_plain_watch_is_a_hardware_watchpoint_that_stops_after_the_write() {
    let (log, status, out, _) = debugme_session(
        &[],
        &cmds(&[
            "break main.bump",
            "continue",
            "watch 'main.counter'",
            "continue",
            "info registers rip",
            "delete",
            "continue",
        ]),
    );
    if host_has_perf_breakpoints() {
        assert!(log.contains("Hardware watchpoint 2: 'main.counter'"), "{log}");
        assert!(log.contains("Old value = 0") && log.contains("New value = 1"), "{log}");
        // Stopped in main.bump, right after the store.
        assert!(log.contains("<main.bump+"), "{log}");
        assert!(log.contains("exited with code 03"), "{log}");
        assert_eq!(status.code(), Some(3));
        assert_eq!(out, "counter 6 true\n");
    } else {
        // No perf breakpoints here: gdb is told hardware watchpoints are
        // unsupported rather than given a wrong answer.
        assert!(log.contains("Could not insert hardware watchpoint"), "{log}");
    }
}
