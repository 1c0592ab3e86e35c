//! Resource limits: DragonFly's RLIMIT_* order differs from Linux's after
//! RSS, and RLIM_INFINITY is 2^63-1 instead of ~0.

use godfly_abi::dragonfly::consts as d;

/// DragonFly RLIMIT_* to Linux's; `None` for one Linux lacks or an unknown one.
pub fn to_linux(res: u32) -> Option<u32> {
    let r = i32::try_from(res).ok()?;
    Some(match r {
        d::RLIMIT_CPU => libc::RLIMIT_CPU,
        d::RLIMIT_FSIZE => libc::RLIMIT_FSIZE,
        d::RLIMIT_DATA => libc::RLIMIT_DATA,
        d::RLIMIT_STACK => libc::RLIMIT_STACK,
        d::RLIMIT_CORE => libc::RLIMIT_CORE,
        d::RLIMIT_RSS => libc::RLIMIT_RSS,
        d::RLIMIT_MEMLOCK => libc::RLIMIT_MEMLOCK,
        d::RLIMIT_NPROC => libc::RLIMIT_NPROC,
        d::RLIMIT_NOFILE => libc::RLIMIT_NOFILE,
        d::RLIMIT_AS => libc::RLIMIT_AS,
        d::RLIMIT_POSIXLOCKS => libc::RLIMIT_LOCKS,
        _ => return None,
    })
}

/// A Linux limit value as DragonFly reports it.
pub fn value_from_linux(v: u64) -> u64 {
    if v == libc::RLIM_INFINITY { d::RLIM_INFINITY } else { v.min(d::RLIM_INFINITY) }
}

/// A DragonFly limit value as Linux takes it.
pub fn value_to_linux(v: u64) -> u64 {
    if v >= d::RLIM_INFINITY { libc::RLIM_INFINITY } else { v }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nofile_is_8_on_dragonfly() {
        assert_eq!(to_linux(8), Some(libc::RLIMIT_NOFILE));
        assert_eq!(to_linux(6), Some(libc::RLIMIT_MEMLOCK));
        assert_eq!(to_linux(7), Some(libc::RLIMIT_NPROC));
        assert_eq!(to_linux(9), None);
        assert_eq!(to_linux(99), None);
    }

    #[test]
    fn infinity_translates() {
        assert_eq!(value_from_linux(libc::RLIM_INFINITY), 0x7fff_ffff_ffff_ffff);
        assert_eq!(value_to_linux(0x7fff_ffff_ffff_ffff), libc::RLIM_INFINITY);
        assert_eq!(value_from_linux(1024), 1024);
    }
}
