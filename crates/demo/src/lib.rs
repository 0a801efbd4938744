//! A synthetic evacuation scenario modelled on Kabul, August 2021: eight nations, their
//! embassies, ministries and NGOs, and families in all three categories (nationals, local
//! staff, people at risk) — with what makes real lists hard: the same family on several
//! nations' lists under other spellings, names in Arabic script, Solar Hijri and year-only
//! birth dates, unnamed dependents, and a few names from the UN sanctions list planted.
//!
//! Everything is drawn from a seeded generator: the same `seed` and `persons` give the same
//! scenario, byte for byte. No real person's data is used; names are combinations of common
//! names from `data/names.tsv`. No I/O: the CLI stores what this yields.
//!
//! [`lists`] is a separate generator of deduplication test lists in the shape of the Kabul
//! lists (families of siblings and namesakes registered on several lists, each list with its own
//! clerk style), with a larger name stock (`data/kabul_names.tsv`) and its own romaniser.

pub mod lists;
mod names;

use airbridge_domain::date::solar_hijri_to_gregorian;
use airbridge_domain::{
    AtRiskCategory, Calendar, Document, DocumentKind, Eligibility, EligibilityBasis, Email,
    EvacuationStatus, GregorianDate, NationCode, NewCase, NewMember, OrganisationKind, PartialDate,
    Person, PersonName, Phone, Relation, Sex, StatusStep, Vulnerability,
};
use names::BankName;
pub use names::{NameBank, Sanctioned, sanctioned};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoConfig {
    /// Exactly this many people (default 20,000).
    pub persons: usize,
    pub seed: u64,
}

impl Default for DemoConfig {
    fn default() -> Self {
        DemoConfig {
            persons: 20_000,
            seed: 2021,
        }
    }
}

/// A nation in the scenario with its organisations.
#[derive(Debug, Clone)]
pub struct DemoNation {
    pub code: NationCode,
    pub name: &'static str,
    /// Relative share of the cases it registers.
    pub weight: u32,
    pub organisations: Vec<(String, OrganisationKind)>,
}

/// The eight nations of the scenario.
pub fn nations() -> Vec<DemoNation> {
    let nation = |code: &str, name: &'static str, weight: u32, ngo: &str| DemoNation {
        code: NationCode::parse(code).unwrap_or_else(|_| unreachable_code(code)),
        name,
        weight,
        organisations: vec![
            (
                format!("Embassy of {name} in Kabul"),
                OrganisationKind::Embassy,
            ),
            (
                format!("{name} Ministry of Defence"),
                OrganisationKind::Ministry,
            ),
            (
                format!("{name} Armed Forces, interpreters' office"),
                OrganisationKind::ArmedForces,
            ),
            (ngo.to_owned(), OrganisationKind::Ngo),
            (
                format!("{name} Press Freedom Desk"),
                OrganisationKind::Media,
            ),
        ],
    };
    vec![
        nation(
            "US",
            "the United States",
            40,
            "Bridges for Afghan Allies (synthetic NGO)",
        ),
        nation(
            "GB",
            "the United Kingdom",
            15,
            "Safe Passage Trust (synthetic NGO)",
        ),
        nation("DE", "Germany", 12, "Luftbrücke Hilfe (synthetic NGO)"),
        nation("FR", "France", 8, "Refuge Kaboul (synthetic NGO)"),
        nation("IT", "Italy", 7, "Ponte Umanitario (synthetic NGO)"),
        nation("CA", "Canada", 8, "Northern Haven (synthetic NGO)"),
        nation("NL", "the Netherlands", 5, "Veilige Brug (synthetic NGO)"),
        nation("ES", "Spain", 5, "Puente Seguro (synthetic NGO)"),
    ]
}

/// The codes above are constants; this only exists to avoid a panic path in the engine.
fn unreachable_code(code: &str) -> NationCode {
    NationCode::parse(code.get(..2).unwrap_or("US"))
        .unwrap_or_else(|_| NationCode::parse("US").unwrap_or_else(|_| unreachable_code("US")))
}

