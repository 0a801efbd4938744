//! Splitting a written name into words and folding each word to a plain comparison alphabet.
//!
//! Latin words lose case and diacritics (NFKD, combining marks removed) and a few letters that
//! do not decompose (ß, ø, ł, ı) are spelled out; Cyrillic is transliterated; Arabic-script words
//! are folded by [`crate::script`]. Apostrophes and ayn/hamza signs vanish inside words
//! ("Isma'il" = "Ismail"), every other punctuation mark separates words. "s/o", "d/o" and "w/o"
//! survive as words because they carry meaning (what follows is the father's name).

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::script::{construct_state, fold_arabic_char, is_arabic_char};

/// One word of a written name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The word as written.
    pub text: String,
    /// Folded: lower-case Latin letters and digits, or folded Arabic letters.
    pub folded: String,
    /// True if the word is in Arabic script.
    pub arabic: bool,
    /// True if the word was written in Cyrillic.
    pub cyrillic: bool,
    /// True if the word was written in a script that leaves vowels out (Hebrew; the inherent
    /// vowel of Devanagari, Bengali and the other Indic scripts): its Latin form is a sketch of
    /// the consonants, to be compared as an Arabic-script word the dictionary lacks.
    pub consonantal: bool,
    /// True if a comma came before this word (surname-first lists: "AHMADZAI, Hashem").
    pub after_comma: bool,
}

/// Characters dropped inside a word without splitting it: apostrophes, ayn and hamza signs,
/// joiners and the Arabic tatweel.
pub(crate) fn is_silent(c: char) -> bool {
    matches!(
        c,
        '\'' | '’'
            | '‘'
            | '`'
            | '´'
            | 'ʿ'
            | 'ʾ'
            | 'ʼ'
            | 'ʻ'
            | '\u{200C}'
            | '\u{200D}'
            | '\u{0640}'
            | '\u{00AD}'
    )
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_combining_mark(c) || is_silent(c) || c == '/'
}

/// Transliterates a lower-case Cyrillic letter (a simple passport-style table).
fn cyrillic(c: char) -> Option<&'static str> {
    Some(match c {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' | 'ґ' => "g",
        'д' => "d",
        'е' | 'ё' | 'э' => "e",
        'є' => "ye",
        'ж' => "zh",
        'з' => "z",
        'и' | 'і' => "i",
        'ї' => "yi",
        'й' => "y",
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' | 'ў' => "u",
        'ф' => "f",
        'х' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ъ' | 'ь' => "",
        'ы' => "y",
        'ю' => "yu",
        'я' => "ya",
        'қ' => "q",
        'ғ' => "gh",
        'ҳ' | 'һ' => "h",
        'ҷ' => "j",
        'ң' => "ng",
        'ө' => "o",
        'ү' | 'ұ' => "u",
        'ә' => "a",
        // Serbian and Macedonian letters, as their Latin alphabets and English spell them
        // (Карић Karić = Karich, Ђорђе Djordje, Џафер Jafer, Љубиша Ljubisa).
        'ђ' => "dj",
        'ј' => "j",
        'љ' => "lj",
        'њ' => "nj",
        'ћ' => "ch",
        'џ' => "j",
        'ѓ' => "gj",
        'ќ' => "kj",
        'ѕ' => "dz",
        _ => return None,
    })
}

/// True for letters of the scripts without a table of our own (Greek, Hebrew, Armenian,
/// Georgian, Indic, Thai, Khmer, Ethiopic, Chinese, Japanese kana, Korean), transliterated by
/// `any_ascii`: not Latin (Vietnamese letters and ligatures decompose), Cyrillic nor Arabic.
fn other_script(c: char) -> bool {
    let code = c as u32;
    code >= 0x0370
        && !matches!(code, 0x0400..=0x052F | 0x1E00..=0x1EFF | 0x2C60..=0x2C7F | 0xA720..=0xA7FF
            | 0xFB00..=0xFB06 | 0xFF00..=0xFFEF)
        && !is_arabic_char(c)
}

/// Scripts whose Latin form leaves vowels out: Hebrew, and the Indic scripts' inherent vowel
/// (नरेन्द्र: nrendr, Narendra).
fn consonantal_script(c: char) -> bool {
    matches!(c as u32, 0x0590..=0x05FF | 0x0900..=0x0DFF)
}

