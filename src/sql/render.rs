//! Rendering a [`ValidFilter`] as a PostgreSQL `WHERE` clause (see the
//! [module docs](crate::sql)).

use crate::pattern::PatternKind;
use crate::schema::Field;
use crate::syntax::Op;
use crate::validate::{ValidCondition, ValidFilter, Values};
use chrono::{DateTime, Timelike, Utc};
use std::fmt::Write as _;
use uuid::Uuid;

/// The reference schema (`sql/schema.sql`): the tables [`render`]'s SQL
/// refers to, and that `pg::load` fills. Safe to run more than once
/// (`CREATE ... IF NOT EXISTS`).
pub const SCHEMA: &str = include_str!("../../sql/schema.sql");

/// A rendered filter: a boolean SQL expression and the values to bind.
#[derive(Clone, Debug, PartialEq)]
pub struct SqlFilter {
    /// The condition, to put after `WHERE` (or `AND`). `TRUE` for a filter
    /// without conditions.
    pub sql_where: String,
    /// The values, in placeholder order: `params[i]` binds
    /// `$(first_param + i)`.
    pub params: Vec<SqlParam>,
}

/// One bound value. Its SQL type is fixed by the cast next to its
/// placeholder, given with each variant.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SqlParam {
    /// `$n::text` (also for enumerations, JSON keys and numbers, which the
    /// SQL casts to `numeric` itself).
    Text(String),
    /// `$n::text[]`.
    TextArray(Vec<String>),
    /// `$n::uuid`.
    Uuid(Uuid),
    /// `$n::uuid[]`.
    UuidArray(Vec<Uuid>),
    /// `$n::timestamptz`, always a whole number of microseconds.
    Instant(DateTime<Utc>),
    /// `$n::timestamptz[]`, each a whole number of microseconds.
    InstantArray(Vec<DateTime<Utc>>),
}

/// Where the rendered clause will live: the first placeholder number and the
/// names (or aliases) of the tables it refers to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderOptions {
    /// The number of the first placeholder (default 1; 0 is read as 1).
    pub first_param: usize,
    /// The products table or its alias in the enclosing query (default
    /// `products`). Quoted as an identifier; a `.` separates a schema name.
    pub products: String,
    /// The memberships table (default `product_nodes`), for `has_nodes`.
    /// Quoted the same way.
    pub product_nodes: String,
}

impl Default for RenderOptions {
    fn default() -> RenderOptions {
        RenderOptions {
            first_param: 1,
            products: "products".into(),
            product_nodes: "product_nodes".into(),
        }
    }
}

/// Renders `filter` with the default [`RenderOptions`]: placeholders from
/// `$1`, tables `products` and `product_nodes`.
pub fn render(filter: &ValidFilter) -> SqlFilter {
    render_with(filter, &RenderOptions::default())
}

/// Renders `filter` with placeholders numbered from
/// `options.first_param` and the table names of `options`.
///
/// ```
/// use catalog_filter::compile;
/// use catalog_filter::sql::{render_with, RenderOptions};
///
/// let filter = compile("in(sku,a,b)").unwrap();
/// let options = RenderOptions { first_param: 3, products: "p".into(), ..RenderOptions::default() };
/// let sql = render_with(&filter, &options);
/// assert_eq!(sql.sql_where, r#"("p".sku = ANY($3::text[]))"#);
/// ```
pub fn render_with(filter: &ValidFilter, options: &RenderOptions) -> SqlFilter {
    let mut r = Renderer {
        params: Vec::new(),
        first: options.first_param.max(1),
        products: quote_ident(&options.products),
        product_nodes: quote_ident(&options.product_nodes),
    };
    let mut sql = String::new();
    for (i, c) in filter.conditions().iter().enumerate() {
        if i > 0 {
            sql.push_str(" AND ");
        }
        let part = r.condition(c);
        sql.push('(');
        sql.push_str(&part);
        sql.push(')');
    }
    if sql.is_empty() {
        sql.push_str("TRUE");
    }
    SqlFilter {
        sql_where: sql,
        params: r.params,
    }
}

