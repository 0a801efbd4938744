//! The flights screens (issue 8): the flights the caller may see with how full the plan in force
//! makes them, one flight's manifest a page at a time (`?page=N`: whole families, at most
//! [`PAGE_PEOPLE`] people a page, so a full wide-body's page stays far under 100 KB), building a
//! plan from the web, the manifest's PDF and CSV downloads (whole, audited and stamped), and the
//! dashboard's "flights today". Server-rendered, no script; each screen's data comes from one
//! function its JSON twin under `/api` shares.
//!
//! A caller bound to a nation sees its own nation's flights and the flights that carry, or may
//! carry, its people (carriage agreements, a flight's `carries`); on those it reads the names of
//! its own people only: other nations' families are counted, never named nor identified.
//! Cross-nation roles see every flight; only roles that read people see names.

use crate::auth::Principal;
use crate::error::PageError;
use crate::i18n::{Lang, Texts};
use crate::pages::{Nav, lang_of, nav};
use crate::planning::{self, PlanReport, PlanningError};
use crate::policy::{self, Permission};
use crate::{ApiError, AppState};
use airbridge_domain::NationCode;
use airbridge_manifest::{Manifest, Passenger, Stamp};
use airbridge_store::{AgreementRecord, CaseLoad, FlightManifest, FlightRecord, Store, StoreError};
use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use time::OffsetDateTime;

/// Flights the list page shows at most (the page stays under 100 KB); the JSON twin has all.
const FLIGHTS_SHOWN: usize = 150;

fn texts(headers: &HeaderMap) -> Texts {
    Texts {
        lang: lang_of(headers),
    }
}

fn page_error(lang: Lang) -> impl Fn(ApiError) -> PageError {
    move |error| PageError::from_api(&error, lang)
}

/// The request's clock as the planner and the manifests take it.
fn now_utc() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(crate::auth::now()).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// Whether the caller may read the names of a nation's people.
fn reads_names(principal: &Principal, nation: NationCode) -> bool {
    policy::allows(principal.role(), Permission::ReadPersons) && principal.may_act_for(nation)
}

/// Whether a flight is within the caller's reach: every flight for a cross-nation role; for a
/// nation-bound one its own nation's, those that may carry its people, and those the plan in
/// force puts its people on.
fn sees_flight(
    principal: &Principal,
    flight: &FlightRecord,
    agreements: &[AgreementRecord],
    nations_aboard: &[NationCode],
) -> bool {
    let Some(own) = principal.nation() else {
        return true;
    };
    flight.nation == own
        || flight.carries.contains(&own)
        || agreements
            .iter()
            .any(|a| a.carrier == flight.nation && a.passengers == own && !a.categories.is_empty())
        || nations_aboard.contains(&own)
}

fn nations_aboard(loads: &[CaseLoad]) -> Vec<NationCode> {
    loads.iter().map(|load| load.nation).collect()
}

/// A stored manifest's cases as loads: the members who fly, with the earliest day each may be
/// born (what [`FlightStore::plan_loads`](airbridge_store::FlightStore::plan_loads) reads for
/// every flight at once).
fn manifest_loads(stored: Option<&FlightManifest>) -> Vec<CaseLoad> {
    let Some(stored) = stored else {
        return Vec::new();
    };
    stored
        .cases
        .iter()
        .map(|case| {
            let mut flying: Vec<_> = case
                .people
                .iter()
                .filter(|p| planning::travels(p))
                .collect();
            flying.sort_by_key(|p| p.id);
            CaseLoad {
                flight: stored.flight.id.clone(),
                case: case.case.id,
                nation: case.case.nation,
                born_earliest: flying
                    .iter()
                    .map(|p| p.person.birth_date.as_ref().map(|d| d.gregorian_range().0))
                    .collect(),
            }
        })
        .collect()
}

