//! Deliveries and their status history.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{
    CollectorId, ContactId, DeliveryId, DeliveryStatus, DocumentId, Route, TenantId,
    TransitionError,
};

/// One status change, as kept in the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StatusChange {
    /// When it happened.
    pub at: DateTime<Utc>,
    /// The status before (`None` for the first record, when the delivery was created).
    pub from: Option<DeliveryStatus>,
    /// The new status.
    pub to: DeliveryStatus,
    /// Who or what caused it (user name, worker id, "poller").
    pub by: String,
}

/// One recipient, one route, one or more documents in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    /// Identifier.
    pub id: DeliveryId,
    /// Owning tenant.
    pub tenant: TenantId,
    /// The recipient.
    pub recipient: ContactId,
    /// The route.
    pub route: Route,
    /// Documents in the order they are sent.
    pub documents: Vec<DocumentId>,
    /// The collector the delivery was planned in, if any.
    pub collector: Option<CollectorId>,
    /// Current status.
    pub status: DeliveryStatus,
    /// How many times sending was attempted.
    pub attempts: u32,
    /// The provider's reference once known (E-POST letter id, Message-ID, share id, ...).
    pub provider_reference: Option<String>,
    /// When the delivery was created.
    pub created_at: DateTime<Utc>,
    /// Every status change, oldest first; the first entry is the creation.
    pub history: Vec<StatusChange>,
}

impl Delivery {
    /// A new delivery in status `Prepared`, with its creation recorded in the history.
    pub fn new(
        id: DeliveryId,
        tenant: TenantId,
        recipient: ContactId,
        route: Route,
        documents: Vec<DocumentId>,
        at: DateTime<Utc>,
        by: impl Into<String>,
    ) -> Self {
        Self {
            id,
            tenant,
            recipient,
            route,
            documents,
            collector: None,
            status: DeliveryStatus::Prepared,
            attempts: 0,
            provider_reference: None,
            created_at: at,
            history: vec![StatusChange {
                at,
                from: None,
                to: DeliveryStatus::Prepared,
                by: by.into(),
            }],
        }
    }

    /// Moves to a new status if the state machine allows it and records the change.
    /// Entering `InProgress` counts an attempt.
    pub fn transition(
        &mut self,
        to: DeliveryStatus,
        at: DateTime<Utc>,
        by: impl Into<String>,
    ) -> Result<&StatusChange, TransitionError> {
        self.status.check_transition(&to)?;
        if to == DeliveryStatus::InProgress {
            self.attempts += 1;
        }
        let from = std::mem::replace(&mut self.status, to.clone());
        self.history.push(StatusChange {
            at,
            from: Some(from),
            to,
            by: by.into(),
        });
        Ok(self.history.last().expect("just pushed"))
    }

    /// When the status last changed.
    pub fn last_change(&self) -> DateTime<Utc> {
        self.history.last().map_or(self.created_at, |c| c.at)
    }
}
