//! DragonFly's `struct kinfo_proc` (992 bytes, `sys/sys/kinfo.h`) with its
//! `struct kinfo_lwp` (312 bytes at offset 664), as `kern.proc.*` returns
//! one per process, filled from a host process's facts. The buffer starts
//! zeroed, as `sysctl_out_proc`'s does; kernel addresses stay 0.

use crate::xlat::procinfo::ProcInfo;

/// Size of `struct kinfo_proc`.
pub const KINFO_PROC_LEN: usize = 992;
const LWP: usize = 664;
/// `enum procstat`: SACTIVE, SSTOP, SZOMB.
const SACTIVE: u32 = 2;
const SSTOP: u32 = 3;
const SZOMB: u32 = 4;
/// `enum lwpstat`: LSRUN, LSSTOP, LSSLEEP.
const LSRUN: u32 = 1;
const LSSTOP: u32 = 2;
const LSSLEEP: u32 = 3;
/// `p_flags`.
const P_CONTROLT: u32 = 0x2;
const P_SYSTEM: u32 = 0x200;
/// `kp_auxflags`.
const KI_CTTY: u32 = 1;
const KI_SLEADER: u32 = 2;
/// `dev_t` for no device.
const NOUDEV: u32 = 0xffff_ffff;
/// `RTP_PRIO_NORMAL`.
const RTP_PRIO_NORMAL: u16 = 1;
/// Linux's PF_KTHREAD.
pub const PF_KTHREAD: u32 = 0x0020_0000;

/// Writes `v` at byte `at` of a record (FreeBSD's kinfo_proc uses these too).
pub fn put32(b: &mut [u8], at: usize, v: u32) {
    b[at..at + 4].copy_from_slice(&v.to_ne_bytes());
}

/// Writes `v` at byte `at`.
pub fn put64(b: &mut [u8], at: usize, v: u64) {
    b[at..at + 8].copy_from_slice(&v.to_ne_bytes());
}

/// Writes `s` cut by bytes to a `cap`-byte field with its NUL.
pub fn put_str(b: &mut [u8], at: usize, cap: usize, s: &str) {
    let n = s.len().min(cap - 1);
    b[at..at + n].copy_from_slice(&s.as_bytes()[..n]);
}

/// A `struct timeval` of `ticks` clock ticks (`hz` a second).
fn tv_of_ticks(b: &mut [u8], at: usize, ticks: u64, hz: u64) {
    let us = ticks.saturating_mul(1_000_000) / hz.max(1);
    put64(b, at, us / 1_000_000);
    put64(b, at + 8, us % 1_000_000);
}

