//! The console's refresh token lives in a cookie that scripts cannot read (`HttpOnly`), that
//! no other site's page sends (`SameSite=Strict`), and that only `/graphql` receives; the
//! access token stays in the console's memory. API clients keep receiving the refresh token
//! in the answer's body unless they ask for the cookie.
use actix_web::HttpRequest;
use actix_web::cookie::{Cookie, CookieBuilder, SameSite, time};
use domain::auth::tokens::REFRESH_TOKEN_TTL;

const NAME: &str = "concord_refresh";
const PATH: &str = "/graphql";

/// The refresh token the request's cookie carries, for `refreshSession` without one in its
/// input. Deliberately not `Debug`: it is a secret.
#[derive(Clone)]
pub struct RefreshCookie(pub Option<String>);

impl RefreshCookie {
    pub fn of(request: &HttpRequest) -> Self {
        Self(request.cookie(NAME).map(|cookie| cookie.value().to_owned()))
    }
}

/// `Set-Cookie` for `token`, for as long as a refresh token lives. `secure` when Concord is
/// served over HTTPS (a browser drops a `Secure` cookie set over plain HTTP elsewhere than
/// on this machine).
pub fn set(token: &str, secure: bool) -> String {
    let max_age = time::Duration::seconds(REFRESH_TOKEN_TTL.num_seconds());
    build(token, secure).max_age(max_age).finish().to_string()
}

/// `Set-Cookie` that makes the browser forget the refresh token.
pub fn clear(secure: bool) -> String {
    build("", secure)
        .max_age(time::Duration::ZERO)
        .finish()
        .to_string()
}

fn build(value: &str, secure: bool) -> CookieBuilder<'_> {
    Cookie::build(NAME, value)
        .path(PATH)
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Strict)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_refresh_cookie_is_out_of_scripts_and_other_sites_reach() {
        let cookie = set("tok", true);
        for part in [
            "concord_refresh=tok",
            "HttpOnly",
            "SameSite=Strict",
            "Secure",
            "Path=/graphql",
            "Max-Age=43200",
        ] {
            assert!(cookie.contains(part), "{part} missing from {cookie}");
        }
        assert!(!set("tok", false).contains("Secure"));
        assert!(clear(true).contains("Max-Age=0"));
    }
}
