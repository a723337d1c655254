//! The filter playground: `GET /playground` (and `GET /` when the config
//! says so) serves one self-contained page, `playground.html` (its CSS and
//! script inline, nothing fetched but `POST /playground/check`), and that
//! endpoint answers what the crate knows of a filter:
//!
//! ```text
//! POST /playground/check   {"filter":"eqq(sku,a)","schema":"detach_nodes","store":"catalog"}
//! 200 {"schema":"detach_nodes","ok":false,"canonical":null,
//!      "errors":[{"message":"unknown operator `eqq`; did you mean `eq`?","suggestion":"eq",
//!                 "span":{"start":0,"end":3},"chars":{"start":0,"end":3},"utf16":{"start":0,"end":3}}],
//!      "sql":null,"store":null}
//! ```
//!
//! - `schema`: a preset by name ([`SCHEMAS`]; default `detach_nodes`),
//!   compiled under the config's `[limits]` (the byte limit included).
//! - `errors`: the library's problems in source order, each with its span
//!   as byte offsets (`span`, as every endpoint gives it), as character
//!   offsets (`chars`) and as UTF-16 offsets (`utf16`, what a browser's
//!   `String.prototype.slice` takes), and the "did you mean" suggestion of
//!   an unknown operator or attribute.
//! - `sql`: the `WHERE` clause `catalog_filter::sql::render` gives, with
//!   its bound parameters in placeholder order.
//! - `store`: for a product schema and an Elastic Path catalog the caller
//!   may read, the number of products the filter selects and the first
//!   [`FIRST_PRODUCTS`] (id, sku, name), through the store's preview (the
//!   in-memory `Catalog::select` under the store's read lock for the
//!   embedded store). A caller may read the stores of `[playground]
//!   public_stores` without a token, and otherwise the store of its bearer
//!   token when that token may read it through `GET /pcm/products` (an
//!   admin grant). A store it may not read is named with the reason, in a
//!   200: the rest of the answer is still the caller's.
//!
//! The endpoint never writes. Its own refusals are `{"error":"..."}`: 415
//! for a body that is not JSON by its content type, 413 over the body
//! limit (`max_snapshot_bytes`), 400 for a body of the wrong shape or an
//! unknown schema.

use crate::config::{StoreConfig, Vendor};
use crate::http::{App, json};
use crate::stores::{CatalogBackend, Failure, Page};
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use catalog_filter::elasticpath::detach;
use catalog_filter::schema::Schema;
use catalog_filter::sql::{self, SqlParam};
use catalog_filter::syntax::ParseErrorKind;
use catalog_filter::validate::ValidationErrorKind;
use catalog_filter::{Compiler, CompilerBuilder, FilterError, Limits, ValidFilter};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The page, with `/*PLAYGROUND_CONFIG*/null` where its settings go.
const PAGE: &str = include_str!("playground.html");

/// Where the page's settings (JSON) are put into [`PAGE`].
const CONFIG_SLOT: &str = "/*PLAYGROUND_CONFIG*/null";

/// The schemas the playground offers, by name: the library's presets and
/// the customers schema of `examples/data/schemas/`.
pub const SCHEMAS: [&str; 4] = ["detach_nodes", "every_operator", "orders", "customers"];

/// The customers schema file (`examples/data/schemas/customers.json`).
const CUSTOMERS: &str = include_str!("../../../examples/data/schemas/customers.json");

/// How many matching products the answer lists.
pub const FIRST_PRODUCTS: usize = 10;

/// `[playground]` of the config.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// `GET /` serves the page too (`GET /playground` always does).
    #[serde(default)]
    pub at_root: bool,
    /// Elastic Path catalogs the page reads without a token (counts and
    /// the first products of what a filter selects; never a write).
    #[serde(default)]
    pub public_stores: Vec<String>,
}

impl Settings {
    /// Every public store is a configured Elastic Path catalog.
    pub fn check(&self, stores: &[StoreConfig]) -> Result<(), String> {
        for name in &self.public_stores {
            match stores.iter().find(|s| &s.name == name) {
                Some(store) if store.vendor == Vendor::Elasticpath => {}
                Some(_) => {
                    return Err(format!(
                        "playground.public_stores: `{name}` is not an Elastic Path catalog"
                    ));
                }
                None => {
                    return Err(format!(
                        "playground.public_stores: `{name}` names no configured store"
                    ));
                }
            }
        }
        Ok(())
    }
}