/// Han ideographs and Hangul syllables: each is a syllable, and names are written without a
/// space between them (习近平 Xi Jinping, 김정은 Kim Jong Un).
fn syllable_script(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xAC00..=0xD7A3 | 0x20000..=0x2FA1F)
}

/// Transliterates one letter of [`other_script`]. Hebrew's begadkefat letters are hard at the
/// start of a word (בנימין Binyamin, not Vinyamin), and its vav and yod inside a word are
/// mostly the vowels u/o and i (מוחמד: muhmd, Muhammad); `any_ascii` reads them as consonants.
fn push_other_script(c: char, word_start: bool, folded: &mut String) {
    let hebrew = match c {
        'ב' if word_start => Some("b"),
        'כ' if word_start => Some("k"),
        'פ' if word_start => Some("p"),
        'ו' if !word_start && !folded.ends_with('u') => Some("u"),
        'י' if !word_start && !folded.ends_with('i') => Some("i"),
        _ => None,
    };
    if let Some(latin) = hebrew {
        folded.push_str(latin);
        return;
    }
    folded.extend(
        any_ascii::any_ascii_char(c)
            .bytes()
            .filter(u8::is_ascii_alphanumeric)
            .map(|b| char::from(b.to_ascii_lowercase())),
    );
}

/// Folds a non-Arabic word: lower case, no diacritics, Latin letters spelled out.
fn fold_latin(word: &str, folded: &mut String) -> bool {
    if word.is_ascii() {
        folded.extend(
            word.bytes()
                .filter(u8::is_ascii_alphanumeric)
                .map(|b| char::from(b.to_ascii_lowercase())),
        );
        return false;
    }
    let mut was_cyrillic = false;
    // Halfwidth kana and Hangul are their ordinary letters, voicing marks composed (ﾌﾟ = プ).
    let halfwidth: String;
    let word = if word.chars().any(|c| ('\u{FF61}'..='\u{FFDC}').contains(&c)) {
        halfwidth = word.nfkc().collect();
        halfwidth.as_str()
    } else {
        word
    };
    for composed in word.nfc() {
        if other_script(composed) {
            let word_start = folded.is_empty();
            push_other_script(composed, word_start, folded);
            continue;
        }
        // Letters with a háček or cedilla stand for English digraphs in Czech, Slovak, Croatian,
        // Romanian and Turkish spellings of foreign names (Džafarabádí = Jafarabadi, Šaháb =
        // Shahab); dropping the mark would lose the sound.
        // The spelling, and whether it replaces the letter before (dž is j, not dzh).
        let spelled = match composed.to_lowercase().next().unwrap_or(composed) {
            'č' | 'ć' => Some(("ch", false)),
            // Estonian and Finnish write the Russian ch as tš (Petrakovitš, Tšernõšov).
            'š' if folded.ends_with('t') => Some(("ch", true)),
            'š' | 'ş' | 'ș' => Some(("sh", false)),
            'ž' if folded.ends_with('d') => Some(("j", true)),
            'ž' => Some(("zh", false)),
            'ţ' | 'ț' => Some(("ts", false)),
            _ => None,
        };
        if let Some((spelled, replaces_previous)) = spelled {
            if replaces_previous {
                folded.pop();
            }
            folded.push_str(spelled);
            continue;
        }
        fold_decomposed(composed, folded, &mut was_cyrillic);
    }
    was_cyrillic
}

/// Folds one composed character through its compatibility decomposition.
fn fold_decomposed(composed: char, folded: &mut String, was_cyrillic: &mut bool) {
    for c in std::iter::once(composed).nfkd() {
        if is_combining_mark(c) || is_silent(c) {
            continue;
        }
        for lower in c.to_lowercase() {
            if lower.is_ascii_alphanumeric() {
                folded.push(lower);
            } else if let Some(latin) = cyrillic(lower) {
                *was_cyrillic = true;
                folded.push_str(latin);
            } else {
                match lower {
                    'ß' => folded.push_str("ss"),
                    'æ' => folded.push_str("ae"),
                    'œ' => folded.push_str("oe"),
                    'ø' => folded.push('o'),
                    'ł' => folded.push('l'),
                    'đ' | 'ð' => folded.push('d'),
                    'þ' => folded.push_str("th"),
                    'ı' => folded.push('i'),
                    'ħ' => folded.push('h'),
                    other if other.is_alphanumeric() => folded.push(other),
                    _ => {}
                }
            }
        }
    }
}

