//! Fuzz target: the OFAC CSV reader must never panic. The input is split at the first two 0x1E
//! bytes (ASCII record separator) into sdn.csv, alt.csv and add.csv, so one input exercises the
//! join of the three files.
#![no_main]

use airbridge_sanctions::read_ofac;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(3, |&byte| byte == 0x1e);
    let mut sdn = parts.next().unwrap_or_default();
    let mut alt = parts.next();
    let mut add = parts.next();
    if let Ok((list, _warnings)) = read_ofac(
        &mut sdn,
        alt.as_mut().map(|r| r as &mut dyn std::io::Read),
        add.as_mut().map(|r| r as &mut dyn std::io::Read),
    ) {
        assert!(list.entries.iter().all(|entry| !entry.reference.is_empty()));
    }
});
