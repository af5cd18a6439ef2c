//! Subject and body templates with placeholders, and the built-in German defaults.

use std::collections::HashMap;

use outbox_model::{MailAccountId, TenantId};

/// A placeholder a template may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Placeholder {
    RecipientName,
    SenderName,
    DocumentList,
    DocumentTitles,
    DocumentCount,
}

impl Placeholder {
    const ALL: [(&'static str, Placeholder); 5] = [
        ("recipient_name", Placeholder::RecipientName),
        ("sender_name", Placeholder::SenderName),
        ("document_list", Placeholder::DocumentList),
        ("document_titles", Placeholder::DocumentTitles),
        ("document_count", Placeholder::DocumentCount),
    ];
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Text(String),
    Value(Placeholder),
}

/// One parsed template text.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Parsed(Vec<Segment>);

/// A template text could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the {part} template is invalid at character {position}: {reason}")]
pub struct TemplateError {
    /// Which text: "subject", "text" or "html".
    pub part: &'static str,
    /// Character offset of the problem.
    pub position: usize,
    /// What is wrong and what to do.
    pub reason: String,
}

fn parse(part: &'static str, src: &str) -> Result<Parsed, TemplateError> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut chars = src.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '{' if chars.peek().is_some_and(|(_, n)| *n == '{') => {
                chars.next();
                text.push('{');
            }
            '}' if chars.peek().is_some_and(|(_, n)| *n == '}') => {
                chars.next();
                text.push('}');
            }
            '{' => {
                let rest = &src[i + 1..];
                let Some(end) = rest.find('}') else {
                    return Err(TemplateError {
                        part,
                        position: i,
                        reason: "`{` without a closing `}`; write `{{` for a literal brace".into(),
                    });
                };
                let name = &rest[..end];
                let Some((_, p)) = Placeholder::ALL.iter().find(|(n, _)| *n == name) else {
                    let known: Vec<&str> = Placeholder::ALL.iter().map(|(n, _)| *n).collect();
                    return Err(TemplateError {
                        part,
                        position: i,
                        reason: format!(
                            "unknown placeholder `{{{name}}}`; known are {}",
                            known.join(", ")
                        ),
                    });
                };
                if !text.is_empty() {
                    out.push(Segment::Text(std::mem::take(&mut text)));
                }
                out.push(Segment::Value(*p));
                for _ in 0..=name.chars().count() {
                    chars.next();
                }
            }
            '}' => {
                return Err(TemplateError {
                    part,
                    position: i,
                    reason: "`}` without an opening `{`; write `}}` for a literal brace".into(),
                });
            }
            c => text.push(c),
        }
    }
    if !text.is_empty() {
        out.push(Segment::Text(text));
    }
    Ok(Parsed(out))
}

/// A document as templates list it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentEntry {
    /// Title ("Bezeichnung").
    pub title: String,
    /// Attachment file name.
    pub file_name: String,
}

/// The values placeholders are replaced with.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TemplateValues {
    /// `{recipient_name}`.
    pub recipient_name: String,
    /// `{sender_name}`.
    pub sender_name: String,
    /// `{document_list}` (one line or list item per document), `{document_titles}` (joined with
    /// ", ") and `{document_count}`.
    pub documents: Vec<DocumentEntry>,
}

/// A rendered mail text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedMail {
    /// Subject, on one line.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// HTML body.
    pub html: String,
}

/// Subject, plain-text body and HTML body of a mail, with placeholders `{recipient_name}`,
/// `{sender_name}`, `{document_list}`, `{document_titles}` and `{document_count}`; `{{` and `}}`
/// are literal braces. Values inserted into the HTML body are HTML-escaped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailTemplate {
    subject: Parsed,
    text: Parsed,
    html: Parsed,
}

const DE_SUBJECT: &str = "{sender_name}: {document_titles}";
const DE_TEXT: &str = "Guten Tag {recipient_name},

