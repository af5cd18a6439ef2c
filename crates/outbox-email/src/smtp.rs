//! The SMTP dialogue, driven step by step so every failure knows whether the content was sent,
//! and a small connection pool.
//!
//! lettre's `AsyncSmtpTransport` reports a broken connection the same way whether it broke
//! during `MAIL FROM` (nothing sent) or while the content was on the wire (maybe delivered).
//! The engine must tell these apart (retry vs. reconcile), so this module drives lettre's
//! `AsyncSmtpConnection` command by command and keeps its own pool.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use lettre::Address;
use lettre::transport::smtp::Error as SmtpError;
use lettre::transport::smtp::authentication::Mechanism;
use lettre::transport::smtp::client::{AsyncSmtpConnection, Certificate, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
use outbox_channel::ErrorKind;
use tokio::net::{TcpStream, lookup_host};

use crate::account::{MailAccount, Security};
use crate::error::{SendError, Stage};

/// Connection pooling: idle connections are kept per account and reused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolOptions {
    /// Most idle connections kept per account.
    pub max_idle_per_account: usize,
    /// Idle connections older than this are closed instead of reused (servers drop idle
    /// clients after a few minutes).
    pub idle_timeout: Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self {
            max_idle_per_account: 4,
            idle_timeout: Duration::from_secs(60),
        }
    }
}

/// Timeouts and pooling of the SMTP transport.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpOptions {
    /// TCP connect.
    pub connect_timeout: Duration,
    /// Each command and the greeting, TLS handshake and AUTH.
    pub command_timeout: Duration,
    /// Sending the content and waiting for the final reply; a timeout here makes the outcome
    /// ambiguous.
    pub content_timeout: Duration,
    /// Connection pooling; `None` opens one connection per mail.
    pub pool: Option<PoolOptions>,
    /// Name sent with `EHLO`; `None` = this host's name.
    pub hello_name: Option<String>,
}

impl Default for SmtpOptions {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(15),
            command_timeout: Duration::from_secs(30),
            content_timeout: Duration::from_secs(120),
            pool: Some(PoolOptions::default()),
            hello_name: None,
        }
    }
}

impl SmtpOptions {
    /// The defaults without pooling.
    pub fn unpooled() -> Self {
        Self {
            pool: None,
            ..Self::default()
        }
    }
}

/// The server's final reply to an accepted mail.
pub(crate) struct Accepted {
    pub(crate) reply: String,
}

struct Idle {
    conn: AsyncSmtpConnection,
    since: Instant,
}

/// The pool key: everything that makes two connections interchangeable.
type Key = (
    outbox_model::MailAccountId,
    String,
    u16,
    String,
    Option<String>,
);

fn key(a: &MailAccount) -> Key {
    (
        a.id,
        a.host.clone(),
        a.port,
        format!("{:?}", a.security),
        a.credentials.as_ref().map(|c| c.user().to_owned()),
    )
}

pub(crate) struct SmtpTransport {
    options: SmtpOptions,
    hello: ClientId,
    idle: Mutex<HashMap<Key, Vec<Idle>>>,
}

