//! `struct statfs` from a Linux `statfs` plus the mount table entry.
//! Mount flags (`sys/sys/mount.h`): RDONLY 0x1, SYNCHRONOUS 0x2, NOEXEC 0x4,
//! NOSUID 0x8, NODEV 0x10, ASYNC 0x40, LOCAL 0x1000, NOATIME 0x10000000.

use godfly_abi::layout::Statfs;
use zerocopy::FromZeros;

const MNT_RDONLY: i32 = 0x1;
const MNT_SYNCHRONOUS: i32 = 0x2;
const MNT_NOEXEC: i32 = 0x4;
const MNT_NOSUID: i32 = 0x8;
const MNT_NODEV: i32 = 0x10;
const MNT_LOCAL: i32 = 0x1000;
const MNT_NOATIME: i32 = 0x1000_0000;

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

fn copy_name(dst: &mut [u8], s: &str) {
    let b = s.as_bytes();
    let n = b.len().min(dst.len() - 1);
    dst[..n].copy_from_slice(&b[..n]);
}

/// Filesystems that are not backed by local storage.
fn is_remote(fstype: &str) -> bool {
    matches!(fstype, "nfs" | "nfs4" | "cifs" | "smb3" | "9p" | "fuse.sshfs" | "ceph" | "afs")
}

/// Builds DragonFly's `statfs` for a mount.
pub fn from_linux(st: &libc::statfs, m: &Mount) -> Statfs {
    let mut out = Statfs::new_zeroed();
    out.f_bsize = st.f_bsize;
    out.f_iosize = st.f_bsize;
    out.f_blocks = st.f_blocks as i64;
    out.f_bfree = st.f_bfree as i64;
    out.f_bavail = st.f_bavail as i64;
    out.f_files = st.f_files as i64;
    out.f_ffree = st.f_ffree as i64;
    out.f_fsid = [m.dev.0 as i32, m.dev.1 as i32];
    let mut flags = 0;
    for opt in m.options.split(',') {
        flags |= match opt {
            "ro" => MNT_RDONLY,
            "nosuid" => MNT_NOSUID,
            "nodev" => MNT_NODEV,
            "noexec" => MNT_NOEXEC,
            "sync" => MNT_SYNCHRONOUS,
            "noatime" => MNT_NOATIME,
            _ => 0,
        };
    }
    if !is_remote(&m.fstype) {
        flags |= MNT_LOCAL;
    }
    out.f_flags = flags;
    copy_name(&mut out.f_fstypename, &m.fstype);
    copy_name(&mut out.f_mntonname, &m.point);
    copy_name(&mut out.f_mntfromname, &m.source);
    out
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

    #[test]
    fn names_and_flags_land_in_dragonfly_fields() {
        let m = Mount {
            dev: (0, 21),
            point: "/proc".into(),
            options: "ro,nosuid".into(),
            fstype: "proc".into(),
            source: "proc".into(),
        };
        let st: libc::statfs = crate::sys::host::statfs_path(c"/").expect("statfs /");
        let s = from_linux(&st, &m);
        assert_eq!(&s.f_fstypename[..5], b"proc\0");
        assert_eq!(&s.f_mntonname[..6], b"/proc\0");
        assert_eq!(s.f_flags, MNT_RDONLY | MNT_NOSUID | MNT_LOCAL);
    }
}
