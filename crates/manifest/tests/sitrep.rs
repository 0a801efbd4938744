//! The situation report's PDF as a reader extracts it: totals, nations, days and flights, a
//! note when there is nothing yet, and data that cannot change the layout.

use airbridge_field::sitrep::{Count, Day, Flight, Sitrep};
use airbridge_manifest::sitrep::sitrep_pdf;

fn count(nation: &str, category: &str, status: &str, people: i64) -> Count {
    Count {
        nation: nation.into(),
        category: category.into(),
        status: status.into(),
        people,
    }
}

fn departed(day: &str, nation: &str, people: i64) -> Day {
    Day {
        day: day.into(),
        nation: nation.into(),
        status: "departed".into(),
        people,
    }
}

fn report() -> Sitrep {
    let counts = [
        count("FR", "national", "departed", 412),
        count("FR", "local_staff", "eligible", 1_250),
        count("FR", "local_staff", "called_forward", 96),
        count("FR", "local_staff", "no_show", 17),
        count("DE", "at_risk", "at_gate", 58),
        count("DE", "at_risk", "arrived", 1_003),
        count("DE", "undecided", "registered", 7),
        count("GB", "local_staff", "boarded", 221),
        count("GB", "local_staff", "denied", 4),
    ];
    let days = [
        departed("2021-08-16", "FR", 212),
        departed("2021-08-17", "DE", 1_003),
        departed("2021-08-18", "FR", 200),
    ];
    let flights = [
        Flight {
            flight: "FAF7201".into(),
            manifested: 212,
            boarded: 212,
            departed: 212,
            departed_on: Some("2021-08-16".into()),
        },
        Flight {
            flight: "GAF1033".into(),
            manifested: 1_003,
            boarded: 1_003,
            departed: 1_003,
            departed_on: Some("2021-08-17".into()),
        },
        Flight {
            flight: "RRR4412".into(),
            manifested: 240,
            boarded: 221,
            departed: 0,
            departed_on: None,
        },
    ];
    Sitrep::build(
        "2021-08-19 06:00 UTC".into(),
        "All nations".into(),
        &counts,
        &days,
        &flights,
    )
}

/// Text as PDF readers get it, with whitespace runs made single spaces.
fn pdf_text(pdf: &[u8]) -> String {
    let raw = pdf_extract::extract_text_from_mem(pdf).unwrap();
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_pdf_carries_the_totals_nations_days_and_flights() {
    let report = report();
    assert_eq!(report.total.evacuated, 1_415);
    let pdf = sitrep_pdf(&report).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let text = pdf_text(&pdf);
    for expected in [
        "Situation report",
        "2021-08-19 06:00 UTC",
        "All nations",
        "16 Aug",
        "18 Aug",
        "Local staff",
        "At risk",
        "FAF7201 2021-08-16 212",
        "GAF1033 2021-08-17 1,003",
        "2 flights flown, 1,215 seats used",
        "RRR4412 (221 of 240 aboard)",
        // Everyone, then waiting, called, at the airport, evacuated, no-shows, denied.
        "All nations 3,068 1,257 96 279 1,415 17 4",
        "FR All 1,775 1,250 96 0 412 17",
        "DE At risk 1,061",
    ] {
        assert!(text.contains(expected), "{expected:?} not in {text}");
    }
    // The headline figures: a reader may or may not put a space between label and figure.
    let compact = text.replace(' ', "");
    for expected in [
        "Evacuated1,415",
        "Attheairport279",
        "Calledforward96",
        "Waiting1,257",
        "No-shows17",
        "Flightsflown2",
        "Seatsused1,215",
    ] {
        assert!(compact.contains(expected), "{expected:?} not in {text}");
    }
    for nation in ["FR", "DE", "GB"] {
        assert!(
            text.contains(&format!("{nation} All")),
            "{nation} not in {text}"
        );
    }
}

#[test]
fn an_empty_report_is_a_valid_pdf_saying_there_is_nothing_yet() {
    let report = Sitrep::build("2021-08-14 06:00 UTC".into(), "FR".into(), &[], &[], &[]);
    let pdf = sitrep_pdf(&report).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let text = pdf_text(&pdf);
    assert!(text.contains("Nothing to report yet"), "{text}");
    assert!(text.contains("2021-08-14 06:00 UTC"));
}

#[test]
fn figures_without_departures_say_so_instead_of_a_chart() {
    let counts = [count("IT", "national", "registered", 5)];
    let report = Sitrep::build("t".into(), "IT".into(), &counts, &[], &[]);
    let text = pdf_text(&sitrep_pdf(&report).unwrap());
    assert!(text.contains("No departures recorded yet"), "{text}");
    assert!(text.contains("IT All"), "{text}");
}

#[test]
fn data_cannot_change_the_layout() {
    let counts = [count(
        "#panic(\"x\") ]) *b*",
        "$x$ <l> @r \\",
        "departed",
        3,
    )];
    let flights = [Flight {
        flight: "=1+1 #set page(width: 1cm)".into(),
        manifested: 3,
        boarded: 3,
        departed: 3,
        departed_on: Some("2021-08-20".into()),
    }];
    let days = [departed("2021-08-20", "#panic(\"x\") ]) *b*", 3)];
    let report = Sitrep::build(
        "]) #panic()".into(),
        "*scope* _x_".into(),
        &counts,
        &days,
        &flights,
    );
    let text = pdf_text(&sitrep_pdf(&report).unwrap());
    for expected in [
        "#panic(\"x\") ]) *b*",
        "$x$ <l> @r \\",
        "=1+1 #set page(width: 1cm)",
        "]) #panic()",
        "*scope* _x_",
    ] {
        assert!(text.contains(expected), "{expected:?} not in {text}");
    }
}

#[test]
fn thirty_days_and_twelve_nations_lay_out() {
    let nations = [
        "AU", "BE", "CA", "DE", "DK", "ES", "FR", "GB", "IT", "NL", "NO", "US",
    ];
    let days: Vec<Day> = (0..35)
        .flat_map(|d| {
            nations.iter().enumerate().map(move |(i, n)| {
                departed(
                    &format!("2021-{}", day_of(d)),
                    n,
                    (d * 7 + i as i64 * 13) % 90,
                )
            })
        })
        .collect();
    let counts: Vec<Count> = nations
        .iter()
        .map(|n| count(n, "local_staff", "departed", 1_000))
        .collect();
    let report = Sitrep::build("t".into(), "All nations".into(), &counts, &days, &[]);
    assert_eq!(report.days.len(), 35);
    let text = pdf_text(&sitrep_pdf(&report).unwrap());
    assert!(
        text.contains("Other"),
        "more nations than colours share one segment"
    );
    assert!(text.contains("1 Aug") && text.contains("3 Sep"), "{text}");
}

/// Day `d` from 1 August, as `MM-DD`.
fn day_of(d: i64) -> String {
    if d < 31 {
        format!("08-{:02}", d + 1)
    } else {
        format!("09-{:02}", d - 30)
    }
}
