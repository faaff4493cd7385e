//! Votes across nodes: members vote and revote; a late joiner is not in the electorate; an
//! organizer's close counts exactly the ballots it had seen, so a ballot written after it never
//! counts, even one that claims an earlier time; a removed member's ballot stops counting; every
//! node reaches the same outcome.

use proptest::prelude::*;
use strike_core::votes::tally::Decision;
use strike_core::{NetworkId, OpId};
use strike_node::Node;
use strike_node::votes::{ProposeInput, VoteInput};

use crate::calls::everyone_syncs;
use crate::networks::Net;

fn members() -> (Net, Vec<Node>, Vec<strike_core::AuthorId>) {
    let (mut net, mut all, ids) = Net::with_members(&["ana", "dee", "bo"]);
    everyone_syncs(&mut net, &mut all);
    (net, all, ids)
}

fn yes_no(position: &str) -> VoteInput {
    VoteInput { position: position.into(), ..VoteInput::default() }
}

#[test]
fn a_close_counts_what_it_saw_and_every_node_agrees() {
    let (mut net, mut n, ids) = members();
    let input = ProposeInput {
        title: "Accept 3% and no heat plan?".into(),
        method: "yes-no".into(),
        quorum: "50%".into(),
        closes: "1h".into(),
        ..ProposeInput::default()
    };
    let p = n[1].propose(&net.id, &input).unwrap();
    everyone_syncs(&mut net, &mut n);
    n[1].vote(&net.id, &p, &yes_no("yes")).unwrap();
    n[2].vote(&net.id, &p, &yes_no("yes")).unwrap();
    n[2].vote(&net.id, &p, &yes_no("no")).unwrap();
    n[3].vote(&net.id, &p, &yes_no("no")).unwrap();
    let e = n[3].vote(&net.id, &p, &yes_no("maybe")).unwrap_err();
    assert!(e.to_string().contains("yes, no, abstain or block"), "{e}");
    everyone_syncs(&mut net, &mut n);
    let v = n[0].proposal(&net.id, &p).unwrap();
    assert_eq!((v.state.as_str(), v.electorate, v.voted, v.outcome.as_str()), ("open", 4, 3, "rejected"));
    // A late joiner is not in the electorate.
    let link = n[0].create_invite(&net.id, 1, None, vec![]).unwrap();
    let (mut cy, cy_id) = net.join(&link, "cy", &mut n[0]);
    n[0].vouch(&net.id, &cy_id).unwrap();
    net.ship(&n[0], &mut cy);
    let e = cy.vote(&net.id, &p, &yes_no("yes")).unwrap_err();
    assert!(e.to_string().contains("not a member when this was proposed"), "{e}");

    // An hour on: Sam's node closes the vote; Dee, who has not synced, changes to yes after
    // the close and her node's clock claims an earlier time. It never counts.
    for node in n.iter_mut() {
        node.set_clock_offset(3700);
    }
    assert!(n[0].upkeep(&net.id).unwrap().checkpoints >= 1);
    n[2].set_clock_offset(0);
    let e = n[2].vote(&net.id, &p, &yes_no("yes"));
    assert!(e.is_ok(), "Dee's node has not seen the close: {e:?}");
    everyone_syncs(&mut net, &mut n);
    for node in &n {
        let t = node.proposal_tally(&net.id, &p).unwrap();
        assert!(t.closed);
        assert_eq!((t.voted, t.decision.clone()), (3, Decision::Rejected));
        assert_eq!(t.not_counted.values().filter(|w| **w == "after the close").count(), 1);
    }
    // Removing Bo retracts his ballot: now one yes and one no, still not more yes than no.
    n[0].remove(&net.id, &ids[3]).unwrap();
    let t = n[0].proposal_tally(&net.id, &p).unwrap();
    assert_eq!((t.electorate, t.voted), (3, 2));
}

