//! Real spreadsheet files, made here as an office suite would write them: an OpenDocument
//! spreadsheet (ZIP with `mimetype`, manifest and `content.xml`) with Dari headers, and an XLSX
//! workbook (written by rust_xlsxwriter) with Pashto and English headers, Excel date cells and
//! two sheets. Every name is synthetic.

use std::io::{Cursor, Write};

use airbridge_domain::{Calendar, GregorianDate, NationCode, Relation};
use airbridge_lists::values::ValueOptions;
use airbridge_lists::{ColumnMapping, MappingFile, RowStatus, build_cases, parse_rows, read_table};

fn options() -> ValueOptions {
    ValueOptions {
        calendar: None,
        month_first: false,
        default_region: NationCode::parse("AF").ok(),
        today: GregorianDate::new(2021, 8, 20).unwrap(),
    }
}

/// One table cell of an OpenDocument spreadsheet.
fn ods_cell(text: &str) -> String {
    let escaped = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    format!(
        r#"<table:table-cell office:value-type="string"><text:p>{escaped}</text:p></table:table-cell>"#
    )
}

/// An .ods file with one sheet holding `rows` (the first is the header row).
fn ods(sheet: &str, rows: &[&[&str]]) -> Vec<u8> {
    let mut body = String::new();
    for row in rows {
        body.push_str("<table:table-row>");
        for cell in *row {
            body.push_str(&ods_cell(cell));
        }
        body.push_str("</table:table-row>");
    }
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3"><office:body><office:spreadsheet><table:table table:name="{sheet}">{body}</table:table></office:spreadsheet></office:body></office:document-content>"#
    );
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    // The mimetype entry comes first and uncompressed, as the OpenDocument standard requires.
    zip.start_file("mimetype", stored).unwrap();
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    zip.start_file("META-INF/manifest.xml", stored).unwrap();
    zip.write_all(manifest.as_bytes()).unwrap();
    zip.start_file("content.xml", stored).unwrap();
    zip.write_all(content.as_bytes()).unwrap();
    zip.finish().unwrap().into_inner()
}

#[test]
fn a_dari_ods_list_is_read_with_its_families_dates_and_phones() {
    let bytes = ods(
        "فهرست",
        &[
            &[
                "شماره خانواده",
                "نام",
                "تخلص",
                "نام پدر",
                "تاریخ تولد",
                "جنسیت",
                "نسبت",
                "شماره تماس",
                "یادداشت",
            ],
            &[
                "۱",
                "هاشم",
                "احمدزی",
                "عبدالرحمن",
                "۱۳۶۵/۰۵/۱۲",
                "مرد",
                "سرپرست",
                "۰۷۰۰۱۲۳۴۵۶",
                "مترجم",
            ],
            &["۱", "زرغونه", "احمدزی", "", "1368", "زن", "همسر", "", ""],
            &["۱", "", "", "", "", "", "فرزند ۱", "", ""],
            &[
                "2",
                "Nilofar",
                "Qaderi",
                "Sharif",
                "1990-02-30",
                "F",
                "principal",
                "",
                "",
            ],
        ],
    );
    let tables = read_table("list.ods", &bytes, None).expect("the ODS file reads");
    assert_eq!(tables.len(), 1);
    let table = &tables[0];
    assert_eq!(table.sheet.as_deref(), Some("فهرست"));
    assert_eq!(table.rows.len(), 4);
    let mapping = ColumnMapping::detect(&table.headers, &MappingFile::default());
    let mut rows = parse_rows(table, &mapping, &options());

    // The principal: Solar Hijri date in Persian digits, Afghan phone to E.164.
    let principal = rows[0].person.as_ref().expect("row 1 is a person");
    assert_eq!(principal.name.given.as_deref(), Some("هاشم"));
    assert_eq!(principal.name.father.as_deref(), Some("عبدالرحمن"));
    let born = principal.birth_date.expect("a birth date");
    assert_eq!(born.calendar(), Calendar::SolarHijri);
    assert_eq!(born.year(), 1365);
    assert_eq!(
        born.exact_gregorian()
            .map(|d| (d.year(), d.month(), d.day())),
        Some((1986, 8, 3))
    );
    assert_eq!(principal.phones[0].to_string(), "+93700123456");
    assert_eq!(rows[0].relation, Some(Relation::Principal));
    // The column no field reads is kept with the person, never dropped.
    assert!(rows[0].unread.iter().any(|(_, value)| value == "مترجم"));
    // The wife: a year only. The child: a placeholder without a name, still a person.
    assert_eq!(rows[1].relation, Some(Relation::Spouse));
    assert_eq!(
        rows[1]
            .person
            .as_ref()
            .unwrap()
            .birth_date
            .map(|d| d.year()),
        Some(1368)
    );
    assert_eq!(rows[2].relation, Some(Relation::Child));
    assert_ne!(rows[2].status(), RowStatus::Rejected);
    // 30 February does not exist: the row says where and why, and keeps the rest.
    let last = &rows[3];
    let issue = last
        .issues
        .iter()
        .find(|issue| issue.column.as_deref() == Some("تاریخ تولد"))
        .expect("the impossible date is reported on its column");
    assert_eq!(issue.value.as_deref(), Some("1990-02-30"));

    let cases = build_cases(&mut rows);
    let sizes: Vec<usize> = cases.iter().map(|case| case.members.len()).collect();
    assert_eq!(sizes, vec![3, 1]);
}

