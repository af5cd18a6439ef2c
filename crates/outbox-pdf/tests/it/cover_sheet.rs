//! The cover sheet: text and positions (own interpreter and poppler), zones, rendering.

use crate::common;

use outbox_pdf::geometry::{A4_HEIGHT_PT, mm_to_pt};
use outbox_pdf::zones::{
    address_window, franking_zone, inside_border, left_strip, recipient_zone, sender_zone,
};
use outbox_pdf::{
    CoverSheet, EnclosedDocument, MarkKind, PageMark, check_epost, cover_sheet, inspect, page_marks,
};

fn sample() -> CoverSheet {
    CoverSheet {
        sender: "Hausverwaltung Muster GmbH · Hauptstraße 1 · 10115 Berlin".into(),
        recipient: vec![
            "Frau Jördis Müßig".into(),
            "c/o „Grüne Höfe“ GbR".into(),
            "Königsallee 12".into(),
            "40212 Düsseldorf".into(),
        ],
        date: "04.12.2026".into(),
        reference: Some("WEG Lindenhof – Umlage 30 €".into()),
        documents: vec![
            EnclosedDocument {
                title: "Einladung zur Eigentümerversammlung".into(),
                pages: 3,
            },
            EnclosedDocument {
                title: "Jahresabrechnung 2025".into(),
                pages: 1,
            },
        ],
    }
}

fn texts(marks: &[PageMark]) -> Vec<(String, outbox_pdf::Rect)> {
    marks
        .iter()
        .filter_map(|m| match &m.kind {
            MarkKind::Text { text } => Some((text.clone(), m.rect)),
            _ => None,
        })
        .collect()
}

#[test]
fn text_lies_in_its_zones_and_the_franking_zone_is_empty() {
    let cover = sample();
    let pdf = cover_sheet(&cover).unwrap();
    let info = inspect(&pdf).unwrap();
    assert_eq!(info.page_count(), 1);
    assert!(info.is_all_a4_portrait());
    let marks = page_marks(&pdf, 1).unwrap();
    let texts = texts(&marks);
    let find = |needle: &str| {
        texts
            .iter()
            .find(|(t, _)| t == needle)
            .unwrap_or_else(|| panic!("{needle:?} not found in {texts:?}"))
            .1
    };
    assert!(
        sender_zone().contains(&find(&cover.sender), 0.0),
        "sender outside 45–53 mm"
    );
    for line in &cover.recipient {
        let r = find(line);
        assert!(
            recipient_zone().contains(&r, 0.0),
            "{line:?} at {r:?} outside 66–90 mm"
        );
        assert!(address_window().contains(&r, 0.0));
    }
    for m in &marks {
        assert!(
            !m.rect.overlaps(&franking_zone(), 0.0),
            "mark in the franking zone: {m:?}"
        );
        assert!(
            !m.rect.overlaps(&left_strip(), 0.0),
            "mark in the left 12 mm: {m:?}"
        );
        assert!(
            inside_border().contains(&m.rect, 0.0),
            "mark in the 2 mm border: {m:?}"
        );
    }
    // Date, reference and the document list sit below the first fold (105 mm).
    let fold = A4_HEIGHT_PT - mm_to_pt(105.0);
    for needle in [
        "Datum: 04.12.2026",
        "Unser Zeichen: WEG Lindenhof – Umlage 30 €",
        "1. Einladung zur Eigentümerversammlung – 3 Seiten",
        "2. Jahresabrechnung 2025 – 1 Seite",
    ] {
        assert!(find(needle).y1 < fold, "{needle} above the fold");
    }
    // Three fold/hole marks.
    assert_eq!(marks.iter().filter(|m| m.kind == MarkKind::Path).count(), 3);
    assert!(check_epost(&pdf).is_empty(), "{:?}", check_epost(&pdf));
}

#[test]
fn sender_line_is_8_pt() {
    let pdf = cover_sheet(&sample()).unwrap();
    let sender = texts(&page_marks(&pdf, 1).unwrap()).remove(0).1;
    // Box = 1.15 em high in the interpreter's glyph model.
    assert!((sender.height() - 8.0 * 1.15).abs() < 0.01, "{sender:?}");
}

