//! `recelint serve`: the desk mode for office staff. A page on 127.0.0.1 takes claim files
//! (and the qualifications CSV) by drag and drop or a file picker, checks them in this
//! process and shows the report — the same body as `--format html`.
//!
//! Nothing leaves the machine: the server listens on 127.0.0.1 only, answers only requests
//! whose `Host` is 127.0.0.1 or localhost with its port (a DNS-rebinding guard) and, for a
//! POST, whose `Origin` (when sent) is the page's own; the page loads nothing from anywhere
//! else (a strict Content-Security-Policy, no inline script or style). Uploaded bytes are
//! checked in memory and kept only for the last few checks, so the page can switch language
//! and offer the report for download; no file is written. The server stops when the last
//! page has gone (it sends a heartbeat, and says goodbye when it is closed) or on Ctrl-C.

use crate::check::{check_bytes, CheckOptions, FileReport};
use crate::render::{Format, Style};
use crate::report::Lang;
use std::collections::{HashMap, VecDeque};
use std::io::Read;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const PAGE: &str = include_str!("page.html");
const PAGE_JS: &str = include_str!("page.js");
const PAGE_CSS: &str = include_str!("page.css");

/// Every response says so: only this server's own files, nothing inline, no frames, no
/// forms posted anywhere.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; font-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// A page that has not sent a heartbeat for this long is gone (it beats every 5 s; a
/// background tab's timers may be slowed to once a minute).
const PAGE_TIMEOUT: Duration = Duration::from_secs(75);
/// With no page left, the server waits this long (a reload says goodbye, then beats again).
const GRACE: Duration = Duration::from_secs(5);
/// Checks whose reports are kept for language switches and downloads.
const KEPT: usize = 3;

/// `recelint serve`'s settings.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    /// 0: a free port chosen by the system.
    pub port: u16,
    /// Open the page in the default browser.
    pub open: bool,
    pub lang: Lang,
    /// The largest upload accepted, in bytes (claim files and CSV together).
    pub max_upload: usize,
    /// The settings file's rules, severities and evidence, applied to every check.
    pub settings: crate::settings::config::Settings,
    /// The settings' history, folders expanded to their claim files (read at each check).
    pub history: Vec<std::path::PathBuf>,
    /// Mask patient data in every report (`--redact`).
    pub redact: bool,
}

/// One check, kept for the page.
struct Kept {
    id: u64,
    checked_at: i64,
    reports: Vec<FileReport>,
}

struct State {
    port: u16,
    max_upload: usize,
    lang: Lang,
    /// What every check applies (see [`Options`]).
    setup: Setup,
    /// Last heartbeat of each open page.
    pages: Mutex<Pages>,
    kept: Mutex<VecDeque<Kept>>,
    next_id: AtomicUsize,
    /// Requests being answered (a long check is activity too).
    busy: AtomicUsize,
}

/// The settings an upload is checked with.
#[derive(Debug, Clone, Default)]
struct Setup {
    settings: crate::settings::config::Settings,
    history: Vec<std::path::PathBuf>,
    redact: bool,
}

#[derive(Default)]
struct Pages {
    seen: HashMap<String, Instant>,
    /// A page has been open at some time.
    ever: bool,
    /// When the last page went.
    empty_since: Option<Instant>,
}

