//! The fast planner: units in priority order into the earliest flight that fits them (best fit
//! among flights leaving at the same slot), then swaps that fill leftover seats, then a repair
//! that enforces fairness between nations sharing a flight.
//!
//! Serving units strictly in priority order is what makes the plan fair by construction: when a
//! unit finds no room, every unit already aboard is of equal or higher priority. The swaps may
//! break that (a dropped unit can find itself waiting behind a lower one), so the repair runs last.

use crate::model::FlightId;
use crate::pack::{Group, pack};
use crate::plan::{FlightLoad, Plan, Unassigned, UnassignedReason};
use crate::problem::Problem;
use airbridge_domain::CaseId;

/// Sweeps of the fairness repair. Each eviction replaces lower-priority units by a higher one,
/// so the sweeps terminate on their own; the cap only guards against float ties.
const MAX_REPAIR_SWEEPS: usize = 16;

/// Rounds of ejection moves; each round rebuilds its table of waiting units, and later rounds
/// find little.
const MAX_RELOCATE_ROUNDS: usize = 64;

#[derive(Clone)]
pub(crate) struct Search<'p, 'a> {
    pub problem: &'p Problem<'a>,
    pub used: Vec<u32>,
    pub aboard: Vec<Vec<usize>>,
    pub placed: Vec<Option<u32>>,
    /// Units a re-plan promised to keep where they are: never evicted or swapped out.
    pub locked: Vec<bool>,
}

impl<'p, 'a> Search<'p, 'a> {
    pub fn new(problem: &'p Problem<'a>) -> Self {
        Search {
            problem,
            used: vec![0; problem.flights.len()],
            aboard: vec![Vec::new(); problem.flights.len()],
            placed: vec![None; problem.units.len()],
            locked: vec![false; problem.units.len()],
        }
    }

    pub fn free(&self, position: u32) -> u32 {
        self.problem.capacities[position as usize].saturating_sub(self.used[position as usize])
    }

    pub fn place(&mut self, unit: usize, position: u32) {
        self.used[position as usize] += self.problem.units[unit].seats;
        self.aboard[position as usize].push(unit);
        self.placed[unit] = Some(position);
    }

    fn remove(&mut self, unit: usize) {
        if let Some(position) = self.placed[unit].take() {
            let p = position as usize;
            self.used[p] -= self.problem.units[unit].seats;
            self.aboard[p].retain(|&u| u != unit);
        }
    }

    /// The earliest flight with room for the unit; among flights on the same slot, the one the
    /// unit fills best, so that larger families still find room on the others.
    pub fn best_flight(&self, unit: usize) -> Option<u32> {
        let seats = self.problem.units[unit].seats;
        let mut best: Option<(u32, u32)> = None;
        for &position in self.problem.feasible_flights(unit) {
            if let Some((chosen, _)) = best
                && self.problem.slots[position as usize] != self.problem.slots[chosen as usize]
            {
                break;
            }
            let free = self.free(position);
            if free >= seats && best.is_none_or(|(_, left)| free - seats < left) {
                best = Some((position, free - seats));
            }
        }
        best.map(|(position, _)| position)
    }

    /// Places every waiting unit that fits somewhere, in priority order.
    pub fn fill(&mut self) {
        for unit in 0..self.problem.units.len() {
            if self.placed[unit].is_none()
                && let Some(position) = self.best_flight(unit)
            {
                self.place(unit, position);
            }
        }
    }

