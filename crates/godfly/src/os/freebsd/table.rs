//! FreeBSD's syscall table: every call number bound to its handler with a
//! support level, or listed as unsupported with a reason. Names and
//! numbers come from the generated `godfly_abi::freebsd::syscalls`. Most
//! handlers are the shared ones of `sys`; FreeBSD's own calls and argument
//! orders are in this folder.

use godfly_abi::freebsd::syscalls::*;

use super::{calls, extattr, procctl, sysctl, thr, umtx};
use crate::personality::{Binding, Handler, Support};
use crate::sys::sched as nice;
use crate::sys::{fd, file, kqueue, login, mem, misc, path, poll, proc, signal, socket, stat, time};

/// What the extattr calls cannot do on Linux.
const XATTR_NOTE: &str = "on Linux xattrs (user., trusted.): values up to 64 KiB, none on symlinks (EPERM)";

/// Calls bound to handlers.
pub const BINDINGS: &[(u32, Handler, Support)] = &[
    (SYS__EXIT, proc::exit, Support::Full),
    (SYS_FORK, proc::fork, Support::Full),
    (SYS_READ, file::read, Support::Full),
    (SYS_WRITE, file::write, Support::Full),
    (SYS_OPEN, file::open, Support::Full),
    (SYS_CLOSE, file::close, Support::Full),
    (SYS_WAIT4, proc::wait4, Support::Full),
    (SYS_LINK, path::link, Support::Full),
    (SYS_UNLINK, path::unlink, Support::Full),
    (SYS_CHDIR, path::chdir, Support::Full),
    (SYS_FCHDIR, path::fchdir, Support::Full),
    (SYS_CHMOD, path::chmod, Support::Full),
    (SYS_CHOWN, path::chown, Support::Full),
    (SYS_GETPID, proc::getpid, Support::Full),
    (SYS_SETUID, proc::setuid, Support::Full),
    (SYS_GETUID, proc::getuid, Support::Full),
    (SYS_GETEUID, proc::geteuid, Support::Full),
    (SYS_PTRACE, proc::ptrace, Support::Partial("PT_TRACE_ME, PT_CONTINUE, PT_KILL, PT_ATTACH, PT_DETACH only")),
    (SYS_RECVMSG, socket::recvmsg, Support::Full),
    (SYS_SENDMSG, socket::sendmsg, Support::Partial("SCM_CREDS is refused")),
    (SYS_RECVFROM, socket::recvfrom, Support::Full),
    (SYS_ACCEPT, socket::accept, Support::Full),
    (SYS_GETPEERNAME, socket::getpeername, Support::Full),
    (SYS_GETSOCKNAME, socket::getsockname, Support::Full),
    (SYS_ACCESS, path::access, Support::Full),
    (
        SYS_CHFLAGS,
        path::chflags,
        Support::Partial("UF_NODUMP, SF_IMMUTABLE, SF_APPEND (Linux's inode flags); other flags EOPNOTSUPP"),
    ),
    (SYS_FCHFLAGS, path::fchflags, Support::Partial("as chflags")),
    (SYS_SYNC, file::sync, Support::Full),
    (SYS_KILL, signal::kill, Support::Full),
    (SYS_GETPPID, proc::getppid, Support::Full),
    (SYS_DUP, fd::dup, Support::Full),
    (SYS_GETEGID, proc::getegid, Support::Full),
    (SYS_GETGID, proc::getgid, Support::Full),
    (SYS_GETLOGIN, login::getlogin, Support::Partial("the name starts as the host's login uid's user")),
    (SYS_SETLOGIN, login::setlogin, Support::Partial("reaches this process and those it starts")),
    (SYS_SIGALTSTACK, signal::sigaltstack, Support::Full),
    (
        SYS_IOCTL,
        fd::ioctl,
        Support::Partial(
            "FIO*, termios (TIOCGETA/TIOCSETA[WF]), window size, TIOC[SG]PGRP, TIOCSCTTY/NOTTY; others ENOTTY",
        ),
    ),
    (SYS_SYMLINK, path::symlink, Support::Full),
    (SYS_READLINK, path::readlink, Support::Full),
    (SYS_EXECVE, proc::execve, Support::Partial("a guest program runs under godfly, anything else natively")),
    (SYS_UMASK, path::umask, Support::Full),
    (SYS_CHROOT, proc::chroot, Support::Full),
    (SYS_MSYNC, mem::msync, Support::Full),
    (SYS_VFORK, proc::vfork, Support::Partial("the parent is not suspended: the child gets a copy of memory")),
    (SYS_MUNMAP, mem::munmap, Support::Full),
    (SYS_MPROTECT, mem::mprotect, Support::Full),
    (SYS_MADVISE, mem::madvise, Support::Full),
    (SYS_MINCORE, mem::mincore, Support::Full),
    (SYS_FREEBSD14_GETGROUPS, proc::getgroups, Support::Partial("the supplementary groups, as FreeBSD 15's getgroups")),
    (SYS_FREEBSD14_SETGROUPS, proc::setgroups, Support::Partial("the supplementary groups, as FreeBSD 15's setgroups")),
    (SYS_GETGROUPS, proc::getgroups, Support::Full),
    (SYS_SETGROUPS, proc::setgroups, Support::Full),
    (SYS_GETPGRP, proc::getpgrp, Support::Full),
    (SYS_SETPGID, proc::setpgid, Support::Full),
    (SYS_SETITIMER, time::setitimer, Support::Full),
    (SYS_GETITIMER, time::getitimer, Support::Full),
    (SYS_GETDTABLESIZE, fd::getdtablesize, Support::Full),
    (SYS_DUP2, fd::dup2, Support::Full),
    (
        SYS_FCNTL,
        fd::fcntl,
        Support::Partial("F_DUPFD, F_DUP2FD(_CLOEXEC), F_[GS]ETFD, F_[GS]ETFL, F_[GS]ETOWN, F_GETLK, F_SETLK(W)"),
    ),
    (SYS_SELECT, poll::select, Support::Full),
    (SYS_FSYNC, file::fsync, Support::Full),
    (SYS_SETPRIORITY, nice::setpriority, Support::Partial("Linux's nice values stop at 19: a nice of 20 is 19")),
    (
        SYS_SOCKET,
        socket::socket,
        Support::Partial(
            "AF_UNIX, AF_INET, AF_INET6, and PF_ROUTE (RTM_GET from the host's tables; change messages from rtnetlink; no route changes)",
        ),
    ),
    (SYS_CONNECT, socket::connect, Support::Full),
    (SYS_GETPRIORITY, nice::getpriority, Support::Full),
    (SYS_BIND, socket::bind, Support::Full),
    (SYS_SETSOCKOPT, socket::setsockopt, Support::Partial("see os/freebsd/sockopt.rs for the options not applied")),
    (SYS_LISTEN, socket::listen, Support::Full),
    (SYS_GETTIMEOFDAY, time::gettimeofday, Support::Full),
    (SYS_GETRUSAGE, proc::getrusage, Support::Full),
    (SYS_GETSOCKOPT, socket::getsockopt, Support::Partial("see os/freebsd/sockopt.rs for the options not applied")),
    (SYS_READV, file::readv, Support::Full),
    (SYS_WRITEV, file::writev, Support::Full),
    (SYS_FCHOWN, path::fchown, Support::Full),
    (SYS_FCHMOD, path::fchmod, Support::Full),
    (SYS_SETREUID, proc::setreuid, Support::Full),
    (SYS_SETREGID, proc::setregid, Support::Full),
    (SYS_RENAME, path::rename, Support::Full),
    (SYS_FLOCK, fd::flock, Support::Full),
    (SYS_MKFIFO, path::mkfifo, Support::Full),
    (SYS_SENDTO, socket::sendto, Support::Full),
    (SYS_SHUTDOWN, socket::shutdown, Support::Full),
    (SYS_SOCKETPAIR, socket::socketpair, Support::Full),
    (SYS_MKDIR, path::mkdir, Support::Full),
    (SYS_RMDIR, path::rmdir, Support::Full),
    (SYS_UTIMES, path::utimes, Support::Full),
    (SYS_SETSID, proc::setsid, Support::Full),
    (SYS_SYSARCH, thr::sysarch, Support::Partial("AMD64_GET/SET_FSBASE and GSBASE; other operations EINVAL")),
    (
        SYS_PROCCTL,
        procctl::procctl,
        Support::Partial(
            "PROC_PDEATHSIG_CTL/STATUS, PROC_REAP_ACQUIRE/RELEASE, PROC_NO_NEW_PRIVS_CTL/STATUS, PROC_TRACE_STATUS; other commands EINVAL",
        ),
    ),
    (SYS_SETGID, proc::setgid, Support::Full),
    (SYS_SETEGID, proc::setegid, Support::Full),
    (SYS_SETEUID, proc::seteuid, Support::Full),
    (SYS_GETRLIMIT, proc::getrlimit, Support::Partial("RLIMIT_SBSIZE and the limits above RLIMIT_AS are EINVAL")),
    (SYS_SETRLIMIT, proc::setrlimit, Support::Partial("RLIMIT_SBSIZE and the limits above RLIMIT_AS are EINVAL")),
    (
        SYS___SYSCTL,
        sysctl::sysctl,
        Support::Partial(
            "kern.* and hw.* nodes Go and common libraries read (see os/freebsd/sysctl.rs), net.route (NET_RT_DUMP, FLAGS, IFLIST, IFMALIST); no writes",
        ),
    ),
    (SYS_MLOCK, mem::mlock, Support::Full),
    (SYS_MUNLOCK, mem::munlock, Support::Full),
    (SYS_FUTIMES, path::futimes, Support::Full),
    (SYS_GETPGID, proc::getpgid, Support::Full),
    (SYS_POLL, poll::poll, Support::Full),
    (SYS_CLOCK_GETTIME, time::clock_gettime, Support::Partial("CLOCK_VIRTUAL and CLOCK_PROF read process CPU time")),
    (SYS_CLOCK_GETRES, time::clock_getres, Support::Full),
    (SYS_NANOSLEEP, time::nanosleep, Support::Full),
    (SYS_ISSETUGID, proc::issetugid, Support::Full),
    (SYS_LCHOWN, path::lchown, Support::Full),
    (SYS_LUTIMES, path::lutimes, Support::Full),
    (SYS_PREADV, calls::preadv, Support::Full),
    (SYS_PWRITEV, calls::pwritev, Support::Full),
    (SYS_GETSID, proc::getsid, Support::Full),
    (SYS_SETRESUID, proc::setresuid, Support::Full),
    (SYS_SETRESGID, proc::setresgid, Support::Full),
    (SYS_GETRESUID, proc::getresuid, Support::Full),
    (SYS_GETRESGID, proc::getresgid, Support::Full),
    (SYS_YIELD, misc::sched_yield, Support::Full),
    (SYS_MUNLOCKALL, mem::munlockall, Support::Full),
    (SYS___GETCWD, path::getcwd, Support::Full),
    (SYS_SCHED_YIELD, misc::sched_yield, Support::Full),
    (SYS_SIGPROCMASK, signal::sigprocmask, Support::Full),
    (SYS_SIGSUSPEND, signal::sigsuspend, Support::Full),
    (SYS_SIGPENDING, signal::sigpending, Support::Full),
    (SYS_SIGTIMEDWAIT, signal::sigtimedwait, Support::Full),
    (SYS_SIGWAITINFO, signal::sigwaitinfo, Support::Full),
    (SYS_KQUEUE, kqueue::kqueue, Support::Full),
    (
        SYS_FREEBSD11_KEVENT,
        calls::kevent11,
        Support::Partial("the 32-byte kevent; READ, WRITE, USER, TIMER, SIGNAL, PROC (NOTE_EXIT), VNODE (on inotify)"),
    ),
    (SYS_EACCESS, path::eaccess, Support::Full),
    (SYS_LCHFLAGS, path::lchflags, Support::Partial("as chflags; a symlink takes no flags")),
    (SYS_SENDFILE, socket::sendfile, Support::Partial("flags must be 0")),
    (SYS_SIGACTION, signal::sigaction, Support::Full),
    (SYS_SIGRETURN, signal::sigreturn, Support::Partial("the %fs and %gs bases are not taken from the context")),
    (SYS_THR_EXIT, thr::thr_exit, Support::Full),
    (SYS_THR_SELF, thr::thr_self, Support::Full),
    (SYS_THR_KILL, thr::thr_kill, Support::Full),
    (
        SYS__UMTX_OP,
        umtx::umtx_op,
        Support::Partial(
            "WAIT, WAIT_UINT(_PRIVATE), WAKE(_PRIVATE), NWAKE_PRIVATE; libthr's mutex, condvar, rwlock and semaphore operations are EINVAL",
        ),
    ),
    (SYS_THR_NEW, thr::thr_new, Support::Partial("THR_SUSPENDED is refused; rtp is not applied")),
    (SYS_PREAD, calls::pread, Support::Full),
    (SYS_PWRITE, calls::pwrite, Support::Full),
    (
        SYS_MMAP,
        calls::mmap,
        Support::Partial(
            "MAP_GUARD, MAP_EXCL, MAP_ALIGNED and MAP_32BIT are refused (EINVAL); MAP_FIXED over godfly's own memory is ENOMEM",
        ),
    ),
    (SYS_LSEEK, calls::lseek, Support::Full),
    (SYS_TRUNCATE, calls::truncate, Support::Full),
    (SYS_FTRUNCATE, calls::ftruncate, Support::Full),
    (SYS_THR_KILL2, thr::thr_kill2, Support::Partial("threads of other processes are not addressable")),
    (
        SYS_CPUSET_GETAFFINITY,
        calls::cpuset_getaffinity,
        Support::Partial("CPU_WHICH_PID and CPU_WHICH_TID of this process"),
    ),
    (SYS_FACCESSAT, path::faccessat, Support::Full),
    (SYS_FCHMODAT, path::fchmodat, Support::Partial("AT_SYMLINK_NOFOLLOW as lchmod")),
    (SYS_FCHOWNAT, path::fchownat, Support::Full),
    (SYS_LINKAT, path::linkat, Support::Full),
    (SYS_MKDIRAT, path::mkdirat, Support::Full),
    (SYS_MKFIFOAT, path::mkfifoat, Support::Full),
    (SYS_OPENAT, file::openat, Support::Full),
    (SYS_READLINKAT, path::readlinkat, Support::Full),
    (SYS_RENAMEAT, path::renameat, Support::Full),
    (SYS_SYMLINKAT, path::symlinkat, Support::Full),
    (SYS_UNLINKAT, path::unlinkat, Support::Full),
    (SYS_PSELECT, poll::pselect, Support::Full),
    (
        SYS_POSIX_FALLOCATE,
        calls::posix_fallocate,
        Support::Partial("a filesystem without fallocate answers EINVAL (as ZFS)"),
    ),
    (SYS_POSIX_FADVISE, calls::posix_fadvise, Support::Full),
    (SYS_WAIT6, proc::wait6, Support::Partial("P_PID, P_PGID and P_ALL only; wru_children is zero")),
    (SYS_ACCEPT4, socket::accept4, Support::Full),
    (SYS_PIPE2, calls::pipe2, Support::Full),
    (SYS_PPOLL, poll::ppoll, Support::Full),
    (SYS_FUTIMENS, path::futimens, Support::Full),
    (SYS_UTIMENSAT, path::utimensat, Support::Full),
    (SYS_FSTAT, stat::fstat, Support::Full),
    (SYS_FSTATAT, stat::fstatat, Support::Full),
    (SYS_GETDIRENTRIES, stat::getdirentries, Support::Full),
    (SYS_STATFS, stat::statfs, Support::Partial("f_fsid is the device number; I/O counters are zero")),
    (SYS_FSTATFS, stat::fstatfs, Support::Partial("f_fsid is the device number; I/O counters are zero")),
    (SYS_GETFSSTAT, stat::getfsstat, Support::Partial("MNT_WAIT and MNT_NOWAIT give the same answer")),
    (SYS_MKNODAT, path::mknodat, Support::Full),
    (SYS_EXTATTR_SET_FILE, extattr::set_file, Support::Partial(XATTR_NOTE)),
    (SYS_EXTATTR_GET_FILE, extattr::get_file, Support::Partial(XATTR_NOTE)),
    (SYS_EXTATTR_DELETE_FILE, extattr::delete_file, Support::Partial(XATTR_NOTE)),
    (SYS_EXTATTR_SET_FD, extattr::set_fd, Support::Partial(XATTR_NOTE)),
    (SYS_EXTATTR_GET_FD, extattr::get_fd, Support::Partial(XATTR_NOTE)),
    (SYS_EXTATTR_DELETE_FD, extattr::delete_fd, Support::Partial(XATTR_NOTE)),
    (SYS_EXTATTR_SET_LINK, extattr::set_link, Support::Partial(XATTR_NOTE)),
    (SYS_EXTATTR_GET_LINK, extattr::get_link, Support::Partial(XATTR_NOTE)),
    (SYS_EXTATTR_DELETE_LINK, extattr::delete_link, Support::Partial(XATTR_NOTE)),
    (SYS_EXTATTR_LIST_FD, extattr::list_fd, Support::Partial(XATTR_NOTE)),
    (SYS_EXTATTR_LIST_FILE, extattr::list_file, Support::Partial(XATTR_NOTE)),
    (SYS_EXTATTR_LIST_LINK, extattr::list_link, Support::Partial(XATTR_NOTE)),
    (SYS_COPY_FILE_RANGE, calls::copy_file_range, Support::Partial("flags must be 0")),
    (
        SYS_KEVENT,
        kqueue::kevent,
        Support::Partial(
            "READ, WRITE, USER, TIMER, SIGNAL, PROC (NOTE_EXIT), VNODE (on inotify); AIO and FS answer ENOSYS",
        ),
    ),
    (SYS_GETRANDOM, misc::getrandom, Support::Full),
];

