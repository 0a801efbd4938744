//! PDFs through typst: a small in-memory world (one template, one JSON data file, the
//! embedded fonts), laid out and written by typst. The manifest and the situation report
//! share it.

use crate::{Manifest, ManifestError};
use std::sync::LazyLock;
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

const TEMPLATE: &str = include_str!("manifest.typ");
const SITREP_TEMPLATE: &str = include_str!("sitrep.typ");

static FONT_FILES: [&[u8]; 4] = [
    include_bytes!("../fonts/NotoSans-Regular.ttf"),
    include_bytes!("../fonts/NotoSans-Bold.ttf"),
    include_bytes!("../fonts/NotoNaskhArabic-Regular.ttf"),
    include_bytes!("../fonts/NotoNaskhArabic-Bold.ttf"),
];

/// What every document shares, built once: the standard library and the fonts.
struct Shared {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

static SHARED: LazyLock<Shared> = LazyLock::new(|| {
    let fonts: Vec<Font> = FONT_FILES
        .iter()
        .flat_map(|data| Font::iter(Bytes::new(*data)))
        .collect();
    Shared {
        library: LazyHash::new(Library::default()),
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        fonts,
    }
});

struct DocumentWorld {
    main: Source,
    data_id: FileId,
    data: Bytes,
}

fn file_id(path: &str) -> FileId {
    // The paths are constants of this module and valid.
    let vpath = VirtualPath::new(path).unwrap_or_else(|_| unreachable!("a valid constant path"));
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

impl World for DocumentWorld {
    fn library(&self) -> &LazyHash<Library> {
        &SHARED.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &SHARED.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotSource)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.data_id {
            Ok(self.data.clone())
        } else if id == self.main.id() {
            Ok(Bytes::from_string(self.main.text().to_owned()))
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        SHARED.fonts.get(index).cloned()
    }

    /// No clock: a manifest shows the flight's time and a report the time its figures were
    /// taken, never the time either was printed.
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}

pub(crate) fn render(manifest: &Manifest) -> Result<Vec<u8>, ManifestError> {
    let data = serde_json::json!({
        "manifest": manifest,
        "seats_used": manifest.seats_used(),
        "people": manifest.people(),
        "lap_infants": manifest.families.iter().flat_map(|f| &f.members).filter(|p| p.lap_infant).count(),
    });
    compile(("/manifest.typ", TEMPLATE), "/manifest.json", &data)
}

pub(crate) fn render_sitrep(data: &serde_json::Value) -> Result<Vec<u8>, ManifestError> {
    compile(("/sitrep.typ", SITREP_TEMPLATE), "/sitrep.json", data)
}

/// Lays out one template with its JSON data (read by the template as `json(data_path)`) and
/// writes the PDF.
fn compile(
    (template_path, template): (&str, &str),
    data_path: &str,
    data: &serde_json::Value,
) -> Result<Vec<u8>, ManifestError> {
    let world = DocumentWorld {
        main: Source::new(file_id(template_path), template.to_owned()),
        data_id: file_id(data_path),
        data: Bytes::new(data.to_string().into_bytes()),
    };
    let document = typst::compile::<PagedDocument>(&world)
        .output
        .map_err(|errors| {
            ManifestError::Layout(
                errors
                    .iter()
                    .map(|e| e.message.to_string())
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })?;
    typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default()).map_err(|errors| {
        ManifestError::Pdf(
            errors
                .iter()
                .map(|e| e.message.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })
}
