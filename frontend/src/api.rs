//! The console's only way to the server: typed GraphQL operations (`queries`), POSTed to the
//! same-origin `/graphql`. The access token lives in memory; when it has expired, the refresh
//! token in the console's `HttpOnly` cookie (which scripts never see) buys a new one, once.

use std::fmt;
use std::pin::Pin;

use gloo_net::http::Request;
use graphql_client::GraphQLQuery;
use leptos::prelude::*;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::drafts::Drafts;
use crate::queries::{RefreshSession, refresh_session};
use crate::session::Session;

const ENDPOINT: &str = "/graphql";

/// An operation under way: the `data` it will answer, as JSON, or its first error.
type Exchange = Pin<Box<dyn Future<Output = Result<Value, GraphqlError>>>>;

/// The first error of a GraphQL response, or a transport failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GraphqlError {
    pub message: String,
    /// `errors[0].extensions.code`, e.g. `UNAUTHENTICATED`, `VALIDATION`; `NETWORK` when the
    /// server could not be reached or did not answer with GraphQL.
    pub code: Option<String>,
    /// `errors[0].extensions.rule`: the plan's or the roles' rule that refused, e.g. `ROLE-1`.
    pub rule: Option<String>,
    /// `errors[0].extensions.webauthn`: the ceremony a security key may answer, where
    /// `SECOND_FACTOR_REQUIRED` offers one.
    pub webauthn: Option<Value>,
}

impl GraphqlError {
    pub fn network(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            code: Some("NETWORK".to_owned()),
            rule: None,
            webauthn: None,
        }
    }

    /// A problem with what was typed, found before anything was sent.
    pub fn input(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            code: Some("VALIDATION".to_owned()),
            rule: None,
            webauthn: None,
        }
    }

    fn is_unauthenticated(&self) -> bool {
        self.code.as_deref() == Some("UNAUTHENTICATED")
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
        let extension = |name: &str| {
            entry
                .extensions
                .as_ref()
                .and_then(|ext| ext.get(name))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        Self {
            code: extension("code"),
            rule: extension("rule"),
            webauthn: entry
                .extensions
                .as_ref()
                .and_then(|ext| ext.get("webauthn"))
                .cloned(),
            message: entry.message,
        }
    }
}

/// The signed-in session, shared by every screen (`provide_context` in the app).
#[derive(Clone, Copy)]
pub struct Api {
    pub session: RwSignal<Option<Session>>,
    /// What was typed when a session ended under its person, for them to go on with.
    pub drafts: Drafts,
}

impl Api {
    /// Runs `Q` as the signed-in person. An expired access token is renewed through the
    /// refresh cookie and the operation sent once more; when the session really ended, the
    /// session is dropped and the console shows sign-in.
    pub async fn run<Q: GraphQLQuery>(
        self,
        variables: Q::Variables,
    ) -> Result<Q::ResponseData, GraphqlError> {
        let body = encode::<Q>(variables)?;
        let data = self.post_signed_in(body).await?;
        read_data(data)
    }

    /// Posts `body` with the session's access token, renewing it once if the server says it
    /// has expired. Boxed, so that one copy of it serves every operation rather than one
    /// inlined into each (a tenth of the bundle).
    fn post_signed_in(self, body: String) -> Exchange {
        Box::pin(async move {
            let (status, text) = self
                .signed_in(
                    |token| {
                        let body = &body;
                        async move { post(body, token.as_deref()).await }
                    },
                    unauthenticated_in,
                )
                .await?;
            data_of(status, &text)
        })
    }

    /// Sends a file to `/files?…` (`query`) as the signed-in person, `progress` following the
    /// bytes sent in percent; answers the status and the response body.
    pub async fn upload(
        self,
        query: &str,
        file: &web_sys::File,
        progress: RwSignal<Option<u32>>,
    ) -> Result<(u16, String), GraphqlError> {
        let url = format!("/files?{query}");
        self.signed_in(
            |token| {
                let url = &url;
                async move { crate::transfer::upload(url, file, token.as_deref(), progress).await }
            },
            unauthenticated_in,
        )
        .await
    }

    /// The bytes of a file (`GET /files/{id}`) as the signed-in person; its status first.
    pub async fn download(self, url: &str) -> Result<(u16, Vec<u8>), GraphqlError> {
        self.signed_in(
            |token| async move { crate::transfer::download(url, token.as_deref()).await },
            |(status, bytes): &(u16, Vec<u8>)| {
                (*status == 401)
                    .then(|| std::str::from_utf8(bytes).ok().and_then(first_error))
                    .flatten()
                    .filter(GraphqlError::is_unauthenticated)
            },
        )
        .await
    }

    /// Sends with the access token; when the answer says it has expired (`refused`), renews it
    /// through the refresh cookie and sends once more. When the session really ended, what
    /// was typed is kept for its person and the console returns to sign-in.
    async fn signed_in<T, Sent>(
        self,
        send: impl Fn(Option<String>) -> Sent,
        refused: impl Fn(&T) -> Option<GraphqlError>,
    ) -> Result<T, GraphqlError>
    where
        Sent: Future<Output = Result<T, GraphqlError>>,
    {
        let token = self
            .session
            .with_untracked(|s| s.as_ref().map(|s| s.access_token.clone()));
        let first = send(token.clone()).await?;
        let (Some(refused), Some(_)) = (refused(&first), token) else {
            return Ok(first);
        };
        match refresh().await {
            Ok(session) => {
                let token = session.access_token.clone();
                self.session.set(Some(session));
                send(Some(token)).await
            }
            Err(_) => {
                if let Some(user) = self
                    .session
                    .with_untracked(|s| s.as_ref().map(|s| s.user_id.clone()))
                {
                    self.drafts.session_ended(user);
                }
                self.session.set(None);
                Err(refused)
            }
        }
    }
}

