//! Behaviour of the whole engine on planted people among a synthetic demo registry: the
//! background gives EM a population to learn from, as a real list would.

use airbridge_dedup::{
    ClusterRules, Columns, Config, Deduplicator, FieldWeight, Record, cluster, evaluate,
};
use airbridge_demo::{DemoConfig, generate};
use airbridge_domain::{Calendar, PartialDate, Sex};
use airbridge_names::NameEngine;
use proptest::prelude::*;

fn background(persons: usize) -> Vec<Record> {
    let mut records = Vec::new();
    for (case_number, case) in generate(DemoConfig { persons, seed: 11 }).enumerate() {
        for (member, person) in case.case.members.iter().enumerate() {
            records.push(Record::from_person(
                &format!("bg{case_number}-{member}"),
                &person.person,
            ));
        }
    }
    records
}

/// A planted record: `id`, names (given, family, father), sex, birth date as written.
fn person(id: &str, names: [&str; 3], sex: Sex, birth: &str) -> Record {
    let part = |text: &str| (!text.is_empty()).then(|| text.to_owned());
    Record {
        id: id.to_owned(),
        given: part(names[0]),
        family: part(names[1]),
        father: part(names[2]),
        sex,
        birth_date: PartialDate::parse(birth, None).ok(),
        ..Record::default()
    }
}

fn config() -> Config {
    // Fewer random pairs than the default keeps the debug-build test quick; u is still stable.
    Config {
        u_samples: 40_000,
        ..Config::default()
    }
}

fn run(planted: &[Record]) -> (Vec<Record>, Vec<String>) {
    let engine = NameEngine::new();
    let mut records = background(1500);
    records.extend(planted.iter().cloned());
    let outcome = Deduplicator::new(&engine, config())
        .unwrap()
        .run(&records)
        .unwrap();
    (records, outcome.cluster_ids)
}

fn cluster_of<'a>(records: &[Record], clusters: &'a [String], id: &str) -> &'a str {
    let index = records.iter().position(|r| r.id == id).unwrap();
    &clusters[index]
}

/// `groups` lists planted ids that must share a cluster; ids in different groups must not.
fn check(planted: &[Record], groups: &[&[&str]]) {
    let (records, clusters) = run(planted);
    for (index, group) in groups.iter().enumerate() {
        let first = cluster_of(&records, &clusters, group[0]);
        for id in &group[1..] {
            assert_eq!(
                cluster_of(&records, &clusters, id),
                first,
                "{id} should be with {}",
                group[0]
            );
        }
        for other in &groups[index + 1..] {
            assert_ne!(
                cluster_of(&records, &clusters, other[0]),
                first,
                "{} and {} should be apart",
                other[0],
                group[0]
            );
        }
    }
}

#[test]
fn transliteration_variants_and_solar_hijri_years_match() {
    let male = Sex::Male;
    check(
        &[
            person(
                "t1",
                ["Mohammad Hashem", "Ahmadzai", "Abdul Karim"],
                male,
                "1985-03-21",
            ),
            person(
                "t2",
                ["Muhammad Hashim", "Ahmadzay", "Abdulkarim"],
                male,
                "1364",
            ),
            person(
                "t3",
                ["محمد هاشم", "احمدزی", "عبدالکریم"],
                male,
                "1364/01/01 SH",
            ),
            person(
                "u1",
                ["Zarghona", "Noori", "Ghulam Sakhi"],
                Sex::Female,
                "1992-11-02",
            ),
            person(
                "u2",
                ["Zarghuna", "Nouri", "Gholam Sakhi"],
                Sex::Female,
                "1371/08/11",
            ),
        ],
        &[&["t1", "t2", "t3"], &["u1", "u2"]],
    );
}

