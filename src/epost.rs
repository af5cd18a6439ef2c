//! E-POST access for the engine, implemented with `outbox-epost`.

use std::sync::Arc;

use async_trait::async_trait;
use outbox_channel::{Channel, ChannelError};
use outbox_engine::{EpostAccess, EpostAccountId};
use outbox_epost::{
    ChannelOptions, ClientConfig, Credentials, CredentialsKey, EpostChannel, EpostClient, Secret,
};
use outbox_model::TenantId;

/// The engine stores credentials as opaque bytes (encrypted at rest with the store key). We
/// use the crate's own versioned, checksummed code format for them, under a fixed key: the
/// store's encryption is what protects them; this only gives a stable serialisation.
const STORAGE_KEY: &[u8] = b"outbox facade credential serialisation";

fn encode(c: &Credentials) -> Result<Vec<u8>, ChannelError> {
    c.export_code(&CredentialsKey::derive(STORAGE_KEY))
        .map(String::into_bytes)
        .map_err(|e| ChannelError::permanent("credentials", e.to_string()))
}

fn decode(bytes: &[u8]) -> Result<Credentials, ChannelError> {
    let code = std::str::from_utf8(bytes).map_err(|_| {
        ChannelError::permanent("credentials", "stored E-POST credentials are damaged")
    })?;
    Credentials::import_code(code, &CredentialsKey::derive(STORAGE_KEY))
        .map_err(|e| ChannelError::permanent("credentials", e.to_string()))
}

fn classify(e: outbox_epost::EpostError) -> ChannelError {
    ChannelError::permanent("epost", e.to_string())
}

/// Activation, export/import and per-tenant channels against one E-POST API (production or
/// the fake).
pub(crate) struct Access {
    pub(crate) client: ClientConfig,
    pub(crate) options: ChannelOptions,
}

impl Access {
    fn client(&self) -> Result<EpostClient, ChannelError> {
        EpostClient::new(self.client.clone()).map_err(classify)
    }
}

#[async_trait]
impl EpostAccess for Access {
    async fn request_sms_code(&self, account: &EpostAccountId) -> Result<(), ChannelError> {
        self.client()?
            .request_sms_code(&account.vendor_id, &account.ekp)
            .await
            .map_err(classify)
    }

    async fn activate(
        &self,
        account: &EpostAccountId,
        sms_code: &str,
        password: &str,
    ) -> Result<Vec<u8>, ChannelError> {
        let password = Secret::new(password);
        let secret = self
            .client()?
            .set_password(&account.vendor_id, &account.ekp, &password, sms_code)
            .await
            .map_err(classify)?;
        encode(&Credentials::new(
            &account.vendor_id,
            &account.ekp,
            secret,
            password,
        ))
    }

    fn channel(
        &self,
        tenant: TenantId,
        credentials: &[u8],
    ) -> Result<Arc<dyn Channel>, ChannelError> {
        let account = self.client()?.account(decode(credentials)?);
        Ok(Arc::new(EpostChannel::with_options(
            account,
            tenant,
            self.options.clone(),
        )))
    }

    fn export_code(&self, credentials: &[u8], key: &[u8]) -> Result<String, ChannelError> {
        decode(credentials)?
            .export_code(&CredentialsKey::derive(key))
            .map_err(|e| ChannelError::permanent("export", e.to_string()))
    }

    fn import_code(&self, code: &str, key: &[u8]) -> Result<Vec<u8>, ChannelError> {
        let c = Credentials::import_code(code, &CredentialsKey::derive(key))
            .map_err(|e| ChannelError::permanent("import", e.to_string()))?;
        encode(&c)
    }
}