/// One generated case, with where it belongs and what the scenario knows about it.
#[derive(Debug, Clone)]
pub struct DemoCase {
    /// Index into [`nations`].
    pub nation: usize,
    /// Index into that nation's organisations.
    pub organisation: usize,
    /// The case; its `organisation` is `None` until the caller maps the index to a stored id.
    pub case: NewCase,
    /// The true family behind this case. Copies of one family on several nations' lists share
    /// it: this is the ground truth deduplication is measured against.
    pub family: u64,
    /// The UN reference of a sanctioned individual planted as this case's principal.
    pub planted: Option<&'static str>,
}

/// The truth about one person, from which each list's version is rendered.
#[derive(Debug, Clone)]
struct TruePerson {
    relation: Relation,
    sex: Sex,
    given: usize,
    western: bool,
    family: Option<usize>,
    father: Option<usize>,
    grandfather: Option<usize>,
    birth: GregorianDate,
    tazkira: Option<String>,
    passport: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    unnamed: Option<String>,
    vulnerabilities: Vec<Vulnerability>,
}

/// How one list writes a person.
#[derive(Debug, Clone, Copy)]
struct Rendering {
    arabic_script: bool,
    /// Which Latin spelling to use: 0 is the most common.
    variant_shift: usize,
    drop_family: bool,
    date_form: DateForm,
    keep_documents: bool,
    keep_phone: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DateForm {
    GregorianFull,
    GregorianYear,
    SolarFull,
    SolarYear,
    FirstOfJanuary,
    Missing,
}

/// The day the scenario is set: Kabul fell on 15 August 2021.
fn reference_day() -> GregorianDate {
    GregorianDate::from_days_since_epoch(18_854)
}

const ROLES: &[&str] = &[
    "interpreter",
    "driver",
    "security guard",
    "cook",
    "cultural advisor",
    "engineer",
    "logistics assistant",
    "medical orderly",
    "press officer",
];

const GATES: &[&str] = &["Abbey Gate", "North Gate", "East Gate", "Baron Hotel"];

const RISK_REASONS: &[(AtRiskCategory, &str)] = &[
    (
        AtRiskCategory::Journalist,
        "reported on the insurgency for a national broadcaster",
    ),
    (
        AtRiskCategory::Judge,
        "sat on terrorism cases at the primary court",
    ),
    (AtRiskCategory::Prosecutor, "prosecuted insurgents"),
    (
        AtRiskCategory::WomensRightsDefender,
        "ran a women's shelter",
    ),
    (
        AtRiskCategory::HumanRightsDefender,
        "documented abuses for a commission",
    ),
    (AtRiskCategory::Activist, "led civic protests"),
    (AtRiskCategory::Artist, "musician with public performances"),
    (AtRiskCategory::Academic, "lecturer on gender studies"),
    (
        AtRiskCategory::SecurityForces,
        "officer of the special forces",
    ),
    (
        AtRiskCategory::ReligiousMinority,
        "member of a persecuted minority",
    ),
];

/// The scenario generator: an iterator of cases totalling exactly `persons` people.
pub struct Generator {
    rng: ChaCha8Rng,
    bank: NameBank,
    nations: Vec<DemoNation>,
    sanctioned: Vec<Sanctioned>,
    persons_left: usize,
    /// Copies of recent cases waiting to be emitted for other nations.
    pending: Vec<DemoCase>,
    next_family: u64,
    /// Cases per nation so far, for references.
    counters: Vec<u32>,
    /// Plant a sanctioned name once every this many families.
    plant_every: u64,
}

/// Starts generating the scenario for `config`.
pub fn generate(config: DemoConfig) -> Generator {
    let nations = nations();
    let families = (config.persons / 3).max(1) as u64;
    let sanctioned = sanctioned();
    Generator {
        rng: ChaCha8Rng::seed_from_u64(config.seed),
        bank: NameBank::load(),
        counters: vec![0; nations.len()],
        nations,
        plant_every: (families / sanctioned.len() as u64).max(1),
        sanctioned,
        persons_left: config.persons,
        pending: Vec::new(),
        next_family: 0,
    }
}

impl Iterator for Generator {
    type Item = DemoCase;

