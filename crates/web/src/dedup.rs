//! The deduplication review queue (issues 5 and 8): the pairs of records the latest run of the
//! engine could not settle, shown to a reviewer who decides whether they are one person, as a
//! page (`/dedup`, no script) and its JSON twin (`/api/dedup/pairs`).
//!
//! What a caller sees of a pair follows the store's one disclosure rule,
//! [`PairRecord::seen_by`]: a caller bound to a nation sees its own record and, for a match with
//! another nation's record, only that another nation holds the same person and how strongly —
//! no id, no name, no nation, no explanation. A cross-nation caller sees whole pairs.
//!
//! Deciding binds both records, so a caller bound to a nation decides only pairs whose records
//! are both its nation's; a pair reaching another nation's record is decided by a cross-nation
//! reviewer who sees both, and looks missing (404) to anyone else, as another nation's records
//! do everywhere.

use crate::auth::Principal;
use crate::error::PageError;
use crate::i18n::{Lang, Texts};
use crate::pages::{Nav, lang_of, nav};
use crate::policy::{self, Permission};
use crate::routes::{body, person_id, query};
use crate::{ApiError, AppState};
use airbridge_domain::{NationCode, PersonId};
use airbridge_store::{PairDecision, PairRecord, ReviewQuery, Store};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::HashMap;

/// Pairs the page shows at once (decided pairs leave the queue, so the next ones come up). A
/// pair with its ten-field explanation and its form weighs about 2.1 KB: 50 made 108 KB, over
/// the 100 KB a page may weigh; 30 make about 66 KB (`tests/screens.rs`).
const PAIRS_SHOWN: u32 = 30;
/// Pairs the API answers when no `limit` is given.
const PAIRS_BY_DEFAULT: u32 = 50;
/// Pairs the API answers at most per request.
const PAIRS_PER_REQUEST: u32 = 500;
/// A reason is at most this many characters.
const REASON_CHARS: usize = 1_000;

/// One record of a pair, as the caller may see it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct RecordView {
    pub id: PersonId,
    pub nation: NationCode,
    /// The name as the registry holds it (empty when the record was purged since the run).
    pub name: String,
}

/// One field's part in a pair's score, as the engine explained it: the field, the level of
/// agreement it found and the weight in bits (never the values compared).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FieldWeight {
    pub field: String,
    pub level: String,
    pub weight: f64,
}

/// A pair in the queue as one caller sees it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PairRow {
    /// The caller's record (for a cross-nation caller, the pair's first record).
    pub record: RecordView,
    /// The other record, when the caller may see it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other: Option<RecordView>,
    /// The other record is another nation's and is not shown: that nation holds the same
    /// person, with this probability.
    pub other_hidden: bool,
    /// The latest run's probability that both records are one person.
    pub probability: Option<f64>,
    /// `unsure` for a pair a reviewer could not settle; none while it waits.
    pub decision: Option<PairDecision>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<Vec<FieldWeight>>,
    /// The pair's version, to send back with a decision (only for pairs seen whole).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    /// Whether this caller may decide the pair.
    pub may_decide: bool,
}

impl PairRow {
    /// The probability for a person to read.
    pub fn probability_text(&self) -> String {
        self.probability
            .map_or_else(|| "—".to_owned(), |p| format!("{p:.3}"))
    }

    /// The message id of the pair's state.
    pub fn state(&self) -> &'static str {
        self.decision.map_or("waiting", PairDecision::as_str)
    }
}

impl FieldWeight {
    pub fn weight_text(&self) -> String {
        format!("{:+.2}", self.weight)
    }
}

