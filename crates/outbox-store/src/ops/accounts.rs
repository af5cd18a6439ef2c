// E-POST accounts: encrypted credentials and the shared poll rate limit.

fn credentials_context(tenant: TenantId) -> Vec<u8> {
    format!("outbox-store/epost-credentials/tenant/{tenant}").into_bytes()
}

pub(crate) async fn save_epost_credentials(
    pool: &Pool<Db>,
    now: DateTime<Utc>,
    tenant: TenantId,
    key: &crate::StoreKey,
    secret: &crate::SecretBytes,
) -> Result<()> {
    let (nonce, sealed) = key.seal(&credentials_context(tenant), secret.expose())?;
    sqlx::query(
        "INSERT INTO epost_accounts (tenant_id, nonce, secret, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (tenant_id) DO UPDATE SET nonce = excluded.nonce, secret = excluded.secret, \
         updated_at = excluded.updated_at",
    )
    .bind(db_id(tenant.0, "tenant")?)
    .bind(nonce)
    .bind(sealed)
    .bind(micros(now))
    .execute(pool)
    .await
    .map_err(|e| match StoreError::from(e) {
        StoreError::UnknownReference(_) => StoreError::not_found("tenant", tenant),
        other => other,
    })?;
    Ok(())
}

pub(crate) async fn load_epost_credentials(
    pool: &Pool<Db>,
    tenant: TenantId,
    key: &crate::StoreKey,
) -> Result<Option<crate::SecretBytes>> {
    let row = sqlx::query("SELECT nonce, secret FROM epost_accounts WHERE tenant_id = $1")
        .bind(db_id(tenant.0, "tenant")?)
        .fetch_optional(pool)
        .await?;
    let Some(r) = row else { return Ok(None) };
    let nonce: Vec<u8> = r.try_get(0)?;
    let sealed: Vec<u8> = r.try_get(1)?;
    Ok(Some(crate::SecretBytes::new(key.open(
        &credentials_context(tenant),
        &nonce,
        &sealed,
    )?)))
}

pub(crate) async fn delete_epost_credentials(pool: &Pool<Db>, tenant: TenantId) -> Result<bool> {
    let n = sqlx::query("DELETE FROM epost_accounts WHERE tenant_id = $1")
        .bind(db_id(tenant.0, "tenant")?)
        .execute(pool)
        .await?
        .rows_affected();
    Ok(n > 0)
}

pub(crate) async fn try_acquire_poll_slot(
    pool: &Pool<Db>,
    now: DateTime<Utc>,
    tenant: TenantId,
    account: &str,
    min_interval: std::time::Duration,
) -> Result<bool> {
    let t = db_id(tenant.0, "tenant")?;
    let now_us = micros(now);
    let threshold = now_us.saturating_sub(duration_micros(min_interval)?);
    sqlx::query(
        "INSERT INTO poll_slots (tenant_id, account, last_poll_at) VALUES ($1, $2, $3) \
         ON CONFLICT (tenant_id, account) DO NOTHING",
    )
    .bind(t)
    .bind(account)
    .bind(i64::MIN)
    .execute(pool)
    .await
    .map_err(|e| match StoreError::from(e) {
        StoreError::UnknownReference(_) => StoreError::not_found("tenant", tenant),
        other => other,
    })?;
    // One atomic conditional update: of several workers racing, exactly one wins the slot.
    let n = sqlx::query(
        "UPDATE poll_slots SET last_poll_at = $1 WHERE tenant_id = $2 AND account = $3 AND last_poll_at <= $4",
    )
    .bind(now_us)
    .bind(t)
    .bind(account)
    .bind(threshold)
    .execute(pool)
    .await?
    .rows_affected();
    Ok(n == 1)
}
