//! Sample PDFs for the examples and tests, made with lopdf: pages of text in Helvetica
//! (WinAnsi, so German text prints), A4 portrait or any other size.

#![allow(dead_code)]

use lopdf::content::{Content, Operation};
use lopdf::{Document, Object, Stream, StringFormat, dictionary};

/// Page sizes in PDF points.
pub(crate) const A4: (f32, f32) = (595.276, 841.89);
/// A3 landscape, as building plans come.
pub(crate) const A3_LANDSCAPE: (f32, f32) = (1190.55, 841.89);

/// Text in the built-in fonts' WinAnsi encoding (Latin-1 covers German text).
fn win_ansi(text: &str) -> Object {
    let bytes = text
        .chars()
        .map(|c| match c {
            '€' => 0x80,
            '„' => 0x84,
            '“' => 0x93,
            '–' => 0x96,
            c if (c as u32) < 256 => c as u8,
            _ => b'?',
        })
        .collect();
    Object::String(bytes, StringFormat::Literal)
}

/// A PDF whose pages carry the given lines of text; `size` is (width, height) in points.
pub(crate) fn text_pdf(title: &str, pages: &[Vec<String>], size: (f32, f32)) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding",
    });
    let bold = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica-Bold", "Encoding" => "WinAnsiEncoding",
    });
    let resources =
        doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font, "F2" => bold } });
    let mut kids = Vec::new();
    for (n, lines) in pages.iter().enumerate() {
        let (w, h) = size;
        let mut ops = vec![
            Operation::new("BT", vec![]),
            Operation::new("Tf", vec!["F2".into(), 16.into()]),
            Operation::new("Td", vec![70.into(), (h - 110.0).into()]),
            Operation::new("Tj", vec![win_ansi(title)]),
            Operation::new("Tf", vec!["F1".into(), 11.into()]),
            Operation::new("TL", vec![16.into()]),
            Operation::new("T*", vec![]),
            Operation::new("T*", vec![]),
        ];
        for line in lines {
            ops.push(Operation::new("Tj", vec![win_ansi(line)]));
            ops.push(Operation::new("T*", vec![]));
        }
        ops.push(Operation::new("ET", vec![]));
        // A frame and a page number, so rotation and scaling are visible when normalised.
        ops.extend([
            Operation::new(
                "re",
                vec![40.into(), 40.into(), (w - 80.0).into(), (h - 80.0).into()],
            ),
            Operation::new("S", vec![]),
            Operation::new("BT", vec![]),
            Operation::new("Tf", vec!["F1".into(), 9.into()]),
            Operation::new("Td", vec![(w / 2.0 - 20.0).into(), 50.into()]),
            Operation::new("Tj", vec![win_ansi(&format!("Seite {}", n + 1))]),
            Operation::new("ET", vec![]),
        ]);
        let content = Content { operations: ops }.encode().unwrap_or_default();
        let content_id = doc.add_object(Stream::new(dictionary! {}, content));
        let page = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "Contents" => content_id,
            "MediaBox" => vec![0.into(), 0.into(), w.into(), h.into()],
        });
        kids.push(page.into());
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count, "Resources" => resources }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("writing to a Vec cannot fail");
    out
}

/// The invitation to the owners' meeting (2 pages, A4).
pub(crate) fn invitation() -> Vec<u8> {
    text_pdf(
        "Einladung zur ordentlichen Eigentümerversammlung 2027",
        &[
            vec![
                "WEG Lindenhof, Lindenstraße 5–9, 50667 Köln".into(),
                "Termin: Donnerstag, 18. März 2027, 18:30 Uhr, Bürgerhaus Köln-Süd".into(),
                String::new(),
                "Tagesordnung:".into(),
                "TOP 1  Begrüßung und Feststellung der Beschlussfähigkeit".into(),
                "TOP 2  Jahresabrechnung 2026 und Entlastung des Verwalters".into(),
                "TOP 3  Wirtschaftsplan 2027 (Hausgeld gesamt 184.200,00 €)".into(),
                "TOP 4  Sanierung der Tiefgarage: Beschluss über die Sonderumlage".into(),
            ],
            vec![
                "TOP 5  Verschiedenes".into(),
                String::new(),
                "Bitte bringen Sie zur Versammlung diese Einladung mit.".into(),
                "Vollmachten können Sie dem Verwaltungsbeirat oder dem Verwalter erteilen.".into(),
                String::new(),
                "Mit freundlichen Grüßen".into(),
                "Hausverwaltung Sonnenschein GmbH".into(),
            ],
        ],
        A4,
    )
}

/// The business plan (3 pages, A4).
pub(crate) fn business_plan() -> Vec<u8> {
    let pages = (1..=3)
        .map(|p| {
            (1..=12)
                .map(|i| {
                    format!(
                        "Position {}.{i:02}: Kostenart {}  –  {:>9.2} €",
                        p,
                        i * p,
                        1234.5 * (i * p) as f64
                    )
                })
                .collect()
        })
        .collect::<Vec<Vec<String>>>();
    text_pdf("Wirtschaftsplan 2027 – WEG Lindenhof", &pages, A4)
}

/// The building plan of the underground car park: one A3 landscape page.
pub(crate) fn building_plan() -> Vec<u8> {
    text_pdf(
        "Lageplan Tiefgarage – Sanierungsabschnitte 1 bis 3",
        &[vec![
            "Maßstab 1:200, Stellplätze 1–48, Abschnitt 1 grün, Abschnitt 2 gelb, Abschnitt 3 rot."
                .into(),
            "Zufahrt über die Lindenstraße; Ersatzstellplätze während der Bauzeit im Hof.".into(),
        ]],
        A3_LANDSCAPE,
    )
}
