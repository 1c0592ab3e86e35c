//! `poll` events: BSD's POLLWRNORM is POLLOUT (4) and POLLWRBAND 0x100;
//! Linux has them at 0x100 and 0x200. The rest share values.

const SAME: i16 = 0x1 | 0x2 | 0x4 | 0x8 | 0x10 | 0x20 | 0x40 | 0x80;
const BSD_WRBAND: i16 = 0x100;
const LINUX_WRNORM: i16 = 0x100;
const LINUX_WRBAND: i16 = 0x200;

/// DragonFly `events` to Linux's.
pub fn events_to_linux(e: i16) -> i16 {
    let mut out = e & SAME;
    if e & BSD_WRBAND != 0 {
        out |= LINUX_WRBAND;
    }
    out
}

/// Linux `revents` to DragonFly's.
pub fn events_from_linux(e: i16) -> i16 {
    let mut out = e & SAME;
    if e & LINUX_WRNORM != 0 {
        out |= 0x4;
    }
    if e & LINUX_WRBAND != 0 {
        out |= BSD_WRBAND;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_band_bits_move() {
        assert_eq!(events_to_linux(0x1 | 0x4), 0x1 | 0x4);
        assert_eq!(events_to_linux(0x100), 0x200);
        assert_eq!(events_from_linux(0x100 | 0x10), 0x4 | 0x10);
        assert_eq!(events_from_linux(0x200), 0x100);
    }
}
