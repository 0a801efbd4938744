//! `airbridge screen` run as a user runs it: the binary on a small CSV of people against the
//! shared UN list, its output file and its exit code.

mod common;

use common::{binary, un_list};
use std::process::Output;

/// Synthetic people, except the first two, who carry a listed name in other spellings; more
/// than one reading chunk so that the order across chunks is checked too.
fn people() -> String {
    let mut text = String::from("id,name,dob,nationality\n");
    text.push_str("a1,\"BARADAR, Abdul Ghani\",1968,AF\n");
    text.push_str("a2,Abdulghani Biradar,,\n");
    for i in 0..5000 {
        text.push_str(&format!("x{i},Zorwick Plemmet{i},1990-01-02,GB\n"));
    }
    text.push_str("a3,Mullah Abdul Ghani Berader,1963-09-29,\n");
    text
}

fn screen(dir: &tempfile::TempDir, extra: &[&str]) -> (Output, Vec<csv::StringRecord>) {
    let input = dir.path().join("people.csv");
    let output = dir.path().join("hits.csv");
    std::fs::write(&input, people()).unwrap();
    let result = binary()
        .args(["screen", "--list"])
        .arg(un_list())
        .arg("--input")
        .arg(&input)
        .arg("--output")
        .arg(&output)
        .args(extra)
        .output()
        .expect("the binary runs");
    let rows = if result.status.success() {
        csv::Reader::from_path(&output)
            .unwrap()
            .records()
            .map(Result::unwrap)
            .collect()
    } else {
        Vec::new()
    };
    (result, rows)
}

#[test]
fn hits_are_written_in_input_order_best_first() {
    let dir = tempfile::tempdir().unwrap();
    let (output, rows) = screen(&dir, &["--threshold", "0.5"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // The first hit of each listed spelling is Baradar's entry; the synthetic people hit nothing.
    let firsts: Vec<(&str, &str)> = rows
        .iter()
        .enumerate()
        .filter(|(i, row)| *i == 0 || rows[i - 1][0] != row[0])
        .map(|(_, row)| (&row[0], &row[2]))
        .collect();
    assert_eq!(
        firsts,
        [("a1", "TAi.024"), ("a2", "TAi.024"), ("a3", "TAi.024")]
    );
    for pair in rows.windows(2) {
        if pair[0][0] == pair[1][0] {
            let score = |row: &csv::StringRecord| row[4].parse::<f64>().unwrap();
            assert!(score(&pair[0]) >= score(&pair[1]), "{pair:?}");
        }
    }
    assert_eq!(rows[0].len(), 5);
}

#[test]
fn explain_adds_each_hits_evidence_and_keeps_the_same_hits() {
    let dir = tempfile::tempdir().unwrap();
    let (_, plain) = screen(&dir, &["--threshold", "0.5"]);
    let (output, explained) = screen(&dir, &["--threshold", "0.5", "--explain"]);
    assert!(output.status.success());
    assert_eq!(explained.len(), plain.len());
    for (with, without) in explained.iter().zip(&plain) {
        assert_eq!(
            &with.iter().take(5).collect::<Vec<_>>(),
            &without.iter().collect::<Vec<_>>()
        );
        let evidence: serde_json::Value = serde_json::from_str(&with[5]).unwrap();
        assert!(evidence["name"]["listed_name"].is_string(), "{evidence}");
    }
}

#[test]
fn a_missing_name_column_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("people.csv");
    std::fs::write(&input, "id,dob\n1,1970\n").unwrap();
    let output = binary()
        .args(["screen", "--list"])
        .arg(un_list())
        .arg("--input")
        .arg(&input)
        .arg("--output")
        .arg(dir.path().join("hits.csv"))
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("name"));
}
