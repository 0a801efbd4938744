//! The route table and the API's handlers. [`ROUTES`] is data: every route is declared there
//! with its method, path, the [`Permission`] it needs and the scope of records it reaches, and
//! the router is built from it, each route behind the guard (`auth::guard`) that checks that
//! permission. A route cannot exist without one.

use crate::auth::{self, Principal};
use crate::policy::Permission;
use crate::{ApiError, AppState};
use airbridge_domain::{
    CaseId, Eligibility, EvacuationStatus, NationCode, NewCase, Person, PersonId,
};
use airbridge_store::{AuditFilter, CaseQuery, HitDecision, PersonQuery, StatusRequest, Store};
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use axum::routing::{MethodFilter, MethodRouter, on};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

/// An HTTP method the table uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Get,
    Post,
    Put,
}

impl Verb {
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Get => "GET",
            Verb::Post => "POST",
            Verb::Put => "PUT",
        }
    }

    fn filter(self) -> MethodFilter {
        match self {
            Verb::Get => MethodFilter::GET,
            Verb::Post => MethodFilter::POST,
            Verb::Put => MethodFilter::PUT,
        }
    }
}

/// Whom a route answers: programs (JSON; a refusal is a JSON error) or people (HTML; an
/// anonymous visitor is sent to the login page).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Api,
    Page,
}

/// Which records a route reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// No records (health, the login and setup forms).
    None,
    /// The caller's own account or session.
    Caller,
    /// One nation's records: a caller bound to a nation reaches only its own (others answer
    /// 404, and asking for another nation by name 403); an NGO only its organisation's, a
    /// gate officer only its gate's.
    Nation,
    /// Reference data and totals across nations, cut to the caller's nation when bound to one.
    CrossNation,
    /// The whole system (nations, the audit trail).
    System,
}

/// One route.
#[derive(Debug)]
pub struct RouteSpec {
    pub method: Verb,
    pub path: &'static str,
    pub permission: Permission,
    pub scope: Scope,
    pub kind: Kind,
    handler: Handler,
}

impl RouteSpec {
    /// `GET /api/persons`: how the route is named in tests and messages.
    pub fn key(&self) -> String {
        format!("{} {}", self.method.as_str(), self.path)
    }
}

/// Which function answers a route (the table cannot hold generic functions themselves).
#[derive(Debug, Clone, Copy)]
enum Handler {
    Index,
    Health,
    LoginForm,
    Login,
    SecondFactorForm,
    SecondFactor,
    Logout,
    SetupForm,
    Setup,
    Dashboard,
    DashboardApi,
    SearchPage,
    SearchApi,
    CasePage,
    PersonPage,
    ScreeningPage,
    DecidePage,
    DedupPage,
    DecidePairPage,
    AuditPage,
    UsersPage,
    AddUserPage,
    UserActionPage,
    ImportForm,
    ImportPage,
    ImportApi,
    Language,
    OpenApi,
    Metrics,
    EnrolForm,
    Enrol,
    Me,
    ListNations,
    AddNation,
    ListOrganisations,
    SearchPersons,
    AddPerson,
    GetPerson,
    UpdatePerson,
    PersonHistory,
    SetPersonStatus,
    ListCases,
    AddCase,
    GetCase,
    SetCaseStatus,
    SetEligibility,
    Totals,
    ScreeningHits,
    DecideHit,
    DedupPairs,
    DecidePair,
    Audit,
    CallForward,
    RevokePass,
    GateExpected,
    CheckIn,
    GateSync,
    GateFlags,
    ClearGateFlag,
    Live,
    LiveStream,
    SitrepCsv,
    SitrepPdf,
    FlightsPage,
    FlightsApi,
    FlightPage,
    FlightApi,
    PlanPage,
    PlanApi,
    ManifestPdf,
    ManifestCsv,
    GatePage,
    FlagsPage,
    ClearFlagPage,
    LivePage,
    PassPage,
    GateScript,
    LiveScript,
    GateWorker,
    ListUsers,
    AddUser,
    DisableUser,
    EnableUser,
    UnlockUser,
    ResetTotp,
    AddToken,
}

