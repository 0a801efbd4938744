//! The instance prepared for search: cases grouped into boarding units (an escort case with the
//! unaccompanied minors it escorts), their values and priorities, and which flights each may take.
//!
//! Feasibility that does not depend on seats (carriage, acceptance, ready time) is decided here
//! once per *class* of unit (its set of nation and category pairs), because a Kabul-scale pool
//! has tens of thousands of cases but only a few dozen classes.

use crate::error::PlanError;
use crate::model::{Flight, FlightStatus, Instance, Minutes, ReadyCase};
use crate::plan::UnassignedReason;
use crate::priority::Config;
use airbridge_domain::{CaseId, Category, NationCode};
use std::collections::{HashMap, HashSet};

/// Cases that board together, always on one flight.
#[derive(Debug, Clone)]
pub(crate) struct Unit {
    /// Indices into `Instance::cases`; the escort (or the lone case) first.
    pub cases: Vec<usize>,
    pub seats: u32,
    /// The escort's nation: the one whose fairness claim the unit carries.
    pub nation: NationCode,
    /// The unit may fly once its last case is ready.
    pub ready_at: Minutes,
    /// The unit's value before the flight's discount: departing at `now` it would be worth this.
    pub base_value: f64,
    /// Value per seat before the flight's discount: the order of service and of fairness.
    pub priority: f64,
    pub class: usize,
}

#[derive(Debug)]
pub(crate) struct Problem<'a> {
    pub instance: &'a Instance,
    pub config: &'a Config,
    /// Planned flights sorted by slot then id; a flight's *position* indexes this.
    pub flights: Vec<usize>,
    pub slots: Vec<Minutes>,
    /// The discount each flight's departure applies to every value aboard.
    pub flight_factors: Vec<f64>,
    pub capacities: Vec<u32>,
    /// Units in service order: priority first, then larger families, then earlier ready.
    pub units: Vec<Unit>,
    /// Positions of the flights each class may board, in slot order (ready time not applied).
    pub classes: Vec<Vec<u32>>,
    /// Cases that can never be planned, with why.
    pub excluded: Vec<(usize, UnassignedReason)>,
}

impl<'a> Problem<'a> {
    pub fn new(instance: &'a Instance, config: &'a Config) -> Result<Problem<'a>, PlanError> {
        config.validate()?;
        let mut flight_ids = HashSet::new();
        for flight in &instance.flights {
            if !flight_ids.insert(&flight.id) {
                return Err(PlanError::DuplicateFlight(flight.id.clone()));
            }
        }
        let mut case_index = HashMap::new();
        for (index, case) in instance.cases.iter().enumerate() {
            if case_index.insert(case.id, index).is_some() {
                return Err(PlanError::DuplicateCase(case.id));
            }
            if case
                .value_per_seat
                .is_some_and(|v| !(v.is_finite() && v >= 0.0))
            {
                return Err(PlanError::InvalidValue(case.id));
            }
        }

        let mut flights: Vec<usize> = (0..instance.flights.len())
            .filter(|&i| {
                let flight = &instance.flights[i];
                flight.status == FlightStatus::Planned && flight.slot >= instance.now
            })
            .collect();
        flights.sort_by(|&a, &b| {
            let (fa, fb) = (&instance.flights[a], &instance.flights[b]);
            (fa.slot, &fa.id).cmp(&(fb.slot, &fb.id))
        });
        let slots: Vec<Minutes> = flights.iter().map(|&i| instance.flights[i].slot).collect();
        let flight_factors = slots
            .iter()
            .map(|&slot| config.flight_factor(slot, instance.now))
            .collect();
        let capacities = flights
            .iter()
            .map(|&i| instance.flights[i].capacity())
            .collect();

        let (groups, excluded) = group_units(instance, &case_index);
        let rules = Rules::new(instance);
        let mut class_of_key: HashMap<ClassKey<'_>, usize> = HashMap::new();
        let mut class_of_list: HashMap<Vec<u32>, usize> = HashMap::new();
        let by_category = !(instance.agreements.is_empty() && instance.acceptance.is_empty());
        let mut classes: Vec<Vec<u32>> = Vec::new();
        let mut units = Vec::with_capacity(groups.len());
        for cases in groups {
            let mut key: ClassKey = cases
                .iter()
                .map(|&c| {
                    let case = &instance.cases[c];
                    let mut destinations: Vec<&str> =
                        case.destinations.iter().map(|d| d.0.as_str()).collect();
                    destinations.sort_unstable();
                    destinations.dedup();
                    // Without agreements or acceptance rules the category decides nothing.
                    let category = if by_category {
                        case.category.as_str()
                    } else {
                        ""
                    };
                    (case.nation, category, destinations)
                })
                .collect();
            key.sort();
            key.dedup();
            let class = match class_of_key.get(&key) {
                Some(&class) => class,
                None => {
                    let list: Vec<u32> = flights
                        .iter()
                        .enumerate()
                        .filter(|(_, i)| {
                            let flight = &instance.flights[**i];
                            cases
                                .iter()
                                .all(|&c| rules.may_board(flight, &instance.cases[c]))
                        })
                        .map(|(position, _)| position as u32)
                        .collect();
                    // Keys that admit the same flights are one class.
                    let class = *class_of_list.entry(list.clone()).or_insert_with(|| {
                        classes.push(list);
                        classes.len() - 1
                    });
                    class_of_key.insert(key, class);
                    class
                }
            };
            units.push(make_unit(instance, config, cases, class));
        }
        units.sort_by(|a, b| {
            b.priority
                .total_cmp(&a.priority)
                .then(b.seats.cmp(&a.seats))
                .then(a.ready_at.cmp(&b.ready_at))
                .then(
                    instance.cases[a.cases[0]]
                        .id
                        .cmp(&instance.cases[b.cases[0]].id),
                )
        });
        Ok(Problem {
            instance,
            config,
            flights,
            slots,
            flight_factors,
            capacities,
            units,
            classes,
            excluded,
        })
    }

    /// Positions of the flights `unit` may board (carriage, acceptance, ready time), in slot order.
    pub fn feasible_flights(&self, unit: usize) -> &[u32] {
        let unit = &self.units[unit];
        let list = &self.classes[unit.class];
        let start = list.partition_point(|&p| self.slots[p as usize] < unit.ready_at);
        &list[start..]
    }

    pub fn can_board(&self, unit: usize, position: u32) -> bool {
        let u = &self.units[unit];
        self.slots[position as usize] >= u.ready_at
            && self.classes[u.class].binary_search(&position).is_ok()
            && u.seats <= self.capacities[position as usize]
    }

    /// The unit's value when it departs on the flight at `position`.
    pub fn value_at(&self, unit: usize, position: u32) -> f64 {
        self.units[unit].base_value * self.flight_factors[position as usize]
    }

    pub fn flight(&self, position: u32) -> &Flight {
        &self.instance.flights[self.flights[position as usize]]
    }

    pub fn case(&self, index: usize) -> &ReadyCase {
        &self.instance.cases[index]
    }
}

