//! Turning one page into an A4 portrait page in place: box and rotation baked into a `cm`.
//!
//! The original content streams are kept byte for byte; one small stream before them sets
//! the transform and the clip, one after them restores the state. Inherited attributes are
//! written onto the page so that it no longer depends on its ancestors.

use lopdf::{Dictionary, Object, ObjectId, Stream};

use crate::doc::{Doc, as_number, deref};
use crate::geometry::{A4_HEIGHT_PT, A4_TOLERANCE_PT, A4_WIDTH_PT, Matrix, Rect};
use crate::inspect::{page_info, read_rect};
use crate::load::PageRef;
use crate::warning::{Warning, WarningKind};

/// Annotation flag bits (ISO 32000-1, 12.5.3).
const ANNOT_HIDDEN: i64 = 1 << 1;
const ANNOT_PRINT: i64 = 1 << 2;

/// Keys that must not survive on a normalised page.
const DROPPED_KEYS: [&[u8]; 8] = [
    b"CropBox",
    b"BleedBox",
    b"TrimBox",
    b"ArtBox",
    b"Parent",
    b"Thumb",
    b"B",
    b"UserUnit",
];

/// How the page's original user space maps onto the A4 page.
pub(crate) struct Placement {
    /// `None` when the page already is A4 portrait at the origin.
    pub(crate) matrix: Option<Matrix>,
    /// The clip in original user space.
    pub(crate) clip: Rect,
}

/// Computes the transform: rotation baked in, landscape turned, scaled to fit, centred.
pub(crate) fn placement(effective: Rect, rotation: u16) -> Placement {
    let (w, h) = (effective.width(), effective.height());
    let mut rotation = rotation;
    let (mut dw, mut dh) = if rotation.is_multiple_of(180) {
        (w, h)
    } else {
        (h, w)
    };
    if dw > dh {
        // Landscape: turn a quarter counter-clockwise (readers of plans tilt their head left).
        rotation = (rotation + 270) % 360;
        std::mem::swap(&mut dw, &mut dh);
    }
    let already_a4 = rotation == 0
        && effective.x0.abs() < 0.01
        && effective.y0.abs() < 0.01
        && (dw - A4_WIDTH_PT).abs() <= A4_TOLERANCE_PT
        && (dh - A4_HEIGHT_PT).abs() <= A4_TOLERANCE_PT;
    if already_a4 {
        return Placement {
            matrix: None,
            clip: effective,
        };
    }
    let to_origin = Matrix::translate(-effective.x0, -effective.y0);
    let rotate = match rotation {
        90 => Matrix([0.0, -1.0, 1.0, 0.0, 0.0, w]),
        180 => Matrix([-1.0, 0.0, 0.0, -1.0, w, h]),
        270 => Matrix([0.0, 1.0, -1.0, 0.0, h, 0.0]),
        _ => Matrix::IDENTITY,
    };
    let s = (A4_WIDTH_PT / dw).min(A4_HEIGHT_PT / dh);
    let tx = (A4_WIDTH_PT - s * dw) / 2.0;
    let ty = (A4_HEIGHT_PT - s * dh) / 2.0;
    let fit = Matrix([s, 0.0, 0.0, s, tx, ty]);
    Placement {
        matrix: Some(to_origin.then(&rotate).then(&fit)),
        clip: effective,
    }
}

/// Writes a number compactly and deterministically for a content stream.
fn num(v: f64) -> String {
    let r = (v * 10_000.0).round() / 10_000.0;
    let r = if r == 0.0 { 0.0 } else { r };
    format!("{r}")
}

fn matrix_op(m: &Matrix) -> String {
    let [a, b, c, d, e, f] = m.0;
    format!(
        "{} {} {} {} {} {} cm",
        num(a),
        num(b),
        num(c),
        num(d),
        num(e),
        num(f)
    )
}

