//! Runs the whole front end (byte limit, parse, validate) on arbitrary bytes:
//! it must never panic; every error must render with carets and become a
//! JSON:API envelope; every success must print a canonical form that
//! compiles to the same filter, against detach_nodes and against the whole
//! language (OR groups, every operator).
#![no_main]

use catalog_filter::schema::Schema;
use catalog_filter::{Limits, compile, compile_for};
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
            // The same tree of typed predicates, spans aside.
            assert_eq!(again.conditions().count(), valid.conditions().count());
            for (a, b) in again.conditions().zip(valid.conditions()) {
                assert_eq!((a.op(), a.predicate()), (b.op(), b.predicate()));
            }
        }
        Err(err) => {
            let _ = err.render(input);
            // The whole language (OR groups, every operator) must not panic either.
            if let Ok(f) = compile_for(input, &Schema::every_operator(), &Limits::DEFAULT) {
                let again = compile_for(&f.to_string(), &Schema::every_operator(), &Limits::DEFAULT)
                    .expect("canonical form must compile");
                assert_eq!(again.to_string(), f.to_string());
            }
            let envelope = catalog_filter::elasticpath::envelope::ErrorEnvelope::from(err);
            assert!(!envelope.errors.is_empty());
            let _ = serde_json::to_string(&envelope);
        }
    }
});
