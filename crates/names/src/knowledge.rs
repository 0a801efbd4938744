//! Built-in name knowledge: the data files under `data/`, parsed once per process.
//!
//! The knowledge is data, not code: variant classes, titles, particles, tribal names and the
//! Arabic-script dictionaries live in TSV files with their sources in a header comment. They are
//! compiled in with `include_str!` and parsed on first use into a shared [`Knowledge`].

use std::collections::HashMap as StdHashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, OnceLock};

use crate::script::fold_arabic;

const VARIANTS: &str = include_str!("../data/variants.tsv");
const KOREAN_SYLLABLES: &str = include_str!("../data/korean_syllables.tsv");
const WADE_GILES: &str = include_str!("../data/wade_giles.tsv");
const NICKNAMES: &str = include_str!("../data/nicknames.tsv");
const TITLES: &str = include_str!("../data/titles.tsv");
const PARTICLES: &str = include_str!("../data/particles.tsv");
const COMPOUNDS: &str = include_str!("../data/compounds.tsv");
const TRIBAL: &str = include_str!("../data/tribal.tsv");
const ARABIC_NAMES: &str = include_str!("../data/arabic_names.tsv");
const ARABIC_DICTIONARY: &str = include_str!("../data/arabic_dictionary.tsv");
pub(crate) const FREQUENCIES: &str = include_str!("../data/frequencies.tsv");
pub(crate) const FREQUENCIES_CURATED: &str = include_str!("../data/frequencies_curated.tsv");

/// A digest of every built-in data file: it changes whenever any table does, so callers that
/// store what the engine derives (the registry's name-index keys) know when to derive it again.
pub fn data_digest() -> u64 {
    let mut hasher = Fnv::default();
    for file in [
        VARIANTS,
        KOREAN_SYLLABLES,
        WADE_GILES,
        NICKNAMES,
        TITLES,
        PARTICLES,
        COMPOUNDS,
        TRIBAL,
        ARABIC_NAMES,
        ARABIC_DICTIONARY,
        FREQUENCIES,
        FREQUENCIES_CURATED,
    ] {
        hasher.write(file.as_bytes());
        hasher.write_u8(0);
    }
    hasher.finish()
}

/// Chinese syllables in the two romanisations lists use: Wade-Giles as written without its
/// apostrophes and umlauts, each with the Pinyin syllables it stands for as written and with
/// the apostrophe of aspiration after its initial, and Pinyin's own.
#[derive(Debug, Default)]
pub struct ChineseSyllables {
    wade_giles: HashMap<String, [Box<[String]>; 2]>,
    pinyin: std::collections::HashSet<String>,
}

/// The longest syllable of either system (chuang, hsiung).
const LONGEST_SYLLABLE: usize = 6;

impl ChineseSyllables {
    fn load(table: &str) -> ChineseSyllables {
        let mut syllables = ChineseSyllables::default();
        for fields in data_lines(table) {
            let column = |index: usize| -> Box<[String]> {
                fields
                    .get(index)
                    .map_or("", |list| list)
                    .split_whitespace()
                    .filter(|read| *read != "-")
                    .map(str::to_string)
                    .collect()
            };
            let read = [column(1), column(2)];
            syllables
                .pinyin
                .extend(read.iter().flat_map(|column| column.iter().cloned()));
            syllables.wade_giles.insert(fields[0].to_string(), read);
        }
        syllables
    }

    /// The Pinyin syllables a Wade-Giles syllable stands for, `aspirated` when an apostrophe
    /// followed its initial (ch'in: qin; chin: jin); `None` for no such syllable.
    /// `None` for aspiration unknown (a name written without apostrophes): both.
    pub fn pinyin_of(&self, syllable: &str, aspirated: Option<bool>) -> Option<Vec<&str>> {
        let [plain, marked] = self.wade_giles.get(syllable)?;
        let column = match (aspirated, plain.is_empty(), marked.is_empty()) {
            (None, _, _) => {
                return Some(
                    plain
                        .iter()
                        .chain(marked.iter())
                        .map(String::as_str)
                        .collect(),
                );
            }
            (Some(true), _, false) | (Some(false), true, _) => marked,
            _ => plain,
        };
        Some(column.iter().map(String::as_str).collect())
    }

