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

    /// Replaces the network's indexed guides with `docs`, built from `stamp`.
    pub fn index_guides(&mut self, network: &NetworkId, stamp: &str, docs: &[GuideDoc]) -> Result<()> {
        let tx = self.conn.transaction()?;
        for table in ["guide_words", "guide_grams"] {
            tx.execute(&format!("DELETE FROM {table} WHERE network_id = ?1"), [&network.0[..]])?;
            let mut insert =
                tx.prepare(&format!("INSERT INTO {table} (title, body, network_id, guide) VALUES (?1, ?2, ?3, ?4)"))?;
            for d in docs {
                insert.execute(params![d.title, d.body, &network.0[..], d.guide])?;
            }
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
        store.index_guides(&net, "1", &docs()).unwrap();
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
    }
}
