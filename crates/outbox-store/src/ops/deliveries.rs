// Deliveries: planning, status changes, queries.

pub(crate) async fn insert_deliveries(
    pool: &Pool<Db>,
    now: DateTime<Utc>,
    tenant: TenantId,
    planned: &[NewDelivery],
    by: &str,
) -> Result<Vec<DeliveryId>> {
    let t = db_id(tenant.0, "tenant")?;
    let mut all_docs = std::collections::BTreeSet::new();
    for p in planned {
        if p.documents.is_empty() {
            return Err(StoreError::InvalidInput(
                "a delivery needs at least one document".into(),
            ));
        }
        let mut seen = std::collections::HashSet::new();
        if let Some(dup) = p.documents.iter().find(|d| !seen.insert(**d)) {
            return Err(StoreError::InvalidInput(format!(
                "document {dup} appears twice in one delivery"
            )));
        }
        for d in &p.documents {
            all_docs.insert(db_id(d.0, "document")?);
        }
    }
    if planned.is_empty() {
        return Ok(Vec::new());
    }
    let now_us = micros(now);
    let mut tx = pool.begin_with(BEGIN_WRITE).await?;
    // Deleted documents must not get new deliveries; foreign ones are caught the same way.
    let all_docs: Vec<i64> = all_docs.into_iter().collect();
    for chunk in all_docs.chunks(CHUNK) {
        let mut qb = QueryBuilder::<Db>::new("SELECT id FROM documents WHERE tenant_id = ");
        qb.push_bind(t).push(" AND deleted_at IS NULL AND id IN (");
        push_id_list(&mut qb, chunk.iter().copied());
        qb.push(")");
        let found: std::collections::HashSet<i64> = qb
            .build()
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| r.try_get::<i64, _>(0))
            .collect::<Result<_, _>>()?;
        if let Some(missing) = chunk.iter().find(|d| !found.contains(d)) {
            return Err(StoreError::not_found("document", missing));
        }
    }
    let ids = allocate_ids(&mut tx, IdTable::Deliveries, planned.len()).await?;
    let rows: Vec<(i64, &NewDelivery, i64, Option<i64>)> = ids
        .iter()
        .zip(planned)
        .map(|(id, p)| {
            Ok((
                *id,
                p,
                db_id(p.recipient.0, "contact")?,
                p.collector.map(|c| db_id(c.0, "collector")).transpose()?,
            ))
        })
        .collect::<Result<_>>()?;
    let map_ref = |e: sqlx::Error| match StoreError::from(e) {
        StoreError::UnknownReference(_) => StoreError::UnknownReference(
            "a recipient or collector does not exist in this tenant".into(),
        ),
        other => other,
    };
    for chunk in rows.chunks(CHUNK) {
        let mut qb = QueryBuilder::<Db>::new(
            "INSERT INTO deliveries (id, tenant_id, recipient_id, route, collector_id, status, \
             created_at, created_by, changed_at) ",
        );
        qb.push_values(chunk, |mut b, (id, p, recipient, collector)| {
            b.push_bind(*id)
                .push_bind(t)
                .push_bind(*recipient)
                .push_bind(p.route.as_str())
                .push_bind(*collector)
                .push_bind("prepared")
                .push_bind(now_us)
                .push_bind(by.to_owned())
                .push_bind(now_us);
        });
        qb.build().execute(&mut *tx).await.map_err(map_ref)?;
    }
    let doc_rows: Vec<(i64, i64, i64)> = rows
        .iter()
        .flat_map(|(id, p, _, _)| {
            p.documents
                .iter()
                .enumerate()
                .map(move |(pos, d)| (*id, pos as i64, d.0 as i64))
        })
        .collect();
    for chunk in doc_rows.chunks(CHUNK) {
        let mut qb = QueryBuilder::<Db>::new(
            "INSERT INTO delivery_documents (tenant_id, delivery_id, position, document_id) ",
        );
        qb.push_values(chunk, |mut b, (id, pos, doc)| {
            b.push_bind(t)
                .push_bind(*id)
                .push_bind(*pos)
                .push_bind(*doc);
        });
        qb.build().execute(&mut *tx).await.map_err(map_ref)?;
    }
    let history = ids
        .iter()
        .map(|id| HistoryEntry::new(t, *id, now_us, None, &DeliveryStatus::Prepared, by))
        .collect::<Result<Vec<_>>>()?;
    insert_history(&mut tx, &history).await?;
    tx.commit().await?;
    ids.into_iter()
        .map(|id| Ok(DeliveryId(model_id(id)?)))
        .collect()
}

