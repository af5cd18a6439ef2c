//! Property tests: coverage, compatibility and limits, determinism, costs, and the fewest
//! deliveries the in-order rule allows.

use std::collections::{BTreeMap, HashMap};

use outbox_model::{ContactId, DocumentId, MailAccountId, RegisteredMail, Route, SendSettings};
use outbox_planner::{
    CostModel, EPOST_MAX_BYTES, EPOST_MAX_PAGES, Plan, PlanDocument, PlanInput, Planner,
    SplitReason, letter_pages_and_sheets,
};
use proptest::prelude::*;

const MB: u64 = 1_000_000;

fn settings() -> impl Strategy<Value = SendSettings> {
    (
        (0u8..10, any::<bool>(), any::<bool>(), 0u8..4, 0u8..10),
        (0u8..3, 0u32..5, 1u32..8, 0u8..3, 0u8..20),
    )
        .prop_map(
            |(
                (bundled, color, duplex, registered, cover),
                (account, max_docs, max_mb, cat, days),
            )| {
                let mut s = SendSettings {
                    bundled: bundled != 0,
                    ..SendSettings::default()
                };
                s.epost.color = color;
                s.epost.duplex = duplex;
                s.epost.registered = [
                    RegisteredMail::None,
                    RegisteredMail::None,
                    RegisteredMail::EinwurfEinschreiben,
                    RegisteredMail::Einschreiben,
                ][registered as usize];
                s.epost.cover_sheet = cover != 0;
                s.email.account = (account > 0).then_some(MailAccountId(u64::from(account)));
                s.email.max_documents = max_docs;
                s.email.max_megabytes = max_mb;
                s.portal.category = ["A", "B", "C"][cat as usize].to_owned();
                // Mostly valid (1..=9), sometimes 0 or 10.
                s.email_share.validity_days = match days {
                    18 => 0,
                    19 => 10,
                    d => d % 9 + 1,
                };
                s
            },
        )
}

fn document() -> impl Strategy<Value = (u32, u64, SendSettings)> {
    (
        // Values that meet the page and size limits exactly or by one.
        prop_oneof![
            0u32..4,
            1u32..20,
            prop::sample::select(vec![31u32, 46, 47, 48, 93, 94]),
        ],
        prop_oneof![
            1u64..3 * MB,
            prop::sample::select(vec![MB, 2 * MB, 3 * MB, 7 * MB, 10 * MB, 10 * MB + 1]),
        ],
        settings(),
    )
}

/// Documents, recipient count, and a selection of (document, recipient, route) items with a
/// permutation to add them in.
fn scenario() -> impl Strategy<Value = (PlanInput, Vec<usize>)> {
    (prop::collection::vec(document(), 1..9), 1usize..6).prop_flat_map(|(docs, recipients)| {
        let universe = docs.len() * recipients * 4;
        (
            Just(docs),
            Just(recipients),
            prop::collection::vec(any::<bool>(), universe),
            Just((0..universe).collect::<Vec<_>>()).prop_shuffle(),
        )
            .prop_map(|(docs, recipients, chosen, order)| {
                let mut input = PlanInput::new();
                for (i, (pages, bytes, settings)) in docs.iter().enumerate() {
                    input
                        .add_document(PlanDocument {
                            id: DocumentId(1000 + i as u64),
                            pages: *pages,
                            bytes: *bytes,
                            settings: settings.clone(),
                        })
                        .unwrap();
                }
                for r in 0..recipients {
                    input.recipient(ContactId(50 + r as u64)).unwrap();
                }
                let picked: Vec<usize> = order.into_iter().filter(|&u| chosen[u]).collect();
                (input, picked)
            })
    })
}

/// Few recipients with many documents each, so a recipient has more items than the insertion
/// sort takes.
fn crowded_scenario() -> impl Strategy<Value = (PlanInput, Vec<usize>)> {
    (prop::collection::vec(document(), 30..60), 1usize..3).prop_flat_map(|(docs, recipients)| {
        let universe = docs.len() * recipients * 4;
        (
            Just(docs),
            Just(recipients),
            Just((0..universe).collect::<Vec<_>>()).prop_shuffle(),
        )
            .prop_map(|(docs, recipients, order)| {
                let mut input = PlanInput::new();
                for (i, (pages, bytes, settings)) in docs.iter().enumerate() {
                    input
                        .add_document(PlanDocument {
                            id: DocumentId(1000 + i as u64),
                            pages: *pages,
                            bytes: *bytes,
                            settings: settings.clone(),
                        })
                        .unwrap();
                }
                for r in 0..recipients {
                    input.recipient(ContactId(50 + r as u64)).unwrap();
                }
                (input, order)
            })
    })
}