    /// Re-packs each flight in slot order: among the units aboard (bar those a re-plan keeps) and
    /// the waiting units that may board it, the set of largest value that fits is a knapsack over
    /// seats, solved exactly by dynamic programming. Only the best `capacity / seats` candidates
    /// of each family size can be in it, which keeps the table small. Units left out wait and may
    /// find room on a later flight; the objective never falls.
    pub fn repack_flights(&mut self) {
        let problem = self.problem;
        let flights = problem.flights.len();
        let mut waiting_for: Vec<Vec<usize>> = vec![Vec::new(); flights];
        for unit in 0..problem.units.len() {
            if self.placed[unit].is_none() && problem.units[unit].seats > 0 {
                for &position in problem.feasible_flights(unit) {
                    waiting_for[position as usize].push(unit);
                }
            }
        }
        for position in 0..flights as u32 {
            let p = position as usize;
            let fixed: u32 = self.aboard[p]
                .iter()
                .filter(|&&u| self.locked[u])
                .map(|&u| problem.units[u].seats)
                .sum();
            let room = problem.capacities[p].saturating_sub(fixed) as usize;
            let mut by_size: Vec<Group> = vec![Vec::new(); room + 1];
            let candidates = self.aboard[p]
                .iter()
                .copied()
                .filter(|&u| !self.locked[u])
                .chain(
                    waiting_for[p]
                        .iter()
                        .copied()
                        .filter(|&u| self.placed[u].is_none()),
                );
            for unit in candidates {
                let seats = problem.units[unit].seats as usize;
                if (1..=room).contains(&seats) {
                    by_size[seats].push((problem.value_at(unit, position), unit));
                }
            }
            let current: f64 = self.aboard[p]
                .iter()
                .filter(|&&u| !self.locked[u])
                .map(|&u| problem.value_at(u, position))
                .sum();
            self.pack_flight(position, room, by_size, current);
        }
    }

    /// Re-packs each flight in slot order like [`Search::repack_flights`], but a flight may also
    /// take units aboard *later* flights: moving one earlier gains what the earlier departure adds,
    /// and frees its seats on the later flight, counted at that flight's seat price (`prices`,
    /// the Lagrangian's). Later flights are re-packed after, with what waits. The objective may
    /// fall when freed seats find no taker; callers keep the better plan.
    /// `boarders` is [`Search::boarders`], computed once for all sweeps. With `alternatives`, a
    /// unit aboard counts only what it adds over its best alternative elsewhere (its value there
    /// less the seats' price), so that a unit with a good second choice gives way to one without;
    /// this finds the moves small instances need; on large ones it never gained, and the polish
    /// does not use it there.
    pub fn repack_with_moves(
        &mut self,
        prices: &[f64],
        boarders: &[Vec<usize>],
        alternatives: bool,
        waiting_too: bool,
    ) {
        let alternative = |search: &Self, unit: usize, position: u32| {
            if alternatives {
                search.alternative(unit, position, prices)
            } else {
                0.0
            }
        };
        let problem = self.problem;
        for position in 0..problem.flights.len() as u32 {
            let p = position as usize;
            let fixed: u32 = self.aboard[p]
                .iter()
                .filter(|&&u| self.locked[u])
                .map(|&u| problem.units[u].seats)
                .sum();
            let room = problem.capacities[p].saturating_sub(fixed) as usize;
            let mut by_size: Vec<Group> = vec![Vec::new(); room + 1];
            for &unit in &boarders[p] {
                let seats = problem.units[unit].seats as usize;
                if !(1..=room).contains(&seats) || self.locked[unit] {
                    continue;
                }
                let gain = match self.placed[unit] {
                    None => {
                        problem.value_at(unit, position)
                            - if waiting_too {
                                alternative(self, unit, position)
                            } else {
                                0.0
                            }
                    }
                    Some(q) if q == position => {
                        problem.value_at(unit, position) - alternative(self, unit, position)
                    }
                    Some(q) if problem.slots[q as usize] > problem.slots[p] => {
                        problem.value_at(unit, position) - problem.value_at(unit, q)
                            + prices[q as usize] * seats as f64
                    }
                    Some(_) => continue,
                };
                if gain > 0.0 {
                    by_size[seats].push((gain, unit));
                }
            }
            let current: f64 = self.aboard[p]
                .iter()
                .filter(|&&u| !self.locked[u])
                .map(|&u| (problem.value_at(u, position) - alternative(self, u, position)).max(0.0))
                .sum();
            self.pack_flight(position, room, by_size, current);
        }
    }

