//! The `ioctl` requests godfly handles on any descriptor, in BSD's
//! encoding: direction, parameter length, group, number.

use crate::xlat::{Ioctl, TermiosWhen};

const IOC_VOID: u64 = 0x2000_0000;
const IOC_OUT: u64 = 0x4000_0000;
const IOC_IN: u64 = 0x8000_0000;

const fn ioc(dir: u64, group: u8, num: u8, len: u64) -> u64 {
    dir | ((len & 0x1fff) << 16) | ((group as u64) << 8) | num as u64
}

/// FIOCLEX: `_IO('f', 1)`.
pub const FIOCLEX: u64 = ioc(IOC_VOID, b'f', 1, 0);
/// FIONCLEX: `_IO('f', 2)`.
pub const FIONCLEX: u64 = ioc(IOC_VOID, b'f', 2, 0);
/// FIONREAD: `_IOR('f', 127, int)`.
pub const FIONREAD: u64 = ioc(IOC_OUT, b'f', 127, 4);
/// FIONBIO: `_IOW('f', 126, int)`.
pub const FIONBIO: u64 = ioc(IOC_IN, b'f', 126, 4);
/// FIOASYNC: `_IOW('f', 125, int)`.
pub const FIOASYNC: u64 = ioc(IOC_IN, b'f', 125, 4);
/// TIOCGWINSZ: `_IOR('t', 104, struct winsize)`.
pub const TIOCGWINSZ: u64 = ioc(IOC_OUT, b't', 104, 8);
/// TIOCSWINSZ: `_IOW('t', 103, struct winsize)`.
pub const TIOCSWINSZ: u64 = ioc(IOC_IN, b't', 103, 8);
/// TIOCSCTTY: `_IO('t', 97)`, make the terminal the controlling one.
pub const TIOCSCTTY: u64 = ioc(IOC_VOID, b't', 97, 0);
/// TIOCNOTTY: `_IO('t', 113)`, give up the controlling terminal.
pub const TIOCNOTTY: u64 = ioc(IOC_VOID, b't', 113, 0);
/// TIOCSPGRP: `_IOW('t', 118, int)`, set the foreground process group.
pub const TIOCSPGRP: u64 = ioc(IOC_IN, b't', 118, 4);
/// TIOCGPGRP: `_IOR('t', 119, int)`, get the foreground process group.
pub const TIOCGPGRP: u64 = ioc(IOC_OUT, b't', 119, 4);

/// Terminal attributes (`sys/ttycom.h`, struct termios is 44 bytes).
pub const TIOCGETA: u64 = ioc(IOC_OUT, b't', 19, 44);
pub const TIOCSETA: u64 = ioc(IOC_IN, b't', 20, 44);
pub const TIOCSETAW: u64 = ioc(IOC_IN, b't', 21, 44);
pub const TIOCSETAF: u64 = ioc(IOC_IN, b't', 22, 44);
pub const TIOCEXCL: u64 = ioc(IOC_VOID, b't', 13, 0);
pub const TIOCNXCL: u64 = ioc(IOC_VOID, b't', 14, 0);
pub const TIOCFLUSH: u64 = ioc(IOC_IN, b't', 16, 4);
pub const TIOCGETD: u64 = ioc(IOC_OUT, b't', 26, 4);
pub const TIOCSBRK: u64 = ioc(IOC_VOID, b't', 123, 0);
pub const TIOCCBRK: u64 = ioc(IOC_VOID, b't', 122, 0);
pub const TIOCOUTQ: u64 = ioc(IOC_OUT, b't', 115, 4);
pub const TIOCSTI: u64 = ioc(IOC_IN, b't', 114, 1);
pub const TIOCSTOP: u64 = ioc(IOC_VOID, b't', 111, 0);
pub const TIOCSTART: u64 = ioc(IOC_VOID, b't', 110, 0);
pub const TIOCGSID: u64 = ioc(IOC_OUT, b't', 99, 4);
pub const TIOCDRAIN: u64 = ioc(IOC_VOID, b't', 94, 0);
pub const TIOCISPTMASTER: u64 = ioc(IOC_VOID, b't', 85, 0);
/// FIODNAME: `_IOW('f', 120, struct fiodname_args)`.
pub const FIODNAME: u64 = ioc(IOC_IN, b'f', 120, 16);

