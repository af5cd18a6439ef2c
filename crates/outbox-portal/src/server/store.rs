//! The portal's SQLite tables and queries (runtime queries only).

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use outbox_model::{DeliveryId, DocumentId};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow};
use sqlx::{Row, SqlitePool};

use super::{Database, ServerError};
use crate::protocol::{DeliveryInfo, DocumentInfo, DownloadEntry};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS accounts (
    id INTEGER PRIMARY KEY,
    login TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    display_name TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY,
    delivery_id INTEGER NOT NULL,
    document_id INTEGER NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    document_count INTEGER NOT NULL,
    title TEXT NOT NULL,
    category TEXT NOT NULL,
    file_name TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    content BLOB,
    created_at TEXT NOT NULL,
    withdrawn_at TEXT,
    UNIQUE (delivery_id, document_id)
);
CREATE INDEX IF NOT EXISTS documents_by_account ON documents (account_id, category);
CREATE TABLE IF NOT EXISTS downloads (
    cursor INTEGER PRIMARY KEY AUTOINCREMENT,
    document_row INTEGER NOT NULL REFERENCES documents(id),
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS downloads_by_document ON downloads (document_row);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    expires_at TEXT NOT NULL
);
";

/// Timestamps are stored as fixed-width RFC 3339 UTC text, so text order is time order.
pub(crate) fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn parse_ts(s: &str) -> Result<DateTime<Utc>, sqlx::Error> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            sqlx::Error::Decode(format!("bad timestamp `{s}` in portal database: {e}").into())
        })
}

fn opt_ts(s: Option<String>) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    s.as_deref().map(parse_ts).transpose()
}

fn id_from_db(v: i64, what: &str) -> Result<u64, sqlx::Error> {
    u64::try_from(v).map_err(|_| {
        sqlx::Error::Decode(format!("negative {what} id {v} in portal database").into())
    })
}

/// Ids travel as u64 but SQLite stores i64; larger ids are refused at the API.
pub(crate) fn id_to_db(v: u64) -> Option<i64> {
    i64::try_from(v).ok()
}

pub(crate) async fn open(db: &Database) -> Result<SqlitePool, ServerError> {
    let pool = match db {
        // One connection: every connection to `:memory:` would be a separate empty database.
        Database::Memory => {
            SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
                .connect_with(SqliteConnectOptions::from_str("sqlite::memory:")?.foreign_keys(true))
                .await?
        }
        Database::File(path) => {
            SqlitePoolOptions::new()
                .max_connections(4)
                .connect_with(
                    SqliteConnectOptions::new()
                        .filename(path)
                        .create_if_missing(true)
                        .journal_mode(SqliteJournalMode::Wal)
                        .busy_timeout(Duration::from_secs(10))
                        .foreign_keys(true),
                )
                .await?
        }
    };
    sqlx::raw_sql(SCHEMA).execute(&pool).await?;
    Ok(pool)
}

pub(crate) async fn insert_account(
    pool: &SqlitePool,
    login: &str,
    hash: &str,
    name: &str,
) -> Result<(), ServerError> {
    let r = sqlx::query(
        "INSERT INTO accounts (login, password_hash, display_name, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (login) DO NOTHING",
    )
    .bind(login)
    .bind(hash)
    .bind(name)
    .bind(ts(Utc::now()))
    .execute(pool)
    .await?;
    if r.rows_affected() == 0 {
        return Err(ServerError::DuplicateLogin(login.to_owned()));
    }
    Ok(())
}

/// An account as needed for login.
pub(crate) struct Account {
    pub(crate) id: i64,
    pub(crate) password_hash: String,
}

pub(crate) async fn account_by_login(
    pool: &SqlitePool,
    login: &str,
) -> Result<Option<Account>, sqlx::Error> {
    let row = sqlx::query("SELECT id, password_hash FROM accounts WHERE login = ?")
        .bind(login)
        .fetch_optional(pool)
        .await?;
    row.map(|r| {
        Ok(Account {
            id: r.try_get(0)?,
            password_hash: r.try_get(1)?,
        })
    })
    .transpose()
}

