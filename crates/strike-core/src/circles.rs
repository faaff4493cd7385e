//! The circles area: private scopes inside a network. A circle has its own epoch keys,
//! sealed (HPKE) to each of its members; bodies whose kind is in the circle layer are sealed
//! under them, so a member of the network outside the circle holds their ciphertext and
//! nothing else. Every network has the organizers' circle, whose members are its organizers;
//! organizers create others (a crisis team, treasurers, drivers) with leads who add and
//! remove members. Who is in a custom circle is itself sealed to the circle: members are
//! added and removed by entries sealed to the circle's entry key, so the rest of the network
//! sees a circle's name, purpose, leads and size, not who else is in it.
//!
//! Here: the bodies and their rules, the derivations, the sealing of keys, key lists and
//! entries, and the one resolution of a circle's membership (`docs/protocol.md`, "Circles").

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use strike_crypto::{AgreementPublic, AgreementSecret, NONCE_LEN, SymmetricKey};
use zeroize::Zeroizing;

use crate::body::{Fact, FactIndex, MAX_FIELD_LEN};
use crate::bytes::{bytes_array, bytes_vec};
use crate::membership::JOIN_EPOCH_BASE;
use crate::text::{check_optional, check_text};
use crate::{AuthorId, CoarseTime, NetworkId, OpId, Reject};

/// Derivation context of the organizers' circle's id from the network id.
pub const ORGANIZERS_CIRCLE_CONTEXT: &str = "openstrike 2026-12 organizers circle v1";
/// Derivation context of a circle key's epoch number.
pub const CIRCLE_EPOCH_CONTEXT: &str = "openstrike 2026-12 circle epoch id v1";
/// Derivation context of a circle key's entry key (the X25519 secret entries are sealed to).
pub const CIRCLE_ENTRY_KEY_CONTEXT: &str = "openstrike 2026-12 circle entry key v1";
/// HPKE `info` of a circle key sealed to one member.
pub const CIRCLE_KEY_INFO: &[u8] = b"openstrike 2026-12 circle key v1";
/// HPKE `info` of a membership entry sealed to a circle's entry key.
pub const CIRCLE_ENTRY_INFO: &[u8] = b"openstrike 2026-12 circle entry v1";
/// Associated-data label of a circle key's sealed list (members and earlier keys).
pub const CIRCLE_LIST_LABEL: &[u8] = b"openstrike 2026-12 circle key list v1";
/// A circle holds at most this many members: one circle key op carries a share for each.
pub const MAX_CIRCLE_MEMBERS: usize = 400;
/// A circle key's list carries at most this many earlier keys (the newest); older ones are
/// reached through the lists of those.
pub const MAX_BACK_KEYS: usize = 400;
/// Longest purpose of a circle, in bytes.
pub const MAX_PURPOSE_LEN: usize = 400;
/// Longest post in a circle, in bytes.
pub const MAX_POST_LEN: usize = 4000;

/// The organizers' circle of a network: its id, derived from the network's.
pub fn organizers_circle(network: &NetworkId) -> OpId {
    OpId(strike_crypto::derive(ORGANIZERS_CIRCLE_CONTEXT, &network.0))
}

/// The epoch number of a circle key, derived from the key as a rotated network key's is (so
/// two members rotating at once never reuse one), under a context of its own.
pub fn circle_epoch(key: &[u8; 32]) -> u32 {
    let d = strike_crypto::derive(CIRCLE_EPOCH_CONTEXT, key);
    1 + u32::from_be_bytes(d[..4].try_into().expect("4 bytes")) % (JOIN_EPOCH_BASE - 1)
}

/// The X25519 secret membership entries of a circle epoch are sealed to.
pub fn entry_secret(key: &[u8; 32]) -> AgreementSecret {
    AgreementSecret::from_bytes(strike_crypto::derive(CIRCLE_ENTRY_KEY_CONTEXT, key))
}

/// HPKE associated data (and the list's AEAD associated data, after its label) of a circle
/// epoch: network id || circle id || epoch (u32 big-endian).
pub fn circle_aad(network: &NetworkId, circle: &OpId, epoch: u32) -> Vec<u8> {
    let mut aad = Vec::with_capacity(68);
    aad.extend_from_slice(&network.0);
    aad.extend_from_slice(&circle.0);
    aad.extend_from_slice(&epoch.to_be_bytes());
    aad
}

