//! The E-POST letter route as an outbox [`Channel`].

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::Utc;
use outbox_channel::{
    Capabilities, Channel, ChannelError, ErrorKind, OutgoingDelivery, PollRequest, Receipt,
    StatusUpdate,
};
use outbox_model::{
    DeliveryId, DeliveryStatus, Language, Problem, ReadinessProblem, Route, TenantId,
    validate_epost_letter,
};

use crate::client::EpostAccount;
use crate::error::EpostError;
use crate::letter::{LetterOptions, MAX_PAGES, MAX_PDF_BYTES, build_letter, compose_pdf};
use crate::limiter::StatusLimiter;
use crate::status::{LetterState, map_status};
use crate::wire::LetterStatus;

/// Settings of an [`EpostChannel`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ChannelOptions {
    /// How letters are built (cover page, test mode, duplicate failsafe, references).
    pub letter: LetterOptions,
    /// Language of failure reasons and error messages handed to the engine.
    pub language: Language,
}

/// The E-POST letter channel of **one tenant**: it holds that tenant's account (credentials,
/// token, status limiter). The engine keeps one `EpostChannel` per tenant with E-POST access
/// and routes each delivery, poll and reconcile to the channel of its tenant; calls for
/// another tenant are refused.
#[derive(Debug, Clone)]
pub struct EpostChannel {
    account: Arc<EpostAccount>,
    tenant: TenantId,
    options: ChannelOptions,
}

impl EpostChannel {
    /// The channel of `tenant` using `account`, with default options (our own cover sheet,
    /// live letters, duplicate failsafe on, German reasons).
    pub fn new(account: EpostAccount, tenant: TenantId) -> Self {
        Self::with_options(account, tenant, ChannelOptions::default())
    }

    /// The channel with explicit options.
    pub fn with_options(account: EpostAccount, tenant: TenantId, options: ChannelOptions) -> Self {
        Self::with_shared_account(Arc::new(account), tenant, options)
    }

    /// The channel of `tenant` on an account object shared with other tenants' channels.
    ///
    /// When a second tenant imported the first one's access (same EKP), both channels must
    /// share one [`EpostAccount`]: the provider's status limit and the token belong to the
    /// account, not to the tenant.
    pub fn with_shared_account(
        account: Arc<EpostAccount>,
        tenant: TenantId,
        options: ChannelOptions,
    ) -> Self {
        Self {
            account,
            tenant,
            options,
        }
    }

    /// The account.
    pub fn account(&self) -> &Arc<EpostAccount> {
        &self.account
    }

    /// The tenant this channel serves.
    pub fn tenant(&self) -> TenantId {
        self.tenant
    }

    /// The options.
    pub fn options(&self) -> &ChannelOptions {
        &self.options
    }

    /// The account's status-call limiter: ask [`StatusLimiter::ready_in`] to skip a poll
    /// that would have to wait.
    pub fn status_limiter(&self) -> &Arc<StatusLimiter> {
        self.account.status_limiter()
    }

    fn error(&self, e: EpostError) -> ChannelError {
        let message = e.message(self.options.language);
        let mut out = ChannelError::new(e.kind(), message);
        if let Some(code) = e.code() {
            out = out.with_code(code);
        }
        if let Some(d) = e.retry_after() {
            out = out.with_retry_after(d);
        }
        out.with_source(e)
    }

    fn wrong_tenant(&self, tenant: TenantId) -> ChannelError {
        ChannelError::permanent(
            "wrong_tenant",
            format!(
                "this E-POST channel holds the access of tenant {}, not of tenant {tenant}; use the tenant's own channel",
                self.tenant
            ),
        )
    }

    /// The checks that need no PDF parsing: tenant, addresses, sender, sizes and pages.
    fn check_fields(&self, d: &OutgoingDelivery) -> Vec<ReadinessProblem> {
        let mut out = Vec::new();
        if d.tenant != self.tenant {
            out.push(ReadinessProblem::NoEpostAccess);
        }
        let settings = d.settings().epost;
        match &d.recipient.address {
            None => out.push(ReadinessProblem::IncompleteAddress { problems: vec![] }),
            Some(addr) => {
                let problems = validate_epost_letter(&settings, addr);
                if !problems.is_empty() {
                    out.push(ReadinessProblem::IncompleteAddress {
                        problems: problems.0,
                    });
                }
            }
        }
        let sender = sender_problems(d);
        if !sender.is_empty() {
            out.push(ReadinessProblem::SenderIncomplete { problems: sender });
        }
        if d.documents.is_empty() {
            out.push(ReadinessProblem::PdfUnusable {
                reason: "the delivery holds no document".into(),
            });
        }
        let bytes = d.total_bytes();
        if bytes > MAX_PDF_BYTES {
            out.push(ReadinessProblem::OverLimit {
                what: format!(
                    "{bytes} bytes, at most {MAX_PDF_BYTES} per E-POST letter; send the documents separately"
                ),
            });
        }
        let pages = d.total_pages() + u64::from(settings.cover_sheet);
        if pages > MAX_PAGES as u64 {
            out.push(ReadinessProblem::OverLimit {
                what: format!(
                    "{pages} pages including the cover sheet, at most {MAX_PAGES} per E-POST letter"
                ),
            });
        }
        out
    }

