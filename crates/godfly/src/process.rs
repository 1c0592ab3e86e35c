//! Facts about the running guest process that handlers need, set once by
//! the start-up code before the guest runs.
#![forbid(unsafe_code)]

use crate::sync::Startup;

/// What the start-up code recorded about the guest process.
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
    /// godfly's own executable, for `execve` of guest programs.
    pub godfly_exe: std::ffi::OsString,
    /// Whether a file is a program godfly runs (some personality's brand
    /// rule claims it): `execve` runs those under godfly again.
    pub is_guest_program: fn(&std::path::Path) -> bool,
}

static PROCESS: Startup<Process> = Startup::new();

/// The guest process facts; set before the guest runs.
pub fn get() -> &'static Process {
    PROCESS.get().expect("process facts are set before guest code runs")
}

/// Records the guest process facts.
pub fn set(p: Process) {
    let _ = PROCESS.set(p);
}

/// The guest process facts, if start-up has set them.
pub fn facts() -> Option<&'static Process> {
    PROCESS.get()
}
