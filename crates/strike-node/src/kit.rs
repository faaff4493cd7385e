//! The kit: everything to relaunch the system from a USB stick, with no server and no
//! internet. The running program itself, the starter library and a network's guides as
//! HTML (readable in any browser) and Markdown, leaflets, an optional invite, a README, and
//! `SHA256SUMS` signed with the exporter's key in OpenSSH's SSHSIG format, so that
//! `sha256sum -c` and `ssh-keygen -Y check-novalidate` check it on any machine without
//! trusting the program it carries. `kit import` forks the kit's guides into a network,
//! offline, after checking every file.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};
use strike_core::guides::Credit;
use strike_core::{CoarseTime, NetworkId, OpId};
use strike_crypto::{SigningPublic, SigningSecret, sshsig};

use crate::guides::{ForkSource, ForkedRevision, render};
use crate::leaflet::{self, LeafletInvite, Paper};
use crate::{Node, NodeError, Result, io_err, library};

/// The SSHSIG namespace of a kit's signature (`ssh-keygen -n`).
pub const NAMESPACE: &str = "openstrike-kit";
/// Files of a kit that its checksums do not cover (they are the checksums).
const SUMS: &str = "SHA256SUMS";
const SIG: &str = "SHA256SUMS.sig";
const MANIFEST: &str = "kit.json";
const FORMAT: u32 = 1;

/// A kit's machine-readable contents (`kit.json`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    /// Unix seconds.
    pub made: u64,
    pub network: Option<String>,
    pub network_id: Option<String>,
    /// `ssh-ed25519 AAAA...`
    pub signer: String,
    pub guides: Vec<KitGuide>,
}

/// One guide of a kit, with its published history.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KitGuide {
    /// `library` or `network`.
    pub from: String,
    pub slug: String,
    pub title: String,
    pub revisions: Vec<KitRevision>,
}

/// A published revision as a kit carries it. Revisions written in the network are credited
/// to the network, not to a member: a kit travels further than the network does.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KitRevision {
    pub title: String,
    pub text: String,
    pub note: String,
    pub by: String,
    /// Coarse minutes (as in a fork's credit).
    pub time: u32,
    pub source: String,
}

/// What an export wrote.
#[derive(Debug, Clone, Serialize)]
pub struct ExportReport {
    pub dir: PathBuf,
    pub files: usize,
    pub bytes: u64,
    pub guides: usize,
    pub leaflets: usize,
    /// The invite link written into the kit, if any.
    pub invite: Option<String>,
    /// `ssh-ed25519 AAAA...` and its `SHA256:` fingerprint.
    pub signer: String,
    pub fingerprint: String,
    /// "your member key in Riverside", or "this node's key".
    pub signed_as: String,
}

/// A kit checked.
#[derive(Debug, Clone, Serialize)]
pub struct KitCheck {
    pub files: usize,
    pub bytes: u64,
    #[serde(skip)]
    pub signer_key: SigningPublic,
    pub signer: String,
    pub fingerprint: String,
    pub network: Option<String>,
    pub guides: usize,
}

/// What the export takes.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    pub network: Option<NetworkId>,
    pub invite: Option<LeafletInvite>,
    /// The program to carry (the running one, from the CLI).
    pub binary: PathBuf,
}

fn kit_err(message: impl Into<String>) -> NodeError {
    NodeError::InvalidInput(message.into())
}

/// A file name from a title: lower case, letters and digits, dashes between.
fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out: String = out.trim_end_matches('-').chars().take(60).collect();
    if out.is_empty() { "guide".into() } else { out }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

const PAGE_STYLE: &str = "body{font:17px/1.55 Georgia,'Times New Roman',serif;max-width:44em;margin:2em auto;\
padding:0 1em;color:#111;background:#fff}h1,h2,h3{font-family:'Helvetica Neue',Arial,sans-serif}\
a{color:#0645ad}pre,code{background:#f2f2f2}table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:.2em .5em}\
.meta{color:#555;font-size:.9em}";

