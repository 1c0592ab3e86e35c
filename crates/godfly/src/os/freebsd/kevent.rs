//! FreeBSD's two `struct kevent`s: the 64-byte one with `ext[4]` (`kevent`,
//! 560, which Go's runtime calls) and the 32-byte `freebsd11_kevent` (363,
//! which Go's `syscall.Kevent` still calls), and the filter numbers.

use godfly_abi::freebsd::consts as f;
use godfly_abi::freebsd::layout::{Kevent as Raw, Kevent11 as Raw11};

use crate::host::Errno;
use crate::mem;
use crate::xlat::kevent::{Filter, Kevent};

/// The filter a FreeBSD number names (EVFILT_USER is -11 here, -9 on
/// DragonFly).
pub fn filter(nr: i16) -> Option<Filter> {
    Some(match i32::from(nr) {
        f::EVFILT_READ => Filter::Read,
        f::EVFILT_WRITE => Filter::Write,
        f::EVFILT_AIO => Filter::Aio,
        f::EVFILT_VNODE => Filter::Vnode,
        f::EVFILT_PROC => Filter::Proc,
        f::EVFILT_SIGNAL => Filter::Signal,
        f::EVFILT_TIMER => Filter::Timer,
        f::EVFILT_USER => Filter::User,
        f::EVFILT_FS => Filter::Fs,
        _ => return None,
    })
}

fn entry(addr: u64, i: usize, size: usize) -> u64 {
    addr.wrapping_add((i as u64).wrapping_mul(size as u64))
}

/// Reads kevents `first..first + n` of a guest array (the caller bounds `n`).
pub fn read_changes(addr: u64, first: usize, n: usize) -> Result<Vec<Kevent>, Errno> {
    let raw: Vec<Raw> = mem::read_vec(entry(addr, first, size_of::<Raw>()), n)?;
    Ok(raw
        .iter()
        .map(|r| Kevent {
            ident: r.ident,
            filter: r.filter,
            flags: r.flags,
            fflags: r.fflags,
            data: r.data,
            udata: r.udata,
            ext: r.ext,
        })
        .collect())
}

/// Writes kevents into a guest array from entry `first` on.
pub fn write_events(addr: u64, first: usize, events: &[Kevent]) -> Result<(), Errno> {
    if events.is_empty() {
        return Ok(());
    }
    let raw: Vec<Raw> = events
        .iter()
        .map(|k| Raw {
            ident: k.ident,
            filter: k.filter,
            flags: k.flags,
            fflags: k.fflags,
            data: k.data,
            udata: k.udata,
            ext: k.ext,
        })
        .collect();
    mem::write_bytes(entry(addr, first, size_of::<Raw>()), zerocopy::IntoBytes::as_bytes(raw.as_slice()))
}

/// `read_changes` for the 32-byte layout.
pub fn read_changes11(addr: u64, first: usize, n: usize) -> Result<Vec<Kevent>, Errno> {
    let raw: Vec<Raw11> = mem::read_vec(entry(addr, first, size_of::<Raw11>()), n)?;
    Ok(raw
        .iter()
        .map(|r| Kevent {
            ident: r.ident,
            filter: r.filter,
            flags: r.flags,
            fflags: r.fflags,
            data: r.data,
            udata: r.udata,
            ext: [0; 4],
        })
        .collect())
}

/// `write_events` for the 32-byte layout.
pub fn write_events11(addr: u64, first: usize, events: &[Kevent]) -> Result<(), Errno> {
    if events.is_empty() {
        return Ok(());
    }
    let raw: Vec<Raw11> = events
        .iter()
        .map(|k| Raw11 {
            ident: k.ident,
            filter: k.filter,
            flags: k.flags,
            fflags: k.fflags,
            data: k.data,
            udata: k.udata,
        })
        .collect();
    mem::write_bytes(entry(addr, first, size_of::<Raw11>()), zerocopy::IntoBytes::as_bytes(raw.as_slice()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sys::kqueue::knote;

    #[test]
    fn the_neutral_flag_bits_are_freebsds() {
        assert_eq!(i32::from(knote::EV_ADD), f::EV_ADD);
        assert_eq!(i32::from(knote::EV_DELETE), f::EV_DELETE);
        assert_eq!(i32::from(knote::EV_ENABLE), f::EV_ENABLE);
        assert_eq!(i32::from(knote::EV_DISABLE), f::EV_DISABLE);
        assert_eq!(i32::from(knote::EV_ONESHOT), f::EV_ONESHOT);
        assert_eq!(i32::from(knote::EV_CLEAR), f::EV_CLEAR);
        assert_eq!(i32::from(knote::EV_RECEIPT), f::EV_RECEIPT);
        assert_eq!(i32::from(knote::EV_DISPATCH), f::EV_DISPATCH);
        assert_eq!(i32::from(knote::EV_EOF), f::EV_EOF);
        assert_eq!(i32::from(knote::EV_ERROR), f::EV_ERROR);
        assert_eq!(knote::NOTE_TRIGGER, f::NOTE_TRIGGER as u32);
        assert_eq!(knote::NOTE_FFCOPY, f::NOTE_FFCOPY);
        assert_eq!(knote::NOTE_EXIT, f::NOTE_EXIT);
    }

    #[test]
    fn evfilt_user_is_minus_11() {
        assert_eq!(filter(-11), Some(Filter::User));
        assert_eq!(filter(-9), Some(Filter::Fs));
        assert_eq!(filter(-13), None);
    }
}
