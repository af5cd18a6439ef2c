//! Store benchmarks: claim+complete throughput (deliveries per second, 1 vs 8 workers) and the
//! outbox overview query (100,000 documents × 10 recipients vs a 1,000-document baseline), on
//! SQLite and — when `DATABASE_URL` is set — PostgreSQL.
//!
//! `cargo bench --bench store`; `OUTBOX_BENCH_DOCS` scales the large tenant (default 100000).

use std::time::{Duration, Instant};

use chrono::Utc;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use outbox_model::*;
use outbox_store::*;

const RECIPIENTS: u64 = 10;
const CLAIM_ROUND: usize = 2_000;

struct Backend {
    label: &'static str,
    store: Store,
    _dir: Option<tempfile::TempDir>,
    /// The PostgreSQL schema holding this run's data.
    pg: Option<(String, String)>,
}

fn backends(rt: &tokio::runtime::Runtime) -> Vec<Backend> {
    rt.block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("bench.db").display()
        );
        let sqlite = Store::open(&url).await.expect("open sqlite");
        sqlite.migrate().await.expect("migrate");
        let mut v = vec![Backend {
            label: "sqlite",
            store: sqlite,
            _dir: Some(dir),
            pg: None,
        }];
        match std::env::var("DATABASE_URL") {
            Ok(url) if !url.is_empty() => {
                let schema = format!("bench{:x}", getrandom_u64());
                let opts = OpenOptions {
                    max_connections: Some(12),
                    postgres_schema: Some(schema.clone()),
                };
                let pg = Store::open_with(&url, opts).await.expect("open postgres");
                pg.migrate().await.expect("migrate");
                v.push(Backend {
                    label: "postgres",
                    store: pg,
                    _dir: None,
                    pg: Some((url, schema)),
                });
            }
            _ => eprintln!("DATABASE_URL not set: PostgreSQL benchmarks skipped"),
        }
        v
    })
}

fn getrandom_u64() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
        ^ u64::from(std::process::id())
}

async fn tenant_with(
    store: &Store,
    name: &str,
    docs: usize,
) -> (TenantId, Vec<ContactId>, Vec<DocumentId>) {
    let tenant = store.create_tenant(name).await.expect("tenant").id;
    let mut contacts = Vec::new();
    for i in 1..=RECIPIENTS {
        let mut c = Contact::new(ContactId(i), tenant, format!("Eigentümer {i}"));
        c.preferred_routes =
            RouteSet::try_from_routes([Route::Email, Route::EpostLetter]).expect("routes");
        store.upsert_contact(&c).await.expect("contact");
        contacts.push(c.id);
    }
    let start = Utc::now() - chrono::Duration::days(365);
    let mut ids = Vec::with_capacity(docs);
    for chunk_start in (0..docs).step_by(1_000) {
        let batch: Vec<NewDocument> = (chunk_start..(chunk_start + 1_000).min(docs))
            .map(|i| NewDocument {
                title: format!("Dokument {i:06}"),
                file_name: format!("dok-{i}.pdf"),
                page_count: 2,
                size_bytes: 80_000,
                author: "bench".into(),
                created_at: start + chrono::Duration::seconds(i as i64 * 60),
                source_reference: None,
                recipients: contacts.clone(),
                settings: SendSettings::default(),
                blob_key: format!("{tenant}/{i}.pdf"),
            })
            .collect();
        ids.extend(
            store
                .insert_documents(tenant, &batch)
                .await
                .expect("documents")
                .into_iter()
                .map(|d| d.document.id),
        );
    }
    (tenant, contacts, ids)
}

/// One delivery per (document, recipient); every other one queued and some sent, so the
/// progress counts are not all in one column.
async fn plan_all(store: &Store, tenant: TenantId, contacts: &[ContactId], docs: &[DocumentId]) {
    for chunk in docs.chunks(1_000) {
        let planned: Vec<NewDelivery> = chunk
            .iter()
            .flat_map(|d| {
                contacts.iter().map(move |c| NewDelivery {
                    recipient: *c,
                    route: Route::Email,
                    documents: vec![*d],
                    collector: None,
                })
            })
            .collect();
        let ids = store
            .insert_deliveries(tenant, &planned, "bench")
            .await
            .expect("deliveries");
        let queued: Vec<_> = ids.iter().copied().step_by(2).collect();
        store.queue(tenant, &queued, "bench").await.expect("queue");
    }
}

