//! Blocking keys: short codes that variant spellings of a name share, for dedup and screening.
//!
//! Each compared token gives a key made from its canonical form's phonetic skeleton, coarsened
//! further (th/t, sh/s, ch/j, kh/k, p/b, v dropped) so that conventions that differ there still
//! meet. A very common token (Muhammad, Ali, Khan) makes blocks too large to be useful, so it
//! gives no key of its own; it is paired with the next token instead. A name made only of
//! common tokens keys on its two first tokens together.

use crate::NameEngine;
use crate::parse::{ParsedName, Token, TokenRole};

/// Coarsens a skeleton into a blocking code.
fn coarse(skeleton: &str) -> String {
    let mut out = String::with_capacity(skeleton.len());
    for c in skeleton.chars() {
        let mapped = match c {
            'T' => Some('t'),
            'S' => Some('s'),
            'C' => Some('j'),
            'x' | 'g' | 'q' => Some('k'),
            'p' => Some('b'),
            'z' => Some('z'),
            'v' | 'y' | 'h' => None,
            other => Some(other),
        };
        if let Some(mapped) = mapped
            && !out.ends_with(mapped)
        {
            out.push(mapped);
        }
    }
    out
}

/// A token's key: its canonical form's coarse skeleton, so that every spelling of a class
/// shares it.
fn key_code(token: &Token) -> String {
    coarse(&crate::phonetic::skeleton(&token.canonical))
}

impl NameEngine {
    /// Blocking keys of a parsed name (sorted, without duplicates).
    pub fn keys_parsed(&self, parsed: &ParsedName) -> Vec<String> {
        let common_below = self.tuning.key_common_weight;
        let tokens: Vec<_> = parsed
            .tokens
            .iter()
            .filter(|t| t.is_compared() && !matches!(t.role, TokenRole::Title | TokenRole::Initial))
            .collect();
        let mut keys = Vec::new();
        // Keys come from the canonical form, so that every spelling of a class shares them; a
        // name with related names (Tom: Thomas, Jack: John) also keys as each of its groups,
        // and one with other readings of its c (Cebrail: Jebrail; Cadale: Adale) as those.
        let codes: Vec<Vec<String>> = tokens
            .iter()
            .map(|t| {
                let mut token_codes = vec![key_code(t)];
                for read in t.readings() {
                    let code = key_code(read);
                    if !token_codes.contains(&code) {
                        token_codes.push(code);
                    }
                }
                token_codes.extend(t.nicknames.iter().map(|group| format!("~{group}")));
                token_codes
            })
            .collect();
        for (position, token) in tokens.iter().enumerate() {
            if token.weight >= common_below {
                keys.extend(codes[position].iter().filter(|c| c.len() >= 2).cloned());
            }
        }
        // A Wade-Giles given name written apart (Tse-tung) keys as its Pinyin run together
        // too (Zedong), as Pinyin lists write it.
        for (pair, hot) in parsed.fused.iter().zip(&parsed.fused_hot) {
            if hot.pinyin {
                for read in pair.token.readings() {
                    let code = key_code(read);
                    if code.len() >= 2 {
                        keys.push(code);
                    }
                }
            }
        }
        if keys.is_empty() {
            // Only common names: key on pairs of them, in sorted order so that order is free.
            // One name (or one name repeated) keys alone, as itself and as its groups.
            let mut distinct: Vec<&String> = codes
                .iter()
                .map(|c| &c[0])
                .filter(|c| !c.is_empty())
                .collect();
            distinct.sort();
            distinct.dedup();
            if distinct.len() == 1 {
                let alone = codes.iter().find(|c| &c[0] == distinct[0]);
                keys.extend(alone.into_iter().flatten().cloned());
            }
            for (i, first) in codes.iter().enumerate() {
                for second in &codes[i + 1..] {
                    for x in first.iter().filter(|c| !c.is_empty()) {
                        for y in second.iter().filter(|c| !c.is_empty() && *c != x) {
                            let (low, high) = if x < y { (x, y) } else { (y, x) };
                            keys.push(format!("{low}+{high}"));
                        }
                    }
                }
            }
        }
        keys.sort();
        keys.dedup();
        keys
    }
}

#[cfg(test)]
mod tests {
    use crate::NameEngine;

    fn shares_key(a: &str, b: &str) -> bool {
        let engine = NameEngine::new();
        let (keys_a, keys_b) = (engine.keys(a), engine.keys(b));
        keys_a.iter().any(|k| keys_b.contains(k))
    }

    #[test]
    fn wade_giles_given_names_key_as_pinyin_run_together() {
        assert!(shares_key("Mao Tse-tung", "Mao Zedong"));
        assert!(shares_key("Hsi Chin-p'ing", "Xi Jinping"));
    }

    #[test]
    fn variants_share_a_key() {
        for (a, b) in [
            ("Mohammad Hashem Ahmadzai", "Muhammad Hashim"),
            ("Mohammad Hashem Ahmadzai", "محمد هاشم احمدزی"),
            ("HASHIM AHMADZAI MOHAMMAD", "M. Hashem s/o Abdul Rahman"),
            ("Khalid Qasim", "Xalid Kassem"),
            ("Mawlawi Nasrullah", "Maulavi Nasr Ullah"),
            ("Abdurrahman Dawood", "Abd al-Rahman Daud"),
            ("Cebrail Guzel", "Jebrail Guzel"),
            ("Cadale Khalif", "Adale Khalif"),
        ] {
            assert!(shares_key(a, b), "{a} / {b} should share a blocking key");
        }
    }

    #[test]
    fn unrelated_names_do_not_share_a_key() {
        for (a, b) in [
            ("Mohammad Hashem", "Mohammad Karim"),
            ("Olaf Scholz", "Angela Merkel"),
        ] {
            assert!(
                !shares_key(a, b),
                "{a} / {b} should not share a blocking key"
            );
        }
    }
}
