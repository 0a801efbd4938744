//! The readers on real lists: the excerpts in `tests/fixtures/` and the whole official files in
//! the shared data folder (`../../../shared/data/sanctions/`, beside the repository in CI), plus
//! property tests that no input makes a reader panic.

use std::path::PathBuf;

use airbridge_sanctions::{
    DateQualifier, EntryKind, ListSource, NameQuality, ReadError, SanctionsList, Script, diff,
    read_ofac, read_un,
};
use proptest::prelude::*;

fn shared(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/sanctions")
        .join(path)
}

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn read_file(path: &PathBuf) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn un(bytes: &[u8]) -> SanctionsList {
    let (list, warnings) = read_un(bytes).unwrap();
    assert!(warnings.is_empty(), "{warnings:#?}");
    list
}

fn ofac_trio(sdn: &[u8], alt: &[u8], add: &[u8]) -> SanctionsList {
    let (list, warnings) = read_ofac(&mut &*sdn, Some(&mut &*alt), Some(&mut &*add)).unwrap();
    assert!(warnings.is_empty(), "{warnings:#?}");
    list
}

fn name_list(list: &SanctionsList, reference: &str) -> Vec<(String, NameQuality, Script)> {
    list.entry(reference)
        .unwrap_or_else(|| panic!("{reference} missing"))
        .names
        .iter()
        .map(|n| (n.full.clone(), n.quality, n.script))
        .collect()
}

#[test]
fn un_excerpt() {
    let list = un(&fixture("un_excerpt.xml"));
    assert_eq!(list.source, ListSource::Un);
    assert_eq!(list.version_date.as_deref(), Some("2026-05-08"));
    assert_eq!(list.entries.len(), 6);

    let abbasin = list.entry("TAi.155").unwrap();
    assert_eq!(abbasin.kind, EntryKind::Individual);
    assert_eq!(abbasin.names[0].full, "ABDUL AZIZ ABBASIN");
    assert_eq!(abbasin.names[0].parts, ["ABDUL AZIZ", "ABBASIN"]);
    assert_eq!(abbasin.names[1].full, "عبد العزيز عباسین");
    assert_eq!(abbasin.names[1].script, Script::Original);
    assert_eq!(abbasin.names[2].full, "Abdul Aziz Mahsud");
    assert_eq!(abbasin.names[2].quality, NameQuality::Good);
    assert_eq!(abbasin.birth_dates.len(), 1);
    assert_eq!(abbasin.birth_dates[0].qualifier, DateQualifier::Exact);
    assert_eq!(abbasin.birth_dates[0].year_range(), (1969, 1969));
    assert_eq!(abbasin.programs, ["Taliban"]);
    assert_eq!(abbasin.listed_on.as_deref(), Some("2011-10-04"));
    assert!(
        abbasin
            .comments
            .as_deref()
            .unwrap()
            .starts_with("Key commander in the Haqqani")
    );

    // An Arabic-script alias with its romanisations in parentheses becomes four names.
    let noorzai = name_list(&list, "TAi.154");
    for expected in [
        "حاجى مالك نورزى",
        "Hajji Malik Noorzai",
        "Haji Malek Noorzai",
    ] {
        assert!(
            noorzai.iter().any(|(n, _, _)| n == expected),
            "{expected}: {noorzai:#?}"
        );
    }

    let basir = list.entry("TAi.038").unwrap();
    let between = basir
        .birth_dates
        .iter()
        .find(|d| d.qualifier == DateQualifier::Between)
        .unwrap();
    assert_eq!(between.year_range(), (1960, 1962));
    assert_eq!(basir.nationalities, ["Afghanistan"]);

    let rehman = name_list(&list, "QDi.309");
    for expected in ["Abdul Rehman", "Abd Ur-Rehman", "Abdur Rahman"] {
        assert!(
            rehman.iter().any(|(n, _, _)| n == expected),
            "{expected}: {rehman:#?}"
        );
    }
    let sabet = name_list(&list, "IRi.034");
    assert!(
        sabet.iter().any(|(n, _, _)| n == "M. Javad Kareemi Sabet"),
        "{sabet:#?}"
    );
    assert!(
        !sabet.iter().any(|(n, _, _)| n.contains("b)")),
        "{sabet:#?}"
    );

    let haqqani = list.entry("TAe.012").unwrap();
    assert_eq!(haqqani.kind, EntryKind::Entity);
    assert_eq!(haqqani.names[0].full, "HAQQANI NETWORK (HQN)");
    assert!(haqqani.names[0].parts.is_empty());
}

