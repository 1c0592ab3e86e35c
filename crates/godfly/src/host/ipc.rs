//! System V IPC: shared memory, semaphores, message queues. Control
//! structures are Linux's x86-64 `*64_ds` layouts as host bytes (the
//! callers translate); message and semaphore-operation buffers stay in
//! guest memory, where the BSDs and Linux lay them out alike.

use super::raw::{self, mut_ptr};
use super::{Errno, GuestPtr};

/// `struct shmid64_ds`, `semid64_ds`, `msqid64_ds` sizes on x86-64.
pub const SHMID_DS_LEN: usize = 112;
pub const SEMID_DS_LEN: usize = 104;
pub const MSQID_DS_LEN: usize = 120;

fn int_call(nr: i64, args: &[u64]) -> Result<u64, Errno> {
    // SAFETY: integers only.
    unsafe { raw::sys(nr, args) }
}

/// shmget(2).
pub fn shmget(key: i32, size: u64, flags: i32) -> Result<i32, Errno> {
    int_call(libc::SYS_shmget, &[key as u64, size, flags as u64]).map(|v| v as i32)
}

/// shmat(2) with Linux flags.
///
/// # Safety
/// Maps memory: at `addr` (when not 0) nothing of godfly's may be mapped
/// that the kernel would replace (without SHM_REMAP it replaces nothing).
pub unsafe fn shmat(id: i32, addr: u64, flags: i32) -> Result<u64, Errno> {
    // SAFETY: forwarded from the caller.
    unsafe { raw::sys(libc::SYS_shmat, &[id as u64, addr, flags as u64]) }
}

/// shmdt(2).
///
/// # Safety
/// Unmaps the segment attached at `addr`: it must be the guest's.
pub unsafe fn shmdt(addr: u64) -> Result<(), Errno> {
    // SAFETY: forwarded from the caller.
    unsafe { raw::sys(libc::SYS_shmdt, &[addr]) }.map(|_| ())
}

/// shmctl(2) with a host `shmid64_ds`.
pub fn shmctl(id: i32, cmd: i32, ds: &mut [u8; SHMID_DS_LEN]) -> Result<u64, Errno> {
    // SAFETY: ds is a live, writable buffer of the structure's size.
    unsafe { raw::sys(libc::SYS_shmctl, &[id as u64, cmd as u64, mut_ptr(ds)]) }
}

/// semget(2).
pub fn semget(key: i32, nsems: i32, flags: i32) -> Result<i32, Errno> {
    int_call(libc::SYS_semget, &[key as u64, nsems as u64, flags as u64]).map(|v| v as i32)
}

/// semop(2) on guest `sembuf`s (the same 6-byte layout everywhere); it may
/// wait, and a signal ends the wait.
pub fn semop(id: i32, sops: GuestPtr, n: u32) -> Result<u64, Errno> {
    // SAFETY: guest memory, validated by the kernel.
    unsafe { raw::sys_blocking(libc::SYS_semop, &[id as u64, sops.0, u64::from(n)]) }
}

/// semctl(2) with a Linux command and the union's value as the kernel
/// takes it (an int, or a pointer to host or guest memory).
///
/// # Safety
/// `arg` must be what `cmd` wants: a live buffer of the right size for
/// IPC_STAT/IPC_SET (host `semid64_ds`) and GETALL/SETALL (guest array).
unsafe fn semctl(id: i32, num: i32, cmd: i32, arg: u64) -> Result<u64, Errno> {
    // SAFETY: forwarded from the caller.
    unsafe { raw::sys(libc::SYS_semctl, &[id as u64, num as u64, cmd as u64, arg]) }
}

/// semctl(2) with a command whose argument is an integer (IPC_RMID,
/// GETVAL, GETPID, GETNCNT, GETZCNT, SETVAL); other commands are EINVAL.
pub fn semctl_int(id: i32, num: i32, cmd: i32, val: i32) -> Result<u64, Errno> {
    if ![libc::IPC_RMID, libc::GETVAL, libc::GETPID, libc::GETNCNT, libc::GETZCNT, libc::SETVAL].contains(&cmd) {
        return Err(super::errno::EINVAL);
    }
    // SAFETY: these commands take no pointer.
    unsafe { semctl(id, num, cmd, val as u32 as u64) }
}

/// semctl(2) GETALL or SETALL with a guest array of `u16`s.
pub fn semctl_array(id: i32, set: bool, array: GuestPtr) -> Result<u64, Errno> {
    let cmd = if set { libc::SETALL } else { libc::GETALL };
    // SAFETY: guest memory, validated by the kernel as it copies.
    unsafe { semctl(id, 0, cmd, array.0) }
}

/// semctl(2) IPC_STAT or IPC_SET with a host `semid64_ds`.
pub fn semctl_ds(id: i32, cmd: i32, ds: &mut [u8; SEMID_DS_LEN]) -> Result<u64, Errno> {
    // SAFETY: ds is a live, writable buffer of the structure's size.
    unsafe { semctl(id, 0, cmd, mut_ptr(ds)) }
}

/// msgget(2).
pub fn msgget(key: i32, flags: i32) -> Result<i32, Errno> {
    int_call(libc::SYS_msgget, &[key as u64, flags as u64]).map(|v| v as i32)
}

/// msgsnd(2) from guest memory (`long mtype` then the text); may wait.
pub fn msgsnd(id: i32, msg: GuestPtr, size: u64, flags: i32) -> Result<u64, Errno> {
    // SAFETY: guest memory, validated by the kernel.
    unsafe { raw::sys_blocking(libc::SYS_msgsnd, &[id as u64, msg.0, size, flags as u64]) }
}

/// msgrcv(2) into guest memory; may wait.
pub fn msgrcv(id: i32, msg: GuestPtr, size: u64, ty: i64, flags: i32) -> Result<u64, Errno> {
    // SAFETY: guest memory, validated by the kernel.
    unsafe { raw::sys_blocking(libc::SYS_msgrcv, &[id as u64, msg.0, size, ty as u64, flags as u64]) }
}

/// msgctl(2) with a host `msqid64_ds`.
pub fn msgctl(id: i32, cmd: i32, ds: &mut [u8; MSQID_DS_LEN]) -> Result<u64, Errno> {
    // SAFETY: ds is a live, writable buffer of the structure's size.
    unsafe { raw::sys(libc::SYS_msgctl, &[id as u64, cmd as u64, mut_ptr(ds)]) }
}