/// Seats and people the plan in force puts on a flight (members who fly; lap infants take no
/// seat), and its families.
fn load_of(loads: &[CaseLoad], now: OffsetDateTime) -> (u32, u32, usize) {
    let today = planning::today(now);
    let (mut seats, mut people) = (0, 0);
    for born in loads.iter().flat_map(|load| &load.born_earliest) {
        people += 1;
        if planning::seating_age_from(*born, today) >= 2 {
            seats += 1;
        }
    }
    (seats, people, loads.len())
}

/// One flight as the list shows it.
#[derive(Debug, Serialize)]
pub(crate) struct FlightRow {
    pub id: String,
    /// RFC 3339, UTC.
    pub departs_at: String,
    pub nation: String,
    pub aircraft: String,
    pub configuration: &'static str,
    /// Evacuee places in the flight's configuration.
    pub capacity: u32,
    pub destination: String,
    pub status: &'static str,
    /// Seats the plan in force fills (lap infants take none).
    pub seats_assigned: u32,
    pub people_assigned: u32,
    pub families: usize,
}

fn flight_row(flight: &FlightRecord, loads: &[CaseLoad], now: OffsetDateTime) -> FlightRow {
    let (seats_assigned, people_assigned, families) = load_of(loads, now);
    FlightRow {
        id: flight.id.clone(),
        departs_at: flight.departs_at.clone(),
        nation: flight.nation.to_string(),
        aircraft: flight.aircraft.name.clone(),
        configuration: flight.configuration.as_str(),
        capacity: flight.capacity(),
        destination: flight.destination.clone(),
        status: flight.status.as_str(),
        seats_assigned,
        people_assigned,
        families,
    }
}

/// The plan in force, in a line.
#[derive(Debug, Serialize)]
pub(crate) struct PlanView {
    pub id: i64,
    pub solver: String,
    pub created_at: String,
    pub actor: String,
    pub people_assigned: i64,
}

/// The flights the caller may see (those `keep` accepts), each with the plan in force's cases
/// on it, by departure; and the plan in force. A constant number of reads whatever the number
/// of flights: every flight's load comes from one
/// [`plan_loads`](airbridge_store::FlightStore::plan_loads), not from each manifest.
async fn flights_seen<S: Store>(
    state: &AppState<S>,
    principal: &Principal,
    keep: impl Fn(&FlightRecord) -> bool,
) -> Result<(Option<PlanView>, Vec<(FlightRecord, Vec<CaseLoad>)>), ApiError> {
    let flights = state.store.list_flights().await?;
    let plan = state.store.current_plan().await?;
    let agreements = match principal.nation() {
        Some(_) => state.store.list_agreements().await?,
        None => Vec::new(),
    };
    let mut loads: HashMap<String, Vec<CaseLoad>> = HashMap::new();
    if plan.is_some() {
        for load in state.store.plan_loads().await? {
            loads.entry(load.flight.clone()).or_default().push(load);
        }
    }
    let mut seen = Vec::new();
    for flight in flights.into_iter().filter(|f| keep(f)) {
        let on_board = loads.remove(&flight.id).unwrap_or_default();
        if sees_flight(principal, &flight, &agreements, &nations_aboard(&on_board)) {
            seen.push((flight, on_board));
        }
    }
    let plan = plan.map(|p| PlanView {
        id: p.run.id,
        solver: p.run.solver,
        created_at: p.run.created_at,
        actor: p.run.actor,
        people_assigned: p.run.people_assigned,
    });
    Ok((plan, seen))
}

/// What the flights screen shows.
#[derive(Debug, Serialize)]
pub(crate) struct FlightsData {
    pub plan: Option<PlanView>,
    pub flights: Vec<FlightRow>,
    /// Whether the caller may build a plan.
    pub may_plan: bool,
}

