//! Guest kernel ABI facts for godfly, one module per guest OS: system-call
//! numbers, errno and signal numbers, constants and structure layouts of
//! DragonFly BSD and FreeBSD on x86-64.
//!
//! Everything under `<os>/generated/` is written by `cargo xtask gen` from
//! the reference tables in `shared/<os>/`; the layouts beside them are
//! hand-written and checked by size and offset assertions.
#![forbid(unsafe_code)]

pub mod bsd;
pub mod dragonfly;
pub mod freebsd;
pub mod sysdef;