/// Runs the desk server until the page is closed; the exit code.
pub(crate) fn serve(o: Options) -> i32 {
    let server = match tiny_http::Server::http(("127.0.0.1", o.port)) {
        Ok(s) => s,
        Err(e) => {
            eprintln!(
                "recelint: 127.0.0.1:{} で待ち受けできません / cannot listen on 127.0.0.1:{}: {e}",
                o.port, o.port
            );
            return 2;
        }
    };
    let Some(addr) = server.server_addr().to_ip() else {
        eprintln!("recelint: 待ち受けのアドレスが分かりません / no listening address");
        return 2;
    };
    let state = Arc::new(State {
        port: addr.port(),
        max_upload: o.max_upload,
        lang: o.lang,
        setup: Setup {
            settings: o.settings,
            history: o.history,
            redact: o.redact,
        },
        pages: Mutex::new(Pages::default()),
        kept: Mutex::new(VecDeque::new()),
        next_id: AtomicUsize::new(1),
        busy: AtomicUsize::new(0),
    });
    let url = format!("http://127.0.0.1:{}/", state.port);
    println!("recelint デスク / desk: {url}");
    println!(
        "このアドレスをブラウザで開いてください。ページを閉じるか Ctrl-C で終了します / open it in a browser; closing the page or Ctrl-C stops recelint"
    );
    use std::io::Write as _;
    let _ = std::io::stdout().flush();
    if o.open {
        open_browser(&url);
    }
    loop {
        match server.recv_timeout(Duration::from_millis(500)) {
            Ok(Some(req)) => {
                let st = state.clone();
                st.busy.fetch_add(1, Ordering::SeqCst);
                let spawned = std::thread::Builder::new()
                    .name("recelint-desk".into())
                    .spawn(move || {
                        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            handle(&st, req)
                        }));
                        st.busy.fetch_sub(1, Ordering::SeqCst);
                    });
                if spawned.is_err() {
                    state.busy.fetch_sub(1, Ordering::SeqCst);
                }
            }
            Ok(None) => {}
            Err(e) => {
                eprintln!("recelint: {e}");
                return 2;
            }
        }
        if gone(&state, Instant::now()) {
            println!("ページが閉じられたので終了します / the page was closed: stopping");
            return 0;
        }
    }
}

/// True when every page has gone (none beat within [`PAGE_TIMEOUT`]) for [`GRACE`], after
/// one was open, and no request is being answered.
fn gone(state: &State, now: Instant) -> bool {
    let Ok(mut p) = state.pages.lock() else {
        return false;
    };
    p.seen
        .retain(|_, t| now.saturating_duration_since(*t) < PAGE_TIMEOUT);
    if !p.ever || !p.seen.is_empty() || state.busy.load(Ordering::SeqCst) > 0 {
        p.empty_since = None;
        return false;
    }
    let since = *p.empty_since.get_or_insert(now);
    now.saturating_duration_since(since) >= GRACE
}

/// Opens `url` in the default browser, best effort.
fn open_browser(url: &str) {
    let mut cmd = if cfg!(target_os = "windows") {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", "", url]);
        c
    } else if cfg!(target_os = "macos") {
        let mut c = std::process::Command::new("open");
        c.arg(url);
        c
    } else {
        let mut c = std::process::Command::new("xdg-open");
        c.arg(url);
        c
    };
    cmd.stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    if cmd.spawn().is_err() {
        eprintln!(
            "recelint: ブラウザを開けませんでした。上のアドレスを開いてください / could not open a browser: open the address above"
        );
    }
}

/// A response: status, content type, body, and more headers.
struct Reply {
    status: u16,
    ctype: &'static str,
    body: Vec<u8>,
    extra: Vec<(&'static str, String)>,
}

impl Reply {
    fn new(status: u16, ctype: &'static str, body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status,
            ctype,
            body: body.into(),
            extra: Vec::new(),
        }
    }

    /// A JSON `{"error": …}` with a bilingual message.
    fn error(status: u16, ja: &str, en: &str) -> Reply {
        let body = serde_json::json!({ "error": format!("{ja} / {en}"), "ja": ja, "en": en });
        Reply::new(status, "application/json; charset=utf-8", body.to_string())
    }
}

fn header<'a>(req: &'a tiny_http::Request, name: &str) -> Option<&'a str> {
    req.headers()
        .iter()
        .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str())
}

