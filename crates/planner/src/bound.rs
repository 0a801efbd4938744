//! An upper bound on the objective, so that a plan can say how far from optimal it may be.
//!
//! The bound is the Lagrangian dual of the seat constraints: give every flight a price per seat
//! `λ_f ≥ 0`; then for *any* prices
//!
//! `bound(λ) = Σ_f λ_f · capacity_f + Σ_u max(0, max_{f feasible for u} (value_uf − λ_f · seats_u))`
//!
//! is at least the value of every plan (each unit may be "sold" at most once, and a plan pays at
//! most `capacity_f` seats on each flight). Its minimum over λ equals the bound of the LP
//! relaxation, since with the seat rows priced out each unit's choice is already integral. We
//! start from prices read off the heuristic plan (the value per seat of the last unit aboard a
//! flight) and improve them by the subgradient method with Polyak steps, keeping the least value
//! seen. Every iterate is a valid bound, so stopping early only loosens it.

use crate::problem::Problem;
use crate::search::Search;

/// The bound and the objective add the same values in different orders; the margin, far above
/// the rounding that causes, keeps the bound an upper bound even so.
const ROUNDING_MARGIN: f64 = 1e-9;

/// Steps that fail to lower the bound before the step is halved.
const PATIENCE: usize = 20;

/// The share of the previous direction kept in the next (a deflected subgradient): it damps the
/// zig-zag of plain subgradient steps between flights that trade the same units.
const DEFLECTION: f64 = 0.7;

/// The bound and the seat prices that gave it (one per flight position): the prices guide the
/// planner's second construction.
pub(crate) fn upper_bound_and_prices(search: &Search<'_, '_>) -> (f64, Vec<f64>) {
    let problem = search.problem;
    let flights = problem.flights.len();
    if problem.units.is_empty() || flights == 0 {
        return (0.0, vec![0.0; flights]);
    }
    let mut prices = vec![0.0f64; flights];
    for (position, aboard) in search.aboard.iter().enumerate() {
        // A flight with seats to spare has no scarcity to price. A nearly full one is priced at
        // what a seat on it is worth over the unit's next-best flight with room, per seat, for
        // the unit aboard that gains least from it: the complementary slackness guess.
        if search.free(position as u32) * 50 > problem.capacities[position] {
            continue;
        }
        let price = aboard
            .iter()
            .filter(|&&u| problem.units[u].seats > 0)
            .map(|&u| {
                let seats = problem.units[u].seats;
                let next_best = problem
                    .feasible_flights(u)
                    .iter()
                    .find(|&&g| g as usize != position && search.free(g) >= seats)
                    .map_or(0.0, |&g| problem.value_at(u, g));
                (problem.value_at(u, position as u32) - next_best).max(0.0) / f64::from(seats)
            })
            .fold(f64::INFINITY, f64::min);
        prices[position] = if price.is_finite() { price } else { 0.0 };
    }

    refine(problem, prices, search.objective(), iterations(problem))
}

/// The least Lagrangian value found by subgradient steps from `prices`, and the prices that gave
/// it; `lower` is the value of a known plan (the target of the steps).
pub(crate) fn refine(
    problem: &Problem<'_>,
    mut prices: Vec<f64>,
    lower: f64,
    rounds: usize,
) -> (f64, Vec<f64>) {
    let flights = problem.flights.len();
    if problem.units.is_empty() || flights == 0 {
        return (0.0, vec![0.0; flights]);
    }
    let oracle = Oracle::new(problem);
    let mut best = f64::INFINITY;
    let mut best_prices = prices.clone();
    let mut step_scale = 1.0;
    let mut since_improved = 0;
    let mut demand = vec![0.0f64; flights];
    let mut direction = vec![0.0f64; flights];
    for _ in 0..rounds.max(1) {
        let value = oracle.evaluate(&prices, &mut demand);
        if value < best {
            best = value;
            best_prices.clone_from(&prices);
            since_improved = 0;
        } else {
            since_improved += 1;
            if since_improved >= PATIENCE {
                step_scale /= 2.0;
                since_improved = 0;
            }
        }
        let subgradient: Vec<f64> = problem
            .capacities
            .iter()
            .zip(&demand)
            .map(|(c, d)| f64::from(*c) - d)
            .collect();
        for (d, g) in direction.iter_mut().zip(&subgradient) {
            *d = g + DEFLECTION * *d;
        }
        let norm: f64 = direction.iter().map(|g| g * g).sum();
        if norm == 0.0 || best - lower <= 1e-12 * best.abs() || step_scale < 1e-6 {
            break;
        }
        let step = step_scale * (value - lower).max(1e-12 * value.abs()) / norm;
        for (price, g) in prices.iter_mut().zip(&direction) {
            *price = (*price - step * g).max(0.0);
        }
    }
    (best * (1.0 + ROUNDING_MARGIN), best_prices)
}

/// Rounds of the subgradient method: the configured number at least, more on smaller instances
/// where a round is cheap (a round costs about one pass over the units and the classes' flights).
pub(crate) fn iterations(problem: &Problem<'_>) -> usize {
    let units = problem.units.len().max(1);
    problem
        .config
        .bound_iterations
        .max((10_000_000 / units).min(1_000))
        .max(1)
}

