//! The filter grammar: exact ASTs, canonical forms, exact errors and spans.

use catalog_filter::syntax::{
    Attribute, Condition, Expected, Expr, Filter, Group, Op, ParseErrorKind, Span, Value, parse,
};

fn span(r: std::ops::Range<usize>) -> Span {
    Span::new(r.start, r.end)
}

/// Asserts `input` parses and prints back unchanged (it is canonical).
fn verified(input: &str) -> Filter<'_> {
    let f = parse(input).unwrap_or_else(|e| panic!("{input:?}: {}", e.render(input)));
    assert_eq!(f.to_string(), input, "canonical form of {input:?}");
    f
}

/// Asserts `input` parses and prints as `canonical`, which parses to the same shape.
fn parses_to<'a>(input: &'a str, canonical: &str) -> Filter<'a> {
    let f = parse(input).unwrap_or_else(|e| panic!("{input:?}: {}", e.render(input)));
    assert_eq!(f.to_string(), canonical, "canonical form of {input:?}");
    let again = verified(canonical);
    assert!(f.same_shape(&again));
    f
}

fn value(text: &str, r: std::ops::Range<usize>) -> Value<'_> {
    Value::new(text, span(r))
}

/// The conditions of a filter, left to right.
fn conds<'f, 'a>(f: &'f Filter<'a>) -> Vec<&'f Condition<'a>> {
    f.conditions().collect()
}

#[test]
fn exact_ast_of_a_simple_condition() {
    let f = verified("eq(sku,book)");
    assert_eq!(
        f,
        Filter {
            expr: Expr::Condition(Condition {
                op: Op::Eq,
                op_span: span(0..2),
                attribute: Attribute {
                    path: "sku",
                    span: span(3..6)
                },
                values: vec![value("book", 7..11)].into(),
                span: span(0..12),
            }),
            span: span(0..12),
        }
    );
}

