//! gdb's own signal numbers (the remote protocol's), translated by name
//! from and to the guest's: gdb then prints DragonFly's names whatever
//! its host is.

/// gdb's named signals with their protocol numbers (gdb's `signals.def`).
const NAMED: [(&str, u8); 46] = [
    ("SIGHUP", 1),
    ("SIGINT", 2),
    ("SIGQUIT", 3),
    ("SIGILL", 4),
    ("SIGTRAP", 5),
    ("SIGABRT", 6),
    ("SIGEMT", 7),
    ("SIGFPE", 8),
    ("SIGKILL", 9),
    ("SIGBUS", 10),
    ("SIGSEGV", 11),
    ("SIGSYS", 12),
    ("SIGPIPE", 13),
    ("SIGALRM", 14),
    ("SIGTERM", 15),
    ("SIGURG", 16),
    ("SIGSTOP", 17),
    ("SIGTSTP", 18),
    ("SIGCONT", 19),
    ("SIGCHLD", 20),
    ("SIGTTIN", 21),
    ("SIGTTOU", 22),
    ("SIGIO", 23),
    ("SIGXCPU", 24),
    ("SIGXFSZ", 25),
    ("SIGVTALRM", 26),
    ("SIGPROF", 27),
    ("SIGWINCH", 28),
    ("SIGLOST", 29),
    ("SIGUSR1", 30),
    ("SIGUSR2", 31),
    ("SIGPWR", 32),
    ("SIGPOLL", 33),
    ("SIGWIND", 34),
    ("SIGPHONE", 35),
    ("SIGWAITING", 36),
    ("SIGLWP", 37),
    ("SIGDANGER", 38),
    ("SIGGRANT", 39),
    ("SIGRETRACT", 40),
    ("SIGMSG", 41),
    ("SIGSOUND", 42),
    ("SIGSAK", 43),
    ("SIGPRIO", 44),
    ("SIGINFO", 142),
    ("SIGLIBRT", 151),
];

/// gdb's number for "real-time event n" (`SIGn`, its numbering has gaps).
fn numbered(n: u32) -> Option<u8> {
    match n {
        32 => Some(77),
        33..=63 => Some((45 + n - 33) as u8),
        64 => Some(78),
        65..=127 => Some((79 + n - 65) as u8),
        _ => None,
    }
}

/// The n of gdb's `SIGn` number, the inverse of `numbered`.
fn unnumbered(g: u8) -> Option<u32> {
    match g {
        77 => Some(32),
        45..=75 => Some(u32::from(g) - 45 + 33),
        78 => Some(64),
        79..=141 => Some(u32::from(g) - 79 + 65),
        _ => None,
    }
}

/// gdb's number for guest signal `sig` whose guest name is `name`
/// (`SIG?` when the guest has none): by name, else as `SIGn`; 143
/// ("unknown") when neither fits.
pub fn to_gdb(sig: u32, name: &str) -> u8 {
    NAMED.iter().find(|(n, _)| *n == name).map(|(_, g)| *g).or_else(|| numbered(sig)).unwrap_or(143)
}

/// The guest signal for gdb's number `g`, given the guest's names for its
/// signals 1..=max.
pub fn from_gdb(g: u8, max: u32, name: impl Fn(u32) -> &'static str) -> Option<u32> {
    if g == 0 {
        return None;
    }
    if let Some((n, _)) = NAMED.iter().find(|(_, v)| *v == g)
        && let Some(s) = (1..=max).find(|&s| name(s) == *n)
    {
        return Some(s);
    }
    unnumbered(g).filter(|&s| s <= max && to_gdb(s, name(s)) == g)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dfly_name(s: u32) -> &'static str {
        match s {
            2 => "SIGINT",
            5 => "SIGTRAP",
            11 => "SIGSEGV",
            16 => "SIGURG",
            29 => "SIGINFO",
            30 => "SIGUSR1",
            32 => "SIGTHR",
            _ => "SIG?",
        }
    }

    #[test]
    fn dragonfly_signals_get_gdbs_numbers_by_name() {
        assert_eq!(to_gdb(11, "SIGSEGV"), 11);
        assert_eq!(to_gdb(29, "SIGINFO"), 142);
        assert_eq!(to_gdb(30, "SIGUSR1"), 30);
        // DragonFly's SIGTHR has no gdb name: shown as SIG32.
        assert_eq!(to_gdb(32, "SIGTHR"), 77);
        // A real-time signal.
        assert_eq!(to_gdb(65, "SIG?"), 79);
        assert_eq!(to_gdb(200, "SIG?"), 143);
    }

    #[test]
    fn gdbs_numbers_come_back_to_the_guests() {
        assert_eq!(from_gdb(11, 128, dfly_name), Some(11));
        assert_eq!(from_gdb(142, 128, dfly_name), Some(29));
        assert_eq!(from_gdb(77, 128, dfly_name), Some(32));
        assert_eq!(from_gdb(79, 128, dfly_name), Some(65));
        assert_eq!(from_gdb(0, 128, dfly_name), None);
        // gdb's SIGPWR: DragonFly has none.
        assert_eq!(from_gdb(32, 128, dfly_name), None);
        for s in 1..=128 {
            let g = to_gdb(s, dfly_name(s));
            if g != 143 {
                assert_eq!(from_gdb(g, 128, dfly_name), Some(s), "signal {s}");
            }
        }
    }
}
