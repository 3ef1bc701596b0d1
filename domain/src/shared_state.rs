//! What every API process must agree on at once: rate-limit counters and revocation marks.
//! Redis when `REDIS_URL` is set; otherwise this process's memory (one process only).
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use redis::AsyncCommands;
use redis::aio::ConnectionManager;

use crate::error::{DomainError, DomainResult, StartupError};

#[derive(Clone)]
pub enum SharedState {
    Redis {
        conn: ConnectionManager,
        prefix: String,
    },
    InProcess(Arc<Mutex<HashMap<String, (u64, Instant)>>>),
}

impl SharedState {
    pub async fn connect(url: Option<&str>, prefix: &str) -> Result<Self, StartupError> {
        let Some(url) = url else {
            return Ok(Self::InProcess(Arc::default()));
        };
        let client = redis::Client::open(url).map_err(|e| StartupError::Redis(e.to_string()))?;
        let conn = ConnectionManager::new(client)
            .await
            .map_err(|e| StartupError::Redis(e.to_string()))?;
        Ok(Self::Redis {
            conn,
            prefix: prefix.to_owned(),
        })
    }

    /// Counts one more event in a fixed window that starts with the first event; returns
    /// the count so far and the seconds left in the window.
    pub async fn hit(&self, key: &str, window: Duration) -> DomainResult<(u64, u64)> {
        match self {
            Self::Redis { conn, prefix } => {
                let key = format!("{prefix}{key}");
                let mut conn = conn.clone();
                let (count, ttl): (u64, i64) = redis::pipe()
                    .atomic()
                    .incr(&key, 1u64)
                    .ttl(&key)
                    .query_async(&mut conn)
                    .await
                    .map_err(redis_unavailable)?;
                if ttl < 0 {
                    let _: () = conn
                        .expire(&key, window.as_secs().try_into().unwrap_or(i64::MAX))
                        .await
                        .map_err(redis_unavailable)?;
                    return Ok((count, window.as_secs()));
                }
                Ok((count, ttl.unsigned_abs()))
            }
            Self::InProcess(map) => {
                let mut map = map
                    .lock()
                    .map_err(|_| DomainError::internal(anyhow::anyhow!("poisoned")))?;
                let now = Instant::now();
                map.retain(|_, (_, until)| *until > now);
                let entry = map.entry(key.to_owned()).or_insert((0, now + window));
                entry.0 += 1;
                Ok((entry.0, entry.1.saturating_duration_since(now).as_secs()))
            }
        }
    }

    /// Marks `key` for `ttl` (e.g. a revoked session until its last access token expires).
    pub async fn mark(&self, key: &str, ttl: Duration) -> DomainResult<()> {
        match self {
            Self::Redis { conn, prefix } => {
                let mut conn = conn.clone();
                let _: () = conn
                    .set_ex(format!("{prefix}{key}"), 1u8, ttl.as_secs().max(1))
                    .await
                    .map_err(redis_unavailable)?;
                Ok(())
            }
            Self::InProcess(map) => {
                let mut map = map
                    .lock()
                    .map_err(|_| DomainError::internal(anyhow::anyhow!("poisoned")))?;
                map.insert(key.to_owned(), (1, Instant::now() + ttl));
                Ok(())
            }
        }
    }

    /// Seconds left on the mark `key`, if it is set.
    pub async fn marked_for(&self, key: &str) -> DomainResult<Option<u64>> {
        match self {
            Self::Redis { conn, prefix } => {
                let mut conn = conn.clone();
                let ttl: i64 = conn
                    .ttl(format!("{prefix}{key}"))
                    .await
                    .map_err(redis_unavailable)?;
                // -2: no such key; -1: no expiry (never set by `mark`).
                Ok((ttl >= 0).then(|| ttl.unsigned_abs().max(1)))
            }
            Self::InProcess(map) => {
                let map = map
                    .lock()
                    .map_err(|_| DomainError::internal(anyhow::anyhow!("poisoned")))?;
                let now = Instant::now();
                Ok(map
                    .get(key)
                    .filter(|(_, until)| *until > now)
                    .map(|(_, until)| until.saturating_duration_since(now).as_secs().max(1)))
            }
        }
    }

    /// Removes counters or marks.
    pub async fn forget(&self, keys: &[&str]) -> DomainResult<()> {
        match self {
            Self::Redis { conn, prefix } => {
                let mut conn = conn.clone();
                let keys: Vec<String> = keys.iter().map(|k| format!("{prefix}{k}")).collect();
                let _: () = conn.del(keys).await.map_err(redis_unavailable)?;
                Ok(())
            }
            Self::InProcess(map) => {
                let mut map = map
                    .lock()
                    .map_err(|_| DomainError::internal(anyhow::anyhow!("poisoned")))?;
                for key in keys {
                    map.remove(*key);
                }
                Ok(())
            }
        }
    }

    pub async fn is_marked(&self, key: &str) -> DomainResult<bool> {
        match self {
            Self::Redis { conn, prefix } => {
                let mut conn = conn.clone();
                conn.exists(format!("{prefix}{key}"))
                    .await
                    .map_err(redis_unavailable)
            }
            Self::InProcess(map) => {
                let map = map
                    .lock()
                    .map_err(|_| DomainError::internal(anyhow::anyhow!("poisoned")))?;
                Ok(map
                    .get(key)
                    .is_some_and(|(_, until)| *until > Instant::now()))
            }
        }
    }

    pub async fn ping(&self) -> bool {
        match self {
            Self::Redis { conn, .. } => {
                let mut conn = conn.clone();
                redis::cmd("PING")
                    .query_async::<String>(&mut conn)
                    .await
                    .is_ok()
            }
            Self::InProcess(_) => true,
        }
    }
}

/// Redis not answering (stopped, restarting, unreachable): a request that needs a counter or
/// a mark is refused as `UNAVAILABLE` (503, try again), never let through uncounted.
fn redis_unavailable(err: redis::RedisError) -> DomainError {
    let unreachable = err.is_io_error()
        || err.is_timeout()
        || err.is_connection_dropped()
        || err.is_connection_refusal();
    let err = anyhow::Error::new(err).context("redis");
    if unreachable {
        DomainError::Unavailable(err)
    } else {
        DomainError::Internal(err)
    }
}
