//! Guides to HTML: Markdown read by pulldown-cmark with raw HTML dropped, the result passed
//! through ammonia's allow-list (no scripts, no event handlers, no `style`, links only to
//! http, https and mailto, images only from this page's own `data:` nothing), and diffs of
//! revisions by `similar`.

use pulldown_cmark::{Event, Options, Parser, html};

/// The Markdown as safe HTML: what any page may embed.
pub fn to_html(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_TASKLISTS | Options::ENABLE_STRIKETHROUGH;
    // Raw HTML never passes, not even to the sanitizer: it shows as text.
    let events = Parser::new_ext(markdown, options).map(|e| match e {
        Event::Html(t) | Event::InlineHtml(t) => Event::Text(t),
        other => other,
    });
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, events);
    sanitize(&raw)
}

fn sanitize(html: &str) -> String {
    let mut b = ammonia::Builder::default();
    b.url_schemes(["http", "https", "mailto"].into())
        .link_rel(Some("noopener noreferrer nofollow"))
        .rm_tags(["img"])
        .add_tags(["input"])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            // Task-list boxes only: a checkbox, never a field.
            ("input", "type") => (value == "checkbox").then(|| value.into()),
            _ => Some(value.into()),
        });
    b.clean(html).to_string()
}

/// A unified diff from `a` to `b`, with `context` lines around each change.
pub fn diff(a: &str, b: &str, a_name: &str, b_name: &str) -> String {
    similar::TextDiff::from_lines(a, b).unified_diff().context_radius(3).header(a_name, b_name).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The usual script vectors, each with a canary that must not survive as markup.
    const HOSTILE: &[&str] = &[
        "<script>alert('CANARY')</script>",
        "<img src=x onerror=alert('CANARY')>",
        "<a href=\"javascript:alert('CANARY')\">x</a>",
        "[click](javascript:alert('CANARY'))",
        "[click](JaVaScRiPt:alert('CANARY'))",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
        "<svg onload=alert('CANARY')><circle/></svg>",
        "<p style=\"background:url(javascript:alert('CANARY'))\">x</p>",
        "<iframe src=\"https://example.org\"></iframe>",
        "<object data=\"x.swf\"></object>",
        "<div onmouseover=\"alert('CANARY')\">hover</div>",
        "<form action=\"https://example.org\"><input name=q></form>",
        "<style>body{display:none}</style>",
        "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
        "<a href=\"&#106;avascript:alert('CANARY')\">x</a>",
        "[x](vbscript:msgbox)",
        "<meta http-equiv=\"refresh\" content=\"0;url=https://example.org\">",
        "<base href=\"https://example.org/\">",
        "<link rel=stylesheet href=\"https://example.org/x.css\">",
    ];

    /// Every tag of `html`, with its attributes, one after another.
    fn tags(html: &str) -> String {
        html.split('<').skip(1).filter_map(|t| t.split_once('>').map(|(tag, _)| format!("<{tag}>"))).collect()
    }

    #[test]
    fn the_sanitizer_removes_every_script_vector() {
        for input in HOSTILE {
            let docs = [input.to_string(), format!("# Guide\n\n{input}\n\nText"), format!("- item {input}")];
            // Text is inert (raw HTML shows escaped); what matters is every tag made, by the
            // whole path and by the sanitizer alone (raw HTML given to it directly).
            let outs = docs.iter().map(|d| to_html(d)).chain([sanitize(input)]);
            for out in outs {
                let out = tags(&out).to_lowercase();
                for bad in [
                    "<script",
                    "onerror",
                    "onload",
                    "onmouseover",
                    "javascript:",
                    "vbscript:",
                    "data:",
                    "<svg",
                    "style=",
                    "<style",
                    "<iframe",
                    "<object",
                    "<form",
                    "<math",
                    "<meta",
                    "<base",
                    "<link",
                    "<img",
                ] {
                    assert!(!out.contains(bad), "{bad} survived {input:?}: {out}");
                }
            }
        }
    }

    #[test]
    fn markdown_renders_with_tables_task_lists_and_safe_links() {
        let html = to_html(
            "# Stockpile\n\n| item | per week |\n|---|---|\n| rice | 1 kg |\n\n- [x] water\n- [ ] candles\n\n[union](https://example.org)",
        );
        assert!(html.contains("<h1>Stockpile</h1>"), "{html}");
        assert!(html.contains("<table>") && html.contains("<td>1 kg</td>"), "{html}");
        assert!(html.contains("type=\"checkbox\""), "{html}");
        assert!(html.contains("href=\"https://example.org\"") && html.contains("noopener"), "{html}");
        // Raw HTML shows as text.
        assert!(to_html("<b>bold</b>").contains("&lt;b&gt;bold&lt;/b&gt;"));
    }

    #[test]
    fn a_diff_shows_the_lines_that_changed() {
        let d = diff("a\nb\nc\n", "a\nB\nc\n", "rev 1", "rev 2");
        assert!(d.contains("--- rev 1") && d.contains("+++ rev 2") && d.contains("-b\n") && d.contains("+B\n"), "{d}");
    }
}
