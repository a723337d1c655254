//! The vendor's support matrix, written down independently of `src/schema/presets.rs`
//! from `tests/data/elasticpath-detach-nodes-api-reference.txt` ("The following
//! attributes and operators are supported"), plus the patterned attributes
//! (`extensions.<t>.<f>`, `shopper_attributes.<f>`, `admin_attributes.<f>`). Every operator is tried with every attribute: a listed pair is
//! accepted with a valid value, every other pair is rejected as unsupported,
//! with the attribute's span and the seed's operator list. A typo in the
//! schema table fails this test.

use catalog_filter::schema::OpSet;
use catalog_filter::syntax::{Op, Span};
use catalog_filter::validate::ValidationErrorKind;
use catalog_filter::{FilterError, compile};
use std::collections::BTreeSet;

/// The seed's table, one row per operator, attributes copied from its
/// "Attribute" column (the `eq (extensions)` row gives `extensions.book.isbn`).
const SEED: &[(&str, &str)] = &[
    (
        "eq",
        "id , sku , slug , upc_ean , manufacturer_part_num , name , templates , commodity_type , owner , product_types , parent_id , tags , status , has_nodes , created_at , updated_at , external_ref , description , extensions.book.isbn",
    ),
    (
        "like",
        "sku , slug , upc_ean , manufacturer_part_num , name , tags , description , external_ref",
    ),
    (
        "in",
        "id , name , sku , slug , upc_ean , manufacturer_part_num , product_types , parent_id , tags , external_ref",
    ),
    ("gt", "id , created_at , updated_at , external_ref"),
    ("ge", "id , created_at , updated_at , external_ref"),
    ("lt", "id , created_at , updated_at , external_ref"),
    ("le", "id , created_at , updated_at , external_ref"),
    // The vendor's current spec also filters these with eq.
    (
        "eq",
        "shopper_attributes.color , admin_attributes.margin , extensions.shoe.size",
    ),
];

/// A valid value for each attribute, by the reference's types.
fn valid_value(attribute: &str) -> &'static str {
    match attribute {
        "id" | "parent_id" => "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "created_at" | "updated_at" => "2024-01-01T00:00:00Z",
        "commodity_type" => "physical",
        "owner" => "organization",
        "status" => "draft",
        "product_types" => "bundle",
        "has_nodes" => "false",
        _ => "some-name",
    }
}

/// attribute -> the operators the seed lists for it, in first-seen order.
fn seed_matrix() -> Vec<(&'static str, BTreeSet<&'static str>)> {
    let mut rows: Vec<(&'static str, BTreeSet<&'static str>)> = Vec::new();
    for (op, attrs) in SEED {
        for attr in attrs.split(',').map(str::trim) {
            match rows.iter_mut().find(|(a, _)| *a == attr) {
                Some((_, ops)) => {
                    ops.insert(op);
                }
                None => rows.push((attr, BTreeSet::from([*op]))),
            }
        }
    }
    rows
}

const OPS: [&str; 7] = ["eq", "like", "in", "gt", "ge", "lt", "le"];

#[test]
fn every_operator_with_every_attribute() {
    let rows = seed_matrix();
    assert_eq!(
        rows.len(),
        18 + 4,
        "18 plain attributes and 4 patterned ones"
    );
    let mut checked = 0;
    for (attr, ops) in &rows {
        let supported = OpSet::of(
            &OPS.iter()
                .filter(|o| ops.contains(*o))
                .map(|o| Op::from_name(o).unwrap())
                .collect::<Vec<_>>(),
        );
        for op in OPS {
            let value = valid_value(attr);
            let input = format!("{op}({attr},{value})");
            let result = compile(&input);
            if ops.contains(op) {
                let f = result.unwrap_or_else(|e| panic!("{input} must be accepted: {e}"));
                assert_eq!(f.conditions().next().unwrap().field().to_string(), *attr);
                // `in` also takes several values.
                if op == "in" {
                    let input = format!("in({attr},{value},{value})");
                    let f = compile(&input).unwrap_or_else(|e| panic!("{input}: {e}"));
                    assert_eq!(f.conditions().next().unwrap().predicate().value_count(), 2);
                }
            } else {
                let start = op.len() + 1;
                match result {
                    Err(FilterError::Invalid(es)) => {
                        assert_eq!(es.len(), 1, "{input}");
                        let e = &es.errors()[0];
                        assert_eq!(
                            e.kind(),
                            &ValidationErrorKind::UnsupportedOperator {
                                op: Op::from_name(op).unwrap(),
                                attribute: (*attr).into(),
                                supported,
                            },
                            "{input}"
                        );
                        assert_eq!(e.span(), Span::new(start, start + attr.len()), "{input}");
                    }
                    other => panic!("{input} must be rejected as unsupported, got {other:?}"),
                }
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 22 * 7);
}

#[test]
fn the_schema_has_no_attribute_the_seed_lacks() {
    let seed: BTreeSet<&str> = seed_matrix()
        .into_iter()
        .map(|(a, _)| a.split('.').next().unwrap())
        .collect();
    let detach_nodes = catalog_filter::Schema::detach_nodes();
    let schema: BTreeSet<&str> = detach_nodes
        .attributes()
        .iter()
        .map(|a| a.pattern().split('.').next().unwrap())
        .collect();
    assert_eq!(schema, seed);
}
