//! System V IPC as DragonFly has it (`kern/sysv_shm.c`, `sysv_sem.c`,
//! `sysv_msg.c`; `sys/ipc.h`, `shm.h`, `sem.h`, `msg.h`) on Linux's. The
//! flags (IPC_CREAT, IPC_EXCL, IPC_NOWAIT, SHM_RDONLY, SHM_RND, SEM_UNDO,
//! MSG_NOERROR), `struct sembuf` and a message's `long mtype` are the
//! same; the control structures and semctl's command numbers differ, and
//! `__semctl` takes its `union semun` by pointer where Linux takes it by
//! value. `key_t` is a `long` on DragonFly and an `int` on Linux: keys
//! are cut to 32 bits (ftok's are 32-bit).

use crate::call::{Args, SysResult, ok, ok_int};
use crate::host::errno::{E2BIG, EINVAL, ENOMEM};
use crate::host::ipc::{self, MSQID_DS_LEN, SEMID_DS_LEN, SHMID_DS_LEN};
use crate::host::{Errno, GuestPtr};
use crate::mem;
use crate::thread::Ctx;

/// `struct ipc_perm`, `shmid_ds`, `semid_ds`, `msqid_ds` sizes.
pub const IPC_PERM_LEN: usize = 32;
pub const SHMID_LEN: usize = 88;
pub const SEMID_LEN: usize = 112;
pub const MSQID_LEN: usize = 160;
/// `MAX_SOPS` (`sys/sem.h`): more operations in one semop is E2BIG.
pub const MAX_SOPS: u32 = 5;

const IPC_RMID: i32 = 0;
const IPC_SET: i32 = 1;
const IPC_STAT: i32 = 2;
// DragonFly's semctl commands (`sys/sem.h`).
const GETNCNT: i32 = 3;
const GETPID: i32 = 4;
const GETVAL: i32 = 5;
const GETALL: i32 = 6;
const GETZCNT: i32 = 7;
const SETVAL: i32 = 8;
const SETALL: i32 = 9;

fn get<const N: usize>(b: &[u8], off: usize) -> [u8; N] {
    b[off..off + N].try_into().unwrap_or([0; N])
}

fn u32_at(b: &[u8], off: usize) -> u32 {
    u32::from_ne_bytes(get(b, off))
}

fn u64_at(b: &[u8], off: usize) -> u64 {
    u64::from_ne_bytes(get(b, off))
}

fn put(b: &mut [u8], off: usize, v: &[u8]) {
    b[off..off + v.len()].copy_from_slice(v);
}

/// Linux `ipc64_perm` (48 bytes: key, uid, gid, cuid, cgid, mode, seq)
/// into DragonFly's `ipc_perm` (cuid, cgid, uid, gid, u16 mode, u16 seq,
/// long key).
pub fn perm_from_linux(l: &[u8], d: &mut [u8]) {
    put(d, 0, &l[12..16]);
    put(d, 4, &l[16..20]);
    put(d, 8, &l[4..8]);
    put(d, 12, &l[8..12]);
    put(d, 16, &((u32_at(l, 20) & 0o777) as u16).to_ne_bytes());
    put(d, 18, &l[24..26]);
    put(d, 24, &i64::from(i32::from_ne_bytes(get(l, 0))).to_ne_bytes());
}

/// What IPC_SET takes from DragonFly's `ipc_perm` (uid, gid, mode) into
/// a Linux `ipc64_perm`.
pub fn perm_set_to_linux(d: &[u8], l: &mut [u8]) {
    put(l, 4, &d[8..12]);
    put(l, 8, &d[12..16]);
    put(l, 20, &u32::from(u16::from_ne_bytes(get(d, 16)) & 0o777).to_ne_bytes());
}

/// Linux `shmid64_ds` into DragonFly's `shmid_ds`.
pub fn shmid_from_linux(l: &[u8; SHMID_DS_LEN]) -> [u8; SHMID_LEN] {
    let mut d = [0u8; SHMID_LEN];
    perm_from_linux(l, &mut d);
    put(&mut d, 32, &l[48..56]);
    put(&mut d, 40, &l[84..88]);
    put(&mut d, 44, &l[80..84]);
    put(&mut d, 48, &(u64_at(l, 88) as u32).to_ne_bytes());
    put(&mut d, 56, &l[56..80]);
    d
}

