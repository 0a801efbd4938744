//! A CSV list read as a stream, one record at a time, so that a list of any size is held one
//! row at a time. The encoding is decided from the whole file in one fast pass (a list that is
//! UTF-8 for its first megabyte and Windows-1256 after it must not be half mis-read), then the
//! file is read again from its start, decoded on the fly.

use crate::header::HeaderFinder;
use crate::read::{ReadError, Row};
use std::io::{self, Cursor, Read, Seek, SeekFrom};

/// How much of the decoded start of the file the delimiter is guessed from.
const HEAD_BYTES: usize = 64 * 1024;
/// How much of a file that is not UTF-8 the legacy-encoding detector reads.
const DETECT_BYTES: u64 = 4 * 1024 * 1024;

/// The rows of a CSV file, read lazily. The header row is read when the stream is opened.
pub struct CsvRows<'a> {
    reader: csv::Reader<LineTracked<Box<dyn Read + Send + 'a>>>,
    record: csv::StringRecord,
    headers: Vec<String>,
    header_line: usize,
    notes: Vec<String>,
    /// The first data row when it was read while looking for the header.
    first: Option<Row>,
    failed: bool,
}

impl std::fmt::Debug for CsvRows<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CsvRows")
            .field("headers", &self.headers)
            .field("header_line", &self.header_line)
            .finish_non_exhaustive()
    }
}

impl<'a> CsvRows<'a> {
    /// Decides the encoding and delimiter, skips comment lines above the header and reads the
    /// header row. The reader is read twice (once to decide the encoding), hence `Seek`.
    pub fn open<R: Read + Seek + Send + 'a>(mut file: R) -> Result<CsvRows<'a>, ReadError> {
        let (encoding, has_bom) = detect_encoding(&mut file).map_err(io_error)?;
        let decoded: Box<dyn Read + Send + 'a> = if encoding == encoding_rs::UTF_8 && !has_bom {
            // Checked whole already: no need to transcode.
            Box::new(file)
        } else {
            Box::new(
                encoding_rs_io::DecodeReaderBytesBuilder::new()
                    .encoding(Some(encoding))
                    .bom_override(true)
                    .strip_bom(true)
                    .build(file),
            )
        };
        let mut decoded = decoded;
        let mut head = Vec::with_capacity(HEAD_BYTES);
        decoded
            .by_ref()
            .take(HEAD_BYTES as u64)
            .read_to_end(&mut head)
            .map_err(io_error)?;
        if head.is_empty() {
            return Err(ReadError::Empty);
        }
        // Comment lines above the header (an export's stamp) are skipped and counted.
        let mut skipped_lines = 0usize;
        let mut start = 0usize;
        while head[start..].starts_with(b"#") {
            match head[start..].iter().position(|b| *b == b'\n') {
                Some(end) => start += end + 1,
                None => start = head.len(),
            }
            skipped_lines += 1;
        }
        let delimiter = sniff_delimiter(&String::from_utf8_lossy(&head[start..]));
        head.drain(..start);
        let stream: Box<dyn Read + Send + 'a> = Box::new(Cursor::new(head).chain(decoded));
        let reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(LineTracked::new(stream, 1 + skipped_lines));
        let mut rows = CsvRows {
            reader,
            record: csv::StringRecord::new(),
            headers: Vec::new(),
            header_line: 0,
            notes: vec![format!(
                "encoding {}, delimiter {}",
                encoding.name(),
                match delimiter {
                    b'\t' => "tab".to_owned(),
                    other => format!("'{}'", other as char),
                }
            )],
            first: None,
            failed: false,
        };
        // The header is the first row, unless a title sits above it (see `crate::header`).
        let mut finder = HeaderFinder::default();
        let found = loop {
            let Some(row) = rows.next().transpose()? else {
                break finder.finish().ok_or(ReadError::Empty)?;
            };
            if let Some(found) = finder.feed(row) {
                break found;
            }
        };
        rows.notes.extend(found.title_note());
        rows.first = found.first;
        rows.headers = found.header.cells;
        rows.header_line = found.header.line;
        Ok(rows)
    }

    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// The line (1-based) of the header row.
    pub fn header_line(&self) -> usize {
        self.header_line
    }

    /// What the reader noticed about the file (encoding, delimiter).
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// How many bytes of the decoded text have been read so far (for progress).
    pub fn bytes_read(&self) -> u64 {
        self.reader.position().byte()
    }
}

