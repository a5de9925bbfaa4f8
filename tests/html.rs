//! `--format html`: one self-contained page with totals, charts and the findings by receipt.

mod common;

use recelint::check::FileReport;
use recelint::render::{render_all, Format, Style};
use recelint::report::Lang;

fn mixed_text() -> String {
    std::fs::read_to_string(common::root().join("testdata/golden/mixed.txt")).unwrap()
}

fn mixed() -> FileReport {
    let f = common::load(&common::root().join("testdata/golden/mixed.txt"));
    common::check("mixed.UKE", &f.bytes)
}

fn html(lang: Lang, reports: &[FileReport]) -> String {
    let style = Style {
        lang,
        verbose: false,
        color: false,
        quiet: false,
    };
    String::from_utf8(render_all(Format::Html, style, reports)).expect("output is UTF-8")
}

#[test]
fn format_is_named_html() {
    use clap::ValueEnum;
    let name = Format::Html
        .to_possible_value()
        .unwrap()
        .get_name()
        .to_string();
    assert_eq!(name, "html");
    assert_eq!(Format::from_str("html", false), Ok(Format::Html));
}

#[test]
fn is_one_japanese_html5_document_with_three_charts_and_a_table() {
    let out = html(Lang::Ja, &[mixed()]);
    assert!(out.starts_with("<!DOCTYPE html>"), "{}", &out[..40]);
    assert!(out.contains("<html lang=\"ja\">"));
    assert!(out.trim_end().ends_with("</html>"));
    assert_eq!(out.matches("<html").count(), 1);
    assert_eq!(out.matches("<body>").count(), 1);
    assert_eq!(out.matches("</body>").count(), 1);
    // Severity, rules, qualification.
    assert_eq!(out.matches("<div class=\"chart ").count(), 3);
    assert_eq!(out.matches("<svg").count(), out.matches("</svg>").count());
    assert!(out.contains("<table"));
    assert_eq!(
        out.matches("<table").count(),
        out.matches("</table>").count()
    );
    assert_eq!(
        out.matches("<tbody").count(),
        out.matches("</tbody>").count()
    );
    assert_eq!(out.matches("<tr").count(), out.matches("</tr>").count());
    assert_eq!(
        out.matches("<section").count(),
        out.matches("</section>").count()
    );
    assert!(out.contains("<select"));
    assert!(out.contains("type=\"checkbox\""));
    // Japanese UI.
    for label in [
        "エラー",
        "警告",
        "情報",
        "資格の証拠なし",
        "照合していない",
        "不詳",
        "災害",
        "「●」氏名",
    ] {
        assert!(out.contains(label), "missing {label}");
    }
    // Without evidence no receipt is called current or past.
    assert!(!out.contains("照合した: 現在の資格"));
    for label in ["レセプト番号", "カルテ番号", "氏名", "ファイル全体"] {
        assert!(out.contains(label), "missing {label}");
    }
}

#[test]
fn references_nothing_outside_the_file() {
    for lang in [Lang::Ja, Lang::En] {
        let out = html(lang, &[mixed()]);
        assert!(!out.contains("http://"), "http:// in the page");
        assert!(!out.contains("https://"), "https:// in the page");
        assert!(!out.contains("//cdn"));
        assert!(!out.contains("<link"), "no external stylesheet");
        assert!(!out.contains("<img"), "no image");
        assert!(!out.contains("@import"));
        assert!(!out.contains("url("), "no fetched CSS resource");
        assert!(!out.contains(" src="), "no external script");
    }
}

