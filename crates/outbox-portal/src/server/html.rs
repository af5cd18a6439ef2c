//! HTML for the recipients' pages. Every value from the database or the request is escaped.

use std::fmt::Write;

use chrono::{DateTime, Utc};

use super::store::ListedDocument;

pub(crate) use outbox_model::escape_html as escape;

fn page(portal: &str, title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"de\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} – {portal}</title>\
         <style>body{{font-family:sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem}}\
         table{{border-collapse:collapse;width:100%}}td,th{{text-align:left;padding:.3rem;border-bottom:1px solid #ddd}}\
         .error{{color:#a00}}</style></head>\
         <body><h1>{portal}</h1>{body}</body></html>\n",
        title = escape(title),
        portal = escape(portal),
    )
}

pub(crate) fn login_page(portal: &str, error: Option<&str>) -> String {
    let error = error
        .map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>", escape(e)))
        .unwrap_or_default();
    let body = format!(
        "<h2>Anmelden</h2>{error}\
         <form method=\"post\" action=\"/login\">\
         <p><label>Benutzername<br><input name=\"login\" autocomplete=\"username\" required></label></p>\
         <p><label>Passwort<br><input name=\"password\" type=\"password\" autocomplete=\"current-password\" required></label></p>\
         <p><button type=\"submit\">Anmelden</button></p></form>"
    );
    page(portal, "Anmelden", &body)
}

fn when(t: DateTime<Utc>) -> String {
    outbox_model::format_german_time(t, outbox_model::Language::De)
}

fn size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

/// The list of the recipient's documents, one table per category.
pub(crate) fn documents_page(portal: &str, display_name: &str, docs: &[ListedDocument]) -> String {
    let mut body = format!(
        "<p>Angemeldet als <strong>{}</strong>.</p>\
         <form method=\"post\" action=\"/logout\"><button type=\"submit\">Abmelden</button></form>\
         <h2>Meine Dokumente</h2>",
        escape(display_name)
    );
    if docs.is_empty() {
        body.push_str("<p>Für Sie liegen keine Dokumente vor.</p>");
    }
    let mut current: Option<&str> = None;
    for d in docs {
        if current != Some(d.category.as_str()) {
            if current.is_some() {
                body.push_str("</tbody></table>");
            }
            let _ = write!(
                body,
                "<h3 class=\"category\">{}</h3><table><thead><tr><th>Dokument</th><th>Datei</th>\
                 <th>Bereitgestellt</th><th>Heruntergeladen</th></tr></thead><tbody>",
                escape(&d.category)
            );
            current = Some(&d.category);
        }
        let _ = write!(
            body,
            "<tr><td><a href=\"/documents/{}/{}\">{}</a></td><td>{} ({})</td><td>{}</td><td>{}</td></tr>",
            d.delivery,
            d.document,
            escape(&d.title),
            escape(&d.file_name),
            size(d.size),
            when(d.created_at),
            d.first_download_at.map(when).unwrap_or_else(|| "–".into()),
        );
    }
    if current.is_some() {
        body.push_str("</tbody></table>");
    }
    page(portal, "Meine Dokumente", &body)
}

pub(crate) fn message_page(portal: &str, title: &str, message: &str) -> String {
    page(
        portal,
        title,
        &format!(
            "<h2>{}</h2><p>{}</p><p><a href=\"/\">Zur Übersicht</a></p>",
            escape(title),
            escape(message)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
        assert_eq!(size(10), "1 KB");
        assert_eq!(size(3 * 1024 * 1024), "3.0 MB");
    }
}
