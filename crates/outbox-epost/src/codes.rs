//! Every code of the E-POSTBUSINESS `Error` schema (API v2.6.1), classified, with a German and an
//! English message.
//!
//! The provider's `description` carries details after a colon (`E324 … über LetterID 123`), so
//! decisions are made on the code, never on the text.

use outbox_model::Language;

/// How a code is to be treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CodeClass {
    /// Retrying the same request will fail the same way; the user must change something.
    Permanent,
    /// Retrying later may succeed (provider-side processing trouble, expired token, outage).
    Transient,
    /// The provider asks us to slow down (frequency limits, SMS blocks).
    RateLimited,
    /// A warning: processing went on, but something was changed or looks wrong.
    Warning,
    /// Information only.
    Info,
}

/// One code of the provider's code list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeInfo {
    /// The code (`"E302"`).
    pub code: &'static str,
    /// How to treat it.
    pub class: CodeClass,
    /// German message for users.
    pub de: &'static str,
    /// English message for users and logs.
    pub en: &'static str,
}

impl CodeInfo {
    /// The message in the given language.
    pub fn message(&self, lang: Language) -> &'static str {
        lang.pick(self.de, self.en)
    }
}

macro_rules! codes {
    ($($code:literal $class:ident $de:literal $en:literal;)*) => {
        /// Every known code, in the order of the provider's list.
        pub const CODES: &[CodeInfo] = &[
            $(CodeInfo { code: $code, class: CodeClass::$class, de: $de, en: $en },)*
        ];
    };
}

codes! {
    "E001" Permanent "Ungültige Zugangsdaten: Hersteller-Kennung, EKP, Secret oder Passwort prüfen." "Invalid credentials: check vendor id, EKP, secret and password.";
    "E002" Permanent "Ungültige VendorSubID." "Invalid VendorSubID.";
    "E003" RateLimited "Zu viele SMS-Anforderungen: die Kennung ist 15 Minuten gesperrt." "Too many SMS code requests: the identifier is blocked for 15 minutes.";
    "E004" Permanent "Diese EKP ist von der Deutschen Post gesperrt; bitte den Kundenservice kontaktieren." "This EKP is blocked by Deutsche Post; contact customer service.";
    "E101" Transient "Die Anmeldung ist abgelaufen; es wird neu angemeldet." "The login token expired; log in again.";
    "E201" Permanent "Keine Sendung zu diesem Kriterium gefunden." "No letter found for this criterion.";
    "E203" Permanent "Die Adressdaten weichen von der Anschrift im Dokument ab." "The address data differs from the address printed on the document.";
    "E301" Permanent "Die Datei ist kein PDF." "The file is not a PDF.";
    "E302" Permanent "Der Sperrbereich für die Frankierung (DVF) ist bedruckt." "Something is printed in the franking restricted area (DVF).";
    "E303" Permanent "Das PDF ist größer als 20 MB." "The PDF is larger than 20 MB.";
    "E304" Permanent "Der Brief hat mehr als 94 Seiten." "The letter has more than 94 pages.";
    "E305" Permanent "Ungültiges Land: deutscher Ländername in Großbuchstaben, z. B. ÖSTERREICH." "Invalid country: use the German country name in upper case, e.g. ÖSTERREICH.";
    "E306" Permanent "Ungültiges Format der Empfängeradresse." "Invalid recipient address format.";
    "E307" Permanent "Die erste Seite ist im Querformat." "The first page is in landscape format.";
    "E308" Permanent "Das Dokument ist nicht im Format DIN A4." "The document is not A4.";
    "E309" Permanent "Der Dateiname wurde bereits verwendet." "The file name was already used.";
    "E311" Permanent "Einschreiben ins Ausland sind nicht möglich." "Registered mail to a foreign address is not possible.";
    "E312" Permanent "Duplexdruck ist mit Einschreiben nicht möglich." "Duplex printing is not possible with registered mail.";
    "E313" Permanent "Die Sendungsdaten verletzen das Schema der Schnittstelle." "The letter data violates the API schema.";
    "E314" Permanent "Das eigene Deckblatt ist größer als erlaubt." "The custom cover page is larger than allowed.";
    "E315" Transient "Verarbeitungsfehler beim Anbieter; später erneut versuchen." "Processing error at the provider; try again later.";
    "E316" Transient "Fehler beim Hochladen; später erneut versuchen." "Upload error; try again later.";
    "E317" Permanent "Ungültige Einschreiben-Art." "Invalid registered-mail option.";
    "E318" Permanent "Das Druckzentrum hat den Brief abgelehnt." "The print centre rejected the letter.";
    "E319" Permanent "Die EKP ist noch nicht für den Echtversand freigegeben; den Support um Freischaltung bitten." "The EKP is not yet released for live sending; ask support to release it.";
    "E320" RateLimited "Die tägliche Höchstzahl an Testbriefen ist erreicht; morgen erneut versuchen." "The daily limit of test letters is reached; try again tomorrow.";
    "E321" Permanent "Angaben für den Rückschein fehlen (veraltet)." "Return-receipt fields are missing (obsolete).";
    "E322" RateLimited "Statusabfragen zu häufig: höchstens eine alle 5 Sekunden." "Status queries too frequent: at most one every 5 seconds.";
    "E323" Permanent "Der Empfängerbereich im Dokument ist leer." "The recipient area of the document is empty.";
    "E324" Permanent "Diese Sendung wurde innerhalb der letzten Stunde bereits eingeliefert." "This letter was already submitted within the last hour.";
    "E333" Permanent "Die Absenderangabe fehlt auf dem Dokument." "The sender address is missing on the document.";
    "E399" Permanent "Allgemeiner Fehler des Anbieters." "General provider error.";
    "E501" Transient "Die E-POST-Schnittstelle ist derzeit nicht aktiv." "The E-POST API is currently inactive.";
    "E601" Permanent "Fehler in einem Plug-in." "Plug-in error.";
    "E700" Permanent "Die Sendung wurde in der Warteschlange storniert." "The queued letter was cancelled.";
    "E900" Transient "Nicht näher bezeichneter Fehler des Anbieters; später erneut versuchen." "Unspecified provider error; try again later.";
    "W101" Warning "Das PDF wurde nach PDF/A umgewandelt; Darstellung prüfen." "The PDF was converted to PDF/A; check the rendering.";
    "W201" Warning "Der Adressbereich wurde überschritten." "The address area was exceeded.";
    "W202" Warning "Der linke Sperrbereich wurde überschritten und wird geweißt." "The left restricted strip was exceeded and is blanked.";
    "W203" Warning "Abweichungen zwischen Adressdaten und Dokument festgestellt." "Deviations between address data and document found.";
    "W220" Warning "Angaben für den Rückschein werden ignoriert; es gilt die Absenderzeile." "Return-receipt fields are ignored; the sender line applies.";
    "W301" Warning "Die Absenderangabe fehlt auf dem Dokument." "The sender address is missing on the document.";
    "W501" Warning "Wartung der Schnittstelle angekündigt." "API maintenance announced.";
    "W601" Warning "Hinweis eines Plug-ins." "Plug-in warning.";
    "I101" Info "Das PDF wurde nach PDF/A umgewandelt." "The PDF was converted to PDF/A.";
    "I501" Info "Schnittstelle in Betrieb." "API status OK.";
    "I601" Info "Information eines Plug-ins." "Plug-in information.";
    "I701" Info "Sendungsverfolgung (Einschreiben)." "Track-and-trace message (registered mail).";
    "I751" Info "Die Sendung hat das Zielgebiet erreicht." "The letter reached the destination area.";
}