fn a4_media_box() -> Object {
    Object::Array(vec![
        Object::Integer(0),
        Object::Integer(0),
        Object::Real(A4_WIDTH_PT as f32),
        Object::Real(A4_HEIGHT_PT as f32),
    ])
}

/// How a page's content uses the graphics state stack.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct QBalance {
    /// The most `Q` operators seen beyond the content's own `q` at any point.
    pub(crate) deficit: usize,
    /// `q` minus `Q` over the whole content (negative when `Q` dominate).
    pub(crate) end_depth: i64,
}

/// Counts `q`/`Q` over the page's content streams (bounded decompression). Content that
/// cannot be decoded counts as balanced: readers treat it as ending there anyway.
pub(crate) fn q_balance(doc: &Doc<'_>, contents: &[ObjectId], max_decompressed: usize) -> QBalance {
    let mut depth: i64 = 0;
    let mut lowest: i64 = 0;
    let mut budget = max_decompressed;
    for id in contents {
        let Ok(data) = doc.decoded(*id, budget) else {
            break;
        };
        budget = budget.saturating_sub(data.len());
        for op in lopdf::content::Content::decode_iter(&data) {
            let Ok(op) = op else { break };
            match op.operator.as_str() {
                "q" => depth += 1,
                "Q" => {
                    depth -= 1;
                    lowest = lowest.min(depth);
                }
                _ => {}
            }
        }
    }
    QBalance {
        deficit: (-lowest) as usize,
        end_depth: depth,
    }
}

/// Normalises one page of `doc` in place.
pub(crate) fn normalise_page(
    doc: &mut Doc<'_>,
    page: &PageRef,
    number: usize,
    input: usize,
    max_decompressed: usize,
    warnings: &mut Vec<Warning>,
) {
    let info = page_info(doc, page, number);
    let warn = |warnings: &mut Vec<Warning>, kind| {
        warnings.push(Warning {
            input,
            page: number,
            kind,
        });
    };
    let has_media_box = doc
        .get(page.id)
        .and_then(|o| o.as_dict().ok())
        .and_then(|d| d.get(b"MediaBox").ok().cloned())
        .or_else(|| page.inherited.media_box.clone())
        .is_some_and(|o| read_rect(doc, &o).is_some());
    if !has_media_box {
        warn(warnings, WarningKind::MissingMediaBox);
    }
    if info.rotate_raw % 90 != 0 {
        warn(
            warnings,
            WarningKind::InvalidRotate {
                value: info.rotate_raw,
            },
        );
    }
    let placement = placement(info.effective_box, info.rotation);

    // Materialise inherited resources before anything else touches the page.
    let resources = own_or_inherited(doc, page, b"Resources")
        .unwrap_or_else(|| Object::Dictionary(Dictionary::new()));

    let mut flattened_ops = String::new();
    let mut new_xobjects: Vec<(Vec<u8>, ObjectId)> = Vec::new();
    if placement.matrix.is_some() {
        let (ops, xobjects, flattened, dropped) = flatten_annotations(doc, page.id);
        flattened_ops = ops;
        new_xobjects = xobjects;
        if flattened > 0 {
            warn(
                warnings,
                WarningKind::AnnotationsFlattened { count: flattened },
            );
        }
        if dropped > 0 {
            warn(warnings, WarningKind::AnnotationsDropped { count: dropped });
        }
        if let Some(m) = &placement.matrix {
            let scale = (m.0[0] * m.0[0] + m.0[1] * m.0[1]).sqrt();
            if (scale - 1.0).abs() > 0.005 {
                warn(
                    warnings,
                    WarningKind::ScaledToFit {
                        percent: (scale * 100.0).round() as u32,
                    },
                );
            }
        }
    }

    let resources = if new_xobjects.is_empty() {
        resources
    } else {
        Object::Dictionary(resources_with_xobjects(doc, &resources, new_xobjects))
    };

    let contents = if let Some(m) = placement.matrix {
        let c = placement.clip;
        let original = doc.page_contents(page.id);
        let balance = q_balance(doc, &original, max_decompressed);
        // Outer q: transform and clip, kept for the flattened annotations. Inner q's isolate
        // the original content; one more for every `Q` the content has without its `q`, so
        // that unbalanced content cannot pop the transform.
        let prefix = format!(
            "q {} {} {} {} {} re W n\n{}",
            matrix_op(&m),
            num(c.x0),
            num(c.y0),
            num(c.width()),
            num(c.height()),
            "q\n".repeat(1 + balance.deficit)
        );
        // Back to the outer level: close our inner q's and whatever the content left open.
        // end_depth >= -deficit, so this is at least 1.
        let pops = (1 + balance.deficit as i64 + balance.end_depth).max(1) as usize;
        let suffix = format!("\n{}{flattened_ops}Q\n", "Q\n".repeat(pops));
        let prefix_id = add_stream(doc, prefix.into_bytes());
        let suffix_id = add_stream(doc, suffix.into_bytes());
        let mut list = Vec::with_capacity(original.len() + 2);
        list.push(Object::Reference(prefix_id));
        list.extend(original.into_iter().map(Object::Reference));
        list.push(Object::Reference(suffix_id));
        Some(Object::Array(list))
    } else {
        None
    };

    let Some(Object::Dictionary(dict)) = doc.get_mut(page.id) else {
        return;
    };
    dict.set("Type", Object::Name(b"Page".to_vec()));
    dict.set("MediaBox", a4_media_box());
    dict.set("Rotate", Object::Integer(0));
    dict.set("Resources", resources);
    for key in DROPPED_KEYS {
        dict.remove(key);
    }
    if let Some(contents) = contents {
        dict.set("Contents", contents);
        dict.remove(b"Annots");
    }
}

