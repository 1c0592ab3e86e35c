//! A personality: everything godfly needs to know about one guest OS,
//! as data and function pointers, chosen once at load time by the OS's
//! brand test and kept for the life of the process (FreeBSD's kernel runs
//! its ABIs the same way, one `sysentvec` each). The OS-neutral layers
//! (`sys`, `signal`, `trace`, `dispatch`) speak host numbers and the
//! neutral types of `xlat`, and reach the guest's numbers and layouts only
//! through `current()`; a new guest OS is one `os/<name>/` folder that
//! fills in a `Personality`.
#![forbid(unsafe_code)]

use godfly_abi::bsd::{Sigaction, Sigset};
use godfly_abi::sysdef::{SigDefault, SyscallDef};

use crate::sync::Startup;

use crate::call::{Args, SysResult};
use crate::host::Errno;
use crate::thread::{Ctx, Lwp, SigInfo};
use crate::xlat::dirent::Entry;
use crate::xlat::kevent::{Filter, Kevent};
use crate::xlat::mountinfo::Mount;
use crate::xlat::{Advice, AtFlags, Clock, Fcntl, Ioctl, MapFlags, OpenFlags, SockOpt};

/// A handler for one call.
pub type Handler = fn(&mut Ctx<'_>, &Args) -> SysResult;

/// How completely a call is implemented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Support {
    /// As the guest's kernel does it.
    Full,
    /// Implemented, with the stated gap.
    Partial(&'static str),
}

/// A call number bound to its handler.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub handler: Handler,
    pub support: Support,
}

/// A handler table indexed by call number, from (number, handler, support)
/// rows (each personality's `BINDINGS`), built at compile time.
pub const fn table_of<const N: usize>(bindings: &[(u32, Handler, Support)]) -> [Option<Binding>; N] {
    let mut t: [Option<Binding>; N] = [None; N];
    let mut i = 0;
    while i < bindings.len() {
        t[bindings[i].0 as usize] = Some(Binding { handler: bindings[i].1, support: bindings[i].2 });
        i += 1;
    }
    t
}

/// The system-call table and its rules.
#[derive(Debug)]
pub struct Calls {
    /// Every slot of the guest's vector (generated: names, prototypes).
    pub defs: &'static [SyscallDef],
    /// Handlers, indexed by number (`defs.len()` slots).
    pub table: &'static [Option<Binding>],
    /// Why the calls godfly does not implement are left out.
    pub unsupported: &'static [(u32, &'static str)],
    /// The indirect calls, which take the number from the first argument.
    pub indirect: &'static [u32],
    /// Calls whose EINTR is never turned into a restart, whatever the
    /// handler's SA_RESTART says.
    pub never_restart: &'static [u32],
    /// Calls never restarted when one argument is set: (call, argument
    /// index), as a wait with a timeout.
    pub never_restart_with: &'static [(u32, usize)],
    /// Calls that do not return (a trace shows them as they start).
    pub no_return: &'static [u32],
    /// What the guest's kernel answers for a number it has no call for.
    pub empty: Empty,
}

/// The answer to an empty slot or a number past the table.
#[derive(Debug, Clone, Copy)]
pub struct Empty {
    /// The signal posted to the caller, if any (SIGSYS).
    pub signal: Option<u32>,
    /// The error returned.
    pub errno: Errno,
}

/// Errno numbering.
#[derive(Debug)]
pub struct Errnos {
    /// The guest's number for a host errno.
    pub to_guest: fn(Errno) -> u16,
    /// (number, name, message) rows of the guest's errnos.
    pub table: &'static [(u16, &'static str, &'static str, Option<u16>)],
}

impl Errnos {
    /// The guest's name of a guest errno number.
    pub fn name(&self, n: u16) -> &'static str {
        self.table.iter().find(|r| r.0 == n).map_or("E?", |r| r.1)
    }

    /// The guest's message text of a guest errno number.
    pub fn message(&self, n: u16) -> &'static str {
        self.table.iter().find(|r| r.0 == n).map_or("Unknown error", |r| r.2)
    }
}

/// Signal numbers that the neutral code treats specially.
#[derive(Debug, Clone, Copy)]
pub struct SigNums {
    pub hup: u32,
    pub ill: u32,
    pub trap: u32,
    pub fpe: u32,
    pub kill: u32,
    pub bus: u32,
    pub segv: u32,
    pub sys: u32,
    pub stop: u32,
    pub chld: u32,
}

