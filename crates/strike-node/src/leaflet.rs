//! Printable leaflets: one A5 or A4 page made from a guide's opening, or an invite, with a
//! QR code sized for phones to read off a photocopy. The page is a single HTML file with
//! its styles inline and no scripts, fonts or pictures from anywhere: open it in any
//! browser, print, photocopy.

use serde::Serialize;
use strike_core::NetworkId;

use crate::guides::render;
use crate::networks::InviteLink;
use crate::{Node, NodeError, Result, library, qr};

/// Paper sizes a leaflet is laid out for.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Paper {
    #[default]
    A5,
    A4,
}

impl Paper {
    pub fn parse(s: &str) -> Result<Paper> {
        match s.trim().to_ascii_lowercase().as_str() {
            "a5" => Ok(Paper::A5),
            "a4" => Ok(Paper::A4),
            other => Err(NodeError::InvalidInput(format!("paper {other:?}: use a5 or a4"))),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Paper::A5 => "A5",
            Paper::A4 => "A4",
        }
    }

    /// Width of the printed area in millimetres (the page less 12 mm margins).
    fn width_mm(self) -> f64 {
        match self {
            Paper::A5 => 148.0 - 24.0,
            Paper::A4 => 210.0 - 24.0,
        }
    }

    /// Words of a guide's opening that fit beside the QR code.
    fn words(self) -> usize {
        match self {
            Paper::A5 => 200,
            Paper::A4 => 420,
        }
    }

    /// The QR code's side when its modules allow it.
    fn qr_mm(self) -> f64 {
        match self {
            Paper::A5 => 50.0,
            Paper::A4 => 64.0,
        }
    }
}

/// Smallest module (one black or white square of the code) printed: phone cameras read
/// 0.4 mm modules from a sharp print; a photocopy of a photocopy needs more.
pub const MIN_MODULE_MM: f64 = 0.5;
/// Bytes of a guide's opening a text QR code holds: the code stays small enough to print.
const QR_TEXT_BYTES: usize = 480;

/// What goes on a leaflet.
#[derive(Debug, Clone)]
pub struct LeafletContent {
    pub title: String,
    /// Markdown: the guide's opening, or what joining means.
    pub body: String,
    /// What the QR code holds: an invite link, or the guide's opening as plain text.
    pub qr: String,
    /// The line under the code.
    pub caption: String,
    pub footer: String,
    /// A link back (href, text) for a leaflet served by the web UI; none in a file.
    pub back: Option<(String, String)>,
}

/// A leaflet made.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct Leaflet {
    pub title: String,
    pub paper: Paper,
    /// The whole page.
    pub html: String,
    /// What the QR code holds.
    pub qr_text: String,
    /// The code holds an invite link (else the guide's text).
    pub invite: bool,
    /// The code's printed side, and one module's.
    pub qr_mm: f64,
    pub module_mm: f64,
    /// The base64 SHA-256 of the page's one inline stylesheet, for the web UI's
    /// Content-Security-Policy (the page has no script at all).
    #[serde(skip)]
    pub style_sha256: String,
}

