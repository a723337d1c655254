//! Runs the whole front end (byte limit, parse, validate) on arbitrary bytes:
//! it must never panic; every error must render with carets and become a
//! JSON:API envelope; every success must print a canonical form that
//! compiles to the same filter.
#![no_main]

use catalog_filter::compile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    match compile(input) {
        Ok(valid) => {
            let printed = valid.to_string();
            let again = compile(&printed).expect("canonical form must compile");
            assert_eq!(again.to_string(), printed);
            assert_eq!(again.conditions().len(), valid.conditions().len());
            for (a, b) in again.conditions().iter().zip(valid.conditions()) {
                assert_eq!((a.field(), a.op(), a.values()), (b.field(), b.op(), b.values()));
            }
        }
        Err(err) => {
            let _ = err.render(input);
            let envelope = catalog_filter::elasticpath::envelope::ErrorEnvelope::from(err);
            assert!(!envelope.errors.is_empty());
            let _ = serde_json::to_string(&envelope);
        }
    }
});
