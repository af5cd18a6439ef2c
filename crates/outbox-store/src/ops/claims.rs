// Work claiming for the dispatcher: leases with fencing tokens.

/// Condition excluding deliveries with a document under an active edit lock (`$1` = now).
macro_rules! not_edit_locked {
    () => {
        " AND NOT EXISTS (SELECT 1 FROM delivery_documents dd JOIN edit_locks l \
         ON l.document_id = dd.document_id WHERE dd.delivery_id = d.id AND l.expires_at > $1)"
    };
}

const CLAIM_RETURNING: &str = " RETURNING id, tenant_id, recipient_id, route, collector_id, attempts, fence, provider_reference";

pub(crate) async fn claim(
    pool: &Pool<Db>,
    now: DateTime<Utc>,
    batch: u32,
    worker: &str,
    lease: std::time::Duration,
) -> Result<Vec<ClaimedDelivery>> {
    if batch == 0 {
        return Ok(Vec::new());
    }
    if worker.is_empty() {
        return Err(StoreError::InvalidInput(
            "the worker name must not be empty".into(),
        ));
    }
    // The state machine decides; the SQL below only selects rows in the checked status.
    DeliveryStatus::Queued.check_transition(&DeliveryStatus::InProgress)?;
    let now_us = micros(now);
    let until = now_us
        .checked_add(duration_micros(lease)?)
        .ok_or_else(|| StoreError::InvalidInput("lease too long".into()))?;
    let expires_at = time(until)?;
    let mut tx = pool.begin_with(BEGIN_WRITE).await?;
    // Recovery first: a delivery whose worker vanished has waited longest.
    let expired: Vec<i64> = sqlx::query_scalar(skip_locked!(concat!(
        "SELECT d.id FROM deliveries d WHERE d.status = 'in_progress' AND d.lease_until IS NOT NULL \
         AND d.lease_until <= $1",
        not_edit_locked!(),
        " ORDER BY d.lease_until LIMIT $2"
    )))
    .bind(now_us)
    .bind(i64::from(batch))
    .fetch_all(&mut *tx)
    .await?;
    let left = i64::from(batch) - expired.len() as i64;
    let queued: Vec<i64> = if left > 0 {
        sqlx::query_scalar(skip_locked!(concat!(
            "SELECT d.id FROM deliveries d WHERE d.status = 'queued' \
             AND (d.not_before IS NULL OR d.not_before <= $1)",
            not_edit_locked!(),
            " ORDER BY d.id LIMIT $2"
        )))
        .bind(now_us)
        .bind(left)
        .fetch_all(&mut *tx)
        .await?
    } else {
        Vec::new()
    };
    let mut claimed = Vec::with_capacity(expired.len() + queued.len());
    let mut history = Vec::new();
    if !queued.is_empty() {
        let mut qb = QueryBuilder::<Db>::new(
            "UPDATE deliveries SET status = 'in_progress', attempts = attempts + 1, fence = fence + 1, \
             not_before = NULL, lease_owner = ",
        );
        qb.push_bind(worker)
            .push(", lease_until = ")
            .push_bind(until)
            .push(", changed_at = ")
            .push_bind(now_us)
            .push(" WHERE status = 'queued' AND id IN (");
        push_id_list(&mut qb, queued.iter().copied());
        qb.push(")").push(CLAIM_RETURNING);
        for r in qb.build().fetch_all(&mut *tx).await? {
            let c = claimed_from_row(&r, worker, expires_at, false)?;
            history.push(HistoryEntry::new(
                c.lease.tenant.0 as i64,
                c.lease.delivery.0 as i64,
                now_us,
                Some(&DeliveryStatus::Queued),
                &DeliveryStatus::InProgress,
                worker,
            )?);
            claimed.push(c);
        }
    }
    if !expired.is_empty() {
        // Still InProgress: no status change, a new attempt under a new token.
        let mut qb = QueryBuilder::<Db>::new(
            "UPDATE deliveries SET attempts = attempts + 1, fence = fence + 1, lease_owner = ",
        );
        qb.push_bind(worker)
            .push(", lease_until = ")
            .push_bind(until)
            .push(" WHERE status = 'in_progress' AND lease_until <= ")
            .push_bind(now_us)
            .push(" AND id IN (");
        push_id_list(&mut qb, expired.iter().copied());
        qb.push(")").push(CLAIM_RETURNING);
        for r in qb.build().fetch_all(&mut *tx).await? {
            claimed.push(claimed_from_row(&r, worker, expires_at, true)?);
        }
    }
    insert_history(&mut tx, &history).await?;
    if !claimed.is_empty() {
        let docs =
            documents_of_deliveries(&mut *tx, claimed.iter().map(|c| c.lease.delivery.0 as i64))
                .await?;
        for c in &mut claimed {
            c.documents = docs
                .get(&(c.lease.delivery.0 as i64))
                .cloned()
                .unwrap_or_default();
        }
    }
    tx.commit().await?;
    claimed.sort_by_key(|c| c.lease.delivery);
    Ok(claimed)
}

