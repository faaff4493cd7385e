//! Just enough of the W3C WebDriver protocol to drive Debian's headless Chromium through
//! chromedriver: sessions, navigation, elements, typing, clicks, scripts, screenshots.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The Enter key, as WebDriver types it.
pub const ENTER: &str = "\u{E007}";

/// The key W3C WebDriver names element references by.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// chromedriver on a free loopback port, killed on drop.
pub struct Driver {
    child: Child,
    base: String,
    http: reqwest::Client,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn find_program(name: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH")?.to_str()?.split(':').map(|d| std::path::Path::new(d).join(name)).find(|p| p.is_file())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Driver {
    /// Starts chromedriver and waits (up to 30 s) until it is ready.
    pub async fn start() -> Driver {
        let exe = find_program("chromedriver").unwrap_or_else(|| {
            panic!(
                "chromedriver is not installed: the browser tests need Debian's chromium and chromium-driver \
                 (apt-get install chromium chromium-driver; .ci/run installs them)"
            )
        });
        // reqwest is built without a TLS provider of its own (chromedriver speaks plain HTTP,
        // but the client wants one installed): ring, as the rest of the workspace uses.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let port = free_port();
        let child = Command::new(exe)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting chromedriver");
        let driver = Driver { child, base: format!("http://127.0.0.1:{port}"), http: reqwest::Client::new() };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(v) = driver.call(reqwest::Method::GET, "/status", None).await
                && v["ready"] == true
            {
                return driver;
            }
            assert!(Instant::now() < deadline, "chromedriver did not become ready");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Result<Value, String> {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(b) = body {
            req = req.header("content-type", "application/json").body(b.to_string());
        }
        let resp = req.send().await.map_err(|e| e.to_string())?;
        let status = resp.status();
        let bytes = resp.bytes().await.map_err(|e| e.to_string())?;
        let v: Value =
            serde_json::from_slice(&bytes).map_err(|e| format!("{e}: {}", String::from_utf8_lossy(&bytes)))?;
        if !status.is_success() {
            return Err(format!("{status}: {}", v["value"]));
        }
        Ok(v["value"].clone())
    }

    /// A headless Chromium with a fresh profile, and none of its calls home.
    pub async fn browser(&self, profile: &std::path::Path) -> Browser<'_> {
        self.browser_with(profile, &[]).await
    }

    /// The same, with more command-line switches (a fake camera, for one).
    pub async fn browser_with(&self, profile: &std::path::Path, extra: &[String]) -> Browser<'_> {
        let binary = find_program("chromium").expect("chromium is not installed (apt-get install chromium)");
        let mut args: Vec<String> = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            "--no-first-run",
            "--window-size=1100,1500",
        ]
        .map(String::from)
        .into();
        args.push(format!("--user-data-dir={}", profile.display()));
        args.extend_from_slice(extra);
        let caps = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": binary, "args": args },
            "goog:loggingPrefs": { "browser": "ALL" }
        } } });
        let v = self.call(reqwest::Method::POST, "/session", Some(caps)).await.expect("a browser session");
        Browser { driver: self, session: v["sessionId"].as_str().unwrap().to_owned() }
    }
}

/// One browser window.
pub struct Browser<'a> {
    driver: &'a Driver,
    session: String,
}

