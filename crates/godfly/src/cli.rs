//! Command line: `godfly run`, `godfly trace`, `godfly syscalls`, and the
//! `go_dragonfly_amd64_exec` wrapper that `go run` and `go test` call.
#![forbid(unsafe_code)]

use clap::{Args as ClapArgs, Parser, Subcommand};
use std::ffi::OsString;
use std::os::fd::IntoRawFd;
use std::path::PathBuf;

/// Run DragonFly BSD and FreeBSD x86-64 programs on Linux.
#[derive(Debug, Parser)]
#[command(name = "godfly", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Tracing options, shared by `trace` and `run --trace`.
#[derive(Debug, Clone, ClapArgs)]
struct TraceArgs {
    /// Write the trace to FILE instead of standard error.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
    /// Only these calls: names or classes (file, process, network, memory,
    /// signal), comma-separated.
    #[arg(short = 'e', long = "filter", value_name = "CALLS", value_delimiter = ',')]
    filter: Vec<String>,
    /// One JSON object per event.
    #[arg(long)]
    json: bool,
    /// Prefix each line with the time since start.
    #[arg(short = 'd', long = "timestamps")]
    timestamps: bool,
    /// Show how long each call took.
    #[arg(short = 'D', long = "durations")]
    durations: bool,
    /// Do not follow forks and execs into child processes.
    #[arg(long = "no-follow")]
    no_follow: bool,
}

/// What to run.
#[derive(Debug, Clone, ClapArgs)]
struct Program {
    /// argv[0] for the program (default: the program path as given).
    #[arg(long, value_name = "NAME")]
    argv0: Option<OsString>,
    /// Look absolute paths up under PREFIX first (a BSD /etc, zoneinfo...).
    #[arg(short = 'L', long = "prefix", value_name = "PREFIX")]
    prefix: Option<PathBuf>,
    /// Keep every system call on the trap (no rewritten call sites).
    #[arg(long = "no-fast-path")]
    no_fast_path: bool,
    /// If the program is not a guest program, execute it natively (with
    /// the exec shim, as `godfly shell` starts programs) instead of refusing
    /// it. The exec shim uses this for a file that changed between its look
    /// and godfly's.
    #[arg(long, hide = true)]
    or_native: bool,
    /// Wait for gdb on 127.0.0.1:PORT before the program's first
    /// instruction (`target remote :PORT`); 0 picks a free port. Also
    /// GODFLY_GDB=PORT, for every program started with it set.
    #[arg(long, value_name = "PORT")]
    gdb: Option<u16>,
    /// On a fatal signal, write the guest's core to FILE (whatever
    /// `ulimit -c` says; without it a core is `NAME.core` when the limit
    /// allows).
    #[arg(long, value_name = "FILE")]
    core: Option<PathBuf>,
    /// The program (a static DragonFly or FreeBSD x86-64 ELF executable).
    program: PathBuf,
    /// Its arguments.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<OsString>,
}

