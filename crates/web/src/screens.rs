//! The registry's screens: dashboard, name search, case and person pages, screening review,
//! audit log, users and roles, list import, and the language switch. Server-rendered with
//! askama (HTML-escaped), no script. Each screen's data comes from one function that its JSON
//! twin under `/api` shares, so both show the same thing to the same caller.

use crate::admin::{self, GrantBody, NewUserBody};
use crate::auth::Principal;
use crate::error::PageError;
use crate::i18n::{Lang, Texts};
use crate::import::{self, ImportReport};
use crate::pages::{Nav, lang_of, nav};
use crate::policy::{self, Permission};
use crate::routes::{body_bytes, case_id, person_id, query, visible_case, visible_person};
use crate::{ApiError, AppState};
use airbridge_domain::{
    CaseId, Category, EvacuationStatus, NationCode, OrganisationId, PersonId, Relation,
};
use airbridge_store::{
    AuditFilter, CaseQuery, HitDecision, HitRecord, PersonQuery, PersonRecord, Store,
};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Cases counted for the dashboard's categories at most (beyond, the figure says so).
const CATEGORY_CASES: usize = 20_000;
/// Results a search shows.
const SEARCH_RESULTS: usize = 50;
/// Hits the review screen shows at once (the page stays light on a phone; decided hits leave
/// the open list, so the next ones come up). A hit with its form weighs about 0.85 KB: 100
/// made 87 KB, too near the 100 KB a page may weigh for longer listed names; 60 make ~53 KB.
const HITS_SHOWN: usize = 60;
/// Audit events a page shows.
const AUDIT_PAGE: u32 = 50;

pub(crate) fn engine() -> &'static airbridge_names::NameEngine {
    crate::search::engine()
}

fn texts(headers: &HeaderMap) -> Texts {
    Texts {
        lang: lang_of(headers),
    }
}

/// A store or access failure as a page (internal details are logged by `ApiError`).
fn page_error(lang: Lang) -> impl Fn(ApiError) -> PageError {
    move |error| PageError::from_api(&error, lang)
}

/// A message for a person: the caller's own mistake as the server words it, or a generic one.
fn problem_of(error: &ApiError) -> String {
    match error.status {
        // Callers turn internal failures into the generic error page before this; never show
        // their text.
        StatusCode::INTERNAL_SERVER_ERROR => "the server could not complete the request".into(),
        _ => error.message.clone(),
    }
}

// --- the dashboard -----------------------------------------------------------------------------

/// What the dashboard shows: people by nation and status; by category where the caller may read
/// cases. A coordinator sees the cross-nation totals only.
#[derive(Debug, Serialize)]
pub(crate) struct DashboardData {
    pub statuses: Vec<&'static str>,
    /// Nation → status → people.
    pub by_nation: BTreeMap<String, BTreeMap<&'static str, i64>>,
    pub by_status: BTreeMap<&'static str, i64>,
    pub total: i64,
    /// Category → people, over the cases the caller reaches; `None` without case access.
    pub by_category: Option<BTreeMap<&'static str, i64>>,
    /// Whether the categories cover only the first `CATEGORY_CASES` cases.
    pub categories_partial: bool,
    /// Flights departing today that the caller may see; `None` without access to flights.
    pub flights_today: Option<crate::flights::FlightsToday>,
}

/// A category as the store's counts name it, as the dashboard keys it.
fn category_key(category: &str) -> &'static str {
    [Category::National, Category::LocalStaff, Category::AtRisk]
        .into_iter()
        .map(Category::as_str)
        .find(|known| *known == category)
        .unwrap_or("undecided")
}

pub(crate) async fn dashboard_data<S: Store>(
    state: &AppState<S>,
    principal: &Principal,
) -> Result<DashboardData, ApiError> {
    let mut data = DashboardData {
        statuses: Vec::new(),
        by_nation: BTreeMap::new(),
        by_status: BTreeMap::new(),
        total: 0,
        by_category: None,
        categories_partial: false,
        flights_today: crate::flights::flights_today(state, principal).await?,
    };
    let may_count = policy::allows(principal.role(), Permission::ReadTotals);
    let counts = if may_count {
        Some(
            state
                .counts
                .get(&state.store, principal.scope(None)?)
                .await?,
        )
    } else {
        None
    };
    if let Some(counts) = &counts {
        for total in &counts.totals {
            if !principal.may_act_for(total.nation) {
                continue;
            }
            let status = total.status.as_str();
            *data
                .by_nation
                .entry(total.nation.to_string())
                .or_default()
                .entry(status)
                .or_default() += total.people;
            *data.by_status.entry(status).or_default() += total.people;
            data.total += total.people;
        }
        data.statuses = EvacuationStatus::ALL
            .iter()
            .map(|s| s.as_str())
            .filter(|s| data.by_status.contains_key(s))
            .collect();
    }
    if policy::allows(principal.role(), Permission::ReadCases)
        && policy::allows(principal.role(), Permission::ReadTotals)
    {
        let mut categories = BTreeMap::new();
        match principal.organisation() {
            // Counted by the database, whatever the registry's size.
            None => {
                for count in counts.iter().flat_map(|c| c.live.iter()) {
                    if principal.may_act_for(count.nation) {
                        *categories.entry(category_key(&count.category)).or_default() +=
                            count.people;
                    }
                }
            }
            // An organisation's own cases, listed: the counts have no organisation column.
            Some(organisation) => {
                let mut after = None;
                let mut seen = 0;
                loop {
                    let page = state
                        .store
                        .list_cases(&CaseQuery {
                            nation: principal.scope(None)?,
                            organisation: Some(organisation),
                            limit: Some(1_000),
                            after,
                            ..Default::default()
                        })
                        .await?;
                    let Some(last) = page.last() else { break };
                    after = Some(last.case.id);
                    for case in &page {
                        let category = case
                            .eligibility
                            .primary_category()
                            .map_or("undecided", |c| c.as_str());
                        *categories.entry(category).or_default() += case.people.len() as i64;
                    }
                    seen += page.len();
                    if page.len() < 1_000 {
                        break;
                    }
                    if seen >= CATEGORY_CASES {
                        data.categories_partial = true;
                        break;
                    }
                }
            }
        }
        data.by_category = Some(categories);
    }
    Ok(data)
}