/// A digit inside a word of letters is a slip for the letter it looks like (a scan read by OCR,
/// a clerk's keyboard: Vlad1mir, 5ergei, Wa1id): 0 o, 1 i between consonants and l
/// beside a vowel (Put1n, A1i), 2 z, 3 e, 4 a, 5 s, 6 g, 7 t, 8 b, 9 g. Numbers and ordinals
/// (1st, 2nd, 3rd, 4th) stay as written.
fn read_digits_as_letters(folded: &mut String) {
    let bytes = folded.as_bytes();
    if !bytes.iter().any(u8::is_ascii_digit) || !bytes.iter().any(u8::is_ascii_alphabetic) {
        return;
    }
    let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits > 0
        && matches!(&bytes[digits..], b"st" | b"nd" | b"rd" | b"th")
        && bytes[digits..].iter().all(u8::is_ascii_alphabetic)
    {
        return;
    }
    let vowel = |b: Option<&u8>| b.is_some_and(|b| b"aeiouy".contains(b));
    let read: String = bytes
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            char::from(match b {
                b'0' => b'o',
                b'1' if vowel(bytes.get(i.wrapping_sub(1))) || vowel(bytes.get(i + 1)) => b'l',
                b'1' => b'i',
                b'2' => b'z',
                b'3' => b'e',
                b'4' => b'a',
                b'5' => b's',
                b'6' | b'9' => b'g',
                b'7' => b't',
                b'8' => b'b',
                other => other,
            })
        })
        .collect();
    *folded = read;
}

/// Splits a name into folded words. Never fails; words that fold to nothing are dropped.
pub fn words(name: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut after_comma = false;
    let mut pending_comma = false;
    let mut flush = |current: &mut String, pending_comma: &mut bool, after_comma: &mut bool| {
        if current.is_empty() {
            return;
        }
        if *pending_comma {
            *after_comma = true;
            *pending_comma = false;
        }
        push_word(current, *after_comma, &mut out);
        current.clear();
    };
    let mut previous_arabic: Option<bool> = None;
    // Letters and digits read so far, before the current character.
    let mut letters_before = 0usize;
    for (index, c) in name.char_indices() {
        // "s.o", "d.o", "w.o": the kin markers written with a dot for the slash, after a name.
        if c == '.'
            && letters_before > 1
            && dotted_kin_marker(&current, &name[index + c.len_utf8()..])
        {
            current.push('/');
            continue;
        }
        if c.is_alphanumeric() {
            letters_before += 1;
        }
        if is_word_char(c) {
            // A change of script inside a run of letters separates two words.
            let arabic = is_arabic_char(c);
            let letter = c.is_alphanumeric();
            if letter && previous_arabic.is_some_and(|p| p != arabic) {
                flush(&mut current, &mut pending_comma, &mut after_comma);
            }
            if letter {
                previous_arabic = Some(arabic);
            }
            if syllable_script(c) {
                // One word per syllable; the comparison joins neighbours (Jin Ping ~ Jinping).
                flush(&mut current, &mut pending_comma, &mut after_comma);
                current.push(c);
                flush(&mut current, &mut pending_comma, &mut after_comma);
                continue;
            }
            current.push(c);
        } else {
            flush(&mut current, &mut pending_comma, &mut after_comma);
            previous_arabic = None;
            if c == ',' || c == '،' {
                pending_comma = true;
            }
        }
    }
    flush(&mut current, &mut pending_comma, &mut after_comma);
    out
}

/// True when a dot after `current` (the word so far) and before `rest` writes a kin marker
/// (s.o, d.o, w.o, h.o: son, daughter, wife, husband of), the o ending a word. The caller
/// makes sure a name came before (H.O. Ali opens with initials).
fn dotted_kin_marker(current: &str, rest: &str) -> bool {
    let mut rest = rest.chars();
    matches!(current, "s" | "S" | "d" | "D" | "w" | "W" | "h" | "H")
        && matches!(rest.next(), Some('o' | 'O'))
        && rest.next().is_none_or(|next| !next.is_alphanumeric())
}

