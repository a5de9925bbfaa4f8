//! `recelint serve` through the binary, over raw HTTP on 127.0.0.1: the page and its
//! headers, the Host guard, a check of uploaded bytes, the upload cap. (The page itself is
//! tested in headless Chromium by `.ci/desk-test`.)

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

/// The server, stopped when dropped.
struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(extra: &[&str]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_recelint"))
        .args(["serve", "--no-open", "--port", "0"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let at = line
        .find("http://127.0.0.1:")
        .expect("the URL is printed first");
    let port: u16 = line[at + 17..]
        .trim_end()
        .trim_end_matches('/')
        .parse()
        .unwrap();
    // Keep reading its output so it never blocks on a full pipe.
    std::thread::spawn(move || {
        let mut sink = String::new();
        let _ = out.read_to_string(&mut sink);
    });
    Server { child, port }
}

/// One HTTP/1.0 request (so the reply is never chunked); the status, the headers and the
/// body, read by its Content-Length when it has one.
fn send(port: u16, head: &str, body: &[u8]) -> (u16, String, Vec<u8>) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    let split = loop {
        if let Some(p) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break p;
        }
        let n = s.read(&mut buf).unwrap();
        assert!(n > 0, "the connection closed before a response");
        raw.extend_from_slice(&buf[..n]);
    };
    let headers = String::from_utf8_lossy(&raw[..split]).to_string();
    let status = headers[9..12].parse().unwrap();
    let len: usize = headers
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(usize::MAX);
    let mut rest = raw[split + 4..].to_vec();
    while rest.len() < len {
        // Without a length (HTTP/1.0), the body ends with the connection.
        let n = s.read(&mut buf).unwrap();
        if n == 0 {
            assert_eq!(len, usize::MAX, "the body was cut short");
            break;
        }
        rest.extend_from_slice(&buf[..n]);
    }
    (status, headers, rest)
}

fn get(port: u16, path: &str, host: &str) -> (u16, String, Vec<u8>) {
    send(
        port,
        &format!("GET {path} HTTP/1.0\r\nHost: {host}\r\nConnection: close\r\n\r\n"),
        b"",
    )
}

#[test]
fn serves_the_page_with_a_strict_policy_and_refuses_other_hosts() {
    let s = start(&[]);
    let own = format!("127.0.0.1:{}", s.port);
    let (status, headers, body) = get(s.port, "/", &own);
    assert_eq!(status, 200, "{headers}");
    let lower = headers.to_ascii_lowercase();
    assert!(lower.contains("content-security-policy: default-src 'none'; script-src 'self'"));
    assert!(!lower.contains("unsafe-inline"));
    let page = String::from_utf8(body).unwrap();
    assert!(page.contains("<html lang=\"ja\">"));
    assert!(!page.contains("<script>"), "no inline script");
    assert!(!page.contains("http://") && !page.contains("https://"));
    assert_eq!(
        get(s.port, "/?lang=en", &format!("localhost:{}", s.port)).0,
        200
    );
    // A name that resolves here but is not ours (DNS rebinding), another port, none.
    assert_eq!(get(s.port, "/", &format!("evil.example:{}", s.port)).0, 403);
    assert_eq!(get(s.port, "/", "127.0.0.1:1").0, 403);
    let (status, _, _) = send(s.port, "GET / HTTP/1.0\r\nConnection: close\r\n\r\n", b"");
    assert_eq!(status, 403);
    for path in ["/page.js", "/page.css", "/report.js", "/report.css"] {
        assert_eq!(get(s.port, path, &own).0, 200, "{path}");
    }
}

#[test]
fn checks_uploaded_bytes_and_caps_the_upload() {
    let s = start(&["--max-upload-mb", "1"]);
    let bytes = common::load(&common::root().join("testdata/cli/defective.txt")).bytes;
    let mut body = format!(
        "{{\"lang\":\"ja\",\"files\":[{{\"name\":\"C:\\\\請求\\\\RECEIPTC.UKE\",\"size\":{},\"role\":\"claim\"}}]}}\n",
        bytes.len()
    )
    .into_bytes();
    body.extend_from_slice(&bytes);
    let head = |len: usize, origin: &str| {
        format!(
            "POST /check HTTP/1.0\r\nHost: 127.0.0.1:{}\r\nOrigin: {origin}\r\nContent-Type: application/octet-stream\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n",
            s.port
        )
    };
    let own = format!("http://127.0.0.1:{}", s.port);
    let (status, headers, reply) = send(s.port, &head(body.len(), &own), &body);
    assert_eq!(status, 200, "{headers}");
    let v: serde_json::Value = serde_json::from_slice(&reply).unwrap();
    let html = v["html"].as_str().unwrap();
    assert!(html.contains("件のエラー: このままでは返戻・受付不能の可能性があります"));
    assert!(html.contains("RECEIPTC.UKE") && !html.contains("請求\\"));
    let id = v["id"].as_u64().unwrap();
    // The same check again, in English, and as downloads.
    let (status, _, en) = get(
        s.port,
        &format!("/report/{id}?lang=en"),
        &format!("127.0.0.1:{}", s.port),
    );
    assert_eq!(status, 200);
    assert!(String::from_utf8(en)
        .unwrap()
        .contains("as it is, the claim may be returned or refused"));
    let (status, headers, json) = get(
        s.port,
        &format!("/report/{id}?format=json"),
        &format!("127.0.0.1:{}", s.port),
    );
    assert_eq!(status, 200);
    assert!(headers.contains("attachment; filename=\"recelint-report-202611.json\""));
    let j: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert!(j["summary"]["errors"].as_u64().unwrap() > 0);
    // Another page's POST is refused, whatever it sends.
    let (status, _, _) = send(s.port, &head(body.len(), "http://evil.example"), &body);
    assert_eq!(status, 403);
    // Over the cap: refused with a message in both languages, before the bytes are read.
    let (status, _, reply) = send(s.port, &head(3 << 20, &own), b"");
    assert_eq!(status, 413);
    let msg = String::from_utf8(reply).unwrap();
    assert!(
        msg.contains("大きすぎます") && msg.contains("too large"),
        "{msg}"
    );
    // A malformed upload is an error, not a crash.
    let (status, _, _) = send(s.port, &head(5, &own), b"{]\nab");
    assert_eq!(status, 400);
    let (status, _, _) = send(s.port, &head(body.len(), &own), &body);
    assert_eq!(status, 200, "the server still answers");
}
