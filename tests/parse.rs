//! The filter grammar: exact ASTs, canonical forms, exact errors and spans.

use catalog_filter::syntax::{
    Attribute, Condition, Expected, Filter, Op, ParseErrorKind, Span, Value, parse,
};

fn span(r: std::ops::Range<usize>) -> Span {
    Span::new(r.start, r.end)
}

/// Asserts `input` parses and prints back unchanged (it is canonical).
fn verified(input: &str) -> Filter {
    let f = parse(input).unwrap_or_else(|e| panic!("{input:?}: {}", e.render(input)));
    assert_eq!(f.to_string(), input, "canonical form of {input:?}");
    f
}

/// Asserts `input` parses and prints as `canonical`, which parses to the same shape.
fn parses_to(input: &str, canonical: &str) -> Filter {
    let f = parse(input).unwrap_or_else(|e| panic!("{input:?}: {}", e.render(input)));
    assert_eq!(f.to_string(), canonical, "canonical form of {input:?}");
    let again = verified(canonical);
    assert!(f.same_shape(&again));
    f
}

fn value(text: &str, r: std::ops::Range<usize>) -> Value {
    Value {
        text: text.into(),
        span: span(r),
    }
}

#[test]
fn exact_ast_of_a_simple_condition() {
    let f = verified("eq(sku,book)");
    assert_eq!(
        f,
        Filter {
            conditions: vec![Condition {
                op: Op::Eq,
                op_span: span(0..2),
                attribute: Attribute {
                    path: "sku".into(),
                    span: span(3..6)
                },
                values: vec![value("book", 7..11)],
                span: span(0..12),
            }],
            span: span(0..12),
        }
    );
}