/// Seals `plain` (HPKE) to the entry key of `epoch` of `circle`, and a copy to `author`, under
/// the two infos given: what a member writes for a circle they are not in (a sealed request,
/// a fund note).
#[allow(clippy::too_many_arguments)]
pub fn seal_with_copy<R: rand_core::CryptoRng>(
    network: &NetworkId,
    circle: &OpId,
    epoch: u32,
    entry_key: &[u8; 32],
    author: &strike_crypto::AgreementPublic,
    (info, copy_info): (&[u8], &[u8]),
    plain: &[u8],
    rng: &mut R,
) -> Result<(Vec<u8>, Vec<u8>), crate::Reject> {
    let aad = circle_aad(network, circle, epoch);
    let unusable = |_| crate::Reject::InvalidBody("the circle's entry key is not usable".into());
    let to = strike_crypto::AgreementPublic(*entry_key);
    let sealed = strike_crypto::seal_to(&to, info, &aad, plain, rng).map_err(unusable)?;
    let copy = strike_crypto::seal_to(author, copy_info, &aad, plain, rng).map_err(unusable)?;
    Ok((sealed, copy))
}

/// Opens a blob [`seal_with_copy`] sealed to the entry key of `epoch` of `circle`, with the
/// circle's key of that epoch.
pub fn open_entry(
    network: &NetworkId,
    circle: &OpId,
    epoch: u32,
    key: &[u8; 32],
    info: &[u8],
    sealed: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    strike_crypto::open_sealed(&entry_secret(key), info, &circle_aad(network, circle, epoch), sealed).ok()
}

/// Opens the copy [`seal_with_copy`] sealed to one member, with their agreement secret.
pub fn open_copy(
    network: &NetworkId,
    circle: &OpId,
    epoch: u32,
    mine: &AgreementSecret,
    info: &[u8],
    copy: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    strike_crypto::open_sealed(mine, info, &circle_aad(network, circle, epoch), copy).ok()
}

/// `value`'s canonical CBOR, zero-padded to `len` bytes: every note of a kind is one size, so
/// its length tells nothing of what it holds.
pub fn pad<T: Serialize>(value: &T, len: usize) -> Result<Vec<u8>, Reject> {
    let mut out = Vec::with_capacity(len);
    ciborium::into_writer(value, &mut out).expect("writing CBOR into a Vec cannot fail");
    if out.len() > len {
        return Err(Reject::InvalidBody(format!("that is too long to seal in {len} bytes")));
    }
    out.resize(len, 0);
    Ok(out)
}

/// A padded plaintext read back, in its one form only: `len` bytes, a map that encodes to the
/// same bytes again, and zeros after it.
pub fn unpad<T: serde::de::DeserializeOwned + Serialize>(plain: &[u8], len: usize) -> Option<T> {
    if plain.len() != len {
        return None;
    }
    let value: T = ciborium::from_reader(plain).ok()?;
    (pad(&value, len).ok()? == plain).then_some(value)
}

/// An organizer opens a circle; the op's id is the circle's id, and its author its first lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Circle {
    pub name: String,
    pub purpose: String,
}

impl Fact for Circle {
    fn check(&self) -> Result<(), Reject> {
        check_text("circle name", &self.name, MAX_FIELD_LEN)?;
        check_optional("purpose", &self.purpose, MAX_PURPOSE_LEN)
    }
}

/// One share of a circle key: HPKE of the key to one member's agreement key. Shares name
/// nobody; a member finds theirs by opening.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Share(#[serde(with = "bytes_vec")] pub Vec<u8>);

/// A circle's key for one epoch: sealed to each member, with its entry key (for entries from
/// organizers outside the circle) and the sealed list of who holds it and earlier keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CircleKey {
    pub circle: OpId,
    pub epoch: u32,
    #[serde(with = "bytes_array")]
    pub entry_key: [u8; 32],
    /// [`KeyList`] sealed under the key itself: nonce || ciphertext.
    #[serde(with = "bytes_vec")]
    pub list: Vec<u8>,
    /// One per member, sorted bytewise.
    pub shares: Vec<Share>,
}

impl Fact for CircleKey {
    fn check(&self) -> Result<(), Reject> {
        if self.shares.is_empty() || self.shares.len() > MAX_CIRCLE_MEMBERS {
            return Err(Reject::InvalidBody(format!("a circle key holds 1 to {MAX_CIRCLE_MEMBERS} shares")));
        }
        if !self.shares.windows(2).all(|w| w[0] < w[1]) {
            return Err(Reject::InvalidBody("circle key shares must be sorted and distinct".into()));
        }
        if self.epoch == 0 || self.epoch >= JOIN_EPOCH_BASE {
            return Err(Reject::InvalidBody("a circle key's epoch is derived from it".into()));
        }
        Ok(())
    }

