//! The starter library: guides written for this project and compiled into the program, so
//! a node with no network, no server and no internet still holds them, and any network can
//! fork them and improve them there (`openstrike guide fork NET SLUG --from library`).

/// The library's guides: (slug, Markdown). The title is the first `# ` line.
const GUIDES: &[(&str, &str)] = &[
    ("are-you-in", include_str!("../library/are-you-in.md")),
    ("one-on-ones", include_str!("../library/one-on-ones.md")),
    ("mapping-a-workplace", include_str!("../library/mapping-a-workplace.md")),
    ("security-culture", include_str!("../library/security-culture.md")),
    ("running-a-hub", include_str!("../library/running-a-hub.md")),
    ("stockpiling", include_str!("../library/stockpiling.md")),
    ("strike-pay", include_str!("../library/strike-pay.md")),
    ("picket-safety", include_str!("../library/picket-safety.md")),
    ("sickouts-slowdowns", include_str!("../library/sickouts-slowdowns.md")),
    ("legal-basics", include_str!("../library/legal-basics.md")),
    ("assemblies-and-voting", include_str!("../library/assemblies-and-voting.md")),
    ("mutual-aid", include_str!("../library/mutual-aid.md")),
    ("exempt-vital-services", include_str!("../library/exempt-vital-services.md")),
    ("how-open-strike-works", include_str!("../library/how-open-strike-works.md")),
];

/// Who the library's guides are credited to when forked.
pub const CREDIT: &str = "Open Strike starter library";

/// One guide of the library.
#[derive(Debug, Clone, Copy)]
pub struct LibraryGuide {
    pub slug: &'static str,
    pub title: &'static str,
    pub text: &'static str,
}

/// Every guide of the library, in reading order.
pub fn guides() -> impl Iterator<Item = LibraryGuide> {
    GUIDES.iter().map(|(slug, text)| {
        let title = text.lines().find_map(|l| l.strip_prefix("# ")).unwrap_or(slug).trim();
        LibraryGuide { slug, title, text }
    })
}

/// The library guide `slug` (or whose title is `slug`, case ignored).
pub fn find(slug: &str) -> Option<LibraryGuide> {
    let wanted = slug.trim().trim_start_matches("library:");
    guides().find(|g| g.slug == wanted || g.title.eq_ignore_ascii_case(wanted))
}

/// A digest of the whole library: it changes whenever a guide does (search indexes use it).
pub fn digest() -> String {
    let mut all = Vec::new();
    for (slug, text) in GUIDES {
        all.extend_from_slice(slug.as_bytes());
        all.push(0);
        all.extend_from_slice(text.as_bytes());
        all.push(0);
    }
    hex::encode(&strike_crypto::hash(&all)[..8])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_library_holds_its_guides_each_valid_and_a_few_pages_at_most() {
        let all: Vec<LibraryGuide> = guides().collect();
        assert!(all.len() >= 12);
        for g in &all {
            assert!(!g.title.is_empty() && g.title != g.slug, "{} has a title line", g.slug);
            let body = strike_core::Body::Guide(strike_core::body::Guide {
                title: g.title.into(),
                text: g.text.into(),
                editors: None,
                credit: None,
            });
            body.check().unwrap_or_else(|e| panic!("{}: {e}", g.slug));
            let words = g.text.split_whitespace().count();
            assert!((200..2500).contains(&words), "{} has {words} words", g.slug);
        }
        assert_eq!(find("picket-safety").unwrap().title, "Picket safety and rotas");
        assert!(find("library:strike-pay").is_some());
        // The legal guide says to check local law and claims nothing country-specific.
        assert!(find("legal-basics").unwrap().text.contains("Check your country's law"));
    }
}
