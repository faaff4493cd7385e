//! Frozen encodings of every body type and the values derived from an invite secret, also
//! printed in `docs/protocol.md` ("Body vectors"). Changing any of them is a protocol change.

use super::*;
use crate::calls::{Call, CallKind, Checkpoint, Dimension, Pledge, Rule, Wave};
use crate::campaign::{Campaign, Gate, Phase};
use crate::events::{Answer, Event, EventCancel, EventKind, Rsvp, Shift, ShiftSignup};
use crate::membership::{invite_id, join_epoch, join_key, rotated_epoch};

pub(crate) fn bodies() -> Vec<(&'static str, Body)> {
    vec![
        (
            "invite",
            Body::Invite(Invite {
                secret: [7; 32],
                uses: 5,
                vouches: 1,
                expires: Some(29_000_000),
                addresses: vec!["127.0.0.1:7000".into()],
            }),
        ),
        (
            "join_request",
            Body::JoinRequest(JoinRequest { invite: [1; 16], agreement: [2; 32], pseudonym: "Dee".into() }),
        ),
        ("vouch", Body::Vouch(Vouch { member: crate::AuthorId([3; 32]) })),
        (
            "rejoin",
            Body::Rejoin(Rejoin {
                old: crate::AuthorId([3; 32]),
                agreement: [2; 32],
                pseudonym: "Dee".into(),
                last_good_seq: 41,
                proof: [8; 64],
            }),
        ),
        (
            "key_share",
            Body::KeyShare(KeyShare {
                member: crate::AuthorId([3; 32]),
                keys: vec![SealedKey { epoch: 0, sealed: vec![9; 4] }],
            }),
        ),
        (
            "role_change",
            Body::RoleChange(RoleChange { member: crate::AuthorId([3; 32]), role: crate::Role::Organizer }),
        ),
        ("history", Body::History(History { mode: HistoryMode::SinceAdmission })),
        (
            "history_key",
            Body::HistoryKey(KeyUpdate {
                epoch: 78,
                shares: vec![MemberShare { member: crate::AuthorId([3; 32]), sealed: vec![9; 4] }],
            }),
        ),
        ("removal", Body::Removal(Removal { member: crate::AuthorId([3; 32]), last_seen_seq: 12 })),
        (
            "key_update",
            Body::KeyUpdate(KeyUpdate {
                epoch: 77,
                shares: vec![MemberShare { member: crate::AuthorId([3; 32]), sealed: vec![9; 4] }],
            }),
        ),
        (
            "profile",
            Body::Profile(Profile {
                pseudonym: "Dee".into(),
                department: "packing".into(),
                shift: "night".into(),
                languages: vec!["en".into()],
                ..Profile::default()
            }),
        ),
        ("skill", Body::Skill(Skill { skill: "car".into(), has: true })),
        (
            "cover_offer",
            Body::CoverOffer(Cover {
                kind: CoverKind::Ride,
                when: "mon,tue 22:00-06:00".into(),
                place: "North".into(),
                note: String::new(),
            }),
        ),
        (
            "cover_need",
            Body::CoverNeed(Cover {
                kind: CoverKind::Childcare,
                when: "sat".into(),
                place: String::new(),
                note: String::new(),
            }),
        ),
        ("cover_close", Body::CoverClose(CoverClose { item: crate::OpId([4; 32]) })),
        (
            "contact",
            Body::Contact(Contact {
                name: "Lee".into(),
                workplace: "Dock 4".into(),
                department: "picking".into(),
                shift: "day".into(),
                role: String::new(),
            }),
        ),
        ("contact_note", Body::ContactNote(ContactNote { contact: crate::OpId([5; 32]), text: "Talked".into() })),
        ("assessment", Body::Assessment(Assessment { contact: crate::OpId([5; 32]), level: 4, note: String::new() })),
        (
            "call",
            Body::Call(Call {
                kind: CallKind::Strike,
                title: "One day".into(),
                demands: vec!["Heat".into()],
                scope: String::new(),
                deadline: 29_000_000,
                exempt_roles: vec!["nurse".into()],
                waves: vec![Wave {
                    rules: vec![
                        Rule::Count { n: 50 },
                        Rule::Share { permille: 600 },
                        Rule::MinPer { dimension: Dimension::Department, n: 5 },
                    ],
                    starts: 29_010_000,
                }],
                secret: None,
            }),
        ),
        ("pledge", Body::Pledge(Pledge { call: crate::OpId([6; 32]), pledged: true })),
        ("checkpoint", Body::Checkpoint(Checkpoint { call: crate::OpId([6; 32]) })),
        (
            "campaign",
            Body::Campaign(Campaign {
                title: "Heat".into(),
                phases: vec![Phase {
                    name: "seed".into(),
                    starts: 29_000_000,
                    objectives: vec!["Map".into()],
                    gates: vec![
                        Gate::Members { n: 30 },
                        Gate::CoverCoverage { kind: CoverKind::Childcare, permille: 800 },
                    ],
                }],
            }),
        ),
        (
            "event",
            Body::Event(Event {
                kind: EventKind::Picket,
                title: "Gate".into(),
                start: 29_000_000,
                place: "Dock 4".into(),
                note: String::new(),
                shifts: vec![Shift { gate: "North".into(), start: 29_000_030, end: 29_000_240, needed: 4 }],
            }),
        ),
        ("rsvp", Body::Rsvp(Rsvp { event: crate::OpId([6; 32]), answer: Answer::Going })),
        ("shift_signup", Body::ShiftSignup(ShiftSignup { event: crate::OpId([6; 32]), shift: 0, joined: true })),
        ("event_cancel", Body::EventCancel(EventCancel { event: crate::OpId([6; 32]), reason: "Rain".into() })),
        (
            "contact_place",
            Body::ContactPlace(ContactPlace {
                workplace: "Dock 4".into(),
                department: "picking".into(),
                shift: "day".into(),
                role: String::new(),
            }),
        ),
        ("contact_name", Body::ContactName(ContactName { contact: crate::OpId([5; 32]), name: "Lee".into() })),
        ("contact_retract", Body::ContactRetract(ContactRetract { contact: crate::OpId([5; 32]) })),
        ("circle", Body::Circle(Circle { name: "Crisis team".into(), purpose: "Evictions".into() })),
        (
            "circle_key",
            Body::CircleKey(CircleKey {
                circle: crate::OpId([10; 32]),
                epoch: 79,
                entry_key: [11; 32],
                list: vec![12; 4],
                shares: vec![Share(vec![9; 4])],
            }),
        ),
        (
            "circle_member",
            Body::CircleMember(CircleMember { circle: crate::OpId([10; 32]), epoch: 79, sealed: vec![13; 4] }),
        ),
        (
            "circle_lead",
            Body::CircleLead(CircleLead {
                circle: crate::OpId([10; 32]),
                member: crate::AuthorId([3; 32]),
                lead: true,
            }),
        ),
        ("circle_post", Body::CirclePost(CirclePost { circle: crate::OpId([10; 32]), text: "Van at 6".into() })),
        (
            "guide",
            Body::Guide(Guide {
                title: "Picket safety".into(),
                text: "# Picket safety\n\nStay in pairs.".into(),
                editors: None,
                credit: Some(Credit {
                    by: "Open Strike starter library".into(),
                    time: 29_000_000,
                    source: "library:picket-safety".into(),
                }),
            }),
        ),
        (
            "guide_rev",
            Body::GuideRev(GuideRev {
                guide: crate::OpId([11; 32]),
                parents: vec![crate::OpId([12; 32])],
                title: "Picket safety".into(),
                text: "# Picket safety\n\nStay in pairs. Rotate every 3 hours.".into(),
                note: "Rotas".into(),
                credit: None,
            }),
        ),
        (
            "guide_review",
            Body::GuideReview(GuideReview { guide: crate::OpId([11; 32]), rev: crate::OpId([13; 32]), accept: true }),
        ),
        (
            "resource_spec",
            Body::ResourceSpec(ResourceSpec {
                name: "Insulin".into(),
                unit: "vials".into(),
                category: "medical".into(),
                cold_chain: true,
                shelf_life: Some(90),
            }),
        ),
        ("resource_minimum", Body::ResourceMinimum(ResourceMinimum { spec: crate::OpId([14; 32]), qty: 10 })),
        (
            "stock_event",
            Body::StockEvent(StockEvent {
                action: crate::resources::StockAction::Receive,
                spec: crate::OpId([14; 32]),
                lot: None,
                qty: 40,
                place: "Fridge".into(),
                expires: Some(29_000_000),
                party: "Clinic".into(),
                note: String::new(),
            }),
        ),
        (
            "resource_offer",
            Body::ResourceOffer(ResourceOffer {
                spec: crate::OpId([14; 32]),
                qty: 24,
                place: "Corner shop".into(),
                note: String::new(),
            }),
        ),
        (
            "resource_request",
            Body::ResourceRequest(ResourceRequest {
                spec: crate::OpId([14; 32]),
                qty: 3,
                urgency: crate::resources::Urgency::Critical,
                due: 29_000_000,
                household: 4,
                place: String::new(),
                note: String::new(),
            }),
        ),
        (
            "sealed_request",
            Body::SealedRequest(SealedRequest {
                circle: crate::OpId([10; 32]),
                epoch: 79,
                sealed: vec![9; 4],
                copy: vec![12; 4],
            }),
        ),
        ("intent_close", Body::IntentClose(IntentClose { intent: crate::OpId([15; 32]), note: "Received".into() })),
        (
            "commitment",
            Body::Commitment(Commitment { request: crate::OpId([15; 32]), lot: crate::OpId([16; 32]), qty: 3 }),
        ),
        ("handover", Body::Handover(Handover { commitment: crate::OpId([17; 32]), qty: 2, note: String::new() })),
        ("place_distance", Body::PlaceDistance(PlaceDistance { a: "Church".into(), b: "Depot".into(), distance: 4 })),
        ("fund", Body::Fund(crate::fund::Fund { currency: "EUR".into(), approvals: 2, circle: crate::OpId([19; 32]) })),
        (
            "fund_entry",
            Body::FundEntry(crate::fund::FundEntry {
                lines: vec![
                    crate::fund::FundLine { account: "hardship".into(), amount: 40_000 },
                    crate::fund::FundLine { account: format!("cash:{}", "14".repeat(32)), amount: -40_000 },
                ],
                memo: String::new(),
                party: vec![21; 32],
                method: "cash".into(),
            }),
        ),
        (
            "fund_rule",
            Body::FundRule(crate::fund::FundRule {
                call: crate::OpId([22; 32]),
                per_day: 6_000,
                per_dependant: 1_000,
                max_days: 30,
            }),
        ),
        (
            "fund_note",
            Body::FundNote(crate::fund::FundNote {
                circle: crate::OpId([19; 32]),
                epoch: 80,
                sealed: vec![23; 4],
                copy: vec![24; 4],
            }),
        ),
        (
            "fund_approval",
            Body::FundApproval(crate::fund::FundApproval {
                commitment: [21; 32],
                amount: 40_000,
                category: "hardship".into(),
                approve: true,
                why: String::new(),
            }),
        ),
        (
            "fund_detail",
            Body::FundDetail(crate::fund::FundDetail {
                circle: crate::OpId([19; 32]),
                commitment: crate::fund::ledger::commitment(&crate::AuthorId([7; 32]), &[9; 16]),
                member: crate::AuthorId([7; 32]),
                salt: [9; 16],
                note: String::new(),
            }),
        ),
        (
            "aid_request",
            Body::AidRequest(crate::aid::AidRequest {
                category: "transport".into(),
                urgency: crate::resources::Urgency::High,
                text: "A lift to the hospital".into(),
                place: "Northside".into(),
                due: 29_000_000,
                circles: vec![crate::OpId([10; 32])],
                networks: vec![crate::NetworkId([18; 32])],
                share: vec!["category".into(), "urgency".into()],
                link: vec![],
            }),
        ),
        (
            "aid_update",
            Body::AidUpdate(crate::aid::AidUpdate {
                request: crate::OpId([25; 32]),
                action: crate::aid::Action::Escalate,
                note: "To the hub".into(),
                target: vec![18; 32],
            }),
        ),
        (
            "aid_note",
            Body::AidNote(crate::aid::AidNote {
                circle: crate::OpId([10; 32]),
                epoch: 79,
                sealed: vec![26; 4],
                copy: vec![27; 4],
            }),
        ),
        ("aid_targets", Body::AidTargets(crate::aid::AidTargets { critical: 60, high: 720, normal: 4320 })),
        (
            "checkin",
            Body::Checkin(crate::aid::Checkin {
                team: crate::OpId([10; 32]),
                asked: None,
                question: "Are you OK?".into(),
                within: 720,
            }),
        ),
        (
            "case",
            Body::Case(crate::aid::Case {
                circle: crate::OpId([28; 32]),
                kind: "firing".into(),
                text: "Fired after the walkout".into(),
                deadline: 29_000_000,
            }),
        ),
        (
            "case_update",
            Body::CaseUpdate(crate::aid::CaseUpdate {
                circle: crate::OpId([28; 32]),
                case: crate::OpId([29; 32]),
                action: "assign".into(),
                note: String::new(),
                assignee: Some(crate::AuthorId([3; 32])),
                deadline: 0,
            }),
        ),
        (
            "proposal",
            Body::Proposal(crate::votes::Proposal {
                title: "Delegates".into(),
                text: String::new(),
                method: crate::votes::Method::Stv,
                options: vec!["Ana".into(), "Bo".into(), "Dee".into()],
                seats: 2,
                quorum: 500,
                pass: crate::votes::Pass::Majority,
                closes: 29_000_000,
                results: crate::votes::Results::AfterClose,
                about: None,
                delegates: true,
                circle: None,
                secret: None,
            }),
        ),
        (
            "proposal",
            Body::Proposal(crate::votes::Proposal {
                title: "Appeal the firing?".into(),
                text: String::new(),
                method: crate::votes::Method::YesNo,
                options: Vec::new(),
                seats: 1,
                quorum: 0,
                pass: crate::votes::Pass::TwoThirds,
                closes: 29_000_000,
                results: crate::votes::Results::Always,
                about: None,
                delegates: false,
                circle: Some(crate::OpId([28; 32])),
                secret: None,
            }),
        ),
        (
            "ballot",
            Body::Ballot(crate::votes::Ballot {
                proposal: crate::OpId([30; 32]),
                content: crate::votes::BallotContent {
                    choice: crate::votes::Choice::Rank(vec![2, 0]),
                    reason: String::new(),
                },
                circle: None,
            }),
        ),
        (
            "ballot",
            Body::Ballot(crate::votes::Ballot {
                proposal: crate::OpId([31; 32]),
                content: crate::votes::BallotContent {
                    choice: crate::votes::Choice::Position("yes".into()),
                    reason: String::new(),
                },
                circle: Some(crate::OpId([28; 32])),
            }),
        ),
        (
            "proposal_close",
            Body::ProposalClose(crate::votes::ProposalClose { proposal: crate::OpId([30; 32]), circle: None }),
        ),
        (
            "proposal_close",
            Body::ProposalClose(crate::votes::ProposalClose {
                proposal: crate::OpId([31; 32]),
                circle: Some(crate::OpId([28; 32])),
            }),
        ),
        (
            "concession",
            Body::Concession(crate::votes::Concession {
                call: crate::OpId([6; 32]),
                from: "employer".into(),
                text: "3% now, heat plan under review".into(),
            }),
        ),
        (
            "call_outcome",
            Body::CallOutcome(crate::votes::CallOutcome {
                call: crate::OpId([6; 32]),
                outcome: "partial".into(),
                text: "Cooling on the mezzanine; pick rates unchanged".into(),
            }),
        ),
        (
            "thread",
            Body::Thread(crate::votes::Thread {
                on: Some(crate::OpId([30; 32])),
                title: "Is 3% enough?".into(),
                text: "Before we vote.".into(),
            }),
        ),
        (
            "reply",
            Body::Reply(crate::votes::Reply { thread: crate::OpId([31; 32]), text: "Not without cooling.".into() }),
        ),
        ("thread_lock", Body::ThreadLock(crate::votes::ThreadLock { thread: crate::OpId([31; 32]), locked: true })),
        ("merge", Body::Merge(crate::calls::Merge {})),
        (
            "credential_key",
            Body::CredentialKey(crate::secret::CredentialKey {
                scope: crate::OpId([32; 32]),
                group: "department=packing".into(),
                key: vec![0x30, 0x82, 0x01, 0x22],
            }),
        ),
        (
            "credential_request",
            Body::CredentialRequest(crate::secret::CredentialRequest {
                scope: crate::OpId([32; 32]),
                keys: vec![crate::OpId([33; 32])],
                blinded: vec![vec![0x34; 256]],
            }),
        ),
        (
            "credential_issue",
            Body::CredentialIssue(crate::secret::CredentialIssue {
                scope: crate::OpId([32; 32]),
                key: crate::OpId([33; 32]),
                grants: vec![crate::secret::Grant { request: crate::OpId([35; 32]), signature: vec![0x36; 256] }],
            }),
        ),
        (
            "secret_pledge",
            Body::SecretPledge(crate::secret::SecretPledge {
                call: crate::OpId([32; 32]),
                keys: vec![crate::OpId([33; 32])],
                proofs: vec![crate::secret::Proof { randomizer: [0x37; 32], signature: vec![0x38; 256] }],
                pledged: true,
            }),
        ),
        (
            "secret_ballot",
            Body::SecretBallot(crate::secret::SecretBallot {
                proposal: crate::OpId([32; 32]),
                keys: vec![crate::OpId([33; 32])],
                proofs: vec![crate::secret::Proof { randomizer: [0x37; 32], signature: vec![0x38; 256] }],
                content: crate::votes::BallotContent {
                    choice: crate::votes::Choice::Position("no".into()),
                    reason: String::new(),
                },
            }),
        ),
        (
            "call",
            Body::Call(Call {
                kind: crate::calls::CallKind::Strike,
                title: "Walk out".into(),
                demands: vec![],
                scope: String::new(),
                deadline: 29_000_000,
                exempt_roles: vec![],
                waves: vec![crate::calls::Wave {
                    rules: vec![crate::calls::Rule::Count { n: 40 }],
                    starts: 29_001_440,
                }],
                secret: Some(crate::secret::Secrecy { issuers: vec![crate::AuthorId([3; 32])] }),
            }),
        ),
        (
            "campaign",
            Body::Campaign(Campaign {
                title: "Hold out".into(),
                phases: vec![Phase {
                    name: "strike".into(),
                    starts: 29_000_000,
                    objectives: vec![],
                    gates: vec![
                        Gate::HubFood { hub: crate::NetworkId([18; 32]), days: 21, households: 30 },
                        Gate::CriticalOpen { hub: crate::NetworkId([18; 32]), hours: 12 },
                        Gate::FundWeeks { weeks: 4 },
                    ],
                }],
            }),
        ),
    ]
}

