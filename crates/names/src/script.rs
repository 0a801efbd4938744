//! Arabic-script handling: folding of letter variants and romanisation to the Latin comparison form.
//!
//! Arabic script writes Dari, Pashto, Arabic and Urdu with different letters for the same
//! sounds (Arabic ي/ك and Persian ی/ک), optional short-vowel marks (harakat), the tatweel
//! stretch and zero-width joiners. We fold all of those away, then romanise: first through the
//! name dictionaries (which restore the short vowels the script leaves out), else letter by letter
//! through our own table. Table output has no short vowels, so such tokens are flagged
//! `vowelless` and compared on their consonant skeleton only.

/// True for characters of the Arabic blocks (Arabic, Supplement, Extended-A, Presentation Forms).
pub fn is_arabic_char(c: char) -> bool {
    matches!(c as u32, 0x0600..=0x06FF | 0x0750..=0x077F | 0x08A0..=0x08FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF)
}

/// Folds one Arabic-script character to its canonical letter, or `None` to drop it.
///
/// Presentation forms are expected to be decomposed by NFKC before this is called.
pub fn fold_arabic_char(c: char) -> Option<char> {
    Some(match c {
        // Harakat, Quranic marks, superscript alef, tatweel, hamza on its own: not letters.
        '\u{064B}'..='\u{065F}'
        | '\u{0670}'
        | '\u{0640}'
        | '\u{0621}'
        | '\u{06D6}'..='\u{06ED}' => return None,
        '\u{200C}' | '\u{200D}' | '\u{200E}' | '\u{200F}' => return None,
        'ي' | 'ى' | 'ئ' | 'ے' | 'ۓ' => 'ی',
        'ك' => 'ک',
        'ة' | 'ە' | 'ۀ' | 'ہ' | 'ۂ' | 'ھ' => 'ه',
        'أ' | 'إ' | 'آ' | 'ٱ' => 'ا',
        'ؤ' => 'و',
        'ٹ' => 'ټ',
        'ڈ' => 'ډ',
        'ڑ' => 'ړ',
        'ں' => 'ن',
        other => other,
    })
}

/// Folds a whole Arabic-script word (see [`fold_arabic_char`] and [`construct_state`]).
pub fn fold_arabic(word: &str) -> String {
    construct_state(word)
        .chars()
        .filter_map(fold_arabic_char)
        .collect()
}

/// The word with each ة that Allah follows inside it written ت, as it is said (the construct
/// state) and as Persian writes it: هبةالله is هبت‌الله, Hibatullah. Not before any article:
/// أسامةالمالكي run together is Usama al-Maliki. Marks between the letters are passed over.
pub fn construct_state(word: &str) -> std::borrow::Cow<'_, str> {
    if !word.contains('ة') {
        return std::borrow::Cow::Borrowed(word);
    }
    let letters: Vec<(char, Option<char>)> =
        word.chars().map(|c| (c, fold_arabic_char(c))).collect();
    let mut out = String::with_capacity(word.len());
    for (index, &(original, _)) in letters.iter().enumerate() {
        let allah = || {
            letters[index + 1..]
                .iter()
                .filter_map(|&(_, folded)| folded)
                .take(4)
                .eq("الله".chars())
        };
        out.push(if original == 'ة' && allah() {
            'ت'
        } else {
            original
        });
    }
    std::borrow::Cow::Owned(out)
}

/// True when the last letter of an Arabic-script word (marks aside) is ة, the ta marbuta.
pub fn ends_with_ta_marbuta(word: &str) -> bool {
    word.chars().rev().find(|&c| fold_arabic_char(c).is_some()) == Some('ة')
}

/// A folded word with Pashto's own letters written as Dari writes those sounds (ګ گ, ټ ت,
/// ډ د, ړ ر, ڼ ن, ږ ژ, ښ ش, and the vowel letters ې ۍ as ی), as people type Pashto names
/// on a Dari keyboard. Borrowed when there is none. Not ځ and څ, which Dari has no one
/// letter for.
pub fn dari_letters(folded: &str) -> std::borrow::Cow<'_, str> {
    const PASHTO: [char; 9] = ['ګ', 'ټ', 'ډ', 'ړ', 'ڼ', 'ږ', 'ښ', 'ې', 'ۍ'];
    if !folded.contains(PASHTO) {
        return std::borrow::Cow::Borrowed(folded);
    }
    std::borrow::Cow::Owned(
        folded
            .chars()
            .map(|c| match c {
                'ګ' => 'گ',
                'ټ' => 'ت',
                'ډ' => 'د',
                'ړ' => 'ر',
                'ڼ' => 'ن',
                'ږ' => 'ژ',
                'ښ' => 'ش',
                'ې' | 'ۍ' => 'ی',
                other => other,
            })
            .collect(),
    )
}

/// True when `rest`, the letters after an h, are the Persian -i written on a silent h (ای),
/// ending the word. The parser writes the hamza's spelling (ه‌ئی) so before the lookup.
fn persian_ei(rest: &[char]) -> bool {
    rest == ['ا', 'ی']
}