async fn claim_and_complete_all(store: &Store, workers: usize) -> usize {
    let mut tasks = Vec::new();
    for w in 0..workers {
        let s = store.clone();
        tasks.push(tokio::spawn(async move {
            let name = format!("w{w}");
            let mut n = 0;
            loop {
                let batch = s
                    .claim(50, &name, Duration::from_secs(60))
                    .await
                    .expect("claim");
                if batch.is_empty() {
                    return n;
                }
                for c in batch {
                    s.complete(&c.lease, &Outcome::sent(None))
                        .await
                        .expect("complete");
                    n += 1;
                }
            }
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.expect("worker");
    }
    total
}

fn bench_store(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .expect("runtime");
    let big_docs: usize = std::env::var("OUTBOX_BENCH_DOCS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    for b in backends(&rt) {
        let store = &b.store;

        // --- claim + complete throughput ---
        let (tenant, contacts, _) = rt.block_on(tenant_with(store, "claims", 0));
        let mut group = c.benchmark_group(format!("{}/claim_complete", b.label));
        group
            .sample_size(10)
            .throughput(Throughput::Elements(CLAIM_ROUND as u64));
        for workers in [1usize, 8] {
            group.bench_function(format!("{workers}_workers"), |bench| {
                bench.iter_custom(|iters| {
                    rt.block_on(async {
                        let mut spent = Duration::ZERO;
                        for _ in 0..iters {
                            let docs = round_documents(
                                store,
                                tenant,
                                &contacts,
                                CLAIM_ROUND / RECIPIENTS as usize,
                            )
                            .await;
                            let planned: Vec<NewDelivery> = docs
                                .iter()
                                .flat_map(|d| {
                                    contacts.iter().map(move |c| NewDelivery {
                                        recipient: *c,
                                        route: Route::Email,
                                        documents: vec![*d],
                                        collector: None,
                                    })
                                })
                                .collect();
                            let ids = store
                                .insert_deliveries(tenant, &planned, "bench")
                                .await
                                .expect("deliveries");
                            store.queue(tenant, &ids, "bench").await.expect("queue");
                            let t0 = Instant::now();
                            let n = claim_and_complete_all(store, workers).await;
                            spent += t0.elapsed();
                            assert_eq!(n, CLAIM_ROUND);
                        }
                        spent
                    })
                });
            });
        }
        group.finish();

        // --- overview query ---
        let t0 = Instant::now();
        let (small, small_contacts, small_docs) = rt.block_on(tenant_with(store, "small", 1_000));
        rt.block_on(plan_all(store, small, &small_contacts, &small_docs));
        let (big, big_contacts, big_docs_ids) = rt.block_on(tenant_with(store, "big", big_docs));
        rt.block_on(plan_all(store, big, &big_contacts, &big_docs_ids));
        eprintln!(
            "{}: seeded {} + 1000 documents × {RECIPIENTS} recipients in {:.1?}",
            b.label,
            big_docs,
            t0.elapsed()
        );
        let mut group = c.benchmark_group(format!("{}/overview_page_50", b.label));
        group.sample_size(20);
        for (name, tenant) in [
            ("1k_docs".to_owned(), small),
            (format!("{}k_docs", big_docs / 1000), big),
        ] {
            for (sort_name, sort, page) in [
                ("newest_first", OverviewSort::NewestFirst, Page::first(50)),
                (
                    "title_page_10",
                    OverviewSort::TitleAscending,
                    Page::number(10, 50),
                ),
            ] {
                group.bench_function(format!("{name}/{sort_name}"), |bench| {
                    bench.iter(|| {
                        rt.block_on(store.list_documents(tenant, sort, page))
                            .expect("overview")
                    });
                });
            }
        }
        group.bench_function("detail_10_recipients", |bench| {
            bench.iter(|| {
                rt.block_on(store.document_detail(big, big_docs_ids[big_docs_ids.len() / 2]))
                    .expect("detail")
            });
        });
        group.finish();

        rt.block_on(store.close());
        if let Some((_, schema)) = &b.pg {
            eprintln!("postgres: benchmark data left in schema {schema} (drop it or the database)");
        }
    }
}

async fn round_documents(
    store: &Store,
    tenant: TenantId,
    contacts: &[ContactId],
    n: usize,
) -> Vec<DocumentId> {
    let batch: Vec<NewDocument> = (0..n)
        .map(|i| NewDocument {
            title: format!("Runde {i}"),
            file_name: "r.pdf".into(),
            page_count: 1,
            size_bytes: 1_000,
            author: "bench".into(),
            created_at: Utc::now(),
            source_reference: None,
            recipients: contacts.to_vec(),
            settings: SendSettings::default(),
            blob_key: "r.pdf".into(),
        })
        .collect();
    let docs = store
        .insert_documents(tenant, &batch)
        .await
        .expect("documents");
    docs.into_iter().map(|d| d.document.id).collect()
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(8)).warm_up_time(Duration::from_secs(1));
    targets = bench_store
}
criterion_main!(benches);