macro_rules! route {
    ($method:ident $path:literal, $permission:ident, $scope:ident, $kind:ident, $handler:ident) => {
        RouteSpec {
            method: Verb::$method,
            path: $path,
            permission: Permission::$permission,
            scope: Scope::$scope,
            kind: Kind::$kind,
            handler: Handler::$handler,
        }
    };
}

/// Every route the server answers.
pub static ROUTES: &[RouteSpec] = &[
    route!(Get "/", Public, None, Page, Index),
    route!(Get "/healthz", Public, None, Api, Health),
    route!(Get "/login", Public, None, Page, LoginForm),
    route!(Post "/login", Public, None, Page, Login),
    route!(Get "/login/totp", SecondFactorStep, Caller, Page, SecondFactorForm),
    route!(Post "/login/totp", SecondFactorStep, Caller, Page, SecondFactor),
    route!(Post "/logout", Authenticated, Caller, Page, Logout),
    route!(Get "/setup", Public, None, Page, SetupForm),
    route!(Post "/setup", Public, None, Page, Setup),
    route!(Get "/lang", Public, None, Page, Language),
    route!(Get "/dashboard", Authenticated, Caller, Page, Dashboard),
    route!(Get "/search", ReadPersons, Nation, Page, SearchPage),
    route!(Get "/cases/{id}", ReadCases, Nation, Page, CasePage),
    route!(Get "/persons/{id}", ReadPersons, Nation, Page, PersonPage),
    route!(Get "/screening", ReadScreening, Nation, Page, ScreeningPage),
    route!(Post "/screening/{id}", DecideScreening, Nation, Page, DecidePage),
    route!(Get "/dedup", ReadPersons, Nation, Page, DedupPage),
    route!(Post "/dedup/decide", DecideDuplicates, Nation, Page, DecidePairPage),
    route!(Get "/audit", ReadAudit, System, Page, AuditPage),
    route!(Get "/users", ManageUsers, Nation, Page, UsersPage),
    route!(Post "/users", ManageUsers, Nation, Page, AddUserPage),
    route!(Post "/users/{username}", ManageUsers, Nation, Page, UserActionPage),
    route!(Get "/import", WritePersons, Nation, Page, ImportForm),
    route!(Post "/import", WritePersons, Nation, Page, ImportPage),
    route!(Get "/metrics", Public, None, Api, Metrics),
    route!(Get "/api/openapi.json", Public, None, Api, OpenApi),
    route!(Get "/api/dashboard", Authenticated, Caller, Api, DashboardApi),
    route!(Get "/api/search", ReadPersons, Nation, Api, SearchApi),
    route!(Post "/api/import", WritePersons, Nation, Api, ImportApi),
    route!(Get "/account/totp", EnrolSecondFactor, Caller, Page, EnrolForm),
    route!(Post "/account/totp", EnrolSecondFactor, Caller, Page, Enrol),
    route!(Get "/api/me", Authenticated, Caller, Api, Me),
    route!(Get "/api/nations", ReadNations, CrossNation, Api, ListNations),
    route!(Post "/api/nations", ManageNations, System, Api, AddNation),
    route!(Get "/api/organisations", ReadOrganisations, CrossNation, Api, ListOrganisations),
    route!(Get "/api/persons", ReadPersons, Nation, Api, SearchPersons),
    route!(Post "/api/persons", WritePersons, Nation, Api, AddPerson),
    route!(Get "/api/persons/{id}", ReadPersons, Nation, Api, GetPerson),
    route!(Put "/api/persons/{id}", WritePersons, Nation, Api, UpdatePerson),
    route!(Get "/api/persons/{id}/history", ReadPersons, Nation, Api, PersonHistory),
    route!(Post "/api/persons/{id}/status", ChangeStatus, Nation, Api, SetPersonStatus),
    route!(Get "/api/cases", ReadCases, Nation, Api, ListCases),
    route!(Post "/api/cases", SubmitCases, Nation, Api, AddCase),
    route!(Get "/api/cases/{id}", ReadCases, Nation, Api, GetCase),
    route!(Post "/api/cases/{id}/status", ChangeStatus, Nation, Api, SetCaseStatus),
    route!(Put "/api/cases/{id}/eligibility", DecideEligibility, Nation, Api, SetEligibility),
    route!(Get "/api/totals", ReadTotals, CrossNation, Api, Totals),
    route!(Get "/api/screening/hits", ReadScreening, Nation, Api, ScreeningHits),
    route!(Post "/api/screening/hits/{id}/decision", DecideScreening, Nation, Api, DecideHit),
    route!(Get "/api/dedup/pairs", ReadPersons, Nation, Api, DedupPairs),
    route!(Post "/api/dedup/pairs/{a}/{b}/decision", DecideDuplicates, Nation, Api, DecidePair),
    route!(Get "/api/audit", ReadAudit, System, Api, Audit),
    route!(Post "/api/call-forward", CallForward, Nation, Api, CallForward),
    route!(Post "/api/passes/{id}/revoke", CallForward, Nation, Api, RevokePass),
    route!(Get "/api/gate/expected", GateList, Nation, Api, GateExpected),
    route!(Post "/api/gate/check-in", GateCheckIn, Nation, Api, CheckIn),
    route!(Post "/api/gate/sync", GateCheckIn, Nation, Api, GateSync),
    route!(Get "/api/gate/flags", ReadGateFlags, Nation, Api, GateFlags),
    route!(Post "/api/gate/flags/{id}/clear", ClearGateFlags, Nation, Api, ClearGateFlag),
    route!(Get "/api/live", ReadTotals, CrossNation, Api, Live),
    route!(Get "/api/live/stream", ReadTotals, CrossNation, Api, LiveStream),
    route!(Get "/api/sitrep.csv", ReadTotals, CrossNation, Api, SitrepCsv),
    route!(Get "/api/sitrep.pdf", ReadTotals, CrossNation, Api, SitrepPdf),
    route!(Get "/gate", GateCheckIn, Nation, Page, GatePage),
    route!(Get "/gate/flags", ReadGateFlags, Nation, Page, FlagsPage),
    route!(Post "/gate/flags/{id}", ClearGateFlags, Nation, Page, ClearFlagPage),
    route!(Get "/live", ReadTotals, CrossNation, Page, LivePage),
    // Flights: the list (what the caller may see of each), one flight's manifest, planning the
    // registry, and the manifest's downloads.
    route!(Get "/flights", ReadFlights, CrossNation, Page, FlightsPage),
    route!(Get "/api/flights", ReadFlights, CrossNation, Api, FlightsApi),
    route!(Post "/flights/plan", PlanFlights, System, Page, PlanPage),
    route!(Post "/api/flights/plan", PlanFlights, System, Api, PlanApi),
    route!(Get "/flights/{id}", ReadFlights, Nation, Page, FlightPage),
    route!(Get "/api/flights/{id}", ReadFlights, Nation, Api, FlightApi),
    route!(Get "/flights/{id}/manifest.pdf", PrintManifests, Nation, Page, ManifestPdf),
    route!(Get "/flights/{id}/manifest.csv", PrintManifests, Nation, Page, ManifestCsv),
    // A pass's own page: the code and its QR code, from the link in the message. It looks
    // nothing up, so it reveals nothing a code does not.
    route!(Get "/p/{code}", Public, None, Page, PassPage),
    route!(Get "/static/gate.js", Public, None, Page, GateScript),
    route!(Get "/static/live.js", Public, None, Page, LiveScript),
    // The gate page's service worker, at the root so that it may control /gate.
    route!(Get "/gate-sw.js", Public, None, Page, GateWorker),
    route!(Get "/api/users", ManageUsers, Nation, Api, ListUsers),
    route!(Post "/api/users", ManageUsers, Nation, Api, AddUser),
    route!(Post "/api/users/{username}/disable", ManageUsers, Nation, Api, DisableUser),
    route!(Post "/api/users/{username}/enable", ManageUsers, Nation, Api, EnableUser),
    route!(Post "/api/users/{username}/unlock", ManageUsers, Nation, Api, UnlockUser),
    route!(Post "/api/users/{username}/reset-totp", ManageUsers, Nation, Api, ResetTotp),
    route!(Post "/api/tokens", ManageTokens, Nation, Api, AddToken),
];

