//! ODS sheets streamed from the `content.xml` inside the ZIP, a row at a time. calamine reads an
//! ODS file whole (every sheet into memory when it opens), so this reader follows calamine's
//! own rules, value for value, without holding the sheet: the same cell values
//! (`office:value-type` float, percentage and currency as numbers, date, time, boolean, string
//! from `text:p`, `text:s`, `text:tab`, `text:line-break`), the same repeated rows and columns
//! with the same caps, and the same cut to the block of non-empty cells. Where calamine would
//! loop or allocate without end on a broken file, this reader stops with an error instead.

use crate::read::{ReadError, SheetShape, cell_text};
use crate::workbook::{Opened, Sheet, SheetRows};
use calamine::Data;
use quick_xml::events::{BytesStart, Event};
use std::io::{BufReader, Read, Seek};
use std::ops::ControlFlow;
use zip::ZipArchive;
use zip::read::ZipFile;

const MIMETYPE: &[u8] = b"application/vnd.oasis.opendocument.spreadsheet";
/// calamine's caps: rows in a sheet, columns in a row, cells in a sheet's block.
const MAX_ROWS: usize = 1_048_576;
const MAX_COLUMNS: usize = 16_384;
const MAX_CELLS: usize = 100_000_000;
/// The most spaces one `<text:s text:c="…"/>` stands for (calamine has no cap: a count of four
/// billion would ask for four gigabytes). No list needs more inside one cell.
const MAX_SPACES: usize = 1024;

type XmlReader<'a, R> = quick_xml::Reader<BufReader<ZipFile<'a, R>>>;

/// Where a sheet's rows are in `content.xml`, and the block of its non-empty cells.
#[derive(Debug, Clone)]
pub(crate) struct OdsSheet {
    /// Which named `table:table` of the document (0-based).
    table_index: usize,
    /// The first and last rows (as elements, 0-based, repeats not expanded) with a value.
    first_row_element: usize,
    last_row_element: usize,
    /// The sheet row (0-based, repeats expanded) of the first row with a value.
    start_row: usize,
    first_column: usize,
    last_column: usize,
    /// Rows in the block, repeats expanded.
    block_rows: usize,
}

/// Opens the file and reads each wanted sheet's header. `Ok(None)` when it is not an
/// OpenDocument spreadsheet (no `mimetype`, no manifest): the caller reads it whole, which tries
/// every format and words the errors as before.
pub(crate) fn open<R: Read + Seek>(
    reader: R,
    only: Option<&str>,
) -> Result<Opened<ZipArchive<R>>, ReadError> {
    let Ok(mut zip) = ZipArchive::new(reader) else {
        return Ok(None);
    };
    if !has_mimetype(&mut zip) {
        return Ok(None);
    }
    match encrypted(&mut zip) {
        Some(false) => {}
        Some(true) => {
            return Err(ReadError::Spreadsheet(
                "the file is protected by a password".into(),
            ));
        }
        None => return Ok(None),
    }
    let surveyed = survey(&mut zip)?;
    let names: Vec<&str> = surveyed.iter().map(|(name, _)| name.as_str()).collect();
    if let Some(wanted) = only
        && !names.contains(&wanted)
    {
        return Err(ReadError::NoSuchSheet(wanted.to_owned(), names.join(", ")));
    }
    let mut sheets = Vec::new();
    for (name, _) in &surveyed {
        if only.is_some_and(|wanted| wanted != name) {
            continue;
        }
        // Two sheets of one name (LibreOffice forbids it) both read as the last of them, as
        // calamine, which keeps sheets by name, reads them.
        let last = surveyed.iter().rev().find(|(other, _)| other == name);
        let Some((_, Some(block))) = last else {
            continue;
        };
        let mut shape = SheetShape::new(name);
        block.stream(&mut zip, &mut |line, cells| {
            shape.place(line, cells);
            crate::xlsx::header_found(&shape)
        })?;
        shape.finish();
        if !shape.table.headers.is_empty() {
            sheets.push(Sheet {
                opened_through: shape.opened_through(),
                table: shape.table,
                rows: SheetRows::Ods(block.clone()),
            });
        }
    }
    Ok(Some((zip, sheets)))
}

fn has_mimetype<R: Read + Seek>(zip: &mut ZipArchive<R>) -> bool {
    let Ok(mut file) = zip.by_name("mimetype") else {
        return false;
    };
    let mut head = [0u8; 46];
    file.read_exact(&mut head).is_ok() && head[..] == *MIMETYPE
}