#[test]
fn ofac_excerpt() {
    let list = ofac_trio(
        &fixture("ofac_excerpt_sdn.csv"),
        &fixture("ofac_excerpt_alt.csv"),
        &fixture("ofac_excerpt_add.csv"),
    );
    assert_eq!(list.source, ListSource::Ofac);
    assert_eq!(list.entries.len(), 5);
    let kinds: Vec<EntryKind> = list.entries.iter().map(|e| e.kind).collect();
    use EntryKind::*;
    assert_eq!(kinds, [Entity, Vessel, Individual, Individual, Individual]);

    let bank = name_list(&list, "306");
    assert_eq!(bank[0].0, "BANCO NACIONAL DE CUBA");
    assert_eq!(
        bank.last().unwrap(),
        &("BNC".to_owned(), NameQuality::Low, Script::Latin)
    );

    let rahim = list.entry("12923").unwrap();
    assert_eq!(rahim.names[0].parts, ["Fazal", "RAHIM"]);
    let dates: Vec<String> = rahim.birth_dates.iter().map(ToString::to_string).collect();
    assert_eq!(dates, ["1974-01-05", "1977", "1975", "1973-01-24"]);
    assert_eq!(rahim.nationalities, ["Afghanistan"]);
    assert_eq!(rahim.documents[0].kind, "Passport");
    assert_eq!(rahim.documents[0].number, "R512768");
    assert_eq!(rahim.documents[0].country.as_deref(), Some("Afghanistan"));
    assert!(
        rahim
            .names
            .iter()
            .skip(1)
            .all(|n| n.quality == NameQuality::Good)
    );
    assert!(rahim.names.len() > 1);

    let salam = list.entry("12562").unwrap();
    let passports: Vec<(&str, Option<&str>)> = salam
        .documents
        .iter()
        .filter(|d| d.kind == "Passport")
        .map(|d| (d.number.as_str(), d.country.as_deref()))
        .collect();
    assert_eq!(
        passports,
        [
            ("OR801168", Some("Afghanistan")),
            ("4117921", Some("Pakistan"))
        ]
    );
    assert!(!list.entry("306").unwrap().addresses.is_empty());
}

#[test]
fn un_2026_05_08_in_full() {
    let list = un(&read_file(&shared("un/consolidated_2026-05-08.xml")));
    let counts = list.counts();
    assert_eq!((counts.individuals, counts.entities), (737, 272));
    let abbasin = list.entry("TAi.155").unwrap();
    assert_eq!(abbasin.names[0].full, "ABDUL AZIZ ABBASIN");
    assert!(abbasin.names.iter().any(|n| n.full == "عبد العزيز عباسین"));
    assert_eq!(abbasin.birth_dates[0].year_range(), (1969, 1969));
    let taliban = list
        .entries
        .iter()
        .filter(|e| e.kind == EntryKind::Individual && e.programs == ["Taliban"])
        .count();
    assert_eq!(taliban, 135);
    // Every entry has a primary Latin name.
    assert!(list.entries.iter().all(|e| {
        e.names
            .first()
            .is_some_and(|n| n.quality == NameQuality::Primary)
    }));
}

#[test]
fn un_earlier_versions_and_their_diff() {
    let mut individuals = Vec::new();
    let mut lists = Vec::new();
    for version in ["2020-03-20", "2024-09-26", "2026-01-28", "2026-05-08"] {
        let bytes = read_file(&shared(&format!("un/consolidated_{version}.xml")));
        let list = un(&bytes);
        assert_eq!(list.version_date.as_deref(), Some(version));
        individuals.push(list.counts().individuals);
        lists.push(list);
    }
    assert_eq!(individuals, [709, 682, 726, 737]);

    let (old, new) = (&lists[2], &lists[3]);
    let changes = diff(old, new);
    assert_eq!(
        new.entries.len() as i64 - old.entries.len() as i64,
        changes.added.len() as i64 - changes.removed.len() as i64
    );
    assert!(!changes.added.is_empty());
    assert!(diff(new, new).is_empty());
    // The reverse diff swaps added and removed and finds the same changed entries.
    let reverse = diff(new, old);
    assert_eq!(reverse.added, changes.removed);
    assert_eq!(reverse.removed, changes.added);
    assert_eq!(reverse.changed.len(), changes.changed.len());
}

