//! A small W3C WebDriver client over reqwest (already the server tests'
//! HTTP client), for the playground's browser test: Debian's `chromium`
//! run headless by its `chromedriver`.
//!
//! The protocol needed is seven commands (new session, navigate, find an
//! element, send keys, run a script, take a screenshot, end the session);
//! a WebDriver crate (fantoccini) would add 28 crates to every `cargo
//! test` build (the `webdriver` protocol crate with a second ICU stack and
//! its segmenter data, http 0.2, two `cookie`s, `time`) for them.
//!
//! [`Driver::start`] gives `None`, after printing why, where `chromium` or
//! `chromedriver` is missing: the test then passes as skipped.
#![allow(dead_code)]

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The W3C key of an element reference in WebDriver answers.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// How long a page may take to show the answer of a check.
const WAIT: Duration = Duration::from_secs(15);

/// A program on the `PATH` (or in `/usr/bin`, `/usr/lib/chromium`).
fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    dirs.push(PathBuf::from("/usr/bin"));
    dirs.push(PathBuf::from("/usr/lib/chromium"));
    for name in names {
        for dir in &dirs {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// A running `chromedriver`.
pub struct Driver {
    child: Child,
    base: String,
    browser: PathBuf,
    client: reqwest::Client,
}

impl Driver {
    /// Starts `chromedriver` on a free port; `None` (with a note) where
    /// `chromium` or `chromedriver` is not installed.
    pub fn start() -> Option<Driver> {
        let Some(browser) = find_program(&["chromium", "chromium-browser"]) else {
            println!(
                "skipped: `chromium` is not installed (Debian: apt-get install chromium chromium-driver)"
            );
            return None;
        };
        let Some(driver) = find_program(&["chromedriver"]) else {
            println!(
                "skipped: `chromedriver` is not installed (Debian: apt-get install chromium-driver)"
            );
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut command = Command::new(driver);
        command
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // A process group of its own, with the browsers it starts, so that
        // dropping the driver ends them too (a failed test never closes
        // its session).
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let child = command.spawn().unwrap();
        Some(Driver {
            child,
            base: format!("http://127.0.0.1:{port}"),
            browser,
            client: reqwest::Client::new(),
        })
    }

    /// A new headless browser session, once the driver is ready.
    pub async fn session(&self) -> Session {
        let deadline = Instant::now() + WAIT;
        loop {
            let ready = match self
                .client
                .get(format!("{}/status", self.base))
                .send()
                .await
            {
                Ok(response) => response
                    .text()
                    .await
                    .ok()
                    .and_then(|t| serde_json::from_str::<Value>(&t).ok())
                    .is_some_and(|v| v["value"]["ready"] == true),
                Err(_) => false,
            };
            if ready {
                break;
            }
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": self.browser,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=1100,1000", "--hide-scrollbars", "--lang=en-US"]
            }
        }}});
        let answer = post(
            &self.client,
            &format!("{}/session", self.base),
            capabilities,
        )
        .await;
        let id = answer["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {answer}"))
            .to_owned();
        Session {
            client: self.client.clone(),
            base: format!("{}/session/{id}", self.base),
        }
    }
}

impl Drop for Driver {
    /// Ends the driver's process group (the driver and its browsers), then
    /// the driver itself should the group be gone already.
    fn drop(&mut self) {
        let group = format!("kill -KILL -{} 2>/dev/null", self.child.id());
        let _ = Command::new("sh").args(["-c", &group]).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A command's `value`; panics with the driver's error otherwise.
async fn send(request: reqwest::RequestBuilder) -> Value {
    let response = request
        .timeout(Duration::from_secs(60))
        .send()
        .await
        .unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    let body: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("WebDriver answered {status} {text:?}: {e}"));
    assert!(status.is_success(), "WebDriver answered {status}: {body}");
    body["value"].clone()
}

async fn post(client: &reqwest::Client, url: &str, body: Value) -> Value {
    send(
        client
            .post(url)
            .header("Content-Type", "application/json")
            .body(body.to_string()),
    )
    .await
}

/// A browser session.
pub struct Session {
    client: reqwest::Client,
    base: String,
}

impl Session {
    async fn post(&self, path: &str, body: Value) -> Value {
        post(&self.client, &format!("{}{path}", self.base), body).await
    }

    /// Opens `url`.
    pub async fn go(&self, url: &str) {
        self.post("/url", json!({ "url": url })).await;
    }

    /// The first element `css` selects.
    pub async fn find(&self, css: &str) -> String {
        let found = self
            .post("/element", json!({"using": "css selector", "value": css}))
            .await;
        found[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}: {found}"))
            .to_owned()
    }

