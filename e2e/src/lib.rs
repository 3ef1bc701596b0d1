//! Shared pieces of the end-to-end tests: the real `concord` binary run as a child process,
//! headless Chromium driven through chromedriver, a bounded poll for both, and an
//! authenticator app's codes.
pub mod browser;
pub mod concord;
pub mod second_factor;

use std::time::{Duration, Instant};

/// Retries `check` every 100 ms until it gives `Some`, for at most `within`. Servers and the
/// browser settle asynchronously, so tests wait for a state, never for a fixed time.
pub async fn poll<T>(within: Duration, mut check: impl AsyncFnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + within;
    loop {
        if let Some(value) = check().await {
            return Some(value);
        }
        if Instant::now() >= deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
