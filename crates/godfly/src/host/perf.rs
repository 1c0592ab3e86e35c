//! Hardware watchpoints of one thread through `perf_event_open`: a
//! breakpoint event on a data address whose every hit sends the thread a
//! synchronous SIGTRAP (`sigtrap`, Linux 5.13), so the debugger needs no
//! ptrace of its own process.

use super::Errno;
use super::raw::{self, ptr};

const PERF_TYPE_BREAKPOINT: u32 = 5;
const ATTR_SIZE: u32 = 128;
const HW_BREAKPOINT_W: u32 = 2;
const HW_BREAKPOINT_RW: u32 = 3;
const EXCLUDE_KERNEL: u64 = 1 << 5;
const EXCLUDE_HV: u64 = 1 << 6;
const REMOVE_ON_EXEC: u64 = 1 << 36;
const SIGTRAP: u64 = 1 << 37;
const PERF_FLAG_FD_CLOEXEC: u64 = 8;
/// `si_code` of a perf event's SIGTRAP.
pub const TRAP_PERF: i32 = 6;

/// The `perf_event_attr` of a watchpoint (the fields past the ones set
/// are zero).
fn attr(addr: u64, len: u64, reads_too: bool, data: u64) -> [u8; ATTR_SIZE as usize] {
    let mut a = [0u8; ATTR_SIZE as usize];
    a[0..4].copy_from_slice(&PERF_TYPE_BREAKPOINT.to_le_bytes());
    a[4..8].copy_from_slice(&ATTR_SIZE.to_le_bytes());
    a[16..24].copy_from_slice(&1u64.to_le_bytes()); // sample_period: every hit
    a[40..48].copy_from_slice(&(EXCLUDE_KERNEL | EXCLUDE_HV | REMOVE_ON_EXEC | SIGTRAP).to_le_bytes());
    let ty = if reads_too { HW_BREAKPOINT_RW } else { HW_BREAKPOINT_W };
    a[52..56].copy_from_slice(&ty.to_le_bytes());
    a[56..64].copy_from_slice(&addr.to_le_bytes());
    a[64..72].copy_from_slice(&len.to_le_bytes());
    a[120..128].copy_from_slice(&data.to_le_bytes()); // sig_data
    a
}

/// Watches `[addr, addr+len)` (len 1, 2, 4 or 8, aligned) for writes, or
/// for any access, in thread `tid`; its SIGTRAPs carry `data`. Returns
/// the event's descriptor (closing it removes the watchpoint).
pub fn watchpoint(tid: i32, addr: u64, len: u64, reads_too: bool, data: u64) -> Result<i32, Errno> {
    let a = attr(addr, len, reads_too, data);
    // SAFETY: a is a complete perf_event_attr of the size it declares.
    unsafe { raw::sys(libc::SYS_perf_event_open, &[ptr(&a), tid as u64, u64::MAX, u64::MAX, PERF_FLAG_FD_CLOEXEC]) }
        .map(|fd| fd as i32)
}

/// Splits `[addr, addr+len)` into the aligned 1-, 2-, 4- and 8-byte pieces
/// a debug register can watch.
pub fn pieces(mut addr: u64, len: u64) -> Vec<(u64, u64)> {
    let end = addr.saturating_add(len);
    let mut out = Vec::new();
    while addr < end && out.len() < 8 {
        let mut size = 8;
        while size > 1 && (!addr.is_multiple_of(size) || addr + size > end) {
            size /= 2;
        }
        out.push((addr, size));
        addr += size;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_splits_into_aligned_pieces() {
        assert_eq!(pieces(0x1000, 8), vec![(0x1000, 8)]);
        assert_eq!(pieces(0x1003, 4), vec![(0x1003, 1), (0x1004, 2), (0x1006, 1)]);
        assert_eq!(pieces(0x1000, 16), vec![(0x1000, 8), (0x1008, 8)]);
        assert!(pieces(0, 1 << 40).len() <= 8);
    }

    #[test]
    fn the_attribute_asks_for_a_synchronous_sigtrap_on_user_writes() {
        let a = attr(0x4000, 8, false, 7);
        assert_eq!(u32::from_le_bytes(a[0..4].try_into().unwrap()), PERF_TYPE_BREAKPOINT);
        let flags = u64::from_le_bytes(a[40..48].try_into().unwrap());
        assert_ne!(flags & SIGTRAP, 0);
        assert_ne!(flags & REMOVE_ON_EXEC, 0);
        assert_eq!(u64::from_le_bytes(a[56..64].try_into().unwrap()), 0x4000);
        assert_eq!(u64::from_le_bytes(a[120..128].try_into().unwrap()), 7);
    }
}
