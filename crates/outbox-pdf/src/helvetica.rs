//! Helvetica advance widths (Adobe AFM, 1/1000 em) for the WinAnsi character set.
//!
//! Third-party PDFs may use the built-in Helvetica without a `/Widths` array; page marks
//! measure their text with these widths. (The cover sheet measures with its embedded font.)

/// Widths of U+0020..=U+007E.
const ASCII: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // 0x20
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0x30
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // 0x40
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // 0x50
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // 0x60
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // 0x70
];

/// Widths of U+00A0..=U+00FF.
const LATIN1: [u16; 96] = [
    278, 333, 556, 556, 556, 556, 260, 556, 333, 737, 370, 556, 584, 333, 737, 333, // 0xA0
    400, 584, 333, 333, 333, 556, 537, 278, 333, 333, 365, 556, 834, 834, 834, 611, // 0xB0
    667, 667, 667, 667, 667, 667, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278, // 0xC0
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611, // 0xD0
    556, 556, 556, 556, 556, 556, 889, 500, 556, 556, 556, 556, 278, 278, 278, 278, // 0xE0
    556, 556, 556, 556, 556, 556, 556, 584, 611, 556, 556, 556, 556, 500, 556, 500, // 0xF0
];

/// Width of `c` in 1/1000 em, or `None` when WinAnsiEncoding cannot represent it.
pub(crate) fn width(c: char) -> Option<u16> {
    let code = c as u32;
    match code {
        0x20..=0x7E => Some(ASCII[(code - 0x20) as usize]),
        0xA0..=0xFF => Some(LATIN1[(code - 0xA0) as usize]),
        _ => match c {
            '€' | 'ƒ' | '†' | '‡' | '–' => Some(556),
            '‚' | '‘' | '’' => Some(222),
            '„' | '“' | '”' | 'ˆ' | '‹' | '›' | '˜' => Some(333),
            '…' | '‰' | 'Œ' | '—' | '™' => Some(1000),
            'Š' | 'Ÿ' => Some(667),
            'Ž' => Some(611),
            '•' => Some(350),
            'š' | 'ž' => Some(500),
            'œ' => Some(944),
            _ => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn german_letters_are_printable() {
        for c in "ÄÖÜäöüß„“€–".chars() {
            assert!(width(c).is_some(), "{c}");
        }
        assert_eq!(width('ł'), None);
        assert_eq!(width('A'), Some(667));
        assert_eq!(width('ß'), Some(611));
    }
}
