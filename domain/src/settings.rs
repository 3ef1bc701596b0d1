//! Every setting Concord reads: its environment variable, its default and why. Built once at
//! start-up and passed down; tests build their own.
use std::net::SocketAddr;
use std::path::PathBuf;

use secrecy::SecretString;

use crate::auth::password::PasswordHashing;
use crate::auth::second_factor::RequiredRoles;
use crate::error::StartupError;
use crate::policy::roles::Role;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

/// The shortest `CONCORD_JOB_POLL_MILLISECONDS` accepted.
pub const MIN_JOB_POLL_MILLISECONDS: u64 = 1000;

#[derive(Clone, Debug)]
pub struct Settings {
    /// `CONCORD_LISTEN` (default `127.0.0.1:8080`): where the API and the console are served.
    pub listen: SocketAddr,
    /// `CONCORD_PUBLIC_URL` (default `http://<CONCORD_LISTEN>/`): where people reach the
    /// console, as e-mails name it.
    pub public_url: String,
    /// `DATABASE_URL`: `postgres://…` in production. Unset: the embedded SQLite file
    /// `<CONCORD_DATA_DIR>/concord.sqlite`. The PostgreSQL role must not be a superuser nor
    /// `BYPASSRLS` (Concord refuses to start otherwise).
    pub database_url: Option<SecretString>,
    /// `DATABASE_POOL_SIZE` (default 10; the embedded SQLite default always 5): connections
    /// each API process keeps to PostgreSQL. A read-only request holds one for its whole
    /// query (`ReadScope`), so this bounds the requests a process serves at once.
    pub database_pool_size: u32,
    /// `REDIS_URL`: revocations and rate-limit counters shared by every API process.
    /// Unset: kept in this process (fine for one process, e.g. the embedded default).
    pub redis_url: Option<SecretString>,
    /// Prefix of every Redis key, so several installations (or tests) can share one Redis.
    /// `CONCORD_REDIS_PREFIX`, default `concord:`.
    pub redis_prefix: String,
    /// `CONCORD_DATA_DIR` (default `./data`): the SQLite file, generated signing keys and
    /// local file storage.
    pub data_dir: PathBuf,
    /// `CONCORD_ENV`: `production` turns off GraphiQL, introspection and suggestions.
    pub environment: Environment,
    /// `CONCORD_JWT_PRIVATE_KEY_FILE` / `CONCORD_JWT_PUBLIC_KEY_FILE`: Ed25519 keys in PEM.
    /// Unset: a key pair is generated into the data directory on first start.
    pub jwt_private_key_file: Option<PathBuf>,
    pub jwt_public_key_file: Option<PathBuf>,
    /// `CONCORD_JWT_ISSUER` (default `concord`) and `CONCORD_JWT_AUDIENCE` (default `concord-api`).
    pub jwt_issuer: String,
    pub jwt_audience: String,
    /// `CONCORD_SSN_KEY_FILE`: 32 random bytes, base64, encrypting Social Security numbers.
    /// Unset: generated into the data directory on first start.
    pub ssn_key_file: Option<PathBuf>,
    /// `CONCORD_CONSOLE_DIR` (default: the console built into the binary): a built console to
    /// serve at `/` instead.
    pub console_dir: Option<PathBuf>,
    /// `CONCORD_SIGNUP_REQUIRES_APPROVAL` (default `true` in production, `false` in
    /// development): new tenants wait for a platform administrator's approval before anyone
    /// can log in.
    pub signup_requires_approval: bool,
    /// `CONCORD_TRUSTED_PROXIES` (default `0`): how many proxies in front of Concord append
    /// to `X-Forwarded-For`. The client address (rate limits, audit) is the entry the
    /// outermost of them added; with `0` the header is ignored.
    pub trusted_proxies: usize,
    /// `CONCORD_METRICS_TOKEN`: `/metrics` answers only requests bearing it. Unset: open in
    /// development, not served in production.
    pub metrics_token: Option<SecretString>,
    /// `CONCORD_RUN_WORKER` (default `true`): run the job workers inside this process.
    pub run_worker: bool,
    /// `CONCORD_MIGRATE_ON_START` (default `true`): apply pending migrations at start-up.
    /// `false` where one migration step runs before the processes start (`concord migrate`,
    /// the Helm chart's hook Job): many replicas starting at once do not race to migrate,
    /// and a process refuses to start on a schema older than it.
    pub migrate_on_start: bool,
    /// `CONCORD_CLOCK` (default `system`): `manual` lets the platform administrator move the
    /// server's and the workers' time forward (`advanceClock`), for end-to-end and manual
    /// testing of deadlines. Refused in production.
    pub manual_clock: bool,
    /// `CONCORD_SWEEP_SECONDS` (default `60`): how often each tenant's due deadlines are swept
    /// for, so a deadline is acted on at most this long (plus `job_poll`) after it falls due.
    pub sweep_every: std::time::Duration,
    /// `CONCORD_JOB_POLL_MILLISECONDS` (default `5000`, at least `1000`): how often an idle
    /// worker looks for jobs.
    pub job_poll: std::time::Duration,
    /// `CONCORD_JOB_HEARTBEAT_SECONDS` (default `30`): how often a worker tells the others it
    /// is alive. A worker silent for three heartbeats is taken for dead (killed, its machine
    /// lost), and the jobs it held run again elsewhere.
    pub job_heartbeat: std::time::Duration,
    /// `CONCORD_WEBHOOKS_ALLOW_LOOPBACK` (default `false`; refused in production): webhook
    /// endpoints may be `http://` addresses on this machine (127.0.0.1, ::1, localhost), for
    /// trying an integration locally. Otherwise an endpoint is `https://` and never a
    /// loopback, private or link-local address.
    pub webhooks_allow_loopback: bool,
    /// `CONCORD_SECOND_FACTOR_ROLES` (default `DATA_CENTER,AGENCY_ADMIN`): the roles a new
    /// tenant requires a second factor of, comma-separated (`DATA_CENTER,AGENCY_ADMIN,USER`
    /// for everyone, as ASVS Level 2 asks; `NONE` for no one). Each tenant's Data Center can
    /// change its own later.
    pub second_factor_roles: RequiredRoles,
    /// Always `Standard` from the environment; only a test suite sets it in code.
    pub password_hashing: PasswordHashing,
    pub smtp: SmtpSettings,
    pub storage: StorageSettings,
    pub limits: Limits,
}

