//! Field operations over HTTP: calling cases forward (their passes and messages), revoking a
//! pass, a gate's expected list, check-in at the gate (online, and the sync of what a gate did
//! offline), the flags gates raise, and the live figures (JSON and a Server-Sent Events stream).
//!
//! The check-in path is kept lean on purpose (it must hold a thousand check-ins a second): the
//! pass's lookup by hash, the caller's reach checked on that record, then one store call that
//! settles, records and audits the action. Pass codes are shown in clear once, in the answer to
//! the call-forward; the store keeps only their hashes.

use crate::auth::Principal;
use crate::routes::{body, query, visible_case};
use crate::{ApiError, AppState};
use airbridge_domain::{CaseId, NationCode, PersonId};
use airbridge_field::messages::{self, Language, Notice};
use airbridge_field::{GateAction, GateEvent, PassCode};
use airbridge_store::{
    CallForwardRequest, CheckIn, CheckInOutcome, ExpectedCase, NewMessage, NewPass, PassRecord,
    PassState, PersonRecord, Refusal, Store,
};
use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Cases one call-forward may name.
const MAX_CALLED: usize = 2_000;
/// Actions one sync may carry (a gate offline for a morning queues a few hundred).
const MAX_SYNCED: usize = 1_000;
/// Search keys kept per member in the expected list.
const MAX_SEARCH_KEYS: usize = 16;
/// How often the live stream sends the figures.
const LIVE_EVERY: Duration = Duration::from_secs(2);

// --- time ----------------------------------------------------------------------------------------

/// `seconds` since 1970 as RFC 3339 UTC (`2021-08-22T06:00:00Z`), the form pass windows use.
pub(crate) fn rfc3339(seconds: i64) -> String {
    // Days to a civil date (Howard Hinnant's algorithm).
    let days = seconds.div_euclid(86_400);
    let of_day = seconds.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        of_day / 3_600,
        of_day % 3_600 / 60,
        of_day % 60
    )
}

// --- refusals ------------------------------------------------------------------------------------

/// How a refused pass is answered: 404 for a code that names no pass (or one the caller may not
/// know of), 409 for a pass that exists but cannot admit now, 422 for a request that is wrong.
fn refusal_answer(refusal: &Refusal) -> (StatusCode, Value) {
    let status = match refusal {
        Refusal::Unknown => StatusCode::NOT_FOUND,
        Refusal::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::CONFLICT,
    };
    // `Invalid` holds a bare string, which serde cannot tag: it is written out here.
    let mut body = match refusal {
        Refusal::Invalid(_) => json!({ "refusal": "invalid" }),
        other => serde_json::to_value(other).unwrap_or_else(|_| json!({ "refusal": "refused" })),
    };
    body["message"] = json!(refusal.to_string());
    (status, body)
}

/// A code that is not a pass code at all: refused before any lookup.
fn mistyped(message: String) -> (StatusCode, Value) {
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({ "refusal": "mistyped", "message": message }),
    )
}

/// What the refusal limiter counts: refusals a guesser gets (no such pass, not a code). A real
/// pass that is expired, revoked or used does not count, so a busy gate turning away stale
/// passes is never slowed down.
fn counts_as_guess(answer: &(StatusCode, Value)) -> bool {
    matches!(
        answer.1.get("refusal").and_then(Value::as_str),
        Some("unknown" | "mistyped")
    )
}

fn limiter_key(principal: &Principal) -> String {
    principal.actor().name
}

