//! Folding of Persian (Extended Arabic-Indic) and Arabic-Indic digits to ASCII digits, and
//! back to Persian digits for what Dari and Pashto readers see.
//!
//! Lists typed in Dari or Pashto write dates and numbers as ۱۳۶۵/۰۵/۱۲ or ١٣٦٥; every parser
//! of numbers in Airbridge folds them first.

/// Returns `text` with every Persian or Arabic-Indic digit replaced by its ASCII digit, and the
/// Arabic decimal/date separators (`٫`, `٬`) by `.` and `,`.
pub fn fold_digits(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{0660}'..='\u{0669}' => char::from(b'0' + (c as u32 - 0x0660) as u8),
            '\u{06F0}'..='\u{06F9}' => char::from(b'0' + (c as u32 - 0x06F0) as u8),
            '\u{066B}' => '.',
            '\u{066C}' => ',',
            other => other,
        })
        .collect()
}

/// Western digits made Persian (Extended Arabic-Indic, U+06F0–U+06F9), as Dari and Pashto
/// readers expect them and as their forms are typed; everything else is left as it is.
pub fn persian_digits(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(0x06F0 + (c as u32 - '0' as u32)).unwrap_or(c),
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{fold_digits, persian_digits};

    #[test]
    fn persian_digits_replace_western_ones_only_and_fold_back() {
        assert_eq!(persian_digits("09:30, 2021"), "۰۹:۳۰, ۲۰۲۱");
        assert_eq!(persian_digits("K7"), "K۷");
        assert_eq!(fold_digits(&persian_digits("1365/05/12")), "1365/05/12");
    }

    #[test]
    fn folds_persian_and_arabic_indic_digits() {
        assert_eq!(fold_digits("۱۳۶۵/۰۵/۱۲"), "1365/05/12");
        assert_eq!(fold_digits("١٩٨٦"), "1986");
        assert_eq!(fold_digits("abc 42"), "abc 42");
    }
}
