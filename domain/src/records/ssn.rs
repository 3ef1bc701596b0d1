//! Social Security numbers: AES-256-GCM at rest, shown masked, never logged. The key comes from
//! `CONCORD_SSN_KEY_FILE` (32 random bytes, base64) or is generated into the data directory.
use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use sea_orm::DatabaseConnection;
use uuid::Uuid;

use crate::auth::tokens::write_private;
use crate::error::{DomainError, DomainResult, StartupError};
use crate::page::Window;
use crate::store;

#[derive(Clone)]
pub struct SsnCipher(Aes256Gcm);

/// Whose SSN a ciphertext is: sealed with it as associated data, so a ciphertext copied onto
/// another client or into another tenant does not open.
#[derive(Clone, Copy, Debug)]
pub struct SsnOwner {
    pub tenant_id: Uuid,
    pub client_id: Uuid,
}

impl SsnOwner {
    fn associated_data(self) -> String {
        format!("concord:ssn:{}:{}", self.tenant_id, self.client_id)
    }
}

/// Ciphertexts bound to their owner start with this; older ones (nonce and ciphertext only)
/// are re-sealed at start-up by `rebind_unbound`.
const BOUND: &str = "v2:";

impl SsnCipher {
    pub fn load(key_file: Option<&Path>, data_dir: &Path) -> Result<Self, StartupError> {
        let path = key_file.map_or_else(|| data_dir.join("ssn-key"), Path::to_path_buf);
        if !path.exists() && key_file.is_none() {
            std::fs::create_dir_all(data_dir)?;
            write_private(
                &path,
                STANDARD.encode(rand::random::<[u8; 32]>()).as_bytes(),
            )?;
        }
        let encoded = std::fs::read_to_string(&path)?;
        let key = STANDARD
            .decode(encoded.trim())
            .map_err(|e| StartupError::Keys(format!("SSN key {}: {e}", path.display())))?;
        let cipher = Aes256Gcm::new_from_slice(&key).map_err(|_| {
            StartupError::Keys(format!("SSN key {}: need 32 bytes", path.display()))
        })?;
        Ok(Self(cipher))
    }

    pub fn encrypt(&self, ssn: &Ssn, owner: SsnOwner) -> DomainResult<String> {
        Ok(format!(
            "{BOUND}{}",
            self.seal(ssn.0.as_bytes(), &owner.associated_data())?
        ))
    }

    /// Opens a ciphertext sealed for `owner` (or an older one sealed for nobody).
    pub fn decrypt(&self, stored: &str, owner: SsnOwner) -> DomainResult<String> {
        let plain = match stored.strip_prefix(BOUND) {
            Some(encoded) => self.open(encoded, &owner.associated_data())?,
            None => self.open(stored, "")?,
        };
        String::from_utf8(plain).map_err(DomainError::internal)
    }

    /// Seals `plain` with the field key, bound to `aad` (what the value belongs to): the
    /// nonce and the ciphertext, base64. Other secrets that must be readable again (a webhook
    /// endpoint's signing secret) are sealed with the same key, each under its own `aad`.
    pub fn seal(&self, plain: &[u8], aad: &str) -> DomainResult<String> {
        let nonce_bytes = rand::random::<[u8; 12]>();
        let sealed = self
            .0
            .encrypt(
                &Nonce::from(nonce_bytes),
                Payload {
                    msg: plain,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| DomainError::internal(anyhow::anyhow!("encryption failed")))?;
        let mut out = nonce_bytes.to_vec();
        out.extend(sealed);
        Ok(STANDARD.encode(out))
    }

    /// Opens what `seal` sealed under the same `aad`.
    pub fn open(&self, encoded: &str, aad: &str) -> DomainResult<Vec<u8>> {
        let bytes = STANDARD.decode(encoded).map_err(DomainError::internal)?;
        if bytes.len() < 12 {
            return Err(DomainError::internal(anyhow::anyhow!(
                "ciphertext too short"
            )));
        }
        let (nonce, sealed) = bytes.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().map_err(DomainError::internal)?;
        self.0
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: sealed,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| DomainError::internal(anyhow::anyhow!("decryption failed")))
    }

    pub fn is_bound(stored: &str) -> bool {
        stored.starts_with(BOUND)
    }
}

