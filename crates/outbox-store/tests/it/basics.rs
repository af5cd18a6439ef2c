//! Records, overview and audit log on every backend.

use crate::common;

use std::time::Duration;

use chrono::Utc;
use outbox_model::*;
use outbox_store::*;

#[tokio::test]
async fn migrations_run_on_an_empty_database_and_are_idempotent() {
    for t in common::backends().await {
        // `backends()` migrated once already; again, twice, must be a no-op.
        t.store.migrate().await.unwrap();
        t.store.migrate().await.unwrap();
        let tenant = t.store.create_tenant("x").await.unwrap();
        assert_eq!(
            t.store.get_tenant(tenant.id).await.unwrap(),
            tenant,
            "{}",
            t.label
        );
        t.finish().await;
    }
}

#[tokio::test]
async fn in_memory_sqlite_works_and_unknown_urls_are_refused() {
    let s = Store::open("sqlite::memory:").await.unwrap();
    s.migrate().await.unwrap();
    assert_eq!(s.backend_kind(), BackendKind::Sqlite);
    assert!(s.create_tenant("t").await.is_ok());
    assert!(matches!(
        Store::open("mysql://x").await,
        Err(StoreError::UnsupportedUrl(_))
    ));
}

#[tokio::test]
async fn contacts_round_trip_with_routes_and_address() {
    for t in common::backends().await {
        let s = &t.store;
        let tenant = s.create_tenant("T").await.unwrap().id;
        let mut c = Contact::new(ContactId(42), tenant, "Eheleute Müller");
        c.address = Some(PostalAddress::domestic(
            ["Eheleute Müller", "Lindenstraße 5"],
            "50667",
            "Köln",
        ));
        c.email = Some("m@example.org".into());
        c.portal_account = Some("mueller".into());
        c.preferred_routes =
            RouteSet::try_from_routes([Route::PortalShare, Route::EpostLetter]).unwrap();
        s.upsert_contact(&c).await.unwrap();
        assert_eq!(s.get_contact(tenant, c.id).await.unwrap(), c);
        c.name = "Familie Müller".into();
        c.preferred_routes = RouteSet::try_from_routes([Route::Email]).unwrap();
        s.upsert_contact(&c).await.unwrap();
        assert_eq!(s.get_contact(tenant, c.id).await.unwrap(), c);
        assert_eq!(
            s.list_contacts(tenant, Page::first(10)).await.unwrap(),
            vec![c.clone()]
        );
        assert!(matches!(
            s.list_contacts(tenant, Page::first(0)).await,
            Err(StoreError::InvalidInput(_))
        ));
        let missing = Contact::new(ContactId(1), TenantId(999_999), "x");
        assert!(
            matches!(
                s.upsert_contact(&missing).await,
                Err(StoreError::NotFound { .. })
            ),
            "{}",
            t.label
        );
        t.finish().await;
    }
}

