//! Shared set-up of the end-to-end tests: an outbox with every route on its embedded default,
//! a tenant with activated E-POST access, owners and sample PDFs.

#![allow(dead_code, unreachable_pub)]

#[path = "../../../examples/support/sample_pdf.rs"]
pub mod sample_pdf;

use std::path::Path;
use std::time::Duration;

use outbox::Outbox;
use outbox::channel::Sender;
use outbox::engine::{EngineConfig, EpostAccountId, NewOutboxDocument, RetryPolicy};
use outbox::model::*;

pub fn fast_engine() -> EngineConfig {
    EngineConfig {
        worker_id: "e2e".into(),
        batch: 16,
        lease: Duration::from_secs(20),
        send_timeout: Duration::from_secs(10),
        retry: RetryPolicy {
            base: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
            max_attempts: 5,
        },
        idle_wait: Duration::from_millis(20),
        epost_poll_interval: Duration::from_secs(5),
        poll_batch: 500,
        language: Language::En,
    }
}

pub async fn outbox(dir: &Path, engine: EngineConfig) -> (Outbox, TenantId) {
    let outbox = Outbox::builder()
        .data_dir(dir)
        .engine_config(engine)
        .build()
        .await
        .expect("outbox");
    let sender = Sender {
        name: "HV Sonnenschein GmbH".into(),
        address: Some(PostalAddress::domestic(
            ["HV Sonnenschein GmbH", "Domplatz 1"],
            "50667",
            "Köln",
        )),
        reply_to: None,
    };
    let tenant = outbox
        .create_tenant("HV Sonnenschein GmbH", sender)
        .await
        .unwrap();
    let account = outbox
        .with_epost_fake(|f| EpostAccountId {
            vendor_id: f.vendor_id(),
            ekp: f.ekp(),
        })
        .unwrap();
    outbox.request_epost_sms_code(&account).await.unwrap();
    let code = outbox
        .with_epost_fake(|f| f.last_sms_code())
        .flatten()
        .unwrap();
    outbox
        .activate_epost(tenant, &account, &code, "Geheim-2027")
        .await
        .unwrap();
    (outbox, tenant)
}

/// Stores owners `1..=n` with the given routes and complete contact data.
pub async fn owners(
    outbox: &Outbox,
    tenant: TenantId,
    first: u64,
    n: u64,
    routes: &[Route],
) -> Vec<ContactId> {
    let mut ids = Vec::new();
    for i in first..first + n {
        let mut c = Contact::new(ContactId(i), tenant, format!("Eigentümer {i}"));
        c.address = Some(PostalAddress::domestic(
            [format!("Eigentümer {i}"), "Lindenstraße 5".into()],
            "50667",
            "Köln",
        ));
        c.email = Some(format!("owner{i}@lindenhof.example"));
        c.preferred_routes = RouteSet::try_from_routes(routes.iter().copied()).unwrap();
        outbox.store().upsert_contact(&c).await.unwrap();
        ids.push(c.id);
    }
    ids
}

pub fn document(title: &str, pdf: Vec<u8>, recipients: &[ContactId]) -> NewOutboxDocument {
    NewOutboxDocument {
        title: title.into(),
        file_name: format!("{title}.pdf"),
        author: "e2e".into(),
        pdf,
        recipients: recipients.to_vec(),
        settings: SendSettings::default(),
        source_reference: None,
    }
}
