//! Planner throughput against the least work any grouping needs.
//!
//! Run with `cargo bench -p outbox --bench planner`. Group `plan`:
//! - `planner/<n>`: the full plan (validation, packed keys, radix sort, grouping, figures, cost,
//!   preview) of a realistic collector with `n` (document, recipient, route) items;
//! - `baseline_sort_group/<n>`: on the same input, only copy the items into a vector of
//!   (recipient, route, document position), `sort_unstable` it and count the
//!   (recipient, route) groups.
//!
//! The input ([`outbox_planner::synthetic::realistic_input`]): associations of 8–80 owners,
//! three documents per association for all its owners, one or two routes per owner, a tenth of
//! the documents not bundled, mixed print/mail/share settings.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use outbox_planner::synthetic::realistic_input;
use outbox_planner::{PlanInput, Planner};

fn baseline_sort_group(input: &PlanInput) -> usize {
    let mut v: Vec<(u32, u8, u32)> = input
        .items()
        .iter()
        .map(|i| (i.recipient.0, i.route.index() as u8, i.document.0))
        .collect();
    v.sort_unstable();
    let mut groups = 0;
    let mut last = None;
    for &(r, t, _) in &v {
        if last != Some((r, t)) {
            groups += 1;
            last = Some((r, t));
        }
    }
    groups
}

fn plan(c: &mut Criterion) {
    let planner = Planner::default();
    let mut group = c.benchmark_group("plan");
    for n in [10_000usize, 100_000, 1_000_000] {
        let input = realistic_input(n, 42).expect("the synthetic input is well-formed");
        group.throughput(Throughput::Elements(n as u64));
        if n >= 1_000_000 {
            group.sample_size(30);
            group.measurement_time(Duration::from_secs(8));
        }
        group.bench_with_input(BenchmarkId::new("planner", n), &input, |b, input| {
            b.iter(|| planner.plan(black_box(input)).expect("plannable"))
        });
        group.bench_with_input(
            BenchmarkId::new("baseline_sort_group", n),
            &input,
            |b, input| b.iter(|| baseline_sort_group(black_box(input))),
        );
    }
    group.finish();
}

criterion_group!(benches, plan);
criterion_main!(benches);
