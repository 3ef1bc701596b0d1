//! The signed-in session, as returned by `signUpTenant` and `login`.

use serde::Deserialize;
use serde_json::Value;

/// `AuthPayload`. Deliberately not `Debug`: it holds the tokens.
#[derive(Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    pub access_token: String,
    // Kept for the refresh flow; not used by the first screens yet.
    #[allow(dead_code)]
    pub refresh_token: String,
    #[allow(dead_code)]
    #[serde(default)]
    pub expires_at: Value,
    pub user: SessionUser,
    /// The user's role needs a second factor and they have none: the console shows the
    /// enrolment screen before anything else (the API refuses the rest, `AUTH-2FA-ENROL`).
    #[serde(default)]
    pub second_factor_enrolment_due: bool,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionUser {
    #[allow(dead_code)]
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub role: String,
}
