-- Open Strike store, schema version 12: secret pledges and ballots. What only this node knows,
-- inside the encrypted file like everything else (docs/protocol.md, "Secret pledges and
-- ballots").

-- The blind-signing keys this node's organizer holds for the secret calls and proposals they
-- issue credentials for: one per group.
CREATE TABLE issuer_keys (
    network_id BLOB NOT NULL,
    scope BLOB NOT NULL,                 -- the call or proposal
    grp TEXT NOT NULL,
    secret BLOB NOT NULL,                -- PKCS#8 DER
    key_op BLOB,                         -- its credential_key op, once written
    PRIMARY KEY (network_id, scope, grp)
) STRICT;

-- This member's link to their one-time author on a secret call or proposal: the one-time key,
-- the blindings of their request and the credentials once the issuers answer. `pledge forget`
-- wipes the key and the link and keeps only that it was forgotten (so no second request).
CREATE TABLE secret_links (
    network_id BLOB NOT NULL,
    scope BLOB NOT NULL,
    one_time BLOB NOT NULL,              -- the one-time signing seed; empty once forgotten
    request BLOB,                        -- the request op
    link BLOB NOT NULL,                  -- the node's own encoding of blindings and credentials
    forgotten INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (network_id, scope)
) STRICT;

-- This node's secret ops not yet released: logged here (so the member sees their own pledge)
-- but left out of every sync session, bundle and dependency list until `release_at`, when the
-- node hands them to one peer or hub chosen at random (`relayed` then set, and a quiet time
-- before its own sessions carry them), so that no member first receives them from their
-- author's node.
CREATE TABLE held_back (
    network_id BLOB NOT NULL,
    op_id BLOB NOT NULL,
    release_at INTEGER NOT NULL,         -- unix seconds
    relayed INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (network_id, op_id)
) STRICT;
