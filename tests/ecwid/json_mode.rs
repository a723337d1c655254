//! `examples/common/unassign_json.rs`: what `unassign --json` answers.

use crate::common::json_mode::read_document;
use crate::common::unassign_json as json_mode;
use catalog_filter::Limits;
use serde_json::{Value, json};

// ---------------------------------------------------------------- json mode

fn line(input: &[u8]) -> String {
    json_mode::answer_string(input.to_vec(), &Limits::default())
}

fn json_run(input: &str) -> Value {
    let line = line(input.as_bytes());
    assert!(!line.contains('\n'), "one line: {line}");
    match serde_json::from_str(&line) {
        Ok(v) => v,
        Err(e) => panic!("not JSON ({e}): {line}"),
    }
}

const TINY: &str = r#"{"categories":[{"id":20,"name":"Sale","x":1}],"products":[{"id":1,"name":"a","category_ids":[20]},{"id":2,"name":"b","category_ids":[]}],"store_id":7}"#;

#[test]
fn json_mode_success_prints_status_body_and_store_in_order() {
    let input = format!(
        r#"{{"store":{TINY},"category_id":20,"request":{{"productIds":[1,404]}},"scopes":["update_catalog"]}}"#
    );
    // The store comes back as given, with only product 1's list changed;
    // product 2, stored with `[]`, keeps it.
    assert_eq!(
        line(input.as_bytes()),
        r#"{"status":200,"body":{"deleteCount":1},"store":{"categories":[{"id":20,"name":"Sale","x":1}],"products":[{"id":1,"name":"a","category_ids":[0]},{"id":2,"name":"b","category_ids":[]}],"store_id":7}}"#
    );
}