    fn index(&self) -> FactIndex {
        FactIndex { subject: Some(self.circle.0.to_vec()), number: Some(i64::from(self.epoch)) }
    }
}

/// Someone joins or leaves a custom circle: an entry sealed to the entry key of one of the
/// circle's epochs, written by an organizer or one of the circle's leads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CircleMember {
    pub circle: OpId,
    pub epoch: u32,
    #[serde(with = "bytes_vec")]
    pub sealed: Vec<u8>,
}

impl Fact for CircleMember {
    fn index(&self) -> FactIndex {
        FactIndex { subject: Some(self.circle.0.to_vec()), number: Some(i64::from(self.epoch)) }
    }
}

/// An organizer makes a member one of a custom circle's leads (a lead is a member), or no
/// longer one (they stay a member).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CircleLead {
    pub circle: OpId,
    pub member: AuthorId,
    pub lead: bool,
}

impl Fact for CircleLead {
    fn index(&self) -> FactIndex {
        FactIndex::about(&self.circle.0)
    }
}

/// A post inside a circle, readable by its members only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CirclePost {
    pub circle: OpId,
    pub text: String,
}

impl Fact for CirclePost {
    fn check(&self) -> Result<(), Reject> {
        check_text("post", &self.text, MAX_POST_LEN)
    }

    fn index(&self) -> FactIndex {
        FactIndex::about(&self.circle.0)
    }
}

/// What a circle key's list holds: who the key was sealed to, and earlier keys of the circle
/// (so a new member reads what the circle wrote before them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyList {
    /// Sorted, distinct.
    pub members: Vec<AuthorId>,
    /// (epoch, key), by epoch.
    pub back: Vec<(u32, [u8; 32])>,
}

impl KeyList {
    /// u16 n || n x 32-byte author || u16 m || m x (u32 epoch || 32-byte key).
    fn encode(&self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::with_capacity(4 + 32 * self.members.len() + 36 * self.back.len()));
        out.extend_from_slice(&(self.members.len() as u16).to_be_bytes());
        for m in &self.members {
            out.extend_from_slice(&m.0);
        }
        out.extend_from_slice(&(self.back.len() as u16).to_be_bytes());
        for (epoch, key) in &self.back {
            out.extend_from_slice(&epoch.to_be_bytes());
            out.extend_from_slice(key);
        }
        out
    }

    fn decode(bytes: &[u8]) -> Option<KeyList> {
        let mut at = 0;
        let mut take = |n: usize| {
            let part = bytes.get(at..at + n)?;
            at += n;
            Some(part)
        };
        let n = u16::from_be_bytes(take(2)?.try_into().ok()?) as usize;
        let mut members = Vec::with_capacity(n.min(MAX_CIRCLE_MEMBERS));
        for _ in 0..n {
            members.push(AuthorId(take(32)?.try_into().ok()?));
        }
        let m = u16::from_be_bytes(take(2)?.try_into().ok()?) as usize;
        let mut back = Vec::with_capacity(m.min(MAX_BACK_KEYS));
        for _ in 0..m {
            let epoch = u32::from_be_bytes(take(4)?.try_into().ok()?);
            back.push((epoch, take(32)?.try_into().ok()?));
        }
        (at == bytes.len()).then_some(KeyList { members, back })
    }
}

