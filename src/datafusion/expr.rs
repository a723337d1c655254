//! Filters as DataFusion expressions over the `products` table of
//! [`tables`](super::tables) (see the [module docs](super) for what runs
//! natively and what runs the crate's evaluator).

use super::Error;
use crate::catalog::Product;
use crate::pattern::{LikePatternRef, PatternKind};
use crate::schema::{AttributeRef, ProductField, Schema};
use crate::validate::{Comparison, ConditionRef, Predicate, TextTest, ValidExpr, ValidFilter};
use ::datafusion::arrow::array::{Array, ArrayRef, AsArray, BooleanArray};
use ::datafusion::arrow::compute::cast;
use ::datafusion::arrow::datatypes::DataType;
use ::datafusion::common::ScalarValue;
use ::datafusion::error::DataFusionError;
use ::datafusion::functions::expr_fn as strings;
use ::datafusion::logical_expr::{
    ColumnarValue, Expr, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use ::datafusion::prelude::{SessionContext, ident, lit};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// The filter as a boolean DataFusion expression over the `products` table
/// of [`tables`](super::tables): true exactly for the products
/// [`ValidFilter::matches`] accepts.
///
/// ```
/// use catalog_filter::compile;
/// use catalog_filter::datafusion::to_expr;
///
/// let expr = to_expr(&compile("eq(sku,book):gt(created_at,2024-01-01T00:00:00Z)").unwrap());
/// assert_eq!(
///     expr.to_string(),
///     r#"sku = Utf8("book") AND created_at > TimestampNanosecond(1704067200000000000, Some("UTC"))"#
/// );
/// ```
pub fn to_expr(filter: &ValidFilter) -> Expr {
    let shared = Shared {
        filter,
        shared: std::cell::OnceCell::new(),
    };
    node(&shared, filter.expr())
}

/// The ids of the products of `ctx`'s `products` table that `filter`
/// matches, in UUID order.
///
/// A failure reading the table's files is [`Error::Query`] (or
/// [`Error::Panicked`]), naming them.
pub async fn select_ids(
    ctx: &SessionContext,
    filter: &ValidFilter,
) -> Result<Vec<uuid::Uuid>, Error> {
    super::guard::guarded(ctx, &["products"], select(ctx, filter)).await
}

/// [`select_ids`], unguarded.
async fn select(ctx: &SessionContext, filter: &ValidFilter) -> Result<Vec<uuid::Uuid>, Error> {
    let batches = ctx
        .table("products")
        .await?
        .filter(to_expr(filter))?
        .select_columns(&["id"])?
        .collect()
        .await?;
    let mut ids = Vec::new();
    for batch in &batches {
        // Parquet text arrives as `Utf8View`.
        let column = cast(batch.column(0), &DataType::Utf8)
            .map_err(|_| Error::BadId(format!("a column of {}", batch.column(0).data_type())))?;
        let Some(column) = column.as_string_opt::<i32>() else {
            return Err(Error::BadId(format!(
                "a column of {}",
                batch.column(0).data_type()
            )));
        };
        for id in column.iter().flatten() {
            ids.push(id.parse().map_err(|_| Error::BadId(id.to_owned()))?);
        }
    }
    ids.sort_unstable();
    Ok(ids)
}

/// A node of the tree. (Recursion follows the tree, whose depth validation
/// bounds.)
fn node(filter: &Shared, e: ValidExpr<'_>) -> Expr {
    let join = |terms: crate::validate::Terms<'_>, and: bool| {
        terms
            .map(|t| node(filter, t))
            .reduce(|a, b| if and { a.and(b) } else { a.or(b) })
            .unwrap_or(lit(and))
    };
    match e {
        ValidExpr::Condition(c) => condition(filter, c),
        ValidExpr::And(terms) => join(terms, true),
        ValidExpr::Or(alternatives) => join(alternatives, false),
    }
}

