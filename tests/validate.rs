//! Validation: exact error kinds, exact spans, typed values, limits, and the
//! exact JSON:API envelope.

use catalog_filter::elasticpath::envelope::{ErrorEnvelope, WireSpan, filter_errors};
use catalog_filter::schema::Schema;
use catalog_filter::schema::ValueType as RT;
use catalog_filter::schema::{CommodityType, OpSet, Owner, ProductType, Status};
use catalog_filter::syntax::ValueList;
use catalog_filter::syntax::{Attribute, Condition, Expr, Filter, Op, ParseErrorKind, Span, Value};
use catalog_filter::validate::ExpectedValue;
use catalog_filter::validate::FilterTooLong;
use catalog_filter::validate::PatternKind;
use catalog_filter::validate::ValidationErrorKind as K;
use catalog_filter::validate::{Comparison, Predicate, TextTest};
use catalog_filter::{CompilerBuilder, FilterError, Limits, compile};
use chrono::{DateTime, TimeZone, Utc};
use uuid::Uuid;

const FIVE: &str = "eq(status,live):like(name,*shoe*):in(sku,a-1,b-2,c-3):gt(updated_at,2024-01-01T00:00:00Z):eq(extensions.book.isbn,1765426)";
const UUID: &str = "3fa85f64-5717-4562-b3fc-2c963f66afa6";

fn span(r: std::ops::Range<usize>) -> Span {
    Span::from(r)
}

/// The validation errors of `input` as (kind, span); panics if it compiles
/// or fails for another reason.
fn errors(input: &str) -> Vec<(K, Span)> {
    match compile(input) {
        Err(FilterError::Invalid(es)) => es.iter().map(|e| (e.kind().clone(), e.span())).collect(),
        other => panic!("{input}: expected validation errors, got {other:?}"),
    }
}

/// The single validation error of `input`.
fn error(input: &str) -> (K, Span) {
    let mut es = errors(input);
    assert_eq!(es.len(), 1, "{input}: {es:?}");
    es.remove(0)
}

/// The typed values of one condition, by type (a `like` pattern as written).
#[derive(Debug, PartialEq)]
enum Values {
    Uuid(ValueList<Uuid>),
    Text(ValueList<String>),
    Instant(ValueList<DateTime<Utc>>),
    Bool(ValueList<bool>),
}

fn compared<T: Clone>(c: &Comparison<'_, T>) -> Vec<T> {
    match c {
        Comparison::OneOf(v) | Comparison::All(v) => v.iter().cloned().collect(),
        Comparison::Gt(v) | Comparison::Ge(v) | Comparison::Lt(v) | Comparison::Le(v) => {
            vec![(*v).clone()]
        }
    }
}

fn typed(p: Predicate<'_>) -> Values {
    match p {
        Predicate::Uuid(c) => Values::Uuid(compared(&c).into()),
        Predicate::Instant(c) => Values::Instant(compared(&c).into()),
        Predicate::Text(TextTest::Compare(c)) => Values::Text(match c {
            Comparison::OneOf(v) | Comparison::All(v) => v.iter().map(String::from).collect(),
            Comparison::Gt(v) | Comparison::Ge(v) | Comparison::Lt(v) | Comparison::Le(v) => {
                ValueList::one(v.to_owned())
            }
        }),
        Predicate::Text(TextTest::Like(p)) => Values::Text(ValueList::from(vec![match p.kind() {
            PatternKind::Any => "*".into(),
            PatternKind::Contains => format!("*{}*", p.needle()),
            PatternKind::StartsWith => format!("{}*", p.needle()),
            PatternKind::EndsWith => format!("*{}", p.needle()),
            PatternKind::Equals => p.needle().into(),
        }])),
        Predicate::Bool(c) => Values::Bool(compared(&c).into()),
        other => panic!("no values: {other:?}"),
    }
}

/// The text values of enumerated values.
fn names<T: std::fmt::Display>(v: &[T]) -> Values {
    Values::Text(v.iter().map(|x| x.to_string()).collect())
}

/// What an enum list of these values expects.
fn list_of(values: &[&str]) -> ExpectedValue {
    ExpectedValue::Type(RT::EnumList(
        values.iter().map(|s| (*s).to_owned()).collect(),
    ))
}

/// What an enum of these values expects.
fn enum_of(values: &[&str]) -> ExpectedValue {
    ExpectedValue::Type(RT::Enum(values.iter().map(|s| (*s).to_owned()).collect()))
}

/// The typed values of the single condition of `input`.
fn values(input: &str) -> Values {
    let f = compile(input).unwrap_or_else(|e| panic!("{input}: {e}"));
    assert_eq!(f.conditions().count(), 1);
    typed(f.conditions().next().unwrap().predicate())
}

fn invalid(attribute: &str, value: &str, expected: ExpectedValue) -> K {
    K::InvalidValue {
        attribute: attribute.into(),
        value: value.into(),
        expected,
    }
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
}

