//! Plans a large synthetic collector and prints timings and sizes, for sizing and for measuring
//! peak memory with `/usr/bin/time -v`.
//!
//! Run with `cargo run --release -p outbox-planner --example plan_large -- 1000000`.
//! Add `--input-only` to build the input without planning, or `--plan-once` to plan once without
//! the baseline, to tell the input's memory from the planner's.

use std::time::Instant;

use outbox_planner::Planner;
use outbox_planner::synthetic::realistic_input;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let items: usize = args.next().as_deref().unwrap_or("1000000").parse()?;
    let mode = args.next().unwrap_or_default();

    let t = Instant::now();
    let input = realistic_input(items, 42)?;
    println!(
        "input: {} items, {} documents, {} recipients, built in {:?}",
        input.items().len(),
        input.documents().len(),
        input.recipients().len(),
        t.elapsed()
    );
    if mode == "--input-only" {
        return Ok(());
    }
    let planner = Planner::default();
    if mode == "--plan-once" {
        let t = Instant::now();
        let plan = planner.plan(&input)?;
        println!(
            "plan: {} deliveries in {:?}, plan heap {:.1} MB",
            plan.len(),
            t.elapsed(),
            plan.heap_bytes() as f64 / 1e6
        );
        return Ok(());
    }

    let mut best = f64::MAX;
    let mut plan = planner.plan(&input)?;
    for _ in 0..5 {
        let t = Instant::now();
        plan = planner.plan(&input)?;
        best = best.min(t.elapsed().as_secs_f64());
    }
    // The least work any grouping needs: copy, sort, count groups (as the criterion baseline).
    let mut base = f64::MAX;
    let mut groups = 0;
    for _ in 0..5 {
        let t = Instant::now();
        let mut v: Vec<(u32, u8, u32)> = input
            .items()
            .iter()
            .map(|i| (i.recipient.0, i.route.index() as u8, i.document.0))
            .collect();
        v.sort_unstable();
        groups = v.chunk_by(|a, b| (a.0, a.1) == (b.0, b.1)).count();
        base = base.min(t.elapsed().as_secs_f64());
    }
    println!(
        "baseline sort+group: {groups} groups, best of 5: {:.1} ms; planner/baseline = {:.2}",
        base * 1e3,
        best / base
    );
    let p = plan.preview();
    println!(
        "plan: {} deliveries, {} failures, best of 5: {:.1} ms, plan heap {:.1} MB",
        plan.len(),
        plan.failures().len(),
        best * 1e3,
        plan.heap_bytes() as f64 / 1e6
    );
    println!(
        "separate {:?} -> combined {:?} deliveries; E-POST saving {} cents",
        p.separate.deliveries.0,
        p.combined.deliveries.0,
        p.epost_saving_cents()
    );
    Ok(())
}