#[tokio::test]
async fn documents_insert_get_list_settings_and_soft_delete() {
    for t in common::backends().await {
        let s = &t.store;
        let (tenant, contacts) = common::tenant_with_contacts(s, "T", 3).await;
        let stored = s
            .insert_document(tenant, &common::new_document("Einladung", &contacts))
            .await
            .unwrap();
        let got = s.get_document(tenant, stored.document.id).await.unwrap();
        assert_eq!(got.document.recipients, contacts);
        assert_eq!(got.blob_key, "blobs/Einladung.pdf");
        assert_eq!(
            got.document.created_at,
            stored.document.created_at.with_nanosecond_micros()
        );

        let mut settings = SendSettings::default();
        settings.epost.color = true;
        settings.email_share.validity_days = 3;
        s.update_settings(tenant, stored.document.id, &settings)
            .await
            .unwrap();
        assert_eq!(
            s.get_document(tenant, stored.document.id)
                .await
                .unwrap()
                .document
                .settings,
            settings
        );

        // A recipient outside the address book is refused, the whole insert rolls back.
        let bad = common::new_document("Bad", &[ContactId(77)]);
        assert!(
            matches!(
                s.insert_document(tenant, &bad).await,
                Err(StoreError::UnknownReference(_))
            ),
            "{}",
            t.label
        );
        assert_eq!(
            s.document_records(tenant, Page::first(10))
                .await
                .unwrap()
                .len(),
            1
        );
        let dup = common::new_document("Dup", &[contacts[0], contacts[0]]);
        assert!(matches!(
            s.insert_document(tenant, &dup).await,
            Err(StoreError::InvalidInput(_))
        ));

        // Soft delete: unsent deliveries are cancelled, sent ones and history stay.
        let ids = s
            .insert_deliveries(
                tenant,
                &contacts
                    .iter()
                    .map(|c| NewDelivery {
                        recipient: *c,
                        route: Route::Email,
                        documents: vec![stored.document.id],
                        collector: None,
                    })
                    .collect::<Vec<_>>(),
                "alice",
            )
            .await
            .unwrap();
        s.queue(tenant, &ids[..1], "alice").await.unwrap();
        let claimed = s.claim(1, "w", Duration::from_secs(60)).await.unwrap();
        s.complete(&claimed[0].lease, &Outcome::sent(None))
            .await
            .unwrap();
        assert_eq!(
            s.delete_document(tenant, stored.document.id, "bob")
                .await
                .unwrap(),
            2
        );
        assert!(matches!(
            s.get_document(tenant, stored.document.id).await,
            Err(StoreError::NotFound { .. })
        ));
        assert!(
            s.document_records(tenant, Page::first(10))
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            s.delivery_row(tenant, ids[0]).await.unwrap().status,
            DeliveryStatus::Sent
        );
        let cancelled = s.get_delivery(tenant, ids[1]).await.unwrap();
        assert_eq!(cancelled.status, DeliveryStatus::Cancelled);
        assert_eq!(cancelled.history.len(), 2);
        assert_eq!(cancelled.history[1].by, "bob");
        // Deleted documents get no new deliveries.
        let again = NewDelivery {
            recipient: contacts[0],
            route: Route::Email,
            documents: vec![stored.document.id],
            collector: None,
        };
        assert!(matches!(
            s.insert_deliveries(tenant, &[again], "a").await,
            Err(StoreError::NotFound { .. })
        ));
        assert!(matches!(
            s.delete_document(tenant, stored.document.id, "bob").await,
            Err(StoreError::NotFound { .. })
        ));
        t.finish().await;
    }
}

trait MicrosOnly {
    fn with_nanosecond_micros(self) -> Self;
}
impl MicrosOnly for chrono::DateTime<Utc> {
    fn with_nanosecond_micros(self) -> Self {
        chrono::DateTime::from_timestamp_micros(self.timestamp_micros()).unwrap()
    }
}

#[tokio::test]
async fn route_overrides_per_recipient_and_for_all() {
    for t in common::backends().await {
        let s = &t.store;
        let (tenant, contacts) = common::tenant_with_contacts(s, "T", 2).await;
        let doc = s
            .insert_document(tenant, &common::new_document("D", &contacts))
            .await
            .unwrap()
            .document
            .id;
        let routes = |v: &[Route]| RouteSet::try_from_routes(v.iter().copied()).unwrap();
        s.add_route(tenant, doc, Some(contacts[1]), Route::EpostLetter)
            .await
            .unwrap();
        let r = s.routes_for_document(tenant, doc).await.unwrap();
        assert_eq!(r[0].routes, routes(&[Route::Email]));
        assert_eq!(r[1].routes, routes(&[Route::Email, Route::EpostLetter]));
        s.remove_route(tenant, doc, None, Route::Email)
            .await
            .unwrap();
        s.add_route(tenant, doc, None, Route::PortalShare)
            .await
            .unwrap();
        let r = s.routes_for_document(tenant, doc).await.unwrap();
        assert_eq!(r[0].routes, routes(&[Route::PortalShare]));
        // Document-wide changes apply first, then the recipient's own additions.
        assert_eq!(
            r[1].routes,
            routes(&[Route::PortalShare, Route::EpostLetter])
        );
        // A contact that is no recipient of the document is refused.
        let (_, _) = (contacts.len(), 0);
        let stranger = ContactId(99);
        assert!(matches!(
            s.add_route(tenant, doc, Some(stranger), Route::Email).await,
            Err(StoreError::NotFound { .. })
        ));
        t.finish().await;
    }
}

