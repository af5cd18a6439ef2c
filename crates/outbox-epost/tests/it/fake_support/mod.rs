//! Helpers shared by the `fake_*` tests: test PDFs made with lopdf, letter JSON and a raw
//! reqwest-based API caller (deliberately not the crate's client).

#![allow(dead_code, unreachable_pub)]

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use lopdf::{Document, Object, Stream, dictionary};
use outbox_epost::fake::{FakeConfig, FakeEpost};
use serde_json::{Value, json};

pub const A4: (f32, f32) = (595.276, 841.89);
pub const A4_LANDSCAPE: (f32, f32) = (841.89, 595.276);
pub const US_LETTER: (f32, f32) = (612.0, 792.0);

/// A PDF with one page per size (each with its own MediaBox).
pub fn pdf_with_pages(sizes: &[(f32, f32)]) -> Vec<u8> {
    build_pdf(sizes, None, &[])
}

/// A one-page A4 portrait PDF whose content carries `text` (so PDFs can differ).
pub fn a4_pdf(text: &str) -> Vec<u8> {
    build_pdf(&[A4], None, text.as_bytes())
}

/// `n` A4 portrait pages.
pub fn a4_pages(n: usize) -> Vec<u8> {
    pdf_with_pages(&vec![A4; n])
}

/// A PDF whose pages inherit `media_box` from the page tree root; `rotate` on every page.
pub fn pdf_inherited(media_box: (f32, f32), pages: usize, rotate: Option<i64>) -> Vec<u8> {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let mut kids = Vec::new();
    for _ in 0..pages {
        let content = doc.add_object(Stream::new(dictionary! {}, b"q Q".to_vec()));
        let mut page = dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "Contents" => content,
        };
        if let Some(r) = rotate {
            page.set("Rotate", r);
        }
        kids.push(Object::Reference(doc.add_object(page)));
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => kids,
            "Count" => count,
            "MediaBox" => vec![0.into(), 0.into(), Object::Real(media_box.0), Object::Real(media_box.1)],
        }),
    );
    finish(doc, pages_id)
}

fn build_pdf(sizes: &[(f32, f32)], rotate: Option<i64>, text: &[u8]) -> Vec<u8> {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let mut kids = Vec::new();
    for (w, h) in sizes {
        let mut body = b"BT /F1 12 Tf 72 720 Td (".to_vec();
        body.extend_from_slice(text);
        body.extend_from_slice(b") Tj ET");
        let content = doc.add_object(Stream::new(dictionary! {}, body));
        let mut page = dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "Contents" => content,
            "MediaBox" => vec![0.into(), 0.into(), Object::Real(*w), Object::Real(*h)],
        };
        if let Some(r) = rotate {
            page.set("Rotate", r);
        }
        kids.push(Object::Reference(doc.add_object(page)));
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
    );
    finish(doc, pages_id)
}

fn finish(mut doc: Document, pages_id: lopdf::ObjectId) -> Vec<u8> {
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

pub fn b64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// A minimal valid domestic letter.
pub fn letter(file_name: &str, pdf: &[u8]) -> Value {
    json!({
        "fileName": file_name,
        "data": b64(pdf),
        "addressLine1": "Erika Mustermann",
        "addressLine2": "Heidestraße 17",
        "zipCode": "51147",
        "city": "Köln",
        "custom1": format!("delivery-{file_name}"),
    })
}

/// `letter` with some fields replaced (`null` removes a field).
pub fn letter_with(file_name: &str, pdf: &[u8], changes: Value) -> Value {
    let mut l = letter(file_name, pdf);
    let map = l.as_object_mut().unwrap();
    for (k, v) in changes.as_object().unwrap() {
        if v.is_null() {
            map.remove(k);
        } else {
            map.insert(k.clone(), v.clone());
        }
    }
    l
}

/// A raw API caller with a token.
pub struct Api {
    pub http: reqwest::Client,
    pub base: String,
    pub token: String,
}

impl Api {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(self.url(path))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap()
    }

    pub async fn post(&self, path: &str, body: &Value) -> reqwest::Response {
        self.http
            .post(self.url(path))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// `POST /api/Letter`.
    pub async fn submit(&self, letters: Value) -> reqwest::Response {
        self.post("/api/Letter", &letters).await
    }

    /// Submits one letter and returns its id (panics unless 200).
    pub async fn submit_ok(&self, letter: Value) -> i64 {
        let r = self.submit(json!([letter])).await;
        let status = r.status();
        let body: Value = r.json().await.unwrap();
        assert_eq!(status, 200, "{body}");
        body[0]["letterID"].as_i64().unwrap()
    }

    /// `GET /api/Letter/{id}` as JSON (status must be 200).
    pub async fn status_of(&self, id: i64) -> Value {
        let r = self.get(&format!("/api/Letter/{id}")).await;
        assert_eq!(r.status(), 200);
        r.json().await.unwrap()
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .unwrap()
}

/// Logs in with the fake's credentials and returns an [`Api`].
pub async fn login(fake: &FakeEpost) -> Api {
    let http = client();
    let r = http
        .post(format!("{}/api/Login", fake.base_url()))
        .json(&json!({
            "vendorID": fake.vendor_id(),
            "ekp": fake.ekp(),
            "secret": fake.secret().unwrap(),
            "password": fake.password().unwrap(),
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    Api {
        http,
        base: fake.base_url(),
        token: body["token"].as_str().unwrap().to_owned(),
    }
}

/// A deterministic fake (frozen clock) without rate limits, and a logged-in caller.
pub async fn start() -> (FakeEpost, Api) {
    let mut config = FakeConfig::deterministic();
    config.rate_limits = false;
    let fake = FakeEpost::start_with(config).await.unwrap();
    let api = login(&fake).await;
    (fake, api)
}

/// Asserts an error answer: HTTP status and `code` of the Error object.
pub async fn assert_error(r: reqwest::Response, status: u16, code: &str) -> Value {
    let got = r.status().as_u16();
    let body: Value = r.json().await.unwrap();
    assert_eq!(got, status, "body: {body}");
    assert_eq!(body["code"], code, "body: {body}");
    assert_eq!(body["level"], "Error", "body: {body}");
    assert!(body["description"].as_str().is_some_and(|d| !d.is_empty()));
    body
}