    /// `word` (lower-case ASCII) cut into the fewest Wade-Giles syllables, or `None`.
    pub fn wade_giles_syllables<'w>(&self, word: &'w str) -> Option<Vec<&'w str>> {
        // Most words are no Wade-Giles at a glance: its syllables end in a vowel, n, ng or h,
        // and it writes no b, d, q, v or x, nor r but in erh.
        let bytes = word.as_bytes();
        let glance = bytes.last().is_some_and(|last| b"aeiounhg".contains(last))
            && !bytes.iter().any(|b| b"bdqvx".contains(b))
            && (!bytes.contains(&b'r') || word.contains("erh"));
        if !glance {
            return None;
        }
        segment(word, |piece| self.wade_giles.contains_key(piece))
    }

    /// True when `word` (lower-case ASCII) is Pinyin: one syllable or several run together.
    pub fn is_pinyin(&self, word: &str) -> bool {
        segment(word, |piece| self.pinyin.contains(piece)).is_some()
    }
}

/// `word` cut into the fewest pieces that `known` accepts, each at most
/// [`LONGEST_SYLLABLE`] bytes; `None` when it cannot be cut so (or is not ASCII).
fn segment(word: &str, known: impl Fn(&str) -> bool) -> Option<Vec<&str>> {
    if word.is_empty() || !word.is_ascii() {
        return None;
    }
    // best[i]: fewest pieces for word[..i], and where the last piece starts.
    let mut best: Vec<Option<(usize, usize)>> = vec![None; word.len() + 1];
    best[0] = Some((0, 0));
    for end in 1..=word.len() {
        for start in end.saturating_sub(LONGEST_SYLLABLE)..end {
            if let Some((count, _)) = best[start]
                && known(&word[start..end])
                && best[end].is_none_or(|(fewest, _)| count + 1 < fewest)
            {
                best[end] = Some((count + 1, start));
            }
        }
    }
    let mut pieces = Vec::new();
    let mut end = word.len();
    while end > 0 {
        let (_, start) = best[end]?;
        pieces.push(&word[start..end]);
        end = start;
    }
    pieces.reverse();
    Some(pieces)
}

/// How a particle changes the reading of the words around it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParticleKind {
    /// al-, el-, ul-, ud-: joined to the next word or dropped.
    Article,
    /// bin, ibn, s/o, walad: what follows is the father's name.
    Patronymic,
    /// de, van, von: dropped.
    Connector,
    /// abu, umm: kept as a weak token.
    Kunya,
    /// r/o (resident of), c/o (care of): what follows is an address or another person.
    Address,
    /// wife, daughter, DOB: a word about the name (the person's place in the family case, a
    /// label), shown and never compared.
    Note,
}

/// FNV-1a: the knowledge maps are looked up several times per token while parsing, with short
/// keys, where SipHash costs more than the lookup. The maps are fixed data, so a weak hash
/// cannot be used to degrade them.
#[derive(Default)]
pub struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &byte in bytes {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = hash;
    }
}

/// A map with the [`Fnv`] hasher.
pub type HashMap<K, V> = StdHashMap<K, V, BuildHasherDefault<Fnv>>;

/// What a tribal/place line says about a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TribalKind {
    Tribe,
    Place,
}

/// All built-in name knowledge.
#[derive(Debug)]
pub struct Knowledge {
    /// Folded spelling → canonical form of its variant class.
    pub variants: HashMap<String, String>,
    /// Folded spelling → the spelling it is read as, for spellings of one unit that are no
    /// names of their own (Korean syllables: `data/korean_syllables.tsv`).
    pub spellings: HashMap<String, String>,
    /// Chinese syllables: Wade-Giles and Pinyin (`data/wade_giles.tsv`).
    pub chinese: ChineseSyllables,
    /// Canonical form → the groups of related names it belongs to (see [`NameGroups`]).
    pub nicknames: HashMap<String, NameGroups>,
    /// Title → weight of agreement on it.
    pub titles: HashMap<String, f64>,
    /// Particle (single word or "son of") → kind.
    pub particles: HashMap<String, ParticleKind>,
    /// Suffixes marking a tribal or clan name (-zai, -khel).
    pub tribal_suffixes: Vec<String>,
    /// Known tribe and place names.
    pub tribal_names: HashMap<String, TribalKind>,
    /// Second elements of religious compounds that bind with "al-" (Saif al-Islam).
    pub compound_seconds: std::collections::HashSet<String>,
    /// Those of them that are also family names (al-Arab): they bind only when a name follows.
    pub compound_seconds_family: std::collections::HashSet<String>,
    /// Folded Arabic-script spellings of those elements (without the article) → Latin form.
    pub compound_seconds_arabic: HashMap<String, String>,
    /// See [`Knowledge::arabic`].
    arabic: OnceLock<HashMap<String, String>>,
    arabic_pieces: OnceLock<HashMap<String, String>>,
}

