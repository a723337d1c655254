//! Parses arbitrary bytes; whatever parses must print to a canonical form
//! that parses to the same filter and prints identically. Errors must point
//! inside the input on character boundaries.
#![no_main]

use catalog_filter::syntax::parse;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    match parse(input) {
        Ok(filter) => {
            let printed = filter.to_string();
            let again = parse(&printed).expect("canonical form must parse");
            // The parser builds the normal tree, so re-parsing gives the same one.
            assert!(again.same_shape(&filter), "{input:?} -> {printed:?}");
            assert_eq!(again.conditions().count(), filter.conditions().count());
            assert_eq!(again.to_string(), printed);
        }
        Err(err) => {
            assert!(input.get(err.span().range()).is_some());
            let _ = err.render(input);
        }
    }
});
