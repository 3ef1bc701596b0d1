//! A tiny GraphQL client: POST `{"query", "variables"}` to the same-origin `/graphql`.

use std::fmt;

use gloo_net::http::Request;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

const ENDPOINT: &str = "/graphql";

/// The first error of a GraphQL response, or a transport failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GraphqlError {
    pub message: String,
    /// `errors[0].extensions.code`, e.g. `UNAUTHENTICATED`, `VALIDATION`; `NETWORK` when the
    /// server could not be reached or did not answer with GraphQL.
    pub code: Option<String>,
}

impl GraphqlError {
    fn network(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            code: Some("NETWORK".to_owned()),
        }
    }
}

impl fmt::Display for GraphqlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.code {
            Some(code) => write!(f, "{} ({code})", self.message),
            None => f.write_str(&self.message),
        }
    }
}

#[derive(Deserialize)]
struct Response<T> {
    data: Option<T>,
    #[serde(default)]
    errors: Vec<ErrorEntry>,
}

#[derive(Deserialize)]
struct ErrorEntry {
    message: String,
    #[serde(default)]
    extensions: Option<Value>,
}

impl From<ErrorEntry> for GraphqlError {
    fn from(entry: ErrorEntry) -> Self {
        let code = entry
            .extensions
            .as_ref()
            .and_then(|ext| ext.get("code"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        Self {
            message: entry.message,
            code,
        }
    }
}

/// Sends one operation and returns its `data`, or the first of its `errors`.
pub async fn request<T: DeserializeOwned>(
    query: &str,
    variables: Value,
    access_token: Option<&str>,
) -> Result<T, GraphqlError> {
    let body = serde_json::json!({ "query": query, "variables": variables });
    let mut builder = Request::post(ENDPOINT).header("Accept", "application/json");
    if let Some(token) = access_token {
        builder = builder.header("Authorization", &format!("Bearer {token}"));
    }
    let response = builder
        .json(&body)
        .map_err(|e| GraphqlError::network(format!("Could not encode the request: {e}")))?
        .send()
        .await
        .map_err(|e| GraphqlError::network(format!("Could not reach the server: {e}")))?;
    let status = response.status();
    let text = response
        .text()
        .await
        .map_err(|e| GraphqlError::network(format!("Could not read the answer: {e}")))?;
    decode(status, &text)
}

/// Turns a response body into `data` or the first error (kept apart for host tests).
fn decode<T: DeserializeOwned>(status: u16, text: &str) -> Result<T, GraphqlError> {
    let parsed: Response<T> = serde_json::from_str(text).map_err(|_| {
        GraphqlError::network(format!(
            "The server answered HTTP {status} without a GraphQL response."
        ))
    })?;
    if let Some(first) = parsed.errors.into_iter().next() {
        return Err(first.into());
    }
    parsed.data.ok_or_else(|| {
        GraphqlError::network(format!("The server answered HTTP {status} with no data."))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Debug, PartialEq)]
    struct Data {
        logout: bool,
    }

    #[test]
    fn data_is_returned() {
        assert_eq!(
            decode::<Data>(200, r#"{"data":{"logout":true}}"#),
            Ok(Data { logout: true })
        );
    }

    #[test]
    fn first_error_with_code_wins() {
        let body = r#"{"data":null,"errors":[
            {"message":"Wrong email or password","extensions":{"code":"UNAUTHENTICATED"}},
            {"message":"second"}]}"#;
        let err = decode::<Data>(200, body).err();
        assert_eq!(
            err,
            Some(GraphqlError {
                message: "Wrong email or password".into(),
                code: Some("UNAUTHENTICATED".into()),
            })
        );
    }

    #[test]
    fn non_graphql_body_is_a_network_error() {
        let err = decode::<Data>(502, "Bad Gateway").err();
        assert_eq!(err.and_then(|e| e.code), Some("NETWORK".into()));
    }
}
