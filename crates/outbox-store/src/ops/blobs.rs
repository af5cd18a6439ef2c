// PDF bytes in a database table (shared by all workers that reach the database).

pub(crate) async fn blob_put(pool: &Pool<Db>, key: &str, bytes: &[u8]) -> Result<()> {
    sqlx::query("INSERT INTO blobs (key, bytes) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET bytes = excluded.bytes")
        .bind(key)
        .bind(bytes)
        .execute(pool)
        .await?;
    Ok(())
}

pub(crate) async fn blob_get(pool: &Pool<Db>, key: &str) -> Result<Option<Vec<u8>>> {
    Ok(sqlx::query_scalar("SELECT bytes FROM blobs WHERE key = $1")
        .bind(key)
        .fetch_optional(pool)
        .await?)
}

pub(crate) async fn blob_delete(pool: &Pool<Db>, key: &str) -> Result<bool> {
    Ok(sqlx::query("DELETE FROM blobs WHERE key = $1")
        .bind(key)
        .execute(pool)
        .await?
        .rows_affected()
        > 0)
}
