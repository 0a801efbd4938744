//! Keys for encrypting a SQLite database whole (SQLCipher): a raw 256-bit key given as text
//! (hex or base64), read from a key file, or stretched from a passphrase with Argon2id.
//!
//! SQLCipher is always handed a raw key (`x'…'`), so its own key derivation (PBKDF2, 256,000
//! rounds) never runs, not even once per pooled connection. A passphrase is stretched here,
//! once per open, with Argon2id and the database's salt: the first 16 bytes of every SQLCipher
//! file are a random salt, not secret, which SQLCipher writes from the key we give it and copies
//! into backups. So no side file is needed and a backup opens with the same passphrase.
//!
//! A key is never written beside the database, never printed and never logged: `Debug` shows
//! no bytes, and the bytes are wiped from memory when the key is dropped.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// Bytes in a key: 256 bits.
pub const KEY_BYTES: usize = 32;
/// Bytes of SQLCipher's per-file salt, at the start of an encrypted file.
pub const SALT_BYTES: usize = 16;

/// Argon2id's cost for a passphrase: 64 MiB, 3 passes, 1 lane (RFC 9106's second recommended
/// setting, with one lane). These are part of the file format — changing them would lock
/// every passphrase-protected database out — so a change needs a version beside the salt.
const ARGON2_MEMORY_KIB: u32 = 64 * 1024;
const ARGON2_PASSES: u32 = 3;
const ARGON2_LANES: u32 = 1;

/// What is wrong with a key, and how to fix it.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error(
        "the key is not 32 bytes written as 64 hexadecimal digits or as base64 ({0}); \
         make one with `airbridge db keygen --out FILE`"
    )]
    Malformed(&'static str),
    #[error("the key file {path} cannot be read: {reason}")]
    Unreadable { path: PathBuf, reason: String },
    #[error(
        "the key file {path} can be read by other users (mode {mode:o}); \
         restrict it with `chmod 600 {path}`"
    )]
    TooOpen { path: PathBuf, mode: u32 },
    #[error(
        "the key file {key} is in the same directory as the database {database}: whoever copies \
         the one copies the other; keep the key elsewhere (another disk, a token, your config \
         directory)"
    )]
    BesideDatabase { key: PathBuf, database: PathBuf },
    #[error("{path} already exists; a key file is never overwritten")]
    Exists { path: PathBuf },
    #[error("the key file {path} cannot be written: {reason}")]
    Unwritable { path: PathBuf, reason: String },
    #[error("the passphrase is empty")]
    EmptyPassphrase,
    #[error("no random numbers from the operating system: {0}")]
    Random(String),
    #[error("stretching the passphrase failed: {0}")]
    Stretch(String),
}

/// A 256-bit database key. Wiped from memory on drop; `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseKey(Zeroizing<[u8; KEY_BYTES]>);

impl fmt::Debug for DatabaseKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DatabaseKey(…)")
    }
}

impl DatabaseKey {
    /// A new random key from the operating system.
    pub fn generate() -> Result<DatabaseKey, KeyError> {
        let mut bytes = Zeroizing::new([0u8; KEY_BYTES]);
        getrandom::fill(bytes.as_mut()).map_err(|e| KeyError::Random(e.to_string()))?;
        Ok(DatabaseKey(bytes))
    }

