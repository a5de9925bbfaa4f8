//! Exit codes never lie: a reader that stops early (`| head -1`) does not change the verdict,
//! a path that yields no claim file is a path not checked (exit 2, named, the other paths
//! still checked), and a bug anywhere in a run is X001 with its stage and exit 2, with the
//! output already written still valid.

#[path = "../examples/gen_month.rs"]
mod gen;

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// A scratch folder under the system temp dir, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let p = std::env::temp_dir().join(format!("recelint-exit-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        Scratch(p)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn sample() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/sample/RECEIPTC.UKE")
}

fn recelint() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_recelint"));
    c.env_remove("RECELINT_TEST_PANIC")
        .env_remove("RECELINT_DEBUG");
    c
}

fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = recelint();
    c.args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON document ({e}):\n{}",
            String::from_utf8_lossy(&o.stdout)
        )
    })
}

/// A month of generated receipts with many defects: its report is far larger than a pipe's
/// buffer, so a reader that stops after one line makes the writer's next write fail.
fn defective_month(dir: &Path) -> PathBuf {
    let mut o = gen::Opts::new(dir, 3000, 11);
    o.defect_rate = 0.5;
    let s = gen::generate(&o).unwrap();
    dir.join(&s.files[0])
}

#[test]
fn a_reader_that_stops_early_keeps_the_exit_code_of_the_findings() {
    let dir = Scratch::new("pipe");
    let month = defective_month(&dir.0);
    let month = month.to_str().unwrap();
    for format in ["text", "json", "concise"] {
        let full = run(&["check", "--no-progress", "--format", format, month], &[]);
        assert_eq!(full.status.code(), Some(1), "{format}: full run");
        assert!(
            full.stdout.len() > 1 << 17,
            "{format}: the report ({} bytes) must outgrow a pipe buffer for this test to mean anything",
            full.stdout.len()
        );
        // `recelint check … | head -1`
        let mut child = recelint()
            .args(["check", "--no-progress", "--format", format, month])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        assert!(!first.is_empty(), "{format}: a first line");
        let status = child.wait().unwrap();
        assert_eq!(
            status.code(),
            Some(1),
            "{format}: exit code after | head -1"
        );
    }
}

#[test]
fn a_folder_without_claim_files_is_named_and_not_checked() {
    let dir = Scratch::new("empty");
    let empty = dir.0.join("empty");
    let other = dir.0.join("letters");
    std::fs::create_dir_all(&empty).unwrap();
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("readme.txt"), "not a claim file\n").unwrap();
    let s = sample();
    for (folder, why) in [(&empty, "it is empty"), (&other, "1 file(s), none of them")] {
        let o = run(
            &[
                "check",
                "--no-progress",
                folder.to_str().unwrap(),
                s.to_str().unwrap(),
            ],
            &[],
        );
        let out = String::from_utf8_lossy(&o.stdout);
        assert_eq!(o.status.code(), Some(2), "{out}");
        let line = out
            .lines()
            .find(|l| l.starts_with(folder.to_str().unwrap()))
            .unwrap_or_else(|| panic!("the folder is named:\n{out}"));
        assert!(
            line.contains("請求ファイルがありません") && line.contains(why),
            "{line}"
        );
        // The sample was still checked, and the folder is not counted as a checked file.
        assert!(out.contains("RECEIPTC.UKE: 医科・レセプト 8 件"), "{out}");
        assert!(out.contains("合計: ファイル 1・レセプト 8 件"), "{out}");
        // JSON: the summary counts it apart, and the message goes to stderr.
        let o = run(
            &[
                "check",
                "--format",
                "json",
                folder.to_str().unwrap(),
                s.to_str().unwrap(),
            ],
            &[],
        );
        assert_eq!(o.status.code(), Some(2));
        let v = json(&o);
        assert_eq!(v["summary"]["files"], 1);
        assert_eq!(v["summary"]["unreadable"], 1);
        assert!(String::from_utf8_lossy(&o.stderr).contains(folder.to_str().unwrap()));
    }
}

