//! Starting the first guest thread: load the program, build its stack,
//! install the trap, and enter it.

use godfly_abi::layout::Sigset;
use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use crate::arch::{self, EntryRegs};
use crate::loader::{self, LoadError, stack};
use crate::signal;
use crate::thread;

/// Why godfly could not start a program.
#[derive(Debug)]
pub enum StartError {
    /// The program file was refused.
    Load(LoadError),
    /// The host lacks something godfly needs.
    Host(String),
}

impl StartError {
    /// Exit status for this failure.
    pub fn exit_code(&self) -> i32 {
        match self {
            StartError::Load(e) => e.exit_code(),
            StartError::Host(_) => 125,
        }
    }
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Load(e) => e.fmt(f),
            StartError::Host(e) => f.write_str(e),
        }
    }
}

/// Maps the initial stack at DragonFly's USRSTACK, or lower if the host
/// already uses that range, and writes the image and the sigcode page.
fn map_stack(
    args: &[Vec<u8>],
    env: &[Vec<u8>],
    execpath: &[u8],
    aux: &stack::AuxInfo,
) -> Result<stack::StackImage, String> {
    let size = stack::STACK_SIZE as usize;
    let rw = libc::PROT_READ | libc::PROT_WRITE;
    let top = match crate::mem::map_fixed(stack::USRSTACK - stack::STACK_SIZE, size, rw, -1, 0) {
        Ok(()) => stack::USRSTACK,
        Err(_) => {
            crate::mem::map_anywhere(size, rw).map_err(|e| format!("cannot map the stack: {e}"))? + stack::STACK_SIZE
        }
    };
    crate::mem::owned::add(top - stack::STACK_SIZE, stack::STACK_SIZE);
    let img = stack::build(top, args, env, execpath, aux);
    if img.base < top - stack::STACK_SIZE {
        return Err("arguments and environment do not fit in the stack".into());
    }
    let fail = |_| "cannot write the initial stack".to_string();
    crate::mem::write_bytes(img.base, &img.low).map_err(fail)?;
    crate::mem::write_bytes(top - 0x1000, &img.high).map_err(fail)?;
    crate::mem::write_bytes(img.sigcode, &signal::deliver::SIGCODE).map_err(fail)?;
    crate::mem::protect(img.sigcode, 0x1000, libc::PROT_READ | libc::PROT_EXEC).map_err(|e| e.to_string())?;
    Ok(img)
}

/// Environment variable that turns the fast path off (set by
/// `--no-fast-path`, carried to godfly processes started by execve).
pub const NO_FAST_PATH_ENV: &str = "GODFLY_NO_FAST_PATH";

