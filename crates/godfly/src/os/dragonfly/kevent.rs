//! DragonFly's `struct kevent` (32 bytes) and filter numbers.

use godfly_abi::dragonfly::consts as d;
use godfly_abi::dragonfly::layout::Kevent as Raw;

use crate::host::Errno;
use crate::mem;
use crate::xlat::kevent::{Filter, Kevent};

/// The filter a DragonFly number names.
pub fn filter(nr: i16) -> Option<Filter> {
    Some(match i32::from(nr) {
        d::EVFILT_READ => Filter::Read,
        d::EVFILT_WRITE => Filter::Write,
        d::EVFILT_AIO => Filter::Aio,
        d::EVFILT_VNODE => Filter::Vnode,
        d::EVFILT_PROC => Filter::Proc,
        d::EVFILT_SIGNAL => Filter::Signal,
        d::EVFILT_TIMER => Filter::Timer,
        d::EVFILT_EXCEPT => Filter::Except,
        d::EVFILT_USER => Filter::User,
        d::EVFILT_FS => Filter::Fs,
        _ => return None,
    })
}

fn from_raw(r: &Raw) -> Kevent {
    Kevent {
        ident: r.ident,
        filter: r.filter,
        flags: r.flags,
        fflags: r.fflags,
        data: r.data,
        udata: r.udata,
        ext: [0; 4],
    }
}

fn to_raw(k: &Kevent) -> Raw {
    Raw { ident: k.ident, filter: k.filter, flags: k.flags, fflags: k.fflags, data: k.data, udata: k.udata }
}

/// Address of entry `i` of a guest kevent array.
fn entry(addr: u64, i: usize) -> u64 {
    addr.wrapping_add((i as u64).wrapping_mul(std::mem::size_of::<Raw>() as u64))
}

/// Reads kevents `first..first + n` of a guest array (the caller bounds `n`).
pub fn read_changes(addr: u64, first: usize, n: usize) -> Result<Vec<Kevent>, Errno> {
    let raw: Vec<Raw> = mem::read_vec(entry(addr, first), n)?;
    Ok(raw.iter().map(from_raw).collect())
}

/// Writes kevents into a guest array from entry `first` on.
pub fn write_events(addr: u64, first: usize, events: &[Kevent]) -> Result<(), Errno> {
    if events.is_empty() {
        return Ok(());
    }
    let raw: Vec<Raw> = events.iter().map(to_raw).collect();
    mem::write_bytes(entry(addr, first), zerocopy::IntoBytes::as_bytes(raw.as_slice()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sys::kqueue::knote;

    #[test]
    fn the_neutral_flag_bits_are_dragonflys() {
        assert_eq!(i32::from(knote::EV_ADD), d::EV_ADD);
        assert_eq!(i32::from(knote::EV_DELETE), d::EV_DELETE);
        assert_eq!(i32::from(knote::EV_ENABLE), d::EV_ENABLE);
        assert_eq!(i32::from(knote::EV_DISABLE), d::EV_DISABLE);
        assert_eq!(i32::from(knote::EV_ONESHOT), d::EV_ONESHOT);
        assert_eq!(i32::from(knote::EV_CLEAR), d::EV_CLEAR);
        assert_eq!(i32::from(knote::EV_RECEIPT), d::EV_RECEIPT);
        assert_eq!(i32::from(knote::EV_DISPATCH), d::EV_DISPATCH);
        assert_eq!(i32::from(knote::EV_EOF), d::EV_EOF);
        assert_eq!(i32::from(knote::EV_ERROR), d::EV_ERROR);
        assert_eq!(knote::NOTE_FFAND, d::NOTE_FFAND as u32);
        assert_eq!(knote::NOTE_FFOR, d::NOTE_FFOR);
        assert_eq!(knote::NOTE_FFCOPY, d::NOTE_FFCOPY);
        assert_eq!(knote::NOTE_FFCTRLMASK, d::NOTE_FFCTRLMASK);
        assert_eq!(knote::NOTE_FFLAGSMASK, d::NOTE_FFLAGSMASK as u32);
        assert_eq!(knote::NOTE_TRIGGER, d::NOTE_TRIGGER as u32);
        assert_eq!(knote::NOTE_EXIT, d::NOTE_EXIT);
    }

    #[test]
    fn filters_round_trip_through_the_guest_layout() {
        assert_eq!(filter(d::EVFILT_USER as i16), Some(Filter::User));
        assert_eq!(filter(-42), None);
        let k = Kevent { ident: 3, filter: -1, flags: 1, fflags: 2, data: 4, udata: 5, ext: [0; 4] };
        assert_eq!(from_raw(&to_raw(&k)), k);
    }
}
