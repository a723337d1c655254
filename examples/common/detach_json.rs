//! `detach --json`: one request on a snapshot, read from one JSON document,
//! answered with one line (the skeleton: [`super::json_mode`]). The program
//! `examples/detach.rs` is a thin shell around [`answer_document`]: it reads
//! stdin with [`read_document`](super::json_mode::read_document), so an
//! input over [`Limits::max_snapshot_bytes`] is refused after reading one
//! byte past the limit, never held whole.
//!
//! The input is `{"catalog":{...},"request":{"data":{...}},"grant":...}`;
//! the output `{"status":200,"body":{...},"catalog":{...}}`: `body` is
//! exactly what the API would answer, `catalog` the snapshot after the
//! request, written as read (compact) with only the changed `node_ids`
//! lists spliced in. The optional `grant` models the caller's token:
//! `"client_credentials"` (the default when absent), `"implicit"` (403) or
//! `null` (401).
//!
//! Checks run in the API's order: the token (401/403), then the catalog,
//! then the request (422, then 400). A catalog failing its integrity checks
//! is the vendor's 500 envelope with `meta.missing_ids`. Input that is not
//! such an object (over [`Limits::max_snapshot_bytes`], not UTF-8 anywhere,
//! not JSON, a missing `catalog`, a catalog of the wrong shape, a `grant`
//! that is none of the above) is a 400 `Bad Request` with the reason in
//! `meta.message`; a missing `request` is the 400 of a body that is not an
//! object. On every error `catalog` is the input's catalog unchanged
//! (compact), or `null` when there is none.

use super::json_mode::{self, Document, Refusal, echo, span_in, write_line};
use catalog_filter::Limits;
use catalog_filter::catalog::{Catalog, CatalogError};
use catalog_filter::elasticpath::detach::{self, Answer, Grant};
use catalog_filter::elasticpath::envelope::{ApiError, ErrorEnvelope, ErrorMeta};
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
/// the same 400 as a whole one over the limit, its message saying `more
/// than LIMIT bytes` where the size is not known.
pub fn answer_document(input: Document, limits: &Limits, out: &mut dyn Write) -> io::Result<()> {
    let text = match json_mode::input_text(input, limits) {
        Ok(text) => Arc::new(text),
        Err(Refusal::TooLarge { bytes, limit }) => {
            let size = match bytes {
                Some(bytes) => format!("{bytes} bytes"),
                None => format!("more than {limit} bytes"),
            };
            let message = format!("the input is {size}; the limit is {limit} (max_snapshot_bytes)");
            return error_line(out, &bad_input(message), None);
        }
        Err(Refusal::NotUtf8(e)) => {
            return error_line(out, &bad_input(format!("stdin is not UTF-8: {e}")), None);
        }
    };
    if let Some((parsed, loaded)) = read_input_loading(&text) {
        let Input { grant, request, .. } = parsed;
        let (loaded, range) = loaded;
        let given = text.get(range);
        if let Err(envelope) = detach::authorize(grant) {
            return error_line(out, &envelope, given);
        }
        return match loaded {
            Ok(catalog) => respond(out, catalog, &text, request, grant, limits),
            Err(e) => error_line(out, &load_error(&e), given),
        };
    }
    let parsed = match read_input(&text) {
        Ok(parsed) => parsed,
        Err((message, catalog)) => {
            let catalog = catalog.and_then(|r| text.get(r));
            return error_line(out, &bad_input(message), catalog);
        }
    };
    let given = parsed.catalog.clone().and_then(|r| text.get(r));
    if let Err(envelope) = detach::authorize(parsed.grant) {
        return error_line(out, &envelope, given);
    }
    let Some(range) = parsed
        .catalog
        .clone()
        .filter(|r| text.get(r.clone()).is_some_and(|t| t.starts_with('{')))
    else {
        let message = match given {
            None | Some("null") => "stdin has no `catalog` object",
            Some(_) => "`catalog` must be a JSON object",
        };
        return error_line(out, &bad_input(message.to_owned()), given);
    };
    match Catalog::load(Arc::clone(&text), range.clone(), limits) {
        Ok(catalog) => respond(out, catalog, &text, parsed.request, parsed.grant, limits),
        Err(e) => error_line(out, &load_error(&e), text.get(range)),
    }
}

/// The envelope of a catalog that did not load.
fn load_error(e: &CatalogError) -> ErrorEnvelope {
    match e.integrity() {
        Some(errors) => detach::integrity_error(errors),
        None => bad_input(format!("`catalog`: {e}")),
    }
}

/// Handles the request on the loaded catalog and writes the answer line.
fn respond(
    out: &mut dyn Write,
    mut catalog: Catalog,
    text: &str,
    request: Option<Range<usize>>,
    grant: Option<Grant>,
    limits: &Limits,
) -> io::Result<()> {
    let body = match request {
        Some(r) => text.get(r).unwrap_or("null"),
        None => "null",
    };
    let Answer { status, body } = detach::handle(&mut catalog, grant, body, limits);
    write_line(out, status, &body, "catalog", |out| catalog.write_json(out))
}

/// [`answer`] into a string.
pub fn answer_string(input: Vec<u8>, limits: &Limits) -> String {
    json_mode::to_string(|out| answer(input, limits, out))
}

/// Where the parts of the input are.
struct Input {
    catalog: Option<Range<usize>>,
    request: Option<Range<usize>>,
    grant: Option<Grant>,
}

