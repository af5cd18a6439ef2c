//! Test infrastructure: a real SMTP server (mailin-embedded) on 127.0.0.1, a test CA, a
//! hand-written misbehaving SMTP server, and delivery fixtures.
#![allow(dead_code, unreachable_pub)]

use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use mailin_embedded::response::{AUTH_OK, INVALID_CREDENTIALS, OK};
use mailin_embedded::{AuthMechanism, Handler, Response, Server, SslConfig};
use outbox_channel::{OutgoingDelivery, OutgoingDocument, Sender};
use outbox_email::*;
use outbox_model::*;

/// One mail the server received.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: Vec<u8>,
}

/// How the server behaves.
#[derive(Debug, Clone, Default)]
pub struct SinkConfig {
    /// Offer STARTTLS with this certificate chain and key (PEM files).
    pub tls: Option<(PathBuf, PathBuf)>,
    /// Require and accept exactly this login (AUTH PLAIN/LOGIN, only after STARTTLS).
    pub login: Option<(String, String)>,
    /// Reply to every RCPT with this instead of 250.
    pub rcpt_reply: Option<(u16, String)>,
    /// Reply to the end of the content with this instead of 250.
    pub data_end_reply: Option<(u16, String)>,
    /// Count mails but do not keep them (for benchmarks).
    pub discard: bool,
}

#[derive(Clone)]
struct Recorder {
    config: Arc<SinkConfig>,
    received: Arc<Mutex<Vec<Received>>>,
    sessions: Arc<Mutex<u32>>,
    count: Arc<Mutex<u64>>,
    from: String,
    to: Vec<String>,
    buf: Vec<u8>,
}

impl Recorder {
    fn login(&self, user: &str, password: &str) -> Response {
        match &self.config.login {
            Some((u, p)) if u == user && p == password => AUTH_OK,
            _ => INVALID_CREDENTIALS,
        }
    }
}

impl Handler for Recorder {
    fn helo(&mut self, _ip: std::net::IpAddr, _domain: &str) -> Response {
        *self.sessions.lock().unwrap() += 1;
        OK
    }
    fn mail(&mut self, _ip: std::net::IpAddr, _domain: &str, from: &str) -> Response {
        self.from = from.to_owned();
        self.to.clear();
        OK
    }
    fn rcpt(&mut self, to: &str) -> Response {
        if let Some((code, text)) = &self.config.rcpt_reply {
            return Response::custom(*code, text.clone());
        }
        self.to.push(to.to_owned());
        OK
    }
    fn data_start(&mut self, _d: &str, _f: &str, _is8bit: bool, _to: &[String]) -> Response {
        self.buf.clear();
        OK
    }
    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        if !self.config.discard {
            self.buf.extend_from_slice(buf);
        }
        Ok(())
    }
    fn data_end(&mut self) -> Response {
        if let Some((code, text)) = &self.config.data_end_reply {
            return Response::custom(*code, text.clone());
        }
        *self.count.lock().unwrap() += 1;
        if self.config.discard {
            self.buf.clear();
            return OK;
        }
        self.received.lock().unwrap().push(Received {
            from: self.from.clone(),
            to: self.to.clone(),
            data: std::mem::take(&mut self.buf),
        });
        OK
    }
    fn auth_plain(&mut self, _authz: &str, user: &str, password: &str) -> Response {
        self.login(user, password)
    }
    fn auth_login(&mut self, user: &str, password: &str) -> Response {
        self.login(user, password)
    }
}

/// A running SMTP server. Its threads end with the test process.
pub struct Sink {
    pub addr: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
    sessions: Arc<Mutex<u32>>,
    count: Arc<Mutex<u64>>,
}

impl Sink {
    pub fn start(config: SinkConfig) -> Sink {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let received = Arc::new(Mutex::new(Vec::new()));
        let sessions = Arc::new(Mutex::new(0));
        let count = Arc::new(Mutex::new(0));
        let handler = Recorder {
            config: Arc::new(config.clone()),
            received: received.clone(),
            sessions: sessions.clone(),
            count: count.clone(),
            from: String::new(),
            to: Vec::new(),
            buf: Vec::new(),
        };
        let mut server = Server::new(handler);
        server
            .with_name("sink.test")
            .with_num_threads(16)
            .with_tcp_listener(listener);
        if let Some((cert, key)) = &config.tls {
            server
                .with_ssl(SslConfig::SelfSigned {
                    cert_path: cert.display().to_string(),
                    key_path: key.display().to_string(),
                })
                .map_err(|e| e.to_string())
                .unwrap();
        }
        if config.login.is_some() {
            server.with_auth(AuthMechanism::Plain);
            server.with_auth(AuthMechanism::Login);
        }
        // mailin's error type is not Send: drop it inside the thread.
        std::thread::spawn(move || {
            let _ = server.serve().map_err(|e| e.to_string());
        });
        Sink {
            addr,
            received,
            sessions,
            count,
        }
    }

