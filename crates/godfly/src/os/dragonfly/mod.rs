//! DragonFly BSD: the personality, and everything godfly knows only of
//! DragonFly. Its numbers and layouts come from `godfly_abi::dragonfly`;
//! the calls it alone has (LWPs, `umtx`, `sysctl`, `set_tls_area`, the
//! `extp*` family) live here, the rest are the shared handlers of `sys`.

pub mod brand;
pub mod calls;
pub mod cmsg;
pub mod dirent;
pub mod errno;
pub mod fault;
pub mod fcntl;
pub mod ioctl;
pub mod kevent;
pub mod kinfo;
pub mod lwp;
pub mod mmap;
pub mod oflags;
pub mod pathconf;
pub mod poll;
pub mod resource;
pub mod route;
pub mod sched;
pub mod sigframe;
pub mod signo;
pub mod sockaddr;
pub mod sockopt;
pub mod stack;
pub mod stat;
pub mod statfs;
pub mod sysctl;
pub mod sysv;
pub mod table;
pub mod termios;
pub mod time;
pub mod trace;
pub mod umtx;
pub mod wait;

use godfly_abi::dragonfly::consts as d;
use godfly_abi::dragonfly::signal as s;
use godfly_abi::dragonfly::syscalls::{SYS___SYSCALL, SYS_EXIT, SYS_EXTEXIT, SYS_SYSCALL, SYSCALLS};

use crate::personality::{
    Calls, Empty, Errnos, Files, Frames, Image, Kqueue, Limits, Memory, Net, Personality, Procs, SigFlags, SigNums,
    Signals, Time,
};

use crate::host::errno as herr;
use godfly_abi::dragonfly as abi;
use godfly_abi::dragonfly::VM_MAX_USER_ADDRESS;

