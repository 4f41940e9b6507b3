//! The Web API's wire: a call's parameters (JSON, form or query) and Slack's error answer.

use serde_json::{Value, json};

/// Slack's answer to a call that failed with `code`.
pub(super) fn error(code: &str) -> Value {
    json!({ "ok": false, "error": code })
}

/// A request's parameters: a JSON body as sent; a form body, or the query string when there is
/// no body (GET), as an object of strings.
pub(super) fn params(content_type: Option<&str>, body: &[u8], query: Option<&str>) -> Value {
    let form = |bytes: &[u8]| {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(bytes).unwrap_or_default();
        Value::Object(pairs.into_iter().map(|(k, v)| (k, json!(v))).collect())
    };
    if body.is_empty() {
        return form(query.unwrap_or_default().as_bytes());
    }
    if content_type.is_some_and(|c| c.starts_with("application/json")) {
        serde_json::from_slice(body).unwrap_or(Value::Null)
    } else {
        form(body)
    }
}

/// A parameter as text (JSON bodies may send numbers or booleans); empty counts as absent.
pub(super) fn text(params: &Value, key: &str) -> Option<String> {
    match params.get(key)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A structured parameter (blocks, metadata, a view), which form bodies carry as JSON text.
pub(super) fn structured(params: &Value, key: &str) -> Option<Value> {
    match params.get(key)? {
        Value::Null => None,
        Value::String(s) if s.is_empty() => None,
        Value::String(s) => serde_json::from_str(s).ok(),
        other => Some(other.clone()),
    }
}