#[test]
fn json_mode_errors_leave_the_store_unchanged() {
    let unchanged = json!({
        "categories": [{"id": 20, "name": "Sale", "x": 1}],
        "products": [{"id": 1, "name": "a", "category_ids": [20]}, {"id": 2, "name": "b", "category_ids": []}],
        "store_id": 7
    });
    let cases = [
        (
            format!(r#"{{"store":{TINY},"category_id":20,"request":{{"productIds":[1]}}}}"#),
            json!({"status": 403, "body": {"errorMessage": "Access denied: the token lacks the update_catalog scope", "errorCode": "FORBIDDEN"}}),
        ),
        (
            format!(
                r#"{{"store":{TINY},"category_id":21,"request":{{"productIds":[1]}},"scopes":["update_catalog"]}}"#
            ),
            json!({"status": 404, "body": {"errorMessage": "Category 21 not found", "errorCode": "CATEGORY_NOT_FOUND"}}),
        ),
        (
            format!(
                r#"{{"store":{TINY},"category_id":20,"request":{{"productIds":[]}},"scopes":["update_catalog"]}}"#
            ),
            json!({"status": 400, "body": {"errorMessage": "productIds must not be empty", "errorCode": "INVALID_REQUEST_BODY"}}),
        ),
        (
            format!(r#"{{"store":{TINY},"category_id":20,"scopes":["update_catalog"]}}"#),
            json!({"status": 400, "body": {"errorMessage": "Request body is invalid: invalid type: null, expected struct UnassignProductsRequest at line 1 column 4", "errorCode": "INVALID_REQUEST_BODY"}}),
        ),
        (
            format!(
                r#"{{"store":{TINY},"category_id":20,"request":{{"productIds":["1"]}},"scopes":["update_catalog"]}}"#
            ),
            json!({"status": 400, "body": {"errorMessage": "Request body is invalid: invalid type: string \"1\", expected u64 at line 1 column 18", "errorCode": "INVALID_REQUEST_BODY"}}),
        ),
    ];
    for (input, mut expected) in cases {
        expected["store"] = unchanged.clone();
        assert_eq!(json_run(&input), expected, "input {input}");
        // Byte for byte as given.
        assert!(
            line(input.as_bytes()).ends_with(&format!(r#","store":{TINY}}}"#)),
            "input {input}"
        );
    }
}

#[test]
fn json_mode_malformed_input_is_400_not_a_panic() {
    let cases: [(&[u8], Value); 5] = [
        (
            b"not json",
            json!({"status": 400, "body": {"errorMessage": "Request body is invalid: input: expected ident at line 1 column 2", "errorCode": "INVALID_REQUEST_BODY"}, "store": null}),
        ),
        (
            b"",
            json!({"status": 400, "body": {"errorMessage": "Request body is invalid: input: EOF while parsing a value at line 1 column 0", "errorCode": "INVALID_REQUEST_BODY"}, "store": null}),
        ),
        (
            b"\xff",
            json!({"status": 400, "body": {"errorMessage": "Request body is invalid: input: expected value at line 1 column 1", "errorCode": "INVALID_REQUEST_BODY"}, "store": null}),
        ),
        (
            br#"{"store":{},"category_id":"20"}"#,
            json!({"status": 400, "body": {"errorMessage": "Request body is invalid: input: invalid type: string \"20\", expected u64 at line 1 column 30", "errorCode": "INVALID_REQUEST_BODY"}, "store": {}}),
        ),
        (
            br#"{"category_id":20}"#,
            json!({"status": 400, "body": {"errorMessage": "Request body is invalid: input: missing field `store` at line 1 column 18", "errorCode": "INVALID_REQUEST_BODY"}, "store": null}),
        ),
    ];
    for (input, expected) in cases {
        let line = line(input);
        assert_eq!(
            serde_json::from_str::<Value>(&line).ok(),
            Some(expected),
            "{line}"
        );
    }
}

#[test]
fn json_mode_store_of_the_wrong_shape_is_500() {
    // The store is the server's data: the wrong shape is its 500, like a
    // failed integrity check, not the caller's 400. Positions are in the
    // whole input (the store starts at column 10); the store is echoed as
    // given.
    let scopes = r#""scopes":["update_catalog"]"#;
    for (store, message) in [
        (
            r#"{"products":[{"id":1}]}"#,
            "missing field `name` at line 1 column 30",
        ),
        (
            r#"{"products":5}"#,
            "invalid type: integer `5`, expected a list of products at line 1 column 22",
        ),
        (
            "5",
            "invalid type: integer `5`, expected a store snapshot object at line 1 column 10",
        ),
        (
            r#"{"categories":[],"categories":[]}"#,
            "member `categories` given twice at line 1 column 27",
        ),
    ] {
        assert_eq!(
            line(format!(r#"{{"store":{store},"category_id":0,{scopes}}}"#).as_bytes()),
            format!(
                r#"{{"status":500,"body":{{"errorMessage":"Store snapshot is invalid: {message}","errorCode":"INVALID_STORE"}},"store":{store}}}"#
            ),
            "{store}"
        );
    }
}

#[test]
fn json_mode_invalid_store_is_500_with_every_problem() {
    let input = r#"{"store":{"categories":[{"id":1,"parent_id":1,"name":"a"}],"products":[{"id":5,"name":"p","category_ids":[9]}]},"category_id":1,"request":{"productIds":[5]},"scopes":["update_catalog"]}"#;
    assert_eq!(
        json_run(input),
        json!({
            "status": 500,
            "body": {
                "errorMessage": "Store snapshot is invalid: categories form a parent cycle: 1 -> 1; product 5 is in category 9, which is not a category",
                "errorCode": "INVALID_STORE"
            },
            "store": {"categories": [{"id": 1, "parent_id": 1, "name": "a"}], "products": [{"id": 5, "name": "p", "category_ids": [9]}]}
        })
    );
}

#[test]
fn json_mode_checks_the_scope_before_reading_the_store() {
    // The store fails its integrity checks (and its 500 would show its
    // details), but the token is refused first, and the store is echoed.
    let store = r#"{"categories":[{"id":1,"parent_id":1,"name":"a"}],"products":[]}"#;
    for scopes in ["", r#","scopes":["read_catalog"]"#] {
        let input = format!(
            r#"{{"store":{store},"category_id":1,"request":{{"productIds":[5]}}{scopes}}}"#
        );
        assert_eq!(
            line(input.as_bytes()),
            format!(
                r#"{{"status":403,"body":{{"errorMessage":"Access denied: the token lacks the update_catalog scope","errorCode":"FORBIDDEN"}},"store":{store}}}"#
            )
        );
    }
    // A store of the wrong shape too.
    assert_eq!(
        line(br#"{"store":{"products":5},"category_id":1}"#),
        r#"{"status":403,"body":{"errorMessage":"Access denied: the token lacks the update_catalog scope","errorCode":"FORBIDDEN"},"store":{"products":5}}"#
    );
}

#[test]
fn json_mode_then_store_then_category_then_request() {
    let bad_store = r#"{"categories":[{"id":1,"parent_id":1,"name":"a"}]}"#;
    let scopes = r#""scopes":["update_catalog"]"#;
    // An invalid store (500) before an unknown category and an empty request.
    let out = json_run(&format!(
        r#"{{"store":{bad_store},"category_id":9,"request":{{"productIds":[]}},{scopes}}}"#
    ));
    assert_eq!(out["status"], 500);
    // A valid store: the category (404) before the request (400).
    let out = json_run(&format!(
        r#"{{"store":{{}},"category_id":9,"request":{{"productIds":[]}},{scopes}}}"#
    ));
    assert_eq!(out["status"], 404);
    let out = json_run(&format!(
        r#"{{"store":{{}},"category_id":0,"request":{{"productIds":[]}},{scopes}}}"#
    ));
    assert_eq!(out["status"], 400);
}

#[test]
fn json_mode_writes_the_store_as_read_only_compacted() {
    let store = "{ \"v\" : [1E400, -0, 12345678901234567890123, 0.9455199068242589, null, {}],\n  \"products\": [ {\"x\": \"a b\", \"id\": 1, \"category_ids\": [ 0 , 20 ], \"name\": \"p\"},\n {\"name\": \"q\", \"id\": 2, \"category_ids\": null, \"tags\": []} ],\n \"categories\": [{\"name\": \"S\", \"id\": 20, \"parent_id\": null, \"z\": 1e2}] }";
    let input = format!(
        r#"{{"scopes":["update_catalog"],"store":{store},"request":{{"productIds":[1, 2]}},"category_id":20}}"#
    );
    assert_eq!(
        line(input.as_bytes()),
        r#"{"status":200,"body":{"deleteCount":1},"store":{"v":[1E400,-0,12345678901234567890123,0.9455199068242589,null,{}],"products":[{"x":"a b","id":1,"category_ids":[0],"name":"p"},{"name":"q","id":2,"category_ids":null,"tags":[]}],"categories":[{"name":"S","id":20,"parent_id":null,"z":1e2}]}}"#
    );
}

#[test]
fn json_mode_input_over_the_byte_limit_is_400_before_parsing() {
    let limits = Limits {
        max_snapshot_bytes: 10,
        ..Limits::DEFAULT
    };
    assert_eq!(
        json_mode::answer_string(b"{\"store\":{}, \"category_id\":1}".to_vec(), &limits),
        r#"{"status":400,"body":{"errorMessage":"the body is 29 bytes; the limit is 10 (max_snapshot_bytes)","errorCode":"LIMIT_EXCEEDED"},"store":null}"#
    );
    // Exactly at the limit is read.
    let input = br#"{"store":{},"category_id":1}"#;
    let limits = Limits {
        max_snapshot_bytes: input.len(),
        ..Limits::DEFAULT
    };
    assert_eq!(
        json_mode::answer_string(input.to_vec(), &limits),
        r#"{"status":403,"body":{"errorMessage":"Access denied: the token lacks the update_catalog scope","errorCode":"FORBIDDEN"},"store":{}}"#
    );
    assert_eq!(
        document_line(&input[..], &limits),
        json_mode::answer_string(input.to_vec(), &limits)
    );
}

/// `answer_document` on what `read_document` reads from `input`.
fn document_line(input: impl std::io::Read, limits: &Limits) -> String {
    let document = read_document(input, limits).unwrap();
    let mut out = Vec::new();
    json_mode::answer_document(document, limits, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn json_mode_input_read_past_the_byte_limit_is_400_without_its_size() {
    // What `unassign --json` reads from stdin: reading stops one byte past
    // the limit, so the size is not known, even for an endless stream.
    let limits = Limits {
        max_snapshot_bytes: 10,
        ..Limits::DEFAULT
    };
    let expected = r#"{"status":400,"body":{"errorMessage":"the body is more than 10 bytes; the limit is 10 (max_snapshot_bytes)","errorCode":"LIMIT_EXCEEDED"},"store":null}"#;
    assert_eq!(
        document_line(&b"{\"store\":{}, \"category_id\":1}"[..], &limits),
        expected
    );
    assert_eq!(document_line(std::io::repeat(b' '), &limits), expected);
}

#[test]
fn json_mode_on_the_sample_store() {
    let input = format!(
        r#"{{"store":{},"category_id":9691094,"request":{{"productIds":[37208345,37208350,37208347,37208345,99999999]}},"scopes":["update_catalog"]}}"#,
        super::SAMPLE
    );
    let out = line(input.as_bytes());
    let expected = super::compact(super::SAMPLE)
        .replacen(
            r#""category_ids":[9691103,9691094]}"#,
            r#""category_ids":[9691103]}"#,
            1,
        )
        .replacen(
            r#""price":9.99,"category_ids":[9691094]"#,
            r#""price":9.99,"category_ids":[0]"#,
            1,
        );
    assert_eq!(
        out,
        format!(r#"{{"status":200,"body":{{"deleteCount":1}},"store":{expected}}}"#)
    );
    // The product stored with `[]` keeps it.
    assert!(
        out.contains(r#""name":"Store Sticker","sku":"STK-001","price":0.0,"category_ids":[]}"#)
    );
}

#[test]
fn json_mode_answers_in_one_line_keeping_the_store_as_written() {
    let input = br#"{"store":{"v":1e2,"categories":[{"id":20,"name":"Sale"}],
  "products":[{"id":1,"name":"a","category_ids":[20]},{"id":2,"name":"b","category_ids":[]}]},
  "category_id":20,"request":{"productIds":[1]},"scopes":["update_catalog"]}"#;
    assert_eq!(
        line(input),
        r#"{"status":200,"body":{"deleteCount":1},"store":{"v":1e2,"categories":[{"id":20,"name":"Sale"}],"products":[{"id":1,"name":"a","category_ids":[0]},{"id":2,"name":"b","category_ids":[]}]}}"#
    );
}

/// Issue 27 D1: `scopes` and `productIds` of any length are answered
/// without being held: the scopes are only searched for `update_catalog`
/// (the same errors as a list of strings), the ids past
/// `max_product_ids` only counted (whatever they are).
#[test]
fn json_mode_reads_long_lists_without_holding_them() {
    let many = r#""read_catalog","#.repeat(200_000);
    // Only read scopes: 403, with or without the store read.
    let input = format!(
        r#"{{"store":{TINY},"category_id":20,"request":{{"productIds":[1]}},"scopes":[{many}"x"]}}"#
    );
    assert_eq!(
        json_run(&input)["body"],
        json!({"errorMessage": "Access denied: the token lacks the update_catalog scope", "errorCode": "FORBIDDEN"})
    );
    // The scope last among 200,001: allowed.
    let input = format!(
        r#"{{"store":{TINY},"category_id":20,"request":{{"productIds":[1]}},"scopes":[{many}"update_catalog"]}}"#
    );
    assert_eq!(json_run(&input)["body"], json!({"deleteCount": 1}));
    // A scope that is not a string: serde's error for a list of strings.
    let input = format!(r#"{{"store":{TINY},"category_id":20,"scopes":["update_catalog",1]}}"#);
    let column = input.len() - 2;
    assert_eq!(
        json_run(&input)["body"],
        json!({"errorMessage": format!("Request body is invalid: input: invalid type: integer `1`, expected a string at line 1 column {column}"), "errorCode": "INVALID_REQUEST_BODY"})
    );
    let input = format!(r#"{{"store":{TINY},"category_id":20,"scopes":"update_catalog"}}"#);
    assert_eq!(
        json_run(&input)["body"]["errorMessage"],
        format!(
            "Request body is invalid: input: invalid type: string \"update_catalog\", expected a sequence at line 1 column {}",
            input.len() - 1
        )
    );
    // 10,000 ids, then 250,000 elements that are not ids: the count error.
    let ids = format!(
        "{}{}",
        "1,".repeat(10_000),
        r#""x",-1,null,{"a":[1]},[2],"#.repeat(50_000).trim_end_matches(',')
    );
    let input = format!(
        r#"{{"store":{TINY},"category_id":20,"request":{{"productIds":[{ids}]}},"scopes":["update_catalog"]}}"#
    );
    assert_eq!(
        json_run(&input)["body"],
        json!({"errorMessage": "productIds has 260000 ids; the limit is 10000 (max_product_ids)", "errorCode": "LIMIT_EXCEEDED"})
    );
}
