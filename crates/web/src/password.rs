//! Passwords: the length rule, and Argon2id hashing into PHC strings (the store keeps only
//! those). Hashing is slow on purpose; callers on the async runtime run it on a blocking thread.

use argon2::{Argon2, PasswordHasher, PasswordVerifier};

/// The shortest password accepted.
pub const MIN_LENGTH: usize = 12;

/// Why a new password was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error(
        "the password is too short: use at least {MIN_LENGTH} characters (a few words work well)"
    )]
    TooShort,
    #[error("the password cannot be hashed: {0}")]
    Hashing(String),
}

/// Checks the rule for a new password: at least [`MIN_LENGTH`] characters.
pub fn check_new(password: &str) -> Result<(), PasswordError> {
    if password.chars().count() < MIN_LENGTH {
        return Err(PasswordError::TooShort);
    }
    Ok(())
}

/// Checks a new password and hashes it with Argon2id (default parameters, a random salt).
pub fn hash(password: &str) -> Result<String, PasswordError> {
    check_new(password)?;
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| PasswordError::Hashing(e.to_string()))
}

/// Whether `password` matches the PHC string. A damaged hash never matches.
pub fn verify(password: &str, phc: &str) -> bool {
    PasswordVerifier::<str>::verify_password(&Argon2::default(), password.as_bytes(), phc).is_ok()
}

/// A valid hash of a password nobody knows: checked when a login names no account, so that an
/// unknown name takes as long to refuse as a wrong password.
pub(crate) fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| {
        let secret = crate::secrets::random_hex(32);
        hash(&secret).unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_passwords_are_refused_with_the_rule() {
        assert_eq!(check_new("elevenchars"), Err(PasswordError::TooShort));
        assert!(
            PasswordError::TooShort
                .to_string()
                .contains("at least 12 characters")
        );
        assert_eq!(check_new("twelve chars"), Ok(()));
        // Characters, not bytes: a Dari passphrase of 12 letters is long enough.
        assert_eq!(check_new("کابلکابلکابل"), Ok(()));
    }

    #[test]
    fn hashes_are_argon2id_phc_strings_that_verify() {
        let phc = hash("correct horse battery").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$"), "{phc}");
        assert!(verify("correct horse battery", &phc));
        assert!(!verify("correct horse battery!", &phc));
        assert!(!verify("correct horse battery", "not a hash"));
        assert_ne!(phc, hash("correct horse battery").unwrap(), "salted");
    }
}
