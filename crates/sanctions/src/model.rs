//! The shape every reader produces: one [`SanctionsList`] of [`Entry`]s, whatever the source.
//!
//! The model keeps what screening an evacuee needs (names in every written form, dates of birth,
//! nationalities, identity documents) and what a reviewer needs to read a hit (programmes,
//! listing date, the list's own comments). It keeps the list's own words: nothing is normalised
//! beyond trimming and collapsing whitespace, so a diff between two versions shows what the
//! publisher changed and the names engine decides how to compare.

use serde::{Deserialize, Serialize};

use crate::dates::ListedDate;

/// Who published a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListSource {
    /// The UN Security Council Consolidated List.
    Un,
    /// The US Treasury OFAC Specially Designated Nationals list.
    Ofac,
}

impl ListSource {
    pub fn as_str(self) -> &'static str {
        match self {
            ListSource::Un => "un",
            ListSource::Ofac => "ofac",
        }
    }
}

/// One version of a sanctions list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SanctionsList {
    pub source: ListSource,
    /// The day the publisher generated this version (`YYYY-MM-DD`), when the file says it: the
    /// UN XML does (`dateGenerated`), the OFAC CSV trio does not.
    pub version_date: Option<String>,
    pub entries: Vec<Entry>,
}

impl SanctionsList {
    /// The entry with this reference (UN `REFERENCE_NUMBER` or OFAC `ent_num`).
    pub fn entry(&self, reference: &str) -> Option<&Entry> {
        self.entries
            .iter()
            .find(|entry| entry.reference == reference)
    }

    /// How many entries there are of each kind.
    pub fn counts(&self) -> KindCounts {
        let mut counts = KindCounts::default();
        for entry in &self.entries {
            match entry.kind {
                EntryKind::Individual => counts.individuals += 1,
                EntryKind::Entity => counts.entities += 1,
                EntryKind::Vessel => counts.vessels += 1,
                EntryKind::Aircraft => counts.aircraft += 1,
            }
        }
        counts
    }
}

/// Entry counts by kind, for summaries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindCounts {
    pub individuals: usize,
    pub entities: usize,
    pub vessels: usize,
    pub aircraft: usize,
}

/// What a listed entry is.
///
/// OFAC also lists vessels and aircraft; they are kept apart from entities so that screening
/// people can skip them without guessing from a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    Individual,
    Entity,
    Vessel,
    Aircraft,
}

impl EntryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Individual => "individual",
            EntryKind::Entity => "entity",
            EntryKind::Vessel => "vessel",
            EntryKind::Aircraft => "aircraft",
        }
    }
}

/// One listed person, organisation, vessel or aircraft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The publisher's stable key: UN `REFERENCE_NUMBER` ("TAi.155"), OFAC `ent_num` ("6635").
    pub reference: String,
    pub kind: EntryKind,
    /// The primary name first, then aliases in the order the list gives them.
    pub names: Vec<ListedName>,
    pub birth_dates: Vec<ListedDate>,
    /// Nationalities and citizenships as the list writes them ("Afghanistan").
    pub nationalities: Vec<String>,
    pub documents: Vec<ListedDocument>,
    pub addresses: Vec<ListedAddress>,
    /// UN: the sanctions regime (`UN_LIST_TYPE`: "Taliban", "Al-Qaida" …). OFAC: the programme
    /// tags ("SDGT", "IRAN-CON-ARMS-EO").
    pub programs: Vec<String>,
    /// The day the entry was first listed (`YYYY-MM-DD`), when the list says (UN only).
    pub listed_on: Option<String>,
    /// The list's free text about the entry (UN `COMMENTS1`, OFAC remarks).
    pub comments: Option<String>,
}

impl Entry {
    /// An entry with a reference and a kind and nothing else yet.
    pub fn new(reference: impl Into<String>, kind: EntryKind) -> Entry {
        Entry {
            reference: reference.into(),
            kind,
            names: Vec::new(),
            birth_dates: Vec::new(),
            nationalities: Vec::new(),
            documents: Vec::new(),
            addresses: Vec::new(),
            programs: Vec::new(),
            listed_on: None,
            comments: None,
        }
    }

