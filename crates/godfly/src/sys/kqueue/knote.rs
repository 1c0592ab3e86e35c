//! The knote state machine of a kqueue, with no host calls: what a change
//! does to a knote, which epoll events a descriptor's knotes need, which
//! events a host wake-up reports, and what delivery does to a knote
//! (EV_ONESHOT deletes, EV_DISPATCH disables, EV_CLEAR resets). The glue
//! in `epoll` carries these decisions out on the host.
//!
//! The EV_ and NOTE_ bits are the BSDs' (the same on DragonFly and
//! FreeBSD); filters are neutral (`xlat::kevent::Filter`), the personality
//! numbers them.

use crate::host::Errno;
use crate::host::errno::EINVAL;
pub use crate::xlat::kevent::{Filter, Kevent};

pub const EV_ADD: u16 = 0x0001;
pub const EV_DELETE: u16 = 0x0002;
pub const EV_ENABLE: u16 = 0x0004;
pub const EV_DISABLE: u16 = 0x0008;
pub const EV_ONESHOT: u16 = 0x0010;
pub const EV_CLEAR: u16 = 0x0020;
pub const EV_RECEIPT: u16 = 0x0040;
pub const EV_DISPATCH: u16 = 0x0080;
pub const EV_EOF: u16 = 0x8000;
pub const EV_ERROR: u16 = 0x4000;

pub const NOTE_FFNOP: u32 = 0x0000_0000;
pub const NOTE_FFAND: u32 = 0x4000_0000;
pub const NOTE_FFOR: u32 = 0x8000_0000;
pub const NOTE_FFCOPY: u32 = 0xc000_0000;
pub const NOTE_FFCTRLMASK: u32 = 0xc000_0000;
pub const NOTE_FFLAGSMASK: u32 = 0x00ff_ffff;
pub const NOTE_TRIGGER: u32 = 0x0100_0000;
pub const NOTE_EXIT: u32 = 0x8000_0000;

/// EVFILT_VNODE notes (the same on DragonFly and FreeBSD).
pub const NOTE_DELETE: u32 = 0x0001;
pub const NOTE_WRITE: u32 = 0x0002;
pub const NOTE_EXTEND: u32 = 0x0004;
pub const NOTE_ATTRIB: u32 = 0x0008;
pub const NOTE_LINK: u32 = 0x0010;
pub const NOTE_RENAME: u32 = 0x0020;
pub const NOTE_REVOKE: u32 = 0x0040;

/// Flags a knote remembers and reports back.
pub const KEPT_FLAGS: u16 = EV_ADD | EV_ONESHOT | EV_CLEAR | EV_DISPATCH;

/// One knote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Knote {
    /// The guest's number of the filter (reported back).
    pub filter_nr: i16,
    pub flags: u16,
    pub fflags: u32,
    pub data: i64,
    pub udata: u64,
    pub enabled: bool,
    /// EVFILT_USER and EVFILT_SIGNAL: triggered and not yet delivered.
    pub triggered: bool,
    /// The host descriptor behind it: the timerfd of a timer, the pidfd of
    /// a process knote; -1 for none.
    pub helper: i32,
    /// EVFILT_VNODE: what is watched (the guest's mask; `fflags` collects
    /// what happened), and what the file was when last looked at.
    pub vnode: Option<VnodeWatch>,
}

/// An EVFILT_VNODE knote's inotify side and the file's last known state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VnodeWatch {
    pub wd: i32,
    pub mask: u32,
    pub is_dir: bool,
    pub size: i64,
    pub nlink: u64,
}

/// What an inotify event says, with the file's state after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileEvent {
    /// IN_* bits.
    pub mask: u32,
    /// The event names an entry of a watched directory (not the directory).
    pub has_name: bool,
    /// `st_size` and `st_nlink` of the watched file now (None if fstat failed).
    pub now: Option<(i64, u64)>,
}

