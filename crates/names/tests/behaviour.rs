//! Behaviour of the names engine as callers see it: data-driven pair checks and properties.

use airbridge_names::{FrequencyTable, MatchKind, NameEngine, TokenRole, Tuning};
use proptest::prelude::*;
use std::sync::OnceLock;

fn engine() -> &'static NameEngine {
    static ENGINE: OnceLock<NameEngine> = OnceLock::new();
    ENGINE.get_or_init(NameEngine::new)
}

/// What a pair of names should score.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// The same person: at least 0.8.
    Same,
    /// Probably the same, written very differently: at least 0.6.
    Likely,
    /// Different people: below 0.5.
    Different,
}

fn check(a: &str, b: &str, expect: Expect) {
    let score = engine().score(a, b);
    let ok = match expect {
        Expect::Same => score >= 0.8,
        Expect::Likely => score >= 0.6,
        Expect::Different => score < 0.5,
    };
    assert!(
        ok,
        "{a:?} vs {b:?}: expected {expect:?}, scored {score:.3}\n{:#?}",
        engine().compare(a, b).aligned
    );
}

use Expect::*;

#[test]
fn the_engine_can_be_shared_between_threads() {
    fn shareable<T: Send + Sync>(_: &T) {}
    shareable(engine());
    let scores: Vec<f64> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..2)
            .map(|_| scope.spawn(|| engine().score("Hamid Karzai", "حامد کرزی")))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or(0.0))
            .collect()
    });
    assert_eq!(scores[0], scores[1]);
}

#[test]
fn a_name_of_many_initials_scores_the_same_either_way_round() {
    // Found by the names_parse fuzz target: with more token pairs than the aligner keeps,
    // which it kept depended on the order of the names (0.59 one way, 0.42 the other).
    let bytes = b"T\x06T\x06t\x06T\xfe\xff\xff\x06TV\x00\x00\x00T\x00\xff\xff\xaa\x00T\x00/\x00T\xbfT\x00/\x00T/\x00\x1c\x00\xff\xff\xff\xff\xaa\x00T\x00/\x00TT\x00/\x00T\x06T/";
    let text = String::from_utf8_lossy(bytes);
    let (a, b) = text.split_once('\0').unwrap();
    assert_eq!(engine().score(a, b), engine().score(b, a));
    assert_eq!(engine().compare(b, a).score, engine().score(a, b));
    // The explanation keeps each name on its own side.
    let comparison = engine().compare("T T T T T T T T T T T T T T T T T T Tv", "T. T. T. Tv");
    let swapped = engine().compare("T. T. T. Tv", "T T T T T T T T T T T T T T T T T T Tv");
    assert_eq!(comparison.score, swapped.score);
    assert_eq!(comparison.unmatched_a.len(), swapped.unmatched_b.len());
    assert!(comparison.unmatched_b.len() <= comparison.unmatched_a.len());
}

#[test]
fn the_issue_examples() {
    let base = "Mohammad Hashem Ahmadzai";
    check(base, "Muhammad Hashim", Likely);
    check(base, "محمد هاشم احمدزی", Same);
    check(base, "HASHIM AHMADZAI MOHAMMAD", Same);
    check(base, "M. Hashem s/o Abdul Rahman", Likely);
    check("Muhammad Hashim", "محمد هاشم احمدزی", Likely);
}

#[test]
fn transliteration_variants_are_the_same_name() {
    check("Abdul Rahman Popalzai", "Abdurrahman Popalzay", Same);
    check("Abd al-Rahman Popalzai", "Abdulrahman Popalzai", Same);
    // An Abd- compound's second part is read in its variant class, as -ullah's and -uddin's
    // are: one name, one canonical form (and one frequency).
    let engine = engine();
    assert_eq!(
        engine.parse("Abdul Raheem").tokens[0].canonical,
        engine.parse("Abdurrahim").tokens[0].canonical
    );
    assert_eq!(engine.score("Abdul Qayum", "Abdul Qayyum"), 1.0);
    check("Nasrullah Zadran", "Nasr Ullah Zadran", Same);
    check("Nizamuddin Haqqani", "Nizam ud-Din Haqqani", Same);
    check("Mawlawi Qasim Khalid", "Maulavi Kasim Xalid", Same);
    check("Yusuf Dawood", "Youssef Daud", Same);
    check("Uthman Ghani", "Usman Ghani", Same);
    check("Gulbuddin Hekmatyar", "Golboddin Hikmatyar", Same);
    check("Zia ul Haq Sherzai", "Ziaulhaq Sherzai", Same);
    check("Sayed Mustafa Kazemi", "Syed Mostafa Kazimi", Same);
    check("AHMADZAI, Hashem", "Hashem Ahmadzai", Same);
    check("Dr. Ashraf Ghani Ahmadzai", "Ashraf Ghani Ahmadzai", Same);
    check("Abu Bakr al-Baghdadi", "Abubakr Baghdadi", Same);
    check("Фуад Гулиев", "Fuad Guliyev", Same);
    check("José Müller", "Jose Mueller", Likely);
}

#[test]
fn arabic_script_matches_latin() {
    check("Abdul Ghani Baradar", "عبدالغنی برادر", Same);
    check("Sirajuddin Haqqani", "سراج الدین حقانی", Same);
    check("Gulbuddin Hekmatyar", "گلبدین حکمتیار", Same);
    check("Amanullah Noorzai", "امان الله نورزی", Same);
    check("Hamid Karzai", "حامد کرزی", Same);
    check("Mullah Mohammad Omar", "ملا محمد عمر", Same);
    // Arabic and Persian letter forms of one name.
    check("علي كريمي", "علی کریمی", Same);
    // English-language spellings, not French or Turkish ones, for the dictionary's words.
    check("عایشه", "Aisha", Same);
    check("شکیب", "Shakib", Same);
    // و before ی is the consonant: Navid, Heravi, Parviz.
    check("نوید هروی", "Navid Heravi", Same);
    check("پرویز", "Parwiz", Same);
    // A tribal name built on a given name reads its base in the variant class.
    check("Daudzai", "داودزی", Same);
    check("Mohammadzai", "Muhammadzai", Same);
    // Tribes share their -zai or -khel; they are told apart by what comes before it.
    check("Achakzai", "Alikozai", Different);
    check("الکوزی", "Alokozai", Same);
    check("Sulaimankhel", "Sulemankhail", Same);
    // Northern and southern (or older) spellings of one tribe.
    check("Gul Khan Momand", "Gul Khan Mohmand", Same);
    check("Apridi", "Afridi", Same);
    check("Wardag", "وردک", Same);
    // A clan's name and a family name on its stem are two names: Ahmadzai is no Ahmadi.
    assert!(engine().score("Fatima Ahmadzai", "Fatima Ahmadi") < 0.7);
    assert!(engine().score("Fatima Ahmadzai", "Fatima Ahmadian") < 0.7);
    check("Fatima Ahmadzai", "Fatima Ahmadzay", Same);
    // Northern Pashto says ښ as kh and ږ as g, where the south says sh and zh: both
    // spellings are on lists.
    check("ښایسته", "Khaista", Same);
    check("ښایسته", "Shaista", Same);
    check("خوږه", "Khoga", Likely);
    check("وږمه", "Wagma", Same);
    check("وږمه", "Wazhma", Same);
    // Pashto څ, ts, is written ch or ts in Latin (Pul-e-Charkhi, Chamkani).
    check("څرخی", "Charkhi", Same);
    check("څمکنی", "Chamkani", Same);
    check("څپه", "Tsapa", Same);
    // Iranian spellings of women's names (-eh, gh for q) in the names' classes.
    check("رقیه", "Roghayeh", Same);
    check("Roqia", "Ruqayya", Same);
    check("صدیقه", "Sedigheh", Same);
    check("Masooma", "Masoumeh", Same);
    // Pashto spellings of tribes: ګ for the k of Wardak, p for the f of Safi.
    check("وردګ", "Wardak", Same);
    check("ساپی", "Safi", Same);
    // Curated spellings where the Wikidata dictionary had a Western name's (Saba, not Cyba).
    check("Daud Shah Saba", "داودشاه صبا", Same);
    check("Bibi Hawa", "بی بی حوا", Same);
    // Letters the table romanises side by side stay two letters: س+ج is s-j, not a Swedish sj.
    check("سید حمید هزاوه سجادی", "Seyed Hamid Hazaveh SAJJADI", Same);
    check("جوزجانی", "Jawzjani", Same);
}

#[test]
fn a_name_written_in_three_parts_matches_it_written_as_one() {
    // Persian family names are written fused or in their parts.
    check("POURNAGHSHBAND, Hossein", "POUR NAGHSH BAND, Hossein", Same);
    check("Reza Aliakbarzadeh", "Reza Ali Akbar Zadeh", Same);
    // Fused and split forms may also differ by a cheap substitution of the first sound, or
    // start with a word that is a title elsewhere (Hafez).
    check("QOLIZADEH, Majid", "GHOLI ZADEH, Majid", Same);
    check("AMINI, Hossein Hafez", "HAFEZAMINI, Huseyin", Same);
    // Joined, long parts may lose a silent letter as well (the h of Shah).
    check("SHAKARAMI, Jamal", "SHAH KARAMI, Jamal", Same);
    check("Ali YAZDIKHAH", "علی یزدی خواه", Likely);
    // Muhammad fused to a family-name suffix is one family name, not Muhammad and another.
    check("Mohammadifar", "Mohamadi Far", Same);
    check("Mohammadzadeh", "محمدزاده", Same);
    assert_eq!(engine().parse("Mohammadifar").tokens.len(), 1);
    assert_eq!(engine().parse("Mohammadhasni").tokens.len(), 2);
    // Ghulam fused to a known name is two names too: Gholamreza is Gholam Reza, whom lists
    // also call Reza, in either writing.
    assert_eq!(engine().parse("Gholamreza").tokens.len(), 2);
    check("Gholamreza Ahmadi", "Gholam Reza Ahmadi", Same);
    check("Gholamreza Ahmadi", "Reza Ahmadi", Same);
    check("Gholamreza Ahmadi", "غلامرضا احمدی", Same);
    check("Gholamreza Ahmadi", "Gholamhossein Ahmadi", Different);
    // A given name run into the patronymic is no compound.
    check(
        "Elena Nikolaevna KOSTENKO",
        "Irina Anatolievna KOSTENKO",
        Different,
    );
}

