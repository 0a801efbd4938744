//! The streamed XLSX and ODS readers give exactly the tables calamine's whole-sheet reading
//! gives (`read_workbook_whole`, the path every spreadsheet took before): same headers, notes,
//! cells and line numbers, on hand-made files with what lists really hold (Dari headers, Solar
//! Hijri dates as text, typed dates and numbers, merged and empty cells, ODS repeated rows and
//! columns) and on generated ones. Every name is synthetic.

use std::io::{Cursor, Read, Write};
use std::ops::ControlFlow;

use airbridge_domain::{Calendar, GregorianDate};
use airbridge_lists::read::{Row, read_workbook_whole};
use airbridge_lists::values::ValueOptions;
use airbridge_lists::{
    ColumnMapping, MappingFile, SourceFormat, Table, Workbook, parse_rows, read_table,
};
use proptest::prelude::*;

/// Reads `bytes` both ways, checks that the streamed reader really streamed and that both
/// agree, and returns the tables.
fn same(name: &str, bytes: &[u8], only: Option<&str>) -> Vec<Table> {
    let format = SourceFormat::detect(name, bytes);
    let workbook = Workbook::open(Cursor::new(bytes), format, only).expect("the workbook opens");
    assert!(workbook.streamed(), "{name} was read whole, not streamed");
    let streamed = read_table(name, bytes, only).expect("the streamed reader reads it");
    let whole = read_workbook_whole(bytes, only).expect("calamine reads it");
    assert_eq!(streamed, whole);
    streamed
}

fn cells(row: &Row) -> Vec<&str> {
    row.cells.iter().map(String::as_str).collect()
}

/// An .ods file whose spreadsheet body (the `table:table` elements) is `tables`.
fn ods(tables: &str) -> Vec<u8> {
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" office:version="1.3"><office:body><office:spreadsheet><table:named-expressions><table:named-range table:name="people" table:cell-range-address="$A$1:$B$2"/></table:named-expressions>{tables}</office:spreadsheet></office:body></office:document-content>"#
    );
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("mimetype", stored).unwrap();
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    zip.start_file("META-INF/manifest.xml", deflated).unwrap();
    zip.write_all(manifest.as_bytes()).unwrap();
    zip.start_file("content.xml", deflated).unwrap();
    zip.write_all(content.as_bytes()).unwrap();
    zip.finish().unwrap().into_inner()
}

fn text(value: &str) -> String {
    format!(
        r#"<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>"#
    )
}

fn row(cells: &[String]) -> String {
    format!("<table:table-row>{}</table:table-row>", cells.concat())
}

const EMPTY: &str = "<table:table-cell/>";

fn options() -> ValueOptions {
    ValueOptions {
        calendar: None,
        month_first: false,
        default_region: None,
        today: GregorianDate::new(2021, 8, 20).unwrap(),
    }
}