#[test]
fn double_quoted_value_with_space() {
    let f = parses_to(r#"eq(name,"Ron Swanson")"#, "eq(name,Ron Swanson)");
    assert_eq!(f.conditions[0].values, vec![value("Ron Swanson", 8..21)]);
}

#[test]
fn single_quoted_value_with_escaped_quote() {
    let f = parses_to(r"eq(name,'Food \'n Stuff')", r#"eq(name,"Food 'n Stuff")"#);
    assert_eq!(f.conditions[0].values, vec![value("Food 'n Stuff", 8..24)]);
}

#[test]
fn escapes_inside_quotes() {
    let f = parses_to(r#"eq(name,"a \"b\" \\ c")"#, r#"eq(name,"a \"b\" \\ c")"#);
    assert_eq!(f.conditions[0].values[0].text, r#"a "b" \ c"#);
    let f = parses_to(r"eq(name,'back\\slash')", r#"eq(name,"back\\slash")"#);
    assert_eq!(f.conditions[0].values[0].text, r"back\slash");
    // A double quote needs no escape inside single quotes, and vice versa.
    let f = parses_to(r#"eq(name,'say "hi"')"#, r#"eq(name,"say \"hi\"")"#);
    assert_eq!(f.conditions[0].values[0].text, r#"say "hi""#);
    let f = parses_to(r#"eq(name,"it's")"#, r#"eq(name,"it's")"#);
    assert_eq!(f.conditions[0].values[0].text, "it's");
}

#[test]
fn quoted_attribute_as_the_vendor_prints_it() {
    let f = parses_to(r#"eq("name","x")"#, "eq(name,x)");
    assert_eq!(
        f.conditions[0].attribute,
        Attribute {
            path: "name".into(),
            span: span(3..9)
        }
    );
    assert_eq!(f.conditions[0].values, vec![value("x", 10..13)]);
}

#[test]
fn optional_spaces() {
    // Around the filter, around `:`, before `(`, leading in operands, after quotes.
    let f = parses_to(
        "  eq (sku, book) : in( id , a ,\"b\" ) ",
        r#"eq(sku,book):in(id,"a ",b)"#,
    );
    assert_eq!(f.span, span(2..36));
    let [first, second] = &f.conditions[..] else {
        panic!("two conditions expected")
    };
    assert_eq!(first.op_span, span(2..4));
    assert_eq!(first.attribute.span, span(6..9));
    assert_eq!(first.values, vec![value("book", 11..15)]);
    assert_eq!(first.span, span(2..16));
    // Spaces after a bare attribute are dropped; after a bare value they stay.
    assert_eq!(second.attribute.span, span(23..25));
    assert_eq!(second.values, vec![value("a ", 28..30), value("b", 31..34)]);
    assert_eq!(second.span, span(19..36));

    let f = parses_to("eq( name , x)", "eq(name,x)");
    assert_eq!(f.conditions[0].attribute.span, span(4..8));
    assert_eq!(f.conditions[0].values, vec![value("x", 11..12)]);
}

#[test]
fn trailing_space_of_bare_value_is_kept_and_printed_quoted() {
    let f = parses_to("eq(name,x )", r#"eq(name,"x ")"#);
    assert_eq!(f.conditions[0].values, vec![value("x ", 8..10)]);
}

#[test]
fn colon_inside_values() {
    let f =
        verified("gt(updated_at,2024-01-01T00:00:00Z):lt(created_at,2025-01-01T00:00:00+02:00)");
    assert_eq!(f.conditions[0].values[0].text, "2024-01-01T00:00:00Z");
    assert_eq!(f.conditions[1].values[0].text, "2025-01-01T00:00:00+02:00");
}

#[test]
fn every_operator() {
    for op in Op::ALL {
        let input = format!("{op}(a,b)");
        assert_eq!(verified(&input).conditions[0].op, op);
    }
    let f = verified("in(sku,a,b,c)");
    assert_eq!(f.conditions[0].values.len(), 3);
}

#[test]
fn empty_string_and_special_characters_are_quoted_in_canonical_form() {
    verified(r#"eq(name,"")"#);
    parses_to("eq(name,'')", r#"eq(name,"")"#);
    verified(r#"eq(name,"a,b(c)")"#);
    verified(r#"eq(name,"café")"#);
    verified(r#"eq(name," lead")"#);
    verified(r#"eq(name,"50%")"#);
    verified("eq(name,a+b@c$d_e*f.g{h}i|j:k/l-m n)");
}

#[test]
fn dotted_attribute_paths() {
    let f = verified("eq(extensions.book.isbn,1765426)");
    assert_eq!(
        f.conditions[0].attribute.segments().collect::<Vec<_>>(),
        ["extensions", "book", "isbn"]
    );
    verified("eq(admin_attributes.x-y_z,1)");
}

/// Every `?filter=` example of the vendor's API reference parses and prints
/// back unchanged.
#[test]
fn seed_examples_are_canonical() {
    let seed = include_str!("data/elasticpath-detach-nodes-api-reference.txt");
    let examples: Vec<&str> = seed
        .split("?filter=")
        .skip(1)
        .filter_map(|rest| rest.split(" |").next())
        .collect();
    assert_eq!(examples.len(), 8, "{examples:?}");
    for example in examples {
        verified(example);
    }
}

// ---------------------------------------------------------------- errors

use ParseErrorKind as K;

fn end(expected: Expected) -> K {
    K::UnexpectedEnd { expected }
}

fn unexpected(expected: Expected, found: char) -> K {
    K::Unexpected { expected, found }
}

/// (input, expected kind, expected span)
fn error_cases() -> Vec<(String, K, Span)> {
    let s = |s: &str| s.to_string();
    vec![
        (s(""), end(Expected::Operator), span(0..0)),
        (s("   "), end(Expected::Operator), span(3..3)),
        (s("eq"), end(Expected::OpenParen), span(2..2)),
        (s("eq("), end(Expected::Operand), span(3..3)),
        (s("eq(sku"), end(Expected::CommaOrCloseParen), span(6..6)),
        (s("eq(sku,)"), K::EmptyValue, span(7..7)),
        (
            s("eq(sku,book"),
            end(Expected::CommaOrCloseParen),
            span(11..11),
        ),
        (s("eq(sku,book))"), K::TrailingInput, span(12..13)),
        (s("eq(sku,book):"), end(Expected::Operator), span(13..13)),
        (
            s(":eq(sku,book)"),
            unexpected(Expected::Operator, ':'),
            span(0..1),
        ),
        (s("eq(sku,book)eq(name,x)"), K::TrailingInput, span(12..13)),
        (
            s("eqq(sku,book)"),
            K::UnknownOperator {
                found: s("eqq"),
                suggestion: Some(Op::Eq),
            },
            span(0..3),
        ),
        (
            s("EQ(sku,book)"),
            K::UnknownOperator {
                found: s("EQ"),
                suggestion: Some(Op::Eq),
            },
            span(0..2),
        ),
        (
            s("ilike(name,x)"),
            K::UnknownOperator {
                found: s("ilike"),
                suggestion: Some(Op::Like),
            },
            span(0..5),
        ),
        (
            s("between(a,b)"),
            K::UnknownOperator {
                found: s("between"),
                suggestion: None,
            },
            span(0..7),
        ),
        (s("eq(,book)"), K::EmptyValue, span(3..3)),
        (s(r#"eq(sku,"open)"#), K::UnterminatedQuote, span(7..13)),
        (s(r"eq(sku,'a\')"), K::UnterminatedQuote, span(7..12)),
        (
            s(r#"eq(sku,"a\q")"#),
            K::BadEscape { found: 'q' },
            span(9..11),
        ),
        (
            s(r"eq(sku,'a\n')"),
            K::BadEscape { found: 'n' },
            span(9..11),
        ),
        (
            s(r#"eq(sku,'a\"')"#),
            K::BadEscape { found: '"' },
            span(9..11),
        ),
        (
            s("eq(name,a#b)"),
            K::NeedsQuotes { found: '#' },
            span(9..10),
        ),
        (
            s("eq(name,café)"),
            K::NeedsQuotes { found: 'é' },
            span(11..13),
        ),
        (s("eq(name,%)"), K::NeedsQuotes { found: '%' }, span(8..9)),
        (
            s("eq(name,a(b)"),
            K::NeedsQuotes { found: '(' },
            span(9..10),
        ),
        (
            s(r#"eq(name,a"b")"#),
            K::NeedsQuotes { found: '"' },
            span(9..10),
        ),
        (
            s(r#"eq(name,"a"b)"#),
            unexpected(Expected::CommaOrCloseParen, 'b'),
            span(11..12),
        ),
        (
            s("eq(sku,a,b)"),
            K::WrongArity {
                op: Op::Eq,
                found: 2,
            },
            span(0..11),
        ),
        (
            s("eq(sku,a):in(sku)"),
            K::WrongArity {
                op: Op::In,
                found: 0,
            },
            span(10..17),
        ),
        (
            s("in(sku)"),
            K::WrongArity {
                op: Op::In,
                found: 0,
            },
            span(0..7),
        ),
        (
            s("eq(sku,a\0b)"),
            K::ControlCharacter { found: '\0' },
            span(8..9),
        ),
        (
            s("eq(sku,\"a\0b\")"),
            K::ControlCharacter { found: '\0' },
            span(9..10),
        ),
        (
            s("eq(sku,a\tb)"),
            K::ControlCharacter { found: '\t' },
            span(8..9),
        ),
        (
            s("eq(sku,a)\n"),
            K::ControlCharacter { found: '\n' },
            span(9..10),
        ),
        (
            s("eq\t(sku,a)"),
            K::ControlCharacter { found: '\t' },
            span(2..3),
        ),
        (
            s("eq(na me,x)"),
            K::InvalidAttribute { found: s("na me") },
            span(3..8),
        ),
        (
            s(r#"eq("a..b",x)"#),
            K::InvalidAttribute { found: s("a..b") },
            span(3..9),
        ),
        (
            s(r#"eq("",x)"#),
            K::InvalidAttribute { found: s("") },
            span(3..5),
        ),
        (
            s("eq[sku,x]"),
            unexpected(Expected::OpenParen, '['),
            span(2..3),
        ),
        (s("eq(sku,x) y"), K::TrailingInput, span(10..11)),
        (
            s("éq(sku,x)"),
            unexpected(Expected::Operator, 'é'),
            span(0..2),
        ),
    ]
}

#[test]
fn errors_have_exact_kinds_and_spans() {
    for (input, kind, want_span) in error_cases() {
        let err = parse(&input).expect_err(&input);
        assert_eq!(
            (err.kind(), err.span()),
            (&kind, want_span),
            "input {input:?}"
        );
        // The span always lies inside the input, on character boundaries.
        assert!(input.get(err.span().range()).is_some(), "{input:?}");
    }
}

#[test]
fn messages() {
    let msg = |input: &str| parse(input).unwrap_err().to_string();
    assert_eq!(
        msg("eqq(sku,book)"),
        "unknown operator `eqq`; did you mean `eq`?"
    );
    assert_eq!(
        msg("eq(name,a#b)"),
        "`#` is only allowed inside a quoted value; quote the value with \"...\" or '...'"
    );
    assert_eq!(
        msg("eq(sku,book"),
        "unexpected end of filter; expected `,` or `)`"
    );
    assert_eq!(
        msg("eq(sku,a,b)"),
        "`eq` takes an attribute and exactly one value, found 2"
    );
    assert_eq!(
        msg("in(sku)"),
        "`in` takes an attribute and one or more values, found 0"
    );
    assert_eq!(
        msg("eq(sku,a\0)"),
        "control character U+0000 is not allowed, even quoted"
    );
}

#[test]
fn render_puts_carets_under_the_span() {
    let input = "eqq(sku,book)";
    assert_eq!(
        parse(input).unwrap_err().render(input),
        "error: unknown operator `eqq`; did you mean `eq`?\n  eqq(sku,book)\n  ^^^\n"
    );
    let input = "eq(name,café)";
    assert_eq!(
        parse(input).unwrap_err().render(input),
        "error: `é` is only allowed inside a quoted value; quote the value with \"...\" or '...'\n  eq(name,café)\n             ^\n"
    );
    // End of input: one caret just past the text.
    let input = "eq(sku";
    assert_eq!(
        parse(input).unwrap_err().render(input),
        "error: unexpected end of filter; expected `,` or `)`\n  eq(sku\n        ^\n"
    );
    // Control characters are shown escaped, the caret still lines up.
    let input = "eq(s,\t)";
    assert_eq!(
        parse(input).unwrap_err().render(input),
        "error: control character U+0009 is not allowed, even quoted\n  eq(s,\\u{9})\n       ^^^^^\n"
    );
}

#[test]
fn megabyte_inputs_parse_or_fail_without_recursion() {
    let big = "a".repeat(1 << 20);
    let f = parse(&format!("eq(name,{big})")).unwrap();
    assert_eq!(f.conditions[0].values[0].text.len(), 1 << 20);

    let many = format!("in(sku{})", ",x".repeat(500_000));
    assert_eq!(parse(&many).unwrap().conditions[0].values.len(), 500_000);

    let conditions = vec!["eq(a,b)"; 100_000].join(":");
    assert_eq!(parse(&conditions).unwrap().conditions.len(), 100_000);

    let parens = "(".repeat(1 << 20);
    let err = parse(&format!("eq{parens}")).unwrap_err();
    assert_eq!(err.kind(), &K::NeedsQuotes { found: '(' });
    assert_eq!(err.span(), span(3..4));

    let unterminated = format!("eq(a,\"{big}");
    let err = parse(&unterminated).unwrap_err();
    assert_eq!(err.kind(), &K::UnterminatedQuote);
    assert_eq!(err.span(), span(5..unterminated.len()));
}
