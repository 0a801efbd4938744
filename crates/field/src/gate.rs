//! What gates did to one pass, settled the same way whatever order the gates' reports reach
//! the server in.
//!
//! A gate that is online is told at once when a pass was already used, and refuses it. A gate
//! that is offline cannot know: it admits, queues the action and sends it later. So one pass
//! may come back with actions from two gates, or with an admission and a denial. The rule:
//!
//! 1. The gate whose **first** action on the pass is earliest (device time, then gate name, then
//!    the action's id) holds the pass. The person who showed it there first is presumed its
//!    holder; a second presentation elsewhere is what a forwarded or sold pass looks like.
//! 2. That gate's actions, in their own order, decide each member's status: admitted → at the
//!    gate, processed → processed, denied → denied.
//! 3. Actions from any other gate are kept, change nothing, and raise a flag for a person to
//!    look at (as does an action that changed a member the holding gate did not list).
//!
//! The outcome depends only on the set of actions, never on the order they arrive in (a
//! property test shuffles them), so every server and every re-sync agrees.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// What a gate officer did with a case's pass.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum GateAction {
    /// These members came through the gate.
    Admit { members: Vec<i64> },
    /// These members' identity and documents were checked inside.
    Process { members: Vec<i64> },
    /// These members were turned away, and why.
    Deny { members: Vec<i64>, reason: String },
}

impl GateAction {
    pub fn members(&self) -> &[i64] {
        match self {
            GateAction::Admit { members }
            | GateAction::Process { members }
            | GateAction::Deny { members, .. } => members,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            GateAction::Admit { .. } => "admit",
            GateAction::Process { .. } => "process",
            GateAction::Deny { .. } => "deny",
        }
    }
}

/// One action as a gate recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateEvent {
    /// Chosen by the device (a random id), so a re-sent action is recognised.
    pub op_id: String,
    pub gate: String,
    /// Device time, milliseconds since 1970 (UTC).
    pub at_ms: i64,
    #[serde(flatten)]
    pub action: GateAction,
}

impl GateEvent {
    /// A total order: two different actions under one id (which the store refuses) still sort
    /// the same way whatever order they came in.
    fn order_key(&self) -> (i64, &str, &str, &GateAction) {
        (
            self.at_ms,
            self.gate.as_str(),
            self.op_id.as_str(),
            &self.action,
        )
    }
}

/// Why a person should look at a pass.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "flag", rename_all = "snake_case")]
pub enum GateFlag {
    /// The pass was shown at another gate after its holder's gate had it.
    UsedAtAnotherGate { gate: String, op_id: String },
    /// The holding gate admitted a member a second time (the pass shown twice at one gate).
    AdmittedTwice { member: i64, op_id: String },
}

/// What the actions on one pass come to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resolution {
    /// The gate that holds the pass.
    pub gate: String,
    /// The holding gate's first action: when and where the pass was used.
    pub first_op: String,
    pub first_at_ms: i64,
    /// Each member the holding gate acted on, with the last thing it did to them.
    pub members: BTreeMap<i64, MemberOutcome>,
    /// The actions that changed nothing (other gates'), by id.
    pub ignored: BTreeSet<String>,
    pub flags: Vec<GateFlag>,
}

/// Where the holding gate left one member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum MemberOutcome {
    Admitted,
    Processed,
    Denied { reason: String },
}