pub(crate) async fn delivery_row(
    pool: &Pool<Db>,
    tenant: TenantId,
    id: DeliveryId,
) -> Result<DeliveryRow> {
    let row = sqlx::query(concat!(
        "SELECT ",
        delivery_columns!(),
        " FROM deliveries d WHERE d.tenant_id = $1 AND d.id = $2"
    ))
    .bind(db_id(tenant.0, "tenant")?)
    .bind(db_id(id.0, "delivery")?)
    .fetch_optional(pool)
    .await?;
    let mut rows = vec![
        row.as_ref()
            .map(delivery_from_row)
            .transpose()?
            .ok_or_else(|| StoreError::not_found("delivery", id))?,
    ];
    attach_documents(pool, &mut rows).await?;
    Ok(rows.remove(0))
}

pub(crate) async fn history(
    pool: &Pool<Db>,
    tenant: TenantId,
    id: DeliveryId,
) -> Result<Vec<StatusChange>> {
    let t = db_id(tenant.0, "tenant")?;
    let d = db_id(id.0, "delivery")?;
    let exists: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM deliveries WHERE tenant_id = $1 AND id = $2")
            .bind(t)
            .bind(d)
            .fetch_one(pool)
            .await?;
    if exists == 0 {
        return Err(StoreError::not_found("delivery", id));
    }
    sqlx::query(
        "SELECT at, from_status, to_status, by_who FROM delivery_history \
         WHERE tenant_id = $1 AND delivery_id = $2 ORDER BY id",
    )
    .bind(t)
    .bind(d)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| {
        let from: Option<String> = r.try_get(1)?;
        Ok(StatusChange {
            at: time(r.try_get(0)?)?,
            from: from.as_deref().map(from_json).transpose()?,
            to: from_json(r.try_get::<&str, _>(2)?)?,
            by: r.try_get(3)?,
        })
    })
    .collect()
}

pub(crate) async fn transition(
    pool: &Pool<Db>,
    now: DateTime<Utc>,
    tenant: TenantId,
    id: DeliveryId,
    to: &DeliveryStatus,
    by: &str,
) -> Result<StatusChange> {
    if *to == DeliveryStatus::InProgress {
        return Err(StoreError::InvalidInput(
            "a delivery enters InProgress only through claim(), which gives it a lease".into(),
        ));
    }
    let t = db_id(tenant.0, "tenant")?;
    let d = db_id(id.0, "delivery")?;
    let mut tx = pool.begin_with(BEGIN_WRITE).await?;
    let rows = lock_deliveries(&mut tx, t, &[d]).await?;
    let row = rows
        .first()
        .ok_or_else(|| StoreError::not_found("delivery", id))?;
    let from = row.status.clone();
    apply_transition(&mut tx, &rows, to, micros(now), by, true).await?;
    tx.commit().await?;
    Ok(StatusChange {
        at: time(micros(now))?,
        from: Some(from),
        to: to.clone(),
        by: by.to_owned(),
    })
}

