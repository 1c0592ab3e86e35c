//! Host errno to FreeBSD errno. FreeBSD's 1..92 are DragonFly's (the
//! 4.4BSD numbering); above that FreeBSD has its capability and robust
//! mutex errors. Same-named errnos map through the generated table; Linux
//! errnos with no FreeBSD name map to the closest meaning.

use godfly_abi::freebsd::errno::{self as e, ERRNO_TABLE};

use crate::host::Errno;

/// Linux errnos without a FreeBSD counterpart of the same name: FreeBSD's
/// own robust-mutex errors, ENXIO for the medium errors DragonFly alone
/// names, and otherwise DragonFly's choice (the numbers below 93 are the
/// same on both).
fn lossy(linux: i32) -> u16 {
    match linux {
        libc::EOWNERDEAD => e::EOWNERDEAD,
        libc::ENOTRECOVERABLE => e::ENOTRECOVERABLE,
        libc::ENOMEDIUM | libc::EMEDIUMTYPE => e::ENXIO,
        _ => {
            let d = crate::os::dragonfly::errno::from_linux(linux);
            if d <= 92 { d } else { e::EINVAL }
        }
    }
}

/// The BSD-only errors, by the names godfly gives them.
const BSD_ONLY: &[(Errno, u16)] = &[
    (crate::host::errno::EFTYPE, e::EFTYPE),
    (crate::host::errno::EAUTH, e::EAUTH),
    (crate::host::errno::ENEEDAUTH, e::ENEEDAUTH),
    (crate::host::errno::EPROCLIM, e::EPROCLIM),
    (crate::host::errno::EDOOFUS, e::EDOOFUS),
    (crate::host::errno::ENOTCAPABLE, e::ENOTCAPABLE),
    (crate::host::errno::ECAPMODE, e::ECAPMODE),
    (crate::host::errno::EINTEGRITY, e::EINTEGRITY),
];

/// FreeBSD's number for a Linux errno (positive).
pub fn from_linux(linux: i32) -> u16 {
    if let Ok(l) = u16::try_from(linux)
        && let Some(row) = ERRNO_TABLE.iter().find(|r| r.3 == Some(l))
    {
        return row.0;
    }
    lossy(linux)
}

/// FreeBSD's number for a host errno (the personality's `to_guest`).
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
    fn freebsd_numbers_match_dragonfly_below_93_and_differ_above() {
        for n in 1..=133 {
            let f = from_linux(n);
            assert!((1..=e::ELAST).contains(&f), "linux errno {n} -> {f}");
            if crate::os::dragonfly::errno::from_linux(n) <= 92 && f <= 92 {
                assert_eq!(f, crate::os::dragonfly::errno::from_linux(n), "linux errno {n}");
            }
        }
        assert_eq!(from_linux(libc::EAGAIN), 35);
        assert_eq!(from_linux(libc::ENOSYS), 78);
        assert_eq!(from_linux(libc::ETIMEDOUT), 60);
        assert_eq!(from_linux(libc::EOWNERDEAD), 96);
        assert_eq!(to_guest(crate::host::errno::ENOTCAPABLE), 93);
        assert_eq!(to_guest(crate::host::errno::EINTEGRITY), 97);
    }
}
