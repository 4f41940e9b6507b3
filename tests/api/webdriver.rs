//! A small W3C WebDriver client for Debian's headless Chromium, for the browser tests:
//! `chromedriver` started on a free loopback port, one session, and the handful of commands the
//! tests use. Each command is one JSON request over HTTP, so reqwest is all it needs.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};

/// How long a wait for something on the page lasts before the test fails. Generous: the machine
/// is shared and a debug build of the bot answers slowly.
pub const PATIENCE: Duration = Duration::from_secs(20);

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

const INSTALL: &str = "the browser tests need Debian's Chromium and its WebDriver: \
     run `apt-get install -y chromium chromium-driver` as root, or `scripts/test`, which \
     installs them when it runs as root";

/// A headless Chromium driven through chromedriver; both end when this is dropped.
pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    http: reqwest::Client,
}

/// An element found on the page.
#[derive(Clone, Debug)]
pub struct Element(String);

fn find_program(candidates: &[&str]) -> Option<String> {
    let path = std::env::var_os("PATH")?;
    candidates.iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
            .map(|found| found.to_string_lossy().into_owned())
    })
}

impl Browser {
    /// Starts chromedriver and a headless Chromium session, or fails saying how to install them.
    pub async fn start() -> Browser {
        let chromium = find_program(&["chromium", "chromium-browser"]).unwrap_or_else(|| {
            panic!("Chromium is not installed: {INSTALL}");
        });
        let chromedriver = find_program(&["chromedriver"]).unwrap_or_else(|| {
            panic!("chromedriver is not installed: {INSTALL}");
        });
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
            listener.local_addr().expect("its address").port()
        };
        let driver = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| panic!("starting {chromedriver}: {error}; {INSTALL}"));
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        let started = Instant::now();
        loop {
            let ready = match http.get(format!("{base}/status")).send().await {
                Ok(response) => response
                    .json::<Value>()
                    .await
                    .is_ok_and(|status| status["value"]["ready"] == json!(true)),
                Err(_) => false,
            };
            if ready {
                break;
            }
            assert!(
                started.elapsed() < PATIENCE,
                "chromedriver did not answer on {base}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let capabilities = json!({
            "capabilities": { "alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {
                    "binary": chromium,
                    "args": [
                        "--headless=new",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-dev-shm-usage",
                        "--window-size=1360,900",
                        "--lang=en-GB",
                    ],
                },
            }},
        });
        let mut browser = Browser {
            driver,
            base,
            session: String::new(),
            http,
        };
        let created = browser.call("POST", "/session", capabilities).await;
        browser.session = created["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("chromedriver made no session: {created}"))
            .to_owned();
        browser
    }

    async fn call(&self, method: &str, path: &str, body: Value) -> Value {
        let url = format!("{}{path}", self.base);
        let request = match method {
            "GET" => self.http.get(&url),
            "DELETE" => self.http.delete(&url),
            _ => self.http.post(&url).json(&body),
        };
        let response = request
            .send()
            .await
            .unwrap_or_else(|error| panic!("{method} {path}: {error}"));
        let status = response.status();
        let answer: Value = response
            .json()
            .await
            .unwrap_or_else(|error| panic!("{method} {path}: an answer that is not JSON: {error}"));
        assert!(
            status.is_success(),
            "{method} {path} failed ({status}): {}",
            answer["value"]["message"]
        );
        answer["value"].clone()
    }

    async fn session_call(&self, method: &str, path: &str, body: Value) -> Value {
        let path = format!("/session/{}{path}", self.session);
        self.call(method, &path, body).await
    }

    /// Opens `url` and waits for it to load.
    pub async fn goto(&self, url: &str) {
        self.session_call("POST", "/url", json!({ "url": url }))
            .await;
    }

    /// The address the page is at now.
    pub async fn url(&self) -> String {
        let value = self.session_call("GET", "/url", Value::Null).await;
        value.as_str().unwrap_or_default().to_owned()
    }

    /// Every element matching the CSS selector, now.
    pub async fn all(&self, css: &str) -> Vec<Element> {
        let found = self
            .session_call(
                "POST",
                "/elements",
                json!({ "using": "css selector", "value": css }),
            )
            .await;
        found
            .as_array()
            .map(|elements| {
                elements
                    .iter()
                    .filter_map(|element| element[ELEMENT_KEY].as_str())
                    .map(|id| Element(id.to_owned()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Waits for the first element matching `css` whose text contains `text` (any element when
    /// `text` is empty), and fails the test naming both when none appears.
    pub async fn wait_for(&self, css: &str, text: &str) -> Element {
        let started = Instant::now();
        loop {
            for element in self.all(css).await {
                if text.is_empty() || self.text_of(&element).await.contains(text) {
                    return element;
                }
            }
            if started.elapsed() > PATIENCE {
                let body = self.page_text().await;
                panic!("no `{css}` containing {text:?} appeared; the page reads:\n{body}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until no element matching `css` is on the page.
    pub async fn wait_gone(&self, css: &str) {
        let started = Instant::now();
        while !self.all(css).await.is_empty() {
            assert!(started.elapsed() < PATIENCE, "`{css}` stayed on the page");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The visible text of an element; empty when it has gone from the page meanwhile.
    pub async fn text_of(&self, element: &Element) -> String {
        let path = format!("/session/{}/element/{}/text", self.session, element.0);
        let url = format!("{}{path}", self.base);
        match self.http.get(url).send().await {
            Ok(response) => response
                .json::<Value>()
                .await
                .ok()
                .and_then(|answer| answer["value"].as_str().map(str::to_owned))
                .unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// The visible text of the whole page.
    pub async fn page_text(&self) -> String {
        match self.all("body").await.first() {
            Some(body) => self.text_of(body).await,
            None => String::new(),
        }
    }

    /// Waits for the element `wait_for(css, text)` finds and clicks it; when the page redraws it
    /// between finding and clicking (a live page polling its state), finds it again.
    pub async fn click_on(&self, css: &str, text: &str) {
        let started = Instant::now();
        loop {
            let element = self.wait_for(css, text).await;
            let url = format!(
                "{}/session/{}/element/{}/click",
                self.base, self.session, element.0
            );
            let response = self.http.post(url).json(&json!({})).send().await;
            let response = response.unwrap_or_else(|error| panic!("click on `{css}`: {error}"));
            if response.status().is_success() {
                return;
            }
            let answer: Value = response.json().await.unwrap_or_default();
            let error = answer["value"]["error"].as_str().unwrap_or_default();
            assert!(
                error == "stale element reference" && started.elapsed() < PATIENCE,
                "click on `{css}` containing {text:?} failed: {}",
                answer["value"]["message"]
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Clicks an element.
    pub async fn click(&self, element: &Element) {
        let path = format!("/element/{}/click", element.0);
        self.session_call("POST", &path, json!({})).await;
    }

    /// Types into an element, after what it already holds.
    pub async fn type_into(&self, element: &Element, text: &str) {
        let path = format!("/element/{}/value", element.0);
        self.session_call("POST", &path, json!({ "text": text }))
            .await;
    }

    /// Empties an input or a text area.
    pub async fn clear(&self, element: &Element) {
        let path = format!("/element/{}/clear", element.0);
        self.session_call("POST", &path, json!({})).await;
    }

    /// An attribute of an element as the HTML gives it (`data-…`, `href`), or else the property
    /// of that name (a field's current `value`).
    pub async fn attribute(&self, element: &Element, name: &str) -> Option<String> {
        for kind in ["attribute", "property"] {
            let path = format!("/element/{}/{kind}/{name}", element.0);
            let value = self.session_call("GET", &path, Value::Null).await;
            if let Some(text) = value.as_str() {
                return Some(text.to_owned());
            }
        }
        None
    }

    /// Chooses the option of a `<select>` whose text contains `label`.
    pub async fn select(&self, select: &Element, label: &str) {
        let path = format!("/element/{}/elements", select.0);
        let options = self
            .session_call(
                "POST",
                &path,
                json!({ "using": "css selector", "value": "option" }),
            )
            .await;
        for option in options.as_array().into_iter().flatten() {
            let Some(id) = option[ELEMENT_KEY].as_str() else {
                continue;
            };
            let element = Element(id.to_owned());
            if self.text_of(&element).await.contains(label) {
                self.click(&element).await;
                return;
            }
        }
        panic!("no option {label:?} to choose");
    }

    /// Writes a PNG of the window to `path`, making its folder first.
    pub async fn screenshot(&self, path: &Path) {
        let encoded = self.session_call("GET", "/screenshot", Value::Null).await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(encoded.as_str().unwrap_or_default())
            .expect("a base64 screenshot");
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder).expect("the screenshot folder");
        }
        std::fs::write(path, png).expect("writing the screenshot");
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Ending the session closes its Chromium; a test that panicked cannot await, so this is
        // one plain blocking request.
        if !self.session.is_empty()
            && let Some(address) = self.base.strip_prefix("http://")
            && let Ok(mut stream) = std::net::TcpStream::connect(address)
        {
            use std::io::{Read as _, Write as _};
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let request = format!(
                "DELETE /session/{} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\
                 Content-Length: 0\r\n\r\n",
                self.session
            );
            if stream.write_all(request.as_bytes()).is_ok() {
                let _ = stream.read_to_end(&mut Vec::new());
            }
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