impl SmtpTransport {
    pub(crate) fn new(options: SmtpOptions) -> Self {
        let hello = match &options.hello_name {
            Some(n) => ClientId::Domain(n.clone()),
            None => ClientId::default(),
        };
        Self {
            options,
            hello,
            idle: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn options(&self) -> &SmtpOptions {
        &self.options
    }

    /// Sends one message; `from`/`to` make the envelope.
    pub(crate) async fn send(
        &self,
        account: &MailAccount,
        from: &Address,
        to: &[Address],
        content: &[u8],
    ) -> Result<Accepted, SendError> {
        if let Some(conn) = self.checkout(account) {
            match self.transact(conn, from, to, content).await {
                Ok((accepted, conn)) => {
                    self.checkin(account, conn).await;
                    return Ok(accepted);
                }
                // A pooled connection the server closed meanwhile fails before the content
                // without a reply, or with the 421 a server sends when it drops an idle client;
                // nothing was sent, so a fresh connection may try once more.
                Err(e)
                    if e.stage() == Stage::Envelope && matches!(e.code(), None | Some("421")) =>
                {
                    tracing::debug!(account = %account.id, "pooled SMTP connection was stale: {e}");
                }
                Err(e) => return Err(e),
            }
        }
        let conn = self.open(account).await?;
        let (accepted, conn) = self.transact(conn, from, to, content).await?;
        self.checkin(account, conn).await;
        Ok(accepted)
    }

    fn checkout(&self, account: &MailAccount) -> Option<AsyncSmtpConnection> {
        let pool = self.options.pool.as_ref()?;
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        let list = idle.get_mut(&key(account))?;
        while let Some(i) = list.pop() {
            if i.since.elapsed() < pool.idle_timeout && !i.conn.has_broken() {
                return Some(i.conn);
            }
        }
        None
    }

    async fn checkin(&self, account: &MailAccount, mut conn: AsyncSmtpConnection) {
        if let Some(pool) = &self.options.pool {
            let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
            let list = idle.entry(key(account)).or_default();
            list.retain(|i| i.since.elapsed() < pool.idle_timeout);
            if list.len() < pool.max_idle_per_account {
                list.push(Idle {
                    conn,
                    since: Instant::now(),
                });
                return;
            }
        }
        // Not pooled: say goodbye politely, but never let it hold up the caller for long.
        let _ = tokio::time::timeout(Duration::from_secs(2), conn.quit()).await;
    }

    /// Closes every idle connection.
    pub(crate) async fn close_idle(&self) {
        let all: Vec<Idle> = {
            let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
            idle.drain().flat_map(|(_, v)| v).collect()
        };
        for mut i in all {
            let _ = tokio::time::timeout(Duration::from_secs(2), i.conn.quit()).await;
        }
    }

    /// Number of idle connections (for tests and metrics).
    pub(crate) fn idle_count(&self) -> usize {
        let idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        idle.values().map(Vec::len).sum()
    }

    /// A TCP connection, and a second handle to the same socket for switching Nagle's
    /// algorithm off once the connection is set up (see [`SmtpTransport::open`]).
    async fn tcp_connect(
        &self,
        account: &MailAccount,
    ) -> Result<(TcpStream, Option<std::net::TcpStream>), SendError> {
        let host = account
            .host
            .trim()
            .trim_start_matches('[')
            .trim_end_matches(']');
        let limit = self.options.connect_timeout;
        let fail = |why: String| {
            SendError::new(
                ErrorKind::Transient,
                Stage::Connect,
                format!("could not connect to {host}:{}: {why}", account.port),
            )
        };
        let addrs = match tokio::time::timeout(limit, lookup_host((host, account.port))).await {
            Ok(Ok(a)) => a,
            Ok(Err(e)) => return Err(fail(format!("name lookup failed ({e})")).with_source(e)),
            Err(_) => return Err(fail("name lookup timed out".into())),
        };
        let mut last = "the host name resolves to no address".to_owned();
        for addr in addrs {
            match tokio::time::timeout(limit, TcpStream::connect(addr)).await {
                Ok(Ok(stream)) => return Ok(split_handle(stream)),
                Ok(Err(e)) => last = format!("{addr}: {e}"),
                Err(_) => last = format!("{addr}: no answer within {} s", limit.as_secs_f64()),
            }
        }
        Err(fail(last))
    }

    async fn open(&self, account: &MailAccount) -> Result<AsyncSmtpConnection, SendError> {
        let tls = if account.security.is_encrypted() {
            Some(tls_parameters(account)?)
        } else {
            None
        };
        let connect_failed = |e: Failure| {
            e.explain(format!(
                "could not connect to {}:{}",
                account.host, account.port
            ))
        };
        let mut nodelay_later = None;
        let mut conn = if account.security == Security::ImplicitTls {
            // lettre does the TCP connect and the TLS handshake in one call here, so the
            // socket keeps Nagle's algorithm (there is no hook to reach it).
            let connect = AsyncSmtpConnection::connect_tokio1(
                (account.host.trim(), account.port),
                Some(self.options.connect_timeout),
                &self.hello,
                tls.clone(),
                None,
            );
            let budget = self.options.connect_timeout + self.options.command_timeout;
            timed(budget, Stage::Tls, connect)
                .await
                .map_err(connect_failed)?
        } else {
            let (tcp, handle) = self.tcp_connect(account).await?;
            nodelay_later = handle;
            timed(
                self.options.command_timeout,
                Stage::Connect,
                AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &self.hello),
            )
            .await
            .map_err(connect_failed)?
        };

        if account.security == Security::StartTls {
            if !conn.can_starttls() {
                abandon(&mut conn).await;
                return Err(SendError::new(
                    ErrorKind::Transient,
                    Stage::Tls,
                    format!(
                        "{}:{} does not offer STARTTLS; refusing to send unencrypted (use security \"implicit TLS\" on port 465 if the server expects it)",
                        account.host, account.port
                    ),
                ));
            }
            if let Some(tls) = tls {
                timed(
                    self.options.command_timeout,
                    Stage::Tls,
                    conn.starttls(tls, &self.hello),
                )
                .await
                .map_err(|e| e.explain("the STARTTLS handshake failed"))?;
            }
        }

        if let Some(c) = &account.credentials {
            let r = timed(
                self.options.command_timeout,
                Stage::Auth,
                conn.auth(&[Mechanism::Plain, Mechanism::Login], &c.to_lettre()),
            )
            .await;
            if let Err(e) = r {
                abandon(&mut conn).await;
                return Err(e.explain(format!(
                    "the server refused the login of user `{}`; check user name and password of the mail account",
                    c.user()
                )));
            }
        }
        // SMTP is request/response: with Nagle's algorithm the small last write of a mail (the
        // `.` line, a short TLS record) waits for the server's delayed ACK, measured here as
        // ~40 ms per mail on a reused STARTTLS connection. During the handshake Nagle helps
        // (fewer, fuller segments), so it is switched off only now.
        if let Some(handle) = nodelay_later {
            // Only a latency optimisation: a socket that refuses it still works.
            let _ = handle.set_nodelay(true);
        }
        Ok(conn)
    }

    /// One mail transaction on an open connection; gives the connection back for reuse.
    async fn transact(
        &self,
        mut conn: AsyncSmtpConnection,
        from: &Address,
        to: &[Address],
        content: &[u8],
    ) -> Result<(Accepted, AsyncSmtpConnection), SendError> {
        let mut params = Vec::new();
        let info = conn.server_info();
        if !AsRef::<str>::as_ref(from).is_ascii()
            || to.iter().any(|a| !AsRef::<str>::as_ref(a).is_ascii())
        {
            if !info.supports_feature(Extension::SmtpUtfEight) {
                abandon(&mut conn).await;
                return Err(SendError::new(
                    ErrorKind::Permanent,
                    Stage::Envelope,
                    "an address contains non-ASCII characters and the server does not support SMTPUTF8",
                )
                .with_code("smtputf8_unsupported"));
            }
            params.push(MailParameter::SmtpUtfEight);
        }
        if !content.is_ascii() {
            if !info.supports_feature(Extension::EightBitMime) {
                abandon(&mut conn).await;
                return Err(SendError::new(
                    ErrorKind::Permanent,
                    Stage::Envelope,
                    "the mail has 8-bit content and the server does not support 8BITMIME",
                )
                .with_code("8bitmime_unsupported"));
            }
            params.push(MailParameter::Body(MailBodyParameter::EightBitMime));
        }

        let t = self.options.command_timeout;
        let r = timed(
            t,
            Stage::Envelope,
            conn.command(Mail::new(Some(from.clone()), params)),
        )
        .await;
        if let Err(e) = r {
            abandon(&mut conn).await;
            return Err(e.explain("the server refused the sender (MAIL FROM)"));
        }
        for rcpt in to {
            let r = timed(
                t,
                Stage::Envelope,
                conn.command(Rcpt::new(rcpt.clone(), vec![])),
            )
            .await;
            if let Err(e) = r {
                abandon(&mut conn).await;
                return Err(e.explain(format!("the server refused the recipient <{rcpt}>")));
            }
        }
        if let Err(e) = timed(t, Stage::Envelope, conn.command(Data)).await {
            abandon(&mut conn).await;
            return Err(e.explain("the server refused DATA"));
        }
        // From here on the server may accept the mail even if we never see its reply.
        match timed(
            self.options.content_timeout,
            Stage::Content,
            conn.message(content),
        )
        .await
        {
            Ok(reply) => Ok((
                Accepted {
                    reply: format!(
                        "{} {}",
                        reply.code(),
                        reply.message().collect::<Vec<_>>().join(" ")
                    ),
                },
                conn,
            )),
            Err(e) => {
                abandon(&mut conn).await;
                Err(e.explain("the mail content was sent"))
            }
        }
    }
}

/// The stream for lettre, plus a duplicate handle of the same socket: lettre takes the stream
/// and offers no way back to it. Without a duplicate, Nagle simply stays on.
fn split_handle(stream: TcpStream) -> (TcpStream, Option<std::net::TcpStream>) {
    #[cfg(unix)]
    let handle = {
        use std::os::fd::AsFd;
        stream
            .as_fd()
            .try_clone_to_owned()
            .ok()
            .map(std::net::TcpStream::from)
    };
    #[cfg(windows)]
    let handle = {
        use std::os::windows::io::AsSocket;
        stream
            .as_socket()
            .try_clone_to_owned()
            .ok()
            .map(std::net::TcpStream::from)
    };
    #[cfg(not(any(unix, windows)))]
    let handle = None;
    (stream, handle)
}

/// Ends a connection after a failure. A polite `QUIT` is tried, but briefly: a server that
/// stopped answering (or still reads content) would otherwise hold the caller forever.
async fn abandon(conn: &mut AsyncSmtpConnection) {
    let _ = tokio::time::timeout(Duration::from_secs(1), conn.abort()).await;
}

fn tls_parameters(account: &MailAccount) -> Result<TlsParameters, SendError> {
    let mut b = TlsParameters::builder(account.host.trim().to_owned());
    for pem in &account.extra_root_certificates_pem {
        let cert = Certificate::from_pem(pem.as_bytes()).map_err(|e| {
            SendError::permanent(
                "invalid_certificate",
                format!(
                    "an extra root certificate of mail account {} is not valid PEM",
                    account.id
                ),
            )
            .with_source(e)
        })?;
        b = b.add_root_certificate(cert);
    }
    b.build().map_err(|e| {
        SendError::new(
            ErrorKind::Permanent,
            Stage::Tls,
            "the TLS settings could not be prepared",
        )
        .with_source(e)
    })
}

/// A failure before context is added: kind, stage and the server's text.
struct Failure(SendError);

impl Failure {
    fn explain(self, what: impl AsRef<str>) -> SendError {
        let mut e = self.0;
        e.prefix(what.as_ref());
        e
    }
}

async fn timed<T>(
    limit: Duration,
    stage: Stage,
    f: impl Future<Output = Result<T, SmtpError>>,
) -> Result<T, Failure> {
    match tokio::time::timeout(limit, f).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(Failure(classify(e, stage))),
        Err(_) => {
            let kind = if stage == Stage::Content {
                ErrorKind::Ambiguous
            } else {
                ErrorKind::Transient
            };
            Err(Failure(SendError::new(
                kind,
                stage,
                format!("no answer within {} s", limit.as_secs_f64()),
            )))
        }
    }
}

