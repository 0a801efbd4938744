//! Synthetic registration lists in the shape of the Kabul 2021 lists, for developing and
//! measuring deduplication (issue #5). Pure: no I/O; the same [`ListsConfig`] gives the same
//! records, byte for byte (seeded ChaCha). `examples/kabul_lists.rs` writes them as
//! `records.csv` (the `airbridge dedup` input schema, [`COLUMNS`]) and `truth.csv`
//! (`record_id,entity_id`).
//!
//! It is built to be independent of the names engine: the name stock
//! (`data/kabul_names.tsv`, written from general knowledge of naming practice, no real
//! people) has one Dari/Persian spelling, an optional Pashto spelling and *one* Latin form per
//! name; every other spelling comes from this module's own stochastic romaniser (rewrite
//! rules with per-list probabilities, [`Roman`]), never from `airbridge-names`' tables.
//!
//! # The process
//!
//! **Population.** People come in *clans*: a grandfather (usually not registered), 1–4
//! brothers born 1–3 years apart (twins on the same day sometimes) who share the family name
//! and the father's name, each heading a household with a wife and 0–9 children born every
//! 1–3 years from the mother's late teens; elderly parents live with the eldest brother
//! sometimes; adult sons are often married with a household of their own. Ages follow
//! Afghanistan's young age structure (about two fifths of the people are under 18). The hard cases
//! this makes on purpose:
//! - **siblings**: same family name, same father's name (and grandfather's), birth years 1–3
//!   apart, given names that are often alike: brothers sharing the first part of a compound
//!   (Mohammad Hashem / Mohammad Qasem), names sharing a prefix or suffix (Hekmatullah /
//!   Rahmatullah, Abdul Rahman / Abdul Rahim), twins with one birth date;
//! - **cousins named after the grandfather**: a brother's first son often carries the clan
//!   grandfather's name, so cousins share given, family and grandfather's names and are born a
//!   few years apart;
//! - **namesakes**: given and family names are drawn with Zipf-like weights (Mohammad, Ahmad,
//!   Ali…; Ahmadzai, Popalzai, Sadat, Rahimi…), and about a fifth of men carry "Mohammad" before
//!   their name, so unrelated people agree on given, family and even father's names;
//! - people **without a family name** ([`ListsConfig::no_family_name`] of the clans), for whom
//!   clerks leave the column empty or write the father's name in it.
//!
//! **Registrations.** Each household is registered on 1–4 lists
//! ([`ListsConfig::lists_per_household`]; a list can be drawn twice: a family registered
//! twice with one embassy). The first registration is the husband's case (principal, wife,
//! children, his parents sometimes); later ones are often the **wife's case** (she is the
//! principal, with her children, her husband sometimes). A married son appears in his father's
//! case on some lists and as **his own principal** (with his wife and children) on others;
//! unmarried adult sons sometimes register alone. Members are left out of a case at times
//! (every person appears at least once). Record and case ids are numbered per list in a
//! shuffled order, so they say nothing about the truth.
//!
//! **Lists.** Fourteen lists ([`list_names`]), each with its clerk style ([`ListStyle`]): script
//! (Latin; Arabic script with Dari or Pashto spellings; mixed per record and per field; Arabic
//! keyboard letters ي ك), romaniser profile (Afghan-English, Iranian: Hossein, Ghasem, Vahid,
//! -ollah, -oddin; French: ou, dj, ch; German: sch, dsch, ch; Arabic-style: Abd al-, dh),
//! name layout (split columns with or without grandfather's name; one full-name column,
//! family first or given first, or "given s/o father"), father's name plain, with "s/o" /
//! "d/o" / "ولد", or absent, date forms, document columns, phone policy (the principal's
//! phone on every member, or only on the principal, or each person's own), relation
//! vocabulary (English, numbered "child 3", French, German, Dari, Pashto) and slip rates.
//!
//! **Romaniser** ([`Roman`]): o/u (Mohammad/Muhammad), -ad/-ed (Ahmed, Mohammed),
//! abbreviations (Mohd, Md), e/i in the last syllable (Hashem/Hashim, Nasir/Naser), initial
//! i/e (Ibrahim/Ebrahim), ee/i and oo/u (Fareed/Farid, Mahmood/Mahmud), French ou, doubled
//! and single consonants, q/k/gh, gh/g, kh/x, w/v, z/dh for ذ ض ظ, zh/j, -ullah / -ulla /
//! -allah / -ollah / " Ullah", -uddin / " ud-Din" / -eddine, Abdul X / AbdulX / Abd al-X /
//! Abdur X (sun letters) / Abdol, female -a / -ah / -eh, ai/ei/ay, compounds fused or
//! hyphenated; then per record: one-letter typing slips, given and family swapped between
//! columns, family name written first, upper case on some lists. **Arabic script**: ی/ي, ک/ك,
//! zero-width non-joiner kept, dropped or made a space (نظام‌الدین / نظامالدین / نظام الدین),
//! عبدال split, hamza and madda dropped, compound parts fused.
//!
//! **Dates**: ISO, `03/08/1986`, `03.08.1986`, `3 Aug 1986`; Solar Hijri `1365/05/12`,
//! `۱۳۶۵/۰۵/۱۲` (Persian digits), `12 Asad 1365`; year only (Gregorian, Solar Hijri, Persian
//! digits); 1 January / 1 Hamal placeholders; a year from a stated age (off by one around the
//! birthday, and ±1 when the age is guessed); missing. Many adults do not know their birth
//! day: their documents give a Solar Hijri year, sometimes off by one, and Gregorian lists
//! turn it into year + 621 or + 622 (a Solar Hijri year straddles two Gregorian years). Full
//! dates are converted with `airbridge_domain::date`; day/month swaps and digit slips
//! happen. Every date written reads back with `PartialDate::parse`.
//!
//! **Other fields**: tazkira numbers (paper: 6–8 digits; electronic: `1398-0101-12345`),
//! often missing, sometimes with a one-digit slip, in Persian digits on Dari lists;
//! passports (rarer); Afghan mobile numbers (`+93 7x…`, `07…`, `0093…`, Persian digits), one
//! or two per adult, shared within a family; sex sometimes missing, in several vocabularies;
//! province of birth sometimes.

use airbridge_domain::date::solar_hijri_to_gregorian;
use airbridge_domain::digits::persian_digits;
use airbridge_domain::{GregorianDate, PartialDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const STOCK: &str = include_str!("../data/kabul_names.tsv");

/// The columns of `records.csv`, in order: the `airbridge dedup` input schema.
pub const COLUMNS: [&str; 15] = [
    "record_id",
    "given_name",
    "family_name",
    "father_name",
    "grandfather_name",
    "full_name",
    "sex",
    "dob",
    "passport",
    "tazkira",
    "document",
    "phone",
    "place_of_birth",
    "case_id",
    "relation",
];

/// What to generate. Every knob has a default ([`ListsConfig::new`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ListsConfig {
    /// Exactly this many distinct people (entities).
    pub persons: usize,
    pub seed: u64,
    /// Relative weights of a household being registered on 1, 2, 3 or 4 lists.
    pub lists_per_household: [f64; 4],
    /// Scales every per-record slip (typing slips, swapped columns, date slips, missing
    /// fields drawn per record): 0 gives clean copies (spelling and format still vary by list).
    pub noise: f64,
    /// Zipf exponent of given names by rank (higher: more namesakes).
    pub given_zipf: f64,
    /// Zipf exponent of family names by rank.
    pub family_zipf: f64,
    /// Share of clans without a family name.
    pub no_family_name: f64,
    /// Share of men whose given name is "Mohammad" followed by another name.
    pub mohammad_compound: f64,
    /// Chance that a younger sibling's name is made like an older one's (shared compound part,
    /// prefix or suffix).
    pub similar_sibling_names: f64,
}

impl ListsConfig {
    pub fn new(persons: usize, seed: u64) -> ListsConfig {
        ListsConfig {
            persons,
            seed,
            lists_per_household: [0.52, 0.30, 0.13, 0.05],
            noise: 1.0,
            given_zipf: 1.0,
            family_zipf: 0.9,
            no_family_name: 0.15,
            mohammad_compound: 0.2,
            similar_sibling_names: 0.4,
        }
    }
}

impl Default for ListsConfig {
    fn default() -> Self {
        ListsConfig::new(5_000, 1)
    }
}

/// One row of one list, with the truth (`entity_id`) kept apart from the columns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListRecord {
    pub record_id: String,
    /// The person behind the row: the truth, never an input column.
    pub entity_id: String,
    /// Which list (see [`list_names`]).
    pub list: usize,
    /// Truth for diagnosis: the clan the person belongs to (brothers, their wives, children and
    /// parents share it).
    pub clan: u32,
    /// Truth for diagnosis: children of one couple share it, brothers of one clan share it;
    /// wives and parents have their own.
    pub sibling_group: u64,
    pub given_name: String,
    pub family_name: String,
    pub father_name: String,
    pub grandfather_name: String,
    pub full_name: String,
    pub sex: String,
    pub dob: String,
    pub passport: String,
    pub tazkira: String,
    pub document: String,
    pub phone: String,
    pub place_of_birth: String,
    pub case_id: String,
    pub relation: String,
}

impl ListRecord {
    /// The cells in [`COLUMNS`] order.
    pub fn cells(&self) -> [&str; 15] {
        [
            &self.record_id,
            &self.given_name,
            &self.family_name,
            &self.father_name,
            &self.grandfather_name,
            &self.full_name,
            &self.sex,
            &self.dob,
            &self.passport,
            &self.tazkira,
            &self.document,
            &self.phone,
            &self.place_of_birth,
            &self.case_id,
            &self.relation,
        ]
    }
}

/// What [`generate`] yields.
#[derive(Debug, Clone)]
pub struct Lists {
    pub records: Vec<ListRecord>,
    /// Distinct people (equals the configured `persons`).
    pub persons: usize,
    pub households: usize,
    pub cases: usize,
}

/// One name of the stock with its spellings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StockName {
    /// Dari/Persian spelling.
    pub dari: &'static str,
    /// One usual Latin form.
    pub latin: &'static str,
    /// Pashto spelling where it differs.
    pub pashto: Option<&'static str>,
}

/// The name stock of `data/kabul_names.tsv`, each kind in order of commonness.
#[derive(Debug, Clone, Default)]
pub struct NameStock {
    pub male: Vec<StockName>,
    pub female: Vec<StockName>,
    pub family: Vec<StockName>,
}

