// Helpers shared by the operations of one backend (included into each backend module).

/// A delivery row (without documents) from `delivery_columns!()`.
fn delivery_from_row(r: &DbRow) -> Result<DeliveryRow> {
    let id = DeliveryId(model_id(r.try_get(0)?)?);
    let tenant = TenantId(model_id(r.try_get(1)?)?);
    let fence: i64 = r.try_get(9)?;
    let lease_owner: Option<String> = r.try_get(10)?;
    let lease_until: Option<i64> = r.try_get(11)?;
    let lease = match (lease_owner, lease_until) {
        (Some(worker), Some(until)) => Some(Lease {
            tenant,
            delivery: id,
            worker,
            token: fence,
            expires_at: time(until)?,
        }),
        _ => None,
    };
    let collector: Option<i64> = r.try_get(4)?;
    Ok(DeliveryRow {
        id,
        tenant,
        recipient: ContactId(model_id(r.try_get(2)?)?),
        route: route(r.try_get::<&str, _>(3)?)?,
        documents: Vec::new(),
        collector: collector.map(model_id).transpose()?.map(CollectorId),
        status: status_from_columns(r.try_get::<&str, _>(5)?, r.try_get(6)?, r.try_get(7)?)?,
        attempts: u32_col(r.try_get(8)?, "attempts")?,
        provider_reference: r.try_get(13)?,
        created_at: time(r.try_get(14)?)?,
        changed_at: time(r.try_get(15)?)?,
        lease,
        not_before: opt_time(r.try_get(12)?)?,
    })
}

/// Fills `documents` of each delivery with one query.
async fn attach_documents<'e, E>(exec: E, rows: &mut [DeliveryRow]) -> Result<()>
where
    E: sqlx::Executor<'e, Database = Db>,
{
    if rows.is_empty() {
        return Ok(());
    }
    let docs = documents_of_deliveries(exec, rows.iter().map(|r| r.id.0 as i64)).await?;
    for r in rows.iter_mut() {
        r.documents = docs.get(&(r.id.0 as i64)).cloned().unwrap_or_default();
    }
    Ok(())
}

/// Documents (in order) of the given deliveries.
async fn documents_of_deliveries<'e, E>(
    exec: E,
    ids: impl Iterator<Item = i64>,
) -> Result<std::collections::HashMap<i64, Vec<DocumentId>>>
where
    E: sqlx::Executor<'e, Database = Db>,
{
    let mut qb = QueryBuilder::<Db>::new(
        "SELECT delivery_id, document_id FROM delivery_documents WHERE delivery_id IN (",
    );
    push_id_list(&mut qb, ids);
    qb.push(") ORDER BY delivery_id, position");
    let mut out: std::collections::HashMap<i64, Vec<DocumentId>> = Default::default();
    for r in qb.build().fetch_all(exec).await? {
        let d: i64 = r.try_get(0)?;
        out.entry(d)
            .or_default()
            .push(DocumentId(model_id(r.try_get(1)?)?));
    }
    Ok(out)
}

/// Pushes `a, b, c` as bound parameters (at least one element must follow, else `NULL`).
fn push_id_list(qb: &mut QueryBuilder<Db>, ids: impl Iterator<Item = i64>) {
    let mut any = false;
    let mut sep = qb.separated(", ");
    for id in ids {
        sep.push_bind(id);
        any = true;
    }
    if !any {
        sep.push("NULL");
    }
}

/// Writes history rows in as few statements as possible.
async fn insert_history(tx: &mut Transaction<'static, Db>, rows: &[HistoryEntry]) -> Result<()> {
    for chunk in rows.chunks(CHUNK) {
        let mut qb = QueryBuilder::<Db>::new(
            "INSERT INTO delivery_history (tenant_id, delivery_id, at, from_status, to_status, by_who) ",
        );
        qb.push_values(chunk, |mut b, h| {
            b.push_bind(h.tenant)
                .push_bind(h.delivery)
                .push_bind(h.at)
                .push_bind(h.from.clone())
                .push_bind(h.to.clone())
                .push_bind(h.by.clone());
        });
        qb.build().execute(&mut **tx).await?;
    }
    Ok(())
}

/// Loads deliveries of a tenant by id (locking them on PostgreSQL), in id order.
async fn lock_deliveries(
    tx: &mut Transaction<'static, Db>,
    tenant: i64,
    ids: &[i64],
) -> Result<Vec<DeliveryRow>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        let mut qb = QueryBuilder::<Db>::new(concat!(
            "SELECT ",
            delivery_columns!(),
            " FROM deliveries d WHERE d.tenant_id = "
        ));
        qb.push_bind(tenant).push(" AND d.id IN (");
        push_id_list(&mut qb, chunk.iter().copied());
        qb.push(") ORDER BY d.id");
        qb.push(FOR_UPDATE);
        for r in qb.build().fetch_all(&mut **tx).await? {
            out.push(delivery_from_row(&r)?);
        }
    }
    Ok(out)
}

/// Moves the given (locked) deliveries to `to` where the state machine allows it; with
/// `all_or_nothing` an illegal transition refuses the whole set, otherwise it is skipped.
/// Returns the ids that changed.
async fn apply_transition(
    tx: &mut Transaction<'static, Db>,
    rows: &[DeliveryRow],
    to: &DeliveryStatus,
    now: i64,
    by: &str,
    all_or_nothing: bool,
) -> Result<Vec<i64>> {
    let mut changed = Vec::new();
    let mut history = Vec::new();
    for r in rows {
        if let Some(lease) = &r.lease {
            if all_or_nothing {
                return Err(StoreError::Leased {
                    delivery: r.id,
                    worker: lease.worker.clone(),
                });
            }
            continue;
        }
        match r.status.check_transition(to) {
            Ok(()) => {
                changed.push(r.id.0 as i64);
                history.push(HistoryEntry::new(
                    r.tenant.0 as i64,
                    r.id.0 as i64,
                    now,
                    Some(&r.status),
                    to,
                    by,
                )?);
            }
            Err(e) if all_or_nothing => return Err(e.into()),
            Err(_) => {}
        }
    }
    if changed.is_empty() {
        return Ok(changed);
    }
    let (kind, reason, retryable) = status_columns(to);
    for chunk in changed.chunks(CHUNK) {
        let mut qb = QueryBuilder::<Db>::new("UPDATE deliveries SET status = ");
        qb.push_bind(kind)
            .push(", fail_reason = ")
            .push_bind(reason.map(str::to_owned))
            .push(", fail_retryable = ")
            .push_bind(retryable)
            .push(", not_before = NULL, changed_at = ")
            .push_bind(now)
            .push(" WHERE id IN (");
        push_id_list(&mut qb, chunk.iter().copied());
        qb.push(")");
        qb.build().execute(&mut **tx).await?;
    }
    insert_history(tx, &history).await?;
    Ok(changed)
}

/// Whether a live document with this id exists in the tenant.
async fn document_exists<'e, E>(exec: E, tenant: i64, document: i64) -> Result<bool>
where
    E: sqlx::Executor<'e, Database = Db>,
{
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM documents WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL",
    )
    .bind(tenant)
    .bind(document)
    .fetch_one(exec)
    .await?;
    Ok(n > 0)
}
