//! The error of every client call, and its classification for the engine.

use std::time::Duration;

use outbox_channel::{ChannelError, ErrorKind};
use outbox_model::Language;

use crate::codes::{self, CodeClass};
use crate::credentials::{CredentialsError, ExportError, ImportError};
use crate::wire::{ApiError, LetterIdent};

/// A failed E-POST call. [`EpostError::kind`] says what to do next; [`EpostError::message`]
/// says it in German or English.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EpostError {
    /// The request did not complete: refused connection, timeout, dropped connection.
    #[error("E-POST {operation}: {}: {source}", if *.maybe_delivered { "the connection failed after the request was sent, the outcome is unknown" } else { "the provider could not be reached" })]
    Transport {
        /// The call (`"submit letters"`).
        operation: &'static str,
        /// Whether the provider may have received and acted on the request.
        maybe_delivered: bool,
        /// The HTTP client's error.
        #[source]
        source: reqwest::Error,
    },
    /// The provider answered with an error.
    #[error("E-POST {operation}: HTTP {status}{}", match .error { Some(e) => format!(", {}: {}", e.code, e.description), None => String::new() })]
    Api {
        /// The call.
        operation: &'static str,
        /// HTTP status.
        status: u16,
        /// The provider's `Error` object, when it sent one.
        error: Option<Box<ApiError>>,
        /// The delay the provider asked for (`Retry-After`).
        retry_after: Option<Duration>,
    },
    /// The provider's answer could not be understood (not JSON, fields missing).
    #[error("E-POST {operation}: the provider's answer could not be read ({detail})")]
    Malformed {
        /// The call.
        operation: &'static str,
        /// What was wrong.
        detail: String,
        /// Whether the provider may have acted on the request (a letter submission answered
        /// with success but an unreadable body).
        maybe_delivered: bool,
    },
    /// Our own status-call limit (one per 5 s per account, plus backoff) says wait.
    #[error("E-POST status calls are limited; next call possible in {:.1} s", .retry_after.as_secs_f64())]
    RateLimited {
        /// When the next call is allowed.
        retry_after: Duration,
    },
    /// The request was refused before sending (over a limit, invalid field).
    #[error("E-POST letter not sent: {0}")]
    Invalid(String),
    /// Credentials are incomplete or invalid.
    #[error(transparent)]
    Credentials(#[from] CredentialsError),
    /// An export code could not be read.
    #[error(transparent)]
    Import(#[from] ImportError),
    /// Credentials could not be exported.
    #[error(transparent)]
    Export(#[from] ExportError),
    /// The client could not be set up (invalid base URL, TLS setup).
    #[error("E-POST client setup failed: {0}")]
    Config(String),
    /// A multi-request submission failed part way: the letters in `accepted` were taken.
    #[error("E-POST submission failed after {} letter(s) were accepted: {source}", .accepted.len())]
    PartiallySubmitted {
        /// Letters the provider accepted before the failure.
        accepted: Vec<LetterIdent>,
        /// The failure.
        #[source]
        source: Box<EpostError>,
    },
}

impl EpostError {
    /// The provider's error code, if any (`"E302"`).
    pub fn code(&self) -> Option<&str> {
        match self {
            EpostError::Api { error: Some(e), .. } => Some(e.code.as_str()),
            EpostError::PartiallySubmitted { source, .. } => source.code(),
            _ => None,
        }
    }

    /// What the engine should do: retry later, slow down, give up, or reconcile first.
    pub fn kind(&self) -> ErrorKind {
        match self {
            EpostError::Transport {
                maybe_delivered, ..
            }
            | EpostError::Malformed {
                maybe_delivered, ..
            } => {
                if *maybe_delivered {
                    ErrorKind::Ambiguous
                } else {
                    ErrorKind::Transient
                }
            }
            EpostError::Api { status, error, .. } => {
                if *status >= 500 {
                    return ErrorKind::Transient;
                }
                if *status == 429 {
                    return ErrorKind::RateLimited;
                }
                match error.as_ref().map(|e| codes::class_of(&e.code)) {
                    Some(CodeClass::Transient) => ErrorKind::Transient,
                    Some(CodeClass::RateLimited) => ErrorKind::RateLimited,
                    _ => ErrorKind::Permanent,
                }
            }
            EpostError::RateLimited { .. } => ErrorKind::RateLimited,
            EpostError::Invalid(_)
            | EpostError::Credentials(_)
            | EpostError::Import(_)
            | EpostError::Export(_)
            | EpostError::Config(_) => ErrorKind::Permanent,
            // Some letters went out: never resend blindly.
            EpostError::PartiallySubmitted { .. } => ErrorKind::Ambiguous,
        }
    }

    /// The delay before a retry, when known.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            EpostError::Api { retry_after, .. } => retry_after.or_else(|| {
                // A frequency error without Retry-After: the documented intervals.
                match self.code() {
                    Some("E322") => Some(Duration::from_secs(5)),
                    Some("E003") => Some(Duration::from_secs(15 * 60)),
                    _ => None,
                }
            }),
            EpostError::RateLimited { retry_after } => Some(*retry_after),
            _ => None,
        }
    }

    /// Whether the provider said our token is invalid or expired.
    pub fn is_auth_failure(&self) -> bool {
        matches!(self, EpostError::Api { status: 401, .. }) || self.code() == Some("E101")
    }

    /// A message for users in the given language: the provider code's text plus the
    /// provider's details, or a description of the local failure.
    pub fn message(&self, lang: Language) -> String {
        match self {
            EpostError::Api {
                status,
                error: Some(e),
                ..
            } => match codes::lookup(&e.code) {
                Some(info) => {
                    let detail = e.description.trim();
                    if detail.is_empty() {
                        format!("{} ({})", info.message(lang), e.code)
                    } else {
                        format!("{} ({}: {detail})", info.message(lang), e.code)
                    }
                }
                None => match lang {
                    Language::De => format!(
                        "E-POST meldet Fehler {} (HTTP {status}): {}",
                        e.code, e.description
                    ),
                    Language::En => format!(
                        "E-POST reports error {} (HTTP {status}): {}",
                        e.code, e.description
                    ),
                },
            },
            EpostError::Api {
                status,
                error: None,
                ..
            } => match (lang, *status) {
                (Language::De, 429) => "E-POST: zu viele Anfragen; später erneut versuchen.".into(),
                (Language::En, 429) => "E-POST: too many requests; try again later.".into(),
                (Language::De, s) if s >= 500 => format!(
                    "E-POST ist gestört (HTTP {s}); es wird später erneut versucht."
                ),
                (Language::En, s) if s >= 500 => {
                    format!("E-POST is failing (HTTP {s}); will try again later.")
                }
                (Language::De, 401) => {
                    "E-POST-Anmeldung abgelehnt: Zugangsdaten prüfen.".into()
                }
                (Language::En, 401) => "E-POST refused the login: check the credentials.".into(),
                (Language::De, s) => format!("E-POST lehnt die Anfrage ab (HTTP {s})."),
                (Language::En, s) => format!("E-POST refused the request (HTTP {s})."),
            },
            EpostError::Transport {
                maybe_delivered: true,
                ..
            } => lang
                .pick(
                    "Die Verbindung zu E-POST brach nach dem Senden ab; ob der Brief angekommen ist, wird geprüft.",
                    "The connection to E-POST dropped after sending; whether the letter arrived will be checked.",
                )
                .into(),
            EpostError::Transport { .. } => lang
                .pick(
                    "E-POST ist nicht erreichbar; es wird später erneut versucht.",
                    "E-POST cannot be reached; will try again later.",
                )
                .into(),
            EpostError::Malformed { detail, .. } => match lang {
                Language::De => format!("Unverständliche Antwort von E-POST: {detail}"),
                Language::En => format!("Unreadable answer from E-POST: {detail}"),
            },
            EpostError::RateLimited { retry_after } => match lang {
                Language::De => format!(
                    "E-POST-Statusabfragen sind begrenzt; nächste in {:.0} s.",
                    retry_after.as_secs_f64().ceil()
                ),
                Language::En => format!(
                    "E-POST status queries are limited; next one in {:.0} s.",
                    retry_after.as_secs_f64().ceil()
                ),
            },
            EpostError::Invalid(what) => match lang {
                Language::De => format!("Brief nicht versendet: {what}"),
                Language::En => format!("Letter not sent: {what}"),
            },
            EpostError::PartiallySubmitted { source, .. } => source.message(lang),
            other => other.to_string(),
        }
    }
}

