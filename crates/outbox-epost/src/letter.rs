//! From a delivery to the API's `Letter`: the PDF (cover sheet + normalised documents), the
//! exact field mapping, the checks the provider would make, and the splitting of large
//! submissions into several requests.

use std::ops::Range;

use base64::Engine as _;
use chrono::NaiveDate;
use outbox_channel::OutgoingDelivery;
use outbox_model::PostalAddress;
use outbox_pdf::{CoverSheet, EnclosedDocument};

use crate::error::EpostError;
use crate::wire::Letter;

/// Most pages in one letter, cover page included.
pub const MAX_PAGES: usize = 94;
/// Largest letter PDF in bytes (before base64).
pub const MAX_PDF_BYTES: u64 = 20_000_000;
/// The value the API expects in `zipCode` for a country without postal codes.
pub const NO_ZIP: &str = "   ";

/// Who makes the cover page of a letter whose settings ask for one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CoverMode {
    /// Our own cover sheet (`outbox-pdf`): sender line, recipient, date and the list of
    /// enclosed documents. The default.
    #[default]
    Own,
    /// The API's standard cover page (`coverLetter: true`), filled from the address fields.
    Provider,
}

/// Test mode of an account: letters are processed and checked but never printed or charged.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TestMode {
    /// Where the provider e-mails the processed PDF (`testEMail`).
    pub email: Option<String>,
}

/// How letters of a channel are built.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LetterOptions {
    /// Who makes the cover page.
    pub cover: CoverMode,
    /// `Some` sends test letters (`testFlag`).
    pub test_mode: Option<TestMode>,
    /// Sets `activateDuplicateFailsafe` (an identical upload within an hour gives `E324`).
    pub duplicate_failsafe: bool,
    /// `vendorSystemInformation` (≤ 120 characters).
    pub vendor_system_information: Option<String>,
    /// `costCenter` (≤ 8 letters and digits).
    pub cost_center: Option<String>,
}

impl Default for LetterOptions {
    fn default() -> Self {
        Self {
            cover: CoverMode::Own,
            test_mode: None,
            duplicate_failsafe: true,
            vendor_system_information: Some(
                concat!("outbox/", env!("CARGO_PKG_VERSION")).to_owned(),
            ),
            cost_center: None,
        }
    }
}

/// The letter PDF of a delivery.
#[derive(Debug, Clone)]
pub struct ComposedPdf {
    /// The PDF.
    pub pdf: Vec<u8>,
    /// Pages as printed, including a cover page from either side.
    pub pages: usize,
    /// Whether the API adds its cover page (`coverLetter`).
    pub provider_cover: bool,
}

/// The file name of a delivery's letter: unique per delivery and attempt, only
/// `[A-Za-z0-9._-]`.
pub fn file_name(delivery: &OutgoingDelivery) -> String {
    format!(
        "outbox-{}-{}-{}.pdf",
        delivery.tenant, delivery.id, delivery.attempt
    )
}

/// Builds the letter PDF: cover sheet (ours, the API's, or none, per the delivery's settings
/// and `options.cover`), then every document normalised to A4 portrait.
pub fn compose_pdf(
    delivery: &OutgoingDelivery,
    options: &LetterOptions,
    today: NaiveDate,
) -> Result<ComposedPdf, EpostError> {
    if delivery.documents.is_empty() {
        return Err(EpostError::Invalid("the delivery holds no document".into()));
    }
    let address = recipient_address(delivery)?;
    let wants_cover = delivery.settings().epost.cover_sheet;
    let own_cover = (wants_cover && options.cover == CoverMode::Own).then(|| CoverSheet {
        sender: delivery.sender.return_line(),
        recipient: address.printed_lines(),
        date: today.format("%d.%m.%Y").to_string(),
        // Makes every delivery's letter distinct, so the duplicate failsafe flags only a
        // resend of the same delivery, never a second delivery of the same documents.
        reference: Some(format!("Sendung {}", delivery.id)),
        documents: delivery
            .documents
            .iter()
            .map(|d| EnclosedDocument {
                title: d.title.clone(),
                pages: d.page_count as usize,
            })
            .collect(),
    });
    let docs: Vec<&[u8]> = delivery.documents.iter().map(|d| &d.bytes[..]).collect();
    let letter = outbox_pdf::bundle(own_cover.as_ref(), &docs)
        .map_err(|e| EpostError::Invalid(format!("the letter PDF could not be built: {e}")))?;
    let provider_cover = wants_cover && options.cover == CoverMode::Provider;
    Ok(ComposedPdf {
        pages: letter.summary.pages + usize::from(provider_cover),
        pdf: letter.pdf,
        provider_cover,
    })
}

