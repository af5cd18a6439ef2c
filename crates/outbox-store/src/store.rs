//! The [`Store`] handle: opening, migrating, and every operation of the outbox.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use outbox_model::{
    Collector, CollectorId, Contact, ContactId, Delivery, DeliveryId, DeliveryStatus, DocumentId,
    DownloadRecord, EditLock, Route, SendSettings, StatusChange, Tenant, TenantId,
};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::types::*;
use crate::{Clock, Result, SecretBytes, StoreError, StoreKey, SystemClock};

/// Which database a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BackendKind {
    /// Embedded SQLite (a file in WAL mode, or in memory).
    Sqlite,
    /// PostgreSQL, for several workers on several machines.
    Postgres,
}

/// Options for [`Store::open_with`].
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// Pool size; default 4 for an SQLite file (1 in memory), 10 for PostgreSQL.
    pub max_connections: Option<u32>,
    /// PostgreSQL only: keep all tables in this schema (created if missing), e.g. to run several
    /// outboxes or test runs in one database. Letters, digits and `_`, starting with a letter.
    pub postgres_schema: Option<String>,
}

#[derive(Clone)]
enum Backend {
    Sqlite(sqlx::SqlitePool),
    #[cfg(feature = "postgres")]
    Postgres(sqlx::PgPool),
}

/// The outbox store: one handle over SQLite or PostgreSQL with the same operations.
///
/// Cheap to clone (a connection pool inside). Every operation that reads or writes tenant data
/// takes the tenant and never touches another tenant's rows.
#[derive(Clone)]
pub struct Store {
    backend: Backend,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend_kind())
            .field("clock", &self.clock)
            .finish()
    }
}

/// Runs the same operation on whichever backend the store has.
macro_rules! run {
    ($self:ident, $f:ident($($arg:expr),* $(,)?)) => {
        match &$self.backend {
            Backend::Sqlite(pool) => crate::backend::sqlite::$f(pool, $($arg),*).await,
            #[cfg(feature = "postgres")]
            Backend::Postgres(pool) => crate::backend::postgres::$f(pool, $($arg),*).await,
        }
    };
}

fn migration(version: i64, description: &'static str, sql: &'static str) -> Migration {
    Migration::new(
        version,
        description.into(),
        MigrationType::Simple,
        sqlx::SqlSafeStr::into_sql_str(sql),
        false,
    )
}

impl Store {
    /// Opens a store: `sqlite://path/to/outbox.db?mode=rwc`, `sqlite::memory:`, or
    /// `postgres://user@host/db` (with the `postgres` feature). Call [`migrate`](Self::migrate)
    /// before use.
    pub async fn open(url: &str) -> Result<Self> {
        Self::open_with(url, OpenOptions::default()).await
    }

