//! The download server: an axum [`Router`] behind the links, to mount in an application or run
//! alone with [`DownloadServer::serve`].

mod pages;
mod range;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::header::{
    ACCEPT_RANGES, CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_RANGE,
    CONTENT_SECURITY_POLICY, CONTENT_TYPE, IF_RANGE, RANGE, REFERRER_POLICY,
    X_CONTENT_TYPE_OPTIONS,
};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_util::io::ReaderStream;

use crate::error::MailShareError;
use crate::names::content_disposition;
use crate::{BlobKey, Resolved, Share, ShareService};
use range::{RangeOutcome, parse_range};

/// Serves the pages and files behind share links.
///
/// Routes: `GET /s/{share_id}/{expires}/{sig}` (the document list) and
/// `GET|HEAD /s/{share_id}/{expires}/{sig}/d/{index}` (one document, with `Range` support).
/// Documents are addressed by index only, never by name or path. Anything unknown, malformed or
/// tampered with gets the same bland 404; a genuine link past its expiry gets a 410 page.
#[derive(Debug, Clone)]
pub struct DownloadServer {
    state: Arc<ServerState>,
}

#[derive(Debug)]
struct ServerState {
    service: Arc<ShareService>,
    trust_forwarded_for: bool,
}

type Segments = (String, String, String);

impl DownloadServer {
    /// A server for the links of `service`.
    pub fn new(service: Arc<ShareService>) -> Self {
        Self {
            state: Arc::new(ServerState {
                service,
                trust_forwarded_for: false,
            }),
        }
    }

    /// Takes the client address from the first `X-Forwarded-For` entry. Only for servers behind
    /// a reverse proxy that sets the header; otherwise clients could write their own address.
    pub fn trust_forwarded_for(self, trust: bool) -> Self {
        Self {
            state: Arc::new(ServerState {
                service: self.state.service.clone(),
                trust_forwarded_for: trust,
            }),
        }
    }

    /// The router. Serve it with `into_make_service_with_connect_info::<SocketAddr>()` so
    /// downloads record the client address (otherwise they record `"unknown"`). It can be
    /// nested under a prefix; the service's base URL must then include that prefix.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/s/{id}/{exp}/{sig}", get(page))
            .route("/s/{id}/{exp}/{sig}/", get(page))
            .route(
                "/s/{id}/{exp}/{sig}/d/{index}",
                get(download).head(download),
            )
            .fallback(not_found)
            .with_state(self.state.clone())
    }

    /// Binds `addr` and serves until shut down.
    pub async fn serve(self, addr: SocketAddr) -> Result<RunningServer, MailShareError> {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|e| MailShareError::io("binding", addr.to_string(), e))?;
        self.serve_listener(listener).await
    }

    /// Serves on an already bound listener (bind first when the link base URL needs the port).
    pub async fn serve_listener(
        self,
        listener: TcpListener,
    ) -> Result<RunningServer, MailShareError> {
        let addr = listener
            .local_addr()
            .map_err(|e| MailShareError::io("reading the address of", "listener", e))?;
        let (tx, rx) = oneshot::channel::<()>();
        let app = self
            .router()
            .into_make_service_with_connect_info::<SocketAddr>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = rx.await;
                })
                .await
        });
        Ok(RunningServer {
            addr,
            shutdown: Some(tx),
            task,
        })
    }
}

/// A running download server. Dropping it stops the server too.
#[derive(Debug)]
pub struct RunningServer {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl RunningServer {
    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://{addr}`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting connections, lets running downloads finish, and waits.
    pub async fn shutdown(mut self) -> Result<(), MailShareError> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        (&mut self.task)
            .await
            .map_err(|e| MailShareError::Task(e.to_string()))?
            .map_err(|e| MailShareError::io("serving on", self.addr.to_string(), e))
    }
}

fn html(status: StatusCode, body: String) -> Response {
    let mut r = (status, body).into_response();
    let h = r.headers_mut();
    h.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    secure(h);
    h.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        ),
    );
    r
}

/// Headers on every answer: nothing is cached, the secret link never leaks as a referrer.
fn secure(h: &mut axum::http::HeaderMap) {
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(
        "x-robots-tag",
        HeaderValue::from_static("noindex, nofollow"),
    );
}

async fn not_found() -> Response {
    html(StatusCode::NOT_FOUND, pages::not_found_page())
}

fn unavailable(e: &MailShareError) -> Response {
    tracing::error!(error = %e, "share download failed");
    html(StatusCode::SERVICE_UNAVAILABLE, pages::unavailable_page())
}

/// Resolves the link, or the response to give instead.
async fn resolve(state: &ServerState, seg: &Segments, req: &Parts) -> Result<Share, Response> {
    let lang = pages::language(req.uri.query(), &req.headers);
    match state.service.resolve(&seg.0, &seg.1, &seg.2).await {
        Ok(Resolved::Valid(share)) => Ok(share),
        Ok(Resolved::Expired(share)) => {
            Err(html(StatusCode::GONE, pages::expired_page(&share, lang)))
        }
        Ok(Resolved::NotFound) => Err(not_found().await),
        Err(e) => Err(unavailable(&e)),
    }
}

