//! Writes a synthetic evacuation list as an XLSX workbook the way lists really arrive: Dari and
//! English headers side by side, a title and a blank line above the header row, Dari and Latin
//! names, Persian digits, Solar Hijri and Gregorian dates, Excel date cells, ages instead of
//! dates, phones in every local form, relations written "wife" or "child 3" or in Dari, a lone
//! "Full name" column on a second sheet, and a few rows that must be reported (no name, a
//! date that cannot be, a phone that is not one, a family whose principal is missing).
//! Every name is made up from common name parts; no real person is on it.
//!
//! ```text
//! cargo run -p airbridge-lists --example messy_list -- messy.xlsx            # the small messy list
//! cargo run -p airbridge-lists --example messy_list -- big.xlsx 200000      # N rows, for bench/
//! airbridge import messy.xlsx --nation FR --org "Embassy" --dry-run
//! ```

use airbridge_domain::digits::persian_digits;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};

const GIVEN_LATIN: [&str; 12] = [
    "Mohammad",
    "Ahmad",
    "Hashem",
    "Farid",
    "Karim",
    "Fatima",
    "Zahra",
    "Maryam",
    "Abdul Rahman",
    "Nasrullah",
    "Shabnam",
    "Gul Ahmad",
];
const GIVEN_DARI: [&str; 10] = [
    "محمد",
    "احمد",
    "فرید",
    "زهرا",
    "مریم",
    "عبدالرحمن",
    "نصرالله",
    "شبنم",
    "گل احمد",
    "هاشم",
];
const FAMILY_LATIN: [&str; 6] = [
    "Ahmadzai",
    "Popalzai",
    "Rahimi",
    "Karimi",
    "Sadat",
    "Stanekzai",
];
const FAMILY_DARI: [&str; 5] = ["احمدزی", "رحیمی", "کریمی", "سادات", "پوپلزی"];
const RELATIONS: [&str; 8] = [
    "wife", "son", "daughter", "child 3", "همسر", "پسر", "دختر", "mother",
];

/// A tiny deterministic generator (SplitMix64): the same file on every run, no dependency.
struct Seeded(u64);