#[test]
fn five_conditions_are_typed() {
    let f = compile(FIVE).unwrap();
    let c: Vec<_> = f.conditions().collect();
    assert_eq!(c.len(), 5);
    assert_eq!((c[0].field().path(), c[0].op()), ("status", Op::Eq));
    assert_eq!(typed(c[0].predicate()), names(&[Status::Live]));
    assert_eq!((c[1].field().path(), c[1].op()), ("name", Op::Like));
    assert_eq!(
        typed(c[1].predicate()),
        Values::Text(vec!["*shoe*".into()].into())
    );
    assert_eq!((c[2].field().path(), c[2].op()), ("sku", Op::In));
    assert_eq!(
        typed(c[2].predicate()),
        Values::Text(vec!["a-1".into(), "b-2".into(), "c-3".into()].into())
    );
    assert_eq!((c[3].field().path(), c[3].op()), ("updated_at", Op::Gt));
    assert_eq!(
        typed(c[3].predicate()),
        Values::Instant(vec![utc(2024, 1, 1, 0, 0, 0)].into())
    );
    assert_eq!(c[4].field().path(), "extensions.book.isbn");
    assert_eq!(
        typed(c[4].predicate()),
        Values::Text(vec!["1765426".into()].into())
    );
    assert_eq!(c[4].span(), span(FIVE.len() - 32..FIVE.len()));
    assert_eq!(f.to_string(), FIVE);
    assert_eq!(f.as_str(), FIVE);
}

