//! Filters as DataFusion expressions over the `products` table of
//! [`tables`](super::tables) (see the [module docs](super) for what runs
//! natively and what runs the crate's evaluator).

use super::Error;
use crate::catalog::Product;
use crate::schema::{AttributeRef, Schema};
use crate::validate::{Comparison, Predicate, TextTest, ValidCondition, ValidExpr, ValidFilter};
use ::datafusion::arrow::array::{Array, ArrayRef, AsArray, BooleanArray};
use ::datafusion::arrow::compute::cast;
use ::datafusion::arrow::datatypes::DataType;
use ::datafusion::common::ScalarValue;
use ::datafusion::error::DataFusionError;
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
    node(filter.schema(), filter.expr())
}

/// The ids of the products of `ctx`'s `products` table that `filter`
/// matches, in UUID order.
pub async fn select_ids(
    ctx: &SessionContext,
    filter: &ValidFilter,
) -> Result<Vec<uuid::Uuid>, Error> {
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
fn node(schema: &Schema, e: &ValidExpr) -> Expr {
    let join = |terms: &[ValidExpr], and: bool| {
        terms
            .iter()
            .map(|t| node(schema, t))
            .reduce(|a, b| if and { a.and(b) } else { a.or(b) })
            .unwrap_or(lit(and))
    };
    match e {
        ValidExpr::Condition(c) => condition(schema, c),
        ValidExpr::And(terms) => join(terms, true),
        ValidExpr::Or(alternatives) => join(alternatives, false),
    }
}

fn condition(schema: &Schema, c: &ValidCondition) -> Expr {
    c.attribute_in(schema)
        .and_then(|a| native(&a, c.predicate()))
        .unwrap_or_else(|| evaluated(schema, c))
}

/// The scalar columns of `products` a native expression may read: the
/// attribute's pattern is its column.
const SCALAR_TEXT: [&str; 10] = [
    "sku",
    "slug",
    "name",
    "upc_ean",
    "manufacturer_part_num",
    "description",
    "external_ref",
    "status",
    "commodity_type",
    "owner",
];

/// A native expression for the condition, when there is one.
fn native(a: &AttributeRef<'_>, p: &Predicate) -> Option<Expr> {
    let pattern = a.pattern();
    if a.value_type().is_list() {
        return None;
    }
    let column = ident(pattern);
    match (pattern, p) {
        (c, Predicate::IsNull) if SCALAR_TEXT.contains(&c) || c == "parent_id" || c == "id" => {
            Some(column.is_null())
        }
        (c, Predicate::IsNull) if c == "created_at" || c == "updated_at" => Some(column.is_null()),
        (c, Predicate::Text(TextTest::Compare(cmp))) if SCALAR_TEXT.contains(&c) => {
            compare(column, cmp, |v| Some(lit(v.as_str())))
        }
        ("id" | "parent_id", Predicate::Uuid(cmp)) => {
            compare(column, cmp, |u| Some(lit(u.hyphenated().to_string())))
        }
        ("created_at" | "updated_at", Predicate::Instant(cmp)) => compare(column, cmp, |t| {
            t.timestamp_nanos_opt().map(|n| {
                lit(ScalarValue::TimestampNanosecond(
                    Some(n),
                    Some("UTC".into()),
                ))
            })
        }),
        _ => None,
    }
}

/// `column` compared with the values (`None` when a value has no literal).
fn compare<T>(column: Expr, c: &Comparison<T>, value: impl Fn(&T) -> Option<Expr>) -> Option<Expr> {
    Some(match c {
        Comparison::OneOf(values) => match values.as_slice() {
            [one] => column.eq(value(one)?),
            many => column.in_list(many.iter().map(value).collect::<Option<_>>()?, false),
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

/// The condition run by the crate's evaluator on the `record` column.
fn evaluated(schema: &Schema, c: &ValidCondition) -> Expr {
    let udf = Evaluated {
        name: format!(
            "catalog_filter_condition_{}_{}",
            c.span().start,
            c.span().end
        ),
        schema: schema.clone(),
        condition: c.clone(),
        signature: Signature::string(1, Volatility::Immutable),
    };
    ScalarUDF::new_from_impl(udf).call(vec![ident("record")])
}

/// One condition as a scalar UDF over `record` (a product as JSON): true
/// when the product parses and the condition holds on it.
#[derive(Debug)]
struct Evaluated {
    name: String,
    schema: Schema,
    condition: ValidCondition,
    signature: Signature,
}

impl PartialEq for Evaluated {
    fn eq(&self, other: &Evaluated) -> bool {
        self.name == other.name
            && self.condition == other.condition
            && self.schema.same(&other.schema)
    }
}

impl Eq for Evaluated {}

impl Hash for Evaluated {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name.hash(state);
        self.condition.hash(state);
    }
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
        // Parquet text arrives as `Utf8View`.
        let records: ArrayRef = cast(&arg.to_array(args.number_rows)?, &DataType::Utf8)?;
        let Some(records) = records.as_string_opt::<i32>() else {
            return Err(DataFusionError::Execution(format!(
                "{}: `record` is {}, not text",
                self.name,
                records.data_type()
            )));
        };
        let mut out = Vec::with_capacity(records.len());
        for record in records.iter() {
            let holds = match record {
                None => false,
                Some(json) => {
                    let product: Product = serde_json::from_str(json).map_err(|e| {
                        DataFusionError::Execution(format!("`record` is not a product: {e}"))
                    })?;
                    self.condition.matches_in(&self.schema, &product)
                }
            };
            out.push(holds);
        }
        Ok(ColumnarValue::Array(Arc::new(BooleanArray::from(out))))
    }
}
