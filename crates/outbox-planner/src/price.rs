//! The E-POST price model: a tier table by sheets with four colour/duplex columns, a price per
//! extra sheet, and registered-mail surcharges. Money is integer euro cents, net.

use outbox_model::{EpostSettings, RegisteredMail};

use crate::PriceTableError;

/// One price per print mode, in cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PriceColumns {
    /// Black and white, one side per sheet.
    pub bw_simplex: u32,
    /// Black and white, both sides.
    pub bw_duplex: u32,
    /// Colour, one side per sheet.
    pub color_simplex: u32,
    /// Colour, both sides.
    pub color_duplex: u32,
}

impl PriceColumns {
    /// The price for a print mode.
    pub fn get(&self, color: bool, duplex: bool) -> u32 {
        match (color, duplex) {
            (false, false) => self.bw_simplex,
            (false, true) => self.bw_duplex,
            (true, false) => self.color_simplex,
            (true, true) => self.color_duplex,
        }
    }
}

/// A price tier: letters of up to `max_sheets` sheets cost `prices`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PriceTier {
    /// Name shown to users ("Standard", "Kompakt", "Groß").
    pub name: String,
    /// Most sheets (cover sheet included) a letter of this tier may have.
    pub max_sheets: u32,
    /// Price of a letter of this tier.
    pub prices: PriceColumns,
}

/// Letter prices by sheets.
///
/// A letter of `s` sheets costs the price of the first tier whose `max_sheets >= s`; beyond the
/// last tier it costs the last tier's price plus `extra_sheet` for each sheet over its limit.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PriceTable {
    tiers: Vec<PriceTier>,
    extra_sheet: PriceColumns,
}

impl PriceTable {
    /// A table from tiers ordered by ascending `max_sheets` (each at least 1) and the price of
    /// each sheet beyond the last tier.
    pub fn new(tiers: Vec<PriceTier>, extra_sheet: PriceColumns) -> Result<Self, PriceTableError> {
        if tiers.is_empty() {
            return Err(PriceTableError::NoTiers);
        }
        let mut previous = 0;
        for (i, tier) in tiers.iter().enumerate() {
            if tier.max_sheets <= previous {
                return Err(PriceTableError::TiersNotAscending { tier: i });
            }
            previous = tier.max_sheets;
        }
        Ok(Self { tiers, extra_sheet })
    }

    /// The public E-POST list valid from 2025-01-01, net, tariff "Basis": Standard (1 sheet),
    /// Kompakt (4 sheets), Groß (10 sheets), then a price per extra sheet.
    pub fn epost_2025() -> Self {
        let tier = |name: &str, max_sheets, p: [u32; 4]| PriceTier {
            name: name.to_owned(),
            max_sheets,
            prices: PriceColumns {
                bw_simplex: p[0],
                bw_duplex: p[1],
                color_simplex: p[2],
                color_duplex: p[3],
            },
        };
        Self {
            tiers: vec![
                tier("Standard", 1, [80, 81, 83, 90]),
                tier("Kompakt", 4, [112, 116, 124, 152]),
                tier("Groß", 10, [195, 205, 225, 295]),
            ],
            extra_sheet: PriceColumns {
                bw_simplex: 4,
                bw_duplex: 5,
                color_simplex: 7,
                color_duplex: 14,
            },
        }
    }

    /// The tiers, ascending.
    pub fn tiers(&self) -> &[PriceTier] {
        &self.tiers
    }

    /// The price of each sheet beyond the last tier.
    pub fn extra_sheet(&self) -> PriceColumns {
        self.extra_sheet
    }

    /// The postage and print price of one letter of `sheets` sheets, without surcharges.
    pub fn letter_cents(&self, sheets: u32, color: bool, duplex: bool) -> u64 {
        if let Some(tier) = self.tiers.iter().find(|t| t.max_sheets >= sheets) {
            return u64::from(tier.prices.get(color, duplex));
        }
        // `new` refuses an empty table, so there is a last tier.
        let Some(last) = self.tiers.last() else {
            return 0;
        };
        let extra = u64::from(sheets - last.max_sheets);
        u64::from(last.prices.get(color, duplex))
            + extra * u64::from(self.extra_sheet.get(color, duplex))
    }
}

impl Default for PriceTable {
    fn default() -> Self {
        Self::epost_2025()
    }
}

/// Registered-mail surcharges per letter, in cents.
///
/// The E-POST list does not contain them (Deutsche Post charges its single-letter surcharges);
/// the defaults are assumptions to be checked against the customer's contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RegisteredSurcharges {
    /// "Einwurf-Einschreiben" (assumed 2.35 EUR).
    pub einwurf_einschreiben: u32,
    /// "Einschreiben" (assumed 2.65 EUR).
    pub einschreiben: u32,
    /// "Einschreiben Rückschein" (assumed 5.30 EUR).
    pub einschreiben_rueckschein: u32,
}

