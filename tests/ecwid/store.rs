//! Loading a store: integrity checks, and writing it back as read.

use super::*;
use catalog_filter::ecwid::StoreProblem;
use serde_json::{Value, json};

// ---------------------------------------------------------------- loading

#[test]
fn sample_store_loads_and_serialises_back_losing_nothing() {
    let store = sample();
    assert_eq!(store.categories().len(), 10);
    assert_eq!(store.products().len(), 15);
    // The one product stored with no categories loads as in category 0 ...
    assert_eq!(cats(&store, 37208359), [0]);
    // ... and is written back as given, like everything else: byte for
    // byte (compact), and as read (whitespace kept).
    assert_eq!(to_json(&store), compact(SAMPLE));
    assert_eq!(store.to_json(), compact(SAMPLE));
    let mut as_read = Vec::new();
    Store::from_json(SAMPLE)
        .unwrap_or_else(|e| panic!("{e}"))
        .write_json_as_read(&mut as_read)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(String::from_utf8_lossy(&as_read), SAMPLE);
    let expected: Value = serde_json::from_str(SAMPLE).unwrap_or_else(|e| panic!("{e}"));
    let written = serde_json::to_value(&store).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(written, expected);
    // And it loads again to the same store.
    assert_eq!(load(&written.to_string()), store);
}

#[test]
fn unknown_fields_are_kept_exactly() {
    // Unknown members stay where they are, with their exact text.
    let text = r#"{"categories":[{"id":10,"parent_id":0,"name":"A","enabled":true,"seo":{"t":"x"}}],"products":[{"id":1,"name":"p","category_ids":[10],"price":9.5,"sku":"S-1"}],"store_id":1003}"#;
    assert_eq!(to_json(&load(text)), text);
    let text = r#"{"store_id":1003,"z":[1E400,-0,12345678901234567890123,0.9455199068242589,1e2,"\u00e9\"",null,[],{}],"products":[{"sku":"S-1","category_ids":[10],"price":9.50,"id":1,"name":"p\n","extra":null}],"categories":[{"x":{"deep":[[[]]]},"name":"A","id":10,"parent_id":null}]}"#;
    let store = load(text);
    assert_eq!(to_json(&store), text);
    // And they can be read.
    assert_eq!(
        store
            .snapshot()
            .other
            .get("store_id")
            .map(|v| v.json_text()),
        Some("1003".to_owned())
    );
    assert_eq!(
        store
            .product(1)
            .and_then(|p| p.other.get("price"))
            .and_then(|v| v.text()),
        Some("9.50")
    );
    assert_eq!(store.product(1).map(|p| p.name.as_str()), Some("p\n"));
    assert!(store.categories()[0].other.contains_key("x"));
}

#[test]
fn products_without_categories_load_in_the_top_level() {
    let text = r#"{"products":[{"id":1,"name":"a","category_ids":[]},{"id":2,"name":"b"},{"id":3,"name":"c","category_ids":[0]},{"id":4,"name":"d","category_ids":null}]}"#;
    let store = load(text);
    assert_eq!(cats(&store, 1), [0]);
    assert_eq!(cats(&store, 2), [0]);
    assert_eq!(cats(&store, 3), [0]);
    assert_eq!(cats(&store, 4), [0]);
    // ... and are written back as given (they were not changed).
    assert_eq!(to_json(&store), text);
    // Unassigning from 0 leaves them as they are.
    let mut after = store.clone();
    let plan = ok_plan(&after, 0, &[1, 2, 3, 4]);
    assert_eq!(plan.unchanged, [1, 2, 3, 4]);
    ecwid::apply(&mut after, &plan);
    assert_eq!(after.to_json(), text);
}

#[test]
fn parent_zero_null_or_absent_is_top_level() {
    let text = r#"{"categories":[{"id":1,"parent_id":0,"name":"a"},{"id":2,"parent_id":null,"name":"b"},{"id":3,"name":"c"}]}"#;
    let store = load(text);
    let parents: Vec<CategoryId> = store.categories().iter().map(|c| c.parent()).collect();
    assert_eq!(parents, [0, 0, 0]);
    // Written back as given: `null` stays `null`, absent stays absent.
    assert_eq!(to_json(&store), text);
    // The typed snapshot writes `null` as an absent parent_id (same meaning).
    assert_eq!(
        to_json(store.snapshot()),
        r#"{"categories":[{"id":1,"parent_id":0,"name":"a"},{"id":2,"name":"b"},{"id":3,"name":"c"}],"products":[]}"#
    );
}