#[derive(Template, WebTemplate)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    t: Texts,
    nav: Option<Nav>,
    name: String,
    display_name: String,
    role_message: String,
    nation: Option<String>,
    organisation: Option<String>,
    gate: Option<String>,
    data: DashboardData,
    /// Nation and its people in each status of `data.statuses`.
    rows: Vec<(String, Vec<i64>)>,
    column_totals: Vec<i64>,
}

pub(crate) async fn dashboard<S: Store>(
    State(state): State<AppState<S>>,
    principal: Principal,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let t = texts(&headers);
    let data = dashboard_data(&state, &principal)
        .await
        .map_err(page_error(t.lang))?;
    let rows = data
        .by_nation
        .iter()
        .map(|(nation, counts)| {
            let cells = data
                .statuses
                .iter()
                .map(|s| counts.get(s).copied().unwrap_or(0))
                .collect();
            (nation.clone(), cells)
        })
        .collect();
    let column_totals = data
        .statuses
        .iter()
        .map(|s| data.by_status.get(s).copied().unwrap_or(0))
        .collect();
    Ok(DashboardPage {
        rows,
        column_totals,
        t,
        nav: nav(&principal),
        name: principal.name.clone(),
        display_name: principal.display_name.clone(),
        role_message: format!("role.{}", principal.role()),
        nation: principal.nation().map(|n| n.to_string()),
        organisation: principal.organisation().map(|o| o.to_string()),
        gate: principal.access.gate().map(str::to_owned),
        data,
    }
    .into_response())
}

pub(crate) async fn dashboard_api<S: Store>(
    State(state): State<AppState<S>>,
    principal: Principal,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(dashboard_data(&state, &principal).await?)))
}

// --- search ------------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub(crate) struct SearchParams {
    #[serde(default)]
    q: Option<String>,
    #[serde(default)]
    nation: Option<String>,
}

/// One person found, and how.
#[derive(Debug, Serialize)]
pub(crate) struct Found {
    pub id: PersonId,
    pub nation: NationCode,
    pub case: Option<CaseId>,
    pub status: &'static str,
    pub name: String,
    pub father: Option<String>,
    pub birth: Option<String>,
    /// 1.0 for a name containing every word of the query, else the names engine's score.
    pub score: f64,
    /// `words` or `names_engine`.
    pub matched_by: &'static str,
}

fn found(record: &PersonRecord, score: f64, matched_by: &'static str) -> Found {
    Found {
        id: record.id,
        nation: record.nation,
        case: record.case,
        status: record.status.as_str(),
        name: record.person.name.display(),
        father: record.person.name.father.clone(),
        birth: record.person.birth_date.as_ref().map(|d| d.to_string()),
        score,
        matched_by,
    }
}

/// Checks a search's words: present, not too long.
fn search_text(q: Option<&str>) -> Result<Option<String>, ApiError> {
    let q = q.map(str::trim).unwrap_or_default();
    if q.is_empty() {
        return Ok(None);
    }
    if q.chars().count() > 200 {
        return Err(ApiError::bad_request("search for at most 200 characters"));
    }
    Ok(Some(q.to_owned()))
}

fn optional_nation(text: Option<&str>) -> Result<Option<NationCode>, ApiError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(code) => NationCode::parse(code)
            .map(Some)
            .map_err(|e| ApiError::bad_request(e.to_string())),
    }
}

/// The search screen's people: see [`crate::search::find_people`]. The read is in the audit
/// trail (`route`, the words, the nation asked for, how many people were found).
pub(crate) async fn search_people<S: Store>(
    state: &AppState<S>,
    principal: &Principal,
    route: &str,
    q: &str,
    nation: Option<NationCode>,
) -> Result<Vec<Found>, ApiError> {
    let asked = nation;
    let nation = principal.scope(nation)?;
    state.search_engine.recount_if_due(&state.store);
    let engine = state.search_engine.get();
    let people = crate::search::find_people(
        &state.store,
        &engine,
        &PersonQuery {
            nation,
            ..Default::default()
        },
        q,
        SEARCH_RESULTS,
    )
    .await?;
    crate::reads::record_list_read(
        &state.store,
        principal,
        nation,
        route,
        json!({ "q": q, "nation": asked }),
        people.len(),
        None,
    )
    .await?;
    Ok(people
        .iter()
        .map(|f| found(&f.record, f.score, f.matched_by.as_str()))
        .collect())
}

#[derive(Template, WebTemplate)]
#[template(path = "search.html")]
struct SearchPage {
    t: Texts,
    nav: Option<Nav>,
    q: String,
    nation: String,
    cross_nation: bool,
    problem: Option<String>,
    searched: bool,
    results: Vec<Found>,
}