async fn page(
    State(state): State<Arc<ServerState>>,
    seg: Result<Path<Segments>, PathRejection>,
    req: Parts,
) -> Response {
    let Ok(Path(seg)) = seg else {
        return not_found().await;
    };
    let share = match resolve(&state, &seg, &req).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let lang = pages::language(req.uri.query(), &req.headers);
    let prefix = if req.uri.path().ends_with('/') {
        String::new()
    } else {
        format!("{}/", seg.2)
    };
    html(StatusCode::OK, pages::share_page(&share, lang, &prefix))
}

fn client_address(state: &ServerState, req: &Parts) -> String {
    if state.trust_forwarded_for
        && let Some(first) = req
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(str::trim)
            .filter(|v| !v.is_empty() && v.len() <= 64)
    {
        return first.to_owned();
    }
    req.extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "unknown".to_owned(), |c| c.0.ip().to_string())
}

/// A document index in canonical decimal form ("0", "12"; not "012", "+1", "a").
fn parse_index(s: &str) -> Option<usize> {
    if s.is_empty() || s.len() > 6 || (s.len() > 1 && s.starts_with('0')) {
        return None;
    }
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn content_type(file_name: &str) -> &'static str {
    if file_name.to_ascii_lowercase().ends_with(".pdf") {
        "application/pdf"
    } else {
        "application/octet-stream"
    }
}

async fn download(
    State(state): State<Arc<ServerState>>,
    seg: Result<Path<(String, String, String, String)>, PathRejection>,
    req: Parts,
) -> Response {
    let Ok(Path((id, exp, sig, index))) = seg else {
        return not_found().await;
    };
    let share = match resolve(&state, &(id, exp, sig), &req).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let Some((index, doc)) =
        parse_index(&index).and_then(|i| share.documents.get(i).map(|d| (i, d)))
    else {
        return not_found().await;
    };
    let size = doc.size;
    let wanted = match req.headers.get(RANGE).and_then(|v| v.to_str().ok()) {
        // We send no validators, so a conditional range can never match: send everything.
        Some(_) if req.headers.contains_key(IF_RANGE) => RangeOutcome::Full,
        Some(r) => parse_range(r, size),
        None => RangeOutcome::Full,
    };
    let mut builder = Response::builder()
        .header(ACCEPT_RANGES, "bytes")
        .header(CONTENT_TYPE, content_type(&doc.file_name))
        .header(CONTENT_DISPOSITION, content_disposition(&doc.file_name));
    let range = match wanted {
        RangeOutcome::Unsatisfiable => {
            let mut r = Response::builder()
                .status(StatusCode::RANGE_NOT_SATISFIABLE)
                .header(CONTENT_RANGE, format!("bytes */{size}"))
                .body(Body::empty())
                .unwrap_or_default();
            secure(r.headers_mut());
            return r;
        }
        RangeOutcome::Full => {
            builder = builder.status(StatusCode::OK).header(CONTENT_LENGTH, size);
            None
        }
        RangeOutcome::Partial(r) => {
            builder = builder
                .status(StatusCode::PARTIAL_CONTENT)
                .header(CONTENT_LENGTH, r.end - r.start)
                .header(
                    CONTENT_RANGE,
                    format!("bytes {}-{}/{size}", r.start, r.end.saturating_sub(1)),
                );
            Some(r)
        }
    };
    let body = if req.method == Method::HEAD {
        Body::empty()
    } else {
        let key = match BlobKey::new(doc.blob_key.clone()) {
            Ok(k) => k,
            Err(e) => return unavailable(&e),
        };
        let blob = match state.service.blobs().get(&key, range.clone()).await {
            Ok(b) => b,
            Err(e) => return unavailable(&e),
        };
        // Recorded before the first byte leaves: a download we cannot prove is not served.
        let client = client_address(&state, &req);
        if let Err(e) = state
            .service
            .record_download(&share, index, client, range.is_some())
            .await
        {
            return unavailable(&e);
        }
        // 64 KiB chunks: the default 4 KiB costs a blocking file read per 4 KiB.
        Body::from_stream(ReaderStream::with_capacity(blob.reader, 64 * 1024))
    };
    match builder.body(body) {
        Ok(mut r) => {
            secure(r.headers_mut());
            r
        }
        Err(e) => {
            tracing::error!(error = %e, "could not build the download response");
            html(StatusCode::INTERNAL_SERVER_ERROR, pages::unavailable_page())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_index;

    #[test]
    fn indices_are_canonical() {
        assert_eq!(parse_index("0"), Some(0));
        assert_eq!(parse_index("12"), Some(12));
        for bad in ["", "01", "+1", "-1", "a", "1a", "..", "9999999", "%30"] {
            assert_eq!(parse_index(bad), None, "{bad}");
        }
    }
}
