//! The fused compile: parse and validate a plain conjunction of conditions
//! (no groups, the common filter) in one pass, without building the tree.
//!
//! Each condition is validated as the grammar reads it
//! ([`crate::syntax::each_condition`]), by the same [`Checker::condition`]
//! the tree walk uses. The pass answers only when the filter is valid; at
//! the first thing it does not handle (a group, a parse error, a problem
//! with a condition, one condition too many) it gives up, and the caller
//! runs the two stages one after the other, which report every problem
//! with its span. So the fused pass never decides an error, and on the
//! filters it accepts it builds exactly the [`ValidFilter`] the two stages
//! build (`tests/fused_props.rs` checks both on generated filters).

use super::{Checker, ValidCondition, ValidExpr, ValidFilter};
use crate::limits::Limits;
use crate::schema::Schema;
use std::sync::OnceLock;

/// The terms a conjunction is first given room for: the default condition
/// limit ([`Limits::DEFAULT`]).
const TERMS: usize = Limits::DEFAULT.max_conditions;

/// `source` compiled against `schema` under `limits` when it is a valid
/// plain conjunction; `None` otherwise (see the module docs).
pub(crate) fn compile_conjunction(
    source: &str,
    schema: &Schema,
    limits: &Limits,
) -> Option<ValidFilter> {
    let mut checker = Checker::new(schema, limits);
    let mut first: Option<ValidCondition> = None;
    let mut terms: Vec<ValidExpr> = Vec::new();
    let span = crate::syntax::each_condition(source, |c| {
        checker.conditions += 1;
        if checker.conditions > limits.max_conditions {
            return false;
        }
        checker
            .condition(c, |valid| match first.take() {
                None if terms.is_empty() => first = Some(valid),
                None => terms.push(ValidExpr::Condition(valid)),
                Some(one) => {
                    // Room for the default limit's conditions: one allocation
                    // for the terms of almost every filter.
                    terms.reserve_exact(TERMS.min(limits.max_conditions).max(2));
                    terms.push(ValidExpr::Condition(one));
                    terms.push(ValidExpr::Condition(valid));
                }
            })
            .is_some()
    })?;
    let expr = match first {
        Some(one) => ValidExpr::Condition(one),
        None if terms.is_empty() => return None,
        None => ValidExpr::And(terms),
    };
    Some(ValidFilter {
        schema: schema.clone(),
        canonical: OnceLock::new(),
        source: source.get(span.range())?.into(),
        expr,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fused pass answers for valid plain conjunctions, and for nothing
    /// else (the stages answer those).
    #[test]
    fn answers_only_valid_conjunctions() {
        let schema = crate::validate::detach_nodes();
        let limits = Limits {
            max_conditions: 2,
            ..Limits::DEFAULT
        };
        let one = compile_conjunction(" eq(sku,a) ", schema, &limits).unwrap();
        assert!(matches!(one.expr(), ValidExpr::Condition(_)));
        assert_eq!(one.to_string(), "eq(sku,a)");
        let two = compile_conjunction("eq(sku,a) : eq(sku,b)", schema, &limits).unwrap();
        let ValidExpr::And(terms) = two.expr() else {
            panic!("an And: {:?}", two.expr());
        };
        assert_eq!(terms.len(), 2);
        assert_eq!(two.to_string(), "eq(sku,a):eq(sku,b)");
        for other in [
            "",
            "eq(sku,a):eq(sku,b):eq(sku,c)",
            "(eq(sku,a))",
            "eq(skus,a)",
            "eq(sku,a):",
            "eq(sku,a) x",
        ] {
            assert!(
                compile_conjunction(other, schema, &limits).is_none(),
                "{other}"
            );
        }
    }
}
