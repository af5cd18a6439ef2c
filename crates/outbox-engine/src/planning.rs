//! Keeps the prepared deliveries of documents in line with their routes and settings.
//!
//! Deliveries exist from the moment a document lands in the outbox (status `Prepared`), so the
//! outbox screen shows its counts at once. Whenever routes, settings or collectors change, the
//! prepared deliveries of the documents concerned are planned anew: prepared ones are
//! cancelled and replaced, while every (document, recipient, route) already released for
//! sending keeps its delivery — so nothing is sent twice.

use std::collections::HashSet;

use outbox_model::{
    CollectorId, ContactId, DeliveryStatus, DocumentId, Route, StatusKind, TenantId,
};
use outbox_planner::{Plan, PlanDocument, PlanInput, Preview};
use outbox_store::{NewDelivery, StoredDocument};

use crate::{Engine, Result};

impl Engine {
    /// Plans the documents anew: as one collector when `collector` is given (bundling what is
    /// compatible), else each document on its own. Returns the collector's preview.
    pub(crate) async fn replan(
        &self,
        tenant: TenantId,
        documents: &[StoredDocument],
        collector: Option<CollectorId>,
        by: &str,
    ) -> Result<Option<Preview>> {
        let store = &self.inner.store;
        let mut taken: HashSet<(DocumentId, ContactId, Route)> = HashSet::new();
        let mut stale = Vec::new();
        for d in documents {
            for row in store.document_detail(tenant, d.document.id).await? {
                match row.status {
                    StatusKind::Prepared => stale.push(row.delivery),
                    StatusKind::Cancelled => {}
                    _ => {
                        taken.insert((d.document.id, row.recipient, row.route));
                    }
                }
            }
        }
        stale.sort_unstable();
        stale.dedup();

        let mut plans = Vec::new();
        if collector.is_some() {
            plans.push(self.plan_documents(tenant, documents, &taken).await?);
        } else {
            for d in documents {
                plans.push(
                    self.plan_documents(tenant, std::slice::from_ref(d), &taken)
                        .await?,
                );
            }
        }

        for id in stale {
            store
                .transition(tenant, id, &DeliveryStatus::Cancelled, by)
                .await?;
        }
        let mut new = Vec::new();
        for (input, plan) in &plans {
            let doc_id = |i: &outbox_planner::DocumentIndex| input.documents()[i.get()].id;
            for p in plan.deliveries() {
                new.push(NewDelivery {
                    recipient: input.recipients()[p.recipient.get()],
                    route: p.route,
                    documents: p.documents.iter().map(doc_id).collect(),
                    collector,
                });
            }
            // A planned failure is kept as a prepared delivery of its own; sending it records
            // the failure with the planner's reason (see `limit_failure`).
            for f in plan.failures() {
                new.push(NewDelivery {
                    recipient: input.recipients()[f.recipient.get()],
                    route: f.route,
                    documents: vec![doc_id(&f.document)],
                    collector,
                });
            }
        }
        if !new.is_empty() {
            store.insert_deliveries(tenant, &new, by).await?;
        }
        Ok(collector
            .and(plans.first())
            .map(|(_, plan)| *plan.preview()))
    }

    /// The preview of sending the documents as one collector, without changing anything.
    pub(crate) async fn preview_documents(
        &self,
        tenant: TenantId,
        documents: &[StoredDocument],
    ) -> Result<Preview> {
        let (_, plan) = self
            .plan_documents(tenant, documents, &HashSet::new())
            .await?;
        Ok(*plan.preview())
    }

    async fn plan_documents(
        &self,
        tenant: TenantId,
        documents: &[StoredDocument],
        taken: &HashSet<(DocumentId, ContactId, Route)>,
    ) -> Result<(PlanInput, Plan)> {
        let input = self.plan_input(tenant, documents, taken).await?;
        let plan = self.inner.planner.plan(&input)?;
        Ok((input, plan))
    }

    async fn plan_input(
        &self,
        tenant: TenantId,
        documents: &[StoredDocument],
        taken: &HashSet<(DocumentId, ContactId, Route)>,
    ) -> Result<PlanInput> {
        let mut input = PlanInput::new();
        for d in documents {
            let di = input.add_document(PlanDocument::from_document(&d.document))?;
            for rr in self
                .inner
                .store
                .routes_for_document(tenant, d.document.id)
                .await?
            {
                let ri = input.recipient(rr.recipient)?;
                for route in &rr.routes {
                    if !taken.contains(&(d.document.id, rr.recipient, route)) {
                        input.add_item(di, ri, route);
                    }
                }
            }
        }
        Ok(input)
    }

    /// Why the documents cannot travel on the route at all (over a limit the settings set),
    /// from the planner's rules; `None` when they can.
    pub(crate) fn limit_failure(
        &self,
        route: Route,
        documents: &[StoredDocument],
    ) -> Option<String> {
        let mut input = PlanInput::new();
        let ri = input.recipient(ContactId(0)).ok()?;
        for d in documents {
            let di = input
                .add_document(PlanDocument::from_document(&d.document))
                .ok()?;
            input.add_item(di, ri, route);
        }
        let plan = self.inner.planner.plan(&input).ok()?;
        let lang = self.inner.config.language;
        plan.failures()
            .first()
            .map(|f| f.reason.label(lang).to_owned())
    }
}
