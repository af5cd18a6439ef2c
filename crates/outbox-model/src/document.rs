//! Documents in the outbox.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{ContactId, DocumentId, Problem, ProblemCode, Problems, SendSettings, TenantId};

/// A PDF in the outbox with its recipients and send settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// Identifier.
    pub id: DocumentId,
    /// Owning tenant.
    pub tenant: TenantId,
    /// Title ("Bezeichnung"), e.g. "Einladung zur Eigentümerversammlung 2027".
    pub title: String,
    /// File name of the PDF.
    pub file_name: String,
    /// Number of pages.
    pub page_count: u32,
    /// Size of the PDF in bytes.
    pub size_bytes: u64,
    /// Who created it.
    pub author: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// Reference into the producing application (a record id, a path), if any.
    #[serde(default)]
    pub source_reference: Option<String>,
    /// Recipients in order.
    pub recipients: Vec<ContactId>,
    /// Send settings.
    #[serde(default)]
    pub settings: SendSettings,
}

impl Document {
    /// Checks title, file name and settings; reports every problem found.
    pub fn validate(&self) -> Problems {
        let mut p = Vec::new();
        for (field, value, max) in [
            ("document.title", &self.title, 200),
            ("document.file_name", &self.file_name, 200),
        ] {
            let len = value.trim().chars().count();
            if len == 0 || len > max || value.chars().any(char::is_control) {
                p.push(Problem::new(
                    ProblemCode::DocumentFieldInvalid,
                    field,
                    format!("{field} fehlt, ist länger als {max} Zeichen oder enthält Steuerzeichen."),
                    format!("{field} is missing, longer than {max} characters or has control characters."),
                ));
            }
        }
        p.extend(self.settings.validate());
        Problems(p)
    }
}
