//! The environment variables godfly sets for the processes it starts and
//! reads back on the other side of an `execve`. All of them are godfly's
//! own and are removed before a guest sees its environment
//! (`is_godflys`), except `LD_PRELOAD`, from which only the exec shim is
//! removed.
#![forbid(unsafe_code)]

/// Set when godfly re-executes itself for a guest's `execve`: the
/// arguments are then godfly's own command line, whichever name the
/// binary has (`go_dragonfly_amd64_exec` too).
pub const CLI: &str = "GODFLY_CLI";
/// Tracing options and the sink descriptor (`trace::Options::to_env`).
pub const TRACE_OPTS: &str = "GODFLY_TRACE_OPTS";
/// The `-L PREFIX` directory.
pub const PREFIX: &str = "GODFLY_PREFIX";
/// `--no-fast-path`: keep every system call on the trap.
pub const NO_FAST_PATH: &str = "GODFLY_NO_FAST_PATH";
/// godfly's own executable, for the exec shim in host programs.
pub const EXE: &str = "GODFLY_EXE";
/// A login name `setlogin` gave, carried to the programs started after it.
pub const LOGIN: &str = "GODFLY_LOGIN";
/// Makes one godfly internal error happen on purpose (`crash::inject`).
pub const INJECT_INTERNAL_ERROR: &str = "GODFLY_INJECT_INTERNAL_ERROR";
/// `--gdb PORT` for every godfly program started with it in the
/// environment: each waits for gdb on that port (0: a free port of its
/// own, printed). Left in the guest's environment, so programs the guest
/// starts get it too.
pub const GDB: &str = "GODFLY_GDB";
/// Prints how many call sites the fast path rewrote.
pub const DEBUG_FASTPATH: &str = "GODFLY_DEBUG_FASTPATH";

/// The variables that carry godfly's state across `execve`.
const CARRIED: &[&str] = &[CLI, TRACE_OPTS, PREFIX, EXE, LOGIN, INJECT_INTERNAL_ERROR];

/// Whether `name` is one of godfly's carried variables, which the guest
/// must not see.
pub fn is_godflys(name: &[u8]) -> bool {
    CARRIED.iter().any(|c| c.as_bytes() == name)
}

/// `NAME=value` as bytes.
pub fn entry(name: &str, value: &[u8]) -> Vec<u8> {
    let mut e = name.as_bytes().to_vec();
    e.push(b'=');
    e.extend_from_slice(value);
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn godflys_own_variables_are_recognised_and_others_are_not() {
        assert!(is_godflys(b"GODFLY_CLI"));
        assert!(is_godflys(b"GODFLY_TRACE_OPTS"));
        assert!(!is_godflys(b"GODFLY_NO_FAST_PATH"));
        assert!(!is_godflys(b"PATH"));
        assert_eq!(entry(CLI, b"1"), b"GODFLY_CLI=1");
    }
}
