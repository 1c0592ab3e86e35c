//! Resource limits: FreeBSD's RLIMIT_* are DragonFly's through RLIMIT_AS
//! (10); above that FreeBSD has NPTS, SWAP, KQUEUES, UMTXP and PIPEBUF,
//! none of which Linux has. The limit values are DragonFly's
//! (RLIM_INFINITY 2^63-1).

use godfly_abi::freebsd::consts as f;

pub use crate::os::dragonfly::resource::{value_from_linux, value_to_linux};

/// FreeBSD RLIMIT_* to Linux's; `None` for one Linux lacks.
pub fn to_linux(res: u32) -> Option<u32> {
    if res > f::RLIMIT_AS as u32 {
        return None;
    }
    crate::os::dragonfly::resource::to_linux(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn freebsds_limits_above_as_have_no_linux_counterpart() {
        assert_eq!(to_linux(8), Some(libc::RLIMIT_NOFILE));
        assert_eq!(to_linux(10), Some(libc::RLIMIT_AS));
        assert_eq!(to_linux(11), None, "RLIMIT_NPTS, not DragonFly's POSIXLOCKS");
        assert_eq!(value_from_linux(libc::RLIM_INFINITY), f::RLIM_INFINITY);
    }
}