pub(crate) async fn account_id(pool: &SqlitePool, login: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM accounts WHERE login = ?")
        .bind(login)
        .fetch_optional(pool)
        .await
}

/// The logged-in account behind a session.
pub(crate) struct SessionAccount {
    pub(crate) id: i64,
    pub(crate) login: String,
    pub(crate) display_name: String,
}

pub(crate) async fn insert_session(
    pool: &SqlitePool,
    token_hash: &str,
    account: i64,
    expires: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    // Expired sessions are cleaned up whenever someone logs in.
    sqlx::query("DELETE FROM sessions WHERE expires_at <= ?")
        .bind(ts(Utc::now()))
        .execute(pool)
        .await?;
    sqlx::query("INSERT INTO sessions (token_hash, account_id, expires_at) VALUES (?, ?, ?)")
        .bind(token_hash)
        .bind(account)
        .bind(ts(expires))
        .execute(pool)
        .await?;
    Ok(())
}

pub(crate) async fn session_account(
    pool: &SqlitePool,
    token_hash: &str,
) -> Result<Option<SessionAccount>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT a.id, a.login, a.display_name FROM sessions s JOIN accounts a ON a.id = s.account_id
         WHERE s.token_hash = ? AND s.expires_at > ?",
    )
    .bind(token_hash)
    .bind(ts(Utc::now()))
    .fetch_optional(pool)
    .await?;
    row.map(|r| {
        Ok(SessionAccount {
            id: r.try_get(0)?,
            login: r.try_get(1)?,
            display_name: r.try_get(2)?,
        })
    })
    .transpose()
}

pub(crate) async fn delete_session(pool: &SqlitePool, token_hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = ?")
        .bind(token_hash)
        .execute(pool)
        .await?;
    Ok(())
}

const DOCUMENT_COLUMNS: &str = "d.id, d.delivery_id, d.document_id, a.login, d.title, d.category,
    d.file_name, d.size, d.sha256, d.created_at,
    (SELECT MIN(w.at) FROM downloads w WHERE w.document_row = d.id),
    d.document_count, d.withdrawn_at, d.account_id";

fn document_info(r: &SqliteRow) -> Result<DocumentInfo, sqlx::Error> {
    let row_id: i64 = r.try_get(0)?;
    Ok(DocumentInfo {
        upload_id: format!("upl-{row_id}"),
        delivery_id: DeliveryId(id_from_db(r.try_get(1)?, "delivery")?),
        document_id: DocumentId(id_from_db(r.try_get(2)?, "document")?),
        account: r.try_get(3)?,
        title: r.try_get(4)?,
        category: r.try_get(5)?,
        file_name: r.try_get(6)?,
        size: id_from_db(r.try_get(7)?, "size")?,
        sha256: r.try_get(8)?,
        created_at: parse_ts(r.try_get(9)?)?,
        first_download_at: opt_ts(r.try_get(10)?)?,
    })
}

/// A stored document with what an upload compares against.
pub(crate) struct StoredDocument {
    pub(crate) info: DocumentInfo,
    pub(crate) document_count: u32,
    pub(crate) withdrawn_at: Option<DateTime<Utc>>,
    pub(crate) account_id: i64,
}

fn stored_document(r: &SqliteRow) -> Result<StoredDocument, sqlx::Error> {
    let count: i64 = r.try_get(11)?;
    Ok(StoredDocument {
        info: document_info(r)?,
        document_count: u32::try_from(count).unwrap_or(u32::MAX),
        withdrawn_at: opt_ts(r.try_get(12)?)?,
        account_id: r.try_get(13)?,
    })
}

