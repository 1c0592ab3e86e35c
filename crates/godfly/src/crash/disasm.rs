//! Disassembly around a faulting instruction (iced-x86, AT&T syntax as gdb
//! shows it), the faulting one marked with `=>`.

use iced_x86::{Decoder, DecoderOptions, Formatter, GasFormatter, Instruction};

/// Disassembles `code` (which starts at `base`) and returns the lines
/// around `pc`: up to `before` instructions before it and `after` after.
/// Decoding starts at `base`, which should be an instruction boundary
/// (a function start).
pub fn around(
    code: &[u8],
    base: u64,
    pc: u64,
    before: usize,
    after: usize,
    name: &dyn Fn(u64) -> String,
) -> Vec<String> {
    let mut decoder = Decoder::with_ip(64, code, base, DecoderOptions::NONE);
    let mut formatter = GasFormatter::new();
    formatter.options_mut().set_uppercase_hex(false);
    formatter.options_mut().set_branch_leading_zeros(false);
    let mut lines: Vec<(u64, String)> = Vec::new();
    let mut ins = Instruction::default();
    let mut text = String::new();
    let mut pc_index = None;
    while decoder.can_decode() {
        decoder.decode_out(&mut ins);
        text.clear();
        formatter.format(&ins, &mut text);
        let ip = ins.ip();
        if ip == pc {
            pc_index = Some(lines.len());
        }
        lines.push((ip, text.clone()));
        if let Some(p) = pc_index
            && lines.len() > p + after
        {
            break;
        }
    }
    let Some(p) = pc_index else { return Vec::new() };
    let start = p.saturating_sub(before);
    lines[start..lines.len().min(p + after + 1)]
        .iter()
        .map(|(ip, t)| format!("{} {ip:#x} <{}>:\t{t}", if *ip == pc { "=>" } else { "  " }, name(*ip)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faulting_instruction_is_marked() {
        // mov $0x81,%edi ; movl $0xf1,0xf1 ; ret
        let code = [0xbf, 0x81, 0, 0, 0, 0xc7, 0x04, 0x25, 0xf1, 0, 0, 0, 0xf1, 0, 0, 0, 0xc3];
        let lines = around(&code, 0x1000, 0x1005, 5, 5, &|ip| format!("f+{}", ip - 0x1000));
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with("   0x1000 <f+0>:"), "{}", lines[0]);
        assert!(lines[1].starts_with("=> 0x1005 <f+5>:"), "{}", lines[1]);
        assert!(lines[1].contains("movl $0xf1,0xf1"), "{}", lines[1]);
        assert!(lines[2].contains("ret"), "{}", lines[2]);
    }
}