impl NameStock {
    /// Parses the embedded table (malformed lines are skipped; the tests check the counts).
    pub fn load() -> NameStock {
        let mut stock = NameStock::default();
        for line in STOCK.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let mut cells = line.split('\t');
            let (Some(kind), Some(dari), Some(latin)) = (cells.next(), cells.next(), cells.next())
            else {
                continue;
            };
            let name = StockName {
                dari,
                latin,
                pashto: cells.next().filter(|p| !p.is_empty()),
            };
            match kind {
                "male" => stock.male.push(name),
                "female" => stock.female.push(name),
                "family" => stock.family.push(name),
                _ => {}
            }
        }
        stock
    }
}

/// Provinces of birth: Latin, Dari.
const PROVINCES: [(&str, &str); 34] = [
    ("Kabul", "کابل"),
    ("Kandahar", "کندهار"),
    ("Herat", "هرات"),
    ("Balkh", "بلخ"),
    ("Nangarhar", "ننگرهار"),
    ("Ghazni", "غزنی"),
    ("Parwan", "پروان"),
    ("Kunduz", "کندز"),
    ("Helmand", "هلمند"),
    ("Logar", "لوگر"),
    ("Wardak", "وردک"),
    ("Bamyan", "بامیان"),
    ("Paktia", "پکتیا"),
    ("Khost", "خوست"),
    ("Laghman", "لغمان"),
    ("Kapisa", "کاپیسا"),
    ("Panjshir", "پنجشیر"),
    ("Baghlan", "بغلان"),
    ("Takhar", "تخار"),
    ("Badakhshan", "بدخشان"),
    ("Samangan", "سمنگان"),
    ("Faryab", "فاریاب"),
    ("Jowzjan", "جوزجان"),
    ("Sar-e Pol", "سرپل"),
    ("Ghor", "غور"),
    ("Daykundi", "دایکندی"),
    ("Uruzgan", "ارزگان"),
    ("Zabul", "زابل"),
    ("Paktika", "پکتیکا"),
    ("Kunar", "کنر"),
    ("Nuristan", "نورستان"),
    ("Badghis", "بادغیس"),
    ("Farah", "فراه"),
    ("Nimroz", "نیمروز"),
];

const SH_MONTHS: [&str; 12] = [
    "Hamal", "Sawr", "Jawza", "Saratan", "Asad", "Sunbula", "Mizan", "Aqrab", "Qaws", "Jadi",
    "Dalw", "Hut",
];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The lists' reference day: registrations in August 2021.
fn reference_day() -> GregorianDate {
    GregorianDate::new(2021, 8, 20).unwrap_or_else(|_| GregorianDate::from_days_since_epoch(0))
}

/// A romaniser profile: the chance, per name written, that each rewrite rule applies. A list
/// with a rule near 1 writes that variant consistently; near 0.5 its clerks disagree.
#[derive(Debug, Clone, Copy, Default)]
pub struct Roman {
    /// Mohammad → Muhammad, Omar → Umar (and Yunus → Yonus the other way).
    pub o_u: f64,
    /// Ahmad → Ahmed, Mohammad → Mohammed.
    pub ad_ed: f64,
    /// Mohammad → Mohd / Md (given names only).
    pub mohd: f64,
    /// Last-syllable e/i: Hashem ↔ Hashim, Nasir ↔ Naser.
    pub e_i: f64,
    /// Initial i/e: Ibrahim ↔ Ebrahim, Ehsan ↔ Ihsan.
    pub initial_e_i: f64,
    /// ee ↔ i, oo ↔ u: Fareed ↔ Farid, Mahmood ↔ Mahmud.
    pub long_vowels: f64,
    /// French ou for u and oo: Mahmoud, Youssouf.
    pub ou: f64,
    /// Doubled consonants made single (Mohamad, Hasan) or single ones doubled (Sayyed).
    pub doubling: f64,
    /// q → k (Kasem).
    pub q_k: f64,
    /// q → gh (Ghasem: Persian pronunciation).
    pub q_gh: f64,
    /// gh → g (Gulam).
    pub gh_g: f64,
    /// kh → x.
    pub kh_x: f64,
    /// w → v (Javad, Vahid), v → w.
    pub w_v: f64,
    /// z → dh for ذ ض ظ (Dhakir).
    pub z_dh: f64,
    /// zh → j (Mujgan).
    pub zh_j: f64,
    /// -ullah → -ulla, -allah, -ollah, " Ullah", "-ullah".
    pub ullah: f64,
    /// -uddin → " ud-Din", -uddeen, -oddin, -eddine…
    pub uddin: f64,
    /// Abdul X → AbdulX, Abd al-X, Abdur Rahman, Abdol…
    pub abdul: f64,
    /// Female -a → -ah / -eh, -ia → -iya / -ieh.
    pub final_h: f64,
    /// ai → ei / ay (Zeinab, Hussein).
    pub ai_ei: f64,
    /// Compound parts fused (Mohammadhashem) or hyphenated.
    pub fuse: f64,
    /// French clerks: sh → ch, j → dj.
    pub french: f64,
    /// German clerks: sh → sch, j → dsch, kh → ch, y → j.
    pub german: f64,
}

/// How a list writes people's names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// given, family, father columns (and grandfather when `grandfather`).
    Split { grandfather: bool },
    /// One full-name column, given first: "Hashem Ahmadzai".
    FullGivenFirst,
    /// One full-name column, family first in capitals: "AHMADZAI Hashem".
    FullFamilyFirst,
    /// One full-name column with the father: "Hashem s/o Qasem Ahmadzai".
    FullWithFather,
}

/// Which script a list writes names in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Script {
    Latin,
    /// Arabic script; `pashto` uses Pashto spellings, `arabic_keyboard` the Arabic letters ي ك.
    Arabic {
        pashto: bool,
        arabic_keyboard: f64,
    },
    /// Arabic script for this share of records (and of single fields), Latin otherwise.
    Mixed(f64),
}

/// How a list writes a birth date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateForm {
    Iso,
    DayMonthYear,
    Dotted,
    MonthName,
    SolarHijri,
    SolarHijriPersian,
    SolarHijriMonthName,
    Year,
    YearSolarHijri,
    YearSolarHijriPersian,
    /// A year from the age the person gave (Gregorian).
    Age,
    /// A year from the age, in Solar Hijri.
    AgeSolarHijri,
    Missing,
}

/// Relation vocabularies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vocabulary {
    English,
    /// head / spouse / child 1, child 2…
    Numbered,
    /// self / spouse / child / parent.
    Generic,
    French,
    German,
    Dari,
    Pashto,
    /// Dari or English per record.
    Mixed,
}

/// Whose phone a list writes on each member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhonePolicy {
    /// The principal's phone on every member of the case.
    PrincipalOnEveryone,
    /// Only the principal's record has a phone.
    PrincipalOnly,
    /// Each person's own phone, when they have one.
    Own,
}

/// One list's clerk style.
#[derive(Debug, Clone)]
pub struct ListStyle {
    pub name: &'static str,
    /// Record-id prefix.
    pub code: &'static str,
    /// Relative share of registrations.
    pub weight: f64,
    pub script: Script,
    pub roman: Roman,
    pub layout: Layout,
    /// Chance the father's column is filled (split layouts).
    pub father: f64,
    /// Chance a filled father's name is written "s/o X" (or "d/o", "ولد").
    pub father_so: f64,
    /// Chance a person without a family name gets the father's name in the family column.
    pub father_as_family: f64,
    pub upper: bool,
    pub dates: &'static [(DateForm, f64)],
    pub vocabulary: Vocabulary,
    /// Sex words (male, female); `None`: the list has no sex column.
    pub sex_words: Option<(&'static str, &'static str)>,
    pub sex_missing: f64,
    pub tazkira: f64,
    pub passport: f64,
    /// Documents in one `document` column instead of `passport` / `tazkira`.
    pub one_document_column: bool,
    pub phone: PhonePolicy,
    pub phone_missing: f64,
    pub place: f64,
    /// Per-field chance of a one-letter typing slip.
    pub typo: f64,
    /// Per-record chance that given and family names are swapped between columns.
    pub swap: f64,
}

const ROMAN_AFGHAN_EN: Roman = Roman {
    o_u: 0.1,
    ad_ed: 0.1,
    mohd: 0.0,
    e_i: 0.35,
    initial_e_i: 0.1,
    long_vowels: 0.3,
    ou: 0.0,
    doubling: 0.15,
    q_k: 0.03,
    q_gh: 0.0,
    gh_g: 0.05,
    kh_x: 0.0,
    w_v: 0.05,
    z_dh: 0.0,
    zh_j: 0.1,
    ullah: 0.2,
    uddin: 0.3,
    abdul: 0.35,
    final_h: 0.1,
    ai_ei: 0.15,
    fuse: 0.03,
    french: 0.0,
    german: 0.0,
};

const ROMAN_MILITARY: Roman = Roman {
    o_u: 0.3,
    ad_ed: 0.3,
    mohd: 0.15,
    e_i: 0.5,
    long_vowels: 0.5,
    doubling: 0.3,
    q_k: 0.1,
    gh_g: 0.1,
    kh_x: 0.02,
    ullah: 0.4,
    uddin: 0.5,
    abdul: 0.5,
    final_h: 0.2,
    ai_ei: 0.3,
    fuse: 0.08,
    ..ROMAN_AFGHAN_EN
};

const ROMAN_IRANIAN: Roman = Roman {
    o_u: 0.5,
    ad_ed: 0.15,
    e_i: 0.7,
    initial_e_i: 0.7,
    long_vowels: 0.3,
    doubling: 0.2,
    q_gh: 0.6,
    w_v: 0.85,
    zh_j: 0.4,
    ullah: 0.7,
    uddin: 0.7,
    abdul: 0.6,
    final_h: 0.7,
    ai_ei: 0.6,
    ..ROMAN_AFGHAN_EN
};

const ROMAN_FRENCH: Roman = Roman {
    ou: 0.7,
    french: 0.6,
    final_h: 0.3,
    e_i: 0.4,
    uddin: 0.5,
    ai_ei: 0.3,
    ..ROMAN_AFGHAN_EN
};

const ROMAN_GERMAN: Roman = Roman {
    german: 0.6,
    ad_ed: 0.3,
    e_i: 0.4,
    w_v: 0.0,
    ..ROMAN_AFGHAN_EN
};

