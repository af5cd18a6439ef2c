//! The fonts embedded into every cover sheet: Arimo Regular and Bold, cut down to the
//! WinAnsi characters (see `fonts/README.md`).
//!
//! E-POST replaces fonts that are not embedded (warning W101) and PDF/A requires embedding,
//! so the post must print exactly the glyphs the layout measured. printpdf writes text for its
//! built-in fonts as WinAnsi bytes; [`embed`] keeps those content streams as they are and only
//! swaps the built-in Helvetica dictionaries for simple TrueType fonts with
//! `/WinAnsiEncoding`, whose widths come from the same font program the layout measures with.

use std::sync::OnceLock;

use lopdf::{Dictionary, Document, Object, ObjectId, Stream, dictionary};

use crate::error::{PdfError, Result};
use crate::win_ansi;

const REGULAR_TTF: &[u8] = include_bytes!("../fonts/Arimo-Regular-WinAnsi.ttf");
const BOLD_TTF: &[u8] = include_bytes!("../fonts/Arimo-Bold-WinAnsi.ttf");

/// First and last code of the `/Widths` array: space to ÿ.
const FIRST_CHAR: u8 = 0x20;
const LAST_CHAR: u8 = 0xFF;
const CODES: usize = (LAST_CHAR - FIRST_CHAR) as usize + 1;

/// Which of the two embedded faces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Weight {
    Regular,
    Bold,
}

/// One face, measured once: everything its PDF font dictionary needs.
#[derive(Debug)]
pub(crate) struct Face {
    /// PostScript name with the subset tag PDF asks for (six capitals and `+`).
    base_font: &'static str,
    /// Advance widths in 1/1000 em for codes `FIRST_CHAR..=LAST_CHAR`; `None` where the
    /// code prints nothing (undefined in WinAnsi or missing from the font).
    widths: [Option<u16>; CODES],
    missing_width: u16,
    bbox: [i64; 4],
    ascent: i64,
    descent: i64,
    cap_height: i64,
    italic_angle: f64,
    stem_v: i64,
    /// The font program, Flate-compressed, and its uncompressed length (`/Length1`).
    program: Vec<u8>,
    length1: usize,
}

struct Faces {
    regular: Face,
    bold: Face,
}

/// The faces, parsed and compressed on first use; an error is a build defect that the
/// crate's tests catch, kept as a value so that no caller can panic on it.
fn faces() -> Result<&'static Faces> {
    static FACES: OnceLock<std::result::Result<Faces, String>> = OnceLock::new();
    FACES
        .get_or_init(|| {
            Ok(Faces {
                regular: Face::measure(REGULAR_TTF, "OUTBOX+Arimo")?,
                bold: Face::measure(BOLD_TTF, "OUTBOX+Arimo-Bold")?,
            })
        })
        .as_ref()
        .map_err(|reason| PdfError::Write {
            reason: format!("the embedded cover-sheet font is unusable: {reason}"),
        })
}

/// The face of `weight`.
pub(crate) fn face(weight: Weight) -> Result<&'static Face> {
    let faces = faces()?;
    Ok(match weight {
        Weight::Regular => &faces.regular,
        Weight::Bold => &faces.bold,
    })
}