/// `CONCORD_SMTP_HOST`, `CONCORD_SMTP_PORT` (587), `CONCORD_SMTP_USERNAME`,
/// `CONCORD_SMTP_PASSWORD`, `CONCORD_SMTP_FROM`. Unset host: no e-mail is sent.
#[derive(Clone, Debug, Default)]
pub struct SmtpSettings {
    pub host: Option<String>,
    pub port: u16,
    pub username: Option<String>,
    pub password: Option<SecretString>,
    pub from: Option<String>,
}

/// `CONCORD_STORAGE_BACKEND` (`local` or `s3`, default `local`), `CONCORD_STORAGE_DIR`
/// (default `<data dir>/files`), `CONCORD_STORAGE_S3_BUCKET`, `CONCORD_STORAGE_S3_ENDPOINT`,
/// `CONCORD_STORAGE_S3_REGION`. S3 credentials: `CONCORD_STORAGE_S3_ACCESS_KEY_ID` and
/// `CONCORD_STORAGE_S3_SECRET_ACCESS_KEY` when set, else the standard `AWS_*` variables.
#[derive(Clone, Debug)]
pub struct StorageSettings {
    pub backend: String,
    pub dir: PathBuf,
    pub s3_bucket: Option<String>,
    pub s3_endpoint: Option<String>,
    pub s3_region: Option<String>,
    pub s3_access_key_id: Option<String>,
    pub s3_secret_access_key: Option<SecretString>,
    /// Largest file upload, bytes (`CONCORD_MAX_UPLOAD_BYTES`, 25 MiB).
    pub max_upload_bytes: u64,
}

