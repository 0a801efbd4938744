//! Fuzz target: the names engine must never panic, whatever bytes it is given (parsing,
//! keys, splitting a whole name), and its scores must stay in [0, 1] and be symmetric.
#![no_main]

use std::sync::OnceLock;

use airbridge_names::NameEngine;
use libfuzzer_sys::fuzz_target;

fn engine() -> &'static NameEngine {
    static ENGINE: OnceLock<NameEngine> = OnceLock::new();
    ENGINE.get_or_init(NameEngine::new)
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // Split the input in two names at the first NUL, or use it against a fixed name.
    let (a, b) = text
        .split_once('\0')
        .unwrap_or((&text, "Mohammad Hashem Ahmadzai"));
    let engine = engine();
    let _ = engine.parse(a);
    let _ = engine.keys(a);
    if let Some(parts) = engine.split(a) {
        assert!(!parts.given.trim().is_empty());
    }
    let score = engine.score(a, b);
    assert!((0.0..=1.0).contains(&score));
    let comparison = engine.compare(b, a);
    assert!((comparison.score - score).abs() < 1e-9);
});
