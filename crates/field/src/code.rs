//! Pass codes: ten Crockford base-32 symbols (50 random bits) and one check symbol, shown as
//! `K7QM-2XDP-9RT`. A code carries no name, so a photographed pass reveals nothing; only its
//! SHA-256 is stored, so the database does not hold usable passes either.
//!
//! The check symbol is `Σ (i+1)·vᵢ mod 31`: every single mistyped symbol and every swap of two
//! symbols is caught before any lookup (except a 0 typed for a Z or the reverse, which differ
//! by 31), so a typing slip at the gate says "mistyped" rather than "unknown pass".

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

/// Crockford's alphabet: no I, L, O or U, so nothing reads as another symbol.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Data symbols in a code.
pub const DATA_SYMBOLS: usize = 10;
/// Random bits a code carries.
pub const ENTROPY_BITS: u32 = 50;

/// Why a typed code was refused before any lookup.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("a pass code has 11 symbols (like K7QM-2XDP-9RT); this one has {0}")]
    Length(usize),
    #[error(
        "'{0}' cannot be in a pass code: codes use the digits and the letters A-Z except I, L, O and U"
    )]
    Symbol(char),
    #[error("this code is mistyped (its last symbol does not match): read it again from the pass")]
    Check,
}

/// A pass code, canonical: eleven upper-case Crockford symbols, check symbol last.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PassCode(String);

fn value(symbol: char) -> Result<u8, CodeError> {
    let upper = symbol.to_ascii_uppercase();
    // Crockford's reading of look-alikes, and the Persian and Arabic-Indic digits a phone
    // keyboard in Dari or Pashto types.
    let upper = match upper {
        'I' | 'L' => '1',
        'O' => '0',
        '۰'..='۹' => char::from(b'0' + (symbol as u32 - '۰' as u32) as u8),
        '٠'..='٩' => char::from(b'0' + (symbol as u32 - '٠' as u32) as u8),
        other => other,
    };
    ALPHABET
        .iter()
        .position(|&a| char::from(a) == upper)
        .map(|p| p as u8)
        .ok_or(CodeError::Symbol(symbol))
}

fn check_symbol(values: &[u8]) -> u8 {
    let sum: u32 = values
        .iter()
        .enumerate()
        .map(|(i, &v)| (i as u32 + 1) * u32::from(v))
        .sum();
    (sum % 31) as u8
}

impl PassCode {
    /// A new code from 8 random bytes (the caller's secure random source); 50 of the 64 bits
    /// are used.
    pub fn from_entropy(entropy: [u8; 8]) -> PassCode {
        let mut bits = u64::from_le_bytes(entropy);
        let mut values = Vec::with_capacity(DATA_SYMBOLS + 1);
        for _ in 0..DATA_SYMBOLS {
            values.push((bits & 31) as u8);
            bits >>= 5;
        }
        values.push(check_symbol(&values));
        PassCode(
            values
                .iter()
                .map(|&v| char::from(ALPHABET[v as usize]))
                .collect(),
        )
    }

    /// Reads a code as typed or scanned: any case, dashes and spaces ignored, I/L read as 1
    /// and O as 0, Persian digits accepted, an `AIRBRIDGE:` prefix (the QR payload) dropped.
    pub fn parse(text: &str) -> Result<PassCode, CodeError> {
        let text = text.trim();
        let text = text
            .strip_prefix("AIRBRIDGE:")
            .or_else(|| text.strip_prefix("airbridge:"))
            .unwrap_or(text);
        let symbols: Vec<char> = text
            .chars()
            .filter(|c| !matches!(c, '-' | ' ' | '\u{2010}'..='\u{2015}' | '\u{00a0}'))
            .collect();
        if symbols.len() != DATA_SYMBOLS + 1 {
            return Err(CodeError::Length(symbols.len()));
        }
        let values = symbols
            .iter()
            .map(|&c| value(c))
            .collect::<Result<Vec<u8>, _>>()?;
        if check_symbol(&values[..DATA_SYMBOLS]) != values[DATA_SYMBOLS] {
            return Err(CodeError::Check);
        }
        Ok(PassCode(
            values
                .iter()
                .map(|&v| char::from(ALPHABET[v as usize]))
                .collect(),
        ))
    }

    /// The eleven symbols, no dashes.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What a QR code on the pass holds: the code and a prefix, nothing else.
    pub fn qr_payload(&self) -> String {
        format!("AIRBRIDGE:{}", self.0)
    }

    /// What the store keeps and the gate's offline list carries: SHA-256 of
    /// `airbridge-pass:` and the canonical code, lower-case hex. A browser computes the same
    /// with WebCrypto.
    pub fn hash(&self) -> String {
        let digest = Sha256::digest(format!("airbridge-pass:{}", self.0).as_bytes());
        hex::encode(digest)
    }
}

impl fmt::Display for PassCode {
    /// `K7QM-2XDP-9RT`: groups of four, easy to read out over a phone line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.0;
        write!(f, "{}-{}-{}", &s[0..4], &s[4..8], &s[8..])
    }
}

