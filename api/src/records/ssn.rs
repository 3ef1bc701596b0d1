//! Social Security numbers: AES-256-GCM at rest, shown masked, never logged. The key comes from
//! `CONCORD_SSN_KEY_FILE` (32 random bytes, base64) or is generated into the data directory.
use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::error::{ApiError, ApiResult, StartupError};

#[derive(Clone)]
pub struct SsnCipher(Aes256Gcm);

impl SsnCipher {
    pub fn load(key_file: Option<&Path>, data_dir: &Path) -> Result<Self, StartupError> {
        let path = key_file.map_or_else(|| data_dir.join("ssn-key"), Path::to_path_buf);
        if !path.exists() && key_file.is_none() {
            std::fs::create_dir_all(data_dir)?;
            std::fs::write(&path, STANDARD.encode(rand::random::<[u8; 32]>()))?;
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

    pub fn encrypt(&self, ssn: &Ssn) -> ApiResult<String> {
        let nonce_bytes = rand::random::<[u8; 12]>();
        let sealed = self
            .0
            .encrypt(&Nonce::from(nonce_bytes), ssn.0.as_bytes())
            .map_err(|_| ApiError::internal(anyhow::anyhow!("SSN encryption failed")))?;
        let mut out = nonce_bytes.to_vec();
        out.extend(sealed);
        Ok(STANDARD.encode(out))
    }

    pub fn decrypt(&self, stored: &str) -> ApiResult<String> {
        let bytes = STANDARD.decode(stored).map_err(ApiError::internal)?;
        if bytes.len() < 12 {
            return Err(ApiError::internal(anyhow::anyhow!(
                "SSN ciphertext too short"
            )));
        }
        let (nonce, sealed) = bytes.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().map_err(ApiError::internal)?;
        let plain = self
            .0
            .decrypt(&Nonce::from(nonce), sealed)
            .map_err(|_| ApiError::internal(anyhow::anyhow!("SSN decryption failed")))?;
        String::from_utf8(plain).map_err(ApiError::internal)
    }
}

/// Nine digits. Its `Debug` shows only the mask, so it cannot end up in a log by accident.
pub struct Ssn(String);

impl std::fmt::Debug for Ssn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&mask(self.last4()))
    }
}

impl Ssn {
    pub fn parse(raw: &str) -> ApiResult<Self> {
        let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
        let only_digits_and_dashes = raw
            .chars()
            .all(|c| c.is_ascii_digit() || c == '-' || c == ' ');
        if digits.len() != 9 || !only_digits_and_dashes {
            return Err(ApiError::validation(
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
        let sealed = cipher.encrypt(&ssn).unwrap();
        assert!(!sealed.contains("6789"));
        assert_eq!(cipher.decrypt(&sealed).unwrap(), "123456789");
        assert_eq!(format!("{ssn:?}"), "***-**-6789");
        assert!(Ssn::parse("12345").is_err());
        let _ = std::fs::remove_dir_all(dir);
    }
}
