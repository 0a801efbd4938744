//! Whatever bytes arrive as a list, reading them never panics: it gives tables or an error.

use airbridge_domain::GregorianDate;
use airbridge_lists::values::ValueOptions;
use airbridge_lists::{ColumnMapping, MappingFile, build_cases, parse_rows, read_table};
use proptest::prelude::*;

fn options() -> ValueOptions {
    ValueOptions {
        calendar: None,
        month_first: false,
        default_region: None,
        today: GregorianDate::new(2021, 8, 20).unwrap(),
    }
}

fn read_everything(name: &str, bytes: &[u8]) {
    if let Ok(tables) = read_table(name, bytes, None) {
        for table in tables {
            let mapping = ColumnMapping::detect(&table.headers, &MappingFile::default());
            let mut rows = parse_rows(&table, &mapping, &options());
            let accepted = rows
                .iter()
                .filter(|r| r.status() != airbridge_lists::RowStatus::Rejected)
                .count();
            assert!(rows.iter().all(
                |r| r.person.is_some() == (r.status() != airbridge_lists::RowStatus::Rejected)
            ));
            let cases = build_cases(&mut rows);
            // Every accepted row lands in exactly one case.
            let members: usize = cases.iter().map(|c| c.members.len()).sum();
            assert_eq!(members, accepted);
            for case in &cases {
                assert_eq!(
                    case.members
                        .iter()
                        .filter(|m| m.relation == airbridge_domain::Relation::Principal)
                        .count(),
                    1
                );
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
        read_everything("list.csv", &bytes);
        read_everything("list.xlsx", &bytes);
    }

    #[test]
    fn csv_like_text(cells in proptest::collection::vec(
        proptest::collection::vec("[A-Za-z0-9 ,;'\"=+@\\-/۰-۹ا-ی]{0,12}", 1..8), 1..20)) {
        let mut text = String::from("Name,Relation,Family ID,DOB,Phone,Passport\n");
        for row in cells {
            text.push_str(&row.join(","));
            text.push('\n');
        }
        read_everything("list.csv", text.as_bytes());
    }

    #[test]
    fn mangled_zip_headers(tail in proptest::collection::vec(any::<u8>(), 0..600)) {
        let mut bytes = b"PK\x03\x04".to_vec();
        bytes.extend(tail);
        read_everything("list.xlsx", &bytes);
        read_everything("list.ods", &bytes);
    }
}