fn own_or_inherited(doc: &Doc<'_>, page: &PageRef, key: &[u8]) -> Option<Object> {
    let own = doc
        .get(page.id)
        .and_then(|o| o.as_dict().ok())
        .and_then(|d| d.get(key).ok().cloned());
    own.or_else(|| match key {
        b"Resources" => page.inherited.resources.clone(),
        b"MediaBox" => page.inherited.media_box.clone(),
        _ => None,
    })
}

fn add_stream(doc: &mut Doc<'_>, content: Vec<u8>) -> ObjectId {
    let stream = Stream::new(Dictionary::new(), content).with_compression(false);
    doc.add(Object::Stream(stream))
}

/// A direct copy of the resources with extra XObject entries (the shared original stays as is).
fn resources_with_xobjects(
    doc: &Doc<'_>,
    resources: &Object,
    extra: Vec<(Vec<u8>, ObjectId)>,
) -> Dictionary {
    let mut res = deref(doc, resources)
        .and_then(|o| o.as_dict().ok())
        .cloned()
        .unwrap_or_default();
    let mut xobjects = res
        .get(b"XObject")
        .ok()
        .and_then(|o| deref(doc, o))
        .and_then(|o| o.as_dict().ok())
        .cloned()
        .unwrap_or_default();
    for (name, id) in extra {
        xobjects.set(name, Object::Reference(id));
    }
    res.set("XObject", Object::Dictionary(xobjects));
    res
}

