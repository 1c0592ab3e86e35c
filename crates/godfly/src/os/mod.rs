//! The guest systems godfly runs, one folder each: `dragonfly/` (and, to
//! come, `freebsd/`). Each provides a `Personality` and whatever only that
//! system has; `ALL` is the list the loader's brand test walks.
#![forbid(unsafe_code)]

pub mod dragonfly;

use crate::personality::Personality;

/// Every personality, in the order the loader asks them.
pub static ALL: &[&Personality] = &[&dragonfly::PERSONALITY];

/// The system-call tables of every personality (for names given before
/// the program, and so its system, is known).
pub fn all_call_tables() -> Vec<&'static [godfly_abi::sysdef::SyscallDef]> {
    ALL.iter().map(|p| p.calls.defs).collect()
}
