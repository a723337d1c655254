//! The columnar evaluator of [`Catalog::select`]: conditions on the
//! scalar text and enumeration attributes that have a column (see the
//! catalog's columns) are evaluated over the column, one contiguous scan
//! (one substring search over the whole buffer for `like(name,*Shoe*)`);
//! every other condition is tested per product with
//! [`ConditionRef::matches`], on the products still in play. So
//! correctness never depends on this module: a predicate it does not know
//! takes the per-product path.
//!
//! Only `like`, `eq`/`in` and `gt`/`ge`/`lt`/`le` are evaluated here. The
//! catalog stores the columns and knows nothing of filters; this stage
//! reads them.

use crate::catalog::Catalog;
use crate::catalog::columns::{FIRST_ENUM, column_of};
use crate::pattern::{LikePatternRef, PatternKind};
use crate::validate::{Comparison, ConditionRef, Predicate, TextTest, ValidExpr, ValidFilter};

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
        let Some(col) = self.text_column(column) else {
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
                // Many products in play: by the column's order (a binary
                // search per value); few: compared one by one.
                Comparison::OneOf(values)
                    if mask.iter().filter(|&&m| m).count() > mask.len() / 8 =>
                {
                    col.retain_equal(mask, values.bytes())
                }
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
    let column = column_of(c.field().product_field()?)?;
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
    crate::pattern::matches_bytes(p.kind(), p.needle().as_bytes(), value)
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

    /// Each columned attribute is answered from its column, and the column
    /// holds that attribute's values: a lost mapping would fall back to the
    /// per-product path silently (same answers, no column), or read another
    /// field (answers that differ from the per-product path).
    #[test]
    fn each_columned_attribute_is_answered_from_its_own_column() {
        let c = Catalog::from_json(
            r#"{"products": [
              {"id": "00000000-0000-4000-8000-000000000001", "name": "n1", "sku": "s1", "slug": "g1",
               "description": "d1", "external_ref": "e1", "upc_ean": "u1", "manufacturer_part_num": "m1",
               "status": "live", "commodity_type": "physical", "owner": "store"},
              {"id": "00000000-0000-4000-8000-000000000002", "name": "n2", "sku": "s2", "slug": "g2",
               "description": "d2", "external_ref": "e2", "upc_ean": "u2", "manufacturer_part_num": "m2",
               "status": "draft", "commodity_type": "digital", "owner": "organization"}
            ]}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let every = crate::schema::Schema::every_operator();
        for (attribute, first, second) in [
            ("name", "n1", "n2"),
            ("sku", "s1", "s2"),
            ("slug", "g1", "g2"),
            ("description", "d1", "d2"),
            ("external_ref", "e1", "e2"),
            ("upc_ean", "u1", "u2"),
            ("manufacturer_part_num", "m1", "m2"),
            ("status", "live", "draft"),
            ("commodity_type", "physical", "digital"),
            ("owner", "store", "organization"),
        ] {
            for (value, expected) in [(first, 0), (second, 1)] {
                let text = format!("eq({attribute},{value})");
                let f = every
                    .compile(&text)
                    .unwrap_or_else(|e| panic!("{text}: {e}"));
                assert!(is_columnar(f.expr()), "{text} has a column");
                let column = f
                    .conditions()
                    .next()
                    .and_then(|c| c.field().product_field())
                    .and_then(column_of)
                    .unwrap_or_else(|| panic!("{text}: no column"));
                // Built by this condition, not before (each attribute is
                // asked first here), and used: the answer is the column's.
                assert_eq!(
                    c.text_column_built(column),
                    value == second,
                    "{text}: built only by the first condition on it"
                );
                let mask = c.matching(&f);
                assert!(
                    c.text_column_built(column),
                    "{text}: answered from its column"
                );
                let picked: Vec<usize> = (0..mask.len()).filter(|&i| mask[i]).collect();
                assert_eq!(picked, [expected], "{text}");
            }
        }
    }
}
