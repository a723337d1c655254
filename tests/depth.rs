//! Issue 27 D7: no `Limits` value lets input drive deep recursion. A
//! `max_depth` over `schema::MAX_DEPTH` (64) acts as 64 for the parser and
//! validation alike; before, `usize::MAX` let 10,000 levels through to
//! validation and 100,000 to `Display`, which overflowed the stack.

use catalog_filter::schema::{MAX_DEPTH, Schema};
use catalog_filter::syntax::{ParseErrorKind, Span, parse_with};
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
    // Within the parser's 64 groups, validation counts tree levels, where
    // the AND `eq(b,x):(...)` inside each OR is one more: the 33rd group's
    // AND is level 65, refused under the same cap (no recursion deeper).
    let deepest = alternating(64);
    match compiler.compile(&deepest) {
        Err(FilterError::Invalid(errors)) => {
            let e = errors.iter().next().unwrap();
            assert_eq!(errors.iter().count(), 1);
            assert_eq!(e.span(), Span::new(open(33) + 9, deepest.len() - 33));
            assert_eq!(
                e.to_string(),
                "groups nested too deeply: the limit is 64 levels"
            );
        }
        other => panic!("{other:?}"),
    }
    let f = compiler.compile(&alternating(32)).unwrap();
    assert_eq!(f.to_string(), alternating(32));
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
        deepest
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
