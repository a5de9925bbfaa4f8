//! Hostile input: files that are not claim files, or are claim files broken on purpose.
//! Every case runs the binary as a user would, `check --format json <bad> <sample>`, and
//! asserts the exact rule codes reported on the bad file, that the valid sample given in the
//! same run is still checked (8 receipts, no error), and the exit code (2 only for a path
//! that could not be read at all, 1 when there are errors, 0 otherwise).
//!
//! Inputs are built in a temporary folder under `std::env::temp_dir()`, removed at the end of
//! each test (also when it fails).

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn sample() -> PathBuf {
    root().join("testdata/sample/RECEIPTC.UKE")
}

fn sample_bytes() -> Vec<u8> {
    std::fs::read(sample()).unwrap()
}

/// The sample's records (without line ends and without the 0x1A mark).
fn sample_records() -> Vec<Vec<u8>> {
    let b = sample_bytes();
    let body = b.strip_suffix(&[0x1A]).unwrap();
    let body = body.strip_suffix(b"\r\n").unwrap();
    body.split(|&c| c == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l).to_vec())
        .collect()
}

/// Records joined with CR LF, a final CR LF and the 0x1A mark, as the spec wants.
fn claim(records: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for r in records {
        out.extend_from_slice(r);
        out.extend_from_slice(b"\r\n");
    }
    out.push(0x1A);
    out
}

/// The sample as readable text (its UTF-8 twin, comments dropped), records joined by CR LF.
fn sample_text() -> String {
    let t = std::fs::read_to_string(root().join("testdata/sample/RECEIPTC.UKE.txt")).unwrap();
    let mut s = String::new();
    for l in t.lines().filter(|l| !l.starts_with('#')) {
        s.push_str(l);
        s.push_str("\r\n");
    }
    s.push('\x1A');
    s
}

/// A seeded PRNG (splitmix64), so every "random" input is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

/// A temporary folder, removed when dropped.
struct Tmp(PathBuf);

impl Tmp {
    fn new(name: &str) -> Tmp {
        let d =
            std::env::temp_dir().join(format!("recelint-hostile-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Tmp(d)
    }
    fn path(&self, rel: &str) -> PathBuf {
        self.0.join(rel)
    }
    fn write(&self, rel: &str, bytes: &[u8]) -> PathBuf {
        let p = self.path(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&p, bytes).unwrap();
        p
    }
}

impl Drop for Tmp {
    fn drop(&mut self) {
        #[cfg(unix)]
        {
            // A file left at mode 000 by a failed test must not stop the clean-up.
            use std::os::unix::fs::PermissionsExt;
            if let Ok(rd) = std::fs::read_dir(&self.0) {
                for e in rd.flatten() {
                    let _ =
                        std::fs::set_permissions(e.path(), std::fs::Permissions::from_mode(0o644));
                }
            }
        }
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs the binary with `args`, killing it (and failing) if it takes longer than `limit`.
fn run_args(args: &[&std::ffi::OsStr], limit: Duration) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_recelint"))
        .env_remove("NO_COLOR")
        .env_remove("FORCE_COLOR")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Drain the pipes on threads so a large output cannot block the child.
    let mut so = child.stdout.take().unwrap();
    let mut se = child.stderr.take().unwrap();
    let t_out = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut so, &mut v).unwrap();
        v
    });
    let t_err = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut se, &mut v).unwrap();
        v
    });
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("recelint {args:?} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Output {
        status,
        stdout: t_out.join().unwrap(),
        stderr: t_err.join().unwrap(),
    }
}

/// What a run said.
struct Run {
    code: i32,
    json: Value,
    stdout_len: usize,
    stderr: String,
}

impl Run {
    fn files(&self) -> &Vec<Value> {
        self.json["files"].as_array().expect("files[]")
    }
    /// The distinct codes of the errors and warnings reported on the file at `path` (infos,
    /// such as C002 for the sample's 「●」 names, are left out).
    fn codes(&self, path: &Path) -> BTreeSet<String> {
        let p = path.display().to_string();
        self.json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["path"] == p.as_str() && d["severity"] != "info")
            .map(|d| d["code"].as_str().unwrap().to_string())
            .collect()
    }
    fn diags(&self, path: &Path, code: &str) -> Vec<&Value> {
        let p = path.display().to_string();
        self.json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["path"] == p.as_str() && d["code"] == code)
            .collect()
    }
    /// The sample, given after the hostile file, was checked as usual.
    fn assert_sample_checked(&self) {
        let s = sample().display().to_string();
        let f = self
            .files()
            .iter()
            .find(|f| f["path"] == s.as_str())
            .unwrap_or_else(|| {
                panic!("the sample is missing from files[]: {}", self.json["files"])
            });
        assert_eq!(f["receipts"], 8, "the valid file is still checked: {f}");
        assert_eq!(f["errors"], 0, "{f}");
        assert!(f.get("error").is_none_or(Value::is_null), "{f}");
    }
}

