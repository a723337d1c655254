//! Filter evaluation: the meaning of every attribute and operator.

use catalog_filter::catalog::Product;
use catalog_filter::schema::Schema;
use catalog_filter::schema::{CommodityType, Owner, ProductType, Status};
use catalog_filter::validate::{LikePattern, PatternKind};
use catalog_filter::{CompilerBuilder, Limits, ValidFilter, compile};
use chrono::DateTime;
use proptest::prelude::*;
use serde_json::json;
use uuid::Uuid;

const ID: &str = "7d4f6c2a-1b3e-4f5a-9c8d-0e1f2a3b4c5d";
const PARENT: &str = "00000000-0000-4000-8000-000000000001";

fn filter(f: &str) -> ValidFilter {
    compile(f).unwrap_or_else(|e| panic!("{}", e.render(f)))
}

fn book() -> Product {
    let obj = |v: serde_json::Value| -> catalog_filter::catalog::Attributes {
        v.as_object().cloned().unwrap_or_default().into()
    };
    Product {
        id: Uuid::parse_str(ID).unwrap(),
        sku: Some("BOOK-001".into()),
        slug: Some("war-and-peace".into()),
        name: Some("War and Peace — Édition".into()),
        upc_ean: Some("0123456789012".into()),
        manufacturer_part_num: Some("MPN-7".into()),
        description: Some("A long *novel*".into()),
        external_ref: Some("ext-b".into()),
        status: Some(Status::Live),
        commodity_type: Some(CommodityType::Physical),
        owner: Some(Owner::Store),
        product_types: vec![ProductType::Standard, ProductType::Child],
        parent_id: Some(Uuid::parse_str(PARENT).unwrap()),
        tags: vec!["classic".into(), "Sale".into()],
        templates: vec!["book".into()],
        created_at: Some(DateTime::parse_from_rfc3339("2024-03-01T12:00:00+02:00").unwrap()),
        updated_at: Some(DateTime::parse_from_rfc3339("2025-01-01T00:00:00Z").unwrap()),
        extensions: [(
            "book".to_string(),
            obj(json!({"isbn": 1765426, "pages": 1225.5, "signed": false, "title": "W&P", "none": null, "list": [1]})),
        )]
        .into_iter()
        .collect(),
        shopper_attributes: obj(json!({"color": "red"})),
        admin_attributes: obj(json!({"batch": 7})),
        node_ids: vec!["n1".into()],
        ..Product::default()
    }
}

/// Compiles against the whole language (OR groups, every operator).
fn whole(f: &str) -> ValidFilter {
    CompilerBuilder::new()
        .schema(Schema::every_operator())
        .limits(Limits::DEFAULT)
        .build()
        .compile(f)
        .unwrap_or_else(|e| panic!("{}", e.render(f)))
}

/// Asserts which of `filters` (whole language) match `product`.
fn check_whole(product: &Product, cases: &[(&str, bool)]) {
    for &(f, want) in cases {
        assert_eq!(whole(f).matches(product), want, "{f}");
    }
}

/// Asserts which of `filters` match `product`.
fn check(product: &Product, cases: &[(&str, bool)]) {
    for &(f, want) in cases {
        assert_eq!(filter(f).matches(product), want, "{f}");
    }
}

#[test]
fn uuid_attributes() {
    let p = book();
    check(
        &p,
        &[
            (&format!("eq(id,{ID})"), true),
            (&format!("eq(id,{})", ID.to_uppercase()), true),
            (&format!("in(id,{PARENT},{ID})"), true),
            (&format!("eq(id,{PARENT})"), false),
            (&format!("gt(id,{PARENT})"), true),
            (&format!("ge(id,{ID})"), true),
            (&format!("lt(id,{ID})"), false),
            (&format!("le(id,{ID})"), true),
            (&format!("eq(parent_id,{PARENT})"), true),
            (&format!("in(parent_id,{ID})"), false),
        ],
    );
    let orphan = Product {
        parent_id: None,
        ..book()
    };
    check(&orphan, &[(&format!("eq(parent_id,{PARENT})"), false)]);
}

#[test]
fn text_attributes_are_exact_and_case_sensitive() {
    let p = book();
    check(
        &p,
        &[
            ("eq(sku,BOOK-001)", true),
            ("eq(sku,book-001)", false),
            ("eq(sku,BOOK-00)", false),
            ("in(sku,x,BOOK-001)", true),
            ("eq(slug,war-and-peace)", true),
            ("eq(upc_ean,0123456789012)", true),
            ("eq(manufacturer_part_num,MPN-7)", true),
            ("eq(name,\"War and Peace — Édition\")", true),
            ("eq(description,\"A long *novel*\")", true),
            ("eq(external_ref,ext-b)", true),
            ("in(name,a,b)", false),
        ],
    );
}

