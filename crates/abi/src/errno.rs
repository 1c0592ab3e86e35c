//! The DragonFly errno type. The numbers are in `generated::errno`.

use std::num::NonZeroU16;

pub use crate::generated::errno::*;

/// A DragonFly errno value (never a Linux one).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Errno(NonZeroU16);

impl Errno {
    /// Builds an errno in a constant; panics at compile time on zero.
    pub const fn new_const(n: u16) -> Errno {
        match NonZeroU16::new(n) {
            Some(v) => Errno(v),
            None => panic!("errno 0"),
        }
    }

    /// The number the guest sees.
    pub const fn get(self) -> u16 {
        self.0.get()
    }

    /// Looks a number up; `None` for 0 or an unknown number.
    pub fn from_raw(n: u16) -> Option<Errno> {
        ERRNO_TABLE.iter().find(|r| r.0 == n).map(|r| Errno::new_const(r.0))
    }

    /// The symbolic name, e.g. `ENOENT`.
    pub fn name(self) -> &'static str {
        ERRNO_TABLE.iter().find(|r| r.0 == self.get()).map_or("E?", |r| r.1)
    }

    /// DragonFly's message text, as `strerror` gives it.
    pub fn message(self) -> &'static str {
        ERRNO_TABLE.iter().find(|r| r.0 == self.get()).map_or("Unknown error", |r| r.2)
    }
}

impl std::fmt::Debug for Errno {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}({})", self.name(), self.get())
    }
}

impl std::fmt::Display for Errno {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.name(), self.message())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errno_names_and_aliases() {
        assert_eq!(ENOENT.get(), 2);
        assert_eq!(EAGAIN.get(), 35);
        assert_eq!(EWOULDBLOCK, EAGAIN);
        assert_eq!(EOPNOTSUPP.get(), 45);
        assert_eq!(ENOSYS.get(), 78);
        assert_eq!(ELAST, 99);
        assert_eq!(EMLINK.name(), "EMLINK");
        assert_eq!(ENOENT.message(), "No such file or directory");
        assert_eq!(Errno::from_raw(94), None);
    }
}