fn condition(filter: &Shared, c: ConditionRef<'_>) -> Expr {
    native(&c.field(), &c.predicate()).unwrap_or_else(|| evaluated(filter, c))
}

/// The column of `products` that holds the attribute's values for a text
/// test the evaluator runs over it, with its kind: a scalar text column
/// (`ilike`, `text`, `contains_all`), or a list column (orderings and
/// patterns over the elements).
fn value_column(a: &AttributeRef<'_>) -> Option<(&'static str, Input)> {
    match a.product_field()? {
        ProductField::ProductTypes => Some(("product_types", Input::List)),
        ProductField::Tags => Some(("tags", Input::List)),
        ProductField::Templates => Some(("templates", Input::List)),
        f if ProductField::SCALAR_TEXT.contains(&f) => Some((f.pattern(), Input::Text)),
        _ => None,
    }
}

/// What an [`Evaluated`] condition reads.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
enum Input {
    /// The `record` column: the product as JSON, parsed per row.
    #[default]
    Record,
    /// A scalar text column: the attribute's one value.
    Text,
    /// A list column of text: the attribute's values.
    List,
    /// The free-form value at the attribute's path, looked up in the
    /// `free_form` map column: a list of its JSON text (none when absent).
    FreeForm,
}

/// Whether the attribute is a free-form one (extension, shopper or admin
/// attribute), whose value `products.free_form` holds.
fn is_free_form(a: &AttributeRef<'_>) -> bool {
    matches!(
        a.product_field(),
        Some(
            ProductField::Extension | ProductField::ShopperAttribute | ProductField::AdminAttribute
        )
    )
}

/// A product holding only the free-form value `value` at the attribute's
/// path, placed where [`Product`]'s record reads it (so that the condition
/// runs the one mapping of `eval::product`, which splits the path).
fn with_free_form(a: &AttributeRef<'_>, value: crate::json::AttributeValue) -> Product {
    let mut product = Product::default();
    let mut captures = a.path().splitn(3, '.');
    let _ = captures.next();
    match (a.product_field(), captures.next(), captures.next()) {
        (Some(ProductField::Extension), Some(template), Some(field)) => {
            product
                .extensions
                .get_or_insert_default(template)
                .insert(field.into(), value);
        }
        (Some(ProductField::ShopperAttribute), Some(field), _) => {
            product.shopper_attributes.insert(field.into(), value);
        }
        (Some(ProductField::AdminAttribute), Some(field), _) => {
            product.admin_attributes.insert(field.into(), value);
        }
        _ => {}
    }
    product
}

/// The filter, shared by the UDFs of its conditions (cloned once, on the
/// first condition that needs one).
struct Shared<'f> {
    filter: &'f ValidFilter,
    shared: std::cell::OnceCell<Arc<ValidFilter>>,
}

impl Shared<'_> {
    fn get(&self) -> &ValidFilter {
        self.filter
    }

    fn arc(&self) -> Arc<ValidFilter> {
        Arc::clone(self.shared.get_or_init(|| Arc::new(self.filter.clone())))
    }
}