/// A fresh circle key sealed to `members` (author, agreement key), with `back` (earlier keys
/// of the circle this writer holds, newest [`MAX_BACK_KEYS`] kept). `nonce` must be random.
pub fn seal_circle_key<R: rand_core::CryptoRng>(
    network: &NetworkId,
    circle: &OpId,
    key: &SymmetricKey,
    members: &[(AuthorId, [u8; 32])],
    mut back: Vec<(u32, [u8; 32])>,
    rng: &mut R,
) -> Result<CircleKey, Reject> {
    if members.is_empty() || members.len() > MAX_CIRCLE_MEMBERS {
        return Err(Reject::InvalidBody(format!("a circle has 1 to {MAX_CIRCLE_MEMBERS} members")));
    }
    let epoch = circle_epoch(key.expose());
    let aad = circle_aad(network, circle, epoch);
    let mut shares = Vec::with_capacity(members.len());
    for (_, agreement) in members {
        let sealed = strike_crypto::seal_to(&AgreementPublic(*agreement), CIRCLE_KEY_INFO, &aad, key.expose(), rng)
            .map_err(|_| Reject::InvalidBody("a member's agreement key is not usable".into()))?;
        shares.push(Share(sealed));
    }
    shares.sort();
    back.sort_by_key(|(e, _)| *e);
    back.dedup_by_key(|(e, _)| *e);
    back.retain(|(e, _)| *e != epoch);
    if back.len() > MAX_BACK_KEYS {
        back.drain(..back.len() - MAX_BACK_KEYS);
    }
    let mut list_members: Vec<AuthorId> = members.iter().map(|(a, _)| *a).collect();
    list_members.sort();
    list_members.dedup();
    let list = KeyList { members: list_members, back };
    let nonce: [u8; NONCE_LEN] = strike_crypto::random_bytes(rng);
    let mut sealed_list = nonce.to_vec();
    sealed_list.extend(key.seal(&nonce, &list_aad(&aad), &list.encode()));
    Ok(CircleKey {
        circle: *circle,
        epoch,
        entry_key: entry_secret(key.expose()).public().0,
        list: sealed_list,
        shares,
    })
}

fn list_aad(aad: &[u8]) -> Vec<u8> {
    [CIRCLE_LIST_LABEL, &[0], aad].concat()
}

/// The key of a circle key op that one of its shares seals to `me`, if any: every share is
/// tried (they name nobody), and a key whose epoch does not match is refused.
pub fn open_share(network: &NetworkId, body: &CircleKey, me: &AgreementSecret) -> Option<SymmetricKey> {
    let aad = circle_aad(network, &body.circle, body.epoch);
    body.shares.iter().find_map(|share| {
        let plain = strike_crypto::open_sealed(me, CIRCLE_KEY_INFO, &aad, &share.0).ok()?;
        let key: [u8; 32] = plain.as_slice().try_into().ok()?;
        (circle_epoch(&key) == body.epoch).then(|| SymmetricKey::from_bytes(key))
    })
}

/// The list of a circle key op, opened with its key; `None` if it does not open or is not a
/// list (the op then gives nobody anything beyond its key).
pub fn open_list(network: &NetworkId, body: &CircleKey, key: &SymmetricKey) -> Option<KeyList> {
    let (nonce, ct) = body.list.split_at_checked(NONCE_LEN)?;
    let aad = circle_aad(network, &body.circle, body.epoch);
    let plain = key.open(nonce.try_into().ok()?, &list_aad(&aad), ct).ok()?;
    let list = KeyList::decode(&plain)?;
    // Earlier keys whose epochs do not match them are dropped, not trusted.
    let back = list.back.into_iter().filter(|(epoch, key)| circle_epoch(key) == *epoch).collect();
    Some(KeyList { members: list.members, back })
}

/// What a membership entry says: `member` joins (`added`) or leaves the circle; on leaving,
/// their circle ops up to `last_seen_seq` (the last the writer had seen) still count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub member: AuthorId,
    pub added: bool,
    pub last_seen_seq: u64,
}

impl Entry {
    /// 32-byte member || 1 byte (1 joins, 0 leaves) || u64 last_seen_seq.
    fn encode(&self) -> [u8; 41] {
        let mut out = [0u8; 41];
        out[..32].copy_from_slice(&self.member.0);
        out[32] = u8::from(self.added);
        out[33..].copy_from_slice(&self.last_seen_seq.to_be_bytes());
        out
    }

    fn decode(bytes: &[u8]) -> Option<Entry> {
        let bytes: &[u8; 41] = bytes.try_into().ok()?;
        let added = match bytes[32] {
            0 => false,
            1 => true,
            _ => return None,
        };
        Some(Entry {
            member: AuthorId(bytes[..32].try_into().ok()?),
            added,
            last_seen_seq: u64::from_be_bytes(bytes[33..].try_into().ok()?),
        })
    }

    /// Seals the entry to the entry key of `epoch` of `circle` (from its circle key op).
    pub fn seal<R: rand_core::CryptoRng>(
        &self,
        network: &NetworkId,
        circle: &OpId,
        epoch: u32,
        entry_key: &[u8; 32],
        rng: &mut R,
    ) -> Result<CircleMember, Reject> {
        let aad = circle_aad(network, circle, epoch);
        let sealed = strike_crypto::seal_to(&AgreementPublic(*entry_key), CIRCLE_ENTRY_INFO, &aad, &self.encode(), rng)
            .map_err(|_| Reject::InvalidBody("the circle's entry key is not usable".into()))?;
        Ok(CircleMember { circle: *circle, epoch, sealed })
    }