#[test]
fn display_is_canonical_and_from_str_compiles() {
    let f: catalog_filter::ValidFilter = " eq ( 'sku' , 'book') : eq(name,\"a\\\"b\") "
        .parse()
        .unwrap();
    assert_eq!(f.to_string(), r#"eq(sku,book):eq(name,"a\"b")"#);
    assert_eq!(f.as_str(), f.to_string());
    assert!("eq(skus,x)".parse::<catalog_filter::ValidFilter>().is_err());
}

#[test]
fn unknown_attribute_suggests_the_nearest() {
    assert_eq!(
        error("eq(skus,book)"),
        (
            K::UnknownAttribute {
                found: "skus".into(),
                suggestion: Some("sku".into())
            },
            span(3..7)
        )
    );
    assert_eq!(
        error("eq(colour,red)"),
        (
            K::UnknownAttribute {
                found: "colour".into(),
                suggestion: None
            },
            span(3..9)
        )
    );
    // Case matters; the suggestion says which spelling is known.
    assert_eq!(
        error("eq(SKU,book)").0,
        K::UnknownAttribute {
            found: "SKU".into(),
            suggestion: Some("sku".into())
        }
    );
    assert_eq!(
        error("eq(extension.book.isbn,1)").0,
        K::UnknownAttribute {
            found: "extension.book.isbn".into(),
            suggestion: Some("extensions.book.isbn".into())
        }
    );
    // A quoted attribute: the span covers the quotes.
    assert_eq!(error("eq(\"skus\",book)").1, span(3..9));
}

#[test]
fn unsupported_operator_lists_the_supported_ones() {
    let (kind, sp) = error("like(id,x)");
    assert_eq!(
        kind,
        K::UnsupportedOperator {
            op: Op::Like,
            attribute: "id".into(),
            supported: OpSet::of(&[Op::Eq, Op::In, Op::Gt, Op::Ge, Op::Lt, Op::Le]),
        }
    );
    assert_eq!(sp, span(5..7));
    assert_eq!(
        compile("like(id,x)").unwrap_err().to_string(),
        "operator `like` is not supported for `id`; supported: eq, in, gt, ge, lt, le"
    );
    assert_eq!(
        error("gt(status,live)").0.to_string(),
        "operator `gt` is not supported for `status`; supported: eq"
    );
}

#[test]
fn three_bad_conditions_three_errors_three_spans() {
    let input = "eq(skus,a):like(id,x):eq(status,LIVE)";
    let es = errors(input);
    assert_eq!(
        es,
        vec![
            (
                K::UnknownAttribute {
                    found: "skus".into(),
                    suggestion: Some("sku".into())
                },
                span(3..7)
            ),
            (
                K::UnsupportedOperator {
                    op: Op::Like,
                    attribute: "id".into(),
                    supported: OpSet::of(&[Op::Eq, Op::In, Op::Gt, Op::Ge, Op::Lt, Op::Le]),
                },
                span(16..18)
            ),
            (
                invalid("status", "LIVE", enum_of(&["draft", "live"])),
                span(32..36)
            ),
        ]
    );
    assert_eq!(&input[32..36], "LIVE");
    let err = compile(input).unwrap_err();
    assert_eq!(
        err.render(input),
        "error: unknown attribute `skus`; did you mean `sku`?\n  eq(skus,a):like(id,x):eq(status,LIVE)\n     ^^^^\n\
         error: operator `like` is not supported for `id`; supported: eq, in, gt, ge, lt, le\n  eq(skus,a):like(id,x):eq(status,LIVE)\n                  ^^\n\
         error: invalid value `LIVE` for `status`: expected one of draft, live\n  eq(skus,a):like(id,x):eq(status,LIVE)\n                                  ^^^^\n"
    );
    let json = serde_json::to_string(&ErrorEnvelope::from(err)).unwrap();
    assert_eq!(
        json,
        concat!(
            r#"{"errors":["#,
            r#"{"status":"400","title":"Bad Request","detail":"Could not parse the supplied filter","source":{"pointer":"/data/filter"},"meta":{"message":"unknown attribute `skus`; did you mean `sku`?","span":{"start":3,"end":7}}},"#,
            r#"{"status":"400","title":"Bad Request","detail":"Could not parse the supplied filter","source":{"pointer":"/data/filter"},"meta":{"message":"operator `like` is not supported for `id`; supported: eq, in, gt, ge, lt, le","span":{"start":16,"end":18}}},"#,
            r#"{"status":"400","title":"Bad Request","detail":"Could not parse the supplied filter","source":{"pointer":"/data/filter"},"meta":{"message":"invalid value `LIVE` for `status`: expected one of draft, live","span":{"start":32,"end":36}}}"#,
            r#"]}"#
        )
    );
}

#[test]
fn one_error_per_bad_value() {
    assert_eq!(
        errors("in(id,x,y)"),
        vec![
            (
                invalid("id", "x", ExpectedValue::Type(RT::Uuid)),
                span(6..7)
            ),
            (
                invalid("id", "y", ExpectedValue::Type(RT::Uuid)),
                span(8..9)
            ),
        ]
    );
}

#[test]
fn uuids() {
    let id = Uuid::parse_str(UUID).unwrap();
    assert_eq!(
        values(&format!("eq(id,{UUID})")),
        Values::Uuid(vec![id].into())
    );
    assert_eq!(
        values(&format!("eq(parent_id,{})", UUID.to_uppercase())),
        Values::Uuid(vec![id].into())
    );
    assert_eq!(
        values(&format!("in(id,{UUID},'{UUID}')")),
        Values::Uuid(vec![id, id].into())
    );
    for bad in [
        "3fa85f6457174562b3fc2c963f66afa6",
        "{3fa85f64-5717-4562-b3fc-2c963f66afa6}",
        "urn:uuid:3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "3fa85f64-5717-4562-b3fc-2c963f66afaz",
        "3fa85f64-5717-4562-b3fc-2c963f66afa",
        "some-id",
        "\"\"",
    ] {
        let input = format!("gt(id,{bad})");
        let text = bad.trim_matches('"');
        assert_eq!(
            error(&input),
            (
                invalid("id", text, ExpectedValue::Type(RT::Uuid)),
                span(6..6 + bad.len())
            ),
            "{input}"
        );
    }
    assert_eq!(
        error("eq(id,nope)").0.to_string(),
        "invalid value `nope` for `id`: expected a UUID in hyphenated form, e.g. 3fa85f64-5717-4562-b3fc-2c963f66afa6"
    );
}

#[test]
fn instants() {
    let midnight = utc(2024, 1, 1, 0, 0, 0);
    for (text, expected) in [
        ("2024-01-01T00:00:00Z", midnight),
        ("2024-01-01T02:00:00+02:00", midnight),
        ("2023-12-31T19:00:00-05:00", midnight),
        (
            "2024-01-01T00:00:00.250Z",
            midnight + chrono::Duration::milliseconds(250),
        ),
        ("2024-01-01", midnight),
        ("1704067200000", midnight),
        ("0", utc(1970, 1, 1, 0, 0, 0)),
    ] {
        for op in ["eq", "gt", "ge", "lt", "le"] {
            assert_eq!(
                values(&format!("{op}(created_at,{text})")),
                Values::Instant(vec![expected].into()),
                "{op} {text}"
            );
        }
    }
    for bad in [
        "2024-1-01",
        "2024-01-1",
        "2024-13-01",
        "2023-02-29",
        "2024-01-01T00:00:00",
        "-1",
        "1e3",
        "99999999999999999999",
        "yesterday",
        "\"\"",
    ] {
        let input = format!("gt(updated_at,{bad})");
        assert_eq!(
            error(&input),
            (
                invalid(
                    "updated_at",
                    bad.trim_matches('"'),
                    ExpectedValue::Type(RT::Instant)
                ),
                span(14..14 + bad.len())
            ),
            "{input}"
        );
    }
}

#[test]
fn enums() {
    for s in Status::ALL {
        assert_eq!(values(&format!("eq(status,{s})")), names(&[*s]));
    }
    for c in CommodityType::ALL {
        assert_eq!(values(&format!("eq(commodity_type,{c})")), names(&[*c]));
    }
    for o in Owner::ALL {
        assert_eq!(values(&format!("eq(owner,{o})")), names(&[*o]));
    }
    for p in ProductType::ALL {
        assert_eq!(values(&format!("eq(product_types,{p})")), names(&[*p]));
    }
    for (attr, bad, ty) in [
        ("status", "Live", enum_of(&["draft", "live"])),
        ("status", "published", enum_of(&["draft", "live"])),
        (
            "commodity_type",
            "PHYSICAL",
            enum_of(&["physical", "digital"]),
        ),
        (
            "commodity_type",
            "service",
            enum_of(&["physical", "digital"]),
        ),
        ("owner", "Store", enum_of(&["store", "organization"])),
        ("owner", "organisation", enum_of(&["store", "organization"])),
        (
            "product_types",
            "Bundle",
            list_of(&["standard", "parent", "child", "bundle"]),
        ),
        (
            "product_types",
            "variant",
            list_of(&["standard", "parent", "child", "bundle"]),
        ),
    ] {
        let input = format!("eq({attr},{bad})");
        let start = 4 + attr.len();
        assert_eq!(
            error(&input),
            (invalid(attr, bad, ty), span(start..start + bad.len())),
            "{input}"
        );
    }
}

#[test]
fn has_nodes_is_false_only() {
    assert_eq!(
        values("eq(has_nodes,false)"),
        Values::Bool(vec![false].into())
    );
    let (kind, sp) = error("eq(has_nodes,true)");
    assert_eq!(
        kind,
        invalid(
            "has_nodes",
            "true",
            ExpectedValue::OneOf(vec!["false".into()])
        )
    );
    assert_eq!(sp, span(13..17));
    assert_eq!(
        kind.to_string(),
        "invalid value `true` for `has_nodes`: only `false` is supported"
    );
    assert_eq!(
        error("eq(has_nodes,False)").0,
        invalid(
            "has_nodes",
            "False",
            ExpectedValue::OneOf(vec!["false".into()])
        )
    );
    assert_eq!(
        error("in(has_nodes,false)").0,
        K::UnsupportedOperator {
            op: Op::In,
            attribute: "has_nodes".into(),
            supported: OpSet::of(&[Op::Eq])
        }
    );
}

#[test]
fn product_types_eq_one_in_many() {
    assert_eq!(
        values("in(product_types,standard,bundle)"),
        names(&[ProductType::Standard, ProductType::Bundle])
    );
    // The grammar already refuses `eq` with two values ...
    match compile("eq(product_types,standard,bundle)") {
        Err(FilterError::Parse(e)) => {
            assert_eq!(
                e.kind(),
                &ParseErrorKind::WrongArity {
                    op: Op::Eq,
                    found: 2
                }
            )
        }
        other => panic!("{other:?}"),
    }
    // ... and validation refuses it in a hand-built AST, pointing at the
    // value too many and suggesting `in`.
    let f = hand_built(Op::Eq, "product_types", &["standard", "bundle"]);
    let es = catalog_filter::Compiler::new().validate(&f).unwrap_err();
    assert_eq!(es.len(), 1);
    let e = &es.errors()[0];
    assert_eq!(
        e.kind(),
        &K::WrongArity {
            op: Op::Eq,
            attribute: "product_types".into(),
            found: 2,
            in_supported: true
        }
    );
    assert_eq!(e.span(), span(26..32));
    assert_eq!(
        e.to_string(),
        "`eq(product_types,...)` takes exactly one value, found 2; use `in(product_types,...)` to match any of several"
    );
}

/// `op(attribute,v1,v2,...)` built by hand, with the spans the parser would give.
fn hand_built<'a>(op: Op, attribute: &'a str, vals: &[&'a str]) -> Filter<'a> {
    let mut at = op.as_str().len() + 1;
    let attr = Attribute {
        path: attribute,
        span: span(at..at + attribute.len()),
    };
    at += attribute.len();
    let mut values = catalog_filter::syntax::ValueList::new();
    for v in vals {
        at += 1;
        values.push(Value {
            text: (*v).into(),
            span: span(at..at + v.len()),
        });
        at += v.len();
    }
    let cond = Condition {
        op,
        op_span: span(0..op.as_str().len()),
        attribute: attr,
        values,
        span: span(0..at + 1),
    };
    Filter {
        span: cond.span,
        expr: Expr::Condition(cond),
    }
}

#[test]
fn hand_built_asts() {
    // An empty tree never becomes a `ValidFilter` (which would print `""`
    // and render `TRUE`).
    let empty = Filter {
        expr: Expr::And(catalog_filter::syntax::Group {
            terms: vec![],
            span: span(0..0),
        }),
        span: span(0..0),
    };
    let es = catalog_filter::Compiler::new()
        .validate(&empty)
        .unwrap_err();
    assert_eq!(es.errors()[0].kind(), &K::Empty);
    let f = hand_built(Op::Eq, "sku", &["book"]);
    let v = catalog_filter::Compiler::new().validate(&f).unwrap();
    assert_eq!(v.as_str(), f.to_string());
    assert_eq!(v.to_string(), "eq(sku,book)");
    // `in` with no value: the span is the condition.
    let f = hand_built(Op::In, "sku", &[]);
    let es = catalog_filter::Compiler::new().validate(&f).unwrap_err();
    assert_eq!(
        es.errors()[0].kind(),
        &K::WrongArity {
            op: Op::In,
            attribute: "sku".into(),
            found: 0,
            in_supported: true
        }
    );
    assert_eq!(es.errors()[0].span(), span(0..7));
    // An attribute the parser would refuse is simply unknown here.
    let f = hand_built(Op::Eq, "", &["x"]);
    assert!(matches!(
        catalog_filter::Compiler::new()
            .validate(&f)
            .unwrap_err()
            .errors()[0]
            .kind(),
        K::UnknownAttribute { .. }
    ));
}

#[test]
fn patterned_attributes() {
    assert_eq!(
        compile("eq(extensions.book.isbn,1765426)")
            .unwrap()
            .conditions()
            .next()
            .unwrap()
            .field()
            .path(),
        "extensions.book.isbn"
    );
    assert_eq!(
        compile("eq(shopper_attributes.color,red)")
            .unwrap()
            .conditions()
            .next()
            .unwrap()
            .field()
            .path(),
        "shopper_attributes.color"
    );
    assert_eq!(
        typed(
            compile("eq(admin_attributes.margin,\"\")")
                .unwrap()
                .conditions()
                .next()
                .unwrap()
                .predicate()
        ),
        Values::Text(vec![String::new()].into())
    );
    for (input, expected, sp) in [
        (
            "eq(extensions.book,x)",
            "extensions.<template>.<field>",
            3..18,
        ),
        ("eq(extensions,x)", "extensions.<template>.<field>", 3..13),
        (
            "eq(extensions.a.b.c,x)",
            "extensions.<template>.<field>",
            3..19,
        ),
        (
            "eq(shopper_attributes,x)",
            "shopper_attributes.<field>",
            3..21,
        ),
        (
            "eq(admin_attributes.a.b,x)",
            "admin_attributes.<field>",
            3..23,
        ),
        ("eq(sku.x,x)", "sku", 3..8),
    ] {
        let found = input[sp.clone()].to_owned();
        assert_eq!(
            error(input),
            (
                K::MalformedAttribute {
                    found,
                    expected: expected.into()
                },
                span(sp)
            ),
            "{input}"
        );
    }
    assert_eq!(
        error("eq(extensions.book,x)").0.to_string(),
        "`extensions.book` is not a valid attribute; expected `extensions.<template>.<field>`"
    );
    for op in ["like", "in", "gt", "ge", "lt", "le"] {
        let input = format!("{op}(extensions.book.isbn,x)");
        let start = op.len() + 1;
        assert_eq!(
            error(&input),
            (
                K::UnsupportedOperator {
                    op: Op::from_name(op).unwrap(),
                    attribute: "extensions.book.isbn".into(),
                    supported: OpSet::of(&[Op::Eq])
                },
                span(start..start + 20)
            )
        );
    }
}

#[test]
fn condition_limit() {
    let ten = ["eq(sku,a)"; 10].join(":");
    assert_eq!(compile(&ten).unwrap().conditions().count(), 10);
    let twelve = ["eq(sku,a)"; 12].join(":");
    assert_eq!(
        errors(&twelve),
        vec![(
            K::TooManyConditions {
                found: 12,
                limit: 10
            },
            span(100..109)
        )]
    );
    // Every other problem is reported too.
    let input = format!("{ten}:eq(skus,a)");
    let es = errors(&input);
    assert_eq!(es.len(), 2);
    assert_eq!(
        es[0],
        (
            K::TooManyConditions {
                found: 11,
                limit: 10
            },
            span(100..110)
        )
    );
    assert!(matches!(es[1].0, K::UnknownAttribute { .. }));
    let limits = Limits {
        max_conditions: 1,
        ..Limits::DEFAULT
    };
    match CompilerBuilder::new()
        .limits(limits)
        .build()
        .compile("eq(sku,a):eq(sku,b)")
    {
        Err(FilterError::Invalid(es)) => assert_eq!(
            es.errors()[0].to_string(),
            "too many conditions: 2, the limit is 1 conditions per filter"
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn in_value_limit() {
    let limits = Limits {
        max_in_values: 2,
        ..Limits::DEFAULT
    };
    assert!(
        CompilerBuilder::new()
            .limits(limits)
            .build()
            .compile("in(sku,a,b)")
            .is_ok()
    );
    match CompilerBuilder::new()
        .limits(limits)
        .build()
        .compile("in(sku,a,b,c,d)")
    {
        Err(FilterError::Invalid(es)) => {
            let es: Vec<_> = es.iter().map(|e| (e.kind().clone(), e.span())).collect();
            assert_eq!(
                es,
                vec![(K::TooManyValues { found: 4, limit: 2 }, span(11..12))]
            );
        }
        other => panic!("{other:?}"),
    }
    // The default: 1,000 values (in a filter under the byte limit).
    let limits = Limits {
        max_filter_bytes: 1 << 20,
        ..Limits::DEFAULT
    };
    let many: Vec<String> = (0..1001).map(|n| format!("s{n}")).collect();
    let input = format!("in(sku,{})", many.join(","));
    let start = input.find(",s1000").unwrap() + 1;
    match CompilerBuilder::new()
        .limits(limits)
        .build()
        .compile(&input)
    {
        Err(FilterError::Invalid(es)) => {
            assert_eq!(es.len(), 1);
            assert_eq!(
                es.errors()[0].kind(),
                &K::TooManyValues {
                    found: 1001,
                    limit: 1000
                }
            );
            assert_eq!(es.errors()[0].span(), span(start..start + 5));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn byte_limit_comes_first() {
    // 10 MB that would not even parse: refused by size, at offset 0.
    let huge = "(".repeat(10 << 20);
    let err = compile(&huge).unwrap_err();
    assert_eq!(
        err,
        FilterError::TooLong(FilterTooLong {
            len: 10 << 20,
            limit: 8192
        })
    );
    assert_eq!(err.problems(), vec![(span(0..0), err.to_string())]);
    assert_eq!(
        err.to_string(),
        "the filter is 10485760 bytes long, over the limit of 8192 bytes"
    );
    assert_eq!(
        err.render(&huge),
        "error: the filter is 10485760 bytes long, over the limit of 8192 bytes\n"
    );
    let api = filter_errors(&err);
    assert_eq!(api.len(), 1);
    assert_eq!(
        api[0].meta.as_ref().and_then(|m| m.span),
        Some(WireSpan { start: 0, end: 0 })
    );
    // Exactly at the limit is fine; one byte over is not.
    let at_limit = format!("eq(name,{})", "a".repeat(8192 - 9));
    assert_eq!(at_limit.len(), 8192);
    assert!(compile(&at_limit).is_ok());
    let over = format!("eq(name,{})", "a".repeat(8192 - 8));
    assert!(matches!(compile(&over), Err(FilterError::TooLong(_))));
}

#[test]
fn parse_errors_use_the_same_envelope() {
    let err = compile("eq(sku,a#b)").unwrap_err();
    assert!(matches!(err, FilterError::Parse(_)));
    let json = serde_json::to_value(ErrorEnvelope::from(err)).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"errors":[{
            "status":"400","title":"Bad Request","detail":"Could not parse the supplied filter",
            "source":{"pointer":"/data/filter"},
            "meta":{"message":"`#` is only allowed inside a quoted value; quote the value with \"...\" or '...'","span":{"start":8,"end":9}}
        }]})
    );
}

#[test]
fn unknown_attribute_envelope_exact() {
    let err = compile("eq(skus,book)").unwrap_err();
    assert_eq!(
        serde_json::to_string(&ErrorEnvelope::from(err)).unwrap(),
        r#"{"errors":[{"status":"400","title":"Bad Request","detail":"Could not parse the supplied filter","source":{"pointer":"/data/filter"},"meta":{"message":"unknown attribute `skus`; did you mean `sku`?","span":{"start":3,"end":7}}}]}"#
    );
}

#[test]
fn text_values_keep_their_text() {
    assert_eq!(
        values("eq(name,' a b ')"),
        Values::Text(vec![" a b ".into()].into())
    );
    assert_eq!(
        values("like(description,*)"),
        Values::Text(vec!["*".into()].into())
    );
    assert_eq!(
        values("ge(external_ref,ABC 1)"),
        Values::Text(vec!["ABC 1".into()].into())
    );
}

#[test]
fn several_errors_display_joined() {
    let err = compile("eq(skus,a):eq(has_nodes,true)").unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown attribute `skus`; did you mean `sku`?; invalid value `true` for `has_nodes`: only `false` is supported"
    );
    assert_eq!(
        err.problems().iter().map(|(s, _)| *s).collect::<Vec<_>>(),
        vec![span(3..7), span(24..28)]
    );
}

#[test]
fn meta_keeps_unknown_members() {
    let json = r#"{"errors":[{"status":"500","title":"Internal Server Error","detail":"There was an internal server error, you can report with your request id.","request_id":"635da56d-75a1-43cd-b696-7ab119756b3a","meta":{"missing_ids":["a"],"extra":1}}]}"#;
    let e: ErrorEnvelope = serde_json::from_str(json).unwrap();
    assert_eq!(e.http_status(), Some(500));
    let meta = e.errors[0].meta.as_ref().unwrap();
    assert_eq!(meta.missing_ids.as_deref(), Some(&["a".to_owned()][..]));
    assert_eq!(meta.other.get("extra"), Some(&serde_json::json!(1)));
    assert_eq!(serde_json::to_string(&e).unwrap(), json);
}

mod props {
    use super::*;
    use proptest::prelude::*;

    fn check(input: &str) {
        match compile(input) {
            Ok(f) => {
                // The canonical form compiles to the same typed conditions.
                let again = compile(&f.to_string()).unwrap();
                let strip = |f: &catalog_filter::ValidFilter| {
                    f.conditions()
                        .map(|c| (c.op(), format!("{:?}", c.predicate())))
                        .collect::<Vec<_>>()
                };
                assert_eq!(strip(&again), strip(&f));
            }
            Err(e) => {
                for (sp, msg) in e.problems() {
                    assert!(
                        sp.start <= sp.end && sp.end <= input.len(),
                        "{input:?}: {sp}"
                    );
                    assert!(input.is_char_boundary(sp.start) && input.is_char_boundary(sp.end));
                    assert!(!msg.is_empty());
                }
                let _ = e.render(input);
                assert!(!filter_errors(&e).is_empty());
            }
        }
    }

    proptest! {
        #[test]
        fn compile_never_panics(input in "\\PC{0,60}") {
            check(&input);
        }

        #[test]
        fn filter_shaped_inputs(
            conds in proptest::collection::vec(
                (
                    prop::sample::select(vec!["eq", "like", "in", "gt", "ge", "lt", "le"]),
                    prop::sample::select(vec![
                        "id", "sku", "skus", "status", "has_nodes", "created_at", "product_types",
                        "extensions.book.isbn", "extensions.book", "shopper_attributes.c", "owner",
                    ]),
                    proptest::collection::vec(
                        prop::sample::select(vec![
                            "live", "false", "true", "2024-01-01", "1704067200000", "bundle",
                            "3fa85f64-5717-4562-b3fc-2c963f66afa6", "x", "\"a,b\"", "store",
                        ]),
                        1..4,
                    ),
                ),
                1..13,
            )
        ) {
            let input = conds
                .iter()
                .map(|(op, attr, vals)| format!("{op}({attr},{})", vals.join(",")))
                .collect::<Vec<_>>()
                .join(":");
            check(&input);
        }
    }
}

/// The detach_nodes matrix against the rest of the language: a group is
/// refused spanning the group, an operator it never supports spanning the
/// operator; the conditions inside a group are still checked.
#[test]
fn detach_nodes_refuses_groups_and_foreign_operators() {
    let supported = OpSet::of(&[Op::Eq, Op::Like, Op::In, Op::Gt, Op::Ge, Op::Lt, Op::Le]);
    let not_supported = |op| K::OperatorNotSupported {
        op,
        schema: "detach_nodes".into(),
        supported,
    };
    let or = K::OrNotSupported {
        schema: "detach_nodes".into(),
    };
    assert_eq!(error("(eq(sku,a)|eq(sku,b))"), (or.clone(), span(0..21)));
    // A top-level OR (the Go helper's form) is refused the same way,
    // spanning the whole alternation.
    assert_eq!(error("eq(sku,a)|eq(sku,b)"), (or.clone(), span(0..19)));
    assert_eq!(
        error("  eq(sku,a):eq(sku,c) | eq(sku,b) "),
        (or.clone(), span(2..33))
    );
    assert_eq!(
        error("ilike(name,x)"),
        (not_supported(Op::Ilike), span(0..5))
    );
    assert_eq!(error("text(name,x)"), (not_supported(Op::Text), span(0..4)));
    assert_eq!(
        error("eq(sku,a):is_null(description)"),
        (not_supported(Op::IsNull), span(10..17))
    );
    assert_eq!(
        error("contains(tags,x)"),
        (not_supported(Op::Contains), span(0..8))
    );
    assert_eq!(
        errors("eq(sku,a):(eq(skus,a)|ilike(name,x))"),
        vec![
            (or.clone(), span(10..36)),
            (
                K::UnknownAttribute {
                    found: "skus".into(),
                    suggestion: Some("sku".into())
                },
                span(14..18)
            ),
            (not_supported(Op::Ilike), span(22..27)),
        ]
    );
    assert_eq!(
        compile("ilike(name,x)").unwrap_err().to_string(),
        "operator `ilike` is not supported by detach_nodes; supported: eq, like, in, gt, ge, lt, le"
    );
    assert_eq!(
        compile("(eq(sku,a)|eq(sku,b))").unwrap_err().to_string(),
        "OR groups are not supported by detach_nodes"
    );
    assert_eq!(
        compile("eq(sku,a)|eq(sku,b)").unwrap_err().to_string(),
        "OR groups are not supported by detach_nodes"
    );
    // A group of one alternative is no OR: its parentheses are redundant.
    assert_eq!(compile("(eq(sku,a))").unwrap().to_string(), "eq(sku,a)");
}

/// Against a matrix with OR groups: the vendor's complexity (leaf 1, AND
/// product, OR sum) is capped, and conditions count over the whole tree.
#[test]
fn complexity_and_conditions_over_the_tree() {
    let whole = |input: &str| {
        CompilerBuilder::new()
            .schema(Schema::every_operator())
            .limits(Limits::DEFAULT)
            .build()
            .compile(input)
    };
    // (2 alternatives) x (2 alternatives) = 4: at the cap.
    assert!(whole("(eq(sku,a)|eq(sku,b)):(eq(name,a)|eq(name,b))").is_ok());
    assert!(whole("(eq(sku,a)|eq(sku,b)|eq(sku,c)|eq(sku,d))").is_ok());
    // 2 x 3 = 6, 5 alternatives = 5: over it, spanning the filter.
    for (input, found) in [
        (
            "(eq(sku,a)|eq(sku,b)):(eq(name,a)|eq(name,b)|eq(name,c))",
            6,
        ),
        (" (eq(sku,a)|eq(sku,b)|eq(sku,c)|eq(sku,d)|eq(sku,e)) ", 5),
    ] {
        match whole(input) {
            Err(FilterError::Invalid(es)) => {
                assert_eq!(es.len(), 1, "{input}");
                assert_eq!(
                    es.errors()[0].kind(),
                    &K::TooComplex { found, limit: 4 },
                    "{input}"
                );
                let start = input.find('(').unwrap();
                assert_eq!(es.errors()[0].span(), span(start..input.trim_end().len()));
            }
            other => panic!("{input}: {other:?}"),
        }
    }
    // Eleven conditions, four of them in a group: the eleventh is over.
    let input = "eq(sku,a):eq(sku,a):eq(sku,a):eq(sku,a):eq(sku,a):eq(sku,a):eq(sku,a):(eq(sku,a):eq(sku,a)|eq(sku,a):eq(sku,b))";
    let limits = Limits {
        max_complexity: 100,
        ..Limits::DEFAULT
    };
    let es = match CompilerBuilder::new()
        .schema(Schema::every_operator())
        .limits(limits)
        .build()
        .compile(input)
    {
        Err(FilterError::Invalid(es)) => es,
        other => panic!("{other:?}"),
    };
    let eleventh = input.rfind("eq(sku,b)").unwrap();
    assert_eq!(
        (es.errors()[0].kind(), es.errors()[0].span()),
        (
            &K::TooManyConditions {
                found: 11,
                limit: 10
            },
            span(eleventh..eleventh + 9)
        )
    );
    // Saturating: a product of many sums does not overflow.
    let huge = vec!["(eq(sku,a)|eq(sku,b)|eq(sku,c)|eq(sku,d))"; 70].join(":");
    let limits = Limits {
        max_conditions: 1000,
        max_filter_bytes: 1 << 20,
        ..Limits::DEFAULT
    };
    let es = match CompilerBuilder::new()
        .schema(Schema::every_operator())
        .limits(limits)
        .build()
        .compile(&huge)
    {
        Err(FilterError::Invalid(es)) => es,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        es.errors()[0].kind(),
        &K::TooComplex {
            found: usize::MAX,
            limit: 4
        }
    );
}

/// `compile` writes the canonical text on first use, from the input; a
/// filter validated from a parsed tree writes it at once. Both give the
/// same text, equality, hash and debug output, whatever the spacing,
/// quoting and grouping of the input.
#[test]
fn canonical_text_is_the_same_lazily_and_eagerly() {
    use std::hash::{BuildHasher, RandomState};
    let schema = Schema::every_operator();
    for (input, canonical) in [
        ("  eq( sku , 'a b' ) ", "eq(sku,a b)"),
        (
            "((eq(sku,\"x\\\"y\"):like(name,*a*)) | is_null(tags))",
            "eq(sku,\"x\\\"y\"):like(name,*a*)|is_null(tags)",
        ),
        ("(eq(sku,a))", "eq(sku,a)"),
        ("in(sku, a,'b c',\"\")", "in(sku,a,b c,\"\")"),
    ] {
        let lazy = CompilerBuilder::new()
            .schema(schema.clone())
            .limits(Limits::DEFAULT)
            .build()
            .compile(input)
            .unwrap();
        let parsed = catalog_filter::syntax::parse(input).unwrap();
        let eager = CompilerBuilder::new()
            .schema(schema.clone())
            .limits(Limits::DEFAULT)
            .build()
            .validate(&parsed)
            .unwrap();
        assert_eq!(format!("{eager:?}"), format!("{lazy:?}"), "{input}");
        assert_eq!(lazy.as_str(), canonical, "{input}");
        assert_eq!(lazy.to_string(), canonical, "{input}");
        assert_eq!(eager.as_str(), canonical, "{input}");
        assert_eq!(lazy, eager, "{input}");
        let hasher = RandomState::new();
        assert_eq!(hasher.hash_one(&lazy), hasher.hash_one(&eager), "{input}");
    }
}

/// The vendor's top-level ORs compile under a schema that allows OR (here
/// the Go helper's and the carts reference's attributes), print the Go
/// helper's way, and keep their complexity: an OR of two conditions is 2.
#[test]
fn a_top_level_or_compiles_under_a_schema_that_allows_or() {
    let schema = Schema::from_json(
        r#"{"name": "carts", "allow_or": true, "attributes": {
            "amount": {"type": "integer", "operators": ["eq"]},
            "status": {"type": "text", "operators": ["eq"]},
            "account_ids": {"type": "text_list", "operators": ["contains"]},
            "name": {"type": "text", "operators": ["ilike"]}
        }}"#,
    )
    .unwrap();
    for (input, canonical) in [
        (
            r#"eq("amount","5")|eq("status","paid")"#,
            "eq(amount,5)|eq(status,paid)",
        ),
        (
            r#"contains(account_ids,"abc123")|ilike(name,"Holiday Cart")"#,
            "contains(account_ids,abc123)|ilike(name,Holiday Cart)",
        ),
        (
            "eq(amount,5):eq(status,paid)|eq(status,open)",
            "eq(amount,5):eq(status,paid)|eq(status,open)",
        ),
    ] {
        let f = schema.compile(input).unwrap();
        assert_eq!(f.to_string(), canonical, "{input}");
        assert_eq!(schema.compile(canonical).unwrap(), f, "{input}");
    }
    // Complexity: 2 + 2 + 1 = 5 alternatives' worth is over the cap of 4.
    let five = "eq(amount,1)|eq(amount,2)|eq(amount,3)|eq(amount,4)|eq(amount,5)";
    match schema.compile(five) {
        Err(FilterError::Invalid(es)) => {
            let e = es.iter().next().unwrap();
            assert_eq!(
                (e.kind().clone(), e.span()),
                (K::TooComplex { found: 5, limit: 4 }, span(0..five.len()))
            );
        }
        other => panic!("{other:?}"),
    }
}
