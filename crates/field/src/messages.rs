//! The call-forward message: where and when to come, what to bring and the pass code, in Dari,
//! Pashto, English or French, for one phone.
//!
//! The text names nobody. It goes to one person's phone, and a message that is forwarded,
//! read over a shoulder or found on a phone taken at a checkpoint must not say who was called:
//! it holds the gate, the meeting point, the window, the code and the warning that the code is
//! personal and single-use, nothing else.
//!
//! Times are shown in Kabul time (UTC+04:30) with their date, in Persian digits for Dari and
//! Pashto. In the right-to-left texts the code and the link (Latin, left to right) are wrapped
//! in Unicode isolates (LRI … PDI), and the operator's free text (gate, meeting point) in
//! first-strong isolates (FSI … PDI), so a Latin run never drags the Persian words around it
//! out of order and the code reads left to right as printed on the pass.
//!
//! The Dari and Pashto texts were written for this module and **need review by a native
//! speaker** before they are sent to anyone.

use crate::PassCode;
use time::{Date, Month, OffsetDateTime, UtcOffset};

/// Kabul's offset from UTC; Afghanistan keeps no daylight saving time.
pub const KABUL: UtcOffset = time::macros::offset!(+4:30);

const LRI: char = '\u{2066}';
const FSI: char = '\u{2068}';
const PDI: char = '\u{2069}';

/// A language a call-forward message can be sent in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Language {
    Dari,
    Pashto,
    English,
    French,
}

impl Language {
    pub const ALL: [Language; 4] = [
        Language::Dari,
        Language::Pashto,
        Language::English,
        Language::French,
    ];

    /// The BCP 47 tag: `fa-AF`, `ps`, `en`, `fr`.
    pub fn code(self) -> &'static str {
        match self {
            Language::Dari => "fa-AF",
            Language::Pashto => "ps",
            Language::English => "en",
            Language::French => "fr",
        }
    }

    /// Written right to left (Dari and Pashto).
    pub fn is_right_to_left(self) -> bool {
        matches!(self, Language::Dari | Language::Pashto)
    }

    /// Reads what a person's `languages` list may hold: a BCP 47 tag (`fa-AF`, `prs`, `ps`,
    /// `pbt`, `en-GB`, `fr`), an ISO 639-2/3 code (`per`, `fas`, `pus`, `eng`, `fra`, `fre`), or
    /// the language's name in English, French or its own script (`Dari`, `Farsi`, `pachto`,
    /// `دری`, `پښتو`). Persian (`fa`, `fa-IR`) is read as Dari: the same written language.
    /// `None` for anything else (Uzbek, Urdu, …).
    pub fn parse(text: &str) -> Option<Language> {
        let text = text.trim().to_lowercase().replace('_', "-");
        let primary = text.split('-').next().unwrap_or_default();
        let by_code = match primary {
            "fa" | "prs" | "fas" | "per" => Some(Language::Dari),
            "ps" | "pus" | "pbt" | "pbu" | "pst" => Some(Language::Pashto),
            "en" | "eng" => Some(Language::English),
            "fr" | "fra" | "fre" => Some(Language::French),
            _ => None,
        };
        by_code.or(match text.as_str() {
            "dari" | "farsi" | "persian" | "persan" | "دری" | "دري" | "فارسی" | "فارسي" => {
                Some(Language::Dari)
            }
            "pashto" | "pushto" | "pachto" | "pachtou" | "pashtu" | "پښتو" | "پشتو" => {
                Some(Language::Pashto)
            }
            "english" | "anglais" | "انگلیسی" => Some(Language::English),
            "french" | "français" | "francais" | "فرانسوی" => Some(Language::French),
            _ => None,
        })
    }

    /// The language to write to a person in: the first of their languages that is one of the
    /// four, else Dari (the language most Afghans read, whatever they speak at home).
    pub fn for_person<S: AsRef<str>>(languages: &[S]) -> Language {
        languages
            .iter()
            .find_map(|l| Language::parse(l.as_ref()))
            .unwrap_or(Language::Dari)
    }
}

