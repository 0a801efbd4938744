//! Reading a file's bytes into tables of text cells: CSV (encoding and delimiter detected),
//! XLSX, XLS and ODS (every sheet, or one). XLSX and ODS sheets are read a row at a time
//! ([`crate::workbook`]); `.xls` (and anything the streamed readers do not recognise) is read
//! whole by calamine ([`read_workbook_whole`]).

use crate::header::{FoundHeader, HeaderFinder};
use calamine::{Data, Reader};
use std::io::{Cursor, Read};
use std::ops::ControlFlow;

/// The formats Airbridge reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    Csv,
    Xlsx,
    Xls,
    Ods,
    /// People Finder Interchange Format (XML).
    Pfif,
}

impl SourceFormat {
    /// Guesses the format from the first bytes (ZIP for XLSX/ODS, OLE for XLS), then the name.
    pub fn detect(name: &str, bytes: &[u8]) -> SourceFormat {
        let lower = name.to_lowercase();
        if bytes.starts_with(b"PK\x03\x04") {
            if lower.ends_with(".ods") || window(bytes, b"application/vnd.oasis.opendocument") {
                return SourceFormat::Ods;
            }
            return SourceFormat::Xlsx;
        }
        if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
            return SourceFormat::Xls;
        }
        if crate::pfif::is_pfif(bytes) {
            return SourceFormat::Pfif;
        }
        SourceFormat::Csv
    }
}

fn window(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .get(..haystack.len().min(4096))
        .is_some_and(|head| head.windows(needle.len()).any(|w| w == needle))
}

/// Why a file could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("the file is empty")]
    Empty,
    #[error("line {line}: the CSV is malformed: {message}")]
    Csv { line: u64, message: String },
    #[error(
        "the spreadsheet cannot be opened: {0} (is it a real .xlsx/.xls/.ods file, not renamed or damaged?)"
    )]
    Spreadsheet(String),
    #[error("there is no sheet named '{0}'; the sheets are: {1}")]
    NoSuchSheet(String, String),
    #[error("the file is larger than {limit} bytes once unpacked; split it into smaller files")]
    TooLarge { limit: u64 },
    #[error("the file cannot be read: {0}")]
    Io(String),
}

/// One sheet (or the whole CSV) as text: a header row and the rows below it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    /// The sheet's name; `None` for CSV.
    pub sheet: Option<String>,
    /// The line (1-based, as a spreadsheet shows it) of the header row.
    pub header_line: usize,
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
    /// What the reader noticed about the file (encoding, delimiter).
    pub notes: Vec<String>,
}

/// A data row with its line number in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub line: usize,
    pub cells: Vec<String>,
}

/// Spreadsheets are ZIP archives: refuse one that unpacks to more than this (a ZIP bomb).
pub const MAX_UNPACKED_BYTES: u64 = 512 * 1024 * 1024;

/// Reads every table in the file (CSV: one; spreadsheets: every non-empty sheet, or `sheet`).
pub fn read_table(name: &str, bytes: &[u8], sheet: Option<&str>) -> Result<Vec<Table>, ReadError> {
    if bytes.is_empty() {
        return Err(ReadError::Empty);
    }
    match SourceFormat::detect(name, bytes) {
        SourceFormat::Pfif => crate::pfif::read_pfif(bytes).map(|t| vec![t]),
        SourceFormat::Csv => read_csv(bytes).map(|t| vec![t]),
        format @ (SourceFormat::Xlsx | SourceFormat::Ods | SourceFormat::Xls) => {
            check_unpacked_size(bytes)?;
            crate::workbook::Workbook::open(Cursor::new(bytes), format, sheet)?.into_tables()
        }
    }
}

/// Sums the sizes a ZIP's central directory declares, without unpacking anything.
fn check_unpacked_size(bytes: &[u8]) -> Result<(), ReadError> {
    if !bytes.starts_with(b"PK") {
        return Ok(());
    }
    let mut total: u64 = 0;
    let mut at = 0;
    // Central directory file headers: signature PK\x01\x02, uncompressed size at offset 24.
    while let Some(offset) = bytes[at..].windows(4).position(|w| w == b"PK\x01\x02") {
        let start = at + offset;
        if let Some(size) = bytes.get(start + 24..start + 28) {
            total += u64::from(u32::from_le_bytes([size[0], size[1], size[2], size[3]]));
        }
        if total > MAX_UNPACKED_BYTES {
            return Err(ReadError::TooLarge {
                limit: MAX_UNPACKED_BYTES,
            });
        }
        at = start + 4;
    }
    Ok(())
}

