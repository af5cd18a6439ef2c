//! Per-document send settings ("Versandeinstellungen").

use serde::{Deserialize, Serialize};

use crate::{Language, MailAccountId, PostalAddress, Problem, ProblemCode, Problems};

/// Shortest link validity for an e-mail share, in days.
pub const MIN_SHARE_VALIDITY_DAYS: u8 = 1;
/// Longest link validity for an e-mail share, in days.
pub const MAX_SHARE_VALIDITY_DAYS: u8 = 9;

/// Registered-mail option of an E-POST letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegisteredMail {
    /// Ordinary letter.
    #[default]
    None,
    /// "Einwurf-Einschreiben": delivery into the letter box is documented.
    EinwurfEinschreiben,
    /// "Einschreiben": handed over against signature.
    Einschreiben,
    /// "Einschreiben Rückschein": with a signed return receipt.
    EinschreibenRueckschein,
}

impl RegisteredMail {
    /// The exact `registeredLetter` string of the E-POST API, `None` for an ordinary letter.
    pub fn api_value(self) -> Option<&'static str> {
        match self {
            RegisteredMail::None => None,
            RegisteredMail::EinwurfEinschreiben => Some("Einwurf Einschreiben"),
            RegisteredMail::Einschreiben => Some("Einschreiben"),
            RegisteredMail::EinschreibenRueckschein => Some("Einschreiben Rückschein"),
        }
    }

    /// Parses the E-POST API string (`None`/empty for an ordinary letter).
    pub fn from_api_value(value: Option<&str>) -> Option<Self> {
        match value.map(str::trim) {
            None | Some("") => Some(RegisteredMail::None),
            Some("Einwurf Einschreiben") => Some(RegisteredMail::EinwurfEinschreiben),
            Some("Einschreiben") => Some(RegisteredMail::Einschreiben),
            Some("Einschreiben Rückschein") => Some(RegisteredMail::EinschreibenRueckschein),
            Some(_) => None,
        }
    }

    /// Whether this is any kind of registered mail.
    pub fn is_registered(self) -> bool {
        self != RegisteredMail::None
    }

    /// The label shown to users.
    pub fn label(self, lang: Language) -> &'static str {
        match self {
            RegisteredMail::None => lang.pick("kein Einschreiben", "not registered"),
            RegisteredMail::EinwurfEinschreiben => {
                lang.pick("Einwurf-Einschreiben", "registered (drop-off)")
            }
            RegisteredMail::Einschreiben => lang.pick("Einschreiben", "registered"),
            RegisteredMail::EinschreibenRueckschein => {
                lang.pick("Einschreiben Rückschein", "registered with return receipt")
            }
        }
    }
}

/// E-POST letter settings.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct EpostSettings {
    /// Print in colour.
    pub color: bool,
    /// Print on both sides of each sheet.
    pub duplex: bool,
    /// Registered-mail option.
    pub registered: RegisteredMail,
    /// Put our cover sheet with the addresses in front (default on; counts in pages and price).
    pub cover_sheet: bool,
}

impl Default for EpostSettings {
    fn default() -> Self {
        Self {
            color: false,
            duplex: false,
            registered: RegisteredMail::None,
            cover_sheet: true,
        }
    }
}

/// Portal-share settings.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct PortalSettings {
    /// Category the portal files the document under ("Abrechnungen", "Protokolle", ...).
    pub category: String,
}

impl Default for PortalSettings {
    fn default() -> Self {
        Self {
            category: "Allgemein".to_owned(),
        }
    }
}

/// E-mail-share settings.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct EmailShareSettings {
    /// How many days the download link stays valid (1..=9).
    pub validity_days: u8,
}

impl Default for EmailShareSettings {
    fn default() -> Self {
        Self { validity_days: 7 }
    }
}

/// E-mail settings.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct EmailSettings {
    /// Sending account; `None` = the tenant's standard account.
    pub account: Option<MailAccountId>,
    /// "max. Dokumente": most documents in one mail.
    pub max_documents: u32,
    /// "max. Größe": most megabytes (10^6 bytes) of attachments in one mail.
    pub max_megabytes: u32,
}

