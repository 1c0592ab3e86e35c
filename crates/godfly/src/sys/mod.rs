//! System-call handlers, one module per group of calls. Handlers decode
//! their arguments, call the host through `host`, and translate with
//! `xlat`; they are safe code.
#![forbid(unsafe_code)]

pub mod fd;
pub mod file;
pub mod kqueue;
pub mod lwp;
pub mod mem;
pub mod misc;
pub mod path;
pub mod poll;
pub mod proc;
pub mod signal;
pub mod socket;
pub mod stat;
pub mod sysctl;
pub mod time;
pub mod umtx;

pub use crate::host;
