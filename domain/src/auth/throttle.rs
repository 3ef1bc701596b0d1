//! How sign-in and account creation are slowed down (ASVS 6.1.1, 6.3.1; README "Sign-in").
//!
//! There is no hard lock that a stranger who knows an e-mail address could hold: failures
//! slow down the address they come from. Each pair of account and client address has a few
//! free failures; after that, every failure from that address makes it wait twice as long
//! as the last (1 s, 2 s, 4 s, … up to 15 minutes). Failures counted across all addresses add
//! the same growing wait to any address that fails for the account, so guessing from many
//! addresses slows down too. An address that has not failed for the account is never made to
//! wait, so the account's owner still signs in from their own. Counters are atomic (Redis
//! `INCR`, or one lock in process) and forget themselves after 15 minutes without failures.
use std::time::Duration;

use entities::users;
use sea_orm::ConnectionTrait;

use super::{ClientAddress, TenantUser};
use crate::error::{DomainError, DomainResult};
use crate::settings::Limits;
use crate::state::AppState;
use crate::store;

/// The longest wait.
pub const LONGEST_WAIT: Duration = Duration::from_secs(15 * 60);
/// Failures are forgotten this long after the first of a run.
const FAILURE_MEMORY: Duration = Duration::from_secs(15 * 60);

/// One sign-in attempt for `account` (a tenant's slug and an e-mail, or a platform
/// administrator's e-mail) from `from`.
pub struct SignInAttempt {
    account_failures: String,
    pair_failures: String,
    pair_wait: String,
}

impl SignInAttempt {
    /// Refuses at once when the address is over its overall limit or still has to wait after
    /// failing for this account.
    pub async fn begin(
        state: &AppState,
        account: &str,
        from: &ClientAddress,
    ) -> DomainResult<Self> {
        let address = from.0.as_deref().unwrap_or("unknown");
        per_address(
            state,
            "login",
            from,
            state.settings.limits.login_per_address,
            Duration::from_secs(state.settings.limits.login_window_secs),
        )
        .await?;
        let attempt = Self {
            account_failures: format!("login:failures:{account}"),
            pair_failures: format!("login:failures:{account}:{address}"),
            pair_wait: format!("login:wait:{account}:{address}"),
        };
        if let Some(retry_after_secs) = state.shared.marked_for(&attempt.pair_wait).await? {
            tracing::info!(retry_after_secs, "sign-in refused: the address must wait");
            return Err(DomainError::RateLimited { retry_after_secs });
        }
        Ok(attempt)
    }

    /// The attempt of a signed-in user who proves who they are again (a password change, a
    /// second factor): counted for their account like signing in, so that a stolen session
    /// guesses no faster. Returns their account as well.
    pub async fn of_signed_in(
        state: &AppState,
        db: &impl ConnectionTrait,
        user: &TenantUser,
        from: &ClientAddress,
    ) -> DomainResult<(users::Model, Self)> {
        let tenant = store::tenants::by_id(db, user.tenant_id)
            .await?
            .ok_or(DomainError::NotFound("tenant"))?;
        let account = store::users::get(db, user.tenant_id, user.user_id)
            .await?
            .ok_or(DomainError::NotFound("user"))?;
        let attempt =
            Self::begin(state, &tenant_account(&tenant.slug, &account.email), from).await?;
        Ok((account, attempt))
    }

    /// Counts the failure and sets this address's wait.
    pub async fn failed(&self, state: &AppState) -> DomainResult<()> {
        let (pair, _) = state
            .shared
            .hit(&self.pair_failures, FAILURE_MEMORY)
            .await?;
        let (account, _) = state
            .shared
            .hit(&self.account_failures, FAILURE_MEMORY)
            .await?;
        if let Some(wait) = wait_after(&state.settings.limits, pair, account) {
            state.shared.mark(&self.pair_wait, wait).await?;
        }
        Ok(())
    }

    /// The right password from this address: its own failures are forgotten (the account's
    /// count, which strangers may have run up, is not).
    pub async fn succeeded(&self, state: &AppState) -> DomainResult<()> {
        state
            .shared
            .forget(&[&self.pair_failures, &self.pair_wait])
            .await
    }
}

/// How the throttle names a tenant user's account.
pub fn tenant_account(slug: &str, email: &str) -> String {
    format!("{slug}:{email}")
}

/// The wait after a failure that is the `pair`-th from this address and the `account`-th
/// in all: none while both are within their free failures, then doubling.
pub fn wait_after(limits: &Limits, pair: u64, account: u64) -> Option<Duration> {
    let over = pair
        .saturating_sub(limits.login_free_failures_per_address)
        .max(account.saturating_sub(limits.login_free_failures_per_account));
    if over == 0 {
        return None;
    }
    let doubling = 1u64
        .checked_shl(u32::try_from(over - 1).unwrap_or(u32::MAX))
        .unwrap_or(u64::MAX);
    let secs = limits.login_first_wait_secs.saturating_mul(doubling);
    Some(Duration::from_secs(secs).min(LONGEST_WAIT))
}

/// Counts one more `action` from this address in `window`; refuses past `limit`.
pub async fn per_address(
    state: &AppState,
    action: &str,
    from: &ClientAddress,
    limit: u64,
    window: Duration,
) -> DomainResult<()> {
    let address = from.0.as_deref().unwrap_or("unknown");
    let (count, retry_after_secs) = state
        .shared
        .hit(&format!("{action}:address:{address}"), window)
        .await?;
    if count > limit {
        tracing::info!(action, limit, "rate limit reached");
        return Err(DomainError::RateLimited { retry_after_secs });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wait(pair: u64, account: u64) -> Option<Duration> {
        wait_after(&Limits::default(), pair, account)
    }

    #[test]
    fn a_few_failures_cost_nothing_then_each_doubles_the_wait() {
        assert_eq!(wait(1, 1), None);
        assert_eq!(wait(3, 3), None);
        assert_eq!(wait(4, 4), Some(Duration::from_secs(1)));
        assert_eq!(wait(5, 5), Some(Duration::from_secs(2)));
        assert_eq!(wait(8, 8), Some(Duration::from_secs(16)));
    }

    #[test]
    fn the_wait_is_capped_so_no_one_is_shut_out_for_good() {
        assert_eq!(wait(30, 30), Some(LONGEST_WAIT));
        assert_eq!(wait(u64::MAX, u64::MAX), Some(LONGEST_WAIT));
    }

    #[test]
    fn failures_from_many_addresses_make_each_failing_address_wait() {
        let free = Limits::default().login_free_failures_per_account;
        assert_eq!(wait(1, free), None);
        assert_eq!(wait(1, free + 3), Some(Duration::from_secs(4)));
    }
}