const ROMAN_ARABIC: Roman = Roman {
    o_u: 0.8,
    ad_ed: 0.5,
    e_i: 0.6,
    z_dh: 0.6,
    q_k: 0.0,
    abdul: 0.8,
    ullah: 0.5,
    uddin: 0.6,
    final_h: 0.5,
    ai_ei: 0.4,
    ..ROMAN_AFGHAN_EN
};

use DateForm as D;
const DATES_EMBASSY: &[(DateForm, f64)] = &[
    (D::DayMonthYear, 0.55),
    (D::Iso, 0.25),
    (D::Year, 0.1),
    (D::Missing, 0.1),
];
const DATES_MILITARY: &[(DateForm, f64)] = &[
    (D::MonthName, 0.45),
    (D::Age, 0.35),
    (D::Year, 0.1),
    (D::Missing, 0.1),
];
const DATES_ISO: &[(DateForm, f64)] = &[(D::Iso, 0.8), (D::Year, 0.12), (D::Missing, 0.08)];
const DATES_GERMAN: &[(DateForm, f64)] = &[(D::Dotted, 0.8), (D::Age, 0.1), (D::Missing, 0.1)];
const DATES_MINISTRY: &[(DateForm, f64)] = &[
    (D::SolarHijriPersian, 0.5),
    (D::YearSolarHijriPersian, 0.35),
    (D::AgeSolarHijri, 0.1),
    (D::Missing, 0.05),
];
const DATES_PASHTO: &[(DateForm, f64)] = &[
    (D::YearSolarHijri, 0.55),
    (D::SolarHijri, 0.2),
    (D::AgeSolarHijri, 0.15),
    (D::Missing, 0.1),
];
const DATES_DARI_NGO: &[(DateForm, f64)] = &[
    (D::SolarHijri, 0.45),
    (D::SolarHijriMonthName, 0.15),
    (D::YearSolarHijri, 0.2),
    (D::DayMonthYear, 0.1),
    (D::Missing, 0.1),
];
const DATES_YEAR_AGE: &[(DateForm, f64)] = &[(D::Year, 0.45), (D::Age, 0.45), (D::Missing, 0.1)];
const DATES_IRAN: &[(DateForm, f64)] = &[
    (D::SolarHijri, 0.6),
    (D::YearSolarHijri, 0.3),
    (D::Missing, 0.1),
];
const DATES_SPARSE: &[(DateForm, f64)] = &[(D::Age, 0.4), (D::Year, 0.2), (D::Missing, 0.4)];

/// The fourteen lists and their clerk styles.
pub fn list_styles() -> Vec<ListStyle> {
    let base = ListStyle {
        name: "",
        code: "",
        weight: 1.0,
        script: Script::Latin,
        roman: ROMAN_AFGHAN_EN,
        layout: Layout::Split { grandfather: false },
        father: 0.85,
        father_so: 0.0,
        father_as_family: 0.3,
        upper: false,
        dates: DATES_EMBASSY,
        vocabulary: Vocabulary::English,
        sex_words: Some(("M", "F")),
        sex_missing: 0.02,
        tazkira: 0.6,
        passport: 0.8,
        one_document_column: false,
        phone: PhonePolicy::PrincipalOnEveryone,
        phone_missing: 0.05,
        place: 0.3,
        typo: 0.02,
        swap: 0.02,
    };
    vec![
        ListStyle {
            name: "US embassy, SIV applicants",
            code: "USE",
            weight: 16.0,
            ..base.clone()
        },
        ListStyle {
            name: "US forces, interpreters' office",
            code: "USF",
            weight: 9.0,
            roman: ROMAN_MILITARY,
            layout: Layout::FullGivenFirst,
            upper: true,
            dates: DATES_MILITARY,
            vocabulary: Vocabulary::Numbered,
            sex_words: Some(("MALE", "FEMALE")),
            sex_missing: 0.1,
            tazkira: 0.8,
            passport: 0.5,
            one_document_column: true,
            phone: PhonePolicy::Own,
            place: 0.0,
            typo: 0.04,
            ..base.clone()
        },
        ListStyle {
            name: "UK Ministry of Defence, ARAP",
            code: "UKM",
            weight: 10.0,
            layout: Layout::FullFamilyFirst,
            dates: DATES_ISO,
            vocabulary: Vocabulary::Generic,
            sex_words: Some(("Male", "Female")),
            phone: PhonePolicy::PrincipalOnly,
            ..base.clone()
        },
        ListStyle {
            name: "German NGO evacuation list",
            code: "DEN",
            weight: 7.0,
            roman: ROMAN_GERMAN,
            dates: DATES_GERMAN,
            vocabulary: Vocabulary::German,
            sex_words: Some(("m", "w")),
            tazkira: 0.4,
            passport: 0.6,
            phone_missing: 0.2,
            typo: 0.03,
            ..base.clone()
        },
        ListStyle {
            name: "French embassy",
            code: "FRE",
            weight: 6.0,
            roman: ROMAN_FRENCH,
            father_so: 0.0,
            dates: DATES_EMBASSY,
            vocabulary: Vocabulary::French,
            sex_words: Some(("H", "F")),
            ..base.clone()
        },
        ListStyle {
            name: "Afghan ministry staff list (Dari)",
            code: "AFM",
            weight: 9.0,
            script: Script::Arabic {
                pashto: false,
                arabic_keyboard: 0.1,
            },
            layout: Layout::Split { grandfather: true },
            father: 0.97,
            father_as_family: 0.0,
            dates: DATES_MINISTRY,
            vocabulary: Vocabulary::Dari,
            sex_words: Some(("مرد", "زن")),
            sex_missing: 0.05,
            tazkira: 0.95,
            passport: 0.3,
            phone: PhonePolicy::Own,
            place: 0.7,
            typo: 0.015,
            swap: 0.0,
            ..base.clone()
        },
        ListStyle {
            name: "Kandahar NGO list (Pashto)",
            code: "KDP",
            weight: 4.0,
            script: Script::Arabic {
                pashto: true,
                arabic_keyboard: 0.3,
            },
            layout: Layout::Split { grandfather: true },
            father: 0.9,
            father_so: 0.2,
            father_as_family: 0.0,
            dates: DATES_PASHTO,
            vocabulary: Vocabulary::Pashto,
            sex_words: None,
            tazkira: 0.7,
            passport: 0.1,
            phone: PhonePolicy::PrincipalOnEveryone,
            place: 0.5,
            typo: 0.02,
            swap: 0.0,
            ..base.clone()
        },
        ListStyle {
            name: "Kabul civil-society list (mixed script)",
            code: "KCS",
            weight: 7.0,
            script: Script::Mixed(0.5),
            layout: Layout::Split { grandfather: true },
            father: 0.9,
            father_so: 0.1,
            dates: DATES_DARI_NGO,
            vocabulary: Vocabulary::Mixed,
            sex_missing: 0.2,
            tazkira: 0.7,
            passport: 0.4,
            ..base.clone()
        },
        ListStyle {
            name: "Canada, immigration referrals",
            code: "CAI",
            weight: 7.0,
            roman: ROMAN_IRANIAN,
            dates: DATES_ISO,
            vocabulary: Vocabulary::English,
            ..base.clone()
        },
        ListStyle {
            name: "Italy, defence ministry",
            code: "ITD",
            weight: 5.0,
            layout: Layout::FullGivenFirst,
            dates: DATES_EMBASSY,
            vocabulary: Vocabulary::Generic,
            one_document_column: true,
            phone: PhonePolicy::PrincipalOnly,
            ..base.clone()
        },
        ListStyle {
            name: "Netherlands and Spain, joint list",
            code: "NLS",
            weight: 5.0,
            father: 0.5,
            dates: DATES_YEAR_AGE,
            vocabulary: Vocabulary::Generic,
            sex_missing: 0.3,
            tazkira: 0.3,
            typo: 0.03,
            swap: 0.05,
            ..base.clone()
        },
        ListStyle {
            name: "Mashhad refugee office (Iran)",
            code: "IRM",
            weight: 4.0,
            script: Script::Mixed(0.6),
            roman: ROMAN_IRANIAN,
            layout: Layout::Split { grandfather: false },
            father: 0.9,
            dates: DATES_IRAN,
            vocabulary: Vocabulary::Dari,
            sex_words: Some(("مرد", "زن")),
            tazkira: 0.5,
            passport: 0.3,
            phone: PhonePolicy::Own,
            ..base.clone()
        },
        ListStyle {
            name: "Press freedom desk",
            code: "PFD",
            weight: 3.0,
            layout: Layout::FullWithFather,
            roman: ROMAN_MILITARY,
            dates: DATES_SPARSE,
            vocabulary: Vocabulary::Numbered,
            sex_words: None,
            tazkira: 0.2,
            passport: 0.5,
            one_document_column: true,
            phone: PhonePolicy::Own,
            place: 0.0,
            typo: 0.03,
            ..base.clone()
        },
        ListStyle {
            name: "Gulf transit list",
            code: "GTL",
            weight: 4.0,
            script: Script::Mixed(0.3),
            roman: ROMAN_ARABIC,
            father_so: 0.3,
            dates: DATES_ISO,
            vocabulary: Vocabulary::English,
            tazkira: 0.3,
            passport: 0.9,
            ..base
        },
    ]
}

/// The names of the lists, in the order of [`ListRecord::list`].
pub fn list_names() -> Vec<&'static str> {
    list_styles().iter().map(|s| s.name).collect()
}

/// A draw by rank with weights 1 / (rank + 1)^s.
#[derive(Debug, Clone)]
struct Zipf {
    cumulative: Vec<f64>,
}

impl Zipf {
    fn new(n: usize, s: f64) -> Zipf {
        let mut total = 0.0;
        let cumulative = (0..n)
            .map(|rank| {
                total += 1.0 / ((rank + 1) as f64).powf(s);
                total
            })
            .collect();
        Zipf { cumulative }
    }
    fn sample(&self, rng: &mut ChaCha8Rng) -> usize {
        let total = self.cumulative.last().copied().unwrap_or(0.0);
        let x = rng.random::<f64>() * total;
        self.cumulative
            .partition_point(|c| *c <= x)
            .min(self.cumulative.len().saturating_sub(1))
    }
}

fn weighted<T: Copy>(rng: &mut ChaCha8Rng, items: &[(T, f64)]) -> T {
    let total: f64 = items.iter().map(|(_, w)| w).sum();
    let mut x = rng.random::<f64>() * total;
    for (item, weight) in items {
        if x < *weight {
            return *item;
        }
        x -= weight;
    }
    items[items.len() - 1].0
}

