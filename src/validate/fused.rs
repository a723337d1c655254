//! The fused compile: parse and validate a plain conjunction of conditions
//! (no groups, the common filter) in one pass, without building the tree.
//!
//! Each condition is validated as the grammar reads it
//! ([`crate::syntax::each_condition`]), by the same [`Checker::condition`]
//! the tree walk uses, which appends it to the flat filter. The pass
//! answers only when the filter is valid; at the first thing it does not
//! handle (a group, a parse error, a problem with a condition, one
//! condition too many) it gives up, and the caller runs the two stages one
//! after the other, which report every problem with its span. So the fused
//! pass never decides an error, and on the filters it accepts it builds
//! exactly the [`ValidFilter`] the two stages build (`tests/fused_props.rs`
//! checks both on generated filters).

use super::{Checker, Conjunction, Node, ValidFilter};
use crate::limits::Limits;
use crate::schema::Schema;
use std::sync::OnceLock;

/// The nodes a conjunction is first given room for: the root, a path,
/// and a condition and two values for each of the default limit's ten
/// conditions. That is 1 KiB, within the largest block glibc keeps in its
/// per-thread cache: 41 nodes (1,312 bytes) took malloc and free through
/// the general path, about 400 more instructions per compile under
/// callgrind.
const NODES: usize = 1024 / std::mem::size_of::<Node>();

// Checked when the crate is built: the first vector holds the default
// limit's conditions with two values each, and a path (a larger `Node`
// would need this revisited).
const _: () = assert!(NODES >= 2 + 3 * Limits::DEFAULT.max_conditions);

/// `source` compiled against `schema` under `limits` when it is a valid
/// plain conjunction; `None` otherwise (see the module docs).
pub(crate) fn compile_conjunction(
    source: &str,
    schema: &Schema,
    limits: &Limits,
) -> Option<ValidFilter> {
    let mut checker = Checker::new(schema, limits, source);
    // One allocation for the nodes (the root AND first) of almost every
    // filter.
    checker.nodes = Vec::with_capacity(NODES);
    checker.nodes.push(Node::Group {
        or: false,
        terms: 0,
        size: 0,
    });
    crate::syntax::each_condition(source, |c| {
        checker.conditions += 1;
        checker.conditions <= limits.max_conditions && checker.condition(c)
    })?;
    let n = checker.conditions;
    match n {
        0 => return None,
        // One condition is the root itself.
        1 => {
            checker.nodes.remove(0);
        }
        _ => {
            let terms = u32::try_from(n).ok()?;
            let size = u32::try_from(checker.nodes.len() - 1).ok()?;
            *checker.nodes.first_mut()? = Node::Group {
                or: false,
                terms,
                size,
            };
        }
    }
    Some(checker.finish(OnceLock::new(), Conjunction::Yes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::ValidExpr;

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
        assert_eq!(terms.count(), 2);
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
