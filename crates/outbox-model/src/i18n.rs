//! Display language for labels and messages shown to users.

use serde::{Deserialize, Serialize};

/// The language of a user-facing label or message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// German, the language of the outbox screen.
    #[default]
    De,
    /// English.
    En,
}

impl Language {
    /// Picks the German or the English text.
    pub fn pick<'a>(self, de: &'a str, en: &'a str) -> &'a str {
        match self {
            Language::De => de,
            Language::En => en,
        }
    }
}