#[test]
fn an_stv_election_and_hidden_results() {
    let (mut net, mut n, _) = members();
    let input = ProposeInput {
        title: "Delegates to the federation".into(),
        method: "stv".into(),
        options: vec!["Ana".into(), "Bo".into(), "Dee".into()],
        seats: Some(2),
        closes: "2d".into(),
        results: "after-close".into(),
        delegates: true,
        ..ProposeInput::default()
    };
    let p = n[0].propose(&net.id, &input).unwrap();
    everyone_syncs(&mut net, &mut n);
    for (i, rank) in [vec!["Ana", "Bo"], vec!["Ana"], vec!["Dee", "Bo"], vec!["3", "2"]].into_iter().enumerate() {
        let vote = VoteInput { rank: rank.into_iter().map(str::to_owned).collect(), ..VoteInput::default() };
        n[i].vote(&net.id, &p, &vote).unwrap();
    }
    let e = n[0].vote(&net.id, &p, &VoteInput { rank: vec!["Zed".into()], ..VoteInput::default() }).unwrap_err();
    assert!(e.to_string().contains("not one of the options"), "{e}");
    everyone_syncs(&mut net, &mut n);
    let v = n[1].proposal(&net.id, &p).unwrap();
    assert_eq!((v.results_shown, v.outcome.as_str(), v.voted), (false, "hidden until the close", 4));
    assert_eq!(v.my_ballot.as_deref(), Some("Ana"));
    for node in n.iter_mut() {
        node.set_clock_offset(3 * 24 * 3600);
    }
    n[0].close_proposal(&net.id, &p).unwrap();
    everyone_syncs(&mut net, &mut n);
    let v = n[1].proposal(&net.id, &p).unwrap();
    // Quota 4/3 + 1 = 2: Ana 2 and Dee 2 are elected in the first round.
    assert_eq!((v.state.as_str(), v.outcome.as_str()), ("closed", "elected: Ana, Dee"));
    assert!(!v.rounds.is_empty());
    assert_eq!(n[2].delegates(&net.id).unwrap(), vec!["Ana".to_string(), "Dee".to_string()]);
    // The winners who stood under their own names hold the delegate role on every node.
    for node in &n {
        let roles: Vec<(String, bool)> =
            node.member_views(&net.id).unwrap().into_iter().map(|m| (m.pseudonym, m.delegate)).collect();
        let mut delegates: Vec<&str> = roles.iter().filter(|(_, d)| *d).map(|(p, _)| p.as_str()).collect();
        delegates.sort_unstable();
        assert_eq!(delegates, ["ana", "dee"], "{roles:?}");
    }
}

/// A concession vote links to its call, and the call's record shows the result once closed.
#[test]
fn a_concession_is_put_to_a_vote_and_the_call_shows_the_result() {
    let (mut net, mut n, _) = members();
    let call = crate::calls::call(60, vec![strike_core::calls::Rule::Count { n: 3 }], &n[0]);
    let call = n[0].create_call(&net.id, call).unwrap();
    everyone_syncs(&mut net, &mut n);
    // Only organizers record offers and put them to a vote.
    assert!(n[1].record_concession(&net.id, &call, "employer", "3%").is_err());
    n[0].record_concession(&net.id, &call, "employer", "3% now, no heat plan").unwrap();
    let vote = strike_node::votes::concessions::ConcessionVoteInput { closes: "1h".into(), ..Default::default() };
    let p = n[0].concession_vote(&net.id, &call, &vote).unwrap();
    assert!(n[0].concession_vote(&net.id, &call, &vote).is_err(), "that offer is already put to a vote");
    everyone_syncs(&mut net, &mut n);
    let v = n[2].proposal(&net.id, &p).unwrap();
    assert_eq!((v.title.as_str(), v.method.as_str()), ("Accept the offer from employer?", "yes-no"));
    for (i, pos) in [(0, "no"), (1, "no"), (2, "yes"), (3, "no")] {
        n[i].vote(&net.id, &p, &yes_no(pos)).unwrap();
    }
    everyone_syncs(&mut net, &mut n);
    let record = n[3].call_record(&net.id, &call).unwrap();
    assert_eq!(record.concessions[0].vote.as_deref(), Some(p.to_hex().as_str()));
    assert!(record.concessions[0].result.starts_with("voting until"), "{}", record.concessions[0].result);
    for node in n.iter_mut() {
        node.set_clock_offset(2 * 3600);
    }
    n[0].upkeep(&net.id).unwrap();
    n[0].set_call_outcome(&net.id, &call, "partial", "Cooling on the mezzanine").unwrap();
    everyone_syncs(&mut net, &mut n);
    let record = n[1].call_record(&net.id, &call).unwrap();
    assert_eq!(record.concessions[0].result, "Offer rejected 3-1: the strike continues");
    assert_eq!(record.outcome.map(|o| o.outcome), Some("partial".to_owned()));
    assert!(n[0].set_call_outcome(&net.id, &call, "victory", "").is_err(), "won, partial, lost or ended");
}