pub(crate) async fn search_page<S: Store>(
    State(state): State<AppState<S>>,
    principal: Principal,
    headers: HeaderMap,
    params: Result<Query<SearchParams>, QueryRejection>,
) -> Result<Response, PageError> {
    let t = texts(&headers);
    let params = params.map(|Query(p)| p).unwrap_or_default();
    let mut page = SearchPage {
        t,
        nav: nav(&principal),
        q: params.q.clone().unwrap_or_default(),
        nation: params.nation.clone().unwrap_or_default(),
        cross_nation: principal.nation().is_none(),
        problem: None,
        searched: false,
        results: Vec::new(),
    };
    let checked = search_text(params.q.as_deref())
        .and_then(|q| Ok((q, optional_nation(params.nation.as_deref())?)));
    match checked {
        Err(error) => {
            page.problem = Some(problem_of(&error));
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
        Ok((None, _)) => {}
        Ok((Some(q), nation)) => {
            match search_people(&state, &principal, "/search", &q, nation).await {
                Ok(results) => {
                    page.searched = true;
                    page.results = results;
                }
                Err(error) if error.status == StatusCode::INTERNAL_SERVER_ERROR => {
                    return Err(page_error(t.lang)(error));
                }
                Err(error) => {
                    let status = error.status;
                    page.problem = Some(problem_of(&error));
                    return Ok((status, page).into_response());
                }
            }
        }
    }
    Ok(page.into_response())
}

pub(crate) async fn search_api<S: Store>(
    State(state): State<AppState<S>>,
    principal: Principal,
    params: Result<Query<SearchParams>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let params = query(params)?;
    let q = search_text(params.q.as_deref())?
        .ok_or_else(|| ApiError::bad_request("give words to search for: ?q=hashem"))?;
    let nation = optional_nation(params.nation.as_deref())?;
    Ok(Json(json!(
        search_people(&state, &principal, "/api/search", &q, nation).await?
    )))
}

// --- case and person pages -------------------------------------------------------------------------

struct HistoryView {
    at: String,
    from: &'static str,
    to: &'static str,
    actor: String,
    location: String,
    reason: String,
}

pub(crate) struct HitView {
    id: i64,
    person: PersonId,
    person_name: String,
    nation: String,
    listed_name: String,
    entry_ref: String,
    score: String,
    status: String,
    decided_by: String,
    reason: String,
    open: bool,
}

fn hit_view(hit: &HitRecord) -> HitView {
    HitView {
        id: hit.id,
        person: hit.person,
        person_name: hit.person_name.clone(),
        nation: hit.nation.to_string(),
        listed_name: hit.listed_name.clone(),
        entry_ref: hit.entry_ref.clone(),
        score: format!("{:.2}", hit.score),
        status: hit.status.clone(),
        decided_by: hit.decided_by.clone().unwrap_or_default(),
        reason: hit.reason.clone().unwrap_or_default(),
        open: hit.status == "open",
    }
}

struct MemberView {
    id: PersonId,
    relation: &'static str,
    name: String,
    father: String,
    grandfather: String,
    birth: String,
    sex: &'static str,
    status: &'static str,
    documents: Vec<String>,
    phones: Vec<String>,
    vulnerabilities: Vec<&'static str>,
    history: Vec<HistoryView>,
    hits: Vec<HitView>,
    matches: MatchesView,
}

/// The other records deduplication found to be the same person (the latest run's cluster):
/// those the caller may read by id and name; another nation's only counted, as
/// `airbridge dedup matches` shows them.
#[derive(Default, Serialize)]
pub(crate) struct MatchesView {
    same: Vec<MatchView>,
    #[serde(rename = "held_by_other_nations")]
    elsewhere: usize,
}

#[derive(Serialize)]
struct MatchView {
    id: PersonId,
    name: String,
    nation: String,
}

impl MatchesView {
    fn is_empty(&self) -> bool {
        self.same.is_empty() && self.elsewhere == 0
    }
}

/// `person`'s matches as the caller may see them; none for a caller who may not read people.
pub(crate) async fn matches_for<S: Store>(
    state: &AppState<S>,
    principal: &Principal,
    person: PersonId,
) -> Result<MatchesView, ApiError> {
    if !policy::allows(principal.role(), Permission::ReadPersons) {
        return Ok(MatchesView::default());
    }
    let mates = state.store.cluster_mates(person).await?;
    if mates.is_empty() {
        return Ok(MatchesView::default());
    }
    let mut view = MatchesView::default();
    for mate in state.store.get_persons(&mates).await? {
        if principal.may_act_for(mate.nation) {
            view.same.push(MatchView {
                id: mate.id,
                name: mate.person.name.display(),
                nation: mate.nation.to_string(),
            });
        } else {
            view.elsewhere += 1;
        }
    }
    Ok(view)
}

#[derive(Template, WebTemplate)]
#[template(path = "case.html")]
struct CasePage {
    t: Texts,
    nav: Option<Nav>,
    /// `None` for a person in no case.
    case_id: Option<String>,
    nation: String,
    reference: String,
    organisation: String,
    category: &'static str,
    bases: Vec<String>,
    members: Vec<MemberView>,
    may_review: bool,
}

/// An eligibility basis in a line: its kind, then its details.
fn describe_basis(basis: &airbridge_domain::EligibilityBasis) -> String {
    let value = serde_json::to_value(basis).unwrap_or_default();
    let mut parts = vec![basis.category().as_str().replace('_', " ")];
    if let Some(fields) = value.as_object() {
        for (key, value) in fields {
            if key == "basis" {
                continue;
            }
            let text = match value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            parts.push(format!("{}: {text}", key.replace('_', " ")));
        }
    }
    parts.join(" · ")
}

async fn member_view<S: Store>(
    state: &AppState<S>,
    principal: &Principal,
    record: &PersonRecord,
    relation: Option<Relation>,
    hits: &[HitRecord],
) -> Result<MemberView, ApiError> {
    let person = &record.person;
    let matches = matches_for(state, principal, record.id).await?;
    let history = state
        .store
        .status_history(record.id)
        .await?
        .into_iter()
        .map(|change| HistoryView {
            at: change.at,
            from: change.from.as_str(),
            to: change.to.as_str(),
            actor: change.actor,
            location: change.location.unwrap_or_default(),
            reason: change.reason.unwrap_or_default(),
        })
        .collect();
    Ok(MemberView {
        id: record.id,
        relation: relation.map_or("none", |r| r.as_str()),
        name: person.name.display(),
        father: person.name.father.clone().unwrap_or_default(),
        grandfather: person.name.grandfather.clone().unwrap_or_default(),
        birth: person
            .birth_date
            .as_ref()
            .map(|d| d.to_string())
            .unwrap_or_default(),
        sex: person.sex.as_str(),
        status: record.status.as_str(),
        documents: person
            .documents
            .iter()
            .map(|d| {
                let issuer = d
                    .issuing_country
                    .map(|c| format!(" ({c})"))
                    .unwrap_or_default();
                format!("{} {}{issuer}", d.kind.as_str(), d.number())
            })
            .collect(),
        phones: person.phones.iter().map(|p| p.to_string()).collect(),
        vulnerabilities: person.vulnerabilities.iter().map(|v| v.as_str()).collect(),
        history,
        hits: hits
            .iter()
            .filter(|h| h.person == record.id)
            .map(hit_view)
            .collect(),
        matches,
    })
}

/// The hits of a nation the caller may read (none without the permission).
async fn hits_for<S: Store>(
    state: &AppState<S>,
    principal: &Principal,
    nation: NationCode,
) -> Result<Vec<HitRecord>, ApiError> {
    if !policy::allows(principal.role(), Permission::ReadScreening) {
        return Ok(Vec::new());
    }
    Ok(state.store.list_hits(None, Some(nation)).await?)
}

pub(crate) async fn case_page<S: Store>(
    State(state): State<AppState<S>>,
    principal: Principal,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let t = texts(&headers);
    let result: Result<CasePage, ApiError> = async {
        let record = visible_case(&state, &principal, case_id(&id)?).await?;
        let hits = hits_for(&state, &principal, record.case.nation).await?;
        let mut members = Vec::new();
        for (member, person) in record.case.members.iter().zip(&record.people) {
            members
                .push(member_view(&state, &principal, person, Some(member.relation), &hits).await?);
        }
        Ok(CasePage {
            t,
            nav: nav(&principal),
            case_id: Some(record.case.id.to_string()),
            nation: record.case.nation.to_string(),
            reference: record.case.reference.clone().unwrap_or_default(),
            organisation: record
                .case
                .organisation
                .map(|o| o.to_string())
                .unwrap_or_default(),
            category: record
                .eligibility
                .primary_category()
                .map_or("undecided", |c| c.as_str()),
            bases: record
                .eligibility
                .bases
                .iter()
                .map(describe_basis)
                .collect(),
            members,
            may_review: policy::allows(principal.role(), Permission::DecideScreening),
        })
    }
    .await;
    let page = result.map_err(|error| match error.status {
        // A malformed id is a page that does not exist.
        StatusCode::UNPROCESSABLE_ENTITY => {
            PageError::new(StatusCode::NOT_FOUND, "error.not_found", t.lang)
        }
        _ => page_error(t.lang)(error),
    })?;
    Ok(page.into_response())
}

pub(crate) async fn person_page<S: Store>(
    State(state): State<AppState<S>>,
    principal: Principal,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let t = texts(&headers);
    let result: Result<Result<CasePage, CaseId>, ApiError> = async {
        let record = visible_person(&state, &principal, person_id(&id)?).await?;
        if let Some(case) = record.case {
            return Ok(Err(case));
        }
        let hits = hits_for(&state, &principal, record.nation).await?;
        let member = member_view(&state, &principal, &record, None, &hits).await?;
        Ok(Ok(CasePage {
            t,
            nav: nav(&principal),
            case_id: None,
            nation: record.nation.to_string(),
            reference: String::new(),
            organisation: String::new(),
            category: "undecided",
            bases: Vec::new(),
            members: vec![member],
            may_review: policy::allows(principal.role(), Permission::DecideScreening),
        }))
    }
    .await;
    match result {
        Ok(Ok(page)) => Ok(page.into_response()),
        // Someone in a case is shown with their family (every role that reads people also
        // reads cases; the case page checks its own permission).
        Ok(Err(case)) => Ok(Redirect::to(&format!("/cases/{case}")).into_response()),
        Err(error) if error.status == StatusCode::UNPROCESSABLE_ENTITY => Err(PageError::new(
            StatusCode::NOT_FOUND,
            "error.not_found",
            t.lang,
        )),
        Err(error) => Err(page_error(t.lang)(error)),
    }
}

// --- screening review ------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub(crate) struct HitFilter {
    #[serde(default)]
    status: Option<String>,
}

