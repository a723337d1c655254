//! The wire: the seed's example, field names, authorize, every error body.

use super::*;
use catalog_filter::ecwid::UnassignProductsResponse;
use serde_json::Value;

// ---------------------------------------------------------------- the seed

#[test]
fn seed_example_unassigns_37208345_with_delete_count_1() {
    let mut store = sample();
    let before = store.clone();
    let body = "{\n  \"productIds\": [\n    37208345\n  ]\n}";
    let request = match UnassignProductsRequest::from_json(body) {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(request, req(&[37208345]));
    let plan = match ecwid::plan(&store, 9691094, &request, &Limits::default()) {
        Ok(plan) => plan,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(to_json(&plan.response), r#"{"deleteCount":1}"#);
    assert_eq!(
        plan,
        UnassignPlan {
            category_id: 9691094,
            changes: vec![change(37208345, &[9691103, 9691094], &[9691103], false)],
            unchanged: vec![],
            unknown_product_ids: vec![],
            response: UnassignProductsResponse { delete_count: 1 },
        }
    );
    assert_eq!(cats(&store, 37208345), [9691103, 9691094]);
    ecwid::apply(&mut store, &plan);
    assert_eq!(cats(&store, 37208345), [9691103]);
    // Nothing else changed.
    for (p, q) in before.products().iter().zip(store.products()) {
        if p.id != 37208345 {
            assert_eq!(p, q);
        }
    }
    assert_eq!(before.categories(), store.categories());
}

#[test]
fn wire_field_names_are_the_vendors() {
    assert_eq!(to_json(&req(&[1, 2])), r#"{"productIds":[1,2]}"#);
    assert_eq!(
        to_json(&UnassignProductsResponse { delete_count: 0 }),
        r#"{"deleteCount":0}"#
    );
    let response: UnassignProductsResponse = match serde_json::from_str(r#"{"deleteCount":1}"#) {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(response.delete_count, 1);
    // Unknown request fields are ignored.
    assert_eq!(
        UnassignProductsRequest::from_json(r#"{"productIds":[7],"dryRun":true}"#),
        Ok(req(&[7]))
    );
}

// ---------------------------------------------------------------- authorize

#[test]
fn authorize_needs_update_catalog() {
    assert_eq!(ecwid::authorize(&["update_catalog"]), Ok(()));
    assert_eq!(
        ecwid::authorize(&["read_catalog", "update_catalog", "read_orders"]),
        Ok(())
    );
    for scopes in [
        &[][..],
        &["read_catalog"][..],
        &["UPDATE_CATALOG"][..],
        &["update_catalog "][..],
        &["update_catalog_extra"][..],
    ] {
        let e = match ecwid::authorize(scopes) {
            Ok(()) => panic!("{scopes:?} authorized"),
            Err(e) => e,
        };
        assert_eq!(e, EcwidError::MissingScope);
        assert_eq!(
            wire(&e),
            (
                403,
                r#"{"errorMessage":"Access denied: the token lacks the update_catalog scope","errorCode":"FORBIDDEN"}"#
                    .to_owned()
            )
        );
    }
}

// ---------------------------------------------------------------- errors

#[test]
fn unknown_category_is_404() {
    let e = err_plan(&small(), 12, &[1], &Limits::default());
    assert_eq!(e, EcwidError::CategoryNotFound { category_id: 12 });
    assert_eq!(
        wire(&e),
        (
            404,
            r#"{"errorMessage":"Category 12 not found","errorCode":"CATEGORY_NOT_FOUND"}"#
                .to_owned()
        )
    );
}

#[test]
fn empty_product_ids_is_400() {
    let e = err_plan(&small(), 20, &[], &Limits::default());
    assert_eq!(e, EcwidError::EmptyProductIds);
    assert_eq!(
        wire(&e),
        (
            400,
            r#"{"errorMessage":"productIds must not be empty","errorCode":"INVALID_REQUEST_BODY"}"#
                .to_owned()
        )
    );
}

#[test]
fn too_many_product_ids_is_400_naming_the_limit() {
    let store = small();
    let limits = Limits {
        max_product_ids: 3,
        ..Limits::DEFAULT
    };
    assert_eq!(
        ecwid::plan(&store, 20, &req(&[1, 2, 3]), &limits).map(|p| p.response.delete_count),
        Ok(1)
    );
    // Duplicates count against the limit: it bounds the request's size.
    let e = err_plan(&store, 20, &[1, 1, 1, 1], &limits);
    assert_eq!(e, EcwidError::TooManyProductIds { count: 4, limit: 3 });
    assert_eq!(
        wire(&e),
        (
            400,
            r#"{"errorMessage":"productIds has 4 ids; the limit is 3 (max_product_ids)","errorCode":"LIMIT_EXCEEDED"}"#
                .to_owned()
        )
    );
    // The default is 10,000.
    let ids: Vec<ProductId> = (1..=10_001).collect();
    let e = err_plan(&store, 20, &ids, &Limits::default());
    assert_eq!(
        wire(&e),
        (
            400,
            r#"{"errorMessage":"productIds has 10001 ids; the limit is 10000 (max_product_ids)","errorCode":"LIMIT_EXCEEDED"}"#
                .to_owned()
        )
    );
    assert_eq!(
        ecwid::plan(&store, 20, &req(&ids[..10_000]), &Limits::default())
            .map(|p| p.unknown_product_ids.len()),
        Ok(9_994)
    );
}

#[test]
fn malformed_bodies_are_400() {
    let cases = [
        (
            "nope",
            "Request body is invalid: expected ident at line 1 column 2",
        ),
        (
            "",
            "Request body is invalid: EOF while parsing a value at line 1 column 0",
        ),
        (
            "{}",
            "Request body is invalid: missing field `productIds` at line 1 column 2",
        ),
        (
            "[1]",
            "Request body is invalid: invalid type: integer `1`, expected a sequence at line 1 column 2",
        ),
        (
            r#"{"productIds":"37208345"}"#,
            "Request body is invalid: invalid type: string \"37208345\", expected a sequence at line 1 column 24",
        ),
        (
            r#"{"productIds":[-1]}"#,
            "Request body is invalid: invalid value: integer `-1`, expected u64 at line 1 column 17",
        ),
        (
            r#"{"productIds":[1.5]}"#,
            "Request body is invalid: invalid type: floating point `1.5`, expected u64 at line 1 column 18",
        ),
        // A member given twice, in any object, is a JSON error.
        (
            r#"{"productIds":[1],"x":1,"x":2}"#,
            "Request body is invalid: member `x` given twice at line 1 column 25",
        ),
        (
            r#"{"productIds":[1],"productIds":[2]}"#,
            "Request body is invalid: member `productIds` given twice at line 1 column 19",
        ),
        (
            r#"{"productIds":null}"#,
            "Request body is invalid: invalid type: null, expected a sequence at line 1 column 18",
        ),
    ];
    for (body, message) in cases {
        let e = match UnassignProductsRequest::from_json(body) {
            Ok(r) => panic!("{body:?} parsed as {r:?}"),
            Err(e) => e,
        };
        let expected = format!(
            r#"{{"errorMessage":{},"errorCode":"INVALID_REQUEST_BODY"}}"#,
            Value::from(message)
        );
        assert_eq!(wire(&e), (400, expected), "body {body:?}");
    }
}

#[test]
fn error_statuses_and_codes() {
    let cases = [
        (EcwidError::MissingScope, 403, "FORBIDDEN"),
        (
            EcwidError::CategoryNotFound { category_id: 1 },
            404,
            "CATEGORY_NOT_FOUND",
        ),
        (EcwidError::EmptyProductIds, 400, "INVALID_REQUEST_BODY"),
        (
            EcwidError::TooManyProductIds { count: 2, limit: 1 },
            400,
            "LIMIT_EXCEEDED",
        ),
        (
            EcwidError::TooLarge { bytes: 2, limit: 1 },
            400,
            "LIMIT_EXCEEDED",
        ),
        (
            EcwidError::TooLargeStream { limit: 1 },
            400,
            "LIMIT_EXCEEDED",
        ),
        (
            EcwidError::InvalidRequestBody {
                reason: "x".to_owned(),
            },
            400,
            "INVALID_REQUEST_BODY",
        ),
    ];
    for (e, status, code) in cases {
        assert_eq!((e.status(), e.error_code()), (status, code));
        assert_eq!(e.body().error_code, code);
        assert_eq!(e.body().error_message, e.to_string());
    }
}
