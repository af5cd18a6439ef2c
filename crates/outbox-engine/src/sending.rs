//! "Send": readiness checks, then queueing what is ready.

use outbox_model::{
    ContactId, DeliveryId, DeliveryStatus, DocumentId, ReadinessProblem, Route, StatusKind,
    TenantId, check_recipient,
};
use outbox_store::{DeliveryRow, StoredDocument};

use crate::outgoing::Loader;
use crate::{Engine, Result};

/// A delivery that was not sent, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotReady {
    /// The delivery (still prepared).
    pub delivery: DeliveryId,
    /// The recipient.
    pub recipient: ContactId,
    /// The route.
    pub route: Route,
    /// Its documents.
    pub documents: Vec<DocumentId>,
    /// Every reason; fix them and send again.
    pub problems: Vec<ReadinessProblem>,
}

/// What "send" did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SendReport {
    /// Deliveries released for sending; the dispatcher takes them from here.
    pub queued: Vec<DeliveryId>,
    /// Deliveries that cannot go on their route at all (over a limit of their settings), now
    /// failed with the reason.
    pub failed: Vec<(DeliveryId, String)>,
    /// Deliveries that are not ready, with their reasons; they stay prepared.
    pub not_ready: Vec<NotReady>,
    /// Recipients of the selected documents with no route at all (no preferred route, or all
    /// removed): nothing can be sent to them until a route is added.
    pub without_route: Vec<(DocumentId, ContactId)>,
}

impl Engine {
    /// Sends the selected documents: every prepared delivery that is ready is queued; the
    /// others are reported with their reasons and stay prepared, never skipped silently.
    pub async fn send_documents(
        &self,
        tenant: TenantId,
        documents: &[DocumentId],
        by: &str,
    ) -> Result<SendReport> {
        let mut ids = Vec::new();
        for d in documents {
            for row in self.inner.store.document_detail(tenant, *d).await? {
                if row.status == StatusKind::Prepared {
                    ids.push(row.delivery);
                }
            }
        }
        ids.sort_unstable();
        ids.dedup();
        let mut report = self.send_deliveries(tenant, &ids, by).await?;
        for d in documents {
            for rr in self.inner.store.routes_for_document(tenant, *d).await? {
                if rr.routes.is_empty() {
                    report.without_route.push((*d, rr.recipient));
                }
            }
        }
        Ok(report)
    }

    pub(crate) async fn send_deliveries(
        &self,
        tenant: TenantId,
        ids: &[DeliveryId],
        by: &str,
    ) -> Result<SendReport> {
        let store = &self.inner.store;
        let mut loader = Loader::new(self, tenant);
        let mut report = SendReport::default();
        let mut queued_routes = Vec::new();
        for id in ids {
            let row = store.delivery_row(tenant, *id).await?;
            if row.status != DeliveryStatus::Prepared {
                continue;
            }
            let mut docs = Vec::with_capacity(row.documents.len());
            for d in &row.documents {
                docs.push(loader.document(*d).await?);
            }
            if let Some(reason) = self.limit_failure(row.route, &docs) {
                store
                    .transition(
                        tenant,
                        row.id,
                        &DeliveryStatus::failed(reason.clone(), false),
                        by,
                    )
                    .await?;
                self.inner
                    .events
                    .emit(tenant, row.id, row.route, StatusKind::Failed);
                report.failed.push((row.id, reason));
                continue;
            }
            let problems = self.readiness(&mut loader, &row, &docs).await?;
            if problems.is_empty() {
                report.queued.push(row.id);
                queued_routes.push(row.route);
            } else {
                report.not_ready.push(NotReady {
                    delivery: row.id,
                    recipient: row.recipient,
                    route: row.route,
                    documents: row.documents.clone(),
                    problems,
                });
            }
        }
        if !report.queued.is_empty() {
            store.queue(tenant, &report.queued, by).await?;
            for (id, route) in report.queued.iter().zip(queued_routes) {
                self.inner
                    .events
                    .emit(tenant, *id, route, StatusKind::Queued);
            }
        }
        Ok(report)
    }

    /// Every reason the delivery cannot be sent now.
    async fn readiness(
        &self,
        loader: &mut Loader<'_>,
        row: &DeliveryRow,
        docs: &[StoredDocument],
    ) -> Result<Vec<ReadinessProblem>> {
        let tenant = row.tenant;
        let mut problems = Vec::new();
        for d in docs {
            if let Some(lock) = self.inner.store.get_lock(tenant, d.document.id).await? {
                problems.push(ReadinessProblem::DocumentLocked {
                    by: lock.owner,
                    until: lock.expires_at,
                });
            }
        }
        let contact = loader.contact(row.recipient).await?;
        let channel = self.channel_for(tenant, row.route).await?;
        let epost = docs
            .first()
            .map(|d| d.document.settings.epost.clone())
            .unwrap_or_default();
        problems.extend(check_recipient(
            row.route,
            contact.as_ref(),
            &epost,
            channel.is_some(),
        ));
        if channel.is_none() && row.route != Route::EpostLetter {
            problems.push(ReadinessProblem::RouteUnavailable { route: row.route });
        }
        // Whether the PDFs are printable is the E-POST channel's check (it knows the provider's
        // rules); `add_document` already refused files that cannot be read at all.
        if let (Some(channel), Some(_)) = (&channel, &contact)
            && let Some(out) = loader
                .outgoing(
                    row.id,
                    row.recipient,
                    row.route,
                    &row.documents,
                    row.attempts + 1,
                )
                .await?
        {
            for p in channel.check(&out).await {
                if !problems.contains(&p) {
                    problems.push(p);
                }
            }
        }
        Ok(problems)
    }
}