/// Data lines of a TSV file: comments and blank lines skipped, fields split on tabs.
fn data_lines(text: &str) -> impl Iterator<Item = Vec<&str>> {
    text.lines()
        .map(str::trim_end)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| line.split('\t').collect())
}

/// The groups of related given names a name belongs to (`data/nicknames.tsv`): group numbers
/// from 1, unused places 0. A name stands in at most [`NameGroups::MAX`] groups; a further one
/// would be dropped at load, which the names tests' check of every line of the file catches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NameGroups {
    groups: [u16; NameGroups::MAX],
    /// One bit per group (number mod 64): a cheap first test of sharing a group.
    pub mask: u64,
}

impl NameGroups {
    pub const MAX: usize = 6;

    fn add(&mut self, group: u16) {
        if let Some(free) = self.groups.iter_mut().find(|g| **g == 0 || **g == group) {
            *free = group;
            self.mask |= 1 << (group % 64);
        }
    }

    /// The group numbers.
    pub fn iter(&self) -> impl Iterator<Item = u16> + '_ {
        self.groups.iter().copied().filter(|&g| g != 0)
    }

    /// True when the two names stand together in some group.
    pub fn related(&self, other: &NameGroups) -> bool {
        self.mask & other.mask != 0 && self.iter().any(|g| other.groups.contains(&g))
    }
}

/// Reads `nicknames.tsv`: each line is a group, numbered from 1 in file order. Forms are read
/// as their variant class's canonical form, as tokens are.
fn load_nicknames(variants: &HashMap<String, String>) -> HashMap<String, NameGroups> {
    let mut groups: HashMap<String, NameGroups> = HashMap::default();
    for (line, fields) in data_lines(NICKNAMES).enumerate() {
        let canonical = |form: &str| {
            variants
                .get(form)
                .cloned()
                .unwrap_or_else(|| form.to_string())
        };
        let number = u16::try_from(line + 1).expect("fewer than 65,536 groups");
        let others = fields.get(1).map_or("", |list| list).split_whitespace();
        for form in std::iter::once(fields[0]).chain(others) {
            groups.entry(canonical(form)).or_default().add(number);
        }
    }
    groups
}

impl Knowledge {
    fn load() -> Knowledge {
        let mut variants = HashMap::default();
        for fields in data_lines(VARIANTS) {
            let canonical = fields[0].to_string();
            if let Some(list) = fields.get(1) {
                for variant in list.split_whitespace() {
                    variants
                        .entry(variant.to_string())
                        .or_insert_with(|| canonical.clone());
                }
            }
            variants.insert(canonical.clone(), canonical);
        }
        let mut spellings = HashMap::default();
        for fields in data_lines(KOREAN_SYLLABLES) {
            for spelling in fields.get(1).map_or("", |list| list).split_whitespace() {
                spellings.insert(spelling.to_string(), fields[0].to_string());
            }
        }
        let chinese = ChineseSyllables::load(WADE_GILES);
        let nicknames = load_nicknames(&variants);
        let titles = data_lines(TITLES)
            .filter_map(|fields| Some((fields[0].to_string(), fields.get(1)?.parse().ok()?)))
            .collect();
        let particles = data_lines(PARTICLES)
            .filter_map(|fields| {
                let kind = match *fields.get(1)? {
                    "article" => ParticleKind::Article,
                    "patronymic" => ParticleKind::Patronymic,
                    "connector" => ParticleKind::Connector,
                    "kunya" => ParticleKind::Kunya,
                    "address" => ParticleKind::Address,
                    "note" => ParticleKind::Note,
                    _ => return None,
                };
                Some((fields[0].to_string(), kind))
            })
            .collect();
        let mut tribal_suffixes = Vec::new();
        let mut tribal_names = HashMap::default();
        for fields in data_lines(TRIBAL) {
            match fields.get(1).copied() {
                Some("suffix") => tribal_suffixes.push(fields[0].to_string()),
                Some("tribe") => {
                    tribal_names.insert(fields[0].to_string(), TribalKind::Tribe);
                }
                Some("place") => {
                    tribal_names.insert(fields[0].to_string(), TribalKind::Place);
                }
                _ => {}
            }
        }
        let mut compound_seconds = std::collections::HashSet::new();
        let mut compound_seconds_arabic = HashMap::default();
        let mut compound_seconds_family = std::collections::HashSet::new();
        for fields in data_lines(COMPOUNDS) {
            if fields.get(2) == Some(&"family") {
                compound_seconds_family.insert(fields[0].to_string());
            }
            for spelling in fields.get(1).map_or("", |list| list).split_whitespace() {
                compound_seconds_arabic.insert(fold_arabic(spelling), fields[0].to_string());
            }
            compound_seconds.insert(fields[0].to_string());
        }
        Knowledge {
            chinese,
            compound_seconds,
            compound_seconds_family,
            compound_seconds_arabic,
            variants,
            spellings,
            nicknames,
            titles,
            particles,
            tribal_suffixes,
            tribal_names,
            arabic: OnceLock::new(),
            arabic_pieces: OnceLock::new(),
        }
    }

