//! FreeBSD `struct dirent` records (`sys/sys/dirent.h`): a 24-byte head
//! with `d_off` (the offset of the next entry) and `d_reclen`, the name,
//! its NUL, padding to 8.

use godfly_abi::freebsd::layout::{DirentHead, dirent_reclen};
use zerocopy::IntoBytes;

use crate::xlat::dirent::Entry;

/// Appends the FreeBSD record for `e` to `out`.
pub fn push(out: &mut Vec<u8>, e: &Entry<'_>) {
    let reclen = dirent_reclen(e.name.len());
    let head = DirentHead {
        d_fileno: e.ino,
        d_off: e.next_off,
        d_reclen: reclen as u16,
        d_type: e.d_type,
        d_pad0: 0,
        d_namlen: e.name.len() as u16,
        d_pad1: 0,
    };
    let start = out.len();
    out.extend_from_slice(head.as_bytes());
    out.extend_from_slice(e.name);
    out.resize(start + reclen, 0);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xlat::dirent::parse_linux;
    use crate::xlat::dirent::tests::linux_record;

    #[test]
    fn linux_records_become_freebsd_records_with_reclen_and_off() {
        let mut buf = linux_record(7, 100, 4, ".");
        buf.extend(linux_record(9, 200, 8, "hello.txt"));
        let mut out = Vec::new();
        for e in &parse_linux(&buf) {
            push(&mut out, e);
        }
        assert_eq!(out.len(), 32 + 40);
        assert_eq!(u16::from_ne_bytes([out[16], out[17]]), 32);
        let second = &out[32..];
        assert_eq!(u64::from_ne_bytes(second[0..8].try_into().unwrap()), 9);
        assert_eq!(i64::from_ne_bytes(second[8..16].try_into().unwrap()), 200);
        assert_eq!(u16::from_ne_bytes([second[16], second[17]]), 40);
        assert_eq!(second[18], 8);
        assert_eq!(u16::from_ne_bytes([second[20], second[21]]), 9);
        assert_eq!(&second[24..33], b"hello.txt");
        assert_eq!(second[33], 0);
    }
}
