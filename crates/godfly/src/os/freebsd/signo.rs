//! Signal numbers. 1..31 are DragonFly's (the 4.4BSD numbering, `signals.tsv`
//! gives each its Linux number); FreeBSD's EMT, INFO, THR (32) and LIBRT
//! (33) have no Linux name, and its real-time signals are 65..126. Those
//! ride on host real-time signals above the ones glibc reserves: the four
//! named ones first, then SIGRTMIN, SIGRTMIN+1, ... while host numbers last.

use godfly_abi::freebsd::consts as f;
use godfly_abi::freebsd::signal::SIGNAL_TABLE;
use godfly_abi::sysdef::SigDefault;

/// First host real-time signal godfly uses for FreeBSD-only signals.
const HOST_RT_BASE: i32 = 40;
/// FreeBSD-only named signals, in the order they take host RT numbers.
const FREEBSD_ONLY: [u32; 4] = [7, 29, 32, 33];
/// FreeBSD's SIGRTMIN.
const RTMIN: u32 = f::SIGRTMIN as u32;
const RTMAX: u32 = f::SIGRTMAX as u32;
const HOST_MAX: i32 = 64;

/// Host signal number for a FreeBSD signal, if it has one.
pub fn to_linux(sig: u32) -> Option<i32> {
    if let Some(row) = SIGNAL_TABLE.iter().find(|r| r.0 == sig)
        && let Some(l) = row.3
    {
        return i32::try_from(l).ok();
    }
    if let Some(i) = FREEBSD_ONLY.iter().position(|&s| s == sig) {
        return Some(HOST_RT_BASE + i as i32);
    }
    if (RTMIN..=RTMAX).contains(&sig) {
        let host = HOST_RT_BASE + FREEBSD_ONLY.len() as i32 + (sig - RTMIN) as i32;
        return (host <= HOST_MAX).then_some(host);
    }
    None
}

/// FreeBSD signal number for a host signal, if it has one.
pub fn from_linux(linux: i32) -> Option<u32> {
    if !(1..=HOST_MAX).contains(&linux) {
        return None;
    }
    if let Some(row) = SIGNAL_TABLE.iter().find(|r| r.3.is_some_and(|l| l as i32 == linux)) {
        return Some(row.0);
    }
    let rt = linux - HOST_RT_BASE;
    if (0..FREEBSD_ONLY.len() as i32).contains(&rt) {
        return Some(FREEBSD_ONLY[rt as usize]);
    }
    let n = rt - FREEBSD_ONLY.len() as i32;
    (n >= 0).then(|| RTMIN + n as u32).filter(|&s| s <= RTMAX)
}

/// The FreeBSD name of a signal, `SIG?` if unnamed.
pub fn name(sig: u32) -> &'static str {
    SIGNAL_TABLE.iter().find(|r| r.0 == sig).map_or("SIG?", |r| r.1)
}

/// FreeBSD's default action (`sigproptbl`): the named ones from the table;
/// every other signal, real-time ones included, terminates.
pub fn default_action(sig: u32) -> SigDefault {
    SIGNAL_TABLE.iter().find(|r| r.0 == sig).map_or(SigDefault::Terminate, |r| r.2)
}

/// A host `si_code` as FreeBSD's, for an asynchronous signal: FreeBSD's
/// SI_* codes sit at 0x10001.. (`sys/sys/signal.h`).
pub fn si_code_from_linux(code: i32) -> i32 {
    match code {
        libc::SI_USER => f::SI_USER,
        // A signal to one thread (tgkill): thr_kill's code.
        libc::SI_TKILL => f::SI_LWP,
        libc::SI_QUEUE => f::SI_QUEUE,
        libc::SI_TIMER => f::SI_TIMER,
        libc::SI_MESGQ => f::SI_MESGQ,
        libc::SI_ASYNCIO => f::SI_ASYNCIO,
        libc::SI_KERNEL => f::SI_KERNEL,
        // Kernel-generated codes (CLD_*, POLL_*) share numbers.
        c if c > 0 && c < 0x80 => c,
        _ => f::SI_USER,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn freebsd_only_signals_ride_on_host_realtime_signals() {
        assert_eq!(to_linux(32), Some(42));
        assert_eq!(to_linux(33), Some(43));
        assert_eq!(to_linux(65), Some(44));
        assert_eq!(to_linux(85), Some(64));
        assert_eq!(to_linux(86), None);
        assert_eq!(to_linux(40), None, "34..64 are not FreeBSD signals");
        assert_eq!(to_linux(u32::MAX), None);
        for sig in (1..=33).chain(65..=85) {
            let host = to_linux(sig).unwrap_or_else(|| panic!("signal {sig}"));
            assert_eq!(from_linux(host), Some(sig), "signal {sig}");
        }
        assert_eq!(from_linux(i32::MIN), None);
        assert_eq!(from_linux(65), None);
    }

    #[test]
    fn common_signals_keep_their_bsd_numbers() {
        assert_eq!(to_linux(16), Some(libc::SIGURG));
        assert_eq!(to_linux(20), Some(libc::SIGCHLD));
        assert_eq!(to_linux(30), Some(libc::SIGUSR1));
        assert_eq!(name(32), "SIGTHR");
        assert_eq!(default_action(16), SigDefault::Ignore);
        assert_eq!(default_action(70), SigDefault::Terminate);
        assert_eq!(si_code_from_linux(libc::SI_USER), 0x10001);
        assert_eq!(si_code_from_linux(libc::SI_TKILL), 0x10007);
    }
}
