//! Riverside's votes in the demo: on the day the call opened, Sam recorded management's offer on
//! it (3% now, the heat plan "under review") and put it to the members, open until two days from
//! now, and an election of
//! two delegates to the solidarity council with Eastside by single transferable vote, which
//! closed three days ago. Co-workers vote in the weeks after, each from their own node. Today,
//! a secret ballot on striking again in January: every node asked for its credential, Sam's
//! node issued them, and most have voted, nobody knowing who voted what.

use strike_core::{NetworkId, OpId};

use super::{Crowd, sync};
use crate::votes::concessions::ConcessionVoteInput;
use crate::votes::{ProposeInput, VoteInput};
use crate::{Node, Result};

/// The secret sickout's title.
pub(super) const SECRET_CALL: &str = "Secret sickout on the first day over 30 C";

/// The secret ballot's question.
pub(super) const SECRET_VOTE: &str = "Strike again in January if there is still no heat plan?";

const ELECTION: &str = "Two delegates to the solidarity council with Eastside";
const CANDIDATES: [&str; 5] = ["Lea", "Mo", "Ivy", "Ray", "Gus"];

/// The day the call opens (Sam, an organizer): management's offer on the call, recorded and put
/// to the members, and the delegates' election.
pub(super) fn open(sam: &mut Node, network: &NetworkId, call: &OpId) -> Result<()> {
    let offer = "3% now; the heat plan \"under review\", nothing on cooling or breaks above 28 C";
    sam.record_concession(network, call, "management", offer)?;
    let vote = ConcessionVoteInput { closes: "16d".into(), quorum: "50%".into(), pass: String::new() };
    sam.concession_vote(network, call, &vote)?;
    let election = ProposeInput {
        title: ELECTION.into(),
        text: "They speak for Riverside at the council and carry its votes to the federation.".into(),
        method: "stv".into(),
        options: CANDIDATES.iter().map(|c| (*c).to_owned()).collect(),
        seats: Some(2),
        closes: "11d".into(),
        results: "after-close".into(),
        delegates: true,
        ..ProposeInput::default()
    };
    sam.propose(network, &election)?;
    Ok(())
}

/// The i-th co-worker's ballots, while each vote is open.
pub(super) fn ballot(n: &mut Node, network: &NetworkId, i: usize) -> Result<()> {
    for p in n.proposals(network)? {
        if !p.i_can_vote || p.my_ballot.is_some() {
            continue;
        }
        let id = p.id.parse().map_err(|_| crate::NodeError::InvalidInput("a proposal id".into()))?;
        let vote = if p.about.is_some() {
            if i % 9 == 4 {
                continue; // not everyone has voted yet
            }
            let position = match i % 11 {
                3 => "yes",
                7 => "abstain",
                _ => "no",
            };
            VoteInput { position: position.into(), reason: String::new(), ..VoteInput::default() }
        } else if p.title == ELECTION {
            // Most put Lea first; the night shift backs Mo and Ray; some rank Ivy and Gus.
            let orders: [&[&str]; 7] = [
                &["Lea", "Mo"],
                &["Mo", "Ray", "Lea"],
                &["Lea", "Ivy"],
                &["Ray", "Mo"],
                &["Gus", "Lea", "Ivy"],
                &["Mo", "Lea"],
                &["Lea", "Ray"],
            ];
            VoteInput { rank: orders[i % 7].iter().map(|c| (*c).to_owned()).collect(), ..VoteInput::default() }
        } else {
            continue;
        };
        n.vote(network, &id, &vote)?;
    }
    Ok(())
}

/// Today's secret ballot and secret call: Sam puts them; every co-worker's node asks for its
/// credentials, Sam's node answers, 30 of the 40 vote (22 yes, 6 no, 2 abstain) and some pledge
/// to the secret sickout, each under a one-time key.
pub(super) fn secret_vote(sam: &mut Node, crowd: &mut Crowd, network: &NetworkId) -> Result<()> {
    use strike_core::calls::{Call, CallKind, Rule, Wave};
    let now = strike_core::CoarseTime::from_unix_seconds(sam.now()).0;
    let sickout = sam.create_call(
        network,
        Call {
            kind: CallKind::Sickout,
            title: SECRET_CALL.into(),
            demands: vec!["Water and shade at every dock".into()],
            scope: String::new(),
            deadline: now + 6 * 1440,
            exempt_roles: Vec::new(),
            waves: vec![Wave { rules: vec![Rule::Count { n: 25 }], starts: now + 7 * 1440 }],
            secret: Some(strike_core::secret::Secrecy { issuers: Vec::new() }),
        },
    )?;
    let input = ProposeInput {
        title: SECRET_VOTE.into(),
        text: "Secret ballot: say what you think, nobody will know it was you.".into(),
        method: "yes-no".into(),
        closes: "5d".into(),
        quorum: "50%".into(),
        secret: true,
        ..ProposeInput::default()
    };
    let p = sam.propose(network, &input)?;
    // Each node learns of it and asks (its upkeep); Sam's node answers every request it has;
    // each node unblinds its answer.
    for n in crowd.nodes.iter_mut() {
        sync(sam, n, network)?;
    }
    for n in crowd.nodes.iter_mut() {
        sync(n, sam, network)?;
    }
    for (i, n) in crowd.nodes.iter_mut().enumerate() {
        sync(sam, n, network)?;
        if i % 4 == 3 || n.me_in(network)?.is_none() {
            continue; // not everyone has voted yet
        }
        let position = match i % 13 {
            2 | 5 | 9 => "no",
            7 => "abstain",
            _ => "yes",
        };
        n.vote(network, &p, &VoteInput { position: position.into(), ..VoteInput::default() })?;
        if i % 3 != 2 {
            n.pledge(network, &sickout, true)?;
        }
        // The demo does not wait out the release delay: each node hands its ops over now.
        n.release_held_now(network)?;
        sync(n, sam, network)?;
    }
    Ok(())
}