#[test]
fn poppler_extracts_umlauts_and_positions() {
    let Some(pdftotext) = common::tool("pdftotext") else {
        println!("pdftotext not installed (Debian: poppler-utils): skipping");
        return;
    };
    let cover = sample();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cover.pdf");
    std::fs::write(&path, cover_sheet(&cover).unwrap()).unwrap();
    let out = std::process::Command::new(&pdftotext)
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "Müßig",
        "„Grüne Höfe“",
        "Königsallee",
        "Düsseldorf",
        "Hauptstraße",
        "30 €",
        "Eigentümerversammlung",
    ] {
        assert!(text.contains(needle), "{needle:?} missing in:\n{text}");
    }
    // Word boxes in poppler's coordinates (origin top left, points).
    let out = std::process::Command::new(&pdftotext)
        .args(["-bbox", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    let html = String::from_utf8(out.stdout).unwrap();
    let mut words = 0;
    for line in html.lines().filter(|l| l.contains("<word ")) {
        let attr = |name: &str| -> f64 {
            let start = line.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
            line[start..].split('"').next().unwrap().parse().unwrap()
        };
        let (x0, y0, x1, y1) = (attr("xMin"), attr("yMin"), attr("xMax"), attr("yMax"));
        let word = line
            .split('>')
            .nth(1)
            .unwrap_or("")
            .split('<')
            .next()
            .unwrap_or("");
        let top_mm = y0 * 25.4 / 72.0;
        let bottom_mm = y1 * 25.4 / 72.0;
        assert!(
            !(bottom_mm > 53.0 && top_mm < 66.0 && x1 > mm_to_pt(20.0) && x0 < mm_to_pt(105.0)),
            "{word:?} in the franking zone ({top_mm:.1}–{bottom_mm:.1} mm)"
        );
        if ["Frau", "Düsseldorf", "Königsallee"].contains(&word) {
            assert!(
                top_mm >= 66.0 && bottom_mm <= 90.0,
                "{word} at {top_mm:.1}–{bottom_mm:.1} mm"
            );
            assert!(
                x0 >= mm_to_pt(20.0) && x1 <= mm_to_pt(105.0),
                "{word} outside the window"
            );
        }
        if word == "Hausverwaltung" {
            assert!(
                top_mm >= 45.0 && bottom_mm <= 53.0,
                "{word} at {top_mm:.1}–{bottom_mm:.1} mm"
            );
        }
        assert!(x0 >= mm_to_pt(12.0), "{word} in the left strip");
        words += 1;
    }
    assert!(words > 20, "{html}");
}

/// E-POST substitutes fonts that are not embedded (W101); PDF/A requires embedding.
#[test]
fn every_font_is_embedded_and_measured_by_its_own_widths() {
    let pdf = cover_sheet(&sample()).unwrap();
    let doc = lopdf::Document::load_mem(&pdf).unwrap();
    let mut fonts = 0;
    for object in doc.objects.values() {
        let Ok(dict) = object.as_dict() else { continue };
        if dict.get(b"Type").and_then(lopdf::Object::as_name).ok() != Some(b"Font") {
            continue;
        }
        fonts += 1;
        assert_eq!(
            dict.get(b"Subtype").unwrap().as_name().unwrap(),
            b"TrueType"
        );
        assert_eq!(
            dict.get(b"Encoding").unwrap().as_name().unwrap(),
            b"WinAnsiEncoding"
        );
        let base = dict.get(b"BaseFont").unwrap().as_name().unwrap();
        assert!(
            base.starts_with(b"OUTBOX+Arimo"),
            "{}",
            String::from_utf8_lossy(base)
        );
        let widths = dict.get(b"Widths").unwrap().as_array().unwrap();
        assert_eq!(widths.len(), 224);
        // 'A' (0x41) is as wide in Arimo as in Helvetica (667, bold 722 per 1000 em).
        let a = if base.ends_with(b"-Bold") { 722 } else { 667 };
        assert_eq!(widths[0x41 - 0x20].as_i64().unwrap(), a);
        let descriptor_id = dict.get(b"FontDescriptor").unwrap().as_reference().unwrap();
        let descriptor = doc.get_dictionary(descriptor_id).unwrap();
        let program_id = descriptor
            .get(b"FontFile2")
            .unwrap()
            .as_reference()
            .unwrap();
        let program = doc.get_object(program_id).unwrap().as_stream().unwrap();
        let ttf = program.decompressed_content().unwrap();
        assert_eq!(
            program.dict.get(b"Length1").unwrap().as_i64().unwrap(),
            ttf.len() as i64
        );
        assert_eq!(&ttf[..4], b"\0\x01\0\0", "a TrueType font program");
    }
    assert_eq!(fonts, 2, "regular and bold");
    // The whole cover sheet, fonts included, stays small.
    assert!(pdf.len() < 40_000, "{} bytes", pdf.len());

    let Some(pdffonts) = common::tool("pdffonts") else {
        println!("pdffonts not installed (Debian: poppler-utils): skipping its check");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cover.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let out = std::process::Command::new(pdffonts)
        .arg(&path)
        .output()
        .unwrap();
    let listing = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<&str> = listing.lines().skip(2).collect();
    assert_eq!(rows.len(), 2, "{listing}");
    for row in rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        // name, type, encoding, emb, sub, uni (ToUnicode), object, generation
        assert_eq!(
            &cols[1..6],
            ["TrueType", "WinAnsi", "yes", "yes", "yes"],
            "{listing}"
        );
    }
}

#[test]
fn renders_to_png() {
    let Some(pdftoppm) = common::tool("pdftoppm") else {
        println!("pdftoppm not installed (Debian: poppler-utils): skipping");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cover.pdf");
    std::fs::write(&path, cover_sheet(&sample()).unwrap()).unwrap();
    let status = std::process::Command::new(pdftoppm)
        .args(["-r", "50", "-gray"])
        .arg(&path)
        .arg(dir.path().join("page"))
        .status()
        .unwrap();
    assert!(status.success());
    // PGM: "P5\n<w> <h>\n255\n" then one byte per pixel.
    let pgm = std::fs::read(dir.path().join("page-1.pgm")).unwrap();
    let header: Vec<&[u8]> = pgm.splitn(4, |b| *b == b'\n').collect();
    let dims: Vec<usize> = std::str::from_utf8(header[1])
        .unwrap()
        .split(' ')
        .map(|v| v.parse().unwrap())
        .collect();
    let (w, h) = (dims[0], dims[1]);
    assert!(
        (413..=414).contains(&w) && (584..=585).contains(&h),
        "A4 at 50 dpi: {w}×{h}"
    );
    let pixels = header[3];
    let dark = |x0: f64, y0: f64, x1: f64, y1: f64| -> usize {
        let px = |mm: f64| (mm / 25.4 * 50.0) as usize;
        let mut n = 0;
        for y in px(y0)..px(y1).min(h) {
            for x in px(x0)..px(x1).min(w) {
                if pixels[y * w + x] < 200 {
                    n += 1;
                }
            }
        }
        n
    };
    assert!(
        dark(20.0, 66.0, 105.0, 90.0) > 50,
        "the recipient is printed"
    );
    assert_eq!(
        dark(21.0, 54.0, 104.0, 65.0),
        0,
        "the franking zone is empty"
    );
    assert_eq!(dark(0.0, 0.0, 11.0, 297.0), 0, "the left strip is empty");
}

#[test]
fn layout_errors_say_what_to_fix() {
    let mut cover = sample();
    cover.recipient.clear();
    let e = cover_sheet(&cover).unwrap_err();
    assert!(e.to_string().contains("recipient address is empty"), "{e}");
}

#[test]
fn cover_json_of_the_example_parses() {
    let full = r#"{
      "sender": "Hausverwaltung Muster GmbH · Hauptstraße 1 · 10115 Berlin",
      "recipient": ["Frau Jördis Müßig", "Königsallee 12", "40212 Düsseldorf"],
      "date": "04.12.2026",
      "reference": "WEG Lindenhof / ETV 2026",
      "documents": [{ "title": "Einladung zur Eigentümerversammlung", "pages": 3 }]
    }"#;
    let cover: CoverSheet = serde_json::from_str(full).unwrap();
    assert_eq!(cover.documents[0].pages, 3);
    let minimal = r#"{"sender": "A · B", "recipient": ["X", "12345 Y"], "date": "1.1.2027"}"#;
    let cover: CoverSheet = serde_json::from_str(minimal).unwrap();
    assert!(cover.reference.is_none() && cover.documents.is_empty());
    assert!(cover_sheet(&cover).is_ok());
}