#[test]
fn a_word_that_is_a_european_particle_elsewhere_is_a_name_when_it_joins_nothing() {
    // "das", "da", "den" join the words after them (dos Santos, da Silva, van den Berg); at
    // the end of a part there is nothing to join: Ba Das is a Hadrami family name, Thi Da a
    // Burmese given name, Farid-ud-Den a -uddin compound.
    check("BA DAS, Muhammad Ali", "BADAS, Mohamed Ali", Same);
    check("OO, Thi Da", "OO, Thida", Same);
    check("MAHMOUD, Sheikh Farid-ud-Den", "MAHMOOD, Fariduddin", Same);
    check("DAS, Ahmad", "DAS, Karim", Different);
    // Where they join, they are still left out.
    check("Juan de la Cruz", "Juan Cruz", Same);
    check("VAN DEN BERG, Pieter", "Pieter Berg", Same);
}

#[test]
fn a_persian_family_name_is_related_to_its_base() {
    // Lists drop the suffix of a Persian family name (-mehr, -zadeh, -ian) often enough for
    // weak agreement: above a different family name, below the same one.
    for (short, long) in [
        ("KASHANI", "KASHANIMEHR"),
        ("ABED", "ABEDZADEH"),
        ("KAZEMI", "KAZEMIAN"),
        // The start of a compound family name: three sounds are enough when written at length.
        ("NAZARI", "NAZARIKOLEHJOUB"),
    ] {
        let related = engine().score(&format!("{short}, Alireza"), &format!("{long}, Alireza"));
        let other = engine().score(&format!("{short}, Alireza"), "TEHRANI, Alireza");
        let same = engine().score(&format!("{long}, Alireza"), &format!("{long}, Alireza"));
        assert!(
            related > other + 0.2 && related < same,
            "{short} / {long}: {related:.3}, another family {other:.3}"
        );
    }
    // Not a given name against a father's name made from it.
    check(
        "Vasily Nikolaevich Gusev",
        "Nikolai Anatolievich Gusev",
        Different,
    );
}

#[test]
fn a_family_name_with_the_article_does_not_bind_to_the_given_name() {
    // "AL-ARAB, Jihad" is Jihad of the al-Arab family, not the compound "Jihad al-Arab".
    check("AL-ARAB, Jihad", "EL ARAB, Jihad Ahmad", Same);
    // Nor at the name's end, where al-Arab is the family name, in whatever order or case.
    check("JIHAD AL-ARAB", "Jihad Ahmad el Arab", Same);
    check("JIHAD AL-ARAB", "AL-ARAB, Jihad", Same);
    // Before another name it is still the compound of "Saif al-Arab Qadhafi".
    let parsed = engine().parse("Saif al-Arab Qadhafi");
    assert_eq!(parsed.tokens.len(), 2, "{parsed:#?}");
    let comparison = engine().compare("Aliakbarzadeh", "Ali Akbar Zadeh");
    assert!(
        comparison
            .aligned
            .iter()
            .any(|t| t.kind == MatchKind::Compound)
            && comparison.unmatched_b.is_empty(),
        "{comparison:#?}"
    );
}

#[test]
fn names_that_open_with_allah_are_one_name_not_an_article() {
    // اللهداد starts with the letters of the article "ال", but is Allahdad.
    check("اللهداد", "Allahdad", Same);
    check("اللهداد", "Allah Dad", Same);
    check("اللهکرم عزیزی", "Allah-Karam Azizi", Same);
    check("اللهنظر", "Allah Nazar", Likely);
    check("اللهداد", "Allahyar", Different);
}

#[test]
fn religious_compounds_bind_in_either_script() {
    // After the article, اسلام is al-Islam (a compound's second element), not the name Aslam.
    check("سيف الاسلام القذافي", "Saif al-Islam Qadhafi", Same);
    check("سيف الاسلام القذافي", "Saif al-Arab Qadhafi", Different);
    check("محمد اسلم", "Mohammad Aslam", Same);
    // Persian spellings of the second element, and a hyphen between article and name.
    check("احمد علم الهدی", "Ahmad Alam-al-Hoda", Same);
    // The explanation shows the compound as written, the article once.
    let comparison = engine().compare("احمد علم الهدی", "Ahmad Alam-al-Hoda");
    let texts: Vec<&str> = comparison.aligned.iter().map(|t| t.a.as_str()).collect();
    assert!(texts.contains(&"علم الهدی"), "{texts:?}");
    // A title written apart is still a title: it weighs little against a name without it.
    let parsed = engine().parse("Hojjat-al-Eslam Ali Saeedi");
    assert_eq!(parsed.tokens[0].role, TokenRole::Title, "{parsed:#?}");
}

#[test]
fn other_transliteration_conventions_are_the_same_name() {
    // Czech/Slovak háčeks stand for English digraphs: dž = j, š = sh, č = ch.
    check("Alí Džafarabádí", "Ali Jafarabadi", Same);
    check("Mohammed Šaháb Chanian", "Mohammad Shahab Khanian", Likely);
    // Czech, Polish and scholarly transliteration of Cyrillic: c = ts, -ckij = -tsky.
    check("Anton Cikurenko", "Anton TSYKURENKO", Same);
    check("Aleksandr Lozickij", "Aleksandr LOZITSKY", Same);
    check("Olga Lozickaja", "Olga LOZITSKAYA", Same);
    // Swedish transliteration of Russian: tj = ch, sj = sh, j = y.
    check(
        "Jevgenij Andrejevitj Tjernysjov",
        "Yevgeny Andreyevich Chernyshov",
        Same,
    );
    // Inside a word, x is ks in European spellings; at the start it is kh (Xalid).
    check("Maxim Petrov", "Maksim Petrov", Same);
    check("Xalid Qasim", "Khalid Qasim", Same);
    // Somali official spelling writes the ayn as c and the h of Arabic as x.
    check("Maxamed Cabdullahi Xasan", "Mohamed Abdullahi Hassan", Same);
    check("Cumar Cismaan", "Omar Osman", Same);
    check("ADALE, Khalif", "CADALE, Qaliif", Likely);
    // Egyptian spellings write ج as g.
    check("Gamal Hegazi", "Jamal Hijazi", Likely);
    check("وجيه محمود", "Wajeeh Mahmud", Likely);
    // Turkish writes j as c, a final d or b devoiced, -uddin as -ettin.
    check("Cihat Yagmur", "Jihad Yaghmour", Same);
    check("Recep Tayyip", "Rajab Tayyib", Same);
    check("Necmettin Erbakan", "Najmuddin Erbakan", Same);
    check("Abdulhamit Kaya", "Abdul Hamid Kaya", Same);
    // Names no table lists are read that way too (Azerbaijani Cahangir, Turkish Cebrail).
    check("GUZEL, Cebrail", "GUZEL, Jebrail", Same);
    check("Cahangir Aliyev", "Jahangir Aliyev", Same);
    let read = engine().compare("Cahangir Aliyev", "Jahangir Aliyev");
    assert!(
        read.aligned.iter().any(|t| t.kind == MatchKind::Reading),
        "{:#?}",
        read.aligned
    );
    // Cemal is Jamal, not Kamal: the given names contradict, and only the family name agrees.
    let cemal = engine().score("Cemal Kaya", "Kamal Kaya");
    assert!(cemal < 0.6, "Cemal Kaya / Kamal Kaya: {cemal:.3}");
}

#[test]
fn names_in_other_scripts_are_transliterated() {
    check("Alexis Tsipras", "Αλέξης Τσίπρας", Same);
    check("Georgios Papandreou", "Γεώργιος Παπανδρέου", Same);
    check("Mikheil Saakashvili", "მიხეილ სააკაშვილი", Same);
    check("Nikol Pashinyan", "Նիկոլ Փաշինյան", Same);
    check("Abiy Ahmed", "አቢይ አሕመድ", Same);
    check("Hun Sen", "ហ៊ុន សែន", Same);
    // Han and Hangul names are written without spaces: one word per syllable.
    check("Xi Jinping", "习近平", Same);
    check("Kim Jong Un", "김정은", Same);
    // Hebrew and the Indic scripts leave vowels out: compared on the consonants.
    check("Benjamin Netanyahu", "בנימין נתניהו", Likely);
    check("Mohammad", "מוחמד", Same);
    check("Narendra Modi", "नरेन्द्र मोदी", Same);
    check("Sheikh Hasina", "শেখ হাসিনা", Likely);
    check("Narendra Modi", "בנימין נתניהו", Different);
    check("Xi Jinping", "김정은", Different);
}

