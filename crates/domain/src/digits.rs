//! Folding of Persian (Extended Arabic-Indic) and Arabic-Indic digits to ASCII digits.
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

#[cfg(test)]
mod tests {
    use super::fold_digits;

    #[test]
    fn folds_persian_and_arabic_indic_digits() {
        assert_eq!(fold_digits("۱۳۶۵/۰۵/۱۲"), "1365/05/12");
        assert_eq!(fold_digits("١٩٨٦"), "1986");
        assert_eq!(fold_digits("abc 42"), "abc 42");
    }
}