impl Seeded {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const HEADERS: [&str; 10] = [
    "شماره خانواده / Family ID",
    "Relation",
    "نام",
    "Surname",
    "نام پدر",
    "Date of birth",
    "Age",
    "شماره تذکره",
    "Phone",
    "جنس",
];

/// The small list: every kind of trouble a crisis cell meets, a few rows each.
fn messy(workbook: &mut Workbook) -> Result<(), XlsxError> {
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let sheet = workbook.add_worksheet().set_name("لیست - List")?;
    sheet.write_string(0, 0, "Embassy evacuation list — لیست تخلیه")?;
    // Row 1 is left blank; the header row is the third.
    for (column, header) in HEADERS.iter().enumerate() {
        sheet.write_string(2, column as u16, *header)?;
    }
    // Family id, relation, given, family, father, date of birth, age, tazkira, phone, sex.
    let rows: [[&str; 10]; 14] = [
        [
            "F1",
            "principal",
            "Mohammad Hashem",
            "Ahmadzai",
            "Abdul Rahman",
            "1365/05/12",
            "",
            "1400-0101-12345",
            "0700 123 456",
            "m",
        ],
        [
            "F1",
            "wife",
            "زهرا",
            "احمدزی",
            "گل احمد",
            "۱۳۶۸/۰۲/۰۱",
            "",
            "",
            "",
            "f",
        ],
        [
            "F1",
            "child 3",
            "Maryam",
            "Ahmadzai",
            "Mohammad Hashem",
            "2015",
            "",
            "",
            "",
            "F",
        ],
        [
            "F2",
            "principal",
            "فرید",
            "رحیمی",
            "احمد",
            "",
            "34",
            "۱۴۰۰-۰۲۰۲-۵۴۳۲۱",
            "+93 79 987 6543",
            "مرد",
        ],
        [
            "F2",
            "همسر",
            "Shabnam",
            "Rahimi",
            "Karim",
            "DATE",
            "",
            "",
            "0093-78-1112223",
            "زن",
        ],
        [
            "F2",
            "پسر",
            "Nasrullah",
            "Rahimi",
            "Farid",
            "1402/01/01",
            "",
            "",
            "",
            "m",
        ],
        [
            "F3",
            "principal",
            "M. Karim",
            "POPALZAI",
            "Hashem",
            "31/12/1980",
            "",
            "",
            "not known",
            "m",
        ],
        ["F3", "daughter", "", "", "", "2010", "", "", "", "f"],
        [
            "F3",
            "son",
            "Ahmad",
            "Popalzai",
            "Karim",
            "1380/13/40",
            "",
            "",
            "",
            "m",
        ],
        [
            "F4",
            "wife",
            "Fatima",
            "Sadat",
            "Hashem",
            "1990-07-01",
            "",
            "",
            "",
            "f",
        ],
        ["", "", "", "", "", "", "", "", "", ""],
        [
            "F5",
            "principal",
            "Gul Ahmad",
            "Stanekzai",
            "Mohammad",
            "DATE",
            "",
            "1400-0303-77777",
            "0799 000 111",
            "m",
        ],
        ["F5", "mother", "مریم", "", "", "", "61", "", "", "f"],
        [
            "F1",
            "son",
            "Hashem",
            "Ahmadzai",
            "Mohammad Hashem",
            "1398",
            "",
            "",
            "",
            "m",
        ],
    ];
    for (index, row) in rows.iter().enumerate() {
        let line = 3 + index as u32;
        for (column, value) in row.iter().enumerate() {
            let column = column as u16;
            if *value == "DATE" {
                // A date typed into Excel: a date cell, read back as its serial number.
                let when = if index == 4 {
                    (1991, 3, 21)
                } else {
                    (1975, 1, 1)
                };
                sheet.write_datetime_with_format(
                    line,
                    column,
                    ExcelDateTime::from_ymd(when.0, when.1, when.2)?,
                    &date,
                )?;
            } else if column == 6 && !value.is_empty() {
                sheet.write_number(line, column, value.parse::<f64>().unwrap_or(0.0))?;
            } else if !value.is_empty() {
                sheet.write_string(line, column, *value)?;
            }
        }
    }
    // A second sheet from another office: one "Full name" column, names to be split.
    let second = workbook.add_worksheet().set_name("NGO")?;
    for (column, header) in ["Full name", "نسبت", "Family", "تاریخ تولد"]
        .iter()
        .enumerate()
    {
        second.write_string(0, column as u16, *header)?;
    }
    let names: [[&str; 4]; 4] = [
        [
            "Hashmatullah s/o Abdul Ghafoor Ahmadzai",
            "principal",
            "N1",
            "1358",
        ],
        ["بی بی گل", "wife", "N1", "۱۳۶۲"],
        ["Sayed Ahmad Shah Sadat", "principal", "N2", "1985-04"],
        ["Ahmad Shah", "son", "N2", "2012-13"],
    ];
    for (index, row) in names.iter().enumerate() {
        for (column, value) in row.iter().enumerate() {
            second.write_string(1 + index as u32, column as u16, *value)?;
        }
    }
    Ok(())
}

/// `rows` synthetic rows in families of one to six, for the import benchmark.
fn big(workbook: &mut Workbook, rows: u32) -> Result<(), XlsxError> {
    let sheet = workbook.add_worksheet().set_name("List")?;
    for (column, header) in HEADERS.iter().enumerate() {
        sheet.write_string(0, column as u16, *header)?;
    }
    let mut random = Seeded(7);
    let (mut line, mut family) = (1u32, 0u32);
    while line <= rows {
        family += 1;
        let size = (1 + random.below(6) as u32).min(rows + 1 - line);
        for member in 0..size {
            let dari = random.below(3) == 0;
            let (given, surname, father) = if dari {
                (
                    random.pick(&GIVEN_DARI),
                    random.pick(&FAMILY_DARI),
                    random.pick(&GIVEN_DARI),
                )
            } else {
                (
                    random.pick(&GIVEN_LATIN),
                    random.pick(&FAMILY_LATIN),
                    random.pick(&GIVEN_LATIN),
                )
            };
            let born = if random.below(2) == 0 {
                let text = format!(
                    "{}/{:02}/{:02}",
                    1330 + random.below(71),
                    1 + random.below(12),
                    1 + random.below(29)
                );
                if dari { persian_digits(&text) } else { text }
            } else {
                (1950 + random.below(71)).to_string()
            };
            let relation = if member == 0 {
                "principal"
            } else {
                random.pick(&RELATIONS)
            };
            let cells = [
                format!("F{family}"),
                relation.to_string(),
                given.to_string(),
                surname.to_string(),
                father.to_string(),
                born,
                String::new(),
                format!(
                    "1400-{:04}-{:05}",
                    random.below(10_000),
                    random.below(100_000)
                ),
                format!("07{}{:07}", random.below(10), random.below(10_000_000)),
                if random.below(2) == 0 { "m" } else { "f" }.to_string(),
            ];
            for (column, value) in cells.iter().enumerate() {
                if !value.is_empty() {
                    sheet.write_string(line, column as u16, value)?;
                }
            }
            line += 1;
        }
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = args
        .next()
        .ok_or("usage: messy_list OUT.xlsx [ROWS]  (without ROWS: the small messy list)")?;
    let mut workbook = Workbook::new();
    match args.next() {
        Some(rows) => big(
            &mut workbook,
            rows.parse()
                .map_err(|_| format!("ROWS is not a number: {rows}"))?,
        )?,
        None => messy(&mut workbook)?,
    }
    workbook.save(&out)?;
    eprintln!("wrote {out}");
    Ok(())
}
