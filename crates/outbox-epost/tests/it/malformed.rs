//! Malformed provider answers (not JSON, fields missing, unknown status ids, wrong shapes)
//! give clear errors and never a panic. A small axum server on 127.0.0.1 plays the provider.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use outbox_channel::{Channel, ErrorKind, PollRequest};
use outbox_epost::{
    ClientConfig, Credentials, EpostAccount, EpostChannel, EpostClient, EpostError, Secret,
};
use outbox_model::{DeliveryId, DeliveryStatus, TenantId};

type Script = Arc<Mutex<HashMap<&'static str, (u16, &'static str)>>>;

/// Answers each path with its scripted status and body; login works unless scripted.
async fn answer(State(script): State<Script>, uri: Uri) -> Response {
    let path = uri.path().to_owned();
    let found = script
        .lock()
        .unwrap()
        .iter()
        .find(|(p, _)| path == **p)
        .map(|(_, v)| *v);
    let (status, body) = found.unwrap_or(match path.as_str() {
        "/api/Login" => (200, r#"{"token":"abc"}"#),
        _ => (
            404,
            r#"{"level":"Error","code":"E201","description":"nichts"}"#,
        ),
    });
    (
        StatusCode::from_u16(status).unwrap(),
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

struct Provider {
    script: Script,
    base: String,
    task: tokio::task::JoinHandle<()>,
}

impl Provider {
    async fn start() -> Self {
        let script: Script = Arc::default();
        let app = Router::new().fallback(answer).with_state(script.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { script, base, task }
    }

    fn on(&self, path: &'static str, status: u16, body: &'static str) {
        self.script.lock().unwrap().insert(path, (status, body));
    }

    fn account(&self) -> EpostAccount {
        let mut cfg = ClientConfig::with_base_url(self.base.clone());
        cfg.status_interval = Duration::ZERO;
        cfg.request_timeout = Duration::from_secs(10);
        EpostClient::new(cfg).unwrap().account(Credentials::new(
            "V",
            "5012345678",
            Secret::new("s"),
            Secret::new("passwort"),
        ))
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn poll_req(reference: &str) -> PollRequest {
    PollRequest {
        tenant: TenantId(1),
        delivery: DeliveryId(5),
        provider_reference: reference.into(),
        status: DeliveryStatus::InProgress,
    }
}

#[tokio::test]
async fn html_instead_of_json_is_a_transient_malformed_answer() {
    let p = Provider::start().await;
    p.on("/api/Letter/StatusQuery", 200, "<html>Wartung</html>");
    let err = p.account().status_query(&[1, 2]).await.unwrap_err();
    assert!(matches!(err, EpostError::Malformed { .. }), "{err}");
    assert_eq!(err.kind(), ErrorKind::Transient);
    assert!(err.to_string().contains("<html>Wartung"), "{err}");
}

#[tokio::test]
async fn missing_required_fields_are_reported() {
    let p = Provider::start().await;
    p.on(
        "/api/Letter/StatusQuery",
        200,
        r#"[{"letterID": 1, "fileName": "a"}]"#,
    );
    let err = p.account().status_query(&[1]).await.unwrap_err();
    assert!(err.to_string().contains("statusID"), "{err}");

    p.on(
        "/api/Letter/Custom1",
        200,
        r#"{"letterID": 1, "statusID": 1}"#,
    );
    let err = p.account().find_by_custom1("5").await.unwrap_err();
    assert!(
        matches!(err, EpostError::Malformed { .. }),
        "object instead of array: {err}"
    );
}

#[tokio::test]
async fn unknown_status_ids_become_a_note_not_a_failure() {
    let p = Provider::start().await;
    p.on(
        "/api/Letter/StatusQuery",
        200,
        r#"[{"letterID": 42, "fileName": "a.pdf", "statusID": 7}]"#,
    );
    let ch = EpostChannel::new(p.account(), TenantId(1));
    let updates = ch.poll(&[poll_req("42")]).await.unwrap();
    assert_eq!(updates.len(), 1);
    assert_eq!(updates[0].status, DeliveryStatus::InProgress);
    assert!(
        updates[0]
            .note
            .as_deref()
            .unwrap()
            .contains("unknown status id 7")
    );
}

#[tokio::test]
async fn unreadable_login_answers_are_clear() {
    let p = Provider::start().await;
    p.on("/api/Login", 200, r#"{"jwt": "abc"}"#);
    let err = p.account().find_by_custom1("1").await.unwrap_err();
    assert!(err.to_string().contains("login"), "{err}");
    assert!(err.to_string().contains("token"), "{err}");
    p.on("/api/Login", 200, r#"{"token": "  "}"#);
    let err = p.account().find_by_custom1("1").await.unwrap_err();
    assert!(err.to_string().contains("token is empty"), "{err}");
}

#[tokio::test]
async fn an_unreadable_answer_to_an_upload_is_ambiguous() {
    let p = Provider::start().await;
    p.on("/api/Letter", 200, "OK");
    let ch = EpostChannel::new(p.account(), TenantId(1));
    let mut d = sample_delivery();
    d.tenant = TenantId(1);
    let err = ch.send(&d).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Ambiguous, "{err}");

    // Fewer ids than letters: also ambiguous.
    p.on("/api/Letter", 200, "[]");
    let err = ch.send(&d).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Ambiguous, "{err}");
}

#[tokio::test]
async fn errors_without_an_error_object_are_classified_by_status() {
    let p = Provider::start().await;
    let account = p.account();
    for (status, kind) in [
        (500, ErrorKind::Transient),
        (502, ErrorKind::Transient),
        (429, ErrorKind::RateLimited),
        (400, ErrorKind::Permanent),
        (403, ErrorKind::Permanent),
    ] {
        let body: &'static str = "";
        p.on("/api/Letter/StatusQuery", status, body);
        let err = account.status_query(&[1]).await.unwrap_err();
        assert_eq!(err.kind(), kind, "HTTP {status}: {err}");
        assert!(!err.message(outbox_model::Language::De).is_empty());
    }
    // An unknown E-code from the provider is permanent and keeps its text.
    p.on(
        "/api/Letter/StatusQuery",
        400,
        r#"{"level":"Error","code":"E777","description":"Neuer Fehler"}"#,
    );
    let err = account.status_query(&[1]).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Permanent);
    assert!(
        err.message(outbox_model::Language::En)
            .contains("Neuer Fehler")
    );
}

#[tokio::test]
async fn set_password_accepts_a_bare_string_and_rejects_an_empty_one() {
    let p = Provider::start().await;
    let client = p.account().client().clone();
    p.on(
        "/api/Login/setPassword",
        200,
        "77831f6f-d39b-4d5b-a5ae-b4006f894179",
    );
    let secret = client
        .set_password("V", "5012345678", &Secret::new("passwort"), "123456")
        .await
        .unwrap();
    assert_eq!(secret.expose(), "77831f6f-d39b-4d5b-a5ae-b4006f894179");
    p.on("/api/Login/setPassword", 200, r#""""#);
    let err = client
        .set_password("V", "5012345678", &Secret::new("passwort"), "123456")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no secret"), "{err}");
}

fn sample_delivery() -> outbox_channel::OutgoingDelivery {
    use outbox_channel::{OutgoingDelivery, OutgoingDocument, Sender};
    use outbox_model::{Contact, ContactId, DocumentId, PostalAddress, Route, SendSettings};
    let pdf = outbox_pdf::cover_sheet(&outbox_pdf::CoverSheet {
        sender: "S".into(),
        recipient: vec!["R".into()],
        date: "01.01.2027".into(),
        reference: None,
        documents: vec![],
    })
    .unwrap();
    let mut recipient = Contact::new(ContactId(1), TenantId(1), "Frau Meier");
    recipient.address = Some(PostalAddress::domestic(
        ["Frau Meier", "Weg 1"],
        "12345",
        "Ort",
    ));
    OutgoingDelivery {
        id: DeliveryId(5),
        tenant: TenantId(1),
        route: Route::EpostLetter,
        attempt: 1,
        recipient,
        sender: Sender {
            name: "HV".into(),
            address: Some(PostalAddress::domestic(
                ["HV", "Platz 2"],
                "10115",
                "Berlin",
            )),
            reply_to: None,
        },
        documents: vec![OutgoingDocument {
            id: DocumentId(1),
            title: "Brief".into(),
            file_name: "brief.pdf".into(),
            page_count: 1,
            bytes: pdf.into(),
            settings: SendSettings::default(),
        }],
    }
}