    /// Reads a key written as 64 hexadecimal digits or as base64 (standard or URL-safe, with
    /// or without padding) of 32 bytes. Surrounding whitespace is ignored.
    pub fn parse(text: &str) -> Result<DatabaseKey, KeyError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(KeyError::Malformed("it is empty"));
        }
        let mut bytes = Zeroizing::new([0u8; KEY_BYTES]);
        if text.len() == 2 * KEY_BYTES && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            for (i, pair) in text.as_bytes().chunks(2).enumerate() {
                bytes[i] = (hex_value(pair[0]) << 4) | hex_value(pair[1]);
            }
            return Ok(DatabaseKey(bytes));
        }
        use base64::Engine;
        use base64::engine::general_purpose::{
            STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD,
        };
        for engine in [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD] {
            let decoded = Zeroizing::new(engine.decode(text).unwrap_or_default());
            if decoded.len() == KEY_BYTES {
                bytes.copy_from_slice(&decoded);
                return Ok(DatabaseKey(bytes));
            }
        }
        Err(KeyError::Malformed(
            "neither 64 hexadecimal digits nor base64 of 32 bytes",
        ))
    }

    /// Stretches a passphrase with Argon2id and the database's salt.
    pub fn from_passphrase(
        passphrase: &str,
        salt: &[u8; SALT_BYTES],
    ) -> Result<DatabaseKey, KeyError> {
        if passphrase.is_empty() {
            return Err(KeyError::EmptyPassphrase);
        }
        let params = argon2::Params::new(
            ARGON2_MEMORY_KIB,
            ARGON2_PASSES,
            ARGON2_LANES,
            Some(KEY_BYTES),
        )
        .map_err(|e| KeyError::Stretch(e.to_string()))?;
        let argon =
            argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let mut bytes = Zeroizing::new([0u8; KEY_BYTES]);
        argon
            .hash_password_into(passphrase.as_bytes(), salt, bytes.as_mut())
            .map_err(|e| KeyError::Stretch(e.to_string()))?;
        Ok(DatabaseKey(bytes))
    }

    /// Reads a key file (the key as text, as `airbridge db keygen` writes it). Refused when
    /// other users can read it, or when it sits in the database's own directory.
    pub fn read_file(path: &Path, database: Option<&Path>) -> Result<DatabaseKey, KeyError> {
        let unreadable = |reason: String| KeyError::Unreadable {
            path: path.to_owned(),
            reason,
        };
        let metadata = std::fs::metadata(path).map_err(|e| unreadable(e.to_string()))?;
        if !metadata.is_file() {
            return Err(unreadable("it is not a file".to_owned()));
        }
        check_private(path, &metadata)?;
        if let Some(database) = database
            && same_directory(path, database)
        {
            return Err(KeyError::BesideDatabase {
                key: path.to_owned(),
                database: database.to_owned(),
            });
        }
        let text =
            Zeroizing::new(std::fs::read_to_string(path).map_err(|e| unreadable(e.to_string()))?);
        DatabaseKey::parse(&text).map_err(|e| unreadable(e.to_string()))
    }

    /// Writes the key to a new file only its owner can read (0600), creating its directory
    /// (0700) when missing. An existing file is never overwritten.
    pub fn write_new_file(&self, path: &Path) -> Result<(), KeyError> {
        let unwritable = |reason: String| KeyError::Unwritable {
            path: path.to_owned(),
            reason,
        };
        if let Some(directory) = path.parent().filter(|p| !p.as_os_str().is_empty())
            && !directory.exists()
        {
            create_private_directory(directory).map_err(|e| unwritable(e.to_string()))?;
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                KeyError::Exists {
                    path: path.to_owned(),
                }
            } else {
                unwritable(e.to_string())
            }
        })?;
        let mut text = self.to_hex();
        text.push('\n');
        file.write_all(text.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|e| unwritable(e.to_string()))
    }

    /// The key as 64 hexadecimal digits (for a key file; never for a log).
    fn to_hex(&self) -> Zeroizing<String> {
        let mut text = Zeroizing::new(String::with_capacity(2 * KEY_BYTES));
        for byte in self.0.iter() {
            text.push(HEX[usize::from(byte >> 4)] as char);
            text.push(HEX[usize::from(byte & 0xf)] as char);
        }
        text
    }

    /// The value of SQLCipher's `PRAGMA key` for this raw key, with the file's salt when it is
    /// given (a new passphrase-protected file must carry the salt its key was stretched with).
    pub(crate) fn sqlcipher_key(&self, salt: Option<&[u8; SALT_BYTES]>) -> Zeroizing<String> {
        let mut text = Zeroizing::new(String::with_capacity(2 * (KEY_BYTES + SALT_BYTES) + 3));
        text.push_str("x'");
        text.push_str(&self.to_hex());
        for byte in salt.into_iter().flatten() {
            text.push(HEX[usize::from(byte >> 4)] as char);
            text.push(HEX[usize::from(byte & 0xf)] as char);
        }
        text.push('\'');
        text
    }
}

/// The key file kept for a database in `keys_directory` when the operator gives no key:
/// `NAME-HASH.key`, the file's name and the start of a SHA-256 of its full path, so two
/// databases of one name in two directories never share a key file.
pub fn default_key_file(keys_directory: &Path, database: &Path) -> PathBuf {
    use sha2::{Digest, Sha256};
    let absolute = std::path::absolute(database).unwrap_or_else(|_| database.to_owned());
    // Resolve the directory's links when it exists, so two spellings of one path agree.
    let resolved = match (absolute.parent(), absolute.file_name()) {
        (Some(parent), Some(name)) => parent
            .canonicalize()
            .map(|parent| parent.join(name))
            .unwrap_or(absolute.clone()),
        _ => absolute.clone(),
    };
    let digest = Sha256::digest(resolved.as_os_str().as_encoded_bytes());
    let hash = hex::encode(&digest[..6]);
    let stem = database
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "database".to_owned());
    keys_directory.join(format!("{stem}-{hash}.key"))
}