/// A native expression for the condition, when there is one.
fn native(a: &AttributeRef<'_>, p: &Predicate<'_>) -> Option<Expr> {
    let pattern = a.pattern();
    if a.value_type().is_list() {
        return list(a.product_field()?, p);
    }
    let column = ident(pattern);
    // The scalar text columns of `products`: the attribute's pattern is
    // its column.
    let scalar_text = a
        .product_field()
        .is_some_and(|f| ProductField::SCALAR_TEXT.contains(&f));
    match (pattern, p) {
        (c, Predicate::IsNull) if scalar_text || c == "parent_id" || c == "id" => {
            Some(column.is_null())
        }
        (c, Predicate::IsNull) if c == "created_at" || c == "updated_at" => Some(column.is_null()),
        // `has_nodes` always has a value: whether `node_count` is positive.
        (_, Predicate::IsNull) if a.product_field() == Some(ProductField::HasNodes) => {
            Some(lit(false))
        }
        (_, Predicate::Bool(cmp)) if a.product_field() == Some(ProductField::HasNodes) => {
            compare(ident("node_count").gt(lit(0i32)), cmp, |b| Some(lit(*b)))
        }
        (_, Predicate::Text(TextTest::Compare(cmp))) if scalar_text => {
            compare(column, cmp, |v| Some(lit(v)))
        }
        (_, Predicate::Text(TextTest::Like(pattern))) if scalar_text => Some(like(column, pattern)),
        ("id" | "parent_id", Predicate::Uuid(cmp)) => {
            compare(column, cmp, |u| Some(lit(u.hyphenated().to_string())))
        }
        // Native only for instants the columns order exactly against (see
        // `tables::column_nanos`): not at or beyond an end of the
        // nanosecond range (out-of-range instants are clamped there), not
        // the last nanosecond of a second nor a leap second (leap seconds
        // are held there). The others are left to the evaluator.
        ("created_at" | "updated_at", Predicate::Instant(cmp)) => compare(column, cmp, |t| {
            let n = super::tables::column_nanos(t);
            let exact = t.timestamp_subsec_nanos() < 999_999_999;
            (exact && n != i64::MIN && n != i64::MAX).then(|| {
                lit(ScalarValue::TimestampNanosecond(
                    Some(n),
                    Some("UTC".into()),
                ))
            })
        }),
        _ => None,
    }
}

/// A native expression for a condition on one of the list columns of
/// `products` (`product_types`, `tags`, `templates`; empty when absent),
/// when there is one: `is_null` (an empty list), `eq`/`in` (an element is
/// one of the values) and `contains_all` (every value is an element), as
/// DataFusion's array functions. The orderings and patterns over a list's
/// elements are left to the evaluator.
fn list(field: ProductField, p: &Predicate<'_>) -> Option<Expr> {
    use ::datafusion::functions_nested::expr_fn::{
        array_empty, array_has, array_has_all, array_has_any, make_array,
    };
    let column = match field {
        ProductField::ProductTypes => ident("product_types"),
        ProductField::Tags => ident("tags"),
        ProductField::Templates => ident("templates"),
        _ => return None,
    };
    let values =
        |values: &crate::validate::Values<'_, str>| make_array(values.iter().map(lit).collect());
    match p {
        Predicate::IsNull => Some(array_empty(column)),
        Predicate::Text(TextTest::Compare(Comparison::OneOf(one))) => {
            Some(match (one.len(), one.first()) {
                (1, Some(v)) => array_has(column, lit(v)),
                _ => array_has_any(column, values(one)),
            })
        }
        Predicate::Text(TextTest::Compare(Comparison::All(all))) => {
            Some(array_has_all(column, values(all)))
        }
        _ => None,
    }
}

/// `like` on a text column, as DataFusion's string functions with the
/// needle as a literal (so no character of it is a wildcard, and nothing
/// needs escaping). An absent value (null) never matches.
fn like(column: Expr, pattern: &LikePatternRef<'_>) -> Expr {
    let needle = || lit(pattern.needle());
    match pattern.kind() {
        PatternKind::Any => column.is_not_null(),
        PatternKind::Contains => strings::contains(column, needle()),
        PatternKind::StartsWith => strings::starts_with(column, needle()),
        PatternKind::EndsWith => strings::ends_with(column, needle()),
        PatternKind::Equals => column.eq(needle()),
    }
}

