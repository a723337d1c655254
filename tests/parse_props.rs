//! Properties of the grammar: printing then parsing gives the same filter
//! back, and no input makes the parser panic.

use catalog_filter::syntax::{Attribute, Condition, Filter, Op, Span, Value, parse};
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

fn condition() -> impl Strategy<Value = Condition> {
    (
        op(),
        attribute_path(),
        proptest::collection::vec(value_text(), 1..4),
    )
        .prop_map(|(op, path, mut values)| {
            if !op.takes_many() {
                values.truncate(1);
            }
            Condition {
                op,
                op_span: Span::default(),
                attribute: Attribute {
                    path,
                    span: Span::default(),
                },
                values: values
                    .into_iter()
                    .map(|text| Value {
                        text,
                        span: Span::default(),
                    })
                    .collect(),
                span: Span::default(),
            }
        })
}

fn filter() -> impl Strategy<Value = Filter> {
    proptest::collection::vec(condition(), 1..5).prop_map(|conditions| Filter {
        conditions,
        span: Span::default(),
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// parse(f.to_string()) == f, spans aside; and the canonical form is a
    /// fixed point of print . parse.
    #[test]
    fn print_then_parse_round_trips(f in filter()) {
        let printed = f.to_string();
        let parsed = parse(&printed).map_err(|e| TestCaseError::fail(e.render(&printed)))?;
        prop_assert!(parsed.same_shape(&f), "{printed}\n{parsed:?}\n{f:?}");
        prop_assert_eq!(parsed.to_string(), printed);
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
    fn grammar_like_strings_never_panic(s in r#"[ eqlikngtu(),:"'\\a-c0-9.*é\x00]{0,40}"#) {
        check_any(&s)?;
    }
}

fn check_any(s: &str) -> Result<(), TestCaseError> {
    match parse(s) {
        Ok(f) => {
            let again = parse(&f.to_string()).map_err(|e| TestCaseError::fail(e.to_string()))?;
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
