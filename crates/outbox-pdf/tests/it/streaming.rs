//! Letters written page by page, straight to a writer: the same bytes as in memory, every
//! page normalised even when another page points at it, and no harm from failing writers
//! or from files the lazy reader cannot read.

use crate::common;

use std::io::{self, Write};

use common::*;
use lopdf::{Document, Object, Stream, dictionary};
use outbox_pdf::{Bundler, Limits, PdfError, inspect, normalise};

fn assert_all_a4(pdf: &[u8], pages: usize) {
    let info = inspect(pdf).expect("output is readable");
    assert_eq!(info.page_count(), pages);
    assert!(info.is_all_a4_portrait(), "{info:?}");
    if let Some((clean, text)) = qpdf_check(pdf) {
        assert!(clean, "qpdf --check: {text}");
    }
}

#[test]
fn streaming_to_a_writer_gives_the_same_bytes_as_in_memory() {
    let a = mixed_pdf(25);
    let b = build_pdf(&[PageSpec::sized(842.0, 595.0).with_annotations()]);
    let mut in_memory = Bundler::new();
    in_memory.add_pdf(&a).unwrap();
    in_memory.add_pdf(&b).unwrap();
    let letter = in_memory.finish().unwrap();

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("letter.pdf");
    let file = io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let mut streaming = Bundler::writing_to(file, Limits::default());
    streaming.add_pdf(&a).unwrap();
    streaming.add_pdf(&b).unwrap();
    let (mut file, summary) = streaming.close().unwrap();
    file.flush().unwrap();
    drop(file);
    let written = std::fs::read(&path).unwrap();
    assert_eq!(summary, letter.summary);
    assert_eq!(summary.bytes, written.len() as u64);
    assert!(
        written == letter.pdf,
        "streamed and in-memory letters differ"
    );
    assert_all_a4(&written, 26);
}

/// Page 1 (A4, kept as it is with its link) points at page 2 (landscape) through a link
/// destination; page 2 must still be written in its own turn, normalised.
#[test]
fn a_page_reached_through_a_link_is_still_normalised() {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let content = |text: &str| {
        Stream::new(
            dictionary! {},
            format!("0 0 m 100 100 l S % {text}").into_bytes(),
        )
    };
    let c1 = doc.add_object(content("one"));
    let c2 = doc.add_object(content("two"));
    let page2 = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => c2,
        "MediaBox" => vec![0.into(), 0.into(), 842.into(), 595.into()],
    });
    let link = doc.add_object(dictionary! {
        "Type" => "Annot", "Subtype" => "Link", "F" => 4,
        "Rect" => vec![10.into(), 10.into(), 50.into(), 50.into()],
        "Dest" => vec![page2.into(), "Fit".into()],
    });
    let page1 = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => c1,
        "MediaBox" => vec![0.into(), 0.into(), 595.276.into(), 841.89.into()],
        "Annots" => vec![link.into()],
    });
    let out = normalise_two_pages(doc, pages_id, vec![page1.into(), page2.into()]);
    // The link on page 1 still points at (the normalised) page 2.
    let doc = Document::load_mem(&out.pdf).unwrap();
    let pages = doc.get_pages();
    let (p1, p2) = (pages[&1], pages[&2]);
    let annots = doc.get_dictionary(p1).unwrap().get(b"Annots").unwrap();
    let link = doc
        .get_dictionary(annots.as_array().unwrap()[0].as_reference().unwrap())
        .unwrap();
    let dest = link.get(b"Dest").unwrap().as_array().unwrap();
    assert_eq!(dest[0].as_reference().unwrap(), p2);
}

/// One appearance stream without `/Subtype /Form` serves a stamp on an A4 page (kept as
/// it is) and on a landscape page (flattened): the kept annotation's stream must not
/// change, and the flattened one must draw a proper form.
#[test]
fn a_shared_appearance_stream_is_not_changed_for_the_page_that_keeps_it() {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let appearance = doc.add_object(Stream::new(
        dictionary! { "BBox" => vec![0.into(), 0.into(), 20.into(), 20.into()] },
        b"0 0 20 20 re f".to_vec(),
    ));
    let stamp = |doc: &mut Document| {
        doc.add_object(dictionary! {
            "Type" => "Annot", "Subtype" => "Stamp", "F" => 4,
            "Rect" => vec![100.into(), 100.into(), 120.into(), 120.into()],
            "AP" => dictionary! { "N" => appearance },
        })
    };
    let (s1, s2) = (stamp(&mut doc), stamp(&mut doc));
    let c = doc.add_object(Stream::new(dictionary! {}, b"0 0 m 10 10 l S".to_vec()));
    let page = |doc: &mut Document, w: i64, h: i64, annot| {
        doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => c,
            "MediaBox" => vec![0.into(), 0.into(), w.into(), h.into()],
            "Annots" => vec![Object::Reference(annot)],
        })
    };
    // A4 in whole points is within tolerance: kept as is.
    let p1 = page(&mut doc, 595, 842, s1);
    let p2 = page(&mut doc, 842, 595, s2);
    let out = normalise_two_pages(doc, pages_id, vec![p1.into(), p2.into()]);
    let doc = Document::load_mem(&out.pdf).unwrap();
    let pages = doc.get_pages();
    // Page 1 keeps its stamp, whose appearance is unchanged.
    let annots = doc
        .get_dictionary(pages[&1])
        .unwrap()
        .get(b"Annots")
        .unwrap();
    let kept = doc
        .get_dictionary(annots.as_array().unwrap()[0].as_reference().unwrap())
        .unwrap();
    let ap = kept.get(b"AP").unwrap().as_dict().unwrap();
    let kept_stream = doc
        .get_object(ap.get(b"N").unwrap().as_reference().unwrap())
        .unwrap()
        .as_stream()
        .unwrap();
    assert!(kept_stream.dict.get(b"Subtype").is_err());
    // Page 2 draws the stamp through a form XObject.
    let resources = doc
        .get_dictionary(pages[&2])
        .unwrap()
        .get(b"Resources")
        .unwrap();
    let xobjects = resources
        .as_dict()
        .unwrap()
        .get(b"XObject")
        .unwrap()
        .as_dict()
        .unwrap();
    let form = doc
        .get_object(
            xobjects
                .get(b"OutboxAnnot1")
                .unwrap()
                .as_reference()
                .unwrap(),
        )
        .unwrap()
        .as_stream()
        .unwrap();
    assert_eq!(
        form.dict.get(b"Subtype").unwrap().as_name().unwrap(),
        b"Form"
    );
    assert_eq!(form.content, b"0 0 20 20 re f");
}

