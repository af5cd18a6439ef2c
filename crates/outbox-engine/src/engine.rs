//! The engine value: store, blobs, channels, planner, settings.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use outbox_channel::{Channel, Sender};
use outbox_model::{Route, TenantId};
use outbox_planner::Planner;
use outbox_store::{BlobStore, SecretBytes, Store, StoreKey};
use tokio::sync::broadcast;

use crate::access::{EpostAccess, EpostAccountId};
use crate::events::{Events, ProgressEvent};
use crate::{ChannelRegistry, EngineConfig, EngineError, Result};

/// The outbox service. Cheap to clone; all clones share one state.
#[derive(Clone)]
pub struct Engine {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) store: Store,
    pub(crate) blobs: Arc<dyn BlobStore>,
    pub(crate) channels: ChannelRegistry,
    pub(crate) planner: Planner,
    pub(crate) config: EngineConfig,
    pub(crate) events: Events,
    pub(crate) senders: RwLock<HashMap<TenantId, Sender>>,
    pub(crate) epost: Option<Arc<dyn EpostAccess>>,
    pub(crate) key: Option<StoreKey>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("worker", &self.inner.config.worker_id)
            .field("channels", &self.inner.channels)
            .finish_non_exhaustive()
    }
}

/// Builds an [`Engine`].
pub struct EngineBuilder {
    store: Store,
    blobs: Arc<dyn BlobStore>,
    channels: ChannelRegistry,
    planner: Planner,
    config: EngineConfig,
    epost: Option<Arc<dyn EpostAccess>>,
    key: Option<StoreKey>,
}

impl EngineBuilder {
    /// Serves a route for all tenants with this channel.
    pub fn channel(self, channel: Arc<dyn Channel>) -> Self {
        self.channels.register(channel);
        self
    }

    /// The planner (price table, surcharges).
    pub fn planner(mut self, planner: Planner) -> Self {
        self.planner = planner;
        self
    }

    /// Engine settings.
    pub fn config(mut self, config: EngineConfig) -> Self {
        self.config = config;
        self
    }

    /// E-POST activation and per-tenant channels, with the key that encrypts stored credentials.
    pub fn epost_access(mut self, access: Arc<dyn EpostAccess>, key: StoreKey) -> Self {
        self.epost = Some(access);
        self.key = Some(key);
        self
    }

    /// The engine.
    pub fn build(self) -> Engine {
        Engine {
            inner: Arc::new(Inner {
                store: self.store,
                blobs: self.blobs,
                channels: self.channels,
                planner: self.planner,
                config: self.config,
                events: Events::new(),
                senders: RwLock::default(),
                epost: self.epost,
                key: self.key,
            }),
        }
    }
}

impl Engine {
    /// Starts building an engine over a migrated store and a blob store.
    pub fn builder(store: Store, blobs: Arc<dyn BlobStore>) -> EngineBuilder {
        EngineBuilder {
            store,
            blobs,
            channels: ChannelRegistry::new(),
            planner: Planner::default(),
            config: EngineConfig::default(),
            epost: None,
            key: None,
        }
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The blob store holding the PDFs.
    pub fn blobs(&self) -> &Arc<dyn BlobStore> {
        &self.inner.blobs
    }

    /// The channel registry (register channels at run time, e.g. per tenant).
    pub fn channels(&self) -> &ChannelRegistry {
        &self.inner.channels
    }

    /// The settings.
    pub fn config(&self) -> &EngineConfig {
        &self.inner.config
    }

    /// Progress events of every status change this engine makes.
    pub fn subscribe(&self) -> broadcast::Receiver<ProgressEvent> {
        self.inner.events.subscribe()
    }

    /// Sets how a tenant appears as sender (name, postal address for the return line,
    /// reply-to). Without it the tenant's name is used.
    pub fn set_sender(&self, tenant: TenantId, sender: Sender) {
        self.inner
            .senders
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(tenant, sender);
    }

    pub(crate) async fn sender(&self, tenant: TenantId) -> Result<Sender> {
        let known = self
            .inner
            .senders
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&tenant)
            .cloned();
        match known {
            Some(s) => Ok(s),
            None => Ok(Sender {
                name: self.inner.store.get_tenant(tenant).await?.name,
                ..Sender::default()
            }),
        }
    }

