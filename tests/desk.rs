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
    start_in(&common::root(), extra)
}

/// The server started in the folder `dir` (where it looks for recelint.toml).
fn start_in(dir: &std::path::Path, extra: &[&str]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_recelint"))
        .current_dir(dir)
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

/// Uploads `files` (name, role, bytes) to the server and returns the page's report (HTML).
fn check(s: &Server, files: &[(&str, &str, Vec<u8>)]) -> String {
    let manifest: Vec<serde_json::Value> = files
        .iter()
        .map(|(name, role, bytes)| serde_json::json!({"name": name, "size": bytes.len(), "role": role}))
        .collect();
    let mut body = serde_json::json!({"lang": "ja", "files": manifest})
        .to_string()
        .into_bytes();
    body.push(b'\n');
    for (_, _, bytes) in files {
        body.extend_from_slice(bytes);
    }
    let head = format!(
        "POST /check HTTP/1.0\r\nHost: 127.0.0.1:{0}\r\nOrigin: http://127.0.0.1:{0}\r\nContent-Type: application/octet-stream\r\nContent-Length: {1}\r\nConnection: close\r\n\r\n",
        s.port,
        body.len()
    );
    let (status, headers, reply) = send(s.port, &head, &body);
    assert_eq!(status, 200, "{headers}");
    let v: serde_json::Value = serde_json::from_slice(&reply).unwrap();
    v["html"].as_str().unwrap().to_string()
}

/// The same upload's report as the JSON download: (code, severity) of each finding.
fn check_json(s: &Server, files: &[(&str, &str, Vec<u8>)]) -> Vec<(String, String)> {
    let _ = check(s, files);
    // The last check is the newest id; the ids start at 1 and each check takes one.
    let mut id = 1;
    loop {
        let (status, _, _) = get(
            s.port,
            &format!("/report/{}?format=json", id + 1),
            &format!("127.0.0.1:{}", s.port),
        );
        if status != 200 {
            break;
        }
        id += 1;
    }
    let (status, _, json) = get(
        s.port,
        &format!("/report/{id}?format=json"),
        &format!("127.0.0.1:{}", s.port),
    );
    assert_eq!(status, 200);
    let j: serde_json::Value = serde_json::from_slice(&json).unwrap();
    j["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn tmpdir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("recelint-desk-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join("sub")).unwrap();
    d
}

/// The page checks with the settings `recelint check` would use: the recelint.toml found
/// upward from the folder serve was started in (a rule it ignores is not shown, a severity
/// it sets is used), `--isolated` without it, and `--redact` masks the patients' names.
#[test]
fn uploads_are_checked_with_the_settings_file_and_redact() {
    let d = tmpdir("settings");
    std::fs::write(
        d.join("recelint.toml"),
        "ignore = [\"S007\"]\n[severity]\nF004 = \"error\"\n",
    )
    .unwrap();
    let bytes = common::load(&common::root().join("testdata/cli/defective.txt")).bytes;
    let upload = [("RECEIPTC.UKE", "claim", bytes)];
    let with = check(&start_in(&d.join("sub"), &[]), &upload);
    let without = check(&start_in(&d.join("sub"), &["--isolated"]), &upload);
    assert!(
        without.contains("S007"),
        "S007 is reported without the settings"
    );
    assert!(!with.contains("S007"), "the settings file's ignore applies");
    // F004 is a warning by default, an error here.
    let f004 = |found: &[(String, String)]| {
        found
            .iter()
            .find(|(c, _)| c == "F004")
            .map(|(_, s)| s.clone())
    };
    let with_json = check_json(&start_in(&d.join("sub"), &[]), &upload);
    let without_json = check_json(&start_in(&d.join("sub"), &["--isolated"]), &upload);
    let (with, without) = (&with_json, &without_json);
    assert_eq!(f004(without).as_deref(), Some("warning"));
    assert_eq!(f004(with).as_deref(), Some("error"));
    assert!(with.iter().all(|(c, _)| c != "S007") && without.iter().any(|(c, _)| c == "S007"));
    // Patient names are shown, and masked with --redact.
    let without = check(&start_in(&d, &["--isolated"]), &upload);
    assert!(without.contains("青木　一郎"));
    let masked = check(&start_in(&d, &["--isolated", "--redact"]), &upload);
    assert!(!masked.contains("青木　一郎") && !masked.contains("石井　二郎"));
    assert!(masked.contains("S007"), "masking hides no finding");
    let _ = std::fs::remove_dir_all(&d);
}

/// How the report marks a finding of rule `code` (its explanation may name other codes).
fn finding(code: &str) -> String {
    format!("data-rule=\"{code}\"")
}

/// Evidence reaches the page's checks: an earlier month uploaded as `history`, or given
/// with `--history` / `--qualifications`, names the patient's known number (Q005, Q006).
#[test]
fn history_and_qualifications_feed_the_pages_checks() {
    let root = common::root();
    let case = root.join("testdata/qualify/q005_history_knows_the_patient");
    let claim = common::load(&case.join("check.txt")).bytes;
    let history = common::load(&case.join("history.txt")).bytes;
    let s = start(&["--isolated"]);
    let alone = check(&s, &[("RECEIPTC.UKE", "claim", claim.clone())]);
    assert!(alone.contains(&finding("Q009")) && !alone.contains(&finding("Q005")));
    let uploaded = check(
        &s,
        &[
            ("RECEIPTC.UKE", "claim", claim.clone()),
            ("2026-09.UKE", "history", history.clone()),
        ],
    );
    assert!(
        uploaded.contains(&finding("Q005")),
        "an uploaded history is evidence"
    );
    let d = tmpdir("history");
    std::fs::write(d.join("2026-09.UKE"), &history).unwrap();
    let hist = d.join("2026-09.UKE").display().to_string();
    let s = start(&["--isolated", "--history", &hist]);
    let given = check(&s, &[("RECEIPTC.UKE", "claim", claim)]);
    assert!(
        given.contains(&finding("Q005")),
        "--history is evidence for every check"
    );

    let case = root.join("testdata/qualify/q006_past_claimed_while_current_known");
    let claim = common::load(&case.join("check.txt")).bytes;
    let csv = case.join("qualifications.csv").display().to_string();
    let s = start(&["--isolated"]);
    assert!(!check(&s, &[("RECEIPTC.UKE", "claim", claim.clone())]).contains(&finding("Q006")));
    let s = start(&["--isolated", "--qualifications", &csv]);
    assert!(check(&s, &[("RECEIPTC.UKE", "claim", claim)]).contains(&finding("Q006")));
    let _ = std::fs::remove_dir_all(&d);
}
