//! The `recelint` binary: exit codes, several files, unreadable paths, folders, `rules`.

mod common;

use std::path::PathBuf;
use std::process::Command;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_recelint"));
    c.env_remove("NO_COLOR").env_remove("FORCE_COLOR");
    c
}

fn sample() -> PathBuf {
    common::root().join("testdata/sample/RECEIPTC.UKE")
}

fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("recelint-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn clean_sample_exits_zero() {
    let o = bin().args(["check"]).arg(sample()).output().unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.contains("エラー 0"), "{out}");
    // Infos (C002) are hidden from text output unless -v.
    assert!(!out.contains("C002"));
    let o = bin().args(["check", "-v"]).arg(sample()).output().unwrap();
    assert!(String::from_utf8(o.stdout).unwrap().contains("C002"));
}

#[test]
fn errors_exit_one_and_unreadable_paths_exit_two_while_others_are_checked() {
    let d = tmpdir("exit-one");
    let defective = common::defective(&d);
    let o = bin()
        .args(["check", "--format", "concise"])
        .arg(&defective)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let _ = std::fs::remove_dir_all(&d);

    let missing = common::root().join("testdata/no-such-file.UKE");
    let o = bin()
        .args(["check", "--format", "json"])
        .arg(&missing)
        .arg(sample())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let v: serde_json::Value =
        serde_json::from_slice(&o.stdout).expect("JSON even with an unreadable file");
    // The missing path is not a checked file: it is counted apart.
    assert_eq!(v["summary"]["files"], 1);
    assert_eq!(v["summary"]["unreadable"], 1);
    assert_eq!(
        v["files"][1]["receipts"], 8,
        "the readable file was still checked"
    );
    assert!(v["files"][0]["error"]
        .as_str()
        .unwrap()
        .contains("no such file"));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no-such-file.UKE"));
}

