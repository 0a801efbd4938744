//! The file interface of issue 7: what is read, what is refused and how it is explained, and the
//! objective as the issue defines it.

use airbridge_planner::files::{InputFile, read_files};
use airbridge_planner::{plan, violations};

const FLIGHTS: &str = "flight_id,nation,capacity,departs_at,destination,carries
RCH1,US,10,2021-08-16T12:00:00Z,DOH,GB
RRR2,GB,6,2021-08-17T12:00:00Z,DXB,
";

const CASES: &str = "case_id,nation,category,priority,seats,lap_infants,ready_at,destinations
A,US,national,2,4,1,2021-08-16T00:00:00Z,
B,GB,at_risk,1,3,0,2021-08-16T06:00:00Z,DOH;DXB
C,GB,local_staff,3,5,0,2021-08-17T00:00:00Z,dxb
";

/// Reads the two files and expects them refused with exactly these (file, line, column) and a
/// message containing each of the `words`.
fn refused(
    cases: &str,
    flights: &str,
    expected: &[(InputFile, u64, Option<&str>)],
    words: &[&str],
) {
    let errors = read_files(cases.as_bytes(), flights.as_bytes())
        .err()
        .unwrap_or_else(|| panic!("accepted:\n{cases}\n{flights}"))
        .0;
    let got: Vec<(InputFile, u64, Option<&str>)> = errors
        .iter()
        .map(|e| (e.file, e.line, e.column.as_deref()))
        .collect();
    assert_eq!(got, expected, "{errors:#?}");
    let text: String = errors.iter().map(|e| e.to_string()).collect();
    for word in words {
        assert!(text.contains(word), "{word:?} not in {text}");
    }
}

#[test]
fn good_files_plan_with_the_issue_objective() {
    let input = read_files(CASES.as_bytes(), FLIGHTS.as_bytes()).unwrap();
    assert_eq!(input.case_ids, ["A", "B", "C"]);
    let plan = plan(&input.instance, &input.config).unwrap();
    assert!(violations(&input.instance, &plan).is_empty());
    // A (4 seats, US) and B (3 seats, GB carried by RCH1 to DOH) fit RCH1's 10 seats; C (5)
    // may land only at DXB and takes RRR2.
    let flight_of = |label: &str| {
        plan.assignments
            .iter()
            .find(|(_, c)| input.case_label(*c) == label)
            .map(|(f, _)| f.0.clone())
    };
    assert_eq!(flight_of("A").as_deref(), Some("RCH1"));
    assert_eq!(flight_of("B").as_deref(), Some("RCH1"));
    assert_eq!(flight_of("C").as_deref(), Some("RRR2"));
    // Σ seats × priority × 0.5^(wait h / 24): A waits 12 h, B 6 h, C 12 h.
    let expected =
        4.0 * 2.0 * 0.5f64.powf(0.5) + 3.0 * 0.5f64.powf(0.25) + 5.0 * 3.0 * 0.5f64.powf(0.5);
    assert!(
        (input.objective(&plan) - expected).abs() < 1e-9,
        "{}",
        input.objective(&plan)
    );
    assert!((plan.objective - expected).abs() < 1e-9 * expected);
    assert!(plan.upper_bound >= plan.objective);
}

#[test]
fn the_header_may_come_in_any_order_and_case_with_a_bom() {
    let cases = "\u{feff}Ready_At,case_id,nation,category,priority,seats,lap_infants\n2021-08-16T00:00:00Z,A,US,x,1,2,\n";
    let input = read_files(cases.as_bytes(), FLIGHTS.as_bytes()).unwrap();
    assert_eq!(input.instance.cases[0].seats(), 2);
    assert_eq!(input.instance.cases[0].people(), 2);
}

#[test]
fn a_case_larger_than_any_aircraft_is_refused_with_its_line() {
    let cases = format!("{CASES}D,US,national,1,11,0,2021-08-16T00:00:00Z,\n");
    refused(
        &cases,
        FLIGHTS,
        &[(InputFile::Cases, 5, Some("seats"))],
        &[
            "case D needs 11 seats",
            "largest aircraft (flight RCH1) has 10",
        ],
    );
}

