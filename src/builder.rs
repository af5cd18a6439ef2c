//! Configuration of an [`Outbox`](crate::Outbox) with embedded defaults.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use outbox_engine::{Engine, EngineConfig};
use outbox_planner::Planner;
use outbox_store::{LocalBlobStore, Store, StoreKey};

use crate::outbox::{Outbox, Running};
use crate::{OutboxError, Result};

/// Builds an [`Outbox`]. Everything has a default that needs no server and no credentials:
///
/// | part | default | configure with |
/// |---|---|---|
/// | database | SQLite file `<data>/outbox.db` | [`database_url`](Self::database_url) (`postgres://…` with feature `postgres`) |
/// | PDFs | folder `<data>/blobs` | — |
/// | secrets key | `<data>/keys/store.key`, created once | [`store_key`](Self::store_key) |
/// | e-mail | `.eml` files in `<data>/mail/tenant-<id>/` | [`smtp`](Self::smtp) |
/// | e-mail shares | files in `<data>/shares`, download server on 127.0.0.1 (random port) | [`share_server`](Self::share_server) |
/// | portal | the reference portal server, `<data>/portal.db`, on 127.0.0.1 | [`portal`](Self::portal) |
/// | E-POST | the fake E-POST server on 127.0.0.1 | [`epost_api`](Self::epost_api) |
#[must_use]
pub struct OutboxBuilder {
    pub(crate) data_dir: PathBuf,
    pub(crate) database_url: Option<String>,
    pub(crate) store_key: Option<StoreKey>,
    pub(crate) engine: EngineConfig,
    pub(crate) planner: Planner,
    pub(crate) workers: usize,
    pub(crate) poll_interval: Duration,
    #[cfg(feature = "email")]
    pub(crate) smtp: Option<(outbox_email::MailAccounts, outbox_email::SmtpOptions)>,
    #[cfg(feature = "portal")]
    pub(crate) portal: Option<outbox_portal::PortalConfig>,
    #[cfg(feature = "mailshare")]
    pub(crate) share_bind: std::net::SocketAddr,
    #[cfg(feature = "mailshare")]
    pub(crate) share_public_url: Option<String>,
    #[cfg(feature = "epost")]
    pub(crate) epost_api: Option<outbox_epost::ClientConfig>,
    #[cfg(feature = "epost")]
    pub(crate) epost_options: outbox_epost::ChannelOptions,
}

impl Default for OutboxBuilder {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("outbox-data"),
            database_url: None,
            store_key: None,
            engine: EngineConfig::default(),
            planner: Planner::default(),
            workers: 2,
            poll_interval: Duration::from_secs(5),
            #[cfg(feature = "email")]
            smtp: None,
            #[cfg(feature = "portal")]
            portal: None,
            #[cfg(feature = "mailshare")]
            share_bind: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
            #[cfg(feature = "mailshare")]
            share_public_url: None,
            #[cfg(feature = "epost")]
            epost_api: None,
            #[cfg(feature = "epost")]
            epost_options: outbox_epost::ChannelOptions::default(),
        }
    }
}

