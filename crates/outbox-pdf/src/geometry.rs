//! Page geometry: points, millimetres, rectangles and affine matrices.

/// Width of an A4 page in PDF points (210 mm).
pub const A4_WIDTH_PT: f64 = 595.276;
/// Height of an A4 page in PDF points (297 mm).
pub const A4_HEIGHT_PT: f64 = 841.89;
/// Points per millimetre (72 / 25.4).
pub const PT_PER_MM: f64 = 72.0 / 25.4;
/// How far (in points) a page size may differ from A4 and still count as A4.
///
/// Producers round A4 to 595 × 842 pt; one point is a third of a millimetre.
pub const A4_TOLERANCE_PT: f64 = 1.0;

/// Converts millimetres to PDF points.
#[must_use]
pub fn mm_to_pt(mm: f64) -> f64 {
    mm * PT_PER_MM
}

/// Converts PDF points to millimetres.
#[must_use]
pub fn pt_to_mm(pt: f64) -> f64 {
    pt / PT_PER_MM
}

/// An axis-aligned rectangle in PDF points, normalised so that `x0 <= x1` and `y0 <= y1`.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Rect {
    /// Left edge.
    pub x0: f64,
    /// Bottom edge.
    pub y0: f64,
    /// Right edge.
    pub x1: f64,
    /// Top edge.
    pub y1: f64,
}

impl Rect {
    /// Builds a rectangle from two corners in any order.
    #[must_use]
    pub fn new(xa: f64, ya: f64, xb: f64, yb: f64) -> Self {
        Self {
            x0: xa.min(xb),
            y0: ya.min(yb),
            x1: xa.max(xb),
            y1: ya.max(yb),
        }
    }

    /// The A4 portrait page `[0 0 595.276 841.89]`.
    #[must_use]
    pub fn a4() -> Self {
        Self::new(0.0, 0.0, A4_WIDTH_PT, A4_HEIGHT_PT)
    }

    /// A rectangle given in millimetres measured from the top-left corner of an A4 page,
    /// as DIN 5008 states its zones (`left`, `top`, `right`, `bottom`).
    #[must_use]
    pub fn from_top_left_mm(left: f64, top: f64, right: f64, bottom: f64) -> Self {
        Self::new(
            mm_to_pt(left),
            A4_HEIGHT_PT - mm_to_pt(bottom),
            mm_to_pt(right),
            A4_HEIGHT_PT - mm_to_pt(top),
        )
    }

    /// Width in points.
    #[must_use]
    pub fn width(&self) -> f64 {
        self.x1 - self.x0
    }

    /// Height in points.
    #[must_use]
    pub fn height(&self) -> f64 {
        self.y1 - self.y0
    }

    /// The common part of two rectangles, if they overlap with a positive area.
    #[must_use]
    pub fn intersect(&self, other: &Rect) -> Option<Rect> {
        let r = Rect {
            x0: self.x0.max(other.x0),
            y0: self.y0.max(other.y0),
            x1: self.x1.min(other.x1),
            y1: self.y1.min(other.y1),
        };
        (r.x1 > r.x0 && r.y1 > r.y0).then_some(r)
    }

    /// Whether `self` (which may be a zero-width or zero-height hairline) reaches more than
    /// `slack` points into `zone`.
    #[must_use]
    pub fn overlaps(&self, zone: &Rect, slack: f64) -> bool {
        self.x1 > zone.x0 + slack
            && self.x0 < zone.x1 - slack
            && self.y1 > zone.y0 + slack
            && self.y0 < zone.y1 - slack
    }

    /// Whether `other` lies inside `self`, allowing `slack` points of overshoot.
    #[must_use]
    pub fn contains(&self, other: &Rect, slack: f64) -> bool {
        other.x0 >= self.x0 - slack
            && other.y0 >= self.y0 - slack
            && other.x1 <= self.x1 + slack
            && other.y1 <= self.y1 + slack
    }

    /// The smallest rectangle holding both.
    #[must_use]
    pub fn union(&self, other: &Rect) -> Rect {
        Rect {
            x0: self.x0.min(other.x0),
            y0: self.y0.min(other.y0),
            x1: self.x1.max(other.x1),
            y1: self.y1.max(other.y1),
        }
    }

    pub(crate) fn is_finite(&self) -> bool {
        self.x0.is_finite() && self.y0.is_finite() && self.x1.is_finite() && self.y1.is_finite()
    }
}

/// A PDF transformation matrix `[a b c d e f]`: `x' = a·x + c·y + e`, `y' = b·x + d·y + f`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Matrix(pub(crate) [f64; 6]);

impl Matrix {
    pub(crate) const IDENTITY: Matrix = Matrix([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);

    pub(crate) fn translate(x: f64, y: f64) -> Self {
        Matrix([1.0, 0.0, 0.0, 1.0, x, y])
    }

    /// `self` applied first, then `then` (PDF: `self × then`).
    pub(crate) fn then(&self, then: &Matrix) -> Matrix {
        let [a, b, c, d, e, f] = self.0;
        let [a2, b2, c2, d2, e2, f2] = then.0;
        Matrix([
            a * a2 + b * c2,
            a * b2 + b * d2,
            c * a2 + d * c2,
            c * b2 + d * d2,
            e * a2 + f * c2 + e2,
            e * b2 + f * d2 + f2,
        ])
    }

    pub(crate) fn apply(&self, x: f64, y: f64) -> (f64, f64) {
        let [a, b, c, d, e, f] = self.0;
        (a * x + c * y + e, b * x + d * y + f)
    }

    /// The bounding box of a rectangle after transformation.
    pub(crate) fn apply_rect(&self, r: &Rect) -> Rect {
        let corners = [
            self.apply(r.x0, r.y0),
            self.apply(r.x1, r.y0),
            self.apply(r.x0, r.y1),
            self.apply(r.x1, r.y1),
        ];
        let mut out = Rect::new(corners[0].0, corners[0].1, corners[0].0, corners[0].1);
        for (x, y) in &corners[1..] {
            out = out.union(&Rect::new(*x, *y, *x, *y));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mm_round_trip_and_a4() {
        assert!((mm_to_pt(210.0) - A4_WIDTH_PT).abs() < 0.01);
        assert!((mm_to_pt(297.0) - A4_HEIGHT_PT).abs() < 0.01);
        assert!((pt_to_mm(mm_to_pt(45.0)) - 45.0).abs() < 1e-9);
    }

    #[test]
    fn matrix_order_matches_pdf_concatenation() {
        // translate then scale: (1,1) -> (2,2) -> (4,4)
        let m = Matrix::translate(1.0, 1.0).then(&Matrix([2.0, 0.0, 0.0, 2.0, 0.0, 0.0]));
        assert_eq!(m.apply(1.0, 1.0), (4.0, 4.0));
    }

    #[test]
    fn zone_from_top_left() {
        let r = Rect::from_top_left_mm(20.0, 45.0, 105.0, 90.0);
        assert!((r.y1 - (A4_HEIGHT_PT - mm_to_pt(45.0))).abs() < 1e-9);
        assert!(r.height() > 0.0 && r.width() > 0.0);
    }
}
