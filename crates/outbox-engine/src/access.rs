//! E-POST access per tenant: activation, export and import, as the engine needs them.
//!
//! The engine knows no provider. The facade implements [`EpostAccess`] with the E-POST crate;
//! the engine keeps the resulting credentials encrypted in the store and builds the tenant's
//! channel from them.

use std::sync::Arc;

use async_trait::async_trait;
use outbox_channel::{Channel, ChannelError};
use outbox_model::TenantId;

/// The customer's identification at the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EpostAccountId {
    /// Vendor (partner) id.
    pub vendor_id: String,
    /// The customer's EKP number.
    pub ekp: String,
}

/// What the engine needs from an E-POST implementation.
#[async_trait]
pub trait EpostAccess: Send + Sync {
    /// Asks the provider to send the activation code by SMS to the account's mobile number.
    async fn request_sms_code(&self, account: &EpostAccountId) -> Result<(), ChannelError>;

    /// Activates the account with the SMS code and a new password; returns the credentials to
    /// keep (opaque bytes; the engine stores them encrypted).
    async fn activate(
        &self,
        account: &EpostAccountId,
        sms_code: &str,
        password: &str,
    ) -> Result<Vec<u8>, ChannelError>;

    /// Builds the tenant's E-POST channel from stored credentials.
    fn channel(
        &self,
        tenant: TenantId,
        credentials: &[u8],
    ) -> Result<Arc<dyn Channel>, ChannelError>;

    /// An export code for the credentials, encrypted with `key`, to give a second tenant the
    /// same access.
    fn export_code(&self, credentials: &[u8], key: &[u8]) -> Result<String, ChannelError>;

    /// The credentials inside an export code; a wrong key or a mistyped code is an error.
    fn import_code(&self, code: &str, key: &[u8]) -> Result<Vec<u8>, ChannelError>;
}