/// A discussion on a proposal: replies in order on every node; once an organizer locks it, a
/// reply written apart after the lock does not show, and nodes refuse new ones.
#[test]
fn a_thread_is_discussed_and_locked() {
    let (mut net, mut n, _) = members();
    let input = ProposeInput {
        title: "Strike on Friday?".into(),
        method: "yes-no".into(),
        closes: "2d".into(),
        ..ProposeInput::default()
    };
    let p = n[1].propose(&net.id, &input).unwrap();
    everyone_syncs(&mut net, &mut n);
    let t = n[2].start_thread(&net.id, Some(p), "Friday or Monday?", "Friday hurts the weekend rota most").unwrap();
    assert!(n[2].start_thread(&net.id, Some(strike_core::OpId([9; 32])), "x", "").is_err(), "on nothing known");
    everyone_syncs(&mut net, &mut n);
    n[3].reply(&net.id, &t, "Friday: the lorries come in then").unwrap();
    everyone_syncs(&mut net, &mut n);
    n[1].set_clock_offset(60);
    n[1].reply(&net.id, &t, "Agreed").unwrap();
    everyone_syncs(&mut net, &mut n);
    // Sam locks it; Dee, offline, replies after the lock (her clock later than his).
    n[0].set_clock_offset(180);
    n[0].lock_thread(&net.id, &t, true).unwrap();
    n[2].set_clock_offset(300);
    n[2].reply(&net.id, &t, "One more thing").unwrap();
    everyone_syncs(&mut net, &mut n);
    for node in &n {
        let v = node.thread(&net.id, &t).unwrap();
        let texts: Vec<&str> = v.replies.iter().map(|r| r.text.as_str()).collect();
        assert_eq!((v.locked, texts), (true, vec!["Friday: the lorries come in then", "Agreed"]));
    }
    assert!(n[3].reply(&net.id, &t, "late").is_err(), "a locked thread takes no reply");
    assert!(n[3].lock_thread(&net.id, &t, false).is_err(), "only organizers lock and open");
    assert_eq!(n[0].threads(&net.id, Some(&p)).unwrap().len(), 1);
    assert!(n[0].threads(&net.id, None).unwrap().iter().all(|t| t.on.is_some()));
}

/// Times are whole minutes: an organizer's replies and the lock after them, all in one minute,
/// keep the order they were written in (op order), on every node.
#[test]
fn replies_and_a_lock_in_one_minute_keep_their_order() {
    let (mut net, mut n, _) = members();
    // At the start of a minute, so that everything below falls in it.
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    n[0].set_clock_offset(120 + (60 - (now % 60) as i64));
    let t = n[0].start_thread(&net.id, None, "Rota", "Who takes Friday?").unwrap();
    let said: Vec<String> = (1..=6).map(|i| format!("point {i}")).collect();
    for text in &said {
        n[0].reply(&net.id, &t, text).unwrap();
    }
    n[0].lock_thread(&net.id, &t, true).unwrap();
    everyone_syncs(&mut net, &mut n);
    for node in &n {
        let v = node.thread(&net.id, &t).unwrap();
        let texts: Vec<&str> = v.replies.iter().map(|r| r.text.as_str()).collect();
        assert_eq!((v.locked, texts), (true, said.iter().map(String::as_str).collect::<Vec<_>>()));
    }
}

/// A vote put to a circle: sealed in it (members outside never read it), its electorate those
/// in the circle when it was proposed (someone added after reads it but does not vote), closed
/// by an organizer in the circle, the same outcome on every node of the circle.
#[test]
fn a_circle_votes_alone_and_the_rest_of_the_network_never_reads_it() {
    let (mut net, mut n, ids) = members();
    let legal = n[0].create_circle(&net.id, "Legal", "cases").unwrap();
    n[0].add_to_circle(&net.id, &legal, &ids[1]).unwrap();
    everyone_syncs(&mut net, &mut n);
    let input = ProposeInput {
        title: "Appeal Ray's firing?".into(),
        method: "yes-no".into(),
        closes: "1h".into(),
        circle: "legal".into(),
        ..ProposeInput::default()
    };
    assert!(n[2].propose(&net.id, &input).is_err(), "only the circle's members put a vote to it");
    let refused = n[1].propose(&net.id, &ProposeInput { delegates: true, method: "stv".into(), ..input.clone() });
    assert!(refused.is_err());
    let p = n[1].propose(&net.id, &input).unwrap();
    everyone_syncs(&mut net, &mut n);
    // Dee joins the circle after the proposal: she reads it, but the vote is for those who were in.
    n[0].add_to_circle(&net.id, &legal, &ids[2]).unwrap();
    everyone_syncs(&mut net, &mut n);
    n[0].vote(&net.id, &p, &yes_no("yes")).unwrap();
    n[1].vote(&net.id, &p, &yes_no("no")).unwrap();
    n[1].vote(&net.id, &p, &yes_no("yes")).unwrap();
    let e = n[2].vote(&net.id, &p, &yes_no("no")).unwrap_err();
    assert!(e.to_string().contains("not in the circle when this was proposed"), "{e}");
    let e = n[1].start_thread(&net.id, Some(p), "Grounds", "").unwrap_err();
    assert!(e.to_string().contains("discussed in the circle"), "{e}");
    everyone_syncs(&mut net, &mut n);
    let v = n[2].proposal(&net.id, &p).unwrap();
    assert_eq!((v.circle.as_deref(), v.electorate, v.voted, v.i_can_vote), (Some("Legal"), 2, 2, false));
    // Bo is outside the circle: the proposal and its ballots are sealed away from his node.
    assert!(n[3].proposals(&net.id).unwrap().is_empty());
    assert!(n[3].proposal(&net.id, &p).is_err());
    for node in n.iter_mut() {
        node.set_clock_offset(2 * 3600);
    }
    n[0].close_proposal(&net.id, &p).unwrap();
    everyone_syncs(&mut net, &mut n);
    for node in &n[..3] {
        let v = node.proposal(&net.id, &p).unwrap();
        assert_eq!((v.state.as_str(), v.outcome.as_str(), v.voted), ("closed", "passed", 2));
    }
    assert!(n[3].proposals(&net.id).unwrap().is_empty());
}

