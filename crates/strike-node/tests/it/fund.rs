//! The strike fund across nodes: treasurers of a circle record money and pay claims once
//! enough of them approve; members read amounts, weeks and commitments, never who was paid
//! (a canary through every key they hold); a recipient's `verify` finds their payout and a
//! payout to a forged commitment is caught; offline treasurers who overdraw are flagged the
//! same everywhere.

use strike_core::calls::Rule;
use strike_core::fund::FundAsk;
use strike_core::fund::ledger;
use strike_core::{AuthorId, Body};
use strike_node::Node;
use strike_node::fund::{ClaimInput, FundInput, ReceiveInput, RuleInput};

use crate::calls::everyone_syncs;
use crate::circles::{has, readable};
use crate::networks::Net;

/// Sam (organizer), Ana and Dee lead "Treasurers"; Bo and Cy are members. The fund keeps EUR
/// and needs two approvals. Returns the nodes in that order.
fn fund() -> (Net, Vec<Node>, Vec<AuthorId>) {
    let (mut net, mut sam) = Net::found(1);
    let link = sam.create_invite(&net.id, 10, None, vec![]).unwrap();
    let mut nodes = vec![];
    let mut ids = vec![sam.network(&net.id).unwrap().my_author.unwrap()];
    for name in ["ana", "dee", "bo", "cy"] {
        let (n, id) = net.join(&link, name, &mut sam);
        sam.vouch(&net.id, &id).unwrap();
        nodes.push(n);
        ids.push(id);
    }
    for (n, name) in nodes.iter_mut().zip(["ana", "dee", "bo", "cy"]) {
        net.ship(&sam, n);
        n.set_profile(&net.id, |p| {
            p.pseudonym = name.into();
            p.workplace = "Dock 4".into();
        })
        .unwrap();
    }
    let circle = sam.create_circle(&net.id, "Treasurers", "the fund's books").unwrap();
    for id in &ids[1..3] {
        sam.set_circle_lead(&net.id, &circle, id, true).unwrap();
    }
    let input = FundInput { currency: "EUR".into(), approvals: Some(2), circle: "Treasurers".into() };
    sam.create_fund(&net.id, &input).unwrap();
    let mut all = vec![sam];
    all.extend(nodes);
    everyone_syncs(&mut net, &mut all);
    (net, all, ids)
}

fn receive(node: &mut Node, net: &Net, amount: &str, from: &str, member: &str) {
    let input = ReceiveInput {
        amount: amount.into(),
        from: from.into(),
        method: "cash".into(),
        member: member.into(),
        note: String::new(),
    };
    node.fund_receive(&net.id, &input).unwrap();
}

fn hardship(node: &mut Node, net: &Net, amount: &str, why: &str) -> String {
    let input = ClaimInput { amount: amount.into(), hardship: why.into(), ..ClaimInput::default() };
    node.fund_claim(&net.id, &input).unwrap().to_hex()
}

#[test]
fn a_claim_pays_after_two_treasurers_approve_and_the_claimant_finds_it() {
    let (mut net, mut n, ids) = fund();
    receive(&mut n[0], &net, "1,000.00", "donor", "");
    let claim = hardship(&mut n[3], &net, "400.00", "rent due CANARY-REASON");
    everyone_syncs(&mut net, &mut n);

    // Every treasurer reads the claim and who made it; Cy, a member, reads neither.
    let queue = n[1].fund(&net.id).unwrap().unwrap().claims;
    assert_eq!((queue.len(), queue[0].claimant.as_str(), queue[0].amount.as_str()), (1, "bo", "400.00"));
    assert!(n[4].fund(&net.id).unwrap().unwrap().claims.is_empty());
    assert_eq!(n[4].fund(&net.id).unwrap().unwrap().sealed_notes, 1);
    assert_eq!(n[3].fund(&net.id).unwrap().unwrap().claims[0].claimant, "you");

    // One approval is not enough to pay; a member cannot approve.
    n[1].fund_answer(&net.id, &claim, true, "").unwrap();
    let early = n[1].fund_pay(&net.id, &claim, "cash").unwrap_err().to_string();
    assert!(early.contains("1 of the 2 approvals"), "{early}");
    assert!(n[4].fund_answer(&net.id, &claim, true, "").is_err());
    everyone_syncs(&mut net, &mut n);
    n[2].fund_answer(&net.id, &claim, true, "").unwrap();
    everyone_syncs(&mut net, &mut n);
    // Sam holds the cash and pays it.
    n[0].fund_pay(&net.id, &claim, "cash").unwrap();
    everyone_syncs(&mut net, &mut n);

    let views: Vec<_> = n.iter().map(|x| x.fund(&net.id).unwrap().unwrap()).collect();
    for v in &views {
        assert_eq!((v.balance.as_str(), v.payouts.as_str(), v.recipients), ("600.00", "400.00", 1));
        assert_eq!(v.digest, views[0].digest, "one fold on every node");
    }
    let report = n[3].fund_verify(&net.id).unwrap();
    assert!(report.ok, "{:?}", report.problems);
    assert!(report.mine[0].paid && report.mine[0].found.starts_with("paid 400.00"), "{:?}", report.mine);
    assert!(n[4].fund_verify(&net.id).unwrap().ok);

    // Cy holds every op and every network key: no claimant, reason or name opens for her,
    // and her ledger shows the payout by its commitment only.
    let opened = readable(&n[4], &n[4], &net.id);
    assert!(opened.iter().any(|o| o.contains("FundEntry")), "Cy opens the entries");
    assert!(!has(&opened, "CANARY-REASON"));
    let bo = ids[3];
    assert!(!opened.iter().any(|o| o.contains(&format!("{:?}", bo.0)) && o.contains("Fund")), "no op names Bo");
    let dump = n[4].store().raw_dump().unwrap();
    assert!(!crate::hubs::contains(&dump, b"CANARY-REASON"));
    let ledger = n[4].fund_ledger(&net.id).unwrap();
    assert!(!ledger.named && ledger.journal.iter().all(|r| r.party != "bo"));
    let treasurer = n[1].fund_ledger(&net.id).unwrap();
    assert!(treasurer.named && treasurer.journal.iter().any(|r| r.party == "bo"));
    assert_eq!(treasurer.total_debit, treasurer.total_credit);
    assert!(treasurer.journal_csv().lines().count() > 4 && treasurer.trial_csv().contains("total,"));
}

