-- Open Strike store, schema version 5: how the last sync attempt with each peer went, for the
-- sync status the web UI shows (last attempt, and why it failed if it did).
ALTER TABLE peers ADD COLUMN last_attempt INTEGER;   -- local unix seconds
ALTER TABLE peers ADD COLUMN last_error TEXT;        -- NULL after a session that completed

-- Sessions peers opened with this node, per network: when the last one completed and how
-- many did. Deliberately no peer ids: a seized device should not list who synced with it.
CREATE TABLE served_sync (
    network_id BLOB PRIMARY KEY,
    last_at INTEGER NOT NULL,            -- local unix seconds
    sessions INTEGER NOT NULL
) STRICT;
