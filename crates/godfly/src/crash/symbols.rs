//! Names for guest addresses: the ELF symbol table for the function and
//! offset, DWARF line tables (Go emits them) for file:line.

/// What is known about one code address.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Place {
    /// Function name.
    pub function: Option<String>,
    /// Offset from the function start.
    pub offset: u64,
    /// Source file and line.
    pub line: Option<(String, u32)>,
}

/// Symbol and line lookups in one program file.
pub struct Symbols {
    loader: Option<addr2line::Loader>,
    syms: Vec<(u64, u64, String)>,
}

impl std::fmt::Debug for Symbols {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Symbols({} symbols)", self.syms.len())
    }
}

impl Symbols {
    /// Loads the tables of the program at `path` (missing tables give
    /// empty answers, never an error).
    pub fn load(path: &str) -> Symbols {
        use object::{Object, ObjectSymbol};
        let mut syms = Vec::new();
        if let Ok(data) = std::fs::read(path)
            && let Ok(file) = object::File::parse(&*data)
        {
            for s in file.symbols() {
                if s.kind() == object::SymbolKind::Text
                    && let Ok(n) = s.name()
                {
                    syms.push((s.address(), s.size(), n.to_string()));
                }
            }
        }
        syms.sort_by_key(|s| s.0);
        Symbols { loader: addr2line::Loader::new(path).ok(), syms }
    }

    /// The function containing `addr`, with the offset into it.
    pub fn function(&self, addr: u64) -> Option<(&str, u64)> {
        let i = self.syms.partition_point(|s| s.0 <= addr);
        // A size-0 symbol (a marker such as runtime.etext) names only its
        // own address, not everything after it; markers may share an
        // address with a real function, so look back a few entries.
        self.syms[..i]
            .iter()
            .rev()
            .take(8)
            .find(|(start, size, _)| if *size == 0 { addr == *start } else { addr - start < *size })
            .map(|(start, _, name)| (name.as_str(), addr - start))
    }

    /// The inlined call chain at `addr`, innermost first: function names
    /// (demangled) with file:line where DWARF has them.
    pub fn frames(&self, addr: u64) -> Vec<(String, Option<(String, u32)>)> {
        let mut out = Vec::new();
        let Some(Ok(mut it)) = self.loader.as_ref().map(|l| l.find_frames(addr)) else { return out };
        while let Ok(Some(f)) = it.next() {
            let name = f
                .function
                .as_ref()
                .and_then(|n| n.raw_name().ok())
                .map(|n| format!("{:#}", rustc_demangle::demangle(&n)))
                .unwrap_or_else(|| "?".into());
            let line = f.location.and_then(|l| Some((l.file?.to_string(), l.line?)));
            out.push((name, line));
        }
        out
    }

    /// Everything known about `addr`.
    pub fn place(&self, addr: u64) -> Place {
        let (function, offset) = match self.function(addr) {
            Some((f, o)) => (Some(f.to_string()), o),
            None => (None, 0),
        };
        let line = self
            .loader
            .as_ref()
            .and_then(|l| l.find_location(addr).ok().flatten())
            .and_then(|loc| Some((loc.file?.to_string(), loc.line?)));
        Place { function, offset, line }
    }
}
