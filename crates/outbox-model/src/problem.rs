//! Validation problems: every check reports all it finds, each with a stable code.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Language;

/// What a validation problem is about. The string form ([`ProblemCode::as_str`]) is stable and
/// may be stored or matched on by other programs; E-POST rules carry the API's error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ProblemCode {
    /// The first address line (name or company) is empty.
    AddressLine1Missing,
    /// An address line is longer than 80 characters.
    AddressLineTooLong,
    /// More address lines than fit the 6-line address zone.
    AddressTooManyLines,
    /// An address line is blank or contains control characters.
    AddressLineInvalid,
    /// The postal code is missing.
    AddressZipMissing,
    /// The postal code has the wrong form.
    AddressZipInvalid,
    /// The city is missing or too long.
    AddressCityInvalid,
    /// Postal code or city were written into an address line.
    AddressZipCityInLines,
    /// The country is not an upper-case German country name (E-POST `E305`).
    AddressCountryInvalid,
    /// A country was given for a domestic address; domestic mail has no country.
    AddressCountryDomestic,
    /// The e-mail address is not valid.
    EmailInvalid,
    /// The download-link validity is outside 1..=9 days.
    ShareValidityOutOfRange,
    /// "max. Dokumente" is zero.
    MaxDocumentsZero,
    /// "max. Größe" is zero.
    MaxMegabytesZero,
    /// The portal share category is empty or too long.
    PortalCategoryInvalid,
    /// Duplex printing together with registered mail (E-POST `E312`).
    DuplexWithRegisteredMail,
    /// Registered mail to a foreign address (E-POST `E311`).
    RegisteredMailForeign,
    /// A document's title or file name is empty or too long.
    DocumentFieldInvalid,
}

impl ProblemCode {
    /// The stable code string.
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemCode::AddressLine1Missing => "address.line1_missing",
            ProblemCode::AddressLineTooLong => "address.line_too_long",
            ProblemCode::AddressTooManyLines => "address.too_many_lines",
            ProblemCode::AddressLineInvalid => "address.line_invalid",
            ProblemCode::AddressZipMissing => "address.zip_missing",
            ProblemCode::AddressZipInvalid => "address.zip_invalid",
            ProblemCode::AddressCityInvalid => "address.city_invalid",
            ProblemCode::AddressZipCityInLines => "address.zip_city_in_lines",
            ProblemCode::AddressCountryInvalid => "address.country_invalid",
            ProblemCode::AddressCountryDomestic => "address.country_domestic",
            ProblemCode::EmailInvalid => "email.invalid",
            ProblemCode::ShareValidityOutOfRange => "settings.share_validity",
            ProblemCode::MaxDocumentsZero => "settings.max_documents",
            ProblemCode::MaxMegabytesZero => "settings.max_megabytes",
            ProblemCode::PortalCategoryInvalid => "settings.portal_category",
            ProblemCode::DuplexWithRegisteredMail => "epost.E312",
            ProblemCode::RegisteredMailForeign => "epost.E311",
            ProblemCode::DocumentFieldInvalid => "document.field_invalid",
        }
    }
}

impl fmt::Display for ProblemCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One thing wrong with an input, with where it is and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Problem {
    /// Stable code.
    pub code: ProblemCode,
    /// The field the problem is about, as a path (`"address.lines[2]"`, `"settings.email.max_documents"`).
    pub field: String,
    /// German message for users.
    pub message_de: String,
    /// English message for users and logs.
    pub message_en: String,
}

impl Problem {
    /// Creates a problem with messages in both languages.
    pub fn new(
        code: ProblemCode,
        field: impl Into<String>,
        message_de: impl Into<String>,
        message_en: impl Into<String>,
    ) -> Self {
        Self {
            code,
            field: field.into(),
            message_de: message_de.into(),
            message_en: message_en.into(),
        }
    }

    /// The message in the given language.
    pub fn message(&self, lang: Language) -> &str {
        lang.pick(&self.message_de, &self.message_en)
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.field, self.code, self.message_en)
    }
}

/// Problems found by a validation; empty means valid. Returned as an error by constructors that
/// refuse invalid input, so the caller sees every problem at once.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, thiserror::Error)]
#[serde(transparent)]
pub struct Problems(pub Vec<Problem>);

impl Problems {
    /// Whether nothing is wrong.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether a problem with this code was found.
    pub fn has(&self, code: ProblemCode) -> bool {
        self.0.iter().any(|p| p.code == code)
    }

    /// The codes in the order found.
    pub fn codes(&self) -> Vec<ProblemCode> {
        self.0.iter().map(|p| p.code).collect()
    }

    /// `Ok(())` when empty, else `Err(self)`.
    pub fn into_result(self) -> Result<(), Problems> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} problem(s)", self.0.len())?;
        for (i, p) in self.0.iter().enumerate() {
            write!(f, "{} {p}", if i == 0 { ":" } else { ";" })?;
        }
        Ok(())
    }
}

impl IntoIterator for Problems {
    type Item = Problem;
    type IntoIter = std::vec::IntoIter<Problem>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}
