//! Clock ids (`sys/sys/time.h`). DragonFly's CLOCK_MONOTONIC is 4, which on
//! Linux is CLOCK_MONOTONIC_RAW.

use godfly_abi::dragonfly::consts as d;

use crate::xlat::Clock;

/// DragonFly clock id to the Linux clock that answers it.
pub fn clock_to_linux(id: i32) -> Option<Clock> {
    let linux = match id {
        d::CLOCK_REALTIME | d::CLOCK_REALTIME_PRECISE | d::CLOCK_SECOND => libc::CLOCK_REALTIME,
        d::CLOCK_REALTIME_FAST => libc::CLOCK_REALTIME_COARSE,
        d::CLOCK_MONOTONIC | d::CLOCK_MONOTONIC_PRECISE | d::CLOCK_UPTIME | d::CLOCK_UPTIME_PRECISE => {
            libc::CLOCK_MONOTONIC
        }
        d::CLOCK_MONOTONIC_FAST | d::CLOCK_UPTIME_FAST => libc::CLOCK_MONOTONIC_COARSE,
        // VIRTUAL is user time and PROF user+system time of the process;
        // Linux offers only the sum.
        d::CLOCK_VIRTUAL | d::CLOCK_PROF | d::CLOCK_PROCESS_CPUTIME_ID => libc::CLOCK_PROCESS_CPUTIME_ID,
        d::CLOCK_THREAD_CPUTIME_ID => libc::CLOCK_THREAD_CPUTIME_ID,
        _ => return None,
    };
    Some(Clock { linux, seconds_only: id == d::CLOCK_SECOND })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dragonfly_monotonic_is_linux_monotonic() {
        assert_eq!(clock_to_linux(4).unwrap().linux, libc::CLOCK_MONOTONIC);
        assert_eq!(clock_to_linux(0).unwrap().linux, libc::CLOCK_REALTIME);
        assert!(clock_to_linux(13).unwrap().seconds_only);
        assert_eq!(clock_to_linux(3), None);
        assert_eq!(clock_to_linux(-5), None);
    }
}