/// A new random salt for a passphrase-protected database.
fn new_salt() -> Result<[u8; SALT_BYTES], KeyError> {
    let mut salt = [0u8; SALT_BYTES];
    getrandom::fill(&mut salt).map_err(|e| KeyError::Random(e.to_string()))?;
    Ok(salt)
}

/// How a SQLite database is opened. `Debug` shows which, never the key or the passphrase.
#[derive(Clone)]
pub enum Encryption {
    /// Encrypted whole with this key.
    Key(DatabaseKey),
    /// Encrypted whole with a key stretched from this passphrase and the file's salt.
    Passphrase(Zeroizing<String>),
    /// Not encrypted: only when the operator asked for it (`--no-encryption`), and for tests.
    Plaintext,
}

impl fmt::Debug for Encryption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Encryption::Key(_) => "Encryption::Key(…)",
            Encryption::Passphrase(_) => "Encryption::Passphrase(…)",
            Encryption::Plaintext => "Encryption::Plaintext",
        })
    }
}

impl Encryption {
    pub fn is_encrypted(&self) -> bool {
        !matches!(self, Encryption::Plaintext)
    }
}

/// What a database file is, from its first bytes: SQLite's plaintext files begin with
/// "SQLite format 3", SQLCipher's with their random salt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseFile {
    /// No file, or an empty one: a new database.
    New,
    /// A plaintext SQLite database.
    Plaintext,
    /// Anything else: an encrypted database (or not a database at all), with its salt.
    Encrypted { salt: [u8; SALT_BYTES] },
}

