//! Loading a guest program: the ELF image and the brand test that picks
//! its personality (`elf`), and the fast path's rewriting of its system-call
//! sites (`fastpath`), whose list is kept per program (`sitecache`). The initial stack is the personality's.
#![forbid(unsafe_code)]

pub mod elf;
pub mod fastpath;
pub mod sitecache;

pub use elf::{LoadError, Program};
