//! FreeBSD's `struct kinfo_proc` (1088 bytes on amd64, `KINFO_PROC_SIZE`
//! in `sys/user.h`), one per process as `kern.proc.*` returns it without
//! KERN_PROC_INC_THREAD, filled from a host process's facts. The record
//! starts zeroed as `fill_kinfo_proc`'s does; kernel addresses stay 0.
//! Offsets are FreeBSD 12+'s (64-bit `ki_tdev` after the spare ints, the
//! 32-bit `ki_tdev_freebsd11` kept at its old place); the facts table
//! pins ki_pid 72, ki_ppid 76, ki_comm 447 and the size.

use crate::os::dragonfly::kinfo::{PF_KTHREAD, put_str, put32, put64};
use crate::xlat::procinfo::ProcInfo;

/// `KINFO_PROC_SIZE`, which `ki_structsize` holds and readers check.
pub const KINFO_PROC_LEN: usize = 1088;

/// Field offsets.
mod at {
    pub const STRUCTSIZE: usize = 0;
    pub const PID: usize = 72;
    pub const PPID: usize = 76;
    pub const PGID: usize = 80;
    pub const TPGID: usize = 84;
    pub const SID: usize = 88;
    pub const TSID: usize = 92;
    pub const TDEV_FREEBSD11: usize = 100;
    pub const UID: usize = 168;
    pub const RUID: usize = 172;
    pub const SVUID: usize = 176;
    pub const RGID: usize = 180;
    pub const SVGID: usize = 184;
    pub const NGROUPS: usize = 188;
    pub const GROUPS: usize = 192;
    pub const SIZE: usize = 256;
    pub const RSSIZE: usize = 264;
    pub const RUNTIME: usize = 328;
    pub const START: usize = 336;
    pub const CHILDTIME: usize = 352;
    pub const FLAG: usize = 368;
    pub const KIFLAG: usize = 376;
    pub const STAT: usize = 388;
    pub const NICE: usize = 389;
    pub const TDNAME: usize = 394;
    pub const COMM: usize = 447;
    pub const EMUL: usize = 467;
    pub const TDEV: usize = 560;
    pub const NUMTHREADS: usize = 596;
    pub const TID: usize = 600;
    pub const PRI_CLASS: usize = 604;
    pub const RUSAGE: usize = 608;
    pub const RUSAGE_CH: usize = 752;
    pub const SFLAG: usize = 1072;
}
/// TDNAMLEN + 1, COMMLEN + 1, KI_EMULNAMELEN + 1.
const TDNAME_LEN: usize = 17;
const COMM_LEN: usize = 20;
const EMUL_LEN: usize = 17;
/// `ki_stat`: SRUN, SSLEEP, SSTOP, SZOMB.
const SRUN: u8 = 2;
const SSLEEP: u8 = 3;
const SSTOP: u8 = 4;
const SZOMB: u8 = 5;
/// `p_flag`: P_CONTROLT, P_SYSTEM, P_INMEM.
const P_CONTROLT: u64 = 0x2;
const P_SYSTEM: u64 = 0x200;
const P_INMEM: u64 = 0x1000_0000;
/// `ki_sflag`: PS_INMEM.
const PS_INMEM: u64 = 1;
/// `ki_kiflag`: KI_CTTY, KI_SLEADER.
const KI_CTTY: u64 = 1;
const KI_SLEADER: u64 = 2;
/// `ki_pri.pri_class`: PRI_TIMESHARE.
const PRI_TIMESHARE: u8 = 3;
/// `KI_NGROUPS`.
const KI_NGROUPS: usize = 16;
/// `NODEV`.
const NODEV: u64 = u64::MAX;
/// `sv_name` of FreeBSD's amd64 ELF ABI, what `ki_emul` shows.
const EMUL: &str = "FreeBSD ELF64";

/// Microseconds in `ticks` clock ticks at `hz` a second.
fn us_of_ticks(ticks: u64, hz: u64) -> u64 {
    ticks.saturating_mul(1_000_000) / hz.max(1)
}

/// A `struct timeval` of `us` microseconds.
fn put_tv(b: &mut [u8], at: usize, us: u64) {
    put64(b, at, us / 1_000_000);
    put64(b, at + 8, us % 1_000_000);
}

