//! The signed-in session: the access token, in memory only (the refresh token stays in an
//! `HttpOnly` cookie), whose it is, and whether a second factor must be enrolled first.

use crate::queries::{accept_invitation, login, refresh_session, sign_up_tenant};

/// Deliberately not `Debug`: it holds the access token.
#[derive(Clone)]
pub struct Session {
    pub access_token: String,
    /// The user's role needs a second factor and they have none: the console shows the
    /// enrolment screen before anything else (the API refuses the rest, `AUTH-2FA-ENROL`).
    pub second_factor_enrolment_due: bool,
    /// Whose session it is: what they typed when it ended is given back to them alone.
    pub user_id: String,
}

/// Each operation that signs in answers the same `Signed` fragment, as a type of its own.
macro_rules! from_signed {
    ($($signed:ty),+ $(,)?) => {
        $(
            impl From<$signed> for Session {
                fn from(auth: $signed) -> Self {
                    Self {
                        access_token: auth.access_token,
                        second_factor_enrolment_due: auth.second_factor_enrolment_due,
                        user_id: auth.user.id,
                    }
                }
            }
        )+
    };
}

from_signed!(
    login::Signed,
    refresh_session::Signed,
    sign_up_tenant::Signed,
    accept_invitation::Signed,
);
