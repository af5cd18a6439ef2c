// Documents, their recipients, route overrides and settings.

pub(crate) async fn insert_documents(
    pool: &Pool<Db>,
    tenant: TenantId,
    docs: &[NewDocument],
) -> Result<Vec<StoredDocument>> {
    let t = db_id(tenant.0, "tenant")?;
    for d in docs {
        let mut seen = std::collections::HashSet::new();
        if let Some(dup) = d.recipients.iter().find(|c| !seen.insert(**c)) {
            return Err(StoreError::InvalidInput(format!(
                "recipient {dup} appears twice in document `{}`",
                d.title
            )));
        }
    }
    if docs.is_empty() {
        return Ok(Vec::new());
    }
    let mut tx = pool.begin_with(BEGIN_WRITE).await?;
    let ids = allocate_ids(&mut tx, IdTable::Documents, docs.len()).await?;
    let settings = docs
        .iter()
        .map(|d| to_json(&d.settings))
        .collect::<Result<Vec<_>>>()?;
    let rows: Vec<_> = ids.iter().zip(docs).zip(&settings).collect();
    for chunk in rows.chunks(CHUNK) {
        let mut qb = QueryBuilder::<Db>::new(
            "INSERT INTO documents (id, tenant_id, title, file_name, page_count, size_bytes, author, \
             created_at, source_reference, settings, blob_key) ",
        );
        let mut bad = None;
        qb.push_values(chunk, |mut b, ((id, d), s)| {
            let size = i64::try_from(d.size_bytes).unwrap_or_else(|_| {
                bad = Some(d.size_bytes);
                0
            });
            b.push_bind(**id)
                .push_bind(t)
                .push_bind(d.title.clone())
                .push_bind(d.file_name.clone())
                .push_bind(i64::from(d.page_count))
                .push_bind(size)
                .push_bind(d.author.clone())
                .push_bind(micros(d.created_at))
                .push_bind(d.source_reference.clone())
                .push_bind((*s).clone())
                .push_bind(d.blob_key.clone());
        });
        if let Some(size) = bad {
            return Err(StoreError::InvalidInput(format!(
                "document size {size} is too large"
            )));
        }
        qb.build()
            .execute(&mut *tx)
            .await
            .map_err(|e| match StoreError::from(e) {
                StoreError::UnknownReference(_) => StoreError::not_found("tenant", tenant),
                other => other,
            })?;
    }
    let mut recipient_rows = Vec::new();
    for (id, d) in ids.iter().zip(docs) {
        for (pos, c) in d.recipients.iter().enumerate() {
            recipient_rows.push((*id, pos as i64, db_id(c.0, "contact")?));
        }
    }
    for chunk in recipient_rows.chunks(CHUNK) {
        let mut qb = QueryBuilder::<Db>::new(
            "INSERT INTO document_recipients (tenant_id, document_id, position, contact_id) ",
        );
        qb.push_values(chunk, |mut b, (doc, pos, contact)| {
            b.push_bind(t)
                .push_bind(*doc)
                .push_bind(*pos)
                .push_bind(*contact);
        });
        qb.build()
            .execute(&mut *tx)
            .await
            .map_err(|e| match StoreError::from(e) {
                StoreError::UnknownReference(_) => StoreError::UnknownReference(
                    "a recipient is not a contact of this tenant; upsert the contact first".into(),
                ),
                other => other,
            })?;
    }
    tx.commit().await?;
    ids.iter()
        .zip(docs)
        .map(|(id, d)| {
            Ok(StoredDocument {
                document: Document {
                    id: DocumentId(model_id(*id)?),
                    tenant,
                    title: d.title.clone(),
                    file_name: d.file_name.clone(),
                    page_count: d.page_count,
                    size_bytes: d.size_bytes,
                    author: d.author.clone(),
                    created_at: d.created_at,
                    source_reference: d.source_reference.clone(),
                    recipients: d.recipients.clone(),
                    settings: d.settings.clone(),
                },
                blob_key: d.blob_key.clone(),
                collector: None,
            })
        })
        .collect()
}

const DOCUMENT_COLUMNS: &str = "id, tenant_id, title, file_name, page_count, size_bytes, author, \
     created_at, source_reference, settings, blob_key, collector_id";