    /// Folded Arabic-script word → Latin spelling (curated entries win over derived ones).
    /// Parsed on first use: lists without Arabic script never pay for the 37,000 entries.
    pub fn arabic(&self) -> &HashMap<String, String> {
        self.arabic.get_or_init(|| {
            let mut arabic = HashMap::with_capacity_and_hasher(40_000, Default::default());
            for fields in data_lines(ARABIC_DICTIONARY) {
                if let Some(latin) = fields.get(1) {
                    arabic.insert(fields[0].to_string(), latin.to_string());
                }
            }
            for fields in data_lines(ARABIC_NAMES) {
                if let Some(latin) = fields.get(1) {
                    arabic.insert(fold_arabic(fields[0]), latin.to_string());
                }
            }
            // A Pashto name typed with Dari letters (کاکر for کاکړ, ملالی for ملالۍ) is the
            // same name, unless the dictionary knows that spelling as another.
            for fields in data_lines(ARABIC_NAMES) {
                let folded = fold_arabic(fields[0]);
                if let (Some(latin), std::borrow::Cow::Owned(dari)) =
                    (fields.get(1), crate::script::dari_letters(&folded))
                {
                    arabic.entry(dari).or_insert_with(|| latin.to_string());
                }
            }
            arabic
        })
    }

    /// The words an Arabic-script word run together may be split into: the curated names, and
    /// dictionary words of four letters or more seen at least three times (shorter and rarer
    /// entries match pieces of unrelated names by chance: ایم, انی).
    pub fn arabic_pieces(&self) -> &HashMap<String, String> {
        self.arabic_pieces.get_or_init(|| {
            let mut pieces = HashMap::with_capacity_and_hasher(8_000, Default::default());
            for fields in data_lines(ARABIC_DICTIONARY) {
                let seen: u32 = fields.get(2).and_then(|c| c.parse().ok()).unwrap_or(0);
                if let Some(latin) = fields.get(1)
                    && seen >= 3
                    && fields[0].chars().count() >= 4
                {
                    pieces.insert(fields[0].to_string(), latin.to_string());
                }
            }
            // Not the words that mark a father's or husband's name (ولد walad, بن bin, همسر
            // w/o): مینه + ولد is no reading of مینهولد (Meinhold).
            for fields in data_lines(ARABIC_NAMES) {
                if let Some(latin) = fields.get(1)
                    && self.particles.get(*latin) != Some(&ParticleKind::Patronymic)
                {
                    pieces.insert(fold_arabic(fields[0]), latin.to_string());
                }
            }
            pieces
        })
    }

    /// The process-wide built-in knowledge, parsed on first use.
    pub fn shared() -> Arc<Knowledge> {
        static SHARED: OnceLock<Arc<Knowledge>> = OnceLock::new();
        SHARED.get_or_init(|| Arc::new(Knowledge::load())).clone()
    }

