//! `unassign --json`: one request on a store snapshot, read from one JSON
//! document, answered with one line (the skeleton: [`super::json_mode`]).
//! The program `examples/unassign.rs` is a thin shell around
//! [`answer_document`]: it reads stdin with
//! [`read_document`](super::json_mode::read_document), so an input over
//! [`Limits::max_snapshot_bytes`] is refused after reading one byte past
//! the limit, never held whole.
//!
//! The input is
//! `{"store":{...},"category_id":N,"request":{"productIds":[...]},"scopes":[...]}`;
//! the output `{"status":200,"body":{"deleteCount":1},"store":{...}}`:
//! `body` is exactly what the API would answer (the response, or Ecwid's
//! `{"errorMessage","errorCode"}` error) and `store` the snapshot after the
//! request, written as read (compact) with only the changed `category_ids`
//! lists spliced in. A product stored with no categories, or with `[]` or
//! `null`, comes back as it was given unless the request changed it.
//!
//! Checks run in the API's order: the input itself (400), then the scope
//! (403, before the store is read, so a refusal never depends on it or
//! shows its details), then the store (500 `INVALID_STORE`, for a store of
//! the wrong shape as for one failing its integrity checks: the store is
//! the server's data, not the caller's request), then the category
//! (404), then the `request` value (400). `scopes` may be left out (no
//! scopes: 403) and so may `request` (400). Input that is not such an
//! object (over [`Limits::max_snapshot_bytes`]: 400 `LIMIT_EXCEEDED`; not
//! UTF-8, not JSON, a missing `store` or `category_id`, wrong JSON types:
//! 400 `INVALID_REQUEST_BODY`) is answered too. On every error `store` is
//! the input's `store` value unchanged (compact), or `null` when there is
//! none.

use super::json_mode::{self, Document, Refusal, echo, span_in, write_line};
use catalog_filter::Limits;
use catalog_filter::catalog::write_compact;
use catalog_filter::ecwid::{
    CategoryId, EcwidError, Store, StoreLoadError, UPDATE_CATALOG_SCOPE, UnassignPlan, authorize,
    unassign_products,
};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::io::{self, Write};
use std::ops::Range;
use std::sync::Arc;

/// Answers one input document (see the module docs), writing one line
/// without a trailing newline to `out`. Never panics, whatever the input;
/// fails only when `out` does.
pub fn answer(input: Vec<u8>, limits: &Limits, out: &mut dyn Write) -> io::Result<()> {
    answer_document(Document::Whole(input), limits, out)
}

/// [`answer`] on a document read by
/// [`read_document`](super::json_mode::read_document), which stops reading
/// just past [`Limits::max_snapshot_bytes`]: a document cut off there is
/// the same 400 `LIMIT_EXCEEDED` as a whole one over the limit
/// ([`EcwidError::TooLargeStream`], its size not being known).
pub fn answer_document(input: Document, limits: &Limits, out: &mut dyn Write) -> io::Result<()> {
    let text = match json_mode::input_text(input, limits) {
        Ok(text) => text,
        Err(Refusal::TooLarge { bytes, limit }) => {
            let error = match bytes {
                Some(bytes) => EcwidError::TooLarge { bytes, limit },
                None => EcwidError::TooLargeStream { limit },
            };
            return error_line(out, &error, None);
        }
        Err(Refusal::NotUtf8(e)) => {
            // serde's reason where it has one (where the bad bytes are).
            let reason = match serde_json::from_slice::<Members<'_>>(e.as_bytes()) {
                Err(serde) => serde.to_string(),
                Ok(_) => format!("not UTF-8: {}", e.utf8_error()),
            };
            return error_line(out, &bad_input("input", reason), None);
        }
    };
    let members: Members<'_> = match serde_json::from_str(&text) {
        Ok(members) => members,
        Err(e) => {
            let store = given_store(&text);
            return error_line(out, &bad_input("input", e.to_string()), store);
        }
    };
    let store_text = members.store.get();
    let scopes: &[&str] = if members.scopes.update_catalog {
        &[UPDATE_CATALOG_SCOPE]
    } else {
        &[]
    };
    if let Err(e) = authorize(scopes) {
        return error_line(out, &e, Some(store_text));
    }
    let range = span_in(&text, store_text).unwrap_or(0..0);
    let category_id = members.category_id;
    let body = members
        .request
        .map_or_else(|| "null".to_owned(), compact_text);
    let text = Arc::new(text);
    match run(&text, range.clone(), category_id, &body, limits) {
        Ok((plan, store)) => write_line(out, 200, &plan.response, "store", |out| {
            store.write_json(out)
        }),
        Err(e) => error_line(out, &e, text.get(range)),
    }
}