/// Limits that protect the service; tests lower some of them.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Largest GraphQL request body, bytes (`CONCORD_MAX_BODY_BYTES`, 1 MiB).
    pub max_body_bytes: usize,
    /// Most operations in one batched request (`CONCORD_MAX_BATCH`, 10).
    pub max_batch: usize,
    /// GraphQL nesting (12).
    pub max_depth: usize,
    /// GraphQL complexity: a field costs 1, a page multiplies its fields by its size (5,000:
    /// the console's client profile at default pages costs 2,236, a page of 50 enrollments
    /// with their flags, provenance and access 1,751; `frontend/queries`, tested).
    pub max_complexity: usize,
    /// Login attempts per client address per window (`CONCORD_LOGIN_LIMIT_PER_ADDRESS`, 30 / 5 min).
    pub login_per_address: u64,
    pub login_window_secs: u64,
    /// Tenants signed up per client address per hour (`CONCORD_SIGNUP_LIMIT_PER_ADDRESS`, 5).
    pub signup_per_address: u64,
    /// Invitations accepted per client address per hour (`CONCORD_ACCEPT_LIMIT_PER_ADDRESS`, 20).
    pub accept_per_address: u64,
    /// Sign-in throttling (`auth::throttle`): failures an account and address pair may have
    /// before the address waits (3), failures an account may have from all addresses before
    /// every failing address waits (10), and the first wait (1 s), doubled at each failure.
    pub login_free_failures_per_address: u64,
    pub login_free_failures_per_account: u64,
    pub login_first_wait_secs: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_body_bytes: 1024 * 1024,
            max_batch: 10,
            max_depth: 12,
            max_complexity: 5000,
            login_per_address: 30,
            login_window_secs: 300,
            signup_per_address: 5,
            accept_per_address: 20,
            login_free_failures_per_address: 3,
            login_free_failures_per_account: 10,
            login_first_wait_secs: 1,
        }
    }
}

