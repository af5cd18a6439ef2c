//! Quickstart: a WEG (owners' association) with owners who prefer different routes.
//!
//! Run with `cargo run --example quickstart`. It needs no server and no credentials.
//! This version shows the domain model: contacts with preferred routes, validation that reports
//! every problem at once, deliveries moving through their statuses, and the progress counts.

use chrono::Utc;
use outbox::model::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let tenant = TenantId(1);
    let owners = [
        (
            "Eheleute Müller",
            Some(("Lindenstraße 5", "50667", "Köln")),
            Some("mueller@example.de"),
            vec![Route::EpostLetter, Route::Email],
        ),
        (
            "Jürgen Weiß",
            Some(("Am Ring 12", "50668", "Köln")),
            None,
            vec![Route::EpostLetter],
        ),
        (
            "Anna Schäfer",
            None,
            Some("anna.schaefer@example.de"),
            vec![Route::EmailShare],
        ),
        (
            "Dr. Ömer Yıldız",
            Some(("Rheinufer 3", "5066", "Köln")),
            Some("yildiz@"),
            vec![Route::EpostLetter, Route::Email],
        ),
    ];
    let mut contacts = Vec::new();
    for (i, (name, addr, email, routes)) in owners.into_iter().enumerate() {
        let mut c = Contact::new(ContactId(i as u64 + 1), tenant, name);
        c.address =
            addr.map(|(street, zip, city)| PostalAddress::domestic([name, street], zip, city));
        c.email = email.map(str::to_owned);
        c.preferred_routes = RouteSet::try_from_routes(routes)?;
        contacts.push(c);
    }

    let settings = SendSettings::default();
    let mut deliveries = Vec::new();
    println!("{:<20} {:<16} readiness", "owner", "route");
    for c in &contacts {
        for route in &c.preferred_routes {
            let problems = check_recipient(route, Some(c), &settings.epost, true);
            let verdict = if problems.is_empty() {
                "ready".to_owned()
            } else {
                problems
                    .iter()
                    .map(|p| p.message(Language::De))
                    .collect::<Vec<_>>()
                    .join(" | ")
            };
            println!("{:<20} {:<16} {verdict}", c.name, route.label(Language::De));
            let mut d = Delivery::new(
                DeliveryId(deliveries.len() as u64 + 1),
                tenant,
                c.id,
                route,
                vec![DocumentId(1)],
                Utc::now(),
                "quickstart",
            );
            if problems.is_empty() {
                d.transition(DeliveryStatus::Queued, Utc::now(), "quickstart")?;
                d.transition(DeliveryStatus::InProgress, Utc::now(), "worker")?;
                d.transition(DeliveryStatus::Sent, Utc::now(), "worker")?;
            }
            deliveries.push(d);
        }
    }

    let progress = Progress::from_statuses(deliveries.iter().map(|d| &d.status));
    println!(
        "\nprogress: {} prepared, {} in progress, {} failed, {} sent, {} downloaded — {} in total",
        progress.prepared,
        progress.in_progress,
        progress.failed,
        progress.sent,
        progress.downloaded,
        progress.total
    );
    Ok(())
}