#[test]
fn a_flight_before_anyone_is_ready_is_in_the_past() {
    let flights = format!("{FLIGHTS}OLD3,US,100,2021-08-15T23:00:00Z,DOH,\n");
    refused(
        CASES,
        &flights,
        &[(InputFile::Flights, 4, Some("departs_at"))],
        &["OLD3", "in the past", "2021-08-16T00:00:00Z"],
    );
}

#[test]
fn unknown_nations_are_named() {
    let cases = format!("{CASES}D,ZZ,national,1,1,0,2021-08-16T00:00:00Z,\n");
    refused(
        &cases,
        FLIGHTS,
        &[(InputFile::Cases, 5, Some("nation"))],
        &["unknown nation `ZZ`", "ISO 3166-1"],
    );
    // A real nation no flight operates or carries cannot be planned either.
    let cases = format!(
        "{CASES}D,FR,national,1,1,0,2021-08-16T00:00:00Z,\nE,FR,national,1,1,0,2021-08-16T00:00:00Z,\n"
    );
    refused(
        &cases,
        FLIGHTS,
        &[(InputFile::Cases, 5, Some("nation"))],
        &["unknown nation FR (case D and 1 more)", "carries"],
    );
    let flights = FLIGHTS.replace("DOH,GB", "DOH,GB;XX");
    refused(
        CASES,
        &flights,
        &[(InputFile::Flights, 2, Some("carries"))],
        &["`XX`"],
    );
}

#[test]
fn bad_values_are_each_reported_with_their_column() {
    let cases = "case_id,nation,category,priority,seats,lap_infants,ready_at
A,US,national,0,4,0,2021-08-16T00:00:00Z
B,US,national,1,-2,0,2021-08-16
C,US,national,1,2,x,yesterday
A,US,national,1,1,0,2021-08-16T00:00:00Z
";
    refused(
        cases,
        FLIGHTS,
        &[
            (InputFile::Cases, 2, Some("priority")),
            (InputFile::Cases, 3, Some("seats")),
            (InputFile::Cases, 4, Some("lap_infants")),
            (InputFile::Cases, 4, Some("ready_at")),
            (InputFile::Cases, 5, Some("case_id")),
        ],
        &[
            "positive number",
            "case A appears again (first on line 2)",
            "`yesterday` is not an ISO 8601 time",
        ],
    );
}

#[test]
fn duplicate_flights_and_missing_columns_are_refused() {
    let flights = format!("{FLIGHTS}RCH1,US,10,2021-08-18T12:00:00Z,DOH,\n");
    refused(
        CASES,
        &flights,
        &[(InputFile::Flights, 4, Some("flight_id"))],
        &["flight RCH1 appears again (first on line 2)"],
    );
    let flights = "flight_id,nation,capacity,destination\nRCH1,US,10,DOH\n";
    refused(
        CASES,
        flights,
        &[(InputFile::Flights, 1, None)],
        &["departs_at", "the header must name"],
    );
}

#[test]
fn a_destination_no_flight_serves_is_refused() {
    let cases = format!("{CASES}D,US,national,1,1,0,2021-08-16T00:00:00Z,TAS\n");
    refused(
        &cases,
        FLIGHTS,
        &[(InputFile::Cases, 5, Some("destinations"))],
        &["may land only at TAS"],
    );
}

#[test]
fn times_with_offsets_and_without_seconds_are_read_in_utc() {
    let cases = "case_id,nation,category,priority,seats,lap_infants,ready_at\nA,US,national,1,1,0,2021-08-16T02:00:00+02:00\nB,US,national,1,1,0,2021-08-16T00:30\n";
    let input = read_files(cases.as_bytes(), FLIGHTS.as_bytes()).unwrap();
    let ready: Vec<i64> = input.instance.cases.iter().map(|c| c.ready_at).collect();
    assert_eq!(ready, [0, 1800]);
}
