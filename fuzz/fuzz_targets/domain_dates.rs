//! Date parsing (both calendars, any digits) never panics, and what it accepts round-trips.
#![no_main]

use airbridge_domain::PartialDate;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(date) = PartialDate::parse(text, None) {
        let again = PartialDate::parse(&date.to_string(), None);
        assert_eq!(again.ok(), Some(date));
        let (first, last) = date.gregorian_range();
        assert!(first <= last);
    }
});