#[test]
fn a_directory_is_searched_for_claim_files() {
    let d = tmpdir("walk");
    std::fs::create_dir_all(d.join("sub")).unwrap();
    std::fs::copy(sample(), d.join("sub/RECEIPTC.UKE")).unwrap();
    std::fs::copy(sample(), d.join("b.uke")).unwrap();
    std::fs::write(d.join("notes.txt"), "not a claim file").unwrap();
    let o = bin()
        .args(["check", "--format", "json"])
        .arg(&d)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let paths: Vec<String> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(paths.len(), 2, "{paths:?}");
    assert!(
        paths[0].ends_with("b.uke") && paths[1].ends_with("RECEIPTC.UKE"),
        "sorted: {paths:?}"
    );
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn input_files_are_not_written() {
    let d = tmpdir("ro");
    let p = d.join("RECEIPTC.UKE");
    std::fs::write(
        &p,
        common::load(&common::root().join("testdata/cli/defective.txt")).bytes,
    )
    .unwrap();
    let before = (
        std::fs::read(&p).unwrap(),
        std::fs::metadata(&p).unwrap().modified().unwrap(),
    );
    let _ = bin().args(["check"]).arg(&p).output().unwrap();
    let after = (
        std::fs::read(&p).unwrap(),
        std::fs::metadata(&p).unwrap().modified().unwrap(),
    );
    assert!(before == after);
    assert_eq!(
        std::fs::read_dir(&d).unwrap().count(),
        1,
        "nothing written beside the input"
    );
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn rules_lists_and_explains() {
    let o = bin().args(["rules"]).output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8(o.stdout).unwrap();
    assert_eq!(out.lines().count(), recelint::rules::all().count());
    assert!(out.contains("I002"));
    // What the 調剤 grammar cannot check, said beside the list.
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(
        err.contains("調剤") && err.contains("mode = \"any\""),
        "{err}"
    );
    let o = bin().args(["rules", "s010"]).output().unwrap();
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.starts_with("S010"), "{out}");
    assert!(out.contains("## 何を検出するか"));
    let o = bin()
        .args(["rules", "S010", "--lang", "en"])
        .output()
        .unwrap();
    assert!(String::from_utf8(o.stdout)
        .unwrap()
        .contains("## What it does"));
    let o = bin().args(["rules", "Z999"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn usage_errors_exit_two() {
    let o = bin().args(["check"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let o = bin()
        .args(["check", "--format", "yaml", "x"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn output_is_the_same_whatever_the_thread_count() {
    let d = tmpdir("threads");
    let files = [
        common::defective(&d),
        common::built_file("rules/F003_lf_line_ends.txt", &d, "lf.UKE"),
        common::built_file("rules/S009_ho_with_14_fields.txt", &d, "count.UKE"),
        sample(),
    ];
    let run = |threads: &str| {
        bin()
            .env("RAYON_NUM_THREADS", threads)
            .args(["check", "--format", "json"])
            .args(&files)
            .output()
            .unwrap()
            .stdout
    };
    assert_eq!(run("1"), run("2"));
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn qualifications_and_history_feed_the_resolution() {
    let case = common::root().join("testdata/qualify/q005_history_knows_the_patient");
    let d = tmpdir("q005");
    let check = d.join("RECEIPTC.UKE");
    let hist = d.join("2026-09.UKE");
    std::fs::write(&check, common::load(&case.join("check.txt")).bytes).unwrap();
    std::fs::write(&hist, common::load(&case.join("history.txt")).bytes).unwrap();
    // Without the history the 不詳 claim on a 再診-only receipt is only suspicious (Q009) …
    let o = bin()
        .args(["check", "--format", "concise"])
        .arg(&check)
        .output()
        .unwrap();
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.contains("Q009") && !out.contains("Q005"), "{out}");
    // … with it, the known number is named (Q005, an error) and the history is not reported on.
    let o = bin()
        .args(["check", "--format", "concise", "--history"])
        .arg(&hist)
        .arg(&check)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(
        out.contains("Q005") && out.contains("01130012") && out.contains("2026-09.UKE"),
        "{out}"
    );
    assert!(
        out.lines()
            .all(|l| !l.starts_with(&hist.display().to_string())),
        "{out}"
    );
    // The summary breaks the receipts down.
    let o = bin()
        .args(["check", "--format", "json", "--history"])
        .arg(&hist)
        .arg(&check)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["summary"]["qualification"]["unknown_fill"], 1);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn a_broken_csv_row_is_reported_and_an_unusable_csv_exits_two() {
    let d = tmpdir("csv");
    let csv = d.join("quals.csv");
    std::fs::write(
        &csv,
        "patient_id,status,insurer,number\n1001,current,01130012,4567\n1002,maybe,01130012,1\n",
    )
    .unwrap();
    let o = bin()
        .args(["check", "--format", "concise", "--qualifications"])
        .arg(&csv)
        .arg(sample())
        .output()
        .unwrap();
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.contains(&format!("{}:3: Q011", csv.display())), "{out}");
    assert_eq!(o.status.code(), Some(0), "Q011 is a warning");
    std::fs::write(&csv, "name,number\nx,1\n").unwrap();
    let o = bin()
        .args(["check", "--format", "concise", "--qualifications"])
        .arg(&csv)
        .arg(sample())
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(2),
        "a CSV without the required columns cannot be used at all"
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("quals.csv"));
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn readme_lists_every_rule() {
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    for r in recelint::rules::all() {
        assert!(
            readme.contains(&format!("| {} |", r.code)),
            "README lacks {}",
            r.code
        );
    }
    assert!(readme.starts_with(
        "# recelint\n\n```sh\ncargo run -- check testdata/sample/RECEIPTC.UKE\ncargo test\n```"
    ));
}

#[test]
fn max_diagnostics_caps_output_but_not_totals_or_exit_code() {
    let d = tmpdir("max");
    let defective = common::defective(&d);
    let all = bin()
        .args(["check", "--format", "json"])
        .arg(&defective)
        .output()
        .unwrap();
    let all: serde_json::Value = serde_json::from_slice(&all.stdout).unwrap();
    let o = bin()
        .args(["check", "--format", "json", "--max-diagnostics", "5"])
        .arg(&defective)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["diagnostics"].as_array().unwrap().len(), 5);
    let total = all["diagnostics"].as_array().unwrap().len();
    assert_eq!(v["files"][0]["omitted"], total - 5);
    assert_eq!(
        v["summary"]["errors"], all["summary"]["errors"],
        "totals still count what was left out"
    );
    // The audit summary names the rules with the most findings.
    assert_eq!(v["summary"]["top_rules"][0]["code"], "S007");
    assert_eq!(v["summary"]["top_rules"][0]["count"], 10);
    let o = bin()
        .args(["check", "--max-diagnostics", "1"])
        .arg(&defective)
        .arg(sample())
        .output()
        .unwrap();
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(
        out.contains("表示していません")
            && out.contains("ファイルごとの要約")
            && out.contains("S007×10"),
        "{out}"
    );
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn notes_on_stderr_follow_their_file_on_stdout() {
    // stdout is block-buffered; a note on stderr must still come after its file's lines
    // when both go to one place (a terminal, `2>&1`).
    let d = tmpdir("order");
    let defective = common::defective(&d);
    let (a, b) = (d.join("a.UKE"), d.join("b.UKE"));
    std::fs::copy(&defective, &a).unwrap();
    std::fs::copy(&defective, &b).unwrap();
    let log = d.join("both.txt");
    let f = std::fs::File::create(&log).unwrap();
    let st = bin()
        .args(["check", "--format", "concise", "--max-diagnostics", "1"])
        .arg(&a)
        .arg(&b)
        .stdout(f.try_clone().unwrap())
        .stderr(f)
        .status()
        .unwrap();
    assert_eq!(st.code(), Some(1));
    let both = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = both.lines().collect();
    assert_eq!(lines.len(), 4, "{both}");
    let (an, bn) = (a.display().to_string(), b.display().to_string());
    assert!(
        lines[0].starts_with(&an) && !lines[0].contains("not shown"),
        "{both}"
    );
    assert!(
        lines[1].starts_with(&an) && lines[1].contains("not shown"),
        "{both}"
    );
    assert!(
        lines[2].starts_with(&bn) && !lines[2].contains("not shown"),
        "{both}"
    );
    assert!(
        lines[3].starts_with(&bn) && lines[3].contains("not shown"),
        "{both}"
    );
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn standard_input_is_checked_under_the_given_name() {
    use std::io::Write as _;
    let mut child = bin()
        .args([
            "check",
            "--format",
            "concise",
            "--stdin-filename",
            "stdin.UKE",
            "-",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(
            &common::load(&common::root().join("testdata/rules/F003_lf_line_ends.txt")).bytes,
        )
        .unwrap();
    let o = child.wait_with_output().unwrap();
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.starts_with("stdin.UKE"), "{out}");
    assert!(out.contains("F003"));
}

#[test]
fn redact_hides_patient_data_in_every_format() {
    // A file whose findings quote names, birth dates, card numbers and chart numbers.
    let f = common::load(&common::root().join("testdata/golden/mixed.txt"));
    let d = tmpdir("redact");
    let p = d.join("RECEIPTC.UKE");
    std::fs::write(&p, &f.bytes).unwrap();
    let secrets = [
        "山田",
        "太郎",
        "花子",
        "19700231",
        "19850512",
        "１２３",
        "４５６７",
        "１２３４５６",
        "1001",
        "1002",
        "ヤマダタロウ",
    ];
    for format in ["text", "concise", "json", "jsonl", "sarif", "github"] {
        let plain = bin()
            .args(["check", "-v", "--format", format])
            .arg(&p)
            .output()
            .unwrap();
        let plain = String::from_utf8(plain.stdout).unwrap();
        assert!(
            secrets.iter().any(|s| plain.contains(s)),
            "{format}: the fixture does show patient data unredacted"
        );
        let o = bin()
            .args(["check", "-v", "--redact", "--format", format])
            .arg(&p)
            .output()
            .unwrap();
        let mut out = String::from_utf8(o.stdout).unwrap();
        if format == "sarif" {
            // The rule help texts hold made-up example names; only results carry the file's data.
            let v: serde_json::Value = serde_json::from_str(&out).unwrap();
            out = v["runs"][0]["results"].to_string();
        }
        for s in secrets {
            assert!(
                !out.contains(s),
                "{format}: {s} leaks under --redact:\n{out}"
            );
        }
        // Still says which field and what class of problem.
        assert!(out.contains("V005") && out.contains("C002"), "{format}");
    }
    let o = bin()
        .args(["check", "--redact", "--format", "json"])
        .arg(&p)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let v005 = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "V005")
        .unwrap();
    assert_eq!(v005["value"], "99999999", "length and class kept");
    assert_eq!(v005["field_name"], "生年月日");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn config_and_switches_select_ignore_and_set_severity_and_failure() {
    let files = tmpdir("config-files");
    let defective = common::defective(&files);
    let codes = |extra: &[&str], dir: &std::path::Path| {
        let o = bin()
            .current_dir(dir)
            .args(["check", "--format", "json"])
            .args(extra)
            .arg(&defective)
            .output()
            .unwrap();
        let v: serde_json::Value =
            serde_json::from_slice(&o.stdout).unwrap_or(serde_json::Value::Null);
        let mut c: Vec<String> = v["diagnostics"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|d| {
                        format!(
                            "{}:{}",
                            d["code"].as_str().unwrap(),
                            d["severity"].as_str().unwrap()
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        c.sort();
        c.dedup();
        (o.status.code(), c)
    };
    let d = tmpdir("config");
    // Without a config: S007, V002, I004 (warning), I005, F004 …
    let (code, all) = codes(&[], &d);
    assert_eq!(code, Some(1));
    assert!(
        all.contains(&"S007:error".to_string()) && all.contains(&"F004:warning".to_string()),
        "{all:?}"
    );
    // recelint.toml in the current folder: ignore S007 and the V family, make F004 an error.
    std::fs::write(
        d.join("recelint.toml"),
        "ignore = [\"S007\", \"V\"]\n[severity]\nF004 = \"error\"\n",
    )
    .unwrap();
    let (_, c) = codes(&[], &d);
    assert!(
        !c.iter()
            .any(|x| x.starts_with("S007") || x.starts_with('V')),
        "{c:?}"
    );
    assert!(c.contains(&"F004:error".to_string()), "{c:?}");
    // --isolated ignores it; --select on the command line overrides it.
    let (_, c) = codes(&["--isolated"], &d);
    assert_eq!(c, all);
    let (_, c) = codes(&["--select", "F,I004"], &d);
    assert_eq!(
        c,
        vec!["F004:error".to_string(), "I004:warning".to_string()]
    );
    // fail-on: only warnings left → exit 0 by default, 1 with --fail-on warning, 0 with --exit-zero.
    let (code, _) = codes(&["--isolated", "--select", "I004"], &d);
    assert_eq!(code, Some(0));
    let (code, _) = codes(
        &["--isolated", "--select", "I004", "--fail-on", "warning"],
        &d,
    );
    assert_eq!(code, Some(1));
    let (code, _) = codes(&["--isolated", "--exit-zero"], &d);
    assert_eq!(code, Some(0));
    // Unknown codes and keys are usage errors with a hint.
    let o = bin()
        .args(["check", "--isolated", "--select", "Z99"])
        .arg(&defective)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("Z99"));
    std::fs::write(d.join("recelint.toml"), "selct = [\"Q\"]\n").unwrap();
    let o = bin()
        .current_dir(&d)
        .args(["check"])
        .arg(&defective)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("selct"));
    let _ = std::fs::remove_dir_all(&d);
    let _ = std::fs::remove_dir_all(&files);
}

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let o = bin().args(["completions", shell]).output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{shell}");
        let out = String::from_utf8(o.stdout).unwrap();
        assert!(
            out.contains("recelint") && out.contains("max-diagnostics"),
            "{shell}"
        );
    }
}

#[test]
fn a_baseline_hides_old_findings_and_shows_a_new_one() {
    let d = tmpdir("baseline");
    let file = d.join("RECEIPTC.UKE");
    let base = d.join("baseline.json");
    let src = std::fs::read_to_string(common::root().join("testdata/golden/mixed.txt")).unwrap();
    std::fs::write(&file, common::build(&src).bytes).unwrap();
    let o = bin()
        .args(["check", "--isolated", "--format", "json"])
        .arg(&file)
        .output()
        .unwrap();
    let before: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let n = before["diagnostics"].as_array().unwrap().len();
    assert!(n >= 5);
    // Writing the baseline is a CI step of its own: it says how many it recorded, prints no
    // report and succeeds although the file has errors.
    let o = bin()
        .args(["check", "--isolated", "--write-baseline"])
        .arg(&base)
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert!(
        o.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!("{n} 件の指摘を記録しました")),
        "{err}"
    );
    let o = bin()
        .args(["check", "--isolated", "--lang", "en", "--write-baseline"])
        .arg(&base)
        .arg(&file)
        .arg(d.join("missing.UKE"))
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(2),
        "a path not checked: the baseline is incomplete"
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!("recorded {n} finding(s)")) && err.contains("missing.UKE"),
        "{err}"
    );
    let text = std::fs::read_to_string(&base).unwrap();
    assert!(
        !text.contains("1001") && !text.contains("山田"),
        "the baseline holds no name or number in clear: {text}"
    );
    // Same file: everything hidden, exit 0.
    let o = bin()
        .args(["check", "--isolated", "--format", "json", "--baseline"])
        .arg(&base)
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["diagnostics"].as_array().unwrap().len(), 0);
    assert_eq!(v["summary"]["baselined"], n);
    // A new finding (an impossible birth date in receipt 2) shows; the old ones stay hidden.
    let changed = src.replace("2,19850512,", "2,19850532,");
    std::fs::write(&file, common::build(&changed).bytes).unwrap();
    let o = bin()
        .args(["check", "--isolated", "--format", "json", "--baseline"])
        .arg(&base)
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let codes: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["V005"]);
    assert_eq!(v["diagnostics"][0]["line"], 6);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn a_flood_of_invalid_bytes_is_capped_and_counted() {
    // 1,000 lines of a lone Shift_JIS lead byte: 100 F001 reported, the rest counted on the
    // last one (a file of junk must not turn into gigabytes of findings).
    let bytes: Vec<u8> = b"\xEC\r\n".repeat(1000);
    for chunk_size in [0, 64] {
        let r = recelint::check::check_bytes(
            "junk.UKE",
            &bytes,
            &recelint::check::CheckOptions {
                chunk_size,
                ..Default::default()
            },
        );
        let f001: Vec<_> = r
            .diagnostics
            .iter()
            .filter(|d| d.rule.code == "F001")
            .collect();
        assert_eq!(f001.len(), 100, "chunks {chunk_size}");
        assert!(
            f001[99]
                .message(recelint::report::Lang::En)
                .contains("900 more record(s)"),
            "{}",
            f001[99].message(recelint::report::Lang::En)
        );
    }
}

#[test]
fn one_rule_keeps_at_most_ten_thousand_findings_per_file_and_counts_the_rest() {
    // 12,000 receipts without SY: S007 on each. Memory must not grow with such floods.
    let mut text = String::from("IR,1,13,1,1234567,,テスト内科クリニック,202611,00,03-1234-5678\n");
    for n in 1..=12_000 {
        text.push_str(&format!("RE,{n},1112,202610,山田　太郎,1,19700401,,,,,,,{n},,,,,,,,,,,,,,,,,,,,,,,ヤマダタロウ,\n"));
        text.push_str("HO,01130012,１２３,４５６７,1,291,,,,,,,,,\n");
        text.push_str("SI,11,1,111000110,,291,1,,,,,,,1,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\n");
    }
    text.push_str("GO,12000,3492000,99\n");
    let bytes = common::build(&text).bytes;
    for chunk_size in [0, 4096] {
        let r = recelint::check::check_bytes(
            "flood.UKE",
            &bytes,
            &recelint::check::CheckOptions {
                chunk_size,
                ..Default::default()
            },
        );
        let s007 = r
            .diagnostics
            .iter()
            .filter(|d| d.rule.code == "S007")
            .count();
        assert_eq!(s007, recelint::rules::MAX_PER_RULE, "chunks {chunk_size}");
        assert_eq!(r.omitted_rules.get("S007"), Some(&2_000));
        assert_eq!(
            r.count(recelint::report::Severity::Error),
            12_000,
            "totals still count them"
        );
    }
}

#[test]
fn statistics_count_findings_per_rule_most_first() {
    let d = tmpdir("stats");
    let f = common::defective(&d);
    let o = bin()
        .args(["check", "--statistics"])
        .arg(&f)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(1),
        "the exit code is the findings' verdict"
    );
    let out = String::from_utf8(o.stdout).unwrap();
    let first: Vec<&str> = out.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(&first[..3], ["10", "S007", "receipt-without-sy"], "{out}");
    assert!(
        out.lines()
            .any(|l| l.split_whitespace().take(2).eq(["2", "I005"])),
        "{out}"
    );
    let o = bin()
        .args(["check", "--statistics", "--format", "json"])
        .arg(&f)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["code"], "S007");
    assert_eq!(v[0]["count"], 10);
    let total: u64 = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["count"].as_u64().unwrap())
        .sum();
    assert_eq!(total, 15);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn output_file_gets_the_report_and_an_input_is_never_the_output() {
    let d = tmpdir("outfile");
    let f = common::defective(&d);
    let out = d.join("report.json");
    let o = bin()
        .args(["check", "--format", "json", "--output-file"])
        .arg(&out)
        .arg(&f)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(v["summary"]["files"], 1);
    // The input named by another path is refused before anything is written.
    let before = std::fs::read(&f).unwrap();
    let alias = d.join(".").join("RECEIPTC.UKE");
    let o = bin()
        .args(["check", "-o"])
        .arg(&alias)
        .arg(&f)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("never writes to an input"));
    assert_eq!(std::fs::read(&f).unwrap(), before, "the input is untouched");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn a_path_without_check_gets_a_hint() {
    let o = bin().arg(sample()).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("hint") && err.contains(&format!("recelint check {}", sample().display())),
        "{err}"
    );
    // A mistyped command is not taken for a path.
    let o = bin().arg("chek").output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(!String::from_utf8_lossy(&o.stderr).contains("hint"));
}

#[test]
fn show_settings_prints_what_the_run_would_use_and_from_where() {
    let d = tmpdir("show");
    std::fs::write(
        d.join("recelint.toml"),
        "ignore = [\"S007\"]\n[severity]\nF004 = \"error\"\n",
    )
    .unwrap();
    let o = bin()
        .current_dir(&d)
        .args(["check", "--show-settings", "--fail-on", "warning", "x.UKE"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "nothing is checked");
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(
        out.contains(&d.join("recelint.toml").display().to_string()),
        "{out}"
    );
    assert!(
        out.contains("ignore = [\"S007\"]") && out.contains("F004 = \"error\""),
        "{out}"
    );
    assert!(
        out.contains("fail-on = \"warning\""),
        "the command line on top: {out}"
    );
    // -v names the file used.
    let f = common::defective(&d);
    let o = bin()
        .current_dir(&d)
        .args(["check", "-v"])
        .arg(&f)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&o.stderr).contains("recelint.toml"));
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn quiet_prints_the_findings_only() {
    let d = tmpdir("quiet");
    let f = common::defective(&d);
    let o = bin()
        .args(["check", "-q"])
        .arg(&f)
        .arg(sample())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "the verdict is the same");
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.starts_with(&format!("{}:\n", f.display())), "{out}");
    assert!(out.contains("[S007]") && out.contains("[F004]"), "{out}");
    assert!(
        !out.contains("合計")
            && !out.contains("ファイルごとの要約")
            && !out.contains("RECEIPTC.UKE: 医科"),
        "no counts, no totals: {out}"
    );
    assert!(
        !out.contains("testdata/sample"),
        "a clean file prints nothing: {out}"
    );
    let _ = std::fs::remove_dir_all(&d);
}