/// What one call-forward message says. Deliberately without any field for a person.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    /// The gate to come to (`Abbey Gate`, `North Gate`).
    pub gate: String,
    /// Where to wait before the gate, as the operator wrote it.
    pub rendezvous: String,
    pub window_start: OffsetDateTime,
    pub window_end: OffsetDateTime,
    pub code: PassCode,
    /// A link to the pass's page with its QR code, if one is sent.
    pub pass_link: Option<String>,
}

/// Why a time for a notice could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoticeError {
    #[error("'{0}' is not an RFC 3339 time (like 2021-08-24T09:00:00Z)")]
    Time(String),
}

/// Reads an RFC 3339 time such as `2021-08-24T09:00:00Z` for a [`Notice`]'s window.
pub fn parse_time(text: &str) -> Result<OffsetDateTime, NoticeError> {
    OffsetDateTime::parse(text.trim(), &time::format_description::well_known::Rfc3339)
        .map_err(|_| NoticeError::Time(text.to_owned()))
}

/// The fixed sentences of one language.
struct Text {
    heading: &'static str,
    gate: &'static str,
    rendezvous: &'static str,
    when: &'static str,
    from_to: [&'static str; 3],
    /// `, ` or the Arabic comma `، `.
    comma: &'static str,
    /// After a label: `: `, or ` : ` in French.
    colon: &'static str,
    local_time: &'static str,
    bring_label: &'static str,
    bring: &'static str,
    code: &'static str,
    link: &'static str,
    warning: &'static str,
    months: [&'static str; 12],
}

const ENGLISH: Text = Text {
    heading: "Airbridge: you are called to the airport.",
    gate: "Gate",
    rendezvous: "Meeting point",
    when: "When",
    from_to: ["", "to", ""],
    comma: ", ",
    colon: ": ",
    local_time: "Kabul time",
    bring_label: "Bring",
    bring: "passports or tazkiras of everyone in your family; employment documents. No large luggage.",
    code: "Your code",
    link: "Your pass with QR code",
    warning: "This code is personal and works only once. Do not give, forward or sell it to anyone.",
    months: [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ],
};

// Kept within GSM-7 (no ê, û, À, no-break spaces; "aout" as the 1990 spelling reform allows)
// so a French message costs 3 SMS rather than 8.
const FRENCH: Text = Text {
    heading: "Airbridge : convocation à l'aéroport.",
    gate: "Porte",
    rendezvous: "Rendez-vous",
    when: "Quand",
    from_to: ["de", "à", ""],
    comma: ", ",
    colon: " : ",
    local_time: "heure de Kaboul",
    bring_label: "Apportez",
    bring: "passeports ou tazkiras de toute la famille, documents d'emploi. Pas de gros bagages.",
    code: "Votre code",
    link: "Laissez-passer (code QR)",
    warning: "Code personnel, valable une seule fois. Ne le donnez, ne le transférez et ne le vendez à personne.",
    months: [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "aout",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
};

// Dari as written in Afghanistan (میدان هوایی, کود, تذکره, Gregorian months as used in
// Kabul). Needs review by a native speaker.
const DARI: Text = Text {
    heading: "ایربریج: شما به میدان هوایی فراخوانده شده‌اید.",
    gate: "دروازه",
    rendezvous: "جای ملاقات",
    when: "زمان",
    from_to: ["از ساعت", "تا", ""],
    comma: "، ",
    colon: ": ",
    local_time: "به وقت کابل",
    bring_label: "با خود بیاورید",
    bring: "پاسپورت یا تذکره همه اعضای خانواده، اسناد کاری. بار کلان نیاورید.",
    code: "کود شما",
    link: "پاس شما با کود QR",
    warning: "این کود شخصی است و تنها یک بار کار می‌کند. آن را به هیچ کس ندهید، نفرستید و نفروشید.",
    months: [
        "جنوری",
        "فبروری",
        "مارچ",
        "اپریل",
        "می",
        "جون",
        "جولای",
        "اگست",
        "سپتمبر",
        "اکتوبر",
        "نومبر",
        "دسمبر",
    ],
};

// Pashto (هوايي ډګر, کوډ, تذکره). Needs review by a native speaker.
const PASHTO: Text = Text {
    heading: "ایربریج: تاسو هوايي ډګر ته رابلل شوي یاست.",
    gate: "دروازه",
    rendezvous: "د لیدو ځای",
    when: "وخت",
    from_to: ["له", "بجو څخه تر", "بجو پورې"],
    comma: "، ",
    colon: ": ",
    local_time: "د کابل وخت",
    bring_label: "له ځان سره راوړئ",
    bring: "د کورنۍ د ټولو غړو پاسپورټونه یا تذکرې، د دندې اسناد. لوی بار مه راوړئ.",
    code: "ستاسو کوډ",
    link: "ستاسو پاس د QR کوډ سره",
    warning: "دا کوډ شخصي دی او یوازې یو ځل کارېږي. هیچا ته یې مه ورکوئ، مه یې لېږئ او مه یې پلورئ.",
    months: [
        "جنوري",
        "فبروري",
        "مارچ",
        "اپریل",
        "مۍ",
        "جون",
        "جولای",
        "اګست",
        "سپتمبر",
        "اکتوبر",
        "نومبر",
        "ډسمبر",
    ],
};

fn text(language: Language) -> &'static Text {
    match language {
        Language::Dari => &DARI,
        Language::Pashto => &PASHTO,
        Language::English => &ENGLISH,
        Language::French => &FRENCH,
    }
}

use airbridge_domain::digits::persian_digits;

fn month_index(month: Month) -> usize {
    usize::from(u8::from(month)) - 1
}

fn date(words: &Text, date: Date) -> String {
    format!(
        "{} {} {}",
        date.day(),
        words.months[month_index(date.month())],
        date.year()
    )
}

fn clock(time: OffsetDateTime) -> String {
    format!("{:02}:{:02}", time.hour(), time.minute())
}

/// The window in Kabul time: `24 Aug 2021, 09:00 to 11:30`, or with both dates when it
/// runs past midnight.
fn window(words: &Text, start: OffsetDateTime, end: OffsetDateTime) -> String {
    let (start, end) = (start.to_offset(KABUL), end.to_offset(KABUL));
    let [before, between, after] = words.from_to;
    let join = |parts: &[&str]| {
        parts
            .iter()
            .filter(|p| !p.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let separator = words.comma;
    if start.date() == end.date() {
        let times = join(&[before, &clock(start), between, &clock(end), after]);
        format!("{}{separator}{times}", date(words, start.date()))
    } else {
        let first = format!("{} {}", date(words, start.date()), clock(start));
        let last = format!("{} {}", date(words, end.date()), clock(end));
        join(&[before, &first, between, &last, after])
    }
}

/// The operator's text without bidirectional controls: a stray PDI would end our isolate early
/// and an override (U+202E) would show the text, or what follows, reversed.
fn without_bidi_controls(text: &str) -> String {
    text.trim()
        .chars()
        .filter(|c| !matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
        .collect()
}

/// The message for one phone, in one language. Never fails and never panics: the operator's
/// text is carried as it is (isolated in right-to-left texts).
pub fn render(language: Language, notice: &Notice) -> String {
    let words = text(language);
    let rtl = language.is_right_to_left();
    // Latin runs that must read left to right: the code and the link.
    let latin = |s: &str| {
        if rtl {
            format!("{LRI}{s}{PDI}")
        } else {
            s.to_owned()
        }
    };
    // The operator's text may be in either script: its own first strong letter decides.
    let free = |s: &str| {
        if rtl {
            format!("{FSI}{s}{PDI}")
        } else {
            s.to_owned()
        }
    };
    let mut when = window(words, notice.window_start, notice.window_end);
    if rtl {
        when = persian_digits(&when);
    }
    let colon = words.colon;
    let mut lines = vec![
        words.heading.to_owned(),
        format!(
            "{}{colon}{}",
            words.gate,
            free(&without_bidi_controls(&notice.gate))
        ),
        format!(
            "{}{colon}{}",
            words.rendezvous,
            free(&without_bidi_controls(&notice.rendezvous))
        ),
        format!("{}{colon}{when} ({})", words.when, words.local_time),
        format!("{}{colon}{}", words.bring_label, words.bring),
        format!("{}{colon}{}", words.code, latin(&notice.code.to_string())),
    ];
    if let Some(link) = &notice.pass_link {
        lines.push(format!(
            "{}{colon}{}",
            words.link,
            latin(&without_bidi_controls(link))
        ));
    }
    lines.push(words.warning.to_owned());
    lines.join("\n")
}

/// GSM 03.38's basic character set: these take one septet.
const GSM_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u{1b}ÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/// GSM 03.38's extension table: these take two septets (an escape and the character).
const GSM_EXTENDED: &str = "^{}\\[~]|€\u{0c}";

/// Whether a text fits GSM-7 (the basic set and its extension), the cheap encoding.
pub fn is_gsm7(text: &str) -> bool {
    text.chars()
        .all(|c| GSM_BASIC.contains(c) || GSM_EXTENDED.contains(c))
}

/// How many SMS a text costs: one of 160 GSM-7 septets or 70 UCS-2 units, or parts of 153 and
/// 67 when it must be split (each part carries a header). A character outside GSM-7 (any
/// Persian letter, `ê`, the isolates) makes the whole message UCS-2. An empty text costs 0.
pub fn sms_segments(text: &str) -> usize {
    if text.is_empty() {
        return 0;
    }
    let septets: Option<Vec<usize>> = text
        .chars()
        .map(|c| {
            if GSM_BASIC.contains(c) {
                Some(1)
            } else if GSM_EXTENDED.contains(c) {
                Some(2)
            } else {
                None
            }
        })
        .collect();
    // Units per character, then the single-message limit and the per-part limit. Parts never
    // split a character (an escape pair or a surrogate pair).
    let (units, single, part) = match septets {
        Some(septets) => (septets, 160, 153),
        None => (text.chars().map(char::len_utf16).collect(), 70, 67),
    };
    if units.iter().sum::<usize>() <= single {
        return 1;
    }
    let mut parts = 1;
    let mut used = 0;
    for unit in units {
        if used + unit > part {
            parts += 1;
            used = 0;
        }
        used += unit;
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn notice() -> Notice {
        Notice {
            gate: "Abbey Gate".into(),
            rendezvous: "Baron Hotel car park, by the blue container".into(),
            window_start: parse_time("2021-08-24T04:30:00Z").unwrap(),
            window_end: parse_time("2021-08-24T07:00:00Z").unwrap(),
            code: PassCode::from_entropy([7, 1, 2, 3, 4, 5, 6, 9]),
            pass_link: Some("https://airbridge.example/p/K7QM2XDP9RT".into()),
        }
    }

    #[test]
    fn every_language_holds_the_code_gate_window_and_warning() {
        let notice = notice();
        // 04:30Z is 09:00 in Kabul, 07:00Z is 11:30.
        let cases = [
            (
                Language::English,
                "24 Aug 2021, 09:00 to 11:30",
                "only once",
            ),
            (
                Language::French,
                "24 aout 2021, de 09:00 à 11:30",
                "une seule fois",
            ),
            (
                Language::Dari,
                "۲۴ اگست ۲۰۲۱، از ساعت ۰۹:۰۰ تا ۱۱:۳۰",
                "یک بار",
            ),
            (
                Language::Pashto,
                "۲۴ اګست ۲۰۲۱، له ۰۹:۰۰ بجو څخه تر ۱۱:۳۰ بجو پورې",
                "یو ځل",
            ),
        ];
        for (language, window, once) in cases {
            let text = render(language, &notice);
            assert!(
                text.contains(&notice.code.to_string()),
                "{language:?}: {text}"
            );
            assert!(text.contains("Abbey Gate"), "{language:?}");
            assert!(text.contains("Baron Hotel car park"), "{language:?}");
            assert!(text.contains(window), "{language:?}: {text}");
            assert!(text.contains(once), "{language:?}");
            assert!(text.contains("https://airbridge.example/p/K7QM2XDP9RT"));
            // Western digits of the window only in the left-to-right texts.
            assert_eq!(text.contains("09:00"), !language.is_right_to_left());
        }
    }

    #[test]
    fn right_to_left_texts_isolate_the_latin_runs() {
        let notice = notice();
        for language in [Language::Dari, Language::Pashto] {
            let text = render(language, &notice);
            assert!(text.contains(&format!("\u{2066}{}\u{2069}", notice.code)));
            assert!(text.contains("\u{2066}https://airbridge.example/p/K7QM2XDP9RT\u{2069}"));
            assert!(text.contains("\u{2068}Abbey Gate\u{2069}"));
        }
        for language in [Language::English, Language::French] {
            let text = render(language, &notice);
            assert!(!text.contains(['\u{2066}', '\u{2068}', '\u{2069}']));
        }
    }

    #[test]
    fn bidi_controls_in_the_operators_text_are_dropped() {
        let notice = Notice {
            gate: "Abbey\u{2069} Gate\u{202E}".into(),
            rendezvous: "\u{2066}car park\u{202D}".into(),
            ..notice()
        };
        for language in Language::ALL {
            let text = render(language, &notice);
            assert!(!text.contains(['\u{202D}', '\u{202E}']), "{language:?}");
            let closes = text.matches('\u{2069}').count();
            let opens = text.matches(['\u{2066}', '\u{2068}']).count();
            assert_eq!(opens, closes, "{language:?}");
            assert!(text.contains("Abbey Gate") && text.contains("car park"));
        }
    }

    #[test]
    fn a_window_past_midnight_shows_both_dates() {
        let notice = Notice {
            window_start: parse_time("2021-08-25T18:30:00Z").unwrap(),
            window_end: parse_time("2021-08-25T20:00:00Z").unwrap(),
            ..notice()
        };
        assert!(
            render(Language::English, &notice).contains("25 Aug 2021 23:00 to 26 Aug 2021 00:30")
        );
        assert!(
            render(Language::Dari, &notice)
                .contains("از ساعت ۲۵ اگست ۲۰۲۱ ۲۳:۰۰ تا ۲۶ اگست ۲۰۲۱ ۰۰:۳۰")
        );
        // An offset other than UTC is converted too.
        let notice = Notice {
            window_start: parse_time("2021-08-24T10:00:00+02:00").unwrap(),
            window_end: parse_time("2021-08-24T11:00:00+02:00").unwrap(),
            ..notice
        };
        assert!(render(Language::English, &notice).contains("24 Aug 2021, 12:30 to 13:30"));
    }

    #[test]
    fn without_a_link_there_is_no_link_line() {
        let notice = Notice {
            pass_link: None,
            ..notice()
        };
        for language in Language::ALL {
            let text = render(language, &notice);
            assert!(!text.contains("QR"), "{language:?}");
            assert_eq!(text.lines().count(), 7);
        }
    }

    #[test]
    fn the_text_is_the_notice_and_fixed_words_only() {
        // Two notices for two different families differ in code and link only; their texts must
        // differ in exactly those places, so nothing else (a name, a case number) can leak in.
        let first = notice();
        let second = Notice {
            code: PassCode::from_entropy([200, 13, 99, 1, 0, 42, 7, 7]),
            pass_link: Some("https://airbridge.example/p/OTHER".into()),
            ..first.clone()
        };
        for language in Language::ALL {
            let a = render(language, &first)
                .replace(&first.code.to_string(), "CODE")
                .replace(first.pass_link.as_deref().unwrap(), "LINK");
            let b = render(language, &second)
                .replace(&second.code.to_string(), "CODE")
                .replace(second.pass_link.as_deref().unwrap(), "LINK");
            assert_eq!(a, b, "{language:?}");
            for name in ["Ahmadzai", "احمدزی", "Zarghona", "C000017"] {
                assert!(!a.contains(name));
            }
        }
    }

    #[test]
    fn language_tags_and_names_are_read() {
        let cases = [
            ("fa", Some(Language::Dari)),
            ("fa-AF", Some(Language::Dari)),
            ("fa_IR", Some(Language::Dari)),
            ("prs", Some(Language::Dari)),
            (" Dari ", Some(Language::Dari)),
            ("دری", Some(Language::Dari)),
            ("ps", Some(Language::Pashto)),
            ("pus", Some(Language::Pashto)),
            ("pbt", Some(Language::Pashto)),
            ("Pashto", Some(Language::Pashto)),
            ("پښتو", Some(Language::Pashto)),
            ("en-GB", Some(Language::English)),
            ("english", Some(Language::English)),
            ("fr", Some(Language::French)),
            ("Français", Some(Language::French)),
            ("uz", None),
            ("urdu", None),
            ("", None),
        ];
        for (text, expected) in cases {
            assert_eq!(Language::parse(text), expected, "{text:?}");
        }
        for language in Language::ALL {
            assert_eq!(Language::parse(language.code()), Some(language));
        }
    }

    #[test]
    fn a_person_gets_their_first_known_language_else_dari() {
        let check =
            |languages: &[&str], expected| assert_eq!(Language::for_person(languages), expected);
        check(&["uz", "ps", "en"], Language::Pashto);
        check(&["fr", "fa"], Language::French);
        check(&["english", "dari"], Language::English);
        check(&["uz", "ur"], Language::Dari);
        check(&[], Language::Dari);
    }

    #[test]
    fn segments_follow_gsm7_and_ucs2_limits() {
        let check = |text: &str, expected| {
            assert_eq!(
                sms_segments(text),
                expected,
                "{} chars",
                text.chars().count()
            )
        };
        check("", 0);
        check(&"a".repeat(160), 1);
        check(&"a".repeat(161), 2);
        check(&"a".repeat(306), 2);
        check(&"a".repeat(307), 3);
        // An extension character takes two septets.
        check(&"€".repeat(80), 1);
        check(&"€".repeat(81), 2);
        // An escape pair is not split across parts: 76 pairs fill 152 of 153 septets.
        check(&format!("{}a", "€".repeat(153)), 3);
        // One Persian letter or ê makes the whole text UCS-2.
        check(&"ب".repeat(70), 1);
        check(&format!("{}ê", "a".repeat(69)), 1);
        check(&format!("{}ê", "a".repeat(70)), 2);
        check(&"ب".repeat(134), 2);
        check(&"ب".repeat(135), 3);
        // A character outside the BMP takes two units and is not split.
        check(&"😀".repeat(35), 1);
        check(&format!("{}😀", "a".repeat(68)), 1);
        check(&format!("{}😀", "a".repeat(69)), 2);
        // 134 units would fill two parts of 67, but the emoji cannot straddle the first two.
        check(&format!("{}😀{}", "a".repeat(66), "a".repeat(66)), 3);
    }

    #[test]
    fn the_messages_cost_a_few_sms() {
        let notice = notice();
        for language in Language::ALL {
            let text = render(language, &notice);
            // The Latin-script texts stay in GSM-7, a third of the cost of UCS-2.
            assert_eq!(is_gsm7(&text), !language.is_right_to_left(), "{language:?}");
            let segments = sms_segments(&text);
            let most = if language.is_right_to_left() { 8 } else { 4 };
            assert!((2..=most).contains(&segments), "{language:?}: {segments}");
        }
    }

    #[test]
    fn a_bad_time_says_so() {
        assert_eq!(
            parse_time("24/08/2021"),
            Err(NoticeError::Time("24/08/2021".into()))
        );
    }

    proptest! {
        #[test]
        fn rendering_never_panics_and_always_holds_the_code(
            rendezvous in "\\PC{0,200}",
            gate in "\\PC{0,40}",
            entropy in any::<[u8; 8]>(),
            start in 0i64..4_000_000_000,
            minutes in 0i64..2_000,
            link in proptest::option::of("\\PC{0,80}"),
        ) {
            let window_start = OffsetDateTime::from_unix_timestamp(start).unwrap();
            let notice = Notice {
                gate,
                rendezvous,
                window_start,
                window_end: window_start + time::Duration::minutes(minutes),
                code: PassCode::from_entropy(entropy),
                pass_link: link,
            };
            for language in Language::ALL {
                let text = render(language, &notice);
                prop_assert!(text.contains(&notice.code.to_string()));
                prop_assert!(sms_segments(&text) >= 1);
            }
        }
    }
}
