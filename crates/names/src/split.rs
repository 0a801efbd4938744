//! A name written as one string ("Mohammad Hashem Ahmadzai s/o Abdul Rahman", "AHMADZAI
//! Karima") read into the person's own names, their family's name and their father's name,
//! when its words say which is which. Lists with one name column need it to be compared part
//! by part with lists that have a column for each.

use crate::NameEngine;
use crate::parse::{Script, Token, TokenRole};
use crate::text::is_silent;
use serde::Serialize;
use unicode_normalization::char::is_combining_mark;

/// The parts of a name written whole (see [`NameEngine::split`]), each as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NameParts {
    /// The person's own names, with any title or initial among them.
    pub given: String,
    pub family: Option<String>,
    pub father: Option<String>,
}

impl NameEngine {
    /// Splits a name written as one string when its words say which part is which:
    /// - a father's name after s/o, d/o, bin, walad, "son of", "fils de"…;
    /// - a tribal, clan or place name (Ahmadzai, Sulaimankhel, Kabuli) as the family's name;
    /// - otherwise, in Latin script, a family name in capitals at either end among words that
    ///   are not ("AHMADZAI Karima", "Karima AHMADZAI"), or written before a comma
    ///   ("Ahmadzai, Karima").
    ///
    /// `None` when nothing says so: "Mohammad Hashem" may be two given names or a given name
    /// and a father's, "Zarmina Sadat" a given and a family name or two given names, and a
    /// guess would mislead matching more than the whole name does.
    pub fn split(&self, text: &str) -> Option<NameParts> {
        let parsed = self.parse(text);
        let tokens = &parsed.tokens;
        let mut family: Vec<bool> = tokens.iter().map(|t| t.role == TokenRole::Tribal).collect();
        if !family.contains(&true) && written_as_a_name(text) {
            family = capitals(tokens)
                .or_else(|| before_comma(text, tokens))
                .unwrap_or_else(|| vec![false; tokens.len()]);
        }
        let father: Vec<&str> = tokens
            .iter()
            .filter(|t| t.role == TokenRole::Patronymic)
            .map(|t| t.text.as_str())
            .collect();
        if father.is_empty() && !family.contains(&true) {
            return None;
        }
        let (mut own, mut family_words) = (Vec::new(), Vec::new());
        for (token, &is_family) in tokens.iter().zip(&family) {
            if is_family {
                family_words.push(token.text.as_str());
            } else if matches!(
                token.role,
                TokenRole::Given
                    | TokenRole::Family
                    | TokenRole::Title
                    | TokenRole::Kunya
                    | TokenRole::Initial
            ) {
                own.push(token.text.as_str());
            }
        }
        if own.is_empty() {
            return None;
        }
        let joined = |words: Vec<&str>| (!words.is_empty()).then(|| words.join(" "));
        Some(NameParts {
            given: own.join(" "),
            family: joined(family_words),
            father: joined(father),
        })
    }
}

/// Whether `text` has only what names are written with (letters, combining marks, spaces, the
/// apostrophes and joiners a word keeps, hyphens, full stops, commas, the slash of s/o): case
/// and commas mean nothing in a formula, an address or a note.
fn written_as_a_name(text: &str) -> bool {
    text.chars().all(|c| {
        c.is_alphabetic()
            || c.is_whitespace()
            || is_combining_mark(c)
            || is_silent(c)
            || matches!(c, '-' | '.' | ',' | '/')
    })
}

/// Whether a Latin token is written in capitals (two letters or more, none lower-case).
fn in_capitals(token: &Token) -> bool {
    token.script == Script::Latin
        && token.text.chars().filter(|c| c.is_alphabetic()).count() >= 2
        && !token.text.chars().any(char::is_lowercase)
}