impl RegisteredSurcharges {
    /// The surcharge for one letter with this option; 0 for an ordinary letter.
    pub fn get(&self, registered: RegisteredMail) -> u32 {
        match registered {
            RegisteredMail::None => 0,
            RegisteredMail::EinwurfEinschreiben => self.einwurf_einschreiben,
            RegisteredMail::Einschreiben => self.einschreiben,
            RegisteredMail::EinschreibenRueckschein => self.einschreiben_rueckschein,
        }
    }
}

impl Default for RegisteredSurcharges {
    fn default() -> Self {
        Self {
            einwurf_einschreiben: 235,
            einschreiben: 265,
            einschreiben_rueckschein: 530,
        }
    }
}

/// Everything that prices an E-POST letter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct CostModel {
    /// Letter prices by sheets.
    pub prices: PriceTable,
    /// Registered-mail surcharges.
    pub registered: RegisteredSurcharges,
}

impl CostModel {
    /// The estimated price of one letter: tier price by sheets plus the registered surcharge.
    pub fn letter_cents(&self, sheets: u32, epost: &EpostSettings) -> u64 {
        self.prices.letter_cents(sheets, epost.color, epost.duplex)
            + u64::from(self.registered.get(epost.registered))
    }
}

/// Pages and sheets of an E-POST letter whose documents have `body_pages` pages together.
///
/// The cover sheet, when on, is one page and a sheet of its own: it carries the address zone on
/// its front and nothing on its back, so even in duplex the first document page starts on a new
/// sheet. Documents are printed back to back without blank pages between them, so in duplex the
/// body takes `ceil(body_pages / 2)` sheets. Returns `(pages, sheets)`.
pub fn letter_pages_and_sheets(body_pages: u32, epost: &EpostSettings) -> (u32, u32) {
    let cover = u32::from(epost.cover_sheet);
    let body_sheets = if epost.duplex {
        body_pages.div_ceil(2)
    } else {
        body_pages
    };
    (
        body_pages.saturating_add(cover),
        body_sheets.saturating_add(cover),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_by_sheets_in_every_column() {
        let t = PriceTable::epost_2025();
        assert_eq!(t.letter_cents(1, false, false), 80);
        assert_eq!(t.letter_cents(2, false, false), 112);
        assert_eq!(t.letter_cents(4, true, true), 152);
        assert_eq!(t.letter_cents(5, false, true), 205);
        assert_eq!(t.letter_cents(10, true, false), 225);
        assert_eq!(t.letter_cents(11, false, false), 195 + 4);
        assert_eq!(t.letter_cents(94, true, true), 295 + 84 * 14);
    }

    #[test]
    fn malformed_tables_are_refused() {
        let cols = PriceColumns {
            bw_simplex: 1,
            bw_duplex: 1,
            color_simplex: 1,
            color_duplex: 1,
        };
        assert_eq!(PriceTable::new(vec![], cols), Err(PriceTableError::NoTiers));
        let tier = |max_sheets| PriceTier {
            name: "x".into(),
            max_sheets,
            prices: cols,
        };
        assert_eq!(
            PriceTable::new(vec![tier(2), tier(2)], cols),
            Err(PriceTableError::TiersNotAscending { tier: 1 })
        );
        assert_eq!(
            PriceTable::new(vec![tier(0)], cols),
            Err(PriceTableError::TiersNotAscending { tier: 0 })
        );
        assert!(PriceTable::new(vec![tier(1), tier(3)], cols).is_ok());
    }

    #[test]
    fn cover_sheet_is_its_own_sheet_even_in_duplex() {
        let mut s = EpostSettings::default();
        assert_eq!(letter_pages_and_sheets(3, &s), (4, 4));
        s.duplex = true;
        assert_eq!(letter_pages_and_sheets(3, &s), (4, 3));
        assert_eq!(letter_pages_and_sheets(4, &s), (5, 3));
        s.cover_sheet = false;
        assert_eq!(letter_pages_and_sheets(3, &s), (3, 2));
        s.duplex = false;
        assert_eq!(letter_pages_and_sheets(3, &s), (3, 3));
    }

    #[test]
    fn registered_surcharge_is_added_once_per_letter() {
        let m = CostModel::default();
        let s = EpostSettings {
            registered: RegisteredMail::Einschreiben,
            ..EpostSettings::default()
        };
        assert_eq!(m.letter_cents(2, &s), 112 + 265);
    }
}
