-- Open Strike store, schema version 9: search over the knowledge base.

-- The current text of every guide of a network (and of the starter library), indexed twice:
-- by words (Porter stems, case and diacritics folded; prefixes) and by trigrams (any three
-- characters in a row). Both live inside the encrypted file like every other table. The node
-- rebuilds a network's rows when its guides change (`guide_index.stamp`).
CREATE VIRTUAL TABLE guide_words USING fts5(
    title, body, network_id UNINDEXED, guide UNINDEXED,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE guide_grams USING fts5(
    title, body, network_id UNINDEXED, guide UNINDEXED,
    tokenize = 'trigram'
);
CREATE TABLE guide_index (
    network_id BLOB PRIMARY KEY,
    stamp TEXT NOT NULL                  -- what the rows were built from (the node decides)
) STRICT;
