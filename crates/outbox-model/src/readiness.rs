//! Why a delivery cannot be sent yet.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{Contact, EpostSettings, Language, Problem, Route, validate_epost_letter};

/// One reason a delivery is not ready. A delivery with reasons is shown with them and is not
/// sent until they are fixed; it is never skipped silently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ReadinessProblem {
    /// The document has no recipient, or the recipient no longer exists.
    NoRecipient,
    /// The postal address is missing or not usable for an E-POST letter.
    IncompleteAddress {
        /// What is wrong with it (empty when the address is missing altogether).
        problems: Vec<Problem>,
    },
    /// The sender (the tenant's name and postal address for the return line) is incomplete.
    SenderIncomplete {
        /// What is missing.
        problems: Vec<Problem>,
    },
    /// The documents' send settings do not allow this route (link validity, portal category).
    InvalidSettings {
        /// What is wrong.
        problems: Vec<Problem>,
    },
    /// No usable mail account for the tenant's e-mail.
    NoMailAccount {
        /// Why, e.g. "no standard account".
        reason: String,
    },
    /// The recipient has no e-mail address.
    NoEmailAddress,
    /// The recipient's e-mail address is not valid.
    InvalidEmailAddress {
        /// The address as stored.
        address: String,
    },
    /// The recipient has no portal account.
    NoPortalAccount,
    /// The tenant has no activated E-POST access.
    NoEpostAccess,
    /// The PDF cannot be printed or read.
    PdfUnusable {
        /// Why, from the PDF check.
        reason: String,
    },
    /// A limit of the route is exceeded.
    OverLimit {
        /// Which limit and by how much.
        what: String,
    },
    /// No channel is configured for the route (for this tenant).
    RouteUnavailable {
        /// The route.
        route: Route,
    },
    /// The document is being edited.
    DocumentLocked {
        /// Who edits it.
        by: String,
        /// When the lock expires.
        until: DateTime<Utc>,
    },
}