/// Reasons for FreeBSD calls godfly does not implement. Calls missing from
/// both lists are "not implemented yet" (ENOSYS, SIGSYS, a diagnostic).
pub const UNSUPPORTED: &[(u32, &str)] = &[
    (SYS_MOUNT, "mounting is not available to a user-mode layer"),
    (SYS_UNMOUNT, "mounting is not available to a user-mode layer"),
    (SYS_NMOUNT, "mounting is not available to a user-mode layer"),
    (SYS_KTRACE, "use `godfly trace` instead"),
    (SYS_ACCT, "process accounting needs the host's kernel"),
    (SYS_REBOOT, "not available to a user-mode layer"),
    (SYS_SWAPON, "not available to a user-mode layer"),
    (SYS_SWAPOFF, "not available to a user-mode layer"),
    (SYS_JAIL, "no jails on a Linux host"),
    (SYS_JAIL_ATTACH, "no jails on a Linux host"),
    (SYS_JAIL_GET, "no jails on a Linux host"),
    (SYS_JAIL_SET, "no jails on a Linux host"),
    (SYS_JAIL_REMOVE, "no jails on a Linux host"),
    (SYS_KLDLOAD, "FreeBSD kernel modules do not exist here"),
    (SYS_KLDUNLOAD, "FreeBSD kernel modules do not exist here"),
    (SYS_KLDFIND, "FreeBSD kernel modules do not exist here"),
    (SYS_KLDNEXT, "FreeBSD kernel modules do not exist here"),
    (SYS_KLDSTAT, "FreeBSD kernel modules do not exist here"),
    (SYS_SETTIMEOFDAY, "setting the clock is left to the host"),
    (SYS_ADJTIME, "setting the clock is left to the host"),
    (SYS_CLOCK_SETTIME, "setting the clock is left to the host"),
    (SYS_NTP_ADJTIME, "setting the clock is left to the host"),
    (SYS_UNDELETE, "whiteouts are not supported by Linux filesystems"),
    (SYS_BREAK, "the data segment break is not kept: programs map memory with mmap"),
    (SYS_CAP_ENTER, "Capsicum's capability mode has no Linux counterpart godfly could enforce"),
    (SYS_SIGFASTBLOCK, "libthr's fast signal blocking: Go programs do not use it"),
];

