//! Mail accounts of a tenant and the registry that picks one for a delivery.

use std::collections::HashMap;
use std::fmt;
use std::net::IpAddr;

use outbox_model::{EmailAddress, MailAccountId, TenantId};

/// How the connection to the mail server is protected.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum Security {
    /// Plain connection upgraded with `STARTTLS` before anything else is sent (submission,
    /// port 587). Fails instead of falling back to plaintext when the server does not offer it.
    #[default]
    StartTls,
    /// TLS from the first byte ("SMTPS", port 465).
    ImplicitTls,
    /// No encryption at all. Only for local servers (a relay on the same host, a test sink);
    /// the field is there so nobody picks it by accident. Credentials are refused unless the
    /// host is a loopback address.
    Plaintext {
        /// Spell it out: this server is local.
        i_know_this_is_local: (),
    },
}

impl Security {
    /// Plaintext, for a local server.
    pub const LOCAL_PLAINTEXT: Security = Security::Plaintext {
        i_know_this_is_local: (),
    };

    /// The usual port: 587, 465 or 25.
    pub fn default_port(&self) -> u16 {
        match self {
            Security::StartTls => 587,
            Security::ImplicitTls => 465,
            Security::Plaintext { .. } => 25,
        }
    }

    /// Whether the connection is encrypted.
    pub fn is_encrypted(&self) -> bool {
        !matches!(self, Security::Plaintext { .. })
    }
}

/// User name and password for SMTP AUTH (PLAIN or LOGIN). `Debug` never shows the password.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    user: String,
    password: String,
}

impl Credentials {
    /// Credentials for SMTP AUTH.
    pub fn new(user: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            user: user.into(),
            password: password.into(),
        }
    }

    /// The user name.
    pub fn user(&self) -> &str {
        &self.user
    }

    pub(crate) fn to_lettre(&self) -> lettre::transport::smtp::authentication::Credentials {
        lettre::transport::smtp::authentication::Credentials::new(
            self.user.clone(),
            self.password.clone(),
        )
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &self.user)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// An account a tenant sends e-mail through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailAccount {
    /// Identifier, referenced by [`EmailSettings::account`](outbox_model::EmailSettings::account).
    pub id: MailAccountId,
    /// Owning tenant; an account is never used for another tenant's mail.
    pub tenant: TenantId,
    /// SMTP server host name or IP address.
    pub host: String,
    /// SMTP server port.
    pub port: u16,
    /// Connection protection.
    pub security: Security,
    /// Login, if the server requires one.
    pub credentials: Option<Credentials>,
    /// Name shown as sender ("Hausverwaltung Sonnenschein GmbH").
    pub from_name: String,
    /// Sender address (envelope and `From`).
    pub from_address: EmailAddress,
    /// Where replies go, if not to the sender address.
    pub reply_to: Option<EmailAddress>,
    /// The tenant's standard account, used when a document names none.
    pub is_standard: bool,
    /// Extra trusted root certificates (PEM), added to the system's, for servers with a private
    /// CA.
    pub extra_root_certificates_pem: Vec<String>,
}

impl MailAccount {
    /// An account with the security's default port, no login, the sender address as name, not
    /// standard. Set the other fields directly or with the `with_*` methods.
    pub fn new(
        id: MailAccountId,
        tenant: TenantId,
        host: impl Into<String>,
        security: Security,
        from_address: EmailAddress,
    ) -> Self {
        Self {
            id,
            tenant,
            host: host.into(),
            port: security.default_port(),
            security,
            credentials: None,
            from_name: String::new(),
            from_address,
            reply_to: None,
            is_standard: false,
            extra_root_certificates_pem: Vec::new(),
        }
    }

    /// Sets the port.
    pub fn with_port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Sets the login.
    pub fn with_credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Sets the sender name.
    pub fn with_from_name(mut self, name: impl Into<String>) -> Self {
        self.from_name = name.into();
        self
    }

    /// Sets the reply-to address.
    pub fn with_reply_to(mut self, reply_to: EmailAddress) -> Self {
        self.reply_to = Some(reply_to);
        self
    }

    /// Makes this the tenant's standard account.
    pub fn standard(mut self) -> Self {
        self.is_standard = true;
        self
    }

    /// Trusts an extra root certificate (PEM) for this server.
    pub fn with_root_certificate_pem(mut self, pem: impl Into<String>) -> Self {
        self.extra_root_certificates_pem.push(pem.into());
        self
    }

    /// Whether the host is a loopback address or `localhost`.
    pub fn host_is_loopback(&self) -> bool {
        let host = self
            .host
            .trim()
            .trim_start_matches('[')
            .trim_end_matches(']');
        host.eq_ignore_ascii_case("localhost")
            || host
                .parse::<IpAddr>()
                .is_ok_and(|ip: IpAddr| ip.is_loopback())
    }

