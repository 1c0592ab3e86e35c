//! Whether a program is a DragonFly program: it carries DragonFly's ABI
//! note (`.note.tag`, owner "DragonFly", type 1); or, for Go programs,
//! which carry no OS brand (EI_OSABI 0, no note), its entry symbol or its
//! build information says `dragonfly`. A Linux ABI note, a non-zero
//! foreign EI_OSABI, or a Go program for another system means it is not.

use crate::personality::{Brand, BrandFacts};

/// ELFOSABI_NONE and ELFOSABI_LINUX.
const OSABI_NONE: u8 = 0;
const OSABI_LINUX: u8 = 3;

/// The brand rule.
pub fn brand(f: &BrandFacts) -> Brand {
    if f.has_note(b"DragonFly") {
        return Brand::Yes;
    }
    if f.has_note(b"GNU") || f.osabi == OSABI_LINUX {
        return Brand::No("is a Linux program, not a DragonFly one (run it directly)".into());
    }
    if f.osabi != OSABI_NONE {
        return Brand::No(format!("is not a DragonFly program (ELF OS/ABI {})", f.osabi));
    }
    match f.go_os.as_deref() {
        Some("dragonfly") => Brand::Yes,
        Some(os) => Brand::No(format!("is a Go program for {os}, not for DragonFly (GOOS=dragonfly builds one)")),
        None => Brand::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_osabi_and_go_facts_decide() {
        let note = BrandFacts { notes: vec![(b"DragonFly".to_vec(), 1)], ..Default::default() };
        assert_eq!(brand(&note), Brand::Yes);
        let go = BrandFacts { go_os: Some("dragonfly".into()), ..Default::default() };
        assert_eq!(brand(&go), Brand::Yes);
        let linux = BrandFacts { notes: vec![(b"GNU".to_vec(), 1)], ..Default::default() };
        assert!(matches!(brand(&linux), Brand::No(m) if m.contains("Linux")));
        let other = BrandFacts { go_os: Some("linux".into()), ..Default::default() };
        assert!(matches!(brand(&other), Brand::No(m) if m.contains("for linux")));
        assert_eq!(brand(&BrandFacts::default()), Brand::Unknown);
        assert!(matches!(brand(&BrandFacts { osabi: 9, ..Default::default() }), Brand::No(_)));
    }
}