/// Linux `semid64_ds` into DragonFly's `semid_ds`.
pub fn semid_from_linux(l: &[u8; SEMID_DS_LEN]) -> [u8; SEMID_LEN] {
    let mut d = [0u8; SEMID_LEN];
    perm_from_linux(l, &mut d);
    put(&mut d, 40, &(u64_at(l, 80) as u16).to_ne_bytes());
    put(&mut d, 48, &l[48..56]);
    put(&mut d, 64, &l[64..72]);
    d
}

/// Linux `msqid64_ds` into DragonFly's `msqid_ds`.
pub fn msqid_from_linux(l: &[u8; MSQID_DS_LEN]) -> [u8; MSQID_LEN] {
    let mut d = [0u8; MSQID_LEN];
    perm_from_linux(l, &mut d);
    put(&mut d, 48, &l[72..96]);
    put(&mut d, 72, &l[96..104]);
    put(&mut d, 80, &l[48..56]);
    put(&mut d, 96, &l[56..64]);
    put(&mut d, 112, &l[64..72]);
    d
}

/// `shmget(key, size, shmflg)`, DragonFly 231.
pub fn shmget(_: &mut Ctx, a: &Args) -> SysResult {
    ok_int(ipc::shmget(a.i64(0) as i32, a.u64(1), a.int(2))?)
}

/// `shmat(shmid, shmaddr, shmflg)`, DragonFly 228: the address. A given
/// address must be page-aligned unless SHM_RND (EINVAL); one where the
/// segment does not fit (taken, or outside user space) is ENOMEM, as
/// `vm_map_find` fails there, where Linux says EINVAL.
pub fn shmat(_: &mut Ctx, a: &Args) -> SysResult {
    let (id, addr) = (a.int(0), a.ptr(1));
    let mut ds = [0u8; SHMID_DS_LEN];
    ipc::shmctl(id, IPC_STAT, &mut ds)?;
    let size = u64_at(&ds, 48);
    let flags = a.int(2) & (libc::SHM_RDONLY | libc::SHM_RND);
    if addr != 0 && flags & libc::SHM_RND == 0 && !addr.is_multiple_of(4096) {
        return Err(EINVAL);
    }
    let top = godfly_abi::dragonfly::VM_MAX_USER_ADDRESS;
    if addr.saturating_add(size) > top {
        return Err(ENOMEM);
    }
    match crate::mem::owned::guest().shm_attach(id, addr, flags, size, top) {
        Err(e) if addr != 0 && e == EINVAL => Err(ENOMEM),
        r => ok(r?),
    }
}

/// `shmdt(shmaddr)`, DragonFly 230.
pub fn shmdt(_: &mut Ctx, a: &Args) -> SysResult {
    crate::mem::owned::guest().shm_detach(a.ptr(0))?;
    ok_int(0)
}

/// `shmctl(shmid, cmd, buf)`, DragonFly 229: IPC_STAT, IPC_SET, IPC_RMID.
pub fn shmctl(_: &mut Ctx, a: &Args) -> SysResult {
    let (id, cmd, buf) = (a.int(0), a.int(1), a.ptr(2));
    let mut ds = [0u8; SHMID_DS_LEN];
    match cmd {
        IPC_RMID => {
            ipc::shmctl(id, IPC_RMID, &mut ds)?;
        }
        IPC_STAT => {
            ipc::shmctl(id, IPC_STAT, &mut ds)?;
            mem::write_bytes(buf, &shmid_from_linux(&ds))?;
        }
        IPC_SET => {
            let d = mem::read_bytes(buf, SHMID_LEN)?;
            ipc::shmctl(id, IPC_STAT, &mut ds)?;
            perm_set_to_linux(&d, &mut ds);
            ipc::shmctl(id, IPC_SET, &mut ds)?;
        }
        _ => return Err(EINVAL),
    }
    ok_int(0)
}

