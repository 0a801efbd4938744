//! Spreadsheets read a row at a time, so that a sheet of any length is held one row at a time
//! (XLSX also holds its shared-strings table, which every cell may point into).
//!
//! Each sheet is read twice: a first pass finds the block of non-empty cells (the rows a sheet
//! has are cut to the columns from its first to its last non-empty one, exactly as the
//! whole-sheet reader cuts them, and that needs the whole sheet seen), then the rows are read
//! and handed on one by one. XLSX goes through calamine's cell reader ([`crate::xlsx`]); ODS
//! through our own reader of `content.xml` ([`crate::ods`]), since calamine reads ODS whole.
//! `.xls`, and any file the streamed readers do not recognise as theirs (an `.xlsb`, a workbook
//! under the wrong name), is read whole by [`crate::read::read_workbook_whole`], as before.

use crate::read::{MAX_UNPACKED_BYTES, ReadError, Row, SourceFormat, Table, read_all};
use std::io::{self, Read, Seek, SeekFrom};
use std::ops::ControlFlow;
use std::sync::{Arc, Mutex};

/// A workbook opened for reading: every sheet's header known, its rows read on demand.
pub struct Workbook<R> {
    sheets: Vec<Sheet>,
    source: Source<R>,
}

impl<R> std::fmt::Debug for Workbook<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<_> = self.sheets.iter().map(|s| &s.table.sheet).collect();
        f.debug_struct("Workbook")
            .field("sheets", &names)
            .finish_non_exhaustive()
    }
}

/// One sheet with a header row: its header (and notes), and how its rows are read.
pub(crate) struct Sheet {
    pub(crate) table: Table,
    pub(crate) rows: SheetRows,
    /// The last line placed when the sheet was opened (stamps, title, header): a streamed
    /// sheet's data rows start after it.
    pub(crate) opened_through: usize,
}

/// What a streamed reader's `open` gives: the opened file and its sheets with a header, or
/// `None` when the file is not of its format (the caller then reads it whole).
pub(crate) type Opened<F> = Option<(F, Vec<Sheet>)>;

pub(crate) enum SheetRows {
    Xlsx(crate::xlsx::XlsxSheet),
    Ods(crate::ods::OdsSheet),
    /// Read whole already (`.xls`, an unrecognised file, an XLSX sheet whose rows are out of
    /// order); handed out once.
    Whole(Vec<Row>),
}

enum Source<R> {
    Xlsx(Box<calamine::Xlsx<SharedReader<R>>>),
    Ods(Box<zip::ZipArchive<SharedReader<R>>>),
    Whole,
}

impl<R: Read + Seek> Workbook<R> {
    /// Opens a spreadsheet and reads the header of every sheet (or of `only`), not its rows.
    /// `format` is what [`SourceFormat::detect`] said.
    pub fn open(
        reader: R,
        format: SourceFormat,
        only: Option<&str>,
    ) -> Result<Workbook<R>, ReadError> {
        let shared = SharedReader::new(reader);
        let streamed = match format {
            SourceFormat::Xlsx => {
                check_zip_size(&shared)?;
                crate::xlsx::open(shared.clone(), only).map(|opened| {
                    opened.map(|(xlsx, sheets)| Workbook {
                        sheets,
                        source: Source::Xlsx(Box::new(xlsx)),
                    })
                })
            }
            SourceFormat::Ods => {
                check_zip_size(&shared)?;
                crate::ods::open(shared.clone(), only).map(|opened| {
                    opened.map(|(zip, sheets)| Workbook {
                        sheets,
                        source: Source::Ods(Box::new(zip)),
                    })
                })
            }
            SourceFormat::Xls | SourceFormat::Csv | SourceFormat::Pfif => Ok(None),
        };
        match streamed? {
            Some(workbook) => Ok(workbook),
            None => Workbook::whole(shared, only),
        }
    }

    /// Reads the file whole with calamine, as every spreadsheet was read before streaming.
    fn whole(shared: SharedReader<R>, only: Option<&str>) -> Result<Workbook<R>, ReadError> {
        let mut reader = shared;
        reader
            .seek(SeekFrom::Start(0))
            .map_err(|e| ReadError::Io(e.to_string()))?;
        let bytes = read_all(reader, MAX_UNPACKED_BYTES).map_err(|_| ReadError::TooLarge {
            limit: MAX_UNPACKED_BYTES,
        })?;
        let tables = crate::read::read_workbook_whole(&bytes, only)?;
        Ok(Workbook {
            sheets: tables
                .into_iter()
                .map(|mut table| {
                    let rows = std::mem::take(&mut table.rows);
                    Sheet {
                        opened_through: table.header_line,
                        table,
                        rows: SheetRows::Whole(rows),
                    }
                })
                .collect(),
            source: Source::Whole,
        })
    }

    /// Every sheet that has a header row, in the workbook's order: sheet name, header line,
    /// headers and notes (`rows` empty; [`Workbook::read_rows`] reads them).
    pub fn tables(&self) -> Vec<&Table> {
        self.sheets.iter().map(|sheet| &sheet.table).collect()
    }

