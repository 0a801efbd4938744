//! Search queries and case ids taken from people the server itself returned: a query is a real
//! person's given and family name, in the script it was registered in, so a search that lists
//! nobody is a wrong answer, not an unlucky query.

use crate::kinds::Kind;
use serde_json::Value;

/// The script a name is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    Latin,
    /// The Arabic script, as Dari and Pashto write it.
    Arabic,
}

fn is_arabic(c: char) -> bool {
    matches!(
        c as u32,
        0x0600..=0x06FF | 0x0750..=0x077F | 0x08A0..=0x08FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF
    )
}

fn is_latin(c: char) -> bool {
    // Basic Latin to Latin Extended-B, and Latin Extended Additional (transliterations).
    c.is_alphabetic() && (c.is_ascii() || matches!(c as u32, 0x00C0..=0x024F | 0x1E00..=0x1EFF))
}

/// The script of a text's letters when they are all of one; `None` without letters, or for a
/// text that mixes scripts (it would count under neither kind of search).
pub fn script_of(text: &str) -> Option<Script> {
    let mut letters = text.chars().filter(|c| c.is_alphabetic()).peekable();
    letters.peek()?;
    let (mut latin, mut arabic, mut other) = (0, 0, 0);
    for c in letters {
        if is_arabic(c) {
            arabic += 1;
        } else if is_latin(c) {
            latin += 1;
        } else {
            other += 1;
        }
    }
    match (latin, arabic, other) {
        (_, 0, 0) => Some(Script::Latin),
        (0, _, 0) => Some(Script::Arabic),
        _ => None,
    }
}

/// The longest query the server accepts, in characters.
const MAX_QUERY_CHARS: usize = 200;

/// What a user would type to find this person (a record as `GET /api/persons` returns it):
/// given and family name, else the name written whole, else the one part there is. `None`
/// for someone known only by a placeholder ("child 2 of …"), or a name mixing scripts.
pub fn query_of(person: &Value) -> Option<(Script, String)> {
    let name = &person["person"]["name"];
    let part = |key: &str| {
        name[key]
            .as_str()
            .map(|text| text.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|text| !text.is_empty())
    };
    let query = match (part("given"), part("family"), part("full")) {
        (Some(given), Some(family), _) => format!("{given} {family}"),
        (_, _, Some(full)) => full,
        (Some(one), None, None) | (None, Some(one), None) => one,
        (None, None, None) => return None,
    };
    if query.chars().count() > MAX_QUERY_CHARS {
        return None;
    }
    Some((script_of(&query)?, query))
}

/// The case a person belongs to, when they are in one.
pub fn case_of(person: &Value) -> Option<u64> {
    person["case"].as_u64()
}

/// What one account's virtual users draw from: queries by script and cases, all of that
/// account's nation (a caller bound to a nation finds only its own people).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pool {
    pub latin: Vec<String>,
    pub arabic: Vec<String>,
    pub cases: Vec<u64>,
}

impl Pool {
    /// Queries and cases of these people, each once, in a stable order.
    pub fn from_people(people: &[Value]) -> Pool {
        let mut pool = Pool::default();
        for person in people {
            match query_of(person) {
                Some((Script::Latin, query)) => pool.latin.push(query),
                Some((Script::Arabic, query)) => pool.arabic.push(query),
                None => {}
            }
            pool.cases.extend(case_of(person));
        }
        for list in [&mut pool.latin, &mut pool.arabic] {
            list.sort();
            list.dedup();
        }
        pool.cases.sort_unstable();
        pool.cases.dedup();
        pool
    }

    /// How many distinct things a kind draws from (the dashboard needs none).
    pub fn choices(&self, kind: Kind) -> Option<usize> {
        match kind {
            Kind::SearchLatin => Some(self.latin.len()),
            Kind::SearchArabic => Some(self.arabic.len()),
            Kind::Case => Some(self.cases.len()),
            Kind::Dashboard => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn person(case: Option<u64>, name: Value) -> Value {
        json!({ "id": 7, "nation": "FR", "case": case, "person": { "name": name } })
    }

    #[test]
    fn scripts_are_told_apart() {
        for (text, expected) in [
            ("Jamsheed Ahmadzay", Some(Script::Latin)),
            ("Zarghuna Şahin-Noori", Some(Script::Latin)),
            ("مسعود احمدزی", Some(Script::Arabic)),
            // Dari writes a zero-width non-joiner inside words; it is no letter.
            ("می\u{200C}خواهم", Some(Script::Arabic)),
            ("Masood احمدزی", None),
            ("Масуд", None),
            ("  - 12 ", None),
            ("", None),
        ] {
            assert_eq!(script_of(text), expected, "{text:?}");
        }
    }

    #[test]
    fn a_query_is_what_a_user_types_for_the_person() {
        let check = |name: Value, expected: Option<(Script, &str)>| {
            let found = query_of(&person(Some(1), name.clone()));
            assert_eq!(found, expected.map(|(s, q)| (s, q.to_owned())), "{name}");
        };
        check(
            json!({"given": "Jamsheed", "family": "Ahmadzay", "father": "Sami Ullah"}),
            Some((Script::Latin, "Jamsheed Ahmadzay")),
        );
        check(
            json!({"given": "مسعود", "family": "احمدزی"}),
            Some((Script::Arabic, "مسعود احمدزی")),
        );
        check(
            json!({"full": "  Gul   Ahmad  Shinwari "}),
            Some((Script::Latin, "Gul Ahmad Shinwari")),
        );
        check(json!({"given": "Ahmad"}), Some((Script::Latin, "Ahmad")));
        check(json!({"family": "رحیمی"}), Some((Script::Arabic, "رحیمی")));
        check(json!({"given": "Masood", "family": "احمدزی"}), None);
        check(json!({"placeholder": "child 2"}), None);
        check(json!({"given": "  "}), None);
        check(json!({"full": "a".repeat(201)}), None);
        check(
            json!({"full": "a".repeat(200)}),
            Some((Script::Latin, &"a".repeat(200))),
        );
    }

    #[test]
    fn a_pool_holds_each_query_and_case_once() {
        let people = [
            person(Some(5), json!({"given": "Farid", "family": "Karimi"})),
            person(Some(5), json!({"given": "Farid", "family": "Karimi"})),
            person(Some(3), json!({"given": "فرید", "family": "کریمی"})),
            person(None, json!({"given": "Zahra"})),
            person(Some(9), json!({"placeholder": "infant"})),
        ];
        let pool = Pool::from_people(&people);
        assert_eq!(pool.latin, ["Farid Karimi", "Zahra"]);
        assert_eq!(pool.arabic, ["فرید کریمی"]);
        assert_eq!(pool.cases, [3, 5, 9]);
        assert_eq!(pool.choices(Kind::SearchLatin), Some(2));
        assert_eq!(pool.choices(Kind::SearchArabic), Some(1));
        assert_eq!(pool.choices(Kind::Case), Some(3));
        assert_eq!(pool.choices(Kind::Dashboard), None);
    }
}