/// Draws printable annotations with an appearance stream into the page, drops the rest.
///
/// Returns the drawing operators, the XObjects they use, and the counts flattened/dropped.
fn flatten_annotations(
    doc: &mut Doc<'_>,
    page_id: ObjectId,
) -> (String, Vec<(Vec<u8>, ObjectId)>, usize, usize) {
    let annots: Vec<Object> = doc
        .get(page_id)
        .and_then(|o| o.as_dict().ok())
        .and_then(|d| d.get(b"Annots").ok())
        .and_then(|a| deref(doc, a))
        .and_then(|a| a.as_array().ok())
        .cloned()
        .unwrap_or_default();
    let mut ops = String::new();
    let mut xobjects = Vec::new();
    let (mut flattened, mut dropped) = (0, 0);
    for annot in &annots {
        match appearance_for_print(doc, annot) {
            Some((stream_id, rect)) => {
                let bbox = doc
                    .get(stream_id)
                    .and_then(|o| o.as_stream().ok())
                    .and_then(|s| s.dict.get(b"BBox").ok())
                    .and_then(|b| read_rect(doc, b));
                let form_matrix = doc
                    .get(stream_id)
                    .and_then(|o| o.as_stream().ok())
                    .and_then(|s| s.dict.get(b"Matrix").ok())
                    .and_then(|m| read_matrix(doc, m))
                    .unwrap_or(Matrix::IDENTITY);
                let Some(bbox) = bbox else {
                    dropped += 1;
                    continue;
                };
                // ISO 32000-1, 12.5.5: map the transformed BBox onto the annotation rectangle.
                let t = form_matrix.apply_rect(&bbox);
                if t.width() <= 0.0 || t.height() <= 0.0 {
                    dropped += 1;
                    continue;
                }
                let a = Matrix([
                    rect.width() / t.width(),
                    0.0,
                    0.0,
                    rect.height() / t.height(),
                    rect.x0 - t.x0 * rect.width() / t.width(),
                    rect.y0 - t.y0 * rect.height() / t.height(),
                ]);
                let Some(stream_id) = as_form_xobject(doc, stream_id) else {
                    dropped += 1;
                    continue;
                };
                let name = format!("OutboxAnnot{}", xobjects.len() + 1).into_bytes();
                ops.push_str(&format!(
                    "q {} /{} Do Q\n",
                    matrix_op(&a),
                    String::from_utf8_lossy(&name)
                ));
                xobjects.push((name, stream_id));
                flattened += 1;
            }
            None => dropped += 1,
        }
    }
    (ops, xobjects, flattened, dropped)
}

/// An appearance stream usable with `Do`: the stream itself when it is marked as a form,
/// else a marked copy. The original is never changed, because pages are written one by one
/// and another page may already have written it as it is.
fn as_form_xobject(doc: &mut Doc<'_>, stream_id: ObjectId) -> Option<ObjectId> {
    let (dict, data) = doc.stream(stream_id)?;
    if dict.get(b"Subtype").ok().and_then(|s| s.as_name().ok()) == Some(b"Form") {
        return Some(stream_id);
    }
    let mut dict = dict.clone();
    let content = data.to_vec();
    dict.set("Type", Object::Name(b"XObject".to_vec()));
    dict.set("Subtype", Object::Name(b"Form".to_vec()));
    Some(doc.add(Stream {
        dict,
        content,
        allows_compression: false,
        start_position: None,
    }))
}

/// The normal appearance stream and rectangle of an annotation that is printed.
fn appearance_for_print(doc: &Doc<'_>, annot: &Object) -> Option<(ObjectId, Rect)> {
    let dict = deref(doc, annot)?.as_dict().ok()?;
    let flags = dict
        .get(b"F")
        .ok()
        .and_then(|f| as_number(doc, f))
        .unwrap_or(0.0) as i64;
    if flags & ANNOT_PRINT == 0 || flags & ANNOT_HIDDEN != 0 {
        return None;
    }
    if dict.get(b"Subtype").ok().and_then(|s| s.as_name().ok()) == Some(b"Popup") {
        return None;
    }
    let rect = read_rect(doc, dict.get(b"Rect").ok()?)?;
    let normal = deref(doc, dict.get(b"AP").ok()?)?
        .as_dict()
        .ok()?
        .get(b"N")
        .ok()?;
    let stream_ref = match normal {
        Object::Reference(id) if matches!(doc.get(*id), Some(Object::Stream(_))) => *id,
        other => {
            // A dictionary of states: the annotation's /AS picks one.
            let states = deref(doc, other)?.as_dict().ok()?;
            let state = dict.get(b"AS").ok()?.as_name().ok()?;
            match states.get(state).ok()? {
                Object::Reference(id) if matches!(doc.get(*id), Some(Object::Stream(_))) => *id,
                _ => return None,
            }
        }
    };
    Some((stream_ref, rect))
}