/// The request comes from this server's own page: its `Host` names 127.0.0.1 or localhost
/// with the port (another name that resolves here — DNS rebinding — is refused), and a
/// POST's `Origin`, when sent, is the page's.
fn trusted(state: &State, req: &tiny_http::Request) -> bool {
    let own = |v: &str| {
        v == format!("127.0.0.1:{}", state.port) || v == format!("localhost:{}", state.port)
    };
    let host_ok = header(req, "Host").is_some_and(|h| own(h.trim()));
    let origin_ok = match header(req, "Origin") {
        None => true,
        Some(o) => o
            .trim()
            .strip_prefix("http://")
            .is_some_and(|rest| own(rest.trim_end_matches('/'))),
    };
    host_ok && (*req.method() == tiny_http::Method::Get || origin_ok)
}

fn handle(state: &State, mut req: tiny_http::Request) {
    let reply = if !trusted(state, &req) {
        Reply::error(
            403,
            "このページは 127.0.0.1 からだけ使えます",
            "this page answers only on 127.0.0.1",
        )
    } else {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| route(state, &mut req)))
            .unwrap_or_else(|_| {
                Reply::error(
                    500,
                    "recelint の内部エラーです。ファイルは検査できませんでした",
                    "internal error in recelint: the files were not checked",
                )
            })
    };
    let mut resp = tiny_http::Response::from_data(reply.body).with_status_code(reply.status);
    let mut headers = vec![
        ("Content-Type", reply.ctype.to_string()),
        ("Content-Security-Policy", CSP.to_string()),
        ("X-Content-Type-Options", "nosniff".to_string()),
        ("X-Frame-Options", "DENY".to_string()),
        ("Referrer-Policy", "no-referrer".to_string()),
        ("Cross-Origin-Resource-Policy", "same-origin".to_string()),
        ("Cross-Origin-Opener-Policy", "same-origin".to_string()),
        ("Cache-Control", "no-store".to_string()),
    ];
    headers.extend(reply.extra);
    for (k, v) in headers {
        if let Ok(h) = tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()) {
            resp = resp.with_header(h);
        }
    }
    let _ = req.respond(resp);
}

/// The page's query parameter `key`, if any (`?lang=en&format=html`).
fn query<'a>(url: &'a str, key: &str) -> Option<&'a str> {
    let q = url.split_once('?')?.1;
    q.split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v)
}

fn lang_of(url: &str, default: Lang) -> Lang {
    match query(url, "lang") {
        Some("en") => Lang::En,
        Some("ja") => Lang::Ja,
        _ => default,
    }
}

fn route(state: &State, req: &mut tiny_http::Request) -> Reply {
    use tiny_http::Method::{Get, Post};
    let url = req.url().to_string();
    let path = url.split('?').next().unwrap_or("");
    match (req.method().clone(), path) {
        (Get, "/") => {
            let lang = lang_of(&url, state.lang);
            let page = PAGE
                .replace("{{LANG}}", if lang.is_ja() { "ja" } else { "en" })
                .replace("{{MAX}}", &state.max_upload.to_string())
                .replace("{{VERSION}}", env!("CARGO_PKG_VERSION"));
            Reply::new(200, "text/html; charset=utf-8", page)
        }
        (Get, "/page.js") => Reply::new(200, "text/javascript; charset=utf-8", PAGE_JS),
        (Get, "/page.css") => Reply::new(200, "text/css; charset=utf-8", PAGE_CSS),
        (Get, "/report.js") => Reply::new(
            200,
            "text/javascript; charset=utf-8",
            crate::render::html::SCRIPT,
        ),
        (Get, "/report.css") => {
            Reply::new(200, "text/css; charset=utf-8", crate::render::html::CSS)
        }
        (Post, "/alive") | (Post, "/bye") => {
            let mut id = String::new();
            let _ = req.as_reader().take(100).read_to_string(&mut id);
            let id = id.trim().to_string();
            if let Ok(mut p) = state.pages.lock() {
                if path == "/alive" {
                    p.seen.insert(id, Instant::now());
                    p.ever = true;
                } else {
                    p.seen.remove(&id);
                }
            }
            Reply::new(204, "text/plain", Vec::new())
        }
        // The browser asks for an icon; there is none.
        (Get, "/favicon.ico") => Reply::new(204, "text/plain", Vec::new()),
        (Post, "/check") => check_request(state, req),
        (Get, p) if p.starts_with("/report/") => report_request(state, &url, p),
        _ => Reply::error(404, "ありません", "not found"),
    }
}