impl Face {
    fn measure(ttf: &'static [u8], base_font: &'static str) -> std::result::Result<Self, String> {
        let face = ttf_parser::Face::parse(ttf, 0).map_err(|e| format!("{base_font}: {e}"))?;
        let upem = f64::from(face.units_per_em());
        let scale = |v: f64| (v * 1000.0 / upem).round() as i64;
        let advance = |gid| {
            face.glyph_hor_advance(gid)
                .map(|a| scale(f64::from(a)))
                .and_then(|w| u16::try_from(w).ok())
        };
        let mut widths = [None; CODES];
        for (slot, code) in widths.iter_mut().zip(FIRST_CHAR..=LAST_CHAR) {
            let c = win_ansi::decode(code);
            if win_ansi::encode(c) != Some(code) {
                continue; // undefined in WinAnsi: nothing to print
            }
            let width = face.glyph_index(c).and_then(advance);
            if width.is_none() {
                return Err(format!("{base_font} lacks the WinAnsi character {c:?}"));
            }
            *slot = width;
        }
        let b = face.global_bounding_box();
        let ascent = scale(f64::from(face.ascender()));
        // Adobe's rule of thumb for the stem width, from the OS/2 weight class.
        let weight = f64::from(face.weight().to_number());
        Ok(Self {
            base_font,
            widths,
            missing_width: advance(ttf_parser::GlyphId(0)).unwrap_or(0),
            bbox: [
                scale(f64::from(b.x_min)),
                scale(f64::from(b.y_min)),
                scale(f64::from(b.x_max)),
                scale(f64::from(b.y_max)),
            ],
            ascent,
            descent: scale(f64::from(face.descender())),
            cap_height: face
                .capital_height()
                .map_or(ascent, |h| scale(f64::from(h))),
            italic_angle: f64::from(face.italic_angle()),
            stem_v: (50.0 + (weight / 65.0).powi(2)).round() as i64,
            program: compress(ttf)?,
            length1: ttf.len(),
        })
    }

    /// Width of `c` in 1/1000 em; `None` when the face cannot print it.
    pub(crate) fn width(&self, c: char) -> Option<u16> {
        let code = win_ansi::encode(c)?;
        self.widths[usize::from(code.checked_sub(FIRST_CHAR)?)]
    }

    /// Width of `text` at `size_pt`, in points; `Err(c)` names the first unprintable character.
    pub(crate) fn text_width(&self, text: &str, size_pt: f64) -> std::result::Result<f64, char> {
        let mut units = 0u32;
        for c in text.chars() {
            units += u32::from(self.width(c).ok_or(c)?);
        }
        Ok(f64::from(units) * size_pt / 1000.0)
    }

    /// Adds the font program and descriptor to `doc` and returns the font dictionary.
    fn add_to(&self, doc: &mut Document, to_unicode: ObjectId) -> Dictionary {
        let mut program = Stream::new(
            dictionary! {
                "Length1" => self.length1 as i64,
                "Filter" => "FlateDecode",
            },
            self.program.clone(),
        );
        program.allows_compression = false;
        let program_id = doc.add_object(program);
        let descriptor_id = doc.add_object(dictionary! {
            "Type" => "FontDescriptor",
            "FontName" => Object::Name(self.base_font.as_bytes().to_vec()),
            // Nonsymbolic: the glyphs are found through WinAnsi names and the Unicode cmap.
            "Flags" => 32,
            "FontBBox" => self.bbox.iter().map(|&v| Object::Integer(v)).collect::<Vec<_>>(),
            "ItalicAngle" => Object::Real(self.italic_angle as f32),
            "Ascent" => self.ascent,
            "Descent" => self.descent,
            "CapHeight" => self.cap_height,
            "StemV" => self.stem_v,
            "MissingWidth" => i64::from(self.missing_width),
            "FontFile2" => program_id,
        });
        let widths = self
            .widths
            .iter()
            .map(|w| Object::Integer(i64::from(w.unwrap_or(self.missing_width))))
            .collect::<Vec<_>>();
        dictionary! {
            "Type" => "Font",
            "Subtype" => "TrueType",
            "BaseFont" => Object::Name(self.base_font.as_bytes().to_vec()),
            "FirstChar" => i64::from(FIRST_CHAR),
            "LastChar" => i64::from(LAST_CHAR),
            "Widths" => widths,
            "Encoding" => "WinAnsiEncoding",
            "FontDescriptor" => descriptor_id,
            "ToUnicode" => to_unicode,
        }
    }
}