    /// Opens a store with options.
    pub async fn open_with(url: &str, options: OpenOptions) -> Result<Self> {
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite(open_sqlite(url, &options).await?)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            open_postgres(url, &options).await?
        } else {
            return Err(StoreError::UnsupportedUrl(url.to_owned()));
        };
        Ok(Self {
            backend,
            clock: Arc::new(SystemClock),
        })
    }

    /// The same store reading the time from `clock` (for tests of leases and expiry).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Which database this is.
    pub fn backend_kind(&self) -> BackendKind {
        match &self.backend {
            Backend::Sqlite(_) => BackendKind::Sqlite,
            #[cfg(feature = "postgres")]
            Backend::Postgres(_) => BackendKind::Postgres,
        }
    }

    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Creates or upgrades the schema with the embedded migrations. Safe to call on every start
    /// and from several processes at once (already applied migrations are skipped; PostgreSQL
    /// serialises concurrent runs with an advisory lock).
    pub async fn migrate(&self) -> Result<()> {
        match &self.backend {
            Backend::Sqlite(pool) => {
                let m = Migrator::with_migrations(vec![
                    migration(
                        1,
                        "init",
                        include_str!("../migrations/sqlite/0001_init.sql"),
                    ),
                    migration(
                        2,
                        "overview count index",
                        include_str!("../migrations/sqlite/0002_overview_count_index.sql"),
                    ),
                ]);
                m.run(pool).await?;
            }
            #[cfg(feature = "postgres")]
            Backend::Postgres(pool) => {
                let m = Migrator::with_migrations(vec![
                    migration(
                        1,
                        "init",
                        include_str!("../migrations/postgres/0001_init.sql"),
                    ),
                    migration(
                        2,
                        "overview count index",
                        include_str!("../migrations/postgres/0002_overview_count_index.sql"),
                    ),
                ]);
                m.run(pool).await?;
            }
        }
        Ok(())
    }

    /// Closes the pool, waiting for connections to return.
    pub async fn close(&self) {
        match &self.backend {
            Backend::Sqlite(pool) => pool.close().await,
            #[cfg(feature = "postgres")]
            Backend::Postgres(pool) => pool.close().await,
        }
    }

    // ----- tenants and contacts -----

    /// Every tenant, by id: for a process that serves all tenants (the administration's own
    /// operations, not a tenant's request, so it is the one cross-tenant read).
    pub async fn list_tenants(&self) -> Result<Vec<Tenant>> {
        run!(self, list_tenants())
    }

    /// Creates a tenant; the store assigns its id.
    pub async fn create_tenant(&self, name: &str) -> Result<Tenant> {
        run!(self, create_tenant(self.now(), name))
    }

    /// A tenant by id.
    pub async fn get_tenant(&self, id: TenantId) -> Result<Tenant> {
        run!(self, get_tenant(id))
    }

    /// Inserts or replaces a contact (keyed by its tenant and id, both taken from `contact`).
    pub async fn upsert_contact(&self, contact: &Contact) -> Result<()> {
        run!(self, upsert_contact(self.now(), contact))
    }

    /// A contact of the tenant.
    pub async fn get_contact(&self, tenant: TenantId, id: ContactId) -> Result<Contact> {
        run!(self, get_contact(tenant, id))
    }

    /// Contacts of the tenant by id, with their preferred routes.
    pub async fn list_contacts(&self, tenant: TenantId, page: Page) -> Result<Vec<Contact>> {
        run!(self, list_contacts(tenant, page))
    }

    // ----- documents -----

    /// Puts a document into the outbox; its recipients must be contacts of the tenant.
    pub async fn insert_document(
        &self,
        tenant: TenantId,
        document: &NewDocument,
    ) -> Result<StoredDocument> {
        let mut v = self
            .insert_documents(tenant, std::slice::from_ref(document))
            .await?;
        v.pop()
            .ok_or_else(|| StoreError::Corrupt("insert returned no document".into()))
    }

    /// Puts several documents into the outbox in one transaction.
    pub async fn insert_documents(
        &self,
        tenant: TenantId,
        documents: &[NewDocument],
    ) -> Result<Vec<StoredDocument>> {
        run!(self, insert_documents(tenant, documents))
    }

    /// A (not deleted) document with its recipients and blob key.
    pub async fn get_document(&self, tenant: TenantId, id: DocumentId) -> Result<StoredDocument> {
        run!(self, get_document(tenant, id))
    }

    /// The tenant's (not deleted) documents by id. For the outbox screen use
    /// [`list_documents`](Self::list_documents).
    pub async fn document_records(
        &self,
        tenant: TenantId,
        page: Page,
    ) -> Result<Vec<StoredDocument>> {
        run!(self, document_records(tenant, page))
    }

    /// Deletes a document softly: it leaves the lists, its unsent deliveries (prepared, queued,
    /// retryable failed) are cancelled with history, its edit lock is dropped; history and
    /// deliveries already sent stay. Returns how many deliveries were cancelled. The blob is
    /// not touched (delete it from the [`BlobStore`](crate::BlobStore) when no longer needed).
    pub async fn delete_document(&self, tenant: TenantId, id: DocumentId, by: &str) -> Result<u64> {
        run!(self, delete_document(self.now(), tenant, id, by))
    }

    /// Replaces a document's send settings (validate them first with `SendSettings::validate`).
    pub async fn update_settings(
        &self,
        tenant: TenantId,
        id: DocumentId,
        settings: &SendSettings,
    ) -> Result<()> {
        run!(self, update_settings(tenant, id, settings))
    }

    /// Adds a route for one recipient of a document, or for all (`None`).
    pub async fn add_route(
        &self,
        tenant: TenantId,
        document: DocumentId,
        recipient: Option<ContactId>,
        route: Route,
    ) -> Result<()> {
        run!(
            self,
            set_route_override(tenant, document, recipient, route, true)
        )
    }

    /// Removes a route for one recipient of a document, or for all (`None`).
    pub async fn remove_route(
        &self,
        tenant: TenantId,
        document: DocumentId,
        recipient: Option<ContactId>,
        route: Route,
    ) -> Result<()> {
        run!(
            self,
            set_route_override(tenant, document, recipient, route, false)
        )
    }

    /// The effective routes of each recipient of a document, in recipient order.
    pub async fn routes_for_document(
        &self,
        tenant: TenantId,
        document: DocumentId,
    ) -> Result<Vec<RecipientRoutes>> {
        run!(self, routes_for_document(tenant, document))
    }

    // ----- collectors -----

    /// Creates a collector of documents (each may belong to one active collector only).
    pub async fn create_collector(
        &self,
        tenant: TenantId,
        name: &str,
        documents: &[DocumentId],
        by: &str,
    ) -> Result<Collector> {
        run!(
            self,
            create_collector(self.now(), tenant, name, documents, by)
        )
    }

    /// An active collector.
    pub async fn get_collector(&self, tenant: TenantId, id: CollectorId) -> Result<Collector> {
        run!(self, get_collector(tenant, id))
    }

    /// The tenant's active collectors.
    pub async fn list_collectors(&self, tenant: TenantId) -> Result<Vec<Collector>> {
        run!(self, list_collectors(tenant))
    }

    /// Dissolves a collector: its documents stand alone again and its unsent deliveries are
    /// cancelled (to be planned anew). Returns how many were cancelled.
    pub async fn dissolve_collector(
        &self,
        tenant: TenantId,
        id: CollectorId,
        by: &str,
    ) -> Result<u64> {
        run!(self, dissolve_collector(self.now(), tenant, id, by))
    }

    // ----- deliveries -----

    /// Inserts planned deliveries in status `Prepared` (with their first history row), in one
    /// transaction. Returns their ids in input order.
    pub async fn insert_deliveries(
        &self,
        tenant: TenantId,
        planned: &[NewDelivery],
        by: &str,
    ) -> Result<Vec<DeliveryId>> {
        run!(self, insert_deliveries(self.now(), tenant, planned, by))
    }

    /// A delivery without its history.
    pub async fn delivery_row(&self, tenant: TenantId, id: DeliveryId) -> Result<DeliveryRow> {
        run!(self, delivery_row(tenant, id))
    }

    /// A delivery with its full history.
    pub async fn get_delivery(&self, tenant: TenantId, id: DeliveryId) -> Result<Delivery> {
        let row = self.delivery_row(tenant, id).await?;
        let history = self.history(tenant, id).await?;
        Ok(row.into_delivery(history))
    }

    /// The audit log of a delivery, oldest first.
    pub async fn history(&self, tenant: TenantId, id: DeliveryId) -> Result<Vec<StatusChange>> {
        run!(self, history(tenant, id))
    }

    /// Changes a delivery's status if the model's state machine allows it, with its history row,
    /// in one transaction. Refused for a delivery a worker holds ([`StoreError::Leased`]) and
    /// for `InProgress` (only [`claim`](Self::claim) starts work).
    pub async fn transition(
        &self,
        tenant: TenantId,
        id: DeliveryId,
        to: &DeliveryStatus,
        by: &str,
    ) -> Result<StatusChange> {
        run!(self, transition(self.now(), tenant, id, to, by))
    }

    /// Releases deliveries for sending (`Prepared` or retryable `Failed` → `Queued`). All or
    /// nothing: one illegal transition refuses the whole set.
    pub async fn queue(&self, tenant: TenantId, ids: &[DeliveryId], by: &str) -> Result<()> {
        run!(self, queue(self.now(), tenant, ids, by))
    }

    /// Claims up to `batch` deliveries for `worker` for `lease`: first in-progress deliveries
    /// whose lease expired (flagged `reconcile`), then queued ones whose `not_before` has
    /// passed, skipping deliveries with a document under an active edit lock. Queued ones move
    /// to `InProgress`; each claim gets a new fencing token and attempt number.
    pub async fn claim(
        &self,
        batch: u32,
        worker: &str,
        lease: Duration,
    ) -> Result<Vec<ClaimedDelivery>> {
        run!(self, claim(self.now(), batch, worker, lease))
    }

    /// Records the result of an attempt (`Sent` or `Failed`) and ends the lease, with its history
    /// row, in one transaction. [`StoreError::LeaseLost`] when another worker took over.
    pub async fn complete(&self, lease: &Lease, outcome: &Outcome) -> Result<()> {
        run!(self, complete(self.now(), lease, outcome))
    }

    /// A transient failure: records `Failed { reason, retryable: true }` and queues the delivery
    /// again, not to be claimed before `not_before` (backoff); ends the lease.
    pub async fn retry(
        &self,
        lease: &Lease,
        reason: &str,
        not_before: DateTime<Utc>,
    ) -> Result<()> {
        run!(self, retry(self.now(), lease, reason, not_before))
    }

    /// Extends a lease to now + `extend`; returns the renewed lease.
    pub async fn renew(&self, lease: &Lease, extend: Duration) -> Result<Lease> {
        run!(self, renew(self.now(), lease, extend))
    }

    /// Records the provider's reference while still holding the lease (before the result is
    /// known), so a crash after the hand-over can be reconciled.
    pub async fn record_provider_reference(&self, lease: &Lease, reference: &str) -> Result<()> {
        run!(self, record_provider_reference(lease, reference))
    }

    /// The provider accepted the delivery and processes it on its own (E-POST letters): keeps
    /// it `InProgress` with the reference, ends the lease; the status poller takes over
    /// ([`open_deliveries`](Self::open_deliveries), then [`transition`](Self::transition)).
    pub async fn await_provider(&self, lease: &Lease, reference: &str) -> Result<()> {
        run!(self, await_provider(lease, reference))
    }

    /// In-progress deliveries whose lease has expired (all tenants), oldest expiry first.
    pub async fn expired_leases(&self, limit: u32) -> Result<Vec<DeliveryRow>> {
        run!(self, expired_leases(self.now(), limit))
    }

    /// The delivery with this provider reference, if any.
    pub async fn find_by_provider_reference(
        &self,
        tenant: TenantId,
        reference: &str,
    ) -> Result<Option<DeliveryRow>> {
        run!(self, find_by_provider_reference(tenant, reference))
    }

    /// Deliveries of a route that became `Downloaded` at or after `since`: a recipient may
    /// download again, and every download is kept as proof, so pollers keep asking about them
    /// for a while.
    pub async fn downloaded_since(
        &self,
        tenant: TenantId,
        route: Route,
        since: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<DeliveryRow>> {
        run!(self, downloaded_since(tenant, route, since, limit))
    }

    /// Deliveries of a route that await news from the provider: `InProgress` with a provider
    /// reference and no lease, or `Sent` (awaiting download or confirmation).
    pub async fn open_deliveries(
        &self,
        tenant: TenantId,
        route: Route,
        limit: u32,
    ) -> Result<Vec<DeliveryRow>> {
        run!(self, open_deliveries(tenant, route, limit))
    }

    // ----- edit locks -----

    /// Takes (or renews, for the same owner) the edit lock of a document for `ttl`;
    /// [`StoreError::LockHeld`] while another owner holds an unexpired lock.
    pub async fn acquire_lock(
        &self,
        tenant: TenantId,
        document: DocumentId,
        owner: &str,
        ttl: Duration,
    ) -> Result<EditLock> {
        run!(self, acquire_lock(self.now(), tenant, document, owner, ttl))
    }

    /// Extends the owner's unexpired lock.
    pub async fn renew_lock(
        &self,
        tenant: TenantId,
        document: DocumentId,
        owner: &str,
        ttl: Duration,
    ) -> Result<EditLock> {
        run!(self, renew_lock(self.now(), tenant, document, owner, ttl))
    }

    /// Releases the owner's lock; `false` when the owner held none.
    pub async fn release_lock(
        &self,
        tenant: TenantId,
        document: DocumentId,
        owner: &str,
    ) -> Result<bool> {
        run!(self, release_lock(tenant, document, owner))
    }

    /// The active edit lock of a document, if any.
    pub async fn get_lock(
        &self,
        tenant: TenantId,
        document: DocumentId,
    ) -> Result<Option<EditLock>> {
        run!(self, get_lock(self.now(), tenant, document))
    }

    // ----- E-POST accounts -----

    /// Stores the tenant's E-POST credentials (opaque bytes), encrypted with `key`.
    pub async fn save_epost_credentials(
        &self,
        tenant: TenantId,
        key: &StoreKey,
        credentials: &SecretBytes,
    ) -> Result<()> {
        run!(
            self,
            save_epost_credentials(self.now(), tenant, key, credentials)
        )
    }

    /// Loads and decrypts the tenant's E-POST credentials; [`StoreError::Crypto`] for a wrong
    /// key.
    pub async fn load_epost_credentials(
        &self,
        tenant: TenantId,
        key: &StoreKey,
    ) -> Result<Option<SecretBytes>> {
        run!(self, load_epost_credentials(tenant, key))
    }

    /// Deletes the tenant's E-POST credentials; `false` when there were none.
    pub async fn delete_epost_credentials(&self, tenant: TenantId) -> Result<bool> {
        run!(self, delete_epost_credentials(tenant))
    }

    /// Takes the poll slot of an account if its last poll (by any worker) is at least
    /// `min_interval` ago; atomic across workers and machines.
    pub async fn try_acquire_poll_slot(
        &self,
        tenant: TenantId,
        account: &str,
        min_interval: Duration,
    ) -> Result<bool> {
        run!(
            self,
            try_acquire_poll_slot(self.now(), tenant, account, min_interval)
        )
    }

    // ----- shares and downloads -----

    /// Records a share of a delivery.
    pub async fn create_share(&self, tenant: TenantId, share: &NewShare) -> Result<Share> {
        run!(self, create_share(self.now(), tenant, share))
    }

    /// A share of the tenant.
    pub async fn get_share(&self, tenant: TenantId, id: &str) -> Result<Share> {
        run!(self, get_share(tenant, id))
    }

    /// The share whose token hashes to `token_hash` (for the download endpoint, which knows
    /// no tenant); check [`Share::is_usable`].
    pub async fn find_share_by_token_hash(&self, token_hash: &[u8]) -> Result<Option<Share>> {
        run!(self, find_share_by_token_hash(token_hash))
    }

    /// Revokes a share (idempotent).
    pub async fn revoke_share(&self, tenant: TenantId, id: &str) -> Result<()> {
        run!(self, revoke_share(self.now(), tenant, id))
    }

    /// Records a download as proof; the first download of a `Sent` delivery moves it to
    /// `Downloaded` (with history) in the same transaction.
    pub async fn record_download(
        &self,
        tenant: TenantId,
        record: &DownloadRecord,
    ) -> Result<DownloadRecorded> {
        run!(self, record_download(tenant, record))
    }

    /// Downloads of a delivery, oldest first.
    pub async fn list_downloads(
        &self,
        tenant: TenantId,
        delivery: DeliveryId,
    ) -> Result<Vec<DownloadRecord>> {
        run!(self, list_downloads(tenant, delivery))
    }

    // ----- the outbox screen -----

    /// One page of the outbox: documents outside collectors and collectors (one row each) with
    /// title, recipients, routes, progress, author and time.
    pub async fn list_documents(
        &self,
        tenant: TenantId,
        sort: OverviewSort,
        page: Page,
    ) -> Result<OverviewPage> {
        run!(self, list_documents(tenant, sort, page))
    }

    /// The deliveries of one document: one row per (recipient, route) delivery.
    pub async fn document_detail(
        &self,
        tenant: TenantId,
        document: DocumentId,
    ) -> Result<Vec<DetailRow>> {
        run!(self, document_detail(tenant, document))
    }

    // ----- blobs in the database (used by DatabaseBlobStore) -----

    pub(crate) async fn blob_put(&self, key: &str, bytes: &[u8]) -> Result<()> {
        run!(self, blob_put(key, bytes))
    }

    pub(crate) async fn blob_get(&self, key: &str) -> Result<Option<Vec<u8>>> {
        run!(self, blob_get(key))
    }

    pub(crate) async fn blob_delete(&self, key: &str) -> Result<bool> {
        run!(self, blob_delete(key))
    }
}