/// The classification of the issue: 4xx transient, 5xx permanent (with the server's text),
/// connection and TLS failures transient, anything but a reply once the content went out
/// ambiguous.
fn classify(e: SmtpError, stage: Stage) -> SendError {
    if let Some(code) = e.status() {
        let text = std::error::Error::source(&e)
            .map(|s| s.to_string())
            .unwrap_or_default();
        let kind = if e.is_permanent() {
            ErrorKind::Permanent
        } else {
            ErrorKind::Transient
        };
        return SendError::new(kind, stage, format!("server replied {code} {text}"))
            .with_code(code.to_string())
            .with_source(e);
    }
    if stage == Stage::Content {
        return SendError::new(
            ErrorKind::Ambiguous,
            stage,
            format!("the connection failed before the server confirmed the mail ({e}); it may or may not have been delivered"),
        )
        .with_source(e);
    }
    let (kind, stage) = if e.is_tls() {
        (ErrorKind::Transient, Stage::Tls)
    } else if e.is_client() && stage == Stage::Auth {
        // No common AUTH mechanism: a configuration problem, retrying will not fix it.
        (ErrorKind::Permanent, stage)
    } else {
        (ErrorKind::Transient, stage)
    };
    SendError::new(kind, stage, e.to_string()).with_source(e)
}
