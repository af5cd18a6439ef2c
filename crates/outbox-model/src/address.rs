//! Structured postal addresses and the rules an E-POST letter address must follow.
//!
//! The rules come from the E-POSTBUSINESS API (`addressLine1..5`, `zipCode`, `city`, `country`):
//! lines hold name, street and additions only; postal code and city have their own fields; the
//! recipient zone has at most six lines, so a foreign address (which needs a country line) has at
//! most four address lines, a domestic one five.

use serde::{Deserialize, Serialize};

use crate::{Problem, ProblemCode, Problems};

/// Longest address line, city or country the provider accepts, in characters.
pub const MAX_FIELD_CHARS: usize = 80;
/// Most lines the recipient zone holds (address lines + zip/city line + country line).
pub const MAX_ZONE_LINES: usize = 6;
/// Country names that mean "domestic": a domestic address must carry no country at all.
const DOMESTIC_NAMES: [&str; 5] = [
    "DEUTSCHLAND",
    "GERMANY",
    "DE",
    "DEU",
    "BUNDESREPUBLIK DEUTSCHLAND",
];

/// A postal address. Domestic (German) addresses have no country.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct PostalAddress {
    /// Lines 1..5: name or company first, then street and additions. Never postal code or city.
    pub lines: Vec<String>,
    /// Postal code ("PLZ"); empty for foreign countries without postal codes.
    pub zip: String,
    /// City.
    pub city: String,
    /// Upper-case German country name following ISO 3166-1 (`"ÖSTERREICH"`); `None` for domestic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

impl PostalAddress {
    /// A domestic address.
    pub fn domestic(
        lines: impl IntoIterator<Item = impl Into<String>>,
        zip: impl Into<String>,
        city: impl Into<String>,
    ) -> Self {
        Self {
            lines: lines.into_iter().map(Into::into).collect(),
            zip: zip.into(),
            city: city.into(),
            country: None,
        }
    }

    /// A foreign address.
    pub fn foreign(
        lines: impl IntoIterator<Item = impl Into<String>>,
        zip: impl Into<String>,
        city: impl Into<String>,
        country: impl Into<String>,
    ) -> Self {
        Self {
            country: Some(country.into()),
            ..Self::domestic(lines, zip, city)
        }
    }

    /// Whether the address is domestic (no country, or a blank one).
    pub fn is_domestic(&self) -> bool {
        self.country.as_deref().is_none_or(|c| c.trim().is_empty())
    }

    /// The lines as printed in a window envelope: address lines, "zip city", then the country
    /// for foreign mail.
    pub fn printed_lines(&self) -> Vec<String> {
        let mut out: Vec<String> = self.lines.iter().map(|l| l.trim().to_owned()).collect();
        let zip = self.zip.trim();
        out.push(if zip.is_empty() {
            self.city.trim().to_owned()
        } else {
            format!("{zip} {}", self.city.trim())
        });
        if !self.is_domestic()
            && let Some(c) = &self.country
        {
            out.push(c.trim().to_owned());
        }
        out
    }