    /// Checks the account on its own.
    pub fn validate(&self) -> Result<(), AccountError> {
        let invalid = |reason: String| AccountError::Invalid {
            id: self.id,
            reason,
        };
        let host = self.host.trim();
        if host.is_empty() || host.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid(format!(
                "host `{}` is empty or contains blanks; enter the SMTP server name such as smtp.example.de",
                self.host
            )));
        }
        if self.port == 0 {
            return Err(invalid(
                "port 0 is not a valid SMTP port; use 587 (STARTTLS), 465 (TLS) or 25".into(),
            ));
        }
        if self.from_name.chars().any(char::is_control) {
            return Err(invalid(
                "the sender name contains control characters (line breaks?)".into(),
            ));
        }
        if self.credentials.is_some() && !self.security.is_encrypted() && !self.host_is_loopback() {
            return Err(invalid(format!(
                "a password would travel unencrypted to {host}; use STARTTLS or TLS, or plaintext only for a server on this machine"
            )));
        }
        Ok(())
    }
}

/// Why an account cannot be registered or found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AccountError {
    /// No account with this id is registered.
    #[error("mail account {id} does not exist; choose an existing account in the e-mail settings")]
    Unknown {
        /// The id asked for.
        id: MailAccountId,
    },
    /// The account belongs to another tenant.
    #[error(
        "mail account {id} belongs to another tenant than {tenant}; choose one of the tenant's own accounts"
    )]
    OtherTenant {
        /// The id asked for.
        id: MailAccountId,
        /// The tenant that asked.
        tenant: TenantId,
    },
    /// The tenant has no standard account and the document names none.
    #[error(
        "tenant {tenant} has no standard mail account; mark one account as standard or choose an account in the e-mail settings"
    )]
    NoStandard {
        /// The tenant.
        tenant: TenantId,
    },
    /// An account with this id is already registered.
    #[error("mail account {id} is registered twice")]
    DuplicateId {
        /// The id.
        id: MailAccountId,
    },
    /// The tenant already has a standard account.
    #[error(
        "tenant {tenant} already has standard mail account {existing}; unmark it before marking {id}"
    )]
    SecondStandard {
        /// The tenant.
        tenant: TenantId,
        /// Its standard account.
        existing: MailAccountId,
        /// The account that would be a second one.
        id: MailAccountId,
    },
    /// The account's settings are unusable.
    #[error("mail account {id} is not usable: {reason}")]
    Invalid {
        /// The account.
        id: MailAccountId,
        /// What is wrong and what to do.
        reason: String,
    },
}

/// The mail accounts of all tenants.
#[derive(Debug, Clone, Default)]
pub struct MailAccounts {
    by_id: HashMap<MailAccountId, MailAccount>,
}

impl MailAccounts {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers an account after checking it: valid settings, a new id, at most one standard
    /// account per tenant.
    pub fn insert(&mut self, account: MailAccount) -> Result<(), AccountError> {
        account.validate()?;
        if self.by_id.contains_key(&account.id) {
            return Err(AccountError::DuplicateId { id: account.id });
        }
        if account.is_standard
            && let Some(existing) = self.standard_of(account.tenant)
        {
            return Err(AccountError::SecondStandard {
                tenant: account.tenant,
                existing: existing.id,
                id: account.id,
            });
        }
        self.by_id.insert(account.id, account);
        Ok(())
    }

    /// Builds a registry from accounts; fails on the first invalid one.
    pub fn try_from_accounts(
        accounts: impl IntoIterator<Item = MailAccount>,
    ) -> Result<Self, AccountError> {
        let mut registry = Self::new();
        for a in accounts {
            registry.insert(a)?;
        }
        Ok(registry)
    }

    /// The account by id, of any tenant.
    pub fn get(&self, id: MailAccountId) -> Option<&MailAccount> {
        self.by_id.get(&id)
    }

    /// The tenant's standard account.
    pub fn standard_of(&self, tenant: TenantId) -> Option<&MailAccount> {
        self.by_id
            .values()
            .find(|a| a.tenant == tenant && a.is_standard)
    }

    /// The tenant's accounts, ordered by id.
    pub fn of_tenant(&self, tenant: TenantId) -> Vec<&MailAccount> {
        let mut v: Vec<&MailAccount> = self.by_id.values().filter(|a| a.tenant == tenant).collect();
        v.sort_by_key(|a| a.id);
        v
    }

    /// The account a tenant's mail goes through: the one named (by
    /// [`EmailSettings::account`](outbox_model::EmailSettings::account)) if any, which must
    /// belong to the tenant, else the tenant's standard account.
    pub fn resolve(
        &self,
        tenant: TenantId,
        account: Option<MailAccountId>,
    ) -> Result<&MailAccount, AccountError> {
        match account {
            Some(id) => {
                let a = self.get(id).ok_or(AccountError::Unknown { id })?;
                if a.tenant == tenant {
                    Ok(a)
                } else {
                    Err(AccountError::OtherTenant { id, tenant })
                }
            }
            None => self
                .standard_of(tenant)
                .ok_or(AccountError::NoStandard { tenant }),
        }
    }

    /// Number of accounts.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}