impl DatabaseFile {
    pub fn inspect(path: &Path) -> std::io::Result<DatabaseFile> {
        use std::io::Read;
        let mut header = Vec::with_capacity(SALT_BYTES);
        match std::fs::File::open(path) {
            Ok(file) => {
                file.take(SALT_BYTES as u64).read_to_end(&mut header)?;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(DatabaseFile::New),
            Err(e) => return Err(e),
        }
        Ok(if header.is_empty() {
            DatabaseFile::New
        } else if header == b"SQLite format 3\0" {
            DatabaseFile::Plaintext
        } else {
            let mut salt = [0u8; SALT_BYTES];
            let n = header.len().min(SALT_BYTES);
            salt[..n].copy_from_slice(&header[..n]);
            DatabaseFile::Encrypted { salt }
        })
    }
}

/// The value for SQLCipher's `PRAGMA key` (or `ATTACH … KEY`): the raw key, and for a
/// passphrase the key stretched with the file's salt (a new random salt for a new file),
/// followed by that salt so SQLCipher writes it into the file.
pub(crate) fn sqlcipher_key(
    encryption: &Encryption,
    file: &DatabaseFile,
) -> Result<Zeroizing<String>, KeyError> {
    match encryption {
        Encryption::Key(key) => Ok(key.sqlcipher_key(None)),
        Encryption::Passphrase(passphrase) => {
            let salt = match file {
                DatabaseFile::Encrypted { salt } => *salt,
                _ => new_salt()?,
            };
            let key = DatabaseKey::from_passphrase(passphrase, &salt)?;
            Ok(key.sqlcipher_key(Some(&salt)))
        }
        Encryption::Plaintext => Ok(Zeroizing::new(String::new())),
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn hex_value(digit: u8) -> u8 {
    match digit {
        b'0'..=b'9' => digit - b'0',
        b'a'..=b'f' => digit - b'a' + 10,
        _ => digit - b'A' + 10,
    }
}

#[cfg(unix)]
fn check_private(path: &Path, metadata: &std::fs::Metadata) -> Result<(), KeyError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = metadata.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(KeyError::TooOpen {
            path: path.to_owned(),
            mode,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path, _metadata: &std::fs::Metadata) -> Result<(), KeyError> {
    Ok(())
}

fn create_private_directory(directory: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(directory)
}

/// Whether two files are in the same directory (compared after resolving links).
fn same_directory(a: &Path, b: &Path) -> bool {
    let directory = |path: &Path| {
        let parent = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        parent.canonicalize().ok()
    };
    match (directory(a), directory(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: Option<u8>) {
        match (DatabaseKey::parse(text), expected) {
            (Ok(key), Some(first)) => assert_eq!(key.0[0], first, "{text}"),
            (Err(_), None) => {}
            (result, _) => panic!("{text}: {result:?}"),
        }
    }

    #[test]
    fn each_database_path_has_its_own_default_key_file() {
        let dir = tempfile::tempdir().unwrap();
        let keys = Path::new("/keys");
        let one = default_key_file(keys, &dir.path().join("airbridge.db"));
        let again = default_key_file(keys, &dir.path().join(".").join("airbridge.db"));
        let other = default_key_file(keys, &dir.path().join("sub").join("airbridge.db"));
        assert_eq!(one, again);
        assert_ne!(one, other);
        let name = one.file_name().unwrap().to_str().unwrap();
        assert!(
            name.starts_with("airbridge-") && name.ends_with(".key"),
            "{name}"
        );
        assert_eq!(one.parent(), Some(keys));
    }

    #[test]
    fn keys_are_read_as_hex_or_base64() {
        check(&"ab".repeat(32), Some(0xab));
        check(&format!("  {}\n", "AB".repeat(32)), Some(0xab));
        check("q83vASNFZ4mrze8BI0VniavN7wEjRWeJq83vASNFZ4k=", Some(0xab));
        check("q83vASNFZ4mrze8BI0VniavN7wEjRWeJq83vASNFZ4k", Some(0xab));
        check(&"ab".repeat(31), None);
        check("not a key", None);
        check("", None);
        check("q83vASNFZ4mrze8BI0VniavN7wEjRWeJq83vASNF", None);
    }

    #[test]
    fn a_key_never_shows_in_debug_output() {
        let key = DatabaseKey::parse(&"7f".repeat(32)).unwrap();
        let passphrase = Encryption::Passphrase(Zeroizing::new("sesame".to_owned()));
        let shown = format!("{key:?} {:?} {passphrase:?}", Encryption::Key(key.clone()));
        assert!(
            !shown.contains("7f") && !shown.contains("sesame"),
            "{shown}"
        );
    }

    #[test]
    fn the_sqlcipher_key_is_raw_hex_with_an_optional_salt() {
        let key = DatabaseKey::parse(&"0f".repeat(32)).unwrap();
        assert_eq!(*key.sqlcipher_key(None), format!("x'{}'", "0f".repeat(32)));
        assert_eq!(
            *key.sqlcipher_key(Some(&[0xa0; SALT_BYTES])),
            format!("x'{}{}'", "0f".repeat(32), "a0".repeat(16))
        );
    }

    #[test]
    fn a_passphrase_gives_the_same_key_with_the_same_salt_only() {
        let one = DatabaseKey::from_passphrase("correct horse", &[1; SALT_BYTES]).unwrap();
        let again = DatabaseKey::from_passphrase("correct horse", &[1; SALT_BYTES]).unwrap();
        let other_salt = DatabaseKey::from_passphrase("correct horse", &[2; SALT_BYTES]).unwrap();
        assert_eq!(one, again);
        assert_ne!(one, other_salt);
        assert!(matches!(
            DatabaseKey::from_passphrase("", &[1; SALT_BYTES]),
            Err(KeyError::EmptyPassphrase)
        ));
    }

    #[test]
    fn key_files_are_private_new_and_kept_apart_from_the_database() {
        let dir = tempfile::tempdir().unwrap();
        let keys = dir.path().join("keys");
        let file = keys.join("registry.key");
        let key = DatabaseKey::generate().unwrap();
        key.write_new_file(&file).unwrap();
        assert_eq!(DatabaseKey::read_file(&file, None).unwrap(), key);
        assert!(matches!(
            key.write_new_file(&file),
            Err(KeyError::Exists { .. })
        ));
        let database = dir.path().join("registry.db");
        assert_eq!(DatabaseKey::read_file(&file, Some(&database)).unwrap(), key);
        let beside = keys.join("registry.db");
        assert!(matches!(
            DatabaseKey::read_file(&file, Some(&beside)),
            Err(KeyError::BesideDatabase { .. })
        ));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
            assert!(matches!(
                DatabaseKey::read_file(&file, None),
                Err(KeyError::TooOpen { .. })
            ));
        }
    }
}
