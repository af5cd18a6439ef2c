//! The reference portal server (cargo feature `server`): protocol v1 for the outbox and a
//! recipients' web page, on axum with SQLite.
//!
//! - `/api/v1/...` — the REST protocol of `PROTOCOL.md`, for the outbox (API token).
//! - `/login`, `/`, `/documents/{delivery}/{document}`, `/logout` — the recipients' pages:
//!   log in (argon2id password hashes), see *only their own* documents grouped by category,
//!   download them. Every download is recorded and served to `GET /api/v1/downloads`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use outbox_portal::server::{Database, PortalServer, PortalServerConfig};
//!
//! let server = PortalServer::open(PortalServerConfig::new(Database::Memory, "api-token")).await?;
//! server.add_account("mueller", "a long password", "Eheleute Müller").await?;
//! let running = server.serve("127.0.0.1:0".parse()?).await?;
//! println!("portal at {}", running.base_url());
//! # Ok(()) }
//! ```

mod api;
mod auth;
mod html;
mod store;
mod throttle;
mod web;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use sqlx::SqlitePool;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Where the portal keeps its data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// In memory; gone when the server is dropped. For tests and demos.
    Memory,
    /// A SQLite file, created when missing.
    File(PathBuf),
}

/// The cost of argon2id password hashing.
///
/// Use [`RECOMMENDED`](Self::RECOMMENDED) (the argon2 crate's defaults, OWASP's minimum:
/// 19 MiB, 2 iterations) in production. [`FAST_FOR_TESTS`](Self::FAST_FOR_TESTS) keeps test
/// suites quick and must never protect real passwords. Each stored hash carries its own cost,
/// so raising the cost later only affects new passwords.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordHashCost {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Iterations.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
}

impl PasswordHashCost {
    /// argon2id with the argon2 crate's defaults (19 MiB, 2 iterations, 1 lane).
    pub const RECOMMENDED: Self = Self {
        memory_kib: argon2::Params::DEFAULT_M_COST,
        iterations: argon2::Params::DEFAULT_T_COST,
        parallelism: argon2::Params::DEFAULT_P_COST,
    };

    /// A cheap cost for tests only (64 KiB, 1 iteration).
    pub const FAST_FOR_TESTS: Self = Self {
        memory_kib: 64,
        iterations: 1,
        parallelism: 1,
    };
}

impl Default for PasswordHashCost {
    fn default() -> Self {
        Self::RECOMMENDED
    }
}

/// Configuration of the reference portal.
#[derive(Clone)]
pub struct PortalServerConfig {
    /// Where the data lives.
    pub database: Database,
    /// The token the outbox sends as `Authorization: Bearer`.
    pub api_token: String,
    /// Password hashing cost (default [`PasswordHashCost::RECOMMENDED`]).
    pub password_hash_cost: PasswordHashCost,
    /// Largest document accepted by an upload (default 50 MiB).
    pub max_document_bytes: usize,
    /// How long a recipient stays logged in (default 8 hours).
    pub session_ttl: Duration,
    /// Mark the session cookie `Secure` (default on; turn off only for plain-HTTP tests/demos on
    /// localhost).
    pub secure_cookies: bool,
    /// The portal's name on its pages.
    pub portal_name: String,
    /// Failed logins in a row after which a login name is locked (default 5; 0 = never lock).
    pub max_failed_logins: u32,
    /// How long a locked login name stays locked (default 5 minutes).
    pub login_lockout: Duration,
}

impl PortalServerConfig {
    /// Defaults with the given database and API token.
    pub fn new(database: Database, api_token: impl Into<String>) -> Self {
        Self {
            database,
            api_token: api_token.into(),
            password_hash_cost: PasswordHashCost::RECOMMENDED,
            max_document_bytes: 50 * 1024 * 1024,
            session_ttl: Duration::from_secs(8 * 3600),
            secure_cookies: true,
            portal_name: "Eigentümerportal".to_owned(),
            max_failed_logins: 5,
            login_lockout: Duration::from_secs(300),
        }
    }
}

impl std::fmt::Debug for PortalServerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PortalServerConfig")
            .field("database", &self.database)
            .field("api_token", &"<redacted>")
            .field("password_hash_cost", &self.password_hash_cost)
            .field("max_document_bytes", &self.max_document_bytes)
            .field("session_ttl", &self.session_ttl)
            .field("secure_cookies", &self.secure_cookies)
            .field("portal_name", &self.portal_name)
            .field("max_failed_logins", &self.max_failed_logins)
            .field("login_lockout", &self.login_lockout)
            .finish()
    }
}