fn document_from_row(r: &DbRow) -> Result<StoredDocument> {
    let collector: Option<i64> = r.try_get(11)?;
    Ok(StoredDocument {
        document: Document {
            id: DocumentId(model_id(r.try_get(0)?)?),
            tenant: TenantId(model_id(r.try_get(1)?)?),
            title: r.try_get(2)?,
            file_name: r.try_get(3)?,
            page_count: u32_col(r.try_get(4)?, "page count")?,
            size_bytes: u64_col(r.try_get(5)?, "size")?,
            author: r.try_get(6)?,
            created_at: time(r.try_get(7)?)?,
            source_reference: r.try_get(8)?,
            recipients: Vec::new(),
            settings: from_json(r.try_get::<&str, _>(9)?)?,
        },
        blob_key: r.try_get(10)?,
        collector: collector.map(model_id).transpose()?.map(CollectorId),
    })
}

/// Fills the recipients of each document with one query.
async fn attach_recipients(pool: &Pool<Db>, docs: &mut [StoredDocument]) -> Result<()> {
    if docs.is_empty() {
        return Ok(());
    }
    let mut qb = QueryBuilder::<Db>::new(
        "SELECT document_id, contact_id FROM document_recipients WHERE document_id IN (",
    );
    push_id_list(&mut qb, docs.iter().map(|d| d.document.id.0 as i64));
    qb.push(") ORDER BY document_id, position");
    let mut map: std::collections::HashMap<i64, Vec<ContactId>> = Default::default();
    for r in qb.build().fetch_all(pool).await? {
        map.entry(r.try_get(0)?)
            .or_default()
            .push(ContactId(model_id(r.try_get(1)?)?));
    }
    for d in docs {
        d.document.recipients = map.remove(&(d.document.id.0 as i64)).unwrap_or_default();
    }
    Ok(())
}

pub(crate) async fn get_document(
    pool: &Pool<Db>,
    tenant: TenantId,
    id: DocumentId,
) -> Result<StoredDocument> {
    let mut qb = QueryBuilder::<Db>::new("SELECT ");
    qb.push(DOCUMENT_COLUMNS)
        .push(" FROM documents WHERE tenant_id = ")
        .push_bind(db_id(tenant.0, "tenant")?)
        .push(" AND id = ")
        .push_bind(db_id(id.0, "document")?)
        .push(" AND deleted_at IS NULL");
    let row = qb.build().fetch_optional(pool).await?;
    let mut doc = vec![
        row.as_ref()
            .map(document_from_row)
            .transpose()?
            .ok_or_else(|| StoreError::not_found("document", id))?,
    ];
    attach_recipients(pool, &mut doc).await?;
    Ok(doc.remove(0))
}

pub(crate) async fn document_records(
    pool: &Pool<Db>,
    tenant: TenantId,
    page: Page,
) -> Result<Vec<StoredDocument>> {
    let (offset, limit) = page_bounds(page)?;
    let mut qb = QueryBuilder::<Db>::new("SELECT ");
    qb.push(DOCUMENT_COLUMNS)
        .push(" FROM documents WHERE tenant_id = ")
        .push_bind(db_id(tenant.0, "tenant")?)
        .push(" AND deleted_at IS NULL ORDER BY id LIMIT ")
        .push_bind(limit)
        .push(" OFFSET ")
        .push_bind(offset);
    let mut docs = qb
        .build()
        .fetch_all(pool)
        .await?
        .iter()
        .map(document_from_row)
        .collect::<Result<Vec<_>>>()?;
    attach_recipients(pool, &mut docs).await?;
    Ok(docs)
}

/// Cancels what can still be cancelled among the given deliveries; returns how many.
async fn cancel_unsent(
    tx: &mut Transaction<'static, Db>,
    tenant: i64,
    ids: &[i64],
    now: i64,
    by: &str,
) -> Result<u64> {
    if ids.is_empty() {
        return Ok(0);
    }
    let rows = lock_deliveries(tx, tenant, ids).await?;
    let changed = apply_transition(tx, &rows, &DeliveryStatus::Cancelled, now, by, false).await?;
    Ok(changed.len() as u64)
}

pub(crate) async fn delete_document(
    pool: &Pool<Db>,
    now: DateTime<Utc>,
    tenant: TenantId,
    id: DocumentId,
    by: &str,
) -> Result<u64> {
    let t = db_id(tenant.0, "tenant")?;
    let d = db_id(id.0, "document")?;
    let mut tx = pool.begin_with(BEGIN_WRITE).await?;
    let n = sqlx::query("UPDATE documents SET deleted_at = $1 WHERE tenant_id = $2 AND id = $3 AND deleted_at IS NULL")
        .bind(micros(now))
        .bind(t)
        .bind(d)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(StoreError::not_found("document", id));
    }
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT delivery_id FROM delivery_documents WHERE tenant_id = $1 AND document_id = $2",
    )
    .bind(t)
    .bind(d)
    .fetch_all(&mut *tx)
    .await?;
    let cancelled = cancel_unsent(&mut tx, t, &ids, micros(now), by).await?;
    sqlx::query("DELETE FROM edit_locks WHERE tenant_id = $1 AND document_id = $2")
        .bind(t)
        .bind(d)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(cancelled)
}