    /// The primary name in Latin script, or the first name given.
    pub fn primary_name(&self) -> Option<&ListedName> {
        self.names
            .iter()
            .find(|name| name.quality == NameQuality::Primary && name.script == Script::Latin)
            .or_else(|| self.names.first())
    }
}

/// One written form of a listed name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedName {
    /// The whole name, whitespace collapsed.
    pub full: String,
    /// The name's parts as the list splits them (UN `FIRST_NAME` … `FOURTH_NAME` for primary
    /// names); empty when the list gives the name whole.
    pub parts: Vec<String>,
    pub quality: NameQuality,
    pub script: Script,
}

impl ListedName {
    /// A name given whole, its script guessed from its letters.
    pub fn whole(full: &str, quality: NameQuality) -> ListedName {
        let full = collapse_whitespace(full);
        let script = Script::of(&full);
        ListedName {
            full,
            parts: Vec::new(),
            quality,
            script,
        }
    }
}

/// How much weight the list gives a name.
///
/// UN aliases are "Good" (or "a.k.a." for entities) when they identify the person well and "Low"
/// (or "f.k.a.") when they are too common or too vague to rely on alone. OFAC gives strong
/// aliases in `alt.csv` and weak ones only in the remarks (`a.k.a. 'ABU ALI'`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NameQuality {
    Primary,
    Good,
    Low,
    /// The list gave an alias without a quality, or one this reader does not know.
    Unknown,
}

impl NameQuality {
    pub fn as_str(self) -> &'static str {
        match self {
            NameQuality::Primary => "primary",
            NameQuality::Good => "good",
            NameQuality::Low => "low",
            NameQuality::Unknown => "unknown",
        }
    }
}

/// The script a name is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Script {
    /// Latin letters, the lists' romanised form.
    Latin,
    /// The name's own script (Arabic, Cyrillic, Chinese …): UN `NAME_ORIGINAL_SCRIPT`, or an
    /// alias written in it.
    Original,
}

impl Script {
    /// `Original` when the text holds a letter outside the Latin script (Latin-1 and the Latin
    /// Extended blocks count as Latin: "Ḥaqqānī" is a romanisation, not an original).
    pub fn of(text: &str) -> Script {
        let foreign = text
            .chars()
            .any(|c| c.is_alphabetic() && !matches!(u32::from(c), 0..=0x024F | 0x1E00..=0x1EFF));
        if foreign {
            Script::Original
        } else {
            Script::Latin
        }
    }
}

/// An identity document the list attributes to an entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedDocument {
    /// "Passport", "National Identification Number", "Cedula No." …
    pub kind: String,
    /// The number as the list writes it; sometimes a phrase ("Pakistani passport number …").
    pub number: String,
    /// The issuing country, when given.
    pub country: Option<String>,
    /// The list's note on the document ("expired on 27 Apr. 2014").
    pub note: Option<String>,
}

/// A known or past address, kept as text: lists give fragments, not postal addresses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedAddress {
    /// Street, city, province and note joined with ", ".
    pub text: String,
    pub country: Option<String>,
}

/// Trims and collapses every run of whitespace (lists break long names across lines) to one
/// space.
pub fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_of_names() {
        let check = |text: &str, expected: Script| assert_eq!(Script::of(text), expected, "{text}");
        check("ABDUL AZIZ ABBASIN", Script::Latin);
        check("Ḥaqqānī ‘Ubayd", Script::Latin);
        check("عبد العزيز عباسین", Script::Original);
        check("朝鲜联合机械贸易会社", Script::Original);
        check("جبهة النصرة (the Victory Front)", Script::Original);
        check("", Script::Latin);
    }

    #[test]
    fn whitespace_is_collapsed() {
        assert_eq!(collapse_whitespace("  GEDO \n  HAMDAN\t"), "GEDO HAMDAN");
    }
}
