//! Collectors ("Sammler"): several documents planned and sent together.

use outbox_model::{Collector, CollectorId, DocumentId, TenantId};
use outbox_planner::Preview;
use outbox_store::StoredDocument;

use crate::{Engine, Result, SendReport};

impl Engine {
    /// The preview of sending the documents as one collector: deliveries per route, largest
    /// letter, total size, E-POST cost and the saving against sending separately. Changes
    /// nothing.
    pub async fn preview_collector(
        &self,
        tenant: TenantId,
        documents: &[DocumentId],
    ) -> Result<Preview> {
        let docs = self.stored_documents(tenant, documents).await?;
        self.preview_documents(tenant, &docs).await
    }

    /// Saves a collector of the documents: their prepared deliveries are replaced by the
    /// collector's plan. Returns the collector and its preview.
    pub async fn create_collector(
        &self,
        tenant: TenantId,
        name: &str,
        documents: &[DocumentId],
        by: &str,
    ) -> Result<(Collector, Preview)> {
        let collector = self
            .inner
            .store
            .create_collector(tenant, name, documents, by)
            .await?;
        let docs = self.stored_documents(tenant, &collector.documents).await?;
        let preview = self
            .replan(tenant, &docs, Some(collector.id), by)
            .await?
            .unwrap_or_default();
        Ok((collector, preview))
    }

    /// Sends a collector: every prepared delivery of its documents that is ready is queued.
    pub async fn send_collector(
        &self,
        tenant: TenantId,
        id: CollectorId,
        by: &str,
    ) -> Result<SendReport> {
        let collector = self.inner.store.get_collector(tenant, id).await?;
        self.send_documents(tenant, &collector.documents, by).await
    }

    /// Dissolves a collector: its documents stay in the outbox on their own; unsent combined
    /// deliveries are replaced by separate ones. Sent deliveries are kept.
    pub async fn dissolve_collector(
        &self,
        tenant: TenantId,
        id: CollectorId,
        by: &str,
    ) -> Result<()> {
        let collector = self.inner.store.get_collector(tenant, id).await?;
        self.inner.store.dissolve_collector(tenant, id, by).await?;
        let docs = self.stored_documents(tenant, &collector.documents).await?;
        self.replan(tenant, &docs, None, by).await?;
        Ok(())
    }

    pub(crate) async fn collector_documents(
        &self,
        tenant: TenantId,
        id: CollectorId,
    ) -> Result<Vec<StoredDocument>> {
        let collector = self.inner.store.get_collector(tenant, id).await?;
        self.stored_documents(tenant, &collector.documents).await
    }
}