/// The function behind a route.
fn endpoint<S: Store>(handler: Handler, method: MethodFilter) -> MethodRouter<AppState<S>> {
    use crate::{admin, dedup, field, field_pages, flights, pages, screens, sitrep};
    let upload_limit = axum::extract::DefaultBodyLimit::max(crate::import::MAX_UPLOAD_BYTES);
    match handler {
        Handler::Index => on(method, index),
        Handler::Health => on(method, healthz::<S>),
        Handler::LoginForm => on(method, pages::login_form),
        Handler::Login => on(method, pages::login::<S>),
        Handler::SecondFactorForm => on(method, pages::second_factor_form),
        Handler::SecondFactor => on(method, pages::second_factor::<S>),
        Handler::Logout => on(method, pages::logout::<S>),
        Handler::SetupForm => on(method, pages::setup_form::<S>),
        Handler::Setup => on(method, pages::setup::<S>),
        Handler::Dashboard => on(method, screens::dashboard::<S>),
        Handler::DashboardApi => on(method, screens::dashboard_api::<S>),
        Handler::SearchPage => on(method, screens::search_page::<S>),
        Handler::SearchApi => on(method, screens::search_api::<S>),
        Handler::CasePage => on(method, screens::case_page::<S>),
        Handler::PersonPage => on(method, screens::person_page::<S>),
        Handler::ScreeningPage => on(method, screens::screening_page::<S>),
        Handler::DecidePage => on(method, screens::decide_page::<S>),
        Handler::DedupPage => on(method, dedup::dedup_page::<S>),
        Handler::DecidePairPage => on(method, dedup::decide_page::<S>),
        Handler::AuditPage => on(method, screens::audit_page::<S>),
        Handler::UsersPage => on(method, screens::users_page::<S>),
        Handler::AddUserPage => on(method, screens::add_user_page::<S>),
        Handler::UserActionPage => on(method, screens::user_action_page::<S>),
        Handler::ImportForm => on(method, screens::import_form),
        // Uploads are read whole: the body limit keeps a large file from filling memory.
        Handler::ImportPage => on(method, screens::import_upload_page::<S>).layer(upload_limit),
        Handler::ImportApi => on(method, screens::import_api::<S>).layer(upload_limit),
        Handler::Language => on(method, screens::switch_language),
        Handler::OpenApi => on(method, openapi_document),
        Handler::Metrics => on(method, metrics::<S>),
        Handler::EnrolForm => on(method, pages::enrol_form),
        Handler::Enrol => on(method, pages::enrol::<S>),
        Handler::Me => on(method, admin::me),
        Handler::ListNations => on(method, list_nations::<S>),
        Handler::AddNation => on(method, admin::add_nation::<S>),
        Handler::ListOrganisations => on(method, list_organisations::<S>),
        Handler::SearchPersons => on(method, search_persons::<S>),
        Handler::AddPerson => on(method, add_person::<S>),
        Handler::GetPerson => on(method, get_person::<S>),
        Handler::UpdatePerson => on(method, update_person::<S>),
        Handler::PersonHistory => on(method, person_history::<S>),
        Handler::SetPersonStatus => on(method, set_person_status::<S>),
        Handler::ListCases => on(method, list_cases::<S>),
        Handler::AddCase => on(method, add_case::<S>),
        Handler::GetCase => on(method, get_case::<S>),
        Handler::SetCaseStatus => on(method, set_case_status::<S>),
        Handler::SetEligibility => on(method, set_eligibility::<S>),
        Handler::Totals => on(method, totals::<S>),
        Handler::ScreeningHits => on(method, screening_hits::<S>),
        Handler::DecideHit => on(method, decide_hit::<S>),
        Handler::DedupPairs => on(method, dedup::pairs_api::<S>),
        Handler::DecidePair => on(method, dedup::decide_api::<S>),
        Handler::Audit => on(method, audit::<S>),
        Handler::CallForward => on(method, field::call_forward::<S>),
        Handler::RevokePass => on(method, field::revoke_pass::<S>),
        Handler::GateExpected => on(method, field::gate_expected::<S>),
        Handler::CheckIn => on(method, field::check_in::<S>),
        Handler::GateSync => on(method, field::sync::<S>),
        Handler::GateFlags => on(method, field::gate_flags::<S>),
        Handler::ClearGateFlag => on(method, field::clear_flag::<S>),
        Handler::Live => on(method, field::live::<S>),
        Handler::LiveStream => on(method, field::live_stream::<S>),
        Handler::SitrepCsv => on(method, sitrep::sitrep_csv::<S>),
        Handler::SitrepPdf => on(method, sitrep::sitrep_pdf::<S>),
        Handler::FlightsPage => on(method, flights::flights_page::<S>),
        Handler::FlightsApi => on(method, flights::flights_api::<S>),
        Handler::FlightPage => on(method, flights::flight_page::<S>),
        Handler::FlightApi => on(method, flights::flight_api::<S>),
        Handler::PlanPage => on(method, flights::plan_page::<S>),
        Handler::PlanApi => on(method, flights::plan_api::<S>),
        Handler::ManifestPdf => on(method, flights::manifest_pdf::<S>),
        Handler::ManifestCsv => on(method, flights::manifest_csv::<S>),
        Handler::GatePage => on(method, field_pages::gate_page),
        Handler::FlagsPage => on(method, field_pages::flags_page::<S>),
        Handler::ClearFlagPage => on(method, field_pages::clear_flag_page::<S>),
        Handler::LivePage => on(method, field_pages::live_page::<S>),
        Handler::PassPage => on(method, field_pages::pass_page),
        Handler::GateScript => on(method, field_pages::gate_script),
        Handler::LiveScript => on(method, field_pages::live_script),
        Handler::GateWorker => on(method, field_pages::gate_worker),
        Handler::ListUsers => on(method, admin::list_users::<S>),
        Handler::AddUser => on(method, admin::add_user::<S>),
        Handler::DisableUser => on(method, admin::disable_user::<S>),
        Handler::EnableUser => on(method, admin::enable_user::<S>),
        Handler::UnlockUser => on(method, admin::unlock_user::<S>),
        Handler::ResetTotp => on(method, admin::reset_totp::<S>),
        Handler::AddToken => on(method, admin::add_token::<S>),
    }
}