/// `semget(key, nsems, semflg)`, DragonFly 221.
pub fn semget(_: &mut Ctx, a: &Args) -> SysResult {
    ok_int(ipc::semget(a.i64(0) as i32, a.int(1), a.int(2))?)
}

/// `semop(semid, sops, nsops)`, DragonFly 222: at most MAX_SOPS (5).
pub fn semop(_: &mut Ctx, a: &Args) -> SysResult {
    let n = a.uint(2);
    if n > MAX_SOPS {
        return Err(E2BIG);
    }
    ipc::semop(a.int(0), a.guest(1), n)?;
    ok_int(0)
}

/// The `union semun` `__semctl` points at: its 8 bytes.
fn semun(argp: u64) -> Result<u64, Errno> {
    mem::read::<u64>(argp)
}

/// `__semctl(semid, semnum, cmd, union semun *arg)`, DragonFly 220.
pub fn semctl(_: &mut Ctx, a: &Args) -> SysResult {
    let (id, num, cmd, argp) = (a.int(0), a.int(1), a.int(2), a.ptr(3));
    let simple = |lcmd: i32, val: i32| -> SysResult { ok(ipc::semctl_int(id, num, lcmd, val)?) };
    match cmd {
        IPC_RMID => simple(libc::IPC_RMID, 0),
        GETNCNT => simple(libc::GETNCNT, 0),
        GETPID => simple(libc::GETPID, 0),
        GETVAL => simple(libc::GETVAL, 0),
        GETZCNT => simple(libc::GETZCNT, 0),
        GETALL => ok(ipc::semctl_array(id, false, GuestPtr(semun(argp)?))?),
        SETALL => ok(ipc::semctl_array(id, true, GuestPtr(semun(argp)?))?),
        SETVAL => simple(libc::SETVAL, semun(argp)? as u32 as i32),
        IPC_STAT => {
            let buf = semun(argp)?;
            let mut ds = [0u8; SEMID_DS_LEN];
            ipc::semctl_ds(id, libc::IPC_STAT, &mut ds)?;
            mem::write_bytes(buf, &semid_from_linux(&ds))?;
            ok_int(0)
        }
        IPC_SET => {
            let d = mem::read_bytes(semun(argp)?, SEMID_LEN)?;
            let mut ds = [0u8; SEMID_DS_LEN];
            ipc::semctl_ds(id, libc::IPC_STAT, &mut ds)?;
            perm_set_to_linux(&d, &mut ds);
            ipc::semctl_ds(id, libc::IPC_SET, &mut ds)?;
            ok_int(0)
        }
        _ => Err(EINVAL),
    }
}

/// `msgget(key, msgflg)`, DragonFly 225.
pub fn msgget(_: &mut Ctx, a: &Args) -> SysResult {
    ok_int(ipc::msgget(a.i64(0) as i32, a.int(1))?)
}

/// `msgsnd(msqid, msgp, msgsz, msgflg)`, DragonFly 226.
pub fn msgsnd(_: &mut Ctx, a: &Args) -> SysResult {
    ipc::msgsnd(a.int(0), a.guest(1), a.u64(2), a.int(3) & libc::IPC_NOWAIT)?;
    ok_int(0)
}

/// `msgrcv(msqid, msgp, msgsz, msgtyp, msgflg)`, DragonFly 227: the text's
/// length. DragonFly has no MSG_EXCEPT or MSG_COPY.
pub fn msgrcv(_: &mut Ctx, a: &Args) -> SysResult {
    let flags = a.int(4) & (libc::IPC_NOWAIT | libc::MSG_NOERROR);
    ok(ipc::msgrcv(a.int(0), a.guest(1), a.u64(2), a.i64(3), flags)?)
}