/// The invite a leaflet carries.
#[derive(Debug, Clone)]
pub struct LeafletInvite {
    pub uses: u16,
    pub valid_for_secs: Option<u64>,
    pub addresses: Vec<String>,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The opening of a guide's Markdown: its blocks after the title until `words` words.
fn opening(text: &str, words: usize) -> (String, bool) {
    let mut out = Vec::new();
    let mut count = 0;
    // The title line is printed as the leaflet's heading.
    let blocks: Vec<&str> = text
        .split("\n\n")
        .map(str::trim)
        .filter(|b| !b.is_empty() && (!b.starts_with("# ") || b.contains('\n')))
        .collect();
    let total = blocks.len();
    for block in &blocks {
        let n = block.split_whitespace().count();
        if count > 0 && count + n > words {
            break;
        }
        out.push(*block);
        count += n;
    }
    // A heading with nothing under it does not end a page.
    while out.last().is_some_and(|b| b.starts_with('#') && !b.contains('\n')) {
        out.pop();
    }
    let cut = out.len() < total;
    (out.join("\n\n"), cut)
}

/// The guide's opening as plain text of at most `max` bytes, cut at a sentence or a word.
fn plain(title: &str, markdown: &str, max: usize) -> String {
    let flat: String = markdown
        .lines()
        .map(|l| l.trim_start_matches(['#', '-', '*', '>', ' ']).trim())
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
        .replace("**", "")
        .replace('`', "");
    let mut text = format!("{title}\n\n{flat}");
    if text.len() > max {
        let mut end = max;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let head = &text[..end];
        let cut = head.rfind(". ").map(|i| i + 1).or_else(|| head.rfind(' ')).unwrap_or(end);
        text = format!("{} ...", &text[..cut]);
    }
    text
}

/// The leaflet page.
pub fn render(content: &LeafletContent, paper: Paper) -> Result<Leaflet> {
    let (_, modules) = qr::size(&content.qr)?;
    // The SVG carries the standard quiet zone of 4 modules a side.
    let cells = (modules + 8) as f64;
    let qr_mm = paper.qr_mm().max(cells * MIN_MODULE_MM);
    if qr_mm > paper.width_mm() {
        return Err(NodeError::InvalidInput(format!(
            "the QR code would need {qr_mm:.0} mm to print readably on {}: carry fewer addresses, or use A4",
            paper.name()
        )));
    }
    let module_mm = qr_mm / cells;
    let svg = qr::svg(&content.qr)?;
    let svg = svg.trim_start_matches(|c| c != '<').to_owned();
    let svg = match svg.strip_prefix("<?xml") {
        Some(rest) => rest.split_once("?>").map_or(svg.clone(), |(_, s)| s.trim_start().to_owned()),
        None => svg,
    };
    let style = style(paper, qr_mm);
    let back = match &content.back {
        Some((href, text)) => format!("<a href=\"{}\">{}</a> &middot; ", escape(href), escape(text)),
        None => String::new(),
    };
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Open Strike leaflet</title><link rel=\"icon\" href=\"data:,\"><style>{style}</style></head><body>\
         <p class=\"hint\">{back}Print this page on {paper} at 100% scale (not \"fit to page\"), then photocopy it. \
         The QR code is {qr_mm:.0} mm wide, {module_mm:.2} mm per square.</p>\
         <main class=\"sheet\"><h1>{title}</h1><div class=\"text\">{body}</div>\
         <figure class=\"qr\">{svg}<figcaption>{caption}</figcaption></figure>\
         <footer>{footer}</footer></main></body></html>\n",
        title = escape(&content.title),
        paper = paper.name(),
        body = render::to_html(&content.body),
        caption = escape(&content.caption),
        footer = escape(&content.footer),
    );
    Ok(Leaflet {
        title: content.title.clone(),
        paper,
        html,
        qr_text: content.qr.clone(),
        invite: content.qr.starts_with(crate::networks::LINK_PREFIX),
        qr_mm,
        module_mm,
        style_sha256: strike_crypto::sshsig::sha256_base64(style.as_bytes()),
    })
}

/// The inline stylesheet: system fonts only, black on white, one page.
pub fn style(paper: Paper, qr_mm: f64) -> String {
    let (size, font) = match paper {
        Paper::A5 => ("A5", "10.5pt"),
        Paper::A4 => ("A4", "12pt"),
    };
    let width = paper.width_mm();
    format!(
        "@page{{size:{size} portrait;margin:12mm}}\
         *{{box-sizing:border-box}}\
         html{{background:#fff;color:#000}}\
         body{{margin:0;font:{font}/1.45 Georgia,'Times New Roman',serif}}\
         .sheet{{width:{width}mm;margin:0 auto}}\
         h1{{font:bold 1.9em/1.1 'Helvetica Neue',Arial,sans-serif;margin:0 0 .5em}}\
         h2,h3{{font-family:'Helvetica Neue',Arial,sans-serif;margin:.8em 0 .3em}}\
         .text p,.text li{{margin:.35em 0}}\
         .qr{{margin:1.2em 0 0;display:flex;align-items:center;gap:6mm;break-inside:avoid}}\
         .qr svg{{width:{qr_mm:.1}mm;height:{qr_mm:.1}mm;flex:none;display:block}}\
         .qr figcaption{{font:1em/1.35 'Helvetica Neue',Arial,sans-serif}}\
         footer{{margin-top:1.2em;border-top:1px solid #000;padding-top:.4em;font-size:.8em}}\
         .hint{{font:13px/1.4 system-ui,sans-serif;background:#ffe9a8;padding:8px 12px;margin:0 0 16px}}\
         @media screen{{body{{padding:16px}}.sheet{{padding:12mm;box-shadow:0 0 0 1px #ccc;width:{page}mm}}}}\
         @media print{{.hint{{display:none}}}}",
        page = width + 24.0,
    )
}

