//! Numbers of the smaller call groups, from DragonFly's headers: file
//! flags (`sys/stat.h`), `pathconf` names (`sys/unistd.h`), priorities
//! (`sys/resource.h`), POSIX scheduling (`sys/sched.h`), `mlockall`
//! (`sys/mman.h`), the login name (`sys/param.h`), `statvfs` flags
//! (`sys/statvfs.h`), `extattr` namespaces (`sys/extattr.h`) and
//! `utrace` (`sys/ktrace.h`).

// File flags, `sys/stat.h:205-227`.
/// Do not dump the file.
pub const UF_NODUMP: u32 = 0x0000_0001;
/// The file may not be changed.
pub const UF_IMMUTABLE: u32 = 0x0000_0002;
/// Writes may only append.
pub const UF_APPEND: u32 = 0x0000_0004;
/// A directory is opaque to union mounts.
pub const UF_OPAQUE: u32 = 0x0000_0008;
/// The file may not be removed or renamed.
pub const UF_NOUNLINK: u32 = 0x0000_0010;
/// No history kept (HAMMER).
pub const UF_NOHISTORY: u32 = 0x0000_0040;
/// Cache on swap (swapcache).
pub const UF_CACHE: u32 = 0x0000_0080;
/// Variant symlink expansion.
pub const UF_XLINK: u32 = 0x0000_0100;
/// The flags the owner may change (the rest need privilege).
pub const UF_SETTABLE: u32 = 0x0000_ffff;
/// Archived.
pub const SF_ARCHIVED: u32 = 0x0001_0000;
/// System immutable.
pub const SF_IMMUTABLE: u32 = 0x0002_0000;
/// System append-only.
pub const SF_APPEND: u32 = 0x0004_0000;
/// System no-unlink.
pub const SF_NOUNLINK: u32 = 0x0010_0000;
/// System no-history.
pub const SF_NOHISTORY: u32 = 0x0040_0000;
/// System no-cache.
pub const SF_NOCACHE: u32 = 0x0080_0000;
/// System variant symlink.
pub const SF_XLINK: u32 = 0x0100_0000;

// pathconf names, `sys/unistd.h:136-176`.
pub const PC_LINK_MAX: i32 = 1;
pub const PC_MAX_CANON: i32 = 2;
pub const PC_MAX_INPUT: i32 = 3;
pub const PC_NAME_MAX: i32 = 4;
pub const PC_PATH_MAX: i32 = 5;
pub const PC_PIPE_BUF: i32 = 6;
pub const PC_CHOWN_RESTRICTED: i32 = 7;
pub const PC_NO_TRUNC: i32 = 8;
pub const PC_VDISABLE: i32 = 9;
pub const PC_FILESIZEBITS: i32 = 12;
pub const PC_SYNC_IO: i32 = 55;
pub const PC_2_SYMLINKS: i32 = 22;

/// `PIPE_BUF` (`sys/syslimits.h`).
pub const PIPE_BUF: i64 = 512;
/// `LINK_MAX` as `vop_stdpathconf` answers it (`kern/vfs_default.c`).
pub const LINK_MAX: i64 = 32767;
/// `MAX_CANON` and `MAX_INPUT` (`sys/syslimits.h`).
pub const MAX_CANON: i64 = 255;
/// `NAME_MAX` (`sys/syslimits.h`).
pub const NAME_MAX: i64 = 255;
/// `_POSIX_VDISABLE` (`sys/unistd.h`).
pub const POSIX_VDISABLE: i64 = 0xff;

// Priorities, `sys/resource.h`.
pub const PRIO_PROCESS: i32 = 0;
pub const PRIO_PGRP: i32 = 1;
pub const PRIO_USER: i32 = 2;
/// The nice range, `sys/resource.h` PRIO_MIN/PRIO_MAX.
pub const PRIO_MIN: i32 = -20;
pub const PRIO_MAX: i32 = 20;

// POSIX scheduling, `sys/sched.h`.
pub const SCHED_FIFO: i32 = 1;
pub const SCHED_OTHER: i32 = 2;
pub const SCHED_RR: i32 = 3;
/// `RTP_PRIO_MAX` (`sys/rtprio.h`): the highest FIFO/RR priority.
pub const RTP_PRIO_MAX: i32 = 31;

// mlockall, `sys/mman.h`.
pub const MCL_CURRENT: i32 = 0x0001;
pub const MCL_FUTURE: i32 = 0x0002;

/// `MAXLOGNAME` (`sys/param.h`): a login name and its NUL.
pub const MAXLOGNAME: usize = 33;

// statvfs f_flag, `sys/statvfs.h`.
pub const ST_RDONLY: u64 = 0x1;
pub const ST_NOSUID: u64 = 0x2;

// extattr namespaces, `sys/extattr.h`.
pub const EXTATTR_NAMESPACE_EMPTY: i32 = 0;
pub const EXTATTR_NAMESPACE_USER: i32 = 1;
pub const EXTATTR_NAMESPACE_SYSTEM: i32 = 2;
/// `EXTATTR_MAXNAMELEN` (= NAME_MAX), the name's fixed copy-in length.
pub const EXTATTR_MAXNAMELEN: usize = 255;

/// `KTR_USER_MAXLEN` (`sys/ktrace.h`): the longest `utrace` record.
pub const KTR_USER_MAXLEN: usize = 2048;

/// `LPMAP_MAXTHREADTITLE` (`sys/upmap.h`): a thread title's room,
/// NUL included.
pub const MAXTHREADTITLE: usize = 1024;
