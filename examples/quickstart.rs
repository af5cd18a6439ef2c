//! Quickstart: a WEG (owners' association) sends three documents to its eight owners.
//!
//! ```sh
//! cargo run --example quickstart
//! ```
//!
//! Everything runs in this process on 127.0.0.1: the SQLite store, the fake E-POST server, the
//! reference owner portal, the download server for e-mail shares, and mails written as `.eml`
//! files. No server to install, no credentials. The folder with the results is printed at the
//! end (default `target/outbox-quickstart`, or `$OUTBOX_QUICKSTART_DIR`).

#[path = "support/sample_pdf.rs"]
mod sample_pdf;

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use outbox::Outbox;
use outbox::channel::Sender;
use outbox::engine::{EngineConfig, EpostAccountId, NewOutboxDocument};
use outbox::model::*;
use outbox::store::{OverviewSort, Page};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

struct Owner {
    name: &'static str,
    street: &'static str,
    routes: &'static [Route],
    portal_password: Option<&'static str>,
}

const OWNERS: [Owner; 8] = [
    Owner {
        name: "Eheleute Müller",
        street: "Lindenstraße 5",
        routes: &[Route::EpostLetter],
        portal_password: None,
    },
    Owner {
        name: "Jürgen Weiß",
        street: "Lindenstraße 5",
        routes: &[Route::Email],
        portal_password: None,
    },
    Owner {
        name: "Anna Schäfer",
        street: "Lindenstraße 7",
        routes: &[Route::PortalShare, Route::Email],
        portal_password: Some("Lindenhof-2027"),
    },
    Owner {
        name: "Dr. Ömer Öztürk",
        street: "Lindenstraße 7",
        routes: &[Route::EmailShare],
        portal_password: None,
    },
    Owner {
        name: "Familie Groß",
        street: "Lindenstraße 9",
        routes: &[Route::EpostLetter, Route::Email],
        portal_password: None,
    },
    Owner {
        name: "Carla Becker",
        street: "Rheinufer 12",
        routes: &[Route::EmailShare, Route::PortalShare],
        portal_password: Some("Rheinblick-12"),
    },
    Owner {
        name: "Lukas Jäger",
        street: "Lindenstraße 9",
        routes: &[Route::Email],
        portal_password: None,
    },
    Owner {
        name: "Erbengemeinschaft Hoffmann",
        street: "Am Römerturm 3",
        routes: &[Route::EpostLetter],
        portal_password: None,
    },
];

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let dir = std::env::var_os("OUTBOX_QUICKSTART_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target/outbox-quickstart"));
    // A fresh run every time.
    let _ = std::fs::remove_dir_all(&dir);

    let outbox = Outbox::builder()
        .data_dir(&dir)
        .engine_config(EngineConfig {
            worker_id: "quickstart".into(),
            ..EngineConfig::default()
        })
        .build()
        .await?;
    let sender = Sender {
        name: "Hausverwaltung Sonnenschein GmbH".into(),
        address: Some(PostalAddress::domestic(
            ["Hausverwaltung Sonnenschein GmbH", "Domplatz 1"],
            "50667",
            "Köln",
        )),
        reply_to: Some("verwaltung@hv-sonnenschein.example".into()),
    };
    let tenant = outbox
        .create_tenant("Hausverwaltung Sonnenschein GmbH", sender)
        .await?;

    // E-POST access, activated like a customer does it: the provider sends an SMS code.
    let account = outbox
        .with_epost_fake(|f| EpostAccountId {
            vendor_id: f.vendor_id(),
            ekp: f.ekp(),
        })
        .ok_or("the embedded fake E-POST server is not running")?;
    outbox.request_epost_sms_code(&account).await?;
    let sms = outbox
        .with_epost_fake(|f| f.last_sms_code())
        .flatten()
        .ok_or("no SMS code")?;
    outbox
        .activate_epost(tenant, &account, &sms, "Sonnenschein-2027")
        .await?;

    // The owners, their addresses and preferred routes.
    let mut owners = Vec::new();
    for (i, o) in OWNERS.iter().enumerate() {
        let id = ContactId(i as u64 + 1);
        let mut c = Contact::new(id, tenant, o.name);
        c.address = Some(PostalAddress::domestic([o.name, o.street], "50667", "Köln"));
        c.email = Some(format!("eigentuemer{}@lindenhof.example", i + 1));
        c.preferred_routes = RouteSet::try_from_routes(o.routes.iter().copied())?;
        if let Some(pw) = o.portal_password {
            let login = format!("eigentuemer{}", i + 1);
            outbox.add_portal_account(&login, pw, o.name).await?;
            c.portal_account = Some(login);
        }
        outbox.store().upsert_contact(&c).await?;
        owners.push(c);
    }
    let all: Vec<ContactId> = owners.iter().map(|o| o.id).collect();
    // The car park plan goes to the five owners with a parking space.
    let parking: Vec<ContactId> = [0, 2, 4, 5, 7].iter().map(|i| owners[*i].id).collect();

    let doc = |title: &str, file: &str, pdf: Vec<u8>, recipients: &[ContactId]| NewOutboxDocument {
        title: title.into(),
        file_name: file.into(),
        author: "Frau Sommer".into(),
        pdf,
        recipients: recipients.to_vec(),
        settings: SendSettings::default(),
        source_reference: Some("WEG Lindenhof / ETV 2027".into()),
    };
    let invitation = outbox
        .add_document(
            tenant,
            doc(
                "Einladung Eigentümerversammlung 2027",
                "Einladung ETV 2027.pdf",
                sample_pdf::invitation(),
                &all,
            ),
        )
        .await?;
    let plan = outbox
        .add_document(
            tenant,
            doc(
                "Wirtschaftsplan 2027",
                "Wirtschaftsplan 2027.pdf",
                sample_pdf::business_plan(),
                &all,
            ),
        )
        .await?;
    let site = outbox
        .add_document(
            tenant,
            doc(
                "Lageplan Tiefgarage (A3 quer)",
                "Lageplan Tiefgarage.pdf",
                sample_pdf::building_plan(),
                &parking,
            ),
        )
        .await?;
    let docs = [invitation, plan, site];

    // The collector: what travels together, and what it costs.
    let (collector, preview) = outbox
        .create_collector(tenant, "Eigentümerversammlung 2027", &docs, "Frau Sommer")
        .await?;
    println!(
        "\nSammler „{}“ – Vorschau\n\n{}",
        collector.name,
        preview.render(Language::De)
    );

    // Send, and watch the deliveries go out.
    let mut events = outbox.subscribe();
    let report = outbox
        .send_collector(tenant, collector.id, "Frau Sommer")
        .await?;
    for n in &report.not_ready {
        let reasons: Vec<String> = n.problems.iter().map(|p| p.message(Language::De)).collect();
        println!(
            "nicht bereit: Lieferung {} ({}): {}",
            n.delivery,
            n.route.label(Language::De),
            reasons.join(" ")
        );
    }
    for (doc, recipient) in &report.without_route {
        println!("ohne Versandweg: Dokument {doc}, Empfänger {recipient}");
    }
    let bar = ProgressBar::new(report.queued.len() as u64)
        .with_style(
            ProgressStyle::with_template("{prefix:>10} [{bar:40}] {pos}/{len} {msg}")?
                .progress_chars("=> "),
        )
        .with_prefix("Versand");
    let mut seen: HashMap<DeliveryId, u32> = HashMap::new();
    loop {
        let stats = outbox.dispatch_once().await?;
        while let Ok(e) = events.try_recv() {
            let n = seen.entry(e.delivery).or_default();
            *n += 1;
            // Done: handed over (sent), failed, or — E-POST — accepted for printing (the second
            // "in progress" after the claim).
            let done = matches!(e.status, StatusKind::Sent | StatusKind::Failed)
                || (e.status == StatusKind::InProgress && e.route == Route::EpostLetter && *n == 2);
            if done {
                bar.inc(1);
                bar.set_message(format!(
                    "{} an Lieferung {}",
                    e.route.label(Language::De),
                    e.delivery
                ));
            }
        }
        if stats.claimed == 0 {
            break;
        }
    }
    bar.finish_with_message("alle übergeben");

    // Three days later: Deutsche Post has printed the letters; two owners download.
    outbox.with_epost_fake(|f| f.advance(Duration::from_secs(3 * 24 * 3600)));
    let downloads = simulate_recipients(&outbox, tenant, &docs).await?;
    outbox.run_until_idle(Duration::from_secs(30)).await?;

    print_overview(&outbox, tenant).await?;
    print_downloads(&outbox, tenant, &docs).await?;

    // Leave the letters as PDFs beside the mails.
    let letters_dir = dir.join("letters");
    std::fs::create_dir_all(&letters_dir)?;
    let letters = outbox.with_epost_fake(|f| f.letters()).unwrap_or_default();
    for l in &letters {
        std::fs::write(
            letters_dir.join(format!(
                "brief-{}.pdf",
                l.fields.custom1.clone().unwrap_or_default()
            )),
            &l.pdf,
        )?;
    }
    let abs = std::fs::canonicalize(&dir)?;
    println!("\nErgebnisse in {}:", abs.display());
    println!(
        "  letters/      {} E-Post-Briefe als PDF (so, wie die Post sie druckt)",
        letters.len()
    );
    println!("  mail/         E-Mails als .eml (Anhänge, Freigabe-Benachrichtigungen)");
    println!(
        "  shares/       gespeicherte Freigabe-Dateien; Links: {}",
        downloads.join(", ")
    );
    println!("  outbox.db     der Postausgang (SQLite)");
    outbox.shutdown().await;
    Ok(())
}

