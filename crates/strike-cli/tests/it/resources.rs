//! The resource network through the binary, as the README's walkthrough runs it: a hub,
//! specifications, stock received and consumed, a member's request, the plan reviewed and
//! committed, a handover; bad input exits 2 and writes nothing.

use crate::support::Home;

#[test]
fn a_hub_receives_plans_commits_and_hands_over() {
    let ana = Home::initialized();
    ana.ok(&["network", "create", "--name", "Eastside", "--kind", "hub"]);
    ana.ok(&["resource", "spec", "add", "Eastside", "--name", "Rice", "--unit", "kg", "--category", "food"]);
    let lot = ana.json(&[
        "stock",
        "receive",
        "Eastside",
        "--spec",
        "Rice",
        "--qty",
        "400 kg",
        "--place",
        "Church basement",
        "--from",
        "Farm co-op",
    ]);
    let lot = lot["op_id"].as_str().unwrap()[..12].to_owned();
    ana.ok(&["stock", "consume", "Eastside", &lot, "--qty", "20"]);
    ana.ok(&["stock", "minimum", "Eastside", "--spec", "Rice", "--qty", "50"]);
    ana.ok(&["request", "Eastside", "--spec", "Rice", "--qty", "30", "--by", "2d", "--for-household", "4"]);
    let ops = ana.json(&["network", "show", "Eastside"])["ops"].as_u64().unwrap();

    // Bad input: exit 2, a clear message, nothing written.
    for (args, says) in [
        (vec!["stock", "consume", "Eastside", &lot, "--qty", "0"], "at least 1 kg"),
        (vec!["stock", "consume", "Eastside", &lot, "--qty", "-3"], "at least 1 kg"),
        (vec!["stock", "consume", "Eastside", &lot, "--qty", "3 L"], "counted in kg, not L"),
        (vec!["stock", "consume", "Eastside", &lot, "--qty", "999"], "is more"),
        (
            vec![
                "stock",
                "receive",
                "Eastside",
                "--spec",
                "Rice",
                "--qty",
                "5",
                "--place",
                "X",
                "--expires",
                "2020-01-01",
            ],
            "in the past",
        ),
    ] {
        let out = ana.run(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(matches!(out.status.code(), Some(2) | Some(5)), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
    }
    let out = ana.run(&["stock", "receive", "Eastside", "--spec", "Beans", "--qty", "5", "--place", "X"]);
    assert_eq!(out.status.code(), Some(4), "an unknown specification: {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(ana.json(&["network", "show", "Eastside"])["ops"].as_u64().unwrap(), ops, "nothing written");

    let plan = ana.json(&["allocate", "Eastside"]);
    assert_eq!((plan["allotted"].as_u64(), plan["demand"].as_u64()), (Some(30), Some(30)));
    let digest = plan["digest"].as_str().unwrap().to_owned();
    let stale = ana.run(&["allocate", "Eastside", "--commit", "--reviewed", "0000000000000000"]);
    assert_eq!(stale.status.code(), Some(5), "a plan that changed is not committed");
    let committed = ana.json(&["allocate", "Eastside", "--commit", "--reviewed", &digest]);
    let commitment = committed["commitments"][0].as_str().unwrap()[..12].to_owned();
    let beyond = ana.run(&["handover", "Eastside", &commitment, "--qty", "31"]);
    assert!(String::from_utf8_lossy(&beyond.stderr).contains("still to hand over, not 31"));
    ana.ok(&["handover", "Eastside", &commitment, "--qty", "10"]);
    let show = ana.ok(&["resources", "show", "Eastside"]);
    assert!(show.contains("370 kg Rice (350 free, minimum 50)"), "{show}");
    assert!(
        show.contains("food     345 days (Rice)"),
        "370 kg at 30 used (20 consumed, 10 handed over) in 4 weeks: {show}"
    );
    assert!(show.contains("20 kg Rice at Church basement"), "the handover still due: {show}");
    let lots = ana.json(&["stock", "list", "Eastside"]);
    assert_eq!(lots["lots"][0]["qty"], 370);
}