/// The answer when a caller has had too many codes refused: wait, then try again.
fn too_many(wait: Duration) -> Response {
    let seconds = wait.as_secs() + 1;
    let mut response = (
        StatusCode::TOO_MANY_REQUESTS,
        Json(json!({
            "refusal": "rate_limited",
            "message": format!("too many unknown codes from this account: wait {seconds} s, then check the pass again"),
            "retry_after": seconds,
        })),
    )
        .into_response();
    if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

// --- call-forward --------------------------------------------------------------------------------

#[derive(Deserialize)]
pub(crate) struct CallForwardBody {
    nation: NationCode,
    gate: String,
    rendezvous: String,
    valid_from: String,
    valid_until: String,
    cases: Vec<CaseId>,
    /// Languages the messages may be written in (`fa-AF`, `ps`, `en`, `fr`); English when none.
    #[serde(default)]
    languages: Vec<String>,
}

/// A pass code from the operating system's generator.
fn new_code() -> PassCode {
    let mut entropy = [0u8; 8];
    entropy.copy_from_slice(&crate::secrets::random_bytes(8));
    PassCode::from_entropy(entropy)
}

/// The pass's link as a message carries it: absolute when the server knows its public address.
fn pass_link(state_url: Option<&str>, code: &PassCode) -> String {
    format!(
        "{}/p/{}",
        state_url.unwrap_or_default().trim_end_matches('/'),
        code.as_str()
    )
}

/// One message per member with a phone, in the member's language (the first of their
/// languages that is one of the four, Dari otherwise) when the call allows it, else in the
/// call's first language: never one message to a group, and never a name in it.
fn messages_for(
    members: &[PersonRecord],
    notice: &Notice,
    allowed: &[Language],
) -> Vec<NewMessage> {
    members
        .iter()
        .filter_map(|member| {
            let phone = member.person.phones.first()?;
            let own = Language::for_person(&member.person.languages);
            let language = if allowed.is_empty() || allowed.contains(&own) {
                own
            } else {
                allowed[0]
            };
            Some(NewMessage {
                person: Some(member.id),
                channel: "sms".into(),
                recipient: phone.to_string(),
                language: language.code().into(),
                body: messages::render(language, notice),
            })
        })
        .collect()
}

pub(crate) async fn call_forward<S: Store>(
    State(state): State<AppState<S>>,
    caller: Principal,
    payload: Result<Json<CallForwardBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let payload = body(payload)?;
    if !caller.may_act_for(payload.nation) {
        return Err(ApiError::forbidden(format!(
            "you cannot call forward {}'s cases",
            payload.nation
        )));
    }
    if payload.cases.is_empty() || payload.cases.len() > MAX_CALLED {
        return Err(ApiError::bad_request(format!(
            "name between 1 and {MAX_CALLED} cases"
        )));
    }
    if payload.gate.trim().is_empty() {
        return Err(ApiError::bad_request("name the gate"));
    }
    let allowed = payload
        .languages
        .iter()
        .map(|l| {
            Language::parse(l).ok_or_else(|| {
                ApiError::bad_request(format!(
                    "'{l}' is not a message language: fa-AF, ps, en or fr"
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let window_start = messages::parse_time(&payload.valid_from)
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let window_end = messages::parse_time(&payload.valid_until)
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    if window_end <= window_start {
        return Err(ApiError::bad_request("the window ends before it starts"));
    }
    let mut codes = HashMap::new();
    let mut passes = Vec::with_capacity(payload.cases.len());
    for &case in &payload.cases {
        let record = visible_case(&state, &caller, case).await?;
        if record.case.nation != payload.nation {
            return Err(ApiError::bad_request(format!(
                "case {case} is {}'s, not {}'s",
                record.case.nation, payload.nation
            )));
        }
        let code = new_code();
        let notice = Notice {
            gate: payload.gate.trim().to_owned(),
            rendezvous: payload.rendezvous.trim().to_owned(),
            window_start,
            window_end,
            pass_link: Some(pass_link(state.config.public_url.as_deref(), &code)),
            code: code.clone(),
        };
        passes.push(NewPass {
            case,
            code_hash: code.hash(),
            messages: messages_for(&record.people, &notice, &allowed),
        });
        codes.insert(case, code);
    }
    let result = state
        .store
        .call_forward(
            &caller.actor(),
            CallForwardRequest {
                nation: payload.nation,
                gate: payload.gate.trim().to_owned(),
                rendezvous: payload.rendezvous.trim().to_owned(),
                valid_from: payload.valid_from.clone(),
                valid_until: payload.valid_until.clone(),
                passes,
            },
        )
        .await?;
    let issued: Vec<Value> = result
        .passes
        .iter()
        .filter_map(|pass| {
            codes.get(&pass.case).map(|code| {
                json!({
                    "pass": pass,
                    "code": code.to_string(),
                    "link": pass_link(state.config.public_url.as_deref(), code),
                })
            })
        })
        .collect();
    let skipped: Vec<Value> = result
        .skipped
        .iter()
        .map(|(case, why)| json!({ "case": case, "reason": why }))
        .collect();
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "wave": result.wave,
            "passes": issued,
            "skipped": skipped,
            "messages": result.messages,
        })),
    ))
}

// --- revoking a pass -----------------------------------------------------------------------------

#[derive(Deserialize)]
pub(crate) struct RevokeBody {
    reason: String,
    /// The pass's case. Required from a caller bound to a nation: the store finds passes by
    /// case, and the case is what the caller's reach is checked on.
    case: Option<CaseId>,
}

pub(crate) async fn revoke_pass<S: Store>(
    State(state): State<AppState<S>>,
    caller: Principal,
    Path(id): Path<String>,
    payload: Result<Json<RevokeBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let id: i64 = id
        .trim()
        .parse()
        .map_err(|_| ApiError::bad_request(format!("'{id}' is not a pass id")))?;
    let payload = body(payload)?;
    if payload.reason.trim().is_empty() {
        return Err(ApiError::bad_request("say why the pass is revoked"));
    }
    match (caller.nation(), payload.case) {
        (Some(_), None) => {
            return Err(ApiError::bad_request(
                "name the pass's case: {\"reason\": …, \"case\": 12}",
            ));
        }
        (_, Some(case)) => {
            visible_case(&state, &caller, case).await?;
            let held = state.store.case_passes(case).await?;
            if !held.iter().any(|pass| pass.id == id) {
                return Err(ApiError::not_found(format!("pass {id} of case {case}")));
            }
        }
        (None, None) => {}
    }
    let record = state
        .store
        .revoke_pass(&caller.actor(), id, payload.reason.trim())
        .await?;
    Ok(Json(json!(record)))
}

// --- the gate's expected list --------------------------------------------------------------------

#[derive(Deserialize)]
pub(crate) struct GateQuery {
    gate: Option<String>,
    nation: Option<NationCode>,
}

/// The gate a request is about: a gate officer's own, or the one another caller names.
pub(crate) fn which_gate(principal: &Principal, asked: Option<&str>) -> Result<String, ApiError> {
    match (principal.access.gate(), asked.map(str::trim)) {
        (Some(own), _) => Ok(own.to_owned()),
        (None, Some(asked)) if !asked.is_empty() => Ok(asked.to_owned()),
        (None, _) => Err(ApiError::bad_request("name the gate: ?gate=Abbey%20Gate")),
    }
}

fn has_arabic_script(text: &str) -> bool {
    text.chars().any(|c| {
        matches!(c, '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' | '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}')
    })
}

/// Words a gate page can find a member by without the names engine: each name token's Latin
/// form and its spelling class's canonical form (Mohammad and Muhammad meet), and the words as
/// written (Arabic script typed on a Dari or Pashto keyboard).
fn search_keys(person: &airbridge_domain::Person) -> Vec<String> {
    let engine = crate::screens::engine();
    let mut keys: Vec<String> = Vec::new();
    let names = [
        person.name.own_name(),
        person.name.father.clone(),
        person.name.given.clone(),
        person.name.family.clone(),
    ];
    for name in names.iter().flatten() {
        for word in name.split_whitespace() {
            keys.push(word.to_lowercase());
        }
        for token in engine.parse(name).tokens {
            keys.push(token.form.to_string());
            keys.push(token.canonical.to_string());
        }
    }
    keys.retain(|k| !k.is_empty());
    keys.sort();
    keys.dedup();
    keys.truncate(MAX_SEARCH_KEYS);
    keys
}

/// A member as the gate page keeps it: what the officer checks against the documents, nothing
/// more (no phones, no addresses).
fn member_for_gate(member: &PersonRecord) -> Value {
    let name = &member.person.name;
    let own = name.own_name();
    // The Latin reading of a name written in Arabic script: the Latin parts when the record
    // has them, else the names engine's romanisation.
    let latin = own.as_deref().filter(|n| has_arabic_script(n)).map(|n| {
        let parts: Vec<&str> = [name.given.as_deref(), name.family.as_deref()]
            .into_iter()
            .flatten()
            .filter(|p| !has_arabic_script(p))
            .collect();
        if parts.is_empty() {
            crate::screens::engine().parse(n).romanised
        } else {
            parts.join(" ")
        }
    });
    json!({
        "id": member.id,
        "relation": member.relation.map(|r| r.as_str()),
        "name": own,
        "latin": latin,
        "placeholder": name.placeholder,
        "father": name.father,
        "sex": member.person.sex.as_str(),
        "birth": member.person.birth_date.as_ref().map(|d| d.to_string()),
        "documents": member.person.documents.iter().map(|d| {
            let issuer = d.issuing_country.map(|c| format!(" ({c})")).unwrap_or_default();
            // As written on the paper the officer holds.
            format!("{} {}{issuer}", d.kind.as_str(), d.as_written())
        }).collect::<Vec<_>>(),
        "status": member.status.as_str(),
        "version": member.version,
        "search": search_keys(&member.person),
    })
}

fn pass_for_gate(pass: &PassRecord) -> Value {
    json!({
        "id": pass.id,
        "case": pass.case,
        "gate": pass.gate,
        "rendezvous": pass.rendezvous,
        "valid_from": pass.valid_from,
        "valid_until": pass.valid_until,
        "state": pass.state,
        "used_gate": pass.used_gate,
        "used_at": pass.used_at,
    })
}

fn expected_for_gate(expected: &ExpectedCase) -> Value {
    json!({
        "pass": pass_for_gate(&expected.pass),
        "code_hash": expected.code_hash,
        "members": expected.members.iter().map(member_for_gate).collect::<Vec<_>>(),
    })
}

pub(crate) async fn gate_expected<S: Store>(
    State(state): State<AppState<S>>,
    caller: Principal,
    params: Result<Query<GateQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let params = query(params)?;
    let gate = which_gate(&caller, params.gate.as_deref())?;
    let nation = caller.scope(params.nation)?;
    let expected = state.store.gate_expected(&gate, nation).await?;
    let cases: Vec<Value> = expected
        .iter()
        .filter(|e| caller.may_act_for(e.pass.nation))
        .map(expected_for_gate)
        .collect();
    let people = cases
        .iter()
        .map(|c| c["members"].as_array().map_or(0, Vec::len))
        .sum();
    // A download of names kept offline: audited once per gate session and version of the
    // list, not once per sync (`reads.rs`).
    state
        .gate_taken
        .record(&state.store, &caller, &gate, nation, &cases, people)
        .await?;
    Ok(Json(json!({
        "gate": gate,
        "at": rfc3339(crate::auth::now()),
        "cases": cases,
    })))
}

// --- check-in ------------------------------------------------------------------------------------

/// One action at a gate, as the page sends it (online) or queued it (offline).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct CheckInBody {
    /// The code as typed or scanned; or `code_hash`, the page's own hash of it.
    code: Option<String>,
    code_hash: Option<String>,
    /// The case, for someone found by name who has no pass with them.
    case: Option<CaseId>,
    op_id: String,
    at_ms: i64,
    action: String,
    #[serde(default)]
    members: Vec<PersonId>,
    reason: Option<String>,
    #[serde(default)]
    offline: bool,
    #[serde(default)]
    names: Vec<(PersonId, String)>,
    #[serde(default)]
    seen_versions: Vec<(PersonId, i64)>,
    /// The gate, from callers not bound to one (an administrator at a gate).
    gate: Option<String>,
}

fn action_of(body: &CheckInBody) -> Result<GateAction, ApiError> {
    let members: Vec<i64> = body.members.iter().map(|m| m.0).collect();
    match body.action.as_str() {
        "admit" => Ok(GateAction::Admit { members }),
        "process" => Ok(GateAction::Process { members }),
        "deny" => match body.reason.as_deref().map(str::trim) {
            Some(reason) if !reason.is_empty() => Ok(GateAction::Deny {
                members,
                reason: reason.to_owned(),
            }),
            _ => Err(ApiError::bad_request("a denial needs its reason")),
        },
        other => Err(ApiError::bad_request(format!(
            "'{other}' is not a gate action: admit, process or deny"
        ))),
    }
}

fn is_code_hash(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Whether the store will surely refuse an admission on this pass at this gate, now: revoked,
/// another gate's, held by another gate, or outside its window. Only then is an action that
/// names nobody (the page telling the server of a code it refused) worth recording; otherwise
/// it would be an empty action on a good pass.
fn surely_refused(pass: &PassRecord, gate: &str, now_seconds: i64) -> bool {
    let now = messages::parse_time(&rfc3339(now_seconds)).ok();
    let within = |from: &str, until: &str| match (
        now,
        messages::parse_time(from),
        messages::parse_time(until),
    ) {
        (Some(now), Ok(from), Ok(until)) => from <= now && now <= until,
        _ => true,
    };
    pass.state == PassState::Revoked
        || !pass.gate.eq_ignore_ascii_case(gate.trim())
        || (pass.state == PassState::Used
            && pass.used_gate.as_deref().is_some_and(|used| used != gate))
        || !within(&pass.valid_from, &pass.valid_until)
}

/// Handles one action: finds the pass, keeps the caller to its own, then one store call.
/// Returns the status and body to answer with.
async fn one_check_in<S: Store>(
    state: &AppState<S>,
    caller: &Principal,
    body: CheckInBody,
    offline: bool,
) -> Result<(StatusCode, Value), ApiError> {
    let gate = which_gate(caller, body.gate.as_deref())?;
    let op_id = body.op_id.trim();
    if op_id.is_empty() || op_id.len() > 100 {
        return Err(ApiError::bad_request(
            "op_id: a random id of at most 100 characters",
        ));
    }
    let action = action_of(&body)?;
    let code_hash = match (&body.code, &body.code_hash) {
        (Some(code), _) => match PassCode::parse(code) {
            Ok(code) => Some(code.hash()),
            Err(error) => return Ok(mistyped(error.to_string())),
        },
        (None, Some(hash)) if is_code_hash(hash) => Some(hash.clone()),
        (None, Some(_)) => {
            return Err(ApiError::bad_request(
                "code_hash: the lower-case hex SHA-256 of the pass code",
            ));
        }
        (None, None) => None,
    };
    let case = match (&code_hash, body.case) {
        (Some(hash), _) => {
            match state.store.pass_by_hash(hash).await? {
                // Another nation's pass is, to this caller, no pass at all.
                Some(pass) if !caller.may_act_for(pass.nation) => {
                    return Ok(refusal_answer(&Refusal::Unknown));
                }
                Some(pass)
                    if action.members().is_empty()
                        && !(matches!(action, GateAction::Admit { .. })
                            && surely_refused(&pass, &gate, crate::auth::now())) =>
                {
                    return Err(ApiError::bad_request(
                        "tick who is present: an action names at least one member",
                    ));
                }
                Some(pass) => Some(pass.case),
                None => None,
            }
        }
        (None, Some(case)) => {
            // Someone found by name, without their pass: the case must be one called to this
            // gate (for a gate officer) and within the caller's reach.
            visible_case(state, caller, case).await?;
            if caller.access.gate().is_some() {
                let passes = state.store.case_passes(case).await?;
                if !passes.iter().any(|p| p.gate == gate) {
                    return Err(ApiError::not_found(format!("case {case} at {gate}")));
                }
            }
            Some(case)
        }
        (None, None) => {
            return Err(ApiError::bad_request(
                "give the pass's code (or code_hash), or the case found by name",
            ));
        }
    };
    let outcome = state
        .check_ins
        .check_in(
            caller.actor(),
            CheckIn {
                code_hash,
                case,
                event: GateEvent {
                    op_id: op_id.to_owned(),
                    gate,
                    at_ms: body.at_ms,
                    action,
                },
                offline,
                names: body.names,
                seen_versions: body.seen_versions,
            },
        )
        .await?;
    Ok(match outcome {
        CheckInOutcome::Refused { refusal } => refusal_answer(&refusal),
        applied @ CheckInOutcome::Applied { .. } => (StatusCode::OK, json!(applied)),
        CheckInOutcome::Duplicate => (StatusCode::OK, json!({ "outcome": "duplicate" })),
    })
}

pub(crate) async fn check_in<S: Store>(
    State(state): State<AppState<S>>,
    caller: Principal,
    payload: Result<Json<CheckInBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let payload = body(payload)?;
    let key = limiter_key(&caller);
    if let Err(wait) = state.refusal_limiter.check(&key, Instant::now()) {
        return Ok(too_many(wait));
    }
    let offline = payload.offline;
    let answer = one_check_in(&state, &caller, payload, offline).await?;
    if counts_as_guess(&answer) {
        state.refusal_limiter.try_acquire(&key, Instant::now());
    }
    Ok((answer.0, Json(answer.1)).into_response())
}

#[derive(Deserialize)]
pub(crate) struct SyncBody {
    events: Vec<CheckInBody>,
}

/// What a gate did offline, sent when it is back: one answer per action, in order. Each action
/// is recorded as offline (settled by the gate rule, never refused for a pass used elsewhere);
/// re-sending an action is harmless (its `op_id` makes it a duplicate). Actions past the
/// refusal limit are not looked at and answer 429: the page keeps them and sends them later.
pub(crate) async fn sync<S: Store>(
    State(state): State<AppState<S>>,
    caller: Principal,
    payload: Result<Json<SyncBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let payload = body(payload)?;
    if payload.events.len() > MAX_SYNCED {
        return Err(ApiError::bad_request(format!(
            "send at most {MAX_SYNCED} actions at once"
        )));
    }
    let key = limiter_key(&caller);
    let mut results = Vec::with_capacity(payload.events.len());
    for event in payload.events {
        let op_id = event.op_id.clone();
        let (status, mut answer) = match state.refusal_limiter.check(&key, Instant::now()) {
            Err(wait) => (
                StatusCode::TOO_MANY_REQUESTS,
                json!({ "refusal": "rate_limited", "retry_after": wait.as_secs() + 1,
                        "message": "too many unknown codes from this account: sent again later" }),
            ),
            Ok(()) => match one_check_in(&state, &caller, event, true).await {
                Ok(answer) => {
                    if counts_as_guess(&answer) {
                        state.refusal_limiter.try_acquire(&key, Instant::now());
                    }
                    answer
                }
                Err(error) => (
                    error.status,
                    json!({ "error": { "code": error.code, "message": error.message } }),
                ),
            },
        };
        answer["op_id"] = json!(op_id);
        answer["status"] = json!(status.as_u16());
        results.push(answer);
    }
    Ok(Json(json!({ "results": results })))
}

// --- gate flags ----------------------------------------------------------------------------------

#[derive(Deserialize)]
pub(crate) struct FlagQuery {
    nation: Option<NationCode>,
    /// `all` for cleared flags too; open ones otherwise.
    show: Option<String>,
}

/// The flags the caller may see: its nation's, and a gate officer only its gate's.
pub(crate) async fn visible_flags<S: Store>(
    state: &AppState<S>,
    caller: &Principal,
    nation: Option<NationCode>,
    open_only: bool,
) -> Result<Vec<airbridge_store::GateFlagRecord>, ApiError> {
    let flags = state
        .store
        .gate_flags(caller.scope(nation)?, open_only)
        .await?;
    Ok(flags
        .into_iter()
        .filter(|f| f.nation.is_none_or(|n| caller.may_act_for(n)))
        .filter(|f| caller.access.gate().is_none_or(|own| own == f.gate))
        .collect())
}

pub(crate) async fn gate_flags<S: Store>(
    State(state): State<AppState<S>>,
    caller: Principal,
    params: Result<Query<FlagQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let params = query(params)?;
    let open_only = params.show.as_deref() != Some("all");
    let flags = visible_flags(&state, &caller, params.nation, open_only).await?;
    Ok(Json(json!(flags)))
}

#[derive(Deserialize)]
pub(crate) struct ClearBody {
    note: String,
}

/// Clears a flag within the caller's reach (the API's and the flags page's one way).
pub(crate) async fn clear_visible_flag<S: Store>(
    state: &AppState<S>,
    caller: &Principal,
    id: i64,
    note: &str,
) -> Result<airbridge_store::GateFlagRecord, ApiError> {
    if note.trim().is_empty() {
        return Err(ApiError::bad_request("say what you found"));
    }
    let reachable = visible_flags(state, caller, None, false)
        .await?
        .iter()
        .any(|f| f.id == id);
    if !reachable {
        return Err(ApiError::not_found(format!("flag {id}")));
    }
    Ok(state
        .store
        .clear_gate_flag(&caller.actor(), id, note.trim())
        .await?)
}

pub(crate) fn flag_id(text: &str) -> Result<i64, ApiError> {
    text.trim()
        .trim_start_matches('F')
        .parse()
        .map_err(|_| ApiError::bad_request(format!("'{text}' is not a flag id")))
}

pub(crate) async fn clear_flag<S: Store>(
    State(state): State<AppState<S>>,
    caller: Principal,
    Path(id): Path<String>,
    payload: Result<Json<ClearBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let id = flag_id(&id)?;
    let payload = body(payload)?;
    let record = clear_visible_flag(&state, &caller, id, &payload.note).await?;
    Ok(Json(json!(record)))
}

// --- the live picture ----------------------------------------------------------------------------

/// The live figures last read, per nation scope, so that many open screens cost one count
/// every `LIVE_EVERY` rather than one each.
#[derive(Debug, Default)]
pub struct LiveCache {
    latest: Mutex<HashMap<Option<NationCode>, (Instant, Value)>>,
}

/// People by status, nation and category, and boarding per flight: totals only, cut to the
/// caller's nation when it is bound to one.
pub(crate) async fn live_data<S: Store>(
    state: &AppState<S>,
    caller: &Principal,
) -> Result<Value, ApiError> {
    let scope = caller.scope(None)?;
    {
        let cache = state.live.latest.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((at, value)) = cache.get(&scope)
            && at.elapsed() < LIVE_EVERY
        {
            return Ok(value.clone());
        }
    }
    let counts = state.store.live_counts(scope).await?;
    let flights = state.store.flight_counts(scope).await?;
    let value = json!({
        "at": rfc3339(crate::auth::now()),
        "counts": counts,
        "flights": flights,
    });
    state
        .live
        .latest
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(scope, (Instant::now(), value.clone()));
    Ok(value)
}

pub(crate) async fn live<S: Store>(
    State(state): State<AppState<S>>,
    caller: Principal,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(live_data(&state, &caller).await?))
}

/// The same figures every two seconds as Server-Sent Events (`event: live`). A failed read
/// sends an `error` event and the stream goes on.
pub(crate) async fn live_stream<S: Store>(
    State(state): State<AppState<S>>,
    caller: Principal,
) -> impl IntoResponse {
    let stream =
        futures_util::stream::unfold((state, caller, true), |(state, caller, first)| async move {
            if !first {
                tokio::time::sleep(LIVE_EVERY).await;
            }
            let event = match live_data(&state, &caller).await {
                Ok(value) => Event::default().event("live").data(value.to_string()),
                Err(error) => Event::default().event("error").data(error.message),
            };
            Some((
                Ok::<Event, std::convert::Infallible>(event),
                (state, caller, false),
            ))
        });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_written_as_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        // 2021-08-26 17:48 UTC, Abbey Gate.
        assert_eq!(rfc3339(1_629_999_999), "2021-08-26T17:46:39Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(-1), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn refusals_answer_with_their_status_and_reason() {
        let (status, body) = refusal_answer(&Refusal::Unknown);
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(body["refusal"], "unknown");
        assert!(body["message"].as_str().unwrap().contains("no pass"));
        let (status, body) = refusal_answer(&Refusal::AlreadyUsed {
            gate: "Abbey Gate".into(),
            at: "2021-08-22T06:10:00Z".into(),
        });
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(body["refusal"], "already_used");
        assert_eq!(body["gate"], "Abbey Gate");
        let (status, body) = refusal_answer(&Refusal::Invalid("no such member".into()));
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["message"], "no such member");
    }

    #[test]
    fn only_guesses_count_against_the_limit() {
        assert!(counts_as_guess(&refusal_answer(&Refusal::Unknown)));
        assert!(counts_as_guess(&mistyped("x".into())));
        assert!(!counts_as_guess(&refusal_answer(&Refusal::Expired {
            until: "2021-08-22T06:00:00Z".into()
        })));
        assert!(!counts_as_guess(&(
            StatusCode::OK,
            json!({ "outcome": "applied" })
        )));
    }

    #[test]
    fn search_keys_cover_both_scripts() {
        let person: airbridge_domain::Person = serde_json::from_value(json!({
            "name": { "given": "Gul", "family": "Ahmad", "full": "ګل احمد" }
        }))
        .unwrap();
        let keys = search_keys(&person);
        assert!(keys.contains(&"ګل".to_owned()), "{keys:?}");
        assert!(keys.iter().any(|k| k == "gul"), "{keys:?}");
        assert!(keys.iter().any(|k| k.starts_with("ahmad")), "{keys:?}");
        assert!(keys.len() <= MAX_SEARCH_KEYS);
    }
}