#[test]
fn ofac_2021_04_in_full() {
    let folder = shared("ofac/2021-04");
    let list = ofac_trio(
        &read_file(&folder.join("sdn.csv")),
        &read_file(&folder.join("alt.csv")),
        &read_file(&folder.join("add.csv")),
    );
    assert_eq!(list.entries.len(), 8_890);
    assert_eq!(list.counts().individuals, 4_566);
    let strong_aliases: usize = list
        .entries
        .iter()
        .map(|e| {
            e.names
                .iter()
                .filter(|n| n.quality == NameQuality::Good)
                .count()
        })
        .sum();
    assert_eq!(strong_aliases, 11_742);
    let omar = list.entry("6635").unwrap();
    assert_eq!(omar.names[0].full, "OMAR, Mohammed");
    assert_eq!(omar.birth_dates[0].year_range(), (1950, 1950));
    assert_eq!(omar.programs, ["SDGT"]);
}

#[test]
fn ofac_2024_05_sdn_alone() {
    let bytes = read_file(&shared("ofac/2024-05/sdn.csv"));
    let (list, warnings) = read_ofac(&mut bytes.as_slice(), None, None).unwrap();
    assert!(warnings.is_empty(), "{warnings:#?}");
    assert_eq!(list.entries.len(), 14_965);
}

#[test]
fn truncated_un_file_is_an_error_with_position() {
    let bytes = fixture("un_excerpt.xml");
    let cut = &bytes[..bytes.len() / 2];
    match read_un(cut) {
        Err(ReadError::Truncated { position, .. }) => assert!(position > 0),
        other => panic!("{other:?}"),
    }
}

/// Inputs made by damaging a real excerpt: the most likely shapes of a bad download.
fn damaged(original: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    let length = original.len();
    (
        prop::collection::vec((0..length, any::<u8>()), 0..8),
        0..=length,
    )
        .prop_map(move |(flips, keep)| {
            let mut bytes = original.clone();
            for (at, byte) in flips {
                bytes[at] = byte;
            }
            bytes.truncate(keep);
            bytes
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn un_reader_never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = read_un(bytes.as_slice());
    }

    #[test]
    fn un_reader_never_panics_on_damaged_lists(bytes in damaged(fixture("un_excerpt.xml"))) {
        let _ = read_un(bytes.as_slice());
    }

    #[test]
    fn un_reader_never_panics_on_tag_soup(
        parts in prop::collection::vec(prop::sample::select(vec![
            "<CONSOLIDATED_LIST>", "</CONSOLIDATED_LIST>", "<INDIVIDUALS>", "</INDIVIDUALS>",
            "<INDIVIDUAL>", "</INDIVIDUAL>", "<ENTITIES>", "<ENTITY>", "</ENTITY>",
            "<REFERENCE_NUMBER>", "</REFERENCE_NUMBER>", "<INDIVIDUAL_ALIAS>",
            "</INDIVIDUAL_ALIAS>", "<ALIAS_NAME>", "</ALIAS_NAME>", "<QUALITY>Low</QUALITY>",
            "<INDIVIDUAL_DATE_OF_BIRTH>", "</INDIVIDUAL_DATE_OF_BIRTH>", "<YEAR>", "</YEAR>",
            "<FROM_YEAR>1", "</FROM_YEAR>", "<DATE>", "</DATE>", "<NATIONALITY><VALUE>",
            "</VALUE></NATIONALITY>", "a; b) (c;", "1969", "-05:00", "&amp;", "&#0;", "&x;",
            "<![CDATA[x]]>", "<X/>", "\u{1a}", "عباس",
        ]), 0..40)
    ) {
        let _ = read_un(parts.concat().as_bytes());
    }

    #[test]
    fn ofac_reader_never_panics_on_bytes(
        sdn in prop::collection::vec(any::<u8>(), 0..512),
        alt in prop::collection::vec(any::<u8>(), 0..128),
    ) {
        let _ = read_ofac(&mut sdn.as_slice(), Some(&mut alt.as_slice()), None);
    }

    #[test]
    fn ofac_reader_never_panics_on_damaged_lists(
        sdn in damaged(fixture("ofac_excerpt_sdn.csv")),
        alt in damaged(fixture("ofac_excerpt_alt.csv")),
        add in damaged(fixture("ofac_excerpt_add.csv")),
    ) {
        let _ = read_ofac(&mut sdn.as_slice(), Some(&mut alt.as_slice()), Some(&mut add.as_slice()));
    }

    #[test]
    fn ofac_remarks_never_panic(remarks in "(DOB |alt\\. |circa |nationality |Passport |a\\.k\\.a\\. '|[0-9]{1,4}|Jan |to |; |\\(|\\)|-|\\PC){0,30}") {
        let row = format!("1,\"A, B\",\"individual\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"{}\"\n", remarks.replace('"', "\"\""));
        let (list, _) = read_ofac(&mut row.as_bytes(), None, None).unwrap();
        prop_assert_eq!(list.entries.len(), 1);
    }
}