/// Builds the application's routes over a store: every route of [`ROUTES`], each behind the
/// guard that checks its permission.
pub fn router<S: Store>(state: AppState<S>) -> Router {
    let mut router = Router::new();
    for spec in ROUTES {
        let guarded = endpoint::<S>(spec.handler, spec.method.filter()).layer(
            axum::middleware::from_fn_with_state(
                state.clone(),
                move |State(state): State<AppState<S>>, request, next| async move {
                    let started = std::time::Instant::now();
                    let metrics = state.metrics.clone();
                    let response = auth::guard(state, spec, request, next).await;
                    metrics.record(
                        spec.method.as_str(),
                        spec.path,
                        response.status().as_u16(),
                        started.elapsed(),
                    );
                    response
                },
            ),
        );
        router = router.route(spec.path, guarded);
    }
    router.with_state(state)
}

pub(crate) fn body<T>(payload: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    payload
        .map(|Json(value)| value)
        .map_err(|rejection| ApiError::bad_request(rejection.body_text()))
}

pub(crate) fn query<T>(params: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    params
        .map(|Query(value)| value)
        .map_err(|rejection| ApiError::bad_request(rejection.body_text()))
}

pub(crate) fn body_bytes(
    bytes: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<axum::body::Bytes, ApiError> {
    bytes.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                format!(
                    "the file is larger than {} MB: import it with `airbridge import` on the server",
                    crate::import::MAX_UPLOAD_BYTES / (1024 * 1024)
                ),
            )
        } else {
            ApiError::bad_request(rejection.body_text())
        }
    })
}