#[tokio::test]
async fn collectors_create_list_and_dissolve() {
    for t in common::backends().await {
        let s = &t.store;
        let (tenant, contacts) = common::tenant_with_contacts(s, "T", 3).await;
        let d1 = s
            .insert_document(tenant, &common::new_document("A", &contacts[..2]))
            .await
            .unwrap()
            .document
            .id;
        let d2 = s
            .insert_document(tenant, &common::new_document("B", &contacts[1..]))
            .await
            .unwrap()
            .document
            .id;
        let d3 = s
            .insert_document(tenant, &common::new_document("C", &contacts[..1]))
            .await
            .unwrap()
            .document
            .id;
        let c = s
            .create_collector(tenant, "ETV 2027", &[d2, d1], "alice")
            .await
            .unwrap();
        assert_eq!(
            s.get_collector(tenant, c.id).await.unwrap(),
            Collector {
                created_at: c.created_at,
                ..c.clone()
            }
        );
        assert_eq!(
            s.get_collector(tenant, c.id).await.unwrap().documents,
            vec![d2, d1]
        );
        assert!(matches!(
            s.create_collector(tenant, "again", &[d1], "alice").await,
            Err(StoreError::Conflict(_))
        ));
        assert_eq!(
            s.get_document(tenant, d1).await.unwrap().collector,
            Some(c.id)
        );

        let ids = s
            .insert_deliveries(
                tenant,
                &[NewDelivery {
                    recipient: contacts[1],
                    route: Route::Email,
                    documents: vec![d2, d1],
                    collector: Some(c.id),
                }],
                "planner",
            )
            .await
            .unwrap();
        let page = s
            .list_documents(tenant, OverviewSort::NewestFirst, Page::first(10))
            .await
            .unwrap();
        assert_eq!(page.total, 2, "one collector row and one document row");
        let col_row = page
            .rows
            .iter()
            .find(|r| r.item == OverviewItem::Collector(c.id))
            .unwrap();
        assert_eq!(col_row.recipients, 3);
        assert_eq!(col_row.progress.prepared, 1);
        assert_eq!(col_row.title, "ETV 2027");
        assert!(
            page.rows
                .iter()
                .any(|r| r.item == OverviewItem::Document(d3))
        );

        assert_eq!(s.list_collectors(tenant).await.unwrap().len(), 1);
        assert_eq!(
            s.dissolve_collector(tenant, c.id, "alice").await.unwrap(),
            1
        );
        assert_eq!(
            s.delivery_row(tenant, ids[0]).await.unwrap().status,
            DeliveryStatus::Cancelled
        );
        assert!(s.list_collectors(tenant).await.unwrap().is_empty());
        assert!(matches!(
            s.get_collector(tenant, c.id).await,
            Err(StoreError::NotFound { .. })
        ));
        let page = s
            .list_documents(tenant, OverviewSort::NewestFirst, Page::first(10))
            .await
            .unwrap();
        assert_eq!(page.total, 3);
        t.finish().await;
    }
}

