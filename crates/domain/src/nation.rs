//! Nations: the tenants of Airbridge, named by their ISO 3166-1 alpha-2 code.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Every officially assigned ISO 3166-1 alpha-2 code, plus `XK` (Kosovo, user-assigned but used
/// by the EU and on travel documents).
const ISO_3166_ALPHA2: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ \
BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO \
DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN \
HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT \
LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR \
NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN \
SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN \
VU WF WS YE YT ZA ZM ZW XK";

/// Why a nation code was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NationError {
    #[error(
        "'{0}' is not an ISO 3166-1 alpha-2 country code: give two letters such as FR, DE, US, AF"
    )]
    NotAlpha2(String),
    #[error("'{0}' has the shape of a country code but is not assigned in ISO 3166-1")]
    Unassigned(String),
}

/// An ISO 3166-1 alpha-2 country code, upper case. Used both for nations (tenants) and for
/// nationalities and document issuers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NationCode([u8; 2]);

impl NationCode {
    /// Parses a code in any case with surrounding spaces: `fr`, ` FR `.
    pub fn parse(text: &str) -> Result<NationCode, NationError> {
        let trimmed = text.trim();
        let bytes = trimmed.as_bytes();
        if bytes.len() != 2 || !bytes.iter().all(u8::is_ascii_alphabetic) {
            return Err(NationError::NotAlpha2(trimmed.to_owned()));
        }
        let code = [bytes[0].to_ascii_uppercase(), bytes[1].to_ascii_uppercase()];
        let as_str = std::str::from_utf8(&code).unwrap_or_default();
        if !ISO_3166_ALPHA2
            .split_ascii_whitespace()
            .any(|c| c == as_str)
        {
            return Err(NationError::Unassigned(as_str.to_owned()));
        }
        Ok(NationCode(code))
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII letters are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

impl fmt::Display for NationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for NationCode {
    type Err = NationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        NationCode::parse(s)
    }
}

impl TryFrom<String> for NationCode {
    type Error = NationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        NationCode::parse(&value)
    }
}

impl From<NationCode> for String {
    fn from(code: NationCode) -> String {
        code.as_str().to_owned()
    }
}

/// A nation taking part in the evacuation: a tenant whose data is walled off from the others.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Nation {
    pub code: NationCode,
    pub name: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: Result<&str, ()>) {
        let got = NationCode::parse(input)
            .map(|c| c.to_string())
            .map_err(|_| ());
        assert_eq!(got, expected.map(str::to_owned), "input {input:?}");
    }

    #[test]
    fn codes_are_validated_against_iso_3166() {
        check("FR", Ok("FR"));
        check(" de ", Ok("DE"));
        check("af", Ok("AF"));
        check("XK", Ok("XK"));
        check("ZZ", Err(()));
        check("FRA", Err(()));
        check("F", Err(()));
        check("1A", Err(()));
        check("", Err(()));
    }

    #[test]
    fn code_list_is_complete_and_well_formed() {
        let codes: Vec<&str> = ISO_3166_ALPHA2.split_ascii_whitespace().collect();
        assert_eq!(codes.len(), 250, "249 ISO codes and XK");
        assert!(codes.iter().all(|c| c.len() == 2));
    }

    #[test]
    fn serde_round_trip_refuses_bad_codes() {
        let code: NationCode = serde_json::from_str("\"gb\"").unwrap();
        assert_eq!(serde_json::to_string(&code).unwrap(), "\"GB\"");
        assert!(serde_json::from_str::<NationCode>("\"UK\"").is_err());
    }
}