/// What the page sends before the bytes: each file's name, size and role, in order.
#[derive(serde::Deserialize)]
struct Manifest {
    files: Vec<Upload>,
    #[serde(default)]
    lang: Option<String>,
}

#[derive(serde::Deserialize)]
struct Upload {
    name: String,
    size: u64,
    /// `claim`, `qualifications` (CSV, result XML, ZIP) or `history` (an earlier month).
    role: String,
}

fn too_large(state: &State) -> Reply {
    let mb = state.max_upload >> 20;
    Reply::error(
        413,
        &format!("ファイルが大きすぎます（合計 {mb} MB まで）。ファイルを分けて検査するか、recelint serve --max-upload-mb で上限を上げてください"),
        &format!("the files are too large (at most {mb} MB in all): check them in parts, or raise the limit with recelint serve --max-upload-mb"),
    )
}

/// `POST /check`: a line of JSON (the [`Manifest`]), then the files' bytes one after the
/// other. The reply: the check's id and the report's body in the page's language.
fn check_request(state: &State, req: &mut tiny_http::Request) -> Reply {
    // Not a type a form or a simple cross-site request can send: a page elsewhere would need
    // a CORS preflight, which this server never grants.
    if header(req, "Content-Type").is_none_or(|t| t.trim() != "application/octet-stream") {
        return Reply::error(
            415,
            "送られたデータの種類が正しくありません",
            "the upload must be application/octet-stream",
        );
    }
    // Room for the manifest line besides the files.
    let cap = state.max_upload + (1 << 20);
    if req.body_length().is_some_and(|n| n > cap) {
        return too_large(state);
    }
    let mut body = Vec::new();
    if let Err(e) = req.as_reader().take(cap as u64 + 1).read_to_end(&mut body) {
        return Reply::error(
            400,
            &format!("ファイルを受け取れませんでした: {e}"),
            &format!("the upload failed: {e}"),
        );
    }
    if body.len() > cap {
        return too_large(state);
    }
    let bad = || {
        Reply::error(
            400,
            "送られたデータの形が正しくありません",
            "the upload is malformed",
        )
    };
    let Some(nl) = memchr::memchr(b'\n', &body[..body.len().min(1 << 20)]) else {
        return bad();
    };
    let Ok(m) = serde_json::from_slice::<Manifest>(&body[..nl]) else {
        return bad();
    };
    let data = &body[nl + 1..];
    let total: u64 = m.files.iter().map(|f| f.size).sum();
    if total != data.len() as u64 {
        return bad();
    }
    if total as usize > state.max_upload {
        return too_large(state);
    }
    let mut up = Uploaded::default();
    let mut at = 0usize;
    for f in &m.files {
        let bytes = data[at..at + f.size as usize].to_vec();
        at += f.size as usize;
        let name = shown_name(&f.name);
        match f.role.as_str() {
            "qualifications" => up.qualifications.push((name, bytes)),
            "history" => up.history.push((name, bytes)),
            _ => up.claims.push((name, bytes)),
        }
    }
    let claims = &up.claims;
    if claims.is_empty() {
        return Reply::error(
            400,
            "請求ファイルがありません。RECEIPTC.UKE などを選んでください",
            "no claim file: choose a file such as RECEIPTC.UKE",
        );
    }
    drop(body);
    let reports = check_upload(up, &state.setup);
    let checked_at = crate::render::html::check_time();
    let lang = match m.lang.as_deref() {
        Some("en") => Lang::En,
        Some("ja") => Lang::Ja,
        _ => state.lang,
    };
    let html = crate::render::html::render(&reports, style(lang), checked_at, false);
    let id = state.next_id.fetch_add(1, Ordering::SeqCst) as u64;
    let errors: usize = reports
        .iter()
        .map(|r| r.count(crate::report::Severity::Error))
        .sum();
    if let Ok(mut k) = state.kept.lock() {
        k.push_back(Kept {
            id,
            checked_at,
            reports,
        });
        while k.len() > KEPT {
            k.pop_front();
        }
    }
    let body = serde_json::json!({ "id": id, "errors": errors, "html": html });
    Reply::new(200, "application/json; charset=utf-8", body.to_string())
}