pub(crate) async fn flights_data<S: Store>(
    state: &AppState<S>,
    principal: &Principal,
) -> Result<FlightsData, ApiError> {
    let now = now_utc();
    let (plan, seen) = flights_seen(state, principal, |_| true).await?;
    Ok(FlightsData {
        plan,
        flights: seen
            .iter()
            .map(|(flight, loads)| flight_row(flight, loads, now))
            .collect(),
        may_plan: policy::allows(principal.role(), Permission::PlanFlights),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "flights.html")]
struct FlightsPage {
    t: Texts,
    nav: Option<Nav>,
    csrf: String,
    data: FlightsData,
    /// How many flights there are beyond those shown.
    more: usize,
    done: Option<String>,
    problem: Option<String>,
}

async fn flights_page_for<S: Store>(
    state: &AppState<S>,
    principal: &Principal,
    t: Texts,
) -> Result<FlightsPage, ApiError> {
    let mut data = flights_data(state, principal).await?;
    let more = data.flights.len().saturating_sub(FLIGHTS_SHOWN);
    data.flights.truncate(FLIGHTS_SHOWN);
    Ok(FlightsPage {
        t,
        nav: nav(principal),
        csrf: principal.csrf_token().unwrap_or_default().to_owned(),
        data,
        more,
        done: None,
        problem: None,
    })
}

pub(crate) async fn flights_page<S: Store>(
    State(state): State<AppState<S>>,
    principal: Principal,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let t = texts(&headers);
    let page = flights_page_for(&state, &principal, t)
        .await
        .map_err(page_error(t.lang))?;
    Ok(page.into_response())
}

pub(crate) async fn flights_api<S: Store>(
    State(state): State<AppState<S>>,
    principal: Principal,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(flights_data(&state, &principal).await?)))
}

// --- building a plan -------------------------------------------------------------------------

/// A planning failure for the caller: what it can fix is said; the rest is logged.
fn planning_error(error: PlanningError) -> ApiError {
    match error {
        PlanningError::Store(error) => error.into(),
        error @ (PlanningError::NoFlight | PlanningError::UnknownWeight { .. }) => {
            ApiError::bad_request(error.to_string())
        }
        other => {
            tracing::error!(error = %other, "planning failed");
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "the server could not complete the request; it has been logged",
            )
        }
    }
}

async fn plan_now<S: Store>(
    state: &AppState<S>,
    principal: &Principal,
) -> Result<PlanReport, ApiError> {
    planning::plan_registry(&state.store, &principal.actor(), now_utc())
        .await
        .map_err(planning_error)
}

pub(crate) async fn plan_api<S: Store>(
    State(state): State<AppState<S>>,
    principal: Principal,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(plan_now(&state, &principal).await?)))
}

pub(crate) async fn plan_page<S: Store>(
    State(state): State<AppState<S>>,
    principal: Principal,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let t = texts(&headers);
    let outcome = match plan_now(&state, &principal).await {
        Err(error) if error.status == StatusCode::INTERNAL_SERVER_ERROR => {
            return Err(page_error(t.lang)(error));
        }
        other => other,
    };
    let mut page = flights_page_for(&state, &principal, t)
        .await
        .map_err(page_error(t.lang))?;
    match outcome {
        Ok(report) => {
            page.done = Some(format!(
                "{} {} · {}: {} / {} · {}: {} · {}: {} · {}: {} · {}: {}",
                t.get("flights.plan_stored"),
                report.plan_run,
                t.get("flights.cases_assigned"),
                report.cases_assigned,
                report.cases_ready,
                t.get("flights.people"),
                report.people_assigned,
                t.get("flights.kept"),
                report.kept,
                t.get("flights.moved"),
                report.moved,
                t.get("flights.dropped"),
                report.dropped,
            ));
            Ok(page.into_response())
        }
        Err(error) => {
            let status = error.status;
            page.problem = Some(error.message);
            Ok((status, page).into_response())
        }
    }
}

// --- one flight --------------------------------------------------------------------------------

/// People a page of a flight's manifest holds at most: a 450-person flight is five pages, each
/// far under 100 KB. Families are never split across pages (one larger than this, which the
/// registry does not hold, has a page to itself).
pub(crate) const PAGE_PEOPLE: u32 = 100;