impl fmt::Debug for PassCode {
    /// Never the whole code in logs or debug output.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PassCode({}…)", &self.0[..2])
    }
}

impl TryFrom<String> for PassCode {
    type Error = CodeError;
    fn try_from(text: String) -> Result<PassCode, CodeError> {
        PassCode::parse(&text)
    }
}

impl From<PassCode> for String {
    fn from(code: PassCode) -> String {
        code.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_code_reads_back_in_every_written_form() {
        let code = PassCode::from_entropy([7, 1, 2, 3, 4, 5, 6, 9]);
        let shown = code.to_string();
        assert_eq!(shown.len(), 13);
        assert_eq!(PassCode::parse(&shown).unwrap(), code);
        assert_eq!(PassCode::parse(&shown.to_lowercase()).unwrap(), code);
        assert_eq!(PassCode::parse(&code.qr_payload()).unwrap(), code);
        assert_eq!(
            PassCode::parse(&format!("  {}  ", code.as_str())).unwrap(),
            code
        );
    }

    #[test]
    fn persian_digits_and_look_alikes_are_read() {
        // A code of zeros and ones only, typed with Persian digits and with O and I.
        let code = PassCode::from_entropy([0; 8]);
        assert_eq!(code.as_str(), "00000000000");
        assert_eq!(PassCode::parse("۰۰۰۰-OOOO-000").unwrap(), code);
        let ones = code.as_str().replace('0', "1");
        let ones = format!(
            "{}{}",
            &ones[..10],
            char::from(ALPHABET[check_symbol(&[1; 10]) as usize])
        );
        let typed = ones.replacen('1', "l", 3).replacen('1', "I", 2);
        assert_eq!(PassCode::parse(&typed).unwrap().as_str(), ones);
    }

    #[test]
    fn bad_codes_say_why() {
        assert_eq!(PassCode::parse("K7QM-2XDP"), Err(CodeError::Length(8)));
        assert_eq!(
            PassCode::parse("K7QM-2XDP-9U1"),
            Err(CodeError::Symbol('U'))
        );
        let code = PassCode::from_entropy([9; 8]);
        let mut wrong: Vec<char> = code.as_str().chars().collect();
        wrong[3] = if wrong[3] == 'A' { 'B' } else { 'A' };
        let wrong: String = wrong.into_iter().collect();
        assert_eq!(PassCode::parse(&wrong), Err(CodeError::Check));
    }

    #[test]
    fn debug_output_hides_the_code() {
        let code = PassCode::from_entropy([3; 8]);
        assert!(!format!("{code:?}").contains(&code.as_str()[2..]));
    }

    #[test]
    fn the_hash_is_stable_and_hex() {
        let code = PassCode::parse(&PassCode::from_entropy([1; 8]).to_string()).unwrap();
        let hash = code.hash();
        assert_eq!(hash.len(), 64);
        assert_eq!(hash, PassCode::from_entropy([1; 8]).hash());
        assert_ne!(hash, PassCode::from_entropy([2; 8]).hash());
    }

    proptest! {
        #[test]
        fn every_code_parses_to_itself(entropy in any::<[u8; 8]>()) {
            let code = PassCode::from_entropy(entropy);
            prop_assert_eq!(PassCode::parse(&code.to_string()).unwrap(), code.clone());
            prop_assert_eq!(serde_json_roundtrip(&code), code);
        }

        #[test]
        fn one_mistyped_symbol_is_caught(entropy in any::<[u8; 8]>(), at in 0usize..11, to in 0usize..32) {
            let code = PassCode::from_entropy(entropy);
            let mut symbols: Vec<char> = code.as_str().chars().collect();
            let was = value(symbols[at]).unwrap() as usize;
            prop_assume!(to != was && (to as i32 - was as i32).abs() != 31);
            symbols[at] = char::from(ALPHABET[to]);
            let typed: String = symbols.into_iter().collect();
            prop_assert_eq!(PassCode::parse(&typed), Err(CodeError::Check));
        }

        #[test]
        fn two_swapped_symbols_are_caught(entropy in any::<[u8; 8]>(), a in 0usize..11, b in 0usize..11) {
            let code = PassCode::from_entropy(entropy);
            let mut symbols: Vec<char> = code.as_str().chars().collect();
            let (va, vb) = (value(symbols[a]).unwrap() as i32, value(symbols[b]).unwrap() as i32);
            prop_assume!(a != b && va != vb && (va - vb).abs() != 31);
            symbols.swap(a, b);
            let typed: String = symbols.into_iter().collect();
            prop_assert_eq!(PassCode::parse(&typed), Err(CodeError::Check));
        }

        #[test]
        fn parsing_never_panics(text in "\\PC{0,30}") {
            let _ = PassCode::parse(&text);
        }
    }

    fn serde_json_roundtrip(code: &PassCode) -> PassCode {
        serde_json::from_str(&serde_json::to_string(code).unwrap()).unwrap()
    }
}
