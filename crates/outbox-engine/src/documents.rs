//! Actions of the outbox screen on documents: add, list, inspect, routes, settings, edit lock,
//! delete.

use std::time::Duration;

use outbox_model::{ContactId, DocumentId, EditLock, Problems, Route, SendSettings, TenantId};
use outbox_store::{DetailRow, NewDocument, OverviewPage, OverviewSort, Page, StoredDocument};
use sha2::{Digest, Sha256};

use crate::{Engine, EngineError, Result};

/// A document to put into the outbox.
#[derive(Debug, Clone)]
pub struct NewOutboxDocument {
    /// Title ("Bezeichnung").
    pub title: String,
    /// File name of the PDF.
    pub file_name: String,
    /// Who created it.
    pub author: String,
    /// The PDF.
    pub pdf: Vec<u8>,
    /// Recipients in order (contacts of the tenant).
    pub recipients: Vec<ContactId>,
    /// Send settings.
    pub settings: SendSettings,
    /// Reference into the producing application, if any.
    pub source_reference: Option<String>,
}

impl Engine {
    /// Puts a document into the outbox: checks the settings and the PDF (page count from the
    /// file), stores the bytes, and prepares one delivery per recipient and route.
    pub async fn add_document(
        &self,
        tenant: TenantId,
        doc: NewOutboxDocument,
    ) -> Result<DocumentId> {
        let problems = doc.settings.validate();
        if !problems.is_empty() {
            return Err(EngineError::Invalid(problems));
        }
        let info = outbox_pdf::inspect(&doc.pdf).map_err(|source| EngineError::Pdf {
            file_name: doc.file_name.clone(),
            source,
        })?;
        let digest = Sha256::digest(&doc.pdf);
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        // Content-addressed: the same PDF added twice is stored once.
        let blob_key = format!("t{tenant}/{hex}.pdf");
        self.inner.blobs.put(&blob_key, &doc.pdf).await?;
        let new = NewDocument {
            title: doc.title,
            file_name: doc.file_name,
            page_count: u32::try_from(info.pages.len()).unwrap_or(u32::MAX),
            size_bytes: doc.pdf.len() as u64,
            author: doc.author.clone(),
            created_at: chrono::Utc::now(),
            source_reference: doc.source_reference,
            recipients: doc.recipients,
            settings: doc.settings,
            blob_key,
        };
        let problems = new_document_problems(&new);
        if !problems.is_empty() {
            return Err(EngineError::Invalid(problems));
        }
        let stored = self.inner.store.insert_document(tenant, &new).await?;
        self.replan(tenant, std::slice::from_ref(&stored), None, &doc.author)
            .await?;
        Ok(stored.document.id)
    }

    /// One page of the outbox screen: documents and collectors with recipients, routes, the five
    /// progress counts, author and time.
    pub async fn list_documents(
        &self,
        tenant: TenantId,
        sort: OverviewSort,
        page: Page,
    ) -> Result<OverviewPage> {
        Ok(self.inner.store.list_documents(tenant, sort, page).await?)
    }

    /// One row per recipient and route of a document: status, time of the last change, reason.
    pub async fn inspect_document(
        &self,
        tenant: TenantId,
        document: DocumentId,
    ) -> Result<Vec<DetailRow>> {
        Ok(self.inner.store.document_detail(tenant, document).await?)
    }

    /// Adds a route for the selected documents, for one recipient or all of them; unsent
    /// deliveries are planned anew.
    pub async fn add_route(
        &self,
        tenant: TenantId,
        documents: &[DocumentId],
        recipient: Option<ContactId>,
        route: Route,
        by: &str,
    ) -> Result<()> {
        for d in documents {
            self.inner
                .store
                .add_route(tenant, *d, recipient, route)
                .await?;
        }
        self.replan_documents(tenant, documents, by).await
    }

