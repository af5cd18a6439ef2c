//! The running outbox: the engine plus the routes and servers the builder wired.

use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use outbox_channel::Sender;
use outbox_engine::{DispatchStats, Engine, PollStats};
use outbox_model::TenantId;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::builder::OutboxBuilder;
#[allow(unused_imports)] // used by the route features
use crate::{OutboxError, Result};

/// Servers the outbox started itself (embedded defaults); stopped by [`Outbox::shutdown`].
#[derive(Default)]
pub(crate) struct Running {
    #[cfg(feature = "epost")]
    pub(crate) epost_fake: Option<outbox_epost::fake::FakeEpost>,
    #[cfg(feature = "portal")]
    pub(crate) portal: Option<(
        outbox_portal::server::PortalServer,
        outbox_portal::server::RunningPortal,
    )>,
    #[cfg(feature = "mailshare")]
    pub(crate) shares: Option<outbox_mailshare::RunningServer>,
}

/// The outbox: an [`Engine`] with every route wired. Derefs to the engine, so the actions of the
/// outbox screen are methods of `Outbox` too.
pub struct Outbox {
    engine: Engine,
    data_dir: PathBuf,
    workers: usize,
    poll_interval: Duration,
    running: Mutex<Running>,
    tenants: Arc<Mutex<Vec<TenantId>>>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
    stop: watch::Sender<bool>,
    #[cfg(feature = "email")]
    mailers: Arc<crate::mail::Mailers>,
    #[cfg(feature = "mailshare")]
    share_url: Option<String>,
    #[cfg(feature = "mailshare")]
    shares: Option<Arc<outbox_mailshare::ShareService>>,
    #[cfg(feature = "portal")]
    portal_url: String,
}

impl std::fmt::Debug for Outbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbox")
            .field("engine", &self.engine)
            .field("data_dir", &self.data_dir)
            .finish_non_exhaustive()
    }
}

impl Deref for Outbox {
    type Target = Engine;

    fn deref(&self) -> &Engine {
        &self.engine
    }
}

impl Outbox {
    /// A builder with embedded defaults (see [`OutboxBuilder`]).
    pub fn builder() -> OutboxBuilder {
        OutboxBuilder::default()
    }

