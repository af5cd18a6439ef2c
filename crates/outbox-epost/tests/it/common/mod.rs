//! Shared test helpers: a fake server, clients wired to it, sample deliveries.
#![allow(dead_code, unreachable_pub)]

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use outbox_channel::{OutgoingDelivery, OutgoingDocument, Sender};
use outbox_epost::fake::{FakeConfig, FakeEpost};
use outbox_epost::{ClientConfig, Credentials, EpostAccount, EpostClient, Secret};
use outbox_model::{
    Contact, ContactId, DeliveryId, DocumentId, PostalAddress, RegisteredMail, Route, SendSettings,
    TenantId,
};
use outbox_pdf::{CoverSheet, EnclosedDocument};

pub const TENANT: TenantId = TenantId(7);

/// Starts a fake with a frozen clock and no rate limits unless the test turns them on.
pub async fn fake() -> FakeEpost {
    let fake = FakeEpost::start_with(FakeConfig::deterministic())
        .await
        .expect("fake starts");
    fake.set_rate_limits(false);
    fake
}

/// A client config for the fake: short timeouts, no client-side spacing of status calls.
pub fn config(fake: &FakeEpost) -> ClientConfig {
    let mut c = ClientConfig::with_base_url(fake.base_url());
    c.connect_timeout = Duration::from_secs(5);
    c.request_timeout = Duration::from_secs(20);
    c.upload_timeout = Duration::from_secs(20);
    c.status_interval = Duration::ZERO;
    c
}

pub fn credentials(fake: &FakeEpost) -> Credentials {
    Credentials::new(
        fake.vendor_id(),
        fake.ekp(),
        Secret::new(fake.secret().expect("activated")),
        Secret::new(fake.password().expect("activated")),
    )
}

pub fn account(fake: &FakeEpost) -> EpostAccount {
    account_with(fake, config(fake))
}

pub fn account_with(fake: &FakeEpost, config: ClientConfig) -> EpostAccount {
    EpostClient::new(config)
        .expect("client")
        .account(credentials(fake))
}

/// A one-page A4 portrait PDF (built once).
pub fn sample_pdf() -> Arc<[u8]> {
    static PDF: OnceLock<Arc<[u8]>> = OnceLock::new();
    PDF.get_or_init(|| {
        let sheet = CoverSheet {
            sender: "Test".into(),
            recipient: vec!["Dokument".into(), "Seite 1".into()],
            date: "01.01.2027".into(),
            reference: None,
            documents: vec![EnclosedDocument {
                title: "Jahresabrechnung".into(),
                pages: 1,
            }],
        };
        outbox_pdf::cover_sheet(&sheet).expect("sample pdf").into()
    })
    .clone()
}

pub fn sender() -> Sender {
    Sender {
        name: "Hausverwaltung Sonnenschein GmbH".into(),
        address: Some(PostalAddress::domestic(
            ["Hausverwaltung Sonnenschein GmbH", "Hauptstraße 1"],
            "10115",
            "Berlin",
        )),
        reply_to: None,
    }
}

pub fn domestic_address() -> PostalAddress {
    PostalAddress::domestic(["Eheleute Müller", "Lindenstraße 5"], "50667", "Köln")
}

pub fn delivery(id: u64) -> OutgoingDelivery {
    delivery_to(id, domestic_address(), SendSettings::default())
}

pub fn delivery_to(id: u64, address: PostalAddress, settings: SendSettings) -> OutgoingDelivery {
    let mut recipient = Contact::new(ContactId(3), TENANT, "Eheleute Müller");
    recipient.address = Some(address);
    OutgoingDelivery {
        id: DeliveryId(id),
        tenant: TENANT,
        route: Route::EpostLetter,
        attempt: 1,
        recipient,
        sender: sender(),
        documents: vec![OutgoingDocument {
            id: DocumentId(11),
            title: "Jahresabrechnung 2026".into(),
            file_name: "abrechnung.pdf".into(),
            page_count: 1,
            bytes: sample_pdf(),
            settings,
        }],
    }
}

pub fn registered(kind: RegisteredMail) -> SendSettings {
    let mut s = SendSettings::default();
    s.epost.registered = kind;
    s
}
