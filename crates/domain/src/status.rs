//! The evacuation status of a person, from registration to arrival, and the transitions the
//! registry allows between them. This table is the only place they are decided.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Where a person stands in the evacuation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvacuationStatus {
    Registered,
    Eligible,
    Ineligible,
    /// Told when and where to come (given a pass).
    CalledForward,
    /// Arrived at the gate, not yet processed.
    AtGate,
    /// Identity and documents checked inside the gate; ready to be manifested.
    Processed,
    /// On a flight's manifest.
    Manifested,
    Boarded,
    Departed,
    Arrived,
    /// Called forward but did not come in the window.
    NoShow,
    /// Refused at the gate or after screening.
    Denied,
    /// Left the process (found another way out, or chose to stay).
    Withdrawn,
}

/// Why a status change was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("a person cannot go from '{from}' to '{to}'; from '{from}' they may go to: {allowed}")]
    NotAllowed {
        from: EvacuationStatus,
        to: EvacuationStatus,
        allowed: String,
    },
    #[error("going to '{0}' needs a reason")]
    ReasonRequired(EvacuationStatus),
    #[error("'{0}' is not a status: use one of {1}")]
    Unknown(String, String),
}

impl EvacuationStatus {
    pub const ALL: [EvacuationStatus; 13] = [
        EvacuationStatus::Registered,
        EvacuationStatus::Eligible,
        EvacuationStatus::Ineligible,
        EvacuationStatus::CalledForward,
        EvacuationStatus::AtGate,
        EvacuationStatus::Processed,
        EvacuationStatus::Manifested,
        EvacuationStatus::Boarded,
        EvacuationStatus::Departed,
        EvacuationStatus::Arrived,
        EvacuationStatus::NoShow,
        EvacuationStatus::Denied,
        EvacuationStatus::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EvacuationStatus::Registered => "registered",
            EvacuationStatus::Eligible => "eligible",
            EvacuationStatus::Ineligible => "ineligible",
            EvacuationStatus::CalledForward => "called_forward",
            EvacuationStatus::AtGate => "at_gate",
            EvacuationStatus::Processed => "processed",
            EvacuationStatus::Manifested => "manifested",
            EvacuationStatus::Boarded => "boarded",
            EvacuationStatus::Departed => "departed",
            EvacuationStatus::Arrived => "arrived",
            EvacuationStatus::NoShow => "no_show",
            EvacuationStatus::Denied => "denied",
            EvacuationStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(text: &str) -> Result<EvacuationStatus, TransitionError> {
        let word = text.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        EvacuationStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == word)
            .ok_or_else(|| {
                TransitionError::Unknown(
                    text.trim().to_owned(),
                    EvacuationStatus::ALL.map(|s| s.as_str()).join(", "),
                )
            })
    }

    /// The statuses a person may move to from this one.
    ///
    /// The forward path is registered → eligible → called forward → at gate → processed →
    /// manifested → boarded → departed → arrived. The ways back are those the ground needs: a
    /// call-forward withdrawn (back to eligible), a no-show called again, a person taken off a
    /// manifest or off an aircraft when a flight is cancelled (back to processed), an
    /// eligibility decision revised, a withdrawn person registering again. Arrival is final.
    pub fn next(self) -> &'static [EvacuationStatus] {
        use EvacuationStatus::*;
        match self {
            Registered => &[Eligible, Ineligible, Withdrawn],
            Eligible => &[CalledForward, Ineligible, Withdrawn],
            Ineligible => &[Eligible, Withdrawn],
            CalledForward => &[AtGate, NoShow, Eligible, Withdrawn],
            NoShow => &[CalledForward, Eligible, Withdrawn],
            AtGate => &[Processed, Denied, Withdrawn],
            Processed => &[Manifested, Denied, Withdrawn],
            Manifested => &[Boarded, Processed, Denied],
            Boarded => &[Departed, Processed],
            Departed => &[Arrived],
            Arrived => &[],
            Denied => &[Eligible, Ineligible, Withdrawn],
            Withdrawn => &[Registered],
        }
    }

    /// Statuses that must be given a reason (a refusal must be explained to a reviewer).
    pub fn needs_reason(self) -> bool {
        matches!(
            self,
            EvacuationStatus::Ineligible | EvacuationStatus::Denied | EvacuationStatus::Withdrawn
        )
    }

    /// Checks a change from `self` to `to`. Staying in the same status is not a change.
    pub fn check_transition(
        self,
        to: EvacuationStatus,
        reason: Option<&str>,
    ) -> Result<(), TransitionError> {
        if !self.next().contains(&to) {
            return Err(TransitionError::NotAllowed {
                from: self,
                to,
                allowed: if self.next().is_empty() {
                    "nowhere (final)".to_owned()
                } else {
                    self.next()
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                },
            });
        }
        if to.needs_reason() && reason.is_none_or(|r| r.trim().is_empty()) {
            return Err(TransitionError::ReasonRequired(to));
        }
        Ok(())
    }

    /// Whether a person in this status is still waiting to leave (counts in the queue).
    pub fn is_waiting(self) -> bool {
        use EvacuationStatus::*;
        matches!(
            self,
            Registered | Eligible | CalledForward | AtGate | Processed | Manifested | NoShow
        )
    }
}