/// A given name: indices into the male or female stock (two for compounds).
type Given = Vec<u16>;

#[derive(Debug, Clone)]
struct Person {
    male: bool,
    given: Given,
    family: Option<u16>,
    father: Option<Given>,
    grandfather: Option<Given>,
    birth: GregorianDate,
    /// Whether the person knows their birth day; if not, their documents give `stated_sh_year`.
    knows_date: bool,
    stated_sh_year: i32,
    tazkira: Option<String>,
    passport: Option<String>,
    /// Mobile numbers as 9 digits "7xxxxxxxx".
    phones: Vec<String>,
    province: usize,
    clan: u32,
    sibling_group: u64,
}

#[derive(Debug, Clone, Default)]
struct Household {
    head: usize,
    wife: Option<usize>,
    children: Vec<usize>,
    /// The head's parents living with the family.
    elders: Vec<usize>,
    /// Children who head a household of their own.
    married_sons: Vec<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rel {
    Principal,
    Wife,
    Husband,
    Son,
    Daughter,
    Father,
    Mother,
}

#[derive(Debug, Clone)]
struct Case {
    list: usize,
    members: Vec<(usize, Rel)>,
}

struct Generator<'a> {
    config: &'a ListsConfig,
    rng: ChaCha8Rng,
    stock: NameStock,
    male_zipf: Zipf,
    female_zipf: Zipf,
    family_zipf: Zipf,
    persons: Vec<Person>,
    households: Vec<Household>,
    /// The clan being made, and the sibling group the next person joins.
    clans: u32,
    group: u64,
}

const REFERENCE_YEAR: i32 = 2021;

impl Generator<'_> {
    fn full(&self) -> bool {
        self.persons.len() >= self.config.persons
    }

    fn chance(&mut self, p: f64) -> bool {
        p > 0.0 && self.rng.random::<f64>() < p
    }

    fn day_in_year(&mut self, year: i32) -> GregorianDate {
        let first = GregorianDate::new(year, 1, 1)
            .unwrap_or_else(|_| GregorianDate::from_days_since_epoch(0))
            .days_since_epoch();
        let day = GregorianDate::from_days_since_epoch(first + self.rng.random_range(0..365));
        // Nobody is registered before being born.
        let limit = reference_day();
        if day > limit {
            GregorianDate::from_days_since_epoch(
                limit.days_since_epoch() - self.rng.random_range(1..200),
            )
        } else {
            day
        }
    }

    fn fresh_simple_male(&mut self) -> u16 {
        loop {
            let i = self.male_zipf.sample(&mut self.rng);
            if i != 0 && !self.stock.male[i].latin.contains(' ') {
                return i as u16;
            }
        }
    }

    fn fresh_given(&mut self, male: bool) -> Given {
        if male {
            if self.chance(self.config.mohammad_compound) {
                return vec![0, self.fresh_simple_male()];
            }
            vec![self.male_zipf.sample(&mut self.rng) as u16]
        } else {
            vec![self.female_zipf.sample(&mut self.rng) as u16]
        }
    }

    /// A name made like a sibling's: the same first part of a compound with another second
    /// part, or a stock name sharing the sibling's first or last four letters.
    fn similar_given(&mut self, male: bool, sibling: &Given) -> Given {
        if sibling.len() == 2 {
            return vec![sibling[0], self.fresh_simple_male()];
        }
        let names = if male {
            &self.stock.male
        } else {
            &self.stock.female
        };
        let Some(own) = sibling.first().and_then(|&i| names.get(usize::from(i))) else {
            return self.fresh_given(male);
        };
        let own = own.latin.to_lowercase();
        let head = own.get(..4.min(own.len())).unwrap_or("").to_owned();
        let tail = own
            .get(own.len().saturating_sub(4)..)
            .unwrap_or("")
            .to_owned();
        let alike: Vec<u16> = names
            .iter()
            .enumerate()
            .filter(|(_, n)| {
                let l = n.latin.to_lowercase();
                l != own && (l.starts_with(&head) || l.ends_with(&tail))
            })
            .map(|(i, _)| i as u16)
            .collect();
        if alike.is_empty() {
            return self.fresh_given(male);
        }
        vec![alike[self.rng.random_range(0..alike.len())]]
    }

    fn sibling_given(&mut self, male: bool, siblings: &[Given]) -> Given {
        for _ in 0..20 {
            let candidate =
                if !siblings.is_empty() && self.chance(self.config.similar_sibling_names) {
                    let sibling = siblings[self.rng.random_range(0..siblings.len())].clone();
                    self.similar_given(male, &sibling)
                } else {
                    self.fresh_given(male)
                };
            if !siblings.contains(&candidate) {
                return candidate;
            }
        }
        self.fresh_given(male)
    }

    fn family_name(&mut self) -> Option<u16> {
        if self.chance(self.config.no_family_name) {
            None
        } else {
            Some(self.family_zipf.sample(&mut self.rng) as u16)
        }
    }

    fn tazkira(&mut self) -> String {
        if self.chance(0.35) {
            format!(
                "{}-{:04}-{:05}",
                self.rng.random_range(1397..=1400),
                self.rng.random_range(100..1300),
                self.rng.random_range(0..100_000)
            )
        } else {
            let digits = self.rng.random_range(6..=8);
            let low = 10u64.pow(digits - 1);
            self.rng.random_range(low..low * 10).to_string()
        }
    }

    fn phone(&mut self) -> String {
        format!(
            "7{}{:07}",
            self.rng.random_range(0..10),
            self.rng.random_range(0..10_000_000)
        )
    }

    /// Adds a person; `None` once the configured number is reached.
    #[allow(clippy::too_many_arguments)]
    fn person(
        &mut self,
        male: bool,
        given: Given,
        family: Option<u16>,
        father: Option<Given>,
        grandfather: Option<Given>,
        birth: GregorianDate,
        province: usize,
    ) -> Option<usize> {
        if self.full() {
            return None;
        }
        let age = birth.age_on(reference_day());
        let adult = age >= 18;
        let knows_date = self.chance(if age < 16 { 0.7 } else { 0.4 });
        let (sh_year, _, _) = birth.to_solar_hijri();
        let shift = weighted(&mut self.rng, &[(0, 0.7), (-1, 0.15), (1, 0.15)]);
        let tazkira = self
            .chance(if adult { 0.8 } else { 0.4 })
            .then(|| self.tazkira());
        let passport = self.chance(if adult { 0.22 } else { 0.1 }).then(|| {
            format!(
                "{}{:07}",
                if self.chance(0.8) { "P" } else { "OA" },
                self.rng.random_range(0..10_000_000)
            )
        });
        let mut phones = Vec::new();
        let phone_chance = match (male, age) {
            (_, a) if a < 15 => 0.0,
            (true, a) if a >= 20 => 0.92,
            (true, _) => 0.55,
            (false, _) => 0.35,
        };
        if self.chance(phone_chance) {
            phones.push(self.phone());
            if self.chance(0.12) {
                phones.push(self.phone());
            }
        }
        let province = if self.chance(0.75) {
            province
        } else {
            self.rng.random_range(0..PROVINCES.len())
        };
        self.persons.push(Person {
            male,
            given,
            family,
            father,
            grandfather,
            birth,
            knows_date,
            stated_sh_year: sh_year + shift,
            tazkira,
            passport,
            phones,
            province,
            clan: self.clans,
            sibling_group: self.group,
        });
        Some(self.persons.len() - 1)
    }

    /// Children of a mother born in `mother_birth_year` (none after the reference day).
    fn children(
        &mut self,
        father: usize,
        mother_birth_year: i32,
        clan_grandfather: &Given,
        province: usize,
    ) -> Vec<usize> {
        let wanted = weighted(
            &mut self.rng,
            &[
                (0usize, 0.05),
                (1, 0.07),
                (2, 0.1),
                (3, 0.13),
                (4, 0.15),
                (5, 0.15),
                (6, 0.13),
                (7, 0.1),
                (8, 0.07),
                (9, 0.05),
            ],
        );
        let family = self.persons[father].family;
        let father_given = self.persons[father].given.clone();
        let mut year = mother_birth_year + self.rng.random_range(17..24);
        let mut births: Vec<GregorianDate> = Vec::new();
        while births.len() < wanted && year <= REFERENCE_YEAR {
            if !births.is_empty() && self.chance(0.03) {
                let twin = births[births.len() - 1];
                births.push(twin);
                continue;
            }
            births.push(self.day_in_year(year));
            year += self.rng.random_range(1..=3);
        }
        // The household is pushed after its children are made: its index is the next one.
        self.group = self.households.len() as u64;
        let mut sons: Vec<Given> = Vec::new();
        let mut daughters: Vec<Given> = Vec::new();
        let mut out = Vec::new();
        for birth in births {
            let male = self.chance(0.51);
            let given = if male
                && sons.is_empty()
                && self.chance(0.25)
                && father_given != *clan_grandfather
            {
                // The first son named after his grandfather: cousins share the name.
                clan_grandfather.clone()
            } else if male {
                self.sibling_given(true, &sons)
            } else {
                self.sibling_given(false, &daughters)
            };
            if male {
                sons.push(given.clone());
            } else {
                daughters.push(given.clone());
            }
            let Some(child) = self.person(
                male,
                given,
                family,
                Some(father_given.clone()),
                Some(clan_grandfather.clone()),
                birth,
                province,
            ) else {
                break;
            };
            out.push(child);
        }
        out
    }

    /// A wife for a man: her own family and father's names, a few years younger.
    fn wife(&mut self, husband: usize, province: usize) -> Option<usize> {
        let husband_birth = self.persons[husband].birth;
        let gap = self.rng.random_range(0..=10);
        let year = (husband_birth.year() + gap).min(REFERENCE_YEAR - 17);
        let birth = self.day_in_year(year);
        let family = if self.chance(0.3) {
            // Cousin marriage: the husband's family name.
            self.persons[husband].family
        } else {
            self.family_name()
        };
        let given = self.fresh_given(false);
        let father = Some(self.fresh_given(true));
        let grandfather = self.chance(0.8).then(|| self.fresh_given(true));
        self.group = u64::MAX - self.persons.len() as u64;
        self.person(false, given, family, father, grandfather, birth, province)
    }

    fn household(&mut self, head: usize, clan_grandfather: &Given, province: usize) -> usize {
        let mut household = Household {
            head,
            ..Household::default()
        };
        let head_age = self.persons[head].birth.age_on(reference_day());
        if head_age >= 20 && self.chance(0.92) {
            household.wife = self.wife(head, province);
        }
        if let Some(wife) = household.wife {
            let mother_year = self.persons[wife].birth.year();
            household.children = self.children(head, mother_year, clan_grandfather, province);
        }
        self.households.push(household);
        self.households.len() - 1
    }

    fn clan(&mut self) {
        self.clans += 1;
        let family = self.family_name();
        let grandfather = self.fresh_given(true);
        let great_grandfather = self.fresh_given(true);
        let province = if self.chance(0.3) {
            0
        } else {
            self.rng.random_range(0..PROVINCES.len())
        };
        let brothers = weighted(
            &mut self.rng,
            &[(1usize, 0.35), (2, 0.3), (3, 0.2), (4, 0.15)],
        );
        let eldest_age = 20 + (40.0 * self.rng.random::<f64>().powf(1.4)) as i32;
        let mut birth = self.day_in_year(REFERENCE_YEAR - eldest_age);
        let mut names: Vec<Given> = Vec::new();
        let mut heads = Vec::new();
        for b in 0..brothers {
            if b > 0 {
                if self.chance(0.03) {
                    // twins: the same day
                } else {
                    let year = birth.year() + self.rng.random_range(1..=3);
                    if REFERENCE_YEAR - year < 17 {
                        break;
                    }
                    birth = self.day_in_year(year);
                }
            }
            let given = self.sibling_given(true, &names);
            names.push(given.clone());
            self.group = (1 << 40) + u64::from(self.clans);
            let Some(head) = self.person(
                true,
                given,
                family,
                Some(grandfather.clone()),
                Some(great_grandfather.clone()),
                birth,
                province,
            ) else {
                return;
            };
            let household = self.household(head, &grandfather, province);
            heads.push(household);
        }
        // Elderly parents with the eldest brother.
        if let Some(&eldest) = heads.first() {
            let eldest_birth = self.persons[self.households[eldest].head].birth.year();
            if eldest_age < 45 && self.chance(0.3) {
                let year = eldest_birth - self.rng.random_range(20..32);
                let birth = self.day_in_year(year);
                let father_of_grandfather = self.chance(0.7).then(|| self.fresh_given(true));
                self.group = u64::MAX - self.persons.len() as u64;
                if let Some(p) = self.person(
                    true,
                    grandfather.clone(),
                    family,
                    Some(great_grandfather.clone()),
                    father_of_grandfather,
                    birth,
                    province,
                ) {
                    self.households[eldest].elders.push(p);
                }
            }
            if eldest_age < 50 && self.chance(0.35) {
                let year = eldest_birth - self.rng.random_range(17..28);
                let birth = self.day_in_year(year);
                let given = self.fresh_given(false);
                let family = self.family_name();
                let father = Some(self.fresh_given(true));
                self.group = u64::MAX - self.persons.len() as u64;
                if let Some(p) = self.person(false, given, family, father, None, birth, province) {
                    self.households[eldest].elders.push(p);
                }
            }
        }
        // Married adult sons head households of their own.
        for h in heads {
            let children = self.households[h].children.clone();
            let father_given = self.persons[self.households[h].head].given.clone();
            for child in children {
                let person = &self.persons[child];
                let age = person.birth.age_on(reference_day());
                if person.male && age >= 21 && self.chance(0.55) {
                    self.household(child, &father_given, province);
                    self.households[h].married_sons.push(child);
                }
            }
        }
    }

    fn registrations(&mut self, styles: &[ListStyle]) -> Vec<Case> {
        let list_weights: Vec<(usize, f64)> = styles
            .iter()
            .enumerate()
            .map(|(i, s)| (i, s.weight))
            .collect();
        let counts: Vec<(usize, f64)> = self
            .config
            .lists_per_household
            .iter()
            .enumerate()
            .map(|(i, w)| (i + 1, *w))
            .collect();
        let mut cases: Vec<Case> = Vec::new();
        let mut seen = vec![false; self.persons.len()];
        let households = self.households.clone();
        for household in &households {
            let first_case = cases.len();
            let k = weighted(&mut self.rng, &counts);
            for r in 0..k {
                let list = weighted(&mut self.rng, &list_weights);
                let wife_case = r > 0 && household.wife.is_some() && self.chance(0.3);
                let mut members = Vec::new();
                if wife_case {
                    let wife = household.wife.unwrap_or(household.head);
                    members.push((wife, Rel::Principal));
                    if self.chance(0.35) {
                        members.push((household.head, Rel::Husband));
                    }
                } else {
                    members.push((household.head, Rel::Principal));
                    if let Some(wife) = household.wife
                        && self.chance(0.95)
                    {
                        members.push((wife, Rel::Wife));
                    }
                }
                for &child in &household.children {
                    let married = household.married_sons.contains(&child);
                    let keep = if married { 0.45 } else { 0.93 };
                    if self.chance(keep) {
                        let rel = if self.persons[child].male {
                            Rel::Son
                        } else {
                            Rel::Daughter
                        };
                        members.push((child, rel));
                    }
                }
                if !wife_case {
                    for &elder in &household.elders {
                        if self.chance(0.7) {
                            let rel = if self.persons[elder].male {
                                Rel::Father
                            } else {
                                Rel::Mother
                            };
                            members.push((elder, rel));
                        }
                    }
                }
                cases.push(Case { list, members });
            }
            // Unmarried adult sons registering alone.
            for &child in &household.children {
                let person = &self.persons[child];
                if person.male
                    && person.birth.age_on(reference_day()) >= 18
                    && !household.married_sons.contains(&child)
                    && self.chance(0.12)
                {
                    let list = weighted(&mut self.rng, &list_weights);
                    cases.push(Case {
                        list,
                        members: vec![(child, Rel::Principal)],
                    });
                }
            }
            for case in &cases[first_case..] {
                for (p, _) in &case.members {
                    seen[*p] = true;
                }
            }
        }
        // Everyone appears at least once: the missing join the first case their household's
        // head is principal of (the husband's), or register alone.
        let mut case_of_person: Vec<Option<usize>> = vec![None; self.persons.len()];
        for (i, case) in cases.iter().enumerate() {
            if let Some((p, Rel::Principal)) = case.members.first()
                && case_of_person[*p].is_none()
            {
                case_of_person[*p] = Some(i);
            }
        }
        for household in &households {
            let Some(c) = case_of_person[household.head] else {
                continue;
            };
            let missing: Vec<(usize, Rel)> = household
                .wife
                .iter()
                .map(|&w| (w, Rel::Wife))
                .chain(household.children.iter().map(|&c| {
                    (
                        c,
                        if self.persons[c].male {
                            Rel::Son
                        } else {
                            Rel::Daughter
                        },
                    )
                }))
                .chain(household.elders.iter().map(|&e| {
                    (
                        e,
                        if self.persons[e].male {
                            Rel::Father
                        } else {
                            Rel::Mother
                        },
                    )
                }))
                .filter(|(p, _)| !seen[*p])
                .collect();
            for (p, rel) in missing {
                seen[p] = true;
                cases[c].members.push((p, rel));
            }
        }
        for (p, was_seen) in seen.iter().enumerate() {
            if !was_seen {
                let list = weighted(&mut self.rng, &list_weights);
                cases.push(Case {
                    list,
                    members: vec![(p, Rel::Principal)],
                });
            }
        }
        cases
    }
}