/// Whether the manifest marks a file as encrypted (as calamine checks it); `None` when there is
/// no readable manifest.
fn encrypted<R: Read + Seek>(zip: &mut ZipArchive<R>) -> Option<bool> {
    let file = zip.by_name("META-INF/manifest.xml").ok()?;
    let mut reader = xml_reader(file);
    let mut buf = Vec::new();
    let mut in_entry = false;
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf).ok()? {
            Event::Start(e) if e.name().0 == "manifest:file-entry" => in_entry = true,
            Event::Start(e) if in_entry && e.name().0 == "manifest:encryption-data" => {
                return Some(true);
            }
            Event::Eof => return Some(false),
            _ => {}
        }
    }
}

fn xml_reader<B: Read>(file: B) -> quick_xml::Reader<BufReader<B>> {
    let mut reader = quick_xml::Reader::from_reader(BufReader::new(file));
    let config = reader.config_mut();
    config.check_end_names = false;
    config.trim_text(false);
    config.check_comments = false;
    config.expand_empty_elements = true;
    reader
}

fn content<R: Read + Seek>(zip: &mut ZipArchive<R>) -> Result<XmlReader<'_, R>, ReadError> {
    zip.by_name("content.xml")
        .map(xml_reader)
        .map_err(|e| ReadError::Spreadsheet(format!("content.xml: {e}")))
}

fn broken(what: impl std::fmt::Display) -> ReadError {
    ReadError::Spreadsheet(format!("content.xml: {what}"))
}

/// The value of attribute `key` as written (not unescaped).
fn raw_attribute(element: &BytesStart<'_>, key: &str) -> Result<Option<String>, ReadError> {
    for attribute in element.attributes().with_checks(false) {
        let attribute = attribute.map_err(broken)?;
        if attribute.key.0 == key {
            return Ok(Some(attribute.value.into_owned()));
        }
    }
    Ok(None)
}

fn unescape(raw: &str) -> Result<String, ReadError> {
    quick_xml::escape::unescape(raw)
        .map(|text| text.into_owned())
        .map_err(broken)
}

/// Moves to the next sheet (a `table:table` with a name) and returns its name; `None` at the
/// end of the document.
fn next_table<R: Read>(
    reader: &mut quick_xml::Reader<BufReader<R>>,
    buf: &mut Vec<u8>,
) -> Result<Option<String>, ReadError> {
    let mut skipped = Vec::new();
    loop {
        buf.clear();
        match reader.read_event_into(buf).map_err(broken)? {
            Event::Start(e) if e.name().0 == "table:table" => {
                if let Some(name) = raw_attribute(&e, "table:name")? {
                    return Ok(Some(unescape(&name)?));
                }
            }
            Event::Start(e) if e.name().0 == "table:named-expressions" => {
                reader
                    .read_to_end_into(e.name(), &mut skipped)
                    .map_err(broken)?;
            }
            Event::Eof => return Ok(None),
            _ => {}
        }
    }
}

/// Reads a sheet's rows one `table:table-row` element at a time.
struct RowReader {
    /// Sheet rows so far, repeats expanded (and capped at [`MAX_ROWS`], as calamine does).
    rows: usize,
    buf: Vec<u8>,
    row_buf: Vec<u8>,
    cell_buf: Vec<u8>,
}

impl RowReader {
    fn new() -> RowReader {
        RowReader {
            rows: 0,
            buf: Vec::with_capacity(1024),
            row_buf: Vec::with_capacity(1024),
            cell_buf: Vec::with_capacity(1024),
        }
    }

    /// Reads the next row's cells into `cells` and returns how many sheet rows it stands for;
    /// `None` at the sheet's end.
    fn next<R: Read>(
        &mut self,
        reader: &mut quick_xml::Reader<BufReader<R>>,
        cells: &mut Vec<Data>,
    ) -> Result<Option<usize>, ReadError> {
        loop {
            self.buf.clear();
            match reader.read_event_into(&mut self.buf).map_err(broken)? {
                Event::Start(e) if e.name().0 == "table:table-row" => {
                    let repeats = match raw_attribute(&e, "table:number-rows-repeated")? {
                        Some(count) => unescape(&count)?
                            .parse::<usize>()
                            .map_err(|error| broken(format!("rows repeated: {error}")))?,
                        None => 1,
                    };
                    let repeats = repeats.min(MAX_ROWS.saturating_sub(self.rows));
                    self.rows += repeats;
                    read_row(reader, cells, &mut self.row_buf, &mut self.cell_buf)?;
                    return Ok(Some(repeats));
                }
                Event::End(e) if e.name().0 == "table:table" => return Ok(None),
                Event::Eof => return Err(broken("the file ends inside a sheet")),
                _ => {}
            }
        }
    }
}

