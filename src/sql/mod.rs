//! Filters as SQL: a pure renderer from [`ValidFilter`](crate::ValidFilter) to a PostgreSQL
//! `WHERE` clause over the reference schema (`sql/schema.sql`, also
//! [`SCHEMA`]), and, behind the `postgres` feature (blocking) or
//! `postgres-async` (tokio), loading a catalog into
//! that schema and running selection and detach in the database
// The link to `pg` only where the module is built, so the docs build
// (with `-D warnings`) with and without the feature.
#![cfg_attr(
    any(feature = "postgres", feature = "postgres-async"),
    doc = "([`pg`])."
)]
#![cfg_attr(
    not(any(feature = "postgres", feature = "postgres-async")),
    doc = "(module `pg`, built with that feature)."
)]
//!
//! [`render`] turns a filter into [`SqlFilter`]: a boolean SQL expression
//! with `$n` placeholders, and the values to bind, in placeholder order.
//! Every value, attribute-path segment included, is a bound parameter; none
//! is ever spliced into the SQL text, so no value can change the statement.
//! Each placeholder carries an explicit cast (`$1::text`, `$2::uuid[]`,
//! `$3::timestamptz`), so the parameter types are fixed by the SQL, whatever
//! the driver. [`render_with`] numbers placeholders from any offset and names
//! the tables (or aliases), so the clause can be embedded in a larger query.
//!
//! ```
//! use catalog_filter::compile;
//! use catalog_filter::sql::{render, SqlParam};
//!
//! let filter = compile(r#"eq(status,live):like(name,"*50%*")"#).unwrap();
//! let sql = render(&filter);
//! assert_eq!(
//!     sql.sql_where,
//!     r#"("products"."status" = $1::text) AND ("products"."name" LIKE $2::text ESCAPE E'\\')"#
//! );
//! // The `%` of the value is escaped; only the outer stars became wildcards.
//! assert_eq!(
//!     sql.params,
//!     [SqlParam::Text("live".into()), SqlParam::Text(r"%50\%%".into())]
//! );
//! ```
//!
//! # Meaning
//!
//! The SQL selects exactly the products [`ValidFilter::matches`](crate::ValidFilter::matches) accepts
//! (the rules of [`crate::eval`]), on data loaded the way `pg::load` loads
//! it. Per attribute:
//!
//! - Text `eq`/`in`: `col = $n::text` / `col = ANY($n::text[])`, exact and
//!   case-sensitive. The ordering operators (only `external_ref` has them)
//!   compare `COLLATE "C"`, which is bytewise, like Rust's `str` order, in
//!   any database locale.
//! - `like`: only a leading and/or trailing `*` is a wildcard. `*` or `**`
//!   alone is "present" (`col IS NOT NULL`); a pattern without wildcards is
//!   `=`; otherwise `col LIKE $n::text ESCAPE E'\\'` with `%` added on the
//!   wildcard side(s) and every `%`, `_` and `\` of the literal part escaped
//!   ([`escape_like`]), so a star anywhere else, a `%` or a `_` match only
//!   themselves. `LIKE` is case-sensitive.
//! - Lists (`tags`, `templates`, `product_types`, `text[]` columns) match
//!   when any element does: `col && $n::text[]` for `eq`/`in`,
//!   `EXISTS (SELECT 1 FROM unnest(col) ...)` for `like`. An empty array, like
//!   `NULL`, never matches (and `like(tags,*)` is `cardinality(col) > 0`).
//! - A missing attribute (`NULL`, empty array, absent JSON key) never
//!   matches: every predicate is `NULL` or false on it, and conditions are
//!   only ever joined by `AND`, never negated.
//! - `eq(has_nodes,false)`: `NOT EXISTS (SELECT 1 FROM product_nodes ...)`.
//! - `id`, `parent_id`: `uuid` comparisons (PostgreSQL orders `uuid` by its
//!   bytes, the same order as [`uuid::Uuid`]'s `Ord`).
//! - `created_at`, `updated_at`: `timestamptz` comparisons, so offsets do not
//!   matter. `timestamptz` keeps microseconds; a filter instant with a
//!   sub-microsecond part is rendered exactly against microsecond data: `eq`
//!   never matches it, `gt`/`ge` become `> floor`, `lt`/`le` become
//!   `<= floor` (floor = the instant truncated to the microsecond).
//! - `extensions.<t>.<f>`, `shopper_attributes.<f>`, `admin_attributes.<f>`:
//!   the JSON value at `col -> $t -> $f` (keys are parameters too) compared
//!   by its text form: a string by its text, a boolean as `true`/`false`;
//!   `null`, arrays, objects and absent keys never match. A number matches
//!   a filter value `v` only when `v` is exactly how serde_json prints some
//!   number (`1765426`, `9.5`, `1000.0`, `1e+16`): an integer form compares
//!   `numeric` equality with a `numeric` of scale 0 (an integer in the
//!   data), a float form `numeric` equality with a `numeric` of scale > 0 (a
//!   float in the data). `pg::load` writes every JSON float with a decimal
//!   point (it expands serde_json's `1e+16` to `10000000000000000.0`), so an
//!   integer and a float of the same value stay apart, as serde_json prints
//!   them apart (`10` vs `10.0`). The one difference: PostgreSQL's `numeric`
//!   has no negative zero, so a JSON `-0.0` in the data compares like `0.0`.
//!   Data loaded by other means follows the same rule: a JSON number with a
//!   decimal point or a negative exponent is a float, others are integers.
//!
//! # Placeholders and parameters
//!
//! Placeholders are numbered from [`RenderOptions::first_param`] (1 by
//! default) in order of appearance, and a placeholder may appear more than
//! once in the text (a JSON value is tested by type in a `CASE`).
//! `params[i]` binds `$(first_param + i)`. Text containing NUL cannot be
//! stored by PostgreSQL; the parser already refuses control characters in
//! values, so a compiled filter never holds one.

#[cfg(any(feature = "postgres", feature = "postgres-async"))]
pub mod pg;
mod render;

pub use render::{RenderOptions, SCHEMA, SqlFilter, SqlParam, escape_like, render, render_with};
