//! The only module that touches printpdf.
//!
//! printpdf 0.12.8 is pinned exactly (its API changes between minor versions) and links its
//! own lopdf 0.44, so nothing of its types leaves this module: it gets a [`CoverLayout`] and
//! returns bytes. It sets text in the built-in Helvetica, which [`crate::font::embed`] then
//! replaces by the embedded Arimo faces.

use printpdf::{
    BuiltinFont, Color, Greyscale, Line, LinePoint, Mm, Op, PdfDocument, PdfFontHandle, PdfPage,
    PdfSaveOptions, Point, Pt, TextItem,
};

use crate::cover::CoverLayout;
use crate::error::Result;

const PAGE_HEIGHT_MM: f32 = 297.0;

fn at(x_mm: f64, top_mm: f64) -> Point {
    Point::new(Mm(x_mm as f32), Mm(PAGE_HEIGHT_MM - top_mm as f32))
}

pub(crate) fn render_cover(layout: &CoverLayout) -> Result<Vec<u8>> {
    let mut ops = Vec::with_capacity(layout.lines.len() * 5 + layout.marks.len() + 4);
    ops.push(Op::SetFillColor {
        col: Color::Greyscale(Greyscale::new(0.0, None)),
    });
    for line in &layout.lines {
        // One text object per line: printpdf's cursor is a relative `Td`.
        ops.push(Op::StartTextSection);
        ops.push(Op::SetFont {
            font: PdfFontHandle::Builtin(if line.bold {
                BuiltinFont::HelveticaBold
            } else {
                BuiltinFont::Helvetica
            }),
            size: Pt(line.size_pt as f32),
        });
        ops.push(Op::SetTextCursor {
            pos: at(line.x_mm, line.baseline_mm),
        });
        ops.push(Op::ShowText {
            items: vec![TextItem::Text(line.text.clone())],
        });
        ops.push(Op::EndTextSection);
    }
    ops.push(Op::SetOutlineColor {
        col: Color::Greyscale(Greyscale::new(0.0, None)),
    });
    ops.push(Op::SetOutlineThickness { pt: Pt(0.75) });
    for mark in &layout.marks {
        ops.push(Op::DrawLine {
            line: Line {
                points: vec![
                    LinePoint {
                        p: at(mark.x0_mm, mark.y_mm),
                        bezier: false,
                    },
                    LinePoint {
                        p: at(mark.x1_mm, mark.y_mm),
                        bezier: false,
                    },
                ],
                is_closed: false,
            },
        });
    }
    let page = PdfPage::new(Mm(210.0), Mm(PAGE_HEIGHT_MM), ops);
    let mut warnings = Vec::new();
    let bytes = PdfDocument::new("Deckblatt")
        .with_pages(vec![page])
        .save(&PdfSaveOptions::default(), &mut warnings);
    crate::font::embed(&bytes)
}
