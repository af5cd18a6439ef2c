//! The two backends. Every operation is written once (the files in `ops/`) and compiled once per
//! backend with `include!`, against that backend's concrete sqlx types; the few dialect
//! differences are the constants and macros at the top of each module. This keeps the SQL
//! identical where it can be (`$n` placeholders work on both) without sqlx's `Any` driver.

/// Columns of a delivery row, in the order `delivery_from_row` reads them.
macro_rules! delivery_columns {
    () => {
        "d.id, d.tenant_id, d.recipient_id, d.route, d.collector_id, d.status, d.fail_reason, \
         d.fail_retryable, d.attempts, d.fence, d.lease_owner, d.lease_until, d.not_before, \
         d.provider_reference, d.created_at, d.changed_at"
    };
}

/// One history row to write.
pub(crate) struct HistoryEntry {
    pub(crate) tenant: i64,
    pub(crate) delivery: i64,
    pub(crate) at: i64,
    pub(crate) from: Option<String>,
    pub(crate) to: String,
    pub(crate) by: String,
}

impl HistoryEntry {
    pub(crate) fn new(
        tenant: i64,
        delivery: i64,
        at: i64,
        from: Option<&outbox_model::DeliveryStatus>,
        to: &outbox_model::DeliveryStatus,
        by: &str,
    ) -> crate::Result<Self> {
        Ok(Self {
            tenant,
            delivery,
            at,
            from: from.map(crate::convert::to_json).transpose()?,
            to: crate::convert::to_json(to)?,
            by: by.to_owned(),
        })
    }
}

/// Rows per multi-row INSERT: far below SQLite's and PostgreSQL's bind-parameter limits.
const CHUNK: usize = 1000;

pub(crate) mod sqlite {
    #![allow(clippy::too_many_arguments)]
    use super::*;
    use crate::convert::*;
    use crate::types::*;
    use crate::{Result, StoreError};
    use chrono::{DateTime, Utc};
    use outbox_model::*;
    use sqlx::{Pool, QueryBuilder, Row, Transaction};

    type Db = sqlx::Sqlite;
    type DbRow = sqlx::sqlite::SqliteRow;
    /// Take the write lock at the start so concurrent writers queue on `busy_timeout` instead of
    /// failing when a read transaction tries to upgrade.
    const BEGIN_WRITE: &str = "BEGIN IMMEDIATE";
    /// SQLite locks the whole database for a writer; row locks do not exist.
    const FOR_UPDATE: &str = "";
    /// Data-modifying CTEs do not exist in SQLite; its transactions are in-process and cheap.
    const ONE_STATEMENT_COMPLETE: bool = false;
    macro_rules! skip_locked {
        ($s:expr) => {
            $s
        };
    }

    /// `n` fresh ids for `table`; the caller holds the write lock, so MAX+1.. is safe.
    async fn allocate_ids(
        tx: &mut Transaction<'static, Db>,
        table: IdTable,
        n: usize,
    ) -> Result<Vec<i64>> {
        let sql = match table {
            IdTable::Documents => "SELECT COALESCE(MAX(id), 0) FROM documents",
            IdTable::Deliveries => "SELECT COALESCE(MAX(id), 0) FROM deliveries",
        };
        let max: i64 = sqlx::query_scalar(sql).fetch_one(&mut **tx).await?;
        let n = i64::try_from(n).map_err(|_| StoreError::InvalidInput("too many rows".into()))?;
        Ok((max + 1..=max + n).collect())
    }

    include!("ops/common.rs");
    include!("ops/tenants.rs");
    include!("ops/documents.rs");
    include!("ops/collectors.rs");
    include!("ops/deliveries.rs");
    include!("ops/claims.rs");
    include!("ops/locks.rs");
    include!("ops/accounts.rs");
    include!("ops/shares.rs");
    include!("ops/overview.rs");
    include!("ops/blobs.rs");
}

#[cfg(feature = "postgres")]
pub(crate) mod postgres {
    #![allow(clippy::too_many_arguments)]
    use super::*;
    use crate::convert::*;
    use crate::types::*;
    use crate::{Result, StoreError};
    use chrono::{DateTime, Utc};
    use outbox_model::*;
    use sqlx::{Pool, QueryBuilder, Row, Transaction};

    type Db = sqlx::Postgres;
    type DbRow = sqlx::postgres::PgRow;
    const BEGIN_WRITE: &str = "BEGIN";
    const FOR_UPDATE: &str = " FOR UPDATE";
    /// Result and history row in one statement: one round trip instead of four.
    const ONE_STATEMENT_COMPLETE: bool = true;
    /// Several workers claim at once: each skips rows another worker is claiming right now.
    macro_rules! skip_locked {
        ($s:expr) => {
            concat!($s, " FOR UPDATE SKIP LOCKED")
        };
    }

    /// `n` fresh ids from the table's sequence (not contiguous under concurrency).
    async fn allocate_ids(
        tx: &mut Transaction<'static, Db>,
        table: IdTable,
        n: usize,
    ) -> Result<Vec<i64>> {
        let sql = match table {
            IdTable::Documents => "SELECT nextval('documents_id_seq') FROM generate_series(1, $1)",
            IdTable::Deliveries => {
                "SELECT nextval('deliveries_id_seq') FROM generate_series(1, $1)"
            }
        };
        let n = i64::try_from(n).map_err(|_| StoreError::InvalidInput("too many rows".into()))?;
        Ok(sqlx::query_scalar(sql).bind(n).fetch_all(&mut **tx).await?)
    }

    include!("ops/common.rs");
    include!("ops/tenants.rs");
    include!("ops/documents.rs");
    include!("ops/collectors.rs");
    include!("ops/deliveries.rs");
    include!("ops/claims.rs");
    include!("ops/locks.rs");
    include!("ops/accounts.rs");
    include!("ops/shares.rs");
    include!("ops/overview.rs");
    include!("ops/blobs.rs");
}

/// Tables whose ids are allocated in bulk.
#[derive(Clone, Copy)]
pub(crate) enum IdTable {
    Documents,
    Deliveries,
}
