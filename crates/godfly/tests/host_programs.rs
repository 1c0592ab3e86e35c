//! Host programs a guest starts, and guest programs they start in turn:
//! `go` behind the wrappers people install it with, script chains, the
//! exec shim's choice, where the shim lives, and the signal dispositions
//! host programs inherit (they must be able to wait for their children).

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(120);

const PATHS: [(&str, &[(&str, &str)]); 2] = [("fast path", &[]), ("trap path", &[("GODFLY_NO_FAST_PATH", "1")])];

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn describe(out: &Output) -> String {
    format!("status {:?}\n--- stdout:\n{}\n--- stderr:\n{}", out.status, text(&out.stdout), text(&out.stderr))
}

/// A scratch directory of this test's own, empty.
fn scratch(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("host-programs-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, body).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p
}

/// `godfly run runcmd CMD...` (a DragonFly program that runs a command the
/// way Go code does, with its streams and exit status) with extra
/// environment, in `dir` if given.
fn runcmd(cmd: &[&str], env: &[(&str, &str)], dir: Option<&Path>) -> Output {
    let bin = common::build("runcmd", "dragonfly");
    let mut c = common::godfly_command(&bin, cmd, env);
    if let Some(d) = dir {
        c.current_dir(d);
    }
    common::output_within(c, LIMIT)
}

/// PATH with `dir` first.
fn path_with(dir: &Path) -> String {
    format!("{}:{}", dir.display(), std::env::var("PATH").unwrap_or_default())
}

/// The directories of `go` as `tools/dev.py go-wrappers` installs it:
/// `venv` (a pip entry point), `shim` (asdf-style bash scripts), `binary`.
fn go_wrapper(kind: &str) -> PathBuf {
    static DIRS: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let text = DIRS.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let out = Command::new("python3").arg(root.join("tools/dev.py")).arg("go-wrappers").output().unwrap();
        assert!(out.status.success(), "tools/dev.py go-wrappers: {}", describe(&out));
        text(&out.stdout)
    });
    let line = text.lines().find_map(|l| l.strip_prefix(&format!("{kind}="))).expect("go-wrappers line");
    PathBuf::from(line)
}

fn go_version_through(kind: &str) {
    let dir = go_wrapper(kind);
    let want = text(&Command::new(go_wrapper("binary").join("go")).arg("version").output().unwrap().stdout);
    assert!(want.starts_with("go version go"), "{want}");
    for (name, env) in PATHS {
        let path = path_with(&dir);
        let mut env = env.to_vec();
        env.push(("PATH", &path));
        let out = runcmd(&["go", "version"], &env, None);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", describe(&out));
        assert_eq!(text(&out.stdout), want, "{name}: {}", describe(&out));
    }
}

#[test]
fn go_version_through_a_pip_venv_entry_point_answers() {
    go_version_through("venv");
}

#[test]
fn go_version_through_an_asdf_style_bash_shim_answers() {
    go_version_through("shim");
}

#[test]
fn a_script_chain_from_a_guest_runs_a_dragonfly_program_under_godfly() {
    // guest -> sh script -> bash script -> python3 (a dynamic Linux
    // program) -> the DragonFly program, which only runs under godfly.
    let d = scratch("chain");
    let hello = common::build("hello", "dragonfly");
    let py = script(&d, "spawn.py", "import subprocess, sys\nsys.exit(subprocess.call(sys.argv[1:]))\n");
    let b = script(&d, "second.sh", &format!("#!/bin/bash\nexec python3 {} \"$@\"\n", py.display()));
    let a = script(&d, "first.sh", &format!("#!/bin/sh\n{} \"$@\"\necho \"first.sh: status $?\"\n", b.display()));
    for (name, env) in PATHS {
        let out = runcmd(&[a.to_str().unwrap(), hello.to_str().unwrap(), "one", "two"], env, None);
        let so = text(&out.stdout);
        assert!(so.contains("hello from 2 arguments\n"), "{name}: {}", describe(&out));
        assert!(so.contains("arg 0: \"one\"") && so.contains("EXIT-SUCCESS\n"), "{name}: {}", describe(&out));
        // hello ends with status 7.
        assert!(so.ends_with("first.sh: status 7\n"), "{name}: {}", describe(&out));
        assert_eq!(out.status.code(), Some(0), "{name}: {}", describe(&out));
    }
}

