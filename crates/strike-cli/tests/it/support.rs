//! Running the real binary against temporary data directories.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const PASSPHRASE: &str = "correct horse battery staple";

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_openstrike")
}

/// A data directory and the passphrase that unlocks it.
pub struct Home {
    pub dir: PathBuf,
    _tmp: tempfile::TempDir,
}

impl Home {
    pub fn new() -> Home {
        let tmp = tempfile::tempdir().unwrap();
        Home { dir: tmp.path().join("node"), _tmp: tmp }
    }

    pub fn initialized() -> Home {
        let home = Home::new();
        home.ok(&["init"]);
        home
    }

    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(bin());
        cmd.args(args);
        self.home(cmd)
    }

    /// The same, run in the network namespace `netns` (`ip netns exec`).
    pub fn cmd_in(&self, netns: &str, args: &[&str]) -> Command {
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", netns, bin()]).args(args);
        self.home(cmd)
    }

    fn home(&self, mut cmd: Command) -> Command {
        cmd.env("OPENSTRIKE_DATA_DIR", &self.dir)
            .env("OPENSTRIKE_PASSPHRASE", PASSPHRASE)
            .env_remove("OPENSTRIKE_BUNDLE_PASSPHRASE")
            .env_remove("OPENSTRIKE_LOG")
            .current_dir(self.dir.parent().unwrap());
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().unwrap()
    }

    /// Runs and insists on exit code 0; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(out.status.success(), "openstrike {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs with --json and parses stdout.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        serde_json::from_str(&self.ok(&all)).unwrap()
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.parent().unwrap().join(name)
    }
}

/// Every regular file under `dir`, with its bytes.
pub fn files_under(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push((path.clone(), std::fs::read(&path).unwrap()));
        }
    }
    out
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// A child process killed when the test ends, whether it passes or panics.
pub struct Child(pub std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A plain HTTP/1.1 GET, the whole response as text.
pub fn http_get(host: &str, path: &str) -> String {
    http(host, &format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"))
}

/// A plain HTTP/1.1 POST of a JSON body, the whole response as text.
pub fn http_post_json(host: &str, path: &str, body: &str) -> String {
    http(
        host,
        &format!(
            "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    )
}

fn http(host: &str, request: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut out = String::new();
    stream.read_to_string(&mut out).unwrap();
    out
}

/// Two test hosts on one wire: network namespaces made for the test, joined by a veth pair,
/// `10.N.0.1/24` in `a` and `10.N.0.2/24` in `b` (loopback up in both). Removed on drop.
/// Needs root and iproute2, as CI has.
pub struct Wire {
    pub a: String,
    pub b: String,
    /// `a`'s address on the wire.
    pub a_ip: String,
}

impl Wire {
    pub fn new(tag: &str) -> Wire {
        let pid = std::process::id();
        let (a, b) = (format!("os{tag}a{pid}"), format!("os{tag}b{pid}"));
        let net = 20 + pid % 200;
        let wire = Wire { a: a.clone(), b: b.clone(), a_ip: format!("10.{net}.0.1") };
        let (va, vb) = (format!("v{tag}a{pid}"), format!("v{tag}b{pid}"));
        let ip = |args: &[&str]| {
            let out = Command::new("ip").args(args).output().expect("iproute2's `ip` (apt-get install iproute2)");
            assert!(
                out.status.success(),
                "ip {args:?}: {} (these tests make network namespaces: run them as root)",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        ip(&["netns", "add", &a]);
        ip(&["netns", "add", &b]);
        ip(&["link", "add", &va, "netns", &a, "type", "veth", "peer", "name", &vb, "netns", &b]);
        for (ns, dev, host) in [(&a, &va, 1), (&b, &vb, 2)] {
            ip(&["-n", ns, "addr", "add", &format!("10.{net}.0.{host}/24"), "dev", dev]);
            ip(&["-n", ns, "link", "set", dev, "up"]);
            ip(&["-n", ns, "link", "set", "lo", "up"]);
        }
        wire
    }
}

impl Drop for Wire {
    fn drop(&mut self) {
        // Deleting a namespace deletes the veth end in it, and with it the pair.
        for ns in [&self.a, &self.b] {
            let _ = Command::new("ip").args(["netns", "del", ns]).output();
        }
    }
}