pub(crate) async fn queue(
    pool: &Pool<Db>,
    now: DateTime<Utc>,
    tenant: TenantId,
    ids: &[DeliveryId],
    by: &str,
) -> Result<()> {
    let t = db_id(tenant.0, "tenant")?;
    let raw = ids
        .iter()
        .map(|d| db_id(d.0, "delivery"))
        .collect::<Result<Vec<_>>>()?;
    let mut tx = pool.begin_with(BEGIN_WRITE).await?;
    let rows = lock_deliveries(&mut tx, t, &raw).await?;
    if let Some(missing) = ids.iter().find(|id| !rows.iter().any(|r| r.id == **id)) {
        return Err(StoreError::not_found("delivery", missing));
    }
    apply_transition(
        &mut tx,
        &rows,
        &DeliveryStatus::Queued,
        micros(now),
        by,
        true,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn find_by_provider_reference(
    pool: &Pool<Db>,
    tenant: TenantId,
    reference: &str,
) -> Result<Option<DeliveryRow>> {
    let row = sqlx::query(concat!(
        "SELECT ", delivery_columns!(),
        " FROM deliveries d WHERE d.tenant_id = $1 AND d.provider_reference = $2 ORDER BY d.id LIMIT 1"
    ))
    .bind(db_id(tenant.0, "tenant")?)
    .bind(reference)
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let mut rows = vec![delivery_from_row(&row)?];
    attach_documents(pool, &mut rows).await?;
    Ok(rows.pop())
}

pub(crate) async fn open_deliveries(
    pool: &Pool<Db>,
    tenant: TenantId,
    route: Route,
    limit: u32,
) -> Result<Vec<DeliveryRow>> {
    let (_, limit) = page_bounds(Page::first(limit))?;
    let mut rows = sqlx::query(concat!(
        "SELECT ", delivery_columns!(),
        " FROM deliveries d WHERE d.tenant_id = $1 AND d.route = $2 AND d.status IN ('in_progress', 'sent') \
         AND (d.status = 'sent' OR (d.lease_owner IS NULL AND d.provider_reference IS NOT NULL)) \
         ORDER BY d.id LIMIT $3"
    ))
    .bind(db_id(tenant.0, "tenant")?)
    .bind(route.as_str())
    .bind(limit)
    .fetch_all(pool)
    .await?
    .iter()
    .map(delivery_from_row)
    .collect::<Result<Vec<_>>>()?;
    attach_documents(pool, &mut rows).await?;
    Ok(rows)
}

pub(crate) async fn downloaded_since(
    pool: &Pool<Db>,
    tenant: TenantId,
    route: Route,
    since: DateTime<Utc>,
    limit: u32,
) -> Result<Vec<DeliveryRow>> {
    let (_, limit) = page_bounds(Page::first(limit))?;
    let mut rows = sqlx::query(concat!(
        "SELECT ", delivery_columns!(),
        " FROM deliveries d WHERE d.tenant_id = $1 AND d.route = $2 AND d.status = 'downloaded' \
         AND d.changed_at >= $3 ORDER BY d.id LIMIT $4"
    ))
    .bind(db_id(tenant.0, "tenant")?)
    .bind(route.as_str())
    .bind(micros(since))
    .bind(limit)
    .fetch_all(pool)
    .await?
    .iter()
    .map(delivery_from_row)
    .collect::<Result<Vec<_>>>()?;
    attach_documents(pool, &mut rows).await?;
    Ok(rows)
}

pub(crate) async fn expired_leases(
    pool: &Pool<Db>,
    now: DateTime<Utc>,
    limit: u32,
) -> Result<Vec<DeliveryRow>> {
    let (_, limit) = page_bounds(Page::first(limit))?;
    let mut rows = sqlx::query(concat!(
        "SELECT ", delivery_columns!(),
        " FROM deliveries d WHERE d.status = 'in_progress' AND d.lease_until IS NOT NULL AND d.lease_until <= $1 \
         ORDER BY d.lease_until LIMIT $2"
    ))
    .bind(micros(now))
    .bind(limit)
    .fetch_all(pool)
    .await?
    .iter()
    .map(delivery_from_row)
    .collect::<Result<Vec<_>>>()?;
    attach_documents(pool, &mut rows).await?;
    Ok(rows)
}