/// One row's cells, repeated columns written out; empty cells after the last value are left
/// out (so a row of 16,384 repeated empty cells holds nothing).
fn read_row<R: Read>(
    reader: &mut quick_xml::Reader<BufReader<R>>,
    cells: &mut Vec<Data>,
    row_buf: &mut Vec<u8>,
    cell_buf: &mut Vec<u8>,
) -> Result<(), ReadError> {
    cells.clear();
    let mut empty_repeats = 0usize;
    loop {
        row_buf.clear();
        match reader.read_event_into(row_buf).map_err(broken)? {
            Event::Start(e)
                if e.name().0 == "table:table-cell" || e.name().0 == "table:covered-table-cell" =>
            {
                let repeats = match raw_attribute(&e, "table:number-columns-repeated")? {
                    Some(count) => count
                        .parse::<usize>()
                        .map_err(|error| broken(format!("columns repeated: {error}")))?,
                    None => 1,
                };
                let cell = read_cell(reader, &e, cell_buf)?;
                let room = MAX_COLUMNS.saturating_sub(cells.len());
                cells.extend(std::iter::repeat_n(Data::Empty, empty_repeats.min(room)));
                let repeats = repeats.min(MAX_COLUMNS.saturating_sub(cells.len()));
                if cell.value == Data::Empty && !cell.has_formula {
                    empty_repeats = repeats;
                } else {
                    empty_repeats = 0;
                    cells.extend(std::iter::repeat_n(cell.value, repeats));
                }
                if !cell.closed {
                    reader
                        .read_to_end_into(e.name(), cell_buf)
                        .map_err(broken)?;
                }
            }
            Event::End(e) if e.name().0 == "table:table-row" => return Ok(()),
            // Line breaks between cells (calamine refuses them; an indented file is still valid).
            Event::Text(text)
                if text
                    .xml10_content()
                    .chars()
                    .all(|c| c.is_ascii_whitespace()) => {}
            other => {
                return Err(broken(format!(
                    "a table row holds {other:?} where a cell should be"
                )));
            }
        }
    }
}

struct CellRead {
    value: Data,
    has_formula: bool,
    /// Whether the cell's end tag was read already (its text was read).
    closed: bool,
}

/// A cell's value from its attributes, or its text when it is a string without
/// `office:string-value` (or an error cell, whose text LibreOffice keeps there).
fn read_cell<R: Read>(
    reader: &mut quick_xml::Reader<BufReader<R>>,
    element: &BytesStart<'_>,
    buf: &mut Vec<u8>,
) -> Result<CellRead, ReadError> {
    let mut is_string = false;
    let mut is_error = false;
    let mut value_set = false;
    let mut value = Data::Empty;
    let mut has_formula = false;
    for attribute in element.attributes().with_checks(false) {
        let attribute = attribute.map_err(broken)?;
        let raw: &str = &attribute.value;
        match attribute.key.0 {
            "office:value" if !value_set => {
                let number = fast_float2::parse::<f64, _>(raw.as_bytes())
                    .map_err(|_| broken(format!("'{raw}' is not a number")))?;
                value = Data::Float(number);
                value_set = true;
            }
            key @ ("office:string-value" | "office:date-value" | "office:time-value")
                if !value_set =>
            {
                let text = unescape(raw)?;
                value = match key {
                    "office:date-value" => Data::DateTimeIso(text),
                    "office:time-value" => Data::DurationIso(text),
                    _ => Data::String(text),
                };
                value_set = true;
            }
            "office:boolean-value" if !value_set => {
                value = Data::Bool(raw == "TRUE" || raw == "true");
                value_set = true;
            }
            "office:value-type" if !value_set => is_string = raw == "string",
            "calcext:value-type" => is_error = raw == "error",
            "table:formula" => has_formula = !unescape(raw)?.is_empty(),
            _ => {}
        }
    }
    let empty_error = is_error && matches!(&value, Data::String(text) if text.is_empty());
    if !((!value_set && is_string) || empty_error) {
        return Ok(CellRead {
            value,
            has_formula,
            closed: false,
        });
    }
    let mut text = String::new();
    let mut first_paragraph = true;
    loop {
        buf.clear();
        match reader.read_event_into(buf).map_err(broken)? {
            Event::Text(part) => text.push_str(&part.xml10_content()),
            Event::GeneralRef(entity) => {
                if let Some(resolved) = quick_xml::escape::resolve_xml_entity(&entity) {
                    text.push_str(resolved);
                } else if let Some(character) = entity.resolve_char_ref().map_err(broken)? {
                    text.push(character);
                } else {
                    return Err(broken(format!("unknown entity &{};", &*entity)));
                }
            }
            Event::End(e)
                if e.name().0 == "table:table-cell" || e.name().0 == "table:covered-table-cell" =>
            {
                return Ok(CellRead {
                    value: Data::String(text),
                    has_formula,
                    closed: true,
                });
            }
            // A comment on the cell is not its value.
            Event::Start(e) if e.name().0 == "office:annotation" => {
                let mut skipped = Vec::new();
                reader
                    .read_to_end_into(e.name(), &mut skipped)
                    .map_err(broken)?;
            }
            Event::Start(e) if e.name().0 == "text:p" => {
                if first_paragraph {
                    first_paragraph = false;
                } else {
                    text.push('\n');
                }
            }
            Event::Start(e) if e.name().0 == "text:s" => {
                let count = match raw_attribute(&e, "text:c")? {
                    // calamine reads the count as an i32: a negative one adds nothing.
                    Some(count) => unescape(&count)?
                        .parse::<i32>()
                        .map_err(|error| broken(format!("spaces: {error}")))?,
                    None => 1,
                };
                let count = usize::try_from(count).unwrap_or(0).min(MAX_SPACES);
                text.extend(std::iter::repeat_n(' ', count));
            }
            Event::Start(e) if e.name().0 == "text:tab" => text.push('\t'),
            Event::Start(e) if e.name().0 == "text:line-break" => text.push('\n'),
            Event::Eof => return Err(broken("the file ends inside a cell")),
            _ => {}
        }
    }
}