    /// The canonical form of a folded Latin token's variant class, if it has one.
    pub fn canonical<'a>(&'a self, form: &str) -> Option<&'a str> {
        self.variants.get(form).map(String::as_str)
    }

    /// The variant class of the father's name inside a Slavic patronymic, from its stem as
    /// the patronymic writes it (nikola of Nikolaevich, mikala of Belarusian Mikalaevich,
    /// mykolaj of Ukrainian Mykolajovytj, all Nikolai's); `None` when the stem is no known
    /// name's.
    pub(crate) fn fathers_class(&self, stem: &str) -> Option<&str> {
        if let Some(class) = self.canonical(stem) {
            return Some(class);
        }
        // The father's name's last letter may be the patronymic's (Nikolaj in Nikolajevitj,
        // Ukrainian Mykolajovytj on Mykola) or gone from it (Nikolai in Nikolaevich).
        let base = stem.strip_suffix(['j', 'y', 'i']).unwrap_or(stem);
        ["", "i", "y", "j", "iy"].iter().find_map(|ending| {
            let mut name = String::with_capacity(base.len() + ending.len());
            name.push_str(base);
            name.push_str(ending);
            self.canonical(&name)
        })
    }

    /// The spelling a folded Latin token is read as when it is one of a unit's spellings that
    /// is no name of its own (a Korean syllable), if it is.
    pub fn spelling<'a>(&'a self, form: &str) -> Option<&'a str> {
        self.spellings.get(form).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_syllables_cut_and_read() {
        let knowledge = Knowledge::shared();
        let chinese = &knowledge.chinese;
        assert_eq!(
            chinese.wade_giles_syllables("tsetung"),
            Some(vec!["tse", "tung"])
        );
        assert_eq!(chinese.wade_giles_syllables("hsiao"), Some(vec!["hsiao"]));
        assert_eq!(
            chinese.wade_giles_syllables("antonio").map(|s| s.len()),
            Some(4)
        );
        assert_eq!(chinese.wade_giles_syllables("santiago"), None);
        assert_eq!(chinese.wade_giles_syllables("kwok"), None);
        assert!(chinese.is_pinyin("zedong") && chinese.is_pinyin("chen"));
        assert!(!chinese.is_pinyin("tse") && !chinese.is_pinyin("hsi"));
        // chin is jin, ch'in qin; unknown aspiration reads both; hsi has no aspirated form.
        assert_eq!(chinese.pinyin_of("chin", Some(false)), Some(vec!["jin"]));
        assert_eq!(chinese.pinyin_of("chin", Some(true)), Some(vec!["qin"]));
        assert_eq!(chinese.pinyin_of("chin", None), Some(vec!["jin", "qin"]));
        assert_eq!(chinese.pinyin_of("hsi", Some(true)), Some(vec!["xi"]));
        assert_eq!(chinese.pinyin_of("ssu", None), Some(vec!["si"]));
        assert_eq!(chinese.pinyin_of("xi", None), None);
    }

    #[test]
    fn korean_syllables_are_spelt_once_and_are_no_variant_class() {
        let knowledge = Knowledge::shared();
        let mut line_of: StdHashMap<&str, &str> = StdHashMap::new();
        for fields in data_lines(KOREAN_SYLLABLES) {
            let first = fields[0];
            let spellings = fields.get(1).map_or("", |list| list).split_whitespace();
            for spelling in std::iter::once(first).chain(spellings) {
                assert!(
                    spelling.bytes().all(|b| b.is_ascii_lowercase()),
                    "{spelling:?}"
                );
                assert!(
                    knowledge.canonical(spelling).is_none(),
                    "{spelling:?} is also in variants.tsv"
                );
                if let Some(other) = line_of.insert(spelling, first) {
                    panic!("{spelling:?} is on the lines {other} and {first}");
                }
            }
        }
        assert_eq!(knowledge.spelling("cheol"), Some("chol"));
        assert_eq!(knowledge.spelling("chol"), None);
    }

    #[test]
    fn every_spelling_of_variants_tsv_is_in_one_class_only() {
        // Loading keeps the first class a spelling is listed in; a second listing would
        // silently merge or split names, so the file must not have one.
        let mut class_of: StdHashMap<&str, &str> = StdHashMap::new();
        for fields in data_lines(VARIANTS) {
            let canonical = fields[0];
            let spellings = fields.get(1).map_or("", |list| list).split_whitespace();
            for spelling in std::iter::once(canonical).chain(spellings) {
                assert!(
                    spelling
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b == b'\''),
                    "{spelling:?} (class {canonical}) is not a folded lower-case spelling"
                );
                if let Some(other) = class_of.insert(spelling, canonical) {
                    assert_eq!(
                        other, canonical,
                        "{spelling:?} is in the classes {other} and {canonical}"
                    );
                }
            }
        }
    }
}
