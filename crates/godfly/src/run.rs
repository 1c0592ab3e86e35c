//! Starting the first guest thread: load the program, choose its
//! personality, build its stack, install the trap, and enter it.
#![forbid(unsafe_code)]

use godfly_abi::bsd::Sigset;
use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use crate::arch::EntryRegs;
use crate::loader::{self, LoadError};
use crate::personality::{self, AuxInfo, Personality, StackImage};
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

/// What to set up before the guest runs, from the command line.
#[derive(Debug, Default)]
pub struct Setup {
    /// Trace options and the output descriptor (`godfly trace`).
    pub trace: Option<(crate::trace::Options, i32)>,
    /// Wait for gdb on this port before the first instruction (`--gdb`).
    pub gdb: Option<u16>,
    /// Where a fatal signal's core file goes (`--core`).
    pub core: Option<std::path::PathBuf>,
}

/// Maps the initial stack at the guest's USRSTACK, or lower if the host
/// already uses that range, and writes the image and the sigcode page.
fn map_stack(
    p: &Personality,
    args: &[Vec<u8>],
    env: &[Vec<u8>],
    execpath: &[u8],
    aux: &AuxInfo,
) -> Result<StackImage, String> {
    let (usrstack, stack_size) = (p.image.usrstack, p.image.stack_size);
    let size = stack_size as usize;
    let rw = libc::PROT_READ | libc::PROT_WRITE;
    let top = match crate::mem::map_fixed(usrstack - stack_size, size, rw, -1, 0) {
        Ok(()) => usrstack,
        Err(_) => {
            crate::mem::map_anywhere(size, rw).map_err(|e| format!("cannot map the stack: {}", e.message()))?
                + stack_size
        }
    };
    crate::mem::owned::add(top - stack_size, stack_size);
    let img = (p.image.build_stack)(top, args, env, execpath, aux);
    if img.base < top - stack_size {
        return Err("arguments and environment do not fit in the stack".into());
    }
    let fail = |_| "cannot write the initial stack".to_string();
    crate::mem::write_bytes(img.base, &img.low).map_err(fail)?;
    crate::mem::write_bytes(top - 0x1000, &img.high).map_err(fail)?;
    crate::mem::write_bytes(img.sigcode, p.image.sigcode).map_err(fail)?;
    crate::mem::protect(img.sigcode, 0x1000, libc::PROT_READ | libc::PROT_EXEC).map_err(|e| e.message())?;
    Ok(img)
}

/// Rewrites the system-call sites of a Go program (see `loader::fastpath`).
fn install_fast_path(data: &[u8], meta: Option<&std::fs::Metadata>, prog: &loader::Program) {
    // The list kept from an earlier start of the same program, if every
    // site in it is still there; else a scan, kept for next time.
    let key = meta.and_then(|m| loader::sitecache::key(m, data));
    let bytes_at = |addr: u64, len: usize| prog.file_bytes(data, addr, len);
    let cached = key.as_ref().and_then(|k| loader::sitecache::load(k, |s| loader::sitecache::matches(s, bytes_at)));
    let from_cache = cached.is_some();
    let sites = cached.unwrap_or_else(|| {
        let sites = loader::fastpath::find_sites(data);
        if let Some(k) = &key {
            loader::sitecache::store(k, &sites);
        }
        sites
    });
    let text: Vec<(u64, u64, i32)> = prog
        .segments
        .iter()
        .filter(|s| s.flags & object::elf::PF_X != 0)
        .map(|s| (s.vaddr, s.memsz, libc::PROT_READ | libc::PROT_EXEC))
        .collect();
    // Clock sites are answered from the vDSO unless the call is traced or
    // a failure is injected into it (both need the full way).
    let p = prog.personality;
    let clock = p.calls.defs.iter().find(|d| d.name == "clock_gettime").and_then(|d| {
        let full = crate::trace::wants(u64::from(d.nr)) || crate::crash::inject::armed_for(u64::from(d.nr));
        (crate::host::time::vdso_clock_gettime().is_some() && !full)
            .then_some(loader::fastpath::FastClock { nr: d.nr, clock: p.time.clock })
    });
    let (n, clocks) = loader::fastpath::install(&sites, &text, clock);
    if std::env::var_os(crate::env::DEBUG_FASTPATH).is_some() {
        let how = if from_cache { "kept from an earlier start" } else { "found" };
        crate::diag!("godfly: fast path: {} sites {how}, {n} rewritten, {clocks} answered from the vDSO", sites.len());
    }
}

/// Guest signals start with the dispositions godfly inherited: an ignored
/// host signal stays ignored across exec, as on the BSDs.
fn inherit_dispositions() {
    for sig in 1..=signal::max_sig() {
        let Some(host) = signal::to_host(sig) else { continue };
        if crate::host::sig::is_ignored(host) {
            signal::set_action(sig, godfly_abi::bsd::Sigaction { sa_handler: 1, ..Default::default() });
        }
        signal::sync_host_disposition(sig);
    }
}

