//! The sandbox in a real browser (headless Chromium through WebDriver): declare from the
//! composer, see the card, acknowledge, open Post update, fill it in, submit, see the update in
//! the thread. Screenshots go to `target/screenshots/sandbox-*.png`.

use crate::{helpers::TestDb, webdriver::Browser};
use std::path::PathBuf;
use warroom::sandbox::{Options, Sandbox};

fn screenshot(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target/screenshots")
        .join(format!("sandbox-{name}.png"))
}

#[tokio::test]
async fn in_the_sandbox_a_declared_incident_is_acknowledged_and_updated_from_the_browser() {
    let db = TestDb::fresh();
    let sandbox = Sandbox::start(Options {
        listen: "127.0.0.1:0".parse().unwrap(),
        database_url: db.url.clone(),
        fresh: false,
        fast: false,
    })
    .await
    .expect("the sandbox starts");
    let browser = Browser::start().await;
    browser.goto(sandbox.url()).await;

    let composer = browser.wait_for("#composer-input", "").await;
    browser
        .type_into(&composer, "/incident declare sev2 Checkout is failing")
        .await;
    browser
        .click(&browser.wait_for("#composer-send", "").await)
        .await;
    browser
        .wait_for(".message.ephemeral", "Only visible to you")
        .await;
    browser
        .click(&browser.wait_for("#channel-CINCIDENTS", "").await)
        .await;
    browser
        .wait_for(".message .block-header", "Checkout is failing")
        .await;
    browser.screenshot(&screenshot("card")).await;

    browser
        .click(
            &browser
                .wait_for(".message .block-button", "Acknowledge")
                .await,
        )
        .await;
    browser
        .wait_for(".message[data-channel=CINCIDENTS] .edited", "")
        .await;
    // The declaration and the acknowledgement in the thread: the card is drawn for the last time.
    browser.wait_for(".message .open-thread", "2 replies").await;
    browser
        .click(
            &browser
                .wait_for(".message .block-button", "Post update")
                .await,
        )
        .await;
    browser.wait_for("#modal-title", "update").await;
    let field = |block: &str| format!(".modal-input[data-block-id={block}] .modal-field");
    let impact = browser.wait_for(&field("impact"), "").await;
    browser
        .type_into(&impact, "Checkout fails for one card in five")
        .await;
    let action = browser.wait_for(&field("current_action"), "").await;
    browser.type_into(&action, "Rolling back the release").await;
    let owner = browser.wait_for(&field("owner"), "").await;
    browser.select(&owner, "Olivia").await;
    let next = browser.wait_for(&field("next_update"), "").await;
    browser.select(&next, "In 30m").await;
    browser.screenshot(&screenshot("form")).await;
    browser
        .click(&browser.wait_for("#modal-submit", "").await)
        .await;
    browser.wait_gone("#modal-backdrop:not([hidden])").await;

    browser
        .click(&browser.wait_for(".message .open-thread", "3 replies").await)
        .await;
    browser
        .wait_for("#thread-messages .message", "Rolling back the release")
        .await;
    let path = screenshot("thread");
    browser.screenshot(&path).await;
    drop(browser);
    sandbox.shut_down().await.unwrap();
}