/// `sigaction` flag bits and other signal constants.
#[derive(Debug, Clone, Copy)]
pub struct SigFlags {
    pub onstack: i32,
    pub restart: i32,
    pub resethand: i32,
    pub nodefer: i32,
    pub siginfo: i32,
    /// Every flag the kernel keeps.
    pub all: i32,
    /// `sigaltstack` flags.
    pub ss_disable: i32,
    pub ss_onstack: i32,
    /// The smallest alternate stack accepted.
    pub minsigstksz: u64,
    /// `sigprocmask` operations.
    pub block: i32,
    pub unblock: i32,
    pub setmask: i32,
    /// `si_code` of a signal sent by a process.
    pub si_user: i32,
}

/// A fault as the guest's kernel reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fault {
    /// Guest signal.
    pub sig: u32,
    /// `si_code`, address and trap facts.
    pub info: SigInfo,
}

/// Host facts of a synchronous fault: signal, `si_code`, address, trap
/// number and error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostFault {
    pub sig: i32,
    pub code: i32,
    pub addr: u64,
    pub trapno: u64,
    pub err: u64,
}

/// Signals.
#[derive(Debug)]
pub struct Signals {
    /// Highest signal number.
    pub max: u32,
    /// Host signal for a guest one.
    pub to_host: fn(u32) -> Option<i32>,
    /// Guest signal for a host one.
    pub from_host: fn(i32) -> Option<u32>,
    /// The guest's name of a signal (`SIG?` if unnamed).
    pub name: fn(u32) -> &'static str,
    /// The default action of a signal.
    pub default: fn(u32) -> SigDefault,
    /// Guest `si_code` for a host `si_code` of an asynchronous signal.
    pub si_code_from_host: fn(i32) -> i32,
    /// A host fault as the guest's kernel reports it.
    pub fault: fn(&HostFault) -> Fault,
    /// The name of a fault signal's `si_code` (crash reports).
    pub si_code_name: fn(u32, i32) -> &'static str,
    /// Numbers with a special role.
    pub num: SigNums,
    /// Flags and constants.
    pub flags: SigFlags,
}

/// What delivering a signal needs to know beyond the thread and context.
#[derive(Debug, Clone, Copy)]
pub struct Delivery {
    pub sig: u32,
    pub info: SigInfo,
    pub action: Sigaction,
    /// Build the frame on the alternate stack.
    pub on_altstack: bool,
    /// The interrupted code was already on the alternate stack.
    pub was_on_altstack: bool,
    /// The mask the handler's frame saves (restored by `sigreturn`).
    pub saved_mask: Sigset,
}

/// Signal frames.
#[derive(Debug)]
pub struct Frames {
    /// Builds the guest's frame for a handler and points the context at
    /// it; `Err` when the frame cannot be written.
    pub deliver: fn(&Lwp, &mut libc::ucontext_t, &Delivery) -> Result<(), Errno>,
    /// `sigreturn(ucp)`: restores the registers and returns the mask.
    pub sigreturn: fn(&mut libc::ucontext_t, u64) -> Result<Sigset, Errno>,
}

/// The facts the initial stack carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AuxInfo {
    pub phdr: u64,
    pub phent: u64,
    pub phnum: u64,
    pub entry: u64,
}

/// A built initial stack: bytes to copy below `top`, and where things are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackImage {
    /// Lowest address the image covers.
    pub base: u64,
    /// Bytes for `[base, sigcode)`.
    pub low: Vec<u8>,
    /// Bytes for the top page `[top - 0x1000, top)` (ps_strings).
    pub high: Vec<u8>,
    /// Address of argc (`%rdi` at entry).
    pub argc_addr: u64,
    /// Initial `%rsp`.
    pub rsp: u64,
    /// Address of `struct ps_strings`.
    pub ps_strings: u64,
    /// Address of the signal trampoline page.
    pub sigcode: u64,
}

/// Lays out argc, argv, envp, auxv and ps_strings below a top: (top, argv,
/// envp, the program's path, the auxv facts).
pub type BuildStack = fn(u64, &[Vec<u8>], &[Vec<u8>], &[u8], &AuxInfo) -> StackImage;

/// The initial process image.
#[derive(Debug)]
pub struct Image {
    /// Top of the stack (`USRSTACK`).
    pub usrstack: u64,
    /// Default stack size.
    pub stack_size: u64,
    /// Highest user address (`VM_MAX_USER_ADDRESS`).
    pub max_user_address: u64,
    /// Lays out the initial stack.
    pub build_stack: BuildStack,
    /// The signal trampoline's bytes, put at `StackImage::sigcode`.
    pub sigcode: &'static [u8],
    /// `ARG_MAX`.
    pub arg_max: usize,
}