    /// Opens an entry with the circle key of its epoch.
    pub fn open(network: &NetworkId, body: &CircleMember, key: &SymmetricKey) -> Option<Entry> {
        let aad = circle_aad(network, &body.circle, body.epoch);
        let plain =
            strike_crypto::open_sealed(&entry_secret(key.expose()), CIRCLE_ENTRY_INFO, &aad, &body.sealed).ok()?;
        Entry::decode(&plain)
    }
}

/// A lead appointment (or its end) that counts: its author is a counted organizer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeadEvent {
    pub time: CoarseTime,
    pub op: OpId,
    /// The organizer who wrote it, and the op's seq in their chain.
    pub writer: AuthorId,
    pub seq: u64,
    pub member: AuthorId,
    pub lead: bool,
}

/// An opened membership entry with the op that carried it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryEvent {
    pub time: CoarseTime,
    pub op: OpId,
    /// The op's author; the entry counts if they are an organizer or one of the circle's leads.
    pub writer: AuthorId,
    pub seq: u64,
    pub entry: Entry,
}

/// One person's standing in a circle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// In the circle now (and a current member of the network).
    pub current: bool,
    pub lead: bool,
    /// The highest seq of theirs whose circle ops count: `u64::MAX` unless they left.
    pub count_upto: u64,
}

/// One counted entry or appointment: (time, writer, seq, op, what it says).
type Said = (CoarseTime, AuthorId, u64, OpId, Entry);

