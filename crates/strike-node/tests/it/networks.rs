//! Strike networks across nodes: invites, joins, vouches, removal with key rotation, calls
//! and pledges, with bundles carrying the ops (sync later carries the same ops).

use strike_core::membership::Status;
use strike_core::{AuthorId, NetworkId, NetworkKind};
use strike_crypto::KdfParams;
use strike_node::Node;
use strike_node::networks::InviteLink;

pub struct Net {
    pub tmp: tempfile::TempDir,
    pub id: NetworkId,
    n: u32,
}

pub fn node(net: &Net, name: &str) -> Node {
    Node::init(&net.tmp.path().join(name), name.as_bytes(), KdfParams::MINIMUM).unwrap()
}

impl Net {
    /// Sam founds "Dock 4" needing `k` vouches.
    pub fn found(k: u8) -> (Net, Node) {
        Net::found_kind(k, NetworkKind::Workplace)
    }

    /// Sam founds "Dock 4" of `kind` needing `k` vouches.
    pub fn found_kind(k: u8, kind: NetworkKind) -> (Net, Node) {
        let tmp = tempfile::tempdir().unwrap();
        let mut sam = Node::init(&tmp.path().join("sam"), b"sam", KdfParams::MINIMUM).unwrap();
        let id = sam.create_network_with("Dock 4", kind, k).unwrap();
        (Net { tmp, id, n: 0 }, sam)
    }

    /// Carries everything `from` holds to `to` in a bundle sealed to the members (or, for a
    /// joiner, to its invite).
    pub fn ship(&mut self, from: &Node, to: &mut Node) {
        self.n += 1;
        let path = self.tmp.path().join(format!("b{}.osb", self.n));
        from.export_bundle(&self.id, &path, None).unwrap();
        to.import_bundle(&path, None, &mut |_| {}).unwrap();
    }

    /// The same, sealed to a passphrase: ciphertext reaching someone it should not (a seized
    /// USB stick, a hub).
    pub fn leak(&mut self, from: &Node, to: &mut Node) {
        self.n += 1;
        let path = self.tmp.path().join(format!("b{}.osb", self.n));
        from.export_bundle(&self.id, &path, Some("courier")).unwrap();
        to.import_bundle(&path, Some("courier"), &mut |_| {}).unwrap();
    }

    /// `name` joins with `link`; the request reaches `organizer`.
    /// Sam founds "Dock 4" needing one vouch and admits `names`, each holding what Sam's node
    /// holds then. Returns Sam first, then the others, with their author ids in that order.
    pub fn with_members(names: &[&str]) -> (Net, Vec<Node>, Vec<AuthorId>) {
        let (mut net, mut sam) = Net::found(1);
        let link = sam.create_invite(&net.id, 10, None, vec![]).unwrap();
        let mut ids = vec![sam.network(&net.id).unwrap().my_author.unwrap()];
        let mut nodes = Vec::new();
        for name in names {
            let (n, id) = net.join(&link, name, &mut sam);
            sam.vouch(&net.id, &id).unwrap();
            nodes.push(n);
            ids.push(id);
        }
        for n in nodes.iter_mut() {
            net.ship(&sam, n);
        }
        let mut all = vec![sam];
        all.extend(nodes);
        (net, all, ids)
    }

    pub fn join(&mut self, link: &InviteLink, name: &str, organizer: &mut Node) -> (Node, AuthorId) {
        let mut joiner = node(self, name);
        joiner.join(link, name).unwrap();
        self.ship(&joiner, organizer);
        let me = joiner.network(&self.id).unwrap().my_author.unwrap();
        (joiner, me)
    }
}

pub fn status(n: &Node, net: &NetworkId, who: &AuthorId) -> Option<Status> {
    n.members(net).unwrap().into_iter().find(|m| m.author == *who).map(|m| m.status)
}

