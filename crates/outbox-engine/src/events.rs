//! Progress events for user interfaces and progress bars.

use chrono::{DateTime, Utc};
use outbox_model::{DeliveryId, Route, StatusKind, TenantId};
use tokio::sync::broadcast;

/// A delivery changed status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgressEvent {
    /// Owning tenant.
    pub tenant: TenantId,
    /// The delivery.
    pub delivery: DeliveryId,
    /// Its route.
    pub route: Route,
    /// The new status.
    pub status: StatusKind,
    /// When.
    pub at: DateTime<Utc>,
}

/// Fan-out of progress events; slow subscribers lose the oldest events, never block the engine.
#[derive(Debug, Clone)]
pub(crate) struct Events(broadcast::Sender<ProgressEvent>);

impl Events {
    pub(crate) fn new() -> Self {
        Self(broadcast::channel(4096).0)
    }

    pub(crate) fn subscribe(&self) -> broadcast::Receiver<ProgressEvent> {
        self.0.subscribe()
    }

    pub(crate) fn emit(
        &self,
        tenant: TenantId,
        delivery: DeliveryId,
        route: Route,
        status: StatusKind,
    ) {
        // No subscriber is not an error.
        let _ = self.0.send(ProgressEvent {
            tenant,
            delivery,
            route,
            status,
            at: Utc::now(),
        });
    }
}