fn read_csv(bytes: &[u8]) -> Result<Table, ReadError> {
    let stream = crate::stream::CsvRows::open(Cursor::new(bytes))?;
    let mut table = Table {
        sheet: None,
        header_line: stream.header_line(),
        headers: stream.headers().to_vec(),
        rows: Vec::new(),
        notes: stream.notes().to_vec(),
    };
    for row in stream {
        table.rows.push(row?);
    }
    Ok(table)
}

/// A cell as the text the value parsers read.
pub(crate) fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_owned(),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", *f as i64)
            } else {
                f.to_string()
            }
        }
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        // A date cell: keep the ISO date so the value parser sees an unambiguous date.
        Data::DateTime(value) => match value.as_datetime() {
            Some(datetime) => datetime.date().to_string(),
            None => value.as_f64().to_string(),
        },
        Data::DateTimeIso(s) => s.get(..10).unwrap_or(s).to_owned(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#ERROR {e:?}"),
        #[allow(unreachable_patterns)]
        _ => String::new(),
    }
}

/// Where a sheet's non-blank rows go, in order: a stamp above the header (an Airbridge export's
/// first row) becomes a note, the header is found by [`HeaderFinder`] (a title above it becomes
/// a note), every later row is data. The whole-sheet and the streamed readers both place rows
/// through this, so they agree.
#[derive(Debug, Default)]
pub(crate) struct SheetShape {
    pub(crate) table: Table,
    finder: HeaderFinder,
    /// The last non-blank line placed before the header was known.
    last_placed: usize,
    /// Whether the header was known only at the sheet's end (every row placed was a stamp,
    /// a title or the header itself).
    header_at_end: bool,
    /// The line of the data row whose reading told the header (a one-cell header is known
    /// only from the row after it): the rows between were notes or blank, not data.
    first_row_line: Option<usize>,
}

impl SheetShape {
    pub(crate) fn new(sheet: &str) -> SheetShape {
        SheetShape {
            table: Table {
                sheet: Some(sheet.to_owned()),
                ..Table::default()
            },
            ..SheetShape::default()
        }
    }

    /// The last line the shape took for itself: the header's, or, when the header was known
    /// only at the end, the last row read (a stamp after a one-cell header is a note, not data).
    pub(crate) fn opened_through(&self) -> usize {
        if self.header_at_end {
            self.last_placed.max(self.table.header_line)
        } else if let Some(line) = self.first_row_line {
            // Reading resumes at the row that told the header, not at a note before it.
            (line - 1).max(self.table.header_line)
        } else {
            self.table.header_line
        }
    }

    /// Takes the sheet's next row (`line` 1-based); gives it back when it is a data row.
    pub(crate) fn place(&mut self, line: usize, cells: Vec<String>) -> Option<Row> {
        if cells.iter().all(String::is_empty) {
            return None;
        }
        if !self.table.headers.is_empty() {
            return Some(Row { line, cells });
        }
        self.last_placed = line;
        if cells[0].starts_with("# ") && cells[1..].iter().all(String::is_empty) {
            self.table.notes.push(cells[0].clone());
            return None;
        }
        let found = self.finder.feed(Row { line, cells })?;
        self.take_header(found)
    }

    /// Ends the sheet: a one-cell row still waiting is the header of a list with no rows.
    pub(crate) fn finish(&mut self) {
        if let Some(found) = self.finder.finish() {
            self.header_at_end = true;
            self.take_header(found);
        }
    }

    /// Keeps the header the finder answered; gives back the first data row it read, if any.
    fn take_header(&mut self, found: FoundHeader) -> Option<Row> {
        self.table.notes.extend(found.title_note());
        self.table.headers = found.header.cells;
        self.table.header_line = found.header.line;
        self.first_row_line = found.first.as_ref().map(|row| row.line);
        found.first
    }
}

