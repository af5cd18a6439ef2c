//! Shared test setup: an engine over a real SQLite file and a blob folder, scripted channels,
//! contacts and PDFs made by outbox-pdf.

#![allow(dead_code, unreachable_pub)]

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use outbox_channel::*;
use outbox_engine::{Engine, EngineConfig, RetryPolicy};
use outbox_model::*;
use outbox_store::{LocalBlobStore, Store};

/// What the scripted provider does on the next send.
#[derive(Debug, Clone)]
pub enum Fault {
    /// 5xx-like: nothing stored.
    Transient,
    /// 4xx-like.
    Permanent,
    /// The provider stores the delivery, but the answer is lost.
    AmbiguousStored,
    /// The request was lost before the provider stored it.
    AmbiguousLost,
    /// Rate limited.
    RateLimited(Duration),
    /// Reconcile fails too (provider unreachable after an unknown outcome).
    AmbiguousStoredUnreachable,
}

/// An in-memory provider with a script of faults; idempotent by delivery id like the real ones.
pub struct Scripted {
    pub route: Route,
    pub stored: Mutex<HashMap<DeliveryId, Receipt>>,
    /// Every hand-over the provider accepted (a resend of a stored id would count twice).
    pub accepted: AtomicUsize,
    pub script: Mutex<VecDeque<Fault>>,
    pub reconcile_down: Mutex<usize>,
    pub downloads: Mutex<Vec<DeliveryId>>,
    pub tracking: bool,
    /// E-POST letters stay "in processing" while set.
    pub hold: std::sync::atomic::AtomicBool,
    /// Poll calls received.
    pub polls: AtomicUsize,
    /// When downloads "happened": fixed, so a repeated report is recognisable.
    pub epoch: chrono::DateTime<Utc>,
}

impl Scripted {
    pub fn new(route: Route) -> Arc<Self> {
        Arc::new(Self {
            route,
            stored: Mutex::default(),
            accepted: AtomicUsize::new(0),
            script: Mutex::default(),
            reconcile_down: Mutex::new(0),
            downloads: Mutex::default(),
            tracking: route != Route::Email,
            hold: Default::default(),
            polls: AtomicUsize::new(0),
            epoch: Utc::now(),
        })
    }

    pub fn push(&self, f: Fault) {
        self.script.lock().unwrap().push_back(f);
    }

    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }

    fn store(&self, d: &OutgoingDelivery) -> Receipt {
        self.accepted.fetch_add(1, Ordering::SeqCst);
        let status = if self.route == Route::EpostLetter {
            DeliveryStatus::InProgress
        } else {
            DeliveryStatus::Sent
        };
        let r = Receipt {
            provider_reference: format!("{}-{}", self.route.as_str(), d.id),
            status,
            at: Utc::now(),
            note: None,
        };
        self.stored.lock().unwrap().insert(d.id, r.clone());
        r
    }
}

#[async_trait]
impl Channel for Scripted {
    fn route(&self) -> Route {
        self.route
    }
    fn capabilities(&self) -> Capabilities {
        let mut c = Capabilities::new(self.route);
        c.tracking = self.tracking;
        c.reconcile = true;
        c
    }
    async fn check(&self, d: &OutgoingDelivery) -> Vec<ReadinessProblem> {
        check_recipient(self.route, Some(&d.recipient), &d.settings().epost, true)
    }
    async fn send(&self, d: &OutgoingDelivery) -> Result<Receipt, ChannelError> {
        let fault = self.script.lock().unwrap().pop_front();
        match fault {
            None => Ok(self.store(d)),
            Some(Fault::Transient) => Err(ChannelError::transient("503 Service Unavailable")),
            Some(Fault::Permanent) => {
                Err(ChannelError::permanent("E306", "invalid recipient address"))
            }
            Some(Fault::RateLimited(d)) => Err(ChannelError::rate_limited(d, "429")),
            Some(Fault::AmbiguousStored) => {
                self.store(d);
                Err(ChannelError::ambiguous(
                    "connection dropped after the request was sent",
                ))
            }
            Some(Fault::AmbiguousStoredUnreachable) => {
                self.store(d);
                *self.reconcile_down.lock().unwrap() += 1;
                Err(ChannelError::ambiguous(
                    "connection dropped after the request was sent",
                ))
            }
            Some(Fault::AmbiguousLost) => Err(ChannelError::ambiguous("connection dropped")),
        }
    }
    async fn poll(&self, reqs: &[PollRequest]) -> Result<Vec<StatusUpdate>, ChannelError> {
        self.polls.fetch_add(1, Ordering::SeqCst);
        let hold = self.hold.load(Ordering::SeqCst);
        let downloads = self.downloads.lock().unwrap().clone();
        Ok(reqs
            .iter()
            .filter_map(|r| {
                if self.route == Route::EpostLetter {
                    return Some(StatusUpdate {
                        delivery: r.delivery,
                        status: if hold {
                            DeliveryStatus::InProgress
                        } else {
                            DeliveryStatus::Sent
                        },
                        at: Utc::now(),
                        downloads: vec![],
                        tracking: None,
                        note: None,
                    });
                }
                // Every download so far, each with a fixed time (nanoseconds included): the portal
                // reports the same downloads again on every poll.
                let events: Vec<DownloadEvent> = downloads
                    .iter()
                    .filter(|d| **d == r.delivery)
                    .enumerate()
                    .map(|(i, _)| DownloadEvent {
                        document: None,
                        at: self.epoch + chrono::Duration::seconds(i as i64),
                        by: "owner".into(),
                    })
                    .collect();
                (!events.is_empty()).then(|| StatusUpdate {
                    delivery: r.delivery,
                    status: DeliveryStatus::Downloaded,
                    at: Utc::now(),
                    downloads: events,
                    tracking: None,
                    note: None,
                })
            })
            .collect())
    }
    async fn reconcile(
        &self,
        _: TenantId,
        id: DeliveryId,
    ) -> Result<Option<Receipt>, ChannelError> {
        {
            let mut down = self.reconcile_down.lock().unwrap();
            if *down > 0 {
                *down -= 1;
                return Err(ChannelError::transient("provider unreachable"));
            }
        }
        Ok(self.stored.lock().unwrap().get(&id).cloned())
    }
}

