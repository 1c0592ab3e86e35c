//! The host's mount table (`/proc/self/mountinfo`), from which the
//! personalities fill their `struct statfs`.

/// One line of `/proc/self/mountinfo`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    /// Device number (major, minor).
    pub dev: (u32, u32),
    /// Where it is mounted.
    pub point: String,
    /// Per-mount options (`ro,nosuid,...`).
    pub options: String,
    /// Filesystem type.
    pub fstype: String,
    /// Mount source.
    pub source: String,
}

/// Filesystems that are not backed by local storage.
pub fn is_remote(fstype: &str) -> bool {
    matches!(fstype, "nfs" | "nfs4" | "cifs" | "smb3" | "9p" | "fuse.sshfs" | "ceph" | "afs")
}

/// Undoes mountinfo's octal escapes (`\040` for a space). Works on bytes:
/// the text after a backslash need not be ASCII (found by the xlat fuzz
/// target, which sliced a string inside a UTF-8 character).
fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && let Some(d) = b.get(i + 1..i + 4)
            && d.iter().all(|c| (b'0'..=b'7').contains(c))
        {
            let v = d.iter().fold(0u32, |acc, c| acc * 8 + u32::from(c - b'0'));
            out.push(v as u8);
            i += 4;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Parses `/proc/self/mountinfo`.
pub fn parse_mountinfo(text: &str) -> Vec<Mount> {
    text.lines()
        .filter_map(|l| {
            let (left, right) = l.split_once(" - ")?;
            let f: Vec<&str> = left.split(' ').collect();
            let r: Vec<&str> = right.split(' ').collect();
            let (maj, min) = f.get(2)?.split_once(':')?;
            Some(Mount {
                dev: (maj.parse().ok()?, min.parse().ok()?),
                point: unescape(f.get(4)?),
                options: (*f.get(5)?).to_string(),
                fstype: (*r.first()?).to_string(),
                source: unescape(r.get(1).copied().unwrap_or("none")),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_undone_and_non_ascii_after_a_backslash_is_kept() {
        assert_eq!(unescape("/mnt/a\\040b"), "/mnt/a b");
        assert_eq!(unescape("B\\T-\u{fffd}x"), "B\\T-\u{fffd}x");
        assert_eq!(unescape("\\é12"), "\\é12");
    }

    #[test]
    fn mountinfo_lines_parse() {
        let t = "36 35 98:0 /mnt1 /mnt\\040point rw,noatime master:1 - ext3 /dev/root rw,errors=continue\n\
                 22 1 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n";
        let m = parse_mountinfo(t);
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].dev, (98, 0));
        assert_eq!(m[0].point, "/mnt point");
        assert_eq!(m[0].fstype, "ext3");
        assert_eq!(m[1].options, "rw,nosuid,nodev,noexec,relatime");
    }
}