impl Browser<'_> {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Result<Value, String> {
        self.driver.call(method, &format!("/session/{}{path}", self.session), body).await
    }

    /// Logs in to the UI at `base` with the fixture's passphrase and waits for the dashboard.
    pub async fn log_in(&self, base: &str) {
        self.goto(&format!("{base}/login")).await;
        self.type_into("#passphrase", crate::support::PASSPHRASE).await;
        self.click("button[type=submit]").await;
        self.wait_for_text(&["Dashboard"], 10).await;
    }

    pub async fn goto(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", Some(json!({ "url": url }))).await.unwrap();
    }

    pub async fn url(&self) -> String {
        self.call(reqwest::Method::GET, "/url", None).await.unwrap().as_str().unwrap().to_owned()
    }

    pub async fn find(&self, css: &str) -> String {
        let v = self
            .call(reqwest::Method::POST, "/element", Some(json!({ "using": "css selector", "value": css })))
            .await
            .unwrap_or_else(|e| panic!("no element {css}: {e}"));
        v[ELEMENT].as_str().unwrap().to_owned()
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let el = self.find(css).await;
        self.call(reqwest::Method::POST, &format!("/element/{el}/clear"), Some(json!({}))).await.unwrap();
        self.call(reqwest::Method::POST, &format!("/element/{el}/value"), Some(json!({ "text": text }))).await.unwrap();
    }

    /// Chooses a file for a file input.
    pub async fn upload(&self, css: &str, path: &std::path::Path) {
        let el = self.find(css).await;
        let text = path.display().to_string();
        self.call(reqwest::Method::POST, &format!("/element/{el}/value"), Some(json!({ "text": text }))).await.unwrap();
    }

    pub async fn click(&self, css: &str) {
        let el = self.find(css).await;
        self.call(reqwest::Method::POST, &format!("/element/{el}/click"), Some(json!({}))).await.unwrap();
    }

    /// Resizes the window (CSS pixels).
    pub async fn resize(&self, width: u32, height: u32) {
        self.call(reqwest::Method::POST, "/window/rect", Some(json!({ "width": width, "height": height })))
            .await
            .unwrap();
    }

    /// Form fields (not hidden) without a label, by name: none on an accessible page.
    pub async fn unlabelled_fields(&self) -> Value {
        self.script(
            "return Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea'))\
             .filter(e => !e.labels || e.labels.length === 0).map(e => e.name || e.id)",
        )
        .await
    }

    pub async fn script(&self, script: &str) -> Value {
        self.call(reqwest::Method::POST, "/execute/sync", Some(json!({ "script": script, "args": [] }))).await.unwrap()
    }

    /// The page's visible text.
    pub async fn text(&self) -> String {
        self.script("return document.body ? document.body.innerText : ''").await.as_str().unwrap_or("").to_owned()
    }

    /// Waits (up to `secs`) until the page's text holds every one of `wanted`.
    pub async fn wait_for_text(&self, wanted: &[&str], secs: u64) -> String {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let text = self.text().await;
            if wanted.iter().all(|w| text.contains(w)) {
                return text;
            }
            assert!(Instant::now() < deadline, "the page never showed {wanted:?}; it shows:\n{text}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits (up to `secs`) until `script` returns `wanted`.
    pub async fn wait_for_script(&self, script: &str, wanted: &str, secs: u64) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let got = self.script(script).await;
            if got == wanted {
                return;
            }
            assert!(Instant::now() < deadline, "{script} never returned {wanted:?} (last: {got})");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Lays the page out as for printing (the print stylesheet applies), through
    /// ChromeDriver's DevTools passthrough.
    pub async fn emulate_print(&self) {
        let cmd = json!({ "cmd": "Emulation.setEmulatedMedia", "params": { "media": "print" } });
        self.call(reqwest::Method::POST, "/goog/cdp/execute", Some(cmd)).await.unwrap();
    }

    /// A PNG of the window.
    pub async fn screenshot(&self) -> Vec<u8> {
        let b64 = self.call(reqwest::Method::GET, "/screenshot", None).await.unwrap();
        base64_decode(b64.as_str().unwrap())
    }

    /// What the page logged as errors (script errors, refused resources, CSP violations)
    /// since the last call.
    pub async fn console_errors(&self) -> Vec<String> {
        let v = self.call(reqwest::Method::POST, "/se/log", Some(json!({ "type": "browser" }))).await.unwrap();
        v.as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["level"] == "SEVERE")
            .map(|e| e["message"].as_str().unwrap_or("").to_owned())
            .collect()
    }

    pub async fn close(self) {
        let _ = self.call(reqwest::Method::DELETE, "", None).await;
    }
}

fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => panic!("not base64: {c}"),
    };
    let digits: Vec<u8> = text.bytes().filter(|c| !c.is_ascii_whitespace() && *c != b'=').map(value).collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, d)| n | (u32::from(*d) << (18 - 6 * i)));
        out.extend_from_slice(&n.to_be_bytes()[1..chunk.len()]);
    }
    out
}

#[test]
fn base64_decodes() {
    assert_eq!(base64_decode("aGVsbG8="), b"hello");
    assert_eq!(base64_decode("aGVsbG8gd29ybGQ="), b"hello world");
    assert_eq!(base64_decode("YWJj"), b"abc");
}
