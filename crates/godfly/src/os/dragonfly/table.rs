//! DragonFly's syscall table: every call number bound to its handler with
//! a support level, or listed as unsupported with a reason. Names and
//! numbers come from the generated `godfly_abi::dragonfly::syscalls`.

use godfly_abi::dragonfly::syscalls::*;

use super::{calls, lwp, pathconf, sched, statfs, sysctl, sysv, umtx};
use crate::personality::{Binding, Handler, Support};
use crate::sys::sched as nice;
use crate::sys::{fd, file, kqueue, login, mem, misc, path, poll, proc, signal, socket, stat, time};

/// Calls bound to handlers.
pub const BINDINGS: &[(u32, Handler, Support)] = &[
    (SYS_EXIT, proc::exit, Support::Full),
    (SYS_FORK, proc::fork, Support::Full),
    (SYS_WAIT4, proc::wait4, Support::Full),
    (SYS_PTRACE, proc::ptrace, Support::Partial("PT_TRACE_ME, PT_CONTINUE, PT_KILL, PT_ATTACH, PT_DETACH only")),
    (SYS_SETUID, proc::setuid, Support::Full),
    (SYS_EXECVE, proc::execve, Support::Partial("a DragonFly program runs under godfly, anything else natively")),
    (SYS_CHROOT, proc::chroot, Support::Full),
    (SYS_VFORK, proc::vfork, Support::Partial("the parent is not suspended: the child gets a copy of memory")),
    (SYS_SETGROUPS, proc::setgroups, Support::Full),
    (SYS_SETPGID, proc::setpgid, Support::Full),
    (SYS_SETREUID, proc::setreuid, Support::Full),
    (SYS_SETREGID, proc::setregid, Support::Full),
    (SYS_SETSID, proc::setsid, Support::Full),
    (SYS_SETGID, proc::setgid, Support::Full),
    (SYS_SETEGID, proc::setegid, Support::Full),
    (SYS_SETEUID, proc::seteuid, Support::Full),
    (SYS_SETRESUID, proc::setresuid, Support::Full),
    (SYS_SETRESGID, proc::setresgid, Support::Full),
    (SYS_GETRESUID, proc::getresuid, Support::Full),
    (SYS_GETRESGID, proc::getresgid, Support::Full),
    (SYS_WAIT6, proc::wait6, Support::Partial("P_PID, P_PGID and P_ALL only; wru_children is zero")),
    (SYS_READ, file::read, Support::Full),
    (SYS_WRITE, file::write, Support::Full),
    (SYS_OPEN, file::open, Support::Full),
    (SYS_CLOSE, file::close, Support::Full),
    (SYS_LINK, path::link, Support::Full),
    (SYS_UNLINK, path::unlink, Support::Full),
    (SYS_CHDIR, path::chdir, Support::Full),
    (SYS_FCHDIR, path::fchdir, Support::Full),
    (SYS_MKNOD, path::mknod, Support::Partial("device majors above 255 do not fit DragonFly's dev_t")),
    (SYS_CHMOD, path::chmod, Support::Full),
    (SYS_CHOWN, path::chown, Support::Full),
    (SYS_GETPID, proc::getpid, Support::Full),
    (SYS_GETUID, proc::getuid, Support::Full),
    (SYS_GETEUID, proc::geteuid, Support::Full),
    (SYS_ACCESS, path::access, Support::Full),
    (SYS_KILL, signal::kill, Support::Full),
    (SYS_GETPPID, proc::getppid, Support::Full),
    (SYS_DUP, fd::dup, Support::Full),
    (SYS_PIPE, fd::pipe, Support::Full),
    (SYS_GETEGID, proc::getegid, Support::Full),
    (SYS_GETGID, proc::getgid, Support::Full),
    (SYS_SIGALTSTACK, signal::sigaltstack, Support::Full),
    (
        SYS_IOCTL,
        fd::ioctl,
        Support::Partial(
            "FIO*, termios (TIOCGETA/TIOCSETA[WF]), window size, TIOCEXCL/NXCL, TIOCSTI, TIOCFLUSH/DRAIN, TIOCSCTTY/NOTTY, TIOC[SG]PGRP, TIOCGSID, TIOCISPTMASTER, FIODNAME; others ENOTTY",
        ),
    ),
    (SYS_SYMLINK, path::symlink, Support::Full),
    (SYS_READLINK, path::readlink, Support::Full),
    (SYS_UMASK, path::umask, Support::Full),
    (SYS_MSYNC, mem::msync, Support::Full),
    (SYS_NETBSD_MSYNC, mem::msync, Support::Full),
    (SYS_MUNMAP, mem::munmap, Support::Full),
    (SYS_MPROTECT, mem::mprotect, Support::Full),
    (SYS_MADVISE, mem::madvise, Support::Partial("MADV_SETMAP is refused")),
    (SYS_MINCORE, mem::mincore, Support::Full),
    (SYS_GETGROUPS, proc::getgroups, Support::Full),
    (SYS_GETPGRP, proc::getpgrp, Support::Full),
    (SYS_GETDTABLESIZE, fd::getdtablesize, Support::Full),
    (SYS_DUP2, fd::dup2, Support::Full),
    (SYS_FCNTL, fd::fcntl, Support::Full),
    (SYS_FSYNC, file::fsync, Support::Full),
    (SYS_GETTIMEOFDAY, time::gettimeofday, Support::Full),
    (SYS_SETITIMER, time::setitimer, Support::Full),
    (SYS_GETITIMER, time::getitimer, Support::Full),
    (SYS_GETRUSAGE, proc::getrusage, Support::Full),
    (SYS_READV, file::readv, Support::Full),
    (SYS_WRITEV, file::writev, Support::Full),
    (SYS_FCHOWN, path::fchown, Support::Full),
    (SYS_FCHMOD, path::fchmod, Support::Full),
    (SYS_RENAME, path::rename, Support::Full),
    (SYS_FLOCK, fd::flock, Support::Full),
    (SYS_MKFIFO, path::mkfifo, Support::Full),
    (SYS_MKDIR, path::mkdir, Support::Full),
    (SYS_RMDIR, path::rmdir, Support::Full),
    (SYS_UTIMES, path::utimes, Support::Full),
    (SYS_EXTPREAD, calls::extpread, Support::Partial("O_FNONBLOCKING and O_FAPPEND overrides are refused")),
    (SYS_EXTPWRITE, calls::extpwrite, Support::Partial("O_FNONBLOCKING and O_FAPPEND overrides are refused")),
    (SYS_GETRLIMIT, proc::getrlimit, Support::Partial("RLIMIT_SBSIZE has no Linux counterpart (EINVAL)")),
    (SYS_SETRLIMIT, proc::setrlimit, Support::Partial("RLIMIT_SBSIZE has no Linux counterpart (EINVAL)")),
    (
        SYS_MMAP,
        mem::mmap,
        Support::Partial(
            "MAP_STACK maps plain memory; MAP_TRYFIXED is a hint; MAP_FIXED over godfly's own memory is ENOMEM",
        ),
    ),
    (SYS_LSEEK, file::lseek, Support::Full),
    (SYS_TRUNCATE, path::truncate, Support::Full),
    (SYS_FTRUNCATE, path::ftruncate, Support::Full),
    (
        SYS___SYSCTL,
        sysctl::sysctl,
        Support::Partial(
            "kern.*, hw.*, vm.stats.vm.*, kern.proc.* (kinfo_proc from /proc), net.route, name-to-OID and the next-OID walk; no writes",
        ),
    ),
    (SYS_MLOCK, mem::mlock, Support::Full),
    (SYS_MUNLOCK, mem::munlock, Support::Full),
    (SYS_FUTIMES, path::futimes, Support::Full),
    (SYS_GETPGID, proc::getpgid, Support::Full),
    (SYS_CLOCK_GETTIME, time::clock_gettime, Support::Partial("CLOCK_VIRTUAL and CLOCK_PROF read process CPU time")),
    (SYS_CLOCK_GETRES, time::clock_getres, Support::Full),
    (SYS_NANOSLEEP, time::nanosleep, Support::Full),
    (SYS_ISSETUGID, proc::issetugid, Support::Full),
    (SYS_LCHOWN, path::lchown, Support::Full),
    (SYS_NETBSD_LCHOWN, path::lchown, Support::Full),
    (
        SYS_LCHMOD,
        path::lchmod,
        Support::Partial("fchmodat2 (Linux 6.6); a symlink's own mode is EOPNOTSUPP: Linux filesystems keep none"),
    ),
    (SYS_LUTIMES, path::lutimes, Support::Full),
    (SYS_EXTPREADV, calls::extpreadv, Support::Partial("O_FNONBLOCKING and O_FAPPEND overrides are refused")),
    (SYS_EXTPWRITEV, calls::extpwritev, Support::Partial("O_FNONBLOCKING and O_FAPPEND overrides are refused")),
    (SYS_GETSID, proc::getsid, Support::Full),
    (SYS___GETCWD, path::getcwd, Support::Full),
    (SYS_SCHED_YIELD, misc::sched_yield, Support::Full),
    (SYS_SIGPROCMASK, signal::sigprocmask, Support::Full),
    (SYS_SIGACTION, signal::sigaction, Support::Full),
    (SYS_SIGPENDING, signal::sigpending, Support::Full),
    (SYS_SIGSUSPEND, signal::sigsuspend, Support::Full),
    (SYS_SIGWAITINFO, signal::sigwaitinfo, Support::Full),
    (SYS_SIGTIMEDWAIT, signal::sigtimedwait, Support::Full),
    (SYS_SIGRETURN, signal::sigreturn, Support::Full),
    (SYS_KQUEUE, kqueue::kqueue, Support::Full),
    (
        SYS_KEVENT,
        kqueue::kevent,
        Support::Partial(
            "READ, WRITE, USER, TIMER, SIGNAL, PROC (NOTE_EXIT), VNODE (on inotify); AIO, EXCEPT, FS answer ENOSYS",
        ),
    ),
    (SYS_UMTX_SLEEP, umtx::umtx_sleep, Support::Full),
    (SYS_UMTX_WAKEUP, umtx::umtx_wakeup, Support::Full),
    (SYS_SET_TLS_AREA, lwp::set_tls_area, Support::Full),
    (SYS_GET_TLS_AREA, lwp::get_tls_area, Support::Full),
    (SYS_CLOSEFROM, fd::closefrom, Support::Full),
    (SYS_STAT, stat::stat, Support::Full),
    (SYS_FSTAT, stat::fstat, Support::Full),
    (SYS_LSTAT, stat::lstat, Support::Full),
    (SYS_GETDIRENTRIES, stat::getdirentries, Support::Full),
    (SYS_GETDENTS, stat::getdents, Support::Full),
    (SYS_STATFS, stat::statfs, Support::Partial("f_fsid is the device number; I/O counters are zero")),
    (SYS_FSTATFS, stat::fstatfs, Support::Partial("f_fsid is the device number; I/O counters are zero")),
    (SYS_GETFSSTAT, stat::getfsstat, Support::Partial("MNT_WAIT and MNT_NOWAIT give the same answer")),
    (SYS_EXTEXIT, lwp::extexit, Support::Full),
    (SYS_LWP_CREATE, lwp::lwp_create, Support::Full),
    (SYS_LWP_GETTID, lwp::lwp_gettid, Support::Full),
    (SYS_LWP_KILL, lwp::lwp_kill, Support::Partial("threads of other processes are not addressable")),
    (SYS_OPENAT, file::openat, Support::Full),
    (SYS_FSTATAT, stat::fstatat, Support::Full),
    (SYS_FCHMODAT, path::fchmodat, Support::Partial("AT_SYMLINK_NOFOLLOW as lchmod")),
    (SYS_FCHOWNAT, path::fchownat, Support::Full),
    (SYS_UNLINKAT, path::unlinkat, Support::Full),
    (SYS_FACCESSAT, path::faccessat, Support::Full),
    (SYS_RENAMEAT, path::renameat, Support::Full),
    (SYS_MKDIRAT, path::mkdirat, Support::Full),
    (SYS_MKFIFOAT, path::mkfifoat, Support::Full),
    (SYS_MKNODAT, path::mknodat, Support::Partial("device majors above 255 do not fit DragonFly's dev_t")),
    (SYS_READLINKAT, path::readlinkat, Support::Full),
    (SYS_SYMLINKAT, path::symlinkat, Support::Full),
    (SYS_LINKAT, path::linkat, Support::Full),
    (SYS_EACCESS, path::eaccess, Support::Full),
    (SYS_PIPE2, fd::pipe2, Support::Full),
    (SYS_UTIMENSAT, path::utimensat, Support::Full),
    (SYS_FUTIMENS, path::futimens, Support::Full),
    (SYS_LWP_CREATE2, lwp::lwp_create2, Support::Partial("the CPU mask is not applied")),
    (SYS_GETRANDOM, misc::getrandom, Support::Full),
    (SYS_SYSARCH, calls::sysarch, Support::Full),
    (SYS_SYNC, file::sync, Support::Full),
    (
        SYS_CHFLAGS,
        path::chflags,
        Support::Partial("UF_NODUMP, SF_IMMUTABLE, SF_APPEND (Linux's inode flags); other flags EOPNOTSUPP"),
    ),
    (SYS_LCHFLAGS, path::lchflags, Support::Partial("as chflags; a symlink takes no flags")),
    (SYS_FCHFLAGS, path::fchflags, Support::Partial("as chflags")),
    (SYS_CHFLAGSAT, path::chflagsat, Support::Partial("as chflags")),
    (SYS_GETPRIORITY, nice::getpriority, Support::Full),
    (
        SYS_SETPRIORITY,
        nice::setpriority,
        Support::Partial("Linux's nice values stop at 19: a DragonFly nice of 20 is 19"),
    ),
    (SYS_PATHCONF, pathconf::pathconf, Support::Full),
    (SYS_LPATHCONF, pathconf::lpathconf, Support::Full),
    (SYS_FPATHCONF, pathconf::fpathconf, Support::Full),
    (SYS_MLOCKALL, calls::mlockall, Support::Full),
    (SYS_MUNLOCKALL, mem::munlockall, Support::Full),
    (
        SYS_STATVFS,
        statfs::statvfs,
        Support::Partial("f_fsid is the device number; f_type, I/O counters and uuids are zero"),
    ),
    (SYS_FSTATVFS, statfs::fstatvfs, Support::Partial("as statvfs")),
    (SYS_GETVFSSTAT, statfs::getvfsstat, Support::Partial("as statvfs")),
    (SYS_LWP_SETNAME, lwp::lwp_setname, Support::Full),
    (SYS_LWP_GETNAME, lwp::lwp_getname, Support::Full),
    (SYS_SCHED_SETPARAM, sched::sched_setparam, Support::Full),
    (SYS_SCHED_GETPARAM, sched::sched_getparam, Support::Full),
    (SYS_SCHED_SETSCHEDULER, sched::sched_setscheduler, Support::Full),
    (SYS_SCHED_GETSCHEDULER, sched::sched_getscheduler, Support::Full),
    (SYS_SCHED_GET_PRIORITY_MAX, sched::sched_get_priority_max, Support::Full),
    (SYS_SCHED_GET_PRIORITY_MIN, sched::sched_get_priority_min, Support::Full),
    (SYS_SCHED_RR_GET_INTERVAL, sched::sched_rr_get_interval, Support::Full),
    (SYS_YIELD, misc::sched_yield, Support::Full),
    (SYS_GETLOGIN, login::getlogin, Support::Partial("the name starts as the host's login uid's user")),
    (
        SYS_SETLOGIN,
        login::setlogin,
        Support::Partial("reaches this process and those it starts, not the rest of its session"),
    ),
    (SYS_UTRACE, calls::utrace, Support::Full),
    (SYS_AIO_RETURN, calls::aio_stub, Support::Full),
    (SYS_AIO_SUSPEND, calls::aio_stub, Support::Full),
    (SYS_AIO_CANCEL, calls::aio_stub, Support::Full),
    (SYS_AIO_ERROR, calls::aio_stub, Support::Full),
    (SYS_AIO_READ, calls::aio_stub, Support::Full),
    (SYS_AIO_WRITE, calls::aio_stub, Support::Full),
    (SYS_LIO_LISTIO, calls::aio_stub, Support::Full),
    (SYS_AIO_WAITCOMPLETE, calls::aio_stub, Support::Full),
    (SYS_SSTK, calls::sstk, Support::Full),
    (SYS___ACL_GET_FILE, calls::acl_get_file, Support::Full),
    (SYS___ACL_SET_FILE, calls::acl_set_file, Support::Full),
    (SYS___ACL_GET_FD, calls::acl_get_fd, Support::Full),
    (SYS___ACL_SET_FD, calls::acl_set_fd, Support::Full),
    (SYS___ACL_DELETE_FILE, calls::acl_delete_file, Support::Full),
    (SYS___ACL_DELETE_FD, calls::acl_delete_fd, Support::Full),
    (SYS___ACL_ACLCHECK_FILE, calls::acl_aclcheck_file, Support::Full),
    (SYS___ACL_ACLCHECK_FD, calls::acl_aclcheck_fd, Support::Full),
    (SYS_PROCCTL, calls::procctl, Support::Full),
    (SYS_UUIDGEN, calls::uuidgen, Support::Full),
    (SYS___REALPATH, calls::realpath, Support::Full),
    (SYS_LWP_SETAFFINITY, lwp::lwp_setaffinity, Support::Partial("threads of other processes are not addressable")),
    (SYS_LWP_GETAFFINITY, lwp::lwp_getaffinity, Support::Partial("threads of other processes are not addressable")),
    (SYS_SHMGET, sysv::shmget, Support::Partial("keys are cut to 32 bits (Linux's key_t)")),
    (SYS_SHMAT, sysv::shmat, Support::Full),
    (SYS_SHMDT, sysv::shmdt, Support::Full),
    (SYS_SHMCTL, sysv::shmctl, Support::Full),
    (SYS_SEMGET, sysv::semget, Support::Partial("keys are cut to 32 bits (Linux's key_t)")),
    (SYS_SEMOP, sysv::semop, Support::Full),
    (SYS___SEMCTL, sysv::semctl, Support::Partial("no SEM_STAT")),
    (SYS_MSGGET, sysv::msgget, Support::Partial("keys are cut to 32 bits (Linux's key_t)")),
    (SYS_MSGSND, sysv::msgsnd, Support::Full),
    (SYS_MSGRCV, sysv::msgrcv, Support::Full),
    (SYS_MSGCTL, sysv::msgctl, Support::Full),
    (SYS_EXTATTRCTL, calls::extattrctl, Support::Full),
    (SYS_EXTATTR_SET_FILE, calls::extattr_set_file, Support::Full),
    (SYS_EXTATTR_GET_FILE, calls::extattr_get_file, Support::Full),
    (SYS_EXTATTR_DELETE_FILE, calls::extattr_delete_file, Support::Full),
    (SYS_POLL, poll::poll, Support::Full),
    (SYS_PPOLL, poll::ppoll, Support::Full),
    (SYS_SELECT, poll::select, Support::Full),
    (SYS_PSELECT, poll::pselect, Support::Full),
    (
        SYS_SOCKET,
        socket::socket,
        Support::Partial(
            "AF_UNIX, AF_INET, AF_INET6, and PF_ROUTE (RTM_GET from the host's tables; change messages from rtnetlink; no route changes)",
        ),
    ),
    (SYS_SOCKETPAIR, socket::socketpair, Support::Full),
    (SYS_BIND, socket::bind, Support::Full),
    (SYS_CONNECT, socket::connect, Support::Full),
    (SYS_LISTEN, socket::listen, Support::Full),
    (SYS_ACCEPT, socket::accept, Support::Full),
    (SYS_ACCEPT4, socket::accept4, Support::Full),
    (SYS_GETSOCKNAME, socket::getsockname, Support::Full),
    (SYS_GETPEERNAME, socket::getpeername, Support::Full),
    (SYS_SHUTDOWN, socket::shutdown, Support::Full),
    (SYS_SETSOCKOPT, socket::setsockopt, Support::Partial("see os/dragonfly/sockopt.rs for the options not applied")),
    (SYS_GETSOCKOPT, socket::getsockopt, Support::Partial("see os/dragonfly/sockopt.rs for the options not applied")),
    (SYS_SENDTO, socket::sendto, Support::Full),
    (SYS_RECVFROM, socket::recvfrom, Support::Full),
    (SYS_SENDMSG, socket::sendmsg, Support::Partial("SCM_CREDS is refused")),
    (SYS_RECVMSG, socket::recvmsg, Support::Full),
    (SYS_SENDFILE, socket::sendfile, Support::Partial("flags must be 0")),
];