/// The pages of a manifest whose families hold `people` people each, in order: runs of whole
/// families of at most [`PAGE_PEOPLE`] people. Always at least one page (empty when nobody
/// flies).
fn pages_of(people: &[u32]) -> Vec<std::ops::Range<usize>> {
    let mut pages = Vec::new();
    let (mut start, mut load) = (0, 0);
    for (i, &n) in people.iter().enumerate() {
        if load + n > PAGE_PEOPLE && i > start {
            pages.push(start..i);
            (start, load) = (i, 0);
        }
        load += n;
    }
    if start < people.len() || pages.is_empty() {
        pages.push(start..people.len());
    }
    pages
}

/// Which page of a flight's manifest this is.
#[derive(Debug, Serialize)]
pub(crate) struct PageView {
    /// From 1.
    pub number: usize,
    pub pages: usize,
    /// The first and last person on the page, counted from 1 over the whole flight (other
    /// nations' counted people included); both 0 on an empty manifest.
    pub people_from: u32,
    pub people_to: u32,
    pub people_total: u32,
    pub families_total: usize,
}

#[derive(Debug, Serialize)]
pub(crate) struct FamilyView {
    /// `None` when the family is another nation's: counted, not identified.
    pub case: Option<String>,
    pub nation: String,
    pub seats: u32,
    pub people: u32,
    /// The members who fly, when the caller may read their names.
    pub members: Vec<Passenger>,
}

/// A flight's page: the flight, and one page of the manifest from the plan in force as the
/// caller may see it.
#[derive(Debug, Serialize)]
pub(crate) struct FlightDetail {
    pub flight: FlightRow,
    /// The plan in force; `None` when no plan was ever stored.
    pub plan_run: Option<i64>,
    /// Whether the flight still flies (scheduled or delayed): a manifest is printed only then.
    pub flies: bool,
    pub page: PageView,
    /// The families on this page, in boarding order.
    pub families: Vec<FamilyView>,
}

/// The `?page=` of a paged screen (a flight's manifest, the users) and its JSON twin.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct PageParam {
    page: Option<String>,
}

/// The page asked for, from 1 (1 when none is given); anything but a whole number from 1 is
/// refused with a message.
pub(crate) fn page_number(
    param: Result<Query<PageParam>, QueryRejection>,
) -> Result<usize, ApiError> {
    let bad = || ApiError::bad_request("page must be a whole number from 1");
    let param = param.map(|Query(p)| p).map_err(|_| bad())?;
    match param.page.as_deref().map(str::trim) {
        None | Some("") => Ok(1),
        Some(text) => match text.parse::<usize>() {
            Ok(number) if number >= 1 => Ok(number),
            _ => Err(bad()),
        },
    }
}

/// A flight the caller may see, with the plan in force's cases on it (`None`: no plan yet).
/// Another nation's flight the caller may not see answers as missing.
async fn visible_flight<S: Store>(
    state: &AppState<S>,
    principal: &Principal,
    id: &str,
) -> Result<(FlightRecord, Option<FlightManifest>), ApiError> {
    let missing = || ApiError::not_found(format!("flight {id}"));
    let flight = state.store.get_flight(id).await?.ok_or_else(missing)?;
    let stored = match state.store.flight_manifest(id).await {
        Ok(stored) => Some(stored),
        // The flight exists: the store refuses only because no plan was stored yet.
        Err(StoreError::Invalid(_)) => None,
        Err(error) => return Err(error.into()),
    };
    let agreements = match principal.nation() {
        Some(_) => state.store.list_agreements().await?,
        None => Vec::new(),
    };
    if !sees_flight(
        principal,
        &flight,
        &agreements,
        &nations_aboard(&manifest_loads(stored.as_ref())),
    ) {
        return Err(missing());
    }
    Ok((flight, stored))
}

