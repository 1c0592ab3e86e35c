//! Clock ids: FreeBSD's are DragonFly's, plus CLOCK_TAI (16).

use godfly_abi::freebsd::consts as f;

use crate::xlat::Clock;

/// A FreeBSD clock id to the Linux clock that answers it.
pub fn clock_to_linux(id: i32) -> Option<Clock> {
    if id == f::CLOCK_TAI {
        return Some(Clock { linux: libc::CLOCK_TAI, seconds_only: false });
    }
    crate::os::dragonfly::time::clock_to_linux(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monotonic_is_4_and_tai_is_known() {
        assert_eq!(clock_to_linux(4).map(|c| c.linux), Some(libc::CLOCK_MONOTONIC));
        assert_eq!(clock_to_linux(16).map(|c| c.linux), Some(libc::CLOCK_TAI));
        assert_eq!(clock_to_linux(17), None);
    }
}