#[test]
fn every_diagnostic_is_a_row_with_its_code_and_line() {
    let r = mixed();
    assert!(!r.diagnostics.is_empty());
    let out = html(Lang::Ja, std::slice::from_ref(&r));
    assert_eq!(out.matches("data-code=").count(), r.diagnostics.len());
    assert_eq!(out.matches("data-severity=").count(), r.diagnostics.len());
    for d in &r.diagnostics {
        let row_start = format!(
            "data-code=\"{}\" data-severity=\"{}\"",
            d.rule.code,
            d.severity.as_str()
        );
        let row = out
            .match_indices(&row_start)
            .map(|(i, _)| &out[i..i + out[i..].find("</tr>").unwrap()])
            .find(|row| match d.line {
                Some(l) => row.contains(&format!("<td class=\"n\">{l}</td>")),
                None => row.contains("<td class=\"n\">-</td>"),
            });
        let row = row.unwrap_or_else(|| panic!("no row for {} at {:?}", d.rule.code, d.line));
        assert!(row.contains(&format!("<code>{}</code>", d.rule.code)));
        // The plain explanation is the rule's title.
        let title = d.rule.title(Lang::Ja);
        assert!(
            row.contains(&recelint::render::html::escape(title)),
            "{} row lacks its title",
            d.rule.code
        );
    }
    // Grouped by receipt, with the labels.
    assert!(out.contains("山田　太郎"));
    assert!(out.contains("1001"));
    assert!(out.contains("●田　花子"));
}

#[test]
fn names_are_escaped() {
    let text = mixed_text().replace("山田　太郎", "<b>&山田");
    assert!(text.contains("<b>&山田"));
    let f = common::build(&text);
    let r = common::check("mixed.UKE", &f.bytes);
    assert_eq!(r.labels.get(&1).map(|l| l.name.as_str()), Some("<b>&山田"));
    let out = html(Lang::Ja, std::slice::from_ref(&r));
    assert!(!out.contains("<b>&山田"), "raw name in the page");
    assert!(out.contains("&lt;b&gt;&amp;山田"));
    assert!(!out.contains("<b>"));
    // The path is data too.
    let mut r2 = r;
    r2.path = "a\"b<c>.UKE".into();
    let out = html(Lang::En, &[r2]);
    assert!(!out.contains("a\"b<c>"));
    assert!(out.contains("a&quot;b&lt;c&gt;.UKE"));
}

#[test]
fn english_page_has_no_japanese_ui() {
    let mut out = html(Lang::En, &[mixed()]);
    // The rules' English explanations use Japanese terms of the specification (不詳,
    // 総件数 …) as they are: the check is on the page's own labels around them.
    while let Some(a) = out.find("<div class=\"explain\">") {
        let b = a + out[a..]
            .find("<table class=\"same\">")
            .expect("a card's table");
        out.replace_range(a..b, "");
    }
    assert!(out.contains("<html lang=\"en\">"));
    for label in [
        "Errors",
        "Warnings",
        "No qualification evidence",
        "Not checked",
        "Unknown fill",
        "Whole file",
        "Chart",
    ] {
        assert!(out.contains(label), "missing {label}");
    }
    for label in [
        "エラー",
        "警告",
        "現在の資格",
        "過去の資格",
        "不詳",
        "レセプト番号",
        "カルテ番号",
        "ファイル全体",
        "重大度",
        "検査結果",
        "行目",
        "項目",
    ] {
        assert!(
            !out.contains(label),
            "Japanese label {label} in English output"
        );
    }
}

#[test]
fn output_is_deterministic_and_covers_many_files() {
    let unreadable = FileReport {
        path: "missing.UKE".into(),
        unreadable: Some("ファイルがありません / no such file".into()),
        ..FileReport::default()
    };
    let a = html(Lang::Ja, &[mixed(), unreadable]);
    let unreadable = FileReport {
        path: "missing.UKE".into(),
        unreadable: Some("ファイルがありません / no such file".into()),
        ..FileReport::default()
    };
    let b = html(Lang::Ja, &[mixed(), unreadable]);
    assert_eq!(a, b);
    assert!(a.contains("missing.UKE"));
    assert!(a.contains("読み取れませんでした"));
    // The file list links to each section.
    assert!(a.contains("href=\"#file-1\"") && a.contains("id=\"file-2\""));
}

#[test]
fn a_clean_run_still_renders() {
    let out = html(Lang::Ja, &[]);
    assert!(out.starts_with("<!DOCTYPE html>"));
    assert_eq!(out.matches("<div class=\"chart ").count(), 3);
    assert_eq!(out.matches("data-code=").count(), 0);
}