/// The shim's path, as a host program started by a guest sees it.
fn shim_seen_by_host_program(env: &[(&str, &str)], dir: Option<&Path>) -> String {
    let out = runcmd(&["/bin/sh", "-c", "printf %s \"$LD_PRELOAD\""], env, dir);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let s = text(&out.stdout);
    assert!(s.contains("godfly-preload-"), "the host program has no shim: {s:?}");
    s
}

#[test]
fn the_exec_shim_sends_guest_programs_to_godfly_and_nothing_else() {
    let d = scratch("choice");
    let shim = shim_seen_by_host_program(&[], None);
    // A stand-in for godfly that records what it was asked to run.
    let log = d.join("asked");
    let fake = script(&d, "fake-godfly", &format!("#!/bin/sh\necho \"$@\" >> {}\nexit 42\n", log.display()));
    let run = |prog: &Path| {
        let mut c = Command::new("/bin/sh");
        c.args(["-c", "exec \"$0\" x"]).arg(prog).env("LD_PRELOAD", &shim).env("GODFLY_EXE", &fake);
        common::output_within(c, LIMIT)
    };
    // A static Linux Go program: no GNU ABI note, but Go build information
    // for linux. It runs natively; godfly is never asked.
    let linux = common::build("hello", "linux");
    let out = run(&linux);
    assert!(text(&out.stdout).contains("hello from 1 arguments"), "{}", describe(&out));
    assert!(!log.exists(), "godfly was asked to run a Linux program: {}", std::fs::read_to_string(&log).unwrap());
    // A dynamic Linux program.
    let out = run(Path::new("/bin/true"));
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(!log.exists(), "godfly was asked to run /bin/true");
    // The DragonFly program goes to godfly.
    let dfly = common::build("hello", "dragonfly");
    let out = run(&dfly);
    assert_eq!(out.status.code(), Some(42), "{}", describe(&out));
    let asked = std::fs::read_to_string(&log).unwrap();
    assert_eq!(asked, format!("run --or-native --argv0 {0} -- {0} x\n", dfly.display()));
}

#[test]
fn the_exec_shim_lives_outside_the_guests_tmpdir_and_working_directory() {
    let tmp = scratch("tmpdir");
    let cwd = scratch("cwd");
    let home = scratch("home");
    let empty = |d: &Path| std::fs::read_dir(d).unwrap().count() == 0;
    let (t, h) = (tmp.to_str().unwrap(), home.to_str().unwrap());
    // With a home of its own, the shim goes to its cache directory there.
    let shim = shim_seen_by_host_program(&[("TMPDIR", t), ("HOME", h), ("XDG_RUNTIME_DIR", "")], Some(&cwd));
    assert!(shim.starts_with(&format!("{h}/.cache/godfly/")), "{shim}");
    assert!(empty(&tmp) && empty(&cwd), "godfly left files in the guest's directories");
    // With TMPDIR and the working directory inside that home, and HOME
    // pointing there too, godfly keeps out of both.
    let inner_tmp = home.join(".cache");
    let shim = shim_seen_by_host_program(
        &[("TMPDIR", inner_tmp.to_str().unwrap()), ("HOME", h), ("XDG_RUNTIME_DIR", "")],
        Some(&cwd),
    );
    assert!(!shim.starts_with(inner_tmp.to_str().unwrap()) && !shim.starts_with(cwd.to_str().unwrap()), "{shim}");
    assert!(empty(&cwd), "godfly left files in the working directory");
}