#[test]
fn external_ref_orders_bytewise() {
    let p = book(); // "ext-b"
    check(
        &p,
        &[
            ("gt(external_ref,ext-a)", true),
            ("gt(external_ref,ext-b)", false),
            ("ge(external_ref,ext-b)", true),
            ("lt(external_ref,ext-c)", true),
            ("le(external_ref,ext-a)", false),
            // At equality: lt is false, le true.
            ("lt(external_ref,ext-b)", false),
            ("le(external_ref,ext-b)", true),
            ("lt(external_ref,ext-a)", false),
            ("le(external_ref,ext-c)", true),
            // Bytewise: upper case sorts before lower case.
            ("gt(external_ref,EXT-Z)", true),
        ],
    );
}

#[test]
fn like_wildcards() {
    let p = book(); // name "War and Peace — Édition"
    check(
        &p,
        &[
            ("like(name,*Peace*)", true),
            ("like(name,*peace*)", false),
            ("like(name,War*)", true),
            ("like(name,war*)", false),
            ("like(name,\"*Édition\")", true),
            ("like(name,\"*— É*\")", true),
            ("like(name,*Peace)", false),
            ("like(name,\"War and Peace — Édition\")", true),
            ("like(name,War)", false),
            ("like(name,*)", true),
            ("like(name,**)", true),
            ("like(name,War*Peace*)", false),
            ("like(description,**novel**)", true),
            ("like(description,\"A long *novel*\")", true),
            ("like(description,*long**)", false),
            ("like(tags,Sa*)", true),
            ("like(tags,sa*)", false),
            ("like(sku,*001)", true),
            ("like(slug,*and*)", true),
            ("like(upc_ean,0123*)", true),
            ("like(manufacturer_part_num,MPN*)", true),
            ("like(external_ref,ext*)", true),
        ],
    );
    // A star in the middle is literal.
    let star = Product {
        name: Some("a*b".into()),
        ..book()
    };
    check(
        &star,
        &[
            ("like(name,a*b)", true),
            ("like(name,*a*b*)", true),
            ("like(name,b*)", false),
            ("like(name,***)", true),
        ],
    );
    let other = Product {
        name: Some("axb".into()),
        ..book()
    };
    check(
        &other,
        &[("like(name,a*b)", false), ("like(name,***)", false)],
    );
    // Case: like(name,*Shoe*) does not match "running shoe".
    let shoe = Product {
        name: Some("running shoe".into()),
        ..book()
    };
    check(
        &shoe,
        &[("like(name,*Shoe*)", false), ("like(name,*shoe*)", true)],
    );
    // Empty value: only wildcards that accept anything, or "".
    let empty = Product {
        name: Some("".into()),
        ..book()
    };
    check(
        &empty,
        &[
            ("like(name,*)", true),
            ("like(name,\"\")", true),
            ("like(name,*a*)", false),
        ],
    );
}

#[test]
fn lists_match_when_any_element_does() {
    let p = book();
    check(
        &p,
        &[
            ("eq(tags,classic)", true),
            ("eq(tags,Sale)", true),
            ("eq(tags,sale)", false),
            ("in(tags,x,Sale)", true),
            ("eq(templates,book)", true),
            ("eq(templates,shoe)", false),
            ("eq(product_types,child)", true),
            ("in(product_types,bundle,standard)", true),
            ("in(product_types,bundle,parent)", false),
        ],
    );
}

#[test]
fn enums_and_has_nodes() {
    let p = book();
    check(
        &p,
        &[
            ("eq(status,live)", true),
            ("eq(status,draft)", false),
            ("eq(commodity_type,physical)", true),
            ("eq(commodity_type,digital)", false),
            ("eq(owner,store)", true),
            ("eq(owner,organization)", false),
            ("eq(has_nodes,false)", false),
        ],
    );
    let orphan = Product {
        node_ids: vec![],
        ..book()
    };
    check(&orphan, &[("eq(has_nodes,false)", true)]);
}

#[test]
fn instants_compare_as_instants() {
    let p = book(); // created 2024-03-01T12:00:00+02:00 = 10:00Z
    check(
        &p,
        &[
            ("eq(created_at,2024-03-01T10:00:00Z)", true),
            ("eq(created_at,2024-03-01T05:00:00-05:00)", true),
            ("eq(created_at,2024-03-01T12:00:00Z)", false),
            ("gt(created_at,2024-03-01T09:59:59Z)", true),
            ("gt(created_at,2024-03-01T10:00:00Z)", false),
            ("ge(created_at,2024-03-01T10:00:00Z)", true),
            ("lt(created_at,2024-03-02)", true),
            ("le(created_at,2024-03-01)", false),
            ("gt(created_at,2024-03-01)", true),
            ("eq(created_at,1709287200000)", true),
            ("lt(created_at,1709287200001)", true),
            ("ge(updated_at,2025-01-01)", true),
            ("gt(updated_at,2025-01-01)", false),
        ],
    );
}

