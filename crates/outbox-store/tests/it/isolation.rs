//! One tenant can neither read nor change another tenant's rows.

use crate::common;

use std::time::Duration;

use chrono::Utc;
use outbox_model::*;
use outbox_store::*;

fn hidden<T: std::fmt::Debug>(r: Result<T, StoreError>) -> bool {
    matches!(
        r,
        Err(StoreError::NotFound { .. }) | Err(StoreError::UnknownReference(_))
    )
}

#[tokio::test]
async fn a_tenant_cannot_read_or_change_another_tenants_rows() {
    for t in common::backends().await {
        let s = &t.store;
        let (a, a_contacts) = common::tenant_with_contacts(s, "A", 2).await;
        let (b, b_contacts) = common::tenant_with_contacts(s, "B", 2).await;
        let doc = s
            .insert_document(a, &common::new_document("A-doc", &a_contacts))
            .await
            .unwrap()
            .document
            .id;
        let ids = common::queued_deliveries(s, a, &[doc], &a_contacts).await;
        let col = s
            .create_collector(a, "A-col", &[], "alice")
            .await
            .unwrap()
            .id;
        let share = NewShare {
            id: "a-share".into(),
            delivery: ids[0],
            route: Route::EmailShare,
            expires_at: Utc::now(),
            token_hash: vec![7],
        };
        s.create_share(a, &share).await.unwrap();
        let key = StoreKey::generate().unwrap();
        s.save_epost_credentials(a, &key, &SecretBytes::new(b"a-secret".to_vec()))
            .await
            .unwrap();

        // Reads.
        assert_eq!(
            s.get_contact(b, a_contacts[0]).await.unwrap().tenant,
            b,
            "same contact id, own row only"
        );
        assert!(hidden(s.get_document(b, doc).await));
        assert!(
            s.document_records(b, Page::first(10))
                .await
                .unwrap()
                .is_empty()
        );
        assert!(hidden(s.routes_for_document(b, doc).await));
        assert!(hidden(s.get_collector(b, col).await));
        assert!(s.list_collectors(b).await.unwrap().is_empty());
        assert!(hidden(s.delivery_row(b, ids[0]).await));
        assert!(hidden(s.get_delivery(b, ids[0]).await));
        assert!(hidden(s.history(b, ids[0]).await));
        assert!(hidden(s.document_detail(b, doc).await));
        assert!(
            s.list_documents(b, OverviewSort::NewestFirst, Page::first(10))
                .await
                .unwrap()
                .rows
                .is_empty()
        );
        assert!(hidden(s.get_share(b, "a-share").await));
        assert!(s.list_downloads(b, ids[0]).await.unwrap().is_empty());
        assert_eq!(s.load_epost_credentials(b, &key).await.unwrap(), None);
        assert_eq!(s.get_lock(b, doc).await.unwrap(), None);

        // Writes.
        assert!(hidden(
            s.transition(b, ids[0], &DeliveryStatus::Cancelled, "mallory")
                .await
        ));
        assert!(hidden(s.queue(b, &ids, "mallory").await));
        assert!(hidden(s.delete_document(b, doc, "mallory").await));
        assert!(hidden(
            s.update_settings(b, doc, &SendSettings::default()).await
        ));
        assert!(hidden(s.add_route(b, doc, None, Route::EpostLetter).await));
        assert!(hidden(s.dissolve_collector(b, col, "mallory").await));
        assert!(hidden(
            s.create_collector(b, "steal", &[doc], "mallory").await
        ));
        assert!(hidden(
            s.acquire_lock(b, doc, "mallory", Duration::from_secs(60))
                .await
        ));
        assert!(!s.release_lock(b, doc, "mallory").await.unwrap());
        assert!(hidden(s.revoke_share(b, "a-share").await));
        let foreign_docs = NewDelivery {
            recipient: b_contacts[0],
            route: Route::Email,
            documents: vec![doc],
            collector: None,
        };
        assert!(hidden(
            s.insert_deliveries(b, &[foreign_docs], "mallory").await
        ));
        let b_doc = s
            .insert_document(b, &common::new_document("B-doc", &b_contacts))
            .await
            .unwrap()
            .document
            .id;
        let foreign_collector = NewDelivery {
            recipient: b_contacts[0],
            route: Route::Email,
            documents: vec![b_doc],
            collector: Some(col),
        };
        assert!(hidden(
            s.insert_deliveries(b, &[foreign_collector], "mallory")
                .await
        ));
        let steal_share = NewShare {
            id: "b-share".into(),
            token_hash: vec![8],
            ..share.clone()
        };
        assert!(hidden(s.create_share(b, &steal_share).await));
        let dl = DownloadRecord {
            delivery: ids[0],
            document: doc,
            route: Route::EmailShare,
            at: Utc::now(),
            by: "mallory".into(),
        };
        assert!(hidden(s.record_download(b, &dl).await));
        // A lease forged with the wrong tenant matches nothing.
        let c = s
            .claim(1, "w", Duration::from_secs(60))
            .await
            .unwrap()
            .remove(0);
        let forged = Lease {
            tenant: b,
            ..c.lease.clone()
        };
        assert!(hidden(s.complete(&forged, &Outcome::sent(None)).await));
        // Credentials sealed for A do not open as B's even if copied.
        assert!(
            s.delete_epost_credentials(b)
                .await
                .is_ok_and(|deleted| !deleted)
        );

        // A's rows are untouched.
        assert_eq!(
            s.get_document(a, doc).await.unwrap().document.title,
            "A-doc"
        );
        assert_eq!(
            s.delivery_row(a, ids[1]).await.unwrap().status,
            DeliveryStatus::Queued
        );
        assert_eq!(s.get_collector(a, col).await.unwrap().name, "A-col");
        assert!(
            s.get_share(a, "a-share")
                .await
                .unwrap()
                .revoked_at
                .is_none()
        );
        assert_eq!(
            s.load_epost_credentials(a, &key)
                .await
                .unwrap()
                .unwrap()
                .expose(),
            b"a-secret"
        );
        assert_eq!(s.history(a, ids[1]).await.unwrap().len(), 2);
        s.complete(&c.lease, &Outcome::sent(None)).await.unwrap();
        t.finish().await;
    }
}