/// What the playground's handlers share.
pub struct Playground {
    /// The page, its settings filled in.
    page: String,
    /// Whether `GET /` serves it.
    pub at_root: bool,
    /// The public stores.
    public_stores: Vec<String>,
    /// One compiler per schema of [`SCHEMAS`], under the config's limits.
    compilers: Vec<(&'static str, Compiler)>,
}

/// The settings the page reads (`<script id="playground-config">`).
#[derive(Serialize)]
struct PageConfig<'a> {
    schemas: Vec<PageSchema<'a>>,
    public_stores: &'a [String],
    max_filter_bytes: usize,
}

#[derive(Serialize)]
struct PageSchema<'a> {
    name: &'a str,
    allow_or: bool,
    products: bool,
}

impl Playground {
    /// The playground of a config: its settings and limits.
    pub fn new(settings: &Settings, limits: Limits) -> Result<Playground, String> {
        let mut compilers = Vec::with_capacity(SCHEMAS.len());
        for name in SCHEMAS {
            let schema = match name {
                "detach_nodes" => Schema::detach_nodes(),
                "every_operator" => Schema::every_operator(),
                "orders" => Schema::orders(),
                _ => Schema::from_json(CUSTOMERS)
                    .map_err(|e| format!("the customers schema does not load: {e}"))?,
            };
            compilers.push((
                name,
                CompilerBuilder::new().schema(schema).limits(limits).build(),
            ));
        }
        let config = PageConfig {
            schemas: compilers
                .iter()
                .map(|(name, compiler)| PageSchema {
                    name,
                    allow_or: compiler.schema().allow_or(),
                    products: is_product_schema(name),
                })
                .collect(),
            public_stores: &settings.public_stores,
            max_filter_bytes: limits.max_filter_bytes,
        };
        let json = serde_json::to_string(&config)
            .map_err(|e| format!("the playground's settings do not serialize: {e}"))?;
        // Inside <script>: no `<` at all, so no `</script>` (JSON allows
        // `\u003c` wherever `<` may be, which is only inside strings).
        let json = json.replace('<', "\\u003c");
        Ok(Playground {
            page: PAGE.replacen(CONFIG_SLOT, &json, 1),
            at_root: settings.at_root,
            public_stores: settings.public_stores.clone(),
            compilers,
        })
    }
}

/// Whether filters of this schema select products (its attributes are a
/// product's): only those count a store's products.
fn is_product_schema(name: &str) -> bool {
    matches!(name, "detach_nodes" | "every_operator")
}