fn push_word(text: &str, after_comma: bool, out: &mut Vec<Word>) {
    // "s/o" (and h/o, husband of; r/o, resident of; c/o, care of; f/n, father's name) keeps
    // its slash; any other slash separates words.
    let lower = text.to_lowercase();
    if matches!(
        lower.as_str(),
        "s/o" | "d/o" | "w/o" | "h/o" | "r/o" | "c/o" | "f/n"
    ) {
        out.push(Word {
            text: text.to_string(),
            folded: lower,
            arabic: false,
            cyrillic: false,
            consonantal: false,
            after_comma,
        });
        return;
    }
    for part in text.split('/') {
        if part.is_empty() {
            continue;
        }
        let arabic = part.chars().any(is_arabic_char);
        let mut folded = String::with_capacity(part.len());
        let mut cyrillic = false;
        if arabic {
            let decomposed: String = part.nfkd().collect();
            for c in construct_state(&decomposed).chars() {
                if let Some(letter) = fold_arabic_char(c)
                    && (is_arabic_char(letter) || letter.is_ascii_digit())
                    && !is_combining_mark(letter)
                {
                    folded.push(letter);
                }
            }
        } else {
            cyrillic = fold_latin(part, &mut folded);
            read_digits_as_letters(&mut folded);
        }
        if !folded.is_empty() {
            out.push(Word {
                text: part.to_string(),
                folded,
                arabic,
                cyrillic,
                consonantal: !arabic && part.chars().any(consonantal_script),
                after_comma,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(name: &str, expected: &[&str]) {
        let folded: Vec<String> = words(name).into_iter().map(|w| w.folded).collect();
        assert_eq!(folded, expected, "words of {name:?}");
    }

    #[test]
    fn estonian_ts_haček_is_the_russian_ch() {
        check("Sergei Petrakovitš", &["sergei", "petrakovich"]);
        check("Tšernõšov", &["chernoshov"]);
        // Elsewhere š is sh.
        check("Šaháb", &["shahab"]);
    }

    #[test]
    fn digits_inside_words_are_read_as_the_letters_they_look_like() {
        check("Vlad1mir Put1n", &["vladimir", "putin"]);
        check("5ergei A1i", &["sergei", "ali"]);
        check("M0hammad Wa1id", &["mohammad", "walid"]);
        // Numbers and ordinals are not names misspelt.
        check("Child 3", &["child", "3"]);
        check("Thomas 1st Baron", &["thomas", "1st", "baron"]);
    }

    #[test]
    fn other_scripts_are_transliterated_and_han_and_hangul_split_by_syllable() {
        check("Αλέξης Τσίπρας", &["alexis", "tsipras"]);
        check("习近平", &["xi", "jin", "ping"]);
        check("김정은", &["gim", "jeong", "eun"]);
        // Halfwidth katakana are the ordinary letters, voicing marks included.
        check("ﾌﾟｰﾁﾝ", &["puchin"]);
        // Hebrew: hard b/k/p at the start, vav and yod inside a word as vowels.
        check("בנימין", &["bnimin"]);
        let word = &words("नरेन्द्र मोदी")[0];
        assert!(word.consonantal && !words("Narendra")[0].consonantal);
    }

    #[test]
    fn serbian_and_macedonian_cyrillic_letters_are_spelt_as_their_latin_alphabets_do() {
        check("Богољуб Карић", &["bogoljub", "karich"]);
        check("Ђорђе Џафер", &["djordje", "jafer"]);
    }

    #[test]
    fn words_are_folded() {
        check("AL-'ULABI, 'Adel Anwar", &["al", "ulabi", "adel", "anwar"]);
        check("Isma'il Hafiz", &["ismail", "hafiz"]);
        check(
            "M. Hashem s/o Abdul Rahman",
            &["m", "hashem", "s/o", "abdul", "rahman"],
        );
        check(
            "Hashem S.O Abdul Rahman F/N Karim",
            &["hashem", "s/o", "abdul", "rahman", "f/n", "karim"],
        );
        // Not a dot between initials: "M.S. Omar", "H.O. Ali".
        check("M.S. Omar", &["m", "s", "omar"]);
        check("H.O. Ali", &["h", "o", "ali"]);
        check(
            "José Müller-Lüdenscheidt",
            &["jose", "muller", "ludenscheidt"],
        );
        check("Фуад Гулієв", &["fuad", "guliyev"]);
        check(
            "حاجى مالك نورزى (Hajji",
            &["حاجی", "مالک", "نورزی", "hajji"],
        );
        check("  ", &[]);
        check("Ørsted Łukasz Straße", &["orsted", "lukasz", "strasse"]);
    }

    #[test]
    fn comma_marks_following_words() {
        let marks: Vec<bool> = words("AHMADZAI, Hashem Khan")
            .iter()
            .map(|w| w.after_comma)
            .collect();
        assert_eq!(marks, [false, true, true]);
    }
}