// ---------------------------------------------------------------------------------------------
// The romaniser.

fn is_vowel(c: u8) -> bool {
    matches!(c, b'a' | b'e' | b'i' | b'o' | b'u')
}

/// The byte index of the last vowel group's start, when the word ends in consonants after it.
fn last_syllable_vowel(word: &str) -> Option<(usize, usize)> {
    let bytes = word.as_bytes();
    let mut end = bytes.len();
    while end > 0 && !is_vowel(bytes[end - 1]) {
        end -= 1;
    }
    if end == 0 || end == bytes.len() {
        return None;
    }
    let mut start = end - 1;
    while start > 0 && is_vowel(bytes[start - 1]) {
        start -= 1;
    }
    Some((start, end))
}

struct Romaniser<'a> {
    rng: &'a mut ChaCha8Rng,
    roman: Roman,
}

impl Romaniser<'_> {
    fn p(&mut self, p: f64) -> bool {
        p > 0.0 && self.rng.random::<f64>() < p
    }

    fn pick<'s>(&mut self, options: &[&'s str]) -> &'s str {
        options[self.rng.random_range(0..options.len())]
    }

    /// One word (lowercase ASCII) of a name whose Arabic spelling is `arabic`.
    fn word(&mut self, word: &str, arabic: &str, female: bool, given: bool) -> String {
        let r = self.roman;
        let mut w = word.to_owned();
        if given && w == "mohammad" && self.p(r.mohd) {
            return self.pick(&["mohd", "md", "mohd."]).to_owned();
        }
        if w.ends_with("ullah") && w.len() > 5 && self.p(r.ullah) {
            let stem = w[..w.len() - 5].to_owned();
            let ending = self.pick(&["ulla", "allah", "ollah", " ullah", "-ullah", "ullah"]);
            w = format!("{stem}{ending}");
        }
        if w.ends_with("uddin") && w.len() > 5 && self.p(r.uddin) {
            let stem = w[..w.len() - 5].to_owned();
            let ending = self.pick(&[
                " ud-din", "-ud-din", "uddeen", " uddin", "oddin", "eddin", "-uddin", "udin",
            ]);
            w = format!("{stem}{ending}");
        }
        if self.p(r.o_u) {
            if let Some(i) = single_vowel(&w, b'o') {
                w.replace_range(i..=i, "u");
            } else if let Some(i) = single_vowel(&w, b'u')
                && !w[i..].starts_with("ullah")
                && !w[i..].starts_with("uddin")
            {
                w.replace_range(i..=i, "o");
            }
        }
        if self.p(r.initial_e_i) && w.len() > 3 {
            let b = w.as_bytes();
            if b[0] == b'i' && !is_vowel(b[1]) {
                w.replace_range(0..1, "e");
            } else if b[0] == b'e' && !is_vowel(b[1]) {
                w.replace_range(0..1, "i");
            }
        }
        if self.p(r.e_i)
            && let Some((start, end)) = last_syllable_vowel(&w)
            && end - start == 1
            && start > 0
        {
            match w.as_bytes()[start] {
                b'e' => w.replace_range(start..end, "i"),
                b'i' => w.replace_range(start..end, "e"),
                _ => {}
            }
        }
        if self.p(r.ad_ed)
            && let Some(i) = w.rfind("mad")
        {
            w.replace_range(i + 1..i + 2, "e");
        }
        if self.p(r.long_vowels) {
            if w.contains("ee") {
                w = w.replacen("ee", "i", 1);
            } else if w.contains("oo") {
                w = w.replacen("oo", "u", 1);
            } else if let Some((start, end)) = last_syllable_vowel(&w)
                && end - start == 1
                && start > 0
            {
                match w.as_bytes()[start] {
                    b'i' => w.replace_range(start..end, "ee"),
                    b'u' => w.replace_range(start..end, "oo"),
                    _ => {}
                }
            }
        }
        if self.p(r.ou) {
            if w.contains("oo") {
                w = w.replacen("oo", "ou", 1);
            } else if let Some(i) = single_vowel(&w, b'u') {
                w.replace_range(i..=i, "ou");
            }
        }
        if self.p(r.doubling) {
            let b = w.as_bytes();
            let double = (1..b.len()).find(|&i| b[i] == b[i - 1] && !is_vowel(b[i]));
            if let Some(i) = double {
                w.remove(i);
            } else if let Some(i) = (1..b.len().saturating_sub(1)).find(|&i| {
                matches!(b[i], b's' | b'm' | b'y' | b'l' | b'b' | b'r')
                    && is_vowel(b[i - 1])
                    && is_vowel(b[i + 1])
            }) {
                let c = char::from(b[i]);
                w.insert(i, c);
            }
        }
        if w.contains('q') {
            if self.p(r.q_gh) {
                w = w.replace('q', "gh");
            } else if self.p(r.q_k) {
                w = w.replace('q', "k");
            }
        }
        if w.contains("gh") && self.p(r.gh_g) {
            w = w.replacen("gh", "g", 1);
        }
        if w.contains("kh") && self.p(r.kh_x) {
            w = w.replace("kh", "x");
        }
        if self.p(r.w_v) {
            if w.contains('w') {
                w = w.replace('w', "v");
            } else if w.contains('v') {
                w = w.replace('v', "w");
            }
        }
        if w.contains('z') && arabic.contains(['ذ', 'ض', 'ظ']) && self.p(r.z_dh) {
            w = w.replacen('z', "dh", 1);
        }
        if w.contains("zh") && self.p(r.zh_j) {
            w = w.replace("zh", "j");
        }
        if w.contains("ai") && self.p(r.ai_ei) {
            let to = self.pick(&["ei", "ay", "ey"]);
            w = w.replacen("ai", to, 1);
        }
        if female && self.p(r.final_h) {
            if w.ends_with("ia") {
                let to = self.pick(&["iya", "ieh", "iyah"]);
                w = format!("{}{to}", &w[..w.len() - 2]);
            } else if w.ends_with('a') {
                let to = self.pick(&["ah", "eh"]);
                w = format!("{}{to}", &w[..w.len() - 1]);
            }
        }
        if self.p(r.french) {
            w = w.replace("sh", "ch").replace('j', "dj");
        }
        if self.p(r.german) {
            w = w
                .replace("sh", "sch")
                .replace('j', "dsch")
                .replace("kh", "ch")
                .replace('y', "j");
        }
        w
    }

    /// A whole name (one or more stock names' Latin forms joined by spaces).
    fn name(&mut self, parts: &[(&str, &str)], female: bool, given: bool) -> String {
        let r = self.roman;
        let mut words: Vec<String> = Vec::new();
        for (latin, arabic) in parts {
            let lower = latin.to_lowercase();
            if let Some(tail) = lower.strip_prefix("abdul ")
                && self.p(r.abdul)
            {
                let first = tail.as_bytes().first().copied().unwrap_or(b'a');
                let sun = matches!(first, b't' | b'd' | b'r' | b'z' | b's' | b'n');
                let choice = self.rng.random_range(0..5);
                let prefix = match choice {
                    0 => "abdul".to_owned(),
                    1 => "abd al-".to_owned(),
                    2 if sun => {
                        let letter = if tail.starts_with("sh") {
                            "sh".to_owned()
                        } else {
                            char::from(first).to_string()
                        };
                        format!("abdu{letter} ")
                    }
                    3 => "abdol".to_owned(),
                    _ => "abdul-".to_owned(),
                };
                let tail_word = self.word(tail, arabic, female, given);
                words.push(format!("{prefix}{tail_word}"));
                continue;
            }
            for piece in lower.split(' ') {
                let w = self.word(piece, arabic, female, given);
                words.push(w);
            }
        }
        let joined = if words.len() > 1 && self.p(r.fuse) {
            words.join(if self.p(0.5) { "" } else { "-" })
        } else {
            words.join(" ")
        };
        title_case(&joined)
    }
}