    /// Removes a route for the selected documents, for one recipient or all of them; prepared
    /// deliveries on it are cancelled, sent ones stay.
    pub async fn remove_route(
        &self,
        tenant: TenantId,
        documents: &[DocumentId],
        recipient: Option<ContactId>,
        route: Route,
        by: &str,
    ) -> Result<()> {
        for d in documents {
            self.inner
                .store
                .remove_route(tenant, *d, recipient, route)
                .await?;
        }
        self.replan_documents(tenant, documents, by).await
    }

    /// Changes a document's send settings after checking them; unsent deliveries are planned
    /// anew.
    pub async fn update_settings(
        &self,
        tenant: TenantId,
        document: DocumentId,
        settings: &SendSettings,
        by: &str,
    ) -> Result<()> {
        let problems = settings.validate();
        if !problems.is_empty() {
            return Err(EngineError::Invalid(problems));
        }
        self.inner
            .store
            .update_settings(tenant, document, settings)
            .await?;
        self.replan_documents(tenant, &[document], by).await
    }

    /// Locks a document for editing: its deliveries are not sent while the lock holds. The
    /// lock is a lease: it ends by itself after `ttl` unless renewed by locking again.
    pub async fn lock_document(
        &self,
        tenant: TenantId,
        document: DocumentId,
        owner: &str,
        ttl: Duration,
    ) -> Result<EditLock> {
        match self
            .inner
            .store
            .acquire_lock(tenant, document, owner, ttl)
            .await
        {
            Err(outbox_store::StoreError::LockHeld { owner, .. }) => {
                Err(EngineError::Locked { document, owner })
            }
            other => Ok(other?),
        }
    }

    /// Releases the owner's edit lock; `false` when the owner held none.
    pub async fn unlock_document(
        &self,
        tenant: TenantId,
        document: DocumentId,
        owner: &str,
    ) -> Result<bool> {
        Ok(self
            .inner
            .store
            .release_lock(tenant, document, owner)
            .await?)
    }

    /// Deletes the selected documents: unsent deliveries are cancelled, history is kept.
    /// Returns how many deliveries were cancelled.
    pub async fn delete_documents(
        &self,
        tenant: TenantId,
        documents: &[DocumentId],
        by: &str,
    ) -> Result<u64> {
        let mut cancelled = 0;
        for d in documents {
            cancelled += self.inner.store.delete_document(tenant, *d, by).await?;
        }
        Ok(cancelled)
    }

    /// Plans documents anew, each with its collector if it has one.
    async fn replan_documents(
        &self,
        tenant: TenantId,
        documents: &[DocumentId],
        by: &str,
    ) -> Result<()> {
        let mut alone = Vec::new();
        let mut collectors = Vec::new();
        for d in documents {
            let stored = self.inner.store.get_document(tenant, *d).await?;
            match stored.collector {
                Some(c) => collectors.push(c),
                None => alone.push(stored),
            }
        }
        if !alone.is_empty() {
            self.replan(tenant, &alone, None, by).await?;
        }
        collectors.sort_unstable();
        collectors.dedup();
        for c in collectors {
            let docs = self.collector_documents(tenant, c).await?;
            self.replan(tenant, &docs, Some(c), by).await?;
        }
        Ok(())
    }

    pub(crate) async fn stored_documents(
        &self,
        tenant: TenantId,
        ids: &[DocumentId],
    ) -> Result<Vec<StoredDocument>> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(self.inner.store.get_document(tenant, *id).await?);
        }
        Ok(out)
    }
}

fn new_document_problems(doc: &NewDocument) -> Problems {
    let probe = outbox_model::Document {
        id: DocumentId(0),
        tenant: outbox_model::TenantId(0),
        title: doc.title.clone(),
        file_name: doc.file_name.clone(),
        page_count: doc.page_count,
        size_bytes: doc.size_bytes,
        author: doc.author.clone(),
        created_at: doc.created_at,
        source_reference: None,
        recipients: vec![],
        settings: doc.settings.clone(),
    };
    probe.validate()
}