/// A `SigIgn:` mask from /proc/PID/status, as a number.
fn sig_ign(status: &str) -> u64 {
    let line = status.lines().find_map(|l| l.strip_prefix("SigIgn:")).expect("SigIgn line");
    u64::from_str_radix(line.trim(), 16).unwrap()
}

/// `SigIgn` and `SigBlk` of a shell that `runcmd` (run as `prefix`
/// says: natively or under godfly) starts, from a shell that ignores
/// `ignore` (a `trap` argument, "" for none) first.
fn shell_signals(runcmd: &[&Path], ignore: &str, env: &[(&str, &str)]) -> (u64, String) {
    let mut c = Command::new("/bin/sh");
    let trap = if ignore.is_empty() { String::new() } else { format!("trap '' {ignore}; ") };
    c.arg("-c").arg(format!("{trap}exec \"$@\" /bin/sh -c 'cat /proc/self/status'")).arg("sh");
    c.args(runcmd).envs(env.iter().copied());
    let out = common::output_within(c, LIMIT);
    let status = text(&out.stdout);
    assert!(status.contains("SigIgn:"), "{}", describe(&out));
    let blk = status.lines().find_map(|l| l.strip_prefix("SigBlk:")).unwrap_or_default().trim().to_string();
    (sig_ign(&status), blk)
}

#[test]
fn host_programs_get_the_dispositions_and_mask_a_native_parent_hands_on() {
    let linux = common::build("runcmd", "linux");
    let dfly = common::build("runcmd", "dragonfly");
    let godfly = common::godfly();
    for (name, env) in PATHS {
        // Nothing ignored by the guest (SIGCHLD at its default above all),
        // and, after `trap '' INT` (nohup, `cmd &`), SIGINT ignored too:
        // the guest inherits it ignored and hands it on ignored.
        for ignore in ["", "INT"] {
            let native = shell_signals(&[&linux], ignore, &[]);
            let guest = shell_signals(&[&godfly, Path::new("run"), &dfly], ignore, env);
            assert_eq!(guest, native, "{name}, trap {ignore:?}: (SigIgn, SigBlk) under godfly vs native");
            assert_eq!(guest.0 & (1 << (libc::SIGCHLD - 1)), 0, "{name}: SIGCHLD ignored");
        }
    }
}

fn need(tool: &str) -> PathBuf {
    let p = ["/usr/bin", "/usr/local/bin", "/bin"].iter().map(|d| Path::new(d).join(tool)).find(|p| p.exists());
    p.unwrap_or_else(|| panic!("{tool} is needed: `python3 tools/dev.py test` installs it with apt-get"))
}

#[test]
fn usr_bin_time_from_a_guest_waits_for_its_child() {
    let time = need("time");
    for (name, env) in PATHS {
        let out =
            runcmd(&[time.to_str().unwrap(), "-f", "elapsed %e", "/bin/sh", "-c", "echo timed; exit 3"], env, None);
        assert_eq!(text(&out.stdout), "timed\n", "{name}: {}", describe(&out));
        assert!(text(&out.stderr).contains("elapsed "), "{name}: {}", describe(&out));
        assert!(!text(&out.stderr).contains("No child processes"), "{name}: {}", describe(&out));
        assert_eq!(out.status.code(), Some(3), "{name}: {}", describe(&out));
    }
}

#[test]
fn make_from_a_guest_runs_recipes_that_wait() {
    let make = need("make");
    let d = scratch("make");
    std::fs::write(
        d.join("Makefile"),
        "all: b\n\t@echo all done\nb: a\n\t@sh -c 'sleep 0.1 & wait; echo built b'\na:\n\t@(echo in a subshell) | cat\n",
    )
    .unwrap();
    for (name, env) in PATHS {
        let out = runcmd(&["-dir", d.to_str().unwrap(), make.to_str().unwrap(), "-s"], env, None);
        assert_eq!(text(&out.stdout), "in a subshell\nbuilt b\nall done\n", "{name}: {}", describe(&out));
        assert_eq!(out.status.code(), Some(0), "{name}: {}", describe(&out));
    }
}