    /// Packs the flight at `position` with the best of `by_size` (candidates per family size,
    /// worth as counted by the caller) in `room` seats, when that beats `current` (what the units
    /// aboard count for the same way): the units left out wait, the chosen come aboard, from
    /// waiting or from another flight.
    fn pack_flight(&mut self, position: u32, room: usize, mut by_size: Vec<Group>, current: f64) {
        for (seats, group) in by_size.iter_mut().enumerate().skip(1) {
            keep_best(group, room / seats);
        }
        let (best, taken) = pack(room, &by_size);
        if best <= current * (1.0 + 1e-12) + 1e-12 {
            return;
        }
        let leaving: Vec<usize> = self.aboard[position as usize]
            .iter()
            .copied()
            .filter(|&u| !self.locked[u] && !taken.contains(&u))
            .collect();
        for unit in leaving {
            self.remove(unit);
        }
        for unit in taken {
            if self.placed[unit] != Some(position) {
                self.remove(unit);
                self.place(unit, position);
            }
        }
    }

    /// What `unit`, aboard the flight at `position`, could still be worth elsewhere: its best
    /// value on another flight less the seats' price there (the LP's reduced profit), or nothing.
    fn alternative(&self, unit: usize, position: u32, prices: &[f64]) -> f64 {
        let problem = self.problem;
        let seats = f64::from(problem.units[unit].seats);
        problem
            .feasible_flights(unit)
            .iter()
            .filter(|&&g| {
                g != position && problem.units[unit].seats <= problem.capacities[g as usize]
            })
            .map(|&g| problem.value_at(unit, g) - prices[g as usize] * seats)
            .fold(0.0, f64::max)
    }

    /// For each flight position, the units with seats that may board it.
    pub fn boarders(&self) -> Vec<Vec<usize>> {
        let problem = self.problem;
        let mut boarders: Vec<Vec<usize>> = vec![Vec::new(); problem.flights.len()];
        for unit in 0..problem.units.len() {
            if problem.units[unit].seats > 0 {
                for &position in problem.feasible_flights(unit) {
                    boarders[position as usize].push(unit);
                }
            }
        }
        boarders
    }

    /// Fills leftover seats: on a flight with free seats, a waiting unit slightly too large
    /// replaces a unit aboard when that raises the objective, provided the replaced unit is of
    /// no higher priority or of the same nation (so no nation loses to another). The replaced
    /// unit waits and may find room elsewhere in the repair's fill.
    pub fn swap_to_fill(&mut self) {
        let waiting: Vec<usize> = (0..self.problem.units.len())
            .filter(|&u| self.placed[u].is_none())
            .collect();
        for position in 0..self.problem.flights.len() as u32 {
            for &unit in &waiting {
                let free = self.free(position);
                if free == 0 {
                    break;
                }
                let u = &self.problem.units[unit];
                if self.placed[unit].is_some()
                    || u.seats <= free
                    || !self.problem.can_board(unit, position)
                {
                    continue;
                }
                let need = u.seats - free;
                let gain_of = |other: usize| {
                    self.problem.value_at(unit, position) - self.problem.value_at(other, position)
                };
                let candidate = self.aboard[position as usize]
                    .iter()
                    .copied()
                    .filter(|&other| {
                        let o = &self.problem.units[other];
                        // Dropping a higher-priority unit is fair only within its own
                        // nation, whose weights already say how it trades people for priority.
                        !self.locked[other]
                            && o.seats >= need
                            && (o.priority <= u.priority || o.nation == u.nation)
                    })
                    .max_by(|&a, &b| gain_of(a).total_cmp(&gain_of(b)));
                if let Some(other) = candidate
                    && gain_of(other) > 1e-12
                {
                    self.remove(other);
                    self.place(unit, position);
                }
            }
        }
    }