const HIT_STATUSES: [&str; 5] = ["open", "confirmed", "false_positive", "superseded", "all"];

#[derive(Template, WebTemplate)]
#[template(path = "screening.html")]
struct ScreeningPage {
    t: Texts,
    nav: Option<Nav>,
    csrf: String,
    /// Each status to filter by, and whether it is the one shown.
    statuses: Vec<(&'static str, bool)>,
    hits: Vec<HitView>,
    /// How many more hits there are than shown.
    more: usize,
    problem: Option<String>,
    done: Option<String>,
    may_decide: bool,
}

async fn screening_page_for<S: Store>(
    state: &AppState<S>,
    principal: &Principal,
    t: Texts,
    status: &str,
) -> Result<ScreeningPage, ApiError> {
    let wanted = (status != "all").then(|| status.to_owned());
    let hits = state
        .store
        .list_hits(wanted, principal.scope(None)?)
        .await?;
    Ok(ScreeningPage {
        t,
        nav: nav(principal),
        csrf: principal.csrf_token().unwrap_or_default().to_owned(),
        statuses: HIT_STATUSES.iter().map(|s| (*s, *s == status)).collect(),
        more: hits.len().saturating_sub(HITS_SHOWN),
        hits: hits.iter().take(HITS_SHOWN).map(hit_view).collect(),
        problem: None,
        done: None,
        may_decide: policy::allows(principal.role(), Permission::DecideScreening),
    })
}

pub(crate) async fn screening_page<S: Store>(
    State(state): State<AppState<S>>,
    principal: Principal,
    headers: HeaderMap,
    params: Result<Query<HitFilter>, QueryRejection>,
) -> Result<Response, PageError> {
    let t = texts(&headers);
    let params = params.map(|Query(p)| p).unwrap_or_default();
    let status = params
        .status
        .filter(|s| HIT_STATUSES.contains(&s.as_str()))
        .unwrap_or_else(|| "open".into());
    let page = screening_page_for(&state, &principal, t, &status)
        .await
        .map_err(page_error(t.lang))?;
    Ok(page.into_response())
}

#[derive(Deserialize)]
pub(crate) struct DecisionForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
}

