// The outbox screen: one row per document or collector, with aggregate counts (no N+1).

/// Items of one kind in overview order, at most `$2` rows (`$1` = tenant).
macro_rules! overview_items {
    (documents, $order:literal) => {
        concat!(
            "SELECT id, title, author, created_at FROM documents WHERE tenant_id = $1 \
             AND deleted_at IS NULL AND collector_id IS NULL ORDER BY ",
            $order,
            " LIMIT $2"
        )
    };
    (collectors, $order:literal) => {
        concat!(
            "SELECT id, name, created_by, created_at FROM collectors WHERE tenant_id = $1 \
             AND dissolved_at IS NULL ORDER BY ",
            $order,
            " LIMIT $2"
        )
    };
}

/// One item of the overview before counts are attached.
struct OverviewHead {
    collector: bool,
    id: i64,
    title: String,
    author: String,
    created_at: i64,
}

async fn overview_heads(
    pool: &Pool<Db>,
    sql: &'static str,
    tenant: i64,
    want: i64,
    collector: bool,
) -> Result<Vec<OverviewHead>> {
    sqlx::query(sql)
        .bind(tenant)
        .bind(want)
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| {
            Ok(OverviewHead {
                collector,
                id: r.try_get(0)?,
                title: r.try_get(1)?,
                author: r.try_get(2)?,
                created_at: r.try_get(3)?,
            })
        })
        .collect()
}

pub(crate) async fn list_documents(
    pool: &Pool<Db>,
    tenant: TenantId,
    sort: OverviewSort,
    page: Page,
) -> Result<OverviewPage> {
    let t = db_id(tenant.0, "tenant")?;
    let (offset, limit) = page_bounds(page)?;
    let want = offset.saturating_add(limit);
    // Documents and collectors are read separately, each along its own index, and merged here:
    // a single UNION ALL ... ORDER BY makes PostgreSQL sort every document of the tenant.
    let (docs_sql, cols_sql) = match sort {
        OverviewSort::NewestFirst => (
            overview_items!(documents, "created_at DESC, id DESC"),
            overview_items!(collectors, "created_at DESC, id DESC"),
        ),
        OverviewSort::OldestFirst => (
            overview_items!(documents, "created_at, id"),
            overview_items!(collectors, "created_at, id"),
        ),
        OverviewSort::TitleAscending => (
            overview_items!(documents, "title, id"),
            overview_items!(collectors, "name, id"),
        ),
        OverviewSort::TitleDescending => (
            overview_items!(documents, "title DESC, id DESC"),
            overview_items!(collectors, "name DESC, id DESC"),
        ),
    };
    let docs = overview_heads(pool, docs_sql, t, want, false).await?;
    let cols = overview_heads(pool, cols_sql, t, want, true).await?;
    let before = |a: &OverviewHead, b: &OverviewHead| -> bool {
        let key = match sort {
            OverviewSort::NewestFirst => b.created_at.cmp(&a.created_at),
            OverviewSort::OldestFirst => a.created_at.cmp(&b.created_at),
            OverviewSort::TitleAscending => a.title.cmp(&b.title),
            OverviewSort::TitleDescending => b.title.cmp(&a.title),
        };
        // Ties: documents before collectors (stable merge keeps each list's own order).
        key == std::cmp::Ordering::Less || (key == std::cmp::Ordering::Equal && !a.collector)
    };
    let mut merged = Vec::with_capacity(docs.len() + cols.len());
    let (mut di, mut ci) = (docs.into_iter().peekable(), cols.into_iter().peekable());
    loop {
        let take_doc = match (di.peek(), ci.peek()) {
            (Some(d), Some(c)) => before(d, c),
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        let next = if take_doc { di.next() } else { ci.next() };
        merged.extend(next);
    }
    let heads: Vec<OverviewHead> = merged
        .into_iter()
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .collect();
    let total: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM documents WHERE tenant_id = $1 AND deleted_at IS NULL AND collector_id IS NULL) \
         + (SELECT COUNT(*) FROM collectors WHERE tenant_id = $1 AND dissolved_at IS NULL)",
    )
    .bind(t)
    .fetch_one(pool)
    .await?;
    let mut rows = Vec::with_capacity(heads.len());
    let (mut doc_ids, mut col_ids) = (Vec::new(), Vec::new());
    for h in heads {
        let item = if h.collector {
            col_ids.push(h.id);
            OverviewItem::Collector(CollectorId(model_id(h.id)?))
        } else {
            doc_ids.push(h.id);
            OverviewItem::Document(DocumentId(model_id(h.id)?))
        };
        rows.push(OverviewRow {
            item,
            title: h.title,
            recipients: 0,
            routes: Vec::new(),
            progress: Progress::default(),
            author: h.author,
            created_at: time(h.created_at)?,
        });
    }
    // (is collector, id) -> counts
    let mut counts: std::collections::HashMap<
        (bool, i64),
        (u64, Progress, std::collections::BTreeSet<Route>),
    > = Default::default();
    if !doc_ids.is_empty() {
        let mut qb = QueryBuilder::<Db>::new(
            "SELECT dd.document_id, d.status, d.route, COUNT(*) FROM delivery_documents dd \
             JOIN deliveries d ON d.id = dd.delivery_id WHERE dd.tenant_id = ",
        );
        qb.push_bind(t)
            .push(" AND d.tenant_id = ")
            .push_bind(t)
            .push(" AND dd.document_id IN (");
        push_id_list(&mut qb, doc_ids.iter().copied());
        qb.push(") GROUP BY dd.document_id, d.status, d.route");
        for r in qb.build().fetch_all(pool).await? {
            add_count(&mut counts, false, &r)?;
        }
        let mut qb = QueryBuilder::<Db>::new(
            "SELECT document_id, COUNT(*) FROM document_recipients WHERE tenant_id = ",
        );
        qb.push_bind(t).push(" AND document_id IN (");
        push_id_list(&mut qb, doc_ids.iter().copied());
        qb.push(") GROUP BY document_id");
        for r in qb.build().fetch_all(pool).await? {
            counts.entry((false, r.try_get(0)?)).or_default().0 = u64_col(r.try_get(1)?, "count")?;
        }
    }
    if !col_ids.is_empty() {
        let mut qb = QueryBuilder::<Db>::new(
            "SELECT collector_id, status, route, COUNT(*) FROM deliveries d WHERE tenant_id = ",
        );
        qb.push_bind(t).push(" AND collector_id IN (");
        push_id_list(&mut qb, col_ids.iter().copied());
        qb.push(") GROUP BY collector_id, status, route");
        for r in qb.build().fetch_all(pool).await? {
            add_count(&mut counts, true, &r)?;
        }
        let mut qb = QueryBuilder::<Db>::new(
            "SELECT cd.collector_id, COUNT(DISTINCT r.contact_id) FROM collector_documents cd \
             JOIN document_recipients r ON r.document_id = cd.document_id WHERE cd.tenant_id = ",
        );
        qb.push_bind(t).push(" AND cd.collector_id IN (");
        push_id_list(&mut qb, col_ids.iter().copied());
        qb.push(") GROUP BY cd.collector_id");
        for r in qb.build().fetch_all(pool).await? {
            counts.entry((true, r.try_get(0)?)).or_default().0 = u64_col(r.try_get(1)?, "count")?;
        }
    }
    for row in &mut rows {
        let key = match row.item {
            OverviewItem::Document(d) => (false, d.0 as i64),
            OverviewItem::Collector(c) => (true, c.0 as i64),
        };
        if let Some((recipients, progress, routes)) = counts.remove(&key) {
            row.recipients = recipients;
            row.progress = progress;
            row.routes = routes.into_iter().collect();
        }
    }
    Ok(OverviewPage {
        rows,
        total: u64_col(total, "total")?,
    })
}