/// Executes a host program in place of godfly (for `--or-native`, when
/// the exec shim sent a file that godfly does not claim after all), with
/// godfly's environment minus its own marker plus the shim, as any host
/// program a guest starts has it.
pub fn exec_native(program: &Path, argv: &[OsString]) -> i32 {
    use std::ffi::CString;
    let c = |s: &[u8]| CString::new(s).unwrap_or_default();
    let path = c(program.as_os_str().as_bytes());
    let args: Vec<CString> = argv.iter().map(|a| c(a.as_bytes())).collect();
    let mut env: Vec<CString> = std::env::vars_os()
        .filter(|(k, _)| k != crate::env::CLI)
        .map(|(k, v)| c(&crate::env::entry(&k.to_string_lossy(), v.as_bytes())))
        .collect();
    if let Ok(me) = std::env::current_exe() {
        crate::host::preload::for_host_program(&mut env, me.as_os_str().as_bytes());
    }
    let e = crate::host::proc::execve(&path, &args, &env);
    crate::diag!("godfly: {}: {}", program.display(), e.message());
    if e == crate::host::errno::ENOENT { 127 } else { 126 }
}

/// `godfly shell`: executes `command` (default: `$SHELL`, else /bin/sh)
/// with the exec shim in its environment and `env` added (the run options
/// the guest programs below it take), so that every guest program it or
/// its descendants start comes to godfly. Returns only on failure.
pub fn shell(command: Vec<OsString>, env: &[(String, OsString)]) -> i32 {
    use std::ffi::CString;
    let c = |s: &[u8]| CString::new(s).unwrap_or_default();
    let mut argv = command;
    if argv.is_empty() {
        argv.push(std::env::var_os("SHELL").filter(|s| !s.is_empty()).unwrap_or_else(|| "/bin/sh".into()));
    }
    let Some(program) = find_in_path(&argv[0]) else {
        crate::diag!("godfly: {}: command not found", argv[0].to_string_lossy());
        return 127;
    };
    let mut envp: Vec<CString> = std::env::vars_os()
        .filter(|(k, _)| !env.iter().any(|(e, _)| OsString::from(e) == *k))
        .map(|(k, v)| c(&crate::env::entry(&k.to_string_lossy(), v.as_bytes())))
        .collect();
    envp.extend(env.iter().map(|(k, v)| c(&crate::env::entry(k, v.as_bytes()))));
    let me = std::env::current_exe().unwrap_or_else(|_| "/proc/self/exe".into());
    crate::host::preload::for_host_program(&mut envp, me.as_os_str().as_bytes());
    if crate::host::preload::path().is_none() {
        crate::diag!("godfly: cannot write the exec shim in any of godfly's directories: guest programs would not run");
        return 1;
    }
    if loader::elf::claims(&program) {
        // A guest program: `shell` runs it as `run` would, under godfly.
        let mut args = vec![me.into_os_string(), "run".into(), "--".into(), program.into_os_string()];
        args.extend(argv.into_iter().skip(1));
        let args: Vec<CString> = args.iter().map(|a| c(a.as_bytes())).collect();
        envp.push(c(&crate::env::entry(crate::env::CLI, b"1")));
        let e = crate::host::proc::execve(&args[0], &args, &envp);
        crate::diag!("godfly: cannot run itself: {}", e.message());
        return 126;
    }
    let path = c(program.as_os_str().as_bytes());
    let args: Vec<CString> = argv.iter().map(|a| c(a.as_bytes())).collect();
    let e = crate::host::proc::execve(&path, &args, &envp);
    crate::diag!("godfly: {}: {}", program.display(), e.message());
    if e == crate::host::errno::ENOENT { 127 } else { 126 }
}

/// A command name as the shell finds it: a path as given, else the first
/// executable file of that name on PATH.
fn find_in_path(name: &std::ffi::OsStr) -> Option<std::path::PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    if name.as_bytes().contains(&b'/') {
        return Some(name.into());
    }
    let path = std::env::var_os("PATH").unwrap_or_else(|| "/usr/local/bin:/usr/bin:/bin".into());
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0))
}

/// Whether a file is a program some personality claims (for `execve`).
fn is_guest_program(path: &Path) -> bool {
    loader::elf::claims(path)
}

/// Loads `program` and runs it as the first LWP with `args` as its argv
/// (argv[0] included); returns only on failure.
pub fn run(program: &Path, args: Vec<OsString>, setup: Setup) -> StartError {
    match start(program, args, setup) {
        Ok(never) => match never {},
        Err(e) => e,
    }
}