/// Decides a hit the caller may see; another nation's hit looks missing.
pub(crate) async fn decide_visible_hit<S: Store>(
    state: &AppState<S>,
    principal: &Principal,
    id: i64,
    decision: HitDecision,
    reason: Option<String>,
) -> Result<HitRecord, ApiError> {
    let visible = state
        .store
        .list_hits(None, principal.scope(None)?)
        .await?
        .into_iter()
        .any(|h| h.id == id);
    if !visible {
        return Err(ApiError::not_found(format!("screening hit H{id}")));
    }
    Ok(state
        .store
        .decide_hit(&principal.actor(), id, decision, reason)
        .await?)
}

pub(crate) fn hit_id(text: &str) -> Result<i64, ApiError> {
    text.trim_start_matches(['H', 'h'])
        .parse()
        .map_err(|_| ApiError::bad_request(format!("'{text}' is not a hit id (H12 or 12)")))
}

pub(crate) async fn decide_page<S: Store>(
    State(state): State<AppState<S>>,
    principal: Principal,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, PageError> {
    let t = texts(&headers);
    let reason = form.reason.trim().to_owned();
    let checked: Result<(i64, HitDecision), &'static str> = (|| {
        let id = hit_id(&id).map_err(|_| "screening.bad_hit")?;
        let decision = match form.decision.as_str() {
            "confirmed" => HitDecision::Confirmed,
            "false_positive" => HitDecision::FalsePositive,
            _ => return Err("screening.choose_decision"),
        };
        if reason.chars().count() > 1_000 {
            return Err("screening.reason_too_long");
        }
        if decision == HitDecision::FalsePositive && reason.is_empty() {
            return Err("screening.reason_needed");
        }
        Ok((id, decision))
    })();
    let outcome = match checked {
        Err(message) => Err((StatusCode::UNPROCESSABLE_ENTITY, t.get(message).to_owned())),
        Ok((id, decision)) => {
            let reason = (!reason.is_empty()).then_some(reason);
            match decide_visible_hit(&state, &principal, id, decision, reason).await {
                Ok(hit) => Ok(hit),
                Err(error) if error.status == StatusCode::NOT_FOUND => {
                    return Err(page_error(t.lang)(error));
                }
                Err(error) if error.status == StatusCode::INTERNAL_SERVER_ERROR => {
                    return Err(page_error(t.lang)(error));
                }
                Err(error) => Err((error.status, problem_of(&error))),
            }
        }
    };
    let mut page = screening_page_for(&state, &principal, t, "open")
        .await
        .map_err(page_error(t.lang))?;
    match outcome {
        Ok(hit) => {
            page.done = Some(format!(
                "H{} — {}",
                hit.id,
                t.get(&format!("hit.{}", hit.status))
            ));
            Ok(page.into_response())
        }
        Err((status, message)) => {
            page.problem = Some(message);
            Ok((status, page).into_response())
        }
    }
}

// --- audit log ---------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub(crate) struct AuditParams {
    /// `person:P12`, `case:C3`, or just a type (`user`).
    #[serde(default)]
    entity: Option<String>,
    #[serde(default)]
    after: Option<String>,
}

struct AuditRow {
    seq: i64,
    at: String,
    actor: String,
    nation: String,
    action: String,
    entity: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "audit.html")]
struct AuditPage {
    t: Texts,
    nav: Option<Nav>,
    entity: String,
    events: Vec<AuditRow>,
    next: Option<String>,
    problem: Option<String>,
}

