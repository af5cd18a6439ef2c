//! The trait every route implements.

use async_trait::async_trait;
use outbox_model::{DeliveryId, ReadinessProblem, Route, TenantId};

use crate::{Capabilities, ChannelError, OutgoingDelivery, PollRequest, Receipt, StatusUpdate};

/// A delivery route: E-POST letter, e-mail, portal share, e-mail share, or your own.
///
/// The engine calls a channel only through this trait, and only after it has durably recorded
/// the delivery as in progress. Implementations must:
///
/// - use [`OutgoingDelivery::id`] as the idempotency key towards the provider, so that
///   [`reconcile`](Channel::reconcile) can find a delivery whose outcome was lost;
/// - classify every failure ([`ChannelError`]): return [`ErrorKind::Ambiguous`](crate::ErrorKind::Ambiguous)
///   whenever the request may have reached the provider, never `Transient`;
/// - never panic on provider input.
///
/// The trait is object safe: the engine holds `Arc<dyn Channel>`.
#[async_trait]
pub trait Channel: Send + Sync {
    /// The route this channel serves.
    fn route(&self) -> Route;

    /// What the route can do and its limits.
    fn capabilities(&self) -> Capabilities;

    /// Why the delivery cannot be sent yet (missing address, over a limit, ...); empty when
    /// ready. Must not contact the provider in a way that has side effects.
    async fn check(&self, delivery: &OutgoingDelivery) -> Vec<ReadinessProblem>;

    /// Hands the delivery to the provider.
    async fn send(&self, delivery: &OutgoingDelivery) -> Result<Receipt, ChannelError>;

    /// Asks the provider for news about accepted deliveries. Channels without tracking return
    /// an empty list. Only deliveries with news need an entry.
    async fn poll(&self, requests: &[PollRequest]) -> Result<Vec<StatusUpdate>, ChannelError>;

    /// After an unknown outcome: the receipt if the provider already has this delivery,
    /// `None` if it certainly does not (then it is safe to send again).
    async fn reconcile(
        &self,
        tenant: TenantId,
        delivery: DeliveryId,
    ) -> Result<Option<Receipt>, ChannelError>;
}
