//! The situation report for allied coordination meetings, downloaded as CSV or PDF: the store's
//! counts turned into [`Sitrep`] (the one conversion, shared with the command line), the two
//! download routes, and the audit event each download leaves.
//!
//! The report holds totals only (people per nation, category, status and day; seats per
//! flight), never a name: it is what the coordinator role may read.

use crate::auth::Principal;
use crate::routes::query;
use crate::{ApiError, AppState};
use airbridge_domain::NationCode;
use airbridge_field::sitrep::{Count, Day, Flight, Sitrep};
use airbridge_store::{Actor, DayCount, FlightCount, LiveCount, Store, StoreError};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// The audit action of a situation report's download (web or command line).
pub const SITREP_ACTION: &str = "report.sitrep";

/// What a report is called when it covers every nation.
pub const ALL_NATIONS: &str = "All nations";

/// A situation report from the store's three lists. `generated_at` is RFC 3339 UTC; `nation`
/// is the report's scope (`None`: every nation).
pub fn sitrep_from(
    generated_at: String,
    nation: Option<NationCode>,
    counts: &[LiveCount],
    days: &[DayCount],
    flights: &[FlightCount],
) -> Sitrep {
    let counts: Vec<Count> = counts
        .iter()
        .map(|c| Count {
            nation: c.nation.as_str().to_owned(),
            category: c.category.clone(),
            status: c.status.as_str().to_owned(),
            people: c.people,
        })
        .collect();
    let days: Vec<Day> = days
        .iter()
        .map(|d| Day {
            day: d.day.clone(),
            nation: d.nation.as_str().to_owned(),
            status: d.status.as_str().to_owned(),
            people: d.people,
        })
        .collect();
    let flights: Vec<Flight> = flights
        .iter()
        .map(|f| Flight {
            flight: f.flight.clone(),
            manifested: f.manifested,
            boarded: f.boarded,
            departed: f.departed,
            departed_on: f.departed_on.clone(),
        })
        .collect();
    let scope = nation.map_or_else(|| ALL_NATIONS.to_owned(), |n| n.as_str().to_owned());
    Sitrep::build(generated_at, scope, &counts, &days, &flights)
}

/// Reads the figures for `nation` (every nation when `None`) and builds the report as of
/// `now` (seconds since 1970), naming `by` (the audit actor who takes it) as its author.
pub async fn read_sitrep<S: Store>(
    store: &S,
    nation: Option<NationCode>,
    now: i64,
    by: &Actor,
) -> Result<Sitrep, StoreError> {
    let counts = store.live_counts(nation).await?;
    let days = store.day_counts(nation).await?;
    let flights = store.flight_counts(nation).await?;
    Ok(
        sitrep_from(crate::field::rfc3339(now), nation, &counts, &days, &flights)
            .generated_by(by.name.clone()),
    )
}

/// The file a report is saved as: `airbridge-sitrep-FR-2021-08-22.pdf`, `…-all-….csv`.
pub fn file_name(report: &Sitrep, nation: Option<NationCode>, extension: &str) -> String {
    let day: String = report.generated_at.chars().take(10).collect();
    let scope = nation.as_ref().map_or("all", NationCode::as_str);
    format!("airbridge-sitrep-{scope}-{day}.{extension}")
}

/// Records that a report left the system: who, which scope, which format, where to. Only
/// figures about the report itself go in the event (no personal data is in a report).
pub async fn record_download<S: Store>(
    store: &S,
    actor: &Actor,
    nation: Option<NationCode>,
    format: &str,
    destination: &str,
    report: &Sitrep,
) -> Result<(), StoreError> {
    store
        .record_event(
            actor,
            nation,
            SITREP_ACTION,
            destination,
            serde_json::json!({
                "format": format,
                "scope": report.scope,
                "generated_at": report.generated_at,
                "registered": report.total.registered,
                "evacuated": report.total.evacuated,
            }),
        )
        .await
}

#[derive(Deserialize)]
pub(crate) struct SitrepQuery {
    nation: Option<NationCode>,
}

