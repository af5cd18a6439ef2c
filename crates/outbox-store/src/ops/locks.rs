// Edit locks: leases on documents while someone edits them.

async fn lock_holder<'e, E>(exec: E, document: i64) -> Result<Option<(String, i64)>>
where
    E: sqlx::Executor<'e, Database = Db>,
{
    let row = sqlx::query("SELECT owner, expires_at FROM edit_locks WHERE document_id = $1")
        .bind(document)
        .fetch_optional(exec)
        .await?;
    row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).transpose()
}

pub(crate) async fn acquire_lock(
    pool: &Pool<Db>,
    now: DateTime<Utc>,
    tenant: TenantId,
    document: DocumentId,
    owner: &str,
    ttl: std::time::Duration,
) -> Result<EditLock> {
    if owner.is_empty() {
        return Err(StoreError::InvalidInput(
            "the lock owner must not be empty".into(),
        ));
    }
    let t = db_id(tenant.0, "tenant")?;
    let d = db_id(document.0, "document")?;
    let now_us = micros(now);
    let until = now_us
        .checked_add(duration_micros(ttl)?)
        .ok_or_else(|| StoreError::InvalidInput("lock too long".into()))?;
    let mut tx = pool.begin_with(BEGIN_WRITE).await?;
    if !document_exists(&mut *tx, t, d).await? {
        return Err(StoreError::not_found("document", document));
    }
    let n = sqlx::query(
        "INSERT INTO edit_locks (document_id, tenant_id, owner, expires_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (document_id) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at \
         WHERE edit_locks.owner = excluded.owner OR edit_locks.expires_at <= $5",
    )
    .bind(d)
    .bind(t)
    .bind(owner)
    .bind(until)
    .bind(now_us)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        let (holder, expires) = lock_holder(&mut *tx, d).await?.ok_or_else(|| {
            StoreError::Conflict("the edit lock changed meanwhile; try again".into())
        })?;
        return Err(StoreError::LockHeld {
            owner: holder,
            expires_at: time(expires)?,
        });
    }
    tx.commit().await?;
    Ok(EditLock {
        document,
        owner: owner.to_owned(),
        expires_at: time(until)?,
    })
}

pub(crate) async fn renew_lock(
    pool: &Pool<Db>,
    now: DateTime<Utc>,
    tenant: TenantId,
    document: DocumentId,
    owner: &str,
    ttl: std::time::Duration,
) -> Result<EditLock> {
    let t = db_id(tenant.0, "tenant")?;
    let d = db_id(document.0, "document")?;
    let now_us = micros(now);
    let until = now_us
        .checked_add(duration_micros(ttl)?)
        .ok_or_else(|| StoreError::InvalidInput("lock too long".into()))?;
    let n = sqlx::query(
        "UPDATE edit_locks SET expires_at = $1 WHERE tenant_id = $2 AND document_id = $3 AND owner = $4 \
         AND expires_at > $5",
    )
    .bind(until)
    .bind(t)
    .bind(d)
    .bind(owner)
    .bind(now_us)
    .execute(pool)
    .await?
    .rows_affected();
    if n == 0 {
        let holder: Option<(String, i64)> = sqlx::query(
            "SELECT owner, expires_at FROM edit_locks WHERE tenant_id = $1 AND document_id = $2",
        )
        .bind(t)
        .bind(d)
        .fetch_optional(pool)
        .await?
        .map(|r| Ok::<_, StoreError>((r.try_get(0)?, r.try_get(1)?)))
        .transpose()?;
        return Err(match holder {
            Some((h, exp)) if h != owner && exp > now_us => StoreError::LockHeld {
                owner: h,
                expires_at: time(exp)?,
            },
            _ => StoreError::not_found("edit lock of document", document),
        });
    }
    Ok(EditLock {
        document,
        owner: owner.to_owned(),
        expires_at: time(until)?,
    })
}

pub(crate) async fn release_lock(
    pool: &Pool<Db>,
    tenant: TenantId,
    document: DocumentId,
    owner: &str,
) -> Result<bool> {
    let n = sqlx::query(
        "DELETE FROM edit_locks WHERE tenant_id = $1 AND document_id = $2 AND owner = $3",
    )
    .bind(db_id(tenant.0, "tenant")?)
    .bind(db_id(document.0, "document")?)
    .bind(owner)
    .execute(pool)
    .await?
    .rows_affected();
    Ok(n > 0)
}

pub(crate) async fn get_lock(
    pool: &Pool<Db>,
    now: DateTime<Utc>,
    tenant: TenantId,
    document: DocumentId,
) -> Result<Option<EditLock>> {
    let row = sqlx::query("SELECT owner, expires_at FROM edit_locks WHERE tenant_id = $1 AND document_id = $2 AND expires_at > $3")
        .bind(db_id(tenant.0, "tenant")?)
        .bind(db_id(document.0, "document")?)
        .bind(micros(now))
        .fetch_optional(pool)
        .await?;
    row.map(|r| {
        Ok(EditLock {
            document,
            owner: r.try_get(0)?,
            expires_at: time(r.try_get(1)?)?,
        })
    })
    .transpose()
}
