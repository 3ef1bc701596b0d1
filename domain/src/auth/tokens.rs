//! Access tokens (EdDSA JWTs of 15 minutes, one pinned algorithm, `iss`/`aud`/`exp`/`sub`
//! required) and opaque refresh tokens (random, stored only as a hash).
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::{EncodePrivateKey, EncodePublicKey, spki::der::pem::LineEnding};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::error::StartupError;
use crate::settings::Settings;

pub const ACCESS_TOKEN_TTL: Duration = Duration::minutes(15);
pub const REFRESH_TOKEN_TTL: Duration = Duration::hours(12);
const LEEWAY_SECS: u64 = 30;
const ACCESS_TOKEN_TYPE: &str = "access";

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// The user (or platform administrator) id.
    pub sub: Uuid,
    pub iat: i64,
    pub exp: i64,
    pub jti: Uuid,
    /// Always `access`: a token of another kind signed by the same key is refused.
    pub typ: String,
    pub role: String,
    /// Absent for the platform administrator, who belongs to no tenant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tid: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency: Option<Uuid>,
    /// The session (refresh-token family) the token belongs to; for a service account, the
    /// id of the secret it was issued with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<Uuid>,
    /// A service account's token (client credentials): the account, which is also `sub`
    /// (RFC 9068 §2.2). A person's token has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<Uuid>,
    /// A service account's scopes, separated by spaces (RFC 9068 §2.2.3); absent: all of its
    /// role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

pub struct Subject {
    pub user_id: Uuid,
    pub role: String,
    pub tenant_id: Option<Uuid>,
    pub agency_id: Option<Uuid>,
    pub session_id: Option<Uuid>,
    /// Set for a service account (client credentials).
    pub service_account: Option<ServiceAccountClaims>,
}

/// What a service account's token says about it.
pub struct ServiceAccountClaims {
    /// `None`: everything its role may do.
    pub scope: Option<String>,
}

#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    issuer: String,
    audience: String,
}

pub struct IssuedAccessToken {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

impl TokenKeys {
    /// Keys from the configured PEM files, or else from `<data dir>/jwt-ed25519-*.pem`,
    /// generated there on first start.
    pub fn load(settings: &Settings) -> Result<Self, StartupError> {
        let (private_pem, public_pem) = match (
            &settings.jwt_private_key_file,
            &settings.jwt_public_key_file,
        ) {
            (Some(private), Some(public)) => (read(private)?, read(public)?),
            _ => generated_pair(&settings.data_dir)?,
        };
        Self::from_pem(&private_pem, &public_pem, settings)
    }

    pub fn from_pem(
        private: &[u8],
        public: &[u8],
        settings: &Settings,
    ) -> Result<Self, StartupError> {
        Ok(Self {
            encoding: EncodingKey::from_ed_pem(private)
                .map_err(|e| StartupError::Keys(format!("private key: {e}")))?,
            decoding: DecodingKey::from_ed_pem(public)
                .map_err(|e| StartupError::Keys(format!("public key: {e}")))?,
            issuer: settings.jwt_issuer.clone(),
            audience: settings.jwt_audience.clone(),
        })
    }

    pub fn issue(
        &self,
        subject: &Subject,
        now: DateTime<Utc>,
    ) -> Result<IssuedAccessToken, jsonwebtoken::errors::Error> {
        let expires_at = now + ACCESS_TOKEN_TTL;
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sub: subject.user_id,
            iat: now.timestamp(),
            exp: expires_at.timestamp(),
            jti: Uuid::now_v7(),
            typ: ACCESS_TOKEN_TYPE.into(),
            role: subject.role.clone(),
            tid: subject.tenant_id,
            agency: subject.agency_id,
            sid: subject.session_id,
            client_id: subject.service_account.as_ref().map(|_| subject.user_id),
            scope: subject
                .service_account
                .as_ref()
                .and_then(|service| service.scope.clone()),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::EdDSA), &claims, &self.encoding)?;
        Ok(IssuedAccessToken { token, expires_at })
    }

    /// Verifies signature, algorithm (EdDSA only: `none`, HMAC and RSA are refused), issuer,
    /// audience, expiry at `now` and type. The expiry is checked here against the
    /// application's clock rather than by the library against the system's, so that every
    /// time limit of a session moves with the one clock (`exp` is still required).
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Option<Claims> {
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.validate_exp = false;
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation).ok()?;
        let leeway = i64::try_from(LEEWAY_SECS).unwrap_or(0);
        let live = now.timestamp() < data.claims.exp.saturating_add(leeway);
        (live && data.claims.typ == ACCESS_TOKEN_TYPE).then_some(data.claims)
    }
}