/// The request a number names, if godfly handles it.
pub fn decode(req: u64) -> Option<Ioctl> {
    Some(match req {
        FIOCLEX => Ioctl::Fioclex,
        FIONCLEX => Ioctl::Fionclex,
        FIONBIO => Ioctl::Fionbio,
        FIOASYNC => Ioctl::Fioasync,
        FIONREAD => Ioctl::Fionread,
        TIOCGWINSZ => Ioctl::Tiocgwinsz,
        TIOCSWINSZ => Ioctl::Tiocswinsz,
        TIOCSCTTY => Ioctl::Tiocsctty,
        TIOCNOTTY => Ioctl::Tiocnotty,
        TIOCSPGRP => Ioctl::Tiocspgrp,
        TIOCGPGRP => Ioctl::Tiocgpgrp,
        TIOCGETA => Ioctl::Tiocgeta,
        TIOCSETA => Ioctl::Tiocseta(TermiosWhen::Now),
        TIOCSETAW => Ioctl::Tiocseta(TermiosWhen::Drain),
        TIOCSETAF => Ioctl::Tiocseta(TermiosWhen::Flush),
        TIOCEXCL => Ioctl::Tiocexcl,
        TIOCNXCL => Ioctl::Tiocnxcl,
        TIOCFLUSH => Ioctl::Tiocflush,
        TIOCGETD => Ioctl::Tiocgetd,
        TIOCSBRK => Ioctl::Tiocsbrk,
        TIOCCBRK => Ioctl::Tioccbrk,
        TIOCOUTQ => Ioctl::Tiocoutq,
        TIOCSTI => Ioctl::Tiocsti,
        TIOCSTOP => Ioctl::Tiocstop,
        TIOCSTART => Ioctl::Tiocstart,
        TIOCGSID => Ioctl::Tiocgsid,
        TIOCDRAIN => Ioctl::Tiocdrain,
        TIOCISPTMASTER => Ioctl::Tiocisptmaster,
        FIODNAME => Ioctl::Fiodname,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ioctl_numbers_match_dragonfly_headers() {
        assert_eq!(FIONBIO, 0x8004_667e);
        assert_eq!(FIONREAD, 0x4004_667f);
        assert_eq!(FIOCLEX, 0x2000_6601);
        assert_eq!(TIOCGWINSZ, 0x4008_7468);
        // The values Go's syscall package uses (zerrors_dragonfly_amd64.go).
        assert_eq!(TIOCSPGRP, 0x8004_7476);
        assert_eq!(TIOCSCTTY, 0x2000_7461);
        assert_eq!(TIOCGPGRP, 0x4004_7477);
        assert_eq!(TIOCNOTTY, 0x2000_7471);
        // sys/ttycom.h and sys/filio.h values, as Go and x/sys have them.
        assert_eq!(TIOCGETA, 0x402c_7413);
        assert_eq!(TIOCSETA, 0x802c_7414);
        assert_eq!(TIOCSETAW, 0x802c_7415);
        assert_eq!(TIOCSETAF, 0x802c_7416);
        assert_eq!(TIOCEXCL, 0x2000_740d);
        assert_eq!(TIOCNXCL, 0x2000_740e);
        assert_eq!(TIOCFLUSH, 0x8004_7410);
        assert_eq!(TIOCGETD, 0x4004_741a);
        assert_eq!(TIOCSBRK, 0x2000_747b);
        assert_eq!(TIOCOUTQ, 0x4004_7473);
        assert_eq!(TIOCSTI, 0x8001_7472);
        assert_eq!(TIOCGSID, 0x4004_7463);
        assert_eq!(TIOCDRAIN, 0x2000_745e);
        assert_eq!(TIOCISPTMASTER, 0x2000_7455);
        assert_eq!(FIODNAME, 0x8010_6678);
        assert_eq!(decode(0x1234), None);
        assert_eq!(decode(FIONREAD), Some(Ioctl::Fionread));
    }
}
