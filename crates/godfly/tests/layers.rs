//! The layers of docs/ARCHITECTURE.md hold in the code: every `crate::X`
//! a module names is of a lower layer than its own (or is itself), and
//! every top-level module is in the table. A new import that runs up or
//! sideways fails here, with the file and the line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// Module name → layer number, from the table between the markers.
fn layers() -> BTreeMap<String, u32> {
    let doc = std::fs::read_to_string(root().join("../../docs/ARCHITECTURE.md")).expect("read docs/ARCHITECTURE.md");
    let start = doc.find("<!-- layers:").expect("layer table start marker");
    let end = doc.find("<!-- end layers -->").expect("layer table end marker");
    let mut out = BTreeMap::new();
    for line in doc[start..end].lines().filter(|l| l.starts_with('|')) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let Ok(layer) = cells.get(1).copied().unwrap_or("").parse::<u32>() else { continue };
        for m in cells.get(2).copied().unwrap_or("").split(',') {
            let m = m.trim().trim_matches('`');
            assert!(!m.is_empty(), "empty module name in layer {layer}");
            assert!(out.insert(m.to_string(), layer).is_none(), "{m} listed twice");
        }
    }
    assert!(out.len() > 10, "the layer table looks empty");
    out
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read source dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The top-level module a source file belongs to (`None` for the crate
/// root and the binaries, which are above every layer).
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?;
    let first = rel.components().next()?.as_os_str().to_string_lossy().into_owned();
    match first.as_str() {
        "lib.rs" | "main.rs" | "bin" => None,
        f => Some(f.trim_end_matches(".rs").to_string()),
    }
}

/// The module a `crate::NAME` reference lands in (`diag!` is exported at
/// the crate root from `host`).
fn target(name: &str) -> &str {
    if name == "diag" { "host" } else { name }
}

/// The `crate::NAME` references in a line of code.
fn references(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(i) = rest.find("crate::") {
        let before = rest[..i].chars().last();
        let after = &rest[i + 7..];
        let name: String = after.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        // `$crate::` and `godfly_crate::` are not this crate's paths.
        if !matches!(before, Some(c) if c.is_ascii_alphanumeric() || c == '_' || c == '$') && !name.is_empty() {
            out.push(name);
        }
        rest = after;
    }
    out
}

#[test]
fn every_import_runs_down_the_layer_table() {
    let table = layers();
    let src = root().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut wrong = Vec::new();
    for f in &files {
        let Some(module) = module_of(&src, f) else { continue };
        let Some(&mine) = table.get(&module) else {
            wrong.push(format!("{}: module `{module}` is not in the layer table", f.display()));
            continue;
        };
        let text = std::fs::read_to_string(f).expect("read source");
        for (n, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("#[cfg(test)]") {
                break; // tests may reach anywhere below the crate root
            }
            if code.starts_with("//") {
                continue;
            }
            for name in references(code) {
                let t = target(&name);
                if t == module {
                    continue;
                }
                match table.get(t) {
                    Some(&theirs) if theirs < mine => {}
                    Some(&theirs) => wrong.push(format!(
                        "{}:{}: `{module}` (layer {mine}) uses `{t}` (layer {theirs})",
                        f.display(),
                        n + 1
                    )),
                    None => wrong.push(format!("{}:{}: `{t}` is not in the layer table", f.display(), n + 1)),
                }
            }
        }
    }
    assert!(wrong.is_empty(), "imports against docs/ARCHITECTURE.md's layers:\n{}", wrong.join("\n"));
}

#[test]
fn every_module_of_the_crate_root_is_in_the_table() {
    let table = layers();
    let lib = std::fs::read_to_string(root().join("src/lib.rs")).expect("read lib.rs");
    for line in lib.lines() {
        if let Some(m) = line.trim().strip_prefix("pub mod ").and_then(|m| m.strip_suffix(';')) {
            assert!(table.contains_key(m), "module `{m}` of lib.rs is not in docs/ARCHITECTURE.md's layer table");
        }
    }
}

#[test]
fn references_skip_other_crates_and_macro_paths() {
    assert_eq!(references("use crate::host::fs; crate::mem::read(x)"), vec!["host", "mem"]);
    assert!(references("$crate::host::out::diag_text(x)").is_empty());
    assert!(references("godfly_crate::x").is_empty());
}