fn field_weights(explanation: &Value) -> Vec<FieldWeight> {
    explanation["fields"]
        .as_array()
        .map(|fields| {
            fields
                .iter()
                .map(|field| FieldWeight {
                    field: field["field"].as_str().unwrap_or_default().to_owned(),
                    level: field["level"].as_str().unwrap_or_default().to_owned(),
                    weight: field["weight"].as_f64().unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Whether a caller may decide a pair: it holds the permission and sees both records (a caller
/// bound to a nation only when both are its nation's).
fn may_decide(principal: &Principal, pair: &PairRecord) -> bool {
    policy::allows(principal.role(), Permission::DecideDuplicates)
        && principal.may_act_for(pair.nation_a)
        && principal.may_act_for(pair.nation_b)
}

/// Names looked up once per request.
struct Names<'a, S: Store> {
    state: &'a AppState<S>,
    known: HashMap<PersonId, String>,
}

impl<S: Store> Names<'_, S> {
    async fn of(&mut self, id: PersonId, nation: NationCode) -> Result<RecordView, ApiError> {
        if !self.known.contains_key(&id) {
            let name = self
                .state
                .store
                .get_person(id)
                .await?
                .map(|record| record.person.name.display())
                .unwrap_or_default();
            self.known.insert(id, name);
        }
        Ok(RecordView {
            id,
            nation,
            name: self.known[&id].clone(),
        })
    }
}

/// A stored pair as the caller may see it; `None` when it reaches none of the caller's records.
async fn row_for<S: Store>(
    names: &mut Names<'_, S>,
    principal: &Principal,
    pair: &PairRecord,
) -> Result<Option<PairRow>, ApiError> {
    let decide = may_decide(principal, pair);
    let row = match principal.nation() {
        Some(nation) => {
            let Some(view) = pair.seen_by(nation) else {
                return Ok(None);
            };
            PairRow {
                record: names.of(view.person, nation).await?,
                other: match view.other {
                    Some(other) => Some(names.of(other, nation).await?),
                    None => None,
                },
                other_hidden: view.other_is_another_nation,
                probability: view.probability,
                decision: view.decision,
                explanation: view.explanation.as_ref().map(field_weights),
                version: view.other.map(|_| pair.version),
                may_decide: decide,
            }
        }
        None => PairRow {
            record: names.of(pair.a, pair.nation_a).await?,
            other: Some(names.of(pair.b, pair.nation_b).await?),
            other_hidden: false,
            probability: pair.probability,
            decision: pair.decision,
            explanation: Some(field_weights(&pair.explanation)),
            version: Some(pair.version),
            may_decide: decide,
        },
    };
    Ok(Some(row))
}

/// The pairs waiting for review (or, with `decided`, decided too) that the caller may see.
pub(crate) async fn review_rows<S: Store>(
    state: &AppState<S>,
    principal: &Principal,
    nation: Option<NationCode>,
    decided: bool,
    limit: u32,
) -> Result<Vec<PairRow>, ApiError> {
    let pairs = state
        .store
        .review_pairs(&ReviewQuery {
            nation: principal.scope(nation)?,
            decided,
            person: None,
            limit: Some(limit),
        })
        .await?;
    let mut names = Names {
        state,
        known: HashMap::new(),
    };
    let mut rows = Vec::with_capacity(pairs.len());
    for pair in &pairs {
        if let Some(row) = row_for(&mut names, principal, pair).await? {
            rows.push(row);
        }
    }
    Ok(rows)
}

/// Decides a pair the caller may decide; any other pair looks missing.
pub(crate) async fn decide_visible_pair<S: Store>(
    state: &AppState<S>,
    principal: &Principal,
    a: PersonId,
    b: PersonId,
    decision: PairDecision,
    reason: Option<String>,
    expected_version: Option<i64>,
) -> Result<PairRow, ApiError> {
    let missing = || ApiError::not_found(format!("pair {a}~{b}"));
    let Some(pair) = state.store.get_pair(a, b).await? else {
        return Err(missing());
    };
    if !may_decide(principal, &pair) {
        return Err(missing());
    }
    let decided = state
        .store
        .decide_pair(
            &principal.actor(),
            a,
            b,
            Some(decision),
            reason,
            expected_version,
        )
        .await?;
    let mut names = Names {
        state,
        known: HashMap::new(),
    };
    row_for(&mut names, principal, &decided)
        .await?
        .ok_or_else(missing)
}

// --- the page -------------------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "dedup.html")]
struct DedupPage {
    t: Texts,
    nav: Option<Nav>,
    csrf: String,
    rows: Vec<PairRow>,
    /// Whether more pairs wait than are shown.
    more: bool,
    problem: Option<String>,
    done: Option<String>,
}

async fn dedup_page_for<S: Store>(
    state: &AppState<S>,
    principal: &Principal,
    t: Texts,
) -> Result<DedupPage, ApiError> {
    let mut rows = review_rows(state, principal, None, false, PAIRS_SHOWN + 1).await?;
    let more = rows.len() > PAIRS_SHOWN as usize;
    rows.truncate(PAIRS_SHOWN as usize);
    Ok(DedupPage {
        t,
        nav: nav(principal),
        csrf: principal.csrf_token().unwrap_or_default().to_owned(),
        rows,
        more,
        problem: None,
        done: None,
    })
}

pub(crate) async fn dedup_page<S: Store>(
    State(state): State<AppState<S>>,
    principal: Principal,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let lang = lang_of(&headers);
    let page = dedup_page_for(&state, &principal, Texts { lang })
        .await
        .map_err(|error| PageError::from_api(&error, lang))?;
    Ok(page.into_response())
}

#[derive(Deserialize)]
pub(crate) struct PairForm {
    #[serde(default)]
    a: String,
    #[serde(default)]
    b: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    version: String,
}

/// A decision as a form or a body names it: `same`, `not_same`, `unsure`.
fn decision_of(text: &str) -> Option<PairDecision> {
    PairDecision::parse(text)
}

/// A form's fields read, or the message saying what is wrong with them.
struct CheckedForm {
    a: PersonId,
    b: PersonId,
    decision: PairDecision,
    reason: Option<String>,
    version: Option<i64>,
}

fn check_form(form: &PairForm) -> Result<CheckedForm, &'static str> {
    let a = person_id(form.a.trim()).map_err(|_| "dedup.bad_pair")?;
    let b = person_id(form.b.trim()).map_err(|_| "dedup.bad_pair")?;
    let version = match form.version.trim() {
        "" => None,
        text => Some(text.parse::<i64>().map_err(|_| "dedup.bad_pair")?),
    };
    let decision = decision_of(&form.decision).ok_or("dedup.choose_decision")?;
    let reason = form.reason.trim();
    if reason.chars().count() > REASON_CHARS {
        return Err("dedup.reason_too_long");
    }
    if decision == PairDecision::NotSame && reason.is_empty() {
        return Err("dedup.reason_needed");
    }
    Ok(CheckedForm {
        a,
        b,
        decision,
        reason: (!reason.is_empty()).then(|| reason.to_owned()),
        version,
    })
}

/// A refusal as the page words it, in the caller's language.
fn refusal_message(error: &ApiError, lang: Lang) -> String {
    let t = Texts { lang };
    match error.status {
        StatusCode::CONFLICT => t.get("dedup.stale").to_owned(),
        _ => error.message.clone(),
    }
}

pub(crate) async fn decide_page<S: Store>(
    State(state): State<AppState<S>>,
    principal: Principal,
    headers: HeaderMap,
    Form(form): Form<PairForm>,
) -> Result<Response, PageError> {
    let lang = lang_of(&headers);
    let t = Texts { lang };
    let outcome = match check_form(&form) {
        Err(message) => Err((StatusCode::UNPROCESSABLE_ENTITY, t.get(message).to_owned())),
        Ok(checked) => {
            match decide_visible_pair(
                &state,
                &principal,
                checked.a,
                checked.b,
                checked.decision,
                checked.reason,
                checked.version,
            )
            .await
            {
                Ok(row) => Ok(row),
                // A pair the caller cannot see is a page that does not exist; a failure of
                // the server is the plain error page.
                Err(error)
                    if matches!(
                        error.status,
                        StatusCode::NOT_FOUND | StatusCode::INTERNAL_SERVER_ERROR
                    ) =>
                {
                    return Err(PageError::from_api(&error, lang));
                }
                Err(error) => Err((error.status, refusal_message(&error, lang))),
            }
        }
    };
    let mut page = dedup_page_for(&state, &principal, t)
        .await
        .map_err(|error| PageError::from_api(&error, lang))?;
    match outcome {
        Ok(row) => {
            let other = row
                .other
                .as_ref()
                .map_or(String::new(), |other| format!(" ~ {}", other.id));
            page.done = Some(format!(
                "{}{other} — {}",
                row.record.id,
                t.of("pair", row.state())
            ));
            Ok(page.into_response())
        }
        Err((status, message)) => {
            page.problem = Some(message);
            Ok((status, page).into_response())
        }
    }
}

// --- the JSON twins -------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub(crate) struct PairSearch {
    nation: Option<NationCode>,
    /// Decided pairs too.
    #[serde(default)]
    decided: bool,
    limit: Option<u32>,
}

pub(crate) async fn pairs_api<S: Store>(
    State(state): State<AppState<S>>,
    principal: Principal,
    params: Result<Query<PairSearch>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let params = query(params)?;
    let limit = params
        .limit
        .unwrap_or(PAIRS_BY_DEFAULT)
        .clamp(1, PAIRS_PER_REQUEST);
    let rows = review_rows(&state, &principal, params.nation, params.decided, limit).await?;
    Ok(Json(json!(rows)))
}

#[derive(Deserialize)]
pub(crate) struct DecisionBody {
    decision: String,
    reason: Option<String>,
    expected_version: Option<i64>,
}

pub(crate) async fn decide_api<S: Store>(
    State(state): State<AppState<S>>,
    principal: Principal,
    Path((a, b)): Path<(String, String)>,
    payload: Result<Json<DecisionBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let (a, b) = (person_id(&a)?, person_id(&b)?);
    let payload = body(payload)?;
    let decision = decision_of(&payload.decision).ok_or_else(|| {
        ApiError::bad_request(format!(
            "'{}' is not a decision: write same, not_same or unsure",
            payload.decision
        ))
    })?;
    if payload
        .reason
        .as_deref()
        .is_some_and(|r| r.chars().count() > REASON_CHARS)
    {
        return Err(ApiError::bad_request(format!(
            "a reason is at most {REASON_CHARS} characters"
        )));
    }
    let row = decide_visible_pair(
        &state,
        &principal,
        a,
        b,
        decision,
        payload.reason,
        payload.expected_version,
    )
    .await?;
    Ok(Json(json!(row)))
}
