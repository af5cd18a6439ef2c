//! Why a delivery goes separately, and why an item cannot be delivered at all.

use std::fmt;

use outbox_model::Language;

/// Why a delivery is not combined with the recipient's previous delivery on the same route.
///
/// Attribute reasons name the first setting that differs, checked in the order the variants are
/// listed per route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SplitReason {
    /// The document is sent without bundling ("gebündelt senden" off).
    NotBundled,
    /// E-POST: the registered-mail option differs.
    RegisteredDiffers,
    /// E-POST: colour printing differs.
    ColorDiffers,
    /// E-POST: duplex printing differs.
    DuplexDiffers,
    /// E-POST: the cover-sheet setting differs.
    CoverSheetDiffers,
    /// E-POST: the previous letter would exceed 94 pages including the cover sheet.
    Over94Pages,
    /// E-POST: the previous letter would exceed 20 MB.
    Over20Megabytes,
    /// E-mail: the sending account differs.
    AccountDiffers,
    /// E-mail: the previous mail reached its "max documents".
    MaxDocumentsReached,
    /// E-mail: the previous mail would exceed its "max MB".
    MaxMegabytesReached,
    /// E-mail share: the link validity differs.
    ValidityDiffers,
    /// Portal: the share category differs.
    CategoryDiffers,
}

impl SplitReason {
    /// The reason shown to users.
    pub fn label(self, lang: Language) -> &'static str {
        match self {
            SplitReason::NotBundled => lang.pick("nicht gebündelt", "not bundled"),
            SplitReason::RegisteredDiffers => lang.pick(
                "Einschreiben-Option unterscheidet sich",
                "registered mail differs",
            ),
            SplitReason::ColorDiffers => {
                lang.pick("Farbdruck unterscheidet sich", "colour differs")
            }
            SplitReason::DuplexDiffers => {
                lang.pick("Duplexdruck unterscheidet sich", "duplex differs")
            }
            SplitReason::CoverSheetDiffers => {
                lang.pick("Deckblatt unterscheidet sich", "cover sheet differs")
            }
            SplitReason::Over94Pages => lang.pick("über 94 Seiten", "over 94 pages"),
            SplitReason::Over20Megabytes => lang.pick("über 20 MB", "over 20 MB"),
            SplitReason::AccountDiffers => {
                lang.pick("E-Mail-Konto unterscheidet sich", "e-mail account differs")
            }
            SplitReason::MaxDocumentsReached => lang.pick(
                "max. Dokumente pro E-Mail erreicht",
                "max documents per mail reached",
            ),
            SplitReason::MaxMegabytesReached => {
                lang.pick("max. MB pro E-Mail erreicht", "max MB per mail reached")
            }
            SplitReason::ValidityDiffers => lang.pick(
                "Link-Gültigkeit unterscheidet sich",
                "link validity differs",
            ),
            SplitReason::CategoryDiffers => lang.pick(
                "Portal-Kategorie unterscheidet sich",
                "portal category differs",
            ),
        }
    }
}

impl fmt::Display for SplitReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label(Language::En))
    }
}

/// Why a (document, recipient, route) item cannot be delivered on that route at all. The
/// planner decides this per document, before anything is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FailureReason {
    /// E-POST: the document alone has more than 94 pages including the cover sheet (`E304`).
    EpostOver94Pages,
    /// E-POST: the document alone is larger than 20 MB (`E303`).
    EpostOver20Megabytes,
    /// E-POST: the document has no pages.
    EpostNoPages,
    /// E-POST: duplex printing together with registered mail (`E312`).
    EpostDuplexWithRegistered,
    /// E-mail: "max documents" is 0, so no mail can carry the document.
    EmailMaxDocumentsZero,
    /// E-mail: the document alone is larger than "max MB" per mail.
    EmailOverMaxMegabytes,
    /// E-mail share: the link validity is outside 1..=9 days.
    ShareValidityOutOfRange,
}

impl FailureReason {
    /// The reason shown to users.
    pub fn label(self, lang: Language) -> &'static str {
        match self {
            FailureReason::EpostOver94Pages => lang.pick(
                "Dokument hat mit Deckblatt über 94 Seiten",
                "document has over 94 pages including the cover sheet",
            ),
            FailureReason::EpostOver20Megabytes => lang.pick(
                "Dokument ist größer als 20 MB",
                "document is larger than 20 MB",
            ),
            FailureReason::EpostNoPages => {
                lang.pick("Dokument hat keine Seiten", "document has no pages")
            }
            FailureReason::EpostDuplexWithRegistered => lang.pick(
                "Duplexdruck ist mit Einschreiben nicht möglich",
                "duplex printing is not possible with registered mail",
            ),
            FailureReason::EmailMaxDocumentsZero => lang.pick(
                "„max. Dokumente“ pro E-Mail ist 0",
                "\"max documents\" per mail is 0",
            ),
            FailureReason::EmailOverMaxMegabytes => lang.pick(
                "Dokument allein ist größer als „max. MB“ pro E-Mail",
                "document alone is larger than \"max MB\" per mail",
            ),
            FailureReason::ShareValidityOutOfRange => lang.pick(
                "Link-Gültigkeit liegt nicht zwischen 1 und 9 Tagen",
                "link validity is not between 1 and 9 days",
            ),
        }
    }
}

impl fmt::Display for FailureReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label(Language::En))
    }
}