#[test]
fn a_changed_product_differs_only_in_its_category_ids() {
    let text = "{\"categories\": [{\"id\": 20, \"name\": \"Sale\"}, {\"id\": 11, \"name\": \"Shoes\"}],\n \"products\": [\n  {\"id\": 1, \"category_ids\": [ 11 , 20 ], \"name\": \"a\", \"w\": -0},\n  {\"name\": \"b\", \"category_ids\": [20], \"id\": 2, \"n\": null},\n  {\"id\": 3, \"name\": \"c\", \"category_ids\": [20]}\n ]}";
    let mut store = load(text);
    let plan = ok_plan(&store, 20, &[1, 2]);
    ecwid::apply(&mut store, &plan);
    // Compact: each changed list spliced in, its remaining elements as written.
    assert_eq!(
        store.to_json(),
        r#"{"categories":[{"id":20,"name":"Sale"},{"id":11,"name":"Shoes"}],"products":[{"id":1,"category_ids":[11],"name":"a","w":-0},{"name":"b","category_ids":[0],"id":2,"n":null},{"id":3,"name":"c","category_ids":[20]}]}"#
    );
    // As read: every other byte, whitespace included, stays.
    let mut out = Vec::new();
    store
        .write_json_as_read(&mut out)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        String::from_utf8_lossy(&out),
        text.replacen("[ 11 , 20 ]", "[11]", 1)
            .replacen("[20], \"id\": 2", "[0], \"id\": 2", 1)
    );
    // Applying it again, or another plan, keeps splicing from the text read.
    ecwid::apply(&mut store, &plan);
    let plan = ok_plan(&store, 11, &[1]);
    ecwid::apply(&mut store, &plan);
    assert!(
        store
            .to_json()
            .contains(r#"{"id":1,"category_ids":[0],"name":"a","w":-0}"#)
    );
}

#[test]
fn into_snapshot_gives_the_checked_data_back() {
    let store = small();
    let snapshot = store.clone().into_snapshot();
    assert_eq!(&snapshot, store.snapshot());
    assert_eq!(snapshot.categories.len(), 3);
    assert_eq!(snapshot.products.len(), 6);
    let names: Vec<&str> = snapshot.products.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        ["Sneakers", "Tote", "Boots", "Gift card", "Sticker", "Hat"]
    );
    // The product stored with `[]` is in 0 in the data.
    assert_eq!(snapshot.products[5].category_ids, [0]);
    assert_eq!(snapshot.categories[1].parent_id, Some(10));
    // It makes the same store again.
    assert_eq!(Store::new(snapshot.clone()), Ok(store.clone()));
    assert_eq!(Store::try_from(snapshot), Ok(store));
}

