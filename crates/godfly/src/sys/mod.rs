//! System-call handlers that every guest OS shares, one module per group
//! of calls. Handlers decode their arguments, call the host through the
//! typed wrappers of `host`, and reach the guest's numbers and layouts
//! through the personality; they are safe code. The calls one OS alone
//! has live in its `os/<name>/` folder.
#![forbid(unsafe_code)]

pub mod fd;
pub mod file;
pub mod kqueue;
pub mod login;
pub mod mem;
pub mod misc;
pub mod path;
pub mod poll;
pub mod proc;
pub mod procs;
pub mod rtsock;
pub mod sched;
pub mod signal;
pub mod socket;
pub mod stat;
pub mod time;
