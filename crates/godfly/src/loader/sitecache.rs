//! The fast path's site list, kept on disk per program (in godfly's own
//! directory, `host::dirs`) so that a program started again is not
//! disassembled again: the Go toolchain runs its compiler, assembler and
//! linker thousands of times in a build, and the scan (the disassembler's
//! tables alone take about half a millisecond to set up) is most of the
//! fast path's start-up.
//!
//! A list is found by the program file's identity (device, inode, size,
//! modification and change times), its Go build ID and godfly's own
//! executable, and every site in it is checked against the program's bytes
//! before it is used: anything unexpected means a fresh scan. Lists are
//! written whole to a temporary name and renamed, so a reader sees a whole
//! list or none.

use std::hash::{Hash, Hasher};
use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::fastpath::Site;

/// First line of every list: the format.
const HEADER: &str = "godfly fast-path sites v1";
/// The directory is emptied when it holds more lists than this.
const MAX_LISTS: usize = 2048;
/// Longest list file read (a Go program has a few dozen sites).
const MAX_BYTES: u64 = 1 << 20;

/// Where a program's list lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    dir: PathBuf,
    name: String,
}

/// The Go build ID of a program file, if it has one.
fn go_build_id(data: &[u8]) -> Option<&[u8]> {
    super::elf::section(data, b".note.go.buildid")
}

/// The key of a program: `None` for a program without a Go build ID, or
/// when godfly has no private directory.
pub fn key(meta: &std::fs::Metadata, data: &[u8]) -> Option<Key> {
    let id = go_build_id(data)?;
    let mut h = std::collections::hash_map::DefaultHasher::new();
    HEADER.hash(&mut h);
    id.hash(&mut h);
    (meta.dev(), meta.ino(), meta.len(), meta.mtime(), meta.mtime_nsec(), meta.ctime(), meta.ctime_nsec()).hash(&mut h);
    // A list made by another godfly may follow other rules.
    if let Ok(me) = std::fs::metadata("/proc/self/exe") {
        (me.dev(), me.ino(), me.len(), me.mtime(), me.mtime_nsec()).hash(&mut h);
    }
    let dir = crate::host::dirs::private()
        .into_iter()
        .find(|d| crate::host::dirs::make_private(d) && crate::host::dirs::make_private(&d.join("sites")))?
        .join("sites");
    Some(Key { dir, name: format!("{:016x}", h.finish()) })
}

/// Writes a list in the file format.
pub fn encode(sites: &[Site]) -> String {
    let mut out = format!("{HEADER}\n");
    for s in sites {
        let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        out.push_str(&format!(
            "{:x} {:x} {} {} {}\n",
            s.addr,
            s.after,
            u8::from(s.lean),
            hex(&s.load),
            hex(&s.between)
        ));
    }
    out
}

/// Reads a list in the file format; `None` for anything malformed.
pub fn decode(text: &str) -> Option<Vec<Site>> {
    let mut lines = text.lines();
    if lines.next()? != HEADER {
        return None;
    }
    let unhex = |s: &str| -> Option<Vec<u8>> {
        if !s.len().is_multiple_of(2) {
            return None;
        }
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
    };
    lines
        .map(|l| {
            let mut f = l.split(' ');
            let addr = u64::from_str_radix(f.next()?, 16).ok()?;
            let after = u64::from_str_radix(f.next()?, 16).ok()?;
            let lean = match f.next()? {
                "0" => false,
                "1" => true,
                _ => return None,
            };
            let load = unhex(f.next()?)?;
            let between = unhex(f.next().unwrap_or(""))?;
            if f.next().is_some() {
                return None;
            }
            Some(Site { addr, load, between, after, lean })
        })
        .collect()
}

/// Whether every site is what the program holds: its load, the
/// instructions between and a `syscall`, ending at `after`, inside a
/// segment's file bytes (`bytes_at(addr, len)`).
pub fn matches<'a>(sites: &[Site], bytes_at: impl Fn(u64, usize) -> Option<&'a [u8]>) -> bool {
    sites.iter().all(|s| {
        let len = s.load.len() + s.between.len() + 2;
        s.load.len() >= 5
            && s.addr.checked_add(len as u64) == Some(s.after)
            && bytes_at(s.addr, len).is_some_and(|b| {
                b[..s.load.len()] == s.load[..]
                    && b[s.load.len()..len - 2] == s.between[..]
                    && b[len - 2..] == [0x0f, 0x05]
            })
    })
}