#[tokio::test]
async fn overview_counts_sorting_paging_and_detail() {
    for t in common::backends().await {
        let s = &t.store;
        let (tenant, contacts) = common::tenant_with_contacts(s, "T", 5).await;
        let mut docs = Vec::new();
        for (i, title) in ["Beta", "Alpha", "Gamma"].iter().enumerate() {
            let mut nd = common::new_document(title, &contacts);
            nd.created_at = Utc::now() + chrono::Duration::seconds(i as i64);
            docs.push(s.insert_document(tenant, &nd).await.unwrap().document.id);
        }
        // Alpha: 5 recipients × (e-mail, portal) = 10 deliveries in various states.
        let alpha = docs[1];
        let mut planned = Vec::new();
        for c in &contacts {
            for r in [Route::Email, Route::PortalShare] {
                planned.push(NewDelivery {
                    recipient: *c,
                    route: r,
                    documents: vec![alpha],
                    collector: None,
                });
            }
        }
        let ids = s
            .insert_deliveries(tenant, &planned, "planner")
            .await
            .unwrap();
        s.queue(tenant, &ids[..8], "alice").await.unwrap();
        let claimed = s.claim(6, "w", Duration::from_secs(60)).await.unwrap();
        assert_eq!(claimed.len(), 6);
        s.complete(&claimed[0].lease, &Outcome::sent(None))
            .await
            .unwrap();
        s.complete(&claimed[1].lease, &Outcome::sent(None))
            .await
            .unwrap();
        s.complete(&claimed[2].lease, &Outcome::failed("mailbox full", false))
            .await
            .unwrap();
        s.transition(
            tenant,
            claimed[0].lease.delivery,
            &DeliveryStatus::Downloaded,
            "portal",
        )
        .await
        .unwrap();
        s.transition(tenant, ids[9], &DeliveryStatus::Cancelled, "alice")
            .await
            .unwrap();

        let page = s
            .list_documents(tenant, OverviewSort::TitleAscending, Page::first(2))
            .await
            .unwrap();
        assert_eq!(page.total, 3);
        assert_eq!(
            page.rows
                .iter()
                .map(|r| r.title.as_str())
                .collect::<Vec<_>>(),
            ["Alpha", "Beta"]
        );
        let a = &page.rows[0];
        assert_eq!(a.recipients, 5);
        assert_eq!(a.routes, vec![Route::Email, Route::PortalShare]);
        let p = a.progress;
        assert_eq!(
            (
                p.prepared,
                p.in_progress,
                p.failed,
                p.sent,
                p.downloaded,
                p.total,
                p.cancelled
            ),
            (1, 5, 1, 1, 1, 9, 1)
        );
        assert_eq!(a.author, "alice");
        let page2 = s
            .list_documents(tenant, OverviewSort::TitleAscending, Page::number(1, 2))
            .await
            .unwrap();
        assert_eq!(
            page2
                .rows
                .iter()
                .map(|r| r.title.as_str())
                .collect::<Vec<_>>(),
            ["Gamma"]
        );
        let newest = s
            .list_documents(tenant, OverviewSort::NewestFirst, Page::first(3))
            .await
            .unwrap();
        assert_eq!(
            newest
                .rows
                .iter()
                .map(|r| r.title.as_str())
                .collect::<Vec<_>>(),
            ["Gamma", "Alpha", "Beta"]
        );
        let oldest = s
            .list_documents(tenant, OverviewSort::OldestFirst, Page::first(3))
            .await
            .unwrap();
        assert_eq!(
            oldest
                .rows
                .iter()
                .map(|r| r.title.as_str())
                .collect::<Vec<_>>(),
            ["Beta", "Alpha", "Gamma"]
        );
        let desc = s
            .list_documents(tenant, OverviewSort::TitleDescending, Page::first(3))
            .await
            .unwrap();
        assert_eq!(
            desc.rows
                .iter()
                .map(|r| r.title.as_str())
                .collect::<Vec<_>>(),
            ["Gamma", "Beta", "Alpha"]
        );
        assert_eq!(newest.rows[0].progress, Progress::default());

        let detail = s.document_detail(tenant, alpha).await.unwrap();
        assert_eq!(detail.len(), 10);
        let failed = detail
            .iter()
            .find(|d| d.status == StatusKind::Failed)
            .unwrap();
        assert_eq!(failed.reason.as_deref(), Some("mailbox full"));
        assert_eq!(
            failed.recipient_name,
            "Kontakt 1"
                .to_owned()
                .replace('1', &failed.recipient.to_string())
        );
        t.finish().await;
    }
}

#[tokio::test]
async fn history_records_every_change_with_who_and_when() {
    for t in common::backends().await {
        let s = &t.store;
        let (tenant, contacts) = common::tenant_with_contacts(s, "T", 1).await;
        let doc = s
            .insert_document(tenant, &common::new_document("D", &contacts))
            .await
            .unwrap()
            .document
            .id;
        let ids = common::queued_deliveries(s, tenant, &[doc], &contacts).await;
        let c = s
            .claim(1, "worker-7", Duration::from_secs(30))
            .await
            .unwrap()
            .remove(0);
        s.complete(&c.lease, &Outcome::sent(Some("ref-1".into())))
            .await
            .unwrap();
        let d = s.get_delivery(tenant, ids[0]).await.unwrap();
        let steps: Vec<_> = d
            .history
            .iter()
            .map(|h| {
                (
                    h.from.as_ref().map(|f| f.kind()),
                    h.to.kind(),
                    h.by.as_str(),
                )
            })
            .collect();
        assert_eq!(
            steps,
            vec![
                (None, StatusKind::Prepared, "planner"),
                (Some(StatusKind::Prepared), StatusKind::Queued, "alice"),
                (Some(StatusKind::Queued), StatusKind::InProgress, "worker-7"),
                (Some(StatusKind::InProgress), StatusKind::Sent, "worker-7"),
            ],
            "{}",
            t.label
        );
        assert_eq!(d.attempts, 1);
        assert_eq!(d.provider_reference.as_deref(), Some("ref-1"));
        assert!(d.history.windows(2).all(|w| w[0].at <= w[1].at));
        t.finish().await;
    }
}

