//! Loading a DragonFly program: the ELF image (`elf`), the initial stack
//! with argc, argv, envp and auxv (`stack`), and the entry registers.
#![forbid(unsafe_code)]

pub mod elf;
pub mod fastpath;
pub mod stack;

pub use elf::{LoadError, Program};