    /// Ejection moves for seats left empty: on a flight `f` with free seats, a unit `a` from
    /// another flight `g` moves into them when that lets the highest-priority waiting unit that
    /// fits take `a`'s place on `g` and raises the objective. Empty seats usually sit on flights
    /// whose carriage or acceptance rules leave few who may board, so the unit that moves is one
    /// of those few, freeing a seat on a flight open to more people.
    pub fn relocate_to_fill(&mut self) {
        let problem = self.problem;
        let flights = problem.flights.len();
        let Some(max_seats) = problem.units.iter().map(|u| u.seats as usize).max() else {
            return;
        };
        for _ in 0..MAX_RELOCATE_ROUNDS {
            // The first waiting unit in service order for each flight and family size.
            let mut first_waiting = vec![vec![None::<usize>; max_seats + 1]; flights];
            for unit in 0..problem.units.len() {
                if self.placed[unit].is_some() {
                    continue;
                }
                let seats = problem.units[unit].seats as usize;
                for &position in problem.feasible_flights(unit) {
                    let slot = &mut first_waiting[position as usize][seats];
                    if slot.is_none()
                        && problem.units[unit].seats <= problem.capacities[position as usize]
                    {
                        *slot = Some(unit);
                    }
                }
            }
            // Each flight takes part in one move per round, so the table above stays true for
            // the flights still untouched.
            let mut touched = vec![false; flights];
            let mut moved = false;
            for f in 0..flights as u32 {
                let free_f = self.free(f);
                if touched[f as usize] || free_f == 0 {
                    continue;
                }
                let mut best: Option<(f64, usize, u32, usize)> = None;
                for g in 0..flights as u32 {
                    if g == f || touched[g as usize] {
                        continue;
                    }
                    for &a in &self.aboard[g as usize] {
                        let seats_a = problem.units[a].seats;
                        if self.locked[a]
                            || seats_a == 0
                            || seats_a > free_f
                            || !problem.can_board(a, f)
                        {
                            continue;
                        }
                        let room = (self.free(g) + seats_a) as usize;
                        let Some(u) = (1..=room.min(max_seats))
                            .filter_map(|size| first_waiting[g as usize][size])
                            .filter(|&u| self.placed[u].is_none())
                            .min()
                        else {
                            continue;
                        };
                        let gain = problem.value_at(u, g) + problem.value_at(a, f)
                            - problem.value_at(a, g);
                        if gain > best.map_or(1e-12, |(b, ..)| b) {
                            best = Some((gain, a, g, u));
                        }
                    }
                }
                if let Some((_, a, g, u)) = best {
                    self.remove(a);
                    self.place(a, f);
                    self.place(u, g);
                    touched[f as usize] = true;
                    touched[g as usize] = true;
                    moved = true;
                }
            }
            if !moved {
                break;
            }
        }
    }

