//! Postgres: the only module with SQL. Connecting (and creating the database when it is missing),
//! migrations, and small functions named for what they do (`insert_*`, `find_*`, `claim_*`,
//! `mark_*`).

pub mod actions;
pub mod cards;
pub mod deadline;
pub mod declarations;
pub mod homes;
pub mod incidents;
pub mod outbox;
pub mod paging;
pub mod reminders;
pub mod report;
pub mod requests;
pub mod retention;
pub mod sandbox;
pub mod sessions;
pub mod stats;
pub mod statuspage;
pub mod summaries;
pub mod timeline;

pub use deadline::Deadline;

use crate::config::{Config, Secret};
use sqlx::{
    ConnectOptions, Executor, PgPool,
    postgres::{PgConnectOptions, PgListener, PgPoolOptions},
};
use std::{str::FromStr, time::Duration};

/// The migrations, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// A database failure as the rest of warroom sees it.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Postgres is down, hung or the pool is exhausted: the deadline ran out.
    #[error("the database did not answer in time")]
    Unavailable,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl StoreError {
    /// Whether this is the database being unreachable rather than a query going wrong.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Unavailable => true,
            // 57014 query_canceled: Postgres cut the statement off at the request deadline.
            StoreError::Database(sqlx::Error::Database(e)) => e.code().as_deref() == Some("57014"),
            StoreError::Database(e) => matches!(
                e,
                sqlx::Error::PoolTimedOut
                    | sqlx::Error::Io(_)
                    | sqlx::Error::PoolClosed
                    | sqlx::Error::WorkerCrashed
                    | sqlx::Error::Tls(_)
            ),
        }
    }
}

fn options(url: &Secret) -> Result<PgConnectOptions, sqlx::Error> {
    Ok(PgConnectOptions::from_str(url.expose())?
        .application_name("warroom")
        // Statements never legitimately run long; a stuck one must not pin a connection. The
        // request pool cuts this to the request deadline (see `connect`).
        .options([
            ("statement_timeout", BACKGROUND_STATEMENT_TIMEOUT),
            ("idle_in_transaction_session_timeout", "10s"),
        ])
        .log_statements(tracing::log::LevelFilter::Trace)
        .log_slow_statements(tracing::log::LevelFilter::Warn, Duration::from_millis(500)))
}

