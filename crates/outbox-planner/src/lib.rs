//! The collector planner ("Sammler"): given documents, recipients and the resolved routes per
//! (document, recipient), decide per recipient and route which documents travel together, and
//! show counts, pages, sizes and the E-POST cost before anything is sent.
//!
//! # Rules
//!
//! For every recipient and route:
//!
//! 1. A document without bundled sending ([`SendSettings::bundled`] off) goes alone
//!    ([`SplitReason::NotBundled`]).
//! 2. Bundled documents fall into **compatibility classes** per route: E-POST — same
//!    registered-mail option, colour, duplex and cover-sheet setting; e-mail — same sending
//!    account; e-mail share — same link validity; portal — same category.
//! 3. **In-order rule**: within a class, taken in document order, every delivery is a contiguous
//!    run of the class's documents, and runs are filled greedily: a document joins the open
//!    delivery unless that breaks a limit — E-POST: [`EPOST_MAX_PAGES`] pages including the cover
//!    sheet, [`EPOST_MAX_BYTES`]; e-mail: "max documents" and "max MB" per mail, where a mail obeys
//!    the strictest limit of the documents in it. Every sub-run of a run that keeps the limits
//!    keeps them too, so greedy filling gives the fewest deliveries any split into contiguous
//!    runs can give (the k-th greedy delivery never ends before the k-th delivery of any other
//!    such split).
//! 4. Deliveries of a recipient and route come in the order of their class (classes numbered by
//!    first appearance in the document order), then document order; documents inside a delivery
//!    keep document order. Each delivery but the first bundled one names why it is separate
//!    ([`SplitReason`]): the first differing setting against the previous bundled delivery, or
//!    the limit the previous delivery reached.
//! 5. A (document, recipient, route) item whose document alone cannot go on that route is a
//!    [`PlannedFailure`] with a [`FailureReason`]: over 94 pages or 20 MB for E-POST, duplex with
//!    registered mail (`E312`), no pages; larger than "max MB" (or "max documents" 0) for e-mail;
//!    a link validity outside 1..=9 days for e-mail share. Other readiness checks (addresses,
//!    accounts) belong to the engine.
//!
//! The plan is a function of the input's documents, recipients and the *set* of items: the order
//! in which items were added does not matter.
//!
//! # Figures
//!
//! E-POST pages count one cover-sheet page when the cover sheet is on; the cover sheet is a sheet
//! of its own, also in duplex, and documents are printed back to back
//! ([`letter_pages_and_sheets`]). The price comes from a [`PriceTable`] by sheets (default: the
//! 2025 E-POST list) plus a registered-mail surcharge ([`RegisteredSurcharges`]), in integer
//! cents. The [`Preview`] has the rows "separate" (every item its own delivery) and "combined"
//! (the plan), over the same deliverable items, and the saving between them.
//!
//! # Cost of planning
//!
//! Time and memory are linear in the size of the input (items, documents, recipients): the items
//! are packed into `u64` keys (recipient, route, rank of the document in the route's class
//! order), counting-sorted by recipient, each recipient's keys put in order (insertion sort for a
//! handful, radix sort beyond), and grouped in one pass. The [`Plan`] keeps all deliveries'
//! documents back to back in one vector, with a 32-byte record per delivery; no delivery owns an
//! allocation. At a million items the planner takes about as long as merely sorting the items
//! (see `benches/planner.rs` in the workspace root).
//!
//! # Example
//!
//! ```
//! use outbox_model::{ContactId, DocumentId, Route, SendSettings};
//! use outbox_planner::{PlanDocument, PlanInput, Planner};
//!
//! let mut input = PlanInput::new();
//! let doc = |id, pages| PlanDocument {
//!     id: DocumentId(id),
//!     pages,
//!     bytes: 150_000,
//!     settings: SendSettings::default(),
//! };
//! let invitation = input.add_document(doc(1, 3))?;
//! let business_plan = input.add_document(doc(2, 6))?;
//! let owner = input.recipient(ContactId(7))?;
//! input.add_item(invitation, owner, Route::EpostLetter);
//! input.add_item(business_plan, owner, Route::EpostLetter);
//!
//! let plan = Planner::default().plan(&input)?;
//! assert_eq!(plan.len(), 1); // one letter with both documents
//! let letter = plan.delivery(0).unwrap();
//! assert_eq!(letter.documents, &[invitation, business_plan]);
//! assert_eq!((letter.pages, letter.sheets), (10, 10)); // cover sheet + 3 + 6 pages, simplex
//! assert_eq!(letter.cost_cents, 195); // tier "Groß"
//! // Separately: 4 sheets (1.12) + 7 sheets (1.95).
//! assert_eq!(plan.preview().epost_saving_cents(), 112);
//! # Ok::<(), outbox_planner::PlanError>(())
//! ```
//!
//! [`SendSettings::bundled`]: outbox_model::SendSettings::bundled

mod error;
mod input;
mod plan;
mod planner;
mod preview;
mod price;
mod reason;
mod sort;
pub mod synthetic;

pub use error::{PlanError, PriceTableError};
pub use input::{DocumentIndex, MAX_DOCUMENTS, PlanDocument, PlanInput, PlanItem, RecipientIndex};
pub use plan::{Plan, PlannedDelivery, PlannedFailure};
pub use planner::{EPOST_MAX_BYTES, EPOST_MAX_PAGES, Planner};
pub use preview::{PerRoute, Preview, PreviewRow};
pub use price::{
    CostModel, PriceColumns, PriceTable, PriceTier, RegisteredSurcharges, letter_pages_and_sheets,
};
pub use reason::{FailureReason, SplitReason};
