// Shares (download links, portal shares) and download records.

const SHARE_COLUMNS: &str =
    "id, tenant_id, delivery_id, route, expires_at, token_hash, created_at, revoked_at";

fn share_from_row(r: &DbRow) -> Result<Share> {
    Ok(Share {
        id: r.try_get(0)?,
        tenant: TenantId(model_id(r.try_get(1)?)?),
        delivery: DeliveryId(model_id(r.try_get(2)?)?),
        route: route(r.try_get::<&str, _>(3)?)?,
        expires_at: time(r.try_get(4)?)?,
        token_hash: r.try_get(5)?,
        created_at: time(r.try_get(6)?)?,
        revoked_at: opt_time(r.try_get(7)?)?,
    })
}

pub(crate) async fn create_share(
    pool: &Pool<Db>,
    now: DateTime<Utc>,
    tenant: TenantId,
    share: &NewShare,
) -> Result<Share> {
    let t = db_id(tenant.0, "tenant")?;
    let d = db_id(share.delivery.0, "delivery")?;
    if share.id.is_empty() || share.token_hash.is_empty() {
        return Err(StoreError::InvalidInput(
            "a share needs an id and a token hash".into(),
        ));
    }
    let exists: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM deliveries WHERE tenant_id = $1 AND id = $2")
            .bind(t)
            .bind(d)
            .fetch_one(pool)
            .await?;
    if exists == 0 {
        return Err(StoreError::not_found("delivery", share.delivery));
    }
    sqlx::query(
        "INSERT INTO shares (id, tenant_id, delivery_id, route, token_hash, expires_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&share.id)
    .bind(t)
    .bind(d)
    .bind(share.route.as_str())
    .bind(&share.token_hash)
    .bind(micros(share.expires_at))
    .bind(micros(now))
    .execute(pool)
    .await
    .map_err(|e| match e {
        sqlx::Error::Database(db) if db.kind() == sqlx::error::ErrorKind::UniqueViolation => {
            StoreError::Conflict("a share with this id or token already exists; use fresh random values".into())
        }
        other => other.into(),
    })?;
    Ok(Share {
        id: share.id.clone(),
        tenant,
        delivery: share.delivery,
        route: share.route,
        expires_at: time(micros(share.expires_at))?,
        token_hash: share.token_hash.clone(),
        created_at: time(micros(now))?,
        revoked_at: None,
    })
}

pub(crate) async fn get_share(pool: &Pool<Db>, tenant: TenantId, id: &str) -> Result<Share> {
    let mut qb = QueryBuilder::<Db>::new("SELECT ");
    qb.push(SHARE_COLUMNS)
        .push(" FROM shares WHERE tenant_id = ")
        .push_bind(db_id(tenant.0, "tenant")?)
        .push(" AND id = ")
        .push_bind(id.to_owned());
    let row = qb.build().fetch_optional(pool).await?;
    row.as_ref()
        .map(share_from_row)
        .transpose()?
        .ok_or_else(|| StoreError::not_found("share", id))
}

pub(crate) async fn find_share_by_token_hash(
    pool: &Pool<Db>,
    token_hash: &[u8],
) -> Result<Option<Share>> {
    let mut qb = QueryBuilder::<Db>::new("SELECT ");
    qb.push(SHARE_COLUMNS)
        .push(" FROM shares WHERE token_hash = ")
        .push_bind(token_hash.to_vec());
    let row = qb.build().fetch_optional(pool).await?;
    row.as_ref().map(share_from_row).transpose()
}

pub(crate) async fn revoke_share(
    pool: &Pool<Db>,
    now: DateTime<Utc>,
    tenant: TenantId,
    id: &str,
) -> Result<()> {
    let n = sqlx::query(
        "UPDATE shares SET revoked_at = COALESCE(revoked_at, $1) WHERE tenant_id = $2 AND id = $3",
    )
    .bind(micros(now))
    .bind(db_id(tenant.0, "tenant")?)
    .bind(id)
    .execute(pool)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(StoreError::not_found("share", id));
    }
    Ok(())
}

pub(crate) async fn record_download(
    pool: &Pool<Db>,
    tenant: TenantId,
    record: &DownloadRecord,
) -> Result<DownloadRecorded> {
    let t = db_id(tenant.0, "tenant")?;
    let d = db_id(record.delivery.0, "delivery")?;
    let doc = db_id(record.document.0, "document")?;
    let at = micros(record.at);
    let mut tx = pool.begin_with(BEGIN_WRITE).await?;
    let rows = lock_deliveries(&mut tx, t, &[d]).await?;
    let row = rows
        .first()
        .ok_or_else(|| StoreError::not_found("delivery", record.delivery))?;
    let part: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM delivery_documents WHERE delivery_id = $1 AND document_id = $2",
    )
    .bind(d)
    .bind(doc)
    .fetch_one(&mut *tx)
    .await?;
    if part == 0 {
        return Err(StoreError::InvalidInput(format!(
            "document {} is not part of delivery {}",
            record.document, record.delivery
        )));
    }
    sqlx::query(
        "INSERT INTO download_records (tenant_id, delivery_id, document_id, route, at, by_who) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(t)
    .bind(d)
    .bind(doc)
    .bind(record.route.as_str())
    .bind(at)
    .bind(&record.by)
    .execute(&mut *tx)
    .await?;
    // Only the first download of a sent delivery changes its status; later ones are proof only.
    let first = row.status == DeliveryStatus::Sent
        && !apply_transition(
            &mut tx,
            &rows,
            &DeliveryStatus::Downloaded,
            at,
            &record.by,
            false,
        )
        .await?
        .is_empty();
    tx.commit().await?;
    Ok(DownloadRecorded { first })
}

pub(crate) async fn list_downloads(
    pool: &Pool<Db>,
    tenant: TenantId,
    delivery: DeliveryId,
) -> Result<Vec<DownloadRecord>> {
    sqlx::query(
        "SELECT delivery_id, document_id, route, at, by_who FROM download_records \
         WHERE tenant_id = $1 AND delivery_id = $2 ORDER BY id",
    )
    .bind(db_id(tenant.0, "tenant")?)
    .bind(db_id(delivery.0, "delivery")?)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| {
        Ok(DownloadRecord {
            delivery: DeliveryId(model_id(r.try_get(0)?)?),
            document: DocumentId(model_id(r.try_get(1)?)?),
            route: route(r.try_get::<&str, _>(2)?)?,
            at: time(r.try_get(3)?)?,
            by: r.try_get(4)?,
        })
    })
    .collect()
}