/// `column` compared with the values (`None` when a value has no literal).
fn compare<T: ?Sized>(
    column: Expr,
    c: &Comparison<'_, T>,
    value: impl Fn(&T) -> Option<Expr>,
) -> Option<Expr> {
    Some(match c {
        Comparison::OneOf(values) => match (values.len(), values.first()) {
            (1, Some(one)) => column.eq(value(one)?),
            _ => column.in_list(values.iter().map(value).collect::<Option<_>>()?, false),
        },
        // Every value equal to the one value of a scalar: left to the
        // evaluator.
        Comparison::All(_) => return None,
        Comparison::Gt(v) => column.gt(value(v)?),
        Comparison::Ge(v) => column.gt_eq(value(v)?),
        Comparison::Lt(v) => column.lt(value(v)?),
        Comparison::Le(v) => column.lt_eq(value(v)?),
    })
}

/// The condition run by the crate's evaluator: a text test (`ilike`,
/// `text`) on the scalar text column holding the attribute's value, any
/// other condition on the `record` column (the product's JSON, parsed per
/// row: free-form values, list orderings and patterns, `like` on an
/// attribute without a column).
fn evaluated(filter: &Shared, c: ConditionRef<'_>) -> Expr {
    // The condition's position among the filter's conditions: what a codec
    // sends to a remote executor, with the filter's canonical text.
    let index = filter
        .get()
        .conditions()
        .position(|other| other.same(&c))
        .unwrap_or_default();
    let field = c.field();
    let udf = |input| ScalarUDF::new_from_impl(Evaluated::new(filter.arc(), index, input));
    if is_free_form(&field) {
        let value = ::datafusion::functions_nested::expr_fn::map_extract(
            ident("free_form"),
            lit(field.path()),
        );
        return udf(Input::FreeForm).call(vec![value]);
    }
    let (column, input) = match c.predicate() {
        Predicate::Text(_) => value_column(&field).unwrap_or(("record", Input::Record)),
        _ => ("record", Input::Record),
    };
    udf(input).call(vec![ident(column)])
}

/// One product's values of one text column (scalar: none or one; list:
/// its elements), as a record: every attribute reads them (the condition
/// has one attribute, whose column it is).
struct ColumnValues<'a, I>(I)
where
    I: Iterator<Item = Option<&'a str>> + Clone;

