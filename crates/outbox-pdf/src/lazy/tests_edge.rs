//! Hand-written edge cases and robustness properties.

use lopdf::{Object, StringFormat};
use proptest::prelude::*;

use super::lexer::{Lexer, MAX_DEPTH};
use super::tests_oracle::sample_document;
use super::{LazyFile, Raw};
use crate::limits::Limits;

/// A file with objects 1.. from `bodies` (each the text between `obj` and `endobj`), a
/// classic xref and `trailer_extra` added to the trailer.
fn build(bodies: &[&[u8]], trailer_extra: &str) -> Vec<u8> {
    build_after(b"", bodies, trailer_extra)
}

/// [`build`] after `junk`, with offsets counted from the start of the file (junk included).
fn build_after(junk: &[u8], bodies: &[&[u8]], trailer_extra: &str) -> Vec<u8> {
    let mut out = junk.to_vec();
    out.extend_from_slice(b"%PDF-1.4\n");
    let mut offsets = Vec::new();
    for (i, body) in bodies.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", bodies.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R {trailer_extra} >>\nstartxref\n{xref}\n%%EOF\n",
            bodies.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn parse(text: &[u8]) -> Result<Object, String> {
    let mut lx = Lexer::new(text, 0);
    lx.object().map_err(|e| e.0)
}

fn stream_data<'a>(file: &'a LazyFile<'a>, id: u32) -> &'a [u8] {
    match file.get((id, 0)).unwrap() {
        Some(Raw::Stream { data, .. }) => data,
        other => panic!("no stream: {other:?}"),
    }
}

#[test]
fn lazy_numbers() {
    assert_eq!(parse(b"-.5"), Ok(Object::Real(-0.5)));
    assert_eq!(parse(b".5"), Ok(Object::Real(0.5)));
    assert_eq!(parse(b"5."), Ok(Object::Real(5.0)));
    assert_eq!(parse(b"+3"), Ok(Object::Integer(3)));
    assert_eq!(parse(b"-0"), Ok(Object::Integer(0)));
    assert_eq!(parse(b"0.00-5"), Ok(Object::Real(0.005)));
    assert_eq!(parse(b"12 0 R"), Ok(Object::Reference((12, 0))));
    assert_eq!(parse(b"12 0"), Ok(Object::Integer(12)));
    assert!(parse(b"-").is_err());
    assert!(parse(b".").is_err());
    assert!(parse(b"99999999999999999999").is_err());
    assert_eq!(
        parse(b"[1 2 3 R -4 .5]"),
        Ok(Object::Array(vec![
            Object::Integer(1),
            Object::Reference((2, 3)),
            Object::Integer(-4),
            Object::Real(0.5)
        ]))
    );
}

#[test]
fn lazy_literal_strings() {
    let lit = |b: &[u8]| Ok(Object::String(b.to_vec(), StringFormat::Literal));
    assert_eq!(parse(b"(a\r\nb\rc\nd)"), lit(b"a\nb\nc\nd"));
    assert_eq!(parse(b"(\\053\\0053\\777\\7)"), lit(b"+\x053\xFF\x07"));
    assert_eq!(parse(b"(a\\\r\nb\\\nc)"), lit(b"abc"));
    assert_eq!(
        parse(b"(\\n\\r\\t\\b\\f\\(\\)\\\\\\q)"),
        lit(b"\n\r\t\x08\x0C()\\q")
    );
    assert_eq!(parse(b"(a(b(c))d)"), lit(b"a(b(c))d"));
    assert!(parse(b"(a(b)").is_err());
    assert!(parse(b"(abc\\").is_err());
    let deep = [vec![b'('; MAX_DEPTH + 1], vec![b')'; MAX_DEPTH + 1]].concat();
    assert!(parse(&deep).is_err());
}

#[test]
fn lazy_hex_strings_and_names() {
    let hex = |b: &[u8]| Ok(Object::String(b.to_vec(), StringFormat::Hexadecimal));
    assert_eq!(parse(b"<4 1\n4>"), hex(&[0x41, 0x40]));
    assert_eq!(parse(b"<>"), hex(&[]));
    assert_eq!(parse(b"<aBcD>"), hex(&[0xAB, 0xCD]));
    assert!(parse(b"<4G>").is_err());
    assert!(parse(b"<41").is_err());
    assert_eq!(parse(b"/A#20B#2f"), Ok(Object::Name(b"A B/".to_vec())));
    assert_eq!(parse(b"/"), Ok(Object::Name(Vec::new())));
    assert!(parse(b"/A#2").is_err());
    assert!(parse(b"/A#zz").is_err());
}

#[test]
fn lazy_dictionaries_and_nesting() {
    let Ok(Object::Dictionary(d)) = parse(b"<</A 1/A 2 % comment\n/B[/C]>>") else {
        panic!("dictionary expected")
    };
    assert_eq!(d.get(b"A").unwrap(), &Object::Integer(2));
    assert_eq!(d.len(), 2);
    assert!(parse(b"<</A>>").is_err());
    let ok = [vec![b'['; MAX_DEPTH - 1], vec![b']'; MAX_DEPTH - 1]].concat();
    assert!(parse(&ok).is_ok());
    let deep = [vec![b'['; MAX_DEPTH + 1], vec![b']'; MAX_DEPTH + 1]].concat();
    assert!(parse(&deep).is_err());
}

#[test]
fn lazy_wrong_length_is_recovered_via_endstream() {
    let bytes = build(
        &[
            b"<< /Type /Catalog >>",
            b"<< /Length 1000 >>\nstream\nhello\nendstream",
            b"<< /Length 2 >>\nstream\r\nworld\r\nendstream",
        ],
        "",
    );
    let file = LazyFile::open(&bytes, &Limits::default()).unwrap();
    assert_eq!(stream_data(&file, 2), b"hello");
    assert_eq!(stream_data(&file, 3), b"world");
}

#[test]
fn lazy_indirect_length_and_its_loops() {
    let bytes = build(
        &[
            b"<< /Type /Catalog >>",
            b"<< /Length 3 0 R >>\nstream\nabc\nendstream",
            b"3",
            b"<< /Length 4 0 R >>\nstream\nabc\nendstream",
        ],
        "",
    );
    let file = LazyFile::open(&bytes, &Limits::default()).unwrap();
    assert_eq!(stream_data(&file, 2), b"abc");
    assert!(file.get((4, 0)).is_err());
}

#[test]
fn lazy_dangling_references_read_as_none() {
    let bytes = build(&[b"<< /Type /Catalog /X 9 0 R >>"], "");
    let file = LazyFile::open(&bytes, &Limits::default()).unwrap();
    assert!(file.get((9, 0)).unwrap().is_none());
    assert!(file.get((0, 0)).unwrap().is_none());
    assert!(file.get((u32::MAX, 0)).unwrap().is_none());
    assert_eq!(file.max_id(), 2);
    assert_eq!(file.object_count(), 1);
}

#[test]
fn lazy_refuses_what_it_must_not_guess() {
    let good = build(&[b"<< /Type /Catalog >>"], "");
    let open = |b: &[u8]| LazyFile::open(b, &Limits::default()).err();
    assert!(open(&good).is_none());
    // startxref pointing to garbage
    let pos = good.windows(9).rposition(|w| w == b"startxref").unwrap();
    let mut garbage = good[..pos].to_vec();
    garbage.extend_from_slice(b"startxref\n3\n%%EOF\n");
    assert!(open(&garbage).is_some());
    // truncated
    assert!(open(&good[..good.len() / 2]).is_some());
    assert!(open(&good[..good.len() - 7]).is_some());
    // encrypted, no root, no header
    assert!(open(&build(&[b"<< /Type /Catalog >>"], "/Encrypt 1 0 R")).is_some());
    assert!(open(&good.replace_root()).is_some());
    assert!(open(&good[9..]).is_some());
    // a missing endobj
    let no_endobj = String::from_utf8(good.clone())
        .unwrap()
        .replacen("endobj", "endobx", 1);
    let file = LazyFile::open(no_endobj.as_bytes(), &Limits::default()).unwrap();
    assert!(file.get((1, 0)).is_err());
}

trait ReplaceRoot {
    fn replace_root(&self) -> Vec<u8>;
}

impl ReplaceRoot for Vec<u8> {
    fn replace_root(&self) -> Vec<u8> {
        String::from_utf8(self.clone())
            .unwrap()
            .replace("/Root", "/Rxxx")
            .into_bytes()
    }
}

/// A file whose update section's /Prev is `update_prev(old_xref, own)`, and whose old
/// trailer gets `/Prev own` when `loop_back`.
fn updated_file(update_prev: impl Fn(usize, usize) -> usize, loop_back: bool) -> Vec<u8> {
    let mut bytes = build(&[b"<< /Type /Catalog >>"], "/Padd 0000000000");
    let old = bytes.windows(6).rposition(|w| w == b"\nxref\n").unwrap() + 1;
    let obj = bytes.len();
    bytes.extend_from_slice(b"1 0 obj\n<< /Type /Catalog /New true >>\nendobj\n");
    let own = bytes.len();
    let prev = update_prev(old, own);
    bytes.extend_from_slice(
        format!(
            "xref\n1 1\n{obj:010} 00000 n \ntrailer\n<< /Size 2 /Root 1 0 R /Prev {prev} >>\nstartxref\n{own}\n%%EOF\n"
        )
        .as_bytes(),
    );
    if loop_back {
        let at = bytes
            .windows(16)
            .position(|w| w == b"/Padd 0000000000")
            .unwrap();
        bytes[at..at + 16].copy_from_slice(format!("/Prev {own:010}").as_bytes());
    }
    bytes
}

fn has_new_catalog(bytes: &[u8]) -> bool {
    let file = LazyFile::open(bytes, &Limits::default()).unwrap();
    matches!(file.get((1, 0)).unwrap(), Some(Raw::Object(Object::Dictionary(d))) if d.has(b"New"))
}

#[test]
fn lazy_prev_chain_and_loops_terminate() {
    // A normal update: the newer object 1 wins.
    assert!(has_new_catalog(&updated_file(|old, _| old, false)));
    // /Prev pointing to its own section.
    assert!(has_new_catalog(&updated_file(|_, own| own, false)));
    // new -> old -> new.
    assert!(has_new_catalog(&updated_file(|old, _| old, true)));
}

#[test]
fn lazy_leading_junk_with_either_offset_base() {
    let bodies: &[&[u8]] = &[
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Length 3 >>\nstream\nabc\nendstream",
    ];
    let junk = b"junk before the header\r\n";
    let absolute = build_after(junk, bodies, "");
    let from_header = [junk.as_slice(), &build(bodies, "")].concat();
    for bytes in [absolute, from_header] {
        let file = LazyFile::open(&bytes, &Limits::default()).unwrap();
        assert_eq!(file.version(), "1.4");
        assert_eq!(stream_data(&file, 2), b"abc");
        assert!(matches!(
            file.get((1, 0)).unwrap(),
            Some(Raw::Object(Object::Dictionary(_)))
        ));
    }
}

#[test]
fn lazy_limits_are_enforced() {
    let bytes = modern_sample();
    let limits = Limits::default();
    assert!(LazyFile::open(&bytes, &limits).is_ok());
    let few_objects = Limits {
        max_objects: 3,
        ..limits
    };
    assert!(LazyFile::open(&bytes, &few_objects).is_err());
    let tiny_streams = Limits {
        max_decompressed_stream_bytes: 8,
        ..limits
    };
    assert!(LazyFile::open(&bytes, &tiny_streams).is_err());
    let small_input = Limits {
        max_input_bytes: 100,
        ..limits
    };
    assert!(LazyFile::open(&bytes, &small_input).is_err());
    // Object streams are decoded within the limit too: allow the xref stream, not them.
    let doc = lopdf::Document::load_mem(&bytes).unwrap();
    let decoded = |kind: &[u8]| -> Vec<usize> {
        doc.objects
            .values()
            .filter_map(|o| o.as_stream().ok())
            .filter(|s| s.dict.has_type(kind))
            .map(|s| s.get_plain_content().unwrap().len())
            .collect()
    };
    let xref_size = decoded(b"XRef").into_iter().max().unwrap();
    assert!(decoded(b"ObjStm").into_iter().all(|n| n > xref_size));
    let file = LazyFile::open(
        &bytes,
        &Limits {
            max_decompressed_stream_bytes: xref_size,
            ..limits
        },
    )
    .unwrap();
    let compressed = (0..file.max_id()).find(|&n| file.is_compressed(n)).unwrap();
    assert!(file.get((compressed, 0)).is_err());
}

fn modern_sample() -> Vec<u8> {
    let mut bytes = Vec::new();
    sample_document().save_modern(&mut bytes).unwrap();
    bytes
}

fn read_everything(bytes: &[u8]) {
    if let Ok(file) = LazyFile::open(bytes, &Limits::default()) {
        for n in 0..file.max_id().saturating_add(2) {
            let _ = file.get((n, 0));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn lazy_random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let mut with_header = b"%PDF-1.7\n".to_vec();
        with_header.extend_from_slice(&bytes);
        read_everything(&bytes);
        read_everything(&with_header);
    }

    #[test]
    fn lazy_damaged_files_never_panic(cut in 0usize..4000, flips in proptest::collection::vec((0usize..4000, any::<u8>()), 0..8)) {
        let mut bytes = modern_sample();
        for (at, value) in flips {
            let len = bytes.len();
            bytes[at % len] = value;
        }
        read_everything(&bytes);
        bytes.truncate(cut.min(bytes.len()));
        read_everything(&bytes);
    }
}
