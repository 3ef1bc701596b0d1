//! What an authenticator app does: the code of now for a secret the console or API showed.
use std::time::{SystemTime, UNIX_EPOCH};

use totp_rs::{Algorithm, Secret, TOTP};

/// The six-digit code of the current 30-second step for the base32 `secret`.
pub fn code_now(secret: &str) -> String {
    let bytes = Secret::Encoded(secret.trim().to_owned())
        .to_bytes()
        .unwrap_or_else(|e| panic!("not a base32 secret: {e:?}"));
    let app = TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        30,
        bytes,
        Some("Concord".into()),
        "e2e".into(),
    )
    .unwrap_or_else(|e| panic!("not a usable secret: {e}"));
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    app.generate(now)
}