impl<'a, I> crate::eval::Record for ColumnValues<'a, I>
where
    I: Iterator<Item = Option<&'a str>> + Clone,
{
    fn any_value(
        &self,
        _: &AttributeRef<'_>,
        visit: &mut impl FnMut(crate::eval::RecordValue<'_>) -> bool,
    ) -> bool {
        self.0
            .clone()
            .flatten()
            .any(|s| visit(crate::eval::RecordValue::Text(s)))
    }
}

/// The prefix of the names of the UDFs that run a condition of a filter
/// (see [`Evaluated`]); the rest of the name is the condition's position.
pub(super) const UDF_PREFIX: &str = "catalog_filter_condition_";

/// One condition of a filter as a scalar UDF, run by the crate's
/// evaluator (so that it means exactly what it means in memory: `ilike`'s
/// case folding is the crate's, `text` its word search, neither of which
/// DataFusion has). Over `record` (a product as JSON): true when the
/// product parses and the condition holds on it. Over a text column or a
/// list column of text: true when the condition holds on its values.
#[derive(Debug)]
struct Evaluated {
    name: String,
    /// The whole filter (its schema, and the text a codec sends).
    filter: Arc<ValidFilter>,
    /// The condition's position in [`ValidFilter::conditions`].
    index: usize,
    /// What the argument is.
    input: Input,
    signature: Signature,
}

impl Evaluated {
    fn new(filter: Arc<ValidFilter>, index: usize, input: Input) -> Evaluated {
        Evaluated {
            name: format!("{UDF_PREFIX}{index}"),
            filter,
            index,
            input,
            signature: Signature::any(1, Volatility::Immutable),
        }
    }
}

/// What a codec sends for an [`Evaluated`] UDF: the filter's schema and
/// canonical text (parsing it gives the same tree, so the same conditions
/// in the same order), and the condition's position.
#[derive(serde::Serialize, serde::Deserialize)]
struct Payload {
    schema: String,
    filter: String,
    condition: usize,
    max_depth: usize,
    /// What the UDF reads (`record` when absent).
    #[serde(default)]
    input: Input,
}

/// Writes what [`decode_udf`] needs to rebuild `udf` into `buf`, when it is
/// one of this crate's conditions (`false` when it is not).
pub(super) fn encode_udf(udf: &ScalarUDF, buf: &mut Vec<u8>) -> ::datafusion::error::Result<bool> {
    let Some(evaluated) = udf.inner().downcast_ref::<Evaluated>() else {
        return Ok(false);
    };
    let payload = Payload {
        schema: evaluated.filter.schema().to_json(),
        filter: evaluated.filter.to_string(),
        condition: evaluated.index,
        max_depth: depth(evaluated.filter.expr()),
        input: evaluated.input,
    };
    serde_json::to_writer(buf, &payload)
        .map_err(|e| DataFusionError::Internal(format!("{}: {e}", evaluated.name)))?;
    Ok(true)
}

/// The UDF [`encode_udf`] wrote to `buf`, if `name` is one of this crate's
/// conditions (`None` when it is not).
pub(super) fn decode_udf(
    name: &str,
    buf: &[u8],
) -> Option<::datafusion::error::Result<Arc<ScalarUDF>>> {
    name.strip_prefix(UDF_PREFIX)?;
    let bad = |what: String| DataFusionError::Plan(format!("{name}: {what}"));
    Some((|| {
        let payload: Payload =
            serde_json::from_slice(buf).map_err(|e| bad(format!("not a condition: {e}")))?;
        let schema = Schema::from_json(&payload.schema).map_err(|e| bad(e.to_string()))?;
        // The filter was checked where it was compiled; only its depth is
        // bounded here (the parser descends).
        let limits = crate::limits::Limits {
            max_filter_bytes: usize::MAX,
            max_conditions: usize::MAX,
            max_in_values: usize::MAX,
            max_complexity: usize::MAX,
            max_depth: payload.max_depth,
            ..crate::limits::Limits::DEFAULT
        };
        let filter = crate::compiler::compile_checked(&payload.filter, &schema, &limits)
            .map_err(|e| bad(format!("`{}`: {e}", payload.filter)))?;
        if filter.conditions().nth(payload.condition).is_none() {
            return Err(bad(format!(
                "`{}` has no condition {}",
                payload.filter, payload.condition
            )));
        }
        Ok(Arc::new(ScalarUDF::new_from_impl(Evaluated::new(
            Arc::new(filter),
            payload.condition,
            payload.input,
        ))))
    })())
}

/// The number of levels of `e` (a condition is 1).
fn depth(e: ValidExpr<'_>) -> usize {
    match e {
        ValidExpr::Condition(_) => 1,
        ValidExpr::And(terms) | ValidExpr::Or(terms) => {
            1 + terms.map(depth).max().unwrap_or_default()
        }
    }
}

impl PartialEq for Evaluated {
    fn eq(&self, other: &Evaluated) -> bool {
        self.index == other.index && self.input == other.input && self.filter == other.filter
    }
}

impl Eq for Evaluated {}

impl Hash for Evaluated {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.index.hash(state);
        self.input.hash(state);
        self.filter.hash(state);
    }
}