#[test]
fn loading_from_bytes_and_the_byte_limit() {
    let text = r#"{"products":[{"id":1,"name":"a"}]}"#;
    let from_str = Store::from_json(text).unwrap_or_else(|e| panic!("{e}"));
    let from_slice = Store::from_slice(text.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let from_vec = Store::from_vec(text.as_bytes().to_vec()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(from_str, from_slice);
    assert_eq!(from_str, from_vec);
    assert_eq!(from_vec.to_json(), text);
    // A part of a larger document, sharing it.
    let doc = std::sync::Arc::new(format!(r#"{{"store":{text},"more":1}}"#));
    let part = Store::load(doc.clone(), 9..9 + text.len(), &Limits::default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(part.to_json(), text);
    // Over the limit: refused before parsing (this is not even JSON).
    let limits = Limits {
        max_snapshot_bytes: 4,
        ..Limits::DEFAULT
    };
    let e = Store::load(std::sync::Arc::new("nope!".to_owned()), 0..5, &limits)
        .err()
        .unwrap_or_else(|| panic!("loaded"));
    assert_eq!(
        e.to_string(),
        "store snapshot is 5 bytes; the limit is 4 (max_snapshot_bytes)"
    );
    let e = Store::from_vec(b"{\"products\":\xff}".to_vec())
        .err()
        .unwrap_or_else(|| panic!("loaded"));
    assert!(
        e.to_string().starts_with("store snapshot is not UTF-8"),
        "{e}"
    );
    let e = Store::from_json(r#"{"products":[{"id":1,"name":"a","category_ids":[1]}]}"#)
        .err()
        .unwrap_or_else(|| panic!("loaded"));
    assert_eq!(
        e.invalid().map(|e| e.problems().len()),
        Some(1),
        "integrity problems are typed"
    );
}

#[test]
fn members_given_twice_and_wrong_shapes_are_json_errors() {
    for (text, message) in [
        (
            r#"{"products":[{"id":1,"name":"a","category_ids":[],"category_ids":[]}]}"#,
            "member `category_ids` given twice at line 1 column 51",
        ),
        (
            r#"{"products":[],"products":[]}"#,
            "member `products` given twice at line 1 column 16",
        ),
        (
            r#"{"categories":[{"id":1,"id":2,"name":"a"}]}"#,
            "member `id` given twice at line 1 column 24",
        ),
        // Unknown members too, in every object, and on the line they stand.
        (
            "{\"v\":1,\n\"v\":2}",
            "member `v` given twice at line 2 column 1",
        ),
        (
            r#"{"categories":[{"id":1,"name":"a","x":1,"x":2}]}"#,
            "member `x` given twice at line 1 column 41",
        ),
        (
            r#"{"products":[{"id":1,"name":"a","x":{"y":1,"\u0079":2}}]}"#,
            "member `y` given twice at line 1 column 44",
        ),
        // A lone surrogate escape is no Unicode text, wherever it stands.
        (
            r#"{"products":[{"id":1,"name":"a","x":["\ud800"]}]}"#,
            r"lone surrogate `\ud800` (not Unicode text) at line 1 column 39",
        ),
        (r#"{"products":[{"id":1}]}"#, "missing field `name`"),
        (
            r#"{"products":5}"#,
            "invalid type: integer `5`, expected a list of products",
        ),
        (
            r#"[]"#,
            "invalid type: sequence, expected a store snapshot object",
        ),
        (
            r#"{"products":[{"id":-1,"name":"a"}]}"#,
            "invalid value: integer `-1`",
        ),
    ] {
        let e = Store::from_json(text)
            .err()
            .unwrap_or_else(|| panic!("{text} loaded"));
        assert!(e.invalid().is_none(), "{text}");
        assert!(e.to_string().starts_with(message), "{text}: {e}");
    }
}

#[test]
fn deep_nesting_in_unknown_members_is_answered() {
    let depth = 100_000;
    let text = format!(
        r#"{{"x":{}1{},"products":[]}}"#,
        "[".repeat(depth),
        "]".repeat(depth)
    );
    // Either loaded or refused, never a crash; if loaded, written back as is.
    if let Ok(store) = Store::from_json(&text) {
        assert_eq!(store.to_json(), text);
    }
}

#[test]
fn the_top_level_category_is_implicit() {
    let store = small();
    assert!(store.has_category(0));
    assert_eq!(store.category(0), None);
    assert!(store.has_category(11));
    assert_eq!(store.category(11).map(|c| c.name.as_str()), Some("Shoes"));
    assert_eq!(store.category(11).map(|c| c.parent()), Some(10));
    assert!(!store.has_category(12));
    assert_eq!(store.product(99), None);
    assert_eq!(
        Store::new(StoreSnapshot::default()).map(|s| s.products().len()),
        Ok(0)
    );
}

#[test]
fn loading_reports_every_problem_at_once() {
    let e = store_error(
        r#"{
      "categories": [
        {"id": 1, "name": "a"},
        {"id": 1, "name": "a again"},
        {"id": 1, "name": "a thrice"},
        {"id": 0, "name": "top"},
        {"id": 2, "parent_id": 99, "name": "orphan"},
        {"id": 3, "parent_id": 4, "name": "c"},
        {"id": 4, "parent_id": 3, "name": "d"}
      ],
      "products": [
        {"id": 7, "name": "x", "category_ids": [1, 55, 1, 1, 56]},
        {"id": 7, "name": "x again", "category_ids": [0]},
        {"id": 8, "name": "y", "category_ids": [0, 0]}
      ]
    }"#,
    );
    assert_eq!(
        e.problems(),
        [
            StoreProblem::DuplicateCategoryId { id: 1 },
            StoreProblem::ReservedCategoryId { index: 3 },
            StoreProblem::UnknownParent {
                category_id: 2,
                parent_id: 99
            },
            StoreProblem::ParentCycle {
                category_ids: vec![3, 4]
            },
            StoreProblem::UnknownCategory {
                product_id: 7,
                category_id: 55
            },
            StoreProblem::RepeatedCategory {
                product_id: 7,
                category_id: 1
            },
            StoreProblem::UnknownCategory {
                product_id: 7,
                category_id: 56
            },
            StoreProblem::DuplicateProductId { id: 7 },
            StoreProblem::RepeatedCategory {
                product_id: 8,
                category_id: 0
            },
        ]
    );
    assert_eq!(
        e.to_string(),
        "invalid store snapshot: category id 1 is used more than once; \
         category at index 3 has id 0, which is reserved for the top-level category; \
         category 2 has parent 99, which is not a category; \
         categories form a parent cycle: 3 -> 4 -> 3; \
         product 7 is in category 55, which is not a category; \
         product 7 lists category 1 more than once; \
         product 7 is in category 56, which is not a category; \
         product id 7 is used more than once; \
         product 8 lists category 0 more than once"
    );
    assert_eq!(
        wire(&EcwidError::from(e)),
        (
            500,
            r#"{"errorMessage":"Store snapshot is invalid: category id 1 is used more than once; category at index 3 has id 0, which is reserved for the top-level category; category 2 has parent 99, which is not a category; categories form a parent cycle: 3 -> 4 -> 3; product 7 is in category 55, which is not a category; product 7 lists category 1 more than once; product 7 is in category 56, which is not a category; product id 7 is used more than once; product 8 lists category 0 more than once","errorCode":"INVALID_STORE"}"#
                .to_owned()
        )
    );
}

#[test]
fn repeats_are_found_in_long_category_lists_too() {
    let categories: Vec<Value> = (1..=40)
        .map(|id| json!({"id": id, "name": format!("c{id}")}))
        .collect();
    let mut ids: Vec<u64> = (1..=40).collect();
    ids.extend([7, 39, 7, 41]);
    let text = json!({"categories": categories, "products": [{"id": 1, "name": "p", "category_ids": ids}]});
    let e = store_error(&text.to_string());
    assert_eq!(
        e.problems(),
        [
            StoreProblem::RepeatedCategory {
                product_id: 1,
                category_id: 7
            },
            StoreProblem::RepeatedCategory {
                product_id: 1,
                category_id: 39
            },
            StoreProblem::UnknownCategory {
                product_id: 1,
                category_id: 41
            },
        ]
    );
}

#[test]
fn every_cycle_is_reported_once_from_its_smallest_id() {
    // 5 -> 6 -> 7 -> 5 entered from 8 (which is not on the cycle), a self
    // loop on 9, and a healthy chain 1 -> 2.
    let e = store_error(
        r#"{"categories":[
          {"id": 8, "parent_id": 6, "name": "tail"},
          {"id": 7, "parent_id": 5, "name": "c"},
          {"id": 6, "parent_id": 7, "name": "b"},
          {"id": 5, "parent_id": 6, "name": "a"},
          {"id": 9, "parent_id": 9, "name": "self"},
          {"id": 1, "parent_id": 2, "name": "ok"},
          {"id": 2, "name": "ok"}
        ]}"#,
    );
    assert_eq!(
        e.problems(),
        [
            StoreProblem::ParentCycle {
                category_ids: vec![5, 6, 7]
            },
            StoreProblem::ParentCycle {
                category_ids: vec![9]
            },
        ]
    );
    assert_eq!(
        e.to_string(),
        "invalid store snapshot: categories form a parent cycle: 5 -> 6 -> 7 -> 5; \
         categories form a parent cycle: 9 -> 9"
    );
}

#[test]
fn deserialising_a_store_runs_the_integrity_checks() {
    let result =
        serde_json::from_str::<Store>(r#"{"products":[{"id":1,"name":"a","category_ids":[3]}]}"#);
    assert_eq!(
        result.map_err(|e| e.to_string()),
        Err(
            "invalid store snapshot: product 1 is in category 3, which is not a category"
                .to_owned()
        )
    );
    // Wrong shapes are serde errors.
    assert!(serde_json::from_str::<Store>(r#"{"products":[{"id":-1,"name":"a"}]}"#).is_err());
    assert!(serde_json::from_str::<Store>(r#"{"products":[{"id":1}]}"#).is_err());
}

#[test]
fn category_ids_errors_are_placed_in_the_whole_document() {
    // The bad element is on line 3, where its list ends (it was placed in
    // the list's own text, "line 2 column 2").
    let text = "{\"products\":[{\"id\":1,\"name\":\"a\",\"category_ids\":[\n 1,\n \"x\"]}]}";
    let e = Store::from_json(text).err().map(|e| e.to_string());
    assert_eq!(
        e.as_deref(),
        Some("invalid type: string \"x\", expected u64 at line 3 column 6")
    );
}
