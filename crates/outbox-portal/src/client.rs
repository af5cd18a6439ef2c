//! The HTTP client of the portal protocol, with every failure classified as a [`ChannelError`].

use std::time::Duration;

use outbox_channel::ChannelError;
use outbox_model::{DeliveryId, DocumentId};
use reqwest::{Method, StatusCode, Url, header};
use serde::de::DeserializeOwned;

use crate::protocol::{
    API_PREFIX, ApiError, DeliveryInfo, DocumentInfo, DownloadPage, UploadMetadata, WithdrawResult,
};

/// Where a portal is and how to authenticate.
#[derive(Clone)]
pub struct PortalConfig {
    /// The portal's base URL, e.g. `https://portal.example.org/` (the API lives under
    /// `api/v1/` below it).
    pub base_url: String,
    /// The API token, sent as `Authorization: Bearer <token>`.
    pub token: String,
    /// How long to wait for a TCP/TLS connection.
    pub connect_timeout: Duration,
    /// How long one request may take in total, upload included.
    pub request_timeout: Duration,
}

impl PortalConfig {
    /// A configuration with a 10 s connect timeout and a 120 s request timeout.
    pub fn new(base_url: impl Into<String>, token: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            token: token.into(),
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(120),
        }
    }
}

impl std::fmt::Debug for PortalConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PortalConfig")
            .field("base_url", &self.base_url)
            .field("token", &"<redacted>")
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .finish()
    }
}

/// Whether a request changes state at the portal; decides how an interrupted request is
/// classified (an interrupted upload may have been stored: ambiguous; an interrupted read has no
/// effect: transient).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Effect {
    Read,
    Write,
}

/// A client for one portal speaking protocol v1 (see `PROTOCOL.md`).
///
/// Every method returns a classified [`ChannelError`]: connection failures and 5xx are
/// transient, 429 is rate-limited (with `Retry-After`), 401/403/409/410/413/422 are permanent
/// with the portal's code, and an upload interrupted after it may have reached the portal is
/// ambiguous.
#[derive(Debug, Clone)]
pub struct PortalClient {
    http: reqwest::Client,
    base: Url,
    token: String,
}