    /// Mails accepted, kept or not.
    pub fn count(&self) -> u64 {
        *self.count.lock().unwrap()
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// EHLO/HELO commands seen (two per STARTTLS session).
    pub fn hellos(&self) -> u32 {
        *self.sessions.lock().unwrap()
    }
}

/// A test CA and a server certificate for 127.0.0.1 / localhost, written to a temp dir.
pub struct TestPki {
    pub ca_pem: String,
    pub cert_der: Vec<u8>,
    pub key_der: Vec<u8>,
    pub chain_path: PathBuf,
    pub key_path: PathBuf,
    _dir: tempfile::TempDir,
}

impl TestPki {
    pub fn generate() -> TestPki {
        use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair, SanType};
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "outbox test CA");
        let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();

        let mut params = CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
        params
            .subject_alt_names
            .push(SanType::IpAddress("127.0.0.1".parse().unwrap()));
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &*ca).unwrap();

        let dir = tempfile::tempdir().unwrap();
        let chain_path = dir.path().join("chain.pem");
        let key_path = dir.path().join("key.pem");
        std::fs::write(&chain_path, cert.pem()).unwrap();
        std::fs::write(&key_path, key.serialize_pem()).unwrap();
        TestPki {
            ca_pem: ca.pem(),
            cert_der: cert.der().to_vec(),
            key_der: key.serialize_der(),
            chain_path,
            key_path,
            _dir: dir,
        }
    }
}

pub fn email(s: &str) -> EmailAddress {
    EmailAddress::parse(s).unwrap()
}

/// The tenant's standard account for a server on 127.0.0.1.
pub fn account(addr: SocketAddr, security: Security) -> MailAccount {
    MailAccount::new(
        MailAccountId(1),
        TenantId(1),
        "127.0.0.1",
        security,
        email("post@hv-sonnenschein.de"),
    )
    .with_port(addr.port())
    .with_from_name("Hausverwaltung Sonnenschein GmbH")
    .with_reply_to(email("buero@hv-sonnenschein.de"))
    .standard()
}

pub fn mailer(account: MailAccount, options: SmtpOptions) -> Arc<Mailer> {
    Arc::new(Mailer::smtp(
        MailAccounts::try_from_accounts([account]).unwrap(),
        options,
    ))
}

/// Bytes that survive only a transparent transport: every byte value, CR/LF, lines starting
/// with a dot, a lone "." line.
pub fn tricky_pdf(n: usize) -> Vec<u8> {
    let mut v = b"%PDF-1.7\n.\r\n..hidden\r\n.\r\n\x00\xff".to_vec();
    v.extend((0..n).map(|i| (i % 256) as u8));
    v.extend_from_slice(b"\r\n.\r\n%%EOF");
    v
}

pub fn document(id: u64, title: &str, file_name: &str, bytes: Vec<u8>) -> OutgoingDocument {
    OutgoingDocument {
        id: DocumentId(id),
        title: title.into(),
        file_name: file_name.into(),
        page_count: 1,
        bytes: bytes.into(),
        settings: SendSettings::default(),
    }
}

pub fn delivery(id: u64, documents: Vec<OutgoingDocument>) -> OutgoingDelivery {
    let mut recipient = Contact::new(ContactId(7), TenantId(1), "Jürgen Müller-Lüdenscheidt");
    recipient.email = Some("j.mueller@example.de".into());
    OutgoingDelivery {
        id: DeliveryId(id),
        tenant: TenantId(1),
        route: Route::Email,
        attempt: 1,
        recipient,
        sender: Sender {
            name: "Hausverwaltung Sonnenschein GmbH".into(),
            address: None,
            reply_to: None,
        },
        documents,
    }
}

/// A short timeout for tests that provoke timeouts.
pub fn quick_options(pool: bool) -> SmtpOptions {
    SmtpOptions {
        connect_timeout: std::time::Duration::from_secs(5),
        command_timeout: std::time::Duration::from_secs(5),
        content_timeout: std::time::Duration::from_secs(2),
        pool: pool.then(PoolOptions::default),
        hello_name: Some("client.test".into()),
    }
}

/// An implicit-TLS front ("SMTPS", as on port 465) for a plaintext server: accepts TLS on
/// 127.0.0.1 with the test certificate and forwards the decrypted bytes to `target`.
pub async fn implicit_tls_front(pki: &TestPki, target: SocketAddr) -> SocketAddr {
    use tokio_rustls::rustls::ServerConfig;
    use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    let config = ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(pki.cert_der.clone())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(pki.key_der.clone())),
        )
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let Ok(mut plain) = tokio::net::TcpStream::connect(target).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    addr
}
