//! Search over the knowledge base: two FTS5 indexes of every guide's current text, one by
//! words (stems and prefixes, ranked by BM25 with the title weighted) and one by trigrams
//! (any run of three characters). The node decides what is indexed; the store keeps it and
//! answers queries. Both indexes are tables of the encrypted file.

use rusqlite::{OptionalExtension, params};
use strike_core::NetworkId;

use crate::{Result, Store};

/// Marks a snippet's matched text: start and end (control characters no guide text holds).
pub const MARK_START: char = '\u{2}';
pub const MARK_END: char = '\u{3}';

/// One guide's text as indexed.
#[derive(Debug, Clone)]
pub struct GuideDoc {
    /// The guide's id, or a library guide's `library:SLUG`.
    pub guide: String,
    pub title: String,
    pub body: String,
}

/// A search result.
#[derive(Debug, Clone, PartialEq)]
pub struct GuideHit {
    pub guide: String,
    pub title: String,
    /// Text around the match, the matches between [`MARK_START`] and [`MARK_END`].
    pub snippet: String,
    /// BM25 (lower is better) for word hits; trigram hits come after every word hit.
    pub rank: f64,
    /// `words` or `trigrams`.
    pub by: &'static str,
}

impl Store {
    /// What the network's index was built from, if it was.
    pub fn guide_index_stamp(&self, network: &NetworkId) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT stamp FROM guide_index WHERE network_id = ?1", [&network.0[..]], |r| r.get(0))
            .optional()?)
    }

    /// The counted guide ops of the network, without decoding them: (guide, op) for every
    /// guide (its own id), revision and review, sorted. What a guide shows depends on these
    /// and on who its editors are, nothing else.
    pub fn guide_op_ids(&self, network: &NetworkId) -> Result<Vec<([u8; 32], [u8; 32])>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT COALESCE(f.ref, f.op_id), f.op_id FROM v_facts f
             JOIN v_members m ON m.network_id = f.network_id AND m.author = f.author AND f.seq <= m.count_upto
             WHERE f.network_id = ?1 AND f.kind IN ('guide', 'guide_rev', 'guide_review')
             ORDER BY 1, 2",
        )?;
        let rows = stmt.query_map([&network.0[..]], |r| Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, Vec<u8>>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (g, op) = row?;
            out.push((crate::blob32(g)?, crate::blob32(op)?));
        }
        Ok(out)
    }

    /// What each indexed document of the network was built from.
    pub fn guide_doc_stamps(&self, network: &NetworkId) -> Result<std::collections::HashMap<String, String>> {
        let mut stmt = self.conn.prepare_cached("SELECT guide, stamp FROM guide_index_docs WHERE network_id = ?1")?;
        let rows = stmt.query_map([&network.0[..]], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Updates the network's index in one transaction: `upsert` replaces (or adds) those
    /// documents, each with what it was built from, `remove` drops those; the network's
    /// `stamp` covers all of it.
    pub fn update_guide_index(
        &mut self,
        network: &NetworkId,
        stamp: &str,
        upsert: &[(GuideDoc, String)],
        remove: &[String],
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        let gone = upsert.iter().map(|(d, _)| &d.guide).chain(remove);
        for guide in gone {
            for table in ["guide_words", "guide_grams"] {
                tx.execute(
                    &format!("DELETE FROM {table} WHERE network_id = ?1 AND guide = ?2"),
                    params![&network.0[..], guide],
                )?;
            }
            tx.execute(
                "DELETE FROM guide_index_docs WHERE network_id = ?1 AND guide = ?2",
                params![&network.0[..], guide],
            )?;
        }
        for table in ["guide_words", "guide_grams"] {
            let mut insert =
                tx.prepare(&format!("INSERT INTO {table} (title, body, network_id, guide) VALUES (?1, ?2, ?3, ?4)"))?;
            for (d, _) in upsert {
                insert.execute(params![d.title, d.body, &network.0[..], d.guide])?;
            }
        }
        for (d, doc_stamp) in upsert {
            tx.execute(
                "INSERT INTO guide_index_docs (network_id, guide, stamp) VALUES (?1, ?2, ?3)",
                params![&network.0[..], d.guide, doc_stamp],
            )?;
        }
        tx.execute(
            "INSERT INTO guide_index (network_id, stamp) VALUES (?1, ?2)
             ON CONFLICT (network_id) DO UPDATE SET stamp = ?2",
            params![&network.0[..], stamp],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Guides matching `query`, best first, at most `limit`: every word (or a word it starts,
    /// for the last one typed) by stems, then, for what the words miss, the whole query as a
    /// run of characters (three or more) anywhere in a title or text.
    pub fn search_guides(&self, network: &NetworkId, query: &str, limit: usize) -> Result<Vec<GuideHit>> {
        let words: Vec<String> = query
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|w| format!("\"{}\"*", w.to_lowercase()))
            .collect();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut hits = Vec::new();
        let (start, end) = (MARK_START.to_string(), MARK_END.to_string());
        if !words.is_empty() {
            let mut stmt = self.conn.prepare_cached(
                "SELECT guide, title, snippet(guide_words, 1, ?3, ?4, ' ... ', 16), bm25(guide_words, 8.0, 1.0)
                 FROM guide_words WHERE guide_words MATCH ?2 AND network_id = ?1
                 ORDER BY bm25(guide_words, 8.0, 1.0), guide LIMIT ?5",
            )?;
            let rows = stmt.query_map(params![&network.0[..], words.join(" AND "), start, end, limit], |r| {
                Ok(GuideHit { guide: r.get(0)?, title: r.get(1)?, snippet: r.get(2)?, rank: r.get(3)?, by: "words" })
            })?;
            hits = rows.collect::<rusqlite::Result<Vec<_>>>()?;
        }
        let phrase = query.trim();
        if phrase.chars().count() >= 3 && (hits.len() as i64) < limit {
            let mut stmt = self.conn.prepare_cached(
                "SELECT guide, title, snippet(guide_grams, 1, ?3, ?4, ' ... ', 16)
                 FROM guide_grams WHERE guide_grams MATCH ?2 AND network_id = ?1
                 ORDER BY bm25(guide_grams, 8.0, 1.0), guide LIMIT ?5",
            )?;
            let quoted = format!("\"{}\"", phrase.replace('"', "\"\""));
            let rows = stmt.query_map(params![&network.0[..], quoted, start, end, limit], |r| {
                Ok(GuideHit { guide: r.get(0)?, title: r.get(1)?, snippet: r.get(2)?, rank: f64::MAX, by: "trigrams" })
            })?;
            for hit in rows {
                let hit = hit?;
                if (hits.len() as i64) < limit && !hits.iter().any(|h: &GuideHit| h.guide == hit.guide) {
                    hits.push(hit);
                }
            }
        }
        Ok(hits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs() -> Vec<GuideDoc> {
        let d = |g: &str, t: &str, b: &str| GuideDoc { guide: g.into(), title: t.into(), body: b.into() };
        vec![
            d("a", "Picket safety", "Stay in pairs at the gate. Picketing safely means rotating every three hours."),
            d("b", "Strike pay", "The hardship fund pays picketers first; a picket line needs food."),
            d("c", "One-on-ones", "Listen more than you talk. Ask about the night shift."),
        ]
    }

    #[test]
    fn search_finds_by_word_prefix_and_trigram_and_ranks_titles_first() {
        let tmp = tempfile::tempdir().unwrap();
        let mut store =
            Store::open(&tmp.path().join("s.db"), &strike_crypto::SymmetricKey::from_bytes([7; 32])).unwrap();
        let net = NetworkId([1; 32]);
        let upsert: Vec<(GuideDoc, String)> = docs().into_iter().map(|d| (d, "s".to_owned())).collect();
        store.update_guide_index(&net, "1", &upsert, &[]).unwrap();
        // Words, stemmed: "picketing" finds "picket"; the guide with it in its title first.
        let hits = store.search_guides(&net, "picket safety", 10).unwrap();
        assert_eq!(hits.iter().map(|h| h.guide.as_str()).collect::<Vec<_>>(), vec!["a"]);
        let hits = store.search_guides(&net, "picketing", 10).unwrap();
        assert_eq!(hits.iter().map(|h| h.guide.as_str()).collect::<Vec<_>>(), vec!["a", "b"]);
        assert!(hits[0].snippet.contains(MARK_START), "{:?}", hits[0].snippet);
        // A prefix.
        let hits = store.search_guides(&net, "hards", 10).unwrap();
        assert_eq!(hits[0].guide, "b");
        // Trigrams: the middle of a word.
        let hits = store.search_guides(&net, "ight shi", 10).unwrap();
        assert_eq!((hits[0].guide.as_str(), hits[0].by), ("c", "trigrams"));
        // Another network's index is not searched; the stamp is kept.
        assert!(store.search_guides(&NetworkId([2; 32]), "picket", 10).unwrap().is_empty());
        assert_eq!(store.guide_index_stamp(&net).unwrap().as_deref(), Some("1"));
        // Odd input is no error.
        assert!(store.search_guides(&net, "\" AND OR NEAR(", 10).unwrap().is_empty());
        // One document replaced, one removed: the rest stay as they were.
        let changed = GuideDoc { guide: "a".into(), title: "Picket rota".into(), body: "Two per gate.".into() };
        store.update_guide_index(&net, "2", &[(changed, "t".into())], &["b".into()]).unwrap();
        assert!(store.search_guides(&net, "hardship", 10).unwrap().is_empty());
        assert_eq!(store.search_guides(&net, "rota", 10).unwrap()[0].guide, "a");
        assert!(store.search_guides(&net, "rotating", 10).unwrap().is_empty(), "the old text is gone");
        assert_eq!(store.search_guides(&net, "night", 10).unwrap()[0].guide, "c");
        let stamps = store.guide_doc_stamps(&net).unwrap();
        assert_eq!((stamps.len(), stamps["a"].as_str(), stamps["c"].as_str()), (2, "t", "s"));
    }
}
