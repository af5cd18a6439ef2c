//! How an application embeds the outbox with real configuration.
//!
//! ```sh
//! cargo run --example embedding -- --dry-run      # check the configuration, touch nothing
//! cargo run --example embedding                   # run workers and poller until Ctrl-C
//! ```
//!
//! Configuration comes from the environment, as an operator sets it; anything unset falls back
//! to the embedded default (and `--dry-run` says so):
//!
//! | variable | meaning |
//! |---|---|
//! | `OUTBOX_DATA_DIR` | data folder (default `outbox-data`) |
//! | `OUTBOX_DATABASE_URL` | `sqlite://…?mode=rwc` or `postgres://…` (build with `--features postgres`) |
//! | `OUTBOX_STORE_KEY` | 64 hex digits: the key that encrypts stored E-POST credentials |
//! | `OUTBOX_SMTP_HOST`, `OUTBOX_SMTP_PORT`, `OUTBOX_SMTP_USER`, `OUTBOX_SMTP_PASSWORD`, `OUTBOX_SMTP_FROM` | the tenant's SMTP account (STARTTLS) |
//! | `OUTBOX_TENANT` | id of the tenant this process serves (default: a new tenant is created) |
//! | `OUTBOX_PORTAL_URL`, `OUTBOX_PORTAL_TOKEN` | your owner portal (protocol: `crates/outbox-portal/PROTOCOL.md`) |
//! | `OUTBOX_SHARE_BIND`, `OUTBOX_SHARE_PUBLIC_URL` | download server address and the URL recipients see |
//! | `OUTBOX_EPOST_URL` | E-POST API base URL (`production` for Deutsche Post's host) |
//! | `OUTBOX_WORKERS` | dispatcher loops (default 2) |
//!
//! Secrets are never printed.

use std::net::SocketAddr;
use std::time::Duration;

use outbox::channel::Sender;
use outbox::model::{EmailAddress, MailAccountId, TenantId};
use outbox::routes::email::{Credentials, MailAccount, MailAccounts, Security, SmtpOptions};
use outbox::store::StoreKey;
use outbox::{Outbox, OutboxBuilder};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn store_key(hex: &str) -> Result<StoreKey, BoxError> {
    if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("OUTBOX_STORE_KEY must be 64 hex digits (32 bytes)".into());
    }
    let mut key = [0u8; 32];
    for (i, byte) in key.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16)?;
    }
    Ok(StoreKey::from_bytes(key))
}

/// Reads the environment into a builder, and lines describing it.
fn configure(tenant: TenantId) -> Result<(OutboxBuilder, Vec<String>), BoxError> {
    let mut plan = Vec::new();
    let mut b = Outbox::builder();
    let data = var("OUTBOX_DATA_DIR").unwrap_or_else(|| "outbox-data".into());
    plan.push(format!("data folder: {data}"));
    b = b.data_dir(&data);
    match var("OUTBOX_DATABASE_URL") {
        Some(url) => {
            let shown = url.split('@').next_back().unwrap_or(&url);
            plan.push(format!("database: …@{shown}"));
            b = b.database_url(url);
        }
        None => plan.push(format!(
            "database: SQLite file {data}/outbox.db (embedded default)"
        )),
    }
    match var("OUTBOX_STORE_KEY") {
        Some(hex) => {
            b = b.store_key(store_key(&hex)?);
            plan.push("store key: from OUTBOX_STORE_KEY".into());
        }
        None => plan.push(format!(
            "store key: {data}/keys/store.key (created once; back it up)"
        )),
    }
    match (var("OUTBOX_SMTP_HOST"), var("OUTBOX_SMTP_FROM")) {
        (Some(host), Some(from)) => {
            let from = EmailAddress::parse(&from)?;
            let mut account =
                MailAccount::new(MailAccountId(1), tenant, &host, Security::StartTls, from)
                    .with_from_name("Hausverwaltung")
                    .standard();
            if let Some(port) = var("OUTBOX_SMTP_PORT") {
                account = account.with_port(port.parse()?);
            }
            if let (Some(user), Some(pw)) = (var("OUTBOX_SMTP_USER"), var("OUTBOX_SMTP_PASSWORD")) {
                account = account.with_credentials(Credentials::new(user, pw));
            }
            account.validate()?;
            plan.push(format!(
                "e-mail: SMTP {host}:{} with STARTTLS, login {}",
                account.port,
                if account.credentials.is_some() {
                    "yes"
                } else {
                    "no"
                }
            ));
            b = b.smtp(
                MailAccounts::try_from_accounts([account])?,
                SmtpOptions::default(),
            );
        }
        _ => plan.push(format!(
            "e-mail: .eml files in {data}/mail (set OUTBOX_SMTP_HOST and OUTBOX_SMTP_FROM to send)"
        )),
    }
    match (var("OUTBOX_PORTAL_URL"), var("OUTBOX_PORTAL_TOKEN")) {
        (Some(url), Some(token)) => {
            plan.push(format!("portal: {url}"));
            b = b.portal(outbox::routes::portal::PortalConfig::new(url, token));
        }
        _ => plan.push("portal: embedded reference portal on 127.0.0.1".into()),
    }
    let bind: SocketAddr = var("OUTBOX_SHARE_BIND")
        .unwrap_or_else(|| "127.0.0.1:0".into())
        .parse()?;
    let public = var("OUTBOX_SHARE_PUBLIC_URL");
    plan.push(format!(
        "e-mail shares: download server on {bind}, links under {}",
        public.as_deref().unwrap_or("its own address")
    ));
    b = b.share_server(bind, public);
    match var("OUTBOX_EPOST_URL") {
        Some(url) => {
            let client = if url == "production" {
                outbox::routes::epost::ClientConfig::default()
            } else {
                outbox::routes::epost::ClientConfig::with_base_url(url)
            };
            plan.push(format!("E-POST: {} (activate per tenant with the SMS code)", client.base_url));
            b = b.epost_api(client, outbox::routes::epost::ChannelOptions::default());
        }
        None => plan.push("E-POST: the fake E-POST server on 127.0.0.1 (set OUTBOX_EPOST_URL=production for real letters)".into()),
    }
    let workers: usize = var("OUTBOX_WORKERS")
        .map(|w| w.parse())
        .transpose()?
        .unwrap_or(2);
    plan.push(format!("workers: {workers}"));
    b = b.workers(workers);
    Ok((b, plan))
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let dry_run = std::env::args().any(|a| a == "--dry-run");
    let tenant = var("OUTBOX_TENANT")
        .map(|t| t.parse::<TenantId>())
        .transpose()?;
    let (builder, plan) = configure(tenant.unwrap_or(TenantId(1)))?;
    println!("outbox configuration:");
    for line in &plan {
        println!("  {line}");
    }
    if dry_run {
        println!("dry run: configuration is valid; nothing was opened or started");
        return Ok(());
    }

    let outbox = builder.build().await?;
    let sender = Sender {
        name: "Hausverwaltung".into(),
        ..Sender::default()
    };
    let tenant = match tenant {
        Some(t) => {
            outbox.open_tenant(t, sender)?;
            t
        }
        None => outbox.create_tenant("Hausverwaltung", sender).await?,
    };
    println!("serving tenant {tenant}; press Ctrl-C to stop");
    outbox.start();
    tokio::signal::ctrl_c().await?;
    println!("stopping: in-flight deliveries finish or their leases expire");
    tokio::time::timeout(Duration::from_secs(60), outbox.shutdown()).await?;
    Ok(())
}
