//! Airbridge's HTTP layer: `/healthz` and the JSON API over people, cases and status changes.
//!
//! Every `/api` route needs a bearer token (`airbridge token create`, or the one `airbridge demo`
//! prints). A token bound to a nation sees and changes only that nation's people and cases;
//! another nation's record answers 404, exactly as a missing one does, so a token cannot probe
//! what exists elsewhere. Handlers hold no logic of their own: they check access, call the store
//! and map its errors through [`ApiError`].

mod error;
mod routes;

pub use error::ApiError;
pub use routes::router;

use airbridge_store::Store;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState<S: Store> {
    pub store: S,
}
