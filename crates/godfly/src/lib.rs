//! godfly: run BSD x86-64 programs (DragonFly BSD first) on Linux x86-64.
//!
//! The layers, each using only those below it, are listed in
//! docs/ARCHITECTURE.md (a test holds the code to that table). Bottom up:
//! `arch`; `env`, `host`; `mem`, `stubs`; `call`, `xlat`; `thread`;
//! `personality`, `process`; `trace`; `signal`; `crash`; `dispatch`;
//! `sys`; `os` (one folder per guest OS); `loader`; `trap`; `run`;
//! `cli`, `fuzz`.

pub mod arch;
pub mod call;
pub mod cli;
pub mod crash;
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