/// Romanises a folded Arabic-script word letter by letter.
///
/// The table follows the conventions of Afghan (BGN/PCGN Dari and Pashto) romanisation, since
/// those are the spellings Airbridge's lists use: ذ ض ظ are "z", ث is "th" (compared cheaply
/// with "s" and "t"), ق is "q". Word-initial ا/ع give the vowel "a"; و and ی are vowels inside a
/// word and consonants at its start.
pub fn romanise_table(folded: &str) -> String {
    let letters: Vec<char> = folded.chars().collect();
    let mut out = String::with_capacity(letters.len() * 2);
    for (index, &letter) in letters.iter().enumerate() {
        let first = index == 0;
        let last = index + 1 == letters.len();
        let previous = if first {
            None
        } else {
            Some(letters[index - 1])
        };
        let piece: &str = match letter {
            // The seat of the Persian -i written on a silent h (see ه below).
            'ا' if index >= 2 && letters[index - 1] == 'ه' && letters[index + 1..] == ['ی'] => {
                ""
            }
            'ا' => "a",
            'ب' => "b",
            'پ' => "p",
            'ت' | 'ط' | 'ټ' => "t",
            'ث' => "th",
            'ج' => "j",
            'چ' => "ch",
            'ح' => "h",
            'خ' => "kh",
            'د' | 'ډ' => "d",
            'ذ' | 'ز' | 'ض' | 'ظ' | 'ځ' => "z",
            'ر' | 'ړ' => "r",
            'ژ' | 'ږ' => "zh",
            'س' | 'ص' | 'څ' => "s",
            'ش' | 'ښ' => "sh",
            'ع' if first => "a",
            'غ' => "gh",
            'ف' => "f",
            'ق' => "q",
            'ک' => "k",
            'گ' | 'ګ' => "g",
            'ل' => "l",
            'م' => "m",
            'ن' | 'ڼ' => "n",
            'و' if first => "w",
            // Beside a long a, and before ی, و is the consonant (راوری ravari, خواجه khwaja,
            // نوید navid, هروی heravi, پرویز parviz); the separator tells the skeleton so.
            'و' if previous == Some('ا') || matches!(letters.get(index + 1), Some('ا' | 'ی')) => {
                "'w"
            }
            'و' => "u",
            // A final h after a consonant is the -a/-eh ending (Hamza, Fatemeh).
            // The -i written on a silent h (خامنه‌ای Khamenei, اژه‌ای Ezhei):
            // the h is the vowel e, the alef or hamza seat only carries the i.
            'ه' if previous.is_some_and(|p| p != 'ا') && persian_ei(&letters[index + 1..]) => "e",
            'ه' if last && previous.is_some_and(|p| p != 'ا') => "a",
            'ه' => "h",
            'ی' if first => "y",
            'ی' => "i",
            'ې' => "e",
            'ۍ' => "ai",
            '0'..='9' => "",
            '٠'..='٩' | '۰'..='۹' => "",
            _ => "",
        };
        // Two letters that would read as one digraph (س+ه is not ش, پ+ه is not ف): a separator
        // keeps them apart for the skeleton, which skips it.
        if crate::phonetic::false_digraph(&out, piece) {
            out.push(crate::phonetic::SEPARATOR);
        }
        out.push_str(piece);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: &str) {
        assert_eq!(
            romanise_table(&fold_arabic(input)),
            expected,
            "romanising {input}"
        );
    }

    #[test]
    fn ta_marbuta_before_allah_is_t() {
        assert_eq!(fold_arabic("هبةالله"), "هبتالله");
        // Marks are passed over; two words are the caller's to join (`romanise`).
        assert_eq!(fold_arabic("هبةُالله"), "هبتالله");
        assert_eq!(fold_arabic("هبة الله"), "هبه الله");
        assert_eq!(fold_arabic("أسامةالمالكي"), "اسامهالمالکی");
        assert!(ends_with_ta_marbuta("نعمةٌ"));
        assert!(!ends_with_ta_marbuta("نعمت"));
    }

    #[test]
    fn pashto_letters_in_dari() {
        assert_eq!(dari_letters("ګلالۍ"), "گلالی");
        assert_eq!(dari_letters("کاکړ"), "کاکر");
        assert_eq!(dari_letters("ښکلا"), "شکلا");
        // ځ has no Dari letter; a word with no Pashto letter comes back as it was.
        assert_eq!(dari_letters("ځدراڼ"), "ځدران");
        assert!(matches!(
            dari_letters("احمد"),
            std::borrow::Cow::Borrowed("احمد")
        ));
    }

    #[test]
    fn table_romanisation() {
        check("محمد", "mhmd");
        check("مُحَمَّد", "mhmd");
        check("احمدزی", "ahmdzi");
        check("احمدزي", "ahmdzi");
        check("عمر", "amr");
        check("حمزه", "hmza");
        check("ګل", "gl");
        check("کـــاکړ", "kakr");
        check("نور\u{200C}زی", "nurzi");
        check("سپهر", "sp'hr");
        check("محمدحسین", "mhmd'hsin");
        check("اسحاق", "as'haq");
        // The Persian -i on a silent h: اژه‌ای Ezhei, not azh-hai; a final h alone stays -a,
        // and an h before a long a that ends nothing stays h.
        check("اژه\u{200C}ای", "azhei");
        check("قمشهای", "qmshei");
        check("اژه", "azha");
        check("الهام", "alham");
        check("شهاب", "shhab");
        check("راوری", "ra'wri");
    }
}
