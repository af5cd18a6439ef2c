//! Status: the mapping of `statusID` 1/2/3/4/99, registered-mail tracking, and polling the
//! fake over HTTP as its clock moves.

use crate::common;

use std::time::Duration;

use chrono::Utc;
use outbox_channel::{Channel, PollRequest, Receipt, StatusUpdate};
use outbox_epost::fake::Fault99;
use outbox_epost::status::{LetterState, map_status, tracking_is_final};
use outbox_epost::{ApiError, EpostChannel, LetterStatus};
use outbox_model::{DeliveryStatus, Language, RegisteredMail};

fn st(id: i32) -> LetterStatus {
    LetterStatus {
        letter_id: 100,
        status_id: id,
        ..LetterStatus::default()
    }
}

fn err(code: &str, level: &str) -> ApiError {
    ApiError {
        level: level.into(),
        code: code.into(),
        description: format!("{code}: Details"),
        date: Some("2027-03-01T10:00:00.000".into()),
    }
}

#[test]
fn status_ids_map_to_delivery_statuses() {
    let now = Utc::now();
    let cur = DeliveryStatus::InProgress;
    for id in [1, 2, 3] {
        assert_eq!(map_status(&cur, &st(id), Language::En, now).status, cur);
    }
    let mut posted = st(4);
    posted.print_feedback_date = Some("2027-03-02T08:15:00.123".into());
    let m = map_status(&cur, &posted, Language::En, now);
    assert_eq!(m.status, DeliveryStatus::Sent);
    assert_eq!(m.at.to_rfc3339(), "2027-03-02T07:15:00.123+00:00");
    assert_eq!(m.state, LetterState::Posted);
}

#[test]
fn status_99_turns_the_error_list_into_reasons() {
    let mut failed = st(99);
    failed.error_list = Some(vec![
        err("I101", "Info"),
        err("W203", "Warning"),
        err("E302", "Error"),
        err("E333", "Error"),
    ]);
    let m = map_status(
        &DeliveryStatus::InProgress,
        &failed,
        Language::En,
        Utc::now(),
    );
    let DeliveryStatus::Failed { reason, retryable } = &m.status else {
        panic!("{:?}", m.status)
    };
    assert!(!retryable);
    assert!(
        reason.contains("E302") && reason.contains("E333"),
        "{reason}"
    );
    assert!(
        !reason.contains("W203") && !reason.contains("I101"),
        "{reason}"
    );
    assert!(reason.contains("franking"), "{reason}");
    assert_eq!(m.at.to_rfc3339(), "2027-03-01T09:00:00+00:00");

    let de = map_status(
        &DeliveryStatus::InProgress,
        &failed,
        Language::De,
        Utc::now(),
    );
    let DeliveryStatus::Failed { reason, .. } = de.status else {
        panic!()
    };
    assert!(reason.contains("Frankierung"), "{reason}");

    // Only transient provider trouble: sending again may work.
    let mut transient = st(99);
    transient.error_list = Some(vec![err("E315", "Error")]);
    let m = map_status(
        &DeliveryStatus::InProgress,
        &transient,
        Language::En,
        Utc::now(),
    );
    assert!(matches!(
        m.status,
        DeliveryStatus::Failed {
            retryable: true,
            ..
        }
    ));

    // No reasons at all still gives a reason.
    let m = map_status(
        &DeliveryStatus::InProgress,
        &st(99),
        Language::En,
        Utc::now(),
    );
    let DeliveryStatus::Failed { reason, .. } = m.status else {
        panic!()
    };
    assert!(reason.contains("without a reason"), "{reason}");
}

#[test]
fn unknown_status_ids_keep_the_status_with_a_note() {
    let m = map_status(
        &DeliveryStatus::InProgress,
        &st(7),
        Language::En,
        Utc::now(),
    );
    assert_eq!(m.state, LetterState::Unknown(7));
    assert_eq!(m.status, DeliveryStatus::InProgress);
    assert!(m.note.unwrap().contains("unknown status id 7"));
}