/// The `/ToUnicode` CMap of WinAnsiEncoding, shared by both faces: text extraction (and the
/// provider's check that the window shows the address it was given) then needs no guessing
/// from glyph names.
fn win_ansi_to_unicode() -> String {
    let mut singles = String::new();
    let mut count = 0;
    for code in 0x80u8..=0x9F {
        let c = win_ansi::decode(code);
        if win_ansi::encode(c) == Some(code) {
            singles.push_str(&format!("<{code:02X}> <{:04X}>\n", u32::from(c)));
            count += 1;
        }
    }
    format!(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<00> <FF>\nendcodespacerange\n\
         2 beginbfrange\n<20> <7E> <0020>\n<A0> <FF> <00A0>\nendbfrange\n\
         {count} beginbfchar\n{singles}endbfchar\n\
         endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    )
}

fn compress(bytes: &[u8]) -> std::result::Result<Vec<u8>, String> {
    let mut stream = Stream::new(Dictionary::new(), bytes.to_vec());
    stream
        .compress()
        .map_err(|e| format!("compressing the font program failed: {e}"))?;
    Ok(stream.content)
}

/// Replaces every built-in Helvetica / Helvetica-Bold font of `pdf` by the embedded faces
/// (one copy of each face per file, however many pages use it).
pub(crate) fn embed(pdf: &[u8]) -> Result<Vec<u8>> {
    let mut doc = Document::load_mem(pdf).map_err(|e| PdfError::Write {
        reason: format!("re-reading the cover sheet failed: {e}"),
    })?;
    let builtin: Vec<(ObjectId, Weight)> = doc
        .objects
        .iter()
        .filter_map(|(&id, object)| {
            let dict = object.as_dict().ok()?;
            if dict.get(b"Subtype").and_then(Object::as_name).ok()? != b"Type1" {
                return None;
            }
            match dict.get(b"BaseFont").and_then(Object::as_name).ok()? {
                b"Helvetica" => Some((id, Weight::Regular)),
                b"Helvetica-Bold" => Some((id, Weight::Bold)),
                _ => None,
            }
        })
        .collect();
    let mut added: [Option<Dictionary>; 2] = [None, None];
    let mut to_unicode = None;
    for (id, weight) in builtin {
        let slot = &mut added[usize::from(weight == Weight::Bold)];
        let dict = match slot {
            Some(dict) => dict.clone(),
            None => {
                // The descriptor and program are shared; each font dictionary is small.
                let cmap = *to_unicode.get_or_insert_with(|| {
                    doc.add_object(Stream::new(
                        Dictionary::new(),
                        win_ansi_to_unicode().into_bytes(),
                    ))
                });
                let dict = face(weight)?.add_to(&mut doc, cmap);
                *slot = Some(dict.clone());
                dict
            }
        };
        doc.objects.insert(id, Object::Dictionary(dict));
    }
    let mut out = Vec::with_capacity(pdf.len() + 32 * 1024);
    doc.save_to(&mut out).map_err(|e| PdfError::Write {
        reason: format!("writing the cover sheet failed: {e}"),
    })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::helvetica;

    #[test]
    fn both_faces_cover_win_ansi_and_measure_like_helvetica() -> Result<()> {
        for weight in [Weight::Regular, Weight::Bold] {
            let face = face(weight)?;
            assert!(face.length1 > 10_000 && face.program.len() < face.length1);
            for b in FIRST_CHAR..=LAST_CHAR {
                let c = win_ansi::decode(b);
                if win_ansi::encode(c).is_some() {
                    assert!(face.width(c).is_some(), "{weight:?} {c:?}");
                }
            }
        }
        // Arimo is metric-compatible with Helvetica: the regular face measures the same.
        let regular = face(Weight::Regular)?;
        for c in "Frau Jördis Müßig, Königsallee 12, 40212 Düsseldorf „€“ – …".chars()
        {
            let (ours, adobe) = (regular.width(c), helvetica::width(c));
            assert!(
                matches!((ours, adobe), (Some(a), Some(b)) if a.abs_diff(b) <= 1),
                "{c:?}: {ours:?} vs {adobe:?}"
            );
        }
        assert_eq!(regular.width('ł'), None);
        let w = regular.text_width("Hallo", 10.0).unwrap_or(0.0);
        assert!((w - 22.78).abs() < 0.02, "{w}");
        Ok(())
    }
}