/// Settles a pass's actions. `None` when there are none. Duplicate ids count once (the first
/// in the order above).
pub fn resolve(events: &[GateEvent]) -> Option<Resolution> {
    let mut sorted: Vec<&GateEvent> = events.iter().collect();
    sorted.sort_by(|a, b| a.order_key().cmp(&b.order_key()));
    let mut seen = BTreeSet::new();
    sorted.retain(|e| seen.insert(e.op_id.as_str()));
    let first = sorted.first()?;
    let gate = first.gate.clone();
    let mut resolution = Resolution {
        gate: gate.clone(),
        first_op: first.op_id.clone(),
        first_at_ms: first.at_ms,
        members: BTreeMap::new(),
        ignored: BTreeSet::new(),
        flags: Vec::new(),
    };
    let mut other_gates = BTreeSet::new();
    for event in sorted {
        if event.gate != gate {
            resolution.ignored.insert(event.op_id.clone());
            if other_gates.insert(event.gate.as_str()) {
                resolution.flags.push(GateFlag::UsedAtAnotherGate {
                    gate: event.gate.clone(),
                    op_id: event.op_id.clone(),
                });
            }
            continue;
        }
        for &member in event.action.members() {
            let outcome = match &event.action {
                GateAction::Admit { .. } => {
                    if resolution.members.contains_key(&member) {
                        resolution.flags.push(GateFlag::AdmittedTwice {
                            member,
                            op_id: event.op_id.clone(),
                        });
                        continue;
                    }
                    MemberOutcome::Admitted
                }
                GateAction::Process { .. } => MemberOutcome::Processed,
                GateAction::Deny { reason, .. } => MemberOutcome::Denied {
                    reason: reason.clone(),
                },
            };
            resolution.members.insert(member, outcome);
        }
    }
    Some(resolution)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn event(op: &str, gate: &str, at_ms: i64, action: GateAction) -> GateEvent {
        GateEvent {
            op_id: op.into(),
            gate: gate.into(),
            at_ms,
            action,
        }
    }

    fn admit(members: &[i64]) -> GateAction {
        GateAction::Admit {
            members: members.to_vec(),
        }
    }

    #[test]
    fn one_gate_admits_then_processes() {
        let r = resolve(&[
            event(
                "b",
                "Abbey Gate",
                20,
                GateAction::Process { members: vec![1] },
            ),
            event("a", "Abbey Gate", 10, admit(&[1, 2])),
        ])
        .unwrap();
        assert_eq!(r.gate, "Abbey Gate");
        assert_eq!(r.first_op, "a");
        assert_eq!(r.members[&1], MemberOutcome::Processed);
        assert_eq!(r.members[&2], MemberOutcome::Admitted);
        assert!(r.flags.is_empty());
    }

    #[test]
    fn the_first_gate_holds_the_pass_and_the_second_is_flagged() {
        let events = [
            event("x", "North Gate", 50, admit(&[1, 2])),
            event("y", "Abbey Gate", 40, admit(&[1])),
            event(
                "z",
                "North Gate",
                60,
                GateAction::Deny {
                    members: vec![2],
                    reason: "documents".into(),
                },
            ),
        ];
        let r = resolve(&events).unwrap();
        assert_eq!(r.gate, "Abbey Gate");
        assert_eq!(r.members.len(), 1);
        assert_eq!(r.ignored, BTreeSet::from(["x".to_owned(), "z".to_owned()]));
        assert_eq!(
            r.flags,
            vec![GateFlag::UsedAtAnotherGate {
                gate: "North Gate".into(),
                op_id: "x".into()
            }]
        );
    }

    #[test]
    fn a_resent_action_counts_once_and_a_second_admission_is_flagged() {
        let r = resolve(&[
            event("a", "G", 1, admit(&[7])),
            event("a", "G", 1, admit(&[7])),
            event("b", "G", 5, admit(&[7])),
        ])
        .unwrap();
        assert_eq!(
            r.flags,
            vec![GateFlag::AdmittedTwice {
                member: 7,
                op_id: "b".into()
            }]
        );
        assert_eq!(resolve(&[]), None);
    }

    fn arb_event() -> impl Strategy<Value = GateEvent> {
        (
            0u8..6,
            prop::sample::select(vec!["Abbey Gate", "North Gate", "East Gate"]),
            0i64..5,
            0u8..3,
            prop::collection::vec(1i64..4, 1..3),
        )
            .prop_map(|(op, gate, at, kind, members)| GateEvent {
                op_id: format!("op{op}-{gate}-{at}-{kind}"),
                gate: gate.into(),
                at_ms: at,
                action: match kind {
                    0 => GateAction::Admit { members },
                    1 => GateAction::Process { members },
                    _ => GateAction::Deny {
                        members,
                        reason: "r".into(),
                    },
                },
            })
    }

    proptest! {
        #[test]
        fn the_outcome_does_not_depend_on_arrival_order(
            events in prop::collection::vec(arb_event(), 1..12),
            seed in any::<u64>(),
        ) {
            let mut shuffled = events.clone();
            // A deterministic shuffle from the seed.
            let mut state = seed | 1;
            for i in (1..shuffled.len()).rev() {
                state ^= state << 13; state ^= state >> 7; state ^= state << 17;
                shuffled.swap(i, (state % (i as u64 + 1)) as usize);
            }
            prop_assert_eq!(resolve(&events), resolve(&shuffled));
        }

        #[test]
        fn only_the_holding_gate_changes_anyone(events in prop::collection::vec(arb_event(), 1..12)) {
            let r = resolve(&events).unwrap();
            for e in &events {
                if e.gate != r.gate {
                    prop_assert!(r.ignored.contains(&e.op_id));
                }
            }
            let gates: BTreeSet<&str> = events.iter().map(|e| e.gate.as_str()).collect();
            let flagged = r.flags.iter().filter(|f| matches!(f, GateFlag::UsedAtAnotherGate { .. })).count();
            prop_assert_eq!(flagged, gates.len() - 1);
        }
    }
}
