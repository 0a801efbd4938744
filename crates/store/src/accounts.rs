//! The records of accounts, sessions and login attempts. The statements are in
//! `accounts_sql.rs`, shared by both backends; hashing a password or checking a second factor is
//! the caller's business (the store keeps what it is given and never sees a password).

use airbridge_domain::Access;
use serde::Serialize;

/// An account to create. `password_hash` is a PHC string (Argon2id), never a password.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub access: Access,
    pub password_hash: String,
}

/// An account as shown to administrators: no password hash, no second-factor secret.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UserRecord {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub access: Access,
    pub disabled: bool,
    pub totp_enrolled: bool,
    pub failed_logins: i64,
    /// Locked until this time (seconds since 1970-01-01 UTC), when it is in the future.
    pub locked_until: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
}

/// An account with what a login checks. Kept out of `Debug` output: it holds secrets.
#[derive(Clone)]
pub struct UserCredentials {
    pub user: UserRecord,
    pub password_hash: String,
    pub totp_secret: Option<String>,
}

impl std::fmt::Debug for UserCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserCredentials")
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

/// A session to start. Only the SHA-256 of its id is given to the store.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub id_hash: String,
    pub csrf_token: String,
    /// False while a password was accepted but the second factor is still awaited.
    pub second_factor_done: bool,
    /// Now, in seconds since 1970-01-01 UTC.
    pub now: i64,
    /// The session's absolute lifetime in seconds, however active it stays.
    pub lifetime: i64,
}

/// A live session and its account.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub user: UserRecord,
    pub csrf_token: String,
    pub second_factor_done: bool,
    pub created_at: i64,
    pub expires_at: i64,
}

/// When repeated failures lock an account, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    pub max_failures: i64,
    pub lock_seconds: i64,
}

impl Default for LockoutPolicy {
    /// Five failures in a row lock the account for fifteen minutes.
    fn default() -> LockoutPolicy {
        LockoutPolicy {
            max_failures: 5,
            lock_seconds: 15 * 60,
        }
    }
}

/// What a failed login did to the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailedLogin {
    /// No such account: nothing to count (the attempt is still audited).
    UnknownUser,
    /// Counted; the account is not locked.
    Counted { failures: i64 },
    /// This failure locked the account (or it was locked already) until then.
    Locked { until: i64 },
}

/// A failed login, as recorded.
#[derive(Debug, Clone)]
pub struct LoginAttempt<'a> {
    /// The name that was typed (cut to 64 characters before it is recorded).
    pub username: &'a str,
    /// The client's address, when known.
    pub address: Option<&'a str>,
    /// Why it failed: `password`, `second_factor`, `disabled`, `locked`.
    pub reason: &'a str,
    pub now: i64,
}

/// A user name as stored: lower case ASCII letters, digits, `.`, `_` and `-`, 2 to 64 long.
pub fn check_username(text: &str) -> crate::Result<String> {
    let name = text.trim().to_lowercase();
    let fits = (2..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if !fits {
        return Err(crate::StoreError::Invalid(format!(
            "'{}' is not a user name: use 2 to 64 letters, digits, '.', '_' or '-'",
            text.trim()
        )));
    }
    Ok(name)
}