mod frozen;
use frozen::FROZEN;

#[test]
fn every_body_type_has_a_frozen_encoding() {
    let bodies = bodies();
    if std::env::var_os("PRINT_VECTORS").is_some() {
        for (name, body) in &bodies {
            println!("(\"{name}\", \"{}\"),", hex::encode(body.encode()));
        }
    }
    assert_eq!(bodies.len(), FROZEN.len());
    for ((name, body), (frozen_name, hex)) in bodies.iter().zip(FROZEN) {
        assert_eq!(name, frozen_name);
        assert_eq!(body.kind().as_str(), *name);
        assert_eq!(hex::encode(body.encode()), *hex, "{name}");
        assert_eq!(&Body::decode(&hex::decode(hex).unwrap()).unwrap(), body, "{name} decodes back");
    }
}

#[test]
fn values_derived_from_an_invite_secret_are_frozen() {
    let secret = [7u8; 32];
    assert_eq!(hex::encode(invite_id(&secret)), "1c59af14e0b4fc6b9b9c28ce4530cac2");
    assert_eq!(hex::encode(join_key(&secret)), "3cb751530b095d6a74e89c21347774e8ffe80cf409c79842e0e73f3af662c9ee");
    assert_eq!(join_epoch(&invite_id(&secret)), 0x9c59af14);
    assert_eq!(rotated_epoch(&secret), 568102293);
}

