//! Golden output of the three formats (and English) on one fixture. The expected files are
//! in `testdata/golden/`; `RECELINT_BLESS=1 cargo test --test golden` rewrites them after a
//! deliberate change (review the diff).

mod common;

use recelint::diag::Lang;
use recelint::render::{render_all, Format, Style};

fn golden(format: Format, lang: Lang, verbose: bool, ext: &str) {
    let dir = common::root().join("testdata/golden");
    let f = common::load(&dir.join("mixed.txt"));
    let report = common::check("mixed.UKE", &f.bytes);
    let out = render_all(
        format,
        Style {
            lang,
            verbose,
            color: false,
        },
        &[report],
    );
    let mut out = String::from_utf8(out).expect("output is UTF-8");
    if format == Format::Sarif {
        // The driver's rules are the registry (tested in tests/formats.rs); the snapshot keeps
        // what this file produced.
        let v: serde_json::Value = serde_json::from_str(&out).expect("SARIF is JSON");
        out = serde_json::to_string_pretty(&v["runs"][0]["results"]).unwrap() + "\n";
    }
    let path = dir.join(format!("mixed.{ext}"));
    if std::env::var_os("RECELINT_BLESS").is_some() {
        std::fs::write(&path, &out).unwrap();
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        out == want,
        "{} differs (RECELINT_BLESS=1 to accept):\n{out}",
        path.display()
    );
}

#[test]
fn text() {
    golden(Format::Text, Lang::Ja, true, "text");
}

#[test]
fn text_english() {
    golden(Format::Text, Lang::En, false, "en.text");
}

#[test]
fn concise() {
    golden(Format::Concise, Lang::Ja, false, "concise");
}

#[test]
fn json() {
    golden(Format::Json, Lang::Ja, false, "json");
}

#[test]
fn json_is_valid_and_has_the_documented_fields() {
    let dir = common::root().join("testdata/golden");
    let f = common::load(&dir.join("mixed.txt"));
    let report = common::check("mixed.UKE", &f.bytes);
    let out = render_all(
        Format::Json,
        Style {
            lang: Lang::Ja,
            verbose: false,
            color: false,
        },
        &[report],
    );
    let v: serde_json::Value = serde_json::from_slice(&out).expect("valid JSON");
    assert_eq!(v["tool"], "recelint");
    assert_eq!(v["summary"]["files"], 1);
    assert_eq!(v["summary"]["receipts"], 2);
    let d = &v["diagnostics"][0];
    for k in [
        "code",
        "severity",
        "path",
        "line",
        "receipt",
        "record",
        "field",
        "field_name",
        "value",
        "message",
    ] {
        assert!(d.get(k).is_some(), "diagnostic lacks {k}: {d}");
    }
    let f0 = &v["files"][0];
    for k in ["path", "receipts", "records", "errors", "warnings", "infos"] {
        assert!(f0.get(k).is_some(), "file entry lacks {k}");
    }
    // Infos are in JSON too (C002 for the ● name).
    assert!(v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["code"] == "C002" && d["severity"] == "info"));
}

#[test]
fn jsonl() {
    golden(Format::Jsonl, Lang::Ja, false, "jsonl");
}

#[test]
fn sarif() {
    golden(Format::Sarif, Lang::Ja, false, "sarif");
}

#[test]
fn github() {
    golden(Format::Github, Lang::Ja, true, "github");
}

#[test]
fn html() {
    golden(Format::Html, Lang::Ja, false, "html");
}