async fn openapi_document() -> Json<Value> {
    Json(crate::openapi::document())
}

async fn metrics<S: Store>(State(state): State<AppState<S>>) -> impl IntoResponse {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    )
}

async fn index() -> Html<&'static str> {
    // The page is static and public; what it lists is guarded route by route.
    Html(include_str!("index.html"))
}

async fn healthz<S: Store>(State(state): State<AppState<S>>) -> impl IntoResponse {
    match state.store.list_nations().await {
        Ok(nations) => (
            StatusCode::OK,
            Json(
                json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION"), "nations": nations.len() }),
            ),
        ),
        Err(error) => {
            tracing::error!(error = %error, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable", "version": env!("CARGO_PKG_VERSION") })),
            )
        }
    }
}

async fn list_nations<S: Store>(
    State(state): State<AppState<S>>,
    caller: Principal,
) -> Result<Json<Value>, ApiError> {
    let nations = state.store.list_nations().await?;
    let visible: Vec<_> = nations
        .into_iter()
        .filter(|n| caller.may_act_for(n.code))
        .collect();
    Ok(Json(json!(visible)))
}

#[derive(Deserialize)]
struct NationParam {
    nation: Option<NationCode>,
}

async fn list_organisations<S: Store>(
    State(state): State<AppState<S>>,
    caller: Principal,
    params: Result<Query<NationParam>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let params = query(params)?;
    let organisations = state
        .store
        .list_organisations(caller.scope(params.nation)?)
        .await?;
    Ok(Json(json!(organisations)))
}