/// The server's refusal of an expired or revoked token, in a JSON answer.
fn unauthenticated_in((_, text): &(u16, String)) -> Option<GraphqlError> {
    first_error(text).filter(GraphqlError::is_unauthenticated)
}

/// A new access token for the refresh token in the console's cookie (rotated on use).
pub async fn refresh() -> Result<Session, GraphqlError> {
    let data = send::<RefreshSession>(refresh_session::Variables, None).await?;
    Ok(Session::from(data.refresh_session))
}

/// Sends one operation and returns its `data`, or the first of its `errors`.
pub async fn send<Q: GraphQLQuery>(
    variables: Q::Variables,
    access_token: Option<&str>,
) -> Result<Q::ResponseData, GraphqlError> {
    let body = encode::<Q>(variables)?;
    let token = access_token.map(str::to_owned);
    let (status, text) = Box::pin(async move { post(&body, token.as_deref()).await }).await?;
    decode(status, &text)
}

fn encode<Q: GraphQLQuery>(variables: Q::Variables) -> Result<String, GraphqlError> {
    serde_json::to_string(&Q::build_query(variables))
        .map_err(|e| GraphqlError::network(format!("Could not encode the request: {e}")))
}

/// Posts a request body and answers the status and the response body. Not generic: the
/// console has one copy of the HTTP exchange, whatever the operation.
async fn post(body: &str, access_token: Option<&str>) -> Result<(u16, String), GraphqlError> {
    let mut builder = Request::post(ENDPOINT)
        .header("Accept", "application/json")
        .header("Content-Type", "application/json");
    if let Some(token) = access_token {
        builder = builder.header("Authorization", &format!("Bearer {token}"));
    }
    let response = builder
        .body(body)
        .map_err(|e| GraphqlError::network(format!("Could not encode the request: {e}")))?
        .send()
        .await
        .map_err(|e| GraphqlError::network(format!("Could not reach the server: {e}")))?;
    let status = response.status();
    let text = response
        .text()
        .await
        .map_err(|e| GraphqlError::network(format!("Could not read the answer: {e}")))?;
    Ok((status, text))
}

/// The first error of a response body, whatever its data.
pub fn first_error(text: &str) -> Option<GraphqlError> {
    let parsed: Response<serde::de::IgnoredAny> = serde_json::from_str(text).ok()?;
    parsed.errors.into_iter().next().map(GraphqlError::from)
}

/// Turns a response body into `data` or the first error (kept apart for host tests).
fn decode<T: DeserializeOwned>(status: u16, text: &str) -> Result<T, GraphqlError> {
    read_data(data_of(status, text)?)
}

/// An operation's types read out of its `data`. Never inlined: the callers' futures stay small.
#[inline(never)]
fn read_data<T: DeserializeOwned>(data: Value) -> Result<T, GraphqlError> {
    T::deserialize(data).map_err(|e| {
        GraphqlError::network(format!(
            "The server's answer does not match the console's schema: {e}"
        ))
    })
}

/// The `data` of a response body as JSON, or its first error. Not generic: each operation then
/// reads its own types out of a parsed value, which takes far less code per operation than
/// parsing the text for each (a fifth of the bundle was that).
fn data_of(status: u16, text: &str) -> Result<Value, GraphqlError> {
    let parsed: Response<Value> = serde_json::from_str(text).map_err(|_| {
        GraphqlError::network(format!(
            "The server answered HTTP {status} without a GraphQL response."
        ))
    })?;
    if let Some(first) = parsed.errors.into_iter().next() {
        return Err(first.into());
    }
    parsed.data.filter(|d| !d.is_null()).ok_or_else(|| {
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
    fn first_error_with_code_and_rule_wins() {
        let body = r#"{"data":null,"errors":[
            {"message":"only the Data Center","extensions":{"code":"FORBIDDEN","rule":"ROLE-1"}},
            {"message":"second"}]}"#;
        let err = decode::<Data>(200, body).err();
        assert_eq!(
            err,
            Some(GraphqlError {
                message: "only the Data Center".into(),
                code: Some("FORBIDDEN".into()),
                rule: Some("ROLE-1".into()),
                webauthn: None,
            })
        );
    }

    #[test]
    fn a_second_factor_request_keeps_the_security_key_ceremony() {
        let body = r#"{"data":null,"errors":[{"message":"a second factor is needed",
            "extensions":{"code":"SECOND_FACTOR_REQUIRED",
            "webauthn":{"challengeId":"c1","options":{"publicKey":{"challenge":"abc"}}}}}]}"#;
        let err = decode::<Data>(200, body).err();
        let ceremony = err.and_then(|e| e.webauthn);
        assert_eq!(
            ceremony.as_ref().and_then(|c| c["challengeId"].as_str()),
            Some("c1")
        );
    }

    #[test]
    fn non_graphql_body_is_a_network_error() {
        let err = decode::<Data>(502, "Bad Gateway").err();
        assert_eq!(err.and_then(|e| e.code), Some("NETWORK".into()));
    }
}
