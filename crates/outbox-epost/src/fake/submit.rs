//! `POST /api/Letter`: checks, duplicate failsafe, storing, `LetterIdent` answer (reference §2).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::TimeDelta;

use super::codes;
use super::letter::StoredLetter;
use super::server::{AppState, authorize};
use super::state::Token;
use super::validate::{self, Prepared};
use super::wire::{ApiError, ApiFailure, LetterIdent};

/// `POST /api/Letter`.
pub(crate) async fn submit_letters(
    State(shared): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let token = match authorize(&shared, &headers) {
        Ok(t) => t,
        Err(f) => return f.into_response(),
    };
    // Decoding and parsing PDFs of up to 20 MB each is CPU work: keep it off the runtime threads.
    let prepared = match tokio::task::spawn_blocking(move || validate::prepare(&body)).await {
        Ok(Ok(p)) => p,
        Ok(Err(e)) => return ApiFailure::bad_request(e).into_response(),
        Err(e) => {
            let error = ApiError::detail("E315", format!("interner Fehler des Fake-Servers ({e})"));
            return ApiFailure::new(StatusCode::INTERNAL_SERVER_ERROR, error).into_response();
        }
    };
    match store(&shared, prepared, token) {
        Ok(idents) => Json(idents).into_response(),
        Err(e) => ApiFailure::bad_request(e).into_response(),
    }
}

/// Applies the account-level checks (`E319`, `E320`, `E324`) and stores all letters, or none.
fn store(
    shared: &super::state::Shared,
    prepared: Vec<Prepared>,
    token: Token,
) -> Result<Vec<LetterIdent>, ApiError> {
    let mut st = shared.lock();
    let now = st.now();
    if !st.config.released_for_live && prepared.iter().any(|p| !p.fields.test_flag) {
        return Err(ApiError::new("E319"));
    }
    if let Some(max) = st.config.test_letters_per_day {
        let today = now.date();
        let earlier = st
            .letters
            .iter()
            .filter(|l| l.ekp == token.ekp && l.fields.test_flag && l.received_at.date() == today)
            .count();
        let new = prepared.iter().filter(|p| p.fields.test_flag).count();
        if new > 0 && earlier + new > usize::try_from(max).unwrap_or(usize::MAX) {
            return Err(ApiError::detail("E320", format!("höchstens {max} pro Tag")));
        }
    }
    let window_start = now - TimeDelta::hours(1);
    for p in prepared
        .iter()
        .filter(|p| p.fields.activate_duplicate_failsafe)
    {
        let original = st.letters.iter().find(|s| {
            s.ekp == token.ekp
                && s.fields.activate_duplicate_failsafe
                && s.received_at > window_start
                && s.pdf == p.pdf
                && s.view(now, &st.config.schedule).status_id != 99
        });
        if let Some(original) = original {
            let mut e = ApiError::new("E324");
            e.description = format!("{} {} eingeliefert", codes::describe("E324"), original.id);
            return Err(e);
        }
    }
    let reject = st.reject_rule;
    let mut idents = Vec::with_capacity(prepared.len());
    for p in prepared {
        let id = st.next_letter_id();
        idents.push(LetterIdent {
            file_name: p.fields.file_name.clone(),
            letter_id: id,
        });
        st.letters.push(StoredLetter {
            id,
            ekp: token.ekp.clone(),
            fields: p.fields,
            pdf: p.pdf,
            cover_data_size: p.cover_data_size,
            pages: p.facts.pages,
            pdf_problem: p.facts.problem,
            warnings: p.warnings,
            received_at: now,
            sub_vendor_id: token.sub_vendor_id.clone(),
            reject,
        });
    }
    Ok(idents)
}
