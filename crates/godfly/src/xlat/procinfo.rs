//! A host process as Linux's `/proc/<pid>` describes it, parsed into the
//! neutral facts the personalities' process tables are built from (pure:
//! the files' text in, facts out). A process godfly runs shows as the
//! guest program it runs (its name, path and arguments from godfly's own
//! command line), not as godfly.

/// One process.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProcInfo {
    pub pid: i32,
    pub ppid: i32,
    pub pgid: i32,
    pub sid: i32,
    /// Linux state letter (R, S, D, T, t, Z, X, I).
    pub state: u8,
    /// The command name (at most 16 bytes).
    pub comm: String,
    /// Controlling terminal (Linux device number, 0 for none) and its
    /// foreground process group (-1 for none).
    pub tty: u32,
    pub tpgid: i32,
    pub flags: u32,
    /// User and system time, in clock ticks.
    pub utime: u64,
    pub stime: u64,
    pub cutime: u64,
    pub cstime: u64,
    pub nice: i32,
    pub threads: i32,
    /// Start, in clock ticks after boot.
    pub start_ticks: u64,
    /// Virtual size in bytes, resident set in pages.
    pub vsize: u64,
    pub rss: u64,
    /// Real, effective, saved ids.
    pub uid: [u32; 3],
    pub gid: [u32; 3],
    pub groups: Vec<u32>,
    pub min_flt: u64,
    pub maj_flt: u64,
}

/// Parses `/proc/<pid>/stat` and `/proc/<pid>/status`.
pub fn parse(stat: &str, status: &str) -> Option<ProcInfo> {
    // The command is in parentheses and may itself hold spaces and ')'.
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let pid = stat[..open].trim().parse().ok()?;
    let comm = stat.get(open + 1..close)?.to_string();
    let f: Vec<&str> = stat.get(close + 1..)?.split_whitespace().collect();
    // f[0] is field 3 (state).
    let n = |i: usize| f.get(i).and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
    let mut p = ProcInfo {
        pid,
        comm,
        state: f.first().and_then(|s| s.bytes().next()).unwrap_or(b'R'),
        ppid: n(1) as i32,
        pgid: n(2) as i32,
        sid: n(3) as i32,
        tty: n(4) as u32,
        tpgid: n(5) as i32,
        flags: n(6) as u32,
        min_flt: n(7) as u64,
        maj_flt: n(9) as u64,
        utime: n(11) as u64,
        stime: n(12) as u64,
        cutime: n(13) as u64,
        cstime: n(14) as u64,
        nice: n(16) as i32,
        threads: n(17) as i32,
        start_ticks: n(19) as u64,
        vsize: n(20) as u64,
        rss: n(21) as u64,
        ..ProcInfo::default()
    };
    for line in status.lines() {
        let (k, v) = line.split_once(':').unwrap_or((line, ""));
        let nums: Vec<u32> = v.split_whitespace().filter_map(|x| x.parse().ok()).collect();
        match k {
            "Uid" if nums.len() >= 3 => p.uid = [nums[0], nums[1], nums[2]],
            "Gid" if nums.len() >= 3 => p.gid = [nums[0], nums[1], nums[2]],
            "Groups" => p.groups = nums,
            _ => {}
        }
    }
    Some(p)
}

/// What a godfly process's command line says it runs: (path, argv), from
/// `godfly run [OPTIONS] [--argv0 NAME] -- PATH ARGS...` (what godfly
/// execs itself as); `None` for another program.
pub fn guest_of_godfly(cmdline: &[u8]) -> Option<(String, Vec<String>)> {
    let args: Vec<String> =
        cmdline.split(|&b| b == 0).filter(|a| !a.is_empty()).map(|a| String::from_utf8_lossy(a).into_owned()).collect();
    let run = args.iter().position(|a| a == "run" || a == "trace")?;
    // Options that take a value (godfly's `run` and `trace`).
    const WITH_VALUE: &[&str] = &["--argv0", "-L", "--prefix", "-o", "--output", "-e", "--filter"];
    let mut argv0 = None;
    let mut i = run + 1;
    while i < args.len() {
        let a = args[i].as_str();
        if a == "--" {
            i += 1;
            break;
        }
        if !a.starts_with('-') {
            break;
        }
        if WITH_VALUE.contains(&a) {
            if a == "--argv0" {
                argv0 = args.get(i + 1).cloned();
            }
            i += 1;
        }
        i += 1;
    }
    let path = args.get(i)?.clone();
    let mut argv = vec![argv0.unwrap_or_else(|| path.clone())];
    argv.extend(args[i + 1..].iter().cloned());
    Some((path, argv))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_and_status_are_read_as_the_kernel_writes_them() {
        let stat = "4242 (my (odd) prog) S 1 4242 4242 34816 4242 4194304 100 0 2 0 7 3 0 0 20 0 5 0 12345 1048576 256 \
                    18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0";
        let status = "Name:\tprog\nUid:\t1000\t1001\t1002\t1003\nGid:\t10\t11\t12\t13\nGroups:\t4 24 27\n";
        let p = parse(stat, status).unwrap();
        assert_eq!((p.pid, p.ppid, p.pgid, p.sid), (4242, 1, 4242, 4242));
        assert_eq!(p.comm, "my (odd) prog");
        assert_eq!(p.state, b'S');
        assert_eq!((p.tty, p.tpgid), (34816, 4242));
        assert_eq!((p.utime, p.stime, p.threads, p.start_ticks), (7, 3, 5, 12345));
        assert_eq!((p.vsize, p.rss), (1_048_576, 256));
        assert_eq!(p.uid, [1000, 1001, 1002]);
        assert_eq!(p.groups, vec![4, 24, 27]);
    }

    #[test]
    fn a_godfly_process_shows_the_guest_it_runs() {
        let c = b"/x/godfly\0run\0--argv0\0prog\0--\0/tmp/prog\0-v\0a b\0";
        assert_eq!(guest_of_godfly(c), Some(("/tmp/prog".into(), vec!["prog".into(), "-v".into(), "a b".into()])));
        let c = b"/x/godfly\0trace\0-o\0f\0--\0/tmp/prog\0";
        assert_eq!(guest_of_godfly(c), Some(("/tmp/prog".into(), vec!["/tmp/prog".into()])));
        let c = b"godfly\0run\0-L\0/p\0./prog\0x\0";
        assert_eq!(guest_of_godfly(c), Some(("./prog".into(), vec!["./prog".into(), "x".into()])));
        assert_eq!(guest_of_godfly(b"/bin/sh\0-c\0x\0"), None);
    }
}