pub(crate) async fn update_settings(
    pool: &Pool<Db>,
    tenant: TenantId,
    id: DocumentId,
    settings: &SendSettings,
) -> Result<()> {
    let n = sqlx::query("UPDATE documents SET settings = $1 WHERE tenant_id = $2 AND id = $3 AND deleted_at IS NULL")
        .bind(to_json(settings)?)
        .bind(db_id(tenant.0, "tenant")?)
        .bind(db_id(id.0, "document")?)
        .execute(pool)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(StoreError::not_found("document", id));
    }
    Ok(())
}

/// Records that `route` is added (`added = true`) or removed for one recipient (or all, `None`).
pub(crate) async fn set_route_override(
    pool: &Pool<Db>,
    tenant: TenantId,
    document: DocumentId,
    recipient: Option<ContactId>,
    route: Route,
    added: bool,
) -> Result<()> {
    let t = db_id(tenant.0, "tenant")?;
    let d = db_id(document.0, "document")?;
    let mut tx = pool.begin_with(BEGIN_WRITE).await?;
    if !document_exists(&mut *tx, t, d).await? {
        return Err(StoreError::not_found("document", document));
    }
    let scope = match recipient {
        None => -1,
        Some(c) => {
            let c = db_id(c.0, "contact")?;
            let n: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM document_recipients WHERE tenant_id = $1 AND document_id = $2 AND contact_id = $3",
            )
            .bind(t)
            .bind(d)
            .bind(c)
            .fetch_one(&mut *tx)
            .await?;
            if n == 0 {
                return Err(StoreError::not_found(
                    "recipient of the document",
                    recipient.map_or(0, |c| c.0),
                ));
            }
            c
        }
    };
    sqlx::query(
        "INSERT INTO route_overrides (tenant_id, document_id, contact_id, route, added) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (document_id, contact_id, route) DO UPDATE SET added = excluded.added",
    )
    .bind(t)
    .bind(d)
    .bind(scope)
    .bind(route.as_str())
    .bind(added)
    .execute(&mut *tx)
    .await?;
    // A document-wide change replaces earlier per-recipient changes of the same route.
    if scope == -1 {
        sqlx::query("DELETE FROM route_overrides WHERE document_id = $1 AND route = $2 AND contact_id <> -1")
            .bind(d)
            .bind(route.as_str())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn routes_for_document(
    pool: &Pool<Db>,
    tenant: TenantId,
    document: DocumentId,
) -> Result<Vec<RecipientRoutes>> {
    let t = db_id(tenant.0, "tenant")?;
    let d = db_id(document.0, "document")?;
    if !document_exists(pool, t, d).await? {
        return Err(StoreError::not_found("document", document));
    }
    let recipients = sqlx::query(
        "SELECT r.contact_id, c.routes FROM document_recipients r \
         JOIN contacts c ON c.tenant_id = r.tenant_id AND c.id = r.contact_id \
         WHERE r.tenant_id = $1 AND r.document_id = $2 ORDER BY r.position",
    )
    .bind(t)
    .bind(d)
    .fetch_all(pool)
    .await?;
    let overrides = sqlx::query(
        "SELECT contact_id, route, added FROM route_overrides WHERE tenant_id = $1 AND document_id = $2 \
         ORDER BY contact_id, route",
    )
    .bind(t)
    .bind(d)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| Ok((r.try_get::<i64, _>(0)?, route(r.try_get::<&str, _>(1)?)?, r.try_get::<bool, _>(2)?)))
    .collect::<Result<Vec<_>>>()?;
    recipients
        .iter()
        .map(|r| {
            let contact: i64 = r.try_get(0)?;
            let mut routes = routes_from_text(r.try_get::<&str, _>(1)?)?;
            // Document-wide first, then the recipient's own: the narrower choice wins.
            for scope in [-1, contact] {
                for (_, route, added) in overrides.iter().filter(|o| o.0 == scope) {
                    if *added {
                        routes.insert(*route);
                    } else {
                        routes.remove(*route);
                    }
                }
            }
            Ok(RecipientRoutes {
                recipient: ContactId(model_id(contact)?),
                routes,
            })
        })
        .collect()
}
