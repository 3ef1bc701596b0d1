//! Passwords: the rules a new password must meet (ASVS 6.2) and argon2id hashing (6.3),
//! run off the async threads behind a small semaphore because one hash costs ~20 ms of CPU.
use std::collections::HashSet;
use std::sync::{Arc, LazyLock};

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Argon2, Params};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Semaphore;

use crate::error::{DomainError, DomainResult};

pub const MIN_CHARS: usize = 12;
pub const MAX_CHARS: usize = 128;

/// The SecLists top list shipped with Concord (see `assets/COMMON-PASSWORDS-SOURCE.md`).
static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../../assets/common-passwords.txt")
        .lines()
        .collect()
});

/// A password that meets the rules. Holding one means it was checked.
pub struct NewPassword(SecretString);

impl NewPassword {
    pub fn parse(candidate: &str) -> DomainResult<Self> {
        let chars = candidate.chars().count();
        if chars < MIN_CHARS {
            return Err(DomainError::validation(
                "password",
                format!("use at least {MIN_CHARS} characters"),
            ));
        }
        if chars > MAX_CHARS {
            return Err(DomainError::validation(
                "password",
                format!("use at most {MAX_CHARS} characters"),
            ));
        }
        if COMMON.contains(candidate.to_lowercase().as_str()) {
            return Err(DomainError::validation(
                "password",
                "this password is on a list of commonly used passwords; choose another",
            ));
        }
        Ok(Self(SecretString::from(candidate)))
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

pub struct Verification {
    pub matches: bool,
    /// The stored hash used weaker parameters than today's: store a new one.
    pub needs_rehash: bool,
}

/// How expensive a password hash is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordHashing {
    /// Argon2id with OWASP's parameters (19 MiB, two passes): always, outside tests.
    Standard,
    /// The smallest parameters argon2 accepts, for test suites that sign in hundreds of
    /// people. Settable only in code, never from the environment, and refused at start-up in
    /// production.
    TestOnlyCheap,
}

impl PasswordHashing {
    fn params(self) -> Params {
        match self {
            Self::Standard => Params::default(),
            Self::TestOnlyCheap => {
                Params::new(Params::MIN_M_COST, Params::MIN_T_COST, 1, None).unwrap_or_default()
            }
        }
    }
}

#[derive(Clone)]
pub struct PasswordHasher {
    params: Params,
    permits: Arc<Semaphore>,
    /// Verified against when the account does not exist, so that an unknown account and a
    /// wrong password take the same time (ASVS 6.3.8).
    dummy_hash: Arc<str>,
    /// Hashes and verifications run (`/metrics`: `concord_password_work_total`).
    pub work: prometheus::IntCounter,
}

impl PasswordHasher {
    pub fn new(hashing: PasswordHashing) -> DomainResult<Self> {
        let params = hashing.params();
        let dummy = hash_blocking(&params, "concord-dummy-password-for-timing")?;
        Ok(Self {
            params,
            permits: Arc::new(Semaphore::new(2)),
            dummy_hash: dummy.into(),
            work: prometheus::IntCounter::new(
                "password_work_total",
                "Password hashes and verifications run",
            )
            .map_err(DomainError::internal)?,
        })
    }

    pub async fn hash(&self, password: &NewPassword) -> DomainResult<String> {
        let secret = SecretString::from(password.expose());
        let params = self.params.clone();
        self.run(move || hash_blocking(&params, secret.expose_secret()))
            .await
    }

    /// Hashes several high-value secrets that are not passwords (backup codes) in one go,
    /// taking one place in the queue.
    pub async fn hash_secrets(&self, secrets: Vec<String>) -> DomainResult<Vec<String>> {
        let secrets: Vec<SecretString> = secrets.into_iter().map(SecretString::from).collect();
        let params = self.params.clone();
        self.run(move || {
            secrets
                .iter()
                .map(|secret| hash_blocking(&params, secret.expose_secret()))
                .collect()
        })
        .await
    }

    /// Verifies `attempt` against `stored`, or against a dummy hash when there is no account.
    pub async fn verify(&self, attempt: &str, stored: Option<&str>) -> DomainResult<Verification> {
        let attempt = SecretString::from(attempt);
        let exists = stored.is_some();
        let hash = stored.map_or_else(|| self.dummy_hash.to_string(), str::to_owned);
        let current = self.params.clone();
        let verification = self
            .run(move || {
                let parsed = PasswordHash::new(&hash).map_err(DomainError::internal)?;
                let matches = Argon2::default()
                    .verify_password(attempt.expose_secret().as_bytes(), &parsed)
                    .is_ok();
                Ok(Verification {
                    matches,
                    needs_rehash: matches && is_weaker_than(&parsed, &current),
                })
            })
            .await?;
        Ok(Verification {
            matches: exists && verification.matches,
            needs_rehash: exists && verification.needs_rehash,
        })
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> DomainResult<T> + Send + 'static,
    ) -> DomainResult<T> {
        self.work.inc();
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(DomainError::internal)?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(DomainError::internal)?
    }
}

fn hash_blocking(params: &Params, password: &str) -> DomainResult<String> {
    Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        params.clone(),
    )
    .hash_password(password.as_bytes())
    .map(|h| h.to_string())
    .map_err(DomainError::internal)
}

fn is_weaker_than(hash: &PasswordHash, current: &Params) -> bool {
    match Params::try_from(hash) {
        Ok(params) => {
            hash.algorithm.as_str() != argon2::Algorithm::Argon2id.as_str()
                || params.m_cost() < current.m_cost()
                || params.t_cost() < current.t_cost()
        }
        Err(_) => true,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn short_and_common_passwords_are_refused() {
        assert!(NewPassword::parse("short").is_err());
        assert!(NewPassword::parse("1234567890123").is_err());
        assert!(NewPassword::parse(&"x".repeat(129)).is_err());
        assert!(NewPassword::parse("correct horse battery staple 42").is_ok());
    }

    #[tokio::test]
    async fn hashes_verify_and_unknown_accounts_never_match() {
        let hasher = PasswordHasher::new(PasswordHashing::Standard).unwrap();
        let pw = NewPassword::parse("correct horse battery staple 42").unwrap();
        let hash = hasher.hash(&pw).await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(
            hasher
                .verify(pw.expose(), Some(&hash))
                .await
                .unwrap()
                .matches
        );
        assert!(
            !hasher
                .verify("wrong password here", Some(&hash))
                .await
                .unwrap()
                .matches
        );
        assert!(
            !hasher
                .verify("concord-dummy-password-for-timing", None)
                .await
                .unwrap()
                .matches
        );
    }
}