fn recipient_address(delivery: &OutgoingDelivery) -> Result<&PostalAddress, EpostError> {
    delivery
        .recipient
        .address
        .as_ref()
        .ok_or_else(|| EpostError::Invalid("the recipient has no postal address".into()))
}

fn opt(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

/// Maps a delivery and its letter PDF to the API's `Letter`, exactly:
///
/// - `addressLine1..5` = the address lines (name first; never postal code, city or country),
///   `zipCode`, `city`; `country` empty for domestic mail, else the upper-case German name;
///   three blanks as `zipCode` for a foreign country without postal codes;
/// - `senderAdressLine1` = sender name, `senderStreet` = the further sender address lines,
///   `senderZipCode`, `senderCity`;
/// - `isColor`, `isDuplex`, `registeredLetter` (`"Einwurf Einschreiben"`, `"Einschreiben"`,
///   `"Einschreiben Rückschein"`, or absent) from the settings;
/// - `custom1` = delivery id, `custom2` = tenant id, `custom3` = attempt;
/// - `coverLetter`, `testFlag`, `testEMail`, `activateDuplicateFailsafe`,
///   `vendorSystemInformation`, `costCenter` from the options.
///
/// The result is checked with the provider's rules; a violation is [`EpostError::Invalid`].
pub fn build_letter(
    delivery: &OutgoingDelivery,
    pdf: &ComposedPdf,
    options: &LetterOptions,
) -> Result<Letter, EpostError> {
    let address = recipient_address(delivery)?;
    let settings = delivery.settings().epost;
    let lines: Vec<Option<String>> = address.lines.iter().map(|l| opt(l)).collect();
    let line = |i: usize| lines.get(i).cloned().flatten();
    let domestic = address.is_domestic();
    let zip = address.zip.trim();
    let sender_address = delivery.sender.address.as_ref();
    let sender_street = sender_address.and_then(|a| {
        let rest: Vec<&str> = a
            .lines
            .iter()
            .skip(1)
            .map(|l| l.trim())
            .filter(|l| !l.is_empty())
            .collect();
        opt(&rest.join(", "))
    });
    let letter = Letter {
        file_name: file_name(delivery),
        data: base64::engine::general_purpose::STANDARD.encode(&pdf.pdf),
        is_color: settings.color,
        is_duplex: settings.duplex,
        batch_id: 0,
        registered_letter: settings.registered.api_value().map(str::to_owned),
        test_flag: options.test_mode.is_some(),
        test_email: options
            .test_mode
            .as_ref()
            .and_then(|t| t.email.as_deref())
            .and_then(opt),
        cover_letter: pdf.provider_cover,
        address_line1: line(0).unwrap_or_default(),
        address_line2: line(1),
        address_line3: line(2),
        address_line4: line(3),
        address_line5: line(4),
        zip_code: if zip.is_empty() && !domestic {
            NO_ZIP.to_owned()
        } else {
            zip.to_owned()
        },
        city: address.city.trim().to_owned(),
        country: if domestic {
            String::new()
        } else {
            address
                .country
                .as_deref()
                .unwrap_or_default()
                .trim()
                .to_owned()
        },
        sender_adress_line1: opt(&delivery.sender.name),
        sender_street,
        sender_zip_code: sender_address.and_then(|a| opt(&a.zip)),
        sender_city: sender_address.and_then(|a| opt(&a.city)),
        custom1: Some(delivery.id.to_string()),
        custom2: Some(delivery.tenant.to_string()),
        custom3: Some(delivery.attempt.to_string()),
        vendor_system_information: options.vendor_system_information.clone(),
        cost_center: options.cost_center.clone(),
        activate_duplicate_failsafe: options.duplicate_failsafe,
    };
    if address.lines.len() > 5 {
        return Err(EpostError::Invalid(format!(
            "the address has {} lines; the API takes at most 5",
            address.lines.len()
        )));
    }
    if pdf.pages > MAX_PAGES {
        return Err(EpostError::Invalid(format!(
            "the letter has {} pages including the cover page; at most {MAX_PAGES} are allowed (E304)",
            pdf.pages
        )));
    }
    validate_letter(&letter, MAX_PDF_BYTES).map_err(EpostError::Invalid)?;
    Ok(letter)
}

fn check_len(field: &str, value: &str, min: usize, max: usize) -> Result<(), String> {
    let n = value.chars().count();
    if n < min || n > max {
        Err(format!(
            "{field} has {n} characters; {min} to {max} are allowed"
        ))
    } else {
        Ok(())
    }
}

/// Checks a letter against the synchronous rules of the API (lengths, allowed values, the
/// PDF size, the registered-mail rules) so the provider never has to reject it.
pub(crate) fn validate_letter(letter: &Letter, max_pdf_bytes: u64) -> Result<(), String> {
    check_len("fileName", &letter.file_name, 5, 200)?;
    if !letter
        .file_name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return Err(format!(
            "fileName {:?} may only contain letters, digits, '.', '_' and '-'",
            letter.file_name
        ));
    }
    if letter.data.is_empty() {
        return Err("the PDF is empty".into());
    }
    let bytes = letter.pdf_bytes();
    if bytes > max_pdf_bytes {
        return Err(format!(
            "the PDF has {bytes} bytes; at most {max_pdf_bytes} are allowed (E303)"
        ));
    }
    check_len("addressLine1", letter.address_line1.trim(), 1, 80)?;
    for (name, value) in [
        ("addressLine2", &letter.address_line2),
        ("addressLine3", &letter.address_line3),
        ("addressLine4", &letter.address_line4),
        ("addressLine5", &letter.address_line5),
        ("senderAdressLine1", &letter.sender_adress_line1),
        ("senderStreet", &letter.sender_street),
        ("senderZipCode", &letter.sender_zip_code),
        ("senderCity", &letter.sender_city),
        ("custom1", &letter.custom1),
        ("custom2", &letter.custom2),
        ("custom3", &letter.custom3),
    ] {
        if let Some(v) = value {
            check_len(name, v, 0, 80)?;
        }
    }
    check_len("zipCode", &letter.zip_code, 3, 20)?;
    check_len("city", letter.city.trim(), 1, 80)?;
    check_len("country", &letter.country, 0, 80)?;
    let foreign = !letter.country.trim().is_empty();
    if foreign && letter.address_line5.is_some() {
        return Err("addressLine5 is only allowed for German addresses".into());
    }
    if let Some(kind) = &letter.registered_letter {
        if ![
            "Einwurf Einschreiben",
            "Einschreiben",
            "Einschreiben Rückschein",
        ]
        .contains(&kind.as_str())
        {
            return Err(format!("registeredLetter {kind:?} is not an option (E317)"));
        }
        if letter.is_duplex {
            return Err("duplex printing is not possible with registered mail (E312)".into());
        }
        if foreign {
            return Err("registered mail to a foreign address is not possible (E311)".into());
        }
    }
    if let Some(v) = &letter.vendor_system_information {
        check_len("vendorSystemInformation", v, 0, 120)?;
    }
    if let Some(v) = &letter.test_email {
        check_len("testEMail", v, 0, 100)?;
    }
    if let Some(cc) = &letter.cost_center
        && (cc.len() > 8 || !cc.bytes().all(|b| b.is_ascii_alphanumeric()))
    {
        return Err(format!(
            "costCenter {cc:?} must be at most 8 letters and digits"
        ));
    }
    Ok(())
}

/// Splits letters into consecutive requests, each within `max_request_bytes` (estimated wire
/// size) and `max_letters`. Order is kept; a letter never spans two requests.
pub fn split_requests(
    letters: &[Letter],
    max_request_bytes: u64,
    max_letters: usize,
) -> Vec<Range<usize>> {
    let max_letters = max_letters.max(1);
    let mut out = Vec::new();
    let (mut start, mut bytes) = (0usize, 0u64);
    for (i, letter) in letters.iter().enumerate() {
        let size = letter.wire_bytes();
        let count = i - start;
        if count > 0 && (count >= max_letters || bytes + size > max_request_bytes) {
            out.push(start..i);
            start = i;
            bytes = 0;
        }
        bytes += size;
    }
    if start < letters.len() {
        out.push(start..letters.len());
    }
    out
}