#[tokio::test]
async fn edit_locks_are_leases() {
    for t in common::backends().await {
        let clock = ManualClock::new(chrono::SubsecRound::trunc_subsecs(Utc::now(), 6));
        let s = t
            .store
            .clone()
            .with_clock(std::sync::Arc::new(clock.clone()));
        let (tenant, contacts) = common::tenant_with_contacts(&s, "T", 1).await;
        let doc = s
            .insert_document(tenant, &common::new_document("D", &contacts))
            .await
            .unwrap()
            .document
            .id;
        let ttl = Duration::from_secs(60);
        let lock = s.acquire_lock(tenant, doc, "alice", ttl).await.unwrap();
        assert_eq!(s.get_lock(tenant, doc).await.unwrap(), Some(lock));
        assert!(
            matches!(s.acquire_lock(tenant, doc, "bob", ttl).await, Err(StoreError::LockHeld { owner, .. }) if owner == "alice")
        );
        assert!(
            s.acquire_lock(tenant, doc, "alice", ttl).await.is_ok(),
            "the owner may re-acquire"
        );
        assert!(matches!(
            s.renew_lock(tenant, doc, "bob", ttl).await,
            Err(StoreError::LockHeld { .. })
        ));
        clock.advance(chrono::Duration::seconds(30));
        let renewed = s.renew_lock(tenant, doc, "alice", ttl).await.unwrap();
        assert_eq!(
            renewed.expires_at,
            clock.now() + chrono::Duration::seconds(60)
        );
        // A crashed editor never blocks for ever: after expiry another owner takes over.
        clock.advance(chrono::Duration::seconds(61));
        assert_eq!(s.get_lock(tenant, doc).await.unwrap(), None);
        assert!(matches!(
            s.renew_lock(tenant, doc, "alice", ttl).await,
            Err(StoreError::NotFound { .. })
        ));
        s.acquire_lock(tenant, doc, "bob", ttl).await.unwrap();
        assert!(!s.release_lock(tenant, doc, "alice").await.unwrap());
        assert!(s.release_lock(tenant, doc, "bob").await.unwrap());
        assert_eq!(s.get_lock(tenant, doc).await.unwrap(), None);
        assert!(matches!(
            s.acquire_lock(tenant, DocumentId(987_654), "bob", ttl)
                .await,
            Err(StoreError::NotFound { .. })
        ));
        t.finish().await;
    }
}

#[tokio::test]
async fn epost_credentials_are_encrypted_at_rest() {
    for t in common::backends().await {
        let s = &t.store;
        let tenant = s.create_tenant("T").await.unwrap().id;
        let key = StoreKey::generate().unwrap();
        assert_eq!(s.load_epost_credentials(tenant, &key).await.unwrap(), None);
        let secret =
            SecretBytes::new(b"{\"vendorID\":\"v\",\"secret\":\"very-secret-password\"}".to_vec());
        s.save_epost_credentials(tenant, &key, &secret)
            .await
            .unwrap();
        assert_eq!(
            s.load_epost_credentials(tenant, &key).await.unwrap(),
            Some(secret.clone())
        );
        let wrong = StoreKey::from_bytes([1; 32]);
        assert!(matches!(
            s.load_epost_credentials(tenant, &wrong).await,
            Err(StoreError::Crypto)
        ));
        assert!(s.delete_epost_credentials(tenant).await.unwrap());
        assert_eq!(s.load_epost_credentials(tenant, &key).await.unwrap(), None);
        t.finish().await;
    }
}

#[tokio::test]
async fn the_stored_secret_is_not_plaintext() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("o.db");
    let s = Store::open(&format!("sqlite://{}?mode=rwc", path.display()))
        .await
        .unwrap();
    s.migrate().await.unwrap();
    let tenant = s.create_tenant("T").await.unwrap().id;
    let key = StoreKey::generate().unwrap();
    s.save_epost_credentials(
        tenant,
        &key,
        &SecretBytes::new(b"plaintext-marker-123".to_vec()),
    )
    .await
    .unwrap();
    s.close().await;
    let mut raw = std::fs::read(&path).unwrap();
    if let Ok(wal) = std::fs::read(dir.path().join("o.db-wal")) {
        raw.extend(wal);
    }
    assert!(!raw.windows(20).any(|w| w == b"plaintext-marker-123"));
}

