-- Open Strike store, schema version 3: peers to sync each network with.
CREATE TABLE peers (
    network_id BLOB NOT NULL,
    addr TEXT NOT NULL,                  -- ID@HOST:PORT[,HOST:PORT]
    added_at INTEGER NOT NULL,           -- local unix seconds
    last_sync INTEGER,                   -- local unix seconds of the last completed session
    PRIMARY KEY (network_id, addr)
) STRICT;