/// `check --format json --lang en <paths…> <sample>`.
fn check_with_sample(paths: &[&Path]) -> Run {
    check_with_sample_limit(paths, Duration::from_secs(120))
}

fn check_with_sample_limit(paths: &[&Path], limit: Duration) -> Run {
    let s = sample();
    let mut args: Vec<&std::ffi::OsStr> = ["check", "--format", "json", "--lang", "en"]
        .iter()
        .map(std::ffi::OsStr::new)
        .collect();
    args.extend(paths.iter().map(|p| p.as_os_str()));
    args.push(s.as_os_str());
    let o = run_args(&args, limit);
    let code = o
        .status
        .code()
        .unwrap_or_else(|| panic!("killed by a signal: {:?}", o.status));
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "recelint panicked: {stderr}");
    let json: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON document ({e}); exit {code}; stderr: {stderr}; stdout starts {:?}",
            String::from_utf8_lossy(&o.stdout[..o.stdout.len().min(500)])
        )
    });
    let r = Run {
        code,
        json,
        stdout_len: o.stdout.len(),
        stderr,
    };
    r.assert_sample_checked();
    r
}

fn set(codes: &[&str]) -> BTreeSet<String> {
    codes.iter().map(|c| c.to_string()).collect()
}

/// The most common shape of a case: one bad file plus the sample.
fn one(t: &Tmp, name: &str, bytes: &[u8]) -> (PathBuf, Run) {
    let p = t.write(name, bytes);
    let r = check_with_sample(&[&p]);
    (p, r)
}

#[test]
fn empty_file_is_f007() {
    let t = Tmp::new("empty");
    let (p, r) = one(&t, "EMPTY.UKE", b"");
    assert_eq!(r.codes(&p), set(&["F007"]));
    assert_eq!(r.code, 1);
    assert_eq!(r.files()[0]["receipts"], 0);
}

#[test]
fn a_file_of_only_the_eof_mark_is_f007() {
    let t = Tmp::new("sub");
    let (p, r) = one(&t, "SUB.UKE", b"\x1A");
    // No F004 (the mark is there) and no F005 (nothing follows it).
    assert_eq!(r.codes(&p), set(&["F007"]));
    assert_eq!(r.code, 1);
}

#[test]
fn utf8_without_bom_is_f002() {
    let t = Tmp::new("utf8");
    let (p, r) = one(&t, "UTF8.UKE", sample_text().as_bytes());
    let f002 = r.diags(&p, "F002");
    assert_eq!(f002.len(), 1);
    assert!(
        f002[0]["message"].as_str().unwrap().contains("UTF-8"),
        "{}",
        f002[0]
    );
    assert!(
        !f002[0]["message"].as_str().unwrap().contains("BOM"),
        "{}",
        f002[0]
    );
    // Fixed (the Q rules read the UTF-8 text as Shift_JIS: false Q002/Q003/Q004, and Q008
    // against the sample): a file in the wrong encoding gets F002 and structure findings only;
    // the Q rules wait until it is saved as Shift_JIS.
    assert_eq!(r.codes(&p), set(&["F002"]));
    assert_eq!(
        r.files()[0]["receipts"],
        8,
        "its structure is still checked"
    );
    assert_eq!(r.code, 1);
}

#[test]
fn utf8_with_bom_is_f002() {
    let t = Tmp::new("utf8bom");
    let mut b = vec![0xEF, 0xBB, 0xBF];
    b.extend_from_slice(sample_text().as_bytes());
    let (p, r) = one(&t, "UTF8BOM.UKE", &b);
    let f002 = r.diags(&p, "F002");
    assert_eq!(f002.len(), 1);
    assert!(
        f002[0]["message"]
            .as_str()
            .unwrap()
            .contains("UTF-8 with a BOM"),
        "{}",
        f002[0]
    );
    // Fixed as for UTF-8 without a BOM: F002 only.
    assert_eq!(r.codes(&p), set(&["F002"]));
    assert_eq!(
        r.files()[0]["receipts"],
        8,
        "the BOM is skipped and records are read"
    );
    assert_eq!(r.code, 1);
}

fn utf16(s: &str, be: bool, bom: bool) -> Vec<u8> {
    let mut out = Vec::new();
    if bom {
        out.extend_from_slice(if be { &[0xFE, 0xFF] } else { &[0xFF, 0xFE] });
    }
    for u in s.encode_utf16() {
        out.extend_from_slice(&if be { u.to_be_bytes() } else { u.to_le_bytes() });
    }
    out
}