impl Settings {
    /// Settings for a data directory with every other value at its default.
    pub fn with_data_dir(data_dir: PathBuf) -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            public_url: "http://127.0.0.1:8080/".into(),
            database_url: None,
            database_pool_size: 10,
            redis_url: None,
            redis_prefix: "concord:".into(),
            storage: StorageSettings {
                backend: "local".into(),
                dir: data_dir.join("files"),
                s3_bucket: None,
                s3_endpoint: None,
                s3_region: None,
                s3_access_key_id: None,
                s3_secret_access_key: None,
                max_upload_bytes: 25 * 1024 * 1024,
            },
            data_dir,
            environment: Environment::Development,
            jwt_private_key_file: None,
            jwt_public_key_file: None,
            ssn_key_file: None,
            jwt_issuer: "concord".into(),
            jwt_audience: "concord-api".into(),
            console_dir: None,
            signup_requires_approval: false,
            trusted_proxies: 0,
            metrics_token: None,
            run_worker: true,
            migrate_on_start: true,
            manual_clock: false,
            sweep_every: std::time::Duration::from_secs(60),
            job_poll: std::time::Duration::from_secs(5),
            job_heartbeat: std::time::Duration::from_secs(30),
            webhooks_allow_loopback: false,
            second_factor_roles: RequiredRoles::default_roles(),
            password_hashing: PasswordHashing::Standard,
            smtp: SmtpSettings {
                port: 587,
                ..SmtpSettings::default()
            },
            limits: Limits::default(),
        }
    }

    pub fn from_env() -> Result<Self, StartupError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup` so tests can pass a map instead of the process
    /// environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, StartupError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let data_dir = PathBuf::from(get("CONCORD_DATA_DIR").unwrap_or_else(|| "./data".into()));
        let mut s = Self::with_data_dir(data_dir);
        if let Some(listen) = get("CONCORD_LISTEN") {
            s.listen = listen.parse().map_err(|_| {
                StartupError::Setting("CONCORD_LISTEN", format!("`{listen}` is not host:port"))
            })?;
        }
        s.public_url = match get("CONCORD_PUBLIC_URL") {
            Some(url) if url.starts_with("https://") || url.starts_with("http://") => url,
            Some(other) => {
                return Err(StartupError::Setting(
                    "CONCORD_PUBLIC_URL",
                    format!("`{other}` is not an http:// or https:// address"),
                ));
            }
            None => format!("http://{}/", s.listen),
        };
        s.database_url = get("DATABASE_URL").map(SecretString::from);
        if let Some(v) = get("DATABASE_POOL_SIZE") {
            s.database_pool_size = number(&v, "DATABASE_POOL_SIZE")?;
            if s.database_pool_size == 0 {
                return Err(StartupError::Setting(
                    "DATABASE_POOL_SIZE",
                    "a pool needs at least one connection".into(),
                ));
            }
        }
        s.redis_url = get("REDIS_URL").map(SecretString::from);
        if let Some(prefix) = get("CONCORD_REDIS_PREFIX") {
            s.redis_prefix = prefix;
        }
        s.environment = match get("CONCORD_ENV").as_deref() {
            None | Some("development") => Environment::Development,
            Some("production") => Environment::Production,
            Some(other) => {
                return Err(StartupError::Setting(
                    "CONCORD_ENV",
                    format!("`{other}` is neither `development` nor `production`"),
                ));
            }
        };
        s.jwt_private_key_file = get("CONCORD_JWT_PRIVATE_KEY_FILE").map(PathBuf::from);
        s.jwt_public_key_file = get("CONCORD_JWT_PUBLIC_KEY_FILE").map(PathBuf::from);
        if s.jwt_private_key_file.is_some() != s.jwt_public_key_file.is_some() {
            return Err(StartupError::Setting(
                "CONCORD_JWT_PRIVATE_KEY_FILE",
                "set both CONCORD_JWT_PRIVATE_KEY_FILE and CONCORD_JWT_PUBLIC_KEY_FILE, or neither"
                    .into(),
            ));
        }
        s.ssn_key_file = get("CONCORD_SSN_KEY_FILE").map(PathBuf::from);
        if s.is_production() {
            // Generated keys live in one process's data directory: on a second replica
            // access tokens would not verify and SSNs sealed by the first would not open.
            for (name, file) in [
                ("CONCORD_JWT_PRIVATE_KEY_FILE", &s.jwt_private_key_file),
                ("CONCORD_SSN_KEY_FILE", &s.ssn_key_file),
            ] {
                if file.is_none() {
                    return Err(StartupError::Setting(
                        name,
                        "production needs keys that every process shares: set \
                         CONCORD_JWT_PRIVATE_KEY_FILE, CONCORD_JWT_PUBLIC_KEY_FILE and \
                         CONCORD_SSN_KEY_FILE (README, Production)"
                            .into(),
                    ));
                }
            }
        }
        if let Some(v) = get("CONCORD_JWT_ISSUER") {
            s.jwt_issuer = v;
        }
        if let Some(v) = get("CONCORD_JWT_AUDIENCE") {
            s.jwt_audience = v;
        }
        if let Some(v) = get("CONCORD_CONSOLE_DIR") {
            s.console_dir = Some(PathBuf::from(v));
        }
        s.signup_requires_approval =
            flag(&get, "CONCORD_SIGNUP_REQUIRES_APPROVAL", s.is_production())?;
        if get("CONCORD_TRUST_FORWARDED_FOR").is_some() {
            // It took the left-most address, which the client writes itself.
            return Err(StartupError::Setting(
                "CONCORD_TRUST_FORWARDED_FOR",
                "replaced by CONCORD_TRUSTED_PROXIES: the number of proxies in front of Concord \
                 that append to X-Forwarded-For"
                    .into(),
            ));
        }
        s.metrics_token = get("CONCORD_METRICS_TOKEN").map(SecretString::from);
        if let Some(v) = get("CONCORD_TRUSTED_PROXIES") {
            s.trusted_proxies = number(&v, "CONCORD_TRUSTED_PROXIES")?;
        }
        s.run_worker = flag(&get, "CONCORD_RUN_WORKER", true)?;
        s.migrate_on_start = flag(&get, "CONCORD_MIGRATE_ON_START", true)?;
        s.manual_clock = match get("CONCORD_CLOCK").as_deref() {
            None | Some("system") => false,
            Some("manual") if s.is_production() => {
                return Err(StartupError::Setting(
                    "CONCORD_CLOCK",
                    "a manual clock is for testing; production runs on the system clock".into(),
                ));
            }
            Some("manual") => true,
            Some(other) => {
                return Err(StartupError::Setting(
                    "CONCORD_CLOCK",
                    format!("`{other}` is not `system` or `manual`"),
                ));
            }
        };
        if let Some(v) = get("CONCORD_SWEEP_SECONDS") {
            let seconds: u64 = number(&v, "CONCORD_SWEEP_SECONDS")?;
            s.sweep_every = std::time::Duration::from_secs(seconds.max(1));
        }
        if let Some(v) = get("CONCORD_JOB_POLL_MILLISECONDS") {
            let millis: u64 = number(&v, "CONCORD_JOB_POLL_MILLISECONDS")?;
            if millis < MIN_JOB_POLL_MILLISECONDS {
                // apalis 1.0's interval polling was seen to stop fetching for good at 200 ms
                // (jobs left pending while the worker ran); at a second and more it held.
                return Err(StartupError::Setting(
                    "CONCORD_JOB_POLL_MILLISECONDS",
                    format!("poll at most once a second ({MIN_JOB_POLL_MILLISECONDS} or more)"),
                ));
            }
            s.job_poll = std::time::Duration::from_millis(millis);
        }
        if let Some(v) = get("CONCORD_JOB_HEARTBEAT_SECONDS") {
            let seconds: u64 = number(&v, "CONCORD_JOB_HEARTBEAT_SECONDS")?;
            s.job_heartbeat = std::time::Duration::from_secs(seconds.max(1));
        }
        s.webhooks_allow_loopback = flag(&get, "CONCORD_WEBHOOKS_ALLOW_LOOPBACK", false)?;
        if s.webhooks_allow_loopback && s.is_production() {
            return Err(StartupError::Setting(
                "CONCORD_WEBHOOKS_ALLOW_LOOPBACK",
                "webhooks to this machine are for trying an integration; production sends to \
                 https:// endpoints only"
                    .into(),
            ));
        }
        if let Some(raw) = get("CONCORD_SECOND_FACTOR_ROLES") {
            s.second_factor_roles = second_factor_roles(&raw)?;
        }
        s.smtp.host = get("CONCORD_SMTP_HOST");
        if let Some(port) = get("CONCORD_SMTP_PORT") {
            s.smtp.port = number(&port, "CONCORD_SMTP_PORT")?;
        }
        s.smtp.username = get("CONCORD_SMTP_USERNAME");
        s.smtp.password = get("CONCORD_SMTP_PASSWORD").map(SecretString::from);
        s.smtp.from = get("CONCORD_SMTP_FROM");
        if let Some(backend) = get("CONCORD_STORAGE_BACKEND") {
            if backend != "local" && backend != "s3" {
                return Err(StartupError::Setting(
                    "CONCORD_STORAGE_BACKEND",
                    format!("`{backend}` is neither `local` nor `s3`"),
                ));
            }
            s.storage.backend = backend;
        }
        if let Some(dir) = get("CONCORD_STORAGE_DIR") {
            s.storage.dir = PathBuf::from(dir);
        }
        s.storage.s3_bucket = get("CONCORD_STORAGE_S3_BUCKET");
        s.storage.s3_endpoint = get("CONCORD_STORAGE_S3_ENDPOINT");
        s.storage.s3_region = get("CONCORD_STORAGE_S3_REGION");
        s.storage.s3_access_key_id = get("CONCORD_STORAGE_S3_ACCESS_KEY_ID");
        s.storage.s3_secret_access_key =
            get("CONCORD_STORAGE_S3_SECRET_ACCESS_KEY").map(SecretString::from);
        if s.storage.backend == "s3" && s.storage.s3_bucket.is_none() {
            return Err(StartupError::Setting(
                "CONCORD_STORAGE_S3_BUCKET",
                "set the bucket when CONCORD_STORAGE_BACKEND is s3".into(),
            ));
        }
        if let Some(v) = get("CONCORD_MAX_UPLOAD_BYTES") {
            s.storage.max_upload_bytes = number(&v, "CONCORD_MAX_UPLOAD_BYTES")?;
        }
        if let Some(v) = get("CONCORD_MAX_BODY_BYTES") {
            s.limits.max_body_bytes = number(&v, "CONCORD_MAX_BODY_BYTES")?;
        }
        if let Some(v) = get("CONCORD_MAX_BATCH") {
            s.limits.max_batch = number(&v, "CONCORD_MAX_BATCH")?;
        }
        if get("CONCORD_LOGIN_LIMIT_PER_ACCOUNT").is_some() {
            // A hard per-account limit let anyone who knows an e-mail address hold the
            // account shut; failures now slow down the failing address (README, sign-in).
            return Err(StartupError::Setting(
                "CONCORD_LOGIN_LIMIT_PER_ACCOUNT",
                "no longer used: failed sign-ins slow down the address they come from (README)"
                    .into(),
            ));
        }
        if let Some(v) = get("CONCORD_SIGNUP_LIMIT_PER_ADDRESS") {
            s.limits.signup_per_address = number(&v, "CONCORD_SIGNUP_LIMIT_PER_ADDRESS")?;
        }
        if let Some(v) = get("CONCORD_ACCEPT_LIMIT_PER_ADDRESS") {
            s.limits.accept_per_address = number(&v, "CONCORD_ACCEPT_LIMIT_PER_ADDRESS")?;
        }
        if let Some(v) = get("CONCORD_LOGIN_LIMIT_PER_ADDRESS") {
            s.limits.login_per_address = number(&v, "CONCORD_LOGIN_LIMIT_PER_ADDRESS")?;
        }
        Ok(s)
    }

    pub fn is_production(&self) -> bool {
        self.environment == Environment::Production
    }
}

fn second_factor_roles(raw: &str) -> Result<RequiredRoles, StartupError> {
    const NAME: &str = "CONCORD_SECOND_FACTOR_ROLES";
    if raw.trim().eq_ignore_ascii_case("none") {
        return Ok(RequiredRoles::of([]));
    }
    let roles = raw
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(|name| {
            Role::parse(&name.to_ascii_uppercase()).ok_or_else(|| {
                StartupError::Setting(
                    NAME,
                    format!("`{name}` is not DATA_CENTER, AGENCY_ADMIN, USER or NONE"),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if roles.is_empty() {
        return Err(StartupError::Setting(
            NAME,
            "name the roles, or NONE for no one".into(),
        ));
    }
    Ok(RequiredRoles::of(roles))
}

fn flag(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: bool,
) -> Result<bool, StartupError> {
    match get(name).as_deref() {
        None => Ok(default),
        Some("1" | "true" | "yes") => Ok(true),
        Some("0" | "false" | "no") => Ok(false),
        Some(other) => Err(StartupError::Setting(
            name,
            format!("`{other}` is not true or false"),
        )),
    }
}

fn number<T: std::str::FromStr>(value: &str, name: &'static str) -> Result<T, StartupError> {
    value
        .parse()
        .map_err(|_| StartupError::Setting(name, format!("`{value}` is not a number")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(pairs: &[(&str, &str)]) -> Result<Settings, StartupError> {
        Settings::from_lookup(|name| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        })
    }

    /// Production with its shared keys, as every production process must have them.
    const PRODUCTION: [(&str, &str); 4] = [
        ("CONCORD_ENV", "production"),
        ("CONCORD_JWT_PRIVATE_KEY_FILE", "/keys/jwt-private.pem"),
        ("CONCORD_JWT_PUBLIC_KEY_FILE", "/keys/jwt-public.pem"),
        ("CONCORD_SSN_KEY_FILE", "/keys/ssn.key"),
    ];

    #[test]
    fn production_makes_new_tenants_wait_for_approval_unless_turned_off() {
        let production = settings(&PRODUCTION).map(|s| s.signup_requires_approval);
        assert!(matches!(production, Ok(true)));
        let development = settings(&[]).map(|s| s.signup_requires_approval);
        assert!(matches!(development, Ok(false)));
        let off = settings(
            &[
                PRODUCTION.as_slice(),
                &[("CONCORD_SIGNUP_REQUIRES_APPROVAL", "false")],
            ]
            .concat(),
        )
        .map(|s| s.signup_requires_approval);
        assert!(matches!(off, Ok(false)));
    }

    #[test]
    fn a_job_poll_under_a_second_is_refused() {
        let poll = |v: &str| {
            settings(&[("CONCORD_JOB_POLL_MILLISECONDS", v)]).map(|s| s.job_poll.as_millis())
        };
        assert!(matches!(
            poll("200"),
            Err(StartupError::Setting("CONCORD_JOB_POLL_MILLISECONDS", _))
        ));
        assert_eq!(poll("1000").ok(), Some(1000));
    }

    #[test]
    fn a_manual_clock_is_refused_in_production() {
        let manual = settings(&[("CONCORD_CLOCK", "manual")]).map(|s| s.manual_clock);
        assert!(matches!(manual, Ok(true)));
        let refused =
            settings(&[PRODUCTION.as_slice(), &[("CONCORD_CLOCK", "manual")]].concat()).err();
        assert!(refused.is_some_and(|e| e.to_string().contains("CONCORD_CLOCK")));
        assert!(settings(&[("CONCORD_CLOCK", "sundial")]).is_err());
    }

    #[test]
    fn the_spoofable_forwarded_for_switch_is_refused_with_its_replacement() {
        let refused = settings(&[("CONCORD_TRUST_FORWARDED_FOR", "true")]).err();
        assert!(
            refused.is_some_and(|e| e.to_string().contains("CONCORD_TRUSTED_PROXIES")),
            "an old switch must not be ignored silently"
        );
        let proxies = settings(&[("CONCORD_TRUSTED_PROXIES", "2")]).map(|s| s.trusted_proxies);
        assert!(matches!(proxies, Ok(2)));
    }

    #[test]
    fn production_refuses_to_start_on_keys_generated_per_process() {
        for missing in ["CONCORD_JWT_PRIVATE_KEY_FILE", "CONCORD_SSN_KEY_FILE"] {
            let without: Vec<(&str, &str)> = PRODUCTION
                .iter()
                .copied()
                .filter(|(name, _)| {
                    *name != missing
                        && !(missing.starts_with("CONCORD_JWT") && name.starts_with("CONCORD_JWT"))
                })
                .collect();
            let refused = settings(&without).err();
            assert!(
                matches!(refused, Some(StartupError::Setting(name, _)) if name == missing),
                "production without {missing} must not start"
            );
        }
        assert!(settings(&PRODUCTION).is_ok());
        assert!(settings(&[]).is_ok_and(|s| s.ssn_key_file.is_none()));
    }

    #[test]
    fn migrating_at_start_up_can_be_left_to_a_migration_step() {
        assert!(settings(&[]).is_ok_and(|s| s.migrate_on_start));
        let off = settings(&[("CONCORD_MIGRATE_ON_START", "false")]);
        assert!(off.is_ok_and(|s| !s.migrate_on_start));
        assert!(settings(&[("CONCORD_MIGRATE_ON_START", "later")]).is_err());
    }
}
