-- Open Strike store, schema version 2: membership resolved from the op set, the directory,
-- strike calls and pledges. Every view is rebuilt from the log after this migration.

-- Invite secrets this node holds (it created the invite, joined with it, or read it as a
-- member): they open join requests and the bundles joiners send.
CREATE TABLE invite_secrets (
    network_id BLOB NOT NULL,
    invite BLOB NOT NULL,                -- 16-byte invite id
    secret BLOB NOT NULL,
    PRIMARY KEY (network_id, invite)
) STRICT;

-- Networks whose views must be rebuilt when the store next opens.
CREATE TABLE rebuild_needed (network_id BLOB PRIMARY KEY) STRICT;
INSERT INTO rebuild_needed SELECT network_id FROM networks;

-- Membership as resolved from the membership ops (strike_core::membership::resolve).
DROP TABLE v_members;
CREATE TABLE v_members (
    network_id BLOB NOT NULL,
    author BLOB NOT NULL,
    status TEXT NOT NULL,                -- member | pending | removed
    role TEXT NOT NULL,                  -- organizer | member
    agreement BLOB NOT NULL,
    pseudonym TEXT NOT NULL,
    invite BLOB,
    first_op BLOB NOT NULL,
    since INTEGER NOT NULL,
    count_upto INTEGER NOT NULL,         -- the author's ops up to this seq count (0: none)
    PRIMARY KEY (network_id, author)
) STRICT;
CREATE TABLE v_vouches (
    network_id BLOB NOT NULL,
    member BLOB NOT NULL,
    voucher BLOB NOT NULL,
    PRIMARY KEY (network_id, member, voucher)
) STRICT, WITHOUT ROWID;
CREATE TABLE v_invites (
    network_id BLOB NOT NULL,
    invite BLOB NOT NULL,
    op_id BLOB NOT NULL,
    author BLOB NOT NULL,
    uses INTEGER NOT NULL,
    vouches INTEGER NOT NULL,
    expires INTEGER,
    requests INTEGER NOT NULL,
    counted INTEGER NOT NULL,
    PRIMARY KEY (network_id, invite)
) STRICT;

DROP TABLE v_announcements;
CREATE TABLE v_announcements (
    network_id BLOB NOT NULL,
    op_id BLOB NOT NULL,
    author BLOB NOT NULL,
    seq INTEGER NOT NULL,
    time INTEGER NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (network_id, op_id)
) STRICT;
CREATE INDEX v_announcements_by_time ON v_announcements (network_id, time);

-- Every decrypted op other than announcements and pledges, whoever wrote it: whether it
-- counts is decided by joining v_members (seq <= count_upto, and the role where one is needed).
-- `ref` is the op's subject (member, contact, call, invite ...), `n` a number it carries.
CREATE TABLE v_facts (
    network_id BLOB NOT NULL,
    op_id BLOB NOT NULL,
    author BLOB NOT NULL,
    seq INTEGER NOT NULL,
    time INTEGER NOT NULL,
    kind TEXT NOT NULL,
    ref BLOB,
    n INTEGER,
    body BLOB NOT NULL,                  -- the canonical CBOR body
    PRIMARY KEY (network_id, op_id)
) STRICT;
CREATE INDEX v_facts_by_kind ON v_facts (network_id, kind, ref);

CREATE TABLE v_pledges (
    network_id BLOB NOT NULL,
    call BLOB NOT NULL,
    author BLOB NOT NULL,
    seq INTEGER NOT NULL,
    time INTEGER NOT NULL,
    pledged INTEGER NOT NULL,
    op_id BLOB NOT NULL,
    PRIMARY KEY (network_id, call, author, seq)
) STRICT, WITHOUT ROWID;

-- For each checkpoint: the highest seq of each author in its causal past.
CREATE TABLE v_checkpoint_cuts (
    network_id BLOB NOT NULL,
    checkpoint BLOB NOT NULL,
    author BLOB NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (network_id, checkpoint, author)
) STRICT, WITHOUT ROWID;

-- Ops held sealed, by epoch: learning a key folds only the ops it opens.
CREATE INDEX ops_sealed ON ops (network_id, epoch) WHERE applied = 0;
