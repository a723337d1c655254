//! Columnar text for [`Catalog::select`]: each scalar text attribute
//! (`name`, `sku`, `slug`, `description`, `external_ref`, `upc_ean`,
//! `manufacturer_part_num`) of all products in one contiguous buffer with
//! offsets, so a condition on it scans memory in order (one substring search
//! over the whole buffer for `like(name,*Shoe*)`) instead of visiting every
//! product.
//!
//! A column is built on first use and kept (so loading and `detach` never
//! pay for it). Only `like` and `eq`/`in` on these attributes are evaluated
//! here; every other condition is tested per product with
//! [`ValidCondition::matches`](crate::validate::ValidCondition::matches), on
//! the products still in play. So correctness never depends on this module:
//! a predicate it does not know takes the per-product path.

use super::Catalog;
use super::model::Product;
use crate::pattern::{Pattern, PatternKind};
use crate::schema::Schema;
use crate::validate::{
    Comparison, Predicate, ShortStr, TextTest, ValidCondition, ValidExpr, ValidFilter, ValueList,
};
use memchr::memmem;
use std::sync::OnceLock;

/// The scalar text attributes that have columns, in column order.
const ATTRIBUTES: usize = 7;

/// The column index of a scalar text attribute, by its pattern (the same
/// patterns the product mapping of `eval` reads these fields for).
fn column_of(pattern: &str) -> Option<usize> {
    Some(match pattern {
        "name" => 0,
        "sku" => 1,
        "slug" => 2,
        "description" => 3,
        "external_ref" => 4,
        "upc_ean" => 5,
        "manufacturer_part_num" => 6,
        _ => return None,
    })
}

/// The product's value of column `column`.
fn value_of(column: usize, p: &Product) -> Option<&str> {
    match column {
        0 => p.name.as_deref(),
        1 => p.sku.as_deref(),
        2 => p.slug.as_deref(),
        3 => p.description.as_deref(),
        4 => p.external_ref.as_deref(),
        5 => p.upc_ean.as_deref(),
        6 => p.manufacturer_part_num.as_deref(),
        _ => None,
    }
}

/// The lazily built columns of a catalog.
#[derive(Clone, Debug, Default)]
pub(crate) struct Columns {
    text: [OnceLock<Option<TextColumn>>; ATTRIBUTES],
}

/// All products' values of one attribute: value `i` is
/// `bytes[offsets[i]..offsets[i + 1]]`, present when `present[i]`.
#[derive(Clone, Debug)]
struct TextColumn {
    bytes: Vec<u8>,
    offsets: Vec<u32>,
    present: Vec<bool>,
}

impl TextColumn {
    /// `None` when the values do not fit 32-bit offsets.
    fn build(column: usize, products: &[Product]) -> Option<TextColumn> {
        let total: usize = products
            .iter()
            .map(|p| value_of(column, p).map_or(0, str::len))
            .sum();
        u32::try_from(total).ok()?;
        let mut bytes = Vec::with_capacity(total);
        let mut offsets = Vec::with_capacity(products.len() + 1);
        let mut present = Vec::with_capacity(products.len());
        offsets.push(0);
        for p in products {
            let value = value_of(column, p);
            present.push(value.is_some());
            bytes.extend_from_slice(value.unwrap_or_default().as_bytes());
            // `total` fits u32, so every prefix does.
            offsets.push(bytes.len() as u32);
        }
        Some(TextColumn {
            bytes,
            offsets,
            present,
        })
    }

    fn value(&self, i: usize) -> Option<&[u8]> {
        let start = *self.offsets.get(i)? as usize;
        let end = *self.offsets.get(i + 1)? as usize;
        self.bytes.get(start..end)
    }

    /// `mask[i] &= value i passes`, for every present value.
    fn retain(&self, mask: &mut [bool], mut test: impl FnMut(&[u8]) -> bool) {
        for (i, m) in mask.iter_mut().enumerate() {
            if *m {
                *m = self.present.get(i).copied().unwrap_or(false)
                    && self.value(i).is_some_and(&mut test);
            }
        }
    }

    /// `mask[i] &= value i contains needle` (needle not empty), by one
    /// search over the whole buffer.
    fn retain_containing(&self, mask: &mut [bool], needle: &[u8]) {
        let finder = memmem::Finder::new(needle);
        let mut hits = vec![false; mask.len()];
        let mut at = 0usize;
        let mut product = 0usize;
        while let Some(k) = self.bytes.get(at..).and_then(|rest| finder.find(rest)) {
            let start = at + k;
            // The value holding byte `start`: the last whose start <= start.
            let ends = self.offsets.get(product + 1..).unwrap_or_default();
            product += ends.partition_point(|&end| end as usize <= start);
            let Some(&end) = self.offsets.get(product + 1) else {
                break;
            };
            let end = end as usize;
            if start + needle.len() <= end {
                if let Some(h) = hits.get_mut(product) {
                    *h = true;
                }
                // The rest of this value cannot add anything.
                at = end;
            } else {
                // The match crosses into the next value: look again from
                // the next byte.
                at = start + 1;
            }
        }
        for (m, h) in mask.iter_mut().zip(hits) {
            *m &= h;
        }
    }
}

