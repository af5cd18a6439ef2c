//! Conformance test kit: the checks every [`Channel`] must pass (cargo feature `testkit`).
//!
//! A route crate implements [`Fixture`] for its channel (wired to a local fake or server) and
//! calls [`run`] from a test:
//!
//! ```text
//! #[tokio::test]
//! async fn conformance() {
//!     let fixture = MyFixture::start().await;
//!     outbox_channel::testkit::run(&fixture).await.assert_passed();
//! }
//! ```

use std::sync::Arc;

use async_trait::async_trait;
use outbox_model::{DeliveryId, DeliveryStatus, ReadinessProblem};

use crate::{Channel, ErrorKind, OutgoingDelivery, PollRequest, Receipt};

/// What the kit needs from a route crate.
#[async_trait]
pub trait Fixture: Send + Sync {
    /// The channel under test.
    fn channel(&self) -> Arc<dyn Channel>;

    /// A delivery that is ready to send, with the given id. Each id is used once by the kit,
    /// except where it checks idempotency.
    fn ready_delivery(&self, id: DeliveryId) -> OutgoingDelivery;

    /// A delivery the channel must refuse in `check`. The default removes the recipient's
    /// postal address, e-mail address and portal account.
    fn unready_delivery(&self, id: DeliveryId) -> OutgoingDelivery {
        let mut d = self.ready_delivery(id);
        d.recipient.address = None;
        d.recipient.email = None;
        d.recipient.portal_account = None;
        d
    }

    /// Makes the provider move the delivery on (advance a fake clock, simulate the recipient's
    /// download). Returns whether a poll must now report a change. Only called for channels with
    /// `tracking`.
    async fn advance(&self, _delivery: &OutgoingDelivery, _receipt: &Receipt) -> bool {
        false
    }

    /// The first delivery id the kit uses; ids count up from it. Change it when several kit runs
    /// share one provider.
    fn first_id(&self) -> u64 {
        9_000_000
    }
}

/// The outcome of one check.
#[derive(Debug, Clone)]
pub struct CheckResult {
    /// Name of the check.
    pub name: &'static str,
    /// `Err` with what went wrong.
    pub outcome: Result<(), String>,
}

/// The outcome of a conformance run.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Every check that ran, in order.
    pub checks: Vec<CheckResult>,
}

impl Report {
    /// The failed checks.
    pub fn failures(&self) -> Vec<&CheckResult> {
        self.checks.iter().filter(|c| c.outcome.is_err()).collect()
    }

    /// Panics with every failure listed, for use in tests.
    pub fn assert_passed(&self) {
        let failures = self.failures();
        assert!(!self.checks.is_empty(), "the conformance kit ran no checks");
        if !failures.is_empty() {
            let lines: Vec<String> = failures
                .iter()
                .map(|c| format!("  - {}: {}", c.name, c.outcome.as_ref().unwrap_err()))
                .collect();
            panic!(
                "{} of {} conformance checks failed:\n{}",
                failures.len(),
                self.checks.len(),
                lines.join("\n")
            );
        }
    }

    fn record(&mut self, name: &'static str, outcome: Result<(), String>) {
        self.checks.push(CheckResult { name, outcome });
    }
}

fn ensure(cond: bool, msg: impl FnOnce() -> String) -> Result<(), String> {
    if cond { Ok(()) } else { Err(msg()) }
}

/// Whether a receipt's status is a plausible result of sending (reached from `InProgress`).
fn receipt_status_ok(r: &Receipt) -> Result<(), String> {
    ensure(
        r.status == DeliveryStatus::InProgress
            || DeliveryStatus::InProgress.can_transition(&r.status)
                && r.status == DeliveryStatus::Sent,
        || {
            format!(
                "receipt status must be InProgress or Sent, got {}",
                r.status
            )
        },
    )?;
    ensure(!r.provider_reference.trim().is_empty(), || {
        "receipt has an empty provider reference".into()
    })
}

