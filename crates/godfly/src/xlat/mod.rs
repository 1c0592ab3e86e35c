//! The neutral vocabulary: what a guest's numbers mean, in terms the
//! OS-neutral layers use (Linux values where Linux has the same thing,
//! small types where it has not), and the decoders of Linux's own
//! records. Each personality translates its guest's numbers into these;
//! everything here is pure and unit-tested.
#![forbid(unsafe_code)]

pub mod dirent;
pub mod fflags;
pub mod kevent;
pub mod mcast;
pub mod mountinfo;
pub mod procinfo;
pub mod routes;
pub mod termios;
pub mod wait;

/// A file lock `open` takes on the BSDs (`O_SHLOCK`, `O_EXLOCK`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenLock {
    Shared,
    Exclusive,
}

/// `open` flags: Linux's, plus what Linux's `open` does not have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OpenFlags {
    /// The Linux flags.
    pub linux: i32,
    /// A lock to take once the file is open.
    pub lock: Option<OpenLock>,
    /// Guest bits with no meaning here (kept for calls that refuse them).
    pub unknown: i32,
}

/// `AT_*` flags as a small set of their meanings (the bit values are
/// godfly's own: Linux spells AT_REMOVEDIR and AT_EACCESS alike).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AtFlags(pub u8);

impl AtFlags {
    /// Do not follow a final symlink.
    pub const SYMLINK_NOFOLLOW: AtFlags = AtFlags(1);
    /// `unlinkat` removes a directory.
    pub const REMOVEDIR: AtFlags = AtFlags(2);
    /// `faccessat` checks with the effective ids.
    pub const EACCESS: AtFlags = AtFlags(4);
    /// `linkat` follows a final symlink.
    pub const SYMLINK_FOLLOW: AtFlags = AtFlags(8);

    /// Both sets together.
    pub const fn or(self, other: AtFlags) -> AtFlags {
        AtFlags(self.0 | other.0)
    }

    /// Whether every flag set here is in `allowed`.
    pub fn within(self, allowed: AtFlags) -> bool {
        self.0 & !allowed.0 == 0
    }

    /// The Linux flags.
    pub fn to_linux(self) -> i32 {
        let mut out = 0;
        if self.0 & Self::SYMLINK_NOFOLLOW.0 != 0 {
            out |= libc::AT_SYMLINK_NOFOLLOW;
        }
        if self.0 & Self::REMOVEDIR.0 != 0 {
            out |= libc::AT_REMOVEDIR;
        }
        if self.0 & Self::EACCESS.0 != 0 {
            out |= libc::AT_EACCESS;
        }
        if self.0 & Self::SYMLINK_FOLLOW.0 != 0 {
            out |= libc::AT_SYMLINK_FOLLOW;
        }
        out
    }
}

/// The `fcntl` commands godfly implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fcntl {
    DupFd,
    DupFdCloexec,
    Dup2Fd,
    Dup2FdCloexec,
    GetFd,
    SetFd,
    GetFl,
    SetFl,
    GetOwn,
    SetOwn,
    GetLk,
    SetLk,
    SetLkW,
}

/// Translated `mmap` flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MapFlags {
    /// Linux flags.
    pub linux: i32,
    /// Anonymous memory (MAP_ANON, or MAP_STACK, which implies it).
    pub anon: bool,
    /// MAP_NOCORE: apply `MADV_DONTDUMP` afterwards.
    pub nocore: bool,
}

/// What to do for a `madvise` call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Advice {
    /// Pass this Linux advice.
    Linux(i32),
    /// Accepted, with no host equivalent to apply.
    Nothing,
}

/// How to answer `clock_gettime` for a guest clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    /// Linux clock to read.
    pub linux: libc::clockid_t,
    /// CLOCK_SECOND: whole seconds only.
    pub seconds_only: bool,
}

/// What a socket option becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SockOpt {
    /// This Linux (level, name).
    Linux(i32, i32),
    /// Accepted and ignored (no Linux equivalent, no effect needed).
    Ignore,
    /// SO_NOSIGPIPE, which godfly keeps itself.
    NoSigPipe,
    /// ENOPROTOOPT.
    Unsupported,
    /// LOCAL_PEERCRED (a `struct xucred` of the peer) on a local socket,
    /// this Linux (level, name) on any other (the level is IPPROTO_IP's 0).
    PeerCredOr(i32, i32),
}

/// The `ioctl` requests godfly handles on any descriptor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ioctl {
    Fioclex,
    Fionclex,
    Fionbio,
    Fioasync,
    Fionread,
    Tiocgwinsz,
    Tiocswinsz,
    Tiocsctty,
    Tiocnotty,
    Tiocspgrp,
    Tiocgpgrp,
    /// Get the terminal's attributes.
    Tiocgeta,
    /// Set them: now, after output drains, after it drains and input is
    /// flushed.
    Tiocseta(TermiosWhen),
    Tiocexcl,
    Tiocnxcl,
    /// Push a byte into the input queue.
    Tiocsti,
    /// Bytes in the output queue.
    Tiocoutq,
    /// Flush the queues (an int: the BSD's FREAD/FWRITE bits, 0 for both).
    Tiocflush,
    /// Wait until output drains.
    Tiocdrain,
    Tiocstart,
    Tiocstop,
    Tiocsbrk,
    Tioccbrk,
    Tiocgsid,
    Tiocgetd,
    /// Whether the descriptor is a pseudo-terminal master (DragonFly's
    /// grantpt/unlockpt/ptsname).
    Tiocisptmaster,
    /// The device's name (`struct fiodname_args {char *name; u32 len}`).
    Fiodname,
}

/// When new terminal attributes take effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TermiosWhen {
    Now,
    Drain,
    Flush,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_flags_keep_removedir_and_eaccess_apart_until_they_become_linux() {
        let f = AtFlags::REMOVEDIR;
        assert!(f.within(AtFlags::REMOVEDIR));
        assert!(!f.within(AtFlags::EACCESS));
        assert_eq!(f.to_linux(), libc::AT_REMOVEDIR);
        assert_eq!(
            AtFlags::EACCESS.or(AtFlags::SYMLINK_NOFOLLOW).to_linux(),
            libc::AT_EACCESS | libc::AT_SYMLINK_NOFOLLOW
        );
        assert_eq!(AtFlags::default().to_linux(), 0);
    }
}