impl fmt::Display for EvacuationStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::EvacuationStatus::{self, *};

    #[test]
    fn forward_path_is_allowed() {
        let path = [
            Registered,
            Eligible,
            CalledForward,
            AtGate,
            Processed,
            Manifested,
            Boarded,
            Departed,
            Arrived,
        ];
        for pair in path.windows(2) {
            assert!(pair[0].check_transition(pair[1], None).is_ok(), "{pair:?}");
        }
    }

    /// Walks every pair of statuses: exactly the listed transitions pass, all others are
    /// refused with a message naming the allowed ones.
    #[test]
    fn every_illegal_transition_is_refused() {
        let allowed: &[(EvacuationStatus, EvacuationStatus)] = &[
            (Registered, Eligible),
            (Registered, Ineligible),
            (Registered, Withdrawn),
            (Eligible, CalledForward),
            (Eligible, Ineligible),
            (Eligible, Withdrawn),
            (Ineligible, Eligible),
            (Ineligible, Withdrawn),
            (CalledForward, AtGate),
            (CalledForward, NoShow),
            (CalledForward, Eligible),
            (CalledForward, Withdrawn),
            (NoShow, CalledForward),
            (NoShow, Eligible),
            (NoShow, Withdrawn),
            (AtGate, Processed),
            (AtGate, Denied),
            (AtGate, Withdrawn),
            (Processed, Manifested),
            (Processed, Denied),
            (Processed, Withdrawn),
            (Manifested, Boarded),
            (Manifested, Processed),
            (Manifested, Denied),
            (Boarded, Departed),
            (Boarded, Processed),
            (Departed, Arrived),
            (Denied, Eligible),
            (Denied, Ineligible),
            (Denied, Withdrawn),
            (Withdrawn, Registered),
        ];
        let mut refused = 0;
        for from in EvacuationStatus::ALL {
            for to in EvacuationStatus::ALL {
                let result = from.check_transition(to, Some("reason given"));
                if allowed.contains(&(from, to)) {
                    assert!(result.is_ok(), "{from} -> {to} should be allowed");
                } else {
                    refused += 1;
                    let message = result.expect_err("illegal transition passed").to_string();
                    assert!(message.contains(from.as_str()) && message.contains(to.as_str()));
                }
            }
        }
        assert_eq!(refused, 13 * 13 - allowed.len());
    }

    #[test]
    fn refusals_need_a_reason() {
        assert!(AtGate.check_transition(Denied, None).is_err());
        assert!(AtGate.check_transition(Denied, Some("  ")).is_err());
        assert!(AtGate.check_transition(Denied, Some("no document")).is_ok());
        assert!(Registered.check_transition(Eligible, None).is_ok());
    }

    #[test]
    fn parse_statuses() {
        for status in EvacuationStatus::ALL {
            assert_eq!(EvacuationStatus::parse(status.as_str()).unwrap(), status);
        }
        assert_eq!(
            EvacuationStatus::parse("Called Forward").unwrap(),
            CalledForward
        );
        assert!(EvacuationStatus::parse("flying").is_err());
    }
}