impl Evaluated {
    /// [`Input::FreeForm`]: `values` holds each row's list of the value's
    /// JSON text (empty when absent).
    fn free_form(
        &self,
        values: &ArrayRef,
        condition: ConditionRef<'_>,
    ) -> ::datafusion::error::Result<ColumnarValue> {
        let bad = |what: String| DataFusionError::Execution(format!("{}: {what}", self.name));
        let lists = cast(values, &text_list())?;
        let Some(lists) = lists.as_list_opt::<i32>() else {
            return Err(bad(format!(
                "the argument is {}, not a list",
                values.data_type()
            )));
        };
        let field = condition.field();
        let mut out = Vec::with_capacity(lists.len());
        for list in lists.iter() {
            let text = list
                .as_ref()
                .and_then(|l| l.as_string_opt::<i32>().map(|t| t.iter().flatten().next()))
                .flatten();
            let product = match text {
                None => Product::default(),
                Some(text) => {
                    let raw = serde_json::value::RawValue::from_string(text.to_owned())
                        .map_err(|e| bad(format!("a free-form value is not JSON: {e}")))?;
                    let value = crate::json::AttributeValue::from_raw(&raw)
                        .map_err(|e| bad(format!("a free-form value is not JSON: {e}")))?;
                    with_free_form(&field, value)
                }
            };
            out.push(condition.matches(&product));
        }
        Ok(ColumnarValue::Array(Arc::new(BooleanArray::from(out))))
    }
}

/// A list of UTF-8 text: what list arguments are cast to (Parquet's lists
/// of text arrive as lists of `Utf8View`).
fn text_list() -> DataType {
    DataType::List(Arc::new(::datafusion::arrow::datatypes::Field::new(
        "item",
        DataType::Utf8,
        true,
    )))
}

impl ScalarUDFImpl for Evaluated {
    fn name(&self) -> &str {
        &self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _: &[DataType]) -> ::datafusion::error::Result<DataType> {
        Ok(DataType::Boolean)
    }

    fn invoke_with_args(
        &self,
        args: ScalarFunctionArgs,
    ) -> ::datafusion::error::Result<ColumnarValue> {
        let Some(arg) = args.args.first() else {
            return Err(DataFusionError::Internal(format!(
                "{}: no argument",
                self.name
            )));
        };
        let Some(condition) = self.filter.conditions().nth(self.index) else {
            return Err(DataFusionError::Internal(format!(
                "{}: the filter has no such condition",
                self.name
            )));
        };
        let not = |what: &str, found: &DataType| {
            DataFusionError::Execution(format!(
                "{}: the argument is {found}, not {what}",
                self.name
            ))
        };
        let arg = arg.to_array(args.number_rows)?;
        if self.input == Input::FreeForm {
            return self.free_form(&arg, condition);
        }
        if self.input == Input::List {
            // Parquet text arrives as `Utf8View`.
            let lists = cast(&arg, &text_list())?;
            let Some(lists) = lists.as_list_opt::<i32>() else {
                return Err(not("a list of text", arg.data_type()));
            };
            let mut out = Vec::with_capacity(lists.len());
            for list in lists.iter() {
                let holds = match &list {
                    None => false,
                    Some(values) => match values.as_string_opt::<i32>() {
                        Some(values) => condition.matches(&ColumnValues(values.iter())),
                        None => return Err(not("a list of text", arg.data_type())),
                    },
                };
                out.push(holds);
            }
            return Ok(ColumnarValue::Array(Arc::new(BooleanArray::from(out))));
        }
        // Parquet text arrives as `Utf8View`.
        let records: ArrayRef = cast(&arg, &DataType::Utf8)?;
        let Some(records) = records.as_string_opt::<i32>() else {
            return Err(not("text", arg.data_type()));
        };
        if self.input == Input::Text {
            let out: BooleanArray = records
                .iter()
                .map(|text| Some(condition.matches(&ColumnValues(std::iter::once(text)))))
                .collect();
            return Ok(ColumnarValue::Array(Arc::new(out)));
        }
        let mut out = Vec::with_capacity(records.len());
        for record in records.iter() {
            let holds = match record {
                None => false,
                Some(json) => {
                    let product: Product = serde_json::from_str(json).map_err(|e| {
                        DataFusionError::Execution(format!("`record` is not a product: {e}"))
                    })?;
                    condition.matches(&product)
                }
            };
            out.push(holds);
        }
        Ok(ColumnarValue::Array(Arc::new(BooleanArray::from(out))))
    }
}