/// As linters do it: each checked file takes the `recelint.toml` nearest to it, searching
/// upward from its folder, wherever recelint runs from; `--config` and `--isolated` still
/// decide for every file.
#[test]
fn each_file_takes_the_nearest_settings_file_above_it() {
    let d = tmpdir("nearest-config");
    let defective = common::defective(&d);
    let (a, b) = (d.join("clinic-a"), d.join("clinic-b/2026-11"));
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    std::fs::copy(&defective, a.join("RECEIPTC.UKE")).unwrap();
    std::fs::copy(&defective, b.join("RECEIPTC.UKE")).unwrap();
    // clinic-a ignores F004; clinic-b's parent folder has none, so nothing is ignored there.
    std::fs::write(a.join("recelint.toml"), "ignore = [\"F004\"]\n").unwrap();
    let run = |extra: &[&str]| {
        let o = bin()
            .current_dir(&d)
            .args(["check", "--format", "concise", "--no-progress"])
            .args(extra)
            .args(["clinic-a/RECEIPTC.UKE", "clinic-b/2026-11/RECEIPTC.UKE"])
            .output()
            .unwrap();
        String::from_utf8(o.stdout).unwrap()
    };
    let out = run(&[]);
    let f004 = |who: &str, out: &str| {
        out.lines()
            .any(|l| l.starts_with(who) && l.contains(" F004 "))
    };
    assert!(!f004("clinic-a/", &out), "{out}");
    assert!(f004("clinic-b/", &out), "{out}");
    // --isolated: no settings file for any file.
    let out = run(&["--isolated"]);
    assert!(f004("clinic-a/", &out) && f004("clinic-b/", &out), "{out}");
    let _ = std::fs::remove_dir_all(&d);
}