impl Catalog {
    /// One flag per product: does it match `filter`. Conditions on scalar
    /// text attributes are evaluated over columns; the others per product.
    pub(crate) fn matching(&self, filter: &ValidFilter) -> Vec<bool> {
        let mut mask = vec![true; self.products().len()];
        self.retain_matching(filter.schema(), filter.expr(), &mut mask);
        mask
    }

    /// `mask[i] &= product i matches filter`, testing per product only the
    /// products still in `mask` (as [`Catalog::matching`] does for all).
    /// A mask shorter than the catalog covers its first products.
    pub(crate) fn retain_filter(&self, filter: &ValidFilter, mask: &mut [bool]) {
        self.retain_matching(filter.schema(), filter.expr(), mask);
    }

    /// `mask[i] &= product i satisfies expr`.
    fn retain_matching(&self, schema: &Schema, expr: &ValidExpr, mask: &mut [bool]) {
        match expr {
            ValidExpr::Condition(c) => {
                if !self.retain_columnar(schema, c, mask) {
                    for (m, p) in mask.iter_mut().zip(self.products()) {
                        if *m {
                            *m = c.matches_in(schema, p);
                        }
                    }
                }
            }
            ValidExpr::And(terms) => {
                // Columnar terms first: they narrow the per-product work.
                let (columnar, other): (Vec<&ValidExpr>, Vec<&ValidExpr>) =
                    terms.iter().partition(|t| is_columnar(schema, t));
                for term in columnar.into_iter().chain(other) {
                    self.retain_matching(schema, term, mask);
                }
            }
            ValidExpr::Or(alternatives) => {
                let mut any = vec![false; mask.len()];
                for alternative in alternatives {
                    let mut m = mask.to_vec();
                    self.retain_matching(schema, alternative, &mut m);
                    for (a, b) in any.iter_mut().zip(m) {
                        *a |= b;
                    }
                }
                mask.copy_from_slice(&any);
            }
        }
    }

    /// Evaluates `predicate` over its column; false (and `mask` untouched)
    /// when it has none.
    fn retain_columnar(&self, schema: &Schema, c: &ValidCondition, mask: &mut [bool]) -> bool {
        let Some((column, test)) = columnar_test(schema, c) else {
            return false;
        };
        let Some(cell) = self.columns.text.get(column) else {
            return false;
        };
        let Some(col) = cell
            .get_or_init(|| TextColumn::build(column, self.products()))
            .as_ref()
        else {
            return false;
        };
        match test {
            Test::Like(p) => {
                let needle = p.needle().as_bytes();
                match p.kind() {
                    PatternKind::Contains => col.retain_containing(mask, needle),
                    _ => col.retain(mask, |v| like(p, v)),
                }
            }
            Test::OneOf(values) => {
                col.retain(mask, |v| values.iter().any(|w| w.as_bytes() == v));
            }
        }
        true
    }
}

/// What the columns can evaluate.
enum Test<'f> {
    Like(&'f Pattern),
    OneOf(&'f ValueList<ShortStr>),
}

/// True when `expr` is a condition the columns evaluate.
fn is_columnar(schema: &Schema, expr: &ValidExpr) -> bool {
    match expr {
        ValidExpr::Condition(c) => columnar_test(schema, c).is_some(),
        _ => false,
    }
}

fn columnar_test<'f>(schema: &Schema, c: &'f ValidCondition) -> Option<(usize, Test<'f>)> {
    let Predicate::Text(test) = c.predicate() else {
        return None;
    };
    let column = column_of(c.attribute_in(schema)?.pattern())?;
    let test = match test {
        TextTest::Like(p) => Test::Like(p),
        TextTest::Compare(Comparison::OneOf(values)) => Test::OneOf(values),
        _ => return None,
    };
    Some((column, test))
}

/// `like` on bytes of a value (the column holds whole UTF-8 values).
fn like(p: &Pattern, value: &[u8]) -> bool {
    let needle = p.needle().as_bytes();
    match p.kind() {
        PatternKind::Any => true,
        PatternKind::Contains => memmem::find(value, needle).is_some(),
        PatternKind::StartsWith => value.starts_with(needle),
        PatternKind::EndsWith => value.ends_with(needle),
        PatternKind::Equals => value == needle,
    }
}
