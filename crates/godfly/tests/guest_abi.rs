//! Behaviour at the edges of the ABI: struct layouts as Go's DragonFly
//! port sees them, calls DragonFly lacks, calls godfly lacks, bad pointers.

mod common;

use godfly_abi::dragonfly::layout as l;
use std::mem::{offset_of, size_of};

#[test]
fn go_syscall_struct_layouts_match_godflys() {
    let bin = common::build("layouts", "dragonfly");
    let out = common::run_godfly(&bin, &[], &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let want = format!(
        "stat {} {} {} {} {} {} {} {} {}\nkevent {} {} {} {} {} {}\ndirent {} {} {}\nflock {} {} {} {} {}\ntimespec {}\nrusage {}\nrlimit {}\n",
        size_of::<l::Stat>(),
        offset_of!(l::Stat, st_mode),
        offset_of!(l::Stat, st_uid),
        offset_of!(l::Stat, st_rdev),
        offset_of!(l::Stat, st_atim),
        offset_of!(l::Stat, st_ctim),
        offset_of!(l::Stat, st_size),
        offset_of!(l::Stat, old_st_blksize),
        offset_of!(l::Stat, st_flags),
        size_of::<l::Kevent>(),
        offset_of!(l::Kevent, filter),
        offset_of!(l::Kevent, flags),
        offset_of!(l::Kevent, fflags),
        offset_of!(l::Kevent, data),
        offset_of!(l::Kevent, udata),
        offset_of!(l::DirentHead, d_namlen),
        offset_of!(l::DirentHead, d_type),
        size_of::<l::DirentHead>(),
        size_of::<l::Flock>(),
        offset_of!(l::Flock, l_len),
        offset_of!(l::Flock, l_pid),
        offset_of!(l::Flock, l_type),
        offset_of!(l::Flock, l_whence),
        size_of::<l::Timespec>(),
        size_of::<l::Rusage>(),
        size_of::<l::Rlimit>(),
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), want);
}

#[test]
fn unknown_numbers_get_einval_and_unimplemented_calls_enosys_with_one_diagnostic() {
    let bin = common::build("unsupported", "dragonfly");
    let out = common::run_godfly(&bin, &[], &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("obsolete call: 22 true"), "{stdout}");
    assert!(stdout.contains("out of range: 22 true"), "{stdout}");
    assert!(stdout.contains("jail: 78 true"), "{stdout}");
    assert!(stdout.contains("bad pointer: 14 true"), "{stdout}");
    let diag: Vec<_> = stderr.lines().filter(|l| l.contains("jail")).collect();
    assert_eq!(diag.len(), 1, "one diagnostic per call number:\n{stderr}");
    assert!(diag[0].contains("jail (338)") && diag[0].contains("ENOSYS"), "{}", diag[0]);
    // Numbers DragonFly has no call for are not silent either.
    assert!(stderr.contains("godfly: DragonFly has no system call 8 (creat"), "{stderr}");
    assert!(stderr.contains("godfly: system call number 600 is past DragonFly's table"), "{stderr}");
}

#[test]
fn fast_path_rewrites_go_system_call_sites_and_can_be_turned_off() {
    let bin = common::build("hello", "dragonfly");
    let on = std::process::Command::new(common::godfly())
        .env("GODFLY_DEBUG_FASTPATH", "1")
        .env_remove("GODFLY_NO_FAST_PATH")
        .arg("run")
        .arg(&bin)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&on.stderr);
    let line = err.lines().find(|l| l.contains("fast path")).unwrap_or_else(|| panic!("no fast-path line: {err}"));
    let words: Vec<&str> = line.split_whitespace().collect();
    // "godfly: fast path: N sites found (or: kept from an earlier start), M rewritten, ..."
    let found: usize = words[3].parse().unwrap();
    let at = words.iter().position(|w| w.starts_with("rewritten")).unwrap_or_else(|| panic!("{line}"));
    let rewritten: usize = words[at - 1].parse().unwrap();
    assert!(found >= 20 && rewritten == found, "{line}");
    let off = std::process::Command::new(common::godfly())
        .env("GODFLY_DEBUG_FASTPATH", "1")
        .arg("run")
        .arg("--no-fast-path")
        .arg(&bin)
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&off.stderr).contains("fast path"));
    assert_eq!(on.stdout, off.stdout);
    assert_eq!(on.status.code(), off.status.code());
}