fn claimed_from_row(
    r: &DbRow,
    worker: &str,
    expires_at: DateTime<Utc>,
    reconcile: bool,
) -> Result<ClaimedDelivery> {
    let collector: Option<i64> = r.try_get(4)?;
    Ok(ClaimedDelivery {
        lease: Lease {
            tenant: TenantId(model_id(r.try_get(1)?)?),
            delivery: DeliveryId(model_id(r.try_get(0)?)?),
            worker: worker.to_owned(),
            token: r.try_get(6)?,
            expires_at,
        },
        recipient: ContactId(model_id(r.try_get(2)?)?),
        route: route(r.try_get::<&str, _>(3)?)?,
        documents: Vec::new(),
        collector: collector.map(model_id).transpose()?.map(CollectorId),
        attempt: u32_col(r.try_get(5)?, "attempts")?,
        provider_reference: r.try_get(7)?,
        reconcile,
    })
}

/// Why a fenced update matched no row: the delivery is gone (foreign tenant) or the lease is lost.
async fn lease_failure<'e, E>(exec: E, lease: &Lease) -> StoreError
where
    E: sqlx::Executor<'e, Database = Db>,
{
    let found: std::result::Result<Option<i64>, sqlx::Error> =
        sqlx::query_scalar("SELECT fence FROM deliveries WHERE tenant_id = $1 AND id = $2")
            .bind(lease.tenant.0 as i64)
            .bind(lease.delivery.0 as i64)
            .fetch_optional(exec)
            .await;
    match found {
        Ok(None) => StoreError::not_found("delivery", lease.delivery),
        Ok(Some(_)) => StoreError::LeaseLost {
            delivery: lease.delivery,
            token: lease.token,
        },
        Err(e) => e.into(),
    }
}

