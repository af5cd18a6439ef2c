//! The recipients' web pages: login, own documents by category, download, logout.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::Utc;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Deserialize;

use super::auth::{self, SESSION_COOKIE};
use super::store::{self, SessionAccount, id_to_db};
use super::{Inner, blocking, html};

type AppState = Arc<Inner>;

pub(crate) fn routes(state: AppState) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/documents/{delivery}/{document}", get(download))
        .layer(axum::middleware::map_response(security_headers))
        .with_state(state)
}

/// Pages and documents are private: never cached, never framed, no scripts.
async fn security_headers(mut resp: Response) -> Response {
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    resp
}

fn server_error(state: &Inner, what: &str, e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "portal web: {what}");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        Html(html::message_page(
            &state.config.portal_name,
            "Fehler",
            "Das Portal ist gerade nicht verfügbar. Bitte versuchen Sie es später erneut.",
        )),
    )
        .into_response()
}

/// The account of the request's session, if it has a valid one.
async fn session(
    state: &Inner,
    headers: &HeaderMap,
) -> Result<Option<SessionAccount>, sqlx::Error> {
    let Some(token) = auth::cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    store::session_account(&state.pool, &auth::sha256_hex(token.as_bytes())).await
}

async fn index(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let account = match session(&state, &headers).await {
        Ok(Some(a)) => a,
        Ok(None) => return Redirect::to("/login").into_response(),
        Err(e) => return server_error(&state, "session lookup", e),
    };
    match store::documents_of(&state.pool, account.id).await {
        Ok(docs) => Html(html::documents_page(
            &state.config.portal_name,
            &account.display_name,
            &docs,
        ))
        .into_response(),
        Err(e) => server_error(&state, "listing documents", e),
    }
}

async fn login_form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Ok(Some(_)) = session(&state, &headers).await {
        return Redirect::to("/").into_response();
    }
    Html(html::login_page(&state.config.portal_name, None)).into_response()
}

#[derive(Deserialize)]
struct LoginForm {
    login: String,
    password: String,
}

async fn login(
    State(state): State<AppState>,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    let refused = |state: &Inner, status: StatusCode| {
        (
            status,
            Html(html::login_page(
                &state.config.portal_name,
                Some("Benutzername oder Passwort ist falsch."),
            )),
        )
            .into_response()
    };
    let Ok(Form(form)) = form else {
        return refused(&state, StatusCode::BAD_REQUEST);
    };
    let login_name = form.login.trim().to_owned();
    let locked = state.throttle().locked_for(&login_name, Instant::now());
    if let Some(wait) = locked {
        tracing::warn!(login = %login_name, "portal login locked after repeated failures");
        let minutes = wait.as_secs().div_ceil(60).max(1);
        let mut resp = (
            StatusCode::TOO_MANY_REQUESTS,
            Html(html::login_page(
                &state.config.portal_name,
                Some(&format!(
                    "Zu viele Fehlversuche. Bitte versuchen Sie es in {minutes} Minute(n) erneut."
                )),
            )),
        )
            .into_response();
        if let Ok(v) = HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return resp;
    }
    let account = match store::account_by_login(&state.pool, &login_name).await {
        Ok(a) => a,
        Err(e) => return server_error(&state, "account lookup", e),
    };
    // Unknown logins are verified against a dummy hash so they take as long as wrong passwords.
    let (hash, id) = match &account {
        Some(a) => (a.password_hash.clone(), Some(a.id)),
        None => (state.dummy_hash.clone(), None),
    };
    let password = form.password;
    let ok = match blocking(move || auth::verify_password(&hash, &password)).await {
        Ok(ok) => ok,
        Err(e) => return server_error(&state, "password check", e),
    };
    let Some(id) = id.filter(|_| ok) else {
        tracing::info!(login = %login_name, "portal login refused");
        state.throttle().fail(&login_name, Instant::now());
        return refused(&state, StatusCode::UNAUTHORIZED);
    };
    state.throttle().succeed(&login_name);
    let token = match auth::new_session_token() {
        Ok(t) => t,
        Err(e) => return server_error(&state, "session id", e),
    };
    let ttl = state.config.session_ttl;
    let expires =
        Utc::now() + chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::hours(8));
    if let Err(e) = store::insert_session(
        &state.pool,
        &auth::sha256_hex(token.as_bytes()),
        id,
        expires,
    )
    .await
    {
        return server_error(&state, "storing the session", e);
    }
    let cookie = format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}",
        ttl.as_secs(),
        if state.config.secure_cookies {
            "; Secure"
        } else {
            ""
        }
    );
    let mut resp = Redirect::to("/").into_response();
    match HeaderValue::from_str(&cookie) {
        Ok(v) => {
            resp.headers_mut().insert(header::SET_COOKIE, v);
            resp
        }
        Err(e) => server_error(&state, "session cookie", e),
    }
}

