//! What a route can do and where its limits are.

use outbox_model::Route;

/// A route's capabilities and limits, so the engine and the planner can decide without knowing
/// the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Capabilities {
    /// The route.
    pub route: Route,
    /// Most bytes in one delivery (per letter, per mail), if limited.
    pub max_bytes: Option<u64>,
    /// Most pages in one delivery, if limited.
    pub max_pages: Option<u32>,
    /// Most documents in one delivery, if limited.
    pub max_documents: Option<u32>,
    /// Colour printing available.
    pub color: bool,
    /// Duplex printing available.
    pub duplex: bool,
    /// Registered mail available.
    pub registered_mail: bool,
    /// The provider reports status after acceptance, so [`Channel::poll`](crate::Channel::poll)
    /// is meaningful.
    pub tracking: bool,
    /// Downloads are recorded as proof of delivery.
    pub download_proof: bool,
    /// [`Channel::reconcile`](crate::Channel::reconcile) can find an earlier send by delivery id.
    pub reconcile: bool,
    /// Sending the same delivery id twice creates nothing new at the provider.
    pub idempotent_send: bool,
}

impl Capabilities {
    /// Capabilities with no limits and nothing optional; set the fields that apply.
    pub fn new(route: Route) -> Self {
        Self {
            route,
            max_bytes: None,
            max_pages: None,
            max_documents: None,
            color: false,
            duplex: false,
            registered_mail: false,
            tracking: false,
            download_proof: route.has_download_proof(),
            reconcile: false,
            idempotent_send: false,
        }
    }
}