pub(crate) async fn complete(
    pool: &Pool<Db>,
    now: DateTime<Utc>,
    lease: &Lease,
    outcome: &Outcome,
) -> Result<()> {
    DeliveryStatus::InProgress.check_transition(&outcome.status)?;
    let (kind, reason, retryable) = status_columns(&outcome.status);
    let d = db_id(lease.delivery.0, "delivery")?;
    let t = db_id(lease.tenant.0, "tenant")?;
    let now_us = micros(now);
    if ONE_STATEMENT_COMPLETE {
        let n = sqlx::query(
            "WITH done AS (UPDATE deliveries SET status = $4, fail_reason = $5, fail_retryable = $6, \
             provider_reference = COALESCE($7, provider_reference), lease_owner = NULL, \
             lease_until = NULL, changed_at = $8 WHERE id = $1 AND tenant_id = $2 AND fence = $3 \
             AND status = 'in_progress' AND lease_owner IS NOT NULL RETURNING id, tenant_id) \
             INSERT INTO delivery_history (tenant_id, delivery_id, at, from_status, to_status, by_who) \
             SELECT tenant_id, id, $8, $9, $10, $11 FROM done",
        )
        .bind(d)
        .bind(t)
        .bind(lease.token)
        .bind(kind)
        .bind(reason)
        .bind(retryable)
        .bind(outcome.provider_reference.as_deref())
        .bind(now_us)
        .bind(to_json(&DeliveryStatus::InProgress)?)
        .bind(to_json(&outcome.status)?)
        .bind(&lease.worker)
        .execute(pool)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(lease_failure(pool, lease).await);
        }
        return Ok(());
    }
    let mut tx = pool.begin_with(BEGIN_WRITE).await?;
    let n = sqlx::query(
        "UPDATE deliveries SET status = $4, fail_reason = $5, fail_retryable = $6, \
         provider_reference = COALESCE($7, provider_reference), lease_owner = NULL, lease_until = NULL, \
         changed_at = $8 WHERE id = $1 AND tenant_id = $2 AND fence = $3 AND status = 'in_progress' \
         AND lease_owner IS NOT NULL",
    )
    .bind(d)
    .bind(t)
    .bind(lease.token)
    .bind(kind)
    .bind(reason)
    .bind(retryable)
    .bind(outcome.provider_reference.as_deref())
    .bind(now_us)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        drop(tx);
        return Err(lease_failure(pool, lease).await);
    }
    let h = HistoryEntry::new(
        t,
        d,
        now_us,
        Some(&DeliveryStatus::InProgress),
        &outcome.status,
        &lease.worker,
    )?;
    insert_history(&mut tx, &[h]).await?;
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn retry(
    pool: &Pool<Db>,
    now: DateTime<Utc>,
    lease: &Lease,
    reason: &str,
    not_before: DateTime<Utc>,
) -> Result<()> {
    let failed = DeliveryStatus::failed(reason, true);
    DeliveryStatus::InProgress.check_transition(&failed)?;
    failed.check_transition(&DeliveryStatus::Queued)?;
    let d = db_id(lease.delivery.0, "delivery")?;
    let t = db_id(lease.tenant.0, "tenant")?;
    let now_us = micros(now);
    let mut tx = pool.begin_with(BEGIN_WRITE).await?;
    let n = sqlx::query(
        "UPDATE deliveries SET status = 'queued', fail_reason = NULL, fail_retryable = NULL, \
         lease_owner = NULL, lease_until = NULL, not_before = $4, changed_at = $5 \
         WHERE id = $1 AND tenant_id = $2 AND fence = $3 AND status = 'in_progress' AND lease_owner IS NOT NULL",
    )
    .bind(d)
    .bind(t)
    .bind(lease.token)
    .bind(micros(not_before))
    .bind(now_us)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        drop(tx);
        return Err(lease_failure(pool, lease).await);
    }
    let h1 = HistoryEntry::new(
        t,
        d,
        now_us,
        Some(&DeliveryStatus::InProgress),
        &failed,
        &lease.worker,
    )?;
    let h2 = HistoryEntry::new(
        t,
        d,
        now_us,
        Some(&failed),
        &DeliveryStatus::Queued,
        &lease.worker,
    )?;
    insert_history(&mut tx, &[h1, h2]).await?;
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn renew(
    pool: &Pool<Db>,
    now: DateTime<Utc>,
    lease: &Lease,
    extend: std::time::Duration,
) -> Result<Lease> {
    let until = micros(now)
        .checked_add(duration_micros(extend)?)
        .ok_or_else(|| StoreError::InvalidInput("lease too long".into()))?;
    let mut qb = QueryBuilder::<Db>::new("UPDATE deliveries SET lease_until = ");
    qb.push_bind(until);
    let n = fenced_update(pool, qb, lease).await?;
    if n == 0 {
        return Err(lease_failure(pool, lease).await);
    }
    Ok(Lease {
        expires_at: time(until)?,
        ..lease.clone()
    })
}

pub(crate) async fn await_provider(pool: &Pool<Db>, lease: &Lease, reference: &str) -> Result<()> {
    let mut qb = QueryBuilder::<Db>::new(
        "UPDATE deliveries SET lease_owner = NULL, lease_until = NULL, provider_reference = ",
    );
    qb.push_bind(reference.to_owned());
    if fenced_update(pool, qb, lease).await? == 0 {
        return Err(lease_failure(pool, lease).await);
    }
    Ok(())
}

pub(crate) async fn record_provider_reference(
    pool: &Pool<Db>,
    lease: &Lease,
    reference: &str,
) -> Result<()> {
    let mut qb = QueryBuilder::<Db>::new("UPDATE deliveries SET provider_reference = ");
    qb.push_bind(reference.to_owned());
    if fenced_update(pool, qb, lease).await? == 0 {
        return Err(lease_failure(pool, lease).await);
    }
    Ok(())
}

/// Appends the fenced condition to an `UPDATE ... SET ...` and runs it; returns rows changed.
async fn fenced_update(pool: &Pool<Db>, mut qb: QueryBuilder<Db>, lease: &Lease) -> Result<u64> {
    qb.push(" WHERE id = ")
        .push_bind(db_id(lease.delivery.0, "delivery")?)
        .push(" AND tenant_id = ")
        .push_bind(db_id(lease.tenant.0, "tenant")?)
        .push(" AND fence = ")
        .push_bind(lease.token)
        .push(" AND status = 'in_progress' AND lease_owner IS NOT NULL");
    Ok(qb.build().execute(pool).await?.rows_affected())
}