#[test]
fn a_treasurer_cannot_approve_their_own_claim_and_a_forged_one_is_flagged() {
    let (mut net, mut n, ids) = fund();
    receive(&mut n[0], &net, "500.00", "event", "");
    let own = hardship(&mut n[1], &net, "100.00", "boiler");
    everyone_syncs(&mut net, &mut n);
    let refused = n[1].fund_answer(&net.id, &own, true, "").unwrap_err().to_string();
    assert!(refused.contains("their own claim"), "{refused}");

    // A patched node writes the self-approval anyway: the other treasurers' nodes flag it.
    let note = n[1].fund_data(&net.id).unwrap().unwrap().claims().next().unwrap().clone();
    let FundAsk::Claim { salt, .. } = note.ask else { unreachable!() };
    let commitment = ledger::commitment(&ids[1], &salt);
    let forged = strike_core::body::FundApproval {
        commitment,
        amount: 10_000,
        category: "hardship".into(),
        approve: true,
        why: String::new(),
    };
    n[1].author(&net.id, Body::FundApproval(forged)).unwrap();
    everyone_syncs(&mut net, &mut n);
    let sam = n[0].fund(&net.id).unwrap().unwrap();
    assert!(sam.claims[0].self_answered);
    assert!(sam.review.iter().any(|r| r.contains("answered by its own claimant")), "{:?}", sam.review);
    // With two approvals needed, the self-approval alone pays nothing.
    assert_eq!(sam.claims[0].status, "waiting");
}

#[test]
fn a_payout_to_a_forged_commitment_is_caught_and_a_member_sees_only_commitments() {
    let (mut net, mut n, _) = fund();
    receive(&mut n[0], &net, "800.00", "donor", "");
    let claim = hardship(&mut n[4], &net, "300.00", "car repair");
    everyone_syncs(&mut net, &mut n);
    // Two treasurers approve and pay a commitment that is not Cy's: money out to nobody's claim.
    let fake = [7u8; 32];
    for t in [0, 1] {
        let body = strike_core::body::FundApproval {
            commitment: fake,
            amount: 30_000,
            category: "hardship".into(),
            approve: true,
            why: String::new(),
        };
        n[t].author(&net.id, Body::FundApproval(body)).unwrap();
    }
    let me = n[0].network(&net.id).unwrap().my_author.unwrap();
    let entry = strike_core::body::FundEntry {
        lines: vec![
            strike_core::fund::FundLine { account: "hardship".into(), amount: 30_000 },
            strike_core::fund::FundLine { account: format!("cash:{}", me.to_hex()), amount: -30_000 },
        ],
        memo: String::new(),
        party: fake.to_vec(),
        method: "cash".into(),
    };
    n[0].author(&net.id, Body::FundEntry(entry)).unwrap();
    everyone_syncs(&mut net, &mut n);
    let cy = n[4].fund_verify(&net.id).unwrap();
    assert!(!cy.mine[0].paid, "Cy's claim is not in the totals: {:?}", cy.mine);
    assert!(cy.mine[0].found.contains("0 of 2"), "{:?}", cy.mine);
    let dee = n[2].fund_verify(&net.id).unwrap();
    assert!(!dee.ok && dee.problems.iter().any(|p| p.contains("commits to no claim")), "{:?}", dee.problems);
    let _ = claim;
}

