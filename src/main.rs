//! The `warroom` binary: a thin shim over the library.

use clap::{Parser, Subcommand};
use std::{process::ExitCode, sync::Arc};
use warroom::{app, clock::SystemClock, config::Config, store};

/// Incident response in Slack, kept in Postgres.
#[derive(Parser)]
#[command(name = "warroom", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the bot: migrate the database, serve Slack's requests and deliver messages.
    Serve,
    /// Create the database if needed and run the migrations, then exit.
    Migrate,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("warroom: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    match runtime.block_on(run(cli.command, config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("warroom: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    let pool = store::connect_and_migrate(&config).await?;
    match command {
        Command::Migrate => {
            tracing::info!("migrations are up to date");
            Ok(())
        }
        Command::Serve => {
            let listener = tokio::net::TcpListener::bind(config.listen)
                .await
                .map_err(|e| {
                    anyhow::anyhow!("WARROOM_LISTEN: cannot listen on {}: {e}", config.listen)
                })?;
            let admin = match config.admin_listen {
                Some(at) => Some(tokio::net::TcpListener::bind(at).await.map_err(|e| {
                    anyhow::anyhow!("WARROOM_ADMIN_LISTEN: cannot listen on {at}: {e}")
                })?),
                None => None,
            };
            let state = app::AppState::new(config, pool, Arc::new(SystemClock));
            app::serve_with_admin(listener, admin, state, shutdown_signal()).await
        }
    }
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
    tracing::info!("shutting down");
}
