//! The field screens: the gate page (phone-first, works offline through its script and service
//! worker), gate flags, the live picture, and a pass's own page. The pages carry no inline
//! script: their scripts are served from `/static/` under a Content-Security-Policy that allows
//! only this site's scripts.

use crate::auth::{MaybePrincipal, Principal};
use crate::error::PageError;
use crate::field::{clear_visible_flag, flag_id, live_data, visible_flags, which_gate};
use crate::i18n::{Lang, Texts};
use crate::pages::{Nav, lang_of, nav};
use crate::policy::{self, Permission};
use crate::{ApiError, AppState};
use airbridge_field::PassCode;
use airbridge_store::Store;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// Only this site's scripts, no inline script, no plugins, no framing; styles inline (the
/// shared layout has its style sheet in the page); the camera's stream for the scanner.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                   img-src 'self' data:; media-src 'self' blob: mediastream:; connect-src 'self'; \
                   worker-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; \
                   form-action 'self'";

fn with_csp(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    response
}

fn texts(headers: &HeaderMap) -> Texts {
    Texts {
        lang: lang_of(headers),
    }
}

fn page_error(lang: Lang) -> impl Fn(ApiError) -> PageError {
    move |error| PageError::from_api(&error, lang)
}

// --- the gate page -------------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "gate.html")]
struct GatePage {
    t: Texts,
    nav: Option<Nav>,
    csrf: String,
    /// `None` for a caller bound to no gate who has not named one yet.
    gate: Option<String>,
    /// The words the page's script shows, by id (the script has no catalogue of its own).
    script_texts: Vec<(&'static str, &'static str)>,
}

#[derive(Deserialize)]
pub(crate) struct GateParams {
    gate: Option<String>,
}

pub(crate) async fn gate_page(
    principal: Principal,
    headers: HeaderMap,
    Query(params): Query<GateParams>,
) -> Response {
    let t = texts(&headers);
    let gate = which_gate(&principal, params.gate.as_deref()).ok();
    let script_texts = ["gatejs.", "status.", "relation."]
        .into_iter()
        .flat_map(|prefix| t.with_prefix(prefix))
        .collect();
    with_csp(
        GatePage {
            t,
            csrf: principal.csrf_token().unwrap_or_default().to_owned(),
            nav: nav(&principal),
            gate,
            script_texts,
        }
        .into_response(),
    )
}

// --- gate flags ----------------------------------------------------------------------------------

struct FlagView {
    id: i64,
    gate: String,
    case: String,
    flag: String,
    raised_at: String,
    cleared: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "flags.html")]
struct FlagsPage {
    t: Texts,
    nav: Option<Nav>,
    csrf: String,
    flags: Vec<FlagView>,
    may_clear: bool,
    show_all: bool,
    done: bool,
}

#[derive(Deserialize)]
pub(crate) struct FlagsParams {
    show: Option<String>,
    done: Option<String>,
}

pub(crate) async fn flags_page<S: Store>(
    State(state): State<AppState<S>>,
    principal: Principal,
    headers: HeaderMap,
    Query(params): Query<FlagsParams>,
) -> Result<Response, PageError> {
    let t = texts(&headers);
    let show_all = params.show.as_deref() == Some("all");
    let flags = visible_flags(&state, &principal, None, !show_all)
        .await
        .map_err(page_error(t.lang))?
        .into_iter()
        .map(|f| FlagView {
            id: f.id,
            gate: f.gate,
            case: f.case.map(|c| c.to_string()).unwrap_or_default(),
            flag: f.flag,
            raised_at: f.raised_at,
            cleared: f.cleared_at.map(|at| {
                format!(
                    "{at} · {} · {}",
                    f.cleared_by.unwrap_or_default(),
                    f.note.unwrap_or_default()
                )
            }),
        })
        .collect();
    Ok(with_csp(
        FlagsPage {
            t,
            csrf: principal.csrf_token().unwrap_or_default().to_owned(),
            nav: nav(&principal),
            flags,
            may_clear: policy::allows(principal.role(), Permission::ClearGateFlags),
            show_all,
            done: params.done.is_some(),
        }
        .into_response(),
    ))
}

#[derive(Deserialize)]
pub(crate) struct ClearForm {
    note: String,
}

pub(crate) async fn clear_flag_page<S: Store>(
    State(state): State<AppState<S>>,
    principal: Principal,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<ClearForm>,
) -> Result<Response, PageError> {
    let lang = lang_of(&headers);
    let id = flag_id(&id).map_err(page_error(lang))?;
    match clear_visible_flag(&state, &principal, id, &form.note).await {
        Ok(_) => Ok(Redirect::to("/gate/flags?done=1").into_response()),
        Err(error) if error.status == StatusCode::UNPROCESSABLE_ENTITY => {
            Ok(Redirect::to("/gate/flags").into_response())
        }
        Err(error) => Err(PageError::from_api(&error, lang)),
    }
}

// --- the live picture ----------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "live.html")]
struct LivePage {
    t: Texts,
    nav: Option<Nav>,
    at: String,
    nations: Vec<String>,
    /// Status → people in each nation of `nations`.
    by_status: Vec<(String, Vec<i64>)>,
    by_category: Vec<(String, i64)>,
    flights: Vec<FlightView>,
    script_texts: Vec<(&'static str, &'static str)>,
}

struct FlightView {
    flight: String,
    manifested: i64,
    boarded: i64,
    departed: i64,
    /// Boarded (or departed) out of manifested, per cent.
    percent: i64,
}

/// The live page's tables.
struct LiveTables {
    nations: Vec<String>,
    by_status: Vec<(String, Vec<i64>)>,
    by_category: Vec<(String, i64)>,
    flights: Vec<FlightView>,
}

