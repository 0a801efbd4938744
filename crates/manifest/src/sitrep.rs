//! The situation report as a PDF for an allied coordination meeting: headline figures, a chart
//! of people evacuated per day (stacked by nation), the table per nation and category, and the
//! flights flown with the seats they used.
//!
//! The figures come from [`airbridge_field::sitrep::Sitrep`]; this module only adds what the
//! chart needs (series, scale, labels) and hands everything to `sitrep.typ` as JSON.

use crate::{ManifestError, pdf};
use airbridge_field::sitrep::Sitrep;
use serde::Serialize;

/// Nations drawn in their own colour in the chart; the rest share one bar segment ("Other").
pub const CHART_SERIES: usize = 8;

/// The chart of people evacuated per day, as the template draws it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Chart {
    /// The stacked segments' names, bottom first: nations with most evacuated first, and
    /// `Other` last when there are more nations than colours.
    pub series: Vec<String>,
    pub bars: Vec<Bar>,
    /// The top of the scale, a round number at or above the highest bar.
    pub max: i64,
    /// The scale's marks, from 0 to `max`.
    pub ticks: Vec<i64>,
    /// Label every n-th day, so 30 or more days stay legible.
    pub label_every: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bar {
    /// `16 Aug`.
    pub label: String,
    pub total: i64,
    /// People per series, in the order of [`Chart::series`].
    pub parts: Vec<i64>,
}

/// The chart's data from the report's days. Negative figures (a correction in the data) are
/// drawn as zero.
pub fn chart(report: &Sitrep) -> Chart {
    let mut by_nation: Vec<(String, i64)> = report
        .day_nations()
        .into_iter()
        .map(|nation| {
            let people = report
                .days
                .iter()
                .flat_map(|d| &d.evacuated_by_nation)
                .filter(|n| n.nation == nation)
                .map(|n| n.people.max(0))
                .sum();
            (nation, people)
        })
        .collect();
    // Most evacuated first; ties in code order (the sort is stable on a code-ordered list).
    by_nation.sort_by_key(|(_, people)| std::cmp::Reverse(*people));
    let own_colour = if by_nation.len() > CHART_SERIES {
        CHART_SERIES - 1
    } else {
        by_nation.len()
    };
    let mut series: Vec<String> = by_nation[..own_colour]
        .iter()
        .map(|(n, _)| n.clone())
        .collect();
    if by_nation.len() > own_colour {
        series.push("Other".to_owned());
    }
    let bars: Vec<Bar> = report
        .days
        .iter()
        .map(|day| {
            let mut parts = vec![0; series.len()];
            for nation in &day.evacuated_by_nation {
                let at = series[..own_colour]
                    .iter()
                    .position(|s| *s == nation.nation)
                    .unwrap_or(own_colour);
                if let Some(part) = parts.get_mut(at) {
                    *part += nation.people.max(0);
                }
            }
            Bar {
                label: day_label(&day.day),
                total: parts.iter().sum(),
                parts,
            }
        })
        .collect();
    let highest = bars.iter().map(|b| b.total).max().unwrap_or(0);
    let step = tick_step(highest);
    let max = (highest / step + i64::from(highest % step != 0))
        .max(1)
        .saturating_mul(step);
    Chart {
        series,
        label_every: bars.len().div_ceil(16).max(1),
        bars,
        max,
        ticks: (0..=max / step).map(|i| i * step).collect(),
    }
}

/// A round step (1, 2 or 5 times a power of ten) that divides the scale into at most five.
fn tick_step(highest: i64) -> i64 {
    let mut power = 1i64;
    loop {
        for factor in [1, 2, 5] {
            let step = power.saturating_mul(factor);
            if highest <= step.saturating_mul(5) {
                return step;
            }
        }
        power = power.saturating_mul(10);
    }
}

fn day_label(day: &str) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let mut parts = day.split('-');
    let (_, month, date) = (parts.next(), parts.next(), parts.next());
    let month = month
        .and_then(|m| m.parse::<usize>().ok())
        .and_then(|m| MONTHS.get(m.wrapping_sub(1)));
    match (date.and_then(|d| d.parse::<u32>().ok()), month) {
        (Some(date), Some(month)) => format!("{date} {month}"),
        _ => day.to_owned(),
    }
}

/// The situation report as a PDF (A4): first page headline figures, the chart and the start
/// of the table per nation and category; then flights and any notes.
pub fn sitrep_pdf(report: &Sitrep) -> Result<Vec<u8>, ManifestError> {
    let data = serde_json::json!({
        "report": report,
        "chart": chart(report),
        "empty": report.is_empty(),
        "flights_flown": report.flights_flown.len(),
    });
    pdf::render_sitrep(&data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use airbridge_field::sitrep::Day;

    fn days(list: &[(&str, &str, i64)]) -> Sitrep {
        let days: Vec<Day> = list
            .iter()
            .map(|(day, nation, people)| Day {
                day: (*day).into(),
                nation: (*nation).into(),
                status: "departed".into(),
                people: *people,
            })
            .collect();
        Sitrep::build(String::new(), String::new(), &[], &days, &[])
    }

    #[test]
    fn the_scale_is_round_and_covers_the_highest_bar() {
        let check = |highest, step| assert_eq!(tick_step(highest), step, "{highest}");
        check(0, 1);
        check(5, 1);
        check(6, 2);
        check(10, 2);
        check(11, 5);
        check(26, 10);
        check(4_999, 1_000);
        check(5_001, 2_000);
        check(i64::MAX, 2_000_000_000_000_000_000);
        let chart = chart(&days(&[
            ("2021-08-16", "FR", 30),
            ("2021-08-17", "US", 1_234),
        ]));
        assert_eq!(chart.max, 1_500);
        assert_eq!(chart.ticks, [0, 500, 1_000, 1_500]);
    }

    #[test]
    fn nations_beyond_the_colours_share_other() {
        let nations = ["AU", "BE", "CA", "DE", "ES", "FR", "GB", "IT", "NL", "US"];
        let list: Vec<(&str, &str, i64)> = nations
            .iter()
            .enumerate()
            .map(|(i, n)| ("2021-08-20", *n, 10 + i as i64))
            .collect();
        let chart = chart(&days(&list));
        assert_eq!(
            chart.series,
            ["US", "NL", "IT", "GB", "FR", "ES", "DE", "Other"]
        );
        assert_eq!(
            chart.bars[0].parts,
            [19, 18, 17, 16, 15, 14, 13, 10 + 11 + 12]
        );
        assert_eq!(chart.bars[0].total, (10..20).sum::<i64>());
        assert_eq!(chart.bars[0].label, "20 Aug");
    }

    #[test]
    fn no_days_no_bars_and_many_days_sparse_labels() {
        let empty = chart(&days(&[]));
        assert!(empty.bars.is_empty() && empty.series.is_empty());
        assert_eq!(empty.ticks, [0, 1]);
        let month = chart(&days(&[("2021-08-01", "FR", 1), ("2021-08-31", "FR", 1)]));
        assert_eq!(month.bars.len(), 31);
        assert_eq!(month.label_every, 2);
    }
}