fn read(path: &Path) -> Result<Vec<u8>, StartupError> {
    std::fs::read(path).map_err(|e| StartupError::Keys(format!("{}: {e}", path.display())))
}

fn generated_pair(data_dir: &Path) -> Result<(Vec<u8>, Vec<u8>), StartupError> {
    let private_path = data_dir.join("jwt-ed25519-private.pem");
    let public_path = data_dir.join("jwt-ed25519-public.pem");
    if private_path.exists() && public_path.exists() {
        return Ok((read(&private_path)?, read(&public_path)?));
    }
    let (private_pem, public_pem) = generate_pem_pair()?;
    std::fs::create_dir_all(data_dir)?;
    write_private(&private_path, private_pem.as_bytes())?;
    std::fs::write(&public_path, public_pem.as_bytes())?;
    Ok((private_pem.into_bytes(), public_pem.into_bytes()))
}

/// A fresh Ed25519 key pair as (PKCS#8 private PEM, SPKI public PEM).
pub fn generate_pem_pair() -> Result<(String, String), StartupError> {
    let signing = SigningKey::from_bytes(&rand::random::<[u8; 32]>());
    let private = signing
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| StartupError::Keys(e.to_string()))?;
    let public = signing
        .verifying_key()
        .to_public_key_pem(LineEnding::LF)
        .map_err(|e| StartupError::Keys(e.to_string()))?;
    Ok((private.to_string(), public))
}

/// Creates `path` readable and writable by its owner only (a key file).
#[cfg(unix)]
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> Result<(), StartupError> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(bytes)?;
    Ok(())
}

#[cfg(not(unix))]
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> Result<(), StartupError> {
    std::fs::write(path, bytes)?;
    Ok(())
}

/// An opaque token: `<tenant id>.<256 random bits>`. The tenant part only tells the server
/// where to look; the secret part is what is checked, by its hash.
pub fn new_opaque_token(tenant_id: Uuid) -> String {
    format!(
        "{tenant_id}.{}",
        URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
    )
}

/// Splits an opaque token into its tenant and the hash to look it up by.
pub fn parse_opaque_token(token: &str) -> Option<(Uuid, String)> {
    let (tenant, secret) = token.split_once('.')?;
    let tenant = Uuid::parse_str(tenant).ok()?;
    (secret.len() >= 40).then(|| (tenant, hash_token(token)))
}

/// High-entropy tokens need no slow hash: SHA-256 is enough to make a stolen table useless.
pub fn hash_token(token: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn keys() -> TokenKeys {
        let (private, public) = generate_pem_pair().unwrap();
        let settings = Settings::with_data_dir("/nonexistent".into());
        TokenKeys::from_pem(private.as_bytes(), public.as_bytes(), &settings).unwrap()
    }

    fn subject() -> Subject {
        Subject {
            user_id: Uuid::now_v7(),
            role: "USER".into(),
            tenant_id: Some(Uuid::now_v7()),
            agency_id: None,
            session_id: Some(Uuid::now_v7()),
            service_account: None,
        }
    }

    #[test]
    fn a_token_verifies_with_its_key_only() {
        let keys = keys();
        let issued = keys.issue(&subject(), Utc::now()).unwrap();
        assert!(keys.verify(&issued.token, Utc::now()).is_some());
        assert!(self::keys().verify(&issued.token, Utc::now()).is_none());
    }

    #[test]
    fn expired_tokens_are_refused() {
        let keys = keys();
        let now = Utc::now();
        let issued = keys.issue(&subject(), now).unwrap();
        assert!(keys.verify(&issued.token, now + ACCESS_TOKEN_TTL).is_some());
        assert!(
            keys.verify(
                &issued.token,
                now + ACCESS_TOKEN_TTL + Duration::seconds(31)
            )
            .is_none()
        );
        let stale = keys.issue(&subject(), now - Duration::hours(1)).unwrap();
        assert!(keys.verify(&stale.token, now).is_none());
    }

    #[test]
    fn opaque_tokens_carry_their_tenant() {
        let tenant = Uuid::now_v7();
        let token = new_opaque_token(tenant);
        let (parsed, hash) = parse_opaque_token(&token).unwrap();
        assert_eq!(parsed, tenant);
        assert_eq!(hash, hash_token(&token));
        assert!(parse_opaque_token("not-a-token").is_none());
    }
}
