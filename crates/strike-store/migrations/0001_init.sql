-- Open Strike store, schema version 1.
-- Every table is STRICT. Blobs hold raw 32-byte ids and keys; times are minutes (coarse) or
-- seconds (local) since the Unix epoch as each column says.

-- Networks this node holds, sealed or open. Local bookkeeping, not part of any state hash.
CREATE TABLE networks (
    network_id BLOB PRIMARY KEY,
    added_at INTEGER NOT NULL            -- local unix seconds
) STRICT;

-- The operation log: every accepted op, verified and chained. `applied` is 1 once its body was
-- decrypted, validated and folded into the views; 0 while this node lacks the key for its
-- epoch ("sealed"). rowid order is a topological order: an op is only inserted once its
-- predecessors are present.
CREATE TABLE ops (
    op_id BLOB NOT NULL UNIQUE,
    network_id BLOB NOT NULL,
    author BLOB NOT NULL,
    seq INTEGER NOT NULL,
    time INTEGER NOT NULL,               -- coarse minutes
    epoch INTEGER NOT NULL,
    applied INTEGER NOT NULL,
    bytes BLOB NOT NULL,
    UNIQUE (network_id, author, seq)
) STRICT;

-- Ops no other op names as a predecessor: what a new local op depends on.
CREATE TABLE heads (
    network_id BLOB NOT NULL,
    op_id BLOB NOT NULL,
    time INTEGER NOT NULL,
    PRIMARY KEY (network_id, op_id)
) STRICT, WITHOUT ROWID;

-- Ops whose predecessors have not arrived yet; `missing` counts the rows in pending_waits.
CREATE TABLE pending (
    op_id BLOB PRIMARY KEY,
    network_id BLOB NOT NULL,
    author BLOB NOT NULL,
    seq INTEGER NOT NULL,
    missing INTEGER NOT NULL,
    bytes BLOB NOT NULL
) STRICT;
CREATE INDEX pending_by_author ON pending (network_id, author, seq);
CREATE TABLE pending_waits (
    missing_id BLOB NOT NULL,
    op_id BLOB NOT NULL,
    PRIMARY KEY (missing_id, op_id)
) STRICT, WITHOUT ROWID;

-- Equivocation: a second signed op at an (author, seq) already held, kept as proof, and the
-- later ops of an author flagged for it (kept so ops that depend on them can still resolve).
-- conflicts_with is NULL for the latter.
CREATE TABLE evidence (
    op_id BLOB PRIMARY KEY,
    network_id BLOB NOT NULL,
    author BLOB NOT NULL,
    seq INTEGER NOT NULL,
    conflicts_with BLOB,
    bytes BLOB NOT NULL
) STRICT;
CREATE INDEX evidence_by_author ON evidence (network_id, author);
CREATE TABLE equivocators (
    network_id BLOB NOT NULL,
    author BLOB NOT NULL,
    from_seq INTEGER NOT NULL,
    PRIMARY KEY (network_id, author)
) STRICT, WITHOUT ROWID;

-- Every refused op, once per (op, reason). op_id is BLAKE3 of the bytes as received.
CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,                 -- local unix seconds
    network_id BLOB,
    op_id BLOB NOT NULL,
    author BLOB,
    reason TEXT NOT NULL,
    detail TEXT NOT NULL,
    UNIQUE (op_id, reason)
) STRICT;

-- Secrets, protected by the database encryption.
CREATE TABLE my_authors (
    network_id BLOB PRIMARY KEY,
    signing_seed BLOB NOT NULL,
    agreement_secret BLOB NOT NULL
) STRICT;
CREATE TABLE epoch_keys (
    network_id BLOB NOT NULL,
    epoch INTEGER NOT NULL,
    key BLOB NOT NULL,
    PRIMARY KEY (network_id, epoch)
) STRICT;

-- Views: folded state, dropped and rebuilt by `admin rebuild`.
CREATE TABLE v_network (
    network_id BLOB PRIMARY KEY,
    genesis BLOB NOT NULL,
    founder BLOB NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    vouches_required INTEGER NOT NULL,
    created INTEGER NOT NULL
) STRICT;
CREATE TABLE v_members (
    network_id BLOB NOT NULL,
    author BLOB NOT NULL,
    role TEXT NOT NULL,
    agreement BLOB NOT NULL,
    admitted_by BLOB NOT NULL,
    since INTEGER NOT NULL,
    PRIMARY KEY (network_id, author)
) STRICT;
CREATE TABLE v_announcements (
    network_id BLOB NOT NULL,
    op_id BLOB NOT NULL,
    author BLOB NOT NULL,
    time INTEGER NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (network_id, op_id)
) STRICT;
CREATE INDEX v_announcements_by_time ON v_announcements (network_id, time);