/// `GET /playground`: the page. No token needed; it holds no data.
pub async fn page(State(app): State<App>) -> Response {
    let mut response = app.playground.page.clone().into_response();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    // Nothing from elsewhere: the page's own inline style and script, and
    // requests to this server only.
    headers.insert(
        HeaderName::from_static("content-security-policy"),
        HeaderValue::from_static(
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; \
             connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; \
             frame-ancestors 'none'",
        ),
    );
    headers.insert(
        HeaderName::from_static("x-content-type-options"),
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        HeaderName::from_static("referrer-policy"),
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The body of `POST /playground/check`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckRequest {
    filter: String,
    #[serde(default)]
    schema: Option<String>,
    #[serde(default)]
    store: Option<String>,
}

/// The answer of `POST /playground/check`.
#[derive(Serialize)]
struct CheckResponse<'a> {
    schema: &'a str,
    ok: bool,
    canonical: Option<String>,
    errors: Vec<Problem>,
    sql: Option<Sql>,
    store: Option<StoreAnswer>,
}

/// One problem of a filter.
#[derive(Serialize)]
struct Problem {
    message: String,
    suggestion: Option<String>,
    span: Offsets,
    chars: Offsets,
    utf16: Offsets,
}

/// A span's two ends.
#[derive(Serialize, Clone, Copy)]
struct Offsets {
    start: usize,
    end: usize,
}

/// The rendered SQL.
#[derive(Serialize)]
struct Sql {
    #[serde(rename = "where")]
    sql_where: String,
    params: Vec<Param>,
}

/// One bound parameter: its placeholder, its SQL type and its value.
#[derive(Serialize)]
struct Param {
    placeholder: String,
    #[serde(rename = "type")]
    sql_type: &'static str,
    value: serde_json::Value,
}

/// What the store says of the filter, or why it says nothing.
#[derive(Serialize)]
#[serde(untagged)]
enum StoreAnswer {
    Read {
        name: String,
        total: u64,
        products: Vec<Match>,
    },
    Refused {
        name: Option<String>,
        error: String,
    },
}

/// One matching product.
#[derive(Serialize)]
struct Match {
    id: serde_json::Value,
    sku: serde_json::Value,
    name: serde_json::Value,
}

/// A refusal of the endpoint itself.
fn refuse(status: StatusCode, message: impl Into<String>) -> Response {
    #[derive(Serialize)]
    struct Body {
        error: String,
    }
    let body = serde_json::to_vec(&Body {
        error: message.into(),
    })
    .unwrap_or_default();
    json(status, body)
}

/// `POST /playground/check`.
pub async fn check(
    State(app): State<App>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    if !crate::http::is_json(&headers) {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "the request body must be JSON (Content-Type: application/json)",
        );
    }
    let limit = app.limits.max_snapshot_bytes;
    let body = match body {
        Ok(body) => body,
        Err(BytesRejection::FailedToBufferBody(
            axum::extract::rejection::FailedToBufferBody::LengthLimitError(_),
        )) => {
            return refuse(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "the request body is more than {limit} bytes; the limit is {limit} (max_snapshot_bytes)"
                ),
            );
        }
        Err(other) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                format!("the request body could not be read: {}", other.body_text()),
            );
        }
    };
    let request: CheckRequest = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(e) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                format!(
                    "the body must be {{\"filter\":\"...\",\"schema\":\"...\",\"store\":\"...\"}}: {e}"
                ),
            );
        }
    };
    let schema = request.schema.as_deref().unwrap_or("detach_nodes");
    let Some((schema, compiler)) = app
        .playground
        .compilers
        .iter()
        .find(|(name, _)| *name == schema)
    else {
        return refuse(
            StatusCode::BAD_REQUEST,
            format!(
                "unknown schema `{}`; the schemas are {}",
                schema.escape_debug(),
                SCHEMAS.join(", ")
            ),
        );
    };
    let mut answer = CheckResponse {
        schema,
        ok: false,
        canonical: None,
        errors: Vec::new(),
        sql: None,
        store: None,
    };
    let store = readable_store(&app, &headers, request.store.as_deref());
    match compiler.compile(&request.filter) {
        Ok(filter) => {
            answer.ok = true;
            answer.canonical = Some(filter.to_string());
            answer.sql = Some(render_sql(&filter));
            answer.store = match store {
                Ok(None) => None,
                Ok(Some((name, _))) if !is_product_schema(schema) => Some(StoreAnswer::Refused {
                    name: Some(name),
                    error: format!(
                        "filters of the {schema} schema select no products: choose detach_nodes or every_operator to count a store's products"
                    ),
                }),
                Ok(Some((name, backend))) => Some(read_store(name, backend, filter).await),
                Err(refused) => Some(refused),
            };
        }
        Err(e) => {
            answer.errors = problems(&e, &request.filter);
            // A store the caller may not read is said even so.
            answer.store = store.err();
        }
    }
    json(
        StatusCode::OK,
        serde_json::to_vec(&answer).unwrap_or_default(),
    )
}

/// An Elastic Path catalog, whatever its back end.
type Catalog = Arc<dyn CatalogBackend>;

/// The store a request may read: the named one when public or the
/// token's own (with a grant that may read it), or without a name the
/// token's store; `Ok(None)` when no store is asked for.
fn readable_store(
    app: &App,
    headers: &HeaderMap,
    named: Option<&str>,
) -> Result<Option<(String, Catalog)>, StoreAnswer> {
    let refused = |name: Option<&str>, error: &str| StoreAnswer::Refused {
        name: name.map(str::to_owned),
        error: error.to_owned(),
    };
    let has_token = headers.contains_key(axum::http::header::AUTHORIZATION);
    if let Some(name) = named {
        if app.playground.public_stores.iter().any(|p| p == name) {
            return app
                .catalogs
                .get(name)
                .map(|backend| Some((name.to_owned(), Arc::clone(backend))))
                .ok_or_else(|| refused(Some(name), "no such store"));
        }
        if !has_token {
            return Err(refused(
                Some(name),
                "this store is not public: a bearer token for it is required",
            ));
        }
    } else if !has_token {
        return Ok(None);
    }
    let caller = app
        .tokens
        .caller(headers)
        .map_err(|why| refused(named, why.message()))?;
    if named.is_some_and(|name| name != caller.store) {
        return Err(refused(named, "the token is not for this store"));
    }
    let Some(backend) = app.catalogs.get(&caller.store) else {
        return Err(refused(
            named,
            "the token is not for an Elastic Path catalog",
        ));
    };
    if detach::authorize(Some(caller.grant)).is_err() {
        return Err(refused(
            Some(&caller.store),
            "the token may not read this catalog's products (an admin token is needed)",
        ));
    }
    Ok(Some((caller.store.clone(), Arc::clone(backend))))
}

