//! The checks of the fuzz targets, one copy shared by `fuzz/fuzz_targets/*`
//! (which include this file with `#[path]`) and by `tests/fuzz_seeds.rs`,
//! which replays the seeds as an ordinary test. Each function panics when a
//! check fails; its return value says how far the input got.

#![allow(dead_code)]

use catalog_filter::Limits;
use catalog_filter::catalog::Catalog;
use catalog_filter::elasticpath::detach::{self, Grant};
use catalog_filter::schema::{Schema, SchemaError};
use catalog_filter::syntax;
use catalog_filter::{CompilerBuilder, compile as compile_filter};

/// Parses arbitrary bytes; whatever parses must print to a canonical form
/// that parses to the same filter and prints identically. Errors must point
/// inside the input on character boundaries. True when the input parsed.
pub fn parse(data: &[u8]) -> bool {
    let Ok(input) = std::str::from_utf8(data) else {
        return false;
    };
    match syntax::parse(input) {
        Ok(filter) => {
            let printed = filter.to_string();
            let again = syntax::parse(&printed).expect("canonical form must parse");
            // The parser builds the normal tree, so re-parsing gives the same one.
            assert!(again.same_shape(&filter), "{input:?} -> {printed:?}");
            assert_eq!(again.conditions().count(), filter.conditions().count());
            assert_eq!(again.to_string(), printed);
            true
        }
        Err(err) => {
            assert!(input.get(err.span().range()).is_some());
            let _ = err.render(input);
            false
        }
    }
}

/// Runs the whole front end (byte limit, parse, validate) on arbitrary
/// bytes: every error must render with carets and become a JSON:API
/// envelope; every success must print a canonical form that compiles to the
/// same filter, against detach_nodes and against the whole language (OR
/// groups, every operator). True when the input compiled for detach_nodes.
pub fn compile(data: &[u8]) -> bool {
    let Ok(input) = std::str::from_utf8(data) else {
        return false;
    };
    match compile_filter(input) {
        Ok(valid) => {
            let printed = valid.to_string();
            // Written lazily from the input, the canonical text is the one
            // validating the parsed tree writes at once.
            let tree = syntax::parse(input).expect("a compiled filter parses");
            let eager = catalog_filter::Compiler::new()
                .validate(&tree)
                .expect("a compiled filter validates");
            assert_eq!(eager.as_str(), printed);
            assert_eq!(eager, valid);
            let again = compile_filter(&printed).expect("canonical form must compile");
            assert_eq!(again.to_string(), printed);
            // The same tree of typed predicates, spans aside.
            assert_eq!(again.conditions().count(), valid.conditions().count());
            for (a, b) in again.conditions().zip(valid.conditions()) {
                assert_eq!((a.op(), a.predicate()), (b.op(), b.predicate()));
            }
            true
        }
        Err(err) => {
            let _ = err.render(input);
            // The whole language (OR groups, every operator) must not panic either.
            if let Ok(f) = CompilerBuilder::new()
                .schema(Schema::every_operator())
                .limits(Limits::DEFAULT)
                .build()
                .compile(input)
            {
                let again = CompilerBuilder::new()
                    .schema(Schema::every_operator())
                    .limits(Limits::DEFAULT)
                    .build()
                    .compile(&f.to_string())
                    .expect("canonical form must compile");
                assert_eq!(again.to_string(), f.to_string());
            }
            let envelope = catalog_filter::elasticpath::envelope::ErrorEnvelope::from(err);
            assert!(!envelope.errors.is_empty());
            let _ = serde_json::to_string(&envelope);
            false
        }
    }
}

/// Loads arbitrary bytes as a catalog snapshot and, when it loads, runs a
/// detach request (also taken from the input: `<catalog JSON>\n<request
/// body>`) through the whole server sequence: nothing may panic, the status
/// must be one the API documents, and an error must leave the catalog
/// unchanged. The answer's status when the catalog loaded.
pub fn detach(data: &[u8]) -> Option<u16> {
    let Ok(text) = std::str::from_utf8(data) else {
        return None;
    };
    // Without a newline, a fixed request.
    let (catalog, body) = text.split_once('\n').unwrap_or((
        text,
        r#"{"data":{"filter":"like(sku,*)","node_ids":["n1","h1"]}}"#,
    ));
    let mut catalog = match Catalog::from_json(catalog) {
        Ok(c) => c,
        Err(e) => {
            if let Some(errors) = e.integrity() {
                let _ = serde_json::to_string(&detach::integrity_error(errors));
            }
            return None;
        }
    };
    let before = catalog.clone();
    let answer = detach::handle(
        &mut catalog,
        Some(Grant::ClientCredentials),
        body,
        &Limits::default(),
    );
    assert!(
        matches!(answer.status, 200 | 400 | 422),
        "{}",
        answer.status
    );
    if answer.status != 200 {
        assert!(catalog == before);
    }
    let _ = catalog.to_json();
    Some(answer.status)
}

/// Loads arbitrary bytes as a JSON and as a TOML schema. Loading never
/// panics; an error names a position inside the input; whatever loads
/// writes back (JSON and TOML) to an equal schema, and resolving its own
/// attribute patterns and a few paths never panics.
pub fn schema(data: &[u8]) {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    check_schema(input, Schema::from_json(input));
    check_schema(input, Schema::from_toml(input));
}

fn check_schema(input: &str, loaded: Result<Schema, SchemaError>) {
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
