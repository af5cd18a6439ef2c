//! The planning pass: sort the items by a packed key, then group them in one linear pass.

use std::collections::HashMap;

use outbox_model::{
    EpostSettings, MAX_SHARE_VALIDITY_DAYS, MIN_SHARE_VALIDITY_DAYS, MailAccountId, Route,
};

use crate::plan::DeliveryRecord;
use crate::price::letter_pages_and_sheets;
use crate::sort::sorted_keys;
use crate::{
    CostModel, DocumentIndex, FailureReason, Plan, PlanError, PlanInput, PlannedFailure, Preview,
    RecipientIndex, SplitReason,
};

/// Most pages of one E-POST letter, cover sheet included (API error `E304`).
pub const EPOST_MAX_PAGES: u32 = 94;
/// Most bytes of one E-POST letter: 20 MB counted as 20 × 10^6 bytes, which stays below the API's
/// limit (`E303`) whether that means 10^6 or 2^20 bytes per MB.
pub const EPOST_MAX_BYTES: u64 = 20_000_000;

const EPOST: usize = 0;
const EMAIL: usize = 1;
const PORTAL: usize = 2;
const SHARE: usize = 3;

/// Plans collectors: decides which documents travel together. See the crate documentation for
/// the rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Planner {
    cost: CostModel,
}

/// What the grouping pass needs of one document, precomputed once per document. One cache line,
/// as the pass reads one per item.
#[derive(Debug, Clone)]
#[repr(align(64))]
struct DocFacts {
    bytes: u64,
    email_max_bytes: u64,
    separate_cost: u64,
    pages: u32,
    separate_pages: u32,
    email_max_documents: u32,
    /// Compatibility class per route: documents of one class may share a delivery.
    class: [u32; 4],
    fail: [Option<FailureReason>; 4],
    epost: EpostSettings,
    bundled: bool,
}

/// Per-document tables of one plan.
struct DocTables {
    facts: Vec<DocFacts>,
    /// Per document and route: its position in the order (class, document position).
    ranks: Vec<[u32; 4]>,
    /// Per route: the document at each position of that order.
    doc_at: [Vec<u32>; 4],
}

/// The delivery being filled.
#[derive(Debug, Clone, Copy)]
struct Open {
    bytes: u64,
    min_bytes: u64,
    len: u32,
    body_pages: u32,
    min_documents: u32,
    class: u32,
    first_doc: u32,
    bundled: bool,
    split: Option<SplitReason>,
}

impl Planner {
    /// A planner with the given cost model.
    pub fn new(cost: CostModel) -> Self {
        Self { cost }
    }

    /// The cost model.
    pub fn cost_model(&self) -> &CostModel {
        &self.cost
    }

