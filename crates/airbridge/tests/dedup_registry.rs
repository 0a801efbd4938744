//! `airbridge dedup` on the registry, as a crisis cell runs it: a synthetic registry with the
//! same families on several nations' lists is deduplicated, pairs in the uncertain band wait
//! in the queue, reviewers decide some (audited, version-guarded, reversible) and the next run
//! is bound by them; a nation sees only its own records and that another nation holds the
//! same person. Every test runs on a SQLite file and on a PostgreSQL database.

mod common;

use common::{Backend, Cli, database};
use std::path::Path;

/// Everything here is run by a reviewer.
const REVIEWER: Cli = Cli {
    actor: "cli:reviewer",
};

fn an_imported_copy_of_a_registered_person_joins_their_cluster(backend: Backend) {
    let (dir, db) = database(backend);
    REVIEWER.ok(
        &db,
        &["demo", "--persons", "600", "--no-serve", "--seed", "5"],
    );
    // Before any run there is no model: the import says nothing about duplicates.
    let original = REVIEWER.fully_named_person(&db, |p| {
        p["person"]["birth_date"]["calendar"] == "gregorian"
    });
    let name = &original["person"]["name"];
    let born = &original["person"]["birth_date"];
    let other_nation = if original["nation"] == "DE" {
        "FR"
    } else {
        "DE"
    };
    let list = Path::new(dir.path()).join("copy.csv");
    std::fs::write(
        &list,
        format!(
            "Given name,Family name,Father name,Date of birth\n{},{},{},{:04}-{:02}-{:02}\n",
            name["given"].as_str().unwrap(),
            name["family"].as_str().unwrap(),
            name["father"].as_str().unwrap(),
            born["year"],
            born["month"],
            born["day"]
        ),
    )
    .unwrap();
    let list = list.to_str().unwrap();
    let first = REVIEWER.json(
        &db,
        &[
            "import",
            list,
            "--nation",
            other_nation,
            "--source",
            "first",
        ],
    );
    assert!(first["dedup"].is_null(), "{first}");

    REVIEWER.ok(&db, &["dedup"]);
    // The same list from another source: a new record of the same person, matched at once.
    let imported = REVIEWER.json(
        &db,
        &[
            "import",
            list,
            "--nation",
            other_nation,
            "--source",
            "second",
        ],
    );
    let created = imported["outcome"]["created"].as_array().unwrap();
    assert_eq!(created.len(), 1, "{imported}");
    let dedup = &imported["dedup"];
    assert_eq!(dedup["people"], 1, "{imported}");
    assert_eq!(dedup["joined"], 1, "{imported}");
    assert!(dedup["registry"].as_u64().unwrap() > 400, "{imported}");
    let new = format!("P{}", created[0]);
    let matches = REVIEWER.json(&db, &["dedup", "matches", &new]);
    let mates: Vec<&serde_json::Value> = matches["same_person"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["id"])
        .collect();
    assert!(mates.contains(&&original["id"]), "{matches}");
    // A walk-in added by hand is matched on request.
    let walk_in = REVIEWER.json(
        &db,
        &[
            "person",
            "add",
            "--nation",
            "FR",
            "--given",
            name["given"].as_str().unwrap(),
            "--family",
            name["family"].as_str().unwrap(),
        ],
    );
    let matched = REVIEWER.json(&db, &["dedup", "match", &format!("P{}", walk_in["id"])]);
    assert_eq!(matched["people"], 1, "{matched}");
    let audit = REVIEWER.json(&db, &["audit", "list", "--limit", "100000"]);
    assert_eq!(
        audit
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "dedup.match")
            .count(),
        2
    );
}