#[test]
fn utf16_le_and_be_are_f002_only() {
    let t = Tmp::new("utf16");
    let text = sample_text();
    let cases = [
        ("LE_BOM.UKE", false, true, "UTF-16LE with a BOM"),
        ("BE_BOM.UKE", true, true, "UTF-16BE with a BOM"),
        ("LE.UKE", false, false, "UTF-16LE"),
        ("BE.UKE", true, false, "UTF-16BE"),
    ];
    let paths: Vec<PathBuf> = cases
        .iter()
        .map(|(n, be, bom, _)| t.write(n, &utf16(&text, *be, *bom)))
        .collect();
    let refs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    let r = check_with_sample(&refs);
    for (p, (_, _, _, what)) in paths.iter().zip(&cases) {
        // Nothing of a UTF-16 file can be read as records: F002 alone.
        assert_eq!(r.codes(p), set(&["F002"]), "{}", p.display());
        let m = r.diags(p, "F002")[0]["message"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(m.contains(&format!("saved as {what};")), "{m}");
    }
    for f in &r.files()[..4] {
        assert_eq!(f["receipts"], 0, "{f}");
    }
    assert_eq!(r.code, 1);
}

#[test]
fn random_binary_does_not_panic() {
    let t = Tmp::new("random");
    let bytes = Rng(0x5EED_0001).bytes(64 * 1024);
    let (p, r) = one(&t, "RANDOM.UKE", &bytes);
    let codes = r.codes(&p);
    assert!(
        codes.contains("F001") || codes.contains("S003"),
        "{codes:?}"
    );
    // Garbage is reported per record id / field count once, not once per line: bounded.
    assert!(r.stdout_len < 4 << 20, "{} bytes of output", r.stdout_len);
    assert_eq!(r.code, 1);
}

#[test]
fn truncated_file_mid_record() {
    let t = Tmp::new("trunc");
    let b = sample_bytes();
    // Cut 40 bytes into receipt 6's RE record (line 29): no GO, no 0x1A, no final line end.
    let at = b.windows(6).position(|w| w == b"\nRE,6,").unwrap() + 1 + 40;
    let (p, r) = one(&t, "TRUNC.UKE", &b[..at]);
    assert_eq!(
        r.codes(&p),
        // S002: no GO; F004: no 0x1A; F003: the last record has no line end; the cut RE has
        // too few fields (S009) and its receipt no HO / SY / SI (S006, S007, S008).
        set(&["F003", "F004", "S002", "S006", "S007", "S008", "S009"])
    );
    let f003 = r.diags(&p, "F003");
    assert_eq!(f003[0]["line"], 29);
    assert!(f003[0]["message"].as_str().unwrap().contains("no line end"));
    assert_eq!(r.files()[0]["receipts"], 6);
    assert_eq!(r.code, 1);
}

#[test]
fn missing_path_exits_two_and_names_the_file() {
    let t = Tmp::new("missing");
    let p = t.path("NO-SUCH-FILE.UKE");
    let r = check_with_sample(&[&p]);
    assert_eq!(r.code, 2);
    let f = &r.files()[0];
    assert_eq!(f["path"], p.display().to_string().as_str());
    assert!(f["error"].as_str().unwrap().contains("no such file"), "{f}");
    assert!(r.stderr.contains("NO-SUCH-FILE.UKE"), "{}", r.stderr);
    assert!(r.codes(&p).is_empty());
}

#[cfg(unix)]
#[test]
fn unreadable_file_exits_two_and_names_the_file() {
    use std::os::unix::fs::PermissionsExt;
    let t = Tmp::new("perm");
    let p = t.write("LOCKED.UKE", &sample_bytes());
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&p).is_ok() {
        // Running as root (or with CAP_DAC_OVERRIDE): anything can be read, nothing to test.
        eprintln!("skipped: a mode-000 file is still readable here (running as root?)");
        return;
    }
    let r = check_with_sample(&[&p]);
    assert_eq!(r.code, 2);
    assert!(r.files()[0]["error"]
        .as_str()
        .unwrap()
        .contains("permission denied"));
    assert!(r.stderr.contains("LOCKED.UKE"), "{}", r.stderr);
}

#[test]
fn cr_only_line_ends_are_one_f003_with_the_count() {
    let t = Tmp::new("cr");
    let b = sample_bytes();
    let lines = b.windows(2).filter(|w| w == b"\r\n").count();
    let mut cr = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"\r\n") {
            cr.push(b'\r');
            i += 2;
        } else {
            cr.push(b[i]);
            i += 1;
        }
    }
    let (p, r) = one(&t, "CR.UKE", &cr);
    assert_eq!(r.codes(&p), set(&["F003"]));
    let f003 = r.diags(&p, "F003");
    assert_eq!(f003.len(), 1, "once per file");
    let m = f003[0]["message"].as_str().unwrap();
    assert!(
        m.contains("CR only") && m.contains(&format!("{lines} line(s)")),
        "{m}"
    );
    assert_eq!(f003[0]["line"], 1);
    assert_eq!(r.files()[0]["receipts"], 8, "records are still read");
    assert_eq!(r.code, 1);
}

