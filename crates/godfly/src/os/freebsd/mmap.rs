//! `mmap` flags and `madvise` advice (`sys/sys/mman.h`).

use godfly_abi::freebsd::consts as f;

use crate::xlat::{Advice, MapFlags};

/// Flags godfly knows; any other bit (MAP_GUARD, MAP_EXCL, MAP_ALIGNED(n),
/// MAP_32BIT) is refused with EINVAL.
const KNOWN: i32 = f::MAP_SHARED
    | f::MAP_PRIVATE
    | f::MAP_FIXED
    | f::MAP_HASSEMAPHORE
    | f::MAP_STACK
    | f::MAP_NOSYNC
    | f::MAP_ANON
    | f::MAP_NOCORE
    | f::MAP_PREFAULT_READ;

/// FreeBSD `mmap` flags to Linux's.
pub fn flags_to_linux(flags: i32) -> Option<MapFlags> {
    if flags & !KNOWN != 0 {
        return None;
    }
    let anon = flags & (f::MAP_ANON | f::MAP_STACK) != 0;
    let mut linux = if flags & f::MAP_SHARED != 0 { libc::MAP_SHARED } else { libc::MAP_PRIVATE };
    if flags & f::MAP_FIXED != 0 {
        linux |= libc::MAP_FIXED;
    }
    if anon {
        linux |= libc::MAP_ANONYMOUS;
    }
    if flags & f::MAP_PREFAULT_READ != 0 {
        linux |= libc::MAP_POPULATE;
    }
    Some(MapFlags { linux, anon, nocore: flags & f::MAP_NOCORE != 0 })
}

/// FreeBSD `madvise` advice to Linux's; `None` is EINVAL.
pub fn advice_to_linux(adv: i32) -> Option<Advice> {
    Some(match adv {
        f::MADV_NORMAL => Advice::Linux(libc::MADV_NORMAL),
        f::MADV_RANDOM => Advice::Linux(libc::MADV_RANDOM),
        f::MADV_SEQUENTIAL => Advice::Linux(libc::MADV_SEQUENTIAL),
        f::MADV_WILLNEED => Advice::Linux(libc::MADV_WILLNEED),
        f::MADV_DONTNEED => Advice::Linux(libc::MADV_DONTNEED),
        f::MADV_FREE => Advice::Linux(libc::MADV_FREE),
        f::MADV_NOSYNC | f::MADV_AUTOSYNC | f::MADV_PROTECT => Advice::Nothing,
        f::MADV_NOCORE => Advice::Linux(libc::MADV_DONTDUMP),
        f::MADV_CORE => Advice::Linux(libc::MADV_DODUMP),
        _ => return None,
    })
}

/// `msync` flags: MS_ASYNC 1, MS_INVALIDATE 2, MS_SYNC 0 (as DragonFly).
pub fn msync_to_linux(fl: i32) -> Option<i32> {
    if fl & !(f::MS_ASYNC | f::MS_INVALIDATE) != 0 || (fl & f::MS_ASYNC != 0 && fl & f::MS_INVALIDATE != 0) {
        return None;
    }
    Some(if fl & f::MS_ASYNC != 0 { libc::MS_ASYNC } else { libc::MS_SYNC } | (fl & f::MS_INVALIDATE))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_heap_mappings_translate_and_freebsd_only_flags_are_refused() {
        let m = flags_to_linux(f::MAP_ANON | f::MAP_PRIVATE | f::MAP_FIXED).unwrap();
        assert_eq!(m.linux, libc::MAP_ANONYMOUS | libc::MAP_PRIVATE | libc::MAP_FIXED);
        assert!(m.anon);
        assert!(flags_to_linux(f::MAP_GUARD).is_none());
        assert!(flags_to_linux(f::MAP_FIXED | f::MAP_EXCL).is_none());
        assert!(flags_to_linux(f::MAP_ALIGNED_SUPER).is_none());
        assert_eq!(advice_to_linux(5), Some(Advice::Linux(libc::MADV_FREE)));
        assert_eq!(advice_to_linux(99), None);
        assert_eq!(msync_to_linux(0), Some(libc::MS_SYNC));
    }
}
