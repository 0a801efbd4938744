//! `airbridge plan` and `airbridge manifest` run as a user runs them: the binary on small CSV
//! files in a temporary directory, its exit code, its output files and its messages.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

const FLIGHTS: &str = "flight_id,nation,capacity,departs_at,destination,carries
RCH1,US,10,2021-08-16T12:00:00Z,DOH,GB
RRR2,GB,6,2021-08-17T12:00:00Z,DXB,
";

const CASES: &str = "case_id,nation,category,priority,seats,lap_infants,ready_at,destinations
A-1,US,national,2,4,1,2021-08-16T00:00:00Z,
B-2,GB,at_risk,1,3,0,2021-08-16T06:00:00Z,DOH;DXB
C-3,GB,local_staff,3,5,0,2021-08-17T00:00:00Z,DXB
D-4,US,national,1,9,0,2021-08-16T00:00:00Z,
";

const PEOPLE: &str = "case_id,name_latin,name_original,nationality,document,lap_infant
A-1,John Smith,,US,P123,no
A-1,Mary Smith,,US,P124,no
A-1,Ahmad Shah Ahmadzai,احمد شاه احمدزی,AF,T-555,no
A-1,Zarghona Ahmadzai,زرغونه احمدزی,AF,T-556,no
A-1,Baby Smith,,US,,yes
B-2,Mohammad Karim Wardak,محمد کریم وردک,AF,P900,no
";

struct Dir(tempfile::TempDir);

impl Dir {
    fn new(files: &[(&str, &str)]) -> Dir {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        Dir(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.path().join(name)
    }

    fn airbridge(&self, args: &[&str]) -> Output {
        common::binary()
            .current_dir(self.0.path())
            .args(["--db", &self.path("unused.db").display().to_string()])
            .args(args)
            .output()
            .unwrap()
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn plan(dir: &Dir, extra: &[&str]) -> Output {
    let mut args = vec![
        "plan",
        "--cases",
        "cases.csv",
        "--flights",
        "flights.csv",
        "--output",
        "out.csv",
    ];
    args.extend_from_slice(extra);
    dir.airbridge(&args)
}

fn assignments(path: &Path) -> Vec<(String, String)> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    assert_eq!(reader.headers().unwrap(), vec!["case_id", "flight_id"]);
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_owned(), r[1].to_owned())
        })
        .collect()
}

/// The number after `word` in the summary line.
fn summary_number(summary: &str, word: &str) -> f64 {
    let after = summary
        .split(word)
        .nth(1)
        .unwrap_or_else(|| panic!("{word} in {summary}"));
    after
        .split_whitespace()
        .next()
        .unwrap()
        .trim_end_matches('%')
        .parse()
        .unwrap()
}

