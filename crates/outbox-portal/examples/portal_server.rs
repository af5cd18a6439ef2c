//! A reference portal on 127.0.0.1 with one demo account and one demo document.
//!
//! ```text
//! cargo run -p outbox-portal --features server --example portal_server
//! ```
//!
//! Set `PORTAL_ADDR` (default `127.0.0.1:8088`; use port 0 for any free port) and
//! `PORTAL_DB` (a SQLite file; default in memory). Stop with Ctrl-C.

use std::sync::Arc;

use outbox_channel::{Channel, OutgoingDelivery, OutgoingDocument, Sender};
use outbox_model::{Contact, ContactId, DeliveryId, DocumentId, Route, SendSettings, TenantId};
use outbox_portal::server::{Database, PortalServer, PortalServerConfig};
use outbox_portal::{PortalChannel, PortalConfig};

fn random_hex(bytes: usize) -> Result<String, Box<dyn std::error::Error>> {
    let mut raw = vec![0u8; bytes];
    getrandom::fill(&mut raw).map_err(|e| format!("no randomness: {e}"))?;
    Ok(raw.iter().map(|b| format!("{b:02x}")).collect())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::var("PORTAL_ADDR").unwrap_or_else(|_| "127.0.0.1:8088".into());
    let database = match std::env::var_os("PORTAL_DB") {
        Some(path) => Database::File(path.into()),
        None => Database::Memory,
    };
    let token = random_hex(24)?;
    let mut config = PortalServerConfig::new(database, token.clone());
    // Plain HTTP on localhost: a `Secure` cookie would never be sent back.
    config.secure_cookies = false;
    let server = PortalServer::open(config).await?;

    let (login, password) = ("demo", random_hex(8)?);
    match server
        .add_account(login, &password, "Eheleute Muster")
        .await
    {
        Ok(()) => {}
        Err(outbox_portal::server::ServerError::DuplicateLogin(_)) => {
            eprintln!("account `demo` exists in this database; its old password still applies");
        }
        Err(e) => return Err(e.into()),
    }
    let running = server.serve(addr.parse()?).await?;

    // Share one document through the channel, as the outbox would.
    let channel = PortalChannel::new(PortalConfig::new(running.base_url(), token.clone()))?;
    let mut recipient = Contact::new(ContactId(1), TenantId(1), "Eheleute Muster");
    recipient.portal_account = Some(login.into());
    let mut settings = SendSettings::default();
    settings.portal.category = "Protokolle".into();
    let delivery = OutgoingDelivery {
        id: DeliveryId(1),
        tenant: TenantId(1),
        route: Route::PortalShare,
        attempt: 1,
        recipient,
        sender: Sender::default(),
        documents: vec![OutgoingDocument {
            id: DocumentId(1),
            title: "Protokoll der Eigentümerversammlung 2026".into(),
            file_name: "protokoll-2026.pdf".into(),
            page_count: 1,
            bytes: Arc::from(DEMO_PDF.as_bytes()),
            settings,
        }],
    };
    let receipt = channel.send(&delivery).await?;

    println!("Reference portal running at {}", running.base_url());
    println!("  log in at  {}login", running.base_url());
    println!("  login:     {login}");
    println!("  password:  {password}");
    println!("  API token: {token}");
    println!("Shared a demo document ({}).", receipt.provider_reference);
    println!(
        "Downloads: curl -H 'Authorization: Bearer {token}' '{}api/v1/downloads?since=0'",
        running.base_url()
    );
    println!("Press Ctrl-C to stop.");
    tokio::signal::ctrl_c().await?;
    running.shutdown().await;
    Ok(())
}

/// A minimal one-page PDF.
const DEMO_PDF: &str = "%PDF-1.4
1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >> endobj
4 0 obj << /Length 58 >> stream
BT /F1 18 Tf 72 770 Td (Protokoll - Demo-Dokument) Tj ET
endstream endobj
5 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj
trailer << /Root 1 0 R >>
%%EOF
";