/// The q014 case built in `d`: its claim file and its `res` folder of result files.
fn q014_case(d: &std::path::Path) -> (PathBuf, PathBuf, Option<PathBuf>) {
    let case = common::root().join("testdata/qualify/q014_care_outside_result_dates");
    let check = d.join("RECEIPTC.UKE");
    std::fs::write(&check, common::load(&case.join("check.txt")).bytes).unwrap();
    let (inputs, tmp) = common::evidence(&case);
    let res = match &inputs[..] {
        [recelint::qualify::onshi::Input::Path(p)] => p.clone(),
        _ => panic!("one res folder"),
    };
    (check, res, tmp)
}

/// The clinic's case: `recelint check --qualifications <res folder> RECEIPTC.UKE` on the
/// folder the 資格確認端末 wrote, and each finding names its evidence file; a folder without
/// any result file is an unusable input (exit code 2), and the option repeats.
#[test]
fn a_result_folder_is_evidence_from_the_command_line() {
    let d = tmpdir("onshi");
    let (check, res, tmp) = q014_case(&d);
    let o = bin()
        .args([
            "check",
            "--isolated",
            "--format",
            "concise",
            "--qualifications",
        ])
        .arg(&res)
        .arg(&check)
        .output()
        .unwrap();
    let out = String::from_utf8(o.stdout).unwrap();
    let q014: Vec<&str> = out.lines().filter(|l| l.contains(": Q014 ")).collect();
    assert_eq!(q014.len(), 2, "{out}");
    assert!(
        q014[0].contains("OQSsiquc01res_20260415000001.xml:21")
            && q014[0].contains("DisqualificationDate「20260301」"),
        "{out}"
    );
    assert_eq!(o.status.code(), Some(0), "Q014 is a warning");
    let empty = d.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    std::fs::write(empty.join("notes.txt"), "x").unwrap();
    let o = bin()
        .args([
            "check",
            "--isolated",
            "--format",
            "concise",
            "--qualifications",
        ])
        .arg(&res)
        .arg("--qualifications")
        .arg(&empty)
        .arg(&check)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("empty") && err.contains("資格確認結果"),
        "{err}"
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains(": Q014 "));
    let _ = std::fs::remove_dir_all(&d);
    if let Some(t) = tmp {
        let _ = std::fs::remove_dir_all(t);
    }
}

