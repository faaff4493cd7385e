//! Where a request stands: the one fold of its updates that every node runs the same way,
//! whatever order the updates arrived in (`docs/protocol.md`, "Mutual aid").
//!
//! Updates are applied in (time, op id) order. States: open, claimed, in progress, escalated,
//! and the two ends, resolved and cancelled, after which nothing applies.
//!
//! - **Claims.** A claim takes an open request. While a holder has it, another responder's
//!   claim does not apply (it stays in the history as "also offered") unless the holding has
//!   gone **stale**: nothing from the holder for longer than the response target of the
//!   request's urgency. Two claims at the same minute: the smaller op id wins.
//! - A stale holding returns the request to the queue at read time too: the view at `now`
//!   shows it open, "returned: nothing from its holder for over the target".
//! - **Who may do what.** Responders are whoever reads the request (every member for a network
//!   request, the circle's members for a sealed one). Progress and release are the holder's;
//!   cancel is the requester's or an organizer's; resolve and notes are anyone's who may respond,
//!   and the requester's; escalation goes only to a circle or network the requester allowed.

use crate::aid::{Action, AidRequest, AidTargets, AidUpdate};
use crate::{AuthorId, CoarseTime, OpId};

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum State {
    Open,
    Claimed,
    InProgress,
    Escalated,
    Resolved,
    Cancelled,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Open => "open",
            State::Claimed => "claimed",
            State::InProgress => "in progress",
            State::Escalated => "escalated",
            State::Resolved => "resolved",
            State::Cancelled => "cancelled",
        }
    }

    /// Nothing applies any more.
    pub fn closed(self) -> bool {
        matches!(self, State::Resolved | State::Cancelled)
    }
}

/// An update as the fold reads it.
#[derive(Debug, Clone)]
pub struct UpdateIn {
    pub op: OpId,
    pub author: AuthorId,
    /// The op's place in its author's chain: orders one author's updates within a minute.
    pub seq: u64,
    pub time: CoarseTime,
    pub body: AidUpdate,
}

/// One line of a request's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub op: OpId,
    pub author: AuthorId,
    pub time: CoarseTime,
    pub action: Action,
    pub note: String,
    pub target: Option<[u8; 32]>,
    /// Why it did not apply (`None`: it did).
    pub ignored: Option<&'static str>,
}

/// A request resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub state: State,
    /// Who has it (claimed or in progress).
    pub holder: Option<AuthorId>,
    /// When the holder took it.
    pub since: Option<CoarseTime>,
    /// The holder's last word on it.
    pub last: Option<CoarseTime>,
    /// A holding went stale and the request went back to the queue (at an update, or at `now`).
    pub returned: bool,
    /// Where it was escalated, supplied from or granted by.
    pub escalations: Vec<[u8; 32]>,
    pub supplied: Vec<[u8; 32]>,
    pub grants: Vec<[u8; 32]>,
    pub history: Vec<Step>,
}

/// Who the fold asks about.
pub struct Roles<'a> {
    pub requester: AuthorId,
    /// Reads the request, so may respond.
    pub responder: &'a dyn Fn(&AuthorId) -> bool,
    pub organizer: &'a dyn Fn(&AuthorId) -> bool,
}

impl std::fmt::Debug for Roles<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Roles").field("requester", &self.requester).finish_non_exhaustive()
    }
}

