//! The API's accounts, tokens and nations (administrators) and who-am-I. Administrators act
//! within their reach: a nation administrator sees and changes only its nation's accounts
//! (others answer 404) and gives only its nation's roles (403 otherwise).

use crate::auth::Principal;
use crate::routes::{body, query};
use crate::{ApiError, AppState, password, policy};
use airbridge_domain::{Access, NationCode, OrganisationId, Role};
use airbridge_store::{NewUser, Store, UserRecord};
use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

pub(crate) async fn me(principal: Principal) -> Json<Value> {
    Json(json!({
        "name": principal.name,
        "display_name": principal.display_name,
        "access": principal.access,
        "via": match principal.source {
            crate::Source::Session { .. } => "session",
            crate::Source::Token => "token",
        },
        "totp_enrolled": principal.totp_enrolled,
    }))
}

#[derive(Deserialize)]
pub(crate) struct NewNationBody {
    code: NationCode,
    name: String,
}

pub(crate) async fn add_nation<S: Store>(
    State(state): State<AppState<S>>,
    principal: Principal,
    payload: Result<Json<NewNationBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let payload = body(payload)?;
    state
        .store
        .add_nation(&principal.actor(), payload.code, &payload.name)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "code": payload.code, "name": payload.name.trim() })),
    ))
}

/// What an account or token is given: a role and its bindings.
#[derive(Deserialize)]
pub(crate) struct GrantBody {
    pub(crate) role: String,
    pub(crate) nation: Option<NationCode>,
    pub(crate) organisation: Option<String>,
    pub(crate) gate: Option<String>,
}

/// Checks that the caller may give this access: a role it may grant, in its own nation (a
/// nation administrator's grants default to its nation).
fn grant(principal: &Principal, grant: GrantBody) -> Result<Access, ApiError> {
    let role = Role::parse(&grant.role).map_err(|e| ApiError::bad_request(e.to_string()))?;
    if !policy::may_grant(principal.role(), role) {
        return Err(ApiError::forbidden(format!(
            "a {} cannot give the role {role}",
            principal.role()
        )));
    }
    let nation = match (principal.nation(), grant.nation) {
        (Some(own), Some(asked)) if own != asked => {
            return Err(ApiError::forbidden(format!(
                "you act for {own} and cannot give access to {asked}"
            )));
        }
        (Some(own), _) => Some(own),
        (None, asked) => asked,
    };
    let organisation = grant
        .organisation
        .as_deref()
        .map(|o| o.parse::<OrganisationId>())
        .transpose()
        .map_err(|_| ApiError::bad_request("organisation must be an id such as O3"))?;
    Access::new(role, nation, organisation, grant.gate)
        .map_err(|e| ApiError::bad_request(e.to_string()))
}

#[derive(Deserialize)]
pub(crate) struct NewUserBody {
    pub(crate) username: String,
    pub(crate) display_name: String,
    pub(crate) password: String,
    #[serde(flatten)]
    pub(crate) grant: GrantBody,
}

pub(crate) async fn add_user<S: Store>(
    State(state): State<AppState<S>>,
    principal: Principal,
    payload: Result<Json<NewUserBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let record = create_user(&state, &principal, body(payload)?).await?;
    Ok((StatusCode::CREATED, Json(json!(record))))
}

/// Creates an account within the caller's reach (the API's and the users screen's one way).
pub(crate) async fn create_user<S: Store>(
    state: &AppState<S>,
    principal: &Principal,
    payload: NewUserBody,
) -> Result<UserRecord, ApiError> {
    let access = grant(principal, payload.grant)?;
    let secret = payload.password;
    let phc = tokio::task::spawn_blocking(move || password::hash(&secret))
        .await
        .map_err(|_| ApiError::bad_request("the password could not be hashed"))?
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let record = state
        .store
        .add_user(
            &principal.actor(),
            NewUser {
                username: payload.username,
                display_name: payload.display_name,
                access,
                password_hash: phc,
            },
        )
        .await?;
    Ok(record)
}

#[derive(Deserialize)]
pub(crate) struct UserSearch {
    nation: Option<NationCode>,
}

pub(crate) async fn list_users<S: Store>(
    State(state): State<AppState<S>>,
    principal: Principal,
    params: Result<Query<UserSearch>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let params = query(params)?;
    let users = state
        .store
        .list_users(principal.scope(params.nation)?)
        .await?;
    Ok(Json(json!(users)))
}

/// An account the caller manages; another nation's account (or a cross-nation one, for a
/// nation administrator) looks missing.
pub(crate) async fn managed_user<S: Store>(
    state: &AppState<S>,
    principal: &Principal,
    username: &str,
) -> Result<UserRecord, ApiError> {
    match state.store.user_credentials(username).await? {
        Some(found)
            if principal.nation().is_none() || found.user.access.nation() == principal.nation() =>
        {
            Ok(found.user)
        }
        _ => Err(ApiError::not_found(format!("user {username}"))),
    }
}

pub(crate) async fn disable_user<S: Store>(
    State(state): State<AppState<S>>,
    principal: Principal,
    Path(username): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let user = managed_user(&state, &principal, &username).await?;
    let record = state
        .store
        .set_user_disabled(&principal.actor(), &user.username, true)
        .await?;
    Ok(Json(json!(record)))
}

pub(crate) async fn enable_user<S: Store>(
    State(state): State<AppState<S>>,
    principal: Principal,
    Path(username): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let user = managed_user(&state, &principal, &username).await?;
    let record = state
        .store
        .set_user_disabled(&principal.actor(), &user.username, false)
        .await?;
    Ok(Json(json!(record)))
}

pub(crate) async fn unlock_user<S: Store>(
    State(state): State<AppState<S>>,
    principal: Principal,
    Path(username): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let user = managed_user(&state, &principal, &username).await?;
    let record = state
        .store
        .unlock_user(&principal.actor(), &user.username)
        .await?;
    Ok(Json(json!(record)))
}

pub(crate) async fn reset_totp<S: Store>(
    State(state): State<AppState<S>>,
    principal: Principal,
    Path(username): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let user = managed_user(&state, &principal, &username).await?;
    let record = state
        .store
        .set_user_totp(&principal.actor(), &user.username, None)
        .await?;
    Ok(Json(json!(record)))
}

#[derive(Deserialize)]
pub(crate) struct NewTokenBody {
    name: String,
    #[serde(flatten)]
    grant: GrantBody,
}

pub(crate) async fn add_token<S: Store>(
    State(state): State<AppState<S>>,
    principal: Principal,
    payload: Result<Json<NewTokenBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let payload = body(payload)?;
    let access = grant(&principal, payload.grant)?;
    let secret = state
        .store
        .create_token(&principal.actor(), &payload.name, &access)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "name": payload.name.trim(), "access": access, "token": secret })),
    ))
}