fn reviewers_decide_and_the_next_run_is_bound(backend: Backend) {
    let (_dir, db) = database(backend);
    REVIEWER.ok(
        &db,
        &["demo", "--persons", "600", "--no-serve", "--seed", "5"],
    );
    let run = REVIEWER.json(&db, &["dedup"]);
    assert_eq!(run["id"], 1, "{run}");
    assert!(run["records"].as_i64().unwrap() > 400, "{run}");
    // The demo puts families on several nations' lists: some records share a person.
    assert!(run["duplicates"].as_i64().unwrap() > 0, "{run}");
    let queued = run["queued"].as_i64().unwrap();
    assert!(queued > 0, "{run}");

    let queue = REVIEWER.json(&db, &["dedup", "queue", "--limit", "1000"]);
    let pairs = queue.as_array().unwrap();
    assert_eq!(pairs.len() as i64, queued);
    let probabilities: Vec<f64> = pairs
        .iter()
        .map(|p| p["probability"].as_f64().unwrap())
        .collect();
    assert!(
        probabilities.windows(2).all(|w| w[0] >= w[1]),
        "most likely first"
    );
    assert!(
        probabilities.iter().all(|p| (0.5..0.99).contains(p)),
        "{probabilities:?}"
    );
    let top = &pairs[0];
    let (a, b) = (format!("P{}", top["a"]), format!("P{}", top["b"]));
    // Explained field by field, without the values compared.
    let fields = top["explanation"]["fields"].as_array().unwrap();
    assert!(fields.iter().any(|f| f["field"] == "birth_date"), "{top}");
    let shown = REVIEWER.ok(&db, &["dedup", "show", &a, &b]);
    assert!(shown.contains("bits"), "{shown}");

    // "Not the same" needs a reason; a stale version is refused; then decided.
    let refused = REVIEWER.fails(&db, &["dedup", "decide", &a, &b, "not-same"], 5);
    assert!(refused.contains("needs a reason"), "{refused}");
    REVIEWER.fails(&db, &["dedup", "decide", &b, &a, "maybe"], 5);
    REVIEWER.ok(
        &db,
        &[
            "dedup",
            "decide",
            &b,
            &a,
            "not-same",
            "--reason",
            "different fathers, checked by phone",
            "--version",
            "1",
        ],
    );
    REVIEWER.fails(
        &db,
        &["dedup", "decide", &a, &b, "same", "--version", "1"],
        4,
    );

    // Two walk-ins a caseworker knows to be one woman.
    let first = REVIEWER.json(
        &db,
        &[
            "person", "add", "--nation", "FR", "--given", "Zarmina", "--family", "Sadat",
        ],
    );
    let second = REVIEWER.json(
        &db,
        &[
            "person", "add", "--nation", "DE", "--given", "Nadia", "--family", "Karimi",
        ],
    );
    let (x, y) = (format!("P{}", first["id"]), format!("P{}", second["id"]));
    REVIEWER.ok(&db, &["dedup", "decide", &x, &y, "same"]);

    let rerun = REVIEWER.json(&db, &["dedup"]);
    assert_eq!(rerun["id"], 2);
    // The pair decided apart is neither queued nor in one cluster; the pair decided together is.
    let queue = REVIEWER.json(&db, &["dedup", "queue", "--limit", "1000"]);
    assert!(
        !queue
            .as_array()
            .unwrap()
            .iter()
            .any(|p| format!("P{}", p["a"]) == a && format!("P{}", p["b"]) == b),
        "a decided pair is never proposed again"
    );
    let matches_a = REVIEWER.json(&db, &["dedup", "matches", &a]);
    let mates: Vec<String> = matches_a["same_person"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| format!("P{}", p["id"]))
        .collect();
    assert!(!mates.contains(&b), "{matches_a}");
    let matches_x = REVIEWER.json(&db, &["dedup", "matches", &x]);
    assert_eq!(
        matches_x["same_person"][0]["id"], second["id"],
        "{matches_x}"
    );
    let decided = REVIEWER.json(&db, &["dedup", "queue", "--all", "--person", &a]);
    assert!(
        decided
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["decision"] == "not_same"),
        "{decided}"
    );

    // Taken back: the walk-ins are two records again after the next run.
    REVIEWER.ok(&db, &["dedup", "undo", &x, &y]);
    REVIEWER.fails(&db, &["dedup", "undo", &x, &y, "--version", "1"], 4);
    REVIEWER.ok(&db, &["dedup"]);
    let matches_x = REVIEWER.json(&db, &["dedup", "matches", &x]);
    assert!(
        matches_x["same_person"].as_array().unwrap().is_empty(),
        "{matches_x}"
    );

    // Every decision is in the audit trail, on each nation's record.
    let audit = REVIEWER.json(&db, &["audit", "list", "--limit", "100000"]);
    let decisions: Vec<&serde_json::Value> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "dedup.decide")
        .collect();
    // not-same (two nations or one), same (FR and DE), undo (FR and DE).
    assert!(decisions.len() >= 5, "{decisions:?}");
    assert!(
        decisions
            .iter()
            .any(|e| e["entity_id"] == x && e["nation"] == "FR")
    );
    assert!(
        decisions
            .iter()
            .any(|e| e["entity_id"] == y && e["nation"] == "DE")
    );
    assert_eq!(
        audit
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "dedup.run")
            .count(),
        3
    );
    assert!(REVIEWER.ok(&db, &["audit", "verify"]).contains("intact"));
}

fn a_nation_sees_only_that_another_nation_holds_the_same_person(backend: Backend) {
    let (_dir, db) = database(backend);
    REVIEWER.ok(
        &db,
        &["demo", "--persons", "600", "--no-serve", "--seed", "5"],
    );
    REVIEWER.ok(&db, &["dedup"]);
    let everyone = REVIEWER.json(&db, &["dedup", "queue", "--limit", "1000"]);
    let across = everyone
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["nation_a"] != p["nation_b"])
        .expect("the demo has pairs across nations");
    let nation = across["nation_a"].as_str().unwrap();
    let other = format!("P{}", across["b"]);

    let seen = REVIEWER.ok(
        &db,
        &[
            "--json", "dedup", "queue", "--nation", nation, "--limit", "1000",
        ],
    );
    let views: serde_json::Value = serde_json::from_str(&seen).unwrap();
    let views = views.as_array().unwrap();
    assert!(!views.is_empty());
    for view in views {
        if view["other_is_another_nation"] == true {
            assert!(
                view.get("other").is_none() && view.get("explanation").is_none(),
                "{view}"
            );
        }
    }
    let view = views
        .iter()
        .find(|v| v["person"] == across["a"] && v["other_is_another_nation"] == true)
        .unwrap();
    assert!(view["probability"].as_f64().unwrap() >= 0.5);
    let shown = REVIEWER.ok(
        &db,
        &[
            "dedup",
            "show",
            &format!("P{}", across["a"]),
            &other,
            "--nation",
            nation,
        ],
    );
    assert!(shown.contains("another nation"), "{shown}");
    assert!(!shown.contains(&other), "{shown}");
    // Only the nation's own record is printed: one person line.
    assert_eq!(
        shown
            .lines()
            .filter(|l| l.trim_start().starts_with('P'))
            .count(),
        2,
        "{shown}"
    );
    // A nation asking about another nation's person is told it does not exist.
    REVIEWER.fails(&db, &["dedup", "matches", &other, "--nation", nation], 3);
    // File mode still needs both ends.
    let output = REVIEWER.run(&db, &["dedup", "--input", "people.csv"]);
    assert!(!output.status.success());
}

contract_tests!(
    an_imported_copy_of_a_registered_person_joins_their_cluster,
    reviewers_decide_and_the_next_run_is_bound,
    a_nation_sees_only_that_another_nation_holds_the_same_person,
);
