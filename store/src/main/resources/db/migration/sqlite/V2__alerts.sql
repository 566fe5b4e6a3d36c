-- The alerts feed: one row per automatic escalation of an account (what the admin API serves at
-- /admin/v1/alerts). The audit log keeps the same status change hash-chained; this table is the queryable view an
-- analyst pages through, filtered by account and level, without parsing audit details.
CREATE TABLE alerts (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,  -- increasing: the paging cursor
  at          INTEGER NOT NULL,                   -- epoch microseconds: event time of the triggering exchange
  recorded_at INTEGER NOT NULL,                   -- epoch microseconds
  account_id  TEXT    NOT NULL,
  from_level  TEXT    NOT NULL,                   -- RiskLevel wire name: none, watch, throttle, degrade, block
  to_level    TEXT    NOT NULL,
  score       REAL    NOT NULL,
  evidence    INTEGER NOT NULL,                   -- exchanges seen when it escalated
  reasons     TEXT    NOT NULL DEFAULT '[]',      -- JSON array of {signal, value, contribution, explanation}
  audit_seq   INTEGER NOT NULL DEFAULT 0          -- audit_log.seq of the same status change, 0 when none
);

CREATE INDEX alerts_account ON alerts (account_id, id);
CREATE INDEX alerts_level ON alerts (to_level, id);
CREATE INDEX alerts_at ON alerts (at);