#[test]
fn double_quoted_value_with_space() {
    let f = parses_to(r#"eq(name,"Ron Swanson")"#, "eq(name,Ron Swanson)");
    assert_eq!(
        conds(&f)[0].values,
        vec![value("Ron Swanson", 8..21)].into()
    );
}

#[test]
fn single_quoted_value_with_escaped_quote() {
    let f = parses_to(r"eq(name,'Food \'n Stuff')", r#"eq(name,"Food 'n Stuff")"#);
    assert_eq!(
        conds(&f)[0].values,
        vec![value("Food 'n Stuff", 8..24)].into()
    );
}

#[test]
fn escapes_inside_quotes() {
    let f = parses_to(r#"eq(name,"a \"b\" \\ c")"#, r#"eq(name,"a \"b\" \\ c")"#);
    assert_eq!(conds(&f)[0].values[0].text, r#"a "b" \ c"#);
    let f = parses_to(r"eq(name,'back\\slash')", r#"eq(name,"back\\slash")"#);
    assert_eq!(conds(&f)[0].values[0].text, r"back\slash");
    // A double quote needs no escape inside single quotes, and vice versa.
    let f = parses_to(r#"eq(name,'say "hi"')"#, r#"eq(name,"say \"hi\"")"#);
    assert_eq!(conds(&f)[0].values[0].text, r#"say "hi""#);
    let f = parses_to(r#"eq(name,"it's")"#, r#"eq(name,"it's")"#);
    assert_eq!(conds(&f)[0].values[0].text, "it's");
}

#[test]
fn quoted_attribute_as_the_vendor_prints_it() {
    let f = parses_to(r#"eq("name","x")"#, "eq(name,x)");
    assert_eq!(
        conds(&f)[0].attribute,
        Attribute {
            path: "name",
            span: span(3..9)
        }
    );
    assert_eq!(conds(&f)[0].values, vec![value("x", 10..13)].into());
}

#[test]
fn optional_spaces() {
    // Around the filter, around `:`, before `(`, leading in operands, after quotes.
    let f = parses_to(
        "  eq (sku, book) : in( id , a ,\"b\" ) ",
        r#"eq(sku,book):in(id,"a ",b)"#,
    );
    assert_eq!(f.span, span(2..36));
    let [first, second] = &conds(&f)[..] else {
        panic!("two conditions expected")
    };
    assert_eq!(first.op_span, span(2..4));
    assert_eq!(first.attribute.span, span(6..9));
    assert_eq!(first.values, vec![value("book", 11..15)].into());
    assert_eq!(first.span, span(2..16));
    // Spaces after a bare attribute are dropped; after a bare value they stay.
    assert_eq!(second.attribute.span, span(23..25));
    assert_eq!(
        second.values,
        vec![value("a ", 28..30), value("b", 31..34)].into()
    );
    assert_eq!(second.span, span(19..36));

    let f = parses_to("eq( name , x)", "eq(name,x)");
    assert_eq!(conds(&f)[0].attribute.span, span(4..8));
    assert_eq!(conds(&f)[0].values, vec![value("x", 11..12)].into());
}

#[test]
fn trailing_space_of_bare_value_is_kept_and_printed_quoted() {
    let f = parses_to("eq(name,x )", r#"eq(name,"x ")"#);
    assert_eq!(conds(&f)[0].values, vec![value("x ", 8..10)].into());
}

#[test]
fn colon_inside_values() {
    let f =
        verified("gt(updated_at,2024-01-01T00:00:00Z):lt(created_at,2025-01-01T00:00:00+02:00)");
    assert_eq!(conds(&f)[0].values[0].text, "2024-01-01T00:00:00Z");
    assert_eq!(conds(&f)[1].values[0].text, "2025-01-01T00:00:00+02:00");
}

#[test]
fn every_operator() {
    for op in Op::ALL {
        let input = match op {
            Op::IsNull => format!("{op}(a)"),
            _ => format!("{op}(a,b)"),
        };
        assert_eq!(conds(&verified(&input))[0].op, op);
    }
    let f = verified("in(sku,a,b,c)");
    assert_eq!(conds(&f)[0].values.len(), 3);
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
        conds(&f)[0].attribute.segments().collect::<Vec<_>>(),
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

/// The vendor's own clients' forms: the js-sdk's OR groups and `is_null`,
/// the Go helper's quoted attributes, nested groups.
#[test]
fn whole_language_forms() {
    verified("eq(sku,a):eq(status,live)|eq(sku,b)");
    verified("is_null(description)");
    verified("eq(a,1):(eq(b,2)|eq(c,3):(eq(d,4)|eq(e,5)))");
    verified("(eq(a,1)|eq(b,2)):(eq(c,3)|eq(d,4))");
    parses_to(r#"eq("name","x")"#, "eq(name,x)");
    parses_to(r#"is_null("description")"#, "is_null(description)");
    verified("ilike(name,*SHOE*):contains(tags,a):contains_any(tags,a,b):contains_all(tags,a,b)");
    verified("text(description,running shoes)");
    // Redundant parentheses go; a group in a group of its kind is spliced.
    parses_to("((eq(a,1)|eq(b,2))|eq(c,3))", "eq(a,1)|eq(b,2)|eq(c,3)");
    parses_to("(eq(a,1):eq(b,2)):eq(c,3)", "eq(a,1):eq(b,2):eq(c,3)");
    parses_to("(eq(a,1))", "eq(a,1)");
    parses_to("(eq(a,1)|(eq(b,2)))", "eq(a,1)|eq(b,2)");
    parses_to(
        " ( eq(a,1) | eq(b,2) ) : eq(c,3) ",
        "(eq(a,1)|eq(b,2)):eq(c,3)",
    );
    // `|` and `:` inside bare values are characters of the value.
    let f = verified("eq(name,a|b:c)|eq(sku,x)");
    assert_eq!(conds(&f)[0].values[0].text, "a|b:c");
}

/// A top-level OR without parentheses, as the vendor's Go library
/// (epcc-search-ast-helper) prints every OR at the root and as its carts
/// API reference writes a filter: it parses, `:` binds tighter than `|`,
/// and it prints the Go helper's way, without parentheses.
#[test]
fn a_top_level_or_parses_and_prints_without_parentheses() {
    // The Go helper's test suite and the carts API reference.
    parses_to(
        r#"eq("amount","5")|eq("status","paid")"#,
        "eq(amount,5)|eq(status,paid)",
    );
    parses_to(
        r#"contains(account_ids,"abc123")|ilike(name,"Holiday Cart")"#,
        "contains(account_ids,abc123)|ilike(name,Holiday Cart)",
    );
    verified("eq(a,1):eq(b,2)|eq(c,3)");
    verified("eq(a,1)|eq(b,2):eq(c,3)|eq(d,4)");
    verified("eq(a,1)|eq(b,2):(eq(c,3)|eq(d,4))");
    // A parenthesised whole-filter OR prints without its parentheses, and
    // an OR group as an alternative is spliced into the top-level OR.
    parses_to("(eq(a,1)|eq(b,2))", "eq(a,1)|eq(b,2)");
    parses_to(" eq(a,1) | (eq(b,2)|eq(c,3)) ", "eq(a,1)|eq(b,2)|eq(c,3)");
    parses_to("(eq(a,1):eq(b,2)|eq(c,3))", "eq(a,1):eq(b,2)|eq(c,3)");
    // The exact tree: an OR of an AND and a condition, spanning the whole
    // alternation (not the spaces around the filter).
    let input = " eq(a,1):eq(b,2) | eq(c,3) ";
    let f = parse(input).unwrap();
    let Expr::Or(or) = &f.expr else {
        panic!("an Or: {:?}", f.expr)
    };
    assert_eq!(or.span, span(1..26));
    assert_eq!(f.span, span(1..26));
    assert_eq!(or.terms.len(), 2);
    let Expr::And(and) = &or.terms[0] else {
        panic!("an And first: {:?}", or.terms[0])
    };
    assert_eq!((and.terms.len(), and.span), (2, span(1..16)));
    let Expr::Condition(c) = &or.terms[1] else {
        panic!("a condition second: {:?}", or.terms[1])
    };
    assert_eq!((c.attribute.path, c.span), ("c", span(19..26)));
    // `|` inside a bare value is still a character of the value.
    let f = verified("eq(name,a|b)|eq(sku,x|y)");
    let values: Vec<&str> = conds(&f).iter().map(|c| &*c.values[0].text).collect();
    assert_eq!(values, ["a|b", "x|y"]);
    // The message for text after a condition no longer asks for parentheses.
    assert_eq!(
        parse("eq(a,1) eq(b,2)").unwrap_err().to_string(),
        "unexpected text after a condition; join conditions with `:` (AND) or `|` (OR)"
    );
    assert_eq!(
        parse("eq(a,1)|").unwrap_err().to_string(),
        "`|` needs a condition (or group) on each side"
    );
}

#[test]
fn exact_tree_of_an_or_group() {
    let input = "(eq(a,1):eq(b,2)|is_null(c))";
    let f = parses_to(input, "eq(a,1):eq(b,2)|is_null(c)");
    let cond = |op,
                path,
                p: std::ops::Range<usize>,
                values: Vec<Value<'static>>,
                whole: std::ops::Range<usize>| {
        Expr::Condition(Condition {
            op,
            op_span: span(whole.start..whole.start + op_len(op)),
            attribute: Attribute {
                path,
                span: span(p),
            },
            values: values.into(),
            span: span(whole),
        })
    };
    fn op_len(op: Op) -> usize {
        op.as_str().len()
    }
    let and = Expr::And(Group {
        terms: vec![
            cond(Op::Eq, "a", 4..5, vec![value("1", 6..7)], 1..8),
            cond(Op::Eq, "b", 12..13, vec![value("2", 14..15)], 9..16),
        ],
        span: span(1..16),
    });
    assert_eq!(
        f,
        Filter {
            expr: Expr::Or(Group {
                terms: vec![and, cond(Op::IsNull, "c", 25..26, vec![], 17..27)],
                span: span(0..28),
            }),
            span: span(0..28),
        }
    );
}

// ---------------------------------------------------------------- errors

use ParseErrorKind as K;

/// Every line of `tests/data/parse_errors.txt` (input, span, message): the
/// input fails with exactly that span and message, the span lies on
/// character boundaries inside the input, and the error renders.
#[test]
fn error_table() {
    let table = include_str!("data/parse_errors.txt");
    let mut cases = 0;
    for (n, line) in table.lines().enumerate() {
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let mut cols = line.splitn(3, '\t');
        let (Some(input), Some(range), Some(message)) = (cols.next(), cols.next(), cols.next())
        else {
            panic!("line {}: three tab-separated columns expected", n + 1);
        };
        let input: String = serde_json::from_str(input).expect("the input is a JSON string");
        let (start, end) = range.split_once("..").expect("start..end");
        let want = span(start.parse().unwrap()..end.parse().unwrap());
        let err = parse(&input).expect_err(&input);
        assert_eq!(
            (err.span(), err.to_string().as_str()),
            (want, message),
            "line {}: {input:?}",
            n + 1
        );
        assert!(input.get(err.span().range()).is_some(), "{input:?}");
        assert!(err.render(&input).contains(message));
        cases += 1;
    }
    assert!(cases >= 60, "{cases} cases");
}

/// The kinds of the errors of the filter tree, pinned exactly.
#[test]
fn tree_error_kinds() {
    let fails = |input: &str, kind: K, r: std::ops::Range<usize>| {
        let err = parse(input).expect_err(input);
        assert_eq!((err.kind(), err.span()), (&kind, span(r)), "{input:?}");
    };
    // An empty alternative, at the top level as inside a group.
    fails("eq(a,b)|", K::EmptyAlternative, 7..8);
    fails("|eq(a,b)", K::EmptyAlternative, 0..1);
    fails("eq(a,b)||eq(c,d)", K::EmptyAlternative, 8..9);
    fails("eq(a,b) | ", K::EmptyAlternative, 8..9);
    fails("(eq(a,b)|", K::EmptyAlternative, 8..9);
    let term = |found| K::Unexpected {
        expected: Expected::Term,
        found,
    };
    fails("eq(a,b):|eq(c,d)", term('|'), 8..9);
    fails("()", K::EmptyGroup, 0..2);
    fails("(eq(a,b)|)", K::EmptyAlternative, 8..9);
    fails("(eq(a,b)", K::UnclosedParen, 0..1);
    fails("eq(a,b))", K::UnmatchedParen, 7..8);
    fails("(((((((((eq(a,b)))))))))", K::TooDeep { limit: 8 }, 8..9);
    let arity = |op, found| K::WrongArity { op, found };
    fails("is_null(a,b)", arity(Op::IsNull, 1), 0..12);
    fails("contains_any(tags)", arity(Op::ContainsAny, 0), 0..18);
    fails("eq(sku#,x)", K::NeedsQuotes { found: '#' }, 6..7);
    let after_quote = K::Unexpected {
        expected: Expected::CommaOrCloseParen,
        found: 'x',
    };
    fails(r#"eq("sku"x,1)"#, after_quote, 8..9);
    let typo = |found: &str, suggestion| K::UnknownOperator {
        found: found.into(),
        suggestion,
    };
    fails("eqq(sku,book)", typo("eqq", Some(Op::Eq)), 0..3);
    fails("EQ(sku,book)", typo("EQ", Some(Op::Eq)), 0..2);
    fails("ilke(name,x)", typo("ilke", Some(Op::Ilike)), 0..4);
    fails("between(a,b)", typo("between", None), 0..7);
    // Exactly at the depth limit is fine.
    let deep = format!("{}eq(a,b)|eq(c,d){}:eq(e,f)", "(".repeat(8), ")".repeat(8));
    parses_to(&deep, "(eq(a,b)|eq(c,d)):eq(e,f)");
    let deep = format!("{}eq(a,b){}", "(".repeat(8), ")".repeat(8));
    parses_to(&deep, "eq(a,b)");
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
    let input = format!("eq(name,{big})");
    let f = parse(&input).unwrap();
    assert_eq!(conds(&f)[0].values[0].text.len(), 1 << 20);

    let many = format!("in(sku{})", ",x".repeat(500_000));
    assert_eq!(conds(&parse(&many).unwrap())[0].values.len(), 500_000);

    let conditions = vec!["eq(a,b)"; 100_000].join(":");
    assert_eq!(parse(&conditions).unwrap().conditions().count(), 100_000);

    let parens = "(".repeat(1 << 20);
    let err = parse(&format!("eq{parens}")).unwrap_err();
    assert_eq!(err.kind(), &K::NeedsQuotes { found: '(' });
    assert_eq!(err.span(), span(3..4));

    // A megabyte of `(`: refused at the first group over the depth limit.
    let opens = "(".repeat(1 << 20);
    let err = parse(&opens).unwrap_err();
    assert_eq!(err.kind(), &K::TooDeep { limit: 8 });
    assert_eq!(err.span(), span(8..9));
    let nested = format!("{}eq(a,b){}", "(".repeat(500_000), ")".repeat(500_000));
    assert_eq!(parse(&nested).unwrap_err().span(), span(8..9));

    let unterminated = format!("eq(a,\"{big}");
    let err = parse(&unterminated).unwrap_err();
    assert_eq!(err.kind(), &K::UnterminatedQuote);
    assert_eq!(err.span(), span(5..unterminated.len()));
}
