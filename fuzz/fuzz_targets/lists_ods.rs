//! Any bytes as the `content.xml` of an OpenDocument spreadsheet (in an otherwise well-formed
//! file, so the fuzzer spends its time in the streamed ODS reader, not in the ZIP), and any
//! bytes as a whole file taken for an ODS: reading gives tables or an error, never a panic, an
//! endless loop or a runaway allocation; and reading one sheet gives the same rows as reading
//! them all.
#![no_main]

use std::io::{Cursor, Write};

use airbridge_lists::{SourceFormat, Workbook, read_table};
use libfuzzer_sys::fuzz_target;

fn ods(content: &[u8]) -> Option<Vec<u8>> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("mimetype", stored).ok()?;
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet").ok()?;
    zip.start_file("META-INF/manifest.xml", stored).ok()?;
    zip.write_all(br#"<manifest:manifest><manifest:file-entry manifest:full-path="/"/></manifest:manifest>"#).ok()?;
    zip.start_file("content.xml", stored).ok()?;
    zip.write_all(content).ok()?;
    Some(zip.finish().ok()?.into_inner())
}

fuzz_target!(|data: &[u8]| {
    // As a whole file: mostly not a ZIP, which the reader must refuse cleanly.
    let _ = Workbook::open(Cursor::new(data), SourceFormat::Ods, None);
    let Some(bytes) = ods(data) else { return };
    let Ok(tables) = read_table("list.ods", &bytes, None) else { return };
    for table in &tables {
        let Some(name) = table.sheet.as_deref() else { continue };
        if tables.iter().filter(|t| t.sheet.as_deref() == Some(name)).count() > 1 {
            continue;
        }
        let one = read_table("list.ods", &bytes, Some(name)).expect("a sheet that was read reads again");
        assert_eq!(one.len(), 1);
        assert_eq!(&one[0], table, "one sheet alone reads as it did among all");
    }
});
