//! Types the generated tables are made of.

/// The kind of a `syscalls.master` row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Implemented by the guest's kernel.
    Std,
    /// Implemented, prototype shared with another entry.
    NoProto,
    /// Declared but not implemented by DragonFly (`nfssvc`).
    NoImpl,
    /// Loadable-module placeholder (`lkmnosys`).
    NoDef,
    /// Obsolete: DragonFly answers with `nosys` (SIGSYS + EINVAL).
    Obsol,
    /// Never implemented: DragonFly answers with `nosys`.
    Unimpl,
    /// A call kept for binaries built for an older release (FreeBSD's
    /// `COMPATn` rows, such as `freebsd11_kevent`); the kernel implements it.
    Compat,
}

impl Kind {
    /// Whether the guest's own kernel implements this slot.
    pub fn is_implemented(self) -> bool {
        matches!(self, Kind::Std | Kind::NoProto | Kind::Compat)
    }
}

/// One argument of a prototype, as written in `syscalls.master`.
#[derive(Debug, Clone, Copy)]
pub struct Arg {
    /// C type, for example `const struct timespec *`.
    pub ty: &'static str,
    /// Argument name.
    pub name: &'static str,
}

/// One slot of a guest's syscall vector.
#[derive(Debug, Clone, Copy)]
pub struct SyscallDef {
    /// Call number.
    pub nr: u32,
    /// Row kind.
    pub kind: Kind,
    /// Name as in the guest's `sys/sys/syscall.h`.
    pub name: &'static str,
    /// C return type.
    pub ret: &'static str,
    /// Arguments in register order.
    pub args: &'static [Arg],
    /// Comment for OBSOL and UNIMPL rows.
    pub note: &'static str,
}

/// Default action of a signal (`sigproptbl` in `kern_sig.c`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigDefault {
    /// Terminate the process.
    Terminate,
    /// Terminate with a core dump.
    Core,
    /// Discard.
    Ignore,
    /// Stop the process.
    Stop,
    /// Continue a stopped process, otherwise discard.
    Continue,
}
