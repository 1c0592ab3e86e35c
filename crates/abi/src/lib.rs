//! DragonFly BSD x86-64 kernel ABI facts for godfly: system-call numbers,
//! errno and signal numbers, constants and structure layouts.
//!
//! Everything under `generated/` is written by `cargo xtask gen` from the
//! reference tables in `shared/dragonfly/`; `layout` is hand-written and
//! checked by size and offset assertions.
#![forbid(unsafe_code)]

pub mod errno;
pub mod layout;
pub mod net;
pub mod sysdef;

#[allow(missing_docs, clippy::all)]
#[rustfmt::skip]
pub mod generated {
    pub mod consts;
    pub mod errno;
    pub mod signal;
    pub mod syscalls;
}

pub use generated::consts;
pub use generated::signal;
pub use generated::syscalls;