    /// Enforces fairness: a waiting unit takes a flight that could carry it if evicting
    /// lower-priority units of other nations makes room. The evicted wait and are served later
    /// in the same sweep, being of lower priority.
    pub fn repair_fairness(&mut self) {
        for _ in 0..MAX_REPAIR_SWEEPS {
            // The lowest priority aboard each flight, kept no higher than the truth as units
            // come and go: a flight whose lowest is not below a waiting unit's cannot wrong it.
            let mut lowest: Vec<f64> = self
                .aboard
                .iter()
                .map(|units| {
                    units
                        .iter()
                        .map(|&u| self.problem.units[u].priority)
                        .fold(f64::INFINITY, f64::min)
                })
                .collect();
            let mut changed = false;
            for unit in 0..self.problem.units.len() {
                if self.placed[unit].is_some() {
                    continue;
                }
                let priority = self.problem.units[unit].priority;
                if let Some(position) = self.best_flight(unit) {
                    self.place(unit, position);
                    let floor = &mut lowest[position as usize];
                    *floor = floor.min(priority);
                    continue;
                }
                if let Some((position, evict)) = self.unfair_flight(unit, &lowest) {
                    for other in evict {
                        self.remove(other);
                    }
                    self.place(unit, position);
                    let floor = &mut lowest[position as usize];
                    *floor = floor.min(priority);
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
    }

    /// The earliest flight on which `unit` waits unfairly, with the units to evict (lowest
    /// priority first) to make room for it.
    fn unfair_flight(&self, unit: usize, lowest: &[f64]) -> Option<(u32, Vec<usize>)> {
        let u = &self.problem.units[unit];
        for &position in self.problem.feasible_flights(unit) {
            if lowest[position as usize] >= u.priority
                || u.seats > self.problem.capacities[position as usize]
            {
                continue;
            }
            let mut lower: Vec<usize> = self.aboard[position as usize]
                .iter()
                .copied()
                .filter(|&o| {
                    let other = &self.problem.units[o];
                    !self.locked[o] && other.nation != u.nation && other.priority < u.priority
                })
                .collect();
            let room: u32 = lower.iter().map(|&o| self.problem.units[o].seats).sum();
            let mut free = self.free(position);
            if free + room < u.seats {
                continue;
            }
            // `units` is in service order, so a larger index is a lower priority.
            lower.sort_unstable_by(|a, b| b.cmp(a));
            let mut evict = Vec::new();
            for o in lower {
                if free >= u.seats {
                    break;
                }
                free += self.problem.units[o].seats;
                evict.push(o);
            }
            return Some((position, evict));
        }
        None
    }

    pub fn objective(&self) -> f64 {
        self.placed
            .iter()
            .enumerate()
            .filter_map(|(unit, p)| p.map(|position| self.problem.value_at(unit, position)))
            .sum()
    }

    /// The plan, with the bound and the seat prices (one per flight position) behind it.
    pub fn into_plan(self, upper_bound: f64, prices: &[f64]) -> Plan {
        let problem = self.problem;
        let mut assignments: Vec<(u32, CaseId)> = Vec::new();
        let mut unassigned: Vec<Unassigned> = problem
            .excluded
            .iter()
            .map(|&(case, reason)| Unassigned {
                case: problem.case(case).id,
                reason,
            })
            .collect();
        let mut people_aboard = vec![0u32; problem.flights.len()];
        for (unit, placed) in self.placed.iter().enumerate() {
            let cases = &problem.units[unit].cases;
            match placed {
                Some(position) => {
                    for &case in cases {
                        assignments.push((*position, problem.case(case).id));
                        people_aboard[*position as usize] += problem.case(case).people();
                    }
                }
                None => {
                    let could_ever = problem
                        .feasible_flights(unit)
                        .iter()
                        .any(|&p| problem.can_board(unit, p));
                    let reason = if could_ever {
                        UnassignedReason::NoSeatLeft
                    } else {
                        UnassignedReason::NoFeasibleFlight
                    };
                    for &case in cases {
                        unassigned.push(Unassigned {
                            case: problem.case(case).id,
                            reason,
                        });
                    }
                }
            }
        }
        assignments.sort();
        unassigned.sort_by_key(|u| u.case);
        let objective = self.objective();
        let gap = if upper_bound > 0.0 {
            ((upper_bound - objective) / upper_bound).max(0.0)
        } else {
            0.0
        };
        let flights = (0..problem.flights.len() as u32)
            .map(|position| FlightLoad {
                flight: problem.flight(position).id.clone(),
                seats_used: self.used[position as usize],
                capacity: problem.capacities[position as usize],
                people: people_aboard[position as usize],
            })
            .collect();
        Plan {
            assignments: assignments
                .into_iter()
                .map(|(position, case)| (flight_id(problem, position), case))
                .collect(),
            unassigned,
            flights,
            objective,
            upper_bound,
            gap,
            people_assigned: people_aboard.iter().sum(),
            stability: None,
            seat_prices: prices
                .iter()
                .enumerate()
                .map(|(position, price)| (flight_id(problem, position as u32), *price))
                .collect(),
        }
    }
}

fn flight_id(problem: &Problem<'_>, position: u32) -> FlightId {
    problem.flight(position).id.clone()
}

/// Keeps the `keep` most valuable candidates, sorted best first (ties by tag, for determinism).
fn keep_best(group: &mut Group, keep: usize) {
    let order = |a: &(f64, usize), b: &(f64, usize)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
    if group.len() > keep && keep > 0 {
        group.select_nth_unstable_by(keep - 1, order);
    }
    group.truncate(keep);
    group.sort_unstable_by(order);
}
