-- Open Strike store, schema version 11: op order. Ops of one minute are applied by author, then
-- sequence number (docs/protocol.md, "Op order"), no longer by op id: fold every network's
-- views again under the new order.
INSERT OR IGNORE INTO rebuild_needed SELECT network_id FROM networks;