/// The count and the first products of `filter` in a store, from its
/// preview (the store's read lock, off the async workers).
async fn read_store(name: String, backend: Catalog, filter: ValidFilter) -> StoreAnswer {
    let page = Page {
        offset: 0,
        limit: FIRST_PRODUCTS,
    };
    let body = match backend.preview(Some(filter), page).await {
        Ok(body) => body,
        Err(Failure::Answer(envelope)) => {
            let detail = envelope
                .errors
                .first()
                .map(|e| e.detail.clone())
                .unwrap_or_default();
            return StoreAnswer::Refused {
                name: Some(name),
                error: format!("the store could not be read: {detail}"),
            };
        }
        Err(Failure::Internal(reason)) => {
            tracing::error!(%reason, "the playground could not read a store");
            return StoreAnswer::Refused {
                name: Some(name),
                error: "the store could not be read (an internal error; see the server's log)"
                    .to_owned(),
            };
        }
    };
    #[derive(Deserialize)]
    struct Preview {
        data: Vec<Item>,
        meta: Meta,
    }
    #[derive(Deserialize)]
    struct Item {
        id: serde_json::Value,
        attributes: Attributes,
    }
    #[derive(Deserialize)]
    struct Attributes {
        #[serde(default)]
        sku: serde_json::Value,
        #[serde(default)]
        name: serde_json::Value,
    }
    #[derive(Deserialize)]
    struct Meta {
        results: Results,
    }
    #[derive(Deserialize)]
    struct Results {
        total: u64,
    }
    match serde_json::from_slice::<Preview>(&body) {
        Ok(preview) => StoreAnswer::Read {
            name,
            total: preview.meta.results.total,
            products: preview
                .data
                .into_iter()
                .map(|item| Match {
                    id: item.id,
                    sku: item.attributes.sku,
                    name: item.attributes.name,
                })
                .collect(),
        },
        Err(e) => StoreAnswer::Refused {
            name: Some(name),
            error: format!("the store's answer could not be read: {e}"),
        },
    }
}

/// The SQL of a valid filter, its parameters typed as their casts say.
fn render_sql(filter: &ValidFilter) -> Sql {
    let rendered = sql::render(filter);
    let params = rendered
        .params
        .into_iter()
        .enumerate()
        .map(|(i, param)| {
            let (sql_type, value) = param_value(param);
            Param {
                placeholder: format!("${}", i + 1),
                sql_type,
                value,
            }
        })
        .collect();
    Sql {
        sql_where: rendered.sql_where,
        params,
    }
}

