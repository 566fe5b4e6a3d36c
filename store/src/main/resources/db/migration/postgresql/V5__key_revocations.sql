-- Nodes sharing a store read the keys revoked since their last scan (SharedDirectory); without this index that is a
-- scan of every key each interval.
CREATE INDEX api_keys_revoked_at ON api_keys (revoked_at);