/// Tables from the live figures' JSON (the page's first view; its script redraws them from
/// the stream in the same shape).
fn live_tables(live: &Value) -> LiveTables {
    let mut cells: BTreeMap<(String, String), i64> = BTreeMap::new();
    let mut nations = std::collections::BTreeSet::new();
    let mut categories: BTreeMap<String, i64> = BTreeMap::new();
    for count in live["counts"].as_array().into_iter().flatten() {
        let nation = count["nation"].as_str().unwrap_or_default().to_owned();
        let status = count["status"].as_str().unwrap_or_default().to_owned();
        let category = count["category"].as_str().unwrap_or_default().to_owned();
        let people = count["people"].as_i64().unwrap_or_default();
        nations.insert(nation.clone());
        *cells.entry((status, nation)).or_default() += people;
        *categories.entry(category).or_default() += people;
    }
    let nations: Vec<String> = nations.into_iter().collect();
    let by_status = airbridge_domain::EvacuationStatus::ALL
        .iter()
        .map(|s| s.as_str().to_owned())
        .filter(|s| {
            nations
                .iter()
                .any(|n| cells.contains_key(&(s.clone(), n.clone())))
        })
        .map(|s| {
            let row = nations
                .iter()
                .map(|n| cells.get(&(s.clone(), n.clone())).copied().unwrap_or(0))
                .collect();
            (s, row)
        })
        .collect();
    let flights = live["flights"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            let manifested = f["manifested"].as_i64().unwrap_or_default();
            let boarded = f["boarded"].as_i64().unwrap_or_default();
            let departed = f["departed"].as_i64().unwrap_or_default();
            FlightView {
                flight: f["flight"].as_str().unwrap_or_default().to_owned(),
                manifested,
                boarded,
                departed,
                percent: if manifested > 0 {
                    (boarded.max(departed) * 100 / manifested).min(100)
                } else {
                    0
                },
            }
        })
        .collect();
    LiveTables {
        nations,
        by_status,
        by_category: categories.into_iter().collect(),
        flights,
    }
}

pub(crate) async fn live_page<S: Store>(
    State(state): State<AppState<S>>,
    principal: Principal,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let t = texts(&headers);
    let live = live_data(&state, &principal)
        .await
        .map_err(page_error(t.lang))?;
    let LiveTables {
        nations,
        by_status,
        by_category,
        flights,
    } = live_tables(&live);
    let script_texts = ["livejs.", "status.", "category."]
        .into_iter()
        .flat_map(|prefix| t.with_prefix(prefix))
        .collect();
    Ok(with_csp(
        LivePage {
            t,
            nav: nav(&principal),
            at: live["at"].as_str().unwrap_or_default().to_owned(),
            nations,
            by_status,
            by_category,
            flights,
            script_texts,
        }
        .into_response(),
    ))
}

// --- a pass's page -------------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "pass.html")]
struct PassPage {
    t: Texts,
    nav: Option<Nav>,
    code: String,
    /// The QR code (an SVG element made from the code alone), or nothing if it failed.
    qr: String,
}

/// The code as the message's link carries it, big, to show at the gate. Nothing is looked up:
/// a code that reads as a code gets its page, whether or not it was ever issued.
pub(crate) async fn pass_page(
    MaybePrincipal(principal): MaybePrincipal,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Response {
    let t = texts(&headers);
    let Ok(code) = PassCode::parse(&code) else {
        return PageError::new(StatusCode::NOT_FOUND, "error.not_found", t.lang).into_response();
    };
    // The encoder writes a whole SVG document: the page keeps its `<svg>` element.
    let qr = match airbridge_field::qr::pass_svg(&code) {
        Ok(svg) => svg
            .find("<svg")
            .map(|at| svg[at..].to_owned())
            .unwrap_or_default(),
        Err(error) => {
            tracing::error!(error = %error, "no QR code for a pass");
            String::new()
        }
    };
    let mut response = with_csp(
        PassPage {
            t,
            nav: principal.as_ref().and_then(nav),
            code: code.to_string(),
            qr,
        }
        .into_response(),
    );
    // The page holds a pass: no cache may keep it, no referrer carries it.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

// --- scripts -------------------------------------------------------------------------------------

fn script(source: &'static str) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/javascript; charset=utf-8"),
            ),
            // Always asked again (a changed script is taken at once); the service worker keeps
            // the gate's copy for when the network is gone.
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        source,
    )
        .into_response()
}

pub(crate) async fn gate_script() -> Response {
    script(include_str!("static/gate.js"))
}

pub(crate) async fn live_script() -> Response {
    script(include_str!("static/live.js"))
}

pub(crate) async fn gate_worker() -> Response {
    script(include_str!("static/gate-sw.js"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn live_tables_sum_categories_and_flights() {
        let live = json!({
            "counts": [
                { "nation": "FR", "category": "national", "status": "at_gate", "people": 3 },
                { "nation": "FR", "category": "at_risk", "status": "at_gate", "people": 2 },
                { "nation": "DE", "category": "at_risk", "status": "boarded", "people": 4 },
            ],
            "flights": [ { "flight": "RCH871", "manifested": 8, "boarded": 6, "departed": 0 } ],
        });
        let LiveTables {
            nations,
            by_status,
            by_category,
            flights,
        } = live_tables(&live);
        assert_eq!(nations, ["DE", "FR"]);
        assert_eq!(
            by_status,
            vec![
                ("at_gate".to_owned(), vec![0, 5]),
                ("boarded".to_owned(), vec![4, 0])
            ]
        );
        assert_eq!(
            by_category,
            vec![("at_risk".to_owned(), 6), ("national".to_owned(), 3)]
        );
        assert_eq!(flights[0].percent, 75);
    }
}
