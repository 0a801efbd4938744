//! A typed or scanned pass code (outside input at every gate): parsing never panics, what it
//! accepts reads back to itself in every written form, and a gate's action as JSON (what the
//! offline sync receives) never panics the settlement rule.
#![no_main]

use airbridge_field::{GateEvent, PassCode, resolve};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(code) = PassCode::parse(text) {
        assert_eq!(PassCode::parse(&code.to_string()).as_ref(), Ok(&code));
        assert_eq!(PassCode::parse(&code.qr_payload()).as_ref(), Ok(&code));
        assert_eq!(code.hash().len(), 64);
    }
    if let Ok(events) = serde_json::from_str::<Vec<GateEvent>>(text) {
        let settled = resolve(&events);
        assert_eq!(settled.is_some(), !events.is_empty());
        let mut reversed = events.clone();
        reversed.reverse();
        assert_eq!(resolve(&reversed), settled);
    }
});