impl PortalClient {
    /// Builds a client; fails permanently when the base URL is not an absolute http(s) URL.
    pub fn new(config: PortalConfig) -> Result<Self, ChannelError> {
        let mut raw = config.base_url.trim().to_owned();
        if !raw.ends_with('/') {
            raw.push('/');
        }
        let base = Url::parse(&raw).map_err(|e| {
            ChannelError::permanent(
                "portal.config",
                format!(
                    "portal base URL `{}` is not valid: {e}; expected e.g. https://portal.example.org/",
                    config.base_url
                ),
            )
        })?;
        if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() {
            return Err(ChannelError::permanent(
                "portal.config",
                format!(
                    "portal base URL `{}` must be an http or https URL",
                    config.base_url
                ),
            ));
        }
        if config.token.trim().is_empty() {
            return Err(ChannelError::permanent(
                "portal.config",
                "the portal API token is empty; set the token the portal was configured with",
            ));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .build()
            .map_err(|e| {
                ChannelError::permanent(
                    "portal.config",
                    format!("cannot build the HTTP client: {e}"),
                )
                .with_source(e)
            })?;
        Ok(Self {
            http,
            base,
            token: config.token,
        })
    }

    /// The portal's base URL.
    pub fn base_url(&self) -> &str {
        self.base.as_str()
    }

    fn url(&self, path: &str) -> Result<Url, ChannelError> {
        self.base
            .join(&format!("{API_PREFIX}/{path}"))
            .map_err(|e| {
                ChannelError::permanent("portal.config", format!("cannot build a portal URL: {e}"))
            })
    }

    /// Uploads one document of a delivery. Idempotent: repeating the same upload returns the
    /// stored document (`created == false`) instead of creating a new one.
    pub async fn upload(
        &self,
        delivery: DeliveryId,
        document: DocumentId,
        meta: &UploadMetadata,
        pdf: &[u8],
    ) -> Result<(DocumentInfo, bool), ChannelError> {
        let url = self.url(&format!("deliveries/{delivery}/documents/{document}"))?;
        let req = self
            .http
            .request(Method::PUT, url)
            .query(meta)
            .header(header::CONTENT_TYPE, "application/pdf")
            .body(pdf.to_vec());
        let (status, info) = self.execute::<DocumentInfo>(req, Effect::Write).await?;
        Ok((info, status == StatusCode::CREATED))
    }

    /// What the portal holds for a delivery; `None` when it has nothing.
    pub async fn delivery(
        &self,
        delivery: DeliveryId,
    ) -> Result<Option<DeliveryInfo>, ChannelError> {
        let req = self.http.get(self.url(&format!("deliveries/{delivery}"))?);
        match self.execute::<DeliveryInfo>(req, Effect::Read).await {
            Ok((_, info)) => Ok(Some(info)),
            Err(e) if e.code() == Some(crate::protocol::codes::DELIVERY_NOT_FOUND) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Downloads recorded after `since`, at most `limit` (the portal caps it at
    /// [`MAX_DOWNLOADS_PAGE`](crate::protocol::MAX_DOWNLOADS_PAGE)).
    pub async fn downloads(&self, since: u64, limit: u32) -> Result<DownloadPage, ChannelError> {
        let req = self
            .http
            .get(self.url("downloads")?)
            .query(&[("since", since.to_string()), ("limit", limit.to_string())]);
        Ok(self.execute::<DownloadPage>(req, Effect::Read).await?.1)
    }

    /// Withdraws a delivery: the recipient no longer sees or downloads its documents. Repeating
    /// it is harmless; an unknown delivery is a permanent `delivery_not_found` error.
    pub async fn withdraw(&self, delivery: DeliveryId) -> Result<WithdrawResult, ChannelError> {
        let req = self
            .http
            .delete(self.url(&format!("deliveries/{delivery}"))?);
        // Withdrawing twice is harmless, so an interrupted withdrawal is simply retried.
        Ok(self.execute::<WithdrawResult>(req, Effect::Read).await?.1)
    }

    async fn execute<T: DeserializeOwned>(
        &self,
        req: reqwest::RequestBuilder,
        effect: Effect,
    ) -> Result<(StatusCode, T), ChannelError> {
        let resp = req
            .bearer_auth(&self.token)
            .header(header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| transport_error(e, effect))?;
        let status = resp.status();
        let retry_after = retry_after(resp.headers());
        let body = resp.bytes().await.map_err(|e| transport_error(e, effect))?;
        if status.is_success() {
            let value = serde_json::from_slice::<T>(&body).map_err(|e| {
                let msg = format!(
                    "the portal answered {status} with a body this client cannot read: {e}"
                );
                match effect {
                    // The upload succeeded but we cannot tell what was stored.
                    Effect::Write => ChannelError::ambiguous(msg).with_source(e),
                    Effect::Read => ChannelError::transient(msg).with_source(e),
                }
            })?;
            return Ok((status, value));
        }
        Err(status_error(status, retry_after, &body))
    }
}

/// Classifies a failure to get a response.
fn transport_error(e: reqwest::Error, effect: Effect) -> ChannelError {
    let msg = format!("portal request failed: {e}");
    let err = if e.is_connect() || e.is_builder() {
        // Nothing reached the portal.
        ChannelError::transient(msg)
    } else if effect == Effect::Write {
        // The upload may have been stored before the connection broke or the timer fired.
        ChannelError::ambiguous(msg)
    } else {
        ChannelError::transient(msg)
    };
    err.with_source(e)
}

/// Classifies an error response by status and the portal's `{code, message}` body.
pub(crate) fn status_error(
    status: StatusCode,
    retry_after: Option<Duration>,
    body: &[u8],
) -> ChannelError {
    let parsed = serde_json::from_slice::<ApiError>(body).ok();
    let (code, message) = match parsed {
        Some(e) => (e.code, e.message),
        None => (
            format!("http_{}", status.as_u16()),
            String::from_utf8_lossy(&body[..body.len().min(300)])
                .trim()
                .to_owned(),
        ),
    };
    let message = format!("portal answered {status}: {message}");
    match status {
        StatusCode::TOO_MANY_REQUESTS => {
            ChannelError::rate_limited(retry_after.unwrap_or(Duration::from_secs(30)), message)
                .with_code(code)
        }
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
            ChannelError::permanent(code, format!("{message} (check the portal API token)"))
        }
        s if s.is_server_error() => {
            let e = ChannelError::transient(message).with_code(code);
            match retry_after {
                Some(d) => e.with_retry_after(d),
                None => e,
            }
        }
        StatusCode::REQUEST_TIMEOUT => ChannelError::transient(message).with_code(code),
        _ => ChannelError::permanent(code, message),
    }
}

/// `Retry-After` in seconds (the HTTP-date form is read as "now").
fn retry_after(headers: &header::HeaderMap) -> Option<Duration> {
    let v = headers.get(header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let secs = (when.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_seconds();
    Some(Duration::from_secs(secs.max(0).unsigned_abs()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use outbox_channel::ErrorKind;

    #[test]
    fn statuses_are_classified() {
        let body = br#"{"code":"unknown_account","message":"no account bob"}"#;
        let e = status_error(StatusCode::UNPROCESSABLE_ENTITY, None, body);
        assert_eq!(e.kind(), ErrorKind::Permanent);
        assert_eq!(e.code(), Some("unknown_account"));
        assert!(e.message().contains("no account bob"));

        let e = status_error(
            StatusCode::TOO_MANY_REQUESTS,
            Some(Duration::from_secs(7)),
            b"",
        );
        assert_eq!(e.kind(), ErrorKind::RateLimited);
        assert_eq!(e.retry_after(), Some(Duration::from_secs(7)));

        let e = status_error(StatusCode::BAD_GATEWAY, None, b"<html>bad gateway</html>");
        assert_eq!(e.kind(), ErrorKind::Transient);
        assert_eq!(e.code(), Some("http_502"));

        let e = status_error(StatusCode::UNAUTHORIZED, None, b"{}");
        assert_eq!(e.kind(), ErrorKind::Permanent);
        assert!(e.message().contains("token"));
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let mut h = header::HeaderMap::new();
        h.insert(header::RETRY_AFTER, header::HeaderValue::from_static("12"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(12)));
        h.insert(
            header::RETRY_AFTER,
            header::HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&h), Some(Duration::ZERO));
        h.insert(
            header::RETRY_AFTER,
            header::HeaderValue::from_static("soon"),
        );
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn bad_configuration_is_refused() {
        assert!(PortalClient::new(PortalConfig::new("not a url", "t")).is_err());
        assert!(PortalClient::new(PortalConfig::new("ftp://x/", "t")).is_err());
        assert!(PortalClient::new(PortalConfig::new("http://127.0.0.1:1/", " ")).is_err());
        let c = PortalClient::new(PortalConfig::new("http://127.0.0.1:1/portal", "t")).unwrap();
        assert_eq!(c.base_url(), "http://127.0.0.1:1/portal/");
        assert!(!format!("{:?}", PortalConfig::new("http://x/", "secret")).contains("secret"));
    }
}