    #[cfg_attr(not(any(feature = "portal", feature = "mailshare")), allow(unused_mut))]
    pub(crate) async fn wire(
        engine: Engine,
        cfg: OutboxBuilder,
        mut running: Running,
    ) -> Result<Self> {
        let dir = cfg.data_dir.clone();

        #[cfg(feature = "email")]
        let mailers = {
            use crate::mail::Mailers;
            let mailers = match cfg.smtp {
                Some((accounts, options)) => {
                    Mailers::Shared(Arc::new(outbox_email::Mailer::smtp(accounts, options)))
                }
                None => Mailers::Files {
                    dir: dir.join("mail"),
                    per_tenant: Default::default(),
                },
            };
            if let Mailers::Shared(m) = &mailers {
                engine
                    .channels()
                    .register(Arc::new(outbox_email::EmailChannel::new(m.clone())));
            }
            Arc::new(mailers)
        };

        #[cfg(feature = "mailshare")]
        let (share_url, shares) = {
            let listener = tokio::net::TcpListener::bind(cfg.share_bind)
                .await
                .map_err(|e| OutboxError::route("e-mail share server", e))?;
            let addr = listener
                .local_addr()
                .map_err(|e| OutboxError::route("e-mail share server", e))?;
            let base = cfg
                .share_public_url
                .clone()
                .unwrap_or_else(|| format!("http://{addr}"));
            let service = Arc::new(
                outbox_mailshare::ShareService::open_local(dir.join("shares"), &base)
                    .await
                    .map_err(|e| OutboxError::route("e-mail share", e))?,
            );
            #[cfg(feature = "email")]
            let notifier: Arc<dyn outbox_mailshare::Notifier> =
                Arc::new(crate::mail::MailNotifier(mailers.clone()));
            #[cfg(not(feature = "email"))]
            let notifier: Arc<dyn outbox_mailshare::Notifier> = Arc::new(
                outbox_mailshare::FileNotifier::new(dir.join("shares").join("notifications")),
            );
            engine
                .channels()
                .register(Arc::new(outbox_mailshare::MailShareChannel::new(
                    service.clone(),
                    notifier,
                )));
            let server = outbox_mailshare::DownloadServer::new(service.clone())
                .serve_listener(listener)
                .await
                .map_err(|e| OutboxError::route("e-mail share server", e))?;
            running.shares = Some(server);
            (Some(base), Some(service))
        };

        #[cfg(feature = "portal")]
        let portal_url = {
            let config = match cfg.portal.clone() {
                Some(c) => c,
                None => {
                    use outbox_portal::server::{Database, PortalServer, PortalServerConfig};
                    let token = random_token()?;
                    let mut sc = PortalServerConfig::new(
                        Database::File(dir.join("portal.db")),
                        token.clone(),
                    );
                    // The embedded portal serves plain HTTP on 127.0.0.1; a Secure cookie would
                    // never come back over it.
                    sc.secure_cookies = false;
                    let server = PortalServer::open(sc)
                        .await
                        .map_err(|e| OutboxError::route("portal server", e))?;
                    let up = server
                        .serve(std::net::SocketAddr::from(([127, 0, 0, 1], 0)))
                        .await
                        .map_err(|e| OutboxError::route("portal server", e))?;
                    let base = up.base_url();
                    running.portal = Some((server, up));
                    outbox_portal::PortalConfig::new(base, token)
                }
            };
            let url = config.base_url.clone();
            let channel = outbox_portal::PortalChannel::new(config)
                .map_err(|e| OutboxError::route("portal", e))?;
            engine.channels().register(Arc::new(channel));
            url
        };

        let (stop, _) = watch::channel(false);
        Ok(Self {
            engine,
            data_dir: dir,
            workers: cfg.workers,
            poll_interval: cfg.poll_interval,
            running: Mutex::new(running),
            tenants: Arc::default(),
            tasks: Mutex::default(),
            stop,
            #[cfg(feature = "email")]
            mailers,
            #[cfg(feature = "mailshare")]
            share_url,
            #[cfg(feature = "mailshare")]
            shares,
            #[cfg(feature = "portal")]
            portal_url,
        })
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The data folder of the embedded defaults.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Creates a tenant and opens it (see [`open_tenant`](Self::open_tenant)).
    ///
    /// # Errors
    ///
    /// [`OutboxError::Config`] when the sender's reply-to is not a valid e-mail address (then
    /// no tenant is created), and store errors.
    pub async fn create_tenant(&self, name: &str, sender: Sender) -> Result<TenantId> {
        check_sender(&sender)?;
        let tenant = self.engine.store().create_tenant(name).await?.id;
        self.open_tenant(tenant, sender)?;
        Ok(tenant)
    }

    /// Serves a tenant in this process: sets its sender, gives it a mailer when mails go to
    /// files, and includes it in the poll rounds. The builder opens every stored tenant with its
    /// name as sender; call this again to set the full sender (postal address for the return
    /// line of letters, reply-to).
    ///
    /// # Errors
    ///
    /// [`OutboxError::Config`] when the sender's reply-to is not a valid e-mail address.
    pub fn open_tenant(&self, tenant: TenantId, sender: Sender) -> Result<()> {
        check_sender(&sender)?;
        #[cfg(feature = "email")]
        if let Some(mailer) = self.mailers.open_tenant(tenant, &sender.name) {
            self.engine
                .channels()
                .register_for_tenant(tenant, Arc::new(outbox_email::EmailChannel::new(mailer)));
        }
        self.engine.set_sender(tenant, sender);
        let mut tenants = self.tenants.lock().unwrap_or_else(|e| e.into_inner());
        if !tenants.contains(&tenant) {
            tenants.push(tenant);
        }
        Ok(())
    }

    /// Starts the dispatcher loops and the poller in the background.
    pub fn start(&self) {
        let mut tasks = self.tasks.lock().unwrap_or_else(|e| e.into_inner());
        if !tasks.is_empty() {
            return;
        }
        for _ in 0..self.workers {
            let engine = self.engine.clone();
            let stop = self.stop.subscribe();
            tasks.push(tokio::spawn(async move {
                if let Err(e) = engine.run_dispatcher(stop).await {
                    tracing::error!(error = %e, "dispatcher stopped");
                }
            }));
        }
        let engine = self.engine.clone();
        let tenants = self.tenants.clone();
        let every = self.poll_interval;
        let mut stop = self.stop.subscribe();
        tasks.push(tokio::spawn(async move {
            while !*stop.borrow() {
                let list = tenants.lock().unwrap_or_else(|e| e.into_inner()).clone();
                for t in list {
                    if let Err(e) = engine.poll_once(t).await {
                        tracing::warn!(tenant = %t, error = %e, "poll round failed");
                    }
                }
                tokio::select! {
                    _ = tokio::time::sleep(every) => {}
                    _ = stop.changed() => {}
                }
            }
        }));
    }

    /// Dispatches in the calling task until nothing is left to claim, or `limit` is reached:
    /// for scripts, demos and tests that want to wait for the hand-over.
    pub async fn dispatch_until_idle(&self, limit: Duration) -> Result<DispatchStats> {
        let deadline = tokio::time::Instant::now() + limit;
        let mut dispatched = DispatchStats::default();
        let mut idle_rounds = 0;
        while tokio::time::Instant::now() < deadline && idle_rounds < 2 {
            let s = self.engine.dispatch_once().await?;
            dispatched += s;
            idle_rounds = if s.claimed == 0 { idle_rounds + 1 } else { 0 };
            if s.claimed == 0 {
                // Retries wait out their backoff; look again shortly.
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        Ok(dispatched)
    }

    /// [`dispatch_until_idle`](Self::dispatch_until_idle), then one poll round for every open
    /// tenant (E-POST status at most once per interval, downloads).
    pub async fn run_until_idle(&self, limit: Duration) -> Result<(DispatchStats, PollStats)> {
        let dispatched = self.dispatch_until_idle(limit).await?;
        let mut polled = PollStats::default();
        let tenants = self
            .tenants
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        for t in tenants {
            polled += self.engine.poll_once(t).await?;
        }
        Ok((dispatched, polled))
    }

    /// The base URL of the download server for e-mail shares.
    #[cfg(feature = "mailshare")]
    pub fn share_url(&self) -> Option<&str> {
        self.share_url.as_deref()
    }

    /// The signed download link of an e-mail-share delivery (the one its notification carries),
    /// once it was sent.
    #[cfg(feature = "mailshare")]
    pub async fn share_link(
        &self,
        tenant: TenantId,
        delivery: outbox_model::DeliveryId,
    ) -> Result<Option<String>> {
        let Some(service) = &self.shares else {
            return Ok(None);
        };
        let share = service
            .store()
            .find_by_delivery(tenant, delivery)
            .await
            .map_err(|e| OutboxError::route("e-mail share", e))?;
        Ok(share.map(|s| service.link(&s)))
    }

    /// The portal's base URL (the embedded reference portal unless one was configured).
    #[cfg(feature = "portal")]
    pub fn portal_url(&self) -> &str {
        &self.portal_url
    }

    /// Creates a recipient login at the embedded reference portal (demos, tests). Fails when a
    /// real portal is configured: accounts are then managed there.
    #[cfg(feature = "portal")]
    pub async fn add_portal_account(&self, login: &str, password: &str, name: &str) -> Result<()> {
        let server = {
            let running = self.running.lock().unwrap_or_else(|e| e.into_inner());
            running.portal.as_ref().map(|(s, _)| s.clone())
        };
        let server = server.ok_or_else(|| {
            OutboxError::Config("no embedded portal: accounts live in the configured portal".into())
        })?;
        server
            .add_account(login, password, name)
            .await
            .map_err(|e| OutboxError::route("portal", e))
    }

    /// The embedded fake E-POST server, when no E-POST API is configured.
    #[cfg(feature = "epost")]
    pub fn with_epost_fake<T>(
        &self,
        f: impl FnOnce(&outbox_epost::fake::FakeEpost) -> T,
    ) -> Option<T> {
        let running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        running.epost_fake.as_ref().map(f)
    }

    /// Stops the background loops (in-flight sends finish or their leases expire) and the
    /// embedded servers.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let tasks: Vec<_> = self
            .tasks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .drain(..)
            .collect();
        for t in tasks {
            let _ = t.await;
        }
        let running = std::mem::take(&mut *self.running.lock().unwrap_or_else(|e| e.into_inner()));
        #[cfg(feature = "epost")]
        if let Some(f) = running.epost_fake {
            f.shutdown().await;
        }
        #[cfg(feature = "portal")]
        if let Some((_, up)) = running.portal {
            up.shutdown().await;
        }
        #[cfg(feature = "mailshare")]
        if let Some(s) = running.shares {
            let _ = s.shutdown().await;
        }
        #[cfg(not(any(feature = "epost", feature = "portal", feature = "mailshare")))]
        drop(running);
    }
}

#[cfg(feature = "portal")]
fn random_token() -> Result<String> {
    let mut b = [0u8; 24];
    getrandom::fill(&mut b).map_err(|e| OutboxError::Config(format!("no random source: {e}")))?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

/// Refuses a sender whose reply-to the mail routes could not use.
fn check_sender(sender: &Sender) -> Result<()> {
    match sender.reply_to_address() {
        Some(Err(e)) => Err(OutboxError::Config(format!(
            "the reply-to address of sender {:?} is invalid ({e}); give a valid e-mail address or none",
            sender.name
        ))),
        _ => Ok(()),
    }
}
