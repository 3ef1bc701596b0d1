//! Files under a directory: `<root>/<tenant id>/<uuid>`. An object is written to a `.partial`
//! file beside its final name and renamed into place when complete, so a reader never sees
//! half a file and a crash leaves only `.partial` files to sweep.
use std::path::{Path, PathBuf};

use bytes::Bytes;
use futures_util::StreamExt;
use tokio::fs::{self, File, OpenOptions};
use tokio::io::AsyncWriteExt;
use tokio_util::io::ReaderStream;

use super::{BlobWriter, ByteStream, StorageError, StorageKey};
use crate::error::StartupError;

const READ_CHUNK: usize = 64 * 1024;

pub struct LocalBackend {
    root: PathBuf,
}

impl LocalBackend {
    /// Creates the directory if needed, readable by this user only: it holds client documents.
    pub fn new(root: &Path) -> Result<Self, StartupError> {
        create_private_dir(root)?;
        Ok(Self {
            root: root.to_owned(),
        })
    }

    fn path(&self, key: &StorageKey) -> PathBuf {
        // `StorageKey` is always `<uuid>/<uuid>`: no separator or `..` can escape the root.
        self.root.join(key.as_str())
    }
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

#[async_trait::async_trait]
impl super::Backend for LocalBackend {
    async fn writer(&self, key: &StorageKey) -> Result<Box<dyn BlobWriter>, StorageError> {
        let target = self.path(key);
        if let Some(parent) = target.parent() {
            let parent = parent.to_owned();
            tokio::task::spawn_blocking(move || create_private_dir(&parent))
                .await
                .map_err(std::io::Error::other)??;
        }
        let mut partial = target.clone().into_os_string();
        partial.push(".partial");
        let partial = PathBuf::from(partial);
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        options.mode(0o600);
        let file = options.open(&partial).await?;
        Ok(Box::new(LocalWriter {
            file: Some(file),
            partial,
            target,
        }))
    }

    async fn get(&self, key: &StorageKey) -> Result<ByteStream, StorageError> {
        let file = File::open(self.path(key)).await.map_err(not_found)?;
        Ok(ReaderStream::with_capacity(file, READ_CHUNK)
            .map(|chunk| chunk.map_err(StorageError::Io))
            .boxed())
    }

    async fn delete(&self, key: &StorageKey) -> Result<(), StorageError> {
        match fs::remove_file(self.path(key)).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    }
}

fn not_found(e: std::io::Error) -> StorageError {
    if e.kind() == std::io::ErrorKind::NotFound {
        StorageError::NotFound
    } else {
        e.into()
    }
}

struct LocalWriter {
    /// `None` once finished or aborted.
    file: Option<File>,
    partial: PathBuf,
    target: PathBuf,
}

#[async_trait::async_trait]
impl BlobWriter for LocalWriter {
    async fn write(&mut self, chunk: Bytes) -> Result<(), StorageError> {
        match self.file.as_mut() {
            Some(file) => Ok(file.write_all(&chunk).await?),
            None => Err(std::io::Error::other("write after finish").into()),
        }
    }

    async fn finish(mut self: Box<Self>) -> Result<(), StorageError> {
        if let Some(mut file) = self.file.take() {
            file.flush().await?;
            // Durable before the database row that points at it is committed.
            file.sync_all().await?;
            drop(file);
            if let Err(e) = fs::rename(&self.partial, &self.target).await {
                let _ = fs::remove_file(&self.partial).await;
                return Err(e.into());
            }
        }
        Ok(())
    }

    async fn abort(mut self: Box<Self>) -> Result<(), StorageError> {
        if self.file.take().is_some() {
            fs::remove_file(&self.partial).await?;
        }
        Ok(())
    }
}

impl Drop for LocalWriter {
    /// A request dropped mid-upload (the sender went away) leaves no partial file.
    fn drop(&mut self) {
        if self.file.take().is_some() {
            let _ = std::fs::remove_file(&self.partial);
        }
    }
}
