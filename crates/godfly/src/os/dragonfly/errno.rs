//! Host errno to DragonFly errno, the translation the result writer makes
//! once. Same-named errnos map through the generated table; Linux errnos
//! with no DragonFly name map to the closest meaning (marked lossy); the
//! BSD-only errors godfly names itself map to DragonFly's numbers.

use godfly_abi::dragonfly::errno::{self as e, ERRNO_TABLE};

use crate::host::Errno;

/// Linux errnos without a DragonFly counterpart of the same name.
const LOSSY: &[(i32, u16)] = &[
    (libc::ENOTBLK, e::ENOTBLK),
    (libc::ECHRNG, e::ERANGE),          // lossy: channel number out of range
    (libc::EL2NSYNC, e::EIO),           // lossy
    (libc::EL3HLT, e::EIO),             // lossy
    (libc::EL3RST, e::EIO),             // lossy
    (libc::ELNRNG, e::ERANGE),          // lossy
    (libc::EUNATCH, e::EIO),            // lossy
    (libc::ENOCSI, e::EIO),             // lossy
    (libc::EL2HLT, e::EIO),             // lossy
    (libc::EBADE, e::EINVAL),           // lossy
    (libc::EBADR, e::EINVAL),           // lossy
    (libc::EXFULL, e::ENOSPC),          // lossy
    (libc::ENOANO, e::EINVAL),          // lossy
    (libc::EBADRQC, e::EINVAL),         // lossy
    (libc::EBADSLT, e::EINVAL),         // lossy
    (libc::EBFONT, e::EFTYPE),          // lossy
    (libc::ENOSTR, e::EINVAL),          // lossy: no STREAMS on DragonFly
    (libc::ENODATA, e::ENOATTR),        // Linux uses ENODATA for a missing xattr
    (libc::ETIME, e::ETIMEDOUT),        // lossy
    (libc::ENOSR, e::ENOBUFS),          // lossy
    (libc::ENONET, e::EHOSTDOWN),       // lossy
    (libc::ENOPKG, e::ENOSYS),          // lossy
    (libc::EADV, e::EIO),               // lossy
    (libc::ESRMNT, e::EIO),             // lossy
    (libc::ECOMM, e::EIO),              // lossy
    (libc::EDOTDOT, e::EIO),            // lossy
    (libc::ENOTUNIQ, e::EINVAL),        // lossy
    (libc::EBADFD, e::EBADF),           // lossy
    (libc::EREMCHG, e::EADDRNOTAVAIL),  // lossy
    (libc::ELIBACC, e::ENOEXEC),        // lossy
    (libc::ELIBBAD, e::ENOEXEC),        // lossy
    (libc::ELIBSCN, e::ENOEXEC),        // lossy
    (libc::ELIBMAX, e::ENOEXEC),        // lossy
    (libc::ELIBEXEC, e::ENOEXEC),       // lossy
    (libc::ERESTART, e::EINTR),         // lossy: never reaches user space on Linux
    (libc::ESTRPIPE, e::EPIPE),         // lossy
    (libc::EUCLEAN, e::EIO),            // lossy
    (libc::ENOTNAM, e::EINVAL),         // lossy
    (libc::ENAVAIL, e::EINVAL),         // lossy
    (libc::EISNAM, e::EINVAL),          // lossy
    (libc::EREMOTEIO, e::EIO),          // lossy
    (libc::EMEDIUMTYPE, e::ENOMEDIUM),  // lossy
    (libc::ENOKEY, e::ENOATTR),         // lossy
    (libc::EKEYEXPIRED, e::EAUTH),      // lossy
    (libc::EKEYREVOKED, e::EAUTH),      // lossy
    (libc::EKEYREJECTED, e::EAUTH),     // lossy
    (libc::EOWNERDEAD, e::EINVAL),      // lossy: no robust mutexes in the kernel ABI
    (libc::ENOTRECOVERABLE, e::EINVAL), // lossy
    (libc::ERFKILL, e::ENETDOWN),       // lossy
    (libc::EHWPOISON, e::EIO),          // lossy
];

/// The BSD-only errors, by the names godfly gives them.
const BSD_ONLY: &[(Errno, u16)] = &[
    (crate::host::errno::EFTYPE, e::EFTYPE),
    (crate::host::errno::EAUTH, e::EAUTH),
    (crate::host::errno::ENEEDAUTH, e::ENEEDAUTH),
    (crate::host::errno::EPROCLIM, e::EPROCLIM),
    (crate::host::errno::EDOOFUS, e::EDOOFUS),
    // FreeBSD's capability errors have no DragonFly number.
    (crate::host::errno::ENOTCAPABLE, e::EPERM),
    (crate::host::errno::ECAPMODE, e::EPERM),
    (crate::host::errno::EINTEGRITY, e::EIO),
];

/// Translates a Linux errno (positive) to DragonFly's number for it.
pub fn from_linux(linux: i32) -> u16 {
    if let Ok(l) = u16::try_from(linux)
        && let Some(row) = ERRNO_TABLE.iter().find(|r| r.3 == Some(l))
    {
        return row.0;
    }
    LOSSY.iter().find(|r| r.0 == linux).map_or(e::EINVAL, |r| r.1)
}

/// DragonFly's number for a host errno (the personality's `to_guest`).
pub fn to_guest(err: Errno) -> u16 {
    if err.is_bsd_only() {
        return BSD_ONLY.iter().find(|r| r.0 == err).map_or(e::EINVAL, |r| r.1);
    }
    from_linux(i32::from(err.get()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn low_numbers_are_identical_except_eagain() {
        // Linux 11 is EAGAIN; DragonFly 11 is EDEADLK and EAGAIN is 35.
        assert_eq!(from_linux(11), 35);
        assert_eq!(from_linux(libc::EDEADLK), 11);
        for n in (1..=34).filter(|&n| n != 11) {
            assert_eq!(i32::from(from_linux(n)), n, "errno {n}");
        }
    }

    #[test]
    fn numbers_that_differ_are_translated() {
        assert_eq!(from_linux(libc::EAGAIN), e::EAGAIN);
        assert_eq!(e::EAGAIN, 35);
        assert_eq!(from_linux(libc::ENOSYS), 78);
        assert_eq!(from_linux(libc::ETIMEDOUT), 60);
        assert_eq!(from_linux(libc::ECONNREFUSED), 61);
        assert_eq!(from_linux(libc::ELOOP), 62);
        assert_eq!(from_linux(libc::ENOTEMPTY), 66);
        assert_eq!(from_linux(libc::EOPNOTSUPP), 45);
        assert_eq!(from_linux(libc::EINPROGRESS), 36);
        assert_eq!(from_linux(libc::EADDRINUSE), 48);
        assert_eq!(from_linux(libc::ENAMETOOLONG), 63);
        assert_eq!(from_linux(libc::EOVERFLOW), 84);
        assert_eq!(to_guest(crate::host::errno::EFTYPE), 79);
        assert_eq!(to_guest(crate::host::errno::EAGAIN), 35);
    }

    #[test]
    fn every_linux_errno_maps_somewhere_meaningful() {
        for n in 1..=133 {
            let d = from_linux(n);
            assert!((1..=e::ELAST).contains(&d), "linux errno {n}");
        }
        assert_eq!(from_linux(libc::ENODATA), e::ENOATTR);
    }
}
