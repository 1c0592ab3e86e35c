//! The error numbers godfly speaks inside: Linux's, as the host returns
//! them, plus the few BSD errors Linux has no number for (from `BSD_BASE`
//! up). Everything below the result writer uses these; the personality
//! turns one into the guest's number exactly once, where a result is
//! written (`dispatch::apply`, or a field the guest reads such as
//! `SO_ERROR` or a kevent's `EV_ERROR` data).

use std::num::NonZeroU16;

/// A host (Linux) errno, or a BSD-only one from `BSD_BASE` up.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Errno(NonZeroU16);

/// Where the numbers of BSD-only errors start (Linux's stop below 200).
pub const BSD_BASE: u16 = 0x1000;

impl Errno {
    /// Builds an errno in a constant; panics at compile time on zero.
    pub const fn new(n: u16) -> Errno {
        match NonZeroU16::new(n) {
            Some(v) => Errno(v),
            None => panic!("errno 0"),
        }
    }

    /// The number (Linux's, or `BSD_BASE` + n).
    pub const fn get(self) -> u16 {
        self.0.get()
    }

    /// A Linux errno as the kernel or libc gave it; out-of-range values
    /// (never produced by Linux) become EINVAL.
    pub fn from_linux(n: i32) -> Errno {
        u16::try_from(n).ok().filter(|&v| v != 0 && v < BSD_BASE).map_or(EINVAL, Errno::new)
    }

    /// The errno of the last failed libc call on this thread.
    pub fn last() -> Errno {
        Errno::from_linux(std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EINVAL))
    }

    /// The errno of a host `io::Error` (EIO for one without a number).
    pub fn from_io(err: &std::io::Error) -> Errno {
        Errno::from_linux(err.raw_os_error().unwrap_or(libc::EIO))
    }

    /// Whether this is one of the BSD-only errors.
    pub fn is_bsd_only(self) -> bool {
        self.get() >= BSD_BASE
    }

    /// The host's description, for godfly's own messages.
    pub fn message(self) -> String {
        if self.is_bsd_only() {
            return BSD_ONLY.iter().find(|e| e.0 == self).map_or("BSD error", |e| e.1).to_string();
        }
        let s = std::io::Error::from_raw_os_error(i32::from(self.get())).to_string();
        // "No such file or directory (os error 2)" -> the text only.
        s.split(" (os error").next().unwrap_or(&s).to_string()
    }
}

impl std::fmt::Debug for Errno {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Errno({})", self.get())
    }
}

impl std::fmt::Display for Errno {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

macro_rules! linux_errnos {
    ($($name:ident),* $(,)?) => {
        $(
            #[doc = concat!("Linux `", stringify!($name), "`.")]
            pub const $name: Errno = Errno::new(libc::$name as u16);
        )*
    };
}

linux_errnos!(
    EPERM,
    ENOENT,
    ESRCH,
    EINTR,
    EIO,
    ENXIO,
    E2BIG,
    ENOEXEC,
    EBADF,
    ECHILD,
    EAGAIN,
    ENOMEM,
    EACCES,
    EFAULT,
    ENOTBLK,
    EBUSY,
    EEXIST,
    EXDEV,
    ENODEV,
    ENOTDIR,
    EISDIR,
    EINVAL,
    ENFILE,
    EMFILE,
    ENOTTY,
    ETXTBSY,
    EFBIG,
    ENOSPC,
    ESPIPE,
    EROFS,
    EMLINK,
    EPIPE,
    EDOM,
    ERANGE,
    EDEADLK,
    ENAMETOOLONG,
    ENOLCK,
    ENOSYS,
    ENOTEMPTY,
    ELOOP,
    ENOMSG,
    EIDRM,
    ENOSTR,
    ENODATA,
    ETIME,
    ENOSR,
    ENOLINK,
    EPROTO,
    EMULTIHOP,
    EBADMSG,
    EOVERFLOW,
    EILSEQ,
    EUSERS,
    ENOTSOCK,
    EDESTADDRREQ,
    EMSGSIZE,
    EPROTOTYPE,
    ENOPROTOOPT,
    EPROTONOSUPPORT,
    ESOCKTNOSUPPORT,
    EOPNOTSUPP,
    EPFNOSUPPORT,
    EAFNOSUPPORT,
    EADDRINUSE,
    EADDRNOTAVAIL,
    ENETDOWN,
    ENETUNREACH,
    ENETRESET,
    ECONNABORTED,
    ECONNRESET,
    ENOBUFS,
    EISCONN,
    ENOTCONN,
    ESHUTDOWN,
    ETOOMANYREFS,
    ETIMEDOUT,
    ECONNREFUSED,
    EHOSTDOWN,
    EHOSTUNREACH,
    EALREADY,
    EINPROGRESS,
    ESTALE,
    EDQUOT,
    ECANCELED,
    EOWNERDEAD,
    ENOTRECOVERABLE,
    ENOMEDIUM,
    EREMOTE,
);

/// Alias of EAGAIN, as on every system godfly knows.
pub const EWOULDBLOCK: Errno = EAGAIN;

/// BSD's "inappropriate file type or format".
pub const EFTYPE: Errno = Errno::new(BSD_BASE + 1);
/// BSD's "authentication error".
pub const EAUTH: Errno = Errno::new(BSD_BASE + 2);
/// BSD's "need authenticator".
pub const ENEEDAUTH: Errno = Errno::new(BSD_BASE + 3);
/// BSD's "too many processes".
pub const EPROCLIM: Errno = Errno::new(BSD_BASE + 4);
/// BSD's "programming error".
pub const EDOOFUS: Errno = Errno::new(BSD_BASE + 5);
/// FreeBSD's "capabilities insufficient".
pub const ENOTCAPABLE: Errno = Errno::new(BSD_BASE + 6);
/// FreeBSD's "not permitted in capability mode".
pub const ECAPMODE: Errno = Errno::new(BSD_BASE + 7);
/// FreeBSD's "integrity check failed".
pub const EINTEGRITY: Errno = Errno::new(BSD_BASE + 8);

/// The BSD-only errors by name, for the personalities' tables.
pub const BSD_ONLY: &[(Errno, &str)] = &[
    (EFTYPE, "EFTYPE"),
    (EAUTH, "EAUTH"),
    (ENEEDAUTH, "ENEEDAUTH"),
    (EPROCLIM, "EPROCLIM"),
    (EDOOFUS, "EDOOFUS"),
    (ENOTCAPABLE, "ENOTCAPABLE"),
    (ECAPMODE, "ECAPMODE"),
    (EINTEGRITY, "EINTEGRITY"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linux_numbers_are_kept_and_bsd_only_ones_sit_above_them() {
        assert_eq!(EAGAIN.get(), 11);
        assert_eq!(ENOSYS.get(), 38);
        assert_eq!(Errno::from_linux(2), ENOENT);
        assert_eq!(Errno::from_linux(0), EINVAL);
        assert_eq!(Errno::from_linux(-5), EINVAL);
        assert!(EFTYPE.is_bsd_only() && !ENOENT.is_bsd_only());
        assert_eq!(ENOENT.message(), "No such file or directory");
    }
}
