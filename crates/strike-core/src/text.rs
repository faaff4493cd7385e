//! Text in bodies: the checks every text field passes, and the key that tells whether two
//! names would look the same on screen.
//!
//! Short fields (names, pseudonyms, titles, departments, places, skills: at most
//! [`MAX_SHORT_LEN`] bytes) are one line of visible text: no control characters at all, and
//! no invisible formatting characters, so "Abe" cannot be written to render as someone
//! else's name (U+202E turns it around). Long fields (announcements, notes, demands) may
//! hold newlines, tabs and bidi marks, which right-to-left writing needs.

use crate::Reject;

/// Fields up to this many bytes are short: single-line visible text.
pub const MAX_SHORT_LEN: usize = 256;

/// Checks a field that must be given.
pub fn check_text(what: &str, text: &str, max: usize) -> Result<(), Reject> {
    if text.trim().is_empty() {
        return Err(Reject::InvalidBody(format!("{what} is empty")));
    }
    if text.len() > max {
        return Err(Reject::InvalidBody(format!("{what} is longer than {max} bytes")));
    }
    let short = max <= MAX_SHORT_LEN;
    if text.chars().any(|c| c.is_control() && (short || (c != '\n' && c != '\t'))) {
        return Err(Reject::InvalidBody(format!("{what} contains control characters")));
    }
    if short && text.chars().any(is_invisible) {
        return Err(Reject::InvalidBody(format!(
            "{what} contains invisible formatting characters (such as right-to-left overrides)"
        )));
    }
    Ok(())
}

/// Empty means "not given".
pub fn check_optional(what: &str, text: &str, max: usize) -> Result<(), Reject> {
    if text.is_empty() { Ok(()) } else { check_text(what, text, max) }
}

/// A list of short fields.
pub fn check_list(what: &str, items: &[String], max_items: usize) -> Result<(), Reject> {
    if items.len() > max_items {
        return Err(Reject::InvalidBody(format!("at most {max_items} {what}")));
    }
    for item in items {
        check_text(what, item, crate::body::MAX_FIELD_LEN)?;
    }
    Ok(())
}

/// Characters that change how text around them is shown, or show as nothing: Unicode's
/// format characters (general category Cf: bidi embeddings, overrides and isolates, zero
/// width space, word joiner, invisible operators, byte order mark, tags), plus fillers that
/// render blank. Zero width (non-)joiners stay allowed: Persian, Indic scripts and emoji
/// need them; [`name_key`] ignores them when names are compared.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{0600}'..='\u{0605}'
            | '\u{061C}'
            | '\u{06DD}'
            | '\u{070F}'
            | '\u{0890}'..='\u{0891}'
            | '\u{08E2}'
            | '\u{115F}'..='\u{1160}'
            | '\u{180E}'
            | '\u{200B}'
            | '\u{200E}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{110BD}'
            | '\u{110CD}'
            | '\u{13430}'..='\u{1343F}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0001}'
            | '\u{E0020}'..='\u{E007F}'
    )
}

/// What a name looks like, for telling whether two names would be confused on screen: case
/// folded, spaces and joiners dropped, and the Cyrillic and Greek letters that look like
/// Latin ones mapped to them ("Аbе" in Cyrillic and "Abe" get one key). Two people whose
/// names share a key are told apart by a piece of their key wherever names are shown.
pub fn name_key(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_whitespace() && !is_invisible(*c) && !matches!(c, '\u{200C}' | '\u{200D}'))
        .flat_map(char::to_lowercase)
        .map(latin_lookalike)
        .collect()
}

/// The Latin letter a lowercase Cyrillic or Greek letter is drawn like, in common fonts.
fn latin_lookalike(c: char) -> char {
    match c {
        'а' | 'α' => 'a',
        'в' | 'β' => 'b',
        'с' | 'ϲ' => 'c',
        'ԁ' => 'd',
        'е' | 'ε' => 'e',
        'ɡ' => 'g',
        'һ' => 'h',
        'і' | 'ι' | 'ı' => 'i',
        'ј' => 'j',
        'к' | 'κ' => 'k',
        'м' => 'm',
        'п' | 'η' => 'n',
        'о' | 'ο' => 'o',
        'р' | 'ρ' => 'p',
        'ԛ' => 'q',
        'ѕ' => 's',
        'т' | 'τ' => 't',
        'υ' => 'u',
        'ν' => 'v',
        'ԝ' | 'ω' => 'w',
        'х' | 'χ' => 'x',
        'у' | 'γ' => 'y',
        'ʐ' => 'z',
        '0' => 'o',
        '1' | 'l' | '|' => 'i',
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_fields_refuse_what_hides_or_turns_text() {
        for bad in
            ["\u{202E}ebA", "A\u{200B}be", "Abe\u{2066}", "\u{FEFF}Abe", "A\u{00AD}be", "Ab\ne", "Ab\te", "\u{3164}"]
        {
            assert!(check_text("pseudonym", bad, 80).is_err(), "{bad:?}");
        }
        for good in ["Abe", "Zoë", "محمد", "می\u{200C}خواهم", "👩\u{200D}🔧 Ana", "李雷"] {
            assert!(check_text("pseudonym", good, 80).is_ok(), "{good:?}");
        }
        // Long fields keep newlines, tabs and the bidi marks right-to-left writing uses.
        assert!(check_text("announcement", "Meeting\n\tat six \u{200F}(شش)", 4000).is_ok());
        assert!(check_text("announcement", "bell \u{7}", 4000).is_err());
    }

    #[test]
    fn names_that_look_alike_share_a_key() {
        assert_eq!(name_key("Abe"), name_key("abe"));
        assert_eq!(name_key("Abe"), name_key("Аbе"), "Cyrillic A and e");
        assert_eq!(name_key("Ab e"), name_key("A\u{200D}be"));
        assert_eq!(name_key("Bill"), name_key("BiII"));
        assert_ne!(name_key("Abe"), name_key("Abel"));
        assert_ne!(name_key("Dee"), name_key("Dea"));
    }
}