/// What a host process is to FreeBSD's process table. `name` is the
/// command name to show (the guest program's for a process godfly runs),
/// `tdev` its terminal as a FreeBSD `dev_t` (None without one), `tid` the
/// id its first thread has for a guest; `boot_us` is the boot time in
/// microseconds since the epoch and `hz` the host's clock ticks a second.
pub fn kinfo_proc(p: &ProcInfo, name: &str, tdev: Option<u64>, tid: i64, boot_us: u64, hz: u64) -> Vec<u8> {
    let mut b = vec![0u8; KINFO_PROC_LEN];
    put32(&mut b, at::STRUCTSIZE, KINFO_PROC_LEN as u32);
    put32(&mut b, at::PID, p.pid as u32);
    put32(&mut b, at::PPID, p.ppid as u32);
    put32(&mut b, at::PGID, p.pgid as u32);
    put32(&mut b, at::SID, p.sid as u32);
    let (tdev, tpgid, tsid) = match tdev {
        Some(d) => (d, p.tpgid, p.sid),
        // fill_kinfo_proc sets tpgid and tsid only in its terminal branch.
        None => (NODEV, 0, 0),
    };
    put32(&mut b, at::TPGID, tpgid as u32);
    put32(&mut b, at::TSID, tsid as u32);
    // The old 32-bit field holds the truncated device, as fill_kinfo_proc does.
    put32(&mut b, at::TDEV_FREEBSD11, tdev as u32);
    put64(&mut b, at::TDEV, tdev);
    put32(&mut b, at::UID, p.uid[1]);
    put32(&mut b, at::RUID, p.uid[0]);
    put32(&mut b, at::SVUID, p.uid[2]);
    put32(&mut b, at::RGID, p.gid[0]);
    put32(&mut b, at::SVGID, p.gid[2]);
    // The credential's group list, the effective gid first.
    let groups = crate::sys::proc::bsd_groups(p.gid[1], &p.groups);
    let ng = groups.len().min(KI_NGROUPS);
    b[at::NGROUPS..at::NGROUPS + 2].copy_from_slice(&(ng as u16).to_ne_bytes());
    for (i, g) in groups.iter().take(KI_NGROUPS).enumerate() {
        put32(&mut b, at::GROUPS + 4 * i, *g);
    }
    put64(&mut b, at::SIZE, p.vsize);
    put64(&mut b, at::RSSIZE, p.rss);
    put64(&mut b, at::RUNTIME, us_of_ticks(p.utime.saturating_add(p.stime), hz));
    put_tv(&mut b, at::START, boot_us.saturating_add(us_of_ticks(p.start_ticks, hz)));
    put_tv(&mut b, at::CHILDTIME, us_of_ticks(p.cutime.saturating_add(p.cstime), hz));
    let mut flag = P_INMEM;
    if p.tty != 0 {
        flag |= P_CONTROLT;
    }
    if p.flags & PF_KTHREAD != 0 {
        flag |= P_SYSTEM;
    }
    put64(&mut b, at::FLAG, flag);
    let mut kiflag = 0;
    if p.tty != 0 {
        kiflag |= KI_CTTY;
    }
    if p.sid == p.pid {
        kiflag |= KI_SLEADER;
    }
    put64(&mut b, at::KIFLAG, kiflag);
    b[at::STAT] = stat_of(p.state);
    b[at::NICE] = p.nice.clamp(-20, 20) as i8 as u8;
    put_str(&mut b, at::TDNAME, TDNAME_LEN, name);
    put_str(&mut b, at::COMM, COMM_LEN, name);
    put_str(&mut b, at::EMUL, EMUL_LEN, EMUL);
    put32(&mut b, at::NUMTHREADS, p.threads.max(1) as u32);
    put32(&mut b, at::TID, tid as u32);
    b[at::PRI_CLASS] = PRI_TIMESHARE;
    // struct rusage: ru_utime, ru_stime, then longs (ru_minflt 8th, ru_majflt 9th).
    put_tv(&mut b, at::RUSAGE, us_of_ticks(p.utime, hz));
    put_tv(&mut b, at::RUSAGE + 16, us_of_ticks(p.stime, hz));
    put64(&mut b, at::RUSAGE + 64, p.min_flt);
    put64(&mut b, at::RUSAGE + 72, p.maj_flt);
    put_tv(&mut b, at::RUSAGE_CH, us_of_ticks(p.cutime, hz));
    put_tv(&mut b, at::RUSAGE_CH + 16, us_of_ticks(p.cstime, hz));
    put64(&mut b, at::SFLAG, PS_INMEM);
    b
}

/// Turns a process's record into one of its threads' (as
/// `fill_kinfo_thread` does for KERN_PROC_INC_THREAD): the thread's id,
/// name, state, run time and user and system times.
pub fn kinfo_thread(rec: &mut [u8], t: &ProcInfo, name: &str, tid: i64, hz: u64) {
    put32(rec, at::TID, tid as u32);
    rec[at::TDNAME..at::TDNAME + TDNAME_LEN].fill(0);
    put_str(rec, at::TDNAME, TDNAME_LEN, name);
    rec[at::STAT] = stat_of(t.state);
    put64(rec, at::RUNTIME, us_of_ticks(t.utime.saturating_add(t.stime), hz));
    put_tv(rec, at::RUSAGE, us_of_ticks(t.utime, hz));
    put_tv(rec, at::RUSAGE + 16, us_of_ticks(t.stime, hz));
}