    /// Plans the input. Fails only on a malformed input (unknown index, an item given twice);
    /// items that cannot be delivered become [`PlannedFailure`]s.
    pub fn plan(&self, input: &PlanInput) -> Result<Plan, PlanError> {
        let docs = input.documents();
        let n_docs = docs.len();
        let n_recipients = input.recipients().len();
        let items = input.items();
        if u32::try_from(items.len()).is_err() {
            return Err(PlanError::TooManyItems);
        }

        let DocTables {
            facts,
            ranks,
            doc_at,
        } = self.document_facts(input);

        // Key: recipient | route (2 bits) | rank of the document in the route's order. Sorting
        // the keys groups the items by recipient and route and, within, by class then position.
        let rank_bits = bit_width(n_docs.saturating_sub(1) as u64);
        let group_shift = rank_bits;
        let recipient_shift = rank_bits + 2;
        let keys = sorted_keys(items, n_recipients, recipient_shift, |item| {
            let Some(rank) = ranks.get(item.document.get()) else {
                return Err(PlanError::UnknownDocument {
                    index: item.document.0,
                    documents: n_docs,
                });
            };
            let t = item.route.index();
            Ok((u64::from(item.recipient.0) << recipient_shift)
                | ((t as u64) << group_shift)
                | u64::from(rank[t]))
        })?;

        let mut pass = Pass {
            cost: &self.cost,
            facts: &facts,
            // Upper bounds; untouched capacity of a large allocation costs address space, not
            // memory, and is given back below.
            records: Vec::with_capacity(items.len()),
            documents: Vec::with_capacity(items.len()),
            failures: Vec::new(),
            preview: Preview::default(),
        };
        let rank_mask = (1u64 << rank_bits) - 1;
        let mut group = u64::MAX;
        let mut open: Option<Open> = None;
        // First document of the group's latest bundled delivery, to name what differs.
        let mut prev_bundled: Option<u32> = None;
        let mut counted_recipient = u64::MAX;
        let mut counted_group = u64::MAX;
        let mut previous_key: Option<u64> = None;

        for &key in &keys {
            let g = key >> group_shift;
            let t = (g & 3) as usize;
            let route = Route::ALL[t];
            let recipient = (key >> recipient_shift) as u32;
            // Keys were built from valid ranks, so the rank indexes `doc_at[t]`.
            let doc = doc_at[t][(key & rank_mask) as usize];
            if previous_key == Some(key) {
                return Err(PlanError::DuplicateItem {
                    document: docs[doc as usize].id,
                    recipient: input.recipients()[recipient as usize],
                    route,
                });
            }
            previous_key = Some(key);
            if g != group {
                if let Some(o) = open.take() {
                    pass.close(o, recipient_of(group), Route::ALL[(group & 3) as usize]);
                }
                group = g;
                prev_bundled = None;
            }
            let f = &facts[doc as usize];
            if let Some(reason) = f.fail[t] {
                pass.failures.push(PlannedFailure {
                    recipient: RecipientIndex(recipient),
                    route,
                    document: DocumentIndex(doc),
                    reason,
                });
                continue;
            }

            let sep = &mut pass.preview.separate;
            *sep.deliveries.slot(route) += 1;
            sep.total_bytes = sep.total_bytes.saturating_add(f.bytes);
            if t == EPOST {
                sep.epost_cost_cents = sep.epost_cost_cents.saturating_add(f.separate_cost);
                sep.largest_letter_pages = sep.largest_letter_pages.max(f.separate_pages);
            }

            let split = match open {
                Some(ref mut o) if o.bundled && f.bundled && o.class == f.class[t] => {
                    match fits(t, o, f) {
                        Ok(()) => {
                            o.len += 1;
                            o.body_pages = o.body_pages.saturating_add(f.pages);
                            o.bytes = o.bytes.saturating_add(f.bytes);
                            o.min_documents = o.min_documents.min(f.email_max_documents);
                            o.min_bytes = o.min_bytes.min(f.email_max_bytes);
                            pass.documents.push(DocumentIndex(doc));
                            continue;
                        }
                        Err(limit) => Some(limit),
                    }
                }
                _ if !f.bundled => Some(SplitReason::NotBundled),
                _ => prev_bundled.map(|p| class_difference(t, &facts[p as usize], f)),
            };
            if let Some(o) = open.take() {
                pass.close(o, recipient, route);
            }
            if u64::from(recipient) != counted_recipient {
                counted_recipient = u64::from(recipient);
                pass.preview.combined.recipients += 1;
            }
            if g != counted_group {
                counted_group = g;
                *pass.preview.combined.recipients_per_route.slot(route) += 1;
            }
            if f.bundled {
                prev_bundled = Some(doc);
            }
            open = Some(Open {
                bytes: f.bytes,
                min_bytes: f.email_max_bytes,
                len: 1,
                body_pages: f.pages,
                min_documents: f.email_max_documents,
                class: f.class[t],
                first_doc: doc,
                bundled: f.bundled,
                split,
            });
            pass.documents.push(DocumentIndex(doc));
        }
        if let Some(o) = open.take() {
            pass.close(o, recipient_of(group), Route::ALL[(group & 3) as usize]);
        }

        pass.records.shrink_to_fit();
        pass.documents.shrink_to_fit();
        let mut preview = pass.preview;
        preview.separate.recipients = preview.combined.recipients;
        preview.separate.recipients_per_route = preview.combined.recipients_per_route;
        preview.failures = pass.failures.len() as u64;
        Ok(Plan {
            records: pass.records,
            documents: pass.documents,
            failures: pass.failures,
            preview,
            document_ids: docs.iter().map(|d| d.id).collect(),
            contacts: input.recipients().to_vec(),
        })
    }

