//! The one web error type: every failure becomes an HTTP status, a stable code and a message
//! meant for the caller. Internal details are logged, never sent.

use airbridge_store::{ErrorKind, StoreError};
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn unauthorised() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorised",
            "send a valid token: Authorization: Bearer <token> (see `airbridge token create`)",
        )
    }

    pub fn not_found(what: impl std::fmt::Display) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{what} does not exist"),
        )
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message)
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> ApiError {
        match error.kind() {
            ErrorKind::NotFound => {
                ApiError::new(StatusCode::NOT_FOUND, "not_found", error.to_string())
            }
            ErrorKind::Conflict => {
                ApiError::new(StatusCode::CONFLICT, "conflict", error.to_string())
            }
            ErrorKind::Invalid => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                error.to_string(),
            ),
            ErrorKind::Internal => {
                tracing::error!(error = %error, "store failure");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "the server could not complete the request; it has been logged",
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Json(json!({ "error": { "code": self.code, "message": self.message } }));
        (self.status, body).into_response()
    }
}