/// Calls `each` with every row of a calamine range as text, with its 1-based line.
pub(crate) fn range_rows(
    range: &calamine::Range<Data>,
    mut each: impl FnMut(usize, Vec<String>) -> ControlFlow<()>,
) {
    let first_row = range.start().map(|(row, _)| row as usize).unwrap_or(0);
    for (index, row) in range.rows().enumerate() {
        if each(first_row + index + 1, row.iter().map(cell_text).collect()).is_break() {
            return;
        }
    }
}

/// Reads a workbook whole with calamine (every sheet into memory at once): the path for `.xls`
/// and for files the streamed readers do not recognise, and the reference the streamed XLSX and
/// ODS readers are tested against.
pub fn read_workbook_whole(bytes: &[u8], only: Option<&str>) -> Result<Vec<Table>, ReadError> {
    let mut workbook = calamine::open_workbook_auto_from_rs(Cursor::new(bytes.to_vec()))
        .map_err(|e| ReadError::Spreadsheet(e.to_string()))?;
    let names = workbook.sheet_names();
    if let Some(wanted) = only
        && !names.iter().any(|n| n == wanted)
    {
        return Err(ReadError::NoSuchSheet(wanted.to_owned(), names.join(", ")));
    }
    let mut tables = Vec::new();
    for name in names {
        if only.is_some_and(|wanted| wanted != name) {
            continue;
        }
        let range = workbook
            .worksheet_range(&name)
            .map_err(|e| ReadError::Spreadsheet(format!("sheet '{name}': {e}")))?;
        let mut shape = SheetShape::new(&name);
        let mut rows = Vec::new();
        range_rows(&range, |line, cells| {
            rows.extend(shape.place(line, cells));
            ControlFlow::Continue(())
        });
        shape.finish();
        let mut table = shape.table;
        table.rows = rows;
        if !table.headers.is_empty() {
            tables.push(table);
        }
    }
    Ok(tables)
}