    /// Sends keystrokes to an element (focusing it first).
    pub async fn keys(&self, element: &str, text: &str) {
        self.post(
            &format!("/element/{element}/value"),
            json!({ "text": text }),
        )
        .await;
    }

    /// Runs `script` (a function body; `arguments` are `args`) and gives
    /// its return value.
    pub async fn script_with(&self, script: &str, args: Value) -> Value {
        self.post("/execute/sync", json!({"script": script, "args": args}))
            .await
    }

    /// Runs `script` without arguments.
    pub async fn script(&self, script: &str) -> Value {
        self.script_with(script, json!([])).await
    }

    /// The text of each element `css` selects, in document order.
    pub async fn texts(&self, css: &str) -> Vec<String> {
        let texts = self
            .script_with(
                "return Array.from(document.querySelectorAll(arguments[0]), e => e.textContent)",
                json!([css]),
            )
            .await;
        serde_json::from_value(texts).unwrap()
    }

    /// An attribute of the first element `css` selects ("" when absent).
    pub async fn attribute(&self, css: &str, name: &str) -> String {
        let value = self
            .script_with(
                "const e = document.querySelector(arguments[0]); return (e && e.getAttribute(arguments[1])) || ''",
                json!([css, name]),
            )
            .await;
        value.as_str().unwrap_or_default().to_owned()
    }

    /// Empties the filter (select all, delete: keystrokes, so the page
    /// sees input events) and types `text` into it, then waits for the
    /// page to show the answer for exactly that text.
    pub async fn type_filter(&self, text: &str) {
        let filter = self.find("#filter").await;
        // Ctrl+A, then Backspace.
        self.keys(&filter, "\u{E009}a\u{E009}\u{E003}").await;
        self.keys(&filter, text).await;
        let value = self
            .script("return document.getElementById('filter').value")
            .await;
        assert_eq!(value, text, "the textarea holds what was typed");
        let schema = self
            .script("return document.getElementById('schema').value")
            .await;
        self.wait_checked(text, schema.as_str().unwrap_or_default())
            .await;
    }

    /// Chooses a schema from the keyboard (its name typed into the
    /// focused `<select>`), and waits for the check it starts.
    pub async fn choose_schema(&self, name: &str) {
        let select = self.find("#schema").await;
        self.keys(&select, name).await;
        let chosen = self
            .script("return document.getElementById('schema').value")
            .await;
        assert_eq!(chosen, name, "the schema chosen by typing its name");
        let filter = self
            .script("return document.getElementById('filter').value")
            .await;
        self.wait_checked(filter.as_str().unwrap_or_default(), name)
            .await;
    }

    /// Presses Enter on the first error's suggestion button.
    pub async fn press_suggestion(&self) {
        let button = self.find("#errors li button").await;
        self.keys(&button, "\u{E007}").await;
    }

    /// Waits until the page shows the answer of a check of `filter`
    /// against `schema`.
    pub async fn wait_checked(&self, filter: &str, schema: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            let shown = self
                .script("return [document.body.dataset.checkedFilter || null, document.body.dataset.checkedSchema || null]")
                .await;
            if shown == json!([filter, schema]) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the page did not show the check of {filter:?} ({schema}): it shows {shown}"
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Saves a PNG screenshot of the window.
    pub async fn screenshot(&self, path: &Path) {
        let shot = send(self.client.get(format!("{}/screenshot", self.base))).await;
        let png = base64_decode(shot.as_str().unwrap()).expect("the screenshot is base64");
        std::fs::write(path, png).unwrap();
    }

    /// Ends the session (closes the browser).
    pub async fn close(self) {
        send(self.client.delete(&self.base)).await;
    }
}

/// Standard base64 (with padding), as WebDriver sends screenshots.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    fn sextet(c: u8) -> Option<u32> {
        Some(u32::from(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        }))
    }
    let bytes = text.trim_end_matches('=').as_bytes();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= sextet(c)? << (18 - 6 * i);
        }
        let [_, a, b, c] = n.to_be_bytes();
        out.extend_from_slice(&[a, b, c][..chunk.len().checked_sub(1)?]);
    }
    Some(out)
}

#[test]
fn base64_decodes() {
    assert_eq!(base64_decode("").unwrap(), b"");
    assert_eq!(base64_decode("Zg==").unwrap(), b"f");
    assert_eq!(base64_decode("Zm8=").unwrap(), b"fo");
    assert_eq!(base64_decode("Zm9v").unwrap(), b"foo");
    assert_eq!(base64_decode("iVBORw0KGgo=").unwrap(), b"\x89PNG\r\n\x1a\n");
    assert!(base64_decode("Zm9v!").is_none());
}
