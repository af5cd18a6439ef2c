-- outbox store schema, SQLite dialect. Keep in step with ../postgres/0001_init.sql.
-- Times are microseconds since the Unix epoch; every row carries its tenant.

CREATE TABLE tenants (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE contacts (
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    id BIGINT NOT NULL,
    name TEXT NOT NULL,
    address TEXT,
    email TEXT,
    portal_account TEXT,
    routes TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE collectors (
    id INTEGER PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    dissolved_at BIGINT,
    UNIQUE (tenant_id, id)
);
CREATE INDEX collectors_list_created ON collectors (tenant_id, created_at, id) WHERE dissolved_at IS NULL;
CREATE INDEX collectors_list_title ON collectors (tenant_id, name, id) WHERE dissolved_at IS NULL;

CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    title TEXT NOT NULL,
    file_name TEXT NOT NULL,
    page_count BIGINT NOT NULL,
    size_bytes BIGINT NOT NULL,
    author TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    source_reference TEXT,
    settings TEXT NOT NULL,
    blob_key TEXT NOT NULL,
    collector_id BIGINT,
    deleted_at BIGINT,
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, collector_id) REFERENCES collectors (tenant_id, id)
);
CREATE INDEX documents_list_created ON documents (tenant_id, created_at, id) WHERE deleted_at IS NULL AND collector_id IS NULL;
CREATE INDEX documents_list_title ON documents (tenant_id, title, id) WHERE deleted_at IS NULL AND collector_id IS NULL;
CREATE INDEX documents_all ON documents (tenant_id, id) WHERE deleted_at IS NULL;

CREATE TABLE document_recipients (
    tenant_id BIGINT NOT NULL,
    document_id BIGINT NOT NULL,
    position BIGINT NOT NULL,
    contact_id BIGINT NOT NULL,
    PRIMARY KEY (document_id, contact_id),
    FOREIGN KEY (tenant_id, document_id) REFERENCES documents (tenant_id, id),
    FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id)
);

CREATE TABLE route_overrides (
    tenant_id BIGINT NOT NULL,
    document_id BIGINT NOT NULL,
    contact_id BIGINT NOT NULL, -- -1: every recipient of the document
    route TEXT NOT NULL,
    added BOOLEAN NOT NULL,
    PRIMARY KEY (document_id, contact_id, route),
    FOREIGN KEY (tenant_id, document_id) REFERENCES documents (tenant_id, id)
);

CREATE TABLE collector_documents (
    tenant_id BIGINT NOT NULL,
    collector_id BIGINT NOT NULL,
    position BIGINT NOT NULL,
    document_id BIGINT NOT NULL,
    PRIMARY KEY (collector_id, position),
    FOREIGN KEY (tenant_id, collector_id) REFERENCES collectors (tenant_id, id),
    FOREIGN KEY (tenant_id, document_id) REFERENCES documents (tenant_id, id)
);

CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    tenant_id BIGINT NOT NULL,
    recipient_id BIGINT NOT NULL,
    route TEXT NOT NULL,
    collector_id BIGINT,
    status TEXT NOT NULL,
    fail_reason TEXT,
    fail_retryable BOOLEAN,
    attempts BIGINT NOT NULL DEFAULT 0,
    fence BIGINT NOT NULL DEFAULT 0,
    lease_owner TEXT,
    lease_until BIGINT,
    not_before BIGINT,
    provider_reference TEXT,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    changed_at BIGINT NOT NULL,
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, recipient_id) REFERENCES contacts (tenant_id, id),
    FOREIGN KEY (tenant_id, collector_id) REFERENCES collectors (tenant_id, id)
);
CREATE INDEX deliveries_queued ON deliveries (id) WHERE status = 'queued';
CREATE INDEX deliveries_leased ON deliveries (lease_until) WHERE status = 'in_progress' AND lease_until IS NOT NULL;
CREATE INDEX deliveries_open ON deliveries (tenant_id, route, status) WHERE status IN ('in_progress', 'sent');
CREATE INDEX deliveries_collector ON deliveries (collector_id) WHERE collector_id IS NOT NULL;
CREATE INDEX deliveries_provider_reference ON deliveries (tenant_id, provider_reference) WHERE provider_reference IS NOT NULL;

CREATE TABLE delivery_documents (
    tenant_id BIGINT NOT NULL,
    delivery_id BIGINT NOT NULL,
    position BIGINT NOT NULL,
    document_id BIGINT NOT NULL,
    PRIMARY KEY (delivery_id, position),
    FOREIGN KEY (tenant_id, delivery_id) REFERENCES deliveries (tenant_id, id),
    FOREIGN KEY (tenant_id, document_id) REFERENCES documents (tenant_id, id)
);
CREATE INDEX delivery_documents_document ON delivery_documents (document_id, delivery_id);

CREATE TABLE delivery_history (
    id INTEGER PRIMARY KEY,
    tenant_id BIGINT NOT NULL,
    delivery_id BIGINT NOT NULL,
    at BIGINT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    by_who TEXT NOT NULL,
    FOREIGN KEY (tenant_id, delivery_id) REFERENCES deliveries (tenant_id, id)
);
CREATE INDEX delivery_history_delivery ON delivery_history (delivery_id, id);

CREATE TABLE edit_locks (
    document_id BIGINT PRIMARY KEY,
    tenant_id BIGINT NOT NULL,
    owner TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    FOREIGN KEY (tenant_id, document_id) REFERENCES documents (tenant_id, id)
);

CREATE TABLE epost_accounts (
    tenant_id BIGINT PRIMARY KEY REFERENCES tenants (id),
    nonce BLOB NOT NULL,
    secret BLOB NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE poll_slots (
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    account TEXT NOT NULL,
    last_poll_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, account)
);

CREATE TABLE shares (
    id TEXT PRIMARY KEY,
    tenant_id BIGINT NOT NULL,
    delivery_id BIGINT NOT NULL,
    route TEXT NOT NULL,
    token_hash BLOB NOT NULL UNIQUE,
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT,
    FOREIGN KEY (tenant_id, delivery_id) REFERENCES deliveries (tenant_id, id)
);
CREATE INDEX shares_delivery ON shares (delivery_id);

CREATE TABLE download_records (
    id INTEGER PRIMARY KEY,
    tenant_id BIGINT NOT NULL,
    delivery_id BIGINT NOT NULL,
    document_id BIGINT NOT NULL,
    route TEXT NOT NULL,
    at BIGINT NOT NULL,
    by_who TEXT NOT NULL,
    FOREIGN KEY (tenant_id, delivery_id) REFERENCES deliveries (tenant_id, id),
    FOREIGN KEY (tenant_id, document_id) REFERENCES documents (tenant_id, id)
);
CREATE INDEX download_records_delivery ON download_records (delivery_id, id);

CREATE TABLE blobs (
    key TEXT PRIMARY KEY,
    bytes BLOB NOT NULL
);