/// DragonFly BSD x86-64.
pub static PERSONALITY: Personality = Personality {
    name: "DragonFly",
    goos: "dragonfly",
    brand: brand::brand,
    calls: Calls {
        defs: &SYSCALLS,
        table: &table::TABLE,
        unsupported: table::UNSUPPORTED,
        indirect: &[SYS_SYSCALL, SYS___SYSCALL],
        never_restart: table::NEVER_RESTART,
        never_restart_with: table::NEVER_RESTART_WITH,
        no_return: &[SYS_EXIT, SYS_EXTEXIT],
        // sys_nosys: SIGSYS to the caller, and EINVAL.
        empty: Empty { signal: Some(s::SIGSYS), errno: crate::host::errno::EINVAL },
    },
    errno: Errnos { to_guest: errno::to_guest, table: godfly_abi::dragonfly::errno::ERRNO_TABLE },
    signals: Signals {
        max: 128,
        to_host: signo::to_linux,
        from_host: signo::from_linux,
        name: signo::name,
        default: signo::default_action,
        si_code_from_host: signo::si_code_from_linux,
        fault: fault::translate,
        si_code_name: fault::si_code_name,
        num: SigNums {
            hup: s::SIGHUP,
            ill: s::SIGILL,
            trap: s::SIGTRAP,
            fpe: s::SIGFPE,
            kill: s::SIGKILL,
            bus: s::SIGBUS,
            segv: s::SIGSEGV,
            sys: s::SIGSYS,
            stop: s::SIGSTOP,
            chld: s::SIGCHLD,
        },
        flags: SigFlags {
            onstack: d::SA_ONSTACK,
            restart: d::SA_RESTART,
            resethand: d::SA_RESETHAND,
            nodefer: d::SA_NODEFER,
            siginfo: d::SA_SIGINFO,
            all: d::SA_ONSTACK
                | d::SA_RESTART
                | d::SA_RESETHAND
                | d::SA_NOCLDSTOP
                | d::SA_NODEFER
                | d::SA_NOCLDWAIT
                | d::SA_SIGINFO,
            ss_disable: d::SS_DISABLE,
            ss_onstack: d::SS_ONSTACK,
            minsigstksz: d::MINSIGSTKSZ as u64,
            block: d::SIG_BLOCK,
            unblock: d::SIG_UNBLOCK,
            setmask: d::SIG_SETMASK,
            si_user: d::SI_USER,
        },
    },
    frames: Frames { deliver: sigframe::deliver, sigreturn: sigframe::sigreturn },
    image: Image {
        usrstack: stack::USRSTACK,
        stack_size: stack::STACK_SIZE,
        max_user_address: VM_MAX_USER_ADDRESS,
        build_stack: stack::build,
        sigcode: &sigframe::SIGCODE,
        arg_max: sysctl::ARG_MAX as usize,
    },
    files: Files {
        open_flags: oflags::open_flags,
        status_flags: oflags::from_linux,
        at_fdcwd: oflags::AT_FDCWD,
        at_flags: oflags::at_flags,
        fcntl: fcntl::command,
        read_flock: fcntl::read_flock,
        write_flock: fcntl::write_flock,
        write_stat: stat::write_stat,
        dev_to_host: stat::dev_to_host,
        push_dirent: dirent::push,
        write_statfs: statfs::write_statfs,
        statfs_size: std::mem::size_of::<godfly_abi::dragonfly::layout::Statfs>(),
        // UTIME_NOW and UTIME_OMIT.
        utime_now: -1,
        utime_omit: -2,
        poll_to_host: poll::events_to_linux,
        poll_from_host: poll::events_from_linux,
        ioctl: ioctl::decode,
        termios_len: termios::TERMIOS_LEN,
        termios_from_host: |t| termios::from_linux(t).to_vec(),
        termios_to_host: termios::to_linux,
    },
    memory: Memory {
        map_flags: mmap::flags_to_linux,
        prot: mmap::prot_to_linux,
        advice: mmap::advice_to_linux,
        msync: mmap::msync_to_linux,
    },
    net: Net {
        family_to_host: sockaddr::family_to_linux,
        socket_type: sockaddr::type_to_linux,
        v6only_fixed: true,
        route_family: d::PF_ROUTE,
        route_output: route::output,
        route_changes: route::changes,
        accept_flags: sockaddr::accept_flags_to_linux,
        sockaddr_to_host: sockaddr::to_linux,
        sockaddr_from_host: sockaddr::from_linux,
        sockopt: sockopt::to_linux,
        msg_flags_to_host: sockopt::msg_flags_to_linux,
        msg_flags_from_host: sockopt::msg_flags_from_linux,
        cmsg_to_host: cmsg::to_linux,
        cmsg_from_host: cmsg::from_linux,
    },
    procs: Procs {
        rlimit: resource::to_linux,
        rlim_to_host: resource::value_to_linux,
        rlim_from_host: resource::value_from_linux,
        wait4_options: wait::wait4_options_to_linux,
        wait6_options: wait::wait6_options_to_linux,
        idtype: wait::idtype_to_linux,
        wait_status: wait::status_from_linux,
        wait_status_siginfo: wait::status_from_siginfo,
    },
    kqueue: Kqueue { filter: kevent::filter, read_changes: kevent::read_changes, write_events: kevent::write_events },
    time: Time { clock: time::clock_to_linux },
    limits: Limits {
        iov_max: abi::IOV_MAX as u32,
        iov_too_many: herr::EMSGSIZE,
        sockaddr_max: abi::SOCK_MAXADDRLEN,
        sockaddr_too_long: herr::ENAMETOOLONG,
        sockaddr_min: 2,
        sockaddr_too_short: herr::EDOM,
        control_len: (12, abi::MLEN),
        sockopt_max: abi::SOMAXOPT_SIZE,
        sockopt_max_root: abi::SOMAXOPT_SIZE0,
        ngroups: abi::NGROUPS,
        kevent_chunk: abi::KQ_NEVENTS,
    },
    trace: trace::NAMES,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::personality::ArgKind as Kind;
    use crate::trace::decode::{number, open_flags};

    fn chosen() {
        crate::personality::set(&PERSONALITY);
    }

    #[test]
    fn open_flags_read_like_truss() {
        chosen();
        assert_eq!(open_flags(0), "O_RDONLY");
        assert_eq!(open_flags(i64::from(d::O_RDONLY | d::O_CLOEXEC)), "O_RDONLY|O_CLOEXEC");
        assert_eq!(open_flags(i64::from(d::O_RDWR | d::O_CREAT | d::O_TRUNC)), "O_RDWR|O_CREAT|O_TRUNC");
    }

    #[test]
    fn constants_and_flags_by_kind() {
        chosen();
        assert_eq!(number(Kind::AtFd, 0xFFFA_FDCD), "AT_FDCWD");
        assert_eq!(number(Kind::Prot, 3), "PROT_READ|PROT_WRITE");
        assert_eq!(number(Kind::Prot, 0), "PROT_NONE");
        assert_eq!(number(Kind::MapFlags, 0x1002), "MAP_PRIVATE|MAP_ANON");
        assert_eq!(number(Kind::Signal, 16), "SIGURG");
        assert_eq!(number(Kind::Clock, 4), "CLOCK_MONOTONIC");
        assert_eq!(number(Kind::FcntlCmd, 3), "F_GETFL");
        assert_eq!(number(Kind::SockType, 0x3000_0001), "SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK");
        assert_eq!(number(Kind::Int, 0xffff_ffff), "-1");
        assert_eq!(number(Kind::Mode, 0o644), "0644");
    }

    #[test]
    fn errors_read_like_truss() {
        chosen();
        let r: crate::call::SysResult = Err(crate::host::errno::ENOENT);
        assert_eq!(crate::trace::format::result(&r), "ERR#2 'No such file or directory'");
        assert_eq!(crate::trace::format::result(&Ok(crate::call::Ret::One(6))), "6 (0x6)");
    }

    #[test]
    fn altstack_range_is_exclusive_at_the_bottom() {
        use crate::signal::deliver::on_altstack;
        use godfly_abi::bsd::StackT;
        chosen();
        let ss = StackT { ss_sp: 0x1000, ss_size: 0x2000, ss_flags: 0, pad: 0 };
        assert!(on_altstack(&ss, 0x3000));
        assert!(on_altstack(&ss, 0x1001));
        assert!(!on_altstack(&ss, 0x1000));
        let off = StackT { ss_flags: d::SS_DISABLE, ..ss };
        assert!(!on_altstack(&off, 0x2000));
    }

    #[test]
    fn the_image_sits_where_dragonfly_puts_it() {
        assert_eq!(PERSONALITY.image.usrstack, VM_MAX_USER_ADDRESS);
        assert_eq!(PERSONALITY.calls.defs.len(), godfly_abi::dragonfly::syscalls::SYS_MAXSYSCALL);
        assert_eq!(PERSONALITY.calls.table.len(), PERSONALITY.calls.defs.len());
    }
}