/// A standalone page: styles inline, no scripts, nothing fetched.
fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{}</title>\
         <link rel=\"icon\" href=\"data:,\"><style>{PAGE_STYLE}</style></head><body>{body}</body></html>\n",
        escape(title)
    )
}

/// Writes `bytes` to `root/rel`, making its folders.
fn put(root: &Path, rel: &str, bytes: &[u8]) -> Result<()> {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(io_err(format!("making {}", parent.display())))?;
    }
    fs::write(&path, bytes).map_err(io_err(format!("writing {}", path.display())))
}

/// Every file under `root`, as `/`-separated relative paths, sorted.
fn files_under(root: &Path) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).map_err(io_err(format!("reading {}", dir.display())))? {
            let entry = entry.map_err(io_err(format!("reading {}", dir.display())))?;
            let path = entry.path();
            let kind = entry.file_type().map_err(io_err(format!("reading {}", path.display())))?;
            if kind.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(root).map_err(|_| kit_err("a file outside the kit"))?;
                let rel: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
                out.push(rel.join("/"));
            }
        }
    }
    out.sort();
    Ok(out)
}

fn hash_file(path: &Path) -> Result<([u8; 32], u64)> {
    let file = fs::File::open(path).map_err(io_err(format!("reading {}", path.display())))?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let digest =
        sshsig::sha256_reader(std::io::BufReader::new(file)).map_err(io_err(format!("reading {}", path.display())))?;
    Ok((digest, len))
}

/// A relative path from `SHA256SUMS`, refused if it could name a file outside the kit.
fn safe_rel(rel: &str) -> Result<&str> {
    let p = Path::new(rel);
    let ok = !rel.is_empty() && p.components().all(|c| matches!(c, Component::Normal(_)));
    if ok { Ok(rel) } else { Err(kit_err(format!("SHA256SUMS names {rel:?}, which is outside the kit"))) }
}

/// Checks a kit: the signature over `SHA256SUMS`, then every file against it, and that no
/// file is there that the checksums do not cover. It needs no identity: anyone handed a
/// stick can run it. Which key signed is for the caller to judge ([`Node::kit_signer`]).
pub fn verify(dir: &Path, mut progress: impl FnMut(&str)) -> Result<KitCheck> {
    let read = |name: &str| fs::read(dir.join(name)).map_err(io_err(format!("reading {} in the kit", name)));
    let sums = read(SUMS)?;
    let sig = String::from_utf8(read(SIG)?).map_err(|_| kit_err("SHA256SUMS.sig is not an SSH signature"))?;
    let signer_key = sshsig::verify(&sig, NAMESPACE, &sums)
        .map_err(|_| kit_err("SHA256SUMS.sig does not verify: SHA256SUMS was changed after it was signed, or the signature is not for it"))?;
    let sums = String::from_utf8(sums).map_err(|_| kit_err("SHA256SUMS is not text"))?;
    let mut listed = BTreeMap::new();
    for line in sums.lines().filter(|l| !l.trim().is_empty()) {
        let (hex_digest, rel) =
            line.split_once("  ").ok_or_else(|| kit_err(format!("SHA256SUMS line {line:?} is not `HASH  FILE`")))?;
        listed.insert(safe_rel(rel)?.to_owned(), hex_digest.to_owned());
    }
    let present = files_under(dir)?;
    let extra: Vec<&String> = present.iter().filter(|f| !listed.contains_key(*f) && *f != SUMS && *f != SIG).collect();
    if !extra.is_empty() {
        return Err(kit_err(format!(
            "the kit holds files its checksums do not cover (added after it was signed?): {}",
            extra.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
        )));
    }
    let mut bytes = 0;
    for (rel, want) in &listed {
        progress(rel);
        let path = dir.join(rel);
        if !path.is_file() {
            return Err(kit_err(format!("{rel} is missing from the kit")));
        }
        let (got, len) = hash_file(&path)?;
        if hex::encode(got) != *want {
            return Err(kit_err(format!(
                "{rel} does not match its checksum: it was changed or damaged; do not use this kit"
            )));
        }
        bytes += len;
    }
    let manifest = read_manifest(dir)?;
    Ok(KitCheck {
        files: listed.len(),
        bytes,
        signer: sshsig::public_line(&signer_key),
        fingerprint: sshsig::fingerprint(&signer_key),
        signer_key,
        network: manifest.network.clone(),
        guides: manifest.guides.len(),
    })
}