pub struct Setup {
    pub engine: Engine,
    pub tenant: TenantId,
    pub email: Arc<Scripted>,
    pub epost: Arc<Scripted>,
    pub portal: Arc<Scripted>,
    pub _dir: tempfile::TempDir,
}

pub fn fast_config() -> EngineConfig {
    EngineConfig {
        worker_id: "test-worker".into(),
        batch: 64,
        lease: Duration::from_secs(30),
        send_timeout: Duration::from_secs(10),
        retry: RetryPolicy {
            base: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
            max_attempts: 4,
        },
        idle_wait: Duration::from_millis(10),
        epost_poll_interval: Duration::from_secs(5),
        poll_batch: 500,
        language: Language::En,
    }
}

pub async fn setup() -> Setup {
    setup_with(fast_config()).await
}

pub async fn setup_with(config: EngineConfig) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("outbox.db").display()
    );
    let store = Store::open(&url).await.unwrap();
    store.migrate().await.unwrap();
    let blobs = Arc::new(LocalBlobStore::new(dir.path().join("blobs")).await.unwrap());
    let email = Scripted::new(Route::Email);
    let epost = Scripted::new(Route::EpostLetter);
    let portal = Scripted::new(Route::PortalShare);
    let engine = Engine::builder(store, blobs)
        .channel(email.clone())
        .channel(epost.clone())
        .channel(portal.clone())
        .config(config)
        .build();
    let tenant = engine
        .store()
        .create_tenant("HV Sonnenschein")
        .await
        .unwrap()
        .id;
    Setup {
        engine,
        tenant,
        email,
        epost,
        portal,
        _dir: dir,
    }
}

/// Stores a contact with the given routes; address, e-mail and portal account complete.
pub async fn owner(s: &Setup, id: u64, name: &str, routes: &[Route]) -> Contact {
    let mut c = Contact::new(ContactId(id), s.tenant, name);
    c.address = Some(PostalAddress::domestic(
        [name, "Lindenstraße 5"],
        "50667",
        "Köln",
    ));
    c.email = Some(format!("owner{id}@example.de"));
    c.portal_account = Some(format!("owner{id}"));
    c.preferred_routes = RouteSet::try_from_routes(routes.iter().copied()).unwrap();
    s.engine.store().upsert_contact(&c).await.unwrap();
    c
}

/// A real A4 PDF with `pages` pages.
pub fn pdf(title: &str, pages: u32) -> Vec<u8> {
    let cover = outbox_pdf::CoverSheet {
        sender: "HV Sonnenschein · Domplatz 1 · 50667 Köln".into(),
        recipient: vec!["Eigentümer".into(), "Weg 1".into(), "50667 Köln".into()],
        date: "04.12.2026".into(),
        reference: Some(title.into()),
        documents: vec![],
    };
    let page = outbox_pdf::cover_sheet(&cover).unwrap();
    let pages_in: Vec<&[u8]> = (1..pages).map(|_| page.as_slice()).collect();
    if pages == 1 {
        return page;
    }
    outbox_pdf::bundle(Some(&cover), &pages_in).unwrap().pdf
}

pub fn new_doc(
    title: &str,
    pages: u32,
    recipients: &[ContactId],
) -> outbox_engine::NewOutboxDocument {
    outbox_engine::NewOutboxDocument {
        title: title.into(),
        file_name: format!("{}.pdf", title.to_lowercase().replace(' ', "-")),
        author: "alice".into(),
        pdf: pdf(title, pages),
        recipients: recipients.to_vec(),
        settings: SendSettings::default(),
        source_reference: None,
    }
}

/// Dispatches until nothing is claimable, with a bound.
pub async fn drain(engine: &Engine) -> outbox_engine::DispatchStats {
    let mut total = outbox_engine::DispatchStats::default();
    for _ in 0..200 {
        let s = engine.dispatch_once().await.unwrap();
        total += s;
        if s.claimed == 0 {
            // Retries wait out a few milliseconds of backoff.
            tokio::time::sleep(Duration::from_millis(10)).await;
            let s = engine.dispatch_once().await.unwrap();
            total += s;
            if s.claimed == 0 {
                return total;
            }
        }
    }
    panic!("dispatcher did not drain");
}