#[test]
fn nul_bytes_in_a_name_are_f001() {
    let t = Tmp::new("nul");
    let mut recs = sample_records();
    // RE 1, field 4 (氏名): 山田\0\0太郎.
    let mut f: Vec<Vec<u8>> = recs[1].split(|&c| c == b',').map(<[u8]>::to_vec).collect();
    f[4] = [&f[4][..4], b"\0\0", &f[4][4..]].concat();
    recs[1] = f.join(&b',');
    let (p, r) = one(&t, "NUL.UKE", &claim(&recs));
    assert_eq!(r.codes(&p), set(&["F001"]));
    let d = r.diags(&p, "F001");
    assert_eq!(d.len(), 1, "one F001 per record");
    assert_eq!(
        (d[0]["line"].clone(), d[0]["field"].clone()),
        (2.into(), 4.into())
    );
    assert!(
        d[0]["message"].as_str().unwrap().contains("0x00"),
        "{}",
        d[0]
    );
    assert_eq!(r.code, 1);
}

#[test]
fn ten_thousand_commas_in_a_field() {
    let t = Tmp::new("commas");
    let mut recs = sample_records();
    // The comment text of receipt 6's first CO record (line 34) holds 10,000 commas.
    let at = recs.iter().position(|r| r.starts_with(b"CO,")).unwrap();
    let commas = vec![b','; 10_000];
    recs[at] = [&recs[at][..], &commas[..]].concat();
    let (p, r) = one(&t, "COMMAS.UKE", &claim(&recs));
    assert_eq!(r.codes(&p), set(&["S009"]));
    let d = r.diags(&p, "S009");
    assert_eq!(d.len(), 1);
    assert!(
        d[0]["message"].as_str().unwrap().contains("10005 fields"),
        "{}",
        d[0]
    );
    assert!(
        r.stdout_len < 64 * 1024,
        "bounded output: {} bytes",
        r.stdout_len
    );
    assert_eq!(r.code, 0, "S009 is a warning");
    // The text format shows the line, cut to a bounded length.
    let o = run_args(
        &[
            "check".as_ref(),
            "--format".as_ref(),
            "text".as_ref(),
            p.as_os_str(),
        ],
        Duration::from_secs(60),
    );
    assert_eq!(o.status.code(), Some(0));
    assert!(
        o.stdout.len() < 64 * 1024,
        "bounded text output: {} bytes",
        o.stdout.len()
    );
}

/// Findings are capped in number per rule, and each keeps a bounded copy of its value: a
/// 60,000-byte field repeated on many records must not make every finding carry it (the
/// value, the message and the source window are all cut).
#[test]
fn a_huge_field_value_is_shown_cut() {
    let t = Tmp::new("hugefield");
    let mut recs = sample_records();
    let at = recs.iter().position(|r| r.starts_with(b"SI,")).unwrap();
    let mut f: Vec<Vec<u8>> = recs[at].split(|&b| b == b',').map(<[u8]>::to_vec).collect();
    f[3] = vec![b'9'; 60_000]; // 診療行為コード, 9 digits in the layout
    let line = f.join(&b',');
    for _ in 0..200 {
        recs.insert(at, line.clone());
    }
    let (p, r) = one(&t, "HUGE.UKE", &claim(&recs));
    assert_eq!(r.codes(&p), set(&["V003"]));
    let d = r.diags(&p, "V003");
    assert_eq!(d.len(), 200, "one V003 (fixed length) per copied record");
    for x in &d {
        let value = x["value"].as_str().unwrap();
        assert!(value.len() < 300, "value of {} bytes", value.len());
        assert!(value.ends_with("…(60000 bytes)"), "{value}");
    }
    assert!(
        r.stdout_len < 2 << 20,
        "bounded output: {} bytes",
        r.stdout_len
    );
    let o = run_args(
        &[
            "check".as_ref(),
            "--format".as_ref(),
            "text".as_ref(),
            p.as_os_str(),
        ],
        Duration::from_secs(60),
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        o.stdout.len() < 4 << 20,
        "bounded text output: {} bytes",
        o.stdout.len()
    );
}

#[test]
fn a_receipt_with_100_000_si_records() {
    let t = Tmp::new("si");
    let recs = sample_records();
    let si = recs.iter().position(|r| r.starts_with(b"SI,")).unwrap();
    let mut big: Vec<Vec<u8>> = recs[..=si].to_vec();
    big.extend(std::iter::repeat_n(recs[si].clone(), 99_999));
    big.extend_from_slice(&recs[si + 1..]);
    let start = Instant::now();
    let (p, r) = one(&t, "MANY_SI.UKE", &claim(&big));
    eprintln!(
        "100,000 SI records: {:?} (including the sample)",
        start.elapsed()
    );
    // The copies are valid records: nothing to report (their points do not enter the totals).
    assert_eq!(r.codes(&p), set(&[]));
    assert_eq!(r.files()[0]["records"], recs.len() as u64 + 99_999);
    assert_eq!(r.code, 0);
}

#[test]
fn a_lone_re_line() {
    let t = Tmp::new("lonere");
    let (p, r) = one(&t, "RE.UKE", b"RE\r\n\x1A");
    assert_eq!(
        r.codes(&p),
        set(&["S001", "S002", "S007", "S008", "S009", "V007"])
    );
    assert_eq!(r.files()[0]["receipts"], 1);
    assert_eq!(r.code, 1);
}