type Pool = ((NetworkId, [u8; 32], Vec<(u32, [u8; 32])>, OpId, (usize, usize, Decision)), Vec<Vec<u8>>);

thread_local! {
    /// A network with a closed vote: ballots and revotes, a member removed after voting (their
    /// ballot stops counting) who votes again under the old key, the organizer's close, and a
    /// ballot written after it that claims an earlier time. All its ops, and the outcome.
    static BALLOT_POOL: Pool = {
        let (mut net, mut n, ids) = members();
        let input = ProposeInput {
            title: "Accept the offer?".into(),
            method: "yes-no".into(),
            closes: "1h".into(),
            ..ProposeInput::default()
        };
        let p = n[0].propose(&net.id, &input).unwrap();
        everyone_syncs(&mut net, &mut n);
        for (who, position) in [(1, "yes"), (2, "no"), (3, "yes"), (1, "no"), (0, "yes"), (2, "yes")] {
            n[who].vote(&net.id, &p, &yes_no(position)).unwrap();
        }
        everyone_syncs(&mut net, &mut n);
        n[0].remove(&net.id, &ids[3]).unwrap();
        n[3].vote(&net.id, &p, &yes_no("no")).unwrap();
        let (first, rest) = n.split_first_mut().unwrap();
        net.leak(&rest[2], first);
        for node in n.iter_mut() {
            node.set_clock_offset(2 * 3600);
        }
        n[0].close_proposal(&net.id, &p).unwrap();
        // Dee has not seen the close; her node claims a time before it.
        n[2].set_clock_offset(0);
        n[2].vote(&net.id, &p, &yes_no("no")).unwrap();
        let (first, rest) = n.split_first_mut().unwrap();
        net.ship(&rest[1], first);
        let t = n[0].proposal_tally(&net.id, &p).unwrap();
        assert_eq!((t.electorate, t.voted, t.decision.clone()), (3, 3, Decision::Passed), "Sam yes, Ana no, Dee yes");
        let mut ops = Vec::new();
        n[0].store().for_each_op(&net.id, |b| { ops.push(b.to_vec()); Ok(()) }).unwrap().unwrap();
        let keys: Vec<(u32, [u8; 32])> =
            n[0].store().network_keys(&net.id).unwrap().into_iter().map(|(e, k)| (e, *k.expose())).collect();
        let hash = n[0].state_hash(&net.id).unwrap();
        let id = net.id;
        std::mem::forget(net);
        ((id, hash, keys, p, (t.electorate, t.voted, t.decision)), ops)
    };
}

proptest! {
    #![proptest_config(ProptestConfig { cases: crate::calls::cases(), ..ProptestConfig::default() })]

    /// The same proposal, ballots, revotes, removal, close and late ballot, delivered in any
    /// order in any batches, give one state hash and one outcome.
    #[test]
    fn ballot_order_does_not_matter(seed in any::<u64>(), batch in 1usize..6) {
        let (net, ops) = BALLOT_POOL.with(|p| p.clone());
        let (_tmp, fresh) = crate::calls::fresh_node_with(&net.0, &net.2, ops, seed, batch);
        prop_assert_eq!(fresh.state_hash(&net.0).unwrap(), net.1);
        let t = fresh.proposal_tally(&net.0, &net.3).unwrap();
        prop_assert_eq!((t.electorate, t.voted, t.decision), net.4);
    }
}