    /// Whether rows are read from the file as they are asked for (`false`: the file was read
    /// whole, as an `.xls` or a file the streamed readers do not take is).
    pub fn streamed(&self) -> bool {
        !matches!(self.source, Source::Whole)
    }

    /// The line of the sheet's last row (for progress), 0 if unknown.
    pub fn last_line(&self, index: usize) -> usize {
        match self.sheets.get(index).map(|sheet| &sheet.rows) {
            Some(SheetRows::Xlsx(sheet)) => sheet.last_line(),
            Some(SheetRows::Ods(sheet)) => sheet.last_line(),
            Some(SheetRows::Whole(rows)) => rows.last().map_or(0, |row| row.line),
            None => 0,
        }
    }

    /// Hands `each` the data rows of sheet `index` (of [`Workbook::tables`]) one at a time, in
    /// order, until they run out or `each` breaks. A sheet read whole gives its rows once.
    pub fn read_rows(
        &mut self,
        index: usize,
        mut each: impl FnMut(Row) -> ControlFlow<()>,
    ) -> Result<(), ReadError> {
        let Some(sheet) = self.sheets.get_mut(index) else {
            return Ok(());
        };
        let opened_through = sheet.opened_through;
        // Rows up to the header (stamps, the header itself) were placed when the sheet opened.
        let mut data = |line: usize, cells: Vec<String>| {
            if line <= opened_through || cells.iter().all(String::is_empty) {
                return ControlFlow::Continue(());
            }
            each(Row { line, cells })
        };
        match (&mut sheet.rows, &mut self.source) {
            (SheetRows::Xlsx(plan), Source::Xlsx(xlsx)) => plan.stream(xlsx, &mut data),
            (SheetRows::Ods(plan), Source::Ods(zip)) => plan.stream(zip, &mut data),
            (SheetRows::Whole(rows), _) => {
                for row in std::mem::take(rows) {
                    if each(row).is_break() {
                        break;
                    }
                }
                Ok(())
            }
            _ => Err(ReadError::Spreadsheet(
                "internal: a sheet does not belong to its workbook".into(),
            )),
        }
    }

    /// Reads every sheet's rows into tables (what [`crate::read_table`] returns).
    pub fn into_tables(mut self) -> Result<Vec<Table>, ReadError> {
        let mut tables = Vec::with_capacity(self.sheets.len());
        for index in 0..self.sheets.len() {
            let mut rows = Vec::new();
            self.read_rows(index, |row| {
                rows.push(row);
                ControlFlow::Continue(())
            })?;
            let mut table = self.sheets[index].table.clone();
            table.rows = rows;
            tables.push(table);
        }
        Ok(tables)
    }
}

/// Refuses a ZIP whose central directory declares more than [`MAX_UNPACKED_BYTES`] in all (a
/// ZIP bomb), before anything is unpacked. A file that is no ZIP at all passes: the readers
/// refuse it with their own words.
fn check_zip_size<R: Read + Seek>(shared: &SharedReader<R>) -> Result<(), ReadError> {
    let mut reader = shared.clone();
    if reader.seek(SeekFrom::Start(0)).is_err() {
        return Ok(());
    }
    let Ok(mut zip) = zip::ZipArchive::new(reader) else {
        return Ok(());
    };
    let mut total: u64 = 0;
    for index in 0..zip.len() {
        if let Ok(entry) = zip.by_index_raw(index) {
            total = total.saturating_add(entry.size());
        }
        if total > MAX_UNPACKED_BYTES {
            return Err(ReadError::TooLarge {
                limit: MAX_UNPACKED_BYTES,
            });
        }
    }
    Ok(())
}

/// One reader shared by the spreadsheet library and the fallback that reads the file whole
/// (calamine takes its reader by value and gives no way back to it). Only one holder reads at
/// a time; the lock makes that safe, not fast, and it is taken once per buffered read.
pub(crate) struct SharedReader<R>(Arc<Mutex<R>>);

impl<R> SharedReader<R> {
    fn new(reader: R) -> SharedReader<R> {
        SharedReader(Arc::new(Mutex::new(reader)))
    }

    fn with<T>(&self, f: impl FnOnce(&mut R) -> io::Result<T>) -> io::Result<T> {
        let mut inner = self
            .0
            .lock()
            .map_err(|_| io::Error::other("the spreadsheet reader failed earlier"))?;
        f(&mut inner)
    }
}

impl<R> Clone for SharedReader<R> {
    fn clone(&self) -> SharedReader<R> {
        SharedReader(Arc::clone(&self.0))
    }
}

impl<R: Read> Read for SharedReader<R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        self.with(|inner| inner.read(buffer))
    }
}

impl<R: Seek> Seek for SharedReader<R> {
    fn seek(&mut self, position: SeekFrom) -> io::Result<u64> {
        self.with(|inner| inner.seek(position))
    }
}