#[test]
fn eighteen_digit_days_do_not_overflow_s014() {
    // 31 days of 999,999,999,999,999,999 sum past u64::MAX; the check used to panic on
    // that in a debug build (X001) and wrap around in a release build.
    let t = Tmp::new("bigdays");
    let mut recs = sample_records();
    let at = recs.iter().position(|r| r.starts_with(b"SI,")).unwrap();
    let big = "999999999999999999";
    let days = vec![big; 31].join(",");
    let si = format!("SI,11,1,111000110,,291,{big},,,,,,,{days},,,,,,,,,,,,,,");
    recs.insert(at, si.into_bytes());
    let (p, r) = one(&t, "BIGDAYS.UKE", &claim(&recs));
    let codes = r.codes(&p);
    assert!(!codes.contains("X001"), "{codes:?}");
    let s014 = r.diags(&p, "S014");
    assert_eq!(s014.len(), 1, "{s014:?}");
    let msg = s014[0]["message"].as_str().unwrap();
    assert!(msg.contains("30999999999999999969"), "{msg}");
}

#[test]
fn duplicate_ir_is_s016() {
    let t = Tmp::new("dupir");
    let recs = sample_records();
    let mut dup = vec![recs[0].clone()];
    dup.extend(recs.iter().cloned());
    let (p, r) = one(&t, "DUPIR.UKE", &claim(&dup));
    assert_eq!(r.codes(&p), set(&["S016"]));
    let d = r.diags(&p, "S016");
    assert_eq!(d.len(), 1);
    assert_eq!(d[0]["line"], 2);
    assert_eq!(r.code, 1);
}

#[test]
fn same_name_in_two_folders_is_reported_twice_with_distinct_paths() {
    let t = Tmp::new("samename");
    let recs = sample_records();
    let mut dup = vec![recs[0].clone()];
    dup.extend(recs.iter().cloned());
    let a = t.write("batch/a/RECEIPTC.UKE", &claim(&dup));
    let b = t.write("batch/b/RECEIPTC.UKE", &sample_bytes());
    let r = check_with_sample(&[&t.path("batch")]);
    let paths: Vec<&str> = r
        .files()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    let (sa, sb) = (a.display().to_string(), b.display().to_string());
    assert_eq!(paths.len(), 3, "{paths:?}");
    assert_eq!(paths[0], sa);
    assert_eq!(paths[1], sb);
    assert_ne!(paths[0], paths[1]);
    // Each finding names its own file.
    assert_eq!(r.codes(&a), set(&["S016"]));
    assert_eq!(r.codes(&b), set(&[]));
    assert_eq!(r.files()[1]["receipts"], 8);
    assert_eq!(r.code, 1);
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_inside_a_folder_terminates() {
    use std::os::unix::fs::symlink;
    let t = Tmp::new("loop");
    let real = t.write("claims/x/RECEIPTC.UKE", &sample_bytes());
    // A folder link back up (a cycle if followed), a link to itself (ELOOP if opened), a
    // two-link cycle, and a link to a claim file the walk finds anyway: none of them is
    // checked (a link to a file no other path reaches is: tests/cli.rs).
    symlink("..", t.path("claims/x/up")).unwrap();
    symlink(t.path("claims"), t.path("claims/x/abs")).unwrap();
    symlink("SELF.UKE", t.path("claims/SELF.UKE")).unwrap();
    symlink("B.UKE", t.path("claims/A.UKE")).unwrap();
    symlink("A.UKE", t.path("claims/B.UKE")).unwrap();
    symlink(&real, t.path("claims/LINK.UKE")).unwrap();
    let r = check_with_sample_limit(&[&t.path("claims")], Duration::from_secs(30));
    let paths: Vec<&str> = r
        .files()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [real.display().to_string(), sample().display().to_string()],
        "loops, folder links and a link beside its target are not followed"
    );
    assert_eq!(r.code, 0);

    // The self-link named directly is a path that cannot be read: exit 2, the file is named.
    let self_link = t.path("claims/SELF.UKE");
    let r = check_with_sample_limit(&[&self_link], Duration::from_secs(30));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("SELF.UKE"), "{}", r.stderr);
    assert!(r.files()[0]["error"].as_str().is_some());
}

/// CRC-32 (IEEE), for well-formed archives.
fn crc32(data: &[u8]) -> u32 {
    let mut c = !0u32;
    for &b in data {
        c ^= b as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 {
                (c >> 1) ^ 0xEDB8_8320
            } else {
                c >> 1
            };
        }
    }
    !c
}

