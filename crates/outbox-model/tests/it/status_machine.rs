//! The status state machine and the progress counts, over random transition sequences.

use chrono::Utc;
use outbox_model::*;
use proptest::prelude::*;

fn status_strategy() -> impl Strategy<Value = DeliveryStatus> {
    prop_oneof![
        Just(DeliveryStatus::Prepared),
        Just(DeliveryStatus::Queued),
        Just(DeliveryStatus::InProgress),
        Just(DeliveryStatus::Sent),
        Just(DeliveryStatus::Downloaded),
        any::<bool>().prop_map(|r| DeliveryStatus::failed("x", r)),
        Just(DeliveryStatus::Cancelled),
    ]
}

/// Forward rank of the happy path; a failure or cancellation is not on it.
fn rank(s: &DeliveryStatus) -> Option<u8> {
    match s {
        DeliveryStatus::Prepared => Some(0),
        DeliveryStatus::Queued => Some(1),
        DeliveryStatus::InProgress => Some(2),
        DeliveryStatus::Sent => Some(3),
        DeliveryStatus::Downloaded => Some(4),
        _ => None,
    }
}

#[test]
fn transition_table() {
    use DeliveryStatus as S;
    let retry = S::failed("451", true);
    let fatal = S::failed("550", false);
    let legal = [
        (S::Prepared, S::Queued),
        (S::Prepared, S::Cancelled),
        (S::Prepared, fatal.clone()),
        (S::Queued, S::InProgress),
        (S::Queued, S::Cancelled),
        (S::InProgress, S::Sent),
        (S::InProgress, retry.clone()),
        (S::InProgress, fatal.clone()),
        (S::Sent, S::Downloaded),
        (retry.clone(), S::Queued),
        (retry.clone(), S::Cancelled),
        (retry.clone(), fatal.clone()),
    ];
    for (a, b) in &legal {
        assert!(a.can_transition(b), "{a} -> {b} should be legal");
    }
    let illegal = [
        (S::Queued, S::Prepared),
        (S::InProgress, S::Queued),
        (S::InProgress, S::Cancelled),
        (S::Sent, S::InProgress),
        (S::Sent, fatal.clone()),
        (S::Downloaded, S::Sent),
        (S::Cancelled, S::Queued),
        (fatal.clone(), S::Queued),
        (S::Prepared, S::Sent),
        (S::Prepared, S::Prepared),
    ];
    for (a, b) in &illegal {
        let err = a.check_transition(b).expect_err("illegal");
        assert!(err.to_string().contains("cannot go from"), "{err}");
    }
}

proptest! {
    #[test]
    fn random_sequences_never_go_backwards(targets in proptest::collection::vec(status_strategy(), 0..40)) {
        let mut d = Delivery::new(DeliveryId(1), TenantId(1), ContactId(1), Route::Email, vec![DocumentId(1)], Utc::now(), "t");
        let mut highest = 0u8;
        for to in targets {
            let before = d.status.clone();
            let history_len = d.history.len();
            match d.transition(to.clone(), Utc::now(), "t") {
                Ok(_) => {
                    prop_assert!(!before.is_terminal(), "left terminal {before}");
                    prop_assert_eq!(&d.status, &to);
                    prop_assert_eq!(d.history.len(), history_len + 1);
                    if let Some(r) = rank(&to) {
                        // Only a retry (failed → queued) may re-enter an earlier rank.
                        let retry = matches!(before, DeliveryStatus::Failed { retryable: true, .. });
                        prop_assert!(r > highest || retry || highest == 0 && r == 0, "went backwards: {before} -> {to}");
                        if !retry { highest = highest.max(r); } else { highest = r; }
                    }
                }
                Err(e) => {
                    prop_assert_eq!(&d.status, &before, "status changed on a refused transition");
                    prop_assert_eq!(d.history.len(), history_len);
                    prop_assert_eq!(e.from, before.kind());
                }
            }
        }
        // The history replays legally.
        for w in d.history.windows(2) {
            prop_assert!(w[0].to.can_transition(&w[1].to));
            prop_assert_eq!(w[1].from.as_ref(), Some(&w[0].to));
        }
    }

    #[test]
    fn progress_counts_sum_to_total_and_add_up(a in proptest::collection::vec(status_strategy(), 0..50),
                                               b in proptest::collection::vec(status_strategy(), 0..50)) {
        let pa = Progress::from_statuses(&a);
        let pb = Progress::from_statuses(&b);
        for p in [pa, pb, pa + pb] {
            prop_assert_eq!(p.prepared + p.in_progress + p.failed + p.sent + p.downloaded, p.total);
        }
        let all: Vec<_> = a.iter().chain(&b).cloned().collect();
        prop_assert_eq!(Progress::from_statuses(&all), pa + pb);
        let cancelled = all.iter().filter(|s| **s == DeliveryStatus::Cancelled).count() as u64;
        prop_assert_eq!(pa.total + pb.total + cancelled, all.len() as u64);
        prop_assert_eq!([pa, pb].into_iter().sum::<Progress>(), pa + pb);
    }
}
