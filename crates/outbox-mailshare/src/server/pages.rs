//! The small HTML pages of the download server, in German with English available.

use axum::http::HeaderMap;
use axum::http::header::ACCEPT_LANGUAGE;
use outbox_model::Language;

use crate::Share;

pub(crate) use outbox_model::escape_html as escape;

/// `?lang=en|de` wins; otherwise the preferred of German and English in `Accept-Language`;
/// German by default.
pub(crate) fn language(query: Option<&str>, headers: &HeaderMap) -> Language {
    for pair in query.unwrap_or_default().split('&') {
        match pair {
            "lang=en" => return Language::En,
            "lang=de" => return Language::De,
            _ => {}
        }
    }
    let Some(accept) = headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()) else {
        return Language::De;
    };
    let mut best: Option<(f32, Language)> = None;
    for item in accept.split(',') {
        let mut parts = item.split(';');
        let tag = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        let primary = tag.split('-').next().unwrap_or_default();
        let lang = match primary {
            "de" => Language::De,
            "en" => Language::En,
            _ => continue,
        };
        if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
            best = Some((q, lang));
        }
    }
    best.map_or(Language::De, |(_, l)| l)
}

fn layout(lang: Language, title: &str, body: &str) -> String {
    let code = match lang {
        Language::De => "de",
        Language::En => "en",
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"{code}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex, nofollow\">\
         <title>{title}</title><style>\
         body{{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#222}}\
         li{{margin:.5rem 0}} small{{color:#666}} nav{{margin-top:2rem;font-size:.9rem}}\
         </style></head><body>{body}</body></html>\n",
        title = escape(title),
    )
}

fn size_label(bytes: u64, lang: Language) -> String {
    let kb = bytes as f64 / 1000.0;
    let (value, unit) = if kb >= 1000.0 {
        (kb / 1000.0, "MB")
    } else {
        (kb, "kB")
    };
    let s = format!("{value:.1}");
    match lang {
        Language::De => format!("{} {unit}", s.replace('.', ",")),
        Language::En => format!("{s} {unit}"),
    }
}

fn until(share: &Share, lang: Language) -> String {
    outbox_model::format_german_time(share.expires_at, lang)
}

/// The list of documents. `prefix` makes the relative download links work whether or not the
/// page URL ends with `/`.
pub(crate) fn share_page(share: &Share, lang: Language, prefix: &str) -> String {
    let items: String = share
        .documents
        .iter()
        .enumerate()
        .map(|(i, d)| {
            format!(
                "<li><a href=\"{prefix}d/{i}\" download>{title}</a><br><small>{file} · {size}</small></li>",
                prefix = escape(prefix),
                title = escape(if d.title.is_empty() { &d.file_name } else { &d.title }),
                file = escape(&d.file_name),
                size = size_label(d.size, lang),
            )
        })
        .collect();
    let sender = escape(&share.sender_name);
    let (heading, intro, valid, switch) = match lang {
        Language::De => (
            "Dokumente zum Download",
            format!("{sender} hat Ihnen folgende Dokumente bereitgestellt:"),
            format!("Der Link ist gültig bis {}.", until(share, lang)),
            "<a href=\"?lang=en\">English</a>",
        ),
        Language::En => (
            "Documents for download",
            format!("{sender} has shared the following documents with you:"),
            format!("This link is valid until {}.", until(share, lang)),
            "<a href=\"?lang=de\">Deutsch</a>",
        ),
    };
    layout(
        lang,
        heading,
        &format!(
            "<h1>{heading}</h1><p>{intro}</p><ul>{items}</ul><p>{valid}</p><nav>{switch}</nav>"
        ),
    )
}

/// The page for a genuine link whose time is up.
pub(crate) fn expired_page(share: &Share, lang: Language) -> String {
    let sender = escape(&share.sender_name);
    let (heading, text, switch) = match lang {
        Language::De => (
            "Link abgelaufen",
            format!(
                "Dieser Download-Link war bis {} gültig und ist abgelaufen. \
                 Bitte wenden Sie sich an {sender}, wenn Sie die Dokumente noch benötigen.",
                until(share, lang)
            ),
            "<a href=\"?lang=en\">English</a>",
        ),
        Language::En => (
            "Link expired",
            format!(
                "This download link was valid until {} and has expired. \
                 Please contact {sender} if you still need the documents.",
                until(share, lang)
            ),
            "<a href=\"?lang=de\">Deutsch</a>",
        ),
    };
    layout(
        lang,
        heading,
        &format!("<h1>{heading}</h1><p>{text}</p><nav>{switch}</nav>"),
    )
}

/// The same page for every unknown, malformed or tampered address: it says nothing about why.
pub(crate) fn not_found_page() -> String {
    layout(
        Language::De,
        "Nicht gefunden / Not found",
        "<h1>Nicht gefunden</h1><p>Diese Seite gibt es nicht.</p>\
         <h1>Not found</h1><p>This page does not exist.</p>",
    )
}

/// A temporary failure on our side.
pub(crate) fn unavailable_page() -> String {
    layout(
        Language::De,
        "Vorübergehend nicht verfügbar / Temporarily unavailable",
        "<h1>Vorübergehend nicht verfügbar</h1><p>Bitte versuchen Sie es später erneut.</p>\
         <h1>Temporarily unavailable</h1><p>Please try again later.</p>",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_choice() {
        let mut h = HeaderMap::new();
        assert_eq!(language(None, &h), Language::De);
        h.insert(
            ACCEPT_LANGUAGE,
            "fr, en-GB;q=0.8, de;q=0.5".parse().unwrap(),
        );
        assert_eq!(language(None, &h), Language::En);
        assert_eq!(language(Some("lang=de"), &h), Language::De);
        h.insert(ACCEPT_LANGUAGE, "de-DE, en;q=0.9".parse().unwrap());
        assert_eq!(language(None, &h), Language::De);
        assert_eq!(language(Some("x=1&lang=en"), &h), Language::En);
    }

    #[test]
    fn escaping() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