static FAST_PATH_OFF: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Turns the fast path off for this process and the godfly processes it
/// starts by execve.
pub fn disable_fast_path() {
    FAST_PATH_OFF.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// Whether the fast path is off.
pub fn fast_path_disabled() -> bool {
    FAST_PATH_OFF.load(std::sync::atomic::Ordering::Relaxed) || std::env::var_os(NO_FAST_PATH_ENV).is_some()
}

fn fast_path_enabled() -> bool {
    !fast_path_disabled()
}

/// Rewrites the system-call sites of a Go program (see `loader::fastpath`).
fn install_fast_path(data: &[u8], prog: &loader::Program) {
    let sites = loader::fastpath::find_sites(data);
    let text: Vec<(u64, u64, i32)> = prog
        .segments
        .iter()
        .filter(|s| s.flags & object::elf::PF_X != 0)
        .map(|s| (s.vaddr, s.memsz, libc::PROT_READ | libc::PROT_EXEC))
        .collect();
    let n = loader::fastpath::install(&sites, &text);
    if std::env::var_os("GODFLY_DEBUG_FASTPATH").is_some() {
        crate::diag!("godfly: fast path: {} sites found, {n} rewritten", sites.len());
    }
}

/// Guest signals start with the dispositions godfly inherited: an ignored
/// host signal stays ignored across exec, as on DragonFly.
fn inherit_dispositions() {
    for sig in 1..=signal::SIG_MAXSIG {
        let Some(host) = crate::xlat::signo::to_linux(sig) else { continue };
        if crate::host::host_signal_ignored(host) {
            signal::set_action(sig, godfly_abi::layout::Sigaction { sa_handler: 1, ..Default::default() });
        }
        signal::sync_host_disposition(sig);
    }
}

/// Executes a host program in place of godfly (for `--or-native`), with
/// godfly's environment minus its own marker.
pub fn exec_native(program: &Path, argv: &[OsString]) -> i32 {
    use std::ffi::CString;
    let c = |s: &[u8]| CString::new(s).unwrap_or_default();
    let path = c(program.as_os_str().as_bytes());
    let args: Vec<CString> = argv.iter().map(|a| c(a.as_bytes())).collect();
    let env: Vec<CString> = std::env::vars_os()
        .filter(|(k, _)| k != crate::cli::CLI_ENV)
        .map(|(k, v)| {
            let mut kv = k.as_bytes().to_vec();
            kv.push(b'=');
            kv.extend_from_slice(v.as_bytes());
            c(&kv)
        })
        .collect();
    let e = crate::host::execve(&path, &args, &env);
    crate::diag!("godfly: {}: {}", program.display(), e.message());
    if e == godfly_abi::errno::ENOENT { 127 } else { 126 }
}

/// Loads `program` and runs it as the first LWP with `args` as its argv
/// (argv[0] included); returns only on failure.
pub fn run(program: &Path, args: Vec<OsString>) -> StartError {
    match start(program, args) {
        Ok(never) => match never {},
        Err(e) => e,
    }
}

fn start(program: &Path, args: Vec<OsString>) -> Result<std::convert::Infallible, StartError> {
    crate::trace::enable_from_env();
    if !arch::has_fsgsbase() {
        return Err(StartError::Host("godfly needs a CPU and kernel with FSGSBASE (Linux 5.9 or later)".into()));
    }
    let (prog, file, data) = loader::elf::open(program).map_err(StartError::Load)?;
    loader::elf::map(&prog, &file).map_err(StartError::Load)?;
    drop(file);
    if fast_path_enabled() {
        install_fast_path(&data, &prog);
    }
    drop(data);
    let exe = std::fs::canonicalize(program).unwrap_or_else(|_| program.to_path_buf());
    let args: Vec<Vec<u8>> = args.iter().map(|a| a.as_bytes().to_vec()).collect();
    let env: Vec<Vec<u8>> = std::env::vars_os()
        .filter(|(k, _)| {
            k != crate::cli::CLI_ENV
                && k != crate::trace::OPTS_ENV
                && k != crate::host::preload::EXE_ENV
                && k != crate::mem::PREFIX_ENV
                && k != crate::crash::inject::ENV
        })
        .filter_map(|(k, v)| {
            // The exec shim godfly gave a host program is not the guest's.
            if k == "LD_PRELOAD" {
                let kept = crate::host::preload::strip(&v.to_string_lossy())?;
                return Some((k, kept.into()));
            }
            Some((k, v))
        })
        .map(|(k, v)| {
            let mut kv = k.as_bytes().to_vec();
            kv.push(b'=');
            kv.extend_from_slice(v.as_bytes());
            kv
        })
        .collect();
    let aux = stack::AuxInfo { phdr: prog.phdr, phent: prog.phent, phnum: prog.phnum, entry: prog.entry };
    let img = map_stack(&args, &env, exe.as_os_str().as_bytes(), &aux).map_err(StartError::Host)?;
    crate::set_process(crate::Process {
        exe_path: exe.to_string_lossy().into_owned(),
        ps_strings: img.ps_strings,
        usrstack: img.ps_strings + 32,
        sigcode: img.sigcode,
        godfly_exe: std::env::current_exe().map(|p| p.into_os_string()).unwrap_or_else(|_| "/proc/self/exe".into()),
    });

    // The signal mask crosses execve: the host mask godfly started with is
    // the first thread's guest mask.
    let mut mask = Sigset::default();
    for host in crate::host::blocked_host_signals() {
        if let Some(sig) = crate::xlat::signo::from_linux(host) {
            signal::sigadd(&mut mask, sig);
        }
    }
    signal::cant_mask(&mut mask);
    let tid = thread::alloc_tid();
    let guest = thread::spawn::setup_current(tid, 0, mask, true).map_err(|e| StartError::Host(e.to_string()))?;
    // Before any second thread exists: growing the descriptor table of a
    // multi-threaded process waits for an RCU grace period (~15 ms).
    crate::host::save_stderr();
    crate::crash::internal::start_watchdog();
    // A carrier left pending by the execve that started this process (it
    // was blocked across) is stale: setting SIG_IGN discards it.
    crate::trap::ignore_host(signal::CARRIER);
    crate::trap::install().map_err(|e| StartError::Host(format!("cannot install signal handlers: {e}")))?;
    crate::trap::catch_host(signal::CARRIER);
    inherit_dispositions();

    let regs = EntryRegs { rdi: img.argc_addr, rsp: img.rsp, rip: prog.entry, rflags: 0x202, ..EntryRegs::default() };
    thread::spawn::run(&guest, &regs);
    // The first LWP left with others still running: end only this host
    // thread (leaving main would end the process).
    crate::host::exit_thread()
}