    // ----- E-POST access -----

    fn access(&self) -> Result<(&Arc<dyn EpostAccess>, &StoreKey)> {
        match (&self.inner.epost, &self.inner.key) {
            (Some(a), Some(k)) => Ok((a, k)),
            _ => Err(EngineError::NotConfigured(
                "no E-POST access implementation; use EngineBuilder::epost_access".into(),
            )),
        }
    }

    /// Whether the tenant can send E-POST letters (a channel is registered or credentials are
    /// stored).
    pub async fn has_epost_access(&self, tenant: TenantId) -> Result<bool> {
        Ok(self.epost_channel(tenant).await?.is_some())
    }

    /// The tenant's E-POST channel: registered, or built from stored credentials.
    pub(crate) async fn epost_channel(&self, tenant: TenantId) -> Result<Option<Arc<dyn Channel>>> {
        if let Some(ch) = self.inner.channels.get(tenant, Route::EpostLetter) {
            return Ok(Some(ch));
        }
        let Ok((access, key)) = self.access() else {
            return Ok(None);
        };
        let Some(creds) = self.inner.store.load_epost_credentials(tenant, key).await? else {
            return Ok(None);
        };
        let ch = access
            .channel(tenant, creds.expose())
            .map_err(|e| EngineError::Access(e.to_string()))?;
        self.inner.channels.register_for_tenant(tenant, ch.clone());
        Ok(Some(ch))
    }

    /// The channel for a tenant's route.
    pub(crate) async fn channel_for(
        &self,
        tenant: TenantId,
        route: Route,
    ) -> Result<Option<Arc<dyn Channel>>> {
        if route == Route::EpostLetter {
            self.epost_channel(tenant).await
        } else {
            Ok(self.inner.channels.get(tenant, route))
        }
    }

    /// Step 1 of activation: the provider sends an SMS code.
    pub async fn request_epost_sms_code(&self, account: &EpostAccountId) -> Result<()> {
        let (access, _) = self.access()?;
        access
            .request_sms_code(account)
            .await
            .map_err(|e| EngineError::Access(e.to_string()))
    }

    /// Step 2 of activation: with the SMS code and a new password the access is activated and
    /// stored, encrypted, for the tenant.
    pub async fn activate_epost(
        &self,
        tenant: TenantId,
        account: &EpostAccountId,
        sms_code: &str,
        password: &str,
    ) -> Result<()> {
        let (access, _) = self.access()?;
        let creds = access
            .activate(account, sms_code, password)
            .await
            .map_err(|e| EngineError::Access(e.to_string()))?;
        self.store_credentials(tenant, creds).await
    }

    /// An export code of the tenant's access, to import it into another tenant.
    pub async fn export_epost_access(&self, tenant: TenantId, export_key: &[u8]) -> Result<String> {
        let (access, key) = self.access()?;
        let creds = self
            .inner
            .store
            .load_epost_credentials(tenant, key)
            .await?
            .ok_or_else(|| {
                EngineError::Access(format!("tenant {tenant} has no E-POST access to export"))
            })?;
        access
            .export_code(creds.expose(), export_key)
            .map_err(|e| EngineError::Access(e.to_string()))
    }

    /// Gives a tenant the access inside an export code.
    pub async fn import_epost_access(
        &self,
        tenant: TenantId,
        code: &str,
        export_key: &[u8],
    ) -> Result<()> {
        let (access, _) = self.access()?;
        let creds = access
            .import_code(code, export_key)
            .map_err(|e| EngineError::Access(e.to_string()))?;
        self.store_credentials(tenant, creds).await
    }

    async fn store_credentials(&self, tenant: TenantId, creds: Vec<u8>) -> Result<()> {
        let (_, key) = self.access()?;
        self.inner
            .store
            .save_epost_credentials(tenant, key, &SecretBytes::new(creds))
            .await?;
        // The next use builds the channel from the new credentials.
        self.inner
            .channels
            .unregister_for_tenant(tenant, Route::EpostLetter);
        Ok(())
    }
}