fn add_count(
    counts: &mut std::collections::HashMap<
        (bool, i64),
        (u64, Progress, std::collections::BTreeSet<Route>),
    >,
    collector: bool,
    r: &DbRow,
) -> Result<()> {
    let kind = StatusKind::parse(r.try_get::<&str, _>(1)?)
        .ok_or_else(|| StoreError::Corrupt("unknown status".into()))?;
    let route = route(r.try_get::<&str, _>(2)?)?;
    let n = u64_col(r.try_get(3)?, "count")?;
    let entry = counts.entry((collector, r.try_get(0)?)).or_default();
    entry.1.count_kind_n(kind, n);
    if kind != StatusKind::Cancelled {
        entry.2.insert(route);
    }
    Ok(())
}

pub(crate) async fn document_detail(
    pool: &Pool<Db>,
    tenant: TenantId,
    document: DocumentId,
) -> Result<Vec<DetailRow>> {
    let t = db_id(tenant.0, "tenant")?;
    let d = db_id(document.0, "document")?;
    let exists: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM documents WHERE tenant_id = $1 AND id = $2")
            .bind(t)
            .bind(d)
            .fetch_one(pool)
            .await?;
    if exists == 0 {
        return Err(StoreError::not_found("document", document));
    }
    sqlx::query(
        "SELECT d.id, d.recipient_id, c.name, d.route, d.status, d.changed_at, d.fail_reason, d.attempts \
         FROM delivery_documents dd JOIN deliveries d ON d.id = dd.delivery_id \
         JOIN contacts c ON c.tenant_id = d.tenant_id AND c.id = d.recipient_id \
         WHERE dd.tenant_id = $1 AND d.tenant_id = $1 AND dd.document_id = $2 ORDER BY c.name, d.route, d.id",
    )
    .bind(t)
    .bind(d)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| {
        Ok(DetailRow {
            delivery: DeliveryId(model_id(r.try_get(0)?)?),
            recipient: ContactId(model_id(r.try_get(1)?)?),
            recipient_name: r.try_get(2)?,
            route: route(r.try_get::<&str, _>(3)?)?,
            status: StatusKind::parse(r.try_get::<&str, _>(4)?)
                .ok_or_else(|| StoreError::Corrupt("unknown status".into()))?,
            changed_at: time(r.try_get(5)?)?,
            reason: r.try_get(6)?,
            attempts: u32_col(r.try_get(7)?, "attempts")?,
        })
    })
    .collect()
}
