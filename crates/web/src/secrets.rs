//! Random secrets (session ids, CSRF tokens, setup tokens, second-factor keys) from the
//! operating system's generator.

/// `bytes` random bytes as lower-case hex. Panics only when the operating system has no
/// randomness to give, which leaves nothing safe to do.
pub fn random_hex(bytes: usize) -> String {
    hex::encode(random_bytes(bytes))
}

pub(crate) fn random_bytes(count: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; count];
    getrandom::fill(&mut bytes).expect("the operating system gives no randomness");
    bytes
}