async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = auth::cookie(&headers, SESSION_COOKIE)
        && let Err(e) =
            store::delete_session(&state.pool, &auth::sha256_hex(token.as_bytes())).await
    {
        return server_error(&state, "ending the session", e);
    }
    let mut resp = Redirect::to("/login").into_response();
    resp.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static(
            "outbox_portal_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0",
        ),
    );
    resp
}

fn not_found(state: &Inner) -> Response {
    (
        StatusCode::NOT_FOUND,
        Html(html::message_page(
            &state.config.portal_name,
            "Nicht gefunden",
            "Dieses Dokument gibt es nicht oder es ist nicht mehr freigegeben.",
        )),
    )
        .into_response()
}

/// `Content-Disposition` with an ASCII fallback and the exact UTF-8 name (RFC 6266/5987).
fn content_disposition(file_name: &str) -> String {
    let ascii: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        utf8_percent_encode(file_name, NON_ALPHANUMERIC)
    )
}

fn pdf_response(content: Vec<u8>, file_name: &str) -> Response {
    let mut resp = content.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    if let Ok(v) = HeaderValue::from_str(&content_disposition(file_name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}

async fn download(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    path: Result<Path<(u64, u64)>, axum::extract::rejection::PathRejection>,
) -> Response {
    let account = match session(&state, &headers).await {
        Ok(Some(a)) => a,
        Ok(None) => return Redirect::to("/login").into_response(),
        Err(e) => return server_error(&state, "session lookup", e),
    };
    let Ok(Path((delivery, document))) = path else {
        return not_found(&state);
    };
    let (Some(delivery), Some(document)) = (id_to_db(delivery), id_to_db(document)) else {
        return not_found(&state);
    };
    // A HEAD request (link previews, download managers probing) is no download: answer it
    // without recording anything.
    if method == Method::HEAD {
        return match store::owned_file_name(&state.pool, account.id, delivery, document).await {
            Ok(Some(file_name)) => pdf_response(Vec::new(), &file_name),
            Ok(None) => not_found(&state),
            Err(e) => server_error(&state, "download check", e),
        };
    }
    match store::take_download(&state.pool, account.id, delivery, document).await {
        Ok(Some((file_name, content))) => {
            tracing::info!(login = %account.login, delivery, document, "portal download");
            let mut resp = content.into_response();
            let h = resp.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/pdf"),
            );
            if let Ok(v) = HeaderValue::from_str(&content_disposition(&file_name)) {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            resp
        }
        Ok(None) => not_found(&state),
        Err(e) => server_error(&state, "download", e),
    }
}

#[cfg(test)]
mod tests {
    use super::content_disposition;

    #[test]
    fn file_names_are_encoded() {
        assert_eq!(
            content_disposition("Abrechnung 2026 \"Müller\".pdf"),
            "attachment; filename=\"Abrechnung 2026 _M_ller_.pdf\"; \
             filename*=UTF-8''Abrechnung%202026%20%22M%C3%BCller%22%2Epdf"
        );
    }
}
