//! HTML escaping for everything the routes write as HTML: notification mails, share pages
//! and portal pages. One function, so that every page escapes the same five characters.

/// Escapes `s` for HTML text and for attribute values in double or single quotes.
///
/// ```
/// assert_eq!(
///     outbox_model::escape_html(r#"<b>"Müller" & 'Söhne'</b>"#),
///     "&lt;b&gt;&quot;Müller&quot; &amp; &#39;Söhne&#39;&lt;/b&gt;"
/// );
/// ```
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
