//! inspect / normalise / bundle on fixtures generated here.

use crate::common;

use common::*;
use outbox_pdf::{
    Bundler, MarkKind, PdfError, WarningKind, bundle, check_epost, inspect, normalise, page_marks,
};

const A4_W: f64 = 595.276;
const A4_H: f64 = 841.89;

fn assert_a4_portrait(pdf: &[u8], pages: usize) {
    let info = inspect(pdf).expect("output is readable");
    assert_eq!(info.page_count(), pages);
    for p in &info.pages {
        assert!(p.is_a4_portrait(), "page {} is {:?}", p.number, p);
        assert_eq!(p.rotate_raw, 0);
        assert!(p.crop_box.is_none());
        assert!(
            (p.media_box.width() - A4_W).abs() < 0.01 && (p.media_box.height() - A4_H).abs() < 0.01
        );
    }
    if let Some((clean, text)) = qpdf_check(pdf) {
        assert!(clean, "qpdf --check: {text}");
    } else {
        println!("qpdf not installed: skipping qpdf --check");
    }
}

/// Where the fixture's black square ended up on normalised page `page`.
fn square_position(pdf: &[u8], page: usize) -> (f64, f64) {
    let marks = page_marks(pdf, page).expect("marks");
    let square = marks
        .iter()
        .find(|m| m.kind == MarkKind::Path)
        .unwrap_or_else(|| panic!("no square on page {page}: {marks:?}"));
    (
        (square.rect.x0 + square.rect.x1) / 2.0,
        (square.rect.y0 + square.rect.y1) / 2.0,
    )
}

#[test]
fn sizes_and_rotations_become_a4_portrait_with_content_in_place() {
    let mut specs = Vec::new();
    for size in [A4, LETTER, A3, A5, (A4.1, A4.0), (LETTER.1, LETTER.0)] {
        for rot in [-270, -180, -90, 0, 90, 180, 270, 360, 450, 540, 990] {
            specs.push(PageSpec::sized(size.0, size.1).rotated(rot));
        }
    }
    let pdf = build_pdf(&specs);
    let before = inspect(&pdf).unwrap();
    assert_eq!(
        before.page_count(),
        specs.len(),
        "counted leaves, not /Count 0"
    );
    let out = normalise(&pdf).unwrap();
    assert_eq!(out.pages, specs.len());
    assert_a4_portrait(&out.pdf, specs.len());
    for (i, spec) in specs.iter().enumerate() {
        let (dw, dh) = spec.displayed_size();
        let (x, y) = square_position(&out.pdf, i + 1);
        assert!(
            x > 0.0 && x < A4_W && y > 0.0 && y < A4_H,
            "page {}: off page {x},{y}",
            i + 1
        );
        if dw <= dh {
            // Portrait as displayed: the square stays top left.
            assert!(
                x < A4_W / 2.0 && y > A4_H / 2.0,
                "page {} {spec:?}: square at {x},{y}",
                i + 1
            );
        } else {
            // Landscape turned counter-clockwise: the displayed top left goes to bottom left.
            assert!(
                x < A4_W / 2.0 && y < A4_H / 2.0,
                "page {} {spec:?}: square at {x},{y}",
                i + 1
            );
        }
    }
}

#[test]
fn inherited_boxes_and_rotation_resolve_nearest_first() {
    // Root /Pages has /Rotate 180; intermediate nodes override it.
    let specs = vec![
        PageSpec::sized(LETTER.0, LETTER.1).inherited().rotated(90),
        PageSpec::sized(A3.0, A3.1).inherited(),
        PageSpec::sized(A5.0, A5.1).rotated(270),
        PageSpec::sized(A4.0, A4.1),
    ];
    let pdf = build_pdf_with_root_rotate(&specs, Some(180));
    let info = inspect(&pdf).unwrap();
    assert_eq!(info.pages[0].rotation, 90);
    assert!((info.pages[0].media_box.width() - LETTER.0).abs() < 0.01);
    // Node without own /Rotate inherits the root's 180.
    assert_eq!(info.pages[1].rotation, 180);
    assert!(info.pages[1].has_resources);
    assert_eq!(info.pages[2].rotation, 270);
    // A page without its own /Rotate under the root inherits 180 too.
    assert_eq!(info.pages[3].rotation, 180);
    let out = normalise(&pdf).unwrap();
    assert_a4_portrait(&out.pdf, 4);
    // Resources were materialised: the label text is still found with its font.
    for page in 1..=4 {
        let marks = page_marks(&out.pdf, page).unwrap();
        assert!(
            marks.iter().any(
                |m| matches!(&m.kind, MarkKind::Text { text } if text == &format!("Seite {page}"))
            ),
            "page {page}: {marks:?}"
        );
    }
}