/// Escapes text for use as the literal part of a `LIKE ... ESCAPE E'\\'`
/// pattern: `\`, `%` and `_` each get a backslash before them.
///
/// ```
/// assert_eq!(catalog_filter::sql::escape_like(r"50%_a\b*"), r"50\%\_a\\b*");
/// ```
pub fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for ch in text.chars() {
        if matches!(ch, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

/// Quotes an identifier (each `.`-separated part) for PostgreSQL.
fn quote_ident(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 2);
    for (i, part) in name.split('.').enumerate() {
        if i > 0 {
            out.push('.');
        }
        out.push('"');
        out.push_str(&part.replace('"', "\"\""));
        out.push('"');
    }
    out
}

/// Where an attribute lives in the reference schema.
enum Column<'f> {
    /// A `text` column (enumerations included).
    Text(&'static str),
    /// A `text[]` column.
    TextList(&'static str),
    /// A `uuid` column.
    Uuid(&'static str),
    /// A `timestamptz` column.
    Instant(&'static str),
    /// A key path into a `jsonb` column.
    Json(&'static str, Vec<&'f str>),
    /// Membership in `product_nodes`.
    HasNodes,
}

fn column(field: &Field) -> Column<'_> {
    match field {
        Field::Id => Column::Uuid("id"),
        Field::ParentId => Column::Uuid("parent_id"),
        Field::Sku => Column::Text("sku"),
        Field::Slug => Column::Text("slug"),
        Field::UpcEan => Column::Text("upc_ean"),
        Field::ManufacturerPartNum => Column::Text("manufacturer_part_num"),
        Field::Name => Column::Text("name"),
        Field::ExternalRef => Column::Text("external_ref"),
        Field::Description => Column::Text("description"),
        Field::Tags => Column::TextList("tags"),
        Field::Templates => Column::TextList("templates"),
        Field::CommodityType => Column::Text("commodity_type"),
        Field::Owner => Column::Text("owner"),
        Field::Status => Column::Text("status"),
        Field::ProductTypes => Column::TextList("product_types"),
        Field::HasNodes => Column::HasNodes,
        Field::CreatedAt => Column::Instant("created_at"),
        Field::UpdatedAt => Column::Instant("updated_at"),
        Field::Extension { template, field } => Column::Json("extensions", vec![template, field]),
        Field::ShopperAttribute { field } => Column::Json("shopper_attributes", vec![field]),
        Field::AdminAttribute { field } => Column::Json("admin_attributes", vec![field]),
    }
}

/// The values of a text-typed condition (enumerations by their names).
fn texts(values: &Values) -> Option<Vec<String>> {
    fn names<T: Copy>(v: &[T], name: impl Fn(T) -> &'static str) -> Vec<String> {
        v.iter().map(|&x| name(x).to_owned()).collect()
    }
    Some(match values {
        Values::Text(v) => v.to_vec(),
        Values::Status(v) => names(v, |x| x.as_str()),
        Values::CommodityType(v) => names(v, |x| x.as_str()),
        Values::Owner(v) => names(v, |x| x.as_str()),
        Values::ProductType(v) => names(v, |x| x.as_str()),
        Values::Uuid(_) | Values::Instant(_) | Values::Bool(_) => return None,
    })
}

/// The SQL comparison operator of an ordering [`Op`].
fn ordering(op: Op) -> Option<&'static str> {
    match op {
        Op::Gt => Some(">"),
        Op::Ge => Some(">="),
        Op::Lt => Some("<"),
        Op::Le => Some("<="),
        Op::Eq | Op::In | Op::Like => None,
    }
}

/// Rendered for combinations the support matrix refuses (a [`ValidFilter`]
/// never holds one).
const NEVER: &str = "FALSE";

struct Renderer {
    params: Vec<SqlParam>,
    first: usize,
    products: String,
    product_nodes: String,
}

impl Renderer {
    /// Adds a parameter; returns its placeholder with `cast` (`$3::text`).
    fn bind(&mut self, value: SqlParam, cast: &str) -> String {
        let n = self.first + self.params.len();
        self.params.push(value);
        format!("${n}::{cast}")
    }

    fn col(&self, name: &str) -> String {
        format!("{}.{name}", self.products)
    }

    fn condition(&mut self, c: &ValidCondition) -> String {
        let op = c.op();
        match column(c.field()) {
            Column::HasNodes => match c.values() {
                Values::Bool(v) => self.has_nodes(v),
                _ => NEVER.into(),
            },
            Column::Uuid(name) => match c.values() {
                Values::Uuid(v) => self.uuid(&self.col(name), op, v),
                _ => NEVER.into(),
            },
            Column::Instant(name) => match c.values() {
                Values::Instant(v) => self.instant(&self.col(name), op, v),
                _ => NEVER.into(),
            },
            Column::Text(name) => {
                let expr = self.col(name);
                if op == Op::Like {
                    return self.like_scalar(&expr, c);
                }
                match texts(c.values()) {
                    Some(v) => self.text(&expr, op, v),
                    None => NEVER.into(),
                }
            }
            Column::TextList(name) => {
                let expr = self.col(name);
                if op == Op::Like {
                    return match c.pattern() {
                        Some(p) if p.kind() == PatternKind::Any => {
                            format!("cardinality({expr}) > 0")
                        }
                        Some(_) => {
                            let test = self.like_scalar("cf_elem.v", c);
                            exists_element(&expr, &test)
                        }
                        None => NEVER.into(),
                    };
                }
                match (texts(c.values()), op) {
                    (Some(v), Op::Eq | Op::In) => {
                        let p = self.bind(SqlParam::TextArray(v), "text[]");
                        format!("{expr} && {p}")
                    }
                    (Some(v), _) => {
                        let test = self.text("cf_elem.v", op, v);
                        exists_element(&expr, &test)
                    }
                    (None, _) => NEVER.into(),
                }
            }
            Column::Json(name, keys) => match (op, texts(c.values())) {
                (Op::Eq | Op::In, Some(v)) => {
                    let mut expr = format!("({}", self.col(name));
                    for key in keys {
                        let p = self.bind(SqlParam::Text(key.to_owned()), "text");
                        let _ = write!(expr, " -> {p}");
                    }
                    expr.push(')');
                    let tests: Vec<String> =
                        v.into_iter().map(|t| self.json_eq(&expr, t)).collect();
                    any_of(tests)
                }
                _ => NEVER.into(),
            },
        }
    }

    fn has_nodes(&mut self, values: &[bool]) -> String {
        let exists = format!(
            "EXISTS (SELECT 1 FROM {} AS cf_pn WHERE cf_pn.product_id = {}.id)",
            self.product_nodes, self.products
        );
        match (values.contains(&true), values.contains(&false)) {
            (true, true) => "TRUE".into(),
            (true, false) => exists,
            (false, true) => format!("NOT {exists}"),
            (false, false) => NEVER.into(),
        }
    }

    fn uuid(&mut self, expr: &str, op: Op, values: &[Uuid]) -> String {
        match (ordering(op), values) {
            (Some(cmp), [one]) => {
                format!("{expr} {cmp} {}", self.bind(SqlParam::Uuid(*one), "uuid"))
            }
            (None, [one]) if op != Op::Like => {
                format!("{expr} = {}", self.bind(SqlParam::Uuid(*one), "uuid"))
            }
            (None, many) if op != Op::Like => {
                let p = self.bind(SqlParam::UuidArray(many.to_vec()), "uuid[]");
                format!("{expr} = ANY({p})")
            }
            _ => NEVER.into(),
        }
    }

    /// Instants against microsecond data (see the module docs).
    fn instant(&mut self, expr: &str, op: Op, values: &[DateTime<Utc>]) -> String {
        match (op, values) {
            (Op::Eq | Op::In, _) => {
                let exact: Vec<DateTime<Utc>> = values
                    .iter()
                    .filter(|t| t.nanosecond() % 1000 == 0)
                    .copied()
                    .collect();
                match exact.as_slice() {
                    [] => NEVER.into(),
                    [one] => format!(
                        "{expr} = {}",
                        self.bind(SqlParam::Instant(*one), "timestamptz")
                    ),
                    _ => {
                        let p = self.bind(SqlParam::InstantArray(exact), "timestamptz[]");
                        format!("{expr} = ANY({p})")
                    }
                }
            }
            (Op::Gt | Op::Ge | Op::Lt | Op::Le, [one]) => {
                let floor = floor_micros(*one);
                let cmp = if floor == *one {
                    ordering(op).unwrap_or("=")
                } else if matches!(op, Op::Gt | Op::Ge) {
                    ">"
                } else {
                    "<="
                };
                let p = self.bind(SqlParam::Instant(floor), "timestamptz");
                format!("{expr} {cmp} {p}")
            }
            _ => NEVER.into(),
        }
    }

    /// Text `eq`/`in`/ordering on one text expression.
    fn text(&mut self, expr: &str, op: Op, mut values: Vec<String>) -> String {
        match (ordering(op), values.len()) {
            (Some(cmp), 1) => {
                let p = self.bind(SqlParam::Text(values.remove(0)), "text");
                format!("{expr} COLLATE \"C\" {cmp} {p}")
            }
            (None, 1) if op != Op::Like => {
                let p = self.bind(SqlParam::Text(values.remove(0)), "text");
                format!("{expr} = {p}")
            }
            (None, n) if n > 1 && op != Op::Like => {
                let p = self.bind(SqlParam::TextArray(values), "text[]");
                format!("{expr} = ANY({p})")
            }
            _ => NEVER.into(),
        }
    }

    /// A `like` test of one text expression (the condition's pattern).
    fn like_scalar(&mut self, expr: &str, c: &ValidCondition) -> String {
        let Some(pattern) = c.pattern() else {
            return NEVER.into();
        };
        let needle = pattern.needle();
        let like = match pattern.kind() {
            PatternKind::Any => return format!("{expr} IS NOT NULL"),
            PatternKind::Equals => {
                let p = self.bind(SqlParam::Text(needle.to_owned()), "text");
                return format!("{expr} = {p}");
            }
            PatternKind::Contains => format!("%{}%", escape_like(needle)),
            PatternKind::StartsWith => format!("{}%", escape_like(needle)),
            PatternKind::EndsWith => format!("%{}", escape_like(needle)),
        };
        let p = self.bind(SqlParam::Text(like), "text");
        format!("{expr} LIKE {p} ESCAPE E'\\\\'")
    }

    /// The JSON value `expr` has the text form `value` (see the module docs).
    fn json_eq(&mut self, expr: &str, value: String) -> String {
        let number = number_kind(&value);
        let p = self.bind(SqlParam::Text(value), "text");
        let mut sql = format!(
            "CASE jsonb_typeof({expr}) WHEN 'string' THEN {expr} #>> '{{}}' = {p} \
             WHEN 'boolean' THEN {expr} #>> '{{}}' = {p}"
        );
        if let Some(kind) = number {
            let scale = match kind {
                NumberKind::Integer => "= 0",
                NumberKind::Float => "> 0",
            };
            let _ = write!(
                sql,
                " WHEN 'number' THEN {expr}::numeric = {p}::numeric \
                 AND scale({expr}::numeric) {scale}"
            );
        }
        sql.push_str(" ELSE FALSE END");
        sql
    }
}

fn exists_element(array: &str, test: &str) -> String {
    format!("EXISTS (SELECT 1 FROM unnest({array}) AS cf_elem(v) WHERE {test})")
}

fn any_of(tests: Vec<String>) -> String {
    match tests.len() {
        0 => NEVER.into(),
        1 => tests.into_iter().next().unwrap_or_else(|| NEVER.into()),
        _ => format!("({})", tests.join(") OR (")),
    }
}

/// The instant truncated to the microsecond.
fn floor_micros(t: DateTime<Utc>) -> DateTime<Utc> {
    let nanos = t.nanosecond();
    t.with_nanosecond(nanos - nanos % 1000).unwrap_or(t)
}

/// How serde_json prints a number: as an integer or as a float.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum NumberKind {
    Integer,
    Float,
}

/// `Some` when `text` is exactly how serde_json prints some JSON number.
fn number_kind(text: &str) -> Option<NumberKind> {
    // Cheap pre-check: such a text starts with a digit or `-`.
    let first = text.bytes().next()?;
    if !(first.is_ascii_digit() || first == b'-') {
        return None;
    }
    let n: serde_json::Number = serde_json::from_str(text).ok()?;
    if n.to_string() != text {
        return None;
    }
    Some(if n.is_f64() {
        NumberKind::Float
    } else {
        NumberKind::Integer
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile;

    fn sql(filter: &str) -> SqlFilter {
        render(&compile(filter).unwrap())
    }

    #[test]
    fn like_kinds() {
        assert_eq!(
            sql("like(sku,*)").sql_where,
            r#"("products".sku IS NOT NULL)"#
        );
        assert_eq!(
            sql("like(sku,**)").sql_where,
            r#"("products".sku IS NOT NULL)"#
        );
        let s = sql("like(sku,a*b)");
        assert_eq!(s.sql_where, r#"("products".sku = $1::text)"#);
        assert_eq!(s.params, [SqlParam::Text("a*b".into())]);
        for (f, p) in [
            ("like(sku,*a_b*)", r"%a\_b%"),
            ("like(sku,'a%*')", r"a\%%"),
            ("like(sku,'*a\\\\')", r"%a\\"),
            ("like(sku,***)", r"%*%"),
        ] {
            assert_eq!(sql(f).params, [SqlParam::Text(p.into())], "{f}");
        }
        assert_eq!(
            sql("like(tags,*)").sql_where,
            r#"(cardinality("products".tags) > 0)"#
        );
        assert_eq!(
            sql("like(tags,x*)").sql_where,
            r#"(EXISTS (SELECT 1 FROM unnest("products".tags) AS cf_elem(v) WHERE cf_elem.v LIKE $1::text ESCAPE E'\\'))"#
        );
    }

    #[test]
    fn other_attributes() {
        assert_eq!(
            sql("eq(has_nodes,false)").sql_where,
            r#"(NOT EXISTS (SELECT 1 FROM "product_nodes" AS cf_pn WHERE cf_pn.product_id = "products".id))"#
        );
        assert_eq!(
            sql("gt(external_ref,b)").sql_where,
            r#"("products".external_ref COLLATE "C" > $1::text)"#
        );
        assert_eq!(
            sql("in(product_types,standard,bundle)").params,
            [SqlParam::TextArray(vec![
                "standard".into(),
                "bundle".into()
            ])]
        );
        let s = sql("eq(extensions.book.isbn,'x\\'y')");
        assert_eq!(
            s.params,
            [
                SqlParam::Text("book".into()),
                SqlParam::Text("isbn".into()),
                SqlParam::Text("x'y".into())
            ]
        );
        assert!(!s.sql_where.contains("'number'"));
        let s = sql("eq(shopper_attributes.size,10)");
        assert!(
            s.sql_where
                .contains("scale((\"products\".shopper_attributes -> $1::text)::numeric) = 0"),
            "{}",
            s.sql_where
        );
        let s = sql("eq(shopper_attributes.size,1e+16)");
        assert!(s.sql_where.contains("> 0"), "{}", s.sql_where);
    }

    #[test]
    fn instants_below_microseconds() {
        let s = sql("gt(created_at,2024-01-01T00:00:00.0000005Z)");
        assert_eq!(s.sql_where, r#"("products".created_at > $1::timestamptz)"#);
        assert_eq!(
            s.params,
            [SqlParam::Instant("2024-01-01T00:00:00Z".parse().unwrap())]
        );
        let s = sql("le(created_at,2024-01-01T00:00:00.0000015Z)");
        assert_eq!(s.sql_where, r#"("products".created_at <= $1::timestamptz)"#);
        assert_eq!(
            s.params,
            [SqlParam::Instant(
                "2024-01-01T00:00:00.000001Z".parse().unwrap()
            )]
        );
        assert_eq!(
            sql("eq(created_at,2024-01-01T00:00:00.0000015Z)").sql_where,
            "(FALSE)"
        );
        assert_eq!(
            sql("ge(updated_at,2024-01-01)").sql_where,
            r#"("products".updated_at >= $1::timestamptz)"#
        );
    }

    #[test]
    fn numbers_as_serde_json_prints_them() {
        use NumberKind::*;
        for (text, kind) in [
            ("0", Some(Integer)),
            ("-12", Some(Integer)),
            ("18446744073709551615", Some(Integer)),
            ("-9223372036854775808", Some(Integer)),
            ("1.0", Some(Float)),
            ("1000.0", Some(Float)),
            ("1e+16", Some(Float)),
            ("1e16", None),
            ("1.5e-7", Some(Float)),
            ("-0.0", Some(Float)),
            ("1e3", None),
            ("1.50", None),
            ("01", None),
            ("+1", None),
            ("18446744073709551616", None),
            ("NaN", None),
            (" 1", None),
            ("1 ", None),
            ("", None),
        ] {
            assert_eq!(number_kind(text), kind, "{text:?}");
        }
    }

    #[test]
    fn placeholders_offset_and_quoting() {
        let f = compile("eq(sku,a):eq(has_nodes,false):in(id,00000000-0000-0000-0000-000000000001,00000000-0000-0000-0000-000000000002)").unwrap();
        let s = render_with(
            &f,
            &RenderOptions {
                first_param: 0,
                products: "my\"schema.p".into(),
                product_nodes: "pn".into(),
            },
        );
        assert_eq!(
            s.sql_where,
            r#"("my""schema"."p".sku = $1::text) AND (NOT EXISTS (SELECT 1 FROM "pn" AS cf_pn WHERE cf_pn.product_id = "my""schema"."p".id)) AND ("my""schema"."p".id = ANY($2::uuid[]))"#
        );
        assert_eq!(s.params.len(), 2);
    }
}
