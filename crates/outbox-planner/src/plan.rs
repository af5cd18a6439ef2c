//! The plan: planned deliveries and planned failures in flat arrays.
//!
//! A plan for a million items holds hundreds of thousands of deliveries, so it does not give each
//! delivery its own `Vec`: all deliveries' documents lie back to back in one vector and each
//! delivery is a fixed-size record pointing into it. Accessors hand out borrowed views.

use outbox_model::{ContactId, DocumentId, Route};

use crate::{DocumentIndex, FailureReason, Preview, RecipientIndex, SplitReason};

/// One delivery in the flat layout (32 bytes). Its documents are
/// `documents[previous record's end..end]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DeliveryRecord {
    pub(crate) cost_cents: u64,
    pub(crate) bytes: u64,
    pub(crate) recipient: u32,
    pub(crate) end: u32,
    pub(crate) pages: u32,
    /// E-POST letters keep to 94 pages, so their sheets fit; other routes have none.
    pub(crate) sheets: u16,
    pub(crate) route: Route,
    pub(crate) split: Option<SplitReason>,
}

/// A planned delivery: one recipient, one route, one or more documents in document order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlannedDelivery<'a> {
    /// The recipient's position in the input.
    pub recipient: RecipientIndex,
    /// The recipient.
    pub contact: ContactId,
    /// The route.
    pub route: Route,
    /// The documents, in document order.
    pub documents: &'a [DocumentIndex],
    /// Pages: for E-POST the letter's pages including the cover sheet; otherwise the documents'
    /// pages.
    pub pages: u32,
    /// Printed sheets of an E-POST letter (cover sheet included); 0 on other routes.
    pub sheets: u32,
    /// Total size of the documents in bytes.
    pub bytes: u64,
    /// Estimated E-POST price in cents (net, surcharges included); 0 on other routes.
    pub cost_cents: u64,
    /// Why this delivery is not combined with the recipient's previous one on this route;
    /// `None` for the first bundled delivery of a recipient and route.
    pub split: Option<SplitReason>,
}

/// A (document, recipient, route) item that cannot be delivered, decided before sending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PlannedFailure {
    /// The recipient's position in the input.
    pub recipient: RecipientIndex,
    /// The route.
    pub route: Route,
    /// The document.
    pub document: DocumentIndex,
    /// Why it cannot be delivered.
    pub reason: FailureReason,
}

/// The result of planning a collector.
///
/// Deliveries are ordered by recipient position, then route ([`Route::index`]), then the order
/// of [`crate`]'s rule (compatibility group, then document order); failures likewise by
/// recipient, route and document rank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub(crate) records: Vec<DeliveryRecord>,
    pub(crate) documents: Vec<DocumentIndex>,
    pub(crate) failures: Vec<PlannedFailure>,
    pub(crate) preview: Preview,
    pub(crate) document_ids: Vec<DocumentId>,
    pub(crate) contacts: Vec<ContactId>,
}

impl Plan {
    /// Number of planned deliveries.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether no delivery is planned.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The delivery at position `i`, if any.
    pub fn delivery(&self, i: usize) -> Option<PlannedDelivery<'_>> {
        self.records.get(i).map(|r| self.view(i, r))
    }

    /// All planned deliveries, in plan order.
    pub fn deliveries(&self) -> impl ExactSizeIterator<Item = PlannedDelivery<'_>> + '_ {
        self.records
            .iter()
            .enumerate()
            .map(|(i, r)| self.view(i, r))
    }

    /// All planned failures.
    pub fn failures(&self) -> &[PlannedFailure] {
        &self.failures
    }

    /// The figures of the collector screen.
    pub fn preview(&self) -> &Preview {
        &self.preview
    }

    /// Every delivery's documents back to back, in plan order.
    pub fn all_delivery_documents(&self) -> &[DocumentIndex] {
        &self.documents
    }

    /// The identifier of a document of the input.
    pub fn document_id(&self, document: DocumentIndex) -> Option<DocumentId> {
        self.document_ids.get(document.get()).copied()
    }

    /// The contact of a recipient of the input.
    pub fn contact(&self, recipient: RecipientIndex) -> Option<ContactId> {
        self.contacts.get(recipient.get()).copied()
    }

    /// Bytes the plan holds on the heap (its vectors' capacities), for sizing.
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        self.records.capacity() * size_of::<DeliveryRecord>()
            + self.documents.capacity() * size_of::<DocumentIndex>()
            + self.failures.capacity() * size_of::<PlannedFailure>()
            + self.document_ids.capacity() * size_of::<DocumentId>()
            + self.contacts.capacity() * size_of::<ContactId>()
    }

    fn view<'a>(&'a self, i: usize, r: &DeliveryRecord) -> PlannedDelivery<'a> {
        let start = match i.checked_sub(1) {
            Some(previous) => self.records[previous].end as usize,
            None => 0,
        };
        PlannedDelivery {
            recipient: RecipientIndex(r.recipient),
            // The planner checked every recipient index against the input it copied.
            contact: self.contacts[r.recipient as usize],
            route: r.route,
            // The planner wrote the records' ends ascending and within `documents`.
            documents: &self.documents[start..r.end as usize],
            pages: r.pages,
            sheets: u32::from(r.sheets),
            bytes: r.bytes,
            cost_cents: r.cost_cents,
            split: r.split,
        }
    }
}
