-- Open Strike store, schema version 8: circles (private scopes inside a network).

-- Which circle each circle key this node holds belongs to (the keys are in epoch_keys). Kept
-- across rebuilds, as the keys are: some arrive in the sealed list of a later key.
CREATE TABLE circle_epochs (
    network_id BLOB NOT NULL,
    epoch INTEGER NOT NULL,
    circle BLOB NOT NULL,
    PRIMARY KEY (network_id, epoch)
) STRICT;

-- The circle an op of the circle layer was sealed in (NULL for every other op).
ALTER TABLE v_facts ADD COLUMN circle BLOB;
CREATE INDEX v_facts_by_circle ON v_facts (network_id, circle) WHERE circle IS NOT NULL;

-- Circle key ops this node looked at: whether it tried its shares (only once the op's author
-- counts in the circle), and, once it holds the key, who the key was sealed to (from its
-- sealed list; 32-byte author keys one after another).
CREATE TABLE v_circle_lists (
    network_id BLOB NOT NULL,
    op_id BLOB NOT NULL,
    circle BLOB NOT NULL,
    epoch INTEGER NOT NULL,
    author BLOB NOT NULL,
    seq INTEGER NOT NULL,
    tried INTEGER NOT NULL DEFAULT 0,
    members BLOB,                        -- NULL: this node holds no key of that epoch (yet)
    PRIMARY KEY (network_id, op_id)
) STRICT;

-- Membership entries this node could open (it holds the circle key of their epoch).
CREATE TABLE v_circle_entries (
    network_id BLOB NOT NULL,
    op_id BLOB NOT NULL,
    circle BLOB NOT NULL,
    writer BLOB NOT NULL,
    time INTEGER NOT NULL,
    member BLOB NOT NULL,
    added INTEGER NOT NULL,
    last_seen_seq INTEGER NOT NULL,
    PRIMARY KEY (network_id, op_id)
) STRICT;

-- Who is in each circle, as resolved from the ops and keys this node holds: current members,
-- and those who left with the seq up to which their circle ops count.
CREATE TABLE v_circle_members (
    network_id BLOB NOT NULL,
    circle BLOB NOT NULL,
    author BLOB NOT NULL,
    lead INTEGER NOT NULL,
    current INTEGER NOT NULL,
    count_upto INTEGER NOT NULL,
    PRIMARY KEY (network_id, circle, author)
) STRICT;
