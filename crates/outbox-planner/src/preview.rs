//! The figures the collector screen shows before anything is sent.

use std::fmt::Write as _;

use outbox_model::{Language, Route};

/// One value per route, indexed by [`Route::index`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct PerRoute<T>(pub [T; 4]);

impl<T: Copy> PerRoute<T> {
    /// The value for a route.
    pub fn get(&self, route: Route) -> T {
        self.0[route.index()]
    }

    /// `(route, value)` in display order.
    pub fn iter(&self) -> impl Iterator<Item = (Route, T)> + '_ {
        Route::ALL.into_iter().map(|r| (r, self.get(r)))
    }
}

impl<T> PerRoute<T> {
    pub(crate) fn slot(&mut self, route: Route) -> &mut T {
        &mut self.0[route.index()]
    }
}

impl PerRoute<u64> {
    /// The sum over all routes.
    pub fn total(&self) -> u64 {
        self.0.iter().sum()
    }
}

/// One row of the preview: the figures of sending either everything separately or as planned.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct PreviewRow {
    /// Recipients that get at least one delivery.
    pub recipients: u64,
    /// Recipients that get at least one delivery on each route.
    pub recipients_per_route: PerRoute<u64>,
    /// Deliveries per route.
    pub deliveries: PerRoute<u64>,
    /// The largest E-POST letter in pages, cover sheet included; 0 without E-POST letters.
    pub largest_letter_pages: u32,
    /// Total size of all deliveries in bytes.
    pub total_bytes: u64,
    /// Estimated E-POST cost in cents (net, surcharges included).
    pub epost_cost_cents: u64,
}

/// The collector preview: rows "separate" (every document on its own) and "combined" (as
/// planned), over the same deliverable items; planned failures are counted apart.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Preview {
    /// Every (document, recipient, route) item as its own delivery.
    pub separate: PreviewRow,
    /// The plan.
    pub combined: PreviewRow,
    /// Items that cannot be delivered.
    pub failures: u64,
}

impl Preview {
    /// What combining saves on E-POST against sending every document separately, in cents.
    /// Negative when combining costs more (a letter pushed into a dearer tier).
    pub fn epost_saving_cents(&self) -> i64 {
        let to_i64 = |c: u64| i64::try_from(c).unwrap_or(i64::MAX);
        to_i64(self.separate.epost_cost_cents) - to_i64(self.combined.epost_cost_cents)
    }

    /// The preview as a text table, as the collector screen shows it.
    pub fn render(&self, lang: Language) -> String {
        let head = [
            lang.pick("", ""),
            lang.pick("Empfänger", "Recipients"),
            Route::EpostLetter.label(lang),
            Route::Email.label(lang),
            Route::PortalShare.label(lang),
            Route::EmailShare.label(lang),
            lang.pick("größter Brief (S.)", "largest letter (p.)"),
            lang.pick("Größe (MB)", "size (MB)"),
            lang.pick("E-POST-Kosten", "E-POST cost"),
        ];
        let rows = [
            (lang.pick("einzeln", "separate"), &self.separate),
            (lang.pick("gebündelt", "combined"), &self.combined),
        ];
        let cells: Vec<[String; 9]> = rows
            .iter()
            .map(|(name, row)| {
                [
                    (*name).to_owned(),
                    row.recipients.to_string(),
                    row.deliveries.get(Route::EpostLetter).to_string(),
                    row.deliveries.get(Route::Email).to_string(),
                    row.deliveries.get(Route::PortalShare).to_string(),
                    row.deliveries.get(Route::EmailShare).to_string(),
                    row.largest_letter_pages.to_string(),
                    megabytes(row.total_bytes, lang),
                    euros(i128::from(row.epost_cost_cents), lang),
                ]
            })
            .collect();
        let widths: Vec<usize> = (0..head.len())
            .map(|c| {
                cells
                    .iter()
                    .map(|r| r[c].chars().count())
                    .chain([head[c].chars().count()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let row_text = |cols: &[&str]| -> String {
            cols.iter()
                .zip(&widths)
                .enumerate()
                .map(|(i, (s, w))| {
                    let pad = " ".repeat(w - s.chars().count());
                    // The row name is left-aligned, numbers right-aligned.
                    if i == 0 {
                        format!("{s}{pad}")
                    } else {
                        format!("{pad}{s}")
                    }
                })
                .collect::<Vec<_>>()
                .join(" | ")
        };
        let mut text = row_text(&head);
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        let _ = write!(text, "\n{}", rule.join("-+-"));
        for r in &cells {
            let cols: Vec<&str> = r.iter().map(String::as_str).collect();
            let _ = write!(text, "\n{}", row_text(&cols));
        }
        let _ = write!(
            text,
            "\n{}: {}",
            lang.pick("Ersparnis E-POST", "E-POST saving"),
            euros(i128::from(self.epost_saving_cents()), lang)
        );
        if self.failures > 0 {
            let _ = write!(
                text,
                "\n{}: {}",
                lang.pick("nicht zustellbar", "cannot be delivered"),
                self.failures
            );
        }
        text.push('\n');
        text
    }
}

fn euros(cents: i128, lang: Language) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    let sep = lang.pick(",", ".");
    format!("{sign}{}{sep}{:02} EUR", c / 100, c % 100)
}

fn megabytes(bytes: u64, lang: Language) -> String {
    let tenths = (bytes + 50_000) / 100_000;
    format!("{}{}{}", tenths / 10, lang.pick(",", "."), tenths % 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_and_sizes_are_formatted_per_language() {
        assert_eq!(euros(1234, Language::De), "12,34 EUR");
        assert_eq!(euros(-5, Language::En), "-0.05 EUR");
        assert_eq!(megabytes(2_349_999, Language::De), "2,3");
        assert_eq!(megabytes(2_350_000, Language::En), "2.4");
    }
}
