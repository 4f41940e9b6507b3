//! `warroom sandbox`: the real bot, wired to a built-in Slack stand-in, for trying warroom with
//! no Slack workspace.
//!
//! ```text
//!  browser ──page API──▶ sandbox::page ──signed HTTP──▶ warroom (app::serve, loopback port)
//!     ▲  poll /_sandbox/state                                  │ Web API calls
//!     └──────────────── sandbox::world (in memory) ◀── sandbox::api
//! ```
//! One address serves the page, its API and the stand-in's Web API; warroom itself listens on a
//! loopback port of its own and is reached only through signed requests, exactly as from Slack.
//! The stand-in is an edge: it calls `app`, `config` and `store`, and only `main` calls it.

use crate::{
    app,
    clock::SystemClock,
    config::{Config, Secret},
    slack::verify::Verifier,
    store,
};
use anyhow::Context as _;
use std::{
    net::SocketAddr,
    sync::{Arc, Mutex, MutexGuard},
};
use tokio::{net::TcpListener, task::JoinHandle};
use tokio_util::sync::CancellationToken;

/// The stand-in's Web API methods.
mod api;
/// Clicks on messages, message shortcuts, dismissing ephemeral messages.
mod clicks;
/// Block Kit elements reported back: clicks, and modal submissions with their answers.
mod forms;
/// Channel history and thread replies.
mod history;
/// `response_url` answers, file uploads, and uploaded files for the page.
mod inbox;
/// Sign in with Slack's OpenID Connect endpoints, for the web view.
mod openid;
/// The page and its JSON API: what a person does, and what they see.
mod page;
/// Every other path, passed on to warroom (its operator routes and the web view).
mod proxy;
/// Requests to warroom, signed as Slack signs them, built from what the page does.
mod relay;
/// What every page request needs: a JSON body, a known person and channel, or a 400.
mod request;
/// The Web API's wire: parameters in, error answers out.
mod wire;
/// The workspace in memory: people, channels, messages, modals, files.
mod world;

/// The sandbox's database name on the server `DATABASE_URL` names.
pub const DATABASE_NAME: &str = "warroom_sandbox";

/// The client id the web view signs in with, as Slack's look.
const OPENID_CLIENT_ID: &str = "1111111111.2222222222";

/// How to run the sandbox.
#[derive(Debug, Clone)]
pub struct Options {
    /// Where the page (and the stand-in) listen.
    pub listen: SocketAddr,
    /// The sandbox's own database (see [`database_url`]).
    pub database_url: String,
    /// Drop and recreate the database first (refused unless it is empty or the sandbox's).
    pub fresh: bool,
    /// Short reminder and escalation cadences, so they come within a minute.
    pub fast: bool,
}

/// The sandbox's database URL: the server (and credentials) of `server` — `DATABASE_URL`, or
/// warroom's default — with the database [`DATABASE_NAME`].
pub fn database_url(server: Option<&str>) -> String {
    let server = server.unwrap_or(crate::config::DEFAULT_DATABASE_URL);
    let (base, query) = match server.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (server, None),
    };
    let authority_end = base
        .find("://")
        .map(|i| i + 3)
        .and_then(|start| base[start..].find('/').map(|i| start + i))
        .unwrap_or(base.len());
    let url = format!("{}/{DATABASE_NAME}", &base[..authority_end]);
    match query {
        Some(query) => format!("{url}?{query}"),
        None => url,
    }
}

/// What the page's handlers share: the workspace, and how to reach warroom.
pub(crate) struct Context {
    world: Mutex<world::World>,
    /// The sandbox's own base URL, e.g. `http://127.0.0.1:3000`.
    base: String,
    /// Where warroom listens, e.g. `http://127.0.0.1:41234`.
    warroom: String,
    bot_token: Secret,
    verifier: Verifier,
    http: reqwest::Client,
    /// The OpenID provider the web view signs in through.
    openid: openid::Provider,
}

type Shared = Arc<Context>;