#[test]
fn siblings_with_the_same_father_and_other_birth_years_stay_apart() {
    let male = Sex::Male;
    check(
        &[
            person(
                "s1",
                ["Ahmad", "Rahimi", "Ghulam Sakhi"],
                male,
                "1990-05-04",
            ),
            person(
                "s2",
                ["Mahmood", "Rahimi", "Ghulam Sakhi"],
                male,
                "1994-02-10",
            ),
            person("s3", ["Hamid", "Rahimi", "Ghulam Sakhi"], male, "1987"),
            person("s4", ["Ahmad", "Rahimi", "Gholam Sakhi"], male, "1369"),
        ],
        &[&["s1", "s4"], &["s2"], &["s3"]],
    );
}

#[test]
fn runs_are_identical_and_clusters_are_named_by_their_smallest_id() {
    let engine = NameEngine::new();
    let records = background(800);
    let dedup = Deduplicator::new(&engine, config()).unwrap();
    let first = dedup.run(&records).unwrap();
    let second = dedup.run(&records).unwrap();
    assert_eq!(first.cluster_ids, second.cluster_ids);
    for (record, cluster) in records.iter().zip(&first.cluster_ids) {
        assert!(cluster.as_str() <= record.id.as_str());
        let named = records.iter().position(|r| &r.id == cluster).unwrap();
        assert_eq!(&first.cluster_ids[named], cluster);
    }
}

#[test]
fn demo_registry_is_resolved() {
    // Not a benchmark: a floor that catches a broken model, far below the measured figure.
    let mut records = Vec::new();
    let mut truth = Vec::new();
    for (case_number, case) in generate(DemoConfig {
        persons: 3000,
        seed: 5,
    })
    .enumerate()
    {
        for (member, person) in case.case.members.iter().enumerate() {
            let mut record =
                Record::from_person(&format!("c{case_number}-{member}"), &person.person);
            record.case = Some(format!("c{case_number}"));
            record.relation = Some(person.relation);
            records.push(record);
            truth.push((case.family, member));
        }
    }
    let engine = NameEngine::new();
    let run = |config: Config| {
        let outcome = Deduplicator::new(&engine, config)
            .unwrap()
            .run(&records)
            .unwrap();
        (evaluate::pairwise(&truth, &outcome.cluster_ids), outcome)
    };
    // Floors that catch a broken model, well below the measured figures (README).
    let (scores, outcome) = run(config());
    assert!(scores.f1 > 0.85, "{scores:?}");
    assert!(evaluate::pairs_completeness(&truth, &outcome.candidate_pairs) > 0.85);
    // Matching the rest of a family once its principal is found is what finds the unnamed
    // "wife" and "child 3" records: without it, recall falls.
    let (alone, _) = run(Config {
        households: false,
        ..config()
    });
    assert!(
        scores.recall > alone.recall + 0.05,
        "{scores:?} vs {alone:?}"
    );
}

#[test]
fn a_common_name_and_a_birth_year_alone_do_not_make_one_person() {
    // Two girls called Zahra born in 2015, nothing else known: in a registry of thousands
    // that is a coincidence, not a match. The same with the father's and family names is one.
    check(
        &[
            person("z1", ["Zahra", "", ""], Sex::Female, "2015"),
            person("z2", ["Zahra", "", ""], Sex::Female, "2015"),
            person("k1", ["Karima", "Ahmadzai", "Hashem"], Sex::Female, "2015"),
            person("k2", ["Karimeh", "Ahmadzay", "Hashim"], Sex::Female, "1393"),
        ],
        &[&["z1"], &["z2"], &["k1", "k2"]],
    );
}

#[test]
fn bad_configuration_and_ids_are_errors() {
    let engine = NameEngine::new();
    let bad = Config {
        threshold: 1.0,
        ..Config::default()
    };
    assert!(Deduplicator::new(&engine, bad).is_err());
    let dedup = Deduplicator::new(&engine, config()).unwrap();
    let twice = vec![
        person("x", ["A", "B", ""], Sex::Male, "1990"),
        person("x", ["C", "D", ""], Sex::Male, "1991"),
    ];
    assert!(dedup.run(&twice).is_err());
    assert!(dedup.run(&[]).unwrap().cluster_ids.is_empty());
}

