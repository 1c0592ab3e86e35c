//! Command line: `godfly run PROGRAM [ARGS...]`, and the
//! `go_dragonfly_amd64_exec` wrapper that `go run` and `go test` call.

use clap::{Parser, Subcommand};
use std::ffi::OsString;
use std::path::PathBuf;

/// Run DragonFly BSD x86-64 programs on Linux.
#[derive(Debug, Parser)]
#[command(name = "godfly", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a DragonFly program with arguments.
    Run {
        /// argv[0] for the program (default: the program path as given).
        #[arg(long, value_name = "NAME")]
        argv0: Option<OsString>,
        /// The program (a static DragonFly x86-64 ELF executable).
        program: PathBuf,
        /// Its arguments.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<OsString>,
    },
}

fn run_program(program: PathBuf, argv0: Option<OsString>, args: Vec<OsString>) -> i32 {
    let mut argv = vec![argv0.unwrap_or_else(|| program.clone().into_os_string())];
    argv.extend(args);
    let err = crate::run::run(&program, argv);
    eprintln!("godfly: {err}");
    err.exit_code()
}

/// Entry of the `godfly` binary.
pub fn main() -> i32 {
    let cli = Cli::parse();
    match cli.command {
        Command::Run { argv0, program, args } => run_program(program, argv0, args),
    }
}

/// Set by godfly when it re-executes itself for a guest's `execve`: the
/// arguments are then godfly's own command line, whichever name the binary
/// has. Removed before the guest sees the environment.
pub const CLI_ENV: &str = "GODFLY_CLI";

/// Entry of `go_dragonfly_amd64_exec PROGRAM [ARGS...]`: runs the program
/// under godfly from the current directory with the environment as given.
pub fn exec_wrapper_main() -> i32 {
    if std::env::var_os(CLI_ENV).is_some() {
        return main();
    }
    let mut args = std::env::args_os().skip(1);
    let Some(program) = args.next() else {
        eprintln!("usage: go_dragonfly_amd64_exec PROGRAM [ARGS...]");
        return 2;
    };
    run_program(PathBuf::from(program), None, args.collect())
}