impl OutboxBuilder {
    /// The folder for the embedded defaults (database, PDFs, mails, shares, keys). Default
    /// `outbox-data` in the working directory.
    pub fn data_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.data_dir = dir.into();
        self
    }

    /// The database: `sqlite://path?mode=rwc`, or `postgres://…` (feature `postgres`) for
    /// several workers on several machines.
    pub fn database_url(mut self, url: impl Into<String>) -> Self {
        self.database_url = Some(url.into());
        self
    }

    /// The key that encrypts secrets at rest (E-POST credentials). Supply it from your secret
    /// store in production; by default a key file in the data folder is used.
    pub fn store_key(mut self, key: StoreKey) -> Self {
        self.store_key = Some(key);
        self
    }

    /// Engine settings (worker id, leases, retries, language).
    pub fn engine_config(mut self, config: EngineConfig) -> Self {
        self.engine = config;
        self
    }

    /// The collector planner (price table, registered-mail surcharges).
    pub fn planner(mut self, planner: Planner) -> Self {
        self.planner = planner;
        self
    }

    /// Dispatcher loops started by [`Outbox::start`] (default 2).
    pub fn workers(mut self, workers: usize) -> Self {
        self.workers = workers.max(1);
        self
    }

    /// Pause between two poll rounds (default 5 s).
    pub fn poll_interval(mut self, every: Duration) -> Self {
        self.poll_interval = every;
        self
    }

    /// Sends e-mail over SMTP through these accounts instead of writing `.eml` files.
    #[cfg(feature = "email")]
    pub fn smtp(
        mut self,
        accounts: outbox_email::MailAccounts,
        options: outbox_email::SmtpOptions,
    ) -> Self {
        self.smtp = Some((accounts, options));
        self
    }

    /// Uploads portal shares to this portal instead of the embedded reference portal.
    #[cfg(feature = "portal")]
    pub fn portal(mut self, config: outbox_portal::PortalConfig) -> Self {
        self.portal = Some(config);
        self
    }

    /// Where the download server for e-mail shares listens, and the public URL under which
    /// recipients reach it (e.g. behind a reverse proxy). Default: 127.0.0.1 on a free port.
    #[cfg(feature = "mailshare")]
    pub fn share_server(mut self, bind: std::net::SocketAddr, public_url: Option<String>) -> Self {
        self.share_bind = bind;
        self.share_public_url = public_url;
        self
    }

    /// Talks to this E-POST API (production: `ClientConfig::default()`) instead of the
    /// embedded fake. Tenants then activate their access with
    /// [`Engine::activate_epost`](outbox_engine::Engine::activate_epost).
    #[cfg(feature = "epost")]
    pub fn epost_api(
        mut self,
        client: outbox_epost::ClientConfig,
        options: outbox_epost::ChannelOptions,
    ) -> Self {
        self.epost_api = Some(client);
        self.epost_options = options;
        self
    }

    /// Opens the store (migrating it), starts the embedded servers and wires every route.
    pub async fn build(self) -> Result<Outbox> {
        let dir = self.data_dir.clone();
        std::fs::create_dir_all(&dir).map_err(|source| OutboxError::DataDir {
            path: dir.clone(),
            source,
        })?;
        let url = self
            .database_url
            .clone()
            .unwrap_or_else(|| sqlite_url(&dir.join("outbox.db")));
        let store = Store::open(&url).await?;
        store.migrate().await?;
        let key = match &self.store_key {
            Some(k) => k.clone(),
            None => StoreKey::from_bytes(crate::keys::load_or_create(
                &dir.join("keys").join("store.key"),
            )?),
        };
        let blobs = Arc::new(LocalBlobStore::new(dir.join("blobs")).await?);
        #[cfg_attr(not(feature = "epost"), allow(unused_mut))]
        let mut builder = Engine::builder(store, blobs)
            .config(self.engine.clone())
            .planner(self.planner.clone());
        #[cfg_attr(not(feature = "epost"), allow(unused_mut))]
        let mut running = Running::default();

        #[cfg(feature = "epost")]
        {
            let client = match &self.epost_api {
                Some(c) => c.clone(),
                None => {
                    let fake = outbox_epost::fake::FakeEpost::start()
                        .await
                        .map_err(|e| OutboxError::route("E-POST fake", e))?;
                    let c = outbox_epost::ClientConfig::with_base_url(fake.base_url());
                    running.epost_fake = Some(fake);
                    c
                }
            };
            let access = crate::epost::Access {
                client,
                options: self.epost_options.clone(),
            };
            builder = builder.epost_access(Arc::new(access), key.clone());
        }
        #[cfg(not(feature = "epost"))]
        let _ = &key;

        let engine = builder.build();
        let outbox = Outbox::wire(engine, self, running).await?;
        // Serve the tenants a previous run created; set their senders again with `open_tenant`.
        for tenant in outbox.store().list_tenants().await? {
            let sender = outbox_channel::Sender {
                name: tenant.name.clone(),
                ..Default::default()
            };
            outbox.open_tenant(tenant.id, sender)?;
        }
        Ok(outbox)
    }
}

fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}?mode=rwc", path.display())
}
