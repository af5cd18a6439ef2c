//! Turns stored deliveries into what channels receive, with caches so a document sent to many
//! recipients is read once.

use std::collections::HashMap;
use std::sync::Arc;

use outbox_channel::{OutgoingDelivery, OutgoingDocument, Sender};
use outbox_model::{Contact, ContactId, DeliveryId, DocumentId, Route, TenantId};
use outbox_store::{StoreError, StoredDocument};

use crate::{Engine, Result};

/// Loads contacts, documents and PDF bytes for one tenant, each once.
pub(crate) struct Loader<'a> {
    engine: &'a Engine,
    tenant: TenantId,
    sender: Option<Sender>,
    contacts: HashMap<ContactId, Option<Contact>>,
    documents: HashMap<DocumentId, StoredDocument>,
    bytes: HashMap<String, Arc<[u8]>>,
}

impl<'a> Loader<'a> {
    pub(crate) fn new(engine: &'a Engine, tenant: TenantId) -> Self {
        Self {
            engine,
            tenant,
            sender: None,
            contacts: HashMap::new(),
            documents: HashMap::new(),
            bytes: HashMap::new(),
        }
    }

    /// The contact, `None` when it no longer exists.
    pub(crate) async fn contact(&mut self, id: ContactId) -> Result<Option<Contact>> {
        if let Some(c) = self.contacts.get(&id) {
            return Ok(c.clone());
        }
        let c = match self.engine.inner.store.get_contact(self.tenant, id).await {
            Ok(c) => Some(c),
            Err(StoreError::NotFound { .. }) => None,
            Err(e) => return Err(e.into()),
        };
        self.contacts.insert(id, c.clone());
        Ok(c)
    }

    pub(crate) async fn document(&mut self, id: DocumentId) -> Result<StoredDocument> {
        if let Some(d) = self.documents.get(&id) {
            return Ok(d.clone());
        }
        let d = self
            .engine
            .inner
            .store
            .get_document(self.tenant, id)
            .await?;
        self.documents.insert(id, d.clone());
        Ok(d)
    }

    pub(crate) async fn bytes(&mut self, key: &str) -> Result<Arc<[u8]>> {
        if let Some(b) = self.bytes.get(key) {
            return Ok(b.clone());
        }
        let b: Arc<[u8]> = self.engine.inner.blobs.get(key).await?.into();
        self.bytes.insert(key.to_owned(), b.clone());
        Ok(b)
    }

    /// The delivery as a channel receives it; `None` when the recipient no longer exists.
    pub(crate) async fn outgoing(
        &mut self,
        id: DeliveryId,
        recipient: ContactId,
        route: Route,
        documents: &[DocumentId],
        attempt: u32,
    ) -> Result<Option<OutgoingDelivery>> {
        let Some(contact) = self.contact(recipient).await? else {
            return Ok(None);
        };
        if self.sender.is_none() {
            self.sender = Some(self.engine.sender(self.tenant).await?);
        }
        let mut docs = Vec::with_capacity(documents.len());
        for d in documents {
            let stored = self.document(*d).await?;
            let bytes = self.bytes(&stored.blob_key).await?;
            let doc = stored.document;
            docs.push(OutgoingDocument {
                id: doc.id,
                title: doc.title,
                file_name: doc.file_name,
                page_count: doc.page_count,
                bytes,
                settings: doc.settings,
            });
        }
        Ok(Some(OutgoingDelivery {
            id,
            tenant: self.tenant,
            route,
            attempt,
            recipient: contact,
            sender: self.sender.clone().unwrap_or_default(),
            documents: docs,
        }))
    }
}