#[test]
fn extension_and_attribute_text_forms() {
    let p = book();
    check(
        &p,
        &[
            ("eq(extensions.book.isbn,1765426)", true),
            ("eq(extensions.book.isbn,1765426.0)", false),
            ("eq(extensions.book.pages,1225.5)", true),
            ("eq(extensions.book.signed,false)", true),
            ("eq(extensions.book.signed,False)", false),
            ("eq(extensions.book.title,\"W&P\")", true),
            ("eq(extensions.book.none,null)", false),
            ("eq(extensions.book.list,\"[1]\")", false),
            ("eq(extensions.book.missing,x)", false),
            ("eq(extensions.shoe.isbn,1765426)", false),
            ("eq(shopper_attributes.color,red)", true),
            ("eq(shopper_attributes.color,Red)", false),
            ("eq(admin_attributes.batch,7)", true),
            ("eq(admin_attributes.color,red)", false),
        ],
    );
}

#[test]
fn missing_attributes_never_match() {
    let bare = Product {
        id: Uuid::parse_str(ID).unwrap(),
        ..Product::default()
    };
    for f in [
        "eq(sku,x)",
        "like(sku,*)",
        "like(name,**)",
        "eq(name,\"\")",
        "eq(tags,x)",
        "like(tags,*)",
        "eq(templates,x)",
        "eq(status,live)",
        "eq(commodity_type,digital)",
        "eq(owner,store)",
        "in(product_types,standard,parent,child,bundle)",
        "gt(created_at,1970-01-01)",
        "lt(updated_at,2999-01-01)",
        "gt(external_ref,\"\")",
        "eq(extensions.book.isbn,1)",
        "eq(shopper_attributes.a,b)",
        "eq(admin_attributes.a,b)",
        "eq(parent_id,00000000-0000-0000-0000-000000000000)",
    ] {
        assert!(!filter(f).matches(&bare), "{f}");
    }
    // has_nodes is never missing: no nodes means has_nodes is false.
    assert!(filter("eq(has_nodes,false)").matches(&bare));
}

#[test]
fn conditions_are_anded() {
    let p = book();
    check(
        &p,
        &[
            ("eq(status,live):like(name,War*)", true),
            ("eq(status,live):like(name,war*)", false),
            ("eq(status,draft):like(name,War*)", false),
        ],
    );
}

#[test]
fn select_returns_matches_in_order_with_indexes() {
    let catalog = catalog_filter::synthetic::catalog(7, 500, 40);
    let f = filter("eq(status,live)");
    let selected: Vec<usize> = catalog.select(&f).map(|(i, _)| i).collect();
    let expected: Vec<usize> = catalog
        .products()
        .iter()
        .enumerate()
        .filter(|(_, p)| p.status == Some(Status::Live))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(selected, expected);
    assert!(!selected.is_empty() && selected.len() < 500);
}

#[test]
fn pattern_kinds() {
    let cases = [
        ("*", PatternKind::Any, ""),
        ("**", PatternKind::Any, ""),
        ("***", PatternKind::Contains, "*"),
        ("*a", PatternKind::EndsWith, "a"),
        ("a*", PatternKind::StartsWith, "a"),
        ("*a*", PatternKind::Contains, "a"),
        ("a*b", PatternKind::Equals, "a*b"),
        ("", PatternKind::Equals, ""),
    ];
    for (text, kind, needle) in cases {
        let p = LikePattern::new(text);
        assert_eq!((p.kind(), p.needle()), (kind, needle), "{text:?}");
    }
}