    /// Per-document facts; per document and route its rank in the order (class, position); and
    /// per route the document at each rank.
    fn document_facts(&self, input: &PlanInput) -> DocTables {
        let docs = input.documents();
        let mut classes = ClassNumbers::default();
        let facts: Vec<DocFacts> = docs
            .iter()
            .map(|d| {
                let s = &d.settings;
                let e = s.epost.clone();
                let (separate_pages, sheets) = letter_pages_and_sheets(d.pages, &e);
                let class = if s.bundled {
                    [
                        classes.epost(&e),
                        classes.email(s.email.account),
                        classes.portal(&s.portal.category),
                        classes.share(s.email_share.validity_days),
                    ]
                } else {
                    classes.fresh()
                };
                DocFacts {
                    bytes: d.bytes,
                    email_max_bytes: s.email.max_bytes(),
                    separate_cost: self.cost.letter_cents(sheets, &e),
                    pages: d.pages,
                    separate_pages,
                    email_max_documents: s.email.max_documents,
                    class,
                    fail: [
                        epost_failure(d.pages, d.bytes, &e),
                        email_failure(d.bytes, s.email.max_documents, s.email.max_bytes()),
                        None,
                        share_failure(s.email_share.validity_days),
                    ],
                    epost: e,
                    bundled: s.bundled,
                }
            })
            .collect();

        // Counting sort of the documents by class; classes are numbered by first appearance, so
        // the order is (first position of the class, position).
        let mut ranks = vec![[0u32; 4]; facts.len()];
        let mut doc_at: [Vec<u32>; 4] = Default::default();
        for (t, order) in doc_at.iter_mut().enumerate() {
            let mut starts = vec![0u32; classes.count[t] as usize + 1];
            for f in &facts {
                starts[f.class[t] as usize + 1] += 1;
            }
            for c in 1..starts.len() {
                starts[c] += starts[c - 1];
            }
            *order = vec![0; facts.len()];
            for (d, (f, rank)) in facts.iter().zip(ranks.iter_mut()).enumerate() {
                let slot = &mut starts[f.class[t] as usize];
                rank[t] = *slot;
                // At most MAX_DOCUMENTS documents, so positions fit in u32.
                order[*slot as usize] = d as u32;
                *slot += 1;
            }
        }
        DocTables {
            facts,
            ranks,
            doc_at,
        }
    }
}

/// Output buffers of the grouping pass.
struct Pass<'a> {
    cost: &'a CostModel,
    facts: &'a [DocFacts],
    records: Vec<DeliveryRecord>,
    documents: Vec<DocumentIndex>,
    failures: Vec<PlannedFailure>,
    preview: Preview,
}

impl Pass<'_> {
    fn close(&mut self, o: Open, recipient: u32, route: Route) {
        let (pages, sheets, cost_cents) = if route == Route::EpostLetter {
            // Documents of one E-POST class share their E-POST settings.
            let e = &self.facts[o.first_doc as usize].epost;
            let (pages, sheets) = letter_pages_and_sheets(o.body_pages, e);
            (pages, sheets, self.cost.letter_cents(sheets, e))
        } else {
            (o.body_pages, 0, 0)
        };
        let row = &mut self.preview.combined;
        *row.deliveries.slot(route) += 1;
        row.total_bytes = row.total_bytes.saturating_add(o.bytes);
        if route == Route::EpostLetter {
            row.epost_cost_cents = row.epost_cost_cents.saturating_add(cost_cents);
            row.largest_letter_pages = row.largest_letter_pages.max(pages);
        }
        self.records.push(DeliveryRecord {
            cost_cents,
            bytes: o.bytes,
            recipient,
            // At most u32::MAX items (checked in `plan`), so positions fit.
            end: self.documents.len() as u32,
            pages,
            sheets: u16::try_from(sheets).unwrap_or(u16::MAX),
            route,
            split: o.split,
        });
    }
}

/// The recipient position of a group key (recipient | route).
fn recipient_of(group: u64) -> u32 {
    (group >> 2) as u32
}

