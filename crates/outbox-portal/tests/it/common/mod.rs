//! A reference portal on 127.0.0.1:0 with two recipients, and a minimal cookie-keeping browser.
#![allow(dead_code, unreachable_pub)]

use std::sync::Arc;
use std::time::Duration;

use outbox_channel::{OutgoingDelivery, OutgoingDocument, Sender};
use outbox_model::{Contact, ContactId, DeliveryId, DocumentId, Route, SendSettings, TenantId};
use outbox_portal::server::{
    Database, PasswordHashCost, PortalServer, PortalServerConfig, RunningPortal,
};
use outbox_portal::{PortalChannel, PortalClient, PortalConfig};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::StatusCode;

pub const TOKEN: &str = "test-token-0123456789abcdef";
pub const ANNA_PW: &str = "anna-secret-1";
pub const BOB_PW: &str = "bob-secret-22";

pub struct Portal {
    pub server: PortalServer,
    pub running: RunningPortal,
}

impl Portal {
    pub async fn start() -> Self {
        Self::start_with(Database::Memory).await
    }

    pub async fn start_with(database: Database) -> Self {
        let mut config = PortalServerConfig::new(database, TOKEN);
        config.password_hash_cost = PasswordHashCost::FAST_FOR_TESTS;
        config.secure_cookies = false;
        config.max_document_bytes = 1024 * 1024;
        let server = PortalServer::open(config).await.unwrap();
        for (login, pw, name) in [
            ("anna", ANNA_PW, "Anna Schäfer"),
            ("bob", BOB_PW, "Bob Becker"),
        ] {
            match server.add_account(login, pw, name).await {
                Ok(()) | Err(outbox_portal::server::ServerError::DuplicateLogin(_)) => {}
                Err(e) => panic!("{e}"),
            }
        }
        let running = server.serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
        Self { server, running }
    }

    pub fn url(&self, path: &str) -> String {
        format!(
            "{}{}",
            self.running.base_url(),
            path.trim_start_matches('/')
        )
    }

    pub fn config(&self) -> PortalConfig {
        let mut c = PortalConfig::new(self.running.base_url(), TOKEN);
        c.request_timeout = Duration::from_secs(20);
        c
    }

    pub fn client(&self) -> PortalClient {
        PortalClient::new(self.config()).unwrap()
    }

    pub fn channel(&self) -> PortalChannel {
        PortalChannel::new(self.config())
            .unwrap()
            .with_max_document_bytes(1024 * 1024)
    }

    pub fn api(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .unwrap()
    }
}

pub fn pdf(text: &str) -> Arc<[u8]> {
    Arc::from(format!("%PDF-1.4\n% {text}\n%%EOF\n").into_bytes())
}

pub fn document(id: u64, title: &str, category: &str) -> OutgoingDocument {
    let mut settings = SendSettings::default();
    settings.portal.category = category.into();
    OutgoingDocument {
        id: DocumentId(id),
        title: title.into(),
        file_name: format!("dokument-{id}.pdf"),
        page_count: 1,
        bytes: pdf(title),
        settings,
    }
}

pub fn delivery(id: u64, account: &str, documents: Vec<OutgoingDocument>) -> OutgoingDelivery {
    let mut recipient = Contact::new(ContactId(1), TenantId(1), account);
    recipient.portal_account = Some(account.into());
    OutgoingDelivery {
        id: DeliveryId(id),
        tenant: TenantId(1),
        route: Route::PortalShare,
        attempt: 1,
        recipient,
        sender: Sender::default(),
        documents,
    }
}

/// A browser that keeps the session cookie and does not follow redirects.
pub struct Browser {
    pub http: reqwest::Client,
    pub base: String,
    pub cookie: Option<String>,
}

pub struct Page {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Vec<u8>,
}

impl Page {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn location(&self) -> Option<&str> {
        self.headers.get("location").and_then(|v| v.to_str().ok())
    }
}

impl Browser {
    pub fn new(portal: &Portal) -> Self {
        Self {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(20))
                .build()
                .unwrap(),
            base: portal.running.base_url(),
            cookie: None,
        }
    }

    async fn finish(&mut self, resp: reqwest::Response) -> Page {
        let status = resp.status();
        let headers = resp.headers().clone();
        if let Some(set) = headers.get("set-cookie").and_then(|v| v.to_str().ok()) {
            let pair = set.split(';').next().unwrap_or_default().trim().to_owned();
            self.cookie = if pair.ends_with('=') {
                None
            } else {
                Some(pair)
            };
        }
        let body = resp.bytes().await.unwrap().to_vec();
        Page {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let mut req = self
            .http
            .get(format!("{}{}", self.base, path.trim_start_matches('/')));
        if let Some(c) = &self.cookie {
            req = req.header("cookie", c);
        }
        let resp = req.send().await.unwrap();
        self.finish(resp).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let body: Vec<String> = form
            .iter()
            .map(|(k, v)| format!("{k}={}", utf8_percent_encode(v, NON_ALPHANUMERIC)))
            .collect();
        let mut req = self
            .http
            .post(format!("{}{}", self.base, path.trim_start_matches('/')))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.join("&"));
        if let Some(c) = &self.cookie {
            req = req.header("cookie", c);
        }
        let resp = req.send().await.unwrap();
        self.finish(resp).await
    }

    pub async fn login(&mut self, login: &str, password: &str) -> Page {
        self.post("/login", &[("login", login), ("password", password)])
            .await
    }

    /// Logs in and panics unless it worked.
    pub async fn logged_in(portal: &Portal, login: &str, password: &str) -> Self {
        let mut b = Self::new(portal);
        let page = b.login(login, password).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
        assert!(b.cookie.is_some());
        b
    }
}