/// Reads everything from a reader; a helper for callers with streams.
pub fn read_all(mut reader: impl Read, limit: u64) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader.by_ref().take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(std::io::Error::other(format!(
            "the file is larger than {limit} bytes; split it into smaller files"
        )));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_semicolons_bom_and_comments() {
        let bytes = "\u{feff}# exported by someone\nNom;Prénom;Date de naissance\nAhmadzai;Hashem;1365/05/12\n\n;Fatima;1990\n".as_bytes();
        let tables = read_table("list.csv", bytes, None).unwrap();
        let table = &tables[0];
        assert_eq!(table.headers, ["Nom", "Prénom", "Date de naissance"]);
        assert_eq!(table.rows.len(), 2);
        assert_eq!(table.rows[0].cells[1], "Hashem");
        assert_eq!(table.rows[1].line, 5);
        assert!(table.notes[0].contains("';'"), "{:?}", table.notes);
    }

    #[test]
    fn a_title_above_the_header_is_a_note_not_the_header() {
        let csv =
            "Embassy evacuation list — لیست تخلیه\n\nنام,Surname,Date of birth\nفرید,Rahimi,1365\n";
        let table = &read_table("list.csv", csv.as_bytes(), None).unwrap()[0];
        assert_eq!(table.headers, ["نام", "Surname", "Date of birth"]);
        assert_eq!(table.header_line, 3);
        assert_eq!(table.rows.len(), 1);
        assert_eq!(table.rows[0].line, 4);
        assert!(
            table
                .notes
                .iter()
                .any(|n| n.contains("line 1") && n.contains("Embassy")),
            "{:?}",
            table.notes
        );
        // The same in a sheet.
        let mut shape = SheetShape::new("List");
        let line = |cells: &[&str]| cells.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        assert!(shape.place(1, line(&["Evacuation list", ""])).is_none());
        assert!(shape.place(2, line(&["", ""])).is_none());
        assert!(shape.place(3, line(&["Given name", "Surname"])).is_none());
        assert_eq!(shape.place(4, line(&["Farid", "Rahimi"])).unwrap().line, 4);
        assert_eq!(shape.table.headers, ["Given name", "Surname"]);
        assert_eq!(shape.table.notes.len(), 1);
    }

    #[test]
    fn a_note_between_a_one_cell_header_and_its_first_row_is_not_read_again_as_data() {
        // A streamed reader resumes after `opened_through`: the note on line 2, read while the
        // one-cell header waited for its first row (line 5), must stay a note.
        let mut shape = SheetShape::new("List");
        let line = |cells: &[&str]| cells.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        assert!(shape.place(1, line(&["Beneficiaries"])).is_none());
        assert!(
            shape
                .place(2, line(&["# checked by the embassy"]))
                .is_none()
        );
        assert_eq!(shape.place(5, line(&["Farid Rahimi"])).unwrap().line, 5);
        assert_eq!(shape.table.header_line, 1);
        assert_eq!(shape.table.notes, ["# checked by the embassy"]);
        assert_eq!(shape.opened_through(), 4);
    }

    #[test]
    fn a_one_column_list_keeps_its_header_and_first_row() {
        // An unknown header over one column is not taken for a title: the row after it is the
        // list's first, not a header, and nothing is lost.
        let csv = "Beneficiaries\nFarid Rahimi\nZahra Karimi\n";
        let table = &read_table("list.csv", csv.as_bytes(), None).unwrap()[0];
        assert_eq!(table.headers, ["Beneficiaries"]);
        assert_eq!(table.rows.len(), 2);
        assert_eq!(table.rows[0].cells[0], "Farid Rahimi");
        let mut shape = SheetShape::new("List");
        assert!(shape.place(1, vec!["Beneficiaries".into()]).is_none());
        let first = shape.place(2, vec!["Farid Rahimi".into()]).unwrap();
        assert_eq!((first.line, first.cells[0].as_str()), (2, "Farid Rahimi"));
        assert_eq!(shape.table.headers, ["Beneficiaries"]);
        // A sheet with nothing under its one cell still has that cell as its header.
        let mut shape = SheetShape::new("Empty");
        assert!(shape.place(1, vec!["Full name".into()]).is_none());
        shape.finish();
        assert_eq!(shape.table.headers, ["Full name"]);
        let mut shape = SheetShape::new("Empty");
        assert!(shape.place(1, vec!["Beneficiaries".into()]).is_none());
        shape.finish();
        assert_eq!(shape.table.headers, ["Beneficiaries"]);
    }

    #[test]
    fn legacy_encodings_are_detected() {
        // "نام,تخلص\nمحمد,احمدزی" in Windows-1256, as Excel saves a Dari CSV.
        let text = "نام,تخلص\nمحمد,احمدزی\nعلی,رحیمی\n";
        let (bytes, _, _) = encoding_rs::WINDOWS_1256.encode(text);
        let table = &read_table("x.csv", &bytes, None).unwrap()[0];
        assert_eq!(table.headers, ["نام", "تخلص"]);
        assert_eq!(table.rows[0].cells[0], "محمد");
        // UTF-16LE with BOM, tab separated.
        let mut utf16 = vec![0xFF, 0xFE];
        for unit in "Name\tDOB\nKarim\t1980\n".encode_utf16() {
            utf16.extend(unit.to_le_bytes());
        }
        let table = &read_table("x.csv", &utf16, None).unwrap()[0];
        assert_eq!(table.headers, ["Name", "DOB"]);
        // Windows-1252 French.
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode("Nom;Prénom\nDubois;Hélène\n");
        let table = &read_table("x.csv", &bytes, None).unwrap()[0];
        assert_eq!(table.rows[0].cells[1], "Hélène");
    }

    #[test]
    fn a_zip_bomb_is_refused_before_unpacking() {
        // A central directory entry declaring a 4 GiB file.
        let mut bytes = b"PK\x03\x04".to_vec();
        bytes.extend([0u8; 26]);
        bytes.extend(b"PK\x01\x02");
        bytes.extend([0u8; 20]);
        bytes.extend(u32::MAX.to_le_bytes());
        bytes.extend([0u8; 30]);
        assert!(matches!(
            read_table("bomb.xlsx", &bytes, None),
            Err(ReadError::TooLarge { .. })
        ));
    }

    #[test]
    fn broken_files_get_clear_errors() {
        assert!(matches!(
            read_table("a.csv", b"", None),
            Err(ReadError::Empty)
        ));
        assert!(matches!(
            read_table("a.xlsx", b"PK\x03\x04garbage", None),
            Err(ReadError::Spreadsheet(_))
        ));
    }
}