/// [`answer`] into a string.
pub fn answer_string(input: Vec<u8>, limits: &Limits) -> String {
    json_mode::to_string(|out| answer(input, limits, out))
}

/// The members of the input (the scope already checked by the caller).
#[derive(Deserialize)]
struct Members<'a> {
    #[serde(borrow)]
    store: &'a RawValue,
    category_id: CategoryId,
    #[serde(borrow, default)]
    request: Option<&'a RawValue>,
    #[serde(default)]
    scopes: Scopes,
}

/// The `scopes` member, read as a `Vec<String>` would be (the same errors)
/// but without keeping a scope: only whether [`UPDATE_CATALOG_SCOPE`] is
/// among them, so a list of any length costs no memory (issue 27 D1).
#[derive(Default)]
struct Scopes {
    update_catalog: bool,
}

impl<'de> Deserialize<'de> for Scopes {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Scopes, D::Error> {
        use serde::de::{self, SeqAccess, Visitor};
        use std::fmt;

        /// One scope: whether it is [`UPDATE_CATALOG_SCOPE`].
        struct Scope(bool);

        impl<'de> Deserialize<'de> for Scope {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Scope, D::Error> {
                struct ScopeVisitor;
                impl Visitor<'_> for ScopeVisitor {
                    type Value = Scope;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str("a string")
                    }
                    fn visit_str<E: de::Error>(self, v: &str) -> Result<Scope, E> {
                        Ok(Scope(v == UPDATE_CATALOG_SCOPE))
                    }
                }
                d.deserialize_string(ScopeVisitor)
            }
        }

        struct ScopesVisitor;
        impl<'de> Visitor<'de> for ScopesVisitor {
            type Value = Scopes;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a sequence")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Scopes, A::Error> {
                let mut update_catalog = false;
                while let Some(Scope(is)) = seq.next_element()? {
                    update_catalog |= is;
                }
                Ok(Scopes { update_catalog })
            }
        }
        d.deserialize_seq(ScopesVisitor)
    }
}

/// Loads the store at `range` of `text` (500), then unassigns
/// (category 404, body 400).
fn run(
    text: &Arc<String>,
    range: Range<usize>,
    category_id: CategoryId,
    body: &str,
    limits: &Limits,
) -> Result<(UnassignPlan, Store), EcwidError> {
    let mut store = Store::load(Arc::clone(text), range, limits).map_err(|e| match e {
        StoreLoadError::Invalid(e) => EcwidError::InvalidStore(e),
        StoreLoadError::TooLarge { bytes, limit } => EcwidError::TooLarge { bytes, limit },
        // The store is server data: a store of the wrong shape is the
        // server's 500, not the caller's 400.
        other => EcwidError::UnreadableStore {
            reason: other.to_string(),
        },
    })?;
    let plan = unassign_products(
        &mut store,
        &[UPDATE_CATALOG_SCOPE],
        category_id,
        body,
        limits,
    )?;
    Ok((plan, store))
}

/// The `store` member's text, when the input is an object that has one
/// (for echoing it on an error found before the store is read).
fn given_store(text: &str) -> Option<&str> {
    #[derive(Deserialize)]
    struct Lenient<'a> {
        #[serde(borrow, default)]
        store: Option<&'a RawValue>,
    }
    serde_json::from_str::<Lenient<'_>>(text)
        .ok()
        .and_then(|l| l.store)
        .map(RawValue::get)
}

/// A value's text without whitespace outside strings.
fn compact_text(raw: &RawValue) -> String {
    let mut out = Vec::with_capacity(raw.get().len());
    // Writing to a Vec cannot fail.
    let _ = write_compact(&mut out, raw.get());
    String::from_utf8(out).unwrap_or_default()
}

fn bad_input(what: &str, reason: String) -> EcwidError {
    EcwidError::InvalidRequestBody {
        reason: format!("{what}: {reason}"),
    }
}

/// An error line echoing `store` (its text as given, compact; `null` when
/// there is none).
fn error_line(out: &mut dyn Write, error: &EcwidError, store: Option<&str>) -> io::Result<()> {
    write_line(out, error.status(), &error.body(), "store", echo(store))
}
