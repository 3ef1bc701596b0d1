//! The time jobs reason with. Injected so that deadlines can be tested without waiting.
use std::fmt::Debug;
use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, Duration, Utc};

pub trait Clock: Send + Sync + Debug {
    fn now(&self) -> DateTime<Utc>;
}

#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that only moves when told to.
#[derive(Debug)]
pub struct TestClock {
    now: Mutex<DateTime<Utc>>,
}

impl TestClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        Self {
            now: Mutex::new(start),
        }
    }

    pub fn set(&self, to: DateTime<Utc>) {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner) = to;
    }

    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock().unwrap_or_else(PoisonError::into_inner);
        *now += by;
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        // A panic elsewhere while holding the lock leaves a valid timestamp behind.
        *self.now.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The system's time moved forward by an offset that only grows: `CONCORD_CLOCK=manual`, for
/// end-to-end and manual testing of deadlines days or weeks away. Never in production.
#[derive(Debug, Default)]
pub struct OffsetClock {
    offset: Mutex<Duration>,
}

impl OffsetClock {
    /// Moves the clock forward to `offset` ahead of the system's time, unless it is further
    /// ahead already (what happened stays in the past); the time it reads now.
    pub fn catch_up(&self, offset: Duration) -> DateTime<Utc> {
        let mut current = self.offset.lock().unwrap_or_else(PoisonError::into_inner);
        if offset > *current {
            *current = offset;
        }
        Utc::now() + *current
    }
}

impl Clock for OffsetClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + *self.offset.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_clock_moves_only_when_told() {
        let start = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap_or_default();
        let clock = TestClock::new(start);
        assert_eq!(clock.now(), start);
        clock.advance(Duration::days(14));
        assert_eq!(clock.now(), start + Duration::days(14));
        clock.set(start);
        assert_eq!(clock.now(), start);
    }

    #[test]
    fn an_offset_clock_only_moves_forward() {
        let clock = OffsetClock::default();
        let before = clock.now();
        let moved = clock.catch_up(Duration::days(3));
        assert!(moved >= before + Duration::days(3));
        clock.catch_up(Duration::days(1));
        clock.catch_up(-Duration::days(10));
        assert!(clock.now() >= before + Duration::days(3));
    }
}