/// The request's standing at `now`, from its updates in any order.
pub fn fold(
    request: &AidRequest,
    roles: &Roles<'_>,
    updates: &[UpdateIn],
    targets: &AidTargets,
    now: CoarseTime,
) -> Standing {
    let target = targets.minutes(request.urgency);
    let stale = |last: Option<CoarseTime>, at: CoarseTime| last.is_some_and(|l| at.0 > l.0.saturating_add(target));
    let mut order: Vec<&UpdateIn> = updates.iter().collect();
    order.sort_by_key(|u| crate::op_order(u.time, u.author, u.seq, u.op));
    let mut s = Standing {
        state: State::Open,
        holder: None,
        since: None,
        last: None,
        returned: false,
        escalations: Vec::new(),
        supplied: Vec::new(),
        grants: Vec::new(),
        history: Vec::new(),
    };
    for u in order {
        let who = u.author;
        let is_requester = who == roles.requester;
        let responds = (roles.responder)(&who);
        let holds = s.holder == Some(who);
        let ignored = if s.state.closed() {
            Some("the request was already closed")
        } else {
            match u.body.action {
                Action::Claim if !responds => Some("not a responder"),
                Action::Claim if s.holder.is_some() && !holds && !stale(s.last, u.time) => Some("also offered"),
                Action::Claim => {
                    if s.holder.is_some() && !holds {
                        s.returned = true;
                    }
                    if !holds {
                        (s.holder, s.since) = (Some(who), Some(u.time));
                    }
                    s.last = Some(u.time);
                    if s.state != State::InProgress {
                        s.state = State::Claimed;
                    }
                    None
                }
                Action::Progress | Action::Release if !holds => Some("only its holder"),
                Action::Progress => {
                    (s.state, s.last) = (State::InProgress, Some(u.time));
                    None
                }
                Action::Release => {
                    (s.state, s.holder, s.since, s.last) = (State::Open, None, None, None);
                    None
                }
                Action::Note | Action::Resolve if !responds && !is_requester => Some("not a responder"),
                Action::Note => {
                    if holds {
                        s.last = Some(u.time);
                    }
                    None
                }
                Action::Resolve => {
                    s.state = State::Resolved;
                    None
                }
                Action::Cancel if !is_requester && !(roles.organizer)(&who) => {
                    Some("only the requester or an organizer")
                }
                Action::Cancel => {
                    s.state = State::Cancelled;
                    None
                }
                Action::Escalate if !responds && !is_requester => Some("not a responder"),
                Action::Escalate => match u.body.target() {
                    Some(t) if allowed(request, &t) => {
                        s.escalations.push(t);
                        s.state = State::Escalated;
                        None
                    }
                    _ => Some("not a target the requester allowed"),
                },
                Action::Supplied | Action::Granted if !responds => Some("not a responder"),
                Action::Supplied | Action::Granted => {
                    let t = u.body.target().expect("checked: supplied and granted name their target");
                    if u.body.action == Action::Supplied { &mut s.supplied } else { &mut s.grants }.push(t);
                    if s.holder.is_none() {
                        (s.holder, s.since) = (Some(who), Some(u.time));
                    }
                    if s.holder == Some(who) {
                        s.last = Some(u.time);
                    }
                    s.state = State::InProgress;
                    None
                }
            }
        };
        s.history.push(Step {
            op: u.op,
            author: who,
            time: u.time,
            action: u.body.action,
            note: u.body.note.clone(),
            target: u.body.target(),
            ignored,
        });
    }
    if matches!(s.state, State::Claimed | State::InProgress) && stale(s.last, now) {
        (s.state, s.holder, s.since, s.last, s.returned) = (State::Open, None, None, None, true);
    }
    s
}

