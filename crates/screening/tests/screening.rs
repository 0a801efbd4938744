//! Screening behaviour on the real UN Consolidated List: who is found, who is not, and that
//! nothing panics. One `check` helper, one line per case.

use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;
use std::sync::OnceLock;

use airbridge_domain::{Calendar, NationCode, PartialDate};
use airbridge_sanctions::read_un;
use airbridge_screening::{Hit, Query, ScreenConfig, ScreeningIndex, parse_birth_date};
use proptest::prelude::*;

fn un_list_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/sanctions/un/consolidated_2026-05-08.xml")
}

/// The index over the real UN list, built once for all tests.
fn index() -> &'static ScreeningIndex {
    static INDEX: OnceLock<ScreeningIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let file = File::open(un_list_path()).expect("the shared UN list is present");
        let (list, _warnings) = read_un(BufReader::new(file)).expect("the UN list reads");
        ScreeningIndex::build(&[&list], &Default::default())
    })
}

fn query(name: &str, dob: &str, nationality: &str) -> Query {
    Query::by_name(name)
        .with_birth_date(parse_birth_date(dob))
        .with_nationality(NationCode::parse(nationality).ok())
}

fn screen(query: &Query) -> Vec<Hit> {
    index().screen(query, &ScreenConfig::default())
}

/// `expected`: the entry that must be the best hit, or `None` for no hit at the default
/// threshold.
fn check(name: &str, dob: &str, nationality: &str, expected: Option<&str>) {
    let hits = screen(&query(name, dob, nationality));
    let best = hits.first().map(|hit| hit.entry_ref.as_str());
    assert_eq!(
        best,
        expected,
        "{name} / {dob} / {nationality}: hits {:?}",
        hits.iter()
            .map(|h| (&h.entry_ref, &h.listed_name, h.score))
            .collect::<Vec<_>>()
    );
}

#[test]
fn listed_names_are_found_in_other_spellings_orders_and_scripts() {
    check("Abdul Ghani Baradar", "", "", Some("TAi.024"));
    check("Abdulghani Biradar", "", "", Some("TAi.024"));
    check("BARADAR, Abdul Ghani", "1968", "AF", Some("TAi.024"));
    check(
        "Mullah Abdul Ghani Berader",
        "1963-09-29",
        "",
        Some("TAi.024"),
    );
    check("عبدالغنی برادر", "", "", Some("TAi.024"));
    check("Abdulaziz Abasin", "1969", "AF", Some("TAi.155"));
    check("عبد العزيز عباسين", "", "", Some("TAi.155"));
    check("Azizurrahman Abdul Ahad", "1972", "", Some("TAi.121"));
    check("Ali Emran", "1967-07-04", "", Some("QDi.430"));
    // A Solar Hijri birth year is the Gregorian interval it covers (1347 SH ≈ 1968–69).
    check("Abdul Ghani Baradar", "1347", "AF", Some("TAi.024"));
}

#[test]
fn a_typo_in_the_only_informative_name_still_reaches_the_entry() {
    // One consonant changed, added or dropped in the one distinctive token changes its
    // blocking key; the typo keys still bring the entry to the scorer.
    for typo in [
        "Mullah Baradad",
        "Mullah Baradarr",
        "Mullah Bradar",
        "Mullah Baraadar",
    ] {
        let hits = index().screen(
            &query(typo, "1968", "AF"),
            &ScreenConfig {
                threshold: 0.3,
                max_hits: 50,
            },
        );
        assert!(
            hits.iter().any(|hit| hit.entry_ref == "TAi.024"),
            "{typo}: {:?}",
            hits.iter()
                .map(|h| (&h.entry_ref, &h.listed_name, h.score))
                .collect::<Vec<_>>()
        );
    }
}

/// The best hit on `expected` for a query, with the edits between the two names written as
/// one string when that is what matched.
fn written_alike(name: &str, dob: &str, nationality: &str, expected: &str) -> (f64, Option<u8>) {
    let hits = screen(&query(name, dob, nationality));
    let hit = hits
        .iter()
        .find(|hit| hit.entry_ref == expected)
        .unwrap_or_else(|| panic!("{name}: no hit on {expected}: {hits:?}"));
    let edits = hit
        .explanation
        .name
        .one_string
        .as_ref()
        .map(|one| one.edits);
    (hit.score, edits)
}

#[test]
fn a_slip_across_word_boundaries_is_one_string_one_edit_away() {
    // A hyphen moved: the same letters.
    let (score, edits) = written_alike("CHANG MYONGC-HIN", "1968-02-19", "KP", "KPi.007");
    assert_eq!(edits, Some(0));
    assert!(score > 0.95, "{score}");
    // A letter moved to the next word: the same letters.
    let (_, edits) = written_alike("AREFULLAHA REF GHAZI MOHAMMAD", "1958", "AF", "TAi.030");
    assert_eq!(edits, Some(0));
    // Two letters swapped inside a compound the engine joins (Abdul Bari), and across the
    // first sound (Abdur / Badur, Faiz / Afiz), where no token rule pairs them.
    for (name, dob, nationality, entry) in [
        ("ADBUL BARI AKHUND", "1953", "AF", "TAi.094"),
        ("BADUR REHMAN", "1965-10-03", "PK", "QDi.309"),
        ("AFIZ", "1969", "AF", "TAi.036"),
    ] {
        let (score, edits) = written_alike(name, dob, nationality, entry);
        assert_eq!(edits, Some(1), "{name}");
        assert!(score >= 0.7, "{name}: {score}");
    }
}

