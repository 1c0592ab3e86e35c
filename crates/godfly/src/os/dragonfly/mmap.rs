//! `mmap` flags and `madvise` advice.

use godfly_abi::dragonfly::consts as d;

use crate::xlat::{Advice, MapFlags};

/// Flags godfly knows; any other bit is rejected with EINVAL.
const KNOWN: i32 = d::MAP_SHARED
    | d::MAP_PRIVATE
    | d::MAP_FIXED
    | d::MAP_RENAME
    | d::MAP_NORESERVE
    | d::MAP_INHERIT
    | d::MAP_NOEXTEND
    | d::MAP_HASSEMAPHORE
    | d::MAP_STACK
    | d::MAP_NOSYNC
    | d::MAP_ANON
    | d::MAP_TRYFIXED
    | d::MAP_NOCORE
    | d::MAP_SIZEALIGN;

/// DragonFly `mmap` flags to Linux's; `None` for unknown bits or a
/// sharing mode that is neither shared nor private.
pub fn flags_to_linux(flags: i32) -> Option<MapFlags> {
    if flags & !KNOWN != 0 {
        return None;
    }
    let anon = flags & (d::MAP_ANON | d::MAP_STACK) != 0;
    let mut linux = if flags & d::MAP_SHARED != 0 { libc::MAP_SHARED } else { libc::MAP_PRIVATE };
    if flags & d::MAP_FIXED != 0 {
        linux |= libc::MAP_FIXED;
    }
    if anon {
        linux |= libc::MAP_ANONYMOUS;
    }
    if flags & d::MAP_NORESERVE != 0 {
        linux |= libc::MAP_NORESERVE;
    }
    Some(MapFlags { linux, anon, nocore: flags & d::MAP_NOCORE != 0 })
}

/// `PROT_*` are the same bits on both systems; unknown bits are refused.
pub fn prot_to_linux(prot: i32) -> Option<i32> {
    (prot & !(d::PROT_READ | d::PROT_WRITE | d::PROT_EXEC) == 0).then_some(prot)
}

/// DragonFly `madvise` advice to Linux's; `None` is EINVAL.
pub fn advice_to_linux(adv: i32) -> Option<Advice> {
    Some(match adv {
        d::MADV_NORMAL => Advice::Linux(libc::MADV_NORMAL),
        d::MADV_RANDOM => Advice::Linux(libc::MADV_RANDOM),
        d::MADV_SEQUENTIAL => Advice::Linux(libc::MADV_SEQUENTIAL),
        d::MADV_WILLNEED => Advice::Linux(libc::MADV_WILLNEED),
        d::MADV_DONTNEED => Advice::Linux(libc::MADV_DONTNEED),
        d::MADV_FREE => Advice::Linux(libc::MADV_FREE),
        d::MADV_NOSYNC | d::MADV_AUTOSYNC => Advice::Nothing,
        d::MADV_NOCORE => Advice::Linux(libc::MADV_DONTDUMP),
        d::MADV_CORE => Advice::Linux(libc::MADV_DODUMP),
        d::MADV_INVAL => Advice::Linux(libc::MADV_DONTNEED),
        _ => return None,
    })
}

/// `msync` flags to Linux's: MS_ASYNC 1 and MS_INVALIDATE 2 match,
/// DragonFly's MS_SYNC is 0 (Linux's is 4); `None` for bad ones.
pub fn msync_to_linux(fl: i32) -> Option<i32> {
    if fl & !(d::MS_ASYNC | d::MS_INVALIDATE) != 0 || (fl & d::MS_ASYNC != 0 && fl & d::MS_INVALIDATE != 0) {
        return None;
    }
    Some(if fl & d::MS_ASYNC != 0 { libc::MS_ASYNC } else { libc::MS_SYNC } | (fl & d::MS_INVALIDATE))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_heap_mappings_translate() {
        let f = flags_to_linux(d::MAP_ANON | d::MAP_PRIVATE).unwrap();
        assert_eq!(f.linux, libc::MAP_ANONYMOUS | libc::MAP_PRIVATE);
        assert!(f.anon);
        let f = flags_to_linux(d::MAP_ANON | d::MAP_PRIVATE | d::MAP_FIXED).unwrap();
        assert_eq!(f.linux, libc::MAP_ANONYMOUS | libc::MAP_PRIVATE | libc::MAP_FIXED);
        let f = flags_to_linux(d::MAP_SHARED).unwrap();
        assert_eq!(f.linux, libc::MAP_SHARED);
        assert!(flags_to_linux(0x4000_0000).is_none());
    }

    #[test]
    fn madvise_free_is_linux_8() {
        assert_eq!(advice_to_linux(5), Some(Advice::Linux(8)));
        assert_eq!(advice_to_linux(4), Some(Advice::Linux(libc::MADV_DONTNEED)));
        assert_eq!(advice_to_linux(6), Some(Advice::Nothing));
        assert_eq!(advice_to_linux(99), None);
        assert_eq!(prot_to_linux(8), None);
    }
}