#[test]
fn mapping_never_breaks_the_state_machine() {
    // A late 99 after Sent cannot move the delivery back.
    let m = map_status(&DeliveryStatus::Sent, &st(99), Language::En, Utc::now());
    assert_eq!(m.status, DeliveryStatus::Sent);
    assert!(m.note.unwrap().contains("kept"));
    // Confirmed registered mail seen first while in progress: Sent now, Downloaded later.
    let mut delivered = st(4);
    delivered.registered_letter_id = Some("RR123456789DE".into());
    delivered.registered_letter_status = Some("DELIVERED".into());
    let m = map_status(
        &DeliveryStatus::InProgress,
        &delivered,
        Language::En,
        Utc::now(),
    );
    assert_eq!(m.status, DeliveryStatus::Sent);
    let m = map_status(&DeliveryStatus::Sent, &delivered, Language::En, Utc::now());
    assert_eq!(m.status, DeliveryStatus::Downloaded);
    let t = m.tracking.unwrap();
    assert_eq!(t.code, "RR123456789DE");
    assert!(t.is_final);
}

#[test]
fn tracking_final_flags() {
    for s in ["DELIVERED", "CONFIRMED", "RETURNED_TO_SENDER", "AMBIGUOUS"] {
        assert!(tracking_is_final(s), "{s}");
    }
    for s in [
        "POSTED",
        "IN_DELIVERY",
        "NOTIFIED",
        "SENT_BACK",
        "NO_INFO",
        "X",
    ] {
        assert!(!tracking_is_final(s), "{s}");
    }
}

#[test]
fn status_json_is_read_leniently() {
    let json = r#"{"letterID": 5, "fileName": "a.pdf", "statusID": 3,
        "registeredLetterID": 12345, "createdDate": "2027-01-01T10:00:00",
        "somethingNew": {"x": 1}, "errorList": null}"#;
    let s: LetterStatus = serde_json::from_str(json).unwrap();
    assert_eq!(s.registered_letter_id.as_deref(), Some("12345"));
    assert_eq!(s.error_list, None);
}

fn request(
    d: &outbox_channel::OutgoingDelivery,
    r: &Receipt,
    status: DeliveryStatus,
) -> PollRequest {
    PollRequest {
        tenant: d.tenant,
        delivery: d.id,
        provider_reference: r.provider_reference.clone(),
        status,
    }
}

async fn poll_one(ch: &EpostChannel, req: &PollRequest) -> Option<StatusUpdate> {
    let mut updates = ch
        .poll(std::slice::from_ref(req))
        .await
        .expect("poll works");
    assert!(updates.len() <= 1);
    updates.pop()
}

#[tokio::test]
async fn a_letter_moves_to_sent_as_the_fake_clock_runs() {
    let fake = common::fake().await;
    let ch = EpostChannel::new(common::account(&fake), common::TENANT);
    let d = common::delivery(501);
    let r = ch.send(&d).await.unwrap();
    let req = request(&d, &r, DeliveryStatus::InProgress);

    assert_eq!(poll_one(&ch, &req).await, None, "status 1: nothing new");
    fake.advance(Duration::from_secs(3 * 3600));
    assert_eq!(
        poll_one(&ch, &req).await,
        None,
        "status 3: still in progress"
    );
    fake.advance(Duration::from_secs(25 * 3600));
    let u = poll_one(&ch, &req).await.expect("status 4");
    assert_eq!(u.status, DeliveryStatus::Sent);
    assert_eq!(u.tracking, None);
    assert!(u.at <= Utc::now());
}

#[tokio::test]
async fn a_letter_rejected_by_the_print_centre_fails_with_the_reason() {
    let fake = common::fake().await;
    fake.reject_after_processing(Fault99 { code: "E318" });
    let ch = EpostChannel::new(common::account(&fake), common::TENANT);
    let d = common::delivery(502);
    let r = ch.send(&d).await.unwrap();
    fake.advance(Duration::from_secs(48 * 3600));
    let u = poll_one(&ch, &request(&d, &r, DeliveryStatus::InProgress))
        .await
        .expect("status 99");
    let DeliveryStatus::Failed { reason, retryable } = u.status else {
        panic!("{:?}", u.status)
    };
    assert!(reason.starts_with("E318"), "{reason}");
    assert!(
        reason.contains("Druckzentrum"),
        "German by default: {reason}"
    );
    assert!(!retryable);
}