/// The summary names the qualifications by what is known: without evidence no receipt is
/// called 現在の資格 / current, they are 未確認 / not checked; with evidence they are the
/// checked ones. JSON keeps `current` / `past` as they were and adds `checked` and
/// `not_checked`.
#[test]
fn qualification_counts_say_what_was_checked() {
    let case = common::root().join("testdata/qualify/q006_past_claimed_while_current_known");
    let d = tmpdir("q006-known");
    let check = d.join("RECEIPTC.UKE");
    std::fs::write(&check, common::load(&case.join("check.txt")).bytes).unwrap();
    let csv = case.join("qualifications.csv");
    let text = |args: &[&str], evidence: bool| -> String {
        let mut c = bin();
        c.arg("check").args(args);
        if evidence {
            c.arg("--qualifications").arg(&csv);
        }
        String::from_utf8(c.arg(&check).output().unwrap().stdout).unwrap()
    };
    let ja = text(&[], false);
    assert!(
        ja.contains("資格: 未確認 1（資格確認の記録なし）") && !ja.contains("現在の資格"),
        "{ja}"
    );
    let en = text(&["--lang", "en"], false);
    assert!(
        en.contains("qualification: not checked 1 (no evidence given)") && !en.contains("current"),
        "{en}"
    );
    let ja = text(&[], true);
    assert!(
        ja.contains("資格: 照合した現在の資格 0・照合した過去の資格 1・未確認 0"),
        "{ja}"
    );
    let en = text(&["--lang", "en"], true);
    assert!(
        en.contains("qualification: checked current 0, checked past 1, not checked 0"),
        "{en}"
    );
    let json = |evidence: bool| -> serde_json::Value {
        serde_json::from_str(&text(&["--format", "json"], evidence)).unwrap()
    };
    let q = &json(false)["summary"]["qualification"];
    // `current` is "not shown to be past", as before; nothing was checked.
    assert_eq!((&q["current"], &q["past"]), (&1.into(), &0.into()), "{q}");
    assert_eq!(
        (&q["checked"], &q["not_checked"]),
        (&0.into(), &1.into()),
        "{q}"
    );
    let q = &json(true)["summary"]["qualification"];
    assert_eq!((&q["current"], &q["past"]), (&0.into(), &1.into()), "{q}");
    assert_eq!(
        (&q["checked"], &q["not_checked"]),
        (&1.into(), &0.into()),
        "{q}"
    );
    let _ = std::fs::remove_dir_all(&d);
}