fn arbitrary_record() -> impl Strategy<Value = Record> {
    (
        "[a-zA-Z ]{0,14}",
        "[a-zA-Z]{0,10}",
        proptest::option::of(1900i32..2020),
        "[0-9]{0,8}",
    )
        .prop_map(|(given, family, year, document)| Record {
            given: (!given.trim().is_empty()).then_some(given),
            family: (!family.is_empty()).then_some(family),
            birth_date: year.and_then(|y| PartialDate::parse(&y.to_string(), None).ok()),
            documents: if document.is_empty() {
                Vec::new()
            } else {
                vec![document]
            },
            ..Record::default()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn scores_are_finite_and_clusters_partition(mut records in proptest::collection::vec(arbitrary_record(), 0..40)) {
        for (index, record) in records.iter_mut().enumerate() {
            record.id = format!("r{index:03}");
        }
        let engine = NameEngine::new();
        let outcome = Deduplicator::new(&engine, Config { u_samples: 2_000, ..Config::default() })
            .unwrap()
            .run(&records)
            .unwrap();
        prop_assert_eq!(outcome.cluster_ids.len(), records.len());
        for weight in &outcome.pair_weights {
            prop_assert!(weight.is_finite());
        }
        for a in 0..records.len().min(8) {
            for b in 0..records.len().min(8) {
                let explanation = outcome.explain(&engine, a, b).unwrap();
                prop_assert!(explanation.total.is_finite());
                prop_assert!((0.0..=1.0).contains(&explanation.probability));
            }
        }
        // Every cluster id names a record of that same cluster.
        for cluster in &outcome.cluster_ids {
            let named = records.iter().position(|r| &r.id == cluster).unwrap();
            prop_assert_eq!(&outcome.cluster_ids[named], cluster);
        }
    }

    #[test]
    fn clustering_is_a_partition(links in proptest::collection::vec((0u32..30, 0u32..30, 0.0f64..1.0), 0..80)) {
        let links: Vec<(u32, u32, f64)> = links
            .into_iter()
            .filter(|(a, b, _)| a != b)
            .map(|(a, b, p)| (a.min(b), a.max(b), p))
            .collect();
        let table: std::collections::HashMap<(u32, u32), f64> =
            links.iter().map(|&(a, b, p)| ((a, b), p)).collect();
        let strong = links.iter().copied().filter(|l| l.2 >= 0.5).collect();
        let cases: Vec<u32> = (0..30).map(|r| r / 3).collect();
        let rules = ClusterRules { support: 0.5, veto: 0.001, max_checked: 16 };
        let labels = cluster(30, strong, &cases, rules, |a, b| table.get(&(a, b)).copied().unwrap_or(0.0));
        prop_assert_eq!(labels.len(), 30);
        for (record, &label) in labels.iter().enumerate() {
            prop_assert!(label as usize <= record);
            prop_assert_eq!(labels[label as usize], label);
            // Two members of one case never share a cluster.
            for other in 0..30 {
                if other != record && cases[other] == cases[record] {
                    prop_assert_ne!(labels[other], label);
                }
            }
        }
    }
}

#[test]
fn reviewers_decisions_bind_the_clusters_and_unknown_ids_are_ignored() {
    use airbridge_dedup::Decisions;
    let engine = NameEngine::new();
    let mut records = background(1500);
    let planted = [
        person(
            "d1",
            ["Gul Ahmad", "Sadat", "Habibullah"],
            Sex::Male,
            "1980-01-01",
        ),
        person(
            "d2",
            ["Gul Ahmad", "Sadat", "Habibullah"],
            Sex::Male,
            "1980",
        ),
        person(
            "d3",
            ["Gulahmad", "Saadat", "Habibulla"],
            Sex::Male,
            "1980-01-01",
        ),
        person(
            "e1",
            ["Farida", "Noori", "Ghulam Sakhi"],
            Sex::Female,
            "1991-05-02",
        ),
        person(
            "e2",
            ["Nazanin", "Rahimi", "Abdul Wahid"],
            Sex::Female,
            "1979-09-30",
        ),
    ];
    records.extend(planted.iter().cloned());
    let deduplicator = Deduplicator::new(&engine, config()).unwrap();
    let plain = deduplicator.run(&records).unwrap().cluster_ids;
    assert_eq!(
        cluster_of(&records, &plain, "d1"),
        cluster_of(&records, &plain, "d2")
    );
    assert_eq!(
        cluster_of(&records, &plain, "d1"),
        cluster_of(&records, &plain, "d3")
    );
    assert_ne!(
        cluster_of(&records, &plain, "e1"),
        cluster_of(&records, &plain, "e2")
    );

    // A reviewer knows d1 and d2 are a father and his namesake son's record mixed up: two
    // people; and that e1 and e2 are one woman (a name changed at marriage, say).
    let decisions = Decisions {
        together: vec![("e2".into(), "e1".into()), ("e1".into(), "gone".into())],
        apart: vec![("d1".into(), "d2".into()), ("nobody".into(), "d3".into())],
    };
    let outcome = deduplicator.run_with(&records, &decisions).unwrap();
    let bound = &outcome.cluster_ids;
    assert_ne!(
        cluster_of(&records, bound, "d1"),
        cluster_of(&records, bound, "d2")
    );
    // d3 still joins one of them: the decision is about d1 and d2 only.
    let d3 = cluster_of(&records, bound, "d3");
    assert!(d3 == cluster_of(&records, bound, "d1") || d3 == cluster_of(&records, bound, "d2"));
    assert_eq!(
        cluster_of(&records, bound, "e1"),
        cluster_of(&records, bound, "e2")
    );
    // Nothing else moved.
    let moved = records
        .iter()
        .enumerate()
        .filter(|(i, r)| !r.id.starts_with(['d', 'e']) && plain[*i] != bound[*i])
        .count();
    assert_eq!(moved, 0);
    // The uncertain band is sorted, inside its bounds and made of scored pairs.
    let band = outcome.pairs_between(0.2, 0.95);
    assert!(band.windows(2).all(|w| w[0].2 >= w[1].2));
    assert!(
        band.iter()
            .all(|&(a, b, p)| a < b && (0.2..0.95).contains(&p))
    );
}

#[test]
fn a_new_record_is_matched_against_the_registry_as_the_batch_scores_it() {
    use airbridge_dedup::Index;
    let engine = NameEngine::new();
    let mut records = background(1500);
    let planted = [
        person(
            "h1",
            ["Mohammad Hashem", "Ahmadzai", "Abdul Karim"],
            Sex::Male,
            "1985-03-21",
        ),
        person(
            "h2",
            ["Muhammad Hashim", "Ahmadzay", "Abdulkarim"],
            Sex::Male,
            "1364",
        ),
        person(
            "z1",
            ["Zarghona", "Noori", "Ghulam Sakhi"],
            Sex::Female,
            "1992-11-02",
        ),
    ];
    records.extend(planted.iter().cloned());
    let outcome = Deduplicator::new(&engine, config())
        .unwrap()
        .run(&records)
        .unwrap();
    // The model survives being kept as JSON with the run.
    let kept = serde_json::to_string(&outcome.model).unwrap();
    let model: airbridge_dedup::Model = serde_json::from_str(&kept).unwrap();
    // (JSON may round the last bit of a float.)
    let close = |x: f64, y: f64| (x - y).abs() <= 1e-12 * x.abs().max(y.abs());
    assert!(close(model.lambda, outcome.model.lambda));
    for (read, fitted) in model.fields.iter().zip(&outcome.model.fields) {
        assert_eq!(
            (read.comparison, read.active),
            (fitted.comparison, fitted.active)
        );
        assert!(read.m.iter().zip(&fitted.m).all(|(x, y)| close(*x, *y)));
        assert!(read.u.iter().zip(&fitted.u).all(|(x, y)| close(*x, *y)));
    }

    let mut index = Index::new(&engine, model, &records, Config::default().max_block);
    assert_eq!(index.len(), records.len());
    let position = |id: &str| records.iter().position(|r| r.id == id).unwrap();
    // A walk-in written in Arabic script finds both of his records, most likely first.
    let walk_in = person(
        "new",
        ["محمد هاشم", "احمدزی", "عبدالکریم"],
        Sex::Male,
        "1364/01/01 SH",
    );
    let found = index.matches(&walk_in, 0.5);
    let positions: Vec<usize> = found.iter().map(|m| m.position).collect();
    assert!(positions.contains(&position("h1")), "{found:?}");
    assert!(positions.contains(&position("h2")), "{found:?}");
    assert!(
        found
            .windows(2)
            .all(|w| w[0].probability >= w[1].probability)
    );
    assert!(!positions.contains(&position("z1")));
    // An existing record scores its duplicate as the batch did (frequencies differ only by
    // the record counted once more).
    let batch = outcome
        .explain(&engine, position("h1"), position("h2"))
        .unwrap()
        .probability;
    let incremental = index
        .matches(&records[position("h1")], 0.0)
        .into_iter()
        .find(|m| m.position == position("h2"))
        .unwrap()
        .probability;
    assert!(
        (batch - incremental).abs() < 0.02,
        "{batch} vs {incremental}"
    );
    let explained = index.explain(&walk_in, position("h1")).unwrap();
    assert!(
        explained
            .fields
            .iter()
            .any(|f| f.field == "birth_date" && f.weight > 0.0)
    );
    // A stranger matches nobody.
    let stranger = person(
        "s",
        ["Xiomara", "Lindqvist", "Bertil"],
        Sex::Female,
        "1950-02-02",
    );
    assert!(index.matches(&stranger, 0.5).is_empty());

    // Kept by a server: a newcomer put in the index is found by the next one, ...
    let newcomer = index.upsert(None, &stranger);
    assert_eq!(newcomer, records.len());
    let again = person(
        "s2",
        ["Xiomara", "Lindquist", "Bertil"],
        Sex::Female,
        "1950-02-02",
    );
    let found = index.matches(&again, 0.5);
    assert_eq!(
        found.first().map(|m| m.position),
        Some(newcomer),
        "{found:?}"
    );
    // ... and a person who changed is found as they are now, not as they were.
    let renamed = person(
        "s",
        ["Zarghuna", "Nuri", "Ghulam Sakhi"],
        Sex::Female,
        "1371",
    );
    assert_eq!(index.upsert(Some(newcomer), &renamed), newcomer);
    assert_eq!(index.len(), records.len() + 1);
    assert!(index.matches(&again, 0.5).is_empty());
    let found: Vec<usize> = index
        .matches(&records[position("z1")], 0.5)
        .iter()
        .map(|m| m.position)
        .collect();
    assert!(found.contains(&newcomer), "{found:?}");
}

#[test]
fn birth_dates_of_any_era_are_read_and_only_garbage_is_kept_as_text() {
    let headers: Vec<String> = ["record_id", "given_name", "dob"]
        .map(str::to_owned)
        .to_vec();
    let columns = Columns::from_header(&headers, &[]).unwrap();
    // A historical date is read as Gregorian, a Solar Hijri one as Solar Hijri.
    let (old, problems) = columns.record(&["1", "Thomas", "1630-08-01"]);
    assert!(problems.is_empty(), "{problems:?}");
    let date = old.birth_date.expect("read");
    assert_eq!((date.calendar(), date.year()), (Calendar::Gregorian, 1630));
    let (shamsi, _) = columns.record(&["2", "Sadia", "1376/05/12"]);
    assert_eq!(shamsi.birth_date.unwrap().calendar(), Calendar::SolarHijri);
    // What is not a date at all is kept as text, with a message naming it.
    let (garbage, problems) = columns.record(&["3", "Sadia", "born in spring"]);
    assert!(garbage.birth_date.is_none());
    assert_eq!(garbage.birth_date_text.as_deref(), Some("born in spring"));
    assert!(problems[0].contains("born in spring"), "{problems:?}");
}

#[test]
fn a_column_mapped_to_a_dash_is_left_out() {
    let headers: Vec<String> = ["unique_id", "full_name", "first_name", "surname"]
        .map(str::to_owned)
        .to_vec();
    let renames = [
        ("unique_id", "record_id"),
        ("full_name", "-"),
        ("first_name", "given_name"),
    ]
    .map(|(a, b)| (a.to_owned(), b.to_owned()));
    let columns = Columns::from_header(&headers, &renames).unwrap();
    let (record, _) = columns.record(&["Q1-2", "thomas of chudleigh", "thomas", "chudleigh"]);
    assert_eq!(record.id, "Q1-2");
    assert_eq!(record.full, None);
    assert_eq!(record.given.as_deref(), Some("thomas"));
    assert_eq!(record.family.as_deref(), Some("chudleigh"));
    // Without the dash, the whole name is read.
    let columns = Columns::from_header(&headers, &renames[..1]).unwrap();
    let (record, _) = columns.record(&["Q1-2", "thomas of chudleigh", "thomas", "chudleigh"]);
    assert_eq!(record.full.as_deref(), Some("thomas of chudleigh"));
}

#[test]
fn a_shared_email_address_makes_namesakes_one_person() {
    // As above, two Zahras born in 2015 are a coincidence; the same e-mail address on both
    // (written in another case) says one person, and a third Zahra with another address
    // stays apart.
    let with_email = |id: &str, email: &str| Record {
        email: Some(email.to_owned()),
        ..person(id, ["Zahra", "", ""], Sex::Female, "2015")
    };
    let mut planted = vec![
        with_email("z1", "zahra.family@example.org"),
        with_email("z2", "zahra.family@example.org"),
        with_email("z3", "another.zahra@example.net"),
    ];
    // A few more people with addresses, so that the field has pairs to be learnt from.
    for n in 0..30 {
        let mut record = person(
            &format!("e{n}"),
            ["Maryam", "Rahimi", ""],
            Sex::Female,
            "1990",
        );
        record.email = Some(format!("person{n}@example.org"));
        planted.push(record);
    }
    let (records, clusters) = run(&planted);
    assert_eq!(
        cluster_of(&records, &clusters, "z1"),
        cluster_of(&records, &clusters, "z2")
    );
    assert_ne!(
        cluster_of(&records, &clusters, "z1"),
        cluster_of(&records, &clusters, "z3")
    );
}

/// Deduplicates `records` and tells whether blocking made the two records (by id) a candidate
/// pair.
/// Whether a run of `records` under `config` compared the records with ids `a` and `b`.
fn compared_in(records: &[Record], config: Config) -> impl Fn(&str, &str) -> bool + '_ {
    let engine = NameEngine::new();
    let outcome = Deduplicator::new(&engine, config)
        .unwrap()
        .run(records)
        .unwrap();
    move |a: &str, b: &str| {
        let at = |id: &str| records.iter().position(|r| r.id == id).unwrap() as u32;
        let pair = (at(a).min(at(b)), at(a).max(at(b)));
        outcome.candidate_pairs.binary_search(&pair).is_ok()
    }
}

/// Whether blocking's keys bring the records with ids `a` and `b` together (never comparing
/// a small list whole).
fn blocked_together(records: &[Record]) -> impl Fn(&str, &str) -> bool + '_ {
    compared_in(
        records,
        Config {
            exhaustive_pairs: 0,
            ..config()
        },
    )
}