/// A valid ZIP archive holding `name` stored (method 0).
fn zip_stored(name: &str, data: &[u8]) -> Vec<u8> {
    let (crc, n, len) = (crc32(data), name.len() as u16, data.len() as u32);
    let mut z = Vec::new();
    z.extend_from_slice(b"PK\x03\x04");
    z.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0x21, 0]); // version, flags, method, time, date
    z.extend_from_slice(&crc.to_le_bytes());
    z.extend_from_slice(&len.to_le_bytes());
    z.extend_from_slice(&len.to_le_bytes());
    z.extend_from_slice(&n.to_le_bytes());
    z.extend_from_slice(&0u16.to_le_bytes());
    z.extend_from_slice(name.as_bytes());
    z.extend_from_slice(data);
    let cd = z.len() as u32;
    z.extend_from_slice(b"PK\x01\x02");
    z.extend_from_slice(&[20, 3, 20, 0, 0, 0, 0, 0, 0, 0, 0x21, 0]);
    z.extend_from_slice(&crc.to_le_bytes());
    z.extend_from_slice(&len.to_le_bytes());
    z.extend_from_slice(&len.to_le_bytes());
    z.extend_from_slice(&n.to_le_bytes());
    z.extend_from_slice(&[0; 8]); // extra, comment, disk, internal attributes
    z.extend_from_slice(&0o100644u32.wrapping_shl(16).to_le_bytes()); // external attributes
    z.extend_from_slice(&0u32.to_le_bytes()); // local header offset
    z.extend_from_slice(name.as_bytes());
    let cd_len = z.len() as u32 - cd;
    z.extend_from_slice(b"PK\x05\x06");
    z.extend_from_slice(&[0, 0, 0, 0, 1, 0, 1, 0]);
    z.extend_from_slice(&cd_len.to_le_bytes());
    z.extend_from_slice(&cd.to_le_bytes());
    z.extend_from_slice(&0u16.to_le_bytes());
    z
}

/// A valid gzip member holding `data` in stored deflate blocks.
fn gzip_stored(data: &[u8]) -> Vec<u8> {
    let mut g = vec![0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3];
    let chunks: Vec<&[u8]> = data.chunks(65535).collect();
    for (i, c) in chunks.iter().enumerate() {
        g.push(u8::from(i + 1 == chunks.len()));
        let n = c.len() as u16;
        g.extend_from_slice(&n.to_le_bytes());
        g.extend_from_slice(&(!n).to_le_bytes());
        g.extend_from_slice(c);
    }
    g.extend_from_slice(&crc32(data).to_le_bytes());
    g.extend_from_slice(&(data.len() as u32).to_le_bytes());
    g
}

#[test]
fn a_zip_archive_given_by_mistake() {
    let t = Tmp::new("zip");
    let (p, r) = one(
        &t,
        "RECEIPTC.zip",
        &zip_stored("RECEIPTC.UKE", &sample_bytes()),
    );
    // Recognised from its first bytes (PK 03 04): one clear error, nothing read as records
    // (before F008 it gave S001 with the archive header as a record id, S003, F001, F005).
    assert_eq!(r.codes(&p), set(&["F008"]));
    let m = r.diags(&p, "F008")[0]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(m.contains("ZIP archive") && m.contains("unpack"), "{m}");
    assert_eq!(r.files()[0]["receipts"], 0);
    assert_eq!(r.code, 1);
}

#[test]
fn a_gzip_file_given_by_mistake() {
    let t = Tmp::new("gz");
    let (p, r) = one(&t, "RECEIPTC.UKE.gz", &gzip_stored(&sample_bytes()));
    // Recognised from its first bytes (1F 8B), whatever the name says.
    assert_eq!(r.codes(&p), set(&["F008"]));
    let m = r.diags(&p, "F008")[0]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(m.contains("GZIP") && m.contains("unpack"), "{m}");
    assert_eq!(r.files()[0]["receipts"], 0);
    assert_eq!(r.code, 1);
}

#[test]
fn twenty_megabytes_without_a_newline() {
    let t = Tmp::new("nonewline");
    // 20 MiB of letters and digits: one line with no comma, no line end and no 0x1A.
    // (Memory use is not measured here.)
    let mut rng = Rng(0x5EED_0020);
    const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let bytes: Vec<u8> = (0..20 << 20)
        .map(|_| ALNUM[(rng.next() % ALNUM.len() as u64) as usize])
        .collect();
    let start = Instant::now();
    let (p, r) = one(&t, "NONEWLINE.UKE", &bytes);
    eprintln!("20 MiB without a newline: {:?}", start.elapsed());
    // F009: the record is cut at 64 KiB for checking; S001 / S003 show the id cut short.
    assert_eq!(
        r.codes(&p),
        set(&["F003", "F004", "F009", "S001", "S002", "S003"])
    );
    let s001 = r.diags(&p, "S001");
    assert!(
        s001[0]["message"].as_str().unwrap().len() < 200,
        "{}",
        s001[0]
    );
    assert!(
        r.stdout_len < 1 << 20,
        "bounded output: {} bytes",
        r.stdout_len
    );
    assert_eq!(r.code, 1);
    // Fixed (was two records cut at 16 MiB): a line with no line end stays one record; the
    // reader keeps its first 64 KiB for F009 and skips the rest of the line.
    assert_eq!(r.files()[0]["records"], 1);
    let f009 = r.diags(&p, "F009");
    assert_eq!(f009.len(), 1);
    assert_eq!(f009[0]["line"], 1);
}