#[tokio::test]
async fn registered_mail_reports_tracking_until_confirmed() {
    let fake = common::fake().await;
    let ch = EpostChannel::new(common::account(&fake), common::TENANT);
    let d = common::delivery_to(
        503,
        common::domestic_address(),
        common::registered(RegisteredMail::EinschreibenRueckschein),
    );
    let r = ch.send(&d).await.unwrap();
    let sent_as = fake.letter(r.provider_reference.parse().unwrap()).unwrap();
    assert_eq!(
        sent_as.fields.registered_letter.as_deref(),
        Some("Einschreiben Rückschein")
    );

    fake.advance(Duration::from_secs(3 * 3600));
    let u = poll_one(&ch, &request(&d, &r, DeliveryStatus::InProgress))
        .await
        .expect("tracking code from status 3");
    assert_eq!(u.status, DeliveryStatus::InProgress);
    let t = u.tracking.expect("tracking");
    assert!(!t.code.is_empty() && !t.is_final);

    fake.advance(Duration::from_secs(25 * 3600));
    let u = poll_one(&ch, &request(&d, &r, DeliveryStatus::InProgress))
        .await
        .unwrap();
    assert_eq!(u.status, DeliveryStatus::Sent);
    assert!(!u.tracking.unwrap().is_final);

    fake.advance(Duration::from_secs(4 * 24 * 3600));
    let u = poll_one(&ch, &request(&d, &r, DeliveryStatus::Sent))
        .await
        .unwrap();
    assert_eq!(
        u.status,
        DeliveryStatus::Downloaded,
        "CONFIRMED = receipt confirmed"
    );
    let t = u.tracking.unwrap();
    assert!(t.is_final);
    assert!(u.note.unwrap().contains("CONFIRMED"));
}

#[tokio::test]
async fn polling_batches_letters_and_skips_what_is_not_ours() {
    let fake = common::fake().await;
    let ch = EpostChannel::new(common::account(&fake), common::TENANT);
    let mut reqs = Vec::new();
    for id in 510..515 {
        let d = common::delivery(id);
        let r = ch.send(&d).await.unwrap();
        reqs.push(request(&d, &r, DeliveryStatus::InProgress));
    }
    // Unknown letter id, a reference that is no letter id, and another tenant's delivery.
    let mut unknown = reqs[0].clone();
    unknown.provider_reference = "987654321".into();
    unknown.delivery = outbox_model::DeliveryId(1);
    let mut garbage = reqs[0].clone();
    garbage.provider_reference = "not-a-number".into();
    let mut foreign = reqs[0].clone();
    foreign.tenant = outbox_model::TenantId(99);
    reqs.extend([unknown, garbage, foreign]);

    fake.advance(Duration::from_secs(48 * 3600));
    use outbox_epost::fake::Endpoint;
    let (status_before, login_before) = (
        fake.request_count(Endpoint::Status),
        fake.request_count(Endpoint::Login),
    );
    let updates = ch.poll(&reqs).await.unwrap();
    // 48 h expired the token: the one rejected attempt is repeated after one re-login.
    let relogins = fake.request_count(Endpoint::Login) - login_before;
    assert_eq!(
        fake.request_count(Endpoint::Status) - status_before - relogins,
        1,
        "one StatusQuery for all letters"
    );
    assert_eq!(updates.len(), 5);
    assert!(updates.iter().all(|u| u.status == DeliveryStatus::Sent));
}

#[tokio::test]
async fn a_test_letter_counts_as_sent_once_processed() {
    let fake = common::fake().await;
    let mut opts = outbox_epost::ChannelOptions::default();
    opts.letter.test_mode = Some(outbox_epost::TestMode::default());
    let ch = EpostChannel::with_options(common::account(&fake), common::TENANT, opts);
    let d = common::delivery(520);
    let r = ch.send(&d).await.unwrap();
    let req = request(&d, &r, DeliveryStatus::InProgress);
    assert_eq!(poll_one(&ch, &req).await, None);
    fake.advance(Duration::from_secs(3600));
    let u = poll_one(&ch, &req).await.expect("processed");
    assert_eq!(u.status, DeliveryStatus::Sent);
    assert!(u.note.unwrap().contains("test letter"));
    let stored = fake.letter(r.provider_reference.parse().unwrap()).unwrap();
    assert!(stored.fields.test_flag);
    assert_eq!(stored.status_id, 2);
}