/// Anna Schäfer downloads from the portal, Dr. Öztürk opens his e-mail link.
async fn simulate_recipients(
    outbox: &Outbox,
    tenant: TenantId,
    docs: &[DocumentId],
) -> Result<Vec<String>, BoxError> {
    // Redirects are not followed, so the portal's login answer (with its cookie) is seen.
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let mut links = Vec::new();
    for d in docs {
        for row in outbox.inspect_document(tenant, *d).await? {
            if row.status != StatusKind::Sent {
                continue;
            }
            match (row.route, row.recipient.0) {
                (Route::EmailShare, 4) => {
                    if let Some(link) = outbox.share_link(tenant, row.delivery).await?
                        && !links.contains(&link)
                    {
                        // The page, then the first document.
                        http.get(&link).send().await?.error_for_status()?;
                        http.get(format!("{link}/d/0"))
                            .send()
                            .await?
                            .error_for_status()?;
                        links.push(link);
                    }
                }
                (Route::PortalShare, 3) => {
                    let base = outbox.portal_url().trim_end_matches('/').to_owned();
                    let login = http
                        .post(format!("{base}/login"))
                        .header(
                            reqwest::header::CONTENT_TYPE,
                            "application/x-www-form-urlencoded",
                        )
                        .body("login=eigentuemer3&password=Lindenhof-2027")
                        .send()
                        .await?;
                    let cookie = login
                        .headers()
                        .get(reqwest::header::SET_COOKIE)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.split(';').next())
                        .ok_or("the portal set no session cookie")?
                        .to_owned();
                    http.get(format!("{base}/documents/{}/{}", row.delivery, d))
                        .header(reqwest::header::COOKIE, cookie)
                        .send()
                        .await?
                        .error_for_status()?;
                }
                _ => {}
            }
        }
    }
    Ok(links)
}