pub(crate) async fn delivery_documents(
    pool: &SqlitePool,
    delivery: i64,
) -> Result<Vec<StoredDocument>, sqlx::Error> {
    let sql = format!(
        "SELECT {DOCUMENT_COLUMNS} FROM documents d JOIN accounts a ON a.id = d.account_id
         WHERE d.delivery_id = ? ORDER BY d.document_id"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(delivery)
        .fetch_all(pool)
        .await?
        .iter()
        .map(stored_document)
        .collect()
}

pub(crate) async fn document(
    pool: &SqlitePool,
    delivery: i64,
    document: i64,
) -> Result<Option<StoredDocument>, sqlx::Error> {
    let sql = format!(
        "SELECT {DOCUMENT_COLUMNS} FROM documents d JOIN accounts a ON a.id = d.account_id
         WHERE d.delivery_id = ? AND d.document_id = ?"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(delivery)
        .bind(document)
        .fetch_optional(pool)
        .await?
        .as_ref()
        .map(stored_document)
        .transpose()
}

/// A new document row; `None` when (delivery, document) exists already.
pub(crate) struct NewDocument<'a> {
    pub(crate) delivery: i64,
    pub(crate) document: i64,
    pub(crate) account: i64,
    pub(crate) document_count: u32,
    pub(crate) title: &'a str,
    pub(crate) category: &'a str,
    pub(crate) file_name: &'a str,
    pub(crate) sha256: &'a str,
    pub(crate) content: &'a [u8],
}

/// Inserts unless the (delivery, document) pair exists; returns whether it inserted. One
/// statement, so concurrent identical uploads cannot both insert.
pub(crate) async fn insert_document(
    pool: &SqlitePool,
    d: &NewDocument<'_>,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "INSERT INTO documents (delivery_id, document_id, account_id, document_count, title,
             category, file_name, size, sha256, content, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (delivery_id, document_id) DO NOTHING",
    )
    .bind(d.delivery)
    .bind(d.document)
    .bind(d.account)
    .bind(i64::from(d.document_count))
    .bind(d.title)
    .bind(d.category)
    .bind(d.file_name)
    .bind(i64::try_from(d.content.len()).unwrap_or(i64::MAX))
    .bind(d.sha256)
    .bind(d.content)
    .bind(ts(Utc::now()))
    .execute(pool)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Withdraws every document of a delivery; returns how many were withdrawn now.
pub(crate) async fn withdraw(
    pool: &SqlitePool,
    delivery: i64,
    at: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE documents SET withdrawn_at = ?, content = NULL
         WHERE delivery_id = ? AND withdrawn_at IS NULL",
    )
    .bind(ts(at))
    .bind(delivery)
    .execute(pool)
    .await?;
    Ok(r.rows_affected())
}

pub(crate) fn delivery_info(docs: Vec<StoredDocument>) -> Option<DeliveryInfo> {
    let first = docs.first()?;
    let delivery_id = first.info.delivery_id;
    let account = first.info.account.clone();
    let document_count = docs.iter().map(|d| d.document_count).max().unwrap_or(0);
    let created_at = docs.iter().map(|d| d.info.created_at).min()?;
    let withdrawn_at = docs.iter().filter_map(|d| d.withdrawn_at).min();
    let documents: Vec<DocumentInfo> = docs.into_iter().map(|d| d.info).collect();
    Some(DeliveryInfo {
        delivery_id,
        account,
        document_count,
        complete: documents.len() as u64 >= u64::from(document_count),
        created_at,
        withdrawn_at,
        documents,
    })
}

/// Downloads after `since`, ascending; one more than `limit` tells whether more follow.
pub(crate) async fn downloads_after(
    pool: &SqlitePool,
    since: i64,
    limit: u32,
) -> Result<Vec<DownloadEntry>, sqlx::Error> {
    sqlx::query(
        "SELECT w.cursor, d.delivery_id, d.document_id, a.login, w.at
         FROM downloads w
         JOIN documents d ON d.id = w.document_row
         JOIN accounts a ON a.id = w.account_id
         WHERE w.cursor > ? ORDER BY w.cursor LIMIT ?",
    )
    .bind(since)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| {
        Ok(DownloadEntry {
            cursor: id_from_db(r.try_get(0)?, "cursor")?,
            delivery_id: DeliveryId(id_from_db(r.try_get(1)?, "delivery")?),
            document_id: DocumentId(id_from_db(r.try_get(2)?, "document")?),
            account: r.try_get(3)?,
            at: parse_ts(r.try_get(4)?)?,
        })
    })
    .collect()
}