/// Calls whose EINTR never becomes a restart (`_umtx_op` waits turn
/// ERESTART into EINTR; the rest as on DragonFly).
pub const NEVER_RESTART: &[u32] = &[
    SYS__UMTX_OP,
    SYS_NANOSLEEP,
    SYS_KEVENT,
    SYS_FREEBSD11_KEVENT,
    SYS_SELECT,
    SYS_POLL,
    SYS_PPOLL,
    SYS_PSELECT,
    SYS_SIGSUSPEND,
    SYS_CONNECT,
    SYS_OPEN,
    SYS_OPENAT,
    SYS_GETRANDOM,
];

/// sigtimedwait with a timeout is never restarted.
pub const NEVER_RESTART_WITH: &[(u32, usize)] = &[(SYS_SIGTIMEDWAIT, 2)];

/// The handlers by number.
pub static TABLE: [Option<Binding>; SYS_MAXSYSCALL] = crate::personality::table_of(BINDINGS);

#[cfg(test)]
mod tests {
    use super::*;

    /// The FreeBSD 11 and 14 compatibility calls godfly binds: Go's `syscall`
    /// package still calls them.
    const COMPAT_BOUND: &[u32] = &[SYS_FREEBSD11_KEVENT, SYS_FREEBSD14_GETGROUPS, SYS_FREEBSD14_SETGROUPS];

