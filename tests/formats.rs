//! The machine formats: `jsonl` (JSON Lines), `sarif` (SARIF 2.1.0) and `github` (GitHub
//! Actions workflow commands), on the golden fixture.

mod common;

use recelint::check::FileReport;
use recelint::render::github::{escape_data, escape_property};
use recelint::render::sarif::{Level, SarifLog};
use recelint::render::{render_all, Format, Style};
use recelint::report::{Lang, Severity};
use serde_json::Value;

fn mixed() -> FileReport {
    let f = common::load(&common::root().join("testdata/golden/mixed.txt"));
    common::check("mixed.UKE", &f.bytes)
}

fn style(lang: Lang, verbose: bool) -> Style {
    Style {
        lang,
        verbose,
        color: false,
        quiet: false,
    }
}

fn render(format: Format, style: Style, reports: &[FileReport]) -> String {
    String::from_utf8(render_all(format, style, reports)).expect("output is UTF-8")
}

fn unreadable(path: &str) -> FileReport {
    FileReport {
        path: path.to_string(),
        unreadable: Some("ファイルがありません / no such file".to_string()),
        ..FileReport::default()
    }
}

#[test]
fn formats_are_named_for_the_command_line() {
    use clap::ValueEnum;
    let name = |f: Format| f.to_possible_value().unwrap().get_name().to_string();
    assert_eq!(name(Format::Jsonl), "jsonl");
    assert_eq!(name(Format::Sarif), "sarif");
    assert_eq!(name(Format::Github), "github");
    assert_eq!(Format::from_str("jsonl", false), Ok(Format::Jsonl));
}

// ---------------------------------------------------------------- SARIF

fn sarif(lang: Lang, reports: &[FileReport]) -> Value {
    let out = render(Format::Sarif, style(lang, false), reports);
    serde_json::from_str(&out).expect("SARIF is one JSON document")
}