anbei erhalten Sie {document_count} Dokument(e) als PDF-Anhang:

{document_list}

Mit freundlichen Grüßen
{sender_name}
";
const DE_HTML: &str = "<!DOCTYPE html>
<html lang=\"de\"><head><meta charset=\"utf-8\"></head>
<body>
<p>Guten Tag {recipient_name},</p>
<p>anbei erhalten Sie {document_count} Dokument(e) als PDF-Anhang:</p>
{document_list}
<p>Mit freundlichen Grüßen<br>
{sender_name}</p>
</body></html>
";

impl MailTemplate {
    /// Parses the three texts; reports the first unknown placeholder or unbalanced brace.
    pub fn new(subject: &str, text: &str, html: &str) -> Result<Self, TemplateError> {
        Ok(Self {
            subject: parse("subject", subject)?,
            text: parse("text", text)?,
            html: parse("html", html)?,
        })
    }

    /// The built-in German template ("Guten Tag …, anbei erhalten Sie …").
    pub fn german_default() -> Self {
        // The built-in texts are constants checked by a unit test, so parsing cannot fail;
        // still no panic path: an (impossible) error degrades to the literal text.
        let p = |part, src: &str| {
            parse(part, src).unwrap_or_else(|_| Parsed(vec![Segment::Text(src.to_owned())]))
        };
        Self {
            subject: p("subject", DE_SUBJECT),
            text: p("text", DE_TEXT),
            html: p("html", DE_HTML),
        }
    }

    /// Fills in the values.
    pub fn render(&self, values: &TemplateValues) -> RenderedMail {
        let subject = render(&self.subject, values, false);
        RenderedMail {
            // A subject is one header line: line breaks in titles must not start new headers.
            subject: subject
                .split(['\r', '\n'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" "),
            text: render(&self.text, values, false),
            html: render(&self.html, values, true),
        }
    }
}

impl Default for MailTemplate {
    fn default() -> Self {
        Self::german_default()
    }
}

fn render(t: &Parsed, v: &TemplateValues, html: bool) -> String {
    let esc = |s: &str| {
        if html { html_escape(s) } else { s.to_owned() }
    };
    let mut out = String::new();
    for seg in &t.0 {
        match seg {
            Segment::Text(s) => out.push_str(s),
            Segment::Value(Placeholder::RecipientName) => out.push_str(&esc(&v.recipient_name)),
            Segment::Value(Placeholder::SenderName) => out.push_str(&esc(&v.sender_name)),
            Segment::Value(Placeholder::DocumentCount) => {
                out.push_str(&v.documents.len().to_string())
            }
            Segment::Value(Placeholder::DocumentTitles) => {
                let titles: Vec<&str> = v.documents.iter().map(|d| d.title.as_str()).collect();
                out.push_str(&esc(&titles.join(", ")));
            }
            Segment::Value(Placeholder::DocumentList) if html => {
                out.push_str("<ul>\n");
                for d in &v.documents {
                    out.push_str(&format!(
                        "<li>{} ({})</li>\n",
                        html_escape(&d.title),
                        html_escape(&d.file_name)
                    ));
                }
                out.push_str("</ul>");
            }
            Segment::Value(Placeholder::DocumentList) => {
                let lines: Vec<String> = v
                    .documents
                    .iter()
                    .map(|d| format!("- {} ({})", d.title, d.file_name))
                    .collect();
                out.push_str(&lines.join("\n"));
            }
        }
    }
    out
}

/// Escapes `& < > " '` for HTML text and attribute values (the model's [`escape_html`]).
///
/// [`escape_html`]: outbox_model::escape_html
pub use outbox_model::escape_html as html_escape;

/// Which template a mail uses: an account's own, else its tenant's, else the default.
#[derive(Debug, Clone, Default)]
pub struct Templates {
    default: MailTemplate,
    by_tenant: HashMap<TenantId, MailTemplate>,
    by_account: HashMap<MailAccountId, MailTemplate>,
}

impl Templates {
    /// The built-in German template for everyone.
    pub fn new() -> Self {
        Self::default()
    }

