//! Security keys and passkeys through the browser's WebAuthn (`navigator.credentials`): the
//! ceremony options the API gives (W3C WebAuthn JSON, under `publicKey`) are handed to the
//! browser as they are, and its answer goes back as the same JSON. The browser's own JSON
//! helpers (`PublicKeyCredential.parse…OptionsFromJSON`, `toJSON`) do the conversions, so no
//! byte handling is written here.

use js_sys::{Function, JSON, Object, Promise, Reflect};
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::api::GraphqlError;

/// Registering: `navigator.credentials.create()` with the API's creation options.
pub async fn create(options: &Value) -> Result<Value, GraphqlError> {
    ceremony(options, "parseCreationOptionsFromJSON", "create").await
}

/// Signing in or confirming: `navigator.credentials.get()` with the API's request options.
pub async fn get(options: &Value) -> Result<Value, GraphqlError> {
    ceremony(options, "parseRequestOptionsFromJSON", "get").await
}

fn unsupported() -> GraphqlError {
    GraphqlError::input("This browser cannot use security keys here: use the authenticator app.")
}

fn refused(_: JsValue) -> GraphqlError {
    GraphqlError::input(
        "The security key did not answer (it was cancelled, timed out, or is not registered here). Try again.",
    )
}

/// The static method `name` of `PublicKeyCredential`, called with `argument`.
fn call_static(name: &str, argument: &JsValue) -> Result<JsValue, GraphqlError> {
    let global = js_sys::global();
    let class = Reflect::get(&global, &JsValue::from_str("PublicKeyCredential"))
        .ok()
        .filter(|c| !c.is_undefined())
        .ok_or_else(unsupported)?;
    let method: Function = Reflect::get(&class, &JsValue::from_str(name))
        .ok()
        .and_then(|m| m.dyn_into().ok())
        .ok_or_else(unsupported)?;
    method.call1(&class, argument).map_err(refused)
}

async fn ceremony(options: &Value, parse: &str, call: &str) -> Result<Value, GraphqlError> {
    let public_key = options.get("publicKey").unwrap_or(options);
    let as_json = JSON::parse(&public_key.to_string()).map_err(|_| unsupported())?;
    let parsed = call_static(parse, &as_json)?;
    let request = Object::new();
    Reflect::set(&request, &JsValue::from_str("publicKey"), &parsed).map_err(refused)?;
    let navigator = Reflect::get(&js_sys::global(), &JsValue::from_str("navigator"))
        .map_err(|_| unsupported())?;
    let credentials =
        Reflect::get(&navigator, &JsValue::from_str("credentials")).map_err(|_| unsupported())?;
    let method: Function = Reflect::get(&credentials, &JsValue::from_str(call))
        .ok()
        .and_then(|m| m.dyn_into().ok())
        .ok_or_else(unsupported)?;
    let promise: Promise = method
        .call1(&credentials, &request)
        .map_err(refused)?
        .dyn_into()
        .map_err(refused)?;
    let credential = JsFuture::from(promise).await.map_err(refused)?;
    let to_json: Function = Reflect::get(&credential, &JsValue::from_str("toJSON"))
        .ok()
        .and_then(|m| m.dyn_into().ok())
        .ok_or_else(unsupported)?;
    let answer = to_json.call0(&credential).map_err(refused)?;
    let text: String = JSON::stringify(&answer)
        .map_err(refused)?
        .as_string()
        .ok_or_else(unsupported)?;
    serde_json::from_str(&text).map_err(|_| unsupported())
}
