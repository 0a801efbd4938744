//! Writes a synthetic situation report (12 nations, 14 days, made-up figures, no names) as PDF
//! and CSV, to look at and for the docs' screenshot:
//! `cargo run -p airbridge-manifest --example sitrep -- OUT.pdf` (the CSV goes beside it).

use airbridge_field::sitrep::{Count, Day, Flight, Sitrep};
use airbridge_manifest::sitrep::sitrep_pdf;

const NATIONS: [&str; 12] = [
    "US", "GB", "DE", "FR", "IT", "CA", "NL", "ES", "AU", "BE", "DK", "NO",
];
const CATEGORIES: [&str; 4] = ["national", "local_staff", "at_risk", "undecided"];

/// A fixed, made-up figure from a few small numbers: the same every run.
fn figure(seed: usize, scale: i64) -> i64 {
    let mixed = (seed as u64).wrapping_mul(2_654_435_761).rotate_left(13) % 1_000;
    (mixed as i64 * scale) / 1_000
}

fn main() {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "sitrep.pdf".into());
    // Larger nations first: the US and the UK flew most.
    let weight = |n: usize| 12 - n as i64;
    let mut counts = Vec::new();
    let mut days = Vec::new();
    for (n, nation) in NATIONS.iter().enumerate() {
        for (c, category) in CATEGORIES.iter().enumerate() {
            if category == &"undecided" && n % 3 != 0 {
                continue;
            }
            let seed = n * 10 + c;
            for (s, (status, scale)) in [
                ("registered", 40),
                ("eligible", 120),
                ("called_forward", 30),
                ("at_gate", 12),
                ("processed", 8),
                ("manifested", 20),
                ("no_show", 6),
                ("denied", 3),
                ("ineligible", 5),
                ("withdrawn", 2),
            ]
            .into_iter()
            .enumerate()
            {
                counts.push(Count {
                    nation: (*nation).into(),
                    category: (*category).into(),
                    status: status.into(),
                    people: figure(seed * 31 + s, scale * weight(n)),
                });
            }
        }
        // Departures over 14 days, rising to the peak of the airlift and falling at the end.
        let mut flown = 0;
        for d in 0..14 {
            let peak = 7 - (d as i64 - 8).abs();
            let people = if peak > 0 {
                figure(n * 100 + d, 60 * peak * weight(n))
            } else {
                0
            };
            flown += people;
            days.push(Day {
                day: format!("2021-08-{:02}", 15 + d),
                nation: (*nation).into(),
                status: "departed".into(),
                people,
            });
        }
        counts.push(Count {
            nation: (*nation).into(),
            category: "local_staff".into(),
            status: "arrived".into(),
            people: flown,
        });
    }
    let evacuated: i64 = days.iter().map(|d| d.people).sum();
    let mut flights: Vec<Flight> = (0..evacuated / 300)
        .map(|i| Flight {
            flight: format!(
                "{}{:04}",
                ["RCH", "RRR", "GAF", "FAF"][i as usize % 4],
                1_000 + i * 7
            ),
            manifested: 300,
            boarded: 300,
            departed: 300,
            departed_on: Some(format!(
                "2021-08-{:02}",
                16 + (i * 13 / (evacuated / 300)).min(12)
            )),
        })
        .collect();
    flights.push(Flight {
        flight: "RCH9901".into(),
        manifested: 280,
        boarded: 96,
        departed: 0,
        departed_on: None,
    });
    let report = Sitrep::build(
        "2021-08-29 06:00 Kabul".into(),
        "All nations (synthetic figures)".into(),
        &counts,
        &days,
        &flights,
    );
    let pdf = sitrep_pdf(&report).expect("a layout");
    std::fs::write(&out, pdf).expect("writable");
    let csv = std::path::Path::new(&out).with_extension("csv");
    std::fs::write(&csv, report.to_csv()).expect("writable");
    println!("{out} and {}", csv.display());
}