/// Runs the deduplicator over `records` and returns how the pair of records with ids `a` and
/// `b` is explained, field by field (`explained(a, b, field)`).
fn explained(records: &[Record]) -> impl Fn(&str, &str, &str) -> FieldWeight + '_ {
    let engine = NameEngine::new();
    let outcome = Deduplicator::new(&engine, config())
        .unwrap()
        .run(records)
        .unwrap();
    move |a: &str, b: &str, field: &str| {
        let at = |id: &str| records.iter().position(|r| r.id == id).unwrap();
        let explanation = outcome.explain(&engine, at(a), at(b)).unwrap();
        explanation
            .fields
            .into_iter()
            .find(|f| f.field == field)
            .unwrap()
    }
}

#[test]
fn a_whole_name_that_says_its_parts_is_compared_part_by_part() {
    // One list writes "FAMILY Given d/o Father" in one column, another has a column for each
    // part: the father's name is compared, and a different father counts against.
    let mut records = background(200);
    let whole = |id: &str, name: &str| Record {
        full: Some(name.to_owned()),
        ..person(id, ["", "", ""], Sex::Female, "1990-05-03")
    };
    records.extend([
        person(
            "parts",
            ["Karima", "Ahmadzai", "Mohammad"],
            Sex::Female,
            "1990-05-03",
        ),
        whole("same-father", "AHMADZAI Karima d/o Mohammad"),
        whole("other-father", "AHMADZAI Karima d/o Abdul Rahim"),
        whole("unsaid", "Karima Ahmadi"),
    ]);
    let field = explained(&records);
    let father = |other: &str| {
        // Compared as given and family names, not as one whole name.
        assert_eq!(
            field("parts", other, "full_name").level,
            "missing",
            "{other}"
        );
        assert!(field("parts", other, "given_name").weight > 0.0, "{other}");
        field("parts", other, "father_name").weight
    };
    assert!(father("same-father") > 0.0);
    assert!(father("other-father") < 0.0);
    // A whole name with nothing to tell its parts apart stays whole.
    assert_ne!(field("parts", "unsaid", "full_name").level, "missing");
}