#[test]
fn crop_box_smaller_than_media_box_is_the_visible_page() {
    let specs = vec![
        PageSpec::sized(A4.0, A4.1).cropped([50.0, 60.0, 450.0, 700.0]),
        PageSpec::sized(A3.0, A3.1)
            .cropped([100.0, 100.0, 700.0, 500.0])
            .rotated(90),
    ];
    let pdf = build_pdf(&specs);
    let info = inspect(&pdf).unwrap();
    assert!((info.pages[0].effective_box.width() - 400.0).abs() < 0.01);
    let out = normalise(&pdf).unwrap();
    assert_a4_portrait(&out.pdf, 2);
    let (x, y) = square_position(&out.pdf, 1);
    assert!(x < A4_W / 2.0 && y > A4_H / 2.0);
    // Scaled up to fill the page width or height.
    assert!(
        out.warnings
            .iter()
            .any(|w| matches!(w.kind, WarningKind::ScaledToFit { .. }))
    );
}

#[test]
fn normalising_twice_changes_no_geometry() {
    let pdf = build_pdf(&[
        PageSpec::sized(LETTER.0, LETTER.1).rotated(-270),
        PageSpec::sized(A3.0, A3.1).inherited().rotated(990),
    ]);
    let once = normalise(&pdf).unwrap();
    let twice = normalise(&once.pdf).unwrap();
    let a = inspect(&once.pdf).unwrap();
    let b = inspect(&twice.pdf).unwrap();
    assert_eq!(
        a.pages
            .iter()
            .map(|p| (p.media_box, p.rotation))
            .collect::<Vec<_>>(),
        b.pages
            .iter()
            .map(|p| (p.media_box, p.rotation))
            .collect::<Vec<_>>()
    );
    for page in 1..=2 {
        let ma: Vec<_> = page_marks(&once.pdf, page)
            .unwrap()
            .into_iter()
            .map(|m| m.rect)
            .collect();
        let mb: Vec<_> = page_marks(&twice.pdf, page)
            .unwrap()
            .into_iter()
            .map(|m| m.rect)
            .collect();
        assert_eq!(ma, mb);
    }
    assert!(twice.warnings.is_empty(), "{:?}", twice.warnings);
}

#[test]
fn annotations_are_flattened_or_dropped_with_a_warning() {
    let pdf = build_pdf(&[PageSpec::sized(LETTER.0, LETTER.1)
        .rotated(90)
        .with_annotations()]);
    let out = normalise(&pdf).unwrap();
    assert_a4_portrait(&out.pdf, 1);
    let kinds: Vec<_> = out.warnings.iter().map(|w| w.kind.clone()).collect();
    assert!(
        kinds.contains(&WarningKind::AnnotationsFlattened { count: 1 }),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&WarningKind::AnnotationsDropped { count: 1 }),
        "{kinds:?}"
    );
    assert_eq!(inspect(&out.pdf).unwrap().pages[0].annotations, 0);
    // The stamp's blue box is now page content (a second path besides the square).
    let paths = page_marks(&out.pdf, 1)
        .unwrap()
        .into_iter()
        .filter(|m| m.kind == MarkKind::Path)
        .count();
    assert_eq!(paths, 2);
}

#[test]
fn a4_input_keeps_its_annotations_and_content() {
    let pdf = build_pdf(&[PageSpec::sized(A4.0, A4.1).with_annotations()]);
    let out = normalise(&pdf).unwrap();
    assert!(out.warnings.is_empty());
    assert_eq!(inspect(&out.pdf).unwrap().pages[0].annotations, 2);
}

