//! Deterministic synthetic collectors for benchmarks and load tests.
//!
//! The shape follows a large property administration sending the yearly meeting round: many
//! owners' associations (WEG) of 8 to 80 owners, three documents per association (invitation,
//! business plan, building plan) for all its owners, each owner on one or two routes, a tenth of
//! the documents not bundled, and mixed print, mail and share settings.

use outbox_model::{ContactId, DocumentId, MailAccountId, RegisteredMail, Route, SendSettings};

use crate::{PlanDocument, PlanError, PlanInput};

/// A small, fast, deterministic generator (SplitMix64).
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }

    /// `true` with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// A collector with exactly `items` (document, recipient, route) items, the same for the same
/// seed.
pub fn realistic_input(items: usize, seed: u64) -> Result<PlanInput, PlanError> {
    let mut rng = SplitMix64::new(seed);
    // About 3 documents × 1.5 routes per owner.
    let owners_estimate = items / 4 + 1;
    let mut input = PlanInput::with_capacity(owners_estimate / 10 + 3, owners_estimate, items);
    let mut next_contact = 1u64;
    let mut next_document = 1u64;
    let mut weg = 0u64;
    while input.items().len() < items {
        weg += 1;
        let owner_count = 8 + rng.below(73);
        let owners: Vec<(ContactId, [Option<Route>; 2])> = (0..owner_count)
            .map(|_| {
                let id = ContactId(next_contact);
                next_contact += 1;
                let first = pick_route(&mut rng);
                let second = rng
                    .chance(50)
                    .then(|| pick_route(&mut rng))
                    .filter(|r| *r != first);
                (id, [Some(first), second])
            })
            .collect();
        let mut docs = Vec::with_capacity(3);
        for _ in 0..3 {
            let d = input.add_document(document(&mut rng, DocumentId(next_document), weg))?;
            next_document += 1;
            docs.push(d);
        }
        for &d in &docs {
            for (contact, routes) in &owners {
                let r = input.recipient(*contact)?;
                for route in routes.iter().flatten() {
                    if input.items().len() < items {
                        input.add_item(d, r, *route);
                    }
                }
            }
        }
    }
    Ok(input)
}

fn pick_route(rng: &mut SplitMix64) -> Route {
    match rng.below(100) {
        0..50 => Route::EpostLetter,
        50..75 => Route::Email,
        75..90 => Route::PortalShare,
        _ => Route::EmailShare,
    }
}

fn document(rng: &mut SplitMix64, id: DocumentId, weg: u64) -> PlanDocument {
    let pages = if rng.chance(5) {
        30 + rng.below(80) as u32
    } else {
        1 + rng.below(12) as u32
    };
    let bytes = u64::from(pages) * (40_000 + rng.below(160_000));
    let mut settings = SendSettings {
        bundled: !rng.chance(10),
        ..SendSettings::default()
    };
    settings.epost.color = rng.chance(20);
    settings.epost.duplex = rng.chance(30);
    if !settings.epost.duplex && rng.chance(10) {
        settings.epost.registered = RegisteredMail::EinwurfEinschreiben;
    }
    settings.epost.cover_sheet = !rng.chance(5);
    settings.email.account = rng.chance(30).then_some(MailAccountId(1 + weg % 3));
    settings.email.max_documents = 2 + rng.below(9) as u32;
    settings.email.max_megabytes = 5 + rng.below(16) as u32;
    settings.portal.category =
        ["Einladungen", "Abrechnungen", "Pläne"][rng.below(3) as usize].to_owned();
    settings.email_share.validity_days = if rng.chance(70) { 7 } else { 9 };
    PlanDocument {
        id,
        pages,
        bytes,
        settings,
    }
}