#[test]
fn a_small_list_is_compared_whole_and_a_large_one_by_its_keys() {
    // "Edward" and his pen name "Jaido" share no key, "Rahimi" is too common to block on here,
    // and nothing else is known: only comparing every pair brings them together, which a
    // list of about 300 records (some 45,000 pairs) affords under the default budget and
    // not under a smaller one.
    let mut records = background(200);
    records.extend(many_rahimis());
    let bare = |id: &str, given: &str| person(id, [given, "Rahimi", ""], Sex::Unknown, "");
    records.extend([bare("bare-a", "Edward"), bare("bare-b", "Jaido")]);
    let pairs = (records.len() * (records.len() - 1) / 2) as u64;
    let whole = compared_in(&records, config());
    assert!(whole("bare-a", "bare-b"));
    assert!(whole(&records[0].id, &records[199].id));
    let keyed = compared_in(
        &records,
        Config {
            exhaustive_pairs: pairs - 1,
            ..config()
        },
    );
    assert!(!keyed("bare-a", "bare-b"));
    let engine = NameEngine::new();
    let outcome = Deduplicator::new(&engine, config())
        .unwrap()
        .run(&records)
        .unwrap();
    assert!(outcome.blocking.exhaustive);
    assert_eq!(outcome.candidate_pairs.len() as u64, pairs);
}