impl Program {
    /// A program to run with every option at its default.
    fn plain(argv0: Option<OsString>, program: PathBuf, args: Vec<OsString>) -> Program {
        Program { argv0, prefix: None, no_fast_path: false, or_native: false, gdb: None, core: None, program, args }
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a DragonFly or FreeBSD program with arguments.
    Run {
        /// Trace system calls (as `godfly trace`).
        #[arg(long)]
        trace: bool,
        #[command(flatten)]
        trace_args: TraceArgs,
        #[command(flatten)]
        program: Program,
    },
    /// Run a DragonFly or FreeBSD program and trace its system calls, truss style.
    Trace {
        #[command(flatten)]
        trace_args: TraceArgs,
        #[command(flatten)]
        program: Program,
    },
    /// Run a host command (default: $SHELL, interactive) in which every
    /// DragonFly or FreeBSD program it or its children start runs under godfly, with
    /// these options; what binfmt_misc does for qemu-user.
    Shell {
        /// Trace the guest programs' system calls (as `godfly trace`).
        #[arg(long)]
        trace: bool,
        #[command(flatten)]
        trace_args: TraceArgs,
        /// Look absolute paths up under PREFIX first (as `run -L`).
        #[arg(short = 'L', long = "prefix", value_name = "PREFIX")]
        prefix: Option<PathBuf>,
        /// Keep every system call on the trap (as `run --no-fast-path`).
        #[arg(long = "no-fast-path")]
        no_fast_path: bool,
        /// The command and its arguments.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        command: Vec<OsString>,
    },
    /// Run a program's DragonFly and FreeBSD builds (and its linux build
    /// natively, with --linux) and show where they part: exit status,
    /// output, and the two traces aligned call by call.
    Compare {
        /// The linux/amd64 build, run natively beside them.
        #[arg(long, value_name = "PROGRAM")]
        linux: Option<PathBuf>,
        /// Align every call, the Go runtime's timing-dependent ones too.
        #[arg(long)]
        all: bool,
        /// One JSON object instead of the report.
        #[arg(long)]
        json: bool,
        /// The GOOS=dragonfly build.
        dragonfly: PathBuf,
        /// The GOOS=freebsd build.
        freebsd: PathBuf,
        /// Arguments for every build (after `--`).
        #[arg(last = true)]
        args: Vec<OsString>,
    },
    /// Print a guest system's call table with godfly's support levels.
    Syscalls {
        /// Markdown instead of plain text.
        #[arg(long)]
        markdown: bool,
        /// The guest system whose table to show: dragonfly or freebsd.
        #[arg(long, default_value = "dragonfly")]
        os: String,
    },
}

/// Opens the trace output and checks the filter; tracing itself starts
/// once the program's system is known.
fn start_trace(t: &TraceArgs) -> Result<(crate::trace::Options, i32), String> {
    crate::trace::filter::check(&t.filter, &crate::os::all_call_tables())?;
    let fd = match &t.output {
        Some(path) => std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| format!("{}: {e}", path.display()))?
            .into_raw_fd(),
        None => 2,
    };
    let opts = crate::trace::Options {
        filter: t.filter.clone(),
        json: t.json,
        timestamps: t.timestamps,
        durations: t.durations,
        follow: !t.no_follow,
    };
    Ok((opts, fd))
}

fn run_program(p: Program, mut setup: crate::run::Setup) -> i32 {
    setup.gdb = p.gdb;
    setup.core = p.core.clone();
    use std::os::unix::ffi::OsStrExt;
    crate::crash::internal::install_panic_hook();
    if let Err(e) = crate::crash::inject::configure(&crate::os::all_call_tables()) {
        eprintln!("godfly: {e}");
        return 2;
    }
    if p.no_fast_path {
        crate::stubs::disable();
    }
    if let Some(prefix) = &p.prefix {
        crate::mem::set_prefix(prefix.as_os_str().as_bytes());
    } else if let Some(prefix) = std::env::var_os(crate::env::PREFIX) {
        crate::mem::set_prefix(prefix.as_bytes());
    }
    let mut argv = vec![p.argv0.unwrap_or_else(|| p.program.clone().into_os_string())];
    argv.extend(p.args);
    let err = crate::run::run(&p.program, argv.clone(), setup);
    if p.or_native && matches!(err, crate::run::StartError::Load(crate::loader::LoadError::Unsupported(..))) {
        return crate::run::exec_native(&p.program, &argv);
    }
    eprintln!("godfly: {err}");
    err.exit_code()
}

/// The two shapes of `run` that need no option parsing: `run PROGRAM
/// ARGS...` (PROGRAM not an option) and what godfly's own execve passes,
/// `run [--argv0 NAME] -- PROGRAM ARGS...`. They are what every guest exec
/// starts with; building clap's parser for them cost about 0.1 ms of a
/// 2.4 ms start. Anything else goes to clap, whose result these match.
fn plain_run(args: &[OsString]) -> Option<Program> {
    let mut rest = args.get(1..)?;
    if rest.first()? != "run" {
        return None;
    }
    rest = &rest[1..];
    let mut argv0 = None;
    if rest.first().is_some_and(|a| a == "--argv0") {
        argv0 = Some(rest.get(1)?.clone());
        rest = &rest[2..];
    }
    if rest.first().is_some_and(|a| a == "--") {
        rest = &rest[1..];
    } else if argv0.is_some() || rest.first()?.as_encoded_bytes().starts_with(b"-") {
        return None;
    }
    let (program, args) = rest.split_first()?;
    Some(Program::plain(argv0, PathBuf::from(program), args.to_vec()))
}