/// The manifest as the caller may read it: other nations' families counted only.
fn manifest_for(
    principal: &Principal,
    stored: &FlightManifest,
    now: OffsetDateTime,
    stamp: Option<Stamp>,
) -> Manifest {
    planning::manifest_of(
        stored,
        now,
        crate::screens::engine(),
        |nation| reads_names(principal, nation),
        stamp,
    )
}

/// A page of a flight's manifest, as the caller may see it. A page past the last answers 404
/// (a re-plan can shorten a manifest; the page says how many there are).
pub(crate) async fn flight_detail<S: Store>(
    state: &AppState<S>,
    principal: &Principal,
    id: &str,
    number: usize,
) -> Result<FlightDetail, ApiError> {
    let now = now_utc();
    let (flight, stored) = visible_flight(state, principal, id).await?;
    let people: Vec<u32> = stored
        .iter()
        .flat_map(|s| &s.cases)
        .map(|case| case.people.iter().filter(|p| planning::travels(p)).count() as u32)
        .collect();
    let pages = pages_of(&people);
    let Some(range) = pages.get(number - 1).cloned() else {
        return Err(ApiError::not_found(format!(
            "page {number} of flight {id} (it has {})",
            pages.len()
        )));
    };
    let before: u32 = people[..range.start].iter().sum();
    let on_page: u32 = people[range.clone()].iter().sum();
    let page = PageView {
        number,
        pages: pages.len(),
        people_from: if on_page > 0 { before + 1 } else { 0 },
        people_to: if on_page > 0 { before + on_page } else { 0 },
        people_total: people.iter().sum(),
        families_total: people.len(),
    };
    // Only this page's families are named (romanised, their documents read): a large flight
    // costs a page's work, not the whole manifest's.
    let families = match &stored {
        None => Vec::new(),
        Some(stored) => {
            let slice = FlightManifest {
                flight: stored.flight.clone(),
                plan_run: stored.plan_run,
                cases: stored.cases[range].to_vec(),
            };
            manifest_for(principal, &slice, now, None)
                .families
                .into_iter()
                .map(|family| FamilyView {
                    case: (family.case_id != planning::WITHHELD).then_some(family.case_id),
                    nation: family.nation,
                    seats: family.seats,
                    people: family.people,
                    members: family.members,
                })
                .collect()
        }
    };
    Ok(FlightDetail {
        flight: flight_row(&flight, &manifest_loads(stored.as_ref()), now),
        plan_run: stored.as_ref().map(|s| s.plan_run),
        flies: flight.status.flies(),
        page,
        families,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "flight.html")]
struct FlightPage {
    t: Texts,
    nav: Option<Nav>,
    detail: FlightDetail,
    /// 1 to the number of pages, for the page links.
    page_numbers: Vec<usize>,
    may_print: bool,
    may_open_cases: bool,
}

pub(crate) async fn flight_page<S: Store>(
    State(state): State<AppState<S>>,
    principal: Principal,
    headers: HeaderMap,
    Path(id): Path<String>,
    param: Result<Query<PageParam>, QueryRejection>,
) -> Result<Response, PageError> {
    let t = texts(&headers);
    let number = page_number(param)
        .map_err(|_| PageError::new(StatusCode::UNPROCESSABLE_ENTITY, "page.bad_number", t.lang))?;
    let detail = flight_detail(&state, &principal, &id, number)
        .await
        .map_err(page_error(t.lang))?;
    Ok(FlightPage {
        t,
        nav: nav(&principal),
        may_print: policy::allows(principal.role(), Permission::PrintManifests)
            && detail.flies
            && detail.plan_run.is_some(),
        may_open_cases: policy::allows(principal.role(), Permission::ReadCases),
        page_numbers: (1..=detail.page.pages).collect(),
        detail,
    }
    .into_response())
}

pub(crate) async fn flight_api<S: Store>(
    State(state): State<AppState<S>>,
    principal: Principal,
    Path(id): Path<String>,
    param: Result<Query<PageParam>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let number = page_number(param)?;
    Ok(Json(json!(
        flight_detail(&state, &principal, &id, number).await?
    )))
}

// --- the manifest's downloads ------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Pdf,
    Csv,
}

