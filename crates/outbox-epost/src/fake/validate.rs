//! Synchronous checks of a `POST /api/Letter` body (reference §2.2, §2.3, §8).
//!
//! The whole request is rejected with the first error found, letters checked in array order
//! (reference §2.1 [inferred]). The error's description names the letter by its 1-based
//! position.

use std::collections::HashSet;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

use super::countries;
use super::letter::LetterFields;
use super::pdf_check::{self, PdfFacts};
use super::wire::ApiError;

/// Largest PDF (`data`, decoded) the fake accepts: 20 MB, counted as 20,000,000 bytes (the
/// stricter reading of "20 MB").
pub const MAX_PDF_BYTES: usize = 20_000_000;
/// Largest sum of decoded PDFs in one request: 300 MB, counted as 300,000,000 bytes.
pub const MAX_REQUEST_BYTES: usize = 300_000_000;
/// Largest own cover page (`coverData`, decoded): 1 MB as the `E314` text says. (The field
/// description says 500 KB; clients should keep to that.)
pub const MAX_COVER_BYTES: usize = 1_000_000;

/// The accepted `registeredLetter` values.
pub(crate) const REGISTERED_KINDS: [&str; 3] = [
    "Einwurf Einschreiben",
    "Einschreiben",
    "Einschreiben Rückschein",
];

/// The plugins the API knows.
const PLUGINS: [&str; 3] = ["Automover", "UploadManagement", "PremiumAdress"];

/// A letter that passed the synchronous checks.
#[derive(Debug)]
pub(crate) struct Prepared {
    pub(crate) fields: LetterFields,
    pub(crate) pdf: Vec<u8>,
    pub(crate) cover_data_size: Option<usize>,
    pub(crate) facts: PdfFacts,
    pub(crate) warnings: Vec<ApiError>,
}

/// Parses and checks a request body. CPU-heavy for big PDFs: call it off the async runtime.
pub(crate) fn prepare(body: &[u8]) -> Result<Vec<Prepared>, ApiError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::detail("E313", format!("kein gültiges JSON ({e})")))?;
    let Value::Array(items) = value else {
        return Err(ApiError::detail(
            "E313",
            "der Body muss ein JSON-Array von Letter-Objekten sein",
        ));
    };
    if items.is_empty() {
        return Err(ApiError::detail("E313", "das Array enthält keinen Brief"));
    }
    let mut names = HashSet::new();
    let mut total = 0usize;
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let n = i + 1;
        let p = prepare_one(item).map_err(|mut e| {
            e.description = format!("{} (Brief {n})", e.description);
            e
        })?;
        if !names.insert(p.fields.file_name.clone()) {
            return Err(ApiError::detail(
                "E309",
                format!("{} (Brief {n})", p.fields.file_name),
            ));
        }
        total = total.saturating_add(p.pdf.len());
        if total > MAX_REQUEST_BYTES {
            return Err(ApiError::detail(
                "E316",
                format!("die PDFs der Anfrage sind zusammen größer als {MAX_REQUEST_BYTES} Bytes"),
            ));
        }
        out.push(p);
    }
    Ok(out)
}

fn prepare_one(item: Value) -> Result<Prepared, ApiError> {
    let Value::Object(mut map) = item else {
        return Err(ApiError::detail("E313", "Element ist kein Letter-Objekt"));
    };
    let data = take_string(&mut map, "data")?;
    let cover = take_string(&mut map, "coverData")?;
    let mut fields: LetterFields = serde_json::from_value(Value::Object(map))
        .map_err(|e| ApiError::detail("E313", e.to_string()))?;
    if fields.registered_letter.as_deref() == Some("") {
        fields.registered_letter = None;
    }

    check_fields(&fields)?;

    let Some(data) = data.filter(|d| !d.trim().is_empty()) else {
        return Err(ApiError::detail("E313", "Pflichtfeld data fehlt"));
    };
    let pdf = decode_pdf(&data, "data")?;
    if pdf.len() > MAX_PDF_BYTES {
        return Err(ApiError::detail("E303", format!("{} Bytes", pdf.len())));
    }
    let cover_data_size = match cover.filter(|c| !c.trim().is_empty()) {
        None => None,
        Some(c) => {
            let bytes = decode_pdf(&c, "coverData")?;
            if bytes.len() > MAX_COVER_BYTES {
                return Err(ApiError::detail("E314", format!("{} Bytes", bytes.len())));
            }
            Some(bytes.len())
        }
    };
    check_registered(&fields)?;
    check_address(&fields)?;
    check_plugins(&fields)?;

    let extra_pages = u32::from(fields.cover_letter || cover_data_size.is_some());
    let facts = pdf_check::check(&pdf, extra_pages);
    let warnings = warnings(&fields);
    Ok(Prepared {
        fields,
        pdf,
        cover_data_size,
        facts,
        warnings,
    })
}

fn take_string(
    map: &mut serde_json::Map<String, Value>,
    key: &str,
) -> Result<Option<String>, ApiError> {
    match map.remove(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ApiError::detail(
            "E313",
            format!("{key} muss ein base64-String sein"),
        )),
    }
}