#[test]
fn distinct_errors_for_unusable_input() {
    assert_eq!(inspect(b"hello world").unwrap_err(), PdfError::NotPdf);
    assert!(matches!(
        inspect(b"%PDF-1.4\n garbage garbage").unwrap_err(),
        PdfError::Damaged { .. }
    ));
    let encrypted =
        encrypt_with_user_password(&build_pdf(&[PageSpec::sized(A4.0, A4.1)]), "secret");
    assert_eq!(inspect(&encrypted).unwrap_err(), PdfError::PasswordRequired);
    assert_eq!(
        normalise(&encrypted).unwrap_err(),
        PdfError::PasswordRequired
    );
    let empty = build_pdf(&[]);
    assert_eq!(inspect(&empty).unwrap_err(), PdfError::NoPages);
    // Messages say what to do.
    assert!(
        PdfError::PasswordRequired
            .to_string()
            .contains("without password")
    );
}

#[test]
fn encrypted_with_empty_password_is_readable_and_output_is_not_encrypted() {
    let encrypted =
        encrypt_with_user_password(&build_pdf(&[PageSpec::sized(LETTER.0, LETTER.1)]), "");
    let info = inspect(&encrypted).unwrap();
    assert!(info.encrypted);
    assert!(check_epost(&encrypted).contains(&outbox_pdf::EpostProblem::Encrypted));
    let out = normalise(&encrypted).unwrap();
    assert!(!inspect(&out.pdf).unwrap().encrypted);
    assert_a4_portrait(&out.pdf, 1);
}

#[test]
fn page_tree_loop_is_damaged_not_a_hang() {
    use lopdf::{Document, Object, dictionary};
    let mut doc = Document::with_version("1.4");
    let pages = doc.new_object_id();
    let mid = doc.new_object_id();
    doc.objects.insert(
        mid,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![pages.into()], "Count" => 1 },
        ),
    );
    doc.objects.insert(
        pages,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![mid.into()], "Count" => 1 },
        ),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages });
    doc.trailer.set("Root", catalog);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    assert!(matches!(
        inspect(&bytes).unwrap_err(),
        PdfError::Damaged { .. }
    ));
}

#[test]
fn bundle_keeps_inputs_apart_and_counts_sheets() {
    // Input A inherits Letter + /Rotate 90 from its tree; input B is plain A4.
    let a = build_pdf(&[PageSpec::sized(LETTER.0, LETTER.1).inherited().rotated(90); 3]);
    let b = build_pdf(&[PageSpec::sized(A4.0, A4.1); 2]);
    let cover = outbox_pdf::CoverSheet {
        sender: "Absender GmbH · Weg 1 · 12345 Ort".into(),
        recipient: vec![
            "Herrn Max Mustermann".into(),
            "Musterstraße 1".into(),
            "12345 Musterstadt".into(),
        ],
        date: "04.12.2026".into(),
        reference: None,
        documents: vec![],
    };
    let letter = bundle(Some(&cover), &[&a, &b]).unwrap();
    assert_eq!(letter.summary.pages, 6);
    assert_eq!(letter.summary.sheets, 3);
    assert_eq!(letter.summary.bytes, letter.pdf.len() as u64);
    assert_a4_portrait(&letter.pdf, 6);
    // B's pages did not pick up A's rotation: their square is still top left, unscaled.
    let (x, y) = square_position(&letter.pdf, 5);
    assert!(
        (x - 25.0).abs() < 0.5 && (y - (A4_H - 25.0)).abs() < 0.5,
        "{x},{y}"
    );
    assert!(
        check_epost(&letter.pdf).is_empty(),
        "{:?}",
        check_epost(&letter.pdf)
    );
    // No objects of the inputs' catalogs or page trees came along.
    let doc = lopdf::Document::load_mem(&letter.pdf).unwrap();
    let catalogs = doc
        .objects
        .values()
        .filter(|o| o.as_dict().is_ok_and(|d| d.has_type(b"Catalog")))
        .count();
    let trees = doc
        .objects
        .values()
        .filter(|o| o.as_dict().is_ok_and(|d| d.has_type(b"Pages")))
        .count();
    assert_eq!((catalogs, trees), (1, 1));
}

#[test]
fn bundler_rejects_bad_input_without_adding_pages() {
    let mut bundler = Bundler::new();
    bundler
        .add_pdf(&build_pdf(&[PageSpec::sized(A4.0, A4.1)]))
        .unwrap();
    assert_eq!(bundler.add_pdf(b"not a pdf").unwrap_err(), PdfError::NotPdf);
    assert_eq!(bundler.pages(), 1);
    assert_eq!(bundler.finish().unwrap().summary.pages, 1);
    assert_eq!(Bundler::new().finish().unwrap_err(), PdfError::NoPages);
}