impl Format {
    fn as_str(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Csv => "csv",
        }
    }
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

/// The manifest of a flight the caller may see, as `airbridge manifest` makes it, stamped with
/// who downloaded it and when, and audited (`manifest.print`).
async fn manifest_file<S: Store>(
    state: &AppState<S>,
    principal: &Principal,
    id: &str,
    format: Format,
) -> Result<Response, ApiError> {
    let now = now_utc();
    let (flight, stored) = visible_flight(state, principal, id).await?;
    let Some(stored) = stored else {
        return Err(ApiError::bad_request(
            "no plan is stored yet: build one first",
        ));
    };
    if !flight.status.flies() {
        return Err(ApiError::bad_request(format!(
            "flight {} is {}: re-plan to move its people",
            flight.id,
            flight.status.as_str()
        )));
    }
    let at = crate::field::rfc3339(crate::auth::now());
    let stamp = Stamp {
        by: principal.actor().name,
        at: at.clone(),
    };
    let manifest = manifest_for(principal, &stored, now, Some(stamp));
    let name = format!(
        "airbridge-manifest-{}-{}.{}",
        flight.id,
        at.chars().take(10).collect::<String>(),
        format.as_str()
    );
    let (manifest, bytes) = match format {
        Format::Csv => {
            let bytes = airbridge_manifest::to_csv(&manifest);
            (manifest, bytes)
        }
        // Laying out a PDF takes a core for a while: off the threads that answer requests.
        Format::Pdf => {
            let (manifest, rendered) = tokio::task::spawn_blocking(move || {
                let rendered = airbridge_manifest::to_pdf(&manifest);
                (manifest, rendered)
            })
            .await
            .map_err(|e| internal("the manifest's layout stopped", &e))?;
            (
                manifest,
                rendered.map_err(|e| internal("the manifest could not be laid out", &e))?,
            )
        }
    };
    planning::record_manifest_print(
        &state.store,
        &principal.actor(),
        stored.plan_run,
        format.as_str(),
        &manifest,
        flight.nation,
    )
    .await?;
    Ok(match format {
        Format::Pdf => download(bytes, "application/pdf", &name),
        Format::Csv => download(bytes, "text/csv; charset=utf-8", &name),
    })
}

fn internal(what: &str, error: &dyn std::fmt::Display) -> ApiError {
    tracing::error!(error = %error, "{what}");
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "the server could not complete the request; it has been logged",
    )
}

/// A download that cannot be made is a page saying why (the link is on a page).
async fn manifest_download<S: Store>(
    state: &AppState<S>,
    principal: &Principal,
    headers: &HeaderMap,
    id: &str,
    format: Format,
) -> Result<Response, PageError> {
    let t = texts(headers);
    manifest_file(state, principal, id, format)
        .await
        .map_err(|error| match error.status {
            StatusCode::UNPROCESSABLE_ENTITY => {
                PageError::new(StatusCode::CONFLICT, "flight.no_manifest", t.lang)
            }
            _ => page_error(t.lang)(error),
        })
}

pub(crate) async fn manifest_pdf<S: Store>(
    State(state): State<AppState<S>>,
    principal: Principal,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    manifest_download(&state, &principal, &headers, &id, Format::Pdf).await
}

pub(crate) async fn manifest_csv<S: Store>(
    State(state): State<AppState<S>>,
    principal: Principal,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    manifest_download(&state, &principal, &headers, &id, Format::Csv).await
}

// --- the dashboard's flights today -------------------------------------------------------------

/// Flights departing today (UTC) that the caller may see.
#[derive(Debug, Serialize)]
pub(crate) struct FlightsToday {
    /// The day, `2021-08-22`.
    pub day: String,
    pub flights: usize,
    /// Flight status → flights.
    pub by_status: BTreeMap<&'static str, usize>,
    /// Seats the plan in force fills on them, and their evacuee places.
    pub seats_planned: u32,
    pub capacity: u32,
}