#[derive(Deserialize)]
struct PersonSearch {
    nation: Option<NationCode>,
    q: Option<String>,
    status: Option<String>,
    case: Option<String>,
    limit: Option<u32>,
    after: Option<String>,
}

async fn search_persons<S: Store>(
    State(state): State<AppState<S>>,
    caller: Principal,
    params: Result<Query<PersonSearch>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let params = query(params)?;
    let status = params
        .status
        .as_deref()
        .map(EvacuationStatus::parse)
        .transpose()
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let case = params
        .case
        .as_deref()
        .map(|c| c.parse::<CaseId>())
        .transpose()
        .map_err(|_| ApiError::bad_request("case must be a case id such as C12"))?;
    let after = params
        .after
        .as_deref()
        .map(|p| p.parse::<PersonId>())
        .transpose()
        .map_err(|_| ApiError::bad_request("after must be a person id such as P12"))?;
    let nation = caller.scope(params.nation)?;
    let filter = json!({
        "nation": params.nation, "q": params.q, "status": params.status,
        "case": params.case, "limit": params.limit, "after": params.after,
    });
    let people = state
        .store
        .search_persons(&PersonQuery {
            nation,
            text: params.q,
            status,
            case,
            limit: params.limit,
            after,
        })
        .await?;
    crate::reads::record_list_read(
        &state.store,
        &caller,
        nation,
        "/api/persons",
        filter,
        people.len(),
        None,
    )
    .await?;
    Ok(Json(json!(people)))
}

#[derive(Deserialize)]
struct NewPersonBody {
    nation: NationCode,
    person: Person,
}

async fn add_person<S: Store>(
    State(state): State<AppState<S>>,
    caller: Principal,
    payload: Result<Json<NewPersonBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let payload = body(payload)?;
    if !caller.may_act_for(payload.nation) {
        return Err(ApiError::forbidden(format!(
            "you cannot register people for {}",
            payload.nation
        )));
    }
    let record = state
        .store
        .add_person(&caller.actor(), payload.nation, payload.person)
        .await?;
    crate::jobs::people_changed(&state.store, &caller.actor(), &[record.id]).await;
    Ok((StatusCode::CREATED, Json(json!(record))))
}

pub(crate) fn person_id(text: &str) -> Result<PersonId, ApiError> {
    text.parse()
        .map_err(|_| ApiError::bad_request(format!("'{text}' is not a person id (P12 or 12)")))
}

pub(crate) fn case_id(text: &str) -> Result<CaseId, ApiError> {
    text.parse()
        .map_err(|_| ApiError::bad_request(format!("'{text}' is not a case id (C12 or 12)")))
}

/// Loads a person the caller may see; another nation's person is reported as missing.
pub(crate) async fn visible_person<S: Store>(
    state: &AppState<S>,
    caller: &Principal,
    id: PersonId,
) -> Result<airbridge_store::PersonRecord, ApiError> {
    match state.store.get_person(id).await? {
        Some(record) if caller.may_act_for(record.nation) => Ok(record),
        _ => Err(ApiError::not_found(format!("person {id}"))),
    }
}

pub(crate) async fn visible_case<S: Store>(
    state: &AppState<S>,
    caller: &Principal,
    id: CaseId,
) -> Result<airbridge_store::CaseRecord, ApiError> {
    match state.store.get_case(id).await? {
        Some(record)
            if caller.may_act_for(record.case.nation)
                && caller
                    .organisation()
                    .is_none_or(|own| record.case.organisation == Some(own)) =>
        {
            Ok(record)
        }
        _ => Err(ApiError::not_found(format!("case {id}"))),
    }
}