#[test]
fn other_conventions_of_ch_sh_dh_and_the_article_are_read() {
    // The Maghreb and Lebanon write ش as ch, after French.
    check("Hichem Ben Ali", "Hisham Bin Ali", Same);
    check("Achraf Chaker", "Ashraf Shakir", Same);
    check(
        "Mohammad Ibrahim Al-Chaar",
        "Mohamed Ibrahim Al-Shaar",
        Same,
    );
    check("Riyad CHALICHE", "Riyad Shalish", Same);
    check("Mohamed Hamcho", "محمد حمشو", Same);
    // South Slavic ć and č lose their marks in English lists: Nikolic is Nikolich.
    check("Dragan Nikolic", "Dragan Nikolich", Same);
    // Their đ is written dj or d (Đorđević); the Maghreb's dj is j.
    check("DJORDJEVIC, Vlastimir", "DORDEVIC, Vlastimir", Same);
    check("Djamel", "Damel", Different);
    // Polish spelling writes ch as cz and sh as sz, Russian names too.
    check("Czeslaw Kiszczak", "Cheslav Kishchak", Same);
    check("Aleksiej Mordaszow", "Alexej Mordašov", Same);
    // Arabic script has no ch: foreign names write it تش.
    check("Dragan Nikolic", "دراغان نيكوليتش", Likely);
    check("Viktor Chernomyrdin", "فيكتور تشيرنوميردين", Same);
    // Romance c before e and i is s; Greek ch before a consonant is k.
    check("Camilo Cienfuegos", "كاميلو سيينفيغوس", Likely);
    check("Christine Nasser", "كريستين ناصر", Likely);
    // The Maghreb fuses the article as a bare l: Lamri is al-Amri, Lakhdar al-Akhdar.
    check("Lamri", "العمري", Same);
    check("Lakhdar Brahimi", "الأخضر الإبراهيمي", Likely);
    // ... which never makes Latif into Atif.
    check("Latif Ahmadi", "Atif Ahmadi", Different);
    // The dictionary spells some words with the article whole, after the Maghreb (العبيدي
    // Laabidi): they are also read without it, as lists write al-Ubaidi.
    check("Khaled AL-TAWIL", "خالد الطويل", Same);
    check(
        "AMIR RASHID MUHAMMAD AL-UBAIDI",
        "عامر راشد محمد العبيدي",
        Same,
    );
    check("Laabidi", "العبيدي", Same);
    // Soft g is j in English, French and Levantine spellings.
    check("BASSIL, Gibran", "BASSIL, Jibran", Same);
    check("Amin Gemayel", "Amin Jumayyil", Same);
    check("Gerges", "جرجس", Same);
    check("Yankuba Badgie", "Yankouba Badji", Same);
    // A Persian family name built on a known name, which the dictionary lacks whole.
    check("Reza Khosravi", "رضا خسروی", Same);
    check("Latifi", "لطیفی", Same);
    // Belarusian dz is Russian d.
    check(
        "Dzmitry Uladzimiravich SHEYMAN",
        "Dmitry Vladimirovich SHEIMAN",
        Same,
    );
    // Urdu writes aspirates with ھ, Latin spellings with a digraph or none.
    check("Chaudhry Bhatti", "چودھری بھٹی", Same);
    check("Khalid Lodhi", "خالد لودھی", Same);
    check("Khalid Lodi", "خالد لودھی", Likely);
    // ... and Dari and Pashto lists write them with ه.
    check("Khalid Lodhi", "خالد لودهی", Same);
    check("Sindhi", "سندهی", Same);
    // Persian's silent w after kh (خواجه Khwaja, Khaja).
    check("Khairullah Khairkhwa", "Khairullah Khairkhah", Same);
    check("Khairullah Khairkhwa", "خیرالله خیرخواه", Same);
    // Pashto ځ written dz or z.
    check("Dzadran", "Zadran", Same);
    check("Dzadran", "ځدراڼ", Same);
    // An Abd- compound whose second part Arabic script writes without vowels.
    check("Abdul Rab Rasul Sayyaf", "عبدالرب رسول سیاف", Same);
    check("Abdul Rab", "عبد الرب", Same);
    check("Abdul Rab", "Abdul Haq", Different);
    // Abdallah is no shortened Abdul Rahman (the start of a longer name), but a Persian family
    // name built on it keeps it (Abdollahifard).
    check("HAQQANI, Abdul Rahman", "HAQQANI, Abdallah", Different);
    check("ABDULAHI FARD, Hojat", "ABDOLLAHIFARD, Hojat", Likely);
    check("ابوالحسن بنی‌صدر", "Abolhassan Banisadr", Same);
    check("ابوالحسن", "Abu al-Hasan", Same);
    // -ur-Rahman written on to a first part the dictionary does not know.
    check("لطف‌الرحمن", "Lutfur Rahman", Same);
    check("مجیب‌الرحمن", "Mujib-ur-Rehman", Same);
    check("مجیب‌الرحمن", "Hafiz ur Rahman", Different);
    // Arabic ذ and ض are d where Persian says z.
    check("سیف الاسلام قذافی", "Saif al-Islam Gaddafi", Same);
    check("خضری", "Khodari", Same);
    // Persian -abadi written on (فیروزآبادی, دولت‌آبادی).
    check("Hassan Firouzabadi", "حسن فیروزآبادی", Same);
    // Arabic ة is t before Allah, as Persian writes it, and may be t at a name's end.
    check("رحمت‌الله", "رحمة الله", Same);
    check("هبت‌الله", "هبةالله", Same);
    check("هبة الله", "Hibatullah", Same);
    check("حكمة", "Hikmat", Same);
    // ... but not before any article: أسامة المالكي is Usama al-Maliki.
    check("أسامة المالكي", "Osama AL-MALIKI", Same);
    check("جمعة الأحمد", "Jumah AL-AHMAD", Same);
    // The Persian -i on a silent h, with or without the joiner, or with a hamza seat.
    check("علی خامنه ای", "Ali Khamenei", Same);
    check("علی خامنه‌ئی", "Ali Khamenei", Same);
    // Pashto letters typed in Dari (ګل as گل, ملالۍ as ملالی) are one name.
    check("ګل احمد", "گل احمد", Same);
    check("ملالۍ یوسفزۍ", "ملالی یوسفزی", Same);
    // A compound shortened to a three-letter first part that is a name of its own (Zia for
    // Zia-ul-Haq) agrees; a kunya's name does not (Abu Ali is Ali's father), nor Nur, a name
    // beside Nurullah.
    check("Ziaulhaq Amarkhil", "Zia Amarkhil", Same);
    check("Nurullah Ahmadi", "Nur Ahmadi", Different);
    check("Abu Ali Hakimi", "Ali Hakimi", Likely);
    check("Abu Ali", "Ali", Different);
    // Chinese names in Wade-Giles (Taiwanese and older spellings) against Pinyin, the given
    // name's syllables written apart or run together; the apostrophe of aspiration, where a
    // name writes it, is kept to (Ch'en is Chen, not Zhen).
    check("Mao Tse-tung", "Mao Zedong", Same);
    check("Hsi Chin-p'ing", "Xi Jinping", Same);
    check("Teng Hsiao-ping", "Deng Xiaoping", Same);
    check("WEI, Hsueh Kang", "WEI, Xuekang", Same);
    check("Ch'ien Ch'i-ch'en", "Qian Qichen", Same);
    check("Mao Tse-tung", "Mao Zemin", Different);
    check("Ch'en Yi", "Zhen Yi", Different);
    // Pinyin names are not read as Wade-Giles: Zhen and Chen are two family names, and
    // names that cut into such syllables by chance are no Chinese (Antonio).
    check("Zhen Wei", "Chen Wei", Different);
    check("Ken Lin", "Chin Lin", Different);
    // Family names made of two known names with the nisba -i are two families (Jalili on
    // Jalil, Jalali on Jalal); spellings of one are one (Hosseini, Husaini).
    check("Saeed Jalili", "Saeed Jalali", Different);
    check("Hussaini", "Hassani", Different);
    check("Maryam Rahimi", "Maryam Rahmani", Different);
    check("Zahra Hosseini", "Zahra Husaini", Same);
    // Dari farzand (child) with its izafa marks the father's name; alone it is a name.
    check("Ahmad farzand-e Mahmood", "Ahmad s/o Mahmood", Same);
    check("Farzand Ali", "Farzand Ali Khan", Same);
    // Agha written on a name with its madda (گل‌آغا), not a plain alef ending a word.
    check("گل‌آغا شیرزی", "Gul Agha Sherzai", Same);
    check("نورآغا", "Noor Agha", Same);
    check("ایواناغا", "Iwanaga", Same);
    // French and German spellings of the Russian -ov (Romanoff, Lavrof; Tajik Rasoulof).
    check("Mohammad Rasoulof", "Mohammad Rasoulov", Same);
    check("Sergueï Lavrof", "Sergey Lavrov", Same);
    // Chaudhry, a Punjabi title and family name, with its abbreviation and its Urdu spelling;
    // Mian and Allama are honorifics before a name.
    check("Ch. Shujaat Hussain", "Chaudhry Shujaat Hussain", Same);
    check("چوہدری شجاعت حسین", "Choudhary Shujaat Hussain", Same);
    check("Mian Muhammad Nawaz Sharif", "Nawaz Sharif", Same);
    check("Allama Iqbal", "Muhammad Iqbal", Same);
    // English, French and Dutch spellings of Abdul- (Abdool, Abdoul, Abdoel).
    check("Abdool Rahman", "Abdoul Rahmaan", Same);
    check("Abdoel Kader", "Abdul Qadir", Same);
    check("Abdool Haq", "Abdul Hadi", Different);
    check("Abdoulaye", "Abdullahi", Same);
    check("Najafabadi", "نجف‌آبادی", Same);
    // Afghan lists write سید as Said as well as Sayed; Said is also سعید.
    check("Said Akbar", "Sayed Akbar", Same);
    check("Said Akbar", "سید اکبر", Same);
    check("Said Akbar", "سعید اکبر", Same);
    // Persian says ق as غ: Iranian spellings write gh where Afghan ones write q.
    check("Mohammad Mohaqiq", "Mohammad Mohaghegh", Same);
    check("Mohammad Mohaqiq", "محمد محقق", Same);
    // Iranian spellings write ژ as j; و before ی is as often the vowel as the consonant.
    check("Mahmoud Ahmadinejad", "محمود احمدی‌نژاد", Same);
    check("Roya Sadat", "رویا سادات", Same);
    check("Navid Sadat", "نوید سادات", Same);
    // Dari and Pashto names the letter table reads wrongly: word-initial ی is y (Yama), و
    // between consonants the consonant w (Palwasha); and a dictionary word is also read
    // letter by letter (its commonest spelling of شکریه is the Turkish Şükriye).
    check("Yalda Yama", "یلدا یما", Likely);
    check("Palwasha Khan", "پلوشه خان", Same);
    check("Shukria Barakzai", "شکریه بارکزی", Same);
    // The article binds a compound's second element even where the dictionary knows the
    // word whole.
    check("Zia ul Haq", "ضیاء الحق", Same);
    check("Nur al-Haq Ulumi", "نور الحق علومی", Likely);
    // Persian ژ as zh or j; German dsch for j.
    check("Esmaeil Nezhad", "Ismail Nejad", Same);
    check("Akbar Rafsanjani", "Akbar Rafsandschani", Same);
    // A name with its -ullah, -uddin or -khel written on, the stem read by the dictionary or
    // the table; Dari's ث is s; Pashtun tribes' own spellings.
    check("Sanaullah Sulaimankhel", "ثناءالله سلیمانخیل", Same);
    check("Ghiasuddin Mohmand", "غیاث‌الدین مومند", Same);
    check("Samina Afridi", "ثمینه اپریدی", Same);
    check("Hamid Tabrizi", "حمید تبریزی", Same);
    // -ur is the article before an r: Fazlur Rahman is Fazl al-Rahman, written Fazal Rahman.
    check("Fazal Rahman", "Fazlur Rahman", Same);
    check("Timur Shah", "Tim Shah", Different);
    check("Khwaja Mohammad", "Khaja Muhammad", Same);
    // The French reading is not Korean or Chinese ch, nor a Slavic patronymic's.
    check("KIM, Song", "KIM, Cho'ng-man", Different);
    check(
        "Nikolai Anatolievich GUSEV",
        "Pavel Nikolajevich GUSEV",
        Different,
    );
    let shared = |a: &str, b: &str| {
        let (ka, kb) = (engine().keys(a), engine().keys(b));
        ka.iter().any(|k| kb.contains(k))
    };
    assert!(shared("Hichem", "Hisham"));
    assert!(shared("Nikolic", "نيكوليتش"));
    assert!(shared("Chernomyrdin", "تشيرنوميردين"));
}

