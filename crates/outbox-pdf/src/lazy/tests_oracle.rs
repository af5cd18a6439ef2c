//! lopdf's own loader as the oracle: every object it loads must equal what [`LazyFile`] reads.

use lopdf::{Dictionary, Document, Object, Stream, StringFormat, dictionary};

use super::{LazyFile, Raw};
use crate::limits::Limits;

/// What comparing one file found.
#[derive(Debug, Default)]
pub(super) struct Comparison {
    /// Objects that were equal.
    pub(super) equal: usize,
    /// Objects that were equal and came from object streams.
    pub(super) from_object_streams: usize,
    /// Differences, one line each.
    pub(super) problems: Vec<String>,
}

/// Compares every object lopdf loads from `bytes` with ours. `Err` when we refuse the file.
pub(super) fn compare(bytes: &[u8], doc: &Document) -> Result<Comparison, String> {
    let lazy = LazyFile::open(bytes, &Limits::default()).map_err(|e| e.0)?;
    let mut out = Comparison::default();
    for (&id, expected) in &doc.objects {
        let ours = match lazy.get(id) {
            Ok(Some(raw)) => raw,
            Ok(None) => {
                out.problems
                    .push(format!("{id:?}: lopdf has it, we have no entry"));
                continue;
            }
            Err(e) => {
                out.problems.push(format!("{id:?}: {e}"));
                continue;
            }
        };
        match (expected, ours) {
            (Object::Stream(stream), Raw::Stream { dict, data }) => {
                // lopdf rewrites /Length to the data length it read.
                let mut dict: Dictionary = dict;
                dict.set("Length", data.len() as i64);
                if dict != stream.dict || data != stream.content.as_slice() {
                    out.problems.push(format!("{id:?}: stream differs"));
                    continue;
                }
            }
            (expected, Raw::Object(object)) => {
                if *expected != object {
                    out.problems
                        .push(format!("{id:?}: {expected:?} != {object:?}"));
                    continue;
                }
                if is_compressed(&lazy, id.0) {
                    out.from_object_streams += 1;
                }
            }
            (_, Raw::Stream { .. }) => {
                out.problems
                    .push(format!("{id:?}: we read a stream, lopdf not"));
                continue;
            }
        }
        out.equal += 1;
    }
    // And nothing lopdf dropped as broken reads as fine here.
    for number in 0..lazy.max_id() {
        let lopdf_has = doc
            .objects
            .range((number, 0)..=(number, u16::MAX))
            .next()
            .is_some();
        if !lopdf_has && matches!(lazy.get((number, 0)), Ok(Some(_))) {
            out.problems
                .push(format!("{number}: we read it, lopdf dropped it"));
        }
    }
    Ok(out)
}

fn is_compressed(lazy: &LazyFile<'_>, number: u32) -> bool {
    lazy.is_compressed(number)
}

/// A document with every kind of object, streams compressed and not, and an indirect /Length.
pub(super) fn sample_document() -> Document {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let mut plain = Stream::new(
        dictionary! {},
        b"BT /F1 12 Tf 72 720 Td (Hi) Tj ET".to_vec(),
    );
    plain.allows_compression = false;
    let plain_id = doc.add_object(plain);
    let mut packed = Stream::new(dictionary! {}, b"0 0 m 100 100 l S\n".repeat(40));
    packed.compress().expect("compress");
    let packed_id = doc.add_object(packed);
    let mut binary = Stream::new(dictionary! {"Kind" => "binary"}, (0u8..=255).collect());
    binary.allows_compression = false;
    let length_id = doc.add_object(Object::Integer(256));
    binary.dict.set("Length", Object::Reference(length_id));
    let binary_id = doc.add_object(binary);
    let misc = doc.add_object(dictionary! {
        "Escapes" => Object::String(b"a(b)c\\d\ne\rf\tg\x08h\x0Ci\x00j\xFFk".to_vec(), StringFormat::Literal),
        "Hex" => Object::String(vec![0, 1, 0xAB, 0xFF], StringFormat::Hexadecimal),
        "Name" => Object::Name(b"A B#/()<>[]{}%\x01\xFF".to_vec()),
        "Reals" => vec![Object::Real(0.5), Object::Real(-0.25), Object::Real(1234.5678), Object::Real(-1e-5)],
        "Ints" => vec![Object::Integer(0), Object::Integer(-7), Object::Integer(i64::MAX), Object::Integer(i64::MIN + 1)],
        "Nested" => vec![Object::Array(vec![Object::Array(vec![Object::Null, Object::Boolean(true)]), Object::Boolean(false)])],
        "Dict" => dictionary! { "Inner" => dictionary! { "Ref" => Object::Reference(font_id) } },
        "Dangling" => Object::Reference((9999, 0)),
        "Empty" => Object::String(vec![], StringFormat::Literal),
    });
    let resources = dictionary! { "Font" => dictionary! { "F1" => font_id } };
    let mut kids = Vec::new();
    for contents in [plain_id, packed_id] {
        kids.push(Object::Reference(doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => contents,
            "Resources" => resources.clone(), "MediaBox" => vec![0.into(), 0.into(), 595.276.into(), 841.89.into()],
            "Misc" => misc, "Image" => binary_id,
        })));
    }
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => 2 }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    doc
}