#[test]
fn limits_bound_the_work() {
    let pdf = build_pdf(&[PageSpec::sized(A4.0, A4.1); 5]);
    let limits = outbox_pdf::Limits {
        max_pages: 3,
        ..Default::default()
    };
    assert!(matches!(
        outbox_pdf::inspect_with_limits(&pdf, &limits).unwrap_err(),
        PdfError::LimitExceeded { what: "pages", .. }
    ));
    let limits = outbox_pdf::Limits {
        max_input_bytes: 100,
        ..Default::default()
    };
    assert!(matches!(
        outbox_pdf::normalise_with_limits(&pdf, &limits).unwrap_err(),
        PdfError::LimitExceeded { .. }
    ));
}

#[test]
fn check_epost_reports_geometry_and_page_count() {
    let pdf = build_pdf(&vec![PageSpec::sized(LETTER.0, LETTER.1); 95]);
    let problems = check_epost(&pdf);
    assert!(
        problems
            .iter()
            .any(|p| matches!(p, outbox_pdf::EpostProblem::TooManyPages { pages: 95, .. }))
    );
    assert_eq!(
        problems
            .iter()
            .filter(|p| matches!(p, outbox_pdf::EpostProblem::NotA4Portrait { .. }))
            .count(),
        95
    );
    // A plain A4 page whose square sits at the top left touches the left 12 mm? No: it is at
    // 10..40 pt (3.5–14 mm), so it does.
    let a4 = build_pdf(&[PageSpec::sized(A4.0, A4.1)]);
    assert!(check_epost(&a4).contains(&outbox_pdf::EpostProblem::LeftStripNotEmpty));
}

#[test]
fn decompression_bomb_is_bounded() {
    use lopdf::{Document, Object, Stream, dictionary};
    // 16 MiB of zeros compress to ~16 KiB; the limit below is 1 MiB.
    let zeros = vec![0u8; 16 * 1024 * 1024];
    let mut stream = Stream::new(dictionary! {}, zeros);
    stream.compress().unwrap();
    let mut doc = Document::with_version("1.5");
    let pages = doc.new_object_id();
    let content = doc.add_object(stream);
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages, "Contents" => content,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
    });
    doc.objects.insert(
        pages,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
        ),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages });
    doc.trailer.set("Root", catalog);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    assert!(bytes.len() < 1024 * 1024);
    // Normalising never decompresses content streams: the bomb passes through untouched.
    let out = normalise(&bytes).unwrap();
    assert!(out.pdf.len() < 2 * bytes.len());
    // Looking into the content (check_epost's zone check) stops at the limit.
    let limits = outbox_pdf::Limits {
        max_decompressed_stream_bytes: 1024 * 1024,
        ..Default::default()
    };
    assert!(outbox_pdf::inspect_with_limits(&bytes, &limits).is_ok());
    let problems = outbox_pdf::check_epost_with_limits(&bytes, &limits);
    assert!(
        problems.iter().any(|p| matches!(
            p,
            outbox_pdf::EpostProblem::Unreadable(PdfError::LimitExceeded { .. })
        )),
        "{problems:?}"
    );
}

#[test]
fn unbalanced_content_cannot_pop_the_transform() {
    use lopdf::{Dictionary, Document, Object, Stream, dictionary};
    let mut doc = Document::with_version("1.4");
    let pages = doc.new_object_id();
    // Two stray Q before the drawing: without protection they would pop the page transform.
    let content = doc.add_object(Stream::new(
        Dictionary::new(),
        b"Q Q 0 g 10 10 30 30 re f q".to_vec(),
    ));
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages, "Contents" => content,
        "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
    });
    doc.objects.insert(
        pages,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
        ),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages });
    doc.trailer.set("Root", catalog);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    let out = normalise(&bytes).unwrap();
    let (x, y) = square_position(&out.pdf, 1);
    // Letter scaled by 0.9727 and centred vertically (35.7 pt margin): the square's centre
    // moves from (25, 25) to about (24.3, 60).
    assert!((x - 24.3).abs() < 0.5 && (y - 60.0).abs() < 0.5, "{x},{y}");
    let again = normalise(&out.pdf).unwrap();
    assert_eq!(square_position(&again.pdf, 1), (x, y));
}