    /// Picks the letter that stands for a delivery among the provider's matches.
    fn pick(&self, delivery: DeliveryId, found: Vec<LetterStatus>) -> Option<LetterStatus> {
        let id = delivery.to_string();
        let tenant = self.tenant.to_string();
        found
            .into_iter()
            .filter(|s| s.custom1.as_deref().map(str::trim) == Some(id.as_str()))
            .filter(|s| {
                s.custom2
                    .as_deref()
                    .is_none_or(|t| t.trim().is_empty() || t.trim() == tenant)
            })
            // A live letter beats a failed one; among equals the newest wins.
            .max_by_key(|s| {
                (
                    LetterState::from_id(s.status_id) != LetterState::Failed,
                    s.letter_id,
                )
            })
    }

    fn receipt_of(&self, status: &LetterStatus) -> Receipt {
        let mapped = map_status(
            &DeliveryStatus::InProgress,
            status,
            self.options.language,
            Utc::now(),
        );
        let at = status
            .created_date
            .as_deref()
            .and_then(crate::parse_api_datetime)
            .unwrap_or(mapped.at);
        Receipt {
            provider_reference: status.letter_id.to_string(),
            status: mapped.status,
            at,
            note: Some(format!(
                "E-POST letter {} found by delivery id (status {})",
                status.letter_id, status.status_id
            )),
        }
    }

    async fn find(&self, delivery: DeliveryId) -> Result<Option<Receipt>, EpostError> {
        let found = self.account.find_by_custom1(&delivery.to_string()).await?;
        Ok(self.pick(delivery, found).map(|s| self.receipt_of(&s)))
    }
}

fn sender_problems(d: &OutgoingDelivery) -> Vec<Problem> {
    use outbox_model::ProblemCode;
    let mut out = Vec::new();
    if d.sender.name.trim().is_empty() {
        out.push(Problem::new(
            ProblemCode::AddressLine1Missing,
            "sender.name",
            "Der Absendername fehlt (Pflicht auf E-POST-Briefen, E333).",
            "The sender name is missing (mandatory on E-POST letters, E333).",
        ));
    }
    match &d.sender.address {
        None => out.push(Problem::new(
            ProblemCode::AddressZipMissing,
            "sender.address",
            "Die Absenderadresse fehlt (Pflicht auf E-POST-Briefen, E333).",
            "The sender address is missing (mandatory on E-POST letters, E333).",
        )),
        Some(addr) => {
            for mut p in addr.validate().0 {
                p.field = format!("sender.{}", p.field);
                out.push(p);
            }
        }
    }
    out
}

#[async_trait]
impl Channel for EpostChannel {
    fn route(&self) -> Route {
        Route::EpostLetter
    }

    fn capabilities(&self) -> Capabilities {
        let mut c = Capabilities::new(Route::EpostLetter);
        c.max_bytes = Some(MAX_PDF_BYTES);
        c.max_pages = Some(MAX_PAGES as u32);
        c.color = true;
        c.duplex = true;
        c.registered_mail = true;
        c.tracking = true;
        c.reconcile = true;
        c
    }

    async fn check(&self, delivery: &OutgoingDelivery) -> Vec<ReadinessProblem> {
        let mut out = self.check_fields(delivery);
        if out
            .iter()
            .any(|p| matches!(p, ReadinessProblem::OverLimit { .. }))
        {
            return out;
        }
        let docs: Vec<(String, Arc<[u8]>)> = delivery
            .documents
            .iter()
            .map(|d| (d.title.clone(), d.bytes.clone()))
            .collect();
        // Parsing PDFs is CPU work; keep it off the async workers.
        let pdf_problems = tokio::task::spawn_blocking(move || {
            docs.iter()
                // Encryption with an empty user password is fine: the letter is rebuilt
                // unencrypted. A password needed to open it shows up as an error here.
                .filter_map(|(title, bytes)| {
                    outbox_pdf::inspect(bytes)
                        .err()
                        .map(|e| ReadinessProblem::PdfUnusable {
                            reason: format!("{title}: {e}"),
                        })
                })
                .collect::<Vec<_>>()
        })
        .await
        .unwrap_or_else(|e| {
            vec![ReadinessProblem::PdfUnusable {
                reason: format!("the PDF check failed: {e}"),
            }]
        });
        out.extend(pdf_problems);
        out
    }

