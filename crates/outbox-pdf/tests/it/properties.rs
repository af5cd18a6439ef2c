//! Invariants of normalisation over generated page geometries.

use crate::common;

use common::{PageSpec, build_pdf};
use outbox_pdf::{inspect, normalise, page_marks};
use proptest::prelude::*;

fn page_spec() -> impl Strategy<Value = PageSpec> {
    (
        50.0f64..2000.0,
        50.0f64..2000.0,
        -8i64..=12,
        proptest::option::of((0.0f64..0.3, 0.0f64..0.3, 0.7f64..1.0, 0.7f64..1.0)),
        any::<bool>(),
        -200.0f64..200.0,
    )
        .prop_map(|(w, h, quarter, crop, inherit, origin)| {
            let mut spec = PageSpec::sized(w, h).rotated(quarter * 90);
            spec.media_box = [origin, origin, origin + w, origin + h];
            if let Some((a, b, c, d)) = crop {
                spec = spec.cropped([
                    origin + a * w,
                    origin + b * h,
                    origin + c * w,
                    origin + d * h,
                ]);
            }
            if inherit { spec.inherited() } else { spec }
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Every page becomes A4 portrait with its content on the page, and normalising the
    /// result again changes no geometry and moves no mark.
    #[test]
    fn normalise_is_idempotent_and_keeps_content_on_the_page(specs in proptest::collection::vec(page_spec(), 1..5)) {
        let pdf = build_pdf(&specs);
        let once = normalise(&pdf).unwrap();
        prop_assert_eq!(once.pages, specs.len());
        let info = inspect(&once.pdf).unwrap();
        prop_assert!(info.is_all_a4_portrait());
        let twice = normalise(&once.pdf).unwrap();
        let info2 = inspect(&twice.pdf).unwrap();
        prop_assert_eq!(
            info.pages.iter().map(|p| (p.media_box, p.effective_box, p.rotation)).collect::<Vec<_>>(),
            info2.pages.iter().map(|p| (p.media_box, p.effective_box, p.rotation)).collect::<Vec<_>>()
        );
        prop_assert!(twice.warnings.is_empty());
        for page in 1..=specs.len() {
            let a = page_marks(&once.pdf, page).unwrap();
            let b = page_marks(&twice.pdf, page).unwrap();
            prop_assert_eq!(&a, &b);
            for m in &a {
                prop_assert!(outbox_pdf::Rect::a4().contains(&m.rect, 0.5), "{:?} off the page", m);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Damaged input (truncated, bytes overwritten) never panics: every call returns.
    #[test]
    fn damaged_input_never_panics(cut in 0.0f64..1.0, flips in proptest::collection::vec((0.0f64..1.0, any::<u8>()), 0..16)) {
        let mut pdf = common::mixed_pdf(6);
        for (at, byte) in flips {
            let i = ((pdf.len() - 1) as f64 * at) as usize;
            pdf[i] = byte;
        }
        pdf.truncate(((pdf.len() as f64) * cut).max(8.0) as usize);
        let _ = inspect(&pdf);
        let _ = normalise(&pdf);
        let _ = outbox_pdf::check_epost(&pdf);
        let _ = page_marks(&pdf, 1);
    }
}
