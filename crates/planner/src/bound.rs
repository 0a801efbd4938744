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

use crate::search::Search;

/// The bound and the objective add the same values in different orders; the margin, far above
/// the rounding that causes, keeps the bound an upper bound even so.
const ROUNDING_MARGIN: f64 = 1e-9;

pub(crate) fn upper_bound(search: &Search<'_, '_>) -> f64 {
    let problem = search.problem;
    let flights = problem.flights.len();
    if problem.units.is_empty() || flights == 0 {
        return 0.0;
    }
    let pairs: Vec<&[u32]> = (0..problem.units.len())
        .map(|u| problem.feasible_flights(u))
        .collect();

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

    let lower = search.objective();
    let mut best = f64::INFINITY;
    let mut step_scale = 1.0;
    let mut since_improved = 0;
    let mut demand = vec![0.0f64; flights];
    for _ in 0..problem.config.bound_iterations.max(1) {
        demand.iter_mut().for_each(|d| *d = 0.0);
        let mut value: f64 = prices
            .iter()
            .zip(&problem.capacities)
            .map(|(p, c)| p * f64::from(*c))
            .sum();
        for (unit, feasible) in pairs.iter().enumerate() {
            let seats = problem.units[unit].seats;
            let mut choice: Option<(usize, f64)> = None;
            for &position in *feasible {
                let p = position as usize;
                if seats > problem.capacities[p] {
                    continue;
                }
                let profit = problem.value_at(unit, position) - prices[p] * f64::from(seats);
                if profit > choice.map_or(0.0, |(_, best)| best) {
                    choice = Some((p, profit));
                }
            }
            if let Some((p, profit)) = choice {
                value += profit;
                demand[p] += f64::from(seats);
            }
        }
        if value < best {
            best = value;
            since_improved = 0;
        } else {
            since_improved += 1;
            if since_improved >= 5 {
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
        let norm: f64 = subgradient.iter().map(|g| g * g).sum();
        if norm == 0.0 || best - lower <= 1e-12 * best.abs() {
            break;
        }
        let step = step_scale * (value - lower).max(1e-12 * value.abs()) / norm;
        for (price, g) in prices.iter_mut().zip(&subgradient) {
            *price = (*price - step * g).max(0.0);
        }
    }
    best * (1.0 + ROUNDING_MARGIN)
}