/// `target` is a circle or network the requester allowed.
pub fn allowed(request: &AidRequest, target: &[u8; 32]) -> bool {
    request.circles.iter().any(|c| &c.0 == target) || request.networks.iter().any(|n| &n.0 == target)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::NetworkId;
    use crate::resources::Urgency;

    fn request() -> AidRequest {
        AidRequest {
            category: "medical".into(),
            urgency: Urgency::Critical,
            text: "Insulin".into(),
            place: String::new(),
            due: 0,
            circles: vec![OpId([9; 32])],
            networks: vec![NetworkId([8; 32])],
            share: vec![],
            link: vec![],
        }
    }

    fn update(op: u8, author: u8, time: u32, action: Action, target: Option<u8>) -> UpdateIn {
        UpdateIn {
            op: OpId([op; 32]),
            author: AuthorId([author; 32]),
            seq: u64::from(op),
            time: CoarseTime(time),
            body: AidUpdate {
                request: OpId([1; 32]),
                action,
                note: String::new(),
                target: target.map(|t| vec![t; 32]).unwrap_or_default(),
            },
        }
    }

    fn run(updates: &[UpdateIn], now: u32) -> Standing {
        // Author 1 asked; 2, 3 and 4 are responders; 5 is an organizer outside the team.
        let responder = |a: &AuthorId| (2..=4).contains(&a.0[0]);
        let organizer = |a: &AuthorId| a.0[0] == 5;
        let roles = Roles { requester: AuthorId([1; 32]), responder: &responder, organizer: &organizer };
        fold(&request(), &roles, updates, &AidTargets::default(), CoarseTime(now))
    }

    #[test]
    fn the_earliest_claim_wins_and_a_stale_one_goes_back_to_the_queue() {
        let both = [update(20, 3, 100, Action::Claim, None), update(10, 2, 100, Action::Claim, None)];
        let s = run(&both, 120);
        assert_eq!((s.state, s.holder), (State::Claimed, Some(AuthorId([2; 32]))), "same minute: by author");
        assert_eq!(s.history.iter().filter(|h| h.ignored == Some("also offered")).count(), 1);
        // Critical: 60 minutes. At 161 nothing came from the holder: back to the queue.
        let s = run(&both, 161);
        assert_eq!((s.state, s.holder, s.returned), (State::Open, None, true));
        // A third responder's claim after the target takes it over.
        let mut later = both.to_vec();
        later.push(update(30, 4, 170, Action::Claim, None));
        let s = run(&later, 171);
        assert_eq!((s.state, s.holder, s.returned), (State::Claimed, Some(AuthorId([4; 32])), true));
        // Progress keeps a holding fresh.
        let mut kept = both.to_vec();
        kept.push(update(31, 2, 150, Action::Progress, None));
        assert_eq!(run(&kept, 200).state, State::InProgress);
    }

    #[test]
    fn one_persons_updates_in_one_minute_apply_in_the_order_they_were_written() {
        // A claim (seq 1) then its release (seq 2) in one minute; the release has the smaller op
        // id, so ordering by op id would drop it as "only its holder".
        let mut claim = update(40, 2, 100, Action::Claim, None);
        let mut release = update(10, 2, 100, Action::Release, None);
        (claim.seq, release.seq) = (1, 2);
        let s = run(&[release.clone(), claim.clone()], 101);
        assert_eq!((s.state, s.holder), (State::Open, None));
        assert!(s.history.iter().all(|h| h.ignored.is_none()), "{:?}", s.history);
        // Written the other way round, the release is the one out of turn.
        (claim.seq, release.seq) = (2, 1);
        let s = run(&[claim, release], 101);
        assert_eq!((s.state, s.history[0].ignored), (State::Claimed, Some("only its holder")));
    }

    #[test]
    fn who_may_do_what() {
        let s = run(
            &[
                update(10, 6, 100, Action::Claim, None),    // not a responder
                update(11, 2, 101, Action::Claim, None),    // takes it
                update(12, 3, 102, Action::Progress, None), // not the holder
                update(13, 3, 103, Action::Cancel, None),   // not the requester
                update(14, 2, 104, Action::Escalate, Some(7)),
                update(15, 2, 105, Action::Escalate, Some(9)),
            ],
            110,
        );
        let why: Vec<Option<&str>> = s.history.iter().map(|h| h.ignored).collect();
        assert_eq!(
            why,
            [
                Some("not a responder"),
                None,
                Some("only its holder"),
                Some("only the requester or an organizer"),
                Some("not a target the requester allowed"),
                None
            ]
        );
        assert_eq!((s.state, s.escalations.clone()), (State::Escalated, vec![[9; 32]]));
        // The organizer cancels; nothing applies after.
        let s = run(&[update(10, 5, 100, Action::Cancel, None), update(11, 2, 101, Action::Claim, None)], 110);
        assert_eq!(s.state, State::Cancelled);
        assert_eq!(s.history[1].ignored, Some("the request was already closed"));
    }

    proptest! {
        /// Any order of the same updates gives the same standing.
        #[test]
        fn the_order_updates_arrive_in_changes_nothing(
            raw in proptest::collection::vec((1u8..7, 0u32..400, 0usize..9, proptest::option::of(7u8..10)), 1..14),
            seed in any::<u64>(),
            now in 0u32..600,
        ) {
            let updates: Vec<UpdateIn> = raw.iter().enumerate().map(|(i, (author, time, action, target))| {
                let action = Action::ALL[*action];
                let target = if matches!(action, Action::Escalate | Action::Supplied | Action::Granted) {
                    Some(target.unwrap_or(9))
                } else {
                    None
                };
                update(i as u8 + 10, *author, *time, action, target)
            }).collect();
            let mut shuffled = updates.clone();
            let mut x = seed | 1;
            for i in (1..shuffled.len()).rev() {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                shuffled.swap(i, (x % (i as u64 + 1)) as usize);
            }
            prop_assert_eq!(run(&updates, now), run(&shuffled, now));
        }
    }
}