#[test]
fn sarif_has_the_required_fields() {
    let v = sarif(Lang::Ja, &[mixed()]);
    assert_eq!(
        v["$schema"],
        "https://json.schemastore.org/sarif-2.1.0.json"
    );
    assert_eq!(v["version"], "2.1.0");
    let runs = v["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "recelint");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert!(driver.get("informationUri").is_none());
    let rules = driver["rules"].as_array().expect("rules");
    assert!(!rules.is_empty());
    for r in rules {
        for k in ["id", "name"] {
            assert!(r[k].is_string(), "rule {k}: {r}");
        }
        assert!(r["shortDescription"]["text"].is_string());
        assert!(r["fullDescription"]["text"].is_string());
        assert!(r["help"]["text"].is_string());
        assert_eq!(r["help"]["text"], r["help"]["markdown"]);
        assert!(["error", "warning", "note"]
            .contains(&r["defaultConfiguration"]["level"].as_str().unwrap()));
        assert!(r["properties"]["title_ja"].is_string());
        assert!(r["properties"]["title_en"].is_string());
    }
    let results = run["results"].as_array().expect("results");
    assert!(!results.is_empty());
    for res in results {
        assert!(res["ruleId"].is_string(), "{res}");
        assert!(res["ruleIndex"].is_u64(), "{res}");
        assert!(["error", "warning", "note"].contains(&res["level"].as_str().unwrap()));
        assert!(res["message"]["text"].is_string());
        let loc = &res["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "mixed.UKE");
        assert!(res["partialFingerprints"]["recelint/v2"].is_string());
    }
}

#[test]
fn sarif_lists_every_rule_in_registry_order() {
    let v = sarif(Lang::Ja, &[]);
    let rules = v["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    let all: Vec<_> = recelint::rules::all().collect();
    assert_eq!(rules.len(), all.len());
    for (r, want) in rules.iter().zip(&all) {
        assert_eq!(r["id"], want.code);
        assert_eq!(r["name"], want.name);
        assert_eq!(r["shortDescription"]["text"], want.title_ja);
        assert_eq!(r["fullDescription"]["text"], want.title_en);
        assert_eq!(r["help"]["markdown"], want.explain(Lang::Ja));
        assert_eq!(r["properties"]["title_ja"], want.title_ja);
        assert_eq!(r["properties"]["title_en"], want.title_en);
        let level = match want.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "note",
        };
        assert_eq!(r["defaultConfiguration"]["level"], level);
    }
    assert_eq!(v["runs"][0]["results"].as_array().unwrap().len(), 0);
}

#[test]
fn sarif_descriptions_follow_the_language() {
    let v = sarif(Lang::En, &[mixed()]);
    let run = &v["runs"][0];
    let rule = &run["tool"]["driver"]["rules"][0];
    let f001 = recelint::rules::find("F001").unwrap();
    assert_eq!(rule["shortDescription"]["text"], f001.title_en);
    assert_eq!(rule["fullDescription"]["text"], f001.title_ja);
    assert_eq!(rule["help"]["text"], f001.explain(Lang::En));
    let report = mixed();
    assert_eq!(
        run["results"][0]["message"]["text"],
        report.diagnostics[0].message(Lang::En)
    );
}

#[test]
fn sarif_round_trips_through_serde() {
    let out = render(
        Format::Sarif,
        style(Lang::Ja, false),
        &[mixed(), unreadable("a\\b.UKE")],
    );
    let value: Value = serde_json::from_str(&out).unwrap();
    let log: SarifLog = serde_json::from_str(&out).expect("reads into the SARIF types");
    assert_eq!(serde_json::to_value(&log).unwrap(), value);
    let again: SarifLog = serde_json::from_value(value.clone()).unwrap();
    assert_eq!(again, log);
}

#[test]
fn sarif_has_one_result_per_diagnostic() {
    let report = mixed();
    let v = sarif(Lang::Ja, std::slice::from_ref(&report));
    let log: SarifLog = serde_json::from_value(v).unwrap();
    let run = &log.runs[0];
    let rules = &run.tool.driver.rules;
    assert_eq!(run.results.len(), report.diagnostics.len());
    assert!(report
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Info));
    for (res, d) in run.results.iter().zip(&report.diagnostics) {
        assert_eq!(res.rule_id, d.rule.code);
        assert_eq!(rules[res.rule_index].id, d.rule.code);
        let level = match d.severity {
            Severity::Error => Level::Error,
            Severity::Warning => Level::Warning,
            Severity::Info => Level::Note,
        };
        assert_eq!(res.level, level);
        assert_eq!(res.message.text, d.message(Lang::Ja));
        let loc = &res.locations[0].physical_location;
        assert_eq!(loc.artifact_location.uri, "mixed.UKE");
        // Every result has a region (SARIF2017): its line, or the whole file.
        let region = loc.region.as_ref().expect("a region");
        match d.line {
            Some(l) => assert_eq!((region.start_line, region.end_line), (Some(l), Some(l))),
            None => assert_eq!(
                (region.start_line, region.end_line),
                (Some(1), Some(report.records))
            ),
        }
        if let Some((_, Some(_))) = &d.source {
            let r = loc.region.as_ref().unwrap();
            assert!(
                r.start_column.is_some() && r.end_column.is_some(),
                "{res:?}"
            );
            assert!(r.start_column <= r.end_column);
        }
        let fp = &res.partial_fingerprints["recelint/v2"];
        assert_eq!(fp.len(), 16, "{fp}");
        assert_eq!(res.properties.receipt, d.receipt);
        assert_eq!(res.properties.record, d.record);
        assert_eq!(res.properties.field, d.field);
        assert_eq!(res.properties.value, d.value);
        assert_eq!(
            res.properties.field_name.as_deref(),
            d.field_label(Lang::Ja)
        );
    }
}

#[test]
fn sarif_columns_count_characters_of_the_decoded_line() {
    // Line 2: `RE,1,1112,202610,山田　太郎,1,19700231,…`; V005 is about field 6, 生年月日.
    // In characters it starts at column 26 (in Shift_JIS bytes it would be 31).
    let v = sarif(Lang::Ja, &[mixed()]);
    let res = v["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "V005")
        .expect("V005");
    let region = &res["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 2);
    assert_eq!(region["startColumn"], 26);
    assert_eq!(region["endColumn"], 34);
    assert_eq!(v["runs"][0]["columnKind"], "unicodeCodePoints");
}

/// A finding about the whole file (no line) still has a region, as `sarif-multitool
/// validate` asks (SARIF2017): its records, or the empty region at byte 0 of an empty file.
#[test]
fn sarif_file_level_results_cover_the_whole_file() {
    // cli/defective.txt ends without the EOF mark (F004, about the whole file).
    let f = common::load(&common::root().join("testdata/cli/defective.txt"));
    let report = common::check("defective.UKE", &f.bytes);
    let v = sarif(Lang::Ja, std::slice::from_ref(&report));
    let results = v["runs"][0]["results"].as_array().unwrap();
    let whole: Vec<&Value> = results.iter().filter(|r| r["ruleId"] == "F004").collect();
    assert_eq!(whole.len(), 1, "{results:?}");
    let region = &whole[0]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 1);
    assert_eq!(region["endLine"], report.records);
    assert!(report.records >= 2);

    let empty = common::check("empty.UKE", b"");
    assert_eq!(empty.records, 0);
    let v = sarif(Lang::Ja, std::slice::from_ref(&empty));
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for r in results {
        let region = &r["locations"][0]["physicalLocation"]["region"];
        assert_eq!(region["byteOffset"], 0, "{r}");
        assert_eq!(region["byteLength"], 0, "{r}");
    }
}

/// `informationUri` is the crate's declared homepage or repository, and absent (never made
/// up) when Cargo.toml declares neither.
#[test]
fn sarif_information_uri_comes_from_the_crate_metadata() {
    let v = sarif(Lang::Ja, &[mixed()]);
    let declared = [env!("CARGO_PKG_HOMEPAGE"), env!("CARGO_PKG_REPOSITORY")]
        .into_iter()
        .find(|u| !u.is_empty());
    let driver = &v["runs"][0]["tool"]["driver"];
    match declared {
        Some(u) => assert_eq!(driver["informationUri"], u),
        None => assert!(driver.get("informationUri").is_none(), "{driver}"),
    }
    assert_eq!(recelint::render::sarif::information_uri(), declared);
}

#[test]
fn sarif_fingerprints_do_not_move_with_lines_and_are_unique() {
    let fps = |src: &str| -> Vec<String> {
        let f = common::build(src);
        let v = sarif(Lang::Ja, &[common::check("mixed.UKE", &f.bytes)]);
        v["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r["partialFingerprints"]["recelint/v2"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    let src = std::fs::read_to_string(common::root().join("testdata/golden/mixed.txt")).unwrap();
    let before = fps(&src);
    let unique: std::collections::BTreeSet<_> = before.iter().collect();
    assert_eq!(unique.len(), before.len(), "{before:?}");
    // A comment record inserted before the findings moves every line, not a fingerprint.
    let at = src.find("\nHO,").unwrap();
    let moved = format!("{}\nCO,99,1,810000001,テスト{}", &src[..at], &src[at..]);
    let after = fps(&moved);
    assert!(
        before.iter().all(|f| after.contains(f)),
        "{before:?} vs {after:?}"
    );
}

#[test]
fn sarif_without_source_or_line_keeps_what_it_knows() {
    let mut report = mixed();
    for d in &mut report.diagnostics {
        d.source = None;
    }
    report.diagnostics[0].line = None;
    report.path = r"claims\2026-10\mixed.UKE".to_string();
    let v = sarif(Lang::Ja, &[report]);
    let results = v["runs"][0]["results"].as_array().unwrap();
    let loc = &results[0]["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "claims/2026-10/mixed.UKE");
    // No line: the region is the whole file (its records), not absent (SARIF2017).
    assert_eq!(loc["region"]["startLine"], 1, "{loc}");
    assert_eq!(loc["region"]["endLine"], 10, "{loc}");
    let region = &results[1]["locations"][0]["physicalLocation"]["region"];
    assert!(region["startLine"].is_u64());
    assert!(region.get("startColumn").is_none() && region.get("endColumn").is_none());
}

#[test]
fn sarif_reports_unreadable_files_as_notifications() {
    let v = sarif(Lang::Ja, &[unreadable("gone.UKE")]);
    let inv = &v["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false);
    let n = &inv["toolExecutionNotifications"][0];
    assert_eq!(n["level"], "error");
    assert_eq!(
        n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "gone.UKE"
    );
    let v = sarif(Lang::Ja, &[mixed()]);
    assert_eq!(v["runs"][0]["invocations"][0]["executionSuccessful"], true);
}

// ---------------------------------------------------------------- JSON Lines

fn lines(out: &str) -> Vec<Value> {
    assert!(out.ends_with('\n'));
    out.lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
            assert!(v.is_object(), "{l}");
            v
        })
        .collect()
}

#[test]
fn jsonl_is_one_object_per_diagnostic_then_the_summary() {
    let report = mixed();
    let out = render(
        Format::Jsonl,
        style(Lang::Ja, false),
        std::slice::from_ref(&report),
    );
    let ls = lines(&out);
    // Every severity, even without --verbose.
    assert_eq!(ls.len(), report.diagnostics.len() + 1);
    let (summary, diags) = ls.split_last().unwrap();
    let s = &summary["summary"];
    assert_eq!(summary.as_object().unwrap().len(), 1);
    assert_eq!(s["files"], 1);
    assert_eq!(s["receipts"], 2);
    assert_eq!(s["errors"], report.count(Severity::Error));
    assert_eq!(s["warnings"], report.count(Severity::Warning));
    assert_eq!(s["infos"], report.count(Severity::Info));
    for (l, d) in diags.iter().zip(&report.diagnostics) {
        assert_eq!(l["code"], d.rule.code);
        assert_eq!(l["severity"], d.severity.as_str());
        assert_eq!(l["message"], d.message(Lang::Ja));
    }
    // The same objects as the json format's diagnostics.
    let json: Value = serde_json::from_slice(&render_all(
        Format::Json,
        style(Lang::Ja, false),
        std::slice::from_ref(&report),
    ))
    .unwrap();
    assert_eq!(json["diagnostics"].as_array().unwrap(), diags);
    // Field order is the json format's too.
    let first = out.lines().next().unwrap();
    let keys = [
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
    ];
    let pos: Vec<usize> = keys
        .iter()
        .map(|k| first.find(&format!("\"{k}\":")).unwrap())
        .collect();
    assert!(pos.windows(2).all(|w| w[0] < w[1]), "{first}");
}

#[test]
fn jsonl_streams_files_in_order_and_reports_unreadable_ones() {
    let out = render(
        Format::Jsonl,
        style(Lang::En, false),
        &[unreadable("gone.UKE"), mixed()],
    );
    let ls = lines(&out);
    let x = &ls[0];
    assert_eq!(x["code"], "X000");
    assert_eq!(x["severity"], "error");
    assert_eq!(x["path"], "gone.UKE");
    assert_eq!(x["message"], "ファイルがありません / no such file");
    for k in ["line", "receipt", "record", "field", "field_name", "value"] {
        assert!(x[k].is_null(), "{k}: {x}");
    }
    assert_eq!(ls[1]["path"], "mixed.UKE");
    assert_eq!(ls[1]["message"], mixed().diagnostics[0].message(Lang::En));
    // Files checked, and the path that could not be read counted apart.
    assert_eq!(ls.last().unwrap()["summary"]["files"], 1);
    assert_eq!(ls.last().unwrap()["summary"]["unreadable"], 1);
}

// ---------------------------------------------------------------- GitHub

#[test]
fn github_escapes_data_and_properties() {
    assert_eq!(escape_data("a:b,c%d\ne"), "a:b,c%25d%0Ae");
    assert_eq!(escape_property("a:b,c%d\ne"), "a%3Ab%2Cc%25d%0Ae");
    assert_eq!(escape_data("x\r\ny"), "x%0D%0Ay");
    assert_eq!(escape_property("x\r\ny"), "x%0D%0Ay");
    // `%` first: an escape is not escaped twice.
    assert_eq!(escape_property("%3A"), "%253A");
}

#[test]
fn github_lines_are_workflow_commands() {
    let report = mixed();
    let out = render(
        Format::Github,
        style(Lang::Ja, false),
        std::slice::from_ref(&report),
    );
    let shown: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.severity != Severity::Info)
        .collect();
    let ls: Vec<&str> = out.lines().collect();
    assert_eq!(ls.len(), shown.len());
    for (l, d) in ls.iter().zip(&shown) {
        let cmd = if d.severity == Severity::Error {
            "error"
        } else {
            "warning"
        };
        // The field's 1-based character columns in the decoded line.
        let (text, span) = d.source.as_ref().expect("the line decoded");
        let cols = span.map(|(s, e)| {
            let start = text[..s].chars().count() + 1;
            format!(
                ",col={start},endColumn={}",
                start + text[s..e].chars().count()
            )
        });
        let want = format!(
            "::{cmd} file=mixed.UKE,line={}{},title={}::{}",
            d.line.unwrap(),
            cols.clone().unwrap_or_default(),
            escape_property(&format!("{} {}", d.rule.code, d.rule.title(Lang::Ja))),
            escape_data(&d.message(Lang::Ja)),
        );
        assert_eq!(*l, want);
        let (head, _msg) = l[2..].split_once("::").expect("::cmd props::message");
        let (_, props) = head.split_once(' ').unwrap();
        let keys: Vec<&str> = props
            .split(',')
            .map(|p| p.split_once('=').unwrap().0)
            .collect();
        if cols.is_some() {
            assert_eq!(keys, ["file", "line", "col", "endColumn", "title"]);
        } else {
            assert_eq!(keys, ["file", "line", "title"]);
        }
    }
    assert!(!out.contains("::notice"));
    let verbose = render(Format::Github, style(Lang::En, true), &[report]);
    let notice = verbose
        .lines()
        .find(|l| l.starts_with("::notice "))
        .expect("infos with --verbose");
    assert!(notice.contains(",title=C002 "), "{notice}");
}

#[test]
fn github_omits_the_line_and_escapes_paths() {
    let mut report = mixed();
    report.path = "dir,x/a:b.UKE".to_string();
    report.diagnostics.truncate(1);
    report.diagnostics[0].line = None;
    let out = render(Format::Github, style(Lang::Ja, false), &[report]);
    assert!(
        out.starts_with("::error file=dir%2Cx/a%3Ab.UKE,title=V005 "),
        "{out}"
    );
    assert!(!out.contains("line="));
    let out = render(
        Format::Github,
        style(Lang::Ja, false),
        &[unreadable("gone.UKE")],
    );
    assert_eq!(
        out,
        "::error file=gone.UKE,title=X000 ファイルを読み取れません::ファイルがありません / no such file\n"
    );
}

/// A flood of one finding is drawn in full 500 times per file, then listed one per line
/// (drawing 190,000 findings of a damaged 2 MiB file took over a second).
#[test]
fn text_draws_500_findings_of_a_rule_then_lists_the_rest() {
    let mut r = mixed();
    let d = r
        .diagnostics
        .iter()
        .find(|d| d.severity == Severity::Error && d.line.is_some())
        .cloned()
        .expect("an error with a line");
    let code = d.rule.code;
    let before = r.diagnostics.iter().filter(|x| x.rule.code == code).count();
    r.diagnostics.extend(std::iter::repeat_n(
        d,
        recelint::render::text::FULL_PER_RULE + 100,
    ));
    let total = before + recelint::render::text::FULL_PER_RULE + 100;
    for (lang, marker) in [
        (
            Lang::Ja,
            format!("（{code} はここから 1 件 1 行で表示します）"),
        ),
        (
            Lang::En,
            format!("(further {code} findings, one line each)"),
        ),
    ] {
        let out = render(Format::Text, style(lang, false), std::slice::from_ref(&r));
        assert_eq!(out.matches(&marker).count(), 1, "{out}");
        let listed = out
            .lines()
            .filter(|l| l.starts_with("  mixed.UKE:") && l.contains(&format!(" {code} ")))
            .count();
        assert_eq!(listed, total - recelint::render::text::FULL_PER_RULE);
    }
}
