//! BSD wait statuses from Linux ones. The exit and stop encodings have
//! Linux's shape but carry the guest's signal numbers, and "continued" is
//! 0x13 on the BSDs (0xffff on Linux).

/// The BSDs' status word for a continued child.
pub const BSD_CONTINUED: i32 = 0x13;

/// A Linux wait status as a BSD one, with `sig` giving the guest's number
/// of a host signal.
pub fn status_from_linux(st: i32, sig: fn(i32) -> Option<u32>) -> i32 {
    let sig_of = |s: i32| sig(s).map_or(s, |d| d as i32);
    if st == 0xffff {
        BSD_CONTINUED
    } else if st & 0x7f == 0 {
        st & 0xff00 // exited: code << 8
    } else if st & 0xff == 0x7f {
        (sig_of((st >> 8) & 0xff) << 8) | 0x7f // stopped
    } else {
        sig_of(st & 0x7f) | (st & 0x80) // killed, with the core flag
    }
}

/// A BSD status from a Linux `waitid` result: `si_code` (CLD_*) and
/// `si_status`.
pub fn status_from_siginfo(code: i32, status: i32, sig: fn(i32) -> Option<u32>) -> i32 {
    let sig_of = |s: i32| sig(s).map_or(s, |d| d as i32);
    match code {
        libc::CLD_EXITED => (status & 0xff) << 8,
        libc::CLD_KILLED => sig_of(status),
        libc::CLD_DUMPED => sig_of(status) | 0x80,
        libc::CLD_STOPPED | libc::CLD_TRAPPED => (sig_of(status) << 8) | 0x7f,
        libc::CLD_CONTINUED => BSD_CONTINUED,
        _ => 0,
    }
}