    fn next(&mut self) -> Option<DemoCase> {
        if self.persons_left == 0 {
            return None;
        }
        let mut case = match self.pending.pop() {
            Some(copy) => copy,
            None => self.new_family(),
        };
        if case.case.members.len() > self.persons_left {
            // The last case is cut to land exactly on the requested number of people.
            case.case.members.truncate(self.persons_left);
        }
        self.persons_left -= case.case.members.len();
        Some(case)
    }
}

impl Generator {
    fn pick_weighted(&mut self) -> usize {
        let total: u32 = self.nations.iter().map(|n| n.weight).sum();
        let mut draw = self.rng.random_range(0..total);
        for (index, nation) in self.nations.iter().enumerate() {
            if draw < nation.weight {
                return index;
            }
            draw -= nation.weight;
        }
        0
    }

    fn birth_at_age(&mut self, min: i64, max: i64) -> GregorianDate {
        let age_days = self.rng.random_range(min * 365..=max * 365 + 364);
        GregorianDate::from_days_since_epoch(reference_day().days_since_epoch() - age_days)
    }

    fn digits(&mut self, count: usize) -> String {
        (0..count)
            .map(|_| char::from(b'0' + self.rng.random_range(0..10u8)))
            .collect()
    }

    fn person(
        &mut self,
        relation: Relation,
        sex: Sex,
        birth: GregorianDate,
        western: bool,
    ) -> TruePerson {
        let adult = birth.age_on(reference_day()) >= 18;
        let given = if western {
            self.rng.random_range(0..self.bank.western_given.len())
        } else if sex == Sex::Female {
            self.rng.random_range(0..self.bank.female.len())
        } else {
            self.rng.random_range(0..self.bank.male.len())
        };
        let tazkira =
            (!western && self.rng.random_bool(if adult { 0.85 } else { 0.4 })).then(|| {
                if self.rng.random_bool(0.5) {
                    // e-tazkira: year-office-serial
                    let year = self.rng.random_range(1397..=1400);
                    format!("{year}-{}-{}", self.digits(4), self.digits(5))
                } else {
                    let length = self.rng.random_range(6..=8);
                    self.digits(length)
                }
            });
        let passport = (adult && self.rng.random_bool(if western { 1.0 } else { 0.35 }))
            .then(|| format!("P{}", self.digits(7)));
        let mut vulnerabilities = Vec::new();
        if birth.age_on(reference_day()) >= 65 {
            vulnerabilities.push(Vulnerability::Elderly);
        }
        if self.rng.random_bool(0.03) {
            vulnerabilities.push(Vulnerability::Medical);
        }
        if self.rng.random_bool(0.02) {
            vulnerabilities.push(Vulnerability::Disability);
        }
        if sex == Sex::Female && relation == Relation::Spouse && self.rng.random_bool(0.04) {
            vulnerabilities.push(Vulnerability::Pregnancy);
        }
        TruePerson {
            relation,
            sex,
            given,
            western,
            family: None,
            father: None,
            grandfather: None,
            birth,
            tazkira,
            passport,
            phone: None,
            email: None,
            unnamed: None,
            vulnerabilities,
        }
    }

