//! The guest systems godfly runs, one folder each: `dragonfly/` and
//! `freebsd/`. Each provides a `Personality` and whatever only that
//! system has; `ALL` is the list the loader's brand test walks.
#![forbid(unsafe_code)]

pub mod dragonfly;
pub mod freebsd;

use crate::personality::Personality;

/// Every personality, in the order the loader asks them.
pub static ALL: &[&Personality] = &[&dragonfly::PERSONALITY, &freebsd::PERSONALITY];

/// The system-call tables of every personality (for names given before
/// the program, and so its system, is known).
pub fn all_call_tables() -> Vec<&'static [godfly_abi::sysdef::SyscallDef]> {
    ALL.iter().map(|p| p.calls.defs).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_exec_shim_knows_every_personality() {
        // The shim (C, in host programs) claims guest programs by the same
        // marks as the brand rules: each system's note owner and GOOS.
        let shim = include_str!("../../preload/godfly_preload.c");
        let table = &shim[shim.find("} guests[] = {").expect("guests table")..];
        let table = &table[..table.find("};").expect("end of guests table")];
        for p in super::ALL {
            assert!(table.contains(&format!("\"{}\"", p.goos)), "{} missing from the shim's guests", p.goos);
            assert!(table.contains(&format!("{{\"{}\",", p.name)), "{} note missing from the shim's guests", p.name);
        }
    }
}