pub(crate) async fn audit_page<S: Store>(
    State(state): State<AppState<S>>,
    principal: Principal,
    headers: HeaderMap,
    params: Result<Query<AuditParams>, QueryRejection>,
) -> Result<Response, PageError> {
    let t = texts(&headers);
    let params = params.map(|Query(p)| p).unwrap_or_default();
    let entity = params.entity.unwrap_or_default().trim().to_owned();
    let mut page = AuditPage {
        t,
        nav: nav(&principal),
        entity: entity.clone(),
        events: Vec::new(),
        next: None,
        problem: None,
    };
    let after = match params
        .after
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
    {
        None => None,
        Some(text) => match text.parse::<i64>() {
            Ok(after) if after >= 0 => Some(after),
            _ => {
                page.problem = Some(t.get("audit.bad_after").to_owned());
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
            }
        },
    };
    if entity.chars().count() > 100 {
        page.problem = Some(t.get("audit.bad_entity").to_owned());
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let (entity_type, entity_id) = match entity.split_once(':') {
        Some((kind, id)) => (Some(kind.trim().to_owned()), Some(id.trim().to_owned())),
        None if entity.is_empty() => (None, None),
        None => (Some(entity.clone()), None),
    };
    let events = state
        .store
        .audit_list(&AuditFilter {
            entity_type,
            entity_id,
            actor: None,
            after,
            limit: Some(AUDIT_PAGE),
        })
        .await
        .map_err(|e| page_error(t.lang)(ApiError::from(e)))?;
    if events.len() == AUDIT_PAGE as usize
        && let Some(last) = events.last()
    {
        page.next = Some(format!(
            "/audit?entity={}&after={}",
            crate::pages::encode_query(&entity),
            last.seq
        ));
    }
    page.events = events
        .into_iter()
        .map(|e| AuditRow {
            seq: e.seq,
            at: e.at,
            actor: e.actor,
            nation: e.nation.unwrap_or_default(),
            action: e.action,
            entity: format!("{}:{}", e.entity_type, e.entity_id),
        })
        .collect();
    Ok(page.into_response())
}

// --- users and roles -------------------------------------------------------------------------------

struct UserRow {
    username: String,
    display_name: String,
    role: String,
    nation: String,
    organisation: String,
    gate: String,
    disabled: bool,
    locked: bool,
    totp: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "users.html")]
struct UsersPage {
    t: Texts,
    nav: Option<Nav>,
    csrf: String,
    /// This page's accounts: the [`USERS_SHOWN`] from `first`.
    users: Vec<UserRow>,
    page: usize,
    page_numbers: Vec<usize>,
    /// The first and last account on the page, from 1; and how many there are.
    first: usize,
    last: usize,
    users_total: usize,
    /// Roles the caller may give, and whether the form has it chosen.
    roles: Vec<(&'static str, bool)>,
    cross_nation: bool,
    problem: Option<String>,
    done: Option<String>,
    form: UserForm,
}

#[derive(Deserialize, Default, Clone)]
pub(crate) struct UserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    nation: String,
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    gate: String,
}

/// Accounts the users page lists at once (`?page=N`): a row with its form weighs about 0.4 KB,
/// so 255 accounts on one page would pass 100 KB; a page of 100 weighs ~44 KB
/// (`tests/screens.rs`). The JSON twin lists them all.
const USERS_SHOWN: usize = 100;

async fn users_page_for<S: Store>(
    state: &AppState<S>,
    principal: &Principal,
    t: Texts,
    page: usize,
) -> Result<UsersPage, ApiError> {
    let now = crate::auth::now();
    let all = state.store.list_users(principal.scope(None)?).await?;
    let users_total = all.len();
    let pages = users_total.div_ceil(USERS_SHOWN).max(1);
    if page > pages {
        return Err(ApiError::not_found(format!(
            "page {page} of the accounts (there are {pages})"
        )));
    }
    let users = all
        .into_iter()
        .skip((page - 1) * USERS_SHOWN)
        .take(USERS_SHOWN)
        .map(|u| UserRow {
            role: format!("role.{}", u.access.role()),
            nation: u.access.nation().map(|n| n.to_string()).unwrap_or_default(),
            organisation: u
                .access
                .organisation()
                .map(|o| o.to_string())
                .unwrap_or_default(),
            gate: u.access.gate().unwrap_or_default().to_owned(),
            locked: u.locked_until.is_some_and(|until| until > now),
            username: u.username,
            display_name: u.display_name,
            disabled: u.disabled,
            totp: u.totp_enrolled,
        })
        .collect();
    Ok(UsersPage {
        t,
        nav: nav(principal),
        csrf: principal.csrf_token().unwrap_or_default().to_owned(),
        first: ((page - 1) * USERS_SHOWN + 1).min(users_total),
        last: (page * USERS_SHOWN).min(users_total),
        users_total,
        users,
        page,
        page_numbers: (1..=pages).collect(),
        roles: airbridge_domain::Role::ALL
            .iter()
            .filter(|r| policy::may_grant(principal.role(), **r))
            .map(|r| (r.as_str(), false))
            .collect(),
        cross_nation: principal.nation().is_none(),
        problem: None,
        done: None,
        form: UserForm::default(),
    })
}

pub(crate) async fn users_page<S: Store>(
    State(state): State<AppState<S>>,
    principal: Principal,
    headers: HeaderMap,
    param: Result<Query<crate::flights::PageParam>, QueryRejection>,
) -> Result<Response, PageError> {
    let t = texts(&headers);
    let page = crate::flights::page_number(param)
        .map_err(|_| PageError::new(StatusCode::UNPROCESSABLE_ENTITY, "page.bad_number", t.lang))?;
    Ok(users_page_for(&state, &principal, t, page)
        .await
        .map_err(page_error(t.lang))?
        .into_response())
}

