//! The collector preview for one owners' association (WEG).
//!
//! Run with `cargo run -p outbox-planner --example plan_preview`.
//!
//! Eight owners get the invitation to the owners' meeting and the business plan; five of them,
//! who own garage spaces, also get the invitation to the garage owners' meeting. Some owners want
//! their mail on several routes. The business plan is large, so it does not fit into one e-mail
//! with the invitations.

use outbox_model::{ContactId, DocumentId, Language, Route, SendSettings};
use outbox_planner::{PlanDocument, PlanInput, Planner};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut input = PlanInput::new();
    let doc = |id, pages, bytes| PlanDocument {
        id: DocumentId(id),
        pages,
        bytes,
        settings: SendSettings::default(),
    };
    let titles = [
        "Einladung Eigentümerversammlung",
        "Einladung Tiefgaragen-Versammlung",
        "Wirtschaftsplan 2027",
    ];
    let meeting = input.add_document(doc(1, 3, 350_000))?;
    let garage = input.add_document(doc(2, 2, 220_000))?;
    let business_plan = input.add_document(doc(3, 7, 9_600_000))?;

    use Route::*;
    let owners: [(&str, &[Route]); 8] = [
        ("Eheleute Müller", &[EpostLetter, Email]),
        ("Jürgen Weiß", &[EpostLetter]),
        ("Anna Schäfer", &[EmailShare]),
        ("Dr. Peter Braun", &[Email, PortalShare]),
        ("Erbengemeinschaft Koch", &[EpostLetter]),
        ("Maria Lange", &[PortalShare]),
        ("Thomas Wolf", &[EpostLetter, EmailShare]),
        ("Hausverwaltung Nord GmbH", &[Email]),
    ];
    let garage_owners = [0, 1, 3, 4, 6];
    let mut names = Vec::new();
    for (i, (name, routes)) in owners.iter().enumerate() {
        let r = input.recipient(ContactId(100 + i as u64))?;
        names.push(*name);
        for &route in *routes {
            input.add_item(meeting, r, route);
            input.add_item(business_plan, r, route);
            if garage_owners.contains(&i) {
                input.add_item(garage, r, route);
            }
        }
    }

    let plan = Planner::default().plan(&input)?;
    println!("WEG Lindenhof — Sammler \"Eigentümerversammlung 2027\"\n");
    println!("{}", plan.preview().render(Language::De));
    println!("{}", plan.preview().render(Language::En));

    println!("Geplante Zustellungen / planned deliveries:");
    for d in plan.deliveries() {
        let docs: Vec<&str> = d.documents.iter().map(|x| titles[x.get()]).collect();
        let split = d
            .split
            .map(|s| format!(" — getrennt: {}", s.label(Language::De)))
            .unwrap_or_default();
        let letter = if d.route == EpostLetter {
            format!(
                ", {} S./{} Blatt, {},{:02} EUR",
                d.pages,
                d.sheets,
                d.cost_cents / 100,
                d.cost_cents % 100
            )
        } else {
            String::new()
        };
        println!(
            "  {:<26} {:<16} {}{letter}{split}",
            names[d.recipient.get()],
            d.route.label(Language::De),
            docs.join(" + "),
        );
    }
    for f in plan.failures() {
        println!(
            "  {} / {} / {}: {}",
            names[f.recipient.get()],
            f.route.label(Language::De),
            titles[f.document.get()],
            f.reason.label(Language::De)
        );
    }
    Ok(())
}
