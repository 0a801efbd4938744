//! The one web error type: every failure becomes an HTTP status, a stable code and a message
//! meant for the caller. Internal details are logged, never sent.

use crate::i18n::{Lang, Texts};
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

    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn too_many_requests(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::TOO_MANY_REQUESTS, "too_many_requests", message)
    }
}

/// A failure shown to a person: a short page in their language, never internal details.
#[derive(Debug)]
pub struct PageError {
    pub status: StatusCode,
    /// The message's id in the catalogue (`i18n.rs`).
    pub message: &'static str,
    pub lang: Lang,
}

impl PageError {
    pub fn new(status: StatusCode, message: &'static str, lang: Lang) -> PageError {
        PageError {
            status,
            message,
            lang,
        }
    }

    /// The page for an API-style failure (its message is logged when it is internal).
    pub fn from_api(error: &ApiError, lang: Lang) -> PageError {
        let message = match error.status {
            StatusCode::FORBIDDEN => "error.forbidden",
            StatusCode::NOT_FOUND => "error.not_found",
            StatusCode::UNAUTHORIZED => "login.expired",
            // What the caller sent or did: never called a server failure.
            StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST => "error.invalid",
            StatusCode::CONFLICT => "error.conflict",
            StatusCode::TOO_MANY_REQUESTS => "error.too_many",
            StatusCode::PAYLOAD_TOO_LARGE => "error.too_large",
            _ => "error.internal",
        };
        PageError::new(error.status, message, lang)
    }

    pub fn internal(error: impl std::fmt::Display, lang: Lang) -> PageError {
        tracing::error!(error = %error, "page failed");
        PageError::new(StatusCode::INTERNAL_SERVER_ERROR, "error.internal", lang)
    }
}

impl From<StoreError> for PageError {
    fn from(error: StoreError) -> PageError {
        PageError::from_api(&ApiError::from(error), Lang::En)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let page = crate::pages::MessagePage {
            t: Texts { lang: self.lang },
            nav: None,
            message: self.message,
            is_error: true,
        };
        (self.status, page).into_response()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_names_what_went_wrong_and_calls_only_server_failures_internal() {
        for (status, message) in [
            (StatusCode::FORBIDDEN, "error.forbidden"),
            (StatusCode::NOT_FOUND, "error.not_found"),
            (StatusCode::UNPROCESSABLE_ENTITY, "error.invalid"),
            (StatusCode::BAD_REQUEST, "error.invalid"),
            (StatusCode::CONFLICT, "error.conflict"),
            (StatusCode::TOO_MANY_REQUESTS, "error.too_many"),
            (StatusCode::PAYLOAD_TOO_LARGE, "error.too_large"),
            (StatusCode::INTERNAL_SERVER_ERROR, "error.internal"),
        ] {
            let page = PageError::from_api(&ApiError::new(status, "x", "y"), Lang::En);
            assert_eq!((page.status, page.message), (status, message));
            assert!(Texts::has(message), "{message}");
        }
    }
}
