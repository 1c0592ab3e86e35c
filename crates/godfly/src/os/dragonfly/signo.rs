//! Signal numbers. Most named signals exist on both systems under other
//! numbers (`signals.tsv`); DragonFly's EMT, INFO, THR, CKPT, CKPTEXIT and
//! the unnamed 35.. have no Linux name and ride on host real-time signals
//! above the ones glibc reserves.

use godfly_abi::dragonfly::consts as d;
use godfly_abi::dragonfly::signal::SIGNAL_TABLE;
use godfly_abi::sysdef::SigDefault;

/// First host real-time signal godfly uses for DragonFly-only signals.
const HOST_RT_BASE: i32 = 40;
/// DragonFly-only named signals, in the order they take host RT numbers.
const DFLY_ONLY: [u32; 5] = [7, 29, 32, 33, 34];
/// Unnamed DragonFly signals 35.. map to host numbers after the named ones.
const UNNAMED_FIRST: u32 = 35;
const HOST_MAX: i32 = 64;

/// Host signal number for a DragonFly signal, if it has one.
pub fn to_linux(dfly: u32) -> Option<i32> {
    if let Some(row) = SIGNAL_TABLE.iter().find(|r| r.0 == dfly)
        && let Some(l) = row.3
    {
        return i32::try_from(l).ok();
    }
    if let Some(i) = DFLY_ONLY.iter().position(|&s| s == dfly) {
        return Some(HOST_RT_BASE + i as i32);
    }
    if dfly >= UNNAMED_FIRST {
        // Widened: a guest's signal number can be any 32-bit value.
        let host = i64::from(HOST_RT_BASE) + DFLY_ONLY.len() as i64 + i64::from(dfly - UNNAMED_FIRST);
        return (host <= i64::from(HOST_MAX)).then_some(host as i32);
    }
    None
}

/// DragonFly signal number for a host signal, if it has one.
pub fn from_linux(linux: i32) -> Option<u32> {
    if !(1..=HOST_MAX).contains(&linux) {
        return None;
    }
    if let Some(row) = SIGNAL_TABLE.iter().find(|r| r.3.is_some_and(|l| l as i32 == linux)) {
        return Some(row.0);
    }
    let rt = linux - HOST_RT_BASE;
    if (0..DFLY_ONLY.len() as i32).contains(&rt) {
        return Some(DFLY_ONLY[rt as usize]);
    }
    let unnamed = rt - DFLY_ONLY.len() as i32;
    if unnamed >= 0 && linux <= HOST_MAX {
        return Some(UNNAMED_FIRST + unnamed as u32);
    }
    None
}

/// The DragonFly name of a signal, `SIG?` if unnamed.
pub fn name(dfly: u32) -> &'static str {
    SIGNAL_TABLE.iter().find(|r| r.0 == dfly).map_or("SIG?", |r| r.1)
}

/// DragonFly's default action for a signal (`sigprop`): the named ones
/// from the table, the unnamed 35..63 ignored, the rest terminate.
pub fn default_action(sig: u32) -> SigDefault {
    SIGNAL_TABLE
        .iter()
        .find(|r| r.0 == sig)
        .map_or(if (35..64).contains(&sig) { SigDefault::Ignore } else { SigDefault::Terminate }, |r| r.2)
}

/// A host `si_code` as DragonFly's, for an asynchronous signal.
pub fn si_code_from_linux(code: i32) -> i32 {
    match code {
        libc::SI_USER | libc::SI_TKILL => d::SI_USER,
        libc::SI_QUEUE => d::SI_QUEUE,
        libc::SI_TIMER => d::SI_TIMER,
        libc::SI_MESGQ => d::SI_MESGQ,
        libc::SI_ASYNCIO => d::SI_ASYNCIO,
        // Kernel-generated codes (CLD_*, POLL_*) share numbers; SI_KERNEL
        // has no DragonFly name and reads as sent by the kernel.
        c if c > 0 && c < 0x80 => c,
        _ => d::SI_USER,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_guest_signal_numbers_have_no_host_signal() {
        // Found by the xlat fuzz target: the subtraction wrapped.
        assert_eq!(to_linux(2_779_030_434), None);
        assert_eq!(to_linux(u32::MAX), None);
        assert_eq!(to_linux(35 + 19), Some(64));
        assert_eq!(to_linux(35 + 20), None);
        // Also found by it: the host side wrapped below zero.
        assert_eq!(from_linux(i32::MIN), None);
        assert_eq!(from_linux(0), None);
        assert_eq!(from_linux(65), None);
    }

    #[test]
    fn signals_that_differ_are_translated_both_ways() {
        let pairs = [
            (10, libc::SIGBUS),
            (30, libc::SIGUSR1),
            (31, libc::SIGUSR2),
            (12, libc::SIGSYS),
            (16, libc::SIGURG),
            (17, libc::SIGSTOP),
            (18, libc::SIGTSTP),
            (19, libc::SIGCONT),
            (20, libc::SIGCHLD),
            (23, libc::SIGIO),
            (11, libc::SIGSEGV),
            (2, libc::SIGINT),
            (27, libc::SIGPROF),
        ];
        for (d, l) in pairs {
            assert_eq!(to_linux(d), Some(l), "dfly {d}");
            assert_eq!(from_linux(l), Some(d), "linux {l}");
        }
    }

    #[test]
    fn dragonfly_only_signals_use_host_realtime_signals() {
        for d in [7, 29, 32, 33, 34, 35, 50] {
            let l = to_linux(d).unwrap();
            assert!((HOST_RT_BASE..=HOST_MAX).contains(&l));
            assert_eq!(from_linux(l), Some(d));
        }
        assert_eq!(to_linux(128), None);
        assert_eq!(from_linux(libc::SIGSTKFLT), None);
        assert_eq!(name(32), "SIGTHR");
    }

    #[test]
    fn default_actions_match_dragonfly() {
        assert_eq!(default_action(16), SigDefault::Ignore); // SIGURG
        assert_eq!(default_action(11), SigDefault::Core);
        assert_eq!(default_action(15), SigDefault::Terminate);
        assert_eq!(default_action(32), SigDefault::Ignore); // SIGTHR
        assert_eq!(default_action(40), SigDefault::Ignore);
        assert_eq!(default_action(17), SigDefault::Stop);
    }
}
