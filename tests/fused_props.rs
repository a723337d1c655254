//! The fused compile (one pass over a plain conjunction) against the two
//! stages (parse, then validate): on generated filters, valid and not,
//! `compile_for` answers exactly what `parse_with` + `validate_for` answer:
//! the same typed tree and canonical text, or the same errors.

use catalog_filter::schema::Schema;
use catalog_filter::syntax::parse_with;
use catalog_filter::{CompilerBuilder, FilterError, Limits};
use proptest::prelude::*;

/// Conditions valid or not against detach_nodes and every_operator:
/// unknown attributes, bad values, wrong operators, quoted and escaped
/// values, long `in` lists, syntax errors and groups.
const POOL: &[&str] = &[
    "eq(status,live)",
    "eq(status,LIVE)",
    "like(name,*shoe*)",
    "like(name,'*a b*')",
    "ilike(name,*SHOE*)",
    "in(sku,a-1,b-2,c-3)",
    "in(sku,\"x\\\"y\",'z')",
    "gt(updated_at,2024-01-01T00:00:00Z)",
    "ge(updated_at,2024-13-01)",
    "lt(created_at,1704067200000)",
    "eq(extensions.book.isbn,1765426)",
    "eq(extensions.book,1)",
    "eq(id,3fa85f64-5717-4562-b3fc-2c963f66afa6)",
    "eq(id,not-a-uuid)",
    "eq(skus,a)",
    "like(id,x)",
    "is_null(description)",
    "contains(tags,red)",
    "text(description,running shoes)",
    "eq( sku , 'a b' )",
    "eq(sku,)",
    "eqq(sku,a)",
    "(eq(sku,a)|eq(sku,b))",
    "(eq(sku,a):eq(status,live))",
    "eq(sku,a",
    "in(sku,1,2,3,4,5,6,7,8,9,10,11,12)",
];

/// The fused and the staged answers, compared.
fn same_answer(input: &str, schema: &Schema, limits: &Limits) -> Result<(), TestCaseError> {
    let fused = CompilerBuilder::new()
        .schema(schema.clone())
        .limits(*limits)
        .build()
        .compile(input);
    let staged: Result<_, FilterError> = parse_with(input, limits)
        .map_err(FilterError::from)
        .and_then(|f| {
            CompilerBuilder::new()
                .schema(schema.clone())
                .limits(*limits)
                .build()
                .validate(&f)
                .map_err(FilterError::from)
        });
    match (&fused, &staged) {
        (Ok(a), Ok(b)) => {
            prop_assert_eq!(a.expr(), b.expr(), "{}", input);
            prop_assert_eq!(a.to_string(), b.to_string(), "{}", input);
            prop_assert_eq!(a, b);
        }
        (Err(a), Err(b)) => prop_assert_eq!(a.to_string(), b.to_string(), "{}", input),
        _ => prop_assert!(false, "{input}: fused {fused:?}, staged {staged:?}"),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn fused_compile_is_the_staged_compile(
        picks in prop::collection::vec((0..POOL.len(), 0..3usize, 0..3usize), 1..14),
        lead in 0..3usize,
        trail in 0..3usize,
        max_conditions in 1..14usize,
        max_in_values in 1..14usize,
        every in any::<bool>(),
    ) {
        let mut input = " ".repeat(lead);
        for (n, (pick, before, after)) in picks.iter().enumerate() {
            if n > 0 {
                input.push_str(&" ".repeat(*before));
                input.push(':');
                input.push_str(&" ".repeat(*after));
            }
            input.push_str(POOL[*pick]);
        }
        input.push_str(&" ".repeat(trail));
        let limits = Limits { max_conditions, max_in_values, ..Limits::DEFAULT };
        let schema = if every { Schema::every_operator() } else { Schema::detach_nodes() };
        same_answer(&input, &schema, &limits)?;
    }
}

/// The edges: one condition, exactly at the condition limit and one over,
/// nothing, only spaces, a trailing `:`.
#[test]
fn fused_edges() {
    let schema = Schema::detach_nodes();
    let limits = Limits {
        max_conditions: 3,
        ..Limits::DEFAULT
    };
    for input in [
        "eq(sku,a)",
        " eq(sku,a) ",
        "eq(sku,a):eq(sku,b):eq(sku,c)",
        "eq(sku,a):eq(sku,b):eq(sku,c):eq(sku,d)",
        "",
        "   ",
        "eq(sku,a):",
        ":eq(sku,a)",
        "eq(sku,a)x",
    ] {
        same_answer(input, &schema, &limits).unwrap();
    }
    let f = CompilerBuilder::new()
        .schema(schema.clone())
        .limits(limits)
        .build()
        .compile(" eq(sku,a) : eq(sku,b) ")
        .unwrap();
    assert_eq!(f.to_string(), "eq(sku,a):eq(sku,b)");
    let err = CompilerBuilder::new()
        .schema(schema.clone())
        .limits(limits)
        .build()
        .compile("eq(sku,a):eq(sku,b):eq(sku,c):eq(sku,d)")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "too many conditions: 4, the limit is 3 conditions per filter"
    );
}