async fn get_person<S: Store>(
    State(state): State<AppState<S>>,
    caller: Principal,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let record = visible_person(&state, &caller, person_id(&id)?).await?;
    let mut answer = json!(record);
    // The records deduplication found to be the same person, as the case page shows them.
    answer["matches"] = json!(crate::screens::matches_for(&state, &caller, record.id).await?);
    Ok(Json(answer))
}

#[derive(Deserialize)]
struct UpdatePersonBody {
    person: Person,
    expected_version: Option<i64>,
}

async fn update_person<S: Store>(
    State(state): State<AppState<S>>,
    caller: Principal,
    Path(id): Path<String>,
    payload: Result<Json<UpdatePersonBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let id = person_id(&id)?;
    let payload = body(payload)?;
    visible_person(&state, &caller, id).await?;
    let record = state
        .store
        .update_person(
            &caller.actor(),
            id,
            payload.person,
            payload.expected_version,
        )
        .await?;
    crate::jobs::people_changed(&state.store, &caller.actor(), &[record.id]).await;
    Ok(Json(json!(record)))
}

async fn person_history<S: Store>(
    State(state): State<AppState<S>>,
    caller: Principal,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = person_id(&id)?;
    visible_person(&state, &caller, id).await?;
    Ok(Json(json!(state.store.status_history(id).await?)))
}

#[derive(Deserialize)]
struct StatusBody {
    to: String,
    reason: Option<String>,
    location: Option<String>,
    expected_version: Option<i64>,
}

async fn set_person_status<S: Store>(
    State(state): State<AppState<S>>,
    caller: Principal,
    Path(id): Path<String>,
    payload: Result<Json<StatusBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let id = person_id(&id)?;
    let payload = body(payload)?;
    let to =
        EvacuationStatus::parse(&payload.to).map_err(|e| ApiError::bad_request(e.to_string()))?;
    visible_person(&state, &caller, id).await?;
    let change = state
        .store
        .set_status(
            &caller.actor(),
            StatusRequest {
                person: id,
                to,
                reason: payload.reason,
                location: payload.location,
                expected_version: payload.expected_version,
            },
        )
        .await?;
    Ok(Json(json!(change)))
}

#[derive(Deserialize)]
struct CaseSearch {
    nation: Option<NationCode>,
    reference: Option<String>,
    limit: Option<u32>,
    after: Option<String>,
}

async fn list_cases<S: Store>(
    State(state): State<AppState<S>>,
    caller: Principal,
    params: Result<Query<CaseSearch>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let params = query(params)?;
    let after = params.after.as_deref().map(case_id).transpose()?;
    let nation = caller.scope(params.nation)?;
    let filter = json!({
        "nation": params.nation, "reference": params.reference,
        "limit": params.limit, "after": params.after,
    });
    let cases = state
        .store
        .list_cases(&CaseQuery {
            nation,
            reference: params.reference,
            organisation: caller.organisation(),
            limit: params.limit,
            after,
        })
        .await?;
    let people = cases.iter().map(|c| c.people.len()).sum();
    crate::reads::record_list_read(
        &state.store,
        &caller,
        nation,
        "/api/cases",
        filter,
        people,
        Some(cases.len()),
    )
    .await?;
    Ok(Json(json!(cases)))
}

async fn add_case<S: Store>(
    State(state): State<AppState<S>>,
    caller: Principal,
    payload: Result<Json<NewCase>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let mut case = body(payload)?;
    if !caller.may_act_for(case.nation) {
        return Err(ApiError::forbidden(format!(
            "you cannot register cases for {}",
            case.nation
        )));
    }
    // An NGO submits for its own organisation, whatever the body says.
    if let Some(own) = caller.organisation() {
        case.organisation = Some(own);
    }
    let ids = state.store.add_cases(&caller.actor(), vec![case]).await?;
    let record = match ids.first() {
        Some(id) => state.store.get_case(*id).await?,
        None => None,
    };
    if let Some(case) = &record {
        let members: Vec<PersonId> = case.people.iter().map(|p| p.id).collect();
        crate::jobs::people_changed(&state.store, &caller.actor(), &members).await;
    }
    Ok((StatusCode::CREATED, Json(json!(record))))
}