    fn new_family(&mut self) -> DemoCase {
        let family_id = self.next_family;
        self.next_family += 1;
        let nation = self.pick_weighted();
        let category = self.rng.random_range(0..100u32);
        let (basis, organisation) = match category {
            0..15 => (EligibilityBasis::National, 0),
            15..65 => {
                let organisation = self.rng.random_range(0..3usize);
                let employer = self.nations[nation].organisations[organisation].0.clone();
                let role = ROLES[self.rng.random_range(0..ROLES.len())].to_owned();
                let from = self.rng.random_range(2003..=2019);
                (
                    EligibilityBasis::Worked {
                        employer,
                        role,
                        from: PartialDate::year_only(Calendar::Gregorian, from).ok(),
                        to: PartialDate::year_only(Calendar::Gregorian, 2021).ok(),
                    },
                    organisation,
                )
            }
            _ => {
                let (category, reason) = RISK_REASONS[self.rng.random_range(0..RISK_REASONS.len())];
                let organisation = if category == AtRiskCategory::Journalist {
                    4
                } else {
                    3
                };
                (
                    EligibilityBasis::AtRisk {
                        category,
                        reason: reason.to_owned(),
                    },
                    organisation,
                )
            }
        };
        let national = matches!(basis, EligibilityBasis::National);
        let western = national && self.rng.random_bool(0.2);

        // The principal and their family.
        let principal_sex = if self.rng.random_bool(0.82) {
            Sex::Male
        } else {
            Sex::Female
        };
        let birth = self.birth_at_age(21, 62);
        let mut principal = self.person(Relation::Principal, principal_sex, birth, western);
        if !western {
            principal.family = self
                .rng
                .random_bool(0.65)
                .then(|| self.rng.random_range(0..self.bank.family.len()));
            principal.father = self
                .rng
                .random_bool(0.8)
                .then(|| self.rng.random_range(0..self.bank.male.len()));
            principal.grandfather = self
                .rng
                .random_bool(0.3)
                .then(|| self.rng.random_range(0..self.bank.male.len()));
        } else {
            principal.family = Some(self.rng.random_range(0..self.bank.western_family.len()));
        }
        if self.rng.random_bool(0.85) {
            let prefix = self.rng.random_range(70..=79);
            principal.phone = Some(format!("0{prefix}{}", self.digits(7)));
        }
        let mut members = vec![principal.clone()];
        if self.rng.random_bool(0.8) {
            let sex = if principal_sex == Sex::Male {
                Sex::Female
            } else {
                Sex::Male
            };
            let birth = self.birth_at_age(18, 58);
            let mut spouse = self.person(Relation::Spouse, sex, birth, western);
            spouse.family = principal.family;
            if self.rng.random_bool(0.2) {
                spouse.unnamed = Some("spouse of the principal".to_owned());
            }
            members.push(spouse);
        }
        let children = self.rng.random_range(0..=3usize);
        for number in 1..=children {
            let sex = if self.rng.random_bool(0.5) {
                Sex::Male
            } else {
                Sex::Female
            };
            let birth = self.birth_at_age(0, 17);
            let mut child = self.person(Relation::Child, sex, birth, western);
            child.family = principal.family;
            if principal_sex == Sex::Male && !western {
                child.father = Some(principal.given);
                child.grandfather = principal.father;
            }
            if self.rng.random_bool(0.15) {
                child.unnamed = Some(format!("child {number}"));
            }
            members.push(child);
        }
        if self.rng.random_bool(0.1) {
            let sex = if self.rng.random_bool(0.5) {
                Sex::Male
            } else {
                Sex::Female
            };
            let birth = self.birth_at_age(55, 85);
            let mut parent = self.person(Relation::Parent, sex, birth, western);
            if sex == Sex::Male {
                if let Some(father) = principal.father {
                    parent.given = father;
                }
                parent.father = principal.grandfather;
            }
            parent.family = principal.family;
            members.push(parent);
        }
        if !western && self.rng.random_bool(0.2) {
            let given = &self.bank.male[principal.given.min(self.bank.male.len() - 1)];
            let latin = given.latin[0].to_lowercase().replace([' ', '-'], "");
            principal.email = Some(format!("{latin}.{}@example.org", self.digits(3)));
            members[0].email = principal.email.clone();
        }

        // Some principals are sanctioned individuals (planted for screening to find).
        let mut planted = None;
        if family_id % self.plant_every == self.plant_every / 2 {
            let listed =
                &self.sanctioned[(family_id / self.plant_every) as usize % self.sanctioned.len()];
            planted = Some(listed.reference);
        }

        let arabic_script = self.rng.random_bool(0.15) && !western;
        let rendering = Rendering {
            arabic_script,
            variant_shift: 0,
            drop_family: false,
            date_form: self.date_form(),
            keep_documents: true,
            keep_phone: true,
        };
        let progress = if planted.is_some() {
            Vec::new()
        } else {
            self.progress()
        };
        let eligibility = Eligibility { bases: vec![basis] };
        let original = self.render_case(
            nation,
            organisation,
            family_id,
            &members,
            rendering,
            &eligibility,
            progress,
            planted,
        );

        // The same family on other nations' lists, spelled and dated otherwise.
        if self.rng.random_bool(0.12) {
            let copies = if self.rng.random_bool(0.25) { 2 } else { 1 };
            let mut used = vec![nation];
            for _ in 0..copies {
                let mut other = self.pick_weighted();
                if used.contains(&other) {
                    other = (other + 1 + self.rng.random_range(0..self.nations.len() - 1))
                        % self.nations.len();
                }
                if used.contains(&other) {
                    continue;
                }
                used.push(other);
                let mut copy_members = members.clone();
                // Other lists often miss a child or the spouse's name.
                if copy_members.len() > 2 && self.rng.random_bool(0.3) {
                    copy_members.pop();
                }
                let rendering = Rendering {
                    arabic_script: !western && self.rng.random_bool(0.3),
                    variant_shift: self.rng.random_range(1..=3),
                    drop_family: self.rng.random_bool(0.3),
                    date_form: self.date_form(),
                    keep_documents: self.rng.random_bool(0.6),
                    keep_phone: self.rng.random_bool(0.6),
                };
                let organisation = self.rng.random_range(3..5usize);
                let progress = if planted.is_some() {
                    Vec::new()
                } else {
                    self.copy_progress()
                };
                let copy = self.render_case(
                    other,
                    organisation,
                    family_id,
                    &copy_members,
                    rendering,
                    &eligibility_for_copy(&eligibility),
                    progress,
                    planted,
                );
                self.pending.push(copy);
            }
        }
        original
    }

