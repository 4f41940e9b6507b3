//! The `warroom` binary: a thin shim over the library.

use clap::{Parser, Subcommand};
use std::{process::ExitCode, sync::Arc};
use warroom::{
    app,
    cli::{
        report::ReportArgs,
        stats::StatsArgs,
        webhook::{WebhookArgs, WebhookCommand},
    },
    clock::{Clock, SystemClock},
    config::{Config, ReportConfig},
    store,
};

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
    /// Print the incident metrics of a period (the last 30 days unless told): MTTD, MTTA, MTTC
    /// and MTTR per severity against their targets, breach notifications, reviews and corrective
    /// actions. Needs only DATABASE_URL (and WARROOM_CONFIG for severities and targets).
    Stats(StatsArgs),
    /// Print one incident's post-incident report, as Markdown (the document /incident report
    /// uploads into its thread) or JSON. Needs only DATABASE_URL (and WARROOM_CONFIG).
    Report(ReportArgs),
    /// Check a configured webhook: `warroom webhook test NAME` sends it a signed ping and prints
    /// its answer. Needs only WARROOM_CONFIG and the webhook's secret variable.
    Webhook(WebhookArgs),
    /// Try warroom with no Slack workspace: the real bot, wired to a built-in Slack stand-in, in
    /// a page at one local URL. Needs only Postgres: its own database, `warroom_sandbox` on the
    /// server DATABASE_URL names.
    Sandbox(SandboxArgs),
}

#[derive(clap::Args)]
struct SandboxArgs {
    /// Where the page listens.
    #[arg(long, default_value = "127.0.0.1:3000")]
    listen: std::net::SocketAddr,
    /// Start over: drop and recreate the sandbox's database (refused unless it is empty or was
    /// made by the sandbox).
    #[arg(long)]
    fresh: bool,
    /// Speed up time: acknowledgement and update deadlines of 20 to 90 seconds, so a reminder and
    /// an escalation come within a minute.
    #[arg(long)]
    fast: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Logs go to standard error: standard output carries only what a command prints (the
    // sandbox's URL, a report, the stats).
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match &cli.command {
        Command::Stats(args) => return stats(args),
        Command::Report(args) => return report(args),
        Command::Sandbox(args) => return sandbox(args),
        Command::Webhook(args) => return webhook(args),
        Command::Serve | Command::Migrate => {}
    }
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
        // Handled before the Slack settings are read.
        Command::Stats(_) | Command::Report(_) | Command::Sandbox(_) | Command::Webhook(_) => {
            Ok(())
        }
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

/// `warroom sandbox`: reads only DATABASE_URL (for its server), prints the page's URL and runs
/// until Ctrl-C.
fn sandbox(args: &SandboxArgs) -> ExitCode {
    let options = warroom::sandbox::Options {
        listen: args.listen,
        database_url: warroom::sandbox::database_url(std::env::var("DATABASE_URL").ok().as_deref()),
        fresh: args.fresh,
        fast: args.fast,
    };
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let run = async {
        let sandbox = warroom::sandbox::Sandbox::start(options).await?;
        println!("{}", sandbox.url());
        shutdown_signal().await;
        sandbox.shut_down().await
    };
    match runtime.block_on(run) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("warroom: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// `warroom stats`: reads only the database settings and the config file, prints the report.
fn stats(args: &StatsArgs) -> ExitCode {
    let usage = |e: &dyn std::fmt::Display| {
        eprintln!("warroom: {e}");
        ExitCode::from(2)
    };
    let config = match ReportConfig::from_env() {
        Ok(config) => config,
        Err(e) => return usage(&e),
    };
    let range = match args.range() {
        Ok(range) => range,
        Err(e) => return usage(&e),
    };
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let now = SystemClock.now();
    match runtime.block_on(warroom::cli::stats::report(&config, range, now)) {
        Ok(report) => {
            print!("{}", warroom::cli::stats::render(&report, args.format));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("warroom: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// `warroom report`: reads only the database settings and the config file, prints the report.
fn report(args: &ReportArgs) -> ExitCode {
    let usage = |e: &dyn std::fmt::Display| {
        eprintln!("warroom: {e}");
        ExitCode::from(2)
    };
    let config = match ReportConfig::from_env() {
        Ok(config) => config,
        Err(e) => return usage(&e),
    };
    let id = match args.incident() {
        Ok(id) => id,
        Err(e) => return usage(&e),
    };
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    match runtime.block_on(warroom::cli::report::report(&config, &id)) {
        Ok(Some(report)) => {
            print!(
                "{}",
                warroom::cli::report::render(&report, args.format, &config)
            );
            ExitCode::SUCCESS
        }
        Ok(None) => {
            eprintln!("warroom: there is no incident {id}");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("warroom: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// `warroom webhook test NAME`: reads only the config file and the webhook's secret.
fn webhook(args: &WebhookArgs) -> ExitCode {
    let WebhookCommand::Test { name } = &args.command;
    let config = match ReportConfig::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("warroom: {e}");
            return ExitCode::from(2);
        }
    };
    let get = |name: &str| {
        std::env::var(name)
            .ok()
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let now = SystemClock.now();
    match runtime.block_on(warroom::cli::webhook::ping(&config.process, get, name, now)) {
        Ok(answer) => {
            println!("{answer}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("warroom: {e}");
            ExitCode::FAILURE
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