/// The NOTE_ hint DragonFly's HAMMER2 (its default filesystem) posts for
/// what an inotify event reports, updating the watch's last known state:
/// a write or truncation is WRITE, with EXTEND when the file grew (Linux
/// reports both alike, so a truncation to the same size is WRITE where
/// HAMMER2 posts nothing); chmod, chown, utimes
/// ATTRIB; a new link LINK; the last link gone DELETE (one of several
/// gone: nothing); a rename of the file RENAME. A directory gets WRITE for
/// an entry created, removed or renamed, with LINK for a subdirectory made
/// or removed, and nothing for its entries' own changes.
pub fn vnode_hint(w: &mut VnodeWatch, ev: &FileEvent) -> u32 {
    const IN_MODIFY: u32 = 0x2;
    const IN_ATTRIB: u32 = 0x4;
    const IN_MOVED_FROM: u32 = 0x40;
    const IN_MOVED_TO: u32 = 0x80;
    const IN_CREATE: u32 = 0x100;
    const IN_DELETE: u32 = 0x200;
    const IN_DELETE_SELF: u32 = 0x400;
    const IN_MOVE_SELF: u32 = 0x800;
    const IN_UNMOUNT: u32 = 0x2000;
    const IN_ISDIR: u32 = 0x4000_0000;
    let m = ev.mask;
    if m & IN_UNMOUNT != 0 {
        return NOTE_REVOKE;
    }
    let mut hint = 0;
    if w.is_dir && ev.has_name {
        if m & (IN_CREATE | IN_DELETE) != 0 {
            hint |= NOTE_WRITE | if m & IN_ISDIR != 0 { NOTE_LINK } else { 0 };
        }
        if m & (IN_MOVED_FROM | IN_MOVED_TO) != 0 {
            hint |= NOTE_WRITE;
        }
        return hint;
    }
    let (size, nlink) = ev.now.unwrap_or((w.size, w.nlink));
    if m & IN_MODIFY != 0 && !w.is_dir {
        hint |= NOTE_WRITE | if size > w.size { NOTE_EXTEND } else { 0 };
    } else if m & IN_ATTRIB != 0 {
        if nlink == 0 && w.nlink > 0 {
            hint |= NOTE_DELETE;
        } else if nlink > w.nlink {
            hint |= NOTE_LINK;
        } else if nlink == w.nlink {
            hint |= NOTE_ATTRIB;
        }
    }
    if m & IN_DELETE_SELF != 0 && w.nlink > 0 {
        hint |= NOTE_DELETE;
    }
    if m & IN_MOVE_SELF != 0 {
        hint |= NOTE_RENAME;
    }
    w.size = size;
    w.nlink = if m & IN_DELETE_SELF != 0 { 0 } else { nlink };
    hint
}

impl Knote {
    /// A knote an EV_ADD creates.
    pub fn new(filter_nr: i16) -> Knote {
        Knote {
            filter_nr,
            flags: 0,
            fflags: 0,
            data: 0,
            udata: 0,
            enabled: true,
            triggered: false,
            helper: -1,
            vnode: None,
        }
    }