/// What decides which flights a unit may board: for each of its cases the nation, the category
/// and the destinations it accepts (sorted).
type ClassKey<'a> = Vec<(NationCode, &'static str, Vec<&'a str>)>;

/// Who may fly on what: carriage agreements, destinations' acceptance rules and the cases' own
/// destination restrictions.
struct Rules<'a> {
    carriage: HashSet<(NationCode, NationCode, Category)>,
    acceptance: HashMap<&'a str, Vec<&'a crate::model::AcceptanceRule>>,
}

impl<'a> Rules<'a> {
    fn new(instance: &'a Instance) -> Rules<'a> {
        let carriage = instance
            .agreements
            .iter()
            .flat_map(|a| {
                a.categories
                    .iter()
                    .map(move |c| (a.carrier, a.passengers, *c))
            })
            .collect();
        let mut acceptance: HashMap<&str, Vec<_>> = HashMap::new();
        for rule in &instance.acceptance {
            acceptance
                .entry(rule.destination.0.as_str())
                .or_default()
                .push(rule);
        }
        Rules {
            carriage,
            acceptance,
        }
    }

    fn may_board(&self, flight: &Flight, case: &ReadyCase) -> bool {
        self.carries(flight, case.nation, case.category) && case.may_land_at(&flight.destination)
    }

    fn carries(&self, flight: &Flight, nation: NationCode, category: Category) -> bool {
        let carried = flight.nation == nation
            || flight.carries.contains(&nation)
            || self.carriage.contains(&(flight.nation, nation, category));
        // Several rules for one destination are alternatives: matching any of them is enough.
        let accepted = match self.acceptance.get(flight.destination.0.as_str()) {
            None => true,
            Some(rules) => rules.iter().any(|r| {
                (r.nations.is_empty() || r.nations.contains(&nation))
                    && (r.categories.is_empty() || r.categories.contains(&category))
            }),
        };
        carried && accepted
    }
}

/// Groups plannable cases into units and sets the others aside with their reason.
fn group_units(
    instance: &Instance,
    case_index: &HashMap<CaseId, usize>,
) -> (Vec<Vec<usize>>, Vec<(usize, UnassignedReason)>) {
    let mut excluded = Vec::new();
    let plannable_alone = |case: &ReadyCase| !case.blocked && !case.members.is_empty();
    let mut unit_of_escort: HashMap<usize, usize> = HashMap::new();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (index, case) in instance.cases.iter().enumerate() {
        if case.members.is_empty() {
            excluded.push((index, UnassignedReason::NoMembers));
        } else if case.blocked {
            excluded.push((index, UnassignedReason::Blocked));
        } else if !case.unaccompanied_minor {
            unit_of_escort.insert(index, groups.len());
            groups.push(vec![index]);
        }
    }
    for (index, case) in instance.cases.iter().enumerate() {
        if !case.unaccompanied_minor || !plannable_alone(case) {
            continue;
        }
        let Some(escort_id) = case.escort else {
            excluded.push((index, UnassignedReason::NoEscort));
            continue;
        };
        let escort_unit = case_index
            .get(&escort_id)
            .and_then(|escort| unit_of_escort.get(escort));
        match escort_unit {
            Some(&unit) => groups[unit].push(index),
            None => excluded.push((index, UnassignedReason::EscortUnavailable)),
        }
    }
    (groups, excluded)
}

fn make_unit(instance: &Instance, config: &Config, cases: Vec<usize>, class: usize) -> Unit {
    let escort = &instance.cases[cases[0]];
    let ready_at = cases
        .iter()
        .map(|&c| instance.cases[c].ready_at)
        .max()
        .unwrap_or(escort.ready_at);
    let mut seats = 0;
    let mut base_value = 0.0;
    for &index in &cases {
        let case = &instance.cases[index];
        let weights = config.weights_for(case.nation);
        let value: f64 = match case.value_per_seat {
            Some(per_seat) => per_seat * f64::from(case.seats()),
            None => case
                .members
                .iter()
                .map(|m| {
                    weights.category(case.category)
                        + m.vulnerabilities
                            .iter()
                            .map(|v| weights.vulnerability(*v))
                            .sum::<f64>()
                })
                .sum(),
        };
        base_value += value * config.case_factor(case.ready_at, instance.now);
        seats += case.seats();
    }
    Unit {
        seats,
        nation: escort.nation,
        ready_at,
        base_value,
        priority: base_value / f64::from(seats.max(1)),
        class,
        cases,
    }
}