async fn open_sqlite(url: &str, options: &OpenOptions) -> Result<sqlx::SqlitePool> {
    let in_memory = url.contains(":memory:") || url.contains("mode=memory");
    let connect = SqliteConnectOptions::from_str(url)?
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(30));
    let connect = if in_memory {
        connect
    } else {
        // WAL lets readers run beside the one writer; NORMAL sync is durable across process
        // crashes (an OS crash may lose the last commits, never corrupt the file).
        connect
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
    };
    let pool = if in_memory {
        // One connection keeps the in-memory database alive and avoids shared-cache table locks.
        SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
    } else {
        SqlitePoolOptions::new().max_connections(options.max_connections.unwrap_or(4))
    };
    Ok(pool.connect_with(connect).await?)
}

#[cfg(feature = "postgres")]
async fn open_postgres(url: &str, options: &OpenOptions) -> Result<Backend> {
    use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
    let mut connect = PgConnectOptions::from_str(url)?;
    if let Some(schema) = &options.postgres_schema {
        let valid = schema.len() <= 63
            && schema.starts_with(|c: char| c.is_ascii_lowercase())
            && schema
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid {
            return Err(StoreError::InvalidInput(format!(
                "schema name `{schema}`: use lower-case letters, digits and _, starting with a letter"
            )));
        }
        let setup = PgPoolOptions::new()
            .max_connections(1)
            .connect_with(connect.clone())
            .await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "CREATE SCHEMA IF NOT EXISTS {schema}"
        )))
        .execute(&setup)
        .await?;
        setup.close().await;
        connect = connect.options([("search_path", schema.as_str())]);
    }
    let pool = PgPoolOptions::new()
        .max_connections(options.max_connections.unwrap_or(10))
        .connect_with(connect)
        .await?;
    Ok(Backend::Postgres(pool))
}

#[cfg(not(feature = "postgres"))]
async fn open_postgres(url: &str, _options: &OpenOptions) -> Result<Backend> {
    Err(StoreError::UnsupportedUrl(url.to_owned()))
}