/// `ki_stat` for a Linux state letter.
fn stat_of(state: u8) -> u8 {
    match state {
        b'R' => SRUN,
        b'T' | b't' => SSTOP,
        b'Z' | b'X' => SZOMB,
        _ => SSLEEP,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u32_at(b: &[u8], o: usize) -> u32 {
        u32::from_ne_bytes(b[o..o + 4].try_into().unwrap())
    }

    fn u64_at(b: &[u8], o: usize) -> u64 {
        u64::from_ne_bytes(b[o..o + 8].try_into().unwrap())
    }

    #[test]
    fn a_process_fills_the_fields_ps_and_process_libraries_read() {
        let p = ProcInfo {
            pid: 42,
            ppid: 1,
            pgid: 40,
            sid: 42,
            state: b'R',
            threads: 3,
            nice: -5,
            uid: [1000, 1001, 1002],
            gid: [10, 11, 12],
            groups: vec![11, 20],
            utime: 150,
            stime: 50,
            start_ticks: 100,
            vsize: 1 << 20,
            rss: 7,
            ..Default::default()
        };
        let b = kinfo_proc(&p, "a-rather-long-program-name", None, 100_042, 1_000_000_000_000, 100);
        assert_eq!(b.len(), KINFO_PROC_LEN);
        assert_eq!(u32_at(&b, 0), 1088, "ki_structsize");
        assert_eq!((u32_at(&b, 72), u32_at(&b, 76), u32_at(&b, 80), u32_at(&b, 88)), (42, 1, 40, 42));
        assert_eq!((u32_at(&b, 168), u32_at(&b, 172), u32_at(&b, 176)), (1001, 1000, 1002), "uid, ruid, svuid");
        assert_eq!((u32_at(&b, 180), u32_at(&b, 184)), (10, 12), "rgid, svgid");
        assert_eq!(u16::from_ne_bytes([b[188], b[189]]), 2, "egid 11 first, then 20");
        assert_eq!((u32_at(&b, 192), u32_at(&b, 196)), (11, 20));
        assert_eq!((u64_at(&b, 256), u64_at(&b, 264)), (1 << 20, 7));
        assert_eq!(u64_at(&b, 328), 2_000_000, "ki_runtime: 2 s of user and system time");
        assert_eq!(u64_at(&b, 336), 1_000_001, "ki_start: boot + 1 s");
        assert_eq!(b[388], SRUN);
        assert_eq!(b[389] as i8, -5);
        assert_eq!(&b[447..467], b"a-rather-long-progr\0", "COMMLEN 19 and a NUL");
        assert_eq!(&b[467..481], b"FreeBSD ELF64\0");
        assert_eq!((u64_at(&b, 560), u32_at(&b, 100)), (NODEV, u32::MAX), "no terminal: NODEV in both");
        assert_eq!((u32_at(&b, 84), u32_at(&b, 92)), (0, 0), "no terminal: tpgid and tsid stay 0");
        assert_eq!((u32_at(&b, 596), u32_at(&b, 600)), (3, 100_042));
        assert_eq!(u64_at(&b, 376), KI_SLEADER);
        assert_eq!(u64_at(&b, 608), 1, "ru_utime 1.5 s");
        assert_eq!(u64_at(&b, 616), 500_000);
    }

    #[test]
    fn a_thread_record_has_the_threads_id_name_state_and_times() {
        let p = ProcInfo { pid: 9, state: b'S', utime: 500, threads: 2, ..Default::default() };
        let mut b = kinfo_proc(&p, "server", None, 100_009, 0, 100);
        let t = ProcInfo { pid: 9, state: b'R', utime: 100, stime: 50, ..Default::default() };
        kinfo_thread(&mut b, &t, "worker", 100_002, 100);
        assert_eq!(u32_at(&b, 600), 100_002);
        assert_eq!(&b[394..401], b"worker\0");
        assert_eq!(&b[447..454], b"server\0", "ki_comm stays the process's");
        assert_eq!(b[388], SRUN);
        assert_eq!(u64_at(&b, 328), 1_500_000);
        assert_eq!((u64_at(&b, 608), u64_at(&b, 616)), (1, 0));
        assert_eq!(u32_at(&b, 596), 2);
    }

    #[test]
    fn a_terminal_is_the_freebsd_device_and_the_session() {
        let p = ProcInfo { pid: 7, sid: 5, tpgid: 9, tty: 0x8801, state: b'T', ..Default::default() };
        let b = kinfo_proc(&p, "sh", Some(0x1_0000_0042), 100_007, 0, 100);
        assert_eq!(u64_at(&b, 560), 0x1_0000_0042);
        assert_eq!(u32_at(&b, 100), 0x42, "ki_tdev_freebsd11 truncates");
        assert_eq!((u32_at(&b, 84), u32_at(&b, 92)), (9, 5));
        assert_eq!(u64_at(&b, 368) & P_CONTROLT, P_CONTROLT);
        assert_eq!(u64_at(&b, 376), KI_CTTY);
        assert_eq!(b[388], SSTOP);
    }
}
