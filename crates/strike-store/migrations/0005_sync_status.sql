-- Open Strike store, schema version 5: how the last sync attempt with each peer went, for the
-- sync status the web UI shows (last attempt, and why it failed if it did).
ALTER TABLE peers ADD COLUMN last_attempt INTEGER;   -- local unix seconds
ALTER TABLE peers ADD COLUMN last_error TEXT;        -- NULL after a session that completed