/// Reasons for DragonFly calls godfly does not implement. Calls missing
/// from both lists are "not implemented yet" (ENOSYS with a diagnostic).
pub const UNSUPPORTED: &[(u32, &str)] = &[
    (SYS_MOUNT, "mounting is not available to a user-mode layer"),
    (SYS_UNMOUNT, "mounting is not available to a user-mode layer"),
    (SYS_KTRACE, "use `godfly trace` instead"),
    (SYS_ACCT, "process accounting needs the host's kernel"),
    (SYS_REBOOT, "not available to a user-mode layer"),
    (SYS_SWAPON, "not available to a user-mode layer"),
    (SYS_SWAPOFF, "not available to a user-mode layer"),
    (SYS_JAIL, "no jails on a Linux host"),
    (SYS_JAIL_ATTACH, "no jails on a Linux host"),
    (SYS_CHROOT_KERNEL, "kernel chroot has no Linux counterpart"),
    (SYS_MODNEXT, "DragonFly kernel modules do not exist here"),
    (SYS_MODSTAT, "DragonFly kernel modules do not exist here"),
    (SYS_MODFNEXT, "DragonFly kernel modules do not exist here"),
    (SYS_MODFIND, "DragonFly kernel modules do not exist here"),
    (SYS_KLDLOAD, "DragonFly kernel modules do not exist here"),
    (SYS_KLDUNLOAD, "DragonFly kernel modules do not exist here"),
    (SYS_KLDFIND, "DragonFly kernel modules do not exist here"),
    (SYS_KLDNEXT, "DragonFly kernel modules do not exist here"),
    (SYS_KLDSTAT, "DragonFly kernel modules do not exist here"),
    (SYS_KLDFIRSTMOD, "DragonFly kernel modules do not exist here"),
    (SYS_KLDSYM, "DragonFly kernel modules do not exist here"),
    (SYS_SYS_CHECKPOINT, "process checkpointing is DragonFly-only"),
    (SYS_VMSPACE_CREATE, "vkernel vmspaces are DragonFly-only"),
    (SYS_VMSPACE_DESTROY, "vkernel vmspaces are DragonFly-only"),
    (SYS_VMSPACE_CTL, "vkernel vmspaces are DragonFly-only"),
    (SYS_VMSPACE_MMAP, "vkernel vmspaces are DragonFly-only"),
    (SYS_VMSPACE_MUNMAP, "vkernel vmspaces are DragonFly-only"),
    (SYS_VMSPACE_MCONTROL, "vkernel vmspaces are DragonFly-only"),
    (SYS_VMSPACE_PREAD, "vkernel vmspaces are DragonFly-only"),
    (SYS_VMSPACE_PWRITE, "vkernel vmspaces are DragonFly-only"),
    (SYS_VMM_GUEST_CTL, "vkernel guests are DragonFly-only"),
    (SYS_VMM_GUEST_SYNC_ADDR, "vkernel guests are DragonFly-only"),
    (SYS_EXEC_SYS_REGISTER, "DragonFly-only exec hooks"),
    (SYS_EXEC_SYS_UNREGISTER, "DragonFly-only exec hooks"),
    (SYS_VARSYM_SET, "variant symlinks are DragonFly-only"),
    (SYS_VARSYM_GET, "variant symlinks are DragonFly-only"),
    (SYS_VARSYM_LIST, "variant symlinks are DragonFly-only"),
    (SYS_UNDELETE, "whiteouts are not supported by Linux filesystems"),
    (SYS_NFSSVC, "not implemented by DragonFly either"),
    (SYS_QUOTACTL, "quotas need the host's kernel"),
    (SYS_VQUOTACTL, "quotas need the host's kernel"),
    (SYS_MOUNTCTL, "mounting is not available to a user-mode layer"),
    (SYS_SETTIMEOFDAY, "setting the clock is left to the host"),
    (SYS_ADJTIME, "setting the clock is left to the host"),
    (SYS_CLOCK_SETTIME, "setting the clock is left to the host"),
    (SYS_NTP_ADJTIME, "setting the clock is left to the host"),
    (SYS_PROFIL, "profil(2) has no Linux counterpart"),
    (SYS_BREAK, "the data segment break is not kept: programs map memory with mmap (DragonFly's libc malloc does)"),
    (SYS_SBRK, "the data segment break is not kept: programs map memory with mmap (DragonFly's libc malloc does)"),
    (SYS_EXTACCEPT, "libc's accept and accept4 use their own calls, which godfly has"),
    (SYS_EXTCONNECT, "libc's connect uses its own call, which godfly has"),
    (SYS_GETFH, "NFS file handles: Linux's have another form and open_by_handle_at needs CAP_DAC_READ_SEARCH"),
    (SYS_FHOPEN, "NFS file handles: Linux's have another form and open_by_handle_at needs CAP_DAC_READ_SEARCH"),
    (SYS_FHSTAT, "NFS file handles: Linux's have another form and open_by_handle_at needs CAP_DAC_READ_SEARCH"),
    (SYS_FHSTATFS, "NFS file handles: Linux's have another form and open_by_handle_at needs CAP_DAC_READ_SEARCH"),
    (SYS_FHSTATVFS, "NFS file handles: Linux's have another form and open_by_handle_at needs CAP_DAC_READ_SEARCH"),
    (SYS_GETCPUCLOCKID, "per-thread CPU clock ids of DragonFly's encoding are not given out yet"),
    (
        SYS_IOPRIO_GET,
        "DragonFly's I/O priorities (0..10, for its dsched) have no counterpart in Linux's class and level",
    ),
    (
        SYS_IOPRIO_SET,
        "DragonFly's I/O priorities (0..10, for its dsched) have no counterpart in Linux's class and level",
    ),
    (SYS_KENV, "the loader's kernel environment does not exist on a Linux host"),
    (SYS_RTPRIO, "DragonFly's rtprio classes are not mapped to Linux policies; sched_* are"),
    (SYS_LWP_RTPRIO, "DragonFly's rtprio classes are not mapped to Linux policies; sched_* are"),
    (SYS_USCHED_SET, "DragonFly's user scheduler control; lwp_setaffinity sets CPUs"),
    (SYS_MCONTROL, "mcontrol's MADV_INVAL/MADV_SETMAP serve DragonFly's vkernel"),
    (
        SYS_MINHERIT,
        "Linux can keep a range from a child (MADV_DONTFORK) but cannot make private memory shared across fork",
    ),
    (
        SYS_MQ_OPEN,
        "POSIX message queues: DragonFly's defaults and limits (32 messages, up to 512) exceed what Linux gives an unprivileged process (fs.mqueue.msg_max, 10), and its names are a flat kernel namespace",
    ),
    (
        SYS_MQ_CLOSE,
        "POSIX message queues: DragonFly's defaults and limits (32 messages, up to 512) exceed what Linux gives an unprivileged process (fs.mqueue.msg_max, 10), and its names are a flat kernel namespace",
    ),
    (
        SYS_MQ_UNLINK,
        "POSIX message queues: DragonFly's defaults and limits (32 messages, up to 512) exceed what Linux gives an unprivileged process (fs.mqueue.msg_max, 10), and its names are a flat kernel namespace",
    ),
    (
        SYS_MQ_GETATTR,
        "POSIX message queues: DragonFly's defaults and limits (32 messages, up to 512) exceed what Linux gives an unprivileged process (fs.mqueue.msg_max, 10), and its names are a flat kernel namespace",
    ),
    (
        SYS_MQ_SETATTR,
        "POSIX message queues: DragonFly's defaults and limits (32 messages, up to 512) exceed what Linux gives an unprivileged process (fs.mqueue.msg_max, 10), and its names are a flat kernel namespace",
    ),
    (
        SYS_MQ_NOTIFY,
        "POSIX message queues: DragonFly's defaults and limits (32 messages, up to 512) exceed what Linux gives an unprivileged process (fs.mqueue.msg_max, 10), and its names are a flat kernel namespace",
    ),
    (
        SYS_MQ_SEND,
        "POSIX message queues: DragonFly's defaults and limits (32 messages, up to 512) exceed what Linux gives an unprivileged process (fs.mqueue.msg_max, 10), and its names are a flat kernel namespace",
    ),
    (
        SYS_MQ_RECEIVE,
        "POSIX message queues: DragonFly's defaults and limits (32 messages, up to 512) exceed what Linux gives an unprivileged process (fs.mqueue.msg_max, 10), and its names are a flat kernel namespace",
    ),
    (
        SYS_MQ_TIMEDSEND,
        "POSIX message queues: DragonFly's defaults and limits (32 messages, up to 512) exceed what Linux gives an unprivileged process (fs.mqueue.msg_max, 10), and its names are a flat kernel namespace",
    ),
    (
        SYS_MQ_TIMEDRECEIVE,
        "POSIX message queues: DragonFly's defaults and limits (32 messages, up to 512) exceed what Linux gives an unprivileged process (fs.mqueue.msg_max, 10), and its names are a flat kernel namespace",
    ),
    (SYS_OPENBSD_POLL, "OpenBSD binary compatibility; poll is supported"),
    (SYS_RFORK, "rfork's sharing flags have no exact clone counterpart here; fork and vfork are supported"),
    (
        SYS_REVOKE,
        "Linux cannot take open descriptors away from a file (vhangup hangs up only the caller's own terminal)",
    ),
];