/// What a program file says about the system it was built for, as the
/// loader reads it: the ELF OS/ABI byte, the ABI notes (owner, type), and
/// for a Go program the `GOOS` its entry symbol or build information
/// names.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BrandFacts {
    pub osabi: u8,
    pub notes: Vec<(Vec<u8>, u32)>,
    pub go_os: Option<String>,
}

impl BrandFacts {
    /// Whether the file carries an ABI note (type 1) from `owner`.
    pub fn has_note(&self, owner: &[u8]) -> bool {
        self.notes.iter().any(|(o, t)| o == owner && *t == 1)
    }
}

/// How a program file says it is this OS's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Brand {
    /// It is.
    Yes,
    /// It is not, for this reason (a Linux program, another system's).
    No(String),
    /// It carries no mark either way.
    Unknown,
}

/// Files, descriptors and paths.
#[derive(Debug)]
pub struct Files {
    /// `open` flags to Linux's.
    pub open_flags: fn(i32) -> OpenFlags,
    /// Linux file status flags (`F_GETFL`) to the guest's.
    pub status_flags: fn(i32) -> i32,
    /// The guest's `AT_FDCWD`.
    pub at_fdcwd: i32,
    /// `AT_*` flags; `None` for bits the guest's kernel does not know.
    pub at_flags: fn(i32) -> Option<AtFlags>,
    /// `fcntl` commands.
    pub fcntl: fn(i32) -> Option<Fcntl>,
    /// Reads a guest `struct flock` as Linux's; EINVAL for a bad type.
    pub read_flock: fn(u64) -> Result<libc::flock, Errno>,
    /// Writes a Linux `struct flock` in the guest's layout.
    pub write_flock: fn(u64, &libc::flock) -> Result<(), Errno>,
    /// Writes a Linux `struct stat` in the guest's layout.
    pub write_stat: fn(u64, &libc::stat, u32) -> Result<(), Errno>,
    /// A guest device number (`mknod`) as Linux's.
    pub dev_to_host: fn(u64) -> u64,
    /// Appends a guest `struct dirent` for one Linux entry.
    pub push_dirent: fn(&mut Vec<u8>, &Entry<'_>),
    /// Writes a guest `struct statfs` for a mount.
    pub write_statfs: fn(u64, &libc::statfs, &Mount) -> Result<(), Errno>,
    /// Size of the guest's `struct statfs` (`getfsstat`).
    pub statfs_size: usize,
    /// `UTIME_NOW` and `UTIME_OMIT`.
    pub utime_now: i64,
    pub utime_omit: i64,
    /// `poll` event bits to Linux's and back.
    pub poll_to_host: fn(i16) -> i16,
    pub poll_from_host: fn(i16) -> i16,
    /// An `ioctl` request godfly understands.
    pub ioctl: fn(u64) -> Option<Ioctl>,
    /// The guest's `struct termios`: its size, from the host's attributes,
    /// and to them (starting from the host's current ones).
    pub termios_len: usize,
    pub termios_from_host: fn(&crate::xlat::termios::Termios2) -> Vec<u8>,
    pub termios_to_host: fn(&[u8], &crate::xlat::termios::Termios2) -> crate::xlat::termios::Termios2,
}

/// The address space.
#[derive(Debug)]
pub struct Memory {
    pub map_flags: fn(i32) -> Option<MapFlags>,
    pub prot: fn(i32) -> Option<i32>,
    pub advice: fn(i32) -> Option<Advice>,
    /// `msync` flags to Linux's; `None` for bad ones.
    pub msync: fn(i32) -> Option<i32>,
}

/// Sockets.
#[derive(Debug)]
pub struct Net {
    pub family_to_host: fn(i32) -> Option<i32>,
    /// Socket type (with flags) to Linux's.
    pub socket_type: fn(i32) -> Option<i32>,
    /// `accept4` flags to Linux's.
    pub accept_flags: fn(i32) -> Option<i32>,
    /// A guest socket address as Linux's.
    pub sockaddr_to_host: fn(&[u8]) -> Result<Vec<u8>, Errno>,
    /// A Linux socket address as the guest's.
    pub sockaddr_from_host: fn(&[u8]) -> Vec<u8>,
    pub sockopt: fn(i32, i32) -> SockOpt,
    pub msg_flags_to_host: fn(i32) -> i32,
    pub msg_flags_from_host: fn(i32) -> i32,
    /// Guest control messages as Linux's.
    pub cmsg_to_host: fn(&[u8]) -> Result<Vec<u8>, Errno>,
    /// Linux control messages as the guest's.
    pub cmsg_from_host: fn(&[u8]) -> Vec<u8>,
    /// Whether an AF_INET6 socket stays IPv6-only (DragonFly: IPV6_V6ONLY
    /// cannot be cleared); else it starts IPv6-only and may be made
    /// dual-stack (FreeBSD's `net.inet6.ip6.v6only` default).
    pub v6only_fixed: bool,
    /// The guest's PF_ROUTE: its routing sockets are godfly's own.
    pub route_family: i32,
    /// A message written to a routing socket (with the writer's pid and
    /// whether it is root), against the host's tables now.
    pub route_output: fn(&[u8], &crate::host::NetState, i32, bool) -> RouteOutput,
    /// The messages routing sockets get for a change of the host's tables,
    /// each with its guest family (0: for every reader).
    pub route_changes: fn(&crate::host::NetState, &crate::host::NetState) -> Vec<RouteMessage>,
}

/// A routing message with the guest family of the readers it is for
/// (0: every reader).
pub type RouteMessage = (i32, Vec<u8>);

/// What writing one routing message gives: the message that comes back
/// to the routing sockets (with its guest family, 0 for all readers) and
/// the write's own result.
#[derive(Debug)]
pub struct RouteOutput {
    pub reply: Option<RouteMessage>,
    pub result: Result<(), Errno>,
}

/// The bounds a guest kernel puts on the counts and lengths a program
/// passes, and the errno beyond each: godfly sizes no work or memory by a
/// guest value past them.
#[derive(Debug)]
pub struct Limits {
    /// Most iovec entries (readv, writev, sendmsg, recvmsg).
    pub iov_max: u32,
    /// The errno for more.
    pub iov_too_many: Errno,
    /// Longest socket address.
    pub sockaddr_max: usize,
    /// Errno for a longer one.
    pub sockaddr_too_long: Errno,
    /// Shortest socket address, and the errno for a shorter one.
    pub sockaddr_min: usize,
    pub sockaddr_too_short: Errno,
    /// sendmsg control data length range (EINVAL outside).
    pub control_len: (usize, usize),
    /// Longest socket option value (EINVAL beyond), and the longest root
    /// may read with getsockopt.
    pub sockopt_max: usize,
    pub sockopt_max_root: usize,
    /// Most groups setgroups takes (EINVAL beyond).
    pub ngroups: usize,
    /// Changes kevent reads from the guest at a time.
    pub kevent_chunk: usize,
}

impl Limits {
    /// An iovec count as the guest kernel bounds it (EMSGSIZE past 1024 on
    /// DragonFly, negative counts included), checked before the descriptor.
    pub fn check_iovcnt(&self, n: u32) -> Result<(), Errno> {
        if n > self.iov_max { Err(self.iov_too_many) } else { Ok(()) }
    }
}

/// Processes.
#[derive(Debug)]
pub struct Procs {
    /// A resource number to Linux's.
    pub rlimit: fn(u32) -> Option<u32>,
    pub rlim_to_host: fn(u64) -> u64,
    pub rlim_from_host: fn(u64) -> u64,
    pub wait4_options: fn(i32) -> Option<i32>,
    pub wait6_options: fn(i32) -> Option<i32>,
    pub idtype: fn(i32) -> Option<libc::idtype_t>,
    /// A Linux wait status as the guest's.
    pub wait_status: fn(i32) -> i32,
    /// A `waitid` result (`si_code`, `si_status`) as a guest wait status.
    pub wait_status_siginfo: fn(i32, i32) -> i32,
}

/// kqueue.
#[derive(Debug)]
pub struct Kqueue {
    /// The filter a guest number names.
    pub filter: fn(i16) -> Option<Filter>,
    /// Reads `n` guest kevents (the change list), in chunks the guest's
    /// length cannot blow up.
    pub read_changes: fn(u64, usize, usize) -> Result<Vec<Kevent>, Errno>,
    /// Writes kevents (the event list) in the guest's layout.
    pub write_events: fn(u64, usize, &[Kevent]) -> Result<(), Errno>,
}

/// Clocks.
#[derive(Debug)]
pub struct Time {
    pub clock: fn(i32) -> Option<Clock>,
}

/// How a trace shows one argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    /// Decimal `int`.
    Int,
    /// Decimal unsigned.
    Uint,
    /// Hexadecimal (pointers, opaque values).
    Hex,
    /// NUL-terminated string.
    Str,
    /// Data buffer written by the guest, with the length in argument `n`.
    OutBuf(usize),
    /// Data buffer filled by the call; the result is its length.
    InBuf,
    /// `open` flags.
    OpenFlags,
    /// File mode, octal.
    Mode,
    /// Directory descriptor (`AT_FDCWD`).
    AtFd,
    /// `AT_*` flags.
    AtFlags,
    /// `PROT_*`.
    Prot,
    /// `MAP_*`.
    MapFlags,
    /// A signal number.
    Signal,
    /// `SIG_BLOCK`/`SIG_UNBLOCK`/`SIG_SETMASK`.
    SigHow,
    /// `fcntl` command.
    FcntlCmd,
    /// Clock id.
    Clock,
    /// `lseek` whence.
    Whence,
    /// Address family.
    Domain,
    /// Socket type with flags.
    SockType,
    /// `madvise` advice.
    Advice,
    /// A `struct timespec *` read before the call.
    Timespec,
    /// A `struct sockaddr *` with its length in argument `n`.
    Sockaddr(usize),
}