/// Creates the database named in the URL if it does not exist yet (several replicas may race to
/// do so; losing the race is fine).
pub async fn create_database_if_missing(url: &Secret) -> Result<(), sqlx::Error> {
    let target = options(url)?;
    let Some(name) = target.get_database().map(str::to_owned) else {
        return Ok(());
    };
    let mut admin = target.clone().database("postgres").connect().await?;
    let exists = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS "exists!""#,
        &name,
    )
    .fetch_one(&mut admin)
    .await?;
    if !exists {
        // A database name is an identifier, which cannot be a bound parameter: this statement and
        // the grants below are built at run time (quoted) and so are the only unchecked SQL here.
        let sql = format!("CREATE DATABASE \"{}\"", name.replace('"', "\"\""));
        match admin.execute(sqlx::AssertSqlSafe(sql)).await {
            Ok(_) => tracing::info!(database = %name, "created the database"),
            // 42P04 duplicate_database, 23505 unique_violation: another replica won the race.
            Err(sqlx::Error::Database(e))
                if matches!(e.code().as_deref(), Some("42P04" | "23505")) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// How long a statement of the background workers may run before Postgres cancels it.
pub const BACKGROUND_STATEMENT_TIMEOUT: &str = "5s";

/// Connects the pool Slack's requests use. Acquiring a connection waits at most one second:
/// sqlx's default of thirty would outlive every Slack deadline. Postgres cancels a statement
/// that outlives the request deadline, so work the request gave up on does not go on holding
/// its locks. A quarter of the connections are opened before the replica is ready and kept
/// open, so the first requests after a start do not wait for connections to be made.
pub async fn connect(config: &Config) -> Result<PgPool, sqlx::Error> {
    let deadline = format!("{}ms", config.process.request_deadline.as_millis().max(1));
    let max = config.process.db_max_connections;
    PgPoolOptions::new()
        .max_connections(max)
        .min_connections((max / 4).max(1))
        .acquire_timeout(Duration::from_secs(1))
        .idle_timeout(Duration::from_secs(300))
        .connect_with(options(&config.database_url)?.options([("statement_timeout", deadline)]))
        .await
}

/// The background workers' pool, beside the request pool `pool` and on the same database: its
/// own connections, so a burst of requests never starves deliveries (nor the reverse), with the
/// workers' statement timeout.
///
/// Its connections plan every statement for the table as it is now. Every statement of the
/// workers looks rows up by key, in tables (the outbox, reminders) that start empty and grow by
/// thousands of rows a minute in a burst. A connection keeps its prepared statements, and
/// Postgres may otherwise settle on one generic plan for each after a few runs: planned on a
/// near-empty table, where reading it all is cheapest, that plan would go on reading every
/// delivered row on every claim and every recorded delivery (on a server whose statistics lag,
/// as with autovacuum off or behind). Measured at 300 declares/s, planning each time costs far
/// less than those reads did (a recorded delivery: 0.12 ms against 1.2 ms).
pub fn worker_pool(pool: &PgPool, max_connections: u32) -> PgPool {
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(5))
        .idle_timeout(Duration::from_secs(300))
        .connect_lazy_with(pool.connect_options().as_ref().clone().options([
            ("statement_timeout", BACKGROUND_STATEMENT_TIMEOUT),
            ("plan_cache_mode", "force_custom_plan"),
        ]))
}

/// Runs the migrations over a connection of their own, without the request deadline (a
/// migration may take longer than a request may).
async fn migrate(url: &Secret) -> anyhow::Result<()> {
    use anyhow::Context;
    let own = PgPoolOptions::new()
        .max_connections(1)
        .connect_with(options(url)?)
        .await
        .context("cannot connect to migrate the database")?;
    MIGRATOR
        .run(&own)
        .await
        .context("database migrations failed")?;
    own.close().await;
    Ok(())
}

/// Creates the database if needed, runs the migrations and connects. With a separate migration
/// role (`WARROOM_MIGRATE_DATABASE_URL`), that role creates and migrates the database and grants
/// the runtime role (`DATABASE_URL`) only what warroom needs at run time: no DDL, and no UPDATE or
/// DELETE on the timeline.
pub async fn connect_and_migrate(config: &Config) -> anyhow::Result<PgPool> {
    use anyhow::Context;
    match &config.migrate_database_url {
        Some(owner_url) => {
            create_database_if_missing(owner_url)
                .await
                .context("cannot create or reach the database (WARROOM_MIGRATE_DATABASE_URL)")?;
            let owner = PgPoolOptions::new()
                .max_connections(1)
                .connect_with(options(owner_url)?)
                .await
                .context("cannot connect as the migration role (WARROOM_MIGRATE_DATABASE_URL)")?;
            MIGRATOR
                .run(&owner)
                .await
                .context("database migrations failed")?;
            let runtime = options(&config.database_url)?.get_username().to_owned();
            grant_runtime_role(&owner, &runtime)
                .await
                .context("cannot grant the runtime role its privileges")?;
            owner.close().await;
        }
        None => {
            create_database_if_missing(&config.database_url)
                .await
                .context("cannot create or reach the database (DATABASE_URL)")?;
        }
    }
    let pool = connect(config)
        .await
        .context("cannot connect to the database (DATABASE_URL)")?;
    if config.migrate_database_url.is_none() {
        migrate(&config.database_url).await?;
    }
    match find_timeline_exposure(&pool).await {
        Ok(Some(why)) => tracing::warn!(
            "the timeline's append-only trigger refuses every UPDATE and DELETE, but warroom's \
             runtime role {why}, so it could switch the trigger off: run warroom with \
             WARROOM_MIGRATE_DATABASE_URL and a DATABASE_URL role that owns nothing"
        ),
        Ok(None) => {}
        Err(e) => tracing::warn!(error = %e, "could not check who may rewrite the timeline"),
    }
    Ok(pool)
}

/// Connects for the command line's reports (`warroom stats`): one connection, a statement
/// timeout suited to reading years of incidents, and neither a database created nor a migration
/// run — a report reads, and an operator may point it at a replica. A database that lacks any of
/// this version's migrations is refused with what to do, rather than failing on a missing column.
pub async fn connect_for_reports(url: &Secret) -> anyhow::Result<PgPool> {
    use anyhow::Context;
    use sqlx::migrate::Migrate;
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options(url)?.options([("statement_timeout", "60s")]))
        .await
        .context("cannot connect to the database (DATABASE_URL)")?;
    let mut conn = pool.acquire().await?;
    let applied = conn
        .list_applied_migrations(&MIGRATOR.table_name)
        .await
        .context(
            "DATABASE_URL: no warroom migrations found; run `warroom migrate` against it first",
        )?;
    let missing = MIGRATOR
        .iter()
        .filter(|m| !m.migration_type.is_down_migration())
        .filter(|m| !applied.iter().any(|a| a.version == m.version))
        .count();
    if missing > 0 {
        anyhow::bail!(
            "DATABASE_URL: the database lacks {missing} of this version's migrations; run `warroom migrate` first"
        );
    }
    drop(conn);
    Ok(pool)
}