/// Finishes a hand-built two-page document, normalises it and checks the geometry.
fn normalise_two_pages(
    mut doc: Document,
    pages_id: lopdf::ObjectId,
    kids: Vec<Object>,
) -> outbox_pdf::Normalised {
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => 2 }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut pdf = Vec::new();
    doc.save_to(&mut pdf).unwrap();
    let out = normalise(&pdf).unwrap();
    assert_all_a4(&out.pdf, 2);
    out
}

/// A wrong `startxref` defeats the lazy reader; lopdf's full load rebuilds the file.
#[test]
fn a_file_with_a_broken_cross_reference_is_still_normalised() {
    let pdf = build_pdf(&[
        PageSpec::sized(612.0, 792.0),
        PageSpec::sized(842.0, 595.0).rotated(90),
    ]);
    let pos = pdf
        .windows(9)
        .rposition(|w| w == b"startxref")
        .expect("startxref");
    let mut broken = pdf[..pos].to_vec();
    broken.extend_from_slice(b"startxref\n999999\n%%EOF\n");
    let good = normalise(&pdf).unwrap();
    let out = normalise(&broken).expect("lopdf rebuilds the cross-reference data");
    assert_all_a4(&out.pdf, 2);
    assert_eq!(out.warnings, good.warnings);
    assert_eq!(out.pdf.len(), good.pdf.len());
}

/// A writer that accepts `budget` bytes, then fails.
struct FailingWriter {
    budget: usize,
}

impl Write for FailingWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if buf.len() > self.budget {
            return Err(io::Error::other("disk full"));
        }
        self.budget -= buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_failing_writer_ends_the_letter_with_a_write_error() {
    let pdf = mixed_pdf(10);
    let mut bundler = Bundler::writing_to(FailingWriter { budget: 500 }, Limits::default());
    let err = bundler.add_pdf(&pdf).unwrap_err();
    assert!(
        matches!(&err, PdfError::Write { reason } if reason.contains("disk full")),
        "{err}"
    );
    assert_eq!(bundler.pages(), 0);
    // Once broken, always broken: nothing more is written, closing reports it.
    assert!(matches!(bundler.add_pdf(&pdf), Err(PdfError::Write { .. })));
    assert!(matches!(bundler.close(), Err(PdfError::Write { .. })));
}

/// Blanks the `endobj` of page `page`'s content stream (offsets stay valid): the lazy reader
/// opens the file but refuses that object in the middle of the copy; lopdf's full load
/// accepts it.
fn with_broken_content_of_page(pdf: &[u8], page: u32) -> Vec<u8> {
    let doc = Document::load_mem(pdf).unwrap();
    let page_id = doc.get_pages()[&page];
    let contents = doc
        .get_dictionary(page_id)
        .unwrap()
        .get(b"Contents")
        .unwrap()
        .as_reference()
        .unwrap();
    let header = format!("\n{} {} obj", contents.0, contents.1);
    let start = pdf
        .windows(header.len())
        .position(|w| w == header.as_bytes())
        .expect("object header");
    let end = start
        + pdf[start..]
            .windows(6)
            .position(|w| w == b"endobj")
            .expect("endobj");
    let mut broken = pdf.to_vec();
    broken[end..end + 6].copy_from_slice(b"      ");
    broken
}

/// When the lazy reader fails after some pages were written, the input starts over from a
/// full load. The objects written before stay in the letter, unreferenced: the letter must
/// still be clean for qpdf and show every page once.
#[test]
fn objects_left_behind_by_a_restarted_input_do_not_harm_the_letter() {
    let pdf = build_pdf(&[
        PageSpec::sized(612.0, 792.0),
        PageSpec::sized(842.0, 595.0).rotated(90),
        PageSpec::sized(420.0, 595.0),
    ]);
    let broken = with_broken_content_of_page(&pdf, 3);
    let letter = |input: &[u8]| {
        let mut bundler = Bundler::new();
        bundler.add_pdf(&pdf).unwrap();
        bundler.add_pdf(input).unwrap();
        bundler.add_pdf(&pdf).unwrap();
        bundler.finish().unwrap()
    };
    let good = letter(&pdf);
    let restarted = letter(&broken);
    assert_all_a4(&restarted.pdf, 9);
    assert_eq!(restarted.summary.pages, good.summary.pages);
    // Proof that the restart happened: two pages' objects were written twice.
    let objects = |bytes: &[u8]| Document::load_mem(bytes).unwrap().objects.len();
    assert!(
        objects(&restarted.pdf) > objects(&good.pdf),
        "{} vs {} objects",
        objects(&restarted.pdf),
        objects(&good.pdf)
    );
    // Every page of the letter is a distinct page object; none shows dead weight.
    let doc = Document::load_mem(&restarted.pdf).unwrap();
    let pages: std::collections::BTreeSet<_> = doc.get_pages().into_values().collect();
    assert_eq!(pages.len(), 9);
}
