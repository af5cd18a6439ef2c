//! Shared test helpers: the same tests run on SQLite and, when `DATABASE_URL` is set, on
//! PostgreSQL (each test in its own schema, dropped at the end).
#![allow(dead_code, unreachable_pub)]

use chrono::Utc;
use outbox_model::*;
use outbox_store::*;

/// A store under test and what to clean up afterwards.
pub struct TestStore {
    pub store: Store,
    pub label: &'static str,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

impl TestStore {
    /// Drops the PostgreSQL schema (SQLite files go with the temp dir).
    pub async fn finish(self) {
        self.store.close().await;
        #[cfg(feature = "postgres")]
        if let Some((url, schema)) = &self.pg {
            let pool = sqlx::PgPool::connect(url)
                .await
                .expect("connect for cleanup");
            sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
                .execute(&pool)
                .await
                .expect("drop schema");
            pool.close().await;
        }
    }
}

pub async fn sqlite() -> TestStore {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("outbox.db").display()
    );
    let store = Store::open(&url).await.expect("open sqlite");
    store.migrate().await.expect("migrate sqlite");
    TestStore {
        store,
        label: "sqlite",
        _dir: Some(dir),
        pg: None,
    }
}

#[cfg(feature = "postgres")]
pub async fn postgres(url: &str, max_connections: u32) -> TestStore {
    let schema = format!("t{:016x}", rand_u64());
    let store = Store::open_with(
        url,
        OpenOptions {
            max_connections: Some(max_connections),
            postgres_schema: Some(schema.clone()),
        },
    )
    .await
    .expect("open postgres");
    store.migrate().await.expect("migrate postgres");
    TestStore {
        store,
        label: "postgres",
        _dir: None,
        pg: Some((url.to_owned(), schema)),
    }
}

pub fn rand_u64() -> u64 {
    getrandom::u64().expect("randomness")
}

/// The PostgreSQL URL, or `None` with the reason printed.
pub fn database_url() -> Option<String> {
    match std::env::var("DATABASE_URL") {
        Ok(u) if !u.is_empty() => {
            if cfg!(feature = "postgres") {
                Some(u)
            } else {
                eprintln!("PostgreSQL part skipped: built without the `postgres` feature");
                None
            }
        }
        _ => {
            eprintln!("PostgreSQL part skipped: DATABASE_URL is not set");
            None
        }
    }
}

/// SQLite always, PostgreSQL when configured.
pub async fn backends() -> Vec<TestStore> {
    backends_with(10).await
}

pub async fn backends_with(pg_connections: u32) -> Vec<TestStore> {
    let mut v = vec![sqlite().await];
    if let Some(url) = database_url() {
        add_postgres(&mut v, &url, pg_connections).await;
    }
    v
}

#[cfg(feature = "postgres")]
async fn add_postgres(v: &mut Vec<TestStore>, url: &str, connections: u32) {
    v.push(postgres(url, connections).await);
}

#[cfg(not(feature = "postgres"))]
async fn add_postgres(_: &mut Vec<TestStore>, _: &str, _: u32) {}

/// A tenant with `contacts` contacts (ids 1..) preferring e-mail.
pub async fn tenant_with_contacts(
    store: &Store,
    name: &str,
    contacts: u64,
) -> (TenantId, Vec<ContactId>) {
    let tenant = store.create_tenant(name).await.unwrap().id;
    let mut ids = Vec::new();
    for i in 1..=contacts {
        let mut c = Contact::new(ContactId(i), tenant, format!("Kontakt {i}"));
        c.email = Some(format!("k{i}@example.org"));
        c.preferred_routes = RouteSet::try_from_routes([Route::Email]).unwrap();
        store.upsert_contact(&c).await.unwrap();
        ids.push(c.id);
    }
    (tenant, ids)
}

pub fn new_document(title: &str, recipients: &[ContactId]) -> NewDocument {
    NewDocument {
        title: title.to_owned(),
        file_name: format!("{title}.pdf"),
        page_count: 3,
        size_bytes: 12_345,
        author: "alice".into(),
        created_at: Utc::now(),
        source_reference: None,
        recipients: recipients.to_vec(),
        settings: SendSettings::default(),
        blob_key: format!("blobs/{title}.pdf"),
    }
}

/// One queued delivery per (document, recipient) on e-mail; returns the ids.
pub async fn queued_deliveries(
    store: &Store,
    tenant: TenantId,
    docs: &[DocumentId],
    recipients: &[ContactId],
) -> Vec<DeliveryId> {
    let planned: Vec<NewDelivery> = docs
        .iter()
        .flat_map(|d| {
            recipients.iter().map(move |r| NewDelivery {
                recipient: *r,
                route: Route::Email,
                documents: vec![*d],
                collector: None,
            })
        })
        .collect();
    let ids = store
        .insert_deliveries(tenant, &planned, "planner")
        .await
        .unwrap();
    store.queue(tenant, &ids, "alice").await.unwrap();
    ids
}
