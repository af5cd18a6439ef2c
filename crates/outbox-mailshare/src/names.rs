//! File names offered to browsers: cleaned on the way in, and sent back in a
//! `Content-Disposition` header that every browser reads correctly (RFC 6266 with the RFC 5987
//! `filename*` form for non-ASCII names).

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Characters RFC 5987 allows unencoded in `filename*` (attr-char) are everything alphanumeric
/// and `!#$&+-.^_`|~`; everything else is percent-encoded.
const ATTR_CHAR_ESCAPE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

const MAX_NAME_CHARS: usize = 200;

/// A file name safe to show and offer: the last path segment only, no control characters,
/// at most 200 characters; `fallback` when nothing is left.
pub fn clean_file_name(name: &str, fallback: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_NAME_CHARS)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    if cleaned.is_empty() {
        fallback.to_owned()
    } else {
        cleaned.to_owned()
    }
}

/// An ASCII stand-in for `name`: German umlauts transliterated, other non-ASCII and quoting
/// characters replaced by `_`.
pub fn ascii_file_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            'ä' => out.push_str("ae"),
            'ö' => out.push_str("oe"),
            'ü' => out.push_str("ue"),
            'Ä' => out.push_str("Ae"),
            'Ö' => out.push_str("Oe"),
            'Ü' => out.push_str("Ue"),
            'ß' => out.push_str("ss"),
            '"' | '\\' | '/' | ';' | '%' => out.push('_'),
            c if c.is_ascii_graphic() || c == ' ' => out.push(c),
            _ => out.push('_'),
        }
    }
    out
}

/// `attachment; filename="ascii"; filename*=UTF-8''percent-encoded`.
pub fn content_disposition(name: &str) -> String {
    let name = clean_file_name(name, "download.pdf");
    format!(
        "attachment; filename=\"{}\"; filename*=UTF-8''{}",
        ascii_file_name(&name),
        utf8_percent_encode(&name, ATTR_CHAR_ESCAPE)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_cleaned() {
        assert_eq!(clean_file_name("../../etc/passwd", "x"), "passwd");
        assert_eq!(clean_file_name("C:\\a\\b.pdf", "x"), "b.pdf");
        assert_eq!(clean_file_name("..", "x"), "x");
        assert_eq!(clean_file_name(".hidden.pdf", "x"), "hidden.pdf");
        assert_eq!(clean_file_name("a\r\nb.pdf", "x"), "ab.pdf");
        assert_eq!(clean_file_name("", "x"), "x");
    }

    #[test]
    fn disposition_has_ascii_and_utf8_forms() {
        assert_eq!(
            content_disposition("Abrechnung Müller \"2026\";.pdf"),
            "attachment; filename=\"Abrechnung Mueller _2026__.pdf\"; \
             filename*=UTF-8''Abrechnung%20M%C3%BCller%20%222026%22%3B.pdf"
        );
        let d = content_disposition("x\r\nSet-Cookie: a=b.pdf");
        assert!(!d.contains('\r') && !d.contains('\n'));
    }
}
