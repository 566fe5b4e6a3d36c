-- What the analyst dashboard and case files read besides the exchange log: each account's score over time, its
-- latest readable risk, the review of each alert, and the case files exported. Times are epoch microseconds.

-- Points of an account's score, one per material change (the recorder thins them and keeps a bounded number per
-- account). `at` is the event time of the exchange that moved the score, so replayed days plot on their own clock.
CREATE TABLE score_history (
  account_id TEXT    NOT NULL,
  at         INTEGER NOT NULL,
  score      REAL    NOT NULL,
  level      TEXT    NOT NULL,               -- RiskLevel wire name
  evidence   INTEGER NOT NULL
);

CREATE INDEX score_history_account_at ON score_history (account_id, at);

-- The latest risk of each account with its reasons, so offline tools (report case) explain a score without the
-- detection state that lives in the gateway's memory.
CREATE TABLE risk_snapshots (
  account_id TEXT    NOT NULL PRIMARY KEY,
  at         INTEGER NOT NULL,
  score      REAL    NOT NULL,
  level      TEXT    NOT NULL,
  evidence   INTEGER NOT NULL,
  reasons    TEXT    NOT NULL DEFAULT '[]'   -- JSON array of {signal, value, contribution, explanation}
);

CREATE INDEX risk_snapshots_level ON risk_snapshots (level, score);

-- Analysts' decisions on alerts: approve (the automatic action stands), revert, escalate, annotate. Each row has
-- its audit-log twin; this table is what the review queue filters on.
CREATE TABLE alert_reviews (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  alert_id   INTEGER NOT NULL,
  account_id TEXT    NOT NULL,
  decision   TEXT    NOT NULL,
  actor      TEXT    NOT NULL,
  at         INTEGER NOT NULL,
  note       TEXT,
  audit_seq  INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX alert_reviews_alert ON alert_reviews (alert_id, id);
CREATE INDEX alert_reviews_account ON alert_reviews (account_id, id);

-- Exported evidence bundles; the bundle hash is also in the hash-chained audit log (audit_seq).
CREATE TABLE case_files (
  id         TEXT    NOT NULL PRIMARY KEY,
  subject    TEXT    NOT NULL,               -- account:ID or cluster:ID
  created_at INTEGER NOT NULL,
  actor      TEXT    NOT NULL,
  sha256     TEXT    NOT NULL,               -- hex SHA-256 of the bundle's manifest
  path       TEXT    NOT NULL,               -- the bundle directory
  audit_seq  INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX case_files_subject ON case_files (subject, created_at);
