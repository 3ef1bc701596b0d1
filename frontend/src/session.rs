//! The signed-in session: the access token, in memory only (the refresh token stays in an
//! `HttpOnly` cookie), and whether a second factor must be enrolled before anything else.

use crate::queries::refresh_session::RefreshSessionRefreshSession;

/// Deliberately not `Debug`: it holds the access token.
#[derive(Clone)]
pub struct Session {
    pub access_token: String,
    /// The user's role needs a second factor and they have none: the console shows the
    /// enrolment screen before anything else (the API refuses the rest, `AUTH-2FA-ENROL`).
    pub second_factor_enrolment_due: bool,
}

impl From<RefreshSessionRefreshSession> for Session {
    fn from(auth: RefreshSessionRefreshSession) -> Self {
        Self {
            access_token: auth.access_token,
            second_factor_enrolment_due: auth.second_factor_enrolment_due,
        }
    }
}
