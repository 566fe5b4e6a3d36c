-- Clusters that survive a restart, a journal checkpoint per gateway node, and what many gateway nodes share to
-- enforce rate limits together. Times: clusters and rulings in epoch MICROseconds (event time, like the audit log);
-- rate windows and node heartbeats in epoch MILLIseconds.

-- The clusters linkage found, as of its latest recomputation, with the analyst's ruling. A cluster a recomputation
-- no longer finds is dissolved (its members dropped), not deleted: its ruling applies again if it forms again.
CREATE TABLE clusters (
  id            TEXT    NOT NULL PRIMARY KEY,
  first_seen    INTEGER NOT NULL,            -- event time of the recomputation that first formed it
  recomputed_at INTEGER NOT NULL,            -- event time of the latest recomputation that found it
  dissolved_at  INTEGER,                     -- null while it exists
  size          INTEGER NOT NULL,
  score         REAL    NOT NULL,
  level         TEXT    NOT NULL,            -- RiskLevel wire name: detection's, capped or set by the ruling
  ruling        TEXT,                        -- RiskLevel wire name of the analyst's ruling, null when none
  ruled_at      INTEGER,
  ruled_by      TEXT
);

CREATE TABLE cluster_members (
  cluster_id TEXT    NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
  account_id TEXT    NOT NULL,
  position   INTEGER NOT NULL,               -- 0 = the member linkage saw first
  PRIMARY KEY (cluster_id, account_id)
);

CREATE INDEX cluster_members_account ON cluster_members (account_id);

-- One checkpoint per exchange journal: each gateway node has its own journal, so sharing one number would let a
-- node that restarts skip what its own journal still holds.
CREATE TABLE journal_checkpoints (
  journal TEXT    NOT NULL PRIMARY KEY,
  seq     INTEGER NOT NULL
);

INSERT INTO journal_checkpoints (journal, seq) SELECT 'default', seq FROM journal_checkpoint;
DROP TABLE journal_checkpoint;

-- Rate-limit consumption per subject (account:ID or key:ID), minute of event time and node, added to by each node
-- every sync interval (docs/scale.md, "Rate limits across nodes"). Kept for a few minutes.
CREATE TABLE rate_usage (
  subject      TEXT    NOT NULL,
  window_start INTEGER NOT NULL,             -- epoch milliseconds, a multiple of 60,000
  node         TEXT    NOT NULL,
  requests     INTEGER NOT NULL,
  tokens       INTEGER NOT NULL,
  PRIMARY KEY (subject, window_start, node)
);

CREATE INDEX rate_usage_window ON rate_usage (window_start);

-- Gateway nodes that share the store, with their latest heartbeat (wall clock).
CREATE TABLE gateway_nodes (
  node         TEXT    NOT NULL PRIMARY KEY,
  started_at   INTEGER NOT NULL,
  heartbeat_at INTEGER NOT NULL
);
