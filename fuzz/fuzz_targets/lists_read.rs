//! Any bytes, read as a list (CSV, spreadsheet or PFIF, chosen by the first byte), must give
//! tables or an error, never a panic; and rows built from them must form valid cases, the same
//! members whether the list is grouped whole or in pieces (as a streamed import reads it).
#![no_main]

use airbridge_domain::GregorianDate;
use airbridge_lists::values::ValueOptions;
use airbridge_lists::{
    ColumnMapping, FamilyChunks, MappingFile, build_cases, parse_rows, read_table,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((selector, bytes)) = data.split_first() else { return };
    let name = match selector % 4 {
        0 => "list.csv",
        1 => "list.xlsx",
        2 => "list.ods",
        _ => "list.xml",
    };
    let Ok(today) = GregorianDate::new(2021, 8, 20) else { return };
    let options = ValueOptions { calendar: None, month_first: false, default_region: None, today };
    if let Ok(tables) = read_table(name, bytes, None) {
        for table in tables {
            let mapping = ColumnMapping::detect(&table.headers, &MappingFile::default());
            let rows = parse_rows(&table, &mapping, &options);
            let mut pieces = FamilyChunks::new(3);
            let mut in_pieces = Vec::new();
            for batch in rows.chunks(2) {
                in_pieces.extend(pieces.push(batch.to_vec()));
            }
            in_pieces.extend(pieces.finish());
            let mut whole = rows;
            let members = |cases: &[airbridge_lists::ImportedCase]| {
                cases.iter().map(|c| c.members.len()).sum::<usize>()
            };
            let whole_members = members(&build_cases(&mut whole));
            let piece_rows: usize = in_pieces.iter().map(|p| p.rows.len()).sum();
            let piece_members: usize = in_pieces.iter().map(|p| members(&p.cases)).sum();
            assert_eq!(piece_rows, whole.len(), "every row is in exactly one piece");
            assert_eq!(piece_members, whole_members, "pieces hold the same people");
        }
    }
});
