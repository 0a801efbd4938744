//! Fuzz target: the UN consolidated list reader must never panic, whatever bytes it is given;
//! an input it cannot read is an error value, and every entry it returns has a reference.
#![no_main]

use airbridge_sanctions::read_un;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok((list, _warnings)) = read_un(data) {
        assert!(list.entries.iter().all(|entry| !entry.reference.is_empty()));
    }
});
