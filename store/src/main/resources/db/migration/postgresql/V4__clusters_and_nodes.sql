-- db/migration/sqlite/V4__clusters_and_nodes.sql with PostgreSQL's types: clusters that survive a restart, a
-- journal checkpoint per gateway node, rate-limit consumption shared by the nodes, and the nodes' heartbeats.

CREATE TABLE clusters (
  id            TEXT COLLATE "C" NOT NULL PRIMARY KEY,
  first_seen    BIGINT  NOT NULL,            -- epoch microseconds (event time)
  recomputed_at BIGINT  NOT NULL,
  dissolved_at  BIGINT,                      -- null while it exists
  size          INTEGER NOT NULL,
  score         DOUBLE PRECISION NOT NULL,
  level         TEXT    NOT NULL,
  ruling        TEXT,                        -- null when no analyst ruled
  ruled_at      BIGINT,
  ruled_by      TEXT
);

CREATE TABLE cluster_members (
  cluster_id TEXT COLLATE "C" NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
  account_id TEXT    NOT NULL,
  position   INTEGER NOT NULL,
  PRIMARY KEY (cluster_id, account_id)
);

CREATE INDEX cluster_members_account ON cluster_members (account_id);

CREATE TABLE journal_checkpoints (
  journal TEXT    NOT NULL PRIMARY KEY,
  seq     BIGINT  NOT NULL
);

INSERT INTO journal_checkpoints (journal, seq) SELECT 'default', seq FROM journal_checkpoint;
DROP TABLE journal_checkpoint;

CREATE TABLE rate_usage (
  subject      TEXT    NOT NULL,
  window_start BIGINT  NOT NULL,             -- epoch milliseconds
  node         TEXT    NOT NULL,
  requests     BIGINT  NOT NULL,
  tokens       BIGINT  NOT NULL,
  PRIMARY KEY (subject, window_start, node)
);

CREATE INDEX rate_usage_window ON rate_usage (window_start);

CREATE TABLE gateway_nodes (
  node         TEXT    NOT NULL PRIMARY KEY,
  started_at   BIGINT  NOT NULL,             -- epoch milliseconds (wall clock)
  heartbeat_at BIGINT  NOT NULL
);