#[test]
fn plan_writes_every_case_in_file_order_and_a_summary() {
    let dir = Dir::new(&[("cases.csv", CASES), ("flights.csv", FLIGHTS)]);
    let output = plan(&dir, &[]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let got = assignments(&dir.path("out.csv"));
    // D-4 (9 seats) fits only RCH1, where A-1 (4, priority 2) and B-2 (3) are worth more.
    let expected = [
        ("A-1", "RCH1"),
        ("B-2", "RCH1"),
        ("C-3", "RRR2"),
        ("D-4", ""),
    ];
    assert_eq!(
        got,
        expected
            .iter()
            .map(|(c, f)| (c.to_string(), f.to_string()))
            .collect::<Vec<_>>()
    );
    let summary = text(&output.stdout);
    let objective = summary_number(&summary, "objective ");
    let expected_objective =
        4.0 * 2.0 * 0.5f64.powf(0.5) + 3.0 * 0.5f64.powf(0.25) + 5.0 * 3.0 * 0.5f64.powf(0.5);
    assert!((objective - expected_objective).abs() < 1e-5, "{summary}");
    assert!(
        summary_number(&summary, "bound ") >= objective - 1e-6,
        "{summary}"
    );
    assert!(summary_number(&summary, "gap ") >= 0.0, "{summary}");
}

#[test]
fn exact_mode_proves_the_optimum_and_fast_mode_does_not_beat_it() {
    let dir = Dir::new(&[("cases.csv", CASES), ("flights.csv", FLIGHTS)]);
    let fast = plan(&dir, &[]);
    let exact = plan(&dir, &["--exact"]);
    assert!(exact.status.success(), "{}", text(&exact.stderr));
    let summary = text(&exact.stdout);
    assert!(summary.contains("proven optimal"), "{summary}");
    let fast_objective = summary_number(&text(&fast.stdout), "objective ");
    let exact_objective = summary_number(&summary, "objective ");
    assert!(fast_objective <= exact_objective + 1e-6);
    assert!(summary_number(&summary, "gap ") < 1e-3, "{summary}");
}

#[test]
fn json_summary_has_objective_bound_and_gap() {
    let dir = Dir::new(&[("cases.csv", CASES), ("flights.csv", FLIGHTS)]);
    let output = dir.airbridge(&[
        "--json",
        "plan",
        "--cases",
        "cases.csv",
        "--flights",
        "flights.csv",
        "--output",
        "out.csv",
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    for key in ["objective", "bound", "gap"] {
        assert!(summary[key].is_f64(), "{key} in {summary}");
    }
    assert_eq!(summary["cases"], 4);
    assert_eq!(summary["cases_assigned"], 3);
}

/// Runs `plan` on bad input and expects exit code 5, no output file, and every `words` in the
/// message.
fn refused(cases: &str, flights: &str, words: &[&str]) {
    let dir = Dir::new(&[("cases.csv", cases), ("flights.csv", flights)]);
    let output = plan(&dir, &[]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(5), "{stderr}");
    assert!(!dir.path("out.csv").exists(), "a partial plan was written");
    for word in words {
        assert!(stderr.contains(word), "{word:?} not in {stderr}");
    }
}

#[test]
fn a_case_larger_than_any_aircraft_is_refused() {
    let cases = format!("{CASES}E-5,US,national,1,11,0,2021-08-16T00:00:00Z,\n");
    refused(
        &cases,
        FLIGHTS,
        &[
            "cases.csv line 6, column `seats`",
            "E-5 needs 11 seats",
            "(flight RCH1) has 10",
        ],
    );
}

#[test]
fn a_flight_in_the_past_is_refused() {
    let flights = format!("{FLIGHTS}OLD3,US,100,2021-08-15T06:00:00Z,DOH,\n");
    refused(
        CASES,
        &flights,
        &[
            "flights.csv line 4, column `departs_at`",
            "OLD3",
            "in the past",
        ],
    );
}

#[test]
fn an_unknown_nation_is_refused() {
    let cases = format!("{CASES}E-5,XX,national,1,1,0,2021-08-16T00:00:00Z,\n");
    refused(&cases, FLIGHTS, &["column `nation`", "unknown nation `XX`"]);
    let cases = format!("{CASES}E-5,FR,national,1,1,0,2021-08-16T00:00:00Z,\n");
    refused(&cases, FLIGHTS, &["unknown nation FR (case E-5)"]);
}

#[test]
fn bad_timestamps_and_duplicate_ids_are_refused() {
    let cases = CASES.replace("2021-08-16T06:00:00Z", "16/08/2021 06:00");
    refused(&cases, FLIGHTS, &["line 3, column `ready_at`", "ISO 8601"]);
    let cases = format!("{CASES}A-1,US,national,1,1,0,2021-08-16T00:00:00Z,\n");
    refused(
        &cases,
        FLIGHTS,
        &["case A-1 appears again (first on line 2)"],
    );
    let flights = format!("{FLIGHTS}RRR2,GB,6,2021-08-18T12:00:00Z,DXB,\n");
    refused(CASES, &flights, &["flight RRR2 appears again"]);
}

#[test]
fn a_missing_file_is_invalid_input() {
    let dir = Dir::new(&[("flights.csv", FLIGHTS)]);
    let output = plan(&dir, &[]);
    assert_eq!(output.status.code(), Some(5));
    assert!(text(&output.stderr).contains("cannot read cases.csv"));
}

fn manifest(dir: &Dir, format: &str, flight: &str, out: Option<&str>) -> Output {
    let mut args = vec![
        "manifest",
        "--flight",
        flight,
        "--format",
        format,
        "--assignments",
        "out.csv",
        "--cases",
        "cases.csv",
        "--flights",
        "flights.csv",
        "--people",
        "people.csv",
    ];
    if let Some(out) = out {
        args.extend(["--output", out]);
    }
    dir.airbridge(&args)
}

#[test]
fn manifests_come_from_the_plan_as_csv_and_pdf() {
    let dir = Dir::new(&[
        ("cases.csv", CASES),
        ("flights.csv", FLIGHTS),
        ("people.csv", PEOPLE),
    ]);
    assert!(plan(&dir, &[]).status.success());
    let csv_output = manifest(&dir, "csv", "RCH1", None);
    assert!(csv_output.status.success(), "{}", text(&csv_output.stderr));
    let csv_text = text(&csv_output.stdout);
    let lines: Vec<&str> = csv_text.lines().collect();
    assert_eq!(lines.len(), 7, "{csv_text}");
    assert!(
        lines[1].starts_with("RCH1,A-1,US,4,John Smith"),
        "{csv_text}"
    );
    assert!(csv_text.contains("Ahmad Shah Ahmadzai,احمد شاه احمدزی,AF,T-555,seat"));
    assert!(csv_text.contains("Baby Smith,,US,,lap"));
    assert!(lines[6].starts_with("RCH1,B-2,GB,3,Mohammad Karim Wardak"));

    let pdf_output = manifest(&dir, "pdf", "RCH1", Some("rch1.pdf"));
    assert!(pdf_output.status.success(), "{}", text(&pdf_output.stderr));
    let pdf = std::fs::read(dir.path("rch1.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));

    let unknown = manifest(&dir, "csv", "NOPE9", None);
    assert_eq!(unknown.status.code(), Some(5));
    assert!(text(&unknown.stderr).contains("flight NOPE9 is not in flights.csv"));
    let without_output = manifest(&dir, "pdf", "RCH1", None);
    assert_eq!(without_output.status.code(), Some(5));
}