/// Symbolic names, as (value, name) rows.
pub type Names = &'static [(i64, &'static str)];

/// What a trace needs to show the guest's calls with its own names.
#[derive(Debug)]
pub struct TraceNames {
    /// Argument kinds for calls whose C prototype alone says too little.
    pub kinds: &'static [(&'static str, &'static [ArgKind])],
    /// `O_ACCMODE` and the other open flags.
    pub o_accmode: i64,
    pub open_flags: Names,
    pub at_fdcwd: i64,
    pub at_flags: Names,
    pub prot: Names,
    pub map_flags: Names,
    pub sighow: Names,
    pub fcntl: Names,
    pub clocks: Names,
    pub domains: Names,
    pub socket_flags: Names,
    pub advice: Names,
    pub af_inet: i32,
    pub af_inet6: i32,
}

/// One guest OS.
#[derive(Debug)]
pub struct Personality {
    /// The OS's own name ("DragonFly").
    pub name: &'static str,
    /// Its Go name (`GOOS`).
    pub goos: &'static str,
    /// Whether a program file is this OS's.
    pub brand: fn(&BrandFacts) -> Brand,
    pub calls: Calls,
    pub errno: Errnos,
    pub signals: Signals,
    pub frames: Frames,
    pub image: Image,
    pub files: Files,
    pub memory: Memory,
    pub net: Net,
    pub procs: Procs,
    pub kqueue: Kqueue,
    pub time: Time,
    pub limits: Limits,
    pub trace: TraceNames,
}