#[test]
fn a_missing_file_is_not_counted_as_checked() {
    let dir = Scratch::new("missing");
    let missing = dir.0.join("RECEIPTC.UKE");
    let s = sample();
    let o = run(
        &[
            "check",
            "--format",
            "json",
            missing.to_str().unwrap(),
            s.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    let v = json(&o);
    assert_eq!(v["summary"]["files"], 1, "{v}");
    assert_eq!(v["summary"]["unreadable"], 1, "{v}");
    assert_eq!(v["summary"]["receipts"], 8);
}

#[test]
fn a_panic_at_any_stage_is_x001_with_its_stage_and_exit_2() {
    let s = sample();
    let s = s.to_str().unwrap();
    for (stage, phrase) in [
        ("check", "while checking the file"),
        ("resolution", "while resolving insured numbers"),
        (
            "settings",
            "while applying the settings, baseline or masking",
        ),
        ("render", "while writing the report"),
    ] {
        let o = run(
            &["check", "--lang", "en", "--format", "json", s],
            &[("RECELINT_TEST_PANIC", stage)],
        );
        assert_eq!(o.status.code(), Some(2), "{stage}");
        let v = json(&o);
        let x: Vec<&Value> = v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["code"] == "X001")
            .collect();
        assert_eq!(x.len(), 1, "{stage}: one X001 on the one file: {v}");
        let m = x[0]["message"].as_str().unwrap();
        assert!(m.contains(phrase), "{stage}: {m}");
        assert!(
            m.contains(&format!("test panic requested at stage {stage}")),
            "{m}"
        );
        // Text as well: the stage is named in Japanese, and nothing is printed by a hook.
        let o = run(
            &["check", "--no-progress", s],
            &[("RECELINT_TEST_PANIC", stage)],
        );
        assert_eq!(o.status.code(), Some(2), "{stage}");
        assert!(
            String::from_utf8_lossy(&o.stdout).contains("X001"),
            "{stage}"
        );
        assert!(
            o.stderr.is_empty(),
            "{stage}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    // A panic outside every stage still exits 2 with X001 on stderr, not 101 and silence.
    let o = run(&["check", s], &[("RECELINT_TEST_PANIC", "run")]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("X001") && err.contains("during the run"),
        "{err}"
    );
}

#[test]
fn a_panic_while_masking_shows_no_unmasked_finding() {
    // `--redact` is a promise: if masking fails, only X001 is shown.
    let o = run(
        &[
            "check",
            "--redact",
            "--verbose",
            "--format",
            "json",
            sample().to_str().unwrap(),
        ],
        &[("RECELINT_TEST_PANIC", "settings")],
    );
    assert_eq!(o.status.code(), Some(2));
    let v = json(&o);
    let codes: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert!(codes.iter().all(|c| *c == "X001"), "{codes:?}");
}

#[test]
fn max_diagnostics_keeps_errors_before_warnings_before_infos() {
    // The sample's findings are infos (C002 ●, Q001 …); with 男女区分 9 on its last
    // receipt (RE 8, 渡辺　四郎) it also has an error after them. A cap of 1 keeps that error.
    let dir = Scratch::new("cap");
    let bytes = std::fs::read(sample()).unwrap();
    let at = bytes
        .windows(12)
        .position(|w| w == b",1,19550101,")
        .expect("the last receipt's 男女区分 and 生年月日");
    let mut cut = bytes.clone();
    cut[at + 1] = b'9';
    let f = dir.0.join("RECEIPTC.UKE");
    std::fs::write(&f, cut).unwrap();
    let f = f.to_str().unwrap();
    let all = json(&run(&["check", "--format", "json", f], &[]));
    let sev: Vec<&str> = all["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["severity"].as_str().unwrap())
        .collect();
    let first_error = sev.iter().position(|s| *s == "error").unwrap();
    assert!(first_error > 0, "an info comes before the error: {sev:?}");
    for n in 1..=sev.len() {
        let o = run(
            &[
                "check",
                "--format",
                "json",
                "--max-diagnostics",
                &n.to_string(),
                f,
            ],
            &[],
        );
        assert_eq!(o.status.code(), Some(1), "the error still fails the run");
        let v = json(&o);
        let kept: Vec<&str> = v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["severity"].as_str().unwrap())
            .collect();
        assert_eq!(kept.len(), n);
        assert!(kept.contains(&"error"), "n={n}: {kept:?}");
        // Kept in output order, and the rest counted as left out.
        assert_eq!(v["summary"]["omitted"], sev.len() - n);
        let errors = sev.iter().filter(|s| **s == "error").count();
        let warnings = sev.iter().filter(|s| **s == "warning").count();
        let want_warn = warnings.min(n.saturating_sub(errors));
        assert_eq!(
            kept.iter().filter(|s| **s == "warning").count(),
            want_warn,
            "n={n}"
        );
    }
}
