//! Wait statuses and options. The exit and stop encodings match Linux's
//! shape but carry DragonFly signal numbers, and "continued" is 0x13 on
//! DragonFly (0xffff on Linux).

use godfly_abi::dragonfly::consts as d;

use super::signo;

/// A Linux wait status to DragonFly's.
pub fn status_from_linux(st: i32) -> i32 {
    crate::xlat::wait::status_from_linux(st, signo::from_linux)
}

/// DragonFly status from a Linux `waitid` result: `si_code` (CLD_*) and
/// `si_status`.
pub fn status_from_siginfo(code: i32, status: i32) -> i32 {
    crate::xlat::wait::status_from_siginfo(code, status, signo::from_linux)
}

/// `wait4` options to Linux's; `None` for unknown bits.
pub fn wait4_options_to_linux(opt: i32) -> Option<i32> {
    if opt & !(d::WNOHANG | d::WUNTRACED | d::WCONTINUED | (d::WLINUXCLONE as i32)) != 0 {
        return None;
    }
    let mut out = 0;
    if opt & d::WNOHANG != 0 {
        out |= libc::WNOHANG;
    }
    if opt & d::WUNTRACED != 0 {
        out |= libc::WUNTRACED;
    }
    if opt & d::WCONTINUED != 0 {
        out |= libc::WCONTINUED;
    }
    if opt & (d::WLINUXCLONE as i32) != 0 {
        out |= libc::__WALL;
    }
    Some(out)
}

/// `wait6` options to Linux `waitid` options.
pub fn wait6_options_to_linux(opt: i32) -> Option<i32> {
    let known = d::WNOHANG | d::WUNTRACED | d::WCONTINUED | d::WNOWAIT | d::WEXITED | d::WTRAPPED;
    if opt & !known != 0 {
        return None;
    }
    let pairs = [
        (d::WNOHANG, libc::WNOHANG),
        (d::WUNTRACED, libc::WSTOPPED),
        (d::WTRAPPED, libc::WSTOPPED),
        (d::WCONTINUED, libc::WCONTINUED),
        (d::WNOWAIT, libc::WNOWAIT),
        (d::WEXITED, libc::WEXITED),
    ];
    Some(pairs.iter().filter(|(df, _)| opt & df != 0).fold(0, |acc, (_, l)| acc | l))
}

/// DragonFly `idtype_t` to Linux's for `waitid`; `None` for the ones Linux lacks.
pub fn idtype_to_linux(idtype: i32) -> Option<libc::idtype_t> {
    Some(match idtype {
        0 => libc::P_PID,
        2 => libc::P_PGID,
        7 => libc::P_ALL,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_status_is_unchanged() {
        assert_eq!(status_from_linux(7 << 8), 7 << 8);
        assert_eq!(status_from_linux(0), 0);
    }

    #[test]
    fn signal_numbers_inside_statuses_are_translated() {
        assert_eq!(status_from_linux(libc::SIGUSR1), 30);
        assert_eq!(status_from_linux(libc::SIGSEGV | 0x80), 11 | 0x80);
        assert_eq!(status_from_linux((libc::SIGTSTP << 8) | 0x7f), (18 << 8) | 0x7f);
        assert_eq!(status_from_linux(0xffff), 0x13);
        assert_eq!(status_from_siginfo(libc::CLD_KILLED, libc::SIGBUS), 10);
        assert_eq!(status_from_siginfo(libc::CLD_EXITED, 3), 3 << 8);
    }

    #[test]
    fn options_translate() {
        assert_eq!(wait4_options_to_linux(d::WNOHANG | d::WCONTINUED), Some(libc::WNOHANG | libc::WCONTINUED));
        assert_eq!(wait4_options_to_linux(d::WNOWAIT), None);
        assert_eq!(wait6_options_to_linux(0x18), Some(libc::WEXITED | libc::WNOWAIT));
        assert_eq!(idtype_to_linux(0), Some(libc::P_PID));
        assert_eq!(idtype_to_linux(1), None);
    }
}
