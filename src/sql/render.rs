//! Rendering a [`ValidFilter`] as a PostgreSQL `WHERE` clause (see the
//! [module docs](crate::sql)).

use crate::pattern::{LikePatternRef, PatternKind};
use crate::schema::{AttributeRef, Decimal};
use crate::schema::{JsonKey, SqlTarget};
use crate::validate::{Comparison, Predicate, TextTest, ValidExpr, ValidFilter, Values};
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
    /// The condition, to put after `WHERE` (or `AND`).
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
    /// `$n::boolean`.
    Bool(bool),
    /// `$n::boolean[]`.
    BoolArray(Vec<bool>),
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
/// assert_eq!(sql.sql_where, r#"("p"."sku" = ANY($3::text[]))"#);
/// ```
pub fn render_with(filter: &ValidFilter, options: &RenderOptions) -> SqlFilter {
    let mut r = Renderer {
        params: Vec::new(),
        first: options.first_param.max(1),
        products: quote_ident(&options.products),
        product_nodes: quote_ident(&options.product_nodes),
    };
    let sql = r.node(filter.expr());
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

/// Where an attribute's value is, as SQL.
enum Target {
    /// A column (scalar, or an array for list types).
    Column(String),
    /// A `jsonb` expression.
    Json(String),
    /// A computed boolean (`EXISTS (...)`).
    Exists(String),
}

/// A hyphenated UUID, for guarding casts of JSON strings (a constant).
const UUID_RE: &str =
    "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";

/// An RFC 3339 timestamp's shape, for guarding casts of JSON strings (a
/// constant).
const RFC3339_RE: &str = "^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$";

/// The SQL comparison operator and the single value of an ordering.
fn ordering<'f, T: ?Sized>(c: &Comparison<'f, T>) -> Option<(&'static str, &'f T)> {
    match c {
        Comparison::Gt(v) => Some((">", *v)),
        Comparison::Ge(v) => Some((">=", *v)),
        Comparison::Lt(v) => Some(("<", *v)),
        Comparison::Le(v) => Some(("<=", *v)),
        Comparison::OneOf(_) | Comparison::All(_) => None,
    }
}

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

    /// A column of the products table, or a qualified name (`t.email`),
    /// quoted as every identifier is (`"Email"` stays `Email`, which
    /// PostgreSQL would otherwise fold to `email`).
    fn col(&self, name: &str) -> String {
        if name.contains('.') {
            quote_ident(name)
        } else {
            format!("{}.{}", self.products, quote_ident(name))
        }
    }

    /// A node of the tree: a condition in parentheses, an AND of such, or
    /// an OR in parentheses. (Recursion follows the tree, whose depth
    /// validation bounds.)
    fn node(&mut self, e: ValidExpr<'_>) -> String {
        match e {
            ValidExpr::Condition(c) => format!("({})", self.predicate(&c.field(), &c.predicate())),
            ValidExpr::And(terms) => {
                let parts: Vec<String> = terms.map(|t| self.node(t)).collect();
                parts.join(" AND ")
            }
            ValidExpr::Or(alts) => {
                let parts: Vec<String> = alts
                    .map(|a| match a {
                        ValidExpr::And(_) => format!("({})", self.node(a)),
                        _ => self.node(a),
                    })
                    .collect();
                format!("({})", parts.join(" OR "))
            }
        }
    }

    /// Where the attribute lives: its SQL target, or by default the
    /// column of its name (one segment) or a JSON path (the first segment
    /// the column, the others keys).
    fn target(&mut self, a: &AttributeRef<'_>) -> Target {
        match a.attribute().sql() {
            Some(SqlTarget::Column(c)) => Target::Column(self.col(c)),
            Some(SqlTarget::Json { column, path }) => {
                let mut expr = format!("({}", self.col(column));
                for key in path {
                    let key = match key {
                        JsonKey::Key(k) => k.as_str(),
                        JsonKey::Capture(c) => a.capture(c).unwrap_or_default(),
                    };
                    let p = self.bind(SqlParam::Text(key.to_owned()), "text");
                    let _ = write!(expr, " -> {p}");
                }
                expr.push(')');
                Target::Json(expr)
            }
            Some(SqlTarget::Exists { table, column, key }) => {
                let table = if table == "product_nodes" {
                    self.product_nodes.clone()
                } else {
                    quote_ident(table)
                };
                Target::Exists(format!(
                    "EXISTS (SELECT 1 FROM {table} AS cf_pn WHERE cf_pn.{} = {})",
                    quote_ident(column),
                    self.col(key)
                ))
            }
            None => {
                let mut segments = a.segments();
                let first = segments.next().unwrap_or_default();
                let column = format!("{}.{}", self.products, quote_ident(first));
                let mut keys = segments.peekable();
                if keys.peek().is_none() {
                    return Target::Column(column);
                }
                let mut expr = format!("({column}");
                for key in keys {
                    let p = self.bind(SqlParam::Text(key.to_owned()), "text");
                    let _ = write!(expr, " -> {p}");
                }
                expr.push(')');
                Target::Json(expr)
            }
        }
    }

    /// A condition's test. A test that renders as the constant `FALSE`
    /// binds nothing: the JSON keys its target bound are taken back, since
    /// PostgreSQL refuses a parameter the statement does not use (issue 27
    /// D4: `eq` on a JSON instant with only sub-microsecond values).
    fn predicate(&mut self, a: &AttributeRef<'_>, p: &Predicate<'_>) -> String {
        let mark = self.params.len();
        let sql = self.test(a, p);
        if sql == "FALSE" {
            self.params.truncate(mark);
        }
        sql
    }

    fn test(&mut self, a: &AttributeRef<'_>, p: &Predicate<'_>) -> String {
        let list = a.value_type().is_list();
        let target = self.target(a);
        match (p, target) {
            (Predicate::IsNull, Target::Column(e)) if list => {
                format!("coalesce(cardinality({e}), 0) = 0")
            }
            (Predicate::IsNull, Target::Column(e)) => format!("{e} IS NULL"),
            (Predicate::IsNull, Target::Json(e)) if list => format!(
                "coalesce(jsonb_array_length(CASE WHEN jsonb_typeof({e}) = 'array' THEN {e} END), 0) = 0"
            ),
            (Predicate::IsNull, Target::Json(e)) => {
                format!("coalesce(jsonb_typeof({e}), 'null') = 'null'")
            }
            (Predicate::IsNull, Target::Exists(_)) => "FALSE".into(),
            (Predicate::Text(test), Target::Column(e)) if list => self.text_list(&e, test),
            (Predicate::Text(test), Target::Column(e) | Target::Exists(e)) => self.text(&e, test),
            (Predicate::Text(test), Target::Json(e)) if list => {
                let elements = format!(
                    "jsonb_array_elements(CASE WHEN jsonb_typeof({e}) = 'array' THEN {e} ELSE '[]'::jsonb END)"
                );
                match test {
                    TextTest::Compare(Comparison::All(v)) => {
                        let tests: Vec<String> = v
                            .iter()
                            .map(|t| {
                                // The test of `OneOf` one value.
                                let inner =
                                    any_of(vec![self.json_eq("cf_elem.v", t.to_string())], " OR ");
                                format!(
                                    "EXISTS (SELECT 1 FROM {elements} AS cf_elem(v) WHERE {inner})"
                                )
                            })
                            .collect();
                        any_of(tests, " AND ")
                    }
                    _ => {
                        let inner = self.json_text("cf_elem.v", test);
                        format!("EXISTS (SELECT 1 FROM {elements} AS cf_elem(v) WHERE {inner})")
                    }
                }
            }
            (Predicate::Text(test), Target::Json(e)) => self.json_text(&e, test),
            (Predicate::Number(c), target) => {
                let e = match target {
                    Target::Json(e) => {
                        format!("(CASE WHEN jsonb_typeof({e}) = 'number' THEN ({e})::numeric END)")
                    }
                    Target::Column(e) | Target::Exists(e) => e,
                };
                self.number(&e, c)
            }
            (Predicate::Bool(Comparison::OneOf(v)), Target::Exists(e)) if v.len() == 1 => {
                match v.first() {
                    Some(true) => e,
                    _ => format!("NOT {e}"),
                }
            }
            (Predicate::Bool(c), target) => {
                let e = match target {
                    Target::Json(e) => {
                        format!("(CASE WHEN jsonb_typeof({e}) = 'boolean' THEN ({e})::boolean END)")
                    }
                    Target::Column(e) | Target::Exists(e) => format!("({e})"),
                };
                self.boolean(&e, c)
            }
            (Predicate::Uuid(c), target) => {
                let e = match target {
                    Target::Json(e) => format!(
                        "(CASE WHEN jsonb_typeof({e}) = 'string' AND ({e} #>> '{{}}') ~ '{UUID_RE}' THEN ({e} #>> '{{}}')::uuid END)"
                    ),
                    Target::Column(e) | Target::Exists(e) => e,
                };
                self.uuid(&e, c)
            }
            (Predicate::Instant(c), target) => {
                let e = match target {
                    Target::Json(e) => format!(
                        "(CASE WHEN jsonb_typeof({e}) = 'string' AND ({e} #>> '{{}}') ~ '{RFC3339_RE}' THEN ({e} #>> '{{}}')::timestamptz END)"
                    ),
                    Target::Column(e) | Target::Exists(e) => e,
                };
                self.instant(&e, c)
            }
        }
    }

    /// A text test on a `text[]` column: any element passes.
    fn text_list(&mut self, expr: &str, test: &TextTest<'_>) -> String {
        match test {
            TextTest::Compare(Comparison::OneOf(v)) => {
                let p = self.bind(SqlParam::TextArray(strings(v)), "text[]");
                format!("{expr} && {p}")
            }
            TextTest::Compare(Comparison::All(v)) => {
                let p = self.bind(SqlParam::TextArray(strings(v)), "text[]");
                format!("{expr} @> {p}")
            }
            TextTest::Like(p) if p.kind() == PatternKind::Any => {
                format!("cardinality({expr}) > 0")
            }
            _ => {
                let inner = self.text("cf_elem.v", test);
                exists_element(expr, &inner)
            }
        }
    }

    /// A text test on a `jsonb` value, by its text form (see the module
    /// docs).
    fn json_text(&mut self, expr: &str, test: &TextTest<'_>) -> String {
        match test {
            TextTest::Compare(Comparison::OneOf(v)) => {
                let tests: Vec<String> = v
                    .iter()
                    .map(|t| self.json_eq(expr, t.to_string()))
                    .collect();
                any_of(tests, " OR ")
            }
            TextTest::Compare(Comparison::All(v)) => {
                let tests: Vec<String> = v
                    .iter()
                    .map(|t| self.json_eq(expr, t.to_string()))
                    .collect();
                any_of(tests, " AND ")
            }
            _ => {
                let text = format!(
                    "(CASE WHEN jsonb_typeof({expr}) IN ('string', 'number', 'boolean') THEN {expr} #>> '{{}}' END)"
                );
                self.text(&text, test)
            }
        }
    }

    /// Exact numeric comparisons (parameters are decimal texts cast to
    /// `numeric`).
    fn number(&mut self, expr: &str, c: &Comparison<'_, Decimal>) -> String {
        let texts = |v: &Values<'_, Decimal>| v.iter().map(Decimal::to_string).collect::<Vec<_>>();
        match c {
            Comparison::OneOf(v) => {
                let p = self.bind(SqlParam::TextArray(texts(v)), "text[]");
                format!("{expr} = ANY({p}::numeric[])")
            }
            Comparison::All(v) => {
                let p = self.bind(SqlParam::TextArray(texts(v)), "text[]");
                format!("{expr} = ALL({p}::numeric[])")
            }
            ordered => match ordering(ordered) {
                Some((cmp, v)) => {
                    let p = self.bind(SqlParam::Text(v.to_string()), "text");
                    format!("{expr} {cmp} {p}::numeric")
                }
                None => "FALSE".into(),
            },
        }
    }

    /// Boolean comparisons (only `OneOf` / `All` exist).
    fn boolean(&mut self, expr: &str, c: &Comparison<'_, bool>) -> String {
        match c {
            Comparison::OneOf(v) => match v.iter().copied().collect::<Vec<_>>().as_slice() {
                [one] => format!("{expr} = {}", self.bind(SqlParam::Bool(*one), "boolean")),
                many => {
                    let p = self.bind(SqlParam::BoolArray(many.to_vec()), "boolean[]");
                    format!("{expr} = ANY({p})")
                }
            },
            Comparison::All(v) => {
                let p = self.bind(
                    SqlParam::BoolArray(v.iter().copied().collect()),
                    "boolean[]",
                );
                format!("{expr} = ALL({p})")
            }
            _ => "FALSE".into(),
        }
    }

    /// A text test on one text expression.
    fn text(&mut self, expr: &str, test: &TextTest<'_>) -> String {
        match test {
            TextTest::Compare(Comparison::OneOf(v)) => self.text_one_of(expr, strings(v)),
            TextTest::Compare(Comparison::All(v)) => {
                let p = self.bind(SqlParam::TextArray(strings(v)), "text[]");
                format!("{expr} = ALL({p})")
            }
            TextTest::Compare(c) => match ordering(c) {
                Some((cmp, v)) => {
                    let p = self.bind(SqlParam::Text(v.to_string()), "text");
                    format!("{expr} COLLATE \"C\" {cmp} {p}")
                }
                None => "FALSE".into(),
            },
            TextTest::Like(pattern) => self.like(expr, pattern),
            TextTest::Ilike(pattern) => self.like(&format!("lower({expr})"), pattern),
            TextTest::Search(query) => {
                let p = self.bind(SqlParam::Text(query.query().to_owned()), "text");
                format!("to_tsvector('english', {expr}) @@ plainto_tsquery('english', {p})")
            }
        }
    }

    /// `expr` is one of `values`.
    fn text_one_of(&mut self, expr: &str, mut values: Vec<String>) -> String {
        if values.len() == 1 {
            if let Some(one) = values.pop() {
                let p = self.bind(SqlParam::Text(one), "text");
                return format!("{expr} = {p}");
            }
        }
        let p = self.bind(SqlParam::TextArray(values), "text[]");
        format!("{expr} = ANY({p})")
    }

    fn uuid(&mut self, expr: &str, c: &Comparison<'_, Uuid>) -> String {
        match c {
            Comparison::OneOf(v) => match v.iter().copied().collect::<Vec<_>>().as_slice() {
                [one] => format!("{expr} = {}", self.bind(SqlParam::Uuid(*one), "uuid")),
                many => {
                    let p = self.bind(SqlParam::UuidArray(many.to_vec()), "uuid[]");
                    format!("{expr} = ANY({p})")
                }
            },
            Comparison::All(v) => {
                let p = self.bind(SqlParam::UuidArray(v.iter().copied().collect()), "uuid[]");
                format!("{expr} = ALL({p})")
            }
            ordered => match ordering(ordered) {
                Some((cmp, v)) => format!("{expr} {cmp} {}", self.bind(SqlParam::Uuid(*v), "uuid")),
                None => "FALSE".into(),
            },
        }
    }

    /// Instants against microsecond data (see the module docs): a value
    /// with a sub-microsecond part equals no stored instant.
    fn instant(&mut self, expr: &str, c: &Comparison<'_, DateTime<Utc>>) -> String {
        let exact = |v: &Values<'_, DateTime<Utc>>| -> Vec<DateTime<Utc>> {
            v.iter()
                .filter(|t| t.nanosecond() % 1000 == 0)
                .copied()
                .collect()
        };
        match c {
            Comparison::OneOf(v) => match exact(v).as_slice() {
                [] => "FALSE".into(),
                [one] => format!(
                    "{expr} = {}",
                    self.bind(SqlParam::Instant(*one), "timestamptz")
                ),
                many => {
                    let p = self.bind(SqlParam::InstantArray(many.to_vec()), "timestamptz[]");
                    format!("{expr} = ANY({p})")
                }
            },
            Comparison::All(v) => {
                let all = exact(v);
                if all.len() < v.len() {
                    return "FALSE".into();
                }
                let p = self.bind(SqlParam::InstantArray(all), "timestamptz[]");
                format!("{expr} = ALL({p})")
            }
            ordered => match ordering(ordered) {
                Some((cmp, one)) => {
                    let floor = floor_micros(*one);
                    let cmp = if floor == *one {
                        cmp
                    } else if matches!(ordered, Comparison::Gt(_) | Comparison::Ge(_)) {
                        ">"
                    } else {
                        "<="
                    };
                    let p = self.bind(SqlParam::Instant(floor), "timestamptz");
                    format!("{expr} {cmp} {p}")
                }
                None => "FALSE".into(),
            },
        }
    }

    /// A `like` test of one text expression.
    fn like(&mut self, expr: &str, pattern: &LikePatternRef<'_>) -> String {
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

/// Owned copies of text values.
fn strings(v: &Values<'_, str>) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn exists_element(array: &str, test: &str) -> String {
    format!("EXISTS (SELECT 1 FROM unnest({array}) AS cf_elem(v) WHERE {test})")
}

/// The tests joined by `join` (` OR ` / ` AND `), each in parentheses.
fn any_of(tests: Vec<String>, join: &str) -> String {
    match tests.len() {
        0 => "FALSE".into(),
        1 => tests.into_iter().next().unwrap_or_else(|| "FALSE".into()),
        _ => format!("({})", tests.join(&format!("){join}("))),
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
    use crate::compiler::compile;
    use crate::schema::Schema;

    fn sql(filter: &str) -> SqlFilter {
        render(&compile(filter).unwrap())
    }

    #[test]
    fn like_kinds() {
        assert_eq!(
            sql("like(sku,*)").sql_where,
            r#"("products"."sku" IS NOT NULL)"#
        );
        assert_eq!(
            sql("like(sku,**)").sql_where,
            r#"("products"."sku" IS NOT NULL)"#
        );
        let s = sql("like(sku,a*b)");
        assert_eq!(s.sql_where, r#"("products"."sku" = $1::text)"#);
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
            r#"(cardinality("products"."tags") > 0)"#
        );
        assert_eq!(
            sql("like(tags,x*)").sql_where,
            r#"(EXISTS (SELECT 1 FROM unnest("products"."tags") AS cf_elem(v) WHERE cf_elem.v LIKE $1::text ESCAPE E'\\'))"#
        );
    }

    #[test]
    fn other_attributes() {
        assert_eq!(
            sql("eq(has_nodes,false)").sql_where,
            r#"(NOT EXISTS (SELECT 1 FROM "product_nodes" AS cf_pn WHERE cf_pn."product_id" = "products"."id"))"#
        );
        assert_eq!(
            sql("gt(external_ref,b)").sql_where,
            r#"("products"."external_ref" COLLATE "C" > $1::text)"#
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
                .contains("scale((\"products\".\"shopper_attributes\" -> $1::text)::numeric) = 0"),
            "{}",
            s.sql_where
        );
        let s = sql("eq(shopper_attributes.size,1e+16)");
        assert!(s.sql_where.contains("> 0"), "{}", s.sql_where);
    }

    fn whole(filter: &str) -> SqlFilter {
        let f = crate::compiler::compile_checked(
            filter,
            &crate::schema::Schema::every_operator(),
            &crate::limits::Limits::DEFAULT,
        )
        .unwrap();
        render(&f)
    }

    #[test]
    fn or_trees_and_the_whole_language() {
        let s = whole("(eq(sku,a):eq(status,live)|eq(sku,b))");
        assert_eq!(
            s.sql_where,
            r#"((("products"."sku" = $1::text) AND ("products"."status" = $2::text)) OR ("products"."sku" = $3::text))"#
        );
        let s = whole("eq(owner,store):(is_null(description)|ilike(name,*ShOe*))");
        assert_eq!(
            s.sql_where,
            r#"("products"."owner" = $1::text) AND (("products"."description" IS NULL) OR (lower("products"."name") LIKE $2::text ESCAPE E'\\'))"#
        );
        assert_eq!(s.params[1], SqlParam::Text("%shoe%".into()));
        assert_eq!(
            whole("text(description,running shoes)").sql_where,
            r#"(to_tsvector('english', "products"."description") @@ plainto_tsquery('english', $1::text))"#
        );
        assert_eq!(
            whole("contains_all(tags,a,b)").sql_where,
            r#"("products"."tags" @> $1::text[])"#
        );
        assert_eq!(
            whole("contains_any(tags,a,b)").sql_where,
            r#"("products"."tags" && $1::text[])"#
        );
        assert_eq!(
            whole("is_null(tags)").sql_where,
            r#"(coalesce(cardinality("products"."tags"), 0) = 0)"#
        );
        assert_eq!(
            whole("is_null(extensions.book.isbn)").sql_where,
            r#"(coalesce(jsonb_typeof(("products"."extensions" -> $1::text -> $2::text)), 'null') = 'null')"#
        );
        assert_eq!(
            whole("lt(external_ref,b)").sql_where,
            r#"("products"."external_ref" COLLATE "C" < $1::text)"#
        );
    }

    #[test]
    fn instants_below_microseconds() {
        let s = sql("gt(created_at,2024-01-01T00:00:00.0000005Z)");
        assert_eq!(
            s.sql_where,
            r#"("products"."created_at" > $1::timestamptz)"#
        );
        assert_eq!(
            s.params,
            [SqlParam::Instant("2024-01-01T00:00:00Z".parse().unwrap())]
        );
        let s = sql("le(created_at,2024-01-01T00:00:00.0000015Z)");
        assert_eq!(
            s.sql_where,
            r#"("products"."created_at" <= $1::timestamptz)"#
        );
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
            r#"("products"."updated_at" >= $1::timestamptz)"#
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
            r#"("my""schema"."p"."sku" = $1::text) AND (NOT EXISTS (SELECT 1 FROM "pn" AS cf_pn WHERE cf_pn."product_id" = "my""schema"."p"."id")) AND ("my""schema"."p"."id" = ANY($2::uuid[]))"#
        );
        assert_eq!(s.params.len(), 2);
    }

    /// Issue 27 D10: a column named in a schema's `sql` target is quoted
    /// like the default target, so `Email` is not folded to `email` (with
    /// both columns present, the filter used the wrong one), and a
    /// qualified name is quoted part by part.
    #[test]
    fn sql_target_identifiers_are_quoted() {
        let schema = Schema::from_json(
            r#"{"name": "people", "attributes": {
                "email": {"type": "text", "operators": ["eq"], "sql": {"column": "Email"}},
                "city": {"type": "text", "operators": ["eq"], "sql": {"column": "addr.City"}},
                "tag": {"type": "text", "operators": ["eq"], "sql": {"json": ["Extra", "tag"]}}
            }}"#,
        )
        .unwrap();
        let f = schema.compile("eq(email,a):eq(city,b):eq(tag,c)").unwrap();
        assert_eq!(
            render(&f).sql_where,
            r#"("products"."Email" = $1::text) AND ("addr"."City" = $2::text) AND (CASE jsonb_typeof(("products"."Extra" -> $3::text)) WHEN 'string' THEN ("products"."Extra" -> $3::text) #>> '{}' = $4::text WHEN 'boolean' THEN ("products"."Extra" -> $3::text) #>> '{}' = $4::text ELSE FALSE END)"#
        );
    }

    /// Issue 27 D4: a condition rendered as `FALSE` returns no parameter
    /// (its JSON keys were returned before, which PostgreSQL refuses), and
    /// the placeholders after it are numbered from where it began.
    #[test]
    fn a_constant_condition_binds_nothing() {
        let schema = Schema::from_json(
            r#"{"name": "events", "allow_or": true, "attributes": {
                "at": {"type": "instant", "operators": ["eq", "in"], "sql": {"json": ["doc", "at"]}},
                "meta.at": {"type": "instant", "operators": ["eq", "in"]},
                "name": {"type": "text", "operators": ["eq"]}
            }}"#,
        )
        .unwrap();
        let sub = "2024-01-01T00:00:00.0000001Z";
        for f in [
            format!("eq(at,{sub})"),
            format!("in(at,{sub},2024-01-01T00:00:00.0000002Z)"),
            format!("eq(meta.at,{sub})"),
        ] {
            let s = render(&schema.compile(&f).unwrap());
            assert_eq!(s.sql_where, "(FALSE)", "{f}");
            assert_eq!(s.params, [], "{f}");
        }
        let s = render(
            &schema
                .compile(&format!(
                    "(eq(at,{sub})|eq(name,x)):eq(meta.at,{sub}):eq(name,y)"
                ))
                .unwrap(),
        );
        assert_eq!(
            s.sql_where,
            r#"((FALSE) OR ("products"."name" = $1::text)) AND (FALSE) AND ("products"."name" = $2::text)"#
        );
        assert_eq!(
            s.params,
            [SqlParam::Text("x".into()), SqlParam::Text("y".into())]
        );
    }
}