#[test]
fn afghan_list_habits_an_abd_put_last_and_gh_for_ghulam() {
    // Surname-first without a comma leaves the Abd- of a compound at the end.
    check("ZAHIR ABDUL", "Abdul Zahir", Same);
    check("ZAHIR ABDUL", "عبدالظاهر", Same);
    check("RAHIM ABDUL", "Abdul Rahim Karimi", Likely);
    check("Abdul", "Abdul Zahir", Different);
    // Gh. is how lists shorten Ghulam.
    check("Gh. Farooq Wardak", "Ghulam Farooq Wardak", Same);
    check("Gh Rasool", "Golam Rasul", Same);
    // Aqa is Agha (آقا), Qazi (قاضی, judge) a title in either spelling, Hadrat Hazrat.
    check("Aqa Jan", "Agha Jan", Same);
    check("Qadi Amin", "Qazi Amin", Same);
    check("Qazi Barati", "Morteza Barati", Likely);
    check("Hadrat Gul", "Hazrat Gul", Same);
}

#[test]
fn izafa_compounds_of_haq_and_islam_are_told_apart_by_their_first_part() {
    // One name however the article is written: apart, hyphenated, or run into the first part.
    check("Inamul Haq", "Inam-ul-Haq", Same);
    check("Inamul Haq", "انعام الحق", Same);
    check("Saiful Islam", "Saif al-Islam", Same);
    // The shared Haq or Islam says nothing: the first part is the name.
    check("Inamul Haq", "Ikramul Haq", Different);
    check("Zia ul Haq", "Fazl ul Haq", Different);
    check("Saiful Islam", "Nurul Islam", Different);
    check("Anwarul Haq Ahadi", "Inamul Haq Ahadi", Different);
    // The first part alone is how such a man is often called.
    check("Inam", "Inamulhaq", Likely);
}

#[test]
fn ullah_names_a_letter_apart_are_two_names() {
    // Listed as names of their own: one letter (or a vowel) apart, they are not misspellings
    // of each other (the compound rule alone scored Hamdullah / Hamidullah 0.99).
    check("Hamidullah", "Hamdullah", Different);
    check("Habibullah", "Hasibullah", Different);
    check("Naqibullah", "Najibullah", Different);
    check("Hamdollah", "Hamdullah", Same);
    check("Hamidullah", "حمیدالله", Same);
    check("Naqeebullah", "نقیب الله", Same);
    // ... in Arabic script too (حمد alone is read Hamad).
    check("حمیدالله", "حمدالله", Different);
    check("Hamdullah", "حمد الله", Same);
    check("Nasrullah", "Nasirullah", Different);
    check("نصرالله", "نصیرالله", Different);
    check("Latifullah", "Lutfullah", Different);
    check("Lotfollah", "لطف الله", Same);
}

#[test]
fn common_afghan_names_the_dictionary_lacks_are_spelled_as_afghans_write_them() {
    // Unknown to the dictionary, these were read letter by letter (at most 0.865 each).
    for (written, latin) in [
        ("ملالۍ", "Malalai"),
        ("ننگیالی", "Nangyalai"),
        ("زرغونه", "Zarghuna"),
        ("سپوږمۍ", "Spozhmai"),
        ("بی‌بی گل", "Bibi Gul"),
        ("نور محمد تره‌کی", "Nur Muhammad Taraki"),
    ] {
        let score = engine().score(written, latin);
        assert!(score >= 0.95, "{written} / {latin}: {score:.3}");
    }
}

#[test]
fn arabic_names_a_vowel_apart_are_two_names() {
    // رشید / رشاد, کریم / کرم, حامد / حمدی: listed as names of their own. Salah and Saleh
    // were left out: lists write one man both ways (HABIB, Salah / HABIB, Saleh in ofac-dev).
    check("Rashid", "Rashad", Different);
    check("Karim", "Karam", Different);
    check("Hamid", "Hamdi", Different);
    check("Issam", "Essam", Same);
    check("Amr", "Amro", Same);
}

#[test]
fn afghan_womens_names_a_letter_apart_are_two_names() {
    check("Fahima Noori", "Fatima Noori", Different);
    check("Shakila Noori", "Shakira Noori", Different);
    // A brother and a sister.
    check("Parwiz Noori", "Parwin Noori", Different);
    check("Parviz", "Pervez", Same);
    check("Fahimeh", "Fahima", Same);
    check("Fahima", "فهیمه", Same);
    check("Shakila", "شکیلا", Same);
}

#[test]
fn two_words_joined_must_say_more_than_one_of_them_alone() {
    // ذکیه ضیایی is Zakia Ziaee word for word; read as one word, Zakia took both and left
    // Ziaee unmatched (0.74), and Khan, Zakia scored 0.77 against it.
    check("Zakia Ziaee", "ذکیه ضیایی", Same);
    check("KHAN, Zakia", "ذکیه ضیایی", Different);
    check("YARE, Bashir", "LALOBO, Ali Bashir", Different);
}

#[test]
fn arabic_script_run_together_or_split_still_matches() {
    // Lists copied out of PDF files lose the spaces between Arabic-script words.
    check("بشارالاسد", "Bashar al-Assad", Likely);
    check("محمدحسین سپهر", "Mohammad-Hossein Sepehr", Same);
    // Persian compounds are written apart in Persian script and joined in Latin.
    check("محسن نیک ورز", "Mohsen Nikvarz", Same);
    check("سلمان آدینه وند", "Salman Adinehvand", Likely);
    // Two letters that are not a digraph: پ + ه in سپهر is p-h, not f.
    let parsed = engine().parse("سپهر");
    assert_eq!(parsed.tokens[0].skeleton, "sphr");
}

#[test]
fn two_different_common_names_are_a_contradiction() {
    // Agreement on Mohammad says little, but Mohammad against Hassan says "another man".
    check("KARAMI, Mohammad", "KARAMI, Hassan", Different);
    let same = engine().score("Mohammad Karami", "Muhammad Karami");
    let other = engine().score("Mohammad Karami", "Hassan Karami");
    assert!(other < 0.55 && other < same - 0.4, "{other} vs {same}");
    // Known names that merely sound alike are different names.
    check("Khalid Mahmud", "Khalid Muhammad", Different);
    // A title that is also a name, alone after the comma, is the person's name: Rami and
    // Hafez Makhlouf are brothers. A rank alone is still a rank.
    check("MAKHLOUF, Rami", "MAKHLOUF, Hafez", Different);
    check("MAKHLOUF, Hafez", "MAKHLUF, Hafiz", Same);
    check("NKUNDA, Laurent", "NKUNDA, General", Likely);
    // So is one before a single other word, in either script.
    check("Hafez MAKHLOUF", "Kinda Mohammed MAKHLOUF", Different);
    check("حافظ مخلوف", "ساره محمد مخلوف", Different);
    check("حافظ مخلوف", "Hafez MAKHLOUF", Same);
    // … and so is one after a single given name: Noor Agha is an Afghan name, not "Mr Noor".
    check("Noor Ahmad", "Noor Agha", Different);
    check("Gul Agha", "ګل آغا", Same);
    check("Noor Agha", "Nur Aqa", Same);
    // Names one letter of the Arabic-script spelling apart are different names, however alike
    // their Latin spellings look; their own spellings still agree.
    for (a, b) in [
        ("Amanullah", "Aminullah"),
        ("Salman", "Sulaiman"),
        ("Javed", "Jawad"),
        ("Sadiq", "Siddiq"),
        ("Nazar", "Nazir"),
        ("Imad", "Ahmad"),
    ] {
        let score = engine().score(&format!("{a} Karimi"), &format!("{b} Karimi"));
        let omar = engine().score(&format!("{a} Karimi"), "Omar Karimi");
        assert!(
            score < 0.6 && score < omar + 0.1,
            "{a} / {b}: {score:.3}, {a} / Omar {omar:.3}"
        );
    }
    check("Sediq Karimi", "Siddiq Karimi", Same);
    check("Naseem Karimi", "Naseen Karimi", Likely);
    // A compound and its distinctive part agree weakly, though both are known names.
    check("Aman Karimi", "Amanullah Karimi", Likely);
    // A father's name against a tribal name is not a contradiction, only a fuller form.
    check(
        "Mohammad Hashem Ahmadzai",
        "M. Hashem s/o Abdul Rahman",
        Likely,
    );
    // Two different fathers weigh more than a father left out.
    let missing = engine().score("Karim bin Yusuf al-Tamimi", "Karim al-Tamimi");
    let different = engine().score("Karim bin Yusuf al-Tamimi", "Karim bin Idris al-Tamimi");
    assert!(different < missing - 0.2, "{different} vs {missing}");
}

#[test]
fn different_people_score_low() {
    check(
        "Mohammad Hashem Ahmadzai",
        "Mohammad Karim Popalzai",
        Different,
    );
    check("Abdul Haq Wasiq", "Abdul Hadi Karimi", Different);
    check("Olaf Scholz", "Angela Merkel", Different);
    check("Saif al-Islam Qadhafi", "Saif al-Arab Qadhafi", Different);
    check("Ali Khan", "Wael Khan", Different);
    check("Mohammad", "Ahmad", Different);
}

