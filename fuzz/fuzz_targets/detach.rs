//! Loads arbitrary bytes as a catalog snapshot and, when it loads, runs a
//! detach request (also taken from the input) through the whole server
//! sequence: nothing may panic, the status must be one the API documents,
//! and an error must leave the catalog unchanged.
#![no_main]

use catalog_filter::Limits;
use catalog_filter::catalog::Catalog;
use catalog_filter::elasticpath::detach::{self, Grant};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // "<catalog JSON>\n<request body>"; without a newline, a fixed request.
    let (catalog, body) = text
        .split_once('\n')
        .unwrap_or((text, r#"{"data":{"filter":"like(sku,*)","node_ids":["n1","h1"]}}"#));
    let mut catalog = match Catalog::from_json(catalog) {
        Ok(c) => c,
        Err(e) => {
            if let Some(errors) = e.integrity() {
                let _ = serde_json::to_string(&detach::integrity_error(errors));
            }
            return;
        }
    };
    let before = catalog.clone();
    let answer = detach::handle(&mut catalog, Some(Grant::ClientCredentials), body, &Limits::default());
    assert!(matches!(answer.status, 200 | 400 | 422), "{}", answer.status);
    if answer.status != 200 {
        assert!(catalog == before);
    }
    let _ = catalog.to_json();
});