    /// Replaces the default template.
    pub fn with_default(mut self, t: MailTemplate) -> Self {
        self.default = t;
        self
    }

    /// Sets a tenant's template.
    pub fn with_tenant(mut self, tenant: TenantId, t: MailTemplate) -> Self {
        self.by_tenant.insert(tenant, t);
        self
    }

    /// Sets an account's template; it wins over the tenant's.
    pub fn with_account(mut self, account: MailAccountId, t: MailTemplate) -> Self {
        self.by_account.insert(account, t);
        self
    }

    /// The template for mail of `tenant` sent through `account`.
    pub fn pick(&self, tenant: TenantId, account: MailAccountId) -> &MailTemplate {
        self.by_account
            .get(&account)
            .or_else(|| self.by_tenant.get(&tenant))
            .unwrap_or(&self.default)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> TemplateValues {
        TemplateValues {
            recipient_name: "Jürgen <Müller> & Söhne".into(),
            sender_name: "HV Sonnenschein".into(),
            documents: vec![
                DocumentEntry {
                    title: "Einladung \"ETV\" 2027".into(),
                    file_name: "einladung.pdf".into(),
                },
                DocumentEntry {
                    title: "Protokoll\r\nBcc: evil@example.com".into(),
                    file_name: "protokoll.pdf".into(),
                },
            ],
        }
    }

    #[test]
    fn builtin_texts_parse() {
        for (part, src) in [
            ("subject", DE_SUBJECT),
            ("text", DE_TEXT),
            ("html", DE_HTML),
        ] {
            parse(part, src).unwrap();
        }
    }

    #[test]
    fn german_default_renders_and_escapes_html() {
        let r = MailTemplate::german_default().render(&values());
        assert!(r.text.starts_with("Guten Tag Jürgen <Müller> & Söhne,"));
        assert!(r.text.contains("- Einladung \"ETV\" 2027 (einladung.pdf)"));
        assert!(r.text.contains("anbei erhalten Sie 2 Dokument(e)"));
        assert!(
            r.html
                .contains("Guten Tag Jürgen &lt;Müller&gt; &amp; Söhne,")
        );
        assert!(
            r.html
                .contains("<li>Einladung &quot;ETV&quot; 2027 (einladung.pdf)</li>")
        );
        assert!(!r.html.contains("<Müller>"));
        assert_eq!(
            r.subject,
            "HV Sonnenschein: Einladung \"ETV\" 2027, Protokoll Bcc: evil@example.com"
        );
    }

    #[test]
    fn braces_and_errors() {
        let t = MailTemplate::new("{{x}} {document_count}", "a}}b", "").unwrap();
        let r = t.render(&values());
        assert_eq!(r.subject, "{x} 2");
        assert_eq!(r.text, "a}b");
        let e = MailTemplate::new("{nope}", "", "").unwrap_err();
        assert_eq!((e.part, e.position), ("subject", 0));
        assert!(e.reason.contains("recipient_name"));
        assert!(MailTemplate::new("", "x { y", "").is_err());
        assert!(MailTemplate::new("", "", "a } b").is_err());
    }

    #[test]
    fn pick_prefers_account_then_tenant() {
        let a = MailTemplate::new("account", "", "").unwrap();
        let t = MailTemplate::new("tenant", "", "").unwrap();
        let ts = Templates::new()
            .with_tenant(TenantId(1), t.clone())
            .with_account(MailAccountId(5), a.clone());
        assert_eq!(ts.pick(TenantId(1), MailAccountId(5)), &a);
        assert_eq!(ts.pick(TenantId(1), MailAccountId(6)), &t);
        assert_eq!(
            ts.pick(TenantId(2), MailAccountId(6)),
            &MailTemplate::german_default()
        );
    }
}