/// Calls whose EINTR never becomes a restart (their kernel code turns
/// ERESTART into EINTR: `kern_kevent`, `nanosleep1`, `kern_umtx`,
/// `kern_sigsuspend`, `kern_connect`, `kern_open`; getrandom returns EINTR
/// itself). sigwaitinfo is restarted like any call.
pub const NEVER_RESTART: &[u32] = &[
    SYS_UMTX_SLEEP,
    SYS_NANOSLEEP,
    SYS_KEVENT,
    SYS_SELECT,
    SYS_POLL,
    SYS_PPOLL,
    SYS_PSELECT,
    SYS_SIGSUSPEND,
    SYS_CONNECT,
    SYS_EXTCONNECT,
    SYS_OPEN,
    SYS_OPENAT,
    SYS_GETRANDOM,
];

/// sigtimedwait is never restarted with a timeout ("can not restart a
/// timeout wait", `kern_sigtimedwait`), and is without one.
pub const NEVER_RESTART_WITH: &[(u32, usize)] = &[(SYS_SIGTIMEDWAIT, 2)];

/// The handlers by number.
pub static TABLE: [Option<Binding>; SYS_MAXSYSCALL] = crate::personality::table_of(BINDINGS);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docs_syscalls_md_is_the_markdown_table() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/SYSCALLS.md");
        let doc = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            doc == crate::dispatch::render::render(&super::super::PERSONALITY, true),
            "docs/SYSCALLS.md is stale: run `cargo run -p godfly -- syscalls --markdown > docs/SYSCALLS.md`"
        );
    }

    #[test]
    fn every_binding_names_a_dragonfly_call() {
        for (nr, _, _) in BINDINGS {
            let def = &SYSCALLS[*nr as usize];
            assert!(def.kind.is_implemented(), "{} ({nr}) is not a DragonFly call", def.name);
        }
    }

    #[test]
    fn no_call_is_both_bound_and_unsupported() {
        for (nr, _) in UNSUPPORTED {
            assert!(TABLE[*nr as usize].is_none(), "{nr} is bound and listed unsupported");
        }
    }

    #[test]
    fn bindings_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for (nr, _, _) in BINDINGS {
            assert!(seen.insert(*nr), "{nr} bound twice");
        }
    }

    #[test]
    fn umtx_sleep_is_never_restarted() {
        assert!(NEVER_RESTART.contains(&SYS_UMTX_SLEEP));
        assert!(!NEVER_RESTART.contains(&SYS_READ));
        assert!(!NEVER_RESTART.contains(&SYS_SIGWAITINFO), "sigwaitinfo restarts on DragonFly");
        assert!(NEVER_RESTART_WITH.contains(&(SYS_SIGTIMEDWAIT, 2)));
    }
}