/// The guest's environment: godfly's own minus its carried variables and
/// the exec shim it gave a host program.
fn guest_env() -> Vec<Vec<u8>> {
    std::env::vars_os()
        .filter(|(k, _)| !crate::env::is_godflys(k.as_bytes()))
        .filter_map(|(k, v)| {
            // The exec shim godfly gave a host program is not the guest's.
            if k == "LD_PRELOAD" {
                let kept = crate::host::preload::strip(&v.to_string_lossy())?;
                return Some((k, kept.into()));
            }
            Some((k, v))
        })
        .map(|(k, v): (OsString, OsString)| crate::env::entry(&k.to_string_lossy(), v.as_bytes()))
        .collect()
}

fn start(program: &Path, args: Vec<OsString>, setup: Setup) -> Result<std::convert::Infallible, StartError> {
    if !crate::host::has_fsgsbase() {
        return Err(StartError::Host("godfly needs a CPU and kernel with FSGSBASE (Linux 5.9 or later)".into()));
    }
    let (prog, file, data) = loader::elf::open(program).map_err(StartError::Load)?;
    let p = prog.personality;
    personality::set(p);
    match setup.trace {
        Some((opts, fd)) => crate::trace::enable(opts, fd).map_err(StartError::Host)?,
        None => crate::trace::enable_from_env(),
    }
    crate::crash::inject::arm(p.calls.defs);
    loader::elf::map(&prog, &file).map_err(StartError::Load)?;
    let meta = file.metadata().ok();
    drop(file);
    crate::host::init_xstate();
    crate::host::time::init_vdso();
    let gdb = setup.gdb.or_else(crate::debug::port_from_env);
    if gdb.is_some() {
        // Under gdb the program's own bytes stay: its disassembly and its
        // single steps are the program's, with every call trapped.
        crate::stubs::disable();
    }
    if crate::host::xstate().is_none() {
        // The fast path keeps the extended state with XSAVE; without it,
        // every call traps (the kernel's signal frames keep the state).
        crate::stubs::disable();
    }
    if !crate::stubs::disabled() {
        install_fast_path(&data, meta.as_ref(), &prog);
    }
    drop(data);
    let exe = std::fs::canonicalize(program).unwrap_or_else(|_| program.to_path_buf());
    let args: Vec<Vec<u8>> = args.iter().map(|a| a.as_bytes().to_vec()).collect();
    let env = guest_env();
    let aux = AuxInfo { phdr: prog.phdr, phent: prog.phent, phnum: prog.phnum, entry: prog.entry };
    let img = map_stack(p, &args, &env, exe.as_os_str().as_bytes(), &aux).map_err(StartError::Host)?;
    crate::process::set(crate::process::Process {
        exe_path: exe.to_string_lossy().into_owned(),
        ps_strings: img.ps_strings,
        usrstack: img.ps_strings + 32,
        sigcode: img.sigcode,
        godfly_exe: std::env::current_exe().map(|p| p.into_os_string()).unwrap_or_else(|_| "/proc/self/exe".into()),
        is_guest_program,
    });
    crate::sys::proc::note_process_flags_at_start();

    // The signal mask crosses execve: the host mask godfly started with is
    // the first thread's guest mask.
    let mut mask = Sigset::default();
    for host in crate::host::sig::blocked() {
        if let Some(sig) = signal::from_host(host) {
            signal::sigadd(&mut mask, sig);
        }
    }
    signal::cant_mask(&mut mask);
    let tid = thread::alloc_tid();
    let guest = thread::spawn::setup_current(tid, 0, mask, p.signals.flags.ss_disable, true)
        .map_err(|e| StartError::Host(e.to_string()))?;
    // Before any second thread exists: growing the descriptor table of a
    // multi-threaded process waits for an RCU grace period (~15 ms).
    crate::host::out::save_stderr();
    // A carrier pending from before godfly ran (a parent that blocked 39)
    // means nothing here: setting SIG_IGN discards it.
    crate::host::sig::set_ignore(signal::CARRIER);
    crate::trap::install().map_err(|e| StartError::Host(format!("cannot install signal handlers: {e}")))?;
    crate::host::sig::catch(signal::CARRIER);
    inherit_dispositions();
    signal::set_post_hook(crate::sys::kqueue::signal_posted);
    if let Some(core) = setup.core {
        crate::debug::core::set_path(core);
    }
    if let Some(port) = gdb {
        let name = program.display().to_string();
        crate::debug::start(port, &name, prog.entry).map_err(StartError::Host)?;
    }
    // Guest code starts: from here on global state is only `sync::Global`s.
    crate::sync::seal();

    let regs = EntryRegs { rdi: img.argc_addr, rsp: img.rsp, rip: prog.entry, rflags: 0x202, ..EntryRegs::default() };
    thread::spawn::run(&guest, &regs);
    // The first LWP left with others still running: end only this host
    // thread (leaving main would end the process).
    crate::host::proc::exit_thread()
}