/// The index of the first lone `v` vowel (not doubled, not in "ou"/"ai"-like pairs).
fn single_vowel(word: &str, v: u8) -> Option<usize> {
    let b = word.as_bytes();
    (0..b.len()).find(|&i| {
        b[i] == v && (i == 0 || !is_vowel(b[i - 1])) && (i + 1 == b.len() || !is_vowel(b[i + 1]))
    })
}

fn title_case(text: &str) -> String {
    const PARTICLES: [&str; 4] = ["al", "ud", "ul", "ad"];
    let mut out = String::with_capacity(text.len());
    for (i, word) in text.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        for (j, segment) in word.split('-').enumerate() {
            if j > 0 {
                out.push('-');
            }
            let lower_particle = j == 0 && PARTICLES.contains(&segment) && word.contains('-');
            let mut chars = segment.chars();
            match chars.next() {
                Some(c) if !lower_particle => {
                    out.extend(c.to_uppercase());
                    out.push_str(chars.as_str());
                }
                Some(c) => {
                    out.push(c);
                    out.push_str(chars.as_str());
                }
                None => {}
            }
        }
    }
    out
}

const KEYBOARD: [&str; 3] = ["qwertyuiop", "asdfghjkl", "zxcvbnm"];

/// One typing slip in a Latin name: a neighbouring key, a dropped, doubled or swapped letter.
fn latin_typo(rng: &mut ChaCha8Rng, text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let letters: Vec<usize> = (0..chars.len())
        .filter(|&i| chars[i].is_ascii_alphabetic())
        .collect();
    if letters.len() < 3 {
        return text.to_owned();
    }
    let i = letters[rng.random_range(1..letters.len())];
    let mut out = chars.clone();
    match rng.random_range(0..4) {
        0 => {
            let lower = chars[i].to_ascii_lowercase();
            let neighbour = KEYBOARD.iter().find_map(|row| {
                let b = row.as_bytes();
                let at = row.find(lower)?;
                let options: Vec<u8> = [at.checked_sub(1), Some(at + 1)]
                    .into_iter()
                    .flatten()
                    .filter_map(|j| b.get(j).copied())
                    .collect();
                options
                    .get(rng.random_range(0..options.len().max(1)))
                    .copied()
            });
            if let Some(n) = neighbour {
                let n = char::from(n);
                out[i] = if chars[i].is_uppercase() {
                    n.to_ascii_uppercase()
                } else {
                    n
                };
            }
        }
        1 => {
            out.remove(i);
        }
        2 => out.insert(i, chars[i]),
        _ => {
            if i + 1 < out.len() && out[i + 1].is_ascii_alphabetic() {
                out.swap(i, i + 1);
            }
        }
    }
    out.into_iter().collect()
}

// ---------------------------------------------------------------------------------------------
// Rendering.

struct Renderer<'a> {
    rng: ChaCha8Rng,
    noise: f64,
    stock: &'a NameStock,
    persons: &'a [Person],
}