#[test]
fn terminal_control_sequences_are_shown_as_symbols() {
    let t = Tmp::new("esc");
    let mut recs = sample_records();
    // An ESC sequence (clear screen) as a record id, and an OSC title sequence in a name.
    recs.insert(1, b"\x1b[2J\x1b[31mZZ,1".to_vec());
    let mut f: Vec<Vec<u8>> = recs[2].split(|&c| c == b',').map(<[u8]>::to_vec).collect();
    f[4] = b"\x1b]0;pwned\x07".to_vec();
    recs[2] = f.join(&b',');
    let (p, r) = one(&t, "ESC.UKE", &claim(&recs));
    assert!(r.codes(&p).contains("S003") && r.codes(&p).contains("F001"));
    assert_eq!(r.code, 1);
    // Fixed (the ESC bytes reached the terminal): control characters in messages and source
    // lines are shown as symbols (␛), so a hostile file cannot clear, recolour or retitle the
    // terminal.
    for fmt in ["concise", "text", "github"] {
        let o = run_args(
            &[
                "check".as_ref(),
                "--format".as_ref(),
                fmt.as_ref(),
                p.as_os_str(),
            ],
            Duration::from_secs(60),
        );
        assert_eq!(o.status.code(), Some(1));
        assert!(
            !o.stdout.contains(&0x1B),
            "{fmt}: a raw ESC reached the output"
        );
        assert!(
            String::from_utf8_lossy(&o.stdout).contains('␛'),
            "{fmt}: shown as a symbol"
        );
    }
}

#[test]
fn a_utf8_qualifications_csv_with_one_bad_byte() {
    let t = Tmp::new("csv");
    let good = "patient_id,status,insurer,number\n1004,無効,06132013,102\n1005,有効,06132013,201\n";
    let mut bad = good.as_bytes().to_vec();
    bad.extend_from_slice(b"1006,\xE6\x9C\x89\xFF,06132013,301\n");
    let csv = t.write("quals.csv", &bad);
    let s = sample();
    let o = run_args(
        &[
            "check".as_ref(),
            "--format".as_ref(),
            "json".as_ref(),
            "--lang".as_ref(),
            "en".as_ref(),
            "--qualifications".as_ref(),
            csv.as_os_str(),
            s.as_os_str(),
        ],
        Duration::from_secs(60),
    );
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let q011: Vec<&Value> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "Q011")
        .collect();
    // Fixed (one stray byte made the whole UTF-8 file decode as Shift_JIS, losing every row):
    // a mostly-UTF-8 file stays UTF-8 and only the row with the bad byte is unusable.
    assert_eq!(q011.len(), 1, "{q011:?}");
    assert_eq!(q011[0]["line"], 4, "{}", q011[0]);
    assert_eq!(o.status.code(), Some(0), "Q011 is a warning");
}

#[test]
fn a_quote_in_an_re_record_is_named_under_its_own_receipt() {
    let t = Tmp::new("quote-re");
    let mut recs = sample_records();
    // RE 2 (line 8): a quote before the name.
    let at = recs.iter().position(|r| r.starts_with(b"RE,2,")).unwrap();
    assert!(recs[at].starts_with(b"RE,2,1116,202610,"));
    recs[at].insert(17, b'"');
    let (p, r) = one(&t, "QUOTE_RE.UKE", &claim(&recs));
    assert_eq!(r.codes(&p), set(&["F006", "V006"]));
    let f006 = r.diags(&p, "F006");
    assert_eq!(f006[0]["line"], 8);
    // Fixed (line-level findings of an RE were named under the previous receipt): receipt 2.
    assert_eq!(f006[0]["receipt"], 2);
    assert_eq!(r.diags(&p, "V006")[0]["receipt"], 2);
    assert_eq!(r.code, 1);
}

#[test]
fn a_cr_only_file_over_16_mib_is_cut_at_a_line_end() {
    let t = Tmp::new("cr-big");
    let recs = sample_records();
    let (ir, body, go) = (&recs[0], &recs[1..recs.len() - 1], &recs[recs.len() - 1]);
    // 9,000 copies of the sample's 8 receipts, renumbered, with a GO that adds up: 20.8 MB
    // with CR-only line ends, so the file has no "\nRE," receipt boundary to cut chunks at.
    let copies = 9_000;
    let mut out = ir.clone();
    out.push(b'\r');
    let mut n = 0;
    for _ in 0..copies {
        for r in body {
            if r.starts_with(b"RE,") {
                n += 1;
                let rest = &r[r[3..].iter().position(|&c| c == b',').unwrap() + 3..];
                out.extend_from_slice(format!("RE,{n}").as_bytes());
                out.extend_from_slice(rest);
            } else {
                out.extend_from_slice(r);
            }
            out.push(b'\r');
        }
    }
    assert!(go.starts_with(b"GO,9,2314,99"));
    out.extend_from_slice(format!("GO,{},{},99\r\x1A", 9 * copies, 2314 * copies).as_bytes());
    assert!(out.len() > 16 << 20);
    let (p, r) = one(&t, "BIG_CR.UKE", &out);
    let f = &r.files()[0];
    assert_eq!(f["receipts"], 8 * copies as u64);
    // Fixed (the reader cut inside a record when no LF came in 16 MiB): a lone CR is a line
    // end to the reader too, so only F003 is reported and every record is counted once.
    assert_eq!(r.codes(&p), set(&["F003"]));
    assert_eq!(f["records"], (body.len() * copies + 2) as u64);
    assert_eq!(r.code, 1);
}

