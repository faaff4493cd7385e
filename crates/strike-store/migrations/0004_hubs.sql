-- Open Strike store, schema version 4: hubs.
-- On a hub: the newest grant of each network it serves (hub_id is the hub's own endpoint id).
-- On a founder's node: the grants it issued, one per hub, presented when it syncs with that hub.
CREATE TABLE hub_grants (
    network_id BLOB NOT NULL,
    hub_id BLOB NOT NULL,
    issued INTEGER NOT NULL,             -- unix seconds, from the grant
    grant_bytes BLOB NOT NULL,
    PRIMARY KEY (network_id, hub_id)
) STRICT;

-- On a hub: what each network's ops take, for quotas (counted by relay ingest).
CREATE TABLE relay_usage (
    network_id BLOB PRIMARY KEY,
    ops INTEGER NOT NULL,
    bytes INTEGER NOT NULL
) STRICT;

-- A peer that turned out to be a hub: this node opens sessions there with an access proof.
ALTER TABLE peers ADD COLUMN hub INTEGER NOT NULL DEFAULT 0;
