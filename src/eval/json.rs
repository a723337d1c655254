//! [`Record`] for JSON objects: an attribute's canonical path walks nested
//! objects (`contact.email` is `obj["contact"]["email"]`); a list type
//! reads a JSON array's elements (`null` elements included, so `[null]` is
//! not null), a scalar type the value itself (`null` is no value).

use super::{Record, RecordValue, is_list};
use crate::schema::AttributeRef;
use serde_json::{Map, Value};

/// The value at the attribute's path.
fn at<'j>(object: &'j Map<String, Value>, a: &AttributeRef<'_>) -> Option<&'j Value> {
    let mut segments = a.segments();
    let mut value = object.get(segments.next()?)?;
    for segment in segments {
        value = value.as_object()?.get(segment)?;
    }
    Some(value)
}

impl Record for Map<String, Value> {
    fn any_value(
        &self,
        attribute: &AttributeRef<'_>,
        visit: &mut impl FnMut(RecordValue<'_>) -> bool,
    ) -> bool {
        match at(self, attribute) {
            None | Some(Value::Null) => false,
            Some(Value::Array(items)) if is_list(attribute.value_type()) => {
                items.iter().any(|v| visit(RecordValue::Json(v)))
            }
            Some(_) if is_list(attribute.value_type()) => false,
            Some(v) => visit(RecordValue::Json(v)),
        }
    }
}

impl Record for Value {
    /// An object is read as a [`Map`]; any other JSON value has no
    /// attributes.
    fn any_value(
        &self,
        attribute: &AttributeRef<'_>,
        visit: &mut impl FnMut(RecordValue<'_>) -> bool,
    ) -> bool {
        match self {
            Value::Object(map) => map.any_value(attribute, visit),
            _ => false,
        }
    }
}