#[test]
fn offline_treasurers_who_overdraw_are_flagged_the_same_on_every_node() {
    let (mut net, mut n, _) = fund();
    let bank = ReceiveInput {
        amount: "300.00".into(),
        from: "member".into(),
        method: "bank".into(),
        member: "cy".into(),
        note: String::new(),
    };
    n[1].fund_receive(&net.id, &bank).unwrap();
    let (a, b) = (hardship(&mut n[3], &net, "200.00", "rent"), hardship(&mut n[4], &net, "200.00", "food"));
    everyone_syncs(&mut net, &mut n);
    for claim in [&a, &b] {
        n[0].fund_answer(&net.id, claim, true, "").unwrap();
        n[2].fund_answer(&net.id, claim, true, "").unwrap();
    }
    everyone_syncs(&mut net, &mut n);
    // Sam and Ana each pay a claim from the bank while apart: each sees 300.00 there.
    n[0].fund_pay(&net.id, &a, "bank").unwrap();
    n[1].fund_pay(&net.id, &b, "bank").unwrap();
    // Online, a node refuses to pay out more than the account holds.
    let short = n[0].fund_pay(&net.id, &b, "cash").unwrap_err().to_string();
    assert!(short.contains("holds 0.00"), "{short}");
    everyone_syncs(&mut net, &mut n);
    let views: Vec<_> = n.iter().map(|x| x.fund(&net.id).unwrap().unwrap()).collect();
    for v in &views {
        assert_eq!(v.balance, "-100.00");
        let flagged: Vec<_> = v.review.iter().filter(|r| r.contains("overdrawn: needs review")).collect();
        assert_eq!(flagged.len(), 1, "{:?}", v.review);
        assert_eq!(v.digest, views[0].digest);
    }
    // Cy's contribution was recorded with her name for the treasurers only.
    assert!(n[2].fund_ledger(&net.id).unwrap().journal.iter().any(|r| r.party == "cy"));
    assert!(n[3].fund_ledger(&net.id).unwrap().journal.iter().all(|r| r.party != "cy"));
}

#[test]
fn strike_pay_follows_the_rule_and_runway_counts_the_pledged() {
    let (mut net, mut n, _) = fund();
    let c = crate::calls::call(3 * 24 * 60, vec![Rule::Count { n: 10 }], &n[0]);
    let call = n[0].create_call(&net.id, c).unwrap();
    receive(&mut n[0], &net, "2,000.00", "donor", "");
    everyone_syncs(&mut net, &mut n);
    let rule =
        RuleInput { call: call.to_hex(), per_day: "60.00".into(), per_dependant: "10".into(), max_days: Some(20) };
    n[1].fund_rule(&net.id, &rule).unwrap();
    assert!(n[3].fund_rule(&net.id, &rule).is_err(), "members set no strike pay");
    everyone_syncs(&mut net, &mut n);
    for x in n.iter_mut().skip(2) {
        x.pledge(&net.id, &call, true).unwrap();
    }
    everyone_syncs(&mut net, &mut n);
    // Three pledged, 60.00 x 5 days each: 900.00 a week; 2,000.00 lasts 2.2 weeks.
    let v = n[4].fund(&net.id).unwrap().unwrap();
    assert_eq!(v.rules[0].pledged, 3, "{:?}", v.rules);
    assert_eq!((v.weekly_projection.as_str(), v.runway_tenths), ("900.00", Some(22)));
    let input = ClaimInput { call: call.to_hex(), days: Some(5), dependants: Some(2), ..ClaimInput::default() };
    let claim = n[3].fund_claim(&net.id, &input).unwrap().to_hex();
    let too_long = ClaimInput { call: call.to_hex(), days: Some(21), ..ClaimInput::default() };
    assert!(n[3].fund_claim(&net.id, &too_long).unwrap_err().to_string().contains("1 to 20 days"));
    everyone_syncs(&mut net, &mut n);
    let q = n[0].fund(&net.id).unwrap().unwrap();
    assert_eq!(q.claims[0].amount, "400.00", "5 x (60 + 2 x 10)");
    n[0].fund_answer(&net.id, &claim, true, "").unwrap();
    everyone_syncs(&mut net, &mut n);
    // An approved claim not yet paid comes off the runway.
    assert_eq!(n[4].fund(&net.id).unwrap().unwrap().runway_tenths, Some(17));
    // Bad input is refused with the reason, and writes nothing.
    let before = n[3].fund(&net.id).unwrap().unwrap().digest;
    for (amount, says) in [("0.123", "has 3 decimals"), ("-5", "not negative"), ("0", "more than zero")] {
        let e = n[3].fund_contribute(&net.id, amount, true).unwrap_err().to_string();
        assert!(e.contains(says), "{amount}: {e}");
    }
    assert!(n[0].create_fund(&net.id, &FundInput { currency: "USD".into(), ..FundInput::default() }).is_err());
    assert_eq!(n[3].fund(&net.id).unwrap().unwrap().digest, before);
    n[3].fund_contribute(&net.id, "20.00", true).unwrap();
    assert_eq!(n[3].fund(&net.id).unwrap().unwrap().my_contribution.as_deref(), Some("20.00 monthly"));
}