/// What can go wrong running the portal.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// The configuration cannot work; the message says which setting.
    #[error("invalid portal configuration: {0}")]
    InvalidConfig(String),
    /// The SQLite database failed.
    #[error("portal database error: {0}")]
    Database(#[from] sqlx::Error),
    /// Binding or serving failed.
    #[error("portal I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// An account with this login exists already.
    #[error("a portal account with login `{0}` exists already; choose another login")]
    DuplicateLogin(String),
    /// A login, password or name for a new account is not acceptable.
    #[error("invalid account: {0}")]
    InvalidAccount(String),
    /// Hashing a password failed.
    #[error("password hashing failed: {0}")]
    PasswordHash(String),
    /// The operating system's random source failed.
    #[error("{0}")]
    Random(String),
    /// A blocking task was cancelled or panicked.
    #[error("background task failed: {0}")]
    Task(String),
}

pub(crate) struct Inner {
    pub(crate) pool: SqlitePool,
    pub(crate) config: PortalServerConfig,
    /// Verified against when the login is unknown, so unknown and known logins take equally long.
    pub(crate) dummy_hash: String,
    pub(crate) throttle: std::sync::Mutex<throttle::Throttle>,
}

/// The reference portal: a database plus the routes. Cheap to clone.
#[derive(Clone)]
pub struct PortalServer {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for PortalServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PortalServer")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

impl PortalServer {
    /// Opens (and creates) the database and prepares the server.
    pub async fn open(config: PortalServerConfig) -> Result<Self, ServerError> {
        if config.api_token.trim().len() < 16 {
            return Err(ServerError::InvalidConfig(
                "the API token must have at least 16 characters".into(),
            ));
        }
        if config.max_document_bytes == 0 {
            return Err(ServerError::InvalidConfig(
                "max_document_bytes must be at least 1".into(),
            ));
        }
        auth::validate_cost(config.password_hash_cost)?;
        let pool = store::open(&config.database).await?;
        let cost = config.password_hash_cost;
        let dummy_password = auth::new_session_token()?;
        let dummy_hash = blocking(move || auth::hash_password(cost, &dummy_password)).await??;
        let throttle = throttle::Throttle::new(config.max_failed_logins, config.login_lockout);
        Ok(Self {
            inner: Arc::new(Inner {
                pool,
                config,
                dummy_hash,
                throttle: std::sync::Mutex::new(throttle),
            }),
        })
    }

    /// Creates a recipient account. The login is what the outbox stores as the contact's
    /// `portal_account`; the password is hashed with argon2id (never stored in clear).
    pub async fn add_account(
        &self,
        login: &str,
        password: &str,
        display_name: &str,
    ) -> Result<(), ServerError> {
        let login = login.trim();
        if login.is_empty()
            || login.chars().count() > 100
            || login.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(ServerError::InvalidAccount(format!(
                "login `{login}` must be 1 to 100 characters without spaces"
            )));
        }
        if password.chars().count() < 8 {
            return Err(ServerError::InvalidAccount(
                "the password must have at least 8 characters".into(),
            ));
        }
        let name = display_name.trim();
        if name.is_empty() || name.chars().any(char::is_control) {
            return Err(ServerError::InvalidAccount(
                "the display name must not be empty".into(),
            ));
        }
        let cost = self.inner.config.password_hash_cost;
        let password = password.to_owned();
        let hash = blocking(move || auth::hash_password(cost, &password)).await??;
        store::insert_account(&self.inner.pool, login, &hash, name).await
    }

    /// The routes, to serve yourself or merge into a larger application. Mount them at the root
    /// (`Router::merge`, not `nest`): the pages link to absolute paths such as `/login`.
    pub fn router(&self) -> Router {
        Router::new()
            .merge(api::routes(self.inner.clone()))
            .merge(web::routes(self.inner.clone()))
    }

    /// Binds `addr` (use port 0 for any free port) and serves until the returned handle is shut
    /// down or dropped.
    pub async fn serve(&self, addr: SocketAddr) -> Result<RunningPortal, ServerError> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let (tx, rx) = oneshot::channel::<()>();
        let app = self.router();
        let task = tokio::spawn(async move {
            let shutdown = async {
                let _ = rx.await;
            };
            if let Err(e) = axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await
            {
                tracing::error!(error = %e, "portal server stopped");
            }
        });
        Ok(RunningPortal {
            addr,
            shutdown: Some(tx),
            task: Some(task),
        })
    }
}

/// A portal serving in the background. Dropping it stops the server.
#[derive(Debug)]
pub struct RunningPortal {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl RunningPortal {
    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<addr>/`, the base URL for [`PortalConfig`](crate::PortalConfig).
    pub fn base_url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Stops accepting connections and waits for open requests to finish.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningPortal {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl Inner {
    pub(crate) fn throttle(&self) -> std::sync::MutexGuard<'_, throttle::Throttle> {
        // Counters only; a panic elsewhere cannot leave them inconsistent.
        self.throttle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Runs CPU-heavy work (argon2) off the async threads.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ServerError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ServerError::Task(e.to_string()))
}
