//! kqueue's vocabulary: the filters, named whatever number a guest gives
//! them, and a kevent in neutral form.

/// The filters, whatever number the guest gives them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Filter {
    Read,
    Write,
    Aio,
    Vnode,
    Proc,
    Signal,
    Timer,
    User,
    Except,
    Fs,
}

impl Filter {
    /// Whether the knote's ident is a descriptor (closing it drops the knote).
    pub fn on_fd(self) -> bool {
        matches!(self, Filter::Read | Filter::Write | Filter::Vnode)
    }

    /// Whether godfly implements the filter (the rest answer ENOSYS).
    pub fn supported(self) -> bool {
        matches!(
            self,
            Filter::Read | Filter::Write | Filter::Vnode | Filter::User | Filter::Timer | Filter::Proc | Filter::Signal
        )
    }
}

/// A kevent in neutral form: the guest's filter number kept as given (an
/// EV_ERROR event echoes it back).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Kevent {
    pub ident: u64,
    pub filter: i16,
    pub flags: u16,
    pub fflags: u32,
    pub data: i64,
    pub udata: u64,
    /// FreeBSD's `ext[4]` (zero where the layout has none).
    pub ext: [u64; 4],
}
