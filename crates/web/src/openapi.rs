//! The API's OpenAPI 3.1 description (`GET /api/openapi.json`), generated from the route table
//! so that it cannot forget a route: every API route of [`ROUTES`] is described with its
//! method, path parameters, the query parameters its summary lists (`(?q=&nation=)`; those
//! with a fixed shape, such as a flight's `page`, say it), the permission it needs
//! (`x-airbridge-permission`) and the error shape. Written by hand rather than with utoipa,
//! whose per-handler attributes and router would duplicate the table the router is built from.

use crate::policy::Permission;
use crate::routes::{Kind, ROUTES, RouteSpec};
use serde_json::{Map, Value, json};

/// A one-line summary of each API route; a route missing here fails a test.
pub(crate) fn summary(key: &str) -> Option<&'static str> {
    Some(match key {
        "GET /healthz" => "Health: the database answers",
        "GET /metrics" => "Request counts and latencies (Prometheus text format)",
        "GET /api/openapi.json" => "This description",
        "GET /api/me" => "Who the caller is: name, role and bindings",
        "GET /api/dashboard" => {
            "Totals by nation and status, and by category where cases are readable"
        }
        "GET /api/nations" => "Nations the caller may see",
        "POST /api/nations" => "Add a nation {code, name}",
        "GET /api/organisations" => "Organisations (?nation=)",
        "GET /api/persons" => {
            "People whose names contain words (?q=&nation=&status=&case=&limit=&after=)"
        }
        "GET /api/search" => "Name search with the names engine, any script (?q=&nation=)",
        "POST /api/persons" => "Register a person {nation, person}",
        "GET /api/persons/{id}" => {
            "One person, with `matches`: the records deduplication found to be the same person (another nation's counted, never named)"
        }
        "PUT /api/persons/{id}" => "Replace a person's details {person, expected_version}",
        "GET /api/persons/{id}/history" => "A person's status history",
        "POST /api/persons/{id}/status" => "Move a person to a status {to, reason, location}",
        "GET /api/cases" => "Cases (?nation=&reference=&limit=&after=)",
        "POST /api/cases" => "Register a case with its members",
        "GET /api/cases/{id}" => "One case with its members",
        "POST /api/cases/{id}/status" => "Move every member of a case {to, reason, location}",
        "PUT /api/cases/{id}/eligibility" => {
            "Set a case's eligibility {eligibility, expected_version}"
        }
        "GET /api/totals" => "People by nation and status",
        "GET /api/screening/hits" => {
            "Screening hits (?status=open|confirmed|false_positive|superseded|all&nation=)"
        }
        "POST /api/screening/hits/{id}/decision" => {
            "Decide a hit {decision: confirmed|false_positive, reason}"
        }
        "GET /api/dedup/pairs" => {
            "Pairs of records waiting for a deduplication reviewer, as the caller may see them: another nation's record is never shown (?nation=&decided=true&limit=)"
        }
        "POST /api/dedup/pairs/{a}/{b}/decision" => {
            "Decide a pair {decision: same|not_same|unsure, reason (needed for not_same), expected_version}"
        }
        "GET /api/audit" => "Audit events (?entity_type=&entity_id=&actor=&after=&limit=)",
        "POST /api/call-forward" => {
            "Call cases forward to a gate for a window {nation, gate, rendezvous, valid_from, valid_until, cases, languages}: each case's pass code, shown this once"
        }
        "POST /api/passes/{id}/revoke" => "Revoke a pass {reason, case}",
        "GET /api/gate/expected" => {
            "The cases expected at a gate, with their passes' hashes and members (?gate=&nation=)"
        }
        "POST /api/gate/check-in" => {
            "Admit, process or deny at the gate {code|code_hash|case, op_id, at_ms, action, members, reason, names, seen_versions}; a refused pass answers 404/409 with its reason"
        }
        "POST /api/gate/sync" => {
            "What a gate did offline {events: [check-in…]}: one answer per action, idempotent by op_id"
        }
        "GET /api/gate/flags" => "Flags raised at gates (?show=all&nation=)",
        "POST /api/gate/flags/{id}/clear" => "Clear a gate flag {note}",
        "GET /api/live" => {
            "Live figures: people by nation, category and status; boarding per flight"
        }
        "GET /api/live/stream" => "The live figures as Server-Sent Events, every 2 s",
        "GET /api/sitrep.csv" => {
            "The situation report as CSV: totals per nation and category, per day, flights (?nation=)"
        }
        "GET /api/sitrep.pdf" => {
            "The situation report as PDF, with a chart of evacuated per day (?nation=)"
        }
        "GET /api/flights" => {
            "Flights the caller may see, with the seats and people the plan in force puts on each"
        }
        "POST /api/flights/plan" => {
            "Plan the registry's ready pool onto the flights (a re-plan keeping who can stay) and store the plan"
        }
        "GET /api/flights/{id}" => {
            "One flight's manifest a page at a time (?page=): families, and the names and documents of the people the caller may read (others counted); `page` says which page and how many"
        }
        "GET /api/users" => "Accounts within the caller's reach (?nation=)",
        "POST /api/users" => {
            "Create an account {username, display_name, password, role, nation, organisation, gate}"
        }
        "POST /api/users/{username}/disable" => "Disable an account (ends its sessions)",
        "POST /api/users/{username}/enable" => "Enable an account",
        "POST /api/users/{username}/unlock" => "Lift an account's lockout",
        "POST /api/users/{username}/reset-totp" => "Remove an account's second factor",
        "POST /api/tokens" => "Create an API token {name, role, nation, organisation, gate}",
        "POST /api/import" => {
            "Import a list file sent as the body (?nation=&name=&organisation=); answers its row report"
        }
        _ => return None,
    })
}

