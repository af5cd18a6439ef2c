//! WinAnsiEncoding (PDF Annex D, close to Windows-1252): the one text encoding of the cover
//! sheet, and the encoding most simple fonts in third-party PDFs use.

/// Codes 0x80..=0x9F; the five codes WinAnsi leaves undefined map to themselves.
const HIGH: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž', '\u{8F}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}', 'ž', 'Ÿ',
];

/// The character a byte stands for.
pub(crate) fn decode(b: u8) -> char {
    if (0x80..=0x9F).contains(&b) {
        HIGH[usize::from(b - 0x80)]
    } else {
        char::from(b)
    }
}

/// The printable byte for `c`: `None` for control characters and characters WinAnsi lacks.
pub(crate) fn encode(c: char) -> Option<u8> {
    match u32::from(c) {
        code @ (0x20..=0x7E | 0xA0..=0xFF) => u8::try_from(code).ok(),
        _ => HIGH
            .iter()
            .position(|&h| h == c && !h.is_control())
            .and_then(|i| u8::try_from(0x80 + i).ok()),
    }
}

/// Replaces common characters outside WinAnsi by printable equivalents.
pub(crate) fn substitute(c: char) -> char {
    match c {
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2212}' => '-',
        '\u{2013}' => '–',
        '\u{2002}'..='\u{200A}' | '\u{202F}' | '\t' => ' ',
        '\u{2032}' => '\'',
        '\u{2033}' => '"',
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_printable_code_round_trips() {
        let mut printable = 0;
        for b in 0u8..=255 {
            let c = decode(b);
            if let Some(back) = encode(c) {
                assert_eq!(back, b, "{c:?}");
                printable += 1;
            }
        }
        // 95 ASCII + 96 Latin-1 + 27 of the 32 high codes.
        assert_eq!(printable, 218);
        assert_eq!(encode('€'), Some(0x80));
        assert_eq!(encode('„'), Some(0x84));
        assert_eq!(encode('ß'), Some(0xDF));
        assert_eq!(encode('ł'), None);
        assert_eq!(encode('\u{81}'), None);
        assert_eq!(encode('\n'), None);
    }
}