    #[test]
    fn docs_syscalls_freebsd_md_is_the_markdown_table() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/SYSCALLS-freebsd.md");
        let doc = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            doc == crate::dispatch::render::render(&super::super::PERSONALITY, true),
            "docs/SYSCALLS-freebsd.md is stale: run `cargo run -p godfly -- syscalls --os freebsd --markdown > docs/SYSCALLS-freebsd.md`"
        );
    }

    #[test]
    fn every_binding_names_a_freebsd_call() {
        for (nr, _, _) in BINDINGS {
            let def = &SYSCALLS[*nr as usize];
            assert!(
                def.kind.is_implemented() || COMPAT_BOUND.contains(nr),
                "{} ({nr}) is not a FreeBSD call",
                def.name
            );
        }
    }

    #[test]
    fn bindings_are_unique_and_not_also_unsupported() {
        let mut seen = std::collections::HashSet::new();
        for (nr, _, _) in BINDINGS {
            assert!(seen.insert(*nr), "{nr} bound twice");
        }
        for (nr, _) in UNSUPPORTED {
            assert!(TABLE[*nr as usize].is_none(), "{nr} is bound and listed unsupported");
        }
    }

    #[test]
    fn the_calls_gos_runtime_makes_are_bound() {
        for nr in [1, 3, 4, 5, 6, 20, 37, 53, 73, 75, 83, 165, 202, 232, 240, 253, 331, 340, 362, 416, 417] {
            assert!(TABLE[nr].is_some(), "{} ({nr})", SYSCALLS[nr].name);
        }
        for nr in [431, 432, 433, 454, 455, 477, 487, 542, 560] {
            assert!(TABLE[nr].is_some(), "{} ({nr})", SYSCALLS[nr].name);
        }
    }
}