#[test]
fn a_father_is_not_his_son() {
    // The son's record names his father after "s/o"; the father's own record has no marker.
    // His name agreeing with the son's father's name says nothing for the son.
    let son = "Gul Ahmad s/o Sher Ahmad";
    let father = engine().score(son, "Sher Ahmad");
    let himself = engine().score(son, "Gul Ahmad");
    assert!(father < 0.65, "father {father:.3}");
    assert!(
        himself > father + 0.2,
        "himself {himself:.3}, father {father:.3}"
    );
    // The same chain written without the marker is still the son.
    check(son, "Gul Ahmad Sher Ahmad", Same);
    check("گل احمد ولد شیر احمد", "Gul Ahmad s/o Sher Ahmad", Same);
    // Dari kin words in Latin letters mark the father's or the husband's name as s/o does.
    check("Nazo dukhtar Gul Ahmad", "Nazo d/o Gul Ahmad", Same);
    check("Hawa hamsar Gul Ahmad", "Hawa w/o Gul Ahmad", Same);
    check("Karim pesar Gul Ahmad", "Karim s/o Gul Ahmad", Same);
    // Common Afghan names the dictionary lacks are spelt as Afghan lists spell them, not
    // guessed from their consonants.
    for (script, latin) in [("رفیع", "Rafi"), ("نرگس", "Nargis"), ("ظریفه", "Zarifa")]
    {
        let score = engine().score(script, latin);
        assert!(score > 0.95, "{script} / {latin}: {score:.3}");
    }
    // A word run together is not split at a kin word: گلولد is no Gul walad.
    check("گلولد", "Gul", Different);
}

#[test]
fn siblings_score_below_the_person_himself() {
    // Brothers share the family name and the father's chain; only the own name differs.
    let person = "AL-TIKRITI, Umar Sabawi Ibrahim";
    let alias = engine().score(person, "AL-TIKRITI, Omar Sabawi");
    let brother = engine().score(person, "AL-TIKRITI, Ayman Sabawi Ibrahim");
    assert!(
        alias > brother + 0.1,
        "alias {alias:.3} vs brother {brother:.3}"
    );
    // Two own names that are both known names of different classes are two people, however
    // much of the rest agrees: below what a match needs.
    let brothers = engine().score(
        "AL-TIKRITI, Ayman Sabawi Ibrahim Hasan",
        "AL-TIKRITI, Omar Sabawi Ibrahim Hasan",
    );
    assert!(brothers < 0.5, "brothers {brothers:.3}");
    // A family name in capitals after the others says which name is the person's own as a
    // comma does.
    let brothers = engine().score(
        "Ayman Sabawi Ibrahim Hasan AL-TIKRITI",
        "Omar Sabawi Ibrahim Hasan AL-TIKRITI",
    );
    assert!(brothers < 0.5, "brothers, family in capitals {brothers:.3}");
    // Written all in capitals with no comma (as the UN list writes names), nothing says which
    // name is the person's own; still, a known given name on each side that the other side
    // lacks is two names, wherever they stand (Ali and Hussein, Mojtaba and Mostafa).
    let without_rule = NameEngine::new().with_tuning(Tuning {
        known_given_conflict: 0.0,
        ..Tuning::default()
    });
    for (a, b, alias) in [
        (
            "ALI MOUSSA NACHAR",
            "HUSSEIN MOUSSA NACHAR",
            "ALI MUSA NACHAR",
        ),
        (
            "MOJTABA HAJJI HOSEINI ROKNABADI",
            "MOSTAFA HAJJI HOSEINI ROKNABADI",
            "MOJTABA HOSSEINI ROKNABADI",
        ),
    ] {
        let siblings = engine().score(a, b);
        let before = without_rule.score(a, b);
        let alias = engine().score(a, alias);
        assert!(
            siblings < before - 0.1 && alias > siblings + 0.3,
            "{a} / {b}: {siblings:.3} (without the rule {before:.3}), alias {alias:.3}"
        );
    }
}

#[test]
fn a_fathers_name_is_not_the_persons_own() {
    // Father and son: the son's own name agrees with nothing of the father's own name.
    let swapped = engine().score("Salman bin Muhammad al-Rawi", "Muhammad bin Salman al-Rawi");
    let same = engine().score("Salman bin Muhammad al-Rawi", "Salman bin Mohammed Rawi");
    assert!(
        swapped < 0.8 && same > 0.95,
        "swapped {swapped:.3}, same {same:.3}"
    );
    let son = engine().score("KHANANI, Hozaifa Javed", "KHANANI, Javed");
    let alias = engine().score("KHANANI, Javed", "KHANANI, Javaid");
    assert!(son < alias - 0.2, "son {son:.3}, alias {alias:.3}");
}

#[test]
fn explanation_says_how_tokens_aligned() {
    let comparison = engine().compare(
        "M. Hashem Zarghun Ahmadzai",
        "Mohammad Hashim Zarghoon Ahmadzai",
    );
    let kinds: Vec<MatchKind> = comparison.aligned.iter().map(|a| a.kind).collect();
    assert!(kinds.contains(&MatchKind::Exact), "{kinds:?}");
    assert!(kinds.contains(&MatchKind::Variant), "{kinds:?}");
    assert!(kinds.contains(&MatchKind::Phonetic), "{kinds:?}");
    assert!(kinds.contains(&MatchKind::Initial), "{kinds:?}");
    let fused = engine().compare("Abdulrahim Zadran", "Abdul Rahim Zadran");
    assert_eq!(fused.score, 1.0, "{fused:#?}");
    // (Fazlur Rahman is joined as it is parsed, so it agrees exactly with Fazlurrahman.)
    assert_eq!(
        engine().score("Fazlurrahman Khan", "Fazlur Rahman Khan"),
        1.0
    );
    let compound = engine().compare("Gulahmad Karbaschi", "Gul Ahmad Karbaschi");
    assert!(
        compound
            .aligned
            .iter()
            .any(|a| a.kind == MatchKind::Compound),
        "{:#?}",
        compound.aligned
    );
    assert_eq!(
        compound.score,
        engine().score("Gulahmad Karbaschi", "Gul Ahmad Karbaschi")
    );
}

#[test]
fn a_brother_and_a_sister_named_from_one_root_are_two_names() {
    // Samir and Samira, Hamid and Hamideh stand on one family case as two people: their given
    // names agree no more than two unrelated names do, in either script.
    for (brother, sister) in [
        ("Samir Haddad", "Samira Haddad"),
        ("سمير حداد", "سميرة حداد"),
        ("Karim Nasseri", "Karimeh Nasseri"),
        ("Hamid Ahmadzai", "Hamida Ahmadzai"),
        ("حمید احمدزی", "Hamida Ahmadzai"),
        ("Rami Baker", "Rima Baker"),
    ] {
        let siblings = engine().score(brother, sister);
        let family = sister.split_whitespace().last().unwrap();
        let stranger = engine().score(brother, &format!("Omar {family}"));
        assert!(
            siblings < 0.6 && siblings < stranger + 0.1,
            "{brother} / {sister}: {siblings:.3}, a stranger of that family {stranger:.3}"
        );
    }
    // Names no variant class lists: the woman's is the man's with -a, -ah or -eh. Unknown
    // names weigh less as a contradiction than known ones, but are as far from one name.
    for (brother, sister) in [
        ("Masoud Jalal", "Masooda Jalal"),
        ("مسعود احمدزی", "مسعوده احمدزی"),
        ("Rafiq Noori", "رفیقه نوری"),
        ("Mahmood Safi", "Mahmoudeh Safi"),
        ("Ivan Petrov", "Ivana Petrova"),
    ] {
        let siblings = engine().score(brother, sister);
        assert!(siblings < 0.5, "{brother} / {sister}: {siblings:.3}");
    }
    // The sister's name in its spellings is still one name.
    for (a, b) in [
        ("Samira Haddad", "Sameerah Haddad"),
        ("Samira Haddad", "سميرة حداد"),
        ("Hamida Ahmadzai", "Hamideh Ahmadzai"),
        ("Hamida Ahmadzai", "حمیده احمدزی"),
        ("Masooda Jalal", "مسعوده جلال"),
    ] {
        let score = engine().score(a, b);
        assert!(score > 0.9, "{a} / {b}: {score:.3}");
    }
    // Endings that are not the feminine one: French -e, ta marbuta spelt -ah or -eh, a
    // listed family name's two forms, related names, a masculine name in -a.
    for (a, b) in [
        ("Ousman Conte", "Ousmane Conte"),
        ("Rafiq Shahadah", "Rafiq Shahadeh"),
        ("Muhammad al-Muflih", "Muhammad al-Mufleh"),
        ("YAK, Peter Gadet", "YAKA, Peter Gatdet"),
        ("Helen Smith", "Helena Smith"),
    ] {
        let score = engine().score(a, b);
        assert!(score > 0.8, "{a} / {b}: {score:.3}");
    }
    assert!(engine().score("Moses", "موسى") > 0.6);
}

#[test]
fn a_familiar_or_foreign_form_of_a_given_name_is_related() {
    // Related names agree partly: well above two different names, below the same name.
    for (a, b) in [
        ("Tom Vickers", "Thomas Vickers"),
        ("Bill Englefield", "William Englefield"),
        ("Sasha Petrov", "Aleksandr Petrov"),
        ("Pepe Ortega", "José Ortega"),
        ("Harry Bevan", "Henry Bevan"),
        ("Harry Bevan", "Harold Bevan"),
    ] {
        let related = engine().score(a, b);
        let family = b.split_whitespace().last().unwrap();
        let other = engine().score(a, &format!("Richard {family}"));
        assert!(
            (0.6..1.0).contains(&related) && related > other + 0.3,
            "{a} / {b}: related {related:.3}, a different name {other:.3}"
        );
        let comparison = engine().compare(a, b);
        assert!(
            comparison
                .aligned
                .iter()
                .any(|t| t.kind == MatchKind::Nickname),
            "{:#?}",
            comparison.aligned
        );
        let (ka, kb) = (engine().keys(a), engine().keys(b));
        assert!(ka.iter().any(|k| kb.contains(k)), "{ka:?} / {kb:?}");
    }
    // Two names related only through a third are not related: Henry and Harold both have
    // Harry, but are two names.
    let through_harry = engine().compare("Henry Bevan", "Harold Bevan");
    let harry = engine().score("Harry Bevan", "Henry Bevan");
    assert!(
        through_harry.score < harry - 0.3
            && through_harry
                .aligned
                .iter()
                .all(|t| t.kind != MatchKind::Nickname),
        "Henry / Harold {through_harry:#?}"
    );
    // The same spelling is still the same name, not a nickname.
    assert_eq!(engine().score("Thomas Vickers", "THOMAS vickers"), 1.0);
}

#[test]
fn parse_reports_roles_and_romanisation() {
    let parsed = engine().parse("Mullah Abdul Ghani s/o Abdul Ahmad Popalzai");
    let roles: Vec<(&str, TokenRole)> = parsed
        .tokens
        .iter()
        .map(|t| (t.canonical.as_str(), t.role))
        .collect();
    assert_eq!(
        roles,
        [
            ("mulla", TokenRole::Title),
            ("abdghani", TokenRole::Given),
            ("s/o", TokenRole::Particle),
            ("abdahmad", TokenRole::Patronymic),
            ("popalzai", TokenRole::Tribal),
        ]
    );
    assert_eq!(engine().parse("محمد هاشم").romanised, "mohammad hashim");
}