/// Option help is Japanese by default and English on request (`--lang en`, `RECELINT_LANG`,
/// an English locale), one language at a time.
#[test]
fn help_is_japanese_by_default_and_english_on_request() {
    let help = |args: &[&str], env: &[(&str, &str)]| -> String {
        let mut c = bin();
        c.env_remove("RECELINT_LANG")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env("LANG", "C.UTF-8");
        for (k, v) in env {
            c.env(k, v);
        }
        let o = c.args(args).output().unwrap();
        assert_eq!(o.status.code(), Some(0));
        String::from_utf8(o.stdout).unwrap()
    };
    let ja = help(&["check", "--help"], &[]);
    assert!(
        ja.contains("使い方:") && ja.contains("ファイルまたはフォルダ"),
        "{ja}"
    );
    assert!(!ja.contains("Files or folders"), "{ja}");
    for (args, env) in [
        (&["check", "--lang", "en", "--help"][..], &[][..]),
        (&["check", "--help"][..], &[("RECELINT_LANG", "en")][..]),
        (&["check", "--help"][..], &[("LANG", "en_US.UTF-8")][..]),
    ] {
        let en = help(args, env);
        assert!(
            en.contains("Usage:") && en.contains("Files or folders"),
            "{en}"
        );
        assert!(!en.contains("ファイルまたはフォルダ"), "{en}");
    }
    let top = help(&["--help"], &[]);
    assert!(top.contains("窓口用の画面を開く"), "{top}");
    let top = help(&["--help"], &[("RECELINT_LANG", "en")]);
    assert!(top.contains("Open the desk page"), "{top}");
}

