//! Whether a program is a FreeBSD program: its ELF header says so
//! (EI_OSABI 9, ELFOSABI_FREEBSD, which Go's linker writes), or it carries
//! FreeBSD's ABI note (`.note.tag`, owner "FreeBSD", type 1); or, for a Go
//! program with neither, its build information says `freebsd`.

use godfly_abi::freebsd::consts as f;

use crate::personality::{Brand, BrandFacts};

/// The brand rule.
pub fn brand(facts: &BrandFacts) -> Brand {
    if facts.has_note(b"FreeBSD") || i32::from(facts.osabi) == f::ELFOSABI_FREEBSD {
        return Brand::Yes;
    }
    if facts.has_note(b"GNU") || i32::from(facts.osabi) == f::ELFOSABI_LINUX {
        return Brand::No("is a Linux program, not a FreeBSD one (run it directly)".into());
    }
    if i32::from(facts.osabi) != f::ELFOSABI_NONE {
        return Brand::No(format!("is not a FreeBSD program (ELF OS/ABI {})", facts.osabi));
    }
    match facts.go_os.as_deref() {
        Some("freebsd") => Brand::Yes,
        Some(os) => Brand::No(format!("is a Go program for {os}, not for FreeBSD (GOOS=freebsd builds one)")),
        None => Brand::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_osabi_byte_or_the_note_makes_a_freebsd_program() {
        assert_eq!(brand(&BrandFacts { osabi: 9, ..Default::default() }), Brand::Yes);
        let note = BrandFacts { notes: vec![(b"FreeBSD".to_vec(), 1)], ..Default::default() };
        assert_eq!(brand(&note), Brand::Yes);
        let go = BrandFacts { go_os: Some("freebsd".into()), ..Default::default() };
        assert_eq!(brand(&go), Brand::Yes);
        let dfly = BrandFacts { go_os: Some("dragonfly".into()), ..Default::default() };
        assert!(matches!(brand(&dfly), Brand::No(m) if m.contains("for dragonfly")));
        let linux = BrandFacts { osabi: 3, ..Default::default() };
        assert!(matches!(brand(&linux), Brand::No(m) if m.contains("Linux")));
        assert_eq!(brand(&BrandFacts::default()), Brand::Unknown);
    }
}