/// Looks a code up (case-insensitive, blanks ignored).
pub fn lookup(code: &str) -> Option<&'static CodeInfo> {
    let code = code.trim();
    CODES.iter().find(|c| c.code.eq_ignore_ascii_case(code))
}

/// How an unknown code is treated: by its level letter (`E` errors are permanent, `W`/`I`
/// are warnings and information).
pub fn class_of(code: &str) -> CodeClass {
    match lookup(code) {
        Some(info) => info.class,
        None => match code.trim().chars().next() {
            Some('W' | 'w') => CodeClass::Warning,
            Some('I' | 'i') => CodeClass::Info,
            _ => CodeClass::Permanent,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The error codes of reference §6, which must all be classified as errors.
    const SECTION_6: [&str; 34] = [
        "E001", "E002", "E003", "E004", "E101", "E201", "E203", "E301", "E302", "E303", "E304",
        "E305", "E306", "E307", "E308", "E309", "E311", "E312", "E313", "E314", "E315", "E316",
        "E317", "E318", "E319", "E320", "E322", "E323", "E324", "E333", "E399", "E501", "E601",
        "E900",
    ];

    #[test]
    fn every_error_code_is_classified_with_both_messages() {
        for code in SECTION_6 {
            let info = lookup(code).unwrap_or_else(|| panic!("{code} missing"));
            assert!(
                matches!(
                    info.class,
                    CodeClass::Permanent | CodeClass::Transient | CodeClass::RateLimited
                ),
                "{code} is not classified as an error"
            );
            assert!(!info.de.is_empty() && !info.en.is_empty());
            assert_ne!(info.de, info.en, "{code} needs a German text");
        }
    }

    #[test]
    fn codes_are_unique() {
        for (i, a) in CODES.iter().enumerate() {
            assert!(
                CODES[i + 1..].iter().all(|b| b.code != a.code),
                "{}",
                a.code
            );
        }
    }

    #[test]
    fn lookup_is_lenient_and_unknown_codes_fall_back() {
        assert_eq!(lookup(" e322 ").map(|c| c.code), Some("E322"));
        assert_eq!(class_of("E777"), CodeClass::Permanent);
        assert_eq!(class_of("W999"), CodeClass::Warning);
        assert_eq!(class_of("I999"), CodeClass::Info);
        assert_eq!(class_of("E315"), CodeClass::Transient);
    }
}