fn with_items(base: &PlanInput, universe: &[usize], recipients: usize) -> PlanInput {
    let mut input = base.clone();
    for &u in universe {
        let route = Route::ALL[u % 4];
        let r = (u / 4) % recipients;
        let d = u / 4 / recipients;
        input.add_item(
            outbox_planner::DocumentIndex(d as u32),
            outbox_planner::RecipientIndex(r as u32),
            route,
        );
    }
    input
}

/// The settings that must agree for two documents to share a delivery on `route`.
fn compat_key(route: Route, s: &SendSettings) -> String {
    match route {
        Route::EpostLetter => format!(
            "{:?}{}{}{}",
            s.epost.registered, s.epost.color, s.epost.duplex, s.epost.cover_sheet
        ),
        Route::Email => format!("{:?}", s.email.account),
        Route::PortalShare => s.portal.category.clone(),
        Route::EmailShare => s.email_share.validity_days.to_string(),
    }
}

/// Whether these documents, in this order, may form one delivery on `route`.
fn run_ok(route: Route, docs: &[&PlanDocument]) -> bool {
    let bytes: u64 = docs.iter().map(|d| d.bytes).sum();
    let pages: u32 = docs.iter().map(|d| d.pages).sum();
    match route {
        Route::EpostLetter => {
            let cover = u32::from(docs[0].settings.epost.cover_sheet);
            pages + cover <= EPOST_MAX_PAGES && bytes <= EPOST_MAX_BYTES
        }
        Route::Email => {
            let max_docs = docs.iter().map(|d| d.settings.email.max_documents).min();
            let max_bytes = docs.iter().map(|d| d.settings.email.max_bytes()).min();
            max_docs.is_some_and(|m| docs.len() as u32 <= m)
                && max_bytes.is_some_and(|m| bytes <= m)
        }
        _ => true,
    }
}

/// The fewest contiguous runs of `docs` that each satisfy `run_ok` (dynamic programming).
fn fewest_runs(route: Route, docs: &[&PlanDocument]) -> usize {
    let mut best = vec![usize::MAX; docs.len() + 1];
    best[0] = 0;
    for end in 1..=docs.len() {
        for start in 0..end {
            if best[start] != usize::MAX && run_ok(route, &docs[start..end]) {
                best[end] = best[end].min(best[start] + 1);
            }
        }
    }
    best[docs.len()]
}