fn blank(text: &str) -> Option<String> {
    Some(text.trim().to_owned()).filter(|t| !t.is_empty())
}

pub(crate) async fn add_user_page<S: Store>(
    State(state): State<AppState<S>>,
    principal: Principal,
    headers: HeaderMap,
    Form(form): Form<UserForm>,
) -> Result<Response, PageError> {
    let t = texts(&headers);
    let checked: Result<NewUserBody, String> = (|| {
        let username = form.username.trim();
        if username.is_empty()
            || username.len() > 64
            || !username
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        {
            return Err(t.get("users.bad_username").to_owned());
        }
        if form.display_name.trim().is_empty() || form.display_name.chars().count() > 100 {
            return Err(t.get("users.bad_display_name").to_owned());
        }
        if form.password.chars().count() < 12 {
            return Err(t.get("users.short_password").to_owned());
        }
        let nation = optional_nation(Some(&form.nation)).map_err(|e| e.message)?;
        Ok(NewUserBody {
            username: username.to_owned(),
            display_name: form.display_name.trim().to_owned(),
            password: form.password.clone(),
            grant: GrantBody {
                role: form.role.clone(),
                nation,
                organisation: blank(&form.organisation),
                gate: blank(&form.gate),
            },
        })
    })();
    let outcome = match checked {
        Err(message) => Err((StatusCode::UNPROCESSABLE_ENTITY, message)),
        Ok(body) => match admin::create_user(&state, &principal, body).await {
            Ok(user) => Ok(user.username),
            Err(error) if error.status == StatusCode::INTERNAL_SERVER_ERROR => {
                return Err(page_error(t.lang)(error));
            }
            Err(error) => Err((error.status, problem_of(&error))),
        },
    };
    let mut page = users_page_for(&state, &principal, t, 1)
        .await
        .map_err(page_error(t.lang))?;
    match outcome {
        Ok(username) => {
            page.done = Some(format!("{} {username}", t.get("users.created")));
            Ok(page.into_response())
        }
        Err((status, message)) => {
            page.problem = Some(message);
            // The form comes back as typed, without the password.
            for (role, selected) in &mut page.roles {
                *selected = *role == form.role;
            }
            page.form = UserForm {
                password: String::new(),
                ..form
            };
            Ok((status, page).into_response())
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct UserActionForm {
    #[serde(default)]
    action: String,
}

pub(crate) async fn user_action_page<S: Store>(
    State(state): State<AppState<S>>,
    principal: Principal,
    headers: HeaderMap,
    Path(username): Path<String>,
    Form(form): Form<UserActionForm>,
) -> Result<Response, PageError> {
    let t = texts(&headers);
    let result: Result<(), ApiError> = async {
        let user = admin::managed_user(&state, &principal, &username).await?;
        let actor = principal.actor();
        match form.action.as_str() {
            "disable" => drop(
                state
                    .store
                    .set_user_disabled(&actor, &user.username, true)
                    .await?,
            ),
            "enable" => drop(
                state
                    .store
                    .set_user_disabled(&actor, &user.username, false)
                    .await?,
            ),
            "unlock" => drop(state.store.unlock_user(&actor, &user.username).await?),
            "reset-totp" => drop(
                state
                    .store
                    .set_user_totp(&actor, &user.username, None)
                    .await?,
            ),
            _ => return Err(ApiError::bad_request(t.get("users.bad_action"))),
        }
        Ok(())
    }
    .await;
    let mut status = StatusCode::OK;
    let mut page_problem = None;
    match result {
        Ok(()) => {}
        Err(error)
            if error.status == StatusCode::NOT_FOUND
                || error.status == StatusCode::INTERNAL_SERVER_ERROR =>
        {
            return Err(page_error(t.lang)(error));
        }
        Err(error) => {
            status = error.status;
            page_problem = Some(problem_of(&error));
        }
    }
    let mut page = users_page_for(&state, &principal, t, 1)
        .await
        .map_err(page_error(t.lang))?;
    if page_problem.is_none() {
        page.done = Some(format!("{} {username}", t.get("users.changed")));
    }
    page.problem = page_problem;
    Ok((status, page).into_response())
}

// --- import ------------------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "import.html")]
struct ImportPage {
    t: Texts,
    nav: Option<Nav>,
    csrf: String,
    cross_nation: bool,
    limit_mb: usize,
    problem: Option<String>,
    report: Option<ImportReport>,
    /// Issues of the report the page does not list (see [`ISSUES_SHOWN`]).
    issues_hidden: usize,
}

/// Issues the import page lists (the JSON answer has the first 500), each cell cut to
/// [`CELL_CHARS`]: the page stays under 100 KB however bad the list and long its cells.
const ISSUES_SHOWN: usize = 100;
const CELL_CHARS: usize = 60;

/// `text` cut to `chars` characters, an ellipsis saying so.
fn cut(text: &mut String, chars: usize) {
    if text.chars().count() > chars {
        *text = text
            .chars()
            .take(chars.saturating_sub(1))
            .chain(['…'])
            .collect();
    }
}

/// The report as the page lists it: the first issues, cells cut short; returns how many
/// issues are left out.
fn report_for_page(report: &mut ImportReport) -> usize {
    let hidden = report.issues.len().saturating_sub(ISSUES_SHOWN);
    report.issues.truncate(ISSUES_SHOWN);
    for issue in &mut report.issues {
        cut(&mut issue.sheet, CELL_CHARS);
        cut(&mut issue.column, CELL_CHARS);
        cut(&mut issue.value, CELL_CHARS);
        // A message may quote the value.
        cut(&mut issue.message, 4 * CELL_CHARS);
    }
    hidden
}

fn import_page_for(principal: &Principal, t: Texts) -> ImportPage {
    ImportPage {
        t,
        nav: nav(principal),
        csrf: principal.csrf_token().unwrap_or_default().to_owned(),
        cross_nation: principal.nation().is_none(),
        limit_mb: import::MAX_UPLOAD_BYTES / (1024 * 1024),
        problem: None,
        report: None,
        issues_hidden: 0,
    }
}

pub(crate) async fn import_form(principal: Principal, headers: HeaderMap) -> Response {
    import_page_for(&principal, texts(&headers)).into_response()
}

/// The upload's fields, read from the multipart body.
#[derive(Default)]
struct Upload {
    file_name: String,
    bytes: Vec<u8>,
    nation: String,
    organisation: String,
}

async fn read_upload(mut multipart: Multipart) -> Result<Upload, (StatusCode, &'static str)> {
    let mut upload = Upload::default();
    let fail = |error: axum::extract::multipart::MultipartError| {
        if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
            (StatusCode::PAYLOAD_TOO_LARGE, "import.too_large")
        } else {
            (StatusCode::UNPROCESSABLE_ENTITY, "import.bad_upload")
        }
    };
    while let Some(field) = multipart.next_field().await.map_err(fail)? {
        match field.name().unwrap_or_default() {
            "file" => {
                upload.file_name = field.file_name().unwrap_or_default().to_owned();
                upload.bytes = field.bytes().await.map_err(fail)?.to_vec();
            }
            "nation" => upload.nation = field.text().await.map_err(fail)?,
            "organisation" => upload.organisation = field.text().await.map_err(fail)?,
            _ => {}
        }
    }
    if upload.bytes.is_empty() {
        return Err((StatusCode::UNPROCESSABLE_ENTITY, "import.no_file"));
    }
    Ok(upload)
}

fn organisation_of(text: &str) -> Result<Option<OrganisationId>, ApiError> {
    blank(text)
        .map(|o| o.parse::<OrganisationId>())
        .transpose()
        .map_err(|_| ApiError::bad_request("organisation must be an id such as O3"))
}

pub(crate) async fn import_upload_page<S: Store>(
    State(state): State<AppState<S>>,
    principal: Principal,
    headers: HeaderMap,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, PageError> {
    let t = texts(&headers);
    let mut page = import_page_for(&principal, t);
    let upload = match multipart {
        Ok(multipart) => read_upload(multipart).await,
        Err(_) => Err((StatusCode::UNPROCESSABLE_ENTITY, "import.bad_upload")),
    };
    let upload = match upload {
        Ok(upload) => upload,
        Err((status, message)) => {
            page.problem = Some(t.get(message).to_owned());
            return Ok((status, page).into_response());
        }
    };
    let result = async {
        let nation = optional_nation(Some(&upload.nation))?;
        let organisation = organisation_of(&upload.organisation)?;
        import::import_upload(
            &state,
            &principal,
            nation,
            organisation,
            &upload.file_name,
            upload.bytes,
        )
        .await
    }
    .await;
    match result {
        Ok(report) => {
            let mut report = report;
            page.issues_hidden = report_for_page(&mut report);
            page.report = Some(report);
            Ok(page.into_response())
        }
        Err(error) if error.status == StatusCode::INTERNAL_SERVER_ERROR => {
            Err(page_error(t.lang)(error))
        }
        Err(error) => {
            page.problem = Some(problem_of(&error));
            Ok((error.status, page).into_response())
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct ImportParams {
    nation: Option<String>,
    name: Option<String>,
    organisation: Option<String>,
}

pub(crate) async fn import_api<S: Store>(
    State(state): State<AppState<S>>,
    principal: Principal,
    params: Result<Query<ImportParams>, QueryRejection>,
    bytes: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let params = query(params)?;
    let bytes = body_bytes(bytes)?;
    let nation = optional_nation(params.nation.as_deref())?;
    let organisation = organisation_of(params.organisation.as_deref().unwrap_or_default())?;
    let name = params
        .name
        .ok_or_else(|| ApiError::bad_request("name the list: ?name=embassy-list.csv"))?;
    let report = import::import_upload(
        &state,
        &principal,
        nation,
        organisation,
        &name,
        bytes.to_vec(),
    )
    .await?;
    Ok(Json(json!(report)))
}

// --- language ----------------------------------------------------------------------------------

#[derive(Deserialize)]
pub(crate) struct LangParams {
    to: Option<String>,
}

/// The language cookie's name.
pub(crate) const LANG_COOKIE: &str = "airbridge_lang";

/// Switches the screens' language (a cookie) and goes back to the page the switch was on.
pub(crate) async fn switch_language(
    headers: HeaderMap,
    Query(params): Query<LangParams>,
) -> Response {
    let lang = match params.to.as_deref() {
        Some("fr") => "fr",
        _ => "en",
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    // Back to the referring page of this site, by its path only.
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|referer| referer.split_once("://"))
        .and_then(|(_, rest)| {
            let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            (authority.eq_ignore_ascii_case(host)).then(|| path.to_owned())
        })
        .map(|path| crate::pages::local_path(&path).to_owned())
        .unwrap_or_else(|| "/dashboard".to_owned());
    (
        StatusCode::SEE_OTHER,
        [
            (
                header::SET_COOKIE,
                format!("{LANG_COOKIE}={lang}; Path=/; SameSite=Lax; Max-Age=31536000"),
            ),
            (header::LOCATION, back),
        ],
    )
        .into_response()
}
