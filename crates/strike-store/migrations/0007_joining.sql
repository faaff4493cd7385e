-- Open Strike store, schema version 7: joining over the network.

-- On a hub: the live invites members told it about (`InviteTicket`), so their joiners can
-- reach the network through it in restricted sessions. Nothing here is secret: the invite's
-- public id and the public half of its access key.
CREATE TABLE hub_invites (
    network_id BLOB NOT NULL,
    invite BLOB NOT NULL,
    access_key BLOB NOT NULL,
    expires INTEGER,                     -- coarse minutes, the invite's own
    uses INTEGER NOT NULL,
    removed BLOB NOT NULL,               -- removed joiners' author keys, 32 bytes each
    updated INTEGER NOT NULL,            -- local unix seconds
    PRIMARY KEY (network_id, invite)
) STRICT;

-- On a hub: the joiners it let in under each invite (it refuses more than `uses` of them).
CREATE TABLE hub_joiners (
    network_id BLOB NOT NULL,
    invite BLOB NOT NULL,
    author BLOB NOT NULL,
    PRIMARY KEY (network_id, invite, author)
) STRICT, WITHOUT ROWID;

-- Where peers reach this node (`serve --public-addr`, the LAN address with `--lan`): what new
-- invites carry by default. Written by `serve` when it starts.
CREATE TABLE own_addresses (
    addr TEXT PRIMARY KEY,               -- ID@HOST:PORT
    source TEXT NOT NULL,                -- public | lan
    at INTEGER NOT NULL                  -- local unix seconds
) STRICT;