fn read_matrix(doc: &Doc<'_>, obj: &Object) -> Option<Matrix> {
    let arr = deref(doc, obj)?.as_array().ok()?;
    if arr.len() != 6 {
        return None;
    }
    let v: Vec<f64> = arr.iter().filter_map(|o| as_number(doc, o)).collect();
    let m: [f64; 6] = v.try_into().ok()?;
    m.iter().all(|x| x.is_finite()).then_some(Matrix(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn maps_onto_a4(effective: Rect, rotation: u16) {
        let p = placement(effective, rotation);
        let m = p.matrix.unwrap_or(Matrix::IDENTITY);
        let out = m.apply_rect(&effective);
        assert!(out.x0 >= -0.01 && out.y0 >= -0.01, "{out:?}");
        assert!(
            out.x1 <= A4_WIDTH_PT + 0.01 && out.y1 <= A4_HEIGHT_PT + 0.01,
            "{out:?}"
        );
        // fitted: touches both sides in at least one direction
        let fills_w = (out.width() - A4_WIDTH_PT).abs() < 0.05;
        let fills_h = (out.height() - A4_HEIGHT_PT).abs() < 0.05;
        assert!(fills_w || fills_h || p.matrix.is_none(), "{out:?}");
    }

    #[test]
    fn every_rotation_and_size_lands_on_a4() {
        for rot in [0, 90, 180, 270] {
            for r in [
                Rect::new(0.0, 0.0, 612.0, 792.0),
                Rect::new(0.0, 0.0, 842.0, 595.0),
                Rect::new(10.0, 20.0, 582.0, 752.0),
                Rect::new(-100.0, -50.0, 320.0, 545.0),
                Rect::new(0.0, 0.0, 841.89, 1190.55),
            ] {
                maps_onto_a4(r, rot);
            }
        }
    }

    #[test]
    fn q_balance_counts_unmatched_restores() {
        let mut doc = Doc::full(lopdf::Document::with_version("1.4"));
        let a = doc.add(Stream::new(
            Dictionary::new(),
            b"Q Q q 1 0 0 1 5 5 cm".to_vec(),
        ));
        let b = doc.add(Stream::new(Dictionary::new(), b"q (Q) Tj Q q".to_vec()));
        let bal = q_balance(&doc, &[a, b], 1 << 20);
        assert_eq!(
            bal,
            QBalance {
                deficit: 2,
                end_depth: 0
            }
        );
        let balanced = doc.add(Stream::new(Dictionary::new(), b"q Q".to_vec()));
        assert_eq!(q_balance(&doc, &[balanced], 1 << 20), QBalance::default());
    }

    #[test]
    fn a4_needs_no_transform() {
        assert!(placement(Rect::a4(), 0).matrix.is_none());
        assert!(
            placement(Rect::new(0.0, 0.0, 595.0, 842.0), 0)
                .matrix
                .is_none()
        );
        // A4 landscape rotated by 90 is displayed portrait but still needs the turn baked in.
        assert!(
            placement(Rect::new(0.0, 0.0, 842.0, 595.0), 90)
                .matrix
                .is_some()
        );
    }

    #[test]
    fn rotate_90_keeps_top_left_of_display_on_top_left() {
        // /Rotate 90 shows the original left edge at the top.
        let r = Rect::new(0.0, 0.0, 595.276, 841.89);
        // displayed landscape (841.89 wide) -> turned back: net rotation 0 — identity placement
        let p = placement(r, 90);
        assert!(p.matrix.is_none());
    }
}
