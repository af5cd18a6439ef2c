//! Address-book contacts.

use serde::{Deserialize, Serialize};

use crate::{ContactId, EmailAddress, InvalidEmail, PostalAddress, Problems, RouteSet, TenantId};

/// A recipient in a tenant's address book.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// Identifier.
    pub id: ContactId,
    /// Owning tenant.
    pub tenant: TenantId,
    /// Display name ("Eheleute Müller").
    pub name: String,
    /// Postal address, needed for E-POST letters.
    #[serde(default)]
    pub address: Option<PostalAddress>,
    /// E-mail address as entered, needed for e-mail and e-mail share. Checked by
    /// [`Contact::validate`] rather than on input so a bad address can be stored and shown.
    #[serde(default)]
    pub email: Option<String>,
    /// The recipient's login at the portal, needed for portal shares.
    #[serde(default)]
    pub portal_account: Option<String>,
    /// Preferred routes, most preferred first.
    #[serde(default)]
    pub preferred_routes: RouteSet,
}

impl Contact {
    /// A contact with only a name; add address, e-mail and routes with the fields.
    pub fn new(id: ContactId, tenant: TenantId, name: impl Into<String>) -> Self {
        Self {
            id,
            tenant,
            name: name.into(),
            address: None,
            email: None,
            portal_account: None,
            preferred_routes: RouteSet::new(),
        }
    }

    /// The parsed e-mail address; `None` when there is none.
    pub fn email_address(&self) -> Option<Result<EmailAddress, InvalidEmail>> {
        self.email
            .as_deref()
            .filter(|e| !e.trim().is_empty())
            .map(EmailAddress::parse)
    }

    /// Checks what is present: the postal address (if any) and the e-mail (if any). Missing
    /// parts are not problems here; whether a route needs them is a readiness question.
    pub fn validate(&self) -> Problems {
        let mut p = self
            .address
            .as_ref()
            .map(PostalAddress::validate)
            .unwrap_or_default()
            .0;
        if let Some(Err(e)) = self.email_address() {
            p.push(e.to_problem("contact.email"));
        }
        Problems(p)
    }
}