#[test]
fn an_xlsx_workbook_with_pashto_headers_date_cells_and_two_sheets() {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let date_format = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    let first = workbook.add_worksheet();
    first.set_name("Kabul").unwrap();
    for (column, header) in ["نوم", "کورنی نوم", "د پلار نوم", "Date of birth", "Phone"]
        .iter()
        .enumerate()
    {
        first.write_string(0, column as u16, *header).unwrap();
    }
    first.write_string(1, 0, "Gul").unwrap();
    first.write_string(1, 1, "Popalzai").unwrap();
    first.write_string(1, 2, "Mohammad Nabi").unwrap();
    let day = rust_xlsxwriter::ExcelDateTime::from_ymd(1979, 11, 3).unwrap();
    first
        .write_datetime_with_format(1, 3, &day, &date_format)
        .unwrap();
    first.write_string(1, 4, "0799 555 123").unwrap();
    first.write_string(2, 0, "Mariam").unwrap();
    first.write_string(2, 1, "Popalzai").unwrap();
    first.write_number(2, 3, 34.0).unwrap();
    let second = workbook.add_worksheet();
    second.set_name("Mazar").unwrap();
    second.write_string(0, 0, "Full name").unwrap();
    second.write_string(0, 1, "DOB").unwrap();
    second.write_string(1, 0, "Abdul Rahman Ahmadzai").unwrap();
    second.write_string(1, 1, "۱۳۵۰").unwrap();
    let bytes = workbook.save_to_buffer().unwrap();

    let tables = read_table("list.xlsx", &bytes, None).expect("the workbook reads");
    let names: Vec<Option<&str>> = tables.iter().map(|t| t.sheet.as_deref()).collect();
    assert_eq!(names, vec![Some("Kabul"), Some("Mazar")]);
    let kabul = &tables[0];
    let mapping = ColumnMapping::detect(&kabul.headers, &MappingFile::default());
    let rows = parse_rows(kabul, &mapping, &options());
    let gul = rows[0].person.as_ref().unwrap();
    assert_eq!(gul.name.family.as_deref(), Some("Popalzai"));
    assert_eq!(gul.name.father.as_deref(), Some("Mohammad Nabi"));
    let born = gul.birth_date.unwrap().exact_gregorian().unwrap();
    assert_eq!((born.year(), born.month(), born.day()), (1979, 11, 3));
    assert_eq!(gul.phones[0].to_string(), "+93799555123");
    // Only sheet "Mazar" when asked for it.
    let mazar = read_table("list.xlsx", &bytes, Some("Mazar")).unwrap();
    assert_eq!(mazar.len(), 1);
    let mapping = ColumnMapping::detect(&mazar[0].headers, &MappingFile::default());
    let rows = parse_rows(&mazar[0], &mapping, &options());
    let person = rows[0].person.as_ref().unwrap();
    assert_eq!(
        person.birth_date.map(|d| (d.calendar(), d.year())),
        Some((Calendar::SolarHijri, 1350))
    );
}