#[test]
fn a_dari_ods_list_with_typed_cells_and_repeats_reads_the_same_streamed() {
    let headers = [
        "شماره خانواده",
        "نام",
        "تخلص",
        "تاریخ تولد",
        "Born",
        "Age",
        "Share",
        "Fee",
        "Present",
        "Time",
        "یادداشت",
    ]
    .map(text);
    // A cell merged over two columns (the second is "covered") and two rows.
    let merged = format!(
        "{}{}",
        row(&[
            EMPTY.into(),
            text("۱"),
            r#"<table:table-cell table:number-columns-spanned="2" table:number-rows-spanned="2" office:value-type="string"><text:p>زرغونه احمدزی</text:p></table:table-cell>"#.into(),
            "<table:covered-table-cell/>".into(),
            text("1368"),
            r#"<table:table-cell table:formula="of:=[.F5]+1"/>"#.into(),
        ]),
        row(&[
            EMPTY.into(),
            text("۱"),
            "<table:covered-table-cell table:number-columns-repeated=\"2\"/>".into(),
            text("۱۳۹۰"),
        ])
    );
    // The same person three times over, and a value repeated over two columns.
    let repeated = format!(
        r#"<table:table-row table:number-rows-repeated="3">{}{}<table:table-cell table:number-columns-repeated="2" office:value-type="string"><text:p>Qaderi</text:p></table:table-cell></table:table-row>"#,
        EMPTY,
        text("2"),
    );
    let sheet = format!(
        r#"<table:table table:name="فهرست"><table:table-column table:number-columns-repeated="12"/>
<table:table-row table:number-rows-repeated="2"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>{stamp}{header}{first}{merged}<table:table-row table:number-rows-repeated="5"><table:table-cell table:number-columns-repeated="12"/></table:table-row>{repeated}{wide}<table:table-row table:number-rows-repeated="1048000"><table:table-cell table:number-columns-repeated="16384"/></table:table-row></table:table>"#,
        // Column A stays empty on every row, so the stamp in B is the block's first cell.
        stamp = row(&[EMPTY.into(), text("# exported by a synthetic office, 2021-08-20")]),
        header = row(&[&[EMPTY.to_owned()][..], &headers].concat()),
        first = row(&[
            EMPTY.into(),
            text("۱"),
            r#"<table:table-cell office:value-type="string"><text:p>Abdul<text:s text:c="2"/>Rahman</text:p><text:p>second<text:line-break/>line<text:tab/>end</text:p><office:annotation><text:p>a comment, not the value</text:p></office:annotation></table:table-cell>"#.into(),
            text("احمدزی &amp; &#x41;"),
            text("۱۳۶۵/۰۵/۱۲"),
            r#"<table:table-cell office:value-type="date" office:date-value="1986-08-03"><text:p>03/08/86</text:p></table:table-cell>"#.into(),
            r#"<table:table-cell office:value-type="float" office:value="34"><text:p>34</text:p></table:table-cell>"#.into(),
            r#"<table:table-cell office:value-type="percentage" office:value="0.125"><text:p>12.5%</text:p></table:table-cell>"#.into(),
            r#"<table:table-cell office:value-type="currency" office:currency="AFN" office:value="1500.5"><text:p>1,500.50 AFN</text:p></table:table-cell>"#.into(),
            r#"<table:table-cell office:value-type="boolean" office:boolean-value="true"><text:p>TRUE</text:p></table:table-cell>"#.into(),
            r#"<table:table-cell office:value-type="time" office:time-value="PT12H30M00S"><text:p>12:30</text:p></table:table-cell>"#.into(),
            r#"<table:table-cell table:formula="of:=1/0" office:value-type="string" office:string-value="" calcext:value-type="error"><text:p>#DIV/0!</text:p></table:table-cell>"#.into(),
        ]),
        // An empty string far to the right widens the block, as in calamine.
        wide = row(&[
            EMPTY.into(),
            text("3"),
            text("Nilofar"),
            "<table:table-cell table:number-columns-repeated=\"10\"/>".into(),
            r#"<table:table-cell office:value-type="string"/>"#.into(),
        ]),
    );
    let second = format!(
        r#"<table:table table:name="Mazar">{}{}</table:table><table:table table:name="Empty"><table:table-row table:number-rows-repeated="1048576"><table:table-cell/></table:table-row></table:table>"#,
        row(&[text("Full name"), text("DOB")]),
        row(&[text("Abdul Rahman Ahmadzai"), text("۱۳۵۰")]),
    );
    let bytes = ods(&format!("{sheet}{second}"));
    let tables = same("list.ods", &bytes, None);

    let names: Vec<_> = tables.iter().map(|t| t.sheet.as_deref()).collect();
    assert_eq!(names, [Some("فهرست"), Some("Mazar")]);
    let dari = &tables[0];
    assert_eq!(dari.notes, ["# exported by a synthetic office, 2021-08-20"]);
    assert_eq!(dari.header_line, 4);
    assert_eq!(dari.headers[0], "شماره خانواده");
    let lines: Vec<usize> = dari.rows.iter().map(|r| r.line).collect();
    // Five empty rows after the merged pair; the repeated row is three rows.
    assert_eq!(lines, [5, 6, 7, 13, 14, 15, 16]);
    assert_eq!(
        &cells(&dari.rows[0])[..11],
        [
            "۱",
            "Abdul  Rahman\nsecond\nline\tend",
            "احمدزی & A",
            "۱۳۶۵/۰۵/۱۲",
            "1986-08-03",
            "34",
            "0.125",
            "1500.5",
            "true",
            "PT12H30M00S",
            "#DIV/0!"
        ]
    );
    assert_eq!(
        cells(&dari.rows[1])[..4],
        ["۱", "زرغونه احمدزی", "", "1368"]
    );
    assert_eq!(cells(&dari.rows[3])[..4], ["2", "Qaderi", "Qaderi", ""]);
    assert_eq!(dari.rows[3].cells, dari.rows[5].cells);
    assert_eq!(
        dari.rows[0].cells.len(),
        13,
        "the block reaches the empty string"
    );

    // The Solar Hijri text and the typed date are read as dates by the value parsers.
    let mapping = ColumnMapping::detect(&dari.headers, &MappingFile::default());
    let parsed = parse_rows(dari, &mapping, &options());
    let born = parsed[0].person.as_ref().unwrap().birth_date.unwrap();
    assert_eq!((born.calendar(), born.year()), (Calendar::SolarHijri, 1365));

    // One sheet when asked for it, and a clear error for a sheet that is not there.
    let mazar = same("list.ods", &bytes, Some("Mazar"));
    assert_eq!(mazar.len(), 1);
    assert_eq!(cells(&mazar[0].rows[0]), ["Abdul Rahman Ahmadzai", "۱۳۵۰"]);
    let missing = read_table("list.ods", &bytes, Some("Herat")).unwrap_err();
    assert!(
        missing.to_string().contains("فهرست, Mazar, Empty"),
        "{missing}"
    );
}