/// Decodes base64 ignoring whitespace (PHP's `chunk_split` inserts CRLFs) and checks the header.
fn decode_pdf(b64: &str, field: &str) -> Result<Vec<u8>, ApiError> {
    let compact: Vec<u8> = b64.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    let bytes = STANDARD
        .decode(&compact)
        .map_err(|e| ApiError::detail("E301", format!("{field} ist kein gültiges base64 ({e})")))?;
    if !bytes.starts_with(b"%PDF-") {
        return Err(ApiError::detail(
            "E301",
            format!("{field} beginnt nicht mit %PDF-"),
        ));
    }
    Ok(bytes)
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

fn check_len(name: &str, value: &str, min: usize, max: usize) -> Result<(), ApiError> {
    let n = chars(value);
    if n < min || n > max {
        return Err(ApiError::detail(
            "E313",
            format!("{name} muss {min} bis {max} Zeichen lang sein, hat {n}"),
        ));
    }
    Ok(())
}

fn check_opt(name: &str, value: &Option<String>, max: usize) -> Result<(), ApiError> {
    match value {
        Some(v) => check_len(name, v, 0, max),
        None => Ok(()),
    }
}

fn check_fields(f: &LetterFields) -> Result<(), ApiError> {
    check_len("fileName", &f.file_name, 5, 200)?;
    if let Some(c) = f
        .file_name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        return Err(ApiError::detail(
            "E313",
            format!("fileName enthält das Sonderzeichen {c:?} (erlaubt: A-Z a-z 0-9 . _ -)"),
        ));
    }
    check_len("addressLine1", &f.address_line1, 1, 80)?;
    check_len("zipCode", &f.zip_code, 3, 20)?;
    check_len("city", &f.city, 1, 80)?;
    for (name, value, max) in [
        ("addressLine2", &f.address_line2, 80),
        ("addressLine3", &f.address_line3, 80),
        ("addressLine4", &f.address_line4, 80),
        ("addressLine5", &f.address_line5, 80),
        ("country", &f.country, 80),
        (
            "registeredLetterAdressLine1",
            &f.registered_letter_address_line1,
            80,
        ),
        (
            "registeredLetterAdressLine2",
            &f.registered_letter_address_line2,
            80,
        ),
        (
            "registeredLetterAdressLine3",
            &f.registered_letter_address_line3,
            80,
        ),
        ("registeredLetterCity", &f.registered_letter_city, 80),
        ("testEMail", &f.test_email, 100),
        ("senderAdressLine1", &f.sender_address_line1, 80),
        ("senderStreet", &f.sender_street, 80),
        ("senderZipCode", &f.sender_zip_code, 80),
        ("senderCity", &f.sender_city, 80),
        (
            "senderAdressLineComplete",
            &f.sender_address_line_complete,
            200,
        ),
        ("custom1", &f.custom1, 80),
        ("custom2", &f.custom2, 80),
        ("custom3", &f.custom3, 80),
        ("custom4", &f.custom4, 80),
        ("custom5", &f.custom5, 80),
        ("vendorSystemInformation", &f.vendor_system_information, 120),
    ] {
        check_opt(name, value, max)?;
    }
    if let Some(zip) = f
        .registered_letter_zip_code
        .as_deref()
        .filter(|z| !z.is_empty())
    {
        check_len("registeredLetterZipCode", zip, 5, 20)?;
    }
    if let Some(cc) = &f.cost_center {
        check_len("costCenter", cc, 0, 8)?;
        if !cc.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(ApiError::detail(
                "E313",
                "costCenter darf nur 0-9, a-z und A-Z enthalten",
            ));
        }
    }
    Ok(())
}

fn check_registered(f: &LetterFields) -> Result<(), ApiError> {
    let Some(kind) = f.registered_letter.as_deref() else {
        return Ok(());
    };
    if !REGISTERED_KINDS.contains(&kind) {
        return Err(ApiError::detail("E317", format!("{kind:?}")));
    }
    if f.is_duplex {
        return Err(ApiError::new("E312"));
    }
    if !countries::is_domestic(f.country.as_deref()) {
        return Err(ApiError::detail(
            "E311",
            f.country.clone().unwrap_or_default(),
        ));
    }
    Ok(())
}

fn check_address(f: &LetterFields) -> Result<(), ApiError> {
    let country = f.country.as_deref().map(str::trim).unwrap_or("");
    if !country.is_empty() && !countries::is_known(country) {
        return Err(ApiError::detail("E305", format!("{country:?}")));
    }
    if countries::is_domestic(f.country.as_deref()) {
        let zip = &f.zip_code;
        if zip.len() != 5 || !zip.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ApiError::detail(
                "E306",
                format!("zipCode {zip:?} ist keine deutsche Postleitzahl (5 Ziffern)"),
            ));
        }
    } else if f.address_line5.as_deref().is_some_and(|l| !l.is_empty()) {
        return Err(ApiError::detail(
            "E306",
            "addressLine5 ist nur für deutsche Adressen erlaubt",
        ));
    }
    Ok(())
}

fn check_plugins(f: &LetterFields) -> Result<(), ApiError> {
    for p in f.plug_in_list.iter().flatten() {
        check_len("plugInName", &p.plug_in_name, 1, 200)?;
        if !PLUGINS.contains(&p.plug_in_name.as_str()) {
            return Err(ApiError::detail(
                "E601",
                format!("unbekanntes PlugIn {:?}", p.plug_in_name),
            ));
        }
    }
    Ok(())
}

fn warnings(f: &LetterFields) -> Vec<ApiError> {
    let mut out = Vec::new();
    let legacy = [
        &f.registered_letter_address_line1,
        &f.registered_letter_address_line2,
        &f.registered_letter_address_line3,
        &f.registered_letter_zip_code,
        &f.registered_letter_city,
    ];
    if legacy
        .iter()
        .any(|v| v.as_deref().is_some_and(|s| !s.is_empty()))
    {
        out.push(ApiError::new("W220"));
    }
    if f.country.as_deref().map(str::trim) == Some("DEUTSCHLAND") {
        out.push(ApiError::detail(
            "W203",
            "country für Inlandsbriefe leer lassen",
        ));
    }
    out
}