#[test]
fn a_record_of_many_gaiji_fields_is_one_finding() {
    let t = Tmp::new("gaiji");
    let mut recs = sample_records();
    // Receipt 6's first CO record: 1,000 extra fields, each one user-defined 外字 (0xF040).
    let at = recs.iter().position(|r| r.starts_with(b"CO,")).unwrap();
    let extra: Vec<u8> = b",\xF0\x40".repeat(1000);
    recs[at].extend_from_slice(&extra);
    let bytes = claim(&recs);
    let (p, r) = one(&t, "GAIJI.UKE", &bytes);
    assert_eq!(r.codes(&p), set(&["C001", "S009"]));
    assert_eq!(r.code, 1);
    // Fixed (C001 was reported per field: 1,000 errors, and megabytes of text output): one
    // C001 per record.
    assert_eq!(r.diags(&p, "C001").len(), 1);
    let o = run_args(
        &[
            "check".as_ref(),
            "--format".as_ref(),
            "text".as_ref(),
            p.as_os_str(),
        ],
        Duration::from_secs(60),
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        o.stdout.len() < 20 * bytes.len(),
        "{} bytes of text for {} bytes of input",
        o.stdout.len(),
        bytes.len()
    );
}

/// A qualifications CSV row can hold anything: a 50,000-character 番号 on the current row
/// must not be copied whole into every message that names that qualification (the fuzzer
/// found one such CSV making 48 MB of output for 311 receipts; text took 1.6 s).
#[test]
fn a_huge_value_in_the_qualifications_csv_is_shown_cut() {
    let case = root().join("testdata/qualify/q006_past_claimed_while_current_known");
    let src = std::fs::read_to_string(case.join("check.txt")).unwrap();
    let bytes = recelint::fixture::build(&src).bytes;
    let huge = "あ".repeat(50_000);
    let csv = std::fs::read_to_string(case.join("qualifications.csv"))
        .unwrap()
        .replace(",4567,", &format!(",{huge},"));
    let mut reports = vec![recelint::check::check_bytes(
        "q.UKE",
        &bytes,
        &recelint::check::CheckOptions::default(),
    )];
    let evidence = recelint::batch::Evidence {
        qualifications: vec![recelint::qualify::onshi::Input::Bytes {
            path: "q.csv".into(),
            bytes: Ok(csv.into_bytes()),
        }],
        history: Vec::new(),
    };
    recelint::batch::resolve(&mut reports, evidence);
    let q006: Vec<_> = reports[0]
        .diagnostics
        .iter()
        .filter(|d| d.rule.code == "Q006")
        .collect();
    assert_eq!(q006.len(), 1);
    let m = q006[0].message(recelint::report::Lang::Ja);
    assert!(m.len() < 1024, "message of {} bytes", m.len());
    assert!(m.contains("…(150000 bytes)"), "{m}");
}

/// Every cut and many byte changes of a result file, of its Shift_JIS form and of a ZIP
/// archive holding it: a finding or nothing, never a panic, and never a result out of bytes
/// that do not parse.
#[test]
fn damaged_result_files_never_panic() {
    use recelint::qualify::onshi::{read, zip, Input};
    let x = std::fs::read(root().join(
        "testdata/qualify/q014_care_outside_result_dates/res/OQSsiquc01res_20260415000001.xml",
    ))
    .unwrap();
    let sjis = recelint::encoding::sjis::encode(
        &String::from_utf8(x.clone())
            .unwrap()
            .replace("UTF-8", "Shift_JIS"),
    );
    let z = zip::stored(&[("OQSmuquc02res_1.xml", &x)]);
    for base in [&x, &sjis, &z] {
        let step = (base.len() / 300).max(1);
        for cut in (0..base.len()).step_by(step) {
            let mut flipped = base.to_vec();
            flipped[cut] ^= 0xA5;
            for bytes in [base[..cut].to_vec(), flipped] {
                let _ = read(vec![Input::Bytes {
                    path: "r.xml".into(),
                    bytes: Ok(bytes),
                }]);
            }
        }
    }
    // A whole, valid file still gives its one result.
    let (rows, said) = read(vec![Input::Bytes {
        path: "r.xml".into(),
        bytes: Ok(x),
    }]);
    assert_eq!((rows.len(), said.len()), (1, 0));
}
