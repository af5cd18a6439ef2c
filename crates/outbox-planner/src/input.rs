//! The planner's input: documents, recipients and the (document, recipient, route) items.

use std::collections::HashMap;

use outbox_model::{ContactId, Document, DocumentId, Route, SendSettings};

use crate::PlanError;

/// Most documents one plan can hold (2^30): the document's rank shares a 64-bit sort key with
/// the recipient and the route.
pub const MAX_DOCUMENTS: usize = 1 << 30;

/// Position of a document in [`PlanInput::documents`]. The position is the document order the
/// planner keeps inside every delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DocumentIndex(pub u32);

impl DocumentIndex {
    /// The position as a `usize`, for indexing.
    pub fn get(self) -> usize {
        self.0 as usize
    }
}

/// Position of a recipient in [`PlanInput::recipients`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RecipientIndex(pub u32);

impl RecipientIndex {
    /// The position as a `usize`, for indexing.
    pub fn get(self) -> usize {
        self.0 as usize
    }
}

/// What the planner needs to know about one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanDocument {
    /// The document's identifier.
    pub id: DocumentId,
    /// Number of pages of the PDF, without any cover sheet.
    pub pages: u32,
    /// Size of the PDF in bytes.
    pub bytes: u64,
    /// Its send settings.
    pub settings: SendSettings,
}

impl PlanDocument {
    /// Takes id, page count, size and settings from a model [`Document`].
    pub fn from_document(document: &Document) -> Self {
        Self {
            id: document.id,
            pages: document.page_count,
            bytes: document.size_bytes,
            settings: document.settings.clone(),
        }
    }
}

/// One thing to deliver: a document to a recipient on a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PlanItem {
    /// The document.
    pub document: DocumentIndex,
    /// The recipient.
    pub recipient: RecipientIndex,
    /// The resolved route.
    pub route: Route,
}

/// Documents, recipients and the resolved (document, recipient, route) items of a collector.
///
/// Build it with [`PlanInput::add_document`], [`PlanInput::recipient`] and
/// [`PlanInput::add_item`], or from model documents with [`PlanInput::from_documents`]. The items
/// may come in any order; the plan does not depend on it.
#[derive(Debug, Clone, Default)]
pub struct PlanInput {
    documents: Vec<PlanDocument>,
    recipients: Vec<ContactId>,
    recipient_positions: HashMap<ContactId, RecipientIndex>,
    items: Vec<PlanItem>,
}

impl PlanInput {
    /// An empty input.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty input with room for the given numbers of documents, recipients and items.
    pub fn with_capacity(documents: usize, recipients: usize, items: usize) -> Self {
        Self {
            documents: Vec::with_capacity(documents),
            recipients: Vec::with_capacity(recipients),
            recipient_positions: HashMap::with_capacity(recipients),
            items: Vec::with_capacity(items),
        }
    }

    /// Builds the input from model documents: every recipient of every document, on each route
    /// `routes` resolves for that (document, recipient) — usually the contact's preferred routes,
    /// with the user's additions and removals applied. Documents keep their slice order.
    pub fn from_documents<R>(
        documents: &[Document],
        mut routes: impl FnMut(&Document, ContactId) -> R,
    ) -> Result<Self, PlanError>
    where
        R: IntoIterator<Item = Route>,
    {
        let mut input = Self::new();
        for document in documents {
            let d = input.add_document(PlanDocument::from_document(document))?;
            for &contact in &document.recipients {
                let r = input.recipient(contact)?;
                for route in routes(document, contact) {
                    input.add_item(d, r, route);
                }
            }
        }
        Ok(input)
    }

    /// Appends a document; its position is its place in the document order.
    pub fn add_document(&mut self, document: PlanDocument) -> Result<DocumentIndex, PlanError> {
        let count = self.documents.len();
        if count >= MAX_DOCUMENTS {
            return Err(PlanError::TooManyDocuments { max: MAX_DOCUMENTS });
        }
        self.documents.push(document);
        // MAX_DOCUMENTS < u32::MAX, so the cast is exact.
        Ok(DocumentIndex(count as u32))
    }

    /// The index of a recipient, adding the contact on first use.
    pub fn recipient(&mut self, contact: ContactId) -> Result<RecipientIndex, PlanError> {
        if let Some(&index) = self.recipient_positions.get(&contact) {
            return Ok(index);
        }
        let index = u32::try_from(self.recipients.len())
            .map(RecipientIndex)
            .map_err(|_| PlanError::TooManyRecipients)?;
        self.recipients.push(contact);
        self.recipient_positions.insert(contact, index);
        Ok(index)
    }

    /// Adds one item. Indices are checked when planning, which reports an unknown index or an
    /// item given twice as an error.
    pub fn add_item(&mut self, document: DocumentIndex, recipient: RecipientIndex, route: Route) {
        self.items.push(PlanItem {
            document,
            recipient,
            route,
        });
    }

    /// The documents in document order.
    pub fn documents(&self) -> &[PlanDocument] {
        &self.documents
    }

    /// The recipients, by [`RecipientIndex`].
    pub fn recipients(&self) -> &[ContactId] {
        &self.recipients
    }

    /// The items in the order they were added.
    pub fn items(&self) -> &[PlanItem] {
        &self.items
    }
}