/// One document on a recipient's page.
pub(crate) struct ListedDocument {
    pub(crate) delivery: u64,
    pub(crate) document: u64,
    pub(crate) title: String,
    pub(crate) category: String,
    pub(crate) file_name: String,
    pub(crate) size: u64,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) first_download_at: Option<DateTime<Utc>>,
}

/// The account's own documents that are not withdrawn, by category, newest first.
pub(crate) async fn documents_of(
    pool: &SqlitePool,
    account: i64,
) -> Result<Vec<ListedDocument>, sqlx::Error> {
    sqlx::query(
        "SELECT d.delivery_id, d.document_id, d.title, d.category, d.file_name, d.size, d.created_at,
             (SELECT MIN(w.at) FROM downloads w WHERE w.document_row = d.id)
         FROM documents d
         WHERE d.account_id = ? AND d.withdrawn_at IS NULL
         ORDER BY d.category, d.created_at DESC, d.delivery_id, d.document_id",
    )
    .bind(account)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| {
        Ok(ListedDocument {
            delivery: id_from_db(r.try_get(0)?, "delivery")?,
            document: id_from_db(r.try_get(1)?, "document")?,
            title: r.try_get(2)?,
            category: r.try_get(3)?,
            file_name: r.try_get(4)?,
            size: id_from_db(r.try_get(5)?, "size")?,
            created_at: parse_ts(r.try_get(6)?)?,
            first_download_at: opt_ts(r.try_get(7)?)?,
        })
    })
    .collect()
}

/// The file name of a document if it belongs to the account and is not withdrawn, without
/// recording anything (for `HEAD`).
pub(crate) async fn owned_file_name(
    pool: &SqlitePool,
    account: i64,
    delivery: i64,
    document: i64,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT file_name FROM documents
         WHERE delivery_id = ? AND document_id = ? AND account_id = ?
           AND withdrawn_at IS NULL AND content IS NOT NULL",
    )
    .bind(delivery)
    .bind(document)
    .bind(account)
    .fetch_optional(pool)
    .await
}

/// The content of a document if it belongs to the account and is not withdrawn; records the
/// download in the same transaction. `None` for anything else, so foreign documents look absent.
pub(crate) async fn take_download(
    pool: &SqlitePool,
    account: i64,
    delivery: i64,
    document: i64,
) -> Result<Option<(String, Vec<u8>)>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    // Writing first takes SQLite's write lock at once (waiting under busy_timeout); a read
    // followed by a write could fail instead when concurrent downloads race.
    let recorded = sqlx::query(
        "INSERT INTO downloads (document_row, account_id, at)
         SELECT id, account_id, ? FROM documents
         WHERE delivery_id = ? AND document_id = ? AND account_id = ?
           AND withdrawn_at IS NULL AND content IS NOT NULL",
    )
    .bind(ts(Utc::now()))
    .bind(delivery)
    .bind(document)
    .bind(account)
    .execute(&mut *tx)
    .await?;
    if recorded.rows_affected() != 1 {
        return Ok(None);
    }
    let row = sqlx::query(
        "SELECT file_name, content FROM documents
         WHERE delivery_id = ? AND document_id = ? AND account_id = ?",
    )
    .bind(delivery)
    .bind(document)
    .bind(account)
    .fetch_one(&mut *tx)
    .await?;
    let file_name: String = row.try_get(0)?;
    let content: Vec<u8> = row.try_get(1)?;
    tx.commit().await?;
    Ok(Some((file_name, content)))
}
