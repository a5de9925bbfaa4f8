//! Golden output of the three formats (and English) on one fixture. The expected files are
//! in `testdata/golden/`; `RECELINT_BLESS=1 cargo test --test golden` rewrites them after a
//! deliberate change (review the diff).

mod common;

use recelint::render::{render_all, Format, Style};
use recelint::report::Lang;

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
            quiet: false,
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
    if format == Format::Html {
        // The time of the check is the one part of the page that is not the reports'.
        out = normalise_time(&out);
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

/// `<time datetime="…">…</time>` with a fixed stand-in for the time.
fn normalise_time(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(a) = rest.find("<time datetime=\"") {
        let Some(b) = rest[a..].find("</time>") else {
            break;
        };
        out.push_str(&rest[..a]);
        out.push_str("<time datetime=\"CHECKED-AT\">CHECKED-AT</time>");
        rest = &rest[a + b + "</time>".len()..];
    }
    out.push_str(rest);
    out
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
            quiet: false,
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

#[test]
fn gitlab() {
    golden(Format::Gitlab, Lang::En, true, "gitlab.json");
}

#[test]
fn junit() {
    golden(Format::Junit, Lang::Ja, false, "junit.xml");
}

/// GitLab Code Quality: a JSON array of issues with the required keys, unique fingerprints
/// that do not depend on line numbers, and every path relative.
#[test]
fn gitlab_issues_have_unique_line_independent_fingerprints() {
    let dir = common::root().join("testdata/golden");
    let f = common::load(&dir.join("mixed.txt"));
    let style = Style {
        lang: Lang::En,
        verbose: true,
        color: false,
        quiet: false,
    };
    let issues = |bytes: &[u8]| -> Vec<serde_json::Value> {
        let r = common::check("mixed.UKE", bytes);
        serde_json::from_slice(&render_all(Format::Gitlab, style, &[r])).expect("a JSON array")
    };
    let a = issues(&f.bytes);
    assert!(!a.is_empty());
    let mut fps: Vec<&str> = a
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    for i in &a {
        for k in ["description", "check_name", "severity"] {
            assert!(i[k].is_string(), "{k}: {i}");
        }
        assert!(i["location"]["lines"]["begin"].as_u64().unwrap() >= 1);
        assert_eq!(i["location"]["path"], "mixed.UKE");
    }
    let n = fps.len();
    fps.sort();
    fps.dedup();
    assert_eq!(fps.len(), n, "fingerprints are unique");
    // The same findings one line further down (an unknown record inserted after IR, which
    // adds its own S003) keep their fingerprints.
    let text = std::fs::read_to_string(dir.join("mixed.txt")).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let ir = lines.iter().position(|l| l.starts_with("IR,")).unwrap();
    lines.insert(ir + 1, "ZZ,1");
    let moved = common::build(&lines.join("\n"));
    let b = issues(&moved.bytes);
    assert_eq!(b.len(), a.len() + 1);
    for i in &a {
        let same = b
            .iter()
            .find(|j| j["fingerprint"] == i["fingerprint"])
            .unwrap_or_else(|| panic!("{i} keeps its fingerprint"));
        let line = |v: &serde_json::Value| v["location"]["lines"]["begin"].as_u64().unwrap();
        if line(i) >= 2 {
            // Records after IR (record line 1) moved down one line.
            assert_eq!(line(same), line(i) + 1, "and moved down a line");
        }
    }
}

/// JUnit: well-formed enough for CI readers: one suite per file, counts that add up.
#[test]
fn junit_counts_add_up() {
    let dir = common::root().join("testdata/golden");
    let f = common::load(&dir.join("mixed.txt"));
    let r = common::check("mixed.UKE", &f.bytes);
    let errors_and_warnings = r
        .diagnostics
        .iter()
        .filter(|d| d.severity != recelint::report::Severity::Info)
        .count();
    let style = Style {
        lang: Lang::Ja,
        verbose: false,
        color: false,
        quiet: false,
    };
    let out = String::from_utf8(render_all(Format::Junit, style, &[r])).unwrap();
    assert!(out.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "));
    assert!(out.ends_with("</testsuites>\n"));
    assert_eq!(out.matches("<testsuite ").count(), 1);
    assert_eq!(out.matches("<failure ").count(), errors_and_warnings);
    assert!(out.contains(&format!("failures=\"{errors_and_warnings}\"")));
}