#[tokio::test]
async fn poll_slots_allow_one_poll_per_interval_across_workers() {
    for t in common::backends().await {
        let clock = ManualClock::new(Utc::now());
        let s = t
            .store
            .clone()
            .with_clock(std::sync::Arc::new(clock.clone()));
        let tenant = s.create_tenant("T").await.unwrap().id;
        let five = Duration::from_secs(5);
        // Many workers race for the same slot: exactly one wins.
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let s = s.clone();
            tasks.push(tokio::spawn(async move {
                s.try_acquire_poll_slot(tenant, "epost", five)
                    .await
                    .unwrap()
            }));
        }
        let mut wins = 0;
        for task in tasks {
            wins += usize::from(task.await.unwrap());
        }
        assert_eq!(wins, 1, "{}", t.label);
        clock.advance(chrono::Duration::seconds(4));
        assert!(
            !s.try_acquire_poll_slot(tenant, "epost", five)
                .await
                .unwrap()
        );
        clock.advance(chrono::Duration::seconds(1));
        assert!(
            s.try_acquire_poll_slot(tenant, "epost", five)
                .await
                .unwrap()
        );
        assert!(
            s.try_acquire_poll_slot(tenant, "other-account", five)
                .await
                .unwrap()
        );
        t.finish().await;
    }
}

#[tokio::test]
async fn shares_and_download_records() {
    for t in common::backends().await {
        let s = &t.store;
        let (tenant, contacts) = common::tenant_with_contacts(s, "T", 1).await;
        let doc = s
            .insert_document(tenant, &common::new_document("D", &contacts))
            .await
            .unwrap()
            .document
            .id;
        let ids = common::queued_deliveries(s, tenant, &[doc], &contacts).await;
        let c = s
            .claim(1, "w", Duration::from_secs(30))
            .await
            .unwrap()
            .remove(0);
        let share = s
            .create_share(
                tenant,
                &NewShare {
                    id: "share-1".into(),
                    delivery: ids[0],
                    route: Route::EmailShare,
                    expires_at: Utc::now() + chrono::Duration::days(7),
                    token_hash: vec![1, 2, 3, 4],
                },
            )
            .await
            .unwrap();
        assert_eq!(s.get_share(tenant, "share-1").await.unwrap(), share);
        assert_eq!(
            s.find_share_by_token_hash(&[1, 2, 3, 4]).await.unwrap(),
            Some(share.clone())
        );
        assert_eq!(s.find_share_by_token_hash(&[9]).await.unwrap(), None);
        assert!(share.is_usable(Utc::now()));
        s.complete(&c.lease, &Outcome::sent(Some("share-1".into())))
            .await
            .unwrap();

        let rec = |by: &str| DownloadRecord {
            delivery: ids[0],
            document: doc,
            route: Route::EmailShare,
            at: Utc::now(),
            by: by.into(),
        };
        assert!(
            s.record_download(tenant, &rec("1.2.3.4"))
                .await
                .unwrap()
                .first
        );
        assert!(
            !s.record_download(tenant, &rec("5.6.7.8"))
                .await
                .unwrap()
                .first
        );
        assert_eq!(
            s.delivery_row(tenant, ids[0]).await.unwrap().status,
            DeliveryStatus::Downloaded
        );
        // Downloaded deliveries stay visible to pollers for later downloads, per route (the
        // delivery is an e-mail delivery here; only its route matters).
        let hour_ago = Utc::now() - chrono::Duration::hours(1);
        let recent = s
            .downloaded_since(tenant, Route::Email, hour_ago, 10)
            .await
            .unwrap();
        assert_eq!(
            recent.iter().map(|r| r.id).collect::<Vec<_>>(),
            vec![ids[0]]
        );
        assert!(
            s.downloaded_since(tenant, Route::PortalShare, hour_ago, 10)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            s.downloaded_since(
                tenant,
                Route::EmailShare,
                Utc::now() + chrono::Duration::hours(1),
                10
            )
            .await
            .unwrap()
            .is_empty()
        );
        let downloads = s.list_downloads(tenant, ids[0]).await.unwrap();
        assert_eq!(
            downloads.iter().map(|d| d.by.as_str()).collect::<Vec<_>>(),
            ["1.2.3.4", "5.6.7.8"]
        );
        let h = s.history(tenant, ids[0]).await.unwrap();
        assert_eq!(h.last().unwrap().to, DeliveryStatus::Downloaded);
        assert_eq!(
            h.iter()
                .filter(|c| c.to == DeliveryStatus::Downloaded)
                .count(),
            1
        );
        let wrong_doc = DownloadRecord {
            document: DocumentId(doc.0 + 1000),
            ..rec("x")
        };
        assert!(matches!(
            s.record_download(tenant, &wrong_doc).await,
            Err(StoreError::InvalidInput(_))
        ));

        s.revoke_share(tenant, "share-1").await.unwrap();
        assert!(
            !s.get_share(tenant, "share-1")
                .await
                .unwrap()
                .is_usable(Utc::now())
        );
        let dup = NewShare {
            id: "share-2".into(),
            delivery: ids[0],
            route: Route::EmailShare,
            expires_at: Utc::now(),
            token_hash: vec![1, 2, 3, 4],
        };
        assert!(
            matches!(
                s.create_share(tenant, &dup).await,
                Err(StoreError::Conflict(_))
            ),
            "{}",
            t.label
        );
        t.finish().await;
    }
}