/// Evaluates the Lagrangian at given seat prices fast. Per seat, unit `u` on flight `f` earns
/// `density_u · factor_f − price_f`: a line in the unit's density with slope the flight's factor.
/// A unit may board a suffix (by slot) of its class's flights, so walking each class's flights
/// from the last and keeping the upper envelope of their lines answers every unit of the class
/// with a binary search, instead of a scan of all its flights.
struct Oracle<'p, 'a> {
    problem: &'p Problem<'a>,
    /// Per class: (index of the first flight the unit may board in the class's list, unit),
    /// latest-ready first.
    members: Vec<Vec<(usize, usize)>>,
}

impl<'p, 'a> Oracle<'p, 'a> {
    fn new(problem: &'p Problem<'a>) -> Self {
        let mut members = vec![Vec::new(); problem.classes.len()];
        for (unit, u) in problem.units.iter().enumerate() {
            let list = &problem.classes[u.class];
            let start = list.len() - problem.feasible_flights(unit).len();
            members[u.class].push((start, unit));
        }
        for list in &mut members {
            list.sort_unstable_by(|a, b| b.cmp(a));
        }
        Oracle { problem, members }
    }

    /// The Lagrangian's value at `prices`, and in `demand` the seats each flight is asked for.
    fn evaluate(&self, prices: &[f64], demand: &mut [f64]) -> f64 {
        let problem = self.problem;
        demand.iter_mut().for_each(|d| *d = 0.0);
        let mut value: f64 = prices
            .iter()
            .zip(&problem.capacities)
            .map(|(p, c)| p * f64::from(*c))
            .sum();
        let mut hull: Vec<Line> = Vec::new();
        for (class, members) in self.members.iter().enumerate() {
            let list = &problem.classes[class];
            hull.clear();
            let mut next = list.len();
            for &(start, unit) in members {
                while next > start {
                    next -= 1;
                    let position = list[next] as usize;
                    push_line(
                        &mut hull,
                        Line {
                            slope: problem.flight_factors[position],
                            intercept: -prices[position],
                            position,
                        },
                    );
                }
                let u = &problem.units[unit];
                let choice = if u.seats == 0 {
                    // No seat, no price: the earliest flight it may board is worth most.
                    problem
                        .feasible_flights(unit)
                        .first()
                        .map(|&p| (p as usize, problem.value_at(unit, p)))
                } else {
                    best_on_hull(&hull, u.priority)
                        .filter(|line| u.seats <= problem.capacities[line.position])
                        .map(|line| {
                            let per_seat = line.slope * u.priority + line.intercept;
                            (line.position, per_seat * f64::from(u.seats))
                        })
                        .or_else(|| scan(problem, prices, unit))
                };
                if let Some((position, profit)) = choice
                    && profit > 0.0
                {
                    value += profit;
                    demand[position] += f64::from(u.seats);
                }
            }
        }
        value
    }
}

#[derive(Debug, Clone, Copy)]
struct Line {
    slope: f64,
    intercept: f64,
    position: usize,
}

impl Line {
    fn at(&self, x: f64) -> f64 {
        self.slope * x + self.intercept
    }
}

/// Adds a line whose slope is at least every slope on the hull (flights are added latest first,
/// and an earlier flight's factor is larger), keeping only lines that are highest somewhere.
fn push_line(hull: &mut Vec<Line>, line: Line) {
    if let Some(last) = hull.last()
        && last.slope == line.slope
    {
        if last.intercept >= line.intercept {
            return;
        }
        hull.pop();
    }
    while hull.len() >= 2 {
        let (a, b) = (hull[hull.len() - 2], hull[hull.len() - 1]);
        // `b` is never strictly highest when `line` overtakes `a` no later than `b` does.
        if (line.intercept - a.intercept) * (b.slope - a.slope)
            >= (b.intercept - a.intercept) * (line.slope - a.slope)
        {
            hull.pop();
        } else {
            break;
        }
    }
    hull.push(line);
}

/// The highest line at `x`: along the hull the values at a fixed `x` rise then fall.
fn best_on_hull(hull: &[Line], x: f64) -> Option<Line> {
    if hull.is_empty() {
        return None;
    }
    let (mut low, mut high) = (0, hull.len() - 1);
    while low < high {
        let middle = (low + high) / 2;
        if hull[middle].at(x) <= hull[middle + 1].at(x) {
            low = middle + 1;
        } else {
            high = middle;
        }
    }
    Some(hull[low])
}

/// The unit's best flight by a plain scan, for the rare unit too large for the envelope's pick.
fn scan(problem: &Problem<'_>, prices: &[f64], unit: usize) -> Option<(usize, f64)> {
    let seats = problem.units[unit].seats;
    problem
        .feasible_flights(unit)
        .iter()
        .filter(|&&p| seats <= problem.capacities[p as usize])
        .map(|&p| {
            let profit = problem.value_at(unit, p) - prices[p as usize] * f64::from(seats);
            (p as usize, profit)
        })
        .max_by(|a, b| a.1.total_cmp(&b.1))
}