#[test]
fn the_one_string_channel_does_not_reach_names_two_slips_away() {
    // Two letters changed in a short single name: neither the tokens nor the one string match.
    let hits = index().screen(
        &query("Abiz", "1969", "AF"),
        &ScreenConfig {
            threshold: 0.5,
            max_hits: 50,
        },
    );
    assert!(
        hits.iter().all(|hit| hit.entry_ref != "TAi.036"),
        "{:?}",
        hits.iter()
            .map(|h| (&h.entry_ref, &h.listed_name, h.score))
            .collect::<Vec<_>>()
    );
}

#[test]
fn common_names_alone_or_with_a_conflicting_birth_year_are_not_hits() {
    check("Mohammad", "", "", None);
    check("Mullah Mohammad", "", "", None);
    check("Haji Mohammad", "1990", "AF", None);
    check("Mohammad Omar", "1995", "AF", None);
    check("Abdul Rahman", "2001-03-04", "AF", None);
    check("Mohammad Hashem Ahmadzai", "1992", "AF", None);
    check("Abdul Ghani", "1999", "AF", None);
}

#[test]
fn a_conflicting_birth_year_lowers_the_score_and_is_explained() {
    let agreeing = screen(&query("Abdul Ghani Baradar", "1968", "AF"));
    let conflicting = screen(&query("Abdul Ghani Baradar", "1995", "AF"));
    let score = |hits: &[Hit]| {
        hits.iter()
            .find(|h| h.entry_ref == "TAi.024")
            .map_or(0.0, |h| h.score)
    };
    assert!(score(&agreeing) > score(&conflicting) + 0.2);
    let explanation = serde_json::to_value(&agreeing[0].explanation).unwrap();
    assert_eq!(explanation["birth_date"]["status"], "compatible");
    assert_eq!(explanation["nationality"]["status"], "agrees");
    // The alias written exactly so beats the primary name, which adds the father's name.
    assert_eq!(explanation["name"]["listed_name"], "Abdul Ghani Baradar");
}

#[test]
fn a_document_number_match_is_found_even_with_a_weak_name() {
    let hits = screen(&Query::by_name("Gul Agha").with_documents(vec!["P 049-99950".into()]));
    let hit = hits
        .iter()
        .find(|hit| hit.entry_ref == "TAi.024")
        .expect("a hit on the document");
    assert!(hit.score >= 0.9, "{}", hit.score);
    let explanation = serde_json::to_value(&hit.explanation).unwrap();
    assert_eq!(explanation["document"]["status"], "matches");
    assert_eq!(explanation["document"]["number"], "P04999950");
}

#[test]
fn the_real_list_indexes_every_individual() {
    let stats = index().stats();
    assert!(stats.entries > 600, "{stats:?}");
    assert!(stats.names > stats.entries, "{stats:?}");
    assert!(stats.document_numbers > 100, "{stats:?}");
}

#[test]
fn screening_is_deterministic() {
    let q = query("Mohammad Omar Ghulam Nabi", "1960", "AF");
    let first: Vec<_> = screen(&q)
        .into_iter()
        .map(|h| (h.entry_ref, h.score))
        .collect();
    let second: Vec<_> = screen(&q)
        .into_iter()
        .map(|h| (h.entry_ref, h.score))
        .collect();
    assert_eq!(first, second);
    assert_eq!(first.first().map(|h| h.0.as_str()), Some("TAi.004"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn screening_never_panics_and_scores_stay_in_range(
        name in "\\PC{0,40}",
        year in proptest::option::of(1250i32..2100),
        documents in proptest::collection::vec("[A-Z0-9 -]{0,12}", 0..3),
    ) {
        let birth_date = year.and_then(|y| {
            let calendar = if y < 1500 { Calendar::SolarHijri } else { Calendar::Gregorian };
            PartialDate::year_only(calendar, y).ok()
        });
        let config = ScreenConfig { threshold: 0.0, max_hits: 50 };
        let q = Query::by_name(&name).with_birth_date(birth_date).with_documents(documents);
        let hits = index().screen(&q, &config);
        for pair in hits.windows(2) {
            prop_assert!(pair[0].score >= pair[1].score);
        }
        for hit in hits {
            prop_assert!((0.0..=1.0).contains(&hit.score), "{}", hit.score);
        }
    }

    #[test]
    fn summaries_are_the_hits_without_their_explanations(
        name in "(Abdul|Mohammad|Ghani|Baradar|Omar|Haji|Nabi|Zorwick|al-|[A-Za-z]{2,7}| ){1,5}",
    ) {
        let config = ScreenConfig { threshold: 0.3, max_hits: 20 };
        let q = query(&name, "1968", "AF");
        let hits = index().screen(&q, &config);
        let summaries = index().screen_summaries(&q, &config);
        prop_assert_eq!(hits.iter().map(Hit::summary).collect::<Vec<_>>(), summaries);
    }

    #[test]
    fn listed_names_find_their_entry(position in 0usize..600) {
        // Every listed individual's own primary name finds that individual among the hits.
        let names = listed_primary_names();
        let (reference, name) = &names[position % names.len()];
        let config = ScreenConfig { threshold: 0.3, max_hits: 50 };
        let hits = index().screen(&Query::by_name(name), &config);
        prop_assert!(hits.iter().any(|h| &h.entry_ref == reference), "{name} should find {reference}");
    }
}

fn listed_primary_names() -> &'static Vec<(String, String)> {
    static NAMES: OnceLock<Vec<(String, String)>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let file = File::open(un_list_path()).unwrap();
        let (list, _) = read_un(BufReader::new(file)).unwrap();
        list.entries
            .iter()
            .filter(|e| e.kind == airbridge_sanctions::EntryKind::Individual)
            .filter_map(|e| Some((e.reference.clone(), e.primary_name()?.full.clone())))
            .collect()
    })
}
