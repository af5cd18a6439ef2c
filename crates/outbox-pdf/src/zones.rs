//! DIN 5008 (Form B) and E-POST zones of the first page, in millimetres from the top-left
//! corner of the A4 sheet, and as PDF rectangles.

use crate::geometry::Rect;

/// Left edge of the address field / envelope window.
pub const WINDOW_LEFT_MM: f64 = 20.0;
/// Right edge of the address field (20 mm + 85 mm).
pub const WINDOW_RIGHT_MM: f64 = 105.0;
/// Top of the address field (Form B).
pub const WINDOW_TOP_MM: f64 = 45.0;
/// Bottom of the address field.
pub const WINDOW_BOTTOM_MM: f64 = 90.0;
/// E-POST: the return address must lie between 45 mm and this line (at most 8 mm high).
pub const SENDER_BOTTOM_MM: f64 = 53.0;
/// E-POST: the franking zone (53–66 mm) must stay empty; the recipient starts below it.
pub const FRANKING_BOTTOM_MM: f64 = 66.0;
/// E-POST: the left strip of every page the provider keeps free.
pub const LEFT_STRIP_MM: f64 = 12.0;
/// Unprinted border on every edge of the cover sheet.
pub const BORDER_MM: f64 = 2.0;
/// DIN 5008 Form B fold marks.
pub const FOLD_MARKS_MM: [f64; 2] = [105.0, 210.0];
/// DIN 5008 hole (punch) mark.
pub const HOLE_MARK_MM: f64 = 148.5;
/// DIN 5008 alignment line ("Fluchtlinie") where text in the address field starts.
pub const TEXT_LEFT_MM: f64 = 25.0;

/// The address field that shows through the DL envelope window.
#[must_use]
pub fn address_window() -> Rect {
    Rect::from_top_left_mm(
        WINDOW_LEFT_MM,
        WINDOW_TOP_MM,
        WINDOW_RIGHT_MM,
        WINDOW_BOTTOM_MM,
    )
}

/// Where the sender's return line goes (45–53 mm).
#[must_use]
pub fn sender_zone() -> Rect {
    Rect::from_top_left_mm(
        WINDOW_LEFT_MM,
        WINDOW_TOP_MM,
        WINDOW_RIGHT_MM,
        SENDER_BOTTOM_MM,
    )
}

/// The franking zone (53–66 mm) that E-POST prints on; must be empty.
#[must_use]
pub fn franking_zone() -> Rect {
    Rect::from_top_left_mm(
        WINDOW_LEFT_MM,
        SENDER_BOTTOM_MM,
        WINDOW_RIGHT_MM,
        FRANKING_BOTTOM_MM,
    )
}

/// Where the recipient address goes (66–90 mm).
#[must_use]
pub fn recipient_zone() -> Rect {
    Rect::from_top_left_mm(
        WINDOW_LEFT_MM,
        FRANKING_BOTTOM_MM,
        WINDOW_RIGHT_MM,
        WINDOW_BOTTOM_MM,
    )
}

/// The left 12 mm strip the provider keeps free.
#[must_use]
pub fn left_strip() -> Rect {
    Rect::from_top_left_mm(0.0, 0.0, LEFT_STRIP_MM, 297.0)
}

/// The printable area inside the [`BORDER_MM`] border.
#[must_use]
pub fn inside_border() -> Rect {
    Rect::from_top_left_mm(BORDER_MM, BORDER_MM, 210.0 - BORDER_MM, 297.0 - BORDER_MM)
}
