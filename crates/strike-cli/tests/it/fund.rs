//! The strike fund through the binary, as the README's walkthrough runs it: an organizer
//! opens the fund (they are its one treasurer), records money in, sets strike pay; bad
//! input exits 2 and writes nothing; the ledger is written as CSV with its trial balance.

use crate::support::Home;

#[test]
fn a_fund_takes_money_in_sets_strike_pay_and_exports_its_books() {
    let sam = Home::initialized();
    sam.ok(&["network", "create", "--name", "Dock 4"]);
    let none = sam.run(&["fund", "show", "Dock 4"]);
    assert!(String::from_utf8_lossy(&none.stderr).contains("no fund yet"));
    let opened = sam.ok(&["fund", "create", "Dock 4", "--currency", "eur", "--approvals", "1"]);
    assert!(opened.contains("fund opened in EUR: 1 treasurer(s)"), "{opened}");
    sam.ok(&["fund", "receive", "Dock 4", "--amount", "1,234.50", "--from", "donor", "--method", "bank"]);
    sam.ok(&["fund", "receive", "Dock 4", "--amount", "0.10", "--from", "event", "--note", "raffle"]);
    let ops = sam.json(&["network", "show", "Dock 4"])["ops"].as_u64().unwrap();
    for (args, says) in [
        (vec!["fund", "receive", "Dock 4", "--amount", "5.001", "--from", "donor"], "has 3 decimals: EUR has 2"),
        (vec!["fund", "receive", "Dock 4", "--amount", "-5", "--from", "donor"], "not negative"),
        (vec!["fund", "receive", "Dock 4", "--amount", "5 USD", "--from", "donor"], "keeps EUR, not USD"),
        (vec!["fund", "receive", "Dock 4", "--amount", "5", "--from", "bank robbery"], "a member, a donor or an event"),
        (vec!["fund", "create", "Dock 4", "--currency", "XYZ"], "not a currency"),
        (vec!["fund", "claim", "Dock 4"], "names a call"),
    ] {
        let out = sam.run(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
    }
    assert_eq!(sam.json(&["network", "show", "Dock 4"])["ops"].as_u64().unwrap(), ops, "nothing written");

    // Cash handed into the bank: the balance stays, the accounts move; no more than is held.
    let short = sam.run(&["fund", "transfer", "Dock 4", "--amount", "1.00", "--to", "bank"]);
    assert!(
        String::from_utf8_lossy(&short.stderr).contains("your cash holds 0.10"),
        "the raffle's 0.10 is all the cash"
    );
    sam.ok(&["fund", "transfer", "Dock 4", "--amount", "0.10", "--to", "bank", "--note", "Paid in"]);
    let show = sam.ok(&["fund", "show", "Dock 4"]);
    assert!(show.contains("fund (EUR): 1,234.60 held"), "{show}");
    let l = sam.json(&["fund", "ledger", "Dock 4"]);
    let bank: Vec<_> = l["trial"].as_array().unwrap().iter().filter(|t| t["account"] == "bank").collect();
    assert_eq!(bank[0]["debit"], "1,234.60", "{l}");
    let csv = sam.path("books.csv");
    sam.ok(&["fund", "ledger", "Dock 4", "--csv", csv.to_str().unwrap()]);
    let journal = std::fs::read_to_string(&csv).unwrap();
    assert!(journal.starts_with("entry,when,account,debit,credit,memo"), "{journal}");
    assert!(journal.contains(",bank,1234.50,,"), "{journal}");
    let trial = std::fs::read_to_string(sam.path("books-trial-balance.csv")).unwrap();
    assert!(trial.contains("donations,,1234.50") && trial.contains("total,1234.60,1234.60"), "{trial}");
    let verify = sam.json(&["fund", "verify", "Dock 4"]);
    assert_eq!(verify["ok"], true, "{verify}");
}