/// Entry of the `godfly` binary.
pub fn main() -> i32 {
    let args: Vec<OsString> = std::env::args_os().collect();
    if let Some(program) = plain_run(&args) {
        return run_program(program, crate::run::Setup::default());
    }
    let cli = Cli::parse_from(args);
    match cli.command {
        Command::Run { trace, trace_args, program } => {
            let mut setup = crate::run::Setup::default();
            if trace {
                match start_trace(&trace_args) {
                    Ok(t) => setup.trace = Some(t),
                    Err(e) => {
                        eprintln!("godfly: {e}");
                        return 2;
                    }
                }
            }
            run_program(program, setup)
        }
        Command::Trace { trace_args, program } => match start_trace(&trace_args) {
            Ok(t) => run_program(program, crate::run::Setup { trace: Some(t), ..Default::default() }),
            Err(e) => {
                eprintln!("godfly: {e}");
                2
            }
        },
        Command::Shell { trace, trace_args, prefix, no_fast_path, command } => {
            let mut env: Vec<(String, OsString)> = Vec::new();
            if trace {
                match start_trace(&trace_args) {
                    Ok((opts, fd)) => match crate::host::out::keep_for_children(fd) {
                        Ok(fd) => env.push((crate::env::TRACE_OPTS.into(), opts.to_env(fd).into())),
                        Err(e) => {
                            eprintln!("godfly: cannot keep the trace output open: {}", e.message());
                            return 2;
                        }
                    },
                    Err(e) => {
                        eprintln!("godfly: {e}");
                        return 2;
                    }
                }
            }
            if let Some(p) = prefix {
                env.push((crate::env::PREFIX.into(), p.into_os_string()));
            }
            if no_fast_path {
                env.push((crate::env::NO_FAST_PATH.into(), "1".into()));
            }
            crate::run::shell(command, &env)
        }
        Command::Compare { linux, all, json, dragonfly, freebsd, args } => {
            crate::compare::compare(&crate::compare::Request { dragonfly, freebsd, linux, args, all, json })
        }
        Command::Syscalls { markdown, os } => match crate::os::ALL.iter().find(|p| p.goos == os) {
            Some(p) => {
                print!("{}", crate::dispatch::render::render(p, markdown));
                0
            }
            None => {
                let known: Vec<&str> = crate::os::ALL.iter().map(|p| p.goos).collect();
                eprintln!("godfly: no guest system {os:?} (known: {})", known.join(", "));
                2
            }
        },
    }
}

/// Entry of `go_dragonfly_amd64_exec PROGRAM [ARGS...]`: runs the program
/// under godfly from the current directory with the environment as given.
pub fn exec_wrapper_main() -> i32 {
    if std::env::var_os(crate::env::CLI).is_some() {
        return main();
    }
    let mut all = std::env::args_os();
    let me = all.next().map(PathBuf::from);
    let me =
        me.as_deref().and_then(|p| p.file_name()).map_or("go_dragonfly_amd64_exec".into(), |n| n.to_string_lossy());
    let mut args = all;
    let Some(program) = args.next() else {
        eprintln!("usage: {me} PROGRAM [ARGS...]");
        return 2;
    };
    run_program(Program::plain(None, PathBuf::from(program), args.collect()), crate::run::Setup::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(args: &[&str]) -> Vec<OsString> {
        args.iter().map(OsString::from).collect()
    }

    #[test]
    fn plain_run_forms_parse_as_clap_parses_them_and_the_rest_go_to_clap() {
        for case in [
            &["godfly", "run", "/bin/prog", "-x", "--y", "z"][..],
            &["godfly", "run", "--argv0", "name", "--", "/p", "a", "--", "-b"],
            &["godfly", "run", "--", "-weird-name", "--help"],
            &["godfly", "run", "relative/prog"],
        ] {
            let quick = plain_run(&os(case)).unwrap_or_else(|| panic!("{case:?} is a plain run"));
            let Command::Run { trace: false, program, .. } = Cli::try_parse_from(os(case)).unwrap().command else {
                panic!("{case:?} is not a run for clap")
            };
            assert_eq!(format!("{quick:?}"), format!("{program:?}"), "{case:?}");
        }
        for case in [
            &["godfly", "run", "--trace", "p"][..],
            &["godfly", "run", "--no-fast-path", "p"],
            &["godfly", "run", "--argv0", "n", "p"],
            &["godfly", "run", "--argv0"],
            &["godfly", "run", "--"],
            &["godfly", "run"],
            &["godfly", "trace", "p"],
            &["godfly"],
        ] {
            assert!(plain_run(&os(case)).is_none(), "{case:?} needs clap");
        }
    }
}