fn path(key: &Key) -> PathBuf {
    key.dir.join(&key.name)
}

/// The list kept for `key`, if there is one that `valid` accepts.
pub fn load(key: &Key, valid: impl Fn(&[Site]) -> bool) -> Option<Vec<Site>> {
    let f = std::fs::File::open(path(key)).ok()?;
    if f.metadata().ok()?.len() > MAX_BYTES {
        return None;
    }
    let mut text = String::new();
    std::io::Read::read_to_string(&mut std::io::Read::take(f, MAX_BYTES), &mut text).ok()?;
    decode(&text).filter(|s| valid(s))
}

/// Keeps `sites` for `key` (failures are only a cache miss next time).
pub fn store(key: &Key, sites: &[Site]) {
    if std::fs::read_dir(&key.dir).is_ok_and(|d| d.take(MAX_LISTS + 1).count() > MAX_LISTS) {
        empty(&key.dir);
    }
    let tmp = key.dir.join(format!(".{}.{}.tmp", key.name, std::process::id()));
    let written = std::fs::File::create(&tmp).and_then(|mut f| f.write_all(encode(sites).as_bytes()));
    if written.is_err() || std::fs::rename(&tmp, path(key)).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}

/// Removes every list (the bound on the directory).
fn empty(dir: &Path) {
    if let Ok(d) = std::fs::read_dir(dir) {
        for e in d.flatten() {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(addr: u64) -> Site {
        Site { addr, load: vec![0xb8, 0xe8, 0, 0, 0], between: vec![0xbf, 4, 0, 0, 0], after: addr + 12, lean: true }
    }

    #[test]
    fn a_list_reads_back_as_written() {
        let sites = vec![site(0x40_1000), Site { between: vec![], after: 0x40_2007, lean: false, ..site(0x40_2000) }];
        assert_eq!(decode(&encode(&sites)), Some(sites));
        assert_eq!(decode(&encode(&[])), Some(vec![]));
    }

    #[test]
    fn malformed_lists_are_refused() {
        let good = encode(&[site(0x1000)]);
        assert!(decode(&good.replace(HEADER, "godfly fast-path sites v0")).is_none());
        assert!(decode(&good.replace(" 1 ", " 2 ")).is_none());
        assert!(decode(&good.replace("b8e8", "b8e")).is_none());
        assert!(decode(&good.replace("b8e8", "zze8")).is_none());
        assert!(decode(&format!("{good}1000 100c 1 b8e8000000 bf04000000 extra\n")).is_none());
    }

    #[test]
    fn a_site_must_still_be_in_the_program() {
        let code: Vec<u8> = [&[0xb8, 0xe8, 0, 0, 0][..], &[0xbf, 4, 0, 0, 0][..], &[0x0f, 0x05][..]].concat();
        let at = |base: u64, bytes: &'static [u8]| {
            move |addr: u64, len: usize| -> Option<&'static [u8]> {
                let off = usize::try_from(addr.checked_sub(base)?).ok()?;
                bytes.get(off..off.checked_add(len)?)
            }
        };
        let bytes: &'static [u8] = Box::leak(code.into_boxed_slice());
        assert!(matches(&[site(0x1000)], at(0x1000, bytes)));
        // Elsewhere, changed, or past the end of the program.
        assert!(!matches(&[site(0x1001)], at(0x1000, bytes)));
        let mut changed = bytes.to_vec();
        changed[6] = 5;
        let changed: &'static [u8] = Box::leak(changed.into_boxed_slice());
        assert!(!matches(&[site(0x1000)], at(0x1000, changed)));
        assert!(!matches(&[Site { after: 0x100d, ..site(0x1000) }], at(0x1000, bytes)));
        assert!(!matches(&[site(0x1000)], at(0x2000, bytes)));
    }
}
