// Tenants and the address book.

pub(crate) async fn create_tenant(
    pool: &Pool<Db>,
    now: DateTime<Utc>,
    name: &str,
) -> Result<Tenant> {
    let id: i64 =
        sqlx::query_scalar("INSERT INTO tenants (name, created_at) VALUES ($1, $2) RETURNING id")
            .bind(name)
            .bind(micros(now))
            .fetch_one(pool)
            .await?;
    Ok(Tenant {
        id: TenantId(model_id(id)?),
        name: name.to_owned(),
    })
}

pub(crate) async fn get_tenant(pool: &Pool<Db>, id: TenantId) -> Result<Tenant> {
    let raw = db_id(id.0, "tenant")?;
    let name: Option<String> = sqlx::query_scalar("SELECT name FROM tenants WHERE id = $1")
        .bind(raw)
        .fetch_optional(pool)
        .await?;
    name.map(|name| Tenant { id, name })
        .ok_or_else(|| StoreError::not_found("tenant", id))
}

pub(crate) async fn list_tenants(pool: &Pool<Db>) -> Result<Vec<Tenant>> {
    let rows: Vec<(i64, String)> = sqlx::query_as("SELECT id, name FROM tenants ORDER BY id")
        .fetch_all(pool)
        .await?;
    rows.into_iter()
        .map(|(id, name)| {
            Ok(Tenant {
                id: TenantId(model_id(id)?),
                name,
            })
        })
        .collect()
}

pub(crate) async fn upsert_contact(pool: &Pool<Db>, now: DateTime<Utc>, c: &Contact) -> Result<()> {
    let tenant = db_id(c.tenant.0, "tenant")?;
    let id = i64::try_from(c.id.0).map_err(|_| {
        StoreError::InvalidInput(format!("contact id {} is above {}", c.id, i64::MAX))
    })?;
    let address = c.address.as_ref().map(to_json).transpose()?;
    let res = sqlx::query(
        "INSERT INTO contacts (tenant_id, id, name, address, email, portal_account, routes, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (tenant_id, id) DO UPDATE SET name = excluded.name, address = excluded.address, \
         email = excluded.email, portal_account = excluded.portal_account, routes = excluded.routes, \
         updated_at = excluded.updated_at",
    )
    .bind(tenant)
    .bind(id)
    .bind(&c.name)
    .bind(address)
    .bind(&c.email)
    .bind(&c.portal_account)
    .bind(routes_to_text(&c.preferred_routes))
    .bind(micros(now))
    .execute(pool)
    .await;
    match res {
        Ok(_) => Ok(()),
        Err(e) => match StoreError::from(e) {
            StoreError::UnknownReference(_) => Err(StoreError::not_found("tenant", c.tenant)),
            other => Err(other),
        },
    }
}

fn contact_from_row(r: &DbRow) -> Result<Contact> {
    let address: Option<String> = r.try_get(3)?;
    Ok(Contact {
        tenant: TenantId(model_id(r.try_get(0)?)?),
        id: ContactId(model_id(r.try_get(1)?)?),
        name: r.try_get(2)?,
        address: address.as_deref().map(from_json).transpose()?,
        email: r.try_get(4)?,
        portal_account: r.try_get(5)?,
        preferred_routes: routes_from_text(r.try_get::<&str, _>(6)?)?,
    })
}

pub(crate) async fn get_contact(
    pool: &Pool<Db>,
    tenant: TenantId,
    id: ContactId,
) -> Result<Contact> {
    let row = sqlx::query(
        "SELECT tenant_id, id, name, address, email, portal_account, routes FROM contacts \
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(db_id(tenant.0, "tenant")?)
    .bind(db_id(id.0, "contact")?)
    .fetch_optional(pool)
    .await?;
    row.as_ref()
        .map(contact_from_row)
        .transpose()?
        .ok_or_else(|| StoreError::not_found("contact", id))
}

pub(crate) async fn list_contacts(
    pool: &Pool<Db>,
    tenant: TenantId,
    page: Page,
) -> Result<Vec<Contact>> {
    let (offset, limit) = page_bounds(page)?;
    sqlx::query(
        "SELECT tenant_id, id, name, address, email, portal_account, routes FROM contacts \
         WHERE tenant_id = $1 ORDER BY id LIMIT $2 OFFSET $3",
    )
    .bind(db_id(tenant.0, "tenant")?)
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await?
    .iter()
    .map(contact_from_row)
    .collect()
}