impl ReadinessProblem {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            ReadinessProblem::NoRecipient => "no_recipient",
            ReadinessProblem::IncompleteAddress { .. } => "incomplete_address",
            ReadinessProblem::SenderIncomplete { .. } => "sender_incomplete",
            ReadinessProblem::InvalidSettings { .. } => "invalid_settings",
            ReadinessProblem::NoMailAccount { .. } => "no_mail_account",
            ReadinessProblem::NoEmailAddress => "no_email_address",
            ReadinessProblem::InvalidEmailAddress { .. } => "invalid_email_address",
            ReadinessProblem::NoPortalAccount => "no_portal_account",
            ReadinessProblem::NoEpostAccess => "no_epost_access",
            ReadinessProblem::PdfUnusable { .. } => "pdf_unusable",
            ReadinessProblem::OverLimit { .. } => "over_limit",
            ReadinessProblem::RouteUnavailable { .. } => "route_unavailable",
            ReadinessProblem::DocumentLocked { .. } => "document_locked",
        }
    }

    /// The message shown to users.
    pub fn message(&self, lang: Language) -> String {
        match self {
            ReadinessProblem::NoRecipient => lang.pick("Kein Empfänger.", "No recipient.").into(),
            ReadinessProblem::IncompleteAddress { problems } if problems.is_empty() => lang
                .pick("Die Postanschrift fehlt.", "The postal address is missing.")
                .into(),
            ReadinessProblem::IncompleteAddress { problems } => {
                let details: Vec<&str> = problems.iter().map(|p| p.message(lang)).collect();
                format!(
                    "{} {}",
                    lang.pick("Postanschrift unvollständig:", "Postal address incomplete:"),
                    details.join(" ")
                )
            }
            ReadinessProblem::SenderIncomplete { problems } => {
                let details: Vec<&str> = problems.iter().map(|p| p.message(lang)).collect();
                format!(
                    "{} {}",
                    lang.pick("Absender unvollständig:", "Sender incomplete:"),
                    details.join(" ")
                )
            }
            ReadinessProblem::InvalidSettings { problems } => {
                let details: Vec<&str> = problems.iter().map(|p| p.message(lang)).collect();
                format!(
                    "{} {}",
                    lang.pick("Versandeinstellungen ungültig:", "Send settings invalid:"),
                    details.join(" ")
                )
            }
            ReadinessProblem::NoMailAccount { reason } => match lang {
                Language::De => format!("Kein E-Mail-Konto für den Versand: {reason}"),
                Language::En => format!("No mail account to send with: {reason}"),
            },
            ReadinessProblem::NoEmailAddress => lang
                .pick(
                    "Keine E-Mail-Adresse hinterlegt.",
                    "No e-mail address on file.",
                )
                .into(),
            ReadinessProblem::InvalidEmailAddress { address } => match lang {
                Language::De => format!("Die E-Mail-Adresse „{address}“ ist ungültig."),
                Language::En => format!("The e-mail address \"{address}\" is invalid."),
            },
            ReadinessProblem::NoPortalAccount => lang
                .pick(
                    "Kein Portalzugang hinterlegt.",
                    "No portal account on file.",
                )
                .into(),
            ReadinessProblem::NoEpostAccess => lang
                .pick(
                    "Für diesen Mandanten ist kein E-POST-Zugang eingerichtet.",
                    "No E-POST access is set up for this tenant.",
                )
                .into(),
            ReadinessProblem::PdfUnusable { reason } => match lang {
                Language::De => format!("PDF nicht verwendbar: {reason}"),
                Language::En => format!("PDF unusable: {reason}"),
            },
            ReadinessProblem::OverLimit { what } => match lang {
                Language::De => format!("Grenze überschritten: {what}"),
                Language::En => format!("Limit exceeded: {what}"),
            },
            ReadinessProblem::RouteUnavailable { route } => match lang {
                Language::De => format!(
                    "Der Versandweg {} ist für diesen Mandanten nicht eingerichtet.",
                    route.label(lang)
                ),
                Language::En => format!(
                    "The route {} is not set up for this tenant.",
                    route.label(lang)
                ),
            },
            ReadinessProblem::DocumentLocked { by, until } => match lang {
                Language::De => format!(
                    "Das Dokument wird von {by} bearbeitet (gesperrt bis {}).",
                    until.format("%d.%m.%Y %H:%M UTC")
                ),
                Language::En => format!(
                    "The document is being edited by {by} (locked until {}).",
                    until.format("%Y-%m-%d %H:%M UTC")
                ),
            },
        }
    }
}

impl fmt::Display for ReadinessProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Language::En))
    }
}

/// Checks what the model alone can know about a delivery: the recipient and the route's needs
/// (address, e-mail, portal account, E-POST access). PDF, limit and lock checks need the file,
/// the plan and the store; the engine adds those.
pub fn check_recipient(
    route: Route,
    recipient: Option<&Contact>,
    epost: &EpostSettings,
    tenant_has_epost_access: bool,
) -> Vec<ReadinessProblem> {
    let mut out = Vec::new();
    let Some(contact) = recipient else {
        out.push(ReadinessProblem::NoRecipient);
        return out;
    };
    match route {
        Route::EpostLetter => {
            match &contact.address {
                None => out.push(ReadinessProblem::IncompleteAddress { problems: vec![] }),
                Some(addr) => {
                    let problems = validate_epost_letter(epost, addr);
                    if !problems.is_empty() {
                        out.push(ReadinessProblem::IncompleteAddress {
                            problems: problems.0,
                        });
                    }
                }
            }
            if !tenant_has_epost_access {
                out.push(ReadinessProblem::NoEpostAccess);
            }
        }
        Route::Email | Route::EmailShare => match contact.email_address() {
            None => out.push(ReadinessProblem::NoEmailAddress),
            Some(Err(_)) => out.push(ReadinessProblem::InvalidEmailAddress {
                address: contact.email.clone().unwrap_or_default(),
            }),
            Some(Ok(_)) => {}
        },
        Route::PortalShare => {
            if contact
                .portal_account
                .as_deref()
                .is_none_or(|a| a.trim().is_empty())
            {
                out.push(ReadinessProblem::NoPortalAccount);
            }
        }
    }
    out
}
