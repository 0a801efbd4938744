//! Any bytes, read as a list (CSV, spreadsheet or PFIF, chosen by the first byte), must give
//! tables or an error, never a panic; and rows built from them must form valid cases.
#![no_main]

use airbridge_domain::GregorianDate;
use airbridge_lists::values::ValueOptions;
use airbridge_lists::{ColumnMapping, MappingFile, build_cases, parse_rows, read_table};
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
            let mut rows = parse_rows(&table, &mapping, &options);
            let _ = build_cases(&mut rows);
        }
    }
});
