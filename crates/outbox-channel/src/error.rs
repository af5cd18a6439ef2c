//! One error type for every route, classified so the engine knows what to do next.

use std::error::Error as StdError;
use std::fmt;
use std::time::Duration;

/// What the engine should do after a failed channel call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Nothing was delivered and trying again later may work (timeouts before sending, 5xx,
    /// SMTP 4xx, connection refused). Retry with backoff, after `retry_after` if given.
    Transient,
    /// The provider asked us to slow down. Retry after `retry_after`.
    RateLimited,
    /// Trying again will fail the same way (invalid address, rejected PDF, 4xx validation
    /// error). Record the failure with its reason so the user can act.
    Permanent,
    /// The outcome is unknown: the request may or may not have been delivered (connection
    /// dropped after the data was sent). Call [`Channel::reconcile`](crate::Channel::reconcile)
    /// before any retry, never resend blindly.
    Ambiguous,
}

impl ErrorKind {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Transient => "transient",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::Permanent => "permanent",
            ErrorKind::Ambiguous => "ambiguous",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failed channel call: its [`ErrorKind`], an optional provider code (`"E302"`, `"550"`), a
/// message the user can act on, an optional retry delay, and the provider's own error as source.
#[derive(Debug)]
pub struct ChannelError {
    kind: ErrorKind,
    code: Option<String>,
    message: String,
    retry_after: Option<Duration>,
    source: Option<Box<dyn StdError + Send + Sync + 'static>>,
}

impl ChannelError {
    /// An error of the given kind.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            code: None,
            message: message.into(),
            retry_after: None,
            source: None,
        }
    }

    /// Nothing was delivered; retry later.
    pub fn transient(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Transient, message)
    }

    /// The provider limits the rate; retry after the given delay.
    pub fn rate_limited(retry_after: Duration, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::RateLimited, message).with_retry_after(retry_after)
    }

    /// Retrying will not help; `code` is the provider's or our reason code.
    pub fn permanent(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Permanent, message).with_code(code)
    }

    /// The outcome is unknown; reconcile before retrying.
    pub fn ambiguous(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Ambiguous, message)
    }

    /// Sets the reason code.
    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }

    /// Sets the delay before a retry.
    pub fn with_retry_after(mut self, d: Duration) -> Self {
        self.retry_after = Some(d);
        self
    }

    /// Keeps the provider's own error as the source.
    pub fn with_source(mut self, source: impl StdError + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    /// The classification.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The reason code, if any.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// The message for users and logs.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The delay the provider asked for, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// Whether a later retry may succeed without reconciling first.
    pub fn is_retryable(&self) -> bool {
        matches!(self.kind, ErrorKind::Transient | ErrorKind::RateLimited)
    }

    /// Whether the outcome is unknown and must be reconciled.
    pub fn is_ambiguous(&self) -> bool {
        self.kind == ErrorKind::Ambiguous
    }

    /// The reason recorded on a failed delivery: "code: message" or the message alone.
    pub fn reason(&self) -> String {
        match &self.code {
            Some(c) => format!("{c}: {}", self.message),
            None => self.message.clone(),
        }
    }
}

impl fmt::Display for ChannelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} error: {}", self.kind, self.reason())?;
        if let Some(d) = self.retry_after {
            write!(f, " (retry after {} s)", d.as_secs_f64())?;
        }
        Ok(())
    }
}

impl StdError for ChannelError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn StdError + 'static))
    }
}
