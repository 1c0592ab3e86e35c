//! Which calls a trace shows: names, or classes of calls.

use godfly_abi::syscalls::{SYS_MAXSYSCALL, SYSCALLS};

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

impl Filter {
    /// Builds a filter from names and class names; empty means everything.
    pub fn parse(items: &[String]) -> Result<Filter, String> {
        if items.is_empty() {
            return Ok(Filter { allow: None });
        }
        let mut allow = vec![false; SYS_MAXSYSCALL];
        for item in items {
            let names: Vec<&str> = match CLASSES.iter().find(|c| c.0 == item) {
                Some(c) => c.1.to_vec(),
                None => vec![item.as_str()],
            };
            for n in names {
                let def = SYSCALLS.iter().find(|d| d.name == n && d.kind.is_implemented()).ok_or_else(|| {
                    format!("unknown call or class {n:?} (classes: file, process, network, memory, signal)")
                })?;
                allow[def.nr as usize] = true;
            }
        }
        Ok(Filter { allow: Some(allow) })
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

    #[test]
    fn classes_and_names_select_calls() {
        let f = Filter::parse(&["network".into(), "write".into()]).unwrap();
        assert!(f.matches(97)); // socket
        assert!(f.matches(4)); // write
        assert!(!f.matches(3)); // read
        assert!(Filter::parse(&[]).unwrap().matches(3));
        assert!(Filter::parse(&["nonesuch".into()]).is_err());
    }

    #[test]
    fn every_class_member_is_a_dragonfly_call() {
        for (class, names) in CLASSES {
            for n in *names {
                assert!(SYSCALLS.iter().any(|d| d.name == *n && d.kind.is_implemented()), "{class}: {n}");
            }
        }
    }
}