impl Context {
    fn lock(&self) -> MutexGuard<'_, world::World> {
        self.world.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A running sandbox.
pub struct Sandbox {
    url: String,
    addr: SocketAddr,
    /// Cancelled by [`Sandbox::shut_down`]; the page's server and warroom both watch it.
    stop: CancellationToken,
    page: JoinHandle<()>,
    bot: JoinHandle<anyhow::Result<()>>,
}

impl Sandbox {
    /// Prepares the database, starts the stand-in and the real bot, and returns once both serve.
    pub async fn start(options: Options) -> anyhow::Result<Sandbox> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let database = Secret::new(options.database_url.clone());
        store::sandbox::prepare_sandbox_database(&database, options.fresh).await?;
        let listener = TcpListener::bind(options.listen)
            .await
            .with_context(|| format!("--listen: cannot listen on {}", options.listen))?;
        let addr = listener.local_addr()?;
        if !addr.ip().is_loopback() {
            tracing::warn!(listen = %addr, "the sandbox's page lets anyone who reaches it act as any sandbox person");
        }
        let bot_listener = TcpListener::bind("127.0.0.1:0").await?;
        let bot_addr = bot_listener.local_addr()?;
        let base = format!("http://{addr}");
        let signing_secret = Secret::new(random_secret());
        let bot_token = Secret::new(format!("xoxb-sandbox-{}", random_secret()));
        let openid =
            openid::Provider::generate(OPENID_CLIENT_ID.to_owned(), Secret::new(random_secret()))
                .await?;
        let config = config(
            &options,
            &base,
            bot_addr,
            &signing_secret,
            &bot_token,
            &openid,
        )?;
        let context = Arc::new(Context {
            world: Mutex::new(world::World::new()),
            base: base.clone(),
            warroom: format!("http://{bot_addr}"),
            bot_token,
            verifier: Verifier::new(signing_secret),
            // Redirects are passed on to the browser, not followed.
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()?,
            openid,
        });
        let stop = CancellationToken::new();
        let router = page::router(context);
        let page_stop = stop.clone();
        // Serves the page until `stop` is cancelled.
        let page = tokio::spawn(async move {
            let served = axum::serve(listener, router)
                .with_graceful_shutdown(page_stop.cancelled_owned())
                .await;
            if let Err(e) = served {
                tracing::error!(error = %e, "the sandbox's page stopped");
            }
        });
        let pool = match store::connect_and_migrate(&config).await {
            Ok(pool) => pool,
            Err(e) => {
                stop.cancel();
                return Err(e);
            }
        };
        let state = app::AppState::new(config, pool, Arc::new(SystemClock));
        let bot_stop = stop.clone();
        // The real bot, until `stop` is cancelled.
        let bot = tokio::spawn(app::serve(bot_listener, state, bot_stop.cancelled_owned()));
        Ok(Sandbox {
            url: format!("{base}/"),
            addr,
            stop,
            page,
            bot,
        })
    }

    /// The one URL a person opens, e.g. `http://127.0.0.1:3000/`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The address the page listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops the page and the bot, and waits for both.
    pub async fn shut_down(self) -> anyhow::Result<()> {
        self.stop.cancel();
        let _ = self.page.await;
        self.bot.await?
    }
}

/// 32 random bytes as hex.
fn random_secret() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

/// The bot's configuration: the settings `serve` reads from the environment, made here, and the
/// sandbox's config file.
fn config(
    options: &Options,
    base: &str,
    bot_addr: SocketAddr,
    signing_secret: &Secret,
    bot_token: &Secret,
    openid: &openid::Provider,
) -> anyhow::Result<Config> {
    let mut toml = include_str!("sandbox.toml").to_owned();
    if options.fast {
        toml.push_str(include_str!("fast.toml"));
    }
    let path = std::env::temp_dir().join(format!(
        "warroom-sandbox-{}-{:08x}.toml",
        std::process::id(),
        rand::random::<u32>()
    ));
    std::fs::write(&path, toml).context("cannot write the sandbox's config file")?;
    let env = [
        ("DATABASE_URL", options.database_url.clone()),
        ("SLACK_BOT_TOKEN", bot_token.expose().to_owned()),
        ("SLACK_SIGNING_SECRET", signing_secret.expose().to_owned()),
        ("SLACK_API_URL", format!("{base}/_sandbox/api")),
        ("WARROOM_INCIDENT_CHANNEL", world::INCIDENTS.to_owned()),
        ("WARROOM_LISTEN", bot_addr.to_string()),
        ("WARROOM_CONFIG", path.display().to_string()),
        // The web view's settings: it signs in through the stand-in's OpenID endpoints.
        ("SLACK_CLIENT_ID", openid.client_id.clone()),
        (
            "SLACK_CLIENT_SECRET",
            openid.client_secret.expose().to_owned(),
        ),
        ("WARROOM_PUBLIC_URL", base.to_owned()),
        ("SLACK_OPENID_URL", base.to_owned()),
    ];
    let config =
        Config::from_lookup(|name| env.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone()));
    let _ = std::fs::remove_file(&path);
    Ok(config?)
}

#[cfg(test)]
mod tests {
    use super::database_url;

    #[test]
    fn the_sandbox_database_is_on_the_server_database_url_names() {
        assert_eq!(
            database_url(None),
            "postgres://postgres@127.0.0.1:5432/warroom_sandbox"
        );
        assert_eq!(
            database_url(Some("postgres://u:p@db:5433/prod?sslmode=require")),
            "postgres://u:p@db:5433/warroom_sandbox?sslmode=require"
        );
        assert_eq!(
            database_url(Some("postgres://db")),
            "postgres://db/warroom_sandbox"
        );
    }
}
