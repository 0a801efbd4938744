//! Manifests as the gate sees them: the CSV's rows, and the PDF's text as a PDF reader extracts
//! it (names in both scripts, families, seats, documents).

use airbridge_manifest::{Family, Manifest, Passenger, to_csv, to_pdf};

fn person(latin: &str, original: &str, document: &str, lap_infant: bool) -> Passenger {
    Passenger {
        name_latin: latin.into(),
        name_original: original.into(),
        nationality: "AF".into(),
        document: document.into(),
        lap_infant,
    }
}

fn manifest() -> Manifest {
    Manifest {
        flight_id: "RCH841".into(),
        operator: "US".into(),
        destination: "DOH".into(),
        departs_at: "2021-08-16T12:00:00Z".into(),
        capacity: 450,
        families: vec![
            Family {
                case_id: "C000017".into(),
                nation: "US".into(),
                seats: 3,
                people: 4,
                members: vec![
                    person("Ahmad Shah Ahmadzai", "احمد شاه احمدزی", "P01234567", false),
                    person("Zarghona Ahmadzai", "زرغونه احمدزی", "P01234568", false),
                    person("Malalai Ahmadzai", "ملالی احمدزی", "T-4411-0921", false),
                    person("Wais Ahmadzai", "ویس احمدزی", "", true),
                ],
            },
            Family {
                case_id: "C000042".into(),
                nation: "GB".into(),
                seats: 1,
                people: 1,
                members: vec![person("=cmd|' /C calc'!A0", "", "=1+1", false)],
            },
        ],
        stamp: None,
    }
}

#[test]
fn the_csv_lists_everyone_with_their_family_and_neutralises_formulas() {
    let text = String::from_utf8(to_csv(&manifest())).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "flight_id,case_id,case_nation,case_seats,name_latin,name_original,nationality,document,seat"
    );
    assert_eq!(
        lines[1],
        "RCH841,C000017,US,3,Ahmad Shah Ahmadzai,احمد شاه احمدزی,AF,P01234567,seat"
    );
    assert_eq!(
        lines[4],
        "RCH841,C000017,US,3,Wais Ahmadzai,ویس احمدزی,AF,,lap"
    );
    assert_eq!(
        lines[5],
        "RCH841,C000042,GB,1,'=cmd|' /C calc'!A0,,AF,'=1+1,seat"
    );
    assert_eq!(lines.len(), 6);
}

#[test]
fn a_stamped_csv_says_who_printed_it_above_the_header() {
    let stamped = Manifest {
        stamp: Some(airbridge_manifest::Stamp {
            by: "user:amelie".into(),
            at: "2021-08-16T09:30:00Z".into(),
        }),
        ..manifest()
    };
    let text = String::from_utf8(to_csv(&stamped)).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "# Airbridge manifest of flight RCH841 printed by user:amelie at 2021-08-16T09:30:00Z. Handle as sensitive personal data."
    );
    assert!(lines[1].starts_with("flight_id,case_id,"), "{}", lines[1]);
    assert_eq!(lines.len(), 7);
}

/// Text as PDF readers get it, with whitespace runs made single spaces.
fn pdf_text(pdf: &[u8]) -> String {
    let raw = pdf_extract::extract_text_from_mem(pdf).unwrap();
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_pdf_carries_names_in_both_scripts_families_seats_and_documents() {
    let pdf = to_pdf(&manifest()).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let text = pdf_text(&pdf);
    for expected in [
        "Flight RCH841 to DOH",
        "DOH",
        "2021-08-16T12:00:00Z",
        "Seats used: 4 of 450",
        "People aboard: 5 (1 lap infants) in 2 families",
        "Case C000017",
        "4 people",
        "3 seats",
        "Ahmad Shah Ahmadzai",
        "P01234567",
        "T-4411-0921",
        "Case C000042",
        "=cmd|' /C calc'!A0",
    ] {
        assert!(text.contains(expected), "{expected:?} not in {text}");
    }
    // Arabic script comes back as the names' letters, whichever way a reader orders the run.
    for name in ["احمد", "احمدزی", "زرغونه", "ملالی", "ویس"] {
        let reversed: String = name.chars().rev().collect();
        assert!(
            text.contains(name) || text.contains(&reversed),
            "{name} not in {text}"
        );
    }
}

#[test]
fn names_cannot_change_the_layout() {
    let mut manifest = manifest();
    manifest.families[0].members[0].name_latin =
        "#panic(\"x\") ]) *bold* $x$ <label> @ref \\".into();
    let pdf = to_pdf(&manifest).unwrap();
    assert!(pdf_text(&pdf).contains("#panic(\"x\")"));
}

#[test]
fn a_long_manifest_runs_over_pages_with_the_header_repeated() {
    let mut manifest = manifest();
    let family = manifest.families[0].clone();
    manifest.families = (0..60)
        .map(|i| Family {
            case_id: format!("C{i:06}"),
            ..family.clone()
        })
        .collect();
    let text = pdf_text(&to_pdf(&manifest).unwrap());
    assert!(text.contains("page 1 of"), "{text}");
    assert!(text.contains("page 3 of"), "{text}");
    assert!(text.contains("C000059"));
}
