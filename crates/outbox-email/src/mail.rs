//! One mail to send, and how it becomes a MIME message.

use std::sync::Arc;
use std::time::SystemTime;

use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Attachment, Body, Mailbox, MultiPart, SinglePart};
use lettre::{Address, Message};
use outbox_model::EmailAddress;

use crate::account::MailAccount;
use crate::error::SendError;

/// A file attached to a mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailAttachment {
    /// File name as the recipient sees it; non-ASCII names are encoded per RFC 2231.
    pub file_name: String,
    /// MIME type, such as `application/pdf`.
    pub content_type: String,
    /// The content. Shared so a document sent to many recipients is held once.
    pub bytes: Arc<[u8]>,
}

impl MailAttachment {
    /// A PDF attachment.
    pub fn pdf(file_name: impl Into<String>, bytes: impl Into<Arc<[u8]>>) -> Self {
        Self {
            file_name: file_name.into(),
            content_type: "application/pdf".into(),
            bytes: bytes.into(),
        }
    }
}

/// One mail: recipient, subject, bodies, attachments, and the seed of its Message-ID.
///
/// The sender, `Reply-To` and the server come from the [`MailAccount`] it is sent through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    /// Recipient's display name (may be empty).
    pub to_name: String,
    /// Recipient's address.
    pub to_address: EmailAddress,
    /// Subject (one line).
    pub subject: String,
    /// Plain-text body.
    pub text_body: String,
    /// HTML alternative of the body, if any.
    pub html_body: Option<String>,
    /// Attachments in order.
    pub attachments: Vec<MailAttachment>,
    /// Where replies to this mail go; `None` uses the account's
    /// [`reply_to`](crate::MailAccount::reply_to). The routes set it from the delivery's
    /// sender, so one account can send for senders with their own reply addresses.
    pub reply_to: Option<EmailAddress>,
    /// Makes the Message-ID: `<seed@sender-domain>`. Use something stable per logical mail
    /// (`outbox-t1-d42` for delivery 42) so a resend carries the same Message-ID and mail
    /// clients can recognise the duplicate. Characters other than letters, digits, `.`, `-`
    /// and `_` are replaced by `-`.
    pub message_id_seed: String,
}

impl OutgoingMail {
    /// Bytes of all attachments.
    pub fn attachment_bytes(&self) -> u64 {
        self.attachments.iter().map(|a| a.bytes.len() as u64).sum()
    }
}

/// The seed as used in a Message-ID and in file names: letters, digits, `.`, `-`, `_`.
pub(crate) fn sanitize_seed(seed: &str) -> String {
    let s: String = seed
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_') {
                c
            } else if c == '.' {
                '.'
            } else {
                '-'
            }
        })
        .collect();
    let s = s.trim_matches('.').replace("..", ".");
    if s.is_empty() { "outbox".into() } else { s }
}

/// The Message-ID (with angle brackets) a mail with this seed gets when sent from `from`.
pub fn message_id(seed: &str, from: &EmailAddress) -> String {
    let domain = from.domain();
    let domain = if !domain.is_empty()
        && domain
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
    {
        domain.to_ascii_lowercase()
    } else {
        // Message-IDs are ASCII; an internationalised domain would need punycode.
        "outbox.invalid".into()
    };
    format!("<{}@{domain}>", sanitize_seed(seed))
}

/// A file name safe to put in a header and to save: no path, no control characters.
fn clean_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .to_owned();
    if cleaned.is_empty() || cleaned == "." || cleaned == ".." {
        "dokument.pdf".into()
    } else {
        cleaned
    }
}

fn address(a: &EmailAddress, what: &str) -> Result<Address, SendError> {
    a.as_str().parse::<Address>().map_err(|e| {
        SendError::permanent(
            "invalid_address",
            format!("the {what} address `{a}` cannot be used in a mail: {e}"),
        )
        .with_source(e)
    })
}

fn mailbox_name(name: &str) -> Option<String> {
    let n: String = name
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let n = n.trim();
    (!n.is_empty()).then(|| n.to_owned())
}

/// The MIME message: `multipart/mixed` of (`multipart/alternative` text + HTML) and the
/// attachments, base64-encoded so their bytes arrive unchanged.
pub(crate) fn build_message(
    account: &MailAccount,
    mail: &OutgoingMail,
) -> Result<Message, SendError> {
    let from = Mailbox::new(
        mailbox_name(&account.from_name),
        address(&account.from_address, "sender")?,
    );
    let to = Mailbox::new(
        mailbox_name(&mail.to_name),
        address(&mail.to_address, "recipient")?,
    );
    let mut builder = Message::builder()
        .from(from)
        .to(to)
        .subject(mail.subject.replace(['\r', '\n'], " "))
        .date(SystemTime::now())
        .message_id(Some(message_id(
            &mail.message_id_seed,
            &account.from_address,
        )));
    if let Some(r) = mail.reply_to.as_ref().or(account.reply_to.as_ref()) {
        builder = builder.reply_to(Mailbox::new(
            mailbox_name(&account.from_name),
            address(r, "reply-to")?,
        ));
    }

    let body = match &mail.html_body {
        Some(html) => MultiPart::alternative_plain_html(mail.text_body.clone(), html.clone()),
        None => MultiPart::mixed().singlepart(SinglePart::plain(mail.text_body.clone())),
    };
    let message = if mail.attachments.is_empty() {
        builder.multipart(body)
    } else {
        let mut mixed = MultiPart::mixed().multipart(body);
        for a in &mail.attachments {
            let content_type = ContentType::parse(&a.content_type).map_err(|e| {
                SendError::permanent(
                    "invalid_content_type",
                    format!(
                        "attachment `{}` has an invalid MIME type `{}`: {e}",
                        a.file_name, a.content_type
                    ),
                )
            })?;
            let bytes = Body::new_with_encoding(a.bytes.to_vec(), ContentTransferEncoding::Base64)
                .map_err(|_| {
                    SendError::permanent(
                        "attachment_encoding",
                        format!("attachment `{}` could not be base64-encoded", a.file_name),
                    )
                })?;
            mixed = mixed.singlepart(
                Attachment::new(clean_file_name(&a.file_name)).body(bytes, content_type),
            );
        }
        builder.multipart(mixed)
    };
    message.map_err(|e| {
        SendError::permanent("message_build", format!("the mail could not be built: {e}"))
            .with_source(e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_and_ids() {
        let from = EmailAddress::parse("post@HV-Example.de").unwrap();
        assert_eq!(
            message_id("outbox-t1-d42", &from),
            "<outbox-t1-d42@hv-example.de>"
        );
        assert_eq!(sanitize_seed("a b/ü..c."), "a-b--.c");
        assert_eq!(sanitize_seed("..."), "outbox");
        let idn = EmailAddress::parse("post@bücher.de").unwrap();
        assert_eq!(message_id("x", &idn), "<x@outbox.invalid>");
    }

    #[test]
    fn file_names_lose_paths_and_controls() {
        assert_eq!(clean_file_name("../../etc/Prüfung\r\n.pdf"), "Prüfung.pdf");
        assert_eq!(clean_file_name("C:\\x\\a.pdf"), "a.pdf");
        assert_eq!(clean_file_name("  "), "dokument.pdf");
    }
}