impl Node {
    /// A leaflet: a guide's opening (`guide`: a guide of the network, or `library:SLUG`),
    /// an invite (organizers; a new invite is made for the leaflet), or both. Without an
    /// invite the QR code holds the guide's opening as text, which any phone shows.
    pub fn leaflet(
        &mut self,
        network: &NetworkId,
        guide: Option<&str>,
        invite: Option<&LeafletInvite>,
        paper: Paper,
        back: Option<(String, String)>,
    ) -> Result<Leaflet> {
        let net = self.network(network)?;
        let found = match guide {
            Some(g) if g.trim().starts_with("library:") => {
                let lib = library::find(g).ok_or_else(|| {
                    NodeError::NotFound(format!("no guide {g:?} in the starter library (`guide list` shows them)"))
                })?;
                Some((lib.title.to_owned(), lib.text.to_owned()))
            }
            Some(g) => {
                let id = self.resolve_guide(network, g)?;
                let view = self.guide(network, &id)?;
                if view.draft {
                    return Err(NodeError::InvalidInput(format!(
                        "{:?} is a draft: an editor publishes it before it goes on paper",
                        view.title
                    )));
                }
                Some((view.title, view.text))
            }
            None => None,
        };
        let link = match invite {
            Some(i) => Some(self.create_invite(network, i.uses, i.valid_for_secs, i.addresses.clone())?),
            None => None,
        };
        let name = net.name.clone().unwrap_or_else(|| "our network".to_owned());
        let mut content = content(&name, found, link.as_ref(), paper)?;
        content.back = back;
        render(&content, paper)
    }
}

/// What a leaflet says, from a guide (title, Markdown) and an invite.
pub fn content(
    network: &str,
    guide: Option<(String, String)>,
    link: Option<&InviteLink>,
    paper: Paper,
) -> Result<LeafletContent> {
    let join = "**Joining.** Scan the code with Open Strike (`openstrike join`, or the camera on its \
                Join page). You ask to join; members who know you vouch for you before you are in, \
                so nobody is admitted on a leaflet alone. Keep this page out of sight at work.";
    let footer = "Made with Open Strike: nobody is exposed alone. Photocopy it and pass it on.".to_owned();
    match (guide, link) {
        (None, None) => {
            Err(NodeError::InvalidInput("a leaflet needs a guide (--guide), an invite (--invite), or both".into()))
        }
        (Some((title, text)), None) => {
            let (opening, cut) = opening(&text, paper.words());
            let body = if cut {
                format!("{opening}\n\n*The whole guide: in Open Strike, Guides, \"{title}\".*")
            } else {
                opening.clone()
            };
            Ok(LeafletContent {
                qr: plain(&title, &opening, QR_TEXT_BYTES),
                caption: "Scan it to carry this text on your phone: it is all in the code, nothing is looked up."
                    .into(),
                title,
                body,
                footer,
                back: None,
            })
        }
        (guide, Some(link)) => {
            let (title, body) = match guide {
                Some((title, text)) => {
                    let (body, _) = opening(&text, paper.words().saturating_sub(60));
                    (title, format!("{body}\n\n{join}"))
                }
                None => (
                    format!("Join {network}"),
                    format!(
                        "We are organizing together, so that nobody is exposed alone: nobody strikes \
                         until enough of us have pledged to.\n\n{join}"
                    ),
                ),
            };
            Ok(LeafletContent {
                qr: link.to_string(),
                caption: format!("Scan to ask to join {network}."),
                title,
                body,
                footer,
                back: None,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_guide_leaflet_holds_its_opening_and_no_script_or_outside_resource() {
        let lib = library::find("picket-safety").unwrap();
        let c = content("Riverside", Some((lib.title.into(), lib.text.into())), None, Paper::A5).unwrap();
        assert!(c.qr.starts_with("Picket safety and rotas\n\n") && c.qr.len() <= QR_TEXT_BYTES + 4);
        let l = render(&c, Paper::A5).unwrap();
        assert!(!l.invite);
        assert!(l.module_mm >= MIN_MODULE_MM && l.qr_mm >= 50.0, "{} mm, {} mm a module", l.qr_mm, l.module_mm);
        // The SVG's namespace names a URL; nothing is fetched from it.
        let lower = l.html.to_lowercase().replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
        for banned in
            ["<script", "http://", "https://", "@import", "url(", "@font-face", "<img", "<link rel=\"stylesheet"]
        {
            assert!(!lower.contains(banned), "{banned} in the leaflet");
        }
        assert!(l.html.contains("size:A5 portrait") && l.html.contains("<svg"));
        assert!(l.html.contains("The whole guide"), "a long guide says where the rest is");
        let words = c.body.split_whitespace().count();
        assert!(words <= Paper::A5.words() + 20, "{words} words");
    }

    #[test]
    fn a_hostile_guide_stays_text_on_paper() {
        let c = content(
            "N",
            Some(("<b>x</b>".into(), "Hi <script>alert(1)</script> [a](javascript:alert(1))".into())),
            None,
            Paper::A4,
        )
        .unwrap();
        let l = render(&c, Paper::A4).unwrap();
        assert!(!l.html.contains("<script") && !l.html.contains("javascript:") && !l.html.contains("<b>x"));
    }

    #[test]
    fn a_leaflet_needs_something_to_say() {
        assert!(content("N", None, None, Paper::A5).is_err());
        assert!(Paper::parse("letter").is_err());
        assert_eq!(Paper::parse("A4").unwrap(), Paper::A4);
    }
}