/// Who is in a custom circle: a pure function of its creator, the lead appointments and the
/// opened entries, the same on every node that holds the same ops and keys.
///
/// 1. Leads: the creator, then each member's latest appointment by (time, op id) decides. An
///    appointment also adds its member.
/// 2. Entries count when their writer is an organizer or a lead (by step 1).
/// 3. For each person, their counted entries and appointments of the latest minute decide:
///    of each writer, the last (by seq in the writer's chain); if those agree, that stands;
///    if writers disagree, the person is out (the leave with the lowest op id stands). Out
///    means their circle ops up to the entry's `last_seen_seq` count.
/// 4. Only current members of the network are in it; a lead who left is no longer a lead.
pub fn resolve(
    creator: AuthorId,
    leads: &[LeadEvent],
    entries: &[EntryEvent],
    is_organizer: impl Fn(&AuthorId) -> bool,
    is_member: impl Fn(&AuthorId) -> bool,
) -> BTreeMap<AuthorId, Standing> {
    let mut leads = leads.to_vec();
    leads.sort_by_key(|e| crate::op_order(e.time, e.writer, e.seq, e.op));
    let mut lead: BTreeMap<AuthorId, bool> = BTreeMap::from([(creator, true)]);
    for e in &leads {
        lead.insert(e.member, e.lead);
    }
    // Per person: (time, writer, seq, op, entry). Appointments are joins; the creation is the
    // creator's join at time 0.
    let mut events: BTreeMap<AuthorId, Vec<Said>> = BTreeMap::new();
    let mut push = |time, writer, seq, op, entry: Entry| {
        events.entry(entry.member).or_default().push((time, writer, seq, op, entry))
    };
    push(CoarseTime(0), creator, 0, OpId([0; 32]), Entry { member: creator, added: true, last_seen_seq: 0 });
    for e in leads.iter().filter(|e| e.lead) {
        push(e.time, e.writer, e.seq, e.op, Entry { member: e.member, added: true, last_seen_seq: 0 });
    }
    for e in entries {
        if is_organizer(&e.writer) || lead.get(&e.writer).copied().unwrap_or(false) {
            push(e.time, e.writer, e.seq, e.op, e.entry);
        }
    }
    let mut out: BTreeMap<AuthorId, Standing> = BTreeMap::new();
    for (member, evs) in events {
        let Some(latest) = evs.iter().map(|e| e.0).max() else { continue };
        // Each writer's last word in the latest minute.
        let mut last: BTreeMap<AuthorId, (u64, OpId, Entry)> = BTreeMap::new();
        for (_, writer, seq, op, entry) in evs.into_iter().filter(|e| e.0 == latest) {
            if last.get(&writer).is_none_or(|(s, o, _)| (seq, op) > (*s, *o)) {
                last.insert(writer, (seq, op, entry));
            }
        }
        let decided = if last.values().all(|(_, _, e)| e.added) {
            last.values().map(|(_, _, e)| *e).next()
        } else {
            last.values().filter(|(_, _, e)| !e.added).min_by_key(|(_, op, _)| *op).map(|(_, _, e)| *e)
        };
        let Some(entry) = decided else { continue };
        let standing = if entry.added {
            Standing { current: true, lead: false, count_upto: u64::MAX }
        } else {
            Standing { current: false, lead: false, count_upto: entry.last_seen_seq }
        };
        out.insert(member, standing);
    }
    for (author, s) in out.iter_mut() {
        s.current &= is_member(author);
        s.lead = s.current && lead.get(author).copied().unwrap_or(false);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(n: u8) -> AuthorId {
        AuthorId([n; 32])
    }

    fn entry(t: u32, op: u8, writer: u8, member: u8, added: bool) -> EntryEvent {
        EntryEvent {
            time: CoarseTime(t),
            op: OpId([op; 32]),
            writer: a(writer),
            seq: u64::from(op),
            entry: Entry { member: a(member), added, last_seen_seq: 7 },
        }
    }

    #[test]
    fn key_list_and_entries_round_trip_and_refuse_tampering() {
        let mut rng = rand::rng();
        let network = NetworkId([1; 32]);
        let circle = OpId([2; 32]);
        let alice = AgreementSecret::generate(&mut rng);
        let bob = AgreementSecret::generate(&mut rng);
        let key = SymmetricKey::generate(&mut rng);
        let old = SymmetricKey::generate(&mut rng);
        let back = vec![(circle_epoch(old.expose()), *old.expose())];
        let body =
            seal_circle_key(&network, &circle, &key, &[(a(1), alice.public().0)], back.clone(), &mut rng).unwrap();
        assert_eq!(open_share(&network, &body, &alice).unwrap().expose(), key.expose());
        assert!(open_share(&network, &body, &bob).is_none(), "no share for bob");
        assert!(open_share(&NetworkId([9; 32]), &body, &alice).is_none(), "bound to its network");
        let list = open_list(&network, &body, &key).unwrap();
        assert_eq!(list, KeyList { members: vec![a(1)], back });
        assert!(open_list(&network, &body, &old).is_none());
        let e = Entry { member: a(5), added: false, last_seen_seq: 3 };
        let sealed = e.seal(&network, &circle, body.epoch, &body.entry_key, &mut rng).unwrap();
        assert_eq!(Entry::open(&network, &sealed, &key), Some(e));
        assert_eq!(Entry::open(&network, &sealed, &old), None);
    }

    #[test]
    fn leave_wins_a_minute_and_later_entries_win() {
        let all = |_: &AuthorId| true;
        // Concurrent join and leave in one minute by two writers: the leave stands, whatever
        // the order given.
        let org = |x: &AuthorId| *x == a(1) || *x == a(2);
        let e = [entry(10, 3, 1, 5, true), entry(10, 2, 2, 5, false)];
        for es in [e.to_vec(), e.iter().rev().copied().collect()] {
            let r = resolve(a(1), &[], &es, org, all);
            assert_eq!(r[&a(5)], Standing { current: false, lead: false, count_upto: 7 });
        }
        let r = resolve(a(1), &[], &[entry(10, 2, 1, 5, false), entry(11, 3, 1, 5, true)], org, all);
        assert!(r[&a(5)].current);
        // One writer who takes someone out and adds them back in the same minute: their last
        // word (by seq) stands.
        let r = resolve(a(1), &[], &[entry(10, 2, 1, 5, false), entry(10, 3, 1, 5, true)], org, all);
        assert!(r[&a(5)].current);
        // An entry from someone who is neither organizer nor lead never counts.
        let r = resolve(a(1), &[], &[entry(10, 2, 9, 5, true)], org, all);
        assert!(!r.contains_key(&a(5)));
        // A lead adds; a lead who left leads nothing.
        let lead = LeadEvent { time: CoarseTime(5), op: OpId([4; 32]), writer: a(1), seq: 4, member: a(6), lead: true };
        let r = resolve(a(1), &[lead], &[entry(10, 2, 6, 5, true), entry(12, 8, 1, 6, false)], org, all);
        assert!(r[&a(5)].current, "added while a lead");
        assert!(!r[&a(6)].current && !r[&a(6)].lead);
        // Members who left the network are in no circle.
        let r = resolve(a(1), &[], &[entry(10, 2, 1, 5, true)], org, |x| *x != a(5));
        assert!(!r[&a(5)].current);
        assert!(r[&a(1)].current && r[&a(1)].lead, "the creator leads");
    }
}