impl Iterator for CsvRows<'_> {
    type Item = Result<Row, ReadError>;

    /// The next row with at least one non-empty cell; an error ends the stream.
    fn next(&mut self) -> Option<Self::Item> {
        if let Some(first) = self.first.take() {
            return Some(Ok(first));
        }
        if self.failed {
            return None;
        }
        loop {
            match self.reader.read_record(&mut self.record) {
                Ok(false) => return None,
                Ok(true) => {}
                Err(error) => {
                    self.failed = true;
                    let line = error
                        .position()
                        .map(|p| self.reader.get_mut().line_at(p.byte()) as u64)
                        .unwrap_or(0);
                    return Some(Err(ReadError::Csv {
                        line,
                        message: error.to_string(),
                    }));
                }
            }
            // A DOS end-of-file mark (Ctrl-Z) after the last line is not a row.
            let blank = |cell: &str| cell.trim().trim_matches('\u{1a}').is_empty();
            if self.record.iter().all(blank) {
                continue;
            }
            let line = match self.record.position() {
                Some(position) => self.reader.get_mut().line_at(position.byte()),
                None => 0,
            };
            let cells = self
                .record
                .iter()
                .map(|cell| cell.trim().to_owned())
                .collect();
            return Some(Ok(Row { line, cells }));
        }
    }
}

fn io_error(error: io::Error) -> ReadError {
    ReadError::Io(error.to_string())
}

/// The file's encoding and whether it starts with a byte-order mark: a BOM decides; else UTF-8
/// when the whole file is valid UTF-8; else UTF-16 when every other byte is NUL; else the most
/// likely legacy encoding (Windows-1256 for Dari/Pashto lists saved by Excel, Windows-1252 for
/// French ones). Leaves the reader at its start.
fn detect_encoding<R: Read + Seek>(
    file: &mut R,
) -> io::Result<(&'static encoding_rs::Encoding, bool)> {
    let mut sample = Vec::with_capacity(HEAD_BYTES);
    file.by_ref()
        .take(HEAD_BYTES as u64)
        .read_to_end(&mut sample)?;
    let found = if let Some((encoding, _)) = encoding_rs::Encoding::for_bom(&sample) {
        (encoding, true)
    } else if let Some(encoding) = utf16(&sample) {
        (encoding, false)
    } else if rest_is_utf8(&sample, file)? {
        (encoding_rs::UTF_8, false)
    } else {
        file.seek(SeekFrom::Start(0))?;
        let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
        let mut bytes = Vec::new();
        file.by_ref().take(DETECT_BYTES).read_to_end(&mut bytes)?;
        detector.feed(&bytes, true);
        (detector.guess(None, chardetng::Utf8Detection::Allow), false)
    };
    file.seek(SeekFrom::Start(0))?;
    Ok(found)
}

/// UTF-16 without a BOM: many NUL bytes in alternate positions.
fn utf16(sample: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let nul_odd = sample
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|b| **b == 0)
        .count();
    let nul_even = sample.iter().step_by(2).filter(|b| **b == 0).count();
    if nul_odd > sample.len() / 4 && nul_odd > 0 {
        Some(encoding_rs::UTF_16LE)
    } else if nul_even > sample.len() / 4 && nul_even > 0 {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    }
}

/// Whether `sample` followed by the rest of `file` is valid UTF-8, read in blocks (a character
/// cut by a block's end is carried over).
fn rest_is_utf8<R: Read>(sample: &[u8], file: &mut R) -> io::Result<bool> {
    let mut block = sample.to_vec();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let carried = match std::str::from_utf8(&block) {
            Ok(_) => 0,
            // Cut in the middle of a character: carry its first bytes into the next block.
            Err(error) if error.error_len().is_none() => block.len() - error.valid_up_to(),
            Err(_) => return Ok(false),
        };
        let read = file.read(&mut buffer)?;
        if read == 0 {
            return Ok(carried == 0);
        }
        block.drain(..block.len() - carried);
        block.extend_from_slice(&buffer[..read]);
    }
}

/// The delimiter that splits the first lines into the most equal, largest number of fields.
pub(crate) fn sniff_delimiter(text: &str) -> u8 {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .take(20)
        .collect();
    let mut best = (b',', 0usize);
    for candidate in [b',', b';', b'\t', b'|'] {
        let counts: Vec<usize> = lines
            .iter()
            .map(|l| l.bytes().filter(|b| *b == candidate).count())
            .collect();
        let Some(first) = counts.first().copied() else {
            continue;
        };
        let consistent = counts.iter().filter(|c| **c == first).count();
        let score = if first == 0 {
            0
        } else {
            consistent * 100 + first
        };
        if score > best.1 {
            best = (candidate, score);
        }
    }
    best.0
}

