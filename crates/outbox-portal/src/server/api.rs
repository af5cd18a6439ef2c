//! Protocol v1 for the outbox (see `PROTOCOL.md`).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Json, Router};
use chrono::Utc;
use serde::Deserialize;

use super::store::{self, NewDocument, id_to_db};
use super::{Inner, auth};
use crate::protocol::{
    ApiError, DEFAULT_DOWNLOADS_PAGE, DownloadPage, MAX_DOWNLOADS_PAGE, UploadMetadata,
    WithdrawResult, codes,
};

type AppState = Arc<Inner>;

pub(crate) fn routes(state: AppState) -> Router {
    let limit = state.config.max_document_bytes;
    Router::new()
        .route(
            "/api/v1/deliveries/{delivery_id}/documents/{document_id}",
            put(upload).layer(DefaultBodyLimit::max(limit)),
        )
        .route(
            "/api/v1/deliveries/{delivery_id}",
            get(delivery).delete(withdraw),
        )
        .route("/api/v1/downloads", get(downloads))
        .route("/api/v1/{*rest}", axum::routing::any(unknown))
        .layer(middleware::from_fn_with_state(state.clone(), require_token))
        .with_state(state)
}

fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    (
        status,
        Json(ApiError {
            code: code.to_owned(),
            message: message.into(),
        }),
    )
        .into_response()
}

/// A refused request, turned into a JSON error response.
struct Refusal {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl Refusal {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        error(self.status, self.code, self.message)
    }
}

fn internal(e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "portal API failure");
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        codes::INTERNAL,
        "the portal failed to handle the request; try again later",
    )
}

async fn require_token(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let ok = auth::bearer(req.headers())
        .is_some_and(|t| auth::secrets_equal(t, &state.config.api_token));
    if !ok {
        return error(
            StatusCode::UNAUTHORIZED,
            codes::UNAUTHORIZED,
            "missing or wrong API token; send `Authorization: Bearer <token>`",
        );
    }
    next.run(req).await
}

async fn unknown() -> Response {
    error(
        StatusCode::NOT_FOUND,
        codes::NOT_FOUND,
        "no such endpoint in protocol v1",
    )
}

fn ids(path: Result<Path<(u64, u64)>, PathRejection>) -> Result<(i64, i64), Refusal> {
    let Ok(Path((a, b))) = path else {
        return Err(Refusal::new(
            StatusCode::BAD_REQUEST,
            codes::INVALID_REQUEST,
            "delivery and document ids must be whole numbers",
        ));
    };
    match (id_to_db(a), id_to_db(b)) {
        (Some(a), Some(b)) => Ok((a, b)),
        _ => Err(Refusal::new(
            StatusCode::BAD_REQUEST,
            codes::INVALID_REQUEST,
            "ids above 2^63-1 are not supported by this portal",
        )),
    }
}

fn delivery_id(path: Result<Path<u64>, PathRejection>) -> Result<i64, Refusal> {
    match path {
        Ok(Path(id)) => id_to_db(id).ok_or_else(|| {
            Refusal::new(
                StatusCode::BAD_REQUEST,
                codes::INVALID_REQUEST,
                "ids above 2^63-1 are not supported by this portal",
            )
        }),
        Err(_) => Err(Refusal::new(
            StatusCode::BAD_REQUEST,
            codes::INVALID_REQUEST,
            "the delivery id must be a whole number",
        )),
    }
}

fn check_field(name: &str, value: &str, max: usize) -> Result<(), Refusal> {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > max || v.chars().any(char::is_control) {
        return Err(Refusal::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            codes::INVALID_METADATA,
            format!("`{name}` must be 1 to {max} characters without control characters"),
        ));
    }
    Ok(())
}