fn check_plan(input: &PlanInput, plan: &Plan) -> Result<(), TestCaseError> {
    let docs = input.documents();
    let cost = CostModel::default();

    // Coverage: every item exactly once.
    let mut seen: HashMap<(u32, u32, Route), u32> = HashMap::new();
    for d in plan.deliveries() {
        for doc in d.documents {
            *seen.entry((doc.0, d.recipient.0, d.route)).or_default() += 1;
        }
    }
    for f in plan.failures() {
        *seen
            .entry((f.document.0, f.recipient.0, f.route))
            .or_default() += 1;
    }
    prop_assert_eq!(seen.len(), input.items().len());
    for item in input.items() {
        prop_assert_eq!(
            seen.get(&(item.document.0, item.recipient.0, item.route)),
            Some(&1)
        );
    }

    // Every delivery: document order, compatible, within limits, figures and cost right.
    let mut combined_cost = 0;
    let mut per_route = [0u64; 4];
    for d in plan.deliveries() {
        per_route[d.route.index()] += 1;
        prop_assert!(!d.documents.is_empty());
        prop_assert!(d.documents.windows(2).all(|w| w[0] < w[1]));
        let ds: Vec<&PlanDocument> = d.documents.iter().map(|x| &docs[x.get()]).collect();
        if ds.len() > 1 {
            prop_assert!(ds.iter().all(|x| x.settings.bundled));
            let key = compat_key(d.route, &ds[0].settings);
            prop_assert!(ds.iter().all(|x| compat_key(d.route, &x.settings) == key));
        }
        prop_assert!(run_ok(d.route, &ds));
        prop_assert_eq!(d.bytes, ds.iter().map(|x| x.bytes).sum::<u64>());
        let body: u32 = ds.iter().map(|x| x.pages).sum();
        if d.route == Route::EpostLetter {
            let e = &ds[0].settings.epost;
            let (pages, sheets) = letter_pages_and_sheets(body, e);
            prop_assert_eq!((d.pages, d.sheets), (pages, sheets));
            prop_assert_eq!(d.cost_cents, cost.letter_cents(sheets, e));
        } else {
            prop_assert_eq!((d.pages, d.sheets, d.cost_cents), (body, 0, 0));
        }
        combined_cost += d.cost_cents;
    }

    // Split reasons: "not bundled" on lone unbundled documents, none on the first bundled
    // delivery of a recipient and route, a reason on every later one.
    let mut bundled_seen: std::collections::HashSet<(u32, Route)> = Default::default();
    for d in plan.deliveries() {
        if !docs[d.documents[0].get()].settings.bundled {
            prop_assert_eq!(d.documents.len(), 1);
            prop_assert_eq!(d.split, Some(SplitReason::NotBundled));
        } else if bundled_seen.insert((d.recipient.0, d.route)) {
            prop_assert_eq!(d.split, None);
        } else {
            prop_assert!(d.split.is_some_and(|r| r != SplitReason::NotBundled));
        }
    }

    // Costs add up.
    let p = plan.preview();
    prop_assert_eq!(p.combined.epost_cost_cents, combined_cost);
    prop_assert_eq!(p.combined.deliveries.0, per_route);
    let mut separate_cost = 0;
    let mut separate_count = [0u64; 4];
    let mut delivered_bytes = 0;
    let failed: std::collections::HashSet<_> = plan
        .failures()
        .iter()
        .map(|f| (f.document, f.recipient, f.route))
        .collect();
    for item in input.items() {
        if failed.contains(&(item.document, item.recipient, item.route)) {
            continue;
        }
        let doc = &docs[item.document.get()];
        separate_count[item.route.index()] += 1;
        delivered_bytes += doc.bytes;
        if item.route == Route::EpostLetter {
            let (_, sheets) = letter_pages_and_sheets(doc.pages, &doc.settings.epost);
            separate_cost += cost.letter_cents(sheets, &doc.settings.epost);
        }
    }
    prop_assert_eq!(p.separate.epost_cost_cents, separate_cost);
    prop_assert_eq!(p.separate.deliveries.0, separate_count);
    prop_assert_eq!(p.separate.total_bytes, delivered_bytes);
    prop_assert_eq!(p.combined.total_bytes, delivered_bytes);
    prop_assert_eq!(
        p.epost_saving_cents(),
        separate_cost as i64 - combined_cost as i64
    );
    prop_assert_eq!(p.failures, plan.failures().len() as u64);

    // Fewest deliveries: per (recipient, route, compatibility class) the greedy runs are as
    // few as any split into contiguous runs can be.
    let mut classes: BTreeMap<(u32, Route, String), Vec<u32>> = BTreeMap::new();
    let mut planned: BTreeMap<(u32, Route, String), usize> = BTreeMap::new();
    for item in input.items() {
        let doc = &docs[item.document.get()];
        if failed.contains(&(item.document, item.recipient, item.route)) || !doc.settings.bundled {
            continue;
        }
        classes
            .entry((
                item.recipient.0,
                item.route,
                compat_key(item.route, &doc.settings),
            ))
            .or_default()
            .push(item.document.0);
    }
    for d in plan.deliveries() {
        let first = &docs[d.documents[0].get()];
        if first.settings.bundled {
            *planned
                .entry((d.recipient.0, d.route, compat_key(d.route, &first.settings)))
                .or_default() += 1;
        }
    }
    for (key, mut positions) in classes {
        positions.sort_unstable();
        let ds: Vec<&PlanDocument> = positions.iter().map(|&x| &docs[x as usize]).collect();
        prop_assert_eq!(planned.get(&key).copied(), Some(fewest_runs(key.1, &ds)));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn plans_cover_every_item_once_within_limits_and_costs_add_up(
        (base, universe) in scenario()
    ) {
        let recipients = base.recipients().len();
        let input = with_items(&base, &universe, recipients);
        let plan = Planner::default().plan(&input).unwrap();
        check_plan(&input, &plan)?;
    }

    #[test]
    fn the_same_input_gives_the_same_plan_whatever_the_item_order(
        (base, universe) in scenario()
    ) {
        let recipients = base.recipients().len();
        let input = with_items(&base, &universe, recipients);
        let mut reversed = universe.clone();
        reversed.reverse();
        let other = with_items(&base, &reversed, recipients);
        let planner = Planner::default();
        let plan = planner.plan(&input).unwrap();
        prop_assert_eq!(&plan, &planner.plan(&input).unwrap());
        prop_assert_eq!(&plan, &planner.plan(&other).unwrap());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(60))]

    #[test]
    fn recipients_with_many_items_are_planned_alike(
        (base, universe) in crowded_scenario()
    ) {
        let recipients = base.recipients().len();
        let input = with_items(&base, &universe, recipients);
        let mut reversed = universe.clone();
        reversed.reverse();
        let other = with_items(&base, &reversed, recipients);
        let plan = Planner::default().plan(&input).unwrap();
        check_plan(&input, &plan)?;
        prop_assert_eq!(&plan, &Planner::default().plan(&other).unwrap());
    }
}

#[test]
fn synthetic_inputs_satisfy_the_invariants() {
    for (n, seed) in [(1_000, 1), (5_000, 2), (20_000, 3)] {
        let input = outbox_planner::synthetic::realistic_input(n, seed).unwrap();
        assert_eq!(input.items().len(), n);
        let plan = Planner::default().plan(&input).unwrap();
        check_plan(&input, &plan).unwrap();
        assert!(plan.preview().epost_saving_cents() > 0);
    }
}