async fn get_case<S: Store>(
    State(state): State<AppState<S>>,
    caller: Principal,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let record = visible_case(&state, &caller, case_id(&id)?).await?;
    Ok(Json(json!(record)))
}

#[derive(Deserialize)]
struct CaseStatusBody {
    to: String,
    reason: Option<String>,
    location: Option<String>,
}

async fn set_case_status<S: Store>(
    State(state): State<AppState<S>>,
    caller: Principal,
    Path(id): Path<String>,
    payload: Result<Json<CaseStatusBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let id = case_id(&id)?;
    let payload = body(payload)?;
    let to =
        EvacuationStatus::parse(&payload.to).map_err(|e| ApiError::bad_request(e.to_string()))?;
    visible_case(&state, &caller, id).await?;
    let changes = state
        .store
        .set_case_status(&caller.actor(), id, to, payload.reason, payload.location)
        .await?;
    Ok(Json(json!(changes)))
}

#[derive(Deserialize)]
struct EligibilityBody {
    eligibility: Eligibility,
    expected_version: Option<i64>,
}

async fn set_eligibility<S: Store>(
    State(state): State<AppState<S>>,
    caller: Principal,
    Path(id): Path<String>,
    payload: Result<Json<EligibilityBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let id = case_id(&id)?;
    let payload = body(payload)?;
    visible_case(&state, &caller, id).await?;
    let record = state
        .store
        .set_eligibility(
            &caller.actor(),
            id,
            payload.eligibility,
            payload.expected_version,
        )
        .await?;
    Ok(Json(json!(record)))
}

async fn totals<S: Store>(
    State(state): State<AppState<S>>,
    caller: Principal,
) -> Result<Json<Value>, ApiError> {
    let totals: Vec<_> = state
        .store
        .totals()
        .await?
        .into_iter()
        .filter(|t| caller.may_act_for(t.nation))
        .collect();
    Ok(Json(json!(totals)))
}

/// The whole trail: the route's permission is held by system administrators only.
async fn audit<S: Store>(
    State(state): State<AppState<S>>,
    params: Result<Query<AuditFilter>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let filter = query(params)?;
    Ok(Json(json!(state.store.audit_list(&filter).await?)))
}

#[derive(Deserialize)]
struct HitSearch {
    /// open (default), confirmed, false_positive, superseded or all.
    status: Option<String>,
    nation: Option<NationCode>,
}

async fn screening_hits<S: Store>(
    State(state): State<AppState<S>>,
    caller: Principal,
    params: Result<Query<HitSearch>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let params = query(params)?;
    let status = match params.status.as_deref() {
        None => Some("open".to_owned()),
        Some("all") => None,
        Some(other) => Some(other.to_owned()),
    };
    let hits = state
        .store
        .list_hits(status, caller.scope(params.nation)?)
        .await?;
    Ok(Json(json!(hits)))
}

#[derive(Deserialize)]
struct DecisionBody {
    decision: HitDecision,
    reason: Option<String>,
}

async fn decide_hit<S: Store>(
    State(state): State<AppState<S>>,
    caller: Principal,
    Path(id): Path<String>,
    payload: Result<Json<DecisionBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let id = crate::screens::hit_id(&id)?;
    let payload = body(payload)?;
    let record =
        crate::screens::decide_visible_hit(&state, &caller, id, payload.decision, payload.reason)
            .await?;
    Ok(Json(json!(record)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table's declarations agree with each other: only public routes reach no records,
    /// pages and the API are told apart by path, and no route is declared twice.
    #[test]
    fn the_route_table_is_consistent() {
        let mut seen = std::collections::HashSet::new();
        for spec in ROUTES {
            assert!(seen.insert(spec.key()), "{} declared twice", spec.key());
            assert_eq!(
                spec.permission == Permission::Public,
                spec.scope == Scope::None,
                "{}: public routes, and only they, reach no records",
                spec.key()
            );
            let api =
                spec.path.starts_with("/api/") || ["/healthz", "/metrics"].contains(&spec.path);
            assert_eq!(spec.kind == Kind::Api, api, "{}", spec.key());
        }
    }
}