/// `None` for a caller who may not read flights.
pub(crate) async fn flights_today<S: Store>(
    state: &AppState<S>,
    principal: &Principal,
) -> Result<Option<FlightsToday>, ApiError> {
    if !policy::allows(principal.role(), Permission::ReadFlights) {
        return Ok(None);
    }
    let now = now_utc();
    let day: String = crate::field::rfc3339(crate::auth::now())
        .chars()
        .take(10)
        .collect();
    let (_, seen) = flights_seen(state, principal, |f| f.departs_at.starts_with(&day)).await?;
    let mut today = FlightsToday {
        day,
        flights: seen.len(),
        by_status: BTreeMap::new(),
        seats_planned: 0,
        capacity: 0,
    };
    for (flight, loads) in &seen {
        *today.by_status.entry(flight.status.as_str()).or_default() += 1;
        if flight.status.flies() || flight.status == airbridge_store::FlightState::Departed {
            let (seats, _, _) = load_of(loads, now);
            today.seats_planned += seats;
            today.capacity += flight.capacity();
        }
    }
    Ok(Some(today))
}

#[cfg(test)]
mod tests {
    use super::*;
    use airbridge_domain::{Access, Category, Role};
    use airbridge_store::{AircraftTypeRecord, Configuration, FlightState};

    fn nation(code: &str) -> NationCode {
        NationCode::parse(code).unwrap()
    }

    fn caller(role: Role, code: Option<&str>) -> Principal {
        Principal {
            name: "t".into(),
            display_name: "t".into(),
            access: Access::new(role, code.map(nation), None, None).unwrap(),
            source: crate::Source::Token,
            totp_enrolled: true,
            second_factor_done: true,
        }
    }

    fn flight(operator: &str, carries: &[&str]) -> FlightRecord {
        FlightRecord {
            id: "X1".into(),
            nation: nation(operator),
            aircraft: AircraftTypeRecord {
                name: "C-17A".into(),
                seated_capacity: 100,
                floor_loaded_capacity: 150,
            },
            configuration: Configuration::Seated,
            departs_at: "2021-08-22T10:00:00Z".into(),
            destination: "DOH".into(),
            status: FlightState::Scheduled,
            carries: carries.iter().map(|c| nation(c)).collect(),
            version: 1,
            created_at: String::new(),
            updated_at: String::new(),
        }
    }

    #[test]
    fn a_nation_sees_its_flights_and_those_that_carry_its_people() {
        let fr = caller(Role::Caseworker, Some("FR"));
        let agreement = |categories: Vec<Category>| AgreementRecord {
            carrier: nation("DE"),
            passengers: nation("FR"),
            categories,
        };
        let check = |who: &Principal,
                     f: FlightRecord,
                     agreements: &[AgreementRecord],
                     aboard: &[&str],
                     expected: bool| {
            let aboard: Vec<NationCode> = aboard.iter().map(|c| nation(c)).collect();
            assert_eq!(sees_flight(who, &f, agreements, &aboard), expected);
        };
        check(&fr, flight("FR", &[]), &[], &[], true);
        check(&fr, flight("DE", &[]), &[], &[], false);
        check(&fr, flight("DE", &["FR"]), &[], &[], true);
        check(
            &fr,
            flight("DE", &[]),
            &[agreement(vec![Category::LocalStaff])],
            &[],
            true,
        );
        // An agreement withdrawn (no category left) carries nobody.
        check(&fr, flight("DE", &[]), &[agreement(Vec::new())], &[], false);
        check(&fr, flight("DE", &[]), &[], &["DE", "FR"], true);
        check(
            &caller(Role::Coordinator, None),
            flight("DE", &[]),
            &[],
            &[],
            true,
        );
        assert!(!reads_names(&caller(Role::Coordinator, None), nation("DE")));
        assert!(reads_names(&fr, nation("FR")));
        assert!(!reads_names(&fr, nation("DE")));
    }
}
