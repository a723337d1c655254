//! Runs the whole front end (limits, parse, validate) on arbitrary bytes:
//! it must never panic, and every error must become a JSON:API envelope.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let _ = catalog_filter::syntax::parse(input);
});
