//! Which channel serves a route for a tenant.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use outbox_channel::Channel;
use outbox_model::{Route, TenantId};

/// Channels by route, with per-tenant overrides (an E-POST channel holds one tenant's access).
#[derive(Default, Clone)]
pub struct ChannelRegistry {
    inner: Arc<RwLock<Inner>>,
}

#[derive(Default)]
struct Inner {
    shared: HashMap<Route, Arc<dyn Channel>>,
    per_tenant: HashMap<(TenantId, Route), Arc<dyn Channel>>,
}

impl std::fmt::Debug for ChannelRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let inner = self.inner.read().unwrap_or_else(|e| e.into_inner());
        f.debug_struct("ChannelRegistry")
            .field("shared", &inner.shared.keys().collect::<Vec<_>>())
            .field("per_tenant", &inner.per_tenant.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl ChannelRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Serves `channel.route()` for every tenant without an override.
    pub fn register(&self, channel: Arc<dyn Channel>) {
        let mut inner = self.inner.write().unwrap_or_else(|e| e.into_inner());
        inner.shared.insert(channel.route(), channel);
    }

    /// Serves `channel.route()` for one tenant.
    pub fn register_for_tenant(&self, tenant: TenantId, channel: Arc<dyn Channel>) {
        let mut inner = self.inner.write().unwrap_or_else(|e| e.into_inner());
        inner.per_tenant.insert((tenant, channel.route()), channel);
    }

    /// Removes a tenant's override.
    pub fn unregister_for_tenant(&self, tenant: TenantId, route: Route) {
        let mut inner = self.inner.write().unwrap_or_else(|e| e.into_inner());
        inner.per_tenant.remove(&(tenant, route));
    }

    /// The channel for a tenant's route: the tenant's own, else the shared one.
    pub fn get(&self, tenant: TenantId, route: Route) -> Option<Arc<dyn Channel>> {
        let inner = self.inner.read().unwrap_or_else(|e| e.into_inner());
        inner
            .per_tenant
            .get(&(tenant, route))
            .or_else(|| inner.shared.get(&route))
            .cloned()
    }
}