/// Why the role `pool` connects as could disable the timeline's append-only trigger (a
/// superuser or the table's owner can), if it could.
pub async fn find_timeline_exposure(pool: &PgPool) -> Result<Option<&'static str>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT r.rolsuper AS "superuser!", (c.relowner = r.oid) AS "owner!"
           FROM pg_roles r, pg_class c
           WHERE r.rolname = current_user AND c.oid = 'timeline_entries'::regclass"#
    )
    .fetch_one(pool)
    .await?;
    Ok(if row.superuser {
        Some("is a superuser")
    } else if row.owner {
        Some("owns the timeline table")
    } else {
        None
    })
}

/// What the runtime role may do: read and write current state, append to the timeline.
async fn grant_runtime_role(owner: &PgPool, role: &str) -> Result<(), sqlx::Error> {
    let role = format!("\"{}\"", role.replace('"', "\"\""));
    let statements = [
        format!("GRANT USAGE ON SCHEMA public TO {role}"),
        format!(
            "GRANT SELECT, INSERT, UPDATE, DELETE ON app_homes, incident_day_counters, incidents, incident_actions, incident_summaries, outbox, reminders, slack_pacing, slack_requests, web_sessions, web_sign_ins TO {role}"
        ),
        format!("GRANT SELECT, INSERT ON timeline_entries TO {role}"),
        format!("REVOKE UPDATE, DELETE, TRUNCATE ON timeline_entries FROM {role}"),
        format!("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}"),
        format!("REVOKE CREATE ON SCHEMA public FROM {role}"),
    ];
    for sql in statements {
        owner.execute(sqlx::AssertSqlSafe(sql)).await?;
    }
    Ok(())
}

/// Listens on `channel` over a connection of its own, made with `pool`'s settings but outside
/// it: a listener holds its connection for life, and must never take one the pool's users need.
pub async fn listen(pool: &PgPool, channel: &str) -> Result<PgListener, sqlx::Error> {
    let own = PgPoolOptions::new()
        .max_connections(1)
        .idle_timeout(None)
        .max_lifetime(None)
        .connect_lazy_with((*pool.connect_options()).clone());
    let mut listener = PgListener::connect_with(&own).await?;
    listener.listen(channel).await?;
    Ok(listener)
}