/// An XLSX workbook built by `fill`.
fn xlsx(fill: impl FnOnce(&mut rust_xlsxwriter::Workbook)) -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    fill(&mut workbook);
    workbook.save_to_buffer().unwrap()
}

#[test]
fn a_dari_xlsx_list_with_dates_numbers_and_merged_cells_reads_the_same_streamed() {
    use rust_xlsxwriter::{ExcelDateTime, Format};
    let bytes = xlsx(|workbook| {
        let date = Format::new().set_num_format("yyyy-mm-dd");
        let datetime = Format::new().set_num_format("yyyy-mm-dd hh:mm");
        let shaded = Format::new().set_background_color("#DDDDDD");
        let sheet = workbook.add_worksheet();
        sheet.set_name("فهرست").unwrap();
        // The list starts at C3; a stamp above the header.
        sheet
            .write_string(2, 2, "# exported by a synthetic office, 2021-08-20")
            .unwrap();
        let headers = [
            "شماره خانواده",
            "نام",
            "تخلص",
            "تاریخ تولد",
            "Born",
            "Age",
            "Present",
            "Seen",
        ];
        for (column, header) in headers.iter().enumerate() {
            sheet.write_string(3, 2 + column as u16, *header).unwrap();
        }
        sheet.write_string(4, 2, "۱").unwrap();
        sheet.write_string(4, 3, "  هاشم ").unwrap();
        sheet.write_string(4, 4, "احمدزی").unwrap();
        sheet.write_string(4, 5, "۱۳۶۵/۰۵/۱۲").unwrap();
        let born = ExcelDateTime::from_ymd(1986, 8, 3).unwrap();
        sheet
            .write_datetime_with_format(4, 6, &born, &date)
            .unwrap();
        sheet.write_number(4, 7, 34.0).unwrap();
        sheet.write_boolean(4, 8, true).unwrap();
        let seen = ExcelDateTime::parse_from_str("2021-08-16 07:45:00").unwrap();
        sheet
            .write_datetime_with_format(4, 9, &seen, &datetime)
            .unwrap();
        // A name merged over two cells, an empty row, then numbers Excel keeps as floats.
        sheet
            .merge_range(5, 3, 5, 4, "زرغونه احمدزی", &Format::new())
            .unwrap();
        sheet.write_string(5, 2, "۱").unwrap();
        sheet.write_number(5, 5, 1368.0).unwrap();
        sheet.write_number(7, 2, 2.0).unwrap();
        sheet.write_string(7, 3, "Nilofar").unwrap();
        sheet.write_number(7, 7, 33.5).unwrap();
        sheet.write_number(7, 8, 700123456.0).unwrap();
        sheet.write_formula(7, 9, "=H8*2").unwrap();
        // Formatted but empty cells beyond the data do not widen the block.
        sheet.write_blank(12, 14, &shaded).unwrap();
        sheet.write_blank(1, 0, &shaded).unwrap();

        let second = workbook.add_worksheet();
        second.set_name("Mazar").unwrap();
        second.write_string(0, 0, "Full name").unwrap();
        second.write_string(0, 1, "DOB").unwrap();
        second.write_string(1, 0, "Abdul Rahman Ahmadzai").unwrap();
        second.write_string(1, 1, "۱۳۵۰").unwrap();
        workbook.add_worksheet().set_name("Empty").unwrap();
    });
    let tables = same("list.xlsx", &bytes, None);
    let names: Vec<_> = tables.iter().map(|t| t.sheet.as_deref()).collect();
    assert_eq!(names, [Some("فهرست"), Some("Mazar")]);
    let dari = &tables[0];
    assert_eq!(dari.notes, ["# exported by a synthetic office, 2021-08-20"]);
    assert_eq!(dari.header_line, 4);
    let lines: Vec<usize> = dari.rows.iter().map(|r| r.line).collect();
    assert_eq!(lines, [5, 6, 8]);
    assert_eq!(
        cells(&dari.rows[0]),
        [
            "۱",
            "هاشم",
            "احمدزی",
            "۱۳۶۵/۰۵/۱۲",
            "1986-08-03",
            "34",
            "true",
            "2021-08-16"
        ]
    );
    assert_eq!(
        cells(&dari.rows[1])[..4],
        ["۱", "زرغونه احمدزی", "", "1368"]
    );
    assert_eq!(cells(&dari.rows[2])[5..7], ["33.5", "700123456"]);
    assert_eq!(same("list.xlsx", &bytes, Some("Mazar")).len(), 1);
}

