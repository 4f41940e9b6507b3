//! The sandbox's own database (`warroom sandbox`): made, marked and, with `--fresh`, dropped and
//! made again, only when it is empty or was made by the sandbox. The statements name databases,
//! which cannot be bound parameters, so they are built at run time (quoted) and unchecked.

use super::options;
use crate::config::Secret;
use sqlx::{ConnectOptions, Connection, Executor, PgConnection};

/// The comment that marks a database as the sandbox's own.
pub const SANDBOX_MARK: &str = "warroom sandbox";

/// Why the sandbox's database cannot be prepared.
#[derive(Debug, thiserror::Error)]
pub enum PrepareError {
    #[error(
        "--fresh refuses to drop the database {0}: it holds tables and was not made by `warroom sandbox`"
    )]
    NotOurs(String),
    #[error("the sandbox's database URL names no database")]
    NoName,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Makes the database `url` names when missing and marks it; with `fresh`, drops it first — but
/// only when it is empty or carries the sandbox's mark.
pub async fn prepare_sandbox_database(url: &Secret, fresh: bool) -> Result<(), PrepareError> {
    let target = options(url)?;
    let name = target
        .get_database()
        .map(str::to_owned)
        .ok_or(PrepareError::NoName)?;
    let mut admin = target.clone().database("postgres").connect().await?;
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(&name)
            .fetch_one(&mut admin)
            .await?;
    if exists && fresh {
        let mark: Option<String> = sqlx::query_scalar(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1",
        )
        .bind(&name)
        .fetch_one(&mut admin)
        .await?;
        if mark.as_deref() != Some(SANDBOX_MARK) && !is_empty(target.clone()).await? {
            return Err(PrepareError::NotOurs(name));
        }
        let sql = format!("DROP DATABASE {} WITH (FORCE)", quoted(&name));
        admin.execute(sqlx::AssertSqlSafe(sql)).await?;
        tracing::info!(database = %name, "dropped the sandbox's database to start over");
    }
    if !exists || fresh {
        let sql = format!("CREATE DATABASE {}", quoted(&name));
        admin.execute(sqlx::AssertSqlSafe(sql)).await?;
        let sql = format!("COMMENT ON DATABASE {} IS '{SANDBOX_MARK}'", quoted(&name));
        admin.execute(sqlx::AssertSqlSafe(sql)).await?;
        tracing::info!(database = %name, "created the sandbox's database");
    }
    Ok(())
}

/// True when the database holds no table of its own.
async fn is_empty(target: sqlx::postgres::PgConnectOptions) -> Result<bool, sqlx::Error> {
    let mut conn = PgConnection::connect_with(&target).await?;
    let tables: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')",
    )
    .fetch_one(&mut conn)
    .await?;
    Ok(tables == 0)
}
