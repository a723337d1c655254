//! `examples/common/detach_json.rs`: what `detach --json` answers, and the
//! line protocol it shares with `unassign --json` (`json_mode.rs` there).

use super::*;
use crate::common::detach_json as json_mode;
use crate::common::json_mode::{Document, Refusal, input_text, read_document};

// ------------------------------------------------------------ json mode

/// A small catalog as `--json` input: h1: 123 > 124; two products.
fn json_catalog() -> Value {
    json!({
        "hierarchies": [{"id": "h1", "name": "Shop"}],
        "nodes": [
            {"id": "123", "hierarchy_id": "h1", "name": "Books"},
            {"id": "124", "hierarchy_id": "h1", "parent_id": "123", "name": "Novels"}
        ],
        "products": [
            {"id": BOOK, "sku": "book", "node_ids": ["124", "123"]},
            {"id": PEN, "sku": "pen", "node_ids": ["124"]}
        ]
    })
}

fn json_line(input: Value) -> String {
    json_mode::answer_string(input.to_string().into_bytes(), &Limits::default())
}

#[test]
fn json_mode_success_is_one_line_status_body_catalog() {
    let out = json_line(json!({
        "catalog": json_catalog(),
        "request": {"data": {"filter": "eq(sku,book)", "node_ids": ["123", "404", "123"]}}
    }));
    // The catalog comes back as given, with only the book's `node_ids`
    // changed (emptied, still present).
    let after =
        json_catalog()
            .to_string()
            .replacen(r#""node_ids":["124","123"]"#, r#""node_ids":[]"#, 1);
    assert_eq!(
        out,
        format!(
            r#"{{"status":200,"body":{{"meta":{{"nodes_detached":1,"nodes_not_found":["404"]}}}},"catalog":{after}}}"#
        )
    );
    // The seed's request and answer on a catalog without node 123.
    let out = json_line(json!({
        "catalog": {"products": [{"id": BOOK, "sku": "book"}]},
        "request": {"data": {"filter": "eq(sku,book)", "node_ids": ["123"]}},
        "grant": "client_credentials"
    }));
    assert_eq!(
        out,
        r#"{"status":200,"body":{"meta":{"nodes_detached":0,"nodes_not_found":["123"]}},"catalog":{"products":[{"id":"7d4f6c2a-1b3e-4f5a-9c8d-0e1f2a3b4c5d","sku":"book"}]}}"#
    );
}

#[test]
fn json_mode_errors_leave_the_catalog_unchanged() {
    let cases = [
        (
            json!({"catalog": json_catalog(), "request": {"data": {"filter": "eqq(sku,book)", "node_ids": ["123"]}}}),
            r#"{"status":400,"body":{"errors":[{"status":"400","title":"Bad Request","detail":"Could not parse the supplied filter","source":{"pointer":"/data/filter"},"meta":{"message":"unknown operator `eqq`; did you mean `eq`?","span":{"start":0,"end":3}}}]},"catalog":CATALOG}"#,
        ),
        (
            json!({"catalog": json_catalog(), "request": {"data": {"filter": " ", "node_ids": []}}}),
            r#"{"status":422,"body":{"errors":[{"status":"422","title":"Failed Validation","detail":"filter can not be empty","source":{"pointer":"/data/filter"}},{"status":"422","title":"Failed Validation","detail":"node_ids can not be empty","source":{"pointer":"/data/node_ids"}}]},"catalog":CATALOG}"#,
        ),
        (
            json!({"catalog": json_catalog()}),
            r#"{"status":400,"body":{"errors":[{"status":"400","title":"Bad Request","detail":"Bad Request","meta":{"message":"the request body must be a JSON object"}}]},"catalog":CATALOG}"#,
        ),
        (
            json!({"catalog": json_catalog(), "grant": null, "request": {"data": {}}}),
            r#"{"status":401,"body":{"errors":[{"status":"401","title":"Unauthorized","detail":"A bearer token is required"}]},"catalog":CATALOG}"#,
        ),
        (
            json!({"catalog": json_catalog(), "grant": "implicit", "request": {"data": {}}}),
            r#"{"status":403,"body":{"errors":[{"status":"403","title":"Forbidden","detail":"This endpoint requires an administrator (client_credentials) token"}]},"catalog":CATALOG}"#,
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(
            json_line(input.clone()),
            expected.replace("CATALOG", &json_catalog().to_string()),
            "{input}"
        );
    }
}

#[test]
fn json_mode_authorizes_before_looking_at_the_catalog() {
    assert_eq!(
        json_line(json!({"grant": null, "catalog": {"products": 5}})),
        r#"{"status":401,"body":{"errors":[{"status":"401","title":"Unauthorized","detail":"A bearer token is required"}]},"catalog":{"products":5}}"#
    );
}

#[test]
fn json_mode_integrity_failure_is_the_vendors_500_and_echoes_the_catalog() {
    let catalog = json!({"products": [
        {"id": "E7D50BD5-1833-43C0-9848-F9D325B08BE8", "node_ids": ["e7d50bd5-1833-43c0-9848-f9d325b08be8"]}
    ]});
    let out = json_line(
        json!({"catalog": catalog, "request": {"data": {"filter": "eq(sku,a)", "node_ids": ["1"]}}}),
    );
    assert_eq!(
        out,
        r#"{"status":500,"body":{"errors":[{"status":"500","title":"Internal server error","detail":"An internal error has occurred.","request_id":"00000000-0000-0000-0000-000000000000","meta":{"message":"catalog snapshot has 1 integrity problem:\n- products[0] (id \"e7d50bd5-1833-43c0-9848-f9d325b08be8\"): unknown node \"e7d50bd5-1833-43c0-9848-f9d325b08be8\"","missing_ids":["e7d50bd5-1833-43c0-9848-f9d325b08be8"]}}]},"catalog":{"products":[{"id":"E7D50BD5-1833-43C0-9848-F9D325B08BE8","node_ids":["e7d50bd5-1833-43c0-9848-f9d325b08be8"]}]}}"#
    );
}

#[test]
fn json_mode_never_panics_on_bad_stdin() {
    let bad = |message: &str, catalog: &str| {
        format!(
            r#"{{"status":400,"body":{{"errors":[{{"status":"400","title":"Bad Request","detail":"Bad Request","meta":{{"message":{}}}}}]}},"catalog":{catalog}}}"#,
            serde_json::to_string(message).unwrap()
        )
    };
    let cases: [(&[u8], String); 8] = [
        (
            b"nope",
            bad(
                "stdin is not valid JSON: expected ident at line 1 column 2",
                "null",
            ),
        ),
        (
            b"",
            bad(
                "stdin is not valid JSON: EOF while parsing a value at line 1 column 0",
                "null",
            ),
        ),
        (b"[1]", bad("stdin must be a JSON object", "null")),
        (
            b"\xff{}",
            bad(
                "stdin is not UTF-8: invalid utf-8 sequence of 1 bytes from index 0",
                "null",
            ),
        ),
        (
            br#"{"grant": 5, "catalog": {}}"#,
            bad(
                "`grant` must be \"client_credentials\", \"implicit\" or null",
                "{}",
            ),
        ),
        (
            br#"{"grant": "admin"}"#,
            bad(
                "`grant` must be \"client_credentials\", \"implicit\" or null",
                "null",
            ),
        ),
        (
            br#"{"request": {}}"#,
            bad("stdin has no `catalog` object", "null"),
        ),
        (
            br#"{"catalog": [1]}"#,
            bad("`catalog` must be a JSON object", "[1]"),
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(
            json_mode::answer_string(input.to_vec(), &Limits::default()),
            expected,
            "{}",
            String::from_utf8_lossy(input)
        );
    }
    // A catalog of the wrong shape is bad input, with serde's reason.
    let out: Value = serde_json::from_str(&json_mode::answer_string(
        br#"{"catalog": {"products": 5}}"#.to_vec(),
        &Limits::default(),
    ))
    .unwrap();
    assert_eq!(out["status"], 400);
    assert_eq!(out["catalog"], json!({"products": 5}));
    let message = out["body"]["errors"][0]["meta"]["message"]
        .as_str()
        .unwrap();
    assert!(
        message.starts_with("`catalog`: catalog snapshot is not valid: invalid type: integer `5`"),
        "{message}"
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
fn json_mode_input_over_the_byte_limit_is_400_before_parsing() {
    let over = |message: &str| {
        format!(
            r#"{{"status":400,"body":{{"errors":[{{"status":"400","title":"Bad Request","detail":"Bad Request","meta":{{"message":"{message}"}}}}]}},"catalog":null}}"#
        )
    };
    let input = br#"{"catalog":{},"grant":null}"#;
    let limits = Limits {
        max_snapshot_bytes: input.len() - 1,
        ..Limits::DEFAULT
    };
    // Over the limit is refused before anything is read (not even the
    // grant: no 401), with the size when the whole input was given ...
    assert_eq!(
        json_mode::answer_string(input.to_vec(), &limits),
        over("the input is 27 bytes; the limit is 26 (max_snapshot_bytes)")
    );
    // ... and without it when reading stopped one byte past the limit
    // (what `detach --json` reads from stdin), even from an endless stream.
    assert_eq!(
        document_line(&input[..], &limits),
        over("the input is more than 26 bytes; the limit is 26 (max_snapshot_bytes)")
    );
    assert_eq!(
        document_line(std::io::repeat(b' '), &limits),
        over("the input is more than 26 bytes; the limit is 26 (max_snapshot_bytes)")
    );
    // Exactly at the limit is read, by either path.
    let limits = Limits {
        max_snapshot_bytes: input.len(),
        ..Limits::DEFAULT
    };
    let unauthorized = json_mode::answer_string(input.to_vec(), &limits);
    assert!(
        unauthorized.starts_with(r#"{"status":401,"#)
            && unauthorized.ends_with(r#","catalog":{}}"#),
        "{unauthorized}"
    );
    assert_eq!(document_line(&input[..], &limits), unauthorized);
}

#[test]
fn json_mode_answers_in_one_line_keeping_the_catalog_as_written() {
    let input =
        br#"{"catalog":{"hierarchies":[{"id":"h"}],"nodes":[{"id":"n","hierarchy_id":"h","x":1e2}],
  "products":[{"id":"00000000-0000-4000-8000-000000000001","sku":"a","node_ids":["n"],"w":-0}]},
  "request":{"data":{"filter":"eq(sku,a)","node_ids":["n"]}}}"#;
    let line = json_mode::answer_string(input.to_vec(), &Limits::default());
    assert_eq!(
        line,
        r#"{"status":200,"body":{"meta":{"nodes_detached":1,"nodes_not_found":[]}},"catalog":{"hierarchies":[{"id":"h"}],"nodes":[{"id":"n","hierarchy_id":"h","x":1e2}],"products":[{"id":"00000000-0000-4000-8000-000000000001","sku":"a","node_ids":[],"w":-0}]}}"#
    );
}

#[test]
fn json_mode_endless_input_is_400_without_its_size() {
    let limits = Limits {
        max_snapshot_bytes: 10,
        ..Limits::DEFAULT
    };
    assert_eq!(
        document_line(std::io::repeat(b' '), &limits),
        r#"{"status":400,"body":{"errors":[{"status":"400","title":"Bad Request","detail":"Bad Request","meta":{"message":"the input is more than 10 bytes; the limit is 10 (max_snapshot_bytes)"}}]},"catalog":null}"#
    );
}

#[test]
fn read_document_reads_one_byte_past_the_limit_at_most() {
    let limits = Limits {
        max_snapshot_bytes: 4,
        ..Limits::default()
    };
    assert_eq!(
        read_document(&b"1234"[..], &limits).unwrap(),
        Document::Whole(b"1234".to_vec())
    );
    let mut reader = &b"1234567"[..];
    assert_eq!(
        read_document(&mut reader, &limits).unwrap(),
        Document::TooLarge
    );
    assert_eq!(reader, b"67", "the rest is left unread");
    assert_eq!(
        read_document(&b""[..], &limits).unwrap(),
        Document::Whole(Vec::new())
    );
    // An endless stream is refused after 5 bytes.
    assert_eq!(
        read_document(std::io::repeat(b' '), &limits).unwrap(),
        Document::TooLarge
    );
    // The size rule, then UTF-8, on either kind of document.
    assert_eq!(
        input_text(Document::Whole(b"1234".to_vec()), &limits).unwrap(),
        "1234"
    );
    assert!(matches!(
        input_text(Document::Whole(b"12345".to_vec()), &limits),
        Err(Refusal::TooLarge {
            bytes: Some(5),
            limit: 4
        })
    ));
    assert!(matches!(
        input_text(Document::TooLarge, &limits),
        Err(Refusal::TooLarge {
            bytes: None,
            limit: 4
        })
    ));
    assert!(matches!(
        input_text(Document::Whole(vec![b'{', 0xff]), &limits),
        Err(Refusal::NotUtf8(_))
    ));
    // No limit: everything is read.
    let unlimited = Limits {
        max_snapshot_bytes: usize::MAX,
        ..Limits::default()
    };
    assert_eq!(
        read_document(&b"1234567"[..], &unlimited).unwrap(),
        Document::Whole(b"1234567".to_vec())
    );
    // A failing reader is its error.
    struct Failing;
    impl std::io::Read for Failing {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("broken"))
        }
    }
    assert_eq!(
        read_document(Failing, &limits).unwrap_err().to_string(),
        "broken"
    );
}

/// The `meta.message` of the first error `--json` answers for `input`.
fn first_message(input: &[u8]) -> Value {
    let line = json_mode::answer_string(input.to_vec(), &Limits::default());
    let out: Value = serde_json::from_str(&line).unwrap();
    out["body"]["errors"][0]["meta"]["message"].clone()
}

#[test]
fn json_mode_catalog_errors_are_placed_in_the_whole_input() {
    // The catalog starts at column 12 of line 1: positions count from the
    // input, not from the catalog (they were "line 1 column 13").
    assert_eq!(
        first_message(br#"{"catalog":{"products":5},"request":{"data":{"filter":"eq(sku,a)","node_ids":["n"]}}}"#),
        "`catalog`: catalog snapshot is not valid: invalid type: integer `5`, expected a list of products at line 1 column 24"
    );
    // Over two lines.
    assert_eq!(
        first_message(b"{\"catalog\":\n {\"products\":[{\"id\":\"00000000-0000-4000-8000-000000000001\",\"node_ids\":[7]}]}}"),
        "`catalog`: catalog snapshot is not valid: invalid type: integer `7`, expected a string at line 2 column 74"
    );
}

/// Issue 27 D12: `grant` is a JSON string like any other, so an escaped
/// spelling names the same grant (it was refused as no grant at all).
#[test]
fn json_mode_reads_grant_as_a_json_string() {
    let request = r#"{"data":{"filter":"eq(sku,book)","node_ids":["404"]}}"#;
    let catalog = json_catalog().to_string();
    let answer = |grant: &str| -> Value {
        let input = format!(r#"{{"grant":{grant},"catalog":{catalog},"request":{request}}}"#);
        serde_json::from_str(&json_mode::answer_string(
            input.into_bytes(),
            &Limits::default(),
        ))
        .unwrap()
    };
    let admin = answer(r#""client\u005fcredentials""#);
    assert_eq!(
        (admin["status"].clone(), admin["body"].clone()),
        (
            json!(200),
            json!({"meta": {"nodes_detached": 0, "nodes_not_found": ["404"]}})
        )
    );
    assert_eq!(answer(r#""impl\u0069cit""#)["status"], 403);
    assert_eq!(answer(r#""\u0061dmin""#)["status"], 400);
}