#[test]
fn five_members_invite_join_vouch_admit_and_remove() {
    let (mut net, mut sam) = Net::found(2);
    sam.announce(&net.id, "Welcome to Dock 4").unwrap();
    let link = sam.create_invite(&net.id, 10, Some(7 * 86400), vec!["127.0.0.1:7000".into()]).unwrap();
    let link: InviteLink = link.to_string().parse().unwrap();
    assert_eq!(link.addresses, ["127.0.0.1:7000"]);

    // Dee asks to join and sees nothing of the network.
    let (mut dee, dee_id) = net.join(&link, "dee", &mut sam);
    assert_eq!(status(&sam, &net.id, &dee_id), Some(Status::Pending));
    net.leak(&sam, &mut dee);
    assert!(dee.announcements(&net.id, 10).unwrap().is_empty(), "a pending joiner reads nothing");
    assert_eq!(dee.network(&net.id).unwrap().name, None);
    assert!(dee.announce(&net.id, "hello?").is_err());

    // A network smaller than k needs every member's vouch: Sam's alone admits Dee.
    let v = sam.vouch(&net.id, &dee_id).unwrap();
    assert!(v.admitted);
    net.ship(&sam, &mut dee);
    assert_eq!(dee.announcements(&net.id, 10).unwrap()[0].text, "Welcome to Dock 4");
    assert_eq!(dee.network(&net.id).unwrap().name.as_deref(), Some("Dock 4"));
    assert_eq!(dee.state_hash(&net.id).unwrap(), sam.state_hash(&net.id).unwrap());

    // Ana, Bo and Cy join with an invite written now that there are two members: they need
    // both vouches. Dee (a member now) vouches for Ana first.
    let link = sam.create_invite(&net.id, 10, None, vec![]).unwrap();
    let (mut ana, ana_id) = net.join(&link, "ana", &mut sam);
    let (mut bo, bo_id) = net.join(&link, "bo", &mut sam);
    let (mut cy, cy_id) = net.join(&link, "cy", &mut sam);
    net.ship(&sam, &mut dee);
    let v = dee.vouch(&net.id, &ana_id).unwrap();
    assert!(!v.admitted && v.vouches == 1 && v.needed == 2, "two vouches once there are two members");
    net.ship(&dee, &mut sam);
    assert!(sam.vouch(&net.id, &ana_id).unwrap().admitted);
    for id in [bo_id, cy_id] {
        sam.vouch(&net.id, &id).unwrap();
        net.ship(&sam, &mut dee);
        assert!(dee.vouch(&net.id, &id).unwrap().admitted);
        net.ship(&dee, &mut sam);
    }
    // And Pat asks but nobody vouches.
    let (mut pat, pat_id) = net.join(&link, "pat", &mut sam);
    for n in [&mut ana, &mut bo, &mut cy, &mut dee] {
        net.ship(&sam, n);
    }
    for (who, id) in [("ana", ana_id), ("bo", bo_id), ("cy", cy_id), ("dee", dee_id)] {
        assert_eq!(status(&sam, &net.id, &id), Some(Status::Member), "{who}");
    }
    assert_eq!(status(&sam, &net.id, &pat_id), Some(Status::Pending));
    let vouchers = sam.members(&net.id).unwrap().into_iter().find(|m| m.author == ana_id).unwrap().vouchers;
    assert_eq!(vouchers.len(), 2, "who vouched for whom: {vouchers:?}");
    assert!(vouchers.contains(&dee_id));
    assert_eq!(ana.announcements(&net.id, 10).unwrap().len(), 1, "the key share reached Ana");

    // Cy is removed; the key rotates to the four who remain (and Sam).
    let removed = sam.remove(&net.id, &cy_id).unwrap();
    assert_eq!(removed.n_shares, 4, "sam, dee, ana, bo");
    net.leak(&sam, &mut cy);
    assert_eq!(cy.me_in(&net.id).unwrap().unwrap().status, Status::Removed, "the removal itself is readable");
    sam.announce(&net.id, "Strike vote Thursday").unwrap();
    for n in [&mut ana, &mut bo, &mut dee] {
        net.ship(&sam, n);
    }
    net.leak(&sam, &mut cy);
    net.leak(&sam, &mut pat);
    let id = net.id;
    let texts = |n: &Node| {
        let mut texts = n.announcements(&id, 10).unwrap().into_iter().map(|a| a.text).collect::<Vec<_>>();
        texts.sort();
        texts
    };
    for n in [&ana, &bo, &dee] {
        assert_eq!(texts(n), ["Strike vote Thursday", "Welcome to Dock 4"]);
        assert_eq!(n.state_hash(&net.id).unwrap(), sam.state_hash(&net.id).unwrap());
    }
    assert_eq!(texts(&cy), ["Welcome to Dock 4"], "the removed member decrypts nothing written after");
    assert!(cy.network(&net.id).unwrap().n_sealed_ops > 0);
    assert!(texts(&pat).is_empty(), "the pending joiner decrypts nothing at all");
    assert_eq!(status(&dee, &net.id, &cy_id), Some(Status::Removed));
    // Folding the whole log again gives the same state.
    let before = sam.state_hash(&net.id).unwrap();
    sam.rebuild().unwrap();
    assert_eq!(sam.state_hash(&net.id).unwrap(), before);
    // Cy's old key still writes ops, but they do not count anywhere.
    cy.announce(&net.id, "fake news").ok();
    net.leak(&cy, &mut sam);
    assert_eq!(texts(&sam), ["Strike vote Thursday", "Welcome to Dock 4"]);
}