/// What a page sent: claim files, qualification evidence (the CSV, result XML, ZIP) and
/// earlier months' claim files, each as (name, bytes).
#[derive(Debug, Default)]
struct Uploaded {
    claims: Vec<(String, Vec<u8>)>,
    qualifications: Vec<(String, Vec<u8>)>,
    history: Vec<(String, Vec<u8>)>,
}

/// The check of an upload, as `recelint check` does for files: each claim file checked from
/// its bytes, insured-number resolution with the evidence (the settings' and the upload's),
/// then the settings' rule selection and severities, then masking with `--redact`. Kept in
/// this one function so that it follows changes to the check's steps.
fn check_upload(up: Uploaded, setup: &Setup) -> Vec<FileReport> {
    use rayon::prelude::*;
    let opts = CheckOptions::default();
    let mut reports: Vec<FileReport> = up
        .claims
        .par_iter()
        .map(|(name, bytes)| check_bytes(name, bytes, &opts))
        .collect();
    let qualifications = setup
        .settings
        .qualifications
        .iter()
        .map(|p| crate::qualify::onshi::Input::Path(p.clone()))
        .chain(up.qualifications.into_iter().map(|(path, bytes)| {
            crate::qualify::onshi::Input::Bytes {
                path,
                bytes: Ok(bytes),
            }
        }))
        .collect();
    let history = setup
        .history
        .par_iter()
        .map(|p| crate::batch::history_file(p))
        .chain(up.history.par_iter().map(|(name, bytes)| {
            let mut r = check_bytes(name, bytes, &opts);
            r.diagnostics.clear();
            r
        }))
        .collect();
    crate::batch::resolve(
        &mut reports,
        crate::batch::Evidence {
            qualifications,
            history,
        },
    );
    setup.settings.apply(&mut reports);
    if setup.redact {
        crate::report::redact::redact(&mut reports);
    }
    reports
}

/// A file's name as the page gave it, without any folder, at most 200 characters.
fn shown_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name).trim();
    let base = if base.is_empty() { "upload" } else { base };
    base.chars().take(200).collect()
}

fn style(lang: Lang) -> Style {
    Style {
        lang,
        verbose: false,
        color: false,
        quiet: false,
    }
}

