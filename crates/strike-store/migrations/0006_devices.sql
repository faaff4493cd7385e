-- Open Strike store, schema version 6: the device this store was last opened on, and the
-- networks this node may write in.
--
-- A node must never sign at a sequence number it already used: a data directory restored
-- from a backup, or copied to a second device, would. `device` holds a fingerprint of where
-- the database file lives (the machine, the file's identity on disk); when it no longer
-- matches, no network is write-ready until the node syncs it with a peer or a hub (and so
-- learns its own later ops, if any exist), or its owner says this is the only copy.
CREATE TABLE device (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    binding BLOB NOT NULL
) STRICT;

CREATE TABLE write_ready (
    network_id BLOB PRIMARY KEY,
    at INTEGER NOT NULL,                 -- local unix seconds
    how TEXT NOT NULL                    -- created | joined | synced | owner | recovered
) STRICT;
