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
            }),
        ),
        ("proposal_close", Body::ProposalClose(crate::votes::ProposalClose { proposal: crate::OpId([30; 32]) })),
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

const FROZEN: &[(&str, &str)] = &[
    (
        "invite",
        "a6647479706566696e76697465667365637265745820070707070707070707070707070707070707070707070707070707070707070764757365730567766f75636865730167657870697265731a01ba814069616464726573736573816e3132372e302e302e313a37303030",
    ),
    (
        "join_request",
        "a464747970656c6a6f696e5f7265717565737466696e7669746550010101010101010101010101010101016961677265656d656e74582002020202020202020202020202020202020202020202020202020202020202026970736575646f6e796d63446565",
    ),
    (
        "vouch",
        "a2647479706565766f756368666d656d62657258200303030303030303030303030303030303030303030303030303030303030303",
    ),
    (
        "rejoin",
        "a664747970656672656a6f696e636f6c64582003030303030303030303030303030303030303030303030303030303030303036961677265656d656e74582002020202020202020202020202020202020202020202020202020202020202026970736575646f6e796d634465656d6c6173745f676f6f645f73657118296570726f6f66584008080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808",
    ),
    (
        "key_share",
        "a36474797065696b65795f7368617265666d656d62657258200303030303030303030303030303030303030303030303030303030303030303646b65797381a26565706f636800667365616c65644409090909",
    ),
    (
        "role_change",
        "a364747970656b726f6c655f6368616e6765666d656d6265725820030303030303030303030303030303030303030303030303030303030303030364726f6c65696f7267616e697a6572",
    ),
    ("history", "a2647479706567686973746f7279646d6f64656f73696e63655f61646d697373696f6e"),
    (
        "history_key",
        "a364747970656b686973746f72795f6b65796565706f6368184e6673686172657381a2666d656d62657258200303030303030303030303030303030303030303030303030303030303030303667365616c65644409090909",
    ),
    (
        "removal",
        "a364747970656772656d6f76616c666d656d626572582003030303030303030303030303030303030303030303030303030303030303036d6c6173745f7365656e5f7365710c",
    ),
    (
        "key_update",
        "a364747970656a6b65795f7570646174656565706f6368184d6673686172657381a2666d656d62657258200303030303030303030303030303030303030303030303030303030303030303667365616c65644409090909",
    ),
    (
        "profile",
        "aa64747970656770726f66696c656970736575646f6e796d6344656569776f726b706c616365606a6465706172746d656e74677061636b696e67657368696674656e6967687464726f6c656066736563746f726064636974796067636f756e74727960696c616e6775616765738162656e",
    ),
    ("skill", "a3647479706565736b696c6c65736b696c6c6363617263686173f5"),
    (
        "cover_offer",
        "a564747970656b636f7665725f6f66666572646b696e646472696465647768656e736d6f6e2c7475652032323a30302d30363a303065706c616365654e6f727468646e6f746560",
    ),
    (
        "cover_need",
        "a564747970656a636f7665725f6e656564646b696e64696368696c6463617265647768656e6373617465706c61636560646e6f746560",
    ),
    (
        "cover_close",
        "a264747970656b636f7665725f636c6f7365646974656d58200404040404040404040404040404040404040404040404040404040404040404",
    ),
    (
        "contact",
        "a6647479706567636f6e74616374646e616d65634c656569776f726b706c61636566446f636b20346a6465706172746d656e74677069636b696e676573686966746364617964726f6c6560",
    ),
    (
        "contact_note",
        "a364747970656c636f6e746163745f6e6f746567636f6e746163745820050505050505050505050505050505050505050505050505050505050505050564746578746654616c6b6564",
    ),
    (
        "assessment",
        "a464747970656a6173736573736d656e7467636f6e7461637458200505050505050505050505050505050505050505050505050505050505050505656c6576656c04646e6f746560",
    ),
    (
        "call",
        "a864747970656463616c6c646b696e6466737472696b65657469746c65674f6e65206461796764656d616e64738164486561746573636f70656068646561646c696e651a01ba81406c6578656d70745f726f6c657381656e7572736565776176657381a26572756c657383a165636f756e74a1616e1832a1657368617265a1687065726d696c6c65190258a1676d696e5f706572a26964696d656e73696f6e6a6465706172746d656e74616e05667374617274731a01baa850",
    ),
    (
        "pledge",
        "a3647479706566706c656467656463616c6c5820060606060606060606060606060606060606060606060606060606060606060667706c6564676564f5",
    ),
    (
        "checkpoint",
        "a264747970656a636865636b706f696e746463616c6c58200606060606060606060606060606060606060606060606060606060606060606",
    ),
    (
        "campaign",
        "a364747970656863616d706169676e657469746c6564486561746670686173657381a4646e616d656473656564667374617274731a01ba81406a6f626a6563746976657381634d617065676174657382a1676d656d62657273a1616e181ea16e636f7665725f636f766572616765a2646b696e64696368696c6463617265687065726d696c6c65190320",
    ),
    (
        "event",
        "a76474797065656576656e74646b696e64667069636b6574657469746c6564476174656573746172741a01ba814065706c61636566446f636b2034646e6f7465606673686966747381a46467617465654e6f7274686573746172741a01ba815e63656e641a01ba8230666e656564656404",
    ),
    (
        "rsvp",
        "a364747970656472737670656576656e745820060606060606060606060606060606060606060606060606060606060606060666616e7377657265676f696e67",
    ),
    (
        "shift_signup",
        "a464747970656c73686966745f7369676e7570656576656e745820060606060606060606060606060606060606060606060606060606060606060665736869667400666a6f696e6564f5",
    ),
    (
        "event_cancel",
        "a364747970656c6576656e745f63616e63656c656576656e745820060606060606060606060606060606060606060606060606060606060606060666726561736f6e645261696e",
    ),
    (
        "contact_place",
        "a564747970656d636f6e746163745f706c61636569776f726b706c61636566446f636b20346a6465706172746d656e74677069636b696e676573686966746364617964726f6c6560",
    ),
    (
        "contact_name",
        "a364747970656c636f6e746163745f6e616d6567636f6e7461637458200505050505050505050505050505050505050505050505050505050505050505646e616d65634c6565",
    ),
    (
        "contact_retract",
        "a264747970656f636f6e746163745f7265747261637467636f6e7461637458200505050505050505050505050505050505050505050505050505050505050505",
    ),
    ("circle", "a3647479706566636972636c65646e616d656b437269736973207465616d67707572706f7365694576696374696f6e73"),
    (
        "circle_key",
        "a664747970656a636972636c655f6b657966636972636c6558200a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a6565706f6368184f69656e7472795f6b657958200b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b646c697374440c0c0c0c66736861726573814409090909",
    ),
    (
        "circle_member",
        "a464747970656d636972636c655f6d656d62657266636972636c6558200a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a6565706f6368184f667365616c6564440d0d0d0d",
    ),
    (
        "circle_lead",
        "a464747970656b636972636c655f6c65616466636972636c6558200a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a666d656d62657258200303030303030303030303030303030303030303030303030303030303030303646c656164f5",
    ),
    (
        "circle_post",
        "a364747970656b636972636c655f706f737466636972636c6558200a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a64746578746856616e2061742036",
    ),
    (
        "guide",
        "a56474797065656775696465657469746c656d5069636b6574207361666574796474657874781f23205069636b6574207361666574790a0a5374617920696e2070616972732e67656469746f7273f666637265646974a3626279781b4f70656e20537472696b652073746172746572206c6962726172796474696d651a01ba814066736f75726365756c6962726172793a7069636b65742d736166657479",
    ),
    (
        "guide_rev",
        "a764747970656967756964655f72657665677569646558200b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b67706172656e74738158200c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c657469746c656d5069636b6574207361666574796474657874783523205069636b6574207361666574790a0a5374617920696e2070616972732e20526f74617465206576657279203320686f7572732e646e6f746565526f74617366637265646974f6",
    ),
    (
        "guide_review",
        "a464747970656c67756964655f72657669657765677569646558200b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b6372657658200d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d66616363657074f5",
    ),
    (
        "resource_spec",
        "a664747970656d7265736f757263655f73706563646e616d6567496e73756c696e64756e6974657669616c736863617465676f7279676d65646963616c6a636f6c645f636861696ef56a7368656c665f6c696665185a",
    ),
    (
        "resource_minimum",
        "a36474797065707265736f757263655f6d696e696d756d647370656358200e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e637174790a",
    ),
    (
        "stock_event",
        "a964747970656b73746f636b5f6576656e7466616374696f6e6772656365697665647370656358200e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e636c6f74f663717479182865706c6163656646726964676567657870697265731a01ba814065706172747966436c696e6963646e6f746560",
    ),
    (
        "resource_offer",
        "a564747970656e7265736f757263655f6f66666572647370656358200e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e63717479181865706c6163656b436f726e65722073686f70646e6f746560",
    ),
    (
        "resource_request",
        "a86474797065707265736f757263655f72657175657374647370656358200e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e637174790367757267656e637968637269746963616c636475651a01ba814069686f757365686f6c640465706c61636560646e6f746560",
    ),
    (
        "sealed_request",
        "a564747970656e7365616c65645f7265717565737466636972636c6558200a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a6565706f6368184f667365616c6564440909090964636f7079440c0c0c0c",
    ),
    (
        "intent_close",
        "a364747970656c696e74656e745f636c6f736566696e74656e7458200f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f646e6f7465685265636569766564",
    ),
    (
        "commitment",
        "a464747970656a636f6d6d69746d656e74677265717565737458200f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f636c6f74582010101010101010101010101010101010101010101010101010101010101010106371747903",
    ),
    (
        "handover",
        "a464747970656868616e646f7665726a636f6d6d69746d656e74582011111111111111111111111111111111111111111111111111111111111111116371747902646e6f746560",
    ),
    (
        "place_distance",
        "a464747970656e706c6163655f64697374616e63656161664368757263686162654465706f746864697374616e636504",
    ),
    (
        "fund",
        "a464747970656466756e646863757272656e63796345555269617070726f76616c730266636972636c6558201313131313131313131313131313131313131313131313131313131313131313",
    ),
    (
        "fund_entry",
        "a564747970656a66756e645f656e747279656c696e657382a2676163636f756e7468686172647368697066616d6f756e74199c40a2676163636f756e747845636173683a3134313431343134313431343134313431343134313431343134313431343134313431343134313431343134313431343134313431343134313431343134313466616d6f756e74399c3f646d656d6f6065706172747958201515151515151515151515151515151515151515151515151515151515151515666d6574686f646463617368",
    ),
    (
        "fund_rule",
        "a564747970656966756e645f72756c656463616c6c58201616161616161616161616161616161616161616161616161616161616161616677065725f6461791917706d7065725f646570656e64616e741903e8686d61785f64617973181e",
    ),
    (
        "fund_note",
        "a564747970656966756e645f6e6f746566636972636c65582013131313131313131313131313131313131313131313131313131313131313136565706f63681850667365616c6564441717171764636f70794418181818",
    ),
    (
        "fund_approval",
        "a664747970656d66756e645f617070726f76616c6a636f6d6d69746d656e745820151515151515151515151515151515151515151515151515151515151515151566616d6f756e74199c406863617465676f727968686172647368697067617070726f7665f56377687960",
    ),
    (
        "fund_detail",
        "a664747970656b66756e645f64657461696c66636972636c65582013131313131313131313131313131313131313131313131313131313131313136a636f6d6d69746d656e7458205c4bdacff6fbe71cce1f07d5cd4c6a4592575d4ab63d7f022ffe09a8f8df871d666d656d626572582007070707070707070707070707070707070707070707070707070707070707076473616c745009090909090909090909090909090909646e6f746560",
    ),
    (
        "aid_request",
        "aa64747970656b6169645f726571756573746863617465676f7279697472616e73706f727467757267656e6379646869676864746578747641206c69667420746f2074686520686f73706974616c65706c616365694e6f72746873696465636475651a01ba814067636972636c65738158200a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a686e6574776f726b738158201212121212121212121212121212121212121212121212121212121212121212657368617265826863617465676f727967757267656e6379646c696e6b40",
    ),
    (
        "aid_update",
        "a564747970656a6169645f75706461746567726571756573745820191919191919191919191919191919191919191919191919191919191919191966616374696f6e68657363616c617465646e6f74656a546f20746865206875626674617267657458201212121212121212121212121212121212121212121212121212121212121212",
    ),
    (
        "aid_note",
        "a56474797065686169645f6e6f746566636972636c6558200a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a6565706f6368184f667365616c6564441a1a1a1a64636f7079441b1b1b1b",
    ),
    ("aid_targets", "a464747970656b6169645f7461726765747368637269746963616c183c64686967681902d0666e6f726d616c1910e0"),
    (
        "checkin",
        "a5647479706567636865636b696e647465616d58200a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a6561736b6564f6687175657374696f6e6b41726520796f75204f4b3f6677697468696e1902d0",
    ),
    (
        "case",
        "a56474797065646361736566636972636c6558201c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c646b696e6466666972696e676474657874774669726564206166746572207468652077616c6b6f757468646561646c696e651a01ba8140",
    ),
    (
        "case_update",
        "a764747970656b636173655f75706461746566636972636c6558201c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c646361736558201d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d66616374696f6e6661737369676e646e6f7465606861737369676e65655820030303030303030303030303030303030303030303030303030303030303030368646561646c696e6500",
    ),
    (
        "proposal",
        "ac64747970656870726f706f73616c657469746c656944656c656761746573647465787460666d6574686f6463737476676f7074696f6e738363416e6162426f63446565657365617473026671756f72756d1901f46470617373686d616a6f7269747966636c6f7365731a01ba814067726573756c74736b61667465722d636c6f73656561626f7574f66964656c656761746573f5",
    ),
    (
        "ballot",
        "a364747970656662616c6c6f746870726f706f73616c58201e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e67636f6e74656e74a26663686f696365a16472616e6b82020066726561736f6e60",
    ),
    (
        "proposal_close",
        "a264747970656e70726f706f73616c5f636c6f73656870726f706f73616c58201e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e",
    ),
    (
        "concession",
        "a464747970656a636f6e63657373696f6e6463616c6c582006060606060606060606060606060606060606060606060606060606060606066466726f6d68656d706c6f7965726474657874781e3325206e6f772c206865617420706c616e20756e64657220726576696577",
    ),
    (
        "call_outcome",
        "a464747970656c63616c6c5f6f7574636f6d656463616c6c58200606060606060606060606060606060606060606060606060606060606060606676f7574636f6d65677061727469616c6474657874782e436f6f6c696e67206f6e20746865206d657a7a616e696e653b207069636b20726174657320756e6368616e676564",
    ),
    (
        "campaign",
        "a364747970656863616d706169676e657469746c6568486f6c64206f75746670686173657381a4646e616d6566737472696b65667374617274731a01ba81406a6f626a656374697665738065676174657383a1686875625f666f6f64a363687562582012121212121212121212121212121212121212121212121212121212121212126464617973156a686f757365686f6c6473181ea16d637269746963616c5f6f70656ea2636875625820121212121212121212121212121212121212121212121212121212121212121265686f7572730ca16a66756e645f7765656b73a1657765656b7304",
    ),
];

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
