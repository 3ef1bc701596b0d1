//! Where attachment bytes live: one `Backend` trait, a local directory (the embedded default)
//! and S3-compatible object storage. Bytes are streamed through in both directions, hashed and
//! counted on the way in, and an upload over the limit is aborted with nothing left behind.
//! Keys are random (`<tenant id>/<uuid>`): a client's file name never reaches storage.
mod local;
mod object;

use std::fmt::Display;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::stream::BoxStream;
use futures_util::{Stream, StreamExt};
use sha2::{Digest, Sha256};
use uuid::Uuid;

pub use local::LocalBackend;
pub use object::ObjectBackend;

use crate::error::StartupError;
use crate::settings::StorageSettings;

/// A stored object's bytes, as they are read back.
pub type ByteStream = BoxStream<'static, Result<Bytes, StorageError>>;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("no such object")]
    NotFound,
    #[error("storage key `{0}` is not one Concord makes")]
    BadKey(String),
    #[error("local storage: {0}")]
    Io(#[from] std::io::Error),
    #[error("object storage: {0}")]
    Object(#[from] object_store::Error),
}

#[derive(Debug, thiserror::Error)]
pub enum PutError {
    #[error("the upload is larger than {limit} bytes")]
    TooLarge { limit: u64 },
    /// The sender's stream failed (a dropped connection, a malformed chunk).
    #[error("the upload was interrupted: {0}")]
    Body(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// `<tenant id>/<uuid>`: which tenant a blob belongs to is plain from the key, and nothing
/// else about it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StorageKey(String);

impl StorageKey {
    pub fn new(tenant_id: Uuid) -> Self {
        Self(format!("{tenant_id}/{}", Uuid::new_v4()))
    }

    /// A key read back from the database. Refused unless it has the shape `new` gives, so a
    /// tampered row cannot name a path outside the store.
    pub fn parse(raw: &str) -> Result<Self, StorageError> {
        match raw.split_once('/') {
            Some((tenant, object))
                if Uuid::try_parse(tenant).is_ok() && Uuid::try_parse(object).is_ok() =>
            {
                Ok(Self(raw.to_owned()))
            }
            _ => Err(StorageError::BadKey(raw.to_owned())),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What an upload left in storage.
#[derive(Clone, Debug)]
pub struct Stored {
    pub key: StorageKey,
    pub size: u64,
    /// Lower-case hex.
    pub sha256: String,
}

/// One backend. `writer` starts an object that becomes visible only when finished.
#[async_trait::async_trait]
pub trait Backend: Send + Sync {
    async fn writer(&self, key: &StorageKey) -> Result<Box<dyn BlobWriter>, StorageError>;
    async fn get(&self, key: &StorageKey) -> Result<ByteStream, StorageError>;
    /// Deleting an object that is not there is not an error.
    async fn delete(&self, key: &StorageKey) -> Result<(), StorageError>;
}

/// An object being written. Dropped without `finish` it is discarded, as by `abort`.
#[async_trait::async_trait]
pub trait BlobWriter: Send {
    async fn write(&mut self, chunk: Bytes) -> Result<(), StorageError>;
    async fn finish(self: Box<Self>) -> Result<(), StorageError>;
    async fn abort(self: Box<Self>) -> Result<(), StorageError>;
}

/// The configured backend and the upload limit.
#[derive(Clone)]
pub struct Storage {
    backend: Arc<dyn Backend>,
    max_upload_bytes: u64,
}

impl Storage {
    pub fn new(backend: Arc<dyn Backend>, max_upload_bytes: u64) -> Self {
        Self {
            backend,
            max_upload_bytes,
        }
    }

    pub fn from_settings(settings: &StorageSettings) -> Result<Self, StartupError> {
        let backend: Arc<dyn Backend> = match settings.backend.as_str() {
            "s3" => Arc::new(ObjectBackend::s3(settings)?),
            _ => Arc::new(LocalBackend::new(&settings.dir)?),
        };
        Ok(Self::new(backend, settings.max_upload_bytes))
    }

    pub fn max_upload_bytes(&self) -> u64 {
        self.max_upload_bytes
    }

    /// Streams `body` into a new object under `key`, hashing and counting as it goes. Past
    /// the limit, or when the body or the backend fails, the partial object is discarded.
    pub async fn put<S, E>(&self, key: StorageKey, mut body: S) -> Result<Stored, PutError>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: Display,
    {
        let mut writer = self.backend.writer(&key).await?;
        let mut hasher = Sha256::new();
        let mut size: u64 = 0;
        while let Some(chunk) = body.next().await {
            let chunk = match chunk {
                Ok(chunk) => chunk,
                Err(e) => return discard(writer, PutError::Body(e.to_string())).await,
            };
            size = size.saturating_add(chunk.len() as u64);
            if size > self.max_upload_bytes {
                let limit = self.max_upload_bytes;
                return discard(writer, PutError::TooLarge { limit }).await;
            }
            hasher.update(&chunk);
            if let Err(e) = writer.write(chunk).await {
                return discard(writer, e.into()).await;
            }
        }
        writer.finish().await?;
        Ok(Stored {
            key,
            size,
            sha256: format!("{:x}", hasher.finalize()),
        })
    }

    pub async fn get(&self, key: &StorageKey) -> Result<ByteStream, StorageError> {
        self.backend.get(key).await
    }

    pub async fn delete(&self, key: &StorageKey) -> Result<(), StorageError> {
        self.backend.delete(key).await
    }
}

async fn discard<T>(writer: Box<dyn BlobWriter>, err: PutError) -> Result<T, PutError> {
    if let Err(abort) = writer.abort().await {
        // The upload is refused either way; a leftover part is for the operator to see.
        tracing::warn!(error = %abort, "could not discard a partial upload");
    }
    Err(err)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn chunks(total: usize, chunk: usize) -> Vec<Result<Bytes, std::io::Error>> {
        let data: Vec<u8> = (0..total).map(|i| (i % 251) as u8).collect();
        data.chunks(chunk)
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect()
    }

    async fn read_all(storage: &Storage, key: &StorageKey) -> Vec<u8> {
        let mut stream = storage.get(key).await.unwrap();
        let mut out = Vec::new();
        while let Some(chunk) = stream.next().await {
            out.extend_from_slice(&chunk.unwrap());
        }
        out
    }

    async fn round_trip_and_limit(storage: Storage) {
        let tenant = Uuid::new_v4();
        let body = chunks(300_000, 7_000);
        let expected: Vec<u8> = body
            .iter()
            .flat_map(|c| c.as_ref().unwrap().to_vec())
            .collect();
        let stored = storage
            .put(StorageKey::new(tenant), futures_util::stream::iter(body))
            .await
            .unwrap();
        assert_eq!(stored.size, 300_000);
        assert_eq!(stored.sha256, format!("{:x}", Sha256::digest(&expected)));
        assert_eq!(read_all(&storage, &stored.key).await, expected);

        let key = StorageKey::new(tenant);
        let refused = storage
            .put(
                key.clone(),
                futures_util::stream::iter(chunks(600_000, 7_000)),
            )
            .await;
        assert!(matches!(
            refused,
            Err(PutError::TooLarge { limit: 500_000 })
        ));
        assert!(matches!(
            storage.get(&key).await,
            Err(StorageError::NotFound)
        ));

        storage.delete(&stored.key).await.unwrap();
        assert!(matches!(
            storage.get(&stored.key).await,
            Err(StorageError::NotFound)
        ));
        storage.delete(&stored.key).await.unwrap();
    }

    #[tokio::test]
    async fn local_files_round_trip_and_refuse_oversize_uploads() {
        let dir = std::env::temp_dir().join(format!("concord-storage-{}", Uuid::new_v4()));
        let storage = Storage::new(Arc::new(LocalBackend::new(&dir).unwrap()), 500_000);
        round_trip_and_limit(storage).await;
        let left: Vec<_> = walk(&dir);
        assert!(left.is_empty(), "left behind: {left:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Secondary to the S3 integration test (a real S3 API): the multipart path with parts
    /// small enough to use several.
    #[tokio::test]
    async fn object_store_round_trips_in_parts_and_refuses_oversize_uploads() {
        let memory = Arc::new(object_store::memory::InMemory::new());
        let storage = Storage::new(Arc::new(ObjectBackend::new(memory, 64 * 1024)), 500_000);
        round_trip_and_limit(storage).await;
    }

    #[test]
    fn keys_are_refused_unless_concord_made_them() {
        let key = StorageKey::new(Uuid::new_v4());
        assert_eq!(StorageKey::parse(key.as_str()).unwrap(), key);
        for bad in [
            "../etc/passwd",
            "a/b",
            "",
            "x",
            &format!("{}/../x", Uuid::new_v4()),
        ] {
            assert!(StorageKey::parse(bad).is_err(), "{bad}");
        }
    }

    fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                files.extend(walk(&path));
            } else {
                files.push(path);
            }
        }
        files
    }
}