/// Names that would look alike on screen ("Abe", and "Аbе" with Cyrillic letters) are shown
/// with a piece of each key wherever names appear; a name cannot be written to render as
/// another (a right-to-left override).
#[test]
fn lookalike_names_are_told_apart_and_hidden_formatting_is_refused() {
    let (mut net, mut sam) = Net::found(1);
    let link = sam.create_invite(&net.id, 5, None, vec![]).unwrap();
    let mut turned = node(&net, "turned");
    let err = turned.join(&link, "\u{202E}ebA").unwrap_err();
    assert!(err.to_string().contains("invisible formatting"), "{err}");
    let (mut abe, abe_id) = net.join(&link, "Abe", &mut sam);
    let (mut fake, fake_id) = net.join(&link, "\u{410}b\u{435}", &mut sam);
    let (_, lee_id) = net.join(&link, "Lee", &mut sam);
    for who in [abe_id, fake_id, lee_id] {
        sam.vouch(&net.id, &who).unwrap();
    }
    net.ship(&sam, &mut abe);
    net.ship(&sam, &mut fake);
    let err = fake.set_profile(&net.id, |p| p.pseudonym = "Sam\u{2066}".into()).unwrap_err();
    assert!(err.to_string().contains("invisible formatting"), "{err}");
    fake.announce(&net.id, "ignored: not an organizer").unwrap();
    let names: std::collections::HashMap<_, _> =
        sam.members(&net.id).unwrap().into_iter().map(|m| (m.author, m.name)).collect();
    assert_eq!(names[&abe_id], format!("Abe #{}", &abe_id.to_hex()[..12]));
    assert_eq!(names[&fake_id], format!("\u{410}b\u{435} #{}", &fake_id.to_hex()[..12]));
    assert_eq!(names[&lee_id], "Lee", "a name like nobody else's is shown as it is");
    // The directory shows the same names; a profile pseudonym like someone else's gets the tag too.
    fake.set_profile(&net.id, |p| p.pseudonym = "lee".into()).unwrap();
    net.ship(&fake, &mut sam);
    let dir: std::collections::HashMap<_, _> =
        sam.directory(&net.id).unwrap().into_iter().map(|p| (p.author, p.pseudonym)).collect();
    assert_eq!(dir[&fake_id.to_hex()], format!("lee #{}", &fake_id.to_hex()[..12]));
    assert_eq!(dir[&lee_id.to_hex()], format!("Lee #{}", &lee_id.to_hex()[..12]));
    assert_eq!(dir[&abe_id.to_hex()], "Abe", "no longer alike anyone");
}