impl Personality {
    /// The binding of a call number, if godfly implements it.
    pub fn binding(&self, nr: u64) -> Option<Binding> {
        usize::try_from(nr).ok().and_then(|n| self.calls.table.get(n).copied().flatten())
    }

    /// The generated definition of a call number.
    pub fn def(&self, nr: u64) -> Option<&'static SyscallDef> {
        usize::try_from(nr).ok().and_then(|n| self.calls.defs.get(n))
    }

    /// The guest's name of a call number (`#nr` past the table).
    pub fn call_name(&self, nr: u64) -> String {
        match self.def(nr) {
            Some(d) if !d.name.is_empty() => d.name.to_string(),
            _ => format!("#{nr}"),
        }
    }

    /// The number of a call by its guest name.
    pub fn call_number(&self, name: &str) -> Option<u32> {
        self.calls.defs.iter().find(|d| d.kind.is_implemented() && d.name == name).map(|d| d.nr)
    }

    /// Why a call godfly leaves out is left out, if the table says.
    pub fn unsupported_reason(&self, nr: u32) -> Option<&'static str> {
        self.calls.unsupported.iter().find(|u| u.0 == nr).map(|u| u.1)
    }

    /// Whether call `nr`'s EINTR may become a restart.
    pub fn restartable(&self, nr: u64, args: &crate::call::Args) -> bool {
        u32::try_from(nr).is_ok_and(|n| {
            !self.calls.never_restart.contains(&n)
                && !self.calls.never_restart_with.iter().any(|&(c, i)| c == n && args.ptr(i) != 0)
        })
    }

    /// The guest's number for a host errno.
    pub fn errno(&self, e: Errno) -> u16 {
        (self.errno.to_guest)(e)
    }

    /// The guest's `AT_FDCWD` as Linux's; other descriptors pass through.
    pub fn dirfd(&self, fd: i32) -> i32 {
        if fd == self.files.at_fdcwd { libc::AT_FDCWD } else { fd }
    }
}

static CURRENT: Startup<&'static Personality> = Startup::new();

/// Chooses the personality of this process (once, at load time).
pub fn set(p: &'static Personality) {
    let _ = CURRENT.set(p);
}

/// The personality of this process.
pub fn current() -> &'static Personality {
    CURRENT.get().expect("the personality is chosen before guest code runs")
}

/// The personality, if one was chosen (godfly's own failure reports).
pub fn chosen() -> Option<&'static Personality> {
    CURRENT.get().copied()
}
