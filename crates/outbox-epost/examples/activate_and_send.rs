//! Activates an E-POST account, hands its access to a second tenant, sends a letter and polls
//! it until it is posted — against the fake E-POST server, so it runs anywhere:
//!
//! ```text
//! cargo run -p outbox-epost --features fake --example activate_and_send
//! ```
//!
//! Against the real API, use `ClientConfig::default()` and your vendor id and EKP; the SMS
//! code arrives on the registered mobile phone.

use std::sync::Arc;
use std::time::Duration;

use outbox_channel::{Channel, OutgoingDelivery, OutgoingDocument, PollRequest, Sender};
use outbox_epost::fake::{FakeConfig, FakeEpost};
use outbox_epost::{
    ChannelOptions, ClientConfig, Credentials, CredentialsKey, EpostChannel, EpostClient, Secret,
};
use outbox_model::{
    Contact, ContactId, DeliveryId, DocumentId, PostalAddress, Route, SendSettings, TenantId,
};
use outbox_pdf::{CoverSheet, cover_sheet};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let fake = FakeEpost::start_with(FakeConfig::not_activated()).await?;
    let client = EpostClient::new(ClientConfig::with_base_url(fake.base_url()))?;
    println!("health: {:?}", client.health_check().await?.status.code);

    // 1. Activation (once per EKP): SMS code, then password → secret.
    let (vendor, ekp) = (fake.vendor_id(), fake.ekp());
    client.request_sms_code(&vendor, &ekp).await?;
    let sms = fake.last_sms_code().ok_or("no SMS code")?; // from the user's phone in real life
    let password = Secret::new("Passwort-der-Verwaltung");
    let secret = client.set_password(&vendor, &ekp, &password, &sms).await?;
    let creds = Credentials::new(vendor, ekp, secret, password);

    // 2. Give a second tenant the same access with a typeable code.
    let key = CredentialsKey::derive(b"configured application secret");
    let code = creds.export_code(&key)?;
    println!("export code: {code}");
    let imported = Credentials::import_code(&code, &key)?;

    // 3. One channel per tenant; here tenant 2 uses the imported access.
    let tenant = TenantId(2);
    let channel = EpostChannel::with_shared_account(
        Arc::new(client.account(imported)),
        tenant,
        ChannelOptions::default(),
    );

    let document = cover_sheet(&CoverSheet {
        sender: "Muster".into(),
        recipient: vec!["Einladung".into()],
        date: "04.12.2026".into(),
        reference: None,
        documents: vec![],
    })?;
    let mut recipient = Contact::new(ContactId(1), tenant, "Eheleute Müller");
    recipient.address = Some(PostalAddress::domestic(
        ["Eheleute Müller", "Lindenstraße 5"],
        "50667",
        "Köln",
    ));
    let delivery = OutgoingDelivery {
        id: DeliveryId(1001),
        tenant,
        route: Route::EpostLetter,
        attempt: 1,
        recipient,
        sender: Sender {
            name: "Hausverwaltung Sonnenschein GmbH".into(),
            address: Some(PostalAddress::domestic(
                ["Hausverwaltung Sonnenschein GmbH", "Hauptstraße 1"],
                "10115",
                "Berlin",
            )),
            reply_to: None,
        },
        documents: vec![OutgoingDocument {
            id: DocumentId(1),
            title: "Einladung zur Eigentümerversammlung".into(),
            file_name: "einladung.pdf".into(),
            page_count: 1,
            bytes: document.into(),
            settings: SendSettings::default(),
        }],
    };

    let problems = channel.check(&delivery).await;
    if !problems.is_empty() {
        return Err(format!("not ready: {problems:?}").into());
    }
    let receipt = channel.send(&delivery).await?;
    println!("sent: {receipt:?}");

    // 4. Poll (the fake's clock is moved on instead of waiting a day).
    fake.advance(Duration::from_secs(30 * 3600));
    let updates = channel
        .poll(&[PollRequest {
            tenant,
            delivery: delivery.id,
            provider_reference: receipt.provider_reference.clone(),
            status: receipt.status.clone(),
        }])
        .await?;
    println!("updates: {updates:?}");
    fake.shutdown().await;
    Ok(())
}