/// The first pass over `content.xml`: every sheet's name and the block of its non-empty cells
/// (`None` for a sheet without any).
fn survey<R: Read + Seek>(
    zip: &mut ZipArchive<R>,
) -> Result<Vec<(String, Option<OdsSheet>)>, ReadError> {
    let mut reader = content(zip)?;
    let mut buf = Vec::new();
    let mut cells = Vec::new();
    let mut sheets = Vec::new();
    while let Some(name) = next_table(&mut reader, &mut buf)? {
        let mut rows = RowReader::new();
        let mut block: Option<OdsSheet> = None;
        let mut empty_rows = 0usize;
        let mut element = 0usize;
        loop {
            let rows_before = rows.rows;
            let Some(repeats) = rows.next(&mut reader, &mut cells)? else {
                break;
            };
            let first = cells.iter().position(|cell| *cell != Data::Empty);
            let last = cells.iter().rposition(|cell| *cell != Data::Empty);
            match (first, last, block.as_mut()) {
                (Some(first), Some(last), None) => {
                    block = Some(OdsSheet {
                        table_index: sheets.len(),
                        first_row_element: element,
                        last_row_element: element,
                        start_row: rows_before,
                        first_column: first,
                        last_column: last,
                        block_rows: repeats,
                    });
                }
                (Some(first), Some(last), Some(block)) => {
                    block.last_row_element = element;
                    block.first_column = block.first_column.min(first);
                    block.last_column = block.last_column.max(last);
                    block.block_rows += empty_rows + repeats;
                    empty_rows = 0;
                }
                (_, _, Some(_)) => empty_rows += repeats,
                _ => {}
            }
            element += 1;
        }
        if let Some(block) = &block {
            let width = block.last_column + 1 - block.first_column;
            if block.block_rows.saturating_mul(width) > MAX_CELLS {
                return Err(broken(format!(
                    "sheet '{name}' has more than {MAX_CELLS} cells"
                )));
            }
        }
        sheets.push((name, block));
    }
    Ok(sheets)
}

impl OdsSheet {
    pub(crate) fn last_line(&self) -> usize {
        self.start_row + self.block_rows
    }

    /// The second pass: the block's rows as text, with their lines, repeated rows written out.
    pub(crate) fn stream<R: Read + Seek>(
        &self,
        zip: &mut ZipArchive<R>,
        each: &mut dyn FnMut(usize, Vec<String>) -> ControlFlow<()>,
    ) -> Result<(), ReadError> {
        let mut reader = content(zip)?;
        let mut buf = Vec::new();
        let mut cells = Vec::new();
        // Earlier sheets are read as the survey read them, so that both passes agree on where
        // this one starts.
        for _ in 0..self.table_index {
            if next_table(&mut reader, &mut buf)?.is_none() {
                return Err(broken("a sheet went missing between two readings"));
            }
            let mut rows = RowReader::new();
            while rows.next(&mut reader, &mut cells)?.is_some() {}
        }
        if next_table(&mut reader, &mut buf)?.is_none() {
            return Err(broken("a sheet went missing between two readings"));
        }
        let mut rows = RowReader::new();
        let mut empty_rows = 0usize;
        let mut block_row = 0usize;
        for element in 0..=self.last_row_element {
            let Some(repeats) = rows.next(&mut reader, &mut cells)? else {
                break;
            };
            if element < self.first_row_element {
                continue;
            }
            if cells.iter().all(|cell| *cell == Data::Empty) {
                empty_rows += repeats;
                continue;
            }
            block_row += std::mem::take(&mut empty_rows);
            let texts: Vec<String> = (self.first_column..=self.last_column)
                .map(|column| cells.get(column).map(cell_text).unwrap_or_default())
                .collect();
            for _ in 0..repeats {
                let line = self.start_row + block_row + 1;
                block_row += 1;
                if each(line, texts.clone()).is_break() {
                    return Ok(());
                }
            }
        }
        Ok(())
    }
}
