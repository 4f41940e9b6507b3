//! The sandbox in a real browser (headless Chromium through WebDriver): declare from the
//! composer, see the card, acknowledge, open Post update, fill it in, submit, see the update in
//! the thread; then sign in to the web view (Sign in with Slack, stood in by the sandbox) and see
//! the incident, its timeline and the charts. Screenshots go to `target/screenshots/sandbox-*.png`
//! and `target/screenshots/webview-*.png`.

use crate::{helpers::TestDb, sandbox::sandbox_on, webdriver::Browser};
use std::path::PathBuf;

/// Where the screenshot `name` goes.
fn screenshot(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target/screenshots")
        .join(format!("{name}.png"))
}

/// Opens the sandbox's page and declares `command` from the composer, as the person chosen at
/// first; then shows `#incidents`.
async fn declare_from_the_composer(browser: &Browser, url: &str, command: &str) {
    browser.goto(url).await;
    let composer = browser.wait_for("#composer-input", "").await;
    browser.type_into(&composer, command).await;
    browser.click_on("#composer-send", "").await;
    browser
        .wait_for(".message.ephemeral", "Only visible to you")
        .await;
    browser.click_on("#channel-CINCIDENTS", "").await;
}

#[tokio::test]
async fn in_the_sandbox_a_declared_incident_is_acknowledged_and_updated_from_the_browser() {
    let db = TestDb::fresh();
    let sandbox = sandbox_on(&db).await;
    let browser = Browser::start().await;
    let command = "/incident declare sev2 Checkout is failing";
    declare_from_the_composer(&browser, sandbox.url(), command).await;
    browser
        .wait_for(".message .block-header", "Checkout is failing")
        .await;
    browser.screenshot(&screenshot("sandbox-card")).await;

    browser
        .click_on(".message .block-button", "Acknowledge")
        .await;
    browser
        .wait_for(".message[data-channel=CINCIDENTS] .edited", "")
        .await;
    // The declaration and the acknowledgement in the thread: the card is drawn for the last time.
    browser.wait_for(".message .open-thread", "2 replies").await;
    browser
        .click_on(".message .block-button", "Post update")
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
    browser.screenshot(&screenshot("sandbox-form")).await;
    browser.click_on("#modal-submit", "").await;
    browser.wait_gone("#modal-backdrop:not([hidden])").await;

    browser.click_on(".message .open-thread", "3 replies").await;
    browser
        .wait_for("#thread-messages .message", "Rolling back the release")
        .await;
    let path = screenshot("sandbox-thread");
    browser.screenshot(&path).await;
    drop(browser);
    sandbox.shut_down().await.unwrap();
}

#[tokio::test]
async fn in_the_sandbox_signing_in_to_the_web_view_shows_the_incident_its_timeline_and_charts() {
    let db = TestDb::fresh();
    let sandbox = sandbox_on(&db).await;
    let browser = Browser::start().await;
    let command = "/incident declare sev1 Payments API returns 502";
    declare_from_the_composer(&browser, sandbox.url(), command).await;
    browser
        .click_on(".message .block-button", "Acknowledge")
        .await;
    browser
        .wait_for(".message[data-channel=CINCIDENTS] .edited", "")
        .await;

    // The web view asks who you are: Sign in with Slack, stood in by the sandbox.
    let web = |path: &str| format!("{}{path}", sandbox.url().trim_end_matches('/'));
    browser.goto(&web("/incidents")).await;
    browser
        .click_on("#people a.person[data-user=UCOMMANDER]", "")
        .await;
    browser.wait_for("#signed-in-as", "Carlos").await;
    let row = browser
        .wait_for(
            "table#incidents tr[data-incident]",
            "Payments API returns 502",
        )
        .await;
    browser.screenshot(&screenshot("webview-list")).await;
    let id = browser.attribute(&row, "data-incident").await.unwrap();

    browser
        .click_on(&format!("tr[data-incident='{id}'] a"), &id)
        .await;
    browser
        .wait_for("#incident-title", "Payments API returns 502")
        .await;
    browser.wait_for("section#timeline li", "declared").await;
    browser
        .wait_for("section#timeline li", "acknowledged")
        .await;
    let path = screenshot("webview-incident");
    browser.screenshot(&path).await;

    browser.goto(&web("/stats")).await;
    for chart in [
        "#chart-mtta",
        "#chart-mttr",
        "#chart-incidents",
        "#chart-actions",
    ] {
        browser.wait_for(&format!("{chart} svg"), "").await;
    }
    // The charts, scrolled to.
    browser.goto(&web("/stats#chart-mtta")).await;
    browser.wait_for("#chart-mtta svg", "").await;
    browser.screenshot(&screenshot("webview-stats")).await;
    drop(browser);
    sandbox.shut_down().await.unwrap();
}