#[tokio::test]
async fn overview_pages_interleave_collectors_and_documents_without_gaps() {
    for t in common::backends().await {
        let s = &t.store;
        let (tenant, contacts) = common::tenant_with_contacts(s, "T", 1).await;
        let base = Utc::now();
        let mut expected_newest = Vec::new();
        for i in 0..10i64 {
            let mut nd = common::new_document(&format!("Doc {:02}", 9 - i), &contacts);
            nd.created_at = base + chrono::Duration::seconds(i * 10);
            let id = s.insert_document(tenant, &nd).await.unwrap().document.id;
            if i % 3 == 0 {
                // Every third document goes into its own collector, created a bit later.
                let c = s
                    .create_collector(tenant, &format!("Sammler {i}"), &[id], "alice")
                    .await
                    .unwrap();
                expected_newest.push((OverviewItem::Collector(c.id), c.created_at));
            } else {
                expected_newest.push((OverviewItem::Document(id), nd.created_at));
            }
        }
        expected_newest.sort_by_key(|e| std::cmp::Reverse(e.1));
        for (sort, size) in [
            (OverviewSort::NewestFirst, 3u32),
            (OverviewSort::TitleAscending, 4),
            (OverviewSort::OldestFirst, 1),
        ] {
            let mut seen = Vec::new();
            for p in 0.. {
                let page = s
                    .list_documents(tenant, sort, Page::number(p, size))
                    .await
                    .unwrap();
                assert_eq!(page.total, 10);
                if page.rows.is_empty() {
                    break;
                }
                seen.extend(page.rows);
            }
            assert_eq!(
                seen.len(),
                10,
                "{} {sort:?}: every row exactly once",
                t.label
            );
            let items: std::collections::HashSet<_> = seen.iter().map(|r| r.item).collect();
            assert_eq!(items.len(), 10);
            match sort {
                OverviewSort::NewestFirst => {
                    assert_eq!(
                        seen.iter().map(|r| r.item).collect::<Vec<_>>(),
                        expected_newest.iter().map(|e| e.0).collect::<Vec<_>>()
                    );
                }
                OverviewSort::TitleAscending => {
                    assert!(
                        seen.windows(2).all(|w| w[0].title <= w[1].title),
                        "{:?}",
                        seen.iter().map(|r| &r.title).collect::<Vec<_>>()
                    );
                }
                _ => assert!(seen.windows(2).all(|w| w[0].created_at <= w[1].created_at)),
            }
        }
        t.finish().await;
    }
}

#[tokio::test]
async fn tenants_are_listed_in_id_order() {
    for t in common::backends().await {
        let s = &t.store;
        let a = s.create_tenant("HV Eins").await.unwrap();
        let b = s.create_tenant("HV Zwei").await.unwrap();
        assert_eq!(s.list_tenants().await.unwrap(), vec![a, b]);
    }
}
