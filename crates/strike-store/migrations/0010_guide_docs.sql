-- Open Strike store, schema version 10: the search index is kept up to date guide by guide.
-- What each indexed document was built from (its ops and its editors), so that only the
-- guides that changed are indexed again.
CREATE TABLE guide_index_docs (
    network_id BLOB NOT NULL,
    guide TEXT NOT NULL,                 -- a guide's short id, or library:SLUG
    stamp TEXT NOT NULL,
    PRIMARY KEY (network_id, guide)
) STRICT;
