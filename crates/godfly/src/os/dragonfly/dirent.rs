//! DragonFly `struct dirent` records (`sys/sys/dirent.h`), which have no
//! `d_reclen`: the length follows from `d_namlen`.

use godfly_abi::dragonfly::layout::{DirentHead, dirent_reclen};
use zerocopy::IntoBytes;

use crate::xlat::dirent::Entry;

/// Appends the DragonFly record for `e` to `out`.
pub fn push(out: &mut Vec<u8>, e: &Entry<'_>) {
    let head = DirentHead { d_ino: e.ino, d_namlen: e.name.len() as u16, d_type: e.d_type, d_unused1: 0, d_unused2: 0 };
    let start = out.len();
    out.extend_from_slice(head.as_bytes());
    out.extend_from_slice(e.name);
    out.resize(start + dirent_reclen(e.name.len()), 0);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xlat::dirent::parse_linux;
    use crate::xlat::dirent::tests::linux_record;

    #[test]
    fn linux_records_become_dragonfly_records() {
        let mut buf = linux_record(7, 100, 4, ".");
        buf.extend(linux_record(9, 200, 8, "hello.txt"));
        let entries = parse_linux(&buf);
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[1].name, b"hello.txt");
        assert_eq!(entries[1].next_off, 200);
        let mut out = Vec::new();
        for e in &entries {
            push(&mut out, e);
        }
        assert_eq!(out.len(), 24 + 32);
        assert_eq!(u64::from_ne_bytes(out[24..32].try_into().unwrap()), 9);
        assert_eq!(u16::from_ne_bytes([out[32], out[33]]), 9);
        assert_eq!(out[34], 8);
        assert_eq!(&out[40..49], b"hello.txt");
        assert_eq!(out[49], 0);
    }
}