/// Largest `kit.json` read: a library of thousands of guides is a few megabytes.
const MAX_MANIFEST_BYTES: u64 = 64 * 1024 * 1024;

fn read_manifest(dir: &Path) -> Result<Manifest> {
    let path = dir.join(MANIFEST);
    let len = fs::metadata(&path).map_err(io_err("reading kit.json in the kit"))?.len();
    if len > MAX_MANIFEST_BYTES {
        return Err(kit_err(format!("kit.json is {len} bytes; a kit's is at most {MAX_MANIFEST_BYTES}")));
    }
    let bytes = fs::read(&path).map_err(io_err("reading kit.json in the kit"))?;
    let m: Manifest = serde_json::from_slice(&bytes).map_err(|e| kit_err(format!("kit.json: {e}")))?;
    if m.format != FORMAT {
        return Err(kit_err(format!("kit.json is format {}; this program reads format {FORMAT}", m.format)));
    }
    Ok(m)
}

impl Node {
    /// Writes a kit into `dir` (which must not exist, or be empty). It is built beside it
    /// and renamed into place at the end, so a kit cut short never looks whole.
    pub fn export_kit(
        &mut self,
        dir: &Path,
        opts: &ExportOptions,
        mut progress: impl FnMut(&str),
    ) -> Result<ExportReport> {
        if dir.exists() && fs::read_dir(dir).map(|mut d| d.next().is_some()).unwrap_or(true) {
            return Err(kit_err(format!("{} is not empty: give a new folder for the kit", dir.display())));
        }
        let name = dir.file_name().ok_or_else(|| kit_err("give the kit a folder name"))?.to_string_lossy().into_owned();
        let work = dir.with_file_name(format!(".{name}.partial"));
        if work.exists() {
            fs::remove_dir_all(&work).map_err(io_err(format!("clearing {}", work.display())))?;
        }
        fs::create_dir_all(&work).map_err(io_err(format!("making {}", work.display())))?;
        let result = self.write_kit(&work, opts, &mut progress);
        match result {
            Ok(mut report) => {
                if dir.exists() {
                    fs::remove_dir(dir).map_err(io_err(format!("replacing the empty {}", dir.display())))?;
                }
                fs::rename(&work, dir).map_err(io_err(format!("moving the kit to {}", dir.display())))?;
                report.dir = dir.to_path_buf();
                Ok(report)
            }
            Err(e) => {
                let _ = fs::remove_dir_all(&work);
                Err(e)
            }
        }
    }

    fn write_kit(
        &mut self,
        root: &Path,
        opts: &ExportOptions,
        progress: &mut impl FnMut(&str),
    ) -> Result<ExportReport> {
        let (signer, signed_as, net_name) = match &opts.network {
            Some(net) => {
                let (seed, _) = self
                    .store
                    .my_author(net)?
                    .ok_or_else(|| NodeError::NotAllowed("this node is not a member of that network".into()))?;
                let name = self.network(net)?.name.unwrap_or_else(|| net.short());
                (SigningSecret::from_seed(&seed), format!("your member key in {name}"), Some(name))
            }
            None => (SigningSecret::from_seed(&self.secrets.node_signing.seed()), "this node's key".to_owned(), None),
        };
        progress("the program");
        let binary_name = opts.binary.file_name().map_or("openstrike".into(), |n| n.to_string_lossy().into_owned());
        let binary_name = if binary_name.ends_with(".exe") { binary_name } else { "openstrike".to_owned() };
        fs::copy(&opts.binary, root.join(&binary_name))
            .map_err(io_err(format!("copying {}", opts.binary.display())))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = fs::set_permissions(root.join(&binary_name), fs::Permissions::from_mode(0o755));
        }

