//! Properties of the grammar: printing then parsing gives the same filter
//! back, and no input makes the parser panic.

use catalog_filter::Limits;
use catalog_filter::syntax::{
    Arity, Attribute, Condition, Expr, Filter, Group, Op, Span, Value, parse, parse_with,
};
use proptest::prelude::*;

fn op() -> impl Strategy<Value = Op> {
    proptest::sample::select(Op::ALL.to_vec())
}

fn attribute_path() -> impl Strategy<Value = String> {
    proptest::collection::vec("[A-Za-z0-9_-]{1,8}", 1..4).prop_map(|names| names.join("."))
}

/// Values mixing bare characters with the ones that force quoting:
/// `, ( ) " ' \ :`, spaces (leading, inner, trailing) and non-ASCII text.
fn value_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9]{1,10}",
        "[ a-zA-Z0-9@$_*.{}|+:/-]{0,12}",
        r#"[ ,()"'\\:a-zé中🦀%#&]{0,12}"#,
        any::<String>().prop_map(|s| s.chars().filter(|c| !c.is_control()).collect()),
    ]
}

/// A generated tree that owns its text; [`Tree::expr`] views it as an AST.
#[derive(Clone, Debug)]
enum Tree {
    Condition(Op, String, Vec<String>),
    And(Vec<Tree>),
    Or(Vec<Tree>),
}

impl Tree {
    fn expr(&self) -> Expr<'_> {
        fn group(terms: &[Tree]) -> Group<'_> {
            Group {
                terms: terms.iter().map(Tree::expr).collect(),
                span: Span::default(),
            }
        }
        match self {
            Tree::Condition(op, path, values) => Expr::Condition(Condition {
                op: *op,
                op_span: Span::default(),
                attribute: Attribute {
                    path,
                    span: Span::default(),
                },
                values: values
                    .iter()
                    .map(|text| Value::new(text.as_str(), Span::default()))
                    .collect(),
                span: Span::default(),
            }),
            Tree::And(terms) => Expr::And(group(terms)),
            Tree::Or(terms) => Expr::Or(group(terms)),
        }
    }
}

fn condition() -> impl Strategy<Value = Tree> {
    (
        op(),
        attribute_path(),
        proptest::collection::vec(value_text(), 1..4),
    )
        .prop_map(|(op, path, mut values)| {
            match op.arity() {
                Arity::None => values.clear(),
                Arity::One => values.truncate(1),
                Arity::OneOrMore => {}
            }
            Tree::Condition(op, path, values)
        })
}

/// Trees of conditions, ANDs and ORs, up to four levels deep, including the
/// redundant shapes (one-term groups, a group in a group of its kind) that
/// printing normalises away.
fn tree() -> impl Strategy<Value = Tree> {
    condition().prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 1..4).prop_map(Tree::And),
            proptest::collection::vec(inner, 1..4).prop_map(Tree::Or),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// The printed form of any tree parses, to a tree with the same
    /// conditions in the same order, which prints the same: the canonical
    /// form is a fixed point of print . parse.
    #[test]
    fn print_then_parse_round_trips(t in tree()) {
        let f = Filter { expr: t.expr(), span: Span::default() };
        let printed = f.to_string();
        let parsed = parse_with(&printed, &Limits { max_depth: 64, ..Limits::DEFAULT })
            .map_err(|e| TestCaseError::fail(e.render(&printed)))?;
        prop_assert_eq!(parsed.to_string(), printed.clone());
        let before: Vec<_> = f.conditions().collect();
        let after: Vec<_> = parsed.conditions().collect();
        prop_assert_eq!(before.len(), after.len());
        for (a, b) in before.iter().zip(&after) {
            prop_assert!(a.same_shape(b), "{printed}");
        }
        // Parsing is already normal: printing then parsing again gives the same tree.
        let again = parse_with(&printed, &Limits { max_depth: 64, ..Limits::DEFAULT }).unwrap();
        prop_assert!(again.same_shape(&parsed));
    }

    /// Arbitrary text never panics; errors point inside the input on char
    /// boundaries, and successes re-print to something that parses the same.
    #[test]
    fn arbitrary_strings_never_panic(s in any::<String>()) {
        check_any(&s)?;
    }

    /// Same, with strings drawn mostly from the grammar's own alphabet so the
    /// parser gets deep into conditions.
    #[test]
    fn grammar_like_strings_never_panic(s in r#"[ eqlikngtu(),:|"'\\a-c0-9.*é\x00]{0,40}"#) {
        check_any(&s)?;
    }
}

fn check_any(s: &str) -> Result<(), TestCaseError> {
    match parse(s) {
        Ok(f) => {
            let printed = f.to_string();
            let again = parse(&printed).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert!(again.same_shape(&f));
            prop_assert_eq!(&s[f.span.range()], s.trim_matches(' '));
        }
        Err(e) => {
            prop_assert!(s.get(e.span().range()).is_some(), "{e:?} in {s:?}");
            let _ = e.render(s);
        }
    }
    Ok(())
}