impl Renderer<'_> {
    fn chance(&mut self, p: f64) -> bool {
        p > 0.0 && self.rng.random::<f64>() < p
    }
    fn noisy(&mut self, p: f64) -> bool {
        let p = p * self.noise;
        self.chance(p)
    }

    fn parts(&self, given: &[u16], male: bool) -> Vec<StockName> {
        let names = if male {
            &self.stock.male
        } else {
            &self.stock.female
        };
        given
            .iter()
            .filter_map(|&i| names.get(usize::from(i)).copied())
            .collect()
    }

    fn latin(
        &mut self,
        style: &ListStyle,
        parts: &[StockName],
        female: bool,
        given: bool,
    ) -> String {
        let pairs: Vec<(&str, &str)> = parts.iter().map(|n| (n.latin, n.dari)).collect();
        let mut romaniser = Romaniser {
            rng: &mut self.rng,
            roman: style.roman,
        };
        let mut text = romaniser.name(&pairs, female, given);
        if self.noisy(style.typo) {
            text = latin_typo(&mut self.rng, &text);
        }
        if style.upper {
            text = text.to_uppercase();
        }
        text
    }

    fn arabic(&mut self, style: &ListStyle, parts: &[StockName]) -> String {
        let (pashto, keyboard) = match style.script {
            Script::Arabic {
                pashto,
                arabic_keyboard,
            } => (pashto, arabic_keyboard),
            _ => (false, 0.05),
        };
        let words: Vec<&str> = parts
            .iter()
            .map(|n| {
                if pashto {
                    n.pashto.unwrap_or(n.dari)
                } else {
                    n.dari
                }
            })
            .collect();
        let mut text = if words.len() > 1 && self.chance(0.25) {
            words.concat()
        } else {
            words.join(" ")
        };
        if text.contains('\u{200c}') {
            let to = match self.rng.random_range(0..4) {
                0 => "",
                1 => " ",
                _ => "\u{200c}",
            };
            text = text.replace('\u{200c}', to);
        }
        if text.starts_with("عبدال") && self.chance(0.2) {
            text = text.replacen("عبدال", "عبد ال", 1);
        }
        if text.contains('ء') && self.chance(0.4) {
            text = text.replace('ء', "");
        }
        if text.contains('آ') && self.chance(0.2) {
            text = text.replace('آ', "ا");
        }
        if self.chance(keyboard) {
            text = text.replace('ی', "ي").replace('ک', "ك");
        }
        if self.noisy(style.typo * 0.5) {
            let chars: Vec<char> = text.chars().collect();
            if chars.len() > 3 {
                let i = self.rng.random_range(1..chars.len());
                if chars[i] != ' ' {
                    text = chars
                        .iter()
                        .enumerate()
                        .filter(|(j, _)| *j != i)
                        .map(|(_, c)| c)
                        .collect();
                }
            }
        }
        text
    }

    /// A name in the list's script: `arabic` decides for mixed lists.
    fn name(
        &mut self,
        style: &ListStyle,
        arabic: bool,
        parts: &[StockName],
        female: bool,
        given: bool,
    ) -> String {
        if parts.is_empty() {
            return String::new();
        }
        if arabic {
            self.arabic(style, parts)
        } else {
            self.latin(style, parts, female, given)
        }
    }

    fn date(&mut self, style: &ListStyle, person: &Person) -> String {
        let mut form = weighted(&mut self.rng, style.dates);
        let full = matches!(
            form,
            D::Iso
                | D::DayMonthYear
                | D::Dotted
                | D::MonthName
                | D::SolarHijri
                | D::SolarHijriPersian
                | D::SolarHijriMonthName
        );
        let solar = matches!(
            form,
            D::SolarHijri
                | D::SolarHijriPersian
                | D::SolarHijriMonthName
                | D::YearSolarHijri
                | D::YearSolarHijriPersian
                | D::AgeSolarHijri
        );
        let persian = matches!(form, D::SolarHijriPersian | D::YearSolarHijriPersian);
        // What the person can tell: the day, or the year on their documents.
        let (sh_year, greg_year) = if person.knows_date {
            (person.birth.to_solar_hijri().0, person.birth.year())
        } else {
            let straddle = if self.chance(0.7) { 621 } else { 622 };
            (person.stated_sh_year, person.stated_sh_year + straddle)
        };
        if full && !person.knows_date {
            // A placeholder (1 January, 1 Hamal) or the year alone.
            if self.chance(0.5) {
                let text = match form {
                    D::Iso => format!("{greg_year}-01-01"),
                    D::DayMonthYear => format!("01/01/{greg_year}"),
                    D::Dotted => format!("01.01.{greg_year}"),
                    D::MonthName => format!("1 Jan {greg_year}"),
                    D::SolarHijriMonthName => format!("1 Hamal {sh_year}"),
                    _ => format!("{sh_year}/01/01"),
                };
                return if persian { persian_digits(&text) } else { text };
            }
            form = if solar { D::YearSolarHijri } else { D::Year };
        }
        let text = match form {
            D::Missing => String::new(),
            D::Year => greg_year.to_string(),
            D::YearSolarHijri | D::YearSolarHijriPersian => sh_year.to_string(),
            D::Age | D::AgeSolarHijri => {
                let age = person.birth.age_on(reference_day())
                    + weighted(&mut self.rng, &[(0, 0.8), (-1, 0.1), (1, 0.1)]);
                if form == D::Age {
                    (REFERENCE_YEAR - age).to_string()
                } else {
                    (1400 - age).to_string()
                }
            }
            _ => {
                let mut day = person.birth;
                let (sy, sm, sd) = day.to_solar_hijri();
                let (mut a, mut b) = (day.day(), day.month());
                if !solar && a <= 12 && a != b && self.noisy(0.02) {
                    // Day and month swapped.
                    std::mem::swap(&mut a, &mut b);
                }
                if !solar && self.noisy(0.01) {
                    // A slip of one in the year.
                    let shifted = GregorianDate::new(
                        day.year() + if self.chance(0.5) { 1 } else { -1 },
                        b,
                        a,
                    );
                    if let Ok(d) = shifted {
                        day = d;
                    }
                }
                let (y, m, d) = (day.year(), b, a);
                match form {
                    D::Iso => format!("{y:04}-{m:02}-{d:02}"),
                    D::DayMonthYear => format!("{d:02}/{m:02}/{y:04}"),
                    D::Dotted => format!("{d:02}.{m:02}.{y:04}"),
                    D::MonthName => format!("{d} {} {y}", MONTHS[usize::from(m) - 1]),
                    D::SolarHijriMonthName => {
                        format!("{sd} {} {sy}", SH_MONTHS[usize::from(sm) - 1])
                    }
                    _ => {
                        let (sy, sm, sd) = if self.noisy(0.01) {
                            // A day slip that still exists.
                            let sd2 = if sd > 1 { sd - 1 } else { sd + 1 };
                            if solar_hijri_to_gregorian(sy, sm, sd2).is_ok() {
                                (sy, sm, sd2)
                            } else {
                                (sy, sm, sd)
                            }
                        } else {
                            (sy, sm, sd)
                        };
                        format!("{sy:04}/{sm:02}/{sd:02}")
                    }
                }
            }
        };
        let text = if persian { persian_digits(&text) } else { text };
        // A written date must read back; a slip that made it unreadable is not kept.
        if !text.is_empty() && PartialDate::parse(&text, None).is_err() {
            return person.birth.year().to_string();
        }
        text
    }

    fn tazkira(&mut self, style: &ListStyle, number: &str, arabic: bool) -> String {
        let mut text = number.to_owned();
        if text.contains('-') && self.chance(0.4) {
            text = text.replace('-', if self.chance(0.5) { "" } else { " " });
        }
        if self.noisy(0.03) {
            let digits: Vec<usize> = text
                .char_indices()
                .filter(|(_, c)| c.is_ascii_digit())
                .map(|(i, _)| i)
                .collect();
            if let Some(&i) = digits.get(self.rng.random_range(0..digits.len().max(1))) {
                let d = char::from(b'0' + self.rng.random_range(0..10u8));
                text.replace_range(i..=i, &d.to_string());
            }
        }
        let _ = style;
        if arabic && self.chance(0.7) {
            persian_digits(&text)
        } else {
            text
        }
    }

    fn phone(&mut self, digits: &str, arabic: bool) -> String {
        let text = match self.rng.random_range(0..5) {
            0 => format!("+93 {} {} {}", &digits[..2], &digits[2..5], &digits[5..]),
            1 => format!("0{digits}"),
            2 => format!("0093{digits}"),
            3 => format!("+93{digits}"),
            _ => format!("0{} {} {}", &digits[..2], &digits[2..5], &digits[5..]),
        };
        if arabic && self.chance(0.6) {
            persian_digits(&text)
        } else {
            text
        }
    }

    fn relation(&mut self, style: &ListStyle, rel: Rel, child_number: usize) -> String {
        let vocabulary = match style.vocabulary {
            Vocabulary::Mixed => {
                if self.chance(0.5) {
                    Vocabulary::Dari
                } else {
                    Vocabulary::English
                }
            }
            v => v,
        };
        let word = |words: [&str; 7]| {
            words[match rel {
                Rel::Principal => 0,
                Rel::Wife => 1,
                Rel::Husband => 2,
                Rel::Son => 3,
                Rel::Daughter => 4,
                Rel::Father => 5,
                Rel::Mother => 6,
            }]
            .to_owned()
        };
        match vocabulary {
            Vocabulary::English | Vocabulary::Mixed => word([
                "principal",
                "wife",
                "husband",
                "son",
                "daughter",
                "father",
                "mother",
            ]),
            Vocabulary::Numbered => match rel {
                Rel::Son | Rel::Daughter => format!("child {child_number}"),
                _ => word(["head", "spouse", "spouse", "", "", "parent", "parent"]),
            },
            Vocabulary::Generic => word([
                "self", "spouse", "spouse", "child", "child", "parent", "parent",
            ]),
            Vocabulary::French => word([
                "titulaire",
                "épouse",
                "époux",
                "fils",
                "fille",
                "père",
                "mère",
            ]),
            Vocabulary::German => word([
                "Antragsteller",
                "Ehefrau",
                "Ehemann",
                "Sohn",
                "Tochter",
                "Vater",
                "Mutter",
            ]),
            Vocabulary::Dari => word(["سرپرست", "همسر", "شوهر", "پسر", "دختر", "پدر", "مادر"]),
            Vocabulary::Pashto => word(["سرپرست", "ښځه", "میړه", "زوی", "لور", "پلار", "مور"]),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn record(
        &mut self,
        style: &ListStyle,
        person_index: usize,
        rel: Rel,
        child_number: usize,
        principal: usize,
        record_id: String,
        case_id: &str,
        list: usize,
    ) -> ListRecord {
        let person = &self.persons[person_index];
        let female = !person.male;
        let arabic_record = match style.script {
            Script::Latin => false,
            Script::Arabic { .. } => true,
            Script::Mixed(p) => self.chance(p),
        };
        // Mixed lists switch script field by field now and then.
        let field_arabic = |r: &mut Self| match style.script {
            Script::Mixed(_) => {
                if r.chance(0.1) {
                    !arabic_record
                } else {
                    arabic_record
                }
            }
            _ => arabic_record,
        };
        let given_parts = self.parts(&person.given, person.male);
        let family_parts: Vec<StockName> = person
            .family
            .and_then(|f| self.stock.family.get(usize::from(f)).copied())
            .into_iter()
            .collect();
        let father_parts = person
            .father
            .as_ref()
            .map(|f| self.parts(f, true))
            .unwrap_or_default();
        let grandfather_parts = person
            .grandfather
            .as_ref()
            .map(|f| self.parts(f, true))
            .unwrap_or_default();
        let mut record = ListRecord {
            record_id,
            entity_id: format!("P{person_index:07}"),
            list,
            clan: person.clan,
            sibling_group: person.sibling_group,
            case_id: case_id.to_owned(),
            ..ListRecord::default()
        };
        let a = field_arabic(self);
        let given = self.name(style, a, &given_parts, female, true);
        let a = field_arabic(self);
        let mut family = self.name(style, a, &family_parts, false, false);
        let father_arabic = field_arabic(self);
        let father = self.name(style, father_arabic, &father_parts, false, true);
        if family.is_empty()
            && !father.is_empty()
            && matches!(style.layout, Layout::Split { .. })
            && self.chance(style.father_as_family)
        {
            family = father.clone();
        }
        let so = |r: &mut Self, father: &str, arabic: bool| -> String {
            if father.is_empty() {
                return String::new();
            }
            if arabic {
                return format!("{} {father}", if female { "بنت" } else { "ولد" });
            }
            let tag = match (female, r.rng.random_range(0..3)) {
                (false, 0) => "S/O",
                (false, 1) => "s/o",
                (false, _) => "son of",
                (true, 0) => "D/O",
                (true, 1) => "d/o",
                (true, _) => "daughter of",
            };
            format!("{tag} {father}")
        };
        match style.layout {
            Layout::Split { grandfather } => {
                let (mut g, mut f) = (given, family);
                if !f.is_empty() && self.noisy(style.swap) {
                    std::mem::swap(&mut g, &mut f);
                }
                record.given_name = g;
                record.family_name = f;
                if self.chance(style.father) && !self.noisy(0.05) {
                    record.father_name = if self.chance(style.father_so) {
                        so(self, &father, father_arabic)
                    } else {
                        father
                    };
                }
                if grandfather && self.chance(0.8) {
                    let a = field_arabic(self);
                    record.grandfather_name = self.name(style, a, &grandfather_parts, false, true);
                }
            }
            Layout::FullGivenFirst => {
                record.full_name = [given, family]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ");
            }
            Layout::FullFamilyFirst => {
                let family = family.to_uppercase();
                let flip = self.noisy(0.05);
                let mut parts = vec![family, given];
                if flip {
                    parts.reverse();
                }
                record.full_name = parts
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ");
            }
            Layout::FullWithFather => {
                let father = if self.chance(0.8) {
                    so(self, &father, father_arabic)
                } else {
                    String::new()
                };
                record.full_name = [given, father, family]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ");
            }
        }
        if let Some((m, f)) = style.sex_words
            && !self.noisy(style.sex_missing)
        {
            record.sex = if female { f } else { m }.to_owned();
        }
        record.dob = self.date(style, person);
        let arabic_digits = matches!(style.script, Script::Arabic { .. }) || arabic_record;
        let tazkira = match &person.tazkira {
            Some(t) if self.chance(style.tazkira) => self.tazkira(style, t, arabic_digits),
            _ => String::new(),
        };
        let passport = match &person.passport {
            Some(p) if self.chance(style.passport) => p.clone(),
            _ => String::new(),
        };
        if style.one_document_column {
            record.document = if passport.is_empty() {
                tazkira
            } else {
                passport
            };
        } else {
            record.tazkira = tazkira;
            record.passport = passport;
        }
        let phone_owner = match style.phone {
            PhonePolicy::PrincipalOnEveryone => Some(principal),
            PhonePolicy::PrincipalOnly if rel == Rel::Principal => Some(principal),
            PhonePolicy::PrincipalOnly => None,
            PhonePolicy::Own => Some(person_index),
        };
        if let Some(owner) = phone_owner
            && !self.noisy(style.phone_missing)
        {
            let phones = &self.persons[owner].phones;
            if !phones.is_empty() {
                let digits = phones[self.rng.random_range(0..phones.len())].clone();
                record.phone = self.phone(&digits, arabic_digits);
            }
        }
        if self.chance(style.place) {
            let (latin, dari) = PROVINCES[person.province];
            record.place_of_birth = if arabic_record {
                dari.to_owned()
            } else {
                let mut romaniser = Romaniser {
                    rng: &mut self.rng,
                    roman: Roman {
                        fuse: 0.0,
                        ..style.roman
                    },
                };
                let text = romaniser.name(&[(latin, dari)], false, false);
                if style.upper {
                    text.to_uppercase()
                } else {
                    text
                }
            };
        }
        if !self.noisy(0.02) {
            record.relation = self.relation(style, rel, child_number);
        }
        record
    }
}

/// Generates the lists. Deterministic for a given configuration.
pub fn generate(config: &ListsConfig) -> Lists {
    let stock = NameStock::load();
    let mut generator = Generator {
        config,
        rng: ChaCha8Rng::seed_from_u64(config.seed),
        male_zipf: Zipf::new(stock.male.len(), config.given_zipf),
        female_zipf: Zipf::new(stock.female.len(), config.given_zipf),
        family_zipf: Zipf::new(stock.family.len(), config.family_zipf),
        stock,
        persons: Vec::with_capacity(config.persons),
        households: Vec::new(),
        clans: 0,
        group: 0,
    };
    while !generator.full() {
        generator.clan();
    }
    let styles = list_styles();
    let cases = generator.registrations(&styles);
    let mut by_list: Vec<Vec<&Case>> = vec![Vec::new(); styles.len()];
    for case in &cases {
        by_list[case.list].push(case);
    }
    let mut renderer = Renderer {
        rng: ChaCha8Rng::seed_from_u64(config.seed ^ 0x6b61_6275_6c21),
        noise: config.noise,
        stock: &generator.stock,
        persons: &generator.persons,
    };
    let mut records = Vec::new();
    for (list, list_cases) in by_list.iter_mut().enumerate() {
        // Shuffled, so that ids say nothing about households.
        for i in (1..list_cases.len()).rev() {
            let j = renderer.rng.random_range(0..=i);
            list_cases.swap(i, j);
        }
        let style = &styles[list];
        let mut row = 0usize;
        for (c, case) in list_cases.iter().enumerate() {
            let case_id = format!("{}-C{:06}", style.code, c + 1);
            let principal = case.members.first().map_or(0, |m| m.0);
            let mut child_number = 0;
            for &(person, rel) in &case.members {
                if matches!(rel, Rel::Son | Rel::Daughter) {
                    child_number += 1;
                }
                row += 1;
                let record_id = format!("{}-{:07}", style.code, row);
                records.push(renderer.record(
                    style,
                    person,
                    rel,
                    child_number,
                    principal,
                    record_id,
                    &case_id,
                    list,
                ));
            }
        }
    }
    Lists {
        records,
        persons: generator.persons.len(),
        households: generator.households.len(),
        cases: cases.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{HashMap, HashSet};

    #[test]
    fn name_stock_is_large_enough() {
        let stock = NameStock::load();
        assert!(stock.male.len() >= 250, "{}", stock.male.len());
        assert!(stock.female.len() >= 150, "{}", stock.female.len());
        assert!(stock.family.len() >= 150, "{}", stock.family.len());
        for name in stock.male.iter().chain(&stock.female).chain(&stock.family) {
            assert!(!name.latin.is_empty() && name.latin.is_ascii(), "{name:?}");
            assert!(
                name.dari
                    .chars()
                    .any(|c| ('\u{0600}'..='\u{06ff}').contains(&c))
            );
        }
        assert_eq!(stock.male[0].latin, "Mohammad");
    }

    #[test]
    fn same_seed_same_lists() {
        let a = generate(&ListsConfig::new(800, 5));
        let b = generate(&ListsConfig::new(800, 5));
        assert_eq!(a.records, b.records);
        let c = generate(&ListsConfig::new(800, 6));
        assert_ne!(a.records, c.records);
    }

    #[test]
    fn truth_partitions_the_records_and_covers_everyone() {
        for persons in [1, 7, 500, 3_000] {
            let lists = generate(&ListsConfig::new(persons, 11));
            assert_eq!(lists.persons, persons);
            let ids: HashSet<&str> = lists.records.iter().map(|r| r.record_id.as_str()).collect();
            assert_eq!(ids.len(), lists.records.len(), "record ids are unique");
            let entities: HashSet<&str> =
                lists.records.iter().map(|r| r.entity_id.as_str()).collect();
            assert_eq!(
                entities.len(),
                persons,
                "every person appears at least once"
            );
            assert!(lists.records.len() >= persons);
        }
    }

    #[test]
    fn many_people_are_on_several_lists_and_cases_hold_each_person_once() {
        let lists = generate(&ListsConfig::new(5_000, 1));
        let mut per_entity: HashMap<&str, usize> = HashMap::new();
        let mut per_case: HashMap<&str, HashSet<&str>> = HashMap::new();
        for r in &lists.records {
            *per_entity.entry(&r.entity_id).or_default() += 1;
            assert!(
                per_case.entry(&r.case_id).or_default().insert(&r.entity_id),
                "{} twice in case {}",
                r.entity_id,
                r.case_id
            );
        }
        let repeated = per_entity.values().filter(|n| **n >= 2).count();
        let share = repeated as f64 / per_entity.len() as f64;
        assert!((0.3..0.8).contains(&share), "{share}");
        // Some records in Arabic script, some Solar Hijri dates in Persian digits.
        assert!(lists.records.iter().any(|r| r.given_name.contains('ا')));
        assert!(lists.records.iter().any(|r| r.dob.contains('۱')));
        assert!(lists.records.iter().any(|r| r.full_name.contains("S/O")));
    }

    #[test]
    fn siblings_and_namesakes_exist() {
        let lists = generate(&ListsConfig::new(5_000, 2));
        // Different people with the same Latin given and family name on one list style.
        let mut by_name: HashMap<(String, String), HashSet<&str>> = HashMap::new();
        for r in lists.records.iter().filter(|r| r.list == 0) {
            if !r.family_name.is_empty() {
                by_name
                    .entry((r.given_name.clone(), r.family_name.clone()))
                    .or_default()
                    .insert(&r.entity_id);
            }
        }
        assert!(by_name.values().filter(|e| e.len() >= 2).count() >= 20);
        // Sibling groups of two or more people, inside clans of several households.
        let mut groups: HashMap<u64, HashSet<&str>> = HashMap::new();
        let mut clans: HashMap<u32, HashSet<u64>> = HashMap::new();
        for r in &lists.records {
            groups
                .entry(r.sibling_group)
                .or_default()
                .insert(&r.entity_id);
            clans.entry(r.clan).or_default().insert(r.sibling_group);
        }
        assert!(groups.values().filter(|g| g.len() >= 3).count() >= 300);
        assert!(clans.values().filter(|c| c.len() >= 6).count() >= 100);
    }

    #[test]
    fn romaniser_variants() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let everything = Roman {
            o_u: 1.0,
            ad_ed: 1.0,
            e_i: 1.0,
            ..Roman::default()
        };
        let mut r = Romaniser {
            rng: &mut rng,
            roman: everything,
        };
        assert_eq!(r.name(&[("Mohammad", "محمد")], false, true), "Muhammed");
        assert_eq!(r.name(&[("Hashem", "هاشم")], false, true), "Hashim");
        let mut r = Romaniser {
            rng: &mut rng,
            roman: Roman {
                w_v: 1.0,
                ..Roman::default()
            },
        };
        assert_eq!(r.name(&[("Jawad", "جواد")], false, true), "Javad");
        assert_eq!(title_case("abd al-rahman"), "Abd al-Rahman");
        assert_eq!(title_case("nizam ud-din"), "Nizam ud-Din");
        assert_eq!(persian_digits("1365/05/12"), "۱۳۶۵/۰۵/۱۲");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]
        #[test]
        fn dates_parse_back(seed in 0u64..1_000_000) {
            let lists = generate(&ListsConfig::new(300, seed));
            for r in &lists.records {
                if !r.dob.is_empty() {
                    proptest::prop_assert!(
                        PartialDate::parse(&r.dob, None).is_ok(),
                        "{:?} does not parse", r.dob
                    );
                }
            }
        }
    }
}
