-- DistillGuard schema, version 1, SQLite.
--
-- Time units (all INTEGER):
--   * accounts.created_at/updated_at, api_keys.created_at/revoked_at: epoch MILLIseconds.
--   * exchanges.event_time and audit_log.at: epoch MICROseconds. Fast traffic arrives many times per millisecond and
--     detectors depend on its order; the audit hash covers `at` at microsecond precision, so it must be stored at
--     that precision to be re-verifiable.
-- Booleans are INTEGER 0/1, JSON documents are TEXT. Types and constraints are kept close to standard SQL so the
-- PostgreSQL migration (db/migration/postgresql) can mirror this one column for column.

CREATE TABLE accounts (
  id         TEXT    NOT NULL PRIMARY KEY,
  name       TEXT,
  attributes TEXT    NOT NULL DEFAULT '{}',  -- JSON object of string to string
  status     TEXT    NOT NULL,               -- AccountStatus wire name: active, watch, throttled, degraded, blocked
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

-- Serves list(status, afterId): filter by status, keyset over id.
CREATE INDEX accounts_status_id ON accounts (status, id);

CREATE TABLE api_keys (
  key_id      TEXT    NOT NULL PRIMARY KEY,
  account_id  TEXT    NOT NULL REFERENCES accounts (id),
  secret_hash BLOB    NOT NULL,              -- SHA-256 of the secret; the secret itself is never stored
  created_at  INTEGER NOT NULL,
  revoked_at  INTEGER                        -- null while the key is usable
);

CREATE INDEX api_keys_account ON api_keys (account_id);

-- No foreign key to accounts: unauthenticated requests have no account, and the log must accept a batch from the
-- journal whatever happened to the account since; a per-row FK check would also slow bulk appends.
CREATE TABLE exchanges (
  id                 TEXT    NOT NULL PRIMARY KEY,
  event_time         INTEGER NOT NULL,       -- epoch microseconds
  account_id         TEXT,
  key_id             TEXT,
  client_ip          TEXT,
  user_agent         TEXT,
  header_fingerprint TEXT,
  endpoint           TEXT    NOT NULL,
  model              TEXT,
  temperature        REAL,
  top_p              REAL,
  n                  INTEGER,
  max_tokens         INTEGER,
  logprobs           INTEGER,                -- boolean, null when absent
  top_logprobs       INTEGER,
  seed               INTEGER,
  tools              INTEGER NOT NULL DEFAULT 0,
  stream             INTEGER NOT NULL,       -- boolean
  messages           TEXT    NOT NULL,       -- JSON array of {"role": ..., "content": ...}; content null when redacted
  response_text      TEXT,
  prompt_sha256      TEXT,
  prompt_chars       INTEGER NOT NULL,
  response_sha256    TEXT,
  response_chars     INTEGER NOT NULL,
  prompt_tokens      INTEGER NOT NULL,
  completion_tokens  INTEGER NOT NULL,
  status             INTEGER NOT NULL,       -- HTTP status the client received
  outcome            TEXT    NOT NULL,       -- Outcome wire name
  error_code         TEXT,
  latency_micros     INTEGER NOT NULL,
  upstream_micros    INTEGER NOT NULL,
  first_byte_micros  INTEGER NOT NULL
);

CREATE INDEX exchanges_account_time ON exchanges (account_id, event_time);
CREATE INDEX exchanges_time ON exchanges (event_time);

-- The journal sequence number the exchange log has reached; exactly one row, advanced in the append transaction.
CREATE TABLE journal_checkpoint (
  id  INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
  seq INTEGER NOT NULL
);

INSERT INTO journal_checkpoint (id, seq) VALUES (1, 0);

-- Append-only and hash-chained: hash = SHA-256 over prev_hash and the canonical form of the entry (see AuditChain).
-- AUTOINCREMENT so a sequence number is never reused, even after the newest row is deleted.
CREATE TABLE audit_log (
  seq       INTEGER PRIMARY KEY AUTOINCREMENT,
  at        INTEGER NOT NULL,                -- epoch microseconds
  actor     TEXT    NOT NULL,
  action    TEXT    NOT NULL,
  subject   TEXT,
  details   TEXT    NOT NULL DEFAULT '{}',   -- JSON object of string to string
  prev_hash TEXT    NOT NULL,                -- hex; 64 zeros for the first entry
  hash      TEXT    NOT NULL                 -- hex
);

-- Serves list(subject) newest first.
CREATE INDEX audit_log_subject ON audit_log (subject, seq);