/// A month gathered by symbolic links is checked: a link to a claim file is the file; a link
/// to a folder is not followed (a link back up would never end) and `-v` says so, as it says
/// why a broken link was passed over.
#[cfg(unix)]
#[test]
fn links_to_claim_files_are_followed_links_to_folders_are_not() {
    use std::os::unix::fs::symlink;
    let d = tmpdir("links");
    let month = d.join("month");
    std::fs::create_dir_all(&month).unwrap();
    symlink(sample(), month.join("RECEIPTC.UKE")).unwrap();
    symlink(&d, month.join("up")).unwrap();
    symlink(d.join("gone.UKE"), month.join("broken.UKE")).unwrap();
    // Two links to one file: it is checked once.
    symlink(sample(), month.join("SAME.UKE")).unwrap();
    let o = bin()
        .args(["check", "-v", "--format", "json"])
        .arg(&month)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{out}\n{err}");
    assert!(out.contains("\"receipts\":"), "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["summary"]["files"], 1, "{out}");
    assert!(v["summary"]["receipts"].as_u64().unwrap() > 0, "{out}");
    assert!(
        err.contains("フォルダへのシンボリックリンクはたどりません")
            && err.contains(&format!("{}", month.join("up").display())),
        "{err}"
    );
    assert!(
        err.contains("リンク切れ") && err.contains("broken.UKE"),
        "{err}"
    );
    assert!(
        err.contains("a link to a file checked anyway") && err.contains("SAME.UKE"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&d);
}

/// A `res` folder of links to the terminal's result files (a shared folder mounted as
/// links, say) is the same evidence as the files.
#[cfg(unix)]
#[test]
fn a_result_folder_of_links_is_evidence() {
    use std::os::unix::fs::symlink;
    let d = tmpdir("onshi-links");
    let (check, res, _tmp) = q014_case(&d);
    let links = d.join("res");
    std::fs::create_dir_all(&links).unwrap();
    for e in std::fs::read_dir(&res).unwrap() {
        let p = e.unwrap().path();
        symlink(&p, links.join(p.file_name().unwrap())).unwrap();
    }
    let run = |q: &PathBuf| {
        let o = bin()
            .args([
                "check",
                "--isolated",
                "--format",
                "concise",
                "--qualifications",
            ])
            .arg(q)
            .arg(&check)
            .output()
            .unwrap();
        let out = String::from_utf8(o.stdout).unwrap();
        out.lines()
            .filter(|l| l.contains(": Q014 "))
            .map(|l| l.rsplit('/').next().unwrap_or(l).to_string())
            .collect::<Vec<_>>()
    };
    let direct = run(&res);
    assert_eq!(direct.len(), 2, "{direct:?}");
    assert_eq!(run(&links), direct);
    let _ = std::fs::remove_dir_all(&d);
}