        progress("guides");
        let mut guides = Vec::new();
        for g in library::guides() {
            guides.push(KitGuide {
                from: "library".into(),
                slug: g.slug.into(),
                title: g.title.into(),
                revisions: vec![KitRevision {
                    title: g.title.into(),
                    text: g.text.into(),
                    note: String::new(),
                    by: library::CREDIT.into(),
                    time: 0,
                    source: format!("library:{}", g.slug),
                }],
            });
        }
        if let (Some(net), Some(name)) = (&opts.network, &net_name) {
            for view in self.guides(net)?.into_iter().filter(|g| !g.draft) {
                let id: OpId = view.op_id.parse().map_err(|_| kit_err("a guide id that is not hex"))?;
                let revisions = self
                    .fork_history(&ForkSource::Network(*net, id))?
                    .into_iter()
                    .map(|r| KitRevision {
                        // A revision first written here is credited to the network.
                        by: if r.credit.source.starts_with(&format!("network:{}", net.to_hex())) {
                            name.clone()
                        } else {
                            r.credit.by
                        },
                        title: r.title,
                        text: r.text,
                        note: r.note,
                        time: r.credit.time,
                        source: r.credit.source,
                    })
                    .collect();
                let mut s = slug(&view.title);
                while guides.iter().any(|g| g.from == "network" && g.slug == s) {
                    s.push('x');
                }
                guides.push(KitGuide { from: "network".into(), slug: s, title: view.title, revisions });
            }
        }
        let mut index = String::from(
            "<h1>Guides</h1><p class=\"meta\">From an Open Strike kit. Each page reads without the program; \
                                      the Markdown beside it goes into a network with <code>openstrike kit import</code>.</p>",
        );
        for (from, heading) in [
            ("network", net_name.clone().map(|n| format!("{n}'s guides"))),
            ("library", Some("The starter library".into())),
        ] {
            let Some(heading) = heading else { continue };
            index.push_str(&format!("<h2>{}</h2><ul>", escape(&heading)));
            for g in guides.iter().filter(|g| g.from == from) {
                let last = g.revisions.last().ok_or_else(|| kit_err("a guide with no revision"))?;
                let meta = format!(
                    "{} revision(s); the latest by {}{}",
                    g.revisions.len(),
                    last.by,
                    if last.time > 0 { format!(", {}", CoarseTime(last.time)) } else { String::new() }
                );
                let body = format!(
                    "<p class=\"meta\"><a href=\"../index.html\">All guides</a> &middot; {}</p>{}",
                    escape(&meta),
                    render::to_html(&last.text)
                );
                put(root, &format!("guides/{from}/{}.html", g.slug), page(&g.title, &body).as_bytes())?;
                put(root, &format!("guides/{from}/{}.md", g.slug), last.text.as_bytes())?;
                index.push_str(&format!("<li><a href=\"{from}/{}.html\">{}</a></li>", g.slug, escape(&g.title)));
            }
            index.push_str("</ul>");
        }
        put(root, "guides/index.html", page("Guides", &index).as_bytes())?;

        progress("leaflets");
        let mut leaflets = 0;
        let printed: Vec<&KitGuide> = match guides.iter().any(|g| g.from == "network") {
            true => guides.iter().filter(|g| g.from == "network").collect(),
            false => guides.iter().collect(),
        };
        for g in printed {
            let last = g.revisions.last().ok_or_else(|| kit_err("a guide with no revision"))?;
            let content = leaflet::content(
                net_name.as_deref().unwrap_or("our network"),
                Some((g.title.clone(), last.text.clone())),
                None,
                Paper::A5,
            )?;
            put(root, &format!("leaflets/{}.html", g.slug), leaflet::render(&content, Paper::A5)?.html.as_bytes())?;
            leaflets += 1;
        }
        let mut invite_link = None;
        if let Some(inv) = &opts.invite {
            let net = opts.network.as_ref().ok_or_else(|| kit_err("an invite needs --network"))?;
            let l = self.leaflet(net, None, Some(inv), Paper::A5, None)?;
            put(root, "leaflets/invite.html", l.html.as_bytes())?;
            put(root, "invite.txt", format!("{}\n", l.qr_text).as_bytes())?;
            invite_link = Some(l.qr_text);
            leaflets += 1;
        }