/// Re-seals every SSN stored before ciphertexts were bound to their client, tenant by tenant
/// (row-level security allows no other way). Runs at start-up; finds nothing once done.
/// Returns how many were re-sealed.
pub async fn rebind_unbound(db: &DatabaseConnection, cipher: &SsnCipher) -> DomainResult<u64> {
    let mut rebound = 0;
    let mut after = None;
    loop {
        let tenants = {
            let tx = store::registry_tx(db).await?;
            let page = store::tenants::page(&tx, Window::after(after, 500)).await?;
            tx.commit().await?;
            page
        };
        for tenant in &tenants.rows {
            let tx = store::tenant_tx(db, tenant.id).await?;
            for (client_id, stored) in store::clients::unbound_ssns(&tx, tenant.id).await? {
                let owner = SsnOwner {
                    tenant_id: tenant.id,
                    client_id,
                };
                let ssn = Ssn::parse(&cipher.decrypt(&stored, owner)?)?;
                let sealed = cipher.encrypt(&ssn, owner)?;
                if store::clients::replace_ssn_ciphertext(&tx, owner, &stored, &sealed).await? {
                    rebound += 1;
                }
            }
            tx.commit().await?;
        }
        match (tenants.info.has_next, tenants.rows.last()) {
            (true, Some(last)) => after = Some(last.id),
            _ => break,
        }
    }
    Ok(rebound)
}

/// Nine digits. Its `Debug` shows only the mask, so it cannot end up in a log by accident.
pub struct Ssn(String);

impl std::fmt::Debug for Ssn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&mask(self.last4()))
    }
}

impl Ssn {
    pub fn parse(raw: &str) -> DomainResult<Self> {
        let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
        let only_digits_and_dashes = raw
            .chars()
            .all(|c| c.is_ascii_digit() || c == '-' || c == ' ');
        if digits.len() != 9 || !only_digits_and_dashes {
            return Err(DomainError::validation(
                "ssn",
                "a Social Security number has nine digits",
            ));
        }
        Ok(Self(digits))
    }

    pub fn last4(&self) -> &str {
        &self.0[5..]
    }
}

pub fn mask(last4: &str) -> String {
    format!("***-**-{last4}")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn ssns_round_trip_encrypted_and_print_masked() {
        let dir = std::env::temp_dir().join(format!("ssn-test-{}", uuid::Uuid::new_v4()));
        let cipher = SsnCipher::load(None, &dir).unwrap();
        let ssn = Ssn::parse("123-45-6789").unwrap();
        let owner = owner();
        let sealed = cipher.encrypt(&ssn, owner).unwrap();
        assert!(!sealed.contains("6789"));
        assert_eq!(cipher.decrypt(&sealed, owner).unwrap(), "123456789");
        assert_eq!(format!("{ssn:?}"), "***-**-6789");
        assert!(Ssn::parse("12345").is_err());
        let _ = std::fs::remove_dir_all(dir);
    }

    fn owner() -> SsnOwner {
        SsnOwner {
            tenant_id: Uuid::new_v4(),
            client_id: Uuid::new_v4(),
        }
    }

    #[test]
    fn a_ciphertext_copied_to_another_client_or_tenant_does_not_open() {
        let dir = std::env::temp_dir().join(format!("ssn-test-{}", Uuid::new_v4()));
        let cipher = SsnCipher::load(None, &dir).unwrap();
        let owner = owner();
        let sealed = cipher
            .encrypt(&Ssn::parse("123-45-6789").unwrap(), owner)
            .unwrap();
        let other_client = SsnOwner {
            client_id: Uuid::new_v4(),
            ..owner
        };
        let other_tenant = SsnOwner {
            tenant_id: Uuid::new_v4(),
            ..owner
        };
        assert!(cipher.decrypt(&sealed, other_client).is_err());
        assert!(cipher.decrypt(&sealed, other_tenant).is_err());
        let _ = std::fs::remove_dir_all(dir);
    }

    #[cfg(unix)]
    #[test]
    fn a_generated_key_file_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("ssn-test-{}", Uuid::new_v4()));
        SsnCipher::load(None, &dir).unwrap();
        let mode = std::fs::metadata(dir.join("ssn-key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let _ = std::fs::remove_dir_all(dir);
    }
}