#[test]
fn protocol_document_carries_the_body_vectors() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/protocol.md")).unwrap();
    let squeezed: String = doc.chars().filter(|c| !c.is_whitespace()).collect();
    for (name, hex) in FROZEN {
        assert!(squeezed.contains(hex), "docs/protocol.md is missing the {name} body vector");
    }
    for context in [
        crate::membership::INVITE_ID_CONTEXT,
        crate::membership::JOIN_KEY_CONTEXT,
        crate::membership::EPOCH_ID_CONTEXT,
        std::str::from_utf8(crate::membership::KEY_SEAL_INFO).unwrap(),
    ] {
        assert!(doc.contains(context), "docs/protocol.md is missing {context:?}");
    }
}

/// CBOR diagnostic notation (RFC 8949, section 8) of a body: its fields and values exactly,
/// from which the vector can be written again.
fn diagnostic(v: &ciborium::value::Value) -> String {
    use ciborium::value::Value;
    match v {
        Value::Map(fields) => {
            let inner: Vec<String> =
                fields.iter().map(|(k, v)| format!("{}: {}", diagnostic(k), diagnostic(v))).collect();
            format!("{{{}}}", inner.join(", "))
        }
        Value::Array(items) => format!("[{}]", items.iter().map(diagnostic).collect::<Vec<_>>().join(", ")),
        Value::Text(t) => format!("{t:?}"),
        Value::Bytes(b) => format!("h'{}'", hex::encode(b)),
        Value::Integer(i) => i128::from(*i).to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".into(),
        other => panic!("bodies hold no {other:?}"),
    }
}

#[test]
fn protocol_document_carries_the_inputs_of_the_body_vectors() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/protocol.md")).unwrap();
    let squeezed: String = doc.chars().filter(|c| !c.is_whitespace()).collect();
    let inputs: Vec<(&str, String)> = FROZEN
        .iter()
        .map(|(name, hex)| (*name, diagnostic(&ciborium::from_reader(&hex::decode(hex).unwrap()[..]).unwrap())))
        .collect();
    if std::env::var_os("PRINT_VECTORS").is_some() {
        for (name, diag) in &inputs {
            println!("{name}\t{diag}");
        }
    }
    for (name, diag) in inputs {
        let diag_squeezed: String = diag.chars().filter(|c| !c.is_whitespace()).collect();
        assert!(
            squeezed.contains(&diag_squeezed),
            "docs/protocol.md is missing the inputs of the {name} vector: {diag}"
        );
    }
}