/// Eighty records of four given names with the family name "Rahimi" and nothing else: a
/// family name too common for its block to be kept under the cap.
fn many_rahimis() -> impl Iterator<Item = Record> {
    (0..80).map(|n| {
        person(
            &format!("r{n}"),
            [["Ahmad", "Karim", "Farid", "Nadia"][n % 4], "Rahimi", ""],
            Sex::Unknown,
            "",
        )
    })
}

#[test]
fn a_common_family_name_is_compared_within_one_birthplace_or_occupation() {
    // "Rahimi" alone is too common to block on here (over the block cap); "Edward" and his
    // pen name "Jaido" share no key, and there is no date. The same family name and place of
    // birth (or occupation) still bring the two records together; without them, nothing does.
    let mut records = background(300);
    records.extend(many_rahimis());
    let with = |id: &str, given: &str, place: Option<&str>, occupation: Option<&str>| Record {
        place_of_birth: place.map(str::to_owned),
        occupation: occupation.map(str::to_owned),
        ..person(id, [given, "Rahimi", ""], Sex::Male, "")
    };
    records.extend([
        with("place-a", "Edward", Some("Herat"), None),
        with("place-b", "Jaido", Some("Herat"), None),
        with("job-a", "Edward", None, Some("interpreter")),
        with("job-b", "Jaido", None, Some("interpreter")),
        with("bare-a", "Edward", None, None),
        with("bare-b", "Jaido", None, None),
    ]);
    let compared = blocked_together(&records);
    assert!(compared("place-a", "place-b"));
    assert!(compared("job-a", "job-b"));
    assert!(!compared("bare-a", "bare-b"));
}