/// The report the caller may read: its own nation's when it is bound to one (asking for
/// another nation is refused), else the nation it names, else every nation.
async fn report_for<S: Store>(
    state: &AppState<S>,
    caller: &Principal,
    params: Result<Query<SitrepQuery>, QueryRejection>,
) -> Result<(Sitrep, Option<NationCode>), ApiError> {
    let scope = caller.scope(query(params)?.nation)?;
    let report = read_sitrep(&state.store, scope, crate::auth::now(), &caller.actor()).await?;
    Ok((report, scope))
}

/// A download: the bytes with their type, a dated file name, and no copy kept by caches.
fn download(bytes: Vec<u8>, content_type: &'static str, name: &str) -> Response {
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        bytes,
    )
        .into_response()
}

pub(crate) async fn sitrep_csv<S: Store>(
    State(state): State<AppState<S>>,
    caller: Principal,
    params: Result<Query<SitrepQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let (report, scope) = report_for(&state, &caller, params).await?;
    let name = file_name(&report, scope, "csv");
    let bytes = report.to_csv();
    record_download(&state.store, &caller.actor(), scope, "csv", &name, &report).await?;
    Ok(download(bytes, "text/csv; charset=utf-8", &name))
}

pub(crate) async fn sitrep_pdf<S: Store>(
    State(state): State<AppState<S>>,
    caller: Principal,
    params: Result<Query<SitrepQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let (report, scope) = report_for(&state, &caller, params).await?;
    let name = file_name(&report, scope, "pdf");
    // Laying out a PDF takes a core for a while: off the threads that answer requests.
    let (report, rendered) = tokio::task::spawn_blocking(move || {
        let rendered = airbridge_manifest::sitrep::sitrep_pdf(&report);
        (report, rendered)
    })
    .await
    .map_err(|e| internal("the report's layout stopped", &e))?;
    let bytes = rendered.map_err(|e| internal("the report could not be laid out", &e))?;
    record_download(&state.store, &caller.actor(), scope, "pdf", &name, &report).await?;
    Ok(download(bytes, "application/pdf", &name))
}

/// A failure the caller cannot fix: logged in full, answered in general.
fn internal(what: &str, error: &dyn std::fmt::Display) -> ApiError {
    tracing::error!(error = %error, "{what}");
    ApiError::new(
        axum::http::StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "the server could not complete the request; it has been logged",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use airbridge_domain::EvacuationStatus;

    fn nation(code: &str) -> NationCode {
        NationCode::parse(code).unwrap()
    }

    #[test]
    fn the_store_lists_become_the_report() {
        let counts = [
            LiveCount {
                nation: nation("FR"),
                category: "national".into(),
                status: EvacuationStatus::CalledForward,
                people: 3,
            },
            LiveCount {
                nation: nation("DE"),
                category: "at_risk".into(),
                status: EvacuationStatus::Departed,
                people: 5,
            },
        ];
        let days = [DayCount {
            day: "2021-08-22".into(),
            nation: nation("DE"),
            status: EvacuationStatus::Departed,
            people: 5,
        }];
        let flights = [FlightCount {
            flight: "GAF1".into(),
            manifested: 5,
            boarded: 5,
            departed: 5,
            departed_on: Some("2021-08-22".into()),
        }];
        let report = sitrep_from(
            "2021-08-22T18:00:00Z".into(),
            None,
            &counts,
            &days,
            &flights,
        );
        assert_eq!(report.scope, ALL_NATIONS);
        assert_eq!(report.generated_at, "2021-08-22T18:00:00Z");
        assert_eq!(report.total.registered, 8);
        assert_eq!(report.total.called, 3);
        assert_eq!(report.total.evacuated, 5);
        assert_eq!(report.days.len(), 1);
        assert_eq!(report.days[0].evacuated, 5);
        assert_eq!(report.seats_used, 5);
        assert!(report.issues.is_empty(), "{:?}", report.issues);
        let scoped = sitrep_from(String::new(), Some(nation("FR")), &counts[..1], &[], &[]);
        assert_eq!(scoped.scope, "FR");
    }

    #[test]
    fn file_names_carry_the_scope_and_the_day() {
        let report = sitrep_from("2021-08-22T18:00:00Z".into(), None, &[], &[], &[]);
        assert_eq!(
            file_name(&report, None, "csv"),
            "airbridge-sitrep-all-2021-08-22.csv"
        );
        assert_eq!(
            file_name(&report, Some(nation("FR")), "pdf"),
            "airbridge-sitrep-FR-2021-08-22.pdf"
        );
    }
}
