//! Linux `getdents64` records to DragonFly `struct dirent` records, which
//! have no `d_reclen` (the length follows from `d_namlen`). The `DT_*`
//! type codes are the same on both systems.

use godfly_abi::layout::{DirentHead, dirent_reclen};
use zerocopy::IntoBytes;

/// Offset of `d_name` in a Linux `linux_dirent64`.
const LINUX_NAME_OFF: usize = 19;

/// One decoded Linux record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry<'a> {
    /// Inode number.
    pub ino: u64,
    /// Directory offset of the next record (`d_off`).
    pub next_off: i64,
    /// `DT_*` type.
    pub d_type: u8,
    /// Name without the NUL.
    pub name: &'a [u8],
}

/// Decodes a buffer filled by `getdents64`.
pub fn parse_linux(buf: &[u8]) -> Vec<Entry<'_>> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos + LINUX_NAME_OFF <= buf.len() {
        let rec = &buf[pos..];
        let ino = u64::from_ne_bytes(rec[0..8].try_into().unwrap_or_default());
        let off = i64::from_ne_bytes(rec[8..16].try_into().unwrap_or_default());
        let reclen = usize::from(u16::from_ne_bytes([rec[16], rec[17]]));
        if reclen < LINUX_NAME_OFF || pos + reclen > buf.len() {
            break;
        }
        let name_area = &rec[LINUX_NAME_OFF..reclen];
        let nlen = name_area.iter().position(|&b| b == 0).unwrap_or(name_area.len());
        out.push(Entry { ino, next_off: off, d_type: rec[18], name: &name_area[..nlen] });
        pos += reclen;
    }
    out
}

/// Appends the DragonFly record for `e` to `out`.
pub fn push_dragonfly(out: &mut Vec<u8>, e: &Entry<'_>) {
    let head = DirentHead { d_ino: e.ino, d_namlen: e.name.len() as u16, d_type: e.d_type, d_unused1: 0, d_unused2: 0 };
    let start = out.len();
    out.extend_from_slice(head.as_bytes());
    out.extend_from_slice(e.name);
    out.resize(start + dirent_reclen(e.name.len()), 0);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn linux_record(ino: u64, off: i64, ty: u8, name: &str) -> Vec<u8> {
        let reclen = (LINUX_NAME_OFF + name.len() + 1 + 7) & !7;
        let mut v = Vec::new();
        v.extend_from_slice(&ino.to_ne_bytes());
        v.extend_from_slice(&off.to_ne_bytes());
        v.extend_from_slice(&(reclen as u16).to_ne_bytes());
        v.push(ty);
        v.extend_from_slice(name.as_bytes());
        v.resize(reclen, 0);
        v
    }

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
            push_dragonfly(&mut out, e);
        }
        assert_eq!(out.len(), 24 + 32);
        assert_eq!(u64::from_ne_bytes(out[24..32].try_into().unwrap()), 9);
        assert_eq!(u16::from_ne_bytes([out[32], out[33]]), 9);
        assert_eq!(out[34], 8);
        assert_eq!(&out[40..49], b"hello.txt");
        assert_eq!(out[49], 0);
    }

    #[test]
    fn truncated_buffers_stop_cleanly() {
        let buf = linux_record(1, 1, 8, "abc");
        assert_eq!(parse_linux(&buf[..10]).len(), 0);
    }
}