impl From<EpostError> for ChannelError {
    fn from(e: EpostError) -> Self {
        let mut out = ChannelError::new(e.kind(), e.message(Language::En));
        if let Some(code) = e.code() {
            out = out.with_code(code);
        }
        if let Some(d) = e.retry_after() {
            out = out.with_retry_after(d);
        }
        out.with_source(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::CODES;

    fn api(status: u16, code: &str) -> EpostError {
        EpostError::Api {
            operation: "test",
            status,
            error: Some(Box::new(ApiError {
                level: "Error".into(),
                code: code.into(),
                description: "Details".into(),
                date: None,
            })),
            retry_after: None,
        }
    }

    #[test]
    fn every_error_code_gets_the_kind_of_its_class() {
        for info in CODES.iter().filter(|c| c.code.starts_with('E')) {
            let e = api(400, info.code);
            let expected = match info.class {
                CodeClass::Transient => ErrorKind::Transient,
                CodeClass::RateLimited => ErrorKind::RateLimited,
                _ => ErrorKind::Permanent,
            };
            assert_eq!(e.kind(), expected, "{}", info.code);
            let ch = ChannelError::from(e);
            assert_eq!(ch.code(), Some(info.code));
            assert!(ch.message().contains(info.en), "{}", ch.message());
            assert!(api(400, info.code).message(Language::De).contains(info.de));
        }
    }

    #[test]
    fn server_errors_are_transient_whatever_the_code() {
        assert_eq!(api(503, "E304").kind(), ErrorKind::Transient);
        assert_eq!(api(429, "E900").kind(), ErrorKind::RateLimited);
        assert_eq!(api(429, "E322").retry_after(), Some(Duration::from_secs(5)));
    }

    #[test]
    fn auth_failures_are_recognised() {
        assert!(api(401, "E001").is_auth_failure());
        assert!(api(400, "E101").is_auth_failure());
        assert!(!api(400, "E302").is_auth_failure());
    }
}