    /// Applies an EV_ADD (to a new or an existing knote).
    pub fn add(&mut self, existed: bool, ch: &Kevent, filter: Filter) -> Result<(), Errno> {
        self.flags = ch.flags & KEPT_FLAGS;
        self.udata = ch.udata;
        if ch.flags & EV_DISABLE != 0 {
            self.enabled = false;
        } else if !existed || ch.flags & EV_ENABLE != 0 {
            self.enabled = true;
        }
        match filter {
            Filter::User => self.user_change(ch.fflags),
            Filter::Timer => {
                if ch.data < 0 {
                    return Err(EINVAL);
                }
                self.data = ch.data;
            }
            Filter::Proc => self.fflags = ch.fflags,
            Filter::Vnode => {
                if let Some(w) = self.vnode.as_mut() {
                    w.mask = ch.fflags;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Applies a change without EV_ADD (and without EV_DELETE).
    pub fn modify(&mut self, ch: &Kevent, filter: Filter) {
        if ch.flags & EV_ENABLE != 0 {
            self.enabled = true;
        }
        if ch.flags & EV_DISABLE != 0 {
            self.enabled = false;
        }
        if filter == Filter::User {
            self.user_change(ch.fflags);
        }
    }

    fn user_change(&mut self, fflags: u32) {
        self.fflags = user_fflags(self.fflags, fflags);
        if fflags & NOTE_TRIGGER != 0 {
            self.triggered = true;
        }
    }

    /// Whether the knote wants the kqueue's waiter woken now.
    pub fn wants_wake(&self) -> bool {
        self.triggered && self.enabled
    }

    /// EVFILT_VNODE: takes a hint as DragonFly's filters do: the whole hint
    /// is kept if any of its bits is watched, else dropped.
    pub fn vnode_note(&mut self, hint: u32) {
        let Some(w) = self.vnode else { return };
        if w.mask & hint != 0 {
            self.fflags |= hint;
            self.triggered = true;
        }
    }

    /// The event of a user or signal knote that is being reported, and the
    /// reset that follows: signal counts restart, EV_CLEAR user knotes
    /// forget the trigger and the flags.
    pub fn take_triggered(&mut self, ident: u64, filter: Filter) -> Kevent {
        let ev = self.event(ident, self.flags, self.fflags, self.data);
        if filter == Filter::Signal {
            self.triggered = false;
            self.data = 0;
        } else if filter == Filter::Vnode {
            // Reported level-triggered until EV_CLEAR clears what collected.
            if self.flags & EV_CLEAR != 0 {
                self.triggered = false;
                self.fflags = 0;
            }
        } else if self.flags & EV_CLEAR != 0 {
            self.triggered = false;
            self.fflags = 0;
        }
        ev
    }

    /// An event for this knote.
    pub fn event(&self, ident: u64, flags: u16, fflags: u32, data: i64) -> Kevent {
        Kevent { ident, filter: self.filter_nr, flags, fflags, data, udata: self.udata, ext: [0; 4] }
    }

    /// What delivering an event does to the knote.
    pub fn after_delivery(&mut self) -> Retire {
        if self.flags & EV_ONESHOT != 0 {
            Retire::Delete
        } else if self.flags & EV_DISPATCH != 0 {
            self.enabled = false;
            Retire::Disabled
        } else {
            Retire::Keep
        }
    }
}

/// What delivery did to a knote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retire {
    /// EV_ONESHOT: the knote goes.
    Delete,
    /// EV_DISPATCH: the knote stays, disabled.
    Disabled,
    /// It stays as it was.
    Keep,
}

/// Applies NOTE_FFAND/FFOR/FFCOPY to a user knote's fflags.
pub fn user_fflags(old: u32, new: u32) -> u32 {
    let val = new & NOTE_FFLAGSMASK;
    match new & NOTE_FFCTRLMASK {
        x if x == NOTE_FFAND => old & val,
        x if x == NOTE_FFOR => old | val,
        x if x == NOTE_FFCOPY => val,
        _ => old,
    }
}

/// The epoll registration a descriptor's enabled READ and WRITE knotes
/// need: `None` for none; otherwise the events, with EPOLLET when every
/// one of them has EV_CLEAR.
pub fn fd_events(read: Option<&Knote>, write: Option<&Knote>) -> Option<u32> {
    let mut events = 0u32;
    let mut all_clear = true;
    for (n, bit) in [(read, libc::EPOLLIN as u32), (write, libc::EPOLLOUT as u32)] {
        if let Some(n) = n.filter(|n| n.enabled) {
            events |= bit;
            all_clear &= n.flags & EV_CLEAR != 0;
        }
    }
    if events == 0 {
        return None;
    }
    events |= libc::EPOLLRDHUP as u32;
    if all_clear {
        events |= libc::EPOLLET as u32;
    }
    Some(events)
}

/// What an epoll wake-up for a descriptor reports for one of its knotes:
/// the flags of the event, or `None` when that filter is not ready.
pub fn fd_ready(filter: Filter, knote: &Knote, bits: u32) -> Option<u16> {
    if !knote.enabled {
        return None;
    }
    let hup = bits & (libc::EPOLLHUP | libc::EPOLLRDHUP) as u32 != 0;
    let err = bits & libc::EPOLLERR as u32 != 0;
    let (want, eof) = match filter {
        Filter::Read => (libc::EPOLLIN as u32, hup),
        _ => (libc::EPOLLOUT as u32, bits & libc::EPOLLHUP as u32 != 0),
    };
    if bits & want == 0 && !eof && !err {
        return None;
    }
    Some(if eof || err { knote.flags | EV_EOF } else { knote.flags })
}

/// Whether an event left over from an earlier round may still be
/// reported: ONESHOT and DISPATCH knotes were retired when it was taken;
/// for the others the knote must still be there and enabled.
pub fn backlog_keeps(ev: &Kevent, knote: Option<&Knote>) -> bool {
    ev.flags & (EV_ONESHOT | EV_DISPATCH) != 0 || knote.is_some_and(|n| n.enabled)
}

/// The timerfd setting for an EVFILT_TIMER period of `ms` milliseconds:
/// (interval, first expiry) in nanoseconds. A disabled timer is disarmed
/// (first expiry 0); a period of 0 fires at once.
pub fn timer_spec(ms: i64, oneshot: bool, enabled: bool) -> (i64, i64) {
    let ns = ms.max(0).saturating_mul(1_000_000).max(if enabled { 1 } else { 0 });
    let interval = if oneshot { 0 } else { ns };
    (interval, if enabled { ns } else { 0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(flags: u16, fflags: u32, data: i64) -> Kevent {
        Kevent { ident: 1, filter: -9, flags, fflags, data, udata: 7, ext: [0; 4] }
    }

    fn watch(is_dir: bool) -> VnodeWatch {
        VnodeWatch { wd: 1, mask: 0x7f, is_dir, size: 10, nlink: 1 }
    }

    fn fe(mask: u32, has_name: bool, size: i64, nlink: u64) -> FileEvent {
        FileEvent { mask, has_name, now: Some((size, nlink)) }
    }

    #[test]
    fn inotify_events_become_hammer2_notes() {
        let mut w = watch(false);
        assert_eq!(vnode_hint(&mut w, &fe(0x2, false, 20, 1)), NOTE_WRITE | NOTE_EXTEND, "append");
        assert_eq!(vnode_hint(&mut w, &fe(0x2, false, 20, 1)), NOTE_WRITE, "overwrite in place");
        assert_eq!(vnode_hint(&mut w, &fe(0x2, false, 5, 1)), NOTE_WRITE, "truncate smaller");
        assert_eq!(vnode_hint(&mut w, &fe(0x4, false, 5, 1)), NOTE_ATTRIB, "chmod");
        assert_eq!(vnode_hint(&mut w, &fe(0x4, false, 5, 2)), NOTE_LINK, "link");
        assert_eq!(vnode_hint(&mut w, &fe(0x4, false, 5, 1)), 0, "one of two links gone");
        assert_eq!(vnode_hint(&mut w, &fe(0x4, false, 5, 0)), NOTE_DELETE, "the last link gone");
        assert_eq!(vnode_hint(&mut w, &fe(0x800, false, 5, 0)), NOTE_RENAME);
        let mut d = watch(true);
        assert_eq!(vnode_hint(&mut d, &fe(0x100, true, 0, 2)), NOTE_WRITE, "create");
        assert_eq!(vnode_hint(&mut d, &fe(0x4000_0100, true, 0, 2)), NOTE_WRITE | NOTE_LINK, "mkdir");
        assert_eq!(vnode_hint(&mut d, &fe(0x40, true, 0, 2)), NOTE_WRITE, "rename out");
        assert_eq!(vnode_hint(&mut d, &fe(0x2, true, 0, 2)), 0, "an entry's own write");
        assert_eq!(vnode_hint(&mut d, &fe(0x4, true, 0, 2)), 0, "an entry's own chmod");
    }

    #[test]
    fn vnode_hints_are_kept_whole_or_dropped() {
        let mut n = Knote::new(-4);
        n.vnode = Some(VnodeWatch { wd: 1, mask: NOTE_WRITE, is_dir: false, size: 0, nlink: 1 });
        n.vnode_note(NOTE_ATTRIB);
        assert_eq!((n.fflags, n.triggered), (0, false));
        n.vnode_note(NOTE_WRITE | NOTE_EXTEND);
        assert_eq!(n.fflags, NOTE_WRITE | NOTE_EXTEND, "the whole hint, EXTEND too");
        let ev = n.take_triggered(3, Filter::Vnode);
        assert_eq!((ev.fflags, ev.data), (NOTE_WRITE | NOTE_EXTEND, 0));
        assert!(n.triggered, "without EV_CLEAR it stays reported");
        n.flags = EV_CLEAR;
        n.take_triggered(3, Filter::Vnode);
        assert_eq!((n.fflags, n.triggered), (0, false));
    }

    #[test]
    fn user_fflags_control_bits() {
        assert_eq!(user_fflags(0b1100, NOTE_FFAND | 0b0100), 0b0100);
        assert_eq!(user_fflags(0b1000, NOTE_FFOR | 0b0001), 0b1001);
        assert_eq!(user_fflags(0b1000, NOTE_FFCOPY | 0b0011), 0b0011);
        assert_eq!(user_fflags(0b1000, NOTE_TRIGGER), 0b1000);
    }

    #[test]
    fn add_disable_enable_and_trigger_a_user_knote() {
        let mut n = Knote::new(-9);
        n.add(false, &change(EV_ADD | EV_CLEAR, 0, 0), Filter::User).unwrap();
        assert!(n.enabled && !n.triggered && n.udata == 7 && n.flags == EV_ADD | EV_CLEAR);
        n.modify(&change(EV_DISABLE, 0, 0), Filter::User);
        n.modify(&change(0, NOTE_TRIGGER | NOTE_FFCOPY | 5, 0), Filter::User);
        assert!(n.triggered && !n.wants_wake());
        n.modify(&change(EV_ENABLE, 0, 0), Filter::User);
        assert!(n.wants_wake());
        let ev = n.take_triggered(1, Filter::User);
        assert_eq!((ev.fflags, ev.udata, ev.filter), (5, 7, -9));
        assert!(!n.triggered && n.fflags == 0, "EV_CLEAR resets the user knote");
        // Re-adding an existing disabled knote keeps it disabled.
        n.modify(&change(EV_DISABLE, 0, 0), Filter::User);
        n.add(true, &change(EV_ADD, 0, 0), Filter::User).unwrap();
        assert!(!n.enabled);
    }

    #[test]
    fn oneshot_deletes_dispatch_disables_and_signals_restart_their_count() {
        let mut n = Knote::new(-1);
        n.flags = EV_ADD | EV_ONESHOT;
        assert_eq!(n.after_delivery(), Retire::Delete);
        n.flags = EV_ADD | EV_DISPATCH;
        assert_eq!(n.after_delivery(), Retire::Disabled);
        assert!(!n.enabled);
        let mut s = Knote::new(-6);
        s.data = 3;
        s.triggered = true;
        assert_eq!(s.take_triggered(15, Filter::Signal).data, 3);
        assert_eq!((s.data, s.triggered), (0, false));
    }

    #[test]
    fn negative_timer_periods_are_refused_and_specs_follow_the_flags() {
        let mut n = Knote::new(-7);
        assert_eq!(n.add(false, &change(EV_ADD, 0, -1), Filter::Timer), Err(EINVAL));
        assert_eq!(timer_spec(20, false, true), (20_000_000, 20_000_000));
        assert_eq!(timer_spec(20, true, true), (0, 20_000_000));
        assert_eq!(timer_spec(0, true, true), (0, 1));
        assert_eq!(timer_spec(20, false, false), (20_000_000, 0));
    }

    #[test]
    fn fd_registrations_are_edge_triggered_only_when_every_knote_clears() {
        let mut r = Knote::new(-1);
        r.flags = EV_ADD | EV_CLEAR;
        let mut w = Knote::new(-2);
        w.flags = EV_ADD;
        let base = libc::EPOLLRDHUP as u32;
        assert_eq!(fd_events(Some(&r), None), Some(libc::EPOLLIN as u32 | base | libc::EPOLLET as u32));
        assert_eq!(fd_events(Some(&r), Some(&w)), Some((libc::EPOLLIN | libc::EPOLLOUT) as u32 | base));
        w.enabled = false;
        r.enabled = false;
        assert_eq!(fd_events(Some(&r), Some(&w)), None);
    }

    #[test]
    fn hangups_report_eof_and_idle_filters_report_nothing() {
        let r = Knote::new(-1);
        assert_eq!(fd_ready(Filter::Read, &r, libc::EPOLLIN as u32), Some(0));
        assert_eq!(fd_ready(Filter::Read, &r, libc::EPOLLRDHUP as u32), Some(EV_EOF));
        assert_eq!(fd_ready(Filter::Write, &r, libc::EPOLLIN as u32), None);
        assert_eq!(fd_ready(Filter::Write, &r, libc::EPOLLHUP as u32), Some(EV_EOF));
        let ev = Kevent { flags: EV_ONESHOT, ..Kevent::default() };
        assert!(backlog_keeps(&ev, None));
        assert!(!backlog_keeps(&Kevent::default(), None));
    }
}