/// A parameter's SQL type (its cast) and its value as JSON (instants in
/// RFC 3339 with microseconds, as bound).
fn param_value(param: SqlParam) -> (&'static str, serde_json::Value) {
    use serde_json::Value;
    let instant = |t: chrono::DateTime<chrono::Utc>| {
        Value::String(t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
    };
    match param {
        SqlParam::Text(s) => ("text", Value::String(s)),
        SqlParam::TextArray(v) => ("text[]", v.into_iter().map(Value::String).collect()),
        SqlParam::Uuid(u) => ("uuid", Value::String(u.to_string())),
        SqlParam::UuidArray(v) => (
            "uuid[]",
            v.into_iter()
                .map(|u| Value::String(u.to_string()))
                .collect(),
        ),
        SqlParam::Instant(t) => ("timestamptz", instant(t)),
        SqlParam::InstantArray(v) => ("timestamptz[]", v.into_iter().map(instant).collect()),
        SqlParam::Bool(b) => ("boolean", Value::Bool(b)),
        SqlParam::BoolArray(v) => ("boolean[]", v.into_iter().map(Value::Bool).collect()),
        // A kind of parameter added to the library later: shown by its Debug.
        other => ("unknown", Value::String(format!("{other:?}"))),
    }
}

/// Each problem of a refused filter, with its spans in bytes, characters
/// and UTF-16 units, and the suggestion the library made, if any.
fn problems(error: &FilterError, input: &str) -> Vec<Problem> {
    let suggestions: Vec<Option<String>> = match error {
        FilterError::Parse(e) => vec![match e.kind() {
            ParseErrorKind::UnknownOperator {
                suggestion: Some(op),
                ..
            } => Some(op.to_string()),
            _ => None,
        }],
        FilterError::Invalid(es) => es
            .iter()
            .map(|e| match e.kind() {
                ValidationErrorKind::UnknownAttribute { suggestion, .. } => suggestion.clone(),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    error
        .problems()
        .into_iter()
        .enumerate()
        .map(|(i, (span, message))| {
            let (start, end) = (span.start.min(input.len()), span.end.min(input.len()));
            Problem {
                message,
                suggestion: suggestions.get(i).cloned().flatten(),
                span: Offsets {
                    start: span.start,
                    end: span.end,
                },
                chars: Offsets {
                    start: count_units(input, start, |_| 1),
                    end: count_units(input, end, |_| 1),
                },
                utf16: Offsets {
                    start: count_units(input, start, char::len_utf16),
                    end: count_units(input, end, char::len_utf16),
                },
            }
        })
        .collect()
}

/// The units (`unit` of each character) before byte offset `at` of
/// `input` (a character `at` falls inside counts as before it).
fn count_units(input: &str, at: usize, unit: impl Fn(char) -> usize) -> usize {
    input
        .char_indices()
        .take_while(|(i, _)| *i < at)
        .map(|(_, c)| unit(c))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_in_characters_and_utf16() {
        let input = "eq(name,\"日本語\"):eqq(sku,x)";
        assert_eq!(input.find("eqq"), Some(21));
        assert_eq!(count_units(input, 21, |_| 1), 15);
        assert_eq!(count_units(input, 21, char::len_utf16), 15);
        let emoji = "a😀b";
        assert_eq!(count_units(emoji, 5, |_| 1), 2);
        assert_eq!(count_units(emoji, 5, char::len_utf16), 3);
        assert_eq!(count_units(emoji, 0, char::len_utf16), 0);
        assert_eq!(count_units(emoji, 99, char::len_utf16), 4);
    }

    #[test]
    fn public_stores_are_configured_catalogs() {
        let config = |public: &str| {
            crate::config::Config::parse(
                &format!(
                    "[playground]\npublic_stores = [{public}]\n\n\
                     [[stores]]\nname = \"c\"\nvendor = \"elasticpath\"\nsnapshot = \"c.json\"\n\n\
                     [[stores]]\nname = \"1003\"\nvendor = \"ecwid\"\nsnapshot = \"s.json\"\n"
                ),
                std::path::PathBuf::from("."),
            )
            .map(|c| c.playground.public_stores)
        };
        assert_eq!(config("\"c\"").unwrap(), ["c"]);
        assert_eq!(config("").unwrap(), Vec::<String>::new());
        assert_eq!(
            config("\"1003\"").unwrap_err(),
            "playground.public_stores: `1003` is not an Elastic Path catalog"
        );
        assert_eq!(
            config("\"x\"").unwrap_err(),
            "playground.public_stores: `x` names no configured store"
        );
        let default = crate::config::Config::sample().unwrap();
        assert!(default.playground.at_root);
        assert_eq!(default.playground.public_stores, ["catalog"]);
    }

    #[test]
    fn the_page_gets_its_settings_without_a_closing_script_tag() {
        let settings = Settings {
            at_root: true,
            public_stores: vec!["</script><b>".into()],
        };
        let playground = Playground::new(&settings, Limits::default()).unwrap();
        assert!(!playground.page.contains(CONFIG_SLOT));
        assert!(
            playground
                .page
                .contains(r#""public_stores":["\u003c/script>\u003cb>"]"#)
        );
        assert_eq!(
            playground.page.matches("</script>").count(),
            PAGE.matches("</script>").count()
        );
    }
}