impl EmailSettings {
    /// The size limit in bytes.
    pub fn max_bytes(&self) -> u64 {
        u64::from(self.max_megabytes) * 1_000_000
    }
}

impl Default for EmailSettings {
    fn default() -> Self {
        Self {
            account: None,
            max_documents: 10,
            max_megabytes: 10,
        }
    }
}

/// All send settings of one document.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct SendSettings {
    /// "gebündelt senden": may travel together with other documents to the same recipient.
    pub bundled: bool,
    /// E-POST letter settings.
    pub epost: EpostSettings,
    /// Portal settings.
    pub portal: PortalSettings,
    /// E-mail-share settings.
    pub email_share: EmailShareSettings,
    /// E-mail settings.
    pub email: EmailSettings,
}

impl Default for SendSettings {
    fn default() -> Self {
        Self {
            bundled: true,
            epost: EpostSettings::default(),
            portal: PortalSettings::default(),
            email_share: EmailShareSettings::default(),
            email: EmailSettings::default(),
        }
    }
}

impl SendSettings {
    /// Checks the settings on their own; reports every problem found.
    pub fn validate(&self) -> Problems {
        let mut p = Vec::new();
        let days = self.email_share.validity_days;
        if !(MIN_SHARE_VALIDITY_DAYS..=MAX_SHARE_VALIDITY_DAYS).contains(&days) {
            p.push(Problem::new(
                ProblemCode::ShareValidityOutOfRange,
                "settings.email_share.validity_days",
                format!("Gültigkeit {days} Tage: erlaubt sind 1 bis 9 Tage."),
                format!("Validity of {days} days: allowed are 1 to 9 days."),
            ));
        }
        if self.email.max_documents == 0 {
            p.push(Problem::new(
                ProblemCode::MaxDocumentsZero,
                "settings.email.max_documents",
                "„max. Dokumente“ muss mindestens 1 sein.",
                "\"max documents\" must be at least 1.",
            ));
        }
        if self.email.max_megabytes == 0 {
            p.push(Problem::new(
                ProblemCode::MaxMegabytesZero,
                "settings.email.max_megabytes",
                "„max. Größe“ muss mindestens 1 MB sein.",
                "\"max size\" must be at least 1 MB.",
            ));
        }
        let cat = self.portal.category.trim();
        if cat.is_empty() || cat.chars().count() > 80 {
            p.push(Problem::new(
                ProblemCode::PortalCategoryInvalid,
                "settings.portal.category",
                "Die Portal-Kategorie fehlt oder ist länger als 80 Zeichen.",
                "The portal category is missing or longer than 80 characters.",
            ));
        }
        if let Some(problem) = duplex_registered_problem(&self.epost) {
            p.push(problem);
        }
        Problems(p)
    }
}

fn duplex_registered_problem(epost: &EpostSettings) -> Option<Problem> {
    (epost.duplex && epost.registered.is_registered()).then(|| {
        Problem::new(
            ProblemCode::DuplexWithRegisteredMail,
            "settings.epost.duplex",
            "Duplexdruck ist mit Einschreiben nicht möglich (E312).",
            "Duplex printing is not possible with registered mail (E312).",
        )
    })
}

/// Checks one E-POST letter: the settings' E-POST rules together with the address, including
/// the rules that need both (registered mail abroad, `E311`). Reports every problem found.
pub fn validate_epost_letter(settings: &EpostSettings, address: &PostalAddress) -> Problems {
    let mut p = address.validate().0;
    if let Some(problem) = duplex_registered_problem(settings) {
        p.push(problem);
    }
    if settings.registered.is_registered() && !address.is_domestic() {
        p.push(Problem::new(
            ProblemCode::RegisteredMailForeign,
            "settings.epost.registered",
            "Einschreiben ins Ausland sind nicht möglich (E311).",
            "Registered mail to a foreign address is not possible (E311).",
        ));
    }
    Problems(p)
}
