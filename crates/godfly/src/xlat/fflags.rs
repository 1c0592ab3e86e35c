//! BSD file flags (`chflags`, `st_flags`) and Linux inode flags. The
//! BSDs number them alike (`sys/stat.h`: UF_NODUMP 0x1 ... SF_APPEND
//! 0x40000). Linux has three of them: its immutable and append-only are
//! the system flags (only a privileged process sets or clears them, as
//! SF_IMMUTABLE and SF_APPEND), and no-dump is the owner's UF_NODUMP.
//! The owner-settable UF_IMMUTABLE and UF_APPEND, and the rest, have no
//! Linux counterpart.

/// Do not dump.
pub const UF_NODUMP: u32 = 0x0000_0001;
/// System immutable.
pub const SF_IMMUTABLE: u32 = 0x0002_0000;
/// System append-only.
pub const SF_APPEND: u32 = 0x0004_0000;

/// Linux inode flags (`linux/fs.h`).
pub const FS_IMMUTABLE_FL: u32 = 0x0000_0010;
pub const FS_APPEND_FL: u32 = 0x0000_0020;
pub const FS_NODUMP_FL: u32 = 0x0000_0040;
/// The inode flags a BSD flag word decides.
pub const FS_MAPPED: u32 = FS_IMMUTABLE_FL | FS_APPEND_FL | FS_NODUMP_FL;

/// `statx` attribute bits (`linux/stat.h`).
const STATX_ATTR_IMMUTABLE: u64 = 0x10;
const STATX_ATTR_APPEND: u64 = 0x20;
const STATX_ATTR_NODUMP: u64 = 0x40;

const PAIRS: [(u32, u32); 3] = [(UF_NODUMP, FS_NODUMP_FL), (SF_IMMUTABLE, FS_IMMUTABLE_FL), (SF_APPEND, FS_APPEND_FL)];

/// A BSD flag word as Linux inode flags; None if it holds a flag Linux
/// cannot keep.
pub fn to_inode(bsd: u32) -> Option<u32> {
    let mut out = 0;
    let mut rest = bsd;
    for (b, l) in PAIRS {
        if bsd & b != 0 {
            out |= l;
            rest &= !b;
        }
    }
    (rest == 0).then_some(out)
}

/// `st_flags` from a file's `statx` attributes.
pub fn from_statx_attrs(attrs: u64) -> u32 {
    let mut f = 0;
    if attrs & STATX_ATTR_NODUMP != 0 {
        f |= UF_NODUMP;
    }
    if attrs & STATX_ATTR_IMMUTABLE != 0 {
        f |= SF_IMMUTABLE;
    }
    if attrs & STATX_ATTR_APPEND != 0 {
        f |= SF_APPEND;
    }
    f
}

/// The inode flags to set: `cur` with the mapped ones replaced.
pub fn merge(cur: u32, wanted: u32) -> u32 {
    (cur & !FS_MAPPED) | wanted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_shared_flags_map_and_the_rest_are_refused() {
        assert_eq!(to_inode(0), Some(0));
        assert_eq!(to_inode(UF_NODUMP), Some(FS_NODUMP_FL));
        assert_eq!(to_inode(SF_IMMUTABLE | SF_APPEND), Some(FS_IMMUTABLE_FL | FS_APPEND_FL));
        assert_eq!(to_inode(0x2), None, "UF_IMMUTABLE");
        assert_eq!(to_inode(0x10), None, "UF_NOUNLINK");
        assert_eq!(to_inode(UF_NODUMP | 0x10_0000), None, "SF_NOUNLINK");
    }

    #[test]
    fn statx_attributes_read_back_as_the_flags_set() {
        assert_eq!(from_statx_attrs(0x40), UF_NODUMP);
        assert_eq!(from_statx_attrs(0x10 | 0x20), SF_IMMUTABLE | SF_APPEND);
        assert_eq!(from_statx_attrs(0x4 | 0x800), 0, "compressed, encrypted: not BSD flags");
        assert_eq!(merge(0x8_0000 | FS_NODUMP_FL, FS_IMMUTABLE_FL), 0x8_0000 | FS_IMMUTABLE_FL);
    }
}