/// Rewrites one part of a ZIP (the other parts copied as they are).
fn replace_part(bytes: &[u8], part: &str, edit: impl Fn(String) -> String) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for index in 0..archive.len() {
        let mut file = archive.by_index(index).unwrap();
        let name = file.name().unwrap().into_owned();
        let mut content = Vec::new();
        file.read_to_end(&mut content).unwrap();
        if name == part {
            content = edit(String::from_utf8(content).unwrap()).into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&content).unwrap();
    }
    out.finish().unwrap().into_inner()
}

#[test]
fn an_xlsx_sheet_with_rows_out_of_order_is_read_whole_and_the_same() {
    let bytes = xlsx(|workbook| {
        let sheet = workbook.add_worksheet();
        for (row, name) in ["Name", "Karim", "Farid", "Zahra"].iter().enumerate() {
            sheet.write_string(row as u32, 0, *name).unwrap();
        }
    });
    // Move the last row element before the second one: calamine places cells by position.
    let bytes = replace_part(&bytes, "xl/worksheets/sheet1.xml", |xml| {
        let start = xml.find(r#"<row r="4""#).unwrap();
        let end = start + xml[start..].find("</row>").unwrap() + "</row>".len();
        let moved = xml[start..end].to_owned();
        let without = format!("{}{}", &xml[..start], &xml[end..]);
        let second = without.find(r#"<row r="2""#).unwrap();
        format!("{}{moved}{}", &without[..second], &without[second..])
    });
    let tables = same("list.xlsx", &bytes, None);
    let names: Vec<_> = tables[0].rows.iter().map(|r| r.cells[0].as_str()).collect();
    assert_eq!(names, ["Karim", "Farid", "Zahra"]);
}

#[test]
fn rows_are_handed_over_one_at_a_time_and_reading_can_stop() {
    let mut body = row(&[text("Name"), text("DOB")]);
    for index in 0..50 {
        body.push_str(&row(&[text(&format!("Person {index}")), text("1990")]));
    }
    let bytes = ods(&format!(
        r#"<table:table table:name="List">{body}</table:table>"#
    ));
    let mut workbook = Workbook::open(Cursor::new(&bytes), SourceFormat::Ods, None).unwrap();
    // The header is known before any row is read.
    assert_eq!(workbook.tables()[0].headers, ["Name", "DOB"]);
    assert!(workbook.tables()[0].rows.is_empty());
    assert_eq!(workbook.last_line(0), 51);
    let mut seen = Vec::new();
    workbook
        .read_rows(0, |row| {
            seen.push(row.line);
            if seen.len() == 3 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .unwrap();
    assert_eq!(seen, [2, 3, 4]);
    // A sheet can be read again from its start.
    let mut count = 0;
    workbook
        .read_rows(0, |_| {
            count += 1;
            ControlFlow::Continue(())
        })
        .unwrap();
    assert_eq!(count, 50);
}

#[test]
fn files_the_streamed_readers_do_not_take_are_read_whole_as_before() {
    // An XLSX under an .ods name: calamine tries every format.
    let bytes = xlsx(|workbook| {
        let sheet = workbook.add_worksheet();
        sheet.write_string(0, 0, "Name").unwrap();
        sheet.write_string(1, 0, "Karim").unwrap();
    });
    let tables = read_table("list.ods", &bytes, None).unwrap();
    assert_eq!(tables, read_workbook_whole(&bytes, None).unwrap());
    assert_eq!(tables[0].rows[0].cells, ["Karim"]);
    // Broken ODS content is refused with an error, never a panic or an endless loop.
    for broken in [
        r#"<table:table table:name="S"><table:table-row><table:table-cell office:value-type="string"><text:p>cut"#,
        r#"<table:table table:name="S"><table:table-row table:number-rows-repeated="many"/></table:table>"#,
        r#"<table:table table:name="S"><table:table-row><table:table-cell office:value-type="float" office:value="x"/></table:table-row></table:table>"#,
        r#"<table:table table:name="S"><table:table-row><table:table-cell/>"#,
    ] {
        let result = read_table("list.ods", &ods(broken), None);
        assert!(result.is_err(), "{broken}: {result:?}");
    }
}

#[test]
fn two_ods_sheets_of_one_name_read_as_calamine_reads_them() {
    let first = format!(
        r#"<table:table table:name="List">{}{}</table:table>"#,
        row(&[text("Name")]),
        row(&[text("Karim")])
    );
    let second = format!(
        r#"<table:table table:name="List">{}{}</table:table>"#,
        row(&[text("Name")]),
        row(&[text("Farid")])
    );
    let bytes = ods(&format!("{first}{second}"));
    let tables = same("list.ods", &bytes, None);
    assert_eq!(tables.len(), 2);
    assert_eq!(tables[0].rows[0].cells, ["Farid"]);
    assert_eq!(same("list.ods", &bytes, Some("List")).len(), 2);
}

/// One generated ODS cell.
#[derive(Debug, Clone)]
enum OdsCell {
    Empty,
    Text(String),
    EmptyText,
    Number(f64),
    Date(u32, u32, u32),
    Boolean(bool),
    FormulaOnly,
    Covered,
}

fn ods_cell(cell: &OdsCell, repeats: usize) -> String {
    let repeated = if repeats > 1 {
        format!(r#" table:number-columns-repeated="{repeats}""#)
    } else {
        String::new()
    };
    match cell {
        OdsCell::Empty => format!("<table:table-cell{repeated}/>"),
        OdsCell::Text(value) => {
            let escaped = value.replace('&', "&amp;").replace('<', "&lt;");
            let spaced = escaped.replace("  ", r#"<text:s text:c="2"/>"#);
            format!(
                r#"<table:table-cell{repeated} office:value-type="string"><text:p>{spaced}</text:p></table:table-cell>"#
            )
        }
        OdsCell::EmptyText => {
            format!(r#"<table:table-cell{repeated} office:value-type="string"/>"#)
        }
        OdsCell::Number(value) => format!(
            r#"<table:table-cell{repeated} office:value-type="float" office:value="{value}"><text:p>{value}</text:p></table:table-cell>"#
        ),
        OdsCell::Date(year, month, day) => format!(
            r#"<table:table-cell{repeated} office:value-type="date" office:date-value="{year:04}-{month:02}-{day:02}"/>"#
        ),
        OdsCell::Boolean(value) => format!(
            r#"<table:table-cell{repeated} office:value-type="boolean" office:boolean-value="{value}"/>"#
        ),
        OdsCell::FormulaOnly => format!(r#"<table:table-cell{repeated} table:formula="of:=1"/>"#),
        OdsCell::Covered => format!("<table:covered-table-cell{repeated}/>"),
    }
}

fn any_ods_cell() -> impl Strategy<Value = OdsCell> {
    prop_oneof![
        4 => Just(OdsCell::Empty),
        4 => "[A-Za-z ا-ی۰-۹/&<#-]{0,10}".prop_map(OdsCell::Text),
        1 => Just(OdsCell::EmptyText),
        2 => prop_oneof![Just(0.5), Just(34.0), Just(-2.25), Just(1e16), Just(700123456.0)]
            .prop_map(OdsCell::Number),
        1 => (1950u32..2021, 1u32..13, 1u32..29).prop_map(|(y, m, d)| OdsCell::Date(y, m, d)),
        1 => any::<bool>().prop_map(OdsCell::Boolean),
        1 => Just(OdsCell::FormulaOnly),
        1 => Just(OdsCell::Covered),
    ]
}

/// A generated sheet: rows of (cells with column repeats), each row with its row repeats.
fn any_ods_rows() -> impl Strategy<Value = Vec<(Vec<(OdsCell, usize)>, usize)>> {
    let cells = proptest::collection::vec((any_ods_cell(), 1usize..4), 0..7);
    proptest::collection::vec(
        (cells, prop_oneof![6 => Just(1usize), 1 => 2usize..5]),
        0..12,
    )
}

fn ods_sheet(name: &str, rows: &[(Vec<(OdsCell, usize)>, usize)]) -> String {
    let mut body = String::new();
    for (cells, repeats) in rows {
        if *repeats > 1 {
            body.push_str(&format!(
                r#"<table:table-row table:number-rows-repeated="{repeats}">"#
            ));
        } else {
            body.push_str("<table:table-row>");
        }
        for (cell, repeats) in cells {
            body.push_str(&ods_cell(cell, *repeats));
        }
        body.push_str("</table:table-row>");
    }
    format!(r#"<table:table table:name="{name}">{body}</table:table>"#)
}

/// One generated XLSX cell.
#[derive(Debug, Clone)]
enum XlsxCell {
    Text(String),
    Number(f64),
    Date(u16, u8, u8),
    Boolean(bool),
    FormattedBlank,
}

fn any_xlsx_cells() -> impl Strategy<Value = Vec<((u32, u16), XlsxCell)>> {
    let cell = prop_oneof![
        4 => "[A-Za-z ا-ی۰-۹/#-]{0,10}".prop_map(XlsxCell::Text),
        2 => prop_oneof![Just(0.5), Just(34.0), Just(-2.25), Just(1e16), Just(700123456.0)]
            .prop_map(XlsxCell::Number),
        1 => (1950u16..2021, 1u8..13, 1u8..29).prop_map(|(y, m, d)| XlsxCell::Date(y, m, d)),
        1 => any::<bool>().prop_map(XlsxCell::Boolean),
        1 => Just(XlsxCell::FormattedBlank),
    ];
    proptest::collection::vec(((0u32..14, 0u16..7), cell), 0..40)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn generated_ods_sheets_read_the_same_streamed(
        first in any_ods_rows(),
        second in any_ods_rows(),
    ) {
        let bytes = ods(&format!("{}{}", ods_sheet("One", &first), ods_sheet("Two", &second)));
        let streamed = read_table("list.ods", &bytes, None).expect("streamed");
        let whole = read_workbook_whole(&bytes, None).expect("whole");
        prop_assert_eq!(streamed, whole);
        let workbook = Workbook::open(Cursor::new(&bytes), SourceFormat::Ods, None).unwrap();
        prop_assert!(workbook.streamed());
    }

    #[test]
    fn generated_xlsx_sheets_read_the_same_streamed(cells in any_xlsx_cells()) {
        let bytes = xlsx(|workbook| {
            let date = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
            let shaded = rust_xlsxwriter::Format::new().set_bold();
            let sheet = workbook.add_worksheet();
            for ((row, column), cell) in &cells {
                let (row, column) = (*row, *column);
                match cell {
                    XlsxCell::Text(text) => sheet.write_string(row, column, text).map(|_| ()),
                    XlsxCell::Number(number) => sheet.write_number(row, column, *number).map(|_| ()),
                    XlsxCell::Date(y, m, d) => {
                        let day = rust_xlsxwriter::ExcelDateTime::from_ymd(*y, *m, *d).unwrap();
                        sheet.write_datetime_with_format(row, column, &day, &date).map(|_| ())
                    }
                    XlsxCell::Boolean(value) => sheet.write_boolean(row, column, *value).map(|_| ()),
                    XlsxCell::FormattedBlank => sheet.write_blank(row, column, &shaded).map(|_| ()),
                }
                .unwrap();
            }
        });
        let streamed = read_table("list.xlsx", &bytes, None).expect("streamed");
        let whole = read_workbook_whole(&bytes, None).expect("whole");
        prop_assert_eq!(streamed, whole);
        let workbook = Workbook::open(Cursor::new(&bytes), SourceFormat::Xlsx, None).unwrap();
        prop_assert!(workbook.streamed());
    }
}