/// Passes bytes through while keeping those not yet counted, so that a record's byte offset
/// can be turned into its line (a quoted cell may span lines, and blank lines are skipped, so
/// the CSV reader's own record count is not the line). Offsets are asked for in increasing
/// order; bytes before the last one asked for are dropped.
struct LineTracked<R> {
    inner: R,
    kept: Vec<u8>,
    /// Index in `kept` of the first byte not yet counted.
    start: usize,
    /// The stream offset of `kept[start]`.
    offset: u64,
    /// The line `kept[start]` is on.
    line: usize,
}

impl<R> LineTracked<R> {
    fn new(inner: R, first_line: usize) -> LineTracked<R> {
        LineTracked {
            inner,
            kept: Vec::new(),
            start: 0,
            offset: 0,
            line: first_line,
        }
    }

    /// The line of the first character at or after `offset` that is not a line break (a
    /// record's position is where the reader started, before the blank lines it skipped).
    fn line_at(&mut self, offset: u64) -> usize {
        let mut at = self.start + offset.saturating_sub(self.offset) as usize;
        at = at.min(self.kept.len());
        while at < self.kept.len() && matches!(self.kept[at], b'\n' | b'\r') {
            at += 1;
        }
        if at > self.start {
            self.line += self.kept[self.start..at]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            self.offset += (at - self.start) as u64;
            self.start = at;
        }
        self.line
    }
}

impl<R: Read> Read for LineTracked<R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        // Drop what was counted once it outweighs what is kept, so memory stays small.
        if self.start > 64 * 1024 && self.start * 2 > self.kept.len() {
            self.kept.drain(..self.start);
            self.start = 0;
        }
        let read = self.inner.read(buffer)?;
        self.kept.extend_from_slice(&buffer[..read]);
        Ok(read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(bytes: &[u8]) -> (Vec<String>, Vec<Row>) {
        let stream = CsvRows::open(Cursor::new(bytes.to_vec())).unwrap();
        let headers = stream.headers().to_vec();
        (headers, stream.map(Result::unwrap).collect())
    }

    #[test]
    fn lines_count_blank_lines_comments_and_quoted_breaks() {
        let (headers, rows) =
            rows(b"# stamp\n# second\nName,Note\r\n\r\nKarim,\"two\nlines\"\n\n\nFarid,x\n\x1a");
        assert_eq!(headers, ["Name", "Note"]);
        let lines: Vec<usize> = rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, [5, 9]);
        assert_eq!(rows[0].cells[1], "two\nlines");
    }

    #[test]
    fn a_late_legacy_byte_makes_the_whole_file_legacy() {
        // Two megabytes of ASCII, then a Windows-1256 name: must not be read as UTF-8.
        let mut text = String::from("Name,Town\n");
        while text.len() < 2 << 20 {
            text.push_str("Karim,Kabul\n");
        }
        text.push_str("محمد,Kabul\n");
        let (bytes, _, _) = encoding_rs::WINDOWS_1256.encode(&text);
        let stream = CsvRows::open(Cursor::new(bytes.into_owned())).unwrap();
        assert!(
            stream.notes()[0].contains("windows-1256"),
            "{:?}",
            stream.notes()
        );
        let last = stream.last().unwrap().unwrap();
        assert_eq!(last.cells[0], "محمد");
    }

    #[test]
    fn a_character_cut_by_a_block_boundary_is_still_utf8() {
        let mut text = String::from("Name\n");
        while text.len() < (1 << 20) + HEAD_BYTES - 1 {
            text.push('a');
        }
        text.push_str("محمد\n");
        let mut sample = text.as_bytes().to_vec();
        assert!(rest_is_utf8(&[], &mut Cursor::new(&mut sample)).unwrap());
        sample.push(0xff);
        assert!(!rest_is_utf8(&[], &mut Cursor::new(&mut sample)).unwrap());
    }

    #[test]
    fn a_file_of_blank_lines_is_empty() {
        for bytes in [&b""[..], b"\n\n", b"# only a comment\n", b" , \n"] {
            let opened = CsvRows::open(Cursor::new(bytes.to_vec()));
            assert!(
                matches!(opened, Err(ReadError::Empty)),
                "{bytes:?}: {opened:?}"
            );
        }
    }
}