/// Whether document `f` still fits into the open delivery on route `t`; else the limit it breaks.
fn fits(t: usize, o: &Open, f: &DocFacts) -> Result<(), SplitReason> {
    match t {
        EPOST => {
            let cover = u32::from(f.epost.cover_sheet);
            if cover + o.body_pages.saturating_add(f.pages) > EPOST_MAX_PAGES {
                Err(SplitReason::Over94Pages)
            } else if o.bytes.saturating_add(f.bytes) > EPOST_MAX_BYTES {
                Err(SplitReason::Over20Megabytes)
            } else {
                Ok(())
            }
        }
        EMAIL => {
            if o.len >= o.min_documents.min(f.email_max_documents) {
                Err(SplitReason::MaxDocumentsReached)
            } else if o.bytes.saturating_add(f.bytes) > o.min_bytes.min(f.email_max_bytes) {
                Err(SplitReason::MaxMegabytesReached)
            } else {
                Ok(())
            }
        }
        _ => Ok(()),
    }
}

/// The first setting that differs between two bundled documents of different classes.
fn class_difference(t: usize, previous: &DocFacts, f: &DocFacts) -> SplitReason {
    match t {
        EPOST => {
            let (a, b) = (&previous.epost, &f.epost);
            if a.registered != b.registered {
                SplitReason::RegisteredDiffers
            } else if a.color != b.color {
                SplitReason::ColorDiffers
            } else if a.duplex != b.duplex {
                SplitReason::DuplexDiffers
            } else {
                SplitReason::CoverSheetDiffers
            }
        }
        EMAIL => SplitReason::AccountDiffers,
        PORTAL => SplitReason::CategoryDiffers,
        _ => SplitReason::ValidityDiffers,
    }
}

fn epost_failure(pages: u32, bytes: u64, e: &EpostSettings) -> Option<FailureReason> {
    if e.duplex && e.registered.is_registered() {
        Some(FailureReason::EpostDuplexWithRegistered)
    } else if pages == 0 {
        Some(FailureReason::EpostNoPages)
    } else if pages.saturating_add(u32::from(e.cover_sheet)) > EPOST_MAX_PAGES {
        Some(FailureReason::EpostOver94Pages)
    } else if bytes > EPOST_MAX_BYTES {
        Some(FailureReason::EpostOver20Megabytes)
    } else {
        None
    }
}

fn email_failure(bytes: u64, max_documents: u32, max_bytes: u64) -> Option<FailureReason> {
    if max_documents == 0 {
        Some(FailureReason::EmailMaxDocumentsZero)
    } else if bytes > max_bytes {
        Some(FailureReason::EmailOverMaxMegabytes)
    } else {
        None
    }
}

fn share_failure(validity_days: u8) -> Option<FailureReason> {
    (!(MIN_SHARE_VALIDITY_DAYS..=MAX_SHARE_VALIDITY_DAYS).contains(&validity_days))
        .then_some(FailureReason::ShareValidityOutOfRange)
}

/// Bits needed to write `x` (0 for 0).
fn bit_width(x: u64) -> u32 {
    u64::BITS - x.leading_zeros()
}

/// Dense class numbers per route, in order of first appearance.
#[derive(Default)]
struct ClassNumbers {
    count: [u32; 4],
    epost: HashMap<(u8, bool, bool, bool), u32>,
    email: HashMap<Option<MailAccountId>, u32>,
    portal: HashMap<String, u32>,
    share: HashMap<u8, u32>,
}

impl ClassNumbers {
    fn next(count: &mut u32) -> u32 {
        let c = *count;
        *count += 1;
        c
    }

    fn epost(&mut self, e: &EpostSettings) -> u32 {
        let key = (e.registered as u8, e.color, e.duplex, e.cover_sheet);
        let count = &mut self.count[EPOST];
        *self.epost.entry(key).or_insert_with(|| Self::next(count))
    }

    fn email(&mut self, account: Option<MailAccountId>) -> u32 {
        let count = &mut self.count[EMAIL];
        *self
            .email
            .entry(account)
            .or_insert_with(|| Self::next(count))
    }

    fn portal(&mut self, category: &str) -> u32 {
        if let Some(&c) = self.portal.get(category) {
            return c;
        }
        let c = Self::next(&mut self.count[PORTAL]);
        self.portal.insert(category.to_owned(), c);
        c
    }

    fn share(&mut self, days: u8) -> u32 {
        let count = &mut self.count[SHARE];
        *self.share.entry(days).or_insert_with(|| Self::next(count))
    }

    /// A class of its own on every route, for a document that is never combined.
    fn fresh(&mut self) -> [u32; 4] {
        let mut c = [0; 4];
        for (slot, count) in c.iter_mut().zip(self.count.iter_mut()) {
            *slot = Self::next(count);
        }
        c
    }
}
