// Collectors ("Sammler").

pub(crate) async fn create_collector(
    pool: &Pool<Db>,
    now: DateTime<Utc>,
    tenant: TenantId,
    name: &str,
    documents: &[DocumentId],
    by: &str,
) -> Result<Collector> {
    let t = db_id(tenant.0, "tenant")?;
    let mut seen = std::collections::HashSet::new();
    if let Some(dup) = documents.iter().find(|d| !seen.insert(**d)) {
        return Err(StoreError::InvalidInput(format!(
            "document {dup} appears twice in the collector"
        )));
    }
    let doc_ids = documents
        .iter()
        .map(|d| db_id(d.0, "document"))
        .collect::<Result<Vec<_>>>()?;
    let mut tx = pool.begin_with(BEGIN_WRITE).await?;
    if !doc_ids.is_empty() {
        let mut qb =
            QueryBuilder::<Db>::new("SELECT id, collector_id FROM documents WHERE tenant_id = ");
        qb.push_bind(t).push(" AND deleted_at IS NULL AND id IN (");
        push_id_list(&mut qb, doc_ids.iter().copied());
        qb.push(")");
        qb.push(FOR_UPDATE);
        let found = qb.build().fetch_all(&mut *tx).await?;
        if let Some(missing) = doc_ids.iter().find(|id| {
            !found
                .iter()
                .any(|r| r.try_get::<i64, _>(0).ok() == Some(**id))
        }) {
            return Err(StoreError::not_found("document", missing));
        }
        for r in &found {
            if let Some(c) = r.try_get::<Option<i64>, _>(1)? {
                return Err(StoreError::Conflict(format!(
                    "document {} already belongs to collector {c}; dissolve it or leave the document out",
                    r.try_get::<i64, _>(0)?
                )));
            }
        }
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO collectors (tenant_id, name, created_by, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(t)
    .bind(name)
    .bind(by)
    .bind(micros(now))
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| match StoreError::from(e) {
        StoreError::UnknownReference(_) => StoreError::not_found("tenant", tenant),
        other => other,
    })?;
    if !doc_ids.is_empty() {
        let rows: Vec<(usize, i64)> = doc_ids.iter().copied().enumerate().collect();
        let mut qb = QueryBuilder::<Db>::new(
            "INSERT INTO collector_documents (tenant_id, collector_id, position, document_id) ",
        );
        qb.push_values(&rows, |mut b, (pos, doc)| {
            b.push_bind(t)
                .push_bind(id)
                .push_bind(*pos as i64)
                .push_bind(*doc);
        });
        qb.build().execute(&mut *tx).await?;
        let mut qb = QueryBuilder::<Db>::new("UPDATE documents SET collector_id = ");
        qb.push_bind(id)
            .push(" WHERE tenant_id = ")
            .push_bind(t)
            .push(" AND id IN (");
        push_id_list(&mut qb, doc_ids.iter().copied());
        qb.push(")");
        qb.build().execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(Collector {
        id: CollectorId(model_id(id)?),
        tenant,
        name: name.to_owned(),
        documents: documents.to_vec(),
        created_by: by.to_owned(),
        created_at: time(micros(now))?,
    })
}

async fn collectors_where(
    pool: &Pool<Db>,
    tenant: i64,
    one: Option<i64>,
) -> Result<Vec<Collector>> {
    let mut qb = QueryBuilder::<Db>::new(
        "SELECT id, tenant_id, name, created_by, created_at FROM collectors WHERE tenant_id = ",
    );
    qb.push_bind(tenant).push(" AND dissolved_at IS NULL");
    if let Some(id) = one {
        qb.push(" AND id = ").push_bind(id);
    }
    qb.push(" ORDER BY id");
    let mut out = qb
        .build()
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| {
            Ok(Collector {
                id: CollectorId(model_id(r.try_get(0)?)?),
                tenant: TenantId(model_id(r.try_get(1)?)?),
                name: r.try_get(2)?,
                documents: Vec::new(),
                created_by: r.try_get(3)?,
                created_at: time(r.try_get(4)?)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    if out.is_empty() {
        return Ok(out);
    }
    let mut qb = QueryBuilder::<Db>::new(
        "SELECT collector_id, document_id FROM collector_documents WHERE collector_id IN (",
    );
    push_id_list(&mut qb, out.iter().map(|c| c.id.0 as i64));
    qb.push(") ORDER BY collector_id, position");
    let mut map: std::collections::HashMap<i64, Vec<DocumentId>> = Default::default();
    for r in qb.build().fetch_all(pool).await? {
        map.entry(r.try_get(0)?)
            .or_default()
            .push(DocumentId(model_id(r.try_get(1)?)?));
    }
    for c in &mut out {
        c.documents = map.remove(&(c.id.0 as i64)).unwrap_or_default();
    }
    Ok(out)
}

pub(crate) async fn get_collector(
    pool: &Pool<Db>,
    tenant: TenantId,
    id: CollectorId,
) -> Result<Collector> {
    collectors_where(
        pool,
        db_id(tenant.0, "tenant")?,
        Some(db_id(id.0, "collector")?),
    )
    .await?
    .pop()
    .ok_or_else(|| StoreError::not_found("collector", id))
}

pub(crate) async fn list_collectors(pool: &Pool<Db>, tenant: TenantId) -> Result<Vec<Collector>> {
    collectors_where(pool, db_id(tenant.0, "tenant")?, None).await
}

pub(crate) async fn dissolve_collector(
    pool: &Pool<Db>,
    now: DateTime<Utc>,
    tenant: TenantId,
    id: CollectorId,
    by: &str,
) -> Result<u64> {
    let t = db_id(tenant.0, "tenant")?;
    let c = db_id(id.0, "collector")?;
    let mut tx = pool.begin_with(BEGIN_WRITE).await?;
    let n = sqlx::query("UPDATE collectors SET dissolved_at = $1 WHERE tenant_id = $2 AND id = $3 AND dissolved_at IS NULL")
        .bind(micros(now))
        .bind(t)
        .bind(c)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(StoreError::not_found("collector", id));
    }
    sqlx::query(
        "UPDATE documents SET collector_id = NULL WHERE tenant_id = $1 AND collector_id = $2",
    )
    .bind(t)
    .bind(c)
    .execute(&mut *tx)
    .await?;
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM deliveries WHERE tenant_id = $1 AND collector_id = $2")
            .bind(t)
            .bind(c)
            .fetch_all(&mut *tx)
            .await?;
    let cancelled = cancel_unsent(&mut tx, t, &ids, micros(now), by).await?;
    tx.commit().await?;
    Ok(cancelled)
}
