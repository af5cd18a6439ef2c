//! Errors of the planner: a malformed input or a malformed price table.
//!
//! The crate depends only on `outbox-model`, so the `Display`/`Error` impls are written out.

use std::fmt;

use outbox_model::{ContactId, DocumentId, Route};

/// The planner's input cannot be planned.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PlanError {
    /// An item names a document position that does not exist.
    UnknownDocument {
        /// The position given.
        index: u32,
        /// How many documents the input has.
        documents: usize,
    },
    /// An item names a recipient position that does not exist.
    UnknownRecipient {
        /// The position given.
        index: u32,
        /// How many recipients the input has.
        recipients: usize,
    },
    /// The same (document, recipient, route) was given more than once.
    DuplicateItem {
        /// The document.
        document: DocumentId,
        /// The recipient.
        recipient: ContactId,
        /// The route.
        route: Route,
    },
    /// More documents than one plan can hold.
    TooManyDocuments {
        /// The most documents allowed.
        max: usize,
    },
    /// More than 2^32 recipients.
    TooManyRecipients,
    /// More than 2^32 items.
    TooManyItems,
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlanError::UnknownDocument { index, documents } => write!(
                f,
                "an item names document position {index}, but the input has {documents} \
                 documents: add the document before its items"
            ),
            PlanError::UnknownRecipient { index, recipients } => write!(
                f,
                "an item names recipient position {index}, but the input has {recipients} \
                 recipients: take recipient indices from PlanInput::recipient"
            ),
            PlanError::DuplicateItem {
                document,
                recipient,
                route,
            } => write!(
                f,
                "document {document} is planned twice for recipient {recipient} on route {}: \
                 give each (document, recipient, route) once",
                route.as_str()
            ),
            PlanError::TooManyDocuments { max } => write!(
                f,
                "more than {max} documents in one plan: split the collector into several plans"
            ),
            PlanError::TooManyRecipients => write!(
                f,
                "more than 2^32 recipients in one plan: split the collector into several plans"
            ),
            PlanError::TooManyItems => write!(
                f,
                "more than 2^32 (document, recipient, route) items in one plan: split the \
                 collector into several plans"
            ),
        }
    }
}

impl std::error::Error for PlanError {}

/// A price table that cannot price a letter.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PriceTableError {
    /// The table has no tier.
    NoTiers,
    /// A tier covers zero sheets, or does not cover more sheets than the tier before it.
    TiersNotAscending {
        /// Position of the offending tier.
        tier: usize,
    },
}

impl fmt::Display for PriceTableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PriceTableError::NoTiers => write!(
                f,
                "the price table has no tier: give at least one tier, e.g. Standard up to 1 sheet"
            ),
            PriceTableError::TiersNotAscending { tier } => write!(
                f,
                "price tier {tier} must cover at least one sheet and more sheets than the tier \
                 before it: order the tiers by their sheet limit"
            ),
        }
    }
}

impl std::error::Error for PriceTableError {}
