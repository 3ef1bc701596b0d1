//! S3-compatible object storage through `object_store`. Small files go up in one PUT; a file
//! that outgrows one part becomes a multipart upload, one part in flight at a time, so memory
//! stays bounded by about two parts whatever the file's size. An aborted or dropped upload is
//! aborted on the server too, leaving no parts behind.
use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use object_store::aws::AmazonS3Builder;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload, WriteMultipart};
use secrecy::ExposeSecret;

use super::{BlobWriter, ByteStream, StorageError, StorageKey};
use crate::error::StartupError;
use crate::settings::StorageSettings;

/// S3's smallest part but the last.
pub const S3_PART_BYTES: usize = 5 * 1024 * 1024;

pub struct ObjectBackend {
    store: Arc<dyn ObjectStore>,
    part_bytes: usize,
}

impl ObjectBackend {
    pub fn new(store: Arc<dyn ObjectStore>, part_bytes: usize) -> Self {
        Self { store, part_bytes }
    }

    /// The bucket from settings. Credentials come from `CONCORD_STORAGE_S3_ACCESS_KEY_ID` /
    /// `…_SECRET_ACCESS_KEY` when set, else from the standard `AWS_*` variables and the usual
    /// AWS credential chain.
    pub fn s3(settings: &StorageSettings) -> Result<Self, StartupError> {
        let bucket = settings.s3_bucket.as_deref().ok_or_else(|| {
            StartupError::Setting(
                "CONCORD_STORAGE_S3_BUCKET",
                "the s3 storage backend needs a bucket".into(),
            )
        })?;
        let mut builder = AmazonS3Builder::from_env().with_bucket_name(bucket);
        if let Some(region) = &settings.s3_region {
            builder = builder.with_region(region);
        }
        if let Some(endpoint) = &settings.s3_endpoint {
            // Plain HTTP only when the operator wrote it into the endpoint themselves.
            builder = builder
                .with_endpoint(endpoint)
                .with_allow_http(endpoint.starts_with("http://"));
        }
        if let Some(id) = &settings.s3_access_key_id {
            builder = builder.with_access_key_id(id);
        }
        if let Some(secret) = &settings.s3_secret_access_key {
            builder = builder.with_secret_access_key(secret.expose_secret());
        }
        let store = builder
            .build()
            .map_err(|e| StartupError::Setting("CONCORD_STORAGE_BACKEND", e.to_string()))?;
        Ok(Self::new(Arc::new(store), S3_PART_BYTES))
    }

    fn path(key: &StorageKey) -> Path {
        Path::from(key.as_str())
    }
}

fn not_found(e: object_store::Error) -> StorageError {
    match e {
        object_store::Error::NotFound { .. } => StorageError::NotFound,
        other => other.into(),
    }
}

#[async_trait::async_trait]
impl super::Backend for ObjectBackend {
    async fn writer(&self, key: &StorageKey) -> Result<Box<dyn BlobWriter>, StorageError> {
        Ok(Box::new(ObjectWriter {
            store: self.store.clone(),
            path: Self::path(key),
            part_bytes: self.part_bytes,
            first_part: BytesMut::new(),
            upload: None,
            done: false,
        }))
    }

    async fn get(&self, key: &StorageKey) -> Result<ByteStream, StorageError> {
        let result = self.store.get(&Self::path(key)).await.map_err(not_found)?;
        Ok(result
            .into_stream()
            .map(|chunk| chunk.map_err(StorageError::Object))
            .boxed())
    }

    async fn delete(&self, key: &StorageKey) -> Result<(), StorageError> {
        match self.store.delete(&Self::path(key)).await {
            Err(object_store::Error::NotFound { .. }) | Ok(()) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

struct ObjectWriter {
    store: Arc<dyn ObjectStore>,
    path: Path,
    part_bytes: usize,
    /// Held until the file proves larger than one part; then it opens the multipart upload.
    first_part: BytesMut,
    upload: Option<WriteMultipart>,
    done: bool,
}

#[async_trait::async_trait]
impl BlobWriter for ObjectWriter {
    async fn write(&mut self, chunk: Bytes) -> Result<(), StorageError> {
        if let Some(upload) = self.upload.as_mut() {
            // Back-pressure: the sender waits while a part is on its way.
            upload.wait_for_capacity(1).await?;
            upload.put(chunk);
            return Ok(());
        }
        self.first_part.extend_from_slice(&chunk);
        if self.first_part.len() >= self.part_bytes {
            let mut upload = WriteMultipart::new_with_chunk_size(
                self.store.put_multipart(&self.path).await?,
                self.part_bytes,
            );
            upload.put(std::mem::take(&mut self.first_part).freeze());
            self.upload = Some(upload);
        }
        Ok(())
    }

    async fn finish(mut self: Box<Self>) -> Result<(), StorageError> {
        self.done = true;
        match self.upload.take() {
            Some(upload) => {
                upload.finish().await?;
            }
            None => {
                let body = PutPayload::from(std::mem::take(&mut self.first_part).freeze());
                self.store.put(&self.path, body).await?;
            }
        }
        Ok(())
    }

    async fn abort(mut self: Box<Self>) -> Result<(), StorageError> {
        self.done = true;
        if let Some(upload) = self.upload.take() {
            upload.abort().await?;
        }
        Ok(())
    }
}

impl Drop for ObjectWriter {
    /// A request dropped mid-upload still aborts the multipart upload on the server.
    fn drop(&mut self) {
        if self.done {
            return;
        }
        if let (Some(upload), Ok(runtime)) =
            (self.upload.take(), tokio::runtime::Handle::try_current())
        {
            runtime.spawn(async move {
                if let Err(error) = upload.abort().await {
                    tracing::warn!(%error, "could not abort a dropped multipart upload");
                }
            });
        }
    }
}
