//! godfly: run DragonFly BSD x86-64 programs on Linux x86-64.
//!
//! Layers, each using only those below it (see docs/ARCHITECTURE.md):
//! `cli` → `loader`, `trap` → `dispatch` → `sys` → `thread`, `signal`,
//! `mem`, `host`, `xlat`, `crash` → `arch` → `godfly_abi`.

pub mod arch;
pub mod cli;
pub mod crash;
pub mod dispatch;
pub mod fuzz;
pub mod host;
pub mod loader;
pub mod mem;
pub mod run;
pub mod signal;
pub mod sys;
pub mod thread;
pub mod trace;
pub mod trap;
pub mod xlat;

use std::sync::OnceLock;

/// Facts about the running guest process that handlers need.
#[derive(Debug)]
pub struct Process {
    /// Absolute path of the guest program (`kern.proc.pathname`).
    pub exe_path: String,
    /// Address of `struct ps_strings` (`kern.ps_strings`).
    pub ps_strings: u64,
    /// Top of the initial stack (`kern.usrstack`).
    pub usrstack: u64,
    /// Address of the signal trampoline.
    pub sigcode: u64,
    /// godfly's own executable, for `execve` of DragonFly programs.
    pub godfly_exe: std::ffi::OsString,
}

static PROCESS: OnceLock<Process> = OnceLock::new();

/// The guest process facts; set once by the loader before the guest runs.
pub fn process() -> &'static Process {
    PROCESS.get().expect("process facts are set before guest code runs")
}

/// Records the guest process facts.
pub fn set_process(p: Process) {
    let _ = PROCESS.set(p);
}

/// Ends the whole guest process with `status` (DragonFly `exit`).
pub fn proc_exit(status: i32) -> ! {
    trace::process_exit(status & 0xff);
    host::exit_group(status)
}

/// The guest process facts, if the loader has set them.
pub fn process_facts() -> Option<&'static Process> {
    PROCESS.get()
}