/// The tokens of a family name in capitals at the start or the end of a name whose other own
/// names are not in capitals ("AHMADZAI Karima"); `None` if the name is not written so.
fn capitals(tokens: &[Token]) -> Option<Vec<bool>> {
    let own = |t: &Token| {
        matches!(
            t.role,
            TokenRole::Given | TokenRole::Family | TokenRole::Kunya
        )
    };
    let caps: Vec<bool> = tokens.iter().map(|t| own(t) && in_capitals(t)).collect();
    let lower = tokens
        .iter()
        .any(|t| own(t) && t.script == Script::Latin && t.text.chars().any(char::is_lowercase));
    if !caps.contains(&true) || !lower {
        return None;
    }
    // The capitals must be one run of own names at either end of the person's own names
    // (a father's name after them does not count).
    let own_positions: Vec<usize> = (0..tokens.len()).filter(|&i| own(&tokens[i])).collect();
    let first_caps = own_positions.iter().position(|&i| caps[i])?;
    let last_caps = own_positions.iter().rposition(|&i| caps[i])?;
    let run = &own_positions[first_caps..=last_caps];
    let contiguous = run.iter().all(|&i| caps[i]);
    let at_an_end = first_caps == 0 || last_caps == own_positions.len() - 1;
    (contiguous && at_an_end).then_some(caps)
}

/// The tokens the parser read as the family name before a comma ("Ahmadzai, Karima"), if the
/// name has a comma.
fn before_comma(text: &str, tokens: &[Token]) -> Option<Vec<bool>> {
    if !text.contains(',') {
        return None;
    }
    let family: Vec<bool> = tokens.iter().map(|t| t.role == TokenRole::Family).collect();
    family.contains(&true).then_some(family)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Option<(String, Option<String>, Option<String>)> {
        NameEngine::new()
            .split(text)
            .map(|p| (p.given, p.family, p.father))
    }

    fn parts(
        given: &str,
        family: Option<&str>,
        father: Option<&str>,
    ) -> Option<(String, Option<String>, Option<String>)> {
        Some((
            given.to_owned(),
            family.map(str::to_owned),
            father.map(str::to_owned),
        ))
    }

    #[test]
    fn a_father_or_a_tribe_says_which_part_is_which() {
        assert_eq!(
            split("Mohammad Hashem Ahmadzai s/o Abdul Rahman"),
            parts("Mohammad Hashem", Some("Ahmadzai"), Some("Abdul Rahman"))
        );
        assert_eq!(
            split("Karima d/o Mohammad"),
            parts("Karima", None, Some("Mohammad"))
        );
        assert_eq!(
            split("OMEED AHMADZAI"),
            parts("OMEED", Some("AHMADZAI"), None)
        );
        // Pashto: "Mahmud's son", the kin word after the father's name.
        assert_eq!(
            split("احمد د محمود زوی"),
            parts("احمد", None, Some("محمود"))
        );
        // An address after the name is no part of it.
        assert_eq!(
            split("Ahmad s/o Karim r/o Kabul"),
            parts("Ahmad", None, Some("Karim"))
        );
        assert_eq!(
            split("Fatima h/o Karim"),
            parts("Fatima", None, Some("Karim"))
        );
    }

    #[test]
    fn capitals_or_a_comma_mark_the_family_name() {
        assert_eq!(
            split("RAHIMI Ahmad Zia"),
            parts("Ahmad Zia", Some("RAHIMI"), None)
        );
        assert_eq!(split("Zahra KARIMI"), parts("Zahra", Some("KARIMI"), None));
        assert_eq!(split("Rahimi, Zahra"), parts("Zahra", Some("Rahimi"), None));
    }

    #[test]
    fn nothing_is_guessed() {
        // Two given names, or a given name and a father's: unknown.
        assert_eq!(split("Mohammad Hashem"), None);
        assert_eq!(split("Zarmina Sadat"), None);
        // All in capitals, all in lower case, or in Arabic script: no case to go by.
        assert_eq!(split("ZAHRA KARIMI"), None);
        assert_eq!(split("zahra karimi"), None);
        assert_eq!(split("زهرا کریمی"), None);
        // Capitals in the middle are not a family name at an end.
        assert_eq!(split("Ahmad ZIA Rahimi"), None);
        // Not a name as written: a formula keeps its case to itself.
        assert_eq!(split("=HYPERLINK(\"http://x\")"), None);
        assert_eq!(split(""), None);
    }
}
