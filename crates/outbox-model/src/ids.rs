//! Identifier newtypes.
//!
//! Identifiers are plain 64-bit numbers assigned by the store. Distinct types keep a delivery id
//! from being passed where a document id is expected; `Display`/`FromStr` use the bare number so
//! ids round-trip through URLs, provider reference fields (`custom1`) and log lines unchanged.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A string could not be parsed as an identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a valid {kind} id: expected a non-negative whole number such as 42")]
pub struct ParseIdError {
    /// Which identifier kind was expected ("tenant", "delivery", ...).
    pub kind: &'static str,
    /// The rejected input.
    pub input: String,
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub u64);

        impl $name {
            /// Wraps a raw number.
            pub const fn new(raw: u64) -> Self {
                Self(raw)
            }

            /// The raw number.
            pub const fn get(self) -> u64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }

        impl FromStr for $name {
            type Err = ParseIdError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.trim().parse::<u64>().map(Self).map_err(|_| ParseIdError {
                    kind: $kind,
                    input: s.to_owned(),
                })
            }
        }

        impl From<u64> for $name {
            fn from(raw: u64) -> Self {
                Self(raw)
            }
        }
    };
}

id_type!(
    /// A tenant ("Mandant"), the isolation boundary: every stored row belongs to one tenant.
    TenantId,
    "tenant"
);
id_type!(
    /// A contact in a tenant's address book.
    ContactId,
    "contact"
);
id_type!(
    /// A document in the outbox.
    DocumentId,
    "document"
);
id_type!(
    /// One delivery: one recipient, one route, one or more documents.
    DeliveryId,
    "delivery"
);
id_type!(
    /// A collector ("Sammler") grouping several documents for combined sending.
    CollectorId,
    "collector"
);
id_type!(
    /// An e-mail sending account of a tenant.
    MailAccountId,
    "mail account"
);