#[test]
fn names_written_in_tajik_or_russian_cyrillic_match_their_latin_spellings() {
    // Tajik ҷ is j; Russian writes the h of Arabic and Persian names with х (kh).
    check("Ҷумъа Хон", "Juma Khan", Same);
    check("Эмомалӣ Раҳмон", "Emomali Rahmon", Same);
    check("Хамид Карзай", "Hamid Karzai", Same);
    check("Ахмад Шах Масуд", "Ahmad Shah Massoud", Same);
    check("Халид", "Khalid", Same);
}

#[test]
fn an_address_after_the_name_is_shown_and_never_compared() {
    // South Asian and Afghan papers: r/o (resident of) gives the village, c/o (care of)
    // another person; h/o (husband of) a husband's name, like w/o.
    check("Ahmad Karim r/o Kabul", "Ahmad Karim", Same);
    check(
        "Ahmad Karim resident of Kandahar",
        "Ahmad Karim r/o Kabul",
        Same,
    );
    check("AHMADI, Karim r/o Kabul", "Karim Ahmadi", Same);
    check("Bibi Gul c/o Mohammad Ali", "Bibi Gul", Same);
    check("Ahmad s/o Karim r/o Kabul", "Ahmad bn Karim", Same);
    let parsed = engine().parse("Ahmad Karim r/o Kabul");
    let shown: Vec<(&str, TokenRole)> = parsed
        .tokens
        .iter()
        .map(|t| (t.text.as_str(), t.role))
        .collect();
    assert_eq!(
        shown,
        [
            ("Ahmad", TokenRole::Given),
            ("Karim", TokenRole::Family),
            ("r/o", TokenRole::Particle),
            ("Kabul", TokenRole::Particle),
        ]
    );
    // Only what follows a name: a word alone stays a name.
    check("Kabul", "Kabul", Same);
}

#[test]
fn words_about_a_dependent_are_shown_and_never_compared() {
    // Lists write a dependent's place in the family case beside the name, and labels.
    for (noted, plain) in [
        ("Fatima Noori (wife)", "Fatima Noori"),
        ("Zarghona Safi - daughter", "Zarghona Safi"),
        ("Ahmad Wardak (DOB 1985)", "Ahmad Wardak"),
        // A kin marker with no name after it: Dari همسر (spouse) is read w/o.
        ("فاطمه نوری همسر", "فاطمه نوری"),
    ] {
        assert_eq!(engine().score(noted, plain), 1.0, "{noted} / {plain}");
    }
    let parsed = engine().parse("Fatima Noori (wife)");
    assert_eq!(parsed.tokens[2].role, TokenRole::Particle);
    // A comma before the husband's or father's name does not make the name before it a family
    // name ("NOORI, Fatima"): Fatima stays the woman's own name.
    let parsed = engine().parse("Fatima Noori, wife of Ahmad");
    let roles: Vec<(&str, TokenRole)> = parsed
        .tokens
        .iter()
        .map(|t| (t.text.as_str(), t.role))
        .collect();
    assert_eq!(
        roles,
        [
            ("Fatima", TokenRole::Given),
            ("Noori", TokenRole::Family),
            ("wife of", TokenRole::Particle),
            ("Ahmad", TokenRole::Patronymic),
        ]
    );
    check("Fatima Noori, w/o Ahmad", "Fatima Noori", Same);
    // Ibn ending the given names before the comma opens the family name: still compared.
    check(
        "AUF, Mohammed Ahmed Awad Ibn",
        "Mohammed Ahmed Awad Ibn Auf",
        Same,
    );
    // A word alone stays a name; Son is also a family name.
    check("Wife", "Wife", Same);
    check("Son Heung-min", "Heung-min Son", Same);
}

#[test]
fn one_title_spelt_two_ways_is_no_contradiction() {
    // Haji, Hajji, Alhaj and الحاج are one title: left unmatched on each side, they made two
    // names that agree on every name a contradiction (0.84).
    for (a, b) in [
        ("الحاج محمد کریم", "Haji Mohammad Karim"),
        ("Alhaji Mohammed Karim", "Hajji Muhammad Karim"),
    ] {
        let score = engine().score(a, b);
        assert!(score > 0.95, "{a} / {b}: {score:.3}");
    }
    check("Haji Khan", "Haji Gul", Different);
}

#[test]
fn titles_and_ranks_written_in_dari_pashto_or_persian_are_titles() {
    // Each is a title before a name on Afghan and Iranian lists; none is the person's name.
    for title in [
        "داکتر",
        "ډاکټر",
        "دکتر",
        "الحاج",
        "استاد",
        "جنرال",
        "مارشال",
        "ډګروال",
        "دگروال",
        "قوماندان",
        "پروفیسور",
        "آقای",
        "ښاغلی",
        "محترم",
        "مېرمن",
        "میرمن",
        "خانم",
    ] {
        let written = format!("{title} عبدالرشید");
        let parsed = engine().parse(&written);
        assert_eq!(
            parsed.tokens.first().map(|t| t.role),
            Some(TokenRole::Title),
            "{written}: {:?}",
            parsed.tokens
        );
    }
    for title in ["Marshal", "Brigadier", "Lieutenant", "Admiral", "Dagarwal"] {
        let written = format!("{title} Ahmad");
        let parsed = engine().parse(&written);
        assert_eq!(parsed.tokens[0].role, TokenRole::Title, "{written}");
    }
    check("جنرال عبدالرشید دوستم", "Abdul Rashid Dostum", Same);
    check("مارشال محمد قسیم فهیم", "Mohammad Qasim Fahim", Same);
    check("داکتر نجیب الله", "Najibullah", Same);
    // A title shared is no evidence: two different doctors.
    check("داکتر احمد", "Dr. Mahmud", Different);
}

#[test]
fn pashto_son_of_and_daughter_of_mark_the_fathers_name() {
    // Pashto puts the kin word after the father's name: د محمود زوی, "Mahmud's son".
    for (written, father) in [
        ("احمد د محمود زوی", "محمود"),
        ("زهرا د کریم لور", "کریم"),
        ("احمد زوی د محمود", "محمود"),
        ("زرغونه د عبدالله ښځه", "عبدالله"),
    ] {
        let parsed = engine().parse(written);
        let roles: Vec<(&str, TokenRole)> = parsed
            .tokens
            .iter()
            .filter(|t| t.role != TokenRole::Particle)
            .map(|t| (t.text.as_str(), t.role))
            .collect();
        assert_eq!(roles.len(), 2, "{written}: {roles:?}");
        assert_eq!(roles[1], (father, TokenRole::Patronymic), "{written}");
    }
    check("احمد د محمود زوی", "Ahmad s/o Mahmood", Same);
    check("احمد د محمود زوی", "احمد ولد محمود", Same);
    // Father and son are told apart, as with s/o.
    let swapped = engine().score("احمد د محمود زوی", "محمود د احمد زوی");
    assert!(swapped < 0.8, "swapped {swapped:.3}");
}

#[test]
fn frequencies_change_what_agreement_is_worth() {
    let pair = ("Zarghun Shah", "Zarghun Karim");
    let builtin = engine().score(pair.0, pair.1);
    // A caller whose lists are full of Zarghuns: agreement on it is worth less there.
    let names: Vec<String> = (0..500).map(|i| format!("Zarghun N{i}")).collect();
    let table = FrequencyTable::from_names(engine(), names.iter());
    let local = engine().clone().with_frequencies(table);
    assert!(
        local.score(pair.0, pair.1) < builtin,
        "{} !< {builtin}",
        local.score(pair.0, pair.1)
    );
}

#[test]
fn keys_bring_variants_together() {
    let shared = |a: &str, b: &str| {
        let (ka, kb) = (engine().keys(a), engine().keys(b));
        ka.iter().any(|k| kb.contains(k))
    };
    assert!(shared("Mohammad Hashem Ahmadzai", "محمد هاشم احمدزی"));
    assert!(shared("Gulbuddin Hekmatyar", "Golboddin Hikmatyar"));
    assert!(!shared("Olaf Scholz", "Angela Merkel"));
}

/// Plain name tokens that trigger no compound or particle rule, for order properties.
const PLAIN: &[&str] = &[
    "Hashem", "Karim", "Zadran", "Noorzai", "Wardak", "Faridun", "Mirwais", "Shinwari", "Rahim",
    "Qasim", "Olga", "Petrov",
];

fn plain_name() -> impl Strategy<Value = Vec<&'static str>> {
    prop::collection::vec(prop::sample::select(PLAIN), 1..5)
}

fn any_name() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,40}",
        "[a-zA-Z' ,.-]{0,30}",
        "[\u{0600}-\u{06FF}\u{200C} ]{0,20}",
        "[a-z\u{0621}-\u{064A}\u{0400}-\u{044F} /]{0,25}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn never_panics_and_stays_in_range(a in any_name(), b in any_name()) {
        let parsed = engine().parse(&a);
        let _ = engine().keys(&a);
        let score = engine().score(&a, &b);
        prop_assert!((0.0..=1.0).contains(&score), "{score}");
        prop_assert_eq!(engine().compare(&a, &b).score, score);
        prop_assert_eq!(engine().score_parsed(&parsed, &engine().parse(&b)), score);
    }

    #[test]
    fn symmetric(a in any_name(), b in any_name()) {
        let (ab, ba) = (engine().score(&a, &b), engine().score(&b, &a));
        prop_assert!((ab - ba).abs() < 1e-9, "{ab} vs {ba}");
    }

    #[test]
    fn identical_names_score_one(tokens in plain_name()) {
        let name = tokens.join(" ");
        prop_assert_eq!(engine().score(&name, &name), 1.0);
    }

    #[test]
    fn invariant_under_case_punctuation_whitespace_and_order(
        a in plain_name(), b in plain_name(), seed in 0usize..100
    ) {
        let reference = engine().score(&a.join(" "), &b.join(" "));
        let upper = a.join(" ").to_uppercase();
        prop_assert!((engine().score(&upper, &b.join(" ")) - reference).abs() < 1e-9);
        let spaced = format!("  {}. ", a.join(" .  "));
        prop_assert!((engine().score(&spaced, &b.join(" ")) - reference).abs() < 1e-9);
        let mut rotated = a.clone();
        let len = rotated.len();
        rotated.rotate_left(seed % len);
        prop_assert!((engine().score(&rotated.join(" "), &b.join(" ")) - reference).abs() < 1e-9);
    }

    #[test]
    fn invariant_under_diacritics(tokens in plain_name()) {
        let plain = tokens.join(" ");
        let accented: String = plain.chars().map(|c| match c { 'a' => 'á', 'e' => 'ë', 'i' => 'î', 'o' => 'ø', 'u' => 'ü', other => other }).collect();
        prop_assert_eq!(engine().score(&plain, &accented), 1.0);
    }

    #[test]
    fn a_split_name_keeps_its_words_and_adds_none(text in any_name()) {
        // Every part's words are words of the name as parsed; the person keeps at least one.
        if let Some(parts) = engine().split(&text) {
            let written: Vec<String> = engine()
                .parse(&text)
                .tokens
                .iter()
                .flat_map(|t| t.text.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
                .collect();
            prop_assert!(!parts.given.trim().is_empty());
            for part in [Some(&parts.given), parts.family.as_ref(), parts.father.as_ref()]
                .into_iter()
                .flatten()
            {
                for word in part.split_whitespace() {
                    prop_assert!(written.iter().any(|w| w == word), "{word} of {text:?}");
                }
            }
        }
    }
}

