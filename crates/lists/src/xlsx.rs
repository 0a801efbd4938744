//! XLSX sheets streamed through calamine's cell reader (`Xlsx::worksheet_cells_reader`), which
//! yields a sheet's cells in the order the file stores them (row by row) with the same values
//! (shared strings, dates from number formats, the 1904 epoch) as calamine's whole-sheet range.

use crate::read::{ReadError, SheetShape, cell_text};
use crate::workbook::{Opened, Sheet, SheetRows};
use calamine::{Data, DataRef, Reader, Xlsx, XlsxError};
use std::io::{Read, Seek};
use std::ops::ControlFlow;

/// The block of a sheet's non-empty cells (0-based, inclusive), as calamine's range has it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct XlsxSheet {
    name_index: usize,
    first_column: u32,
    last_column: u32,
    last_row: u32,
}

/// What the first pass over a sheet found.
enum Survey {
    /// Not a worksheet (a chart sheet) or no non-empty cell: no table, as before.
    Empty,
    Block(XlsxSheet),
    /// Non-empty cells whose rows go backwards: the file breaks the format's order, so this
    /// sheet is read whole (calamine's range places cells wherever they come).
    OutOfOrder,
}

/// Opens the workbook (reading its shared strings and styles) and each wanted sheet's header.
/// `Ok(None)` when the file is not an XLSX calamine can open: the caller reads it whole, which
/// tries every format (an `.xlsb`, an ODS under another name).
pub(crate) fn open<R: Read + Seek>(
    reader: R,
    only: Option<&str>,
) -> Result<Opened<Xlsx<R>>, ReadError> {
    let Ok(mut xlsx) = Xlsx::new(reader) else {
        return Ok(None);
    };
    let names = xlsx.sheet_names();
    if let Some(wanted) = only
        && !names.iter().any(|n| n == wanted)
    {
        return Err(ReadError::NoSuchSheet(wanted.to_owned(), names.join(", ")));
    }
    let mut sheets = Vec::new();
    for (name_index, name) in names.iter().enumerate() {
        if only.is_some_and(|wanted| wanted != name) {
            continue;
        }
        let mut shape = SheetShape::new(name);
        let rows = match survey(&mut xlsx, name, name_index)? {
            Survey::Empty => continue,
            Survey::Block(block) => {
                block.stream_sheet(&mut xlsx, name, &mut |line, cells| {
                    shape.place(line, cells);
                    header_found(&shape)
                })?;
                SheetRows::Xlsx(block)
            }
            Survey::OutOfOrder => {
                let range = xlsx
                    .worksheet_range(name)
                    .map_err(|e| sheet_error(name, e))?;
                let mut rows = Vec::new();
                crate::read::range_rows(&range, |line, cells| {
                    rows.extend(shape.place(line, cells));
                    ControlFlow::Continue(())
                });
                SheetRows::Whole(rows)
            }
        };
        shape.finish();
        if !shape.table.headers.is_empty() {
            sheets.push(Sheet {
                opened_through: shape.opened_through(),
                table: shape.table,
                rows,
            });
        }
    }
    Ok(Some((xlsx, sheets)))
}

/// Stops a sheet's reading once its header is placed.
pub(crate) fn header_found(shape: &SheetShape) -> ControlFlow<()> {
    if shape.table.headers.is_empty() {
        ControlFlow::Continue(())
    } else {
        ControlFlow::Break(())
    }
}

fn sheet_error(name: &str, error: XlsxError) -> ReadError {
    ReadError::Spreadsheet(format!("sheet '{name}': {error}"))
}

/// The first pass: the bounds of the non-empty cells and whether their rows only go forward.
fn survey<R: Read + Seek>(
    xlsx: &mut Xlsx<R>,
    name: &str,
    name_index: usize,
) -> Result<Survey, ReadError> {
    let mut cells = match xlsx.worksheet_cells_reader(name) {
        Ok(cells) => cells,
        // As calamine's range: a chart sheet reads as an empty sheet.
        Err(XlsxError::NotAWorksheet(_)) => return Ok(Survey::Empty),
        Err(e) => return Err(sheet_error(name, e)),
    };
    let mut bounds: Option<(u32, u32, u32)> = None; // first column, last column, last row
    while let Some(cell) = cells.next_cell().map_err(|e| sheet_error(name, e))? {
        if matches!(cell.get_value(), DataRef::Empty) {
            continue;
        }
        let (row, column) = cell.get_position();
        bounds = Some(match bounds {
            None => (column, column, row),
            Some((_, _, last_row)) if row < last_row => return Ok(Survey::OutOfOrder),
            Some((first, last, _)) => (first.min(column), last.max(column), row),
        });
    }
    Ok(match bounds {
        None => Survey::Empty,
        Some((first_column, last_column, last_row)) => Survey::Block(XlsxSheet {
            name_index,
            first_column,
            last_column,
            last_row,
        }),
    })
}

impl XlsxSheet {
    pub(crate) fn last_line(&self) -> usize {
        self.last_row as usize + 1
    }

    /// The second pass: every row that has a non-empty cell, cut to the block's columns, with
    /// its line, in order.
    pub(crate) fn stream<R: Read + Seek>(
        &self,
        xlsx: &mut Xlsx<R>,
        each: &mut dyn FnMut(usize, Vec<String>) -> ControlFlow<()>,
    ) -> Result<(), ReadError> {
        let names = xlsx.sheet_names();
        let Some(name) = names.get(self.name_index) else {
            return Ok(());
        };
        self.stream_sheet(xlsx, name, each)
    }

    fn stream_sheet<R: Read + Seek>(
        &self,
        xlsx: &mut Xlsx<R>,
        name: &str,
        each: &mut dyn FnMut(usize, Vec<String>) -> ControlFlow<()>,
    ) -> Result<(), ReadError> {
        let width = (self.last_column - self.first_column) as usize + 1;
        let mut cells = xlsx
            .worksheet_cells_reader(name)
            .map_err(|e| sheet_error(name, e))?;
        let mut current: Option<(u32, Vec<Data>)> = None;
        let flush = |row: u32, values: Vec<Data>, each: &mut dyn FnMut(usize, Vec<String>) -> _| {
            each(row as usize + 1, values.iter().map(cell_text).collect())
        };
        while let Some(cell) = cells.next_cell().map_err(|e| sheet_error(name, e))? {
            let (row, column) = cell.get_position();
            let value = cell.get_value();
            if matches!(value, DataRef::Empty) {
                continue;
            }
            if current.as_ref().is_some_and(|(at, _)| *at != row)
                && let Some((at, values)) = current.take()
                && flush(at, values, each).is_break()
            {
                return Ok(());
            }
            let (_, values) = current.get_or_insert_with(|| (row, vec![Data::Empty; width]));
            // A later cell at the same place wins, as in calamine's range.
            if let Some(slot) = column
                .checked_sub(self.first_column)
                .and_then(|offset| values.get_mut(offset as usize))
            {
                *slot = Data::from(value.clone());
            }
        }
        if let Some((at, values)) = current {
            let _ = flush(at, values, each);
        }
        Ok(())
    }
}