async fn print_overview(outbox: &Outbox, tenant: TenantId) -> Result<(), BoxError> {
    let page = outbox
        .list_documents(tenant, OverviewSort::NewestFirst, Page::first(50))
        .await?;
    println!("\nPostausgang");
    println!(
        "{:<30} {:>9}  {:<56} {:>5} {:>7} {:>6} {:>6} {:>6}",
        "Bezeichnung", "Empfänger", "Versandwege", "vorb.", "in Bea.", "fehl.", "vers.", "herun."
    );
    for r in &page.rows {
        let routes: Vec<&str> = r.routes.iter().map(|x| x.label(Language::De)).collect();
        let p = r.progress;
        println!(
            "{:<30} {:>9}  {:<56} {:>5} {:>7} {:>6} {:>6} {:>6}",
            r.title,
            r.recipients,
            routes.join(", "),
            p.prepared,
            p.in_progress,
            p.failed,
            p.sent,
            p.downloaded
        );
    }
    Ok(())
}

async fn print_downloads(
    outbox: &Outbox,
    tenant: TenantId,
    docs: &[DocumentId],
) -> Result<(), BoxError> {
    println!("\nDownloads (Zustellnachweis)");
    let mut seen = Vec::new();
    for d in docs {
        for row in outbox.inspect_document(tenant, *d).await? {
            if !row.route.has_download_proof()
                || row.status == StatusKind::Cancelled
                || seen.contains(&row.delivery)
            {
                continue;
            }
            seen.push(row.delivery);
            for dl in outbox.store().list_downloads(tenant, row.delivery).await? {
                let title = outbox
                    .store()
                    .get_document(tenant, dl.document)
                    .await?
                    .document
                    .title;
                println!(
                    "  {}  {:<16} {:<22} {:<38} ({})",
                    dl.at.format("%d.%m.%Y %H:%M:%S"),
                    row.route.label(Language::De),
                    row.recipient_name,
                    title,
                    dl.by
                );
            }
        }
    }
    Ok(())
}
