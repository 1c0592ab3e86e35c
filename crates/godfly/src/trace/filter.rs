//! Which calls a trace shows: names, or classes of calls.

use godfly_abi::sysdef::SyscallDef;

/// Call classes and their members.
pub const CLASSES: &[(&str, &[&str])] = &[
    (
        "file",
        &[
            "open",
            "openat",
            "close",
            "read",
            "write",
            "readv",
            "writev",
            "extpread",
            "extpwrite",
            "extpreadv",
            "extpwritev",
            "lseek",
            "fsync",
            "stat",
            "fstat",
            "lstat",
            "fstatat",
            "getdirentries",
            "getdents",
            "statfs",
            "fstatfs",
            "getfsstat",
            "mkdir",
            "mkdirat",
            "unlink",
            "unlinkat",
            "rmdir",
            "rename",
            "renameat",
            "link",
            "linkat",
            "symlink",
            "symlinkat",
            "readlink",
            "readlinkat",
            "chmod",
            "fchmod",
            "fchmodat",
            "lchmod",
            "chown",
            "fchown",
            "fchownat",
            "lchown",
            "access",
            "eaccess",
            "faccessat",
            "truncate",
            "ftruncate",
            "utimes",
            "futimes",
            "lutimes",
            "utimensat",
            "futimens",
            "mkfifo",
            "mkfifoat",
            "mknod",
            "mknodat",
            "umask",
            "chdir",
            "fchdir",
            "__getcwd",
            "dup",
            "dup2",
            "fcntl",
            "pipe",
            "pipe2",
            "closefrom",
            "flock",
            "ioctl",
        ],
    ),
    (
        "process",
        &[
            "fork",
            "vfork",
            "execve",
            "exit",
            "extexit",
            "wait4",
            "wait6",
            "getpid",
            "getppid",
            "lwp_create",
            "lwp_create2",
            "lwp_gettid",
            "lwp_kill",
            "kill",
            "setsid",
            "setpgid",
            "getpgrp",
            "getpgid",
            "getsid",
            "setuid",
            "setgid",
            "seteuid",
            "setegid",
            "getuid",
            "geteuid",
            "getgid",
            "getegid",
            "issetugid",
            "getrlimit",
            "setrlimit",
            "getrusage",
            "set_tls_area",
            "get_tls_area",
            "umtx_sleep",
            "umtx_wakeup",
            "ptrace",
            "chroot",
        ],
    ),
    (
        "network",
        &[
            "socket",
            "socketpair",
            "bind",
            "connect",
            "listen",
            "accept",
            "accept4",
            "getsockname",
            "getpeername",
            "shutdown",
            "setsockopt",
            "getsockopt",
            "sendto",
            "recvfrom",
            "sendmsg",
            "recvmsg",
            "sendfile",
            "kqueue",
            "kevent",
        ],
    ),
    ("memory", &["mmap", "munmap", "mprotect", "madvise", "msync", "mlock", "munlock", "mincore"]),
    (
        "signal",
        &[
            "sigaction",
            "sigprocmask",
            "sigaltstack",
            "sigpending",
            "sigreturn",
            "sigsuspend",
            "kill",
            "lwp_kill",
            "setitimer",
            "getitimer",
        ],
    ),
];

/// A set of call numbers.
#[derive(Debug, Clone)]
pub struct Filter {
    allow: Option<Vec<bool>>,
}

fn known(defs: &[SyscallDef], name: &str) -> Option<u32> {
    defs.iter().find(|d| d.name == name && d.kind.is_implemented()).map(|d| d.nr)
}

/// Checks that every item is a class or a call of at least one of the
/// guest systems (before the program, and so its system, is known).
pub fn check(items: &[String], tables: &[&[SyscallDef]]) -> Result<(), String> {
    for item in items {
        if CLASSES.iter().any(|c| c.0 == item) || tables.iter().any(|defs| known(defs, item).is_some()) {
            continue;
        }
        return Err(format!("unknown call or class {item:?} (classes: file, process, network, memory, signal)"));
    }
    Ok(())
}

impl Filter {
    /// Builds a filter from names and class names over one system's
    /// calls; empty means everything. A class member the system does not
    /// have is left out; a named call it does not have matches nothing.
    pub fn parse(items: &[String], defs: &[SyscallDef]) -> Filter {
        if items.is_empty() {
            return Filter { allow: None };
        }
        let mut allow = vec![false; defs.len()];
        for item in items {
            let names: Vec<&str> = match CLASSES.iter().find(|c| c.0 == item) {
                Some(c) => c.1.to_vec(),
                None => vec![item.as_str()],
            };
            for n in names {
                if let Some(nr) = known(defs, n) {
                    allow[nr as usize] = true;
                }
            }
        }
        Filter { allow: Some(allow) }
    }

    /// Whether call `nr` passes.
    pub fn matches(&self, nr: u64) -> bool {
        match &self.allow {
            None => true,
            Some(a) => usize::try_from(nr).ok().and_then(|n| a.get(n).copied()).unwrap_or(false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use godfly_abi::dragonfly::syscalls::SYSCALLS;

    #[test]
    fn classes_and_names_select_calls() {
        let f = Filter::parse(&["network".into(), "write".into()], &SYSCALLS);
        assert!(f.matches(97)); // socket
        assert!(f.matches(4)); // write
        assert!(!f.matches(3)); // read
        assert!(Filter::parse(&[], &SYSCALLS).matches(3));
        assert!(check(&["nonesuch".into()], &[&SYSCALLS]).is_err());
        assert!(check(&["file".into(), "lwp_create".into()], &[&SYSCALLS]).is_ok());
    }

    #[test]
    fn every_class_member_is_a_call_of_some_guest_system() {
        let tables: [&[SyscallDef]; 2] =
            [&godfly_abi::dragonfly::syscalls::SYSCALLS, &godfly_abi::freebsd::syscalls::SYSCALLS];
        for (class, names) in CLASSES {
            for n in *names {
                assert!(tables.iter().any(|t| known(t, n).is_some()), "{class}: {n}");
            }
        }
    }
}