async fn upload(
    State(state): State<AppState>,
    path: Result<Path<(u64, u64)>, PathRejection>,
    meta: Result<Query<UploadMetadata>, QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let (delivery, document) = match ids(path) {
        Ok(v) => v,
        Err(r) => return r.into_response(),
    };
    let meta = match meta {
        Ok(Query(m)) => m,
        Err(e) => {
            return error(
                StatusCode::UNPROCESSABLE_ENTITY,
                codes::INVALID_METADATA,
                format!(
                    "query must carry account, title, category, file_name and document_count: {e}"
                ),
            );
        }
    };
    let body = match body {
        Ok(b) => b,
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return error(
                StatusCode::PAYLOAD_TOO_LARGE,
                codes::PAYLOAD_TOO_LARGE,
                format!(
                    "the document is larger than the {} bytes this portal accepts",
                    state.config.max_document_bytes
                ),
            );
        }
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                codes::INVALID_REQUEST,
                e.body_text(),
            );
        }
    };
    for (name, value, max) in [
        ("account", &meta.account, 100),
        ("title", &meta.title, 200),
        ("category", &meta.category, 80),
        ("file_name", &meta.file_name, 200),
    ] {
        if let Err(r) = check_field(name, value, max) {
            return r.into_response();
        }
    }
    if body.is_empty() || meta.document_count == 0 {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            codes::INVALID_METADATA,
            "the body must hold the document and document_count must be at least 1",
        );
    }
    let account = match store::account_id(&state.pool, meta.account.trim()).await {
        Ok(Some(a)) => a,
        Ok(None) => {
            return error(
                StatusCode::UNPROCESSABLE_ENTITY,
                codes::UNKNOWN_ACCOUNT,
                format!(
                    "the portal has no account `{}`; create it at the portal or correct the contact's portal account",
                    meta.account.trim()
                ),
            );
        }
        Err(e) => return internal(e),
    };
    let existing = match store::delivery_documents(&state.pool, delivery).await {
        Ok(d) => d,
        Err(e) => return internal(e),
    };
    if existing.iter().any(|d| d.withdrawn_at.is_some()) {
        return error(
            StatusCode::GONE,
            codes::DELIVERY_WITHDRAWN,
            "this delivery was withdrawn; send the documents as a new delivery",
        );
    }
    if let Some(other) = existing.iter().find(|d| d.account_id != account) {
        return error(
            StatusCode::CONFLICT,
            codes::ACCOUNT_MISMATCH,
            format!(
                "delivery {} belongs to account `{}`, not `{}`",
                other.info.delivery_id,
                other.info.account,
                meta.account.trim()
            ),
        );
    }
    let sha256 = auth::sha256_hex(&body);
    let new = NewDocument {
        delivery,
        document,
        account,
        document_count: meta.document_count,
        title: meta.title.trim(),
        category: meta.category.trim(),
        file_name: meta.file_name.trim(),
        sha256: &sha256,
        content: &body,
    };
    let created = match store::insert_document(&state.pool, &new).await {
        Ok(c) => c,
        Err(e) => return internal(e),
    };
    let stored = match store::document(&state.pool, delivery, document).await {
        Ok(Some(d)) => d,
        Ok(None) => return internal("document vanished right after the upload"),
        Err(e) => return internal(e),
    };
    if created {
        tracing::info!(delivery, document, account = %stored.info.account, "portal upload");
        return (StatusCode::CREATED, Json(stored.info)).into_response();
    }
    let same = stored.account_id == account
        && stored.info.sha256 == sha256
        && stored.info.title == new.title
        && stored.info.category == new.category
        && stored.info.file_name == new.file_name
        && stored.document_count == new.document_count;
    if !same {
        return error(
            StatusCode::CONFLICT,
            codes::UPLOAD_CONFLICT,
            "this delivery already holds this document with other content or metadata; \
             a delivery id identifies one upload and cannot be reused",
        );
    }
    if stored.withdrawn_at.is_some() {
        return error(
            StatusCode::GONE,
            codes::DELIVERY_WITHDRAWN,
            "this delivery was withdrawn; send the documents as a new delivery",
        );
    }
    (StatusCode::OK, Json(stored.info)).into_response()
}

async fn delivery(
    State(state): State<AppState>,
    path: Result<Path<u64>, PathRejection>,
) -> Response {
    let id = match delivery_id(path) {
        Ok(v) => v,
        Err(r) => return r.into_response(),
    };
    match store::delivery_documents(&state.pool, id).await {
        Ok(docs) => match store::delivery_info(docs) {
            Some(info) => Json(info).into_response(),
            None => error(
                StatusCode::NOT_FOUND,
                codes::DELIVERY_NOT_FOUND,
                format!("the portal holds nothing for delivery {id}"),
            ),
        },
        Err(e) => internal(e),
    }
}

async fn withdraw(
    State(state): State<AppState>,
    path: Result<Path<u64>, PathRejection>,
) -> Response {
    let id = match delivery_id(path) {
        Ok(v) => v,
        Err(r) => return r.into_response(),
    };
    let now = Utc::now();
    let count = match store::withdraw(&state.pool, id, now).await {
        Ok(c) => c,
        Err(e) => return internal(e),
    };
    let docs = match store::delivery_documents(&state.pool, id).await {
        Ok(d) => d,
        Err(e) => return internal(e),
    };
    match store::delivery_info(docs) {
        Some(info) => Json(WithdrawResult {
            delivery_id: info.delivery_id,
            withdrawn_documents: u32::try_from(count).unwrap_or(u32::MAX),
            withdrawn_at: info.withdrawn_at.unwrap_or(now),
        })
        .into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            codes::DELIVERY_NOT_FOUND,
            format!("the portal holds nothing for delivery {id}"),
        ),
    }
}

#[derive(Deserialize)]
struct DownloadsQuery {
    #[serde(default)]
    since: u64,
    limit: Option<u32>,
}

async fn downloads(
    State(state): State<AppState>,
    query: Result<Query<DownloadsQuery>, QueryRejection>,
) -> Response {
    let Ok(Query(q)) = query else {
        return error(
            StatusCode::BAD_REQUEST,
            codes::INVALID_REQUEST,
            "`since` and `limit` must be whole numbers",
        );
    };
    let limit = q
        .limit
        .unwrap_or(DEFAULT_DOWNLOADS_PAGE)
        .clamp(1, MAX_DOWNLOADS_PAGE);
    let since = id_to_db(q.since).unwrap_or(i64::MAX);
    match store::downloads_after(&state.pool, since, limit + 1).await {
        Ok(mut list) => {
            let has_more = list.len() > limit as usize;
            list.truncate(limit as usize);
            let next_cursor = list.last().map_or(q.since, |e| e.cursor);
            Json(DownloadPage {
                downloads: list,
                next_cursor,
                has_more,
            })
            .into_response()
        }
        Err(e) => internal(e),
    }
}