    fn date_form(&mut self) -> DateForm {
        match self.rng.random_range(0..100u32) {
            0..30 => DateForm::GregorianFull,
            30..55 => DateForm::SolarFull,
            55..82 => DateForm::SolarYear,
            82..92 => DateForm::GregorianYear,
            92..96 => DateForm::FirstOfJanuary,
            _ => DateForm::Missing,
        }
    }

    /// Where a case stands at the snapshot: most are waiting, some are through.
    fn progress(&mut self) -> Vec<StatusStep> {
        use EvacuationStatus::*;
        let gate = GATES[self.rng.random_range(0..GATES.len())];
        let step = |to, location: Option<&str>| StatusStep {
            to,
            reason: None,
            location: location.map(str::to_owned),
        };
        let path: Vec<StatusStep> = vec![
            step(Eligible, None),
            step(CalledForward, Some(gate)),
            step(AtGate, Some(gate)),
            step(Processed, Some("HKIA processing")),
            step(Manifested, Some("HKIA")),
            step(Boarded, Some("HKIA")),
            step(Departed, Some("HKIA")),
            step(Arrived, Some("Al Udeid")),
        ];
        let draw = self.rng.random_range(0..100u32);
        let take = match draw {
            0..35 => 0,
            35..55 => 1,
            55..65 => 2,
            65..69 => 3,
            69..73 => 4,
            73..76 => 5,
            76..88 => 7,
            88..96 => 8,
            96..98 => {
                return vec![StatusStep {
                    to: Ineligible,
                    reason: Some("no link to the nation could be shown".into()),
                    location: None,
                }];
            }
            _ => {
                return vec![
                    step(Eligible, None),
                    step(CalledForward, Some(gate)),
                    step(NoShow, Some(gate)),
                ];
            }
        };
        path.into_iter().take(take).collect()
    }