/// Reads the input object; an error is the message and the catalog's range
/// when known.
fn read_input(text: &str) -> Result<Input, (String, Option<Range<usize>>)> {
    #[derive(serde::Deserialize)]
    struct Members<'a> {
        #[serde(borrow, default)]
        catalog: Option<&'a RawValue>,
        #[serde(borrow, default)]
        request: Option<&'a RawValue>,
        #[serde(borrow, default, deserialize_with = "present")]
        grant: Option<&'a RawValue>,
    }
    /// A member that is present, even as `null`.
    fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<&'de RawValue>, D::Error> {
        <&RawValue as serde::Deserialize>::deserialize(d).map(Some)
    }
    let first = text
        .trim_start_matches([' ', '\n', '\r', '\t'])
        .as_bytes()
        .first()
        .copied();
    if first != Some(b'{') {
        return Err(match serde_json::from_str::<serde::de::IgnoredAny>(text) {
            Ok(_) => ("stdin must be a JSON object".to_owned(), None),
            Err(e) => (format!("stdin is not valid JSON: {e}"), None),
        });
    }
    let members: Members<'_> = match serde_json::from_str(text) {
        Ok(m) => m,
        Err(e) => return Err((format!("stdin is not valid JSON: {e}"), None)),
    };
    let span = |raw: Option<&RawValue>| raw.and_then(|r| span_in(text, r.get()));
    let catalog = span(members.catalog);
    let grant = match grant_of(members.grant.map(RawValue::get)) {
        Some(grant) => grant,
        None => {
            let message = "`grant` must be \"client_credentials\", \"implicit\" or null";
            return Err((message.to_owned(), catalog));
        }
    };
    Ok(Input {
        catalog,
        request: span(members.request),
        grant,
    })
}

/// The grant a `grant` member's text stands for (absent: an admin token;
/// `null`: no token); `None` when the text names no grant. The text is
/// read as JSON, so an escaped spelling (`"client\u005fcredentials"`) is
/// the same string.
fn grant_of(raw: Option<&str>) -> Option<Option<Grant>> {
    let Some(raw) = raw else {
        return Some(Some(Grant::ClientCredentials));
    };
    match serde_json::from_str::<Option<String>>(raw).ok()? {
        None => Some(None),
        Some(name) => match name.as_str() {
            "client_credentials" => Some(Some(Grant::ClientCredentials)),
            "implicit" => Some(Some(Grant::Implicit)),
            _ => None,
        },
    }
}

/// The loaded catalog, and its range in the input.
type Loaded = (Result<Catalog, CatalogError>, Range<usize>);

/// The input read in one pass, the catalog loaded where it stands (no
/// separate pass to find its end). `None` whenever anything is unusual
/// (not an object, a key with escapes, a repeated or missing `catalog`, a
/// catalog that is not JSON of the snapshot's shape, a bad `grant`, ...):
/// [`read_input`] then reads the input again and words the error exactly.
fn read_input_loading(text: &Arc<String>) -> Option<(Input, Loaded)> {
    let b = text.as_bytes();
    let ws = |mut i: usize| {
        while matches!(b.get(i), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            i += 1;
        }
        i
    };
    let mut i = ws(0);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    i = ws(i + 1);
    let mut loaded: Option<Loaded> = None;
    let mut request: Option<Range<usize>> = None;
    let mut grant: Option<&str> = None;
    loop {
        if b.get(i) != Some(&b'"') {
            return None;
        }
        let close = i + 1 + memchr::memchr(b'"', b.get(i + 1..)?)?;
        let key = text.get(i + 1..close)?;
        if key.bytes().any(|c| c == b'\\' || c < 0x20) {
            return None;
        }
        i = ws(close + 1);
        if b.get(i) != Some(&b':') {
            return None;
        }
        i = ws(i + 1);
        let end = if key == "catalog" {
            if loaded.is_some() || b.get(i) != Some(&b'{') {
                return None;
            }
            let (result, range) = Catalog::load_embedded(text, i)?;
            if matches!(result, Err(ref e) if e.integrity().is_none()) {
                return None;
            }
            let end = range.end;
            loaded = Some((result, range));
            end
        } else {
            let mut values =
                serde_json::Deserializer::from_str(text.get(i..)?).into_iter::<&RawValue>();
            let raw = values.next()?.ok()?;
            let end = i + values.byte_offset();
            match key {
                "request" if request.is_none() => request = span_in(text, raw.get()),
                "grant" if grant.is_none() => grant = Some(raw.get()),
                "request" | "grant" => return None,
                _ => {}
            }
            end
        };
        i = ws(end);
        match b.get(i) {
            Some(b',') => i = ws(i + 1),
            Some(b'}') => break,
            _ => return None,
        }
    }
    if ws(i + 1) != b.len() {
        return None;
    }
    let grant = grant_of(grant)?;
    let loaded = loaded?;
    Some((
        Input {
            catalog: Some(loaded.1.clone()),
            request,
            grant,
        },
        loaded,
    ))
}

fn bad_input(message: String) -> ErrorEnvelope {
    ErrorEnvelope::single(
        ApiError::bad_request("Bad Request").with_meta(ErrorMeta::message(message)),
    )
}

/// An error line echoing `catalog` (its text as given, compact).
fn error_line(
    out: &mut dyn Write,
    envelope: &ErrorEnvelope,
    catalog: Option<&str>,
) -> io::Result<()> {
    let status = envelope.http_status().unwrap_or(500);
    write_line(out, status, envelope, "catalog", echo(catalog))
}
