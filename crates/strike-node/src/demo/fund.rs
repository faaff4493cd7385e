//! Riverside's hardship fund in the demo: Sam, Lea and Ivy are its treasurers (the leads of
//! the Treasurers circle) and two of them approve each payout. The fund opened with three
//! months of contributions carried over from the paper book; over the last two weeks 30
//! members pledged and paid their monthly contribution, a solidarity concert and the
//! bakers' union gave, and Sam paid cash into the bank; strike pay is set for the heat-safety
//! call; today Sam took in a bucket collection at the gates, Lea paid two hardship grants, and a claim for strike pay waits for its second
//! approval.

use strike_core::{NetworkId, OpId};

use super::Crowd;
use crate::fund::{ClaimInput, FundInput, ReceiveInput, RuleInput, TransferInput};
use crate::{Node, Result};

/// The treasurers besides Sam.
pub(super) const TREASURERS: [&str; 2] = ["Lea", "Ivy"];

/// Co-workers who pay into the fund: the first 30 of Riverside's, each with a monthly amount.
const CONTRIBUTORS: usize = 30;

fn receive(
    sam: &mut Node,
    network: &NetworkId,
    amount: &str,
    from: &str,
    method: &str,
    member: &str,
    note: &str,
) -> Result<OpId> {
    let input = ReceiveInput {
        amount: amount.into(),
        from: from.into(),
        method: method.into(),
        member: member.into(),
        note: note.into(),
    };
    sam.fund_receive(network, &input)
}

/// The day the call opens: the Treasurers circle, the fund, what the paper book held and
/// strike pay for the call.
pub(super) fn open(sam: &mut Node, network: &NetworkId, call: &OpId) -> Result<()> {
    let circle = sam.create_circle(network, "Treasurers", "The hardship fund's books: who gave, who was paid")?;
    for name in TREASURERS {
        let who = sam.resolve_member(network, name)?;
        sam.set_circle_lead(network, &circle, &who.author, true)?;
    }
    let input = FundInput { currency: "EUR".into(), approvals: Some(2), circle: circle.to_hex() };
    sam.create_fund(network, &input)?;
    for month in ["August", "September", "October"] {
        let note = format!("{month} contributions, 30 members, carried over from the paper book");
        receive(sam, network, "610.00", "member", "bank", "", &note)?;
    }
    let rule =
        RuleInput { call: call.to_hex(), per_day: "40.00".into(), per_dependant: "10.00".into(), max_days: Some(10) };
    sam.fund_rule(network, &rule)?;
    Ok(())
}

/// A co-worker's turn in the weeks after the call: the first 30 pledge their monthly
/// contribution (sealed to the treasurers) and hand it to Sam in cash; two of the turns
/// bring the donor events.
pub(super) fn contribute(sam: &mut Node, n: &mut Node, network: &NetworkId, i: usize) -> Result<()> {
    if i < CONTRIBUTORS {
        let amount = ["20.00", "15.00", "25.00", "20.00", "10.00"][i % 5];
        n.fund_contribute(network, amount, true)?;
        let me = n.network(network)?.my_author.map(|a| a.to_hex()).unwrap_or_default();
        receive(sam, network, amount, "member", "cash", &me, "")?;
    }
    match i {
        9 => receive(sam, network, "1,240.00", "event", "cash", "", "Solidarity concert at the Mill")?,
        21 => receive(sam, network, "500.00", "donor", "bank", "", "Bakers' union branch 12")?,
        25 => {
            let deposit = TransferInput {
                amount: "1,000.00".into(),
                to: "bank".into(),
                from: "cash".into(),
                note: "Paid in at the credit union".into(),
            };
            sam.fund_transfer(network, &deposit)?
        }
        _ => return Ok(()),
    };
    Ok(())
}

/// Today: a bucket collection at the gates; two hardship claims approved by Ivy and Lea and paid by Lea from the bank; a claim of strike pay
/// for the heat-safety call approved by Ivy, waiting for a second treasurer.
pub(super) fn claims(
    sam: &mut Node,
    crowd: &mut Crowd,
    names: &[&str],
    network: &NetworkId,
    call: &OpId,
) -> Result<()> {
    let node = |name: &str| names.iter().position(|n| *n == name).expect("a Riverside co-worker");
    // This morning's collection: the fund's income then runs from the call's day to today,
    // fourteen days, so the weekly chart always has three weeks in it (two would fall on a
    // Monday otherwise).
    receive(sam, network, "86.50", "event", "cash", "", "Bucket collection at the gates this morning")?;
    let claim = |n: &mut Node, input: ClaimInput| n.fund_claim(network, &input).map(|c| c.to_hex());
    let (rent, car, pay) = {
        let rent = claim(
            &mut crowd.nodes[node("Ada")],
            ClaimInput {
                amount: "350.00".into(),
                hardship: "Rent due Friday: lost a week's pay to the heat shutdown".into(),
                ..ClaimInput::default()
            },
        )?;
        let car = claim(
            &mut crowd.nodes[node("Gus")],
            ClaimInput {
                amount: "180.00".into(),
                hardship: "Car repair: it is the night-shift lift to the gates".into(),
                ..ClaimInput::default()
            },
        )?;
        let pay = claim(
            &mut crowd.nodes[node("Kai")],
            ClaimInput { call: call.to_hex(), days: Some(5), dependants: Some(2), ..ClaimInput::default() },
        )?;
        (rent, car, pay)
    };
    for name in ["Ada", "Gus", "Kai"] {
        super::sync(&mut crowd.nodes[node(name)], sam, network)?;
    }
    for (treasurer, answers) in [("Ivy", vec![&rent, &car, &pay]), ("Lea", vec![&rent, &car])] {
        let t = &mut crowd.nodes[node(treasurer)];
        super::sync(sam, t, network)?;
        for c in answers {
            t.fund_answer(network, c, true, "")?;
        }
        super::sync(t, sam, network)?;
    }
    let lea = &mut crowd.nodes[node("Lea")];
    lea.fund_pay(network, &rent, "bank")?;
    lea.fund_pay(network, &car, "bank")?;
    super::sync(lea, sam, network)?;
    Ok(())
}