#[test]
fn every_name_of_a_related_group_agrees_with_the_groups_first_name_and_shares_a_key() {
    // The data file, line by line: a typo or a form that the engine reads as another
    // variant class would leave a name unrelated to its group.
    let mut failures = Vec::new();
    for line in include_str!("../data/nicknames.tsv").lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let (formal, others) = line.split_once('\t').expect("formal<TAB>names");
        for other in others.split_whitespace() {
            let score = engine().score(formal, other);
            let (kf, ko) = (engine().keys(formal), engine().keys(other));
            if score < 0.7 || !kf.iter().any(|k| ko.contains(k)) {
                failures.push(format!(
                    "{formal} / {other}: {score:.3}, keys {kf:?} / {ko:?}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn two_different_kunyas_are_two_men() {
    // A kunya the other name does not give is only a fuller form of the name…
    check("Abu Hatim Ahmad Shaqra", "Ahmad Shaqra", Likely);
    // …but two different kunyas, one on each side, contradict each other.
    check("SHAKRA, Abu Hatem", "SHAKRA, Abu Jaafar", Different);
    check("Abu Hatim Shaqra", "Abu Ja'far Shaqra", Different);
    check("Abu Hatim Shaqra", "Shaqra Abu Hatem", Same);
}

#[test]
fn two_patronymics_agree_only_when_the_fathers_names_do() {
    let engine = engine();
    // The shared ending made Nikolayevich and Anatolyevich look alike.
    let comparison = engine.compare("Sergey Nikolayevich LUKIN", "Sergey Anatolyevich LUKIN");
    assert!(
        comparison
            .aligned
            .iter()
            .all(|a| a.a != "Nikolayevich" && a.b != "Anatolyevich"),
        "{comparison:#?}"
    );
    let brothers_or_namesakes = comparison.score;
    let same = engine.score("Sergey Nikolayevich LUKIN", "Sergey Nikolaevich LUKIN");
    assert!(
        brothers_or_namesakes < same - 0.2,
        "two fathers {brothers_or_namesakes:.3}, one {same:.3}"
    );
    // Russian, Ukrainian and Belarusian spellings of one father's name still agree.
    check("Anna Yuryevna KUZNETSOVA", "Anna Jurjevna KUZNETSOVA", Same);
    // Even when the father's name is another language's form of it (Belarusian Mikalai,
    // Ukrainian Mykola are Nikolai): the variant classes say so.
    for (a, b) in [
        (
            "Sergey Nikolaevich PETRAKOVICH",
            "Siarhei Mikalaevich PETRAKOVICH",
        ),
        ("Dmytro Mykolajovytj VORONA", "Dmitry Nikolayevich VORONA"),
    ] {
        check(a, b, Same);
        let comparison = engine.compare(a, b);
        let patronymic = a.split_whitespace().nth(1).unwrap();
        assert!(
            comparison
                .aligned
                .iter()
                .any(|x| x.a == patronymic && x.kind == MatchKind::Variant),
            "{comparison:#?}"
        );
    }
    check(
        "Oleg Vladimirovich ONOPKO",
        "Oleh Volodymyrovych ONOPKO",
        Same,
    );
    // Ukrainian and Belarusian write Russian g as h: Yevhen, Halyna, Hlib are Yevgeny,
    // Galina, Gleb.
    check("BALYTSKYI, Evhenii", "BALITSKIY, Yevgeniy", Same);
    check("Halyna BONDAL", "Galina BONDAL", Same);
    check("DRYL, Hleb", "DRYL, Gleb", Same);
    check(
        "Andrei Aliakseevich RAUKOU",
        "Andrei Alexeyevich RAVKOV",
        Likely,
    );
    // A family name with a patronymic's ending is a family name: before the comma, or last
    // after the patronymic, or in capitals.
    for name in [
        "KAZAKEVICH, Gennady Arkadyevich",
        "Gennadij Arkadjevitj KAZAKEVITJ",
        "Henadz KAZAKEVICH",
    ] {
        let parsed = engine.parse(name);
        let last = parsed
            .tokens
            .iter()
            .find(|t| t.text.to_lowercase().starts_with("kazakevi"))
            .unwrap();
        assert_eq!(last.role, TokenRole::Family, "{name}: {parsed:#?}");
    }
    check(
        "Gennadij Arkadjevitj KAZAKEVITJ",
        "KAZAKEVICH, Henadz Arkadzevich",
        Same,
    );
    // A father's name is no shortened form of the son's patronymic.
    let comparison = engine.compare("Vladimir ROGOV", "Viktor Vladimirovich ROGOV");
    assert!(
        comparison.aligned.iter().all(|a| a.a != "Vladimir"),
        "{comparison:#?}"
    );
}

#[test]
fn common_given_names_of_many_spellings_are_known_names() {
    // Brothers who share the father's chain, their own names common ones now in classes.
    check(
        "AL-TIKRITI, Omar Sabawi Ibrahim Hasan",
        "AL-TIKRITI, Bashar Sabawi Ibrahim Hasan",
        Different,
    );
    check("Muhannad Juma", "Mohanad Juma", Same);
    // Belarusian and Ukrainian official spellings of Russian names are the same names.
    check("Mikalai Ivanovich PETROV", "Nikolai Ivanovich PETROV", Same);
    check("Uladzimir SHEVCHENKO", "Vladimir SHEVCHENKO", Same);
    check("Tatsiana GRAKUN", "Tatyana GRAKUN", Same);
    // Alexy is Aleksey, no shortened Alexander.
    check("MISHUSTIN, Alexy", "MISHUSTIN, Alexander", Different);
}

#[test]
fn korean_names_agree_across_the_norths_and_the_souths_romanisations() {
    // The DPRK writes Ri, Pak, Jong, Jo where the South writes Lee, Park, Jeong, Cho; the
    // syllables of given names change their first consonant likewise (Jong / Chong / Cho'ng).
    check("RI, Jong Chol", "LEE, Chong Chol", Same);
    check("PAK, Jin Hyok", "PARK, Jin Hyok", Same);
    check("JO, Yong Chol", "CHO, Yong Chol", Same);
    check("KIM, Jong Sik", "KIM, Cho'ng-sik", Same);
    // Two different Korean names under one family name stay apart.
    check("RI, Thae Chol", "RI, Jong Chol", Different);
    check("HAN, Jang Su", "HAN, Kwon U", Different);
}

#[test]
fn korean_given_name_syllables_are_one_across_romanisations_and_common() {
    // McCune–Reischauer (the North, breves and apostrophes lost) against Revised Romanization
    // and the customary spellings: 재 Chae / Jae, 훈 Hun / Hoon, 병 Pyong / Byeong, 철 Ch'ol /
    // Cheol.
    check("RI, Chae-Sik", "LEE, Jae Shik", Same);
    check("KANG, Pil-Hun", "KANG, Pil Hoon", Same);
    check("RI, Pyo'ng-ch'o'l", "LEE, Byeong Cheol", Same);
    check("SIN, Myong-Guk", "SHIN, Myeong Kook", Same);
    // Syllables are spellings, not names: one letter apart (석 Sok, 숙 Suk) they are compared
    // letter by letter, below two spellings of one syllable.
    let one = engine().score("RIM, Sok Nam", "LIM, Seok Nam");
    let two = engine().score("RIM, Sok Nam", "RIM, Suk Nam");
    assert!(one > two, "{one:.3} {two:.3}");
    // Phil and Gil stay the short forms of Philip and Gilbert.
    check("Phil SMITH", "Philip SMITH", Likely);
    // Kim and Yong are among the commonest name parts in Korea: sharing them, with the
    // other given syllable different, says little.
    let common = engine().score("KIM, Yong Chol", "KIM, Yong Su");
    let rare = engine().score("TAEGUK, Yong Chol", "TAEGUK, Yong Su");
    assert!(
        common < rare && common < 0.5,
        "common {common:.3}, rare {rare:.3}"
    );
}

#[test]
fn an_initial_against_a_fathers_name_of_another_letter_contradicts() {
    // Mikhail P. Matveyev is Mikhail Petrovich, not Mikhail Nikolayevich.
    let other = engine().score("MATVEYEV, Mikhail P.", "MATVEYEV, Mikhail Nikolayevich");
    let same = engine().score("MATVEYEV, Mikhail P.", "MATVEYEV, Mikhail Petrovich");
    assert!(
        other < 0.8 && same > 0.85,
        "other father {other:.3}, same father {same:.3}"
    );
}

#[test]
fn a_slip_on_the_first_key_is_a_typo_not_another_name() {
    // Neighbouring keys, the rest of a long name spelt alike: a typist's slip.
    check("MALHERBE DELEON, Oscar", "NALHERBE, Oscar", Likely);
    check(
        "SUNIGA RODRIGUEZ, Erik Salvador",
        "ZUNIGA RODRIGUEZ, Erick Salvador",
        Same,
    );
    check("Angela Merkel", "Angela Nerkel", Likely);
    // Keys far apart, or short names, are other names (Kamal and Jamal are two).
    check("Angela Merkel", "Angela Perkel", Different);
    check("TOUMA, Kamal Eddin", "JAMAL EDDIN, Mohammed", Different);
}

#[test]
fn a_slavic_family_name_in_its_mans_and_its_womans_form_is_one_name() {
    check("PESKOVA, Elizaveta", "PESKOV, Elizaveta", Same);
    check("PESKOVA, Elizaveta Dmitriyevna", "PESKOV, Liza", Likely);
    check("ZHDANOVSKAYA, Olga", "ZHDANOVSKY, Olga", Same);
    // The given names still decide: Dmitry Peskov is not Elizaveta Peskova.
    check("PESKOVA, Elizaveta", "PESKOV, Dmitry", Different);
}

#[test]
fn ur_rahman_compounds_are_one_name_told_apart_by_their_first_part() {
    // Habib-ur-Rahman in all its spellings is one name.
    check("حبیب الرحمن", "Habibur Rahman", Same);
    check("Habib al-Rahman", "Habib-ur-Rehman", Same);
    check("Hafiz ur Rahman Ahmadzai", "Hafizur Rahman Ahmadzai", Same);
    // Habib-ur-Rahman and Hafiz-ur-Rahman are two names (brothers, often), as Inam-ul-Haq and
    // Ikram-ul-Haq are.
    check(
        "Habibur Rahman Ahmadzai",
        "Hafizur Rahman Ahmadzai",
        Different,
    );
    check("حبیب الرحمن احمدزی", "حفیظ الرحمن احمدزی", Different);
    // Mansur is a name of its own, not Man-ur-Rahman.
    check("Mansur Rahman", "Mansoor Rahman", Same);
    check("Abdur Rahman", "Abd al-Rahman", Same);
}

#[test]
fn family_names_made_of_two_given_names_with_the_russian_ending_are_two_names() {
    // Mahmudov is made of Mahmud, not of Muhammad, though the two share a skeleton.
    assert!(engine().score("Mahmudov", "Muhammad") < 0.3);
    assert!(engine().score("Hasanov", "Husseinov") < 0.3);
    check("Jahangir MAHMUDOV", "Jahangir MAKHMUDOV", Same);
    check("Aziza YUSUPOVA", "Aziza YUSUPOVA", Same);
    check("Rustam ALIYEV", "Rustam ALIEV", Same);
}

#[test]
fn a_somali_or_turkish_spelling_of_a_class_meets_near_spellings_of_the_class() {
    // Somali Ciise is Isa's class, its c the ayn that English spellings leave out; Isse,
    // outside the class, is near Isa.
    check("Ciise Maxamed Cali", "Isse Mohamed Ali", Likely);
    check("Mahad Ciise AADAN", "Mahad Isse ADEN", Same);
    // Cihat is Jihad's class; Jihad is no Jihan.
    check("Cihat YAGMUR", "Jihan YAGMUR", Different);
}

#[test]
fn a_czech_womans_family_name_meets_it_without_ova() {
    // Czech and Slovak add -ová to women's family names, foreign ones too.
    check("Fatima Ahmadiová", "Fatima AHMADI", Same);
    check("Maria Tauberová", "Maria TAUBER", Same);
    // Not a name that ends in -ova unaccented.
    assert!(
        engine().score("Ivan Petrova", "Ivan Petr") < engine().score("Ivan Petrová", "Ivan Petr")
    );
}

#[test]
fn compounds_on_two_known_names_are_two_names() {
    // Faiz and Fazl, Kamal and Jamal are names of their own: so are their compounds.
    check("Faizullah", "Fazlullah", Different);
    check("Kamaluddin", "Jamaluddin", Different);
    check("Abdul Hadi", "Abdul Hamid", Different);
    // Spellings of one compound still agree, and kunyas stay aliases of each other.
    check("Fazlullah", "Fazal Ullah", Same);
    check("Zabihullah", "Zabiullah", Same);
    // Two names run together: Gul Ahmad and Gul Mohammad are two men, fused or apart.
    check("Gulahmad", "Gulmohammad", Different);
    check("Nurahmad POPAL", "Nurmohammad POPAL", Different);
    check("Gulahmad", "Gul Ahmed", Same);
    check("Nurmohammad", "Noor Muhammad", Same);
    // -ullah compounds on names one letter apart.
    check("Rahmatullah NABIL", "Rahimullah NABIL", Different);
    check("Najibullah", "Nasibullah", Different);
    check("Shafiqullah", "Shafiullah", Different);
    check("Rehmatullah", "Rahmatullah", Same);
}

#[test]
fn a_name_with_jan_or_khan_written_on_is_still_the_name() {
    // Afghan and Central Asian names add -jan (dear) or -khan to a given name, written apart
    // or on to it; a list that drops it still names the same man.
    check("Aminjan KARIMI", "Amin KARIMI", Same);
    check("KATAEV, Aiub", "KATAEV, Ayubkhan Vakhaevich", Same);
    check("Aminjon Karimov", "Amin Karimov", Same);
    check("Amirkhan", "Amir Khan", Same);
    // Only on a known name: the stem must be one.
    check("Aminjan KARIMI", "Amina KARIMI", Different);
}

#[test]
fn long_vowels_written_double_are_the_short_names() {
    // English spellings of Persian, Arabic and Urdu write long vowels ee, oo, aa.
    check("Din Mohammad", "Deen Muhammad", Same);
    check("Mir Wais", "Meer Wais", Same);
    check("Taj Bibi", "Taaj Beebee", Same);
    assert!(engine().score("Pir", "Peer") > engine().score("Pir", "Par"));
    // Vowels that differ still tell short names apart.
    assert!(engine().score("Chen", "Chan") < engine().score("Din", "Deen"));
}

#[test]
fn persian_ey_is_the_diphthong_other_spellings_write_ai() {
    // Persian romanisations write ی after a vowel as ey or ei (Feyz, Heidar, Zeyd), others as
    // ai or ay (Faiz, Haydar, Zaid): one sound.
    check("Feyz Mohammad", "Faiz Mohammad", Same);
    check("Zeyd", "Zaid", Same);
    check("Sheyda KARIMI", "Shaida KARIMI", Same);
    assert!(engine().score("Feyz", "Faiz") > engine().score("Feyz", "Fayez") - 0.05);
    // So are aw, au and ow, the diphthong Dari and Persian say o.
    check("فوزیه کوفی", "Fawzia Koofi", Same);
    check("Fowzia", "Fauzia", Same);
    assert!(engine().score("Fawz", "Foz") > engine().score("Fawz", "Faiz"));
    // And Arabic ض read dh or z, in either script.
    check("فیض محمد", "Faiz Mohammad", Same);
    check("Faidh", "Faiz", Same);
    // Not where the y begins the next syllable: Seyed is se-yed, and Sayed (سید) the same
    // name, but Saeed (سعید) is another spelling of another word.
    assert!(engine().score("Feyz", "Faiz") > engine().score("Seyed", "Said"));
}

#[test]
fn names_typed_in_the_arabic_chat_alphabet_meet_their_spellings() {
    // Phones without an Arabic keyboard write the letters Latin lacks as digits: 7 ح, 5 خ,
    // 3 ع, 2 ء, 6 ط, 9 ق.
    check("Mo7ammad 7asan", "Muhammad Hassan", Same);
    check("5aled 3abdullah", "Khaled Abdullah", Same);
    check("6ariq 9asim", "Tariq Qasim", Same);
    check("Ra2ed 3umar", "Raed Omar", Same);
    // A digit that looks like a letter is still read as that letter, and a number is no name.
    check("5ergei Vlad1mir", "Sergei Vladimir", Same);
    check("7asan", "Husayn", Different);
}

#[test]
fn abd_compounds_with_the_article_written_on_to_the_second_part_are_compounds() {
    // Letter-by-letter transliteration writes the article on to the name: Abd Alkarim, Abd
    // Arrahman (assimilated), and the Levant's and Iraq's Abed and Abid for Abd.
    check("Abd Alkarim", "Abdul Karim", Same);
    check("Abd Aldaim", "Abd el Daim", Same);
    check("Abd Arrahman Hasan", "Abdul Rahman Hassan", Same);
    check("Abed Alkarim", "Abdul Karim", Same);
    check("Abedalkarim Hassan", "Abdulkarim Hasan", Same);
    check("Abdel Alhadi", "Abdul Hadi", Same);
    // The a of a name is no article: Abdul Alim is not Abd-Im, nor Abdul Karim.
    check("Abdul Aleem", "Abdul Alim", Same);
    check("Abdul Alim", "Abdul Karim", Different);
    check("Abd Alkarim", "Abdul Rahim", Different);
    // A kunya likewise: Abu Alfadl is Abu al-Fadl, Abolfazl.
    check("Abu Alfadl Hashemi", "Abolfazl Hashemi", Same);
    check("Abu Alqasim", "Abu al-Qasim", Same);
    check("Abu Alfadl", "Abu al-Qasim", Different);
}

/// Token comparisons are remembered per thread (a list repeats its words); an engine tuned
/// otherwise must never be answered from another engine's memory, in either order.
#[test]
fn remembered_token_comparisons_follow_the_engine() {
    let pairs = [
        ("Bill Clinton", "William Clinton"),
        ("Mohammad Naseem", "Muhammad Nasim"),
        ("Abdulrahman Karimi", "Abd al-Rahman Karimy"),
        ("Hamid Karzai", "Hamed Karzay"),
    ];
    let tuned = || {
        NameEngine::new().with_tuning(Tuning {
            nickname_similarity: 0.3,
            fuzzy_low: 0.2,
            ..Tuning::default()
        })
    };
    // Each engine's scores on a thread of its own, where no other engine has compared.
    let alone = |make: fn() -> NameEngine| {
        std::thread::spawn(move || {
            let engine = make();
            pairs.map(|(a, b)| engine.score(a, b))
        })
        .join()
        .unwrap()
    };
    let default_alone = alone(NameEngine::new);
    let tuned_alone = alone(tuned);
    assert_ne!(
        default_alone, tuned_alone,
        "the tuning must change some score"
    );
    // The two engines taking turns on one thread.
    let (default_engine, tuned_engine) = (NameEngine::new(), tuned());
    for _ in 0..3 {
        assert_eq!(
            pairs.map(|(a, b)| default_engine.score(a, b)),
            default_alone
        );
        assert_eq!(pairs.map(|(a, b)| tuned_engine.score(a, b)), tuned_alone);
    }
}