/// `GET /report/ID?lang=…&format=fragment|html|json`: a kept check's report again, in a
/// language (`fragment`, for the page) or as a download (`html`, `json`).
fn report_request(state: &State, url: &str, path: &str) -> Reply {
    let Some(id) = path
        .strip_prefix("/report/")
        .and_then(|s| s.parse::<u64>().ok())
    else {
        return Reply::error(404, "ありません", "not found");
    };
    let lang = lang_of(url, state.lang);
    let Ok(kept) = state.kept.lock() else {
        return Reply::error(500, "内部エラー", "internal error");
    };
    let Some(k) = kept.iter().find(|k| k.id == id) else {
        return Reply::error(
            410,
            "この検査結果はもうありません。もう一度検査してください",
            "this result is no longer kept: check the files again",
        );
    };
    let stamp = {
        // The file name carries the claim month when every file agrees.
        let months: std::collections::BTreeSet<&str> = k
            .reports
            .iter()
            .filter(|r| r.unreadable.is_none() && !r.claim_ym.is_empty())
            .map(|r| r.claim_ym.as_str())
            .collect();
        match months.iter().next() {
            Some(m) if months.len() == 1 && m.bytes().all(|b| b.is_ascii_digit()) => {
                format!("-{m}")
            }
            _ => String::new(),
        }
    };
    match query(url, "format").unwrap_or("fragment") {
        "fragment" => Reply::new(
            200,
            "text/html; charset=utf-8",
            crate::render::html::render(&k.reports, style(lang), k.checked_at, false),
        ),
        "html" => {
            let mut r = Reply::new(
                200,
                "text/html; charset=utf-8",
                crate::render::html::render(&k.reports, style(lang), k.checked_at, true),
            );
            r.extra.push((
                "Content-Disposition",
                format!("attachment; filename=\"recelint-report{stamp}.html\""),
            ));
            r
        }
        "json" => {
            let mut r = Reply::new(
                200,
                "application/json; charset=utf-8",
                crate::render::render_all(Format::Json, style(lang), &k.reports),
            );
            r.extra.push((
                "Content-Disposition",
                format!("attachment; filename=\"recelint-report{stamp}.json\""),
            ));
            r
        }
        _ => Reply::error(404, "ありません", "not found"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> State {
        State {
            port: 4242,
            max_upload: 1 << 20,
            lang: Lang::Ja,
            setup: Setup::default(),
            pages: Mutex::new(Pages::default()),
            kept: Mutex::new(VecDeque::new()),
            next_id: AtomicUsize::new(1),
            busy: AtomicUsize::new(0),
        }
    }

    #[test]
    fn stops_only_after_a_page_was_open_and_all_have_gone() {
        let s = state();
        let t0 = Instant::now();
        // Nobody has opened the page yet: keep waiting.
        assert!(!gone(&s, t0 + Duration::from_secs(600)));
        {
            let mut p = s.pages.lock().unwrap();
            p.seen.insert("a".into(), t0);
            p.ever = true;
        }
        assert!(!gone(&s, t0 + Duration::from_secs(30)));
        // Past the timeout the page is gone; the grace starts then.
        assert!(!gone(&s, t0 + PAGE_TIMEOUT + Duration::from_secs(1)));
        assert!(gone(&s, t0 + PAGE_TIMEOUT + GRACE + Duration::from_secs(1)));
        // A request being answered keeps it running.
        s.busy.store(1, Ordering::SeqCst);
        assert!(!gone(&s, t0 + PAGE_TIMEOUT + GRACE * 3));
    }

    #[test]
    fn query_and_names() {
        assert_eq!(
            query("/report/3?lang=en&format=json", "format"),
            Some("json")
        );
        assert_eq!(query("/report/3?lang=en", "format"), None);
        assert_eq!(lang_of("/?lang=en", Lang::Ja), Lang::En);
        assert_eq!(lang_of("/?lang=xx", Lang::Ja), Lang::Ja);
        assert_eq!(shown_name("C:\\請求\\RECEIPTC.UKE"), "RECEIPTC.UKE");
        assert_eq!(shown_name("../../etc/passwd"), "passwd");
        assert_eq!(shown_name(""), "upload");
    }

    #[test]
    fn checks_an_upload_in_memory() {
        let f = crate::fixture::build(include_str!("../../testdata/cli/defective.txt"));
        let up = Uploaded {
            claims: vec![("RECEIPTC.UKE".into(), f.bytes)],
            ..Uploaded::default()
        };
        let r = check_upload(up, &Setup::default());
        assert_eq!(r.len(), 1);
        assert!(r[0].count(crate::report::Severity::Error) > 0);
        assert_eq!(r[0].facility, "1234567");
        assert_eq!(r[0].facility_name, "テスト内科クリニック");
        assert_eq!(r[0].claim_ym, "202611");
        let html = crate::render::html::render(&r, style(Lang::Ja), 0, false);
        assert!(html.contains("件のエラー: このままでは返戻・受付不能の可能性があります"));
        assert!(html.contains("資格の証拠なし"));
    }
}