fn check(bytes: &[u8], want_object_streams: bool) {
    let doc = Document::load_mem(bytes).expect("lopdf loads its own output");
    let result = compare(bytes, &doc).expect("lazy open");
    assert!(result.problems.is_empty(), "{:#?}", result.problems);
    assert_eq!(result.equal, doc.objects.len());
    assert_eq!(want_object_streams, result.from_object_streams > 0);
}

#[test]
fn lazy_generated_classic_xref_equals_lopdf() {
    let mut bytes = Vec::new();
    sample_document().save_to(&mut bytes).unwrap();
    check(&bytes, false);
}

#[test]
fn lazy_generated_xref_and_object_streams_equal_lopdf() {
    let mut bytes = Vec::new();
    sample_document().save_modern(&mut bytes).unwrap();
    check(&bytes, true);
    let lazy = LazyFile::open(&bytes, &Limits::default()).unwrap();
    assert!(lazy.trailer().has(b"Root"));
    assert_eq!(lazy.version(), "1.5");
    assert!(lazy.max_id() as usize > lazy.object_count());
}

#[test]
fn lazy_corpus_equals_lopdf() {
    let Ok(dir) = std::env::var("OUTBOX_PDF_CORPUS") else {
        println!("skipped: OUTBOX_PDF_CORPUS is not set (it names the PDF corpus folder)");
        return;
    };
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("corpus folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "pdf"))
        .collect();
    paths.sort();
    let (mut opened, mut compressed_total, mut failures) = (Vec::new(), 0, Vec::new());
    for path in &paths {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(path).unwrap();
        let doc = match Document::load_mem(&bytes) {
            Ok(doc) if !doc.is_encrypted() && !doc.was_encrypted() => Some(doc),
            _ => None,
        };
        let Some(doc) = doc else {
            let ours = LazyFile::open(&bytes, &Limits::default()).err();
            println!("skip  {name}: lopdf cannot load it or it is encrypted (lazy: {ours:?})");
            continue;
        };
        match compare(&bytes, &doc) {
            Ok(result) => {
                println!(
                    "lazy  {name}: {} objects equal ({} from object streams), {} problems",
                    result.equal,
                    result.from_object_streams,
                    result.problems.len()
                );
                for p in result.problems.iter().take(5) {
                    println!("      {p}");
                }
                compressed_total += result.from_object_streams;
                if !result.problems.is_empty() {
                    failures.push(name.clone());
                }
                opened.push(name);
            }
            Err(why) => println!("refused {name}: {why}"),
        }
    }
    assert!(failures.is_empty(), "objects differ in {failures:?}");
    for must in [
        "pypdf-GeoTopo-komprimiert.pdf",
        "qpdf-hybrid-xref.pdf",
        "qpdf-incremental-1.pdf",
        "pdfa-pdf20-with-offset-start.pdf",
        "pdfa-pdf20-via-incremental-save.pdf",
    ] {
        assert!(
            opened.iter().any(|n| n == must),
            "{must} did not open lazily"
        );
    }
    assert!(compressed_total > 0, "no object-stream object was compared");
}
