//! godfly: run BSD x86-64 programs (DragonFly BSD and FreeBSD) on Linux x86-64.
//!
//! The layers, each using only those below it, are listed in
//! docs/ARCHITECTURE.md (a test holds the code to that table). Bottom up:
//! `arch`, `env`, `sync`, `xlat`; `host`; `stubs`; `mem`; `call`;
//! `thread`; `personality`, `process`; `trace`; `signal`; `crash`;
//! `dispatch`; `sys`, `trap`; `os` (one folder per guest OS); `loader`;
//! `run`; `compare`; `cli`, `fuzz`.

/// A failed allocation is an internal error (status 70), not an abort.
#[global_allocator]
static ALLOCATOR: host::alloc::Guarded = host::alloc::Guarded;

pub mod arch;
pub mod call;
pub mod cli;
pub mod compare;
pub mod crash;
pub mod debug;
pub mod dispatch;
pub mod env;
pub mod fuzz;
pub mod host;
pub mod loader;
pub mod mem;
pub mod os;
pub mod personality;
pub mod process;
pub mod run;
pub mod signal;
pub mod stubs;
pub mod sync;
pub mod sys;
pub mod thread;
pub mod trace;
pub mod trap;
pub mod xlat;