    /// Copies on a second list are mostly still waiting there.
    fn copy_progress(&mut self) -> Vec<StatusStep> {
        if self.rng.random_bool(0.3) {
            vec![StatusStep {
                to: EvacuationStatus::Eligible,
                reason: None,
                location: None,
            }]
        } else {
            Vec::new()
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn render_case(
        &mut self,
        nation: usize,
        organisation: usize,
        family: u64,
        members: &[TruePerson],
        rendering: Rendering,
        eligibility: &Eligibility,
        progress: Vec<StatusStep>,
        planted: Option<&'static str>,
    ) -> DemoCase {
        self.counters[nation] += 1;
        let code = self.nations[nation].code;
        let reference = format!("{code}-{}-{:06}", organisation + 1, self.counters[nation]);
        let mut new_members: Vec<NewMember> = members
            .iter()
            .map(|p| NewMember {
                relation: p.relation,
                person: self.render_person(p, rendering, code, national_of(eligibility)),
            })
            .collect();
        if let Some(reference) = planted
            && let Some(listed) = self.sanctioned.iter().find(|s| s.reference == reference)
        {
            let principal = &mut new_members[0].person;
            principal.name = if rendering.arabic_script {
                PersonName::full(listed.original_script)
            } else {
                PersonName::full(&title_case(listed.name))
            };
            principal.sex = Sex::Male;
            principal.birth_date = PartialDate::parse(listed.birth, Some(Calendar::Gregorian)).ok();
        }
        DemoCase {
            nation,
            organisation,
            case: NewCase {
                nation: code,
                organisation: None,
                reference: Some(reference),
                eligibility: eligibility.clone(),
                members: new_members,
                progress,
            },
            family,
            planted,
        }
    }

    fn spelling(&self, name: &BankName, rendering: Rendering) -> String {
        match (rendering.arabic_script, name.arabic) {
            (true, Some(arabic)) => arabic.to_owned(),
            _ => name.latin[rendering.variant_shift % name.latin.len()].to_owned(),
        }
    }

    fn render_person(
        &mut self,
        person: &TruePerson,
        rendering: Rendering,
        nation: NationCode,
        national: bool,
    ) -> Person {
        let given_bank = if person.sex == Sex::Female {
            &self.bank.female
        } else {
            &self.bank.male
        };
        let name = match &person.unnamed {
            Some(placeholder) => PersonName::unnamed(placeholder),
            None if person.western => PersonName {
                given: Some(
                    self.bank.western_given[person.given % self.bank.western_given.len()]
                        .to_owned(),
                ),
                family: person.family.map(|f| {
                    self.bank.western_family[f % self.bank.western_family.len()].to_owned()
                }),
                ..Default::default()
            },
            None => PersonName {
                given: Some(self.spelling(&given_bank[person.given % given_bank.len()], rendering)),
                family: person
                    .family
                    .filter(|_| !rendering.drop_family)
                    .map(|f| self.spelling(&self.bank.family[f], rendering)),
                father: person
                    .father
                    .map(|f| self.spelling(&self.bank.male[f], rendering)),
                grandfather: person
                    .grandfather
                    .map(|f| self.spelling(&self.bank.male[f], rendering)),
                ..Default::default()
            },
        };
        let birth_date = match rendering.date_form {
            DateForm::GregorianFull => Some(PartialDate::from_gregorian(person.birth)),
            DateForm::GregorianYear => {
                PartialDate::year_only(Calendar::Gregorian, person.birth.year()).ok()
            }
            DateForm::FirstOfJanuary => GregorianDate::new(person.birth.year(), 1, 1)
                .ok()
                .map(PartialDate::from_gregorian),
            DateForm::SolarFull => {
                let (y, m, d) = person.birth.to_solar_hijri();
                // Round-trip check keeps the generator honest about the calendar.
                solar_hijri_to_gregorian(y, m, d)
                    .ok()
                    .and_then(|_| PartialDate::new(Calendar::SolarHijri, y, Some(m), Some(d)).ok())
            }
            DateForm::SolarYear => {
                PartialDate::year_only(Calendar::SolarHijri, person.birth.to_solar_hijri().0).ok()
            }
            DateForm::Missing => None,
        };
        let afghanistan = NationCode::parse("AF").ok();
        let mut documents = Vec::new();
        if rendering.keep_documents {
            if let Some(number) = &person.tazkira {
                let kind = if number.contains('-') {
                    DocumentKind::ETazkira
                } else {
                    DocumentKind::Tazkira
                };
                let written = if rendering.variant_shift > 0 {
                    number.replace('-', " ")
                } else {
                    number.clone()
                };
                documents.extend(Document::new(kind, &written, afghanistan).ok());
            }
            if let Some(number) = &person.passport {
                let issuer = if person.western {
                    Some(nation)
                } else {
                    afghanistan
                };
                documents.extend(Document::new(DocumentKind::Passport, number, issuer).ok());
            }
        }
        let phones = person
            .phone
            .as_deref()
            .filter(|_| rendering.keep_phone)
            .and_then(|p| Phone::parse(p, None).ok())
            .into_iter()
            .collect();
        let mut nationalities = Vec::new();
        if person.western || (national && person.relation == Relation::Principal) {
            nationalities.push(nation);
        }
        if !person.western {
            nationalities.extend(afghanistan);
        }
        let languages = if person.western {
            vec!["en".to_owned()]
        } else if self.rng.random_bool(0.6) {
            vec!["fa".to_owned()]
        } else {
            vec!["ps".to_owned(), "fa".to_owned()]
        };
        Person {
            name,
            sex: person.sex,
            birth_date,
            place_of_birth: (!person.western && self.rng.random_bool(0.5)).then(|| {
                [
                    "Kabul",
                    "Kandahar",
                    "Herat",
                    "Mazar-i-Sharif",
                    "Jalalabad",
                    "Kunduz",
                    "Ghazni",
                    "Bamyan",
                ][self.rng.random_range(0..8usize)]
                .to_owned()
            }),
            nationalities,
            documents,
            phones,
            emails: person
                .email
                .as_deref()
                .and_then(|e| Email::parse(e).ok())
                .into_iter()
                .collect(),
            languages,
            vulnerabilities: person.vulnerabilities.clone(),
        }
    }
}

fn national_of(eligibility: &Eligibility) -> bool {
    eligibility
        .bases
        .iter()
        .any(|b| matches!(b, EligibilityBasis::National))
}

/// A family that is one nation's national is, on another nation's list, at risk.
fn eligibility_for_copy(eligibility: &Eligibility) -> Eligibility {
    if national_of(eligibility) {
        Eligibility {
            bases: vec![EligibilityBasis::AtRisk {
                category: AtRiskCategory::Other,
                reason: "dual national, family of a foreign citizen".into(),
            }],
        }
    } else {
        eligibility.clone()
    }
}

fn title_case(text: &str) -> String {
    text.split_whitespace()
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first
                    .to_uppercase()
                    .chain(chars.flat_map(char::to_lowercase))
                    .collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<String>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{HashMap, HashSet};

    fn scenario(persons: usize, seed: u64) -> Vec<DemoCase> {
        generate(DemoConfig { persons, seed }).collect()
    }

    #[test]
    fn exact_person_count_and_deterministic() {
        for persons in [1, 7, 1000, 20_000] {
            let cases = scenario(persons, 7);
            let total: usize = cases.iter().map(|c| c.case.members.len()).sum();
            assert_eq!(total, persons);
        }
        let a = scenario(3000, 42);
        let b = scenario(3000, 42);
        assert_eq!(
            format!("{:?}", a.iter().map(|c| &c.case).collect::<Vec<_>>()),
            format!("{:?}", b.iter().map(|c| &c.case).collect::<Vec<_>>())
        );
        let c = scenario(3000, 43);
        assert_ne!(format!("{:?}", a[0].case), format!("{:?}", c[0].case));
    }

    #[test]
    fn the_default_scenario_has_what_real_lists_have() {
        let cases = scenario(20_000, 2021);
        let people: Vec<&Person> = cases
            .iter()
            .flat_map(|c| c.case.members.iter().map(|m| &m.person))
            .collect();
        // ~6,000 cases
        assert!(
            (5_000..=7_500).contains(&cases.len()),
            "{} cases",
            cases.len()
        );
        // Every case has exactly one principal and validates.
        for case in &cases {
            assert_eq!(
                case.case
                    .members
                    .iter()
                    .filter(|m| m.relation == Relation::Principal)
                    .count(),
                1
            );
            for member in &case.case.members {
                member.person.clone().validated().unwrap();
            }
        }
        // Six nations or more, each with several organisations in use.
        let nations: HashSet<_> = cases.iter().map(|c| c.case.nation).collect();
        assert!(nations.len() >= 6);
        // All three categories.
        let categories: HashSet<_> = cases
            .iter()
            .filter_map(|c| c.case.eligibility.primary_category())
            .collect();
        assert_eq!(categories.len(), 3);
        // Families on several nations' lists.
        let mut lists_per_family: HashMap<u64, HashSet<NationCode>> = HashMap::new();
        for case in &cases {
            lists_per_family
                .entry(case.family)
                .or_default()
                .insert(case.case.nation);
        }
        let overlapping = lists_per_family.values().filter(|n| n.len() > 1).count();
        assert!(overlapping > 300, "{overlapping} families on several lists");
        // Arabic script, Solar Hijri and year-only dates, unnamed dependents.
        let arabic = people
            .iter()
            .filter(|p| {
                p.name
                    .given
                    .as_deref()
                    .is_some_and(|g| g.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)))
            })
            .count();
        assert!(arabic > 1000, "{arabic} Arabic-script names");
        let solar = people
            .iter()
            .filter(|p| {
                p.birth_date
                    .is_some_and(|d| d.calendar() == Calendar::SolarHijri)
            })
            .count();
        assert!(solar > 5000, "{solar} Solar Hijri dates");
        let year_only = people
            .iter()
            .filter(|p| p.birth_date.is_some_and(|d| d.month().is_none()))
            .count();
        assert!(year_only > 3000, "{year_only} year-only dates");
        let unnamed = people.iter().filter(|p| p.name.is_unnamed()).count();
        assert!(unnamed > 500, "{unnamed} unnamed dependents");
        // Sanctioned names planted, a few.
        let planted: HashSet<_> = cases.iter().filter_map(|c| c.planted).collect();
        assert!((3..=8).contains(&planted.len()), "{planted:?}");
    }

    #[test]
    fn copies_on_other_lists_are_spelled_otherwise() {
        let cases = scenario(20_000, 5);
        let mut by_family: HashMap<u64, Vec<&DemoCase>> = HashMap::new();
        for case in &cases {
            by_family.entry(case.family).or_default().push(case);
        }
        let differing = by_family
            .values()
            .filter(|copies| copies.len() > 1)
            .filter(|copies| {
                copies[0].case.members[0].person.name != copies[1].case.members[0].person.name
            })
            .count();
        assert!(differing > 100, "{differing}");
    }
}