    async fn send(&self, delivery: &OutgoingDelivery) -> Result<Receipt, ChannelError> {
        if delivery.tenant != self.tenant {
            return Err(self.wrong_tenant(delivery.tenant));
        }
        let problems = self.check_fields(delivery);
        if !problems.is_empty() {
            let text: Vec<String> = problems
                .iter()
                .map(|p| p.message(self.options.language))
                .collect();
            return Err(ChannelError::permanent(problems[0].code(), text.join(" ")));
        }
        let owned = delivery.clone();
        let options = self.options.letter.clone();
        let today = Utc::now().date_naive();
        // PDF work is CPU-bound; keep it off the async workers.
        let (letter, pages) = tokio::task::spawn_blocking(move || {
            let pdf = compose_pdf(&owned, &options, today)?;
            build_letter(&owned, &pdf, &options).map(|l| (l, pdf.pages))
        })
        .await
        .map_err(|e| ChannelError::transient(format!("building the letter failed: {e}")))?
        .map_err(|e| self.error(e))?;
        let file_name = letter.file_name.clone();
        tracing::info!(delivery = %delivery.id, tenant = %delivery.tenant, %file_name, pages, "submitting E-POST letter");
        match self
            .account
            .submit_letters(std::slice::from_ref(&letter))
            .await
        {
            Ok(idents) => {
                let Some(ident) = idents.into_iter().next() else {
                    return Err(ChannelError::ambiguous(
                        "E-POST accepted the request but returned no letter id",
                    ));
                };
                Ok(Receipt {
                    provider_reference: ident.letter_id.to_string(),
                    status: DeliveryStatus::InProgress,
                    at: Utc::now(),
                    note: Some(format!(
                        "E-POST letter {} accepted ({pages} pages{})",
                        ident.letter_id,
                        if letter.test_flag { ", test mode" } else { "" }
                    )),
                })
            }
            Err(e) if e.code() == Some("E324") => {
                // The provider already has an identical letter from the last hour: if it is
                // this delivery (an earlier attempt whose answer was lost), that is success.
                tracing::warn!(delivery = %delivery.id, "E-POST reports a duplicate; looking it up");
                match self.find(delivery.id).await {
                    Ok(Some(receipt)) => Ok(receipt),
                    Ok(None) => Err(self.error(e)),
                    Err(lookup) => {
                        let kind = match lookup.kind() {
                            ErrorKind::Permanent => ErrorKind::Permanent,
                            _ => ErrorKind::Ambiguous,
                        };
                        Err(ChannelError::new(kind, self.error(e).message().to_owned())
                            .with_code("E324")
                            .with_source(lookup))
                    }
                }
            }
            Err(e) => Err(self.error(e)),
        }
    }

    async fn poll(&self, requests: &[PollRequest]) -> Result<Vec<StatusUpdate>, ChannelError> {
        let mut wanted: HashMap<i64, &PollRequest> = HashMap::new();
        for r in requests {
            if r.tenant != self.tenant {
                tracing::warn!(delivery = %r.delivery, tenant = %r.tenant, "poll request for another tenant skipped");
                continue;
            }
            match r.provider_reference.trim().parse::<i64>() {
                Ok(id) => {
                    wanted.insert(id, r);
                }
                Err(_) => tracing::warn!(
                    delivery = %r.delivery,
                    reference = %r.provider_reference,
                    "poll request without an E-POST letter id skipped"
                ),
            }
        }
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        let mut ids: Vec<i64> = wanted.keys().copied().collect();
        ids.sort_unstable();
        let statuses = self
            .account
            .status_query(&ids)
            .await
            .map_err(|e| self.error(e))?;
        let now = Utc::now();
        let mut out = Vec::new();
        for st in &statuses {
            let Some(req) = wanted.remove(&st.letter_id) else {
                continue;
            };
            let mapped = map_status(&req.status, st, self.options.language, now);
            let unknown = matches!(mapped.state, LetterState::Unknown(_));
            if mapped.status != req.status || mapped.tracking.is_some() || unknown {
                out.push(StatusUpdate {
                    delivery: req.delivery,
                    status: mapped.status,
                    at: mapped.at,
                    downloads: Vec::new(),
                    tracking: mapped.tracking,
                    note: mapped.note,
                });
            }
        }
        Ok(out)
    }

    async fn reconcile(
        &self,
        tenant: TenantId,
        delivery: DeliveryId,
    ) -> Result<Option<Receipt>, ChannelError> {
        if tenant != self.tenant {
            return Err(self.wrong_tenant(tenant));
        }
        self.find(delivery).await.map_err(|e| self.error(e))
    }
}