/// The plain reference the matcher must agree with.
fn reference(pattern: &str, value: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    let lead = pattern.starts_with('*');
    let body = if lead { &pattern[1..] } else { pattern };
    let trail = body.ends_with('*');
    let needle = if trail { &body[..body.len() - 1] } else { body };
    match (lead, trail) {
        (true, true) => value.contains(needle),
        (true, false) => value.ends_with(needle),
        (false, true) => value.starts_with(needle),
        (false, false) => value == needle,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn like_agrees_with_reference(pattern in "[*ab]{0,6}|\\*?[a-c*é]{0,4}\\*?", value in "[*ab]{0,8}|[a-cé*]{0,6}") {
        prop_assert_eq!(LikePattern::new(&pattern).matches(&value), reference(&pattern, &value));
    }

    #[test]
    fn like_agrees_with_reference_on_any_text(pattern in any::<String>(), value in any::<String>()) {
        prop_assert_eq!(LikePattern::new(&pattern).matches(&value), reference(&pattern, &value));
        // Every substring of the value is found by a contains-pattern.
        let cut = value.char_indices().map(|(i, _)| i).nth(value.chars().count() / 2).unwrap_or(0);
        let inner = &value[cut..];
        let contains = LikePattern::new(&format!("*{inner}*"));
        prop_assert!(contains.matches(&value));
    }
}

#[test]
fn or_groups() {
    let p = book();
    check_whole(
        &p,
        &[
            ("(eq(sku,BOOK-001)|eq(sku,x))", true),
            ("(eq(sku,x)|eq(sku,y))", false),
            ("(eq(sku,x):eq(status,live)|eq(sku,BOOK-001))", true),
            ("(eq(sku,BOOK-001):eq(status,draft)|eq(sku,y))", false),
            ("eq(status,live):(eq(sku,x)|eq(owner,store))", true),
            ("eq(status,draft):(eq(sku,x)|eq(owner,store))", false),
        ],
    );
}

#[test]
fn operators_beyond_detach_nodes() {
    let p = book(); // name "War and Peace — Édition", tags classic, Sale
    check_whole(
        &p,
        &[
            ("ilike(name,*war*)", true),
            ("ilike(name,'*ÉDITION')", true),
            ("ilike(name,'*édition')", true),
            ("like(name,*war*)", false),
            ("ilike(tags,sale)", true),
            ("contains(tags,Sale)", true),
            ("contains(tags,sale)", false),
            ("contains_any(tags,x,classic)", true),
            ("contains_any(tags,x,y)", false),
            ("contains_all(tags,classic,Sale)", true),
            ("contains_all(tags,classic,x)", false),
            ("contains_all(product_types,standard,child)", true),
            ("contains_all(product_types,standard,bundle)", false),
            ("is_null(description)", false),
            ("is_null(upc_ean)", false),
            ("is_null(extensions.book.none)", true),
            ("is_null(extensions.book.missing)", true),
            ("is_null(extensions.book.isbn)", false),
            ("is_null(has_nodes)", false),
            ("text(name,wars)", true),
            ("text(name,'war and peace')", true),
            ("text(name,war novel)", false),
            ("text(description,novels)", true),
        ],
    );
    let empty = Product::default();
    check_whole(
        &empty,
        &[
            ("is_null(description)", true),
            ("is_null(tags)", true),
            ("is_null(product_types)", true),
            ("is_null(created_at)", true),
            ("is_null(parent_id)", true),
            ("is_null(status)", true),
            ("is_null(shopper_attributes.color)", true),
            ("ilike(name,*)", false),
            ("contains_all(tags,a)", false),
            ("text(name,x)", false),
        ],
    );
}

/// Free-form values, one product each, with the extension field `t.f`:
/// absent, `null`, then values of every JSON kind (the last ones arrays
/// and objects, which are values though no filter text equals them).
/// `tests/postgres.rs` checks PostgreSQL against the same answers.
const FREE_FORM: &str = include_str!("data/free_form.json");

/// D5 (issue 27): only an absent key or `null` is null for a free-form
/// value, in `Catalog::select`, per product, and on a `serde_json` record.
#[test]
fn is_null_on_a_free_form_value_holds_only_for_absent_and_null() {
    let catalog = catalog_filter::catalog::Catalog::from_json(FREE_FORM).unwrap();
    let schema = Schema::every_operator();
    let records: Vec<serde_json::Value> = serde_json::from_str::<serde_json::Value>(FREE_FORM)
        .unwrap()["products"]
        .as_array()
        .unwrap()
        .clone();
    for (text, want) in [
        ("is_null(extensions.t.f)", vec![0, 1, 2]),
        ("is_null(extensions.u.f)", (0..11).collect()),
        ("is_null(shopper_attributes.f)", (0..11).collect()),
        ("in(extensions.t.f,'',0,false)", vec![3, 4, 5]),
        ("eq(extensions.t.f,'[1,2]')", vec![]),
    ] {
        let f = schema.compile(text).unwrap();
        let selected: Vec<usize> = catalog.select(&f).map(|(i, _)| i).collect();
        assert_eq!(selected, want, "select {text}");
        let one_by_one: Vec<usize> = (0..catalog.products().len())
            .filter(|&i| f.matches(&catalog.products()[i]))
            .collect();
        assert_eq!(one_by_one, want, "per product {text}");
        let json: Vec<usize> = (0..records.len())
            .filter(|&i| f.matches(&records[i]))
            .collect();
        assert_eq!(json, want, "serde_json {text}");
    }
}