        let signer_line = sshsig::public_line(&signer.public());
        let fingerprint = sshsig::fingerprint(&signer.public());
        put(root, "allowed_signers", format!("kit {signer_line}\n").as_bytes())?;
        put(
            root,
            "README.txt",
            readme(net_name.as_deref(), &fingerprint, invite_link.is_some(), &binary_name).as_bytes(),
        )?;
        let manifest = Manifest {
            format: FORMAT,
            made: self.now(),
            network: net_name.clone(),
            network_id: opts.network.map(|n| n.to_hex()),
            signer: signer_line.clone(),
            guides,
        };
        let json = serde_json::to_vec_pretty(&manifest).map_err(|e| kit_err(e.to_string()))?;
        put(root, MANIFEST, &json)?;

        progress("checksums");
        let mut sums = String::new();
        let mut bytes = 0;
        let files = files_under(root)?;
        for rel in &files {
            let (digest, len) = hash_file(&root.join(rel))?;
            sums.push_str(&format!("{}  {rel}\n", hex::encode(digest)));
            bytes += len;
        }
        put(root, SUMS, sums.as_bytes())?;
        let mut f = fs::File::create(root.join(SIG)).map_err(io_err("writing SHA256SUMS.sig"))?;
        f.write_all(sshsig::sign(&signer, NAMESPACE, sums.as_bytes()).as_bytes())
            .and_then(|()| f.sync_all())
            .map_err(io_err("writing SHA256SUMS.sig"))?;
        Ok(ExportReport {
            dir: root.to_path_buf(),
            files: files.len() + 2,
            bytes,
            guides: manifest.guides.len(),
            leaflets,
            invite: invite_link,
            signer: signer_line,
            fingerprint,
            signed_as,
        })
    }

    /// Who signed a kit, as this node knows them: "Sam in Riverside", "this node", or `None`
    /// for a key it has never seen (then compare fingerprints with whoever gave you the kit).
    pub fn kit_signer(&self, key: &SigningPublic) -> Result<Option<String>> {
        if key.0 == self.node_id() {
            return Ok(Some("this node".into()));
        }
        for net in self.networks()? {
            for m in self.members(&net.id)? {
                if m.author.0 == key.0 {
                    let name = net.name.clone().unwrap_or_else(|| net.id.short());
                    let what = match (m.status, m.role) {
                        (strike_core::membership::Status::Member, strike_core::Role::Organizer) => "an organizer",
                        (strike_core::membership::Status::Member, _) => "a member",
                        _ => "no longer a member",
                    };
                    return Ok(Some(format!("{} in {name}, {what}", crate::networks::display_name(&m))));
                }
            }
        }
        Ok(None)
    }

    /// Checks the kit in `dir`, then forks its network guides into `network` with their
    /// history (the library's are in every program already). Works offline. Returns the
    /// check and the new guides' ids.
    pub fn import_kit(
        &mut self,
        dir: &Path,
        network: &NetworkId,
        progress: impl FnMut(&str),
    ) -> Result<(KitCheck, Vec<OpId>)> {
        let check = verify(dir, progress)?;
        let manifest = read_manifest(dir)?;
        // Every revision is checked before any is written: a kit goes in whole or not at all.
        for g in manifest.guides.iter().filter(|g| g.from == "network") {
            if g.revisions.is_empty() {
                return Err(kit_err(format!("kit.json: {:?} has no revision", g.title)));
            }
            for r in &g.revisions {
                let body = strike_core::Body::Guide(strike_core::body::Guide {
                    title: r.title.clone(),
                    text: r.text.clone(),
                    editors: None,
                    credit: Some(Credit { by: r.by.clone(), time: r.time, source: r.source.clone() }),
                });
                body.check().map_err(|e| kit_err(format!("kit.json: {:?}: {e}", g.title)))?;
            }
        }
        let mut ids = Vec::new();
        for g in manifest.guides.into_iter().filter(|g| g.from == "network") {
            let history = g
                .revisions
                .into_iter()
                .map(|r| ForkedRevision {
                    title: r.title,
                    text: r.text,
                    note: r.note,
                    credit: Credit { by: r.by, time: r.time, source: r.source },
                })
                .collect();
            ids.push(self.fork_guide(network, &ForkSource::History(history))?);
        }
        Ok((check, ids))
    }
}