/// What a host process is to DragonFly's process table. `name` is the
/// command name to show (the guest program's for a process godfly runs);
/// `boot_us` is the boot time in microseconds since the epoch, `hz` the
/// host's clock ticks per second, `page` its page size.
pub fn kinfo_proc(p: &ProcInfo, name: &str, boot_us: u64, hz: u64, page: u64) -> [u8; KINFO_PROC_LEN] {
    let mut b = [0u8; KINFO_PROC_LEN];
    let mut flags = 0;
    if p.tty != 0 {
        flags |= P_CONTROLT;
    }
    if p.flags & PF_KTHREAD != 0 {
        flags |= P_SYSTEM;
    }
    put32(&mut b, 8, flags);
    let (stat, lstat) = match p.state {
        b'T' | b't' => (SSTOP, LSSTOP),
        b'Z' | b'X' => (SZOMB, LSSLEEP),
        b'R' => (SACTIVE, LSRUN),
        _ => (SACTIVE, LSSLEEP),
    };
    put32(&mut b, 12, stat);
    let start_us = boot_us + p.start_ticks.saturating_mul(1_000_000) / hz.max(1);
    put64(&mut b, 96, start_us / 1_000_000);
    put64(&mut b, 104, start_us % 1_000_000);
    put_str(&mut b, 112, 17, name);
    put32(&mut b, 132, p.uid[1]);
    // The group list, the effective gid first (BSD).
    let groups = crate::sys::proc::bsd_groups(p.gid[1], &p.groups);
    let ng = groups.len().min(16);
    b[136..138].copy_from_slice(&(ng as u16).to_ne_bytes());
    for (i, g) in groups.iter().take(16).enumerate() {
        put32(&mut b, 140 + 4 * i, *g);
    }
    put32(&mut b, 204, p.uid[0]);
    put32(&mut b, 208, p.uid[2]);
    put32(&mut b, 212, p.gid[0]);
    put32(&mut b, 216, p.gid[2]);
    put32(&mut b, 220, p.pid as u32);
    put32(&mut b, 224, p.ppid as u32);
    put32(&mut b, 228, p.pgid as u32);
    put32(&mut b, 236, p.sid as u32);
    let (tdev, tpgid, tsid) =
        if p.tty != 0 { (super::stat::dev_from_linux(u64::from(p.tty)), p.tpgid, p.sid) } else { (NOUDEV, -1, -1) };
    put32(&mut b, 280, tdev);
    put32(&mut b, 284, tpgid as u32);
    put32(&mut b, 288, tsid as u32);
    put32(&mut b, 296, p.threads.max(1) as u32);
    put32(&mut b, 300, p.nice as u32);
    put64(&mut b, 312, p.vsize);
    put64(&mut b, 320, p.rss);
    // kp_vm_dsize and the rest of the sizes stay 0: Linux gives no split.
    let _ = page;
    // kp_ru: ru_utime, ru_stime (the rusage layout matches Linux's).
    tv_of_ticks(&mut b, 368, p.utime, hz);
    tv_of_ticks(&mut b, 368 + 16, p.stime, hz);
    put64(&mut b, 368 + 64, p.min_flt); // ru_minflt
    put64(&mut b, 368 + 72, p.maj_flt); // ru_majflt
    tv_of_ticks(&mut b, 512, p.cutime, hz);
    tv_of_ticks(&mut b, 512 + 16, p.cstime, hz);
    let mut aux = 0;
    if p.tty != 0 {
        aux |= KI_CTTY;
    }
    if p.sid == p.pid {
        aux |= KI_SLEADER;
    }
    put32(&mut b, 656, aux);
    // kp_lwp, aggregated over the threads (kl_tid -1), as without
    // KERN_PROC_FLAG_LWP.
    put32(&mut b, LWP, p.pid as u32);
    put32(&mut b, LWP + 4, u32::MAX);
    put32(&mut b, LWP + 12, lstat);
    b[LWP + 36..LWP + 38].copy_from_slice(&RTP_PRIO_NORMAL.to_ne_bytes());
    let us = |t: u64| t.saturating_mul(1_000_000) / hz.max(1);
    put64(&mut b, LWP + 40, us(p.utime));
    put64(&mut b, LWP + 48, us(p.stime));
    tv_of_ticks(&mut b, LWP + 96, p.utime, hz);
    tv_of_ticks(&mut b, LWP + 96 + 16, p.stime, hz);
    put_str(&mut b, LWP + 289, 17, name);
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_process_fills_the_fields_ps_reads() {
        let p = ProcInfo {
            pid: 42,
            ppid: 1,
            pgid: 42,
            sid: 42,
            state: b'S',
            tty: 0,
            threads: 3,
            uid: [1000, 1001, 1002],
            gid: [10, 11, 12],
            groups: vec![11, 20],
            utime: 150,
            start_ticks: 100,
            ..Default::default()
        };
        let b = kinfo_proc(&p, "prog", 1_000_000_000_000, 100, 4096);
        let u32_at = |o: usize| u32::from_ne_bytes(b[o..o + 4].try_into().unwrap());
        assert_eq!(u32_at(220), 42);
        assert_eq!(u32_at(224), 1);
        assert_eq!(u32_at(12), SACTIVE);
        assert_eq!(&b[112..117], b"prog\0");
        assert_eq!((u32_at(132), u32_at(204), u32_at(208)), (1001, 1000, 1002));
        assert_eq!(u16::from_ne_bytes([b[136], b[137]]), 2, "egid 11 first, then 20");
        assert_eq!((u32_at(140), u32_at(144)), (11, 20));
        assert_eq!(u32_at(280), NOUDEV);
        assert_eq!(u32_at(296), 3);
        assert_eq!(u64::from_ne_bytes(b[96..104].try_into().unwrap()), 1_000_001, "boot + 1 s");
        assert_eq!(u64::from_ne_bytes(b[368..376].try_into().unwrap()), 1, "1.5 s of user time");
        assert_eq!(u32_at(LWP + 4), u32::MAX, "aggregated: kl_tid -1");
        assert_eq!(u32_at(656), KI_SLEADER);
    }
}
