//! Loads arbitrary bytes as a JSON and as a TOML schema. Loading never
//! panics; an error names a position inside the input; whatever loads
//! writes back (JSON and TOML) to an equal schema, and resolving its own
//! attribute patterns and a few paths never panics.
#![no_main]

use catalog_filter::schema::{Schema, SchemaError};
use libfuzzer_sys::fuzz_target;

fn check(input: &str, loaded: Result<Schema, SchemaError>) {
    match loaded {
        Ok(schema) => {
            let json = schema.to_json();
            assert_eq!(Schema::from_json(&json).as_ref(), Ok(&schema), "{json}");
            let toml = schema.to_toml();
            assert_eq!(Schema::from_toml(&toml).as_ref(), Ok(&schema), "{toml}");
            for a in schema.attributes() {
                let _ = schema.resolve(a.pattern());
                for alias in a.aliases() {
                    let _ = schema.resolve(alias);
                }
            }
            for path in ["sku", "a.b", "extensions.book.isbn", "", ".", "x.y.z.w"] {
                let _ = schema.resolve(path);
            }
        }
        Err(SchemaError::Load { line, column, .. }) => {
            assert!(line >= 1 && column >= 1);
            assert!(line <= input.lines().count().max(1) + 1, "{line}");
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    check(input, Schema::from_json(input));
    check(input, Schema::from_toml(input));
});