    /// Checks the address for use on an E-POST letter; reports every problem found.
    pub fn validate(&self) -> Problems {
        let mut p = Vec::new();
        let domestic = self.is_domestic();
        let max_lines = if domestic { 5 } else { 4 };

        if self.lines.first().is_none_or(|l| l.trim().is_empty()) {
            p.push(Problem::new(
                ProblemCode::AddressLine1Missing,
                "address.lines[0]",
                "Die erste Adresszeile (Name oder Firma) fehlt.",
                "The first address line (name or company) is missing.",
            ));
        }
        if self.lines.len() > max_lines {
            p.push(Problem::new(
                ProblemCode::AddressTooManyLines,
                "address.lines",
                format!(
                    "Zu viele Adresszeilen: {} statt höchstens {max_lines} ({}).",
                    self.lines.len(),
                    if domestic {
                        "Inland"
                    } else {
                        "Ausland braucht eine Länderzeile"
                    }
                ),
                format!(
                    "Too many address lines: {} but at most {max_lines} ({}).",
                    self.lines.len(),
                    if domestic {
                        "domestic"
                    } else {
                        "foreign mail needs a country line"
                    }
                ),
            ));
        }
        for (i, line) in self.lines.iter().enumerate() {
            let field = format!("address.lines[{i}]");
            if line.chars().count() > MAX_FIELD_CHARS {
                p.push(too_long(ProblemCode::AddressLineTooLong, &field));
            }
            if i > 0 && line.trim().is_empty() {
                p.push(Problem::new(
                    ProblemCode::AddressLineInvalid,
                    &field,
                    "Leere Adresszeile: Leerzeilen sind im Anschriftfeld nicht erlaubt.",
                    "Blank address line: the address zone allows no blank lines.",
                ));
            } else if line.chars().any(char::is_control) {
                p.push(Problem::new(
                    ProblemCode::AddressLineInvalid,
                    &field,
                    "Die Adresszeile enthält Steuerzeichen (z. B. Zeilenumbruch).",
                    "The address line contains control characters (such as a line break).",
                ));
            }
            if i > 0 && self.mentions_zip_or_city(line) {
                p.push(Problem::new(
                    ProblemCode::AddressZipCityInLines,
                    &field,
                    "PLZ und Ort gehören in ihre eigenen Felder, nicht in die Adresszeilen.",
                    "Postal code and city belong in their own fields, not in the address lines.",
                ));
            }
        }

        self.validate_zip(domestic, &mut p);

        let city = self.city.trim();
        if city.is_empty()
            || city.chars().count() > MAX_FIELD_CHARS
            || city.chars().any(char::is_control)
        {
            p.push(Problem::new(
                ProblemCode::AddressCityInvalid,
                "address.city",
                "Der Ort fehlt oder ist länger als 80 Zeichen.",
                "The city is missing or longer than 80 characters.",
            ));
        }

        if let Some(country) = self
            .country
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            if DOMESTIC_NAMES.contains(&country.to_uppercase().as_str()) {
                p.push(Problem::new(
                    ProblemCode::AddressCountryDomestic,
                    "address.country",
                    "Für Inlandsadressen bleibt das Land leer.",
                    "Leave the country empty for domestic addresses.",
                ));
            } else if country != country.to_uppercase()
                || country.chars().count() > MAX_FIELD_CHARS
                || !country
                    .chars()
                    .all(|c| c.is_alphabetic() || c == ' ' || c == '-')
            {
                p.push(Problem::new(
                    ProblemCode::AddressCountryInvalid,
                    "address.country",
                    format!("Ungültiges Land „{country}“: deutscher Ländername in Großbuchstaben, z. B. ÖSTERREICH."),
                    format!("Invalid country \"{country}\": use the German country name in upper case, e.g. ÖSTERREICH."),
                ));
            }
        }
        Problems(p)
    }

    fn validate_zip(&self, domestic: bool, p: &mut Vec<Problem>) {
        let zip = self.zip.trim();
        if domestic {
            if zip.is_empty() {
                p.push(Problem::new(
                    ProblemCode::AddressZipMissing,
                    "address.zip",
                    "Die Postleitzahl fehlt.",
                    "The postal code is missing.",
                ));
            } else if zip.len() != 5 || !zip.bytes().all(|b| b.is_ascii_digit()) {
                p.push(Problem::new(
                    ProblemCode::AddressZipInvalid,
                    "address.zip",
                    format!("Ungültige Postleitzahl „{zip}“: im Inland genau 5 Ziffern ohne Leerzeichen."),
                    format!("Invalid postal code \"{zip}\": domestic codes are exactly 5 digits, no blanks."),
                ));
            }
        } else if !zip.is_empty()
            && (zip.chars().count() < 3
                || zip.chars().count() > 20
                || !zip
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-'))
        {
            p.push(Problem::new(
                ProblemCode::AddressZipInvalid,
                "address.zip",
                format!("Ungültige Postleitzahl „{zip}“: 3 bis 20 Zeichen (Buchstaben, Ziffern, Leerzeichen, Bindestrich)."),
                format!("Invalid postal code \"{zip}\": 3 to 20 letters, digits, blanks or hyphens."),
            ));
        }
    }

    /// Whether a line repeats the postal code or the city (or looks like "12345 Ort").
    fn mentions_zip_or_city(&self, line: &str) -> bool {
        let line = line.trim();
        let zip = self.zip.trim();
        let city = self.city.trim();
        let has_zip = zip.len() >= 3 && line.split_whitespace().any(|w| w == zip);
        let is_city = !city.is_empty() && line.eq_ignore_ascii_case(city);
        let plz_ort = {
            let mut words = line.split_whitespace();
            matches!(
                (words.next(), words.next()),
                (Some(first), Some(_)) if first.len() == 5 && first.bytes().all(|b| b.is_ascii_digit())
            )
        };
        has_zip || is_city || plz_ort
    }
}

fn too_long(code: ProblemCode, field: &str) -> Problem {
    Problem::new(
        code,
        field,
        format!("{field} ist länger als {MAX_FIELD_CHARS} Zeichen."),
        format!("{field} is longer than {MAX_FIELD_CHARS} characters."),
    )
}
