//! Wait statuses: the BSD encoding with FreeBSD's signal numbers. The
//! option bits and `idtype_t` numbers are DragonFly's, so those
//! translations are shared (`os/dragonfly/wait.rs`).

use super::signo;

/// A Linux wait status to FreeBSD's.
pub fn status_from_linux(st: i32) -> i32 {
    crate::xlat::wait::status_from_linux(st, signo::from_linux)
}

/// FreeBSD status from a Linux `waitid` result.
pub fn status_from_siginfo(code: i32, status: i32) -> i32 {
    crate::xlat::wait::status_from_siginfo(code, status, signo::from_linux)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_carry_freebsd_signal_numbers() {
        assert_eq!(status_from_linux(7 << 8), 7 << 8);
        assert_eq!(status_from_linux(libc::SIGUSR1), 30);
        assert_eq!(status_from_linux(44), 65, "host RT 44 is FreeBSD's SIGRTMIN");
        assert_eq!(status_from_linux(0xffff), 0x13);
        assert_eq!(status_from_siginfo(libc::CLD_KILLED, libc::SIGBUS), 10);
    }
}
