//! Classified send failures.

use std::error::Error as StdError;
use std::fmt;

use outbox_channel::{ChannelError, ErrorKind};

/// Where in the SMTP dialogue a failure happened; decides whether the outcome is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Stage {
    /// Before any connection: account, message or limit problems.
    Prepare,
    /// TCP connect and the server greeting.
    Connect,
    /// TLS handshake (implicit or after `STARTTLS`).
    Tls,
    /// SMTP AUTH.
    Auth,
    /// `MAIL FROM`, `RCPT TO`, `DATA` up to the server's 354.
    Envelope,
    /// The message content was being sent or its reply awaited: the server may have accepted
    /// the mail even though we saw no reply.
    Content,
    /// Writing a mail file.
    File,
}

impl Stage {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Prepare => "prepare",
            Stage::Connect => "connect",
            Stage::Tls => "tls",
            Stage::Auth => "auth",
            Stage::Envelope => "envelope",
            Stage::Content => "content",
            Stage::File => "file",
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A mail could not be sent (or its outcome is unknown).
///
/// [`kind`](SendError::kind) says what to do: `Transient` = nothing was delivered, retry later
/// (SMTP 4xx, connection and TLS failures); `Permanent` = retrying fails the same way (SMTP 5xx
/// with the server's text, over a limit, bad account); `Ambiguous` = the connection broke or
/// timed out after the content was sent, the server may have the mail.
#[derive(Debug, thiserror::Error)]
#[error("{kind} failure at {stage}: {message}")]
pub struct SendError {
    kind: ErrorKind,
    stage: Stage,
    code: Option<String>,
    message: String,
    #[source]
    source: Option<Box<dyn StdError + Send + Sync + 'static>>,
}

impl SendError {
    pub(crate) fn new(kind: ErrorKind, stage: Stage, message: impl Into<String>) -> Self {
        Self {
            kind,
            stage,
            code: None,
            message: message.into(),
            source: None,
        }
    }

    pub(crate) fn permanent(code: &str, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Permanent, Stage::Prepare, message).with_code(code)
    }

    pub(crate) fn with_code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }

    pub(crate) fn with_source(mut self, e: impl StdError + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(e));
        self
    }

    pub(crate) fn prefix(&mut self, what: &str) {
        self.message = format!("{what}: {}", self.message);
    }

    /// What the caller should do next.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// Where it happened.
    pub fn stage(&self) -> Stage {
        self.stage
    }

    /// The SMTP reply code (`"550"`) or our reason code (`"over_limit"`), if any.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// What went wrong, with the server's own text where there is one.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl From<SendError> for ChannelError {
    fn from(e: SendError) -> Self {
        let message = format!("{} ({})", e.message, e.stage);
        let mut c = ChannelError::new(e.kind, message);
        if let Some(code) = &e.code {
            c = c.with_code(code.clone());
        }
        c.with_source(e)
    }
}