/// Runs every check that applies to the fixture's channel.
pub async fn run(fixture: &dyn Fixture) -> Report {
    let ch = fixture.channel();
    let caps = ch.capabilities();
    let mut report = Report::default();
    let mut next = fixture.first_id();
    let mut id = || {
        next += 1;
        DeliveryId(next)
    };

    report.record(
        "capabilities_match_route",
        ensure(caps.route == ch.route(), || {
            format!(
                "capabilities are for {:?} but the channel serves {:?}",
                caps.route,
                ch.route()
            )
        }),
    );

    let ready = fixture.ready_delivery(id());
    let problems = ch.check(&ready).await;
    report.record(
        "ready_delivery_passes_check",
        ensure(problems.is_empty(), || {
            format!("check found problems: {problems:?}")
        }),
    );

    let unready = fixture.unready_delivery(id());
    let problems = ch.check(&unready).await;
    report.record(
        "unready_delivery_fails_check",
        ensure(!problems.is_empty(), || {
            "check found nothing wrong with an unready delivery".into()
        }),
    );

    let receipt = match ch.send(&ready).await {
        Ok(r) => {
            report.record("send_gives_receipt", receipt_status_ok(&r));
            Some(r)
        }
        Err(e) => {
            report.record("send_gives_receipt", Err(format!("send failed: {e}")));
            None
        }
    };

    let other = fixture.ready_delivery(id());
    match (ch.send(&other).await, &receipt) {
        (Ok(r2), Some(r1)) => report.record(
            "distinct_deliveries_get_distinct_references",
            ensure(r1.provider_reference != r2.provider_reference, || {
                format!("two deliveries share reference {}", r1.provider_reference)
            }),
        ),
        (Err(e), _) => report.record(
            "distinct_deliveries_get_distinct_references",
            Err(format!("second send failed: {e}")),
        ),
        (Ok(_), None) => {}
    }

    if let (true, Some(r1)) = (caps.reconcile, &receipt) {
        let found = ch.reconcile(ready.tenant, ready.id).await;
        report.record(
            "reconcile_finds_sent_delivery",
            match found {
                Ok(Some(r)) => ensure(r.provider_reference == r1.provider_reference, || {
                    format!(
                        "reconcile found {} but send returned {}",
                        r.provider_reference, r1.provider_reference
                    )
                }),
                Ok(None) => Err("reconcile did not find a delivery that was sent".into()),
                Err(e) => Err(format!("reconcile failed: {e}")),
            },
        );
        let never = id();
        report.record(
            "reconcile_unknown_is_none",
            match ch.reconcile(ready.tenant, never).await {
                Ok(None) => Ok(()),
                Ok(Some(r)) => Err(format!(
                    "reconcile found a never-sent delivery: {}",
                    r.provider_reference
                )),
                Err(e) => Err(format!("reconcile failed: {e}")),
            },
        );
    }

    if let (true, Some(r1)) = (caps.idempotent_send, &receipt) {
        report.record(
            "resend_is_idempotent",
            match ch.send(&ready).await {
                Ok(r) => ensure(r.provider_reference == r1.provider_reference, || {
                    format!(
                        "resend created {} instead of returning {}",
                        r.provider_reference, r1.provider_reference
                    )
                }),
                Err(e) => Err(format!("resend failed: {e}")),
            },
        );
    }

    report.record(
        "poll_nothing_is_nothing",
        match ch.poll(&[]).await {
            Ok(v) => ensure(v.is_empty(), || {
                format!("poll of nothing returned {} updates", v.len())
            }),
            Err(e) => Err(format!("poll of nothing failed: {e}")),
        },
    );

    if let (true, Some(r1)) = (caps.tracking, &receipt) {
        let must_change = fixture.advance(&ready, r1).await;
        let req = PollRequest {
            tenant: ready.tenant,
            delivery: ready.id,
            provider_reference: r1.provider_reference.clone(),
            status: r1.status.clone(),
        };
        report.record(
            "poll_reports_forward_progress",
            match ch.poll(std::slice::from_ref(&req)).await {
                Ok(updates) => (|| {
                    for u in &updates {
                        ensure(u.delivery == ready.id, || {
                            format!("update for unrequested delivery {}", u.delivery)
                        })?;
                        ensure(
                            u.status == r1.status || r1.status.can_transition(&u.status),
                            || {
                                format!(
                                    "poll moved {} to {}, which the state machine forbids",
                                    r1.status, u.status
                                )
                            },
                        )?;
                    }
                    ensure(
                        !must_change
                            || updates
                                .iter()
                                .any(|u| u.status != r1.status || !u.downloads.is_empty()),
                        || "the fixture advanced the provider but poll reported nothing new".into(),
                    )
                })(),
                Err(e) => Err(format!("poll failed: {e}")),
            },
        );
    }

    if let Some(max) = caps.max_bytes.filter(|m| *m <= 64 * 1024 * 1024) {
        let mut big = fixture.ready_delivery(id());
        let missing = (max + 1).saturating_sub(big.total_bytes());
        if let Some(first) = big.documents.first_mut() {
            let mut padded = first.bytes.to_vec();
            padded.resize(padded.len() + missing as usize, b'\n');
            first.bytes = padded.into();
        }
        report.record("over_size_limit_refused", refused(&*ch, &big).await);
    }

    if let Some(max) = caps.max_documents.filter(|m| *m <= 1000) {
        let mut many = fixture.ready_delivery(id());
        if let Some(first) = many.documents.first().cloned() {
            while many.documents.len() <= max as usize {
                many.documents.push(first.clone());
            }
        }
        report.record("over_document_limit_refused", refused(&*ch, &many).await);
    }

    report
}

/// Over a limit, `check` must report it or `send` must fail permanently without sending.
async fn refused(ch: &dyn Channel, d: &OutgoingDelivery) -> Result<(), String> {
    let problems = ch.check(d).await;
    if problems
        .iter()
        .any(|p| matches!(p, ReadinessProblem::OverLimit { .. }))
    {
        return Ok(());
    }
    match ch.send(d).await {
        Err(e) if e.kind() == ErrorKind::Permanent => Ok(()),
        Err(e) => Err(format!(
            "over the limit, send failed as {} instead of permanent: {e}",
            e.kind()
        )),
        Ok(r) => Err(format!(
            "over the limit, but check passed and send succeeded ({})",
            r.provider_reference
        )),
    }
}