/// `msgctl(msqid, cmd, buf)`, DragonFly 224: IPC_STAT, IPC_SET (with
/// msg_qbytes), IPC_RMID.
pub fn msgctl(_: &mut Ctx, a: &Args) -> SysResult {
    let (id, cmd, buf) = (a.int(0), a.int(1), a.ptr(2));
    let mut ds = [0u8; MSQID_DS_LEN];
    match cmd {
        IPC_RMID => {
            ipc::msgctl(id, IPC_RMID, &mut ds)?;
        }
        IPC_STAT => {
            ipc::msgctl(id, IPC_STAT, &mut ds)?;
            mem::write_bytes(buf, &msqid_from_linux(&ds))?;
        }
        IPC_SET => {
            let d = mem::read_bytes(buf, MSQID_LEN)?;
            ipc::msgctl(id, IPC_STAT, &mut ds)?;
            perm_set_to_linux(&d, &mut ds);
            put(&mut ds, 88, &d[64..72]);
            ipc::msgctl(id, IPC_SET, &mut ds)?;
        }
        _ => return Err(EINVAL),
    }
    ok_int(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn linux_perm() -> [u8; 48] {
        let mut l = [0u8; 48];
        put(&mut l, 0, &0x1234_5678i32.to_ne_bytes());
        put(&mut l, 4, &1000u32.to_ne_bytes());
        put(&mut l, 8, &1001u32.to_ne_bytes());
        put(&mut l, 12, &2000u32.to_ne_bytes());
        put(&mut l, 16, &2001u32.to_ne_bytes());
        put(&mut l, 20, &(0o1640u32).to_ne_bytes());
        put(&mut l, 24, &7u16.to_ne_bytes());
        l
    }

    #[test]
    fn ipc_perm_fields_move_to_dragonflys_order() {
        let mut d = [0u8; IPC_PERM_LEN];
        perm_from_linux(&linux_perm(), &mut d);
        assert_eq!(u32_at(&d, 0), 2000, "cuid");
        assert_eq!(u32_at(&d, 4), 2001, "cgid");
        assert_eq!(u32_at(&d, 8), 1000, "uid");
        assert_eq!(u32_at(&d, 12), 1001, "gid");
        assert_eq!(u16::from_ne_bytes(get(&d, 16)), 0o640, "mode, Linux's SHM_DEST left out");
        assert_eq!(u16::from_ne_bytes(get(&d, 18)), 7, "seq");
        assert_eq!(u64_at(&d, 24), 0x1234_5678, "key");
        let mut l = [0u8; 48];
        perm_set_to_linux(&d, &mut l);
        assert_eq!((u32_at(&l, 4), u32_at(&l, 8), u32_at(&l, 20)), (1000, 1001, 0o640));
    }

    #[test]
    fn control_structures_land_at_dragonflys_offsets() {
        let mut l = [0u8; SHMID_DS_LEN];
        l[..48].copy_from_slice(&linux_perm());
        put(&mut l, 48, &65536u64.to_ne_bytes());
        put(&mut l, 72, &99i64.to_ne_bytes());
        put(&mut l, 80, &11i32.to_ne_bytes());
        put(&mut l, 84, &12i32.to_ne_bytes());
        put(&mut l, 88, &3u64.to_ne_bytes());
        let d = shmid_from_linux(&l);
        assert_eq!((u64_at(&d, 32), u32_at(&d, 40), u32_at(&d, 44), u32_at(&d, 48)), (65536, 12, 11, 3));
        assert_eq!(u64_at(&d, 72), 99, "shm_ctime");
        let mut s = [0u8; SEMID_DS_LEN];
        put(&mut s, 80, &4u64.to_ne_bytes());
        put(&mut s, 64, &5i64.to_ne_bytes());
        let d = semid_from_linux(&s);
        assert_eq!((u16::from_ne_bytes(get(&d, 40)), u64_at(&d, 64)), (4, 5));
        let mut m = [0u8; MSQID_DS_LEN];
        put(&mut m, 72, &10u64.to_ne_bytes());
        put(&mut m, 80, &2u64.to_ne_bytes());
        put(&mut m, 88, &16384u64.to_ne_bytes());
        put(&mut m, 96, &21i32.to_ne_bytes());
        put(&mut m, 100, &22i32.to_ne_bytes());
        let d = msqid_from_linux(&m);
        assert_eq!((u64_at(&d, 48), u64_at(&d, 56), u64_at(&d, 64)), (10, 2, 16384));
        assert_eq!((u32_at(&d, 72), u32_at(&d, 76)), (21, 22));
    }
}