#[test]
fn a_real_birth_day_or_an_email_name_alone_is_compared_in_a_small_list() {
    // Records whose names are gone or damaged: one shares only a real day of birth, one only
    // the name part of an e-mail address (its domain misspelt). In a small list those are
    // worth comparing; a year or a 1 January placeholder is not.
    let mut records = background(200);
    let bare = |id: &str, birth: &str, email: Option<&str>| Record {
        email: email.map(str::to_owned),
        ..person(id, ["", "", ""], Sex::Unknown, birth)
    };
    records.extend([
        person("day-a", ["Henry", "Williams", ""], Sex::Male, "2007-02-03"),
        bare("day-b", "2007-02-03", None),
        Record {
            email: Some("henry.w@miller-mitchell.info".into()),
            ..person("mail-a", ["Henry", "Williams", ""], Sex::Male, "")
        },
        bare("mail-b", "", Some("henry.w@miller-mitheiln.lnfo")),
        person("year-a", ["Henry", "Williams", ""], Sex::Male, "1931"),
        bare("year-b", "1931", None),
    ]);
    let compared = blocked_together(&records);
    assert!(compared("day-a", "day-b"));
    assert!(compared("mail-a", "mail-b"));
    assert!(!compared("year-a", "year-b"));
}

#[test]
fn a_familiar_form_of_a_name_is_blocked_with_and_counts_for_the_full_form() {
    // "Rahimi" is too common to block on here; "Ned" is a familiar form of "Edward", and the
    // names engine gives the two a shared key: the records meet, and their given names count
    // for more than two different names do.
    let mut records = background(300);
    records.extend(many_rahimis());
    records.extend([
        person("edward", ["Edward", "Rahimi", ""], Sex::Male, "1961"),
        person("ned", ["Ned", "Rahimi", ""], Sex::Male, "1961"),
        person("other", ["Farhad", "Rahimi", ""], Sex::Male, "1961"),
    ]);
    assert!(blocked_together(&records)("edward", "ned"));
    let field = explained(&records);
    let given = |other: &str| field("edward", other, "given_name").weight;
    assert!(
        given("ned") > given("other") + 1.0,
        "Ned {}, Farhad {}",
        given("ned"),
        given("other")
    );
}

#[test]
fn a_rare_postcode_alone_brings_records_together_and_a_common_one_does_not() {
    // A pen name shares nothing with the name it stands for; a postcode that few records
    // hold still brings the two together. One that many hold (a weak key's block is capped
    // at a quarter of the cap) does not.
    let mut records = background(200);
    let at_postcode = |id: &str, given: &str, family: &str, postcode: &str| Record {
        postcode: Some(postcode.to_owned()),
        ..person(id, [given, family, ""], Sex::Unknown, "")
    };
    records.extend([
        at_postcode("pen", "Lewis", "Carroll", "WA4 6SS"),
        at_postcode("real", "Charles", "Dodgson", "WA4 6SS"),
    ]);
    for n in 0..40 {
        let name = ["Zarghuna", "Farhad", "Wazhma", "Naveed"][n % 4];
        records.push(at_postcode(&format!("c{n}"), name, "Stanikzai", "KBL 1001"));
    }
    records.extend([
        at_postcode("pen-2", "Jaido", "Morata", "KBL 1001"),
        at_postcode("real-2", "John", "Vickers", "KBL 1001"),
    ]);
    let together = blocked_together(&records);
    assert!(together("pen", "real"));
    assert!(!together("pen-2", "real-2"));
}