fn readme(network: Option<&str>, fingerprint: &str, invite: bool, binary: &str) -> String {
    let whose = network.map(|n| format!(" from {n}")).unwrap_or_default();
    let mut s = format!(
        "OPEN STRIKE KIT{whose}\n\
         ================\n\n\
         Everything to start Open Strike again with no server and no internet: the program,\n\
         the guides, leaflets to print{}.\n\n\
         WHAT IS HERE\n\
         \x20 {binary:<22} the program (built for the computer it was exported from)\n\
         \x20 guides/index.html      every guide: open it in any browser, no program needed\n\
         \x20 guides/*/*.md          the same guides as Markdown\n\
         \x20 leaflets/*.html        one-page leaflets: open, print (A5), photocopy\n",
        if invite { ", and an invite" } else { "" }
    );
    if invite {
        s.push_str(
            "  invite.txt             an invite link (also on leaflets/invite.html): anyone holding it\n\
             \x20                        can ask to join; members vouch before anyone is in\n",
        );
    }
    s.push_str(&format!(
        "  kit.json               the guides with their history, for `openstrike kit import`\n\
         \x20 SHA256SUMS             a checksum of every file\n\
         \x20 SHA256SUMS.sig         the checksums, signed (OpenSSH signature, namespace {NAMESPACE})\n\
         \x20 allowed_signers        the key that signed them\n\n\
         CHECK IT FIRST\n\
         A kit can be tampered with on the way to you. Check it on any Linux or Mac computer,\n\
         without running the program it carries:\n\n\
         \x20 sha256sum -c SHA256SUMS              (on a Mac: shasum -a 256 -c SHA256SUMS)\n\
         \x20 ssh-keygen -Y check-novalidate -n {NAMESPACE} -s SHA256SUMS.sig < SHA256SUMS\n\n\
         The second prints the key's fingerprint. It must be\n\n\
         \x20 {fingerprint}\n\n\
         and the person who gave you the kit should read you the same fingerprint (in person, or\n\
         by a call you trust): this file can be replaced along with the rest. Or, once you trust\n\
         the program: ./{binary} kit verify .\n\n\
         START\n\
         \x20 ./{binary} demo                 a demonstration network, in your browser\n\
         \x20 ./{binary} init                 your own identity (pick a passphrase you can remember)\n"
    ));
    if invite {
        s.push_str(&format!("  ./{binary} join --pseudonym YOUR-PSEUDONYM \"$(cat invite.txt)\"\n"));
    } else {
        s.push_str(&format!("  ./{binary} network create --name \"Our workplace\" --kind workplace\n"));
    }
    s.push_str(&format!(
        "  ./{binary} kit import . --network NET   copy this kit's guides into your network\n\
         \x20 ./{binary} serve                the web interface\n\n\
         KEEP IT SAFE\n\
         This stick holds no member list and no keys. It names the network{} and, if it carries\n\
         an invite, lets whoever holds it ask to join. Keep it as you would a leaflet.\n",
        network.map(|n| format!(" ({n})")).unwrap_or_default()
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_file_names() {
        assert_eq!(slug("Picket safety and rotas"), "picket-safety-and-rotas");
        assert_eq!(slug("../../etc/passwd"), "etc-passwd");
        assert_eq!(slug("¿Qué?"), "qué");
        assert_eq!(slug("!!!"), "guide");
    }

    #[test]
    fn paths_outside_the_kit_are_refused() {
        for bad in ["../x", "/etc/passwd", "a/../../b", ""] {
            assert!(safe_rel(bad).is_err(), "{bad}");
        }
        assert!(safe_rel("guides/library/a.md").is_ok());
    }
}
