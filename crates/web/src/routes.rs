//! The route table and its handlers.

use crate::{ApiError, AppState};
use airbridge_domain::{
    CaseId, Eligibility, EvacuationStatus, NationCode, NewCase, Person, PersonId,
};
use airbridge_store::{
    Actor, AuditFilter, CaseQuery, HitDecision, PersonQuery, StatusRequest, Store, TokenOwner,
};
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

/// Builds the application's routes over a store.
pub fn router<S: Store>(state: AppState<S>) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/healthz", get(healthz::<S>))
        .route("/api/nations", get(list_nations::<S>))
        .route("/api/organisations", get(list_organisations::<S>))
        .route(
            "/api/persons",
            get(search_persons::<S>).post(add_person::<S>),
        )
        .route(
            "/api/persons/{id}",
            get(get_person::<S>).put(update_person::<S>),
        )
        .route("/api/persons/{id}/history", get(person_history::<S>))
        .route("/api/persons/{id}/status", post(set_person_status::<S>))
        .route("/api/cases", get(list_cases::<S>).post(add_case::<S>))
        .route("/api/cases/{id}", get(get_case::<S>))
        .route("/api/cases/{id}/status", post(set_case_status::<S>))
        .route("/api/cases/{id}/eligibility", put(set_eligibility::<S>))
        .route("/api/totals", get(totals::<S>))
        .route("/api/screening/hits", get(screening_hits::<S>))
        .route("/api/screening/hits/{id}/decision", post(decide_hit::<S>))
        .route("/api/audit", get(audit::<S>))
        .with_state(state)
}

/// The caller behind a valid bearer token.
pub struct Caller(TokenOwner);

impl Caller {
    fn actor(&self) -> Actor {
        Actor::new(format!("token:{}", self.0.name))
    }

    fn may_act_for(&self, nation: NationCode) -> bool {
        self.0.nation.is_none_or(|own| own == nation)
    }

    /// The nation a query is limited to: the token's own, or what an operator asked for.
    fn scope(&self, asked: Option<NationCode>) -> Result<Option<NationCode>, ApiError> {
        match (self.0.nation, asked) {
            (Some(own), Some(asked)) if own != asked => Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                format!("this token acts for {own} and cannot read {asked}'s records"),
            )),
            (Some(own), _) => Ok(Some(own)),
            (None, asked) => Ok(asked),
        }
    }

    fn require_operator(&self) -> Result<(), ApiError> {
        match self.0.nation {
            None => Ok(()),
            Some(_) => Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "only an operator token (not bound to a nation) may read this",
            )),
        }
    }
}

impl<S: Store> FromRequestParts<AppState<S>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState<S>,
    ) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(ApiError::unauthorised)?;
        let secret = header
            .strip_prefix("Bearer ")
            .ok_or_else(ApiError::unauthorised)?;
        match state.store.check_api_token(secret).await? {
            Some(owner) => Ok(Caller(owner)),
            None => Err(ApiError::unauthorised()),
        }
    }
}

fn body<T>(payload: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    payload
        .map(|Json(value)| value)
        .map_err(|rejection| ApiError::bad_request(rejection.body_text()))
}

fn query<T>(params: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    params
        .map(|Query(value)| value)
        .map_err(|rejection| ApiError::bad_request(rejection.body_text()))
}

async fn index() -> Html<&'static str> {
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
    caller: Caller,
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
    caller: Caller,
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
    caller: Caller,
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
    let people = state
        .store
        .search_persons(&PersonQuery {
            nation: caller.scope(params.nation)?,
            text: params.q,
            status,
            case,
            limit: params.limit,
            after,
        })
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
    caller: Caller,
    payload: Result<Json<NewPersonBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let payload = body(payload)?;
    if !caller.may_act_for(payload.nation) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("this token cannot register people for {}", payload.nation),
        ));
    }
    let record = state
        .store
        .add_person(&caller.actor(), payload.nation, payload.person)
        .await?;
    Ok((StatusCode::CREATED, Json(json!(record))))
}

fn person_id(text: &str) -> Result<PersonId, ApiError> {
    text.parse()
        .map_err(|_| ApiError::bad_request(format!("'{text}' is not a person id (P12 or 12)")))
}

fn case_id(text: &str) -> Result<CaseId, ApiError> {
    text.parse()
        .map_err(|_| ApiError::bad_request(format!("'{text}' is not a case id (C12 or 12)")))
}

/// Loads a person the caller may see; another nation's person is reported as missing.
async fn visible_person<S: Store>(
    state: &AppState<S>,
    caller: &Caller,
    id: PersonId,
) -> Result<airbridge_store::PersonRecord, ApiError> {
    match state.store.get_person(id).await? {
        Some(record) if caller.may_act_for(record.nation) => Ok(record),
        _ => Err(ApiError::not_found(format!("person {id}"))),
    }
}

async fn visible_case<S: Store>(
    state: &AppState<S>,
    caller: &Caller,
    id: CaseId,
) -> Result<airbridge_store::CaseRecord, ApiError> {
    match state.store.get_case(id).await? {
        Some(record) if caller.may_act_for(record.case.nation) => Ok(record),
        _ => Err(ApiError::not_found(format!("case {id}"))),
    }
}

async fn get_person<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let record = visible_person(&state, &caller, person_id(&id)?).await?;
    Ok(Json(json!(record)))
}

#[derive(Deserialize)]
struct UpdatePersonBody {
    person: Person,
    expected_version: Option<i64>,
}

async fn update_person<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
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
    Ok(Json(json!(record)))
}

async fn person_history<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
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
    caller: Caller,
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
    caller: Caller,
    params: Result<Query<CaseSearch>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let params = query(params)?;
    let after = params.after.as_deref().map(case_id).transpose()?;
    let cases = state
        .store
        .list_cases(&CaseQuery {
            nation: caller.scope(params.nation)?,
            reference: params.reference,
            limit: params.limit,
            after,
        })
        .await?;
    Ok(Json(json!(cases)))
}

async fn add_case<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    payload: Result<Json<NewCase>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let case = body(payload)?;
    if !caller.may_act_for(case.nation) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("this token cannot register cases for {}", case.nation),
        ));
    }
    let ids = state.store.add_cases(&caller.actor(), vec![case]).await?;
    let record = match ids.first() {
        Some(id) => state.store.get_case(*id).await?,
        None => None,
    };
    Ok((StatusCode::CREATED, Json(json!(record))))
}

async fn get_case<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
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
    caller: Caller,
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
    caller: Caller,
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
    caller: Caller,
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

async fn audit<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    params: Result<Query<AuditFilter>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    caller.require_operator()?;
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
    caller: Caller,
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
    caller: Caller,
    Path(id): Path<String>,
    payload: Result<Json<DecisionBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let id: i64 = id
        .trim_start_matches(['H', 'h'])
        .parse()
        .map_err(|_| ApiError::bad_request(format!("'{id}' is not a hit id (H12 or 12)")))?;
    let payload = body(payload)?;
    // The hit must concern one of the caller's people; another nation's hit looks missing.
    let visible = state
        .store
        .list_hits(None, caller.scope(None)?)
        .await?
        .into_iter()
        .any(|h| h.id == id);
    if !visible {
        return Err(ApiError::not_found(format!("screening hit H{id}")));
    }
    let record = state
        .store
        .decide_hit(&caller.actor(), id, payload.decision, payload.reason)
        .await?;
    Ok(Json(json!(record)))
}