#[test]
fn git_from_a_guest_clones_a_local_repository() {
    let git = need("git");
    let d = scratch("git");
    let src = d.join("src");
    let g = |args: &[&str], dir: &Path| {
        let out = Command::new(&git).args(args).current_dir(dir).output().unwrap();
        assert!(out.status.success(), "git {args:?}: {}", describe(&out));
    };
    std::fs::create_dir_all(&src).unwrap();
    g(&["init", "-q", "-b", "main"], &src);
    std::fs::write(src.join("file.txt"), "contents\n").unwrap();
    g(&["add", "file.txt"], &src);
    g(&["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "one"], &src);
    for (i, (name, env)) in PATHS.iter().enumerate() {
        // file:// runs git-upload-pack; ext:: a remote helper that runs
        // it: each a child git waits for (with SIGCHLD ignored, waitpid
        // fails: "waitpid for git failed: No child processes").
        let urls = [format!("file://{}", src.display()), format!("ext::git %s {}", src.display())];
        for (j, url) in urls.iter().enumerate() {
            let dst = d.join(format!("clone{i}-{j}"));
            let out = runcmd(
                &[git.to_str().unwrap(), "-c", "protocol.ext.allow=always", "clone", "-q", url, dst.to_str().unwrap()],
                env,
                None,
            );
            assert_eq!(out.status.code(), Some(0), "{name}, {url}: {}", describe(&out));
            assert_eq!(std::fs::read_to_string(dst.join("file.txt")).unwrap(), "contents\n", "{name}, {url}");
        }
    }
}

fn shell(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(common::godfly());
    c.arg("shell").args(args).stdin(std::process::Stdio::null());
    for (k, v) in env {
        c.env(k, v);
    }
    common::output_within(c, LIMIT)
}

#[test]
fn godfly_shell_runs_every_dragonfly_program_below_it_under_godfly() {
    let dfly = common::build("hello", "dragonfly");
    let linux = common::build("hello", "linux");
    let d = dfly.to_str().unwrap();
    // Started by a host shell, and by a shell that shell starts.
    let script = format!("{d} one; echo \"status $?\"; /bin/bash -c '{d} two three; echo \"status $?\"'");
    let out = shell(&["/bin/sh", "-c", &script], &[]);
    let so = text(&out.stdout);
    assert!(so.contains("hello from 1 arguments\n") && so.contains("hello from 2 arguments\n"), "{}", describe(&out));
    assert_eq!(so.matches("status 7\n").count(), 2, "{}", describe(&out));
    // A guest program as the command itself, and a Linux program natively.
    let out = shell(&[d, "x"], &[]);
    assert_eq!(out.status.code(), Some(7), "{}", describe(&out));
    assert!(text(&out.stdout).contains("hello from 1 arguments\n"), "{}", describe(&out));
    let out = shell(&[linux.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(7), "{}", describe(&out));
    // No command: $SHELL, here given a script on standard input's place.
    let out = shell(&[], &[("SHELL", "/bin/true")]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
}

#[test]
fn godfly_shell_hands_its_options_to_the_guest_programs() {
    let dfly = common::build("tracehello", "dragonfly");
    let d = scratch("shell-trace");
    let trace = d.join("trace.txt");
    let out =
        shell(&["--trace", "-o", trace.to_str().unwrap(), "-e", "write", "/bin/sh", "-c", dfly.to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", describe(&out));
    let t = std::fs::read_to_string(&trace).unwrap_or_default();
    assert!(t.contains("write(1,"), "the guest started by sh was not traced:\n{t}\n{}", describe(&out));
    assert!(!t.contains("execve"), "only the filter's calls:\n{t}");
}
