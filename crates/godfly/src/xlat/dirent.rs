//! Linux `getdents64` records, decoded for the personalities, which write
//! their own `struct dirent`s from them. The `DT_*` type codes are the
//! same on Linux and the BSDs.

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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn linux_record(ino: u64, off: i64, ty: u8, name: &str) -> Vec<u8> {
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
    fn linux_records_decode_in_order() {
        let mut buf = linux_record(7, 100, 4, ".");
        buf.extend(linux_record(9, 200, 8, "hello.txt"));
        let entries = parse_linux(&buf);
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[1].name, b"hello.txt");
        assert_eq!(entries[1].next_off, 200);
        assert_eq!((entries[0].ino, entries[0].d_type), (7, 4));
    }

    #[test]
    fn truncated_buffers_stop_cleanly() {
        let buf = linux_record(1, 1, 8, "abc");
        assert_eq!(parse_linux(&buf[..10]).len(), 0);
    }
}
