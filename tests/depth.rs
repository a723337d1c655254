//! Issue 27 D7: no `Limits` value lets input drive deep recursion. A
//! `max_depth` over `schema::MAX_DEPTH` (64) acts as 64 for the parser and
//! validation alike; before, `usize::MAX` let 10,000 levels through to
//! validation and 100,000 to `Display`, which overflowed the stack.

use catalog_filter::schema::{MAX_DEPTH, Schema};
use catalog_filter::syntax::{
    Attribute, Condition, Expr, Filter, Group, Op, ParseErrorKind, Span, Value, parse_with,
};
use catalog_filter::validate::ValidationErrorKind;
use catalog_filter::{CompilerBuilder, FilterError, Limits};

/// `levels` nested groups alternating OR and AND:
/// `(eq(a,x)|eq(b,x):(eq(a,x)|eq(b,x):(...eq(a,x)...)))`.
fn alternating(levels: usize) -> String {
    let mut s = "(eq(a,x)|eq(b,x):".repeat(levels);
    s.push_str("eq(a,x)");
    s.push_str(&")".repeat(levels));
    s
}

/// Where the `(` of group `n` (from 1) of [`alternating`] starts.
fn open(n: usize) -> usize {
    (n - 1) * "(eq(a,x)|eq(b,x):".len()
}

/// Every limit as large as it goes.
const UNLIMITED: Limits = Limits {
    max_filter_bytes: usize::MAX,
    max_conditions: usize::MAX,
    max_in_values: usize::MAX,
    max_node_ids: usize::MAX,
    max_product_ids: usize::MAX,
    max_depth: usize::MAX,
    max_complexity: 0,
    max_snapshot_bytes: usize::MAX,
};

fn schema() -> Schema {
    Schema::from_json(
        r#"{"name": "deep", "allow_or": true, "attributes": {
            "a": {"type": "text", "operators": ["eq"]},
            "b": {"type": "text", "operators": ["eq"]}
        }}"#,
    )
    .unwrap()
}

fn too_deep(at: usize) -> (ParseErrorKind, Span) {
    (
        ParseErrorKind::TooDeep { limit: MAX_DEPTH },
        Span::new(at, at + 1),
    )
}

#[test]
fn a_compiler_with_usize_max_depth_stops_at_64() {
    assert_eq!(MAX_DEPTH, 64);
    let compiler = CompilerBuilder::new()
        .schema(schema())
        .limits(UNLIMITED)
        .build();
    for levels in [65, 10_000] {
        let input = alternating(levels);
        match compiler.compile(&input) {
            Err(FilterError::Parse(e)) => {
                assert_eq!((e.kind().clone(), e.span()), too_deep(open(65)), "{levels}");
                assert_eq!(
                    e.to_string(),
                    "groups nested too deeply: the limit is 64 levels of parentheses"
                );
            }
            other => panic!("{levels} levels: {other:?}"),
        }
    }
    // Validation counts groups as the parser counts parentheses, so the
    // 64 groups the parser accepts validate too (before the top-level OR,
    // validation counted the AND inside each OR as a level and refused the
    // 33rd group). The outer group is a top-level OR, printed without its
    // parentheses.
    let deepest = alternating(64);
    let f = compiler.compile(&deepest).unwrap();
    assert_eq!(f.to_string(), deepest[1..deepest.len() - 1]);
    // The single-limit setter is capped the same way.
    let compiler = CompilerBuilder::new()
        .schema(schema())
        .limits(UNLIMITED)
        .max_depth(1_000_000)
        .build();
    match compiler.compile(&alternating(10_000)) {
        Err(FilterError::Parse(e)) => {
            assert_eq!((e.kind().clone(), e.span()), too_deep(open(65)));
        }
        other => panic!("{other:?}"),
    }
}

/// A hand-built tree one level deeper than the cap, as the canonical form
/// would parenthesise it: `Or` terms of `And`s (each one pair of
/// parentheses) or groups directly inside a group of the same kind (which
/// the parser splices, so only a hand-built tree has them). Each group's
/// span is its level, so the error names the first group too deep.
fn hand_built(levels: usize, same_kind: bool) -> Filter<'static> {
    let leaf = |n: usize| {
        Expr::Condition(Condition {
            op: Op::Eq,
            op_span: Span::new(n, n),
            attribute: Attribute {
                path: "a",
                span: Span::new(n, n),
            },
            values: vec![Value::new("x", Span::new(n, n))].into(),
            span: Span::new(n, n),
        })
    };
    let group = |terms, level: usize| Group {
        terms,
        span: Span::new(level, level + 1),
    };
    let mut expr = leaf(levels + 1);
    for level in (0..=levels).rev() {
        expr = if same_kind {
            Expr::And(group(vec![leaf(level), expr], level))
        } else {
            // The OR at `level` holds an AND holding the next OR: only
            // the OR inside the AND needs parentheses.
            let and = Expr::And(group(vec![leaf(level), expr], level));
            Expr::Or(group(vec![leaf(level), and], level))
        };
    }
    Filter {
        expr,
        span: Span::new(0, 1),
    }
}

/// Validation refuses a hand-built tree deeper than the cap without
/// entering it, at the first group too deep, and accepts one at the cap.
#[test]
fn validation_counts_groups_as_the_canonical_form_parenthesises_them() {
    let compiler = CompilerBuilder::new()
        .schema(schema())
        .limits(UNLIMITED)
        .build();
    for same_kind in [false, true] {
        let at_cap = hand_built(MAX_DEPTH, same_kind);
        assert!(compiler.validate(&at_cap).is_ok(), "{same_kind}");
        let over = hand_built(MAX_DEPTH + 1, same_kind);
        let errors = compiler.validate(&over).unwrap_err();
        let e = errors.iter().next().unwrap();
        assert_eq!(errors.iter().count(), 1);
        assert_eq!(
            (e.kind().clone(), e.span()),
            (
                ValidationErrorKind::TooDeep { limit: MAX_DEPTH },
                Span::new(MAX_DEPTH + 1, MAX_DEPTH + 2)
            ),
            "{same_kind}"
        );
        assert_eq!(
            e.to_string(),
            "groups nested too deeply: the limit is 64 levels"
        );
    }
    // The validated tree at the cap prints as the parser reads it back.
    let f = compiler.validate(&hand_built(MAX_DEPTH, false)).unwrap();
    assert_eq!(compiler.compile(f.as_str()).unwrap(), f);
}

#[test]
fn parse_with_usize_max_depth_stops_at_64() {
    let input = alternating(100_000);
    let e = parse_with(&input, &UNLIMITED).unwrap_err();
    assert_eq!((e.kind().clone(), e.span()), too_deep(open(65)));
    let opens = "(".repeat(100_000);
    let e = parse_with(&opens, &UNLIMITED).unwrap_err();
    assert_eq!((e.kind().clone(), e.span()), too_deep(64));
    let deepest = alternating(64);
    assert_eq!(
        parse_with(&deepest, &UNLIMITED).unwrap().to_string(),
        deepest[1..deepest.len() - 1]
    );
    // A limit under the cap still applies as set.
    let three = Limits {
        max_depth: 3,
        ..UNLIMITED
    };
    let e = parse_with(&alternating(4), &three).unwrap_err();
    assert_eq!(
        (e.kind().clone(), e.span()),
        (
            ParseErrorKind::TooDeep { limit: 3 },
            Span::new(open(4), open(4) + 1)
        )
    );
}