/// The query parameters a summary lists, `(?q=&nation=)`, by name.
fn query_names(summary: &str) -> Vec<&str> {
    let Some((_, rest)) = summary.split_once("(?") else {
        return Vec::new();
    };
    let list = rest.split(')').next().unwrap_or_default();
    list.split('&')
        .filter_map(|pair| pair.split('=').next())
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .collect()
}

/// A query parameter as the document describes it: optional; those with a fixed shape say it.
fn query_parameter(key: &str, name: &str) -> Value {
    match (key, name) {
        ("GET /api/flights/{id}", "page") => json!({
            "name": name, "in": "query", "required": false,
            "description": "The page of the manifest, from 1 (default 1). A page holds whole families, at most 100 people unless one family is larger; a page past the last answers 404, anything but a whole number from 1 answers 422.",
            "schema": { "type": "integer", "minimum": 1, "default": 1 }
        }),
        _ => {
            json!({ "name": name, "in": "query", "required": false, "schema": { "type": "string" } })
        }
    }
}

fn operation(spec: &RouteSpec) -> Value {
    let key = spec.key();
    let mut parameters: Vec<Value> = spec
        .path
        .split('/')
        .filter_map(|piece| piece.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }))
        .collect();
    parameters.extend(
        query_names(summary(&key).unwrap_or_default())
            .into_iter()
            .map(|name| query_parameter(&key, name)),
    );
    let mut responses = Map::new();
    responses.insert("200".into(), json!({ "description": "done" }));
    if spec.permission != Permission::Public {
        responses.insert(
            "401".into(),
            json!({ "$ref": "#/components/responses/Error" }),
        );
        responses.insert(
            "403".into(),
            json!({ "$ref": "#/components/responses/Error" }),
        );
    }
    for status in ["404", "409", "422"] {
        responses.insert(
            status.into(),
            json!({ "$ref": "#/components/responses/Error" }),
        );
    }
    let mut operation = json!({
        "operationId": key.replace(['/', '{', '}', ' ', '-', '.'], "_"),
        "summary": summary(&key).unwrap_or_default(),
        "x-airbridge-permission": format!("{:?}", spec.permission),
        "parameters": parameters,
        "responses": responses,
    });
    if spec.permission == Permission::Public {
        operation["security"] = json!([]);
    }
    operation
}

/// The OpenAPI document.
pub fn document() -> Value {
    let mut paths = Map::new();
    for spec in ROUTES.iter().filter(|spec| spec.kind == Kind::Api) {
        let entry = paths
            .entry(spec.path.to_owned())
            .or_insert_with(|| json!({}));
        entry[spec.method.as_str().to_lowercase()] = operation(spec);
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Airbridge API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Allied nations coordinating a civilian evacuation. A caller bound to a nation sees only its records: another nation's record answers 404."
        },
        "security": [ { "bearer": [] } ],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": { "type": "http", "scheme": "bearer" }
            },
            "responses": {
                "Error": {
                    "description": "refused or failed",
                    "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
                }
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "properties": {
                                "code": { "type": "string", "enum": ["not_found", "invalid", "conflict", "unauthorised", "forbidden", "too_many_requests", "payload_too_large", "internal"] },
                                "message": { "type": "string" }
                            }
                        }
                    }
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_api_route_is_described_with_a_summary() {
        let document = document();
        for spec in ROUTES.iter().filter(|spec| spec.kind == Kind::Api) {
            let operation = &document["paths"][spec.path][spec.method.as_str().to_lowercase()];
            assert!(
                operation.is_object(),
                "{} is not in the document",
                spec.key()
            );
            assert!(
                summary(&spec.key()).is_some(),
                "{} has no summary in openapi.rs",
                spec.key()
            );
        }
        let described: usize = document["paths"]
            .as_object()
            .unwrap()
            .values()
            .map(|methods| methods.as_object().unwrap().len())
            .sum();
        assert_eq!(
            described,
            ROUTES.iter().filter(|spec| spec.kind == Kind::Api).count()
        );
    }

    #[test]
    fn query_parameters_are_described() {
        let document = document();
        let parameters = |path: &str, method: &str| -> Vec<(String, String)> {
            document["paths"][path][method]["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    (
                        p["name"].as_str().unwrap().to_owned(),
                        p["in"].as_str().unwrap().to_owned(),
                    )
                })
                .collect()
        };
        let named = |list: &[(&str, &str)]| -> Vec<(String, String)> {
            list.iter()
                .map(|(n, i)| ((*n).to_owned(), (*i).to_owned()))
                .collect()
        };
        assert_eq!(
            parameters("/api/flights/{id}", "get"),
            named(&[("id", "path"), ("page", "query")])
        );
        let page = &document["paths"]["/api/flights/{id}"]["get"]["parameters"][1];
        assert_eq!(page["schema"]["type"], "integer");
        assert_eq!(page["schema"]["minimum"], 1);
        assert_eq!(
            parameters("/api/screening/hits", "get"),
            named(&[("status", "query"), ("nation", "query")])
        );
        assert_eq!(
            parameters("/api/dedup/pairs", "get"),
            named(&[
                ("nation", "query"),
                ("decided", "query"),
                ("limit", "query")
            ])
        );
        assert_eq!(parameters("/api/flights", "get"), Vec::new());
    }
}
