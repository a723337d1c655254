//! Columnar text for [`Catalog::select`]: each scalar text attribute
//! (`name`, `sku`, `slug`, `description`, `external_ref`, `upc_ean`,
//! `manufacturer_part_num`) and each scalar enumeration (`status`,
//! `commodity_type`, `owner`) of all products in one contiguous buffer with
//! offsets, so a condition on it scans memory in order (one substring search
//! over the whole buffer for `like(name,*Shoe*)`) instead of visiting every
//! product.
//!
//! A column is built on first use and kept (so loading never pays for it).
//! Only `like`, `eq`/`in` and `gt`/`ge`/`lt`/`le` on these attributes are
//! evaluated here; every other condition is tested per product with
//! [`ConditionRef::matches`](crate::validate::ConditionRef::matches),
//! on the products still in play. So correctness never depends on this
//! module: a predicate it does not know takes the per-product path.

use super::Catalog;
use super::model::Product;
use crate::pattern::{LikePatternRef, PatternKind};
use crate::validate::{Comparison, ConditionRef, Predicate, TextTest, ValidExpr, ValidFilter};
use memchr::memmem;
use std::sync::OnceLock;

/// The scalar text and enumeration attributes that have columns.
const ATTRIBUTES: usize = 10;

/// The first enumeration's column (the ones before are text).
const FIRST_ENUM: usize = 7;

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
        "status" => 7,
        "commodity_type" => 8,
        "owner" => 9,
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
        7 => p.status.map(|v| v.as_str()),
        8 => p.commodity_type.map(|v| v.as_str()),
        9 => p.owner.map(|v| v.as_str()),
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
            // The value holding byte `start`: the first whose end > start.
            // Hits are usually in the next few values: step there, and
            // search the rest only for a far one.
            let mut steps = 0;
            while steps < 8
                && self
                    .offsets
                    .get(product + 1)
                    .is_some_and(|&end| end as usize <= start)
            {
                product += 1;
                steps += 1;
            }
            if steps == 8 {
                let ends = self.offsets.get(product + 1..).unwrap_or_default();
                product += ends.partition_point(|&end| end as usize <= start);
            }
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
        self.retain_matching(filter.expr(), &mut mask);
        mask
    }

    /// `mask[i] &= product i matches filter`, testing per product only the
    /// products still in `mask` (as [`Catalog::matching`] does for all).
    /// A mask shorter than the catalog covers its first products.
    pub(crate) fn retain_filter(&self, filter: &ValidFilter, mask: &mut [bool]) {
        self.retain_matching(filter.expr(), mask);
    }

    /// `mask[i] &= product i satisfies expr`.
    fn retain_matching(&self, expr: ValidExpr<'_>, mask: &mut [bool]) {
        match expr {
            ValidExpr::Condition(c) => {
                if !self.retain_columnar(c, mask) {
                    c.retain_matching(self.products(), mask);
                }
            }
            ValidExpr::And(terms) => {
                // Columnar terms first: they narrow the per-product work.
                // Text columns before enumerations: an enumeration has a
                // handful of values, so its test keeps many products, and
                // a later test only looks at the products still in play.
                let mut ordered: Vec<(u8, ValidExpr<'_>)> = terms.map(|t| (rank(t), t)).collect();
                ordered.sort_by_key(|&(r, _)| r);
                for (_, term) in ordered {
                    self.retain_matching(term, mask);
                }
            }
            ValidExpr::Or(alternatives) => {
                let mut any = vec![false; mask.len()];
                for alternative in alternatives {
                    let mut m = mask.to_vec();
                    self.retain_matching(alternative, &mut m);
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
    fn retain_columnar(&self, c: ConditionRef<'_>, mask: &mut [bool]) -> bool {
        let Some((column, test)) = columnar_test(c) else {
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
                // One search over the whole buffer, unless few values are
                // still in play (then only theirs are searched).
                let in_play = mask.iter().filter(|&&m| m).count();
                match p.kind() {
                    PatternKind::Contains if in_play > mask.len() / 8 => {
                        col.retain_containing(mask, needle)
                    }
                    _ => col.retain(mask, |v| like(&p, v)),
                }
            }
            // `str`'s order is bytewise, as on the per-product path.
            Test::Compare(c) => match c {
                Comparison::OneOf(values) => col.retain(mask, |v| values.bytes().any(|w| w == v)),
                Comparison::Gt(w) => col.retain(mask, |v| v > w.as_bytes()),
                Comparison::Ge(w) => col.retain(mask, |v| v >= w.as_bytes()),
                Comparison::Lt(w) => col.retain(mask, |v| v < w.as_bytes()),
                Comparison::Le(w) => col.retain(mask, |v| v <= w.as_bytes()),
                // Not produced by `columnar_test`.
                Comparison::All(_) => return false,
            },
        }
        true
    }
}

/// What the columns can evaluate.
enum Test<'f> {
    Like(LikePatternRef<'f>),
    /// Any comparison but `All` (a scalar has one value).
    Compare(Comparison<'f, str>),
}

/// True when `expr` is a condition the columns evaluate.
#[cfg(test)]
fn is_columnar(expr: ValidExpr<'_>) -> bool {
    rank(expr) < 2
}

/// The order an AND evaluates its terms in (a stable sort keeps the
/// written order within a rank): 0 for a condition on a text column, 1 on
/// an enumeration's column, 2 for the rest (per product).
fn rank(expr: ValidExpr<'_>) -> u8 {
    match expr {
        ValidExpr::Condition(c) => match columnar_test(c) {
            Some((column, _)) if column < FIRST_ENUM => 0,
            Some(_) => 1,
            None => 2,
        },
        _ => 2,
    }
}

fn columnar_test(c: ConditionRef<'_>) -> Option<(usize, Test<'_>)> {
    let Predicate::Text(test) = c.predicate() else {
        return None;
    };
    let column = column_of(c.field().pattern())?;
    let test = match test {
        TextTest::Like(p) => Test::Like(p),
        TextTest::Compare(Comparison::All(_)) => return None,
        TextTest::Compare(c) => Test::Compare(c),
        _ => return None,
    };
    Some((column, test))
}

/// `like` on bytes of a value (the column holds whole UTF-8 values).
fn like(p: &LikePatternRef<'_>, value: &[u8]) -> bool {
    let needle = p.needle().as_bytes();
    match p.kind() {
        PatternKind::Any => true,
        PatternKind::Contains => memmem::find(value, needle).is_some(),
        PatternKind::StartsWith => value.starts_with(needle),
        PatternKind::EndsWith => value.ends_with(needle),
        PatternKind::Equals => value == needle,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compiler::compile;

    /// Three products: live, draft, and one without status or name.
    fn sample() -> Catalog {
        let json = r#"{"products": [
          {"id": "00000000-0000-4000-8000-000000000001", "status": "live", "name": "Red Shoe", "external_ref": "b"},
          {"id": "00000000-0000-4000-8000-000000000002", "status": "draft", "name": "Shoelace", "external_ref": "a"},
          {"id": "00000000-0000-4000-8000-000000000003"}
        ]}"#;
        match Catalog::from_json(json) {
            Ok(c) => c,
            Err(e) => panic!("{e}"),
        }
    }

    fn selected(c: &Catalog, filter: &str) -> Vec<usize> {
        let Ok(f) = compile(filter) else {
            panic!("{filter} compiles");
        };
        let by_columns: Vec<usize> = c.select(&f).map(|(i, _)| i).collect();
        let one_by_one: Vec<usize> = (0..c.products().len())
            .filter(|&i| f.matches(&c.products()[i]))
            .collect();
        assert_eq!(by_columns, one_by_one, "{filter}");
        by_columns
    }

    #[test]
    fn enumerations_and_orderings_are_columnar_and_agree_per_product() {
        let c = sample();
        assert!(is_columnar_filter("eq(status,live)"));
        assert!(is_columnar_filter("lt(external_ref,b)"));
        assert!(!is_columnar_filter(
            "gt(id,00000000-0000-4000-8000-000000000001)"
        ));
        assert_eq!(selected(&c, "eq(status,live)"), [0]);
        assert_eq!(selected(&c, "eq(status,draft)"), [1]);
        assert_eq!(selected(&c, "lt(external_ref,b)"), [1]);
        assert_eq!(selected(&c, "le(external_ref,b)"), [0, 1]);
        assert_eq!(selected(&c, "gt(external_ref,a)"), [0]);
        assert_eq!(selected(&c, "ge(external_ref,a)"), [0, 1]);
        // The third product has no value: no comparison holds.
        assert_eq!(selected(&c, "ge(external_ref,\"\")"), [0, 1]);
        // `eq` narrows to one product, so the `like` searches only its value.
        assert_eq!(selected(&c, "eq(status,draft):like(name,*Shoe*)"), [1]);
        assert_eq!(
            selected(&c, "eq(status,live):like(name,*lace*)"),
            [] as [usize; 0]
        );
    }

    fn is_columnar_filter(filter: &str) -> bool {
        let Ok(f) = compile(filter) else {
            panic!("{filter} compiles");
        };
        is_columnar(f.expr())
    }
}
