//! Tenants, collectors, edit locks and download records.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{CollectorId, DeliveryId, DocumentId, Route, TenantId};

/// A tenant ("Mandant"): a property administration whose data is isolated from all others.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tenant {
    /// Identifier.
    pub id: TenantId,
    /// Display name.
    pub name: String,
}

/// A collector ("Sammler"): documents planned and sent together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Collector {
    /// Identifier.
    pub id: CollectorId,
    /// Owning tenant.
    pub tenant: TenantId,
    /// Display name ("Eigentümerversammlung 2027").
    pub name: String,
    /// Documents in order.
    pub documents: Vec<DocumentId>,
    /// Who created it.
    pub created_by: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// A lease on a document while someone edits it: sending is blocked until it expires or is
/// released, so a crashed editor never blocks for ever.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditLock {
    /// The locked document.
    pub document: DocumentId,
    /// Who holds the lock.
    pub owner: String,
    /// When the lease runs out.
    pub expires_at: DateTime<Utc>,
}

impl EditLock {
    /// Whether the lock still holds at `now`.
    pub fn is_active(&self, now: DateTime<Utc>) -> bool {
        now < self.expires_at
    }
}

/// One download of a shared document: the proof of delivery for portal and e-mail shares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DownloadRecord {
    /// The delivery the document was shared in.
    pub delivery: DeliveryId,
    /// The downloaded document.
    pub document: DocumentId,
    /// The route it was shared on.
    pub route: Route,
    /// When it was downloaded.
    pub at: DateTime<Utc>,
    /// Who downloaded it, as far as known (portal account, client address).
    pub by: String,
}
